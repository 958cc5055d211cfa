"""Difference between two domain means with its design-based covariance (R: ``svyby`` + ``svycontrast``).

For domains ``a`` and ``b`` of a grouping column, the domain means are ratio estimators
``ybar_d = sum_i w_i I_d(i) y_i / sum_i w_i I_d(i)`` computed on the full design (domain
estimation: units outside a domain stay in the design with zero contribution, so the variance
accounts for the random domain size). Their linearised influence values are
``z_d(i) = I_d(i) (y_i - ybar_d) / N_d`` with ``N_d = sum_i w_i I_d(i)``, and

    Var(ybar_a - ybar_b) = V_aa + V_bb - 2 V_ab

from the 2 x 2 design covariance of the two means (replicate designs recompute both means with
every set of replicate weights instead). The test statistic ``t = (ybar_a - ybar_b) / se`` is
referred to Student's t with the design degrees of freedom (PSUs minus strata), as
``svycontrast`` followed by a t test with ``degf(design)`` in R. R's ``svyttest(y ~ g)`` fits the
same difference as a regression coefficient on the rows with an answer and uses their degrees of
freedom minus one (a PSU whose rows are all missing leaves the count): that test is
:meth:`Design.ttest <barotrend.design.ttest.ttest>`.

Rows with a missing ``var`` or grouping value belong to neither domain (R's ``na.rm=TRUE``).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, sections 2.2 and 3.4; R
package ``survey``, functions ``svyby`` (``covmat=TRUE``), ``svycontrast``, ``svyttest``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from barotrend.design import sparse_scores
from barotrend.design.columns import not_numeric, py_scalar
from barotrend.design.sparse_scores import contrast_scores, replicate_ratio_estimator
from barotrend.results import result_frame


def numeric_column(design, var: str, argname: str = "var") -> np.ndarray:
    """Column ``var`` of the design's data as float (NaN for missing), or ValueError.

    Booleans become 0/1. The column must exist and be numeric or boolean.
    """
    data = design.data
    if not isinstance(var, str) or var not in data.columns:
        raise ValueError(f"{argname}: column {var!r} not found in the design data")
    col = data[var]
    if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        raise ValueError(f"{argname}: column {var!r} {not_numeric(col)}")
    y = col.astype("float64").to_numpy(na_value=np.nan)
    inf = np.isinf(y)
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        raise ValueError(f"{argname}: column {var!r} has an infinite value {float(y[i])!r} at "
                         f"row {py_scalar(data.index[i])!r}")
    return y


def domain_indicator(design, by, level, argname: str) -> np.ndarray:
    """``design.domain_mask(by, level)`` with errors that name ``argname`` (e.g. ``a``)."""
    if isinstance(level, list):
        level = tuple(level)
    try:
        return np.asarray(design.domain_mask(by, level), dtype=bool)
    except ValueError as err:
        msg = str(err)
        if msg.startswith("level:"):
            msg = f"{argname}:" + msg[len("level:"):]
        raise ValueError(msg) from None


def _label(level) -> str:
    if isinstance(level, tuple | list):
        return "/".join(str(v) for v in level)
    return str(level)


#: Relative size of the rounding left in a variance that is exactly 0 (a domain made of whole
#: PSUs, whose influence totals cancel): the residuals are exact to a few eps of the values.
NOISE = 16 * np.finfo(float).eps


def without_rounding_noise(v, scale):
    """``v`` (k, k) with the entries below the rounding of values of size ``scale`` (k,) set to
    exactly 0: ``|v_ij| <= (NOISE s_i)(NOISE s_j)``. A variance that is 0 in exact arithmetic
    then gives no t statistic, instead of t ~ 1e16 and p = 0 from a noise of 1e-17.

    Examples
    --------
    >>> without_rounding_noise(np.array([[1e-33, 0.0], [0.0, 0.04]]), np.array([3.0, 3.0]))
    array([[0.  , 0.  ],
           [0.  , 0.04]])
    """
    v = np.array(v, dtype=float)
    s = NOISE * np.abs(np.asarray(scale, dtype=float))
    v[np.abs(v) <= np.outer(s, s)] = 0.0
    return v


def domain_means(design, y, indicators):
    """Means of ``y`` in several domains of the full design and their design covariance.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    y : ndarray (n,) or (n, k)
        Values, NaN for missing (a missing row belongs to no domain); one column per domain
        to take a different variable in each (joint means of several variables).
    indicators : ndarray of bool (n, k)
        Domain membership, one column per domain (domains may overlap).

    Returns
    -------
    means : ndarray (k,)
    vcov : ndarray (k, k)
        Linearised covariance from the influence values ``z_d(i) = I_d(i) (y_i - ybar_d) /
        N_d`` (module docstring), or the replicate covariance of the re-estimated means.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 5]}))
    >>> m, v = domain_means(d, d.data["y"].to_numpy(), np.array([[1, 1], [1, 0], [0, 1],
    ...                                                       [0, 1]], dtype=bool))
    >>> m.tolist()
    [1.5, 3.0]
    """
    y = np.asarray(y, dtype=float)
    y2 = y[:, None] if y.ndim == 1 else y
    ind = (np.asarray(indicators, dtype=bool) & ~np.isnan(y2)).astype(float)
    y0 = np.where(np.isnan(y2), 0.0, y2)
    w = np.asarray(design.weights, dtype=float)
    totals = w @ ind
    # two passes: the means, then the mean of the residuals about them (the rounding of the
    # first pass, of the size of eps |mean|, would otherwise shift every residual)
    means = (w @ (ind * y0)) / totals
    resid = ind * (y0 - means)
    step = (w @ resid) / totals
    means = means + step
    resid = ind * (resid - step)
    scores = resid / totals

    def estimator(wr):  # theta_r - theta: the same variance, without the mean's digits
        wr = np.asarray(wr, dtype=float)
        return (wr.T @ resid) / (wr.T @ ind)

    scale = np.max(np.abs(ind * y0), axis=0) if len(y0) else np.zeros(ind.shape[1])
    return means, without_rounding_noise(design.vcov(estimator, scores), scale)


class SparseMeans:
    """Domain means with their influence values held sparse: estimate ``k`` takes the rows
    ``rows[cols == k]`` with values ``y`` (a row may enter several estimates), influence
    values ``z_k(i) = (y_i - ybar_k) / N_k`` at ``(rows, cols)`` (as :func:`domain_means`,
    which builds them as an (n, k) matrix). The covariance comes from the non-empty (unit,
    estimate) cells (:func:`barotrend.design.sparse_scores.sparse_vcov`) when ``n x k`` is
    large, and a linear contrast's variance from one column ``z c``: no (n, k) array.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 5]}))
    >>> m = SparseMeans(d, np.array([0, 1, 0, 2, 3]), np.array([0, 0, 1, 1, 1]),
    ...                 np.array([1.0, 2, 1, 3, 5]), 2)
    >>> m.means.tolist(), bool(np.allclose(m.vcov(), domain_means(
    ...     d, d.data["y"].to_numpy(), np.array([[1, 1], [1, 0], [0, 1], [0, 1]], bool))[1]))
    ([1.5, 3.0], True)
    """

    def __init__(self, design, rows, cols, y, k):
        self.design, self.rows, self.cols, self.k = design, rows, cols, k
        w = np.asarray(design.weights, dtype=float)[rows]
        totals = np.bincount(cols, w, minlength=k)
        # two passes: the means, then the mean of the residuals about them (as domain_means)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.bincount(cols, w * y, minlength=k) / totals
            resid = y - means[cols]
            step = np.bincount(cols, w * resid, minlength=k) / totals
            self.means = means + step
            self.resid = resid - step[cols]
            self.scores = self.resid / totals[cols]
        self.scale = np.zeros(k)
        np.maximum.at(self.scale, cols, np.abs(y))

    def estimator(self, c=None):
        """Replicate designs: the means' departures per replicate (or ``c'`` of them)."""
        return replicate_ratio_estimator(self.design.n, self.rows, self.cols, self.resid,
                                         self.k, c)

    def vcov(self):
        """Covariance (k, k) of the means (rounding noise of a zero variance set to 0)."""
        return without_rounding_noise(self._vcov(), self.scale)

    def _vcov(self):
        d = self.design
        if d.is_replicate:
            return np.asarray(d.vcov(self.estimator(), None), dtype=float)
        if d.n * self.k > sparse_scores.SPARSE_MIN:
            v = sparse_scores.sparse_vcov(d, self.rows, self.cols, self.scores, self.k)
            if v is not None:
                return v
        z = np.zeros((d.n, self.k))
        z[self.rows, self.cols] = self.scores
        return np.asarray(d.vcov(None, z), dtype=float)

    def contrast_variance(self, c):
        """Variance of ``c' ybar``: one column of influence values ``z c`` (its design
        variance is ``c' V c``; no k x k covariance)."""
        d = self.design
        if d.is_replicate:
            v = d.vcov(self.estimator(c), None)
        else:
            v = d.vcov(None, contrast_scores(d.n, self.rows, self.cols, self.scores, c))
        size = float(np.abs(np.asarray(c, dtype=float)) @ self.scale)
        return float(without_rounding_noise(np.asarray(v, dtype=float)[:1, :1], [size])[0, 0])


