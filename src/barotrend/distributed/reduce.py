"""Sums over the partitions of a dask DataFrame, reduced on the cluster.

Every distributed verb is a map over the partitions (each a pandas DataFrame, turned into a few
small arrays by numpy) and a tree of additions of those arrays: the rows never leave their
worker and a worker holds a handful of partitions at a time, so a data set larger than the
cluster's memory streams through it. Only the reduced sums (a few numbers per stratum, unit or
domain) come back to the caller, where the small algebra runs.

The partial results are dicts of numpy arrays (added), :class:`Keyed` sums (added over the union
of their keys), :class:`Moments` (merged with Chan, Golub and LeVeque's pairwise update, so the
sums of squares are centred within each group without a second pass) and :class:`First` (the
first value seen, for error messages).

References
----------
Chan, T. F., Golub, G. H. and LeVeque, R. J. (1979). Updating formulae and a pairwise algorithm
for computing sample variances. Technical report STAN-CS-79-773, Stanford University.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np
import pandas as pd

#: Partial results merged per tree node (dask's default ``split_every`` for reductions).
SPLIT_EVERY = 8


def is_dask_frame(data) -> bool:
    """Whether ``data`` is a dask DataFrame (told by its type's module, without importing
    dask)."""
    return type(data).__module__.split(".")[0] == "dask" and hasattr(data, "npartitions")


def tree_reduce(frame, columns, fn, *args):
    """``fn(partition, *args)`` on every partition of ``frame[columns]``, the partial results
    added (:func:`add`) in a tree on the cluster; the total comes back.

    Runs on the active ``dask.distributed.Client`` if there is one, else dask's default
    scheduler. ``fn`` runs in the task that reads its partition (``map_partitions`` fuses
    them), so only the small partial results travel between workers, never a partition.
    """
    import dask

    frame = frame[list(columns)] if columns else frame
    parts = frame.map_partitions(_boxed, fn, *args, meta=pd.Series([], dtype=object),
                                 enforce_metadata=False, align_dataframes=False)
    level = parts.to_delayed()
    while len(level) > 1:
        level = [dask.delayed(_add_all, pure=True)(*level[i:i + SPLIT_EVERY])
                 for i in range(0, len(level), SPLIT_EVERY)]
    return _unbox(level[0].compute()) if len(level) == 1 else None


def _boxed(part, fn, *args):
    """``fn``'s result in a one-element Series, the shape ``map_partitions`` carries."""
    return pd.Series([fn(part, *args)], dtype=object)


def _unbox(x):
    return x.iloc[0] if isinstance(x, pd.Series) else x


def _add_all(*parts):
    return reduce(add, [_unbox(p) for p in parts])


def add(a, b):
    """Sum of two partial results (dicts key by key)."""
    if isinstance(a, dict):
        return {k: add(a[k], b[k]) for k in a}
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _columns(values):
    """``values`` as a float (n, L) array (an empty partition keeps its L columns)."""
    values = np.asarray(values, dtype=float)
    return values[:, None] if values.ndim == 1 else values


def _grouped(keys, values):
    """Codes of int64 ``keys`` into their sorted distinct values (a hash pass and a sort of the
    distinct keys only; ``np.unique`` sorts every key), the distinct keys, and ``values`` as
    (n, L) floats."""
    inv, uniq = pd.factorize(np.asarray(keys, dtype=np.int64), sort=True)
    return inv.astype(np.intp, copy=False), np.asarray(uniq, dtype=np.int64), _columns(values)


@dataclass(frozen=True)
class Keyed:
    """Sums ``values`` (k, L) per int64 key (k,), distinct keys: added over the union of keys.

    Examples
    --------
    >>> s = Keyed.of(np.array([5, 2, 5]), np.array([[1.0], [2.0], [3.0]]))
    >>> t = s + Keyed.of(np.array([7, 2]), np.array([[1.0], [1.0]]))
    >>> t.keys.tolist(), t.values.ravel().tolist()
    ([2, 5, 7], [3.0, 4.0, 1.0])
    """

    keys: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, keys, values):
        """Sums of the rows of ``values`` (n, L) over repeated ``keys`` (n,)."""
        inv, uniq, values = _grouped(keys, values)
        out = np.stack([np.bincount(inv, values[:, j], minlength=len(uniq))
                        for j in range(values.shape[1])], axis=1) if len(keys) else \
            np.zeros((0, values.shape[1]))
        return cls(uniq, out)

    def __add__(self, other):
        return Keyed.of(np.concatenate([self.keys, other.keys]),
                        np.concatenate([self.values, other.values]))


