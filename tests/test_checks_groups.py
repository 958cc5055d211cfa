"""check_figures' group checks follow groups.csv: partitions (hand-pinned), nested subgroups (no
partition assumed, hand and exact enumeration), unknown relations (not testable), stated
subgroup bases kept."""

from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from barotrend.figures.checks import check_figures

_DEFAULTS = {"survey": "s", "wave": "w1", "item": "q", "category": "yes", "group": "all",
             "statistic": "share", "decimals": 0, "scale_min": pd.NA, "scale_max": pd.NA,
             "base": pd.NA, "multi_response": False, "exhaustive": False,
             "reference_wave": "", "implied": False}


def _table(*rows):
    df = pd.DataFrame([{"figure_id": f"f{i}", **_DEFAULTS, **r} for i, r in enumerate(rows)])
    for c in ("scale_min", "scale_max", "base"):
        df[c] = df[c].astype("Int64")
    return df


def _groups(*rows):
    return pd.DataFrame(rows, columns=["survey", "group", "parent", "relation"])


def _rows(res, check):
    part = res[res["check"] == check]
    return dict(zip(part["figure_ids"], zip(part["verdict"], part["detail"], strict=True),
                    strict=True))


def _verdicts(res, check):
    return {k: v for k, (v, _) in _rows(res, check).items()}


PARTITION = _groups(("s", "GP", "all", "partition"), ("s", "non-GP", "all", "partition"))


def _round_half_up(k: int, n: int) -> int:
    """100 k / n rounded half up to a whole percent, exactly."""
    return int(Fraction(100 * k, n) + Fraction(1, 2))


# ---------------------------------------------------------------- partition
def test_partition_pass_and_fail_by_hand():
    # 50% of 70 with GP 61% and non-GP 31%: GP 27/44 = 61.4%, non-GP 8/26 = 30.8%, 35/70 = 50%
    t = _table({"value": 50.0, "base": 70}, {"value": 61.0, "group": "GP"},
               {"value": 31.0, "group": "non-GP"})
    r = check_figures(t, groups=PARTITION)
    assert _verdicts(r, "subgroup_range") == {"f0, f1, f2": "pass"}
    assert _verdicts(r, "group_sizes") == {"f0, f1, f2": "pass"}
    assert "partition 'all' (groups.csv)" in _rows(r, "subgroup_range")["f0, f1, f2"][1]
    # 65% lies outside [30.5, 61.5): no weighted average of the two reaches it
    t.loc[0, "value"] = 65.0
    r = check_figures(t, groups=PARTITION)
    assert _verdicts(r, "subgroup_range") == {"f0, f1, f2": "fail"}
    assert _verdicts(r, "group_sizes") == {"f0, f1, f2": "fail"}
    assert "subgroup_within_parent" not in set(r["check"])


def test_stated_subgroup_bases_are_kept():
    # GP base stated 46: non-GP is 70 - 46 = 24, on which 31% is impossible (7/24 = 29.2%,
    # 8/24 = 33.3%), although GP 44 / non-GP 26 would fit (previous test): fail, not overridden
    t = _table({"value": 50.0, "base": 70}, {"value": 61.0, "group": "GP", "base": 46},
               {"value": 31.0, "group": "non-GP"})
    verdict, detail = _rows(check_figures(t, groups=PARTITION), "group_sizes")["f0, f1, f2"]
    assert verdict == "fail" and "GP 46" in detail and "non-GP 24" in detail
    assert "non-GP no count of 24" in detail and "Unless the relation in groups.csv" in detail
    # GP base stated 44: non-GP 26; counts 27 of 44 and 8 of 26 add up to 35 of 70: pass
    t.loc[1, "base"] = 44
    verdict, detail = _rows(check_figures(t, groups=PARTITION), "group_sizes")["f0, f1, f2"]
    assert verdict == "pass" and "GP 27 of 44" in detail and "non-GP 8 of 26" in detail
    # both stated, 44 + 25 = 69, not the stated 70 they partition: fail
    t.loc[2, "base"] = 25
    verdict, detail = _rows(check_figures(t, groups=PARTITION), "group_sizes")["f0, f1, f2"]
    assert verdict == "fail" and "add up to 69" in detail
    # both stated and no overall base: the parent's base is their sum, 44 + 26 = 70: pass
    t.loc[2, "base"] = 26
    t.loc[0, "base"] = pd.NA
    verdict, detail = _rows(check_figures(t, groups=PARTITION), "group_sizes")["f0, f1, f2"]
    assert verdict == "pass" and "sum 70" in detail


