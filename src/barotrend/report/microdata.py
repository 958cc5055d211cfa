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

from barotrend.display import fmt_number
from barotrend.report import html as H
from barotrend.report.files import figure_files, progress
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
                           fpc=None, group=None, out="report", quiet=True, group_labels=None,
                           item_labels=None, scales=None) -> dict[str, Path]:
    """Write the microdata report (see module docstring); returns the files written.

    ``group_labels`` maps the group column's levels to words (e.g. ``{True: "GP", False:
    "non-GP"}``; default: SPSS value labels as read, True/False as ``<column>``/``not
    <column>``); ``item_labels`` maps item columns to words (default: the SPSS variable label,
    else the column name); ``scales`` maps a rating item to its scale ``(low, high)``, the y
    range of its figure (default: 0-100% for a 0/1 item, else the range of the answers).

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
    from barotrend.plot import _level_label, design_series
    from barotrend.tracking.tracker import TrackerBase

    step = progress(quiet)
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
    tracker = TrackerBase.from_designs(design, items, wave=wave, group=group)
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
    for name_, df in tables.items():
        if len(df):
            files[f"{name_}.csv"] = out / f"{name_}.csv"
            df.to_csv(files[f"{name_}.csv"], index=False)
    col_labels = data.attrs.get("column_labels", {}) or {}
    words = {i: str((item_labels or {}).get(i) or col_labels.get(i) or i) for i in items}
    glab = {lv: _level_label(group, lv, group_labels) for lv in levels}
    share = {i: _is_share(data[i]) for i in items}
    figs = []
    for item in items:
        scale = (scales or {}).get(item)
        ax = design_series(tracker, item, groups=[levels[1], levels[0]] if len(levels) == 2
                           else None, group_labels=glab, label=words[item], ylim=scale)
        svg, png = figure_files(ax)
        for ext, blob in (("png", png), ("svg", svg)):
            fname = f"series_{_slug(item)}.{ext}"
            files[fname] = out / fname
            files[fname].write_bytes(blob)
        per = (f", per group ({' and '.join(glab[lv] for lv in [levels[1], levels[0]])})"
               if len(levels) == 2 else "")
        figs.append(H.figure(svg, f"{words[item]}: design-based estimate per wave{per}, with "
                             "its 95% confidence interval (shaded); the axis spans "
                             + ("0-100%" if share[item] else
                                f"the scale {scale[0]:g} to {scale[1]:g}" if scale else
                                "the range of the answers")
                             + "; a star marks a change from the previous wave with p < 0.05 "
                             "(unadjusted).",
                             f"Line chart of {words[item]} by wave with 95% confidence bands"))
    fmt = _Fmt(words, glab, share)
    sections = [
        ("Data and design", f"<p>{html.escape(Path(path).name)}: {len(data)} rows, items "
         f"{html.escape(', '.join(words[i] for i in items))}. Design: "
         f"{html.escape(_design_words(weights, strata, cluster, fpc))}; "
         f"{design.df:g} degrees of freedom.</p>"
         + H.table(design_table(data, wave, waves, design, strata, cluster),
                   formats={"weights (min to max)": str, "effective n": H.count}) +
         '<p class="note">Kish design effect from unequal weights: n &#931;w&#178; / '
         "(&#931;w)&#178;; effective n = respondents / that effect. The design effects of the "
         "estimates (clustering included) are in the series table.</p>"),
        ("Series", "".join(figs) + fmt.series(tables["series"])),
        ("Changes between consecutive waves", fmt.changes(tables["changes"])
         if len(waves) >= 2 else
         f"<p>Only one wave ({html.escape(repr(waves[0]))}) in column "
         f"{html.escape(repr(wave))}: no change between waves to estimate.</p>"),
    ]
    if len(tables["trends"]):
        sections.append(("Trends", fmt.trends(tables["trends"])))
    if "groups" in tables:
        sections.append((f"Groups ({html.escape(str(group))})", fmt.groups(tables["groups"])))
    elif group is not None:
        sections.append((f"Groups ({html.escape(str(group))})",
                         f"<p>Column {html.escape(repr(group))} has {len(levels)} level(s) "
                         f"({html.escape(', '.join(map(str, levels[:10])))}): the group "
                         "comparisons need exactly two.</p>"))
    sections.append(("Methods and assumptions", "<dl>" + "".join(
        f"<dt><b>{html.escape(k)}</b></dt><dd>{html.escape(t)}</dd>" for k, t in METHODS)
        + "</dl>"))
    files["html"] = out / "index.html"
    files["html"].write_text(H.page(f"barotrend report: {Path(path).name}", sections,
                                    intro=fmt.findings(tables)), encoding="utf-8")
    step(f"wrote {files['html']}")
    return files


def _is_share(col) -> bool:
    v = pd.to_numeric(col.dropna().astype(float), errors="coerce").dropna().unique()
    return len(v) > 0 and set(v.tolist()) <= {0.0, 1.0}


def _design_words(weights, strata, cluster, fpc) -> str:
    parts = [f"weights {weights!r}" if weights else "equal weights",
             f"strata {strata!r}" if strata else "no strata",
             f"clusters {cluster!r}" if cluster else "respondents sampled independently"]
    if fpc:
        parts.append(f"finite population correction {fpc!r}")
    return ", ".join(parts)


def design_table(data, wave, waves, design, strata=None, cluster=None) -> pd.DataFrame:
    """One row per wave: respondents, PSUs, strata, weight range, Kish's design effect from
    unequal weights (n sum w^2 / (sum w)^2) and the effective n (respondents over it).

    Examples
    --------
    >>> from barotrend.design import Design
    >>> d = pd.DataFrame({"w": ["A", "A", "B"], "u": [1, 2, 3], "wt": [1.0, 3.0, 2.0]})
    >>> t = design_table(d, "w", ["A", "B"], Design(d, weights="wt", cluster="u"), None, "u")
    >>> t[["wave", "respondents", "PSUs", "Kish deff", "effective n"]].to_dict("list")
    {'wave': ['A', 'B'], 'respondents': [2, 1], 'PSUs': [2, 1], 'Kish deff': [1.25, 1.0], \
'effective n': [1.6, 1.0]}
    """
    import numpy as np

    w_all = np.asarray(design.weights, dtype=float)
    rows = []
    for wv in waves:
        m = (data[wave] == wv).to_numpy()
        w = w_all[m]
        n = int(m.sum())
        deff = float(n * (w ** 2).sum() / w.sum() ** 2) if n and w.sum() > 0 else float("nan")
        rows.append({
            "wave": str(wv), "respondents": n,
            "PSUs": int(data.loc[m, cluster].nunique()) if cluster else n,
            "strata": int(data.loc[m, strata].nunique()) if strata else 1,
            "weights (min to max)": f"{w.min():.3g} to {w.max():.3g}" if n else "",
            "Kish deff": deff, "effective n": n / deff if deff else None})
    return pd.DataFrame(rows)


def _col(df, name) -> pd.Series:
    """A column of a result table, or missing values where the table has none."""
    return df[name] if name in df else pd.Series([pd.NA] * len(df), index=df.index,
                                                 dtype=object)


class _Fmt:
    """The microdata tables in words and units: shares in percent, differences in percentage
    points, p-values in one format, notes folded under each row."""

    def __init__(self, words, glab, share):
        self.words, self.glab, self.share = words, glab, share

    def _g(self, g) -> str:
        g = str(g)
        if g == "all":
            return "all respondents"
        for lv, lab in sorted(self.glab.items(), key=lambda kv: -len(str(kv[0]))):
            g = re.sub(rf"(?<![\w]){re.escape(str(lv))}(?![\w])", lambda _, lab=lab: lab, g)
        return g

    def _est(self, item, v, lo=None, hi=None, diff=False) -> str:
        if pd.isna(v):
            return ""
        if self.share.get(item):
            text, kind = (H.pp(v), "points") if diff else (H.pct(v), "share")
        else:
            text, kind = fmt_number(v, sign=diff), "number"
        ci = H.interval(lo, hi, kind) if lo is not None else ""
        return text + (f" ({ci})" if ci else "")

    def _ci(self, r, col, diff=False) -> str:
        return self._est(r.get("item"), r.get(col), r.get("ci_low"), r.get("ci_high"), diff)

    @staticmethod
    def _method(df) -> pd.Series:
        return (_col(df, "method").map(H.method) + "; "
                + _col(df, "note").fillna("").astype(str)).str.rstrip("; ")

    @staticmethod
    def _waves(w) -> str:
        return str(w).replace("->", " to ")

    def series(self, s) -> str:
        shown = pd.DataFrame({
            "what": _col(s, "item").map(self.words), "wave": _col(s, "wave").astype(str),
            "group": _col(s, "group").map(self._g),
            "estimate (95% CI)": [self._ci(r, "estimate")
                                  for _, r in s.iterrows()],
            "respondents": _col(s, "n").map(H.count), "effective n": _col(s, "n_eff").map(H.count),
            "design effect": _col(s, "deff").map(fmt_number),
            "note": _col(s, "note")})
        return H.table(shown, more=("note",), more_label="Note")

    def changes(self, c) -> str:
        shown = pd.DataFrame({
            "what": _col(c, "item").map(self.words), "waves": _col(c, "wave").map(self._waves),
            "from / to": [f"{self._est(r.get('item'), r.get('estimate_b'))} / "
                          f"{self._est(r.get('item'), r.get('estimate_a'))}"
                          for _, r in c.iterrows()],
            "change (95% CI)": [self._ci(r, "difference", diff=True) for _, r in c.iterrows()],
            "p": _col(c, "p_value").map(H.pval), "adj. p (Holm)": _col(c, "p_adjusted").map(H.pval),
            "method": self._method(c)})
        return H.table(shown, more=("method",), more_label="Method")

    def groups(self, g) -> str:
        shown = pd.DataFrame({
            "what": _col(g, "item").map(self.words), "wave": _col(g, "wave").map(self._waves),
            "groups": _col(g, "group").map(self._g),
            "difference (95% CI)": [self._est(r.get("item"), r.get("difference"), r.get("ci_low"),
                                              r.get("ci_high"), diff=True)
                                    for _, r in g.iterrows()],
            "p": _col(g, "p_value").map(H.pval),
            "method": self._method(g)})
        return H.table(shown, more=("method",), more_label="Method")

    def trends(self, t) -> str:
        shown = pd.DataFrame({
            "what": _col(t, "item").map(self.words), "waves": _col(t, "wave").map(self._waves),
            "test": _col(t, "method").map(H.method),
            "estimate (95% CI)": [
                fmt_number(r.get("estimate"), sign=True) + (
                    f" ({H.interval(r.get('ci_low'), r.get('ci_high'))})"
                    if pd.notna(r.get("ci_low")) else "") for _, r in t.iterrows()],
            "p": _col(t, "p_value").map(H.pval), "note": _col(t, "note")})
        return H.table(shown, more=("note",), more_label="Note")

    def findings(self, tables) -> str:
        """What the estimates show, first: significant changes (Holm-adjusted), group
        differences and trends at p < 0.05, and what is not significant."""
        out = []
        c = tables["changes"]
        if len(c):
            sig = c[pd.to_numeric(_col(c, "p_adjusted"), errors="coerce") < 0.05]
            for _, r in sig.iterrows():
                up = "rose" if r.get("difference") > 0 else "fell"
                out.append(f"{self.words[r.get('item')]} {up} from "
                           f"{self._waves(r.get('wave'))}: "
                           f"{self._est(r.get('item'), r.get('estimate_b'))} to "
                           f"{self._est(r.get('item'), r.get('estimate_a'))}, change "
                           f"{self._ci(r, 'difference', diff=True)}"
                           f", adj. p {H.pval(r.get('p_adjusted'))}.")
            if len(sig) < len(c):
                out.append(f"{len(c) - len(sig)} of {len(c)} changes between consecutive waves "
                           "are within sampling error (adj. p \u2265 0.05).")
        g = tables.get("groups")
        if g is not None and len(g):
            sig = g[pd.to_numeric(_col(g, "p_value"), errors="coerce") < 0.05]
            for _, r in sig.iterrows():
                out.append(f"{self.words[r.get('item')]}, {self._waves(r.get('wave'))}: "
                           f"{self._g(r.get('group'))} differ by "
                           f"{self._ci(r, 'difference', diff=True)}"
                           f", p {H.pval(r.get('p_value'))}.")
            if not len(sig):
                out.append(f"No group difference or change of a gap is significant at p < 0.05 "
                           f"({len(g)} tested).")
        t = tables.get("trends")
        if t is not None and len(t):
            p = pd.to_numeric(_col(t, "p_value"), errors="coerce")
            lin = t[_col(t, "method").astype(str).str.contains("linear trend") & (p < 0.05)]
            for _, r in lin.iterrows():
                out.append(f"{self.words[r.get('item')]}: a linear trend over the waves of "
                           f"{fmt_number(r.get('estimate'), sign=True)} per wave, "
                           f"p {H.pval(r.get('p_value'))}.")
        if not out:
            return ""
        return ("<p><b>Findings.</b></p><ul>" + "".join(f"<li>{html.escape(x)}</li>"
                                                       for x in out) + "</ul>")
