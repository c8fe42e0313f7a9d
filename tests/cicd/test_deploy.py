"""scripts/deploy.sh and rollback.sh on a real Docker engine, with images from a real registry:
a deploy no polling client notices, a broken version that rolls itself back, rollbacks by
name and by history, and a rollback the schema check refuses. One story, in order: each step
starts from the state the previous one left, as on a server."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.containers.engine import Engine

from .deploy_site import (
    REPO,
    Server,
    build_and_push,
    fake_sha,
    local_registry,
    push_derived,
    server,
    ssh_server,
)

# Commit-shaped SHAs for the versions: CI tags each image with its full commit SHA.
A = fake_sha("version A")
B = fake_sha("version B")
BROKEN = fake_sha("a version whose readiness check fails")
# Its readiness query fails while the process stays alive. A code change, not a setting: the
# production file passes every setting by name, so an ENV in the image would be overridden.
BROKEN_READINESS = """\
USER 0
RUN sed -i 's/text("SELECT 1")/text("SELECT no_such_column")/' app/observability/health.py \\
    && grep -q no_such_column app/observability/health.py
USER 10001:10001"""
NEW_FRONT_END = fake_sha("a version with another front-end image")
MIGRATED = fake_sha("a version with a new migration")
# Polling through nginx during a deploy: one request every 20 ms, bounded in count and time.
POLL_INTERVAL = 0.02
MAX_POLLS = 20_000


@pytest.fixture(scope="module")
def site(engine: Engine) -> Iterator[Server]:
    with local_registry() as registry:
        images = build_and_push(engine, registry, {"A": A, "B": B})
        # Readiness needs the database to answer within a microsecond: never ready.
        push_derived(engine, images, B, BROKEN, backend=BROKEN_READINESS)
        push_derived(engine, images, B, NEW_FRONT_END, frontend=f"LABEL version={NEW_FRONT_END}")
        down = migration_head()
        push_derived(
            engine,
            images,
            B,
            MIGRATED,
            backend="COPY 2099-01-01_add_item_colour.py /app/migrations/versions/",
            files={"2099-01-01_add_item_colour.py": MIGRATION.format(down=down)},
        )
        # Nothing of the test may come from the local images: the server pulls.
        for sha in (A, B, BROKEN, NEW_FRONT_END, MIGRATED):
            for component in ("backend", "frontend"):
                engine.docker("rmi", images.name(component, sha), check=False)
        port = int(registry.rsplit(":", 1)[1])
        with server(engine, images, port) as running:
            yield running


MIGRATION = '''"""An expand-only migration: a nullable column.

