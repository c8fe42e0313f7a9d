"""Prometheus with prometheus/prometheus.yml and prometheus/rules/, as compose runs them.

Compose finds its targets by service name (and the backend replicas by DNS); here everything
listens on 127.0.0.1. `render_config` therefore writes a copy of prometheus.yml in which each
job's targets, and Alertmanager's, are replaced by loopback addresses, and nothing else changes;
rules/ beside the copy links to the repository's rules, so `rule_files` stays as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from stack.process import ManagedProcess, StartupError

SOURCE = Path(__file__).resolve().parents[2] / "prometheus"
# The flags of every Prometheus of this project, compose's included, besides the LOCATION_FLAGS
# (tests/monitoring/test_compose_monitoring.py holds compose's `command` to exactly these).
SHARED_FLAGS = (
    "--storage.tsdb.retention.time=15d",
    "--storage.tsdb.retention.size=5GB",
    # The snapshot API scripts/backup-state.sh uses.
    "--web.enable-admin-api",
)
# The flags whose value says where this Prometheus runs: its files, its listener, its address.
LOCATION_FLAGS = (
    "--config.file",
    "--storage.tsdb.path",
    "--web.listen-address",
    "--web.external-url",
)


def scrape_jobs(source: Path = SOURCE) -> list[str]:
    """The job names of prometheus.yml: the one list of what Prometheus scrapes."""
    settings = yaml.safe_load((source / "prometheus.yml").read_text())
    return [job["job_name"] for job in settings["scrape_configs"]]


def _static(targets: list[str]) -> list[dict[str, Any]]:
    return [{"targets": targets}]


def _retarget(block: dict[str, Any], targets: list[str]) -> None:
    for key in [k for k in block if k == "static_configs" or k.endswith("_sd_configs")]:
        del block[key]
    block["static_configs"] = _static(targets)


def render_config(targets: Mapping[str, list[str]], folder: Path, source: Path = SOURCE) -> Path:
    """Write folder/prometheus.yml (`targets`: job -> addresses), folder/rules -> source/rules."""
    settings = yaml.safe_load((source / "prometheus.yml").read_text())
    missing = [job["job_name"] for job in settings["scrape_configs"]] - targets.keys()
    if missing:
        raise StartupError(
            f"prometheus.yml scrapes {sorted(missing)}, which the native stack does not run: "
            "add each to stack/services/exporters.py (docs/monitoring.md, 'Adding things')"
        )
    for job in settings["scrape_configs"]:
        _retarget(job, targets[job["job_name"]])
    for alertmanager in settings["alerting"]["alertmanagers"]:
        _retarget(alertmanager, targets["alertmanager"])
    folder.mkdir(parents=True, exist_ok=True)
    rules = folder / "rules"
    if rules.is_symlink() or rules.exists():
        rules.unlink()
    rules.symlink_to(source / "rules", target_is_directory=True)
    output = folder / "prometheus.yml"
    header = f"# Rendered from {source / 'prometheus.yml'}: only target addresses differ.\n"
    output.write_text(header + yaml.safe_dump(settings, sort_keys=False))
    return output


class Prometheus:
    """Prometheus on 127.0.0.1:`port`, its state in `home`, scraping `targets`."""

    name = "prometheus"
    job = "prometheus"

    def __init__(
        self, port: int, home: Path, log_dir: Path, targets: Mapping[str, list[str]]
    ) -> None:
        self.port, self.home, self.log_dir = port, home, log_dir
        self.url = f"http://127.0.0.1:{port}"
        self.scrape_addresses = [f"127.0.0.1:{port}"]
        # Every job's native addresses, its own among them.
        self.targets = {**targets, self.job: self.scrape_addresses}
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        home = self.home
        conf = render_config(self.targets, home)
        self.process = ManagedProcess(
            self.name,
            [
                "prometheus",
                f"--config.file={conf}",
                f"--storage.tsdb.path={home / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                # Links in alerts use the address the developer opens.
                f"--web.external-url={self.url}",
                *SHARED_FLAGS,
            ],
            self.log_dir / "prometheus.log",
        ).start()
        self.process.wait_http(f"{self.url}/-/ready", timeout=60)

    def stop(self) -> None:
        if self.process:
            self.process.stop()
