"""Rounding intervals, feasible counts, bases and subgroup sizes (barotrend.figures).

Every expected value is derived by hand in the comment next to it.
"""

import pytest

from barotrend.figures import (
    feasible_counts,
    infer_base,
    infer_group_sizes,
    rounding_bounds,
    rounding_interval,
)


def _flags(value, decimals=0, convention="half_up"):
    r = rounding_interval(value, decimals, convention).iloc[0]
    return r["low"], r["high"], bool(r["low_closed"]), bool(r["high_closed"])


# ---------------------------------------------------------------- rounding_bounds / interval

def test_half_up_percent():
    # 68% to 0 decimals: 67.5 rounds up to 68, 68.5 rounds up to 69 -> [67.5, 68.5)
    assert _flags(68) == (67.5, 68.5, True, False)
    assert rounding_bounds(68) == (67.5, 68.5)


def test_half_up_mean_one_decimal():
    # 7.2 to 1 decimal: half a step is 0.05 -> [7.15, 7.25)
    lo, hi = rounding_bounds(7.2, decimals=1)
    assert lo == pytest.approx(7.15, abs=1e-12) and hi == pytest.approx(7.25, abs=1e-12)


def test_half_up_negative_and_zero_ties_away_from_zero():
    # -5 (a change): -5.5 rounds away from zero to -6, -4.5 to -5 -> (-5.5, -4.5]
    assert _flags(-5) == (-5.5, -4.5, False, True)
    # 0: -0.5 -> -1 and 0.5 -> 1, so both ends are excluded
    assert _flags(0) == (-0.5, 0.5, False, False)


def test_half_even():
    # 68 is even: 67.5 -> 68 and 68.5 -> 68 under banker's rounding -> [67.5, 68.5]
    assert _flags(68, convention="half_even") == (67.5, 68.5, True, True)
    # 67 is odd: 66.5 -> 66 and 67.5 -> 68 -> (66.5, 67.5)
    assert _flags(67, convention="half_even") == (66.5, 67.5, False, False)
    # to one decimal: last digit 3 is odd -> (7.25, 7.35)
    lo, hi, lc, hc = _flags(7.3, 1, "half_even")
    assert (lo, hi, lc, hc) == (pytest.approx(7.25), pytest.approx(7.35), False, False)


def test_half_down():
    # ties toward zero: 67.5 -> 67, 68.5 -> 68 -> (67.5, 68.5]
    assert _flags(68, convention="half_down") == (67.5, 68.5, False, True)
    # negative: -5.5 -> -5, -4.5 -> -4 -> [-5.5, -4.5)
    assert _flags(-5, convention="half_down") == (-5.5, -4.5, True, False)
    # zero: -0.5 -> 0 and 0.5 -> 0 -> [-0.5, 0.5]
    assert _flags(0, convention="half_down") == (-0.5, 0.5, True, True)


def test_floor_and_ceil():
    # floor: everything from 68 up to (not including) 69 publishes as 68
    assert _flags(68, convention="floor") == (68.0, 69.0, True, False)
    # ceil: everything above 67 up to 68 publishes as 68
    assert _flags(68, convention="ceil") == (67.0, 68.0, False, True)
    # floor at 2 decimals: [0.41, 0.42)
    lo, hi = rounding_bounds(0.41, 2, "floor")
    assert (lo, hi) == (pytest.approx(0.41), pytest.approx(0.42))


def test_rounding_interval_columns():
    r = rounding_interval(7.2, 1)
    assert list(r.columns) == ["value", "decimals", "convention", "low", "high", "low_closed",
                               "high_closed"]
    assert len(r) == 1 and r["convention"].iloc[0] == "half_up"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"value": 68, "decimals": -1}, "decimals.*-1"),
    ({"value": 68, "decimals": 1.5}, "decimals.*1.5"),
    ({"value": 68, "convention": "bankers"}, "convention.*'bankers'"),
    ({"value": 68.5, "decimals": 0}, "value 68.5 has more decimals.*decimals=0"),
    ({"value": float("nan")}, "value.*nan"),
    ({"value": "68"}, "value.*'68'"),
])
def test_rounding_bounds_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rounding_bounds(**kwargs)


# ---------------------------------------------------------------- feasible_counts

def _counts(*args, **kw):
    return feasible_counts(*args, **kw)["count"].tolist()


def test_feasible_counts_68_of_94():
    # 68% -> [67.5, 68.5) % of 94 = [63.45, 64.39) -> only 64; 64/94 = 0.680851 = 68.09%
    r = feasible_counts(68, 94)
    assert r["count"].tolist() == [64]
    assert r["n"].tolist() == [94]
    assert r["share"].iloc[0] == pytest.approx(64 / 94)
    assert r["percent_exact"].iloc[0] == pytest.approx(68.085106, abs=1e-6)


