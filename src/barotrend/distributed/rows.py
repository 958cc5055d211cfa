"""What a worker needs to read one partition: stratum and unit codes, and the weights.

:class:`RowCoder` is shipped to the workers once per computation. It holds the strata and
units found when the design was built (small indexes) and the plan of the weights: a column,
or ``N_h / n_h`` from the fpc, or 1, times the factor of each weighting step
(:mod:`barotrend.distributed.weighting`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def stratum_values(part, strata):
    """The stratum value of each row (0 for all without strata)."""
    return part[strata] if strata else pd.Series(np.zeros(len(part), dtype=np.int64),
                                                 index=part.index)


def lookup(index, keys):
    """Codes of ``keys`` (a Series or a list of Series for a MultiIndex) in ``index``; -1 for
    keys not in it."""
    if isinstance(index, pd.MultiIndex):
        return index.get_indexer(pd.MultiIndex.from_arrays(keys))
    return index.get_indexer(keys)


@dataclass(frozen=True)
class RowCoder:
    """Per-partition codes and weights of a :class:`barotrend.distributed.DaskDesign`."""

    strata: str | None
    cluster: str | None
    nest: bool
    strata_index: pd.Index
    unit_index: pd.Index | None  # (stratum, cluster) pairs or cluster ids; None: a row a unit
    weights: str | None
    fpc_weight: np.ndarray | None  # N_h / n_h per stratum when the weights come from the fpc
    factors: tuple = field(default=())  # weighting steps, each with .factor(part, w)

    def columns(self):
        """The data columns the codes and weights read."""
        cols = [c for c in (self.strata, self.cluster, self.weights) if c]
        for f in self.factors:
            cols.extend(f.columns)
        return list(dict.fromkeys(cols))

    def stratum(self, part):
        return lookup(self.strata_index, stratum_values(part, self.strata))

    def unit(self, part, h):
        """Unit code of each row (clustered designs)."""
        if self.nest:
            return lookup(self.unit_index, [stratum_values(part, self.strata), part[self.cluster]])
        return lookup(self.unit_index, part[self.cluster])

    def base_weights(self, part, h):
        if self.weights:
            return part[self.weights].to_numpy(dtype=float)
        if self.fpc_weight is not None:
            return self.fpc_weight[h]
        return np.ones(len(part))

    def weights_of(self, part, h, upto=None):
        """Weights of each row after the first ``upto`` weighting steps (all by default)."""
        w = self.base_weights(part, h)
        for f in self.factors[:upto]:
            w = w * f.factor(part, w)
        return w
