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

Computation (:mod:`barotrend.design.cells`): one chunked group-by of ``w (a - c b)``, ``w`` (and
``w b``) over (finest sampling unit x domain x level) codes gives every unit total the variance
needs (``T = (S_a - delta S_b) / W_b``, ``theta = c + delta``), so the pass over the rows is a
single group-by and the rest is algebra on small arrays. The sums are centred at ``c`` near the
estimate, so that a large mean does not cost the variance and the design effect their digits
(a second pass, centred at each domain's estimate, when the first centre was too far off).
Replicate designs and designs with score adjusters (calibration) use the row-level influence
matrix of the residuals ``a - theta b`` instead; both paths give the same numbers.

Many domains (issue 14): nothing grows as units x domains. When units x domains exceed the
rows, the group-by runs over the non-empty (unit, domain) cells only (a hash coding of the
pairs) and the variance comes from per-cell centred sums, empty units entering through
``n_h`` (:func:`barotrend.design.sparse.cell_variance`); calibrated, raked and post-stratified
designs with many domains add the adjusters' low-rank parts (per-cell sums and one small
matrix per stage, :func:`barotrend.design.sparse.adjusted_parts`); replicate designs sum each
replicate's weights per domain through sparse indicators (O(rows x replicates)). Only the
variances are formed (the result has no covariances). Time and memory: O(rows + cells).

Missing values: with ``na_rm=False`` an estimate whose domain has a missing value is NaN (as R);
with ``na_rm=True`` those rows leave the domain (R's ``na.rm=TRUE``, a subset that keeps the
design).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, chapters 2-3. Wiley.
Sarndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*, 5.6.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from barotrend.design.cells import domain_dfs, gsum, level_rows, row_cells, unit_cells
from barotrend.design.columns import counted_codes, not_numeric, py_scalar
from barotrend.results import COLUMNS, TEXT_COLUMNS, Results, result_frame


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
        raise ValueError(f"{what}: column {var!r} {not_numeric(col)}; use .proportion for "
                         "categorical variables")
    return col.to_numpy(dtype=float, na_value=np.nan)


def _by_key(by):
    """Hashable memo key of a ``by`` specification; None when it is not one (no memo)."""
    if isinstance(by, str):
        return ("by", by)
    if isinstance(by, list | tuple) and all(isinstance(c, str) for c in by):
        return ("by", tuple(by))
    return None


def _domain_codes(design, by):
    """Domain labels, their ``by`` values, a code per row (0..D-1) and rows per domain.

    Without ``by`` one domain holding every row (row counts None). Rows with a missing ``by``
    value form a last domain labelled ``"NA"`` (as R's ``svyby``).

    Memoised on the design (:meth:`Design._memo`): the result depends only on the design's
    data and ``by``. The arrays are shared between calls and never written to.
    """
    if by is None:
        return design._memo(("by", None), (design.data,),
                            lambda: ([("", {})], _zeros(design.n), None))
    key = _by_key(by)
    if key is None:  # not a column spec: the general path raises the ValueError
        return _domain_codes_fresh(design, by)
    return design._memo(key, (design.data,), lambda: _domain_codes_fresh(design, by))


def _zeros(n):
    """The domain codes of no ``by``: n int64 zeros as a read-only view of one zero (no
    row-sized array; never written to, as every memoised code array)."""
    return np.broadcast_to(np.zeros(1, dtype=np.int64), (n,))


def _domain_codes_fresh(design, by):
    labels, g, counts = _domain_codes_uncached(design, by)
    if counts is None:
        counts = np.bincount(g, minlength=len(labels))
    return labels, g, counts


def _domain_codes_uncached(design, by):
    fast = _integer_domains(design, by)
    if fast is not None:
        return fast
    cols = [by] if isinstance(by, str) else list(by)
    labels = []
    domain_values, g = design.domain_codes(by, include_missing=True)
    for values in domain_values:
        if values[0] is None:
            label = "NA"
        elif len(cols) == 1:
            label = str(values[0])
        else:
            label = ", ".join(f"{c}={v}" for c, v in zip(cols, values, strict=True))
        labels.append((label, dict(zip(cols, values, strict=True))))
    return labels, g, None


