"""barotrend.weighting on small inputs whose answers are derived by hand (in the comments),
and the bad-input contract (a ValueError naming the value, or a warning saying what was done).
"""

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.weighting import (
    calibrate,
    check_margins,
    effective_n,
    kish_deff,
    poststratify,
    rake,
    trim,
    weight_summary,
)
from barotrend.weighting._calmath import calibration_g, rake_weights
from barotrend.weighting.trimming import trim_weights


def _cells():
    # one unit in each cell of a x b, base weights 1, 2, 3, 4
    return pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"],
                         "w": [1.0, 2, 3, 4], "y": [1.0, 2, 3, 4]})


# ---------------------------------------------------------------- Kish design effect
@pytest.mark.parametrize(("w", "deff", "neff"), [
    ([5, 5, 5], 1.0, 3.0),               # equal weights: no loss
    ([1, 3], 1.25, 1.6),                 # 2 * (1 + 9) / 4^2 = 1.25; 16 / 10 = 1.6
    ([1, 1, 2, 4], 1.375, 64 / 22),      # 4 * 22 / 8^2; 8^2 / 22
    ([2, 0, 2], 1.5, 2.0),               # a zero weight: 3 * 8 / 16; 16 / 8
])
def test_kish_hand_examples(w, deff, neff):
    assert kish_deff(w) == pytest.approx(deff, rel=1e-12)
    assert effective_n(w) == pytest.approx(neff, rel=1e-12)


def test_weight_summary_hand_values_and_design_input():
    d = Design(_cells(), weights="w")
    s = weight_summary(d)
    # weights 1..4: mean 2.5, population SD sqrt(1.25), cv^2 = 1.25 / 6.25 = 0.2 = deff - 1
    row = s.iloc[0]
    assert (row["min"], row["max"], row["ratio"], row["sum"]) == (1, 4, 4, 10)
    assert row["cv"] == pytest.approx(np.sqrt(0.2), rel=1e-12)
    assert row["deff"] == pytest.approx(1.2, rel=1e-12)
    assert row["n_eff"] == pytest.approx(4 / 1.2, rel=1e-12)


def test_kish_bad_weights():
    with pytest.raises(ValueError, match="non-negative"):
        kish_deff([1, -1])
    with pytest.raises(ValueError, match="sum to zero"):
        kish_deff([0, 0])


# ---------------------------------------------------------------- post-stratification
def test_poststratify_hand_example_and_margins():
    # cells x: weights 1 + 2 = 3 -> 12 (factor 4); y: 3 + 4 = 7 -> 14 (factor 2)
    d = poststratify(Design(_cells(), weights="w"), "a", {"x": 12, "y": 14})
    np.testing.assert_allclose(d.weights, [4, 8, 6, 8])
    m = check_margins(d, {"a": {"x": 12, "y": 14}})
    np.testing.assert_allclose(m["difference"], 0, atol=1e-12)


def test_poststratify_population_as_dataframe():
    pop = pd.DataFrame({"a": ["x", "y"], "N": [12, 14]})
    d = poststratify(Design(_cells(), weights="w"), "a", pop)
    np.testing.assert_allclose(d.weights, [4, 8, 6, 8])


def test_poststratify_variance_is_within_stratum():
    # SRS-with-replacement design, post-stratified on a: the total of y after
    # post-stratification has influence values centred within strata, so a y constant within
    # strata has zero variance (by hand: z_i - mean_h(z) = 0).
    df = pd.DataFrame({"h": ["p", "p", "q", "q", "q"], "y": [2.0, 2, 5, 5, 5]})
    d = poststratify(Design(df), "h", {"p": 10, "q": 20})
    y = df["y"].to_numpy()
    assert float(np.sum(d.weights * y)) == pytest.approx(2 * 10 + 5 * 20)
    assert d.vcov(None, y[:, None])[0, 0] == pytest.approx(0, abs=1e-18)


# ---------------------------------------------------------------- raking
def test_rake_meets_margins_and_keeps_odds_ratio():
    # Raking multiplies cell weights by row and column factors, so the cross-product ratio
    # w_xu w_yv / (w_xv w_yu) stays 1*4 / (2*3) = 2/3 (Deming & Stephan 1940).
    margins = {"a": {"x": 10, "y": 10}, "b": {"u": 8, "v": 12}}
    d = rake(Design(_cells(), weights="w"), margins)
    w = d.weights
    assert w[0] * w[3] / (w[1] * w[2]) == pytest.approx(2 / 3, rel=1e-10)
    m = check_margins(d, margins)
    np.testing.assert_allclose(m["achieved"], m["target"], rtol=1e-10)


def test_rake_weights_one_margin_is_poststratification():
    w, sweeps, err, _ = rake_weights(np.array([1.0, 2, 3, 4]),
                                     [(np.array([0, 0, 1, 1]), np.array([12.0, 14]))])
    np.testing.assert_allclose(w, [4, 8, 6, 8])
    assert sweeps == 1 and err < 1e-12


