"""Consistency checks over a table of published figures (``data/figures.csv`` format).

:func:`check_figures` runs every check that the published numbers allow and returns one row per
check with a verdict (``"pass"``, ``"fail"`` or ``"not testable"``) and one sentence of
explanation with the numbers. The rounding arithmetic is exact (see
:mod:`barotrend.figures.rounding`).
"""

from __future__ import annotations

import math

import pandas as pd

from barotrend.figures.bases import infer_base, nearest_bases
from barotrend.figures.check_groups import group_checks
from barotrend.figures.check_parts import (
    FigureBases,
    bounds,
    change,
    check_cells,
    flag,
    fmt,
    mean_checks,
    pct,
    row,
)
from barotrend.figures.exact import check_convention, count_range
from barotrend.figures.relations import GroupRelations

__all__ = ["CHECK_COLUMNS", "check_figures"]

#: Columns of the :func:`check_figures` result, in order.
CHECK_COLUMNS = ["check", "figure_ids", "survey", "wave", "item", "group", "verdict", "detail",
                 "kind"]
_REQUIRED = ["figure_id", "survey", "wave", "item", "category", "group", "statistic", "value",
             "decimals", "scale_min", "scale_max", "base", "multi_response", "exhaustive",
             "reference_wave", "implied"]
_SET_KEYS = ["survey", "wave", "item", "group"]


