"""Both compose files, checked with the real Compose v2 parser and against the repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from .repo_files import (
    COMPOSE_FILES,
    DEFAULT_COMPOSE,
    DEV_COMPOSE,
    MONITORING_COMPOSE,
    PROD_COMPOSE,
    PROD_SECRETS,
    REPO,
    compose,
    compose_config,
    compose_variables,
    env_example,
    extended_files,
    tool,
)

ALL_FILES = [*COMPOSE_FILES, DEFAULT_COMPOSE]


@pytest.mark.parametrize("file", ALL_FILES, ids=lambda f: f.name)
def test_compose_accepts_the_file_with_env_example(file: Path) -> None:
    result = compose(file, "config", "-q", check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("file", [*ALL_FILES, MONITORING_COMPOSE], ids=lambda f: f.name)
def test_file_matches_the_compose_spec_schema(file: Path) -> None:
    argv = [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(file)]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_monitoring_services_are_written_once(file: Path) -> None:
    assert extended_files(file) == {MONITORING_COMPOSE}
    shared = yaml.safe_load(MONITORING_COMPOSE.read_text())["services"]
    own = yaml.safe_load(file.read_text())["services"]
    for name in shared:
        assert own[name]["extends"] == {"file": MONITORING_COMPOSE.name, "service": name}
        # Only what differs is written here: nothing the shared file already says.
        repeated = {
            key for key in ("image", "build", "command", "healthcheck", "volumes", "ports")
            if key in own[name]
        }  # fmt: skip
        assert not repeated, f"{file.name}: {name} repeats {sorted(repeated)}"


def test_bare_docker_compose_finds_the_dev_stack() -> None:
    assert compose_config(DEFAULT_COMPOSE)["services"] == compose_config(DEV_COMPOSE)["services"]


def test_dev_stack_starts_without_a_dot_env(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose(DEV_COMPOSE, "config", "-q", env_file=empty, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_every_variable_compose_reads_is_in_env_example(file: Path) -> None:
    assert compose_variables(file) - env_example().keys() == set()


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_every_path_compose_mounts_or_builds_from_exists(file: Path) -> None:
    server_folders = set(env_example().values())
    for name, service in compose_config(file)["services"].items():
        build = service.get("build")
        if build:
            context = Path(build["context"])
            assert context.is_dir(), f"{name}: build context {context}"
            assert (context / build.get("dockerfile", "Dockerfile")).is_file(), name
        for volume in service.get("volumes", []):
            if volume["type"] != "bind":
                continue
            source = Path(volume["source"])
            if source.is_relative_to(REPO):
                assert source.exists(), f"{name} mounts {source}, which does not exist"
            else:  # a folder on the production server, named in .env.example
                assert str(source) in server_folders, f"{name} mounts {source} from nowhere"


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_every_service_has_a_healthcheck(file: Path) -> None:
    services = compose_config(file)["services"]
    jobs = {
        dependency
        for service in services.values()
        for dependency, how in service.get("depends_on", {}).items()
        if how["condition"] == "service_completed_successfully"
    }
    for name, service in services.items():
        healthcheck = service.get("healthcheck", {})
        if name in jobs:  # a one-shot job: others wait for it to exit, not to be healthy
            assert healthcheck.get("disable") is True, name
        else:
            assert healthcheck.get("test"), f"{name} has no healthcheck"


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_services_wait_for_healthy_dependencies(file: Path) -> None:
    for name, service in compose_config(file)["services"].items():
        for dependency, how in service.get("depends_on", {}).items():
            assert how["condition"] in {"service_healthy", "service_completed_successfully"}, (
                f"{name} starts before {dependency} is ready"
            )


def test_every_dev_service_is_on_app_network() -> None:
    for name, service in compose_config(DEV_COMPOSE)["services"].items():
        assert "app-network" in service.get("networks", {}), name


@pytest.mark.parametrize("file", COMPOSE_FILES, ids=lambda f: f.name)
def test_third_party_images_are_pinned_to_a_version(file: Path) -> None:
    ours = env_example()["IMAGE_REPOSITORY"] + "/"
    for service in compose_config(file)["services"].values():
        image = service["image"]
        if "build" in service or image.startswith(ours):
            continue
        _, _, tag = image.rpartition(":")
        assert tag != "latest", image
        assert any(c.isdigit() for c in tag), f"{image} is not pinned to a version"


def test_dev_publishes_on_loopback_only() -> None:
    for name, service in compose_config(DEV_COMPOSE)["services"].items():
        for port in service.get("ports", []):
            assert port.get("host_ip") == "127.0.0.1", f"{name} publishes {port} to the network"


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    """The production file's services, as compose resolves them with .env.example."""
    return compose_config(PROD_COMPOSE)["services"]


