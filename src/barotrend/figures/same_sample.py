"""Two shares published from the same respondents: two answers to one question, or two items.

Published toplines often set two shares of one sample side by side ("43% disagreed and only 31%
agreed", "64% effective with area teams, 14% with NHS England nationally"). The shares are not
independent, so the two-sample tests of :mod:`barotrend.figures.differences` do not apply.

* Two categories of one single-answer question (multinomial): ``d = p_a - p_b`` with
  ``Var(d) = (p_a + p_b - (p_a - p_b)^2) / n`` (Scott and Seber 1983).
* Two yes/no items answered by the same ``n`` respondents: ``Var(d) = (p_a q_a + p_b q_b
  - 2 (p_ab - p_a p_b)) / n`` where ``p_ab``, the share answering yes to both, is never published.
  The Frechet bounds ``max(0, p_a + p_b - 1) <= p_ab <= min(p_a, p_b)`` bound the variance; the
  verdict uses the least favourable (largest) variance unless a correlation is stated.

Both multiply the variance by the finite-population correction ``(N - n) / (N - 1)`` when a
population size is given, and take the least favourable counts consistent with the rounding.

References
----------
Scott, A. J. and Seber, G. A. F. (1983). Difference of proportions from the same survey.
*The American Statistician* 37(4), 319-320.

Wild, C. J. and Seber, G. A. F. (1993). Comparing two proportions from the same survey.
*The American Statistician* 47(3), 178-181.
"""

from __future__ import annotations

import math

from scipy import stats

from barotrend.figures.arguments import check_conf_level, check_correlation, fpc_factor
from barotrend.figures.rounding import (
    check_base,
    check_decimals,
    check_percent,
    count_range,
    exact_bounds,
)
from barotrend.results import result_frame

__all__ = ["compare_categories", "compare_items"]


def _z_row(d, var, n, conf_level, fpc, direction):
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    se = math.sqrt(max(var * fpc, 0.0))
    stat = d / se if se > 0 else math.copysign(math.inf, d) if d else 0.0
    if direction == "greater":
        p = float(stats.norm.sf(stat))
    elif direction == "less":
        p = float(stats.norm.cdf(stat))
    else:
        p = float(2 * stats.norm.sf(abs(stat)))
    # a difference of two shares lies within -1 to 1: the Wald limits are clipped there
    return {"se": se, "ci_low": max(d - z * se, -1.0), "ci_high": min(d + z * se, 1.0),
            "statistic": stat, "p_value": p}


def _counts(percent, n, decimals, name) -> tuple[int, int]:
    """The run ``(k_min, k_max)`` of counts of ``n`` rounding to ``percent``."""
    check_percent(percent, decimals, name)
    k_min, k_max = count_range(exact_bounds(percent, decimals, "half_up", name), n)
    if k_min > k_max:
        raise ValueError(f"{name}={percent!r} is not achievable on base n={n}: no whole count "
                         f"rounds to it (check the base)")
    return k_min, k_max


def _worst_pairs(a: tuple[int, int], b: tuple[int, int], n: int) -> list[tuple[int, int]]:
    """The pairs of counts among which the least favourable one lies (see
    :func:`compare_categories`), each with ``k_a + k_b <= n``."""
    (a0, a1), (b0, b1) = a, b
    out = []
    if a0 + min(b1, n - a0) <= n and min(b1, n - a0) >= b0:
        out.append((a0, min(b1, n - a0)))  # smallest z
    if min(a1, n - b0) >= a0:
        out.append((min(a1, n - b0), b0))  # largest z
    t = max(a0, b0)
    if t <= min(a1, b1) and 2 * t <= n:
        out.append((t, t))  # z = 0
    return out


def _check_direction(direction):
    if direction not in ("two-sided", "greater", "less"):
        raise ValueError(f"direction must be 'two-sided', 'greater' or 'less', got {direction!r}")
    return direction