def _integer_domains(design, by):
    """Domains of one plain column of small non-negative integers, by counting (no sort).

    The same domains, labels and codes as :meth:`Design.domain_codes` (sorted distinct values;
    an integer column has no missing values), plus the rows per domain, which the counting
    gives for free; the column is used as the codes when its values are already ``0..D-1``.
    None for any other ``by`` (the general path then validates it).
    """
    if not isinstance(by, str) or by not in design.data.columns:
        return None
    col = design.data[by]
    if not isinstance(col, pd.Series) or isinstance(col.dtype, pd.CategoricalDtype):
        return None
    fast = counted_codes(col.to_numpy())
    if fast is None:
        return None
    g, values, counts = fast
    values = values.tolist()
    return [(str(x), {by: x}) for x in values], g, counts


def _cells(design, a, b, g, n_dom, lev=None, n_lev=1, total=False, na_rm=False, counts=None,
           check_a=None, names=(("var", "a"), ("den", "b"))):
    """Estimates of every (domain, level) cell: ratios of weighted domain totals.

    Parameters
    ----------
    a : ndarray (n,) or None
        Numerator values (NaN = missing); None with ``lev`` for level indicators.
    b : ndarray (n,) or None
        Denominator values (None = 1; NaN = missing). Ignored when ``total``.
    g : ndarray of int (n,)
        Domain code 0..n_dom-1 of each row.
    lev : ndarray of int (n,), optional
        Level code 0..n_lev-1 of each row, -1 when missing.
    counts : ndarray of int (n_dom,), optional
        Rows per domain code, when already known (saves a pass when no row is dropped).
    check_a : bool, optional
        Internal: True to check ``a`` for missing values before the group-by (the default on
        the row-level path; the group-by path checks the unit totals of ``w a`` instead and
        comes back with True only when they are not finite).

    Returns
    -------
    dict with ``theta``, ``var`` (K,) (the variances), ``deff``, ``n``, ``df``, ``missing`` (K = n_dom x
    n_lev cells, domain-major). The sums behind them are centred (:mod:`barotrend.design.cells`).
    """
    w = design.weights
    miss = None
    # a finite sum proves there is no NaN without a row-sized mask (the common case); on the
    # group-by path a NaN in a shows as a NaN unit total of w a, checked there instead
    if check_a is None:
        check_a = design._row_scores()
    deferred = a is not None and not check_a
    check_a = check_a and a is not None and not np.isfinite(a.sum())
    check_b = b is not None and not total and not np.isfinite(b.sum())
    for flag, x, (arg, col) in ((check_a, a, names[0]), (check_b, b, names[-1])):
        if flag and np.isinf(x).any():  # a missing value is NaN; an infinite one is an error
            i = int(np.flatnonzero(np.isinf(x))[0])
            raise ValueError(f"{arg}: column {col!r} has an infinite value {float(x[i])!r} at "
                             f"row {py_scalar(design.data.index[i])!r}")
    check_lev = lev is not None and len(lev) > 0 and lev.min() < 0
    for bad in ((np.isnan(a) if check_a else None), (lev < 0 if check_lev else None),
                (np.isnan(b) if check_b else None)):
        if bad is not None:
            miss = bad if miss is None else miss | bad
    has_missing = np.zeros(n_dom, dtype=bool)
    any_miss = miss is not None and bool(miss.any())
    if any_miss:
        if not na_rm:
            has_missing[np.unique(g[miss])] = True
        g = np.where(miss, -1, g)
    all_in = not any_miss  # domain codes are >= 0; only missing values leave a domain
    K = n_dom * n_lev
    if all_in:
        wk, gk = w, g
    else:
        wk = np.where(g >= 0, w, 0.0)
        gk = np.maximum(g, 0)
    if lev is not None:
        lev = np.maximum(lev, 0) if any_miss else lev
    av = None if a is None else (np.where(miss, 0.0, a) if any_miss else a)
    bv = None if (b is None or total) else (np.where(miss, 0.0, b) if any_miss else b)
    # weights are non-negative, so a positive minimum means every row counts (no mask); a
    # missing value puts a zero weight in wk
    nonzero = None if (all_in and design._weights_positive()) else wk != 0
    var_logit = None
    if design._row_scores():
        Wd = gsum(gk, wk, n_dom)
        dfs = domain_dfs(design, g, n_dom)
        if lev is None:
            theta, var, ss, Wb = row_cells(design, av, bv, wk, gk, g >= 0, n_dom, total, Wd)
        else:
            ck = lev if n_dom == 1 else gk * n_lev + lev  # (domain, level) cell of each row
            Wb = np.repeat(Wd, n_lev)
            with np.errstate(divide="ignore", invalid="ignore"):
                theta = gsum(ck, wk, K) / Wb
            var, var_logit = level_rows(design, g >= 0, ck, gk, K, n_lev, theta, Wb,
                                        logit=design.is_replicate)
            ss = None
    else:
        out = unit_cells(design, av, bv, wk, gk, n_dom, lev, n_lev, total, all_in, deferred)
        if out is None:
            # a NaN (or infinite) a: start again, checking a row by row. Finite unit totals
            # prove a has no NaN, so that pass over the rows is saved in the common case.
            return _cells(design, a, b, g, n_dom, lev=lev, n_lev=n_lev, total=total,
                          na_rm=na_rm, counts=counts, check_a=True, names=names)
        theta, var, ss, Wd, Wb, dfs = out
    if nonzero is None and counts is not None:  # every row counts: the known row counts
        nd = np.asarray(counts, dtype=float)
    else:
        nd = gsum(gk, None if nonzero is None else nonzero.astype(float), n_dom).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # design effect against SRS with replacement (R's deff="replace"):
        # ss = sum_d w (a - theta b)^2 (ratios) or sum_d w (a - abar)^2 (totals), centred
        if ss is None:  # level shares: sum_d w (1[level] - theta)^2 exactly
            ss = np.repeat(Wd, n_lev) * theta * (1 - theta)
        ss = np.maximum(ss, 0.0)
        nk = np.repeat(nd, n_lev)
        Wdk = np.repeat(Wd, n_lev)
        if not total:
            ss = ss / Wb**2
        vsrs = Wdk / (nk - 1) * ss
        deff = np.where(nk > 1, var / vsrs, np.nan)
    out = {"theta": theta, "var": var, "deff": deff, "n": nk,
           "df": np.repeat(dfs, n_lev), "missing": np.repeat(has_missing, n_lev)}
    if var_logit is not None:
        out["var_logit"] = var_logit
    return out


