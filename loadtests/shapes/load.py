"""load: ramp up to the expected peak, then hold it; the hold is what the thresholds judge."""

from __future__ import annotations

from loadtests.shapes.ramp import RampAndKeep


class LoadShape(RampAndKeep):
    measured = "hold"
    length_setting = "hold_seconds"
