"""Non-response adjustment: a seeded simulation on a known frame, equivalences derived by hand,
the two-stage carry-down, and the bad-input contract."""

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.weighting import (
    adjust_nonresponse,
    carry_down,
    nonresponse_diagnostics,
    poststratify,
)


def _frame(seed=2026):
    """A known population frame of 211 units: region (4 levels) and size; the outcome depends
    on region, and so does the chance of responding."""
    rng = np.random.default_rng(seed)
    region = np.repeat(["north", "midlands", "london", "south"], [60, 50, 51, 50])
    size = rng.gamma(4.0, 50.0, size=211)
    level = pd.Series(region).map({"north": 0.2, "midlands": 0.4, "london": 0.6,
                                   "south": 0.8}).to_numpy()
    y = (rng.random(211) < level).astype(float)
    p = pd.Series(region).map({"north": 0.25, "midlands": 0.4, "london": 0.55,
                               "south": 0.7}).to_numpy()
    return pd.DataFrame({"unit": np.arange(211), "region": region, "size": size, "y": y}), p


def test_simulation_unadjusted_is_biased_adjusted_is_not():
    """Seeded Monte Carlo: 200 response patterns of the 211-unit frame, response probability
    0.25-0.70 by region, outcome share 0.2-0.8 by region (so respondents over-represent high
    outcomes).

    Tolerance: the adjusted estimate's Monte Carlo bias must lie within 4 Monte Carlo standard
    errors (sd / sqrt(200)) of 0; the unadjusted one must be more than 10 of them away (its
    expected bias, from the design of the simulation, is about 0.569 - 0.486 = 0.08, some 20
    Monte Carlo standard errors). About 1 s on one core. The
    true mean is the frame mean of y (a census frame: weights 1). Weighting-class adjustment by
    region is unbiased given at least one respondent per region (the chance of a region
    without respondents is below 1e-6 here)."""
    frame, p = _frame()
    truth = frame["y"].mean()
    rng = np.random.default_rng(11)
    raw, adj, ipw = [], [], []
    for k in range(200):
        responded = rng.random(211) < p
        resp = frame["y"].to_numpy()[responded]
        raw.append(resp.mean())
        d = adjust_nonresponse(frame, responded, by="region", min_respondents=1)
        adj.append(np.average(d.data["y"], weights=d.weights))
        if k < 30:   # inverse propensity from a logistic model on region (saturated)
            d2 = adjust_nonresponse(frame, responded, model="~ C(region)",
                                    method="propensity")
            ipw.append(np.average(d2.data["y"], weights=d2.weights))
    raw, adj, ipw = map(np.asarray, (raw, adj, ipw))
    mcse_raw = raw.std(ddof=1) / np.sqrt(raw.size)
    mcse_adj = adj.std(ddof=1) / np.sqrt(adj.size)
    assert abs(raw.mean() - truth) > 10 * mcse_raw
    assert abs(adj.mean() - truth) < 4 * mcse_adj
    # a saturated logistic model gives p_hat = response rate by region, so the inverse
    # propensity weights equal the weighting-class weights (Little 1986); the fitted
    # probabilities of a saturated model are the class response rates exactly (the weights
    # agree to ~1e-15 here), so the estimates must agree far beyond 1e-6
    np.testing.assert_allclose(ipw, adj[:30], rtol=1e-10)


def test_class_adjustment_on_a_census_frame_is_poststratification():
    # weights N_c / r_c on a census frame = post-stratifying the respondents (weights 1) to
    # the frame counts N_c: same weights and the same variance adjuster
    frame, p = _frame()
    responded = np.random.default_rng(3).random(211) < p
    d = adjust_nonresponse(frame, responded, by="region")
    counts = frame["region"].value_counts().to_dict()
    ps = poststratify(Design(frame.loc[responded].reset_index(drop=True)), "region", counts)
    np.testing.assert_allclose(d.weights, ps.weights, rtol=1e-12)
    y = d.data["y"].to_numpy()
    np.testing.assert_allclose(d.vcov(None, y[:, None]), ps.vcov(None, y[:, None]), rtol=1e-12)


