"""Property-based tests of the published-figures functions (issue 12).

The references are independent of the code under test: rounding is re-implemented here with
integer arithmetic (``divmod`` of the exact ratio, the tie decided by comparing twice the
remainder with the divisor), and feasible counts, bases and least favourable counts are found by
exhaustive enumeration on small bases. Example counts come from the hypothesis profile
(tests/conftest.py: 40 by default, 300 with ``--hypothesis-profile=ci``).
"""

import itertools
import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from barotrend.figures import (
    compare_categories,
    compare_items,
    compare_proportions,
    feasible_count_range,
    feasible_counts,
    infer_base,
    nearest_bases,
    proportion_ci,
)
from barotrend.figures.proportions import PROPORTION_METHODS
from barotrend.figures.same_sample import _z_row

CONVENTIONS = ["half_up", "half_even", "half_down", "floor", "ceil"]
METHODS = list(PROPORTION_METHODS)


def published(k: int, n: int, decimals: int, convention: str) -> int:
    """``100 k / n`` rounded to ``decimals`` under ``convention``, in units of ``10**-decimals``.

    Independent reference: ``100 k 10**d / n = q + r / n`` exactly; the shares are never
    negative, so "away from zero" is "up".
    """
    q, r = divmod(100 * k * 10**decimals, n)
    if r == 0 or convention == "floor":
        return q
    if convention == "ceil":
        return q + 1
    if 2 * r != n:
        return q + (2 * r > n)
    if convention == "half_up":
        return q + 1
    if convention == "half_down":
        return q
    return q + (q % 2)  # half_even: to the even last digit


def as_percent(units: int, decimals: int):
    return units if decimals == 0 else units / 10**decimals


def enumerate_counts(units: int, n: int, decimals: int, convention: str) -> list[int]:
    return [k for k in range(n + 1) if published(k, n, decimals, convention) == units]


@st.composite
def figure(draw, max_n=300):
    """A base, decimals, convention and a published percentage: half the time one that some
    count rounds to, otherwise any value on the grid (often impossible)."""
    n = draw(st.integers(1, max_n))
    decimals = draw(st.integers(0, 2))
    convention = draw(st.sampled_from(CONVENTIONS))
    if draw(st.booleans()):
        units = published(draw(st.integers(0, n)), n, decimals, convention)
    else:
        units = draw(st.integers(0, 100 * 10**decimals))
    return n, decimals, convention, units


# ---------------------------------------------------------------- feasible counts

@given(figure())
def test_feasible_counts_equal_enumeration(fig):
    n, decimals, convention, units = fig
    p = as_percent(units, decimals)
    got = feasible_counts(p, n, decimals, convention)["count"].tolist()
    assert got == enumerate_counts(units, n, decimals, convention)
    run = feasible_count_range(p, n, decimals, convention).iloc[0]
    assert run["counts"] == len(got)
    if got:
        assert (run["count_min"], run["count_max"]) == (got[0], got[-1])


# ---------------------------------------------------------------- intervals

conf_levels = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999])


@given(n=st.integers(1, 400), data=st.data(), method=st.sampled_from(METHODS),
       conf_level=conf_levels, deff=st.sampled_from([None, 0.5, 1.7, 4.0]),
       census=st.sampled_from([None, 0, 1, 50]))
def test_every_interval_contains_its_estimate_within_0_1(n, data, method, conf_level, deff,
                                                         census):
    k = data.draw(st.integers(0, n))
    pop = None if census is None else n + census
    r = proportion_ci(k, n, method=method, conf_level=conf_level, deff=deff,
                      population_size=pop).iloc[0]
    assert 0 <= r["ci_low"] <= r["estimate"] <= r["ci_high"] <= 1
    assert r["estimate"] == k / n
    if k == 0:
        assert r["ci_low"] == 0  # Brown, Cai and DasGupta (2001), 4.1.3
    if k == n:
        assert r["ci_high"] == 1


@given(fig=figure(max_n=250), method=st.sampled_from(METHODS), conf_level=conf_levels,
       deff=st.sampled_from([None, 0.6, 2.5]), extra=st.sampled_from([None, 0, 3, 1000]))
