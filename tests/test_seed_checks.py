"""What the seed articles' figures imply: check_figures and the base inference over the embedded
data (barotrend.datasets.load()).

Every expected verdict and number is derived by hand in the comments (half-up rounding to whole
percentages unless stated; "[a, b)" is the rounding interval times the base).
"""

import pytest

from barotrend import datasets
from barotrend.figures import check_figures, feasible_counts, infer_base, infer_group_sizes

GRIP = ["ccg-w2-grip-too-much", "ccg-w2-grip-right-balance",
        "ccg-w2-grip-too-much-flexibility", "ccg-w2-grip-dont-know"]
W2_ROLES = ["ccg-w2-role-chair", "ccg-w2-role-ao", "ccg-w2-role-other"]
W3_ROLES = ["ccg-w3-role-chair-or-ao", "ccg-w3-role-other"]
W3_LEAD = ["ccg-w3-lead-ccgs-jointly", "ccg-w3-lead-joint", "ccg-w3-lead-nhse-convener"]
GRIP_GROUPS = ["ccg-w2-grip-too-much", "ccg-w2-grip-too-much-gp", "ccg-w2-grip-too-much-non-gp"]

EXPECTED = {
    # --- category sums (single-response sets; W1 priorities are multi-response: skipped)
    # W3 roles 90 + 10: true sum in [89.5 + 9.5, 90.5 + 10.5) = [99, 101) contains 100
    ("sum_to_100", ", ".join(W3_ROLES)): "pass",
    # W2 roles 48 + 44 + 8: [98.5, 101.5) contains 100
    ("sum_to_100", ", ".join(W2_ROLES)): "pass",
    # grip 50 + 40 + 0 + 10: lows 49.5 + 39.5 + 0 + 9.5 = 98.5, highs 50.5 + 40.5 + 0.5 + 10.5
    # = 102: contains 100
    ("sum_to_100", ", ".join(GRIP)): "pass",
    # W3 service-change leadership 51 + 30 + 7 (12% unpublished): at least 86.5 <= 100
    ("sum_at_most_100", ", ".join(W3_LEAD)): "pass",
    # NHSCC vision 43 + 31: at least 73 <= 100
    ("sum_at_most_100", "nhscc-shares-vision-disagree, nhscc-shares-vision-agree"): "pass",
    # --- the set on its base
    # W3 roles on the stated 94: 90% [84.6, 85.07) -> 85; 10% [8.93, 9.87) -> 9; 85 + 9 = 94
    ("set_on_base", ", ".join(W3_ROLES)): "pass",
    # W2 roles on the stated 85: 41 + 37 + 7 = 85 (see test_rounding)
    ("set_on_base", ", ".join(W2_ROLES)): "pass",
    # grip on the wave's 85: 50% and 10% are impossible on 85 (below)
    ("set_on_base", ", ".join(GRIP)): "fail",
    # --- each share on its base
    # W1 and the trust barometer publish no respondents: not testable
    ("achievable", "ccg-w1-priority-urgent-care"): "not testable",
    ("achievable", "ccg-w1-priority-community-ltc"): "not testable",
    ("achievable", "ccg-w1-priority-general-practice"): "not testable",
    ("achievable", "tce-jul2012-not-confident-detect"): "not testable",
    # 41% of the stated 211 CCGs: [85.455, 87.565) -> 86, 87 (86/211 = 40.76%)
    ("achievable", "ccg-w3-unit-response-rate"): "pass",
    ("achievable", "ccg-w3-role-chair-or-ao"): "pass",   # 85/94 = 90.43%
    ("achievable", "ccg-w3-role-other"): "pass",         # 9/94 = 9.57%
    # 68% of 94: [63.45, 64.39) -> 64 (68.09%)
    ("achievable", "ccg-w3-area-team-good"): "pass",
    # 73% (implied) of 85: [61.625, 62.475) -> 62 (72.94%)
    ("achievable", "ccg-w2-area-team-good"): "pass",
    # 51% of 94: [47.47, 48.41) -> 48; 30%: [27.73, 28.67) -> 28 (29.79%);
    # 7%: [6.11, 7.05) -> 7 (7.45%)
    ("achievable", "ccg-w3-lead-ccgs-jointly"): "pass",
    ("achievable", "ccg-w3-lead-joint"): "pass",
    ("achievable", "ccg-w3-lead-nhse-convener"): "pass",
    ("achievable", "ccg-w2-role-chair"): "pass",         # 41/85 = 48.24%
    ("achievable", "ccg-w2-role-ao"): "pass",            # 37/85 = 43.53%
    ("achievable", "ccg-w2-role-other"): "pass",         # 7/85 = 8.24%
    # 99% of 85: [84.15, 84.575) -> 84 (98.82%)
    ("achievable", "ccg-w2-contract-integrated"): "pass",
    # 47%: [39.525, 40.375) -> 40 (47.06%); 62%: [52.275, 53.125) -> 53 (62.35%)
    ("achievable", "ccg-w2-contract-competition"): "pass",
    ("achievable", "ccg-w2-contract-less-finance"): "pass",
    # 50% of 85: [42.075, 42.925) none (42/85 = 49.41%, 43/85 = 50.59%)
    ("achievable", "ccg-w2-grip-too-much"): "fail",
    # 40% of 85: 34 exactly; 0%: 0
    ("achievable", "ccg-w2-grip-right-balance"): "pass",
    ("achievable", "ccg-w2-grip-too-much-flexibility"): "pass",
    # 10% of 85: [8.075, 8.925) none (8/85 = 9.41%, 9/85 = 10.59%)
    ("achievable", "ccg-w2-grip-dont-know"): "fail",
    # subgroup bases were not published
    ("achievable", "ccg-w2-grip-too-much-gp"): "not testable",
    ("achievable", "ccg-w2-grip-too-much-non-gp"): "not testable",
    # NHSCC shares on the 273 surveyed (assumed base; >= 100 so every whole percent fits):
    # 64%: [173.355, 176.085); 14%: [36.855, 39.585); 10%: [25.935, 28.665);
    # 43%: [116.025, 118.755); 31%: [83.265, 85.995); 37%: [99.645, 102.375)
    ("achievable", "nhscc-area-team-effective"): "pass",
    ("achievable", "nhscc-nhse-national-effective"): "pass",
    ("achievable", "nhscc-nhse-resources-concern"): "pass",
    ("achievable", "nhscc-shares-vision-disagree"): "pass",
    ("achievable", "nhscc-shares-vision-agree"): "pass",
    ("achievable", "nhscc-understands-powers"): "pass",
    # --- means (1-10 scales, 1 decimal): W1 has no respondents; W2 on 85 and W3 on 94 pass
    # (n >= 10 reaches every 1-decimal mean: 6.5 -> [6.45, 6.55) * 85 = [548.25, 556.75);
    # 7.2 -> [672.1, 681.5)); no SD is published anywhere
    ("grim", "ccg-w1-detect-care-failure-mean"): "not testable",
    ("grim", "ccg-w1-budget-confidence-mean"): "not testable",
    ("grim", "ccg-w2-budget-confidence-mean"): "pass",
    ("grim", "ccg-w3-budget-confidence-mean"): "pass",
    ("grimmer", "ccg-w1-detect-care-failure-mean"): "not testable",
    ("grimmer", "ccg-w1-budget-confidence-mean"): "not testable",
    ("grimmer", "ccg-w2-budget-confidence-mean"): "not testable",
    ("grimmer", "ccg-w3-budget-confidence-mean"): "not testable",
    # --- subgroups: overall 50% lies between GP 61% and non-GP 31% ([30.5, 61.5)); but on the
    # wave's 85 no sizes work because 50% of 85 is itself impossible
    ("subgroup_range", ", ".join(GRIP_GROUPS)): "pass",
    ("group_sizes", ", ".join(GRIP_GROUPS)): "fail",
    # --- the "drop of five points": 68 - 73 = -5 holds by construction, since the January 73%
    # is implied from the drop (not published): not testable
    ("stated_change", "ccg-w3-area-team-good-change, ccg-w3-area-team-good, "
                      "ccg-w2-area-team-good"): "not testable",
}


