"""load: ramp up to the expected peak, then hold it; the hold is what the thresholds judge."""

from __future__ import annotations

from locust import LoadTestShape

from loadtests.run import RUN


class LoadShape(LoadTestShape):
    measured = "hold"

    def __init__(self) -> None:
        super().__init__()
        settings = RUN.shape_settings
        self.users = int(settings["users"])
        self.spawn_rate = float(settings["spawn_rate"])
        self.ramp = self.users / self.spawn_rate
        self.hold = float(settings["hold_seconds"])

    def tick(self) -> tuple[int, float] | None:
        run_time = self.get_run_time()
        if run_time >= self.ramp + self.hold:
            return None
        phase = "ramp" if run_time < self.ramp else "hold"
        if not RUN.windows or RUN.windows[-1].name != phase:
            RUN.enter(phase, self.users)
        return self.users, self.spawn_rate
