"""Consistency checks over a table of published figures (``data/figures.csv`` format).

:func:`check_figures` runs every check that the published numbers allow and returns one row per
check with a verdict (``"pass"``, ``"fail"`` or ``"not testable"``) and one sentence of
explanation with the numbers. The rounding arithmetic is exact (see
:mod:`barotrend.figures.rounding`).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd

from barotrend.figures.bases import infer_base, infer_group_sizes
from barotrend.figures.grim import grim, grimmer, sd_bounds
from barotrend.figures.rounding import Bounds, check_convention, count_range, exact_bounds

__all__ = ["CHECK_COLUMNS", "check_figures"]

#: Columns of the :func:`check_figures` result, in order.
CHECK_COLUMNS = ["check", "figure_ids", "survey", "wave", "item", "group", "verdict", "detail"]
_REQUIRED = ["figure_id", "survey", "wave", "item", "category", "group", "statistic", "value",
             "decimals", "scale_min", "scale_max", "base", "multi_response", "exhaustive",
             "reference_wave", "implied"]
_SET_KEYS = ["survey", "wave", "item", "group"]


def _fmt(x) -> str:
    """A number as published: no trailing ``.0``."""
    x = float(x)
    return f"{x:.10g}"


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.2f}%"


def _missing(x) -> bool:
    if isinstance(x, str):
        return x.strip() == ""
    return x is None or bool(pd.isna(x))


def _flag(x) -> bool:
    return False if _missing(x) else bool(x)


def _bounds(r, convention) -> Bounds:
    b = exact_bounds(float(r["value"]), int(r["decimals"]), convention)
    if r["statistic"] == "share":  # a true share lies within 0-100
        lo, lo_c = (b.low, b.low_closed) if b.low >= 0 else (Fraction(0), True)
        hi, hi_c = (b.high, b.high_closed) if b.high <= 100 else (Fraction(100), True)
        b = Bounds(lo, hi, lo_c, hi_c)
    return b


def _row(check, figs, verdict, detail) -> dict:
    first = figs.iloc[0]
    groups = list(dict.fromkeys(figs["group"]))
    return {"check": check, "figure_ids": ", ".join(figs["figure_id"]),
            "survey": first["survey"], "wave": first["wave"], "item": first["item"],
            "group": ", ".join(groups), "verdict": verdict, "detail": detail}


class _Bases:
    """The base of a figure: stated, else the wave's respondents for whole-sample figures."""

    def __init__(self, waves):
        self.resp = {}
        if waves is not None:
            for c in ("survey", "wave", "respondents"):
                if c not in waves.columns:
                    raise ValueError(f"waves is missing the column {c!r}")
            for s, w, n in zip(waves["survey"], waves["wave"], waves["respondents"], strict=True):
                if not _missing(n):
                    self.resp[(s, w)] = int(n)

    def __call__(self, r) -> tuple[int | None, str]:
        if not _missing(r["base"]):
            return int(r["base"]), ""
        if r["group"] != "all":
            return None, f"the base of the {r['group']} subgroup is not published"
        n = self.resp.get((r["survey"], r["wave"]))
        if n is None:
            return None, "neither the item base nor the wave's respondents are published"
        return n, f" (item base assumed = the wave's {n} respondents)"


