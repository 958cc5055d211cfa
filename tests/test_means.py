"""Tests of barotrend.figures.means.compare_means and bhatia_davis_sd.

Expected values: R's documented Welch example and by-hand derivations in the comments.
"""

import math
import statistics

import pytest
from scipy import stats

from barotrend.figures.means import bhatia_davis_sd, compare_means

# R datasets::sleep (Cushny and Peebles 1905, as analysed by Student 1908): extra hours of sleep.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_matches_r_sleep_example():
    # R: t.test(extra ~ group, data = sleep)  (example in ?t.test):
    # t = -1.8608, df = 17.776, p-value = 0.07939, 95% CI -3.3654832 0.2054832.
    r = compare_means(statistics.mean(SLEEP_1), 10, statistics.mean(SLEEP_2), 10,
                      sd_a=statistics.stdev(SLEEP_1), sd_b=statistics.stdev(SLEEP_2))
    assert len(r) == 1 and r["row"][0] == "welch"
    assert round(float(r.statistic[0]), 4) == -1.8608
    assert round(float(r.df[0]), 3) == 17.776
    assert round(float(r.p_value[0]), 5) == 0.07939
    assert r.ci_low[0] == pytest.approx(-3.3654832, abs=1e-7)
    assert r.ci_high[0] == pytest.approx(0.2054832, abs=1e-7)
    assert r.difference[0] == pytest.approx(0.75 - 2.33)


def test_bhatia_davis_by_hand():
    # (10 - 6.5)(6.5 - 1) = 19.25 -> 4.38748; sample SD on n = 85: times sqrt(85/84).
    assert bhatia_davis_sd(6.5, (1, 10)) == pytest.approx(math.sqrt(19.25))
    assert bhatia_davis_sd(6.5, (1, 10), n=85) == pytest.approx(math.sqrt(19.25 * 85 / 84))
    # the bound is attained by all mass at the ends: 5.5/9 at 10 and 3.5/9 at 1 has mean 6.5
    w = 5.5 / 9
    mean = w * 10 + (1 - w) * 1
    var = w * (10 - mean) ** 2 + (1 - w) * (1 - mean) ** 2
    assert mean == pytest.approx(6.5) and var == pytest.approx(19.25)


def test_tipping_point_budget_confidence_by_hand():
    # 6.5 (n = 85) vs 7.2 (n = 94), common SD s: se = s k, k = sqrt(1/85 + 1/94) = 0.149676.
    # Welch df with equal SDs: (1/85 + 1/94)^2 / (1/(85^2 * 84) + 1/(94^2 * 93)) = 175.20.
    # s* = 0.7 / (t_{0.975, 175.2} * k) = 0.7 / (1.97360 * 0.149676) = 2.3697
    # (with z = 1.96 instead: 0.7 / (1.96 * 0.149676) = 2.386).
    k = math.sqrt(1 / 85 + 1 / 94)
    df = (1 / 85 + 1 / 94) ** 2 / (1 / (85**2 * 84) + 1 / (94**2 * 93))
    assert df == pytest.approx(175.20, abs=0.01)
    r = compare_means(6.5, 85, 7.2, 94)
    assert list(r["row"]) == ["tipping_sd"]
    tip = r.set_index("row").loc["tipping_sd"]
    assert tip["sd"] == pytest.approx(0.7 / (stats.t.ppf(0.975, df) * k), rel=1e-10)
    assert round(float(tip["sd"]), 2) == 2.37
    assert tip["df"] == pytest.approx(df)


def test_tipping_point_is_where_p_crosses_alpha():
    r = compare_means(6.5, 85, 7.2, 94)
    s_star = float(r.sd[0])
    g = compare_means(6.5, 85, 7.2, 94, sd_range=[s_star * 0.99, s_star, s_star * 1.01])
    p = g.loc[g["row"] == "p_at_sd", "p_value"].tolist()
    assert p[0] < 0.05 and p[1] == pytest.approx(0.05, abs=1e-12) and p[2] > 0.05


