"""How groups relate (groups.csv) and how the Tracker compares them accordingly.

References are hand computations, statsmodels' Newcombe interval and exact enumeration with
fractions, never the code's own output.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep

from barotrend.figures.relations import GroupRelations
from barotrend.tracker import Tracker
from barotrend.tracking.groups import subgroup_cases

REL = pd.DataFrame([
    ("fdm", "", "trust FDs", "all", "partition"),
    ("fdm", "", "CCG leads", "all", "partition"),
    ("fdm", "", "acute", "trust FDs", "nested"),
    ("fdm", "", "FT", "trust FDs", "nested"),
    ("fdm", "", "large acute", "acute", "nested"),
    ("fdm", "", "clinical CCG", "CCG leads", "disjoint"),
    ("fdm", "Q2", "acute", "trust FDs", "partition"),
], columns=["survey", "wave", "group", "parent", "relation"])


@pytest.fixture(scope="module")
def rel():
    return GroupRelations(REL)


@pytest.mark.parametrize(("a", "b", "kind", "partition"), [
    ("trust FDs", "CCG leads", "disjoint", True),     # the two partition members
    ("acute", "CCG leads", "disjoint", False),        # descendants of disjoint siblings
    ("large acute", "clinical CCG", "disjoint", False),
    ("acute", "trust FDs", "a_in_b", False),          # a group and its ancestor
    ("trust FDs", "large acute", "b_in_a", False),
    ("acute", "all", "a_in_b", False),
    ("acute", "FT", "overlap", False),                # nested siblings may overlap
    ("large acute", "FT", "overlap", False),
    ("acute", "somebody", "unknown", False),          # a group groups.csv does not name
])
def test_relate(rel, a, b, kind, partition):
    r = rel.relate("fdm", "Q1", a, b)
    assert (r.kind, r.partition) == (kind, partition)


def test_unknown_relation_without_a_table():
    r = GroupRelations(None).relate("s", "W1", "GP", "non-GP")
    assert r.kind == "unknown" and "no relation stated for 'GP', 'non-GP'" in r.why
    # every group lies within the wave's respondents, table or not
    assert GroupRelations(None).relate("s", "W1", "all", "GP").kind == "b_in_a"


def test_a_wave_row_replaces_the_survey_row(rel):
    # in Q2 acute and FT are no longer both nested: acute is a partition member of trust FDs,
    # FT still nested, so they may still overlap; acute vs a partition sibling would be disjoint
    assert rel.relate("fdm", "Q2", "acute", "FT").kind == "overlap"
    assert rel.table("fdm", "Q2")["acute"] == ("trust FDs", "partition")
    assert rel.table("fdm", "Q1")["acute"] == ("trust FDs", "nested")


def test_bad_relation_is_named():
    bad = REL.assign(relation=["partition", "partition", "subset", "nested", "nested",
                               "disjoint", "nested"])
    with pytest.raises(ValueError, match="relation must be one of .* got 'subset' "
                                         r"\(group 'acute'\)"):
        GroupRelations(bad)


# -- subgroup against the rest of its parent ----------------------------------------------------

def _rounds(k, n, pct):
    x = Fraction(100 * k, n)
    return pct - Fraction(1, 2) <= x < pct + Fraction(1, 2)


def _pooled_p(a, m, k, n):
    pool = (a + k) / (m + n)
    if pool in (0, 1):
        return 1.0
    z = (a / m - k / n) / math.sqrt(pool * (1 - pool) * (1 / m + 1 / n))
    return math.erfc(abs(z) / math.sqrt(2))


@given(sub=st.integers(0, 100), parent=st.integers(0, 100), big=st.integers(2, 40))
def test_subgroup_cases_match_an_exact_enumeration(sub, parent, big):
    got = subgroup_cases(sub, parent, [big])
    cases = [(m, a, c) for m in range(1, big) for a in range(m + 1) for c in range(big + 1)
             if _rounds(a, m, sub) and _rounds(c, big, parent) and 0 <= c - a <= big - m]
    assert got["cases"] == len(cases)
    runs = {}
    for m, a, _ in cases:
        lo, hi = runs.get(m, (a, a))
        runs[m] = (min(lo, a), max(hi, a))
    assert dict(zip(got["m"].tolist(), zip(got["a_lo"].tolist(), got["a_hi"].tolist(),
                                           strict=True), strict=True)) == runs
    if not cases:
        assert got["worst"] is None
        return
    ps = [_pooled_p(a, m, c - a, big - m) for m, a, c in cases]
    assert got["worst"][4] == pytest.approx(max(ps), rel=1e-12)
    assert got["p_min"] == pytest.approx(min(ps), rel=1e-12, abs=1e-300)


def test_subgroup_cases_refuse_an_unmanageable_scan():
    with pytest.raises(ValueError, match="exceed max_cells=1000"):
        subgroup_cases(50, 50, [2000], max_cells=1000)


def _toy(values, bases, groups, relations=None):
    waves = pd.DataFrame({"survey": "toy", "wave": ["A"], "wave_order": [1],
                          "date": ["2020-01"], "respondents": [100]})
    figures = pd.DataFrame({"survey": "toy", "wave": "A", "item": "q", "category": "yes",
                            "statistic": "share", "group": groups, "value": values,
                            "base": bases})
    rel = None if relations is None else pd.DataFrame(
        relations, columns=["survey", "group", "parent", "relation"])
    return Tracker.from_figures(figures, waves, groups=rel)


def test_subgroup_with_stated_bases_against_the_rest_by_hand():
    # 60% of 100 (60) and a subgroup of 20 with 75% (15): the rest has 45 of 80 (56.25%).
    # pooled 60/100, se0 = sqrt(.24 (1/20 + 1/80)) = .122474, z = .1875 / .122474 = 1.5309,
    # p = .1258. The subgroup - parent difference .75 - .60 = .15 = (1 - 20/100) * .1875, and
    # its interval is Newcombe's for 15/20 vs 45/80 (statsmodels) times 0.8.
    t = _toy([60.0, 75.0], [100, 20], ["parent", "sub"],
             [("toy", "parent", "all", "disjoint"), ("toy", "sub", "parent", "nested")])
    r = t.compare_groups("q", "sub", "parent").iloc[0]
    z = 0.1875 / math.sqrt(0.24 * (1 / 20 + 1 / 80))
    assert r["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert r["difference"] == pytest.approx(0.15)
    lo, hi = confint_proportions_2indep(15, 20, 45, 80, method="newcomb")
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(0.8 * lo), pytest.approx(0.8 * hi))
    assert r["scenario"] == "subgroup vs rest of parent, stated bases: 15/20 vs 45/80"
    # the other way round: parent - subgroup, the interval mirrored
    r2 = t.compare_groups("q", "parent", "sub").iloc[0]
    assert r2["difference"] == pytest.approx(-0.15)
    assert (r2["ci_low"], r2["ci_high"]) == (pytest.approx(-0.8 * hi), pytest.approx(-0.8 * lo))
    assert r2["p_value"] == pytest.approx(r["p_value"])


def test_overlapping_groups_are_not_tested():
    t = _toy([60.0, 75.0, 30.0], [100, 20, 30], ["parent", "x", "y"],
             [("toy", "parent", "all", "disjoint"), ("toy", "x", "parent", "nested"),
              ("toy", "y", "parent", "nested")])
    r = t.compare_groups("q", "x", "y").iloc[0]
    assert math.isnan(r["p_value"]) and r["difference"] == pytest.approx(0.45)
    assert "may overlap" in r["note"]


def test_a_stated_base_is_never_overridden_in_a_partition():
    # x 70% of a stated 40, y 50% (base not published), 58% of all 100; x and y partition all.
    # y must be the other 60 (28 + 30 = 58 of 100); the reconstruction keeps x at 40.
    t = _toy([58.0, 70.0, 50.0], [pd.NA, 40, pd.NA], ["all", "x", "y"],
             [("toy", "x", "all", "partition"), ("toy", "y", "all", "partition")])
    r = t.compare_groups("q", "x", "y")
    assert (r["size_a"] == 40).all() and (r["size_b"] == 60).all()
    # 28/40 vs 30/60: pooled .58, z = .2 / sqrt(.58 * .42 * (1/40 + 1/60)) = 1.9851
    z = 0.2 / math.sqrt(0.58 * 0.42 * (1 / 40 + 1 / 60))
    assert r["p_value"].iloc[0] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)


def test_disjoint_groups_that_do_not_partition_are_not_split():
    # x and y disjoint within all but not covering it: all's 100 is not split between them
    t = _toy([58.0, 70.0, 50.0], [pd.NA, pd.NA, pd.NA], ["all", "x", "y"],
             [("toy", "x", "all", "disjoint"), ("toy", "y", "all", "disjoint")])
    r = t.compare_groups("q", "x", "y").iloc[0]
    assert math.isnan(r["p_value"])
    assert "a base is split only between the groups that partition it" in r["note"]


def test_gap_change_follows_the_relations():
    # two waves, x and y partition all with stated bases: the gap change uses each wave's
    # stated-base comparison (as tests/test_tracker.py test_gap_change_by_hand, here with the
    # relation stated: no "assumed disjoint" note)
    waves = pd.DataFrame({"survey": "toy", "wave": ["A", "B"], "wave_order": [1, 2],
                          "date": ["2020-01", "2021-01"]})
    figures = pd.DataFrame({"survey": "toy", "wave": ["A", "A", "B", "B"], "item": "q",
                            "group": ["x", "y", "x", "y"], "statistic": "share",
                            "value": [60.0, 40.0, 70.0, 30.0], "base": 100})
    rel = pd.DataFrame({"survey": "toy", "group": ["x", "y"], "relation": "partition"})
    r = Tracker.from_figures(figures, waves, groups=rel).gap_change("q", "x", "y", "A", "B")
    assert r["se"].iloc[0] == pytest.approx(math.sqrt(0.0048 + 0.0042), abs=1e-6)
    assert "assumed disjoint" not in r["note"].iloc[0]


def test_group_comparisons_per_category_do_not_abort_the_family():
    # x publishes "yes" in A and B and "no" in B; y "yes" in A and "no" in A and B. Each category is compared where both groups publish it, and a gap change
    # without the figures says which one is missing (was: ValueError from the whole family).
    waves = pd.DataFrame({"survey": "toy", "wave": ["A", "B"], "wave_order": [1, 2],
                          "date": ["2020-01", "2021-01"]})
    figures = pd.DataFrame({"survey": "toy", "wave": ["A", "A", "B", "B", "A", "B"],
                            "item": "q", "group": ["x", "y", "x", "y", "y", "x"],
                            "category": ["yes", "yes", "yes", "no", "no", "no"],
                            "statistic": "share", "value": [60.0, 40.0, 70.0, 30.0, 60.0, 30.0],
                            "base": 100})
    rel = pd.DataFrame({"survey": "toy", "group": ["x", "y"], "relation": "partition"})
    r = Tracker.from_figures(figures, waves, groups=rel).all_comparisons()
    groups = r[r["comparison"] == "groups"].set_index("category")
    # "yes" in A: 60% vs 40% of 100 each: pooled .5, z = .2 / sqrt(.25 * .02) = 2.8284
    assert groups.loc["yes", "wave"] == "A"
    assert groups.loc["yes", "p_value"] == pytest.approx(math.erfc(2.828427 / math.sqrt(2)),
                                                         rel=1e-5)
    assert groups.loc["no", "wave"] == "B" and groups.loc["no", "p_value"] == pytest.approx(1)
    gaps = r[r["comparison"] == "gap change"]["note"].tolist()
    assert sorted(gaps) == ["the gap change cannot be tested: no published figure for x in A",
                            "the gap change cannot be tested: no published figure for y in B"]


def test_groups_never_in_one_wave_together_do_not_abort_the_family():
    # x published in A only, y in B only (was KeyError 'wave' from an empty comparison)
    waves = pd.DataFrame({"survey": "toy", "wave": ["A", "B"], "wave_order": [1, 2],
                          "date": ["2020-01", "2021-01"]})
    figures = pd.DataFrame({"survey": "toy", "wave": ["A", "B"], "item": "q",
                            "group": ["x", "y"], "category": "yes", "statistic": "share",
                            "value": [60.0, 40.0], "base": 100})
    r = Tracker.from_figures(figures, waves).all_comparisons()
    assert (r["comparison"] != "groups").all()
    gap = r[r["comparison"] == "gap change"]["note"].iloc[0]
    assert gap == "the gap change cannot be tested: no published figure for y in A, x in B"


def test_disjoint_groups_with_one_base_range_the_other():
    # x (70% of a stated 40) and y (50%, base not published) are disjoint within the 100
    # respondents but do not partition them: y's base is never 100 - 40 by assumption; it
    # ranges over every size up to 60 on which 50% is achievable. The smallest, 1 of 2, is the
    # least favourable: 28/40 vs 1/2, pooled 29/42, z = .2 / sqrt(.690476 * .309524 *
    # (1/40 + 1/2)) = .59708, p = .5504.
    t = _toy([70.0, 50.0], [40, pd.NA], ["x", "y"],
             [("toy", "x", "all", "disjoint"), ("toy", "y", "all", "disjoint")])
    z = 0.2 / math.sqrt((29 / 42) * (13 / 42) * (1 / 40 + 1 / 2))
    r = t.compare_groups("q", "x", "y").iloc[0]
    assert r["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert (r["difference"], r["size_a"], r["size_b"]) == (pytest.approx(0.2), 40, 2)
    assert "every size up to 60" in r["note"]
    r2 = t.compare_groups("q", "y", "x").iloc[0]
    assert (r2["difference"], r2["size_a"], r2["size_b"]) == (pytest.approx(-0.2), 2, 40)
    assert r2["p_value"] == pytest.approx(r["p_value"])
    lo, hi = confint_proportions_2indep(28, 40, 1, 2, method="newcomb")
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(lo), pytest.approx(hi))
    assert (r2["ci_low"], r2["ci_high"]) == (pytest.approx(-hi), pytest.approx(-lo))


@given(n=st.integers(1, 60), big=st.integers(2, 40), data=st.data())
def test_ranged_candidates_hold_the_least_favourable_case(n, big, data):
    # the candidate set gives the same largest p as every (m, a, k) of the runs, for runs of
    # the other group's count up to eight long (exact by monotonicity)
    from barotrend.tracking.groups import pooled_p, ranged_candidates

    ms = sorted(data.draw(st.sets(st.integers(1, big), min_size=1, max_size=6)))
    runs = []
    for m in ms:
        lo = data.draw(st.integers(0, m))
        runs.append((lo, data.draw(st.integers(lo, m))))
    klo = data.draw(st.integers(0, n))
    khi = data.draw(st.integers(klo, min(n, klo + 7)))
    parts = list(ranged_candidates(ms, [r[0] for r in runs], [r[1] for r in runs], n, klo,
                                   khi))
    m, a, k = (np.concatenate([p[j] for p in parts]) for j in range(3))
    full = max(_pooled_p(aa, mm, kk, n) for mm, (lo, hi) in zip(ms, runs, strict=True)
               for aa in range(lo, hi + 1) for kk in range(klo, khi + 1))
    assert pooled_p(a, m, k, n).max() == pytest.approx(full, rel=1e-12, abs=1e-15)


@given(x=st.integers(0, 100), y=st.integers(0, 100), p=st.integers(0, 100),
       n=st.integers(2, 90))
def test_partition_scan_equals_the_listed_splits(x, y, p, n):
    # the scan used on large bases (subgroup_cases with the rest's rounding) finds exactly the
    # splits infer_group_sizes lists, and the same least favourable pooled z test
    from barotrend.figures.bases import infer_group_sizes

    got = subgroup_cases(x, p, [n], rest=y)
    listed = infer_group_sizes(p, {"x": x, "y": y}, n=n)
    assert got["cases"] == len(listed)
    if not len(listed):
        assert got["worst"] is None
        return
    ps = [_pooled_p(a, m, b, n - m) for m, a, b in zip(
        listed["size_x"], listed["count_x"], listed["count_y"], strict=True)]
    assert got["worst"][4] == pytest.approx(max(ps), rel=1e-12)
