"""Two-stage reality: respondents nested in responding units.

A barometer reaches organisations and, within them, several leaders. Non-response is adjusted
at the unit level (:func:`~barotrend.weighting.adjust_nonresponse` on the frame of units); the
unit weights are then carried down to the respondents of each unit, optionally times a
within-unit weight ``a_i`` (e.g. eligible / responding leaders of the unit), and the variance
clusters respondents by unit: ``w_i = w_u a_i`` and the units are the primary sampling units.

When the unit design takes its variance from a sampled frame (``adjust_nonresponse`` on a
Design), the respondents' design takes the unit design's variance of the unit totals
``sum_{i in u} w_i z_i``. Otherwise any variance adjuster of the unit design (weighting
classes, calibration) is carried down: with ``A_u = sum_{i in u} a_i`` and unit influence
values ``z_u = sum_{i in u} a_i z_i``, each respondent's value becomes ``z_i + (adj(z)_u - z_u) / A_u``, so that every unit total
``sum_{i in u} w_i z_i`` equals ``w_u adj(z)_u`` exactly as in the unit-level design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barotrend.design.linearization import GroupSum
from barotrend.design.sparse import Coded
from barotrend.weighting._columns import weight_column


class _UnitSum(GroupSum):
    """The respondents' weighted influence values summed to their units (a variance frame's
    map), with its sparse form (:mod:`barotrend.design.sparse_scores`)."""

    def sparse(self, rows, cols, vals, k):
        """The unit totals of ``t`` holding ``vals`` at ``(rows, cols)``: the same triples on
        the units' rows (repeats are summed downstream); no low-rank block."""
        return self.codes[rows], cols, vals, [], np.zeros((0, k))


class _CarriedDown:
    def __init__(self, inner, unit_index, a, n_units):
        self.inner = inner
        self.unit_index = unit_index
        self.a = a
        self.A = np.bincount(unit_index, weights=a, minlength=n_units)
        self.unit_sum = GroupSum(unit_index, n_units)

    def __call__(self, z):
        z = np.asarray(z, dtype=float)
        zu = self.unit_sum(self.a[:, None] * z)
        adj = np.asarray(self.inner(zu), dtype=float)
        return z + ((adj - zu) / self.A[:, None])[self.unit_index]


class _CarriedDownLowRank(_CarriedDown):
    """A carried-down adjuster whose unit-level adjuster has low-rank parts ``(F, P, M)``:
    ``z -> z - F_u M P' z_u / A_u`` with ``z_u = sum_{i in u} a_i z_i`` is again low rank,
    features ``F[u] / A_u`` and probes ``a_i P[u]`` on the respondents' rows (for the
    by-domain variance without an (n x domains) matrix, :mod:`barotrend.design.sparse`)."""

    def lowrank(self):
        F, P, M = self.inner.lowrank()
        idx, inv_A = self.unit_index, 1.0 / self.A[self.unit_index]
        return ([_rows(b, idx, inv_A) for b in F], [_rows(b, idx, self.a) for b in P], M)


def _rows(block, idx, scale):
    """A feature or probe block of the units taken to the respondents (``block[idx]``), each
    row times ``scale``."""
    if isinstance(block, Coded):
        return Coded(block.codes[idx], block.values[idx] * scale, block.m)
    return np.asarray(block, dtype=float)[idx] * scale[:, None]


