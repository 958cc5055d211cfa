"""Group comparisons within a wave and the change of a group gap between waves.

Subgroup bases are rarely published ("61% of GPs, 31% of non-GPs"). The group sizes are then
taken, in this order:

1. both bases stated in the article, or assumed by the user
   (``assumed_bases={(survey, wave, group): n}``): used as they are;
2. reconstructed with :func:`barotrend.figures.bases.infer_group_sizes` from the overall share of
   the same category (groups assumed to partition the base) on the wave's base, and, when the
   overall share is not achievable on that base, on every smaller base (item non-response);
   one row per feasible split, the least favourable (largest p-value) first;
3. a stated assumption with sensitivity: an equal split of the base, then 1:3 and 3:1 splits;
4. no base at all: the difference of the published figures only, not tested.

Groups are disjoint subsamples of one wave, so the two estimates are independent. The column
``scenario`` names the case of each row; the first row is the one families of comparisons use.
"""

from __future__ import annotations

import numpy as np

from barotrend.tracking.change import compare_figures
from barotrend.tracking.series import join_notes
from barotrend.tracking.table import _known


def _sizes(t, fa, fb, rows, wave, cat):
    """List of (size_a, size_b, scenario, note, counts) for comparing groups fa, fb; counts
    is ``(count_a, count_b)`` for a reconstructed split, else None."""
    if _known(fa.get("base")) and _known(fb.get("base")):
        return [(float(fa["base"]), float(fb["base"]), "stated bases", "", None)]
    (na, note_a), (nb, note_b) = t._base(fa), t._base(fb)
    if np.isfinite(na) and np.isfinite(nb):
        return [(na, nb, "bases stated or assumed by the user", join_notes(note_a, note_b),
                 None)]
    overall = rows[(rows["wave"] == wave) & (rows["group"] == "all")
                   & (rows["category"] == cat) & (rows["statistic"] == "share")]
    ref = (overall.iloc[0].to_dict() if len(overall)
           else dict(fa, group="all", base=None))  # the wave's base, no overall figure
    n, base_note = t._base(ref, item_bases=False)
    if not np.isfinite(n):
        return []
    out = []
    if len(overall) and fa["statistic"] == "share":
        shares = rows[(rows["wave"] == wave) & (rows["group"] == "all")
                      & (rows["statistic"] == "share")]
        out = _reconstructed(fa, fb, ref, int(n), base_note, shares)
    if out:
        return out
    note = join_notes(base_note, "subgroup bases not published and not reconstructable: "
                      "stated assumption")
    splits = [(0.5, "assumed equal split"), (0.25, "assumed 1:3 split (sensitivity)"),
              (0.75, "assumed 3:1 split (sensitivity)")]
    return [(round(n * w), n - round(n * w), s,
             join_notes(note, f"{s}: {fa['group']} {round(n * w)}, {fb['group']} "
                        f"{n - round(n * w):g}"), None) for w, s in splits]


def _reconstructed(fa, fb, ref, n, base_note, shares):
    from barotrend.figures.bases import infer_group_sizes, item_bases

    ga, gb = fa["group"], fb["group"]
    dec = int(max(fa.get("decimals", 0) or 0, fb.get("decimals", 0) or 0,
                  ref.get("decimals", 0) or 0))
    kw = dict(decimals=dec, partition=True)
    res = infer_group_sizes(float(ref["value"]), {ga: float(fa["value"]),
                                                  gb: float(fb["value"])}, n=n, **kw)
    extra = ""
    if not res.attrs.get("feasible", len(res) > 0):
        exhaustive = bool(shares["exhaustive"].all()) and not bool(shares["multi_response"].any())
        bases, extra = item_bases(shares["value"].astype(float).tolist(), n, decimals=dec,
                                  exhaustive=exhaustive)
        if not bases:
            return []
        res = infer_group_sizes(float(ref["value"]), {ga: float(fa["value"]),
                                                      gb: float(fb["value"])}, n=bases, **kw)
    if res.empty:
        return []
    # every feasible split with its whole counts: the counts, not the rounded percentages,
    # are what the split implies (the report's verdicts test the same counts)
    cols = [f"size_{ga}", f"size_{gb}", f"count_{ga}", f"count_{gb}", "n"]
    splits = res[cols].drop_duplicates(subset=cols[:4])
    note = join_notes(base_note, extra, "subgroup bases reconstructed by infer_group_sizes ("
                      f"{len(splits)} feasible splits of whole counts)", res["note"].iloc[0])
    return [(float(x), float(y),
             f"reconstructed split n={nn}: {ga} {kx}/{x}, {gb} {ky}/{y}", note, (kx, ky))
            for x, y, kx, ky, nn in splits.itertuples(index=False)]


