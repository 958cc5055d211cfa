"""Apply a reweighting to a Design: new weights, replicates redone, variance adjusters kept.

Taylor (linearised) designs get the new weights and, where the adjustment uses auxiliary
information, a *score adjuster* that replaces the influence values by their residuals (R's
``svyrecvar`` with ``postStrata``). Adjusters added by earlier steps are rescaled so that a
chain of adjustments gives R's variance: when a later step multiplies the weights by ``g``, an
earlier adjuster ``a`` becomes ``z -> a(g z) / g`` (R keeps each step's weights and divides the
weighted influence values by them). Replicate designs get the same reweighting redone on every
replicate column (R's ``svyrep.design`` methods), and no adjuster.
"""

from __future__ import annotations

import numpy as np


class Rescaled:
    """Earlier adjuster seen through a later weight ratio ``g``: ``z -> a(g z) / g``."""

    def __init__(self, inner, g):
        self.inner = inner
        self.g = np.asarray(g, dtype=float)

    def __call__(self, z):
        g = self.g[:, None]
        out = np.asarray(self.inner(np.asarray(z, dtype=float) * g), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(g > 0, out / g, 0.0)

    @property
    def lowrank(self):
        """``(F / g, P g, M)`` from the inner adjuster's ``(F, P, M)`` (rows with ``g = 0``
        have zero weight after: their features are 0); absent when the inner has none."""
        if not hasattr(self.inner, "lowrank"):
            raise AttributeError("lowrank")
        return self._lowrank

    def _lowrank(self):
        from barotrend.design.sparse import scale_block

        F, P, M = self.inner.lowrank()
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(self.g > 0, 1.0 / self.g, 0.0)
        return ([scale_block(b, inv) for b in F], [scale_block(b, self.g) for b in P], M)



def weight_ratio(old, new):
    """``new / old``, 1 where both are 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old > 0, new / np.where(old > 0, old, 1.0), np.where(new > 0, np.inf, 1.0))


def reweight(design, compute, adjuster=None, what="weights"):
    """New design with weights ``compute(w)``.

    Parameters
    ----------
    design : Design
    compute : callable ``(w, replicate) -> new w``; ``replicate`` is None for the full-sample
        weights and the column index for replicate weights.
    adjuster : callable ``(old w, new w) -> score adjuster`` or None, for Taylor designs.
    """
    w0 = np.asarray(design.weights, dtype=float)
    w1 = np.asarray(compute(w0, None), dtype=float)
    if design.is_replicate:
        rw = np.asarray(design.replicate_weights, dtype=float)
        new_rw = np.column_stack([compute(rw[:, r], r) for r in range(rw.shape[1])])
        return design._replace(weights=w1, replicate_weights=new_rw)
    g = weight_ratio(w0, w1)
    if not np.all(np.isfinite(g)):
        raise ValueError(f"{what}: a unit with zero weight would get a positive weight")
    kept = tuple(Rescaled(a, g) for a in design.score_adjusters)
    if adjuster is not None:
        kept = (*kept, adjuster(w0, w1))
    return design._replace(weights=w1, score_adjusters=kept)
