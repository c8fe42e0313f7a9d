"""Prometheus's configuration and rules, checked by promtool and against their runbooks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack.config import StackConfig
from stack.process import StartupError
from stack.runner import Stack
from stack.services.exporters import render_process_config
from stack.services.prometheus import render_config, scrape_jobs

from .monitoring_files import (
    PROMETHEUS_DIR,
    REPO,
    RULE_FILES,
    RULE_TEST_FILES,
    RUNBOOK_DIR,
    RUNBOOK_URL_PREFIX,
    Rule,
    alerts,
)
from .tools import assert_ok, run_tool

SEVERITIES = {"critical", "warning", "none"}
RUNBOOK_SECTIONS = ["## Meaning", "## Impact", "## Diagnosis", "## Mitigation"]


def test_config_is_valid() -> None:
    assert_ok(run_tool("promtool", "check", "config", PROMETHEUS_DIR / "prometheus.yml"))


def test_rules_pass_the_linter() -> None:
    assert_ok(run_tool("promtool", "check", "rules", "--lint=all", "--lint-fatal", *RULE_FILES))


def test_rule_unit_tests_pass() -> None:
    assert_ok(run_tool("promtool", "test", "rules", *RULE_TEST_FILES))


def _without_targets(settings: dict[str, Any]) -> dict[str, Any]:
    for block in [*settings["scrape_configs"], *settings["alerting"]["alertmanagers"]]:
        for key in [k for k in block if k == "static_configs" or k.endswith("_sd_configs")]:
            del block[key]
    return settings


def test_the_native_stack_runs_every_job_of_prometheus_yml_and_no_other(tmp_path: Path) -> None:
    targets = Stack(StackConfig(state_dir=tmp_path)).prometheus.targets
    assert sorted(targets) == sorted(scrape_jobs())


def test_the_docs_job_table_lists_every_job() -> None:
    page = (REPO / "docs" / "monitoring.md").read_text()
    table = page.split("| job | compose | native |")[1].split("\n\n")[0]
    assert re.findall(r"^\| `([\w-]+)`", table, re.M) == scrape_jobs()


def test_native_rendering_refuses_a_job_the_native_stack_does_not_run(tmp_path: Path) -> None:
    targets = Stack(StackConfig(state_dir=tmp_path)).prometheus.targets
    del targets["redis"]
    with pytest.raises(StartupError, match=r"\['redis'\].*stack/services/exporters.py"):
        render_config(targets, tmp_path / "prometheus")


def test_the_native_process_exporter_counts_the_stacks_own_cluster_alone(tmp_path: Path) -> None:
    data = tmp_path / "postgres"
    rendered = yaml.safe_load(render_process_config(tmp_path / "process.yml", data).read_text())
    [group] = rendered["process_names"]
    assert group["comm"] == ["postgres"]
    [pattern] = group["cmdline"]
    server = "/usr/lib/postgresql/15/bin/postgres -D"
    assert re.search(pattern, f"{server} {data} -c config_file=x")
    assert not re.search(pattern, f"{server} {data}-old")
    assert not re.search(pattern, f"{server} /var/lib/postgresql/15/main")


def test_native_rendering_differs_only_in_target_addresses(tmp_path: Path) -> None:
    config = StackConfig(state_dir=tmp_path, backend_replicas=2)
    targets = Stack(config).prometheus.targets
    rendered = render_config(targets, tmp_path / "prometheus")
    assert_ok(run_tool("promtool", "check", "config", rendered))

    native = yaml.safe_load(rendered.read_text())
    jobs = {
        job["job_name"]: job["static_configs"][0]["targets"] for job in native["scrape_configs"]
    }
    assert jobs == targets
    assert jobs["backend"] == ["127.0.0.1:8000", "127.0.0.1:8001"]
    [alertmanager] = native["alerting"]["alertmanagers"]
    assert alertmanager["static_configs"] == [{"targets": jobs["alertmanager"]}]

    source = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    assert _without_targets(native) == _without_targets(source)
    assert (tmp_path / "prometheus" / "rules").resolve() == PROMETHEUS_DIR / "rules"


# --- every alert is tested both ways ------------------------------------------------------------

_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def seconds(duration: str) -> float:
    """A Prometheus duration such as 1m30s, in seconds."""
    assert re.fullmatch(f"(?:{_DURATION.pattern})+", duration), duration
    return sum(int(n) * _SECONDS[unit] for n, unit in _DURATION.findall(duration))


def _alert_cases() -> list[dict[str, Any]]:
    """Every alert_rule_test case of every unit test file, with the rule files it loads."""
    cases = []
    for path in RULE_TEST_FILES:
        spec = yaml.safe_load(path.read_text())
        rule_files = {(path.parent / f).resolve() for f in spec["rule_files"]}
        for test in spec["tests"]:
            for case in test.get("alert_rule_test", []):
                cases.append({**case, "rule_files": rule_files})
    return cases


def test_every_rule_file_has_unit_tests() -> None:
    tested = set().union(*(case["rule_files"] for case in _alert_cases()))
    assert set(RULE_FILES) - tested == set()


@pytest.mark.parametrize("alert", alerts(), ids=lambda a: a.name)
def test_alert_fires_after_its_for_and_stays_quiet_otherwise(alert: Rule) -> None:
    cases = [
        c for c in _alert_cases() if c["alertname"] == alert.name and alert.file in c["rule_files"]
    ]
    wait = seconds(alert.body.get("for", "0s"))
    fires = [c for c in cases if c.get("exp_alerts") and seconds(c["eval_time"]) >= wait]
    quiet = [c for c in cases if not c.get("exp_alerts")]
    assert fires, f"no case where {alert.name} fires after its for: {alert.body.get('for')}"
    if alert.name == "Watchdog":  # the one alert that must never be quiet
        assert alert.expr == "vector(1)"
        assert "for" not in alert.body
        assert not quiet
    else:
        assert quiet, f"no case where {alert.name} stays quiet"


# --- every alert says what it means and where its runbook is ------------------------------------


@pytest.mark.parametrize("alert", alerts(), ids=lambda a: a.name)
def test_alert_has_severity_summary_description_and_runbook(alert: Rule) -> None:
    assert alert.body["labels"]["severity"] in SEVERITIES
    annotations = alert.body["annotations"]
    assert annotations["summary"].strip()
    assert annotations["description"].strip()
    relative = f"docs/runbooks/{alert.name}.md"
    assert annotations["runbook_url"] == RUNBOOK_URL_PREFIX + relative
    runbook = (REPO / relative).read_text()
    positions = [runbook.find(section) for section in RUNBOOK_SECTIONS]
    assert -1 not in positions, f"{relative} needs the sections {RUNBOOK_SECTIONS}"
    assert positions == sorted(positions), f"{relative}: sections out of order"
    assert runbook.startswith(f"# {alert.name}\n")


def test_alert_names_are_unique_and_every_runbook_has_its_alert() -> None:
    names = [alert.name for alert in alerts()]
    assert len(names) == len(set(names))
    runbooks = {path.stem for path in RUNBOOK_DIR.glob("*.md") if path.stem != "README"}
    assert runbooks == set(names)


@pytest.mark.parametrize("alert", alerts(), ids=lambda a: a.name)
def test_runbook_gives_the_promql_to_paste_and_the_commands(alert: Rule) -> None:
    runbook = (RUNBOOK_DIR / f"{alert.name}.md").read_text()
    assert "```promql" in runbook
    assert "docker compose" in runbook, "the compose commands"
    assert "native" in runbook.lower(), "the native stack's commands"
