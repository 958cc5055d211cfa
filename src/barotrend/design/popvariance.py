"""Design-based estimate of a population variance with its standard error (R's ``svyvar``).

Over the rows ``i`` of a domain with an answer (``n`` of them with non-zero weight, weight total
``W``), with ``ybar = sum w_i y_i / W``:

    S^2 = n / (n - 1) * sum_i w_i (y_i - ybar)^2 / W

the weighted mean of ``u_i = n/(n-1) (y_i - ybar)^2``. Linearised designs take the variance of
that mean of ``u`` (influence ``(u_i - S^2) / W``; the estimation of ``ybar`` adds nothing to
first order, as ``sum w (y - ybar) = 0``), as R's ``svyvar.survey.design``; replicate designs
recompute ``ybar`` and ``S^2`` with every set of replicate weights (R's ``svyvar.svyrep.design``).
Replicate sums are taken about the full-sample mean so that a large mean costs no digits.

Difference from R: with ``na_rm=True`` on a linearised design R's ``n`` counts the rows with a
missing value too; here ``n`` counts the rows with an answer (R gives ours on the subset design,
``svyvar(~y, subset(design, !is.na(y)))``, and on replicate designs).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, section 2.4; R package
``survey``, function ``svyvar``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barotrend.design.contrasts import numeric_column
from barotrend.results import result_frame


def _one(design, y, use):
    w = np.asarray(design.weights, dtype=float)
    wu = np.where(use, w, 0.0)
    n = int((wu != 0).sum())
    W = wu.sum()
    y0 = np.where(use, y, 0.0)
    ybar = (wu @ y0) / W
    d = np.where(use, y0 - ybar, 0.0)
    d = d - (wu @ d) / W  # second pass: the rounding of ybar leaves no residual mean
    c = n / (n - 1)
    u = c * d * d
    est = (wu @ u) / W
    scores = (np.where(use, u - est, 0.0) / W)[:, None]
    m = use.astype(float)

    def estimator(wr):  # S^2 per replicate about the replicate's own mean, minus est
        wr = np.asarray(wr, dtype=float) * m[:, None]
        tot = wr.sum(axis=0)
        m1 = (wr.T @ d) / tot
        return (c * ((wr.T @ (d * d)) / tot - m1 * m1) - est)[:, None]

    v = np.asarray(design.vcov(estimator, scores), dtype=float)
    return float(est), float(np.sqrt(v[0, 0])), n


def _by_domain(design, y, g, n_dom):
    """``(S^2, se, df)`` of every domain of a linearised design at once: ``S^2`` is the
    weighted mean of ``u_i = n/(n-1) (y_i - ybar_d)^2`` over the domain's answers, so the
    estimators' by-domain machinery (:func:`barotrend.design.estimators._cells`: O(rows +
    non-empty cells), adjusters included) gives it and its variance; ``ybar_d`` in two
    passes (the second removes the first's rounding), as :func:`_one`."""
    from barotrend.design.estimators import _cells

    w = np.asarray(design.weights, dtype=float)
    ok = (g >= 0) & ~np.isnan(y)
    gk = np.where(ok, g, 0)
    wk = np.where(ok, w, 0.0)
    W = np.bincount(gk, wk, minlength=n_dom)
    n = np.bincount(gk, wk != 0, minlength=n_dom)
    d = np.where(ok, y, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(2):
            step = np.bincount(gk, wk * d, minlength=n_dom) / W
            d = d - np.where(np.isfinite(step), step, 0.0)[gk]
        c = n / (n - 1.0)  # a domain of one row: inf (reported as too few rows)
        u = np.where(ok, c[gk] * d * d, np.nan)  # rows without an answer leave the domain
    res = _cells(design, u, None, gk, n_dom, na_rm=True)
    return res["theta"], np.sqrt(res["var"]), np.asarray(res["df"], dtype=float)


def variance(design, var, by=None, na_rm=False) -> pd.DataFrame:
    """Population variance ``S^2`` of ``var`` with its design-based SE, overall or by domain.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    var : str
        Numeric (or boolean) column.
    by : str or list of str, optional
        Domains (R's ``svyby(..., svyvar)``).
    na_rm : bool
        Leave rows with a missing ``var`` out (else a domain with one gives NaN).

    Linearised designs take every domain in one pass of the by-domain estimators (O(rows +
    non-empty cells), whatever the number of domains); replicate designs one domain at a time.

    Returns
    -------
    pandas.DataFrame
        One row per domain: ``item``, ``group``, ``estimate`` (``S^2``), ``se``, ``ci_low``,
        ``ci_high`` (``S^2 -+ t_df se``), ``df``, ``n``, ``method``, ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1.0, 2, 4, 7]}))
    >>> float(d.var("y")["estimate"].iloc[0])  # the sample variance: 21 / 3
    7.0
    """
    from scipy import stats

    y = numeric_column(design, var)
    if by is None:
        values, g = [("all",)], np.zeros(design.n, dtype=np.int64)
        labels = ["all"]
    else:
        values, g = design.domain_codes(by)
        labels = ["/".join(str(v) for v in vals) for vals in values]
    n_dom = len(labels)
    parts = _by_domain(design, y, g, n_dom) if not design.is_replicate else None
    w = np.asarray(design.weights, dtype=float)
    ok = (g >= 0) & ~np.isnan(y)
    gk = np.where(g >= 0, g, 0)
    n_all = np.bincount(gk, ok & (w != 0), minlength=n_dom)
    has_nan = np.bincount(gk, (g >= 0) & np.isnan(y), minlength=n_dom) > 0
    rows = []
    for k, label in enumerate(labels):
        row = {"item": var, "group": label, "method": "svyvar, " + (
            design.replicate_kind if design.is_replicate else "taylor")}
        n = int(n_all[k])
        if (has_nan[k] and not na_rm) or n < 2:
            row.update(estimate=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan, n=n,
                       df=np.nan, note="missing values (na_rm=True leaves them out)" if n >= 2
                       else "fewer than two rows")
            rows.append(row)
            continue
        if parts is None:  # replicate designs: the mean is recomputed in every replicate
            use = ok & (g == k)
            est, se, n = _one(design, y, use)
            df = float(design.domain_df(use))
        else:
            est, se, df = parts[0][k], parts[1][k], parts[2][k]
        q = stats.t.ppf(0.975, df) if df > 0 else np.nan
        row.update(estimate=est, se=se, ci_low=est - q * se, ci_high=est + q * se, df=df, n=n)
        rows.append(row)
    return result_frame(rows)
