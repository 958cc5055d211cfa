"""Two means from published summaries, with or without their standard deviations.

Barometers publish "an average of 7.2 out of 10" and rarely the SD. With SDs the comparison is a
Welch t test. Without them the figures cannot decide on their own, and :func:`compare_means`
says how far they go: the largest SD the bounded scale allows (Bhatia and Davis 2000), the
common SD at which the difference stops being significant (the tipping point), and p-values over
a stated range of SDs, each with the rounding of the published means carried through.

References
----------
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. *Biometrika* 34, 28-35.

Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance components.
*Biometrics Bulletin* 2, 110-114.

Bhatia, R. and Davis, C. (2000). A better bound on the variance. *The American Mathematical
Monthly* 107(4), 353-357.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from barotrend.figures.arguments import (
    check_conf_level,
    check_correlation,
    check_positive,
    fpc_factor,
)
from barotrend.figures.exact import check_finite, check_in_scale, check_scale
from barotrend.figures.rounding import (
    check_base,
    check_convention,
    check_decimals,
    exact_value,
    rounding_bounds,
)
from barotrend.results import result_frame

__all__ = ["bhatia_davis_sd", "compare_means"]


def bhatia_davis_sd(mean, scale, n=None) -> float:
    """Largest SD a mean allows on a bounded scale (Bhatia and Davis 2000).

    ``Var(X) <= (max - mean)(mean - min)`` for any distribution on ``[min, max]``, with
    equality when all mass sits at the two ends. A sample SD with denominator ``n - 1`` can
    be ``sqrt(n / (n - 1))`` times larger; give ``n`` for that bound.

    Examples
    --------
    >>> round(bhatia_davis_sd(7.2, (1, 10)), 4)  # sqrt(2.8 * 6.2)
    4.1665
    """
    lo, hi = check_scale(scale)
    m = check_finite(mean, "mean")
    check_in_scale(m, (lo, hi), "mean")
    var = (hi - m) * (m - lo)
    if n is not None:
        n = check_base(n)
        var *= n / (n - 1) if n > 1 else 1.0
    return math.sqrt(var)


def _sd_grid(sd_range) -> np.ndarray:
    """SDs to evaluate: (low, high) gives 5 equally spaced values; a longer list is used as is."""
    if isinstance(sd_range, str) or not hasattr(sd_range, "__len__"):
        raise ValueError(f"sd_range must be a pair (low, high) or a list of SDs, got {sd_range!r}")
    vals = [check_positive(v, "sd_range value") for v in sd_range]
    if len(vals) == 0:
        raise ValueError(f"sd_range is empty, got sd_range={sd_range!r}")
    if len(vals) == 2:
        lo, hi = vals
        if lo > hi:
            raise ValueError(f"sd_range is empty: low above high, got sd_range={sd_range!r}")
        return np.linspace(lo, hi, 5) if hi > lo else np.array([lo])
    return np.array(sorted(vals))


def _rounded_range(m: float, decimals, convention: str, name: str) -> tuple[float, float]:
    if decimals is None:
        return m, m
    exact_value(m, decimals, name)  # names the argument when it has too many decimals
    return rounding_bounds(m, decimals, convention)


def compare_means(mean_a, n_a, mean_b, n_b, *, sd_a=None, sd_b=None, sd_range=None, scale=None,
                  decimals=None, conf_level=0.95, population_size_a=None,
                  population_size_b=None, correlation=None, convention="half_up"
                  ) -> pd.DataFrame:
    r"""Difference of two published means (a - b), with or without their SDs.

    Parameters
    ----------
    mean_a, n_a, mean_b, n_b : float, int
        Published means and their bases.
    sd_a, sd_b : float, optional
        Standard deviations (both or neither). With them: one Welch row.
    sd_range : pair or list of float, optional
        SDs to try when the SDs are unknown: ``(low, high)`` gives five equally spaced values,
        a longer list is used as given. Each gives one row with the p-value if both groups had
        that SD.
    scale : pair of float, optional
        ``(min, max)`` of the response scale: adds the Bhatia-Davis largest SD of each mean.
    decimals : int, optional
        Decimals of the published means; the rounding intervals (``convention``) give the
        smallest and largest difference consistent with them (``difference_min``,
        ``difference_max``), the least favourable tipping point and ``p_value_max``.
    conf_level : float, default 0.95
        Confidence level; significance is judged at ``1 - conf_level``.
    population_size_a, population_size_b : int, optional
        Population sizes for the finite-population correction ``(N - n) / (N - 1)``.
    correlation : float, optional
        Correlation of the two means (overlapping samples), default 0.

    Returns
    -------
    pandas.DataFrame
        Rows told apart by ``row``: ``"welch"`` (SDs known), or ``"sd_max_a"``/``"sd_max_b"``
        (with ``scale``), ``"tipping_sd"``, ``"tipping_sd_rounded"`` (with ``decimals``) and
        ``"p_at_sd"`` (with ``sd_range``). The SD of a row is in ``sd``; ``difference``,
        ``se``, ``ci_low``, ``ci_high``, ``statistic`` (t), ``df`` and ``p_value`` refer to the
        difference of the means.

    Notes
    -----
    Welch: ``v_x = f_x sd_x^2 / n_x``, ``se = sqrt(v_a + v_b - 2 r sqrt(v_a v_b))``,
    ``t = d / se`` on ``df = (v_a + v_b)^2 / (v_a^2 / (n_a - 1) + v_b^2 / (n_b - 1))``
    (Welch-Satterthwaite; with ``r != 0`` the df is kept as an approximation).

    Tipping point: with a common SD ``s``, ``se = s k`` where
    ``k = sqrt(f_a / n_a + f_b / n_b - 2 r sqrt(f_a f_b / (n_a n_b)))`` and the Welch df
    ``(c_a + c_b)^2 / (c_a^2 / (n_a - 1) + c_b^2 / (n_b - 1))`` with ``c_x = f_x / n_x`` does
    not depend on ``s``. The difference is significant at level ``alpha`` exactly when
    ``s < s* = |d| / (t_{1 - alpha/2, df} k)``.

    Bhatia-Davis: on ``[min, max]`` the variance is at most ``(max - m)(m - min)``; a sample SD
    (denominator ``n - 1``) at most ``sqrt(n / (n - 1))`` times the root of that. A tipping
    point below this bound means the published means cannot decide significance.

    References
    ----------
    Welch (1947); Satterthwaite (1946); Bhatia and Davis (2000), see the module docstring.

    Examples
    --------
    Budget confidence 6.5 (n = 85) and 7.2 (n = 94) on a 1-10 scale, SDs unpublished:

    >>> r = compare_means(6.5, 85, 7.2, 94, scale=(1, 10), decimals=1)
    >>> r[["row", "sd"]].round(2).values.tolist()
    [['sd_max_a', 4.42], ['sd_max_b', 4.21], ['tipping_sd', 2.37], ['tipping_sd_rounded', 2.03]]

    R's ``t.test(extra ~ group, data = sleep)`` from the group summaries:

    >>> r = compare_means(0.75, 10, 2.33, 10, sd_a=1.789010, sd_b=2.002249)
    >>> r[["statistic", "df", "p_value"]].round(4).iloc[0].tolist()
    [-1.8608, 17.7765, 0.0794]
    """
    if (sd_a is None) != (sd_b is None):
        raise ValueError(f"give both sd_a and sd_b or neither, got sd_a={sd_a!r}, sd_b={sd_b!r}")
    if sd_a is not None and sd_range is not None:
        raise ValueError(f"give sd_a/sd_b or sd_range, not both (got sd_range={sd_range!r})")
    ctx = _MeanPair.of(mean_a, n_a, mean_b, n_b, scale, decimals, conf_level,
                       population_size_a, population_size_b, correlation, convention)
    if sd_a is not None:
        return result_frame([_welch_row(ctx, sd_a, sd_b)], extra=["row"], shares=False)
    rows = _sd_cap_rows(ctx)
    sd_cap = min(r["sd"] for r in rows) if rows else None
    rows += _tipping_rows(ctx, sd_cap)
    if sd_range is not None:
        rows += [_assumed_sd_row(ctx, float(s), sd_cap) for s in _sd_grid(sd_range)]
    return result_frame(rows, extra=["row", "sd"], shares=False)


@dataclass(frozen=True)
class _MeanPair:
    """The validated inputs of :func:`compare_means` and what every row shares."""

    m_a: float
    m_b: float
    n_a: int
    n_b: int
    c_a: float  # f_a / n_a: the variance of mean a is sd_a^2 c_a
    c_b: float
    r: float
    alpha: float
    decimals: int | None
    lo_hi: tuple | None
    ranges: tuple  # rounding intervals (a_lo, a_hi, b_lo, b_hi)
    d_least: float  # the least favourable difference the rounding allows
    common: dict
    tail: str  # notes every row carries
    correlation: object

    @classmethod
    def of(cls, mean_a, n_a, mean_b, n_b, scale, decimals, conf_level, population_size_a,
           population_size_b, correlation, convention):
        conf_level = check_conf_level(conf_level)
        convention = check_convention(convention)
        m_a, m_b = check_finite(mean_a, "mean_a"), check_finite(mean_b, "mean_b")
        n_a, n_b = check_base(n_a, "n_a"), check_base(n_b, "n_b")
        for nm, nv in (("n_a", n_a), ("n_b", n_b)):
            if nv < 2:
                raise ValueError(f"{nm} must be at least 2 to compare means, got {nm}={nv}")
        if decimals is not None:
            decimals = check_decimals(decimals)
        lo_hi = check_scale(scale) if scale is not None else None
        if lo_hi is not None:
            check_in_scale(m_a, lo_hi, "mean_a")
            check_in_scale(m_b, lo_hi, "mean_b")
        r = 0.0 if correlation is None else check_correlation(correlation)
        f_a = fpc_factor(n_a, population_size_a, "population_size_a")
        f_b = fpc_factor(n_b, population_size_b, "population_size_b")
        a_lo, a_hi = _rounded_range(mean_a, decimals, convention, "mean_a")
        b_lo, b_hi = _rounded_range(mean_b, decimals, convention, "mean_b")
        d_min, d_max = a_lo - b_hi, a_hi - b_lo
        d_least = 0.0 if d_min <= 0 <= d_max else (d_min if d_min > 0 else d_max)
        common = {"estimate_a": m_a, "estimate_b": m_b, "n_a": n_a, "n_b": n_b}
        notes = []
        if decimals is not None:
            common.update(difference_min=d_min, difference_max=d_max)
        if population_size_a is not None or population_size_b is not None:
            notes.append(f"fpc (N-n)/(N-1): a {f_a:.4g}, b {f_b:.4g}")
        if r != 0:
            notes.append(f"correlation of the two means stated as {r:g}; Welch df kept")
        if decimals is not None:
            notes.append(f"rounding to {decimals} dp allows a difference of {d_min:.4g} to "
                         f"{d_max:.4g}")
        return cls(m_a, m_b, n_a, n_b, f_a / n_a, f_b / n_b, r, 1 - conf_level, decimals,
                   lo_hi, (a_lo, a_hi, b_lo, b_hi), d_least, common, "; ".join(notes),
                   correlation)

    @property
    def d(self) -> float:
        return self.m_a - self.m_b

    def test_at(self, v_a: float, v_b: float, diff: float, df: float | None = None) -> dict:
        """Welch's t for variances ``v_a``, ``v_b`` of the two means and a difference."""
        var = v_a + v_b - 2 * self.r * math.sqrt(v_a * v_b)
        if var <= 0:
            raise ValueError("the variance of the difference is zero: check sd_a, sd_b and "
                             f"correlation={self.correlation!r}")
        se = math.sqrt(var)
        if df is None:
            df = (v_a + v_b) ** 2 / (v_a**2 / (self.n_a - 1) + v_b**2 / (self.n_b - 1))
        t = diff / se
        q = float(stats.t.ppf(1 - self.alpha / 2, df))
        return {"difference": diff, "se": se, "ci_low": diff - q * se, "ci_high": diff + q * se,
                "statistic": t, "df": df, "p_value": float(2 * stats.t.sf(abs(t), df))}

    def common_sd(self):
        """``k`` (the SE of the difference per unit of a common SD) and the Welch df, which
        does not depend on that SD."""
        c_a, c_b = self.c_a, self.c_b
        k = math.sqrt(c_a + c_b - 2 * self.r * math.sqrt(c_a * c_b))
        df0 = (c_a + c_b) ** 2 / (c_a**2 / (self.n_a - 1) + c_b**2 / (self.n_b - 1))
        return k, df0


