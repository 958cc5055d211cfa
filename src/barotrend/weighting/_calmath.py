"""Pure numpy weight computations: post-stratification, raking, calibration (g-weights).

No Design here: every function maps arrays to arrays, so the same code reweights the full-sample
weights and every replicate column.

References
----------
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling. JASA 87,
376-382 (the calibration functions and the Newton iteration).
Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known. Ann. Math. Statist. 11, 427-444 (raking).
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 7.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from barotrend.design.sparse import Coded

CALFUNS = ("linear", "raking", "logit")


class LowRankAdjuster:
    """A score adjuster ``z -> z - F M P' z``: ``F`` (n, p) row features, ``P`` (n, q) row probes
    (each a list of column blocks, dense arrays or :class:`barotrend.design.sparse.Coded`
    indicator columns) and ``M`` (p, q) a small matrix.

    Calling it runs ``dense(z)`` (the adjuster as it always was, with its refinements);
    :meth:`lowrank` gives ``(F, P, M)``, from which the design's by-domain variance is formed
    without an (n x domains) influence matrix (:mod:`barotrend.design.sparse`).
    """

    def __init__(self, dense, parts):
        self._dense, self._parts = dense, parts

    def __call__(self, z):
        return self._dense(z)

    def lowrank(self):
        """``(F, P, M)`` with ``adjust(z) == z - F @ (M @ (P.T @ z))``."""
        return self._parts()


def poststrat_factors(w, codes, totals):
    """Factor ``N_h / sum_{i in h} w_i`` for each unit (post-stratification).

    Examples
    --------
    >>> poststrat_factors(np.array([1., 1., 2.]), np.array([0, 0, 1]), np.array([4., 4.]))
    array([2., 2., 2.])
    """
    sums = np.bincount(codes, weights=w, minlength=len(totals))
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(sums > 0, totals / sums, np.nan)
    if np.isnan(f[codes]).any():
        raise ValueError("a post-stratum has units but no positive weight, so it cannot be "
                         "scaled to its population total")
    return f[codes]


def margin_error(w, margins):
    """Largest relative gap ``|achieved - target| / target`` over the margins' cells."""
    worst = 0.0
    for codes, totals in margins:
        got = np.bincount(codes, weights=w, minlength=len(totals))
        worst = max(worst, float(np.max(np.abs(got - totals) / np.maximum(totals, 1e-300))))
    return worst


def rake_weights(w, margins, max_iter=100, tol=1e-10):
    """Iterative proportional fitting of ``w`` to several margins.

    Each sweep post-stratifies to every margin in turn. Stops when the largest relative margin
    gap is below ``tol`` or after ``max_iter`` sweeps (the caller checks ``error``).

    Returns
    -------
    w : raked weights.
    n_sweeps : sweeps done.
    error : largest relative margin gap at the end.
    last : list of the weights right after each margin's step in the last sweep (needed by
        R's raking variance).

    Examples
    --------
    >>> m = [(np.array([0, 0, 1, 1]), np.array([3., 1.])),
    ...      (np.array([0, 1, 0, 1]), np.array([2., 2.]))]
    >>> w, k, err, _ = rake_weights(np.ones(4), m)
    >>> np.round(w, 6).tolist(), err < 1e-10
    ([1.5, 1.5, 0.5, 0.5], True)
    """
    w = np.asarray(w, dtype=float).copy()
    n_sweeps, error, last = 0, np.inf, []
    while n_sweeps < max_iter:
        last = []
        for codes, totals in margins:
            w = w * poststrat_factors(w, codes, totals)
            last.append(w.copy())
        n_sweeps += 1
        error = margin_error(w, margins)
        if error < tol:
            break
    return w, n_sweeps, error, last


def check_bounds(calfun, bounds):
    lo, hi = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if not lo < 1 < hi:
        raise ValueError(f"bounds: need lower < 1 < upper for g = new/old weight, got {bounds!r}")
    if calfun == "logit" and not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"bounds: logit calibration needs finite bounds, got {bounds!r}")
    return lo, hi


