"""Thresholds against the run's figures: one line per figure, one BREACH line per breach.

Latency is checked from both sides when both are known: the client's exact percentiles (every
response time Locust measured, through nginx) and the backend's histogram in Prometheus, where
"p95 <= X" is checked as "at least 95 % of requests within X", an exact count when X is a bucket
bound. Error ratio and requests/s come from the client.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loadtests.prometheus import ServerLatency
from loadtests.samples import WindowStats
from loadtests.settings import Thresholds


@dataclass
class Verdict:
    figures: list[str] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.breaches


def _client(verdict: Verdict, t: Thresholds, c: WindowStats) -> None:
    source = f"client, exact over {c.requests} responses"
    for name, value, limit in (("p95", c.p95_ms, t.p95_ms), ("p99", c.p99_ms, t.p99_ms)):
        verdict.figures.append(f"{name} {value:.0f} ms ({source})")
        if not value <= limit:  # NaN (no responses) is a breach too
            verdict.breaches.append(
                f"BREACH {name} latency: {value:.0f} ms > {limit:g} ms ({source})"
            )
    errors = f"client, {c.failures} of {c.requests} requests failed"
    verdict.figures.append(f"error ratio {c.error_ratio:.2%} ({errors})")
    if c.error_ratio > t.error_ratio:
        verdict.breaches.append(
            f"BREACH error ratio: {c.error_ratio:.2%} > {t.error_ratio:.2%} ({errors})"
        )
    rate = f"client, {c.requests} requests in {c.seconds:.0f} s"
    verdict.figures.append(f"{c.rps:.1f} req/s ({rate})")
    if c.rps < t.min_rps:
        verdict.breaches.append(f"BREACH requests/s: {c.rps:.1f} < {t.min_rps:g} ({rate})")


def _server(verdict: Verdict, t: Thresholds, s: ServerLatency) -> None:
    for name, fraction, limit in (("p95", 0.95, t.p95_ms), ("p99", 0.99, t.p99_ms)):
        share, exact = s.share_within(limit / 1000)
        how = "exact count at a bucket bound" if exact else "interpolated between bucket bounds"
        source = f"server, Prometheus histogram over {s.requests} requests"
        verdict.figures.append(
            f"{name} {s.quantile(fraction) * 1000:.0f} ms ({source}, interpolated);"
            f" {share:.1%} within {limit:g} ms ({how})"
        )
        if share < fraction:
            verdict.breaches.append(
                f"BREACH {name} latency: {share:.1%} of requests within {limit:g} ms,"
                f" needs {fraction:.0%} ({source}, {how})"
            )


def evaluate(t: Thresholds, client: WindowStats, server: ServerLatency | None) -> Verdict:
    verdict = Verdict()
    _client(verdict, t, client)
    if server is not None:
        _server(verdict, t, server)
    return verdict


def meets(t: Thresholds, client: WindowStats) -> bool:
    """The client-side check alone, for the stress shape's steps."""
    verdict = Verdict()
    _client(verdict, t, client)
    return verdict.passed
