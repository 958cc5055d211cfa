"""The loader rejects malformed tables with errors naming file, line and column."""

import shutil

import numpy as np
import pandas as pd
import pytest

from barotrend import datasets
from barotrend.validation import DataValidationError


@pytest.fixture
def folder(tmp_path):
    for name in ("waves.csv", "figures.csv", "sources.csv"):
        shutil.copy(datasets.data_dir() / name, tmp_path / name)
    return tmp_path


def _edit(folder, name, figure_row, column, value):
    """Set one cell (0-based data row) of a CSV, keeping every other cell as text."""
    path = folder / name
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[figure_row, column] = value
    df.to_csv(path, index=False)


def test_copy_of_embedded_data_is_valid(folder):
    waves, figures, sources = datasets.read_tables(folder)
    assert len(figures) == len(datasets.load().figures)


# (file, row, column, new value, expected message fragment); line = row + 2
BROKEN = [
    ("figures.csv", 1, "value", "120", r"figures.csv, line 3, column 'value': a share .* 0-100 \(got 120.0\)"),
    ("figures.csv", 1, "value", "-1", r"line 3, column 'value': a share"),
    ("figures.csv", 0, "value", "10.5", r"line 2, column 'value': a mean must lie within its scale 1-10 \(got 10.5\)"),
    ("figures.csv", 0, "scale_min", "10", r"line 2, column 'scale_max': must exceed scale_min 10"),
    ("figures.csv", 0, "scale_max", "", r"line 2, column 'scale_max': a mean needs scale_min and scale_max"),
    ("figures.csv", 9, "base", "0", r"line 11, column 'base': must be a positive whole number \(got 0\)"),
    ("figures.csv", 9, "base", "9.5", r"line 11, column 'base': expected a whole number \(got '9\.5'\)"),
    ("figures.csv", 3, "source", "", r"line 5, column 'source': a value is required"),
    ("figures.csv", 3, "source", "999_missing.txt", r"line 5, column 'source': source not listed"),
    ("figures.csv", 3, "quote", "", r"line 5, column 'quote': a value is required"),
    ("figures.csv", 2, "wave", "W9", r"line 4, column 'wave': survey/wave not in the waves table"),
    ("figures.csv", 2, "statistic", "median", r"line 4, column 'statistic': expected one of"),
    ("figures.csv", 2, "value", "ninety", r"line 4, column 'value': expected a number \(got 'ninety'\)"),
    ("figures.csv", 2, "implied", "maybe", r"line 4, column 'implied': expected True or False .*\(got 'maybe'\)"),
    ("figures.csv", 2, "decimals", "-1", r"line 4, column 'decimals': must be 0 to 10 \(got -1\)"),
    ("figures.csv", 5, "value", "94.5", r"line 7, column 'value': value 94.5 has more decimals than the stated decimals=0"),
    ("figures.csv", 5, "value", "-94", r"line 7, column 'value': a count must be a non-negative whole number"),
    ("figures.csv", 1, "value", "73.7", r"figures.csv, line 3, column 'value': value 73.7 has more decimals than the stated decimals=0"),
    ("figures.csv", 1, "value", "0.45", r"line 3, column 'value': value 0.45 has more decimals .* looks like a proportion"),
    ("figures.csv", 1, "value", "91,5", r"line 3, column 'value': expected a number; write the decimal separator as a point"),
    ("figures.csv", 1, "value", "91%", r"line 3, column 'value': expected a number; write shares in percent without the % sign"),
    ("figures.csv", 1, "base", "1" * 30, r"line 3, column 'base': expected a whole number of at most 15 digits"),
    ("figures.csv", 1, "multi_response", "", r"line 3, column 'multi_response': a value is required"),
    ("figures.csv", 1, "multi_response", "no", r"line 4, column 'multi_response': the shares of one question disagree on multi_response \(.*line 3 says False\) \(got True\)"),
    ("figures.csv", 1, "reference_wave", "W2", r"line 3, column 'reference_wave': only change rows take a reference_wave"),
    ("figures.csv", 0, "sd", "-1", r"line 2, column 'sd': an SD cannot be negative"),
    ("figures.csv", 1, "sd", "3", r"line 3, column 'sd': only means take an sd"),
    ("figures.csv", 3, "population", "x", r"figures.csv: column\(s\) population belong to the waves table"),
    ("figures.csv", 2, "figure_id", "ccg-w1-priority-urgent-care", r"line 4, column 'figure_id': duplicate figure_id 'ccg-w1-priority-urgent-care', already at .*figures.csv, line 3"),
    ("figures.csv", 2, "category", "urgent and emergency care", r"line 4, column 'reference_wave': duplicate figure \(survey, wave, item, category, group, statistic, reference_wave\) .*already at .*line 3"),
    ("waves.csv", 2, "responding_units", "95", r"waves.csv, line 4, column 'responding_units': exceeds respondents 94 \(got 95\)"),
    ("waves.csv", 2, "population_units", "80", r"waves.csv, line 4, column 'responding_units': exceeds population_units 80"),
    ("waves.csv", 2, "date", "2013-13", r"waves.csv, line 4, column 'date': month 13 does not exist"),
    ("waves.csv", 2, "date", "Spring 2013", r"waves.csv, line 4, column 'date': 'Spring' is not a month name; expected a date as YYYY, YYYY-MM, YYYY-Qn"),
    ("waves.csv", 2, "date", "13/04/2013", r"waves.csv, line 4, column 'date': expected a date as YYYY, YYYY-MM, YYYY-Qn"),
    ("waves.csv", 2, "date", "2013-05", r"waves.csv, line 4, column 'date': at quarter precision the date is the quarter's first month"),
    ("waves.csv", 0, "date", "2012", r"waves.csv, line 2, column 'date_precision': the date 2012 gives only a year"),
    ("waves.csv", 0, "date", "2012-Q4", r"waves.csv, line 2, column 'date_precision': the date 2012-Q4 is a quarter"),
    ("waves.csv", 0, "date_precision", "weekly", r"waves.csv, line 2, column 'date_precision': expected one of"),
    ("waves.csv", 1, "wave_order", "1", r"waves.csv, line 3, column 'wave_order': duplicate survey/wave_order 'hsj_ccg_barometer/1', already at .*waves.csv, line 2"),
    ("waves.csv", 1, "wave", "W1", r"waves.csv, line 3, column 'wave': duplicate survey/wave"),
    ("waves.csv", 1, "source", "nope.txt", r"waves.csv, line 3, column 'source': source not listed in sources.csv \(got 'nope.txt'\)"),
    ("waves.csv", 1, "respondents", "-85", r"waves.csv, line 3, column 'respondents': must be a positive"),
    ("sources.csv", 1, "title", "", r"sources.csv, line 3, column 'title': a value is required"),
]


