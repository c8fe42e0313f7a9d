"""soak: steady load for a long time; the backend's memory must not keep growing."""

from __future__ import annotations

from locust import LoadTestShape

from loadtests.run import RUN


class SoakShape(LoadTestShape):
    measured = "steady"

    def __init__(self) -> None:
        super().__init__()
        settings = RUN.shape_settings
        self.users = int(settings["users"])
        self.spawn_rate = float(settings["spawn_rate"])
        self.ramp = self.users / self.spawn_rate
        self.duration = float(settings["duration_seconds"])

    def tick(self) -> tuple[int, float] | None:
        run_time = self.get_run_time()
        if run_time >= self.ramp + self.duration:
            return None
        phase = "ramp" if run_time < self.ramp else "steady"
        if not RUN.windows or RUN.windows[-1].name != phase:
            RUN.enter(phase, self.users)
        return self.users, self.spawn_rate
