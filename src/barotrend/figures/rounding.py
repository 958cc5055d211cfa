"""Rounding intervals and the integer counts a rounded percentage allows on a base.

A published figure such as "68%" stands for every true value that the publisher's rounding rule
turns into 68. These functions compute that set exactly (with :class:`fractions.Fraction`, never
with floating-point comparisons at the edges) and the integer counts ``k`` of a base ``n`` whose
percentage ``100 k / n`` rounds to the published figure.

Conventions (``decimals`` = published decimals, step ``h = 10**-decimals``):

=============  ===============================================  =================================
convention     rule                                             true values that publish as ``v``
=============  ===============================================  =================================
``half_up``    nearest, ties away from zero (Excel ``ROUND``,   ``v > 0``: ``[v - h/2, v + h/2)``;
               Python ``decimal.ROUND_HALF_UP``)                ``v < 0``: ``(v - h/2, v + h/2]``;
                                                                ``v = 0``: ``(-h/2, h/2)``
``half_even``  nearest, ties to the even last digit             last digit even: both closed;
               (banker's rounding, IEC 60559)                   odd: both open
``half_down``  nearest, ties toward zero                        ``v > 0``: ``(v - h/2, v + h/2]``;
                                                                ``v < 0``: ``[v - h/2, v + h/2)``;
                                                                ``v = 0``: ``[-h/2, h/2]``
``floor``      round down (toward minus infinity; truncation    ``[v, v + h)``
               for non-negative figures)
``ceil``       round up (toward plus infinity)                  ``(v - h, v]``
=============  ===============================================  =================================

References
----------
Brown, N. J. L. and Heathers, J. A. J. (2017). The GRIM test: a simple technique detects numerous
anomalies in the reporting of results in psychology. *Social Psychological and Personality Science*
8(4), 363-369 (the integer-count reasoning used by :func:`feasible_counts`).
"""

from __future__ import annotations

import pandas as pd

# the exact helpers are re-exported here: other modules import them from barotrend.figures.rounding
from barotrend.figures.exact import CONVENTIONS as CONVENTIONS
from barotrend.figures.exact import Bounds as Bounds
from barotrend.figures.exact import check_base as check_base
from barotrend.figures.exact import check_convention as check_convention
from barotrend.figures.exact import check_decimals as check_decimals
from barotrend.figures.exact import check_percent as check_percent
from barotrend.figures.exact import count_range as count_range
from barotrend.figures.exact import exact_bounds as exact_bounds
from barotrend.figures.exact import exact_value as exact_value

__all__ = [
    "CONVENTIONS",
    "MAX_ROWS",
    "feasible_count_range",
    "feasible_counts",
    "rounding_bounds",
    "rounding_interval",
]


#: Most rows :func:`feasible_counts` lists before refusing (see its ``max_rows``).
MAX_ROWS = 1_000_000


def rounding_bounds(value, decimals=0, convention="half_up") -> tuple[float, float]:
    """Closed hull ``(low, high)`` of the true values that publish as ``value``.

    A figure published with ``decimals`` decimals (step ``h = 10**-decimals``) under
    ``convention`` stands for every true value ``x`` with ``round(x) == value``. The set is an
    interval of width ``h``; this returns its two endpoints. Which endpoint is open:

    - ``"half_up"`` (default; ties away from zero): for ``value > 0`` the set is
      ``[value - h/2, value + h/2)`` (the high end is open: 68.5 publishes as 69); for
      ``value < 0`` it is ``(value - h/2, value + h/2]``; for ``value == 0`` both ends are open.
    - ``"half_even"`` (ties to the even last digit): both ends closed when the last published
      digit is even, both open when it is odd.
    - ``"half_down"`` (ties toward zero): for ``value > 0`` ``(value - h/2, value + h/2]``
      (low end open); for ``value < 0`` ``[value - h/2, value + h/2)``; for 0 both closed.
    - ``"floor"`` (round down; truncation of non-negative figures): ``[value, value + h)``.
    - ``"ceil"`` (round up): ``(value - h, value]``.

    Use :func:`rounding_interval` for the open/closed flags as columns. Works for percentages,
    means or any other scale; no clipping to a scale is applied.

    Parameters
    ----------
    value : float
        The published figure; it may not have more than ``decimals`` decimals.
    decimals : int, default 0
        Number of decimals published (0 for "68%", 1 for "7.2").
    convention : {"half_up", "half_even", "half_down", "floor", "ceil"}
        The publisher's rounding rule.

    Returns
    -------
    tuple of float
        ``(low, high)``.

    Raises
    ------
    ValueError
        If ``decimals`` is negative or not whole, ``convention`` is unknown, or ``value`` is not
        a finite number with at most ``decimals`` decimals.

    Examples
    --------
    >>> rounding_bounds(68)
    (67.5, 68.5)
    >>> rounding_bounds(7.2, decimals=1)
    (7.15, 7.25)
    >>> rounding_bounds(68, convention="floor")
    (68.0, 69.0)
    """
    b = exact_bounds(value, decimals, convention)
    return float(b.low), float(b.high)


