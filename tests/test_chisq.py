"""Tests of association against R's svychisq (fixtures: tests/reference/make_fixtures_models.R).

R: svychisq(~sch.wide + stype, design, statistic=s) for s in F, Chisq, Wald, adjWald,
saddlepoint.
"""

import numpy as np
import pandas as pd
import pytest
from reference_designs import DESIGNS, FIX, design
from scipy import stats

from barotrend.design import Design
from barotrend.design.chisq import STATISTICS, chisq


@pytest.mark.parametrize("statistic", STATISTICS)
@pytest.mark.parametrize("name", DESIGNS)
def test_matches_svychisq(name, statistic):
    ref = FIX["chisq"][name][statistic]
    r = chisq(design(name), "sch_wide", "stype", statistic=statistic).iloc[0]
    assert r["statistic"] == pytest.approx(ref["statistic"], rel=1e-10)
    assert r["p_value"] == pytest.approx(ref["p_value"], rel=1e-9)
    if statistic == "Chisq":
        assert r["df_num"] == ref["parameter"][0]  # R reports (r-1)(c-1) = 2
    elif statistic == "saddlepoint":
        assert ref["parameter"] == []  # R reports no df for it
    else:
        np.testing.assert_allclose([r["df_num"], r["df"]], ref["parameter"], rtol=1e-10)


def test_pearson_is_the_plain_chisquare_for_equal_weights():
    # With equal weights the rescaled weighted table is the count table: X2 must equal
    # scipy's Pearson statistic without continuity correction.
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"a": rng.choice(["x", "y", "z"], 80), "b": rng.choice(["u", "v"], 80)})
    counts = pd.crosstab(df["a"], df["b"]).to_numpy()
    ref = stats.chi2_contingency(counts, correction=False).statistic
    r = chisq(Design(df), "a", "b", statistic="Chisq").iloc[0]
    assert r["statistic"] == pytest.approx(ref, rel=1e-12)
    assert r["pearson"] == pytest.approx(ref, rel=1e-12)
    assert r["n"] == 80


def test_two_by_two_rao_scott_is_x2_over_the_design_effect():
    # By hand: in a 2x2 table Delta is a scalar, so first and second order coincide:
    # d0 = 1, F = X2 / delta, p-value from F(1, nu), and Chisq p-value from chi2(1) of X2/delta.
    d = design("dclus1")
    f = chisq(d, "sch_wide", "both", statistic="F").iloc[0]
    c = chisq(d, "sch_wide", "both", statistic="Chisq").iloc[0]
    assert f["df_num"] == pytest.approx(1.0, rel=1e-12)
    assert f["df"] == pytest.approx(d.df, rel=1e-12)
    assert f["statistic"] == pytest.approx(c["pearson"] / c["delta_mean"], rel=1e-12)
    assert c["p_value"] == pytest.approx(stats.chi2.sf(f["statistic"], 1), rel=1e-10)


def test_missing_values_are_left_out_of_the_table():
    df = pd.DataFrame({"a": ["x", "x", "y", "y", None, "x", "y", "x"],
                       "b": ["u", "v", "u", "v", "u", "u", "v", "u"]})
    r = chisq(Design(df), "a", "b").iloc[0]
    assert r["n"] == 7
    counts = pd.crosstab(df["a"], df["b"]).to_numpy()
    assert r["pearson"] == pytest.approx(
        stats.chi2_contingency(counts, correction=False).statistic, rel=1e-12)


@pytest.mark.parametrize("statistic", STATISTICS)
def test_missing_values_against_svychisq(statistic):
    """R on apiclus1 with sch.wide missing in rows 5, 41, 100 and stype in 3, 10, 40 (1-based).

    Every p-value, F and df agrees with R. For "Chisq" and "saddlepoint" R reports the X2 of
    the table scaled to all 183 rows, the 6 with a missing value included; barotrend scales it
    to the 177 rows in the table, which is R's statistic on the subset design (the p-values,
    from the Rao-Scott corrected statistic, are the same).
    """
    ref = FIX["chisq_na"][statistic]
    data = design("dclus1").data.copy()
    data.loc[[2, 9, 39], "stype"] = None
    data.loc[[4, 40, 99], "sch_wide"] = None
    d = Design(data, weights="pw", cluster="dnum", fpc="fpc")
    r = chisq(d, "sch_wide", "stype", statistic=statistic).iloc[0]
    assert r["n"] == 177
    # the saddlepoint's root is found by R to uniroot's tol = 1e-8, which moves p by ~1e-9
    assert r["p_value"] == pytest.approx(ref["p_value"],
                                         rel=1e-8 if statistic == "saddlepoint" else 1e-10)
    assert r["statistic"] == pytest.approx(ref["statistic_subset"], rel=1e-10)
    if statistic in ("Chisq", "saddlepoint"):  # both report the Pearson X2
        assert r["statistic"] == pytest.approx(ref["statistic"] * 177 / 183, rel=1e-10)
    else:
        assert r["statistic"] == pytest.approx(ref["statistic"], rel=1e-10)
        np.testing.assert_allclose([r["df_num"], r["df"]], ref["parameter"], rtol=1e-10)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"statistic": "davies"}, "statistic"),
    ({"row": "nope"}, "row"),
    ({"col": "nope"}, "col"),
    ({"col": "sch_wide"}, "col"),
    ({"row": "cds"}, "row"),
])
def test_bad_input_names_argument(kwargs, name):
    d = design("dclus1")
    if kwargs.get("row") == "cds":  # a column with a single level
        d = Design(d.data.assign(cds="one"), weights="pw", cluster="dnum", fpc="fpc")
    args = {"row": "sch_wide", "col": "stype"} | kwargs
    with pytest.raises(ValueError, match=f"^{name}"):
        chisq(d, **args)
