"""Weighting: non-response adjustment, post-stratification, raking, calibration, trimming and
weight diagnostics. Every adjustment takes a Design and returns a new Design."""

from barotrend.weighting.calibration import calibrate, poststratify, rake
from barotrend.weighting.diagnostics import check_margins, effective_n, kish_deff, weight_summary
from barotrend.weighting.nonresponse import adjust_nonresponse, nonresponse_diagnostics
from barotrend.weighting.trimming import trim
from barotrend.weighting.twostage import carry_down

__all__ = ["adjust_nonresponse", "calibrate", "carry_down", "check_margins", "effective_n",
           "kish_deff", "nonresponse_diagnostics", "poststratify", "rake", "trim",
           "weight_summary"]