class TestProduction:
    def test_images_come_from_ci_tagged_by_commit(self, services: dict[str, dict]) -> None:
        env = env_example()
        ours = f"{env['IMAGE_REPOSITORY']}/"
        assert services["backend"]["image"] == f"{ours}backend:{env['IMAGE_TAG']}"
        assert services["nginx"]["image"] == f"{ours}frontend:{env['IMAGE_TAG']}"
        assert services["prestart"]["image"] == services["backend"]["image"]

    def test_only_nginx_is_published_beyond_loopback(self, services: dict[str, dict]) -> None:
        public = {
            name: {
                (p["published"], p["target"])
                for p in s.get("ports", [])
                if p.get("host_ip") != "127.0.0.1"
            }
            for name, s in services.items()
        }
        assert {name: ports for name, ports in public.items() if ports} == {
            "nginx": {("80", 8080), ("443", 8443)}
        }

    def test_database_and_backend_publish_nothing(self, services: dict[str, dict]) -> None:
        for name in ("db", "backend", "prestart"):
            assert not services[name].get("ports"), name

    def test_nginx_serves_tls(self, services: dict[str, dict]) -> None:
        assert services["nginx"]["environment"]["NGINX_SITE"] == "https"

    def test_long_running_services_restart_unless_stopped(self, services: dict[str, dict]) -> None:
        for name, service in services.items():
            one_shot = name in {"prestart", "backup-ca", "backup-bucket"}
            expected = "no" if one_shot else "unless-stopped"
            assert service.get("restart", "no") == expected, name

    def test_prestart_runs_before_the_backend(self, services: dict[str, dict]) -> None:
        assert services["prestart"]["command"] == ["python", "-m", "app.prestart"]
        depends = services["backend"]["depends_on"]
        assert depends["prestart"]["condition"] == "service_completed_successfully"

    def test_every_service_has_a_memory_limit_and_rotated_logs(
        self, services: dict[str, dict]
    ) -> None:
        for name, service in services.items():
            assert service["deploy"]["resources"]["limits"]["memory"], name
            logging = service["logging"]
            assert logging["driver"] == "json-file", name
            assert logging["options"]["max-size"], name
            assert logging["options"]["max-file"], name

    def test_database_lives_in_a_named_volume(self) -> None:
        config = compose_config(PROD_COMPOSE)
        [volume] = [
            v for v in config["services"]["db"]["volumes"]
            if v["target"] == "/var/lib/postgresql/data"
        ]  # fmt: skip
        assert volume["type"] == "volume"
        assert volume["source"] in config["volumes"]

    @pytest.mark.parametrize(
        "secret", ["SECRET_KEY", "POSTGRES_PASSWORD", "FIRST_ADMIN_PASSWORD", "IMAGE_TAG"]
    )
    def test_refuses_to_start_without_a_required_setting(self, secret: str, tmp_path: Path) -> None:
        env = {k: v for k, v in {**env_example(), **PROD_SECRETS}.items() if k != secret}
        env_file = tmp_path / "prod.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        result = compose(PROD_COMPOSE, "config", "-q", env_file=env_file, check=False)
        assert result.returncode != 0
        assert f"set {secret}" in result.stderr
