"""Replicate estimates by domain in one pass: O(rows x replicates), no domain factor.

The domain estimators of a replicate design need, per replicate ``r`` and cell ``k``
(a domain, or a domain x level), totals

    T_rk = sum_i w_ri I(k_i = k) v_i

of a row value ``v`` (a residual, a denominator, 1). Two representations of ``w_ri``:

* **factors** (designs converted by ``Design.replicate``: JK1, JKn, BRR/Fay, the bootstraps):
  ``w_ri = f[p_i, r] w_i`` with ``p_i`` the row's PSU. Then ``T_rk = sum_p f[p, r] C_pk`` with
  ``C_pk = sum_{i in p, k_i = k} w_i v_i`` the (PSU, cell) totals: one bincount pass over the
  rows, then a product of the non-empty (PSU, cell) totals with the (PSUs x replicates)
  factors, O(rows + non-empty cells x replicates). No (rows x replicates) array is formed.
  JK1 keeps only which PSU each replicate deletes
  (:class:`barotrend.design.replicate.DropOne`): ``T_rk = c sum_{p != p_r} C_pk``, a prefix
  plus a suffix sum over the PSUs, O(rows + PSUs x cells), never a PSUs x PSUs matrix.
* **weights** (supplied replicate weights, or weights replaced by a weighting step): one
  product of a sparse (rows x cells) indicator, one entry per row and total, with the (rows x
  replicates) weights, one read of that array for all the totals.

Both add the same terms (non-negative weights times the row values); only the order of the
additions differs. Estimates are returned as ``theta_r - theta`` where that keeps digits (the
module docstring of :mod:`barotrend.design.cells`).

Variances: only the diagonal, ``V_k = scale sum_r rscales_r (theta_rk - c_k)^2`` with ``c_k``
the mean of cell ``k``'s replicates with ``rscales > 0`` (two-pass, as
:func:`barotrend.design.replicate.replicate_vcov`) or, with ``mse``, the full-sample estimate:
O(cells x replicates), no cells x cells matrix. A replicate whose estimate of a cell is NaN
(its domain has no weight in that replicate) is dropped **for that cell only**, with a
warning: R's ``svyby`` calls ``svrVar`` once per domain, whose ``na.action`` (``na.omit``)
drops the NA replicates of that domain ("k replicates gave NA results and were discarded").
As ``na.omit``, an infinite estimate is not dropped (it makes the variance infinite or NaN).

Degrees of freedom of a domain (R's ``degf`` of the subset: the rank of its replicate factors
minus one): from the factors of the PSUs the domain holds (JK1: their number minus one), or,
with (rows x replicates) weights, from one row per factor pattern the domain holds.

References
----------
R package ``survey`` (Lumley): ``svrVar``, ``svyby``, ``svymean.svyrep.design``.
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., ch. 4. Springer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import sparse, special

from barotrend.design.replicate import DropOne, _rank_df, psu_structure, replicate_rank_df


def _psu_cells(psu, cols, P, k):
    """Coding of the (PSU, cell) pairs of the rows: ``(code, n_codes, keys)``, dense
    ``code = col * P + psu`` (``keys`` None) when ``P k`` is at most the rows, else the
    non-empty pairs by hashing (``keys = col * P + psu`` of each code)."""
    key = cols.astype(np.int64) * P + psu
    if P * k <= max(len(psu), 1 << 16):
        return key, P * k, None
    code, keys = pd.factorize(key)
    return code, len(keys), keys


def _drop_one_totals(c, keys, fac, P, k):
    """JK1 (:class:`barotrend.design.replicate.DropOne`): replicate ``r`` totals ``c_f``
    times the sum of the cells of every PSU but the deleted one, as a prefix sum plus a
    suffix sum over the PSUs, O(PSUs x k). Not ``total - cell``: a sum of the other PSUs
    keeps what holds PSU by PSU exactly (all zero: exactly 0; numerator = denominator in each
    PSU: a share of exactly 1), as the general path does."""
    if keys is None:
        C = c.reshape(k, P).T
    else:
        C = np.zeros((P, k))
        C[keys % P, keys // P] = c
    before = np.zeros((P, k))
    np.cumsum(C[:-1], axis=0, out=before[1:])
    after = np.zeros((P, k))
    np.cumsum(C[:0:-1], axis=0, out=after[-2::-1])
    return fac.c * (before + after)[fac.order]


def _factor_totals(code, n_codes, keys, x, fac, P, k):
    """(R, k) totals ``sum_p fac[p, r] C_pk`` from the rows' (PSU, cell) codes and values."""
    c = np.bincount(code, x, minlength=n_codes)
    if isinstance(fac, DropOne):
        return _drop_one_totals(c, keys, fac, P, k)
    if keys is None:
        c = c.reshape(k, P)
        if np.count_nonzero(c) > 0.25 * c.size:
            return (c @ fac).T
        cols, psu = np.nonzero(c)
        c = c[cols, psu]
    else:
        cols, psu = keys // P, keys % P
    m = sparse.csr_array((c, (cols, psu)), shape=(k, P))
    return np.asarray(m @ fac).T


