"""GRIM, GRIMMER, SD bounds and check_figures on small hand-made tables.

Every expected value is derived by hand in the comment next to it.
"""

import math

import pandas as pd
import pytest

from barotrend.figures import check_figures, grim, grimmer, sd_bounds

# ---------------------------------------------------------------- GRIM


def test_grim_inconsistent_and_consistent():
    # 5.19 to 2 decimals: [5.185, 5.195) * 28 = [145.18, 145.46): no integer total
    # (145/28 = 5.1786, 146/28 = 5.2143)
    r = grim(5.19, 28).iloc[0]
    assert not r["consistent"]
    # 5.18: [5.175, 5.185) * 28 = [144.9, 145.18) -> 145
    r = grim(5.18, 28).iloc[0]
    assert r["consistent"] and (r["total_min"], r["total_max"]) == (145, 145)
    assert r["informative"]  # 28 < 100


def test_grim_items_and_uninformative():
    # 3.47 on 10 respondents: one item [34.65, 34.75) none; three items [103.95, 104.25) -> 104
    assert not grim(3.47, 10).iloc[0]["consistent"]
    assert grim(3.47, 10, items=3).iloc[0]["consistent"]
    # 7.2 to 1 decimal on 94: [7.15, 7.25) * 94 = [672.1, 681.5) -> 673..681; 94 >= 10 so
    # every 1-decimal mean is reachable
    r = grim(7.2, 94, decimals=1).iloc[0]
    assert (r["total_min"], r["total_max"]) == (673, 681)
    assert not r["informative"] and "uninformative" in r["note"]


def test_grim_scale_excludes_totals():
    # mean 1.0 of 3 answers on 1-5: [0.995, 1.005) * 3 = [2.985, 3.015) -> 3 = 3 * 1, inside
    assert grim(1.0, 3, scale=(1, 5)).iloc[0]["consistent"]
    # mean 0.67 of 3 on 1-5: total 2 (0.6667) but the smallest total on 1-5 is 3
    assert grim(0.67, 3).iloc[0]["consistent"]
    assert not grim(0.67, 3, scale=(1, 5)).iloc[0]["consistent"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mean": 5.19, "n": 0}, "n.*0"),
    ({"mean": 5.19, "n": 28, "decimals": -1}, "decimals.*-1"),
    ({"mean": 5.195, "n": 28}, "mean 5.195 has more decimals"),
    ({"mean": 5.19, "n": 28, "items": 0}, "items.*0"),
    ({"mean": 5.19, "n": 28, "scale": (5, 1)}, r"scale.*\(5, 1\)"),
    ({"mean": 5.19, "n": 28, "scale": 7}, "scale.*7"),
])
def test_grim_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        grim(**kwargs)


# ---------------------------------------------------------------- GRIMMER


def test_grimmer_integer_sum_of_squares():
    # n = 10, mean 3.50 -> total 35; Q = 9 s^2 + 35^2/10 = 9 s^2 + 122.5.
    # SD 1.00: s in [0.995, 1.005) -> 9 s^2 in [8.910, 9.090) -> Q in [131.41, 131.59): no integer
    assert not grimmer(3.5, 1.0, 10).iloc[0]["consistent"]
    # SD 1.08: s in [1.075, 1.085) -> 9 s^2 in [10.401, 10.595) -> Q in [132.90, 133.10) -> 133,
    # odd like the total 35
    r = grimmer(3.5, 1.08, 10).iloc[0]
    assert r["grim"] and r["consistent"]


def test_grimmer_parity():
    # n = 4, mean 2.00 -> total 8; Q = 3 s^2 + 16.
    # SD 1.00: Q in [18.97, 19.03) -> 19, odd, but x^2 and x have the same parity so
    # Q must be even like the total 8: impossible
    assert not grimmer(2.0, 1.0, 4).iloc[0]["consistent"]
    # SD 1.15: 3 s^2 in [3.933, 4.002) -> Q = 20, even: e.g. 1, 1, 3, 3 (SD sqrt(4/3) = 1.1547)
    assert grimmer(2.0, 1.15, 4).iloc[0]["consistent"]


