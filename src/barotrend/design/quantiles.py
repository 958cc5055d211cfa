"""Design-based quantiles with Woodruff confidence intervals (R's ``svyquantile``, survey 4.x).

Quantile rules (R's ``qrule``), for values ``x`` with weights ``w`` (rows of zero weight left
out), sorted ``x_(1) <= ... <= x_(n)``, cumulative weights ``C_k`` and total ``W``:

``"math"`` (default, = ``"hf1"``)
    the smallest ``x_(k)`` with ``C_k >= p W`` (the inverse of the weighted distribution function):
    with ``k`` the last position with ``C_k <= p W`` (or 1), ``x_(k)`` when ``C_k = p W`` exactly,
    else ``x_(k+1)``;
``"school"`` (= ``"hf2"``)
    as ``"math"``, but the average of ``x_(k)`` and ``x_(k+1)`` when ``C_k = p W``;
``"hf3"``
    on the distinct values (weights summed): ``x_(k)`` when ``C_k = p W`` and ``k`` is even;
``"hf4"``
    ``x_(k) (1 - g) + x_(k+1) g`` with ``g = (p - C_k/W) / (C_{k+1}/W - C_k/W)``;
``"hf5"``, ``"hf6"``, ``"hf7"``, ``"hf8"``, ``"hf9"``
    linear interpolation of ``x_(k)`` at plotting positions ``(C_k - w_k/2) / C_n``,
    ``C_k / (C_n + w_n)``, ``C_{k-1} / C_{n-1}``, ``(C_{k-1}/3 + 2 C_k/3) / (C_n + w_n/3)``,
    ``(3 C_{k-1}/8 + 5 C_k/8) / (C_n + w_n/4)`` (weighted Hyndman-Fan types; ``C_0 = 0``), the
    end values outside;
``"shahvaish"``
    Shah and Vaish (2006): positions ``(S_k + 1/2 - w_k/2) / (n + 1)``, ``S`` the cumulative
    weights scaled to mean 1, the value at the last position at or below ``p``. R subtracts the
    unscaled ``w_k/2``, so its positions need not increase with ``x`` (R's ``approx`` then sorts
    them, and the quantiles need not increase with ``p``); we follow R.

Cumulative sums and totals are accumulated in extended precision as R does, so exact ties
``C_k = p W`` (equal weights) are decided as in R.

Woodruff (1952) interval (R's ``interval.type="mean"``, the default): with ``q`` the estimate,
``F = `` the design-based mean of ``1{x <= q}`` and its standard error ``s`` (linearised or
replicate), the interval ``F -+ t_{df, 1-alpha/2} s`` for the distribution function (or its
``"beta"``, ``"xlogit"``, ``"asin"`` form, :func:`barotrend.design.intervals.proportion_interval`)
is mapped back through the same quantile rule; a limit below 0 or above 1 gives NaN, as R.
``se = (upper - lower) / (2 t_{df, 1-alpha/2})``. ``df`` is the design degrees of freedom of the
rows used (R's ``degf`` of the subset design).

Difference from R: where the distribution function at the estimate has a standard error of
exactly 0, every interval type maps ``[F, F]`` back (the estimate's own rule value); R's
``"beta"`` then takes an infinite effective sample size and ``qbeta`` gives 1/2, i.e. the median,
as a limit.

References
----------
Woodruff, R. S. (1952). Confidence intervals for medians and other position measures. *JASA*
47, 635-646. Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. *The
American Statistician* 50, 361-365. Shah, B. V. and Vaish, A. K. (2006). Confidence intervals
for quantile estimation from complex survey data. *Proceedings of the Section on Survey Research
Methods*, ASA. R package ``survey`` 4.1.1: ``svyquantile``, ``oldsvyquantile``, ``qrule_*``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from barotrend.design.contrasts import domain_means, numeric_column
from barotrend.results import result_frame

RULES = ("math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8",
         "hf9")
INTERVALS = ("mean", "beta", "xlogit", "asin", "quantile")
LD = np.longdouble


def _csum(w):
    """R's cumsum: sequential in extended precision, each partial sum rounded to double."""
    return np.cumsum(np.asarray(w, dtype=LD)).astype(float)


