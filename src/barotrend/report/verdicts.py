"""A verdict for every headline: does what was published support the claim made from it?

Each headline (``data/headlines.csv``) names the figures it rests on and the test that checks
it. The verdict is one of:

* ``supported``: significant at ``alpha`` (two-sided) in the claimed direction, for every base,
  count and correlation consistent with what was published (the least favourable case decides);
* ``within sampling error``: not significant in at least one case consistent with the figures;
* ``not comparable``: the figures measure different things, so no test without an assumption;
* ``cannot be tested from what was published``: a base or SD needed for the test is missing
  (the reason then says what would settle it, e.g. the SD below which the change is significant).

Bases: the article's stated base; else the wave's respondents (item non-response unknown,
said in the note); when the published shares of a question are impossible on that number,
every base up to it on which they are achievable (:func:`~barotrend.figures.bases.infer_base`).
Two groups are compared by the Tracker's one group policy
(:func:`barotrend.tracking.groups.pair_rows`), which follows the groups' stated relations
(``groups.csv``); a result that rests on an assumed split of a base is not evidence, so such a
headline cannot be tested. A ``consistency`` headline needs the wave's ``responding_units`` and
``population_units``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest

from barotrend.figures.bases import MIN_ITEM_RESPONSE
from barotrend.figures.differences import compare_proportions
from barotrend.figures.means import bhatia_davis_sd, compare_means
from barotrend.figures.proportions import proportion_ci
from barotrend.figures.rounding import feasible_counts, rounding_bounds
from barotrend.figures.same_sample import compare_categories, compare_items
from barotrend.tracking.table import question_bases

SUPPORTED = "supported"
WITHIN = "within sampling error"
NOT_COMPARABLE = "not comparable"
UNTESTABLE = "cannot be tested from what was published"
VERDICTS = (SUPPORTED, WITHIN, NOT_COMPARABLE, UNTESTABLE)

COLUMNS = ["headline_id", "source", "claim", "test", "published", "estimate", "ci_low", "ci_high",
           "p_value", "verdict", "reason", "method", "note"]


def headline_verdicts(dataset, alpha: float = 0.05,
                      min_item_response: float = MIN_ITEM_RESPONSE, *,
                      tracker=None) -> pd.DataFrame:
    """One row per headline of ``dataset`` with the evidence and the verdict.

    Parameters
    ----------
    dataset : barotrend.datasets.Dataset
        Figures, waves and headlines (``barotrend.datasets.load()``).
    alpha : float, default 0.05
        Two-sided significance level.
    min_item_response : float, default 0.8
        Smallest item base considered, as a share of the wave's respondents, when the published
        shares are impossible on the respondents themselves.
    tracker : barotrend.Tracker, optional
        A Tracker over the same figures whose group relations and assumed bases the group
        verdicts use (default: ``TrackerBase.from_dataset(dataset)``).

    Returns
    -------
    pandas.DataFrame
        Columns ``headline_id, source, claim, test, published, estimate, ci_low, ci_high,
        p_value, verdict, reason, method, note``; ``estimate`` is the share, mean or difference
        the claim rests on (shares as proportions), ``p_value`` the least favourable one.

    Examples
    --------
    >>> from barotrend import datasets
    >>> v = headline_verdicts(datasets.load()).set_index("headline_id")
    >>> v.loc["h001-area-team-drop", "verdict"]
    'within sampling error'
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    if not 0 < min_item_response <= 1:
        raise ValueError(f"min_item_response must lie in (0, 1], got {min_item_response!r}")
    ctx = _Context(dataset, alpha, min_item_response, tracker)
    rows = []
    for h in dataset.headlines.itertuples(index=False):
        figs = [ctx.figure(f) for f in h.figure_ids.split(";")]
        row = _TESTS[h.test](ctx, h, figs)
        published = "; ".join(_describe(f) for f in figs)
        rows.append({"headline_id": h.headline_id, "source": h.source, "claim": h.claim,
                     "test": h.test, "published": published, **row})
    out = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("estimate", "ci_low", "ci_high", "p_value"):
        out[c] = pd.to_numeric(out[c]).astype(float)
    return out


