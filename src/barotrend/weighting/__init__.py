"""Weighting: non-response adjustment, post-stratification, raking, calibration, trimming and
weight diagnostics. Every adjustment takes a Design and returns a new Design."""

from barotrend.weighting.calibration import calibrate, poststratify, rake
from barotrend.weighting.trimming import trim

__all__ = ["calibrate", "poststratify", "rake", "trim"]
