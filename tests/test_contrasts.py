"""Domain contrasts against R's svyby(covmat=TRUE) + svycontrast and svyttest.

Fixtures: tests/reference/make_fixtures_models.R (contrast E - H of api00 by stype).
"""

import numpy as np
import pandas as pd
import pytest
from reference_designs import DESIGNS, FIX, design
from scipy import stats

from barotrend.design import Design
from barotrend.design.contrasts import compare


@pytest.mark.parametrize("name", DESIGNS)
def test_matches_svycontrast(name):
    ref = FIX["compare"][name]
    r = compare(design(name), "api00", "stype", "E", "H").iloc[0]
    for ours, theirs in [("estimate_a", "estimate_a"), ("estimate_b", "estimate_b"),
                         ("difference", "difference"), ("se", "se"), ("se_a", "se_a"),
                         ("se_b", "se_b"), ("cov_ab", "cov_ab"), ("statistic", "statistic"),
                         ("p_value", "p_value"), ("df", "df")]:
        assert r[ours] == pytest.approx(ref[theirs], rel=1e-10), ours
    q = stats.t.ppf(0.975, ref["df"])
    assert r["ci_low"] == pytest.approx(ref["difference"] - q * ref["se"], rel=1e-10)


@pytest.mark.parametrize("name", DESIGNS)
def test_matches_svyttest_with_one_df_fewer(name):
    # svyttest(api00 ~ sch.wide) regresses on the Yes indicator: difference Yes - No, t on
    # degf - 1 degrees of freedom, 95% interval from confint.svyglm.
    d = design(name)
    ref = FIX["compare"][name]["ttest"]
    r = compare(d, "api00", "sch_wide", "Yes", "No", df=d.df - 1).iloc[0]
    assert r["difference"] == pytest.approx(ref["difference"], rel=1e-10)
    assert r["statistic"] == pytest.approx(ref["statistic"], rel=1e-10)
    assert r["df"] == ref["df"]
    assert r["p_value"] == pytest.approx(ref["p_value"], rel=1e-9)
    np.testing.assert_allclose([r["ci_low"], r["ci_high"]], ref["ci"], rtol=1e-9)


def _wr_stratified_cluster_cov(x, strata, psu):
    """By hand: sum_h m_h/(m_h-1) sum_j (T_hj - Tbar_h)(T_hj - Tbar_h)' over PSU totals T."""
    v = np.zeros((x.shape[1], x.shape[1]))
    for h in np.unique(strata):
        ids = np.unique(psu[strata == h])
        t = np.array([x[psu == j].sum(axis=0) for j in ids])
        dev = t - t.mean(axis=0)
        v += len(ids) / (len(ids) - 1) * dev.T @ dev
    return v


def test_by_hand_stratified_cluster_variance():
    rng = np.random.default_rng(4)
    n = 60
    df = pd.DataFrame({"s": np.repeat([1, 2, 3], 20), "c": np.repeat(np.arange(12), 5),
                       "w": rng.uniform(1, 4, n), "y": rng.normal(10, 3, n),
                       "g": rng.choice(["p", "q", "r"], n)})
    r = compare(Design(df, weights="w", strata="s", cluster="c"), "y", "g", "p", "q").iloc[0]
    # Domain means are ratios; influence z_d = I_d (y - ybar_d) / N_d (Woodruff linearisation).
    w, y = df["w"].to_numpy(), df["y"].to_numpy()
    ia, ib = (df["g"] == "p").to_numpy(), (df["g"] == "q").to_numpy()
    ma, mb = np.sum(w * y * ia) / np.sum(w * ia), np.sum(w * y * ib) / np.sum(w * ib)
    z = np.column_stack([ia * (y - ma) / np.sum(w * ia) - ib * (y - mb) / np.sum(w * ib)])
    v = _wr_stratified_cluster_cov(w[:, None] * z, df["s"].to_numpy(), df["c"].to_numpy())
    assert r["difference"] == pytest.approx(ma - mb, rel=1e-12)
    assert r["se"] == pytest.approx(np.sqrt(v[0, 0]), rel=1e-12)
    assert r["df"] == 12 - 3
    assert r["n_a"] + r["n_b"] == r["n"] == ia.sum() + ib.sum()


