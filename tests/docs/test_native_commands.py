"""The documents' commands for the native stack, run as written against a live one.

Only the addresses change: the default ports (stack/config.py) become this area's, and
`.stack/` becomes the test stack's state folder. A command passes when it exits 0 (or 1 for a
`grep` that finds nothing: a healthy stack has no errors to find) and prints no error."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess

import pytest

from stack.config import Ports
from stack.runner import Stack

from .conftest import DOCS_PORTS
from .doc_commands import Command, all_commands

# Commands that stop part of the stack on purpose: running them here would page the tests that
# follow (PostgresWasDown). tests/faults runs them against a stack of its own.
DISRUPTIVE = re.compile(r"\bpg_ctl\b.*\bstop\b|\bkill\b|\bpkill\b|\bsystemctl\s+stop\b")
# Restoring the stack's own cluster in place (docs/backup-and-recovery.md): the page says to stop
# `make stack` first; run here, it would move the live data directory away under the server.
# tests/backups' restore drill runs the same `python -m backup restore` on a site of its own.
RESTORES_IN_PLACE = re.compile(r"\bmv\s+\.stack/postgres\b|\bmake\s+restore\b")
ERRORS = re.compile(
    r"No such file|command not found|ERROR:|does not exist|not found|Connection refused|"
    r"could not connect|Unknown|invalid",
    re.I,
)


def native_commands() -> list[Command]:
    return [
        c
        for c in all_commands()
        if c.native
        or re.match(r"^make status\b", c.text)
        or (
            re.search(r"https?://127\.0\.0\.1:\d+", c.text)
            and not c.text.startswith(("ssh", "docker"))
        )
    ]


def translate(text: str, stack: Stack) -> str:
    """The command as it would read on the test stack."""
    defaults, ours = Ports(), DOCS_PORTS
    for field in dataclasses.fields(Ports):
        old, new = getattr(defaults, field.name), getattr(ours, field.name)
        text = re.sub(rf"(?<=[:\s]){old}\b", str(new), text)
    text = re.sub(r"(?<![\w/])\.stack/", f"{stack.config.state_dir}/", text)
    # `.stack/logs/<service>.log`: any one of the logs the stack writes.
    some_log = sorted(stack.config.log_dir.glob("*.log"))[0].stem
    return re.sub(r"<service>", some_log, text)


@pytest.mark.parametrize("command", native_commands(), ids=lambda c: c.where)
def test_native_command_runs(settled_stack: Stack, command: Command) -> None:
    docs_stack = settled_stack
    if DISRUPTIVE.search(command.text):
        pytest.skip("stops part of the stack: exercised by tests/faults on a stack of its own")
    if RESTORES_IN_PLACE.search(command.text):
        pytest.skip("replaces the stack's cluster: tests/backups' restore drill runs it")
    # The variables the page set on earlier lines (`PG_BIN=$(...)`), as the operator's shell has.
    assignments = [
        c.text
        for c in all_commands()
        if c.path == command.path
        and c.line < command.line
        and re.fullmatch(r"(?:export\s+)?[A-Za-z_]\w*=(?:\$\([^()]*\)|\S+)", c.text)
        and "sed -n" not in c.text  # `export X=$(sed ... .env)`: the server's .env, not here
    ]
    script = translate("\n".join([*assignments, command.text]), docs_stack)
    env = {
        **os.environ,
        "PROMETHEUS_URL": docs_stack.prometheus.url,
        "ALERTMANAGER_URL": f"http://127.0.0.1:{DOCS_PORTS.alertmanager}",
        "STACK_DIR": str(docs_stack.config.state_dir),
    }
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=docs_stack.config.repo_root,
        env=env,
    )
    last = script.splitlines()[-1].split("|")[-1].split()[0]
    allowed = {0, 1} if last in {"grep", "pgrep"} and not result.stderr else {0}
    output = f"$ {script}\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
    assert result.returncode in allowed, f"{command.where}: exit {result.returncode}\n{output}"
    assert not ERRORS.search(result.stderr), f"{command.where}: an error\n{output}"


def test_native_commands_are_found() -> None:
    found = native_commands()
    assert len(found) >= 20
    assert any(c.text.startswith("make status") for c in found), "docs/runbook.md's daily check"