def check_figures(figures: pd.DataFrame, waves: pd.DataFrame | None = None,
                  convention: str = "half_up") -> pd.DataFrame:
    """Run every consistency check the published figures allow.

    Checks (one output row each):

    ``sum_to_100``
        An exhaustive, single-response category set (same survey, wave, item and group):
        the sum of the rounding intervals must contain 100. Multi-response sets are skipped.
    ``sum_at_most_100``
        A non-exhaustive single-response set of two or more categories: the smallest possible
        sum must not exceed 100.
    ``achievable``
        Each share is achievable as ``k / n`` on its base (:func:`feasible_counts`). The base is
        the ``base`` column, else (for whole-sample figures) the wave's ``respondents``, an
        assumption the detail states; subgroup shares without a base are not testable.
    ``set_on_base``
        An exhaustive single-response set: counts exist that are achievable and sum exactly to
        the base (:func:`infer_base` at that base); a failure lists the smallest bases that fit.
    ``grim``
        A mean of an integer scale is achievable as ``T / n`` (:func:`grim`).
    ``grimmer``, ``sd_bounds``
        Where the table has an ``sd`` column with a value: :func:`grimmer`, and the SD within
        the bounds the scale allows (:func:`sd_bounds`). Otherwise one ``grimmer`` row per mean
        says it is not testable.
    ``subgroup_range``
        When two or more subgroup shares and the overall share of the same category are
        published: assuming the groups partition the base, the overall share is a weighted
        average of the subgroup shares and must lie within their range (within rounding).
    ``group_sizes``
        The same set: some group sizes and counts on the overall base reproduce every figure
        (:func:`infer_group_sizes`).
    ``stated_change``
        A ``change`` row equals the difference of the stated values of the two waves within
        rounding (the true difference interval overlaps the change's rounding interval). Not
        testable when either value is missing or is itself implied by the change.

    Parameters
    ----------
    figures : pandas.DataFrame
        Figures in the format of ``data/figures.csv`` (see the README); not modified.
    waves : pandas.DataFrame, optional
        Waves in the format of ``data/waves.csv``; supplies ``respondents`` as an assumed base.
    convention : str, default "half_up"
        Rounding rule of every published figure.

    Returns
    -------
    pandas.DataFrame
        Columns ``check``, ``figure_ids``, ``survey``, ``wave``, ``item``, ``group``,
        ``verdict``, ``detail``.

    Examples
    --------
    >>> from barotrend import datasets
    >>> d = datasets.load("hsj_ccg_barometer")
    >>> r = check_figures(d.figures, d.waves)
    >>> r.loc[r["figure_ids"] == "ccg-w2-grip-too-much", ["check", "verdict"]]
            check verdict
    ...  achievable    fail
    >>> print(r.loc[r["figure_ids"] == "ccg-w3-area-team-good", "detail"].iloc[0])
    68% is achievable on 94 as 64/94 = 68.09% (item base assumed = the wave's 94 respondents).
    """
    check_convention(convention)
    if not isinstance(figures, pd.DataFrame):
        raise ValueError(f"figures must be a pandas DataFrame, got {type(figures).__name__}")
    missing = [c for c in _REQUIRED if c not in figures.columns]
    if missing:
        raise ValueError(f"figures is missing the column(s) {', '.join(missing)}")
    figs = figures.copy()
    for c in ("category", "reference_wave", "group"):
        figs[c] = figs[c].where(figs[c].notna(), "").astype(str)
    base_of = _Bases(waves)
    rows: list[dict] = []
    shares = figs[figs["statistic"] == "share"]
    for _, part in shares.groupby(_SET_KEYS, sort=False):
        rows += _sum_checks(part, base_of, convention)
    for _, r in shares.iterrows():
        rows.append(_achievable(r, base_of, convention))
    for _, r in figs[figs["statistic"] == "mean"].iterrows():
        rows += _mean_checks(r, base_of, convention)
    rows += _subgroup_checks(shares, base_of, convention)
    for _, r in figs[figs["statistic"] == "change"].iterrows():
        rows.append(_change(r, figs, convention))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def _sum_checks(part, base_of, convention) -> list[dict]:
    if part["multi_response"].map(_flag).any():
        return []
    exhaustive = part["exhaustive"].map(_flag).all()
    if not exhaustive and len(part) < 2:
        return []
    bs = [_bounds(r, convention) for _, r in part.iterrows()]
    lo, hi = sum(b.low for b in bs), sum(b.high for b in bs)
    lo_c, hi_c = all(b.low_closed for b in bs), all(b.high_closed for b in bs)
    shown = " + ".join(_fmt(v) for v in part["value"])
    total = _fmt(part["value"].sum())
    span = f"the true shares sum to {_fmt(lo)}-{_fmt(hi)}"
    if not exhaustive:
        ok = lo < 100 or (lo == 100 and lo_c)
        detail = (f"The categories {shown} = {total}% are mutually exclusive, so with rounding "
                  f"{span}, {'which can' if ok else 'which cannot'} stay within 100.")
        return [_row("sum_at_most_100", part, "pass" if ok else "fail", detail)]
    ok = (lo < 100 or (lo == 100 and lo_c)) and (100 < hi or (hi == 100 and hi_c))
    detail = (f"The exhaustive categories {shown} = {total}%; with rounding {span}, "
              f"{'which contains' if ok else 'which excludes'} 100.")
    out = [_row("sum_to_100", part, "pass" if ok else "fail", detail)]
    n, why = base_of(part.iloc[0])
    decimals = int(part["decimals"].max())
    pcts = ", ".join(f"{_fmt(v)}%" for v in part["value"])
    if n is None or len({base_of(r)[0] for _, r in part.iterrows()}) != 1:
        reason = why if n is None else "the categories have different bases"
        out.append(_row("set_on_base", part, "not testable",
                        f"No single base for the set: {reason}."))
        return out
    res = infer_base(part["value"].tolist(), decimals=decimals, min_base=n, max_base=n,
                     convention=convention)
    if len(res):
        counts = res["counts"].iloc[0]
        detail = f"Counts {counts} achieve {pcts} and sum to {n}{why}."
        out.append(_row("set_on_base", part, "pass", detail))
    else:
        fit = infer_base(part["value"].tolist(), decimals=decimals, max_base=1000,
                         convention=convention)["n"].tolist()
        near = ", ".join(str(x) for x in fit[:6]) if fit else "none up to 1000"
        detail = (f"No counts achieve {pcts} and sum to {n}{why}; the smallest bases that "
                  f"fit are {near}.")
        out.append(_row("set_on_base", part, "fail", detail))
    return out


