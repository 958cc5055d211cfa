"""Response propensity model for non-response weighting, its variance and its replicates.

The model is ``logit p_i = x_i' beta`` over every frame unit, fitted unweighted by maximum
likelihood (statsmodels ``Logit``), the score equation ``U(beta) = sum_i (r_i - p_i) x_i = 0``.
The inverse-propensity total ``t = sum_i d_i r_i z_i / p_i(beta_hat)`` then depends on the
respondents and, through ``beta_hat``, on every frame unit. Linearising in ``beta`` (Kim & Kim
2007, section 3):

    t_hat - t ~ sum_i e_i,   e_i = d_i r_i z_i / p_i - (r_i - p_i) x_i' gamma,
    gamma = H^{-1} sum_i d_i r_i z_i (1 - p_i) / p_i x_i,   H = sum_i p_i (1 - p_i) x_i x_i',

and the frame's design gives the variance of ``sum e_i`` (:class:`PropensityExpansion`). The
second term takes out the part of the variance the estimated model explains, so treating
``p`` as known overstates the variance. Replicate frames refit the model in every replicate,
each unit counted by its replicate factor ``rw_ij / d_i`` (0 for a unit the replicate drops).

References
----------
Kim, J. K. and Kim, J. J. (2007). Nonresponse weighting adjustment using estimated response
probability. *Canadian Journal of Statistics* 35, 501-514.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PropensityFit:
    """Fitted propensities ``p`` (n,), coefficients ``beta`` and the model matrix ``x`` (n, q)
    of every frame unit."""

    p: np.ndarray
    beta: np.ndarray
    x: np.ndarray
    responded: np.ndarray
    max_iter: int

    def replicate_propensities(self, rep, d):
        """Propensities (n, R) refitted in every replicate with frequency weights
        ``rep[:, j] / d`` (IRLS from the full-sample fit)."""
        import statsmodels.api as sm

        out = np.empty_like(rep)
        y = self.responded.astype(float)
        for j in range(rep.shape[1]):
            f = rep[:, j] / d
            keep = f > 0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.GLM(y[keep], self.x[keep], family=sm.families.Binomial(),
                             freq_weights=f[keep]).fit(start_params=self.beta,
                                                       maxiter=self.max_iter, tol=1e-12)
            out[:, j] = 1 / (1 + np.exp(-(self.x @ fit.params)))
        return out


def fit_propensity(data, r, model, max_iter=100) -> PropensityFit:
    """Fitted response propensities from a logistic model (statsmodels Logit), with errors that
    name a separating, singular or non-converging model."""
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    if not isinstance(model, str) or "~" not in model:
        raise ValueError(f"model: expected a formula such as '~ region + size', got {model!r}")
    rhs = model.split("~", 1)[1].strip()
    if not rhs:
        raise ValueError(f"model: the formula {model!r} has no covariates")
    frame = data.copy()
    frame["_responded_"] = r.astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = smf.logit(f"_responded_ ~ {rhs}", data=frame).fit(disp=0, maxiter=max_iter)
        except PerfectSeparationError as e:
            raise ValueError(f"model: the response model {model!r} separates respondents "
                             "from non-respondents perfectly; use fewer or coarser "
                             "covariates") from e
        except np.linalg.LinAlgError as e:
            raise ValueError(f"model: the response model {model!r} cannot be fitted "
                             f"(singular design: {e}); drop collinear covariates") from e
        except Exception as e:  # patsy errors name the bad term
            raise ValueError(f"model: the response model {model!r} cannot be fitted: {e}") from e
    kinds = [w.category for w in caught]
    p = np.asarray(fit.predict(frame), dtype=float)
    if any(issubclass(k, PerfectSeparationWarning) for k in kinds) or \
            (p.min() < 1e-8 or p.max() > 1 - 1e-8):
        raise ValueError(f"model: the response model {model!r} separates respondents from "
                         f"non-respondents (fitted propensities from {p.min():.3g} to "
                         f"{p.max():.3g}); use fewer or coarser covariates")
    if any(issubclass(k, ConvergenceWarning) for k in kinds) or \
            not fit.mle_retvals.get("converged", True):
        raise ValueError(f"model: the response model {model!r} did not converge "
                         f"({fit.mle_retvals.get('iterations')} iterations)")
    x = np.asarray(fit.model.exog, dtype=float)
    if x.shape[0] != len(data):
        raise ValueError(f"model: the covariates of {model!r} are missing for "
                         f"{len(data) - x.shape[0]} frame unit(s); every unit needs them")
    return PropensityFit(p=p, beta=np.asarray(fit.params, dtype=float), x=x,
                         responded=np.asarray(r, dtype=bool), max_iter=max_iter)


class PropensityExpansion:
    """Influence values ``e_i`` of an inverse-propensity total over the frame (module
    docstring), from the respondents' weighted influence values ``t_i = d_i z_i / p_i``."""

    def __init__(self, fit: PropensityFit, responded):
        self.p = fit.p
        self.x = fit.x
        self.rows = np.flatnonzero(responded)
        self.r = np.asarray(responded, dtype=float)
        info = (self.x * (self.p * (1 - self.p))[:, None]).T @ self.x
        self.h_inv = np.linalg.inv(info)

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        xr, pr = self.x[self.rows], self.p[self.rows]
        gamma = self.h_inv @ (xr.T @ (t * (1 - pr)[:, None]))  # (q, k)
        e = -(self.r - self.p)[:, None] * (self.x @ gamma)
        e[self.rows] += t
        return e
