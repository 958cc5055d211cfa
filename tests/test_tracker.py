"""Tests of barotrend.Tracker over published figures.

Expected values are derived by hand in the comments (from the figures of the seed articles in
data/figures.csv), never copied from the code's output.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from barotrend import datasets
from barotrend.tracker import Tracker
from barotrend.tracking.comparability import ComparabilityWarning


@pytest.fixture(scope="module")
def data():
    return datasets.load()


@pytest.fixture(scope="module")
def t(data):
    return Tracker.from_dataset(data)


#: GP and non-GP leaders partition the HSJ CCG barometer's respondents (as data/groups.csv says)
GP_PARTITION = pd.DataFrame({"survey": "hsj_ccg_barometer", "wave": "", "group": ["GP", "non-GP"],
                             "parent": "all", "relation": "partition", "label": ""})


@pytest.fixture(scope="module")
def tg(data):
    return Tracker.from_dataset(data, groups=GP_PARTITION)


def _toy(values=(40.0, 50.0, 60.0), bases=(100, 100, 100), question=None, stat="share",
         dates=("2020-01", "2021-01", "2022-01")):
    """Three yearly waves of one share item, bases stated."""
    waves = pd.DataFrame({
        "survey": "toy", "wave": ["A", "B", "C"], "wave_label": ["A", "B", "C"],
        "wave_order": [1, 2, 3], "date": list(dates), "date_precision": "month",
        "population": "everyone", "respondents": list(bases)})
    figures = pd.DataFrame({
        "survey": "toy", "wave": ["A", "B", "C"], "item": "q", "concept": "q",
        "question": question or ["Do you agree?"] * 3, "category": "agree", "group": "all",
        "statistic": stat, "value": list(values), "decimals": 0, "base": list(bases),
        "implied": False})
    return figures, waves


# -- construction and description --------------------------------------------------------------

def test_waves_ordered_by_date_and_repr(t):
    # waves.csv lists the trust barometer (Jul 2012) after the CCG waves; by date it comes first,
    # then W1 (Oct 2012), W2 (Jan 2013), W3 (Apr-Jun 2013), NHSCC (2013, mid-year 2013.5).
    assert t.waves["wave"].tolist() == ["2012-07", "W1", "W2", "W3", "2013"]
    text = repr(t)
    assert "W1 (Oct 2012)" in text and "budget_confidence" in text


def test_from_figures_does_not_mutate(data):
    fig, wav = data.figures.copy(), data.waves.copy()
    Tracker.from_figures(data.figures, data.waves).series("budget_confidence")
    pd.testing.assert_frame_equal(fig, data.figures)
    pd.testing.assert_frame_equal(wav, data.waves)


def test_items_table(t):
    items = t.items().set_index(["survey", "item"])
    assert items.loc[("hsj_ccg_barometer", "budget_confidence"), "waves"] == "W1, W2, W3"
    assert items.loc[("hsj_ccg_barometer", "everyone_counts_grip"), "groups"] == "all, GP, non-GP"


def test_bad_input_names_argument(t):
    with pytest.raises(ValueError, match="item 'nope' not found"):
        t.series("nope")
    with pytest.raises(ValueError, match="to_wave='W9'"):
        t.change("area_team_relationship", "W2", "W9")
    with pytest.raises(ValueError, match="category must be given"):
        t.change("everyone_counts_grip", "W2", "W2")
    with pytest.raises(ValueError, match="figures must be a pandas DataFrame"):
        Tracker([], t.waves)


# -- series -------------------------------------------------------------------------------------

def test_budget_confidence_series(t):
    # Article 001: "the average score was 7.2 ... compares to an average of 6.5 in response to
    # the same question in January, and 6.6 in October". W1 publishes no respondent count; W2
    # had 85 responses (article 002), W3 94 (article 001).
    s = t.series("budget_confidence")
    assert s["wave"].tolist() == ["W1", "W2", "W3"]
    assert s["estimate"].tolist() == [6.6, 6.5, 7.2]
    assert math.isnan(s["n"][0]) and s["n"][1:].tolist() == [85.0, 94.0]
    assert "base unknown" in s["note"][0]
    assert "85 respondents assumed" in s["note"][1]
    assert s["ci_low"].isna().all()  # no SD published: no interval
    assert s["note"].str.contains("SD not published").all()


def test_share_series_wilson(t):
    # 68% of 94 (respondents assumed): Wilson, z = 1.959964, z^2 = 3.841459:
    # centre = (0.68 + z^2/188) / (1 + z^2/94) = 0.700434 / 1.040867 = 0.672933
    # half = z * sqrt(.68*.32/94 + z^2/(4*94^2)) / (1 + z^2/94)
    #      = 1.959964 * sqrt(.0023149 + .00010869) / 1.040867 = 1.959964 * .049230 / 1.040867
    #      = 0.092700  -> (0.58023, 0.76563)
    # Independent route: statsmodels' Wilson interval for 0.68 * 94 = 63.92 successes of 94.
    s = t.series("area_team_relationship").set_index("wave")
    assert s.loc["W3", "ci_low"] == pytest.approx(0.58023, abs=1e-5)
    assert s.loc["W3", "ci_high"] == pytest.approx(0.76563, abs=1e-5)
    want = proportion_confint(0.68 * 94, 94, alpha=0.05, method="wilson")
    assert (s.loc["W3", "ci_low"], s.loc["W3", "ci_high"]) == pytest.approx(want, abs=1e-12)
    assert "implied" in s.loc["W2", "note"]  # 73% is 68% plus the stated 5-point drop


def test_mean_series_with_stated_sd(t):
    # SD 2 stated: W3 half-width t(93, .975) * 2 / sqrt(94) = 1.98580 * 0.206284 = 0.40964
    s = t.series("budget_confidence", sd=2.0).set_index("wave")
    assert s.loc["W3", "ci_high"] - 7.2 == pytest.approx(0.4096, abs=2e-4)
    assert "stated assumption" in s.loc["W3", "note"]
    assert math.isnan(s.loc["W1", "ci_high"])  # W1 base still unknown


# -- change -------------------------------------------------------------------------------------

def test_area_team_change(t):
    # 73% of 85 (implied, respondents assumed) -> 68% of 94: difference -0.05.
    # unpooled se = sqrt(.73*.27/85 + .68*.32/94) = sqrt(.0023188 + .0023149) = 0.06807
    # pooled p = (62.05 + 63.92) / 179 = 0.70374;
    # se0 = sqrt(.70374 * .29626 * (1/85 + 1/94)) = 0.068343; z = -0.05 / 0.068343 = -0.7316
    # p = 2 * Phi(-0.7316) = 0.4644 (not significant)
    r = t.change("area_team_relationship", "Jan 2013", "Q2 2013")
    assert len(r) == 1
    row = r.iloc[0]
    assert row["difference"] == pytest.approx(-0.05, abs=1e-9)
    assert row["se"] == pytest.approx(0.06807, abs=5e-5)
    assert row["statistic"] == pytest.approx(-0.7316, abs=1e-4)
    assert row["p_value"] == pytest.approx(0.4644, abs=1e-4)
    # the same from scipy's normal distribution on the pooled se written out above
    p0 = (0.73 * 85 + 0.68 * 94) / 179
    z = -0.05 / math.sqrt(p0 * (1 - p0) * (1 / 85 + 1 / 94))
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)
    assert row["p_value"] > 0.05
    assert "implied" in row["note"] and "respondents assumed" in row["note"]
    assert "published change -5 (percentage) points from W2" in row["note"]
    assert row["wave"] == "W2->W3"


def test_change_correlation_sensitivity(t):
    # v_a = .68*.32/94 = .0023149, v_b = .73*.27/85 = .0023188, sqrt(v_a v_b) = .0023169;
    # r = 0.5: se = sqrt(.0046337 - .0023169) = 0.048133
    r = t.change("area_team_relationship", "W2", "W3", correlation=[0.0, 0.5])
    assert r["correlation"].tolist() == [0.0, 0.5]
    assert r["se"][1] == pytest.approx(0.04813, abs=5e-5)
    assert "correlation 0.5" in r["note"][1]


def test_budget_change_tipping_sd(t):
    # Jan 6.5 (n 85) -> Q2 7.2 (n 94), SD unpublished. k = sqrt(1/85 + 1/94) = 0.149677.
    # Normal approximation: tipping SD = 0.7 / (1.96 k) = 2.386. compare_means uses the Welch t:
    # df = (1/85 + 1/94)^2 / ((1/85)^2/84 + (1/94)^2/93) = 175.2, t(.975, 175.2) = 1.97357,
    # tipping SD = 0.7 / (1.97357 * 0.149677) = 2.3697.
    r = t.change("budget_confidence", "W2", "W3")
    first = r.iloc[0]
    assert first["row"] == "tipping_sd"
    assert first["difference"] == pytest.approx(0.7)
    assert first["sd"] == pytest.approx(2.3697, abs=1e-4)
    # the Welch df and t quantile above, through scipy: the same number to rounding error
    df = (1 / 85 + 1 / 94) ** 2 / ((1 / 85) ** 2 / 84 + (1 / 94) ** 2 / 93)
    k = math.sqrt(1 / 85 + 1 / 94)
    assert first["sd"] == pytest.approx(0.7 / (stats.t.ppf(0.975, df) * k), rel=1e-10)
    # (the normal approximation 2.386 is within 0.02, a sanity check only)
    assert first["sd"] == pytest.approx(0.7 / (1.96 * k), abs=0.02)
    # over a stated SD range: SD 2 gives t = 0.7 / (2 * 0.149677) = 2.3384 -> p = 0.0205;
    # SD 3: t = 0.7 / (3 * 0.149677) = 1.5589 -> p = 0.1208 (t on 175.2 df)
    r = t.change("budget_confidence", "W2", "W3", sd_range=[2.0, 3.0])
    grid = r[r["row"] == "p_at_sd"].set_index("sd")
    assert grid.loc[2.0, "statistic"] == pytest.approx(2.3384, abs=1e-4)
    assert grid.loc[2.0, "p_value"] == pytest.approx(0.0205, abs=1e-4)
    assert grid.loc[3.0, "p_value"] == pytest.approx(0.1208, abs=1e-4)
    assert grid.loc[2.0, "p_value"] == pytest.approx(2 * stats.t.sf(0.7 / (2 * k), df), rel=1e-9)
    # Bhatia-Davis bound of W3 (the change's first wave "a" is the later one, 7.2 on 94):
    # least favourable rounding 7.15, sqrt(94/93 * (10 - 7.15)(7.15 - 1)) = sqrt(17.7161) = 4.2090
    sd_max = r.set_index("row").loc["sd_max_a", "sd"]
    assert sd_max == pytest.approx(math.sqrt(94 / 93 * 2.85 * 6.15), rel=1e-12)


def test_change_base_unknown_says_so(t):
    # October (W1) has no published base: the difference 6.5 - 6.6 = -0.1 is all that can be said.
    r = t.change("budget_confidence", "W1", "W2").iloc[0]
    assert r["difference"] == pytest.approx(-0.1)
    assert math.isnan(r["p_value"]) and math.isnan(r["se"])
    assert "base unknown" in r["note"] and "cannot be tested" in r["note"]


def test_assumed_base_is_used_and_named(data):
    t = Tracker.from_dataset(data, assumed_bases={"W1": 80})
    r = t.change("budget_confidence", "W1", "W2", sd=2.0).iloc[0]
    # Welch with SD 2 in both: se = 2 * sqrt(1/80 + 1/85) = 2 * sqrt(.0242647) = 0.31154
    assert r["se"] == pytest.approx(0.31154, abs=1e-4)
    assert "n=80 assumed by the user" in r["note"]


def test_comparability_warning_within_item():
    fig, wav = _toy(question=["Do you agree?", "Do you agree?", "Do you strongly agree?"])
    t = Tracker.from_figures(fig, wav)
    with pytest.warns(ComparabilityWarning, match="wording differs"):
        r = t.change("q", "B", "C")
    assert "wording differs" in r["note"][0]
    with pytest.raises(ValueError, match="strict=False"):
        t.change("q", "B", "C", strict=True)


# -- trend --------------------------------------------------------------------------------------

def test_trend_shares_by_hand():
    # 40%, 50%, 60% of 100 one year apart. Wave variances p(1-p)/n = .0024, .0025, .0024,
    # weights 416.67, 400, 416.67 (symmetric): exact linear fit, slope 0.10 per year,
    # se = 1/sqrt(416.67 * 1 + 416.67 * 1) = 0.034641, z = 2.887.
    # Q: weighted mean 0.5, Q = 416.67 * (0.01 + 0.01) = 8.333 on 2 df, p = exp(-8.333/2) = 0.0155.
    # Cochran-Armitage (centred scores -1, 0, 1): T = 10 + 10 = 20,
    # Var = .5 * .5 * 100 * 2 = 50, z = 20 / sqrt(50) = 2.828.
    fig, wav = _toy()
    r = Tracker.from_figures(fig, wav).trend("q")
    assert len(r) == 3
    wls, q, ca = (r.iloc[i] for i in range(3))
    assert "WLS" in wls["method"] and wls["estimate"] == pytest.approx(0.10, abs=1e-6)
    assert wls["se"] == pytest.approx(0.034641, abs=1e-5)
    assert "Cochran Q" in q["method"]
    assert q["statistic"] == pytest.approx(8.3333, abs=1e-3) and q["df"] == 2
    assert q["p_value"] == pytest.approx(math.exp(-8.3333 / 2), abs=1e-4)
    assert "Cochran-Armitage" in ca["method"] and ca["statistic"] == pytest.approx(2.8284, abs=1e-3)


def test_trend_means_needs_sd(t):
    r = t.trend("budget_confidence")
    assert len(r) == 1 and "cannot be tested without an SD assumption" in r["note"][0]
    # with an SD but W1's base unknown: still not testable, and it says why
    r = t.trend("budget_confidence", sd_range=(1.5, 2.5))
    assert len(r) == 3 and r["note"].str.contains("base unknown for W1").all()


def test_trend_means_over_sd_range(data):
    # W1 base assumed 85. With SD s, variances s^2/n; Q at SD 2: weights n/4 = 21.25, 21.25, 23.5
    # yw = (21.25*6.6 + 21.25*6.5 + 23.5*7.2) / 66 = (140.25 + 138.125 + 169.2) / 66 = 6.78144
    # Q = 21.25*0.18144^2 + 21.25*0.28144^2 + 23.5*0.41856^2 = 0.6996 + 1.6832 + 4.1171 = 6.4999
    # (unrounded: yw = 447.575/66, Q = 6.49976)
    t = Tracker.from_dataset(data, assumed_bases={"W1": 85})
    r = t.trend("budget_confidence", sd_range=(1.0, 3.0))
    q = r[r["method"].str.startswith("Cochran Q") & (r["sd_assumed"] == 2.0)].iloc[0]
    assert q["statistic"] == pytest.approx(6.49976, abs=1e-5)
    # Q on 2 df: p = exp(-Q/2) (the chi-square(2) survival function) = 0.03878
    assert q["p_value"] == pytest.approx(math.exp(-6.49976 / 2), abs=1e-6)
    assert r["sd_assumed"].dropna().unique().tolist() == [1.0, 2.0, 3.0]
    # WLS slope at SD 2 over the wave-date midpoints Oct 2012, Jan 2013 and Apr-Jun 2013
    # (mid-May): t = 0, 0.25, 0.58333 years. t_w = (21.25*0.25 + 23.5*0.58333)/66 = 0.288194;
    # Sxx = 21.25*0.288194^2 + 21.25*0.038194^2 + 23.5*0.295139^2 = 3.84295;
    # Sxy = 21.25*(-0.288194)(-0.181439) + 21.25*(-0.038194)(-0.281439) + 23.5*0.295139*0.418561
    #     = 1.11116 + 0.22842 + 2.90303 = 4.24262; slope = 4.24262/3.84295 = 1.1040 per year,
    # se = 1/sqrt(Sxx) = 0.51011 (variances known).
    wls = r[r["method"].str.startswith("WLS") & (r["sd_assumed"] == 2.0)].iloc[0]
    assert wls["estimate"] == pytest.approx(1.1040, abs=1e-4)
    assert wls["se"] == pytest.approx(0.51011, abs=1e-5)
    # independent route: numpy's weighted polyfit (weights sqrt(n / 4) on the residuals)
    tt = np.array([0.0, 0.25, 7 / 12])
    slope = np.polyfit(tt, [6.6, 6.5, 7.2], 1, w=np.sqrt([85 / 4, 85 / 4, 94 / 4]))[0]
    assert wls["estimate"] == pytest.approx(slope, rel=1e-9)


def test_trend_needs_three_waves(t):
    r = t.trend("area_team_relationship")
    assert "three or more waves" in r["note"][0]


# -- groups ---------------------------------------------------------------------------------------

def test_gp_non_gp_grip_gap(tg):
    # Article 002: 61% of GPs vs 31% of non-GPs said "too much grip"; 50% overall; 85 responses;
    # subgroup bases not published. 50% is impossible on 85 (42/85 = 49.4%, 43/85 = 50.6%), so
    # the item base is below 85. One feasible split: n = 80, 31 of 51 GPs (60.8% -> 61%) and
    # 9 of 29 non-GPs (31.0% -> 31%), 40/80 = 50%. The split's whole counts are tested:
    # difference 31/51 - 9/29 = .607843 - .310345 = .297498,
    # se = sqrt(.607843 * .392157 / 51 + .310345 * .689655 / 29)
    #    = sqrt(.0046739 + .0073804) = 0.109792.
    r = tg.compare_groups("everyone_counts_grip", "GP", "non-GP",
                          category="too much grip, not consistent with the CCG model")
    assert "impossible on the wave's 85 respondents" in r["note"][0]
    # candidate item bases 68-85 (item non-response under 20%): 4 splits, 70, 72, 78, 80
    assert len(r) == 4
    s80 = r[(r["size_a"] == 51) & (r["size_b"] == 29)]
    assert len(s80) == 1 and s80["difference"].iloc[0] == pytest.approx(31 / 51 - 9 / 29)
    assert s80["se"].iloc[0] == pytest.approx(0.109792, abs=5e-6)
    # the first row is the least favourable split (largest p-value): 28/46 vs 8/26, the very
    # split and p-value of the report's verdict (test_verdicts: p = 0.0141)
    assert r["p_value"].iloc[0] == r["p_value"].max()
    assert "least favourable" in r["note"][0]
    assert r["scenario"].iloc[0] == "reconstructed split n=72: GP 28/46, non-GP 8/26"
    assert r["p_value"].iloc[0] == pytest.approx(0.0141, abs=1e-4)


def test_gp_non_gp_not_split_without_a_stated_relation(data):
    # groups.csv absent: nothing says GP and non-GP partition the respondents, so the wave's
    # base is not split between them: the difference only (61 - 31 = 30 points), no p-value
    cat = "too much grip, not consistent with the CCG model"
    r = Tracker.from_dataset(data, groups=GP_PARTITION.iloc[:0]).compare_groups(
        "everyone_counts_grip", "GP", "non-GP", category=cat)
    assert len(r) == 1 and math.isnan(r["p_value"][0])
    assert r["difference"][0] == pytest.approx(0.30)
    assert "never split between groups of unknown relation" in r["note"][0]


def test_groups_stated_assumption_without_overall():
    # No overall figure: equal split assumed, with 1:3 and 3:1 as sensitivity, and said so --
    # only because x and y are stated to partition the respondents.
    fig, wav = _toy(bases=(100, 100, 100))
    fig = fig.assign(base=pd.NA)
    extra = fig.iloc[[2, 2]].assign(group=["x", "y"], value=[70.0, 50.0])
    fig = pd.concat([fig.iloc[:2], extra], ignore_index=True)
    part = pd.DataFrame({"survey": "toy", "group": ["x", "y"], "relation": "partition"})
    with_none = Tracker.from_figures(fig, wav).compare_groups("q", "x", "y", "C")
    assert math.isnan(with_none["p_value"][0]) and with_none["scenario"][0] == "relation unknown"
    r = Tracker.from_figures(fig, wav, groups=part).compare_groups("q", "x", "y", "C")
    assert r["scenario"].tolist()[0] == "assumed equal split"
    # equal split 50/50: se = sqrt(.7*.3/50 + .5*.5/50) = sqrt(.0042 + .005) = 0.095917
    assert r["se"][0] == pytest.approx(0.095917, abs=5e-5)
    assert "stated assumption" in r["note"][0]


def test_gap_change_not_testable(t):
    r = t.gap_change("everyone_counts_grip", "GP", "non-GP", "W2", "W3")
    assert math.isnan(r["p_value"][0]) and "cannot be tested" in r["note"][0]


# -- across surveys -------------------------------------------------------------------------------

def test_area_team_across_surveys_warns(t):
    # HSJ W3 "good or very good" 68% (94 assumed) vs NHSCC "effective" 64% (273 assumed):
    # difference 0.04; se = sqrt(.68*.32/94 + .64*.36/273) = sqrt(.0023149 + .00084396) = 0.05620
    with pytest.warns(ComparabilityWarning) as rec:
        r = t.compare_surveys("area_team_relationship", "hsj_ccg_barometer",
                              "nhscc_ipsos_ccg_survey")
    assert rec[0].filename == __file__  # the warning points at the caller
    row = r.iloc[0]
    for phrase in ("wording differs", "response category differs", "population differs"):
        assert phrase in row["note"]
    assert row["difference"] == pytest.approx(0.04)
    assert row["se"] == pytest.approx(0.05620, abs=5e-5)
    with pytest.raises(ValueError, match="strict=False"):
        t.compare_surveys("area_team_relationship", "hsj_ccg_barometer",
                          "nhscc_ipsos_ccg_survey", strict=True)


def test_care_failure_mean_vs_share(t):
    # CCG leaders: mean 7.3 on 1-10 (published to 1 dp: 7.25 <= m < 7.35); trust chief
    # executives: 44% "not confident". Reading "not confident" as scores <= 5 (the default,
    # stated assumption), the share at or below 5 is largest when the rest sit at 10 and the
    # low mass at 5: (10 - m)/(10 - 5) <= (10 - 7.25)/5 = 0.55; smallest is 0 (mass 6 and up).
    # 0.44 lies inside [0, 0.55]: the figures cannot tell the surveys apart.
    with pytest.warns(ComparabilityWarning, match="measure differs"):
        r = t.compare_surveys("care_failure_detection", "hsj_ccg_barometer",
                              "hsj_trust_ce_barometer")
    row = r.iloc[0]
    assert row["ci_low"] == pytest.approx(0.0) and row["ci_high"] == pytest.approx(0.55)
    assert bool(row["within_bounds"]) and math.isnan(row["p_value"])
    assert "default assumption" in row["note"] and "population differs" in row["note"]
    # a stated threshold of 3: max share (10 - 7.25)/(10 - 3) = 0.3929 -> 44% is outside
    with pytest.warns(ComparabilityWarning):
        r = t.compare_surveys("care_failure_detection", "hsj_ccg_barometer",
                              "hsj_trust_ce_barometer", threshold=3)
    assert r["ci_high"][0] == pytest.approx(2.75 / 7, abs=1e-4)
    assert not bool(r["within_bounds"][0]) and "stated by the user" in r["note"][0]


# -- families -------------------------------------------------------------------------------------

def test_changes_family(t):
    r = t.changes()
    # consecutive-wave changes of items in 2+ waves: budget W1->W2, W2->W3; area team W2->W3;
    # respondent roles share no category across waves ("chair" vs "chair or accountable officer")
    keys = set(zip(r["item"], r["wave"], strict=True))
    assert {("budget_confidence", "W1->W2"), ("budget_confidence", "W2->W3"),
            ("area_team_relationship", "W2->W3")} <= keys
    # the budget means publish no SD, so only the area-team change is tested (p = 0.4644, see
    # test_area_team_change); in a family of one test Holm leaves it unchanged
    tested = r.dropna(subset=["p_value"])
    assert tested["item"].tolist() == ["area_team_relationship"]
    assert tested["p_value"].iloc[0] == pytest.approx(0.4644, abs=1e-4)
    assert tested["p_adjusted"].iloc[0] == pytest.approx(tested["p_value"].iloc[0], rel=1e-12)
    assert r.loc[r["p_value"].isna(), "p_adjusted"].isna().all()


def test_all_comparisons_holm(t):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComparabilityWarning)  # families silence, but note
        r = t.all_comparisons()
    # no gap change: the GP/non-GP split is published in W2 only
    assert set(r["comparison"]) == {"change", "groups", "surveys"}
    tested = r.dropna(subset=["p_value"])
    # Holm: adjusted p is at least the raw p, and at most 1
    assert (tested["p_adjusted"] >= tested["p_value"] - 1e-12).all()
    assert (tested["p_adjusted"] <= 1).all()
    m = len(tested)
    smallest = tested["p_value"].min()
    assert tested.loc[tested["p_value"].idxmin(), "p_adjusted"] == pytest.approx(
        min(1.0, m * smallest))
    surveys = r[r["comparison"] == "surveys"]
    assert surveys["note"].str.contains("differs").all()


def test_series_all_categories_when_several(t):
    s = t.series("everyone_counts_grip")
    assert s["category"].nunique() == 4 and (s["group"] == "all").all()
    assert np.isclose(s["estimate"].sum(), 1.0)  # 50 + 40 + 0 + 10 per cent, exhaustive


def test_gap_change_by_hand():
    # Wave A: x 60% of 100, y 40% of 100 (gap 0.2); wave B: x 70%, y 30% (gap 0.4).
    # se(gap A) = sqrt(.6*.4/100 + .4*.6/100) = sqrt(.0048); se(gap B) = sqrt(.0042);
    # DiD = 0.2, se = sqrt(.0048 + .0042) = 0.094868, z = 2.108, p = 2 * Phi(-2.108) = 0.0350.
    waves = pd.DataFrame({"survey": "toy", "wave": ["A", "B"], "wave_order": [1, 2],
                          "date": ["2020-01", "2021-01"]})
    figures = pd.DataFrame({"survey": "toy", "wave": ["A", "A", "B", "B"], "item": "q",
                            "group": ["x", "y", "x", "y"], "statistic": "share",
                            "value": [60.0, 40.0, 70.0, 30.0], "base": 100})
    r = Tracker.from_figures(figures, waves).gap_change("q", "x", "y", "A", "B").iloc[0]
    assert r["difference"] == pytest.approx(0.2)
    assert r["se"] == pytest.approx(0.094868, abs=1e-5)
    assert r["p_value"] == pytest.approx(0.0350, abs=2e-4)
    assert "difference in differences" in r["method"]


# -- microdata: Tracker.from_designs ----------------------------------------------------------------

def test_from_designs_separate_by_hand():
    # W1: y = 1,0,1,1 (mean .75, s^2 = .75/3 = .25, var of mean .25/4 = .0625);
    # W2: y = 0,0,1,0 (mean .25, var .0625). Change -0.5, se = sqrt(.125) = 0.35355.
    from barotrend.design import Design

    d1 = Design(pd.DataFrame({"y": [1.0, 0, 1, 1]}))
    d2 = Design(pd.DataFrame({"y": [0.0, 0, 1, 0]}))
    t = Tracker.from_designs({"W2": d2, "W1": d1}, items="y",
                             dates={"W1": "2013-01", "W2": "2013-04"})
    assert t.waves == ["W1", "W2"]  # ordered by date, not as given
    r = t.change("y", "W1", "W2").iloc[0]
    assert r["difference"] == pytest.approx(-0.5)
    assert r["se"] == pytest.approx(0.35355, abs=1e-5)
    assert "independent" in r["note"]
    with pytest.raises(ValueError, match="item 'z' is not tracked"):
        t.series("z")


def test_from_designs_stacked_panel_by_hand():
    # Four units answer both waves: W1 1,2,3,4; W2 2,2,5,5. The change of means is the mean of the
    # within-unit differences d = 1,0,2,1 (mean 1); clustered by unit, its variance is
    # n/(n-1) * sum((d - 1)/4)^2 = 4/3 * 2/16 = 1/6, se = 0.40825 -- smaller than the
    # independent-samples se sqrt(var1/4 + var2/4) = sqrt(1.6667/4 + 3/4) = 1.0801.
    from barotrend.design import Design

    data = pd.DataFrame({"unit": [1, 2, 3, 4] * 2, "wave": ["W1"] * 4 + ["W2"] * 4,
                         "y": [1.0, 2, 3, 4, 2, 2, 5, 5]})
    t = Tracker.from_designs(Design(data, cluster="unit"), items="y", wave="wave")
    r = t.change("y", "W1", "W2").iloc[0]
    assert r["difference"] == pytest.approx(1.0)
    assert r["se"] == pytest.approx(math.sqrt(1 / 6), abs=1e-9)
    sep = {w: Design(g.reset_index(drop=True)) for w, g in data.groupby("wave")}
    ri = Tracker.from_designs(sep, items="y").change("y", "W1", "W2").iloc[0]
    assert ri["se"] == pytest.approx(math.sqrt(5 / 3 / 4 + 3 / 4), abs=1e-9)


def test_from_designs_gap_change_glm_by_hand():
    # Cell means: W1 a (1,3) = 2, W1 b (2,2) = 2, W2 a (4,6) = 5, W2 b (3,3) = 3:
    # gap W1 = 0, gap W2 = 2, difference in differences = 2 (saturated model coefficient).
    from barotrend.design import Design

    data = pd.DataFrame({"unit": [1, 2, 3, 4] * 2, "wave": ["W1"] * 4 + ["W2"] * 4,
                         "g": ["a", "a", "b", "b"] * 2, "y": [1.0, 3, 2, 2, 4, 6, 3, 3]})
    t = Tracker.from_designs(Design(data, cluster="unit"), items="y", wave="wave", group="g")
    r = t.gap_change("y", "a", "b", "W1", "W2").iloc[0]
    assert r["difference"] == pytest.approx(2.0)
    assert "interaction" in r["method"]


def _panel(rng, overlap: bool, mu=(0.5, 0.55, 0.7), frame=211, n=90, keep=54):
    """Three waves of n units from a frame with unit effects; overlap: `keep` panel units."""
    u = rng.normal(0, 1, frame)
    panel = rng.choice(frame, n, replace=False)[:keep]
    rest = np.setdiff1d(np.arange(frame), panel)
    parts = []
    for i, m in enumerate(mu):
        if overlap:
            units = np.concatenate([panel, rng.choice(rest, n - keep, replace=False)])
            eff = u[units]
        else:  # fresh respondents each wave: no shared unit effect
            units, eff = np.arange(n) + 1000 * i, rng.normal(0, 1, n)
        parts.append(pd.DataFrame({"unit": units, "wave": f"W{i + 1}",
                                   "y": m + 0.8 * eff + rng.normal(0, 1, n)}))
    return pd.concat(parts, ignore_index=True)


def test_from_designs_change_coverage_simulated():
    # True change W1 -> W3 is 0.7 - 0.5 = 0.2. Overlapping samples (54 of 90 units in every
    # wave, unit effect sd 0.8): the stacked design clustered by unit; independent samples:
    # separate designs. 1000 replicates (seed 20131; Monte-Carlo sd of a 95% coverage
    # sqrt(.95 * .05 / 1000) = 0.69 points) gave 0.947 (stacked, overlapping) and 0.956
    # (separate, independent), while ignoring the overlap gave 0.979: the pin is
    # |coverage - 0.95| <= 0.02 for both. About 12 s on this machine.
    from barotrend.design import Design

    reps, tol = 1000, 0.02
    rng = np.random.default_rng(20131)
    hits = {"stacked": 0, "separate": 0}
    for _ in range(reps):
        d = _panel(rng, True)
        r = Tracker.from_designs(Design(d, cluster="unit"), items="y",
                                 wave="wave").change("y", "W1", "W3").iloc[0]
        hits["stacked"] += r["ci_low"] <= 0.2 <= r["ci_high"]
        d = _panel(rng, False)
        sep = {w: Design(g.reset_index(drop=True)) for w, g in d.groupby("wave")}
        r = Tracker.from_designs(sep, items="y").change("y", "W1", "W3").iloc[0]
        hits["separate"] += r["ci_low"] <= 0.2 <= r["ci_high"]
    for k, v in hits.items():
        assert abs(v / reps - 0.95) <= tol, (k, v / reps)


def test_group_series_does_not_borrow_wave_base(t):
    # 61% of GPs: the wave's 85 respondents are not the GP base, so no interval and a note.
    cat = "too much grip, not consistent with the CCG model"
    s = t.series("everyone_counts_grip", group="GP", category=cat)
    assert math.isnan(s["n"][0]) and math.isnan(s["ci_low"][0])
    assert "base of group 'GP' not published" in s["note"][0]


def test_group_bases_assumed_by_user(data):
    # User states 50 GPs and 30 non-GPs: se = sqrt(.61*.39/50 + .31*.69/30)
    # = sqrt(.004758 + .00713) = 0.10903
    cat = "too much grip, not consistent with the CCG model"
    t = Tracker.from_dataset(data, assumed_bases={
        ("hsj_ccg_barometer", "W2", "GP"): 50, ("hsj_ccg_barometer", "W2", "non-GP"): 30})
    r = t.compare_groups("everyone_counts_grip", "GP", "non-GP", category=cat)
    assert len(r) == 1 and r["scenario"][0] == "bases stated or assumed by the user"
    assert r["se"][0] == pytest.approx(0.10903, abs=5e-5)
    assert "n=50 assumed by the user" in r["note"][0]


def test_comparability_record(t):
    c = t.comparability("area_team_relationship")
    assert c["wave"].tolist() == ["W2", "W3"]
    assert c["implied"].tolist() == [True, False]
    assert (c["differs"] == "").all()  # same wording, category and population in both waves


def test_changes_all_pairs_and_bh(data):
    t = Tracker.from_dataset(data, assumed_bases={"W1": 85})
    r = t.changes(pairs="all")
    budget = r[r["item"] == "budget_confidence"]["wave"].tolist()
    assert budget == ["W1->W2", "W1->W3", "W2->W3"]
    # two testable share changes (30 -> 45 -> 40 of 100). Benjamini-Hochberg with m = 2:
    # the larger p is kept, the smaller becomes min(2 p_(1), p_(2)).
    fig, wav = _toy(values=(30.0, 45.0, 40.0))
    r = Tracker.from_figures(fig, wav).changes(method="fdr_bh")
    p = r["p_value"].to_numpy()
    order = np.argsort(p)
    assert r["p_adjusted"].to_numpy()[order[1]] == pytest.approx(p[order[1]])  # largest kept
    assert r["p_adjusted"].to_numpy()[order[0]] == pytest.approx(min(2 * p[order[0]],
                                                                      p[order[1]]))
    with pytest.raises(ValueError, match="pairs must be"):
        t.changes(pairs="some")


def test_design_series_keeps_wave_and_false_group_labels():
    # regression: the stacked wave column was dropped from series, and group False became "all"
    from barotrend.design import Design

    d = pd.DataFrame({"unit": [1, 2, 3, 4] * 2, "wave": ["W1"] * 4 + ["W2"] * 4,
                      "g": [True, False] * 4, "y": [1.0, 2, 3, 4, 2, 2, 5, 5]})
    t = Tracker.from_designs(Design(d, cluster="unit"), items="y", wave="wave", group="g")
    s = t.series("y", group=False)
    assert s["wave"].tolist() == ["W1", "W2"]
    assert s["group"].tolist() == ["False", "False"]
    # W1 non-g rows y = 2, 4 (units 2, 4): mean 3; W2: 2, 5 -> 3.5
    assert s["estimate"].tolist() == [3.0, 3.5]


def test_from_designs_stacked_trend_uses_wave_covariance_by_hand():
    # Four units in three waves (dates 1, 2, 3). Wave means 2.5, 3.5, 5. Clustered by unit,
    # the covariance of the means is V = 4/3 * sum_u z_u z_u' with z_u = (y_uw - mean_w) / 4:
    # computed here with plain numpy, then the GLS slope (X' V^-1 X)^-1 X' V^-1 y by hand.
    from barotrend.design import Design

    y = np.array([[1.0, 2, 3, 4], [2, 2, 5, 5], [3, 4, 5, 8]])  # waves x units
    data = pd.DataFrame({"unit": [1, 2, 3, 4] * 3, "wave": np.repeat(["W1", "W2", "W3"], 4),
                         "y": y.ravel()})
    z = (y - y.mean(1, keepdims=True)) / 4
    v = 4 / 3 * z @ z.T
    x = np.column_stack([np.ones(3), [1.0, 2, 3]])
    vi = np.linalg.inv(v)
    cov_b = np.linalg.inv(x.T @ vi @ x)
    beta = cov_b @ x.T @ vi @ y.mean(1)
    one = np.ones(3)
    yg = one @ vi @ y.mean(1) / (one @ vi @ one)
    q = (y.mean(1) - yg) @ vi @ (y.mean(1) - yg)

    t = Tracker.from_designs(Design(data, cluster="unit"), items="y", wave="wave")
    r = t.trend("y")
    assert r["estimate"][0] == pytest.approx(beta[1], rel=1e-10)
    assert r["se"][0] == pytest.approx(math.sqrt(cov_b[1, 1]), rel=1e-10)
    assert r["statistic"][1] == pytest.approx(q, rel=1e-10)
    assert "covariance between waves" in r["note"][0]
    # the same waves as independent samples: a WLS trend on the diagonal only, a larger se
    sep = {w: Design(g.reset_index(drop=True)) for w, g in data.groupby("wave")}
    ri = Tracker.from_designs(sep, items="y").trend("y")
    w = 1 / np.diag(v)  # the separate designs' variances of the means: V's diagonal
    dates = np.array([1.0, 2, 3])
    xw = np.sum(w * dates) / w.sum()
    sxx = np.sum(w * (dates - xw) ** 2)
    assert ri["estimate"][0] == pytest.approx(np.sum(w * (dates - xw) * y.mean(1)) / sxx,
                                              rel=1e-10)
    assert ri["se"][0] == pytest.approx(1 / math.sqrt(sxx), rel=1e-10)
    assert ri["se"][0] > r["se"][0]  # positively correlated waves: the panel is more precise


def test_from_designs_stacked_trend_coverage_simulated():
    # Linear truth 0.5, 0.6, 0.7 at dates 1, 2, 3 (slope 0.1); 54 of 90 units in every wave
    # with unit effect sd 0.8. 400 replicates (seed 7; Monte-Carlo sd of a 95% coverage
    # 1.1 points): the GLS trend of the stacked design covers 0.1 in 95.0% of replicates, the
    # independent-waves WLS (covariance ignored) in 98.25%. Pin: |coverage - 0.95| <= 0.03.
    from barotrend.design import Design

    rng = np.random.default_rng(7)
    reps = 400
    hits = 0
    for _ in range(reps):
        d = _panel(rng, True, mu=(0.5, 0.6, 0.7))
        r = Tracker.from_designs(Design(d, cluster="unit"), items="y", wave="wave").trend("y")
        hits += r["ci_low"][0] <= 0.1 <= r["ci_high"][0]
    assert abs(hits / reps - 0.95) <= 0.03, hits / reps


def test_impossible_wave_base_uses_the_least_favourable_item_base(t):
    # January's grip shares (50/40/0/10) are impossible on the wave's 85 respondents; like the
    # report's verdicts, the Tracker then takes the smallest feasible item base, 68, for the
    # interval: Wilson on 50% of 68 (statsmodels' proportion_confint, an independent code).
    from statsmodels.stats.proportion import proportion_confint

    s = t.series("everyone_counts_grip",
                 category="too much grip, not consistent with the CCG model").iloc[0]
    assert s["n"] == 68
    lo, hi = proportion_confint(34, 68, method="wilson")
    assert (s["ci_low"], s["ci_high"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
    assert "the least favourable, n=68, used" in s["note"]
    # a question whose share is achievable on the respondents keeps them
    assert t.series("area_team_relationship")["n"].tolist() == [85.0, 94.0]


# -- issue 12: unclustered stacked designs, bad design types ---------------------------------------

UNCLUSTERED = {"W1": [1.0, 2, 3, 4, 6], "W2": [2.0, 3, 3, 5], "W3": [4.0, 5, 5, 6, 7, 9]}


def unclustered_reference():
    """Hand formulas for a stacked design without clusters (one SRS of n = 15 rows): the
    influence of the domain mean of wave d is z_i = I_d(i) (y_i - ybar_d) / n_d, whose mean over
    the rows is 0, so var_d = n/(n-1) SS_d / n_d^2 and the covariance of disjoint waves is 0.
    WLS on x = 1, 2, 3 with weights 1/var_d: slope = sum w (x-xw)(y-yw) / sum w (x-xw)^2,
    se = 1/sqrt(sum w (x-xw)^2); Cochran's Q = sum w (y - yw)^2."""
    n = sum(len(v) for v in UNCLUSTERED.values())
    ys = [np.array(v) for v in UNCLUSTERED.values()]
    m = np.array([y.mean() for y in ys])
    var = np.array([n / (n - 1) * ((y - y.mean()) ** 2).sum() / len(y) ** 2 for y in ys])
    x, w = np.array([1.0, 2, 3]), 1 / var
    xw, yw = (w * x).sum() / w.sum(), (w * m).sum() / w.sum()
    sxx = (w * (x - xw) ** 2).sum()
    return {"means": m, "var": var, "slope": (w * (x - xw) * (m - yw)).sum() / sxx,
            "slope_se": 1 / math.sqrt(sxx), "q": (w * (m - yw) ** 2).sum(), "df": n - 1}


