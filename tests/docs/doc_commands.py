"""Every shell command and PromQL expression the operator's documents show, with where it is.

Fenced blocks tagged `sh`, `bash`, `shell` or `console` are shell, one command per logical line
(backslash continuations joined, `#` lines skipped); `promql` blocks are one expression a line.
Inline code spans are shell when they start with a program this module knows (`docker compose`,
`make`, `curl`...). A page may say which compose file its plain `docker compose` commands act
on with `<!-- compose-file: docker-compose.prod.yml -->` (the default is `compose.yaml`, the dev
stack), as docs/deployment.md does for the server where `.env` sets `COMPOSE_FILE`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHELL_LANGS = {"sh", "bash", "shell", "console"}
# Programs that make an inline code span a command, not a name or a value.
INLINE_PROGRAMS = {
    "docker",
    "make",
    "curl",
    "psql",
    "pg_isready",
    "promtool",
    "amtool",
    "tail",
    "grep",
    "sudo",
    "uv",
    "npm",
    "kubectl",
    "ssh",
    "df",
    "du",
    "pgrep",
    "scripts/status.sh",
    "./scripts/status.sh",
}
_COMPOSE_FILE_MARK = re.compile(r"<!--\s*compose-file:\s*(\S+)\s*-->")


@dataclass(frozen=True)
class Command:
    """One command line of a document."""

    path: Path
    line: int
    text: str  # the command, without its trailing comment
    comment: str  # the trailing `# ...` comment, or the comment line right above it
    inline: bool
    compose_file: str  # the compose file plain `docker compose` acts on in this page

    @property
    def where(self) -> str:
        return f"{_relative(self.path)}:{self.line}"

    @property
    def native(self) -> bool:
        """Meant for the native stack (`make stack`) on this machine."""
        return bool(re.search(r"\bnative\b", self.comment)) or ".stack/" in self.text


@dataclass(frozen=True)
class PromQL:
    path: Path
    line: int
    expr: str

    @property
    def where(self) -> str:
        return f"{_relative(self.path)}:{self.line}"


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name


def documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def split_comment(line: str) -> tuple[str, str]:
    """`cmd args  # comment` -> ("cmd args", "comment"), respecting quotes."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def _inline_spans(line: str) -> list[str]:
    return re.findall(r"(?<!`)`([^`]+)`(?!`)", line)


def _is_inline_command(span: str) -> bool:
    words = span.split()
    if not words or "\n" in span:
        return False
    first = words[0]
    if len(words) < 2:
        return False  # a program's name in a sentence
    if first == "docker":
        return words[1] in {"compose", "inspect", "stats", "login", "system"} and len(words) > 2
    if first in {"tail", "grep", "df", "du"}:
        return len(words) > 1  # `tail` alone is a word in a sentence
    return first in INLINE_PROGRAMS


def parse(path: Path) -> tuple[list[Command], list[PromQL]]:
    text = path.read_text()
    marks = _COMPOSE_FILE_MARK.findall(text)
    compose_file = marks[0] if marks else "compose.yaml"
    commands: list[Command] = []
    promql: list[PromQL] = []
    lines = text.splitlines()
    fence: str | None = None
    lang = ""
    pending = ""  # a continued line
    pending_start = 0
    above = ""  # the comment line just above
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if fence is None:
            opened = re.match(r"^(`{3,}|~{3,})\s*([\w-]*)", stripped)
            if opened:
                fence, lang, above = opened.group(1), opened.group(2).lower(), ""
                continue
            for span in _inline_spans(raw):
                if _is_inline_command(span):
                    commands.append(Command(path, number, span.strip(), "", True, compose_file))
            continue
        if stripped.startswith(fence):
            fence = None
            continue
        if lang == "promql":
            if stripped and not stripped.startswith("#"):
                promql.append(PromQL(path, number, stripped))
            continue
        if lang not in SHELL_LANGS:
            continue
        if not stripped:
            above = ""
            continue
        if stripped.startswith("#") and not pending:
            above = stripped.lstrip("#").strip()
            continue
        if not pending:
            pending_start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        if _open_quote(pending + stripped):
            pending += raw + "\n"  # a quoted argument runs on to the next line
            continue
        command, comment = split_comment(pending + stripped)
        pending = ""
        if command.startswith("$ "):
            command = command[2:]
        commands.append(
            Command(path, pending_start, command, comment or above, False, compose_file)
        )
    return commands, promql


def _open_quote(text: str) -> bool:
    try:
        shlex.split(text, comments=True)
    except ValueError:
        return True
    return False


def all_commands() -> list[Command]:
    return [command for path in documents() for command in parse(path)[0]]


def all_promql() -> list[PromQL]:
    return [expr for path in documents() for expr in parse(path)[1]]


def simple_commands(text: str) -> list[list[str]]:
    """The simple commands of a line: split on `&&`, `||`, `;`, `|`, with `$(...)` bodies as
    commands of their own. Each is a list of words, quotes kept off (shlex)."""
    found: list[list[str]] = []
    for inner in re.findall(r"\$\(([^()]*)\)", text):
        found.extend(simple_commands(inner))
    text = re.sub(r"\$\(([^()]*)\)", "SUBST", text)
    lexer = shlex.shlex(text, posix=True, punctuation_chars="|&;")
    lexer.whitespace_split = True
    current: list[str] = []
    try:
        tokens = list(lexer)
    except ValueError:
        return [*found, text.split()]
    for token in tokens:
        if token and set(token) <= set("|&;"):
            if current:
                found.append(current)
            current = []
        else:
            current.append(token)
    if current:
        found.append(current)
    return found
