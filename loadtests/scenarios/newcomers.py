"""Newcomers: sign up, log in, create a first item, look at it, then leave.

Each journey makes a new account, so sign-ups and log-ins wait on the run's budget for the
edge's limits (the wait is think time, not a response time). The account is deleted at the
end of the journey, so a long soak does not pile up accounts that the clean-up would have to
log into again.
"""

from __future__ import annotations

from locust import FastHttpUser, task

from loadtests.accounts import API
from loadtests.run import RUN
from loadtests.scenarios.base import THINK_TIME, log_in


class Newcomer(FastHttpUser):
    wait_time = THINK_TIME

    @task
    def journey(self) -> None:
        account = RUN.accounts.new_account("newcomer")
        body = {"email": account.email, "password": account.password, "full_name": "New Comer"}
        RUN.accounts.signups.take()
        with self.client.post(f"{API}/auth/signup", json=body, catch_response=True) as answer:
            if answer.status_code != 201:
                answer.failure(f"sign-up answered {answer.status_code}")
                return
            account.registered = True
        if not log_in(self, account):
            return
        first = {"title": "my first item", "description": "hello"}
        with self.client.post(
            f"{API}/items", json=first, headers=account.headers(), catch_response=True
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"create answered {answer.status_code}")
                return
            item = answer.json()["id"]
        self.client.get(f"{API}/items/{item}", headers=account.headers(), name=f"{API}/items/[id]")
        self.client.get(f"{API}/items?limit=20", headers=account.headers(), name=f"{API}/items")
        answer = self.client.delete(f"{API}/users/me", headers=account.headers())
        account.removed = answer.status_code == 204