def rounding_interval(value, decimals=0, convention="half_up") -> pd.DataFrame:
    """One tidy row describing the rounding interval of a published figure.

    Same interval as :func:`rounding_bounds`, with flags saying whether each endpoint belongs to
    the set of true values that publish as ``value``.

    Parameters
    ----------
    value, decimals, convention
        As in :func:`rounding_bounds`.

    Returns
    -------
    pandas.DataFrame
        One row with columns ``value``, ``decimals``, ``convention``, ``low``, ``high``,
        ``low_closed``, ``high_closed``.

    Examples
    --------
    >>> rounding_interval(68).iloc[0].to_dict()
    {'value': 68.0, 'decimals': 0, 'convention': 'half_up', 'low': 67.5, 'high': 68.5, 'low_closed': True, 'high_closed': False}
    """
    b = exact_bounds(value, decimals, convention)
    return pd.DataFrame([{
        "value": float(value), "decimals": int(decimals), "convention": convention,
        "low": float(b.low), "high": float(b.high),
        "low_closed": bool(b.low_closed), "high_closed": bool(b.high_closed),
    }])


def feasible_counts(percent, n, decimals=0, convention="half_up", max_rows=MAX_ROWS) -> pd.DataFrame:
    """Every integer count ``k`` of base ``n`` whose percentage rounds to ``percent``.

    A count ``k`` is feasible when ``100 k / n`` lies in the rounding interval of ``percent``
    (:func:`rounding_bounds`), i.e. ``low <= 100 k / n < high`` for half-up rounding of a
    positive figure. The search is arithmetic, not a scan: ``k`` runs from
    ``ceil(low * n / 100)`` to ``floor(high * n / 100)``, computed with exact fractions, with an
    endpoint dropped when it falls exactly on an open end. Cost is proportional to the number of
    feasible counts (about ``n * 10**-decimals / 100 + 1``), whatever ``n`` is. The feasible
    counts are always one run of consecutive integers: :func:`feasible_count_range` gives the run
    as one row, for bases so large that listing it would not fit in memory.

    Parameters
    ----------
    percent : float
        Published percentage, 0-100, with at most ``decimals`` decimals.
    n : int
        The base (number of respondents answering the question), 1 or more.
    decimals : int, default 0
        Decimals of the published percentage.
    convention : str, default "half_up"
        Rounding rule, see :func:`rounding_bounds`.
    max_rows : int, default 1,000,000
        Most counts listed; a longer run raises ``ValueError`` saying how long it is.

    Returns
    -------
    pandas.DataFrame
        One row per feasible count with columns ``count``, ``n``, ``share`` (``count / n`` as a
        proportion 0-1) and ``percent_exact`` (``100 * count / n``). No rows means the figure is
        impossible on this base (a GRIM-style inconsistency).

    Raises
    ------
    ValueError
        If ``percent`` lies outside 0-100 or has too many decimals, ``n`` is not a positive whole
        number, ``decimals`` is negative, ``convention`` unknown, or there are more than
        ``max_rows`` feasible counts.

    References
    ----------
    Brown and Heathers (2017), the GRIM test, applied to percentages.

    Examples
    --------
    68% of 94 can only be 64 respondents (63/94 = 67.02%, 65/94 = 69.15%):

    >>> feasible_counts(68, 94)
       count   n     share  percent_exact
    0     64  94  0.680851      68.085106

    50% of 85 is impossible: 42/85 = 49.41% and 43/85 = 50.59%.

    >>> len(feasible_counts(50, 85))
    0
    """
    k_min, k_max, n = _run(percent, n, decimals, convention)
    max_rows = check_base(max_rows, "max_rows")
    size = max(k_max - k_min + 1, 0)
    if size > max_rows:
        raise ValueError(
            f"percent={percent!r} allows {size:,} counts on n={n} ({k_min}-{k_max}), more than "
            f"max_rows={max_rows:,}: use feasible_count_range({percent!r}, {n}) for the run as one "
            "row, or pass a larger max_rows"
        )
    counts = pd.Series(range(k_min, k_max + 1) if k_min <= k_max else [], dtype="int64")
    return pd.DataFrame({
        "count": counts,
        "n": pd.Series([n] * len(counts), dtype="int64"),
        "share": counts / n,
        "percent_exact": 100 * counts / n,
    })


def _run(percent, n, decimals, convention) -> tuple[int, int, int]:
    decimals = check_decimals(decimals)
    check_convention(convention)
    check_percent(percent, decimals)
    n = check_base(n)
    k_min, k_max = count_range(exact_bounds(percent, decimals, convention, "percent"), n)
    return k_min, k_max, n


def feasible_count_range(percent, n, decimals=0, convention="half_up") -> pd.DataFrame:
    """The run of counts of base ``n`` whose percentage rounds to ``percent``, as one row.

    Same counts as :func:`feasible_counts` (``count_min`` to ``count_max``, every integer in
    between), computed exactly in constant time for any ``n``.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``count_min``, ``count_max``, ``counts`` (how many, 0 when the figure
        is impossible on ``n``), ``share_min`` and ``share_max`` (NaN when there are none).

    Examples
    --------
    50% of a million million: ten thousand million counts, from 49.5% up to just below 50.5%.

    >>> r = feasible_count_range(50, 10**12)
    >>> r[["count_min", "count_max", "counts"]].iloc[0].tolist()
    [495000000000, 504999999999, 10000000000]
    """
    k_min, k_max, n = _run(percent, n, decimals, convention)
    ok = k_min <= k_max
    return pd.DataFrame([{
        "n": n, "count_min": k_min, "count_max": k_max, "counts": max(k_max - k_min + 1, 0),
        "share_min": k_min / n if ok else float("nan"), "share_max": k_max / n if ok else float("nan"),
    }])