def test_rake_joint_margin_key():
    pop = {("x", "u"): 1, ("x", "v"): 2, ("y", "u"): 3, ("y", "v"): 4}
    d = rake(Design(_cells()), {("a", "b"): pop})
    np.testing.assert_allclose(d.weights, [1, 2, 3, 4])


# ---------------------------------------------------------------- calibration
def test_linear_calibration_hand_solution():
    # d = 1, x = 1..4, totals N = 8, sum x = 25: g = 1 + l0 + l1 x with
    # 4 l0 + 10 l1 = 4 and 10 l0 + 30 l1 = 15  ->  l1 = 1, l0 = -1.5, g = x - 0.5
    g, info = calibration_g(np.column_stack([np.ones(4), np.arange(1.0, 5)]), np.ones(4),
                            np.array([8.0, 25.0]))
    np.testing.assert_allclose(g, [0.5, 1.5, 2.5, 3.5])
    assert info["converged"]


def test_raking_calibration_on_one_categorical_equals_poststratification():
    # exp(x' lambda) with group dummies is a factor per group: post-stratification
    d0 = Design(_cells(), weights="w")
    d = calibrate(d0, {"a": {"x": 12, "y": 14}}, calfun="raking")
    np.testing.assert_allclose(d.weights, [4, 8, 6, 8])


def test_logit_calibration_stays_within_bounds_and_meets_totals():
    df = pd.DataFrame({"x": np.arange(1.0, 11)})
    d = calibrate(Design(df), {"x": 70}, population_size=12, calfun="logit", bounds=(0.5, 2))
    g = d.weights
    assert g.min() > 0.5 and g.max() < 2
    assert g.sum() == pytest.approx(12, rel=1e-10)
    assert (g * df["x"]).sum() == pytest.approx(70, rel=1e-10)
    # R: d <- svydesign(ids = ~1, data = data.frame(x = 1:10), weights = ~rep(1, 10));
    # weights(calibrate(d, ~x, c(12, 70), calfun = "logit", bounds = c(0.5, 2),
    #                   epsilon = 1e-12, maxit = 200)), printed with sprintf("%.12f")
    r_weights = [0.986076212759, 1.030631323974, 1.076946562922, 1.124699172646,
                 1.173520246894, 1.223005177153, 1.272726572603, 1.322248816362,
                 1.371143223437, 1.419002691251]
    np.testing.assert_allclose(g, r_weights, rtol=1e-9)


def test_categorical_and_numeric_totals_together():
    d = calibrate(Design(_cells(), weights="w"), {"a": {"x": 12, "y": 14}, "y": 70})
    m = check_margins(d, {"a": {"x": 12, "y": 14}, "y": 70})
    np.testing.assert_allclose(m["achieved"], m["target"], rtol=1e-10)
    # By hand (linear calfun): g = 1 + l_x I_x + l_y I_y + l3 y. Totals of a:
    # 3 + 3 l_x + 5 l3 = 12 and 7 + 7 l_y + 25 l3 = 14; total of y:
    # 30 + 5 l_x + 25 l_y + 100 l3 = 70. Substituting l_x = 3 - 5 l3 / 3 and
    # l_y = 1 - 25 l3 / 7 leaves (100 - 25/3 - 625/7) l3 = 0, so l3 = 0, g = 4 on x and 2 on y:
    # the post-stratified weights 4, 8, 6, 8 already give y total 4 + 16 + 18 + 32 = 70.
    np.testing.assert_allclose(d.weights, [4, 8, 6, 8], rtol=1e-10)


# ---------------------------------------------------------------- trimming
def test_trim_strict_iterates_to_the_cap():
    # total 12, mean 3, cap 3.2: pass 1 gives 2, 3.4, 3.4, 3.2; later passes push the excess
    # on until three weights sit at 3.2 and the first holds the rest, 12 - 9.6 = 2.4.
    w, passes, left = trim_weights(np.array([1.0, 2.4, 2.4, 6.2]), upper=3.2, strict=True)
    np.testing.assert_allclose(w, [2.4, 3.2, 3.2, 3.2], rtol=1e-12)
    assert left == 0 and passes > 2 and w.sum() == pytest.approx(12)


def test_trim_relative_to_median():
    # median of 1, 1, 1, 5 is 1: upper = 3 * 1; the 2 trimmed go equally to the others
    d = trim(Design(pd.DataFrame({"w": [1.0, 1, 1, 5]}), weights="w"), upper=3,
             relative_to="median")
    np.testing.assert_allclose(d.weights, [5 / 3, 5 / 3, 5 / 3, 3])


# ---------------------------------------------------------------- bad input
def test_margins_not_covering_a_sample_category():
    with pytest.raises(ValueError, match=r"do not cover sample category 'y' \(2 unit"):
        poststratify(Design(_cells()), "a", {"x": 10})


