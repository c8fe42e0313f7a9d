"""The rules a documented command must pass, each returning what is wrong in words an editor
can act on. Every rule reads what it checks against from the repository (repo_model)."""

from __future__ import annotations

import glob
import re
import shlex
from collections.abc import Iterator

from tests.edge.repo_files import env_example

from .doc_commands import REPO, Command, simple_commands
from .repo_model import (
    cli_help,
    compose_config,
    container_env,
    container_paths,
    make_targets,
    native_ports,
    npm_scripts,
    published_ports,
)

# The operator's shell has these whatever the page says.
SHELL_VARIABLES = {"HOME", "PATH", "PWD", "USER", "OLDPWD"}
# Top-level entries of the repository: a word starting with one is a path in it.
REPO_ENTRIES = {p.name for p in REPO.iterdir() if not p.name.startswith(".git")} - {"README.md"}
# Programs whose commands no test here can run or check beyond their paths, and why. A fenced
# command of any other unchecked program needs a comment saying what the operator should see.
UNCHECKED = {
    "kubectl": "no cluster runs here; tests/kubernetes renders and validates what it applies",
    "kind": "no cluster runs here; tests/kubernetes renders what it loads",
    "k3d": "no cluster runs here; tests/kubernetes renders what it loads",
    "cd": "changes folder; the paths after it are checked",
    "cp": "copies a file; its paths are checked",
    "chmod": "sets a mode; its paths are checked",
    "mkdir": "creates a folder",
    "export": "sets a variable, which the variable rule then counts as set",
    "for": "a shell loop; its body is checked",
    "do": "a shell loop's body",
    "done": "a shell loop's end",
    "set": "shell option",
    ".": "reads a file into the shell",
    "echo": "prints its argument",
    "uv": "runs the repository's own tools or tests, which `make test` runs too",
    "npm": "runs a script of frontend/package.json, checked to exist",
    "promtool": "CI runs the same checks (tests/monitoring)",
    "amtool": "CI runs the same checks (tests/monitoring)",
    "make": "targets are checked against the Makefile",
    "sed": "edits a file; its paths are checked",
    "sort": "a filter in a pipeline",
    "head": "a filter in a pipeline",
    "tail": "a filter in a pipeline, or a native log checked live",
    "grep": "a filter in a pipeline, or a native log checked live",
    "cut": "a filter in a pipeline",
    "wc": "a filter in a pipeline",
    "xargs": "a filter in a pipeline",
    "SUBST": "a command substitution, checked on its own",
    "until": "shell syntax",
    "while": "shell syntax",
    "if": "shell syntax",
    "fi": "shell syntax",
    "[": "shell syntax",
    "sleep": "waits",
    "python3": "runs a script of the repository (its path is checked)",
}
# Location tags that say where a command runs, not what it shows.
LOCATION_COMMENTS = re.compile(r"^(?:native|prod|dev|prod / dev|server|laptop)\b\W*$", re.I)


def _strip_prefix(words: list[str]) -> list[str]:
    """Drop `sudo`, `VAR=value` assignments and `env` in front of the program."""
    while words and (words[0] in {"sudo", "env", "exec"} or re.match(r"^\w+=", words[0])):
        words = words[1:]
    return words


def _is_placeholder(word: str) -> bool:
    return "<" in word or word in {"...", "SERVICE"}


# --- docker compose -------------------------------------------------------------------------


