"""Means, totals, ratios, shares and domain comparisons of a dask design, in two passes.

The estimator and its linearised variance are those of :mod:`barotrend.design.estimators`
(``theta = sum w a / sum w b`` per domain, influence ``z = (a - theta b) / sum w b``, R's
``svymean``/``svyby``); only where the sums are taken differs:

1. **Totals.** Per domain (and level): ``sum w a``, ``sum w b``, ``sum w``, the rows and the
   missing values, grouped by the domain's *values* on each partition, added on the cluster.
   The estimates and the sorted domains come out of this pass.
2. **Spread.** With each domain's estimate sent to the workers, every row's influence
   ``z`` is formed about its own domain's estimate (so a large mean costs no digits) and
   weighted. A clustered design adds ``w z`` per non-empty (PSU, domain) cell (the cells come
   back: O(cells), whatever the rows) and the variance is
   :func:`barotrend.design.sparse.cell_variance`, the pandas path's own function. A design of
   one row per PSU would send every row back, so there each (stratum, domain) keeps its count,
   mean and centred sum of squares of the ``w z`` (merged across partitions exactly, Chan et al.
   1979), and per stratum ``h`` with ``n_h`` units, ``m`` of them in the domain,

       sum_{j in h} (T_j - Tbar)^2 = M2 + m (mean - Tbar)^2 + (n_h - m) Tbar^2,
       Tbar = m mean / n_h,

   the units outside the domain counting as zeros (``Tbar = 0`` for an ``adjust`` lonely
   stratum). A weighting step's residuals enter as in
   :func:`barotrend.design.sparse.cell_variance`'s low-rank terms: ``-2 Lam . X + Lam' Q Lam``
   with ``Lam = M P' z`` (the probes' sums per domain, pass 2).

The design effect, ``n``, ``df`` (PSUs minus strata holding the domain) and the intervals are
those of the pandas path (:func:`barotrend.design.estimators._frame` makes the rows).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, chapters 2-3 and appendix C.
Chan, T. F., Golub, G. H. and LeVeque, R. J. (1979), see :mod:`barotrend.distributed.reduce`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from barotrend.design.columns import py_scalar
from barotrend.design.sparse import cell_variance, factorize
from barotrend.distributed.parts import Domains, Influence, Spec, spread_part, totals_part
from barotrend.distributed.reduce import tree_reduce
from barotrend.results import result_frame


def _variances(design, out, recipe, n_out, adj):
    """Variances (n_out, L) and the design df per output domain."""
    st = design._stage
    L = recipe.theta.shape[1] if recipe.pair is None else 3
    total = recipe.spec.kind == "total"
    lam = None
    if adj is not None:
        lam = np.einsum("pq,dlq->dlp", adj.M, out["probe"])
    if "cells" in out:
        cells = out["cells"]
        u, dd = cells.keys // n_out, cells.keys % n_out
        t, s = cells.values[:, :L], cells.values[:, L]
        offset = (s, recipe.theta[:, 0]) if total else None
        lowrank = None if adj is None else (adj.unit_features(design), lam)
        var = cell_variance(u, dd, t, [st], n_out, offset=offset, lowrank=lowrank)
        pos = s > 0
        n_psu = np.bincount(dd[pos], minlength=n_out)
        skeys = factorize(st.parent[u[pos]] * n_out + dd[pos])[1]
        dfs = n_psu - np.bincount(skeys % n_out, minlength=n_out)
        return var, dfs.astype(float)
    mo = out["moments"]
    hh, dd = mo.keys // n_out, mo.keys % n_out
    mean, M2 = mo.mean[:, :L], mo.M2[:, :L]
    if total:  # the values are x + c w: their moments from those of x and w
        c = recipe.theta[dd, 0]
        mean = mean + c[:, None] * mo.mean[:, L:L + 1]
        M2 = M2 + (2 * c * mo.C + c * c * mo.M2[:, L])[:, None]
    n_h = st.n_units_in[hh].astype(float)
    tbar = np.where(st.center[hh, None], mo.m[:, None] * mean / n_h[:, None], 0.0)
    ss = M2 + mo.m[:, None] * (mean - tbar) ** 2 + (n_h - mo.m)[:, None] * tbar ** 2
    coef = st.coef[hh]
    contrib = np.where((coef != 0)[:, None], coef[:, None] * ss, 0.0)
    var = np.stack([np.bincount(dd, contrib[:, j], minlength=n_out) for j in range(L)], axis=1)
    if adj is not None:
        Q = adj.stratum_Q(design)
        var += -2 * np.einsum("dlp,dlp->dl", lam, out["X"]) + \
            np.einsum("dlp,pq,dlq->dl", lam, Q, lam)
    pr = out["present"]
    pos = pr.values[:, 0] > 0
    pd_ = pr.keys[pos] % n_out
    n_psu = np.bincount(pd_, pr.values[pos, 0], minlength=n_out)
    dfs = n_psu - np.bincount(pd_, minlength=n_out)
    return var, dfs


def _first_pass(design, spec):
    cols = list(dict.fromkeys([*design._coder.columns(), *spec.columns()]))
    out = tree_reduce(design.data, cols, totals_part, design._coder, spec)
    for name, col in (("a", spec.var), ("b", spec.den)):
        bad = out.get(f"inf {name}")
        if bad is not None and bad.count:
            value, row = bad.value
            arg = ("num" if spec.kind == "ratio" else "var") if name == "a" else "den"
            raise ValueError(f"{arg}: column {col!r} has an infinite value {value!r} at row "
                             f"{py_scalar(row)!r}")
    return cols, out["sums"].frame


def _check_columns(design, spec):
    cols = design.data.columns
    for arg, col in (("var", spec.var), ("den", spec.den)):
        if col is not None and (not isinstance(col, str) or col not in cols):
            raise ValueError(f"{arg}: column {col!r} is not in the data")
        if col is not None and spec.kind != "proportion" and not spec.by_level:
            dt = design.data.dtypes[col]
            if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
                raise ValueError(f"{arg}: column {col!r} is not numeric (dtype {dt}); for shares "
                                 "of its values use proportion()")
    for c in spec.by:
        if not isinstance(c, str) or c not in cols:
            raise ValueError(f"by: column {c!r} is not in the data")


def _by(by):
    if by is None:
        return ()
    if isinstance(by, str):
        return (by,)
    if isinstance(by, list | tuple) and by and all(isinstance(c, str) for c in by):
        return tuple(by)
    raise ValueError(f"by: expected a column name or list of column names, got {by!r}")


def estimate(design, kind, var, den, by, na_rm, method=None, conf_level=0.95):
    """Estimates by domain of a :class:`~barotrend.distributed.DaskDesign` (module docstring),
    in the result schema of :func:`barotrend.design.estimators.mean` and friends."""
    from barotrend.design.estimators import _frame
    from barotrend.design.intervals import METHODS

    if kind == "proportion":
        if method not in METHODS:
            raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
        if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
            raise ValueError(f"conf_level: must lie strictly between 0 and 1, got "
                             f"{conf_level!r}")
    spec = Spec(kind, var, den, _by(by))
    _check_columns(design, spec)
    cols, sums = _first_pass(design, spec)
    levels = None
    if kind == "proportion":
        lev_vals = sums.index.get_level_values(-1)
        dt = design.data.dtypes[var]
        if isinstance(dt, pd.CategoricalDtype) and dt.categories is not None and \
                "__UNKNOWN_CATEGORIES__" not in dt.categories:  # dask's mark of unknown ones
            levels = pd.Index(dt.categories)
        else:
            levels = pd.Index(lev_vals[~pd.isna(lev_vals)].unique()).sort_values()
        dom_index = sums.index.droplevel(-1).unique() if spec.by else pd.Index([0])
        per_dom = sums.groupby(level=list(range(sums.index.nlevels - 1)), dropna=False)[
            ["n", "bad"]].sum() if spec.by else sums[["n", "bad"]].sum().to_frame().T
        domains = Domains.of(dom_index if spec.by else pd.Index([0]), spec.by)
        n_dom = len(domains.index)
        S = np.zeros((n_dom, len(levels)))
        ok = ~pd.isna(lev_vals)
        dcode = np.zeros(len(sums), dtype=np.int64) if not spec.by else \
            _positions(domains.index, sums.index.droplevel(-1))
        np.add.at(S, (dcode[ok], levels.get_indexer(lev_vals[ok])), sums["W"].to_numpy()[ok])
        W = S.sum(axis=1)
        per_dom = per_dom.reindex(domains.index) if spec.by else per_dom
        n, bad = per_dom["n"].to_numpy(float), per_dom["bad"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = S / W[:, None]
        den = W
    else:
        domains = Domains.of(sums.index if spec.by else pd.Index([0]), spec.by)
        sums = sums.reindex(domains.index) if spec.by else sums
        W, Sa, Sb = (sums[c].to_numpy(float) for c in ("W", "Sa", "Sb"))
        n, bad = sums["n"].to_numpy(float), sums["bad"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = (Sa / W if kind == "total" else Sa / Sb)[:, None]
        den = np.ones_like(W) if kind == "total" else Sb
    n_dom = len(domains.index)
    L = theta.shape[1]
    missing = (bad > 0) & (not na_rm)
    recipe = Influence(spec, domains, np.where(np.isfinite(theta), theta, 0.0),
                       np.where(den != 0, den, 1.0), levels=levels)
    adj = design.score_adjuster
    out = tree_reduce(design.data, list(dict.fromkeys([*cols, *_adj_columns(adj)])),
                      spread_part, design._coder, recipe, n_dom, adj)
    var, dfs = _variances(design, out, recipe, n_dom, adj)
    # an estimate that is not a number (a domain whose denominator is 0) has no variance; the
    # recipe centred its rows at 0 only to keep the other domains' sums finite
    var[~np.isfinite(theta).all(axis=1) | ((den == 0) & (kind != "total"))] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            ss = (W[:, None] * theta * (1 - theta)) / (W[:, None] ** 2)
        else:
            ss = np.maximum(out["ss"], 0.0)[:, None]
            if kind != "total":
                ss = ss / den[:, None] ** 2
        vsrs = W[:, None] / (n[:, None] - 1) * ss
        deff = np.where(n[:, None] > 1, var / vsrs, np.nan)
        est = theta[:, 0] * W if kind == "total" else theta
    res = {"theta": np.asarray(est, dtype=float).reshape(-1), "var": var.reshape(-1),
           "deff": deff.reshape(-1), "n": np.repeat(n, L), "df": np.repeat(dfs, L),
           "missing": np.repeat(missing, L)}
    item = f"{spec.var}/{spec.den}" if kind == "ratio" else spec.var
    return _frame(design, domains.labels, item, res,
                  levels=None if levels is None else levels.tolist(),
                  method=method if kind == "proportion" else None, conf_level=conf_level)


def _positions(index, keys):
    if isinstance(index, pd.MultiIndex):
        return index.get_indexer(keys)
    return index.get_indexer(keys.get_level_values(0) if isinstance(keys, pd.MultiIndex)
                             else keys)


def _adj_columns(adj):
    return [] if adj is None else list(adj.columns)


def compare(design, var, by, a, b, *, level=None, conf_level=0.95, df=None):
    """Difference ``a - b`` of two domains' means (or shares of ``var == level``) of a dask
    design, as :func:`barotrend.design.contrasts.compare`: ``se^2 = V_aa + V_bb - 2 V_ab``,
    the three from one pass (the variances of the totals of ``w z_a``, ``w z_b`` and
    ``w (z_a - z_b)``, ``V_ab`` by polarisation), ``t = d / se`` on the design df."""
    from barotrend.design.contrasts import _label

    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    spec = Spec("mean", var, None, _by(by), level, level is not None)
    if not isinstance(var, str) or var not in design.data.columns:
        raise ValueError(f"var: column {var!r} not found in the design data")
    _check_columns(design, spec)
    cols, sums = _first_pass(design, spec)
    domains = Domains.of(sums.index, spec.by)
    sums = sums.reindex(domains.index)
    codes = []
    for name, lev in (("a", a), ("b", b)):
        key = lev if isinstance(lev, tuple) else (lev,)
        if len(key) != len(spec.by):
            raise ValueError(f"{name}: expected {len(spec.by)} value(s) for by={by!r}, got "
                             f"{lev!r}")
        hit = [k for k, (_, vals) in enumerate(domains.labels)
               if tuple(vals.values()) == tuple(py_scalar(v) for v in key)]
        if not hit:
            raise ValueError(f"{name}: domain {lev!r} does not occur in {by!r}")
        codes.append(hit[0])
    if codes[0] == codes[1]:
        raise ValueError(f"b: domain {b!r} is the same as domain a {a!r}")
    Sa, Sb = (sums[c].to_numpy(float) for c in ("Sa", "Sb"))
    rows = sums["n"].to_numpy(float)
    for name, lev, k in (("a", a, codes[0]), ("b", b, codes[1])):
        if not Sb[k] > 0:
            raise ValueError(f"{name}: domain {lev!r} has no non-missing {var!r}")
    theta = (Sa / np.where(Sb != 0, Sb, 1.0))[:, None]
    recipe = Influence(spec, domains, theta, np.where(Sb != 0, Sb, 1.0), pair=tuple(codes))
    adj = design.score_adjuster
    out = tree_reduce(design.data, list(dict.fromkeys([*cols, *_adj_columns(adj)])),
                      spread_part, design._coder, recipe, 1, adj)
    v, _ = _variances(design, out, recipe, 1, adj)
    va, vb, vd = v[0]
    diff = float(theta[codes[0], 0] - theta[codes[1], 0])
    se = float(np.sqrt(vd))
    dfv = float(design.df if df is None else df)
    if not dfv > 0:
        raise ValueError(f"df: must be positive, got {dfv!r}")
    q = stats.t.ppf(0.5 + conf_level / 2, dfv)
    t = diff / se if se > 0 else np.nan
    na, nb = int(rows[codes[0]]), int(rows[codes[1]])
    item = var if level is None else f"{var} = {level}"
    row = {"item": item, "group": f"{_label(a)} - {_label(b)}",
           "estimate_a": float(theta[codes[0], 0]), "estimate_b": float(theta[codes[1], 0]),
           "difference": diff, "se": se, "ci_low": diff - q * se, "ci_high": diff + q * se,
           "df": dfv, "statistic": t, "p_value": 2 * stats.t.sf(abs(t), dfv), "n": na + nb,
           "method": "domain contrast (t)", "note": "linearised domain variance",
           "se_a": float(np.sqrt(va)), "se_b": float(np.sqrt(vb)),
           "cov_ab": float((va + vb - vd) / 2), "n_a": na, "n_b": nb}
    return result_frame([row])
