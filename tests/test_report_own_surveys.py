"""Issue 11: a user's own surveys through the report, each problem on a small folder of its own.

Every folder is written here in the documented CSV format; expected numbers are derived by hand
in the comments (or by an independent enumeration in the test), never copied from the code.
"""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
import warnings
from fractions import Fraction

import pandas as pd
import pytest

from barotrend import datasets
from barotrend.report.build import build_report
from barotrend.report.verdicts import SUPPORTED, UNTESTABLE, WITHIN, headline_verdicts
from barotrend.tracker import Tracker
from barotrend.tracking.comparability import ComparabilityWarning

WAVE_DEFAULTS = {"survey_label": "", "wave_label": "", "date_precision": "month",
                 "date_inferred": "False", "date_note": "", "population": "leaders",
                 "population_units": "", "respondents": "", "responding_units": "",
                 "respondent_roles": "", "source": "s1", "note": ""}
FIGURE_DEFAULTS = {"concept": "", "question": "Q", "category": "", "group": "all",
                   "decimals": 0, "scale_min": "", "scale_max": "", "base": "",
                   "multi_response": "False", "exhaustive": "False", "reference_wave": "",
                   "implied": "False", "source": "s1", "quote": "as published", "note": ""}


def write_folder(path, waves, figures, headlines=(), groups=None):
    """A figures folder: waves.csv, figures.csv, sources.csv (one source), optional
    headlines.csv and groups.csv. Missing columns take the documented defaults."""
    path.mkdir(parents=True, exist_ok=True)
    w = pd.DataFrame([{**WAVE_DEFAULTS, **r} for r in waves])
    w["survey_label"] = w["survey_label"].where(w["survey_label"] != "", w["survey"])
    w["wave_label"] = w["wave_label"].where(w["wave_label"] != "", w["wave"])
    w.to_csv(path / "waves.csv", index=False)
    f = pd.DataFrame([{**FIGURE_DEFAULTS, **r} for r in figures])
    f["concept"] = f["concept"].where(f["concept"] != "", f["item"])
    f.to_csv(path / "figures.csv", index=False)
    pd.DataFrame({"source": ["s1"], "title": ["Own survey"], "surveys": [""],
                  "note": [""]}).to_csv(path / "sources.csv", index=False)
    if headlines:
        h = pd.DataFrame([{"source": "s1", "claim": "claimed", "direction": "two-sided",
                           "threshold": "", "note": "", **r} for r in headlines])
        h.to_csv(path / "headlines.csv", index=False)
    if groups is not None:
        pd.DataFrame([{"wave": "", "parent": "all", "label": "", **r} for r in groups]).to_csv(
            path / "groups.csv", index=False)
    return path


def report(folder, tmp_path):
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComparabilityWarning)
        build_report(folder, out)
    return {name: pd.read_csv(out / f"{name}.csv", keep_default_na=True)
            for name in ("verdicts", "comparisons", "series")
            if (out / f"{name}.csv").stat().st_size > 1}


def _p_two_sided(z):
    return math.erfc(abs(z) / math.sqrt(2))


def _pooled_z(ka, na, kb, nb):
    pool = (ka + kb) / (na + nb)
    return (ka / na - kb / nb) / math.sqrt(pool * (1 - pool) * (1 / na + 1 / nb))


def _rounds_to(k, n, percent):
    """100 k / n rounds half up to the whole ``percent`` (exact arithmetic)."""
    x = Fraction(100 * k, n)
    return percent - Fraction(1, 2) <= x < percent + Fraction(1, 2)


# -- item 1: group_difference with stated bases and no "all" figure ----------------------------

def _two_groups(tmp_path, groups=None):
    waves = [{"survey": "mon", "wave": "Q1", "wave_order": 1, "date": "2014-01",
              "respondents": 100}]
    figures = [
        {"figure_id": "a", "survey": "mon", "wave": "Q1", "item": "ok", "category": "yes",
         "group": "trusts", "statistic": "share", "value": 70, "base": 60},
        {"figure_id": "b", "survey": "mon", "wave": "Q1", "item": "ok", "category": "yes",
         "group": "CCGs", "statistic": "share", "value": 40, "base": 40},
    ]
    heads = [{"headline_id": "h1", "test": "group_difference", "figure_ids": "a;b",
              "direction": "greater"}]
    return write_folder(tmp_path / "mon", waves, figures, heads, groups)


def test_group_difference_with_stated_bases_and_no_overall_figure(tmp_path):
    # Was IndexError (the verdict looked for the "all" figure). Stated bases used as they are:
    # 70% of 60 = 42, 40% of 40 = 16; pooled 58/100 = .58,
    # se0 = sqrt(.58 * .42 * (1/60 + 1/40)) = sqrt(.2436 * .0416667) = .100747,
    # z = .30 / .100747 = 2.9778, p = .0029: supported.
    v = report(_two_groups(tmp_path), tmp_path)["verdicts"].iloc[0]
    assert v["verdict"] == SUPPORTED
    assert v["p_value"] == pytest.approx(_p_two_sided(_pooled_z(42, 60, 16, 40)), rel=1e-9)
    assert v["p_value"] == pytest.approx(0.0029, abs=1e-4)
    # no relation stated: compared as independent, and the note says it was assumed
    assert "groups assumed disjoint: state their relation in groups.csv" in v["reason"]


