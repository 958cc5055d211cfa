"""Weight diagnostics: Kish design effect, effective sample size, weight summary, margins.

Kish's design effect due to unequal weighting (Kish 1965, sec. 11.7; Kish 1992):

    deff_w = n * sum(w^2) / (sum w)^2 = 1 + CV^2,

with ``CV`` the coefficient of variation of the weights (standard deviation with divisor n
over the mean), and the effective sample size ``n_eff = n / deff_w = (sum w)^2 / sum(w^2)``.
It assumes the outcome is unrelated to the weights; it is the variance inflation of a weighted
mean of an outcome with constant variance, not the design effect of any given estimate.

References
----------
Kish, L. (1965). Survey Sampling. Wiley.
Kish, L. (1992). Weighting for unequal Pi. Journal of Official Statistics 8, 183-200.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from barotrend.results import result_frame
from barotrend.weighting._margins import cell_codes, numeric_values, population_mapping


def _weights(x) -> np.ndarray:
    w = x.weights if hasattr(x, "weights") and hasattr(x, "vcov") else x
    w = np.asarray(w, dtype=float).ravel()
    if w.size == 0:
        raise ValueError("weights: no weights given")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights: expected finite non-negative weights")
    if w.sum() <= 0:
        raise ValueError("weights: the weights sum to zero")
    return w


def kish_deff(weights) -> float:
    """Kish's design effect due to weighting, ``n sum(w^2) / (sum w)^2``.

    Parameters
    ----------
    weights : Design or array_like

    Examples
    --------
    Weights 1, 1, 2, 4: ``4 * (1 + 1 + 4 + 16) / 8^2 = 88 / 64``.

    >>> kish_deff([1, 1, 2, 4])
    1.375
    """
    w = _weights(weights)
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def effective_n(weights) -> float:
    """Kish's effective sample size, ``(sum w)^2 / sum(w^2)``.

    Examples
    --------
    >>> effective_n([1, 1, 2, 4])     # 64 / 22
    2.909090909090909
    """
    w = _weights(weights)
    return float(np.sum(w) ** 2 / np.sum(w**2))


def weight_summary(weights, label="weights") -> pd.DataFrame:
    """One-row summary of a set of weights.

    Columns: ``n`` (units), ``n_eff`` and ``deff`` (Kish), ``sum``, ``min``, ``median``,
    ``mean``, ``max``, ``ratio`` (max / min of the positive weights), ``cv`` (SD with divisor
    n over the mean, so ``deff = 1 + cv^2``), ``zero`` (number of zero weights).

    Examples
    --------
    >>> s = weight_summary([1, 1, 2, 4])
    >>> s[["n", "n_eff", "deff", "ratio", "cv"]].round(4).iloc[0].tolist()
    [4.0, 2.9091, 1.375, 4.0, 0.6124]
    """
    w = _weights(weights)
    pos = w[w > 0]
    cv = float(np.std(w) / np.mean(w))
    row = {"item": label, "n": w.size, "n_eff": effective_n(w), "deff": kish_deff(w),
           "method": "kish", "sum": float(w.sum()), "min": float(w.min()),
           "median": float(np.median(w)), "mean": float(w.mean()), "max": float(w.max()),
           "ratio": float(pos.max() / pos.min()), "cv": cv, "zero": int((w == 0).sum()),
           "note": "Kish deff = 1 + cv^2 assumes an outcome unrelated to the weights"}
    return result_frame([row])


def check_margins(design, margins) -> pd.DataFrame:
    """Margins achieved by a design's weights against their targets.

    Parameters
    ----------
    design : Design
    margins : dict
        ``{column: {level: total}}`` for categorical margins (a tuple of columns for a joint
        margin) and ``{column: total}`` for numeric totals, as given to ``rake``/``calibrate``.

    Returns
    -------
    DataFrame
        One row per margin cell: ``item`` (column), ``group`` (level), ``target``,
        ``achieved`` (sum of weights, or weighted total), ``difference`` (achieved - target),
        ``relative`` (difference / target).

    Examples
    --------
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"a": ["x", "x", "y"], "v": [1.0, 2, 3]}))
    >>> check_margins(d, {"a": {"x": 2, "y": 2}, "v": 6})[["group", "achieved", "difference"]]
      group  achieved  difference
    0     x       2.0         0.0
    1     y       1.0        -1.0
    2             6.0         0.0
    """
    if not isinstance(margins, Mapping) or not margins:
        raise ValueError(f"margins: expected a non-empty dict, got {margins!r}")
    w = design.weights
    rows = []
    for var, t in margins.items():
        name = var if isinstance(var, str) else "/".join(var)
        if isinstance(t, Mapping | pd.Series | pd.DataFrame):
            codes, labels, totals = cell_codes(design.data, var, population_mapping(var, t),
                                               what="margins")
            got = np.bincount(codes, weights=w, minlength=len(totals))
            for lab, target, a in zip(labels, totals, got, strict=True):
                rows.append({"item": name, "group": lab, "target": target, "achieved": a})
        else:
            x = numeric_values(design.data, var, "margins")
            rows.append({"item": name, "group": "", "target": float(t),
                         "achieved": float(np.sum(w * x))})
    out = result_frame(rows)
    out["difference"] = out["achieved"] - out["target"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["relative"] = out["difference"] / out["target"]
    return out
