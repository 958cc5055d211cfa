"""Every figure published in the seed articles is in the embedded data, with value, base and source.

Expected values are read off the article text by hand (quoted in each row's comment), not from
the data file. A figure missing from the data, or an extra figure not listed here, fails.
"""

from pathlib import Path

import pandas as pd
import pytest

from barotrend import datasets

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
S0, S1, S2, S3, S4 = (
    "000_ef0b17f569c46c49.txt", "001_ba1f30ed041d494d.txt", "002_6e29cb132c16dcd3.txt",
    "003_7c9aeac4ed7dd8d2.txt", "004_e6ef3d13808043e6.txt",
)

# (source, survey, wave, item, group, statistic, value, base or None, implied)
PUBLISHED = [
    # 000: "the average was 7.3" (1 to 10 scale)
    (S0, "hsj_ccg_barometer", "W1", "confidence_detect_care_failure", "all", "mean", 7.3, None, False),
    # 000: "91 per cent identified urgent and emergency care and 90 per cent said community ..."
    (S0, "hsj_ccg_barometer", "W1", "priority_service_change", "all", "share", 91, None, False),
    (S0, "hsj_ccg_barometer", "W1", "priority_service_change", "all", "share", 90, None, False),
    # 000: "general practice, with 41 per cent"
    (S0, "hsj_ccg_barometer", "W1", "priority_service_change", "all", "share", 41, None, False),
    # 000: trust chief executives in July: "44 per cent say they were not confident"
    (S0, "hsj_trust_ce_barometer", "2012-07", "confidence_system_detect_care_failure", "all",
     "share", 44, None, False),
    # 001: "Ninety-four CCG leaders from 86 different CCGs, 41 per cent of the total 211"
    (S1, "hsj_ccg_barometer", "W3", "respondents", "all", "count", 94, None, False),
    (S1, "hsj_ccg_barometer", "W3", "responding_units", "all", "count", 86, None, False),
    (S1, "hsj_ccg_barometer", "W3", "population_units", "all", "count", 211, None, False),
    (S1, "hsj_ccg_barometer", "W3", "unit_response_rate", "all", "share", 41, 211, False),
    # 001: "Ninety per cent were chairs or accountable officers and the other 10 per cent ..."
    (S1, "hsj_ccg_barometer", "W3", "respondent_role", "all", "share", 90, 94, False),
    (S1, "hsj_ccg_barometer", "W3", "respondent_role", "all", "share", 10, 94, False),
    # 001: "the average score was 7.2 ... 6.5 ... in January, and 6.6 in October"
    (S1, "hsj_ccg_barometer", "W3", "budget_confidence", "all", "mean", 7.2, None, False),
    (S1, "hsj_ccg_barometer", "W2", "budget_confidence", "all", "mean", 6.5, None, False),
    (S1, "hsj_ccg_barometer", "W1", "budget_confidence", "all", "mean", 6.6, None, False),
    # 001: "68 per cent ... 'good' or 'very good'. This is a drop of five percentage points"
    (S1, "hsj_ccg_barometer", "W3", "area_team_relationship", "all", "share", 68, None, False),
    (S1, "hsj_ccg_barometer", "W3", "area_team_relationship", "all", "change", -5, None, False),
    (S1, "hsj_ccg_barometer", "W2", "area_team_relationship", "all", "share", 73, None, True),
    # 001: "Fifty-one per cent agreed ...", "30 per cent ...", "seven per cent ..."
    (S1, "hsj_ccg_barometer", "W3", "service_change_leadership", "all", "share", 51, None, False),
    (S1, "hsj_ccg_barometer", "W3", "service_change_leadership", "all", "share", 30, None, False),
    (S1, "hsj_ccg_barometer", "W3", "service_change_leadership", "all", "share", 7, None, False),
    # 002: "There were 85 responses ... 48 per cent were chairs and 44 per cent accountable
    # officers. The remaining eight per cent ..."
    (S2, "hsj_ccg_barometer", "W2", "respondents", "all", "count", 85, None, False),
    (S2, "hsj_ccg_barometer", "W2", "respondent_role", "all", "share", 48, 85, False),
    (S2, "hsj_ccg_barometer", "W2", "respondent_role", "all", "share", 44, 85, False),
    (S2, "hsj_ccg_barometer", "W2", "respondent_role", "all", "share", 8, 85, False),
    # 002: "Ninety-nine per cent", "47 per cent still thought it was likely", "Sixty-two per cent"
    (S2, "hsj_ccg_barometer", "W2", "contracting_impact_integrated_services", "all", "share", 99,
     None, False),
    (S2, "hsj_ccg_barometer", "W2", "contracting_impact_more_competition", "all", "share", 47,
     None, False),
    (S2, "hsj_ccg_barometer", "W2", "contracting_impact_less_finance_attention", "all", "share",
     62, None, False),
    # 002: "Fifty per cent ... too much 'grip'", "Forty per cent ... right balance",
    # "No respondents ... too much 'flexibility' and 10 per cent ... did not know"
    (S2, "hsj_ccg_barometer", "W2", "everyone_counts_grip", "all", "share", 50, None, False),
    (S2, "hsj_ccg_barometer", "W2", "everyone_counts_grip", "all", "share", 40, None, False),
    (S2, "hsj_ccg_barometer", "W2", "everyone_counts_grip", "all", "share", 0, None, False),
    (S2, "hsj_ccg_barometer", "W2", "everyone_counts_grip", "all", "share", 10, None, False),
    # 002: "For GPs the proportion was 61 per cent; for non-GPs it was 31 percent."
    (S2, "hsj_ccg_barometer", "W2", "everyone_counts_grip", "GP", "share", 61, None, False),
    (S2, "hsj_ccg_barometer", "W2", "everyone_counts_grip", "non-GP", "share", 31, None, False),
    # 003: "a survey of 273 CCG managerial, clinical and financial leads"
    (S3, "nhscc_ipsos_ccg_survey", "2013", "respondents", "all", "count", 273, None, False),
    # 003: "64% reporting that this was effective", "only 14% thought the same"
    (S3, "nhscc_ipsos_ccg_survey", "2013", "area_team_working_effective", "all", "share", 64,
     None, False),
    (S3, "nhscc_ipsos_ccg_survey", "2013", "nhse_national_working_effective", "all", "share", 14,
     None, False),
    # 003: "One in ten CCG leads expressed concerns ...", "43% ... disagreed and only 31% agreed"
    (S3, "nhscc_ipsos_ccg_survey", "2013", "nhse_resources_concern", "all", "share", 10, None,
     False),
    (S3, "nhscc_ipsos_ccg_survey", "2013", "nhse_shares_vision", "all", "share", 43, None, False),
    (S3, "nhscc_ipsos_ccg_survey", "2013", "nhse_shares_vision", "all", "share", 31, None, False),
    # 003: "only 37% of respondents felt that NHS England understood its ... powers"
    (S3, "nhscc_ipsos_ccg_survey", "2013", "nhse_understands_powers", "all", "share", 37, None,
     False),
]


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return datasets.load().figures