def by_column_names(columns):
    """The result column of each ``by`` column: its own name, or ``by_<name>`` when the name
    is one of the result's columns (``item``, ``group``, ``n``, ``method``, ``estimate`` ... any
    column of :data:`barotrend.results.COLUMNS` but ``survey`` and ``wave``, which mean the
    same thing there, and ``category``), which the domain's values would otherwise overwrite
    or be overwritten by; a warning says so.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     by_column_names(["region", "n", "wave"])
    {'region': 'region', 'n': 'by_n', 'wave': 'wave'}
    """
    taken = (set(COLUMNS) - {"survey", "wave"}) | {"category"}
    out = {}
    for c in columns:
        name = c
        while name in taken or (name != c and name in columns):
            name = f"by_{name}"
        out[c] = name
    moved = {c: v for c, v in out.items() if c != v}
    if moved:
        shown = ", ".join(f"column {c!r} is returned as {v!r}" for c, v in moved.items())
        warnings.warn(f"by: {shown} (the result has its own column of that name; 'group' "
                      "holds the domain label)", UserWarning, stacklevel=_caller_level())
    return out


def _caller_level():
    """``stacklevel`` of the first frame outside this package (the user's call)."""
    import sys

    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("barotrend."):
        frame, level = frame.f_back, level + 1
    return level