Revision ID: c0105ead0001
"""
import sqlalchemy as sa
from alembic import op

revision = "c0105ead0001"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("items", sa.Column("colour", sa.String(20), nullable=True))


def downgrade() -> None:
    op.drop_column("items", "colour")
'''


def migration_head() -> str:
    """The newest migration of this checkout: the revision no other one revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (REPO / "backend" / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        revisions |= set(re.findall(r'^revision(?:: str)? = "(\w+)"', text, re.M))
        revised |= set(re.findall(r'^down_revision(?:: [\w |]+)? = "(\w+)"', text, re.M))
    (head,) = revisions - revised
    return head


class Poller:
    """Clients polling the API through nginx in threads; counts every outcome."""

    def __init__(self, url: str, streams: int = 3) -> None:
        self.url = url
        self.outcomes: Counter[str] = Counter()
        self.commits: Counter[str] = Counter()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._poll) for _ in range(streams)]
        self._failed_at: list[float] = []
        self._started = time.monotonic()
        self.failures: list[str] = []
        self.resent = 0

    def _poll(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            for _ in range(MAX_POLLS):
                if self._stop.is_set():
                    return
                commit = ""
                try:
                    answer = self._get(client)
                    outcome = str(answer.status_code)
                    if answer.status_code == 200:
                        commit = answer.json()["commit"]
                except httpx.HTTPError as error:
                    outcome = type(error).__name__
                    elapsed = time.monotonic() - self._started
                    self.failures.append(f"{elapsed:.2f}s {error!r}")
                with self._lock:
                    if outcome != "200":
                        self._failed_at.append(time.monotonic())
                    self.outcomes[outcome] += 1
                    self.commits[commit] += 1
                time.sleep(POLL_INTERVAL)

    def _get(self, client: httpx.Client) -> httpx.Response:
        """GET /health, resent once when a reused keep-alive connection closes before any
        answer: nginx closes idle connections when it reloads, and browsers (RFC 9112, 9.3.1)
        resend an idempotent request in that case. Such resends are counted, not hidden."""
        try:
            return client.get("/health")
        except httpx.RemoteProtocolError:
            with self._lock:
                self.resent += 1
            return client.get("/health")

    def gap(self) -> float:
        """Seconds from the first failed request to the last (0 when none failed)."""
        return max(self._failed_at) - min(self._failed_at) if self._failed_at else 0.0

    def __enter__(self) -> Poller:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def explain(site: Server, poller: Poller, run: subprocess.CompletedProcess[str]) -> str:
    """What a reader needs when a client saw a failure: when, and what the script did then."""
    return (
        f"{poller.outcomes}, resent after a closed keep-alive connection: {poller.resent}\n"
        f"failures (seconds after the polling started): {poller.failures}\n"
        f"script:\n{run.stdout}{run.stderr}\nnginx:\n{site.logs('nginx')}"
    )


def outcome(server: Server) -> tuple[str, str, str]:
    """The last history line's action, SHA and outcome."""
    time_, action, sha, who, result, *_ = server.history()[-1]
    assert who == "pytest"
    assert time_.endswith("Z")
    return action, sha, result


def test_first_deploy_starts_the_site(site: Server) -> None:
    run = site.script("deploy.sh", A)

    assert run.returncode == 0, run.stdout + run.stderr
    assert site.answering_commit() == A
    assert outcome(site) == ("deploy", A, "ok")
    assert site.env_value("IMAGE_TAG") == A


def test_a_deploy_loses_no_request_of_a_client_polling_through_nginx(site: Server) -> None:
    with Poller(site.url) as poller:
        time.sleep(1)
        run = site.script("deploy.sh", B)
        time.sleep(1)

    assert run.returncode == 0, run.stdout + run.stderr
    assert sum(poller.outcomes.values()) > 300, poller.outcomes
    assert set(poller.outcomes) == {"200"}, explain(site, poller, run)
    # The answers moved from A to B while it ran, and only B answers now.
    assert poller.commits[A] > 0
    assert poller.commits[B] > 0
    assert {site.answering_commit() for _ in range(6)} == {B}
    assert outcome(site) == ("deploy", B, "ok")
    assert site.history()[-1][5] == A


def test_a_version_that_never_gets_ready_rolls_itself_back(site: Server) -> None:
    with Poller(site.url) as poller:
        run = site.script("deploy.sh", BROKEN)

    assert run.returncode == 1
    assert f"FAILED: {BROKEN} did not become healthy; rolled back to {B}" in run.stderr
    assert set(poller.outcomes) == {"200"}, explain(site, poller, run)
    assert {site.answering_commit() for _ in range(6)} == {B}
    assert site.env_value("IMAGE_TAG") == B
    failed, back = site.history()[-2:]
    assert (failed[1], failed[2], failed[4]) == ("deploy", BROKEN, "failed")
    assert (back[1], back[2], back[4]) == ("auto-rollback", B, "ok")


def test_a_rollback_to_a_named_sha(site: Server) -> None:
    run = site.script("rollback.sh", A)

    assert run.returncode == 0, run.stdout + run.stderr
    assert {site.answering_commit() for _ in range(6)} == {A}
    assert outcome(site) == ("rollback", A, "ok")


def test_a_new_front_end_image_costs_nginx_a_short_restart(site: Server) -> None:
    with Poller(site.url) as poller:
        run = site.script("deploy.sh", NEW_FRONT_END)
        time.sleep(1)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "recreating nginx with the front end of" in run.stdout
    assert {site.answering_commit() for _ in range(6)} == {NEW_FRONT_END}
    # nginx is the one container publishing the port: while Compose replaces it, connections
    # are refused (docs/deployment.md says about a second). The backends' roll loses nothing.
    assert {o for o in poller.outcomes if o.isdigit()} == {"200"}, poller.outcomes
    assert poller.gap() < 3, poller.gap()
    print(f"nginx replaced: {poller.gap():.2f}s without answers, {poller.outcomes}")


def test_a_rollback_the_schema_forbids_is_refused_and_the_previous_one_allowed(
    site: Server,
) -> None:
    deploy = site.script("deploy.sh", MIGRATED)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr

    # B never ran with the new column and did not run right before MIGRATED: refused.
    refused = site.script("rollback.sh", B)
    assert refused.returncode == 1
    assert "REFUSED: the database is at migration c0105ead0001" in refused.stderr
    assert outcome(site) == ("rollback", B, "refused")
    assert site.answering_commit() == MIGRATED

    # With no SHA: the previous good one, which ran right before MIGRATED.
    back = site.script("rollback.sh")
    assert back.returncode == 0, back.stdout + back.stderr
    assert "under expand/contract it works with this schema" in back.stdout
    assert {site.answering_commit() for _ in range(6)} == {NEW_FRONT_END}
    assert outcome(site) == ("rollback", NEW_FRONT_END, "ok")


def test_deploying_an_older_sha_stops_at_its_migrations(site: Server) -> None:
    # B's migrations do not know the database's revision: alembic stops, nothing is replaced.
    run = site.script("deploy.sh", B)

    assert run.returncode == 1
    assert f"the migrations of {B} failed" in run.stdout
    assert f"rolled back to {NEW_FRONT_END}" in run.stderr
    assert {site.answering_commit() for _ in range(6)} == {NEW_FRONT_END}


def test_the_workflow_step_deploys_over_ssh_and_writes_the_job_summary(
    site: Server, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    used = frozenset({int(site.url.rsplit(":", 1)[1])})
    with ssh_server(site.engine, used) as secrets:
        run = site.engine.run(
            [str(REPO / "scripts" / "remote-deploy.sh"), "deploy", MIGRATED],
            env={
                **secrets,
                "DEPLOY_PATH": str(site.path),
                "DEPLOY_ACTOR": "octocat",
                "GITHUB_STEP_SUMMARY": str(summary),
            },
            check=False,
            timeout=600,
        )

    assert run.returncode == 0, run.stdout + run.stderr
    assert site.answering_commit() == MIGRATED
    assert sorted(p.name for p in (site.path / ".deploy").iterdir()) == [
        "deploy-lib.sh",
        "deploy.sh",
        "rollback.sh",
    ]
    _, action, sha, who, result, *_ = site.history()[-1]
    assert (action, sha, who, result) == ("deploy", MIGRATED, "octocat", "ok")
    text = summary.read_text()
    assert f"### deploy {MIGRATED} on 127.0.0.1: succeeded" in text
    assert f"s] deployed {MIGRATED} in" in text
    assert f"/health commit {MIGRATED}" in text