def _sum(w):
    return float(np.cumsum(np.asarray(w, dtype=LD))[-1])


def _rmean(w):
    """R's mean(): extended-precision sum / n, refined by the mean of the residuals."""
    x = np.asarray(w, dtype=LD)
    s = np.cumsum(x)[-1] / len(x)
    return float(s + np.cumsum(x - s)[-1] / len(x))


def _qs(x, w, p):
    """R's ``qs``: the last sorted position with ``C_k <= p W`` (or the first), the next one, and
    the distances ``p - C_k/W`` and ``C_{k+1}/W - p``."""
    o = np.argsort(x, kind="stable")
    xs = x[o]
    cw = _csum(w[o])
    total = _sum(w)
    hit = np.flatnonzero(cw <= p * total)
    pos = int(hit[-1]) if len(hit) else 0
    nxt = min(pos + 1, len(xs) - 1)
    return xs[pos], xs[nxt], pos + 1, p - cw[pos] / total, cw[nxt] / total - p


def _approx(xp, yp, v, constant=False):
    """R's ``approx(xp, yp, v, rule=2)`` (``method="constant", f=0`` when ``constant``): the
    points sorted by ``xp`` and tied ``xp`` merged to the mean ``yp`` first (R's
    ``regularize.values``; Shah-Vaish positions need not increase)."""
    o = np.argsort(xp, kind="stable")
    xp, yp = np.asarray(xp)[o], np.asarray(yp)[o]
    if len(xp) > 1 and (np.diff(xp) == 0).any():
        xp, inv = np.unique(xp, return_inverse=True)
        yp = np.bincount(inv, weights=yp) / np.bincount(inv)
    n = len(xp)
    if v < xp[0]:
        return yp[0]
    if v > xp[-1]:
        return yp[-1]
    i = min(int(np.searchsorted(xp, v, side="right")) - 1, n - 2) if n > 1 else 0
    j = min(i + 1, n - 1)
    if v == xp[j]:
        return yp[j]
    if v == xp[i]:
        return yp[i]
    if constant:
        return yp[i]
    return yp[i] + (yp[j] - yp[i]) * ((v - xp[i]) / (xp[j] - xp[i]))


def quantile_rule(x, w, p, rule="math") -> float:
    """Weighted ``p`` quantile of ``x`` by R's ``qrule`` (module docstring).

    Examples
    --------
    >>> x, w = np.array([3.0, 1, 2, 4]), np.ones(4)
    >>> [quantile_rule(x, w, 0.5, r) for r in ("math", "school", "hf7")]
    [2.0, 2.5, 2.5]
    """
    return float(_rule(np.asarray(x, dtype=float), np.asarray(w, dtype=float), p, rule))


def _rule(x, w, p, rule):
    keep = w != 0
    x, w = x[keep], w[keep]
    if len(x) == 0:
        return np.nan
    if rule in ("math", "hf1", "school", "hf2", "hf4"):
        qlow, qup, _, wlow, wup = _qs(x, w, p)
        if rule in ("math", "hf1"):
            return qlow if wlow == 0 else qup
        if rule in ("school", "hf2"):
            return (qlow + qup) / 2 if wlow == 0 else qup
        g = wlow / (wup + wlow)
        return qlow * (1 - g) + qup * g
    if rule == "hf3":
        ux, inv = np.unique(x, return_inverse=True)
        uw = np.bincount(inv, weights=w)
        qlow, qup, ilow, wlow, _ = _qs(ux, uw, p)
        return qlow if wlow == 0 and ilow % 2 == 0 else qup
    n = len(x)
    o = np.argsort(x, kind="stable")
    xs, ws = x[o], w[o]
    cw = _csum(ws)
    prev = np.concatenate([[0.0], cw[:-1]])
    if rule == "shahvaish":
        S = _csum(ws / _rmean(ws))
        return _approx((S + 0.5 - ws / 2) / (n + 1), xs, p, constant=True)
    if rule == "hf5":
        pk = (cw - ws / 2) / cw[-1]
    elif rule == "hf6":
        pk = cw / (cw[-1] + ws[-1])
    elif rule == "hf7":
        pk = prev / cw[-2] if n > 1 else np.zeros(1)
    elif rule == "hf8":
        pk = (prev * 1 / 3 + cw * 2 / 3) / (cw[-1] + ws[-1] / 3)
    else:  # hf9
        pk = (prev * 3 / 8 + cw * 5 / 8) / (cw[-1] + ws[-1] / 4)
    return _approx(pk, xs, p)