def test_grimmer_scale_bounds():
    # n = 4, mean 1.50 -> total 6; SD 2.08: 3 s^2 in [12.917, 13.042) -> Q = 22 (even like 6):
    # e.g. -1, 1, 2, 4 (sum 6, squares 22). On a 1-2 scale the largest sample SD is
    # sqrt(0.5 * 0.5 * 4/3) = 0.577, so 2.08 is impossible there.
    assert grimmer(1.5, 2.08, 4).iloc[0]["consistent"]
    assert not grimmer(1.5, 2.08, 4, scale=(1, 2)).iloc[0]["consistent"]


def test_grimmer_mean_fails_grim():
    # mean 5.19 on 28 fails GRIM (see above), so no SD can rescue it
    r = grimmer(5.19, 1.5, 28).iloc[0]
    assert not r["grim"] and not r["consistent"]


def test_grimmer_sd_decimals():
    # mean 2.0 (1 decimal) on 4 -> total 8 ([7.8, 8.2)); SD 1.2 (1 decimal) [1.15, 1.25):
    # 3 s^2 in [3.9675, 4.6875) -> Q = 20 (even) fits
    assert grimmer(2.0, 1.2, 4, decimals=1).iloc[0]["consistent"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mean": 2.0, "sd": 1.0, "n": 1}, "n must be 2 or more.*1"),
    ({"mean": 2.0, "sd": -1.0, "n": 4}, "sd.*-1.0"),
    ({"mean": 2.0, "sd": 1.0, "n": 4, "sd_decimals": -1}, "sd_decimals.*-1"),
    ({"mean": 2.0, "sd": 1.005, "n": 4}, "sd 1.005 has more decimals"),
])
def test_grimmer_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        grimmer(**kwargs)


# ---------------------------------------------------------------- SD bounds


def test_sd_bounds_two_answers():
    # mean 5.5 of 2 answers on 1-10: largest SD from 1 and 10: sqrt(2 * 4.5^2) = 9/sqrt(2)
    # = 6.364 (Bhatia-Davis: 4.5 * 4.5 * 2/1 = 40.5); smallest from 5 and 6: 1/sqrt(2) = 0.707
    r = sd_bounds(5.5, 2, 1, 10).iloc[0]
    assert r["sd_max"] == pytest.approx(9 / math.sqrt(2))
    assert r["sd_min"] == pytest.approx(1 / math.sqrt(2))


def test_sd_bounds_budget_confidence():
    # mean 7.2, n = 94, scale 1-10: (10 - 7.2)(7.2 - 1) = 17.36, * 94/93 = 17.5467 -> 4.1889;
    # f = 0.2: 0.2 * 0.8 * 94/93 = 0.16172 -> 0.40214
    r = sd_bounds(7.2, 94, 1, 10).iloc[0]
    assert r["sd_max"] == pytest.approx(4.1889, abs=1e-4)
    assert r["sd_min"] == pytest.approx(0.40214, abs=1e-5)


def test_sd_bounds_integer_mean_has_zero_minimum():
    # mean 3 exactly: all answers 3 gives SD 0; max (5-3)(3-1) * 10/9 = 4.444 -> 2.108
    r = sd_bounds(3, 10, 1, 5).iloc[0]
    assert r["sd_min"] == 0
    assert r["sd_max"] == pytest.approx(math.sqrt(40 / 9))


@pytest.mark.parametrize(("args", "match"), [
    ((5, 1, 1, 10), "n must be 2 or more.*1"),
    ((5, 10, 10, 1), r"scale min must be below its max.*\(10, 1\)"),
    ((5, 10, 3, 3), r"scale.*\(3, 3\)"),
    ((11, 10, 1, 10), "mean must lie within the scale 1-10.*11"),
    ((float("nan"), 10, 1, 10), "mean.*nan"),
])
def test_sd_bounds_errors(args, match):
    with pytest.raises(ValueError, match=match):
        sd_bounds(*args)


# ---------------------------------------------------------------- check_figures

_DEFAULTS = {"survey": "s", "wave": "w1", "item": "q", "category": "", "group": "all",
             "statistic": "share", "decimals": 0, "scale_min": pd.NA, "scale_max": pd.NA,
             "base": pd.NA, "multi_response": False, "exhaustive": False,
             "reference_wave": "", "implied": False}


def _table(*rows):
    out = []
    for i, r in enumerate(rows):
        row = {"figure_id": f"f{i}", **_DEFAULTS, **r}
        out.append(row)
    df = pd.DataFrame(out)
    for c in ("scale_min", "scale_max", "base"):
        df[c] = df[c].astype("Int64")
    return df


