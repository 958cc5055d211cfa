"""Exact rounding arithmetic shared by :mod:`barotrend.figures`: argument checks, the exact
interval of true values behind a rounded figure, and the integer counts inside it.

Everything here works on :class:`fractions.Fraction` or integers, so an endpoint such as
``68.5% of 200 = 137`` is decided exactly, never by a floating-point comparison. The conventions
are described in :mod:`barotrend.figures.rounding`.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NamedTuple

import numpy as np

__all__ = [
    "CONVENTIONS", "MAX_BASE", "MAX_DECIMALS", "Bounds", "check_base", "check_base_range", "check_convention",
    "check_decimals", "check_finite", "check_in_scale", "check_percent", "check_scale",
    "count_range", "count_ranges", "exact_bounds", "exact_value",
]

#: The rounding conventions understood by every function of :mod:`barotrend.figures`.
CONVENTIONS = ("half_up", "half_even", "half_down", "floor", "ceil")


class Bounds(NamedTuple):
    """Exact rounding interval: endpoints as fractions and whether each is included."""

    low: Fraction
    high: Fraction
    low_closed: bool
    high_closed: bool

    def contains(self, x: Fraction) -> bool:
        """Whether the exact value ``x`` publishes as the rounded figure."""
        above = x >= self.low if self.low_closed else x > self.low
        below = x <= self.high if self.high_closed else x < self.high
        return above and below


#: Largest base (or population size) accepted: 10**15 is below 2**53, so every count up to it is
#: exact as a float.
MAX_BASE = 10**15

#: Most decimals a published figure may state (a float carries about 17 significant digits;
#: without a cap, ``10**decimals`` would grow without bound).
MAX_DECIMALS = 20


def check_decimals(decimals, name: str = "decimals") -> int:
    """Validate a number of published decimals (a whole number from 0 to ``MAX_DECIMALS``)."""
    if isinstance(decimals, bool) or not isinstance(decimals, numbers.Integral):
        if not (isinstance(decimals, float) and decimals.is_integer() and decimals >= 0):
            raise ValueError(f"{name} must be a whole number 0 or more, got {decimals!r}")
    if decimals < 0:
        raise ValueError(f"{name} must be 0 or more, got {decimals!r}")
    if decimals > MAX_DECIMALS:
        raise ValueError(f"{name} must be at most {MAX_DECIMALS}, got {decimals!r}")
    return int(decimals)


def check_convention(convention) -> str:
    """Validate a rounding convention name."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    return convention


def exact_value(value, decimals: int, name: str = "value") -> Fraction:
    """The published figure as an exact fraction; it may not have more than ``decimals`` decimals.

    Integers, :class:`~decimal.Decimal` and :class:`~fractions.Fraction` are taken exactly. A
    binary float is read as the decimal it stands for: ``value * 10**decimals`` must be within
    ``1e-9`` (relative) of a whole number, so ``0.1 + 0.2`` passes as ``0.3`` at one decimal
    but ``68.5`` fails at zero decimals.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, Fraction | numbers.Integral):
        exact = Fraction(value)
    else:
        try:
            d = Decimal(str(value))
        except InvalidOperation as err:  # pragma: no cover - str of a Real always parses
            raise ValueError(f"{name} must be a number, got {value!r}") from err
        if not d.is_finite():
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        exact = Fraction(d)
        if not isinstance(value, Decimal):  # tolerate binary floating-point noise
            scaled = exact * 10**decimals
            whole = round(scaled)
            if abs(scaled - whole) <= Fraction(1, 10**9) * max(1, abs(scaled)):
                exact = Fraction(whole, 10**decimals)
    if (exact * 10**decimals).denominator != 1:
        raise ValueError(
            f"{name} {value!r} has more decimals than the stated decimals={decimals}"
        )
    return exact


def exact_bounds(value, decimals: int = 0, convention: str = "half_up",
                 name: str = "value") -> Bounds:
    """Exact interval of true values that publish as ``value`` (see the module table)."""
    decimals = check_decimals(decimals)
    convention = check_convention(convention)
    v = exact_value(value, decimals, name)
    h = Fraction(1, 10**decimals)
    if convention == "floor":
        return Bounds(v, v + h, True, False)
    if convention == "ceil":
        return Bounds(v - h, v, False, True)
    low, high = v - h / 2, v + h / 2
    if convention == "half_even":
        even = (v * 10**decimals).numerator % 2 == 0
        return Bounds(low, high, even, even)
    sign = (v > 0) - (v < 0)
    if convention == "half_up":  # ties away from zero
        return Bounds(low, high, sign > 0, sign < 0)
    # half_down: ties toward zero
    return Bounds(low, high, sign <= 0, sign >= 0)


def check_base(n, name: str = "n") -> int:
    """Validate a base (a whole number of respondents, 1 or more)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Real):
        raise ValueError(f"{name} must be a positive whole number, got {n!r}")
    if isinstance(n, numbers.Integral):
        n = int(n)
    elif math.isfinite(n) and float(n).is_integer():
        n = int(n)
    else:
        raise ValueError(f"{name} must be a positive whole number, got {n!r}")
    if n <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {n!r}")
    if n > MAX_BASE:
        raise ValueError(f"{name} must be at most {MAX_BASE:.0e} (above it counts lose their "
                         f"exactness as floats), got {n!r}")
    return n


