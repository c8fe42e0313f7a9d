"""The arithmetic behind the figures and the gate's lines, without a stack (instant)."""

from __future__ import annotations

import math

import pytest

from loadtests import gate
from loadtests.prometheus import ServerLatency
from loadtests.samples import Samples, WindowStats, percentile
from loadtests.settings import Thresholds, load

LIMITS = Thresholds(p95_ms=500, p99_ms=1000, error_ratio=0.01, min_rps=5)


def test_client_percentiles_are_exact_not_bucketed() -> None:
    samples = Samples()
    for n in range(1, 101):  # 1..100 ms, one per 10 ms of wall time
        samples.add(1000 + n / 100, float(n) + 0.37, failed=n == 100)
    stats = samples.window(1000, 1001)
    assert stats.p95_ms == 95.37  # Locust would report 95 (two significant digits)
    assert stats.p99_ms == 99.37
    assert stats.requests == 100
    assert stats.failures == 1
    assert math.isnan(percentile([], 0.95))


def test_server_share_within_a_bucket_bound_is_an_exact_count() -> None:
    # 90 requests within 0.25 s, 8 more within 0.5 s, 2 more within 1 s.
    histogram = ServerLatency(100, [(0.25, 90), (0.5, 98), (1.0, 100), (math.inf, 100)])
    assert histogram.share_within(0.5) == (0.98, True)
    share, exact = histogram.share_within(0.4)
    assert not exact
    assert 0.90 < share < 0.98
    assert histogram.quantile(0.95) == pytest.approx(0.25 + 0.25 * 5 / 8)


def test_each_breach_is_one_line_naming_figure_limit_and_source() -> None:
    slow = WindowStats(0, 10, requests=20, failures=1, p50_ms=600, p95_ms=640, p99_ms=700)
    histogram = ServerLatency(20, [(0.5, 0), (0.75, 20), (math.inf, 20)])
    verdict = gate.evaluate(LIMITS, slow, histogram)
    assert verdict.breaches == [
        "BREACH p95 latency: 640 ms > 500 ms (client, exact over 20 responses)",
        "BREACH error ratio: 5.00% > 1.00% (client, 1 of 20 requests failed)",
        "BREACH requests/s: 2.0 < 5 (client, 20 requests in 10 s)",
        "BREACH p95 latency: 0.0% of requests within 500 ms, needs 95%"
        " (server, Prometheus histogram over 20 requests, exact count at a bucket bound)",
    ]


def test_every_shape_has_all_four_thresholds() -> None:
    settings = load()
    for shape, values in settings["shapes"].items():
        assert set(values["thresholds"]) == {"p95_ms", "p99_ms", "error_ratio", "min_rps"}, shape
