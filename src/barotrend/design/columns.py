"""Column checks and integer coding shared by the design and its domains.

Ids (strata, clusters) and domain columns are coded as dense int64 codes in sorted order of
their values. Small non-negative integers are coded by counting (no sort, one chunked pass);
anything else by :func:`pandas.factorize`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from barotrend.design.groupsums import small_int_counts


def as_list(name, value):
    """Column argument ``name`` as a list of column names (``None`` -> ``[]``)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError(f"{name}: expected a column name or a list of column names, got {value!r}")


def check_columns(data, name, cols):
    for c in cols:
        if c not in data.columns:
            raise ValueError(f"{name}: column {c!r} is not in the data")


def no_missing(data, name, col):
    miss = data[col].isna().to_numpy()
    if miss.any():
        row = py_scalar(data.index[int(np.flatnonzero(miss)[0])])
        raise ValueError(f"{name}: column {col!r} has a missing id at row {row!r}")


def py_scalar(v):
    """Plain Python scalar for messages (``1`` rather than ``np.int64(1)``)."""
    return v.item() if isinstance(v, np.generic) else v


def counted_codes(v):
    """Dense codes of an array of small non-negative integers, by counting.

    Returns ``(codes, values, counts)``: int64 codes 0..m-1 in sorted order of the values
    (``v`` itself, not copied, when its values are already 0..m-1), the distinct values and the
    rows per value; None when ``v`` is not integer, is empty, or holds a negative value or
    one above ``4 n`` (then a sort is cheaper than counting).

    Examples
    --------
    >>> codes, values, counts = counted_codes(np.array([5, 2, 5, 7]))
    >>> codes.tolist(), values.tolist(), counts.tolist()
    ([1, 0, 1, 2], [2, 5, 7], [1, 2, 1])
    """
    if v.dtype.kind not in "iu" or len(v) == 0:
        return None
    counts = small_int_counts(v, limit=4 * len(v))
    if counts is None:
        return None
    present = counts > 0
    if present.all():  # already dense codes 0..m-1
        return v.astype(np.int64, copy=False), np.arange(len(present)), counts
    return (np.cumsum(present) - 1)[v], np.flatnonzero(present), counts[present]


def factorize(col: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (int64, -1 for missing) and sorted distinct values of a column."""
    fast = counted_codes(col.to_numpy())
    if fast is not None:
        return fast[0], fast[1].tolist()
    codes, uniq = pd.factorize(col, sort=True)
    return codes.astype(np.int64), pd.Index(uniq).tolist()


def codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes (sorted order, writable int64) and distinct values of ids without missing
    values."""
    v = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    fast = counted_codes(v)
    if fast is not None:
        c = fast[0]
        return (c if c.flags.writeable else c.copy()), fast[1]
    c, uniques = pd.factorize(values, sort=True)
    return c.astype(np.int64), np.asarray(uniques)


def combine(a, b):
    """Codes of the pairs (a, b), in sorted order."""
    return codes(a * (int(b.max()) + 1) + b)[0]


def not_numeric(col: pd.Series) -> str:
    """Why a column is not numeric, naming a value and its row (for error messages).

    Examples
    --------
    >>> not_numeric(pd.Series(["1", "2", "x"], index=[10, 11, 12]))
    "holds text: 'x' at row 12 is not a number"
    >>> not_numeric(pd.Series(["1", "2"]))
    "holds numbers as text (e.g. '1' at row 0); convert it with pandas.to_numeric"
    >>> not_numeric(pd.Series([True, False]))
    'is boolean (True/False), not numbers'
    """
    if pd.api.types.is_bool_dtype(col):
        return "is boolean (True/False), not numbers"
    if isinstance(col.dtype, pd.CategoricalDtype):
        return "is categorical, not numbers"
    parsed = pd.to_numeric(col, errors="coerce")
    bad = parsed.isna().to_numpy() & col.notna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return f"holds text: {py_scalar(col.iloc[i])!r} at row {py_scalar(col.index[i])!r} is not a number"
    ok = np.flatnonzero(col.notna().to_numpy())
    if len(ok):
        i = int(ok[0])
        return (f"holds numbers as text (e.g. {py_scalar(col.iloc[i])!r} at row {py_scalar(col.index[i])!r}); "
                "convert it with pandas.to_numeric")
    return f"has no numbers (dtype {col.dtype})"

