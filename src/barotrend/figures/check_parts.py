"""Building blocks of :func:`~barotrend.figures.checks.check_figures`: row formatting, the
base of a figure (stated or assumed), and the per-figure checks of means and stated changes.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np
import pandas as pd

from barotrend.figures.exact import Bounds, exact_bounds, exact_value
from barotrend.figures.grim import grim, grimmer, sd_bounds

__all__: list[str] = []


def fmt(x) -> str:
    """A number as published: no trailing ``.0``."""
    x = float(x)
    return f"{x:.10g}"


def pct(num: int, den: int) -> str:
    """``num / den`` as a percentage with two decimals."""
    return f"{100 * num / den:.2f}%"


def missing(x) -> bool:
    """Whether a cell is empty: None, NaN, pandas NA or blank text."""
    if isinstance(x, str):
        return x.strip() == ""
    return x is None or bool(pd.isna(x))


def flag(x) -> bool:
    """A boolean cell, empty counting as False."""
    return False if missing(x) else bool(x)


def bounds(r, convention) -> Bounds:
    """Exact rounding interval of a figure row; a share's interval is clipped to 0-100."""
    b = exact_bounds(float(r["value"]), int(r["decimals"]), convention)
    if r["statistic"] == "share":  # a true share lies within 0-100
        lo, lo_c = (b.low, b.low_closed) if b.low >= 0 else (Fraction(0), True)
        hi, hi_c = (b.high, b.high_closed) if b.high <= 100 else (Fraction(100), True)
        b = Bounds(lo, hi, lo_c, hi_c)
    return b


def overlap(x: Bounds, y: Bounds) -> bool:
    """Whether two intervals share a point (a shared endpoint counts only if both include it)."""
    if x.low > y.high or y.low > x.high:
        return False
    if x.low == y.high:
        return x.low_closed and y.high_closed
    if y.low == x.high:
        return y.low_closed and x.high_closed
    return True


def hull(bs: list[Bounds]) -> Bounds:
    """Smallest interval containing all of ``bs`` (an end is closed if a member includes it)."""
    lo, hi = min(b.low for b in bs), max(b.high for b in bs)
    return Bounds(lo, hi, any(b.low_closed for b in bs if b.low == lo),
                  any(b.high_closed for b in bs if b.high == hi))


def row(check, figs, verdict, detail, kind="source") -> dict:
    """One output row of :func:`check_figures` for the figures ``figs``.

    ``kind`` says what a finding is about: ``"source"`` (the published figures themselves: a
    fail means the source is inconsistent) or ``"input"`` (how the table states them: a warning
    means the user's file is probably wrong).
    """
    first = figs.iloc[0]
    groups = list(dict.fromkeys(figs["group"]))
    return {"check": check, "figure_ids": ", ".join(map(str, figs["figure_id"])),
            "survey": first["survey"], "wave": first["wave"], "item": first["item"],
            "group": ", ".join(groups), "verdict": verdict, "detail": detail, "kind": kind}


# --------------------------------------------------------------------------------------------
# the cells check_figures reads, checked on a frame that may not have been validated
# --------------------------------------------------------------------------------------------
def _where(label, fid, col) -> str:
    return f"figures row {label} (figure {fid!r}), column {col!r}"


def _whole(x) -> bool:
    return (not isinstance(x, bool | np.bool_) and isinstance(x, numbers.Real)
            and math.isfinite(x) and float(x).is_integer())


def _finite(x) -> bool:
    return (not isinstance(x, bool | np.bool_) and isinstance(x, numbers.Real)
            and math.isfinite(x))