def _share(ind, w, replicate):
    """The estimate of ``F(q)`` summed as R's ``svymean`` sums it (extended precision; the
    linearised design divides each term by the weight total first), so that a limit of the
    interval falling exactly on a cumulative weight is decided as in R."""
    if replicate:
        return _sum(w * ind) / _sum(w)
    return _sum(ind * w / _sum(w))


def _share_vcov(design, ind, use, w):
    """Variance of the estimate of ``F(q)``: linearised as a domain mean; replicate designs
    re-estimate it with each set of weights, summed as R sums (so that equal replicate
    estimates give a zero variance, as in R)."""
    if not design.is_replicate:
        return domain_means(design, ind, use[:, None])[1]
    y = np.where(use, ind, 0.0)

    def estimator(wr):
        wr = np.asarray(wr, dtype=float) * use[:, None]
        return ((wr * y[:, None]).astype(LD).sum(axis=0) / wr.astype(LD).sum(axis=0)).astype(
            float)[:, None]

    return design.vcov(estimator, None)


def _replicate_interval(design, x, use, p, rule, est, df, conf_level):
    """R's ``interval.type="quantile"``: the quantile re-estimated with every set of replicate
    weights, their replicate variance about ``est`` or their mean (R's ``svrVar``), and
    ``est -+ t_df se``."""
    xs = x[use]

    def estimator(wr):
        wr = np.asarray(wr, dtype=float)[use]
        return np.array([quantile_rule(xs, wr[:, r], p, rule) for r in range(wr.shape[1])])[
            :, None]

    se = float(np.sqrt(design.vcov(estimator, None)[0, 0]))
    q = stats.t.ppf(0.5 + conf_level / 2, df)
    return {"estimate": float(est), "se": se, "ci_low": est - q * se, "ci_high": est + q * se}


def _cdf_interval(m, se, df, n, interval, conf_level):
    q = stats.t.ppf(0.5 + conf_level / 2, df)
    if interval == "mean":
        return m - q * se, m + q * se
    if se == 0:  # a distribution function known without error (R: the same for xlogit, asin)
        return m, m
    if not 0 < m < 1:
        return np.nan, np.nan
    if interval == "xlogit":
        b, s = special.logit(m), se / (m * (1 - m))
        return special.expit(b - q * s), special.expit(b + q * s)
    if interval == "asin":
        a, s = np.arcsin(np.sqrt(m)), se / (2 * np.sqrt(m * (1 - m)))
        return np.sin(a - q * s) ** 2, np.sin(a + q * s) ** 2
    alpha = 1 - conf_level  # beta (Korn-Graubard), n the rows used
    ne = m * (1 - m) / se**2 * (stats.t.ppf(alpha / 2, n - 1) / stats.t.ppf(alpha / 2, df)) ** 2
    return (stats.beta.ppf(alpha / 2, ne * m, ne * (1 - m) + 1),
            stats.beta.ppf(1 - alpha / 2, ne * m + 1, ne * (1 - m)))


def _check_probs(probs):
    arr = np.atleast_1d(np.asarray(probs, dtype=float)) if not isinstance(probs, str) else None
    if arr is None or arr.ndim != 1 or len(arr) == 0:
        raise ValueError(f"probs: expected a probability or a list of them, got {probs!r}")
    bad = ~((arr >= 0) & (arr <= 1))
    if bad.any():
        raise ValueError(f"probs: every probability must lie in [0, 1], got {float(arr[bad][0])!r}")
    return arr


