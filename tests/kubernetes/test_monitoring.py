"""The Prometheus Operator's objects carry compose's rules, dashboards and scrape jobs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .manifests import REPO, Rendering, generator, load_yaml

RULES = REPO / "prometheus" / "rules"
DASHBOARDS = REPO / "grafana" / "dashboards"


def test_the_generated_rules_are_up_to_date() -> None:
    module = generator("generate-prometheus-rules.py")
    committed = Path(module.OUTPUT).read_text()
    assert committed == module.render(), (
        "run: uv run --project . python deploy/kubernetes/generate-prometheus-rules.py"
    )


def test_prometheus_rules_are_the_rules_files(prod: Rendering) -> None:
    rules = {obj["metadata"]["name"]: obj for obj in prod.of_kind("PrometheusRule")}
    files = sorted(RULES.glob("*.yml"))
    assert files
    assert rules.keys() == {f"app-{path.stem}" for path in files}
    for path in files:
        assert rules[f"app-{path.stem}"]["spec"]["groups"] == load_yaml(path)["groups"], path


def test_dashboards_are_the_json_files(prod: Rendering) -> None:
    dashboards: dict[str, Any] = {}
    for config_map in prod.of_kind("ConfigMap"):
        if config_map["metadata"].get("labels", {}).get("grafana_dashboard") == "1":
            dashboards |= config_map["data"]
    files = {path.name: path.read_text() for path in DASHBOARDS.glob("*.json")}
    assert files
    assert dashboards.keys() == files.keys(), "add the new dashboard to grafana/kustomization.yaml"
    for name, text in files.items():
        assert dashboards[name] == text, name


def test_scrape_jobs_are_the_ones_rules_and_dashboards_read(prod: Rendering) -> None:
    """The Prometheus Operator names a ServiceMonitor's job after the Service it selects."""
    services = {
        svc["metadata"]["name"]: svc["metadata"]["labels"] for svc in prod.of_kind("Service")
    }
    jobs = set()
    for monitor in prod.of_kind("ServiceMonitor"):
        selector = monitor["spec"]["selector"]["matchLabels"]
        [job] = [name for name, labels in services.items() if selector.items() <= labels.items()]
        jobs.add(job)
        assert "jobLabel" not in monitor["spec"]
    assert jobs == {"backend", "nginx"}
    compose_jobs = {
        job["job_name"]
        for job in load_yaml(REPO / "prometheus" / "prometheus.yml")["scrape_configs"]
    }
    assert jobs <= compose_jobs
    read = "".join(path.read_text() for path in [*RULES.glob("*.yml"), *DASHBOARDS.glob("*.json")])
    for job in jobs:
        assert re.search(rf'job=\\?"{job}\\?"', read), job
