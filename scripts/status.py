#!/usr/bin/env python3
"""The daily check in one command: every service's state and health, scrape targets, alerts
firing, free disk, and the last backup's age. Exits 1 when something needs a person.

    python3 scripts/status.py            # the native stack (`make status`)
    python3 scripts/status.py --compose  # on a compose server, in the folder of the compose file

Standard library only, so it runs on a server with nothing but python3. Prometheus and
Alertmanager are read on the loopback addresses both set-ups publish (PROMETHEUS_URL,
ALERTMANAGER_URL override them; STACK_DIR is the native stack's state folder).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

PROMETHEUS = os.environ.get("PROMETHEUS_URL", "http://127.0.0.1:9090")
ALERTMANAGER = os.environ.get("ALERTMANAGER_URL", "http://127.0.0.1:9093")
STACK_DIR = os.environ.get("STACK_DIR", ".stack")
DISK_WARN_FREE = 0.15  # HostDiskFilling's threshold
BACKUP_MAX_AGE_HOURS = 26  # BackupStale's threshold for a full backup


def get_json(url: str) -> Any:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url}")
    with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (checked above)
        return json.load(answer)


def query(expr: str) -> list[dict[str, Any]]:
    url = f"{PROMETHEUS}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    result: list[dict[str, Any]] = get_json(url)["data"]["result"]
    return result


class Report:
    def __init__(self) -> None:
        self.problems = 0

    def line(self, ok: bool, text: str) -> None:
        self.problems += not ok
        print(f"  {'ok  ' if ok else 'FAIL'}  {text}")

    def section(self, title: str) -> None:
        print(f"\n{title}")


def one_shot_services() -> set[str]:
    """The jobs others wait for to exit (`service_completed_successfully`): prestart, the
    backups' CA and bucket. Exited 0 is their success."""
    argv = ["docker", "compose", "config", "--format", "json"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return {"prestart"}
    services: dict[str, Any] = json.loads(result.stdout)["services"]
    return {
        dependency
        for service in services.values()
        for dependency, how in (service.get("depends_on") or {}).items()
        if how.get("condition") == "service_completed_successfully"
    }


def compose_services(report: Report) -> None:
    report.section("containers (docker compose ps -a)")
    one_shots = one_shot_services()
    argv = ["docker", "compose", "ps", "-a", "--format", "json"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        report.line(False, f"docker compose ps failed: {result.stderr.strip()}")
        return
    containers: list[dict[str, Any]] = []
    for line in result.stdout.splitlines():
        if line.strip():
            # One object per line since Compose 2.21; one array before.
            parsed = json.loads(line)
            containers += parsed if isinstance(parsed, list) else [parsed]
    if not containers:
        report.line(False, "no container: is this the folder of the compose file?")
    for c in sorted(containers, key=lambda c: c["Name"]):
        state, health, service = c["State"], c.get("Health", ""), c["Service"]
        ok = (
            (state == "exited" and c.get("ExitCode") == 0)
            if service in one_shots
            else (state == "running" and health in ("", "healthy"))
        )
        report.line(ok, f"{c['Name']:<40} {state} {health or ''} {c.get('Status', '')}".rstrip())


def exporter_checks(report: Report, where: str) -> None:
    """What a healthy container or process does not prove: the exporters reach their service."""
    report.section(f"{where}, as Prometheus and its exporters see it")
    checks = {
        "backend replicas up": 'up{job="backend"}',
        "PostgreSQL accepting connections": "pg_up",
        "nginx answering stub_status": "nginx_up",
    }
    for what, expr in checks.items():
        series = query(expr)
        if not series:
            report.line(False, f"{what}: no data ({expr})")
        for s in series:
            value = float(s["value"][1])
            report.line(value == 1, f"{what}: {s['metric'].get('instance', '')} = {value:g}")


def targets(report: Report) -> None:
    report.section(f"scrape targets ({PROMETHEUS}/targets)")
    active = get_json(f"{PROMETHEUS}/api/v1/targets")["data"]["activeTargets"]
    for t in sorted(active, key=lambda t: (t["labels"]["job"], t["labels"]["instance"])):
        up = t["health"] == "up"
        error = "" if up else f": {t.get('lastError', '')}"
        report.line(up, f"{t['labels']['job']:<14} {t['labels']['instance']} {t['health']}{error}")


def alerts(report: Report) -> None:
    report.section(f"alerts ({ALERTMANAGER})")
    firing = [a for a in get_json(f"{ALERTMANAGER}/api/v2/alerts?active=true&silenced=false")]
    names = sorted({a["labels"]["alertname"] for a in firing})
    report.line("Watchdog" in names, "Watchdog firing (the alerting pipeline works)")
    for alert in sorted(firing, key=lambda a: a["labels"]["alertname"]):
        labels = alert["labels"]
        if labels["alertname"] == "Watchdog":
            continue
        summary = alert.get("annotations", {}).get("summary", "")
        report.line(False, f"{labels['alertname']} ({labels.get('severity', '')}): {summary}")
        if alert.get("annotations", {}).get("runbook_url"):
            print(f"          runbook: {alert['annotations']['runbook_url']}")
    if names in ([], ["Watchdog"]):
        print("          no other alert firing")


def disk(report: Report, paths: list[str]) -> None:
    report.section("free disk")
    for path in paths:
        if not os.path.exists(path):
            continue
        usage = shutil.disk_usage(path)
        free = usage.free / usage.total
        gib = f"{usage.free / 2**30:.1f} GiB free of {usage.total / 2**30:.1f}"
        report.line(free > DISK_WARN_FREE, f"{path:<24} {gib} ({free:.0%})")


def backup(report: Report) -> None:
    report.section("last backup")
    ages = query("time() - max by (type) (backup_last_success_timestamp_seconds)")
    if not ages:
        print("          no backup metric in Prometheus (backup_last_success_timestamp_seconds)")
        return
    for s in ages:
        hours = float(s["value"][1]) / 3600
        kind = s["metric"].get("type", "")
        report.line(kind != "full" or hours < BACKUP_MAX_AGE_HOURS, f"{kind:<5} {hours:.1f} h ago")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--compose", action="store_true", help="a compose server, not the native stack"
    )
    args = parser.parse_args()
    report = Report()
    print(f"status at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    try:
        if args.compose:
            compose_services(report)
        exporter_checks(report, "services" if args.compose else f"native stack ({STACK_DIR})")
        targets(report)
        alerts(report)
        backup(report)
    except (urllib.error.URLError, OSError) as error:
        report.line(False, f"Prometheus or Alertmanager unreachable: {error}")
    disk(report, ["/", "/var/lib/docker"] if args.compose else ["/", STACK_DIR])
    print(f"\n{'all good' if not report.problems else f'{report.problems} problem(s)'}")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
