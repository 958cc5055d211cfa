"""Group comparisons within a wave and the change of a group gap between waves.

One policy, used by :meth:`Tracker.compare_groups` and by the report's ``group_difference``
verdicts (:func:`pair_rows`). How two groups may be compared depends on how they relate
(:mod:`barotrend.figures.relations`, from ``groups.csv``):

* **known disjoint** (siblings stated ``partition``/``disjoint``, or their descendants):
  independent samples. Sizes are taken, in this order: both bases stated in the article or
  assumed by the user (``assumed_bases={(survey, wave, group): n}``), used as they are; for the
  two groups that *partition* their parent only, a base split: a stated base and the parent's
  base minus it, or sizes reconstructed with
  :func:`~barotrend.figures.bases.infer_group_sizes` from the parent's share of the same
  category (on the parent's base and, when that share is impossible on it, on every smaller
  item base), one row per feasible split, the least favourable (largest p) first; failing
  that an *assumed* equal split of the parent's base with 1:3 and 3:1 as sensitivity
  (``scenario`` starts with ``"assumed"``; the verdicts do not rest on it). Disjoint groups that
  do not partition their parent are never split; with one base stated, the other ranges over
  every size its nearest ancestor with a known base allows (consistent with that ancestor's
  share when published) and the least favourable p is reported; else the difference only.
* **one within the other** (a group and its ancestor; every group lies within ``all``): the
  subgroup against the *rest* of the ancestor, two disjoint samples. With counts ``a`` of ``m``
  (subgroup) and ``c`` of ``M`` (ancestor), the rest has ``c - a`` of ``M - m``; the pooled z
  test of ``a/m`` against ``(c - a)/(M - m)`` tests the difference, and since
  ``a/m - c/M = (1 - m/M) (a/m - (c - a)/(M - m))`` the Newcombe interval of the subgroup-rest
  difference scaled by ``1 - m/M`` is the interval of the subgroup-ancestor difference. Stated
  bases are used as they are; an unknown subgroup base ranges over every ``m < M`` and every
  pair of counts consistent with the rounded shares, and the least favourable p is reported.
* **may overlap** (a ``nested`` group against a sibling): not independent samples; the
  difference only.
* **unknown relation** (a group not in ``groups.csv``): with both bases stated, compared as
  independent with the note "groups assumed disjoint"; otherwise the difference only: a base
  is never split between groups of unknown relation.

The column ``scenario`` names the case of each row; the first row is the one families of
comparisons and verdicts use.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from barotrend.tracking import table as _table
from barotrend.tracking.change import compare_figures
from barotrend.tracking.series import join_notes
from barotrend.tracking.table import _known

ASSUMED = "assumed"
UNRELATED_NOTE = "groups assumed disjoint: state their relation in groups.csv"


def _untested(fa, fb, labels, scenario, note, conf_level):
    return [dict(r, scenario=scenario) for r in compare_figures(
        fa, fb, np.nan, np.nan, labels=labels, notes=[note], conf_level=conf_level)]


def _user_base(t, fig):
    """(n, note) of a figure's base stated in the article or assumed by the user, else None."""
    if _known(fig.get("base")):
        return float(fig["base"]), ""
    n, note = t._base(dict(fig, respondents=None), item_bases=False)
    return (n, note) if np.isfinite(n) else None


