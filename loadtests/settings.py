"""The load tests' settings: loadtests/settings.toml, with an optional file merged over it."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).with_name("settings.toml")
# Set by `python -m loadtests` for the Locust process it starts.
OVERRIDE_ENV = "LOADTEST_SETTINGS"
SHAPES = ("smoke", "load", "stress", "soak")


@dataclass(frozen=True)
class Thresholds:
    p95_ms: float
    p99_ms: float
    error_ratio: float
    min_rps: float


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def load(override: Path | None = None) -> dict[str, Any]:
    """The merged settings; `override` defaults to the file named by $LOADTEST_SETTINGS."""
    settings = tomllib.loads(DEFAULT_FILE.read_text())
    if override is None and os.environ.get(OVERRIDE_ENV):
        override = Path(os.environ[OVERRIDE_ENV])
    if override is not None:
        settings = _merge(settings, tomllib.loads(override.read_text()))
    return settings


def shape_settings(settings: dict[str, Any], shape: str) -> dict[str, Any]:
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
    result: dict[str, Any] = settings["shapes"][shape]
    return result


def thresholds(settings: dict[str, Any], shape: str) -> Thresholds:
    return Thresholds(**shape_settings(settings, shape)["thresholds"])
