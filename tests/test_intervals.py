"""Proportion intervals against R's survey::svyciprop (fixtures from make_fixtures_models.R)."""

import numpy as np
import pandas as pd
import pytest
from reference_designs import FIX, design
from statsmodels.stats.proportion import proportion_confint

from barotrend.design import Design
from barotrend.design.intervals import (
    METHODS,
    _fmm_spline,
    likelihood_dispersion,
    logit_se,
    proportion_interval,
)

CASES = [r for r in FIX["ciprop"] if r["se"] > 0]


def _case_id(r):
    return f"{r['design']}-{r['variable']}-{r['level']}"


@pytest.mark.parametrize("method", ["logit", "xlogit", "beta", "mean", "asin"])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_matches_svyciprop(case, method):
    # R: svyciprop(~y, design, method=method, level=level); the estimate and SE are R's
    # svymean, se_logit is the SE of R's quasibinomial svyglm intercept (replicate refits on JK1).
    lo, hi = proportion_interval(case["estimate"], case["se"], df=case["df"], method=method,
                                 conf_level=case["level"], n=case["n"],
                                 se_logit=case["se_logit"] if method == "logit" else None)
    # logit: svyciprop fits its svyglm with R's default IRLS tolerance (epsilon 1e-8, not
    # adjustable through svyciprop), so its limits carry errors of a few 1e-8.
    np.testing.assert_allclose([lo, hi], case[method], rtol=5e-8 if method == "logit" else 1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if c["likelihood"][0] is not None],
                         ids=_case_id)
def test_likelihood_matches_r_profile(case):
    # R: plogis(confint(svyglm(y ~ 1, design, quasibinomial, <fully converged>), 1,
    # method="likelihood", ddf=degf)), the computation svyciprop(method="likelihood") does.
    lo, hi = proportion_interval(case["estimate"], case["se"], df=case["df"],
                                 method="likelihood", conf_level=case["level"], n=case["n"],
                                 se_logit=case["se_logit"])
    np.testing.assert_allclose([lo, hi], case["likelihood_converged"], rtol=1e-9)
    # The default dispersion n/(n-1) is R's for a 0/1 variable.
    assert case["dispersion"] == pytest.approx(case["n"] / (case["n"] - 1), rel=1e-12)
    # svyciprop itself stops its IRLS at R's default tolerance (see make_fixtures_models.R).
    np.testing.assert_allclose([lo, hi], case["likelihood"], rtol=1e-5)


def test_fmm_spline_matches_r_spline():
    # R: x <- c(0, 1, 2.5, 3, 4.2, 5); spline(x, sin(x), n = 18)$y (method "fmm").
    x = np.array([0, 1, 2.5, 3, 4.2, 5])
    ref = [0, 0.33226119658600844, 0.59328644356521687, 0.78434968569141295,
           0.90665471271293963, 0.96035558763000139, 0.94479829171342, 0.85930801956573688,
           0.70320996578949402, 0.47667378338610572, 0.19929166853107172,
           -0.091749000022909671, -0.37192172203563389, -0.62275312924408366,
           -0.82579840589456732, -0.96252287210258269, -1.0135261969197078,
           -0.95892427466313845]
    np.testing.assert_allclose(_fmm_spline(x, np.sin(x), np.linspace(0, 5, 18)), ref,
                               rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("case", [c for c in CASES if c["level"] == 0.95 and
                                  c["design"] != "jk1"], ids=_case_id)
def test_likelihood_dispersion_matches_summary_svyglm(case):
    # R: summary(svyglm(y ~ 1, design, family=quasibinomial))$dispersion (on the JK1 design
    # R's summary.svrepglm reports a different quantity, and its likelihood interval fails).
    d = design(case["design"])
    assert likelihood_dispersion(d, _indicator(d, case["variable"])) == pytest.approx(
        case["dispersion"], rel=1e-10)


def test_likelihood_brackets_the_estimate_and_widens_with_se():
    a = proportion_interval(0.2, 0.03, df=20, method="likelihood", n=200)
    b = proportion_interval(0.2, 0.05, df=20, method="likelihood", n=200)
    assert b[0] < a[0] < 0.2 < a[1] < b[1]


def test_logit_equals_xlogit_for_linearised_se():
    # Without se_logit, logit uses the delta method and coincides with xlogit (see docstring).
    a = proportion_interval(0.35, 0.04, df=12, method="logit")
    b = proportion_interval(0.35, 0.04, df=12, method="xlogit")
    assert a == pytest.approx(b, rel=1e-14)


def test_wilson_matches_statsmodels_with_effective_n():
    # df=inf: the Wilson interval on n_eff = p(1-p)/se^2 "successes out of n_eff"
    # must equal statsmodels' Wilson interval for count = p * n_eff, nobs = n_eff.
    p, se = 0.3, 0.05
    n_eff = p * (1 - p) / se**2
    lo, hi = proportion_interval(p, se, method="wilson")
    ref = proportion_confint(p * n_eff, n_eff, alpha=0.05, method="wilson")
    np.testing.assert_allclose([lo, hi], ref, rtol=1e-12)


def test_beta_with_srs_counts_is_clopper_pearson():
    # Korn-Graubard with se^2 = p(1-p)/n and df = n - 1 reduces to Clopper-Pearson on (x, n).
    x, n = 7, 40
    p = x / n
    se = np.sqrt(p * (1 - p) / n)
    lo, hi = proportion_interval(p, se, df=n - 1, method="beta", n=n)
    ref = proportion_confint(x, n, alpha=0.05, method="beta")
    np.testing.assert_allclose([lo, hi], ref, rtol=1e-10)


def test_vectorised_matches_scalar():
    est = np.array([0.1, 0.5, 0.8])
    se = np.array([0.02, 0.05, 0.04])
    for method in METHODS:
        lo, hi = proportion_interval(est, se, df=25, method=method, n=100)
        for i in range(3):
            assert (lo[i], hi[i]) == pytest.approx(
                proportion_interval(est[i], se[i], df=25, method=method, n=100), rel=1e-12)


def test_boundary_estimates_give_nan_except_mean():
    assert np.isnan(proportion_interval(0.0, 0.0, df=10, method="logit")).all()
    assert proportion_interval(0.0, 0.0, df=10, method="mean") == (0.0, 0.0)


def test_asin_clips_angle():
    # A wide interval near 0: the lower angle would go negative; clipped to 0 -> limit 0.
    lo, _ = proportion_interval(0.02, 0.05, df=10, method="asin")
    assert lo == 0.0


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"method": "wald"}, "method"),
    ({"conf_level": 1.5}, "conf_level"),
    ({"estimate": 1.2}, "estimate"),
    ({"se": -0.1}, "se"),
    ({"df": 0}, "df"),
    ({"method": "beta"}, "n"),
    ({"method": "likelihood"}, "n"),
    ({"method": "likelihood", "n": 50, "dispersion": 0.0}, "dispersion"),
])
def test_bad_input_names_argument(kwargs, name):
    args = {"estimate": 0.3, "se": 0.05, "df": 10, "method": "logit"} | kwargs
    with pytest.raises(ValueError, match=name):
        proportion_interval(**args)


