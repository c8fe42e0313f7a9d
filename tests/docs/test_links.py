"""Every relative link of the documents leads to a file of the repository, and to a heading of
it when it names one; the operator's pages exist and cover what they promise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .doc_commands import REPO, documents

LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+\s+(.*)$", path.read_text(), re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        for target in LINK.findall(line):
            if re.match(r"^[a-z]+:", target) or (target.startswith("#") and not target[1:]):
                continue
            file, _, anchor = target.partition("#")
            resolved = (path.parent / file).resolve() if file else path
            if not resolved.exists():
                broken.append(f"{path.relative_to(REPO)}:{number}: ({target}) no such file")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{path.relative_to(REPO)}:{number}: ({target}) no such heading")
    assert not broken, "\n".join(broken)


def test_troubleshooting_covers_the_failures_operators_meet() -> None:
    text = (REPO / "docs" / "troubleshooting.md").read_text()
    headings = " ".join(re.findall(r"^## (.*)$", text, re.M)).lower()
    for topic in [
        "does not start",
        "port",
        ".env",
        "build",
        "prestart",
        "502",
        "404 on refresh",
        "cors",
        "reach each other",
        "targets down",
        "grafana",
        "alerts not arriving",
    ]:
        assert topic in headings, f"docs/troubleshooting.md has no section on {topic!r}"
    assert len(re.findall(r"\]\(runbooks/\w+\.md\)", text)) >= 5


def test_operator_pages_exist() -> None:
    for page in ["runbook.md", "troubleshooting.md", "scalability.md"]:
        assert (REPO / "docs" / page).is_file(), page
    runbook = (REPO / "docs" / "runbook.md").read_text()
    assert "make status" in runbook
    assert "scripts/status.py --compose" in runbook
