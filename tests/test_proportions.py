"""Tests of barotrend.figures.proportions.proportion_ci and .differences.compare_proportions.

Expected values come from published tables (cited at each test), from R (command quoted) or from
a by-hand derivation written in the comment; never from this code's own output.
"""

import math

import pandas as pd
import pytest
from scipy import stats

from barotrend.figures.differences import compare_proportions
from barotrend.figures.proportions import proportion_ci

Z = 1.959963984540054  # qnorm(0.975)


def ci(frame, digits=4):
    return (round(float(frame["ci_low"].iloc[0]), digits),
            round(float(frame["ci_high"].iloc[0]), digits))


# ---------------------------------------------------------------------------------------------
# proportion_ci
# ---------------------------------------------------------------------------------------------
# Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison of
# seven methods. Statistics in Medicine 17, 857-872, Table II (4 decimals). Method 3 = Wilson
# score, method 4 = score with continuity correction, method 5 = Clopper-Pearson exact.
# (Also reproduced by R: prop.test(x, n, correct = FALSE / TRUE)$conf.int, binom.test(x, n)$conf.int.)
NEWCOMBE_SINGLE = [
    # x, n, wilson, wilson_cc, clopper_pearson
    (81, 263, (0.2553, 0.3662), (0.2535, 0.3682), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0598, 0.1644), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.2005), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0018, 0.1963), (0.0009, 0.1776)),
]


@pytest.mark.parametrize("x, n, wilson, wilson_cc, exact", NEWCOMBE_SINGLE)
def test_newcombe_1998_single_proportion_table(x, n, wilson, wilson_cc, exact):
    assert ci(proportion_ci(x, n, method="wilson")) == wilson
    assert ci(proportion_ci(x, n, method="wilson_cc")) == wilson_cc
    assert ci(proportion_ci(x, n, method="clopper_pearson")) == exact


def test_newcombe_1998_wald_81_of_263():
    # Newcombe (1998) Table II, method 1 (simple asymptotic): 0.2522 to 0.3638.
    assert ci(proportion_ci(81, 263, method="wald")) == (0.2522, 0.3638)


def test_logit_interval_by_hand():
    # 81/263: logit(p) = ln(81/182) = -0.809573; se = sqrt(263 / (81 * 182)) = 0.133567;
    # expit(-0.809573 -+ 1.959964 * 0.133567) = (0.25515, 0.36639).
    centre = math.log(81 / 182)
    half = Z * math.sqrt(263 / (81 * 182))
    want = (1 / (1 + math.exp(-(centre - half))), 1 / (1 + math.exp(-(centre + half))))
    assert want[0] == pytest.approx(0.25515, abs=5e-5)
    r = proportion_ci(81, 263, method="logit")
    assert (r.ci_low[0], r.ci_high[0]) == pytest.approx(want, abs=1e-10)


def test_logit_at_zero_falls_back_to_exact():
    # logit undefined at x = 0; the exact upper limit 1 - 0.025^(1/20) = 0.168433 is used.
    r = proportion_ci(0, 20, method="logit")
    assert r.ci_high[0] == pytest.approx(1 - 0.025 ** (1 / 20), abs=1e-9)
    assert "Clopper-Pearson" in r.note[0]


def test_agresti_coull_by_hand():
    # n~ = 263 + z^2 = 266.8415; p~ = (81 + z^2/2) / n~ = 0.310750;
    # p~ -+ z sqrt(p~ q~ / n~) = (0.25522, 0.36628)   (Agresti and Coull 1998).
    nt = 263 + Z**2
    pt = (81 + Z**2 / 2) / nt
    half = Z * math.sqrt(pt * (1 - pt) / nt)
    assert (pt - half) == pytest.approx(0.25522, abs=5e-5)
    r = proportion_ci(81, 263, method="agresti_coull")
    assert (r.ci_low[0], r.ci_high[0]) == pytest.approx((pt - half, pt + half), abs=1e-10)


