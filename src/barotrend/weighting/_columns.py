"""Reading a weight column from the user's data (shared by the weighting verbs)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from barotrend.design.columns import py_scalar


def weight_column(data: pd.DataFrame, column, name: str, where: str) -> np.ndarray:
    """Weights from ``data[column]`` as floats, or all ones when ``column`` is None.

    Every weight must be a positive finite number (text that does not parse as a number
    counts as missing and is refused).

    Parameters
    ----------
    data : pandas.DataFrame
    column : str or None
        Column holding the weights.
    name : str
        Argument name used in error messages (``"weights"``, ``"within_weights"``).
    where : str
        How the frame is named in error messages (``"the frame"``, ``"respondents"``).

    Examples
    --------
    >>> weight_column(pd.DataFrame({"w": [1, 2.5]}), "w", "weights", "the frame")
    array([1. , 2.5])
    >>> weight_column(pd.DataFrame({"w": [1, 0]}), "w", "weights", "the frame")
    Traceback (most recent call last):
    ...
    ValueError: weights: column 'w' needs positive finite weights; the weight 0 at row 1 is not one
    """
    if column is None:
        return np.ones(len(data))
    if column not in data.columns:
        raise ValueError(f"{name}: column {column!r} is not in {where}")
    raw = data[column]
    w = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        v = raw.iloc[i]
        shown = "a missing weight" if pd.isna(v) else f"the weight {py_scalar(v)!r}"
        raise ValueError(f"{name}: column {column!r} needs positive finite weights; {shown} at "
                         f"row {py_scalar(data.index[i])!r} is not one")
    return w