def test_group_difference_disjoint_groups_need_no_assumption(tmp_path):
    groups = [{"survey": "mon", "group": "trusts", "relation": "disjoint"},
              {"survey": "mon", "group": "CCGs", "relation": "disjoint"}]
    v = report(_two_groups(tmp_path, groups), tmp_path)["verdicts"].iloc[0]
    assert v["verdict"] == SUPPORTED and "assumed disjoint" not in v["reason"]
    assert v["p_value"] == pytest.approx(_p_two_sided(_pooled_z(42, 60, 16, 40)), rel=1e-9)


def test_an_assumed_split_is_not_evidence(tmp_path):
    # GP and non-GP partition the 100 respondents, no overall figure and no group bases: the
    # Tracker can show an assumed equal split (and 1:3, 3:1), but a verdict does not rest on it
    waves = [{"survey": "mon", "wave": "Q1", "wave_order": 1, "date": "2014-01",
              "respondents": 100}]
    figures = [{"figure_id": g, "survey": "mon", "wave": "Q1", "item": "ok", "category": "yes",
                "group": g, "statistic": "share", "value": v}
               for g, v in (("GP", 70), ("non-GP", 40))]
    heads = [{"headline_id": "h1", "test": "group_difference", "figure_ids": "GP;non-GP"}]
    groups = [{"survey": "mon", "group": g, "relation": "partition"} for g in ("GP", "non-GP")]
    v = report(write_folder(tmp_path / "f", waves, figures, heads, groups), tmp_path)
    row = v["verdicts"].iloc[0]
    assert row["verdict"] == UNTESTABLE and math.isnan(row["p_value"])
    # on the assumed 50/50 split: 35/50 vs 20/50, pooled .55, z = .3 / sqrt(.2475 * .04)
    p = _p_two_sided(_pooled_z(35, 50, 20, 50))
    assert f"assumed equal split) would p be {p:.3g}" in row["reason"]


# -- item 2: consistency on a wave without unit counts --------------------------------------------

def test_consistency_without_unit_counts_cannot_be_tested(tmp_path):
    # Was TypeError (int(NA)). The wave publishes neither responding_units nor population_units.
    waves = [{"survey": "mon", "wave": "Q1", "wave_order": 1, "date": "2014-01",
              "respondents": 120}]
    figures = [{"figure_id": "rr", "survey": "mon", "wave": "Q1", "item": "response_rate",
                "category": "responded", "statistic": "share", "value": 41}]
    heads = [{"headline_id": "h1", "test": "consistency", "figure_ids": "rr"}]
    v = report(write_folder(tmp_path / "f", waves, figures, heads), tmp_path)["verdicts"]
    row = v.iloc[0]
    assert row["verdict"] == UNTESTABLE
    assert "no responding_units and no population_units" in row["reason"]
    assert "mon Q1" in row["reason"]


# -- item 3: a concept published only per group in one survey ---------------------------------------

def _per_group_folder(tmp_path):
    waves = [{"survey": "ccg", "wave": "W1", "wave_order": 1, "date": "2013-04",
              "respondents": 94},
             {"survey": "trusts", "wave": "T1", "wave_order": 1, "date": "2013-05",
              "respondents": 200}]
    figures = [
        {"figure_id": "c1", "survey": "ccg", "wave": "W1", "item": "rate",
         "concept": "unit_response_rate", "category": "responded", "statistic": "share",
         "value": 41},
        {"figure_id": "t1", "survey": "trusts", "wave": "T1", "item": "rate",
         "concept": "unit_response_rate", "category": "responded", "group": "acute",
         "statistic": "share", "value": 55, "base": 120},
    ]
    return write_folder(tmp_path / "pg", waves, figures)


def test_report_lists_a_per_group_survey_comparison_as_not_compared(tmp_path):
    comp = report(_per_group_folder(tmp_path), tmp_path)["comparisons"]
    skipped = comp[comp["comparison"] == "not compared"]
    assert len(skipped) == 1
    reason = skipped["note"].iloc[0]
    assert "trusts publish(es) 'unit_response_rate' only per group" in reason
    assert "group_a=..., group_b=..." in reason


