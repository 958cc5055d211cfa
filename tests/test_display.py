"""One set of units and formats (issue 13 item 3): barotrend.display and the Results display.

Expected strings are written by hand from the rule (percent, percentage points, whole counts,
p-values to 2 significant digits or "<0.001", periods for dates), and the date test inverts the
package's own midpoint formula against calendar month names, not against the formatter.
"""

from __future__ import annotations

import ast
import calendar
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import barotrend as bt
from barotrend.display import (
    METHOD_STATISTIC,
    METHOD_WORDS,
    fmt_count,
    fmt_date,
    fmt_interval,
    fmt_number,
    fmt_percent,
    fmt_points,
    fmt_pvalue,
    format_results,
    method_words,
    row_statistics,
)
from barotrend.results import Results, result_frame
from barotrend.tracking.table import date_value

SRC = Path(bt.__file__).parent
ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


# --- single values --------------------------------------------------------------------------

@pytest.mark.parametrize(("x", "text"), [(0.7304, "73.0%"), (0.68, "68.0%"), (0.0, "0.0%"),
                                         (1.0, "100.0%"), (0.12345, "12.3%")])
def test_percent(x, text):
    assert fmt_percent(x) == text


@pytest.mark.parametrize(("x", "text"), [(-0.05, "-5.0 pp"), (0.301003, "+30.1 pp"),
                                         (0.0, "0.0 pp"), (-0.0001, "0.0 pp")])
def test_points(x, text):
    assert fmt_points(x) == text


@pytest.mark.parametrize(("x", "text"), [(85.0, "85"), (94, "94"), (273.0, "273"),
                                         (84.6, "85"), (np.int64(0), "0")])
def test_counts_are_whole(x, text):
    assert fmt_count(x) == text


@pytest.mark.parametrize(("p", "text"), [
    (2.63e-20, "<0.001"), (3.6e-06, "<0.001"), (0.000999, "<0.001"), (0.001, "0.0010"),
    (0.4644109, "0.46"), (0.014144, "0.014"), (0.056576, "0.057"), (0.125742, "0.13"),
    (0.0496, "0.0496"), (0.04996, "0.04996"), (0.0504, "0.050"), (0.00996, "0.00996"),
    (0.0996, "0.0996"), (1.0, "1.0"), (0.0, "<0.001")])
def test_pvalues_one_format(p, text):
    assert fmt_pvalue(p) == text


@given(st.floats(min_value=0.001, max_value=1.0))
def test_pvalue_is_close_on_the_right_side_and_never_scientific(p):
    text = fmt_pvalue(p)
    assert "e" not in text and re.fullmatch(r"\d\.\d+", text)
    shown = float(text)
    assert abs(shown - p) <= 0.05 * p + 1e-12  # 2 significant digits at least
    for t in (0.1, 0.05, 0.01):
        assert (shown < t) == (p < t)


@pytest.mark.parametrize("p", [-0.01, 1.2, float("inf"), "0.3", True])
def test_pvalue_out_of_range_is_an_error_naming_it(p):
    with pytest.raises(ValueError, match=re.escape(repr(float(p) if isinstance(p, float) else p))):
        fmt_pvalue(p)


@pytest.mark.parametrize("f", [fmt_percent, fmt_points, fmt_count, fmt_number, fmt_pvalue,
                               fmt_date, method_words])
@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_missing_is_an_empty_cell(f, missing):
    assert f(missing) == ""


@pytest.mark.parametrize(("x", "text"), [(6.5, "6.50"), (6.5 - 6.6, "-0.100"), (175.2036, "175"),
                                         (0.0482, "0.0482"), (2.369663, "2.37"), (0.0, "0"),
                                         (1e-6, "0.00000100"), (123456789.0, "123456789")])
def test_numbers_three_significant_digits_no_exponent(x, text):
    assert fmt_number(x) == text


