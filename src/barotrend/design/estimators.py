"""Design-based means, totals, ratios and proportions, overall and by domain.

Every estimator is a ratio of weighted totals over a domain ``d`` (indicator ``I_d``):

    theta = sum_i w_i I_d(i) a_i / sum_i w_i I_d(i) b_i

with ``(a, b) = (y, 1)`` for a mean, ``(1{y = level}, 1)`` for a proportion, ``(y, x)`` for a
ratio; a total is ``sum_i w_i I_d(i) y_i``. The influence values are
``z_i = I_d(i) (a_i - theta b_i) / sum_j w_j I_d(j) b_j`` (``z_i = I_d(i) y_i`` for a total); the
design computes the variance (:meth:`Design.vcov`). Domains keep the full design: rows outside
the domain have ``z = 0`` (R's ``svyby`` on a subset design). Rows with a missing ``by`` value
form a last domain labelled ``"NA"``, as R's ``svyby`` does.

Design effect (R's ``deff="replace"``, against simple random sampling with replacement of the
same ``n`` rows): ``deff = V / V_srs`` with
``V_srs = W_d / (n_d - 1) * sum_{i in d} w_i (z_i - zbar)^2``, ``W_d`` the weight total of the
domain, ``n_d`` its rows with non-zero weight, ``zbar`` the weighted mean of ``z`` over the domain.
This equals R's ``svyvar(y)/n`` for a mean, ``svyvar(y) W^2/n`` for a total and the
``deff`` of the ratio's linearised variable. ``n_eff = n / deff``.

Intervals for means, totals and ratios: ``estimate -+ t_{df, 1 - alpha/2} se`` with the design
degrees of freedom (R: ``confint(..., df = degf(design))``). Proportions use
:func:`barotrend.design.intervals.proportion_interval` (R's ``svyciprop`` methods).

Missing values: with ``na_rm=False`` an estimate whose domain has a missing value is NaN (as R);
with ``na_rm=True`` those rows leave the domain (R's ``na.rm=TRUE``, a subset that keeps the
design).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, chapters 2-3. Wiley.
Sarndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*, 5.6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from barotrend.results import result_frame


def _variance_label(design):
    return design.replicate_kind if design.is_replicate else "taylor"


def _numeric(design, var, what="var"):
    if not isinstance(var, str):
        raise ValueError(f"{what}: expected a column name, got {var!r}")
    if var not in design.data.columns:
        raise ValueError(f"{what}: column {var!r} is not in the data")
    col = design.data[var]
    if isinstance(col.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        raise ValueError(f"{what}: column {var!r} is not numeric (dtype {col.dtype}); "
                         "use .proportion for categorical variables")
    return col.to_numpy(dtype=float, na_value=np.nan)


def _domain_list(design, by):
    """[(group label, extra columns dict, mask)] for the whole sample or each domain."""
    if by is None:
        return [("", {}, np.ones(design.n, dtype=bool))]
    cols = [by] if isinstance(by, str) else list(by)
    out = []
    for values, mask in design.domains(by, include_missing=True):
        if values[0] is None:
            label = "NA"
        elif len(cols) == 1:
            label = str(values[0])
        else:
            label = ", ".join(f"{c}={v}" for c, v in zip(cols, values, strict=True))
        out.append((label, dict(zip(cols, values, strict=True)), mask))
    return out


def ratio_engine(design, a_cols, b_cols, masks, total=False):
    """Estimates, covariance and design effects for a set of ratios of domain totals.

    Parameters
    ----------
    design : Design
    a_cols, b_cols : list of ndarray (n,)
        Numerators and denominators (``b`` ignored when ``total``); NaN marks rows to drop.
    masks : list of ndarray of bool (n,)
        Domain of each statistic (rows with NaN in its ``a`` or ``b`` already removed).
    total : bool
        Estimate totals ``sum w I a`` instead of ratios.

    Returns
    -------
    theta, vcov, deff, n : ndarray
    """
    w = design.weights
    k = len(a_cols)
    A = np.empty((design.n, k))
    B = np.empty((design.n, k))
    for j in range(k):
        m = masks[j]
        A[:, j] = np.where(m, np.nan_to_num(a_cols[j]), 0.0)
        B[:, j] = m if total else np.where(m, np.nan_to_num(b_cols[j]), 0.0)
    wb = w @ B
    with np.errstate(divide="ignore", invalid="ignore"):
        if total:
            theta = w @ A
            z = A
        else:
            theta = (w @ A) / wb
            z = (A - B * theta) / wb

    def estimator(W):
        if total:
            return W.T @ A
        return (W.T @ A) / (W.T @ B)

    vcov = design.vcov(estimator, z)
    # design effect against SRS with replacement (R's deff="replace")
    deff = np.full(k, np.nan)
    n = np.zeros(k)
    for j in range(k):
        inset = masks[j] & (w != 0)
        n[j] = inset.sum()
        if n[j] < 2:
            continue
        wd = w[inset]
        zd = z[inset, j]
        zbar = (wd @ zd) / wd.sum()
        vsrs = wd.sum() / (n[j] - 1) * (wd @ (zd - zbar) ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            deff[j] = vcov[j, j] / vsrs
    return theta, vcov, deff, n


def _rows(design, specs, total=False):
    """specs: list of (row dict, a, b, mask, has_missing)."""
    a_cols = [s[1] for s in specs]
    b_cols = [s[2] for s in specs]
    masks = [s[3] for s in specs]
    theta, vcov, deff, n = ratio_engine(design, a_cols, b_cols, masks, total=total)
    rows = []
    for j, (row, _a, _b, mask, missing) in enumerate(specs):
        se = float(np.sqrt(vcov[j, j]))
        est = float(theta[j])
        if missing:
            est = se = np.nan
        df = float(design.domain_df(mask))
        row = dict(row)
        row.update(estimate=est, se=se, df=df, n=float(n[j]),
                   deff=float(deff[j]) if not missing else np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            row["n_eff"] = row["n"] / row["deff"] if row["deff"] > 0 else np.nan
        rows.append(row)
    return rows, vcov


def _add_t_interval(rows, conf_level=0.95):
    for r in rows:
        df = r["df"] if r["df"] > 0 else np.nan
        q = stats.t.ppf(0.5 + conf_level / 2, df)
        r["ci_low"] = r["estimate"] - q * r["se"]
        r["ci_high"] = r["estimate"] + q * r["se"]
    return rows


def _with_missing(values, mask, na_rm):
    """Return (domain mask, has_missing) after R's na.rm rule."""
    nas = np.isnan(values) & mask
    if na_rm:
        return mask & ~np.isnan(values), False
    return mask, bool(nas.any())


