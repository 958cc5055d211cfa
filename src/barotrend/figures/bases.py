"""Bases and subgroup sizes consistent with a set of rounded percentages.

Both searches are arithmetic. For a base ``n`` the counts a rounded percentage allows form one
run of consecutive integers ``[k_min, k_max]`` (:func:`~barotrend.figures.rounding.feasible_counts`),
computed here for a whole range of bases at once with exact integer arithmetic. Integer counts
taken from runs ``[a_i, b_i]`` can add up to every integer between ``sum a_i`` and ``sum b_i`` and
to nothing else, so "the counts of an exhaustive category set sum to ``n``" is the interval test
``sum a_i <= n <= sum b_i``: no enumeration of combinations is needed.
"""

from __future__ import annotations

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
    exact_value,
)
from barotrend.figures.groups import infer_group_sizes

__all__ = ["MAX_BASES", "MIN_ITEM_RESPONSE", "count_ranges", "impossible_sum", "infer_base",
           "nearest_bases",
           "infer_group_sizes", "item_bases"]

#: Most bases :func:`infer_base` searches in one call (about 5 s and one row per base at most).
MAX_BASES = 1_000_000


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


def impossible_sum(values, decimals=0, convention="half_up") -> str | None:
    """Why shares of one exhaustive single-response question cannot sum to 100, or None.

    The true shares lie in the rounding intervals of the published ones (clipped to 0-100); their
    sum ranges over the sum of the intervals, which must contain 100 when every respondent gives
    exactly one of the answers.

    Examples
    --------
    >>> print(impossible_sum([70, 50]))
    the shares 70% + 50% sum to 120% (119-121% with rounding), not 100%: the categories of an exhaustive single-response question sum to 100%; pass exhaustive=False for a multi-response question or a set with unpublished categories
    >>> impossible_sum([48, 44, 8]) is None
    True
    """
    bs = [exact_bounds(v, decimals, convention, "percents") for v in values]
    lo = sum(max(b.low, 0) for b in bs)
    hi = sum(min(b.high, 100) for b in bs)
    lo_c = all(b.low_closed or b.low < 0 for b in bs)
    hi_c = all(b.high_closed or b.high > 100 for b in bs)
    if (lo < 100 or (lo == 100 and lo_c)) and (100 < hi or (hi == 100 and hi_c)):
        return None
    shown = " + ".join(f"{float(v):g}%" for v in values)
    total = sum(exact_value(v, decimals, "percents") for v in values)
    return (f"the shares {shown} sum to {float(total):g}% ({float(lo):g}-{float(hi):g}% with "
            "rounding), not 100%: the categories of an exhaustive single-response question sum "
            "to 100%; pass exhaustive=False for a multi-response question or a set with "
            "unpublished categories")


def _runs(values, decimals, convention, exhaustive, ns):
    """Count runs ``a <= k <= b`` of every share on every base of ``ns``, their sums, and
    which bases are feasible (every run non-empty; with ``exhaustive``, ``sa <= n <= sb``)."""
    a = np.empty((len(values), ns.size), dtype=np.int64)
    b = np.empty_like(a)
    for i, v in enumerate(values):
        a[i], b[i] = count_ranges(exact_bounds(v, decimals, convention, "percents"), ns)
    ok = (a <= b).all(axis=0)
    sa, sb = a.sum(axis=0), b.sum(axis=0)
    if exhaustive:
        ok &= (sa <= ns) & (ns <= sb)
    return a, b, sa, sb, ok


