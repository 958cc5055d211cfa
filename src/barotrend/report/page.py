"""The HTML page of the figures report: findings first, then checks, series, comparisons,
waves and methods, every user text escaped and every id said in words."""

from __future__ import annotations

import html
import re

import pandas as pd

import barotrend
from barotrend.display import fmt_number
from barotrend.report import html as H

_SHARE_TESTS = ("share_vs_threshold", "consistency")
_SHARE_DIFFERENCES = ("change_share", "group_difference", "categories_same_question",
                      "items_same_sample")


def _verdict_estimate(r) -> str:
    """The estimate a verdict rests on, in the unit a reader expects, with its interval."""
    est, lo, hi = r["estimate"], r["ci_low"], r["ci_high"]
    if pd.isna(est):
        return ""
    if r["test"] in _SHARE_TESTS:
        text, kind = H.pct(est), "share"
    elif r["test"] in _SHARE_DIFFERENCES:
        text, kind = H.pp(est), "points"
    elif r["test"] == "change_mean":
        text, kind = f"{fmt_number(est, sign=True)} on the scale", "number"
    else:
        text, kind = fmt_number(est), "number"
    ci = H.interval(lo, hi, kind)
    return text + (f" ({ci})" if ci else "")


_CHECK_WORDS = {
    "achievable": "percentage achievable on its base",
    "grim": "mean achievable on its base (GRIM)",
    "grimmer": "SD achievable with its mean (GRIMMER)",
    "sum_to_100": "exhaustive categories sum to 100%",
    "sum_at_most_100": "exclusive categories sum to at most 100%",
    "set_on_base": "a question's shares achievable together",
    "subgroup_range": "a group's share within its parent's range",
    "group_sizes": "group shares consistent with their parent",
    "stated_change": "stated change matches the two figures",
}


METHODS = [
    ("Rounding", "Published percentages and means are treated as rounded half-up to their "
     "published decimals. A percentage on base n is consistent only with the whole counts that "
     "round to it (feasible counts); tests take the least favourable of those counts."),
    ("Bases", "The base is the one the article states; otherwise the wave's number of "
     "respondents, assuming no item non-response (said in every note). When a question's "
     "published shares are impossible on that number, the bases from 80% of it up to it on "
     "which all of them are achievable are used, and the least favourable decides."),
    ("Groups", "How groups relate is read from groups.csv (partition, disjoint or nested "
     "within a parent group). Two groups are compared as independent samples only when they "
     "are known to be disjoint; stated bases are used as they are. Unpublished subgroup bases "
     "are reconstructed only for groups that partition their parent (GP / non-GP of all "
     "respondents), from the parent's and the groups' shares: every consistent combination is "
     "tested and the least favourable decides. A group and a group within it are compared as "
     "the subgroup against the rest of the parent, over every feasible subgroup base when it was "
     "not published (least favourable p). Groups of unknown relation are compared only when "
     "both bases are stated (assumed disjoint, and said so); a base is never split between "
     "them."),
    ("Surveys", "A concept shared by two surveys is compared for the whole samples, category "
     "by category, each wave against the other survey's nearest wave in time, with every "
     "difference of wording, category, measure, scale or population noted. Pairs that need a "
     "judgement (a concept published only per group, categories that differ) are listed as not "
     "compared, with the reason."),
    ("One share", "Wilson score intervals (with the union over feasible counts for rounded "
     "figures); a share against a threshold by the score test with the null variance."),
    ("Two shares", "Independent samples (two waves, two groups): Newcombe's hybrid score "
     "interval for the difference and the pooled z test. Two answers to one question: the "
     "multinomial variance of Scott and Seber (1983). Two items answered by the same people: the "
     "variance at the Frechet bounds of the unpublished joint share (Wild and Seber 1993)."),
    ("Means without SDs", "No SD is published, so a change of means is not tested: the report "
     "gives the tipping-point SD below which it would be significant (Welch df) and the largest "
     "SD the scale allows (Bhatia-Davis bound)."),
    ("Finite population", "Where the population is a known set of organisations (211 CCGs) the "
     "finite-population correction (N - n)/(N - 1) applies to unit-level figures; the leaders "
     "answering are not a sample of a listed population, so their figures are not corrected."),
    ("Multiple comparisons", "p-values in the comparisons table are adjusted across the whole "
     "family (Holm by default) in the p_adjusted column; verdicts use unadjusted p at 0.05."),
    ("Different measures and surveys", "Items from different surveys, populations, wordings or "
     "measures (a mean rating against a share) are flagged as not comparable; the bounds a mean "
     "puts on a share are given, with the assumption any comparison would need."),
]


