"""The main job: a report on a set of published barometer figures.

``build_report`` loads and validates the figures, runs the consistency checks, gives a verdict
for every headline, draws the series and the comparisons, and writes ``index.html`` (self-
contained), one PNG per figure and one CSV per table into the output folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from barotrend import datasets
from barotrend.figures.checks import check_figures
from barotrend.report.files import figure_files, progress
from barotrend.report.page import page_html
from barotrend.report.verdicts import headline_verdicts


def _share_differences(comp: pd.DataFrame) -> pd.DataFrame:
    """Comparisons of two shares with an interval (means without SDs have none; bounds are not
    differences), so that one axis in percentage points serves them all."""
    need = ("ci_low", "ci_high", "difference", "estimate_a", "estimate_b")
    if comp.empty or any(c not in comp for c in need):
        return comp[:0]
    ok = comp["ci_low"].notna() & comp["ci_high"].notna() & comp["difference"].notna()
    ok &= comp["estimate_a"].between(0, 1) & comp["estimate_b"].between(0, 1)
    return comp[ok]


def _forest(shares: pd.DataFrame, tracker) -> tuple[bytes, bytes]:
    from barotrend.plot import forest

    ax = forest(shares, tracker=tracker, scale=100, unit="percentage points")
    ax.set_title("Differences between two shares", loc="left", fontsize="small")
    return figure_files(ax)


def _waves_table(d) -> pd.DataFrame:
    w = d.waves
    rate = w["responding_units"].astype("Float64") / w["population_units"].astype("Float64")
    return pd.DataFrame({
        "survey": w["survey_label"].fillna(w["survey"]), "wave": w["wave_label"].fillna(w["wave"]),
        "date": w["date"], "date inferred": w["date_inferred"], "population": w["population"],
        "population units": w["population_units"], "respondents": w["respondents"],
        "responding units": w["responding_units"], "unit response rate": rate.astype(float),
        "figures": [int(((d.figures["survey"] == s) & (d.figures["wave"] == v)).sum())
                    for s, v in zip(w["survey"], w["wave"], strict=True)],
    })


class _Linked(NamedTuple):
    name: str
    survey: str
    item: str
    category: str
    statistic: str


def _linked(tracker) -> list[_Linked]:
    """Series worth drawing: each (survey, item, category) of the whole sample published in two
    or more waves. An item with several categories gives one series per category, so adding a
    category to a question never removes the series of the others. PNG names stay
    ``series_<item>`` for an item with one such category (``series_<item>_<k>`` otherwise,
    and ``series_<survey>_<item>...`` for an item name several surveys use)."""
    f = tracker.figures
    f = f[(f["group"] == "all") & f["statistic"].isin(["share", "mean"])]
    keys = f.groupby(["survey", "item", "category"], sort=False)["wave"].nunique()
    keys = keys[keys >= 2]
    shared = {i for i, n in f.groupby("item")["survey"].nunique().items() if n > 1}
    out = []
    for (survey, item), part in keys.groupby(level=[0, 1], sort=False):
        cats = [c for _, _, c in part.index]
        for k, cat in enumerate(cats, start=1):
            name = f"series_{survey}_{item}" if item in shared else f"series_{item}"
            name += f"_{k}" if len(cats) > 1 else ""
            stat = f.loc[(f["survey"] == survey) & (f["item"] == item), "statistic"].iloc[0]
            out.append(_Linked(name, survey, item, cat, stat))
    return out


def build_report(dataset: str | Path | datasets.Dataset = datasets.DEFAULT,
                 out: str | Path = "report", *, quiet: bool = True,
                 tracker=None) -> dict[str, Path]:
    """Write the report for a data set (embedded name, folder of CSVs, or a loaded Dataset).

    ``tracker`` (a :class:`~barotrend.tracker.Tracker` over the same figures) supplies the
    series and comparisons with its own assumptions (e.g. ``assumed_bases``); by default a
    Tracker is built from the data set.

    Writes ``index.html`` (self-contained: figures embedded as SVG), each figure as a 300-dpi
    PNG and an SVG sized for a journal column, and each table as CSV. Returns a dict of the
    files written (``html``, and each table and figure by file name).

    Examples
    --------
    >>> import tempfile
    >>> files = build_report(out=tempfile.mkdtemp())
    >>> sorted(k for k in files if k.endswith("csv"))[:3]
    ['checks.csv', 'comparisons.csv', 'series.csv']
    >>> sorted(k for k in files if k.startswith("forest"))
    ['forest_comparisons.png', 'forest_comparisons.svg']
    """
    import matplotlib

    matplotlib.use("Agg")
    from barotrend.tracking.tracker import TrackerBase

    step = progress(quiet)
    d = _load(dataset)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    step(f"loaded {d.name!r}: {len(d.figures)} figures, {len(d.waves)} waves")
    tables: dict[str, pd.DataFrame] = {"waves": _waves_table(d)}
    tables["checks"] = check_figures(d.figures, d.waves)
    step(f"consistency checks: {len(tables['checks'])}")
    # the verdicts rest on what was published (no user-assumed bases) and on the groups'
    # stated relations: the data set's, or those the given tracker was built with
    groups = getattr(tracker, "_groups", None) if tracker is not None else None
    kw = {} if groups is None else {"groups": groups}
    tables["verdicts"] = (headline_verdicts(d, tracker=TrackerBase.from_dataset(d, **kw))
                          if len(d.headlines) else pd.DataFrame())
    step(f"headline verdicts: {len(tables['verdicts'])}")
    tracker = tracker if tracker is not None else TrackerBase.from_dataset(d)
    series_parts, figs = [], {}
    for r in _linked(tracker):
        series_parts.append(tracker.series(r.item, category=r.category, survey=r.survey))
        ax = tracker.plot_series(r.item, category=r.category, survey=r.survey)
        figs[r.name] = (*_figure_files_and_caption(ax, r, tracker), r)
    tables["series"] = pd.concat(series_parts, ignore_index=True) if series_parts else \
        pd.DataFrame()
    step(f"series plotted: {len(figs)}")
    tables["comparisons"] = tracker.all_comparisons()
    shares = _share_differences(tables["comparisons"])
    if len(shares):
        svg, png = _forest(shares, tracker)
        figs["forest_comparisons"] = (svg, png, _forest_caption(shares), None)
    step(f"comparisons: {len(tables['comparisons'])}")
    files = {}
    for name, df in tables.items():
        files[f"{name}.csv"] = out / f"{name}.csv"
        df.to_csv(files[f"{name}.csv"], index=False)
    for name, (svg, png, _, _) in figs.items():
        for ext, data in (("png", png), ("svg", svg)):
            files[f"{name}.{ext}"] = out / f"{name}.{ext}"
            files[f"{name}.{ext}"].write_bytes(data)
    files["html"] = out / "index.html"
    files["html"].write_text(page_html(d, tables, figs, tracker), encoding="utf-8")
    step(f"wrote {files['html']}")
    return files


def _figure_files_and_caption(ax, r, tracker):
    """SVG, PNG and a caption that claims only what the axes draw."""
    from barotrend.plot import drawn, item_label

    marks = drawn(ax)
    what = item_label(tracker._figures, r.item, r.survey)
    unit = "share of respondents (0-100%)" if r.statistic == "share" else \
        "mean rating on the whole scale"
    cap = [f"{what}: published {unit} per wave."]
    if "ci" in marks:
        cap.append("Shaded: 95% confidence interval where the base is known.")
    if "sd-range" in marks:
        cap.append("Dashed whiskers: the widest 95% interval the scale allows on the wave's "
                   "base (largest possible SD, Bhatia-Davis) -- not a confidence interval: no "
                   "SD was published.")
    if "no-interval" in marks:
        cap.append("No confidence interval can be drawn where the figures give no SD or base.")
    if "significant" in marks:
        cap.append("A star marks a change from the previous wave with p < 0.05 (unadjusted).")
    cap.append("Bases as in the methods section.")
    svg, png = figure_files(ax)
    return svg, png, " ".join(cap)


def _forest_caption(shares) -> str:
    cross = shares["comparison"].eq("surveys").any() if "comparison" in shares else False
    return ("Differences between two shares in percentage points with unadjusted 95% "
            "confidence intervals, one line per comparison; the dashed line marks no difference. "
            "Beside each line: its p-value and the p-value adjusted across the family (Holm). "
            + ("Orange diamonds compare two different surveys, whose populations and wording "
               "differ. " if cross else "")
            + "Changes of means are not drawn: without published SDs they have no interval; "
            "a mean against a share has bounds, not a difference (in the table).")


def _load(dataset) -> datasets.Dataset:
    """A loaded Dataset as it is; else :func:`barotrend.datasets.load` (an embedded name, a
    folder of CSV files or a workbook, with its optional headlines and groups)."""
    if isinstance(dataset, datasets.Dataset):
        return dataset
    return datasets.load(dataset)


# -- words -------------------------------------------------------------------------------------


# -- the page ----------------------------------------------------------------------------------


