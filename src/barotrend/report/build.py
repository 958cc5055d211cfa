"""The main job: a report on a set of published barometer figures.

``build_report`` loads and validates the figures, runs the consistency checks, gives a verdict
for every headline, draws the series and the comparisons, and writes ``index.html`` (self-
contained), one PNG per figure and one CSV per table into the output folder.
"""

from __future__ import annotations

import html
import io
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pandas as pd

import barotrend
from barotrend import datasets
from barotrend.figures.checks import check_figures
from barotrend.report import html as H
from barotrend.report.verdicts import headline_verdicts

METHODS = [
    ("Rounding", "Published percentages and means are treated as rounded half-up to their "
     "published decimals. A percentage on base n is consistent only with the whole counts that "
     "round to it (feasible counts); tests take the least favourable of those counts."),
    ("Bases", "The base is the one the article states; otherwise the wave's number of "
     "respondents, assuming no item non-response (said in every note). When a question's "
     "published shares are impossible on that number, the bases from 80% of it up to it on "
     "which all of them are achievable are used, and the least favourable decides."),
    ("Groups", "How groups relate is read from groups.csv (partition, disjoint or nested "
     "within a parent group). Two groups are compared as independent samples only when they "
     "are known to be disjoint; stated bases are used as they are. Unpublished subgroup bases "
     "are reconstructed only for groups that partition their parent (GP / non-GP of all "
     "respondents), from the parent's and the groups' shares: every consistent combination is "
     "tested and the least favourable decides. A group and a group within it are compared as "
     "the subgroup against the rest of the parent, over every feasible subgroup base when it was "
     "not published (least favourable p). Groups of unknown relation are compared only when "
     "both bases are stated (assumed disjoint, and said so); a base is never split between "
     "them."),
    ("Surveys", "A concept shared by two surveys is compared for the whole samples, category "
     "by category, each wave against the other survey's nearest wave in time, with every "
     "difference of wording, category, measure, scale or population noted. Pairs that need a "
     "judgement (a concept published only per group, categories that differ) are listed as not "
     "compared, with the reason."),
    ("One share", "Wilson score intervals (with the union over feasible counts for rounded "
     "figures); a share against a threshold by the score test with the null variance."),
    ("Two shares", "Independent samples (two waves, two groups): Newcombe's hybrid score "
     "interval for the difference and the pooled z test. Two answers to one question: the "
     "multinomial variance of Scott and Seber (1983). Two items answered by the same people: the "
     "variance at the Frechet bounds of the unpublished joint share (Wild and Seber 1993)."),
    ("Means without SDs", "No SD is published, so a change of means is not tested: the report "
     "gives the tipping-point SD below which it would be significant (Welch df) and the largest "
     "SD the scale allows (Bhatia-Davis bound)."),
    ("Finite population", "Where the population is a known set of organisations (211 CCGs) the "
     "finite-population correction (N - n)/(N - 1) applies to unit-level figures; the leaders "
     "answering are not a sample of a listed population, so their figures are not corrected."),
    ("Multiple comparisons", "p-values in the comparisons table are adjusted across the whole "
     "family (Holm by default) in the p_adjusted column; verdicts use unadjusted p at 0.05."),
    ("Different measures and surveys", "Items from different surveys, populations, wordings or "
     "measures (a mean rating against a share) are flagged as not comparable; the bounds a mean "
     "puts on a share are given, with the assumption any comparison would need."),
]


def _progress(quiet: bool):
    start = time.perf_counter()

    def step(msg: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - start:5.1f}s] {msg}", file=sys.stderr, flush=True)
    return step


def _png(ax) -> bytes:
    fig = ax.figure
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


_SHARE_TESTS = ("share_vs_threshold", "consistency")
_SHARE_DIFFERENCES = ("change_share", "group_difference", "categories_same_question",
                      "items_same_sample")


def _verdict_estimate(r) -> str:
    """The estimate a verdict rests on, in the unit a reader expects, with its interval."""
    est, lo, hi = r["estimate"], r["ci_low"], r["ci_high"]
    if pd.isna(est):
        return ""
    if r["test"] in _SHARE_TESTS:
        text, ci = f"{100 * est:.1f}%", f" ({100 * lo:.1f}% to {100 * hi:.1f}%)"
    elif r["test"] in _SHARE_DIFFERENCES:
        text, ci = f"{100 * est:+.1f} pts", f" ({100 * lo:+.1f} to {100 * hi:+.1f})"
    elif r["test"] == "change_mean":
        text, ci = f"{est:+.2f} on the scale", ""
    else:
        text, ci = f"{est:.2f}", ""
    return text + (ci if pd.notna(lo) and pd.notna(hi) else "")


