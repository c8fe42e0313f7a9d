"""smoke: a few users for under a minute. Does every path answer, fast enough, without errors?"""

from __future__ import annotations

from locust import LoadTestShape

from loadtests.run import RUN


class SmokeShape(LoadTestShape):
    measured = "run"  # the whole run is measured

    def __init__(self) -> None:
        super().__init__()
        settings = RUN.shape_settings
        self.users = int(settings["users"])
        self.spawn_rate = float(settings["spawn_rate"])
        self.duration = float(settings["duration_seconds"])

    def tick(self) -> tuple[int, float] | None:
        if self.get_run_time() >= self.duration:
            return None
        if not RUN.windows:
            RUN.enter("run", self.users)
        return self.users, self.spawn_rate
