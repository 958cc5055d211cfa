"""Exact tail of a positive linear combination of chi-squares (R's ``statistic="lincom"``).

Under the design, Pearson's ``X^2`` is asymptotically ``Q = sum_k a_k chi2_1`` with ``a`` the
eigenvalues of the design-effect matrix ``Delta`` (Rao and Scott 1984). R's
``svychisq(statistic="lincom")`` reports ``P(Q > x)`` (replicate designs, ``pchisqsum``) or, with
the variance on ``ddf`` degrees of freedom, ``P(Q > x W / ddf)`` with ``W ~ chi2_ddf``
independent (``pFsum``), by numerical inversion (CompQuadForm's ``davies``/``farebrother``).

Here both come from Ruben's (1962) series, the one Farebrother's algorithm AS 204 sums: for
``0 < beta <= min a_k`` and ``H`` the number of terms,

    P(Q <= t) = sum_{j>=0} c_j P(chi2_{H+2j} <= t / beta),
    c_0 = prod_k (beta / a_k)^(1/2),   c_j = 1/(2j) sum_{r=0}^{j-1} g_{j-r} c_r,
    g_m = sum_k (1 - beta / a_k)^m,

with every ``c_j >= 0`` and ``sum_j c_j = 1``. Each term is a probability, so stopping after J
terms leaves an error of at most ``1 - sum_{j<J} c_j``: the sum stops when that remainder is below
``tol``. Averaging over ``W`` turns each chi-square tail into an F tail:
``P(chi2_m > x W / (ddf beta)) = P(F(m, ddf) > x / (beta m))``, so

    P(Q > x W / ddf) = sum_j c_j P(F(H + 2j, ddf) > x / (beta (H + 2j))),

exact for any real ``ddf > 0`` (no Monte Carlo, no quadrature). ``beta = min a_k``. Weights
within ``1e-12`` of the largest count as zero (they add nothing); a negative weight is an error
(the design-effect eigenvalues are non-negative; R would switch to Davies' algorithm).

R differences: R's integration is accurate to its ``acc = 1e-7``; here the truncation error is
below ``tol`` (default 1e-12), so the two agree to R's accuracy. This machine's R has no
CompQuadForm (R then falls back to the saddlepoint with a warning), so the tests pin the series to
closed forms instead.

References
----------
Ruben, H. (1962). Probability content of regions under spherical normal distributions, IV.
*Ann. Math. Statist.* 33, 542-570. Farebrother, R. W. (1984). Algorithm AS 204. *Applied
Statistics* 33, 332-339. Rao, J. N. K. and Scott, A. J. (1984). *Ann. Statist.* 12, 46-60.
R package ``survey``: ``svychisq``, ``pchisqsum``, ``pFsum``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def lincomb_tail(x, weights, ddf=np.inf, tol=1e-12, max_terms=200_000):
    """``P(sum_k a_k chi2_1 > x W / ddf)``, ``W ~ chi2_ddf`` (``ddf=inf``: ``W / ddf = 1``).

    Parameters
    ----------
    x : float
        The observed statistic (>= 0).
    weights : array_like
        The weights ``a_k`` (non-negative; zeros are dropped).
    ddf : float
        Denominator degrees of freedom (> 0), or ``inf``.
    tol : float
        Bound on the series' truncation error (module docstring).

    Examples
    --------
    Equal weights are a scaled chi-square: ``P(2 chi2_3 > 7) = P(chi2_3 > 3.5)``.

    >>> round(lincomb_tail(7.0, [2.0, 2.0, 2.0]), 12) == round(float(stats.chi2.sf(3.5, 3)), 12)
    True
    >>> round(lincomb_tail(6.0, [1.0, 0.5]), 6)   # Imhof quadrature: 0.022266
    0.022266
    """
    a = np.asarray(weights, dtype=float).ravel()
    if not np.isfinite(a).all() or len(a) == 0:
        raise ValueError(f"weights: expected finite values, got {weights!r}")
    top = np.abs(a).max()
    if top == 0:
        raise ValueError("weights: all zero")
    if (a < -1e-12 * top).any():
        raise ValueError(f"weights: a negative weight {float(a.min())!r} (only non-negative "
                         "combinations are supported)")
    if not (ddf > 0):
        raise ValueError(f"ddf: expected a positive number or inf, got {ddf!r}")
    if not np.isfinite(x) or x < 0:
        raise ValueError(f"x: expected a finite value >= 0, got {x!r}")
    a = a[a > 1e-12 * top]
    if x == 0:
        return 1.0
    beta = a.min()
    h = len(a)
    ratio = 1 - beta / a
    ratio = ratio[ratio > 0]
    rho = float(ratio.max()) if len(ratio) else 0.0
    c = np.empty(1024)
    g = np.empty(1024)  # g[m-1] = sum (1 - beta/a)^m
    c[0] = np.exp(0.5 * np.sum(np.log(beta / a)))
    power = np.ones_like(ratio)
    total, j, done, tail = c[0], 0, 0, 0.0
    while True:
        # stop when the mass left is below tol and, for a small tail, the geometric estimate
        # of the terms left (c_j rho / (1 - rho)) is below 1e-10 of the tail (or 1e-30)
        left = c[j] * rho / (1 - rho) if rho < 1 else np.inf
        if (1 - total <= tol and left <= max(1e-10 * tail, 1e-30)) or rho == 0:
            break
        if j >= max_terms:
            raise ValueError(f"lincomb_tail: the series did not converge in {max_terms} "
                             f"terms (weights ratio {float(a.max() / beta):.3g})")
        j += 1
        if j >= len(c):
            c, g = np.resize(c, 2 * len(c)), np.resize(g, 2 * len(g))
        power = power * ratio
        g[j - 1] = power.sum()
        c[j] = np.dot(g[j - 1::-1], c[:j]) / (2 * j)  # sum_{r<j} g_{j-r} c_r
        total += c[j]
        if 1 - total <= tol and (j - done >= 256 or done == 0):  # tails of the new terms
            tail += float(np.dot(c[done:j + 1], _tails(x, beta, h + 2 * np.arange(done, j + 1),
                                                        ddf)))
            done = j + 1
    if done <= j:
        tail += float(np.dot(c[done:j + 1], _tails(x, beta, h + 2 * np.arange(done, j + 1), ddf)))
    return float(min(max(tail, 0.0), 1.0))


def _tails(x, beta, m, ddf):
    """``P(chi2_m > x / beta)``, or ``P(F(m, ddf) > x / (beta m))``, for a vector of ``m``."""
    if np.isinf(ddf):
        return stats.chi2.sf(x / beta, m)
    return stats.f.sf(x / (beta * m), m, ddf)
