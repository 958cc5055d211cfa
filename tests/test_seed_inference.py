"""What the seed figures allow: inference over the embedded 2012-13 NHS leadership figures.

Every expected value is derived by hand in the comment above the assertion; the figures are read
from the embedded data set so that a change to the data shows up here.
"""

import math

import pandas as pd
import pytest

from barotrend import datasets
from barotrend.compare import adjust_pvalues
from barotrend.figures.bounds import manski_bounds, mean_share_bounds, poststratify_shares
from barotrend.figures.differences import compare_proportions
from barotrend.figures.means import compare_means
from barotrend.figures.proportions import proportion_ci
from barotrend.figures.rounding import feasible_counts


@pytest.fixture(scope="module")
def seeds():
    return datasets.load("nhs_leadership_2012_13")


def fig(seeds, figure_id):
    f = seeds.figures.set_index("figure_id")
    return f.loc[figure_id]


def respondents(seeds, survey, wave):
    w = seeds.waves.set_index(["survey", "wave"])
    return w.loc[(survey, wave), "respondents"]


def test_every_seed_share_has_an_interval_on_its_base(seeds):
    # Every whole-sample share with a known base (its own, else the wave's respondents) gets a
    # Wilson interval over the counts its rounding allows. Two W2 figures cannot be a whole
    # percentage of 85: 50% (42/85 = 49.41%, 43/85 = 50.59%) and 10% (8/85 = 9.41%,
    # 9/85 = 10.59%) -- both of the "Everyone Counts grip" question, whose base must therefore
    # be below 85 (item non-response). All others are achievable, e.g. 73% = 62/85 = 72.94%,
    # 68% = 64/94 = 68.09%, 7% = 7/94 = 7.45%, 41% = 86/211 = 40.76%, 37% = 101/273 = 37.00%.
    f = seeds.figures
    shares = f[(f.statistic == "share") & (f.group == "all")]
    infeasible, done = set(), 0
    for _, row in shares.iterrows():
        base = row["base"]
        if pd.isna(base):
            base = respondents(seeds, row["survey"], row["wave"])
        if pd.isna(base):
            continue  # W1 and the trust barometer published no base
        try:
            r = proportion_ci(n=int(base), percent=row["value"], decimals=int(row["decimals"]),
                              rounding="union")
        except ValueError as err:
            assert "not achievable" in str(err)
            infeasible.add(row["figure_id"])
            continue
        done += 1
        p = row["value"] / 100
        assert r.ci_low[0] <= p <= r.ci_high[0]
        assert r.ci_high[0] - r.ci_low[0] > 0
    assert infeasible == {"ccg-w2-grip-too-much", "ccg-w2-grip-dont-know"}
    assert done >= 20


def test_budget_confidence_tipping_point(seeds):
    # January (W2) 6.5, n = 85 -> W3 7.2, n = 94, 1-10 scale, SDs unpublished.
    # k = sqrt(1/85 + 1/94) = 0.149676; equal-SD Welch df = 175.20, t_0.975 = 1.97360;
    # s* = 0.7 / (1.97360 * 0.149676) = 2.3697 (z = 1.96 would give 2.386).
    # Least favourable rounding: 6.55 vs 7.15 -> 0.6 / (1.97360 * 0.149676) = 2.0311.
    # Bhatia-Davis (at 6.45, 7.15): sqrt(85/84 * 3.55 * 5.45) = 4.4247, sqrt(94/93 * 2.85 * 6.15)
    # = 4.2090, far above 2.37: the published means alone cannot say whether 6.5 -> 7.2 is real.
    a, b = fig(seeds, "ccg-w2-budget-confidence-mean"), fig(seeds, "ccg-w3-budget-confidence-mean")
    n_a, n_b = respondents(seeds, "hsj_ccg_barometer", "W2"), respondents(seeds, "hsj_ccg_barometer", "W3")
    assert (a["value"], n_a, b["value"], n_b) == (6.5, 85, 7.2, 94)
    r = compare_means(a["value"], int(n_a), b["value"], int(n_b),
                      scale=(int(b["scale_min"]), int(b["scale_max"])), decimals=int(b["decimals"]),
                      sd_range=(1, 3)).set_index("row")
    assert r.loc["tipping_sd", "sd"] == pytest.approx(2.3697, abs=1e-4)
    assert r.loc["tipping_sd_rounded", "sd"] == pytest.approx(2.0311, abs=1e-4)
    assert r.loc["sd_max_b", "sd"] == pytest.approx(4.2090, abs=1e-4)
    assert "cannot decide" in r.loc["tipping_sd", "note"]
    # at SD 2 (a common SD for 1-10 ratings) the change is significant, at SD 3 it is not:
    # t = 0.7 / (2 * 0.149676) = 2.338 (p 0.0205); t = 0.7 / (3 * 0.149676) = 1.559 (p 0.1208),
    # p from the t distribution on 175.20 df
    grid = r.loc["p_at_sd"].set_index("sd")
    assert grid.loc[2.0, "p_value"] < 0.05 < grid.loc[3.0, "p_value"]
    assert grid.loc[2.0, "p_value"] == pytest.approx(0.0205, abs=1e-4)
    assert grid.loc[3.0, "p_value"] == pytest.approx(0.1208, abs=1e-4)


