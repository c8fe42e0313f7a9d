"""Ramp up to a number of users, then keep them for a set time: the shape of `load` and `soak`,
which differ only in what they call the kept phase and the setting that says how long it lasts."""

from __future__ import annotations

from typing import ClassVar

from locust import LoadTestShape

from loadtests.run import RUN


class RampAndKeep(LoadTestShape):
    abstract: ClassVar[bool] = True
    measured: ClassVar[str]  # the kept phase's name: the window the thresholds judge
    length_setting: ClassVar[str]  # the shape's setting that holds the kept phase's seconds

    def __init__(self) -> None:
        super().__init__()
        settings = RUN.shape_settings
        self.users = int(settings["users"])
        self.spawn_rate = float(settings["spawn_rate"])
        self.ramp = self.users / self.spawn_rate
        self.length = float(settings[self.length_setting])

    def tick(self) -> tuple[int, float] | None:
        run_time = self.get_run_time()
        if run_time >= self.ramp + self.length:
            return None
        phase = "ramp" if run_time < self.ramp else self.measured
        if not RUN.windows or RUN.windows[-1].name != phase:
            RUN.enter(phase, self.users)
        return self.users, self.spawn_rate
