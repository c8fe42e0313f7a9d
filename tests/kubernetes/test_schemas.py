"""Every rendered object is valid for the Kubernetes versions we support, strictly: the built-in
kinds against the API's own schemas (kubernetes-validate), the custom resources against their
CRDs' schemas (crds/)."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest

from . import crd_schemas
from .manifests import Rendering, containers, pod_spec

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


def referenced_secrets(rendering: Rendering) -> set[str]:
    """The Secrets the workloads and the database cluster read, by name."""
    names = set()
    for obj in rendering.objects:
        spec = pod_spec(obj)
        for container in containers(spec) if spec else []:
            names |= {
                s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s
            }
            names |= {
                v["valueFrom"]["secretKeyRef"]["name"]
                for v in container.get("env", [])
                if "secretKeyRef" in v.get("valueFrom", {})
            }
    for cluster in rendering.of_kind("Cluster"):
        names.add(cluster["spec"]["bootstrap"]["initdb"]["secret"]["name"])
        credentials = cluster["spec"]["backup"]["barmanObjectStore"]["s3Credentials"]
        names |= {ref["name"] for ref in credentials.values()}
    return names


def test_secrets_exist_for_every_reference(prod: Rendering) -> None:
    assert referenced_secrets(prod) == {s["metadata"]["name"] for s in prod.of_kind("Secret")}


def test_external_secrets_alternative_provides_the_same_secrets(
    prod: Rendering, prod_external_secrets: Rendering
) -> None:
    variant = prod_external_secrets
    assert not variant.of_kind("Secret")
    external = variant.of_kind("ExternalSecret")
    for obj in external:
        assert not crd_schemas.errors(obj), crd_schemas.errors(obj)
    targets = {obj["spec"]["target"]["name"]: obj for obj in external}
    assert referenced_secrets(variant) == targets.keys()
    # The same keys as the generated Secrets of the file-based variant.
    for secret in prod.of_kind("Secret"):
        generator_name = re.sub(r"-[a-z0-9]{10}$", "", secret["metadata"]["name"])
        keys = {item["secretKey"] for item in targets[generator_name]["spec"]["data"]}
        assert keys == secret["data"].keys(), generator_name