def test_from_designs_stacked_without_clusters_trend_by_hand():
    # issue 12 item 1: "cov must be symmetric" from round-off in an exact zero covariance
    from barotrend.design import Design

    data = pd.DataFrame({"wave": [w for w, v in UNCLUSTERED.items() for _ in v],
                         "y": [y for v in UNCLUSTERED.values() for y in v]})
    ref = unclustered_reference()
    r = Tracker.from_designs(Design(data), items="y", wave="wave").trend("y")
    assert r["estimate"][0] == pytest.approx(ref["slope"], rel=1e-12)
    assert r["se"][0] == pytest.approx(ref["slope_se"], rel=1e-12)
    assert r["statistic"][1] == pytest.approx(ref["q"], rel=1e-12)
    assert r["p_value"][1] == pytest.approx(stats.chi2.sf(ref["q"], 2), rel=1e-10)


def test_from_designs_rejects_a_dataframe_as_a_design():
    from barotrend.design import Design

    d = pd.DataFrame({"y": [1.0, 2, 3]})
    with pytest.raises(TypeError, match=r"designs\['W2'\] must be a barotrend Design, got "
                                        r"a DataFrame"):
        Tracker.from_designs({"W1": Design(d), "W2": d}, items="y")
    with pytest.raises(TypeError, match=r"designs must be a barotrend Design .* got a DataFrame"):
        Tracker.from_designs(d, items="y", wave="w")


