"""Upper tail of a Pearson X^2 whose design-based null is a sum of weighted chi-squares.

Under the design, ``X^2`` is asymptotically ``sum_k lambda_k chi2_1`` with ``lambda`` the
eigenvalues of the generalised design-effect matrix ``Delta`` (Rao & Scott 1984). With the
variance estimated on ``ddf`` degrees of freedom, R's ``svychisq(statistic="saddlepoint")``
takes ``P(X^2 > x) = P(sum_k lambda_k chi2_1 - (x / ddf) chi2_ddf > 0)`` and evaluates it with
the Lugannani-Rice saddlepoint approximation (Kuonen 1999) over the cumulant generating
function ``K(z) = -1/2 sum_j log(1 - 2 z a_j)`` of ``sum_j a_j chi2_1``: the ``ddf`` term
enters as ``floor(ddf)`` copies of ``-x/ddf`` (as R's ``rep``). ``zhat`` solves ``K'(z) = 0``;
``w = sign(zhat) sqrt(-2 K(zhat))``, ``v = zhat sqrt(K''(zhat))`` and the tail is
``1 - Phi(w + log(v / w) / w)``. Replicate designs (R's ``pchisqsum``) use ``sum lambda_k chi2_1`` alone, no ``ddf`` term.
When the saddlepoint is too close to 0 (``|zhat| < 1e-4``),
R's Satterthwaite value ``P(F(ndf, ddf) > x / (ndf scale))`` with ``scale = mean(a^2) /
mean(a)`` and ``ndf = k mean(a)^2 / mean(a^2)`` is used instead.

References
----------
Kuonen, D. (1999). Saddlepoint approximations for distributions of quadratic forms in normal
variables. *Biometrika* 86, 929-935. R package ``survey``, functions ``pFsum`` and ``saddle``.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats


def saddle_upper(x, a):
    """``P(sum_j a_j chi2_1 > x)`` by the Lugannani-Rice saddlepoint, NaN near ``zhat = 0``.

    Examples
    --------
    >>> round(saddle_upper(3.84, np.array([1.0])), 4)   # chi2_1 (exact 0.0500); R: 0.05171
    0.0517
    """
    a = np.asarray(a, dtype=float)
    d = a.max()
    lam, x = a / d, x / d

    def k0(z):
        return -0.5 * np.sum(np.log1p(-2 * z * lam))

    def k1(z):
        return np.sum(lam / (1 - 2 * z * lam))

    def k2(z):
        return 2 * np.sum(lam**2 / (1 - 2 * z * lam) ** 2)

    if (lam < 0).any():
        lo = np.max(1 / (2 * lam[lam < 0])) * 0.99999
    elif x > lam.sum():
        lo = -0.01
    else:
        lo = -len(lam) / (2 * x)
    hi = np.min(1 / (2 * lam[lam > 0])) * 0.99999
    z = optimize.brentq(lambda t: k1(t) - x, lo, hi, xtol=1e-14, rtol=1e-14)
    if abs(z) < 1e-4:
        return float("nan")
    w = np.sign(z) * np.sqrt(2 * (z * x - k0(z)))
    v = z * np.sqrt(k2(z))
    return float(stats.norm.sf(w + np.log(v / w) / w))


def pearson_tail(x, eigenvalues, ddf=np.inf):
    """``P(X^2 > x)`` for ``X^2 ~ sum lambda_k chi2_1`` with ``ddf`` denominator df (module
    docstring; R's ``pFsum(..., method="saddlepoint")``). With ``ddf`` infinite (R's replicate
    designs, ``pchisqsum``) the tail of ``sum lambda_k chi2_1`` itself, the Satterthwaite
    fallback then ``P(chi2_ndf > x / scale)``.

    Examples
    --------
    >>> round(pearson_tail(6.0, [1.0, 1.0], ddf=20.5), 4)   # R's pFsum: 0.07798
    0.078
    >>> round(pearson_tail(6.0, [1.0, 1.0]), 4)   # chi2_2 (exact exp(-3) = 0.0498)
    0.0506
    """
    a = np.asarray(eigenvalues, dtype=float)
    tr = a.mean()
    tr2 = np.mean(a**2) / tr**2
    ndf = len(a) / tr2
    if not np.isfinite(ddf):
        s = saddle_upper(x, a)
        return float(stats.chi2.sf(x / (tr * tr2), ndf)) if np.isnan(s) else s
    value = float(stats.f.sf(x / ndf / (tr * tr2), ndf, ddf))
    copies = int(ddf)  # R: rep(-x/ddf, ddf) truncates a fractional count
    s = saddle_upper(0.0, np.concatenate([a, np.full(copies, -x / ddf)]))
    return value if np.isnan(s) else s
