"""Taylor variance of domain totals from the non-empty (sampling unit, domain) cells only.

The variance of :mod:`barotrend.design.linearization` for domain ``d`` is, stage by stage,

    V_d = sum_g coef_g * sum_{j in g} (T_jd - Tbar_gd)^2,   Tbar_gd = sum_{j in g} T_jd / n_g

(``Tbar = 0`` for an ``adjust`` lonely stratum, ``coef`` holding fpc, ``n/(n-1)``, the ancestors'
sampling fractions and the lonely-PSU policy). A unit ``j`` of stratum ``g`` without rows in
``d`` has ``T_jd = 0`` and adds ``Tbar_gd^2``, so with ``m_gd`` the units of ``g`` holding
``d`` (the non-empty cells)

    sum_{j in g} (T_jd - Tbar_gd)^2 = sum_{non-empty j} (T_jd - Tbar_gd)^2 + (n_g - m_gd) Tbar_gd^2.

Everything is a group-by over the cells: ``Tbar_gd`` per (stratum, domain), then the centred
squares (a second pass over the cells, not the one-pass ``sum T^2 - n Tbar^2``, which would
lose digits when a stratum's mean is large against its spread). Time and memory are O(cells),
whatever the number of domains: no units x domains array is made. Coarser stages aggregate
the finest cells into their own (unit, domain) cells. Only the variances (the diagonal) are
formed; covariances between domains are not needed by the by-domain estimators.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd


def factorize(keys):
    """Dense codes ``0..m-1`` of int64 ``keys`` (order of first appearance) and the distinct
    keys: a hash pass, no sort.

    Examples
    --------
    >>> c, u = factorize(np.array([7, 3, 7, 9]))
    >>> c.tolist(), u.tolist()
    ([0, 1, 0, 2], [7, 3, 9])
    """
    codes, uniq = pd.factorize(keys, sort=False)
    return codes.astype(np.int64, copy=False), np.asarray(uniq)


def _bin(codes, x, m):
    """Column sums of ``x`` (C, L) within ``codes`` into ``m`` groups."""
    if x.shape[1] == 1:
        return np.bincount(codes, x[:, 0], minlength=m)[:, None]
    return np.stack([np.bincount(codes, x[:, j], minlength=m) for j in range(x.shape[1])],
                    axis=1)


def cell_variance(unit, dom, t, stages, n_dom, offset=None, lowrank=None):
    """Variances (n_dom, L) of domain totals from cell totals, O(cells).

    Parameters
    ----------
    unit, dom : ndarray of int (C,)
        Finest-stage unit and domain of each non-empty cell (each pair at most once).
    t : ndarray (C, L)
        Cell totals of the weighted influence values (L columns per domain, e.g. levels).
    stages : list of :class:`barotrend.design.linearization.Stage`
    offset : (s, c), optional
        ``s`` (C,) cell totals and ``c`` (n_dom,) a centre per domain: the totals stand for
        ``t + c_d s`` without forming them, each centred on its own within strata
        (:func:`barotrend.design.linearization.taylor_vcov_totals`).
    lowrank : (Phi, Lam), optional
        Calibrated designs: the unit totals are ``T_jd - Phi_j . Lam_dl`` with ``Phi`` (M, p)
        the finest units' totals of the weighted adjuster features and ``Lam`` (n_dom, L, p)
        each column's coefficients (:func:`adjusted_parts`). Per stage and stratum, with
        ``Phi`` centred within strata, the squares expand into the cells' centred squares,
        ``-2 Lam . sum_cells coef Phi_j T_jd`` and ``Lam' (sum_h coef_h sum_j Phi_j Phi_j') Lam``:
        per-cell sums and one p x p matrix, no units x domains array. (The expansion loses
        the digits of the terms' size over the result: use it for many domains only.)

    Examples
    --------
    Four units, one stratum, SRS with replacement: ``n/(n-1) sum (T - Tbar)^2``; a second
    domain present in two units only (the others count as zeros: T = 1, 0, 3, 0, mean 1,
    4/3 (0 + 1 + 4 + 1) = 8).

    >>> from barotrend.design.linearization import Stage
    >>> st = Stage(np.arange(4), np.zeros(4, int), np.array([4 / 3]), np.array([True]),
    ...            np.array([4]))
    >>> cell_variance(np.array([0, 1, 2, 3, 0, 2]), np.array([0, 0, 0, 0, 1, 1]),
    ...               np.array([[1.0], [2.0], [3.0], [4.0], [1.0], [3.0]]), [st], 2).ravel()
    array([6.66666667, 8.        ])
    """
    t = np.asarray(t, dtype=float)
    if t.ndim == 1:
        t = t[:, None]
    L = t.shape[1]
    var = np.zeros((n_dom, L))
    if not stages:
        return var
    s = c = None
    if offset is not None:
        s = np.asarray(offset[0], dtype=float).reshape(-1, 1)
        c = np.asarray(offset[1], dtype=float)
    u, d = np.asarray(unit, dtype=np.int64), np.asarray(dom, dtype=np.int64)
    Phi = Lam = None
    if lowrank is not None:
        Phi, Lam = np.asarray(lowrank[0], dtype=float), np.asarray(lowrank[1], dtype=float)
    for k in range(len(stages) - 1, -1, -1):
        st = stages[k]
        if k < len(stages) - 1:  # this stage's units: the strata of the stage below
            if Phi is not None:
                Phi = _bin(stages[k + 1].parent, Phi, len(st.parent))
            u = stages[k + 1].parent[u]
            code, keys = factorize(u * n_dom + d)
            m = len(keys)
            t = _bin(code, t, m)
            if s is not None:
                s = _bin(code, s, m)
            u, d = keys // n_dom, keys % n_dom
        h = st.parent[u]
        gcode, gkeys = factorize(h * n_dom + d)
        G = len(gkeys)
        gh, gd = gkeys // n_dom, gkeys % n_dom
        n_g = st.n_units_in[gh].astype(float)
        centre = st.center[gh]
        tbar = _bin(gcode, t, G) / n_g[:, None]
        tbar[~centre] = 0.0
        dev = t - tbar[gcode]
        if s is not None:
            sbar = _bin(gcode, s, G) / n_g[:, None]
            sbar[~centre] = 0.0
            dev = dev + c[d][:, None] * (s - sbar[gcode])
            gone = tbar + c[gd][:, None] * sbar  # an empty unit's deviation, negated
        else:
            gone = tbar
        empty = n_g - np.bincount(gcode, minlength=G)
        ss = _bin(gcode, dev * dev, G) + empty[:, None] * gone * gone
        coef = st.coef[gh]
        with np.errstate(invalid="ignore"):
            contrib = np.where((coef != 0)[:, None], coef[:, None] * ss, 0.0)
        var += _bin(gd, contrib, n_dom)
        if Phi is not None:
            var += _lowrank_terms(st, u, d, t if s is None else t + c[d][:, None] * s, Phi,
                                  Lam, n_dom)
    return var


def _lowrank_terms(st, u, d, t, Phi, Lam, n_dom):
    """One stage's ``-2 Lam . X + Lam' Q Lam`` per (domain, column) (see
    :func:`cell_variance`)."""
    ns = len(st.coef)
    n_in = np.maximum(st.n_units_in, 1).astype(float)
    bar = _bin(st.parent, Phi, ns) / n_in[:, None]
    bar[~st.center] = 0.0
    dev = Phi - bar[st.parent]
    cu = st.coef[st.parent]
    keep = cu != 0
    Q = (dev[keep] * cu[keep, None]).T @ dev[keep]
    cc = st.coef[st.parent[u]]
    cc = np.where(cc != 0, cc, 0.0)
    L = t.shape[1]
    out = np.empty((n_dom, L))
    for j in range(L):
        X = _bin(d, dev[u] * (cc * t[:, j])[:, None], n_dom)  # (n_dom, p)
        lam = Lam[:, j, :]
        out[:, j] = -2.0 * np.einsum("dp,dp->d", lam, X) + np.einsum("dp,pq,dq->d", lam, Q,
                                                                      lam)
    return out


class Coded(NamedTuple):
    """A block of indicator columns: row ``i`` holds ``values[i]`` in column ``codes[i]`` of
    ``m`` (post-strata, raking margins), kept as codes: every product is a bincount."""

    codes: np.ndarray
    values: np.ndarray
    m: int


def scale_block(block, s):
    """A feature or probe block with row ``i`` multiplied by ``s[i]``."""
    if isinstance(block, Coded):
        return Coded(block.codes, block.values * s, block.m)
    return np.asarray(block, dtype=float) * s[:, None]


def _width(block):
    return block.m if isinstance(block, Coded) else block.shape[1]


def _probe_sums(P, rows, dom, v, n_dom):
    """``(P' z)`` (q, n_dom) for ``z`` holding ``v`` at (rows, dom)."""
    if isinstance(P, Coded):
        return np.bincount(P.codes[rows] * n_dom + dom, P.values[rows] * v,
                           minlength=P.m * n_dom).reshape(P.m, n_dom)
    return np.stack([np.bincount(dom, P[rows, j] * v, minlength=n_dom)
                     for j in range(P.shape[1])])


def _cross(P, F):
    """``P' F`` (q, p) of two blocks."""
    if isinstance(P, Coded) and isinstance(F, Coded):
        return np.bincount(P.codes * F.m + F.codes, P.values * F.values,
                           minlength=P.m * F.m).reshape(P.m, F.m)
    if isinstance(P, Coded):
        return np.stack([np.bincount(P.codes, P.values * F[:, j], minlength=P.m)
                         for j in range(F.shape[1])], axis=1)
    if isinstance(F, Coded):
        return np.stack([np.bincount(F.codes, F.values * P[:, j], minlength=F.m)
                         for j in range(P.shape[1])])
    return P.T @ F


def _unit_totals(F, unit, w, M):
    """Totals (M, p) of ``w F`` over the finest units."""
    if isinstance(F, Coded):
        return np.bincount(unit * F.m + F.codes, w * F.values,
                           minlength=M * F.m).reshape(M, F.m)
    return np.stack([np.bincount(unit, w * F[:, j], minlength=M) for j in range(F.shape[1])],
                    axis=1)


def adjusted_parts(design, rows, dom, vals, n_dom):
    """``(Phi, Lam)`` of :func:`cell_variance` for the score adjusters of ``design``.

    The influence values are ``z_i = vals[i]`` (L columns) in domain ``dom[i]`` for the rows
    ``rows``, 0 elsewhere. Each adjuster is ``z -> z - F_k M_k P_k' z``
    (:class:`barotrend.weighting._calmath.LowRankAdjuster`, ``F`` and ``P`` as lists of dense
    or :class:`Coded` blocks), applied in order, so the adjusted values are
    ``z - sum_k F_k Lam_k`` with ``Lam_k = M_k (P_k' z - sum_{j<k} (P_k' F_j) Lam_j)``: the
    probes' sums by domain (O(rows x probes)) and small products. ``Phi`` are the finest
    units' totals of ``w F``.
    """
    L = vals.shape[1]
    lams, feats = [], []
    for F, P, M in (a.lowrank() for a in design.score_adjusters):
        rhs = np.vstack([np.stack([_probe_sums(b, rows, dom, vals[:, j], n_dom)
                                   for j in range(L)], axis=2).reshape(_width(b), n_dom * L)
                         for b in P])
        for Fj, lam in zip(feats, lams, strict=True):
            rhs = rhs - np.vstack([np.hstack([_cross(pb, fb) for fb in Fj]) for pb in P]) @ lam
        lams.append(np.asarray(M, dtype=float) @ rhs)
        feats.append(F)
    unit = design._stages[-1].unit
    M_units = len(design._stages[-1].parent)
    Phi = np.hstack([_unit_totals(b, unit, design.weights, M_units) for F in feats for b in F])
    Lam = np.vstack(lams).T.reshape(n_dom, L, -1)
    return Phi, Lam


def cell_covariance(unit, col, vals, stages, k):
    """Covariance (k, k) of the column totals of a sparse ``x`` (rows, k): row ``i`` holds
    ``vals[i]`` in column ``col[i]`` of finest unit ``unit[i]`` (repeats are summed).

    Per stage, ``sum_g coef_g (sum_{j in g} T_j T_j' - S_g S_g' / n_g)`` with ``T`` the sparse
    unit totals and ``S_g`` the stratum sums (``S_g`` not subtracted for an ``adjust`` lonely
    stratum): two sparse products, O(non-empty (unit, column) cells + k^2), never units x k.

    Examples
    --------
    >>> from barotrend.design.linearization import Stage, taylor_vcov
    >>> st = Stage(np.arange(4), np.zeros(4, int), np.array([4 / 3]), np.array([True]),
    ...            np.array([4]))
    >>> x = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0], [4.0, 0.0]])
    >>> bool(np.allclose(cell_covariance(np.array([0, 1, 2, 3]), np.array([0, 0, 1, 0]),
    ...                                  np.array([1.0, 2.0, 3.0, 4.0]), [st], 2),
    ...                  taylor_vcov(x, [st])))
    True
    """
    from scipy import sparse

    def indicator(codes, m):
        n = len(codes)
        return sparse.csr_array((np.ones(n), (codes, np.arange(n))), shape=(m, n))

    M = len(stages[-1].parent)
    T = sparse.csr_array((np.asarray(vals, dtype=float), (unit, col)), shape=(M, k))
    V = np.zeros((k, k))
    for s in range(len(stages) - 1, -1, -1):
        st = stages[s]
        if s < len(stages) - 1:
            T = indicator(stages[s + 1].parent, len(st.parent)) @ T
        coef = np.where(st.coef != 0, st.coef, 0.0)
        S = indicator(st.parent, len(st.coef)) @ T
        V += _dense(T.T @ (sparse.diags_array(coef[st.parent]) @ T))
        cen = np.where(st.center, coef / np.maximum(st.n_units_in, 1), 0.0)
        V -= _dense(S.T @ (sparse.diags_array(cen) @ S))
    return (V + V.T) / 2


def presence_dfs(design, psu, dom, n_dom, distinct=False):
    """Domain df (PSUs minus strata holding the domain, R's ``degf``) from the (PSU, domain)
    pairs with a positive weight (repeats allowed unless ``distinct``): O(pairs)."""
    pkeys = psu * n_dom + dom
    if not distinct:
        pkeys = factorize(pkeys)[1]
    n_psu = np.bincount(pkeys % n_dom, minlength=n_dom)
    skeys = factorize(design._psu_stratum[pkeys // n_dom] * n_dom + pkeys % n_dom)[1]
    n_strata = np.bincount(skeys % n_dom, minlength=n_dom)
    return (n_psu - n_strata).astype(float)


def _dense(x):
    from scipy import sparse

    return x.toarray() if sparse.issparse(x) else np.asarray(x, dtype=float)
