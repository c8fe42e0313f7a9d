"""The PNG charts: stress (requests/s against p95/p99, knee marked) and soak (memory and
latency over time)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from loadtests.run import Step
from loadtests.samples import WindowStats
from loadtests.settings import Thresholds


def stress_chart(path: Path, steps: list[Step], knee: Step | None, limits: Thresholds) -> Path:
    fig, ax = plt.subplots(figsize=(8, 5))
    rates = [s.stats.rps for s in steps]
    ax.plot(rates, [s.stats.p95_ms for s in steps], "o-", label="p95 (client, exact)")
    ax.plot(rates, [s.stats.p99_ms for s in steps], "s-", label="p99 (client, exact)")
    for step in steps:
        ax.annotate(f"{step.users}u", (step.stats.rps, step.stats.p99_ms), fontsize=7)
    ax.axhline(limits.p95_ms, color="C0", linestyle=":", label=f"p95 limit {limits.p95_ms:g} ms")
    ax.axhline(limits.p99_ms, color="C1", linestyle=":", label=f"p99 limit {limits.p99_ms:g} ms")
    top = max([limits.p99_ms, *(s.stats.p99_ms for s in steps)]) * 1.15
    ax.set_ylim(0, top)
    ax.set_xlim(0, max(rates, default=1) * 1.1)
    if knee is not None:
        ax.axvline(knee.stats.rps, color="red", linestyle="--")
        on_the_right = knee.stats.rps > 0.6 * ax.get_xlim()[1]
        ax.annotate(
            f" knee {knee.stats.rps:.0f} req/s \n ({knee.users} users) ",
            (knee.stats.rps, top * 0.93),
            color="red",
            ha="right" if on_the_right else "left",
            va="top",
        )
    ax.set_xlabel("requests/s (step average)")
    ax.set_ylabel("latency (ms)")
    ax.set_title("stress: latency against throughput, step by step")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def soak_chart(
    path: Path,
    start: float,
    memory: list[tuple[float, float]],
    latency: list[WindowStats],
    limits: Thresholds,
) -> Path:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    top.plot([(t - start) / 60 for t, _ in memory], [m for _, m in memory], color="C2")
    top.set_ylabel("backend RSS (MiB)")
    top.ticklabel_format(axis="y", useOffset=False)
    top.set_ylim(0, max((m for _, m in memory), default=1) * 1.15)
    top.set_title("soak: backend memory (its own /metrics via Prometheus) and latency (client)")
    top.grid(alpha=0.3)
    minutes = [(w.start - start) / 60 for w in latency]
    bottom.plot(minutes, [w.p95_ms for w in latency], label="p95")
    bottom.plot(minutes, [w.p99_ms for w in latency], label="p99")
    bottom.axhline(limits.p95_ms, color="C0", linestyle=":")
    bottom.axhline(limits.p99_ms, color="C1", linestyle=":")
    bottom.set_ylabel("latency (ms)")
    bottom.set_xlabel("minutes since the steady phase began")
    bottom.legend(fontsize=8)
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
