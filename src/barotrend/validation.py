"""Validation of figures tables (embedded or a user's own), with errors that name file, line, column.

Tables are read as text and converted here, so that a malformed cell is reported where it is,
never coerced to NaN. Line numbers are those of the CSV file (the header is line 1).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

STATISTICS = ("share", "mean", "count", "change")
DATE_PRECISIONS = ("month", "quarter", "year")

# column -> kind; "text!" is required text, "text" optional text.
WAVES_SCHEMA = {
    "survey": "text!", "survey_label": "text!", "wave": "text!", "wave_label": "text!",
    "wave_order": "int!", "date": "date!", "date_precision": "text!", "date_inferred": "bool!",
    "date_note": "text", "population": "text!", "population_units": "int",
    "respondents": "int", "responding_units": "int", "respondent_roles": "text",
    "source": "text!", "note": "text",
}
FIGURES_SCHEMA = {
    "figure_id": "text!", "survey": "text!", "wave": "text!", "item": "text!", "concept": "text!",
    "question": "text!", "category": "text", "group": "text!", "statistic": "text!",
    "value": "float!", "decimals": "int!", "scale_min": "int", "scale_max": "int", "base": "int",
    "multi_response": "bool!", "exhaustive": "bool!", "reference_wave": "text", "implied": "bool!",
    "source": "text!", "quote": "text!", "note": "text",
}
SOURCES_SCHEMA = {"source": "text!", "title": "text!", "surveys": "text", "note": "text"}
HEADLINE_TESTS = ("mean_vs_threshold", "share_vs_threshold", "change_mean", "change_share",
                  "group_difference", "categories_same_question", "items_same_sample",
                  "cross_survey", "consistency")
DIRECTIONS = ("greater", "less", "two-sided")
HEADLINES_SCHEMA = {
    "headline_id": "text!", "source": "text!", "claim": "text!", "test": "text!",
    "figure_ids": "text!", "direction": "text!", "threshold": "float", "note": "text",
}


class DataValidationError(ValueError):
    """A figures/waves/sources table is malformed; the message names file, line and column."""


def _fail(path, line, column, problem, value=None):
    where = f"{Path(path).name}, line {line}, column {column!r}"
    shown = "" if value is None else f" (got {value!r})"
    raise DataValidationError(f"{where}: {problem}{shown}")


def _convert(raw: pd.DataFrame, path, schema: dict[str, str]) -> pd.DataFrame:
    missing = [c for c in schema if c not in raw.columns]
    if missing:
        raise DataValidationError(f"{Path(path).name}: missing column(s) {', '.join(missing)}")
    unknown = [c for c in raw.columns if c not in schema]
    if unknown:
        raise DataValidationError(f"{Path(path).name}: unknown column(s) {', '.join(unknown)}")
    out = {}
    for col, kind in schema.items():
        required = kind.endswith("!")
        kind = kind.rstrip("!")
        values = []
        for i, v in enumerate(raw[col].tolist()):
            line = i + 2
            v = v.strip()
            if v == "":
                if required:
                    _fail(path, line, col, "a value is required")
                values.append(None)
                continue
            if kind == "int":
                if not re.fullmatch(r"-?\d+", v):
                    _fail(path, line, col, "expected a whole number", v)
                values.append(int(v))
            elif kind == "float":
                try:
                    x = float(v)
                except ValueError:
                    _fail(path, line, col, "expected a number", v)
                if not np.isfinite(x):
                    _fail(path, line, col, "expected a finite number", v)
                values.append(x)
            elif kind == "bool":
                if v not in ("True", "False"):
                    _fail(path, line, col, "expected True or False", v)
                values.append(v == "True")
            elif kind == "date":
                if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", v):
                    _fail(path, line, col, "expected a date as YYYY or YYYY-MM", v)
                values.append(v)
            else:
                values.append(v)
        if kind == "int":
            out[col] = pd.array(values, dtype="Int64")
        elif kind == "float":
            out[col] = pd.array(values, dtype="float64")
        elif kind == "bool":
            out[col] = pd.array(values, dtype="boolean")
        else:
            out[col] = pd.Series([x if x is not None else "" for x in values], dtype=object)
    return pd.DataFrame(out)


def _unique(df, path, cols):
    dup = df.duplicated(cols, keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        _fail(path, i + 2, cols[-1], "duplicate key " + "/".join(cols),
              "/".join(str(df.iloc[i][c]) for c in cols))


def validate_sources(raw: pd.DataFrame, path) -> pd.DataFrame:
    """Convert and check a sources table (one row per article)."""
    df = _convert(raw, path, SOURCES_SCHEMA)
    _unique(df, path, ["source"])
    return df


def validate_waves(raw: pd.DataFrame, path) -> pd.DataFrame:
    """Convert and check a waves table: types, unique survey/wave, coherent counts."""
    df = _convert(raw, path, WAVES_SCHEMA)
    _unique(df, path, ["survey", "wave"])
    for i, r in df.iterrows():
        line = i + 2
        if r["date_precision"] not in DATE_PRECISIONS:
            _fail(path, line, "date_precision", f"expected one of {DATE_PRECISIONS}",
                  r["date_precision"])
        if r["wave_order"] < 1:
            _fail(path, line, "wave_order", "must be 1 or more", int(r["wave_order"]))
        for c in ("population_units", "respondents", "responding_units"):
            if pd.notna(r[c]) and r[c] <= 0:
                _fail(path, line, c, "must be a positive whole number", int(r[c]))
        ru, pu, n = r["responding_units"], r["population_units"], r["respondents"]
        if pd.notna(ru) and pd.notna(pu) and ru > pu:
            _fail(path, line, "responding_units", f"exceeds population_units {pu}", int(ru))
        if pd.notna(ru) and pd.notna(n) and ru > n:
            _fail(path, line, "responding_units", f"exceeds respondents {n}", int(ru))
    _unique(df, path, ["survey", "wave_order"])
    return df


def validate_figures(raw: pd.DataFrame, path, waves: pd.DataFrame,
                     sources: pd.DataFrame) -> pd.DataFrame:
    """Convert and check a figures table against its waves and sources tables.

    Checks: known columns and types; unique ``figure_id``; survey/wave present in the waves
    table; statistic one of share, mean, count, change; shares within 0-100; means within their
    scale (``scale_min`` < ``scale_max`` required for means); counts non-negative whole numbers;
    bases positive; change rows name an existing ``reference_wave``; every source listed.
    """
    df = _convert(raw, path, FIGURES_SCHEMA)
    _unique(df, path, ["figure_id"])
    known_waves = set(zip(waves["survey"], waves["wave"], strict=True))
    known_sources = set(sources["source"])
    for i, r in df.iterrows():
        line = i + 2
        stat, v = r["statistic"], r["value"]
        if (r["survey"], r["wave"]) not in known_waves:
            _fail(path, line, "wave", f"survey/wave not in the waves table for {r['survey']!r}",
                  r["wave"])
        if r["source"] not in known_sources:
            _fail(path, line, "source", "source not listed in sources.csv", r["source"])
        if stat not in STATISTICS:
            _fail(path, line, "statistic", f"expected one of {STATISTICS}", stat)
        if r["decimals"] < 0:
            _fail(path, line, "decimals", "must be 0 or more", int(r["decimals"]))
        if pd.notna(r["base"]) and r["base"] <= 0:
            _fail(path, line, "base", "must be a positive whole number", int(r["base"]))
        if stat == "share" and not 0 <= v <= 100:
            _fail(path, line, "value", "a share (percent) must lie within 0-100", v)
        if stat == "count" and (v < 0 or v != int(v)):
            _fail(path, line, "value", "a count must be a non-negative whole number", v)
        if stat == "mean":
            lo, hi = r["scale_min"], r["scale_max"]
            if pd.isna(lo) or pd.isna(hi):
                _fail(path, line, "scale_min", "a mean needs scale_min and scale_max")
            if lo >= hi:
                _fail(path, line, "scale_max", f"must exceed scale_min {lo}", int(hi))
            if not lo <= v <= hi:
                _fail(path, line, "value", f"a mean must lie within its scale {lo}-{hi}", v)
        if stat == "change":
            ref = r["reference_wave"]
            if (r["survey"], ref) not in known_waves:
                _fail(path, line, "reference_wave", "a change needs an existing reference_wave",
                      ref)
        elif r["reference_wave"]:
            _fail(path, line, "reference_wave", "only change rows take a reference_wave",
                  r["reference_wave"])
    return df


def validate_headlines(raw: pd.DataFrame, path, figures: pd.DataFrame,
                       sources: pd.DataFrame) -> pd.DataFrame:
    """Convert and check a headlines table: each claim names a known test and existing figures."""
    df = _convert(raw, path, HEADLINES_SCHEMA)
    _unique(df, path, ["headline_id"])
    known = set(figures["figure_id"])
    for i, r in df.iterrows():
        line = i + 2
        if r["source"] not in set(sources["source"]):
            _fail(path, line, "source", "source not listed in sources.csv", r["source"])
        if r["test"] not in HEADLINE_TESTS:
            _fail(path, line, "test", f"expected one of {HEADLINE_TESTS}", r["test"])
        if r["direction"] not in DIRECTIONS:
            _fail(path, line, "direction", f"expected one of {DIRECTIONS}", r["direction"])
        for fid in r["figure_ids"].split(";"):
            if fid not in known:
                _fail(path, line, "figure_ids", "figure not in figures.csv", fid)
        if r["test"].endswith("_vs_threshold") and pd.isna(r["threshold"]):
            _fail(path, line, "threshold", f"test {r['test']!r} needs a threshold")
    return df
