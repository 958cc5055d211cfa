"""Every change and comparison the figures allow, as one table with adjusted p-values.

One row per comparison: for a change of a mean without a published SD, or a group comparison
over several scenarios, the first (primary) row of that comparison is kept, and its note says
what the others show. Changes and group comparisons are made per category, so a category added
to a question never removes the comparisons of the others. Across surveys a concept is compared
for the whole samples and for every group of the same name in both surveys (e.g. ``GP`` in two
surveys; the note says the match is by name), category by category (the same category label on
both sides, or the one category each survey publishes), each wave against the other survey's
nearest wave in time; what cannot be paired without a judgement (a concept published only per
group in one survey, a group one survey publishes and the other does not, categories that
differ) is listed as a row with ``comparison == "not compared"`` and the reason in ``note``. P-values are adjusted across all rows holding one with
:func:`barotrend.compare.adjust_pvalues` (Holm by default); rows that cannot be tested keep a NaN
p-value and are not counted in the family.
"""

from __future__ import annotations

import itertools
import warnings

import pandas as pd

from barotrend.results import result_frame
from barotrend.tracking.comparability import ComparabilityWarning
from barotrend.tracking.series import join_notes


def _first(frame: pd.DataFrame, kind: str) -> dict:
    row = frame.iloc[0].to_dict()
    row["comparison"] = kind
    return row


def _change_rows(t, pairs: str = "consecutive") -> list[dict]:
    if pairs not in ("consecutive", "all"):
        raise ValueError(f"pairs must be 'consecutive' or 'all', got {pairs!r}")
    f = t._figures[t._figures["statistic"].isin(("share", "mean"))]
    out = []
    for (survey, item, group, cat), g in f.groupby(["survey", "item", "group", "category"],
                                                  sort=False):
        waves = list(dict.fromkeys(g["wave"]))
        steps = (itertools.pairwise(waves) if pairs == "consecutive"
                 else itertools.combinations(waves, 2))
        for w0, w1 in steps:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ComparabilityWarning)
                try:
                    r = t.change(item, w0, w1, group=group, category=cat, survey=survey)
                except ValueError as e:
                    out.append(not_compared(survey, item, str(e), wave=f"{w0}->{w1}",
                                            group=group))
                    continue
            out.append(_first(r, "change"))
    return out


def not_compared(survey, item, reason, *, wave="", group="all", concept=None) -> dict:
    """A row for a comparison the automatic family cannot make, with the reason in ``note``
    (``comparison`` is ``"not compared"``, no estimate, no p-value)."""
    return {"survey": survey, "wave": wave, "item": item, "group": group,
            "concept": concept if concept is not None else item, "estimate": float("nan"),
            "p_value": float("nan"), "method": "not compared", "note": reason,
            "comparison": "not compared"}


def _nearest_pairs(f, sa, sb) -> list[tuple[str, str]]:
    """Waves of ``sa`` and ``sb`` paired by date: each wave with the other survey's nearest."""
    da = f[f["survey"] == sa].drop_duplicates("wave").set_index("wave")["date_value"]
    db = f[f["survey"] == sb].drop_duplicates("wave").set_index("wave")["date_value"]
    pairs = [(wa, (db - x).abs().idxmin()) for wa, x in da.items()]
    pairs += [((da - x).abs().idxmin(), wb) for wb, x in db.items()]
    return list(dict.fromkeys(pairs))


def _survey_rows(t, f, concept, sa, sb) -> list[dict]:
    """Every comparison of ``concept`` between surveys ``sa`` and ``sb`` the figures allow:
    the whole samples (group "all") and every group of the same name in both surveys (with a
    note: a name is not a definition), the same category on both sides (or the one category
    each publishes), each wave with the other survey's nearest wave; a row "not compared" with
    the reason for what cannot be paired without a judgement (a group one survey publishes and
    the other does not, categories that differ)."""
    label = f"{sa} vs {sb}"
    fa, fb = (f[(f["concept"] == concept) & (f["survey"] == s)] for s in (sa, sb))
    groups = {s: list(dict.fromkeys(x["group"])) for s, x in ((sa, fa), (sb, fb))}
    common = [g for g in groups[sa] if g in groups[sb]]
    alone = {s: [g for g in gs if g not in common and g != "all"] for s, gs in groups.items()}
    lacking = [s for s in (sa, sb) if "all" not in groups[s]]
    out = []
    if lacking or alone[sa] or alone[sb]:
        why = []
        if lacking:
            why.append(f"{', '.join(lacking)} publish(es) {concept!r} only per group "
                       f"({groups}): the whole samples are not compared")
        if any(alone.values()):
            shown = "; ".join(f"{s}: {gs}" for s, gs in alone.items() if gs)
            why.append(f"group(s) published by one survey only ({shown})")
        why.append(f"which groups correspond is a judgement: compare_surveys({concept!r}, "
                   f"{sa!r}, {sb!r}, group_a=..., group_b=...)")
        out.append(not_compared(label, concept, concept=concept, reason="; ".join(why)))
    for g in common:
        out += _group_rows(t, fa[fa["group"] == g], fb[fb["group"] == g], concept, sa, sb, g)
    return out