def replicate_totals(design, rows, specs):
    """Per-replicate totals over the rows ``rows`` (ascending, distinct) of a replicate design.

    ``specs`` is a list of ``(cols, values, k)``: integer cell codes in ``0..k-1`` and values
    (None for 1) of the rows ``rows``. Returns one (R, k) array per spec, entry ``(r, c)`` the
    sum of ``w_ri values_i`` over the rows with ``cols_i = c``.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"psu": [1, 1, 2, 3], "g": [0, 1, 0, 1], "y": [1.0, 2, 3, 4]})
    >>> d = Design(df, cluster="psu").replicate("JK1")
    >>> rows = np.arange(4)
    >>> replicate_totals(d, rows, [(df["g"].to_numpy(), df["y"].to_numpy(), 2)])[0]
    array([[4.5, 6. ],
           [1.5, 9. ],
           [6. , 3. ]])
    """
    structure = psu_structure(design)
    if structure is not None:
        fac, psu, w0 = structure
        P = fac.shape[0]
        p, w = (psu, w0) if len(rows) == len(psu) else (psu[rows], w0[rows])  # all: no copy
        out, coded = [], {}
        for cols, vals, k in specs:
            key = (id(cols), k)
            if key not in coded:
                coded[key] = _psu_cells(p, cols, P, k)
            code, n_codes, keys = coded[key]
            x = w if vals is None else w * vals
            out.append(_factor_totals(code, n_codes, keys, x, fac, P, k))
        return out
    W = design.replicate_weights
    n = W.shape[0]
    ks = [k for _, _, k in specs]
    offsets = np.concatenate([[0], np.cumsum(ks)])
    # CSR built directly: row i of ``rows`` holds one entry per spec (rows ascending)
    m = len(specs)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[np.asarray(rows) + 1] = m
    np.cumsum(indptr, out=indptr)
    c_idx = np.stack([np.asarray(c, dtype=np.int64) + o
                      for (c, _, _), o in zip(specs, offsets, strict=False)], axis=1).ravel()
    v = np.stack([np.ones(len(rows)) if vals is None else np.asarray(vals, dtype=float)
                  for _, vals, _ in specs], axis=1).ravel()
    ind = sparse.csr_array((v, c_idx, indptr), shape=(n, int(offsets[-1])))
    t = np.asarray(ind.T @ W).T  # (R, sum k): one read of W
    return [t[:, offsets[j]:offsets[j + 1]] for j in range(len(specs))]


def _full_totals(design, rows, cols, vals, k):
    """The same totals with the full-sample weights (k,)."""
    w = design.weights[rows]
    return np.bincount(cols, w if vals is None else w * vals, minlength=k).astype(float)