def compare(design, var: str, by, a, b, *, level=None, conf_level: float = 0.95,
            df=None) -> pd.DataFrame:
    """Design-based difference of the means of ``var`` between domains ``a`` and ``b``.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    var : str
        Numeric (or boolean) column; a boolean gives a difference of proportions.
    level : scalar, optional
        Compare the share of ``var == level`` instead of the mean of ``var`` (any column
        type; rows with a missing ``var`` are left out). Required for a non-numeric ``var``.
    by : str or list of str
        Grouping column(s) defining the domains.
    a, b : scalar or tuple
        The two domain levels (a tuple when ``by`` is a list); the difference is ``a - b``.
    conf_level : float, default 0.95
        Level of the t interval for the difference.
    df : float, optional
        Degrees of freedom of the t reference; default ``design.df`` (PSUs minus strata).

    Returns
    -------
    pandas.DataFrame
        One row: ``item`` (``var``, or ``"var = level"``), ``group`` (``"a - b"``), ``estimate_a``, ``estimate_b``,
        ``difference``, ``se``, ``ci_low``, ``ci_high``, ``df``, ``statistic`` (t),
        ``p_value`` (two-sided), ``n`` and extra ``se_a``, ``se_b``, ``cov_ab``, ``n_a``,
        ``n_b``; ``method`` ``"domain contrast (t)"``.

    Notes
    -----
    ``se**2 = V_aa + V_bb - 2 V_ab`` with ``V`` the design covariance of the two domain means
    (module docstring); ``t = d / se`` on ``df`` degrees of freedom; interval
    ``d -+ t_{df, 1 - alpha/2} se``.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1., 2, 3, 4, 5, 6, 7, 9], "g": list("aabbabab")}))
    >>> r = compare(d, "y", "g", "b", "a")
    >>> r[["estimate_a", "estimate_b", "difference"]].iloc[0].tolist()
    [5.5, 3.75, 1.75]
    """
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    if level is None:
        y = numeric_column(design, var)
        item = var
    else:
        if not isinstance(var, str) or var not in design.data.columns:
            raise ValueError(f"var: column {var!r} not found in the design data")
        col = design.data[var]
        hit = (col == level).to_numpy(dtype=bool, na_value=False)
        if not hit.any():
            raise ValueError(f"level: {level!r} does not occur in column {var!r}")
        y = np.where(col.isna().to_numpy(), np.nan, hit.astype(float))
        item = f"{var} = {level}"
    ia = domain_indicator(design, by, a, "a")
    ib = domain_indicator(design, by, b, "b")
    if (ia & ib).any():
        raise ValueError(f"b: domain {b!r} is the same as domain a {a!r}")
    ok = ~np.isnan(y)
    ia, ib = ia & ok, ib & ok
    for name, lev, ind in (("a", a, ia), ("b", b, ib)):
        if not ind.any():
            raise ValueError(f"{name}: domain {lev!r} has no non-missing {var!r}")
    means, v = domain_means(design, y, np.column_stack([ia, ib]))
    diff = means[0] - means[1]
    se = float(np.sqrt(v[0, 0] + v[1, 1] - 2 * v[0, 1]))
    dfv = float(design.df if df is None else df)
    if not dfv > 0:
        raise ValueError(f"df: must be positive, got {dfv!r}")
    q = stats.t.ppf(0.5 + conf_level / 2, dfv)
    t = diff / se if se > 0 else np.nan
    row = {
        "item": item, "group": f"{_label(a)} - {_label(b)}", "estimate_a": means[0], "estimate_b": means[1],
        "difference": diff, "se": se, "ci_low": diff - q * se, "ci_high": diff + q * se,
        "df": dfv, "statistic": t, "p_value": 2 * stats.t.sf(abs(t), dfv),
        "n": int(ia.sum() + ib.sum()), "method": "domain contrast (t)",
        "note": ("replicate-weight variance" if design.is_replicate
                 else "linearised domain variance") + (
            "" if se > 0 else "; no sampling variance (the domains' influence totals are 0, "
            "e.g. each domain is made of whole PSUs): no test"),
        "se_a": float(np.sqrt(v[0, 0])), "se_b": float(np.sqrt(v[1, 1])),
        "cov_ab": float(v[0, 1]), "n_a": int(ia.sum()), "n_b": int(ib.sum()),
    }
    return result_frame([row])