def _two_scales(values=(6.5, 3.4), scale_max=(10, 5)):
    waves = pd.DataFrame({"survey": ["s", "s"], "wave": ["W1", "W2"], "wave_order": [1, 2],
                          "date": ["2013-01", "2013-06"], "respondents": [80, 90]})
    figs = pd.DataFrame({"survey": ["s", "s"], "wave": ["W1", "W2"], "item": ["conf", "conf"],
                         "question": ["How confident?"] * 2, "statistic": ["mean", "mean"],
                         "value": list(values), "decimals": [1, 1], "scale_min": [1, 1],
                         "scale_max": list(scale_max)})
    return Tracker(figs, waves)


def test_change_of_means_on_different_scales_warns_and_notes():
    # issue 12 item 5: W1 6.5 on 1-10, W2 3.4 on 1-5. Each mean lies on its own scale, so the
    # change is computed (of the published numbers) with the comparability warning and note,
    # and without the Bhatia-Davis rows (no common scale). Tipping SD by hand (bases 90 and 80
    # assumed from the respondents): c = 1/90 + 1/80, df = c^2 / ((1/90)^2/89 + (1/80)^2/79),
    # s* = |3.4 - 6.5| / (t_{.975, df} sqrt(c)).
    t = _two_scales()
    with pytest.warns(ComparabilityWarning, match=r"scale differs: '1-10' vs '1-5'"):
        r = t.change("conf", "W1", "W2")
    assert r["row"].tolist() == ["tipping_sd", "tipping_sd_rounded"]
    c_a, c_b = 1 / 90, 1 / 80
    df0 = (c_a + c_b) ** 2 / (c_a**2 / 89 + c_b**2 / 79)
    s_star = 3.1 / (stats.t.ppf(0.975, df0) * math.sqrt(c_a + c_b))
    assert r["difference"][0] == pytest.approx(-3.1)
    assert r["sd"][0] == pytest.approx(s_star, rel=1e-9)
    for note in r["note"]:
        assert "scale differs: '1-10' vs '1-5'" in note
        assert "means on different scales (W1 1-10, W2 1-5)" in note
    with pytest.raises(ValueError, match="scale differs"):
        t.change("conf", "W1", "W2", strict=True)