def pair_rows(t, rows, fa, fb, labels, min_item_response=None) -> list[dict]:
    """Rows comparing figure ``fa`` with ``fb`` (two groups, one wave, one category; difference
    ``a - b``) under the policy of the module note; the first row is the primary one."""
    a, b = fa["group"], fb["group"]
    rel = t._relations.relate(fa["survey"], fa["wave"], a, b)
    if rel.kind in ("a_in_b", "b_in_a"):
        return _nested_rows(t, fa, fb, rel, labels, min_item_response)
    if rel.kind == "overlap":
        return _untested(fa, fb, labels, "groups may overlap",
                         f"{rel.why}: groups that may overlap are not independent samples, "
                         "so the difference is not tested", t.conf_level)
    sa, sb = _user_base(t, fa), _user_base(t, fb)
    if sa and sb:
        from_article = _known(fa.get("base")) and _known(fb.get("base"))
        scen = "stated bases" if from_article else "bases stated or assumed by the user"
        notes = [sa[1], sb[1], "" if rel.kind == "disjoint" else UNRELATED_NOTE]
        return [dict(r, scenario=scen, size_a=sa[0], size_b=sb[0]) for r in compare_figures(
            fa, fb, sa[0], sb[0], labels=labels, notes=notes, conf_level=t.conf_level)]
    if rel.kind == "unknown":
        return _untested(fa, fb, labels, "relation unknown",
                         f"{rel.why}; group bases not both published, and a base is never split "
                         "between groups of unknown relation: the difference only (state the "
                         "groups' relation in groups.csv, or their bases)", t.conf_level)
    if not rel.partition:
        if fa["statistic"] == "share" and (sa or sb):
            ranged = _ranged_rows(t, rows, fa, fb, sa, sb, labels)
            if ranged:
                return ranged
        return _untested(fa, fb, labels, "base unknown",
                         f"{rel.why}; a base is split only between the groups that partition "
                         f"it, and {a!r} and {b!r} are not those: group bases not both "
                         "published, the difference only", t.conf_level)
    if not (sa or sb) and fa["statistic"] == "share":
        big = _large_partition_rows(t, rows, fa, fb, rel.parent, labels)
        if big:
            return big
    sizes = _partition_sizes(t, rows, fa, fb, rel.parent, sa, sb, min_item_response)
    if not sizes:
        return _untested(fa, fb, labels, "base unknown",
                         f"group bases not published and the base of {rel.parent!r} unknown: "
                         "the difference only", t.conf_level)
    part = []
    for na, nb, scen, note, counts in sizes:
        for r in compare_figures(fa, fb, na, nb, labels=labels, notes=[note],
                                 conf_level=t.conf_level, counts=counts):
            part.append(dict(r, scenario=scen, size_a=na, size_b=nb))
    if len(part) > 1 and part[0]["scenario"].startswith("reconstructed"):
        part.sort(key=lambda r: -np.nan_to_num(r.get("p_value", np.nan), nan=-1))
        ps = [r["p_value"] for r in part]
        part[0]["note"] = join_notes(f"least favourable of {len(part)} feasible splits "
                                     f"(p from {min(ps):.3g} to {max(ps):.3g})", part[0]["note"])
    return part


def _parent_figure(t, rows, fa, parent):
    hit = rows[(rows["wave"] == fa["wave"]) & (rows["group"] == parent)
               & (rows["category"] == fa["category"]) & (rows["statistic"] == fa["statistic"])]
    return hit.iloc[0].to_dict() if len(hit) else None


#: Largest parent base on which every split of two partitioning groups is listed
#: (:func:`~barotrend.figures.bases.infer_group_sizes` grows with the cube of the base).
LIST_LIMIT = 200


def _large_partition_rows(t, rows, fa, fb, parent, labels):
    """Two groups partitioning a parent whose base exceeds :data:`LIST_LIMIT`: group ``a``
    against the rest of the parent (which is ``b``) over every size and count of ``a`` and
    ``b`` consistent with the three rounded shares (:func:`subgroup_cases` with ``rest``): the
    splits :func:`~barotrend.figures.bases.infer_group_sizes` lists, without listing them."""
    from barotrend.figures.differences import compare_proportions

    pfig = _parent_figure(t, rows, fa, parent)
    if pfig is None:
        return []
    ref = pfig if parent == "all" else dict(pfig, respondents=None)
    n, base_note = t._base(ref, item_bases=False)
    if not np.isfinite(n) or n <= LIST_LIMIT:
        return []
    da, db = int(fa.get("decimals", 0) or 0), int(fb.get("decimals", 0) or 0)
    dp = int(pfig.get("decimals", 0) or 0)
    window = _share_window(float(fa["value"]), da, float(fb["value"]), db,
                           float(pfig["value"]), dp, int(n))
    try:
        c = subgroup_cases(float(fa["value"]), float(pfig["value"]), [int(n)],
                           sub_decimals=da, parent_decimals=dp, rest=float(fb["value"]),
                           rest_decimals=db, sub_range=window, max_cells=6 * MAX_CELLS)
    except ValueError:
        return []
    if c["worst"] is None:
        return []
    big, m, a, cc, _ = c["worst"]
    r = compare_proportions(a, m, cc - a, big - m, conf_level=t.conf_level).iloc[0].to_dict()
    note = join_notes(base_note, f"{fa['group']!r} and {fb['group']!r} stated to partition "
                      f"{parent!r}; on a base of {big} the {c['cases']} splits consistent with "
                      f"the rounded shares ({len(c['m'])} sizes of {fa['group']!r}, "
                      f"{int(c['m'].min())} to {int(c['m'].max())}) are scanned, not listed; "
                      f"least favourable p reported (p from {c['p_min']:.3g} to "
                      f"{c['worst'][4]:.3g})", r.get("note", ""))
    scen = f"partition scanned n={big}: {fa['group']} {a}/{m}, {fb['group']} {cc - a}/{big - m}"
    return [_flip(r, labels, note, scen, m, big - m, True)]