def nearest_bases(percents, n, decimals=0, exhaustive=True, convention="half_up",
                  reach=10_000) -> tuple[int | None, int | None]:
    """The largest base below ``n`` and the smallest above it on which the shares are
    achievable (as :func:`infer_base`), each None when there is none within ``reach`` bases.

    Examples
    --------
    50% is impossible on 85 (42/85 = 49.41%, 43/85 = 50.59%); 84 and 86 are even:

    >>> nearest_bases([50], 85, exhaustive=False)
    (84, 86)
    >>> nearest_bases([70, 50], 85)
    (None, None)
    """
    labels, values = _labelled(percents, "percents")
    decimals = check_decimals(decimals)
    check_convention(convention)
    for lab, v in zip(labels, values, strict=True):
        check_percent(v, decimals, f"percents[{lab}]")
    n = check_base(n)
    if exhaustive and impossible_sum(values, decimals, convention):
        return None, None
    below = above = None
    if n > 1:
        ns = np.arange(max(1, n - reach), n, dtype=np.int64)
        ok = _runs(values, decimals, convention, exhaustive, ns)[-1]
        below = int(ns[ok][-1]) if ok.any() else None
    ns = np.arange(n + 1, n + reach + 1, dtype=np.int64)
    ok = _runs(values, decimals, convention, exhaustive, ns)[-1]
    above = int(ns[ok][0]) if ok.any() else None
    return below, above


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
        ``max_base < min_base``, more than ``MAX_BASES`` = 1,000,000 bases in the range),
        negative ``decimals`` or an unknown convention; and, when ``exhaustive``, on shares
        whose sum cannot be 100 within rounding on any base (the message gives the sum).

    References
    ----------
    Brown and Heathers (2017), the GRIM test: the granularity of ``k / n`` that makes a rounded
    figure impossible on some bases. The sum-to-``n`` interval argument is elementary: integers
    from runs ``[a_i, b_i]`` add up to exactly the integers in ``[sum a_i, sum b_i]``.

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
    lo, hi = check_base_range(min_base, max_base)
    if hi - lo + 1 > MAX_BASES:
        raise ValueError(
            f"infer_base searches at most {MAX_BASES:,} bases in one call, got min_base={lo:,} to "
            f"max_base={hi:,} ({hi - lo + 1:,} bases): narrow the range (every share is "
            f"achievable on bases of {100 * 10**decimals:,} or more)")
    if exhaustive:
        why = impossible_sum(values, decimals, convention)
        if why:
            raise ValueError(f"infer_base: {why}")
    ns = np.arange(lo, hi + 1, dtype=np.int64)
    a, b, sa, sb, ok = _runs(values, decimals, convention, exhaustive, ns)
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



#: Smallest item base considered, as a share of a wave's respondents, when a question's published
#: shares are impossible on the respondents themselves (item non-response assumed under 20%).
MIN_ITEM_RESPONSE = 0.8


def item_bases(percents, respondents, *, decimals=0, exhaustive=True,
               min_item_response=MIN_ITEM_RESPONSE, convention="half_up") -> tuple[list[int], str]:
    """Candidate bases of one question whose base was not published, and a note saying why.

    The base is assumed to be the wave's ``respondents`` (no item non-response) when every
    published share of the question is achievable on it (and, when ``exhaustive``, the counts
    can sum to it). Otherwise some respondents skipped the question: the candidates are the bases
    from ``ceil(min_item_response * respondents)`` to ``respondents`` on which the shares are
    achievable (:func:`infer_base`). Inference over candidates should take the least favourable.

    Parameters
    ----------
    percents : list of float
        The published percentages of the question (one group, one wave).
    respondents : int
        The wave's number of respondents.
    decimals, exhaustive, convention
        As :func:`infer_base`.
    min_item_response : float, default 0.8
        Smallest share of respondents assumed to have answered, in (0, 1].

    Returns
    -------
    (list of int, str)
        The candidate bases (empty when none is consistent) and the note.

    Examples
    --------
    The January 2013 "grip" question (50/40/0/10%) cannot have had all 85 respondents:

    >>> bases, note = item_bases([50, 40, 0, 10], 85)
    >>> bases
    [68, 70, 72, 78, 80, 82, 84]
    >>> item_bases([68], 94, exhaustive=False)
    ([94], "base assumed = the wave's 94 respondents (item non-response unknown)")
    """
    if not 0 < min_item_response <= 1:
        raise ValueError(f"min_item_response must lie in (0, 1], got {min_item_response!r}")
    n = check_base(respondents, "respondents")
    low = int(np.ceil(min_item_response * n))
    why = impossible_sum(list(percents), decimals, convention) if exhaustive else None
    if why:
        return [], f"no base fits: {why}"
    feasible = infer_base(list(percents), decimals, exhaustive, min_base=low, max_base=n,
                         convention=convention)
    ok = [int(b) for b in feasible["n"]]
    if n in ok:
        return [n], f"base assumed = the wave's {n} respondents (item non-response unknown)"
    shown = ", ".join(map(str, ok)) or "none"
    return ok, (f"the published shares are impossible on the wave's {n} respondents, so some "
                f"skipped the question; bases {low}-{n} on which they are achievable: {shown} "
                f"(item non-response assumed under {100 * (1 - min_item_response):g}%)")