def check_percent(percent, decimals: int, name: str = "percent") -> Fraction:
    """Validate a published percentage (0-100) and return it exactly."""
    p = exact_value(percent, decimals, name)
    if not 0 <= p <= 100:
        raise ValueError(f"{name} must lie within 0-100, got {percent!r}")
    return p


def count_range(bounds: Bounds, n: int, scale: int = 100) -> tuple[int, int]:
    """Smallest and largest integer ``k`` in 0..n with ``scale * k / n`` inside ``bounds``.

    Pure integer arithmetic: ``k >= low * n / scale`` gives ``k_min = ceil(low * n / scale)``,
    moved up by one when the low end is open and hit exactly; likewise for ``k_max``. Returns
    ``(k_min, k_max)`` with ``k_min > k_max`` when no count qualifies.
    """
    lo = bounds.low * n / scale
    hi = bounds.high * n / scale
    k_min = math.ceil(lo)
    if not bounds.low_closed and k_min == lo:
        k_min += 1
    k_max = math.floor(hi)
    if not bounds.high_closed and k_max == hi:
        k_max -= 1
    return max(k_min, 0), min(k_max, n)



def count_ranges(bounds: Bounds, ns) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised count runs: for every base in ``ns``, the smallest and largest ``k`` in 0..n
    with ``100 k / n`` inside ``bounds`` (``k_min > k_max`` where no count qualifies).

    ``k_min = ceil(low * n / 100)``, plus one if the low end is open and hit exactly;
    ``k_max = floor(high * n / 100)``, minus one if the high end is open and hit exactly. Integer
    arithmetic on the numerators and denominators of the exact bounds; object arrays (Python
    integers) are used when ``int64`` could overflow.

    Examples
    --------
    >>> lo, hi = count_ranges(exact_bounds(50), [84, 85, 86])
    >>> lo.tolist(), hi.tolist()
    ([42, 43, 43], [42, 42, 43])
    """
    ns = np.asarray(ns, dtype=np.int64)
    ln, ld = bounds.low.numerator, bounds.low.denominator * 100
    hn, hd = bounds.high.numerator, bounds.high.denominator * 100
    biggest = max(abs(ln), abs(hn), ld, hd) * (int(ns.max()) if ns.size else 1)
    if biggest >= 2**62:
        ns = ns.astype(object)
    k_min = -((-ln * ns) // ld)
    if not bounds.low_closed:
        k_min = k_min + ((ln * ns) % ld == 0)
    k_max = (hn * ns) // hd
    if not bounds.high_closed:
        k_max = k_max - ((hn * ns) % hd == 0)
    k_min = np.maximum(k_min, 0).astype(np.int64)
    k_max = np.minimum(k_max, ns).astype(np.int64)
    return k_min, k_max



def check_base_range(min_base, max_base) -> tuple[int, int]:
    """Validate a range of bases ``min_base <= max_base`` (both 1 or more)."""
    lo = check_base(min_base, "min_base")
    hi = check_base(max_base, "max_base")
    if hi < lo:
        raise ValueError(f"max_base must be at least min_base={lo}, got {max_base!r}")
    return lo, hi


def _is_finite_real(x) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Real) and math.isfinite(x)


def check_finite(value, name: str) -> float:
    """Validate a finite real number (not a bool) and return it as a float.

    Examples
    --------
    >>> check_finite(7, "mean")
    7.0
    """
    if not _is_finite_real(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_scale(scale, name: str = "scale", exact: bool = False):
    """Validate a scale ``(min, max)``: two finite real numbers with min below max.

    Returns the pair as floats, or with ``exact=True`` as fractions of the decimals they print
    as (``Fraction(str(x))``, so ``0.1`` is ``1/10``).

    Examples
    --------
    >>> check_scale((1, 10))
    (1.0, 10.0)
    >>> check_scale((0.1, 5), exact=True)
    (Fraction(1, 10), Fraction(5, 1))
    """
    try:
        lo, hi = scale
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a pair (min, max), got {scale!r}") from err
    if not (_is_finite_real(lo) and _is_finite_real(hi)):
        raise ValueError(f"{name} must hold two finite numbers, got {scale!r}")
    lo, hi = (Fraction(str(lo)), Fraction(str(hi))) if exact else (float(lo), float(hi))
    if not lo < hi:
        raise ValueError(f"{name} min must be below its max, got {name}={scale!r}")
    return lo, hi


def check_in_scale(value, scale, name: str) -> None:
    """A published figure must lie on its scale ``(min, max)``.

    Examples
    --------
    >>> check_in_scale(11.0, (1.0, 10.0), "mean")
    Traceback (most recent call last):
    ...
    ValueError: mean=11 lies outside the scale 1-10
    """
    if not scale[0] <= value <= scale[1]:
        raise ValueError(f"{name}={value:g} lies outside the scale {scale[0]:g}-{scale[1]:g}")