def test_intervals():
    assert fmt_interval(0.627203, 0.812906, "share") == "62.7% to 81.3%"
    assert fmt_interval(-0.179719, 0.083792, "points") == "-18.0 to +8.4 pp"
    assert fmt_interval(6.12, 6.88) == "6.12 to 6.88"
    assert fmt_interval(np.nan, 0.3, "share") == ""
    with pytest.raises(ValueError, match="'percent'"):
        fmt_interval(0.1, 0.2, "percent")


def test_dates_back_to_their_period():
    for year in (1999, 2012, 2013, 2024):
        for month in range(1, 13):
            v = date_value(f"{year}-{month:02d}", "month")
            assert fmt_date(v, "month") == f"{calendar.month_abbr[month]} {year}"
        for q in range(1, 5):
            v = date_value(f"{year}-{3 * q - 2:02d}", "quarter")
            assert fmt_date(v, "quarter") == f"Q{q} {year}"
        assert fmt_date(date_value(str(year), "year"), "year") == str(year)
    assert fmt_date(2013.042) == "Jan 2013"
    with pytest.raises(ValueError, match="'week'"):
        fmt_date(2013.5, "week")


# --- methods in words -------------------------------------------------------------------------

def _emitted_method_literals() -> set[str]:
    """Every string the package puts in a result's ``method``: dict entries and keyword
    arguments named method, ``row["method"] = ...``, and the constant parts of f-strings."""
    found: set[str] = set()

    def lits(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            return [v.value for v in node.values if isinstance(v, ast.Constant)]
        if isinstance(node, ast.IfExp):
            return lits(node.body) + lits(node.orelse)
        if isinstance(node, ast.BinOp):
            return lits(node.left) + lits(node.right)
        return []

    for path in SRC.rglob("*.py"):
        if path.name == "display.py":
            continue
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Dict):
                found.update(s for k, v in zip(n.keys, n.values, strict=True)
                             if isinstance(k, ast.Constant) and k.value == "method"
                             for s in lits(v))
            elif isinstance(n, ast.keyword) and n.arg == "method":
                found.update(lits(n.value))
            elif isinstance(n, ast.Assign):
                if any(isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant)
                       and t.slice.value == "method" for t in n.targets):
                    found.update(lits(n.value))
    return found


def _option_ids() -> set[str]:
    """The method options whose id a result carries as is (the registries of each module)."""
    from barotrend.compare import P_ADJUST_METHODS
    from barotrend.design.intervals import METHODS as DESIGN_INTERVALS
    from barotrend.design.quantiles import RULES
    from barotrend.design.replicate import KINDS, TYPES
    from barotrend.figures.differences import DIFFERENCE_METHODS
    from barotrend.figures.proportions import PROPORTION_METHODS

    return {*P_ADJUST_METHODS, *DESIGN_INTERVALS, *RULES, *KINDS, *TYPES, *DIFFERENCE_METHODS,
            *PROPORTION_METHODS, "taylor"}


def _id_parts(method: str) -> list[str]:
    parts = [p.strip(" ()") for p in method.split(",")]
    return [p for p in parts if ID.fullmatch(p)]


def test_every_method_id_the_package_emits_has_words():
    literals = _emitted_method_literals()
    assert {"newcombe", "tipping_point", "manski", "kish"} <= literals  # the scan finds them
    ids = {p for s in literals for p in _id_parts(s) if s.strip() == s} | _option_ids()
    ids -= {"", "Wald", "LRT"}  # words already (test names), never translated
    missing = sorted(i for i in ids if i not in METHOD_WORDS and (
        "_" in i or i.islower() or i.isupper() or re.search(r"\d", i)))
    assert missing == [], f"method ids without words in display.METHOD_WORDS: {missing}"
    for literal in literals:
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", method_words(literal)), literal