class _Words:
    """Internal ids in running text replaced by labels: survey and wave, survey, item."""

    def __init__(self, d, tracker):
        from barotrend.plot import _survey_label, item_label

        w, f = d.waves, tracker._figures
        self.pairs = []
        for _, r in w.iterrows():
            s = _survey_label(w, r["survey"], short=True)
            lab = r["wave_label"] if pd.notna(r["wave_label"]) else r["wave"]
            self.pairs.append((f"{r['survey']} {r['wave']}", f"{s}, {lab}"))
        for sv in w["survey"].unique():
            self.pairs.append((str(sv), _survey_label(w, sv, short=True)))
        items = f[["survey", "item"]].drop_duplicates()
        for _, r in items.iterrows():
            self.pairs.append((str(r["item"]), item_label(f, r["item"], r["survey"])))
        # longest first, so that an id inside another is not replaced first
        self.pairs.sort(key=lambda p: -len(p[0]))

    def __call__(self, text) -> str:
        if text is None or (not isinstance(text, str) and pd.isna(text)):
            return ""
        # p-values in one format: 2.63e-20 is "<0.001"
        text = re.sub(r"\bp = \d(?:\.\d+)?e-\d+", "p < 0.001", str(text))
        for a, b in self.pairs:
            if a and a in text:
                text = text.replace(a, b)
        return text


def _published(d, h, words) -> str:
    """The figures a headline rests on, in words: label, wave, group and value."""
    from barotrend.plot import group_label

    f = d.figures.set_index("figure_id")
    parts = []
    for fid in str(h["figure_ids"]).split(";"):
        fid = fid.strip()
        if fid not in f.index:
            continue
        r = f.loc[fid]
        v = f"{r['value']:g}%" if r["statistic"] == "share" else \
            f"{r['value']:g} (scale {int(r['scale_min'])} to {int(r['scale_max'])})"
        grp = "" if r["group"] == "all" else \
            f", {group_label(d.groups if hasattr(d, 'groups') else None, r['survey'], r['group'])}"
        lab = r["label"] if "label" in r and pd.notna(r["label"]) and str(r["label"]) else \
            r["question"]
        parts.append(f"{lab} ({words(r['survey'] + ' ' + r['wave'])}{grp}): {v}"
                     + (" (implied)" if r["implied"] else ""))
    return "; ".join(parts)


def _failed_checks(d, checks) -> dict[str, list[int]]:
    """headline_id -> positions of failed checks on its figures or on the same question (the
    same survey, wave and item)."""
    fail = checks[checks["verdict"] == "fail"]
    f = d.figures.set_index("figure_id")
    out = {}
    for _, h in d.headlines.iterrows():
        ids = {i.strip() for i in str(h["figure_ids"]).split(";")}
        keys = {(f.loc[i, "survey"], f.loc[i, "wave"], f.loc[i, "item"]) for i in ids
                if i in f.index}
        hits = [int(k) for k, c in fail.iterrows()
                if ids & {x.strip() for x in str(c["figure_ids"]).split(",")}
                or (c["survey"], c["wave"], c["item"]) in keys]
        if hits:
            out[h["headline_id"]] = hits
    return out