class _Context:
    def __init__(self, dataset, alpha, min_item_response, tracker=None):
        self.dataset, self._tracker = dataset, tracker
        self.figures = dataset.figures.set_index("figure_id", drop=False)
        self.waves = dataset.waves.set_index(["survey", "wave"])
        self.alpha = alpha
        self.min_item_response = min_item_response

    def tracker(self):
        """The Tracker whose group policy the group verdicts follow (built once)."""
        if self._tracker is None:
            from barotrend.tracking.tracker import TrackerBase

            self._tracker = TrackerBase.from_dataset(self.dataset)
        return self._tracker

    def figure(self, fid):
        return self.figures.loc[fid]

    def respondents(self, fig):
        """The wave's respondents as the base of a whole-sample figure; NA for a group's
        figure (the wave's respondents are not a group's base)."""
        if fig["group"] not in ("all", ""):
            return pd.NA
        return self.waves.loc[(fig["survey"], fig["wave"]), "respondents"]

    def bases(self, fig) -> tuple[list[int], str]:
        """Candidate bases for a share figure and a note saying where they come from."""
        if pd.notna(fig["base"]):
            return [int(fig["base"])], f"base {int(fig['base'])} as published"
        if fig["group"] not in ("all", ""):
            return [], (f"the base of group {fig['group']!r} was not published (the wave's "
                        "respondents are not the group's base)")
        n = self.respondents(fig)
        if pd.isna(n):
            return [], "neither the item base nor the wave's respondents were published"
        n = int(n)
        if fig["statistic"] != "share" or not fig["exhaustive"]:
            return [n], f"base assumed = the wave's {n} respondents (item non-response unknown)"
        return question_bases(fig, self.figures, n, self.min_item_response)


def _describe(f) -> str:
    v = f"{f['value']:g}"
    if f["statistic"] == "share":
        v += "%"
    elif f["statistic"] == "mean":
        v += f" (scale {int(f['scale_min'])}-{int(f['scale_max'])})"
    grp = "" if f["group"] == "all" else f" {f['group']}"
    return f"{f['survey']} {f['wave']}{grp}: {v}" + (" (implied)" if f["implied"] else "")


def _judge(p_worst, sign_ok, alpha):
    return SUPPORTED if (p_worst < alpha and sign_ok) else WITHIN


def _sign_ok(diff, direction):
    return {"greater": diff > 0, "less": diff < 0}.get(direction, diff != 0)


def _row(estimate, low, high, p, verdict, reason, method, note=""):
    return {"estimate": estimate, "ci_low": low, "ci_high": high, "p_value": p,
            "verdict": verdict, "reason": reason, "method": method, "note": note}


def _untestable(reason, method="", estimate=np.nan, note=""):
    return _row(estimate, np.nan, np.nan, np.nan, UNTESTABLE, reason, method, note)


def _share_vs_threshold(ctx, h, figs):
    (f,) = figs
    bases, note = ctx.bases(f)
    t = h.threshold / 100
    if not bases:
        return _untestable(note, estimate=f["value"] / 100)
    worst_p, worst = -1.0, None
    for n in bases:
        for k in feasible_counts(f["value"], n, int(f["decimals"]))["count"]:
            _, p = proportions_ztest(int(k), n, value=t, prop_var=t)
            if p > worst_p:
                worst_p, worst = float(p), (int(k), n)
    n = worst[1]
    ci = proportion_ci(n=n, percent=f["value"], decimals=int(f["decimals"]),
                       rounding="union").iloc[0]
    verdict = _judge(worst_p, _sign_ok(worst[0] / n - t, h.direction), ctx.alpha)
    reason = (f"{f['value']:g}% against {h.threshold:g}%: least favourable count {worst[0]} of "
              f"{n} gives p = {worst_p:.3g}; 95% CI {100 * ci['ci_low']:.1f}%-"
              f"{100 * ci['ci_high']:.1f}% (Wilson, over all counts the rounding allows)")
    return _row(f["value"] / 100, ci["ci_low"], ci["ci_high"], worst_p, verdict, reason,
                "score test of one proportion against the threshold (statsmodels "
                "proportions_ztest with null variance)", note)


