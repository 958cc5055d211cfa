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
    return codes.astype(np.int64, copy=False), np.asarray(uniq, dtype=np.int64)


def _bin(codes, x, m):
    """Column sums of ``x`` (C, L) within ``codes`` into ``m`` groups."""
    if x.shape[1] == 1:
        return np.bincount(codes, x[:, 0], minlength=m)[:, None]
    return np.stack([np.bincount(codes, x[:, j], minlength=m) for j in range(x.shape[1])],
                    axis=1)


def cell_variance(unit, dom, t, stages, n_dom, offset=None):
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
    for k in range(len(stages) - 1, -1, -1):
        st = stages[k]
        if k < len(stages) - 1:  # this stage's units: the strata of the stage below
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
    return var


def presence_dfs(design, psu, dom, n_dom):
    """Domain df (PSUs minus strata holding the domain, R's ``degf``) from the (PSU, domain)
    pairs with a positive weight (repeats allowed): O(pairs)."""
    pkeys = np.unique(psu * n_dom + dom)
    n_psu = np.bincount(pkeys % n_dom, minlength=n_dom)
    skeys = np.unique(design._psu_stratum[pkeys // n_dom] * n_dom + pkeys % n_dom)
    n_strata = np.bincount(skeys % n_dom, minlength=n_dom)
    return (n_psu - n_strata).astype(float)
