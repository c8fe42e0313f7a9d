"""docs/kubernetes.md's examples are valid objects and its paths exist."""

from __future__ import annotations

import re

import kubernetes_validate
import yaml

from . import crd_schemas
from .manifests import KUSTOMIZE_ROOT, REPO
from .test_schemas import KUBERNETES_VERSIONS

DOC = REPO / "docs" / "kubernetes.md"


def test_the_example_objects_are_valid() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)
    objects = [
        obj
        for block in blocks
        for obj in yaml.safe_load_all(re.sub(r"^  ", "", block, flags=re.M))
        if isinstance(obj, dict) and "apiVersion" in obj
    ]
    assert {obj["kind"] for obj in objects} == {"ClusterIssuer", "Cluster"}
    for obj in objects:
        if crd_schemas.known(obj["apiVersion"], obj["kind"]):
            assert not crd_schemas.errors(obj), crd_schemas.errors(obj)
        else:
            kubernetes_validate.validate(obj, KUBERNETES_VERSIONS[0], strict=True)


def test_the_paths_it_names_exist() -> None:
    text = DOC.read_text()
    top = r"(?<![\w/.-])((?:deploy|docs|tests|grafana|prometheus|nginx|backend)/[\w./*-]+)"
    inner = r"(?<![\w/.-])((?:base|components|overlays)/[\w./*-]+)"
    paths = [REPO / p.rstrip(".") for p in re.findall(top, text)]
    paths += [KUSTOMIZE_ROOT / p.rstrip(".") for p in re.findall(inner, text)]
    assert len(paths) > 20
    missing = [str(path) for path in paths if not list(path.parent.glob(path.name))]
    assert not missing, missing