def _verdicts(res, check):
    part = res[res["check"] == check]
    return dict(zip(part["figure_ids"], part["verdict"], strict=True))


def test_sum_to_100_fail_and_pass():
    # 50 + 40 + 20: smallest true sum 49.5 + 39.5 + 19.5 = 108.5 > 100 -> fail
    t = _table({"value": 50.0, "category": "a", "exhaustive": True},
               {"value": 40.0, "category": "b", "exhaustive": True},
               {"value": 20.0, "category": "c", "exhaustive": True})
    r = check_figures(t)
    assert _verdicts(r, "sum_to_100") == {"f0, f1, f2": "fail"}
    # 34 + 33 + 32 = 99: true sum in [97.5, 100.5) contains 100 -> pass
    t["value"] = [34.0, 33.0, 32.0]
    assert _verdicts(check_figures(t), "sum_to_100") == {"f0, f1, f2": "pass"}
    # 34 + 33 + 31 = 98: [96.5, 99.5) excludes 100 -> fail
    t["value"] = [34.0, 33.0, 31.0]
    assert _verdicts(check_figures(t), "sum_to_100") == {"f0, f1, f2": "fail"}


def test_sum_at_most_100_and_multi_response_skipped():
    # mutually exclusive 60 + 50: at least 59.5 + 49.5 = 109 -> fail
    t = _table({"value": 60.0, "category": "a"}, {"value": 50.0, "category": "b"})
    assert _verdicts(check_figures(t), "sum_at_most_100") == {"f0, f1": "fail"}
    # the same as a multi-response set: no sum check at all
    t["multi_response"] = True
    r = check_figures(t)
    assert not r["check"].isin(["sum_at_most_100", "sum_to_100"]).any()


def test_achievable_bases_stated_assumed_and_missing():
    t = _table({"value": 50.0, "base": 85},                 # 42/85 49.41%, 43/85 50.59% -> fail
               {"value": 68.0, "wave": "w2"},               # on 94 respondents: 64 -> pass
               {"value": 61.0, "group": "GP", "wave": "w2"},  # subgroup base unknown
               {"value": 44.0, "wave": "w3"})               # no base anywhere
    waves = pd.DataFrame({"survey": ["s", "s", "s"], "wave": ["w1", "w2", "w3"],
                          "respondents": pd.array([pd.NA, 94, pd.NA], dtype="Int64")})
    r = check_figures(t, waves)
    assert _verdicts(r, "achievable") == {"f0": "fail", "f1": "pass", "f2": "not testable",
                                          "f3": "not testable"}
    detail = r.set_index("figure_ids").loc["f1", "detail"]
    assert "64/94" in detail and "assumed" in detail
    assert "42/85 = 49.41%" in r.set_index("figure_ids").loc["f0", "detail"]
    # without a waves table the assumed base is unavailable
    assert _verdicts(check_figures(t), "achievable")["f1"] == "not testable"


def test_set_on_base_lists_fitting_bases():
    # 50 / 50 on 85 (stated): 50% impossible on odd 85; the smallest bases that fit are the
    # even ones 2, 4, 6, 8, 10, 12
    t = _table({"value": 50.0, "category": "a", "exhaustive": True, "base": 85},
               {"value": 50.0, "category": "b", "exhaustive": True, "base": 85})
    r = check_figures(t)
    row = r[r["check"] == "set_on_base"].iloc[0]
    assert row["verdict"] == "fail"
    assert "2, 4, 6, 8, 10, 12" in row["detail"]


def test_grim_in_table():
    # 5.19 (2 decimals) on 28 answers of a 1-7 scale: impossible (see test_grim above)
    t = _table({"value": 5.19, "decimals": 2, "statistic": "mean", "scale_min": 1,
                "scale_max": 7, "base": 28})
    r = check_figures(t)
    assert _verdicts(r, "grim") == {"f0": "fail"}
    assert _verdicts(r, "grimmer") == {"f0": "not testable"}