@pytest.fixture(scope="module")
def seed_checks():
    d = datasets.load()
    return check_figures(d.figures, d.waves, groups=d.groups)


def test_every_seed_verdict(seed_checks):
    got = {(c, f): v for c, f, v in zip(seed_checks["check"], seed_checks["figure_ids"],
                                        seed_checks["verdict"], strict=True)}
    assert got == EXPECTED


def test_seed_details_carry_the_numbers(seed_checks):
    detail = dict(zip(seed_checks["check"] + "|" + seed_checks["figure_ids"],
                      seed_checks["detail"], strict=True))
    assert "42/85 = 49.41% and 43/85 = 50.59%" in detail["achievable|ccg-w2-grip-too-much"]
    assert "8/85 = 9.41% and 9/85 = 10.59%" in detail["achievable|ccg-w2-grip-dont-know"]
    assert "assumed" in detail["achievable|ccg-w2-grip-too-much"]
    # the smallest bases that fit the grip set (see test_grip_bases): 10, 20, 30, 40, 42, 48
    assert "10, 20, 30, 40, 42, 48" in detail["set_on_base|" + ", ".join(GRIP)]
    assert "41, 37, 7" in detail["set_on_base|" + ", ".join(W2_ROLES)]
    assert "implied" in detail["stated_change|ccg-w3-area-team-good-change, "
                               "ccg-w3-area-team-good, ccg-w2-area-team-good"]


