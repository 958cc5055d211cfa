"""Survey-weighted proportional-odds (cumulative link) regression (R's ``svyolr``).

For an ordered response with levels ``1 < ... < K`` and covariates ``x`` (no intercept column),

    P(Y <= k | x) = F(zeta_k - x' beta),   k = 1, ..., K - 1,   zeta_1 < ... < zeta_{K-1},

with ``F`` the logistic (``link="logit"``: proportional odds) or normal (``"probit"``)
distribution function. This is R's ``MASS::polr`` / ``survey::svyolr`` parametrisation: the
cut-points ``zeta`` ("1|2", "2|3", ...) are on the scale of the latent variable and a positive
``beta`` moves the response **up** the scale (Stata's ``ologit`` has the same signs and calls
the cut-points ``/cut1, /cut2, ...``; a model written ``F(x'beta - zeta_k)`` for ``P(Y > k)`` is
the same).

Estimates maximise the weighted log-likelihood ``l(theta) = sum_i w_i log(F(u_i) - F(l_i))``,
``u_i = zeta_{y_i} - x_i'beta``, ``l_i = zeta_{y_i - 1} - x_i'beta`` (``zeta_0 = -inf``,
``zeta_K = inf``), by Newton-Raphson with the analytic Hessian and step halving (the
log-likelihood is concave for these links), from ``beta = 0`` and the cut-points of the weighted
marginal shares. The design-based covariance is the sandwich of Binder (1983): with
``A = -d^2 l / d theta^2`` and the row scores ``s_i = d log p_i / d theta``, the influence
values ``z_i = A^{-1} s_i`` (``theta_hat - theta ~ sum_i w_i z_i``) go to the design variance
(over PSUs within strata, or the replicate refits, each Newton from the full-sample estimate).
Tests and intervals are ``t`` on the design df minus the number of coefficients (R's
``df.residual`` of a ``svyolr``).

R's ``svyolr`` maximises with BFGS (relative tolerance 1.5e-8 on the objective) and takes a
finite-difference Hessian (step 1e-3), so its printed estimates and SEs agree with the exact
maximum and sandwich to about 1e-5 only; the tests compare with R run at tight tolerances. Its
replicate-weight method refits the replicates with the **logistic** link whatever ``method``
says (survey 4.1.1 passes ``method=`` to the full-sample ``polr`` only): its probit SEs on
replicate designs are those of logistic refits; here every refit uses the model's link.

References
----------
McCullagh, P. (1980). Regression models for ordinal data. *JRSS B* 42, 109-142. Binder, D. A.
(1983). On the variances of asymptotically normal estimators from complex surveys. *ISR* 51,
279-292. Lumley, T. (2010). *Complex Surveys*, section 6.3; R packages ``survey`` (``svyolr``)
and ``MASS`` (``polr``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
from scipy import stats

from barotrend.design.expressions import row_mask
from barotrend.results import result_frame

LINKS = ("logit", "probit")


def _cdf(link, z):
    return stats.logistic.cdf(z) if link == "logit" else stats.norm.cdf(z)


def _pdf(link, z):
    return stats.logistic.pdf(z) if link == "logit" else stats.norm.pdf(z)


def _dpdf(link, z):
    if link == "logit":
        f = stats.logistic.pdf(z)
        return f * (1 - 2 * stats.logistic.cdf(z))
    return -z * stats.norm.pdf(z)


@dataclass(frozen=True)
class OrdinalResult:
    """A survey-weighted cumulative-link model.

    ``table``: one row per coefficient, then per cut-point (``item`` ``"a|b"``), with
    ``estimate, se, ci_low, ci_high, df, n, statistic`` (t), ``p_value``; ``params`` and
    ``cov_params`` in that order; ``levels`` the ordered response levels; ``deviance``
    ``-2 l / mean(w)`` (R's ``deviance``); ``iterations`` of Newton-Raphson.
    """

    table: pd.DataFrame
    params: pd.Series
    cov_params: pd.DataFrame
    df: float
    link: str
    formula: str
    levels: tuple
    terms: dict
    deviance: float
    iterations: int

    def __repr__(self):
        cols = ["item", "estimate", "se", "statistic", "df", "p_value"]
        return (f"Survey-weighted ordinal regression ({self.link}): {self.formula}\n"
                f"{self.table[cols].to_string(index=False)}")

    def _repr_html_(self):
        return self.table._repr_html_()

    def term_test(self, terms, method="Wald", df=None):
        """Wald test of one or several terms; see :func:`barotrend.design.termtest.term_test`."""
        from barotrend.design.termtest import term_test
        return term_test(self, terms, method=method, df=df)


def _parts(x, y, theta, q, link):
    """Per-row probabilities, scores (n, P) and the weighted-Hessian pieces."""
    pc = x.shape[1]
    beta, zeta = theta[:pc], theta[pc:]
    eta = x @ beta
    cuts = np.concatenate([[-np.inf], zeta, [np.inf]])
    u, lo = cuts[y] - eta, cuts[y - 1] - eta   # y in 1..K
    fu = np.where(np.isfinite(u), _pdf(link, np.where(np.isfinite(u), u, 0)), 0.0)
    fl = np.where(np.isfinite(lo), _pdf(link, np.where(np.isfinite(lo), lo, 0)), 0.0)
    p = _cdf(link, u) - _cdf(link, lo)
    n, big = len(y), pc + q
    du = np.zeros((n, big))
    dl = np.zeros((n, big))
    du[:, :pc] = -x
    dl[:, :pc] = -x
    idx = np.arange(n)
    up, down = y <= q, y >= 2
    du[idx[up], pc + y[up] - 1] = 1.0
    dl[idx[down], pc + y[down] - 2] = 1.0
    return u, lo, fu, fl, p, du, dl


def _loglik(x, y, w, theta, q, link):
    *_, p, _, _ = _parts(x, y, theta, q, link)
    if np.any(p <= 0) or not np.all(np.diff(theta[x.shape[1]:]) > 0):
        return -np.inf
    return float(w @ np.log(p))


def _derivs(x, y, w, theta, q, link):
    u, lo, fu, fl, p, du, dl = _parts(x, y, theta, q, link)
    s = (fu[:, None] * du - fl[:, None] * dl) / p[:, None]   # d log p_i / d theta
    f2u = np.where(np.isfinite(u), _dpdf(link, np.where(np.isfinite(u), u, 0)), 0.0)
    f2l = np.where(np.isfinite(lo), _dpdf(link, np.where(np.isfinite(lo), lo, 0)), 0.0)
    hess = (np.einsum("i,ij,ik->jk", w * f2u / p, du, du)
            - np.einsum("i,ij,ik->jk", w * f2l / p, dl, dl)
            - np.einsum("i,ij,ik->jk", w, s, s))
    return s, w @ s, hess


def _newton(x, y, w, theta, q, link, tol, maxiter):
    """Maximise the weighted log-likelihood; returns (theta, iterations) or raises."""
    ll = _loglik(x, y, w, theta, q, link)
    for it in range(1, maxiter + 1):
        _, grad, hess = _derivs(x, y, w, theta, q, link)
        try:
            step = np.linalg.solve(-hess, grad)
        except np.linalg.LinAlgError:
            raise ValueError("ordinal: the information matrix is singular (collinear "
                             "covariates or an empty response level)") from None
        t = 1.0
        while True:
            new = theta + t * step
            ll_new = _loglik(x, y, w, new, q, link)
            if ll_new >= ll - 1e-12 * abs(ll) or t < 1e-10:
                break
            t /= 2
        if not np.isfinite(ll_new):
            break
        # converged when the full Newton step is small (a stalled line search is not)
        done = np.max(np.abs(step)) <= tol * (1.0 + np.max(np.abs(theta)))
        theta, ll = new, ll_new
        if done:
            return theta, it
    raise ValueError(f"ordinal: Newton-Raphson did not converge in {maxiter} iterations (last "
                     f"step {np.max(np.abs(t * step)):.3g}); a covariate may separate the "
                     "response levels (estimates run off to infinity): use fewer or coarser "
                     "covariates, merge sparse levels, or raise maxiter")


def _response_name(desc, frame):
    if len(desc.lhs_termlist) != 1 or len(desc.lhs_termlist[0].factors) != 1:
        raise ValueError("formula: the response must be one column, e.g. 'rating ~ x'")
    code = desc.lhs_termlist[0].factors[0].code.strip()
    if code.startswith("Q(") and code.endswith(")"):
        try:
            code = ast.literal_eval(code[2:-1])
        except (ValueError, SyntaxError):
            pass
    if code not in frame.columns:
        raise ValueError(f"formula: the response {code!r} is not a column of the design (an "
                         "ordinal response is a column, quoted with quote() if need be)")
    return code


def _codes(col: pd.Series, name: str, levels):
    """Integer codes 1..K (NaN where missing) and the ordered levels."""
    if levels is not None:
        levels = list(levels)
        bad = col[col.notna() & ~col.isin(levels)]
        if len(bad):
            raise ValueError(f"levels: {name!r} has the value {bad.iloc[0]!r} (row "
                             f"{bad.index[0]!r}) that is not among levels={levels}")
    elif isinstance(col.dtype, pd.CategoricalDtype):
        levels = list(col.cat.categories)
    elif pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        levels = sorted(col.dropna().unique().tolist())
    else:
        raise ValueError(f"formula: the order of the levels of {name!r} is not known (text "
                         "values): pass levels=[lowest, ..., highest] or make the column an "
                         "ordered pandas Categorical")
    lookup = {v: k + 1 for k, v in enumerate(levels)}
    codes = col.map(lambda v: lookup.get(v, np.nan) if pd.notna(v) else np.nan)
    return codes.to_numpy(dtype=float), levels


def ordinal(design, formula: str, link: str = "logit", *, levels=None, subset=None,
            conf_level: float = 0.95, tol: float = 1e-10, maxiter: int = 100,
            eval_env: int = 0) -> OrdinalResult:
    """Fit a survey-weighted proportional-odds (``"logit"``) or ordinal probit model.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    formula : str
        ``"response ~ x1 + x2"``: the response a column with 3 or more ordered levels (an
        ordered pandas Categorical, a numeric rating, or any values with ``levels=``); the
        right-hand side a patsy formula (write awkward column names with
        :func:`barotrend.design.glm.quote`). The intercept is absorbed by the cut-points.
    link : {"logit", "probit"}
        R's ``method="logistic"`` or ``"probit"``.
    levels : list, optional
        The response levels from lowest to highest (required for text values).
    subset : optional
        A domain (a boolean column, an expression or a mask), as in
        :func:`barotrend.design.glm.glm`: rows outside get zero influence.
    conf_level, tol, maxiter
        Interval level; Newton-Raphson tolerance (relative change of the parameters) and
        iteration limit. A fit that does not converge is an error, never a result.

    Returns
    -------
    OrdinalResult
        ``.table`` (coefficients then cut-points ``"a|b"``), ``.params``, ``.cov_params``,
        ``.df``, ``.term_test(...)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from barotrend.design import Design
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=400)
    >>> latent = 1.0 * x + rng.logistic(size=400)
    >>> df = pd.DataFrame({"x": x, "y": np.digitize(latent, [-1.0, 0.5, 2.0])})
    >>> fit = ordinal(Design(df), "y ~ x")
    >>> fit.table["item"].tolist()
    ['x', '0|1', '1|2', '2|3']
    >>> bool(abs(fit.params["x"] - 1.0) < 2 * fit.table["se"].iloc[0])
    True
    """
    if link not in LINKS:
        raise ValueError(f"link: expected one of {LINKS}, got {link!r}")
    if not isinstance(formula, str) or "~" not in formula:
        raise ValueError(f"formula: expected 'response ~ x1 + x2', got {formula!r}")
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    frame = design.data
    if not frame.index.is_unique:
        frame = frame.reset_index(drop=True)
    try:
        desc = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as err:
        raise ValueError(f"formula: {err}") from None
    yname = _response_name(desc, frame)
    codes, levels = _codes(frame[yname], yname, levels)
    if len(levels) < 3:
        raise ValueError(f"formula: the response {yname!r} has {len(levels)} ordered level(s) "
                         f"{levels}; an ordinal model needs 3 or more (use glm(..., "
                         "family='binomial') for two)")
    mask = row_mask(frame, subset)
    keep = ~np.isnan(codes) if mask is None else (~np.isnan(codes) & mask)
    rhs = patsy.ModelDesc([], desc.rhs_termlist)
    env = patsy.EvalEnvironment.capture(eval_env + 1)
    try:
        xdf = patsy.dmatrix(rhs, frame[keep], NA_action="drop", return_type="dataframe",
                            eval_env=env)
    except patsy.PatsyError as err:
        raise ValueError(f"formula: {err}") from None
    rows = frame.index.get_indexer(xdf.index)
    y = codes[rows].astype(int)
    info = xdf.design_info
    names = [c for c in xdf.columns if c != "Intercept"]
    x = xdf[names].to_numpy(dtype=float)
    pc, q = len(names), len(levels) - 1
    empty = [levels[k] for k in range(len(levels)) if not np.any(y == k + 1)]
    if empty:
        raise ValueError(f"formula: the level(s) {empty} of {yname!r} have no row in the fit: "
                         "their cut-points are not identified (drop or merge them via levels=)")
    if np.linalg.matrix_rank(np.column_stack([np.ones(len(y)), x])) < pc + 1:
        raise ValueError(f"formula: the covariates {names} are collinear with the cut-points")
    w_all = np.asarray(design.weights, dtype=float)
    w = w_all[rows]
    share = np.cumsum(np.bincount(y, weights=w, minlength=q + 2)[1:]) / w.sum()
    zeta0 = stats.logistic.ppf(share[:q]) if link == "logit" else stats.norm.ppf(share[:q])
    theta, iters = _newton(x, y, w, np.concatenate([np.zeros(pc), zeta0]), q, link, tol,
                           maxiter)
    s, _, hess = _derivs(x, y, w, theta, q, link)
    ainv = np.linalg.inv(-hess)
    scores = np.zeros((design.n, pc + q))
    scores[rows] = s @ ainv

    def estimator(wr):
        wr = np.asarray(wr, dtype=float)[rows]
        return np.array([_newton(x, y, wr[:, r], theta, q, link, tol, maxiter)[0]
                         for r in range(wr.shape[1])])

    cov = np.asarray(design.vcov(estimator, scores), dtype=float)
    se = np.sqrt(np.diag(cov))
    if design.is_replicate or len(rows) == design.n:
        ddf = design.df if mask is None else design.domain_df(mask)
    else:
        fitted = np.zeros(design.n, dtype=bool)
        fitted[rows] = True
        ddf = design.domain_df(fitted)
    dfr = float(ddf - pc)
    cut_names = [f"{levels[k]}|{levels[k + 1]}" for k in range(q)]
    allnames = names + cut_names
    with np.errstate(divide="ignore", invalid="ignore"):
        t = theta / se
    qt = stats.t.ppf(0.5 + conf_level / 2, dfr) if dfr > 0 else np.nan
    pval = 2 * stats.t.sf(np.abs(t), dfr) if dfr > 0 else np.full(len(t), np.nan)
    how = "replicate refits" if design.is_replicate else "sandwich over PSUs within strata"
    method = f"svyolr {link}"
    out = [{"item": nm, "estimate": theta[j], "se": se[j], "ci_low": theta[j] - qt * se[j],
            "ci_high": theta[j] + qt * se[j], "df": dfr, "n": len(rows), "statistic": t[j],
            "p_value": pval[j], "method": method,
            "note": ("cut-point: " if j >= pc else "") + f"design-based SE ({how}); t on "
                    "design df - number of coefficients"} for j, nm in enumerate(allnames)]
    terms = {}
    for nm, sl in info.term_name_slices.items():
        cols = [names.index(c) for c in xdf.columns[sl] if c in names]
        if cols:
            terms[nm] = cols
    loglik = _loglik(x, y, w, theta, q, link)
    return OrdinalResult(table=result_frame(out),
                         params=pd.Series(theta, index=allnames),
                         cov_params=pd.DataFrame(cov, index=allnames, columns=allnames),
                         df=dfr, link=link, formula=formula, levels=tuple(levels),
                         terms=terms, deviance=-2 * loglik / w.mean(), iterations=iters)