def test_class_adjustment_with_base_weights_hand_example():
    # class A: base weights 2, 2, 4 with the 4 not responding -> factor 8 / 4 = 2
    # class B: base weights 1, 3 both responding -> factor 1
    f = pd.DataFrame({"c": ["A", "A", "A", "B", "B"], "d": [2.0, 2, 4, 1, 3],
                      "r": [1, 1, 0, 1, 1]})
    d = adjust_nonresponse(f, "r", by="c", weights="d", min_respondents=1)
    np.testing.assert_allclose(d.weights, [4, 4, 1, 3])
    assert d.weights.sum() == pytest.approx(f["d"].sum())


def test_diagnostics_table_hand_values():
    f = pd.DataFrame({"c": ["A", "A", "A", "B", "B"], "d": [2.0, 2, 4, 1, 3],
                      "r": [1, 1, 0, 1, 1]})
    t = nonresponse_diagnostics(f, "r", by="c", weights="d", min_respondents=2)
    assert t["group"].tolist() == ["A", "B"]
    np.testing.assert_allclose(t["response_rate"], [2 / 3, 1])
    np.testing.assert_allclose(t["weighted_response_rate"], [4 / 8, 1])
    np.testing.assert_allclose(t["adjustment"], [2, 1])
    assert t["small"].tolist() == [False, False]


def test_propensity_classes_diagnostics_show_the_range():
    frame, p = _frame()
    responded = np.random.default_rng(5).random(211) < p
    t = nonresponse_diagnostics(frame, responded, model="~ C(region) + size", n_classes=4)
    assert len(t) == 4 and t["n"].sum() == 211
    assert (t["propensity_min"] <= t["propensity_mean"]).all()
    assert (t["propensity_mean"] <= t["propensity_max"]).all()
    # quantile classes are ordered by propensity
    assert np.all(np.diff(t["propensity_mean"]) > 0)
    d = adjust_nonresponse(frame, responded, model="~ C(region) + size",
                           method="propensity_classes", n_classes=4)
    assert d.weights.sum() == pytest.approx(211)   # each class restored to its frame count


# ---------------------------------------------------------------- two-stage
def _two_stage():
    # 6 units in 2 classes; 4 respond; 1-3 leaders respond in each responding unit
    units = pd.DataFrame({"org": list("abcdef"), "cls": list("PPPQQQ"),
                          "resp": [1, 1, 0, 1, 0, 1]})
    leaders = pd.DataFrame({"org": list("aabddddf"), "a": [2.0, 2, 1, 1.5, 1.5, 1.5, 1.5, 3],
                            "y": [1.0, 0, 1, 1, 1, 0, 1, 0]})
    return units, leaders


def test_carry_down_equals_unit_level_design_of_unit_totals():
    # The person-level weighted total sum_i w_u a_i y_i is the unit-level total of
    # Y_u = sum_{i in u} a_i y_i, and clustering by unit makes the variance that of the
    # unit-level design (with the class adjuster carried down): so both must agree exactly.
    units, leaders = _two_stage()
    ud = adjust_nonresponse(units, "resp", by="cls", min_respondents=1)
    pd_ = carry_down(ud, leaders, "org", within_weights="a")
    # weights: class P: 3 units / 2 responding = 1.5; Q: 3 / 2 = 1.5; times a_i
    np.testing.assert_allclose(pd_.weights, 1.5 * leaders["a"].to_numpy())
    y = leaders["y"].to_numpy()
    Y = (leaders.assign(ay=leaders["a"] * y).groupby("org")["ay"].sum()
         .reindex(ud.data["org"]).to_numpy())
    assert np.sum(pd_.weights * y) == pytest.approx(np.sum(ud.weights * Y))
    v_person = pd_.vcov(None, y[:, None])[0, 0]
    v_unit = ud.vcov(None, Y[:, None])[0, 0]
    assert v_person == pytest.approx(v_unit, rel=1e-12)
    assert v_person > 0


def test_carry_down_errors():
    units, leaders = _two_stage()
    ud = adjust_nonresponse(units, "resp", by="cls", min_respondents=1)
    with pytest.raises(ValueError, match="unit.s. 'z' are not in the unit design"):
        carry_down(ud, pd.concat([leaders, pd.DataFrame({"org": ["z"], "a": [1.0],
                                                         "y": [0.0]})]), "org")
    with pytest.raises(ValueError, match="responding unit.s. 'f' have no respondents"):
        carry_down(ud, leaders[leaders["org"] != "f"], "org")


