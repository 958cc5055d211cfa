"""The loader rejects malformed tables with errors naming file, line and column."""

import shutil

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
    ("figures.csv", 0, "scale_max", "", r"line 2, column 'scale_min': a mean needs scale_min and scale_max"),
    ("figures.csv", 9, "base", "0", r"line 11, column 'base': must be a positive whole number \(got 0\)"),
    ("figures.csv", 9, "base", "9.5", r"line 11, column 'base': expected a whole number \(got '9\.5'\)"),
    ("figures.csv", 3, "source", "", r"line 5, column 'source': a value is required"),
    ("figures.csv", 3, "source", "999_missing.txt", r"line 5, column 'source': source not listed"),
    ("figures.csv", 3, "quote", "", r"line 5, column 'quote': a value is required"),
    ("figures.csv", 2, "wave", "W9", r"line 4, column 'wave': survey/wave not in the waves table"),
    ("figures.csv", 2, "statistic", "median", r"line 4, column 'statistic': expected one of"),
    ("figures.csv", 2, "value", "ninety", r"line 4, column 'value': expected a number \(got 'ninety'\)"),
    ("figures.csv", 2, "implied", "yes", r"line 4, column 'implied': expected True or False \(got 'yes'\)"),
    ("figures.csv", 2, "decimals", "-1", r"line 4, column 'decimals': must be 0 or more"),
    ("figures.csv", 5, "value", "94.5", r"line 7, column 'value': a count must be a non-negative whole number"),
    ("figures.csv", 2, "figure_id", "ccg-w1-priority-urgent-care", r"line 4, column 'figure_id': duplicate key"),
    ("waves.csv", 2, "responding_units", "95", r"waves.csv, line 4, column 'responding_units': exceeds respondents 94 \(got 95\)"),
    ("waves.csv", 2, "population_units", "80", r"waves.csv, line 4, column 'responding_units': exceeds population_units 80"),
    ("waves.csv", 2, "date", "April 2013", r"waves.csv, line 4, column 'date': expected a date as YYYY or YYYY-MM"),
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
    with pytest.raises(DataValidationError, match=r"figures.csv: unknown column\(s\) extra"):
        datasets.read_tables(folder)


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
    _, figures, sources = datasets.read_tables(folder)
    with pytest.raises(DataValidationError, match=message):
        datasets.read_headlines(folder, figures, sources)