def test_compare_surveys_names_a_group_on_each_side(tmp_path):
    d = datasets.load(_per_group_folder(tmp_path))
    t = Tracker.from_dataset(d)
    with pytest.raises(ValueError, match=r"publishes concept 'unit_response_rate' only for "
                                         r"group\(s\) \['acute'\].*pass group_b="):
        t.compare_surveys("unit_response_rate", "ccg", "trusts")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComparabilityWarning)
        r = t.compare_surveys("unit_response_rate", "ccg", "trusts", group_b="acute").iloc[0]
    # 41% of 94 (the wave's respondents assumed) vs 55% of 120 (stated):
    # pooled (.41 * 94 + .55 * 120) / 214 = (38.54 + 66) / 214 = .488505
    pool = (0.41 * 94 + 0.55 * 120) / 214
    z = (0.41 - 0.55) / math.sqrt(pool * (1 - pool) * (1 / 94 + 1 / 120))
    assert (r["estimate_a"], r["estimate_b"]) == (pytest.approx(0.41), pytest.approx(0.55))
    assert r["group"] == "all vs acute"
    assert r["p_value"] == pytest.approx(_p_two_sided(z), rel=1e-9)


# -- item 4 (issue item 6): estimate_a is survey_a's figure -----------------------------------------

def _mean_share_folder(tmp_path):
    waves = [{"survey": "trust_ce", "wave": "T1", "wave_order": 1, "date": "2012-07"},
             {"survey": "ccg", "wave": "W1", "wave_order": 1, "date": "2012-10"}]
    figures = [
        {"figure_id": "t", "survey": "trust_ce", "wave": "T1", "item": "detect",
         "concept": "detect", "category": "not confident", "statistic": "share", "value": 44},
        {"figure_id": "c", "survey": "ccg", "wave": "W1", "item": "detect_mean",
         "concept": "detect", "statistic": "mean", "value": 7.3, "decimals": 1,
         "scale_min": 1, "scale_max": 10},
    ]
    return write_folder(tmp_path / "ms", waves, figures)


def test_estimate_a_is_survey_a_in_the_api_and_the_csv(tmp_path):
    folder = _mean_share_folder(tmp_path)
    t = Tracker.from_dataset(datasets.load(folder))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComparabilityWarning)
        ab = t.compare_surveys("detect", "trust_ce", "ccg").iloc[0]
        ba = t.compare_surveys("detect", "ccg", "trust_ce").iloc[0]
    # the share survey first: estimate_a is its 44% (was the other survey's mean, 7.3)
    assert (ab["estimate_a"], ab["estimate_b"]) == (pytest.approx(0.44), pytest.approx(7.3))
    assert (ba["estimate_a"], ba["estimate_b"]) == (pytest.approx(7.3), pytest.approx(0.44))
    # the bounds are on the mean survey's share whatever the order: (10 - 7.25) / 5 = .55
    assert ab["ci_high"] == pytest.approx(0.55) and ba["ci_high"] == pytest.approx(0.55)
    comp = report(folder, tmp_path)["comparisons"]
    row = comp[comp["comparison"] == "surveys"].iloc[0]
    first = row["survey"].split(" vs ")[0]
    assert row["estimate_a"] == pytest.approx({"trust_ce": 0.44, "ccg": 7.3}[first])


# -- item 5 (issue item 7): a group against its own subset ------------------------------------------

def _finance_folder(tmp_path, groups=True):
    # A finance directors' monitor: 133 respondents, 83 trust finance directors (67%, base
    # stated), acute trust finance directors among them (89%, base not published), 50 CCG
    # finance leads (60%, base stated).
    waves = [{"survey": "fdm", "wave": "Q1", "wave_order": 1, "date": "2013-04",
              "respondents": 133}]
    figures = [
        {"figure_id": "tfd", "survey": "fdm", "wave": "Q1", "item": "confident",
         "category": "confident", "group": "trust FDs", "statistic": "share", "value": 67,
         "base": 83},
        {"figure_id": "acute", "survey": "fdm", "wave": "Q1", "item": "confident",
         "category": "confident", "group": "acute trust FDs", "statistic": "share",
         "value": 89},
        {"figure_id": "ccg", "survey": "fdm", "wave": "Q1", "item": "confident",
         "category": "confident", "group": "CCG finance leads", "statistic": "share",
         "value": 60, "base": 50},
    ]
    heads = [{"headline_id": "h-acute", "test": "group_difference", "figure_ids": "acute;tfd",
              "direction": "greater"}]
    rel = [{"survey": "fdm", "group": "trust FDs", "relation": "partition"},
           {"survey": "fdm", "group": "CCG finance leads", "relation": "partition"},
           {"survey": "fdm", "group": "acute trust FDs", "parent": "trust FDs",
            "relation": "nested"}] if groups else None
    return write_folder(tmp_path / "fdm", waves, figures, heads, rel)


def _least_favourable_by_enumeration():
    """Every subgroup base m < 83 and count a with 100 a / m rounding to 89, the 83 trust FDs'
    count c with 100 c / 83 rounding to 67 (only c = 56: 55/83 = 66.3%, 57/83 = 68.7%), the
    rest c - a of 83 - m in range; the pooled z test of a/m against (c - a)/(83 - m)."""
    (c,) = [k for k in range(84) if _rounds_to(k, 83, 67)]
    worst = None
    for m in range(1, 83):
        for a in range(m + 1):
            if _rounds_to(a, m, 89) and 0 <= c - a <= 83 - m:
                p = _p_two_sided(_pooled_z(a, m, c - a, 83 - m))
                if worst is None or p > worst[0]:
                    worst = (p, m, a, c)
    return worst