def test_feasible_counts_85_none_and_one():
    # 50% of 85: [49.5, 50.5)% * 85 = [42.075, 42.925): no integer (42/85 = 49.41%,
    # 43/85 = 50.59%)
    assert _counts(50, 85) == []
    # 10% of 85: [9.5, 10.5)% * 85 = [8.075, 8.925): none (8/85 = 9.41%, 9/85 = 10.59%)
    assert _counts(10, 85) == []
    # 40% of 85: [33.575, 34.425) -> 34 (34/85 = 40% exactly)
    assert _counts(40, 85) == [34]
    # 73% of 85 (the January value implied by "68%, down five points"):
    # [72.5, 73.5)% * 85 = [61.625, 62.475) -> 62 (72.94%)
    assert _counts(73, 85) == [62]


def test_feasible_counts_exact_endpoints():
    # 68% of 200 under half-up: [135, 137): 137/200 = 68.5% rounds up to 69, so it is excluded
    assert _counts(68, 200) == [135, 136]
    # 69% of 200: [137, 139): 137 (68.5%) included, 139 (69.5%) excluded
    assert _counts(69, 200) == [137, 138]
    # half-even: 68.5 -> 68 (even), so 68% takes [135, 137] and 69% (odd) takes (137, 139)
    assert _counts(68, 200, convention="half_even") == [135, 136, 137]
    assert _counts(69, 200, convention="half_even") == [138]
    # 100% of 7: only 7/7 (6/7 = 85.7%)
    assert _counts(100, 7) == [7]
    # 0% of 300: [0, 0.5)% * 300 = [0, 1.5) -> 0 and 1 (1/300 = 0.33% rounds to 0)
    assert _counts(0, 300) == [0, 1]
    # one decimal: 33.3% of 3: [33.25, 33.35)% * 3 = [0.9975, 1.0005) -> 1
    assert _counts(33.3, 3, decimals=1) == [1]


def test_feasible_counts_large_base_is_arithmetic():
    # 37% of 100,000: [36.5, 37.5)% -> counts 36,500 (36.5% exactly, included) to 37,499
    # (37,500 = 37.5% rounds to 38, excluded): 1,000 counts
    r = feasible_counts(37, 100_000)
    assert r["count"].iloc[0] == 36_500
    assert r["count"].iloc[-1] == 37_499
    assert len(r) == 1_000


@pytest.mark.parametrize(("args", "match"), [
    ((101, 85), "percent.*101"),
    ((-1, 85), "percent.*-1"),
    ((50, 0), "n.*0"),
    ((50, -5), "n.*-5"),
    ((50, 2.5), "n.*2.5"),
    ((50, True), "n.*True"),
    ((50, 85, -1), "decimals.*-1"),
    ((50.5, 85, 0), "percent 50.5 has more decimals"),
])
def test_feasible_counts_errors(args, match):
    with pytest.raises(ValueError, match=match):
        feasible_counts(*args)


# ---------------------------------------------------------------- infer_base

def test_infer_base_roles_january():
    # 48% of 85: [40.375, 41.225) -> 41; 44%: [36.975, 37.825) -> 37; 8%: [6.375, 7.225) -> 7;
    # 41 + 37 + 7 = 85
    r = infer_base([48, 44, 8], min_base=85, max_base=85)
    assert r["n"].tolist() == [85]
    assert r["counts_min"].iloc[0] == (41, 37, 7) == r["counts_max"].iloc[0]
    assert r.attrs["feasible"] is True


def test_infer_base_roles_25():
    # on 25: 48% = 12/25 exactly, 44% = 11/25, 8% = 2/25, and 12 + 11 + 2 = 25
    r = infer_base([48, 44, 8], min_base=25, max_base=25)
    assert r["counts"].tolist() == ["12, 11, 2"]


def test_infer_base_exhaustive_narrows_ranges():
    # 50% / 50% on 101: each 50% allows [49.5, 50.5)% of 101, i.e. counts in [49.995, 51.005)
    # -> 50 or 51; summing to 101 forces one 50 and one 51, so each ranges 50-51 and
    # the sum of minima is 100, of maxima 102
    r = infer_base([50, 50], min_base=101, max_base=101)
    assert r["counts_min"].iloc[0] == (50, 50) and r["counts_max"].iloc[0] == (51, 51)
    assert (r["sum_min"].iloc[0], r["sum_max"].iloc[0]) == (100, 102)
    # 60% / 50% cannot sum to any n: lows 59.5% + 49.5% = 109% > 100% for every base; the
    # error says so (issue 12 item 7: it returned an empty table without a word)
    with pytest.raises(ValueError, match=r"60% \+ 50% sum to 110% \(109-111%.*exhaustive=False"):
        infer_base([60, 50], max_base=300)


