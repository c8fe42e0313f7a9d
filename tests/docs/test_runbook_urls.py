"""Every alert's runbook_url is the one prefix (prometheus/runbook-url-prefix) plus the page, the
page exists, every copy agrees, and in a clone of the GitHub repository the prefix is its own."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.monitoring.monitoring_files import RUNBOOK_URL_PREFIX, alerts

from .doc_commands import REPO

COPIES = [
    *sorted((REPO / "prometheus" / "rules").glob("*.yml")),
    *sorted((REPO / "prometheus" / "tests").glob("*.yml")),
    REPO / "deploy" / "kubernetes" / "components" / "monitoring" / "prometheus-rules.yaml",
]


def test_every_runbook_url_is_the_prefix_and_an_existing_page() -> None:
    for alert in alerts():
        url = alert.body["annotations"]["runbook_url"]
        assert url == f"{RUNBOOK_URL_PREFIX}docs/runbooks/{alert.name}.md", alert.name
        assert (REPO / "docs" / "runbooks" / f"{alert.name}.md").is_file()


@pytest.mark.parametrize("path", COPIES, ids=lambda p: p.name)
def test_every_copy_uses_the_prefix(path: Path) -> None:
    for url in re.findall(r"runbook_url:\s*(\S+)", path.read_text()):
        assert url.startswith(RUNBOOK_URL_PREFIX), f"{path.relative_to(REPO)}: {url}"
        page = url.removeprefix(RUNBOOK_URL_PREFIX)
        assert (REPO / page).is_file(), f"{path.relative_to(REPO)}: {url} leads to no page"


def test_prefix_is_this_repository_when_it_is_on_github() -> None:
    origin = subprocess.run(
        ["git", "-C", str(REPO), "remote", "get-url", "origin"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    match = re.search(r"github\.com[:/]([\w.-]+/[\w.-]+?)(?:\.git)?$", origin)
    if not match:
        pytest.skip(f"no GitHub origin here ({origin or 'none'}): nothing to compare with")
    expected = f"https://github.com/{match.group(1)}/blob/"
    assert RUNBOOK_URL_PREFIX.lower().startswith(expected.lower()), (
        f"runbook links lead to {RUNBOOK_URL_PREFIX}, not this repository: "
        f"python3 scripts/set-runbook-url.py {expected}HEAD/"
    )


def test_set_runbook_url_rewrites_every_copy(tmp_path: Path) -> None:
    for path in [
        REPO / "scripts" / "set-runbook-url.py",
        REPO / "prometheus" / "runbook-url-prefix",
        *COPIES,
    ]:
        target = tmp_path / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    new = "https://github.com/acme/app/blob/HEAD/"
    script = tmp_path / "scripts" / "set-runbook-url.py"
    subprocess.run([sys.executable, str(script), new], check=True, capture_output=True)
    assert (tmp_path / "prometheus" / "runbook-url-prefix").read_text().strip() == new
    for path in COPIES:
        text = (tmp_path / path.relative_to(REPO)).read_text()
        assert RUNBOOK_URL_PREFIX not in text
        assert text.count(new) == path.read_text().count(RUNBOOK_URL_PREFIX)