# ---------------------------------------------------------------- bad input
def test_class_without_respondents_is_named():
    f = pd.DataFrame({"c": ["A", "A", "B", "B"], "r": [1, 1, 0, 0]})
    with pytest.raises(ValueError, match="class.es. 'B' have no respondents"):
        adjust_nonresponse(f, "r", by="c")


def test_small_classes_warn_with_their_names():
    f = pd.DataFrame({"c": ["A"] * 6 + ["B"] * 3, "r": [1] * 6 + [1, 0, 0]})
    with pytest.warns(UserWarning, match=r"fewer than 5 respondents: 'B' \(1\)"):
        adjust_nonresponse(f, "r", by="c")


def test_perfect_separation_is_an_error():
    f = pd.DataFrame({"x": np.arange(20.0), "r": [0] * 10 + [1] * 10})
    with pytest.raises(ValueError, match="separates respondents from non-respondents"):
        adjust_nonresponse(f, "r", model="~ x", method="propensity")


def test_non_converged_model_is_an_error():
    frame, p = _frame()
    responded = np.random.default_rng(5).random(211) < p
    with pytest.raises(ValueError, match="did not converge"):
        adjust_nonresponse(frame, responded, model="~ C(region) + size",
                           method="propensity", max_iter=1)


def test_bad_responded_and_arguments():
    f = pd.DataFrame({"c": ["A", "B"], "r": [1, 2]})
    with pytest.raises(ValueError, match="responded: expected True/False or 1/0, got 2"):
        adjust_nonresponse(f, "r", by="c")
    with pytest.raises(ValueError, match="method: expected one of"):
        adjust_nonresponse(f.assign(r=[1, 1]), "r", by="c", method="magic")
    with pytest.raises(ValueError, match="model: method='propensity' needs model="):
        adjust_nonresponse(f.assign(r=[1, 1]), "r", by="c", method="propensity")
    with pytest.raises(ValueError, match="responded: 1 missing"):
        adjust_nonresponse(f.assign(r=[1, None]), "r", by="c")


def test_frame_not_mutated():
    frame, p = _frame()
    before = frame.copy()
    adjust_nonresponse(frame, np.random.default_rng(1).random(211) < p, by="region")
    pd.testing.assert_frame_equal(frame, before)


def test_finite_population_variance_hand_example():
    # Population frame: class A has N=4 units of which 2 respond (y = 1, 3); class B has N=3
    # of which 2 respond (y = 2, 4). Stratified SRSWOR of respondents within classes:
    # total = 4 * 2 + 3 * 3 = 17; var = sum_c N_c^2 (1 - r_c/N_c) s_c^2 / r_c with s_c^2 = 2:
    # A: 16 * 0.5 * 2 / 2 = 8; B: 9 * (1/3) * 2 / 2 = 3; var = 11.
    f = pd.DataFrame({"c": list("AAAABBB"), "r": [1, 1, 0, 0, 1, 1, 0],
                      "y": [1.0, 3, np.nan, np.nan, 2, 4, np.nan]})
    d = adjust_nonresponse(f, "r", by="c", min_respondents=1, finite_population=True)
    y = d.data["y"].to_numpy()
    assert np.sum(d.weights * y) == pytest.approx(17)
    assert d.vcov(None, y[:, None])[0, 0] == pytest.approx(11, rel=1e-12)
    # Without fpc: classes as post-strata of a with-replacement design of 4 PSUs. Residuals
    # y - class mean are -1, 1, -1, 1; times weights 2, 2, 1.5, 1.5: -2, 2, -1.5, 1.5 (mean 0);
    # variance n/(n-1) * sum = 4/3 * (4 + 4 + 2.25 + 2.25) = 50/3.
    d0 = adjust_nonresponse(f, "r", by="c", min_respondents=1)
    assert d0.vcov(None, y[:, None])[0, 0] == pytest.approx(50 / 3, rel=1e-12)


def test_design_frame_keeps_strata_and_class_totals():
    # a stratified sample as the frame: the respondents' adjusted weights restore each class's
    # sum of base weights (by construction of the factor sum_c d / sum_c,resp d)
    from pathlib import Path
    data = pd.read_csv(Path(__file__).parent / "reference" / "data" / "apistrat.csv")
    frame = Design(data, weights="pw", strata="stype", fpc="fpc")
    responded = (data["api00"] % 3 != 0).to_numpy()
    d = adjust_nonresponse(frame, responded, by="sch.wide")
    assert d.strata_name == "stype" and d.n == responded.sum()
    got = pd.Series(d.weights).groupby(d.data["sch.wide"].to_numpy()).sum()
    want = data.groupby("sch.wide")["pw"].sum()
    np.testing.assert_allclose(got.sort_index(), want.sort_index(), rtol=1e-12)


