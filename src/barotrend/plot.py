"""Figures of a Tracker: an item's series with CI ribbons, and a forest plot of comparisons.

Both draw with matplotlib in one seaborn theme (``paper`` context, ``whitegrid`` style, the
colour-blind palette; :func:`theme`) on a given or new Axes sized for a journal column
(:data:`COLUMN_IN` wide; :data:`DOUBLE_IN` for two columns) and return the Axes, so they work in
a notebook, in a script with the Agg backend, and in the HTML report.

What a figure draws is honest about what the figures allow:

* the y axis spans the item's whole range (a share 0-100%, a mean its scale) unless the caller
  passes ``ylim``; a truncated axis then carries a break mark at its foot;
* a 95% confidence interval is drawn as a ribbon only where one exists; a mean without a
  published SD gets no ribbon but dashed whiskers at the largest SD its scale allows
  (Bhatia-Davis; marked "not a CI"), and the axes say that no interval exists;
* every title, axis, legend and tick uses words: the item's short label (figures ``label``) or
  its question, the survey's and waves' labels, the groups' labels;
* a forest plot marks rows comparing two surveys and rows of bounds (a mean against a share),
  draws bounds as a bar without a point, and prints the unadjusted and adjusted p-values beside
  the (unadjusted) intervals, both labelled.

Artists carry a ``gid`` saying what they are (``ci``, ``sd-range``, ``significant``,
``no-interval``, ``bounds``, ``axis-break``), so that a caption (:func:`drawn`) claims only what
is drawn.
"""

from __future__ import annotations

import contextlib
import re
import textwrap

import numpy as np
import pandas as pd

__all__ = ["COLUMN_IN", "DOUBLE_IN", "design_series", "draw_series", "drawn", "forest",
           "series", "theme"]

#: Width of a single journal column and of a two-column figure, in inches.
COLUMN_IN, DOUBLE_IN = 3.5, 7.0


@contextlib.contextmanager
def theme():
    """The one theme of every barotrend figure (seaborn ``paper`` context, ``whitegrid`` style,
    colour-blind palette; SVG text kept as text), as a matplotlib ``rc_context``."""
    import matplotlib as mpl
    import seaborn as sns
    from cycler import cycler

    rc = {**sns.axes_style("whitegrid"), **sns.plotting_context("paper"),
          "axes.prop_cycle": cycler(color=sns.color_palette("colorblind")),
          "svg.fonttype": "none", "svg.hashsalt": "barotrend", "figure.dpi": 100,
          "savefig.dpi": 300}
    with mpl.rc_context(rc):
        yield


def _axes(ax, width=COLUMN_IN, height=3.2):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


def drawn(ax) -> set[str]:
    """The kinds of mark on ``ax`` (the ``gid`` of its artists): ``ci``, ``sd-range``,
    ``significant``, ``no-interval``, ``bounds``, ``axis-break``, ``cross-survey``."""
    arts = [*ax.lines, *ax.collections, *ax.texts, *ax.patches]
    return {a.get_gid() for a in arts if a.get_gid()}


