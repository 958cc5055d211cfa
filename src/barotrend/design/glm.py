"""Survey-weighted generalised linear models with design-based standard errors (R's ``svyglm``).

Point estimates solve the weighted score equations ``sum_i w_i x_i (y_i - mu_i) / (V(mu_i)
g'(mu_i)) = 0`` (statsmodels' IRLS with the design weights as variance weights, rescaled to mean
one as R does; the rescaling does not change the estimates). For a linearised design the
influence value of row ``i`` is

    z_i = A^{-1} x_i (y_i - mu_i) / (V(mu_i) g'(mu_i)),   A = sum_i w_i x_i x_i' / (V(mu_i) g'(mu_i)^2)

so that ``beta_hat - beta ~ sum_i w_i z_i`` and the sandwich covariance is the design variance
of that total: over PSUs within strata, with the fpc of every stage (R's ``svy.varcoef`` ->
``svyrecvar``). Replicate designs refit the model with every set of replicate weights (IRLS from
the full-sample estimate) and combine the replicate coefficients as R's ``svrVar``.

Coefficient tests are ``t = beta / se`` on ``df = design df + 1 - p`` degrees of freedom
(``p`` coefficients), R's ``df.residual`` for a ``svyglm``, and intervals ``beta -+
t_{df, 1 - alpha/2} se`` (R's ``confint.svyglm``). Rows with a missing value in a model
variable are dropped from the fit and get zero influence (the full design is kept for the
variance; the design df are then those of the complete rows, R's ``degf(design[-nas, ])``, for
a linearised design, and the replicate design's own for a replicate design, as R). A model
that fits exactly (every residual 0 up to round-off -- within ``64 eps max|y|`` --, e.g. a
constant outcome on an intercept) has every influence value 0: its coefficients are returned with SE 0 and a degenerate interval, and the statistic and
p-value are NaN with a note (R's ``svyglm`` gives the same estimate and SE 0). A binomial model
that predicts every response exactly (complete separation; every response 0 or every response
1) has no finite estimate and is refused; fitted probabilities numerically 0 or 1 for some rows
(quasi-complete separation, where R's ``glm`` warns) are named in the note.

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex
surveys. *International Statistical Review* 51, 279-292.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, chapter 5; R package
``survey``, functions ``svyglm``, ``svy.varcoef``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from barotrend.design.expressions import row_mask
from barotrend.results import result_frame

FAMILIES = {"gaussian": sm.families.Gaussian, "binomial": sm.families.Binomial,
            "poisson": sm.families.Poisson, "quasipoisson": sm.families.Poisson}

#: A fit is exact when every residual is within this multiple of the outcome's largest absolute
#: value (64 units of round-off): the residuals are the rounding of a zero, not data.
EXACT_FIT = 64 * np.finfo(float).eps

#: A fitted probability closer than this to 0 or 1 (a linear predictor beyond +-23) is taken as
#: "numerically 0 or 1", the mark of a separation (R's glm.fit warns below 10 eps on its own
#: iterations; statsmodels' IRLS stops earlier, with fitted values near 1e-13).
SEPARATION_EPS = 1e-10


@dataclass(frozen=True)
class GLMData:
    """What a term test needs to refit a model: the rows, their model matrix and response.

    ``x`` (rows x p) and ``y`` are the model's complete rows, ``w`` their design weights,
    ``rows`` their positions in the design's data and ``scale`` the mean weight R's ``svyglm``
    divides by (over the design's rows, or the domain's), so that ``deviance`` and
    ``naive_cov`` are R's ``deviance(model)`` and ``model$naive.cov``.
    """

    x: np.ndarray
    y: np.ndarray
    w: np.ndarray
    rows: np.ndarray
    scale: float
    terms: dict
    design_info: object
    deviance: float
    naive_cov: np.ndarray
    tol: float
    maxiter: int


@dataclass(frozen=True)
class GLMResult:
    """A survey-weighted GLM: tidy design-based table plus the statsmodels fit.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per coefficient (``item`` is the term): ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``df``, ``n``, ``statistic`` (t), ``p_value``, ``method``, ``note``.
    fit : statsmodels GLMResults
        The weighted statsmodels fit (a WLS fit for a Gaussian model that fits exactly, where
        statsmodels' GLM cannot start from a zero deviance). Its own ``bse``/``pvalues`` are model-based (they ignore
        the design); use ``table`` or ``cov_params`` for design-based inference.
    params : pandas.Series
        Coefficients.
    cov_params : pandas.DataFrame
        Design-based covariance of the coefficients.
    df : float
        Degrees of freedom of the t tests (design df + 1 - number of coefficients).
    family : str
        ``"gaussian"``, ``"binomial"``, ``"poisson"`` or ``"quasipoisson"``.
    formula : str
        The model formula.
    model : GLMData
        The fitted rows and R's working deviance and model-based ("naive") covariance, used by
        :func:`barotrend.design.termtest.term_test`.
    """

    table: pd.DataFrame
    fit: object
    params: pd.Series
    cov_params: pd.DataFrame
    df: float
    family: str
    formula: str
    model: GLMData | None = field(default=None, repr=False, compare=False)

    @property
    def terms(self) -> dict:
        """The model's terms (patsy names) and the positions of their coefficients."""
        return dict(self.model.terms) if self.model is not None else {}

    def term_test(self, terms, method="Wald", df=None):
        """Test that the coefficients of one or several terms are all 0 (R's ``regTermTest``);
        see :func:`barotrend.design.termtest.term_test`."""
        from barotrend.design.termtest import term_test
        return term_test(self, terms, method=method, df=df)

    def __repr__(self):
        cols = ["item", "estimate", "se", "statistic", "df", "p_value"]
        return (f"Survey-weighted GLM ({self.family}): {self.formula}\n"
                f"{self.table[cols].to_string(index=False)}")

    def _repr_html_(self):
        return self.table._repr_html_()


