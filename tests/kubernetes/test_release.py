"""A release as docs/kubernetes.md makes one: the sed command on the prod overlay's RELEASE
lines moves the images, app_info's commit and the migrations Job together."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from .manifests import REPO, pod_spec, render

DOC = REPO / "docs" / "kubernetes.md"
SHA = "0123456789abcdef0123456789abcdef01234567"


def release_command() -> str:
    [command] = re.findall(r"^(sed -i -E .*RELEASE.*kustomization\.yaml)$", DOC.read_text(), re.M)
    return str(command)


def test_the_documented_release_command_moves_everything(kustomize_tree: Path) -> None:
    # A copy of the prod overlay: the session's other tests read it as committed.
    overlay = kustomize_tree / "overlays" / "prod-released"
    shutil.copytree(kustomize_tree / "overlays" / "prod", overlay)
    subprocess.run(
        ["bash", "-c", release_command().replace("deploy/kubernetes/overlays/prod/", "")],
        cwd=overlay,
        env={"PATH": "/usr/bin:/bin", "SHA": SHA},
        check=True,
    )
    released = render(kustomize_tree, "prod-released", kustomize_tree.parent.parent / "rel.yaml")
    images = {
        c["image"]
        for obj in released.objects
        if (spec := pod_spec(obj))
        for c in spec["containers"] + spec.get("initContainers", [])
        if c["image"].startswith("ghcr.io/")
    }
    assert images == {
        f"ghcr.io/your-org/your-repo/backend:{SHA}",
        f"ghcr.io/your-org/your-repo/frontend:{SHA}",
    }
    assert released.generated("ConfigMap", "settings")["data"]["GIT_COMMIT"] == SHA
    assert [job["metadata"]["name"] for job in released.of_kind("Job")] == [f"migrate-{SHA}"]


def test_images_can_be_pinned_by_digest(kustomize_tree: Path) -> None:
    """docs/kubernetes.md: `digest: sha256:...` in place of newTag."""
    digest = "sha256:" + "ab" * 32
    overlay = kustomize_tree / "overlays" / "prod-digest"
    shutil.copytree(kustomize_tree / "overlays" / "prod", overlay)
    kustomization = overlay / "kustomization.yaml"
    text = kustomization.read_text()
    pinned = re.sub(r"newTag: \S+ # RELEASE", f"digest: {digest}", text)
    assert pinned.count(digest) == 2
    kustomization.write_text(pinned)
    rendered = render(kustomize_tree, "prod-digest", kustomize_tree.parent.parent / "digest.yaml")
    images = {
        c["image"]
        for obj in rendered.objects
        if (spec := pod_spec(obj))
        for c in spec["containers"]
        if c["image"].startswith("ghcr.io/")
    }
    assert images == {
        f"ghcr.io/your-org/your-repo/backend@{digest}",
        f"ghcr.io/your-org/your-repo/frontend@{digest}",
    }
