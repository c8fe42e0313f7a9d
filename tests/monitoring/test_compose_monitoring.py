"""The monitoring services of both compose files, checked against the configuration they mount
and against the versions the native stack's tests run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack.services.prometheus import LOCATION_FLAGS, SHARED_FLAGS
from tests.edge.repo_files import prod_env_file

from .monitoring_files import GRAFANA_DIR, PROMETHEUS_DIR, REPO

DEV, PROD = REPO / "docker-compose.dev.yml", REPO / "docker-compose.prod.yml"
MONITORING = [
    "prometheus",
    "alertmanager",
    "grafana",
    "node-exporter",
    "postgres-exporter",
    "nginx-exporter",
    "process-exporter",
]
# Image -> the Debian binary of the same software the native stack runs, and how to ask it.
VERSION_OF = {
    "prometheus": ["prometheus", "--version"],
    "alertmanager": ["prometheus-alertmanager", "--version"],
    "node-exporter": ["prometheus-node-exporter", "--version"],
    "postgres-exporter": ["prometheus-postgres-exporter", "--version"],
}


def compose_config(file: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The model compose would run, interpolated from .env.example only (or from `env`)."""
    tool = shutil.which("docker-compose", path=str(REPO / ".venv" / "bin")) or "docker-compose"
    # .env.example leaves production's secrets empty: the production file gets them filled in.
    env_file = prod_env_file() if file == PROD else REPO / ".env.example"
    argv = [tool, "-f", str(file), "--env-file", str(env_file), "config", "--format", "json"]
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(REPO)), **(env or {})}
    result = subprocess.run(argv, capture_output=True, text=True, env=clean, cwd=REPO, check=False)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


@pytest.fixture(scope="module", params=[DEV, PROD], ids=["dev", "prod"])
def services(request: pytest.FixtureRequest) -> dict[str, Any]:
    services: dict[str, Any] = compose_config(request.param)["services"]
    return services


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    return {v["target"]: v["source"] for v in service.get("volumes", [])}


def test_every_monitoring_service_is_there(services: dict[str, Any]) -> None:
    assert set(MONITORING) <= set(services)


def test_prometheus_targets_are_compose_services(services: dict[str, Any]) -> None:
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    hosts = set()
    for block in [*config["scrape_configs"], *config["alerting"]["alertmanagers"]]:
        for static in block.get("static_configs", []):
            hosts |= {target.rpartition(":")[0] for target in static["targets"]}
        for dns in block.get("dns_sd_configs", []):
            hosts |= set(dns["names"])
    assert hosts - {"localhost"} <= set(services)


def test_prometheus_runs_the_repository_config_with_the_native_flags(
    services: dict[str, Any],
) -> None:
    prometheus = services["prometheus"]
    assert _mounts(prometheus)["/etc/prometheus"] == str(PROMETHEUS_DIR)
    # Beside where it runs, compose's Prometheus runs with the native stack's flags, no more.
    command = prometheus["command"]
    assert sorted(f for f in command if f.split("=")[0] not in LOCATION_FLAGS) == sorted(
        SHARED_FLAGS
    )
    assert _mounts(prometheus)["/prometheus"] == "prometheus_data"


def test_alertmanager_renders_the_repository_config_before_it_starts(
    services: dict[str, Any],
) -> None:
    alertmanager = services["alertmanager"]
    assert _mounts(alertmanager)["/etc/alertmanager"] == str(REPO / "alertmanager")
    sh, script, template, output, binary = alertmanager["entrypoint"]
    assert (sh, script, template) == (
        "/bin/sh",
        "/etc/alertmanager/render-config.sh",
        "/etc/alertmanager/alertmanager.yml",
    )
    assert binary == "/bin/alertmanager"
    assert f"--config.file={output}" in alertmanager["command"]
    assert {"ALERT_WEBHOOK_URL", "WATCHDOG_WEBHOOK_URL"} <= set(alertmanager["environment"])


def test_grafana_is_provisioned_and_closed(services: dict[str, Any]) -> None:
    grafana = services["grafana"]
    mounts = _mounts(grafana)
    assert mounts["/etc/grafana/provisioning"] == str(GRAFANA_DIR / "provisioning")
    assert mounts["/var/lib/grafana/dashboards"] == str(GRAFANA_DIR / "dashboards")
    assert mounts["/var/lib/grafana"] == "grafana_data"
    env = grafana["environment"]
    assert env["GF_USERS_ALLOW_SIGN_UP"] == "false"
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert env["GF_SECURITY_ADMIN_PASSWORD"]
    datasource = yaml.safe_load(
        (GRAFANA_DIR / "provisioning/datasources/prometheus.yml").read_text()
    )
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"


