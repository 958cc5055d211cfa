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
import numbers

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from barotrend.figures.rounding import check_base, check_convention, check_decimals, check_percent
from barotrend.figures.rounding import feasible_counts as _feasible_counts
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
# argument checks shared by the aggregate-inference modules
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# interval formulas
# --------------------------------------------------------------------------------------------
def _wilson_cc(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval with continuity correction (Newcombe 1998, eq. for method 4).

    ``L = (2np + z^2 - 1 - z sqrt(z^2 - 2 - 1/n + 4p(nq + 1))) / (2(n + z^2))`` and
    ``U = (2np + z^2 + 1 + z sqrt(z^2 + 2 - 1/n + 4p(nq - 1))) / (2(n + z^2))``, with
    ``L = 0`` when ``p = 0`` and ``U = 1`` when ``p = 1``.
    """
    q = 1 - p
    den = 2 * (n + z * z)
    if p <= 0:
        low = 0.0
    else:
        low = (2 * n * p + z * z - 1 - z * math.sqrt(max(z * z - 2 - 1 / n + 4 * p * (n * q + 1),
                                                         0.0))) / den
    if p >= 1:
        high = 1.0
    else:
        high = (2 * n * p + z * z + 1 + z * math.sqrt(max(z * z + 2 - 1 / n + 4 * p * (n * q - 1),
                                                          0.0))) / den
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
    """Interval for share ``p`` on effective base ``n_star`` (counts may be fractional)."""
    alpha = 1 - conf_level
    z = float(stats.norm.ppf(1 - alpha / 2))
    if method == "wilson_cc":
        low, high = _wilson_cc(p, n_star, z)
        return low, high, ""
    if method == "logit":
        return _logit(p, n_star, z, alpha)
    low, high = proportion_confint(p * n_star, n_star, alpha=alpha,
                                   method=PROPORTION_METHODS[method][0])
    return max(float(low), 0.0), min(float(high), 1.0), ""


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
        ks = _feasible_counts(percent, n, decimals, convention)["count"].tolist()
        if not ks:
            raise ValueError(
                f"percent={percent!r} is not achievable on n={n} at decimals={decimals} "
                f"({convention}): no count k gives 100k/n rounding to it"
            )
        lows, highs = [], []
        for k in ks:
            lo, hi, extra = _one(k / n, n_design, f, method, conf_level)
            lows.append(lo)
            highs.append(hi)
        low, high = min(lows), max(highs)
        notes.append(f"union of intervals over feasible counts {ks[0]}-{ks[-1]} of {n}")
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


# --------------------------------------------------------------------------------------------
# two shares
# --------------------------------------------------------------------------------------------
#: Interval methods of :func:`compare_proportions`.
DIFFERENCE_METHODS = {
    "newcombe": "Newcombe hybrid score interval (1998, method 10)",
    "newcombe_cc": "Newcombe hybrid score interval with continuity correction (1998, method 11)",
    "agresti_caffo": "Agresti-Caffo interval (one success and one failure added per group)",
    "wald": "Wald interval",
}
#: Tests of :func:`compare_proportions`.
DIFFERENCE_TESTS = {
    "z": "pooled two-proportion z test",
    "chisq": "Pearson chi-square test with Yates' continuity correction",
    "fisher": "Fisher's exact test",
}
ALTERNATIVES = ("two-sided", "greater", "less")


def estimate_correlation(correlation, overlap, n_a: int, n_b: int) -> tuple[float, str]:
    """Correlation between two estimates from a stated correlation and optional overlap.

    With ``overlap = m`` units answering both surveys and unit-level correlation ``rho``
    between their two answers, ``Cov(p_a, p_b) = m rho S_a S_b / (n_a n_b)``, so the
    correlation of the estimates is ``rho m / sqrt(n_a n_b)`` (Kish 1965, section 12.4).
    Without ``overlap``, ``correlation`` is taken as the correlation of the two estimates.
    """
    if overlap is not None and correlation is None:
        raise ValueError(
            f"overlap={overlap!r} needs the unit-level correlation between the two answers of "
            "the overlapping units; give correlation= (a stated value, e.g. 0.5)"
        )
    if correlation is None:
        return 0.0, ""
    rho = check_correlation(correlation)
    if overlap is None:
        return rho, f"correlation of the two estimates stated as {rho:g}"
    m = check_count(overlap, min(n_a, n_b), "overlap")
    r = rho * m / math.sqrt(n_a * n_b)
    return r, (f"partial overlap: {m} units in both samples with unit correlation {rho:g}; "
               f"correlation of estimates rho*m/sqrt(n_a n_b) = {r:.4g} (Kish 1965, 12.4)")


def _p_value(stat: float, alternative: str) -> float:
    if alternative == "two-sided":
        return float(2 * stats.norm.sf(abs(stat)))
    if alternative == "greater":
        return float(stats.norm.sf(stat))
    return float(stats.norm.cdf(stat))


def compare_proportions(count_a=None, n_a=None, count_b=None, n_b=None, *, percent_a=None,
                        percent_b=None, decimals=0, method="newcombe", test="z", conf_level=0.95,
                        population_size_a=None, population_size_b=None, correlation=None,
                        overlap=None, alternative="two-sided", convention="half_up"
                        ) -> pd.DataFrame:
    r"""Difference of two shares (a - b) with an interval and a test.

    Parameters
    ----------
    count_a, n_a, count_b, n_b : int
        Counts and bases of the two samples (give ``percent_a``/``percent_b`` instead of the
        counts for published percentages).
    percent_a, percent_b : float, optional
        Published percentages (0-100) with ``decimals`` decimals.
    decimals : int, default 0
        Decimals of the published percentages; the note gives the range of the difference
        the rounding allows.
    method : {"newcombe", "newcombe_cc", "agresti_caffo", "wald"}
        Interval for the difference.
    test : {"z", "chisq", "fisher"}
        ``"z"``: pooled z test (equal to the uncorrected Pearson chi-square);
        ``"chisq"``: Pearson chi-square with Yates' correction (as R's ``prop.test``);
        ``"fisher"``: Fisher's exact test (scipy; statistic is the sample odds ratio).
    conf_level : float, default 0.95
    population_size_a, population_size_b : int, optional
        Population sizes for the finite-population correction ``(N - n) / (N - 1)``.
    correlation : float, optional
        Correlation of the two estimates (samples that overlap, e.g. the same organisations
        answering two waves); with ``overlap`` it is the unit-level correlation of the two
        answers of an organisation in both samples.
    overlap : int, optional
        Number of units in both samples.
    alternative : {"two-sided", "greater", "less"}
        Alternative of the test; ``"greater"`` is share a above share b.
    convention : str, default "half_up"
        Rounding convention of the published percentages.

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate_a``, ``estimate_b``, ``difference``, ``se``, ``ci_low``,
        ``ci_high``, ``statistic``, ``p_value``, ``n_a``, ``n_b``, ``method``, ``note``.

    Notes
    -----
    With variances ``v_a = p_a (1 - p_a) f_a / n_a`` (``f`` the finite-population correction)
    and correlation ``r`` of the two estimates,
    ``se = sqrt(v_a + v_b - 2 r sqrt(v_a v_b))``. For partially overlapping samples with ``m``
    common units and unit-level correlation ``rho``, ``r = rho m / sqrt(n_a n_b)`` (Kish 1965,
    section 12.4; Bland and Butland, *Comparing proportions in overlapping samples*).

    Newcombe's hybrid score interval combines the Wilson limits ``(l_a, u_a)`` and
    ``(l_b, u_b)``: ``L = d - sqrt((p_a - l_a)^2 - 2 r (p_a - l_a)(u_b - p_b) + (u_b - p_b)^2)``
    and ``U = d + sqrt((u_a - p_a)^2 - 2 r (u_a - p_a)(p_b - l_b) + (p_b - l_b)^2)``. With
    ``r = 0`` this is Newcombe's (1998) method 10 (method 11 with continuity-corrected
    limits); with ``r != 0`` it is the correlation adjustment of his paired-data method
    (Newcombe 1998b, method 10) with the stated correlation in place of the phi coefficient.
    The finite-population correction enters the score limits through the effective bases
    ``n / f``. The chi-square and Fisher tests assume independent samples drawn with
    replacement; they refuse ``correlation``/``overlap``.

    References
    ----------
    Newcombe, R. G. (1998a). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873-890.
    Newcombe, R. G. (1998b). Improved confidence intervals for the difference between binomial
    proportions based on paired data. *Statistics in Medicine* 17, 2635-2650.
    Agresti, A. and Caffo, B. (2000). Simple and effective confidence intervals for
    proportions and differences of proportions result from adding two successes and two
    failures. *The American Statistician* 54, 280-288.
    Kish, L. (1965). *Survey Sampling*. Wiley, section 12.4.

    Examples
    --------
    Newcombe's (1998a) example (a), 56/70 vs 48/80:

    >>> r = compare_proportions(56, 70, 48, 80)
    >>> r[["difference", "ci_low", "ci_high"]].round(4).iloc[0].tolist()
    [0.2, 0.0524, 0.3339]

    Published figures only, 73% of 85 in January vs 68% of 94 in the next wave:

    >>> r = compare_proportions(n_a=85, n_b=94, percent_a=73, percent_b=68)
    >>> print(round(float(r.p_value[0]), 2))
    0.46
    """
    if method not in DIFFERENCE_METHODS:
        raise ValueError(f"method must be one of {tuple(DIFFERENCE_METHODS)}, got {method!r}")
    if test not in DIFFERENCE_TESTS:
        raise ValueError(f"test must be one of {tuple(DIFFERENCE_TESTS)}, got {test!r}")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    conf_level = check_conf_level(conf_level)
    convention = check_convention(convention)
    p_a, n_a, note_a = share_from(count_a, n_a, percent_a, decimals, ("count_a", "n_a", "percent_a"))
    p_b, n_b, note_b = share_from(count_b, n_b, percent_b, decimals, ("count_b", "n_b", "percent_b"))
    f_a = fpc_factor(n_a, population_size_a, "population_size_a")
    f_b = fpc_factor(n_b, population_size_b, "population_size_b")
    r, r_note = estimate_correlation(correlation, overlap, n_a, n_b)
    if test in ("chisq", "fisher") and correlation is not None:
        raise ValueError(
            f"test={test!r} assumes independent samples; it cannot use correlation={correlation!r}"
            " (use test='z')"
        )
    if test == "chisq" and alternative != "two-sided":
        raise ValueError(f"test='chisq' is two-sided only, got alternative={alternative!r}")

    z = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    d = p_a - p_b
    v_a, v_b = p_a * (1 - p_a) * f_a / n_a, p_b * (1 - p_b) * f_b / n_b
    se = math.sqrt(max(v_a + v_b - 2 * r * math.sqrt(v_a * v_b), 0.0))
    notes = [DIFFERENCE_METHODS[method], DIFFERENCE_TESTS[test]]

    if method == "wald":
        low, high = d - z * se, d + z * se
    elif method == "agresti_caffo":
        ne_a, ne_b = _eff(n_a, f_a), _eff(n_b, f_b)
        t_a, t_b = (p_a * ne_a + 1) / (ne_a + 2), (p_b * ne_b + 1) / (ne_b + 2)
        w_a, w_b = t_a * (1 - t_a) / (ne_a + 2), t_b * (1 - t_b) / (ne_b + 2)
        se_t = math.sqrt(max(w_a + w_b - 2 * r * math.sqrt(w_a * w_b), 0.0))
        low, high = t_a - t_b - z * se_t, t_a - t_b + z * se_t
    else:
        one = "wilson_cc" if method == "newcombe_cc" else "wilson"
        l_a, u_a = _limits(p_a, n_a, f_a, one, conf_level)
        l_b, u_b = _limits(p_b, n_b, f_b, one, conf_level)
        dl = math.sqrt(max((p_a - l_a) ** 2 - 2 * r * (p_a - l_a) * (u_b - p_b) + (u_b - p_b) ** 2,
                           0.0))
        du = math.sqrt(max((u_a - p_a) ** 2 - 2 * r * (u_a - p_a) * (p_b - l_b) + (p_b - l_b) ** 2,
                           0.0))
        low, high = d - dl, d + du
        if r != 0:
            notes.append("correlation enters as in Newcombe's (1998b) paired method 10")
    low, high = max(low, -1.0), min(high, 1.0)

    if test == "z":
        stat, pval, tnote = _pooled_z(p_a, n_a, f_a, p_b, n_b, f_b, r, alternative)
    else:
        stat, pval, tnote = _table_test(p_a, n_a, p_b, n_b, test, alternative,
                                        exact_counts=percent_a is None and percent_b is None)
    notes += [x for x in (tnote, r_note, note_a, note_b) if x]
    if population_size_a is not None or population_size_b is not None:
        notes.append(f"fpc (N-n)/(N-1): a {f_a:.4g}, b {f_b:.4g}")
        if test != "z":
            notes.append(f"test={test!r} ignores the finite-population correction")
    if percent_a is not None and percent_b is not None:
        from barotrend.figures.rounding import rounding_bounds

        lo_a, hi_a = rounding_bounds(percent_a, decimals, convention)
        lo_b, hi_b = rounding_bounds(percent_b, decimals, convention)
        notes.append(f"rounding of the published percentages allows a difference of "
                     f"{lo_a - hi_b:.4g} to {hi_a - lo_b:.4g} points")
    return result_frame([{
        "estimate_a": p_a, "estimate_b": p_b, "difference": d, "se": se, "ci_low": low,
        "ci_high": high, "statistic": stat, "p_value": pval, "n_a": n_a, "n_b": n_b,
        "method": method, "note": "; ".join(notes),
    }], extra=["n_a", "n_b"], shares=True)


def _eff(n: int, f: float) -> float:
    return n / f if f > 0 else 1e12


def _limits(p: float, n: int, f: float, method: str, conf_level: float) -> tuple[float, float]:
    if f == 0:
        return p, p
    low, high, _ = _interval(p, n / f, method, conf_level)
    return low, high


def _pooled_z(p_a, n_a, f_a, p_b, n_b, f_b, r, alternative):
    pooled = (p_a * n_a + p_b * n_b) / (n_a + n_b)
    var0 = pooled * (1 - pooled) * (f_a / n_a + f_b / n_b - 2 * r * math.sqrt(f_a * f_b / (n_a * n_b)))
    if var0 <= 0:
        if p_a == p_b:
            return np.nan, 1.0, "no variation under the null: p-value 1"
        return np.nan, np.nan, "null variance is zero (census or all-or-none): no test"
    stat = (p_a - p_b) / math.sqrt(var0)
    return stat, _p_value(stat, alternative), ""


def _table_test(p_a, n_a, p_b, n_b, test, alternative, exact_counts):
    x_a, x_b = p_a * n_a, p_b * n_b
    note = ""
    if test == "fisher" and not exact_counts:
        x_a, x_b = round(x_a), round(x_b)
        note = f"Fisher test on the counts nearest the published percentages ({x_a}, {x_b})"
    table = np.array([[x_a, n_a - x_a], [x_b, n_b - x_b]])
    if test == "fisher":
        res = stats.fisher_exact(table.astype(int), alternative=alternative)
        return float(res.statistic), float(res.pvalue), note
    if (table.sum(axis=0) == 0).any():
        return np.nan, 1.0, "a column of the 2x2 table is empty: no chi-square test"
    res = stats.chi2_contingency(table, correction=True)
    return float(res.statistic), float(res.pvalue), note
