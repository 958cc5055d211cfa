"""Term tests, count models, predictive margins and ordinal regression against R's survey
(fixtures: tests/reference/make_fixtures_models2.R -> fixtures_models2.json; R 4.x, survey
4.1.1, MASS) on R's own data: the api samples (one-stage cluster, stratified, two-stage with
fpc, JK1 replicate weights exported by R) and nhanes (strata, PSUs nested).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference_designs import DATA, design

from barotrend.design import Design

FIX = json.loads((Path(__file__).parent / "reference" / "fixtures_models2.json").read_text())
API = ["dclus1", "dstrat", "dclus2", "jk1"]
RTOL = 1e-7


def api(name):
    d = design(name)
    return d


def nhanes():
    frame = pd.read_csv(DATA / "nhanes.csv")
    frame["female"] = (frame["RIAGENDR"] == 2).astype(float)
    return Design(frame, weights="WTMEC2YR", strata="SDMVSTRA", cluster="SDMVPSU", nest=True)


NH = None


def nh():
    global NH
    if NH is None:
        NH = nhanes()
    return NH


def _r_name(t):
    """patsy's coefficient name for R's (stypeH -> stype[T.H], race2 -> C(race)[T.2])."""
    if t == "(Intercept)":
        return "Intercept"
    for var, pre in (("stype", "stype"), ("race", "C(race)"), ("agecat", "agecat")):
        if t.startswith(var) and t != var:
            return f"{pre}[T.{t[len(var):]}]"
    return t


def _check_table(fit, ref, rtol=RTOL):
    """patsy orders a formula's categorical terms first: compare by coefficient name."""
    t = fit.table.set_index("item").loc[[_r_name(t) for t in ref["terms"]]]
    assert len(t) == len(fit.table)
    for col in ("estimate", "se", "statistic", "p_value"):
        np.testing.assert_allclose(t[col].to_numpy(), ref[col], rtol=rtol, err_msg=col)
    assert fit.df == ref["df"]
    np.testing.assert_allclose(fit.model.deviance, ref["deviance"], rtol=1e-9)


def _check_wald(t, ref):
    np.testing.assert_allclose(t.statistic, ref["statistic"], rtol=RTOL)
    np.testing.assert_allclose(t.p_value, ref["p_value"], rtol=RTOL)
    assert (t.df, t.ddf) == (ref["df"], ref["ddf"])


def _check_lrt(t, ref):
    np.testing.assert_allclose(t.statistic, ref["chisq"], rtol=RTOL)
    np.testing.assert_allclose(t.lambdas, ref["lambda"], rtol=RTOL)
    # R's saddle() solves for the saddlepoint with uniroot(tol = 1e-8)
    np.testing.assert_allclose(t.p_value, ref["p_value"], rtol=1e-6)
    assert (t.df, t.ddf) == (ref["df"], ref["ddf"])


GAUSS = "api00 ~ ell + meals + mobility + stype"
BINOM = "sch_wide_yes ~ ell + meals + stype"


@pytest.mark.parametrize("name", API)
def test_term_tests_match_regtermtest(name):
    ref = FIX["termtest"][name]
    d = design(name)
    g = d.glm(GAUSS)
    _check_table(g, ref["gaussian"])
    _check_wald(g.term_test("stype"), ref["gaussian_stype"]["wald"])
    _check_lrt(g.term_test("stype", method="LRT"), ref["gaussian_stype"]["lrt"])
    _check_wald(g.term_test("ell + meals"), ref["gaussian_ell_meals"]["wald"])
    _check_lrt(g.term_test(["meals", "ell"], method="LRT"), ref["gaussian_ell_meals"]["lrt"])
    b = d.glm('I((sch_wide == "Yes") * 1.0) ~ ell + meals + stype', family="binomial")
    _check_table(b, ref["binomial"])
    _check_wald(b.term_test("stype"), ref["binomial_stype"]["wald"])
    _check_lrt(b.term_test("stype", method="LRT"), ref["binomial_stype"]["lrt"])
    i = d.glm("api00 ~ ell * meals")
    _check_wald(i.term_test("meals:ell"), ref["interaction"]["wald"])
    _check_lrt(i.term_test("ell:meals", method="LRT"), ref["interaction"]["lrt"])


def test_term_tests_nhanes_missing_outcomes():
    """745 missing HI_CHOL: dropped from the fit, R's weights scaled over every row."""
    ref = FIX["termtest"]["nhanes"]
    g = nh().glm("HI_CHOL ~ C(race) + agecat + female", family="binomial")
    _check_table(g, ref["binomial"])
    _check_wald(g.term_test("C(race)"), ref["race"]["wald"])
    _check_lrt(g.term_test("C(race)", method="LRT"), ref["race"]["lrt"])
    _check_wald(g.term_test("C(race) + agecat"), ref["race_agecat"]["wald"])
    _check_lrt(g.term_test("C(race) + agecat", method="LRT"), ref["race_agecat"]["lrt"])