def page_html(d, tables, figs, tracker) -> str:
    words = _Words(d, tracker)
    checks = tables["checks"].reset_index(drop=True)
    sec, intro = [], ""
    v = tables["verdicts"]
    failed = _failed_checks(d, checks) if len(v) else {}
    if len(v):
        counts = v["verdict"].value_counts()
        intro = ("<p><b>Findings.</b> " + html.escape(
            f"{len(v)} claims made from {len(d.figures)} published figures "
            f"({d.waves['survey'].nunique()} surveys, {len(d.waves)} waves):") + "</p>"
            '<ul class="counts">' + "".join(
                f"<li>{H.badge(k)} {n}</li>" for k in H.BADGES if k in counts
                for n in [int(counts[k])]) + "</ul>")
        nfail = int((checks["verdict"] == "fail").sum())
        if nfail:
            intro += (f'<p class="warn">{nfail} consistency check{"s" if nfail > 1 else ""} of '
                      f'the published figures fail (<a href="#checks">see the checks</a>); '
                      f"{len(failed)} verdict{'s rest' if len(failed) != 1 else ' rests'} on "
                      "figures of a question that fails one.</p>")
        hl = d.headlines.set_index("headline_id")

        def verdict_cell(r):
            cell = str(H.badge(r["verdict"]))
            hits = failed.get(r["headline_id"], [])
            if hits:
                links = ", ".join(f'<a href="#check-{k}">{k + 1}</a>' for k in hits)
                cell += (f'<br><span class="warn">\u26a0 figures of this question fail '
                         f"check{'s' if len(hits) > 1 else ''} {links}</span>")
            return H.Raw(cell)

        shown = pd.DataFrame({
            "claim": v["claim"],
            # object dtype: a string column (pyarrow-backed when pyarrow is installed) would
            # turn the Raw markup into plain text, which the table escapes
            "verdict": pd.Series([verdict_cell(r) for _, r in v.iterrows()], index=v.index,
                                 dtype=object),
            "estimate (95% CI)": v.apply(_verdict_estimate, axis=1),
            "p": v["p_value"].map(H.pval),
            "figures": [_published(d, hl.loc[i], words) for i in v["headline_id"]],
            "why": v["reason"].map(words),
            "method": v["method"].map(H.method),
            "note": v["note"].map(words),
        })
        sec.append(("Verdicts on the headlines", (
            "<p>Each claim as the article made it, what its figures support, and the estimate "
            "it rests on. Shares and their intervals are in percent; differences of shares in "
            "percentage points (pp); means on their scale. The figures, the reasoning and the "
            "method are folded under each row.</p>" + H.table(
                shown, more=("figures", "why", "method", "note"),
                more_label="Figures, reasoning and method"))))
    sec.append(("Series", _series_section(tables["series"], figs, words, tracker)))
    sec.append(("Comparisons", _comparisons_section(tables["comparisons"], figs, words,
                                                    tracker)))
    sec.append(("Consistency checks", _checks_section(checks, words)))
    sec.append(("Waves, bases and response rates", (
        f"<p>barotrend {html.escape(barotrend.__version__)} report on the data set "
        f"<b>{html.escape(d.name)}</b>: {len(d.figures)} published figures from "
        f"{len(d.sources)} sources, {len(d.waves)} waves of {d.waves['survey'].nunique()} "
        f"surveys. Every table is also written as CSV beside this file, every figure as PNG "
        f"(300 dpi) and SVG.</p>" + H.table(
            tables["waves"], percent=("unit response rate",),
            formats={c: H.count for c in ("population units", "respondents",
                                          "responding units", "figures")}))))
    methods = "".join(f"<dt><b>{html.escape(k)}</b></dt><dd>{html.escape(t)}</dd>"
                      for k, t in METHODS)
    sec.append(("Methods and assumptions", f"<dl>{methods}</dl>"))
    return H.page(_title(d), sec, intro=intro)


def _title(d) -> str:
    """The page title in words: the surveys' labels (waves.csv ``survey_label``, else the
    survey key), in the order the waves table lists them."""
    w = d.waves
    labels = (w["survey_label"].where(w["survey_label"].notna() & (w["survey_label"] != ""),
                                      w["survey"]) if "survey_label" in w else w["survey"])
    names = list(dict.fromkeys(str(x) for x in labels))
    shown = "; ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"Barometer report: {shown}"


def _figure_html(name, figs, alt, max_px=560):
    svg, _, cap, _ = figs[name]
    return H.figure(svg, cap, alt, max_px)


def _series_section(s, figs, words, tracker) -> str:
    from barotrend.plot import item_label

    body = []
    for name, (_, _, _, r) in figs.items():
        if r is None:
            continue
        what = item_label(tracker._figures, r.item, r.survey)
        kind = "share answering " + repr(r.category) if r.statistic == "share" and \
            pd.notna(r.category) else r.statistic
        body.append(_figure_html(name, figs, f"Line chart of {what}: published {kind} by wave"))
    if not len(s):
        return "".join(body) + "<p>No item is published in two or more waves.</p>"
    share = s["method"].astype(str).str.contains("wilson|share")

    def est(r, sh):
        if pd.isna(r["estimate"]):
            return ""
        ci = H.interval(r["ci_low"], r["ci_high"], "share" if sh else "number")
        return (H.pct(r["estimate"]) if sh else fmt_number(r["estimate"])) + (
            f" ({ci})" if ci else "")

    shown = pd.DataFrame({
        "what": [item_label(tracker._figures, i, sv) for i, sv in zip(s["item"], s["survey"],
                                                                       strict=True)],
        "survey": s["survey"].map(words), "wave": s["wave_label"],
        "answer": s["category"].fillna(""),
        "estimate (95% CI)": [est(r, sh) for (_, r), sh in zip(s.iterrows(), share,
                                                               strict=True)],
        "base": s["n"].map(H.count), "method": s["method"].map(H.method),
        "note": s["note"].map(words)})
    return "".join(body) + H.table(shown, more=("note",), more_label="Note")


def _statistic(tracker, survey, item):
    f = tracker._figures
    st = f.loc[(f["survey"] == survey) & (f["item"] == item), "statistic"]
    return st.iloc[0] if len(st) else ""