@pytest.mark.parametrize(("name", "row", "column", "value", "message"), BROKEN)
def test_broken_cell_is_named(folder, name, row, column, value, message):
    _edit(folder, name, row, column, value)
    with pytest.raises(DataValidationError, match=message):
        datasets.read_tables(folder)


def test_change_row_needs_reference_wave(folder):
    df = pd.read_csv(folder / "figures.csv", dtype=str, keep_default_na=False)
    row = int(df.index[df["statistic"] == "change"][0])
    _edit(folder, "figures.csv", row, "reference_wave", "W7")
    with pytest.raises(DataValidationError, match=rf"line {row + 2}, column 'reference_wave'"):
        datasets.read_tables(folder)


def test_missing_and_unknown_columns(folder):
    df = pd.read_csv(folder / "figures.csv", dtype=str, keep_default_na=False)
    df.drop(columns="quote").to_csv(folder / "figures.csv", index=False)
    with pytest.raises(DataValidationError, match=r"figures.csv: missing column\(s\) quote"):
        datasets.read_tables(folder)
    df.assign(extra="x").to_csv(folder / "figures.csv", index=False)
    d = datasets.load(folder)  # an extra column is kept and noted, not refused
    assert d.figures["extra"].eq("x").all()
    assert any("figures.csv: column(s) extra are not part of the format; kept" in n
               for n in d.notes)


def test_missing_file(folder):
    (folder / "waves.csv").unlink()
    with pytest.raises(DataValidationError, match="waves.csv: file not found"):
        datasets.read_tables(folder)


def test_loaded_dtypes():
    f = datasets.load().figures
    assert f["value"].dtype == "float64"
    assert str(f["base"].dtype) == "Int64"
    assert str(f["implied"].dtype) == "boolean"
    assert f["quote"].map(len).min() > 0


def test_headlines_load_and_quote_their_articles():
    d = datasets.load()
    assert len(d.headlines) == 14
    assert set(d.headlines["source"]) <= set(d.sources["source"])
    ccg = datasets.load("hsj_ccg_barometer").headlines
    # the cross-survey and NHSCC headlines need figures outside the CCG barometer
    assert "h000-contrast-trust-ces" not in set(ccg["headline_id"])
    assert "h001-area-team-drop" in set(ccg["headline_id"])