def _achievable(r, base_of, convention) -> dict:
    one = r.to_frame().T
    n, why = base_of(r)
    v, d = _fmt(r["value"]), int(r["decimals"])
    if n is None:
        return _row("achievable", one, "not testable", f"{v}% cannot be checked: {why}.")
    k_min, k_max = count_range(_bounds(r, convention), n)
    uninformative = "" if n < 100 * 10**d else f"; uninformative: every share is achievable when n >= {100 * 10**d}"
    if k_min <= k_max:
        how = (f"{k_min}/{n} = {_pct(k_min, n)}" if k_min == k_max
               else f"{k_min}-{k_max} of {n}")
        detail = f"{v}% is achievable on {n} as {how}{why}{uninformative}."
        return _row("achievable", one, "pass", detail)
    k = math.floor(float(r["value"]) * n / 100)
    near = [f"{j}/{n} = {_pct(j, n)}" for j in (k, k + 1) if 0 <= j <= n]
    detail = f"{v}% is not achievable on {n}: {' and '.join(near)}{why}."
    return _row("achievable", one, "fail", detail)


def _mean_checks(r, base_of, convention) -> list[dict]:
    one = r.to_frame().T
    v, d = float(r["value"]), int(r["decimals"])
    lo, hi = r["scale_min"], r["scale_max"]
    n, why = base_of(r)
    out = []
    if _missing(lo) or _missing(hi):
        out.append(_row("grim", one, "not testable",
                        f"The mean {_fmt(v)} has no published scale, so integer answers cannot be assumed."))
    elif n is None:
        out.append(_row("grim", one, "not testable", f"The mean {_fmt(v)} cannot be checked: {why}."))
    else:
        g = grim(v, n, d, scale=(int(lo), int(hi)), convention=convention).iloc[0]
        verdict = "pass" if g["consistent"] else "fail"
        detail = f"Mean {_fmt(v)} of {n} integer answers on {int(lo)}-{int(hi)}: {g['note']}{why}."
        out.append(_row("grim", one, verdict, detail))
    sd = r.get("sd")
    if _missing(sd):
        out.append(_row("grimmer", one, "not testable",
                        f"No SD is published for the mean {_fmt(v)}, so GRIMMER and the SD "
                        "bounds of the scale cannot be applied."))
        return out
    if n is None or n < 2 or _missing(lo) or _missing(hi):
        out.append(_row("grimmer", one, "not testable",
                        f"The SD {_fmt(sd)} needs a base of 2 or more and a scale to be checked."))
        return out
    sd_d = r.get("sd_decimals")
    sd_d = d if _missing(sd_d) else int(sd_d)
    gm = grimmer(v, float(sd), n, d, scale=(int(lo), int(hi)), sd_decimals=sd_d,
                 convention=convention).iloc[0]
    out.append(_row("grimmer", one, "pass" if gm["consistent"] else "fail",
                    f"Mean {_fmt(v)} with SD {_fmt(sd)} on {n}: {gm['note']}{why}."))
    sb = sd_bounds(v, n, int(lo), int(hi)).iloc[0]
    s = exact_bounds(float(sd), sd_d, convention)
    ok = float(s.low) <= sb["sd_max"] and float(s.high) >= sb["sd_min"]
    out.append(_row("sd_bounds", one, "pass" if ok else "fail",
                    f"SD {_fmt(sd)} {'lies' if ok else 'does not lie'} within the "
                    f"{sb['sd_min']:.3f}-{sb['sd_max']:.3f} that {n} answers on {int(lo)}-{int(hi)} "
                    f"allow with mean {_fmt(v)}{why}."))
    return out


