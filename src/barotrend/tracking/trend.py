"""Trend and heterogeneity tests over three or more wave estimates.

* **Linear trend over wave dates**: weighted least squares of the wave estimates ``y_i`` on the
  wave dates ``x_i`` (decimal years) with weights ``w_i = 1 / v_i`` and the variances ``v_i``
  taken as known (scale fixed at 1), so ``slope = sum w (x - xw)(y - yw) / sum w (x - xw)^2``,
  ``se = 1 / sqrt(sum w (x - xw)^2)`` and ``z = slope / se`` (statsmodels ``WLS`` with
  ``cov_type="fixed scale"``).
* **Any difference between waves**: Cochran's heterogeneity statistic
  ``Q = sum w_i (y_i - yw)^2`` on ``k - 1`` degrees of freedom (chi-square).
* **Correlated waves** (one stacked design: the same units answer in several waves): the wave
  estimates have a full covariance ``V``. The trend is then generalised least squares,
  ``beta = (X' V^-1 X)^-1 X' V^-1 y`` with ``Cov(beta) = (X' V^-1 X)^-1`` (statsmodels ``GLS``
  with the scale fixed at 1), and the heterogeneity statistic is
  ``Q = (y - yg)' V^-1 (y - yg)`` around the GLS common value ``yg`` (k - 1 df). With a diagonal
  ``V`` both reduce to the WLS slope and Cochran's Q above.
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
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from barotrend.tracking.series import join_notes


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
    return _slope(fit, "WLS linear trend over wave dates (weights 1/variance, variances known)")


def _slope(fit, method) -> dict:
    """The slope row of a statsmodels fit whose scale is fixed at 1 (z test and interval)."""
    slope, se = float(fit.params[1]), float(fit.bse[1])
    z = slope / se
    return {"estimate": slope, "se": se, "ci_low": float(fit.conf_int()[1][0]),
            "ci_high": float(fit.conf_int()[1][1]), "statistic": z,
            "p_value": float(2 * stats.norm.sf(abs(z))), "method": method}


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


#: Largest asymmetry ``|cov_ij - cov_ji|`` accepted, relative to the largest variance: the
#: round-off of a covariance computed as ``D' C D`` (about 1e-16 of the diagonal, where an
#: exact zero between disjoint waves can come out as +-1e-35), never a real asymmetry.
SYMMETRY_RTOL = 1e-10


def _check_cov(cov, k):
    """A finite, symmetric (up to round-off: symmetrised), positive definite k x k matrix."""
    cov = np.asarray(cov, dtype=float)
    if cov.shape != (k, k) or not np.all(np.isfinite(cov)):
        raise ValueError(f"cov must be a finite {k} x {k} matrix, got shape {cov.shape}")
    asym = np.abs(cov - cov.T)
    scale = float(np.max(np.abs(np.diag(cov)))) if k else 0.0
    if asym.max(initial=0.0) > SYMMETRY_RTOL * scale:
        i, j = np.unravel_index(int(np.argmax(asym)), asym.shape)
        raise ValueError(f"cov must be symmetric: cov[{i}, {j}] = {cov[i, j]:.6g} but "
                         f"cov[{j}, {i}] = {cov[j, i]:.6g} (largest variance {scale:.6g})")
    cov = (cov + cov.T) / 2
    eig = np.linalg.eigvalsh(cov)
    if eig[0] <= eig[-1] * 1e-12:
        raise ValueError(f"cov must be positive definite (smallest eigenvalue {eig[0]:.3g})")
    return cov


def gls_trend(x, y, cov) -> dict:
    """Linear trend of correlated wave estimates on wave dates, covariance known (GLS).

    Examples
    --------
    >>> r = gls_trend([0, 1, 2], [0.5, 0.6, 0.7], np.diag([0.01, 0.01, 0.01]))
    >>> round(r["estimate"], 3), round(r["se"], 4)   # diagonal: the WLS values
    (0.1, 0.0707)
    >>> r = gls_trend([0, 1, 2], [0.5, 0.6, 0.7], 0.01 * np.array([[1, .5, .5], [.5, 1, .5],
    ...                                                           [.5, .5, 1]]))
    >>> round(r["se"], 4)   # equicorrelated 0.5: se = sqrt(0.01 * (1 - 0.5) / 2) = 0.05
    0.05
    """
    x, y = _check(x, "x"), _check(y, "y")
    cov = _check_cov(cov, len(y))
    fit = sm.GLS(y, sm.add_constant(x), sigma=cov).fit(
        cov_type="fixed scale", cov_kwds={"scale": 1.0})
    return _slope(fit, "GLS linear trend over wave dates (covariance between waves known)")


def gls_heterogeneity(y, cov) -> dict:
    """Test that all wave values are equal, for correlated wave estimates (generalised Q).

    Examples
    --------
    >>> r = gls_heterogeneity([0.5, 0.6, 0.7], np.diag([0.01, 0.01, 0.01]))
    >>> round(r["statistic"], 2), r["df"]   # diagonal: Cochran's Q
    (2.0, 2.0)
    """
    y = _check(y, "y")
    cov = _check_cov(cov, len(y))
    inv = np.linalg.inv(cov)
    one = np.ones(len(y))
    yg = float(one @ inv @ y / (one @ inv @ one))
    r = y - yg
    q = float(r @ inv @ r)
    df = len(y) - 1
    return {"estimate": yg, "statistic": q, "df": float(df),
            "p_value": float(stats.chi2.sf(q, df)),
            "method": "generalised Q heterogeneity test (chi-square, k-1 df, covariance known)"}


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


def trend_rows(s: pd.DataFrame, item: str, group: str, sd=None, sd_range=None) -> list[dict]:
    """Trend rows for a Tracker series ``s`` (see :meth:`barotrend.Tracker.trend`).

    Shares: WLS trend, Cochran Q and Cochran-Armitage on the wave variances. Means: the same
    two tests at each stated SD (``sd``; ``sd_range`` gives low, midpoint, high), else one row
    saying the trend cannot be tested without an SD assumption. A wave without a base gives a
    row saying so instead of the tests.
    """
    lab = {"survey": s["survey"].iloc[0], "wave": "->".join(s["wave"]), "item": item,
           "group": group, "category": s["category"].iloc[0]}
    if len(s) < 3:
        return [dict(lab, method="trend", note=f"a trend needs three or more waves; "
                     f"{len(s)} available (use change())")]
    x = s["date_value"].to_numpy(float)
    y = s["estimate"].to_numpy(float)
    n = s["n"].to_numpy(float)
    is_mean = s["method"].str.contains("mean|stated SD").all()
    scenarios: list[tuple[np.ndarray, str, float]] = []
    if is_mean:
        sds = [] if sd is None else [float(sd)]
        if sd_range is not None:
            lo, hi = sd_range
            sds += [float(lo), (lo + hi) / 2, float(hi)]
        if not sds:
            return [dict(lab, estimate=np.nan, method="trend of means",
                         note="SD not published: the trend cannot be tested without an SD "
                         "assumption; pass sd= or sd_range=(lo, hi)")]
        scenarios = [(v**2 / n, f"SD {v:g} stated (assumption)", v) for v in sds]
    else:
        scenarios = [(s["se"].to_numpy(float) ** 2, "variances from the wave intervals", np.nan)]
    unknown = [w for w, ni in zip(s["wave"], n, strict=True) if not np.isfinite(ni)]
    out = []
    for var, what, sd_v in scenarios:
        lab["sd_assumed"] = sd_v
        if unknown:
            out.append(dict(lab, estimate=np.nan, method="trend",
                            note=join_notes(what, f"base unknown for {', '.join(unknown)}: no "
                                            "variance, the trend cannot be tested; state a base "
                                            "with assumed_bases=")))
            continue
        notes = join_notes(what, [nt for nt in s["note"] if nt])
        t = wls_trend(x, y, var)
        t["note"] = join_notes("slope per year over wave-date midpoints", notes)
        q = heterogeneity(y, var)
        q["note"] = notes
        out += [dict(lab, **t), dict(lab, **q)]
        if not is_mean:
            counts = np.round(y * n)
            ca = cochran_armitage(counts, n, x)
            ca["note"] = join_notes("counts reconstructed as round(p n) from rounded "
                                    "percentages (approximate)", notes)
            out.append(dict(lab, **ca))
    return out