def mean(design, var, by=None, na_rm=False):
    """Weighted mean of a numeric column, overall or by domain, with design-based SE.

    ``ybar = sum w y / sum w`` over the domain; influence ``z = (y - ybar) / sum w``; variance
    from the design (linearisation, R's ``svymean``, or replicates). See the module docstring for
    deff, n_eff, df and the interval ``ybar -+ t_df se``.

    Parameters
    ----------
    design : Design
    var : str
        Numeric (or boolean) column.
    by : str or list of str, optional
        Domain column(s); one row per observed level (combination).
    na_rm : bool
        Drop rows with a missing ``var`` (else the estimate is NaN when any is missing).

    Returns
    -------
    pandas.DataFrame
        Schema columns ``item, group, estimate, se, ci_low, ci_high, df, n, n_eff, deff, method``
        plus one column per ``by`` variable.

    Examples
    --------
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 1, 1]})
    >>> Design(df, weights="w").mean("y")[["estimate", "se", "df"]]
       estimate        se   df
    0       2.5  0.645497  3.0
    """
    y = _numeric(design, var)
    specs = []
    for label, extra, mask in _domain_list(design, by):
        m, missing = _with_missing(y, mask, na_rm)
        specs.append(({"item": var, "group": label, **extra}, y, np.ones(design.n), m, missing))
    rows, _ = _rows(design, specs)
    for r in _add_t_interval(rows):
        r["method"] = _variance_label(design)
    return result_frame(rows)


