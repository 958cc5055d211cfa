"""A variance that is 0 in exact arithmetic gives no test, not t ~ 1e16 and p = 0.

A domain made of exactly one PSU has influence values that sum to 0 within that PSU, so its
mean has no sampling variance; rounding used to leave an SE of ~1e-17 and a "significant"
difference with nothing behind it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barotrend.design import Design


def _design():
    rng = np.random.default_rng(5)
    n = 120
    psu = np.repeat(np.arange(12), 10)
    df = pd.DataFrame({"psu": psu, "s": psu % 3, "y": rng.normal(1e3, 5, n),
                       "w": rng.uniform(1, 3, n),
                       "g": np.where(psu == 0, "a", np.where(psu == 1, "b", "other"))})
    return Design(df, weights="w", strata="s", cluster="psu")


def test_compare_of_two_whole_psus_has_no_test():
    r = _design().compare("y", "g", "a", "b")
    assert r["se"].iloc[0] == 0.0
    assert np.isnan(r["statistic"].iloc[0]) and np.isnan(r["p_value"].iloc[0])
    assert "no sampling variance" in r["note"].iloc[0]
    assert r["difference"].iloc[0] != 0


def test_a_real_variance_is_kept():
    r = _design().compare("y", "g", "a", "other")
    assert r["se"].iloc[0] > 0 and 0 < r["p_value"].iloc[0] <= 1


def test_contrast_of_whole_psu_means_has_no_variance():
    d = _design()
    r = d.contrast("y", {"a": 1, "b": -1}, by="g")
    assert r["se"].iloc[0] == 0.0
