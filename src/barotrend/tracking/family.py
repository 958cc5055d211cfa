"""Every change and comparison the figures allow, as one table with adjusted p-values.

One row per comparison: for a change of a mean without a published SD, or a group comparison
over several scenarios, the first (primary) row of that comparison is kept, and its note says
what the others show. P-values are adjusted across all rows holding one with
:func:`barotrend.compare.adjust_pvalues` (Holm by default); rows that cannot be tested keep a NaN
p-value and are not counted in the family.
"""

from __future__ import annotations

import itertools
import warnings

import pandas as pd

from barotrend.results import result_frame
from barotrend.tracking.comparability import ComparabilityWarning


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
                r = t.change(item, w0, w1, group=group, category=cat, survey=survey)
            out.append(_first(r, "change"))
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
                res = t.compare_groups(item, a, b, category=cat, survey=survey)
                for _w, part in res.groupby("wave", sort=False):
                    rows.append(_first(part, "groups"))
                waves = list(dict.fromkeys(g["wave"]))
                for w0, w1 in itertools.pairwise(waves):
                    r = t.gap_change(item, a, b, w0, w1, category=cat, survey=survey)
                    rows.append(_first(r, "gap change"))
        concepts = f.groupby("concept")["survey"].unique()
        for concept, surveys in concepts.items():
            for sa, sb in itertools.combinations(list(surveys), 2):
                cats_a = f[(f["concept"] == concept) & (f["survey"] == sa)]["category"].unique()
                cats_b = f[(f["concept"] == concept) & (f["survey"] == sb)]["category"].unique()
                if len(cats_a) != 1 or len(cats_b) != 1:
                    continue  # which categories to compare is a judgement: left to the user
                r = t.compare_surveys(concept, sa, sb)
                rows.append(_first(r, "surveys"))
    return _adjust(rows, method)