def test_infer_base_non_exhaustive_only_needs_each_share():
    # 33% alone: n = 3 gives 1/3 = 33.3%; n = 1, 2 give 0, 50, 100 only
    assert infer_base([33], exhaustive=False, max_base=3)["n"].tolist() == [3]
    # as an exhaustive set, 33% cannot be the whole
    with pytest.raises(ValueError, match=r"33% sum to 33%.*not 100%"):
        infer_base([33], exhaustive=True, max_base=3)


def test_infer_base_nothing_feasible_is_reported():
    # 50% needs an even base below 100 (odd n: n/2 +- 0.5 is more than 0.5% of n away), so
    # on 85 alone nothing fits
    r = infer_base([50, 50], min_base=85, max_base=85)
    assert r.empty and r.attrs["feasible"] is False
    assert "no base" in r.attrs["note"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"percents": []}, r"percents.*\[\]"),
    ({"percents": "50"}, "percents.*'50'"),
    ({"percents": [50, 120]}, r"percents\[1\].*120"),
    ({"percents": [50], "min_base": 0}, "min_base.*0"),
    ({"percents": [50], "min_base": 10, "max_base": 5}, "max_base.*5"),
    ({"percents": [50], "decimals": -2}, "decimals.*-2"),
    ({"percents": [50], "convention": "up"}, "convention.*'up'"),
])
def test_infer_base_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        infer_base(**kwargs)


def test_infer_base_large_range_runs():
    # vectorised over 30,000 bases; an even base always fits 50/50 (n/2 + n/2 = n), an odd
    # base below 100 never does (n/2 +- 0.5 is more than 0.5% of n away from half)
    r = infer_base([50, 50], max_base=30_000)
    assert {2, 4, 30_000} <= set(r["n"])
    assert not {1, 3, 85, 99} & set(r["n"])


# ---------------------------------------------------------------- infer_group_sizes

def test_group_sizes_gp_non_gp_on_70_and_72():
    # Overall 50% on N even below 100 means an overall count of exactly N/2. With GP size g
    # (count c1 in [.605g, .615g)) and non-GP size N-g (count c2 in [.305(N-g), .315(N-g))),
    # c1 + c2 in [.305N + .3g, .315N + .3g) must contain N/2, so g in (.6167N, .65N].
    # N = 70: g in (43.17, 45.5] -> 44 or 45. 61% of 44: [26.62, 27.06) -> 27;
    #   61% of 45: [27.225, 27.675) -> none. Non-GP 26: [7.93, 8.19) -> 8. 27 + 8 = 35 = N/2.
    r = infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=70)
    assert r[["n", "count", "size_GP", "count_GP", "size_non-GP", "count_non-GP"]] \
        .values.tolist() == [[70, 35, 44, 27, 26, 8]]
    assert "partition" in r["note"].iloc[0]
    # N = 72: g in (44.4, 46.8] -> 45 (61% impossible, see above) or 46: [27.83, 28.29) -> 28;
    #   non-GP 26 -> 8; 28 + 8 = 36 = N/2.
    r = infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=72)
    assert r[["size_GP", "count_GP", "size_non-GP", "count_non-GP"]].values.tolist() == \
        [[46, 28, 26, 8]]


def test_group_sizes_none_below_70():
    # Feasible bases of the grip question below 70 (see test_seed_checks): 10 ... 68. For each,
    # g must lie in (.6167N, .65N] and 61% must be achievable on g and 31% on N - g:
    # N=10: no integer g in (6.17, 6.5]; N=20: g=13, 61% of 13 = 8/13 = 61.5% rounds to 62;
    # N=30: g=19 [11.495, 11.685) none; N=40: g=25 [15.125, 15.375), 26 [15.73, 15.99) none;
    # N=42: 26 none, 27 [16.335, 16.605) none; N=48: 30 none, 31 -> 19 but 31% of 17
    # [5.185, 5.355) none; N=50: 31 -> non-GP 19 [5.795, 5.985) none, 32 [19.36, 19.68) none;
    # N=52: 33 -> 20, non-GP 19 none; N=58: 36 -> 22, non-GP 22 [6.71, 6.93) none, 37 none;
    # N=60: 38 -> 23, non-GP 22 none, 39 [23.595, 23.985) none; N=62: 39 none, 40 [24.2, 24.6)
    # none; N=68: 42 [25.41, 25.83) none, 43 [26.015, 26.445) none, 44 -> 27 but non-GP 24
    # [7.32, 7.56) none.
    bases = [10, 20, 30, 40, 42, 48, 50, 52, 58, 60, 62, 68]
    r = infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=bases)
    assert r.empty and r.attrs["feasible"] is False