def _group_note(t, g, sa, sb) -> str:
    """The note of a comparison of the same-named group ``g`` of two surveys."""
    if g == "all":
        return ""
    labels = {}
    table = getattr(t, "_groups", None)
    if table is not None and "label" in table.columns:
        for s in (sa, sb):
            hit = table[(table["survey"] == s) & (table["group"] == g)]["label"].dropna()
            hit = [x for x in hit.astype(str) if x.strip()]
            labels[s] = hit[0] if hit else ""
    text = (f"group {g!r} of both surveys compared by its name: check that it is defined the "
            "same way in both")
    if labels.get(sa) and labels.get(sb) and labels[sa] != labels[sb]:
        text += f" (groups.csv labels differ: {labels[sa]!r} vs {labels[sb]!r})"
    return text


def _group_rows(t, fa, fb, concept, sa, sb, g) -> list[dict]:
    """Comparisons of group ``g`` (``"all"``: the whole samples) of two surveys."""
    label = f"{sa} vs {sb}"
    cats_a, cats_b = list(dict.fromkeys(fa["category"])), list(dict.fromkeys(fb["category"]))
    same = [c for c in cats_a if c in cats_b]
    pairs = [(c, c) for c in same]
    rest_a, rest_b = [c for c in cats_a if c not in same], [c for c in cats_b if c not in same]
    out = []
    if not same and len(cats_a) == len(cats_b) == 1:
        pairs, rest_a, rest_b = [(cats_a[0], cats_b[0])], [], []
    kw = {} if g == "all" else {"group_a": g, "group_b": g}
    extra = "" if g == "all" else f", group_a={g!r}, group_b={g!r}"
    if rest_a and rest_b:
        out.append(not_compared(label, concept, concept=concept, group=g, reason=(
            f"which of {sa}'s categories {rest_a} corresponds to which of {sb}'s {rest_b} "
            f"is a judgement: compare_surveys({concept!r}, {sa!r}, {sb!r}, category_a=..., "
            f"category_b=...{extra})")))
    note = _group_note(t, g, sa, sb)
    for ca, cb in pairs:
        xa, xb = fa[fa["category"] == ca], fb[fb["category"] == cb]
        for wa, wb in _nearest_pairs(pd.concat([xa, xb]), sa, sb):
            try:
                r = t.compare_surveys(concept, sa, sb, wave_a=wa, wave_b=wb, category_a=ca,
                                      category_b=cb, **kw)
            except ValueError as e:
                out.append(not_compared(label, concept, str(e), wave=f"{wa} vs {wb}",
                                        concept=concept, group=g))
                continue
            row = _first(r, "surveys")
            if note:
                row["note"] = join_notes(note, row.get("note", ""))
            out.append(row)
    return out


def _adjust(rows: list[dict], method: str) -> pd.DataFrame:
    from barotrend.compare import adjust_pvalues

    frame = result_frame(rows)
    if frame.empty:
        return frame
    return adjust_pvalues(frame, method=method)


def changes(t, method: str = "holm", pairs: str = "consecutive") -> pd.DataFrame:
    """Changes of every item, group and category between consecutive waves (or, with
    ``pairs="all"``, between every pair of waves), p adjusted."""
    return _adjust(_change_rows(t, pairs), method)


def all_comparisons(t, method: str = "holm", pairs: str = "consecutive") -> pd.DataFrame:
    """Changes, group comparisons, gap changes and cross-survey comparisons, p adjusted."""
    rows = _change_rows(t, pairs)
    f = t._figures[t._figures["statistic"].isin(("share", "mean"))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComparabilityWarning)
        for (survey, item, cat), g in f.groupby(["survey", "item", "category"], sort=False):
            groups = [x for x in dict.fromkeys(g["group"]) if x != "all"]
            for a, b in itertools.combinations(groups, 2):
                try:
                    res = t.compare_groups(item, a, b, category=cat, survey=survey)
                except ValueError as e:
                    rows.append(not_compared(survey, item, str(e), group=f"{a} vs {b}"))
                    continue
                if not res.empty:  # empty: never in one wave together
                    for _w, part in res.groupby("wave", sort=False):
                        rows.append(_first(part, "groups"))
                waves = list(dict.fromkeys(g["wave"]))
                for w0, w1 in itertools.pairwise(waves):
                    try:
                        r = t.gap_change(item, a, b, w0, w1, category=cat, survey=survey)
                    except ValueError as e:
                        rows.append(not_compared(survey, item, str(e), wave=f"{w0}->{w1}",
                                                 group=f"({a} - {b}) change"))
                        continue
                    rows.append(_first(r, "gap change"))
        # survey pairs in the order the waves table lists the surveys (a stable orientation:
        # the same survey is "a" in every comparison of a pair)
        rank = {s: i for i, s in enumerate(dict.fromkeys(t._source[1]["survey"]))}
        for concept, surveys in f.groupby("concept", sort=False)["survey"].unique().items():
            ordered = sorted(surveys, key=lambda s: rank.get(s, len(rank)))
            for sa, sb in itertools.combinations(ordered, 2):
                rows += _survey_rows(t, f, concept, sa, sb)
    return _adjust(rows, method)