def test_term_not_in_model_is_named():
    g = design("dstrat").glm(GAUSS)
    with pytest.raises(ValueError, match=r"'avg_ed' is not a term of the model .*'stype'"):
        g.term_test("avg_ed")
    with pytest.raises(ValueError, match="'ell:stype' is not a term"):
        g.term_test("ell:stype")
    with pytest.raises(ValueError, match="method: expected one of"):
        g.term_test("ell", method="Score")
    with pytest.raises(TypeError, match="terms: expected"):
        g.term_test(3)


def test_wald_chi2_and_single_term_is_t_squared():
    """One coefficient: the Wald F is the coefficient's t squared, with the same p-value."""
    g = design("dclus1").glm(GAUSS)
    t = g.term_test("meals")
    row = g.table.set_index("item").loc["meals"]
    np.testing.assert_allclose(t.statistic, row["statistic"] ** 2, rtol=1e-12)
    np.testing.assert_allclose(t.p_value, row["p_value"], rtol=1e-10)
    c = g.term_test("meals", df=np.inf)
    np.testing.assert_allclose(c.p_value, 2 * __import__("scipy").stats.norm.sf(
        abs(row["statistic"])), rtol=1e-10)


# ---- counts -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", API)
@pytest.mark.parametrize("family", ["poisson", "quasipoisson"])
def test_counts_match_svyglm(name, family):
    ref = FIX["counts"][name]
    g = design(name).glm("enroll ~ stype + meals", family=family)
    _check_table(g, ref[family])
    _check_wald(g.term_test("stype"), ref["stype"]["wald"])
    _check_lrt(g.term_test("stype", method="LRT"), ref["stype"]["lrt"])


def test_poisson_and_quasipoisson_identical_in_r_and_here():
    for name in API:
        ref = FIX["counts"][name]
        assert ref["poisson"]["se"] == ref["quasipoisson"]["se"]
    d = design("dclus2")
    a, b = d.glm("enroll ~ meals", family="poisson"), d.glm("enroll ~ meals",
                                                              family="quasipoisson")
    pd.testing.assert_series_equal(a.table["se"], b.table["se"])


def test_count_bad_input():
    frame = pd.DataFrame({"y": [1.0, -2, 3, 4], "x": [1.0, 2, 3, 5]})
    with pytest.raises(ValueError, match=r"must be >= 0, got .*-2\.0"):
        Design(frame).glm("y ~ x", family="poisson")
    frame["y"] = 0.0
    with pytest.raises(ValueError, match="every count .* is 0"):
        Design(frame).glm("y ~ x", family="quasipoisson")


# ---- predictive margins -----------------------------------------------------------------------
def _check_margins(res, ref):
    marg = res[res["item"] == "margin"].set_index("group")
    np.testing.assert_allclose(marg.loc[ref["levels"], "estimate"], ref["estimate"], rtol=1e-9)
    np.testing.assert_allclose(marg.loc[ref["levels"], "se"], ref["se"], rtol=RTOL)
    diff = res[res["item"] == "difference"].set_index("group")
    for d in ref["differences"]:
        row = diff.loc[f"{d['level']} - {ref['reference']}"]
        np.testing.assert_allclose(row["estimate"], d["estimate"], rtol=1e-9)
        np.testing.assert_allclose(row["se"], d["se"], rtol=RTOL)
        q = __import__("scipy").stats.t.ppf(0.975, row["df"])
        np.testing.assert_allclose([row["ci_low"], row["ci_high"]],
                                   [d["estimate"] - q * d["se"], d["estimate"] + q * d["se"]],
                                   rtol=RTOL)


@pytest.mark.parametrize("name", API)
def test_margins_match_svypredmeans(name):
    ref = FIX["margins"][name]
    d = design(name)
    _check_margins(d.margins("api00 ~ ell + meals", by="stype", reference="E"), ref["gaussian"])
    b = d.margins('I((sch_wide == "Yes") * 1.0) ~ ell + meals', by="stype", family="binomial")
    _check_margins(b, ref["binomial"])
    assert b.attrs.get("shares") is True


def test_margins_nhanes_by_race():
    ref = FIX["margins"]["nhanes"]["binomial"]
    res = nh().margins("HI_CHOL ~ agecat + female", by="race", family="binomial", reference=1)
    _check_margins(res, ref)
    assert res.loc[res["item"] == "margin", "n"].sum() == nh().data["HI_CHOL"].notna().sum()


def test_margins_bad_input():
    d = design("dstrat")
    with pytest.raises(ValueError, match="'stype' is already in the formula"):
        d.margins("api00 ~ ell + stype", by="stype")
    with pytest.raises(ValueError, match="by: 'nope' is not a column"):
        d.margins("api00 ~ ell", by="nope")
    with pytest.raises(ValueError, match="reference: 'X' is not a level of 'stype'"):
        d.margins("api00 ~ ell", by="stype", reference="X")
