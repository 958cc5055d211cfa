"""Variance of PPS samples without replacement (R's ``svydesign(..., pps=)``).

A one-stage sample of PSUs ``i`` with inclusion probabilities ``pi_i`` (unequal, without
replacement) within strata ``h`` of ``n_h`` sampled PSUs. With ``T_i`` the PSU totals of the
weighted influence values ``x = w z`` (so ``T_i = t_i / pi_i``), the Horvitz-Thompson variance is

    V_HT = sum_i sum_j Dcheck_ij T_i T_j,      Dcheck_ij = (pi_ij - pi_i pi_j) / pi_ij

(Horvitz and Thompson 1952) with ``Dcheck_ii = 1 - pi_i`` and ``Dcheck_ij = 0`` across strata,
and the Sen-Yates-Grundy form (``variance="YG"``) ``V_YG = V_HT - sum_i c_i T_i T_i'`` with
``c_i = sum_j Dcheck_ij`` (Sen 1953; Yates and Grundy 1953: ``-1/2 sum_ij Dcheck_ij (T_i -
T_j)^2``), as R's ``htvar.matrix`` / ``ygvar.matrix``. The joint probabilities ``pi_ij`` are

``joint`` (R's ``ppsmat``)  given; entries of ``Dcheck`` below ``tolerance`` in absolute value
    are set to 0 (R's ``pi2Dcheck``; R's ``ppsmat`` default tolerance 1e-4). Strata are ignored
    (the matrix covers the whole sample); ``pi_i`` is its diagonal.
``overton``   Overton (1985): ``pi_ij ~ (n - 1) pi_i pi_j / (n - (pi_i + pi_j)/2)``, so
    ``Dcheck_ij = 1 - (n - (pi_i + pi_j)/2) / (n - 1)`` (R's ``overton2Dcheck``).
``hartley-rao``  Hartley and Rao (1962): ``pi_ij ~ (n - 1) pi_i pi_j / (n - pi_i - pi_j + P)``,
    ``P = sum_U pi_k^2 / n`` given per stratum, or estimated by the mean of the sampled ``pi_i``
    (the HT estimate of ``sum_U pi_k^2`` is ``sum_s pi_k``), as R's ``HR()`` / ``HRDcheck``.

In both approximations a pair with ``pi_i + pi_j = 2`` (Overton) or ``= 1`` (Hartley-Rao) gets
``Dcheck_ij = 0``, as R does. ``brewer``: Brewer's approximation (Brewer 2002, eq. 9.x; Berger
2004) as R computes it for ``pps="brewer"``: the with-replacement form with a factor per PSU,

    V = sum_h n_h / (n_h - 1) sum_{i in h} (1 - pi_i) (T_i - Tbar_h)(T_i - Tbar_h)',

``Tbar_h`` the plain mean of the ``T_i`` in stratum ``h`` (R's ``onestrat`` with an fpc that
varies by PSU). Brewer's ``pi_i`` is the ``fpc`` column (a probability); for the other methods
``pi_i = 1 / w_i`` from the design weights (``probs``, ``weights`` or ``fpc``), as R's
``allprob``. Only one stage is supported (R also allows Brewer at later stages).

References
----------
Horvitz, D. G. and Thompson, D. J. (1952). JASA 47, 663-685. Sen, A. R. (1953). J. Indian Soc.
Agric. Statist. 5, 119-127. Yates, F. and Grundy, P. M. (1953). JRSS B 15, 253-261. Hartley, H. O.
and Rao, J. N. K. (1962). Ann. Math. Statist. 33, 350-374. Overton, W. S. (1985). A sampling
plan for streams. Oregon State University. Brewer, K. R. W. (2002). *Combined Survey Sampling
Inference*, chapter 9. Arnold. Berger, Y. G. (2004). A simple variance estimator for unequal
probability sampling without replacement. J. Applied Statistics 31, 305-315. R package
``survey``: ``svydesign``, ``HR``, ``ppsmat``, ``ppsvar``.
"""

from __future__ import annotations

import numpy as np

from barotrend.design.columns import py_scalar
from barotrend.design.linearization import rowsum

METHODS = ("brewer", "overton", "hartley-rao", "joint")