def test_partition_within_a_group_uses_that_groups_base():
    # acute and non-acute partition trust FDs (stated base 20, 50% = 10 of 20); acute 80% of a
    # stated 10 (8), non-acute 20%: on the remaining 10, 2 of 10 -> 8 + 2 = 10: pass; with
    # non-acute 30% (3 of 10) the counts add to 11 of 20 = 55%: fail
    g = _groups(("s", "FD", "all", "disjoint"), ("s", "acute", "FD", "partition"),
                ("s", "other", "FD", "partition"))
    t = _table({"value": 50.0, "group": "FD", "base": 20},
               {"value": 80.0, "group": "acute", "base": 10},
               {"value": 20.0, "group": "other"})
    r = check_figures(t, groups=g)
    assert _verdicts(r, "subgroup_range") == {"f0, f1, f2": "pass"}
    assert _verdicts(r, "group_sizes") == {"f0, f1, f2": "pass"}
    t.loc[2, "value"] = 30.0
    r = check_figures(t, groups=g)
    assert _verdicts(r, "subgroup_range") == {"f0, f1, f2": "pass"}  # 50 within 29.5-80.5
    assert _verdicts(r, "group_sizes") == {"f0, f1, f2": "fail"}


@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 40)), min_size=2, max_size=3),
       st.booleans())
def test_partition_of_true_counts_always_passes(parts, stated):
    # figures rounded from real counts of a real partition are consistent by construction
    parts = [(m, min(a, m)) for m, a in parts]
    n, c = sum(m for m, _ in parts), sum(a for _, a in parts)
    rows = [{"value": float(_round_half_up(c, n)), "base": n}]
    names = [f"g{j}" for j in range(len(parts))]
    for j, (m, a) in enumerate(parts):
        rows.append({"value": float(_round_half_up(a, m)), "group": names[j],
                     "base": m if stated and j == 0 else pd.NA})
    g = _groups(*[("s", x, "all", "partition") for x in names])
    r = check_figures(_table(*rows), groups=g)
    assert set(r.loc[r["check"] == "subgroup_range", "verdict"]) == {"pass"}
    assert set(r.loc[r["check"] == "group_sizes", "verdict"]) == {"pass"}


# ---------------------------------------------------------------- nested
def _nested_fits(parent, M, sub, m_values):
    """Exact enumeration: subgroup bases m on which some a of m (rounding to sub) fits in some
    c of M (rounding to parent): a <= c and m - a <= M - c."""
    return [m for m in m_values
            if any(_round_half_up(a, m) == sub and _round_half_up(c, M) == parent
                   and a <= c and m - a <= M - c
                   for a in range(m + 1) for c in range(M + 1))]


def test_nested_subgroup_is_not_a_partition():
    # issue 11 item 7: trust FDs 67% (stated 83) and CCG leads 40% (stated 50) are disjoint in a
    # wave of 133; acute FDs 89% (base not published) are nested in the trust FDs. Nothing
    # partitions anything: no subgroup_range / group_sizes verdict, and each group is checked
    # against its parent alone.
    g = _groups(("s", "FD", "all", "disjoint"), ("s", "CCG", "all", "disjoint"),
                ("s", "acute", "FD", "nested"))
    t = _table({"value": 60.0, "base": 133}, {"value": 67.0, "group": "FD", "base": 83},
               {"value": 40.0, "group": "CCG", "base": 50}, {"value": 89.0, "group": "acute"})
    r = check_figures(t, groups=g)
    assert not ({"subgroup_range", "group_sizes"} & set(r["check"]))
    got = _rows(r, "subgroup_within_parent")
    assert {k: v for k, (v, _) in got.items()} == {"f0, f1": "pass", "f0, f2": "pass",
                                                    "f1, f3": "pass"}
    fits = _nested_fits(67, 83, 89, range(1, 84))
    assert f"fits on {len(fits)} subgroup base(s) within {fits[0]}-{fits[-1]}" in got["f1, f3"][1]
    # FD and CCG together: 83 + 50 = 133, the whole wave, so the overall count is exactly
    # 56 + 20 = 76 (67% of 83 is 56/83 only; 40% of 50 is 20/50): 76/133 = 57.1%, not 60%
    # (80 of 133): fail; with 57% (76 of 133): pass
    assert _verdicts(r, "disjoint_within_parent") == {"f0, f1, f2": "fail"}
    t.loc[0, "value"] = 57.0
    assert _verdicts(check_figures(t, groups=g), "disjoint_within_parent") == {"f0, f1, f2": "pass"}
    # CCG base 51: 83 + 51 = 134 > 133 -> fail whatever the shares
    t.loc[2, "base"] = 51
    verdict, detail = _rows(check_figures(t, groups=g), "disjoint_within_parent")["f0, f1, f2"]
    assert verdict == "fail" and "= 134 exceed the overall base 133" in detail
    # a base not published: not testable
    t.loc[2, "base"] = pd.NA
    assert _verdicts(check_figures(t, groups=g), "disjoint_within_parent") == \
        {"f0, f1, f2": "not testable"}


