"""Comparing one concept between two surveys (e.g. CCG leaders vs trust chief executives).

Figures of two surveys are linked by their ``concept`` key. The comparability record of each
(wording, response category, measure, scale, population) is checked and every difference is
warned and noted (:mod:`barotrend.tracking.comparability`). Two samples of different surveys are
independent.

* Same measure (share and share, mean and mean): the difference ``a - b`` through
  :func:`~barotrend.tracking.change.compare_figures` on the resolved bases.
* A mean against a share (e.g. a mean confidence of 7.3 on 1-10 against "44% not confident"):
  not the same quantity, so no test. The share of the mean's respondents at or below a threshold
  is bounded with :func:`barotrend.figures.bounds.mean_share_bounds` (``ci_low``/``ci_high``
  hold the bounds, whichever side the mean is on; ``estimate_a`` is survey a's figure, a mean
  on its scale or a share as a proportion), and the row says whether the other survey's share
  lies inside them. The
  threshold is an assumption: stated by the user, or by default the integer scores below the
  scale midpoint (``side="below"``: scores 1-5 on 1-10, for a category such as "not
  confident"; ``side="above"`` for a positive category), and the note says which.
"""

from __future__ import annotations

import math

import numpy as np

from barotrend.tracking import table as _table
from barotrend.tracking.change import compare_figures
from barotrend.tracking.comparability import compare_records
from barotrend.tracking.series import join_notes

ESTIMABLE = ("share", "mean")


def _pick(t, concept, survey, wave, category, group, name):
    f = t._figures
    side = name[-1]
    mine = f[(f["concept"] == concept) & (f["survey"] == survey) & f["statistic"].isin(ESTIMABLE)]
    if mine.empty:
        known = sorted(f.loc[f["concept"] == concept, "survey"].unique())
        raise ValueError(f"{name}={survey!r} has no figure for concept {concept!r}; surveys "
                         f"with it: {known}")
    rows = mine[mine["group"] == group]
    if rows.empty:
        groups = list(dict.fromkeys(mine["group"]))
        raise ValueError(f"{name}={survey!r} publishes concept {concept!r} only for group(s) "
                         f"{groups}, not for group {group!r}: pass group_{side}= (one of them)")
    w = rows["wave"].iloc[-1] if wave is None else t._wave(rows, wave, f"wave_{side}")
    rows = rows[rows["wave"] == w]
    if rows.empty:
        raise ValueError(f"wave_{side}={wave!r}: {survey} has no figure for concept "
                         f"{concept!r}, group {group!r} in that wave")
    cats = list(dict.fromkeys(rows["category"]))
    if category is None and len(cats) > 1:
        raise ValueError(f"category_{side} must be given for {survey}/{concept}; one of "
                         f"{cats!r}")
    cat = cats[0] if category is None else category
    hit = rows[rows["category"] == cat]
    if hit.empty:
        raise ValueError(f"category_{side}={category!r} not found; one of {cats!r}")
    return hit.iloc[0].to_dict()


def _months_apart(fa, fb) -> str:
    gap = abs(float(fa["date_value"]) - float(fb["date_value"])) * 12
    if gap < 0.5:
        return ""
    return (f"{fa['survey']} {fa['wave']} and {fb['survey']} {fb['wave']} are about "
            f"{gap:.0f} months apart (wave dates at their period midpoints)")


def compare_surveys(t, concept, survey_a, survey_b, *, wave_a=None, wave_b=None,
                    category_a=None, category_b=None, group_a=None, group_b=None,
                    threshold=None, side="below", strict=False):
    """Rows comparing ``concept`` in ``survey_a`` with ``survey_b`` (see module note);
    ``estimate_a`` is always ``survey_a``'s figure, ``difference`` is ``a - b``.

    ``wave_a``/``wave_b`` default to each survey's latest wave holding the concept;
    ``group_a``/``group_b`` (default ``"all"``) name the group compared on each side, for a
    survey that publishes the concept only per group.
    """
    ga, gb = group_a or "all", group_b or "all"
    fa = _pick(t, concept, survey_a, wave_a, category_a, ga, "survey_a")
    fb = _pick(t, concept, survey_b, wave_b, category_b, gb, "survey_b")
    diffs = compare_records(_table.record(fa), _table.record(fb), strict=strict,
                            what=f"{concept}: {survey_a} vs {survey_b}", stacklevel=4)
    labels = {"survey": f"{survey_a} vs {survey_b}", "wave": f"{fa['wave']} vs {fb['wave']}",
              "item": f"{fa['item']} vs {fb['item']}",
              "group": ga if ga == gb else f"{ga} vs {gb}",
              "category": f"{fa['category']} vs {fb['category']}", "concept": concept}
    na, note_a = t._base(fa)
    nb, note_b = t._base(fb)
    notes = [f"{survey_a} {note_a}" if note_a else "", f"{survey_b} {note_b}" if note_b else "",
             *diffs, _months_apart(fa, fb)]
    if fa["statistic"] == fb["statistic"]:
        return compare_figures(fa, fb, na, nb, labels=labels, notes=notes,
                               conf_level=t.conf_level)
    return [_mean_vs_share(fa, fb, threshold, side, labels, notes)]


def _mean_vs_share(fa, fb, threshold, side, labels, notes) -> dict:
    from barotrend.figures.bounds import mean_share_bounds

    mean, share = (fa, fb) if fa["statistic"] == "mean" else (fb, fa)

    lo, hi = float(mean["scale_min"]), float(mean["scale_max"])
    cat = share["category"] or "the share"
    if threshold is None:
        mid = (lo + hi) / 2
        threshold = (math.ceil(mid) - 1 if side == "below" else math.floor(mid) + 1)
        t_note = (f"threshold {threshold:g} is a default assumption: {cat!r} read as scores "
                  f"{'<=' if side == 'below' else '>='} {threshold:g} (beyond the scale "
                  f"midpoint {mid:g}); pass threshold= (and side=) to state another")
    else:
        t_note = f"{cat!r} read as scores {'<=' if side == 'below' else '>='} {threshold:g} " \
                 "(threshold stated by the user)"
    b = mean_share_bounds(float(mean["value"]), (lo, hi), threshold, side=side,
                          decimals=int(mean.get("decimals", 0) or 0),
                          published_percent=float(share["value"]))
    r = b.iloc[0].to_dict()
    inside = bool(r["within_bounds"])
    verdict = ("inside the bounds: the published figures cannot tell the two surveys apart"
               if inside else "outside the bounds: the two surveys differ whatever the "
               "distribution of scores")
    def value(f):
        return float(f["value"]) / 100 if f["statistic"] == "share" else float(f["value"])

    return dict(labels, estimate=np.nan, estimate_a=value(fa), estimate_b=value(fb),
                ci_low=float(r["share_min"]),
                ci_high=float(r["share_max"]), p_value=np.nan, threshold=float(threshold),
                side=side, within_bounds=inside,
                method="mean vs share: bounds on the mean survey's share beyond the threshold "
                       "(mean_share_bounds); no test",
                note=join_notes(notes, "different measures: a mean and a share are not the "
                                "same quantity", t_note,
                                f"{share['survey']} share {float(share['value']) / 100:.2f} is "
                                f"{verdict}", r.get("note", "")))
