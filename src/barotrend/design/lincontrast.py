"""Joint means of several variables and domains with their full design covariance, and linear
contrasts of them (R's ``svymean(~a + b)``, ``svyby(..., covmat=TRUE)``, ``svycontrast``).

The estimates are means ``ybar_{jd}`` of variables ``j`` in domains ``d`` (the whole sample when
there is no ``by``), each a ratio estimator on the full design with influence values
``z_{jd}(i) = I_d(i) (y_{ij} - ybar_{jd}) / N_d``; their covariance ``V`` is the design covariance
of those influence totals (linearisation), or the replicate covariance of the re-estimated means
(:func:`barotrend.design.contrasts.domain_means`). Rows with a missing value in any of the
variables are left out of every estimate when ``na_rm=True`` (complete cases, as R's
``na.rm=TRUE`` on ``~a + b``); otherwise a missing value is an error.

A contrast ``c' ybar`` has variance ``c' V c``; the t statistic ``c' ybar / se`` is referred to
Student's t with the design degrees of freedom (``degf(design)`` in R), the interval is
``c' ybar -+ t_{df, 1-alpha/2} se``.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, sections 2.2, 3.4; R package
``survey``, functions ``svyby`` (``covmat=TRUE``), ``svycontrast``, ``vcov``.
"""

from __future__ import annotations

import warnings
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import stats

from barotrend.design.columns import py_scalar
from barotrend.design.contrasts import SparseMeans, numeric_column
from barotrend.results import result_frame


def _vars(vars_):
    cols = [vars_] if isinstance(vars_, str) else list(vars_) if isinstance(
        vars_, list | tuple) else None
    if not cols or not all(isinstance(c, str) for c in cols):
        raise ValueError(f"vars: expected a column name or a list of them, got {vars_!r}")
    if len(set(cols)) != len(cols):
        raise ValueError(f"vars: a column is named twice in {cols!r}")
    return cols


def _level(values):
    v = tuple(py_scalar(x) for x in values)
    return v[0] if len(v) == 1 else v


def joint_means(design, vars_, by=None, na_rm=False):
    """Means of one or more variables, overall or in every domain of ``by``, and their full
    design covariance.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    vars_ : str or list of str
        Numeric (or boolean) columns.
    by : str or list of str, optional
        Domains; every (variable, domain) pair is one estimate.
    na_rm : bool
        Leave out the rows with a missing value in any variable (complete cases).

    Returns
    -------
    estimates : pandas.DataFrame
        One row per (variable, domain): ``item``, ``group``, ``estimate``, ``se``, ``n``,
        ``df`` (the design's) and ``level`` (the domain value, or None).
    vcov : pandas.DataFrame
        The covariance matrix, rows and columns indexed by (``item``, ``group``).

    Notes
    -----
    The influence values are kept sparse (one value per row and variable, in its domain's
    column): with many domains the covariance comes from the non-empty (unit, domain) cells,
    O(rows + cells + k^2) for ``k`` estimates, and never from a rows x k matrix
    (:func:`barotrend.design.sparse_scores.sparse_vcov`; replicate designs: sparse indicators
    times the replicate weights). The covariance itself is k x k (6,500 domains: 340 MB; 3
    variables by 6,500 domains: 3 GB): for a contrast or a function of the means use
    :func:`contrast`, which needs only one column of influence values, never the k x k.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 4, 4]}))
    >>> est, v = joint_means(d, ["a", "b"])
    >>> est["estimate"].tolist(), round(float(v.iloc[0, 1]), 6)  # cov: sum (a-2.5)(b-3) / 12
    ([2.5, 3.0], 0.333333)
    """
    j = _Joint(design, vars_, by, na_rm)
    v = j.vcov()
    est = j.table(np.sqrt(np.diag(v)))
    index = pd.MultiIndex.from_tuples([(c, g) for c, g, _ in j.keys], names=["item", "group"])
    return est, pd.DataFrame(v, index=index, columns=index, copy=False)  # k x k: no copy