def _mean_vs_threshold(ctx, h, figs):
    (f,) = figs
    scale = (float(f["scale_min"]), float(f["scale_max"]))
    low, high = rounding_bounds(f["value"], int(f["decimals"]))
    gap = low - h.threshold if h.direction != "less" else h.threshold - low
    # the largest SD any mean consistent with the rounding allows (least favourable)
    sd_max = max(bhatia_davis_sd(low, scale), bhatia_davis_sd(high, scale))
    z = stats.norm.ppf(1 - ctx.alpha / 2)
    n_min = math.ceil((z * sd_max / gap) ** 2) if gap > 0 else None
    n = f["base"] if pd.notna(f["base"]) else ctx.respondents(f)
    need = (f"at the largest SD the scale allows ({sd_max:.2f}, Bhatia-Davis) a base of "
            f"{n_min} or more would make {low:g} (the lowest value rounding to {f['value']:g}) "
            f"significantly above {h.threshold:g}" if n_min else
            "the published mean does not exceed the threshold")
    if pd.isna(n):
        return _untestable(f"neither the base nor the SD was published; {need}",
                           "z test of a mean against a threshold, SD bounded by the scale",
                           estimate=f["value"])
    n = int(n)
    sd = _sd_high(f)
    if sd is not None and n > 1:  # published SD: one-sample t test at the least favourable
        # rounding of the mean (the end nearest the threshold) and of the SD (its upper end)
        near = low if h.direction != "less" else high
        if h.direction == "two-sided":
            near = low if low > h.threshold else (high if high < h.threshold else h.threshold)
        tstat = (near - h.threshold) / (sd / math.sqrt(n))
        p = float(2 * stats.t.sf(abs(tstat), n - 1))
        verdict = _judge(p, _sign_ok(near - h.threshold, h.direction), ctx.alpha)
        return _row(f["value"], np.nan, np.nan, p, verdict,
                    f"published SD {f['sd']:g} (least favourable {sd:g}) on base {n}: "
                    f"{near:g} (the value rounding to {f['value']:g} nearest the threshold) "
                    f"against {h.threshold:g}: t = {tstat:.3g} on {n - 1} df, p = {p:.3g}",
                    "one-sample t test of a mean against a threshold, published SD")
    sd_tip = gap * math.sqrt(n) / z
    if n_min is not None and n >= n_min:
        return _row(f["value"], np.nan, np.nan, np.nan, SUPPORTED, need + f"; base {n}",
                    "z test of a mean against a threshold, SD bounded by the scale")
    return _untestable(f"SD not published: significant if the SD is below {sd_tip:.2f}; {need}",
                       "z test of a mean against a threshold, SD bounded by the scale",
                       estimate=f["value"])


def _change_mean(ctx, h, figs):
    a, b = figs  # from, to
    na = a["base"] if pd.notna(a["base"]) else ctx.respondents(a)
    nb = b["base"] if pd.notna(b["base"]) else ctx.respondents(b)
    diff = b["value"] - a["value"]
    if pd.isna(na) or pd.isna(nb):
        return _untestable("a wave's base was not published", estimate=diff)
    scale = (float(b["scale_min"]), float(b["scale_max"]))
    sd_a, sd_b = _sd_high(a), _sd_high(b)
    if sd_a is not None and sd_b is not None:  # published SDs: Welch, least favourable case
        r = compare_means(b["value"], int(nb), a["value"], int(na), sd_a=sd_b, sd_b=sd_a,
                          scale=scale, decimals=int(min(a["decimals"], b["decimals"])),
                          conf_level=1 - ctx.alpha).iloc[0]
        p = float(r.get("p_value_max", r["p_value"]))
        verdict = _judge(p, _sign_ok(diff, h.direction), ctx.alpha)
        reason = (f"{a['value']:g} (SD {a['sd']:g}, n {int(na)}) -> {b['value']:g} (SD "
                  f"{b['sd']:g}, n {int(nb)}): Welch t test at the upper ends of the SDs' "
                  f"rounding ({sd_a:g}, {sd_b:g}) and the least favourable rounding of the "
                  f"means (difference {r['difference_min']:+g} to {r['difference_max']:+g}): "
                  f"p = {p:.3g}")
        return _row(diff, r["ci_low"], r["ci_high"], p, verdict, reason,
                    "two-sample comparison of means with published SDs (Welch)")
    r = compare_means(b["value"], int(nb), a["value"], int(na), scale=scale,
                      decimals=int(b["decimals"]), conf_level=1 - ctx.alpha)
    tips = r.set_index("row")["sd"]
    sd_max = max(bhatia_davis_sd(a["value"], scale), bhatia_davis_sd(b["value"], scale))
    reason = (f"SD not published: the change {a['value']:g} -> {b['value']:g} (n {int(na)} and "
              f"{int(nb)}) is significant at {ctx.alpha:g} if the common SD is below "
              f"{tips['tipping_sd']:.2f} ({tips['tipping_sd_rounded']:.2f} for the least "
              f"favourable rounding of the means); the scale allows SDs up to {sd_max:.2f}")
    return _untestable(reason, "two-sample comparison of means from summaries (tipping-point SD)",
                       estimate=diff)