def test_subgroup_against_its_parent_is_not_a_false_significant_result(tmp_path):
    # Was p = 0.002: the stated 83 dropped and 133 split 66/67 between the trust FDs and their
    # own subset, compared as independent samples. Honest: acute FDs against the other trust
    # FDs, over every feasible acute base. By hand, the least favourable is the smallest
    # subgroup: m = 9 (8/9 = 88.9%; no base under 9 gives 89%), rest 48 of 74 (64.9%);
    # pooled 56/83 = .674699, se0 = sqrt(.674699 * .325301 * (1/9 + 1/74)) = .165385,
    # z = (.888889 - .648649) / .165385 = 1.4526, p = .1463: within sampling error.
    p, m, a, c = _least_favourable_by_enumeration()
    assert (m, a, c) == (9, 8, 56)
    assert p == pytest.approx(0.1463, abs=1e-4)
    v = report(_finance_folder(tmp_path), tmp_path)["verdicts"].iloc[0]
    assert v["verdict"] == WITHIN
    assert v["p_value"] == pytest.approx(p, rel=1e-9)
    assert "8/9 vs 48/74" in v["reason"]
    # the difference is the published one, acute minus all trust FDs, 8/9 - 56/83 = .214190;
    # its interval is the subgroup-rest interval scaled by 1 - 9/83
    assert v["estimate"] == pytest.approx(8 / 9 - 56 / 83, rel=1e-9)


def test_subgroup_without_stated_relation_is_not_split(tmp_path):
    # no groups.csv: the 133 respondents are never split between groups of unknown relation
    v = report(_finance_folder(tmp_path, groups=False), tmp_path)["verdicts"].iloc[0]
    assert v["verdict"] == UNTESTABLE and math.isnan(v["p_value"])
    assert "never split between groups of unknown relation" in v["reason"]


def test_finance_directors_comparisons_table(tmp_path):
    comp = report(_finance_folder(tmp_path), tmp_path)["comparisons"]
    g = comp[comp["comparison"] == "groups"].set_index("group")
    # trust FDs (83) vs CCG leads (50): stated bases, disjoint (they partition the 133):
    # 67% of 83 vs 60% of 50 as published
    pool = (0.67 * 83 + 0.60 * 50) / 133
    z = 0.07 / math.sqrt(pool * (1 - pool) * (1 / 83 + 1 / 50))
    assert g.loc["trust FDs vs CCG finance leads", "p_value"] == pytest.approx(_p_two_sided(z))
    assert "assumed" not in g.loc["trust FDs vs CCG finance leads", "note"]
    sub = g.loc["trust FDs vs acute trust FDs"]
    assert sub["p_value"] == pytest.approx(_least_favourable_by_enumeration()[0], rel=1e-9)
    # acute FDs vs CCG leads (60% of 50: 30): known disjoint (descendants of the partition),
    # the acute base unknown: every acute size and count consistent with the 56 of 83 trust FDs
    # (as the enumeration above), least favourable against 30/50 -- by hand 8/9 vs 30/50:
    # pooled 38/59, z = (.888889 - .6) / sqrt(.644068 * .355932 * (1/9 + 1/50)) = 1.6663,
    # p = .0957
    want = max(_p_two_sided(_pooled_z(a, m, 30, 50)) for m in range(1, 83)
               for a in range(m + 1) if _rounds_to(a, m, 89) and 0 <= 56 - a <= 83 - m)
    acute = g.loc["acute trust FDs vs CCG finance leads"]
    assert acute["p_value"] == pytest.approx(want, rel=1e-9)
    assert acute["p_value"] == pytest.approx(0.0957, abs=1e-4)
    assert acute["scenario"].endswith("8/9 vs 30/50")


# -- item 6: a category added to a question ---------------------------------------------------------

def _agree_folder(tmp_path, name, with_disagree):
    waves = [{"survey": "s", "wave": "W1", "wave_order": 1, "date": "2015-01",
              "respondents": 100},
             {"survey": "s", "wave": "W2", "wave_order": 2, "date": "2016-01",
              "respondents": 100},
             {"survey": "o", "wave": "O1", "wave_order": 1, "date": "2016-02",
              "respondents": 200}]
    figures = []
    for s, w, agree, disagree in (("s", "W1", 40, 50), ("s", "W2", 55, 35), ("o", "O1", 45, 40)):
        cats = [("agree", agree)] + ([("disagree", disagree)] if with_disagree else [])
        for cat, v in cats:
            figures.append({"figure_id": f"{w}-{cat}", "survey": s, "wave": w, "item": "vision",
                            "concept": "vision", "question": "Do you share the vision?",
                            "category": cat, "statistic": "share", "value": v})
    return write_folder(tmp_path / name, waves, figures)


