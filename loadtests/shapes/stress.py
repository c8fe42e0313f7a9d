"""stress: add users step by step until a step breaks a threshold; the knee is the last rate
that met them all.

Each step is judged on the client's exact figures once its users have all spawned, so the
shape can stop as soon as a step fails instead of running to max_users.
"""

from __future__ import annotations

import time

from locust import LoadTestShape

from loadtests import gate
from loadtests.run import RUN, Step

SETTLE_SECONDS = 2  # after the last user of a step has spawned, before measuring it


class StressShape(LoadTestShape):
    measured = "step"

    def __init__(self) -> None:
        super().__init__()
        settings = RUN.shape_settings
        self.start_users = int(settings["start_users"])
        self.step_users = int(settings["step_users"])
        self.step_seconds = float(settings["step_seconds"])
        self.max_users = int(settings["max_users"])
        self.spawn_rate = float(settings["spawn_rate"])
        self.current = -1

    def tick(self) -> tuple[int, float] | None:
        index = int(self.get_run_time() // self.step_seconds)
        if index != self.current:
            if self.current >= 0 and not self._judge_step():
                return None  # the step just ended broke a threshold: that is the top
            self.current = index
            users = self.start_users + index * self.step_users
            if users > self.max_users:
                return None
            RUN.enter(f"step {index + 1}", users)
        return self.start_users + self.current * self.step_users, self.spawn_rate

    def _judge_step(self) -> bool:
        window = RUN.windows[-1]
        spawn = (self.step_users if self.current else self.start_users) / self.spawn_rate
        start = window.start + min(spawn + SETTLE_SECONDS, self.step_seconds / 2)
        stats = RUN.samples.window(start, time.time())
        passed = gate.meets(RUN.thresholds, stats)
        RUN.steps.append(Step(window.users, stats, passed))
        return passed
