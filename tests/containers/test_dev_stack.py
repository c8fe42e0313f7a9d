"""`docker compose up`: the development stack, built and run by a real (private) Docker engine.

The images are built from the repository's Dockerfiles on local stand-ins of their base images
(standins.py); Grafana has none here and is left out (tests/monitoring checks its files). MinIO's
stand-in is a real S3 server, so the backup services run too.
Everything else is reached the way a developer reaches it: through nginx in its container.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from tests.edge.api_client import client_from, sign_up_and_log_in

from .engine import Engine
from .stacks import (
    DEV,
    ONE_SHOT,
    REPO,
    Stack,
    compose_config,
    left_out,
    shared_host_root,
    start_stack,
    wait_for_http,
)
from .standins import NO_STANDIN

FIRST_PORT = 33000


@pytest.fixture(scope="module")
def dev_stack(engine: Engine) -> Iterator[Stack]:
    with (
        shared_host_root() as host_root,
        tempfile.TemporaryDirectory(prefix="containers-dev-") as work,
    ):
        env = {"COMPOSE_PROFILES": "", "HOST_ROOT": str(host_root)}
        stack = start_stack(
            engine,
            project="containers-dev",
            project_dir=REPO,
            compose_file=DEV,
            env=env,
            first_port=FIRST_PORT,
            work_dir=Path(work),
        )
        try:
            yield stack
        finally:
            stack.down()


@pytest.fixture(scope="module")
def services(engine: Engine, dev_stack: Stack) -> dict[str, Any]:
    """The services compose starts (all but those moved to the no-stand-in profile)."""
    config = compose_config(engine, REPO, dev_stack.files, dev_stack.env)
    return dict(config["services"])


@pytest.fixture(scope="module")
def healthy(dev_stack: Stack, services: dict[str, Any]) -> list[dict[str, Any]]:
    return dev_stack.wait_until_healthy(set(services))


def test_every_service_is_healthy_and_prestart_exited_zero(
    healthy: list[dict[str, Any]], services: dict[str, Any]
) -> None:
    by_service = {c["Service"]: c for c in healthy}
    assert set(by_service) == set(services)
    for name in ONE_SHOT:
        assert by_service[name]["ExitCode"] == 0, name
    for name, container in by_service.items():
        if name not in ONE_SHOT:
            assert container["Health"] == "healthy", container


def test_only_grafana_is_left_out(
    engine: Engine, dev_stack: Stack, services: dict[str, Any]
) -> None:
    """Grafana has no stand-in here (standins.NO_STANDIN): say so, run all the rest, MinIO and
    the backup services included."""
    every = compose_config(engine, REPO, [DEV], dev_stack.env)["services"]
    skipped = {name for name in every if name not in services}
    assert skipped == {"grafana"}
    assert set(left_out(every)) == skipped
    assert every["grafana"]["image"] in NO_STANDIN
    assert {"db", "redis", "minio", "backup-ca", "backup-bucket", "backup"} <= set(services)


def test_the_spa_loads_through_nginx(dev_stack: Stack, healthy: object) -> None:
    base = dev_stack.url("nginx", 8080)
    page = wait_for_http(base + "/")
    assert page.status_code == 200
    assert '<div id="root">' in page.text
    scripts = [part.split('"')[0] for part in page.text.split('src="')[1:]]
    assert scripts, page.text
    for script in scripts:
        asset = httpx.get(base + script, timeout=10)
        assert asset.status_code == 200, script
        assert "javascript" in asset.headers["content-type"]
    # A client-side route is answered with the SPA, not a 404.
    assert '<div id="root">' in httpx.get(base + "/items", timeout=10).text


def test_sign_up_log_in_and_the_item_flow(dev_stack: Stack, healthy: object) -> None:
    with client_from(dev_stack.url("nginx", 8080)) as client:
        token = sign_up_and_log_in(client)
        client.headers["Authorization"] = f"Bearer {token}"
        me = client.get("/api/v1/users/me")
        assert me.status_code == 200, me.text
        created = client.post("/api/v1/items", json={"title": "milk", "description": "2 l"})
        assert created.status_code == 201, created.text
        item_id = created.json()["id"]
        listed = client.get("/api/v1/items")
        assert listed.status_code == 200
        assert [i["title"] for i in listed.json()["items"]] == ["milk"]
        assert (
            client.patch(f"/api/v1/items/{item_id}", json={"title": "oat milk"}).json()["title"]
            == "oat milk"
        )
        assert client.delete(f"/api/v1/items/{item_id}").status_code == 204
        assert client.get(f"/api/v1/items/{item_id}").status_code == 404


def test_metrics_are_not_served_from_outside(dev_stack: Stack, healthy: object) -> None:
    response = httpx.get(dev_stack.url("nginx", 8080) + "/metrics", timeout=10)
    assert response.status_code == 404


def test_the_database_runs_the_images_config_and_its_archive_reaches_the_storage(
    dev_stack: Stack, healthy: object
) -> None:
    """postgres/Dockerfile's settings are live (the config file, pg_stat_statements, archiving
    through pgBackRest, UTF8). The database does not wait for MinIO: its first start created
    the stanza, or left it to the backup service (postgres/initdb/10-backup-stanza.sh), which
    then took the first full backup (the `backup` service is healthy once its metrics exist)."""
    query = (
        "SELECT current_setting('config_file'), current_setting('shared_preload_libraries'),"
        " current_setting('archive_mode'), current_setting('archive_command'),"
        " current_setting('server_encoding'),"
        " (SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_stat_statements')"
    )
    result = dev_stack.compose(
        "exec", "-T", "db", "psql", "-U", "app", "-d", "app", "-AtF", "|", "-c", query
    )
    assert result.stdout.strip().split("|") == [
        "/etc/postgresql/postgresql.conf",
        "pg_stat_statements",
        "on",
        "pgbackrest --stanza=app archive-push %p",
        "UTF8",
        "1",
    ]
    first_start = dev_stack.compose("logs", "--no-color", "db").stdout
    assert (
        "the backup service will create it" in first_start
        or '"event": "stanza-create", "stanza": "app", "status": "success"' in first_start
    ), first_start[-3000:]
    info = dev_stack.compose("exec", "-T", "backup", "python3", "-m", "backup", "info", "--json")
    assert [b["type"] for b in json.loads(info.stdout)["pgbackrest"]["backup"]][:1] == ["full"]
    version = dev_stack.compose("exec", "-T", "db", "pgbackrest", "version").stdout
    assert version.strip() == "pgBackRest 2.45"


def test_the_redis_exporter_reaches_redis(dev_stack: Stack, healthy: object) -> None:
    """The exporter's target being up says only that the exporter answers: redis_up says it
    reached Redis by its service name."""
    url = dev_stack.url("prometheus", 9090) + "/api/v1/query"
    deadline = time.monotonic() + 60
    while True:
        result = httpx.get(url, params={"query": "redis_up"}, timeout=10).json()["data"]["result"]
        if result or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert [r["value"][1] for r in result] == ["1"], result
    ping = dev_stack.compose("exec", "-T", "redis", "redis-cli", "ping")
    assert ping.stdout.strip() == "PONG"


def test_the_backend_answers_health_on_its_own_port(dev_stack: Stack, healthy: object) -> None:
    response = httpx.get(dev_stack.url("backend", 8000) + "/health", timeout=10)
    assert response.status_code == 200


def test_the_vite_dev_server_serves_the_source(dev_stack: Stack, healthy: object) -> None:
    response = httpx.get(dev_stack.url("frontend", 3000) + "/", timeout=10)
    assert response.status_code == 200
    assert "/@vite/client" in response.text


def prometheus_targets(stack: Stack) -> list[dict[str, Any]]:
    response = httpx.get(stack.url("prometheus", 9090) + "/api/v1/targets", timeout=10)
    response.raise_for_status()
    return list(response.json()["data"]["activeTargets"])


def target_service(target: dict[str, Any]) -> str:
    """The compose service a target scrapes: its host name, or its job's own service for
    Prometheus (localhost) and for the backend's replicas (found by DNS, so addresses)."""
    host = urlsplit(target["scrapeUrl"]).hostname or ""
    if host == "localhost" or host[:1].isdigit():
        return str(target["labels"]["job"])
    return host