def check_figures(figures: pd.DataFrame, waves: pd.DataFrame | None = None,
                  convention: str = "half_up", groups: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Run every consistency check the published figures allow.

    Checks (one output row each):

    ``sum_to_100``
        An exhaustive, single-response category set (same survey, wave, item and group):
        the sum of the rounding intervals must contain 100. Multi-response sets are skipped.
    ``sum_at_most_100``
        A non-exhaustive single-response set of two or more categories: the smallest possible
        sum must not exceed 100.
    ``achievable``
        Each share is achievable as ``k / n`` on its base (:func:`feasible_counts`). The base is
        the ``base`` column, else (for whole-sample figures) the wave's ``respondents``, an
        assumption the detail states; subgroup shares without a base are not testable.
    ``set_on_base``
        An exhaustive single-response set: counts exist that are achievable and sum exactly to
        the base (:func:`infer_base` at that base); a failure lists the smallest bases that fit.
    ``grim``
        A mean of an integer scale is achievable as ``T / n`` (:func:`grim`).
    ``grimmer``, ``sd_bounds``
        Where the table has an ``sd`` column with a value: :func:`grimmer`, and the SD within
        the bounds the scale allows (:func:`sd_bounds`). Otherwise one ``grimmer`` row per mean
        says it is not testable.
    ``subgroup_range``
        Groups stated in ``groups`` to **partition** a parent group (``all`` or another group)
        whose share of the same category is published: the parent's share is a size-weighted
        average of the partition's shares and must lie within their range (within rounding).
        Groups without a stated relation are not assumed to partition anything: the check is
        "not testable" with that reason; likewise when a member of the partition has no figure.
    ``group_sizes``
        The same partition: some group sizes adding up to the parent's base (stated, assumed,
        or the sum of the stated subgroup bases) and counts adding up to the parent's count
        reproduce every figure (:func:`infer_group_sizes`). A stated subgroup base is used as it
        is, never overridden.
    ``subgroup_within_parent``
        A group stated ``nested`` in (or ``disjoint`` within) a parent whose share is published:
        some subgroup count ``a`` of ``m`` fits inside some parent count ``c`` of ``M``
        (``a <= c``, ``m - a <= M - c``), ``m`` the stated subgroup base or any of ``1..M``.
        No partition is assumed.
    ``disjoint_within_parent``
        Two or more groups stated ``disjoint`` within a parent whose share is published, every
        base stated: the bases add up to at most the parent's base and some counts of the groups
        fit together inside a parent count.
    ``probably_proportions``
        Every share of a question is at most 1 (and one is above 0): the verdict is
        ``"warning"`` and ``kind`` is ``"input"``: the table was probably filled with
        proportions 0-1 where percentages belong, which says nothing about the source.
    ``stated_change``
        A ``change`` row equals the difference of the stated values of the two waves within
        rounding (the true difference interval overlaps the change's rounding interval). Not
        testable when either value is missing or is itself implied by the change.

    Parameters
    ----------
    figures : pandas.DataFrame
        Figures in the format of ``data/figures.csv`` (see the README); not modified.
    waves : pandas.DataFrame, optional
        Waves in the format of ``data/waves.csv``; supplies ``respondents`` as an assumed base.
    convention : str, default "half_up"
        Rounding rule of every published figure.
    groups : pandas.DataFrame, optional
        How the groups relate (``groups.csv``, ``Dataset.groups``: ``survey``, ``wave``,
        ``group``, ``parent``, ``relation``); see :mod:`barotrend.figures.check_groups`. Without
        it no group is assumed to partition the respondents.

    Returns
    -------
    pandas.DataFrame
        Columns ``check``, ``figure_ids``, ``survey``, ``wave``, ``item``, ``group``,
        ``verdict`` (``"pass"``, ``"fail"``, ``"not testable"`` or ``"warning"``), ``detail``
        and ``kind``: ``"source"`` for a check of the published figures (a fail means the
        source is inconsistent), ``"input"`` for a finding about the table itself (a warning
        means the file is probably wrong). A failed ``achievable`` or ``set_on_base`` check
        names the nearest bases below and above on which the shares would fit.

    Raises
    ------
    ValueError
        When a cell the checks read is unusable, naming the figure and the column: a value
        that is not a finite number or has more decimals than ``decimals``, a share outside
        0-100, ``decimals`` missing or not a whole number 0 or more, a base that is not a
        positive whole number, a mean's scale that is not two whole numbers min < max, a flag
        that is not True/False; or a wave's ``respondents`` that is not a positive whole number.

    References
    ----------
    Brown and Heathers (2017), GRIM; Anaya (2016), GRIMMER; Bhatia and Davis (2000), the
    variance bound (full citations in :mod:`barotrend.figures.grim`).

    Examples
    --------
    >>> from barotrend import datasets
    >>> d = datasets.load("hsj_ccg_barometer")
    >>> r = check_figures(d.figures, d.waves)
    >>> r.loc[r["figure_ids"] == "ccg-w2-grip-too-much", ["check", "verdict"]]
            check verdict
    ...  achievable    fail
    >>> print(r.loc[r["figure_ids"] == "ccg-w3-area-team-good", "detail"].iloc[0])
    68% is achievable on 94 as 64/94 = 68.09% (item base assumed = the wave's 94 respondents).
    """
    check_convention(convention)
    if not isinstance(figures, pd.DataFrame):
        raise ValueError(f"figures must be a pandas DataFrame, got {type(figures).__name__}")
    missing = [c for c in _REQUIRED if c not in figures.columns]
    if missing:
        raise ValueError(f"figures is missing the column(s) {', '.join(missing)}")
    figs = figures.copy()
    for c in ("category", "reference_wave", "group"):
        figs[c] = figs[c].where(figs[c].notna(), "").astype(str)
    figs["group"] = figs["group"].where(figs["group"] != "", "all")
    check_cells(figs)
    relations = GroupRelations(groups)
    base_of = FigureBases(waves)
    rows: list[dict] = []
    shares = figs[figs["statistic"] == "share"]
    for _, part in shares.groupby(_SET_KEYS, sort=False):
        rows += _proportions(part)
        rows += _sum_checks(part, base_of, convention)
    for _, r in shares.iterrows():
        rows.append(_achievable(r, base_of, convention))
    for _, r in figs[figs["statistic"] == "mean"].iterrows():
        rows += mean_checks(r, base_of, convention)
    rows += group_checks(shares, base_of, convention, relations)
    for _, r in figs[figs["statistic"] == "change"].iterrows():
        rows.append(change(r, figs, convention))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def _sum_checks(part, base_of, convention) -> list[dict]:
    if part["multi_response"].map(flag).any():
        return []
    exhaustive = part["exhaustive"].map(flag).all()
    if not exhaustive and len(part) < 2:
        return []
    bs = [bounds(r, convention) for _, r in part.iterrows()]
    lo, hi = sum(b.low for b in bs), sum(b.high for b in bs)
    lo_c, hi_c = all(b.low_closed for b in bs), all(b.high_closed for b in bs)
    shown = " + ".join(fmt(v) for v in part["value"])
    total = fmt(part["value"].sum())
    span = f"the true shares sum to {fmt(lo)}-{fmt(hi)}"
    if not exhaustive:
        ok = lo < 100 or (lo == 100 and lo_c)
        detail = (f"The categories {shown} = {total}% are mutually exclusive, so with rounding "
                  f"{span}, {'which can' if ok else 'which cannot'} stay within 100.")
        return [row("sum_at_most_100", part, "pass" if ok else "fail", detail)]
    ok = (lo < 100 or (lo == 100 and lo_c)) and (100 < hi or (hi == 100 and hi_c))
    detail = (f"The exhaustive categories {shown} = {total}%; with rounding {span}, "
              f"{'which contains' if ok else 'which excludes'} 100.")
    out = [row("sum_to_100", part, "pass" if ok else "fail", detail)]
    n, why = base_of(part.iloc[0])
    decimals = int(part["decimals"].max())
    pcts = ", ".join(f"{fmt(v)}%" for v in part["value"])
    if n is None or len({base_of(r)[0] for _, r in part.iterrows()}) != 1:
        reason = why if n is None else "the categories have different bases"
        out.append(row("set_on_base", part, "not testable",
                        f"No single base for the set: {reason}."))
        return out
    if not ok:
        out.append(row("set_on_base", part, "fail",
                       f"No counts achieve {pcts} and sum to {n}{why}: the shares cannot sum to "
                       "100 on any base (see sum_to_100)."))
        return out
    try:
        res = infer_base(part["value"].tolist(), decimals=decimals, min_base=n, max_base=n,
                         convention=convention)
    except ValueError as err:  # mixed decimals: the set read at the largest one
        out.append(row("set_on_base", part, "fail",
                       f"No counts achieve {pcts} and sum to {n}{why}: {err}."))
        return out
    if len(res):
        counts = res["counts"].iloc[0]
        detail = f"Counts {counts} achieve {pcts} and sum to {n}{why}."
        out.append(row("set_on_base", part, "pass", detail))
    else:
        fit = infer_base(part["value"].tolist(), decimals=decimals, max_base=1000,
                         convention=convention)["n"].tolist()
        near = ", ".join(str(x) for x in fit[:6]) if fit else "none up to 1000"
        detail = (f"No counts achieve {pcts} and sum to {n}{why}; the smallest bases that "
                  f"fit are {near}"
                  f"{_nearest(part['value'].tolist(), n, decimals, True, convention)}.")
        out.append(row("set_on_base", part, "fail", detail))
    return out


def _achievable(r, base_of, convention) -> dict:
    one = r.to_frame().T
    n, why = base_of(r)
    v, d = fmt(r["value"]), int(r["decimals"])
    if n is None:
        return row("achievable", one, "not testable", f"{v}% cannot be checked: {why}.")
    k_min, k_max = count_range(bounds(r, convention), n)
    uninformative = "" if n < 100 * 10**d else f"; uninformative: every share is achievable when n >= {100 * 10**d}"
    if k_min <= k_max:
        how = (f"{k_min}/{n} = {pct(k_min, n)}" if k_min == k_max
               else f"{k_min}-{k_max} of {n}")
        detail = f"{v}% is achievable on {n} as {how}{why}{uninformative}."
        return row("achievable", one, "pass", detail)
    k = math.floor(float(r["value"]) * n / 100)
    near = [f"{j}/{n} = {pct(j, n)}" for j in (k, k + 1) if 0 <= j <= n]
    detail = (f"{v}% is not achievable on {n}: {' and '.join(near)}{why}"
              f"{_nearest([r['value']], n, d, False, convention)}.")
    return row("achievable", one, "fail", detail)


def _nearest(values, n, decimals, exhaustive, convention) -> str:
    """``"; the nearest bases that fit are 84 (below) and 86 (above)"``, for a failed check."""
    below, above = nearest_bases(values, n, decimals, exhaustive, convention)
    shown = [f"{below} (below)" if below else f"none in {max(1, n - 10_000)}-{n - 1}"
             if n > 1 else "", f"{above} (above)" if above else f"none up to {n + 10_000}"]
    return "; the nearest bases on which it fits are " + " and ".join(x for x in shown if x)


def _proportions(part) -> list[dict]:
    """A question whose shares are all at most 1 (some above 0) was probably typed as
    proportions 0-1 in the percent column: a warning about the input, not a finding about the
    source."""
    vals = part["value"].astype(float)
    if not ((vals <= 1).all() and (vals > 0).any()):
        return []
    shown = ", ".join(fmt(v) for v in vals)
    first = part.iloc[0]
    return [row("probably_proportions", part, "warning",
                f"Every share of item {first['item']!r} ({first['wave']}, group {first['group']}) "
                f"is at most 1 ({shown}): the value column holds percentages 0-100, so these "
                "look like proportions 0-1; if so, multiply them by 100.", kind="input")]
