"""Both overlays rendered once per session, into a temporary copy of the tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from .manifests import OVERLAYS, Rendering, copy_tree, render


@pytest.fixture(scope="session")
def kustomize_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(tmp_path_factory.mktemp("kubernetes"))


@pytest.fixture(scope="session")
def renderings(kustomize_tree: Path) -> dict[str, Rendering]:
    out = kustomize_tree.parent.parent
    return {name: render(kustomize_tree, name, out / f"{name}.yaml") for name in OVERLAYS}


@pytest.fixture(scope="session")
def prod(renderings: dict[str, Rendering]) -> Rendering:
    return renderings["prod"]


@pytest.fixture(scope="session")
def dev(renderings: dict[str, Rendering]) -> Rendering:
    return renderings["dev"]


@pytest.fixture(scope="session")
def prod_external_secrets(kustomize_tree: Path) -> Rendering:
    out = kustomize_tree.parent.parent / "prod-external-secrets.yaml"
    return render(kustomize_tree, "prod-external-secrets", out)