def test_jeffreys_is_beta_quantiles():
    # Jeffreys: Beta(x + 1/2, n - x + 1/2) quantiles (Brown, Cai and DasGupta 2001, 4.1.3).
    r = proportion_ci(15, 148, method="jeffreys")
    want = stats.beta.ppf([0.025, 0.975], 15.5, 133.5)
    assert (r.ci_low[0], r.ci_high[0]) == pytest.approx(tuple(want), abs=1e-10)


def test_estimate_and_se_schema():
    r = proportion_ci(81, 263)
    assert list(r.columns[:4]) == ["estimate", "se", "ci_low", "ci_high"]
    for col in ["n", "n_eff", "deff", "method", "note"]:
        assert col in r.columns
    assert r.estimate[0] == pytest.approx(81 / 263)
    assert r.se[0] == pytest.approx(math.sqrt(81 / 263 * 182 / 263 / 263))
    assert len(r) == 1 and r.method[0] == "wilson"


def test_percent_gives_percent_over_100():
    r = proportion_ci(n=94, percent=68)
    assert r.estimate[0] == 0.68
    # the Wilson interval uses p = 0.68 on n = 94: centre (p + z^2/2n)/(1 + z^2/n)
    c = (0.68 + Z**2 / 188) / (1 + Z**2 / 94)
    h = Z / (1 + Z**2 / 94) * math.sqrt(0.68 * 0.32 / 94 + Z**2 / (4 * 94**2))
    assert (r.ci_low[0], r.ci_high[0]) == pytest.approx((c - h, c + h), abs=1e-10)


def test_fpc_wald_by_hand():
    # 68% of 86 responding units out of N = 211: fpc = (211 - 86)/(211 - 1) = 125/210;
    # se = sqrt(0.68 * 0.32 / 86 * 125/210) = sqrt(0.00150607) = 0.038808.
    r = proportion_ci(n=86, percent=68, population_size=211, method="wald")
    assert r.se[0] == pytest.approx(0.038808, abs=1e-6)
    assert (r.ci_low[0], r.ci_high[0]) == pytest.approx((0.68 - Z * r.se[0], 0.68 + Z * r.se[0]))
    assert "fpc" in r.note[0]


def test_fpc_score_interval_uses_effective_base():
    # With fpc f the Wilson interval is computed on n* = n / f = 86 * 210/125 = 144.48.
    r = proportion_ci(n=86, percent=68, population_size=211)
    ns = 86 * 210 / 125
    c = (0.68 + Z**2 / (2 * ns)) / (1 + Z**2 / ns)
    h = Z / (1 + Z**2 / ns) * math.sqrt(0.68 * 0.32 / ns + Z**2 / (4 * ns**2))
    assert (r.ci_low[0], r.ci_high[0]) == pytest.approx((c - h, c + h), abs=1e-10)
    assert "effective base" in r.note[0]
    # narrower than without the correction
    r0 = proportion_ci(n=86, percent=68)
    assert r.ci_high[0] - r.ci_low[0] < r0.ci_high[0] - r0.ci_low[0]


def test_census_has_no_sampling_error():
    r = proportion_ci(30, 40, population_size=40)
    assert (r.se[0], r.ci_low[0], r.ci_high[0]) == (0.0, 0.75, 0.75)
    assert "census" in r.note[0]


def test_deff_and_n_eff():
    # deff 2 on 40/100 is the Wilson interval of 20/50 (same p, half the base):
    # centre (0.4 + z^2/100)/(1 + z^2/50), half-width z/(1 + z^2/50) sqrt(0.24/50 + z^2/10000).
    c = (0.4 + Z**2 / 100) / (1 + Z**2 / 50)
    h = Z / (1 + Z**2 / 50) * math.sqrt(0.24 / 50 + Z**2 / 10000)
    for r in (proportion_ci(40, 100, deff=2), proportion_ci(40, 100, n_eff=50)):
        assert (r.ci_low[0], r.ci_high[0]) == pytest.approx((c - h, c + h), abs=1e-10)
        assert r.deff[0] == 2 and r.n_eff[0] == 50 and r.n[0] == 100
        assert r.se[0] == pytest.approx(math.sqrt(0.24 / 50))


