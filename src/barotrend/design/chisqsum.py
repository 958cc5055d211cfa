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

exact for any real ``ddf > 0`` (no Monte Carlo, no quadrature). ``beta = min a_k``. The series
slows as the weights spread (``1 - beta / max a_k`` is its rate): for weights more than 200x
apart the tail is Imhof's (1961) inversion integral instead (adaptive quadrature, error
estimate <= 1e-9, or 1e-7 (R's accuracy) with ``ddf`` infinite, where the oscillating factor ``sin(x u / 2)`` is split off and
integrated by QUADPACK's Fourier rule). Weights
within ``1e-12`` of the largest count as zero (they add nothing); a negative weight is an error
(the design-effect eigenvalues are non-negative; R would switch to Davies' algorithm).

R differences: R's integration is accurate to its ``acc = 1e-7``; here the truncation error is
below ``tol`` (default 1e-12), so the two agree to R's accuracy. This machine's R has no
CompQuadForm (R then falls back to the saddlepoint with a warning), so the tests pin the series to
closed forms instead.

References
----------
Imhof, J. P. (1961). Computing the distribution of quadratic forms in normal variables.
*Biometrika* 48, 419-426. Ruben, H. (1962). Probability content of regions under spherical normal distributions, IV.
*Ann. Math. Statist.* 33, 542-570. Farebrother, R. W. (1984). Algorithm AS 204. *Applied
Statistics* 33, 332-339. Rao, J. N. K. and Scott, A. J. (1984). *Ann. Statist.* 12, 46-60.
R package ``survey``: ``svychisq``, ``pchisqsum``, ``pFsum``.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

#: Ruben's series for 1 - min/max weight up to this (weights within 200x); Imhof's integral
#: beyond.
RUBEN_MAX_RHO = 0.995


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
    if rho > RUBEN_MAX_RHO:  # weights over 200x apart: the series is slow
        return _imhof(x, a, ddf)
    c = np.empty(1024)
    g = np.empty(1024)  # g[len(g) - m] = sum (1 - beta/a)^m: g_j..g_1 contiguous, in order
    c[0] = np.exp(0.5 * np.sum(np.log(beta / a)))
    power = np.ones_like(ratio)
    total, j, done, tail = c[0], 0, 0, 0.0
    while True:
        # stop when the mass left is below tol and, for a small tail, the geometric estimate
        # of the terms left (c_j rho / (1 - rho)) is below 1e-9 of the tail (or 1e-20)
        left = c[j] * rho / (1 - rho) if rho < 1 else np.inf
        if (1 - total <= tol and left <= max(1e-9 * tail, 1e-20)) or rho == 0:
            break
        if j >= max_terms:
            raise ValueError(f"lincomb_tail: the series did not converge in {max_terms} "
                             f"terms (weights ratio {float(a.max() / beta):.3g})")
        j += 1
        if j >= len(c):
            c = np.resize(c, 2 * len(c))
            g = np.concatenate([np.empty(len(g)), g])
        power = power * ratio
        n = len(g)
        g[n - j] = power.sum()
        c[j] = np.dot(g[n - j:], c[:j]) / (2 * j)  # sum_{r<j} g_{j-r} c_r
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


def _imhof(x, a, ddf):
    """Imhof's (1961) inversion: ``P(Q > c) = 1/2 + 1/pi int_0^inf sin(theta(u)) / (u rho(u))
    du``, ``theta = 1/2 sum h_k arctan(l_k u) - c u / 2``, ``rho = prod (1 + l_k^2 u^2)^(h_k/4)``,
    with ``l = a, -x/ddf`` (``h = 1, ddf``) and ``c = 0``, or ``l = a`` and ``c = x`` when ``ddf``
    is infinite. Adaptive quadrature; an error estimate above 1e-9 is an error."""
    from scipy import integrate

    lam, h, c = (a, np.ones(len(a)), x) if np.isinf(ddf) else (
        np.append(a, -x / ddf), np.append(np.ones(len(a)), ddf), 0.0)

    def f(u):
        if u == 0:
            return 0.5 * (np.dot(h, lam) - c)
        theta = 0.5 * np.dot(h, np.arctan(lam * u)) - 0.5 * c * u
        return np.sin(theta) / u * np.exp(-0.25 * np.dot(h, np.log1p((lam * u) ** 2)))

    if np.isinf(ddf):
        return _imhof_fourier(x, a)
    total, err = 0.0, 0.0
    span = 1.0 / np.abs(lam).max()
    lo = 0.0
    for _ in range(200):  # pieces growing geometrically, until the integrand's bound is tiny
        hi = lo + span
        with warnings.catch_warnings():  # quad's own warnings: its error estimate is checked
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            v, e = integrate.quad(f, lo, hi, limit=200, epsabs=1e-13, epsrel=1e-10)
        total, err = total + v, err + e
        bound = np.exp(-0.25 * np.dot(h, np.log1p((lam * hi) ** 2)))  # |f| <= bound / u
        if bound * 2 / max(h.sum() / 2, 1e-3) < 1e-12 * max(abs(total), 1e-3):
            break
        lo, span = hi, span * 2
    else:
        err = np.inf
    if err > 1e-9:
        raise ValueError(f"lincomb_tail: the integration did not reach 1e-9 (error {err:.2g})")
    return float(min(max(0.5 + total / np.pi, 0.0), 1.0))


def _imhof_fourier(x, a):
    """Imhof's integral for ``ddf`` infinite: with ``phi(u) = 1/2 sum arctan(a_k u)``,
    ``sin(phi - x u/2) = sin(phi) cos(x u/2) - cos(phi) sin(x u/2)``; ``[0, L]`` by ordinary
    quadrature, ``[L, inf)`` by the Fourier rule (QUADPACK's QAWF) on the smooth parts."""
    from scipy import integrate

    def env(u):
        return np.exp(-0.25 * np.sum(np.log1p((a * u) ** 2))) / u

    def phi(u):
        return 0.5 * np.sum(np.arctan(a * u))

    def f(u):
        if u == 0:
            return 0.5 * (a.sum() - x)
        return np.sin(phi(u) - 0.5 * x * u) * env(u)

    cut = 4 * np.pi / x * 8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        v0, e0 = integrate.quad(f, 0, cut, limit=500, epsabs=1e-13, epsrel=1e-11)
        v1, e1 = integrate.quad(lambda u: np.sin(phi(u)) * env(u), cut, np.inf, weight="cos",
                                wvar=0.5 * x, limlst=200)
        v2, e2 = integrate.quad(lambda u: np.cos(phi(u)) * env(u), cut, np.inf, weight="sin",
                                wvar=0.5 * x, limlst=200)
    err = e0 + e1 + e2
    if err > 1e-7:  # QUADPACK's Fourier-rule estimates are conservative (1e-11 seen against
        # closed forms where they say 1e-8); 1e-7 is R's own accuracy (davies acc)
        raise ValueError(f"lincomb_tail: the integration did not reach 1e-7 (error {err:.2g})")
    return float(min(max(0.5 + (v0 + v1 - v2) / np.pi, 0.0), 1.0))
