"""Survey-weighted GLMs against R's svyglm (fixtures: tests/reference/make_fixtures_models.R).

R: svyglm(api00 ~ ell + meals + mobility, design) and
svyglm(sch_wide_yes ~ ell + meals, design, family=quasibinomial()), both with
glm.control(epsilon=1e-14), on one-stage cluster, stratified, two-stage (fpc at both stages)
and JK1 replicate designs, and a post-stratified one-stage cluster design.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from reference_designs import DESIGNS, FIX, design

from barotrend.design import Design
from barotrend.design.glm import GLMResult, glm

MODELS = {"gaussian": "api00 ~ ell + meals + mobility",
          "binomial": 'I(sch_wide == "Yes") ~ ell + meals'}


@pytest.mark.parametrize("family", list(MODELS))
@pytest.mark.parametrize("name", DESIGNS)
def test_matches_svyglm(name, family):
    ref = FIX["glm"][name][family]
    r = glm(design(name), MODELS[family], family=family)
    t = r.table
    assert t["item"].tolist() == ["Intercept" if x == "(Intercept)" else x for x in ref["terms"]]
    for col in ("estimate", "se", "statistic", "p_value"):
        np.testing.assert_allclose(t[col].to_numpy(), ref[col], rtol=1e-8, err_msg=col)
    assert (t["df"] == ref["df"]).all()
    assert r.df == ref["df"]


def _data(n=40, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({"x": x, "z": rng.uniform(size=n), "y": 1 + 2 * x + rng.normal(size=n),
                         "g": np.repeat(np.arange(n // 4), 4)})


def test_srs_sandwich_is_hc0_times_n_over_n_minus_1():
    # By hand: with one stratum, no fpc and every row a PSU, the design variance of
    # sum_i u_i (u_i = A^-1 x_i e_i, which sum to zero) is n/(n-1) sum u_i u_i' = n/(n-1) HC0.
    df = _data()
    r = glm(Design(df), "y ~ x + z")
    x = sm.add_constant(df[["x", "z"]])
    hc0 = sm.OLS(df["y"], x).fit(cov_type="HC0").cov_params().to_numpy()
    np.testing.assert_allclose(r.cov_params.to_numpy(), hc0 * 40 / 39, rtol=1e-10)
    assert r.df == 39 + 1 - 3


def test_cluster_sandwich_is_cluster_robust_times_g_over_g_minus_1():
    # By hand: one-stage clusters, no strata or fpc: G/(G-1) sum_g U_g U_g'; statsmodels'
    # cluster-robust covariance without its small-sample correction is sum_g U_g U_g'.
    df = _data()
    r = glm(Design(df, cluster="g"), "y ~ x")
    x = sm.add_constant(df[["x"]])
    cr = sm.OLS(df["y"], x).fit(cov_type="cluster",
                                cov_kwds={"groups": df["g"], "use_correction": False})
    np.testing.assert_allclose(r.cov_params.to_numpy(), cr.cov_params().to_numpy() * 10 / 9,
                               rtol=1e-10)


def test_formula_sees_the_callers_functions_and_boolean_response():
    def square(v):
        return v**2

    df = _data().assign(hit=lambda f: f["y"] > 1)
    r = glm(Design(df), "hit ~ square(x)", family="binomial")
    assert r.table["item"].tolist() == ["Intercept", "square(x)"]
    logit = sm.GLM(df["hit"].astype(float), sm.add_constant(df["x"] ** 2),
                   family=sm.families.Binomial()).fit(tol=1e-12)
    np.testing.assert_allclose(r.table["estimate"], logit.params, rtol=1e-8)


def test_result_object():
    r = glm(design("dclus1"), MODELS["binomial"], family="binomial")
    assert isinstance(r, GLMResult)
    # The statsmodels fit carries the same coefficients (its own SEs are model-based).
    np.testing.assert_allclose(np.asarray(r.fit.params), r.table["estimate"], rtol=1e-12)
    assert list(r.cov_params.columns) == r.table["item"].tolist()
    text = repr(r)
    assert text.startswith("Survey-weighted GLM (binomial)") and "meals" in text


def test_missing_rows_are_dropped_and_counted():
    df = _data()
    df.loc[[3, 17], "x"] = np.nan
    r = glm(Design(df), "y ~ x")
    assert (r.table["n"] == 38).all()
    # The fit equals the weighted least squares fit on the complete rows.
    ols = sm.OLS(df["y"], sm.add_constant(df[["x"]]), missing="drop").fit()
    np.testing.assert_allclose(r.table["estimate"], ols.params, rtol=1e-10)


@pytest.mark.parametrize("index", [np.arange(40)[::-1] * 3, np.repeat(np.arange(20), 2)])
def test_any_row_index(index):
    # A reversed or duplicated index must not change which weight goes with which row.
    df = _data().assign(w=np.linspace(1, 3, 40))
    df.loc[5, "x"] = np.nan
    ref = glm(Design(df, weights="w"), "y ~ x").table
    r = glm(Design(df.set_axis(index), weights="w"), "y ~ x").table
    pd.testing.assert_frame_equal(r, ref)


def test_weights_are_design_weights():
    df = _data().assign(w=np.linspace(1, 3, 40))
    r = glm(Design(df, weights="w"), "y ~ x")
    wls = sm.WLS(df["y"], sm.add_constant(df[["x"]]), weights=df["w"]).fit()
    np.testing.assert_allclose(r.table["estimate"], wls.params, rtol=1e-10)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"family": "gamma"}, "family"),  # poisson is a family since issue 16
    ({"formula": "api00"}, "formula"),
    ({"formula": "api00 ~ nope"}, "formula"),
    ({"formula": "api00 ~ ell", "family": "binomial"}, "formula"),
    ({"formula": "api00 ~ ell + I(2 * ell)"}, "formula"),
    ({"conf_level": 0}, "conf_level"),
])
def test_bad_input_names_argument(kwargs, name):
    args = {"formula": "api00 ~ ell", "family": "gaussian"} | kwargs
    with pytest.raises(ValueError, match=f"^{name}"):
        glm(design("dclus1"), **args)


DOMAIN_MODELS = {"gaussian": ("api00 ~ ell + meals", "stype == 'E'"),
                 "binomial": ('I(sch_wide == "Yes") ~ ell', "stype != 'H'")}


@pytest.mark.parametrize("family", list(DOMAIN_MODELS))
@pytest.mark.parametrize("name", DESIGNS)
def test_domain_matches_svyglm_on_subset(name, family):
    """svyglm(formula, subset(design, ...)): the domain's rows, the full design's variance."""
    ref = FIX["glm_domain"][name][family]
    formula, subset = DOMAIN_MODELS[family]
    r = design(name).glm(formula, family=family, subset=subset)
    t = r.table
    for col in ("estimate", "se", "statistic", "p_value"):
        np.testing.assert_allclose(t[col].to_numpy(), ref[col], rtol=1e-8, err_msg=col)
    assert r.df == ref["df"]
    assert f"domain {subset!r} of the full design" in t["note"][0]


def test_domain_intercept_is_the_domain_mean():
    """y ~ 1 in a domain is the domain mean: the same estimate and linearised SE as
    Design.mean(by=...) (an identity of the estimating equations, not a fixture)."""
    d = design("dclus2")
    g = d.glm("api00 ~ 1", subset="stype == 'M'").table
    m = d.mean("api00", by="stype").set_index("group").loc["M"]
    np.testing.assert_allclose([g["estimate"][0], g["se"][0]], [m["estimate"], m["se"]],
                               rtol=1e-10)
    assert g["df"][0] == m["df"]  # domain df + 1 - 1


def test_domain_mask_forms_agree():
    d = design("dstrat")
    mask = (d.data["stype"] == "E").to_numpy()
    a = d.glm("api00 ~ ell", subset=mask).table
    b = d.glm("api00 ~ ell", subset=d.data.assign(e=mask)["e"].to_numpy()).table
    c = Design(d.data.assign(is_e=mask), weights="pw", strata="stype", fpc="fpc").glm(
        "api00 ~ ell", subset="is_e").table
    for x in (b, c):
        np.testing.assert_allclose(x["se"], a["se"], rtol=1e-12)


@pytest.mark.parametrize("subset, msg", [
    ("ell", "column 'ell' must be boolean"),
    ("stype == 'Z'", "expression \"stype == 'Z'\" selects no row"),
    ("no_such_col > 1", "'no_such_col > 1' is neither a column nor an expression"),
    (np.array([True, False]), "mask has 2 values for 200 rows"),
])
def test_domain_bad_subset(subset, msg):
    with pytest.raises(ValueError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        design("dstrat").glm("api00 ~ ell", subset=subset)


# -- issue 12 item 8: an exact fit ------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda df: Design(df),
    lambda df: Design(df, weights="w", cluster="c"),
    lambda df: Design(df, weights="w", cluster="c").replicate("JK1"),
])
def test_exact_fit_gives_se_zero(make):
    # R: svyglm(y ~ 1) on a constant y = 3 gives 3 with SE 0 (statsmodels' GLM cannot start
    # from a zero deviance). Group means 1 and 2 exactly: Intercept 1, g[T.b] 1, SE 0.
    df = pd.DataFrame({"y": [3.0, 3, 3, 3, 3, 3], "z": [1.0, 1, 2, 2, 2, 2],
                       "g": list("aabbbb"), "w": [1.0, 2, 1, 3, 1, 2], "c": [1, 2, 3, 4, 5, 6]})
    for formula, expected in (("y ~ 1", [3.0]), ("z ~ g", [1.0, 1.0])):
        r = make(df).glm(formula).table
        assert r["estimate"].tolist() == pytest.approx(expected, abs=1e-14)
        assert r["se"].tolist() == [0.0] * len(expected)
        assert r["ci_low"].tolist() == r["estimate"].tolist() == r["ci_high"].tolist()
        assert r["statistic"].isna().all() and r["p_value"].isna().all()
        assert r["note"].str.contains("fits the data exactly").all()


def test_nearly_exact_fit_keeps_its_variance():
    # y = 3, 3, 3, 3 + 1e-9: a real residual (1e-9 is about 1e6 times the round-off of 3), so
    # the SE is the SRS one, s / sqrt(n): deviations -0.25e-9 (three times) and 0.75e-9, sum of
    # squares 0.75e-18, s^2 = 0.25e-18, var of the mean 0.0625e-18, se = 0.25e-9 (to the
    # 1e-6 relative precision of a 1e-9 difference stored next to 3).
    r = Design(pd.DataFrame({"y": [3.0, 3, 3, 3 + 1e-9]})).glm("y ~ 1").table
    assert r["se"][0] == pytest.approx(0.25e-9, rel=1e-5)
    assert np.isfinite(r["statistic"][0])


@pytest.mark.parametrize("y, x, formula", [
    ([0, 0, 0, 1, 1, 1.0], [1, 2, 3, 4, 5, 6.0], "y ~ x"),   # complete separation at x = 3.5
    ([0, 0, 0, 0, 0, 0.0], [1, 2, 3, 4, 5, 6.0], "y ~ 1"),   # every response 0: logit -inf
])
def test_binomial_complete_separation_is_refused(y, x, formula):
    # no finite MLE: statsmodels stopped at -207 (SE 4.3, p 1e-6) or -30.6, a silent wrong number
    d = Design(pd.DataFrame({"y": y, "x": x}))
    with pytest.raises(ValueError, match="predicts every response exactly"):
        d.glm(formula, family="binomial")


def test_binomial_quasi_separation_is_noted():
    # x = 1: all 0 (the logit of that cell diverges), x = 2: 1 of 3: quasi-complete separation
    d = Design(pd.DataFrame({"y": [0, 0, 0, 1, 0, 0.0], "x": [1, 1, 1, 2, 2, 2.0]}))
    r = d.glm("y ~ C(x)", family="binomial").table
    assert r["note"].str.contains("fitted probabilities numerically 0 or 1 for 3 rows").all()
    # the other cell's fitted share is still its mean, 1/3
    assert 1 / (1 + np.exp(-(r["estimate"].sum()))) == pytest.approx(1 / 3, rel=1e-6)
