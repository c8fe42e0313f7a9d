"""The exporters, from Debian's packages: host, PostgreSQL, nginx and Redis metrics for Prometheus,
and PostgreSQL's processes' CPU and memory.

Each listens on 127.0.0.1 only (they all default to every interface) and counts as started once
its /metrics answers. `exporters()` lists them all, each under the name of its job in
prometheus/prometheus.yml: the native Prometheus scrapes each job at its exporter's address.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

from stack.config import REPO_ROOT, StackConfig
from stack.process import ManagedProcess

PROCESS_EXPORTER_CONFIG = REPO_ROOT / "prometheus" / "process-exporter.yml"


class Exporter:
    """One exporter for `job`: `argv` (which must make it listen on `address`), its log in
    `log_dir`; `prepare` lays out what it reads, at start."""

    def __init__(
        self,
        name: str,
        job: str,
        address: str,
        argv: Sequence[str],
        log_dir: Path,
        env: Mapping[str, str] | None = None,
        prepare: Callable[[], object] | None = None,
    ) -> None:
        self.name = name
        self.job = job
        self.address = address
        self.scrape_addresses = [address]
        self.argv = list(argv)
        self.log_file = log_dir / f"{name}.log"
        self.env = dict(env or {})
        self.prepare = prepare
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        if self.prepare:
            self.prepare()
        self.process = ManagedProcess(self.name, self.argv, self.log_file, env=self.env).start()
        self.process.wait_http(f"http://{self.address}/metrics")

    def stop(self) -> None:
        if self.process:
            self.process.stop()


def exporters(
    config: StackConfig,
    exporter_database_url: str,
    postgres_data_dir: Path,
    nginx_internal_url: str,
    redis_url: str,
) -> list[Exporter]:
    """Every exporter of the native stack, one per exporter job of prometheus.yml."""
    ports, log_dir = config.ports, config.log_dir
    process_config = config.state_dir / "process-exporter.yml"
    return [
        node_exporter(ports.node_exporter, log_dir, config.textfile_dir),
        postgres_exporter(ports.postgres_exporter, log_dir, exporter_database_url),
        nginx_exporter(ports.nginx_exporter, log_dir, nginx_internal_url),
        redis_exporter(ports.redis_exporter, log_dir, redis_url),
        process_exporter(ports.process_exporter, log_dir, process_config, postgres_data_dir),
    ]


def _local(port: int) -> str:
    return f"127.0.0.1:{port}"


def node_exporter(port: int, log_dir: Path, textfile_dir: Path) -> Exporter:
    argv = [
        "prometheus-node-exporter",
        f"--web.listen-address={_local(port)}",
        f"--collector.textfile.directory={textfile_dir}",
    ]
    # The backup tool writes its results into the textfile folder (backup/metrics.py).
    prepare = functools.partial(textfile_dir.mkdir, parents=True, exist_ok=True)
    return Exporter("node-exporter", "node", _local(port), argv, log_dir, prepare=prepare)


def postgres_exporter(port: int, log_dir: Path, database_url: str) -> Exporter:
    argv = ["prometheus-postgres-exporter", f"--web.listen-address={_local(port)}"]
    env = {"DATA_SOURCE_NAME": libpq_url(database_url)}
    return Exporter("postgres-exporter", "postgres", _local(port), argv, log_dir, env)


def nginx_exporter(port: int, log_dir: Path, nginx_internal_url: str) -> Exporter:
    # 1.x starts whether or not stub_status answers yet (nginx_up is 0 until it does).
    argv = [
        "prometheus-nginx-exporter",
        f"--nginx.scrape-uri={nginx_internal_url}/stub_status",
        f"--web.listen-address={_local(port)}",
    ]
    return Exporter("nginx-exporter", "nginx", _local(port), argv, log_dir)


def redis_exporter(port: int, log_dir: Path, redis_url: str) -> Exporter:
    argv = [
        "prometheus-redis-exporter",
        f"-redis.addr={redis_url}",
        f"-web.listen-address={_local(port)}",
    ]
    return Exporter("redis-exporter", "redis", _local(port), argv, log_dir)


def process_exporter(
    port: int, log_dir: Path, config_file: Path, postgres_data_dir: Path
) -> Exporter:
    argv = [
        "prometheus-process-exporter",
        f"-config.path={config_file}",
        f"-web.listen-address={_local(port)}",
        "-threads=false",  # per-thread series: PostgreSQL has one thread a process
    ]
    prepare = functools.partial(render_process_config, config_file, postgres_data_dir)
    return Exporter("process-exporter", "process", _local(port), argv, log_dir, prepare=prepare)


def render_process_config(output: Path, postgres_data_dir: Path) -> Path:
    """prometheus/process-exporter.yml, each group narrowed to the cluster in `postgres_data_dir`
    (its postmaster's `-D` argument), as other clusters may run on the machine."""
    settings = yaml.safe_load(PROCESS_EXPORTER_CONFIG.read_text())
    for group in settings["process_names"]:
        group["cmdline"] = [rf"-D\s+{re.escape(str(postgres_data_dir))}(\s|$)"]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(yaml.safe_dump(settings, sort_keys=False))
    return output


def libpq_url(sqlalchemy_url: str) -> str:
    """The backend's SQLAlchemy URL as the exporter's Go driver wants it.

    The driver name goes, and TLS is off unless the URL asks for it: lib/pq defaults to
    sslmode=require, which a local cluster without certificates refuses.
    """
    parts = urlsplit(sqlalchemy_url)
    query = parts.query
    if "sslmode=" not in query:
        query = f"{query}&sslmode=disable" if query else "sslmode=disable"
    return urlunsplit(("postgresql", parts.netloc, parts.path, query, parts.fragment))