def test_rounding_union_single_feasible_count():
    # 68% of 94: only k = 64 gives a percentage in [67.5, 68.5) (63/94 = 67.02, 65/94 = 69.15),
    # so the union is the Wilson interval of 64/94 while the estimate stays 0.68.
    r = proportion_ci(n=94, percent=68, rounding="union")
    r64 = proportion_ci(64, 94)
    assert r.estimate[0] == 0.68
    assert (r.ci_low[0], r.ci_high[0]) == (r64.ci_low[0], r64.ci_high[0])
    assert "64-64" in r.note[0]


def test_rounding_union_is_hull_over_counts():
    # 50% of 200: 99/200 = 49.5% and 100/200 = 50% round to 50; 101/200 = 50.5% rounds to 51.
    r = proportion_ci(n=200, percent=50, rounding="union", method="clopper_pearson")
    lo = proportion_ci(99, 200, method="clopper_pearson").ci_low[0]
    hi = proportion_ci(100, 200, method="clopper_pearson").ci_high[0]
    assert (r.ci_low[0], r.ci_high[0]) == (lo, hi)
    assert "99-100" in r.note[0]


def test_rounding_union_on_large_base():
    # speed is measured in benchmarks/bench_figures.py, not asserted here
    r = proportion_ci(n=100_000, percent=37.2, decimals=1, rounding="union")
    # 37.15% to 37.25% of 100,000: counts 37150-37249
    assert "37150-37249" in r.note[0]


def test_rounding_union_from_scipy_beta_quantiles():
    # 68% of 1000: counts 675-684 ([67.5, 68.5) * 10). Clopper-Pearson limits are the beta
    # quantiles qbeta(0.025, x, n - x + 1) and qbeta(0.975, x + 1, n - x): the union is the
    # lower limit of 675 and the upper limit of 684, taken here from scipy directly.
    r = proportion_ci(n=1000, percent=68, rounding="union", method="clopper_pearson").iloc[0]
    assert r["ci_low"] == pytest.approx(stats.beta.ppf(0.025, 675, 326), rel=1e-10)
    assert r["ci_high"] == pytest.approx(stats.beta.ppf(0.975, 685, 316), rel=1e-10)
    assert "675-684 of 1000" in r["note"]


def test_rounding_union_on_a_hundred_million_is_instant():
    # issue 12: one statsmodels call per feasible count took about 45 min at n = 1e8. The union
    # comes from the two ends of the run 49,500,000-50,499,999; Wilson limits of x/n by hand:
    # (x + z^2/2 -+ z sqrt(x (n - x) / n + z^2 / 4)) / (n + z^2)
    n = 10**8
    r = proportion_ci(n=n, percent=50, rounding="union").iloc[0]

    def wilson(x, sign):
        return (x + Z**2 / 2 + sign * Z * math.sqrt(x * (n - x) / n + Z**2 / 4)) / (n + Z**2)

    assert r["ci_low"] == pytest.approx(wilson(49_500_000, -1), rel=1e-12)
    assert r["ci_high"] == pytest.approx(wilson(50_499_999, 1), rel=1e-12)


@pytest.mark.parametrize("method", ["wilson", "wilson_cc", "clopper_pearson", "jeffreys",
                                    "agresti_coull", "wald", "logit"])
@pytest.mark.parametrize("n", [1, 3, 20])
def test_limits_are_exactly_0_at_none_and_1_at_all(method, n):
    # Brown, Cai and DasGupta (2001), Statistical Science 16(2), section 4.1.3: the Jeffreys
    # lower limit is 0 at x = 0 and the upper limit 1 at x = n (the equal-tailed Beta limits
    # 3.9e-4 at 0/1 and 0.999976 at 20/20 excluded the estimate). Wilson's roots are exactly 0
    # and 1 there (statsmodels gave 5.6e-17 at 0/3).
    assert proportion_ci(0, n, method=method).ci_low[0] == 0.0
    assert proportion_ci(n, n, method=method).ci_high[0] == 1.0
    assert proportion_ci(0, n, method=method, deff=1.8).ci_low[0] == 0.0
    assert proportion_ci(n, n, method=method, population_size=5 * n).ci_high[0] == 1.0