def _share_window(x, dx, y, dy, p, dp, n):
    """Sizes ``m`` of group x (share ``x``) that a partition with y (share ``y``) of a parent
    of ``n`` (share ``p``) allows: ``m / n = (p - y) / (x - y)`` over the rounding intervals,
    widened by one; None (no limit) when the intervals of x and y overlap."""
    from barotrend.figures.rounding import rounding_bounds

    (xl, xh), (yl, yh), (pl, ph) = (rounding_bounds(v, d) for v, d in
                                    ((x, dx), (y, dy), (p, dp)))
    if not (xl > yh or yl > xh):
        return None
    fs = [(pp - yy) / (xx - yy) for pp in (pl, ph) for xx in (xl, xh) for yy in (yl, yh)]
    return (max(1, int(np.floor(min(fs) * n)) - 1), min(n - 1, int(np.ceil(max(fs) * n)) + 1))


def _partition_sizes(t, rows, fa, fb, parent, sa, sb, min_item_response):
    """List of (size_a, size_b, scenario, note, counts) for two groups partitioning
    ``parent``; counts is ``(count_a, count_b)`` for a reconstructed split, else None."""
    pfig = _parent_figure(t, rows, fa, parent)
    ref = pfig if pfig is not None else dict(fa, group=parent, base=None)
    if parent != "all":
        ref = dict(ref, respondents=None)  # a group's base is not the wave's respondents
    n, base_note = t._base(ref, item_bases=False)
    if not np.isfinite(n):
        return []
    base_note = join_notes(base_note, f"{fa['group']!r} and {fb['group']!r} stated to "
                           f"partition {parent!r}")
    out = []
    if pfig is not None and fa["statistic"] == "share" and n > LIST_LIMIT:
        base_note = join_notes(base_note, f"group sizes not reconstructed: on a base of {n:g} "
                               "the splits are too many to list")
    elif pfig is not None and fa["statistic"] == "share":
        shares = rows[(rows["wave"] == fa["wave"]) & (rows["group"] == parent)
                      & (rows["statistic"] == "share")]
        try:
            out = _reconstructed(fa, fb, ref, int(n), base_note, shares, sa, sb,
                                 min_item_response)
        except ValueError as e:  # too many combinations to list on a large base
            base_note = join_notes(base_note, f"group sizes not reconstructed ({e})")
    if out:
        return out
    if sa or sb:  # one base stated: the other is the rest of the parent
        (k, s), other = ((sa, fb) if sa else (sb, fa))
        rest = n - k
        if rest < 1:
            return []
        note = join_notes(base_note, s, f"base of {other['group']!r} = {n:g} - {k:g} = "
                          f"{rest:g} (the rest of {parent!r})")
        return [(k, rest, "stated base and the rest of the parent", note, None) if sa else
                (rest, k, "stated base and the rest of the parent", note, None)]
    note = join_notes(base_note, "subgroup bases not published and not reconstructable: "
                      "stated assumption")
    splits = [(0.5, "assumed equal split"), (0.25, "assumed 1:3 split (sensitivity)"),
              (0.75, "assumed 3:1 split (sensitivity)")]
    return [(round(n * w), n - round(n * w), s,
             join_notes(note, f"{s}: {fa['group']} {round(n * w)}, {fb['group']} "
                        f"{n - round(n * w):g}"), None) for w, s in splits]