def _sd_high(f):
    """The upper end of a published SD's rounding interval (the least favourable SD), or
    None when no SD is published (``sd_decimals`` defaults to the mean's ``decimals``)."""
    sd = f.get("sd", np.nan)
    if sd is None or pd.isna(sd):
        return None
    dec = f.get("sd_decimals", pd.NA)
    dec = int(f["decimals"]) if dec is None or pd.isna(dec) else int(dec)
    return float(sd) + 0.5 * 10.0 ** -dec


def _change_share(ctx, h, figs):
    a, b = figs
    (na,), note_a = _one_base(ctx, a)
    (nb,), note_b = _one_base(ctx, b)
    if na is None or nb is None:
        return _untestable(note_a if na is None else note_b, estimate=(b["value"] - a["value"]) / 100)
    r = compare_proportions(n_a=nb, n_b=na, percent_a=b["value"], percent_b=a["value"],
                            method="newcombe", test="z").iloc[0]
    verdict = _judge(r["p_value"], _sign_ok(r["difference"], h.direction), ctx.alpha)
    reason = (f"{a['value']:g}% (n {na}) to {b['value']:g}% (n {nb}): difference "
              f"{100 * r['difference']:+.0f} points, 95% CI {100 * r['ci_low']:+.1f} to "
              f"{100 * r['ci_high']:+.1f}, p = {r['p_value']:.3g}")
    return _row(r["difference"], r["ci_low"], r["ci_high"], r["p_value"], verdict, reason,
                r["method"], f"{note_a}; {note_b}")


def _one_base(ctx, f):
    """The least favourable candidate base (the smallest: the widest interval)."""
    bases, note = ctx.bases(f)
    return ([min(bases)] if bases else [None]), note