def test_boolean_variable_gives_difference_of_proportions():
    df = pd.DataFrame({"yes": [True, False, True, True, False, True], "g": list("aabbab")})
    r = compare(Design(df), "yes", "g", "b", "a").iloc[0]
    assert r["estimate_a"] == pytest.approx(1.0)  # b rows: True, True, True
    assert r["estimate_b"] == pytest.approx(1 / 3)  # a rows: True, False, False
    # By hand (SRS with replacement, n = 6): difference 2/3; influence of the b rows is 0
    # (y - 1 = 0), of the a rows -(y - 1/3)/3 = -2/9, 1/9, 1/9 (mean over all 6 is 0), so
    # V = 6/5 * (4 + 1 + 1)/81 = 36/405 and se = sqrt(36/405) = 0.298142.
    assert r["difference"] == pytest.approx(2 / 3, rel=1e-12)
    assert r["se"] == pytest.approx(np.sqrt(36 / 405), rel=1e-12)


@pytest.mark.parametrize("name", [n for n in DESIGNS if n != "dclus1_ps"])
def test_share_contrast_matches_svycontrast(name):
    # R: svyby(~yes, ~stype, <yes = sch.wide == "Yes">, svymean, covmat=TRUE) + svycontrast.
    ref = FIX["compare"][name]["share"]
    r = compare(design(name), "sch_wide", "stype", "E", "H", level="Yes").iloc[0]
    assert r["difference"] == pytest.approx(ref["difference"], rel=1e-10)
    assert r["se"] == pytest.approx(ref["se"], rel=1e-10)


def test_level_compares_shares_like_a_boolean_column():
    # R: svyby(~I(sch.wide == "Yes"), ~stype, dclus1, svymean, covmat=TRUE) + svycontrast is
    # the contrast of the 0/1 column; check level= against the explicit boolean column.
    d = design("dclus1")
    r = compare(d, "sch_wide", "stype", "E", "H", level="Yes").iloc[0]
    data = d.data.assign(yes=d.data["sch_wide"] == "Yes")
    ref = compare(Design(data, weights="pw", cluster="dnum", fpc="fpc"), "yes", "stype", "E",
                  "H").iloc[0]
    assert r["item"] == "sch_wide = Yes"
    for c in ("estimate_a", "estimate_b", "difference", "se", "p_value"):
        assert r[c] == pytest.approx(ref[c], rel=1e-12)
    with pytest.raises(ValueError, match="^level"):
        compare(d, "sch_wide", "stype", "E", "H", level="Maybe")


def test_missing_values_leave_the_domains():
    df = pd.DataFrame({"y": [1.0, 2, np.nan, 4, 5, 6, 7, 8], "g": list("aabbabab")})
    r = compare(Design(df), "y", "g", "a", "b").iloc[0]
    assert r["n_a"] == 4 and r["n_b"] == 3
    assert r["estimate_b"] == pytest.approx((4 + 6 + 8) / 3)


def test_several_grouping_columns():
    # Domains of (stype, sch_wide): the contrast equals the one on a combined column.
    d = design("dstrat")
    r = compare(d, "api00", ["stype", "sch_wide"], ("E", "Yes"), ["M", "No"]).iloc[0]
    data = d.data.assign(key=d.data["stype"] + "/" + d.data["sch_wide"])
    ref = compare(Design(data, weights="pw", strata="stype", fpc="fpc"), "api00", "key",
                  "E/Yes", "M/No").iloc[0]
    assert r["group"] == "E/Yes - M/No" == ref["group"]
    for c in ("difference", "se", "p_value", "n"):
        assert r[c] == pytest.approx(ref[c], rel=1e-12)


def test_does_not_change_the_data():
    d = design("dclus1")
    before = d.data.copy()
    compare(d, "api00", "stype", "E", "M")
    pd.testing.assert_frame_equal(d.data, before)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"var": "nope"}, "var"),
    ({"var": "sch_wide"}, "var"),
    ({"a": "Z"}, "a"),
    ({"b": "Z"}, "b"),
    ({"b": "E"}, "b"),
    ({"by": "nope"}, "by"),
    ({"conf_level": 95}, "conf_level"),
])
def test_bad_input_names_argument(kwargs, name):
    args = {"var": "api00", "by": "stype", "a": "E", "b": "H"} | kwargs
    with pytest.raises(ValueError, match=f"^{name}"):
        compare(design("dclus1"), **args)