def _indicator(d, variable):
    if variable == "sch_wide":
        return (d.data["sch_wide"] == "Yes").to_numpy(dtype=float)
    return (d.data["stype"] == "H").to_numpy(dtype=float)


@pytest.mark.parametrize("case", [c for c in CASES if c["level"] == 0.95], ids=_case_id)
def test_logit_se_matches_svyglm_intercept(case):
    # R: SE of the intercept of svyglm(y ~ 1, family=quasibinomial); replicate refits on JK1.
    d = design(case["design"])
    assert logit_se(d, _indicator(d, case["variable"])) == pytest.approx(case["se_logit"],
                                                                        rel=1e-10)


def test_logit_interval_on_replicate_design_with_logit_se():
    case = next(c for c in CASES if c["design"] == "jk1" and c["variable"] == "stype_H")
    d = design("jk1")
    lo, hi = proportion_interval(case["estimate"], case["se"], df=d.df, method="logit",
                                 se_logit=logit_se(d, _indicator(d, "stype_H")))
    np.testing.assert_allclose([lo, hi], case["logit"], rtol=5e-8)  # R's default IRLS tolerance


def test_logit_se_in_a_domain_and_bad_shapes():
    d = Design(pd.DataFrame({"y": [1.0, 0, 1, 1, 0, 0], "g": list("aaaabb")}))
    y = d.data["y"].to_numpy()
    inside = d.data["g"].eq("a").to_numpy()
    # Domain a: p = 3/4; all-zero domain b gives NaN (logit undefined).
    # By hand (SRS with replacement, n = 6): domain-mean influence z_i = I_a (y_i - 3/4) / 4 =
    # 1/16, -3/16, 1/16, 1/16, 0, 0 (mean 0); V(p) = 6/5 * (3/256 + 9/256) = 0.05625;
    # se(logit p) = sqrt(V(p)) / (p (1 - p)) = sqrt(0.05625) / (3/16) = sqrt(1.6) = 1.264911.
    # R agrees: SE(svyglm(y ~ 1, subset(svydesign(ids = ~1, data = df), g == "a"),
    # family = quasibinomial())) = 1.26491106407.
    assert logit_se(d, y, inside) == pytest.approx(np.sqrt(1.6), rel=1e-12)
    assert np.isnan(logit_se(d, y, ~inside))
    with pytest.raises(ValueError, match="^y"):
        logit_se(d, y[:3])
    with pytest.raises(ValueError, match="^mask"):
        logit_se(d, y, inside[:2])


@pytest.mark.parametrize("method", ["logit", "likelihood", "beta", "xlogit", "mean", "asin"])
@pytest.mark.parametrize("case", [c for c in CASES if c["design"] != "jk1"], ids=_case_id)
def test_design_proportion_uses_these_intervals(case, method):
    # Design.proportion (estimators module) -> proportion_interval, end to end against R.
    column = "sch_wide" if case["variable"] == "sch_wide" else "stype"
    level = "Yes" if column == "sch_wide" else "H"
    t = design(case["design"]).proportion(column, method=method, conf_level=case["level"])
    row = t[t["category"] == level].iloc[0]
    ref = case["likelihood_converged" if method == "likelihood" else method]
    np.testing.assert_allclose([row["ci_low"], row["ci_high"]], ref,
                               rtol=5e-8 if method == "logit" else 1e-9)
