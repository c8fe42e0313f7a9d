"""What Locust loads: the user kinds with a weight, the chosen shape, and the run's listeners.

Run it through `python -m loadtests` (or `make loadtest`), which sets the shape, the results
folder and Prometheus's address; Locust alone runs the smoke shape.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from locust import User, events
from locust.env import Environment
from locust.shape import LoadTestShape

from loadtests import report
from loadtests.prometheus import Prometheus
from loadtests.run import RUN
from loadtests.scenarios import newcomers, readers, slow_route, writers
from loadtests.shapes import load, smoke, soak, stress

logger = logging.getLogger("loadtests")

_KINDS = {
    "readers": readers.Reader,
    "writers": writers.Writer,
    "newcomers": newcomers.Newcomer,
    "slow_route": slow_route.SlowRouteUser,
}
_SHAPES: dict[str, type[LoadTestShape]] = {
    "smoke": smoke.SmokeShape,
    "load": load.LoadShape,
    "stress": stress.StressShape,
    "soak": soak.SoakShape,
}


def _weighted_kinds() -> dict[str, type[User]]:
    chosen: dict[str, type[User]] = {}
    for kind, user_class in _KINDS.items():
        if RUN.settings["users"][kind] > 0:
            user_class.weight = RUN.settings["users"][kind]
            chosen[user_class.__name__] = user_class
    return chosen


# Locust takes every User and LoadTestShape class in this module's namespace: bind only the
# kinds with a weight, and only the chosen shape.
globals().update(_weighted_kinds())
Shape = _SHAPES[RUN.shape]


@events.init.add_listener
def prepare(environment: Environment, **_: Any) -> None:
    """Accounts for readers and writers, made before the measured phase begins."""
    RUN.host = (environment.host or "").rstrip("/")
    users = RUN.settings["users"]
    if users["readers"] > 0 or users["writers"] > 0:
        _prepare_accounts(int(RUN.shape_settings["accounts"]), users["items_per_account"])
    # Newcomers sign up and log in at the sustained rate from the start of the measured phase.
    RUN.accounts.drain_budgets()
    if RUN.prometheus_url:
        # One more scrape before the measured phase, so that nothing before it (the preparation,
        # an earlier run's clean-up) counts in the backend's figures for this run.
        prometheus = Prometheus(RUN.prometheus_url, RUN.settings["prometheus"]["backend"])
        if prometheus.reachable():
            prometheus.wait_for_scrape_after(time.time())


def _prepare_accounts(count: int, items_each: int) -> None:
    if count < 1:
        raise SystemExit("settings: readers and writers need at least one prepared account")
    logger.info("preparing %d accounts within the edge's sign-up and log-in limits", count)
    try:
        RUN.preparation_seconds = RUN.accounts.prepare(RUN.host, count, items_each)
    except Exception as error:
        RUN.accounts.remove_all(RUN.host)
        print(f"BREACH preparation: could not prepare accounts at {RUN.host}: {error}", flush=True)
        raise SystemExit(1) from error


@events.test_start.add_listener
def started(**_: Any) -> None:
    RUN.started = time.time()


@events.request.add_listener
def record(response_time: float, exception: BaseException | None, **_: Any) -> None:
    RUN.samples.add(time.time(), response_time, exception is not None)


@events.test_stop.add_listener
def stopped(**_: Any) -> None:
    RUN.stopped = time.time()
    RUN.close()


@events.quitting.add_listener
def judge(environment: Environment, **_: Any) -> None:
    environment.process_exit_code = report.finish(getattr(Shape, "measured", "run"))