def test_scale_rounding_and_grid_rows():
    r = compare_means(6.5, 85, 7.2, 94, scale=(1, 10), decimals=1, sd_range=(1, 3))
    rows = list(r["row"])
    assert rows == ["sd_max_a", "sd_max_b", "tipping_sd", "tipping_sd_rounded"] + ["p_at_sd"] * 5
    by = r.set_index("row")
    # Bhatia-Davis at the rounding-interval mean nearest the midpoint 5.5: 6.45 and 7.15;
    # sqrt(85/84 * 3.55 * 5.45) = 4.42468, sqrt(94/93 * 2.85 * 6.15) = 4.20903.
    assert by.loc["sd_max_a", "sd"] == pytest.approx(math.sqrt(85 / 84 * 3.55 * 5.45))
    assert by.loc["sd_max_b", "sd"] == pytest.approx(math.sqrt(94 / 93 * 2.85 * 6.15))
    # rounding: 6.5 -> [6.45, 6.55), 7.2 -> [7.15, 7.25): difference -0.8 to -0.6;
    # least favourable -0.6: s* = 0.6 / (1.97360 * 0.149676) = 2.0311.
    assert r.difference_min[0] == pytest.approx(-0.8) and r.difference_max[0] == pytest.approx(-0.6)
    assert by.loc["tipping_sd_rounded", "sd"] == pytest.approx(2.0311, abs=1e-4)
    assert by.loc["tipping_sd_rounded", "difference"] == pytest.approx(-0.6)
    # grid (1, 3) -> 1, 1.5, 2, 2.5, 3. At SD 2: se = 2 * 0.149676 = 0.299353,
    # t = -0.7 / 0.299353 = -2.33838 on 175.2 df -> p = 0.0205.
    grid = r[r["row"] == "p_at_sd"]
    assert grid.sd.tolist() == [1.0, 1.5, 2.0, 2.5, 3.0]
    at2 = grid[grid.sd == 2.0].iloc[0]
    assert at2.se == pytest.approx(0.299353, abs=1e-6)
    assert at2.statistic == pytest.approx(-2.33838, abs=1e-5)
    assert round(float(at2.p_value), 4) == 0.0205
    # p_value_max uses the least favourable difference -0.6: t = -2.00432
    df = (1 / 85 + 1 / 94) ** 2 / (1 / (85**2 * 84) + 1 / (94**2 * 93))
    assert at2.p_value_max == pytest.approx(2 * stats.t.sf(0.6 / 0.299353, df), rel=1e-5)
    # the scale allows a common SD up to 4.209 > 2.37: the note says the means cannot decide
    assert "cannot decide" in by.loc["tipping_sd", "note"]


def test_rounding_that_straddles_zero_gives_zero_tipping_point():
    # 7.2 vs 7.2: the rounding allows a difference of -0.1 to 0.1, which contains 0
    r = compare_means(7.2, 50, 7.2, 50, decimals=1).set_index("row")
    assert r.loc["tipping_sd_rounded", "sd"] == 0.0


def test_large_tipping_point_beyond_scale_is_significant():
    # 2.0 vs 9.0 on 1-10 with n = 50 each: s* far above the largest SD the scale allows
    r = compare_means(2.0, 50, 9.0, 50, scale=(1, 10)).set_index("row")
    assert r.loc["tipping_sd", "sd"] > r.loc["sd_max_a", "sd"]
    assert "so it is significant" in r.loc["tipping_sd", "note"]


def test_sd_above_scale_bound_is_flagged():
    r = compare_means(9.5, 30, 9.0, 30, sd_a=2.0, sd_b=1.0, scale=(1, 10))
    # largest sample SD at 9.5: sqrt(30/29 * 0.5 * 8.5) = 2.0968 -> 2.0 allowed; at 9.0 for b
    # sqrt(30/29 * 1 * 8) = 2.877 -> 1.0 allowed. Now an SD of 2.2 at 9.5 is not.
    assert "exceeds" not in r.note[0]
    r2 = compare_means(9.5, 30, 9.0, 30, sd_a=2.2, sd_b=1.0, scale=(1, 10))
    assert "sd_a=2.2 exceeds the largest SD the scale allows" in r2.note[0]