def carry_down(unit_design, respondents, unit, within_weights=None, weight_name="weight"):
    """Design of respondents nested in units, with the units' weights carried down.

    Parameters
    ----------
    unit_design : Design
        Design of the responding units (one row per unit), e.g. from ``adjust_nonresponse``;
        its data holds the ``unit`` id column. Linearised, or replicate: then every set of
        replicate weights is carried down as the weights are (``w_ij = w_uj a_i``).
    respondents : DataFrame
        One row per respondent, with the ``unit`` column.
    unit : str
        Unit id column in both.
    within_weights : str, optional
        Column of within-unit weights ``a_i`` (default 1).
    weight_name : str
        Name of the weight column added to the respondents' data.

    Returns
    -------
    Design
        Weights ``w_i = w_u a_i``; clusters: the unit design's first-stage clusters if it has
        any, else the units; strata (and, for an unclustered unit design, its fpc) carried
        down; the unit design's variance adjusters carried down. For a replicate unit design,
        a replicate design with the carried-down replicate weights and the same variance
        constants.

    Raises
    ------
    ValueError
        Respondents of a unit not in the unit design, units without respondents (their
        weight would be lost), duplicate unit ids, a missing column, bad within weights.

    Examples
    --------
    >>> from barotrend.design import Design
    >>> units = pd.DataFrame({"org": ["a", "b"], "w": [2.0, 3.0]})
    >>> people = pd.DataFrame({"org": ["a", "a", "b"], "y": [1.0, 0, 1]})
    >>> d = carry_down(Design(units, weights="w"), people, "org")
    >>> d.weights.tolist()
    [2.0, 2.0, 3.0]
    """
    if not isinstance(respondents, pd.DataFrame):
        raise ValueError(f"respondents: expected a DataFrame, got {type(respondents).__name__}")
    for name, df in (("unit_design", unit_design.data), ("respondents", respondents)):
        if unit not in df.columns:
            raise ValueError(f"unit: column {unit!r} is not in the {name} data")
        if df[unit].isna().any():
            raise ValueError(f"unit: column {unit!r} of {name} has missing ids")
    ids = unit_design.data[unit]
    if ids.duplicated().any():
        raise ValueError(f"unit: id {ids[ids.duplicated()].iloc[0]!r} occurs twice in the "
                         "unit design")
    pos = pd.Index(ids)
    idx = pos.get_indexer(respondents[unit])
    if (idx < 0).any():
        bad = pd.unique(respondents[unit][idx < 0])[:5]
        raise ValueError(f"respondents: unit(s) {', '.join(map(repr, bad))} are not in the "
                         "unit design")
    orphan = np.setdiff1d(np.arange(len(ids)), idx)
    if orphan.size:
        bad = ids.iloc[orphan[:5]].tolist()
        raise ValueError(f"respondents: responding unit(s) {', '.join(map(repr, bad))} have no "
                         "respondents, so their weight would be lost; drop them from the unit "
                         "design before adjusting, or check the ids")
    a = weight_column(respondents, within_weights, "within_weights", "respondents")
    if weight_name in respondents.columns:
        raise ValueError(f"weight_name: column {weight_name!r} already exists in respondents")
    from barotrend.design import Design

    out = respondents.copy()
    out[weight_name] = unit_design.weights[idx] * a
    if unit_design.is_replicate:
        from barotrend.design.replicate import replicate_rows

        return replicate_rows(unit_design, out, out[weight_name].to_numpy(dtype=float),
                              unit_design.replicate_weights[idx] * a[:, None])
    carried = [c for c in (unit_design.strata_name, *unit_design.cluster_names,
                           *unit_design.fpc_names) if c is not None and c != unit]
    for c in carried:
        if c in out.columns and not (out[c].to_numpy() == unit_design.data[c].to_numpy()[idx]).all():
            raise ValueError(f"respondents: column {c!r} disagrees with the unit design")
        out[c] = unit_design.data[c].to_numpy()[idx]
    if unit_design.cluster_names:
        cluster, fpc = unit_design.cluster_names[0], None
    else:
        cluster, fpc = unit, (list(unit_design.fpc_names) or None)
    d = Design(out, weights=weight_name, strata=unit_design.strata_name, cluster=cluster,
               fpc=fpc, lonely_psu=unit_design.lonely_psu)
    if unit_design.variance_frame is not None:
        # the units' own variance (their adjusters and sampled frame) of the unit totals
        # (the respondents' weighted influence values w_i z_i summed to their units)
        return d._replace(variance_frame=(unit_design, _UnitSum(idx, len(ids))))
    adj = tuple((_CarriedDownLowRank if hasattr(f, "lowrank") else _CarriedDown)(
        f, idx, a, len(ids)) for f in unit_design.score_adjusters)
    return d._replace(score_adjusters=adj) if adj else d
