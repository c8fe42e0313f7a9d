"""The Kubernetes manifests as the tests read them: each overlay rendered by `kubectl kustomize`
alone, from a copy of the tree with the prod overlay's example secret files in place."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
KUSTOMIZE_ROOT = REPO / "deploy" / "kubernetes"
OVERLAYS = ("dev", "prod")
SECRET_EXAMPLES = KUSTOMIZE_ROOT / "components" / "secrets-from-files" / "secrets"

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Rendering:
    overlay: str
    path: Path  # the rendered YAML, for tools that read files (checkov)
    objects: list[Manifest]

    def of_kind(self, kind: str) -> list[Manifest]:
        return [obj for obj in self.objects if obj["kind"] == kind]

    def get(self, kind: str, name: str) -> Manifest:
        found = [obj for obj in self.of_kind(kind) if obj["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.overlay}: expected one {kind} {name}, found {len(found)}"
        return found[0]

    def generated(self, kind: str, name: str) -> Manifest:
        """A ConfigMap or Secret by its generator name (without the hash suffix)."""
        found = [
            obj
            for obj in self.of_kind(kind)
            if obj["metadata"]["name"] == name or obj["metadata"]["name"].startswith(f"{name}-")
        ]
        assert len(found) == 1, f"{self.overlay}: expected one {kind} {name}, found {len(found)}"
        return found[0]


def _local_secrets(folder: str, names: list[str]) -> list[str]:
    if Path(folder).name != "secrets":
        return []
    return [name for name in names if name.endswith(".env")]


def copy_tree(destination: Path) -> Path:
    """deploy/kubernetes and grafana/ (which the monitoring component reads), never local
    secrets: the example secret files stand in under their real names. Adds the overlay
    prod-external-secrets: prod with its Secrets from External Secrets instead of files."""
    root = destination / "deploy" / "kubernetes"
    shutil.copytree(KUSTOMIZE_ROOT, root, ignore=_local_secrets)
    shutil.copytree(REPO / "grafana", destination / "grafana")
    for example in (root / SECRET_EXAMPLES.relative_to(KUSTOMIZE_ROOT)).glob("*.env.example"):
        shutil.copy(example, example.with_suffix(""))
    variant = root / "overlays" / "prod-external-secrets"
    shutil.copytree(root / "overlays" / "prod", variant)
    kustomization = variant / "kustomization.yaml"
    text = kustomization.read_text()
    assert "  - ../../components/secrets-from-files\n" in text
    kustomization.write_text(
        text.replace("components/secrets-from-files\n", "components/external-secrets\n")
    )
    return root


def render(root: Path, overlay: str, output: Path) -> Rendering:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with its built-in Kustomize) is needed"
    result = subprocess.run(
        [kubectl, "kustomize", str(root / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize overlays/{overlay}:\n{result.stderr}"
    output.write_text(result.stdout)
    objects = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return Rendering(overlay, output, objects)


def pod_spec(obj: Manifest) -> Manifest | None:
    """The pod template's spec of a workload, None for other kinds."""
    if obj["kind"] in {"Deployment", "StatefulSet", "Job", "DaemonSet"}:
        spec: Manifest = obj["spec"]["template"]["spec"]
        return spec
    return None


def containers(spec: Manifest) -> list[Manifest]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def generator(script: str) -> ModuleType:
    """One of deploy/kubernetes's generator scripts, imported to compare its output."""
    path = KUSTOMIZE_ROOT / script
    spec = importlib.util.spec_from_file_location(path.stem.replace("-", "_"), path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
