"""Strict validation of custom resources against the CRD schemas vendored in crds/.

Each file holds one CRD version's openAPIV3Schema (descriptions removed) and says where it came
from (x-source). Validation is strict like `kubectl apply --validate=strict`: a field the
schema does not declare is an error, except under x-kubernetes-preserve-unknown-fields.
CEL rules (x-kubernetes-validations) are not evaluated: only an API server does that.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CRDS = Path(__file__).resolve().parent / "crds"


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    schema = {key: _strict(value) for key, value in node.items()}
    if schema.pop("x-kubernetes-int-or-string", False):
        schema.pop("type", None)
        schema["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.pop("nullable", False) and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    is_object = schema.get("type") == "object"
    open_ended = (
        schema.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in schema
    )
    if is_object and "properties" in schema and not open_ended:
        schema["additionalProperties"] = False
    return schema


@cache
def _schemas() -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in sorted(CRDS.glob("*.json")):
        crd = json.loads(path.read_text())
        api_version = f"{crd['group']}/{crd['version']}"
        found[(api_version, crd["kind"])] = _strict(crd["schema"])
    return found


def known(api_version: str, kind: str) -> bool:
    return (api_version, kind) in _schemas()


def errors(obj: dict[str, Any]) -> list[str]:
    schema = _schemas()[(obj["apiVersion"], obj["kind"])]
    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(obj)
    ]


def sources() -> list[dict[str, Any]]:
    return [json.loads(path.read_text())["x-source"] for path in sorted(CRDS.glob("*.json"))]