def test_a_mean_outside_its_own_scale_is_named():
    # The Tracker's table validation refuses such a figure; compare_figures checks each mean
    # against its own scale for any other caller.
    from barotrend.tracking.change import compare_figures

    fa = {"wave": "W2", "item": "conf", "statistic": "mean", "value": 5.5, "decimals": 1,
          "scale_min": 1, "scale_max": 5}
    fb = {"wave": "W1", "item": "conf", "statistic": "mean", "value": 6.5, "decimals": 1,
          "scale_min": 1, "scale_max": 10}
    with pytest.raises(ValueError, match=r"conf W2: the published mean 5.5 lies outside its "
                                         r"scale 1-5"):
        compare_figures(fa, fb, 90.0, 80.0, labels={"item": "conf"})
    rows = compare_figures(dict(fa, value=3.4), fb, 90.0, 80.0, labels={"item": "conf"})
    assert rows[0]["difference"] == pytest.approx(-3.1)


def test_design_trend_with_a_wave_without_variance_says_so():
    # W2 answers 4, 4, 4: its estimate has variance 0, so weights 1/variance are undefined;
    # the trend rows say which wave instead of failing (the microdata report keeps going).
    from barotrend.design import Design

    d = pd.DataFrame({"wave": ["W1"] * 3 + ["W2"] * 3 + ["W3"] * 3,
                      "y": [1.0, 2, 3, 4, 4, 4, 2, 3, 5], "unit": range(1, 10)})
    stacked = Tracker.from_designs(Design(d, cluster="unit"), "y", wave="wave")
    separate = Tracker.from_designs({w: Design(g.reset_index(drop=True))
                                     for w, g in d.groupby("wave")}, "y")
    for t in (stacked, separate):
        r = t.trend("y")
        assert len(r) == 2 and r["estimate"].isna().all()
        assert r["note"].str.contains(r"no sampling variance in wave\(s\) W2").all()


