"""Tests of barotrend.compare: compare_estimates and adjust_pvalues.

Expected values: Benjamini and Hochberg (1995), R's sleep Welch example and by-hand derivations.
"""

import math

import numpy as np
import pandas as pd
import pytest

from barotrend.compare import adjust_pvalues, compare_estimates

# Benjamini, Y. and Hochberg, Y. (1995). JRSS B 57, 289-300, section 4.2: the 15 p-values of
# Neuhaus et al.; at q = 0.05 the BH procedure rejects the 4 smallest (p_(4) = 0.0095 <=
# 4/15 * 0.05 = 0.0133, p_(5) = 0.0201 > 0.0167 and no later p_(i) <= i/15 * 0.05), while the
# Bonferroni procedure rejects 3 (p <= 0.05/15 = 0.00333).
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
           0.4262, 0.5719, 0.6528, 0.7590, 1.000]


def test_bh_1995_example():
    res = pd.DataFrame({"item": [f"h{i}" for i in range(15)], "p_value": BH_1995})
    bh = adjust_pvalues(res, "fdr_bh")
    assert int((bh.p_adjusted <= 0.05).sum()) == 4
    bonf = adjust_pvalues(res, "bonferroni")
    assert int((bonf.p_adjusted <= 0.05).sum()) == 3
    # Holm: 0.0001 <= 0.05/15, 0.0004 <= 0.05/14, 0.0019 <= 0.05/13, 0.0095 > 0.05/12 -> 3
    holm = adjust_pvalues(res, "holm")
    assert int((holm.p_adjusted <= 0.05).sum()) == 3
    # BH adjusted value of the 4th: min_{j>=4} 15 p_(j)/j = 15 * 0.0095/4 = 0.035625
    assert bh.p_adjusted[3] == pytest.approx(0.035625)


def test_holm_values_by_hand_and_copy():
    # p = (0.01, 0.04, 0.03); sorted 0.01, 0.03, 0.04 -> 3*0.01 = 0.03, max(0.03, 2*0.03) = 0.06,
    # max(0.06, 1*0.04) = 0.06; back in input order (0.03, 0.06, 0.06).
    res = pd.DataFrame({"p_value": [0.01, 0.04, 0.03]}, index=[10, 20, 30])
    out = adjust_pvalues(res)
    assert out.p_adjusted.tolist() == pytest.approx([0.03, 0.06, 0.06])
    assert "p_adjusted" not in res.columns  # the input is not modified
    assert list(out.index) == [10, 20, 30]


def test_missing_pvalues_stay_missing_and_leave_the_family():
    # family of 2: Bonferroni 2 * 0.02 = 0.04 and 2 * 0.3 = 0.6
    res = pd.DataFrame({"p": [0.02, np.nan, 0.3]})
    out = adjust_pvalues(res, "bonferroni", column="p")
    assert out.p_adjusted[0] == pytest.approx(0.04)
    assert np.isnan(out.p_adjusted[1])
    assert out.p_adjusted[2] == pytest.approx(0.6)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "hochberg"}, r"method must be one of .* got 'hochberg'"),
    ({"column": "p"}, r"column='p' is not a column of results"),
])
def test_adjust_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        adjust_pvalues(pd.DataFrame({"p_value": [0.1]}), **kwargs)


def test_adjust_bad_pvalues_and_type():
    with pytest.raises(ValueError, match=r"p_value must lie within 0-1, got 1.5"):
        adjust_pvalues(pd.DataFrame({"p_value": [0.1, 1.5]}))
    with pytest.raises(ValueError, match=r"results must be a DataFrame, got list"):
        adjust_pvalues([0.1, 0.2])


# ---------------------------------------------------------------------------------------------
# compare_estimates
# ---------------------------------------------------------------------------------------------


def test_independent_z_by_hand():
    # se = sqrt(0.048^2 * 2) = 0.067882; z = 0.05/0.067882 = 0.73657;
    # p = 2(1 - Phi(0.73657)) = 0.4614 (normal table, Phi(0.73) = 0.76730, Phi(0.74) = 0.77035)
    r = compare_estimates({"estimate": 0.73, "se": 0.048}, {"estimate": 0.68, "se": 0.048})
    assert r.se[0] == pytest.approx(0.067882, abs=1e-6)
    assert r.statistic[0] == pytest.approx(0.73657, abs=1e-5)
    assert r.p_value[0] == pytest.approx(0.4614, abs=5e-5)
    assert r.method[0] == "z" and np.isnan(r.df[0])
    assert r.ci_low[0] == pytest.approx(0.05 - 1.959964 * 0.067882, abs=1e-6)