def test_exporters_read_the_services_they_watch(services: dict[str, Any]) -> None:
    scrape_uri = next(
        arg for arg in services["nginx-exporter"]["command"] if arg.startswith("--nginx.scrape-uri")
    )
    assert re.fullmatch(r"--nginx\.scrape-uri=http://nginx:8081/stub_status", scrape_uri)
    assert services["postgres-exporter"]["environment"]["DATA_SOURCE_URI"].startswith("db:5432/")
    assert _mounts(services["node-exporter"])["/host"] == "/"
    assert all(v["read_only"] for v in services["node-exporter"]["volumes"])


@pytest.mark.parametrize("name", sorted(VERSION_OF))
def test_images_are_the_versions_the_native_stack_tests(name: str) -> None:
    output = subprocess.run(VERSION_OF[name], capture_output=True, text=True, check=False)
    tested = re.search(r"version (\d+\.\d+\.\d+)", output.stdout + output.stderr)
    assert tested, output
    for file in (DEV, PROD):
        image = compose_config(file)["services"][name]["image"]
        assert image.endswith(f":v{tested.group(1)}"), f"{file.name}: {image}"


def test_nginx_exporter_image_is_the_tested_version() -> None:
    output = subprocess.run(
        ["prometheus-nginx-exporter", "--version"], capture_output=True, text=True, check=False
    )
    tested = re.search(r"version (\d+\.\d+\.\d+)", output.stdout + output.stderr)
    assert tested, output
    dockerfile = (PROMETHEUS_DIR / "nginx-exporter.Dockerfile").read_text()
    assert f"ARG EXPORTER_IMAGE=nginx/nginx-prometheus-exporter:{tested.group(1)}\n" in dockerfile


def test_process_exporter_image_is_the_tested_version() -> None:
    output = subprocess.run(
        ["prometheus-process-exporter", "-version"], capture_output=True, text=True, check=False
    )
    tested = re.search(r"revision: (\d+\.\d+\.\d+)", output.stdout + output.stderr)
    assert tested, output
    dockerfile = (PROMETHEUS_DIR / "process-exporter.Dockerfile").read_text()
    assert f"ARG EXPORTER_IMAGE=ncabatoff/process-exporter:{tested.group(1)}\n" in dockerfile


def test_redis_exporter_image_is_the_tested_version() -> None:
    output = subprocess.run(
        ["prometheus-redis-exporter", "--version"], capture_output=True, text=True, check=False
    )
    tested = re.search(r"Redis Metrics Exporter v?(\d+\.\d+\.\d+)", output.stdout + output.stderr)
    assert tested, output
    for file in (DEV, PROD):
        image = compose_config(file)["services"]["redis-exporter"]["image"]
        assert image.endswith(f":v{tested.group(1)}-alpine"), f"{file.name}: {image}"


def test_process_exporter_sees_the_databases_processes_and_reads_their_memory(
    services: dict[str, Any],
) -> None:
    exporter = services["process-exporter"]
    assert exporter["pid"] == "service:db"
    assert exporter["user"] == "999:999"  # the database's user: smaps without a capability
    assert _mounts(exporter)["/etc/process-exporter/process-exporter.yml"] == str(
        PROMETHEUS_DIR / "process-exporter.yml"
    )


# The UIs an operator opens through an SSH tunnel; the exporters publish nothing.
_LOOPBACK_UIS = {
    name: {"prometheus": "9090", "alertmanager": "9093", "grafana": "3001"}.get(name)
    for name in MONITORING
}


def test_production_publishes_monitoring_on_loopback_only() -> None:
    services = compose_config(PROD)["services"]
    published = {
        name: {(p["host_ip"], p["published"]) for p in services[name].get("ports", [])}
        for name in MONITORING
    }
    assert published == {
        name: {("127.0.0.1", port)} if port else set() for name, port in _LOOPBACK_UIS.items()
    }


@pytest.mark.parametrize(
    "setting", ["ALERT_WEBHOOK_URL", "WATCHDOG_WEBHOOK_URL", "GRAFANA_ADMIN_PASSWORD"]
)
def test_production_refuses_to_start_without(setting: str, tmp_path: Path) -> None:
    tool = shutil.which("docker-compose", path=str(REPO / ".venv" / "bin")) or "docker-compose"
    lines = (REPO / ".env.example").read_text().splitlines()
    env_file = tmp_path / "prod.env"
    env_file.write_text("\n".join(line for line in lines if not line.startswith(f"{setting}=")))
    argv = [tool, "-f", str(PROD), "--env-file", str(env_file), "config", "-q"]
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(REPO))}
    result = subprocess.run(argv, capture_output=True, text=True, env=clean, cwd=REPO, check=False)
    assert result.returncode != 0
    assert f"set {setting}" in result.stderr
