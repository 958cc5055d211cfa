"""What runs on the workers: one partition in, a few small arrays out.

Every function here maps a pandas partition (and small tables shipped with it) to partial sums
of :mod:`barotrend.distributed.reduce`; every class is a recipe pickled to the workers. The
module imports only numpy and pandas, so a fresh worker is ready at once; the algebra that
turns the sums into estimates stays on the caller's side
(:mod:`barotrend.distributed.estimate`, :mod:`barotrend.distributed.weighting`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from barotrend.design.columns import py_scalar
from barotrend.distributed.reduce import First, Keyed, Moments, Valued
from barotrend.distributed.rows import lookup, stratum_values


@dataclass(frozen=True)
class Spec:
    """What is estimated: ``kind`` (mean, total, ratio, proportion), the columns, the domains."""

    kind: str
    var: str
    den: str | None
    by: tuple
    level: object = None  # compare: the share of var == level (when by_level)
    by_level: bool = False  # (a flag, not a sentinel object: the spec is pickled to workers)

    def columns(self):
        return [c for c in (self.var, self.den, *self.by) if c]


def _numbers(part, col):
    """A numeric or boolean column as floats, NaN where missing."""
    return part[col].to_numpy(dtype=float, na_value=np.nan)


def _values(part, spec):
    """Numerator ``a`` and denominator ``b`` (None: 1) of each row, NaN when missing."""
    if spec.kind == "proportion":
        return None, None
    if spec.by_level:
        col = part[spec.var]
        hit = (col == spec.level).to_numpy(dtype=bool, na_value=False)
        return np.where(col.isna().to_numpy(), np.nan, hit.astype(float)), None
    a = _numbers(part, spec.var)
    b = _numbers(part, spec.den) if spec.kind == "ratio" else None
    return a, b


def domain_frame(part, by):
    """The ``by`` values of each row; a row missing any of them has all of them missing (the
    "NA" domain, as R's ``svyby``)."""
    if not by:
        return pd.DataFrame({"_all": np.zeros(len(part), dtype=np.int64)}, index=part.index)
    frame = part[list(by)].copy()
    if len(by) > 1:
        miss = frame.isna().any(axis=1).to_numpy()
        if miss.any():
            frame = frame.astype(object)
            frame.loc[miss, :] = None
    return frame


def totals_part(part, coder, spec):
    """Pass 1 on one partition: sums per domain (and level) by value."""
    h = coder.stratum(part)
    w = coder.weights_of(part, h)
    keys = domain_frame(part, spec.by)
    out = {}
    if spec.kind == "proportion":
        lev = part[spec.var]
        ok = lev.notna().to_numpy()
        frame = keys.copy()
        frame["_lev"] = lev.to_numpy()
        frame["W"] = np.where(ok, w, 0.0)
        frame["n"] = (ok & (w != 0)).astype(float)
        frame["bad"] = (~ok).astype(float)
        cols = [*keys.columns, "_lev"]
        g = frame.groupby(cols, dropna=False, sort=False, observed=True)[["W", "n", "bad"]].sum()
        out["sums"] = Valued(g, ("sum",) * 3)
        return out
    a, b = _values(part, spec)
    for name, x in (("a", a), ("b", b)):
        inf = np.isinf(x) if x is not None else np.zeros(len(part), dtype=bool)
        i = int(np.argmax(inf)) if inf.any() else None
        out[f"inf {name}"] = First(int(inf.sum()), None if i is None else
                                   (float(x[i]), part.index[i]))
    ok = ~np.isnan(a) if b is None else ~(np.isnan(a) | np.isnan(b))
    frame = keys.copy()
    wv = np.where(ok, w, 0.0)
    frame["W"] = wv
    frame["Sa"] = wv * np.where(ok, a, 0.0)  # wv is 0 where a or b is missing
    frame["Sb"] = wv if b is None else wv * np.where(ok, b, 0.0)
    frame["n"] = (ok & (w != 0)).astype(float)
    frame["bad"] = (~ok).astype(float)
    g = frame.groupby(list(keys.columns), dropna=False, sort=False, observed=True)[
        ["W", "Sa", "Sb", "n", "bad"]].sum()
    out["sums"] = Valued(g, ("sum",) * 5)
    return out


@dataclass(frozen=True)
class Domains:
    """The sorted domains of a pass-1 result and their labels (as the pandas path)."""

    index: pd.Index
    labels: list
    na_code: int  # code of the "NA" domain, -1 if none

    @classmethod
    def of(cls, index, by):
        index = index.sort_values(na_position="last") if len(index) else index
        labels, na_code = [], -1
        for k, values in enumerate(index.tolist()):
            values = values if isinstance(values, tuple) else (values,)
            values = tuple(None if _isna(v) else py_scalar(v) for v in values)
            if not by:
                labels.append(("", {}))
            elif values[0] is None:
                labels.append(("NA", dict.fromkeys(by)))
                na_code = k
            elif len(by) == 1:
                labels.append((str(values[0]), {by[0]: values[0]}))
            else:
                labels.append((", ".join(f"{c}={v}" for c, v in zip(by, values, strict=True)),
                               dict(zip(by, values, strict=True))))
        return cls(index, labels, na_code)

    def codes(self, part, by):
        keys = domain_frame(part, by)
        cols = [keys[c] for c in keys.columns]
        code = lookup(self.index, cols if isinstance(self.index, pd.MultiIndex) else cols[0])
        if self.na_code >= 0:
            code = np.where(keys.isna().any(axis=1).to_numpy(), self.na_code, code)
        return code


def _isna(v):
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Influence:
    """Pass 2's recipe of every row's influence values (L columns) and output domain."""

    spec: Spec
    domains: Domains
    theta: np.ndarray  # (n_dom, L) estimates (a total: its domain mean, the centre)
    den: np.ndarray  # (n_dom,) sum w b (1 for a total)
    levels: pd.Index | None = None
    pair: tuple | None = None  # compare: the domain codes of a and b

    def rows(self, part, w):
        """``(dom, z, r)``: output domain (-1 none), influence (n, L), residual for deff."""
        spec = self.spec
        d = self.domains.codes(part, spec.by)
        if spec.kind == "proportion":
            lev = self.levels.get_indexer(part[spec.var])
            ok = (lev >= 0) & (d >= 0)
            dd = np.where(ok, d, 0)
            ind = (lev[:, None] == np.arange(len(self.levels))[None, :]).astype(float)
            z = (ind - self.theta[dd]) / self.den[dd, None]
            return np.where(ok, d, -1), np.where(ok[:, None], z, 0.0), None
        a, b = _values(part, spec)
        ok = (~np.isnan(a) if b is None else ~(np.isnan(a) | np.isnan(b))) & (d >= 0)
        dd = np.where(ok, d, 0)
        aa = np.where(ok, a, 0.0)
        bb = 1.0 if b is None or spec.kind == "total" else np.where(ok, b, 0.0)
        r = np.where(ok, aa - self.theta[dd, 0] * bb, 0.0)
        if self.pair is not None:  # columns: a alone, b alone, a - b
            ia, ib = ok & (d == self.pair[0]), ok & (d == self.pair[1])
            z = np.where(ok, r / self.den[dd], 0.0)
            za, zb = np.where(ia, z, 0.0), np.where(ib, z, 0.0)
            return np.where(ia | ib, 0, -1), np.column_stack([za, zb, za - zb]), None
        z = r if spec.kind == "total" else r / self.den[dd]
        return np.where(ok, d, -1), z[:, None], r


def spread_part(part, coder, recipe, n_out, adj):
    """Pass 2 on one partition: the cells (clustered) or per-(stratum, domain) moments of
    ``w z``, the design effect's sums and the weighting step's probe sums."""
    h = coder.stratum(part)
    w = coder.weights_of(part, h)
    d, z, r = recipe.rows(part, w)
    keep = d >= 0
    out = {}
    L = z.shape[1]
    x = w[:, None] * z
    # the weights ride along: a cell's weight total gives its presence (df) and, for a total,
    # the offset s of the unit totals t + c s (w (y - c) and w kept apart, the digits kept)
    vals = np.column_stack([x, w])
    if coder.unit_index is not None:
        j = coder.unit(part, h)
        out["cells"] = Keyed.of(j[keep] * n_out + d[keep], vals[keep])
    else:
        key = h[keep] * n_out + d[keep]
        out["moments"] = Moments.of(key, vals[keep])
        out["present"] = Keyed.of(key, (w[keep] != 0).astype(float))
    if r is not None:
        out["ss"] = np.bincount(d[keep], w[keep] * r[keep] ** 2, minlength=n_out)
    if adj is not None:
        zf = z
        if recipe.spec.kind == "total":
            zf = z + recipe.theta[np.where(keep, d, 0), :1]
            x = w[:, None] * zf
        P = adj.probes(part, coder, h)
        probe = np.zeros((n_out, L, P.shape[1]))
        np.add.at(probe, d[keep], zf[keep][:, :, None] * P[keep][:, None, :])
        out["probe"] = probe
        if coder.unit_index is None:
            G = adj.centred_features(part, coder, h, w)
            X = np.zeros((n_out, L, G.shape[1]))
            np.add.at(X, d[keep], x[keep][:, :, None] * G[keep][:, None, :])
            out["X"] = X
    return out


def cell_part(part, coder, cols):
    h = coder.stratum(part)
    w = coder.weights_of(part, h)
    out = {}
    for c in cols:
        miss = part[c].isna().to_numpy()
        i = int(np.argmax(miss)) if miss.any() else None
        out[f"missing {c}"] = First(int(miss.sum()), None if i is None else part.index[i])
    frame = part[list(cols)].copy()
    frame["W"] = w
    frame["n"] = 1.0
    g = frame.groupby(list(cols), sort=False, dropna=True, observed=True)[["W", "n"]].sum()
    out["cells"] = Valued(g, ("sum", "sum"))
    return out


@dataclass(frozen=True)
class CellFactor:
    """A weighting step's factor of each joint cell: ``factor(part, w)`` looks up the row's."""

    columns: tuple
    index: pd.Index
    g: np.ndarray

    def cell(self, part):
        keys = [part[c] for c in self.columns]
        code = lookup(self.index, keys if isinstance(self.index, pd.MultiIndex) else keys[0])
        if (code < 0).any():  # a category the design's build did not see: cannot happen
            raise ValueError(f"a row's cell of {self.columns!r} is not in the weighting table")
        return code

    def factor(self, part, w):
        return self.g[self.cell(part)]


@dataclass(frozen=True)
class LinearFactor:
    """``g = 1 + x' lambda`` of a linear calibration (``intercept``: x holds a 1 first)."""

    columns: tuple
    lam: np.ndarray
    intercept: bool

    def x(self, part):
        cols = [part[c].to_numpy(dtype=float, na_value=np.nan) for c in self.columns]
        if self.intercept:
            cols.insert(0, np.ones(len(part)))
        return np.column_stack(cols)

    def factor(self, part, w):
        return 1.0 + self.x(part) @ self.lam


@dataclass(frozen=True)
class Adjuster:
    """The variance adjuster ``z -> z - F M P' z`` of the one weighting step: per-row
    features ``F`` and probes ``P`` from a cell table (``Fc``, ``Pc``, looked up by the row's
    cell) or the calibration's ``x``, probes times the weights before the step when
    ``scale_probes``. After :func:`prepare`, ``G`` (features centred per stratum, times the
    stratum's coefficient) for one-row-per-PSU designs, ``Phi`` (PSU totals of ``w F``) and
    ``Q`` for the variance."""

    step: object
    Fc: np.ndarray | None
    Pc: np.ndarray | None
    M: np.ndarray
    scale_probes: bool
    Phibar: np.ndarray | None = None
    coef: np.ndarray | None = None
    Phi: np.ndarray | None = None
    Q: np.ndarray | None = None

    @property
    def columns(self):
        return self.step.columns

    def _features(self, part):
        if self.Fc is None:
            x = self.step.x(part)
            return x, x
        c = self.step.cell(part)
        return self.Fc[c], self.Pc[c]

    def features(self, part, coder, h):
        return self._features(part)[0]

    def probes(self, part, coder, h):
        P = self._features(part)[1]
        if self.scale_probes:
            P = P * coder.weights_of(part, h, upto=len(coder.factors) - 1)[:, None]
        return P

    def centred_features(self, part, coder, h, w):
        """``coef_h (w F - mean_h(w F))`` per row (one row per PSU)."""
        dev = w[:, None] * self.features(part, coder, h) - self.Phibar[h]
        c = self.coef[h]
        return np.where((c != 0)[:, None], c[:, None] * dev, 0.0)

    def unit_features(self, design):
        return self.Phi

    def stratum_Q(self, design):
        return self.Q


def unit_part(part, coder, adj):
    h = coder.stratum(part)
    w = coder.weights_of(part, h)
    wF = w[:, None] * adj.features(part, coder, h)
    if coder.unit_index is not None:
        return {"Phi": Keyed.of(coder.unit(part, h), wF)}
    n_h = len(coder.strata_index)
    return {"S": np.stack([np.bincount(h, wF[:, j], minlength=n_h)
                           for j in range(wF.shape[1])], axis=1)}


def q_part(part, coder, adj):
    h = coder.stratum(part)
    w = coder.weights_of(part, h)
    dev = w[:, None] * adj.features(part, coder, h) - adj.Phibar[h]
    c = np.where(adj.coef[h] != 0, adj.coef[h], 0.0)
    return {"Q": (dev * c[:, None]).T @ dev}


def xtx_part(part, coder, step):
    h = coder.stratum(part)
    w = coder.weights_of(part, h)
    X = step.x(part)
    bad = ~np.isfinite(X).all(axis=1)
    i = int(np.argmax(bad)) if bad.any() else None
    return {"XtWX": (X * w[:, None]).T @ np.where(bad[:, None], 0.0, X),
            "Xtw": np.where(bad[:, None], 0.0, X).T @ w,
            "bad": First(int(bad.sum()), None if i is None else part.index[i])}


def calibration_check_part(part, coder, step):
    h = coder.stratum(part)
    w = coder.weights_of(part, h)
    X = step.x(part)
    g = step.factor(part, w)
    return {"XtW": X.T @ (w * g), "negative": np.array([float((g < 0).sum())])}


def build_part(part, weights, strata, cluster, fpc):
    """One partition's part of the design build (validation and unit counts)."""
    out = {"rows": np.array([len(part)])}
    if weights:
        w = part[weights].to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(w) | (w <= 0)
        i = int(np.argmax(bad)) if bad.any() else None
        out["bad weight"] = First(int(bad.sum()),
                                  None if i is None else (float(w[i]), part.index[i]))
    s = stratum_values(part, strata)
    keys = [s] if not cluster else [s, part[cluster]]
    missing = np.zeros(len(part), dtype=bool)
    for k in keys:
        missing |= k.isna().to_numpy()
    i = int(np.argmax(missing)) if missing.any() else None
    out["missing"] = First(int(missing.sum()), None if i is None else (
        [c for c, k in zip((strata, cluster), keys, strict=False) if pd.isna(k.iloc[i])][0],
        part.index[i]))
    frame = pd.DataFrame({"rows": np.ones(len(part))})
    for j, k in enumerate(keys):
        frame[f"k{j}"] = k.to_numpy()
    cols = [f"k{j}" for j in range(len(keys))]
    units = frame[~missing].groupby(cols, sort=False)["rows"].sum().to_frame()
    out["units"] = Valued(units, ("sum",))
    if fpc:
        v = part[fpc].to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v) | (v <= 0)
        i = int(np.argmax(bad)) if bad.any() else None
        out["bad fpc"] = First(int(bad.sum()), None if i is None else (float(v[i]),
                                                                       part.index[i]))
        f = pd.DataFrame({"k0": s.to_numpy(), "lo": v, "hi": v})[~missing & ~bad]
        out["fpc"] = Valued(f.groupby("k0", sort=False).agg(lo=("lo", "min"), hi=("hi", "max")),
                            ("min", "max"))
    return out
