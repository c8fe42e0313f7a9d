"""`make loadtest SHAPE=... HOST=...`: one Locust run of a shape, judged by its thresholds.

    python -m loadtests --shape load --host http://127.0.0.1:8080 --prometheus http://127.0.0.1:9090

Writes Locust's CSV and HTML report, summary.txt (its first line is the one-line summary),
summary.json and the shape's chart into the results folder; exits 1 on any breached threshold.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from loadtests.settings import SHAPES

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests", description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=SHAPES, default="smoke")
    parser.add_argument(
        "--host", required=True, help="the edge's base URL, e.g. http://127.0.0.1:8080"
    )
    parser.add_argument("--prometheus", default="", help="Prometheus URL for server-side figures")
    parser.add_argument("--results", type=Path, help="default: loadtests/results/SHAPE-TIMESTAMP")
    parser.add_argument("--settings", type=Path, help="a TOML file merged over settings.toml")
    parser.add_argument(
        "--duration", type=float, help="seconds: the soak's and smoke's length, the load's hold"
    )
    args = parser.parse_args()

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results = (args.results or HERE / "results" / f"{args.shape}-{stamp}").resolve()
    results.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LOADTEST_SHAPE": args.shape,
        "LOADTEST_RESULTS": str(results),
        "LOADTEST_PROMETHEUS_URL": args.prometheus,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")])
        ),
    }
    if args.duration:
        env["LOADTEST_DURATION"] = str(args.duration)
    if args.settings:
        env["LOADTEST_SETTINGS"] = str(args.settings.resolve())
    argv = [
        sys.executable, "-m", "locust",
        "-f", str(HERE / "locustfile.py"),
        "--headless",
        "--host", args.host,
        "--csv", str(results / "locust"),
        "--html", str(results / "report.html"),
        "--only-summary",
    ]  # fmt: skip
    return subprocess.run(argv, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
