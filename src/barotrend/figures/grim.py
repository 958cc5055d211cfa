"""Granularity tests for means of integer data: GRIM, GRIMMER and the SD bounds of a scale.

A mean of ``n`` integer answers is a total ``T`` (an integer) divided by ``n``; a sample variance
of integer answers is ``(Q - T**2 / n) / (n - 1)`` with ``Q`` the (integer) sum of squares, and
``Q`` has the parity of ``T`` because ``x**2`` and ``x`` are both odd or both even. A published
rounded mean or SD that no such ``T`` and ``Q`` can produce is impossible.

References
----------
Brown, N. J. L. and Heathers, J. A. J. (2017). The GRIM test. *Social Psychological and
Personality Science* 8(4), 363-369.
Anaya, J. (2016). The GRIMMER test: a method for testing the validity of reported measures of
variability. *PeerJ Preprints* 4:e2400v1.
Bhatia, R. and Davis, C. (2000). A better bound on the variance. *The American Mathematical
Monthly* 107(4), 353-357.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from barotrend.figures.exact import check_finite, check_scale
from barotrend.figures.rounding import (
    check_base,
    check_convention,
    check_decimals,
    exact_bounds,
    exact_value,
)

__all__ = ["MAX_TOTALS", "grim", "grimmer", "sd_bounds"]

#: Most integer totals :func:`grimmer` tries before refusing (each is a closed-form test).
MAX_TOTALS = 1_000_000


def _scale(scale) -> tuple[Fraction, Fraction] | None:
    return None if scale is None else check_scale(scale, exact=True)


def _totals(mean, n, decimals, convention, scale, items=1) -> tuple[int, int]:
    """Integer totals ``T`` of ``n * items`` answers whose mean rounds to ``mean``."""
    m = n * items
    b = exact_bounds(mean, decimals, convention, "mean")
    t_min = math.ceil(b.low * m)
    if not b.low_closed and t_min == b.low * m:
        t_min += 1
    t_max = math.floor(b.high * m)
    if not b.high_closed and t_max == b.high * m:
        t_max -= 1
    if scale is not None:
        t_min = max(t_min, math.ceil(scale[0] * m))
        t_max = min(t_max, math.floor(scale[1] * m))
    return t_min, t_max


def grim(mean, n, decimals=2, items=1, scale=None, convention="half_up") -> pd.DataFrame:
    """GRIM test: can a mean of ``n`` integer answers round to ``mean``?

    The mean of ``n`` respondents answering ``items`` integer-valued items is ``T / (n * items)``
    for an integer total ``T``. The published mean is consistent when some integer ``T`` puts
    ``T / (n * items)`` inside its rounding interval (and, with ``scale``, inside the scale).
    When ``n * items >= 10**decimals`` every value is reachable and the test cannot fail.

    Parameters
    ----------
    mean : float
        Published mean, with ``decimals`` decimals.
    n : int
        Number of respondents (the base of the mean).
    decimals : int, default 2
        Published decimals of the mean.
    items : int, default 1
        Number of integer items averaged per respondent (1 for a single rating).
    scale : (min, max), optional
        Scale bounds; totals outside ``n * items * [min, max]`` are excluded.
    convention : str, default "half_up"
        Rounding rule, see :func:`~barotrend.figures.rounding.rounding_bounds`.

    Returns
    -------
    pandas.DataFrame
        One row: ``mean``, ``n``, ``items``, ``decimals``, ``consistent``, ``total_min``,
        ``total_max`` (feasible integer totals, ``total_min > total_max`` when none),
        ``informative`` (False when ``n * items >= 10**decimals``) and ``note``.

    Examples
    --------
    A mean of 5.19 from 28 integer answers is impossible
    (145/28 = 5.179 and 146/28 = 5.214).

    >>> grim(5.19, 28)[["consistent", "total_min", "total_max"]]
       consistent  total_min  total_max
    0       False        146        145
    >>> bool(grim(5.18, 28)["consistent"].iloc[0])
    True
    """
    decimals = check_decimals(decimals)
    check_convention(convention)
    n = check_base(n, "n")
    items = check_base(items, "items")
    exact_value(mean, decimals, "mean")
    sc = _scale(scale)
    t_min, t_max = _totals(mean, n, decimals, convention, sc, items)
    ok = t_min <= t_max
    informative = n * items < 10**decimals
    if ok:
        note = (f"{mean} is reachable as {t_min}/{n * items}" if t_min == t_max
                else f"{mean} is reachable as T/{n * items} for T in {t_min}-{t_max}")
    else:
        note = f"no integer total T gives T/{n * items} rounding to {mean}"
    if not informative:
        note += f" (uninformative: every mean is reachable when n*items >= {10**decimals})"
    return pd.DataFrame([{"mean": float(mean), "n": n, "items": items, "decimals": decimals,
                          "consistent": ok, "total_min": t_min, "total_max": t_max,
                          "informative": informative, "note": note}])


def grimmer(mean, sd, n, decimals=2, scale=None, sd_decimals=None,
            convention="half_up") -> pd.DataFrame:
    """GRIMMER test: can a mean and SD of ``n`` integer answers round to the published pair?

    For every integer total ``T`` that passes GRIM, the sample SD ``s`` rounds to ``sd`` only if
    the sum of squares ``Q = (n - 1) s**2 + T**2 / n`` is an integer with the parity of ``T``.
    The rounding interval ``[s_lo, s_hi]`` of ``sd`` gives the interval
    ``[(n - 1) s_lo**2 + T**2 / n, (n - 1) s_hi**2 + T**2 / n]`` for ``Q`` (computed exactly);
    the pair is consistent when some ``T`` has an integer ``Q`` of the right parity in it that
    integer answers allow: at least ``n (m**2 + f (1 - f))`` (answers at the two integers around
    ``m = T / n``, ``f`` its fractional part) and, with ``scale = (a, b)``, at most
    ``n (m**2 + (b - m)(m - a))`` (Bhatia-Davis; see :func:`sd_bounds`). These are necessary
    conditions: a "consistent" verdict means no contradiction was found, not that a data set
    with exactly these statistics exists. The search is closed-form per total ``T`` and stops at
    the first ``T`` that works; after ``MAX_TOTALS`` (1,000,000) totals without one it raises
    ``ValueError`` (only possible for ``n`` in the millions, where the mean says nothing).

    Parameters
    ----------
    mean, sd : float
        Published mean and sample SD (``n - 1`` denominator).
    n : int
        Number of respondents, 2 or more.
    decimals : int, default 2
        Published decimals of the mean (and of the SD unless ``sd_decimals`` is given).
    scale : (min, max), optional
        Integer scale bounds of the answers.
    sd_decimals : int, optional
        Published decimals of the SD.
    convention : str, default "half_up"
        Rounding rule.

    Returns
    -------
    pandas.DataFrame
        One row: ``mean``, ``sd``, ``n``, ``grim`` (mean alone consistent), ``consistent``,
        ``totals`` (number of GRIM-consistent totals tried), ``note``.

    References
    ----------
    Anaya, J. (2016). The GRIMMER test: a method for testing the validity of reported measures
    of variability. *PeerJ Preprints* 4:e2400v1 (integer sums of squares and their parity).

    Examples
    --------
    A mean of 3.50 and SD 1.00 from 10 answers is impossible: ``T = 35`` and
    ``Q = 9 * s**2 + 122.5`` with ``s`` in [0.995, 1.005) gives Q in [131.41, 131.59):
    no integer.

    >>> bool(grimmer(3.5, 1.0, 10)["consistent"].iloc[0])
    False
    >>> bool(grimmer(3.5, 1.08, 10)["consistent"].iloc[0])
    True
    """
    decimals = check_decimals(decimals)
    sd_decimals = decimals if sd_decimals is None else check_decimals(sd_decimals, "sd_decimals")
    check_convention(convention)
    n = check_base(n, "n")
    if n < 2:
        raise ValueError(f"n must be 2 or more for a sample SD, got {n!r}")
    exact_value(mean, decimals, "mean")
    if exact_value(sd, sd_decimals, "sd") < 0:
        raise ValueError(f"sd must be 0 or more, got {sd!r}")
    sc = _scale(scale)
    t_min, t_max = _totals(mean, n, decimals, convention, sc)
    sb = exact_bounds(sd, sd_decimals, convention, "sd")
    s_lo = max(sb.low, Fraction(0))
    lo_closed = sb.low_closed or sb.low < 0
    found = None
    for t in range(t_min, t_max + 1):
        q = _smallest_q(t, n, s_lo, lo_closed, sb.high, sb.high_closed, sc)
        if q is not None:
            found = (t, q)
            break
        if t - t_min + 1 >= MAX_TOTALS and t < t_max:
            raise ValueError(
                f"grimmer tried {MAX_TOTALS:,} totals of the {t_max - t_min + 1:,} that mean={mean!r} "
                f"allows on n={n:,} without a match, and stops there (its limit): on bases this "
                f"large (n >= 10**decimals = {10**decimals:,}) the mean constrains nothing")
    grim_ok = t_min <= t_max
    if not grim_ok:
        note = f"the mean {mean} is itself impossible for n={n} (GRIM)"
    elif found:
        t, q = found
        note = f"reachable with total {t} and sum of squares {q} (SD {math.sqrt((q - t * t / n) / (n - 1)):.4f})"
    else:
        note = f"no integer sum of squares of the right parity gives SD {sd} with mean {mean}, n={n}"
    return pd.DataFrame([{"mean": float(mean), "sd": float(sd), "n": n, "grim": grim_ok,
                          "consistent": found is not None, "totals": max(t_max - t_min + 1, 0),
                          "note": note}])


def _smallest_q(t, n, s_lo, lo_closed, s_hi, hi_closed, sc) -> int | None:
    """Smallest integer sum of squares ``Q`` with the parity of ``t`` that integer answers with
    total ``t`` can have and whose SD lies in the SD interval; None if there is none.

    Necessary conditions, all closed-form: the SD interval gives
    ``(n - 1) s**2 + t**2 / n``; integer answers need ``Q >= n (m**2 + f (1 - f))`` with
    ``m = t / n`` and ``f`` its fractional part; a scale ``[a, b]`` needs
    ``Q <= n (m**2 + (b - m)(m - a))`` (Bhatia-Davis).
    """
    m = Fraction(t, n)
    lower = (n - 1) * s_lo**2 + m * m * n
    upper = (n - 1) * s_hi**2 + m * m * n
    f = m - math.floor(m)
    q_int = n * (m * m + f * (1 - f))
    if q_int > lower or (q_int == lower and not lo_closed):
        lower, lo_closed = q_int, True
    if sc is not None:
        a, b = sc
        q_scale = n * (m * m + (b - m) * (m - a))
        if q_scale < upper or (q_scale == upper and not hi_closed):
            upper, hi_closed = q_scale, True
    q = math.ceil(lower)
    if q == lower and not lo_closed:
        q += 1
    if q % 2 != t % 2:
        q += 1
    return q if q < upper or (q == upper and hi_closed) else None


def sd_bounds(mean, n, scale_min, scale_max) -> pd.DataFrame:
    """Smallest and largest sample SD that ``n`` integer answers on a scale allow for a mean.

    Maximum (Bhatia and Davis 2000): the population variance of values in ``[a, b]`` with mean
    ``m`` is at most ``(b - m)(m - a)``; the sample SD (``n - 1`` denominator) is therefore at
    most ``sqrt((b - m)(m - a) * n / (n - 1))``. The bound is attained when every answer is
    ``a`` or ``b``.

    Minimum for integer answers: the variance is smallest when every answer is ``floor(m)`` or
    ``ceil(m)``; with ``f = m - floor(m)`` the population variance is ``f (1 - f)`` and the
    sample SD is at least ``sqrt(f (1 - f) * n / (n - 1))`` (exact when ``n m`` is an integer).

    Parameters
    ----------
    mean : float
        The (exact or published) mean.
    n : int
        Number of answers, 2 or more.
    scale_min, scale_max : float
        Scale bounds, ``scale_min < scale_max``; the mean must lie within them.

    Returns
    -------
    pandas.DataFrame
        One row: ``mean``, ``n``, ``scale_min``, ``scale_max``, ``sd_min``, ``sd_max``, ``note``.

    Examples
    --------
    A mean of 7.2 on a 1-10 scale from 94 answers: maximum ``sqrt(2.8 * 6.2 * 94 / 93)``
    = 4.189; minimum ``sqrt(0.2 * 0.8 * 94 / 93)`` = 0.402.

    >>> sd_bounds(7.2, 94, 1, 10)[["sd_min", "sd_max"]].round(3)
       sd_min  sd_max
    0   0.402   4.189
    """
    n = check_base(n, "n")
    if n < 2:
        raise ValueError(f"n must be 2 or more for a sample SD, got {n!r}")
    lo, hi = _scale((scale_min, scale_max))
    check_finite(mean, "mean")
    m = Fraction(str(mean))
    if not lo <= m <= hi:
        raise ValueError(f"mean must lie within the scale {scale_min}-{scale_max}, got {mean!r}")
    corr = Fraction(n, n - 1)
    v_max = (hi - m) * (m - lo) * corr
    f = m - math.floor(m)
    v_min = f * (1 - f) * corr
    return pd.DataFrame([{
        "mean": float(mean), "n": n, "scale_min": float(scale_min), "scale_max": float(scale_max),
        "sd_min": math.sqrt(v_min), "sd_max": math.sqrt(v_max),
        "note": "max: Bhatia-Davis bound with n/(n-1); min: integer answers at floor/ceil of mean",
    }])