def _parse_flags(
    cli_flags: dict[str, bool], words: list[str]
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Split words into (flags seen, positionals, (flag, value) pairs); unknown flags are kept
    in the flags list for the caller to report. Stops at the first positional when the CLI
    takes a COMMAND (the rest belongs to it)."""
    flags: list[str] = []
    positionals: list[str] = []
    values: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if positionals or not word.startswith("-") or word == "-":
            positionals.append(word)
            i += 1
            continue
        name, eq, value = word.partition("=")
        if not name.startswith("--") and len(name) > 2:  # -aq: several short flags
            letters = [f"-{c}" for c in name[1:]]
            flags.extend(letters)
            if cli_flags.get(letters[-1]) and i + 1 < len(words):
                values.append((letters[-1], words[i + 1]))
                i += 1
            i += 1
            continue
        flags.append(name)
        if cli_flags.get(name) and not eq and i + 1 < len(words):
            values.append((name, words[i + 1]))
            i += 1
        elif eq:
            values.append((name, value))
        i += 1
    return flags, positionals, values


def check_compose(command: Command, words: list[str]) -> Iterator[str]:
    """`docker compose [global flags] SUB [flags] [SERVICE...|SERVICE COMMAND...]`."""
    top = cli_help("compose")
    rest = words[2:] if words[0] == "docker" else words[1:]
    files: list[str] = []
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        name, eq, value = rest[i].partition("=")
        if name not in top.flags:
            yield f"`docker compose {name}`: Compose has no such global flag"
        elif top.flags[name]:
            value = value if eq else rest[i + 1] if i + 1 < len(rest) else ""
            if name in {"-f", "--file"}:
                files.append(value)
            if not eq:
                i += 1
        i += 1
    if i >= len(rest):
        yield "`docker compose` without a subcommand"
        return
    sub, args = rest[i], rest[i + 1 :]
    if _is_placeholder(sub):
        return
    if sub not in top.subcommands:
        known = ", ".join(sorted(top.subcommands))
        yield f"`docker compose {sub}`: no such subcommand (Compose has {known})"
        return
    file = files[-1] if files else command.compose_file
    if not (REPO / file).is_file():
        yield f"`-f {file}`: no such file in the repository"
        return
    services = compose_config(file)["services"]
    cli = cli_help("compose", sub)
    flags, positionals, values = _parse_flags(cli.flags, args)
    # `run -v VOLUME:/path` mounts a path of its own for that one container.
    extra_mounts = {v.split(":")[1] for f, v in values if f in {"-v", "--volume"} and ":" in v}
    for flag in flags:
        if flag not in cli.flags:
            known = ", ".join(sorted(f for f in cli.flags if f.startswith("--")))
            yield f"`docker compose {sub} {flag}`: no such flag (it has {known})"
    kinds = cli.positional_kinds()
    if not kinds or kinds[0] not in {"SERVICE", "SERVICE:SRC_PATH"}:
        return
    if "COMMAND" in kinds or kinds[0] == "SERVICE:SRC_PATH":
        named, inner = positionals[:1], positionals[1:]
    else:
        named, inner = positionals, []
    if sub == "ps" and not {"-a", "--all"} & set(flags):
        one_shot = _one_shot_services(services)
        if one_shot & set(named) or re.search(r"exited|stopped|dead", command.comment):
            yield (
                "`docker compose ps` lists running containers only: add `-a` to see "
                f"exited ones ({', '.join(sorted(one_shot))} exit by design)"
            )
    for name in named:
        service = name.split(":", 1)[0]
        if _is_placeholder(service):
            continue
        if service not in services:
            yield f"service `{service}` is not in {file} (it has {', '.join(sorted(services))})"
            return
    if inner and named and not _is_placeholder(named[0]):
        service = named[0]
        yield from _check_inside_container(file, service, inner, extra_mounts)
    if sub == "cp" and named and ":" in named[0]:
        yield from _check_container_path(file, named[0].split(":")[0], named[0].split(":", 1)[1])


def _one_shot_services(services: dict[str, dict[str, object]]) -> set[str]:
    """Services others wait on to complete: they exit, and only `ps -a` shows them."""
    found = set()
    for service in services.values():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict)
        for name, condition in depends.items():
            if condition.get("condition") == "service_completed_successfully":
                found.add(name)
    return found


def _check_inside_container(
    file: str, service: str, inner: list[str], extra_mounts: set[str] | None = None
) -> Iterator[str]:
    """A command run in `service`'s container: its absolute paths exist there, and the
    variables a `sh -c '...'` expands are set there."""
    if inner[:2] in (["sh", "-c"], ["bash", "-c"]) and len(inner) > 2:
        script = inner[2]
        env = container_env(file, service)
        for name in re.findall(r"\$\{?(\w+)", script):
            if name not in env and name not in SHELL_VARIABLES:
                yield (
                    f"`${name}` is expanded inside `{service}`, whose environment in {file} "
                    f"does not set it (it sets {', '.join(sorted(env)) or 'nothing'})"
                )
        for words in simple_commands(script):
            for word in words:
                yield from _check_container_path(file, service, word, extra_mounts)
        return
    for word in inner:
        yield from _check_container_path(file, service, word, extra_mounts)


def _check_container_path(
    file: str, service: str, word: str, extra_mounts: set[str] | None = None
) -> Iterator[str]:
    if not re.match(r"^/[\w.-]", word) or word.startswith("//"):
        return
    known = container_paths(file, service) | (extra_mounts or set())
    if not any(word == path or word.startswith(path.rstrip("/") + "/") for path in known):
        yield (
            f"`{word}` is not a path {service}'s image or mounts in {file} provide "
            f"(known: {', '.join(sorted(known))})"
        )


# --- the rest -------------------------------------------------------------------------------


def check_make(words: list[str]) -> Iterator[str]:
    targets = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
    for target in targets:
        if target not in make_targets():
            known = ", ".join(sorted(make_targets()))
            yield f"`make {target}`: no such target in the Makefile (it has {known})"


def check_npm(words: list[str]) -> Iterator[str]:
    if len(words) > 2 and words[1] == "run" and words[2] not in npm_scripts():
        yield f"`npm run {words[2]}`: no such script in frontend/package.json"


def check_docker(words: list[str]) -> Iterator[str]:
    """`docker SUB [flags]`: the subcommand and flags the Docker client has."""
    if len(words) < 2:
        return
    top = cli_help("docker")
    sub = words[1]
    if sub not in top.subcommands:
        yield f"`docker {sub}`: no such docker command"
        return
    argv = ["docker", sub]
    rest = words[2:]
    if rest and not rest[0].startswith("-") and rest[0] in cli_help(*argv).subcommands:
        argv.append(rest[0])
        rest = rest[1:]
    cli = cli_help(*argv)
    flags, _, _ = _parse_flags(cli.flags, rest)
    for flag in flags:
        if flag not in cli.flags:
            yield f"`{' '.join(argv)} {flag}`: no such flag"


def check_url_ports(command: Command, words: list[str]) -> Iterator[str]:
    """A local URL's port is one the native stack or the page's compose file publishes."""
    native = set(native_ports().values())
    compose = published_ports().get(command.compose_file, set())
    for word in words:
        match = re.match(r"^https?://(127\.0\.0\.1|localhost)(?::(\d+))?", word)
        if not match:
            continue
        port = int(match.group(2) or (443 if word.startswith("https") else 80))
        allowed = (
            native
            if command.native
            else native | compose | published_ports()["docker-compose.prod.yml"]
        )
        if port not in allowed:
            yield f"`{word}`: port {port} is not one the native stack or compose publishes"


def check_repo_paths(command: Command, words: list[str], cwd: str) -> Iterator[str]:
    """Words that name a file of the repository name one that exists."""
    if cwd is None:
        return
    for word in words:
        if (
            word.startswith(("-", "/", "~"))
            or "://" in word
            or _is_placeholder(word)
            or "$" in word
        ):
            continue
        candidate = word.split("=", 1)[-1] if word.startswith("-") else word
        first = candidate.lstrip("./").split("/")[0]
        base = REPO / cwd
        if first not in REPO_ENTRIES and not (base / first).exists():
            continue
        if candidate.startswith(".stack"):
            continue  # the native stack's state: checked against the live stack
        if "/" not in candidate and "." not in candidate:
            continue
        if not glob.glob(str(base / candidate)):
            yield f"`{candidate}`: no such file in the repository (from {cwd or 'the root'})"


def expanded_variables(text: str) -> list[str]:
    """`$VAR` and `${VAR}` the operator's shell expands: outside single quotes."""
    names = []
    quote = ""
    i = 0
    while i < len(text):
        char = text[i]
        if quote == "'":
            if char == "'":
                quote = ""
        elif char == "'" and quote != '"':
            quote = "'"
        elif char == '"':
            quote = "" if quote == '"' else '"'
        elif char == "$":
            match = re.match(r"\$\{?([A-Za-z_]\w*)", text[i:])
            if match:
                names.append(match.group(1))
        i += 1
    return names


def variables_set_by(text: str) -> set[str]:
    """What a line sets in the operator's shell for the lines after it."""
    found = set(re.findall(r"(?:^|[;&|]\s*|export\s+)([A-Za-z_]\w*)=", text))
    found |= set(re.findall(r"\bfor\s+(\w+)\s+in\b", text))
    if re.search(r"(?:^|\s)(?:\.|source)\s+\.?/?\.env\b", text):
        found |= set(env_example())
    return found


def shell_words(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False)
    except ValueError:
        return text.split()


def needs_expectation(command: Command, program: str) -> bool:
    """An unchecked command in a fenced block must say what the operator should see."""
    if program in UNCHECKED or command.inline:
        return False
    comment = command.comment
    return not comment or bool(LOCATION_COMMENTS.match(comment))
