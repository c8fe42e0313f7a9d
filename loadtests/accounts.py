"""The accounts a run creates, paced under the edge's limits, and removes when it ends.

Every Locust user shares one client address, and nginx allows each address a handful of log-ins
and sign-ups a minute (nginx/nginx.conf). So the run never bursts past them: the accounts that
readers and writers share are signed up and logged in once, before the measured phase, through
the same budget that newcomers draw on later; nothing turns the limit off. Deleting an account
deletes its items, so removing every account the run created leaves no data behind.
"""

from __future__ import annotations

import itertools
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import gevent
import requests

logger = logging.getLogger(__name__)

API = "/api/v1"
PASSWORD = "load-test-password"  # noqa: S105 - throwaway accounts, deleted by the run
EMAIL_DOMAIN = "loadtest.example.com"
# A 429 from the edge despite the pacing (a previous run drained its budget): wait, then retry.
RATE_LIMITED_RETRIES = 6


class RateBudget:
    """A token bucket a little slower than nginx's limit_req zone it stands for."""

    def __init__(self, per_minute: float, burst: int, margin: float = 0.9) -> None:
        self.rate = per_minute / 60 * margin
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> float:
        """Wait until one request may go; returns the seconds waited."""
        waited = 0.0
        while True:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return waited
            pause = (1 - self.tokens) / self.rate
            gevent.sleep(pause)
            waited += pause

    def drain(self) -> None:
        """Assume the edge's bucket is empty: what an earlier run from this address left in it
        is unknown, and from here on the sustained rate can never be refused."""
        self.tokens = 0.0
        self.stamp = time.monotonic()

    def penalty(self) -> float:
        """Seconds to wait after a 429: one token's worth."""
        return 1 / self.rate


@dataclass
class Account:
    email: str
    password: str = PASSWORD
    token: str = ""
    issued: float = 0.0  # time.monotonic() of the log-in
    item_ids: list[str] = field(default_factory=list)  # items made before the measured phase
    registered: bool = False  # the sign-up went through: there is something to remove
    renewing: bool = False  # one user is logging in again; the others keep the old token
    removed: bool = False

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Accounts:
    """The run's accounts: a shared pool for readers and writers, and every one it created."""

    def __init__(self, settings: dict[str, Any]) -> None:
        edge = settings["edge"]
        self.logins = RateBudget(edge["login_per_minute"], edge["login_burst"])
        self.signups = RateBudget(edge["signup_per_minute"], edge["signup_burst"])
        self.token_lifetime = float(settings["users"]["token_lifetime_minutes"]) * 60
        self.run_id = uuid.uuid4().hex[:8]
        self.pool: list[Account] = []
        self.created: list[Account] = []
        self._serial = itertools.count(1)
        self._turn = itertools.cycle([0])

    def new_account(self, kind: str) -> Account:
        """Fresh credentials, unique to this run; recorded so the run removes the account."""
        account = Account(email=f"lt-{self.run_id}-{kind}-{next(self._serial)}@{EMAIL_DOMAIN}")
        self.created.append(account)
        return account

    def next_from_pool(self) -> Account:
        return self.pool[next(self._turn) % len(self.pool)]

    def drain_budgets(self) -> None:
        self.logins.drain()
        self.signups.drain()

    @staticmethod
    def clock() -> float:
        return time.monotonic()

    def needs_new_token(self, account: Account) -> bool:
        return time.monotonic() - account.issued > 0.8 * self.token_lifetime

    def prepare(self, host: str, count: int, items_each: int) -> float:
        """Sign up and log in `count` accounts, each with `items_each` items; returns seconds."""
        started = time.monotonic()
        http = requests.Session()
        for _ in range(count):
            account = self.new_account("pool")
            body = {"email": account.email, "password": account.password, "full_name": "Load Test"}
            self._paced(http, "post", f"{host}{API}/auth/signup", self.signups, json=body)
            account.registered = True
            self.log_in(http, host, account)
            for n in range(items_each):
                answer = http.post(
                    f"{host}{API}/items",
                    json={"title": f"prepared {n}", "description": "made by the load test"},
                    headers=account.headers(),
                    timeout=30,
                )
                answer.raise_for_status()
                account.item_ids.append(answer.json()["id"])
            self.pool.append(account)
        self._turn = itertools.cycle(range(len(self.pool)))
        return time.monotonic() - started

    def log_in(self, http: requests.Session, host: str, account: Account) -> None:
        form = {"username": account.email, "password": account.password}
        answer = self._paced(http, "post", f"{host}{API}/auth/login", self.logins, data=form)
        account.token = answer.json()["access_token"]
        account.issued = self.clock()

    def remove_all(self, host: str) -> tuple[int, list[str]]:
        """Delete every account the run created (their items go with them)."""
        http = requests.Session()
        removed, problems = 0, []
        for account in self.created:
            if account.removed or not account.registered:
                continue
            try:
                if not account.token or self.needs_new_token(account):
                    self.log_in(http, host, account)
                answer = http.delete(f"{host}{API}/users/me", headers=account.headers(), timeout=30)
                if answer.status_code == 204:
                    account.removed = True
                    removed += 1
                else:
                    problems.append(f"{account.email}: DELETE answered {answer.status_code}")
            except requests.RequestException as error:
                problems.append(f"{account.email}: {error}")
        return removed, problems

    @staticmethod
    def _paced(
        http: requests.Session, method: str, url: str, budget: RateBudget, **kwargs: Any
    ) -> requests.Response:
        for _ in range(RATE_LIMITED_RETRIES):
            budget.take()
            answer = http.request(method, url, timeout=30, **kwargs)
            if answer.status_code != 429:
                answer.raise_for_status()
                return answer
            logger.info("edge rate limit on %s: waiting %.0f s", url, budget.penalty())
            gevent.sleep(budget.penalty())
        raise RuntimeError(f"{url}: still rate limited after {RATE_LIMITED_RETRIES} tries")
