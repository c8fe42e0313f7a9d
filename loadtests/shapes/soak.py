"""soak: steady load for a long time; the backend's memory must not keep growing."""

from __future__ import annotations

from loadtests.shapes.ramp import RampAndKeep


class SoakShape(RampAndKeep):
    measured = "steady"
    length_setting = "duration_seconds"
