"""Grafana cannot run here: its provisioning and dashboards are checked for structure, and each
panel's PromQL is proven against the live Prometheus in test_live_stack.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from .monitoring_files import DASHBOARD_FILES, GRAFANA_DIR, dashboards, panels

DATASOURCES = yaml.safe_load(
    (GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text()
)["datasources"]
PROVIDERS = yaml.safe_load(
    (GRAFANA_DIR / "provisioning" / "dashboards" / "dashboards.yml").read_text()
)["providers"]
BUILTIN_VARIABLES = {"__rate_interval", "__interval", "__range", "__interval_ms", "__range_s"}


def test_one_prometheus_datasource_with_a_fixed_uid() -> None:
    [datasource] = DATASOURCES
    assert datasource["type"] == "prometheus"
    assert datasource["uid"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    # $__rate_interval is computed from it: it must be Prometheus's scrape interval.
    assert datasource["jsonData"]["timeInterval"] == "15s"


def test_provider_loads_the_dashboards_folder_and_refuses_ui_edits() -> None:
    [provider] = PROVIDERS
    assert provider["type"] == "file"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    assert provider["allowUiUpdates"] is False


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: p.stem)
def test_dashboard_file_is_plain_json_without_import_inputs(path: Any) -> None:
    text = path.read_text()
    dashboard = json.loads(text)
    assert "${DS_" not in text
    assert "__inputs" not in dashboard
    assert dashboard.get("id") is None, "a provisioned dashboard carries no database id"


def test_dashboard_uids_and_titles_are_unique() -> None:
    boards = dashboards().values()
    assert len({d["uid"] for d in boards}) == len({d["title"] for d in boards}) == len(boards)


@pytest.mark.parametrize("name", sorted(dashboards()))
def test_panels_have_unique_ids_and_use_the_provisioned_datasource(name: str) -> None:
    dashboard = dashboards()[name]
    uid = DATASOURCES[0]["uid"]
    ids = [panel["id"] for panel in panels(dashboard)]
    assert len(ids) == len(set(ids)), f"duplicate panel ids in {name}"
    for panel in panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["title"], f"{name}: panel {panel['id']}"
        assert panel.get("description"), f"{name}: {panel['title']} says nothing of itself"
        assert panel["datasource"] == {"type": "prometheus", "uid": uid}, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target.get("datasource", panel["datasource"])["uid"] == uid, panel["title"]
    for variable in dashboard["templating"]["list"]:
        assert variable["datasource"]["uid"] == uid, variable["name"]


@pytest.mark.parametrize("name", sorted(dashboards()))
def test_rates_use_rate_interval_and_variables_exist(name: str) -> None:
    dashboard = dashboards()[name]
    defined = {v["name"] for v in dashboard["templating"]["list"]} | BUILTIN_VARIABLES
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            expr = target["expr"]
            # Every range in a panel is Grafana's $__rate_interval: never shorter than four
            # scrapes, and it widens with the zoom instead of sampling a fixed window.
            for window in re.findall(r"\[([^\]]*)\]", expr):
                assert window == "$__rate_interval", f"{panel['title']}: [{window}]"
            used = set(re.findall(r"\$(\w+)", expr))
            assert used <= defined, f"{panel['title']} uses undefined {used - defined}"