# -- words -------------------------------------------------------------------------------------
def _short(text, width=40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else textwrap.shorten(text, width, placeholder="...")


def item_label(figures: pd.DataFrame, item: str, survey=None) -> str:
    """An item's short label: the figures' ``label`` column, else its question's wording."""
    rows = figures[figures["item"] == item]
    if survey is not None:
        rows = rows[rows["survey"] == survey]
    if rows.empty:
        return str(item)
    if "label" in rows:
        lab = rows["label"].dropna().astype(str).str.strip()
        lab = lab[lab != ""]
        if len(lab):
            return lab.iloc[0]
    return str(rows["question"].iloc[0])


def group_label(groups, survey, group, mapping=None) -> str:
    """A group's label for a legend: ``mapping[group]`` when given; "All respondents" for
    ``all``; else the groups table's ``label`` without a trailing parenthesis (when at most 40
    characters), else the group's name."""
    if mapping and group in mapping:
        return str(mapping[group])
    if group is None or str(group) == "all":
        return "All respondents"
    if groups is not None and "label" in groups:
        g = groups[(groups["group"] == group) & (groups["survey"] == survey)]
        lab = g["label"].dropna().astype(str)
        if len(lab) and lab.iloc[0].strip():
            short = re.sub(r"\s*\([^)]*\)\s*$", "", lab.iloc[0].strip())
            if len(short) <= 40:
                return short
    return str(group)


def _waves_label(waves: pd.DataFrame, survey, wave) -> str:
    w = waves[(waves["survey"] == survey) & (waves["wave"] == wave)]
    return str(w["wave_label"].iloc[0]) if len(w) and pd.notna(w["wave_label"].iloc[0]) \
        else str(wave)


def _survey_label(waves: pd.DataFrame, survey, short=False) -> str:
    """A survey's label (waves ``survey_label``); ``short`` drops a trailing parenthesis."""
    w = waves[waves["survey"] == survey]
    if "survey_label" in w and len(w) and pd.notna(w["survey_label"].iloc[0]):
        lab = str(w["survey_label"].iloc[0])
        return re.sub(r"\s*\([^)]*\)\s*$", "", lab) if short else lab
    return str(survey)


# -- y range -----------------------------------------------------------------------------------
def _set_range(ax, full, ylim, *, share):
    """The full range of the measure unless ``ylim`` is given; a break mark when the given
    range cuts the full one."""
    from matplotlib.ticker import PercentFormatter

    lo, hi = full
    pad = 0.02 * (hi - lo)
    if ylim is None:
        ax.set_ylim(lo - pad, hi + pad)
    else:
        ylo, yhi = (float(v) for v in ylim)
        if not ylo < yhi:
            raise ValueError(f"ylim must be (low, high) with low < high, got {ylim!r}")
        ax.set_ylim(ylo, yhi)
        if ylo > lo or yhi < hi:
            _axis_break(ax, at_bottom=ylo > lo)
    if share:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))


def _axis_break(ax, *, at_bottom=True):
    """Two short slanted strokes across the y axis: the axis does not start at its range's
    end."""
    y = 0.0 if at_bottom else 1.0
    kw = {"transform": ax.transAxes, "color": "k", "clip_on": False, "linewidth": 1,
          "gid": "axis-break"}
    for dy in (-0.02, 0.02):
        ax.plot([-0.025, 0.025], [y + dy - 0.012, y + dy + 0.012], **kw)