def total(design, var, by=None, na_rm=False):
    """Weighted total ``sum w y`` of a numeric column, overall or by domain (R's ``svytotal``).

    Influence ``z = y`` on the domain rows. See :func:`mean` for parameters and output.

    Examples
    --------
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [2.0, 2, 2, 2]})
    >>> Design(df, weights="w").total("y")[["estimate", "se"]]
       estimate        se
    0      20.0  5.163978
    """
    y = _numeric(design, var)
    specs = []
    for label, extra, mask in _domain_list(design, by):
        m, missing = _with_missing(y, mask, na_rm)
        specs.append(({"item": var, "group": label, **extra}, y, None, m, missing))
    rows, _ = _rows(design, specs, total=True)
    for r in _add_t_interval(rows):
        r["method"] = _variance_label(design)
    return result_frame(rows)


def ratio(design, num, den, by=None, na_rm=False):
    """Ratio of weighted totals ``R = sum w y / sum w x`` (R's ``svyratio``).

    Influence ``z = (y - R x) / sum w x``. Rows with a missing ``num`` or ``den`` make the
    estimate NaN unless ``na_rm`` (then they leave the domain). See :func:`mean` for the output.

    Examples
    --------
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 4, 4]})
    >>> round(float(Design(df).ratio("y", "x")["estimate"].iloc[0]), 4)
    0.8333
    """
    y = _numeric(design, num, "num")
    x = _numeric(design, den, "den")
    both = np.where(np.isnan(x), np.nan, y)
    specs = []
    for label, extra, mask in _domain_list(design, by):
        m, missing = _with_missing(both, mask, na_rm)
        specs.append(({"item": f"{num}/{den}", "group": label, **extra}, y, x, m, missing))
    rows, _ = _rows(design, specs)
    for r in _add_t_interval(rows):
        r["method"] = _variance_label(design)
    return result_frame(rows)


def _levels(design, var):
    if not isinstance(var, str):
        raise ValueError(f"var: expected a column name, got {var!r}")
    if var not in design.data.columns:
        raise ValueError(f"var: column {var!r} is not in the data")
    col = design.data[var]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col, list(col.cat.categories)
    return col, sorted(pd.unique(col.dropna()).tolist())


def proportion(design, var, by=None, method="logit", conf_level=0.95, na_rm=False):
    """Share of each level of a categorical (or boolean) column, with design-based intervals.

    Each level's share is the weighted mean of its indicator (R's ``svymean`` on a factor); the
    interval comes from :func:`barotrend.design.intervals.proportion_interval` with the design
    (or domain) degrees of freedom: ``method`` one of ``"logit"``, ``"likelihood"``, ``"beta"``
    (Korn-Graubard), ``"xlogit"``, ``"mean"`` (Wald), ``"asin"`` (arcsine), ``"wilson"`` (with
    effective n), as R's ``svyciprop``. Levels: the categories of a categorical column, else the
    sorted distinct values. A missing ``var`` makes the shares NaN unless ``na_rm``.

    Returns
    -------
    pandas.DataFrame
        As :func:`mean`, with an extra ``category`` column holding the level.

    Examples
    --------
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"q": ["yes", "no", "yes", "yes"]})
    >>> Design(df).proportion("q", method="mean")[["category", "estimate", "se"]]
      category  estimate     se
    0       no      0.25  0.25
    1      yes      0.75  0.25
    """
    from barotrend.design.intervals import METHODS, proportion_interval

    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    col, levels = _levels(design, var)
    miss = col.isna().to_numpy()
    specs = []
    for label, extra, mask in _domain_list(design, by):
        m, missing = _with_missing(np.where(miss, np.nan, 0.0), mask, na_rm)
        for lv in levels:
            ind = (col == lv).to_numpy(dtype=float, na_value=0.0)
            specs.append(({"item": var, "group": label, "category": lv, **extra},
                          ind, np.ones(design.n), m, missing))
    rows, _ = _rows(design, specs)
    for r in rows:
        est, se = r["estimate"], r["se"]
        ok = np.isfinite(est) and np.isfinite(se) and r["df"] > 0 and r["n"] >= 2
        if ok:
            lo, hi = proportion_interval(est, se, df=r["df"], method=method,
                                         conf_level=conf_level, n=r["n"])
        else:
            lo = hi = np.nan
        r["ci_low"], r["ci_high"] = float(lo), float(hi)
        r["method"] = f"{method}, {_variance_label(design)}"
    return result_frame(rows, extra=["category"])