# Bases 1-120 that fit the grip shares 50 / 40 / 0 / 10 (exhaustive, by hand):
# 0% allows only a count of 0 while n <= 200 ([0, 0.005n)).
# n < 100: 50% needs [0.495n, 0.505n) to hold an integer; the interval is shorter than 1, so
# odd n (n/2 +- 0.5 is more than 0.005n away) fail and even n need count n/2, leaving
# 40% + 10% = n/2: 40% needs an integer in [0.395n, 0.405n), 10% in [0.095n, 0.105n).
#   n=2..8: 40% none ([0.79, 0.81), [1.58, 1.62), [2.37, 2.43), [3.16, 3.24)).
#   n=10: 4 + 1 = 5 yes.  12-18: 40% none ([4.74, 4.86) ... [7.11, 7.29)).
#   n=20: 8 + 2 = 10 yes. 22-28: 40% none ([8.69, 8.91), [9.48, 9.72), [10.27, 10.53),
#   [11.06, 11.34)).  n=30: 12 + 3 yes.  32-38: none ([12.64, 12.96), [13.43, 13.77),
#   [14.22, 14.58), [15.01, 15.39)).  n=40: 16 + 4 yes.  n=42: 17 ([16.59, 17.01)) +
#   4 ([3.99, 4.41)) = 21 yes.  44, 46: none ([17.38, 17.82), [18.17, 18.63)).
#   48: 19 + 5 = 24 yes; 50: 20 + 5 yes; 52: 21 ([20.54, 21.06)) + 5 = 26 yes;
#   54, 56: none ([21.33, 21.87), [22.12, 22.68)); 58: 23 + 6 = 29 yes; 60: 24 + 6 yes;
#   62: 25 + 6 = 31 yes; 64, 66: none ([25.28, 25.92), [26.07, 26.73)); 68: 27 + 7 = 34 yes;
#   70: 28 + 7 yes; 72: 29 + 7 = 36 yes; 74, 76: none ([29.23, 29.97), [30.02, 30.78));
#   78: 31 + 8 = 39; 80: 32 + 8; 82: 33 + 8 = 41; 84: 34 + 8 = 42; 86: 34 + 9 = 43;
#   88: 35 + 9 = 44; 90: 36 + 9; 92: 37 + 9 = 46; 94: 38 + 9 = 47; 96: 38 + 10 = 48;
#   98: 39 + 10 = 49; 100: 40 + 10 = 50: all yes.
# n = 101..120: every share has one or two counts and the extremes bracket n, e.g.
#   101: 50-51 + 40 + 10 -> 100-101; 102: 51 + 41 + 10 = 102; 105: 52-53 + 42 + 10-11 ->
#   104-106; 115: 57-58 + 46 + 11-12 -> 114-116; 119: 59-60 + 48 + 12 -> 119-120;
#   120: 60 + 48 + 12 = 120 (all twenty checked the same way): all yes.
GRIP_BASES = [10, 20, 30, 40, 42, 48, 50, 52, 58, 60, 62, 68, 70, 72, 78, 80, 82, 84, 86, 88,
              90, 92, 94, 96, 98, 100, *range(101, 121)]