def test_area_team_drop_is_within_sampling_error(seeds):
    # 73% (implied, January, n = 85 assumed: the item base was not published) vs 68% (n = 94).
    # Pooled p = (0.73*85 + 0.68*94)/179 = 125.97/179 = 0.703743;
    # se0 = sqrt(0.703743 * 0.296257 * (1/85 + 1/94)) = sqrt(0.0046708) = 0.068343;
    # z = 0.05/0.068343 = 0.7316, p = 0.4644: well within sampling error.
    a, b = fig(seeds, "ccg-w2-area-team-good"), fig(seeds, "ccg-w3-area-team-good")
    assert bool(a["implied"]) and (a["value"], b["value"]) == (73.0, 68.0)
    r = compare_proportions(n_a=85, n_b=94, percent_a=a["value"], percent_b=b["value"])
    assert r.statistic[0] == pytest.approx(0.7316, abs=1e-4)
    assert r.p_value[0] == pytest.approx(0.4644, abs=1e-4)
    assert r.ci_low[0] < 0 < r.ci_high[0]
    # Even the largest drop the rounding allows (74.5% -> 67.5%, if January rounded to 74):
    # pooled 0.708240, se0 = sqrt(0.708240 * 0.291760 * 0.022403) = 0.068039, z = 1.0288,
    # p = 2 * (1 - Phi(1.0288)) = 0.3036: still not significant.
    worst = compare_proportions(n_a=85, n_b=94, percent_a=74.5, percent_b=67.5, decimals=1)
    assert worst.statistic[0] == pytest.approx(1.0288, abs=1e-4)
    assert worst.p_value[0] == pytest.approx(0.3036, abs=1e-4)


def test_gp_vs_non_gp_grip(seeds):
    # 61% of GPs vs 31% of non-GPs, subgroup bases not published. Assumed bases: 56 GPs and 29
    # non-GPs (sum 85 = W2 respondents; 34/56 = 60.71% -> 61, 9/29 = 31.03% -> 31).
    # d = 0.607143 - 0.310345 = 0.296798; pooled 43/85 = 0.505882;
    # se0 = sqrt(0.505882 * 0.494118 * (1/56 + 1/29)) = sqrt(0.249965 * 0.052340) = 0.114382;
    # z = 2.5948, p = 0.0095.
    g, ng = fig(seeds, "ccg-w2-grip-too-much-gp"), fig(seeds, "ccg-w2-grip-too-much-non-gp")
    assert (g["value"], ng["value"]) == (61.0, 31.0)
    r = compare_proportions(34, 56, 9, 29)
    assert round(float(r.p_value[0]), 4) == 0.0095
    assert r.ci_low[0] > 0
    # Over every split of 85 for which both percentages are achievable, the least favourable is
    # 72 GPs (44/72 = 61.1%) and 13 non-GPs (4/13 = 30.8%): d = 0.303419, pooled 48/85 = 0.564706,
    # se0 = sqrt(0.564706 * 0.435294 * (1/72 + 1/13)) = 0.149408, z = 2.0308, p = 0.0423 < 0.05:
    # the GP / non-GP gap is significant whatever the split.
    worst = 0.0
    for size in range(1, 85):
        ka = feasible_counts(61, size)["count"].tolist()
        kb = feasible_counts(31, 85 - size)["count"].tolist()
        for x in ka:
            for y in kb:
                worst = max(worst, float(compare_proportions(x, size, y, 85 - size).p_value[0]))
    assert worst == pytest.approx(0.0423, abs=1e-4)