def _calfun(calfun, lo, hi):
    """g = F(u) and dF/du for the Deville-Särndal distance functions."""
    if calfun == "linear":
        def g(u):
            return np.clip(1 + u, lo, hi)

        def dg(u):
            return ((1 + u > lo) & (1 + u < hi)).astype(float)
    elif calfun == "raking":
        def g(u):
            return np.clip(np.exp(u), lo, hi)

        def dg(u):
            e = np.exp(u)
            return np.where((e > lo) & (e < hi), e, 0.0)
    elif calfun == "logit":
        # g = L + (U - L) expit(A u + log((1 - L) / (U - 1))), the same function written
        # without overflow; dg/du = (U - L) A s (1 - s)
        a = (hi - lo) / ((hi - 1) * (1 - lo))
        shift = np.log((1 - lo) / (hi - 1))

        def g(u):
            return lo + (hi - lo) * expit(a * u + shift)

        def dg(u):
            s = expit(a * u + shift)
            return (hi - lo) * a * s * (1 - s)
    else:
        raise ValueError(f"calfun: expected one of {CALFUNS}, got {calfun!r}")
    return g, dg


def calibration_g(X, d, totals, calfun="linear", bounds=None, max_iter=50, tol=1e-10):
    """g-weights with ``sum_i d_i g_i x_i = totals`` (Deville & Särndal 1992).

    ``g_i = F(x_i' lambda)`` where ``F`` is the calibration function: linear ``1 + u``,
    raking ``exp(u)``, logit ``(L(U-1) + U(1-L)e^{Au}) / (U-1 + (1-L)e^{Au})`` with
    ``A = (U-L)/((U-1)(1-L))`` (g within (L, U)); linear and raking are truncated at the
    bounds. ``lambda`` is found by Newton's method with a generalised inverse (so collinear
    auxiliaries are fine when their totals are consistent), halving steps that give
    non-finite g. Converged when every ``|misfit| / (1 + |total|) < tol``.

    Returns
    -------
    g : (n,) array.
    info : dict with ``iterations`` and ``error`` (largest relative misfit) and ``converged``.

    Examples
    --------
    Linear calibration of two units with equal weights to a total of x = 5:

    >>> g, info = calibration_g(np.array([[1.], [2.]]), np.array([1., 1.]), np.array([5.]))
    >>> g.tolist(), info["converged"]
    ([1.4, 1.8], True)
    """
    X = np.asarray(X, dtype=float)
    d = np.asarray(d, dtype=float)
    totals = np.asarray(totals, dtype=float)
    lo, hi = check_bounds(calfun, bounds)
    G, dF = _calfun(calfun, lo, hi)
    lam = np.zeros(X.shape[1])
    u = X @ lam
    g = G(u)
    scale = 1 + np.abs(totals)
    error = float(np.max(np.abs(totals - X.T @ (d * g)) / scale))
    with np.errstate(over="ignore", invalid="ignore"):
        return _newton(X, d, totals, G, dF, lam, u, g, scale, error, tol, max_iter)


def _newton(X, d, totals, G, dF, lam, u, g, scale, error, tol, max_iter):
    it = 0
    while error >= tol and it < max_iter:
        it += 1
        T = (X * (d * dF(u))[:, None]).T @ X
        misfit = totals - X.T @ (d * G(u))
        if not (np.all(np.isfinite(T)) and np.all(np.isfinite(misfit))):
            break
        step = np.linalg.pinv(T, rcond=256 * np.finfo(float).eps) @ misfit
        new = lam + step
        for _ in range(max_iter):
            gn = G(X @ new)
            if np.all(np.isfinite(gn)) and np.all(np.isfinite(dF(X @ new))):
                break
            step = step / 2
            new = lam + step
        lam = new
        u = X @ lam
        g = G(u)
        error = float(np.max(np.abs(totals - X.T @ (d * g)) / scale))
    converged = bool(error < tol and np.all(np.isfinite(g)))
    return g, {"iterations": it, "error": error, "converged": converged}


