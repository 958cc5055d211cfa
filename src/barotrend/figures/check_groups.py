"""The group checks of :func:`~barotrend.figures.checks.check_figures`, following the stated
relations of groups (``groups.csv``, :class:`~barotrend.figures.relations.GroupRelations`).

For one category of one item in one wave:

* groups stated to **partition** a parent whose share is published (``subgroup_range``,
  ``group_sizes``): the parent's share is the size-weighted average of the partition's shares,
  so it lies within their range (within rounding); and some sizes adding up to the parent's base
  and counts adding up to the parent's count reproduce every figure. Stated subgroup bases are
  used as they are; with at most one size unknown the sizes are fixed and the count runs are
  added directly, otherwise :func:`~barotrend.figures.groups.infer_group_sizes` lists the
  splits and those that disagree with a stated base are dropped.
* a group stated **nested** in (or **disjoint** within) a parent whose share is published
  (``subgroup_within_parent``): the subgroup is a subset of the parent, so some subgroup count
  ``a`` of ``m`` fits inside some parent count ``c`` of ``M``: ``a <= c`` and
  ``m - a <= M - c`` (``m`` the stated subgroup base, else any of ``1..M``). Nothing is assumed
  about the siblings.
* two or more groups stated **disjoint** within a parent, every base stated
  (``disjoint_within_parent``): their bases add up to at most the parent's and some counts fit
  together inside a parent count (the rest of the parent holds the others).
* groups of **unknown** relation (not named in ``groups.csv``): ``subgroup_range`` (and, for two
  or more, ``group_sizes``) are "not testable": the groups are not assumed to partition the
  respondents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barotrend.figures.check_parts import bounds, fmt, hull, missing, overlap, row
from barotrend.figures.exact import count_range, count_ranges
from barotrend.figures.groups import infer_group_sizes
from barotrend.figures.relations import GroupRelations

__all__: list[str] = []

_KEYS = ["survey", "wave", "item", "category"]


def group_checks(shares: pd.DataFrame, base_of, convention: str,
                 relations: GroupRelations) -> list[dict]:
    """Rows of the group checks over the share figures (see module note)."""
    out: list[dict] = []
    for _, part in shares.groupby(_KEYS, sort=False):
        if (part["group"] == "all").all():
            continue
        first = part.iloc[0]
        tab = relations.table(first["survey"], first["wave"])
        by_group = {g: part[part["group"] == g] for g in dict.fromkeys(part["group"])}
        published = [g for g in by_group if g != "all"]
        for parent in dict.fromkeys(p for p, rel in tab.values() if rel == "partition"):
            members = relations.members(first["survey"], first["wave"], parent)
            if parent in by_group and any(g in by_group for g in members):
                out += _partition(by_group, parent, members, base_of, convention)
        for g in published:
            parent, rel = tab.get(g, ("all", None))
            if rel in ("nested", "disjoint") and parent in by_group:
                out.append(_within(by_group[parent], by_group[g], rel, base_of, convention))
        for parent in dict.fromkeys(p for p, rel in tab.values() if rel == "disjoint"):
            sibs = [g for g in published if tab.get(g) == (parent, "disjoint")]
            if len(sibs) >= 2 and parent in by_group:
                out.append(_disjoint(by_group, parent, sibs, base_of, convention))
        unknown = [g for g in published if g not in tab]
        if unknown and "all" in by_group:
            out += _unknown(by_group, unknown)
    return out


def _name(g: str) -> str:
    return "overall" if g == "all" else g


def _run(x: int, y: int) -> str:
    """A count run as words: ``"27"``, ``"134-136"`` or ``"no count"``."""
    return "no count" if x > y else (str(x) if x == y else f"{x}-{y}")


def _figs(by_group, names) -> pd.DataFrame:
    return pd.concat([by_group[g] for g in names])


def _unknown(by_group, unknown) -> list[dict]:
    figs = _figs(by_group, ["all", *unknown])
    names = ", ".join(repr(g) for g in unknown)
    why = (f"no relation stated in groups.csv for {names}: the groups are not assumed to "
           "partition the respondents (state relation 'partition' in groups.csv to check the "
           "overall share against them)")
    out = [row("subgroup_range", figs, "not testable", f"Not checked: {why}.")]
    if len(unknown) >= 2:
        out.append(row("group_sizes", figs, "not testable", f"Group sizes not inferred: {why}."))
    return out


def _partition(by_group, parent, members, base_of, convention) -> list[dict]:
    shown = [g for g in by_group if g in members]
    figs = _figs(by_group, [parent, *shown])
    o = by_group[parent].iloc[0]
    subs = [by_group[g].iloc[0] for g in shown]
    names = " and ".join(f"{s['group']} {fmt(s['value'])}%" for s in subs)
    stated = (f"{', '.join(repr(g) for g in members)} partition {parent!r} (groups.csv)")
    lacking = [g for g in members if g not in by_group]
    if lacking or len(members) < 2:
        why = (f"{', '.join(repr(g) for g in lacking)} ha{'s' if len(lacking) == 1 else 've'} no "
               "figure for this category" if lacking else "the partition has one group")
        return [row("subgroup_range", figs, "not testable",
                    f"{stated}, but {why}: the {_name(parent)} {fmt(o['value'])}% is not constrained "
                    f"by {names}.")]
    span = hull([bounds(s, convention) for s in subs])
    ok = overlap(bounds(o, convention), span)
    out = [row("subgroup_range", figs, "pass" if ok else "fail",
               f"{stated}, so the {_name(parent)} {fmt(o['value'])}% is a weighted average of {names} "
               f"and must lie within {fmt(span.low)}-{fmt(span.high)}: it "
               f"{'does' if ok else 'does not'}.")]
    out.append(_sizes(figs, o, subs, base_of, convention))
    for r in out:  # the finding rests on the stated relation: say so
        if r["verdict"] == "fail":
            r["detail"] += (f" Unless the relation in groups.csv is wrong: if {' and '.join(shown)}"
                            f" do not partition {parent!r}, state them 'disjoint' or 'nested'.")
    return out


def _sizes(figs, o, subs, base_of, convention) -> dict:
    """``group_sizes`` for a partition: stated subgroup bases kept, the rest from the parent."""
    known = {s["group"]: int(s["base"]) for s in subs if not missing(s["base"])}
    free = [s["group"] for s in subs if s["group"] not in known]
    n, why = base_of(o)
    total = sum(known.values())
    stated_txt = ", ".join(f"{g} {b}" for g, b in known.items())
    if not free:  # every subgroup base stated: the parent's base is their sum
        if n is not None and n != total and why == "":
            return row("group_sizes", figs, "fail",
                       f"The stated subgroup bases ({stated_txt}) add up to {total}, not the "
                       f"stated base {n} of {o['group']!r} they partition.")
        why = "" if n == total else f" (the {o['group']} base taken as the sum {total} of the " \
                                    "stated subgroup bases)"
        n = total
    if n is None:
        return row("group_sizes", figs, "not testable", f"Group sizes need the {o['group']} "
                   f"base: {why}.")
    kept = f"; stated bases kept: {stated_txt}" if known else ""
    if len(free) <= 1:
        sizes = dict(known)
        if free:
            sizes[free[0]] = n - total
        if min(sizes.values()) < 1:
            return row("group_sizes", figs, "fail",
                       f"The stated subgroup bases ({stated_txt}) leave {n - total} of the "
                       f"{n} for {free[0]}{why}.")
        runs = {s["group"]: count_range(bounds(s, convention), sizes[s["group"]]) for s in subs}
        a, b = count_range(bounds(o, convention), n)
        lo, hi = sum(r[0] for r in runs.values()), sum(r[1] for r in runs.values())
        ok = a <= b and all(x <= y for x, y in runs.values()) and lo <= b and hi >= a
        counts = ", ".join(f"{g} {_run(x, y)} of {sizes[g]}" for g, (x, y) in runs.items())
        return row("group_sizes", figs, "pass" if ok else "fail",
                   f"Group sizes {', '.join(f'{g} {m}' for g, m in sizes.items())} partition "
                   f"{n}; counts {counts} {'can' if ok else 'cannot'} add up to "
                   f"{_run(a, b)} of {n} for the "
                   f"{_name(o['group'])} {fmt(o['value'])}%{why}{kept}.")
    values = {s["group"]: float(s["value"]) for s in subs}
    try:
        res = infer_group_sizes(float(o["value"]), values, n=n,
                                decimals=int(figs["decimals"].max()), convention=convention)
    except ValueError as err:  # a search too large to run (a base in the millions)
        return row("group_sizes", figs, "not testable", f"{err}.")
    for g, m in known.items():
        res = res[res[f"size_{g}"] == m]
    if len(res):
        g0 = free[0]
        sizes = sorted(set(res[f"size_{g0}"]))
        shown = ", ".join(str(s) for s in sizes[:8]) + (", ..." if len(sizes) > 8 else "")
        return row("group_sizes", figs, "pass",
                   f"The groups partition {n}: {len(res)} combination(s) of sizes and counts "
                   f"reproduce every figure ({g0} size {shown}){why}{kept}.")
    a, b = count_range(bounds(o, convention), n)
    extra = (f"; the {_name(o['group'])} {fmt(o['value'])}% is itself not achievable on {n}"
             if a > b else "") + ("" if known else _nearest_bases(o, values, n, figs,
                                                                  convention))
    return row("group_sizes", figs, "fail",
               f"The groups partition {n}, but no sizes and counts reproduce "
               f"{' and '.join(f'{g} {fmt(v)}%' for g, v in values.items())} with "
               f"{_name(o['group'])} {fmt(o['value'])}%{extra}{why}{kept}.")


def _nearest_bases(o, values, n, figs, convention) -> str:
    """``"; sizes fit on the bases 70 and 72 ..."``: the nearest parent bases below and above
    ``n`` (within ``max(20, n / 10)``) on which some sizes and counts reproduce the figures."""
    w = max(20, n // 10)
    try:
        res = infer_group_sizes(float(o["value"]), values, n=None, min_base=max(1, n - w),
                                max_base=n + w, decimals=int(figs["decimals"].max()),
                                convention=convention)
    except ValueError:  # too large a search: no hint
        return ""
    fit = sorted(set(res["n"].tolist()))
    below, above = [x for x in fit if x < n], [x for x in fit if x > n]
    shown = ([f"{below[-1]} (below)"] if below else []) + ([f"{above[0]} (above)"]
                                                         if above else [])
    if not shown:
        return f"; no {_name(o['group'])} base within {max(1, n - w)}-{n + w} fits either"
    return f"; the nearest {_name(o['group'])} bases on which sizes fit are {' and '.join(shown)}"


def _disjoint(by_group, parent, sibs, base_of, convention) -> dict:
    """``disjoint_within_parent``: disjoint groups with stated bases fit in the parent together:
    their sizes add up to at most the parent's base ``M`` and some counts ``a_j`` and parent
    count ``C`` have ``sum a_j <= C`` and ``sum (m_j - a_j) <= M - C``."""
    figs = _figs(by_group, [parent, *sibs])
    o = by_group[parent].iloc[0]
    subs = [by_group[g].iloc[0] for g in sibs]
    head = (f"{', '.join(repr(g) for g in sibs)} are stated disjoint within {parent!r} "
            "(groups.csv)")
    big, why = base_of(o)
    lacking = [x["group"] for x in subs if missing(x["base"])]
    if big is None or lacking:
        reason = why if big is None else (f"the base of {', '.join(map(repr, lacking))} is "
                                          "not published")
        return row("disjoint_within_parent", figs, "not testable",
                   f"{head}; whether they fit in it together needs every base: {reason}.")
    sizes = [int(x["base"]) for x in subs]
    total = sum(sizes)
    shown = " + ".join(f"{x['group']} {m}" for x, m in zip(subs, sizes, strict=True))
    if total > big:
        return row("disjoint_within_parent", figs, "fail",
                   f"{head}, but their stated bases {shown} = {total} exceed the "
                   f"{_name(parent)} base {big}{why}.")
    runs = [count_range(bounds(x, convention), m) for x, m in zip(subs, sizes, strict=True)]
    a, b = count_range(bounds(o, convention), big)
    lo = max(sum(r[0] for r in runs), a - big + total)
    hi = min(sum(r[1] for r in runs), b)
    ok = a <= b and all(x <= y for x, y in runs) and lo <= hi
    return row("disjoint_within_parent", figs, "pass" if ok else "fail",
               f"{head}: bases {shown} = {total} of {big}; their counts "
               f"{', '.join(_run(x, y) for x, y in runs)} {'fit' if ok else 'do not fit'} "
               f"together inside {_run(a, b)} of {big} for the {_name(parent)} "
               f"{fmt(o['value'])}%{why}.")


def _within(parent_figs, sub_figs, rel, base_of, convention) -> dict:
    """``subgroup_within_parent``: some subgroup count fits inside some parent count."""
    o, s = parent_figs.iloc[0], sub_figs.iloc[0]
    figs = pd.concat([parent_figs.iloc[:1], sub_figs.iloc[:1]])
    big, why = base_of(o)
    head = (f"{s['group']!r} is stated {rel} within {o['group']!r} (groups.csv): "
            f"{s['group']} {fmt(s['value'])}% within {_name(o['group'])} {fmt(o['value'])}%")
    if big is None:
        return row("subgroup_within_parent", figs, "not testable",
                   f"{head} cannot be checked: {why}.")
    a, b = count_range(bounds(o, convention), big)
    if a > b:
        return row("subgroup_within_parent", figs, "fail",
                   f"{head}: the {_name(o['group'])} {fmt(o['value'])}% is itself not achievable on "
                   f"{big}{why}.")
    stated = not missing(s["base"])
    m = np.array([int(s["base"])] if stated else np.arange(1, big + 1), dtype=np.int64)
    if stated and m[0] > big:
        return row("subgroup_within_parent", figs, "fail",
                   f"{head}: the stated subgroup base {m[0]} exceeds the {o['group']} base "
                   f"{big}{why}.")
    lo, hi = count_ranges(bounds(s, convention), m)
    lo, hi = np.maximum(lo, a + m - big), np.minimum(hi, b)
    fits = m[lo <= hi]
    on = f"on its stated base {m[0]}" if stated else f"on any base 1-{big}"
    if not fits.size:
        hint = ""
        if stated:  # which subgroup bases would fit inside the parent
            m_all = np.arange(1, big + 1, dtype=np.int64)
            x, y = count_ranges(bounds(s, convention), m_all)
            ok = m_all[np.maximum(x, a + m_all - big) <= np.minimum(y, b)]
            hint = (f"; it would fit on subgroup bases {', '.join(map(str, ok[:6].tolist()))}"
                    f"{', ...' if ok.size > 6 else ''}" if ok.size
                    else "; it fits on no subgroup base of the parent")
        return row("subgroup_within_parent", figs, "fail",
                   f"{head}: no count of the subgroup {on} fits inside a count {a}-{b} of "
                   f"{big}{why}{hint}.")
    i = int(np.flatnonzero(lo <= hi)[0])
    where = (f"{lo[i]} of {m[0]} fits inside {max(a, lo[i])} of {big}" if stated
             else f"it fits on {fits.size} subgroup base(s) within {fits[0]}-{fits[-1]}")
    return row("subgroup_within_parent", figs, "pass", f"{head}: {where}{why}.")
