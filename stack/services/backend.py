"""The backend: `prestart` (wait for the database, migrate, first admin), then replicas."""

from __future__ import annotations

import os

from stack.config import StackConfig
from stack.process import ManagedProcess, run


class BackendReplicas:
    """`config.backend_replicas` servers of the app on their own ports, sharing one database
    (`database_url`) and one cache (`redis_url`); nginx balances over them."""

    name = "backend"
    job = "backend"

    def __init__(
        self, config: StackConfig, database_url: str, owner_url: str, redis_url: str
    ) -> None:
        self.config = config
        self.database_url = database_url
        self.owner_url = owner_url  # prestart's: the migrations run as the schema's owner
        self.redis_url = redis_url
        self.replicas: list[ManagedProcess] = []

    @property
    def scrape_addresses(self) -> list[str]:
        return [f"127.0.0.1:{port}" for port in self.config.backend_ports()]

    def start(self) -> None:
        config = self.config
        backend_dir = config.repo_root / "backend"
        python = str(backend_dir / ".venv" / "bin" / "python")
        env = {
            "ENVIRONMENT": config.environment,
            "DATABASE_URL": self.database_url,
            "WEB_WORKERS": str(config.backend_workers),
            "HOST": "127.0.0.1",
            "CACHE_ENABLED": str(config.cache_enabled).lower(),
            "REDIS_URL": self.redis_url,
            **config.backend_env,
        }
        prestart = [python, "-m", "app.prestart"]
        # Migrations as the schema's owner; the replicas only read and write rows.
        owner = {"DATABASE_URL": self.owner_url}
        run(prestart, "backend prestart", cwd=backend_dir, env={**os.environ, **env, **owner})
        for n, port in enumerate(config.backend_ports()):
            replica = ManagedProcess(
                f"backend-{n}",
                [python, "-m", "app.serve"],
                config.log_dir / f"backend-{n}.log",
                env={
                    **env,
                    "PORT": str(port),
                    "PROMETHEUS_MULTIPROC_DIR": str(config.state_dir / f"backend-{n}-metrics"),
                },
                cwd=backend_dir,
            ).start()
            self.replicas.append(replica)
        for n, replica in enumerate(self.replicas):
            replica.wait_http(f"{self.url(n)}/health/ready", timeout=60)

    def url(self, replica: int = 0) -> str:
        return f"http://127.0.0.1:{self.config.backend_ports()[replica]}"

    def restart_replica(self, n: int) -> None:
        """Stop replica `n` gracefully and start it again, as one step of a rolling deploy."""
        old = self.replicas[n]
        old.stop()
        replica = ManagedProcess(old.name, old.argv, old.log_file, env=old.env, cwd=old.cwd).start()
        self.replicas[n] = replica
        replica.wait_http(f"http://127.0.0.1:{replica.env['PORT']}/health/ready", timeout=60)

    def stop(self) -> None:
        for replica in self.replicas:
            replica.stop()