def check_cells(figs: pd.DataFrame) -> None:
    """Raise ``ValueError`` naming the figure and column of the first cell check_figures cannot
    read: a value that is not a finite number (or has more decimals than ``decimals``), a share
    outside 0-100, ``decimals`` not a whole number 0 or more, a base not a positive whole number,
    a mean's scale not two whole numbers min < max (or the mean outside it), an SD that is not a
    number 0 or more, or a flag (``multi_response``, ``exhaustive``, ``implied``) that is not
    True/False."""
    for label, r in figs.iterrows():
        stat = r["statistic"]
        if stat not in ("share", "mean", "change"):
            continue
        fid = r["figure_id"]
        for col in ("multi_response", "exhaustive", "implied"):
            x = r[col]
            if not missing(x) and not (isinstance(x, bool | np.bool_) or x in (0, 1)):
                raise ValueError(f"{_where(label, fid, col)}: expected True or False, got {x!r}")
        d = r["decimals"]
        if missing(d) or not _whole(d) or d < 0:
            raise ValueError(f"{_where(label, fid, 'decimals')}: decimals must be a whole number "
                             f"0 or more, got {d!r}")
        v = r["value"]
        if missing(v) or not _finite(v):
            raise ValueError(f"{_where(label, fid, 'value')}: value must be a finite number, "
                             f"got {v!r}")
        try:
            exact_value(float(v), int(d), "value")
        except ValueError as err:
            raise ValueError(f"{_where(label, fid, 'value')}: {err}") from None
        if stat == "share" and not 0 <= v <= 100:
            raise ValueError(f"{_where(label, fid, 'value')}: a share (percent) must lie within "
                             f"0-100, got {v!r}")
        b = r["base"]
        if not missing(b) and not (_whole(b) and b >= 1):
            raise ValueError(f"{_where(label, fid, 'base')}: base must be a positive whole "
                             f"number, got {b!r}")
        if stat == "mean":
            _check_mean_cells(r, label, fid)


def _check_mean_cells(r, label, fid) -> None:
    lo, hi, v = r["scale_min"], r["scale_max"], r["value"]
    for col, x in (("scale_min", lo), ("scale_max", hi)):
        if not missing(x) and not _whole(x):
            raise ValueError(f"{_where(label, fid, col)}: {col} must be a whole number, "
                             f"got {x!r}")
    if not missing(lo) and not missing(hi):
        if not lo < hi:
            raise ValueError(f"{_where(label, fid, 'scale_max')}: scale_max must exceed "
                             f"scale_min={lo!r}, got {hi!r}")
        if not lo <= v <= hi:
            raise ValueError(f"{_where(label, fid, 'value')}: the mean must lie within its scale "
                             f"{lo:g}-{hi:g}, got {v!r}")
    for col in ("sd", "sd_decimals"):
        x = r.get(col)
        if missing(x):
            continue
        ok = _finite(x) and x >= 0 and (col == "sd" or _whole(x))
        if not ok:
            what = "a number 0 or more" if col == "sd" else "a whole number 0 or more"
            raise ValueError(f"{_where(label, fid, col)}: {col} must be {what}, got {x!r}")


class FigureBases:
    """The base of a figure: stated, else the wave's respondents for whole-sample figures."""

    def __init__(self, waves):
        self.resp = {}
        if waves is not None:
            for c in ("survey", "wave", "respondents"):
                if c not in waves.columns:
                    raise ValueError(f"waves is missing the column {c!r}")
            for s, w, n in zip(waves["survey"], waves["wave"], waves["respondents"], strict=True):
                if missing(n):
                    continue
                if not (_whole(n) and n >= 1):
                    raise ValueError(f"waves (survey {s!r}, wave {w!r}), column 'respondents': "
                                     f"respondents must be a positive whole number, got {n!r}")
                self.resp[(s, w)] = int(n)

    def __call__(self, r) -> tuple[int | None, str]:
        if not missing(r["base"]):
            return int(r["base"]), ""
        if r["group"] != "all":
            return None, f"the base of the {r['group']} subgroup is not published"
        n = self.resp.get((r["survey"], r["wave"]))
        if n is None:
            return None, "neither the item base nor the wave's respondents are published"
        return n, f" (item base assumed = the wave's {n} respondents)"


