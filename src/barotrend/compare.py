"""Differences of two estimates and multiple-testing adjustment across a family of comparisons.

Every estimator of barotrend returns rows with an ``estimate`` and a ``se`` (and a ``df`` where a
t reference applies). :func:`compare_estimates` takes any two such rows, whatever produced them,
and :func:`adjust_pvalues` adjusts the p-values of a table of comparisons.

References
----------
Kish, L. (1965). *Survey Sampling*. Wiley, section 12.4 (differences of correlated estimates).

Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian Journal
of Statistics* 6, 65-70.

Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
powerful approach to multiple testing. *JRSS B* 57, 289-300.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from barotrend.figures.arguments import check_conf_level, check_correlation
from barotrend.results import LABEL_COLUMNS, result_frame

__all__ = ["P_ADJUST_METHODS", "adjust_pvalues", "compare_estimates"]

#: Adjustment methods of :func:`adjust_pvalues` (statsmodels ``multipletests`` names).
P_ADJUST_METHODS = {
    "holm": "Holm (1979) step-down",
    "fdr_bh": "Benjamini-Hochberg (1995) false discovery rate",
    "bonferroni": "Bonferroni",
}


def _as_row(x, name: str) -> dict:
    """One result row as a dict from a Series, dict or one-row DataFrame."""
    if isinstance(x, pd.DataFrame):
        if len(x) != 1:
            raise ValueError(f"{name} must be one result row, got a DataFrame with {len(x)} rows")
        x = x.iloc[0]
    if isinstance(x, pd.Series):
        x = x.to_dict()
    if not isinstance(x, dict):
        raise ValueError(f"{name} must be a result row (Series, dict or one-row DataFrame), "
                         f"got {type(x).__name__}")
    for col in ("estimate", "se"):
        v = x.get(col)
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"{name} needs a finite {col!r}, got {col}={v!r}")
    if x["se"] < 0:
        raise ValueError(f"{name} needs se 0 or more, got se={x['se']!r}")
    return x


def _label(v) -> str:
    """A label value as text; missing (None, NaN, "") as ""."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _df(x: dict) -> float | None:
    v = x.get("df")
    if v is None or isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
        return None
    if v <= 0:
        raise ValueError(f"df must be greater than 0, got df={v!r}")
    return float(v)