def replicate_variances(design, thetas, full=None):
    """Variances (K,) of K estimates from their replicate values ``thetas`` (R, K):
    ``scale sum_r rscales_r (theta_rk - c_k)^2`` (module docstring), NaN replicates dropped
    per estimate with a warning. ``full`` (K,) is the full-sample value of the same quantity,
    the centre when the design has ``mse``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> d = SimpleNamespace(rscales=np.ones(3), scale=0.5, mse=False)
    >>> with warnings.catch_warnings(record=True) as caught:  # the NaN: dropped, with a warning
    ...     v = replicate_variances(d, np.array([[1.0, 2.0], [3.0, np.nan], [5.0, 4.0]]))
    >>> v, len(caught)
    (array([4., 1.]), 1)
    """
    thetas = np.asarray(thetas, dtype=float)
    rscales = np.asarray(design.rscales, dtype=float)
    nan = np.isnan(thetas)
    kept = ~nan
    if design.mse:
        centre = np.asarray(full, dtype=float).reshape(-1)
    else:
        used = kept & (rscales > 0)[:, None]
        n_used = used.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(used, thetas, 0.0)
            centre = x.sum(axis=0) / n_used
            # R's two-pass mean: equal replicate estimates give exactly zero variance
            centre = centre + np.where(used, thetas - centre, 0.0).sum(axis=0) / n_used
    dev = np.where(kept, thetas - centre, 0.0)
    v = design.scale * (rscales @ (dev * dev))
    n_kept = kept.sum(axis=0)
    v = np.where(n_kept > 0, v, np.nan)
    dropped = nan.sum(axis=0)
    lost = (dropped > 0) & (n_kept > 0)
    if lost.any():
        warnings.warn(f"{int(dropped[lost].max())} replicates gave NaN results and were "
                      f"discarded (per estimate, as R's svyby does per domain: "
                      f"{int(lost.sum())} of {thetas.shape[1]} estimates)", stacklevel=4)
    return v


def ratio_variances(design, rows, cols, r, b, K):
    """Variances (K,) of the domain ratios ``sum w a / sum w b`` (``b`` None: means) from the
    rows' residuals ``r = a - theta_k b``: the replicate estimates minus the full-sample ones
    are ``sum w_r r / sum w_r b`` (the digits are kept)."""
    num, den = replicate_totals(design, rows, [(cols, r, K), (cols, b, K)])
    with np.errstate(divide="ignore", invalid="ignore"):
        d = num / den
        full = _full_totals(design, rows, cols, r, K) / _full_totals(design, rows, cols, b, K) \
            if design.mse else None
    return replicate_variances(design, d, full)


def total_variances(design, rows, cols, r, centre, K):
    """Variances (K,) of the domain totals of ``w (r + centre_k)`` (``r`` a residual about
    the domain's centre): ``theta_r - theta`` as the replicate change of the totals of ``w r``
    plus ``centre`` times that of the totals of ``w``."""
    tr, tw = replicate_totals(design, rows, [(cols, r, K), (cols, None, K)])
    d = (tr - _full_totals(design, rows, cols, r, K)) + \
        centre * (tw - _full_totals(design, rows, cols, None, K))
    return replicate_variances(design, d, np.zeros(K))