def test_grip_bases():
    r = infer_base([50, 40, 0, 10], max_base=120)
    assert r["n"].tolist() == GRIP_BASES
    # 85 is not among them: the item base was not the wave's 85 respondents
    assert 85 not in set(r["n"])
    assert r.set_index("n").loc[10, "counts"] == "5, 4, 0, 1"
    assert r.set_index("n").loc[42, "counts"] == "21, 17, 0, 4"


def test_grip_group_sizes_on_feasible_bases():
    # GP 61%, non-GP 31%, overall 50% on the bases the grip set allows, up to 78.
    # Overall count N/2; GP g with c1 in [.605g, .615g), non-GP N-g with c2 in
    # [.305(N-g), .315(N-g)); c1 + c2 = N/2 needs .305N + .3g <= N/2 < .315N + .3g,
    # i.e. g in (.6167N, .65N]. Bases 10-68: none (test_rounding.test_group_sizes_none_below_70).
    # 70: g = 44 -> 27, non-GP 26 -> 8 (27 + 8 = 35). 72: g = 46 -> 28, 26 -> 8 (36).
    # 78: g in (48.1, 50.7]: 49 -> [29.645, 30.135) -> 30, non-GP 29 -> [8.845, 9.135) -> 9,
    # 30 + 9 = 39 = 78/2; 50 -> [30.25, 30.75) none.
    bases = [b for b in GRIP_BASES if b <= 78]
    r = infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=bases)
    assert r[["n", "count", "size_GP", "count_GP", "size_non-GP", "count_non-GP"]] \
        .values.tolist() == [[70, 35, 44, 27, 26, 8], [72, 36, 46, 28, 26, 8],
                             [78, 39, 49, 30, 29, 9]]
    # on the wave's 85 respondents nothing works (50% of 85 is impossible)
    assert infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=85).empty


def test_roles_and_headline_shares():
    # January roles on 85: 41 + 37 + 7 (see test_rounding)
    r = infer_base([48, 44, 8], min_base=85, max_base=85)
    assert r["counts_min"].iloc[0] == (41, 37, 7)
    # W3 roles 90 / 10 on 94: 85 + 9 = 94
    r = infer_base([90, 10], min_base=94, max_base=94)
    assert r["counts_min"].iloc[0] == (85, 9) == r["counts_max"].iloc[0]
    # 68% of 94 -> 64 and the implied 73% of 85 -> 62
    assert feasible_counts(68, 94)["count"].tolist() == [64]
    assert feasible_counts(73, 85)["count"].tolist() == [62]
    # the grip set on 85 itself: nothing
    assert not infer_base([50, 40, 0, 10], min_base=85, max_base=85).attrs["feasible"]