def test_carry_down_of_a_finite_population_unit_design():
    # one respondent per unit: the carried-down design is the unit design itself
    units, _ = _two_stage()
    units = units.assign(y=[1.0, 0, 0, 1, 0, 1])
    ud = adjust_nonresponse(units, "resp", by="cls", min_respondents=1, finite_population=True)
    people = ud.data[["org", "y"]].reset_index(drop=True)
    d = carry_down(ud, people, "org")
    y = people["y"].to_numpy()
    np.testing.assert_allclose(d.weights, ud.weights)
    assert d.vcov(None, y[:, None])[0, 0] == pytest.approx(ud.vcov(None, y[:, None])[0, 0],
                                                           rel=1e-12)


# ---------------------------------------------------------------- replicate frames
def _clustered_frame(seed=11):
    """800 sampled units in 80 clusters of 10 within 4 regions; response and y by region."""
    rng = np.random.default_rng(seed)
    cl = np.repeat(np.arange(80), 10)
    region = np.array(["north", "midlands", "london", "south"])[cl % 4]
    lv = pd.Series(region).map({"north": 0.2, "midlands": 0.4, "london": 0.6,
                                "south": 0.8}).to_numpy()
    u = rng.normal(0, 0.15, 80)[cl]
    y = (rng.random(800) < np.clip(lv + u, 0, 1)).astype(float)
    resp = rng.random(800) < lv * 0.8 + 0.1
    return pd.DataFrame({"cl": cl, "region": region, "y": y, "resp": resp,
                         "w": rng.uniform(1, 3, 800)})


def test_replicate_frame_adjusts_every_replicate_like_the_full_sample():
    # Replicate j of the adjusted design must be the weighting-class adjustment computed with
    # replicate j's weights as the base weights (a DataFrame frame with weights=): exact.
    f = _clustered_frame()
    rep = Design(f, weights="w", cluster="cl").replicate("JK1")
    d = adjust_nonresponse(rep, "resp", by="region")
    assert d.is_replicate and d.n == f["resp"].sum()
    assert d.scale == rep.scale and d.replicate_kind == "JK1"
    for j in (0, 17, 79):
        fj = f.assign(wj=rep.replicate_weights[:, j])
        dj = adjust_nonresponse(fj[fj["wj"] > 0], "resp", by="region", weights="wj")
        got = pd.Series(d.replicate_weights[:, j], index=d.data.index)
        np.testing.assert_allclose(got.loc[dj.data.index], dj.weights, rtol=1e-12)
        assert (got.drop(dj.data.index) == 0).all()  # the dropped cluster
    full = adjust_nonresponse(Design(f, weights="w", cluster="cl"), "resp", by="region")
    np.testing.assert_allclose(d.weights, full.weights, rtol=1e-12)


def test_replicate_and_linearised_adjusted_variances_agree():
    # The JK1 variance of a class-adjusted mean (every replicate re-adjusted) and the
    # linearised one over the sampled frame (FrameExpansion) estimate the same variance: on 80
    # clusters they agree within 5% (here 0.04373 vs 0.04432, 1.3%). Treating the classes as
    # post-strata of the respondents alone gave 0.0350, a fifth too small.
    f = _clustered_frame()
    base = Design(f, weights="w", cluster="cl")
    lin = adjust_nonresponse(base, "resp", by="region").mean("y")
    jk = adjust_nonresponse(base.replicate("JK1"), "resp", by="region").mean("y")
    assert jk["estimate"][0] == pytest.approx(lin["estimate"][0], rel=1e-12)
    assert jk["se"][0] == pytest.approx(lin["se"][0], rel=0.05)
    assert "JK1" in jk["method"][0]


def _region_clusters(rng):
    """A population of 400 clusters of 10 units, each cluster in one of 4 regions, and the
    region's level (0.2 to 0.8) of every unit."""
    cl = np.repeat(np.arange(400), 10)
    region = np.array(["north", "midlands", "london", "south"])[rng.integers(0, 4, 400)][cl]
    lv = pd.Series(region).map({"north": 0.2, "midlands": 0.4, "london": 0.6,
                                "south": 0.8}).to_numpy()
    return cl, region, lv