def test_grimmer_and_sd_bounds_when_sd_published():
    # mean 2.00 on 4 answers of 1-5 with SD 1.00: parity makes it impossible (test above);
    # the SD bounds for mean 2 on 1-5 are 0 (all 2s) to sqrt(3 * 1 * 4/3) = 2, so 1.00 fits.
    # SD 2.50 on the second row: above the maximum 2 -> fail.
    t = _table({"value": 2.0, "decimals": 2, "statistic": "mean", "scale_min": 1,
                "scale_max": 5, "base": 4},
               {"value": 2.0, "decimals": 2, "statistic": "mean", "scale_min": 1,
                "scale_max": 5, "base": 4, "item": "q2"})
    t["sd"] = [1.0, 2.5]
    r = check_figures(t)
    assert _verdicts(r, "grimmer") == {"f0": "fail", "f1": "fail"}
    assert _verdicts(r, "sd_bounds") == {"f0": "pass", "f1": "fail"}


#: GP and non-GP stated (groups.csv) to partition the respondents of survey "s"
GP_PARTITION = pd.DataFrame({"survey": "s", "group": ["GP", "non-GP"], "relation": "partition"})


def test_subgroups():
    # overall 70% between GP 61% and non-GP 31%? No: the range is [30.5, 61.5) -> fail
    t = _table({"value": 70.0, "base": 100}, {"value": 61.0, "group": "GP"},
               {"value": 31.0, "group": "non-GP"})
    r = check_figures(t, groups=GP_PARTITION)
    assert _verdicts(r, "subgroup_range") == {"f0, f1, f2": "fail"}
    assert _verdicts(r, "group_sizes") == {"f0, f1, f2": "fail"}
    # overall 50% of 70: GP 44 (27) and non-GP 26 (8), see test_rounding -> both pass
    t.loc[0, ["value", "base"]] = [50.0, 70]
    r = check_figures(t, groups=GP_PARTITION)
    assert _verdicts(r, "subgroup_range") == {"f0, f1, f2": "pass"}
    assert _verdicts(r, "group_sizes") == {"f0, f1, f2": "pass"}
    # a single subgroup of the partition does not constrain the overall
    r = check_figures(t.iloc[:2], groups=GP_PARTITION)
    assert _verdicts(r, "subgroup_range") == {"f0, f1": "not testable"}
    assert "'non-GP' has no figure" in r.loc[r["check"] == "subgroup_range", "detail"].iloc[0]
    # without groups.csv nothing says the groups partition the respondents
    r = check_figures(t)
    assert _verdicts(r, "subgroup_range") == {"f0, f1, f2": "not testable"}
    assert _verdicts(r, "group_sizes") == {"f0, f1, f2": "not testable"}


def test_stated_change():
    base = [{"value": 73.0, "wave": "w1"}, {"value": 68.0, "wave": "w2"}]
    # 68 - 73 = -5 stated as -5: true change in (67.5 - 73.5, 68.5 - 72.5) = (-6, -4) -> pass
    t = _table(*base, {"value": -5.0, "wave": "w2", "statistic": "change",
                       "reference_wave": "w1"})
    assert _verdicts(check_figures(t), "stated_change") == {"f2, f1, f0": "pass"}
    # stated -8: its interval (-8.5, -7.5] misses (-6, -4) -> fail
    t.loc[2, "value"] = -8.0
    assert _verdicts(check_figures(t), "stated_change") == {"f2, f1, f0": "fail"}
    # stated -6: (-6.5, -5.5] overlaps (-6, -4) (e.g. 67.6 - 73.4 = -5.8 rounds to -6) -> pass
    t.loc[2, "value"] = -6.0
    assert _verdicts(check_figures(t), "stated_change") == {"f2, f1, f0": "pass"}
    # stated -7: (-7.5, -6.5] misses (-6, -4) -> fail
    t.loc[2, "value"] = -7.0
    assert _verdicts(check_figures(t), "stated_change") == {"f2, f1, f0": "fail"}
    # the reference value implied from the change: not testable
    t.loc[0, "implied"] = True
    assert _verdicts(check_figures(t), "stated_change") == {"f2, f1, f0": "not testable"}
    # no reference value at all
    r = check_figures(t.iloc[1:])
    assert _verdicts(r, "stated_change") == {"f2": "not testable"}


def test_check_figures_does_not_mutate_and_columns():
    t = _table({"value": 50.0, "base": 85})
    before = t.copy()
    r = check_figures(t)
    pd.testing.assert_frame_equal(t, before)
    assert list(r.columns) == ["check", "figure_ids", "survey", "wave", "item", "group",
                               "verdict", "detail", "kind"]


