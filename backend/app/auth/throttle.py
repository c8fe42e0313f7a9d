"""Per-account password attempts: credential stuffing comes from many addresses, so nginx's
per-address limits alone do not stop it. An attempt counts from the moment it starts (a
parallel burst cannot slip past before the first failure is recorded); a success forgets the
account's attempts. Kept per worker process, bounded in size: the limit an account sees is at
most ACCOUNT_PASSWORD_ATTEMPTS x workers x replicas per window, and nginx limits each address
in front of it."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque

from app.errors import RateLimitedError

# Accounts remembered per worker; the oldest is forgotten first (bounded memory under a flood
# of made-up emails).
MAX_TRACKED_ACCOUNTS = 50_000


class AccountThrottle:
    def __init__(self, attempts: int, window_seconds: float) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._recent: OrderedDict[str, deque[float]] = OrderedDict()

    def attempt(self, account: str) -> None:
        """Count an attempt on `account`, or refuse it with a 429 when it has had too many."""
        now = time.monotonic()
        recent = self._recent.pop(account, None) or deque()
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        self._recent[account] = recent
        while len(self._recent) > MAX_TRACKED_ACCOUNTS:
            self._recent.popitem(last=False)
        if len(recent) >= self.attempts:
            wait = math.ceil(recent[0] + self.window - now)
            raise RateLimitedError(
                "Too many password attempts for this account, retry later", max(wait, 1)
            )
        recent.append(now)

    def succeeded(self, account: str) -> None:
        self._recent.pop(account, None)
