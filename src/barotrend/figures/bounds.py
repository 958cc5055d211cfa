"""What response rates and aggregate figures allow: bounds and post-stratified shares.

* :func:`manski_bounds`: the worst-case range of a population share (or mean on a bounded
  scale) when only some units responded and nothing is assumed about the rest.
* :func:`poststratify_shares`: published subgroup shares re-weighted to a known or stated
  population composition, with the variance and, for compositions known only as ranges, the
  range of the re-weighted share.
* :func:`mean_share_bounds`: the range of the share beyond a threshold that a mean on a bounded
  scale allows, for comparing "an average of 7.3 out of 10" with "44% not confident".

References
----------
Manski, C. F. (1989). Anatomy of the selection problem. *Journal of Human Resources* 24, 343-360.

Manski, C. F. (2003). *Partial Identification of Probability Distributions*. Springer, ch. 1.

Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley, section 5A.9 (post-stratification).
"""

from __future__ import annotations

import math
import numbers

import pandas as pd
from scipy import stats

from barotrend.figures.arguments import check_conf_level, fpc_factor
from barotrend.figures.means import check_finite, check_in_scale, check_scale
from barotrend.figures.rounding import (
    check_base,
    check_convention,
    check_decimals,
    exact_value,
    rounding_bounds,
)
from barotrend.results import result_frame

__all__ = ["manski_bounds", "mean_share_bounds", "poststratify_shares"]

KINDS = ("percent", "share", "mean")


def _value_range(value, decimals, convention, name) -> tuple[float, float]:
    if decimals is None:
        return float(value), float(value)
    decimals = check_decimals(decimals)
    exact_value(value, decimals, name)  # names the argument when it has too many decimals
    return rounding_bounds(value, decimals, convention)


