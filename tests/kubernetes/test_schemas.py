"""Every rendered object is valid for the Kubernetes versions we support, strictly: the built-in
kinds against the API's own schemas (kubernetes-validate), the custom resources against their
CRDs' schemas (crds/)."""

from __future__ import annotations

import kubernetes_validate
import pytest

from . import crd_schemas
from .manifests import Rendering

# The oldest and the newest minor version the Kubernetes project supports (three releases are
# maintained at a time); kubernetes-validate ships both schemas.
KUBERNETES_VERSIONS = ("1.35.0", "1.37.0")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_built_in_objects_are_valid_strictly(
    renderings: dict[str, Rendering], version: str
) -> None:
    failures = []
    for rendering in renderings.values():
        for obj in rendering.objects:
            if crd_schemas.known(obj["apiVersion"], obj["kind"]):
                continue
            name = f"{rendering.overlay}: {obj['kind']} {obj['metadata']['name']}"
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                failures.append(f"{name}: no schema for {obj['apiVersion']} in {version}")
            except kubernetes_validate.ValidationError as error:
                path = "/".join(str(p) for p in error.absolute_path)
                failures.append(f"{name}: {path}: {error.message}")
    assert not failures, "\n".join(failures)


def test_custom_resources_are_valid_against_their_crds(renderings: dict[str, Rendering]) -> None:
    checked = set()
    failures = []
    for rendering in renderings.values():
        for obj in rendering.objects:
            if not crd_schemas.known(obj["apiVersion"], obj["kind"]):
                continue
            checked.add(obj["kind"])
            name = f"{rendering.overlay}: {obj['kind']} {obj['metadata']['name']}"
            failures += [f"{name}: {error}" for error in crd_schemas.errors(obj)]
    assert not failures, "\n".join(failures)
    assert checked == {"ServiceMonitor", "PrometheusRule", "Cluster", "ScheduledBackup"}


def test_strict_crd_validation_rejects_an_unknown_field(prod: Rendering) -> None:
    cluster = prod.get("Cluster", "db")
    misspelt = {**cluster, "spec": {**cluster["spec"], "instance": 3}}
    assert any("instance" in error for error in crd_schemas.errors(misspelt))


def test_crd_schemas_say_where_they_come_from() -> None:
    for source in crd_schemas.sources():
        assert source["repository"].startswith("https://github.com/")
        assert source["tag"].startswith("v")
        assert len(source["commit"]) == 40


def test_strict_validation_rejects_an_unknown_field(prod: Rendering) -> None:
    deployment = prod.get("Deployment", "backend")
    container = {**deployment["spec"]["template"]["spec"]["containers"][0], "readOnlyRootFS": True}
    template = {**deployment["spec"]["template"]}
    template["spec"] = {**template["spec"], "containers": [container]}
    broken = {**deployment, "spec": {**deployment["spec"], "template": template}}
    with pytest.raises(kubernetes_validate.ValidationError, match="readOnlyRootFS"):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)