def _legend(ax, title=None):
    """The legend below the axes: outside the plotting area, so it never covers a band."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    # groups first, then the marks' explanations (stars, whiskers)
    order = sorted(range(len(labels)), key=lambda i: labels[i].startswith(("change from",
                                                                           "widest")))
    handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    return ax.legend(handles, labels, title=title, loc="upper center",
                     bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False,
                     fontsize="x-small", title_fontsize="x-small")


# -- series ------------------------------------------------------------------------------------
def series(tracker, item: str, ax=None, *, groups=None, category=None, alpha: float = 0.05,
           survey=None, sd=None, ylim=None, group_labels=None):
    """Plot an item's estimate per wave with CI ribbons per group; a star marks each wave whose
    change from the previous wave has ``p_value < alpha``.

    Parameters
    ----------
    tracker : barotrend.Tracker
    item : str
    ax : matplotlib Axes, optional
    groups : list of str, optional
        Groups to draw (default: every group of the item).
    category : str, optional
        Response category (required when the item has several).
    alpha : float, default 0.05
        Significance level of the change markers (unadjusted p-values).
    survey, sd : optional
        Passed to :meth:`Tracker.series`.
    ylim : (low, high), optional
        The y range; by default a share spans 0-100% and a mean its whole scale. A range that
        cuts the full one gets a break mark.
    group_labels : dict, optional
        Legend label of each group (default: groups.csv labels).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from barotrend import datasets
    >>> from barotrend.tracker import Tracker
    >>> ax = series(Tracker.from_dataset(datasets.load()), "area_team_relationship")
    >>> [t.get_text() for t in ax.get_xticklabels()], [round(float(v), 2) for v in ax.get_ylim()]
    (['Jan 2013', 'Q2 2013'], [-0.02, 1.02])
    """
    with theme():
        return _series(tracker, item, ax, groups, category, alpha, survey, sd, ylim,
                       group_labels)


def _series(tracker, item, ax, groups, category, alpha, survey, sd, ylim, group_labels):
    import seaborn as sns

    rows = tracker._item(item, survey)
    if category is not None:  # the groups that publish this category
        rows = rows[rows["category"] == category]
    if groups is None:
        groups = list(dict.fromkeys(rows["group"]))
    ax = _axes(ax)
    first = rows.iloc[0]
    share = first["statistic"] == "share"
    palette = sns.color_palette("colorblind", n_colors=max(len(groups), 1))
    ticks: dict[float, str] = {}
    no_interval = False
    for colour, g in zip(palette, groups, strict=False):
        s = tracker.series(item, g, category, survey=survey, sd=sd)
        if s["category"].nunique() > 1:
            raise ValueError(f"category must be given for item {item!r}; one of "
                             f"{list(dict.fromkeys(s['category']))!r}")
        x = s["date_value"].to_numpy(float)
        y = s["estimate"].to_numpy(float)
        ticks.update(zip(x, s["wave_label"], strict=True))
        waves = list(s["wave"])
        significant = np.zeros(len(waves), dtype=bool)
        for i in range(1, len(waves)):
            try:
                ch = tracker.change(item, waves[i - 1], waves[i], group=g,
                                    category=s["category"].iloc[i], survey=survey, sd=sd)
            except ValueError:
                continue
            p = ch["p_value"].iloc[0] if "p_value" in ch else np.nan
            significant[i] = bool(np.isfinite(p) and p < alpha)
        lo, hi = s["ci_low"].to_numpy(float), s["ci_high"].to_numpy(float)
        label = group_label(tracker._groups, first["survey"], g, group_labels)
        draw_series(ax, x, y, lo, hi, colour=colour, label=label, significant=significant)
        missing = ~(np.isfinite(lo) & np.isfinite(hi))
        if missing.any():
            no_interval = True
            if not share:
                _sd_range(ax, x[missing], y[missing], s["n"].to_numpy(float)[missing],
                          (float(first["scale_min"]), float(first["scale_max"])), colour)
    if no_interval:
        ax.text(0.02, 0.03, "No 95% CI: no SD published" if not share
                else "No 95% CI where the base is unknown",
                transform=ax.transAxes, fontsize="x-small", color="0.3", gid="no-interval")
    ax.set_xticks(list(ticks))
    ax.set_xticklabels(list(ticks.values()), fontsize="x-small")
    xs = np.sort(np.array(list(ticks), dtype=float))
    if len(xs) > 2 and np.diff(xs).min() < 0.2 * (xs[-1] - xs[0]):  # crowded labels
        ax.tick_params(axis="x", labelrotation=30)
    if share:
        full = (0.0, 1.0)
        cat = first["category"] if category is None else category
        ax.set_ylabel(_short(f"'{cat}' (%)", 45) if pd.notna(cat) and str(cat) else "share (%)")
    else:
        full = (float(first["scale_min"]), float(first["scale_max"]))
        ax.set_ylabel(f"mean rating ({full[0]:g} to {full[1]:g})")
    _set_range(ax, full, ylim, share=share)
    ax.set_xlabel(None)
    title = item_label(tracker._figures, item, first["survey"])
    ax.set_title(textwrap.fill(f"{title} ({_survey_label(tracker._waves, first['survey'])})",
                               55), fontsize="small")
    if len(groups) > 1 or drawn(ax) & {"significant", "sd-range"}:
        _legend(ax)
    return ax


def _sd_range(ax, x, y, n, scale, colour):
    """Dashed whiskers at the largest SD the scale allows (Bhatia-Davis) on the wave's base: the
    widest a 95% interval could be; no whisker where the base is unknown."""
    from scipy import stats

    from barotrend.figures.means import bhatia_davis_sd

    ok = np.isfinite(n) & (n > 1) & np.isfinite(y)
    if not ok.any():
        return
    half = np.array([stats.t.ppf(0.975, k - 1) * bhatia_davis_sd(m, scale, int(k)) / np.sqrt(k)
                     for m, k in zip(y[ok], n[ok], strict=True)])
    bars = ax.errorbar(x[ok], y[ok], yerr=half, fmt="none", ecolor=colour, elinewidth=0.9,
                       capsize=2, alpha=0.7,
                       label="widest 95% interval the scale allows\n(SD not published; not a CI)")
    for part in bars.lines[1]:
        part.set_gid("sd-range")
    for part in bars.lines[2]:
        part.set_gid("sd-range")
        part.set_linestyle("--")


def draw_series(ax, x, y, lo, hi, *, colour, label, significant):
    """One group's line with its CI ribbon (where finite) and a star at each ``significant``
    point; shared by the published-figure and the microdata series plots."""
    ax.plot(x, y, marker="o", markersize=4, color=colour, label=label)
    ok = np.isfinite(lo) & np.isfinite(hi)
    if ok.any():
        ax.fill_between(x[ok], lo[ok], hi[ok], color=colour, alpha=0.2, linewidth=0, gid="ci")
    sig = np.asarray(significant, dtype=bool)
    if sig.any():
        ax.plot(x[sig], y[sig], marker="*", markersize=10, color=colour, linestyle="none",
                gid="significant", label="change from the previous wave, p < 0.05"
                if not any(ln.get_gid() == "significant" for ln in ax.lines) else None)


def design_series(tracker, item: str, ax=None, *, groups=None, alpha: float = 0.05,
                  ylim=None, group_labels=None, label=None):
    """Plot a microdata tracker's item per wave: design-based estimate and 95% CI ribbon per
    group, a star where the change from the previous wave has ``p_value < alpha``.

    A 0/1 item is a share (0-100%); any other item spans the range of its answers unless
    ``ylim`` is given (a cut range gets a break mark).

    Parameters
    ----------
    tracker : barotrend.tracking.designs.DesignTracker
    item : str
    ax : matplotlib Axes, optional
    groups : list, optional
        Levels of the tracker's group column to draw (default: the whole sample only).
    alpha : float, default 0.05
    ylim : (low, high), optional
    group_labels : dict, optional
        Legend label of each level (e.g. ``{True: "GP", False: "non-GP"}``; default the level
        as text, True/False as ``<column>``/``not <column>``).
    label : str, optional
        Words for the item (default: the column name).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from barotrend.design import Design
    >>> from barotrend.tracker import Tracker
    >>> d = pd.DataFrame({"unit": [1, 2, 3, 4] * 2, "wave": ["W1"] * 4 + ["W2"] * 4,
    ...                   "y": [1.0, 2, 3, 4, 2, 2, 5, 5]})
    >>> ax = design_series(Tracker.from_designs(Design(d, cluster="unit"), items="y",
    ...                                         wave="wave"), "y")
    >>> [t.get_text() for t in ax.get_xticklabels()], [round(float(v), 2) for v in ax.get_ylim()]
    (['W1', 'W2'], [0.92, 5.08])
    """
    with theme():
        import seaborn as sns

        ax = _axes(ax)
        groups = [None] if groups is None else list(groups)
        palette = sns.color_palette("colorblind", n_colors=len(groups))
        waves = list(tracker.waves)
        x = np.arange(len(waves), dtype=float)
        for colour, g in zip(palette, groups, strict=True):
            s = tracker.series(item, group=g)
            significant = np.zeros(len(waves), dtype=bool)
            for i in range(1, len(waves)):
                p = tracker.change(item, waves[i - 1], waves[i], group=g)["p_value"].iloc[0]
                significant[i] = bool(np.isfinite(p) and p < alpha)
            draw_series(ax, x, s["estimate"].to_numpy(float), s["ci_low"].to_numpy(float),
                        s["ci_high"].to_numpy(float), colour=colour,
                        label=_level_label(tracker.group, g, group_labels),
                        significant=significant)
        ax.set_xticks(x)
        ax.set_xticklabels([str(w) for w in waves])
        values = pd.concat([d.data[item] for d in _designs(tracker)]).astype(float).dropna()
        share = bool(len(values)) and set(values.unique()) <= {0.0, 1.0}
        full = (0.0, 1.0) if share else (float(values.min()), float(values.max()))
        if full[0] == full[1]:
            full = (full[0] - 1, full[1] + 1)
        _set_range(ax, full, ylim, share=share)
        words = label or str(item)
        ax.set_ylabel(f"{words} (%)" if share else f"mean {words}")
        ax.set_title(f"{words}: estimate and 95% CI by wave", fontsize="small")
        _legend(ax, title=None)
        return ax


def _designs(tracker):
    return [tracker.stacked] if tracker.stacked is not None else list(tracker.designs.values())


def _level_label(column, level, mapping=None) -> str:
    """Words for a level of a group column: ``mapping[level]``; ``All respondents`` for None;
    True/False as ``<column>``/``not <column>``; else the level as text."""
    if mapping and level in mapping:
        return str(mapping[level])
    if level is None:
        return "All respondents"
    if isinstance(level, (bool, np.bool_)):
        return str(column) if level else f"not {column}"
    return str(level)


# -- forest ------------------------------------------------------------------------------------
def forest(results: pd.DataFrame, ax=None, *, label=None, value: str | None = None,
           scale: float = 1.0, unit: str = "", tracker=None):
    """Forest plot of a table of comparisons (or estimates): point and 95% CI per row.

    Rows comparing two surveys (``comparison == 'surveys'`` or a survey ``a vs b``) are drawn
    in another colour with a diamond and marked "[two surveys]"; a row with bounds instead of an
    interval (a mean against a share: no point estimate) is drawn as a hatched bar, marked
    "[bounds, not a CI]". When the table has ``p_value`` (and ``p_adjusted``) they are printed
    at the right of each row, labelled "p" and "adj. p": the intervals are unadjusted.

    Parameters
    ----------
    results : pandas.DataFrame
        Result frame with ``ci_low``, ``ci_high`` and ``difference`` (or ``estimate``).
    ax : matplotlib Axes, optional
    label : str or callable, optional
        Column giving the row labels, or a function of a row; default words from ``tracker``
        (item label, waves or surveys, groups), else ``item``, ``wave`` and ``group`` joined.
    value : str, optional
        Column of the points (default ``difference`` where present, else ``estimate``).
    scale : float, default 1
        Factor for the axis (100 shows shares' differences in percentage points).
    unit : str, optional
        Unit in the axis label (e.g. ``"percentage points"``).
    tracker : barotrend.Tracker, optional
        Gives words for the default row labels.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> r = pd.DataFrame({"item": ["a", "b"], "wave": ["W1->W2", "W2->W3"],
    ...                   "difference": [0.1, -0.05], "ci_low": [0.0, -0.2],
    ...                   "ci_high": [0.2, 0.1]})
    >>> ax = forest(r)
    >>> len(ax.get_yticklabels())
    2
    """
    if not isinstance(results, pd.DataFrame) or results.empty:
        raise ValueError("results must be a non-empty result DataFrame")
    if value is None:
        value = "difference" if "difference" in results else "estimate"
    for c in (value, "ci_low", "ci_high"):
        if c not in results:
            raise ValueError(f"results must have a {c!r} column")
    with theme():
        return _forest(results, ax, label, value, float(scale), unit, tracker)


def _forest(results, ax, label, value, scale, unit, tracker):
    cross = _cross_survey(results)
    est = scale * results[value].to_numpy(float)
    lo, hi = scale * results["ci_low"].to_numpy(float), scale * results["ci_high"].to_numpy(float)
    has_ci = np.isfinite(lo) & np.isfinite(hi)
    bounds = has_ci & ~np.isfinite(est)
    marks = ["  [" + "; ".join(m for m, on in (("two surveys", c), ("bounds, not a CI", b))
                               if on) + "]" if c or b else "" for c, b in zip(cross, bounds,
                                                                              strict=True)]
    ticks = [textwrap.fill(f"{t}{m}", 46) for t, m in zip(_labels(results, label, tracker),
                                                          marks, strict=True)]
    # rows as tall as their wrapped labels, top to bottom
    lines = np.array([t.count("\n") + 1 for t in ticks], dtype=float)
    height = 0.13 * lines + 0.14  # inches
    y = (height.sum() - np.cumsum(height) + height / 2)
    ax = _axes(ax, DOUBLE_IN, height.sum() + 1.5)
    cross = _cross_survey(results)
    has_ci = np.isfinite(lo) & np.isfinite(hi)
    bounds = has_ci & ~np.isfinite(est)
    for mask, colour, marker, gid, lab in (
            (has_ci & ~bounds & ~cross, "C0", "o", None, "95% CI (unadjusted)"),
            (has_ci & ~bounds & cross, "C1", "D", "cross-survey",
             "two surveys: populations and wording differ")):
        if mask.any():
            eb = ax.errorbar(est[mask], y[mask], xerr=[est[mask] - lo[mask], hi[mask] - est[mask]],
                             fmt=marker, color=colour, capsize=3, markersize=4, label=lab)
            if gid:
                for part in (eb.lines[0], *eb.lines[2]):
                    part.set_gid(gid)
    for yi, a, b in zip(y[bounds], lo[bounds], hi[bounds], strict=True):
        ax.barh(yi, b - a, left=a, height=0.35, color="0.85", edgecolor="0.4", hatch="///",
                gid="bounds", label="bounds (not a CI)"
                if "bounds" not in drawn(ax) else None)
    point = ~has_ci & np.isfinite(est)
    if point.any():  # no interval: an open marker
        ax.plot(est[point], y[point], "o", mfc="white", color="C0", gid="no-interval",
                label="no interval")
    if value == "difference":
        ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yticks(y)
    ax.set_yticklabels(ticks, fontsize="x-small")
    ax.set_ylim(0, height.sum())
    ax.grid(axis="y", visible=False)
    if "p_value" in results:
        ax.set_title("p  |  adj. p" if "p_adjusted" in results else "p", loc="right",
                     fontsize="x-small")
        for yi, (_, r) in zip(y, results.iterrows(), strict=True):
            text = _p(r["p_value"]) + (f"  |  {_p(r['p_adjusted'])}" if "p_adjusted" in r
                                        else "")
            ax.annotate(text, (1.01, yi), xycoords=("axes fraction", "data"), va="center",
                        fontsize="x-small", annotation_clip=False)
    words = {"difference": "difference", "estimate": "estimate"}.get(value, value)
    ax.set_xlabel(f"{words}{f' ({unit})' if unit else ''}, 95% CI (unadjusted)")
    _legend(ax)
    return ax


def _p(p) -> str:
    """A p-value in the one format (:func:`barotrend.display.fmt_pvalue`); "-" when missing."""
    from barotrend.display import fmt_pvalue

    return fmt_pvalue(p) or "-"


def _cross_survey(results) -> np.ndarray:
    if "comparison" in results:
        out = results["comparison"].astype(str).eq("surveys").to_numpy().copy()
    else:
        out = np.zeros(len(results), dtype=bool)
    if "survey" in results:
        out |= results["survey"].astype(str).str.contains(" vs ").to_numpy()
    return out


def _labels(results, label, tracker=None):
    if callable(label):
        return [str(label(r)) for _, r in results.iterrows()]
    if label is not None:
        return results[label].astype(str).tolist()
    if tracker is not None:
        return [comparison_words(tracker, r) for _, r in results.iterrows()]
    cols = [c for c in ("item", "wave", "group") if c in results]
    return [" | ".join(str(r[c]) for c in cols if str(r[c]) not in ("", "all"))
            for _, r in results.iterrows()]


def comparison_words(tracker, r) -> str:
    """A comparison row in words: the item's label, the waves' (or surveys') labels and the
    groups, e.g. "Relationship with the area team: Jan 2013 to Q2 2013"."""
    f, w = tracker._figures, tracker._waves
    surveys = str(r.get("survey", "")).split(" vs ")
    items = str(r.get("item", "")).split(" vs ")
    waves = str(r.get("wave", ""))
    if len(surveys) == 2:
        wa, wb = [*waves.split(" vs "), ""][:2]
        items = items + items[:1] if len(items) == 1 else items
        la, lb = item_label(f, items[0], surveys[0]), item_label(f, items[1], surveys[1])
        a = f"{_survey_label(w, surveys[0], short=True)} {_waves_label(w, surveys[0], wa)}"
        b = f"{_survey_label(w, surveys[1], short=True)} {_waves_label(w, surveys[1], wb)}"
        if la == lb:
            return f"{la}: {a} vs {b}"
        return f"{la} ({a}) vs {lb} ({b})"
    s = surveys[0]
    what = item_label(f, items[0], s)
    if "->" in waves:
        a, b = waves.split("->", 1)
        when = f"{_waves_label(w, s, a)} to {_waves_label(w, s, b)}"
    else:
        when = _waves_label(w, s, waves)
    g = str(r.get("group", "all"))
    if " vs " in g:
        ga, gb = g.split(" vs ", 1)
        who = f", {group_label(tracker._groups, s, ga)} vs {group_label(tracker._groups, s, gb)}"
    elif g not in ("all", "", "nan"):
        who = f", {group_label(tracker._groups, s, g)}"
    else:
        who = ""
    return f"{what}: {when}{who}"
