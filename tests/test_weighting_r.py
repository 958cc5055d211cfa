"""barotrend.weighting against R's survey 4.1 (postStratify, rake, calibrate, trimWeights).

Expected values: tests/reference/fixtures_weighting.json, written by
tests/reference/make_fixtures_weighting.R from the api data in tests/reference/data/.
Compared: the adjusted weights, and svymean(~api00) / svytotal(~enroll) with their SEs, to
1e-8 relative. The mean and total are computed here from the design's weights and its
``vcov`` (influence values of a ratio of totals and of a total), so these tests pin the
weighting verbs and their variance adjusters, not the estimator module.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.weighting import calibrate, poststratify, rake, trim

REF = Path(__file__).parent / "reference"
FIX = json.loads((REF / "fixtures_weighting.json").read_text())
POP = FIX["population"]
RTOL = 1e-8


def _data(name):
    return pd.read_csv(REF / "data" / f"{name}.csv")


def _design(name):
    if name == "strat":
        return Design(_data("apistrat"), weights="pw", strata="stype", fpc="fpc")
    return Design(_data("apiclus1"), weights="pw", cluster="dnum", fpc="fpc")


CAL_TOTALS = {"stype": POP["stype"], "api99": POP["api99"]}
STEPS = {
    "poststratify_stype": lambda d: poststratify(d, "stype", POP["stype"]),
    "poststratify_stype_schwide": lambda d: poststratify(
        d, ["stype", "sch.wide"], {(a, b): n for a, b, n in POP["stype_schwide"]}),
    "rake_stype_schwide": lambda d: rake(d, {"stype": POP["stype"],
                                            "sch.wide": POP["sch.wide"]}),
    "calibrate_linear": lambda d: calibrate(d, CAL_TOTALS),
    "calibrate_raking": lambda d: calibrate(d, CAL_TOTALS, calfun="raking"),
    "calibrate_logit": lambda d: calibrate(d, CAL_TOTALS, calfun="logit",
                                           bounds=FIX["bounds"]["calibrate_logit"]),
    "calibrate_linear_bounded": lambda d: calibrate(
        d, CAL_TOTALS, bounds=FIX["bounds"]["calibrate_linear_bounded"]),
    "calibrate_logit_wide": lambda d: calibrate(d, CAL_TOTALS, calfun="logit",
                                                bounds=FIX["bounds"]["calibrate_logit_wide"]),
    "trim_upper40": lambda d: trim(d, upper=40),
    "trim_lower18_upper35": lambda d: trim(d, lower=18, upper=35),
    "trim_lower18_upper35_strict": lambda d: trim(d, lower=18, upper=35, strict=True),
    "calibrate_linear_then_trim36": lambda d: trim(calibrate(d, CAL_TOTALS), upper=36,
                                                   strict=True),
    "poststratify_stype_then_calibrate_linear": lambda d: calibrate(
        poststratify(d, "stype", POP["stype"]), CAL_TOTALS),
    "rake_then_poststratify_schwide": lambda d: poststratify(
        rake(d, {"stype": POP["stype"], "sch.wide": POP["sch.wide"]}), "sch.wide",
        POP["sch.wide"]),
}


def mean_and_total(d):
    """(mean api00, se), (total enroll, se) from the design's weights and vcov."""
    w = d.weights
    y = d.data["api00"].to_numpy(float)
    e = d.data["enroll"].to_numpy(float)
    mean = np.sum(w * y) / np.sum(w)
    total = np.sum(w * e)
    if d.is_replicate:
        vm = d.vcov(lambda W: ((W * y[:, None]).sum(0) / W.sum(0))[:, None], None)
        vt = d.vcov(lambda W: (W * e[:, None]).sum(0)[:, None], None)
    else:
        vm = d.vcov(None, ((y - mean) / np.sum(w))[:, None])
        vt = d.vcov(None, e[:, None])
    return (mean, np.sqrt(vm[0, 0])), (total, np.sqrt(vt[0, 0]))


