"""The state of one run, shared by the shapes, the users and the event listeners."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadtests import settings as settings_module
from loadtests.accounts import Accounts
from loadtests.samples import Samples, WindowStats


@dataclass
class Window:
    """A phase of the shape: its name, its user count, and when it ran (epoch seconds)."""

    name: str
    users: int
    start: float
    end: float | None = None


@dataclass(frozen=True)
class Step:
    """One step of the stress shape, judged on the client's exact figures."""

    users: int
    stats: WindowStats
    passed: bool


class Run:
    def __init__(self) -> None:
        self.settings: dict[str, Any] = settings_module.load()
        self.shape = os.environ.get("LOADTEST_SHAPE", "smoke")
        self.shape_settings = settings_module.shape_settings(self.settings, self.shape)
        if duration := os.environ.get("LOADTEST_DURATION"):
            key = "hold_seconds" if "hold_seconds" in self.shape_settings else "duration_seconds"
            self.shape_settings[key] = float(duration)
        self.thresholds = settings_module.thresholds(self.settings, self.shape)
        self.results = Path(os.environ.get("LOADTEST_RESULTS", "loadtests/results/adhoc"))
        self.prometheus_url = os.environ.get("LOADTEST_PROMETHEUS_URL", "")
        self.host = ""
        self.accounts = Accounts(self.settings)
        self.samples = Samples()
        self.windows: list[Window] = []
        self.steps: list[Step] = []
        self.started: float | None = None
        self.stopped: float | None = None
        self.preparation_seconds = 0.0
        self.cleanup: tuple[int, list[str]] = (0, [])

    def enter(self, name: str, users: int) -> Window:
        """Close the current phase and open the next."""
        now = time.time()
        if self.windows and self.windows[-1].end is None:
            self.windows[-1].end = now
        window = Window(name, users, now)
        self.windows.append(window)
        return window

    def close(self) -> None:
        if self.windows and self.windows[-1].end is None:
            self.windows[-1].end = time.time()

    def measured(self, prefix: str) -> list[Window]:
        return [w for w in self.windows if w.name.startswith(prefix) and w.end is not None]


RUN = Run()