def _response(y: pd.DataFrame) -> np.ndarray:
    if y.shape[1] == 2 and str(y.columns[1]).endswith("[True]"):
        return y.iloc[:, 1].to_numpy(dtype=float)
    if y.shape[1] != 1:
        raise ValueError(f"formula: the response must be one numeric or boolean column, got "
                         f"{list(y.columns)}")
    return y.iloc[:, 0].to_numpy(dtype=float)


def _irls(x, y, w, family, start, tol, maxiter):
    """Weighted IRLS from ``start`` (used for replicate refits)."""
    beta = np.asarray(start, dtype=float)
    link = family.link
    for _ in range(maxiter):
        eta = x @ beta
        mu = link.inverse(eta)
        d = link.deriv(mu)
        ww = w / (family.variance(mu) * d * d)
        work = eta + (y - mu) * d
        xw = x * ww[:, None]
        new = np.linalg.solve(xw.T @ x, xw.T @ work)
        done = np.max(np.abs(new - beta)) <= tol * (1.0 + np.max(np.abs(beta)))
        beta = new
        if done:
            break
    return beta


def quote(name: str) -> str:
    """A column name as a patsy term that is data, never code: ``Q("...")``.

    patsy evaluates a formula's terms as Python, so a column name pasted into a formula runs
    (``__import__("os").system(...)``) or breaks (``sch.wide``, ``a b``). ``quote`` writes the
    name as a Python string literal (``repr``: quotes, backslashes and newlines escaped) inside
    patsy's ``Q()``, which looks the column up by that string.

    Examples
    --------
    >>> print(quote('sch.wide'), quote('say "hi"'), quote("it's"))
    Q('sch.wide') Q('say "hi"') Q("it's")
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"api.00": [1.0, 3, 2, 5], "x": [1.0, 2, 3, 4]})
    >>> float(glm(Design(df), f"{quote('api.00')} ~ x").params["x"])
    1.1
    """
    if not isinstance(name, str):
        raise TypeError(f"quote: a column name must be a str, got {type(name).__name__} "
                        f"{name!r}")
    return f"Q({name!r})"


def _exact(x, y, w) -> bool:
    """Whether the weighted least-squares fit of ``y`` on ``x`` leaves no residual."""
    r = np.sqrt(w)
    beta = np.linalg.lstsq(x * r[:, None], y * r, rcond=None)[0]
    return bool(np.max(np.abs(y - x @ beta)) <= EXACT_FIT * np.max(np.abs(y)))


def _text(formula) -> str:
    return formula.describe() if isinstance(formula, patsy.ModelDesc) else formula


def _subset_label(subset):
    return repr(subset) if isinstance(subset, str) else "(mask)"