def compare_categories(percent_a, percent_b, n, *, decimals=0, conf_level=0.95,
                       population_size=None, direction="two-sided", rounding="worst"):
    """Difference of two answer categories of one single-answer question on one sample.

    The counts ``(k_a, k_b)`` are multinomial, so with ``p = k / n``::

        d = p_a - p_b,   Var(d) = (p_a + p_b - (p_a - p_b)^2) / n  [ x (N - n)/(N - 1) ]

    and ``z = d / se`` (Scott and Seber 1983). The point row uses the published percentages;
    with ``rounding="worst"`` a second row gives the least favourable pair of whole counts that
    round to the published figures (``k_a + k_b <= n``): the one with the largest p-value.

    That pair is found without listing the pairs: with ``D = a - b``, ``S = a + b`` and
    ``z ~ D / sqrt(S - D^2)``, ``dz/da`` has the sign of ``a + 3b >= 0`` and ``dz/db`` that of
    ``-(3a + b) <= 0``. So ``z`` is smallest at the smallest ``k_a`` with the largest ``k_b``
    that fits (``k_b <= n - k_a``), largest at the mirror pair, and 0 at ``k_a = k_b`` when the
    runs share a count ``t`` with ``2t <= n``; the region of feasible pairs is convex, so when it
    does not meet ``k_a = k_b`` it lies on one side, where ``|z|`` is smallest at one of the
    first two pairs. The p-value is largest at one of these (at most) three pairs.

    Parameters
    ----------
    percent_a, percent_b : float
        Published percentages (0-100) of two categories of the same question.
    n : int
        Base (respondents answering the question).
    decimals : int, default 0
        Decimals of the published percentages.
    conf_level : float, default 0.95
    population_size : int, optional
        Population size ``N`` for the finite-population correction.
    direction : {"two-sided", "greater", "less"}
        Alternative hypothesis for the p-value (``greater``: ``p_a > p_b``).
    rounding : {"worst", "point"}
        Whether to add the least favourable row over the counts the rounding allows.

    Returns
    -------
    pandas.DataFrame
        One or two rows: estimate_a, estimate_b, difference, se, ci_low, ci_high, statistic,
        p_value, n, method, note, and ``row`` (``published`` or ``worst_rounding``).

    Examples
    --------
    43% disagree vs 31% agree of 273 CCG leads: ``Var = (0.74 - 0.0144) / 273``, so
    ``se = 0.051555`` and ``z = 0.12 / 0.051555 = 2.3276``:

    >>> r = compare_categories(43, 31, 273)
    >>> r.loc[0, ["difference", "se", "statistic"]].round(4).tolist()
    [0.12, 0.0516, 2.3276]
    """
    n = check_base(n)
    decimals = check_decimals(decimals)
    conf_level = check_conf_level(conf_level)
    direction = _check_direction(direction)
    if rounding not in ("worst", "point"):
        raise ValueError(f"rounding must be 'worst' or 'point', got {rounding!r}")
    pa = float(check_percent(percent_a, decimals, "percent_a")) / 100
    pb = float(check_percent(percent_b, decimals, "percent_b")) / 100
    if pa + pb > 1 + 10 ** -decimals * 2 / 100:
        raise ValueError(f"percent_a + percent_b = {percent_a + percent_b!r} exceeds 100: "
                         "not two categories of one single-answer question")
    fpc = fpc_factor(n, population_size)
    method = "multinomial difference, z test (Scott & Seber 1983)"
    fpc_note = "" if population_size is None else f"; fpc (N={population_size})"

    def row(a, b, label, note):
        d = a - b
        var = (a + b - d * d) / n
        return {"estimate_a": a, "estimate_b": b, "difference": d, **_z_row(
            d, var, n, conf_level, fpc, direction), "n": n, "method": method,
            "note": note + fpc_note, "row": label}

    rows = [row(pa, pb, "published", "published percentages taken as exact")]
    if rounding == "worst":
        pairs = _worst_pairs(_counts(percent_a, n, decimals, "percent_a"),
                             _counts(percent_b, n, decimals, "percent_b"), n)
        if not pairs:
            raise ValueError(f"no pair of counts rounding to {percent_a!r}% and {percent_b!r}% "
                             f"fits in base n={n}")
        worst = max((row(x / n, y / n, "worst_rounding",
                         f"least favourable counts {x} and {y} of {n}") for x, y in pairs),
                    key=lambda r: r["p_value"])
        rows.append(worst)
    return result_frame(rows, extra=["row"], shares=True)


def compare_items(percent_a, percent_b, n, *, correlation=None, decimals=0, conf_level=0.95,
                  population_size=None, direction="two-sided"):
    """Difference of two yes/no items answered by the same respondents.

    ``Var(p_a - p_b) = (p_a q_a + p_b q_b - 2 c) / n`` with ``c = p_ab - p_a p_b`` the
    covariance of the two answers. ``p_ab`` is unpublished; the Frechet bounds
    ``max(0, p_a + p_b - 1) <= p_ab <= min(p_a, p_b)`` give the largest and smallest variance.
    Rows: ``worst_case`` (largest variance), ``independent`` (``c = 0``), ``best_case``
    (smallest variance) and, when ``correlation`` is stated,
    ``stated_correlation`` (``c = rho sqrt(p_a q_a p_b q_b)``). The claim of a difference is
    supported whatever the overlap when the worst-case row is significant.

    Parameters
    ----------
    percent_a, percent_b : float
        Published percentages of two items (0-100).
    n : int
        Respondents answering both items.
    correlation : float, optional
        A stated correlation between the two answers, -1 to 1.
    decimals, conf_level, population_size, direction
        As :func:`compare_categories`.

    Examples
    --------
    64% vs 14% of 273: the worst case ``p_ab = max(0, 0.78 - 1) = 0`` gives
    ``Var = (0.2304 + 0.1204 + 2 * 0.0896) / 273``, ``se = 0.04405``, ``z = 11.35``:

    >>> r = compare_items(64, 14, 273).set_index("row")
    >>> r.loc["worst_case", ["se", "statistic"]].round(3).tolist()
    [0.044, 11.35]
    """
    n = check_base(n)
    decimals = check_decimals(decimals)
    conf_level = check_conf_level(conf_level)
    direction = _check_direction(direction)
    pa = float(check_percent(percent_a, decimals, "percent_a")) / 100
    pb = float(check_percent(percent_b, decimals, "percent_b")) / 100
    fpc = fpc_factor(n, population_size)
    va, vb = pa * (1 - pa), pb * (1 - pb)
    d = pa - pb
    covs = [("worst_case", max(0.0, pa + pb - 1) - pa * pb,
             "joint share at its Frechet lower bound: largest variance"),
            ("independent", 0.0, "answers to the two items assumed independent"),
            ("best_case", min(pa, pb) - pa * pb,
             "joint share at its Frechet upper bound: smallest variance")]
    if correlation is not None:
        rho = check_correlation(correlation)
        covs.append(("stated_correlation", rho * math.sqrt(va * vb), f"stated correlation {rho:g}"))
    fpc_note = "" if population_size is None else f"; fpc (N={population_size})"
    rows = [{"estimate_a": pa, "estimate_b": pb, "difference": d,
             **_z_row(d, (va + vb - 2 * c) / n, n, conf_level, fpc, direction), "n": n,
             "method": "paired difference of two items, z test (Wild & Seber 1993)",
             "note": note + fpc_note, "row": label} for label, c, note in covs]
    return result_frame(rows, extra=["row"], shares=True)
