"""Validation of figures tables (files, workbooks or DataFrames), with errors naming file, row, column.

Every table is converted here cell by cell, so that a malformed cell is reported where it is,
never coerced to NaN. :class:`Where` says where a table comes from: ``figures.csv, line 5`` for a
CSV file (the header is line 1), ``book.xlsx, sheet 'figures', row 5`` for a workbook,
``figures (DataFrame), row 3`` (the index label) for a DataFrame. :func:`validate_tables`
checks a set of tables against each other (the one entry point of files, workbooks, combined
data sets and :class:`~barotrend.tracker.Tracker` frames); problems that do not make a table
wrong (extra columns kept, shares that look like proportions) are returned as notes.

The columns of every table, their kinds and whether they are required are in :data:`SCHEMAS`;
``docs/FORMAT.md`` documents each of them.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from barotrend.cells import CellError, is_blank, parse_date, to_bool, to_float, to_int
from barotrend.cells import text as _text
from barotrend.figures.exact import exact_value

STATISTICS = ("share", "mean", "count", "change")
DATE_PRECISIONS = ("month", "quarter", "year")
RELATIONS = ("partition", "disjoint", "nested")

# column -> kind; a trailing "!" marks a required column (present, every cell filled).
WAVES_SCHEMA = {
    "survey": "text!", "survey_label": "text", "wave": "text!", "wave_label": "text",
    "wave_order": "int!", "date": "date!", "date_precision": "text", "date_inferred": "bool",
    "date_note": "text", "population": "text!", "population_units": "int",
    "respondents": "int", "responding_units": "int", "respondent_roles": "text",
    "source": "text!", "note": "text",
}
FIGURES_SCHEMA = {
    "figure_id": "text!", "survey": "text!", "wave": "text!", "item": "text!", "concept": "text",
    "question": "text!", "category": "text", "group": "text", "statistic": "text!",
    "value": "float!", "decimals": "int!", "scale_min": "int", "scale_max": "int", "base": "int",
    "multi_response": "bool!", "exhaustive": "bool!", "reference_wave": "text", "implied": "bool",
    "sd": "float", "sd_decimals": "int", "source": "text!", "quote": "text!", "note": "text",
    "label": "text",
}
SOURCES_SCHEMA = {"source": "text!", "title": "text!", "surveys": "text", "note": "text"}
HEADLINE_TESTS = ("mean_vs_threshold", "share_vs_threshold", "change_mean", "change_share",
                  "group_difference", "categories_same_question", "items_same_sample",
                  "cross_survey", "consistency")
#: test -> (number of figures, statistics allowed or None for any)
TEST_FIGURES = {
    "share_vs_threshold": (1, ("share",)), "mean_vs_threshold": (1, ("mean",)),
    "change_mean": (2, ("mean",)), "change_share": (2, ("share",)),
    "group_difference": (2, ("share",)), "categories_same_question": (2, ("share",)),
    "items_same_sample": (2, ("share",)), "cross_survey": (2, None),
    "consistency": (1, ("share",)),
}
DIRECTIONS = ("greater", "less", "two-sided")
HEADLINES_SCHEMA = {
    "headline_id": "text!", "source": "text!", "claim": "text!", "test": "text!",
    "figure_ids": "text!", "direction": "text!", "threshold": "float", "note": "text",
}
GROUPS_SCHEMA = {"survey": "text!", "wave": "text", "group": "text!", "parent": "text",
                 "relation": "text!", "label": "text"}
SCHEMAS = {"sources": SOURCES_SCHEMA, "waves": WAVES_SCHEMA, "figures": FIGURES_SCHEMA,
           "headlines": HEADLINES_SCHEMA, "groups": GROUPS_SCHEMA}
#: Tables a data set must have; headlines and groups are optional.
REQUIRED_TABLES = ("waves", "figures", "sources")
#: Columns a DataFrame given to the Tracker must have (the others take their defaults).
FRAME_CORE = {"figures": ("survey", "wave", "item", "statistic", "value"),
              "waves": ("survey", "wave", "wave_order", "date"), "groups": ("survey", "group",
                                                                          "relation")}
#: Figure columns that would hide a wave column when figures are joined to their waves.
_WAVE_ONLY = ("wave_label", "wave_order", "date_value", "population", "population_units",
              "respondents", "responding_units", "scale")
#: Columns whose values are keywords of the format, read in any case.
_KEYWORDS = {"figures": ("statistic",), "waves": ("date_precision",),
             "headlines": ("test", "direction"), "groups": ("relation",)}
FIGURE_KEY = ["survey", "wave", "item", "category", "group", "statistic", "reference_wave"]


class DataValidationError(ValueError):
    """A figures/waves/sources/headlines/groups table is malformed; the message says where."""


@dataclass(frozen=True)
class Where:
    """Where a table comes from: ``name`` for the whole table, ``rows[i]`` for its row ``i``."""

    name: str
    rows: tuple[str, ...] = ()

    def at(self, i: int | None) -> str:
        return self.name if i is None or i >= len(self.rows) else self.rows[i]

    @classmethod
    def frame(cls, name: str, df: pd.DataFrame) -> Where:
        """A DataFrame: rows named by their index label (by position if labels repeat)."""
        if not df.index.is_unique:
            return cls(name, tuple(f"{name}, row at position {i}" for i in range(len(df))))
        return cls(name, tuple(f"{name}, row {label!r}" if isinstance(label, str)
                               else f"{name}, row {label}" for label in df.index))

    @classmethod
    def numbered(cls, name: str, numbers_: list[int], unit: str = "line") -> Where:
        """A file: rows named by their line (or sheet row) number."""
        return cls(name, tuple(f"{name}, {unit} {n}" for n in numbers_))


def _fail(where: Where, i, column, problem, value=None):
    col = "" if column is None else f", column {column!r}"
    shown = "" if value is None else f" (got {_clipped(repr(_shown(value)))})"
    raise DataValidationError(f"{where.at(i)}{col}: {problem}{shown}")


def _clipped(text: str, width: int = 80) -> str:
    return text if len(text) <= width else f"{text[:width - 20]}... ({len(text)} characters)"


_CONVERT = {"int": to_int, "float": to_float, "bool": to_bool}


def _convert(raw: pd.DataFrame, where: Where, table: str, frame: bool,
             notes: list[str]) -> pd.DataFrame:
    """Cells to typed columns. Files: every required column present, optional ones added empty.
    Frames: the core columns present; the others checked when present, not added."""
    schema = SCHEMAS[table]
    columns = [str(c).strip() for c in raw.columns]
    lower = {c.lower(): c for c in schema}
    columns = [c if c in schema else lower.get(c.lower(), c) for c in columns]
    seen = set()
    for c in columns:
        if c in seen:
            _fail(where, None, c, "the column appears twice in the header")
        seen.add(c)
    raw = raw.set_axis(columns, axis=1)
    need = FRAME_CORE.get(table, ()) if frame else [c for c, k in schema.items()
                                                   if k.endswith("!")]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise DataValidationError(f"{where.name}: missing column(s) {', '.join(missing)}")
    extra = [c for c in raw.columns if c not in schema]
    if table == "figures":
        clash = [c for c in extra if c in _WAVE_ONLY]
        if clash:
            raise DataValidationError(
                f"{where.name}: column(s) {', '.join(clash)} belong to the waves table (each "
                "figure takes them from its wave); remove or rename them")
    if extra and not frame:
        notes.append(f"{where.name}: column(s) {', '.join(extra)} are not part of the format; "
                     "kept as they are and not used")
    out = {}
    for col, kind in schema.items():
        required = kind.endswith("!") and not frame
        kind = kind.rstrip("!")
        if col not in raw.columns:
            if frame:
                continue
            cells = [None] * len(raw)
        else:
            cells = raw[col].tolist()
        values = []
        for i, v in enumerate(cells):
            if is_blank(v):
                if required or (frame and col in FRAME_CORE.get(table, ())):
                    _fail(where, i, col, "a value is required")
                values.append(None)
                continue
            try:
                values.append(_CONVERT[kind](v) if kind in _CONVERT else
                              v if kind == "date" else _text(v))
            except CellError as bad:
                _fail(where, i, col, str(bad), v if isinstance(v, str) else _shown(v))
        if kind == "int":
            out[col] = pd.array(values, dtype="Int64")
        elif kind == "float":
            out[col] = pd.array([np.nan if x is None else x for x in values], dtype="float64")
        elif kind == "bool":
            out[col] = pd.array(values, dtype="boolean")
        else:
            out[col] = pd.Series(["" if x is None else x for x in values], dtype=object)
    df = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))
    for c in _KEYWORDS.get(table, ()):
        if c in df.columns:  # a keyword in any case: Share, MEAN, Partition
            df[c] = df[c].map(str.lower)
    for c in extra:
        df[c] = raw[c].to_numpy()
    return df


def _shown(v):
    return v.item() if isinstance(v, np.generic) else v


def _dupes(df: pd.DataFrame, where: Where, cols: list[str], what: str | None = None):
    """Error on the first repeated key, naming both rows (and the other repeated keys)."""
    first: dict[tuple, int] = {}
    repeated: list[tuple[int, tuple]] = []
    for i, k in enumerate(df[cols].astype(str).itertuples(index=False, name=None)):
        if k in first:
            repeated.append((i, k))
        else:
            first[k] = i
    if repeated:
        i, k = repeated[0]
        others = [x for x in dict.fromkeys("/".join(x) for _, x in repeated[1:])
                  if x != "/".join(k)]
        more = "" if not others else (f"; also repeated: {', '.join(map(repr, others[:5]))}"
                                      + (f" and {len(others) - 5} more" if len(others) > 5 else ""))
        _fail(where, i, cols[-1], f"duplicate {what or '/'.join(cols)} {'/'.join(k)!r}, "
              f"already at {where.at(first[k])}{more}")


# -- tables -------------------------------------------------------------------------------------
def validate_sources(raw: pd.DataFrame, where: Where, *, frame: bool = False,
                     notes: list[str] | None = None) -> pd.DataFrame:
    """Convert and check a sources table (one row per article)."""
    df = _convert(raw, where, "sources", frame, [] if notes is None else notes)
    _dupes(df, where, ["source"])
    return df


def validate_waves(raw: pd.DataFrame, where: Where, sources: pd.DataFrame | None = None, *,
                   frame: bool = False, notes: list[str] | None = None,
                   partial: bool = False) -> pd.DataFrame:
    """Convert and check a waves table: types, dates, unique survey/wave and survey/wave_order,
    coherent counts, sources listed."""
    df = _convert(raw, where, "waves", frame, [] if notes is None else notes)
    dates, precisions = [], []
    has_precision = "date_precision" in df.columns
    for i in range(len(df)):
        try:
            date, stated = parse_date(df["date"].iat[i])
        except CellError as bad:
            _fail(where, i, "date", str(bad), _shown(df["date"].iat[i]))
        p = df["date_precision"].iat[i] if has_precision else ""
        if p == "":
            p = stated
        elif p not in DATE_PRECISIONS:
            _fail(where, i, "date_precision", f"expected one of {DATE_PRECISIONS}", p)
        if stated == "year" and p != "year":
            _fail(where, i, "date_precision", f"the date {date} gives only a year: expected "
                  "'year' (or a month or quarter in the date)", p)
        if stated == "quarter" and p == "month":
            _fail(where, i, "date_precision", f"the date {df['date'].iat[i]} is a quarter: "
                  "expected 'quarter'", p)
        if p == "quarter" and int(date[5:]) not in (1, 4, 7, 10):
            _fail(where, i, "date", "at quarter precision the date is the quarter's first month "
                  "(YYYY-01, -04, -07, -10) or YYYY-Qn", _shown(df["date"].iat[i]))
        dates.append(date)
        precisions.append(p)
    df["date"] = pd.Series(dates, dtype=object)
    df["date_precision"] = pd.Series(precisions, dtype=object)  # stated, or what the date says
    for col, default in (("survey_label", "survey"), ("wave_label", "wave")):
        if col in df.columns:
            df[col] = df[col].where(df[col] != "", df[default])
    if "date_inferred" in df.columns and not frame:
        df["date_inferred"] = df["date_inferred"].fillna(False)
    _dupes(df, where, ["survey", "wave"])
    _dupes(df, where, ["survey", "wave_order"])
    for i, r in enumerate(df.to_dict("records")):
        if r["wave_order"] < 1:
            _fail(where, i, "wave_order", "must be 1 or more", int(r["wave_order"]))
        for c in ("population_units", "respondents", "responding_units"):
            if c in df.columns and pd.notna(r[c]) and r[c] <= 0:
                _fail(where, i, c, "must be a positive whole number", int(r[c]))
        ru, pu, n = (r.get(c, pd.NA) for c in ("responding_units", "population_units",
                                               "respondents"))
        if pd.notna(ru) and pd.notna(pu) and ru > pu:
            _fail(where, i, "responding_units", f"exceeds population_units {pu}", int(ru))
        if pd.notna(ru) and pd.notna(n) and ru > n:
            _fail(where, i, "responding_units", f"exceeds respondents {n}", int(ru))
        if sources is not None and "source" in df.columns and not partial:
            for s in _split(r["source"]):
                if s not in set(sources["source"]):
                    _fail(where, i, "source", "source not listed in sources.csv", s)
    return df


def validate_figures(raw: pd.DataFrame, where: Where, waves: pd.DataFrame,
                     sources: pd.DataFrame | None = None, *, frame: bool = False,
                     notes: list[str] | None = None, partial: bool = False) -> pd.DataFrame:
    """Convert and check a figures table against its waves and sources tables.

    Checks: known columns and types; unique ``figure_id`` and unique figure (survey, wave, item,
    category, group, statistic, reference wave); survey/wave present in the waves table;
    statistic one of share, mean, count, change; no more decimals than ``decimals`` states;
    shares within 0-100; means within their scale (``scale_min`` < ``scale_max`` required for
    means); counts non-negative whole numbers; bases positive; change rows name an existing
    ``reference_wave``; the figures of one question agree on ``multi_response`` and
    ``exhaustive``; every source listed. Shares of a question that are all at most 1 are noted
    as probably proportions.
    """
    notes = [] if notes is None else notes
    df = _convert(raw, where, "figures", frame, notes)
    has = set(df.columns)
    if "group" in has:  # blank or any case of 'all': every respondent of the wave
        df["group"] = df["group"].where(~df["group"].str.lower().isin(["", "all"]), "all")
    if "concept" in has:
        df["concept"] = df["concept"].where(df["concept"] != "", df["item"])
    if "implied" in has and not frame:
        df["implied"] = df["implied"].fillna(False)
    if "figure_id" in has:
        _dupes(df, where, ["figure_id"])
    key = [c for c in FIGURE_KEY if c in has]
    _dupes(df, where, key, "figure (" + ", ".join(key) + ")")
    known_waves = set(zip(waves["survey"], waves["wave"], strict=True))
    known_sources = None if sources is None or partial else set(sources["source"])
    for i, r in enumerate(df.to_dict("records")):
        stat, v = r["statistic"], r["value"]
        if (r["survey"], r["wave"]) not in known_waves and not partial:
            _fail(where, i, "wave", f"survey/wave not in the waves table for {r['survey']!r}",
                  r["wave"])
        if known_sources is not None and r.get("source") not in known_sources:
            _fail(where, i, "source", "source not listed in sources.csv", r["source"])
        if stat not in STATISTICS:
            _fail(where, i, "statistic", f"expected one of {STATISTICS}", stat)
        d = r.get("decimals", pd.NA)
        if pd.notna(d):
            if not 0 <= d <= 10:
                _fail(where, i, "decimals", "must be 0 to 10", int(d))
            try:
                exact_value(float(v), int(d))
            except ValueError:
                hint = ("; shares are in percent: this looks like a proportion"
                        if stat == "share" and abs(v) <= 1 else "")
                _fail(where, i, "value", f"value {v:g} has more decimals than the stated "
                      f"decimals={int(d)}{hint}")
        if pd.notna(r.get("base", pd.NA)) and r["base"] <= 0:
            _fail(where, i, "base", "must be a positive whole number", int(r["base"]))
        if stat == "share" and not 0 <= v <= 100:
            _fail(where, i, "value", "a share (percent) must lie within 0-100", v)
        if stat == "count" and (v < 0 or v != int(v)):
            _fail(where, i, "value", "a count must be a non-negative whole number", v)
        if stat == "mean" and {"scale_min", "scale_max"} <= has:
            lo, hi = r["scale_min"], r["scale_max"]
            if pd.isna(lo) or pd.isna(hi):
                _fail(where, i, "scale_min" if pd.isna(lo) else "scale_max",
                      "a mean needs scale_min and scale_max")
            if lo >= hi:
                _fail(where, i, "scale_max", f"must exceed scale_min {lo}", int(hi))
            if not lo <= v <= hi:
                _fail(where, i, "value", f"a mean must lie within its scale {lo}-{hi}", v)
        _check_sd(r, where, i, stat)
        ref = r.get("reference_wave", "")
        if stat == "change" and "reference_wave" in has:
            if (r["survey"], ref) not in known_waves and not (partial and ref):
                _fail(where, i, "reference_wave", "a change needs an existing reference_wave",
                      ref)
            if ref == r["wave"]:
                _fail(where, i, "reference_wave", "a change is from another wave", ref)
        elif stat != "change" and ref:
            _fail(where, i, "reference_wave", "only change rows take a reference_wave", ref)
    _question_sets(df, where, notes)
    return df


def _check_sd(r, where, i, stat):
    sd = r.get("sd", np.nan)
    if pd.isna(sd):
        if pd.notna(r.get("sd_decimals", pd.NA)):
            _fail(where, i, "sd_decimals", "sd_decimals without an sd")
        return
    if stat != "mean":
        _fail(where, i, "sd", "only means take an sd", sd)
    if sd < 0:
        _fail(where, i, "sd", "an SD cannot be negative", sd)
    sd_d = r.get("sd_decimals", pd.NA)
    if pd.notna(sd_d) and not 0 <= sd_d <= 10:
        _fail(where, i, "sd_decimals", "must be 0 to 10", int(sd_d))


def _question_sets(df, where, notes):
    """The figures of one question agree on its flags; shares all <= 1 are noted."""
    keys = [c for c in ("survey", "wave", "item", "group") if c in df.columns]
    flags = [c for c in ("multi_response", "exhaustive") if c in df.columns]
    sets: dict[tuple, list[int]] = {}
    records = df.to_dict("records")
    for i, r in enumerate(records):
        if r["statistic"] == "share":
            sets.setdefault(tuple(r[k] for k in keys), []).append(i)
    for idx in sets.values():
        first = records[idx[0]]
        for flag_ in flags:
            for j in idx[1:]:
                if _text(records[j][flag_]) != _text(first[flag_]):
                    _fail(where, j, flag_, f"the shares of one question disagree on {flag_} "
                          f"({where.at(idx[0])} says {first[flag_]})", records[j][flag_])
        values = [records[j]["value"] for j in idx]
        if all(v <= 1 for v in values) and any(v > 0 for v in values):
            notes.append(f"{where.at(idx[0])}: every share of item {first['item']!r} "
                         f"({first['wave']}) is at most 1 ("
                         + ", ".join(f"{v:g}" for v in values)
                         + "): shares are in percent; these look like proportions")


def validate_headlines(raw: pd.DataFrame, where: Where, figures: pd.DataFrame,
                       sources: pd.DataFrame | None = None, waves: pd.DataFrame | None = None,
                       *, frame: bool = False, notes: list[str] | None = None,
                       partial: bool = False) -> pd.DataFrame:
    """Convert and check a headlines table: each claim names a known test, existing sources and
    the number and kind of figures its test takes; a threshold where the test needs one."""
    notes = [] if notes is None else notes
    df = _convert(raw, where, "headlines", frame, notes)
    _dupes(df, where, ["headline_id"])
    figs = figures.set_index("figure_id", drop=False) if len(figures) else figures
    known = set(figures["figure_id"])
    wv = None if waves is None else waves.set_index(["survey", "wave"])
    for i, r in enumerate(df.to_dict("records")):
        if sources is not None and not partial and r["source"] not in set(sources["source"]):
            _fail(where, i, "source", "source not listed in sources.csv", r["source"])
        if r["test"] not in HEADLINE_TESTS:
            _fail(where, i, "test", f"expected one of {HEADLINE_TESTS}", r["test"])
        if r["direction"] not in DIRECTIONS:
            _fail(where, i, "direction", f"expected one of {DIRECTIONS}", r["direction"])
        ids = _split(r["figure_ids"])
        for fid in ids:
            if fid not in known and not partial:
                _fail(where, i, "figure_ids", "figure not in figures.csv", fid)
        n, stats_ = TEST_FIGURES[r["test"]]
        if len(ids) != n:
            _fail(where, i, "figure_ids", f"test {r['test']!r} takes {n} figure id"
                  f"{'s' if n > 1 else ''} separated by ';', got {len(ids)}", r["figure_ids"])
        if any(fid not in known for fid in ids):
            continue  # partial: the figures are in a data set it will be combined with
        for fid in ids:
            stat = figs.loc[fid, "statistic"]
            if stats_ is not None and stat not in stats_:
                _fail(where, i, "figure_ids", f"test {r['test']!r} takes {stats_[0]} figures; "
                      f"{fid} is a {stat}", fid)
        if r["test"].endswith("_vs_threshold"):
            t = r["threshold"]
            if pd.isna(t):
                _fail(where, i, "threshold", f"test {r['test']!r} needs a threshold")
            f = figs.loc[ids[0]]
            lo, hi = ((0, 100) if r["test"] == "share_vs_threshold"
                      else (f["scale_min"], f["scale_max"]))
            if pd.notna(lo) and pd.notna(hi) and not lo <= t <= hi:
                _fail(where, i, "threshold", f"must lie within {lo:g}-{hi:g} (the figure's "
                      "scale; shares in percent)", t)
        if r["test"] == "consistency" and wv is not None:
            f = figs.loc[ids[0]]
            if (f["survey"], f["wave"]) not in wv.index:
                continue
            w = wv.loc[(f["survey"], f["wave"])]
            lacking = [c for c in ("responding_units", "population_units")
                       if c not in wv.columns or pd.isna(w[c])]
            if lacking:
                notes.append(f"{where.at(i)}: test 'consistency' needs {' and '.join(lacking)} "
                             f"on wave {f['survey']}/{f['wave']}; the report will say it cannot "
                             "be tested")
    return df


def validate_groups(raw: pd.DataFrame, where: Where, figures: pd.DataFrame,
                    waves: pd.DataFrame, *, frame: bool = False,
                    notes: list[str] | None = None, partial: bool = False) -> pd.DataFrame:
    """Convert and check a groups table (how the groups of a survey relate).

    Each row names a ``group`` of ``figures.csv`` for its ``survey`` (not ``all``), the
    ``parent`` it lies within (blank = ``all``, else another group of the same survey) and its
    ``relation`` (partition, disjoint, nested), in every wave or in the ``wave`` named.
    Identical repeated rows are dropped; the same (survey, wave, group) with a different parent
    or relation, and a chain of parents that comes back to itself, are errors.
    """
    df = _convert(raw, where, "groups", frame, [] if notes is None else notes)
    for c in ("wave", "parent", "label"):
        if c not in df.columns:
            df[c] = ""
    df["parent"] = df["parent"].where(~df["parent"].str.lower().isin(["", "all"]), "all")
    df = df[list(GROUPS_SCHEMA) + [c for c in df.columns if c not in GROUPS_SCHEMA]]
    known_waves = set(zip(waves["survey"], waves["wave"], strict=True))
    surveys = set(waves["survey"])
    used = figures.groupby("survey")["group"].agg(set).to_dict() if len(figures) else {}
    stated: dict[tuple, int] = {}
    keep = []
    for i, r in enumerate(df.to_dict("records")):
        s, w, g, p = r["survey"], r["wave"], r["group"], r["parent"]
        if s not in surveys and not partial:
            _fail(where, i, "survey", "survey not in the waves table", s)
        if w and (s, w) not in known_waves and not partial:
            _fail(where, i, "wave", f"survey/wave not in the waves table for {s!r}", w)
        if g == "all":
            _fail(where, i, "group", "'all' is every respondent of a wave, not a group", g)
        if g not in used.get(s, set()) and not partial:
            _fail(where, i, "group", f"no figure of survey {s!r} has this group", g)
        if r["relation"] not in RELATIONS:
            _fail(where, i, "relation", f"expected one of {RELATIONS}", r["relation"])
        if p == g:
            _fail(where, i, "parent", "a group cannot lie within itself", p)
        if p != "all" and not partial and p not in used.get(s, set()) and p not in set(
                df.loc[df["survey"] == s, "group"]):
            _fail(where, i, "parent", f"the parent must be 'all' or a group of survey {s!r}", p)
        k = (s, w, g)
        if k in stated:
            j = stated[k]
            if (df.iloc[j]["parent"], df.iloc[j]["relation"]) != (p, r["relation"]):
                _fail(where, i, "relation", f"group {g!r} of {s}{'/' + w if w else ''} is "
                      f"already stated at {where.at(j)} as {df.iloc[j]['relation']} within "
                      f"{df.iloc[j]['parent']!r}", f"{r['relation']} within {p!r}")
            continue
        stated[k] = i
        keep.append(i)
    out = df.iloc[keep].reset_index(drop=True)
    _cycles(out, Where(where.name, tuple(where.at(i) for i in keep)))
    return out


def _cycles(df, where):
    for i in range(len(df)):
        s, w, g = df.iloc[i][["survey", "wave", "group"]]
        parent_of = {}
        for _, r in df[(df["survey"] == s) & df["wave"].isin(["", w])].iterrows():
            if r["wave"] == w or r["group"] not in parent_of:
                parent_of[r["group"]] = r["parent"]
        chain, cur = [g], parent_of.get(g, "all")
        while cur != "all" and cur in parent_of:
            if cur in chain:
                _fail(where, i, "parent", "the parents come back to the group: "
                      + " within ".join([*chain, cur]))
            chain.append(cur)
            cur = parent_of[cur]


def empty_table(table: str) -> pd.DataFrame:
    """A table of the format with its columns and no rows."""
    kinds = {"int": "Int64", "float": "float64", "bool": "boolean"}
    return pd.DataFrame({c: pd.Series(dtype=kinds.get(k.rstrip("!").replace("date", "text"),
                                                     object))
                         for c, k in SCHEMAS[table].items()})


def validate_tables(raw: Mapping[str, pd.DataFrame], where: Mapping[str, Where], *,
                    frame: bool = False, partial: bool = False
                    ) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Validate a set of tables against each other; the one entry point of every reader.

    ``raw`` maps table names (``waves``, ``figures``, ``sources``, optionally ``headlines``,
    ``groups``) to text or typed frames, ``where`` their origins. Returns the typed tables
    (an absent headlines or groups table is empty) and the notes (extra columns kept,
    probable proportions, headlines the report cannot test). ``partial=True`` lets references
    to rows of other tables (a wave, source, figure, group) be missing: they may be in a data
    set this one will be combined with, which validates them again.
    """
    for t in REQUIRED_TABLES:
        if t not in raw:
            raise DataValidationError(f"{where[t].name if t in where else t}: the table "
                                      f"{t!r} is missing")
    notes: list[str] = []
    sources = validate_sources(raw["sources"], where["sources"], frame=frame, notes=notes)
    waves = validate_waves(raw["waves"], where["waves"], sources, frame=frame, notes=notes,
                           partial=partial)
    if not len(waves) and not partial:
        raise DataValidationError(f"{where['waves'].name}: no waves (the table has no rows)")
    figures = validate_figures(raw["figures"], where["figures"], waves, sources, frame=frame,
                               notes=notes, partial=partial)
    if not len(figures) and not partial:
        raise DataValidationError(f"{where['figures'].name}: no figures (the table has no rows)")
    out = {"sources": sources, "waves": waves, "figures": figures}
    out["headlines"] = (validate_headlines(raw["headlines"], where["headlines"], figures,
                                           sources, waves, frame=frame, notes=notes,
                                           partial=partial)
                        if raw.get("headlines") is not None else empty_table("headlines"))
    out["groups"] = (validate_groups(raw["groups"], where["groups"], figures, waves,
                                     frame=frame, notes=notes, partial=partial)
                     if raw.get("groups") is not None else empty_table("groups"))
    return out, notes