def _welch_row(ctx, sd_a, sd_b) -> dict:
    """The Welch row of two means with published SDs."""
    for nm, s in (("sd_a", sd_a), ("sd_b", sd_b)):
        if isinstance(s, bool) or not isinstance(s, numbers.Real) or not (
            math.isfinite(s) and s >= 0
        ):
            raise ValueError(f"{nm} must be a finite number 0 or more, got {nm}={s!r}")
    s_a, s_b = float(sd_a), float(sd_b)
    v_a, v_b = s_a**2 * ctx.c_a, s_b**2 * ctx.c_b
    row = {"row": "welch", **ctx.common, **ctx.test_at(v_a, v_b, ctx.d), "method": "welch"}
    note = "Welch t test, Welch-Satterthwaite df"
    if ctx.decimals is not None:
        row["p_value_max"] = ctx.test_at(v_a, v_b, ctx.d_least)["p_value"]
    if ctx.lo_hi is not None:
        for nm, m, s, n in (("a", ctx.m_a, s_a, ctx.n_a), ("b", ctx.m_b, s_b, ctx.n_b)):
            bound = bhatia_davis_sd(m, ctx.lo_hi, n)
            if s > bound + 1e-12:
                note += f"; sd_{nm}={s:g} exceeds the largest SD the scale allows ({bound:.4g})"
    row["note"] = "; ".join(x for x in (note, ctx.tail) if x)
    return row