def manski_bounds(percent_or_share, n_respondents, population_size, *, kind="percent", scale=None,
                  decimals=None, convention="half_up") -> pd.DataFrame:
    r"""Worst-case (Manski) bounds for a population share or mean given unit non-response.

    Parameters
    ----------
    percent_or_share : float
        The respondents' figure: a percentage (``kind="percent"``, 0-100), a share
        (``kind="share"``, 0-1) or a mean (``kind="mean"``, needs ``scale``).
    n_respondents : int
        Responding units.
    population_size : int
        Units in the population (all were invited).
    kind : {"percent", "share", "mean"}
    scale : pair of float, optional
        ``(min, max)`` of the response scale, for ``kind="mean"``.
    decimals : int, optional
        Decimals of the published figure; the bounds then cover its whole rounding interval.
    convention : str, default "half_up"

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate`` (share 0-1 or mean), ``bound_low``, ``bound_high``,
        ``response_rate``, ``n``, ``population_size``, ``method``, ``note``.

    Notes
    -----
    With response rate ``R = n / N`` and respondents' share ``p``, the population share is
    ``R p + (1 - R) q`` for the unknown share ``q`` among non-respondents, so without any
    assumption about ``q`` it lies in ``[R p, R p + (1 - R)]`` (Manski 1989). For a mean on
    ``[a, b]`` the bounds are ``[R m + (1 - R) a, R m + (1 - R) b]``. The width ``1 - R`` does
    not shrink with more respondents of the same rate: only assumptions (e.g. missing at
    random within groups) narrow it. The respondents' figure is taken as exact for the
    responding units (no sampling error: they are the units, not a sample of them).

    References
    ----------
    Manski (1989); Manski (2003), see the module docstring.

    Examples
    --------
    68% among the 86 of 211 CCGs that responded:

    >>> r = manski_bounds(68, 86, 211)
    >>> r[["bound_low", "bound_high"]].round(4).iloc[0].tolist()
    [0.2772, 0.8696]
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    convention = check_convention(convention)
    n = check_base(n_respondents, "n_respondents")
    big_n = check_base(population_size, "population_size")
    if big_n < n:
        raise ValueError(f"population_size must be at least n_respondents={n}, got {population_size!r}")
    v = check_finite(percent_or_share, "percent_or_share")
    rate = n / big_n
    lo_v, hi_v = _value_range(v, decimals, convention, "percent_or_share")
    if kind == "mean":
        if scale is None:
            raise ValueError("kind='mean' needs scale=(min, max), got scale=None")
        a, b = check_scale(scale)
        check_in_scale(v, (a, b), "percent_or_share")
        lo_v, hi_v = max(lo_v, a), min(hi_v, b)
        est = v
    else:
        top = 100.0 if kind == "percent" else 1.0
        if not 0 <= v <= top:
            raise ValueError(f"percent_or_share must lie within 0-{top:g} for kind={kind!r}, got {v!r}")
        lo_v, hi_v = max(lo_v, 0.0) / top, min(hi_v, top) / top
        est, a, b = v / top, 0.0, 1.0
    low, high = rate * lo_v + (1 - rate) * a, rate * hi_v + (1 - rate) * b
    note = (f"worst case: the {big_n - n} non-responding units could all sit at {a:g} or all at "
            f"{b:g} (Manski 1989); response rate {n}/{big_n} = {rate:.4g}; no assumption about "
            "why units did not respond; any narrower range needs one (e.g. missing at random)")
    if decimals is not None:
        note += f"; covers the rounding interval of the published {v:g}"
    return result_frame([{
        "estimate": est, "n": n, "method": "manski", "note": note, "bound_low": low,
        "bound_high": high, "response_rate": rate, "population_size": big_n,
    }], extra=["bound_low", "bound_high", "response_rate", "population_size"],
        shares=kind != "mean")


# --------------------------------------------------------------------------------------------
# post-stratification of published subgroup shares
# --------------------------------------------------------------------------------------------
def _composition(population: dict, groups: list, bases: dict, counts: bool):
    """Parse the population: point shares, counts ``N_h`` (with fpc) or ranges of shares."""
    missing = [g for g in groups if g not in population]
    extra = [g for g in population if g not in groups]
    if missing or extra:
        raise ValueError(f"population must have the groups of shares {groups}, got "
                         f"{list(population)} (missing {missing}, extra {extra})")
    ranged = any(population[g] is None or not isinstance(population[g], numbers.Real)
                 for g in groups)
    if counts and ranged:
        raise ValueError("population_counts=True needs one count per group, got ranges in "
                         f"population={population!r}")
    if not ranged:
        vals = {}
        for g in groups:
            w = population[g]
            if isinstance(w, bool) or not math.isfinite(w) or w < 0:
                raise ValueError(f"population[{g!r}] must be a number 0 or more, got {w!r}")
            vals[g] = float(w)
        total = sum(vals.values())
        if total <= 0:
            raise ValueError(f"population values must not all be 0, got {population!r}")
        if counts:
            fpc = {g: fpc_factor(bases[g], population[g], f"population[{g!r}]") for g in groups}
            return {g: (vals[g] / total, vals[g] / total) for g in groups}, fpc
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"population shares must sum to 1, got {total:g} (pass "
                             "population_counts=True for counts N_h)")
        return {g: (vals[g], vals[g]) for g in groups}, None
    ranges = {}
    for g in groups:
        w = population[g]
        if w is None:
            lo, hi = 0.0, 1.0
        elif isinstance(w, numbers.Real) and not isinstance(w, bool):
            lo = hi = float(w)
        else:
            try:
                lo, hi = (float(x) for x in w)
            except (TypeError, ValueError) as err:
                raise ValueError(f"population[{g!r}] must be a share, a (low, high) range or "
                                 f"None, got {w!r}") from err
        if not 0 <= lo <= hi <= 1:
            raise ValueError(f"population[{g!r}] must be a range of shares 0 <= low <= high <= 1, "
                             f"got {w!r}")
        ranges[g] = (lo, hi)
    if sum(r[0] for r in ranges.values()) > 1 + 1e-12 or sum(r[1] for r in ranges.values()) < 1 - 1e-12:
        raise ValueError(f"population ranges cannot sum to 1, got population={population!r}")
    return ranges, None


def _extreme(ranges: dict, p: dict, largest: bool) -> dict:
    """Composition within the ranges (summing to 1) that minimises or maximises sum W p.

    A linear function over the box-and-simplex polytope: start every group at its low end and
    hand the remaining weight to the groups with the smallest (largest) shares first.
    """
    w = {g: r[0] for g, r in ranges.items()}
    left = 1 - sum(w.values())
    for g in sorted(ranges, key=lambda g: p[g], reverse=largest):
        add = min(left, ranges[g][1] - ranges[g][0])
        w[g] += add
        left -= add
    return w


def poststratify_shares(shares: dict, sizes_or_bases: dict, population: dict, *, percent=True,
                        population_counts=False, conf_level=0.95) -> pd.DataFrame:
    r"""Re-weight published subgroup shares to a known or stated population composition.

    Parameters
    ----------
    shares : dict
        Group -> published share (percent 0-100, or 0-1 with ``percent=False``).
    sizes_or_bases : dict
        Group -> number of respondents in the group (its base ``n_h``).
    population : dict
        Group -> population composition: shares summing to 1, or ranges ``(low, high)`` of
        shares when the composition is only roughly known (``None`` for "whatever remains",
        i.e. ``(0, 1)``), or with ``population_counts=True`` population counts ``N_h``.
    percent : bool, default True
        Whether ``shares`` are percentages.
    population_counts : bool, default False
        ``population`` holds counts ``N_h``: the composition is ``N_h / N`` and the
        finite-population correction ``(N_h - n_h)/(N_h - 1)`` applies within each group.
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Rows told apart by ``row``: ``"respondents"`` (the respondents' own mix,
        ``sum n_h p_h / n``), then ``"poststratified"`` for a point composition, or
        ``"poststratified_min"``, ``"poststratified_max"`` and ``"sensitivity"`` (the range
        ``bound_low``-``bound_high`` and the hull of the two intervals) for ranges. The
        composition used is in ``weights``.

    Notes
    -----
    ``p_ps = sum_h W_h p_h`` with variance ``sum_h W_h^2 f_h p_h (1 - p_h) / n_h``, treating
    the group bases as fixed (Cochran 1977, 5A.9 without the ``1/n^2`` term for random group
    sizes), and a Wald interval clipped to [0, 1]. The re-weighted share equals the population
    share only if non-respondents resemble respondents *within* each group (missing at random
    given the group). With ranges for ``W``, ``p_ps`` is linear in ``W`` and its extremes sit at
    vertices found greedily; the interval hull uses the two extreme compositions.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., section 5A.9.
    Holt, D. and Smith, T. M. F. (1979). Post stratification. *JRSS A* 142, 33-46.

    Examples
    --------
    61% of GPs (56 respondents) and 31% of non-GPs (29), with GPs 50-70% of CCG leaders:

    >>> r = poststratify_shares({"GP": 61, "non-GP": 31}, {"GP": 56, "non-GP": 29},
    ...                         {"GP": (0.5, 0.7), "non-GP": None})
    >>> r[["row", "estimate", "bound_low", "bound_high"]].round(3).values.tolist()[-1]
    ['sensitivity', nan, 0.46, 0.52]
    """
    if not isinstance(shares, dict) or not shares:
        raise ValueError(f"shares must be a non-empty dict of group -> share, got {shares!r}")
    conf_level = check_conf_level(conf_level)
    groups = list(shares)
    if set(sizes_or_bases) != set(groups):
        raise ValueError(f"sizes_or_bases must have the groups of shares {groups}, got "
                         f"{list(sizes_or_bases)}")
    top = 100.0 if percent else 1.0
    p, n = {}, {}
    for g in groups:
        v = check_finite(shares[g], f"shares[{g!r}]")
        if not 0 <= v <= top:
            raise ValueError(f"shares[{g!r}] must lie within 0-{top:g}, got {shares[g]!r}")
        p[g] = v / top
        n[g] = check_base(sizes_or_bases[g], f"sizes_or_bases[{g!r}]")
    ranges, fpc = _composition(population, groups, n, bool(population_counts))
    fpc = fpc or {g: 1.0 for g in groups}
    z = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    n_tot = sum(n.values())

    def row(name: str, w: dict, note: str) -> dict:
        est = sum(w[g] * p[g] for g in groups)
        se = math.sqrt(sum(w[g] ** 2 * fpc[g] * p[g] * (1 - p[g]) / n[g] for g in groups))
        return {"row": name, "estimate": est, "se": se, "ci_low": max(est - z * se, 0.0),
                "ci_high": min(est + z * se, 1.0), "n": n_tot, "method": "poststratified",
                "weights": "; ".join(f"{g}: {w[g]:.4g}" for g in groups), "note": note}

    mix = {g: n[g] / n_tot for g in groups}
    resp = row("respondents", mix, "the respondents' own group mix (no re-weighting)")
    resp["method"] = "respondent_mix"
    rows = [resp]
    assumption = ("assumes non-respondents resemble respondents within each group (missing at "
                  "random given the group); group bases treated as fixed")
    if all(lo == hi for lo, hi in ranges.values()):
        w = {g: ranges[g][0] for g in groups}
        note = "re-weighted to the stated composition; " + assumption
        if any(f != 1.0 for f in fpc.values()):
            note += "; fpc (N_h-n_h)/(N_h-1) within groups"
        rows.append(row("poststratified", w, note))
    else:
        lo_row = row("poststratified_min", _extreme(ranges, p, False), "composition within the "
                     "stated ranges giving the smallest share; " + assumption)
        hi_row = row("poststratified_max", _extreme(ranges, p, True), "composition within the "
                     "stated ranges giving the largest share; " + assumption)
        rows += [lo_row, hi_row, {
            "row": "sensitivity", "ci_low": lo_row["ci_low"], "ci_high": hi_row["ci_high"],
            "n": n_tot, "method": "poststratified_range", "bound_low": lo_row["estimate"],
            "bound_high": hi_row["estimate"],
            "note": "range of the re-weighted share over the stated composition ranges; the "
                    "interval is the hull of the intervals at the two extreme compositions; "
                    + assumption}]
    return result_frame(rows, extra=["row", "weights"], shares=True)


# --------------------------------------------------------------------------------------------
# a mean against a share
# --------------------------------------------------------------------------------------------
def _share_above(m: float, lo: float, hi: float, t: float, below_t: float) -> tuple[float, float]:
    """Bounds on P(X >= t) for X on [lo, hi] with mean m; below_t is the largest value < t."""
    if t <= lo:
        return 1.0, 1.0
    if t > hi:
        return 0.0, 0.0
    # most mass at or above t: put it exactly at t and the rest at lo
    upper = 1.0 if m >= t else (m - lo) / (t - lo)
    # least mass at or above t: the rest as high as possible below t, this mass at hi
    lower = 0.0 if m <= below_t else (m - below_t) / (hi - below_t)
    return max(lower, 0.0), min(upper, 1.0)


def mean_share_bounds(mean, scale, threshold, *, side="below", integer=True, decimals=None,
                      convention="half_up", published_percent=None) -> pd.DataFrame:
    r"""The range of the share at or beyond a threshold that a mean on a bounded scale allows.

    Parameters
    ----------
    mean : float
        Published mean.
    scale : pair of float
        ``(min, max)`` of the scale.
    threshold : float
        Cut-off on the scale: the share of answers ``<= threshold`` (``side="below"``) or
        ``>= threshold`` (``side="above"``).
    side : {"below", "above"}
    integer : bool, default True
        Answers are whole numbers (a 1-10 rating); otherwise any value on the scale.
    decimals : int, optional
        Decimals of the published mean: the bounds cover its rounding interval.
    convention : str, default "half_up"
    published_percent : float, optional
        A share published elsewhere (e.g. "44% not confident"); the row says whether it lies
        inside the bounds.

    Returns
    -------
    pandas.DataFrame
        One row: ``share_min``, ``share_max``, ``mean``, ``threshold``, ``side``,
        ``published_share`` and ``within_bounds`` (when given), ``method``, ``note``.

    Notes
    -----
    For ``X`` on ``[a, b]`` with mean ``m`` and threshold ``t``, ``P(X >= t)`` is largest when the
    mass at or above ``t`` sits exactly at ``t`` and the rest at ``a``: ``(m - a)/(t - a)``
    (Markov's inequality applied to ``X - a``), or 1 if ``m >= t``. It is smallest when the mass
    below ``t`` sits at the largest value below it, ``t-`` (``t - 1`` on an integer scale, ``t``
    itself as a limit otherwise), and the rest at ``b``: ``(m - t-)/(b - t-)``, or 0 if
    ``m <= t-``. ``side="below"`` mirrors the scale. These bounds are sharp: two-point
    distributions attain them.

    A mean and a share are different measures: comparing them needs (1) the same population and
    question, (2) a mapping of the category (e.g. "not confident") to a threshold on the scale
    and (3) a distributional shape; the bounds are what is left without (3).

    Examples
    --------
    A mean of 7.3 on 1-10 against "44% not confident", taking "not confident" as 5 or less:

    >>> r = mean_share_bounds(7.3, (1, 10), 5, side="below", decimals=1, published_percent=44)
    >>> r[["share_min", "share_max"]].round(4).iloc[0].tolist(), bool(r.within_bounds[0])
    ([0.0, 0.55], True)
    """
    if side not in ("below", "above"):
        raise ValueError(f"side must be 'below' or 'above', got {side!r}")
    lo, hi = check_scale(scale)
    m = check_finite(mean, "mean")
    check_in_scale(m, (lo, hi), "mean")
    t = check_finite(threshold, "threshold")
    if not lo <= t <= hi:
        raise ValueError(f"threshold={threshold!r} lies outside the scale {lo:g}-{hi:g}")
    if integer and not (float(lo).is_integer() and float(hi).is_integer()):
        raise ValueError(f"integer=True needs whole-number scale ends, got scale={scale!r}")
    convention = check_convention(convention)
    m_lo, m_hi = _value_range(m, decimals, convention, "mean")
    m_lo, m_hi = max(m_lo, lo), min(m_hi, hi)
    if side == "below":  # mirror: X <= t  <=>  (lo + hi - X) >= lo + hi - t
        t_m = lo + hi - (math.floor(t) if integer else t)
        ms = (lo + hi - m_hi, lo + hi - m_lo)
    else:
        t_m = math.ceil(t) if integer else t
        ms = (m_lo, m_hi)
    below = t_m - 1 if integer else t_m
    share_min = _share_above(ms[0], lo, hi, t_m, below)[0]
    share_max = _share_above(ms[1], lo, hi, t_m, below)[1]
    what = f"answers {'<=' if side == 'below' else '>='} {t:g}"
    note = (f"share of {what} that a mean of {m:g} on {lo:g}-{hi:g} allows "
            f"({'whole-number' if integer else 'continuous'} answers; extremes from two-point "
            "distributions, Markov-type bounds). A mean and a share are not comparable without "
            "an assumption: same population and question, the category read as a threshold on "
            "the scale, and a distribution shape")
    row = {"mean": m, "threshold": t, "side": side, "share_min": share_min,
           "share_max": share_max, "method": "mean_share_bounds"}
    if published_percent is not None:
        ps = check_finite(published_percent, "published_percent")
        if not 0 <= ps <= 100:
            raise ValueError(f"published_percent must lie within 0-100, got {published_percent!r}")
        row["published_share"] = ps / 100
        row["within_bounds"] = share_min <= ps / 100 <= share_max
        note += (f"; the published {ps:g}% lies {'inside' if row['within_bounds'] else 'outside'}"
                 " these bounds")
    if decimals is not None:
        note += f"; covers the rounding interval {m_lo:g}-{m_hi:g} of the mean"
    row["note"] = note
    return result_frame([row])