def test_welch_from_two_rows_matches_r_sleep():
    # R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p = 0.07939.
    # rows: mean 0.75, sd 1.789010 (n 10) and mean 2.33, sd 2.002249 (n 10): se = sd/sqrt(10), df 9.
    a = pd.Series({"estimate": 0.75, "se": 1.789010 / math.sqrt(10), "df": 9})
    b = pd.DataFrame([{"estimate": 2.33, "se": 2.002249 / math.sqrt(10), "df": 9}])
    r = compare_estimates(a, b)
    assert round(float(r.statistic[0]), 4) == -1.8608
    assert round(float(r.df[0]), 3) == 17.776
    assert round(float(r.p_value[0]), 5) == 0.07939
    assert r.method[0] == "t"


def test_correlation_and_cov_agree_by_hand():
    # se_a = 0.05, se_b = 0.04, rho = 0.5: var = 0.0025 + 0.0016 - 2*0.5*0.002 = 0.0021
    a, b = {"estimate": 0.6, "se": 0.05}, {"estimate": 0.5, "se": 0.04}
    r1 = compare_estimates(a, b, correlation=0.5)
    r2 = compare_estimates(a, b, cov=0.001)
    assert r1.se[0] == pytest.approx(math.sqrt(0.0021))
    assert r2.se[0] == pytest.approx(math.sqrt(0.0021))
    assert "correlation 0.5" in r1.note[0] and "covariance" in r2.note[0]


def test_labels_kept_or_joined():
    a = {"estimate": 0.73, "se": 0.05, "item": "area_team", "wave": "W2", "survey": "s"}
    b = {"estimate": 0.68, "se": 0.05, "item": "area_team", "wave": "W3", "survey": "s"}
    r = compare_estimates(a, b)
    assert r["item"][0] == "area_team"
    assert r["wave"][0] == "W2 vs W3"
    # missing labels (NaN from a DataFrame row) are not written as "nan"
    r2 = compare_estimates(pd.Series({"estimate": 0.7, "se": 0.05, "group": float("nan")}),
                           {"estimate": 0.6, "se": 0.05, "group": "GP"})
    assert r2["group"][0] == "- vs GP"


@pytest.mark.parametrize("a, b, kwargs, match", [
    ({"estimate": 0.5, "se": 0.1}, {"estimate": 0.4, "se": 0.1}, {"correlation": 0.2, "cov": 0.001}, r"correlation or cov, not both"),
    ({"estimate": 0.5, "se": 0.1}, {"estimate": 0.4, "se": 0.1}, {"correlation": 2}, r"correlation must lie within -1 to 1, got 2"),
    ({"estimate": 0.5, "se": 0.1}, {"estimate": 0.4, "se": 0.1}, {"correlation": 1}, r"variance of the difference is 0"),
    ({"estimate": 0.5}, {"estimate": 0.4, "se": 0.1}, {}, r"a needs a finite 'se', got se=None"),
    ({"estimate": 0.5, "se": 0.1}, {"estimate": float("nan"), "se": 0.1}, {}, r"b needs a finite 'estimate', got estimate=nan"),
    ({"estimate": 0.5, "se": -0.1}, {"estimate": 0.4, "se": 0.1}, {}, r"a needs se 0 or more, got se=-0.1"),
    ({"estimate": 0.5, "se": 0.1, "df": -3}, {"estimate": 0.4, "se": 0.1, "df": 5}, {}, r"df must be greater than 0, got df=-3"),
    (pd.DataFrame({"estimate": [1, 2], "se": [1, 1]}), {"estimate": 0.4, "se": 0.1}, {}, r"a must be one result row, got a DataFrame with 2 rows"),
    ([0.5, 0.1], {"estimate": 0.4, "se": 0.1}, {}, r"a must be a result row .* got list"),
    ({"estimate": 0.5, "se": 0.1}, {"estimate": 0.4, "se": 0.1}, {"conf_level": 1}, r"conf_level must lie strictly between 0 and 1, got 1"),
    ({"estimate": 0.5, "se": 0.1}, {"estimate": 0.4, "se": 0.1}, {"cov": "x"}, r"cov must be a finite number, got 'x'"),
])
def test_compare_estimates_bad_input(a, b, kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare_estimates(a, b, **kwargs)