def _sd_cap_rows(ctx) -> list[dict]:
    """The largest SD the scale allows each mean (Bhatia-Davis), when the scale is given."""
    if ctx.lo_hi is None:
        return []
    lo, hi = ctx.lo_hi
    a_lo, a_hi, b_lo, b_hi = ctx.ranges
    rows = []
    for nm, m, lo_m, hi_m, n in (("a", ctx.m_a, a_lo, a_hi, ctx.n_a),
                                 ("b", ctx.m_b, b_lo, b_hi, ctx.n_b)):
        mid = min(max((lo + hi) / 2, lo_m), hi_m)
        mid = min(max(mid, lo), hi)
        rows.append({"row": f"sd_max_{nm}", **ctx.common, "sd": bhatia_davis_sd(mid, ctx.lo_hi, n),
                     "method": "bhatia_davis",
                     "note": (f"largest sample SD (n-1 denominator) a mean of {m:g} allows on "
                              f"{lo:g}-{hi:g}: sqrt(n/(n-1) (max-mean)(mean-min))"
                              + (" at the rounding-interval mean nearest the midpoint"
                                 if ctx.decimals is not None else "")
                              + " (Bhatia and Davis 2000)")})
    return rows


def _tipping_rows(ctx, sd_cap) -> list[dict]:
    """The common SD below which the difference is significant (and at the least favourable
    rounded difference)."""
    k, df0 = ctx.common_sd()
    t_crit = float(stats.t.ppf(1 - ctx.alpha / 2, df0))

    def verdict(s_star: float) -> str:
        text = (f"with a common SD below {s_star:.4g} the difference is significant at "
                f"{ctx.alpha:g} (two-sided Welch t, df {df0:.4g}); above it, not")
        if sd_cap is not None:
            if s_star >= sd_cap:
                text += f"; the scale caps a common SD at {sd_cap:.4g}, so it is significant"
            else:
                text += (f"; the scale allows a common SD up to {sd_cap:.4g}, so the published "
                         "means alone cannot decide")
        return text

    s_star = abs(ctx.d) / (t_crit * k)
    rows = [{"row": "tipping_sd", **ctx.common, "sd": s_star, "difference": ctx.d, "df": df0,
             "method": "tipping_point",
             "note": "; ".join(x for x in (verdict(s_star), ctx.tail) if x)}]
    if ctx.decimals is not None:
        s_lf = abs(ctx.d_least) / (t_crit * k)
        rows.append({"row": "tipping_sd_rounded", **ctx.common, "sd": s_lf,
                     "difference": ctx.d_least, "df": df0, "method": "tipping_point",
                     "note": f"least favourable difference the rounding allows "
                             f"({ctx.d_least:.4g}): " + verdict(s_lf)})
    return rows


def _assumed_sd_row(ctx, s: float, sd_cap) -> dict:
    """The test if both groups had SD ``s`` (an ``sd_range`` row)."""
    _, df0 = ctx.common_sd()
    v_a, v_b = s**2 * ctx.c_a, s**2 * ctx.c_b
    row = {"row": "p_at_sd", **ctx.common, "sd": s, **ctx.test_at(v_a, v_b, ctx.d, df0),
           "method": "welch_assumed_sd"}
    note = f"p-value if both groups had SD {s:g}"
    if ctx.decimals is not None:
        row["p_value_max"] = ctx.test_at(v_a, v_b, ctx.d_least, df0)["p_value"]
        note += "; p_value_max at the least favourable rounded difference"
    if sd_cap is not None and s > sd_cap:
        note += f"; exceeds the largest SD the scale allows ({sd_cap:.4g})"
    row["note"] = "; ".join(x for x in (note, ctx.tail) if x)
    return row