def test_design_trend_with_waves_moving_together_says_so():
    # Every unit answers W1 + 1 in W2 and W1 + 2 in W3: the wave means move together exactly,
    # the covariance of the three wave estimates is singular (rank 1).
    from barotrend.design import Design

    d = pd.DataFrame({"wave": ["W1"] * 4 + ["W2"] * 4 + ["W3"] * 4,
                      "y": [1.0, 2, 4, 5, 2, 3, 5, 6, 3, 4, 6, 7], "unit": [1, 2, 3, 4] * 3})
    r = Tracker.from_designs(Design(d, cluster="unit"), "y", wave="wave").trend("y")
    assert len(r) == 2 and r["estimate"].isna().all()
    assert r["note"].str.contains("positive definite").all()


def _three_waves(**changes):
    # y = (u * w) % 5 + 1 for units u = 1..8 in waves w = 1, 2, 3; gp = u % 2. By hand:
    # W1 y = 2,3,4,5,1,2,3,4 (mean 3; gp 1: 2,4,1,3 -> 2.5; gp 0: 3,5,2,4 -> 3.5);
    # W3 y = 4,2,5,3,1,4,2,5 (mean 3.25; gp 1: 4,5,1,2 -> 3; gp 0: 2,3,4,5 -> 3.5).
    d = pd.DataFrame({"unit": list(range(1, 9)) * 3, "wave": np.repeat(["W1", "W2", "W3"], 8),
                      "y": [float((u * w) % 5 + 1) for w in (1, 2, 3) for u in range(1, 9)],
                      "gp": [u % 2 for _ in (1, 2, 3) for u in range(1, 9)]})
    for col, fn in changes.items():
        d[col] = fn(d)
    return d