def test_fpc_and_correlation_in_welch():
    # fpc: v_a = 4/85 * (211-85)/210, v_b = 4/94 * (211-94)/210; correlation 0.3.
    r = compare_means(6.5, 85, 7.2, 94, sd_a=2, sd_b=2, population_size_a=211,
                      population_size_b=211, correlation=0.3)
    va = 4 / 85 * 126 / 210
    vb = 4 / 94 * 117 / 210
    assert r.se[0] == pytest.approx(math.sqrt(va + vb - 2 * 0.3 * math.sqrt(va * vb)))
    assert "fpc" in r.note[0] and "correlation" in r.note[0]


def test_welch_rounding_columns():
    r = compare_means(6.5, 85, 7.2, 94, sd_a=2, sd_b=2, decimals=1)
    assert r.difference_min[0] == pytest.approx(-0.8)
    # p at the least favourable difference -0.6 is larger than at -0.7
    assert r.p_value_max[0] > r.p_value[0]


@pytest.mark.parametrize("args, kwargs, match", [
    ((6.5, 85, 7.2, 94), {"scale": (10, 1)}, r"scale min must be below its max, got scale=\(10, 1\)"),
    ((6.5, 85, 7.2, 94), {"scale": (5, 5)}, r"scale min must be below its max, got scale=\(5, 5\)"),
    ((11.5, 85, 7.2, 94), {"scale": (1, 10)}, r"mean_a=11.5 lies outside the scale 1-10"),
    ((6.5, 85, 0.5, 94), {"scale": (1, 10)}, r"mean_b=0.5 lies outside the scale 1-10"),
    ((6.5, 85, 7.2, 94), {"sd_range": (3, 1)}, r"sd_range is empty: low above high, got sd_range=\(3, 1\)"),
    ((6.5, 85, 7.2, 94), {"sd_range": []}, r"sd_range is empty, got sd_range=\[\]"),
    ((6.5, 85, 7.2, 94), {"sd_range": (0, 2)}, r"sd_range value must be a finite number greater than 0, got 0"),
    ((6.5, 85, 7.2, 94), {"sd_range": 2}, r"sd_range must be a pair \(low, high\) or a list of SDs, got 2"),
    ((6.5, 85, 7.2, 94), {"sd_a": 2}, r"give both sd_a and sd_b or neither, got sd_a=2, sd_b=None"),
    ((6.5, 85, 7.2, 94), {"sd_a": 2, "sd_b": 2, "sd_range": (1, 3)}, r"sd_a/sd_b or sd_range, not both"),
    ((6.5, 85, 7.2, 94), {"sd_a": -2, "sd_b": 2}, r"sd_a must be a finite number 0 or more, got sd_a=-2"),
    ((6.5, 1, 7.2, 94), {}, r"n_a must be at least 2 to compare means, got n_a=1"),
    ((6.5, 0, 7.2, 94), {}, r"n_a must be a positive whole number, got 0"),
    ((6.5, 85, 7.2, -3), {}, r"n_b must be a positive whole number, got -3"),
    ((6.5, 85, 7.2, 94), {"decimals": -1}, r"decimals must be 0 or more, got -1"),
    ((float("inf"), 85, 7.2, 94), {}, r"mean_a must be a finite number, got inf"),
    ((6.5, 85, 7.2, 94), {"conf_level": 0}, r"conf_level must lie strictly between 0 and 1, got 0"),
    ((6.5, 85, 7.2, 94), {"correlation": -2}, r"correlation must lie within -1 to 1, got -2"),
    ((6.5, 85, 7.2, 94), {"population_size_b": 50}, r"population_size_b must be at least the base n=94, got 50"),
    ((6.5, 85, 7.2, 94), {"convention": "nearest"}, r"convention must be one of .* got 'nearest'"),
    ((6.5, 85, 7.2, 94), {"sd_a": 0, "sd_b": 0}, r"variance of the difference is zero"),
    ((6.55, 85, 7.2, 94), {"decimals": 1}, r"mean_a 6.55 has more decimals than the stated decimals=1"),
])
def test_compare_means_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare_means(*args, **kwargs)


@pytest.mark.parametrize("args, match", [
    ((11, (1, 10)), r"mean=11 lies outside the scale 1-10"),
    ((5, (10, 1)), r"scale min must be below its max"),
    ((5, (1, 10), 0), r"n must be a positive whole number, got 0"),
])
def test_bhatia_davis_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        bhatia_davis_sd(*args)
