"""Matching sample categories to population targets (shared by the weighting verbs).

A *margin* is a column (or a tuple of columns, for a joint margin) together with population
totals for each of its categories. Categories are matched by their string form, so a target
keyed ``1`` matches a column holding the integer ``1`` or the string ``"1"``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from barotrend.design.columns import py_scalar


def _key(value) -> tuple:
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def _label(key: tuple) -> str:
    return "/".join(key)


def _joint_codes(data, cols):
    """A code per row of its category combination (matched by string form) and the key of
    each code: hash passes over the rows, strings made only for the distinct values."""
    combo = np.zeros(len(data), dtype=np.int64)
    strings = []
    for c in cols:
        raw, uniq = pd.factorize(data[c], sort=False)
        text = pd.Series(uniq).astype(str).to_numpy(dtype=object)
        code_of_raw, distinct = pd.factorize(text, sort=False)  # 1 and "1" are one category
        combo = combo * len(distinct) + code_of_raw[raw]
        strings.append(np.asarray(distinct, dtype=object))
    combo, uniq = pd.factorize(combo, sort=False)
    keys = []
    for u in uniq.tolist():
        parts = []
        for st in reversed(strings):
            u, r = divmod(u, len(st))
            parts.append(st[r])
        keys.append(tuple(reversed(parts)))
    return combo.astype(np.intp), keys


def cell_codes(data: pd.DataFrame, columns, targets: Mapping, what: str = "margins"):
    """Codes of each row's cell, the cell labels and their population totals.

    Parameters
    ----------
    data : DataFrame of the sample.
    columns : str or tuple of str naming the margin's column(s).
    targets : mapping from category (a tuple of categories for a joint margin) to its total.
    what : the argument name used in error messages.

    Returns
    -------
    codes : (n,) int array, index of each row's cell in ``labels``.
    labels : list of str, cell labels ("a" or "a/b").
    totals : (m,) float array of population totals.

    Raises
    ------
    ValueError
        A missing column or missing values; a sample category without a target (named); a
        target with a positive total but no sample units (an empty cell, named); a target that
        is negative, not finite, or zero while the sample has units in that category.

    Examples
    --------
    >>> d = pd.DataFrame({"region": ["N", "S", "N"]})
    >>> codes, labels, totals = cell_codes(d, "region", {"N": 60, "S": 40})
    >>> codes.tolist(), labels, totals.tolist()
    ([0, 1, 0], ['N', 'S'], [60.0, 40.0])
    """
    cols = (columns,) if isinstance(columns, str) else tuple(columns)
    name = _label(cols)
    for c in cols:
        if c not in data.columns:
            raise ValueError(f"{what}: column {c!r} is not in the design's data")
        miss = data[c].isna().to_numpy()
        if miss.any():
            row = py_scalar(data.index[int(np.flatnonzero(miss)[0])])
            raise ValueError(f"{what}: column {c!r} has {int(miss.sum())} missing value(s) "
                             f"(the first at row {row!r}); give them a category or drop them "
                             "before weighting")
    if not isinstance(targets, Mapping) or not targets:
        raise ValueError(f"{what}: targets for {name!r} must be a non-empty mapping "
                         f"category -> total, got {targets!r}")
    tkeys = {}
    for k, v in targets.items():
        key = _key(k)
        if len(key) != len(cols):
            raise ValueError(f"{what}: category {k!r} of {name!r} does not have "
                             f"{len(cols)} part(s)")
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{what}: total for {name!r}={_label(key)!r} is not a number: "
                             f"{v!r}") from None
        if not np.isfinite(v) or v < 0:
            raise ValueError(f"{what}: total for {name!r}={_label(key)!r} must be a finite "
                             f"non-negative number, got {v!r}")
        tkeys[key] = v
    combo, combo_keys = _joint_codes(data, cols)
    present = pd.Series(np.bincount(combo, minlength=len(combo_keys)),
                        index=pd.Index(combo_keys, tupleize_cols=False, dtype=object))
    uncovered = [k for k in present.index if k not in tkeys]
    if uncovered:
        shown = ", ".join(f"{_label(k)!r} ({present[k]} unit(s))" for k in uncovered)
        raise ValueError(f"{what}: the targets for {name!r} do not cover sample "
                         f"categor{'y' if len(uncovered) == 1 else 'ies'} {shown}")
    empty = [k for k, v in tkeys.items() if v > 0 and k not in present.index]
    if empty:
        shown = ", ".join(f"{_label(k)!r} (total {tkeys[k]:g})" for k in empty)
        raise ValueError(f"{what}: empty cell(s) for {name!r}: {shown} have a population total "
                         "but no sample units; collapse them with a neighbouring category")
    zero = [k for k, v in tkeys.items() if v == 0 and k in present.index]
    if zero:
        shown = ", ".join(f"{_label(k)!r} ({present[k]} unit(s))" for k in zero)
        one = len(zero) == 1
        raise ValueError(f"{what}: categor{'y' if one else 'ies'} {shown} of {name!r} "
                         f"{'has' if one else 'have'} sample units but a population total of 0")
    keys = [k for k in tkeys if k in present.index]
    index = {k: i for i, k in enumerate(keys)}
    position = np.array([index[k] for k in combo_keys], dtype=np.intp)
    codes = position[combo]
    return codes, [_label(k) for k in keys], np.array([tkeys[k] for k in keys], dtype=float)


def population_mapping(columns, population) -> dict:
    """Population counts as a mapping cell -> total, from a dict or a DataFrame.

    A DataFrame holds the stratifying column(s) and exactly one other column, the counts
    (R's ``postStratify`` convention).

    Examples
    --------
    >>> pop = pd.DataFrame({"a": ["x", "y"], "Freq": [10, 20]})
    >>> population_mapping("a", pop)
    {'x': 10.0, 'y': 20.0}
    """
    cols = (columns,) if isinstance(columns, str) else tuple(columns)
    if isinstance(population, pd.Series):
        population = population.to_dict()
    if isinstance(population, Mapping):
        return dict(population)
    if isinstance(population, pd.DataFrame):
        missing = [c for c in cols if c not in population.columns]
        if missing:
            raise ValueError(f"population: column(s) {missing} are not in the population table")
        other = [c for c in population.columns if c not in cols]
        if len(other) != 1:
            raise ValueError("population: the table must hold the stratifying column(s) and one "
                             f"count column, got extra columns {other}")
        keys = (population[cols[0]] if len(cols) == 1
                else list(zip(*(population[c] for c in cols), strict=True)))
        out = {}
        for k, v in zip(keys, population[other[0]], strict=True):
            if _key(k) in {_key(x) for x in out}:
                raise ValueError(f"population: category {k!r} appears twice")
            out[k] = float(v)
        return out
    raise ValueError("population: expected a dict category -> total or a DataFrame, got "
                     f"{type(population).__name__}")


def check_same_total(margins: Mapping, what: str = "margins", rtol: float = 1e-6) -> float:
    """Check every margin sums to the same population total and return it.

    Examples
    --------
    >>> check_same_total({"a": {"x": 1, "y": 2}, "b": {"u": 3}})
    3.0
    """
    sums = {k: float(sum(float(v) for v in m.values())) for k, m in margins.items()}
    values = list(sums.values())
    ref = values[0]
    if any(abs(v - ref) > rtol * max(abs(ref), 1.0) for v in values[1:]):
        shown = ", ".join(f"{_label(_key(k))!r}: {v:g}" for k, v in sums.items())
        raise ValueError(f"{what}: the margins' totals disagree ({shown}); every margin must "
                         "sum to the same population size")
    return ref


def numeric_values(data: pd.DataFrame, column, what: str) -> np.ndarray:
    """A numeric auxiliary column as floats, every value finite; else a ValueError naming the
    column, the first offending value and its row.

    Examples
    --------
    >>> numeric_values(pd.DataFrame({"x": [1, 2.5]}), "x", "totals").tolist()
    [1.0, 2.5]
    >>> numeric_values(pd.DataFrame({"x": [1, None]}, index=["a", "b"]), "x", "totals")
    Traceback (most recent call last):
    ...
    ValueError: totals: column 'x' has a missing value at row 'b'
    """
    if column not in data.columns:
        raise ValueError(f"{what}: column {column!r} is not in the design's data")
    raw = data[column]
    if pd.api.types.is_bool_dtype(raw):
        return raw.to_numpy(dtype=float)
    x = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(x)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        v = raw.iloc[i]
        if pd.isna(v):
            problem = "a missing value"
        elif np.isnan(x[i]):
            problem = f"a value that is not a number, {py_scalar(v)!r},"
        else:
            problem = f"an infinite value {float(x[i])!r}"
        raise ValueError(f"{what}: column {column!r} has {problem} at row {py_scalar(data.index[i])!r}")
    return x


def rake_margins(margins, max_iter, tol) -> dict:
    """The checked arguments of a raking: ``{key: {category: total}}`` (each margin through
    :func:`population_mapping`, all summing to one population size), else a ValueError naming
    the bad argument."""
    if not isinstance(margins, Mapping) or not margins:
        raise ValueError(f"margins: expected a dict column -> {{level: total}}, got {margins!r}")
    if not (isinstance(max_iter, int) and max_iter >= 1):
        raise ValueError(f"max_iter: expected a positive integer, got {max_iter!r}")
    if not tol > 0:
        raise ValueError(f"tol: expected a positive number, got {tol!r}")
    margins = {k: population_mapping(k, v) for k, v in margins.items()}
    check_same_total(margins, what="margins")
    return margins


def numeric_total(var, t) -> float:
    """A numeric auxiliary's population total as a finite float, else a ValueError naming
    the column and the value."""
    try:
        t = float(t)
    except (TypeError, ValueError):
        raise ValueError(f"totals: total for {var!r} is not a number: {t!r}") from None
    if not np.isfinite(t):
        raise ValueError(f"totals: total for {var!r} must be finite, got {t!r}")
    return t

