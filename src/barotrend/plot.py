"""Figures of a Tracker: an item's series with CI ribbons, and a forest plot of comparisons.

Both draw with matplotlib (seaborn's palette) on a given or new Axes and return the Axes, so
they work in a notebook, in a script with the Agg backend, and in the HTML report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["design_series", "draw_series", "forest", "series"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.5))
    return ax


def series(tracker, item: str, ax=None, *, groups=None, category=None, alpha: float = 0.05,
           survey=None, sd=None):
    """Plot an item's estimate per wave with CI ribbons per group; a star marks each wave whose
    change from the previous wave has ``p_value < alpha``.

    Parameters
    ----------
    tracker : barotrend.Tracker
    item : str
    ax : matplotlib Axes, optional
    groups : list of str, optional
        Groups to draw (default: every group of the item with figures in two or more waves,
        else every group).
    category : str, optional
        Response category (required when the item has several).
    alpha : float, default 0.05
        Significance level of the change markers (unadjusted p-values).
    survey, sd : optional
        Passed to :meth:`Tracker.series`.

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
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['Jan 2013', 'Q2 2013']
    """
    import seaborn as sns

    ax = _axes(ax)
    rows = tracker._item(item, survey)
    if groups is None:
        if category is not None:  # the groups that publish this category
            rows = rows[rows["category"] == category]
        groups = list(dict.fromkeys(rows["group"]))
    palette = sns.color_palette(n_colors=max(len(groups), 1))
    ticks: dict[float, str] = {}
    share = False
    for colour, g in zip(palette, groups, strict=False):
        s = tracker.series(item, g, category, survey=survey, sd=sd)
        if s["category"].nunique() > 1:
            raise ValueError(f"category must be given for item {item!r}; one of "
                             f"{list(dict.fromkeys(s['category']))!r}")
        x = s["date_value"].to_numpy(float)
        y = s["estimate"].to_numpy(float)
        share = share or bool(s["method"].str.contains("wilson|share").any())
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
        draw_series(ax, x, y, s["ci_low"].to_numpy(float), s["ci_high"].to_numpy(float),
                    colour=colour, label=g, significant=significant)
    ax.set_xticks(list(ticks))
    ax.set_xticklabels(list(ticks.values()))
    ax.set_ylabel("share" if share else "estimate")
    ax.set_title(item)
    if len(groups) > 1:
        ax.legend(title="group")
    return ax


def draw_series(ax, x, y, lo, hi, *, colour, label, significant):
    """One group's line with its CI ribbon (where finite) and a star at each ``significant``
    point; shared by the published-figure and the microdata series plots."""
    ax.plot(x, y, marker="o", color=colour, label=label)
    ok = np.isfinite(lo) & np.isfinite(hi)
    if ok.any():
        ax.fill_between(x[ok], lo[ok], hi[ok], color=colour, alpha=0.2, linewidth=0)
    sig = np.asarray(significant, dtype=bool)
    if sig.any():
        ax.plot(x[sig], y[sig], marker="*", markersize=14, color=colour, linestyle="none")


def design_series(tracker, item: str, ax=None, *, groups=None, alpha: float = 0.05):
    """Plot a microdata tracker's item per wave: design-based estimate and 95% CI ribbon per
    group, a star where the change from the previous wave has ``p_value < alpha``.

    Parameters
    ----------
    tracker : barotrend.tracking.designs.DesignTracker
    item : str
    ax : matplotlib Axes, optional
    groups : list, optional
        Levels of the tracker's group column to draw (default: the whole sample only).
    alpha : float, default 0.05

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
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['W1', 'W2']
    """
    import seaborn as sns

    ax = _axes(ax)
    groups = [None] if groups is None else list(groups)
    palette = sns.color_palette(n_colors=len(groups))
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
                    label="all" if g is None else str(g), significant=significant)
    ax.set_xticks(x)
    ax.set_xticklabels([str(w) for w in waves])
    ax.set_ylabel(f"{item} (95% CI)")
    ax.set_title(item)
    if len(groups) > 1:
        ax.legend(title=str(tracker.group))
    return ax


def forest(results: pd.DataFrame, ax=None, *, label=None, value: str | None = None):
    """Forest plot of a table of comparisons (or estimates): point and CI per row.

    Parameters
    ----------
    results : pandas.DataFrame
        Result frame with ``ci_low``, ``ci_high`` and ``difference`` (or ``estimate``).
    ax : matplotlib Axes, optional
    label : str or callable, optional
        Column giving the row labels, or a function of a row; default ``item``, ``wave`` and
        ``group`` joined.
    value : str, optional
        Column of the points (default ``difference`` where present, else ``estimate``).

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
    ax = _axes(ax)
    y = np.arange(len(results))[::-1]
    est = results[value].to_numpy(float)
    lo, hi = results["ci_low"].to_numpy(float), results["ci_high"].to_numpy(float)
    ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(est)
    ax.errorbar(est[ok], y[ok], xerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="o",
                color="C0", capsize=3)
    ax.plot(est[~ok], y[~ok], "o", mfc="white", color="C0")  # no interval: open marker
    if value == "difference":
        ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yticks(y)
    ax.set_yticklabels(_labels(results, label))
    ax.set_xlabel(value)
    return ax


def _labels(results, label):
    if callable(label):
        return [str(label(r)) for _, r in results.iterrows()]
    if label is not None:
        return results[label].astype(str).tolist()
    cols = [c for c in ("item", "wave", "group") if c in results]
    return [" | ".join(str(r[c]) for c in cols if str(r[c]) not in ("", "all"))
            for _, r in results.iterrows()]
