"""Tests of barotrend.figures.bounds: Manski bounds, post-stratified shares, mean-vs-share bounds.

Every expected value is derived by hand in the comment next to it.
"""

import math

import pytest

from barotrend.figures.bounds import manski_bounds, mean_share_bounds, poststratify_shares

# ---------------------------------------------------------------------------------------------
# manski_bounds
# ---------------------------------------------------------------------------------------------


def test_manski_share_by_hand():
    # R = 86/211 = 0.407583; 68%: low = R * 0.68 = 0.277156, high = low + (1 - R) = 0.869573.
    r = manski_bounds(68, 86, 211)
    assert r.response_rate[0] == pytest.approx(86 / 211)
    assert r.bound_low[0] == pytest.approx(0.277156, abs=1e-6)
    assert r.bound_high[0] == pytest.approx(0.869573, abs=1e-6)
    assert r.estimate[0] == 0.68 and r.n[0] == 86 and r.population_size[0] == 211
    assert "125 non-responding units" in r.note[0]


def test_manski_width_is_nonresponse_rate():
    r = manski_bounds(0.3, 60, 100, kind="share")
    assert r.bound_high[0] - r.bound_low[0] == pytest.approx(0.4)
    assert r.bound_low[0] == pytest.approx(0.18)


def test_manski_with_rounding():
    # 68 (0 dp) -> [67.5, 68.5): low = R * 0.675 = 0.275118, high = R * 0.685 + (1 - R) = 0.871611
    r = manski_bounds(68, 86, 211, decimals=0)
    assert r.bound_low[0] == pytest.approx(86 / 211 * 0.675)
    assert r.bound_high[0] == pytest.approx(86 / 211 * 0.685 + 125 / 211)


def test_manski_mean_by_hand():
    # 7.2 on 1-10: low = R 7.2 + (1 - R) 1 = 3.527014, high = R 7.2 + (1 - R) 10 = 8.858768
    r = manski_bounds(7.2, 86, 211, kind="mean", scale=(1, 10))
    assert r.bound_low[0] == pytest.approx(3.527014, abs=1e-6)
    assert r.bound_high[0] == pytest.approx(8.858768, abs=1e-6)
    assert r.estimate[0] == 7.2


def test_manski_full_response_is_a_point():
    r = manski_bounds(40, 50, 50)
    assert r.bound_low[0] == r.bound_high[0] == pytest.approx(0.4)