@pytest.mark.parametrize("case", FIX["cases"], ids=lambda c: f"{c['design']}-{c['adjustment']}")
def test_taylor_design_matches_r(case):
    if case["adjustment"] == "trim_lower18_upper35":
        # by hand: 44.21 -> 35 and 15.1 -> 18 leave 100*9.21 - 50*2.9 = 776 for the 50 weights
        # 20.36, which become 35.88 > 35; R (strict=FALSE) keeps them: we warn.
        with pytest.warns(UserWarning, match="50 weight.s. are outside"):
            d = STEPS[case["adjustment"]](_design(case["design"]))
    else:
        d = STEPS[case["adjustment"]](_design(case["design"]))
    np.testing.assert_allclose(d.weights, case["weights"], rtol=RTOL)
    (m, sm), (t, st) = mean_and_total(d)
    np.testing.assert_allclose([m, sm], case["mean_api00"], rtol=RTOL)
    np.testing.assert_allclose([t, st], case["total_enroll"], rtol=RTOL)


def test_infeasible_bounds_raise_like_r():
    # R: calibrate(dclus1, ~stype + api99, pop, bounds = c(0.8, 1.2)) -> "Calibration failed"
    inf = FIX["infeasible"]
    assert inf["r_error"] == "Calibration failed"
    with pytest.raises(ValueError, match=r"cannot meet the totals within bounds \(0.8, 1.2\)"):
        calibrate(_design(inf["design"]), CAL_TOTALS, bounds=inf["bounds"])


def test_original_design_unchanged():
    d = _design("strat")
    w = d.weights.copy()
    calibrate(poststratify(d, "stype", POP["stype"]), CAL_TOTALS)
    np.testing.assert_array_equal(d.weights, w)
    assert d.score_adjusters == ()


def _jk1():
    data = pd.concat([_data("apiclus1"), _data("apiclus1_jk1")], axis=1)
    jk = FIX["jk1_clus1"]
    return Design.from_replicate_weights(data, r"^rep\d+$", weights="pw", type="JK1",
                                         scale=jk["scale"], rscales=jk["rscales"], mse=jk["mse"])


@pytest.mark.parametrize("case", FIX["jk1_clus1"]["cases"], ids=lambda c: c["adjustment"])
def test_replicate_design_matches_r(case):
    # R redoes each adjustment on every JK1 replicate (svyrep.design methods)
    d = _jk1()
    if case["adjustment"] != "none":
        d = STEPS[case["adjustment"]](d)
    assert d.is_replicate
    np.testing.assert_allclose(d.weights, case["weights"], rtol=RTOL)
    (m, sm), (t, st) = mean_and_total(d)
    np.testing.assert_allclose([m, sm], case["mean_api00"], rtol=RTOL)
    np.testing.assert_allclose([t, st], case["total_enroll"], rtol=RTOL)


@pytest.mark.parametrize("name", ["calibrate_logit", "rake_stype_schwide",
                                  "poststratify_stype_then_calibrate_linear"])
def test_design_estimators_see_the_adjustment(name):
    # the same R values through the Design's own mean/total estimators
    case = next(c for c in FIX["cases"] if c["design"] == "clus1" and c["adjustment"] == name)
    d = STEPS[name](_design("clus1"))
    m, t = d.mean("api00"), d.total("enroll")
    np.testing.assert_allclose([m["estimate"].iloc[0], m["se"].iloc[0]], case["mean_api00"],
                               rtol=RTOL)
    np.testing.assert_allclose([t["estimate"].iloc[0], t["se"].iloc[0]], case["total_enroll"],
                               rtol=RTOL)


def test_trim_redone_on_every_replicate():
    # after calibration, trim with a strict cap: every replicate column keeps its total and
    # respects the cap scaled by its mean positive weight over the sample's
    d = calibrate(_jk1(), CAL_TOTALS)
    R = d.replicate_weights
    before = R.sum(axis=0)
    t = trim(d, upper=36, strict=True)
    np.testing.assert_allclose(t.replicate_weights.sum(axis=0), before, rtol=1e-12)
    caps = 36 * np.array([R[R[:, j] > 0, j].mean() for j in range(R.shape[1])]) / \
        d.weights.mean()
    assert np.all(t.replicate_weights.max(axis=0) <= caps * (1 + 1e-12))
    assert t.weights.max() <= 36 * (1 + 1e-12)