def test_gp_poststratified_sensitivity(seeds):
    # Re-weight 61% / 31% to a GP share of CCG leaders between 0.5 and 0.7: 0.31 + 0.30 W gives
    # 0.46 to 0.52, which holds the published overall 50%.
    r = poststratify_shares({"GP": 61, "non-GP": 31}, {"GP": 56, "non-GP": 29},
                            {"GP": (0.5, 0.7), "non-GP": None}).set_index("row")
    assert (r.loc["sensitivity", "bound_low"], r.loc["sensitivity", "bound_high"]) == \
        pytest.approx((0.46, 0.52))
    overall = fig(seeds, "ccg-w2-grip-too-much")["value"] / 100
    assert r.loc["sensitivity", "bound_low"] <= overall <= r.loc["sensitivity", "bound_high"]


def test_fpc_and_manski_with_86_of_211(seeds):
    # 86 of 211 CCGs responded (41% = 86/211 = 40.76%). Reading the 68% as a share of the 86
    # responding CCGs: fpc (211-86)/(211-1) = 0.595238; Wald se = sqrt(0.68 * 0.32 / 86 * 0.595238)
    # = 0.038808 against 0.050302 without the correction.
    units = fig(seeds, "ccg-w3-responding-units")["value"]
    pop = fig(seeds, "ccg-w3-population-units")["value"]
    assert (units, pop) == (86, 211)
    r = proportion_ci(n=int(units), percent=68, population_size=int(pop), method="wald")
    assert r.se[0] == pytest.approx(0.038808, abs=1e-6)
    assert proportion_ci(n=86, percent=68, method="wald").se[0] == pytest.approx(0.050302, abs=1e-6)
    # Without assuming anything about the 125 non-responding CCGs: [0.407583 * 0.68,
    # 0.407583 * 0.68 + 0.592417] = [0.2772, 0.8696] -- far wider than the sampling interval.
    m = manski_bounds(68, int(units), int(pop))
    assert (m.bound_low[0], m.bound_high[0]) == pytest.approx((0.2772, 0.8696), abs=1e-4)


def test_mean_7_3_against_44_percent_not_confident(seeds):
    # CCG leaders' mean 7.3 on 1-10 vs 44% of trust chief executives "not confident" (another
    # survey, another question, no published scale). Reading "not confident" as <= 5: largest
    # share with the rounding of 7.3 (7.25): (10 - 7.25)/(10 - 5) = 0.55; smallest 0.
    # 44% lies inside [0, 0.55]: the two figures cannot be told apart without assumptions.
    mean, share = fig(seeds, "ccg-w1-detect-care-failure-mean"), fig(seeds, "tce-jul2012-not-confident-detect")
    r = mean_share_bounds(mean["value"], (int(mean["scale_min"]), int(mean["scale_max"])), 5,
                          side="below", decimals=int(mean["decimals"]),
                          published_percent=share["value"])
    assert (r.share_min[0], r.share_max[0]) == pytest.approx((0.0, 0.55))
    assert bool(r.within_bounds[0])
    assert "not comparable without an assumption" in r.note[0]


def test_seed_family_holm(seeds):
    # Family of the two testable seed comparisons: area team p = 0.4644, GP vs non-GP
    # p = 0.0095 (above). Holm: 2 * 0.0095 = 0.0189 <= 0.05 (still significant), then
    # max(0.0189, 0.4644) = 0.4644.
    fam = pd.concat([
        compare_proportions(n_a=85, n_b=94, percent_a=73, percent_b=68),
        compare_proportions(34, 56, 9, 29),
    ], ignore_index=True)
    out = adjust_pvalues(fam, "holm")
    assert out.p_adjusted[1] == pytest.approx(2 * fam.p_value[1])
    assert out.p_adjusted[1] < 0.05
    assert out.p_adjusted[0] == pytest.approx(fam.p_value[0])
    assert math.isclose(round(float(out.p_adjusted[0]), 4), 0.4644)