class PPS:
    """A PPS-without-replacement variance specification for ``Design(..., pps=)``.

    Parameters
    ----------
    method : {"brewer", "overton", "hartley-rao", "joint"}
    p2bar : float or dict, optional
        Hartley-Rao only: ``sum_U pi_k^2 / n``, one number or a dict stratum -> number
        (R's ``HR(psum, strata)``). Default: the mean sampled ``pi_i`` of each stratum (R's ``HR()``).
    joint : array_like (M, M), optional
        ``joint`` only: the joint inclusion probabilities of the M PSUs, in their order of first
        appearance in the data (rows, when each row is a PSU), as R's ``ppsmat``.
    variance : {"HT", "YG"}
        Horvitz-Thompson or Sen-Yates-Grundy form (not for Brewer, as R).
    tolerance : float
        ``joint`` only: smaller ``|Dcheck_ij|`` are set to 0 (R's ``ppsmat`` default 1e-4).

    Examples
    --------
    >>> PPS("overton", variance="YG")
    PPS('overton', variance='YG')
    """

    def __init__(self, method, p2bar=None, joint=None, variance="HT", tolerance=1e-4):
        if method not in METHODS:
            raise ValueError(f"pps: expected one of {METHODS}, a joint inclusion matrix or a PPS, "
                             f"got {method!r}")
        if variance not in ("HT", "YG"):
            raise ValueError(f"pps variance: expected 'HT' or 'YG', got {variance!r}")
        if method == "brewer" and variance != "HT":
            raise ValueError("pps: Brewer's approximation has no 'YG' form (as R)")
        if (joint is None) != (method != "joint"):
            raise ValueError("pps: a joint inclusion matrix goes with method 'joint' (and only)")
        if p2bar is not None and method != "hartley-rao":
            raise ValueError("pps: p2bar is for method 'hartley-rao' only")
        self.method, self.p2bar, self.variance, self.tolerance = method, p2bar, variance, tolerance
        self.joint = None if joint is None else np.asarray(joint, dtype=float)

    def __repr__(self):
        extra = "" if self.variance == "HT" else f", variance={self.variance!r}"
        return f"PPS({self.method!r}{extra})"


def as_pps(spec) -> PPS:
    """``pps=`` argument of :class:`Design` as a :class:`PPS`: a method name, a 2-D array of
    joint inclusion probabilities, or a :class:`PPS`."""
    if isinstance(spec, PPS):
        return spec
    if isinstance(spec, str):
        return PPS(spec)
    arr = np.asarray(spec)
    if arr.ndim == 2:
        return PPS("joint", joint=arr)
    raise ValueError(f"pps: expected one of {METHODS}, a joint inclusion matrix or a PPS, "
                     f"got {spec!r}")


class PPSVariance:
    """The variance of a built PPS design: ``vcov(x)`` for weighted influence values ``x``
    (n, k) (see the module docstring)."""

    def __init__(self, spec, psu, strata_of_psu, pi, strata_values):
        self.spec = spec
        self.psu = psu
        self.m = len(pi)
        self.strata = strata_of_psu
        self.pi = pi
        if spec.method == "brewer":
            nh = np.bincount(strata_of_psu).astype(float)
            n = nh[strata_of_psu]
            if (n < 2).any():
                h = int(strata_of_psu[np.flatnonzero(n < 2)[0]])
                raise ValueError(f"pps: stratum {py_scalar(strata_values[h])!r} has only one PSU "
                                 "(Brewer's approximation needs two)")
            self.coef = (1 - pi) * n / (n - 1)
            self.blocks = None
        elif spec.method == "joint":
            self.blocks = [(np.arange(self.m), _joint_dcheck(spec, self.m))]
        else:
            self.blocks = []
            for h in range(int(strata_of_psu.max()) + 1):
                idx = np.flatnonzero(strata_of_psu == h)
                p = pi[idx]
                n = len(idx)
                if spec.method == "overton":
                    fbar = (p[:, None] + p[None, :]) / 2
                    with np.errstate(divide="ignore", invalid="ignore"):
                        d = 1 - (n - fbar) / (n - 1)
                    zero = fbar == 1
                else:
                    fbar = p[:, None] + p[None, :]
                    pb = _p2bar(spec.p2bar, strata_values[h], p)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        d = 1 - (n - fbar + pb) / (n - 1)
                    zero = fbar == 1
                d = np.where(zero, 0.0, d)
                np.fill_diagonal(d, 1 - p)
                self.blocks.append((idx, d))

    def vcov(self, x):
        t = rowsum(self.psu, x, self.m)
        if self.blocks is None:  # Brewer: centred within strata, a factor per PSU
            ns = int(self.strata.max()) + 1
            means = rowsum(self.strata, t, ns) / np.bincount(self.strata, minlength=ns)[:, None]
            d = t - means[self.strata]
            v = (d * self.coef[:, None]).T @ d
        else:
            k = t.shape[1]
            v = np.zeros((k, k))
            for idx, dmat in self.blocks:
                ti = t[idx]
                v += ti.T @ (dmat @ ti)
                if self.spec.variance == "YG":
                    v -= (ti * dmat.sum(axis=0)[:, None]).T @ ti
        return (v + v.T) / 2

    def describe(self):
        return f"PPS without replacement ({self.spec.method}, {self.spec.variance})"