class _Joint:
    """The joint means of ``vars_`` by ``by`` (see :func:`joint_means`) with their influence
    values held sparse: estimate ``k = j D + d`` (variable ``j``, domain ``d``) takes the
    complete rows of domain ``d``; ``rows``, ``cols`` and ``scores`` give ``z_k(i) = (y_ij -
    ybar_k) / N_k`` (:class:`barotrend.design.contrasts.SparseMeans`)."""

    def __init__(self, design, vars_, by, na_rm):
        cols = _vars(vars_)
        Y = np.column_stack([numeric_column(design, c, "vars") for c in cols])
        miss = np.isnan(Y)
        if miss.any() and not na_rm:
            i, jj = np.argwhere(miss)[0]
            raise ValueError(f"vars: column {cols[jj]!r} has a missing value at row "
                             f"{py_scalar(design.data.index[i])!r}; pass na_rm=True to leave "
                             "such rows out (complete cases, as R's na.rm=TRUE)")
        ok = ~miss.any(axis=1)
        if by is None:
            values, code = [()], np.zeros(design.n, dtype=np.int64)
        else:
            values, code = design.domain_codes(by)
        D, J = len(values), len(cols)
        self.keys = [(c, "all" if by is None else "/".join(str(v) for v in vals),
                      None if by is None else _level(vals)) for c in cols for vals in values]
        r = np.flatnonzero(ok & (code >= 0))
        g = code[r]
        counts = np.bincount(g, minlength=D)
        if (counts == 0).any():
            k = int(np.flatnonzero(counts == 0)[0])
            raise ValueError(f"by: domain {self.keys[k][1]!r} has no complete row of {cols!r}")
        self.design, self.k, self.cols_ = design, J * D, cols
        self.n = np.tile(counts, J)
        self.rows = np.tile(r, J)
        self.cols = (np.arange(J)[:, None] * D + g).ravel()
        self.m = SparseMeans(design, self.rows, self.cols, Y[r].T.ravel(), self.k)
        self.means = self.m.means

    def vcov(self):
        """Covariance (k, k) of the means."""
        return self.m.vcov()

    def contrast_variance(self, c):
        """Variance of ``c' ybar`` (no k x k covariance)."""
        return self.m.contrast_variance(c)

    def table(self, se=None):
        """The estimates (``se`` NaN unless given)."""
        method = "joint means, " + ("replicate" if self.design.is_replicate else "taylor")
        df = float(self.design.df)
        se = np.full(self.k, np.nan) if se is None else se
        rows = [{"item": c, "group": g, "estimate": float(self.means[k]), "se": float(se[k]),
                 "n": int(self.n[k]), "df": df, "level": lev, "method": method}
                for k, (c, g, lev) in enumerate(self.keys)]
        return result_frame(rows, extra=["level"])


def _coefficients(coefficients, est):
    """The coefficient vector for the estimates ``est`` from a dict or a sequence."""
    k = len(est)
    if isinstance(coefficients, dict):
        c = np.zeros(k)
        lookup = {key: pos for pos, keys in enumerate(_lookup(est)) for key in keys}
        for key, value in coefficients.items():
            kk = tuple(key) if isinstance(key, list) else key
            if kk not in lookup:
                known = ", ".join(repr(x) for x in lookup if not isinstance(x, tuple)) or \
                    ", ".join(repr(x) for x in lookup)
                raise ValueError(f"coefficients: unknown estimate {key!r}; known: {known}")
            c[lookup[kk]] = float(value)
    else:
        c = np.asarray(coefficients, dtype=float)
        if c.shape != (k,):
            raise ValueError(f"coefficients: expected {k} values (one per estimate), got "
                             f"{c.size}")
    if not np.isfinite(c).all():
        raise ValueError(f"coefficients: every coefficient must be finite, got {c.tolist()}")
    if not c.any():
        raise ValueError("coefficients: all zero; name at least one estimate")
    return c


def _lookup(est):
    """The names a coefficient dict or a contrast function may use for each estimate."""
    single_var = est["item"].nunique() == 1
    has_by = est["level"].notna().any()
    names = []
    for r in est.itertuples(index=False):
        keys = [(r.item, r.level), (r.item, r.group)] if has_by else [r.item]
        if has_by and single_var:
            keys.insert(0, r.level)
        names.append(keys)
    return names


