"""Resource use over the run's window, from the metrics the backend and the exporters expose.

PostgreSQL's own CPU and memory come from process-exporter (job `process`), which sums the
server's processes; its memory is their proportional set size, so the shared buffers that every
backend maps count once. The host's figures (node_exporter) include the load generator when it
runs on the same machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loadtests.prometheus import Prometheus, PrometheusError

MIB = 1024 * 1024


@dataclass(frozen=True)
class Resource:
    name: str
    value: float | None
    unit: str
    query: str

    def text(self) -> str:
        if self.value is None:
            return f"{self.name}: no data"
        shown = f"{self.value:.0f}" if abs(self.value) >= 100 else f"{self.value:.3g}"
        return f"{self.name}: {shown} {self.unit}".rstrip()


def _queries(selectors: dict[str, Any], window: str) -> list[tuple[str, str, str, float]]:
    backend, node, postgres = selectors["backend"], selectors["node"], selectors["postgres"]
    processes = selectors["postgres_processes"]

    def peak(expr: str) -> str:
        return f"max_over_time(({expr})[{window}:5s])"

    pool = "db_pool_acquire_duration_seconds"
    return [
        # (name, unit, PromQL, scale)
        ("backend CPU", "cores", f"sum(rate(process_cpu_seconds_total{{{backend}}}[{window}]))", 1),
        (
            "backend memory peak",
            "MiB",
            peak(f"sum(process_resident_memory_bytes{{{backend}}})"),
            1 / MIB,
        ),
        (
            "host CPU busy",
            "%",
            f'100 * (1 - avg(rate(node_cpu_seconds_total{{{node},mode="idle"}}[{window}])))',
            1,
        ),
        (
            "host memory used peak",
            "MiB",
            peak(
                f"sum(node_memory_MemTotal_bytes{{{node}}})"
                f" - sum(node_memory_MemAvailable_bytes{{{node}}})"
            ),
            1 / MIB,
        ),
        (
            "PostgreSQL CPU",
            "cores",
            f"sum(rate(namedprocess_namegroup_cpu_seconds_total{{{processes}}}[{window}]))",
            1,
        ),
        (
            "PostgreSQL memory peak",
            "MiB",
            peak(
                "sum(namedprocess_namegroup_memory_bytes"
                f'{{{processes},memtype="proportionalResident"}})'
            ),
            1 / MIB,
        ),
        (
            "PostgreSQL query time",
            "s per s",  # seconds spent executing statements per second of the run
            f"sum(rate(pg_stat_database_active_time_seconds_total{{{postgres}}}[{window}]))",
            1,
        ),
        (
            "PostgreSQL query time per transaction",
            "ms",
            "1000 * "
            f"sum(increase(pg_stat_database_active_time_seconds_total{{{postgres}}}[{window}]))"
            f" / (sum(increase(pg_stat_database_xact_commit{{{postgres}}}[{window}]))"
            f" + sum(increase(pg_stat_database_xact_rollback{{{postgres}}}[{window}])))",
            1,
        ),
        (
            "PostgreSQL connections peak",
            "",
            peak(f"sum(pg_stat_activity_count{{{postgres}}})"),
            1,
        ),
        (
            "pool wait mean",
            "ms",
            f"sum(increase({pool}_sum{{{backend}}}[{window}]))"
            f" / sum(increase({pool}_count{{{backend}}}[{window}]))",
            1000,
        ),
        (
            "pool wait p95",
            "ms",
            "histogram_quantile(0.95,"
            f" sum by (le) (increase({pool}_bucket{{{backend}}}[{window}])))",
            1000,
        ),
        (
            "pool timeouts (503)",
            "",
            f"sum(increase(db_pool_timeouts_total{{{backend}}}[{window}]))",
            1,
        ),
    ]


def resource_use(
    prometheus: Prometheus, selectors: dict[str, Any], start: float, end: float
) -> list[Resource]:
    window = f"{max(int(end - start), 30)}s"
    result = []
    for name, unit, expr, scale in _queries(selectors, window):
        try:
            value = prometheus.scalar(expr, end)
        except PrometheusError:
            value = None
        if value is not None and value == value:  # NaN: nothing happened (0/0)
            value *= scale
        else:
            value = None
        result.append(Resource(name, value, unit, expr))
    return result


def memory_series(
    prometheus: Prometheus, selectors: dict[str, Any], start: float, end: float, step: float
) -> list[tuple[float, float]]:
    """The backend workers' summed resident memory over time, in MiB."""
    expr = f"sum(process_resident_memory_bytes{{{selectors['backend']}}})"
    return [(t, v / MIB) for t, v in prometheus.range(expr, start, end, step)]
