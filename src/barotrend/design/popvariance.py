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
    domains = [("all", np.ones(design.n, dtype=bool))] if by is None else [
        ("/".join(str(v) for v in values), mask) for values, mask in design.domains(by)]
    rows = []
    for label, dom in domains:
        use = dom & ~np.isnan(y)
        row = {"item": var, "group": label, "method": "svyvar, " + (
            design.replicate_kind if design.is_replicate else "taylor")}
        n = int((use & (np.asarray(design.weights) != 0)).sum())
        if (np.isnan(y[dom]).any() and not na_rm) or n < 2:
            row.update(estimate=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan, n=n,
                       df=np.nan, note="missing values (na_rm=True leaves them out)" if n >= 2
                       else "fewer than two rows")
            rows.append(row)
            continue
        est, se, n = _one(design, y, use)
        df = float(design.domain_df(use))
        q = stats.t.ppf(0.975, df) if df > 0 else np.nan
        row.update(estimate=est, se=se, ci_low=est - q * se, ci_high=est + q * se, df=df, n=n)
        rows.append(row)
    return result_frame(rows)