def validate_tracker_tables(figures: pd.DataFrame, waves: pd.DataFrame,
                            assumed_bases: Mapping | None = None,
                            groups: pd.DataFrame | None = None):
    """The Tracker's tables validated as the files are, the rows named by index label
    (``figures (DataFrame), row 3, column 'value'``); returns ``(figures, waves, assumed_bases,
    groups)`` converted (``groups`` None stays None).

    Missing optional columns are left for the Tracker's defaults; there is no sources table, so
    sources are not checked. ``assumed_bases``: each key a wave, a ``(survey, wave)`` or a
    ``(survey, wave, group)`` of the waves, each value a positive whole number.

    Examples
    --------
    >>> w = pd.DataFrame({"survey": "s", "wave": ["A", "B"], "wave_order": [1, 2],
    ...                   "date": ["2013-11", "2013-13"]})
    >>> f = pd.DataFrame({"survey": "s", "wave": ["A"], "item": "q", "statistic": "share",
    ...                   "value": [40.0]})
    >>> validate_tracker_tables(f, w)
    Traceback (most recent call last):
    barotrend.validation.DataValidationError: waves (DataFrame), row 1, column 'date': month 13 does not exist (months are 01-12) (got '2013-13')
    """
    for name, df in (("figures", figures), ("waves", waves), ("groups", groups)):
        if df is not None and not isinstance(df, pd.DataFrame):
            raise DataValidationError(f"{name} must be a pandas DataFrame, got "
                                      f"{type(df).__name__}")
    w = validate_waves(waves, Where.frame("waves (DataFrame)", waves), frame=True)
    f = validate_figures(figures, Where.frame("figures (DataFrame)", figures), w, frame=True)
    g = None if groups is None else validate_groups(
        groups, Where.frame("groups (DataFrame)", groups), f if "group" in f.columns else
        f.assign(group="all"), w, frame=True)
    return f, w, check_assumed_bases(assumed_bases, w), g