def share_variances(design, rows, cell, dom, K, n_lev, logit=False):
    """Variances (K,) of the level shares of each domain (cells ``cell`` in ``0..K-1``,
    domains ``dom``), and with ``logit`` those of ``logit(share)`` (R's ``svyciprop``
    refits ``logit(p)`` on every replicate), else None."""
    num, den = replicate_totals(design, rows, [(cell, None, K), (dom, None, K // n_lev)])
    fnum = _full_totals(design, rows, cell, None, K) if design.mse else None
    fden = _full_totals(design, rows, dom, None, K // n_lev) if design.mse else None
    with np.errstate(divide="ignore", invalid="ignore"):
        p = num / np.repeat(den, n_lev, axis=1)
        fp = fnum / np.repeat(fden, n_lev) if design.mse else None
        var = replicate_variances(design, p, fp)
        if not logit:
            return var, None
        return var, replicate_variances(design, special.logit(p),
                                        special.logit(fp) if design.mse else None)


def structured_dfs(design, g, n_dom):
    """Each domain's degrees of freedom (rank of its replicate factors minus one, R's
    ``degf`` of the subset) from the PSU factors, or None for designs without them. The rows
    of a PSU share its factors, so a domain's rank is that of the factors of the PSUs it
    holds (rows with non-zero weight; repeated rows leave a rank as it is); domains holding
    the same PSUs share one rank."""
    structure = psu_structure(design)
    if structure is None or structure[2] is not design.weights:
        return None
    fac, psu, w = structure
    P = fac.shape[0]
    inset = (g >= 0) & (w != 0)
    key = (g if inset.all() else g[inset]).astype(np.int64) * P + \
        (psu if inset.all() else psu[inset])
    if n_dom * P <= max(len(g), 1 << 16):
        present = np.zeros(n_dom * P, dtype=bool)
        present[key] = True
        keys = np.flatnonzero(present)
    else:  # the distinct (domain, PSU) pairs by hashing, then sorted (few)
        keys = np.sort(pd.unique(key))
    dom, held = keys // P, keys % P
    bounds = np.searchsorted(dom, np.arange(n_dom + 1))
    if isinstance(fac, DropOne):  # s PSUs have rank s (DropOne); no row: 0
        held_n = np.diff(bounds)
        return np.where(held_n > 0, held_n - 1, 0).astype(float)
    out = np.zeros(n_dom)
    ranks = {}
    for d in range(n_dom):
        h = held[bounds[d]:bounds[d + 1]]
        if not len(h):
            continue  # no row: rank 0 (R's degf of an empty subset), as the general path
        sig = h.tobytes()
        if sig not in ranks:
            m = fac[h]
            ranks[sig] = int(bool(m.any())) - 1 if len(h) == 1 else _rank_df(m)
        out[d] = ranks[sig]
    return out


def pattern_dfs(design, g, n_dom):
    """Each domain's degrees of freedom from (rows x replicates) weights (the general path):
    the rows' factor patterns are coded once (two random projections of the factors, rounded
    to 1e-10 relative, so that the rows of one PSU share a code; hash passes, no sort of the
    rows), and each domain's rank is taken over one row per pattern it holds, not over all its
    rows. Rows that differ only by rounding (one pattern split in two) repeat a row, which
    leaves the rank as it is; domains holding the same patterns share one rank."""
    rw, w = design.replicate_weights, design.weights
    rows = np.flatnonzero((g >= 0) & (w != 0))
    out = np.zeros(n_dom)
    if not len(rows):
        return out
    probe = np.random.default_rng(0).standard_normal((rw.shape[1], 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        # the factors' projections (to rounding); two matrix-vector products: a product
        # with a (R, 2) matrix is several times slower on a (rows x replicates) array
        h = (np.stack([rw @ probe[:, 0], rw @ probe[:, 1]], axis=1) / w[:, None])[rows]
    scale = np.abs(h).max(axis=0)
    q = np.round(h / np.where(scale > 0, scale, 1.0) * 1e10)
    pattern = pd.factorize(q[:, 0] + 1j * q[:, 1])[0].astype(np.int64)
    n_pat = int(pattern.max()) + 1
    code, keys = pd.factorize(g[rows].astype(np.int64) * n_pat + pattern)
    rep = np.empty(len(keys), dtype=np.int64)
    rep[code] = rows  # a row of each (domain, pattern) pair: any one (they are the same)
    order = np.argsort(keys)
    keys, rep = keys[order], rep[order]
    bounds = np.searchsorted(keys // n_pat, np.arange(n_dom + 1))
    ranks = {}
    for d in range(n_dom):
        s, e = bounds[d], bounds[d + 1]
        if s == e:
            continue  # no row: 0, as the rank of no replicate weights
        sig = (keys[s:e] % n_pat).tobytes()
        if sig not in ranks:
            ranks[sig] = replicate_rank_df(rw[rep[s:e]], w[rep[s:e]])
        out[d] = ranks[sig]
    return out


def replicate_domain_dfs(design, g, n_dom):
    """Each domain's rank of its replicate factors (replicate weights / weight) minus one
    (R's ``degf`` of the subset, as :meth:`Design.domain_df`): from the PSU factors
    (:func:`structured_dfs`) or from the (rows x replicates) weights (:func:`pattern_dfs`)."""
    out = structured_dfs(design, g, n_dom)
    return pattern_dfs(design, g, n_dom) if out is None else out