def test_method_words_of_composites_and_prose():
    assert method_words("newcombe") == "Newcombe score interval"
    assert method_words("holm") == "Holm-adjusted"
    assert method_words("beta, JK1") == "Korn-Graubard (beta) interval, jackknife (JK1) variance"
    assert method_words("svyolr logistic") == "survey-weighted ordinal regression (logistic)"
    prose = "paired difference of two items, z test (Wild & Seber 1993)"
    assert method_words(prose) == prose
    assert all(words and "_" not in words for words in METHOD_WORDS.values())
    assert set(METHOD_STATISTIC.values()) <= {"share", "mean", "count"}


def test_every_method_of_real_results_reads_as_words():
    t = bt.Tracker.from_dataset(bt.datasets.load())
    frames = [t.all_comparisons(), t.series("area_team_relationship"),
              t.series("budget_confidence"),
              bt.compare_means(mean_a=6.5, mean_b=7.2, n_a=85, n_b=94, scale=(1, 10))]
    frames += [bt.proportion_ci(n=85, percent=73, method=m) for m in
               ("wilson", "wilson_cc", "clopper_pearson", "jeffreys", "agresti_coull", "wald",
                "logit")]
    frames += [bt.compare_proportions(n_a=85, n_b=94, percent_a=73, percent_b=68, method=m)
               for m in ("newcombe", "newcombe_cc", "agresti_caffo", "wald")]
    methods = {m for f in frames for m in f["method"]}
    assert len(methods) >= 14
    for m in methods:
        words = method_words(m)
        assert words and not re.search(r"\b[a-z]+_[a-z_]+\b", words), (m, words)
        assert words != m or " " in m, m


# --- frames -------------------------------------------------------------------------------

def _mixed() -> pd.DataFrame:
    """A share, a difference of shares and a mean on 1-10, as the package stores them."""
    return result_frame([
        {"item": "a", "estimate": 0.73, "ci_low": 0.627203, "ci_high": 0.812906, "n": 85.0,
         "se": 0.048154, "method": "wilson"},
        {"item": "a", "estimate": -0.05, "estimate_a": 0.68, "estimate_b": 0.73,
         "difference": -0.05, "ci_low": -0.179719, "ci_high": 0.083792, "p_value": 0.464411,
         "p_adjusted": 2.63e-20, "method": "newcombe", "note": "W2: base not published"},
        {"item": "b", "estimate": 6.5, "n": 85.0, "method": "published mean (no interval)",
         "note": "SD not published", "scale": "1-10"},
    ])


def test_format_results_units_per_row():
    out = format_results(_mixed())
    assert out["estimate"].tolist() == ["73.0%", "-5.0 pp", "6.50"]
    assert out["CI"].tolist() == ["62.7% to 81.3%", "-18.0 to +8.4 pp", ""]
    assert out["estimate_a"].tolist() == ["", "68.0%", ""]
    assert out["n"].tolist() == ["85", "", "85"]
    assert out["se"].tolist() == ["4.82 pp", "", ""]
    assert out["p_value"].tolist() == ["", "0.46", ""]
    assert out["p_adjusted"].tolist() == ["", "<0.001", ""]
    assert out["method"].tolist() == ["Wilson score interval", "Newcombe score interval",
                                      "published mean (no interval)"]
    assert out["note"].tolist() == ["", "W2: base not published", "SD not published"]
    assert format_results(_mixed(), merge_ci=False)["ci_low"].tolist() == ["62.7%", "-18.0 pp",
                                                                          ""]


def test_what_is_a_share():
    r = _mixed()
    assert row_statistics(r) == ["share", "share", "mean"]
    # a frame's own flag wins over methods; a measure column over both
    assert row_statistics(r, shares=False) == ["", "", ""]
    flagged = r.assign(measure=["mean", "share", "count"])
    assert row_statistics(flagged, shares=True) == ["mean", "share", "count"]
    assert format_results(flagged)["estimate"].tolist() == ["0.730", "-5.0 pp", "6"]
    # the test statistic column is not a marker
    assert row_statistics(r.assign(statistic=[np.nan, -0.73, np.nan])) == ["share", "share",
                                                                            "mean"]
    # a mean on a 1-10 scale never shows as a percentage, whatever its method
    mean = pd.DataFrame({"estimate": [6.5], "method": ["taylor"], "scale": ["1-10"]})
    assert format_results(mean)["estimate"].tolist() == ["6.50"]
    assert format_results(pd.DataFrame({"estimate": [0.4]}))["estimate"].tolist() == ["0.400"]


