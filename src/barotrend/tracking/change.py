"""Difference between two published figures: a wave-on-wave change, a group gap, two surveys.

The inference is delegated: shares to
:func:`barotrend.figures.differences.compare_proportions`, means to
:func:`barotrend.figures.means.compare_means`. This module resolves what those need from the
Tracker's tables (bases, decimals, scales), labels the rows and carries every assumption into
``note``. Where a base is unknown the row gives the difference of the published figures with
NaN standard error, interval and p-value, and says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from barotrend.tracking.series import figure_notes, join_notes

#: Order of the rows of ``compare_means``: the first is the comparison's primary row.
MEAN_ROW_ORDER = {"welch": 0, "tipping_sd": 1, "tipping_sd_rounded": 2, "p_at_sd": 3,
                  "sd_max_a": 4, "sd_max_b": 5}


def _as_list(x) -> list:
    if x is None:
        return [None]
    if isinstance(x, Iterable) and not isinstance(x, str):
        vals = list(x)
        if not vals:
            raise ValueError(f"correlation must be a number or a non-empty sequence, got {x!r}")
        return vals
    return [x]


def _value(fig: Mapping) -> float:
    v = float(fig["value"])
    return v / 100 if fig["statistic"] == "share" else v


def compare_figures(fa: Mapping, fb: Mapping, na: float, nb: float, *, labels: Mapping,
                    notes: Iterable[str] = (), correlation=None, overlap=None,
                    sd=None, sd_range=None, conf_level: float = 0.95,
                    counts=None) -> list[dict]:
    """Rows comparing figure ``fa`` with figure ``fb`` (difference ``a - b``).

    Parameters
    ----------
    fa, fb : mapping
        Rows of the Tracker's figure table with the same ``statistic`` (share or mean).
    na, nb : float
        Resolved bases (NaN when unknown).
    labels : mapping
        Label columns for every row (survey, wave, item, group, category...).
    notes : iterable of str
        Notes (base assumptions, comparability) added to every row.
    correlation : float or sequence of float, optional
        Stated correlation between the two estimates (overlapping samples); a sequence gives
        one row per value (a sensitivity analysis).
    overlap : int, optional
        Stated number of units in both samples (shares only); ``correlation`` is then the
        unit-level correlation of their two answers (see ``compare_proportions``).
    sd : float, optional
        Stated SD of both means (an assumption, noted). Without it, when both figures publish
        an SD (``sd``), each mean has its own: Welch t test.
    sd_range : tuple, optional
        SD range for the unknown-SD analysis of means.
    conf_level : float
        Confidence level.
    counts : tuple of int, optional
        Whole counts ``(count_a, count_b)`` behind two shares (e.g. reconstructed with the
        group sizes): then the shares tested are ``count / n``, not the rounded percentages.

    Returns
    -------
    list of dict
        Result rows in the schema; extra columns ``category`` and ``correlation``.

    Examples
    --------
    >>> fa = {"wave": "W3", "statistic": "share", "value": 68.0}
    >>> fb = {"wave": "W1", "statistic": "share", "value": 73.0}
    >>> r = compare_figures(fa, fb, 94.0, np.nan, labels={"item": "x"})
    >>> round(r[0]["difference"], 2), r[0]["p_value"]
    (-0.05, nan)
    """
    stat = fa["statistic"]
    if fb["statistic"] != stat:
        raise ValueError(f"cannot compare a {stat} with a {fb['statistic']} here; "
                         "use compare_surveys for a mean against a share")
    base_notes = list(notes) + figure_notes(fb) + figure_notes(fa)
    if stat not in ("share", "mean"):
        raise ValueError(f"statistic must be share or mean, got {stat!r}")
    if stat == "mean" and overlap is not None:
        raise ValueError(f"overlap={overlap!r} applies to shares; for means state the "
                         "correlation of the two means with correlation=")
    if not (np.isfinite(na) and np.isfinite(nb)):
        d = _value(fa) - _value(fb)
        return [dict(labels, estimate_a=_value(fa), estimate_b=_value(fb), difference=d,
                     estimate=d, se=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan,
                     method="difference of published figures (not testable)",
                     note=join_notes(base_notes, "base unknown: the difference cannot be "
                                     "tested; state a base with assumed_bases= to test it"))]
    rows = []
    for c in _as_list(correlation):
        if stat == "share":
            res = _shares(fa, fb, na, nb, c, overlap, conf_level, counts)
        else:
            res = _means(fa, fb, na, nb, c, sd, sd_range, conf_level)
            if "row" in res.columns:  # primary row first: Welch, else the tipping-point SD
                rank = res["row"].map(MEAN_ROW_ORDER).fillna(len(MEAN_ROW_ORDER))
                res = res.iloc[np.argsort(rank.to_numpy(), kind="stable")]
        for r in res.to_dict("records"):
            out = dict(r)
            out.update(labels)
            out.setdefault("p_value", np.nan)
            out["correlation"] = np.nan if c is None else float(c)
            extra = [] if c is None else [f"correlation {c:g} between waves stated by the user"]
            out["note"] = join_notes(base_notes, extra, r.get("note", ""))
            if "estimate" not in out or (isinstance(out["estimate"], float)
                                         and np.isnan(out["estimate"])):
                out["estimate"] = out.get("difference", np.nan)
            rows.append(out)
    return rows


def _shares(fa, fb, na, nb, c, overlap, conf_level, counts=None):
    from barotrend.figures.differences import compare_proportions

    if counts is not None:
        ka, kb = (int(k) for k in counts)
        return compare_proportions(ka, int(na), kb, int(nb), conf_level=conf_level,
                                   correlation=c, overlap=overlap)
    da, db = int(fa.get("decimals", 0) or 0), int(fb.get("decimals", 0) or 0)
    return compare_proportions(percent_a=float(fa["value"]), n_a=int(na),
                               percent_b=float(fb["value"]), n_b=int(nb),
                               decimals=min(da, db), conf_level=conf_level,
                               correlation=c, overlap=overlap)


def _scale(fig) -> tuple[float, float] | None:
    """A mean figure's own scale ``(min, max)``, checked to hold the figure, or None."""
    lo, hi = fig.get("scale_min"), fig.get("scale_max")
    if lo is None or hi is None or _isna(lo) or _isna(hi):
        return None
    lo, hi, v = float(lo), float(hi), float(fig["value"])
    if not lo <= v <= hi:
        raise ValueError(f"{fig.get('item', '')} {fig.get('wave', '')}: the published mean "
                         f"{v:g} lies outside its scale {lo:g}-{hi:g}")
    return lo, hi