def _key(row):
    source, survey, wave, item, group, statistic, value, base, implied = row
    return (source, survey, wave, item, group, statistic, float(value),
            None if base is None else int(base), implied)


def _data_keys(figures):
    keys = []
    for r in figures.itertuples():
        base = None if pd.isna(r.base) else int(r.base)
        keys.append((r.source, r.survey, r.wave, r.item, r.group, r.statistic, float(r.value),
                     base, bool(r.implied)))
    return keys


@pytest.mark.parametrize("source", [S0, S1, S2, S3, S4])
def test_each_article_figures_exactly(figures, source):
    expected = sorted((_key(r) for r in PUBLISHED if r[0] == source), key=str)
    got = sorted((k for k in _data_keys(figures) if k[0] == source), key=str)
    assert got == expected


def test_article_004_publishes_no_figure_but_is_listed():
    d = datasets.load()
    assert (d.figures["source"] == S4).sum() == 0
    assert S4 in set(d.sources["source"])


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed articles are read from ../shared/seeds")
def test_every_quote_is_verbatim_in_its_source(figures):
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for r in figures.itertuples():
        assert r.quote in texts[r.source], r.figure_id


def test_counts_agree_with_waves_table():
    d = datasets.load()
    w = d.waves.set_index(["survey", "wave"])
    counts = d.figures[d.figures["statistic"] == "count"]
    column = {"respondents": "respondents", "responding_units": "responding_units",
              "population_units": "population_units"}
    for r in counts.itertuples():
        assert w.loc[(r.survey, r.wave), column[r.item]] == r.value, r.figure_id


def test_waves_order_and_inferred_dates():
    w = datasets.load("hsj_ccg_barometer").waves
    assert w["wave"].tolist() == ["W1", "W2", "W3"]
    assert w["date"].tolist() == ["2012-10", "2013-01", "2013-04"]
    assert w["date_inferred"].all()
    # 001: "41 per cent of the total 211": 86/211 = 0.4076 rounds to 41
    w3 = w.set_index("wave").loc["W3"]
    assert round(100 * w3["responding_units"] / w3["population_units"]) == 41


def test_implied_figure_is_the_stated_change():
    f = datasets.load().figures.set_index("figure_id")
    assert f.loc["ccg-w2-area-team-good", "implied"]
    assert (f.loc["ccg-w3-area-team-good", "value"] - f.loc["ccg-w2-area-team-good", "value"]
            == f.loc["ccg-w3-area-team-good-change", "value"])


def test_dataset_filters_and_listing():
    listing = datasets.list_datasets().set_index("name")
    assert listing.loc["nhs_leadership_2012_13", "figures"] == len(PUBLISHED)
    assert listing.loc["hsj_ccg_barometer", "figures"] == sum(
        r[1] == "hsj_ccg_barometer" for r in PUBLISHED)
    with pytest.raises(ValueError, match="unknown data set 'nope'"):
        datasets.load("nope")
