"""Property-based fuzzing of the whole API from its OpenAPI schema (schemathesis), as a signed-in
user, against the live backend: no input may become a 5xx, and the schema states every rule the
API enforces (a request the schema allows is accepted, one it forbids is refused)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

# Seconds of fuzzing and stateful testing; FUZZ_SECONDS raises it for a longer hunt.
FUZZ_SECONDS = int(os.environ.get("FUZZ_SECONDS", "90"))


def _sign_in(backend_url: str) -> str:
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    password = "fuzz-password-1"  # noqa: S105
    with httpx.Client(base_url=backend_url, timeout=30) as client:
        client.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": password, "full_name": "Fuzz"},
        ).raise_for_status()
        token = client.post(
            "/api/v1/auth/login", data={"username": email, "password": password}
        ).json()["access_token"]
    return str(token)


def test_no_input_is_a_server_error_or_a_schema_mismatch(backend_url: str, tmp_path: Path) -> None:
    token = _sign_in(backend_url)
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{backend_url}/api/v1/openapi.json",
        "--url",
        backend_url,
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance,"
        "response_schema_conformance,negative_data_rejection,positive_data_acceptance",
        # Deleting the account would end the run's session at its first example; the
        # backend's own tests cover it.
        "--exclude-operation-id",
        "users-delete_me",
        "--max-time",
        str(FUZZ_SECONDS),
        "--workers",
        "2",
        "--seed",
        os.environ.get("FUZZ_SEED", "14"),
        "--request-timeout",
        "10",
        "--suppress-health-check",
        "too_slow,filter_too_much",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    # In tmp_path: schemathesis keeps its cache of past failures in the working folder.
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS + 240,
        check=False,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20_000:]
