"""Subgroup sizes and counts consistent with an overall share and subgroup shares.

Published subgroup shares ("61% of GPs, 31% of non-GPs") usually come without the subgroup bases.
If the groups partition the respondents, the overall share is their size-weighted average, and
the integer sizes and counts that reproduce every rounded figure can be listed exactly, using
the count runs of :func:`~barotrend.figures.exact.count_ranges`.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from barotrend.figures.exact import (
    check_base,
    check_base_range,
    check_convention,
    check_decimals,
    check_percent,
    count_ranges,
    exact_bounds,
)

__all__ = ["MAX_GROUP_BASE", "MAX_WORK", "infer_group_sizes"]

#: Largest base :func:`infer_group_sizes` searches (it tabulates every group size up to it).
MAX_GROUP_BASE = 1_000_000
#: Most candidate group sizes it examines in one call: the sum over bases ``N`` of
#: ``N ** (groups - 1)`` with ``partition=True``, of ``groups * N`` otherwise.
MAX_WORK = 50_000_000


def _bases(n, min_base, max_base) -> list[int]:
    if n is None:
        lo, hi = check_base_range(min_base, max_base)
        if hi > MAX_GROUP_BASE:
            raise ValueError(f"infer_group_sizes searches bases up to {MAX_GROUP_BASE:,}, got "
                             f"max_base={hi:,}")
        return list(range(lo, hi + 1))
    if isinstance(n, numbers.Real) and not isinstance(n, bool):
        out = [check_base(n, "n")]
    elif isinstance(n, Iterable) and not isinstance(n, str | bytes):
        out = sorted({check_base(x, "n") for x in n})
        if not out:
            raise ValueError(f"n must be a base, a list of bases or None, got {n!r}")
    else:
        raise ValueError(f"n must be a base, a list of bases or None, got {n!r}")
    if out[-1] > MAX_GROUP_BASE:
        raise ValueError(f"infer_group_sizes searches bases up to {MAX_GROUP_BASE:,}, got "
                         f"n={out[-1]:,}")
    return out


def _check_work(bases: list[int], groups: int, partition: bool) -> None:
    work = (sum(b ** (groups - 1) for b in bases) if partition else groups * sum(bases))
    if work > MAX_WORK:
        what = f"bases {bases[0]}-{bases[-1]}" if len(bases) > 1 else f"n={bases[0]}"
        raise ValueError(
            f"infer_group_sizes would examine {work:,} group sizes for {groups} groups on "
            f"{what}, more than its limit of {MAX_WORK:,}: give fewer or smaller bases (n=) "
            "or fewer groups")


def infer_group_sizes(overall, groups, n=None, decimals=0, partition=True,
                      convention="half_up", min_base=1, max_base=1000,
                      max_rows=1_000_000) -> pd.DataFrame:
    """Subgroup sizes and counts consistent with an overall share and subgroup shares.

    Example: 50% of ``N`` respondents said "too much grip"; 61% of GPs and 31% of non-GPs did;
    the GP and non-GP bases were not published.

    With ``partition=True`` the groups are assumed to partition the base (every respondent in
    exactly one group, each group non-empty): sizes ``g_1 + ... + g_m = N`` and counts
    ``c_1 + ... + c_m = C``, where each ``c_j`` rounds to the group's share on ``g_j`` and ``C``
    rounds to the overall share on ``N``. Every such combination is one row. In shares, the
    overall is the size-weighted average ``sum (g_j / N) p_j``, so it must lie between the
    smallest and largest subgroup share (within rounding) and the sizes solve, for two groups,
    ``p_1 g + p_2 (N - g) ~ p N``.

    With ``partition=False`` the groups are only assumed to be subsets of the base (they may
    overlap or leave respondents out). Then nothing ties the groups together and only each
    group's own size can be bounded: a size ``g`` is kept when its share is achievable on ``g``
    with a count ``c`` that fits inside some overall count ``C`` (``c <= C`` and
    ``g - c <= N - C``), one row per group and size.

    Parameters
    ----------
    overall : float
        Published overall percentage on the base.
    groups : dict of str to float
        Published percentage for each subgroup.
    n : int, list of int or None
        The base; a list of candidate bases (e.g. ``infer_base(...)["n"]``); or None to search
        ``min_base``-``max_base``.
    decimals : int, default 0
        Published decimals (all figures).
    partition : bool, default True
        Whether the groups partition the base.
    convention : str, default "half_up"
        Rounding rule, see :func:`~barotrend.figures.rounding.rounding_bounds`.
    min_base, max_base : int
        Bases searched when ``n`` is None.
    max_rows : int, default 1,000,000
        Guard against listing an unmanageable number of combinations (large bases give many);
        exceeding it raises ``ValueError``. The search enumerates the sizes of all but the
        last two groups and vectorises the last split, so it is fast for two or three groups.

    Returns
    -------
    pandas.DataFrame
        ``partition=True``: one row per combination with ``n``, ``count`` (overall count),
        ``size_<group>`` and ``count_<group>`` for each group, and ``note`` stating the
        assumption. ``partition=False``: one row per (base, group, size) with ``n``, ``group``,
        ``size``, ``count_min``, ``count_max`` and ``note``. ``attrs["feasible"]`` is False
        when nothing is consistent.

    Raises
    ------
    ValueError
        On percentages outside 0-100, an empty ``groups`` (or fewer than two groups when
        ``partition``), a bad base, negative ``decimals``, an unknown convention, a base above
        ``MAX_GROUP_BASE`` (1,000,000), or a search larger than ``MAX_WORK`` (50 million group
        sizes: the sum over bases ``N`` of ``N ** (groups - 1)`` with ``partition``).

    References
    ----------
    Brown and Heathers (2017), the GRIM test (granularity of ``k / n``), applied to each group
    and to the whole; the overall share as the size-weighted average of partitioning groups is
    the law of total probability.

    Examples
    --------
    On 70 respondents only 44 GPs (27 saying "too much grip", 61.4%) and 26 non-GPs (8, 30.8%)
    give 35 of 70 = 50% overall; on 85 respondents 50% itself is impossible.

    >>> r = infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=70)
    >>> r[["n", "count", "size_GP", "count_GP", "size_non-GP", "count_non-GP"]]
        n  count  size_GP  count_GP  size_non-GP  count_non-GP
    0  70     35       44        27           26             8
    >>> infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=85).attrs["feasible"]
    False
    """
    decimals = check_decimals(decimals)
    check_convention(convention)
    check_percent(overall, decimals, "overall")
    if not isinstance(groups, Mapping) or not groups:
        raise ValueError(f"groups must be a non-empty dict of group -> percentage, got {groups!r}")
    labels = [str(k) for k in groups]
    for lab, v in groups.items():
        check_percent(v, decimals, f"groups[{lab}]")
    if partition and len(labels) < 2:
        raise ValueError(f"partition=True needs at least two groups, got {labels!r}")
    bases = _bases(n, min_base, max_base)
    _check_work(bases, len(labels), bool(partition))
    top = max(bases)
    sizes = np.arange(0, top + 1, dtype=np.int64)
    ga, gb = zip(*(count_ranges(exact_bounds(v, decimals, convention, "groups"), sizes)
                   for v in groups.values()), strict=True)
    oa, ob = count_ranges(exact_bounds(overall, decimals, convention, "overall"), bases)
    if partition:
        note = ("assumes the groups partition the base: every respondent in exactly one "
                "non-empty group, group sizes add up to n and group counts to the overall count")
        max_rows = check_base(max_rows, "max_rows")
        rows = _partition_rows(bases, oa, ob, ga, gb, labels, max_rows)
        cols = ["n", "count"] + [f"{p}_{lab}" for lab in labels for p in ("size", "count")]
    else:
        note = ("assumes only that each group is a subset of the base (groups may overlap or "
                "leave respondents out): each group's size is bounded on its own")
        rows = []
        for N, A, B in zip(bases, oa.tolist(), ob.tolist(), strict=True):
            if A > B:
                continue
            for j, lab in enumerate(labels):
                g = np.arange(1, N + 1)
                lo = np.maximum(ga[j][g], A + g - N)
                hi = np.minimum(gb[j][g], B)
                for gg, x, y in zip(g[lo <= hi].tolist(), lo[lo <= hi].tolist(),
                                    hi[lo <= hi].tolist(), strict=True):
                    rows.append({"n": N, "group": lab, "size": gg, "count_min": x,
                                 "count_max": y})
        cols = ["n", "group", "size", "count_min", "count_max"]
    out = pd.DataFrame(rows, columns=cols)
    for c in cols:
        if c != "group":
            out[c] = out[c].astype("int64")
    out["note"] = note
    out.attrs["feasible"] = bool(rows)
    out.attrs["note"] = note if rows else f"nothing consistent on bases {bases[0]}-{bases[-1]}; {note}"
    return out


def _partition_rows(bases, oa, ob, ga, gb, labels, max_rows) -> list[dict]:
    m = len(labels)
    rows = []
    for N, A, B in zip(bases, oa.tolist(), ob.tolist(), strict=True):
        if A > B or N < m:
            continue
        # sizes of the first m-2 groups by enumeration, the last split vectorised
        for head in itertools.product(range(1, N), repeat=m - 2):
            rest = N - sum(head)
            if rest < 2:
                continue
            ha = sum(ga[j][s] for j, s in enumerate(head))
            hb = sum(gb[j][s] for j, s in enumerate(head))
            if any(ga[j][s] > gb[j][s] for j, s in enumerate(head)):
                continue
            g = np.arange(1, rest)
            a1, b1 = ga[m - 2][g], gb[m - 2][g]
            a2, b2 = ga[m - 1][rest - g], gb[m - 1][rest - g]
            ok = (a1 <= b1) & (a2 <= b2) & (ha + a1 + a2 <= B) & (hb + b1 + b2 >= A)
            for gg in g[ok].tolist():
                size = (*head, gg, rest - gg)
                ranges = [range(ga[j][s], gb[j][s] + 1) for j, s in enumerate(size)]
                for counts in itertools.product(*ranges):
                    total = sum(counts)
                    if A <= total <= B:
                        row = {"n": N, "count": total}
                        for lab, s, c in zip(labels, size, counts, strict=True):
                            row[f"size_{lab}"] = int(s)
                            row[f"count_{lab}"] = int(c)
                        rows.append(row)
                        if len(rows) > max_rows:
                            raise ValueError(
                                f"more than max_rows={max_rows} combinations on bases up to "
                                f"{N}; pass fewer bases or a larger max_rows")
    return rows