def _gradient(func, theta, names):
    """Value and gradient of ``func`` at ``theta`` by complex step (exact to rounding for an
    analytic function), checked against central differences so that a function that is not
    analytic (``abs``, ``min``, a comparison) is an error, not a wrong standard error.

    The function sees one read-only mapping whose entries for estimate ``k`` are moved for
    its steps and put back: O(k) set-up and three calls per estimate, not a new mapping of
    all the estimates per call (which made the gradient over 6,500 domains quadratic)."""
    base = theta.astype(complex)
    m = {}
    for keys, v in zip(names, base, strict=True):
        for key in keys:
            m[key] = v
    view = MappingProxyType(m)

    def call():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", np.exceptions.ComplexWarning)
                out = func(view)
        except KeyError as err:
            known = ", ".join(repr(k[0]) for k in names)
            raise ValueError(f"coefficients: the function asks for unknown estimate {err}; "
                             f"known: {known}") from None
        except (TypeError, np.exceptions.ComplexWarning) as err:
            raise ValueError("coefficients: the function must accept complex values (use "
                             f"numpy functions such as np.log, not math.log): {err}") from None
        return complex(out) if np.ndim(out) == 0 else complex(np.asarray(out).item())

    def at(k, v):  # estimate k set to v, the function's value there, k put back
        for key in names[k]:
            m[key] = v
        try:
            return call()
        finally:
            for key in names[k]:
                m[key] = base[k]

    value = call()
    if value.imag != 0 or not np.isfinite(value.real):
        raise ValueError(f"coefficients: the function gives {value!r} at the estimates; it "
                         "must give a finite real number")
    grad = np.empty(len(theta))
    for k in range(len(theta)):
        h = 1e-20 * max(abs(theta[k]), 1.0)
        grad[k] = at(k, base[k] + 1j * h).imag / h
        e = 1e-6 * max(abs(theta[k]), 1.0)
        fd = (at(k, base[k] + e).real - at(k, base[k] - e).real) / (2 * e)
        if abs(fd - grad[k]) > 1e-4 * max(abs(fd), abs(grad[k]), 1e-8 * abs(value.real), 1e-12):
            raise ValueError("coefficients: the function is not differentiable as written "
                             f"(derivative {grad[k]:.6g} by complex step, {fd:.6g} by "
                             "differences); abs, min, max and comparisons are not allowed")
    return value.real, grad


def _describe(c, est):
    parts = []
    one_var = est["item"].nunique() == 1
    for ci, r in zip(c, est.itertuples(index=False), strict=True):
        if ci == 0:
            continue
        name = r.item if r.group == "all" else (r.group if one_var
                                                 else f"{r.item}[{r.group}]")
        parts.append(f"{ci:+g}*{name}")
    return " ".join(parts).lstrip("+")


def contrast(design, vars_, coefficients, by=None, *, conf_level=0.95, df=None, na_rm=False):
    """Linear contrast ``sum_k c_k ybar_k`` of joint means with its design-based t test.

    Parameters
    ----------
    design : Design
    vars_ : str or list of str
        Variables whose means enter (see :func:`joint_means`).
    coefficients : dict, sequence of float, or callable
        A dict keyed by domain level (one variable with ``by``), by variable name (no ``by``)
        or by ``(variable, level)``; absent estimates get 0. Or one coefficient per estimate in
        the order of :func:`joint_means` (variables, then domains), as R's ``svycontrast``.
        Or a function of a mapping with those keys, e.g. ``lambda m: m["a"] / m["b"]`` or
        ``lambda m: np.log(m["E"] / m["H"])`` (R's ``svycontrast`` of an expression): the
        delta method, ``se**2 = g' V g`` with ``g`` the gradient at the estimates, computed by
        complex step (exact to rounding; numpy functions only, and differentiable ones: a
        function the check finds non-differentiable, e.g. with ``abs``, is an error).
    by : str or list of str, optional
    conf_level : float, default 0.95
    df : float, optional
        Degrees of freedom of the t reference; default the design's (R's ``degf``).
    na_rm : bool

    Returns
    -------
    pandas.DataFrame
        One row: ``item`` (the variables), ``group`` (the contrast as text), ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``df``, ``statistic``, ``p_value``, ``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 9], "g": list("aabbcc")}))
    >>> r = contrast(d, "y", {"a": 1, "b": -0.5, "c": -0.5}, by="g")
    >>> float(r["estimate"].iloc[0]), r["group"].iloc[0]  # 1.5 - (3.5 + 7) / 2
    (-3.75, '1*a -0.5*b -0.5*c')
    """
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    j = _Joint(design, vars_, by, na_rm)
    est = j.table()
    if callable(coefficients):
        theta, c = _gradient(coefficients, est["estimate"].to_numpy(dtype=float), _lookup(est))
        label = "function (delta method)"
    else:
        c = _coefficients(coefficients, est)
        theta = float(c @ est["estimate"].to_numpy())
        label = _describe(c, est)
    se = float(np.sqrt(max(j.contrast_variance(c), 0.0)))
    dfv = float(design.df if df is None else df)
    if not dfv > 0:
        raise ValueError(f"df: must be positive, got {dfv!r}")
    q = stats.t.ppf(0.5 + conf_level / 2, dfv)
    t = theta / se if se > 0 else np.nan
    row = {"item": " + ".join(_vars(vars_)), "group": label, "estimate": theta,
           "se": se, "ci_low": theta - q * se, "ci_high": theta + q * se, "df": dfv,
           "statistic": t, "p_value": 2 * stats.t.sf(abs(t), dfv),
           "n": int(est.loc[c != 0, "n"].max()) if c.any() else int(est["n"].max()),
           "method": "delta method (t)" if callable(coefficients) else "linear contrast (t)",
           "note": "replicate-weight variance" if design.is_replicate
           else "linearised covariance of the means"}
    return result_frame([row])
