"""The exporters, from Debian's packages: host, PostgreSQL, nginx and Redis metrics for Prometheus.

Each listens on 127.0.0.1 only (they all default to every interface) and counts as started once
its /metrics answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from stack.process import ManagedProcess

if TYPE_CHECKING:
    from stack.runner import Stack


class _Exporter:
    name = ""

    def __init__(self) -> None:
        self.process: ManagedProcess | None = None

    def port(self, stack: Stack) -> int:
        raise NotImplementedError

    def argv(self, stack: Stack, listen: str) -> list[str]:
        raise NotImplementedError

    def env(self, stack: Stack) -> dict[str, str]:
        return {}

    def start(self, stack: Stack) -> None:
        listen = f"127.0.0.1:{self.port(stack)}"
        self.process = ManagedProcess(
            self.name,
            self.argv(stack, listen),
            stack.config.log_dir / f"{self.name}.log",
            env=self.env(stack),
        ).start()
        self.process.wait_http(f"http://{listen}/metrics")

    def stop(self) -> None:
        if self.process:
            self.process.stop()


class NodeExporter(_Exporter):
    name = "node-exporter"

    def port(self, stack: Stack) -> int:
        return stack.config.ports.node_exporter

    def argv(self, stack: Stack, listen: str) -> list[str]:
        # The backup tool writes its results here (backup/metrics.py).
        stack.config.textfile_dir.mkdir(parents=True, exist_ok=True)
        return [
            "prometheus-node-exporter",
            f"--web.listen-address={listen}",
            f"--collector.textfile.directory={stack.config.textfile_dir}",
        ]


class PostgresExporter(_Exporter):
    name = "postgres-exporter"

    def port(self, stack: Stack) -> int:
        return stack.config.ports.postgres_exporter

    def argv(self, stack: Stack, listen: str) -> list[str]:
        return ["prometheus-postgres-exporter", f"--web.listen-address={listen}"]

    def env(self, stack: Stack) -> dict[str, str]:
        return {"DATA_SOURCE_NAME": libpq_url(stack.postgres.exporter_url)}


class NginxExporter(_Exporter):
    name = "nginx-exporter"

    def port(self, stack: Stack) -> int:
        return stack.config.ports.nginx_exporter

    def argv(self, stack: Stack, listen: str) -> list[str]:
        # Without retries the exporter exits at once if stub_status is not answering yet.
        return [
            "prometheus-nginx-exporter",
            f"-nginx.scrape-uri={stack.nginx.internal_url(stack)}/stub_status",
            f"-web.listen-address={listen}",
            "-nginx.retries=10",
            "-nginx.retry-interval=1s",
        ]


class RedisExporter(_Exporter):
    name = "redis-exporter"

    def port(self, stack: Stack) -> int:
        return stack.config.ports.redis_exporter

    def argv(self, stack: Stack, listen: str) -> list[str]:
        return [
            "prometheus-redis-exporter",
            f"-redis.addr={stack.redis.url(stack)}",
            f"-web.listen-address={listen}",
        ]


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