def _means(fa, fb, na, nb, c, sd, sd_range, conf_level):
    """Compare two means; each is checked against its own scale. The scale bounds on the SD
    (Bhatia-Davis) are used only when both figures share one scale: on different scales the
    difference is of the published numbers, with a note (the comparability warning and note
    come from :func:`~barotrend.tracking.comparability.compare_records`)."""
    from barotrend.figures.means import compare_means

    sa, sb = _scale(fa), _scale(fb)
    scale = sa if sa == sb else None
    da, db = int(fa.get("decimals", 0) or 0), int(fb.get("decimals", 0) or 0)
    sd_a, sd_b, sd_note = _sds(fa, fb, sd, sd_range)
    kw = {}
    if sd_range is not None:
        kw["sd_range"] = sd_range
    res = compare_means(float(fa["value"]), int(na), float(fb["value"]), int(nb),
                        sd_a=sd_a, sd_b=sd_b, scale=scale, decimals=min(da, db),
                        conf_level=conf_level, correlation=c, **kw)
    if sd_note:
        res["note"] = [join_notes(sd_note, n) for n in res["note"]]
    if sa != sb:
        shown = ", ".join(f"{f.get('wave', '')} {'-'.join(f'{x:g}' for x in s) if s else 'none'}"
                          for f, s in ((fb, sb), (fa, sa)))
        res["note"] = [join_notes(f"means on different scales ({shown}): the difference is of "
                                  "the published numbers, not rescaled; no scale bound on the "
                                  "SD is used", n) for n in res["note"]]
    return res


def published_sd(fig: Mapping) -> float | None:
    """The SD a figure row publishes (figures.csv ``sd``), or None."""
    x = fig.get("sd")
    if x is None or isinstance(x, str) or bool(pd.isna(x)):
        return None
    return float(x)


def _sds(fa, fb, sd, sd_range) -> tuple[float | None, float | None, str]:
    """The SDs of the two means and a note: a stated ``sd`` (both means; an assumption) takes
    precedence, then the two published SDs (each its own: Welch); an ``sd_range`` or an SD
    missing on either side leaves them unknown (tipping-point SD)."""
    pa, pb = published_sd(fa), published_sd(fb)
    if sd is not None:
        shown = f"; published SDs {pa:g} and {pb:g} not used" if pa is not None \
            and pb is not None else ""
        return sd, sd, f"SD {sd} of both means is a stated assumption, not published{shown}"
    if sd_range is not None:
        return None, None, ""
    if pa is not None and pb is not None:
        return pa, pb, (f"SDs as published: {pa:g} ({fa.get('wave', '')}) and {pb:g} "
                        f"({fb.get('wave', '')}), each used for its own mean (Welch)")
    if pa is not None or pb is not None:
        return None, None, ("SD published for only one of the two means: the unknown-SD "
                            "analysis is used (state sd= to assume one)")
    return None, None, ""


def _isna(x) -> bool:
    try:
        return bool(np.isnan(x))
    except TypeError:
        return x is None


def published_change(rows, fa, fw) -> list[str]:
    """Notes quoting a change the article states for figure ``fa`` from wave ``fw``."""
    hit = rows[(rows["statistic"] == "change") & (rows["survey"] == fa["survey"])
               & (rows["item"] == fa["item"]) & (rows["wave"] == fa["wave"])
               & (rows["reference_wave"] == fw) & (rows["group"] == fa["group"])
               & (rows["category"] == fa["category"])]
    return [f"published change {v:+g} (percentage) points from {fw}" for v in hit["value"]]