def _frame(design, labels, item, res, levels=None, method=None, conf_level=0.95):
    """Result rows (domain-major, then level) in the schema; ``by`` columns keep their names
    unless they clash with a result column (:func:`by_column_names`).

    Built column by column (the frame :func:`barotrend.results.result_frame` makes from the
    same rows, without a dict per row: with thousands of domains those dicts outweighed the
    estimates)."""
    n_lev = 1 if levels is None else len(levels)
    K = len(res["theta"])
    if K == 0:
        return result_frame([], extra=["category"] if levels is not None else ())
    rename = by_column_names(list(labels[0][1])) if labels else {}
    dom = np.arange(K) // n_lev
    miss = np.asarray(res["missing"], dtype=bool)
    est = np.array(res["theta"], dtype=float)
    se = np.sqrt(np.asarray(res["var"], dtype=float))
    deff = np.array(res["deff"], dtype=float)
    est[miss] = se[miss] = deff[miss] = np.nan
    dfk = np.array(res["df"], dtype=float)
    n = np.array(res["n"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(deff > 0, n / deff, np.nan)
    label = _variance_label(design)
    note = None
    if method is None:  # t quantiles of every row at once (one scipy call)
        qs = stats.t.ppf(0.5 + conf_level / 2, np.where(dfk > 0, dfk, 1.0))
        qs = np.where(dfk > 0, qs, np.nan)
        lo, hi = est - qs * se, est + qs * se
    else:
        label = f"{method}, {label}"
        batch = _share_intervals(res, method, conf_level)
        if batch is not None:
            lo, hi = (np.asarray(x, dtype=float) for x in batch)
        else:
            lo, hi, note = _row_intervals(res, method, conf_level, est, se, dfk, n)
    cols = {}
    for c, name in rename.items():
        cols[name] = [labels[d][1][c] for d in dom]
    cols["item"] = [item] * K
    cols["group"] = [labels[d][0] for d in dom]
    if levels is not None:
        cols["category"] = [levels[k % n_lev] for k in range(K)]
    cols.update(estimate=est, se=se, df=dfk, n=n, deff=deff, n_eff=n_eff, ci_low=lo,
                ci_high=hi, method=[label] * K)
    if note is not None:
        cols["note"] = note
    return _schema_frame(cols, levels is not None)


def _schema_frame(cols, shares_extra):
    """The frame :func:`barotrend.results.result_frame` makes from rows holding ``cols``
    (every row every key): schema columns first in their order, then ``category``, then the
    ``by`` columns; numeric schema columns float64, text ones object with "" for missing."""
    extra = ["category"] if shares_extra else []
    order = [c for c in COLUMNS if c in cols] + extra + [
        c for c in cols if c not in COLUMNS and c not in extra]
    out = {}
    for c in order:
        v = cols[c]
        if c in TEXT_COLUMNS:
            out[c] = np.array(["" if x is None or x is pd.NA or (isinstance(x, float) and x != x)
                               else x for x in v], dtype=object)
        elif c in COLUMNS:
            out[c] = np.asarray(v, dtype=np.float64) if isinstance(v, np.ndarray) else \
                np.array([np.nan if x is None or x is pd.NA else x for x in v],
                         dtype=np.float64)
        else:
            out[c] = v
    return Results(out, columns=order)


def _row_intervals(res, method, conf_level, est, se, dfk, n):
    """Share intervals one row at a time (``likelihood``, or replicate logit SEs): ``(lo,
    hi, note)``, ``note`` None unless a replicate logit is undefined somewhere."""
    from barotrend.design.intervals import proportion_interval

    K = len(est)
    lo, hi = np.full(K, np.nan), np.full(K, np.nan)
    notes = [None] * K
    for k in range(K):
        e, s, df, nk = float(est[k]), float(se[k]), float(dfk[k]), float(n[k])
        ok = np.isfinite(e) and np.isfinite(s) and df > 0 and nk >= 2 and 0 < e < 1 and s > 0
        if not (ok or (method == "mean" and np.isfinite(s) and df > 0)):
            continue
        se_logit = None
        if "var_logit" in res and method in ("logit", "likelihood") and ok:
            se_logit = float(np.sqrt(res["var_logit"][k]))
        if se_logit is not None and not np.isfinite(se_logit):
            # a replicate share of exactly 0 or 1 has no logit: no interval, say so
            notes[k] = ("logit undefined in a replicate with a share of 0 or 1: no "
                        f"{method} interval (method='beta' or 'mean' gives one)")
            continue
        lo[k], hi[k] = proportion_interval(e, s, df=df, method=method, conf_level=conf_level,
                                           n=max(nk, 2.0), se_logit=se_logit)
    return lo, hi, (notes if any(x is not None for x in notes) else None)


def _share_intervals(res, method, conf_level):
    """Every share's interval in one vectorised call (the same rows and arguments as the
    row-by-row path of :func:`_frame`), or None where that path is needed: no method (means),
    ``likelihood`` (a profile per share) or replicate logit standard errors."""
    if method is None or method == "likelihood" or ("var_logit" in res and method == "logit"):
        return None
    from barotrend.design.intervals import proportion_interval

    miss = np.asarray(res["missing"], dtype=bool)
    est = np.where(miss, np.nan, np.asarray(res["theta"], dtype=float))
    with np.errstate(invalid="ignore"):
        se = np.where(miss, np.nan, np.sqrt(np.asarray(res["var"], dtype=float)))
    df = np.asarray(res["df"], dtype=float)
    n = np.asarray(res["n"], dtype=float)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(est) & np.isfinite(se) & (df > 0) & (n >= 2) & (est > 0) & (est < 1) \
            & (se > 0)
        use = ok | ((method == "mean") & np.isfinite(se) & (df > 0))
    lo, hi = np.full(len(est), np.nan), np.full(len(est), np.nan)
    if use.any():
        lo[use], hi[use] = proportion_interval(est[use], se[use], df=df[use], method=method,
                                               conf_level=conf_level,
                                               n=np.maximum(n[use], 2.0))
    return lo, hi


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
        plus one column per ``by`` variable, named as it (``by_<name>``, with a warning, when
        the name is a result column such as ``item``, ``n`` or ``method``: see
        :func:`by_column_names`).

    Examples
    --------
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 1, 1]})
    >>> Design(df, weights="w").mean("y")[["estimate", "se", "df"]]
       estimate        se   df
    0       2.5  0.645497  3.0
    """
    y = _numeric(design, var)
    labels, g, counts = _domain_codes(design, by)
    res = _cells(design, y, None, g, len(labels), na_rm=na_rm, counts=counts,
                 names=(("var", var),))
    return _frame(design, labels, var, res)


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
    labels, g, counts = _domain_codes(design, by)
    res = _cells(design, y, None, g, len(labels), total=True, na_rm=na_rm,
                 counts=counts, names=(("var", var),))
    return _frame(design, labels, var, res)


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
    labels, g, counts = _domain_codes(design, by)
    res = _cells(design, y, x, g, len(labels), na_rm=na_rm, counts=counts,
                 names=(("num", num), ("den", den)))
    return _frame(design, labels, f"{num}/{den}", res)


def _levels(design, var):
    """Level codes (n,), -1 for missing, and the level values (categories, else sorted)."""
    if not isinstance(var, str):
        raise ValueError(f"var: expected a column name, got {var!r}")
    if var not in design.data.columns:
        raise ValueError(f"var: column {var!r} is not in the data")
    col = design.data[var]
    if isinstance(col.dtype, pd.CategoricalDtype):  # the codes as they are (int8 mostly)
        return col.cat.codes.to_numpy(), col.cat.categories.tolist()
    if col.dtype == bool:  # False/True are the codes 0/1: an int8 view, no copy
        return col.to_numpy().view(np.int8), [False, True]
    if not isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
        fast = counted_codes(col.to_numpy())  # small non-negative integers: by counting
        if fast is not None:
            return fast[0], fast[1].tolist()
    codes, uniq = pd.factorize(col, sort=True)
    return codes.astype(np.int64), pd.Index(uniq).tolist()


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
    from barotrend.design.intervals import METHODS

    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    lev, levels = _levels(design, var)
    labels, g, counts = _domain_codes(design, by)
    res = _cells(design, None, None, g, len(labels), lev=lev, n_lev=len(levels), na_rm=na_rm,
                 counts=counts)
    return _frame(design, labels, var, res, levels=levels, method=method,
                  conf_level=conf_level)