def wls_residual(X, d):
    """Adjuster ``z -> z - X b(z)``, ``b = argmin sum_i d_i (z_i - x_i' b)^2``.

    The influence values after calibration (Särndal, Swensson & Wretman 1992, sec. 6.6; R's
    ``svyrecvar`` with a ``greg_calibration``): residuals from the regression on the
    auxiliaries weighted by the weights *before* calibration.

    Examples
    --------
    >>> r = wls_residual(np.ones((3, 1)), np.array([1., 1., 2.]))
    >>> r(np.array([[1.], [2.], [3.]])).ravel().tolist()
    [-1.25, -0.25, 0.75]
    """
    X = np.asarray(X, dtype=float)
    sd = np.sqrt(np.asarray(d, dtype=float))
    Q, _ = _orth(X * sd[:, None])

    def adjust(z):
        z = np.asarray(z, dtype=float)
        y = z * sd[:, None]
        e = y - Q @ (Q.T @ y)
        if _cancelled(y, e):  # once more on the residual: its digits, not those of z
            e = e - Q @ (Q.T @ e)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sd[:, None] > 0, e / sd[:, None], z)

    def parts():
        with np.errstate(divide="ignore", invalid="ignore"):
            F = np.where(sd[:, None] > 0, Q / sd[:, None], 0.0)
        return [F], [Q * sd[:, None]], np.eye(Q.shape[1])
    return LowRankAdjuster(adjust, parts)


def _cancelled(before, after, factor=8.0):
    """Whether a projection's residual lost digits: some column shrank by more than ``factor``
    (the residual is then exact only to ``eps`` times the column before; projecting the
    residual once more, iterative refinement, gives it to ``eps`` times itself)."""
    big = np.sqrt(np.einsum("ij,ij->j", before, before))
    small = np.sqrt(np.einsum("ij,ij->j", after, after))
    return bool(np.any(big > factor * small))


def _orth(A):
    """Orthonormal basis of the column space of A (rank-revealing SVD)."""
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    rank = int(np.sum(s > s[0] * max(A.shape) * np.finfo(float).eps)) if s.size else 0
    return U[:, :rank], rank


def class_mean_residual(codes, d):
    """Adjuster ``z -> z - mean_h(z)``, the d-weighted mean within each post-stratum h.

    R's post-stratification variance (``svyrecvar`` on ``postStratify``): the influence
    values are centred within post-strata with the weights before post-stratification.

    Examples
    --------
    >>> r = class_mean_residual(np.array([0, 0, 1]), np.array([1., 3., 1.]))
    >>> r(np.array([[1.], [2.], [5.]])).ravel().tolist()
    [-0.75, 0.25, 0.0]
    """
    from barotrend.design.linearization import GroupSum

    codes = np.asarray(codes)
    d = np.asarray(d, dtype=float)
    m = codes.max() + 1 if codes.size else 0
    dsum = np.bincount(codes, weights=d, minlength=m)
    group_sum = GroupSum(codes, m)

    def centred(z):
        s = group_sum(d[:, None] * z)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(dsum[:, None] > 0, s / dsum[:, None], 0.0)
        out = mean[codes]
        return np.subtract(z, out, out=out)

    def adjust(z):
        z = np.asarray(z, dtype=float)
        r = centred(z)
        # a class mean large against the spread: centre the residual once more (its own
        # rounding, eps x the mean, removed)
        return centred(r) if _cancelled(z, r) else r

    def parts():
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(dsum > 0, 1.0 / dsum, 0.0)
        return [Coded(codes, np.ones(len(codes)), m)], [Coded(codes, d, m)], np.diag(inv)
    return LowRankAdjuster(adjust, parts)


