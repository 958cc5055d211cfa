"""The Tracker's tables: waves ordered by date, figures joined to their wave, bases resolved.

Wave dates are published at month, quarter or year precision; each is placed at the midpoint of
its period as a decimal year (``date_value``) so that waves order in time and a trend can be
fitted over dates. Waves order by ``date_value`` then ``wave_order``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

WAVE_COLUMNS = ["survey", "wave", "wave_label", "wave_order", "date", "date_precision",
                "population", "population_units", "respondents"]
FIGURE_COLUMNS = ["survey", "wave", "item", "concept", "question", "category", "group",
                  "statistic", "value", "decimals", "scale_min", "scale_max", "base", "implied"]


def date_value(date: str, precision: str) -> float:
    """Midpoint of a published date period as a decimal year.

    ``YYYY-MM`` at month precision is the middle of that month, at quarter precision the middle
    of the quarter starting that month, ``YYYY`` the middle of the year.

    Examples
    --------
    >>> date_value("2013-01", "month")   # 2013 + 0.5/12
    2013.0416...
    >>> date_value("2013-04", "quarter")  # 2013 + 4.5/12
    2013.375
    >>> date_value("2013", "year")
    2013.5
    """
    parts = str(date).split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return year + 0.5
    month = int(parts[1])
    if precision == "quarter":
        return year + (month - 1 + 1.5) / 12
    if precision == "year":
        return year + 0.5
    return year + (month - 0.5) / 12


def wave_table(waves: pd.DataFrame) -> pd.DataFrame:
    """Copy of a waves table with ``date_value``, ordered by date then ``wave_order``."""
    missing = [c for c in ("survey", "wave", "wave_order", "date") if c not in waves.columns]
    if missing:
        raise ValueError(f"waves: missing column(s) {', '.join(missing)}")
    w = waves.copy()
    for c in WAVE_COLUMNS:
        if c not in w.columns:
            w[c] = pd.NA if c not in ("wave_label", "population", "date_precision") else ""
    w["wave_label"] = w["wave_label"].where(w["wave_label"].astype(str) != "", w["wave"])
    w["date_precision"] = w["date_precision"].replace("", "month")
    w["date_value"] = [date_value(d, p) for d, p in zip(w["date"], w["date_precision"],
                                                        strict=True)]
    return w.sort_values(["date_value", "wave_order"], kind="stable").reset_index(drop=True)


def figure_table(figures: pd.DataFrame, waves: pd.DataFrame) -> pd.DataFrame:
    """Figures joined to their (date-ordered) wave, with a text ``scale`` per figure."""
    missing = [c for c in ("survey", "wave", "item", "statistic", "value") if c not in figures]
    if missing:
        raise ValueError(f"figures: missing column(s) {', '.join(missing)}")
    f = figures.copy()
    defaults = {"concept": None, "question": "", "category": "", "group": "all",
                "decimals": 0, "scale_min": pd.NA, "scale_max": pd.NA, "base": pd.NA,
                "implied": False, "note": "", "reference_wave": ""}
    for c, v in defaults.items():
        if c not in f.columns:
            f[c] = f["item"] if c == "concept" else v
    f["group"] = f["group"].replace("", "all")
    known = set(zip(waves["survey"], waves["wave"], strict=True))
    bad = [(s, w) for s, w in zip(f["survey"], f["wave"], strict=True) if (s, w) not in known]
    if bad:
        raise ValueError(f"figures: survey/wave {bad[0][0]}/{bad[0][1]} is not in waves")
    keep = ["survey", "wave", "wave_label", "wave_order", "date_value", "population",
            "population_units", "respondents"]
    out = f.merge(waves[keep], on=["survey", "wave"], how="left", validate="many_to_one")
    out["scale"] = [
        "" if pd.isna(lo) or pd.isna(hi) else f"{int(lo)}-{int(hi)}"
        for lo, hi in zip(out["scale_min"], out["scale_max"], strict=True)
    ]
    out["_pos"] = np.arange(len(out))
    return out.sort_values(["date_value", "wave_order", "_pos"], kind="stable").drop(
        columns="_pos").reset_index(drop=True)


def resolve_base(fig: Mapping, assumed: Mapping | None = None,
                 figures: pd.DataFrame | None = None) -> tuple[float, str]:
    """Base of a published figure and a note saying where it came from.

    Order: the base stated in the article; a base the user assumed for the wave
    (``assumed[(survey, wave)]`` or ``assumed[wave]``, or for a group
    ``assumed[(survey, wave, group)]``); for the whole sample (group ``"all"``) the wave's
    number of respondents (an assumption: item non-response and filtering are ignored, and the
    note says so); else NaN with a note that the base is unknown. Given the ``figures`` table,
    an exhaustive share on the wave's respondents follows :func:`question_bases`: when the
    question's shares are impossible on that many respondents, some skipped it, and the least
    favourable (smallest) feasible base is used.

    Examples
    --------
    >>> resolve_base({"survey": "s", "wave": "W3", "base": pd.NA, "respondents": 94})
    (94.0, "W3: base not published for this figure; the wave's 94 respondents assumed")
    >>> resolve_base({"survey": "s", "wave": "W1", "base": pd.NA, "respondents": pd.NA})[1]
    'W1: base unknown (neither the figure nor the wave publishes one)'
    """
    wave = fig["wave"]
    if _known(fig.get("base")):
        return float(fig["base"]), ""
    assumed = assumed or {}
    group = fig.get("group", "all") or "all"
    keys = [(fig["survey"], wave, group)] + ([(fig["survey"], wave), wave]
                                             if group == "all" else [])
    for key in keys:
        if key in assumed:
            n = float(assumed[key])
            return n, f"{wave}: base n={n:g} assumed by the user"
    if group != "all":
        return np.nan, (f"{wave}: base of group {group!r} not published (the wave's respondents "
                        "are not the group's base; compare_groups reconstructs group sizes)")
    if not _known(fig.get("respondents")):
        return np.nan, f"{wave}: base unknown (neither the figure nor the wave publishes one)"
    n = float(fig["respondents"])
    note = f"{wave}: base not published for this figure; the wave's {n:g} respondents assumed"
    if figures is None or fig.get("statistic") != "share" or not fig.get("exhaustive", False):
        return n, note
    bases, why = question_bases(fig, figures, int(n))
    if not bases:
        return np.nan, f"{wave}: {why}"
    if bases == [int(n)]:
        return n, note
    return float(min(bases)), (f"{wave}: base not published for this figure; {why}; the least "
                               f"favourable, n={min(bases)}, used")


def question_bases(fig: Mapping, figures: pd.DataFrame, n: int,
                   min_item_response: float | None = None) -> tuple[list[int], str]:
    """Candidate bases of a share whose base is the wave's ``n`` respondents: the figures of
    the same question (survey, wave, item, group) through :func:`figures.bases.item_bases`
    (``[n]`` when every share is achievable on ``n``, else the feasible smaller bases). The
    one base policy of the Tracker and the report's verdicts."""
    from barotrend.figures.bases import MIN_ITEM_RESPONSE, item_bases

    same = figures[(figures["survey"] == fig["survey"]) & (figures["wave"] == fig["wave"])
                   & (figures["item"] == fig["item"]) & (figures["group"] == fig["group"])
                   & (figures["statistic"] == "share")]
    return item_bases(same["value"].astype(float).tolist(), int(n),
                      decimals=int(fig.get("decimals", 0) or 0),
                      min_item_response=MIN_ITEM_RESPONSE if min_item_response is None
                      else min_item_response)


def record(fig: Mapping) -> dict:
    """Comparability record of one figure (see :mod:`barotrend.tracking.comparability`)."""
    return {"survey": fig["survey"], "wave": fig["wave"], "question": fig.get("question"),
            "category": fig.get("category"), "statistic": fig.get("statistic"),
            "scale": fig.get("scale"), "population": fig.get("population")}


def _known(x) -> bool:
    return x is not None and not (isinstance(x, str) and x == "") and not pd.isna(x)
