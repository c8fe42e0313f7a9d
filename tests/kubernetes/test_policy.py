"""checkov's Kubernetes checks pass on both overlays, and every check they skip says why."""

from __future__ import annotations

import json
import re
import subprocess

from tests.edge.repo_files import tool

from .manifests import Rendering

SKIP = re.compile(r"^checkov\.io/skip\d+$")


def test_checkov_kubernetes_checks_pass(renderings: dict[str, Rendering]) -> None:
    files = [arg for r in renderings.values() for arg in ("-f", str(r.path))]
    # --skip-download: offline, no Prisma Cloud guidelines or custom policies.
    options = ["--framework", "kubernetes", "--quiet", "--compact", "--skip-download"]
    result = subprocess.run(
        [tool("checkov"), *files, *options, "--output", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    failed = [
        f"{check['check_id']} {check['check_name']}: {check['resource']} ({check['file_path']})"
        for check in report["results"]["failed_checks"]
    ]
    assert not failed, "\n".join(failed)
    assert report["summary"]["passed"] > 0
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_skipped_check_is_justified_in_place(renderings: dict[str, Rendering]) -> None:
    skips = [
        (obj["kind"], obj["metadata"]["name"], value)
        for rendering in renderings.values()
        for obj in rendering.objects
        for key, value in obj["metadata"].get("annotations", {}).items()
        if SKIP.match(key)
    ]
    assert skips
    for kind, name, value in skips:
        check, _, reason = value.partition("=")
        assert re.fullmatch(r"CKV2?_K8S_\d+", check), f"{kind} {name}: {value}"
        assert len(reason.split()) >= 6, f"{kind} {name}: {check} is skipped without a reason"
