"""Weighting: non-response adjustment, post-stratification, raking, calibration, trimming and
weight diagnostics. Every adjustment takes a Design and returns a new Design.

The public functions load on first use (see :mod:`barotrend._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from barotrend._lazy import attach

_LAZY = {
    "calibrate": "barotrend.weighting.calibration",
    "poststratify": "barotrend.weighting.calibration",
    "rake": "barotrend.weighting.calibration",
    "check_margins": "barotrend.weighting.diagnostics",
    "effective_n": "barotrend.weighting.diagnostics",
    "kish_deff": "barotrend.weighting.diagnostics",
    "weight_summary": "barotrend.weighting.diagnostics",
    "adjust_nonresponse": "barotrend.weighting.nonresponse",
    "nonresponse_diagnostics": "barotrend.weighting.nonresponse",
    "trim": "barotrend.weighting.trimming",
    "carry_down": "barotrend.weighting.twostage",
}
__all__ = [
    "adjust_nonresponse", "calibrate", "carry_down", "check_margins", "effective_n",
    "kish_deff", "nonresponse_diagnostics", "poststratify", "rake", "trim", "weight_summary",
]
__getattr__, __dir__ = attach(__name__, _LAZY, globals())

if TYPE_CHECKING:
    from barotrend.weighting.calibration import calibrate, poststratify, rake
    from barotrend.weighting.diagnostics import (
        check_margins,
        effective_n,
        kish_deff,
        weight_summary,
    )
    from barotrend.weighting.nonresponse import adjust_nonresponse, nonresponse_diagnostics
    from barotrend.weighting.trimming import trim
    from barotrend.weighting.twostage import carry_down
