"""Post-stratification, raking and calibration of a Design to known population totals.

Each verb returns a **new** Design whose weights meet the totals and whose variance estimates
reflect the adjustment, as R's ``survey`` does: for linearised designs the influence values are
replaced by their residuals on the auxiliary information (``postStratify``, ``rake``,
``calibrate``); for replicate designs the adjustment is redone on every replicate.

References
----------
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling. JASA 87,
376-382.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 7.
Särndal, C.-E., Swensson, B. and Wretman, J. (1992). Model Assisted Survey Sampling. Springer,
sec. 6.6 and 7.6.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from barotrend.weighting import _calmath as cm
from barotrend.weighting._engine import reweight
from barotrend.weighting._margins import (
    cell_codes,
    check_same_total,
    numeric_total,
    numeric_values,
    population_mapping,
    rake_margins,
)


def _columns(strata):
    if isinstance(strata, str):
        return strata
    if isinstance(strata, list | tuple) and strata and all(isinstance(s, str) for s in strata):
        return tuple(strata) if len(strata) > 1 else strata[0]
    raise ValueError(f"strata: expected a column name or a list of column names, got {strata!r}")


def poststratify(design, strata, population):
    """Post-stratify a design to known population counts (R's ``postStratify``).

    Each unit's weight is multiplied by ``N_h / Nhat_h``, where ``N_h`` is the population count
    of its post-stratum and ``Nhat_h`` the sum of the weights in it.

    Parameters
    ----------
    design : Design
    strata : str or list of str
        Post-stratifying column(s); several columns form their cross-classification.
    population : dict or DataFrame
        Population count of each post-stratum: ``{level: N}`` (``{(a, b): N}`` for several
        columns), or a DataFrame of the column(s) plus one count column.

    Returns
    -------
    Design
        Post-stratified weights. Linearised variance: influence values ``z_i`` are centred
        within post-strata, ``z_i - sum_{h} d_j z_j / sum_{h} d_j`` with ``d`` the weights
        before post-stratification (as R's ``svyrecvar``).

    Raises
    ------
    ValueError
        A sample category missing from ``population`` (named), a population cell with no
        sample units (an empty cell, named), missing values in the column.

    Examples
    --------
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "y": [1.0, 2, 3, 4, 5]})
    >>> d = poststratify(Design(df), "sex", {"f": 50, "m": 50})
    >>> d.weights.tolist()
    [25.0, 25.0, 16.666666666666668, 16.666666666666668, 16.666666666666668]
    """
    cols = _columns(strata)
    pop = population_mapping(cols, population)
    codes, _, totals = cell_codes(design.data, cols, pop, what="population")

    def compute(w, _r):
        return w * cm.poststrat_factors(w, codes, totals)

    return reweight(design, compute, lambda w0, w1: cm.class_mean_residual(codes, w0),
                    what="poststratify")


def rake(design, margins, max_iter=1000, tol=1e-12):
    """Rake a design to several margins by iterative proportional fitting (R's ``rake``).

    Each sweep post-stratifies to every margin in turn; sweeps repeat until every margin is met
    to within ``tol`` (relative).

    Parameters
    ----------
    design : Design
    margins : dict
        ``{column: {level: total}}``; a key may be a tuple of columns for a joint margin (its
        levels are then tuples). Every margin must sum to the same population size.
    max_iter : int
        Most sweeps. Not converging is an error, never a silent result.
    tol : float
        Largest accepted ``|achieved - target| / target`` over all margin cells.

    Returns
    -------
    Design
        Raked weights. Linearised variance as R's ``svyrecvar`` for a raking: ten backfitting
        sweeps that centre the influence values within each margin's categories (unweighted
        means, R survey 4.1). Replicate designs: every replicate is raked to convergence.

    Raises
    ------
    ValueError
        Margins whose totals disagree, sample categories not covered (named), empty cells,
        no convergence within ``max_iter`` sweeps.

    Examples
    --------
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "v"]})
    >>> d = rake(Design(df), {"a": {"x": 30, "y": 10}, "b": {"u": 20, "v": 20}})
    >>> d.weights.round(6).tolist()
    [15.0, 15.0, 5.0, 5.0]
    """
    margins = rake_margins(margins, max_iter, tol)
    parsed = [cell_codes(design.data, k, v, what="margins")[::2] for k, v in margins.items()]
    state = {}

    def compute(w, r):
        new, k, err, last = cm.rake_weights(w, parsed, max_iter=max_iter, tol=tol)
        if err >= tol:
            where = "" if r is None else f" for replicate {r + 1}"
            raise ValueError(f"margins: raking{where} did not converge in max_iter={max_iter} "
                             f"sweeps (largest relative margin gap {err:.3g} > tol={tol:g}); "
                             "check the margins are consistent or raise max_iter")
        if r is None:
            state.update(last=last)
        return new

    def adjuster(w0, w1):
        ratios = [cm.weight_ratio_safe(lw, w1) for lw in state["last"]]
        return cm.rake_residual([c for c, _ in parsed], ratios)

    return reweight(design, compute, adjuster, what="rake")


def _population_size(value):
    """``population_size`` as a positive finite float, else a ValueError naming the value."""
    if isinstance(value, bool):
        raise ValueError(f"population_size: expected a positive number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"population_size: expected a positive number, got {value!r}") from None
    if not (np.isfinite(v) and v > 0):
        raise ValueError(f"population_size: must be a positive finite number (the population "
                         f"the weights sum to), got {value!r}")
    return v


def _model_matrix(data, totals, population_size):
    """Columns of the auxiliaries and their totals from ``{column: total or {level: total}}``."""
    if not isinstance(totals, Mapping) or not totals:
        raise ValueError(f"totals: expected a dict column -> total or {{level: total}}, "
                         f"got {totals!r}")
    cols, target, names, categorical = [], [], [], {}
    for var, t in totals.items():
        if isinstance(t, Mapping | pd.Series | pd.DataFrame):
            pop = population_mapping(var, t)
            codes, labels, tot = cell_codes(data, var, pop, what="totals")
            categorical[var] = pop
            for j, lab in enumerate(labels):
                cols.append((codes == j).astype(float))
                target.append(tot[j])
                names.append(f"{var}={lab}")
        else:
            if var not in data.columns:
                raise ValueError(f"totals: column {var!r} is not in the design's data")
            x = numeric_values(data, var, "totals")
            t = numeric_total(var, t)
            cols.append(x)
            target.append(t)
            names.append(var)
    if population_size is not None:
        population_size = _population_size(population_size)
        cols.append(np.ones(len(data)))
        target.append(float(population_size))
        names.append("(population size)")
        categorical["(population size)"] = {"N": float(population_size)}
    if len(categorical) > 1:
        check_same_total(categorical, what="totals")
    return np.column_stack(cols), np.array(target), names


def calibrate(design, totals, calfun="linear", bounds=None, population_size=None, max_iter=50,
              tol=1e-10):
    """Calibrate a design to population totals of auxiliaries (R's ``calibrate``).

    New weights ``w_i = d_i g_i`` with ``sum_i w_i x_i = T_x`` and ``g_i = F(x_i' lambda)``
    (Deville & Särndal 1992): ``calfun="linear"`` (GREG, ``F(u) = 1 + u``), ``"raking"``
    (``exp(u)``), ``"logit"`` (bounded, g within ``bounds``). Linear and raking are truncated
    at ``bounds`` when given.

    Parameters
    ----------
    design : Design
    totals : dict
        ``{numeric column: population total}`` and/or ``{categorical column: {level: count}}``
        (a categorical margin carries the population size; several must agree).
    calfun : {"linear", "raking", "logit"}
    bounds : (lower, upper), optional
        Range of ``g = new weight / old weight``; required (finite) for ``"logit"``; needs
        ``lower < 1 < upper``.
    population_size : float, optional
        Population size, adds an intercept (needed when no categorical margin is given).
    max_iter, tol : Newton iterations and convergence tolerance on
        ``max |T_x - sum w x| / (1 + |T_x|)``.

    Returns
    -------
    Design
        Calibrated weights. Linearised variance from the calibration residuals ``z - x'b``,
        ``b`` the regression of the influence values on the auxiliaries weighted by the
        weights before calibration (R's ``svyrecvar``); replicate designs: every replicate
        calibrated to the same totals.

    Raises
    ------
    ValueError
        Unknown ``calfun``, invalid ``bounds``, categorical margins that disagree, uncovered
        categories or empty cells, calibration that cannot meet the totals (within the
        bounds) in ``max_iter`` iterations, and negative weights (R keeps them; a Design
        cannot).

    Examples
    --------
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"x": [1.0, 2, 3, 4]})
    >>> d = calibrate(Design(df), {"x": 25}, population_size=8)
    >>> d.weights.round(6).tolist()     # g = -0.5 + x solves sum g = 8, sum g x = 25
    [0.5, 1.5, 2.5, 3.5]
    """
    if calfun not in cm.CALFUNS:
        raise ValueError(f"calfun: expected one of {cm.CALFUNS}, got {calfun!r}")
    if bounds is not None:
        if not (isinstance(bounds, list | tuple) and len(bounds) == 2):
            raise ValueError(f"bounds: expected (lower, upper), got {bounds!r}")
    cm.check_bounds(calfun, bounds)
    X, T, names = _model_matrix(design.data, totals, population_size)

    def compute(w, r):
        g, info = cm.calibration_g(X, w, T, calfun=calfun, bounds=bounds, max_iter=max_iter,
                                   tol=tol)
        if not info["converged"]:
            where = "" if r is None else f" for replicate {r + 1}"
            b = "" if bounds is None else f" within bounds {tuple(bounds)!r}"
            raise ValueError(f"calibration ({calfun}){where} cannot meet the totals{b}: "
                             f"largest relative misfit {info['error']:.3g} after "
                             f"{info['iterations']} iterations; widen the bounds, check the "
                             "totals or raise max_iter")
        if (g < 0).any():
            where = "" if r is None else f" for replicate {r + 1}"
            raise ValueError(f"calibration ({calfun}){where} gives {int((g < 0).sum())} "
                             "negative weight(s), which a Design cannot hold; use bounds=(0, "
                             "upper) or calfun='raking'")
        return w * g

    return reweight(design, compute, lambda w0, w1: cm.wls_residual(X, w0), what="calibrate")
