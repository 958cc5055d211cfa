"""Argument checks shared by the published-figure inference modules.

Each raises ``ValueError`` naming the argument and the offending value.
"""

from __future__ import annotations

import math
import numbers

from barotrend.figures.rounding import check_base, check_decimals, check_percent


def check_conf_level(conf_level) -> float:
    """Validate a confidence level strictly between 0 and 1."""
    if isinstance(conf_level, bool) or not isinstance(conf_level, numbers.Real) or not (
        0 < conf_level < 1
    ):
        raise ValueError(f"conf_level must lie strictly between 0 and 1, got {conf_level!r}")
    return float(conf_level)


def check_positive(value, name: str) -> float:
    """Validate a finite number greater than 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        math.isfinite(value) and value > 0
    ):
        raise ValueError(f"{name} must be a finite number greater than 0, got {value!r}")
    return float(value)


def check_correlation(value, name: str = "correlation") -> float:
    """Validate a correlation in [-1, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        -1 <= value <= 1
    ):
        raise ValueError(f"{name} must lie within -1 to 1, got {value!r}")
    return float(value)


def fpc_factor(n: float, population_size, name: str = "population_size") -> float:
    """Finite-population correction ``(N - n) / (N - 1)`` (1 when ``population_size`` is None).

    Sampling ``n`` of ``N`` units without replacement multiplies the variance of a mean or
    proportion by this factor (Kish 1965, section 2.3; Cochran 1977, theorem 3.2).
    """
    if population_size is None:
        return 1.0
    big_n = check_base(population_size, name)
    if big_n < n:
        raise ValueError(f"{name} must be at least the base n={n:g}, got {population_size!r}")
    if big_n == 1:
        return 0.0
    return (big_n - n) / (big_n - 1)


def check_count(count, n: int, name: str = "count") -> int:
    """Validate a whole-number count between 0 and the base."""
    if isinstance(count, bool) or not isinstance(count, numbers.Real) or not (
        math.isfinite(count) and float(count).is_integer()
    ):
        raise ValueError(f"{name} must be a whole number, got {count!r}")
    if not 0 <= count <= n:
        raise ValueError(f"{name} must lie within 0 and the base {n}, got {count!r}")
    return int(count)


def share_from(count, n, percent, decimals, names=("count", "n", "percent")) -> tuple[float, int, str]:
    """The share, the base and a note from exactly one of ``count`` and ``percent``."""
    cname, nname, pname = names
    if n is None:
        raise ValueError(f"{nname} (the base) is required, got {nname}=None")
    n = check_base(n, nname)
    decimals = check_decimals(decimals)
    if count is not None and percent is not None:
        raise ValueError(
            f"give either {cname} or {pname}, not both (got {cname}={count!r}, {pname}={percent!r})"
        )
    if count is None and percent is None:
        raise ValueError(f"one of {cname} or {pname} is required, got neither")
    if count is not None:
        k = check_count(count, n, cname)
        return k / n, n, ""
    p = check_percent(percent, decimals, pname)
    return float(p) / 100, n, f"estimate is the published {float(p):g}% (rounded to {decimals} dp)"