def glm(design, formula: str, family: str = "gaussian", *, subset=None,
        conf_level: float = 0.95, tol: float = 1e-12, maxiter: int = 100,
        eval_env: int = 0) -> GLMResult:
    """Fit a survey-weighted GLM with design-based (sandwich) standard errors.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    formula : str or patsy.ModelDesc
        A patsy formula over the design's columns, e.g. ``"api00 ~ ell + meals"``. For
        ``family="binomial"`` the response is a 0/1 (or boolean, or proportion) column. patsy
        evaluates a formula's terms as Python: write a column name that is not an identifier
        (``sch.wide``, a space, a name from a file) as :func:`quote` gives it,
        ``f"{quote(name)} ~ x"``, never pasted raw. A ``patsy.ModelDesc`` built from
        ``patsy.LookupFactor`` terms involves no evaluation at all (as
        :meth:`~barotrend.tracking.designs.DesignTracker.gap_change` does).
    family : {"gaussian", "binomial", "poisson", "quasipoisson"}
        Identity-link Gaussian (weighted least squares), logit-link binomial (R's
        ``quasibinomial``: the design-based SEs do not use a dispersion) or log-link Poisson
        for counts (``"poisson"`` and ``"quasipoisson"`` give the same estimates and the same
        design-based SEs, as R's ``svyglm`` with ``poisson()`` and ``quasipoisson()``: the
        sandwich uses no dispersion; the response must be >= 0, need not be whole).
    subset : str or array of bool, optional
        Fit in a domain: a boolean column, an expression over the columns (e.g.
        ``"stype == 'E'"``, ```sch.wide` == 'Yes' and api99 > 600``: comparisons, and/or/not,
        ``in [...]``, arithmetic -- interpreted by :mod:`barotrend.design.expressions`, never
        run as Python, so no attribute, call or import is reachable) or a boolean mask of the
        rows. As R's ``svyglm(formula,
        subset(design, ...))``: the model is fitted on the domain's rows, the rows outside get
        zero influence and the variance is taken over the full design (every PSU and stratum,
        with its fpc), so it is a domain estimate, not a subset design. The df are those of the
        domain (R's ``degf`` of the subset: its PSUs minus its strata) + 1 - p.
    conf_level : float, default 0.95
        Level of the coefficient intervals.
    tol, maxiter : float, int
        IRLS convergence tolerance and iteration limit (statsmodels and the replicate refits).
    eval_env : int, default 0
        How many frames above the caller to look up functions used in the formula (a method
        wrapping this function passes 1).

    Returns
    -------
    GLMResult
        ``.table`` (tidy, one row per coefficient), ``.fit`` (statsmodels), ``.params``,
        ``.cov_params``, ``.df``.

    Notes
    -----
    See the module docstring for the estimating equations, the influence values
    ``z_i = A^{-1} x_i (y_i - mu_i) / (V(mu_i) g'(mu_i))`` and the degrees of freedom
    ``design df + 1 - p``.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "y": [1.0, 3, 2, 5, 4, 6]})
    >>> r = glm(Design(df), "y ~ x")
    >>> r.table[["item", "estimate"]].round(4).values.tolist()
    [['Intercept', 0.4], ['x', 0.8857]]
    """
    if family not in FAMILIES:
        raise ValueError(f"family: expected one of {tuple(FAMILIES)}, got {family!r}")
    if isinstance(formula, patsy.ModelDesc):
        if not formula.lhs_termlist:
            raise ValueError(f"formula: the model {formula.describe()!r} has no response")
    elif not isinstance(formula, str) or "~" not in formula:
        raise ValueError(f"formula: expected a formula string 'y ~ x1 + x2', got {formula!r}")
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    frame = design.data
    if not frame.index.is_unique:
        frame = frame.reset_index(drop=True)
    mask = row_mask(frame, subset)
    env = patsy.EvalEnvironment.capture(eval_env + 1)
    try:
        ydf, xdf = patsy.dmatrices(formula, frame if mask is None else frame[mask],
                                   NA_action="drop", return_type="dataframe", eval_env=env)
    except patsy.PatsyError as err:
        raise ValueError(f"formula: {err}") from None
    rows = frame.index.get_indexer(ydf.index)
    y = _response(ydf)
    x = xdf.to_numpy(dtype=float)
    names = list(xdf.columns)
    p = x.shape[1]
    if len(rows) <= p:
        raise ValueError(f"formula: {len(rows)} complete rows for {p} coefficients")
    if np.linalg.matrix_rank(x) < p:
        raise ValueError(f"formula: the model matrix of {names} is rank deficient (collinear "
                         "terms)")
    if family == "binomial" and ((y < 0) | (y > 1)).any():
        bad = y[(y < 0) | (y > 1)][0]
        raise ValueError(f"formula: a binomial response must lie in [0, 1], got {bad!r}")
    if family in ("poisson", "quasipoisson") and (y < 0).any():
        raise ValueError(f"formula: a {family} response (a count) must be >= 0, got "
                         f"{y[y < 0][0]!r}")
    if family in ("poisson", "quasipoisson") and np.all(y == 0):
        raise ValueError(f"formula: every count of the {family} model {_text(formula)!r} is 0: "
                         "the log-linear model has no finite estimate")
    fam = FAMILIES[family]()
    w_all = np.asarray(design.weights, dtype=float)
    w = w_all[rows]
    endog = pd.Series(y, index=ydf.index, name=str(ydf.columns[-1]))
    try:
        if family == "gaussian" and _exact(x, y, w):
            raise ValueError("an exact fit")
        with warnings.catch_warnings():
            # "perfect prediction": an exact fit (Gaussian) or a separation (binomial), both
            # handled below with an error or a note
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            fit = sm.GLM(endog, xdf, family=fam,
                         var_weights=w / w.mean()).fit(tol=tol, maxiter=maxiter)
    except ValueError as err:
        if family != "gaussian":
            raise ValueError(f"formula: statsmodels cannot fit the {family} model "
                             f"{_text(formula)!r}: {err}") from None
        # statsmodels' GLM cannot start from a zero deviance (an exact fit: every residual
        # 0); the Gaussian identity-link estimate is the weighted least-squares solution.
        fit = sm.WLS(endog, xdf, weights=w / w.mean()).fit()
    beta = np.asarray(fit.params, dtype=float)

    mu = fam.link.inverse(x @ beta)
    edge = 0
    if family == "binomial":
        if np.all(np.abs(y - mu) < 1e-8) and np.any((y == 0) | (y == 1)):
            raise ValueError(f"formula: the binomial model {_text(formula)!r} predicts every "
                             "response exactly (complete separation, or every response 0 or "
                             "every response 1): no finite estimate; use fewer or coarser "
                             "covariates")
        edge = int(np.sum((mu < SEPARATION_EPS) | (mu > 1 - SEPARATION_EPS)))
    d = fam.link.deriv(mu)
    v = fam.variance(mu)
    a = (x * (w / (v * d * d))[:, None]).T @ x
    u = x * ((y - mu) / (v * d))[:, None]
    scores = np.zeros((design.n, p))
    scores[rows] = np.linalg.solve(a, u.T).T

    def estimator(wr):
        wr = np.asarray(wr, dtype=float)[rows]
        return np.array([_irls(x, y, wr[:, r], fam, beta, tol, maxiter)
                         for r in range(wr.shape[1])])

    if np.max(np.abs(y - mu)) <= EXACT_FIT * np.max(np.abs(y)):
        cov = np.zeros((p, p))  # an exact fit: every influence value (and refit change) is 0
    else:
        cov = np.asarray(design.vcov(estimator, scores), dtype=float)
    se = np.sqrt(np.diag(cov))
    if design.is_replicate or len(rows) == design.n:
        dfr = float((design.df if mask is None else design.domain_df(mask)) + 1 - p)
    else:  # R: degf(design[-nas, ]) -- the PSUs and strata of the complete rows (Taylor)
        fitted = np.zeros(design.n, dtype=bool)
        fitted[rows] = True
        dfr = float(design.domain_df(fitted) + 1 - p)
    exact = se == 0  # an exact fit: no residual, no sampling variance, no test
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(exact, np.nan, beta / se)
    if dfr > 0:
        pval = np.where(exact, np.nan, 2 * stats.t.sf(np.abs(t), dfr))
        q = stats.t.ppf(0.5 + conf_level / 2, dfr)
    else:
        pval, q = np.full(p, np.nan), np.nan
    how = "replicate refits" if design.is_replicate else "sandwich over PSUs within strata"
    rows_out = [{
        "item": nm, "estimate": beta[j], "se": se[j], "ci_low": beta[j] - q * se[j],
        "ci_high": beta[j] + q * se[j], "df": dfr, "n": len(rows), "statistic": t[j],
        "p_value": pval[j], "method": f"svyglm {family}",
        "note": f"design-based SE ({how}); t on design df + 1 - p"
                + ("" if mask is None else f"; domain {_subset_label(subset)} of the full design")
                + ("; SE 0: the model fits the data exactly (every residual 0), so there is "
                   "no sampling variance and no test (statistic and p-value NaN)"
                   if exact[j] else "")
                + (f"; fitted probabilities numerically 0 or 1 for {edge} rows (a "
                   "quasi-complete separation): coefficients and SEs may be unreliable"
                   if edge else ""),
    } for j, nm in enumerate(names)]
    # R's svyglm fits with weights divided by their mean over the design's rows (the domain's
    # with subset=), rows with a missing value included: its deviance and naive.cov use them
    scale = float(w_all[mask].mean() if mask is not None else w_all.mean())
    info = xdf.design_info
    terms = {nm: list(range(sl.start, sl.stop)) for nm, sl in info.term_name_slices.items()
             if sl.stop > sl.start}
    model = GLMData(x=x, y=y, w=w, rows=rows, scale=scale, terms=terms, design_info=info,
                    deviance=float(fam.deviance(y, mu, var_weights=w / scale)),
                    naive_cov=np.linalg.inv(a) * scale, tol=tol, maxiter=maxiter)
    return GLMResult(table=result_frame(rows_out), fit=fit,
                     params=pd.Series(beta, index=names),
                     cov_params=pd.DataFrame(cov, index=names, columns=names), df=dfr,
                     family=family, formula=_text(formula), model=model)