def _comparisons_section(comp, figs, words, tracker) -> str:
    from barotrend.plot import comparison_words

    skipped = comp[comp["comparison"] == "not compared"] if "comparison" in comp else comp[:0]
    comp = comp.drop(index=skipped.index)
    body = ("<p>Every change, group comparison and survey comparison the figures allow. p is "
            "unadjusted; adj. p is adjusted across the family (Holm). Intervals are unadjusted "
            "95% intervals.</p>")
    if "forest_comparisons" in figs:
        body += _figure_html("forest_comparisons", figs, "Forest plot: differences between "
                             "two shares in percentage points with 95% confidence intervals", 1000)
    if len(comp):
        rows = []
        for _, r in comp.iterrows():
            surveys = str(r.get("survey", "")).split(" vs ")
            items = str(r.get("item", "")).split(" vs ")
            sts = {_statistic(tracker, sv, it) for sv, it in zip(
                surveys, items * (2 if len(items) < len(surveys) else 1), strict=False)}
            if sts == {"share"}:
                a_b = f"{H.pct(r['estimate_a'], 0)} vs {H.pct(r['estimate_b'], 0)}"
                ci = H.interval(r["ci_low"], r["ci_high"], "points")
                diff = H.pp(r["difference"]) + (f" ({ci})" if ci else "")
            elif sts == {"mean"}:
                a_b = f"{fmt_number(r['estimate_a'])} vs {fmt_number(r['estimate_b'])}"
                diff = fmt_number(r["difference"], sign=True)
                if pd.notna(r.get("sd", float("nan"))) and "tipping" in str(r["method"]):
                    diff += f" (significant only if SD < {r['sd']:.2f})"
            else:  # a mean against a share: bounds, not a difference
                a_b = f"{fmt_number(r['estimate_a'])} (mean) vs {H.pct(r['estimate_b'], 0)}"
                ci = H.interval(r["ci_low"], r["ci_high"], "share")
                diff = f"bounds {ci} (not a CI)" if ci else ""
            kind = {"change": "change", "groups": "groups", "surveys": "two surveys"}.get(
                str(r.get("comparison", "")), str(r.get("comparison", "")))
            if kind == "change":  # a is the later wave: read from b to a
                a, _, b = a_b.partition(" vs ")
                a_b = f"{b} to {a}"
            rows.append({"what": comparison_words(tracker, r), "kind": kind,
                         "estimates": a_b, "difference (95% CI)": diff,
                         "p": H.pval(r.get("p_value")), "adj. p": H.pval(r.get("p_adjusted")),
                         "method": H.method(r.get("method")),
                         "note": words(r.get("note")),
                         "scenario": words(r.get("scenario"))})
        body += H.table(pd.DataFrame(rows), more=("note", "scenario"), more_label="Note")
    if len(skipped):
        body += (f"<p><b>Not compared</b> ({len(skipped)}): comparisons the figures suggest but "
                 "that cannot be made without a judgement or a figure, with the reason.</p>" +
                 H.table(pd.DataFrame({"survey": skipped["survey"].map(words),
                                       "wave": skipped["wave"].map(words),
                                       "item": skipped["item"].map(words),
                                       "reason": skipped["note"].map(words)})))
    return body


def _checks_section(c, words) -> str:
    order = {"fail": 0, "not testable": 1, "pass": 2}
    c = c.assign(_o=c["verdict"].map(order).fillna(1)).sort_values("_o", kind="stable")
    counts = c["verdict"].value_counts()
    head = ('<p id="checks">' + html.escape(f"{len(c)} checks of the published figures:")
            + '</p><ul class="counts">' + "".join(
                f"<li>{H.badge(k)} {int(counts[k])}</li>" for k in ("fail", "not testable",
                                                                  "pass") if k in counts)
            + "</ul>")

    def shown(part):
        return pd.DataFrame({
            "no.": [k + 1 for k in part.index], "result": part["verdict"],
            "check": part["check"].map(lambda x: _CHECK_WORDS.get(x, x)),
            "about": [words(f"{r['item']} ({r['survey']} {r['wave']})") +
                      ("" if r["group"] == "all" else f", {r['group']}")
                      for _, r in part.iterrows()],
            "detail": part["detail"].map(words), "figures": part["figure_ids"]})

    out = head
    for k, title in (("fail", "Failed"), ("not testable", "Not testable"), ("pass", "Passed")):
        part = c[c["verdict"] == k]
        if not len(part):
            continue
        tab = H.table(shown(part), verdict_column="result", more=("figures",),
                      more_label="Figure ids", row_ids=[f"check-{i}" for i in part.index])
        if k == "fail":
            out += f"<h3>{title} ({len(part)})</h3>" + tab
        else:
            out += (f"<details><summary>{title} ({len(part)}): show</summary>{tab}"
                    "</details>")
    return out
