"""The manifests run what compose runs: the same images, commands, probes, settings names and
graceful shutdown, and the scrape jobs the rules and dashboards read."""

from __future__ import annotations

import ast
import base64
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.edge.repo_files import PROD_COMPOSE, PROD_SECRETS, compose_config, env_example

from .manifests import REPO, Manifest, Rendering, pod_spec

SETTINGS = REPO / "backend" / "app" / "config.py"
SERVE = REPO / "backend" / "app" / "serve.py"
# Not backend settings: the parts the manifests build DATABASE_URL from, as compose builds it
# from POSTGRES_* (the backend ignores unknown variables).
URL_PARTS = {"DATABASE_HOST", "DATABASE_PORT", "POSTGRES_DB", "DATABASE_OPTIONS"}


def settings_names() -> set[str]:
    """The environment variables backend/app/config.py's Settings reads."""
    tree = ast.parse(SETTINGS.read_text())
    settings = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    return {
        node.target.id.upper()
        for node in settings.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def container(rendering: Rendering, kind: str, name: str) -> Manifest:
    spec = pod_spec(rendering.get(kind, name))
    assert spec
    return spec["containers"][0]


def environment(rendering: Rendering, spec: Manifest) -> dict[str, str]:
    """The container's environment as the kubelet builds it: envFrom first, then env in order,
    expanding $(VAR) references to earlier variables."""
    values: dict[str, str] = {}
    for source in spec.get("envFrom", []):
        if "configMapRef" in source:
            values |= rendering.get("ConfigMap", source["configMapRef"]["name"])["data"]
        else:
            secret = rendering.get("Secret", source["secretRef"]["name"])
            values |= {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    for var in spec.get("env", []):
        if "value" in var:
            values[var["name"]] = re.sub(
                r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                lambda m: values.get(m[1], m[0]),
                var["value"],
            )
        elif "secretKeyRef" in var["valueFrom"]:
            ref = var["valueFrom"]["secretKeyRef"]
            secret = rendering.get("Secret", ref["name"])
            values[var["name"]] = base64.b64decode(secret["data"][ref["key"]]).decode()
    return values


def compose_prod(image_tag: str | None = None) -> Manifest:
    """docker-compose.prod.yml as compose resolves it (the services it extends included), from
    .env.example with the production secrets filled in, and IMAGE_TAG set to `image_tag`."""
    env = {**env_example(), **PROD_SECRETS}
    if image_tag:
        env["IMAGE_TAG"] = image_tag
    with tempfile.TemporaryDirectory() as tmp:
        env_file = Path(tmp) / "prod.env"
        env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
        return compose_config(PROD_COMPOSE, env_file=env_file)


# --- images and commands -------------------------------------------------------------------


def test_the_images_are_composes(prod: Rendering) -> None:
    release = prod.generated("ConfigMap", "settings")["data"]["GIT_COMMIT"]
    services = compose_prod(image_tag=release)["services"]
    for service, kind, name in [
        ("backend", "Deployment", "backend"),
        ("prestart", "Job", f"migrate-{release}"),
        ("nginx", "Deployment", "nginx"),
    ]:
        assert container(prod, kind, name)["image"] == services[service]["image"]


def test_the_migrations_job_is_named_after_the_release(renderings: dict[str, Rendering]) -> None:
    for rendering in renderings.values():
        release = rendering.generated("ConfigMap", "settings")["data"]["GIT_COMMIT"]
        [job] = rendering.of_kind("Job")
        assert job["metadata"]["name"] == f"migrate-{release}"
        assert len(job["metadata"]["name"]) <= 63, "a Job's name becomes a label value"


def test_commands_are_composes(prod: Rendering) -> None:
    services = compose_prod()["services"]
    release = prod.generated("ConfigMap", "settings")["data"]["GIT_COMMIT"]
    assert (
        container(prod, "Job", f"migrate-{release}")["command"] == services["prestart"]["command"]
    )
    dockerfile = (REPO / "backend" / "Dockerfile").read_text()
    cmd = re.findall(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)[-1]
    assert container(prod, "Deployment", "backend")["command"] == ast.literal_eval(cmd)


# --- probes ---------------------------------------------------------------------------------


def test_probes_use_the_health_endpoints(renderings: dict[str, Rendering]) -> None:
    healthcheck = " ".join(compose_prod()["services"]["backend"]["healthcheck"]["test"])
    liveness_path = re.search(r"http://127\.0\.0\.1:8000(/[a-z/]+)", healthcheck)
    assert liveness_path
    assert liveness_path[1] == "/health"
    health = (REPO / "backend" / "app" / "observability" / "health.py").read_text()
    assert 'prefix="/health"' in health
    assert '@router.get("/ready"' in health
    for rendering in renderings.values():
        backend = container(rendering, "Deployment", "backend")
        assert backend["livenessProbe"]["httpGet"]["path"] == liveness_path[1]
        assert backend["startupProbe"]["httpGet"]["path"] == liveness_path[1]
        assert backend["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        nginx = container(rendering, "Deployment", "nginx")
        nginx_check = " ".join(compose_prod()["services"]["nginx"]["healthcheck"]["test"])
        assert nginx["livenessProbe"]["httpGet"]["path"] in nginx_check


def test_graceful_shutdown_outlasts_uvicorns(renderings: dict[str, Rendering]) -> None:
    serve = SERVE.read_text()
    assert "timeout_graceful_shutdown=settings.graceful_shutdown_seconds" in serve
    for rendering in renderings.values():
        settings = rendering.generated("ConfigMap", "settings")["data"]
        spec = pod_spec(rendering.get("Deployment", "backend"))
        assert spec
        pre_stop = spec["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
        assert pre_stop[0] == "sleep"
        needed = int(pre_stop[1]) + int(settings["GRACEFUL_SHUTDOWN_SECONDS"])
        assert spec["terminationGracePeriodSeconds"] > needed


# --- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("app", ["backend", "migrations"])
def test_every_backend_setting_is_set(renderings: dict[str, Rendering], app: str) -> None:
    wanted = settings_names()
    assert {"DATABASE_URL", "SECRET_KEY", "GRACEFUL_SHUTDOWN_SECONDS"} <= wanted
    for rendering in renderings.values():
        [workload] = [
            obj
            for obj in rendering.objects
            if pod_spec(obj) and obj["metadata"]["labels"]["app.kubernetes.io/name"] == app
        ]
        spec = pod_spec(workload)
        assert spec
        env = environment(rendering, spec["containers"][0])
        missing = wanted - env.keys()
        assert not missing, f"{rendering.overlay} {app}: {sorted(missing)} not set"
        assert "$(" not in env["DATABASE_URL"], env["DATABASE_URL"]


def test_settings_use_the_names_of_env_example(renderings: dict[str, Rendering]) -> None:
    names = env_example().keys() | URL_PARTS
    for rendering in renderings.values():
        data = rendering.generated("ConfigMap", "settings")["data"]
        assert not data.keys() - names, sorted(data.keys() - names)


def test_the_dev_database_url_is_composes(dev: Rendering) -> None:
    spec = pod_spec(dev.get("Deployment", "backend"))
    assert spec
    env = environment(dev, spec["containers"][0])
    # compose's, with the database's Service for `db`.
    assert env["DATABASE_URL"] == "postgresql+psycopg://app:changethis@db-rw:5432/app"
    assert env["ENVIRONMENT"] == "development"


def test_prod_settings(prod: Rendering) -> None:
    data = prod.generated("ConfigMap", "settings")["data"]
    assert data["ENVIRONMENT"] == "production"
    assert data["DATABASE_HOST"] == "db-rw"  # CloudNativePG's read-write Service of `db`
    assert (
        prod.get("Cluster", "db")["spec"]["bootstrap"]["initdb"]["database"] == data["POSTGRES_DB"]
    )
    secrets = prod.generated("Secret", "app-secrets")["data"]
    assert {"SECRET_KEY", "FIRST_ADMIN_EMAIL", "FIRST_ADMIN_PASSWORD"} <= secrets.keys()


def test_metrics_folder_is_writable(renderings: dict[str, Rendering]) -> None:
    for rendering in renderings.values():
        settings = rendering.generated("ConfigMap", "settings")["data"]
        folder = settings["PROMETHEUS_MULTIPROC_DIR"]
        spec = pod_spec(rendering.get("Deployment", "backend"))
        assert spec
        empty_dirs = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        mounts = [
            m["mountPath"] for m in spec["containers"][0]["volumeMounts"] if m["name"] in empty_dirs
        ]
        # Inside the volume, not the volume itself: serve.py deletes and re-creates the folder.
        assert any(folder.startswith(mount.rstrip("/") + "/") for mount in mounts), mounts


def backend_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The backend's own Settings, built from exactly this environment."""
    code = "from app.config import Settings; s = Settings(); print(s.environment, s.database_url)"
    return subprocess.run(
        [str(REPO / "backend" / ".venv" / "bin" / "python"), "-c", code],
        cwd=REPO / "backend",
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_backend_accepts_the_rendered_settings(dev: Rendering, prod: Rendering) -> None:
    spec = pod_spec(dev.get("Deployment", "backend"))
    assert spec
    result = backend_settings(environment(dev, spec["containers"][0]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "development",
        "postgresql+psycopg://app:changethis@db-rw:5432/app",
    ]

    spec = pod_spec(prod.get("Deployment", "backend"))
    assert spec
    env = environment(prod, spec["containers"][0])
    # The example secret files are empty: the backend refuses to run production on them...
    refused = backend_settings(env)
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr
    # ...and accepts real values.
    env |= {"SECRET_KEY": "k" * 48, "FIRST_ADMIN_PASSWORD": "a-real-password"}
    accepted = backend_settings(env)
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith("production postgresql+psycopg://app:@db-rw:5432/app")