def test_jeffreys_at_the_ends_by_hand():
    # x = 0 of 20: [0, qbeta(0.975, 1/2, 20.5)]; x = 20: [qbeta(0.025, 20.5, 1/2), 1]
    r0 = proportion_ci(0, 20, method="jeffreys").iloc[0]
    r20 = proportion_ci(20, 20, method="jeffreys").iloc[0]
    assert (r0["ci_low"], r0["ci_high"]) == (0.0, pytest.approx(stats.beta.ppf(0.975, 0.5, 20.5)))
    assert (r20["ci_low"], r20["ci_high"]) == (pytest.approx(stats.beta.ppf(0.025, 20.5, 0.5)),
                                               1.0)


def test_wilson_cc_at_an_effective_count_below_half():
    # 1 of 10 with deff 4: effective base 2.5, effective count 0.25. The corrected estimate
    # p' = 0.1 - 1/(2 * 2.5) = -0.1 <= 0, so no share above 0 is rejected from below: L = 0
    # (Newcombe's closed form, written for counts of 1 or more, gave 0.0076 here).
    assert proportion_ci(1, 10, method="wilson_cc", deff=4).ci_low[0] == 0.0
    # and the mirror: 9 of 10 has U = 1
    assert proportion_ci(9, 10, method="wilson_cc", deff=4).ci_high[0] == 1.0


def test_newcombe_difference_of_two_zero_shares_by_hand():
    # 0/10 against 0/10: Wilson limits [0, z^2 / (10 + z^2)] each (the x = 0 root), so
    # Newcombe's L = 0 - sqrt(0 + u_b^2) = -u and U = +u, exactly symmetric
    u = Z**2 / (10 + Z**2)
    r = compare_proportions(0, 10, 0, 10).iloc[0]
    assert r["ci_low"] == pytest.approx(-u, rel=1e-12)
    assert r["ci_high"] == pytest.approx(u, rel=1e-12)
    # 10/10 against 0/10: l_a = 10/(10 + z^2), u_b = z^2/(10 + z^2); U = 1 + 0 exactly
    r = compare_proportions(10, 10, 0, 10).iloc[0]
    assert r["ci_high"] == 1.0
    assert r["ci_low"] == pytest.approx(1 - math.hypot(1 - 10 / (10 + Z**2), u), rel=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 94, "percent": 101}, r"percent must lie within 0-100, got 101"),
    ({"n": 94, "percent": -1}, r"percent must lie within 0-100, got -1"),
    ({"count": 30, "n": 20}, r"count must lie within 0 and the base 20, got 30"),
    ({"count": 2.5, "n": 20}, r"count must be a whole number, got 2.5"),
    ({"count": 3, "n": 0}, r"n must be a positive whole number, got 0"),
    ({"count": 3, "n": -5}, r"n must be a positive whole number, got -5"),
    ({"count": 3}, r"n \(the base\) is required"),
    ({"n": 94, "percent": 68, "decimals": -1}, r"decimals must be 0 or more, got -1"),
    ({"count": 3, "n": 10, "percent": 30}, r"either count or percent, not both"),
    ({"n": 10}, r"one of count or percent is required"),
    ({"count": 3, "n": 10, "method": "exact"}, r"method must be one of .* got 'exact'"),
    ({"count": 3, "n": 10, "conf_level": 95}, r"conf_level must lie strictly between 0 and 1, got 95"),
    ({"count": 3, "n": 10, "population_size": 8}, r"population_size must be at least the base n=10, got 8"),
    ({"count": 3, "n": 10, "population_size": 0}, r"population_size must be a positive whole number, got 0"),
    ({"count": 3, "n": 10, "deff": 2, "n_eff": 5}, r"either deff or n_eff, not both"),
    ({"count": 3, "n": 10, "deff": 0}, r"deff must be a finite number greater than 0, got 0"),
    ({"count": 3, "n": 10, "n_eff": -1}, r"n_eff must be a finite number greater than 0, got -1"),
    ({"count": 3, "n": 10, "rounding": "union"}, r"rounding='union' needs a published percent"),
    ({"count": 3, "n": 10, "rounding": "hull"}, r"rounding must be 'point' or 'union', got 'hull'"),
    ({"n": 85, "percent": 50, "rounding": "union"}, r"percent=50 is not achievable on n=85"),
    ({"n": 94, "percent": 68.5}, r"percent 68.5 has more decimals than the stated decimals=0"),
    ({"n": 94, "percent": 68, "convention": "bankers"}, r"convention must be one of .* 'bankers'"),
])
def test_proportion_ci_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        proportion_ci(**kwargs)


