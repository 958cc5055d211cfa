"""Verdicts for the seed headlines; every expected number is derived by hand in the comments."""

import pytest

from barotrend import datasets
from barotrend.report.verdicts import (
    NOT_COMPARABLE,
    SUPPORTED,
    UNTESTABLE,
    VERDICTS,
    WITHIN,
    headline_verdicts,
)


@pytest.fixture(scope="module")
def v():
    return headline_verdicts(datasets.load()).set_index("headline_id")


def test_every_headline_gets_a_known_verdict(v):
    assert len(v) == len(datasets.load().headlines) == 14
    assert set(v["verdict"]) <= set(VERDICTS)
    assert v["reason"].str.len().min() > 20


def test_area_team_drop_within_sampling_error(v):
    # 73% of 85 (implied) vs 68% of 94: pooled p = (0.68*94 + 0.73*85)/179 = 0.70374,
    # se = sqrt(0.70374*0.29626*(1/94 + 1/85)) = 0.068342, z = -0.05/0.068342 = -0.7316,
    # p = 2*(1 - Phi(0.7316)) = 0.4644
    r = v.loc["h001-area-team-drop"]
    assert r["verdict"] == WITHIN
    assert r["estimate"] == pytest.approx(-0.05)
    assert r["p_value"] == pytest.approx(0.4644, abs=1e-4)


def test_majority_less_finance_supported(v):
    # 62% of 85: only 53/85 = 62.35% rounds to 62 (52/85 = 61.18, 54/85 = 63.53);
    # z = (53/85 - 0.5)/sqrt(0.25/85) = 0.12353/0.054233 = 2.2777, p = 0.0227
    r = v.loc["h002-majority-less-finance"]
    assert r["verdict"] == SUPPORTED
    assert r["p_value"] == pytest.approx(0.0227, abs=1e-4)


def test_over_40_percent_doubt_is_within_sampling_error(v):
    # 43% of 273: counts 117 (42.86%) and 118 (43.22%); least favourable 117:
    # z = (0.42857 - 0.4)/sqrt(0.24/273) = 0.028571/0.029650 = 0.9636, p = 0.3352
    r = v.loc["h003-over-40-doubt"]
    assert r["verdict"] == WITHIN
    assert r["p_value"] == pytest.approx(0.3352, abs=1e-4)


def test_leadership_categories(v):
    # 51% of 94 -> only 48 (51.06%); 30% of 94 -> only 28 (29.79%); d = 20/94 = 0.21277,
    # Var = (76/94 - 0.21277**2)/94 = 0.0081196, se = 0.090109, z = 2.3612, p = 0.0182
    r = v.loc["h001-leadership-differences"]
    assert r["verdict"] == SUPPORTED
    assert r["p_value"] == pytest.approx(0.0182, abs=1e-4)


def test_budget_confidence_needs_an_sd(v):
    # tipping SD with a normal approximation: 0.7/(1.96*sqrt(1/85 + 1/94)) = 2.38; with
    # Welch t on ~175 df (t = 1.9736) it is 2.37, and for the least favourable rounding
    # (7.15 - 6.55 = 0.6) 0.6/(1.9736*0.14973) = 2.03. The scale allows SDs up to ~4.4.
    r = v.loc["h001-confidence-increased"]
    assert r["verdict"] == UNTESTABLE
    assert "below 2.37 (2.03 for the least favourable rounding" in r["reason"]


def test_high_confidence_needs_a_base(v):
    # values rounding to 7.3 lie in [7.25, 7.35); the least favourable is 7.25, which also has
    # the largest Bhatia-Davis SD of that interval: sqrt((10-7.25)(7.25-1)) = sqrt(17.1875)
    # = 4.1458; n >= (1.96*4.1458/(7.25-5.5))**2 = 4.6433**2 = 21.56 -> 22
    r = v.loc["h000-high-confidence"]
    assert r["verdict"] == UNTESTABLE
    assert "largest SD the scale allows (4.15, Bhatia-Davis) a base of 22 or more" in r["reason"]


def test_grip_question_base_is_not_the_wave_respondents(v):
    # 50% is impossible on 85 (42/85 = 49.4%, 43/85 = 50.6%), so bases 68..85 on which
    # 50/40/0/10 are achievable are used: 68, 70, 72, 78, 80, 82, 84.
    r = v.loc["h002-divided-grip"]
    assert r["verdict"] == WITHIN
    assert "achievable: 68, 70, 72, 78, 80, 82, 84 (item non-response" in r["reason"]


def test_gp_vs_non_gp_supported_over_reconstructed_sizes(v):
    # least favourable reconstruction 28/46 GPs vs 8/26 non-GPs (36/72 = 50% overall):
    # pooled 0.5, se = sqrt(0.25*(1/46 + 1/26)) = 0.122679, z = 0.301003/0.122679 = 2.4536,
    # p = 0.0141
    r = v.loc["h002-gp-vs-non-gp"]
    assert r["verdict"] == SUPPORTED
    assert "28/46 vs 8/26" in r["reason"]
    assert r["p_value"] == pytest.approx(0.0141, abs=1e-4)


def test_cross_survey_not_comparable(v):
    r = v.loc["h000-contrast-trust-ces"]
    assert r["verdict"] == NOT_COMPARABLE
    assert "different measures" in r["reason"]


def test_response_rate_consistent(v):
    # 86/211 = 40.76% rounds to 41%
    assert v.loc["h001-response-rate", "verdict"] == SUPPORTED
    assert "86 of 211 = 40.8%" in v.loc["h001-response-rate", "reason"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="alpha must lie strictly between 0 and 1, got 1.5"):
        headline_verdicts(datasets.load(), alpha=1.5)
    with pytest.raises(ValueError, match="min_item_response must lie in"):
        headline_verdicts(datasets.load(), min_item_response=0)
