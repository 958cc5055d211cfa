"""The report on a user's microdata: one respondent file, waves stacked, a design given as options.

``barotrend report --microdata FILE --wave COL --items A,B [--weights W --strata S --cluster C
--fpc F --group G]`` builds one stacked :class:`~barotrend.design.Design` (clustered by the
responding unit when ``--cluster`` is given, so that units answering several waves make the
waves' estimates covary), a :class:`~barotrend.tracking.designs.DesignTracker`, and writes the
same kind of report as for published figures: series, changes with adjusted p-values, group
comparisons, gap changes, trends, figures and methods. A file with one wave gives the series and
group comparisons of that wave and says there is no change to estimate; a trend needs three.
An item not asked in a wave (no answer there) has a row saying so in the series; its changes
run between the waves where it was asked (W1->W3), as does its trend; a group without answers
in a wave gives comparison rows that say so. A group column needs exactly two levels for the
group comparisons (the report says so otherwise).

Bad input fails with one line naming the file and what is wrong (see :func:`read_microdata`;
a missing column is named with its role, close matches and the columns there are; a
non-numeric item names the first value that is not a number). Column names are data: they are
looked up, never pasted into a formula or expression (a name like ``sch.wide`` or one holding
Python code is just a key).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import html
import io
import re
from pathlib import Path

import pandas as pd

from barotrend.report import html as H
from barotrend.report.build import _png, _progress
from barotrend.validation import DataValidationError

METHODS = [
    ("Design", "Taylor linearisation for the stacked design (strata, clusters and fpc as given); "
     "degrees of freedom = PSUs - strata."),
    ("Change between waves", "Domain contrast in the stacked design: the covariance between "
     "waves from units answering in both is estimated (clusters = units). Without clusters the "
     "waves are treated as independent samples of respondents."),
    ("Groups", "Domain contrast between two groups within a wave; the change of a group gap is "
     "the wave x group interaction of a survey-weighted linear model on the stacked waves."),
    ("Trend", "Linear trend of the wave estimates on the wave order and a chi-square test of "
     "any difference between waves: generalised least squares with the full covariance of the "
     "wave estimates from the stacked design (units answering in several waves make them "
     "covary); without clusters the covariances are zero and this is WLS (weights 1/var) "
     "with Cochran's Q."),
    ("Multiple comparisons", "p-values of the changes are Holm-adjusted across the family."),
]


def read_microdata(path) -> pd.DataFrame:
    """Read a respondent file: ``.sav``/``.zsav`` with value labels, anything else as CSV.

    A CSV file is first read as the figures tables are (:func:`barotrend.datasets.
    read_csv_table`: UTF-8 with or without BOM, comma-separated, every row as wide as the
    header), so that an unreadable file fails with one line naming the file, the line and what
    is wrong -- the encoding and byte position, an empty file, semicolons or tabs, a ragged row,
    a binary file -- then with pandas for the column types. A file with a header and no row is
    refused too. Errors are :class:`~barotrend.validation.DataValidationError` (a ValueError).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "resp.csv"
    >>> _ = p.write_text("wave;y\\nW1;3\\n", encoding="utf-8")
    >>> read_microdata(p)
    Traceback (most recent call last):
    ...
    barotrend.validation.DataValidationError: resp.csv, line 1: the columns are separated by ';'...
    """
    from barotrend.datasets import read_csv_table
    from barotrend.design.io import read_csv, read_sav

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such microdata file: {path}")
    if path.suffix.lower() in (".sav", ".zsav"):
        try:
            data = read_sav(path)
        except Exception as err:  # pyreadstat raises its own ReadstatError and others
            raise DataValidationError(f"{path.name}: not a readable SPSS file "
                                      f"({type(err).__name__}: {err})") from None
    else:
        if not _plain_csv(path):  # the figures reader names the file, line and problem
            read_csv_table(path, path.name)
        try:
            data = read_csv(path, encoding="utf-8-sig")
        except (ValueError, pd.errors.ParserError) as err:
            raise DataValidationError(f"{path.name}: not readable as CSV "
                                      f"({' '.join(str(err).split())})") from None
    if data.empty:
        raise DataValidationError(f"{path.name}: a header and no respondent rows")
    return data


def _plain_csv(path: Path) -> bool:
    """A quick structural check (UTF-8, commas, every row as wide as the header) without the
    cell-by-cell conversion of :func:`barotrend.datasets.read_csv_table` (30 times slower than
    pandas on a 200,000-row file), which is called only to name what is wrong."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    width = None
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if not any(c.strip() for c in row):
                continue
            if width is None:
                width = len(row)
                if width == 1 and (";" in row[0] or "\t" in row[0]):
                    return False
            elif len(row) != width:
                return False
    except csv.Error:
        return False
    return width is not None


