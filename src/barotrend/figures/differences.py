"""Two shares from independent samples: the difference, its interval and a test.

Two waves, two groups or two surveys: ``compare_proportions`` gives Newcombe's hybrid score
interval (with or without continuity correction), Agresti-Caffo or Wald for the difference, and
the pooled z, chi-square or Fisher test, with finite-population corrections and, for samples that
overlap (the same organisations answering two waves), a stated correlation or overlap count.

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873-890.

Agresti, A. and Caffo, B. (2000). Simple and effective confidence intervals for proportions and
differences of proportions result from adding two successes and two failures. *The American
Statistician* 54(4), 280-288.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from barotrend.figures.arguments import (
    check_conf_level,
    check_correlation,
    check_count,
    fpc_factor,
    share_from,
)
from barotrend.figures.proportions import _interval
from barotrend.figures.rounding import check_convention, rounding_bounds
from barotrend.results import result_frame

__all__ = ["ALTERNATIVES", "DIFFERENCE_METHODS", "DIFFERENCE_TESTS", "compare_proportions",
           "estimate_correlation"]


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
    ``n / f``. The Newcombe and Wald intervals always contain the observed difference; the
    Agresti-Caffo interval is centred on the adjusted ``t_a - t_b`` with
    ``t = (x + 1) / (n + 2)`` and can exclude it when a share is 0 or 1 on a small base at
    confidence levels below 95% (e.g. 0/1 against 1/1 at 90%); the note then says so. The chi-square and Fisher tests assume independent samples drawn with
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
        if not low <= d <= high:
            notes.append(f"the Agresti-Caffo interval is centred on the adjusted difference "
                         f"{t_a - t_b:.4g} and excludes the observed {d:.4g} (a share at 0 or 1 "
                         "on a small base, below 95% confidence): prefer method='newcombe'")
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