def test_nested_subgroup_fail_by_hand():
    # parent 10% of 20 is exactly 2 of 20 (1/20 = 5%, 3/20 = 15%); a nested 50% on a stated 6
    # needs 3 > 2: fail. On an unknown base, 50% = 1 of 2 fits: pass. 90% needs a >= 9 (9/10):
    # no base fits: fail.
    g = _groups(("s", "sub", "all", "nested"))
    t = _table({"value": 10.0, "base": 20}, {"value": 50.0, "group": "sub", "base": 6})
    verdict, detail = _rows(check_figures(t, groups=g), "subgroup_within_parent")["f0, f1"]
    # the bases on which 50% fits inside 2 of 20: 1 of 2 and 2 of 4 (3 of 6 needs 3 > 2)
    assert verdict == "fail" and "it would fit on subgroup bases 2, 4." in detail
    assert _nested_fits(10, 20, 50, range(1, 21)) == [2, 4]
    t.loc[1, "base"] = pd.NA
    assert _verdicts(check_figures(t, groups=g), "subgroup_within_parent") == {"f0, f1": "pass"}
    t.loc[1, "value"] = 90.0
    assert _verdicts(check_figures(t, groups=g), "subgroup_within_parent") == {"f0, f1": "fail"}
    assert _nested_fits(10, 20, 90, range(1, 21)) == []
    assert _nested_fits(10, 20, 50, [6]) == []


@given(st.integers(1, 30), st.data())
def test_nested_against_exact_enumeration(M, data):
    parent = data.draw(st.integers(0, 100))
    sub = data.draw(st.integers(0, 100))
    t = _table({"value": float(parent), "base": M}, {"value": float(sub), "group": "sub"})
    r = check_figures(t, groups=_groups(("s", "sub", "all", "nested")))
    want = "pass" if _nested_fits(parent, M, sub, range(1, M + 1)) else "fail"
    assert _verdicts(r, "subgroup_within_parent") == {"f0, f1": want}


# ---------------------------------------------------------------- unknown relation
def test_unknown_relation_is_not_testable():
    t = _table({"value": 50.0, "base": 70}, {"value": 61.0, "group": "GP"},
               {"value": 31.0, "group": "non-GP"})
    for groups in (None, _groups(("s", "other", "all", "nested"))):
        r = check_figures(t, groups=groups)
        for check in ("subgroup_range", "group_sizes"):
            verdict, detail = _rows(r, check)["f0, f1, f2"]
            assert verdict == "not testable"
            assert "no relation stated in groups.csv for 'GP', 'non-GP'" in detail


def test_unknown_group_beside_a_partition():
    # GP and non-GP stated, 'board' not: the partition is checked, board is reported untested
    t = _table({"value": 50.0, "base": 70}, {"value": 61.0, "group": "GP"},
               {"value": 31.0, "group": "non-GP"}, {"value": 90.0, "group": "board"})
    r = check_figures(t, groups=PARTITION)
    assert _verdicts(r, "subgroup_range") == {"f0, f1, f2": "pass", "f0, f3": "not testable"}
    assert _verdicts(r, "group_sizes") == {"f0, f1, f2": "pass"}


def test_relation_of_another_wave_does_not_apply():
    g = pd.DataFrame({"survey": "s", "wave": "w2", "group": ["GP", "non-GP"],
                      "relation": "partition"})
    t = _table({"value": 50.0, "base": 70}, {"value": 61.0, "group": "GP"},
               {"value": 31.0, "group": "non-GP"})
    assert _verdicts(check_figures(t, groups=g), "subgroup_range") == \
        {"f0, f1, f2": "not testable"}


def test_bad_groups_table_is_named():
    t = _table({"value": 50.0, "base": 70}, {"value": 61.0, "group": "GP"})
    with pytest.raises(ValueError, match="relation must be one of"):
        check_figures(t, groups=_groups(("s", "GP", "all", "inside")))


def test_failed_partition_names_the_nearest_bases_that_fit():
    # the January grip shares (GP 61%, non-GP 31%, overall 50% on the wave's 85): no split of
    # 85 works; the nearest bases with sizes and counts reproducing all three, by enumeration
    t = _table({"value": 50.0}, {"value": 61.0, "group": "GP"},
               {"value": 31.0, "group": "non-GP"})
    waves = pd.DataFrame({"survey": ["s"], "wave": ["w1"], "respondents": [85]})

    def fits(n):
        gp = {g: [a for a in range(g + 1) if _round_half_up(a, g) == 61] for g in range(1, n)}
        return any(_round_half_up(a + b, n) == 50 for g in range(1, n) for a in gp[g]
                   for b in range(n - g + 1) if _round_half_up(b, n - g) == 31)

    below = next(n for n in range(84, 64, -1) if fits(n))
    above = next(n for n in range(86, 106) if fits(n))
    verdict, detail = _rows(check_figures(t, waves, groups=PARTITION), "group_sizes")["f0, f1, f2"]
    assert verdict == "fail"
    assert f"fit are {below} (below) and {above} (above)" in detail
