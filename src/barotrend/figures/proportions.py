"""Confidence intervals for one share from a published count or percentage.

A published "68% (of 94)" is a binomial proportion with a base. :func:`proportion_ci` gives the
interval by any of the usual methods, optionally corrected for sampling without replacement from
a finite population (a barometer answered by 86 of 211 organisations), for a design effect or
effective sample size, and for the rounding of the published percentage.

References
----------
Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison of
seven methods. *Statistics in Medicine* 17, 857-872.

Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a binomial proportion.
*Statistical Science* 16(2), 101-133.

Kish, L. (1965). *Survey Sampling*. Wiley (finite-population correction, design effect).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from barotrend.figures.arguments import (
    check_conf_level,
    check_positive,
    fpc_factor,
    share_from,
)
from barotrend.figures.rounding import check_convention, count_range, exact_bounds
from barotrend.results import result_frame

__all__ = ["PROPORTION_METHODS", "proportion_ci"]

#: Interval methods of :func:`proportion_ci` -> (statsmodels name or None, description).
PROPORTION_METHODS = {
    "wilson": ("wilson", "Wilson score interval"),
    "wilson_cc": (None, "Wilson score interval with continuity correction (Newcombe 1998, method 4)"),
    "clopper_pearson": ("beta", "Clopper-Pearson exact interval"),
    "jeffreys": ("jeffreys", "Jeffreys interval (equal-tailed, Beta(1/2, 1/2) prior)"),
    "agresti_coull": ("agresti_coull", "Agresti-Coull interval"),
    "wald": ("normal", "Wald interval"),
    "logit": (None, "logit (log-odds Wald) interval"),
}




# --------------------------------------------------------------------------------------------
# interval formulas
# --------------------------------------------------------------------------------------------
def _wilson_cc(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval with continuity correction (Newcombe 1998, method 4).

    ``L = (2np + z^2 - 1 - z sqrt(z^2 - 2 - 1/n + 4p(nq + 1))) / (2(n + z^2))`` and
    ``U = (2np + z^2 + 1 + z sqrt(z^2 + 2 - 1/n + 4p(nq - 1))) / (2(n + z^2))``. ``L`` is the
    smaller root of ``(p' - pi)^2 = z^2 pi (1 - pi) / n`` with the corrected estimate
    ``p' = p - 1/(2n)`` (expand the square: the discriminant is ``z^2 (z^2 + 4 n p' (1 - p'))``,
    which is Newcombe's square root); when ``p' <= 0`` (a count of 1/2 or less, only possible
    for the fractional counts of an effective base) no ``pi > 0`` is rejected and ``L = 0``.
    Likewise ``U = 1`` when ``p + 1/(2n) >= 1``. So ``L = 0`` at ``p = 0`` and ``U = 1`` at
    ``p = 1``, as in Newcombe's paper.
    """
    q = 1 - p
    den = 2 * (n + z * z)
    if n * p <= 0.5:
        low = 0.0
    else:
        low = (2 * n * p + z * z - 1 - z * math.sqrt(z * z - 2 - 1 / n + 4 * p * (n * q + 1))) / den
    if n * q <= 0.5:
        high = 1.0
    else:
        high = (2 * n * p + z * z + 1 + z * math.sqrt(z * z + 2 - 1 / n + 4 * p * (n * q - 1))) / den
    return max(low, 0.0), min(high, 1.0)


def _logit(p: float, n: float, z: float, alpha: float) -> tuple[float, float, str]:
    """Logit interval: ``expit(logit(p) +- z / sqrt(n p (1 - p)))`` (Brown et al. 2001, 4.1.2).

    Undefined when ``p`` is 0 or 1; there the Clopper-Pearson limits are used instead.
    """
    if p <= 0 or p >= 1:
        low, high = proportion_confint(p * n, n, alpha=alpha, method="beta")
        return float(low), float(high), "logit interval undefined at 0 or n: Clopper-Pearson used"
    half = z / math.sqrt(n * p * (1 - p))
    centre = math.log(p / (1 - p))
    return float(1 / (1 + math.exp(-(centre - half)))), float(1 / (1 + math.exp(-(centre + half)))), ""


def _interval(p: float, n_star: float, method: str, conf_level: float) -> tuple[float, float, str]:
    """Interval for share ``p`` on effective base ``n_star`` (counts may be fractional).

    At ``p = 0`` the lower limit is exactly 0 and at ``p = 1`` the upper limit exactly 1, for
    every method: the Wilson roots are 0 and 1 there in exact arithmetic (statsmodels returns
    5.6e-17 from round-off), Clopper-Pearson and the logit fallback define them so, and for
    Jeffreys this is the modification of Brown, Cai and DasGupta (2001, section 4.1.3), without
    which the equal-tailed Beta(1/2, n + 1/2) limits exclude the estimate 0 (and 1 at ``x = n``).
    """
    alpha = 1 - conf_level
    z = float(stats.norm.ppf(1 - alpha / 2))
    extra = ""
    if method == "wilson_cc":
        low, high = _wilson_cc(p, n_star, z)
    elif method == "logit":
        low, high, extra = _logit(p, n_star, z, alpha)
    else:
        low, high = proportion_confint(p * n_star, n_star, alpha=alpha,
                                       method=PROPORTION_METHODS[method][0])
    low, high = max(float(low), 0.0), min(float(high), 1.0)
    if p <= 0:
        low = 0.0
    if p >= 1:
        high = 1.0
    return low, high, extra