def _sample_clusters(rng, cl):
    """Rows of a simple random sample of 80 of the 400 clusters."""
    return np.flatnonzero(np.isin(cl, rng.choice(400, 80, replace=False)))


def test_sampled_frame_adjusted_se_matches_the_sampling_sd():
    # Population: 400 clusters of 10 units, region (class) by cluster, y and response by
    # region. 200 samples of 80 clusters (fpc 400) -> respondents -> class adjustment on the
    # sampled frame. The mean linearised SE must match the Monte-Carlo SD of the estimate
    # (seed 5: SD 0.0338, mean SE 0.0329; the MC error of an SD from 200 draws is about 5%,
    # the pin is 12%). Classes as post-strata of the respondents alone gave a mean SE of 0.0256.
    rng = np.random.default_rng(5)
    cl, region, lv = _region_clusters(rng)
    y = (rng.random(4000) < np.clip(lv + rng.normal(0, 0.15, 400)[cl], 0, 1)).astype(float)
    est, se = [], []
    for _ in range(200):
        rows = _sample_clusters(rng, cl)
        f = pd.DataFrame({"cl": cl[rows], "region": region[rows], "y": y[rows],
                          "resp": rng.random(len(rows)) < 0.8 * lv[rows] + 0.1,
                          "w": 5.0, "N": 400})
        r = adjust_nonresponse(Design(f, weights="w", cluster="cl", fpc="N"), "resp",
                               by="region").mean("y")
        est.append(r["estimate"][0])
        se.append(r["se"][0])
    assert np.mean(se) == pytest.approx(np.std(est, ddof=1), rel=0.12)


def test_replicate_frame_refits_the_propensity_model_in_every_replicate():
    # JK1 replicate j drops one cluster: its propensities are the unweighted logistic fit on
    # the units it keeps (statsmodels' formula Logit here, an independent fit)
    import statsmodels.formula.api as smf

    f = _clustered_frame()
    rep = Design(f, weights="w", cluster="cl").replicate("JK1")
    d = adjust_nonresponse(rep, "resp", model="~ C(region)", method="propensity")
    resp = f["resp"].to_numpy()
    for j in (0, 41):
        keep = rep.replicate_weights[:, j] > 0
        fit = smf.logit("r ~ C(region)", data=f[keep].assign(r=resp[keep].astype(float))).fit(
            disp=0)
        pj = np.asarray(fit.predict(f), dtype=float)
        np.testing.assert_allclose(d.replicate_weights[:, j],
                                   rep.replicate_weights[resp, j] / pj[resp], rtol=1e-8)


def test_propensity_linearised_and_replicate_variances_agree():
    # Sampled frame (a Design): the linearised SE with the propensity model's estimation
    # (Kim & Kim 2007) and the JK1 SE with the model refitted per replicate agree within 5%
    # (here 0.04353 vs 0.04414, 1.4%); the respondents alone with p held fixed give 0.04447.
    f = _clustered_frame()
    base = Design(f, weights="w", cluster="cl")
    kw = dict(model="~ C(region)", method="propensity")
    lin = adjust_nonresponse(base, "resp", **kw)
    jk = adjust_nonresponse(base.replicate("JK1"), "resp", **kw).mean("y")
    assert jk["estimate"][0] == pytest.approx(lin.mean("y")["estimate"][0], rel=1e-12)
    assert jk["se"][0] == pytest.approx(lin.mean("y")["se"][0], rel=0.05)
    # the influence values add up to the estimate: sum_i e_i = t (the score sums to 0)
    y = lin.data["y"].to_numpy()
    frame, expand = lin.variance_frame
    e = expand((lin.weights * y)[:, None])
    assert e.sum() == pytest.approx(np.sum(lin.weights * y), rel=1e-10)


def test_replicate_class_lost_in_a_replicate_is_named():
    # class "x" has one respondent, alone in cluster 0: the replicate that drops cluster 0
    # keeps x's other units but none of its respondents
    f = pd.DataFrame({"cl": [0, 0, 1, 1, 2, 2, 3, 3], "c": list("xyxyxyyy"),
                      "r": [1, 1, 0, 1, 0, 1, 1, 1]})
    rep = Design(f, cluster="cl").replicate("JK1")
    with pytest.raises(ValueError, match="replicate 1 keeps units of class 'x' but none of "
                                         "its respondents"):
        adjust_nonresponse(rep, "r", by="c", min_respondents=1)


