"""Post-stratification, raking and linear calibration of a dask design, as sweeps of sums.

Post-strata and raking margins are categories, so a unit's new weight is its old weight times a
factor of its *joint cell* (the combination of its categories): one pass sums the weights and
rows per joint cell on the cluster, and the fitting (R's ``postStratify``/``rake``, the pandas
path's own :mod:`barotrend.weighting._calmath` functions) runs on that small table, the cells
standing for their rows (raking the cell totals is raking the rows: every step scales a
category). Linear calibration needs ``sum d x x'`` and ``sum d x``: one pass, then
``g = 1 + x' lambda`` with ``lambda = (X'DX)^{-1} (T - X'd)`` (Deville and Särndal 1992), and a
second pass checks the totals are met and no weight is negative.

The variance adjusters are those of the pandas path (residuals on the auxiliaries, R's
``svyrecvar``), in their low-rank form ``z -> z - F M P' z``
(:class:`barotrend.weighting._calmath.LowRankAdjuster`): ``F`` and ``P`` per row come from the
cell's (or the auxiliaries') features, ``M`` is small. :mod:`barotrend.distributed.estimate`
forms the variance from them without a units x domains array.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from barotrend.design.sparse import Coded
from barotrend.distributed.parts import (
    Adjuster,
    CellFactor,
    LinearFactor,
    calibration_check_part,
    cell_part,
    q_part,
    unit_part,
    xtx_part,
)
from barotrend.distributed.reduce import tree_reduce
from barotrend.weighting import _calmath as cm
from barotrend.weighting._margins import (
    cell_codes,
    numeric_total,
    population_mapping,
    rake_margins,
)


def _joint_cells(design, cols, what):
    """The joint cells of ``cols`` in the sample: their raw values (an Index), the weights'
    and rows' sums, and a small frame of one row per cell (for the validation of
    :func:`barotrend.weighting._margins.cell_codes`)."""
    for c in cols:
        if c not in design.data.columns:
            raise ValueError(f"{what}: column {c!r} is not in the design's data")
    used = list(dict.fromkeys([*design._coder.columns(), *cols]))
    out = tree_reduce(design.data, used, cell_part, design._coder, tuple(cols))
    for c in cols:
        miss = out[f"missing {c}"]
        if miss.count:
            raise ValueError(f"{what}: column {c!r} has {miss.count} missing value(s) (the "
                             f"first at row {miss.value!r}); give them a category or drop them "
                             "before weighting")
    cells = out["cells"].frame.sort_index()
    frame = cells.index.to_frame(index=False)
    frame.columns = list(cols)
    return cells.index, cells["W"].to_numpy(float), cells["n"].to_numpy(float), frame


def _dense(blocks, m_rows):
    """Dense (rows, p) of a list of :class:`~barotrend.design.sparse.Coded` or dense blocks."""
    out = []
    for b in blocks:
        if isinstance(b, Coded):
            x = np.zeros((m_rows, b.m))
            x[np.arange(m_rows), b.codes] = b.values
            out.append(x)
        else:
            out.append(np.asarray(b, dtype=float))
    return np.hstack(out)


def prepare(design, adj):
    """The adjuster with its variance parts for ``design`` (a pass or two, then cached)."""
    st = design._stage
    cols = list(dict.fromkeys([*design._coder.columns(), *adj.columns]))
    s = tree_reduce(design.data, cols, unit_part, design._coder, adj)
    if "Phi" in s:
        Phi = np.zeros((len(st.parent), adj.M.shape[0]))
        Phi[s["Phi"].keys] = s["Phi"].values
        return replace(adj, Phi=Phi)
    n_in = np.maximum(st.n_units_in, 1).astype(float)
    bar = np.where(st.center[:, None], s["S"] / n_in[:, None], 0.0)
    adj = replace(adj, Phibar=bar, coef=st.coef)
    Q = tree_reduce(design.data, cols, q_part, design._coder, adj)["Q"]
    return replace(adj, Q=(Q + Q.T) / 2)


def _finish(design, step, adj):
    new = design._with_step(step, adj)
    new.score_adjuster = prepare(new, adj)
    return new


def _columns(strata):
    if isinstance(strata, str):
        return (strata,)
    if isinstance(strata, list | tuple) and strata and all(isinstance(s, str) for s in strata):
        return tuple(strata)
    raise ValueError(f"strata: expected a column name or a list of column names, got {strata!r}")


def poststratify(design, strata, population):
    """Post-stratify a dask design (R's ``postStratify``); see
    :func:`barotrend.weighting.poststratify` for the formula, the variance and the errors."""
    cols = _columns(strata)
    pop = population_mapping(cols[0] if len(cols) == 1 else cols, population)
    index, W, n, frame = _joint_cells(design, cols, "population")
    codes, _, totals = cell_codes(frame, cols[0] if len(cols) == 1 else cols, pop,
                                  what="population")
    g = cm.poststrat_factors(W, codes, totals)
    parts = cm.class_mean_residual(codes, W).lowrank()
    F, _, M = parts
    m = len(totals)
    Pc = np.zeros((len(codes), m))
    Pc[np.arange(len(codes)), codes] = 1.0  # times the row's weight before: scale_probes
    step = CellFactor(cols, index, g)
    adj = Adjuster(step, _dense(F, len(codes)), Pc, np.asarray(M, float), True)
    return _finish(design, step, adj)


def rake(design, margins, max_iter=1000, tol=1e-12):
    """Rake a dask design (R's ``rake``); see :func:`barotrend.weighting.rake`. The cells of
    every margin's columns are raked together; the variance adjuster is R's backfitting of
    the influence values (:func:`barotrend.weighting._calmath.rake_residual`)."""
    margins = rake_margins(margins, max_iter, tol)
    keys = list(margins)
    cols = tuple(dict.fromkeys(c for k in keys for c in _columns(k)))
    index, W, n, frame = _joint_cells(design, cols, "margins")
    parsed = [cell_codes(frame, k, v, what="margins")[::2] for k, v in margins.items()]
    new, _, err, last = cm.rake_weights(W, parsed, max_iter=max_iter, tol=tol)
    if err >= tol:
        raise ValueError(f"margins: raking did not converge in max_iter={max_iter} sweeps "
                         f"(largest relative margin gap {err:.3g} > tol={tol:g}); check the "
                         "margins are consistent or raise max_iter")
    ratios = [cm.weight_ratio_safe(lw, new) for lw in last]
    F, P, M = cm.rake_residual([c for c, _ in parsed], ratios, freq=n).lowrank()
    step = CellFactor(cols, index, cm.weight_ratio_safe(new, W))
    adj = Adjuster(step, _dense(F, len(W)), _dense(P, len(W)), np.asarray(M, float), False)
    return _finish(design, step, adj)


def calibrate(design, totals, calfun="linear", bounds=None, population_size=None, max_iter=50,
              tol=1e-10):
    """Linear (GREG) calibration of a dask design to totals of numeric columns (R's
    ``calibrate(calfun="linear")``); see :func:`barotrend.weighting.calibrate`.

    ``g = 1 + x' lambda``, ``lambda = (sum d x x')^{-1} (T - sum d x)``; variance from the
    residuals on ``x`` weighted by ``d``. Other calibration functions and bounds iterate over
    the rows and categorical totals need indicator columns: compute() into pandas for those,
    or use :meth:`rake`/:meth:`poststratify` for categorical margins.
    """
    from barotrend.weighting.calibration import _population_size

    if calfun != "linear" or bounds is not None:
        raise NotImplementedError(
            f"calibrate: a dask design supports calfun='linear' without bounds (got "
            f"calfun={calfun!r}, bounds={bounds!r}); compute() the data into pandas and use "
            "barotrend.design.Design for the others")
    if not isinstance(totals, Mapping) or not totals:
        raise ValueError(f"totals: expected a dict column -> total, got {totals!r}")
    cols, T = [], []
    for var, t in totals.items():
        if isinstance(t, Mapping | pd.Series | pd.DataFrame):
            raise NotImplementedError(
                f"totals: {var!r} has category totals; on a dask design calibrate takes "
                "numeric columns (add indicator columns, or use rake()/poststratify())")
        if var not in design.data.columns:
            raise ValueError(f"totals: column {var!r} is not in the design's data")
        dt = design.data.dtypes[var]
        if not pd.api.types.is_numeric_dtype(dt):
            raise ValueError(f"totals: column {var!r} is not numeric (dtype {dt})")
        cols.append(var)
        T.append(numeric_total(var, t))
    intercept = population_size is not None
    if intercept:
        T.insert(0, _population_size(population_size))
    T = np.array(T)
    probe = LinearFactor(tuple(cols), np.zeros(len(T)), intercept)
    used = list(dict.fromkeys([*design._coder.columns(), *cols]))
    s = tree_reduce(design.data, used, xtx_part, design._coder, probe)
    if s["bad"].count:
        raise ValueError(f"totals: the auxiliaries have {s['bad'].count} missing or infinite "
                         f"value(s) (the first at row {s['bad'].value!r})")
    A = s["XtWX"]
    try:
        lam = np.linalg.solve(A, T - s["Xtw"])
    except np.linalg.LinAlgError:
        raise ValueError("calibration (linear): the auxiliaries are collinear in the sample; "
                         "drop one of them") from None
    step = LinearFactor(tuple(cols), lam, intercept)
    chk = tree_reduce(design.data, used, calibration_check_part, design._coder, step)
    err = float(np.max(np.abs(T - chk["XtW"]) / (1 + np.abs(T))))
    if not err < max(tol, 1e-8):
        raise ValueError(f"calibration (linear) cannot meet the totals: largest relative "
                         f"misfit {err:.3g}; check the totals")
    if chk["negative"][0] > 0:
        raise ValueError(f"calibration (linear) gives {int(chk['negative'][0])} negative "
                         "weight(s), which a Design cannot hold; compute() into pandas and use "
                         "bounds=(0, upper) or calfun='raking'")
    adj = Adjuster(step, None, None, np.linalg.inv(A), True)
    return _finish(design, step, adj)