@pytest.mark.parametrize(("column", "value", "message"), [
    ("test", "vibes", r"headlines.csv, line 2, column 'test': expected one of"),
    ("figure_ids", "ccg-w1-nope", r"line 2, column 'figure_ids': figure not in figures.csv \(got 'ccg-w1-nope'\)"),
    ("threshold", "", r"line 2, column 'threshold': test 'mean_vs_threshold' needs a threshold"),
    ("direction", "up", r"line 2, column 'direction': expected one of"),
])
def test_broken_headline_is_named(folder, column, value, message):
    shutil.copy(datasets.data_dir() / "headlines.csv", folder / "headlines.csv")
    _edit(folder, "headlines.csv", 0, column, value)
    with pytest.raises(DataValidationError, match=message):
        datasets.load(folder)


# -- groups.csv -----------------------------------------------------------------------------------
def test_embedded_groups_partition_gp_and_non_gp():
    g = datasets.load().groups
    assert g[["survey", "wave", "group", "parent", "relation"]].values.tolist() == [
        ["hsj_ccg_barometer", "W2", "GP", "all", "partition"],
        ["hsj_ccg_barometer", "W2", "non-GP", "all", "partition"]]
    # every group the embedded figures use (other than all) has its relation stated
    f = datasets.load().figures
    assert set(f.loc[f["group"] != "all", "group"]) == set(g["group"])


def test_no_groups_file_gives_empty_table_with_columns(folder):
    g = datasets.load(folder).groups
    assert len(g) == 0
    assert list(g.columns) == ["survey", "wave", "group", "parent", "relation", "label"]


GROUP_ROWS = "survey,wave,group,parent,relation,label\n"
GP = "hsj_ccg_barometer,W2,GP,,partition,GPs\n"


@pytest.mark.parametrize(("rows", "message"), [
    (GP.replace("partition", "overlaps"), r"groups.csv, line 2, column 'relation': expected one of \('partition', 'disjoint', 'nested'\) \(got 'overlaps'\)"),
    (GP.replace(",GP,", ",all,"), r"line 2, column 'group': 'all' is every respondent"),
    (GP.replace(",GP,", ",nurses,"), r"line 2, column 'group': no figure of survey 'hsj_ccg_barometer' has this group \(got 'nurses'\)"),
    (GP.replace(",,", ",chairs,"), r"line 2, column 'parent': the parent must be 'all' or a group of survey"),
    (GP.replace(",W2,", ",W9,"), r"line 2, column 'wave': survey/wave not in the waves table"),
    (GP.replace("hsj_ccg_barometer", "nope"), r"line 2, column 'survey': survey not in the waves table"),
    (GP + GP.replace("partition", "nested"), r"line 3, column 'relation': group 'GP' of hsj_ccg_barometer/W2 is already stated at .*groups.csv, line 2 as partition within 'all'"),
    (GP.replace(",,", ",non-GP,") + "hsj_ccg_barometer,W2,non-GP,GP,nested,x\n", r"column 'parent': the parents come back to the group: GP within non-GP within GP"),
    (GP.replace(",,", ",GP,"), r"line 2, column 'parent': a group cannot lie within itself"),
])
def test_broken_groups_are_named(folder, rows, message):
    (folder / "groups.csv").write_text(GROUP_ROWS + rows, encoding="utf-8")
    with pytest.raises(DataValidationError, match=message):
        datasets.load(folder)


def test_groups_identical_rows_kept_once_and_blank_parent_is_all(folder):
    (folder / "groups.csv").write_text(GROUP_ROWS + GP + GP, encoding="utf-8")
    g = datasets.load(folder).groups
    assert len(g) == 1 and g["parent"].tolist() == ["all"]


# -- the Tracker validates its frames as the loader validates files -----------------------------
def _frames():
    waves = pd.DataFrame({"survey": "s", "wave": ["A", "B"], "wave_order": [1, 2],
                          "date": ["2013-01", "2013-07"], "respondents": [100, 120]})
    figures = pd.DataFrame({"survey": "s", "wave": ["A", "B"], "item": "q",
                            "statistic": "share", "value": [40.0, 50.0]})
    return figures, waves


@pytest.mark.parametrize(("bases", "message"), [
    ({"A": 0.5}, r"assumed_bases\['A'\]: a base is a positive whole number of respondents \(got 0.5\)"),
    ({"A": -5}, r"assumed_bases\['A'\]: .* \(got -5\)"),
    ({"A": 80.5}, r"assumed_bases\['A'\]: .* \(got 80.5\)"),
    ({"A": True}, r"assumed_bases\['A'\]: .* \(got True\)"),
    ({"A": "80"}, r"assumed_bases\['A'\]: .* \(got '80'\)"),
    ({"Z": 80}, r"assumed_bases: key 'Z' is not a wave"),
    ({("t", "A"): 80}, r"assumed_bases: key \('t', 'A'\) is not a wave"),
])
def test_tracker_refuses_bad_assumed_bases(bases, message):
    from barotrend import Tracker

    figures, waves = _frames()
    with pytest.raises(DataValidationError, match=message):
        Tracker(figures, waves, assumed_bases=bases)