def check_assumed_bases(assumed_bases: Mapping | None, waves: pd.DataFrame) -> dict:
    """``assumed_bases`` as a dict, each key an existing wave and each value a positive whole
    number; else a :class:`DataValidationError` naming the key and the value."""
    if assumed_bases is None:
        return {}
    if not isinstance(assumed_bases, Mapping):
        raise DataValidationError("assumed_bases must be a mapping {wave: base}, got "
                                  f"{type(assumed_bases).__name__}")
    pairs = set(zip(waves["survey"], waves["wave"], strict=True))
    out = {}
    for key, n in assumed_bases.items():
        ok = (isinstance(key, str) and key in set(waves["wave"])) or (
            isinstance(key, tuple) and len(key) in (2, 3) and tuple(key[:2]) in pairs)
        if not ok:
            raise DataValidationError(
                f"assumed_bases: key {key!r} is not a wave, (survey, wave) or (survey, wave, "
                "group) of the waves table")
        if isinstance(n, bool | np.bool_) or not isinstance(n, numbers.Real) or not (
                np.isfinite(n) and float(n).is_integer() and n >= 1):
            raise DataValidationError(f"assumed_bases[{key!r}]: a base is a positive whole "
                                      f"number of respondents (got {_shown(n)!r})")
        out[key] = int(n)
    return out


def _split(ids: str) -> list[str]:
    return [x.strip() for x in str(ids).split(";") if x.strip()]
