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
API = ["dclus1", "dstrat", "dclus2", "jk1", "dclus1_ps"]
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


# ---- ordinal regression -----------------------------------------------------------------------
MEALCUTS = [0, 25, 50, 75, 100]


def _mealcat(frame):
    """R's cut(meals, c(0, 25, 50, 75, 100)): right-closed classes, 0 is missing."""
    cat = pd.cut(frame["meals"], MEALCUTS, right=True,
                 labels=["(0,25]", "(25,50]", "(50,75]", "(75,100]"])
    return frame.assign(mealcat=cat)


def with_mealcat(name):
    """The design of reference_designs.design(name), its data with the mealcat column."""
    from reference_designs import FIX as FIX1
    from reference_designs import _read
    if name == "dclus1":
        return Design(_mealcat(_read("apiclus1")), weights="pw", cluster="dnum", fpc="fpc")
    if name == "dstrat":
        return Design(_mealcat(_read("apistrat")), weights="pw", strata="stype", fpc="fpc")
    if name == "dclus2":
        return Design(_mealcat(_read("apiclus2")), cluster=["dnum", "snum"],
                      fpc=["fpc1", "fpc2"])
    if name == "dclus1_ps":
        from barotrend.weighting import poststratify
        return poststratify(with_mealcat("dclus1"), "sch_wide", FIX1["poststrata"]["sch_wide"])
    rw = pd.read_csv(DATA / "apiclus1_jk1.csv")
    jk = FIX1["jk1"]
    return Design.from_replicate_weights(
        pd.concat([_mealcat(_read("apiclus1")), rw], axis=1), list(rw.columns), weights="pw",
        type="JK1", scale=jk["scale"], rscales=jk["rscales"], mse=jk["mse"])


def test_mealcat_counts_as_r():
    for name, csv in (("dclus1", "apiclus1"), ("dstrat", "apistrat")):
        from reference_designs import _read
        cat = _mealcat(_read(csv))["mealcat"]
        got = [*cat.value_counts(sort=False).tolist(), int(cat.isna().sum())]
        assert got == FIX["mealcat_counts"][name]


AGECAT = ["(0,19]", "(19,39]", "(39,59]", "(59,Inf]"]
LINK = {"logistic": "logit", "probit": "probit"}


def _olr_name(t):
    t = _r_name(t)
    return {"avg.ed": "avg_ed"}.get(t, t)


def _check_olr(fit, ref, rtol=1e-6):
    assert fit.table["item"].tolist() == [_olr_name(t) for t in ref["terms"]] or \
        sorted(fit.table["item"]) == sorted(_olr_name(t) for t in ref["terms"])
    t = fit.table.set_index("item").loc[[_olr_name(t) for t in ref["terms"]]]
    np.testing.assert_allclose(t["estimate"], ref["estimate"], rtol=1e-6, err_msg="estimate")
    np.testing.assert_allclose(t["se"], ref["se"], rtol=rtol, err_msg="se")
    assert fit.df == ref["df"]


@pytest.mark.parametrize("name", API)
@pytest.mark.parametrize("method", ["logistic", "probit"])
def test_ordinal_matches_svyolr(name, method):
    ref = FIX["ordinal"][method][name]
    d = with_mealcat(name)
    # R's svyolr fails on the calibrated design with the missing avg.ed (see the R script)
    rhs = "mobility + stype" if name == "dclus1_ps" else "avg_ed + mobility + stype"
    fit = d.ordinal(f"mealcat ~ {rhs}", link=LINK[method])
    _check_olr(fit, ref)
    if not d.is_replicate:
        np.testing.assert_allclose(fit.deviance, ref["deviance"], rtol=1e-9)


@pytest.mark.parametrize("method", ["logistic", "probit"])
def test_ordinal_nhanes(method):
    ref = FIX["ordinal"][method]["nhanes"]
    fit = nh().ordinal("agecat ~ C(race) + female", link=LINK[method], levels=AGECAT)
    _check_olr(fit, {**ref, "terms": [t for t in ref["terms"]]})
    np.testing.assert_allclose(fit.deviance, ref["deviance"], rtol=1e-9)


def test_ordinal_replicate_r_default_tolerance():
    """R's own svyolr on the JK1 design (replicates at optim's default tolerance) agrees to the
    ~1e-5 its optimiser gives."""
    ref = FIX["ordinal"]["logistic"]["jk1_default"]
    fit = with_mealcat("jk1").ordinal("mealcat ~ avg_ed + mobility + stype")
    t = fit.table.set_index("item").loc[[_olr_name(t) for t in ref["terms"]]]
    np.testing.assert_allclose(t["estimate"], ref["estimate"], rtol=1e-4)
    np.testing.assert_allclose(t["se"], ref["se"], rtol=1e-4)


