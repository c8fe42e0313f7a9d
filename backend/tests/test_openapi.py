"""The OpenAPI schema the front end's client is generated from."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.server import BACKEND_DIR


def test_schema_lists_every_route_with_stable_operation_ids() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.openapi"],
        cwd=BACKEND_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    schema = json.loads(result.stdout)
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"auth-login", "auth-signup", "items-list_items", "users-read_me"} <= operations
    assert not any(path.startswith("/api/v1/test") for path in schema["paths"])
    error = schema["components"]["schemas"]["ErrorResponse"]
    assert set(error["required"]) == {"error", "detail"}