def test_adding_a_category_keeps_the_comparisons_of_the_others(tmp_path):
    before = report(_agree_folder(tmp_path, "one", False), tmp_path / "r1")
    after = report(_agree_folder(tmp_path, "two", True), tmp_path / "r2")

    def agree(tables, kind):
        c = tables["comparisons"]
        c = c[(c["comparison"] == kind) & c["category"].astype(str).str.startswith("agree")]
        return c[["wave", "difference", "p_value"]].reset_index(drop=True)

    # one change (W1 -> W2); each wave of s against o's only wave (its nearest in time)
    for kind, n in (("change", 1), ("surveys", 2)):
        assert len(agree(before, kind)) == n
        pd.testing.assert_frame_equal(agree(before, kind), agree(after, kind))
    # the change of "agree", 40% -> 55% of 100: pooled .475, z = .15 / sqrt(.475*.525*.02)
    ch = agree(after, "change").iloc[0]
    assert ch["p_value"] == pytest.approx(_p_two_sided(0.15 / math.sqrt(0.475 * 0.525 * 0.02)))
    # and "disagree" is compared too, across waves and surveys
    c = after["comparisons"]
    assert ((c["category"].astype(str).str.startswith("disagree"))
            & (c["comparison"] == "surveys")).sum() == 2
    # the series of "agree" stays in the report beside the new one
    s = after["series"]
    assert set(s["category"]) == {"agree", "disagree"}


# -- item 7: combining the user's trust chief executive waves with the embedded data ---------------

def _trust_ce_folder(tmp_path):
    waves = [{"survey": "hsj_trust_ce_barometer", "wave": "2013-01", "wave_order": 2,
              "date": "2013-01", "respondents": 70, "population": "NHS trust chief executives"},
             {"survey": "hsj_trust_ce_barometer", "wave": "2013-04", "wave_order": 3,
              "date": "2013-04", "respondents": 80, "population": "NHS trust chief executives"}]
    q = ("Which phrase best described your NHS England local area team’s interactions with "
         "your CCG")
    figures = [
        {"figure_id": "tce-jan-budget", "survey": "hsj_trust_ce_barometer", "wave": "2013-01",
         "item": "budget_confidence", "concept": "budget_confidence", "statistic": "mean",
         "value": 5.9, "decimals": 1, "scale_min": 1, "scale_max": 10,
         "question": "Rate your confidence in your trust's budget"},
        {"figure_id": "tce-apr-area", "survey": "hsj_trust_ce_barometer", "wave": "2013-04",
         "item": "area_team_relationship", "concept": "area_team_relationship",
         "category": "good or very good", "statistic": "share", "value": 55, "question": q},
        {"figure_id": "tce-apr-rate", "survey": "hsj_trust_ce_barometer", "wave": "2013-04",
         "item": "unit_response_rate", "concept": "unit_response_rate", "group": "acute",
         "category": "responded", "statistic": "share", "value": 60},
    ]
    return write_folder(tmp_path / "tce", waves, figures)


def _combined(tmp_path, how="combine"):
    """The embedded data with the user's trust chief executive waves: through the documented
    Dataset.combine, or by concatenating the tables (what a user could do by hand)."""
    d = datasets.load()
    mine = datasets.load(_trust_ce_folder(tmp_path))
    if how == "combine":
        return d.combine(mine)
    return dataclasses.replace(
        d, name="combined",
        waves=pd.concat([d.waves, mine.waves], ignore_index=True),
        figures=pd.concat([d.figures, mine.figures], ignore_index=True),
        sources=pd.concat([d.sources, mine.sources], ignore_index=True))


@pytest.mark.parametrize("how", ["combine", "concat"])
def test_combined_report_compares_ccg_leaders_with_trust_chief_executives(tmp_path, how):
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComparabilityWarning)
        build_report(_combined(tmp_path, how), out)
    comp = pd.read_csv(out / "comparisons.csv")
    pair = comp["survey"].isin(["hsj_ccg_barometer vs hsj_trust_ce_barometer",
                                "hsj_trust_ce_barometer vs hsj_ccg_barometer"])
    ce = comp[pair & (comp["comparison"] == "surveys")]
    # one orientation for the pair, as waves.csv lists the surveys: CCG leaders first
    assert set(comp.loc[pair, "survey"]) == {"hsj_ccg_barometer vs hsj_trust_ce_barometer"}
    area = ce[ce["item"] == "area_team_relationship vs area_team_relationship"]
    # each CCG wave with the area-team share (W2 Jan, W3 Q2 2013) against the nearest trust
    # wave holding it (Apr 2013)
    assert sorted(area["wave"]) == ["W2 vs 2013-04", "W3 vs 2013-04"]
    w3 = area[area["wave"] == "W3 vs 2013-04"].iloc[0]
    # 68% of 94 vs 55% of 80 (both the waves' respondents): pooled (63.92 + 44) / 174,
    # se0 = sqrt(pool (1 - pool) (1/94 + 1/80)), z = .13 / se0 = 1.7609, p = .0783
    pool = (0.68 * 94 + 0.55 * 80) / 174
    z = 0.13 / math.sqrt(pool * (1 - pool) * (1 / 94 + 1 / 80))
    assert w3["estimate_a"] == pytest.approx(0.68) and w3["estimate_b"] == pytest.approx(0.55)
    assert w3["p_value"] == pytest.approx(_p_two_sided(z), rel=1e-9)
    assert w3["p_value"] == pytest.approx(0.0783, abs=1e-4)
    # the comparability notes that apply: other population (and the months between waves)
    assert "population differs" in w3["note"]
    # the budget means: compared (no SD published: a row with the tipping-point analysis)
    assert (ce["item"] == "budget_confidence vs budget_confidence").any()
    # the response rate the trusts publish only for acute trusts: not compared, with why
    skipped = comp[pair & (comp["comparison"] == "not compared")]
    assert skipped["note"].str.contains("only per group").any()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "Not compared" in html