def test_ordinal_term_test_matches_regtermtest():
    fit = with_mealcat("dclus1").ordinal("mealcat ~ avg_ed + mobility + stype")
    t = fit.term_test("stype")
    ref = FIX["ordinal"]["termtest"]["stype"]
    np.testing.assert_allclose(t.statistic, ref["statistic"], rtol=1e-6)
    np.testing.assert_allclose(t.p_value, ref["p_value"], rtol=1e-6)
    assert (t.df, t.ddf) == (ref["df"], ref["ddf"])
    with pytest.raises(ValueError, match="'ell' is not a term of the model"):
        fit.term_test("ell")
    with pytest.raises(ValueError, match="method='LRT' needs a GLM"):
        fit.term_test("stype", method="LRT")


def _toy(n=200, seed=5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = np.digitize(0.8 * x + rng.logistic(size=n), [-1.0, 0.0, 1.5])
    return pd.DataFrame({"x": x, "y": y, "g": rng.choice(["a", "b"], size=n)})


def test_ordinal_bad_input():
    df = _toy()
    d = Design(df)
    with pytest.raises(ValueError, match=r"'two' has 2 ordered level\(s\).*3 or more"):
        Design(df.assign(two=(df["y"] > 1).astype(int))).ordinal("two ~ x")
    with pytest.raises(ValueError, match="order of the levels of 'g' is not known"):
        d.ordinal("g ~ x")
    with pytest.raises(ValueError, match=r"level\(s\) \['z'\] of 'g' have no row"):
        d.ordinal("g ~ x", levels=["a", "b", "z"])
    with pytest.raises(ValueError, match="'g' has the value 'b'"):
        d.ordinal("g ~ x", levels=["a", "c", "d"])
    with pytest.raises(ValueError, match="link: expected one of"):
        d.ordinal("y ~ x", link="cloglog")
    with pytest.raises(ValueError, match="did not converge in 1 iterations"):
        d.ordinal("y ~ x", maxiter=1)


def test_ordinal_separation_is_an_error_not_a_result():
    """x orders the response exactly: the likelihood has no maximum (beta -> inf)."""
    x = np.arange(30, dtype=float)
    df = pd.DataFrame({"x": x, "y": np.repeat([1, 2, 3], 10)})
    with pytest.raises(ValueError, match="did not converge"):
        Design(df).ordinal("y ~ x")


def test_ordinal_solves_the_score_equations():
    """The estimate is a maximum: every weighted score is 0 there."""
    from barotrend.design.ordinal import _derivs
    df = _toy()
    fit = Design(df).ordinal("y ~ x + g")
    x = np.column_stack([(df["g"] == "b").astype(float), df["x"]])
    names = fit.params.index.tolist()
    theta = fit.params[["g[T.b]", "x", *names[2:]]].to_numpy()
    y = df["y"].to_numpy() + 1 - df["y"].min()
    _, grad, _ = _derivs(x, y, np.ones(len(y)), theta, 3, "logit")
    np.testing.assert_allclose(grad, 0, atol=1e-8)


@pytest.mark.parametrize("name", ["dclus1", "dstrat"])
def test_ordinal_in_a_domain_matches_svyolr_on_subset(name):
    ref = FIX["ordinal"]["domain"][name]
    fit = with_mealcat(name).ordinal("mealcat ~ avg_ed + mobility", subset="stype != 'H'")
    _check_olr(fit, ref)


# ---- the microdata Tracker: adjusted change, gap and gap change ---------------------------------
def _check_row(r, ref):
    assert len(r) == 1
    row = r.iloc[0]
    for col in ("estimate", "se", "statistic", "p_value"):
        np.testing.assert_allclose(row[col], ref[col], rtol=RTOL, err_msg=col)
    assert row["df"] == ref["df"]
    assert row["difference"] == row["estimate"]


@pytest.mark.parametrize("name", ["dclus1", "dstrat", "jk1"])
def test_tracker_adjusted_change_gap_and_gap_change_match_svyglm(name):
    """api as stacked waves: stype plays the wave, sch.wide the group (R: svyglm on subsets)."""
    from barotrend.tracking.designs import DesignTracker
    ref = FIX["tracker"][name]
    t = DesignTracker(design(name), items="api00", wave="stype", group="sch_wide")
    adj = ["ell", "meals"]
    _check_row(t.change("api00", "E", "M", adjust=adj), ref["change"])
    _check_row(t.compare_groups("api00", "Yes", "No", "E", adjust=adj), ref["gap"])
    _check_row(t.gap_change("api00", "Yes", "No", "E", "M", adjust=adj), ref["gap_change"])
    g = t.gaps("api00", "Yes", "No", adjust=adj)
    assert g["wave"].tolist() == ["E", "H", "M"]
    _check_row(g.iloc[[0]], ref["gap"])
    assert "adjusted for ell, meals" in g["method"].iloc[0]


def test_tracker_adjust_bad_input():
    from barotrend.tracking.designs import DesignTracker
    t = DesignTracker(design("dclus1"), items="api00", wave="stype", group="sch_wide")
    with pytest.raises(ValueError, match="adjust: 'nope' is not a column"):
        t.change("api00", "E", "M", adjust="nope")
    with pytest.raises(ValueError, match="adjust: 'sch_wide' is the item, the wave or the group"):
        t.change("api00", "E", "M", group="Yes", adjust=["sch_wide"])
    with pytest.raises(ValueError, match="adjust: 'sch_wide' is the item, the wave or the group"):
        t.compare_groups("api00", "Yes", "No", "E", adjust=["sch_wide", "ell"])
    # the whole sample's change may be adjusted for the group column
    r = t.change("api00", "E", "M", adjust=["sch_wide", "ell"])
    direct = design("dclus1").glm("api00 ~ stype + sch_wide + ell",
                                  subset="stype in ['E', 'M']")
    np.testing.assert_allclose(r["estimate"].iloc[0], direct.params["stype[T.M]"], rtol=1e-12)
    np.testing.assert_allclose(r["se"].iloc[0], direct.table.set_index("item").loc[
        "stype[T.M]", "se"], rtol=1e-12)
    sep = DesignTracker({"E": design("dclus1"), "M": design("dstrat")}, items="api00",
                        group="sch_wide")
    with pytest.raises(ValueError, match="needs the stacked design"):
        sep.change("api00", "E", "M", adjust="ell")
    # separate designs: the adjusted gap of each wave is the model in that wave's design
    r = sep.compare_groups("api00", "Yes", "No", "E", adjust=["ell"])
    direct = design("dclus1").glm("api00 ~ sch_wide + ell")
    np.testing.assert_allclose(r["estimate"].iloc[0],
                               direct.params["sch_wide[T.Yes]"], rtol=1e-12)


# ---- the claims of notebooks/02_microdata_barometer.ipynb, sections 8-10 ---------------------------
@pytest.fixture(scope="module")
def barometer():
    """The notebook's stacked design: the simulated barometer (seed 2013), non-response weights
    by region carried down to the leaders, clustered by organisation."""
    from barotrend.simulate import simulate_barometer
    from barotrend.tracking.designs import DesignTracker
    from barotrend.weighting import adjust_nonresponse, carry_down

    sim = simulate_barometer(seed=2013)
    parts = []
    for wave in ["W1", "W2", "W3"]:
        frame = sim.frame[sim.frame["wave"] == wave].reset_index(drop=True)
        units = adjust_nonresponse(frame, "responded", by="region", method="class",
                                   finite_population=True)
        leaders = sim.respondents[sim.respondents["wave"] == wave].reset_index(drop=True)
        d = carry_down(units, leaders, "unit")
        parts.append(d.data.assign(weight=d.weights))
    stacked = Design(pd.concat(parts, ignore_index=True), weights="weight", cluster="unit")
    return sim, stacked, DesignTracker(stacked, items="budget_confidence", wave="wave",
                                       group="gp")


def test_notebook_gp_mostly_chairs(barometer):
    """'Most chairs are GPs and most accountable officers are not.'"""
    sim = barometer[0]
    share = sim.respondents.groupby("role")["gp"].mean()
    assert share["chair"] > 0.5 > share["accountable officer"]


def test_notebook_margin_difference_is_the_adjusted_gap(barometer):
    """'For this linear model their difference is the GP coefficient ... which Tracker.gaps
    reports': identity link, no interaction -- every row's two predictions differ by the
    coefficient, so the margins' difference and its SE are the coefficient's."""
    _, stacked, t = barometer
    gaps = t.gaps("budget_confidence", True, False, adjust=["role", "region"]).set_index("wave")
    for w in ["W1", "W2", "W3"]:
        m = stacked.margins("budget_confidence ~ role + region", by="gp",
                            subset=f"wave == '{w}'")
        diff = m[m["item"] == "difference"].iloc[0]
        assert diff["group"] == "True - False"
        np.testing.assert_allclose(diff["estimate"], gaps.loc[w, "estimate"], rtol=1e-10)
        np.testing.assert_allclose(diff["se"], gaps.loc[w, "se"], rtol=1e-8)


def test_notebook_ordinal_positive_coefficient_moves_up_the_scale():
    """'A positive coefficient moves leaders up the scale' (logit P(Y <= k) = zeta_k - x'b):
    ratings generated from a latent logistic with slope +0.8 give a positive estimate near 0.8,
    and cut-points near the generating thresholds."""
    rng = np.random.default_rng(11)
    n = 4000
    x = rng.normal(size=n)
    y = np.digitize(0.8 * x + rng.logistic(size=n), [-1.0, 0.0, 1.5]) + 1
    fit = Design(pd.DataFrame({"x": x, "y": y})).ordinal("y ~ x")
    assert abs(fit.params["x"] - 0.8) < 3 * fit.table["se"].iloc[0]
    np.testing.assert_allclose(fit.params[["1|2", "2|3", "3|4"]], [-1.0, 0.0, 1.5], atol=0.2)
    # P(Y <= 1 | x) falls with x, as the parametrisation says
    lo, hi = (np.mean(y[(x > a) & (x < a + 0.5)] == 1) for a in (-1.0, 1.0))
    assert hi < lo


def test_notebook_ordinal_and_term_tests_run(barometer):
    _, stacked, _ = barometer
    conf = stacked.ordinal("budget_confidence ~ role + gp + C(wave)")
    assert [i for i in conf.table["item"] if "|" in i][0] == "3|4"  # ratings 3..10 observed
    w = conf.term_test("C(wave)")
    assert w.df == 2 and w.ddf == conf.df


@pytest.mark.parametrize("name", ["dclus1", "dstrat", "jk1"])
def test_term_tests_in_a_domain(name):
    """R: svyglm on subset(design, sch.wide == "Yes"); its weights are scaled to mean 1 over
    the domain's rows, which fixes the LRT statistic's and design effects' scale."""
    ref = FIX["termtest"][name]["domain"]
    g = design(name).glm("api00 ~ ell + meals + stype", subset="sch_wide == 'Yes'")
    _check_table(g, ref["gaussian"])
    _check_wald(g.term_test("stype"), ref["wald"])
    _check_lrt(g.term_test("stype", method="LRT"), ref["lrt"])


def test_term_test_of_an_exact_fit_is_refused():
    frame = pd.DataFrame({"x": [1.0, 2, 3, 4, 5], "g": list("aabbb")})
    frame["y"] = 2 * frame["x"] + 1
    g = Design(frame).glm("y ~ x + g")
    with pytest.raises(ValueError, match="singular .* no test"):
        g.term_test("g")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=15)  # each example fits 4 GLMs and 2 ordinal models