def _label_series(ax, fig) -> None:
    """Title and axis labels a reader can follow without the text: the question and the unit."""
    import textwrap

    ax.set_title(textwrap.fill(f"{fig['question']} ({fig['survey']})", 70), fontsize=9)
    if fig["statistic"] == "share":
        ax.set_ylabel(f"share answering '{fig['category']}'")
    else:
        ax.set_ylabel(f"mean rating ({int(fig['scale_min'])}-{int(fig['scale_max'])})")
    ax.set_xlabel("wave (95% CI shaded where the published figures allow one)")


def _share_differences(comp: pd.DataFrame) -> pd.DataFrame:
    """Comparisons of two shares with an interval (means without SDs have none; bounds are not
    differences), so that one axis in percentage points serves them all."""
    need = ("ci_low", "ci_high", "difference", "estimate_a", "estimate_b")
    if comp.empty or any(c not in comp for c in need):
        return comp[:0]
    ok = comp["ci_low"].notna() & comp["ci_high"].notna() & comp["difference"].notna()
    ok &= comp["estimate_a"].between(0, 1) & comp["estimate_b"].between(0, 1)
    return comp[ok]


def _forest(shares: pd.DataFrame) -> bytes:
    import matplotlib.pyplot as plt

    from barotrend.plot import forest

    scaled = shares.assign(**{c: 100 * shares[c] for c in ("difference", "ci_low", "ci_high")})
    _, ax = plt.subplots(figsize=(8, 0.55 * len(scaled) + 1.4))
    forest(scaled, ax=ax, label=lambda r: f"{r['item']} | {r['wave']} | {r['group']}")
    ax.set_xlabel("difference (percentage points), 95% CI")
    ax.set_title("Differences between shares: waves, groups and surveys")
    return _png(ax)