def test_combined_verdicts_keep_the_embedded_counts(tmp_path):
    v = headline_verdicts(_combined(tmp_path))
    assert v["verdict"].value_counts().to_dict() == {
        SUPPORTED: 7, WITHIN: 3, UNTESTABLE: 3, "not comparable": 1}


# -- end to end, as a user runs it ------------------------------------------------------------------

def test_cli_report_on_the_finance_folder(tmp_path):
    folder = _finance_folder(tmp_path)
    r = subprocess.run([sys.executable, "-m", "barotrend.cli", "report", "--data", str(folder),
                        "--out", "out", "--quiet"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    v = pd.read_csv(tmp_path / "out" / "verdicts.csv").iloc[0]
    assert v["verdict"] == WITHIN
    assert v["p_value"] == pytest.approx(_least_favourable_by_enumeration()[0], rel=1e-9)


# -- a different, non-NHS barometer, end to end through the command line ---------------------------

def _business_folder(tmp_path):
    """A quarterly business barometer: two waves (400 and 380 firms), manufacturers and
    services partition the firms, exporters are a subset of manufacturers, a mean on a 1-5
    scale and a multi-response question."""
    waves = [{"survey": "biz", "survey_label": "Business barometer", "wave": "Q1",
              "wave_label": "Q1 2019", "wave_order": 1, "date": "2019-01",
              "date_precision": "quarter", "population": "firms", "respondents": 400},
             {"survey": "biz", "survey_label": "Business barometer", "wave": "Q2",
              "wave_label": "Q2 2019", "wave_order": 2, "date": "2019-04",
              "date_precision": "quarter", "population": "firms", "respondents": 380}]
    opt = {"survey": "biz", "item": "optimism", "question": "More optimistic than 3 months ago?",
           "category": "more optimistic", "statistic": "share"}
    mean = {"survey": "biz", "item": "conditions", "question": "Rate business conditions (1-5)",
            "statistic": "mean", "decimals": 1, "scale_min": 1, "scale_max": 5}
    obst = {"survey": "biz", "item": "obstacles", "question": "Obstacles (choose all that apply)",
            "statistic": "share", "multi_response": "True"}
    figures = [
        {**opt, "figure_id": "opt-q1", "wave": "Q1", "value": 35},
        {**opt, "figure_id": "opt-q2", "wave": "Q2", "value": 42},
        {**opt, "figure_id": "opt-q1-man", "wave": "Q1", "group": "manufacturers", "value": 40,
         "base": 150},
        {**opt, "figure_id": "opt-q1-serv", "wave": "Q1", "group": "services", "value": 32,
         "base": 250},
        {**opt, "figure_id": "opt-q1-exp", "wave": "Q1", "group": "exporters", "value": 50},
        {**mean, "figure_id": "cond-q1", "wave": "Q1", "value": 3.4},
        {**mean, "figure_id": "cond-q2", "wave": "Q2", "value": 3.1},
        {**obst, "figure_id": "obst-q1-staff", "wave": "Q1", "category": "staff", "value": 40},
        {**obst, "figure_id": "obst-q2-staff", "wave": "Q2", "category": "staff", "value": 45},
        {**obst, "figure_id": "obst-q2-energy", "wave": "Q2", "category": "energy", "value": 38},
    ]
    heads = [
        {"headline_id": "more-optimistic", "test": "change_share",
         "figure_ids": "opt-q1;opt-q2", "direction": "greater"},
        {"headline_id": "exporters-most-optimistic", "test": "group_difference",
         "figure_ids": "opt-q1-exp;opt-q1-man", "direction": "greater"},
        {"headline_id": "manufacturers-vs-services", "test": "group_difference",
         "figure_ids": "opt-q1-man;opt-q1-serv", "direction": "greater"},
        {"headline_id": "conditions-good", "test": "mean_vs_threshold", "figure_ids": "cond-q1",
         "direction": "greater", "threshold": 3},
    ]
    groups = [{"survey": "biz", "group": "manufacturers", "relation": "partition",
               "label": "Manufacturing firms"},
              {"survey": "biz", "group": "services", "relation": "partition"},
              {"survey": "biz", "group": "exporters", "parent": "manufacturers",
               "relation": "nested"}]
    return write_folder(tmp_path / "biz", waves, figures, heads, groups)


def test_cli_report_on_a_business_barometer(tmp_path):
    folder = _business_folder(tmp_path)
    r = subprocess.run([sys.executable, "-m", "barotrend.cli", "report", "--data", str(folder),
                        "--out", "out", "--quiet"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    v = pd.read_csv(tmp_path / "out" / "verdicts.csv").set_index("headline_id")
    # 35% of 400 -> 42% of 380: pooled (159.6 + 140) / 780 = .384103,
    # z = .07 / sqrt(.384103 * .615897 * (1/380 + 1/400)) = 2.0091, p = .0445: supported
    pool = (0.42 * 380 + 0.35 * 400) / 780
    z = 0.07 / math.sqrt(pool * (1 - pool) * (1 / 380 + 1 / 400))
    assert v.loc["more-optimistic", "verdict"] == SUPPORTED
    assert v.loc["more-optimistic", "p_value"] == pytest.approx(_p_two_sided(z), rel=1e-9)
    # exporters (50%, base unknown) within the 150 manufacturers (40%: 60 of 150): the least
    # favourable subgroup is 1 of 2 exporters against 59 of the other 148 manufacturers;
    # z = (.5 - 59/148) / sqrt(.4 * .6 * (1/2 + 1/148)) = .2906, p = .771
    worst = max((_p_two_sided(_pooled_z(a, m, 60 - a, 150 - m)), m, a)
                for m in range(1, 150) for a in range(m + 1)
                if _rounds_to(a, m, 50) and 0 <= 60 - a <= 150 - m)
    assert worst[1:] == (2, 1)
    assert v.loc["exporters-most-optimistic", "verdict"] == WITHIN
    assert v.loc["exporters-most-optimistic", "p_value"] == pytest.approx(worst[0], rel=1e-9)
    # manufacturers 40% of 150 vs services 32% of 250, stated bases, a partition:
    # pooled .35, z = .08 / sqrt(.35 * .65 * (1/150 + 1/250)) = 1.6240, p = .1044
    z = 0.08 / math.sqrt(0.35 * 0.65 * (1 / 150 + 1 / 250))
    assert v.loc["manufacturers-vs-services", "verdict"] == WITHIN
    assert v.loc["manufacturers-vs-services", "p_value"] == pytest.approx(_p_two_sided(z),
                                                                          rel=1e-9)
    # 3.4 on 1-5 (at least 3.35): the largest SD is sqrt((5 - 3.35)(3.35 - 1)) = 1.9691, so a
    # base of ceil((1.96 * 1.9691 / .35)^2) = 122 or more makes it significant; 400 answered
    assert v.loc["conditions-good", "verdict"] == SUPPORTED
    assert "a base of 122 or more" in v.loc["conditions-good", "reason"]
    comp = pd.read_csv(tmp_path / "out" / "comparisons.csv")
    # the multi-response "staff" share changes 40% of 400 -> 45% of 380: pooled .424359,
    # z = .05 / sqrt(.424359 * .575641 * (1/380 + 1/400)) = 1.4122, p = .1579
    staff = comp[(comp["item"] == "obstacles") & (comp["comparison"] == "change")].iloc[0]
    pool = (0.45 * 380 + 0.40 * 400) / 780
    z = 0.05 / math.sqrt(pool * (1 - pool) * (1 / 380 + 1 / 400))
    assert staff["p_value"] == pytest.approx(_p_two_sided(z), rel=1e-9)
    groups = comp[comp["comparison"] == "groups"].set_index("group")
    assert groups.loc["manufacturers vs exporters", "p_value"] == pytest.approx(worst[0])
    # services (32% of 250: 79, 80 or 81) against exporters: disjoint (exporters lie within
    # the manufacturers), the exporters' base unknown: every size and count consistent with
    # the 60 of 150 manufacturers, least favourable over those and the services' counts
    # (difference services - exporters)
    ks = [k for k in range(251) if _rounds_to(k, 250, 32)]
    assert ks == [79, 80, 81]
    want = max(_p_two_sided(_pooled_z(k, 250, a, m)) for m in range(1, 150)
               for a in range(m + 1) for k in ks
               if _rounds_to(a, m, 50) and 0 <= 60 - a <= 150 - m)
    serv = groups.loc["services vs exporters"]
    assert serv["p_value"] == pytest.approx(want, rel=1e-9)
    assert serv["difference"] < 0 and serv["size_a"] == 250
    series = pd.read_csv(tmp_path / "out" / "series.csv")
    assert {"optimism", "conditions", "obstacles"} <= set(series["item"])


def test_cli_report_combines_the_embedded_data_with_a_users_folder(tmp_path):
    folder = _trust_ce_folder(tmp_path)
    r = subprocess.run([sys.executable, "-m", "barotrend.cli", "report", "--data",
                        datasets.DEFAULT, "--data", str(folder), "--out", "out", "--quiet"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    comp = pd.read_csv(tmp_path / "out" / "comparisons.csv")
    row = comp[(comp["survey"] == "hsj_ccg_barometer vs hsj_trust_ce_barometer")
               & (comp["wave"] == "W3 vs 2013-04")].iloc[0]
    # as in test_combined_report_compares_ccg_leaders_with_trust_chief_executives: 68% of 94
    # against 55% of 80
    pool = (0.68 * 94 + 0.55 * 80) / 174
    z = 0.13 / math.sqrt(pool * (1 - pool) * (1 / 94 + 1 / 80))
    assert row["p_value"] == pytest.approx(_p_two_sided(z), rel=1e-9)
    v = pd.read_csv(tmp_path / "out" / "verdicts.csv")
    assert v["verdict"].value_counts().to_dict() == {
        SUPPORTED: 7, WITHIN: 3, UNTESTABLE: 3, "not comparable": 1}


# -- verdicts use what a user's folder publishes, and only that ----------------------------------

def _means_folder(tmp_path):
    waves = [{"survey": "m", "wave": "W1", "wave_order": 1, "date": "2014-01",
              "respondents": 85},
             {"survey": "m", "wave": "W2", "wave_order": 2, "date": "2014-07",
              "respondents": 94},
             {"survey": "m", "wave": "W3", "wave_order": 3, "date": "2015-01",
              "respondents": 50}]
    mean = {"survey": "m", "item": "conf", "statistic": "mean", "decimals": 1,
            "scale_min": 1, "scale_max": 10, "sd_decimals": 1}
    gp = {"survey": "m", "item": "grip", "category": "too much", "group": "GP",
          "statistic": "share"}
    figures = [
        {**mean, "figure_id": "c1", "wave": "W1", "value": 6.5, "sd": 2.0},
        {**mean, "figure_id": "c2", "wave": "W2", "value": 7.2, "sd": 2.1},
        {**mean, "figure_id": "c3", "wave": "W3", "value": 3.4, "sd": 1.2, "scale_max": 5,
         "item": "cond"},
        {**gp, "figure_id": "g1", "wave": "W1", "value": 61},
        {**gp, "figure_id": "g2", "wave": "W2", "value": 75},
    ]
    heads = [{"headline_id": "conf-up", "test": "change_mean", "figure_ids": "c1;c2",
              "direction": "greater"},
             {"headline_id": "cond-good", "test": "mean_vs_threshold", "figure_ids": "c3",
              "direction": "greater", "threshold": 3},
             {"headline_id": "gp-grip-up", "test": "change_share", "figure_ids": "g1;g2",
              "direction": "greater"}]
    return write_folder(tmp_path / "means", waves, figures, heads)


def test_verdicts_use_published_sds_and_never_a_wave_base_for_a_group(tmp_path):
    from scipy import stats

    v = headline_verdicts(datasets.load(_means_folder(tmp_path))).set_index("headline_id")
    # 6.5 (SD 2.0, n 85) -> 7.2 (SD 2.1, n 94), least favourable: 6.55 -> 7.15 (d = .6) and the
    # SDs' upper ends 2.05 and 2.15: se = sqrt(2.15^2/94 + 2.05^2/85) = .314033, t = 1.9106,
    # Welch df = (v1 + v2)^2 / (v1^2/93 + v2^2/84) = 176.5, p = .0577: within sampling error
    v1, v2 = 2.15**2 / 94, 2.05**2 / 85
    t = 0.6 / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / 93 + v2**2 / 84)
    r = v.loc["conf-up"]
    assert r["verdict"] == WITHIN
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(t, df), rel=1e-9)
    # 3.4 (SD 1.2) of 50 on 1-5 against 3: least favourable 3.35 and SD 1.25,
    # t = .35 / (1.25 / sqrt(50)) = 1.9799 on 49 df, p = .0534: within sampling error
    r = v.loc["cond-good"]
    assert r["verdict"] == WITHIN
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(0.35 / (1.25 / math.sqrt(50)), 49),
                                         rel=1e-9)
    # GP shares without GP bases: the waves' 85 and 94 respondents are not the GPs' bases
    r = v.loc["gp-grip-up"]
    assert r["verdict"] == UNTESTABLE
    assert "the base of group 'GP' was not published" in r["reason"]


def test_series_of_a_mean_with_a_published_sd(tmp_path):
    from scipy import stats

    t = Tracker.from_dataset(datasets.load(_means_folder(tmp_path)))
    s = t.series("conf").set_index("wave")
    # 6.5 with SD 2.0 of 85: 6.5 +- t(84, .975) * 2 / sqrt(85)
    half = stats.t.ppf(0.975, 84) * 2.0 / math.sqrt(85)
    assert (s.loc["W1", "ci_low"], s.loc["W1", "ci_high"]) == (pytest.approx(6.5 - half),
                                                               pytest.approx(6.5 + half))
    assert "SD 2 as published" in s.loc["W1", "note"]
    # a stated sd= takes precedence, and is said to be an assumption
    s2 = t.series("conf", sd=3.0).set_index("wave")
    assert "SD 3 is a stated assumption" in s2.loc["W1", "note"]