def test_check_figures_errors():
    with pytest.raises(ValueError, match="figures is missing the column.*base"):
        check_figures(_table({"value": 50.0}).drop(columns="base"))
    with pytest.raises(ValueError, match="figures must be a pandas DataFrame, got list"):
        check_figures([1, 2])
    with pytest.raises(ValueError, match="convention.*'nearest'"):
        check_figures(_table({"value": 50.0}), convention="nearest")
    with pytest.raises(ValueError, match="waves is missing the column 'respondents'"):
        check_figures(_table({"value": 50.0}), pd.DataFrame({"survey": ["s"], "wave": ["w1"]}))


def test_grimmer_integer_minimum_sd():
    # mean 2.50 of 2 integer answers -> total 5; the answers differ by at least 1, so the SD is
    # at least sqrt(0.5 * 0.5 * 2/1) = 0.707: SD 0.00 is impossible. SD 0.71: Q = s^2 + 12.5
    # with s^2 in [0.497, 0.5112) -> Q = 13 (odd like 5): answers 2 and 3
    assert not grimmer(2.5, 0.0, 2).iloc[0]["consistent"]
    assert grimmer(2.5, 0.71, 2).iloc[0]["consistent"]


def test_grimmer_large_n_is_closed_form():
    # n = 100,000 answers on 1-5 with mean 3.00 and SD 1.41: 1.41^2 = 1.988 is below the scale
    # maximum (5-3)(3-1) * n/(n-1) = 4.00004, so consistent; SD 2.01 (s^2 >= 4.0200) exceeds it
    assert grimmer(3.0, 1.41, 100_000, scale=(1, 5)).iloc[0]["consistent"]
    assert not grimmer(3.0, 2.01, 100_000, scale=(1, 5)).iloc[0]["consistent"]


def test_scale_needs_finite_numbers():
    with pytest.raises(ValueError, match=r"scale must hold two finite numbers.*nan"):
        grim(3.0, 10, scale=(1, float("nan")))


def test_subgroup_range_touching_ends():
    # overall 62% -> [61.5, 62.5); GP 61% -> [60.5, 61.5), non-GP 31% -> [30.5, 31.5): the
    # subgroup range [30.5, 61.5) stops just short of 61.5, so a weighted average of the two
    # can never reach 61.5: fail. Overall 61% -> [60.5, 61.5) overlaps: pass.
    t = _table({"value": 62.0}, {"value": 61.0, "group": "GP"},
               {"value": 31.0, "group": "non-GP"})
    assert _verdicts(check_figures(t, groups=GP_PARTITION), "subgroup_range") == \
        {"f0, f1, f2": "fail"}
    t.loc[0, "value"] = 61.0
    assert _verdicts(check_figures(t, groups=GP_PARTITION), "subgroup_range") == \
        {"f0, f1, f2": "pass"}


def test_stated_change_touching_ends():
    # 70 then 60 with a stated change of -11 under half-up: true change lies in
    # (59.5 - 70.5, 60.5 - 69.5) = (-11, -9) (both ends open: 70.5 and 60.5 are excluded);
    # -11 stands for (-11.5, -10.5] (ties away from zero), which overlaps (-11, -9) on
    # (-11, -10.5]: pass. -12 stands for (-12.5, -11.5]: no overlap, fail.
    t = _table({"value": 70.0, "wave": "w1"}, {"value": 60.0, "wave": "w2"},
               {"value": -11.0, "wave": "w2", "statistic": "change", "reference_wave": "w1"})
    assert _verdicts(check_figures(t), "stated_change") == {"f2, f1, f0": "pass"}
    t.loc[2, "value"] = -12.0
    assert _verdicts(check_figures(t), "stated_change") == {"f2, f1, f0": "fail"}
    # floor rounding (truncation): 70 -> [70, 71), 60 -> [60, 61): true change in (-11, -9);
    # a stated -9 under floor is [-9, -8): the only candidate point -9 is excluded -> fail
    t.loc[2, "value"] = -9.0
    assert _verdicts(check_figures(t, convention="floor"), "stated_change") == \
        {"f2, f1, f0": "fail"}