def _waves_table(d) -> pd.DataFrame:
    w = d.waves
    rate = w["responding_units"].astype("Float64") / w["population_units"].astype("Float64")
    return pd.DataFrame({
        "survey": w["survey_label"], "wave": w["wave_label"], "date": w["date"],
        "date inferred": w["date_inferred"], "population": w["population"],
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

    Returns a dict of the files written (``html``, and each table and figure by name).

    Examples
    --------
    >>> import tempfile
    >>> files = build_report(out=tempfile.mkdtemp())
    >>> sorted(k for k in files if k.endswith("csv"))[:3]
    ['checks.csv', 'comparisons.csv', 'series.csv']
    """
    import matplotlib

    matplotlib.use("Agg")
    from barotrend.tracker import Tracker

    step = _progress(quiet)
    d = _load(dataset)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    step(f"loaded {d.name!r}: {len(d.figures)} figures, {len(d.waves)} waves")
    tables: dict[str, pd.DataFrame] = {"waves": _waves_table(d)}
    tables["checks"] = check_figures(d.figures, d.waves, groups=d.groups)
    step(f"consistency checks: {len(tables['checks'])}")
    # the verdicts rest on what was published (no user-assumed bases) and on the groups'
    # stated relations: the data set's, or those the given tracker was built with
    groups = getattr(tracker, "_groups", None) if tracker is not None else None
    kw = {} if groups is None else {"groups": groups}
    tables["verdicts"] = (headline_verdicts(d, tracker=Tracker.from_dataset(d, **kw))
                          if len(d.headlines) else pd.DataFrame())
    step(f"headline verdicts: {len(tables['verdicts'])}")
    tracker = tracker if tracker is not None else Tracker.from_dataset(d)
    series_parts, pngs = [], {}
    for r in _linked(tracker):
        series_parts.append(tracker.series(r.item, category=r.category, survey=r.survey))
        ax = tracker.plot_series(r.item, category=r.category, survey=r.survey)
        f = tracker.figures
        _label_series(ax, f[(f["item"] == r.item) & (f["survey"] == r.survey)
                            & (f["category"] == r.category)].iloc[0])
        pngs[r.name] = (_png(ax), r)
    tables["series"] = pd.concat(series_parts, ignore_index=True) if series_parts else \
        pd.DataFrame()
    step(f"series plotted: {len(pngs)}")
    tables["comparisons"] = tracker.all_comparisons()
    shares = _share_differences(tables["comparisons"])
    if len(shares):
        pngs["forest_comparisons"] = (_forest(shares), None)
    step(f"comparisons: {len(tables['comparisons'])}")
    files = {}
    for name, df in tables.items():
        files[f"{name}.csv"] = out / f"{name}.csv"
        df.to_csv(files[f"{name}.csv"], index=False)
    for name, (png, _) in pngs.items():
        files[f"{name}.png"] = out / f"{name}.png"
        files[f"{name}.png"].write_bytes(png)
    files["html"] = out / "index.html"
    files["html"].write_text(_html(d, tables, pngs), encoding="utf-8")
    step(f"wrote {files['html']}")
    return files


def _load(dataset) -> datasets.Dataset:
    """A loaded Dataset as it is; else :func:`barotrend.datasets.load` (an embedded name, a
    folder of CSV files or a workbook, with its optional headlines and groups)."""
    if isinstance(dataset, datasets.Dataset):
        return dataset
    return datasets.load(dataset)


def _html(d, tables, pngs) -> str:
    sec = []
    intro = (f"<p>barotrend {barotrend.__version__} report on the data set "
             f"<b>{html.escape(d.name)}</b>: {len(d.figures)} published figures from "
             f"{len(d.sources)} sources, {len(d.waves)} waves of {d.waves['survey'].nunique()} "
             f"surveys. Every table is also written as CSV beside this file.</p>")
    sec.append(("Waves, bases and response rates", intro + H.table(
        tables["waves"], percent=("unit response rate",))))
    v = tables["verdicts"]
    if len(v):
        counts = v["verdict"].value_counts()
        summary = "; ".join(f"{k}: {n}" for k, n in counts.items())
        shown = v.assign(**{"estimate (95% CI)": v.apply(_verdict_estimate, axis=1)})[
            ["claim", "published", "verdict", "estimate (95% CI)", "p_value", "reason"]]
        sec.append(("Verdicts on the headlines", f"<p>Each claim as the article made it, the "
                    f"figures it rests on, and what they support ({summary}). Differences of "
                    f"shares are in percentage points (pts); means are on their scale.</p>" + H.table(
                        shown, verdict_column="verdict")))
    c = tables["checks"]
    order = c.assign(_o=c["verdict"].map({"fail": 0, "not testable": 2}).fillna(1)).sort_values(
        "_o", kind="stable").drop(columns="_o")
    nfail = int((c["verdict"] == "fail").sum())
    sec.append(("Consistency checks", f"<p>{len(c)} checks of the published figures; "
                f"{nfail} fail (shown first).</p>" + H.table(order, verdict_column="verdict")))
    figs = []
    for png, r in pngs.values():
        if r is None:
            continue
        cap = (f"{r.item}: published {r.statistic} per wave with 95% confidence intervals "
               f"(shaded); a star marks a change from the previous wave with p < 0.05. Bases "
               f"as in the methods section.")
        figs.append(H.figure(png, cap, f"series of {r.item}"))
    s = tables["series"]
    sec.append(("Series", "".join(figs) + (H.table(s) if len(s) else "<p>No item is "
                                           "published in two or more waves.</p>")))
    comp = tables["comparisons"]
    skipped = comp[comp["comparison"] == "not compared"] if "comparison" in comp else comp[:0]
    comp = comp.drop(index=skipped.index)
    body = "<p>Every change, group comparison and survey comparison the figures allow, " \
           "p-values adjusted across the family (Holm) in p_adjusted.</p>"
    if "forest_comparisons" in pngs:
        body += H.figure(pngs["forest_comparisons"][0], "Differences between two shares in "
                         "percentage points with 95% confidence intervals, one line per "
                         "comparison (item | waves or surveys compared | groups); the dashed "
                         "line marks no difference. Changes of means are not drawn: without "
                         "published SDs they have no interval.", "forest plot of comparisons")
    keep = [c for c in ("survey", "wave", "item", "group", "estimate_a", "estimate_b",
                        "difference", "ci_low", "ci_high", "p_value", "p_adjusted", "method",
                        "note") if c in comp.columns]
    body += H.table(comp[keep])
    if len(skipped):
        body += (f"<p><b>Not compared</b> ({len(skipped)}): comparisons the figures suggest but "
                 "that cannot be made without a judgement or a figure, with the reason.</p>" +
                 H.table(skipped[["survey", "wave", "item", "note"]].rename(
                     columns={"note": "reason"})))
    sec.append(("Comparisons", body))
    methods = "".join(f"<dt><b>{html.escape(k)}</b></dt><dd>{html.escape(t)}</dd>"
                      for k, t in METHODS)
    sec.append(("Methods and assumptions", f"<dl>{methods}</dl>"))
    return H.page(f"barotrend report: {d.name}", sec)