def _group_difference(ctx, h, figs):
    """Two groups of one wave through the Tracker's group policy
    (:func:`barotrend.tracking.groups.pair_rows`): the groups' stated relation decides how
    they are compared; stated bases are used as they are; an assumed split is not evidence."""
    import warnings

    from barotrend.tracking.comparability import ComparabilityWarning
    from barotrend.tracking.groups import ASSUMED, pair_rows

    ga, gb = figs
    diff = (ga["value"] - gb["value"]) / 100 if ga["statistic"] == "share" else \
        ga["value"] - gb["value"]
    same = [k for k in ("survey", "wave", "item", "category", "statistic") if ga[k] != gb[k]]
    if same or ga["group"] == gb["group"]:
        why = (f"the two figures differ in {', '.join(same)}" if same
               else f"both figures are of group {ga['group']!r}")
        return _untestable(f"a group difference compares two groups' figures of one question "
                           f"in one wave; {why}", estimate=diff)
    t = ctx.tracker()
    f = t._figures
    fa = f[f["figure_id"] == ga["figure_id"]].iloc[0].to_dict()
    fb = f[f["figure_id"] == gb["figure_id"]].iloc[0].to_dict()
    rows = f[(f["survey"] == fa["survey"]) & (f["item"] == fa["item"])]
    labels = {"survey": fa["survey"], "wave": fa["wave"], "item": fa["item"],
              "group": f"{fa['group']} vs {fb['group']}", "category": fa["category"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComparabilityWarning)
        r = pair_rows(t, rows, fa, fb, labels, ctx.min_item_response)[0]
    what = f"{_describe(ga)} vs {_describe(gb)}"
    if pd.isna(r.get("p_value", np.nan)):
        return _untestable(f"{what}: {r['note']}", r.get("method", ""), estimate=diff)
    scen, p = str(r["scenario"]), float(r["p_value"])
    if scen.startswith(ASSUMED):
        return _untestable(f"{what}: subgroup bases not published and not reconstructable; "
                           f"only on an assumed split of the base ({scen}) would p be {p:.3g}",
                           r.get("method", ""), estimate=diff, note=r["note"])
    verdict = _judge(p, _sign_ok(r["difference"], h.direction), ctx.alpha)
    sa, sb = r.get("size_a", np.nan), r.get("size_b", np.nan)
    least = ""
    if pd.notna(sa) and pd.notna(sb) and not scen.startswith("subgroup"):
        least = (f"{round(r['estimate_a'] * sa)}/{sa:g} vs {round(r['estimate_b'] * sb)}/"
                 f"{sb:g}, ")
    reason = f"{what}: {scen}; {least}p = {p:.3g} ({r['note']})"
    return _row(r["difference"], r["ci_low"], r["ci_high"], p, verdict, reason, r["method"],
                r["note"])


def _categories(ctx, h, figs):
    a, b = figs
    bases, note = ctx.bases(a)
    if not bases:
        return _untestable(note, estimate=(a["value"] - b["value"]) / 100)
    worst = None
    for n in bases:
        r = compare_categories(a["value"], b["value"], n, decimals=int(a["decimals"])).iloc[-1]
        if worst is None or r["p_value"] > worst["p_value"]:
            worst = r
    verdict = _judge(worst["p_value"], _sign_ok(a["value"] - b["value"], h.direction), ctx.alpha)
    reason = (f"{a['value']:g}% vs {b['value']:g}% of one question: least favourable "
              f"p = {worst['p_value']:.3g} ({worst['note']}; {note})")
    return _row((a["value"] - b["value"]) / 100, worst["ci_low"], worst["ci_high"],
                worst["p_value"], verdict, reason, worst["method"])


def _items(ctx, h, figs):
    a, b = figs
    bases, note = ctx.bases(a)
    method = "paired difference of two items, Frechet-bounded covariance (Wild & Seber 1993)"
    diff = (a["value"] - b["value"]) / 100
    if not bases:
        one = compare_items(a["value"], b["value"], 1).set_index("row").loc["worst_case"]
        z = stats.norm.ppf(1 - ctx.alpha / 2)
        n_min = math.ceil((z / abs(one["statistic"])) ** 2)
        return _untestable(f"{note}; whatever the overlap of the two answers, a base of {n_min} "
                           f"or more would make the {abs(100 * diff):g}-point gap significant",
                           method, estimate=diff)
    r = compare_items(a["value"], b["value"], bases[0]).set_index("row").loc["worst_case"]
    verdict = _judge(r["p_value"], _sign_ok(diff, h.direction), ctx.alpha)
    reason = (f"{a['value']:g}% vs {b['value']:g}% of the same {bases[0]} respondents: p = "
              f"{r['p_value']:.3g} even at the least favourable overlap of answers ({note})")
    return _row(diff, r["ci_low"], r["ci_high"], r["p_value"], verdict, reason, method)


def _cross_survey(ctx, h, figs):
    a, b = figs
    stats_ = {a["statistic"], b["statistic"]}
    reason = (f"{_describe(a)} and {_describe(b)} come from different surveys and populations "
              f"({a['survey']} vs {b['survey']})")
    if stats_ == {"mean", "share"}:
        reason += ("; a mean rating and a share beyond a threshold are different measures: "
                   "comparing them needs an assumed distribution of ratings (e.g. which ratings "
                   "count as 'not confident')")
    if a["question"] != b["question"]:
        reason += "; the questions differ in wording"
    return _row(np.nan, np.nan, np.nan, np.nan, NOT_COMPARABLE, reason, "comparability rules")


def _consistency(ctx, h, figs):
    (f,) = figs
    w = ctx.waves.loc[(f["survey"], f["wave"])]
    missing = [c for c in ("responding_units", "population_units") if pd.isna(w[c])]
    if missing:
        return _untestable(f"the consistency test checks a published percentage against the "
                           f"wave's responding_units of population_units; waves.csv gives no "
                           f"{' and no '.join(missing)} for {f['survey']} {f['wave']}",
                           "arithmetic check of a published percentage against its counts",
                           estimate=f["value"] / 100)
    k, n = int(w["responding_units"]), int(w["population_units"])
    counts = feasible_counts(f["value"], n, int(f["decimals"]))["count"].tolist()
    ok = k in counts
    reason = (f"{k} of {n} = {100 * k / n:.1f}%, which {'rounds' if ok else 'does not round'} "
              f"to the published {f['value']:g}%")
    return _row(k / n, np.nan, np.nan, np.nan, SUPPORTED if ok else WITHIN, reason,
                "arithmetic check of a published percentage against its counts")


_TESTS = {
    "share_vs_threshold": _share_vs_threshold,
    "mean_vs_threshold": _mean_vs_threshold,
    "change_mean": _change_mean,
    "change_share": _change_share,
    "group_difference": _group_difference,
    "categories_same_question": _categories,
    "items_same_sample": _items,
    "cross_survey": _cross_survey,
    "consistency": _consistency,
}