@given(scale=st.floats(min_value=1e-3, max_value=1e3), seed=st.integers(0, 10_000))
def test_term_tests_and_ordinal_do_not_depend_on_the_weights_scale(scale, seed):
    """Multiplying every weight by c changes no estimate, SE or test (R divides by the mean)."""
    rng = np.random.default_rng(seed)
    n = 60
    frame = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(list("abc"), size=n),
                          "w": rng.uniform(1, 5, size=n), "psu": np.repeat(np.arange(20), 3)})
    frame["y"] = frame["x"] + (frame["g"] == "c") + rng.normal(size=n)
    frame["r"] = np.digitize(frame["y"], np.quantile(frame["y"], [0.3, 0.6]))
    frame["w2"] = frame["w"] * scale
    d1 = Design(frame, weights="w", cluster="psu")
    d2 = Design(frame, weights="w2", cluster="psu")
    for method in ("Wald", "LRT"):
        a = d1.glm("y ~ x + g").term_test("g", method=method)
        b = d2.glm("y ~ x + g").term_test("g", method=method)
        np.testing.assert_allclose([a.statistic, a.p_value], [b.statistic, b.p_value],
                                   rtol=1e-8)
    o1, o2 = d1.ordinal("r ~ x + g"), d2.ordinal("r ~ x + g")
    np.testing.assert_allclose(o1.table[["estimate", "se"]], o2.table[["estimate", "se"]],
                               rtol=1e-7)


def test_term_test_table_reads_in_words():
    from barotrend.display import method_words
    g = design("dstrat").glm(GAUSS)
    for method in ("Wald", "LRT"):
        tab = g.term_test("stype", method=method).table
        assert tab["item"].iloc[0] == "stype"
        assert method_words(tab["method"].iloc[0]) == \
            f"design-based test of model terms ({method})"


def test_intercept_test_on_yrbs():
    """yrbs (design effect ~23): R's regTermTest(g, ~1); the LRT's null model has no
    coefficient (every fitted probability 1/2)."""
    ref = FIX["termtest"]["yrbs"]
    frame = pd.read_csv(DATA / "yrbs.csv").assign(qn8yes=lambda f: 2 - f["qn8"])
    d = Design(frame, weights="weight", strata="stratum", cluster="psu")
    g = d.glm("qn8yes ~ 1", family="binomial")
    _check_table(g, ref["binomial"])
    _check_wald(g.term_test("Intercept"), ref["wald"])
    _check_lrt(g.term_test("Intercept", method="LRT"), ref["lrt"])
