"""Starts the services in order, and stops them in reverse, whatever went wrong in between."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from stack.config import StackConfig
from stack.process import ManagedProcess
from stack.services.alert_webhook import AlertWebhook
from stack.services.alertmanager import Alertmanager
from stack.services.backend import Backend
from stack.services.exporters import (
    NginxExporter,
    NodeExporter,
    PostgresExporter,
    RedisExporter,
)
from stack.services.nginx import Nginx
from stack.services.postgres import Postgres
from stack.services.prometheus import Prometheus
from stack.services.redis import Redis
from stack.supervisor import Supervisor


class Service(Protocol):
    name: str

    def start(self, stack: Stack) -> None: ...

    def stop(self) -> None: ...


class Stack:
    """The running native stack; services reach each other through its attributes."""

    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig()
        self.postgres = Postgres()
        self.redis = Redis()
        self.backend = Backend()
        self.nginx = Nginx()
        self.alert_webhook = AlertWebhook()
        self.alertmanager = Alertmanager()
        self.prometheus = Prometheus()
        # Start order. Prometheus comes last so that its first scrape finds every target up.
        self.services: list[Service] = [
            self.postgres,
            self.redis,
            self.backend,
            self.nginx,
            self.alert_webhook,
            self.alertmanager,
            NodeExporter(),
            PostgresExporter(),
            NginxExporter(),
            RedisExporter(),
            self.prometheus,
        ]
        self._started: list[Service] = []
        self.supervisor = Supervisor(self.processes, self.config.log_dir / "stack.log")

    def start(self) -> Stack:
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in self.services:
                service.start(self)
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
