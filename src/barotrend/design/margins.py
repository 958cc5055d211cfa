"""Predictive margins: adjusted means or shares by group from a survey GLM (R's ``svypredmeans``).

The model ``g(E y) = x'beta + gamma_group`` is fitted with the group added as a factor to the
adjustment formula. The predictive margin of group ``k`` is the design-weighted mean, over every
row of the fit, of the prediction with that row's group set to ``k`` and its covariates kept:

    m_k = sum_i w_i mu_ik / sum_i w_i,    mu_ik = g^{-1}(x_i(k)' beta_hat)

-- the mean the population would have if everyone were in group ``k``, covariates as they are
(Graubard and Korn 1999). As R's ``svypredmeans``, its variance adds the two parts:

    V(m) = D' V(beta_hat) D + V_design(mean of mu_.k with beta fixed),
    D_k = sum_i w_i (dmu/deta)_ik x_i(k) / sum_i w_i,

the first from the design-based covariance of the coefficients, the second the design variance
of the weighted means of the fixed predictions (linearised, or over the replicate weights). A
difference of margins ``m_a - m_b`` has variance ``c' V c`` (R's ``svycontrast`` on the
``svypredmeans`` result). Intervals are ``m -+ t_{df} se`` with the design df of the fitted rows
(R prints normal intervals; the design df is the project's convention for means).

References
----------
Graubard, B. I. and Korn, E. L. (1999). Predictive margins with survey data. *Biometrics* 55,
652-659. R package ``survey``, ``svypredmeans``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import patsy
from scipy import stats

from barotrend.design.glm import FAMILIES, glm, quote
from barotrend.results import result_frame


def _levels(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if (values == c).any()]
    return sorted(values.dropna().unique().tolist())


def margins(design, formula: str, by: str, family: str = "gaussian", *, subset=None,
            reference=None, conf_level: float = 0.95, eval_env: int = 0) -> pd.DataFrame:
    """Adjusted means (or shares) of each group of ``by`` and their differences from a reference.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    formula : str
        The adjustment model without the group, e.g. ``"api00 ~ ell + meals"``; ``by`` is
        added as a factor (``C(by)``), as R's ``svypredmeans(adjustmodel, ~by)`` adds it.
    by : str
        The group column (each of its levels is a margin).
    family : {"gaussian", "binomial", "poisson", "quasipoisson"}
        As :func:`barotrend.design.glm.glm` (binomial margins are adjusted shares).
    subset : optional
        A domain, as in :func:`~barotrend.design.glm.glm`.
    reference : optional
        The level the others are compared with (default: the first level, in category order
        or sorted).
    conf_level : float
        Level of the intervals.

    Returns
    -------
    Results
        One row per level (``item`` ``"margin"``, ``group`` the level) with ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``df``, ``n``, then one per other level (``item``
        ``"difference"``, ``group`` ``"<level> - <reference>"``) with ``estimate_a``,
        ``estimate_b``, ``difference`` (= ``estimate``), ``se``, the interval, ``statistic``
        (t) and ``p_value``; ``method`` ``"predictive margin"``.

    Examples
    --------
    A linear model without covariates: the margins are the group means.

    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5, 6, 7], "g": list("aaabbb")})
    >>> r = margins(Design(df), "y ~ 1", "g")
    >>> r[["item", "group", "estimate"]].values.tolist()
    [['margin', 'a', 2.0], ['margin', 'b', 6.0], ['difference', 'b - a', 4.0]]
    """
    if not isinstance(formula, str) or "~" not in formula:
        raise ValueError(f"formula: expected an adjustment formula 'y ~ x1 + x2', got "
                         f"{formula!r}")
    frame = design.data
    if not isinstance(by, str) or by not in frame.columns:
        raise ValueError(f"by: {by!r} is not a column of the design")
    if re.search(rf"(?<![\w.]){re.escape(by)}(?![\w.])", formula.split("~", 1)[1]):
        raise ValueError(f"by: {by!r} is already in the formula {formula!r}; margins add it "
                         "to the adjustment model themselves")
    fit = glm(design, f"{formula} + C({quote(by)})", family=family, subset=subset,
              conf_level=conf_level, eval_env=eval_env + 1)
    m = fit.model
    if not frame.index.is_unique:
        frame = frame.reset_index(drop=True)
    rows_frame = frame.iloc[m.rows]
    levels = _levels(rows_frame[by])
    if len(levels) < 2:
        raise ValueError(f"by: {by!r} has {len(levels)} level(s) among the fitted rows; "
                         "margins compare two or more")
    if reference is None:
        reference = levels[0]
    if reference not in levels:
        raise ValueError(f"reference: {reference!r} is not a level of {by!r} among the fitted "
                         f"rows; levels: {levels}")
    link = FAMILIES[family]().link
    beta = np.asarray(fit.params, dtype=float)
    w = m.w
    fits, grads = [], []
    for lev in levels:
        cf = rows_frame.copy()
        cf[by] = pd.Series([lev] * len(cf), index=cf.index, dtype=rows_frame[by].dtype)
        x = np.asarray(patsy.build_design_matrices([m.design_info], cf)[0], dtype=float)
        eta = x @ beta
        fits.append(link.inverse(eta))
        grads.append((w * link.inverse_deriv(eta)) @ x / w.sum())
    fits = np.column_stack(fits)
    dmat = np.column_stack(grads)
    means = w @ fits / w.sum()
    scores = np.zeros((design.n, len(levels)))
    scores[m.rows] = (fits - means) / w.sum()

    def estimator(wr):
        wr = np.asarray(wr, dtype=float)[m.rows]
        return (wr.T @ fits) / wr.sum(axis=0)[:, None]

    cov = dmat.T @ np.asarray(fit.cov_params) @ dmat + np.asarray(
        design.vcov(estimator, scores), dtype=float)
    dfd = float(fit.df + len(beta) - 1)
    q = stats.t.ppf(0.5 + conf_level / 2, dfd) if dfd > 0 else np.nan
    groups = rows_frame[by].to_numpy()
    method = f"predictive margin ({family} model)"
    note = f"adjusted for {formula.split('~', 1)[1].strip()}; R's svypredmeans"
    out = []
    for k, lev in enumerate(levels):
        se = float(np.sqrt(cov[k, k]))
        out.append({"item": "margin", "group": str(lev), "estimate": means[k], "se": se,
                    "ci_low": means[k] - q * se, "ci_high": means[k] + q * se, "df": dfd,
                    "n": int(np.sum(groups == lev)), "method": method, "note": note})
    r = levels.index(reference)
    for k, lev in enumerate(levels):
        if k == r:
            continue
        diff = means[k] - means[r]
        se = float(np.sqrt(cov[k, k] + cov[r, r] - 2 * cov[k, r]))
        t = diff / se if se > 0 else np.nan
        out.append({"item": "difference", "group": f"{lev} - {reference}",
                    "estimate": diff, "estimate_a": means[k], "estimate_b": means[r],
                    "difference": diff, "se": se, "ci_low": diff - q * se,
                    "ci_high": diff + q * se, "df": dfd, "statistic": t,
                    "p_value": 2 * stats.t.sf(abs(t), dfd) if dfd > 0 else np.nan,
                    "method": method, "note": note})
    return result_frame(out, shares=family == "binomial")
