"""Requests to the test-only slow route (ENVIRONMENT=test): a backend that answers slowly.

Weight 0 in the settings, so real runs never include it; the gate's own test turns it on to
prove a slow backend fails the run with the right message.
"""

from __future__ import annotations

from locust import FastHttpUser, task

from loadtests.accounts import API
from loadtests.run import RUN
from loadtests.scenarios.base import THINK_TIME

SECONDS = float(RUN.settings["users"]["slow_route_seconds"])


class SlowRouteUser(FastHttpUser):
    wait_time = THINK_TIME

    @task
    def slow(self) -> None:
        self.client.get(f"{API}/test/slow?seconds={SECONDS}", name=f"{API}/test/slow")