def weight_ratio_safe(num, den):
    """``num / den`` elementwise, 1 where ``den`` is 0."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)


def rake_residual(margin_codes, ratios, sweeps=10, freq=None):
    """R's raking variance adjuster (``svyrecvar`` for a ``raking`` post-stratum).

    With ``r_m`` = (weights after margin m's step in the last raking sweep) / (final weights),
    repeat ``sweeps`` times, for each margin m: ``z <- z - r_m * ave_m(z / r_m)`` where
    ``ave_m`` is the *unweighted* mean within the margin's categories (R survey 4.1 does
    exactly this; at convergence all r_m are 1). ``freq`` (optional) counts each row as that
    many rows with the same codes and ratios (the cells of a distributed design, whose low-rank
    parts are then those of the rows; the adjuster itself is for rows of frequency 1).

    Examples
    --------
    >>> r = rake_residual([np.array([0, 0, 1])], [np.ones(3)])
    >>> r(np.array([[1.], [3.], [5.]])).ravel().tolist()
    [-1.0, 1.0, 0.0]
    """
    from barotrend.design.linearization import GroupSum

    codes = [np.asarray(c) for c in margin_codes]
    ratios = [np.asarray(r, dtype=float) for r in ratios]
    sizes = [int(c.max()) + 1 for c in codes]
    sums = [GroupSum(c, m) for c, m in zip(codes, sizes, strict=True)]
    f = np.ones(len(codes[0])) if freq is None else np.asarray(freq, dtype=float)
    counts = [np.bincount(c, f, minlength=m)[:, None] for c, m in zip(codes, sizes, strict=True)]
    # Each step subtracts r_m * (a constant per category of margin m), so after any number of
    # steps z = z0 - sum_m r_m c_m[codes_m]. The category sums of z / r_m that a step needs are
    # then S0_m - sum_m' P[m][m'] c_m', with P[m][m'][a, b] = sum over the rows in category a of
    # m and b of m' of r_m' / r_m: the sweeps run on these small matrices, and the rows are
    # read once for S0 and once to apply the c_m.
    cross = [[np.bincount(ci * mj + cj, weights=f * rj / ri, minlength=mi * mj).reshape(mi, mj)
              for cj, rj, mj in zip(codes, ratios, sizes, strict=True)]
             for ci, ri, mi in zip(codes, ratios, sizes, strict=True)]

    def adjust(z):
        z = np.asarray(z, dtype=float)
        s0 = [g(z / r[:, None]) for g, r in zip(sums, ratios, strict=True)]
        c = [np.zeros((m, z.shape[1])) for m in sizes]
        for _ in range(sweeps):
            for i in range(len(codes)):
                current = s0[i] - sum(cross[i][j] @ c[j] for j in range(len(codes)))
                c[i] += current / counts[i]
        out = z.copy()
        for ci, r, cm in zip(codes, ratios, c, strict=True):
            out -= r[:, None] * cm[ci]
        return out

    def parts():
        # the sweeps are linear in the category sums s0: run them on the identity
        q = sum(sizes)
        eye = np.eye(q)
        offs = np.cumsum([0, *sizes])
        s0 = [eye[offs[i]:offs[i + 1]] for i in range(len(codes))]
        c = [np.zeros((m, q)) for m in sizes]
        for _ in range(sweeps):
            for i in range(len(codes)):
                current = s0[i] - sum(cross[i][j] @ c[j] for j in range(len(codes)))
                c[i] += current / counts[i]
        F = [Coded(ci, r, m) for ci, r, m in zip(codes, ratios, sizes, strict=True)]
        with np.errstate(divide="ignore", invalid="ignore"):
            P = [Coded(ci, 1.0 / r, m) for ci, r, m in zip(codes, ratios, sizes, strict=True)]
        return F, P, np.vstack(c)
    return LowRankAdjuster(adjust, parts)
