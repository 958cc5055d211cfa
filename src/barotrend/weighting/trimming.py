"""Weight trimming with redistribution so that the weight total holds (R's ``trimWeights``).

Weights outside ``[lower, upper]`` are set to the nearest cap and the amount trimmed (positive
or negative) is shared **equally** among the weights that were not outside, as R's
``trimWeights`` does; with ``strict=True`` this repeats until no weight is outside the caps.

References
----------
Potter, F. J. (1990). A study of procedures to identify and trim extreme sampling weights.
Proc. Survey Research Methods Section, ASA, 225-230.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, sec. 7.5.
"""

from __future__ import annotations

import warnings

import numpy as np

from barotrend.weighting._engine import reweight

RELATIVE_TO = (None, "median", "mean")


def trim_weights(w, lower=-np.inf, upper=np.inf, strict=False, max_iter=1000):
    """Trim ``w`` to ``[lower, upper]`` and share the trimmings equally among the others.

    One pass: ``w_i <- min(max(w_i, lower), upper)``, then each weight that was inside the caps
    gets ``sum(trimmed) / (number inside)`` added. Zero weights are left alone. ``strict`` repeats passes
    until none is outside (at most ``max_iter``).

    Returns
    -------
    w : trimmed weights (same total).
    passes : number of passes done.
    outside : number of weights still outside the caps.

    Examples
    --------
    Caps 1 and 4 on weights 0.5, 2, 3, 6 (total 11.5): 0.5 -> 1 and 6 -> 4 trim
    -0.5 + 2 = 1.5, shared by 2 and 3 (+0.75 each):

    >>> w, k, out = trim_weights(np.array([0.5, 2, 3, 6]), 1, 4)
    >>> w.tolist(), k, out
    ([1.0, 2.75, 3.75, 4.0], 1, 0)
    """
    w = np.asarray(w, dtype=float).copy()
    passes = 0
    pos = w > 0    # zero weights (units dropped from a replicate) stay zero
    while True:
        outside = pos & ((w < lower) | (w > upper))
        if not outside.any() or passes >= max_iter:
            break
        receive = ~outside & pos
        if not receive.any():
            break
        new = np.where(pos, np.clip(w, lower, upper), 0.0)
        new[receive] += np.sum(w - new) / receive.sum()
        w = new
        passes += 1
        if not strict:
            break
    return w, passes, int((pos & ((w < lower) | (w > upper))).sum())


def _cap(name, value, ref):
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name}: expected a finite non-negative number, got {value!r}")
    return v * ref


def trim(design, lower=None, upper=None, relative_to=None, strict=False, max_iter=1000):
    """Trim extreme weights, redistributing the excess so the weight total holds.

    Parameters
    ----------
    design : Design
    lower, upper : float, optional
        Caps on the weights; with ``relative_to`` they are multiples of the median or mean
        weight (e.g. ``upper=3.5, relative_to="median"``).
    relative_to : {None, "median", "mean"}
    strict : bool
        Repeat trimming until no weight is outside the caps (R's ``strict=TRUE``); otherwise
        one pass, and a warning when the redistribution pushed weights beyond a cap.
    max_iter : int
        Most passes with ``strict``.

    Returns
    -------
    Design
        Trimmed weights. The linearised variance uses the new weights with no residual
        adjustment (R's ``trimWeights``); adjusters of earlier calibrations are kept.
        Replicate designs: each replicate is trimmed in the same way, with the caps scaled by
        the ratio of its mean positive weight to the sample's (R's ``trimWeights`` for
        replicate designs uses the same caps for every replicate, which a jackknife
        replicate with inflated weights often cannot meet).

    Raises
    ------
    ValueError
        An ``upper`` cap below the mean weight or a ``lower`` cap above it (no redistribution
        can then keep the total), ``lower >= upper``, bad ``relative_to``.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"w": [1.0, 1, 1, 5]}), weights="w")
    >>> trim(d, upper=3).weights.round(6).tolist()    # 2 trimmed, shared by three weights
    [1.666667, 1.666667, 1.666667, 3.0]
    """
    if relative_to not in RELATIVE_TO:
        raise ValueError(f"relative_to: expected one of {RELATIVE_TO}, got {relative_to!r}")
    if lower is None and upper is None:
        raise ValueError("trim: give lower and/or upper")
    w0 = np.asarray(design.weights, dtype=float)
    ref = 1.0 if relative_to is None else float(getattr(np, relative_to)(w0))
    lo = _cap("lower", lower, ref)
    hi = _cap("upper", upper, ref)
    lo = -np.inf if lo is None else lo
    hi = np.inf if hi is None else hi
    if lo >= hi:
        raise ValueError(f"lower: the lower cap {lo:g} is not below the upper cap {hi:g}")
    mean = w0.mean()
    if hi < mean:
        raise ValueError(f"upper: the cap {hi:g} is below the mean weight {mean:g}; no "
                         "trimming can keep the weight total")
    if lo > mean:
        raise ValueError(f"lower: the cap {lo:g} is above the mean weight {mean:g}; no "
                         "trimming can keep the weight total")
    if not (isinstance(max_iter, int) and max_iter >= 1):
        raise ValueError(f"max_iter: expected a positive integer, got {max_iter!r}")

    base = np.mean(w0[w0 > 0])

    def compute(w, r):
        # replicates: the caps scaled by the replicate's mean positive weight, so that a
        # jackknife replicate (zeros, others inflated) is trimmed as severely as the sample
        k = 1.0 if r is None else float(np.mean(w[w > 0])) / base
        new, passes, left = trim_weights(w, lo * k, hi * k, strict=strict, max_iter=max_iter)
        if left and strict:
            where = "" if r is None else f" of replicate {r + 1}"
            raise ValueError(f"trim: {left} weight(s){where} still outside [{lo:g}, {hi:g}] "
                             f"after max_iter={max_iter} passes")
        if left and r is None:
            warnings.warn(f"trim: after one pass {left} weight(s) are outside [{lo:g}, {hi:g}] "
                          f"because of the redistribution (largest {new.max():g}); use "
                          "strict=True to repeat until none is", UserWarning, stacklevel=4)
        return new

    return reweight(design, compute, None, what="trim")