def test_tracker_accepts_whole_assumed_bases():
    from barotrend import Tracker

    figures, waves = _frames()
    t = Tracker(figures, waves, assumed_bases={"A": 80.0, ("s", "B"): 90})
    assert t.assumed_bases == {"A": 80, ("s", "B"): 90}


@pytest.mark.parametrize(("table", "column", "value", "message"), [
    ("waves", "date", "2013-13", r"waves \(DataFrame\), row 1, column 'date': month 13 does not exist"),
    ("waves", "date", "Oct 20122", r"waves \(DataFrame\), row 1, column 'date': expected a date as YYYY, YYYY-MM, YYYY-Qn"),
    ("waves", "wave_order", 1.5, r"waves \(DataFrame\), row 1, column 'wave_order': expected a whole number \(got 1.5\)"),
    ("waves", "respondents", -5, r"waves \(DataFrame\), row 1, column 'respondents': must be a positive whole number \(got -5\)"),
    ("figures", "value", -5.0, r"figures \(DataFrame\), row 1, column 'value': a share \(percent\) must lie within 0-100 \(got -5.0\)"),
    ("figures", "value", np.nan, r"figures \(DataFrame\), row 1, column 'value': a value is required"),
    ("figures", "statistic", "median", r"figures \(DataFrame\), row 1, column 'statistic': expected one of"),
    ("figures", "wave", "C", r"figures \(DataFrame\), row 1, column 'wave': survey/wave not in the waves table"),
])
def test_tracker_frames_are_validated(table, column, value, message):
    from barotrend import Tracker

    frames = dict(zip(("figures", "waves"), _frames(), strict=True))
    frames[table] = frames[table].astype(object)  # a cell of any type, as users build them
    frames[table].loc[1, column] = value
    with pytest.raises(DataValidationError, match=message):
        Tracker(frames["figures"], frames["waves"])


def test_tracker_reads_spelled_out_dates_and_does_not_touch_the_frames():
    from barotrend import Tracker

    figures, waves = _frames()
    waves["date"] = ["Jan 2013", "2013-Q3"]
    waves["date_precision"] = ["month", "quarter"]
    before = waves.copy()
    t = Tracker(figures, waves)
    assert t.waves["date"].tolist() == ["2013-01", "2013-07"]
    # quarter Q3 2013 is placed at its middle: 2013 + 7.5/12
    assert t.waves["date_value"].tolist()[1] == pytest.approx(2013 + 7.5 / 12)
    pd.testing.assert_frame_equal(waves, before)


def test_tracker_quarter_date_without_a_precision_column_is_a_quarter():
    from barotrend import Tracker

    figures, waves = _frames()
    waves["date"] = ["2013-Q1", "2013-Q3"]
    t = Tracker(figures, waves)
    assert t.waves["date_precision"].tolist() == ["quarter", "quarter"]
    # the middle of Q3 2013 is mid-August: 2013 + 7.5/12 (not mid-July, 2013 + 6.5/12)
    assert t.waves["date_value"].tolist() == pytest.approx([2013 + 1.5 / 12, 2013 + 7.5 / 12])


def test_tracker_duplicated_row_names_the_key():
    from barotrend import Tracker

    figures, waves = _frames()
    doubled = pd.concat([figures, figures.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataValidationError, match=r"figures \(DataFrame\), row 2, column "
                       r"'statistic': duplicate figure \(survey, wave, item, statistic\) "
                       r"'s/A/q/share', already at figures \(DataFrame\), row 0"):
        Tracker(doubled, waves)
    with pytest.raises(DataValidationError, match=r"waves \(DataFrame\), row at position 2, "
                       r"column 'wave': duplicate survey/wave 's/A'"):
        Tracker(figures, pd.concat([waves, waves.iloc[[0]]]))


def test_concat_of_two_figure_tables_names_the_repeated_ids():
    # issue 11 item 8: pd.concat of two figure tables repeating ids, then from_figures, raised
    # pandas' MergeError; now a validation error naming the ids
    from barotrend import Tracker

    d = datasets.load()
    both = pd.concat([d.figures, d.figures.iloc[:8]])
    with pytest.raises(DataValidationError, match=r"row at position 40, column 'figure_id': "
                       r"duplicate figure_id 'ccg-w1-detect-care-failure-mean', already at "
                       r"figures \(DataFrame\), row at position 0; also repeated: "
                       r"'ccg-w1-priority-urgent-care', .* and 2 more"):
        Tracker.from_figures(both, d.waves)
    with pytest.raises(DataValidationError, match=r"duplicate survey/wave 'hsj_ccg_barometer/W1'"):
        Tracker.from_figures(d.figures, pd.concat([d.waves, d.waves]))
