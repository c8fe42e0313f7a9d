"""What the backend and the exporters recorded during the run, read back from Prometheus.

Latency from the backend's own histogram (`http_request_duration_seconds`), by subtracting the
bucket counters at the last scrape before the run from those at the first scrape after it: the
counts are exact, so "how many requests took at most X" is exact whenever X is a bucket bound;
a percentile between bounds is interpolated, as histogram_quantile does.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import gevent
import requests

# The backend's latency buckets (backend/app/observability/metrics.py), in seconds.
API_ROUTES = 'route=~"/api/.+"'


class PrometheusError(RuntimeError):
    pass


@dataclass(frozen=True)
class ServerLatency:
    """Backend-side latency of the API requests answered during the window."""

    requests: int
    buckets: list[tuple[float, float]]  # (upper bound in seconds, cumulative count)

    def share_within(self, seconds: float) -> tuple[float, bool]:
        """Fraction of requests answered within `seconds`, and whether that is exact."""
        for bound, count in self.buckets:
            if math.isclose(bound, seconds):
                return count / self.requests, True
        return self.quantile_inverse(seconds), False

    def quantile_inverse(self, seconds: float) -> float:
        lower_bound, lower_count = 0.0, 0.0
        for bound, count in self.buckets:
            if seconds <= bound:
                if math.isinf(bound):
                    return lower_count / self.requests
                part = (seconds - lower_bound) / (bound - lower_bound)
                return (lower_count + part * (count - lower_count)) / self.requests
            lower_bound, lower_count = bound, count
        return 1.0

    def quantile(self, fraction: float) -> float:
        """Seconds, interpolated linearly inside the bucket, as histogram_quantile does."""
        rank = fraction * self.requests
        lower_bound, lower_count = 0.0, 0.0
        for bound, count in self.buckets:
            if count >= rank:
                if math.isinf(bound):
                    return lower_bound  # beyond the last finite bound: its value is all we know
                if count == lower_count:
                    return bound
                return lower_bound + (bound - lower_bound) * (rank - lower_count) / (
                    count - lower_count
                )
            lower_bound, lower_count = bound, count
        return math.nan


class Prometheus:
    def __init__(self, url: str, backend_selector: str) -> None:
        self.url = url.rstrip("/")
        self.backend = backend_selector
        self.http = requests.Session()

    def reachable(self) -> bool:
        try:
            return self.http.get(f"{self.url}/-/ready", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def _get(self, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.http.get(f"{self.url}/api/v1/{path}", params=params, timeout=30)
        body = answer.json()
        if body.get("status") != "success":
            raise PrometheusError(f"{params.get('query')}: {body.get('error', answer.text)}")
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def query(self, expr: str, at: float) -> list[dict[str, Any]]:
        return self._get("query", {"query": expr, "time": f"{at:.3f}"})

    def scalar(self, expr: str, at: float) -> float | None:
        result = self.query(expr, at)
        return float(result[0]["value"][1]) if result else None

    def range(self, expr: str, start: float, end: float, step: float) -> list[tuple[float, float]]:
        result = self._get(
            "query_range",
            {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step}s"},
        )
        if not result:
            return []
        return [(float(t), float(v)) for t, v in result[0]["values"]]

    def wait_for_scrape_after(self, moment: float, timeout: float = 40) -> bool:
        """Wait until every backend target has been scraped after `moment`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            latest = self.scalar(f"min(timestamp(up{{{self.backend}}}))", time.time())
            if latest is not None and latest > moment:
                return True
            gevent.sleep(1)
        return False

    def _bucket_counts(self, at: float) -> dict[float, float]:
        expr = f"sum by (le) (http_request_duration_seconds_bucket{{{self.backend},{API_ROUTES}}})"
        return {float(r["metric"]["le"]): float(r["value"][1]) for r in self.query(expr, at)}

    def latency(self, before: float, after: float) -> ServerLatency | None:
        """The histogram of the requests answered between two scrapes, or None if no data."""
        first, last = self._bucket_counts(before), self._bucket_counts(after)
        if not last:
            return None
        buckets = sorted((le, last[le] - first.get(le, 0.0)) for le in last)
        total = buckets[-1][1]
        return ServerLatency(requests=round(total), buckets=buckets) if total > 0 else None
