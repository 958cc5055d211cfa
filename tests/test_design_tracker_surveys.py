"""DesignTracker.compare_surveys and comparability: two microdata surveys, records per wave."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from barotrend import Tracker
from barotrend.design import Design
from barotrend.tracking.comparability import ComparabilityWarning


def _ccg():
    df = pd.DataFrame({"psu": [1, 1, 2, 2, 3, 3, 4, 4],
                       "w": [1.0, 2, 1, 1, 3, 1, 2, 2],
                       "conf": [7.0, 8, 5, 6, 9, 4, 6, 7]})
    df2 = df.assign(conf=df["conf"] - 1)
    return {"W1": Design(df, weights="w", cluster="psu"),
            "W2": Design(df2, weights="w", cluster="psu")}


def _trusts():
    df = pd.DataFrame({"conf": [5.0, 6, 4, 7, 5, 3], "w": [1.0, 1, 2, 2, 1, 3],
                       "st": [1, 1, 1, 2, 2, 2]})
    return {"T1": Design(df, weights="w", strata="st")}


def _pair(**kw):
    a = Tracker.from_designs(_ccg(), items="conf", survey="CCG leaders")
    b = Tracker.from_designs(_trusts(), items="conf", survey="Trust CEs", **kw)
    return a, b


def test_difference_and_se_by_hand():
    a, b = _pair()
    ma = _ccg()["W2"].mean("conf").iloc[0]
    mb = _trusts()["T1"].mean("conf").iloc[0]
    r = a.compare_surveys(b, "conf", "W2", "T1").iloc[0]
    # hand computation: weighted means from the data, independent-sample SE, min df
    d = pd.DataFrame({"w": [1.0, 2, 1, 1, 3, 1, 2, 2], "y": [6.0, 7, 4, 5, 8, 3, 5, 6]})
    assert ma["estimate"] == pytest.approx((d.w * d.y).sum() / d.w.sum(), abs=1e-12)
    assert r["estimate_a"] == pytest.approx(ma["estimate"], abs=1e-12)
    assert r["estimate_b"] == pytest.approx(mb["estimate"], abs=1e-12)
    diff = ma["estimate"] - mb["estimate"]
    se = math.sqrt(ma["se"] ** 2 + mb["se"] ** 2)
    df = min(ma["df"], mb["df"])
    assert df == 3  # 4 PSUs - 1 stratum vs 6 rows - 2 strata = 4: the smaller is 3
    assert r["difference"] == pytest.approx(diff, abs=1e-12)
    assert r["se"] == pytest.approx(se, rel=1e-12)
    assert r["df"] == df
    q = stats.t.ppf(0.975, df)
    assert r["ci_low"] == pytest.approx(diff - q * se, rel=1e-12)
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(abs(diff / se), df), rel=1e-10)


def test_estimate_a_belongs_to_first_tracker():
    a, b = _pair()
    r_ab = a.compare_surveys(b, "conf", "W1", "T1").iloc[0]
    r_ba = b.compare_surveys(a, "conf", "T1", "W1").iloc[0]
    assert r_ab["estimate_a"] == pytest.approx(_ccg()["W1"].mean("conf")["estimate"].iloc[0])
    assert r_ab["survey"] == "CCG leaders vs Trust CEs"
    assert r_ba["estimate_a"] == pytest.approx(r_ab["estimate_b"])
    assert r_ba["difference"] == pytest.approx(-r_ab["difference"])
    assert r_ba["se"] == pytest.approx(r_ab["se"])


def test_wording_difference_warns_and_notes():
    a, b = _pair()
    a.wordings = {"conf": "How confident are you in the budget?"}
    b.wordings = {"conf": "How confident is the board in the plan?"}
    with pytest.warns(ComparabilityWarning, match="wording differs"):
        r = a.compare_surveys(b, "conf", "W1", "T1").iloc[0]
    assert "wording differs" in r["note"]
    assert np.isfinite(r["difference"])
    with pytest.raises(ValueError, match="wording differs"):
        a.compare_surveys(b, "conf", "W1", "T1", strict=True)


def test_same_records_no_warning():
    a, b = _pair(wordings={"conf": "How confident?"}, scales={"conf": "0-10"})
    a.wordings = {"conf": "How  Confident?"}  # same up to case and spacing
    a.scales = {"conf": "0-10"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComparabilityWarning)
        r = a.compare_surveys(b, "conf", "W1", "T1").iloc[0]
    assert "differs" not in r["note"]


def test_population_and_scale_difference_noted():
    a, b = _pair()
    a.population, b.population = "CCG leaders", "trust chief executives"
    a.scales, b.scales = {"conf": "1-10"}, {"conf": "0-10"}
    with pytest.warns(ComparabilityWarning):
        note = a.compare_surveys(b, "conf", "W1", "T1")["note"].iloc[0]
    assert "population differs" in note and "scale differs" in note


def test_bad_input_named():
    a, b = _pair()
    with pytest.raises(ValueError, match="item_b='trust'.*other tracker"):
        a.compare_surveys(b, "conf", "W1", "T1", item_b="trust")
    with pytest.raises(ValueError, match="'nope'"):
        a.compare_surveys(b, "nope", "W1", "T1")
    with pytest.raises(ValueError, match="wave_b='W1'"):
        a.compare_surveys(b, "conf", "W1", "W1")
    with pytest.raises(ValueError, match="wave_a='W9'"):
        a.compare_surveys(b, "conf", "W9", "T1")
    with pytest.raises(TypeError, match="DesignTracker"):
        a.compare_surveys(pd.DataFrame(), "conf", "W1", "T1")


def test_item_without_answers_is_nan_with_note():
    d = _ccg()
    d["W2"] = Design(d["W2"].data.assign(conf=np.nan), weights="w", cluster="psu")
    a = Tracker.from_designs(d, items="conf")
    b = Tracker.from_designs(_trusts(), items="conf")
    r = a.compare_surveys(b, "conf", "W2", "T1").iloc[0]
    assert np.isnan(r["difference"]) and "no answer to 'conf' in wave 'W2'" in r["note"]


def test_comparability_records_and_consecutive_flags():
    a = Tracker.from_designs(_ccg(), items="conf")
    a.wordings = {"conf": {"W1": "Confident?", "W2": "How confident?"}}
    a.population = "CCG leaders"
    with pytest.warns(ComparabilityWarning, match="W1 -> W2"):
        c = a.comparability("conf")
    assert c["wave"].tolist() == ["W1", "W2"]
    assert c["n"].tolist() == [8, 8]
    assert c["statistic"].tolist() == ["mean", "mean"]
    assert c["population"].tolist() == ["CCG leaders"] * 2
    assert c["differs"].iloc[0] == ""
    assert "wording differs" in c["differs"].iloc[1]
    assert "cluster sample" in c["design"].iloc[0] and "df 3" in c["design"].iloc[0]


def test_comparability_stacked_share():
    df = pd.DataFrame({"unit": [1, 2, 3, 1, 2, 3], "wave": ["W1"] * 3 + ["W2"] * 3,
                       "ok": [1.0, 0, np.nan, 1, 1, 0]})
    t = Tracker.from_designs(Design(df, cluster="unit"), items="ok", wave="wave")
    c = t.comparability("ok")
    assert c["statistic"].tolist() == ["share", "share"]
    assert c["n"].tolist() == [2, 3]
    assert c["design"].iloc[0].startswith("stacked")
