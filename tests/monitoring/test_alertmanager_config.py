"""alertmanager.yml as rendered from its settings, checked by amtool: validity and routing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack.services.alertmanager import SOURCE, render_config

from .monitoring_files import ALERTMANAGER_DIR, Rule, alerts
from .tools import assert_ok, run_tool

ROUTING_CASES: list[dict[str, Any]] = yaml.safe_load(
    (ALERTMANAGER_DIR / "routing-tests.yml").read_text()
)
RECEIVER_BY_SEVERITY = {"critical": "critical", "warning": "warning"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("alertmanager")
    return render_config(
        folder / "alertmanager.yml", "https://pager.example/hook", "https://deadman.example/ping"
    )


def routed_to(config: Path, labels: dict[str, str]) -> list[str]:
    pairs = [f"{name}={value}" for name, value in labels.items()]
    test = ("amtool", "config", "routes", "test", "--config.file", config)
    output = assert_ok(run_tool(*test, *pairs))
    return output.strip().split(",")


def test_rendered_config_is_valid(rendered: Path) -> None:
    assert_ok(run_tool("amtool", "check-config", rendered))


def test_rendering_fills_in_both_urls_and_nothing_else(rendered: Path) -> None:
    config = yaml.safe_load(rendered.read_text())
    urls = {
        receiver["name"]: [hook["url"] for hook in receiver.get("webhook_configs", [])]
        for receiver in config["receivers"]
    }
    assert urls == {
        "critical": ["https://pager.example/hook"],
        "warning": ["https://pager.example/hook"],
        "watchdog": ["https://deadman.example/ping"],
    }
    template = yaml.safe_load((SOURCE / "alertmanager.yml").read_text())
    assert {k: v for k, v in config.items() if k != "receivers"} == {
        k: v for k, v in template.items() if k != "receivers"
    }


def test_rendering_keeps_urls_that_sed_would_mangle(tmp_path: Path) -> None:
    url = "https://hooks.example/a|b?x=1&y=2"
    config = yaml.safe_load(render_config(tmp_path / "am.yml", url, url).read_text())
    assert config["receivers"][0]["webhook_configs"][0]["url"] == url


def test_rendering_refuses_a_missing_url(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WATCHDOG_WEBHOOK_URL"}
    env["ALERT_WEBHOOK_URL"] = "https://pager.example/hook"
    script, template = SOURCE / "render-config.sh", SOURCE / "alertmanager.yml"
    argv = ["sh", str(script), str(template), str(tmp_path / "am.yml")]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    assert result.returncode != 0
    assert "WATCHDOG_WEBHOOK_URL" in result.stderr


@pytest.mark.parametrize("case", ROUTING_CASES, ids=lambda c: c["labels"].get("alertname", ""))
def test_routing_case(rendered: Path, case: dict[str, Any]) -> None:
    assert routed_to(rendered, case["labels"]) == case["receivers"]


def test_every_receiver_has_a_routing_case(rendered: Path) -> None:
    receivers = {r["name"] for r in yaml.safe_load(rendered.read_text())["receivers"]}
    assert receivers == {name for case in ROUTING_CASES for name in case["receivers"]}


@pytest.mark.parametrize("alert", alerts(), ids=lambda a: a.name)
def test_every_alert_reaches_the_receiver_of_its_severity(rendered: Path, alert: Rule) -> None:
    labels = {"alertname": alert.name, **alert.body["labels"]}
    expected = "watchdog" if alert.name == "Watchdog" else RECEIVER_BY_SEVERITY[labels["severity"]]
    assert routed_to(rendered, labels) == [expected]