def test_design_tracker_item_not_asked_in_a_wave():
    from barotrend.design import Design

    d = _three_waves(y=lambda d: d["y"].where(d["wave"] != "W2"))
    t = Tracker.from_designs(Design(d, cluster="unit"), "y", wave="wave", group="gp")
    s = t.series("y")
    assert math.isnan(s["estimate"][1]) and "no answer to 'y' in wave 'W2'" in s["note"][1]
    assert s["estimate"][0] == pytest.approx(3.0) and s["estimate"][2] == pytest.approx(3.25)
    ch = t.changes()
    assert ch["wave"].tolist() == ["W1->W3"]
    assert ch["difference"][0] == pytest.approx(0.25)
    r = t.change("y", "W1", "W2")
    assert math.isnan(r["difference"][0]) and math.isnan(r["p_value"][0])
    assert "no answer to 'y' in wave 'W2'" in r["note"][0]
    assert "three or more waves with answers (none in W2)" in t.trend("y")["note"][0]
    g = t.compare_groups("y", 1, 0, "W2")
    assert math.isnan(g["difference"][0]) and "group 1" in g["note"][0]


def test_design_tracker_gap_change_ignores_other_waves_and_empty_cells():
    # gp 1 has nobody in W2: the W1 -> W3 gap change is still the difference in differences of
    # the cell means, (3 - 3.5) - (2.5 - 3.5) = 0.5, and its SE that of the same contrast of
    # the four domain means (design.contrasts.domain_means, pinned to R elsewhere).
    from barotrend.design import Design
    from barotrend.design.contrasts import domain_means

    d = _three_waves(gp=lambda d: d["gp"].where(d["wave"] != "W2", 0))
    design = Design(d, cluster="unit")
    t = Tracker.from_designs(design, "y", wave="wave", group="gp")
    r = t.gap_change("y", 1, 0, "W1", "W3").iloc[0]
    assert r["difference"] == pytest.approx(0.5, abs=1e-12)
    cells = [("W3", 1), ("W3", 0), ("W1", 1), ("W1", 0)]
    ind = np.column_stack([((d["wave"] == w) & (d["gp"] == g)).to_numpy() for w, g in cells])
    means, cov = domain_means(design, d["y"].to_numpy(float), ind)
    c = np.array([1.0, -1, -1, 1])
    assert c @ means == pytest.approx(0.5, abs=1e-12)
    assert r["se"] == pytest.approx(math.sqrt(c @ cov @ c), rel=1e-10)
    assert math.isnan(t.gap_change("y", 1, 0, "W1", "W2")["difference"][0])