def test_carry_down_of_a_replicate_unit_design():
    # one leader per unit, a = 1: the carried-down replicate design is the unit design's
    units, _ = _two_stage()
    units = units.assign(y=[1.0, 0, 0, 1, 0, 1], cl=[0, 1, 2, 3, 4, 5])
    rep = Design(units, cluster="cl").replicate("JK1")
    ud = adjust_nonresponse(rep, "resp", by="cls", min_respondents=1)
    people = ud.data[["org", "y"]].reset_index(drop=True)
    d = carry_down(ud, people, "org")
    np.testing.assert_allclose(d.replicate_weights, ud.replicate_weights)
    pd.testing.assert_frame_equal(d.mean("y"), ud.mean("y"))
    # with within-unit weights every replicate is multiplied by them
    two = pd.concat([people, people.iloc[[0]]], ignore_index=True).assign(a=[2.0, 1, 1, 1, 3])
    d2 = carry_down(ud, two, "org", within_weights="a")
    np.testing.assert_allclose(d2.replicate_weights[0], ud.replicate_weights[0] * 2)
    np.testing.assert_allclose(d2.replicate_weights[4], ud.replicate_weights[0] * 3)


def test_carry_down_keeps_the_sampled_frame_variance():
    # units adjusted on a sampled frame (a Design): the leaders' design must take the unit
    # design's variance of the unit totals Y_u = sum_{i in u} a_i y_i, frame term included
    units, leaders = _two_stage()
    frame = Design(units.assign(w=[2.0, 2, 3, 3, 1, 1]), weights="w")
    ud = adjust_nonresponse(frame, "resp", by="cls", min_respondents=1)
    assert ud.variance_frame is not None
    d = carry_down(ud, leaders, "org", within_weights="a")
    y = leaders["y"].to_numpy()
    Y = (leaders.assign(ay=leaders["a"] * y).groupby("org")["ay"].sum()
         .reindex(ud.data["org"]).to_numpy())
    v_person = d.vcov(None, y[:, None])[0, 0]
    v_unit = ud.vcov(None, Y[:, None])[0, 0]
    assert v_person == pytest.approx(v_unit, rel=1e-12) and v_person > 0
    # and the frame term is there: larger than the respondents-only post-strata variance
    from barotrend.weighting import _calmath as cm
    codes = pd.factorize(ud.data["cls"], sort=True)[0]
    ps = ud._replace(variance_frame=None,
                     score_adjusters=(cm.class_mean_residual(codes, [2.0, 2, 3, 1]),))
    assert ps.vcov(None, Y[:, None])[0, 0] < v_unit


def test_frame_expansion_hand_example_and_full_response():
    # Frame of 6 units (SRS with replacement, weights d), classes P (a, b, c) and Q (d, e, f);
    # a, b, d, f respond. Total of y: t = sum_c N_c ybar_rc. By hand, x_i = d_i ybar_c +
    # r_i w_i (y_i - ybar_c), and V = n / (n - 1) * sum (x_i - xbar)^2.
    f = pd.DataFrame({"org": list("abcdef"), "cls": list("PPPQQQ"), "r": [1, 1, 0, 1, 0, 1],
                      "d": [2.0, 2, 3, 3, 1, 1], "y": [1.0, 0, 5, 1, 7, 0]})
    ad = adjust_nonresponse(Design(f, weights="d"), "r", by="cls", min_respondents=1)
    # P: N = 7, respondents' d = 4, factor 7/4: w = 3.5 for a, b; ybar = 3.5 / 7 = 0.5.
    # Q: N = 5, respondents' d = 4, factor 5/4: w = 3.75 (d), 1.25 (f); ybar = 3.75 / 5 = 0.75.
    np.testing.assert_allclose(ad.weights, [3.5, 3.5, 3.75, 1.25])
    x = np.array([2 * .5 + 3.5 * .5, 2 * .5 - 3.5 * .5, 3 * .5,
                  3 * .75 + 3.75 * .25, 1 * .75, 1 * .75 - 1.25 * .75])
    assert x.sum() == pytest.approx(3.5 + 3.75)  # the total t
    v = 6 / 5 * np.sum((x - x.mean()) ** 2)
    y = ad.data["y"].to_numpy()
    assert ad.vcov(None, y[:, None])[0, 0] == pytest.approx(v, rel=1e-12)
    assert ad.total("y")["se"][0] == pytest.approx(np.sqrt(v), rel=1e-12)
    # everyone responds: no adjustment, and the variance is the frame's own
    full = adjust_nonresponse(Design(f, weights="d"), np.ones(6, bool), by="cls",
                              min_respondents=1)
    assert full.total("y")["se"][0] == pytest.approx(Design(f, weights="d").total("y")["se"][0],
                                                     rel=1e-12)