def scrape_jobs() -> dict[str, set[str]]:
    """prometheus/prometheus.yml's jobs -> the services they scrape (DNS names or targets)."""
    config = yaml.safe_load((REPO / "prometheus" / "prometheus.yml").read_text())
    jobs: dict[str, set[str]] = {}
    for job in config["scrape_configs"]:
        hosts = {
            target.split(":")[0]
            for static in job.get("static_configs", [])
            for target in static["targets"]
        } | {name for sd in job.get("dns_sd_configs", []) for name in sd["names"]}
        jobs[job["job_name"]] = {job["job_name"] if h == "localhost" else h for h in hosts}
    return jobs


def wait_for_targets_up(
    stack: Stack, backends: int, left_out: set[str], timeout: float = 90
) -> list[dict[str, Any]]:
    """Every scrape target up, with `backends` backend targets found by DNS discovery.

    A target of a service the test leaves out (no stand-in, stacks.left_out) is neither up nor
    down here: it is dropped from the list, and counted in no figure. (None of today's jobs
    scrapes one: Grafana is not scraped.)
    """
    deadline = time.monotonic() + timeout
    while True:
        targets = [t for t in prometheus_targets(stack) if target_service(t) not in left_out]
        backend = [t for t in targets if t["labels"]["job"] == "backend"]
        if len(backend) == backends and all(t["health"] == "up" for t in targets):
            return targets
        if time.monotonic() > deadline:
            summary = [
                (t["labels"]["job"], t["scrapeUrl"], t["health"], t["lastError"]) for t in targets
            ]
            raise AssertionError(f"targets not all up: {summary}")
        time.sleep(3)