def _reconstructed(fa, fb, ref, n, base_note, shares, sa, sb, min_item_response):
    from barotrend.figures.bases import MIN_ITEM_RESPONSE, infer_group_sizes, item_bases

    ga, gb = fa["group"], fb["group"]
    dec = int(max(fa.get("decimals", 0) or 0, fb.get("decimals", 0) or 0,
                  ref.get("decimals", 0) or 0))
    kw = dict(decimals=dec, partition=True)
    res = infer_group_sizes(float(ref["value"]), {ga: float(fa["value"]),
                                                  gb: float(fb["value"])}, n=n, **kw)
    extra = ""
    if not res.attrs.get("feasible", len(res) > 0) and not _known(ref.get("base")):
        exhaustive = bool(shares["exhaustive"].all()) and not bool(shares["multi_response"].any())
        bases, extra = item_bases(shares["value"].astype(float).tolist(), n, decimals=dec,
                                  exhaustive=exhaustive,
                                  min_item_response=min_item_response or MIN_ITEM_RESPONSE)
        if not bases:
            return []
        res = infer_group_sizes(float(ref["value"]), {ga: float(fa["value"]),
                                                      gb: float(fb["value"])}, n=bases, **kw)
    for stated, g in ((sa, ga), (sb, gb)):  # a stated base is never overridden
        if stated and len(res):
            res = res[res[f"size_{g}"] == int(stated[0])]
    if res.empty:
        return []
    # every feasible split with its whole counts: the counts, not the rounded percentages,
    # are what the split implies
    cols = [f"size_{ga}", f"size_{gb}", f"count_{ga}", f"count_{gb}", "n"]
    splits = res[cols].drop_duplicates(subset=cols[:4])
    note = join_notes(base_note, extra, "subgroup bases reconstructed by infer_group_sizes ("
                      f"{len(splits)} feasible splits of whole counts)", res["note"].iloc[0])
    return [(float(x), float(y),
             f"reconstructed split n={nn}: {ga} {kx}/{x}, {gb} {ky}/{y}", note, (kx, ky))
            for x, y, kx, ky, nn in splits.itertuples(index=False)]


# -- a subgroup against its ancestor --------------------------------------------------------------

#: Largest number of (parent count, subgroup base) cells :func:`subgroup_cases` scans.
MAX_CELLS = 50_000_000