def test_rounding_union_is_the_hull_of_every_count(fig, method, conf_level, deff, extra):
    n, decimals, convention, units = fig
    ks = enumerate_counts(units, n, decimals, convention)
    assume(ks)
    p = as_percent(units, decimals)
    kw = {"method": method, "conf_level": conf_level, "deff": deff,
          "population_size": None if extra is None else n + extra}
    u = proportion_ci(n=n, percent=p, decimals=decimals, convention=convention,
                      rounding="union", **kw).iloc[0]
    singles = [proportion_ci(k, n, **kw).iloc[0] for k in ks]
    lows = [s["ci_low"] for s in singles]
    highs = [s["ci_high"] for s in singles]
    # contains every single-count interval, and is no wider than their hull
    assert u["ci_low"] == min(lows) and u["ci_high"] == max(highs)
    assert 0 <= u["ci_low"] <= min(k / n for k in ks) <= max(k / n for k in ks) <= u["ci_high"] <= 1


# ---------------------------------------------------------------- bases

@given(n_true=st.integers(1, 40), parts=st.integers(1, 3), data=st.data(),
       decimals=st.integers(0, 1), exhaustive=st.booleans())
def test_infer_base_agrees_with_enumeration(n_true, parts, data, decimals, exhaustive):
    # published shares of counts that really sum to n_true (or, half the time, any grid values)
    if data.draw(st.booleans()):
        cuts = sorted(data.draw(st.lists(st.integers(0, n_true), min_size=parts - 1,
                                         max_size=parts - 1)))
        counts = [b - a for a, b in zip([0, *cuts], [*cuts, n_true], strict=True)]
        units = [published(c, n_true, decimals, "half_up") for c in counts]
    else:
        units = data.draw(st.lists(st.integers(0, 100 * 10**decimals), min_size=parts,
                                   max_size=parts))
    pcts = [as_percent(u, decimals) for u in units]
    top = 60
    expected = {}
    for n in range(1, top + 1):
        runs = [enumerate_counts(u, n, decimals, "half_up") for u in units]
        if exhaustive:
            combos = [c for c in itertools.product(*runs) if sum(c) == n]
        else:
            combos = list(itertools.product(*runs))
        if combos:
            expected[n] = (tuple(min(c[i] for c in combos) for i in range(parts)),
                           tuple(max(c[i] for c in combos) for i in range(parts)))
    try:
        r = infer_base(pcts, decimals=decimals, exhaustive=exhaustive, max_base=top)
    except ValueError as err:  # only for an exhaustive set that cannot sum to 100
        assert exhaustive and "not 100%" in str(err)
        assert not expected
        return
    got = {int(n): (lo, hi) for n, lo, hi in zip(r["n"], r["counts_min"], r["counts_max"],
                                                 strict=True)}
    assert got == expected
    assert r.attrs["feasible"] == bool(expected)


def fits(units: int, m: int, decimals: int, convention: str) -> bool:
    """Whether some count of base ``m`` publishes as ``units``: rounding is monotone in the
    count, so only the counts next to the exact ``units / (100 * 10**d) * m`` can."""
    x = units * m // (100 * 10**decimals)
    return any(published(k, m, decimals, convention) == units
               for k in range(max(0, x - 1), min(m, x + 2) + 1))


@given(fig=figure(max_n=150))
def test_nearest_bases_are_the_nearest_feasible(fig):
    n, decimals, convention, units = fig
    p = as_percent(units, decimals)
    below, above = nearest_bases([p], n, decimals, exhaustive=False, convention=convention)
    assert below == next((m for m in range(n - 1, 0, -1) if fits(units, m, decimals, convention)),
                         None)
    # every base of 100 * 10**d or more fits, so there is always one above
    assert above == next(m for m in range(n + 1, n + 100 * 10**decimals + 2)
                         if fits(units, m, decimals, convention))


# ---------------------------------------------------------------- differences

@given(n_a=st.integers(1, 200), n_b=st.integers(1, 200), data=st.data(),
       method=st.sampled_from(["newcombe", "newcombe_cc", "agresti_caffo", "wald"]),
       test=st.sampled_from(["z", "chisq", "fisher"]), conf_level=conf_levels,
       correlation=st.sampled_from([None, 0.0, 0.4, -0.3]),
       pops=st.sampled_from([(None, None), (0, 5), (300, None)]))