def test_design_tracker_dates_as_waves_csv_reads_them():
    # midpoints: Oct 2012 -> 2012 + 9.5/12; 2013-Q1 -> 2013 + 1.5/12; 2013 -> 2013.5
    from barotrend.design import Design

    d = {w: Design(pd.DataFrame({"y": [1.0, 0, 1]})) for w in ("A", "B", "C")}
    t = Tracker.from_designs(d, "y", dates={"A": "Oct 2012", "B": "2013-Q1", "C": 2013})
    assert [t.date_values[w] for w in "ABC"] == pytest.approx([2012 + 9.5 / 12,
                                                               2013 + 1.5 / 12, 2013.5])
    with pytest.raises(ValueError, match=r"dates\['A'\] = '2013-13': month 13 does not exist"):
        Tracker.from_designs(d, "y", dates={"A": "2013-13", "B": "2014", "C": "2015"})


# -- published SDs in Tracker.change (issue 11, residue 3) -------------------------------------

def _toy_means_with_sds(sds):
    fig, wav = _toy(values=(3.1, 3.4, 3.0), bases=(120, 90, 100), stat="mean")
    fig["decimals"], fig["scale_min"], fig["scale_max"] = 1, 1, 5
    fig["sd"] = list(sds)
    return Tracker.from_figures(fig, wav)