def _p2bar(p2bar, stratum, p):
    if p2bar is None:
        return float(p.mean())
    if isinstance(p2bar, dict):
        if stratum not in p2bar:
            raise ValueError(f"pps: p2bar has no value for stratum {py_scalar(stratum)!r}")
        return float(p2bar[stratum])
    return float(p2bar)


def _joint_dcheck(spec, m):
    pij = spec.joint
    if pij.shape != (m, m):
        raise ValueError(f"pps: the joint inclusion matrix is {pij.shape[0]} x {pij.shape[1]}; "
                         f"the design has {m} PSUs")
    if not np.isfinite(pij).all() or (pij <= 0).any() or (pij > 1).any():
        bad = np.argwhere(~np.isfinite(pij) | (pij <= 0) | (pij > 1))[0]
        raise ValueError(f"pps: joint inclusion probability {float(pij[tuple(bad)])!r} at "
                         f"[{bad[0]}, {bad[1]}] is not in (0, 1]")
    if not np.allclose(pij, pij.T, rtol=1e-12, atol=0):
        raise ValueError("pps: the joint inclusion matrix is not symmetric")
    p = np.diag(pij)
    d = (pij - np.outer(p, p)) / pij
    d[np.abs(d) < spec.tolerance] = 0.0
    return d


def _check_probabilities(values, design, subject: str, rule: str) -> None:
    """Raise naming the first row whose value (NaN included) is outside (0, 1]."""
    bad = ~(values > 0) | (values > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{subject} has {float(values[i])!r} at row "
                         f"{py_scalar(design.data.index[i])!r}: {rule}")


def build(spec, design, fpc_col):
    """The :class:`PPSVariance` of a design being built (called once by ``Design``).

    ``fpc_col`` is the fpc column name (Brewer's ``pi_i``; required for Brewer) or None.
    """
    spec = as_pps(spec)
    if design.n_stages > 1:
        raise ValueError("pps: only one-stage PPS designs are supported (give the first-stage "
                         "cluster only)")
    psu = design.psu_ids
    m = int(psu.max()) + 1
    if spec.method == "brewer":
        if fpc_col is None:
            raise ValueError("pps: Brewer's approximation needs fpc= (the inclusion "
                             "probability of each PSU)")
        pi_rows = design.data[fpc_col].to_numpy(dtype=float)
        what = f"fpc column {fpc_col!r}"
    else:
        pi_rows = 1.0 / design.weights  # R's allprob: probs, 1/weights or the fpc
        what = "the inclusion probability 1/weight"
    _check_probabilities(pi_rows, design, f"pps: {what}",
                         "an inclusion probability must be in (0, 1] (give fpc as a "
                         "probability, not a population size)")
    first = np.full(m, -1, dtype=np.int64)
    order = np.arange(len(psu))[::-1]
    first[psu[order]] = order  # the first row of each PSU
    pi = pi_rows[first]
    varies = pi[psu] != pi_rows
    if varies.any():
        i = int(np.flatnonzero(varies)[0])
        raise ValueError(f"pps: {what} varies within a PSU (row "
                         f"{py_scalar(design.data.index[i])!r})")
    # PSUs in order of first appearance (R's rowsum(reorder=FALSE)): recode
    rank = np.empty(m, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(m)
    strata_of_psu = np.empty(m, dtype=np.int64)
    strata_of_psu[rank[psu]] = design.strata_ids
    return PPSVariance(spec, rank[psu], strata_of_psu, pi[np.argsort(first, kind="stable")],
                       design._strata_values)


def weights_from_probs(design, weights, probs, pps_fpc):
    """Sampling weights ``1 / prod(probs columns)`` (R's ``probs=``), or ``1 / fpc`` for a PPS
    design given only its inclusion probabilities; each probability must be in (0, 1]."""
    from barotrend.design.columns import as_list, check_columns, not_numeric

    if probs is not None and weights is not None:
        raise ValueError("probs: give sampling weights or probabilities, not both")
    cols = as_list("probs", probs) if probs is not None else [pps_fpc]
    arg = "probs" if probs is not None else "fpc"
    check_columns(design.data, arg, cols)
    p = np.ones(design.n)
    for col in cols:
        raw = design.data[col]
        if not np.issubdtype(raw.dtype, np.number) or raw.dtype == bool:
            raise ValueError(f"{arg}: column {col!r} {not_numeric(raw)}")
        v = raw.to_numpy(dtype=float, na_value=np.nan)
        _check_probabilities(v, design, f"{arg}: column {col!r}",
                             "a probability must be in (0, 1]")
        p = p * v
    return 1.0 / p