# ---------------------------------------------------------------- issue 11: checks that help

def test_impossible_share_names_the_nearest_bases_that_fit():
    # 50% on a stated 85: 42/85 = 49.41%, 43/85 = 50.59%. 84 = 2 * 42 and 86 = 2 * 43 fit.
    t = _table({"value": 50.0, "base": 85})
    row = check_figures(t).set_index("check").loc["achievable"]
    assert row["verdict"] == "fail" and row["kind"] == "source"
    assert "84 (below) and 86 (above)" in row["detail"]


def test_impossible_share_on_an_assumed_base_names_the_bases():
    # 33% on the wave's 10 respondents (assumed): 3/10 = 30%, 4/10 = 40%. Below: 9 -> 3/9 =
    # 33.3%; above: 12 -> 4/12 = 33.3% (11: 3/11 = 27.3%, 4/11 = 36.4%)
    t = _table({"value": 33.0})
    waves = pd.DataFrame({"survey": ["s"], "wave": ["w1"], "respondents": [10]})
    row = check_figures(t, waves).set_index("check").loc["achievable"]
    assert row["verdict"] == "fail" and "assumed" in row["detail"]
    assert "9 (below) and 12 (above)" in row["detail"]


def test_set_on_base_names_the_nearest_bases():
    # 50 / 50 on 85: the nearest even bases 84 and 86 fit (42 + 42, 43 + 43)
    t = _table({"value": 50.0, "category": "a", "exhaustive": True, "base": 85},
               {"value": 50.0, "category": "b", "exhaustive": True, "base": 85})
    row = check_figures(t).set_index("check").loc["set_on_base"]
    assert "84 (below) and 86 (above)" in row["detail"]


def test_a_set_summing_to_120_fails_without_an_exception():
    # 70 + 50 exhaustive: 69.5 + 49.5 = 119 > 100, so no base works; both checks fail and say why
    t = _table({"value": 70.0, "category": "a", "exhaustive": True, "base": 10},
               {"value": 50.0, "category": "b", "exhaustive": True, "base": 10})
    r = check_figures(t).set_index("check")
    assert r.loc["sum_to_100", "verdict"] == "fail"
    assert r.loc["set_on_base", "verdict"] == "fail"
    assert "cannot sum to 100" in r.loc["set_on_base", "detail"]


def test_shares_all_at_most_1_are_flagged_as_probably_proportions():
    # 0.48 / 0.44 / 0.08 typed where percentages belong: a warning about the input
    t = _table({"value": 0.48, "category": "a", "decimals": 2},
               {"value": 0.44, "category": "b", "decimals": 2},
               {"value": 0.08, "category": "c", "decimals": 2},
               {"value": 48.0, "category": "a", "item": "other"})
    r = check_figures(t)
    flagged = r[r["check"] == "probably_proportions"]
    assert flagged["figure_ids"].tolist() == ["f0, f1, f2"]
    assert flagged["verdict"].tolist() == ["warning"] and flagged["kind"].tolist() == ["input"]
    assert "0.48, 0.44, 0.08" in flagged["detail"].iloc[0]
    assert "multiply them by 100" in flagged["detail"].iloc[0]
    assert set(r.loc[r["check"] != "probably_proportions", "kind"]) == {"source"}
    # all zero is a plausible question (nobody chose any answer): not flagged
    zero = _table({"value": 0.0, "category": "a"}, {"value": 0.0, "category": "b"})
    assert "probably_proportions" not in set(check_figures(zero)["check"])


def test_item_bases_of_a_set_summing_to_120_says_why():
    from barotrend.figures.bases import item_bases
    bases, note = item_bases([70, 50], 85)
    assert bases == [] and "sum to 120%" in note and "exhaustive=False" in note


def test_group_sizes_on_a_base_too_large_to_search_is_not_testable():
    # two subgroups and the overall share on a stated base of two million: the search is
    # refused (bases up to 1,000,000), and check_figures reports that instead of failing
    t = _table({"value": 50.0, "base": 2_000_000}, {"value": 61.0, "group": "GP"},
               {"value": 31.0, "group": "non-GP"})
    r = check_figures(t, groups=GP_PARTITION).set_index("check")
    assert r.loc["group_sizes", "verdict"] == "not testable"
    assert "1,000,000" in r.loc["group_sizes", "detail"]