@pytest.mark.parametrize("args, kwargs, match", [
    ((68, 86, 80), {}, r"population_size must be at least n_respondents=86, got 80"),
    ((120, 86, 211), {}, r"percent_or_share must lie within 0-100 for kind='percent', got 120"),
    ((1.2, 86, 211), {"kind": "share"}, r"percent_or_share must lie within 0-1 for kind='share', got 1.2"),
    ((68, 0, 211), {}, r"n_respondents must be a positive whole number, got 0"),
    ((68, 86, 211), {"kind": "median"}, r"kind must be one of .* got 'median'"),
    ((7.2, 86, 211), {"kind": "mean"}, r"kind='mean' needs scale=\(min, max\), got scale=None"),
    ((12, 86, 211), {"kind": "mean", "scale": (1, 10)}, r"percent_or_share=12 lies outside the scale 1-10"),
    ((7.2, 86, 211), {"kind": "mean", "scale": (10, 1)}, r"scale min must be below its max"),
    ((68, 86, 211), {"decimals": -1}, r"decimals must be 0 or more, got -1"),
    ((68.5, 86, 211), {"decimals": 0}, r"percent_or_share 68.5 has more decimals"),
    ((68, 86, 211), {"convention": "up"}, r"convention must be one of .* got 'up'"),
])
def test_manski_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        manski_bounds(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# poststratify_shares
# ---------------------------------------------------------------------------------------------
SHARES = {"GP": 61, "non-GP": 31}
BASES = {"GP": 56, "non-GP": 29}


def test_poststratify_point_composition_by_hand():
    # W = (0.6, 0.4): p = 0.6*0.61 + 0.4*0.31 = 0.49;
    # var = 0.36 * 0.61*0.39/56 + 0.16 * 0.31*0.69/29 = 0.00152936 + 0.00118014 = 0.00270950.
    r = poststratify_shares(SHARES, BASES, {"GP": 0.6, "non-GP": 0.4}).set_index("row")
    assert r.loc["poststratified", "estimate"] == pytest.approx(0.49)
    assert r.loc["poststratified", "se"] == pytest.approx(math.sqrt(0.00270950), abs=1e-7)
    # the respondents' own mix: (56 * 0.61 + 29 * 0.31)/85 = 43.15/85 = 0.507647
    assert r.loc["respondents", "estimate"] == pytest.approx(43.15 / 85)
    assert r.loc["poststratified", "n"] == 85
    assert "missing at random" in r.loc["poststratified", "note"]


def test_poststratify_counts_apply_fpc():
    # population counts 120 and 91: W = 120/211, 91/211; fpc (120-56)/119 and (91-29)/90.
    r = poststratify_shares(SHARES, BASES, {"GP": 120, "non-GP": 91},
                            population_counts=True).set_index("row")
    w1, w2 = 120 / 211, 91 / 211
    var = (w1**2 * 64 / 119 * 0.61 * 0.39 / 56) + (w2**2 * 62 / 90 * 0.31 * 0.69 / 29)
    assert r.loc["poststratified", "estimate"] == pytest.approx(w1 * 0.61 + w2 * 0.31)
    assert r.loc["poststratified", "se"] == pytest.approx(math.sqrt(var))
    assert "fpc" in r.loc["poststratified", "note"]


def test_poststratify_ranges_two_groups():
    # GP share of leaders 0.5-0.7, non-GP the rest: p = 0.31 + 0.30 W -> 0.46 to 0.52.
    r = poststratify_shares(SHARES, BASES, {"GP": (0.5, 0.7), "non-GP": None}).set_index("row")
    assert r.loc["sensitivity", "bound_low"] == pytest.approx(0.46)
    assert r.loc["sensitivity", "bound_high"] == pytest.approx(0.52)
    assert r.loc["poststratified_min", "weights"] == "GP: 0.5; non-GP: 0.5"
    assert r.loc["poststratified_max", "weights"] == "GP: 0.7; non-GP: 0.3"
    assert r.loc["sensitivity", "ci_low"] == r.loc["poststratified_min", "ci_low"]
    assert r.loc["sensitivity", "ci_high"] == r.loc["poststratified_max", "ci_high"]


def test_poststratify_ranges_three_groups_greedy():
    # shares 10/50/90%, ranges a 0.2-0.5, b 0.2-0.5, c 0.1-0.4. Minimum: start at lows
    # (0.2, 0.2, 0.1), give the remaining 0.5 to a (+0.3) then b (+0.2): W = (0.5, 0.4, 0.1),
    # p = 0.05 + 0.20 + 0.09 = 0.34. Maximum: c +0.3, b +0.2: W = (0.2, 0.4, 0.4), p = 0.58.
    r = poststratify_shares({"a": 10, "b": 50, "c": 90}, {"a": 20, "b": 20, "c": 20},
                            {"a": (0.2, 0.5), "b": (0.2, 0.5), "c": (0.1, 0.4)}).set_index("row")
    assert r.loc["sensitivity", "bound_low"] == pytest.approx(0.34)
    assert r.loc["sensitivity", "bound_high"] == pytest.approx(0.58)


def test_poststratify_shares_as_proportions():
    # shares given as 0-1 with percent=False; composition 0.25/0.75: 0.25*0.2 + 0.75*0.4 = 0.35
    r = poststratify_shares({"a": 0.2, "b": 0.4}, {"a": 10, "b": 10}, {"a": 0.25, "b": 0.75},
                            percent=False).set_index("row")
    assert r.loc["poststratified", "estimate"] == pytest.approx(0.35)


@pytest.mark.parametrize("shares, bases, pop, match", [
    ({"a": 120, "b": 30}, {"a": 10, "b": 10}, {"a": 0.5, "b": 0.5}, r"shares\['a'\] must lie within 0-100, got 120"),
    ({"a": 20, "b": 30}, {"a": 10}, {"a": 0.5, "b": 0.5}, r"sizes_or_bases must have the groups of shares"),
    ({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": 0.5, "c": 0.5}, r"population must have the groups of shares .*missing \['b'\], extra \['c'\]"),
    ({"a": 20, "b": 30}, {"a": 10, "b": 0}, {"a": 0.5, "b": 0.5}, r"sizes_or_bases\['b'\] must be a positive whole number, got 0"),
    ({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": (0.6, 0.7), "b": (0.5, 0.6)}, r"population ranges cannot sum to 1"),
    ({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": (0.7, 0.6), "b": None}, r"population\['a'\] must be a range of shares 0 <= low <= high <= 1, got \(0.7, 0.6\)"),
    ({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": "half", "b": None}, r"population\['a'\] must be a share, a \(low, high\) range or None, got 'half'"),
    ({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": -1, "b": 2}, r"population\['a'\] must be a number 0 or more, got -1"),
    ({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": 60, "b": 40}, r"population shares must sum to 1, got 100"),
    ({}, {}, {}, r"shares must be a non-empty dict"),
    ({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": 0, "b": 0}, r"population values must not all be 0"),
])
def test_poststratify_bad_input(shares, bases, pop, match):
    with pytest.raises(ValueError, match=match):
        poststratify_shares(shares, bases, pop)


# ---------------------------------------------------------------------------------------------
# mean_share_bounds
# ---------------------------------------------------------------------------------------------


def test_mean_7_3_vs_44_percent_not_confident():
    # "Not confident" read as a rating of 5 or less on 1-10. Largest share <= 5: mass at 5 and
    # 10 with q 5 + (1-q) 10 = 7.3 -> q = 2.7/5 = 0.54. Smallest: the mean 7.3 is reachable with
    # every answer at 6 or more (e.g. all at 7 and 8), so 0.
    r = mean_share_bounds(7.3, (1, 10), 5, side="below", published_percent=44)
    assert (r.share_min[0], r.share_max[0]) == pytest.approx((0.0, 0.54))
    assert bool(r.within_bounds[0]) is True
    assert "not comparable without an assumption" in r.note[0]
    # with the rounding of 7.3 (7.25 to 7.35) the largest share is (10 - 7.25)/5 = 0.55
    r1 = mean_share_bounds(7.3, (1, 10), 5, side="below", decimals=1)
    assert r1.share_max[0] == pytest.approx(0.55)


def test_share_above_threshold_by_hand():
    # X >= 8 with mean 7.3 on 1-10 (integers): max (7.3 - 1)/(8 - 1) = 0.9;
    # min: rest at 7, this mass at 10: (7.3 - 7)/(10 - 7) = 0.1.
    r = mean_share_bounds(7.3, (1, 10), 8, side="above")
    assert (r.share_min[0], r.share_max[0]) == pytest.approx((0.1, 0.9))
    # continuous answers: the mass below 8 can approach 8, so the minimum is 0
    rc = mean_share_bounds(7.3, (1, 10), 8, side="above", integer=False)
    assert (rc.share_min[0], rc.share_max[0]) == pytest.approx((0.0, 0.9))
    # mean 9, X >= 8: min (9 - 7)/(10 - 7) = 2/3, max 1 (all at 9)
    r9 = mean_share_bounds(9, (1, 10), 8, side="above")
    assert (r9.share_min[0], r9.share_max[0]) == pytest.approx((2 / 3, 1.0))


def test_published_share_outside_bounds():
    # mean 9.5 on 1-10: share <= 5 at most (10 - 9.5)/(10 - 5) = 0.1, so 44% is impossible
    r = mean_share_bounds(9.5, (1, 10), 5, published_percent=44)
    assert r.share_max[0] == pytest.approx(0.1)
    assert bool(r.within_bounds[0]) is False
    assert "outside" in r.note[0]


@pytest.mark.parametrize("args, kwargs, match", [
    ((7.3, (1, 10), 11), {}, r"threshold=11 lies outside the scale 1-10"),
    ((7.3, (1, 10), 5), {"side": "under"}, r"side must be 'below' or 'above', got 'under'"),
    ((7.3, (5, 5), 5), {}, r"scale min must be below its max, got scale=\(5, 5\)"),
    ((0.0, (1, 10), 5), {}, r"mean=0 lies outside the scale 1-10"),
    ((7.3, (1, 10), 5), {"published_percent": 140}, r"published_percent must lie within 0-100, got 140"),
    ((7.3, (0.5, 10), 5), {}, r"integer=True needs whole-number scale ends, got scale=\(0.5, 10\)"),
    ((7.3, (1, 10), 5), {"decimals": -1}, r"decimals must be 0 or more, got -1"),
    ((7.3, 10, 5), {}, r"scale must be a pair \(min, max\), got 10"),
    ((7.3, (1, 10), 5), {"convention": "up"}, r"convention must be one of .* got 'up'"),
])
def test_mean_share_bounds_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mean_share_bounds(*args, **kwargs)


def test_poststratify_counts_errors():
    with pytest.raises(ValueError, match=r"population\['b'\] must be at least the base n=10, got 8"):
        poststratify_shares({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": 50, "b": 8},
                            population_counts=True)
    with pytest.raises(ValueError, match=r"population_counts=True needs one count per group"):
        poststratify_shares({"a": 20, "b": 30}, {"a": 10, "b": 10}, {"a": (0.2, 0.5), "b": None},
                            population_counts=True)


def test_poststratify_conf_level_checked():
    with pytest.raises(ValueError, match=r"conf_level must lie strictly between 0 and 1, got 2"):
        poststratify_shares(SHARES, BASES, {"GP": 0.6, "non-GP": 0.4}, conf_level=2)
