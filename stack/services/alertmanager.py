"""Alertmanager with alertmanager/alertmanager.yml, rendered by the script compose uses too.

Both webhooks point at the stack's own receiver (stack/services/alert_webhook.py): /alerts
stands in for the pager, /watchdog for the dead man's switch.
"""

from __future__ import annotations

import os
from pathlib import Path

from stack.process import ManagedProcess, run

SOURCE = Path(__file__).resolve().parents[2] / "alertmanager"


def render_config(output: Path, alert_url: str, watchdog_url: str) -> Path:
    """alertmanager.yml with its webhook URLs filled in, via alertmanager/render-config.sh."""
    output.parent.mkdir(parents=True, exist_ok=True)
    run(
        ["sh", str(SOURCE / "render-config.sh"), str(SOURCE / "alertmanager.yml"), str(output)],
        "render alertmanager.yml",
        env={**os.environ, "ALERT_WEBHOOK_URL": alert_url, "WATCHDOG_WEBHOOK_URL": watchdog_url},
    )
    return output


class Alertmanager:
    """Alertmanager on 127.0.0.1:`port`, its state in `home`, notifying `webhook_url`."""

    name = "alertmanager"
    job = "alertmanager"

    def __init__(self, port: int, home: Path, log_dir: Path, webhook_url: str) -> None:
        self.port, self.home, self.log_dir, self.webhook_url = port, home, log_dir, webhook_url
        self.url = f"http://127.0.0.1:{port}"
        self.scrape_addresses = [f"127.0.0.1:{port}"]
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        home, webhook = self.home, self.webhook_url
        conf = render_config(home / "alertmanager.yml", f"{webhook}/alerts", f"{webhook}/watchdog")
        self.process = ManagedProcess(
            self.name,
            [
                "prometheus-alertmanager",
                f"--config.file={conf}",
                f"--storage.path={home / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",  # a single instance: no gossip port
            ],
            self.log_dir / "alertmanager.log",
        ).start()
        self.process.wait_http(f"{self.url}/-/ready")

    def stop(self) -> None:
        if self.process:
            self.process.stop()