def _slug(name: str) -> str:
    """A column name as a safe file-name part: letters, digits, ``._-`` kept, anything else
    (a slash, a quote, a newline) ``_``, with a short hash of the name when anything changed
    so that two names never share a file.

    Examples
    --------
    >>> _slug("budget_confidence"), _slug("../etc/x")
    ('budget_confidence', '.._etc_x-...')
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", str(name))[:60]
    if safe == str(name) and safe not in (".", ".."):
        return safe
    return f"{safe}-{hashlib.sha1(str(name).encode('utf-8')).hexdigest()[:8]}"


def _require(data, col, role, name) -> None:
    """A column named by an option must exist: say which, with close matches and the list."""
    if col in data.columns:
        return
    cols = [str(c) for c in data.columns]
    close = [c for c in cols if c.strip().lower() == str(col).strip().lower()]
    close += [c for c in difflib.get_close_matches(str(col), cols, n=3) if c not in close]
    shown = ", ".join(map(repr, cols[:30])) + (f", ... ({len(cols)} in all)"
                                                if len(cols) > 30 else "")
    raise DataValidationError(f"{name}: no {role} column {col!r}"
                              + (f" (did you mean {' or '.join(map(repr, close))}?)" if close
                                 else "") + f"; the columns are {shown}")


def _numeric_item(data, item, name) -> None:
    """An item must be numeric (or boolean, a share): name the first value that is not."""
    col = data[item]
    if col.isna().all():
        raise DataValidationError(f"{name}, column {item!r}: no answer in any row (every "
                                  "value is missing)")
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return
    num = pd.to_numeric(col, errors="coerce")
    bad = col[num.isna() & col.notna()]
    if len(bad):
        pos = data.index.get_loc(bad.index[0])
        hint = "; decimal commas? save the file with decimal points" if "," in str(
            bad.iloc[0]) else ""
        raise DataValidationError(f"{name}, column {item!r}: an item must be numeric (or 0/1, "
                                  f"True/False for a share); data row {pos + 1} holds "
                                  f"{bad.iloc[0]!r}{hint}")


def build_microdata_report(path, *, wave: str, items, weights=None, strata=None, cluster=None,
                           fpc=None, group=None, out="report", quiet=True) -> dict[str, Path]:
    """Write the microdata report (see module docstring); returns the files written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from barotrend.simulate import simulate_barometer
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> simulate_barometer(seed=3).respondents.to_csv(tmp / "resp.csv", index=False)
    >>> files = build_microdata_report(tmp / "resp.csv", wave="wave", items=["budget_confidence"],
    ...                                cluster="unit", group="gp", out=tmp / "rep")
    >>> sorted(k for k in files if k.endswith(".csv"))
    ['changes.csv', 'groups.csv', 'series.csv', 'trends.csv']
    """
    import matplotlib

    matplotlib.use("Agg")
    from barotrend.design import Design
    from barotrend.tracker import Tracker

    step = _progress(quiet)
    items = [items] if isinstance(items, str) else list(items)
    data = read_microdata(path)
    name = Path(path).name
    if not items:
        raise DataValidationError(f"{name}: no item named (give one or more item columns)")
    for role, col in (("wave", wave), ("weights", weights), ("strata", strata),
                      ("cluster", cluster), ("fpc", fpc), ("group", group)):
        if col is not None:
            _require(data, col, role, name)
    for item in items:
        _require(data, item, "item", name)
        _numeric_item(data, item, name)
    if data[wave].isna().all():
        raise DataValidationError(f"{name}, column {wave!r}: no wave value in any row")
    step(f"read {len(data)} rows from {name}")
    try:
        design = Design(data, weights=weights, strata=strata, cluster=cluster, fpc=fpc)
    except ValueError as err:  # the design's own checks name the column and row
        raise DataValidationError(f"{name}: {err}") from None
    tracker = Tracker.from_designs(design, items, wave=wave, group=group)
    waves = list(tracker.waves)
    step(f"design: {design.n} rows, df {design.df:g}; waves {', '.join(map(str, waves))}")
    tables = {"series": pd.concat([tracker.series(i) for i in items], ignore_index=True),
              "changes": tracker.changes(),
              "trends": pd.concat([tracker.trend(i) for i in items], ignore_index=True)
              if len(waves) >= 3 else pd.DataFrame()}
    levels = []
    if group is not None:
        levels = sorted(data[group].dropna().unique().tolist(), key=str)
    if len(levels) == 2:
        a, b = levels[1], levels[0]
        tables["groups"] = pd.concat(
            [tracker.compare_groups(i, a, b, w) for i in items for w in waves] +
            [tracker.gap_change(i, a, b, tracker.answered_waves(i)[0],
                                tracker.answered_waves(i)[-1]) for i in items
             if len(tracker.answered_waves(i)) >= 2],
            ignore_index=True)
    step("estimates, changes and comparisons done")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, df in tables.items():
        if len(df):
            files[f"{name}.csv"] = out / f"{name}.csv"
            df.to_csv(files[f"{name}.csv"], index=False)
    figs = []
    for item in items:
        ax = tracker.plot_series(item, groups=[levels[1], levels[0]] if len(levels) == 2
                                 else None)
        ax.set_title(f"{item}: design-based estimate by wave, 95% CI")
        png = _png(ax)
        fname = f"series_{_slug(item)}.png"
        files[fname] = out / fname
        files[fname].write_bytes(png)
        figs.append(H.figure(png, f"{item}: design-based estimate per wave with its 95% "
                             "confidence interval (shaded), per group when a group column was "
                             "given; a star marks a change from the previous wave with "
                             "p < 0.05.", f"series of {item}"))
    sections = [
        ("Data and design", f"<p>{html.escape(Path(path).name)}: {len(data)} rows, items "
         f"{html.escape(', '.join(items))}.</p><pre>{html.escape(repr(design))}</pre>"),
        ("Series", "".join(figs) + H.table(tables["series"])),
        ("Changes between consecutive waves", H.table(tables["changes"]) if len(waves) >= 2
         else f"<p>Only one wave ({html.escape(repr(waves[0]))}) in column "
              f"{html.escape(repr(wave))}: no change between waves to estimate.</p>"),
    ]
    if len(tables["trends"]):
        sections.append(("Trends", H.table(tables["trends"])))
    if "groups" in tables:
        sections.append((f"Groups ({html.escape(str(group))})", H.table(tables["groups"])))
    elif group is not None:
        sections.append((f"Groups ({html.escape(str(group))})",
                         f"<p>Column {html.escape(repr(group))} has {len(levels)} level(s) "
                         f"({html.escape(', '.join(map(str, levels[:10])))}): the group "
                         "comparisons need exactly two.</p>"))
    sections.append(("Methods and assumptions", "<dl>" + "".join(
        f"<dt><b>{html.escape(k)}</b></dt><dd>{html.escape(t)}</dd>" for k, t in METHODS)
        + "</dl>"))
    files["html"] = out / "index.html"
    files["html"].write_text(H.page(f"barotrend report: {Path(path).name}", sections),
                             encoding="utf-8")
    step(f"wrote {files['html']}")
    return files

