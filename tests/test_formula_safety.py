"""Column names and subset expressions are data, never code (issue 12 item 10).

A column name like ``__import__("os").system("touch PWNED")`` once ran when the microdata
report pasted it into a patsy formula (patsy evaluates formula terms as Python), and names with
a space or a dot (R's ``sch.wide``) broke. ``subset=`` went to ``DataFrame.eval`` whose python
engine reaches methods (``x.to_csv('f')`` wrote a file). Here every path that builds a model
or a selection is run with hostile names in a temporary working directory: no file may appear,
and every estimate must equal the one computed from the same data under plain names.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.design.expressions import evaluate
from barotrend.design.glm import glm, quote
from barotrend.simulate import simulate_barometer
from barotrend.tracker import Tracker

PAYLOAD = '__import__("os").system("touch PWNED")'
HOSTILE = [PAYLOAD, 'say "hi"', "back\\slash", "two words", "sch.wide", "new\nline",
           "it's", "a:b ~ c", ")"]
NUMERIC = ["estimate", "se", "ci_low", "ci_high", "statistic", "p_value", "difference"]


@pytest.fixture(scope="module")
def resp():
    r = simulate_barometer(seed=3).respondents
    return r[["unit", "wave", "gp", "budget_confidence"]].rename(
        columns={"budget_confidence": "y"})


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not list(tmp_path.glob("PWNED*")), "code ran from a column name or an expression"


def same_numbers(a: pd.DataFrame, b: pd.DataFrame):
    cols = [c for c in NUMERIC if c in a.columns]
    assert cols
    np.testing.assert_array_equal(a[cols].to_numpy(float), b[cols].to_numpy(float))


def roles(name):
    """A hostile name for each role (item, wave, group, cluster): distinct, all hostile."""
    return {"y": name, "wave": name + " w", "gp": name + " g", "unit": name + " u"}


@pytest.mark.parametrize("name", HOSTILE)
def test_stacked_tracker_with_hostile_names(resp, name):
    ren = roles(name)
    plain = Tracker.from_designs(Design(resp, cluster="unit"), "y", wave="wave", group="gp")
    evil = Tracker.from_designs(Design(resp.rename(columns=ren), cluster=ren["unit"]),
                                ren["y"], wave=ren["wave"], group=ren["gp"])
    y = ren["y"]
    same_numbers(plain.series("y"), evil.series(y))
    same_numbers(plain.series("y", group=True), evil.series(y, group=True))
    same_numbers(plain.changes(), evil.changes())
    same_numbers(plain.trend("y"), evil.trend(y))
    same_numbers(plain.compare_groups("y", True, False, "W2"),
                 evil.compare_groups(y, True, False, "W2"))
    g_plain = plain.gap_change("y", True, False, "W1", "W3")
    g_evil = evil.gap_change(y, True, False, "W1", "W3")
    same_numbers(g_plain, g_evil)
    assert np.isfinite(g_evil["se"][0]) and g_evil["se"][0] > 0


@pytest.mark.parametrize("name", [PAYLOAD, "sch.wide", "new\nline"])
def test_separate_designs_tracker_with_hostile_names(resp, name):
    ren = roles(name)
    plain = Tracker.from_designs({w: Design(g.reset_index(drop=True), cluster="unit")
                                  for w, g in resp.groupby("wave")}, "y", group="gp")
    r2 = resp.rename(columns=ren)
    evil = Tracker.from_designs({w: Design(g.reset_index(drop=True), cluster=ren["unit"])
                                 for w, g in r2.groupby(ren["wave"])}, ren["y"], group=ren["gp"])
    same_numbers(plain.changes(), evil.changes())
    same_numbers(plain.gap_change("y", True, False, "W1", "W3"),
                 evil.gap_change(ren["y"], True, False, "W1", "W3"))


@pytest.mark.parametrize("name", HOSTILE)
def test_glm_with_quoted_hostile_names(resp, name):
    ren = roles(name)
    plain = glm(Design(resp, cluster="unit"), "y ~ C(wave) + gp")
    evil = glm(Design(resp.rename(columns=ren), cluster=ren["unit"]),
               f"{quote(ren['y'])} ~ C({quote(ren['wave'])}) + {quote(ren['gp'])}")
    same_numbers(plain.table, evil.table)


@pytest.mark.parametrize("name", HOSTILE)
def test_compare_and_chisq_with_hostile_names(resp, name):
    ren = roles(name)
    d_plain = Design(resp, cluster="unit")
    d_evil = Design(resp.rename(columns=ren), cluster=ren["unit"])
    same_numbers(d_plain.compare("y", "gp", True, False),
                 d_evil.compare(ren["y"], ren["gp"], True, False))
    a = d_plain.chisq("wave", "gp")
    b = d_evil.chisq(ren["wave"], ren["gp"])
    np.testing.assert_array_equal(a.select_dtypes("number").to_numpy(float),
                                  b.select_dtypes("number").to_numpy(float))


# -- subset= expressions ---------------------------------------------------------------------------

@pytest.mark.parametrize("expr", [
    'y.to_csv("PWNED1")',
    '__import__("os").system("touch PWNED2")',
    '@__import__("os").system("touch PWNED3")',
    'open("PWNED4", "w")',
    "().__class__.__bases__[0].__subclasses__()",
    "(lambda: 1)()",
    "[c for c in y]",
    "y[0] > 1",
    "wave == 'W1' and y.to_csv('PWNED5') is None",
    "9 ** 9 ** 9 > 1",
    "'a' * 10 ** 8 == wave",
    "`y.to_csv('PWNED6')` > 1",
])
def test_subset_expressions_cannot_run_code(resp, expr):
    d = Design(resp, cluster="unit")
    with pytest.raises(ValueError, match=r"subset: .* is neither a column nor an expression"):
        d.glm("y ~ 1", subset=expr)


def test_subset_expression_equals_the_mask(resp):
    d = Design(resp.rename(columns={"wave": "wave.id", "y": "sch wide"}), cluster="unit")
    mask = (resp["wave"].isin(["W2", "W3"]) & (resp["y"] > 4)).to_numpy()
    by_mask = d.glm(f"{quote('sch wide')} ~ gp", subset=mask).table
    by_text = d.glm(f"{quote('sch wide')} ~ gp",
                    subset="`wave.id` in ('W2', 'W3') and `sch wide` > 4").table
    same_numbers(by_mask, by_text)


@pytest.mark.parametrize("expr, expected", [
    ("x > 1", [False, True, True, False]),
    ("1 < x <= 3", [False, True, True, False]),
    ("not (x > 1)", [True, False, False, True]),
    ("~(x > 1) | (s == 'b')", [True, True, False, True]),
    ("s in ['a', 'c'] or x == 0", [True, False, True, True]),
    ("s not in ('a',)", [False, True, True, True]),
    ("x * 2 - 1 >= 3 and flag", [False, False, True, False]),
    ("flag ^ (x % 2 == 0)", [False, True, True, True]),
    ("`two words` != -1", [True, True, False, True]),
    ("x / 2 == 1.5", [False, False, True, False]),
])
def test_expression_semantics(expr, expected):
    df = pd.DataFrame({"x": [1, 2, 3, 0], "s": ["a", "b", "c", "d"],
                       "flag": [False, False, True, False], "two words": [1, 2, -1, 4]})
    assert evaluate(df, expr).tolist() == expected


def test_expression_missing_values_fall_outside():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0], "s": pd.array(["a", None, "c"]),
                       "i": pd.array([1, None, 3], dtype="Int64"),
                       "c": pd.Categorical(["u", None, "v"])})
    assert evaluate(df, "x > 0").tolist() == [True, False, True]
    assert evaluate(df, "s == 'a' or x > 2").tolist() == [True, False, True]
    assert evaluate(df, "i >= 1").tolist() == [True, False, True]
    assert evaluate(df, "c in ['v'] or c == 'u'").tolist() == [True, False, True]


@pytest.mark.parametrize("expr, words", [
    ("nope > 1", "'nope' is not a column"),
    ("x.real > 1", "attribute access is not allowed"),
    ("abs(x) > 1", "a function call is not allowed: 'abs(x)'"),
    ("x > 1 and s", "a non-boolean operand"),
    ("s + 1 > 2", "arithmetic on column of dtype"),
    ("x ** 2 > 1", "the operator Pow is not allowed"),
    ("x in y", "'in' with anything but a list of constants"),
    ("`x > 1", "an unclosed backtick"),
    ("x >", "not an expression (SyntaxError"),
    ("x > 'a'", "cannot be evaluated over the columns (TypeError"),
    ("1 / 0 > x", "cannot be evaluated over the columns (ZeroDivisionError"),
    ("not " * 1000 + "x > 1", "nested too deeply"),
    ("not " * 100000 + "x > 1", "not an expression"),
])
def test_expression_errors_name_the_construct(expr, words):
    df = pd.DataFrame({"x": [1, 2], "s": ["a", "b"], "y": [0, 1]})
    with pytest.raises(ValueError) as err:
        evaluate(df, expr)
    assert words in str(err.value)


# -- the report, as a user runs it -----------------------------------------------------------------

def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "barotrend.cli", *args], cwd=cwd,
                          capture_output=True, text=True)


@pytest.mark.parametrize("names", [
    {"y": PAYLOAD, "wave": PAYLOAD.replace("PWNED", "PWNED_w"),
     "gp": PAYLOAD.replace("PWNED", "PWNED_g"), "unit": PAYLOAD.replace("PWNED", "PWNED_u")},
    {"y": "sch.wide", "wave": 'wave "id"', "gp": "back\\slash g", "unit": "new\nline u"},
])
def test_microdata_report_with_hostile_names(resp, in_tmp, names):
    resp.to_csv(in_tmp / "plain.csv", index=False)
    resp.rename(columns=names).to_csv(in_tmp / "evil.csv", index=False)
    ok = run("report", "--microdata", "plain.csv", "--wave", "wave", "--items", "y",
             "--cluster", "unit", "--group", "gp", "--out", "plain", "--quiet", cwd=in_tmp)
    assert ok.returncode == 0, ok.stderr
    res = run("report", "--microdata", "evil.csv", "--wave", names["wave"], "--items",
              names["y"], "--cluster", names["unit"], "--group", names["gp"], "--out", "evil",
              "--quiet", cwd=in_tmp)
    assert res.returncode == 0, res.stderr
    for table in ("series", "changes", "trends", "groups"):
        a = pd.read_csv(in_tmp / "plain" / f"{table}.csv")
        b = pd.read_csv(in_tmp / "evil" / f"{table}.csv")
        assert len(a) == len(b) > 0
        same_numbers(a, b)
        assert set(b["item"]) == {names["y"]}


def test_microdata_report_file_names_from_hostile_items(resp, in_tmp):
    # an item name becomes part of a figure's file name: a slash or '..' must not leave the
    # output folder nor fail; two different names must not share a file
    from barotrend.report.microdata import build_microdata_report

    names = {"y": "../../up/and/out", "gp": "g"}
    data = resp.rename(columns=names).assign(**{"..": resp["y"]})
    data.to_csv(in_tmp / "resp.csv", index=False)
    files = build_microdata_report(in_tmp / "resp.csv", wave="wave",
                                   items=["../../up/and/out", ".."], cluster="unit",
                                   out=in_tmp / "out")
    pngs = [p for k, p in files.items() if k.endswith(".png")]
    assert len(pngs) == 2 and len(set(pngs)) == 2
    for p in files.values():
        assert p.resolve().parent == (in_tmp / "out").resolve() and p.is_file()
    assert sorted(p.name for p in in_tmp.iterdir()) == ["out", "resp.csv"]
