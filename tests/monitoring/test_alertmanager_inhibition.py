"""Inhibition, which amtool cannot test: a throwaway Alertmanager with the real configuration,
fed alerts through its API."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stack.process import ManagedProcess
from stack.services.alertmanager import render_config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("prometheus-alertmanager") is None:
        pytest.fail("prometheus-alertmanager not found: run `make deps`")
    home = tmp_path_factory.mktemp("alertmanager")
    # Nothing listens on port 9 (discard): notifications fail quietly, which is fine here.
    conf = render_config(home / "alertmanager.yml", "http://127.0.0.1:9/", "http://127.0.0.1:9/")
    url = f"http://127.0.0.1:{_free_port()}"
    process = ManagedProcess(
        "alertmanager",
        [
            "prometheus-alertmanager",
            f"--config.file={conf}",
            f"--storage.path={home / 'data'}",
            f"--web.listen-address={url.removeprefix('http://')}",
            "--cluster.listen-address=",
        ],
        home / "alertmanager.log",
    ).start()
    try:
        process.wait_http(f"{url}/-/ready")
        yield url
    finally:
        process.stop()


def _post(url: str, *alerts: dict[str, str]) -> None:
    body = [{"labels": labels, "annotations": {}} for labels in alerts]
    httpx.post(f"{url}/api/v2/alerts", json=body, timeout=5).raise_for_status()


def _states(url: str) -> dict[tuple[str, str], dict[str, Any]]:
    alerts = httpx.get(f"{url}/api/v2/alerts", timeout=5).json()
    return {(a["labels"]["alertname"], a["labels"]["job"]): a["status"] for a in alerts}


def test_api_down_silences_its_own_symptoms_only(alertmanager: str) -> None:
    _post(
        alertmanager,
        {"alertname": "ApiDown", "job": "backend", "severity": "critical"},
        {"alertname": "ApiHighErrorRatio", "job": "backend", "severity": "critical"},
        {"alertname": "ApiHighLatency", "job": "backend", "severity": "warning"},
        {"alertname": "TargetDown", "job": "backend", "severity": "warning"},
        {"alertname": "TargetDown", "job": "node", "severity": "warning"},
        {"alertname": "PostgresDown", "job": "postgres", "severity": "critical"},
    )
    states = _states(alertmanager)
    suppressed = {key for key, status in states.items() if status["state"] == "suppressed"}
    assert suppressed == {
        ("ApiHighErrorRatio", "backend"),
        ("ApiHighLatency", "backend"),
        ("TargetDown", "backend"),
    }
    assert all(states[key]["inhibitedBy"] for key in suppressed)
    assert states[("ApiDown", "backend")]["state"] == "active"


def test_postgres_down_holds_back_its_short_outage_warning(alertmanager: str) -> None:
    down = {"job": "postgres", "instance": "pg-a:9187"}
    _post(
        alertmanager,
        {"alertname": "PostgresDown", "severity": "critical", **down},
        {"alertname": "PostgresWasDown", "severity": "warning", **down},
        {
            "alertname": "PostgresWasDown",
            "severity": "warning",
            "job": "postgres",
            "instance": "pg-b:9187",
        },
    )
    alerts = httpx.get(f"{alertmanager}/api/v2/alerts", timeout=5).json()
    states = {
        (a["labels"]["alertname"], a["labels"].get("instance")): a["status"]["state"]
        for a in alerts
        if a["labels"]["alertname"].startswith("PostgresWasDown")
    }

    # Held back while the same server's PostgresDown fires; another server's still shows.
    assert states == {
        ("PostgresWasDown", "pg-a:9187"): "suppressed",
        ("PostgresWasDown", "pg-b:9187"): "active",
    }