def mean_checks(r, base_of, convention) -> list[dict]:
    one = r.to_frame().T
    v, d = float(r["value"]), int(r["decimals"])
    lo, hi = r["scale_min"], r["scale_max"]
    n, why = base_of(r)
    out = []
    if missing(lo) or missing(hi):
        out.append(row("grim", one, "not testable",
                        f"The mean {fmt(v)} has no published scale, so integer answers cannot be assumed."))
    elif n is None:
        out.append(row("grim", one, "not testable", f"The mean {fmt(v)} cannot be checked: {why}."))
    else:
        g = grim(v, n, d, scale=(int(lo), int(hi)), convention=convention).iloc[0]
        verdict = "pass" if g["consistent"] else "fail"
        detail = f"Mean {fmt(v)} of {n} integer answers on {int(lo)}-{int(hi)}: {g['note']}{why}."
        out.append(row("grim", one, verdict, detail))
    sd = r.get("sd")
    if missing(sd):
        out.append(row("grimmer", one, "not testable",
                        f"No SD is published for the mean {fmt(v)}, so GRIMMER and the SD "
                        "bounds of the scale cannot be applied."))
        return out
    if n is None or n < 2 or missing(lo) or missing(hi):
        out.append(row("grimmer", one, "not testable",
                        f"The SD {fmt(sd)} needs a base of 2 or more and a scale to be checked."))
        return out
    sd_d = r.get("sd_decimals")
    sd_d = d if missing(sd_d) else int(sd_d)
    try:
        gm = grimmer(v, float(sd), n, d, scale=(int(lo), int(hi)), sd_decimals=sd_d,
                     convention=convention).iloc[0]
    except ValueError as err:  # too many totals to try on a base in the millions
        out.append(row("grimmer", one, "not testable", f"{err}."))
        return out
    out.append(row("grimmer", one, "pass" if gm["consistent"] else "fail",
                    f"Mean {fmt(v)} with SD {fmt(sd)} on {n}: {gm['note']}{why}."))
    sb = sd_bounds(v, n, int(lo), int(hi)).iloc[0]
    s = exact_bounds(float(sd), sd_d, convention)
    ok = float(s.low) <= sb["sd_max"] and float(s.high) >= sb["sd_min"]
    out.append(row("sd_bounds", one, "pass" if ok else "fail",
                    f"SD {fmt(sd)} {'lies' if ok else 'does not lie'} within the "
                    f"{sb['sd_min']:.3f}-{sb['sd_max']:.3f} that {n} answers on {int(lo)}-{int(hi)} "
                    f"allow with mean {fmt(v)}{why}."))
    return out


def change(r, figs, convention) -> dict:
    same = ((figs["survey"] == r["survey"]) & (figs["item"] == r["item"])
            & (figs["category"] == r["category"]) & (figs["group"] == r["group"])
            & figs["statistic"].isin(["share", "mean"]))
    now = figs[same & (figs["wave"] == r["wave"])]
    ref = figs[same & (figs["wave"] == r["reference_wave"])]
    one = r.to_frame().T
    c = fmt(r["value"])
    if len(now) != 1 or len(ref) != 1:
        return row("stated_change", one, "not testable",
                    f"The change of {c} needs one stated value in wave {r['wave']} and one in "
                    f"{r['reference_wave']}; found {len(now)} and {len(ref)}.")
    a, b = now.iloc[0], ref.iloc[0]
    figs2 = pd.concat([one, now, ref])
    diff = fmt(float(a["value"]) - float(b["value"]))
    if flag(a["implied"]) or flag(b["implied"]) or flag(r["implied"]):
        which = b if flag(b["implied"]) else a
        return row("stated_change", figs2, "not testable",
                    f"{fmt(a['value'])} - {fmt(b['value'])} = {diff} matches the stated change "
                    f"of {c} only by construction: {which['figure_id']} is implied from the "
                    "change, not published.")
    ba, bb = bounds(a, convention), bounds(b, convention)
    lo, hi = ba.low - bb.high, ba.high - bb.low
    true_change = Bounds(lo, hi, ba.low_closed and bb.high_closed,
                         ba.high_closed and bb.low_closed)
    cb = exact_bounds(float(r["value"]), int(r["decimals"]), convention)
    ok = overlap(true_change, cb)
    return row("stated_change", figs2, "pass" if ok else "fail",
                f"{fmt(a['value'])} - {fmt(b['value'])} = {diff}; with rounding the true "
                f"change lies within {fmt(lo)} to {fmt(hi)}, which "
                f"{'overlaps' if ok else 'excludes'} the stated {c} "
                f"({fmt(cb.low)} to {fmt(cb.high)}).")

