"""Same-sample comparisons: expected values derived by hand in the comments."""

import math

import pytest

from barotrend.figures.same_sample import compare_categories, compare_items


def test_categories_scott_seber_by_hand():
    # 50% vs 40% of n=80 (a base the grip question's rounded shares allow):
    # Var = (0.5 + 0.4 - 0.1**2) / 80 = 0.89 / 80 = 0.011125, se = 0.105475, z = 0.948
    r = compare_categories(50, 40, 80, rounding="point").iloc[0]
    assert r["se"] == pytest.approx(math.sqrt(0.89 / 80), rel=1e-12)
    assert r["statistic"] == pytest.approx(0.1 / math.sqrt(0.89 / 80), rel=1e-12)
    assert r["p_value"] == pytest.approx(0.3431, abs=1e-4)  # 2 * (1 - Phi(0.94809)), table


def test_categories_worst_rounding_row():
    # 43% of 273: counts 117 (42.86%) and 118 (43.22%); 31%: 84 (30.77%) and 85 (31.14%).
    # Least favourable pair: 117 vs 85, d = 32/273 = 0.11722,
    # Var = (202/273 - 0.11722**2)/273 -> se = 0.051576, z = 2.2727, p = 2(1 - 0.98848) = 0.02304
    r = compare_categories(43, 31, 273).set_index("row").loc["worst_rounding"]
    assert r["difference"] == pytest.approx(32 / 273, rel=1e-12)
    d = 32 / 273
    se = math.sqrt((202 / 273 - d * d) / 273)
    assert r["se"] == pytest.approx(se, rel=1e-12)
    assert r["p_value"] == pytest.approx(0.02304, abs=1e-4)
    assert "117 and 85 of 273" in r["note"]


def test_categories_fpc_and_direction():
    # fpc (N - n)/(N - 1) with n = 94 of N = 211: 117/210 = 0.557143 on the variance
    a = compare_categories(51, 30, 94, rounding="point").iloc[0]
    b = compare_categories(51, 30, 94, rounding="point", population_size=211).iloc[0]
    assert b["se"] == pytest.approx(a["se"] * math.sqrt(117 / 210), rel=1e-12)
    g = compare_categories(51, 30, 94, rounding="point", direction="greater").iloc[0]
    assert g["p_value"] == pytest.approx(a["p_value"] / 2, rel=1e-12)


def test_items_frechet_rows_by_hand():
    # 64% vs 14%: worst p_ab = 0 -> c = -0.0896; best p_ab = 0.14 -> c = 0.14 - 0.0896 = 0.0504
    r = compare_items(64, 14, 273, correlation=0.3).set_index("row")
    va, vb = 0.64 * 0.36, 0.14 * 0.86
    assert r.loc["worst_case", "se"] == pytest.approx(math.sqrt((va + vb + 2 * 0.0896) / 273))
    assert r.loc["best_case", "se"] == pytest.approx(math.sqrt((va + vb - 2 * 0.0504) / 273))
    assert r.loc["independent", "se"] == pytest.approx(math.sqrt((va + vb) / 273))
    c = 0.3 * math.sqrt(va * vb)
    assert r.loc["stated_correlation", "se"] == pytest.approx(math.sqrt((va + vb - 2 * c) / 273))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: compare_categories(60, 50, 80), r"percent_a \+ percent_b = 110 exceeds 100"),
    (lambda: compare_categories(50, 40, 85), r"percent_a=50 is not achievable on base n=85"),
    (lambda: compare_categories(101, 4, 85), r"percent_a must lie within 0-100, got 101"),
    (lambda: compare_categories(50, 40, 0), r"n must be a positive whole number, got 0"),
    (lambda: compare_categories(50, 40, 80, rounding="best"), r"rounding must be .*'best'"),
    (lambda: compare_items(64, 14, 273, correlation=1.5), r"correlation must lie within -1 to 1, got 1.5"),
    (lambda: compare_items(64, 14, 273, direction="up"), r"direction must be .*got 'up'"),
])
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