def subgroup_cases(sub, parent, parent_bases, sub_base=None, *, sub_decimals=0,
                   parent_decimals=0, max_cells=MAX_CELLS, rest=None, rest_decimals=0,
                   sub_range=None):
    """The subgroup bases and counts consistent with a subgroup share ``sub`` and its
    parent's share ``parent`` (percent, rounded half-up), and the least favourable pooled z
    test of the subgroup against the rest of the parent.

    A case is a parent base ``M``, subgroup base ``m`` (``sub_base`` when stated, else every
    ``1 <= m < M``), subgroup count ``a`` and parent count ``c`` with ``a`` and ``c`` rounding
    to the published shares on ``m`` and ``M`` and the rest's count ``c - a`` in ``0..M - m``.
    The pooled share is ``c / M``, so ``z = (a/m - (c - a)/(M - m)) /
    sqrt(c/M (1 - c/M) (1/m + 1/(M - m)))``, which for fixed ``M, m, c`` is proportional to
    ``a M - c m``: its smallest ``|z|`` (largest p) lies at an end of the run of ``a`` or next to
    ``a = c m / M``, its largest at an end. So each ``(M, c)`` is scanned over all ``m`` at once
    with four candidate ``a``; the work is (number of parent counts) x (number of bases),
    refused beyond ``max_cells`` with a ``ValueError`` naming the sizes. ``rest`` (percent)
    also requires the rest's count to round to it on ``M - m`` (two groups partitioning the
    parent); ``sub_range=(lo, hi)`` limits the subgroup bases scanned.

    Returns a dict: ``M, m, a_lo, a_hi`` (arrays, one entry per feasible ``(M, m)``: the
    subgroup counts possible with some parent count), ``cases`` (number of ``(M, m, a, c)``),
    ``worst`` (``(M, m, a, c, p)`` of the largest p, None when nothing fits) and ``p_min``.

    Examples
    --------
    89% of a subgroup of trust finance directors, 67% of all 83 of them (56 of 83): the
    least favourable is the smallest subgroup, 8 of 9; the rest then has 48 of 74.

    >>> r = subgroup_cases(89, 67, [83])
    >>> r["worst"][:4], int(r["m"].min()), int(r["m"].max())
    ((83, 9, 8, 56), 9, 63)
    """
    from barotrend.figures.exact import count_ranges, exact_bounds

    bs = exact_bounds(sub, sub_decimals, name="sub")
    bp = exact_bounds(parent, parent_decimals, name="parent")
    out = {"M": [], "m": [], "a_lo": [], "a_hi": []}
    cases, worst, p_min = 0, None, np.inf
    for big in (int(b) for b in parent_bases):
        if big < 2:
            continue
        c_lo, c_hi = (int(x[0]) for x in count_ranges(bp, [big]))
        ms = (np.arange(1, big, dtype=np.int64) if sub_base is None
              else np.array([int(sub_base)], dtype=np.int64))
        ms = ms[(ms >= 1) & (ms < big)]
        if sub_range is not None:
            ms = ms[(ms >= sub_range[0]) & (ms <= sub_range[1])]
        if not ms.size or c_lo > c_hi:
            continue
        if (c_hi - c_lo + 1) * ms.size > max_cells:
            raise ValueError(f"{c_hi - c_lo + 1} parent counts x {ms.size} subgroup bases on a "
                             f"parent base of {big} exceed max_cells={max_cells}")
        a_lo, a_hi = (x.astype(np.int64) for x in count_ranges(bs, ms))
        if rest is not None:
            r_lo, r_hi = (x.astype(np.int64) for x in count_ranges(
                exact_bounds(rest, rest_decimals, name="rest"), big - ms))
        lo_all = np.full(ms.size, np.iinfo(np.int64).max)
        hi_all = np.full(ms.size, -1)
        rest_n = big - ms
        for c in range(c_lo, c_hi + 1):
            lo = np.maximum(a_lo, c - rest_n)
            hi = np.minimum(a_hi, c)
            if rest is not None:
                lo, hi = np.maximum(lo, c - r_hi), np.minimum(hi, c - r_lo)
            ok = lo <= hi
            if not ok.any():
                continue
            lo_all[ok] = np.minimum(lo_all[ok], lo[ok])
            hi_all[ok] = np.maximum(hi_all[ok], hi[ok])
            cases += int((hi[ok] - lo[ok] + 1).sum())
            m, lo, hi = ms[ok], lo[ok], hi[ok]
            near = c * m / big
            cand = [lo, hi, np.clip(np.floor(near).astype(np.int64), lo, hi),
                    np.clip(np.ceil(near).astype(np.int64), lo, hi)]
            for a in cand:
                p = pooled_p(a, m, c - a, big - m)
                i = int(np.argmax(p))
                if worst is None or p[i] > worst[4]:
                    worst = (big, int(m[i]), int(a[i]), c, float(p[i]))
                p_min = min(p_min, float(p.min()))
        ok = hi_all >= 0
        out["M"].append(np.full(int(ok.sum()), big))
        out["m"].append(ms[ok])
        out["a_lo"].append(lo_all[ok])
        out["a_hi"].append(hi_all[ok])
    res = {k: (np.concatenate(v) if v else np.array([], dtype=np.int64)) for k, v in out.items()}
    res.update(cases=cases, worst=worst, p_min=p_min if worst else np.nan)
    return res


