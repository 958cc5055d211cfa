"""Trend and heterogeneity tests over three or more wave estimates.

* **Linear trend over wave dates**: weighted least squares of the wave estimates ``y_i`` on the
  wave dates ``x_i`` (decimal years) with weights ``w_i = 1 / v_i`` and the variances ``v_i``
  taken as known (scale fixed at 1), so ``slope = sum w (x - xw)(y - yw) / sum w (x - xw)^2``,
  ``se = 1 / sqrt(sum w (x - xw)^2)`` and ``z = slope / se`` (statsmodels ``WLS`` with
  ``cov_type="fixed scale"``).
* **Any difference between waves**: Cochran's heterogeneity statistic
  ``Q = sum w_i (y_i - yw)^2`` on ``k - 1`` degrees of freedom (chi-square).
* **Cochran-Armitage test for trend in proportions** where counts are known:
  ``T = sum x_i (r_i - n_i pbar)``, ``Var T = pbar (1 - pbar) [sum n_i x_i^2 - (sum n_i x_i)^2 / N]``,
  ``z = T / sqrt(Var T)``.

References
----------
Cochran, W. G. (1954). Some methods for strengthening the common chi-square tests.
*Biometrics* 10, 417-451. Armitage, P. (1955). Tests for linear trends in proportions and
frequencies. *Biometrics* 11, 375-386. Agresti, A. (2002). *Categorical Data Analysis*, 2nd ed.,
section 5.3.5.
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm
from scipy import stats


def _check(x, name):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or len(x) < 3:
        raise ValueError(f"{name} needs three or more waves, got {x.tolist()!r}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be finite, got {x.tolist()!r}")
    return x


def wls_trend(x, y, var) -> dict:
    """Weighted least-squares linear trend of wave estimates on wave dates, variances known.

    Examples
    --------
    >>> r = wls_trend([0, 1, 2], [0.5, 0.6, 0.7], [0.01, 0.01, 0.01])
    >>> round(r["estimate"], 3), round(r["se"], 4)   # se = 1/sqrt(100 * 2) = 0.0707
    (0.1, 0.0707)
    """
    x, y, var = _check(x, "x"), _check(y, "y"), _check(var, "var")
    if np.any(var <= 0):
        raise ValueError(f"var must be positive, got {var.tolist()!r}")
    fit = sm.WLS(y, sm.add_constant(x), weights=1 / var).fit(
        cov_type="fixed scale", cov_kwds={"scale": 1.0})
    slope, se = float(fit.params[1]), float(fit.bse[1])
    z = slope / se
    return {"estimate": slope, "se": se, "ci_low": float(fit.conf_int()[1][0]),
            "ci_high": float(fit.conf_int()[1][1]), "statistic": z,
            "p_value": float(2 * stats.norm.sf(abs(z))),
            "method": "WLS linear trend over wave dates (weights 1/variance, variances known)"}


def heterogeneity(y, var) -> dict:
    """Cochran's Q test that all wave values are equal.

    Examples
    --------
    >>> r = heterogeneity([0.5, 0.6, 0.7], [0.01, 0.01, 0.01])
    >>> round(r["statistic"], 2), r["df"]   # Q = 100 * (0.01 + 0 + 0.01) = 2
    (2.0, 2.0)
    """
    y, var = _check(y, "y"), _check(var, "var")
    w = 1 / var
    yw = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - yw) ** 2))
    df = len(y) - 1
    return {"estimate": yw, "statistic": q, "df": float(df),
            "p_value": float(stats.chi2.sf(q, df)),
            "method": "Cochran Q heterogeneity test (chi-square, k-1 df)"}


def cochran_armitage(counts, ns, scores) -> dict:
    """Cochran-Armitage test for a linear trend in proportions.

    Examples
    --------
    >>> r = cochran_armitage([10, 20, 30], [50, 50, 50], [0, 1, 2])
    >>> round(r["statistic"], 3)   # T = 20, Var = .4*.6*(250 - 150^2/150) = 24, z = 4.082
    4.082
    """
    r, n, x = _check(counts, "counts"), _check(ns, "ns"), _check(scores, "scores")
    if np.any(r < 0) or np.any(r > n):
        raise ValueError(f"counts must lie within 0..n, got {r.tolist()!r}")
    N = n.sum()
    p = r.sum() / N
    t = float(np.sum(x * (r - n * p)))
    v = p * (1 - p) * (np.sum(n * x**2) - np.sum(n * x) ** 2 / N)
    z = float(t / np.sqrt(v)) if v > 0 else np.nan
    return {"estimate": t, "statistic": z,
            "p_value": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan,
            "method": "Cochran-Armitage trend test (scores = wave dates)"}