def test_margins_with_an_empty_cell():
    with pytest.raises(ValueError, match=r"empty cell.*'z' \(total 5\)"):
        poststratify(Design(_cells()), "a", {"x": 10, "y": 10, "z": 5})


def test_margins_whose_totals_disagree():
    with pytest.raises(ValueError, match=r"totals disagree \('a': 20, 'b': 21\)"):
        rake(Design(_cells()), {"a": {"x": 10, "y": 10}, "b": {"u": 10, "v": 11}})
    with pytest.raises(ValueError, match="totals disagree"):
        calibrate(Design(_cells()), {"a": {"x": 10, "y": 10}}, population_size=30)


def test_rake_not_converging_is_an_error():
    with pytest.raises(ValueError, match="did not converge in max_iter=1"):
        rake(Design(_cells(), weights="w"), {"a": {"x": 10, "y": 10}, "b": {"u": 8, "v": 12}},
             max_iter=1)


def test_sample_category_with_zero_population():
    with pytest.raises(ValueError, match=r"'y' \(2 unit\(s\)\) of 'a' has sample units but a population total of 0"):
        poststratify(Design(_cells()), "a", {"x": 10, "y": 0})


def test_missing_values_in_margin_column():
    df = _cells().assign(a=["x", None, "y", "y"])
    with pytest.raises(ValueError, match="column 'a' has 1 missing"):
        poststratify(Design(df), "a", {"x": 10, "y": 10})


def test_calibration_bad_calfun_and_bounds():
    d = Design(_cells())
    with pytest.raises(ValueError, match="calfun: expected one of"):
        calibrate(d, {"y": 10}, calfun="cubic")
    with pytest.raises(ValueError, match="logit calibration needs finite bounds"):
        calibrate(d, {"y": 10}, calfun="logit")
    with pytest.raises(ValueError, match=r"lower < 1 < upper.*\(1.2, 2\)"):
        calibrate(d, {"y": 10}, bounds=(1.2, 2))


def test_calibration_that_cannot_meet_bounds():
    # sum x = 10 with d = 1; reaching 30 needs g = 3 on average, impossible with g <= 2
    with pytest.raises(ValueError, match=r"cannot meet the totals within bounds \(0.5, 2\)"):
        calibrate(Design(_cells()), {"y": 30}, calfun="logit", bounds=(0.5, 2))


def test_calibration_negative_weights_are_refused():
    # g = 1 + l x with sum g x = -5 from sum x^2 = 30, sum x = 10: l = -0.5 -> g < 0 for x > 2
    with pytest.raises(ValueError, match="negative weight"):
        calibrate(Design(_cells()), {"y": -5})


def test_caps_below_the_mean_weight():
    d = Design(pd.DataFrame({"w": [1.0, 2, 3, 6]}), weights="w")   # mean 3
    with pytest.raises(ValueError, match=r"upper: the cap 2.5 is below the mean weight 3"):
        trim(d, upper=2.5)
    with pytest.raises(ValueError, match=r"lower: the cap 4 is above the mean weight 3"):
        trim(d, lower=4)
    with pytest.raises(ValueError, match="relative_to"):
        trim(d, upper=2, relative_to="mode")


def test_trim_warns_when_redistribution_pushes_past_the_cap():
    d = Design(pd.DataFrame({"w": [1.0, 2.4, 2.4, 6.2]}), weights="w")
    with pytest.warns(UserWarning, match=r"2 weight\(s\) are outside"):
        trim(d, upper=3.2)


def test_unknown_column():
    with pytest.raises(ValueError, match="column 'region' is not in the design's data"):
        rake(Design(_cells()), {"region": {"n": 1}})


def test_trim_leaves_zero_weights_alone():
    # a replicate-style zero stays 0; 1 -> lower cap 2 takes 1 from the others (-0.5 each)
    w, _, _ = trim_weights(np.array([0.0, 1, 5, 6]), lower=2)
    np.testing.assert_allclose(w, [0, 2, 4.5, 5.5])


def test_rake_residual_equals_the_sequential_sweeps():
    # R's raking adjuster, step by step (svyrecvar for a raking post-stratum): for each sweep
    # and margin m, z <- z - r_m * ave_m(z / r_m), ave the unweighted category mean. The
    # adjuster runs the sweeps on small category matrices; it must give the same z.
    from barotrend.weighting._calmath import rake_residual

    rng = np.random.default_rng(3)
    n = 500
    codes = [rng.integers(0, 4, n), rng.integers(0, 3, n), rng.integers(0, 5, n)]
    ratios = [rng.uniform(0.8, 1.25, n) for _ in codes]
    z = rng.normal(size=(n, 3))
    z0 = z.copy()
    want = z.copy()
    for _ in range(10):
        for c, r in zip(codes, ratios, strict=True):
            for j in range(z.shape[1]):
                s = np.bincount(c, weights=want[:, j] / r, minlength=c.max() + 1)
                want[:, j] -= r * (s / np.bincount(c))[c]
    got = rake_residual(codes, ratios)(z)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(z, z0)  # the caller's scores are not written to
