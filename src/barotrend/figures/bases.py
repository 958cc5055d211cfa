"""Bases and subgroup sizes consistent with a set of rounded percentages.

Both searches are arithmetic. For a base ``n`` the counts a rounded percentage allows form one
run of consecutive integers ``[k_min, k_max]`` (:func:`~barotrend.figures.rounding.feasible_counts`),
computed here for a whole range of bases at once with exact integer arithmetic. Integer counts
taken from runs ``[a_i, b_i]`` can add up to every integer between ``sum a_i`` and ``sum b_i`` and
to nothing else, so "the counts of an exhaustive category set sum to ``n``" is the interval test
``sum a_i <= n <= sum b_i``: no enumeration of combinations is needed.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from barotrend.figures.rounding import (
    Bounds,
    check_base,
    check_convention,
    check_decimals,
    check_percent,
    exact_bounds,
)

__all__ = ["count_ranges", "infer_base", "infer_group_sizes"]


def count_ranges(bounds: Bounds, ns) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised count runs: for every base in ``ns``, the smallest and largest ``k`` in 0..n
    with ``100 k / n`` inside ``bounds`` (``k_min > k_max`` where no count qualifies).

    ``k_min = ceil(low * n / 100)``, plus one if the low end is open and hit exactly;
    ``k_max = floor(high * n / 100)``, minus one if the high end is open and hit exactly. Integer
    arithmetic on the numerators and denominators of the exact bounds; object arrays (Python
    integers) are used when ``int64`` could overflow.

    Examples
    --------
    >>> from barotrend.figures.rounding import exact_bounds
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


def _labelled(percents, name: str) -> tuple[list[str], list]:
    if isinstance(percents, Mapping):
        labels, values = [str(k) for k in percents], list(percents.values())
    elif isinstance(percents, Iterable) and not isinstance(percents, str | bytes):
        values = list(percents)
        labels = [str(i) for i in range(len(values))]
    else:
        raise ValueError(f"{name} must be a list or a dict of percentages, got {percents!r}")
    if not values:
        raise ValueError(f"{name} must hold at least one percentage, got {percents!r}")
    return labels, values


def _base_range(min_base, max_base) -> tuple[int, int]:
    lo = check_base(min_base, "min_base")
    hi = check_base(max_base, "max_base")
    if hi < lo:
        raise ValueError(f"max_base must be at least min_base={lo}, got {max_base!r}")
    return lo, hi


def infer_base(percents, decimals=0, exhaustive=True, min_base=1, max_base=1000,
               convention="half_up") -> pd.DataFrame:
    """Every base ``n`` on which a set of rounded percentages of one question is achievable.

    For each ``n`` in ``[min_base, max_base]`` and each percentage ``p_i`` the feasible counts
    form a run ``[a_i, b_i]`` (see :func:`~barotrend.figures.rounding.feasible_counts`); ``n`` is
    kept when every run is non-empty and, if ``exhaustive``, when the counts can sum exactly to
    ``n``: ``sum a_i <= n <= sum b_i`` (integers from runs reach every total in between). The
    per-category ranges reported are then narrowed to the counts that occur in at least one
    exact combination: ``max(a_i, n - sum_{j != i} b_j)`` to ``min(b_i, n - sum_{j != i} a_j)``.

    Assumptions: every respondent in the base gives exactly one answer (single response) when
    ``exhaustive``; all percentages share the one base and one rounding rule. With
    ``exhaustive=False`` each percentage is only required to be achievable on its own (right for
    multi-response items or a category set with unpublished categories).

    Parameters
    ----------
    percents : list of float or dict of str to float
        Published percentages (0-100) of one question; a dict labels them.
    decimals : int, default 0
        Published decimals.
    exhaustive : bool, default True
        Whether the categories cover all answers, so their counts must sum to the base.
    min_base, max_base : int, default 1 and 1000
        Bases searched (inclusive).
    convention : str, default "half_up"
        Rounding rule, see :func:`~barotrend.figures.rounding.rounding_bounds`.

    Returns
    -------
    pandas.DataFrame
        One row per feasible base with ``n``, ``counts_min`` and ``counts_max`` (tuples, one
        entry per percentage in input order), ``counts`` (readable, e.g. ``"41, 37, 7"`` or a
        range ``"4-5"``), ``sum_min`` and ``sum_max`` (totals of the unnarrowed runs) and
        ``note``. ``attrs["feasible"]`` is False and ``attrs["note"]`` says so when no base
        qualifies (the frame then has no rows); ``attrs["labels"]`` lists the category labels.

    Raises
    ------
    ValueError
        On percentages outside 0-100, an empty set, bad bases (``min_base`` < 1,
        ``max_base < min_base``), negative ``decimals`` or an unknown convention.

    Examples
    --------
    January 2013 roles: 48% chairs, 44% accountable officers, 8% others of 85 respondents.

    >>> r = infer_base([48, 44, 8], min_base=85, max_base=85)
    >>> r[["n", "counts"]]
        n     counts
    0  85  41, 37, 7
    >>> infer_base([50, 40, 0, 10], max_base=20)["n"].tolist()
    [10, 20]
    """
    decimals = check_decimals(decimals)
    check_convention(convention)
    labels, values = _labelled(percents, "percents")
    for lab, v in zip(labels, values, strict=True):
        check_percent(v, decimals, f"percents[{lab}]")
    lo, hi = _base_range(min_base, max_base)
    ns = np.arange(lo, hi + 1, dtype=np.int64)
    a = np.empty((len(values), ns.size), dtype=np.int64)
    b = np.empty_like(a)
    for i, v in enumerate(values):
        a[i], b[i] = count_ranges(exact_bounds(v, decimals, convention, "percents"), ns)
    ok = (a <= b).all(axis=0)
    sa, sb = a.sum(axis=0), b.sum(axis=0)
    if exhaustive:
        ok &= (sa <= ns) & (ns <= sb)
    keep = np.flatnonzero(ok)
    nk, ak, bk, sak, sbk = ns[keep], a[:, keep], b[:, keep], sa[keep], sb[keep]
    if exhaustive:  # counts that occur in at least one combination summing exactly to n
        lo_k = np.maximum(ak, nk - (sbk - bk))
        hi_k = np.minimum(bk, nk - (sak - ak))
    else:
        lo_k, hi_k = ak, bk
    lo_t = list(zip(*lo_k.tolist(), strict=True))
    hi_t = list(zip(*hi_k.tolist(), strict=True))
    rows = {
        "n": nk,
        "counts_min": pd.Series(lo_t, dtype=object), "counts_max": pd.Series(hi_t, dtype=object),
        "counts": pd.Series([", ".join(str(x) if x == y else f"{x}-{y}" for x, y in zip(lo, hi, strict=True))
                             for lo, hi in zip(lo_t, hi_t, strict=True)], dtype=object),
        "sum_min": sak, "sum_max": sbk,
    }
    what = ("each percentage achievable and the counts summing to n" if exhaustive
            else "each percentage achievable on its own")
    note = f"base n in {lo}-{hi} with {what} ({convention} rounding to {decimals} decimals)"
    out = pd.DataFrame(rows)
    out["note"] = note
    out.attrs["feasible"] = bool(keep.size)
    out.attrs["labels"] = labels
    out.attrs["note"] = note if keep.size else f"no {note}: the figures are inconsistent"
    return out


def _bases(n, min_base, max_base) -> list[int]:
    if n is None:
        lo, hi = _base_range(min_base, max_base)
        return list(range(lo, hi + 1))
    if isinstance(n, numbers.Real) and not isinstance(n, bool):
        return [check_base(n, "n")]
    if isinstance(n, Iterable) and not isinstance(n, str | bytes):
        out = sorted({check_base(x, "n") for x in n})
        if not out:
            raise ValueError(f"n must be a base, a list of bases or None, got {n!r}")
        return out
    raise ValueError(f"n must be a base, a list of bases or None, got {n!r}")


def infer_group_sizes(overall, groups, n=None, decimals=0, partition=True,
                      convention="half_up", min_base=1, max_base=1000) -> pd.DataFrame:
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
        ``partition``), a bad base, negative ``decimals`` or an unknown convention.

    Examples
    --------
    >>> r = infer_group_sizes(50, {"GP": 61, "non-GP": 31}, n=10)
    >>> r[["n", "count", "size_GP", "count_GP", "size_non-GP", "count_non-GP"]]
    Empty DataFrame
    Columns: [n, count, size_GP, count_GP, size_non-GP, count_non-GP]
    Index: []
    >>> r.attrs["feasible"]
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
    top = max(bases)
    sizes = np.arange(0, top + 1, dtype=np.int64)
    ga, gb = zip(*(count_ranges(exact_bounds(v, decimals, convention, "groups"), sizes)
                   for v in groups.values()), strict=True)
    oa, ob = count_ranges(exact_bounds(overall, decimals, convention, "overall"), bases)
    if partition:
        note = ("assumes the groups partition the base: every respondent in exactly one "
                "non-empty group, group sizes add up to n and group counts to the overall count")
        rows = _partition_rows(bases, oa, ob, ga, gb, labels)
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


def _partition_rows(bases, oa, ob, ga, gb, labels) -> list[dict]:
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
    return rows