def expected_jobs(left_out: set[str]) -> set[str]:
    """The jobs of prometheus.yml that scrape at least one service the test starts."""
    return {job for job, hosts in scrape_jobs().items() if hosts - left_out}


def test_prometheus_scrapes_every_target_by_service_name(
    engine: Engine, dev_stack: Stack, services: dict[str, Any], healthy: object
) -> None:
    every = compose_config(engine, REPO, [DEV], dev_stack.env)["services"]
    skipped = set(every) - set(services)
    targets = wait_for_targets_up(dev_stack, backends=1, left_out=skipped)
    jobs = {t["labels"]["job"] for t in targets}
    assert jobs == expected_jobs(skipped)
    assert {"backend", "postgres", "nginx", "redis", "node"} <= jobs
    backend = [t for t in targets if t["labels"]["job"] == "backend"]
    # Discovered by DNS: the replica's address, not the service name.
    assert all(t["labels"]["instance"][0].isdigit() for t in backend), backend


def assert_postgres_processes_measured(stack: Stack) -> None:
    """process-exporter sees the database's processes through its PID namespace, as its user:
    memory from their smaps, so not zero."""
    url = stack.url("prometheus", 9090) + "/api/v1/query"
    group = 'job="process",groupname="postgres"'
    memory = f'sum(namedprocess_namegroup_memory_bytes{{{group},memtype="proportionalResident"}})'
    processes = f"sum(namedprocess_namegroup_num_procs{{{group}}})"
    deadline = time.monotonic() + 60
    while True:
        found = {
            query: httpx.get(url, params={"query": query}, timeout=10).json()["data"]["result"]
            for query in (memory, processes)
        }
        if all(found.values()) or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert all(found.values()), found
    assert float(found[memory][0]["value"][1]) > 5 * 1024 * 1024, found
    assert float(found[processes][0]["value"][1]) >= 5, found  # the postmaster and its workers


def test_process_exporter_reports_the_databases_own_cpu_and_memory(
    dev_stack: Stack, healthy: object
) -> None:
    assert_postgres_processes_measured(dev_stack)


def test_nothing_is_published_beyond_loopback(dev_stack: Stack, healthy: object) -> None:
    for container in dev_stack.containers():
        for publisher in container.get("Publishers") or []:
            if publisher.get("PublishedPort"):
                assert publisher["URL"] in ("127.0.0.1", ""), container["Name"]
