"""Replicate-weight designs: JK1, JKn, BRR/Fay, Rao-Wu bootstrap, and supplied weights.

A replicate design carries analysis weights ``w^(r)`` for replicates ``r = 1..R`` and constants
``scale`` and ``rscales``; the variance of an estimate ``theta`` is (R's ``svrVar``)

    V = scale * sum_r rscales_r (theta_r - c)(theta_r - c)'

with ``c`` the mean of the replicate estimates (over ``rscales > 0``), or the full-sample
estimate when ``mse=True``. Replicate factors per kind (``n_h`` PSUs in stratum ``h``,
``f_h = n_h / N_h`` the first-stage sampling fraction when the design has an fpc):

``JK1`` (unstratified): replicate ``r`` drops the ``r``-th PSU in order of first appearance
    (as R), others times ``n/(n-1)``; ``scale = (1-f)(n-1)/n``.
``JKn``: drop PSU ``j`` of stratum ``h``, the rest of ``h`` times ``n_h/(n_h-1)``, other strata
    unchanged; ``rscales = (1-f_h)(n_h-1)/n_h``. Lonely strata as the design's ``lonely_psu``
    (R's ``jknweights``).
``BRR`` (two PSUs per stratum, or R's ``small``/``large`` rules): half-samples from the rows
    2..K+1 of a Hadamard matrix (R's ``hadamard(K)`` by default, or ``hadamard=``), the chosen
    PSU times ``2 - rho`` and the other times ``rho`` (Fay's method when ``fay_rho > 0``);
    ``scale = 1/(R (1-rho)^2)`` (:mod:`barotrend.design.brr`, R's ``brrweights``).
``bootstrap``: Rao-Wu (1988) rescaling: in each stratum draw ``m_h = n_h - 1`` PSUs with
    replacement, factor ``1 - lambda_h + lambda_h (n_h/m_h) count_j`` with
    ``lambda_h = sqrt(m_h (1 - f_h)/(n_h - 1))``; ``scale = 1/(R-1)``, mean-centred.

Degrees of freedom: the rank of the replicate weights minus one (R's ``degf``).

Storage: a converted design (:class:`ReplicateDesign`) keeps its replicate weights as
per-PSU factors, ``w_ri = f[psu_i, r] w_i`` (JK1: only which PSU each replicate deletes,
:class:`DropOne`); ``replicate_weights`` forms the (rows x replicates) array on first use.
The estimators by domain never form it (:mod:`barotrend.design.replicate_domains`).

References
----------
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., chapters 3-4. Springer.
Rao, J. N. K. and Wu, C. F. J. (1988). Resampling inference with complex survey data. *JASA*
83, 231-241. Judkins, D. R. (1990). Fay's method for variance estimation. *J. Official
Statistics* 6, 223-239. R package ``survey``: ``as.svrepdesign``, ``svrepdesign``, ``svrVar``.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from barotrend.design.brr import brr_factors
from barotrend.design.columns import py_scalar
from barotrend.design.design import Design

KINDS = ("JK1", "JKn", "BRR", "bootstrap")
TYPES = ("BRR", "Fay", "JK1", "JKn", "bootstrap", "ACS", "successive-difference", "JK2", "other",
         "subbootstrap", "mrbbootstrap")  # the last two: R's as.svrepdesign types (scale 1/(R-1))
FIXED_SCALE = ("BRR", "Fay", "ACS", "successive-difference", "JK2")


def replicate_vcov(design, estimator):
    """Replicate variance (R's ``svrVar``) of ``estimator`` over the replicate weights.

    Replicates giving a non-finite estimate are dropped with a warning, as R does.
    """
    if estimator is None:
        raise ValueError("estimator: a replicate design needs an estimator callable")
    thetas = np.asarray(estimator(design.replicate_weights), dtype=float)
    if thetas.ndim == 1:
        thetas = thetas[:, None]
    rscales = np.asarray(design.rscales, dtype=float)
    ok = np.isfinite(thetas).all(axis=1)
    if not ok.all():
        if not ok.any():
            k = thetas.shape[1]
            return np.full((k, k), np.nan)
        warnings.warn(f"{int((~ok).sum())} replicates gave NaN results and were discarded",
                      stacklevel=3)
        thetas, rscales = thetas[ok], rscales[ok]
    if design.mse:
        centre = np.asarray(estimator(design.weights[:, None]), dtype=float).reshape(1, -1)
    else:
        used = thetas[rscales > 0]
        centre = used.mean(axis=0, keepdims=True)
        centre = centre + (used - centre).mean(axis=0, keepdims=True)  # R's two-pass mean:
        # equal replicate estimates give exactly zero variance
    d = thetas - centre
    v = design.scale * (d * rscales[:, None]).T @ d
    return (v + v.T) / 2  # exactly symmetric: (d r)' d rounds (i, j) and (j, i) differently


def _rank_df(factors):
    """Rank of the factors minus one, over their distinct rows and, when wider than tall,
    distinct columns (repeats leave a rank as it is: a JKn subset's rows hold one column
    pattern for all the other strata's replicates, so the SVD is of a small matrix)."""
    m = _distinct_rows(np.asarray(factors, dtype=float))
    if m.shape[1] > m.shape[0]:
        m = _distinct_rows(m.T)
    return int(np.linalg.matrix_rank(m)) - 1


def _distinct_rows(m):
    """The distinct rows of ``m`` (compared as bytes: a sort of one key per row)."""
    m = np.ascontiguousarray(m)
    if m.shape[0] < 2 or m.shape[1] == 0:
        return m
    keys = m.view(np.dtype((np.void, m.dtype.itemsize * m.shape[1]))).ravel()
    return m[np.sort(np.unique(keys, return_index=True)[1])]


def replicate_rank_df(replicate_weights, weights):
    """Rank of replicate weights (rows scaled by the full-sample weight) minus one (R's degf).

    Rows are divided by their full-sample weight first, so the rows of one PSU coincide and
    the rank is taken over distinct rows only.

    Examples
    --------
    >>> rw = np.array([[0.0, 3.0, 3.0], [0.0, 6.0, 6.0], [3.0, 0.0, 3.0]])
    >>> replicate_rank_df(rw, np.array([2.0, 4.0, 2.0]))
    1
    """
    rw = np.asarray(replicate_weights, dtype=float)
    if rw.shape[0] == 0:
        return 0
    return _rank_df(rw / np.asarray(weights, dtype=float)[:, None])


class DropOne:
    """JK1 factors without their (P x P) matrix: replicate ``r`` deletes PSU ``order[r]`` and
    multiplies the other PSUs by ``c = P / (P - 1)``. ``np.asarray`` gives the matrix.

    The rank of any ``s`` of its rows is ``s`` (``P > 1``): ``sum_p a_p (1 - e_p) = 0`` over
    a set of PSUs gives ``a_p = 0`` (at a PSU outside the set ``sum a = 0``; at ``p`` in it
    ``sum a - a_p = 0``), and all ``P`` rows form ``c (J - I)``, nonsingular. So a domain
    holding ``s`` PSUs has ``s - 1`` degrees of freedom and the design ``P - 1``.

    Examples
    --------
    >>> np.asarray(DropOne(np.array([1, 0, 2])))
    array([[1.5, 0. , 1.5],
           [0. , 1.5, 1.5],
           [1.5, 1.5, 0. ]])
    """

    def __init__(self, order):
        self.order = np.asarray(order, dtype=np.int64)
        P = len(self.order)
        self.c = P / (P - 1)
        self.shape = (P, P)
        self.rank_of = np.empty(P, dtype=np.int64)  # the replicate deleting each PSU
        self.rank_of[self.order] = np.arange(P)

    def __array__(self, dtype=None, copy=None):
        fac = np.full(self.shape, self.c)
        fac[self.order, np.arange(self.shape[1])] = 0.0
        return fac if dtype is None else fac.astype(dtype)


class ReplicateDesign(Design):
    """A replicate design converted from a linearised one (:func:`make_replicate`).

    Its replicate weights are per-PSU factors times the full-sample weights, ``w_ri = f[psu_i,
    r] w_i``, kept as the (PSUs x replicates) factors: building costs no (rows x replicates)
    array. ``replicate_weights`` forms that array on first use (and keeps it); the estimators
    by domain work from the factors instead (:mod:`barotrend.design.replicate_domains`).
    """

    @property
    def replicate_weights(self):
        d = self.__dict__
        rw = d.get("replicate_weights")  # set explicitly (Design._replace): that one
        if rw is None:
            rw = d.get("_rep_dense")
            if rw is None:
                fac, psu, w = d["_rep_structure"]
                rw = np.take(np.asarray(fac), psu, axis=0)
                rw *= w[:, None]
                d["_rep_dense"] = rw
        return rw


def psu_structure(design):
    """``(factors (P, R), psu (n,), weights (n,))`` with replicate weights ``factors[psu] *
    weights[:, None]``, or None when the design holds its replicate weights as an (n, R) array
    (supplied, or replaced by a weighting step)."""
    d = design.__dict__
    if not design.is_replicate or d.get("replicate_weights") is not None:
        return None
    return d.get("_rep_structure")


def n_replicates(design):
    """Number of replicates of a replicate design, without forming its weights."""
    s = psu_structure(design)
    return s[0].shape[1] if s is not None else design.replicate_weights.shape[1]


def _build(base, factors_by_psu, psu, weights, kind, scale, rscales, mse, data=None, df=None):
    """A replicate Design from per-PSU factors (P, R) or full weights (n, R); ``df`` when the
    factors' rank is known (else their rank minus one)."""
    d = object.__new__(Design if psu is None else ReplicateDesign)
    if base is not None:
        d.__dict__.update(base.__dict__)
    else:
        d.__dict__.update(dict(
            n=len(data), strata_name=None, cluster_names=(), fpc_names=(),
            weights_name=None, lonely_psu="fail", nest=False,
            strata_ids=np.zeros(len(data), dtype=np.int64), _strata_values=np.array([None]),
            psu_ids=np.arange(len(data), dtype=np.int64), _units=[], _popsize_by_stage=None,
            _stages=[], n_strata=1, n_psu=len(data), n_stages=1, data=data))
    dd = d.__dict__
    dd["_frozen"] = False
    if psu is not None:  # kept as factors; the (n, R) weights only on demand
        if isinstance(factors_by_psu, DropOne):
            fac, df = factors_by_psu, factors_by_psu.shape[0] - 1  # (DropOne: its rank)
        else:
            fac = np.ascontiguousarray(factors_by_psu, dtype=float)
            df = _rank_df(fac) if df is None else df
        dd["_rep_structure"] = (fac, psu, weights)
        dd.pop("replicate_weights", None)
        dd.pop("_rep_dense", None)
        dd["df"] = df
    else:
        dd["replicate_weights"] = factors_by_psu
        dd["df"] = _rank_df(factors_by_psu)
    dd.update(weights=weights, scale=float(scale),
              rscales=np.asarray(rscales, dtype=float), mse=bool(mse), replicate_kind=kind,
              is_replicate=True, score_adjusters=(), variance_frame=None)
    dd["_frozen"] = True
    return d


def replicate_rows(like, data, weights, replicate_weights):
    """A replicate design over other rows (``data``, e.g. the respondents after an adjustment)
    with the replicate kind and variance constants (scale, rscales, mse) of ``like``; df is
    the rank of the new replicate weights minus one (R's ``degf``)."""
    return _build(None, np.asarray(replicate_weights, dtype=float), None,
                  np.asarray(weights, dtype=float), like.replicate_kind, like.scale,
                  like.rscales, like.mse, data=data)


def _psu_strata(design):
    """PSU -> stratum code, PSUs per stratum, first-stage sampling fraction per stratum."""
    ps = np.zeros(design.n_psu, dtype=np.int64)
    ps[design.psu_ids] = design.strata_ids
    nh = np.bincount(ps, minlength=design.n_strata)
    if design._popsize_by_stage is not None:
        f = nh / design._popsize_by_stage[0]
    else:
        f = np.zeros(design.n_strata)
    return ps, nh, f


def _first_seen(codes):
    """Unique values of ``codes`` in order of first appearance."""
    return pd.unique(np.asarray(codes))  # a hash pass, in order of first appearance


def sylvester(order):
    """Sylvester Hadamard matrix of ``order`` (a power of two), entries +1/-1.

    Examples
    --------
    >>> sylvester(4)
    array([[ 1,  1,  1,  1],
           [ 1, -1,  1, -1],
           [ 1,  1, -1, -1],
           [ 1, -1, -1,  1]])
    """
    h = np.array([[1]])
    while h.shape[0] < order:
        h = np.block([[h, h], [h, -h]])
    return h


def make_replicate(design, kind, *, fay_rho=None, hadamard=None, replicates=None, seed=None,
                   mse=False, small=None, large=None):
    """Convert a linearisation design into a replicate design (R's ``as.svrepdesign``).

    Parameters
    ----------
    design : Design
        A Taylor (non-replicate) design.
    kind : {"JK1", "JKn", "BRR", "bootstrap", "subbootstrap", "mrbbootstrap"}
        Replication method; see the module docstring for the factors and constants, and
        :mod:`barotrend.design.bootstrap` for the last two (``replicates``, ``seed`` as bootstrap).
    fay_rho : float, optional
        BRR only: Fay's coefficient in [0, 1) (0 = plain BRR).
    hadamard : array_like, optional
        BRR only: a two-valued Hadamard matrix with at least strata + 1 rows, recoded to 0/1
        with 0 for the value of ``H[0, 0]`` (as R recodes ``hadamard.matrix``). Default R's
        ``hadamard(strata)`` used as it is (:func:`barotrend.design.hadamard.hadamard`; not
        always a power of two: 10 strata give 12 replicates). Strata take its rows 2, 3, ... in
        the sorted order of their labels (as text, as R); the first PSU of a stratum in data
        order is kept (factor ``2 - rho``) where the 0/1 entry is 1. See
        :mod:`barotrend.design.brr`.
    small, large : {"fail", "split", "merge"}, optional
        BRR only: one-PSU strata and strata of more than two PSUs, as R's ``brrweights``
        (:mod:`barotrend.design.brr`). Default "fail" for both (R's default ``large`` is
        "split": pass ``large="split"`` to reproduce ``as.svrepdesign(type="BRR")`` there).
    replicates : int, optional
        bootstrap only: number of replicates (default 50).
    seed : int, optional
        bootstrap only: seed of :func:`numpy.random.default_rng`.
    mse : bool
        Centre the variance at the full-sample estimate instead of the replicate mean.

    Examples
    --------
    >>> df = pd.DataFrame({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2, 3, 4, 5, 7]})
    >>> r = Design(df, cluster="psu").replicate("JK1")
    >>> r.replicate_weights.shape, round(r.scale, 4), r.df
    ((6, 3), 0.6667, 2)
    """
    if design.is_replicate:
        raise ValueError("design: already a replicate design")
    if design.variance_frame is not None:
        raise ValueError("design: a design adjusted for non-response on a sampled frame cannot "
                         "be converted (the replicates would not repeat the adjustment); "
                         "convert the frame first, then adjust the replicate frame")
    if design.score_adjusters:
        raise ValueError("design: a calibrated/post-stratified design cannot be converted "
                         "(the replicates would not repeat the calibration); convert first, "
                         "then calibrate the replicate design")
    if kind in ("subbootstrap", "mrbbootstrap"):  # barotrend.design.bootstrap
        from barotrend.design.bootstrap import make_bootstrap
        if fay_rho is not None or hadamard is not None or small is not None or large is not None:
            raise ValueError(f"kind={kind!r} takes only replicates=, seed= and mse=")
        ps, nh, f = _psu_strata(design)
        fac, scale, rscales = make_bootstrap(design, kind, ps, f, replicates, seed)
        return _build(design, fac, design.psu_ids, design.weights, kind, scale, rscales, mse)
    if kind in ("JK2", "ACS", "successive-difference"):  # barotrend.design.replicate_more
        from barotrend.design.replicate_more import refuse_weights_only
        refuse_weights_only(kind)
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {(*KINDS, 'subbootstrap', 'mrbbootstrap')}, "
                         f"got {kind!r}")
    given = {"fay_rho": fay_rho, "hadamard": hadamard, "replicates": replicates, "seed": seed,
             "small": small, "large": large}
    allowed = {"JK1": set(), "JKn": set(), "BRR": {"fay_rho", "hadamard", "small", "large"},
               "bootstrap": {"replicates", "seed"}}[kind]
    for name, value in given.items():
        if value is not None and name not in allowed:
            raise ValueError(f"{name}: not used by kind={kind!r} (got {value!r})")
    ps, nh, f = _psu_strata(design)
    w = design.weights
    if kind == "JK1":
        if design.strata_name:
            raise ValueError("kind: 'JK1' is for unstratified designs; use 'JKn'")
        n = design.n_psu
        # replicate r drops the r-th PSU in order of first appearance in the data (R's
        # jk1weights), the others times n/(n-1): kept as that order (DropOne), not n x n
        return _build(design, DropOne(_first_seen(design.psu_ids)), design.psu_ids, w, "JK1",
                      (1 - f[0]) * (n - 1) / n, np.ones(n), mse)
    if kind == "JKn":
        if not design.strata_name:
            raise ValueError("kind: 'JKn' needs a stratified design; use 'JK1'")
        nstrat = design.n_strata
        order = _first_seen(design.psu_ids)  # PSUs in order of first appearance; a
        # stratum first appears with its first PSU, so the strata follow in their own order
        plan = []  # (stratum, its PSUs) with replicates, in R's column order
        for h in _first_seen(ps[order]):
            psus = order[ps[order] == h]
            if f[h] >= 1 - 1e-12:  # census stratum: no replicates (R drops them)
                continue
            if len(psus) == 1:
                if design.lonely_psu == "fail":
                    raise ValueError(f"stratum {py_scalar(design._strata_values[h])!r} of column "
                                     f"{design.strata_name!r} has only one PSU")
                if design.lonely_psu == "adjust":
                    plan.append((h, None))
                continue
            plan.append((h, psus))
        R = sum(1 if psus is None else len(psus) for _, psus in plan)
        if not R:
            raise ValueError("design: every stratum was sampled exhaustively")
        fac = np.ones((design.n_psu, R))
        rscales, r = [], 0
        for h, psus in plan:
            if psus is None:  # a lonely PSU, "adjust": zero on it, the rest nstrat/(nstrat-1)
                fac[:, r] = np.where(ps == h, 0.0, nstrat / (nstrat - 1))
                rscales.append((nstrat - 1) / nstrat)
                r += 1
                continue
            m = len(psus)  # replicate j of h drops its j-th PSU, the rest of h times m/(m-1)
            cols = np.arange(r, r + m)
            fac[np.ix_(psus, cols)] = m / (m - 1)
            fac[psus, cols] = 0.0
            rscales.extend([(1 - f[h]) * (m - 1) / m] * m)
            r += m
        scale = 1.0
        if design.lonely_psu == "average" and R < design.n_psu:
            scale = design.n_psu / R
        # rank without an SVD when every column is a deletion (no "adjust" column): the
        # factors are 1 1' + D, D block-diagonal with blocks (c_h - 1) J - c_h I of rank m_h - 1
        # (null vector 1_h) and 1 outside D's column space: rank R - H + 1, df R - H
        regular = all(psus is not None for _, psus in plan)
        return _build(design, fac, design.psu_ids, w, "JKn", scale, rscales, mse,
                      df=R - len(plan) if regular else None)
    if kind == "BRR":
        rho = 0.0 if fay_rho is None else float(fay_rho)
        if not 0 <= rho < 1:
            raise ValueError(f"fay_rho: must lie in [0, 1), got {fay_rho!r}")
        if design.fpc_names:
            warnings.warn("BRR ignores the finite population correction (as R's "
                          "as.svrepdesign)", stacklevel=2)
        order = _first_seen(design.psu_ids)  # PSU codes in order of first appearance (R's)
        fo = brr_factors(ps[order], design._strata_values, rho, hadamard,
                         small=small or "fail", large=large or "fail",
                         strata_name=design.strata_name)
        fac = np.empty_like(fo)
        fac[order] = fo
        R = fac.shape[1]
        return _build(design, fac, design.psu_ids, w, "BRR" if rho == 0 else "Fay",
                      1 / (R * (1 - rho) ** 2), np.ones(R), mse)
    # bootstrap
    R = 50 if replicates is None else replicates
    if not isinstance(R, int | np.integer) or R < 2:
        raise ValueError(f"replicates: expected an integer >= 2, got {replicates!r}")
    rng = np.random.default_rng(seed)
    fac = np.ones((design.n_psu, R))
    for h in range(design.n_strata):
        psus = np.flatnonzero(ps == h)
        m = len(psus)
        if m == 1:
            if design.lonely_psu == "fail" and f[h] < 1:
                raise ValueError(f"stratum {py_scalar(design._strata_values[h])!r} has only one PSU")
            continue
        draws = m - 1
        lam = np.sqrt(draws * (1 - f[h]) / (m - 1))
        counts = np.stack([np.bincount(rng.integers(0, m, draws), minlength=m)
                           for _ in range(R)], axis=1)
        fac[psus] = 1 - lam + lam * (m / draws) * counts
    return _build(design, fac, design.psu_ids, w, "bootstrap", 1 / (R - 1), np.ones(R), mse)


def from_replicate_weights(data, repweights, weights=None, type="other", scale=None,
                           rscales=None, mse=False, combined_weights=True, rho=None):
    """Design from replicate weights shipped with the data (R's ``svrepdesign``).

    Parameters
    ----------
    data : pandas.DataFrame
    repweights : list of str or str
        Replicate weight columns, or a regular expression matching their names (as R).
    weights : str, optional
        Full-sample weight column (default 1 for every row).
    type : {"BRR", "Fay", "JK1", "JKn", "bootstrap", "ACS", "successive-difference", "JK2", "other"}
        or "subbootstrap", "mrbbootstrap" (R's as.svrepdesign types). Sets the defaults as R's ``svrepdesign``: BRR ``scale = 1/R``; Fay
        ``scale = 1/(R (1-rho)^2)`` (needs ``rho``); ACS and successive-difference
        ``scale = 4/R``; JK2 ``scale = 1`` (these four set their own scale, the last three their
        rscales); JK1 ``scale = (R-1)/R`` when not given (with ``combined_weights=False``,
        ``1/max`` of the first replicate's factors, R's guess); JKn needs ``rscales`` (with
        factors, ``1/max`` of each replicate's factors, R's guess); bootstrap, subbootstrap and
        mrbbootstrap ``scale = 1/(R-1)`` (R's as.svrepdesign: mrbbootstrap as scale 1, rscales
        1/(R-1), the same variance); other ``scale = 1``. ``rscales`` defaults to 1.
    scale, rscales : float, array_like
        Variance constants (``rscales`` of length R).
    mse : bool
        Centre at the full-sample estimate.
    combined_weights : bool
        True when the columns are analysis weights; False when they are factors to multiply
        by ``weights``.
    rho : float
        Fay's coefficient in [0, 1) (type "Fay" only, and required there, as R's ``rho``).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2, 3], "w": [1.0, 1, 1], "r1": [0, 1.5, 1.5],
    ...                    "r2": [1.5, 0, 1.5], "r3": [1.5, 1.5, 0]})
    >>> d = Design.from_replicate_weights(df, ["r1", "r2", "r3"], weights="w", type="JK1",
    ...                                   scale=2 / 3)
    >>> round(float(d.mean("y")["se"].iloc[0]), 6)
    0.57735
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data: expected a pandas DataFrame, got {data.__class__.__name__}")
    if type not in TYPES:
        raise ValueError(f"type: expected one of {TYPES}, got {type!r}")
    if isinstance(repweights, str):
        cols = [c for c in data.columns if re.search(repweights, str(c))]
        if not cols:
            raise ValueError(f"repweights: no column matches {repweights!r}")
    else:
        cols = list(repweights)
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise ValueError(f"repweights: column {missing[0]!r} is not in the data")
    if weights is not None and weights in cols:
        raise ValueError(f"repweights: includes the full-sample weight column {weights!r}")
    data = data.copy()
    rw = np.empty((len(data), len(cols)))
    for j, c in enumerate(cols):
        if not pd.api.types.is_numeric_dtype(data[c]):
            raise ValueError(f"repweights: column {c!r} is not numeric")
        v = data[c].to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"repweights: column {c!r} has an invalid value {float(v[i])!r} at row "
                             f"{py_scalar(data.index[i])!r} (must be finite and non-negative)")
        rw[:, j] = v
    R = rw.shape[1]
    if R < 2:
        raise ValueError(f"repweights: need at least 2 replicate columns, got {R}")
    if weights is None:
        w = np.ones(len(data))
    else:
        if weights not in data.columns:
            raise ValueError(f"weights: column {weights!r} is not in the data")
        w = data[weights].to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(w) | (w <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"weights: column {weights!r} has a non-positive, missing or "
                             f"infinite weight {float(w[i])!r} at row {py_scalar(data.index[i])!r}")
    factors = None
    if not combined_weights:
        factors = rw
        rw = rw * w[:, None]
    if rho is not None and type != "Fay":
        raise ValueError(f"rho: only used by type='Fay' (got {rho!r})")
    if type in FIXED_SCALE and scale is not None:
        raise ValueError(f"scale: type={type!r} sets its own scale (got {scale!r})")
    if type in ("ACS", "successive-difference", "JK2") and rscales is not None:
        raise ValueError(f"rscales: type={type!r} sets its own rscales (got {rscales!r})")
    if type == "BRR":
        scale = 1 / R
    elif type == "Fay":
        if not (isinstance(rho, int | float) and 0 <= rho < 1):
            raise ValueError(f"rho: type='Fay' needs rho in [0, 1), got {rho!r}")
        scale = 1 / (R * (1 - rho) ** 2)
    elif type in ("ACS", "successive-difference"):
        scale = 4 / R
    elif type == "JK2":
        scale = 1.0
    elif type == "JK1" and scale is None:
        # R's guess: (n-1)/n from the largest factor n/(n-1) of the first replicate, or with
        # analysis weights n = the number of replicates
        scale = (R - 1) / R if factors is None else 1 / factors[:, 0].max()
    elif type in ("bootstrap", "subbootstrap", "mrbbootstrap") and scale is None:
        scale = 1 / (R - 1)  # R: bootstrap, subbootstrap 1/(R-1); mrbbootstrap 1 x rscales 1/(R-1)
    elif scale is None:
        scale = 1.0
    if type == "JKn" and rscales is None:
        if factors is None:
            raise ValueError("rscales: type='JKn' needs rscales ((n_h - 1)/n_h per replicate)")
        rscales = 1 / factors.max(axis=0)  # R's guess from factors n_h/(n_h - 1)
    rs = np.ones(R) if rscales is None else np.broadcast_to(
        np.asarray(rscales, dtype=float), (R,)).copy() if np.ndim(rscales) == 0 else \
        np.asarray(rscales, dtype=float)
    if rs.shape != (R,):
        raise ValueError(f"rscales: expected {R} values (one per replicate), got {rs.shape[0]}")
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale: must be positive and finite, got {scale!r}")
    return _build(None, rw, None, w, type, scale, rs, mse, data=data)
