"""Every command in docs/ and README.md names services, flags, files, targets, ports and
variables that exist where it runs; a command nothing here can check says what it shows.

Failures read `file:line: command` then what is wrong, one per problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .checks import (
    SHELL_VARIABLES,
    check_compose,
    check_docker,
    check_make,
    check_npm,
    check_repo_paths,
    check_url_ports,
    expanded_variables,
    needs_expectation,
    variables_set_by,
)
from .doc_commands import REPO, documents, parse, simple_commands


def problems_of(path: Path) -> list[str]:
    commands, _ = parse(path)
    found: list[str] = []
    shell_vars = set(SHELL_VARIABLES)
    cwd: str | None = ""  # relative to the repository; None once outside it
    for command in commands:
        errors: list[str] = []
        shell_vars |= set(re.findall(r"\bfor\s+(\w+)\s+in\b", command.text))
        for name in expanded_variables(command.text):
            if name not in shell_vars and not re.search(
                rf"\b{name}=", command.text.split(f"${name}")[0]
            ):
                errors.append(
                    f"`${name}` is expanded by the operator's shell, where nothing on this page "
                    "sets it (compose reads .env, the shell does not): set it first, e.g. "
                    f"`export {name}=$(sed -n 's/^{name}=//p' .env)`, or expand it in the container"
                )
        shell_vars |= variables_set_by(command.text)
        substituted = {
            " ".join(words)
            for inner in re.findall(r"\$\(([^()]*)\)", command.text)
            for words in simple_commands(inner)
        }
        for words in simple_commands(command.text):
            # A command inside $(...) makes a value for the outer one: it shows the operator
            # nothing, so it needs no expectation; its names are still checked.
            value_only = " ".join(words) in substituted
            words = _program_words(words)
            if not words:
                continue
            program = words[0]
            if program == "cd" and len(words) > 1:
                target = words[1]
                if target.startswith("/"):
                    cwd = None
                elif target == "-":
                    cwd = ""
                elif cwd is not None:
                    cwd = str(Path(cwd) / target)
                continue
            errors += check_repo_paths(command, words, cwd) if cwd is not None else []
            errors += check_url_ports(command, words)
            if (program == "docker" and words[1:2] == ["compose"]) or program == "docker-compose":
                errors += check_compose(command, words)
            elif program == "docker":
                errors += check_docker(words)
            elif program == "make":
                errors += check_make(words)
            elif program == "npm":
                errors += check_npm(words)
            elif command.native or (program == "curl" and _native_url(words)):
                pass  # run against the live native stack (test_native_commands.py)
            elif "/" in program and (REPO / (cwd or "") / program).is_file():
                pass  # a script of the repository: it exists (paths rule), its tests are its own
            elif not value_only and needs_expectation(command, program):
                errors.append(
                    f"`{program}` cannot be checked here: say what the operator should see in a "
                    "comment on the line (`# ...`) or the line above"
                )
        found += [f"{command.where}: {command.text}\n    {error}" for error in errors]
    return found


def _program_words(words: list[str]) -> list[str]:
    while words and (words[0] in {"sudo", "env", "then", "do"} or re.match(r"^\w+=", words[0])):
        words = words[1:]
    return words


def _native_url(words: list[str]) -> bool:
    """An address of the native stack: test_native_commands.py runs the command."""
    return any(re.match(r"^https?://127\.0\.0\.1:\d+", w) for w in words)


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_command_names_what_exists(path: Path) -> None:
    problems = problems_of(path)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_checker_finds_commands_everywhere() -> None:
    """A change to the extraction that loses the commands must not pass silently."""
    counts = {str(path.relative_to(REPO)): len(parse(path)[0]) for path in documents()}
    assert counts["README.md"] >= 5
    assert sum(counts.values()) >= 200
    assert all(counts[name] >= 2 for name in counts if name.endswith("Down.md"))


def test_the_checker_catches_what_the_issue_names(tmp_path: Path) -> None:
    """Each kind of mistake fails with a message naming it."""
    page = tmp_path / "page.md"
    page.write_text(
        "```sh\n"
        "docker compose -f docker-compose.prod.yml ps frontend\n"
        "docker compose -f docker-compose.prod.yml logs --tial=5 backend\n"
        "docker compose -f nope.yml ps\n"
        "docker compose rollout backend\n"
        "make no-such-target\n"
        'curl "https://$DOMAIN/health"     # 200\n'
        "docker compose -f docker-compose.prod.yml exec db cat /no/such/place\n"
        "docker compose -f docker-compose.prod.yml exec db sh -c 'echo $NOT_IN_DB'\n"
        "promtool check rules prometheus/no-such-rules.yml\n"
        "certbot renew\n"
        "curl -s http://127.0.0.1:1234/health   # ok\n"
        "```\n"
    )
    problems = "\n".join(problems_of(page))
    for expected in [
        "service `frontend` is not in docker-compose.prod.yml",
        "`docker compose logs --tial`: no such flag",
        "`-f nope.yml`: no such file",
        "`docker compose rollout`: no such subcommand",
        "`make no-such-target`: no such target",
        "`$DOMAIN` is expanded by the operator's shell",
        "`/no/such/place` is not a path db's image or mounts",
        "`$NOT_IN_DB` is expanded inside `db`",
        "`prometheus/no-such-rules.yml`: no such file",
        "`certbot` cannot be checked here",
        "port 1234 is not one",
    ]:
        assert expected in problems, f"not caught: {expected}\n{problems}"