# ---------------------------------------------------------------------------------------------
# compare_proportions
# ---------------------------------------------------------------------------------------------
# Newcombe, R. G. (1998). Interval estimation for the difference between independent
# proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890, Table II,
# methods 10 (hybrid score) and 11 (hybrid score with continuity correction), 4 decimals.
NEWCOMBE_DIFF = [
    ((56, 70, 48, 80), (0.0524, 0.3339), (0.0428, 0.3422)),
    ((9, 10, 3, 10), (0.1705, 0.8090), (0.1013, 0.8387)),
    ((6, 7, 2, 7), (0.0582, 0.8062), (-0.0290, 0.8423)),
    ((5, 56, 0, 29), (-0.0381, 0.1926), (-0.0667, 0.2037)),
    ((0, 10, 0, 20), (-0.1611, 0.2775), (-0.2005, 0.3445)),
    ((0, 10, 0, 10), (-0.2775, 0.2775), (-0.3445, 0.3445)),
    ((10, 10, 0, 20), (0.6791, 1.0000), (0.6014, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000), (0.5128, 1.0000)),
]


@pytest.mark.parametrize("counts, m10, m11", NEWCOMBE_DIFF)
def test_newcombe_1998_difference_table(counts, m10, m11):
    assert ci(compare_proportions(*counts, method="newcombe")) == m10
    assert ci(compare_proportions(*counts, method="newcombe_cc")) == m11


def test_wald_difference_by_hand():
    # 56/70 - 48/80 = 0.2; se = sqrt(.8*.2/70 + .6*.4/80) = sqrt(0.0052857) = 0.072703;
    # 0.2 -+ 1.96 * 0.072703 = (0.0575, 0.3425) (also Newcombe 1998, Table II, method 1).
    r = compare_proportions(56, 70, 48, 80, method="wald")
    assert r.se[0] == pytest.approx(0.072703, abs=1e-6)
    assert ci(r) == (0.0575, 0.3425)


def test_agresti_caffo_by_hand():
    # add one success and one failure: 57/72 = 0.791667 and 49/82 = 0.597561, d = 0.194106;
    # se = sqrt(.791667*.208333/72 + .597561*.402439/82) = 0.072273 -> (0.05245, 0.33576).
    r = compare_proportions(56, 70, 48, 80, method="agresti_caffo")
    assert (r.ci_low[0], r.ci_high[0]) == pytest.approx((0.05245, 0.33576), abs=1e-5)
    assert r.difference[0] == pytest.approx(0.2)  # the reported difference is the raw one


