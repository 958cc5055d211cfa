"""Tests of one or several terms of a survey-weighted model (R's ``regTermTest``).

A term (``stype``, ``C(race)``, ``ell:meals``) owns one or several coefficients ``beta_T``
(k of them). Two tests that all of them are 0:

* **Wald** (R's default, ``method="Wald"``): ``X2 = beta_T' V_T^{-1} beta_T`` with ``V_T`` the
  design-based covariance, and ``F = X2 / k`` referred to ``F(k, ddf)`` with ``ddf`` the model's
  residual df (design df + 1 - p for a GLM, design df - p for an ordinal model), or ``X2`` to
  ``chi2_k`` when ``df=inf``.
* **Working likelihood ratio** (Rao-Scott, ``method="LRT"``, GLMs): ``X2 = D_0 - D`` the
  difference of the weighted working deviances of the model without the term (refitted on the
  same rows) and of the model (weights scaled to mean 1, as R's ``svyglm``). Under the design
  ``X2 ~ sum_j lambda_j chi2_1`` with ``lambda`` the eigenvalues of ``V_0^{-1} V_T``, ``V_0``
  the model-based ("naive") covariance of ``beta_T``; the p-value is R's default
  ``lrt.approximation="saddlepoint"``: ``pFsum`` with ``ddf`` denominator df (the
  saddlepoint of ``sum lambda_j chi2_1 - (X2/ddf) chi2_ddf``, Satterthwaite when the saddlepoint
  is degenerate; :mod:`barotrend.design.saddlepoint`).

The tested coefficients are removed as columns of the model matrix (for the LRT refit too), so
both tests are of the same hypothesis ``beta_T = 0`` (R refits ``update(model, . ~ . - term)``,
which re-codes a factor's interaction when its main effect is removed; the two agree otherwise).

References
----------
Lumley, T. and Scott, A. J. (2014). Tests for regression models fitted to survey data.
*Australian & New Zealand Journal of Statistics* 56, 1-14. Rao, J. N. K. and Scott, A. J.
(1984). On chi-squared tests for multiway contingency tables with cell proportions estimated
from survey data. *Annals of Statistics* 12, 46-60. R package ``survey``, ``regTermTest``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
from scipy import stats

from barotrend.design.saddlepoint import pearson_tail
from barotrend.results import result_frame

METHODS = ("Wald", "LRT")


@dataclass(frozen=True)
class TermTest:
    """The test of one or several terms (R's ``regTermTest`` print).

    ``statistic`` is ``F = X2 / k`` (Wald, finite ``ddf``), ``X2`` (Wald with ``ddf`` infinite)
    or the working likelihood ratio ``X2 = D_0 - D`` (LRT); ``df`` is ``k``, ``ddf`` the
    denominator df, ``lambdas`` the LRT's design effects (eigenvalues of ``V_0^{-1} V``).
    ``table`` is the same as a one-row result frame.
    """

    terms: tuple
    method: str
    statistic: float
    df: int
    ddf: float
    p_value: float
    lambdas: tuple = ()

    @property
    def table(self) -> pd.DataFrame:
        kind = ("working likelihood ratio, Rao-Scott saddlepoint p" if self.method == "LRT"
                else ("Wald F" if np.isfinite(self.ddf) else "Wald chi-squared"))
        note = f"{kind}; {self.df} coefficient(s); denominator df {self.ddf:g}"
        if self.lambdas:
            note += "; design effects " + ", ".join(f"{v:.4g}" for v in self.lambdas)
        return result_frame([{"item": " + ".join(self.terms), "statistic": self.statistic,
                              "df": self.ddf, "p_value": self.p_value,
                              "method": f"regTermTest {self.method}", "note": note}])

    def __repr__(self):
        what = " + ".join(self.terms)
        if self.method == "LRT":
            return (f"Working (Rao-Scott) LRT for {what}: X2 = {self.statistic:.6g}, p = "
                    f"{self.p_value:.4g} (df {self.df}, denominator df {self.ddf:g})")
        name = "F" if np.isfinite(self.ddf) else "X2"
        return (f"Wald test for {what}: {name} = {self.statistic:.6g} on {self.df} and "
                f"{self.ddf:g} df, p = {self.p_value:.4g}")


def _canonical(name: str) -> str:
    return ":".join(sorted(part.strip() for part in name.split(":")))


def _requested(terms) -> list[str]:
    """The term names asked for: a list of names, or one string ``"a + b:c"``."""
    if isinstance(terms, str):
        try:
            desc = patsy.ModelDesc.from_formula("~ 0 + " + terms.strip().lstrip("~"))
        except patsy.PatsyError as err:
            raise ValueError(f"terms: cannot read {terms!r} as terms ({err})") from None
        names = [t.name() for t in desc.rhs_termlist]
    elif isinstance(terms, (list, tuple)) and all(isinstance(t, str) for t in terms):
        names = list(terms)
    else:
        raise TypeError(f"terms: expected a term name, 'a + b' or a list of names, got "
                        f"{terms!r}")
    if not names:
        raise ValueError(f"terms: no term to test in {terms!r}")
    return names


def _positions(model, names) -> list[int]:
    known = {_canonical(k): v for k, v in model.terms.items()}
    pos = []
    for nm in names:
        key = _canonical(nm)
        if key not in known:
            raise ValueError(f"terms: {nm!r} is not a term of the model {model.formula!r}; its "
                             f"terms are {list(model.terms)}")
        pos += [j for j in known[key] if j not in pos]
    return sorted(pos)


def _reduced_deviance(model, keep) -> float:
    """Weighted working deviance of the GLM refitted without the tested columns."""
    m = model.model
    fam = model.fit.family if hasattr(model.fit, "family") else sm.families.Gaussian()
    pw = m.w / m.scale
    if not keep:
        mu = fam.link.inverse(np.zeros(len(m.y)))
    else:
        xr = m.x[:, keep]
        if model.family == "gaussian":
            r = np.sqrt(pw)
            beta = np.linalg.lstsq(xr * r[:, None], m.y * r, rcond=None)[0]
        else:
            beta = sm.GLM(m.y, xr, family=fam, var_weights=pw).fit(
                tol=m.tol, maxiter=m.maxiter).params
        mu = fam.link.inverse(xr @ np.asarray(beta))
    return float(fam.deviance(m.y, mu, var_weights=pw))


def term_test(model, terms, method: str = "Wald", df=None) -> TermTest:
    """Test that every coefficient of one or several terms is 0 (R's ``regTermTest``).

    Parameters
    ----------
    model : GLMResult or OrdinalResult
        A fit of :meth:`Design.glm <barotrend.design.Design.glm>` (Wald or LRT) or
        :meth:`Design.ordinal <barotrend.design.Design.ordinal>` (Wald).
    terms : str or list of str
        Term names as the formula's terms read (patsy's: ``"stype"``, ``"C(race)"``,
        ``"ell:meals"``; the factors of an interaction in any order), a list of them, or one
        string ``"ell + meals"``. ``"Intercept"`` tests the intercept.
    method : {"Wald", "LRT"}
        Wald F on the model's df (R's default) or the working likelihood ratio with its
        Rao-Scott saddlepoint p-value (module docstring).
    df : float, optional
        Denominator df; default the model's residual df (``model.df``). ``numpy.inf`` gives
        the chi-squared versions.

    Returns
    -------
    TermTest
        ``statistic``, ``df`` (number of coefficients), ``ddf``, ``p_value``, ``lambdas``
        (LRT) and ``.table``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from barotrend.design import Design
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"x": rng.normal(size=60), "g": np.repeat(["a", "b", "c"], 20)})
    >>> df["y"] = df["x"] + (df["g"] == "c") + rng.normal(size=60)
    >>> fit = Design(df).glm("y ~ x + g")
    >>> t = fit.term_test("g")
    >>> t.df, t.ddf, round(t.statistic, 3)
    (2, 56.0, 13.718)
    >>> t.statistic == fit.term_test(["g"]).statistic
    True
    """
    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    names = _requested(terms)
    pos = _positions(model, names)
    k = len(pos)
    ddf = float(model.df if df is None else df)
    if not ddf > 0:
        raise ValueError(f"df: the denominator df must be > 0, got {ddf!r}")
    beta = np.asarray(model.params, dtype=float)[pos]
    v = np.asarray(model.cov_params, dtype=float)[np.ix_(pos, pos)]
    if not np.all(np.isfinite(v)) or np.linalg.matrix_rank(v) < k:
        raise ValueError(f"terms: the design covariance of the coefficients of {names} is "
                         "singular (an exact fit, or too few PSUs): no test")
    if method == "Wald":
        x2 = float(beta @ np.linalg.solve(v, beta))
        if np.isfinite(ddf):
            return TermTest(tuple(names), "Wald", x2 / k, k, ddf,
                            float(stats.f.sf(x2 / k, k, ddf)))
        return TermTest(tuple(names), "Wald", x2, k, ddf, float(stats.chi2.sf(x2, k)))
    if getattr(model, "model", None) is None or not hasattr(model.model, "naive_cov"):
        raise ValueError("method='LRT' needs a GLM of Design.glm (the working likelihood of "
                         "an ordinal model is not implemented); use method='Wald'")
    keep = [j for j in range(len(model.params)) if j not in pos]
    x2 = _reduced_deviance(model, keep) - model.model.deviance
    v0 = model.model.naive_cov[np.ix_(pos, pos)]
    lam = np.sort(np.real(np.linalg.eigvals(np.linalg.solve(v0, v))))[::-1]
    p = pearson_tail(x2, lam, ddf) if x2 > 0 else 1.0
    return TermTest(tuple(names), "LRT", float(x2), k, ddf, float(p), tuple(float(x) for x in lam))