def _subgroup_checks(shares, base_of, convention) -> list[dict]:
    out = []
    keys = ["survey", "wave", "item", "category"]
    for _, part in shares.groupby(keys, sort=False):
        overall = part[part["group"] == "all"]
        subs = part[part["group"] != "all"]
        if len(overall) != 1 or subs.empty:
            continue
        o = overall.iloc[0]
        figs = pd.concat([overall, subs])
        names = " and ".join(f"{g} {_fmt(v)}%" for g, v in zip(subs["group"], subs["value"],
                                                                strict=True))
        if len(subs) < 2:
            out.append(_row("subgroup_range", figs, "not testable",
                            f"Only one subgroup ({names}) is published; the overall "
                            f"{_fmt(o['value'])}% is not constrained by it."))
            continue
        ob = _bounds(o, convention)
        sbs = [_bounds(r, convention) for _, r in subs.iterrows()]
        lo, hi = min(b.low for b in sbs), max(b.high for b in sbs)
        ok = ob.low <= hi and ob.high >= lo
        out.append(_row(
            "subgroup_range", figs, "pass" if ok else "fail",
            f"Assuming the groups partition the respondents, the overall {_fmt(o['value'])}% "
            f"must lie between the subgroup shares ({names}), i.e. within {_fmt(lo)}-"
            f"{_fmt(hi)}: it {'does' if ok else 'does not'}."))
        n, why = base_of(o)
        if n is None:
            out.append(_row("group_sizes", figs, "not testable",
                            f"Group sizes need the overall base: {why}."))
            continue
        groups = dict(zip(subs["group"], subs["value"].astype(float), strict=True))
        res = infer_group_sizes(float(o["value"]), groups, n=n,
                                decimals=int(part["decimals"].max()), convention=convention)
        if len(res):
            first = list(groups)[0]
            sizes = sorted(set(res[f"size_{first}"]))
            shown = ", ".join(str(s) for s in sizes[:8]) + (", ..." if len(sizes) > 8 else "")
            out.append(_row("group_sizes", figs, "pass",
                            f"Assuming the groups partition the {n} respondents, {len(res)} "
                            f"combination(s) of sizes and counts reproduce every figure "
                            f"({first} size {shown}){why}."))
        else:
            k_min, k_max = count_range(ob, n)
            extra = (f"; the overall {_fmt(o['value'])}% is itself not achievable on {n}"
                     if k_min > k_max else "")
            out.append(_row("group_sizes", figs, "fail",
                            f"Assuming the groups partition the {n} respondents, no group sizes "
                            f"and counts reproduce {names} with overall {_fmt(o['value'])}%"
                            f"{extra}{why}."))
    return out


def _change(r, figs, convention) -> dict:
    same = ((figs["survey"] == r["survey"]) & (figs["item"] == r["item"])
            & (figs["category"] == r["category"]) & (figs["group"] == r["group"])
            & figs["statistic"].isin(["share", "mean"]))
    now = figs[same & (figs["wave"] == r["wave"])]
    ref = figs[same & (figs["wave"] == r["reference_wave"])]
    one = r.to_frame().T
    c = _fmt(r["value"])
    if len(now) != 1 or len(ref) != 1:
        return _row("stated_change", one, "not testable",
                    f"The change of {c} needs one stated value in wave {r['wave']} and one in "
                    f"{r['reference_wave']}; found {len(now)} and {len(ref)}.")
    a, b = now.iloc[0], ref.iloc[0]
    figs2 = pd.concat([one, now, ref])
    diff = _fmt(float(a["value"]) - float(b["value"]))
    if _flag(a["implied"]) or _flag(b["implied"]) or _flag(r["implied"]):
        which = b if _flag(b["implied"]) else a
        return _row("stated_change", figs2, "not testable",
                    f"{_fmt(a['value'])} - {_fmt(b['value'])} = {diff} matches the stated change "
                    f"of {c} only by construction: {which['figure_id']} is implied from the "
                    "change, not published.")
    ba, bb = _bounds(a, convention), _bounds(b, convention)
    lo, hi = ba.low - bb.high, ba.high - bb.low
    cb = exact_bounds(float(r["value"]), int(r["decimals"]), convention)
    ok = cb.low <= hi and cb.high >= lo
    # exact equality at an endpoint counts only if both endpoints are included
    if ok and (cb.low == hi or cb.high == lo):
        ok = ((cb.low == hi and cb.low_closed and ba.high_closed and bb.low_closed)
              or (cb.high == lo and cb.high_closed and ba.low_closed and bb.high_closed))
    return _row("stated_change", figs2, "pass" if ok else "fail",
                f"{_fmt(a['value'])} - {_fmt(b['value'])} = {diff}; with rounding the true "
                f"change lies within {_fmt(lo)} to {_fmt(hi)}, which "
                f"{'overlaps' if ok else 'excludes'} the stated {c} "
                f"({_fmt(cb.low)} to {_fmt(cb.high)}).")