def _nested_rows(t, fa, fb, rel, labels, min_item_response):
    from barotrend.figures.differences import compare_proportions

    sub, anc = (fa, fb) if rel.kind == "a_in_b" else (fb, fa)
    what = f"{sub['group']!r} against the rest of {anc['group']!r}"
    if fa["statistic"] != "share":
        return _untested(fa, fb, labels, "subgroup vs parent",
                         f"{rel.why}: a subgroup's mean against its parent's needs the rest's "
                         "mean and SDs, not published: the difference only", t.conf_level)
    stated_anc = _user_base(t, anc)
    if stated_anc:
        bigs, anc_note = [int(stated_anc[0])], stated_anc[1]
    elif anc["group"] == "all" and _known(anc.get("respondents")):
        n, anc_note = t._base(anc, item_bases=False)
        bigs = [int(n)]
        if anc.get("exhaustive", False):
            bigs, why = _table.question_bases(anc, t._figures, int(n), min_item_response)
            anc_note = f"{anc['wave']}: {why}"
    else:
        bigs, anc_note = [], ""
    if not bigs:
        return _untested(fa, fb, labels, "subgroup vs parent",
                         f"{rel.why}; the base of {anc['group']!r} is unknown, so {what} "
                         "cannot be tested: the difference only", t.conf_level)
    stated_sub = _user_base(t, sub)
    try:
        cases = subgroup_cases(float(sub["value"]), float(anc["value"]), bigs,
                               None if stated_sub is None else stated_sub[0],
                               sub_decimals=int(sub.get("decimals", 0) or 0),
                               parent_decimals=int(anc.get("decimals", 0) or 0))
    except ValueError as e:
        return _untested(fa, fb, labels, "subgroup vs parent",
                         f"{rel.why}; the feasible subgroup bases are too many to scan ({e}): "
                         "the difference only (state the subgroup's base)", t.conf_level)
    if cases["worst"] is None:
        why = ("the published shares are inconsistent with the stated bases" if stated_sub
               else "no subgroup base and counts are consistent with the published shares")
        return _untested(fa, fb, labels, "subgroup vs parent",
                         f"{rel.why}; {why}: the difference only", t.conf_level)
    big, m, a, c, _ = cases["worst"]
    r = compare_proportions(a, m, c - a, big - m, conf_level=t.conf_level).iloc[0]
    f = 1 - m / big
    d, lo, hi = f * r["difference"], f * r["ci_low"], f * r["ci_high"]
    sign = 1 if sub is fa else -1
    if sign < 0:
        d, lo, hi = -d, -hi, -lo
    if stated_sub:
        scen = f"subgroup vs rest of parent, stated bases: {a}/{m} vs {c - a}/{big - m}"
        basis = join_notes(stated_sub[1], anc_note)
    else:
        ms = cases["m"]
        scen = (f"subgroup vs rest of parent, least favourable subgroup base m={m}: "
                f"{a}/{m} vs {c - a}/{big - m}")
        basis = join_notes(anc_note, f"base of {sub['group']!r} not published: {len(ms)} "
                           f"feasible subgroup bases ({int(ms.min())} to {int(ms.max())}) and "
                           f"{cases['cases']} count combinations consistent with the rounded "
                           f"shares; least favourable p reported (p from "
                           f"{cases['p_min']:.3g} to {cases['worst'][4]:.3g})")
    est_sub, est_anc = a / m, c / big
    note = join_notes(f"{rel.why}: {what}, two disjoint samples ({a} of {m} vs {c - a} of "
                      f"{big - m}), never as two independent samples", basis,
                      f"interval of the subgroup-rest difference scaled by 1 - m/M = {f:.4g}")
    return [dict(labels, estimate_a=est_sub if sign > 0 else est_anc,
                 estimate_b=est_anc if sign > 0 else est_sub, difference=d, estimate=d,
                 se=f * r["se"], ci_low=lo, ci_high=hi, statistic=sign * r["statistic"],
                 p_value=r["p_value"], n_a=m if sign > 0 else big, n_b=big if sign > 0 else m,
                 method="subgroup against the rest of its parent: pooled z test, Newcombe "
                        "interval scaled by 1 - m/M",
                 note=note, scenario=scen, size_a=m if sign > 0 else big,
                 size_b=big if sign > 0 else m)]


def _bounding_ancestor(t, rows, fig):
    """The nearest ancestor of a group's figure whose base is stated or assumed (for ``all``:
    the wave's respondents): ``(group, base, figure or None, note)``, or None."""
    chain = t._relations.chain(fig["survey"], fig["wave"], fig["group"])[1:]
    for g in chain:
        pfig = _parent_figure(t, rows, fig, g)
        ref = pfig if pfig is not None else dict(fig, group=g, base=None)
        if g != "all":
            ref = dict(ref, respondents=None)
        n, note = t._base(ref, item_bases=False)
        if np.isfinite(n) and n >= 2:
            return g, int(n), pfig, note
    return None


