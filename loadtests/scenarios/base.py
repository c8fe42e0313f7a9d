"""What every simulated user shares: think time from the settings, and a reused log-in."""

from __future__ import annotations

from urllib.parse import urlencode

from locust import FastHttpUser, between

from loadtests.accounts import API, Account
from loadtests.run import RUN

# A shape may think faster than the [users] default (stress does, to reach the knee with fewer
# users than the load generator can spawn).
_think = {**RUN.settings["users"], **RUN.shape_settings}
THINK_TIME = between(_think["think_min_seconds"], _think["think_max_seconds"])
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AppUser(FastHttpUser):
    """A signed-in person. The account was logged in once before the measured phase; the token
    is reused for every request and renewed (one paced log-in) only before it expires."""

    abstract = True
    wait_time = THINK_TIME
    account: Account

    def on_start(self) -> None:
        self.account = RUN.accounts.next_from_pool()

    def auth(self) -> dict[str, str]:
        account = self.account
        if RUN.accounts.needs_new_token(account) and not account.renewing:
            account.renewing = True  # the old token stays valid for a fifth of its lifetime
            try:
                log_in(self, account)
            finally:
                account.renewing = False
        return account.headers()


def log_in(user: FastHttpUser, account: Account) -> bool:
    """Log in through the edge, within the run's log-in budget; True when a token came back."""
    RUN.accounts.logins.take()
    form = urlencode({"username": account.email, "password": account.password})
    with user.client.post(
        f"{API}/auth/login", data=form, headers=FORM, catch_response=True
    ) as answer:
        if answer.status_code != 200:
            answer.failure(f"log-in answered {answer.status_code}")
            return False
        account.token = answer.json()["access_token"]
        account.issued = RUN.accounts.clock()
        return True