@dataclass(frozen=True)
class Moments:
    """Per int64 key: the count ``m``, the means (k, L) and the centred sums of squares
    ``M2`` (k, L) of L value columns, and ``C`` (k,) the centred co-moment of columns 0 and
    L-1 (used by totals, whose unit totals are ``t + c s``).

    Two sets merge exactly (Chan et al. 1979): ``M2 = M2_a + M2_b + (mean_a - mean_b)^2
    m_a m_b / m``, so a group's squares stay centred at its own mean.

    Examples
    --------
    >>> x = np.array([[1.0], [2.0], [4.0], [7.0]])
    >>> m = Moments.of(np.zeros(2, int), x[:2]) + Moments.of(np.zeros(2, int), x[2:])
    >>> float(m.M2[0, 0]), float(((x - x.mean()) ** 2).sum())
    (21.0, 21.0)
    """

    keys: np.ndarray
    m: np.ndarray
    mean: np.ndarray
    M2: np.ndarray
    C: np.ndarray

    @classmethod
    def of(cls, keys, values):
        """Moments of the rows of ``values`` (n, L) in groups ``keys`` (n,), two-pass."""
        inv, uniq, values = _grouped(keys, values)
        k, L = len(uniq), values.shape[1]
        m = np.bincount(inv, minlength=k).astype(float)
        mean = np.empty((k, L))
        M2 = np.empty((k, L))
        dev = np.empty_like(values)
        for j in range(L):
            mean[:, j] = np.bincount(inv, values[:, j], minlength=k) / np.maximum(m, 1)
            dev[:, j] = values[:, j] - mean[inv, j]
            M2[:, j] = np.bincount(inv, dev[:, j] * dev[:, j], minlength=k)
        C = np.bincount(inv, dev[:, 0] * dev[:, -1], minlength=k)
        return cls(uniq, m, mean, M2, C)

    def __add__(self, o):
        keys = np.union1d(self.keys, o.keys)
        k, L = len(keys), self.mean.shape[1]

        def spread(s):
            i = np.searchsorted(keys, s.keys)
            m, mean, M2, C = np.zeros(k), np.zeros((k, L)), np.zeros((k, L)), np.zeros(k)
            m[i], mean[i], M2[i], C[i] = s.m, s.mean, s.M2, s.C
            return m, mean, M2, C

        ma, xa, Ma, Ca = spread(self)
        mb, xb, Mb, Cb = spread(o)
        m = ma + mb
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(m > 0, ma * mb / m, 0.0)
            wa = np.where(m > 0, ma / m, 0.0)
        delta = xb - xa
        mean = xa + delta * (1 - wa)[:, None]
        M2 = Ma + Mb + delta * delta * f[:, None]
        C = Ca + Cb + delta[:, 0] * delta[:, -1] * f
        return Moments(keys, m, mean, M2, C)


@dataclass(frozen=True)
class First:
    """The first of possibly many values seen (partition order kept by the tree), with a
    count: e.g. the first invalid weight and how many there are."""

    count: int
    value: object = None

    def __add__(self, other):
        return First(self.count + other.count, self.value if self.count else other.value)


@dataclass(frozen=True)
class Valued:
    """A small pandas DataFrame indexed by data values (strata, domains), aggregated per
    column with ``ops`` (``"sum"``, ``"min"``, ``"max"``) over the union of its index."""

    frame: pd.DataFrame
    ops: tuple

    def __add__(self, other):
        both = pd.concat([self.frame, other.frame])
        levels = list(range(both.index.nlevels))
        agg = dict(zip(both.columns, self.ops, strict=True))
        return Valued(both.groupby(level=levels, dropna=False, sort=False).agg(agg), self.ops)