def _ranged_rows(t, rows, fa, fb, sa, sb, labels):
    """Two known-disjoint groups, one base stated and the other not: the unknown base ranges
    over every size its nearest ancestor with a known base allows (with that ancestor's share,
    every subgroup size and count consistent with both rounded shares, as
    :func:`subgroup_cases`), less the other group when it lies in the same ancestor; the
    least favourable pooled z test of the two independent samples is reported."""
    from barotrend.figures.differences import compare_proportions
    from barotrend.figures.exact import count_ranges, exact_bounds

    (kf, (nk, knote)), uf = ((fa, sa), fb) if sa else ((fb, sb), fa)
    anc = _bounding_ancestor(t, rows, uf)
    if anc is None:
        return []
    g, big, pfig, anote = anc
    room = big
    if g in t._relations.chain(kf["survey"], kf["wave"], kf["group"]):
        room = big - int(nk)  # the other group takes its stated part of the ancestor
    udec, kdec = int(uf.get("decimals", 0) or 0), int(kf.get("decimals", 0) or 0)
    if pfig is not None and pfig["statistic"] == "share":
        try:
            c = subgroup_cases(float(uf["value"]), float(pfig["value"]), [big],
                               sub_decimals=udec,
                               parent_decimals=int(pfig.get("decimals", 0) or 0))
        except ValueError:
            return []
        ms, a_lo, a_hi = c["m"], c["a_lo"], c["a_hi"]
    else:
        ms = np.arange(1, big + 1, dtype=np.int64)
        a_lo, a_hi = (x.astype(np.int64) for x in count_ranges(
            exact_bounds(float(uf["value"]), udec, name="share"), ms))
    keep = (ms <= room) & (a_lo <= a_hi)
    ms, a_lo, a_hi = ms[keep], a_lo[keep], a_hi[keep]
    klo, khi = (int(x[0]) for x in count_ranges(exact_bounds(float(kf["value"]), kdec,
                                                              name="share"), [int(nk)]))
    if not ms.size or klo > khi:
        return []
    n2 = int(nk)
    best = None
    for m, a, k in ranged_candidates(ms, a_lo, a_hi, n2, klo, khi):
        p = pooled_p(a, m, k, n2)
        i = int(np.argmax(p))
        if best is None or p[i] > best[0]:
            best = (float(p[i]), int(m[i]), int(a[i]), int(k[i]))
    pmax, mu, au, ku = best
    r = compare_proportions(au, mu, ku, n2, conf_level=t.conf_level).iloc[0].to_dict()
    note = join_notes(knote, anote, f"base of {uf['group']!r} not published: every size up to "
                      f"{room} that {g!r} (base {big}) allows and that reproduces the rounded "
                      f"shares ({ms.size} sizes, {int(ms.min())} to {int(ms.max())}); least "
                      f"favourable p reported ({pmax:.3g})", r.get("note", ""))
    scen = (f"known disjoint, least favourable base of {uf['group']}: {au}/{mu} vs "
            f"{ku}/{n2}")
    if uf is fa:
        return [_flip(r, labels, note, scen, mu, n2, True)]
    return [_flip(r, labels, note, scen, n2, mu, False)]