def compare_groups(t, item, a, b, wave, category, survey) -> list[dict]:
    """Rows comparing group ``a`` with group ``b`` (difference ``a - b``); see module note."""
    rows = t._item(item, survey)
    for g, name in ((a, "a"), (b, "b")):
        if g not in set(rows["group"]):
            raise ValueError(f"{name}={g!r} is not a group of item {item!r}; groups: "
                             f"{sorted(rows['group'].unique())}")
    cat = t._category(rows[rows["group"] == a], category)
    if wave is None:
        both = set(rows.loc[rows["group"] == a, "wave"]) & set(rows.loc[rows["group"] == b, "wave"])
        waves = [w for w in dict.fromkeys(rows["wave"]) if w in both]
    else:
        waves = [t._wave(rows, wave, "wave")]
    out = []
    for w in waves:
        fa, fb = t._figure(rows, w, a, cat, "wave"), t._figure(rows, w, b, cat, "wave")
        labels = {"survey": fa["survey"], "wave": w, "item": item, "group": f"{a} vs {b}",
                  "category": cat}
        sizes = _sizes(t, fa, fb, rows, w, cat)
        if not sizes:
            out += [dict(r, scenario="base unknown") for r in compare_figures(
                fa, fb, np.nan, np.nan, labels=labels, conf_level=t.conf_level)]
            continue
        part = []
        for sa, sb, scen, note, counts in sizes:
            for r in compare_figures(fa, fb, sa, sb, labels=labels, notes=[note],
                                     conf_level=t.conf_level, counts=counts):
                part.append(dict(r, scenario=scen, size_a=sa, size_b=sb))
        if len(part) > 1 and part[0]["scenario"].startswith("reconstructed"):
            part.sort(key=lambda r: -np.nan_to_num(r.get("p_value", np.nan), nan=-1))
            ps = [r["p_value"] for r in part]
            part[0]["note"] = join_notes(f"least favourable of {len(part)} feasible splits "
                                         f"(p from {min(ps):.3g} to {max(ps):.3g})",
                                         part[0]["note"])
        out += part
    return out


def gap_change(t, item, a, b, from_wave, to_wave, category, survey) -> list[dict]:
    """Difference in differences ``(a - b)[to] - (a - b)[from]``, groups independent within
    and across waves (separate samples); with unknown subgroup bases the least favourable
    scenario of each wave is used. Without both groups in both waves: a row saying so."""
    rows = t._item(item, survey)
    fw, tw = t._wave(rows, from_wave, "from_wave"), t._wave(rows, to_wave, "to_wave")
    labels = {"survey": rows["survey"].iloc[0], "wave": f"{fw}->{tw}", "item": item,
              "group": f"({a} - {b}) change"}
    have = {(w, g) for w, g in zip(rows["wave"], rows["group"], strict=True)}
    missing = [f"{g} in {w}" for w in (fw, tw) for g in (a, b) if (w, g) not in have]
    if missing:
        return [dict(labels, estimate=np.nan, difference=np.nan, p_value=np.nan,
                     method="difference in differences (not testable)",
                     note=f"the gap change cannot be tested: no published figure for "
                          f"{', '.join(missing)}")]
    gf = compare_groups(t, item, a, b, fw, category, survey)[0]
    gt = compare_groups(t, item, a, b, tw, category, survey)[0]
    from barotrend.compare import compare_estimates
    from barotrend.results import result_frame

    fa = result_frame([{"estimate": gt["difference"], "se": gt.get("se", np.nan)}])
    fb = result_frame([{"estimate": gf["difference"], "se": gf.get("se", np.nan)}])
    r = compare_estimates(fa, fb, conf_level=t.conf_level).iloc[0].to_dict()
    r.update(labels)
    r["method"] = "difference in differences (independent samples); " + str(r.get("method", ""))
    r["note"] = join_notes(f"gap {tw}: {gt['note']}", f"gap {fw}: {gf['note']}", r.get("note", ""))
    return [r]
