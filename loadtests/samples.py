"""Every response time of the run, kept whole, so percentiles are exact rather than bucketed.

Locust's own percentiles round to about two significant digits; these are computed from every
sample (nearest rank), from the client's side: nginx, the backend and the network included.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class WindowStats:
    """What the client saw between `start` and `end` (epoch seconds)."""

    start: float
    end: float
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def seconds(self) -> float:
        return max(self.end - self.start, 1e-9)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def error_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list; NaN when it is empty."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class Samples:
    """(finish time, milliseconds, failed) of every request, in the order they finished."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.millis: list[float] = []
        self.failed: list[bool] = []

    def add(self, finished: float, millis: float, failed: bool) -> None:
        self.times.append(finished)
        self.millis.append(millis)
        self.failed.append(failed)

    def window(self, start: float, end: float) -> WindowStats:
        lo, hi = bisect_left(self.times, start), bisect_right(self.times, end)
        ordered = sorted(self.millis[lo:hi])
        return WindowStats(
            start=start,
            end=end,
            requests=hi - lo,
            failures=sum(self.failed[lo:hi]),
            p50_ms=percentile(ordered, 0.50),
            p95_ms=percentile(ordered, 0.95),
            p99_ms=percentile(ordered, 0.99),
        )

    def series(self, start: float, end: float, step: float) -> list[WindowStats]:
        """Consecutive windows of `step` seconds, for the charts over time."""
        result, at = [], start
        while at < end:
            result.append(self.window(at, min(at + step, end)))
            at += step
        return result
