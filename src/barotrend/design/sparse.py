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

Memory (with one row per unit every cell-sized array is row-sized): the codings are hash
passes in chunks (:func:`factorize`, :func:`factorize_pairs`: int32 codes, no key array and no
hash table sized for every row), the group sums and centred squares are taken chunk by chunk
(``np.add.at`` row after row: the sums of ``np.bincount`` bit for bit), and the inputs are
never copied or written to; calibrated designs with one row per unit make the units' adjuster
totals from the rows chunk by chunk (:class:`RowTotals`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

#: Rows per chunk of the hash passes: the chunk's keys and codes stay in the cache, and no
#: hash table is sized for all the rows (pandas sizes one for every key it is given).
FCHUNK = 1 << 16
#: Rows per chunk of the passes over the cells (the group-bys of :func:`cell_variance`).
CHUNK = 1 << 14
#: Rows per chunk of the passes over the rows' adjuster features (:class:`RowTotals`).
RCHUNK = 1 << 15


def _getter(keys, n):
    """``(get, n)``: ``get(s, e)`` the keys of rows ``s:e`` of an array or a callable."""
    if callable(keys):
        return keys, n
    keys = np.asarray(keys)
    return (lambda s, e: keys[s:e]), len(keys)


def pair_keys(a, b, n_b, amap=None, keep=None):
    """The int64 keys ``A * n_b + b`` of rows (``A = amap[a]``, or ``a``), made chunk by chunk
    (``keep``: only the rows where it is True): a callable ``(s, e) -> keys`` for
    :func:`factorize` and :func:`unique_keys`, so that no row-sized key array is made."""
    def get(s, e):
        x = a[s:e] if amap is None else amap[a[s:e]]
        k = np.multiply(x, n_b, dtype=np.int64)
        k += b[s:e]
        return k if keep is None else k[keep[s:e]]
    return get


def unique_keys(keys, n=None, chunk=FCHUNK):
    """The distinct keys in order of first appearance (as :func:`pandas.unique`), from the
    distinct keys of each chunk: memory O(chunk + distinct keys)."""
    get, n = _getter(keys, n)
    if n <= chunk:
        return np.asarray(pd.unique(get(0, n)))
    parts = [pd.unique(get(s, min(n, s + chunk))) for s in range(0, n, chunk)]
    return np.asarray(pd.unique(np.concatenate(parts)))


def factorize(keys, n=None, dtype=np.int64, chunk=FCHUNK):
    """Dense codes ``0..m-1`` of integer ``keys`` (order of first appearance) and the distinct
    keys: hash passes, no sort.

    ``keys`` is an array, or a callable ``(s, e) -> keys of rows s:e`` with ``n`` the rows
    (:func:`pair_keys`). Taken in chunks: the distinct keys first, then each chunk's codes,
    so the memory is the codes (``dtype``, int64 when the count does not fit) and O(chunk +
    distinct keys), not a hash table sized for every row; the codes are those of
    :func:`pandas.factorize` of all the keys. Keys mostly distinct (the first chunk's) are
    factorised at once (the distinct keys are then about the rows anyway).

    Examples
    --------
    >>> c, u = factorize(np.array([7, 3, 7, 9]))
    >>> c.tolist(), u.tolist()
    ([0, 1, 0, 2], [7, 3, 9])
    >>> c, u = factorize(np.array([7, 3, 7, 9, 3, 1]), chunk=4)
    >>> c.tolist(), u.tolist()
    ([0, 1, 0, 2, 1, 3], [7, 3, 9, 1])
    """
    get, n = _getter(keys, n)
    if n <= chunk or len(pd.unique(get(0, chunk))) > chunk // 2:
        # one chunk, or keys mostly distinct (a hash table per row either way): all at once
        codes, uniq = pd.factorize(get(0, n), sort=False)
        return codes.astype(dtype, copy=False), np.asarray(uniq)
    uniq = unique_keys(get, n, chunk)
    if len(uniq) > np.iinfo(dtype).max:
        dtype = np.int64
    index = pd.Index(uniq)
    codes = np.empty(n, dtype=dtype)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        local, seen = pd.factorize(get(s, e), sort=False)
        codes[s:e] = index.get_indexer(seen)[local]
    return codes, uniq


def factorize_pairs(a, b, n_b, amap=None):
    """Codes (int32 where they fit) of the distinct ``(A, b)`` pairs of the rows (``A =
    amap[a]``, or ``a``; ``0 <= b < n_b``) and each pair's ``A`` and ``b``: :func:`factorize`
    of :func:`pair_keys`."""
    codes, keys = factorize(pair_keys(a, b, n_b, amap), len(b), dtype=np.int32)
    return codes, keys // n_b, keys % n_b


def _chunks(n, chunk=CHUNK):
    for s in range(0, n, chunk):
        yield s, min(n, s + chunk)


def bin_columns(codes, x, m):
    """Column sums of ``x`` (C, L) within ``codes`` into ``m`` groups: the sums of
    ``np.bincount`` bit for bit (row after row in order), chunk by chunk (no copy of a
    column or of the codes)."""
    out = np.zeros((m, x.shape[1]))
    if len(codes) <= CHUNK:
        for j in range(x.shape[1]):
            out[:, j] = np.bincount(codes, x[:, j], minlength=m)
        return out
    for s, e in _chunks(len(codes)):
        c = codes[s:e]
        for j in range(x.shape[1]):
            np.add.at(out[:, j], c, x[s:e, j])
    return out


_bin = bin_columns


def _count(codes, m):
    """Rows per code (as floats), chunk by chunk."""
    if len(codes) <= CHUNK:
        return np.bincount(codes, minlength=m).astype(float)
    out = np.zeros(m)
    for s, e in _chunks(len(codes)):
        np.add.at(out, codes[s:e], 1.0)
    return out


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

    Memory: besides the inputs (never written to), one int32 code per cell and arrays per
    (stratum, domain) group; the deviations are formed chunk by chunk (with one cell per row,
    every cell-sized array is row-sized).

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
    u, d = np.asarray(unit), np.asarray(dom)
    Phi = Lam = None
    if lowrank is not None:
        Phi, Lam = lowrank[0], np.asarray(lowrank[1], dtype=float)
        if not isinstance(Phi, RowTotals):
            Phi = np.asarray(Phi, dtype=float)
    for k in range(len(stages) - 1, -1, -1):
        st = stages[k]
        if k < len(stages) - 1:  # this stage's units: the strata of the stage below
            if isinstance(Phi, RowTotals):
                raise ValueError("cell_variance: RowTotals needs a one-stage design")
            if Phi is not None:
                Phi = _bin(stages[k + 1].parent, Phi, len(st.parent))
            code, u, d = factorize_pairs(u, d, n_dom, amap=stages[k + 1].parent)
            t = _bin(code, t, len(u))
            if s is not None:
                s = _bin(code, s, len(u))
            del code
        gcode, gh, gd = factorize_pairs(u, d, n_dom, amap=st.parent)
        G = len(gh)
        n_g = st.n_units_in[gh].astype(float)
        centre = st.center[gh]
        tbar = _bin(gcode, t, G) / n_g[:, None]
        tbar[~centre] = 0.0
        sbar = None
        if s is not None:
            sbar = _bin(gcode, s, G) / n_g[:, None]
            sbar[~centre] = 0.0
            gone = tbar + c[gd][:, None] * sbar  # an empty unit's deviation, negated
        else:
            gone = tbar
        ss = np.zeros((G, L))
        for a, b in _chunks(len(gcode)):  # sum of the centred squares, chunk by chunk
            gc = gcode[a:b]
            dev = t[a:b] - tbar[gc]
            if s is not None:
                dev = dev + c[d[a:b]][:, None] * (s[a:b] - sbar[gc])
            dev *= dev
            if len(gcode) <= CHUNK:
                ss += _bin(gc, dev, G)
            else:
                for j in range(L):
                    np.add.at(ss[:, j], gc, dev[:, j])
        empty = n_g - _count(gcode, G)
        ss += empty[:, None] * gone * gone
        coef = st.coef[gh]
        with np.errstate(invalid="ignore"):
            contrib = np.where((coef != 0)[:, None], coef[:, None] * ss, 0.0)
        var += _bin(gd, contrib, n_dom)
        if Phi is not None:
            var += _lowrank_terms(st, u, d, t, s, c, Phi, Lam, n_dom)
        del gcode
    return var


def _lowrank_terms(st, u, d, t, s, c, Phi, Lam, n_dom):
    """One stage's ``-2 Lam . X + Lam' Q Lam`` per (domain, column) (see
    :func:`cell_variance`); the cell totals are ``t`` (or ``t + c_d s``), taken chunk by
    chunk. ``Phi`` may be :class:`RowTotals` (the cells are the rows, one per unit)."""
    ns = len(st.coef)
    n_in = np.maximum(st.n_units_in, 1).astype(float)
    L = t.shape[1]
    if isinstance(Phi, RowTotals):
        return _lowrank_rows(st, u, d, t, s, c, Phi, Lam, n_dom, n_in)
    p = Phi.shape[1]
    bar = _bin(st.parent, Phi, ns) / n_in[:, None]
    bar[~st.center] = 0.0
    dev = Phi - bar[st.parent]
    cu = st.coef[st.parent]
    keep = cu != 0
    Q = (dev[keep] * cu[keep, None]).T @ dev[keep]
    X = np.zeros((L, n_dom, p))
    for a, b in _chunks(len(u)):
        ua, da = u[a:b], d[a:b]
        cc = st.coef[st.parent[ua]]
        cc = np.where(cc != 0, cc, 0.0)
        tt = t[a:b] if s is None else t[a:b] + c[da][:, None] * s[a:b]
        _add_x(X, da, dev[ua], cc, tt, len(u) <= CHUNK, n_dom)
    return _lowrank_combine(X, Q, Lam, n_dom)


def _add_x(X, da, dv, cc, tt, whole, n_dom):
    """``X[j] += sum over the chunk's cells of dev (cc t_j)`` by domain."""
    for j in range(X.shape[0]):
        x = dv * (cc * tt[:, j])[:, None]
        if whole:
            X[j] += _bin(da, x, n_dom)
        else:
            _add_rows(X[j], da, x)


def _add_rows(out, codes, x):
    """``out[codes[i]] += x[i]`` row after row (``out`` (m, p) C-contiguous, ``x`` (k, p)):
    one flat scatter-add, each (code, column) summed in row order as by ``np.bincount``."""
    p = x.shape[1]
    flat = np.multiply(codes, p, dtype=np.int64)[:, None] + np.arange(p)
    np.add.at(out.reshape(-1), flat.ravel(), x.ravel())


def _lowrank_combine(X, Q, Lam, n_dom):
    out = np.empty((n_dom, X.shape[0]))
    for j in range(X.shape[0]):
        lam = Lam[:, j, :]
        out[:, j] = -2.0 * np.einsum("dp,dp->d", lam, X[j]) + np.einsum("dp,pq,dq->d", lam, Q,
                                                                         lam)
    return out


def _lowrank_rows(st, u, d, t, s, c, Phi, Lam, n_dom, n_in):
    """:func:`_lowrank_terms` with one row per unit (cell ``i`` is row ``i``, of unit
    ``u[i]``): the units' totals ``w F`` are made chunk by chunk from the rows, never as a
    (rows x features) array; ``Q`` is summed chunk by chunk."""
    n, p = Phi.n, Phi.p
    if len(u) != n:
        raise ValueError(f"RowTotals: {n} rows but {len(u)} cells; the cells must be the rows")
    bar = np.zeros((len(st.coef), p))
    for a, b in _chunks(n, RCHUNK):
        _add_rows(bar, st.parent[u[a:b]], Phi.rows(a, b))
    bar /= n_in[:, None]
    bar[~st.center] = 0.0
    Q = np.zeros((p, p))
    X = np.zeros((t.shape[1], n_dom, p))
    for a, b in _chunks(n, RCHUNK):
        h, da = st.parent[u[a:b]], d[a:b]
        dv = Phi.rows(a, b) - bar[h]
        cu = st.coef[h]
        keep = cu != 0
        if keep.all():
            Q += (dv * cu[:, None]).T @ dv
        else:
            Q += (dv[keep] * cu[keep, None]).T @ dv[keep]
        cc = np.where(cu != 0, cu, 0.0)
        tt = t[a:b] if s is None else t[a:b] + c[da][:, None] * s[a:b]
        _add_x(X, da, dv, cc, tt, n <= CHUNK, n_dom)
    return _lowrank_combine(X, Q, Lam, n_dom)


class RowTotals:
    """The finest units' totals ``w F`` (units x features) of :func:`adjusted_parts` when
    every unit holds one row: made from the rows chunk by chunk (:meth:`rows`), never whole
    (with a million units and a few dozen features that array would be larger than the data).
    """

    def __init__(self, blocks, w):
        self.blocks, self.w = blocks, w
        self.n = len(w)
        self.p = sum(_width(b) for b in blocks)

    def rows(self, s, e):
        """``w F`` of rows ``s:e`` (e - s, p): bit for bit the unit totals of one row."""
        out = np.zeros((e - s, self.p))
        w, col = self.w[s:e], 0
        for b in self.blocks:
            if isinstance(b, Coded):
                out[np.arange(e - s), col + b.codes[s:e]] = w * b.values[s:e]
            else:
                out[:, col:col + b.shape[1]] = w[:, None] * b[s:e]
            col += _width(b)
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
    """``(P' z)`` (q, n_dom) for ``z`` holding ``v`` at (rows, dom) (``rows`` None: every row
    in order), chunk by chunk: the sums of ``np.bincount`` bit for bit, no row-sized copy."""
    coded = isinstance(P, Coded)
    out = np.zeros(P.m * n_dom) if coded else np.zeros((P.shape[1], n_dom))
    for s, e in _chunks(len(dom)):
        r = slice(s, e) if rows is None else rows[s:e]
        ds, vs = dom[s:e], v[s:e]
        if coded:
            np.add.at(out, P.codes[r] * n_dom + ds, P.values[r] * vs)
        else:
            for j in range(P.shape[1]):
                np.add.at(out[j], ds, P[r, j] * vs)
    return out.reshape(P.m, n_dom) if coded else out


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


def adjusted_parts(design, rows, dom, vals, n_dom, row_units=False):
    """``(Phi, Lam)`` of :func:`cell_variance` for the score adjusters of ``design``.

    The influence values are ``z_i = vals[i]`` (L columns) in domain ``dom[i]`` for the rows
    ``rows`` (None: every row), 0 elsewhere. With ``row_units`` (one row per unit, a one-stage
    design) ``Phi`` is a :class:`RowTotals`, made chunk by chunk where it is used. Each adjuster is ``z -> z - F_k M_k P_k' z``
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
    Lam = np.vstack(lams).T.reshape(n_dom, L, -1)
    if row_units:
        return RowTotals([b for F in feats for b in F], design.weights), Lam
    unit = design._stages[-1].unit
    M_units = len(design._stages[-1].parent)
    Phi = np.hstack([_unit_totals(b, unit, design.weights, M_units) for F in feats for b in F])
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


def presence_dfs(design, psu, dom, n_dom, distinct=False, keep=None, psu_map=None):
    """Domain df (PSUs minus strata holding the domain, R's ``degf``) from the (PSU, domain)
    pairs with a positive weight (repeats allowed unless ``distinct``): O(pairs), chunk by
    chunk (no pair-sized temporary). ``psu_map`` maps the given codes to PSUs (e.g. finest
    units to their PSU); ``keep`` (bool, optional) selects the pairs that count."""
    n = len(dom)
    if distinct:
        if keep is None:
            n_psu = np.bincount(dom, minlength=n_dom) if n <= FCHUNK else \
                _count(dom, n_dom).astype(np.int64)
        else:
            n_psu = np.zeros(n_dom, dtype=np.int64)
            for s, e in _chunks(n, FCHUNK):
                n_psu += np.bincount(dom[s:e][keep[s:e]], minlength=n_dom)
    else:
        pk = unique_keys(pair_keys(psu, dom, n_dom, psu_map, keep), n)
        n_psu = np.bincount(pk % n_dom, minlength=n_dom)
    amap = design._psu_stratum if psu_map is None else design._psu_stratum[psu_map]
    sk = unique_keys(pair_keys(psu, dom, n_dom, amap, keep), n)
    n_strata = np.bincount(sk % n_dom, minlength=n_dom)
    return (n_psu - n_strata).astype(float)


def _dense(x):
    from scipy import sparse

    return x.toarray() if sparse.issparse(x) else np.asarray(x, dtype=float)