def quantile(design, var, probs=0.5, by=None, *, qrule="math", interval="mean",
             conf_level=0.95, na_rm=False) -> pd.DataFrame:
    """Design-based quantiles of ``var`` with Woodruff intervals, overall or by domain.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    var : str
        Numeric column.
    probs : float or list of float, default 0.5
        Probabilities in [0, 1].
    by : str or list of str, optional
        Domains (R's ``svyby(..., svyquantile)``).
    qrule : str, default "math"
        One of ``"math"``, ``"school"``, ``"shahvaish"``, ``"hf1"`` ... ``"hf9"`` (module
        docstring); R's default is ``"math"``.
    interval : {"mean", "beta", "xlogit", "asin", "quantile"}, default "mean"
        Interval for the distribution function at the estimate (R's ``interval.type``);
        ``"quantile"`` (replicate designs only): ``estimate -+ t_df se`` with ``se`` the
        replicate standard error of the quantile re-estimated with each set of replicate weights
        (R warns that jackknife replicates may not give valid standard errors for quantiles;
        bootstrap or BRR replicates do).
    conf_level : float, default 0.95
    na_rm : bool
        Leave rows with a missing ``var`` out (else a domain with one gives NaN).

    Returns
    -------
    pandas.DataFrame
        One row per domain and probability: ``item``, ``group``, ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``df``, ``n``, ``method``, ``note`` and ``probability``.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10]}))
    >>> r = d.quantile("y", [0.25, 0.5])  # R: svyquantile(~y, svydesign(id=~1, ...), c(.25, .5))
    >>> r[["probability", "estimate", "ci_low", "ci_high"]].values.tolist()
    [[0.25, 3.0, nan, 7.0], [0.5, 5.0, 2.0, 9.0]]
    """
    if qrule not in RULES:
        raise ValueError(f"qrule: expected one of {RULES}, got {qrule!r}")
    if interval not in INTERVALS:
        raise ValueError(f"interval: expected one of {INTERVALS}, got {interval!r}")
    if interval == "quantile" and not design.is_replicate:
        raise ValueError("interval: 'quantile' (the replicate quantiles' variance) needs a "
                         "replicate design; use 'mean' (Woodruff) for a linearised one")
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    ps = _check_probs(probs)
    x = numeric_column(design, var)
    w = np.asarray(design.weights, dtype=float)
    domains = [("all", np.ones(design.n, dtype=bool))] if by is None else [
        ("/".join(str(v) for v in values), mask) for values, mask in design.domains(by)]
    rows = []
    for label, dom in domains:
        missing = bool(np.isnan(x[dom]).any()) and not na_rm
        use = dom & ~np.isnan(x)
        n = int((use & (w != 0)).sum())
        df = float(design.domain_df(use)) if n else np.nan
        for p in ps:
            row = {"item": var, "group": label, "probability": float(p), "n": n,
                   "df": df, "method": f"{qrule}, Woodruff ({interval})"}
            if missing or n == 0 or not df > 0:
                row.update(estimate=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan,
                           note="missing values (na_rm=True leaves them out)" if missing
                           else "no rows or no degrees of freedom")
                rows.append(row)
                continue
            est = quantile_rule(x[use], w[use], p, qrule)
            if interval == "quantile":
                row.update(_replicate_interval(design, x, use, p, qrule, est, df, conf_level))
                rows.append(row)
                continue
            ind = np.where(use, (x <= est).astype(float), np.nan)
            v = _share_vcov(design, ind, use, w)
            lo_p, hi_p = _cdf_interval(_share(ind[use], w[use], design.is_replicate),
                                       float(np.sqrt(v[0, 0])), df, n, interval, conf_level)
            lo = np.nan if np.isnan(lo_p) or lo_p < 0 else quantile_rule(x[use], w[use], lo_p,
                                                                        qrule)
            hi = np.nan if np.isnan(hi_p) or hi_p > 1 else quantile_rule(x[use], w[use], hi_p,
                                                                        qrule)
            q = stats.t.ppf(0.5 + conf_level / 2, df)
            row.update(estimate=float(est), ci_low=float(lo), ci_high=float(hi),
                       se=float((hi - lo) / (2 * q)))
            if np.isnan(lo) or np.isnan(hi):
                row["note"] = "the interval for the distribution function leaves [0, 1]: limit NaN"
            rows.append(row)
    return result_frame(rows, extra=["probability"])