def test_pooled_z_and_chisq_match_r_prop_test():
    # R: prop.test(c(56, 48), c(70, 80), correct = FALSE): X-squared = 7.023411371,
    # p = 0.008045081368; with Yates (default): X-squared = 6.11427041, p = 0.01340947518.
    z = compare_proportions(56, 70, 48, 80, test="z")
    assert z.statistic[0] ** 2 == pytest.approx(7.023411371, rel=1e-9)
    assert z.p_value[0] == pytest.approx(0.008045081368, rel=1e-8)
    c = compare_proportions(56, 70, 48, 80, test="chisq")
    assert c.statistic[0] == pytest.approx(6.11427041, rel=1e-8)
    assert c.p_value[0] == pytest.approx(0.01340947518, rel=1e-8)


def test_fisher_tea_tasting():
    # Fisher (1935) The Design of Experiments, ch. II: 3 of 4 milk-first cups identified, 1 of 4
    # tea-first cups called milk-first. P(3) = C(4,3)C(4,1)/C(8,4) = 16/70, P(4) = 1/70:
    # one-sided p = 17/70 = 0.2429, two-sided 34/70 = 0.4857.
    two = compare_proportions(3, 4, 1, 4, test="fisher")
    one = compare_proportions(3, 4, 1, 4, test="fisher", alternative="greater")
    assert round(float(two.p_value[0]), 4) == 0.4857
    assert round(float(one.p_value[0]), 4) == 0.2429
    assert two.statistic[0] == pytest.approx(9.0)  # odds ratio (3*3)/(1*1)


def test_one_sided_z():
    r2 = compare_proportions(56, 70, 48, 80)
    r1 = compare_proportions(56, 70, 48, 80, alternative="greater")
    rl = compare_proportions(56, 70, 48, 80, alternative="less")
    assert r1.p_value[0] == pytest.approx(r2.p_value[0] / 2)
    assert rl.p_value[0] == pytest.approx(1 - r2.p_value[0] / 2)


def test_correlation_wald_by_hand():
    # va = .8*.2/70 = 0.00228571, vb = .6*.4/80 = 0.003; rho = 0.5:
    # var = va + vb - 2 * 0.5 * sqrt(va vb) = 0.00528571 - 0.00261861 = 0.00266710, se = 0.051644.
    r = compare_proportions(56, 70, 48, 80, method="wald", correlation=0.5)
    assert r.se[0] == pytest.approx(0.051644, abs=1e-6)
    assert "0.5" in r.note[0]


def test_overlap_scales_unit_correlation():
    # 100 and 100 with 50 in both and unit correlation 0.6: r = 0.6 * 50 / sqrt(100*100) = 0.3.
    a = compare_proportions(60, 100, 50, 100, method="wald", correlation=0.6, overlap=50)
    b = compare_proportions(60, 100, 50, 100, method="wald", correlation=0.3)
    va, vb = 0.6 * 0.4 / 100, 0.5 * 0.5 / 100
    assert a.se[0] == pytest.approx(math.sqrt(va + vb - 2 * 0.3 * math.sqrt(va * vb)))
    assert a.se[0] == pytest.approx(b.se[0])
    assert "Kish" in a.note[0]