def compare_estimates(a, b, *, correlation=0.0, cov=None, conf_level=0.95) -> pd.DataFrame:
    r"""Difference ``a - b`` of two estimates with a z or t test.

    Parameters
    ----------
    a, b : pandas.Series, dict or one-row DataFrame
        Result rows with ``estimate`` and ``se`` and optionally ``df``.
    correlation : float, default 0
        Correlation of the two estimates (0: independent samples). For samples that overlap in
        ``m`` units with unit-level correlation ``rho`` this is ``rho m / sqrt(n_a n_b)``
        (Kish 1965, 12.4).
    cov : float, optional
        Known covariance of the two estimates (instead of ``correlation``).
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate_a``, ``estimate_b``, ``difference``, ``se``, ``ci_low``, ``ci_high``,
        ``df``, ``statistic``, ``p_value``, ``method``, ``note``; label columns (``survey``,
        ``wave``, ``item``, ``group``) are kept when equal and written ``"a vs b"`` otherwise
        (``-`` for a missing label).

    Notes
    -----
    ``Var(a - b) = se_a^2 + se_b^2 - 2 c`` with ``c = cov`` or ``c = correlation se_a se_b``.
    When both rows carry ``df``, the reference is t on the Welch-Satterthwaite df
    ``Var^2 / (se_a^4 / df_a + se_b^4 / df_b)``; otherwise the standard normal.

    Examples
    --------
    >>> a = {"estimate": 0.73, "se": 0.048}
    >>> b = {"estimate": 0.68, "se": 0.048}
    >>> r = compare_estimates(a, b)
    >>> r[["difference", "se", "p_value"]].round(4).iloc[0].tolist()
    [0.05, 0.0679, 0.4613]
    """
    conf_level = check_conf_level(conf_level)
    ra, rb = _as_row(a, "a"), _as_row(b, "b")
    se_a, se_b = float(ra["se"]), float(rb["se"])
    if cov is not None:
        if correlation not in (0, 0.0, None):
            raise ValueError(f"give correlation or cov, not both (got correlation={correlation!r}, "
                             f"cov={cov!r})")
        if isinstance(cov, bool) or not isinstance(cov, numbers.Real) or not math.isfinite(cov):
            raise ValueError(f"cov must be a finite number, got {cov!r}")
        c = float(cov)
        how = f"covariance {c:.4g} stated"
    else:
        r = check_correlation(0.0 if correlation is None else correlation)
        c = r * se_a * se_b
        how = "independent estimates" if r == 0 else f"correlation {r:g} stated"
    var = se_a**2 + se_b**2 - 2 * c
    if var <= 0:
        raise ValueError(f"the variance of the difference is {var:.4g} (not positive): check "
                         f"correlation={correlation!r} / cov={cov!r} against the two se")
    se = math.sqrt(var)
    d = float(ra["estimate"]) - float(rb["estimate"])
    df_a, df_b = _df(ra), _df(rb)
    alpha = 1 - conf_level
    if df_a is not None and df_b is not None:
        den = (se_a**4 / df_a if se_a > 0 else 0.0) + (se_b**4 / df_b if se_b > 0 else 0.0)
        df = var**2 / den
        q = float(stats.t.ppf(1 - alpha / 2, df))
        p = float(2 * stats.t.sf(abs(d / se), df))
        method, ref = "t", "t on Welch-Satterthwaite df"
    else:
        df = np.nan
        q = float(stats.norm.ppf(1 - alpha / 2))
        p = float(2 * stats.norm.sf(abs(d / se)))
        method, ref = "z", "normal reference"
    row = {"estimate_a": float(ra["estimate"]), "estimate_b": float(rb["estimate"]),
           "difference": d, "se": se, "ci_low": d - q * se, "ci_high": d + q * se, "df": df,
           "statistic": d / se, "p_value": p, "method": method,
           "note": f"difference a - b; {how}; {ref}"}
    for col in LABEL_COLUMNS:
        va, vb = (_label(x.get(col)) for x in (ra, rb))
        if va or vb:
            row[col] = va if va == vb else f"{va or '-'} vs {vb or '-'}"
    return result_frame([row])


def adjust_pvalues(results, method="holm", column="p_value") -> pd.DataFrame:
    """Adjust a family of p-values for multiple testing; returns a copy with ``p_adjusted``.

    Parameters
    ----------
    results : pandas.DataFrame
        Comparison rows (any index); not modified.
    method : {"holm", "fdr_bh", "bonferroni"}
        Holm's step-down family-wise control, Benjamini-Hochberg false discovery rate, or
        Bonferroni (statsmodels ``multipletests``).
    column : str, default "p_value"
        Column holding the p-values. Missing p-values stay missing and are not counted in the
        family.

    Returns
    -------
    pandas.DataFrame
        A copy of ``results`` with ``p_adjusted`` filled.

    Notes
    -----
    Holm: with ordered p-values ``p_(1) <= ... <= p_(m)``, ``p~_(i) = max_{j<=i} min(1, (m - j +
    1) p_(j))``. Benjamini-Hochberg: ``p~_(i) = min_{j>=i} min(1, m p_(j) / j)``; rejecting
    ``p~ <= q`` controls the false discovery rate at ``q`` for independent tests.

    Examples
    --------
    >>> r = pd.DataFrame({"p_value": [0.01, 0.04, 0.03]})
    >>> adjust_pvalues(r, "holm")["p_adjusted"].round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    if method not in P_ADJUST_METHODS:
        raise ValueError(f"method must be one of {tuple(P_ADJUST_METHODS)}, got {method!r}")
    if not isinstance(results, pd.DataFrame):
        raise ValueError(f"results must be a DataFrame, got {type(results).__name__}")
    if column not in results.columns:
        raise ValueError(f"column={column!r} is not a column of results "
                         f"(columns: {list(results.columns)})")
    out = results.copy()
    p = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
    ok = ~np.isnan(p)
    bad = p[ok][(p[ok] < 0) | (p[ok] > 1)]
    if bad.size:
        raise ValueError(f"{column} must lie within 0-1, got {float(bad[0])!r}")
    adj = np.full(len(p), np.nan)
    if ok.any():
        adj[ok] = multipletests(p[ok], method=method)[1]
    out["p_adjusted"] = adj
    return out