def test_weighted_dataframe_frame_is_a_sample_of_independent_units():
    # base weights on a DataFrame frame: the same variance as the frame given as a Design
    # with those weights (independent units); without weights: a census, classes as post-strata
    f = pd.DataFrame({"cls": list("PPPQQQ"), "r": [1, 1, 0, 1, 0, 1], "d": [2.0, 2, 3, 3, 1, 1],
                      "y": [1.0, 0, 5, 1, 7, 0]})
    a = adjust_nonresponse(f, "r", by="cls", weights="d", min_respondents=1).total("y")
    b = adjust_nonresponse(Design(f, weights="d"), "r", by="cls", min_respondents=1).total("y")
    assert a["se"][0] == pytest.approx(b["se"][0], rel=1e-12)
    c = adjust_nonresponse(f, "r", by="cls", min_respondents=1)
    assert c.variance_frame is None and c.score_adjusters


@pytest.mark.filterwarnings("ignore:adjust_nonresponse. .* inverse propensity factors above 10")
def test_sampled_frame_propensity_se_matches_the_sampling_sd():
    # Population of 400 clusters of 10: y and response depend on region and on a unit-level
    # covariate. 200 samples of 80 clusters (fpc 400), response model ~ C(region) + size.
    # Seed 8: Monte-Carlo SD of the IPW mean 0.03116; mean linearised SE 0.03115 with the
    # model's estimation accounted for (Kim & Kim 2007), 0.03375 with p held fixed. Pin 12%.
    rng = np.random.default_rng(8)
    cl, region, lv = _region_clusters(rng)
    size = rng.normal(0, 1, 4000)
    y = lv + 0.3 * size + rng.normal(0, 0.15, 400)[cl] + rng.normal(0, 0.3, 4000)
    pr = 1 / (1 + np.exp(-(-0.3 + 1.2 * lv + 0.8 * size)))
    est, se = [], []
    for _ in range(200):
        rows = _sample_clusters(rng, cl)
        f = pd.DataFrame({"cl": cl[rows], "region": region[rows], "size": size[rows],
                          "y": y[rows], "resp": rng.random(len(rows)) < pr[rows], "w": 5.0,
                          "N": 400})
        r = adjust_nonresponse(Design(f, weights="w", cluster="cl", fpc="N"), "resp",
                               model="~ C(region) + size", method="propensity").mean("y")
        est.append(r["estimate"][0])
        se.append(r["se"][0])
    assert np.mean(se) == pytest.approx(np.std(est, ddof=1), rel=0.12)


def test_post_stratifying_a_sampled_frame_adjustment_keeps_both_steps():
    # post-strata on top of the frame adjustment: the margin is then known (its shares have
    # zero variance) and the frame term is still there
    f = _clustered_frame().assign(big=lambda x: np.where(x["w"] > 2, "b", "s"))
    a = adjust_nonresponse(Design(f, weights="w", cluster="cl"), "resp", by="region")
    ps = a.poststratify("big", {"b": 700.0, "s": 900.0})
    assert ps.variance_frame is a.variance_frame
    assert "variance over the sampled frame it was drawn from (800 rows)" in repr(ps)
    assert "variance adjusted for 1 weighting step(s)" in repr(ps)
    shares = ps.proportion("big")
    np.testing.assert_allclose(shares["estimate"], [700 / 1600, 900 / 1600], rtol=1e-12)
    assert (shares["se"] < 1e-12).all()
    assert 0 < ps.mean("y")["se"][0] < 1


def test_frame_adjusted_design_refuses_replicate_conversion():
    f = _clustered_frame()
    a = adjust_nonresponse(Design(f, weights="w", cluster="cl"), "resp", by="region")
    with pytest.raises(ValueError, match="convert the frame first, then adjust the replicate"):
        a.replicate("JK1")