def test_newcombe_with_correlation_uses_paired_adjustment():
    # Newcombe (1998b) method 10 form with phi replaced by the stated correlation r = 0.4:
    # L = d - sqrt((p1-l1)^2 - 2r(p1-l1)(u2-p2) + (u2-p2)^2), U likewise; Wilson limits by hand.
    def wilson(x, n):
        p = x / n
        c = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
        h = Z / (1 + Z**2 / n) * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n))
        return c - h, c + h

    (l1, u1), (l2, u2) = wilson(56, 70), wilson(48, 80)
    p1, p2, r = 0.8, 0.6, 0.4
    low = 0.2 - math.sqrt((p1 - l1) ** 2 - 2 * r * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    high = 0.2 + math.sqrt((u1 - p1) ** 2 - 2 * r * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    got = compare_proportions(56, 70, 48, 80, correlation=r)
    assert (got.ci_low[0], got.ci_high[0]) == pytest.approx((low, high), abs=1e-10)
    assert "paired" in got.note[0]


def test_fpc_in_difference():
    # fpc a = (211-86)/210, b = (211-94)/210; Wald se by hand.
    r = compare_proportions(n_a=86, n_b=94, percent_a=73, percent_b=68, method="wald",
                            population_size_a=211, population_size_b=211)
    va = 0.73 * 0.27 / 86 * 125 / 210
    vb = 0.68 * 0.32 / 94 * 117 / 210
    assert r.se[0] == pytest.approx(math.sqrt(va + vb))


def test_percent_inputs_and_rounding_note():
    r = compare_proportions(n_a=85, n_b=94, percent_a=73, percent_b=68)
    assert (r.estimate_a[0], r.estimate_b[0]) == (0.73, 0.68)
    assert r.difference[0] == pytest.approx(0.05)
    # 73 -> [72.5, 73.5), 68 -> [67.5, 68.5): difference 4 to 6 points
    assert "4 to 6 points" in r.note[0]
    assert list(r[["n_a", "n_b"]].iloc[0]) == [85, 94]


def test_input_frames_untouched_and_one_row():
    r = compare_proportions(5, 56, 0, 29)
    assert isinstance(r, pd.DataFrame) and len(r) == 1
    # the values, not only the shape: 5/56 = 0.089286 vs 0/29, difference 5/56; the default
    # interval is Newcombe's method 10, (-0.0381, 0.1926) in Newcombe (1998) Table II
    assert (r.estimate_a[0], r.estimate_b[0]) == (pytest.approx(5 / 56), 0.0)
    assert r.difference[0] == pytest.approx(5 / 56)
    assert ci(r) == (-0.0381, 0.1926)
    for col in ["estimate_a", "estimate_b", "difference", "se", "ci_low", "ci_high",
                "statistic", "p_value", "n_a", "n_b", "method", "note"]:
        assert col in r.columns


@pytest.mark.parametrize("kwargs, match", [
    ({"count_a": 80, "n_a": 70, "count_b": 3, "n_b": 10}, r"count_a must lie within 0 and the base 70, got 80"),
    ({"count_a": 8, "n_a": 0, "count_b": 3, "n_b": 10}, r"n_a must be a positive whole number, got 0"),
    ({"n_a": 10, "n_b": 10, "percent_a": 30, "percent_b": 130}, r"percent_b must lie within 0-100, got 130"),
    ({"count_a": 3, "n_a": 10, "percent_a": 30, "count_b": 3, "n_b": 10}, r"either count_a or percent_a, not both"),
    ({"count_a": 3, "n_a": 10, "n_b": 10}, r"one of count_b or percent_b is required"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "method": "score"}, r"method must be one of .* 'score'"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "test": "t"}, r"test must be one of .* 't'"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "alternative": "bigger"}, r"alternative must be one of .* 'bigger'"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "overlap": 5}, r"overlap=5 needs the unit-level correlation"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "correlation": 1.5}, r"correlation must lie within -1 to 1, got 1.5"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 12, "correlation": 0.5, "overlap": 11}, r"overlap must lie within 0 and the base 10, got 11"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "correlation": 0.5, "test": "fisher"}, r"test='fisher' assumes independent samples; it cannot use correlation=0.5"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "test": "chisq", "alternative": "less"}, r"two-sided only, got alternative='less'"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "population_size_a": 9}, r"population_size_a must be at least the base n=10, got 9"),
    ({"count_a": 3, "n_a": 10, "count_b": 3, "n_b": 10, "decimals": -2}, r"decimals must be 0 or more, got -2"),
])
def test_compare_proportions_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare_proportions(**kwargs)


def test_rounding_union_in_a_census_says_the_published_figure_lies_outside():
    # a census of 94 (N = n, no sampling error): the true share is 64/94 = 0.680851 exactly;
    # the rounded 68% is not a possible value, and the note says so
    r = proportion_ci(n=94, percent=68, rounding="union", population_size=94).iloc[0]
    assert r["ci_low"] == r["ci_high"] == 64 / 94
    assert r["estimate"] == 0.68 and "lies outside" in r["note"]
