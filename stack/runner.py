"""Starts the services in order, and stops them in reverse, whatever went wrong in between.

The runner is the one place that knows every service: it builds each with the addresses and
folders it needs (the siblings' URLs among them), so the services never import one another.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from stack.config import StackConfig
from stack.process import ManagedProcess
from stack.services.alert_webhook import AlertWebhook
from stack.services.alertmanager import Alertmanager
from stack.services.backend import BackendReplicas
from stack.services.exporters import exporters
from stack.services.nginx import Nginx
from stack.services.postgres import Postgres
from stack.services.prometheus import Prometheus
from stack.services.redis import Redis
from stack.supervisor import Supervisor


class Service(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


class ScrapeTarget(Protocol):
    """A service Prometheus scrapes: `job` is its job's name in prometheus/prometheus.yml."""

    @property
    def job(self) -> str: ...

    @property
    def scrape_addresses(self) -> list[str]: ...


class Stack:
    """The running native stack; tests reach each service through its attributes."""

    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config = config or StackConfig()
        ports, log_dir, state_dir = config.ports, config.log_dir, config.state_dir
        self.postgres = Postgres(config)
        self.redis = Redis(ports.redis, state_dir / "redis", log_dir)
        self.backend = BackendReplicas(
            config, self.postgres.url, self.postgres.owner_url, self.redis.url
        )
        self.nginx = Nginx(config)
        self.alert_webhook = AlertWebhook(ports.alert_webhook, log_dir, config.repo_root)
        self.alertmanager = Alertmanager(
            ports.alertmanager, state_dir / "alertmanager", log_dir, self.alert_webhook.url
        )
        self.exporters = exporters(
            config,
            self.postgres.exporter_url,
            self.postgres.data_dir,
            self.nginx.internal_url,
            self.redis.url,
        )
        scraped: list[ScrapeTarget] = [self.backend, self.alertmanager, *self.exporters]
        self.prometheus = Prometheus(
            ports.prometheus,
            state_dir / "prometheus",
            log_dir,
            {service.job: service.scrape_addresses for service in scraped},
        )
        # Start order. Prometheus comes last so that its first scrape finds every target up.
        self.services: list[Service] = [
            self.postgres,
            self.redis,
            self.backend,
            self.nginx,
            self.alert_webhook,
            self.alertmanager,
            *self.exporters,
            self.prometheus,
        ]
        self._started: list[Service] = []
        self.supervisor = Supervisor(self.processes, self.config.log_dir / "stack.log")

    def start(self) -> Stack:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in self.services:
                service.start()
                self._started.append(service)
        except BaseException:
            self.stop()
            raise
        self.supervisor.start()
        return self

    def processes(self) -> list[ManagedProcess]:
        """Every long-running process of the started services, for the supervisor."""
        found: list[ManagedProcess] = []
        for service in self._started:
            process = getattr(service, "process", None)
            found += [process] if isinstance(process, ManagedProcess) else []
            found += getattr(service, "replicas", [])
        return found

    def stop(self) -> None:
        self.supervisor.stop()
        while self._started:
            self._started.pop().stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