def _union_counts(k_min: int, k_max: int, method: str) -> list[int]:
    """The counts whose intervals bound the union over the run ``k_min..k_max`` (see Notes of
    :func:`proportion_ci`): the two ends, and for ``logit`` also their inner neighbours."""
    ks = {k_min, k_max}
    if method == "logit":
        ks |= {min(k_min + 1, k_max), max(k_max - 1, k_min)}
    return sorted(ks)


def proportion_ci(count=None, n=None, *, percent=None, decimals=0, method="wilson",
                  conf_level=0.95, population_size=None, deff=None, n_eff=None,
                  rounding="point", convention="half_up") -> pd.DataFrame:
    r"""Confidence interval for one share from a count or a published percentage.

    Parameters
    ----------
    count : int, optional
        Number of respondents with the attribute (give ``count`` or ``percent``, not both).
    n : int
        The base (respondents answering the question).
    percent : float, optional
        The published percentage (0-100), with ``decimals`` decimals.
    decimals : int, default 0
        Decimals of the published percentage.
    method : {"wilson", "wilson_cc", "clopper_pearson", "jeffreys", "agresti_coull", "wald", "logit"}
        Interval method; the statsmodels ``proportion_confint`` implementation is used for all
        but ``wilson_cc`` (Newcombe 1998, method 4) and ``logit`` (Brown et al. 2001), which
        are written out here.
    conf_level : float, default 0.95
        Confidence level.
    population_size : int, optional
        Number of units in the population ``N``. Applies the finite-population correction
        ``f = (N - n) / (N - 1)`` to the variance.
    deff : float, optional
        Design effect; the effective base is ``n / deff``.
    n_eff : float, optional
        Effective sample size (alternative to ``deff``; ``deff = n / n_eff``).
    rounding : {"point", "union"}, default "point"
        ``"union"`` (needs ``percent``) returns the hull of the intervals over every count
        ``k`` of ``n`` whose percentage rounds to ``percent`` (:func:`feasible_counts`).
    convention : str, default "half_up"
        Rounding convention of the published percentage (see :mod:`barotrend.figures.rounding`).

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate`` (0-1), ``se``, ``ci_low``, ``ci_high``, ``n``, ``n_eff``
        (``n / deff``, before any finite-population correction), ``deff``, ``method``, ``note``.

    Notes
    -----
    The standard error is ``sqrt(p (1 - p) / n*)`` with the effective base
    ``n* = n / (deff f)``: the design effect and the finite-population correction both scale
    the binomial variance ``p (1 - p) / n``. Score, exact and Bayesian intervals have no
    variance to scale, so they are computed on the effective base ``n*`` with the effective
    count ``p n*`` (Korn and Graubard 1998 use the same device for Clopper-Pearson under a
    design effect); the note says when this is done. With ``population_size == n`` (a census)
    the variance is zero and the interval is the point.

    With ``rounding="union"`` the interval is the hull of the intervals of every count ``k``
    in the run ``k_min..k_max`` that rounds to ``percent`` on ``n``
    (:func:`~barotrend.figures.rounding.feasible_counts`), computed from the ends of the run
    only, so its cost does not grow with ``n``. This is exact because, at a fixed effective base,
    the limits are non-decreasing in the share ``p = k / n``:

    - ``wilson``: the limits solve ``T(p, pi) = +-z`` for the score statistic
      ``T = (p - pi) / sqrt(pi (1 - pi) / n)``, which increases in ``p`` and decreases in ``pi``
      (``dT/dpi`` has the sign of ``-(pi (1 - p) + p (1 - pi)) <= 0``), so each root increases
      with ``p``.
    - ``wilson_cc``: the same roots with ``p`` replaced by ``p -+ 1/(2n)``, and 0 (1) once the
      corrected share leaves (0, 1).
    - ``clopper_pearson`` and ``jeffreys``: quantiles of Beta(x, n - x + 1) and Beta(x + 1, n - x)
      (Jeffreys: Beta(x + 1/2, n - x + 1/2)), a family stochastically increasing in ``x``; the
      ends 0 at ``x = 0`` and 1 at ``x = n`` keep the order.
    - ``agresti_coull``: ``p~ -+ z sqrt(p~ q~ / n~)`` with ``p~ = (x + z^2/2) / n~``,
      ``n~ = n + z^2``; the derivative ``1 -+ z (1 - 2p~) / (2 sqrt(n~ p~ q~))`` is positive
      because ``n~ p~ >= z^2 / 2`` (and ``n~ q~ >= z^2 / 2``) gives
      ``4 n~ p~ q~ >= 2 z^2 (1 - p~) > z^2 (1 - 2p~)^2``.
    - ``wald``: ``p - z sqrt(p q / n)`` decreases only where ``4 n p q < z^2 (1 - 2p)^2``, which
      implies ``n p < z^2 q``, where the limit is negative and clipped to 0 (upper limit by
      symmetry).
    - ``logit``: not monotone (the lower limit ``expit(logit p - z / sqrt(n p q))`` falls again as
      ``p -> 1`` at fractional effective counts), but on (0, 1) it increases up to one turning
      point and then decreases (``logit p - z / sqrt(n p q)`` has derivative of the sign of
      ``2 sqrt(n p q) - z (2p - 1)``, decreasing in ``p`` above 1/2), so its minimum over a run is
      at an end; the Clopper-Pearson limits used at ``0`` and ``n`` are handled by also
      evaluating the neighbours of the ends. The upper limit mirrors this.

    The tests check the hull against the intervals of every count by enumeration. The
    ``estimate`` stays the published percentage; in a census (or nearly: ``population_size``
    close to ``n``) the interval shrinks to the feasible shares ``k / n``, which can exclude the
    rounded figure itself (68% of 94 is 64/94 = 68.09%); the note then says so.

    References
    ----------
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Statistics in Medicine* 17, 857-872.
    Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16, 101-133.
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. *Survey Methodology* 24,
    193-201.

    Examples
    --------
    Newcombe's (1998) first example, 81 of 263:

    >>> r = proportion_ci(81, 263, method="wilson")
    >>> r[["ci_low", "ci_high"]].round(4).iloc[0].tolist()
    [0.2553, 0.3662]

    A published 68% of 94, with the rounding of the percentage taken into account:

    >>> r = proportion_ci(n=94, percent=68, rounding="union")
    >>> r[["estimate", "ci_low", "ci_high"]].round(3).iloc[0].tolist()
    [0.68, 0.581, 0.766]
    """
    if method not in PROPORTION_METHODS:
        raise ValueError(f"method must be one of {tuple(PROPORTION_METHODS)}, got {method!r}")
    conf_level = check_conf_level(conf_level)
    convention = check_convention(convention)
    if rounding not in ("point", "union"):
        raise ValueError(f"rounding must be 'point' or 'union', got {rounding!r}")
    p, n, note0 = share_from(count, n, percent, decimals)
    notes = [PROPORTION_METHODS[method][1]]
    if note0:
        notes.append(note0)

    if deff is not None and n_eff is not None:
        raise ValueError(f"give either deff or n_eff, not both (got deff={deff!r}, n_eff={n_eff!r})")
    if n_eff is not None:
        n_eff = check_positive(n_eff, "n_eff")
        deff_v = n / n_eff
    elif deff is not None:
        deff_v = check_positive(deff, "deff")
    else:
        deff_v = 1.0
    f = fpc_factor(n, population_size)
    n_design = n / deff_v
    if deff is not None or n_eff is not None:
        notes.append(f"effective base n/deff = {n_design:.4g} (deff {deff_v:.4g})")

    if rounding == "union":
        if percent is None:
            raise ValueError("rounding='union' needs a published percent, got count instead")
        k_min, k_max = count_range(exact_bounds(percent, decimals, convention, "percent"), n)
        if k_min > k_max:
            raise ValueError(
                f"percent={percent!r} is not achievable on n={n} at decimals={decimals} "
                f"({convention}): no count k gives 100k/n rounding to it"
            )
        lows, highs, extras = [], [], []
        for k in _union_counts(k_min, k_max, method):
            lo, hi, e = _one(k / n, n_design, f, method, conf_level)
            lows.append(lo)
            highs.append(hi)
            extras.append(e)
        extra = next((e for e in extras if e), "")
        low, high = min(lows), max(highs)
        notes.append(f"union of intervals over feasible counts {k_min}-{k_max} of {n}")
        if not low <= p <= high:
            notes.append(f"the published {float(percent):g}% itself lies outside: with (nearly) "
                         f"no sampling error the true share is one of {k_min}-{k_max} of {n}")
    else:
        low, high, extra = _one(p, n_design, f, method, conf_level)
    if population_size is not None:
        if f == 0:
            notes.append("census (n = N): no sampling variance")
        elif method in ("wald",):
            notes.append(f"variance times fpc (N-n)/(N-1) = {f:.4g}, N = {int(population_size)}")
        else:
            notes.append(f"fpc (N-n)/(N-1) = {f:.4g} applied through effective base n/fpc, "
                         f"N = {int(population_size)}")
    if extra:
        notes.append(extra)
    n_star = n_design / f if f > 0 else np.inf
    se = math.sqrt(p * (1 - p) / n_star) if f > 0 else 0.0
    return result_frame([{
        "estimate": p, "se": se, "ci_low": low, "ci_high": high, "n": n,
        "n_eff": n_design, "deff": deff_v, "method": method, "note": "; ".join(notes),
    }], shares=True)


def _one(p: float, n_design: float, f: float, method: str, conf_level: float):
    """Interval for one share, with the fpc folded into the effective base."""
    if f == 0:
        return p, p, ""
    return _interval(p, n_design / f, method, conf_level)
