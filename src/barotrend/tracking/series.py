"""One wave's estimate of an item from its published figure (a row of a Tracker series).

Shares go through :func:`barotrend.figures.proportions.proportion_ci` on the resolved base (see
:func:`barotrend.tracking.table.resolve_base`). A published mean has no standard error without
its SD: the row gives the estimate with an unknown interval and says so, unless the SD is
published (``sd`` in figures.csv) or the user states one, in which case the interval is the t
interval ``mean +- t(n-1) * sd / sqrt(n)`` (a stated ``sd=`` takes precedence, and is noted).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

LABELS = ("survey", "wave", "item", "group")


def join_notes(*notes) -> str:
    """Join non-empty notes with ``"; "`` (duplicates dropped, order kept)."""
    out: list[str] = []
    for n in notes:
        for part in ([n] if isinstance(n, str) else list(n or [])):
            if part and part not in out:
                out.append(part)
    return "; ".join(out)


def figure_notes(fig: Mapping) -> list[str]:
    """Notes a figure carries into every result: implied figures and assumed scale bounds."""
    out = []
    if bool(fig.get("implied", False)):
        out.append(f"{fig['wave']}: implied, not stated, figure ({fig.get('note') or 'see data'})")
    return out


def labels(fig: Mapping) -> dict:
    """Label columns of a result row, plus ``category``."""
    row = {k: fig[k] for k in LABELS}
    row["category"] = fig.get("category", "")
    return row


def figure_estimate(fig: Mapping, n: float, base_note: str, *, sd: float | None = None,
                    conf_level: float = 0.95, method: str = "wilson") -> dict:
    """Estimate row for one published figure (share, mean or count).

    Parameters
    ----------
    fig : mapping
        A row of the Tracker's figure table.
    n : float
        Resolved base (NaN when unknown).
    base_note : str
        Where the base came from (empty when stated in the article).
    sd : float, optional
        Stated SD assumption for a mean.
    conf_level : float
        Confidence level.
    method : str
        Interval method for shares (passed to ``proportion_ci``).

    Returns
    -------
    dict
        One result row (schema columns plus ``category``).

    Examples
    --------
    >>> fig = {"survey": "s", "wave": "W3", "item": "x", "group": "all", "statistic": "mean",
    ...        "value": 7.2, "decimals": 1}
    >>> r = figure_estimate(fig, 94.0, "", sd=2.0)
    >>> round(r["ci_high"] - 7.2, 3)   # t(93, .975) * 2 / sqrt(94) = 1.9858 * 0.2063
    0.41
    """
    row = labels(fig)
    stat = fig["statistic"]
    notes = [base_note, *figure_notes(fig)]
    if stat == "share":
        if np.isfinite(n):
            from barotrend.figures.proportions import proportion_ci

            res = proportion_ci(percent=float(fig["value"]), n=int(n),
                                decimals=int(fig.get("decimals", 0) or 0), method=method,
                                conf_level=conf_level).iloc[0].to_dict()
            keep = {k: res[k] for k in ("estimate", "se", "ci_low", "ci_high", "n", "n_eff",
                                        "deff", "df", "method") if k in res}
            row.update(keep)
            notes.append(res.get("note", ""))
        else:
            row.update(estimate=float(fig["value"]) / 100, se=np.nan, ci_low=np.nan,
                       ci_high=np.nan, n=np.nan, method="published share (no interval)")
            notes.append("no interval without a base; state one with assumed_bases=")
    elif stat == "mean":
        m = float(fig["value"])
        row.update(estimate=m, n=n)
        published = fig.get("sd")
        published = None if published is None or pd.isna(published) else float(published)
        how = "published SD" if sd is None and published is not None else "stated SD"
        sd = published if sd is None else sd
        if sd is not None and np.isfinite(n) and n > 1:
            sd_note = (f"SD {sd:g} as published" if how == "published SD" else
                       f"SD {sd:g} is a stated assumption, not published")
            se = float(float(sd) / np.sqrt(n))
            t = float(stats.t.ppf(0.5 + conf_level / 2, n - 1))
            row.update(se=se, ci_low=m - t * se, ci_high=m + t * se, df=n - 1,
                       method=f"t interval with {how}")
            notes.append(sd_note)
        else:
            row.update(se=np.nan, ci_low=np.nan, ci_high=np.nan,
                       method="published mean (no interval)")
            notes.append("SD not published: no interval without an SD assumption (pass sd=)")
        lo, hi = fig.get("scale_min"), fig.get("scale_max")
        row["scale"] = fig.get("scale", f"{lo}-{hi}")
    elif stat == "count":
        row.update(estimate=float(fig["value"]), se=np.nan, ci_low=np.nan, ci_high=np.nan,
                   n=np.nan, method="published count")
    else:
        raise ValueError(f"statistic must be share, mean or count here, got {stat!r}")
    row["note"] = join_notes(*notes)
    return row