def test_change_of_means_uses_each_published_sd():
    # A 3.1 (SD 1.1, n 120) -> B 3.4 (SD 0.8, n 90): Welch on each SD. By hand:
    # v_B = 0.64/90 = 0.0071111, v_A = 1.21/120 = 0.0100833, se = sqrt(0.0171944) = 0.131128,
    # t = 0.3/0.131128 = 2.28784; df = 0.0171944^2 / (v_B^2/89 + v_A^2/119) = 207.9
    t = _toy_means_with_sds([1.1, 0.8, np.nan])
    r = t.change("q", "A", "B").iloc[0]
    ref = stats.ttest_ind_from_stats(3.4, 0.8, 90, 3.1, 1.1, 120, equal_var=False)
    assert r["method"] == "welch"
    assert r["se"] == pytest.approx(math.sqrt(0.64 / 90 + 1.21 / 120), rel=1e-12)
    assert r["statistic"] == pytest.approx(ref.statistic, rel=1e-10)
    assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    v_b, v_a = 0.64 / 90, 1.21 / 120
    assert r["df"] == pytest.approx((v_a + v_b) ** 2 / (v_b**2 / 89 + v_a**2 / 119), rel=1e-12)
    assert "SDs as published: 0.8 (B) and 1.1 (A)" in r["note"]


def test_change_of_means_stated_sd_takes_precedence():
    # sd=1.0 stated: se = sqrt(1/90 + 1/120) = 0.139443, noted as an assumption
    t = _toy_means_with_sds([1.1, 0.8, np.nan])
    r = t.change("q", "A", "B", sd=1.0).iloc[0]
    assert r["se"] == pytest.approx(math.sqrt(1 / 90 + 1 / 120), rel=1e-12)
    ref = stats.ttest_ind_from_stats(3.4, 1.0, 90, 3.1, 1.0, 120, equal_var=False)
    assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert "SD 1.0 of both means is a stated assumption" in r["note"]
    assert "published SDs 0.8 and 1.1 not used" in r["note"]


def test_change_of_means_with_one_published_sd_is_not_welch():
    # C publishes no SD: no Welch row; the tipping-point SD, and the note says why
    t = _toy_means_with_sds([1.1, 0.8, np.nan])
    r = t.change("q", "A", "C")
    assert "welch" not in set(r["row"])
    assert r.iloc[0]["row"] == "tipping_sd"
    assert "SD published for only one of the two means" in r.iloc[0]["note"]


# -- automatic survey comparisons of same-named groups (issue 11, residue 4) -------------------

def _two_survey_folder(path):
    """Surveys x (W1, 100 answering) and y (V1, 120): concept 'trust' for all and GP in both,
    'board' in x only; concept 'pay' only per group in y."""
    path.mkdir(parents=True, exist_ok=True)
    wave = {"date_precision": "month", "population": "leaders", "source": "s1"}
    pd.DataFrame([{"survey": "x", "wave": "W1", "wave_order": 1, "date": "2013-04",
                   "respondents": 100, **wave},
                  {"survey": "y", "wave": "V1", "wave_order": 1, "date": "2013-05",
                   "respondents": 120, **wave}]).to_csv(path / "waves.csv", index=False)
    fig = {"question": "Q", "category": "yes", "statistic": "share", "decimals": 0,
           "multi_response": False, "exhaustive": False, "source": "s1",
           "quote": "as published"}
    rows = [("x1", "x", "W1", "trust", "all", 60, 100), ("x2", "x", "W1", "trust", "GP", 70, 40),
            ("x3", "x", "W1", "trust", "board", 50, 20),
            ("y1", "y", "V1", "trust", "all", 50, 120), ("y2", "y", "V1", "trust", "GP", 45, 60),
            ("x4", "x", "W1", "pay", "all", 30, 100), ("y3", "y", "V1", "pay", "GP", 20, 60)]
    pd.DataFrame([{"figure_id": i, "survey": s, "wave": w, "item": it, "group": g,
                   "value": v, "base": b, **fig} for i, s, w, it, g, v, b in rows]
                 ).to_csv(path / "figures.csv", index=False)
    pd.DataFrame({"source": ["s1"], "title": ["Own"]}).to_csv(path / "sources.csv", index=False)
    return path


def _pooled_p(ka, na, kb, nb):
    pool = (ka + kb) / (na + nb)
    z = (ka / na - kb / nb) / math.sqrt(pool * (1 - pool) * (1 / na + 1 / nb))
    return math.erfc(abs(z) / math.sqrt(2))


def test_survey_family_compares_same_named_groups(tmp_path):
    t = Tracker.from_dataset(datasets.load(_two_survey_folder(tmp_path / "f")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComparabilityWarning)
        comp = t.all_comparisons()
    surveys = comp[comp["survey"] == "x vs y"]
    done = surveys[surveys["comparison"] == "surveys"].set_index(["item", "group"])
    # whole samples: 60/100 vs 60/120 (50%); GP: 28/40 (70%) vs 27/60 (45%), stated bases
    whole = done.loc[("trust vs trust", "all")]
    assert whole["p_value"] == pytest.approx(_pooled_p(60, 100, 60, 120), rel=1e-6)
    gp = done.loc[("trust vs trust", "GP")]
    assert gp["estimate_a"] == pytest.approx(0.70) and gp["estimate_b"] == pytest.approx(0.45)
    assert gp["p_value"] == pytest.approx(_pooled_p(28, 40, 27, 60), rel=1e-6)
    assert "group 'GP' of both surveys compared by its name" in gp["note"]
    assert "compared by its name" not in whole["note"]
    # pay: GP in y only, all in x only -> nothing compared; 'board' in x only -> listed
    skipped = surveys[surveys["comparison"] == "not compared"].set_index("item")["note"]
    assert "y publish(es) 'pay' only per group" in skipped["pay"]
    assert "group(s) published by one survey only (x: ['board'])" in skipped["trust"]
    assert ("pay vs pay", "GP") not in done.index


def test_survey_family_names_differing_group_labels(tmp_path):
    folder = _two_survey_folder(tmp_path / "f")
    pd.DataFrame({"survey": ["x", "y"], "wave": "", "group": "GP", "parent": "all",
                  "relation": "nested", "label": ["GP members", "GP chairs"]}).to_csv(
        folder / "groups.csv", index=False)
    t = Tracker.from_dataset(datasets.load(folder))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComparabilityWarning)
        comp = t.all_comparisons()
    gp = comp[(comp["comparison"] == "surveys") & (comp["group"] == "GP")].iloc[0]
    assert "groups.csv labels differ: 'GP members' vs 'GP chairs'" in gp["note"]
