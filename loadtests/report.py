"""After the run: judge it against its thresholds, write the summary and charts, clean up.

Called from the `quitting` listener; returns the process's exit code (1 on any breach).
"""

from __future__ import annotations

import json
import logging
import math
import statistics
import time
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from loadtests import charts, gate
from loadtests.prometheus import Prometheus, PrometheusError, ServerLatency
from loadtests.resources import memory_series, resource_use
from loadtests.run import RUN, Step

logger = logging.getLogger(__name__)
LATENCY_STEP_SECONDS = 30  # the soak chart's latency points


def _when(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prometheus() -> tuple[Prometheus | None, str]:
    if not RUN.prometheus_url:
        return None, "Prometheus: not given (--prometheus); server-side figures skipped"
    prometheus = Prometheus(RUN.prometheus_url, RUN.settings["prometheus"]["backend"])
    if not prometheus.reachable():
        return None, f"Prometheus: {RUN.prometheus_url} not reachable; server-side figures skipped"
    if not prometheus.wait_for_scrape_after(RUN.stopped or time.time()):
        return None, f"Prometheus: no backend scrape after the run at {RUN.prometheus_url}"
    return prometheus, f"Prometheus: {RUN.prometheus_url}"


def _knee(lines: list[str], breaches: list[str]) -> tuple[Step | None, dict[str, Any]]:
    limits = RUN.thresholds
    for step in RUN.steps:
        s = step.stats
        lines.append(
            f"step {step.users} users: {s.rps:.1f} req/s, p95 {s.p95_ms:.0f} ms,"
            f" p99 {s.p99_ms:.0f} ms, errors {s.error_ratio:.2%}"
            f" ({'met' if step.passed else 'broke'} the thresholds; client, exact)"
        )
    passing = [step for step in RUN.steps if step.passed]
    knee = max(passing, key=lambda step: step.stats.rps) if passing else None
    if knee is None:
        breaches.append("BREACH stress: the first step already broke the thresholds: no knee")
    elif knee.stats.rps < limits.min_rps:
        breaches.append(
            f"BREACH stress knee: {knee.stats.rps:.1f} req/s < {limits.min_rps:g} req/s required"
        )
    broke = next((step for step in RUN.steps if not step.passed), None)
    if knee is not None:
        top = f"broke at {broke.users} users" if broke else "never broke up to max_users"
        lines.append(f"knee: {knee.stats.rps:.1f} req/s at {knee.users} users ({top})")
    path = charts.stress_chart(RUN.results / "stress.png", RUN.steps, knee, limits)
    lines.append(f"chart: {path}")
    record = {
        "knee_rps": knee.stats.rps if knee else None,
        "knee_users": knee.users if knee else None,
    }
    return knee, record


def _memory(
    prometheus: Prometheus | None, start: float, end: float, lines: list[str], breaches: list[str]
) -> dict[str, Any]:
    settings = RUN.shape_settings
    if prometheus is None:
        breaches.append("BREACH soak memory: not tracked, Prometheus is needed for the soak shape")
        return {}
    duration = end - start
    warmup = min(float(settings["memory_warmup_seconds"]), duration / 4)
    window = min(float(settings["memory_window_seconds"]), (duration - warmup) / 2)
    series = memory_series(prometheus, RUN.settings["prometheus"], start, end, 15)
    first = [m for t, m in series if start + warmup <= t <= start + warmup + window]
    last = [m for t, m in series if end - window <= t <= end]
    if not first or not last:
        breaches.append("BREACH soak memory: no backend memory samples in Prometheus")
        return {}
    before, after = statistics.mean(first), statistics.mean(last)
    growth = (after - before) / before
    limit = float(settings["max_memory_growth"])
    source = (
        "server, backend process_resident_memory_bytes via Prometheus;"
        f" mean of {window / 60:.1f} min after a {warmup / 60:.1f} min warm-up"
        f" vs mean of the last {window / 60:.1f} min"
    )
    lines.append(
        f"backend memory {before:.0f} MiB -> {after:.0f} MiB ({growth:+.1%};"
        f" peak {max(m for _, m in series):.0f} MiB) ({source})"
    )
    if growth > limit:
        breaches.append(f"BREACH backend memory growth: {growth:+.1%} > {limit:.0%} ({source})")
    latency = RUN.samples.series(start, end, LATENCY_STEP_SECONDS)
    path = charts.soak_chart(RUN.results / "soak.png", start, series, latency, RUN.thresholds)
    lines.append(f"chart: {path}")
    return {"memory_before_mib": before, "memory_after_mib": after, "memory_growth": growth}


def finish(measured: str) -> int:
    RUN.results.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    breaches: list[str] = []
    record: dict[str, Any] = {"shape": RUN.shape, "thresholds": asdict(RUN.thresholds)}
    prometheus, prometheus_note = _prometheus()
    windows = RUN.measured(measured)
    headline = ""
    if not windows:
        breaches.append(f"BREACH run: the shape never reached its measured phase ({measured})")
    elif RUN.shape == "stress":
        knee, extra = _knee(lines, breaches)
        record.update(extra)
        headline = f"knee {knee.stats.rps:.1f} req/s at {knee.users} users" if knee else "no knee"
    else:
        start, end = windows[0].start, windows[-1].end or time.time()
        client = RUN.samples.window(start, end)
        server: ServerLatency | None = None
        if prometheus is not None:
            try:
                server = prometheus.latency(start, time.time())
            except PrometheusError as error:
                prometheus_note += f"; latency query failed: {error}"
        verdict = gate.evaluate(RUN.thresholds, client, server)
        lines.append(
            f"measured window: {_when(start)} to {_when(end)} ({end - start:.0f} s,"
            f" {windows[-1].users} users)"
        )
        lines += verdict.figures
        breaches += verdict.breaches
        record.update(client=asdict(client), server_requests=server.requests if server else None)
        headline = (
            f"{client.rps:.1f} req/s, p95 {client.p95_ms:.0f} ms, p99 {client.p99_ms:.0f} ms"
            f" (client, exact), errors {client.error_ratio:.2%}"
        )
        if server is not None:
            headline += (
                f"; server p95 {server.quantile(0.95) * 1000:.0f} ms,"
                f" p99 {server.quantile(0.99) * 1000:.0f} ms (Prometheus)"
            )
        if RUN.shape == "soak":
            record.update(_memory(prometheus, start, end, lines, breaches))
    lines.append(prometheus_note)
    if prometheus is not None and RUN.started and RUN.stopped:
        lines.append(
            f"resource use over the whole run ({_when(RUN.started)} to {_when(RUN.stopped)}):"
        )
        resources = resource_use(prometheus, RUN.settings["prometheus"], RUN.started, RUN.stopped)
        lines += [f"  {r.text()}" for r in resources]
        record["resources"] = {r.name: r.value for r in resources}

    _, problems = RUN.accounts.remove_all(RUN.host)
    made = sum(a.registered for a in RUN.accounts.created)
    lines.append(
        f"test data: prepared {len(RUN.accounts.pool)} accounts in {RUN.preparation_seconds:.0f} s;"
        f" {made} accounts created by the run, all removed"
        if not problems
        else f"test data: {len(problems)} accounts NOT removed: {'; '.join(problems)}"
    )
    breaches += [f"BREACH clean-up: {p}" for p in problems]

    verdict_word = "FAIL" if breaches else "PASS"
    summary = (
        f"loadtest {RUN.shape} {verdict_word}: {headline or 'no figures'}; results {RUN.results}"
    )
    record.update(passed=not breaches, summary=summary, figures=lines, breaches=breaches)
    (RUN.results / "summary.txt").write_text("\n".join([summary, *lines, *breaches]) + "\n")
    (RUN.results / "summary.json").write_text(
        json.dumps(record, indent=2, default=_jsonable) + "\n"
    )
    print("\n".join(["", summary, *[f"  {line}" for line in lines], *breaches]), flush=True)
    return 1 if breaches else 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)
