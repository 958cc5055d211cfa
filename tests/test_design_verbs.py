"""Design's verbs are the sibling modules' functions, with explicit signatures."""

import inspect

import numpy as np
import pandas as pd
import pytest

from barotrend import Design
from barotrend.design import chisq, contrasts, glm
from barotrend.simulate import simulate_barometer
from barotrend.weighting import adjust_nonresponse, calibrate, poststratify, rake, trim


@pytest.fixture(scope="module")
def sim():
    return simulate_barometer(seed=5)


@pytest.fixture(scope="module")
def d(sim):
    return Design(sim.respondents[sim.respondents["wave"] == "W3"].reset_index(drop=True),
                  cluster="unit")


def test_no_catch_all_signatures():
    for name in ("compare", "chisq", "glm", "poststratify", "rake", "calibrate", "trim",
                 "adjust_nonresponse"):
        params = inspect.signature(getattr(Design, name)).parameters.values()
        assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params), name


def test_verbs_equal_functions(d, sim):
    pd.testing.assert_frame_equal(d.compare("budget_confidence", "gp", True, False),
                                  contrasts.compare(d, "budget_confidence", "gp", True, False))
    pd.testing.assert_frame_equal(d.chisq("grip_too_much", "gp"),
                                  chisq.chisq(d, "grip_too_much", "gp"))
    pd.testing.assert_frame_equal(d.glm("budget_confidence ~ gp").table,
                                  glm.glm(d, "budget_confidence ~ gp").table)
    pop = {"chair": 211, "accountable officer": 211}
    np.testing.assert_array_equal(d.poststratify("role", pop).weights,
                                  poststratify(d, "role", pop).weights)
    np.testing.assert_array_equal(d.rake({"role": pop}).weights, rake(d, {"role": pop}).weights)
    np.testing.assert_array_equal(d.calibrate({"role": pop}).weights,
                                  calibrate(d, {"role": pop}).weights)
    w = d.poststratify("role", pop)
    np.testing.assert_array_equal(w.trim(upper=6).weights, trim(w, upper=6).weights)
    frame = sim.frame[sim.frame["wave"] == "W3"].reset_index(drop=True)
    np.testing.assert_array_equal(
        Design(frame).adjust_nonresponse("responded", by="region").weights,
        adjust_nonresponse(Design(frame), "responded", by="region").weights)