def pooled_p(a, m, k, n):
    """Two-sided p of the pooled z test of ``a/m`` against ``k/n`` (arrays; 1 where the
    pooled share is 0 or 1, the two shares then being equal)."""
    a, m, k, n = (np.asarray(x, dtype=float) for x in (a, m, k, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        pool = (a + k) / (m + n)
        z = (a / m - k / n) / np.sqrt(pool * (1 - pool) * (1 / m + 1 / n))
    return np.where(np.isfinite(z), 2 * stats.norm.sf(np.abs(z)), 1.0)


def ranged_candidates(ms, a_lo, a_hi, n, klo, khi):
    """Batches of arrays ``(m, a, k)`` among which the least favourable (largest p) pooled z
    test of
    ``a/m`` against ``k/n`` lies, for subgroup sizes ``ms`` with count runs ``a_lo..a_hi`` and
    the other group's count run ``klo..khi`` on base ``n``. The pooled z statistic is monotone
    in each count, so for a fixed ``k`` the smallest ``|z|`` lies at an end of the run of ``a``
    or next to ``a = k m / n`` (and for a fixed ``a`` likewise in ``k``): every ``k`` of a run
    of at most eight is tried with those four ``a``; for a longer run the ends of both runs
    and the counts next to the sign change from either side."""
    ms, a_lo, a_hi = (np.asarray(x, dtype=np.int64) for x in (ms, a_lo, a_hi))
    ks = (range(klo, khi + 1) if khi - klo < 8 else (klo, khi))
    for k in ks:
        near = k * ms / n
        for a in (a_lo, a_hi, np.floor(near), np.ceil(near)):
            yield ms, np.clip(np.asarray(a, dtype=np.int64), a_lo, a_hi), np.full(ms.size, k)
    if khi - klo >= 8:
        for a in (a_lo, a_hi):
            near = a * n / ms
            for k in (np.floor(near), np.ceil(near)):
                yield ms, a, np.clip(k.astype(np.int64), klo, khi)


def _flip(r, labels, note, scen, na, nb, same):
    """A compare_proportions row of (unknown - known) as the caller's ``a - b``."""
    d, lo, hi, stat = r["difference"], r["ci_low"], r["ci_high"], r["statistic"]
    ea, eb = r["estimate_a"], r["estimate_b"]
    if not same:
        d, lo, hi, stat, ea, eb = -d, -hi, -lo, -stat, eb, ea
    return dict(labels, estimate_a=ea, estimate_b=eb, difference=d, estimate=d, se=r["se"],
                ci_low=lo, ci_high=hi, statistic=stat, p_value=r["p_value"], n_a=na, n_b=nb,
                method=r["method"], note=note, scenario=scen, size_a=na, size_b=nb)


# -- the Tracker's entry points -------------------------------------------------------------------

def compare_groups(t, item, a, b, wave, category, survey) -> list[dict]:
    """Rows comparing group ``a`` with group ``b`` (difference ``a - b``); see module note."""
    rows = t._item(item, survey)
    for g, name in ((a, "a"), (b, "b")):
        if g not in set(rows["group"]):
            raise ValueError(f"{name}={g!r} is not a group of item {item!r}; groups: "
                             f"{sorted(rows['group'].unique())}")
    if a == b:
        raise ValueError(f"a and b must be two different groups, got {a!r} twice")
    cat = t._category(rows[rows["group"] == a], category)
    if wave is None:
        has = rows[(rows["category"] == cat) & rows["statistic"].isin(("share", "mean"))]
        both = set(has.loc[has["group"] == a, "wave"]) & set(has.loc[has["group"] == b, "wave"])
        waves = [w for w in dict.fromkeys(rows["wave"]) if w in both]
    else:
        waves = [t._wave(rows, wave, "wave")]
    out = []
    for w in waves:
        fa, fb = t._figure(rows, w, a, cat, "wave"), t._figure(rows, w, b, cat, "wave")
        labels = {"survey": fa["survey"], "wave": w, "item": item, "group": f"{a} vs {b}",
                  "category": cat}
        out += pair_rows(t, rows, fa, fb, labels)
    return out


def gap_change(t, item, a, b, from_wave, to_wave, category, survey) -> list[dict]:
    """Difference in differences ``(a - b)[to] - (a - b)[from]``, the two waves independent
    (separate samples); each wave's gap is its primary row under the module's policy (the
    least favourable scenario). Without both groups in both waves: a row saying so."""
    rows = t._item(item, survey)
    fw, tw = t._wave(rows, from_wave, "from_wave"), t._wave(rows, to_wave, "to_wave")
    labels = {"survey": rows["survey"].iloc[0], "wave": f"{fw}->{tw}", "item": item,
              "group": f"({a} - {b}) change"}
    cat = t._category(rows[rows["group"] == a], category) if a in set(rows["group"]) else None
    has = rows if cat is None else rows[rows["category"] == cat]
    has = has[has["statistic"].isin(("share", "mean"))]
    have = {(w, g) for w, g in zip(has["wave"], has["group"], strict=True)}
    missing = [f"{g} in {w}" for w in (fw, tw) for g in (a, b) if (w, g) not in have]
    if missing:
        return [dict(labels, estimate=np.nan, difference=np.nan, p_value=np.nan,
                     method="difference in differences (not testable)",
                     note=f"the gap change cannot be tested: no published figure for "
                          f"{', '.join(missing)}")]
    gf = compare_groups(t, item, a, b, fw, cat, survey)[0]
    gt = compare_groups(t, item, a, b, tw, cat, survey)[0]
    from barotrend.compare import compare_estimates
    from barotrend.results import result_frame

    fa = result_frame([{"estimate": gt["difference"], "se": gt.get("se", np.nan)}])
    fb = result_frame([{"estimate": gf["difference"], "se": gf.get("se", np.nan)}])
    r = compare_estimates(fa, fb, conf_level=t.conf_level).iloc[0].to_dict()
    r.update(labels)
    r["method"] = "difference in differences (independent samples); " + str(r.get("method", ""))
    r["note"] = join_notes(f"gap {tw}: {gt['note']}", f"gap {fw}: {gf['note']}", r.get("note", ""))
    return [r]