def test_group_sizes_not_partition_bounds_each_group():
    # N = 20, overall 50% -> overall count exactly 10. Groups only subsets of the base:
    # GP 61% is achievable on sizes <= 20 only at 18 (11/18 = 61.1%), but 11 > 10 overall: out.
    # non-GP 31%: size 13 (4/13 = 30.8%) and 16 (5/16 = 31.25%); a group of g with c "yes"
    # needs c <= 10 and g - c <= 20 - 10: size 13, count 4 (9 "no") fits; size 16, count 5
    # has 11 "no" > 10: out.
    r = infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=20, partition=False)
    assert r[["group", "size", "count_min", "count_max"]].values.tolist() == \
        [["non-GP", 13, 4, 4]]
    assert "subset" in r["note"].iloc[0]


def test_group_sizes_unknown_base_range():
    # n=None searches min_base..max_base whatever the other answers of the question allow.
    # 61% is achievable on g only for g in {18, 23, 28, 31, ...} (below 18 no k/g lies in
    # [.605, .615): e.g. 8/13 = .6154, 3/5 = .6, 5/8 = .625); 31% on h <= 30 only for
    # h in {13, 16, 26, 29} (4/13 = .3077, 5/16 = .3125, 8/26, 9/29 = .3103). So N >= 31;
    # odd N < 100 cannot give 50%; N = 32: g in (19.7, 20.8] -> 20: [12.1, 12.3) none;
    # N = 34: g = 21 [12.705, 12.915), 22 [13.31, 13.53) none; N = 36: g in (22.2, 23.4] -> 23:
    # 14/23 = 60.87%, non-GP 13: 4/13 = 30.77%, 14 + 4 = 18 = 50% of 36: the only one below 40
    # (N = 38: g = 24 [14.52, 14.76) none; N = 40: none, see above).
    r = infer_group_sizes(50, {"GP": 61, "non-GP": 31}, min_base=1, max_base=40)
    assert r[["n", "count", "size_GP", "count_GP", "size_non-GP", "count_non-GP"]] \
        .values.tolist() == [[36, 18, 23, 14, 13, 4]]


def test_group_sizes_three_groups():
    # three groups partitioning 6 respondents, all 50%: overall 3 of 6. Each group needs an even
    # size (50% of an odd size below 100 is impossible) -> sizes (2, 2, 2), counts (1, 1, 1)
    r = infer_group_sizes(50, {"a": 50, "b": 50, "c": 50}, n=6)
    assert r[["size_a", "size_b", "size_c", "count_a", "count_b", "count_c"]].values.tolist() \
        == [[2, 2, 2, 1, 1, 1]]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"overall": 150, "groups": {"a": 1, "b": 2}, "n": 10}, "overall.*150"),
    ({"overall": 50, "groups": {}, "n": 10}, r"groups.*\{\}"),
    ({"overall": 50, "groups": {"a": 50}, "n": 10}, r"two groups.*\['a'\]"),
    ({"overall": 50, "groups": {"a": 50, "b": -3}, "n": 10}, r"groups\[b\].*-3"),
    ({"overall": 50, "groups": {"a": 50, "b": 50}, "n": 0}, "n.*0"),
    ({"overall": 50, "groups": {"a": 50, "b": 50}, "n": "85"}, "n.*'85'"),
    ({"overall": 50, "groups": {"a": 50, "b": 50}, "n": []}, r"n must be a base.*\[\]"),
    ({"overall": 50, "groups": {"a": 50, "b": 50}, "n": [10, 0]}, "n must be a positive.*0"),
    ({"overall": 50, "groups": {"a": 50, "b": 50}, "n": 10, "decimals": -1}, "decimals.*-1"),
])
def test_group_sizes_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        infer_group_sizes(**kwargs)


def test_float_noise_is_tolerated_but_extra_decimals_are_not():
    # 0.1 + 0.2 = 0.30000000000000004 in binary floating point: it stands for 0.3 at 1 decimal,
    # so its half-up interval is [0.25, 0.35)
    lo, hi = rounding_bounds(0.1 + 0.2, decimals=1)
    assert (lo, hi) == (pytest.approx(0.25), pytest.approx(0.35))
    # 57.99999999999999 (= 0.58 * 100) is 58 at 0 decimals: 58% of 50 -> [28.75, 29.25) -> 29
    assert _counts(0.58 * 100, 50) == [29]
    with pytest.raises(ValueError, match="value 0.35 has more decimals.*decimals=1"):
        rounding_bounds(0.35, decimals=1)


def test_group_sizes_max_rows_guard():
    # on 70 exactly one combination exists (test above), so max_rows=1 is enough ...
    assert len(infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=70, max_rows=1)) == 1
    # ... but on 70 and 72 there are two (70: 44/26, 72: 46/26)
    with pytest.raises(ValueError, match="max_rows=1 "):
        infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=[70, 72], max_rows=1)
    with pytest.raises(ValueError, match="max_rows.*0"):
        infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=70, max_rows=0)