def test_dates_in_frames_use_the_stated_precision():
    f = pd.DataFrame({"wave": ["W1", "W2", "W3", "W4"],
                      "wave_label": ["Oct 2012", "Jan 2013", "Q2 2013", "wave four"],
                      "date_value": [date_value("2012-10", "month"),
                                     date_value("2013-01", "month"),
                                     date_value("2013-04", "quarter"),
                                     date_value("2014", "year")]})
    assert format_results(f)["date"].tolist() == ["Oct 2012", "Jan 2013", "Q2 2013", "2014"]
    f["date_precision"] = ["month", "month", "month", "year"]
    assert format_results(f)["date"].tolist() == ["Oct 2012", "Jan 2013", "May 2013", "2014"]


def test_format_results_leaves_its_input_alone_and_refuses_bad_frames():
    r = _mixed()
    before = r.copy()
    format_results(r)
    pd.testing.assert_frame_equal(r, before)
    with pytest.raises(ValueError, match="list"):
        format_results([1, 2])
    with pytest.raises(ValueError, match=r"\['estimate'\] twice"):
        format_results(pd.DataFrame([[0.1, 0.2]], columns=["estimate", "estimate"]))


# --- Results in Jupyter -------------------------------------------------------------------------

def test_results_display_formats_while_values_keep_full_precision():
    r = _mixed()
    values = r.copy()
    html, text = r._repr_html_(), str(r)
    for shown in (html, text):
        assert "&lt;0.001" in shown or "<0.001" in shown
        assert "73.0%" in shown and "-5.0 pp" in shown and "62.7% to 81.3%" in shown
        assert "85.0" not in shown and "2.63e-20" not in shown and "NaN" not in shown
        assert "Wilson score interval" in shown and "newcombe" not in shown
    pd.testing.assert_frame_equal(pd.DataFrame(r), pd.DataFrame(values))
    assert r["p_adjusted"].iloc[1] == 2.63e-20 and r["estimate"].iloc[0] == 0.73
    assert r["n"].dtype == np.float64
    # repr is the DataFrame's own (full precision) for debugging and doctests
    assert "0.627203" in repr(r[["ci_low"]])


def test_results_display_drops_only_empty_columns_and_survives_odd_frames():
    r = result_frame([{"estimate": 0.5, "se": None, "method": "wilson"}], shares=True)
    assert "se" in r.columns and " se " not in str(r)
    assert "estimate" in r.formatted().columns and "se" in r.formatted().columns
    assert str(result_frame([])) == str(result_frame([]).formatted().to_string(index=False))
    dup = Results([[0.1, 0.2]], columns=["estimate", "estimate"])
    assert "0.1" in str(dup) and "0.1" in dup._repr_html_()


def test_ipython_text_display_is_the_formatted_one():
    class Printer:
        def __init__(self):
            self.out = ""

        def text(self, s):
            self.out += s

    p = Printer()
    _mixed()._repr_pretty_(p, False)
    assert "73.0%" in p.out and "<0.001" in p.out


def test_percent_decimals_and_pvalue_rule_are_the_documented_ones():
    # the module docstring promises these exact strings
    assert (fmt_percent(0.7304), fmt_points(-0.05), fmt_count(85.0), fmt_pvalue(2.63e-20)) == (
        "73.0%", "-5.0 pp", "85", "<0.001")
    assert math.isclose(float(fmt_pvalue(0.4644109)), 0.46)