def test_compare_proportions_antisymmetric(n_a, n_b, data, method, test, conf_level, correlation,
                                           pops):
    k_a, k_b = data.draw(st.integers(0, n_a)), data.draw(st.integers(0, n_b))
    if test != "z":
        correlation = None
    pa, pb = (None if x is None else n + x for x, n in zip(pops, (n_a, n_b), strict=True))
    kw = {"method": method, "test": test, "conf_level": conf_level, "correlation": correlation}
    ab = compare_proportions(k_a, n_a, k_b, n_b, population_size_a=pa, population_size_b=pb,
                             **kw).iloc[0]
    ba = compare_proportions(k_b, n_b, k_a, n_a, population_size_a=pb, population_size_b=pa,
                             **kw).iloc[0]
    assert ba["difference"] == -ab["difference"]
    assert ba["ci_low"] == pytest.approx(-ab["ci_high"], abs=1e-12)
    assert ba["ci_high"] == pytest.approx(-ab["ci_low"], abs=1e-12)
    if method != "agresti_caffo":
        assert ab["ci_low"] <= ab["difference"] <= ab["ci_high"]
    elif not ab["ci_low"] <= ab["difference"] <= ab["ci_high"]:
        # centred on the adjusted difference: it can miss the observed one, and says so
        assert conf_level < 0.95 and "excludes the observed" in ab["note"]
    assert -1 <= ab["ci_low"] and ab["ci_high"] <= 1
    assert ba["p_value"] == pytest.approx(ab["p_value"], rel=1e-9, nan_ok=True)
    if test == "z" and not math.isnan(ab["statistic"]):
        assert ba["statistic"] == pytest.approx(-ab["statistic"], rel=1e-12)
    if test == "z":  # one-sided: "greater" for a - b is "less" for b - a
        g = compare_proportions(k_a, n_a, k_b, n_b, alternative="greater",
                                population_size_a=pa, population_size_b=pb, **kw).iloc[0]
        lo = compare_proportions(k_b, n_b, k_a, n_a, alternative="less",
                                 population_size_a=pb, population_size_b=pa, **kw).iloc[0]
        assert lo["p_value"] == pytest.approx(g["p_value"], rel=1e-9, nan_ok=True)


@given(n=st.integers(1, 60), data=st.data(),
       direction=st.sampled_from(["two-sided", "greater", "less"]))
def test_compare_categories_worst_counts_equal_enumeration(n, data, direction):
    k_a = data.draw(st.integers(0, n))
    k_b = data.draw(st.integers(0, n - k_a))
    ua, ub = published(k_a, n, 0, "half_up"), published(k_b, n, 0, "half_up")
    r = compare_categories(ua, ub, n, direction=direction)
    ca, cb = enumerate_counts(ua, n, 0, "half_up"), enumerate_counts(ub, n, 0, "half_up")
    best = max(_z_row(x / n - y / n, (x / n + y / n - (x / n - y / n) ** 2) / n, n, 0.95, 1.0,
                      direction)["p_value"] for x in ca for y in cb if x + y <= n)
    assert r["p_value"].iloc[1] == pytest.approx(best, rel=1e-12, abs=1e-300)


@given(n=st.integers(1, 80), data=st.data(), conf_level=conf_levels,
       correlation=st.sampled_from([None, -0.5, 0.0, 0.7]))
def test_same_sample_differences_contain_the_estimate_within_minus_1_1(n, data, conf_level,
                                                                       correlation):
    k_a = data.draw(st.integers(0, n))
    k_b = data.draw(st.integers(0, n - k_a))
    ua, ub = published(k_a, n, 0, "half_up"), published(k_b, n, 0, "half_up")
    frames = [compare_categories(ua, ub, n, conf_level=conf_level),
              compare_items(ua, ub, n, conf_level=conf_level, correlation=correlation)]
    for r in frames:
        for _, row in r.iterrows():
            assert -1 <= row["ci_low"] <= row["difference"] <= row["ci_high"] <= 1
