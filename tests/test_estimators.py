"""Estimators (mean, total, ratio, proportion, domains) against R's survey package.

Expected values: tests/reference/fixtures_design.json, written by
tests/reference/make_fixtures_design.R (R survey: svymean, svytotal, svyratio, svyby with
deff="replace", degf, confint(df=degf)). Agreement to 1e-8 relative.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design

REF = Path(__file__).parent / "reference"
FX = json.loads((REF / "fixtures_design.json").read_text())
DATA = REF / "data"
RTOL = 1e-8


def _csv(name):
    return pd.read_csv(DATA / f"{name}.csv")


def api_designs():
    srs, strat = _csv("apisrs"), _csv("apistrat")
    clus1, clus2 = _csv("apiclus1"), _csv("apiclus2")
    return {
        "srs": Design(srs, fpc="fpc"),
        "srs_wr": Design(srs, weights="pw"),
        "strat": Design(strat, weights="pw", strata="stype", fpc="fpc"),
        "clus1": Design(clus1, weights="pw", cluster="dnum", fpc="fpc"),
        "clus2": Design(clus2, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"]),
        "clus2_w": Design(clus2, weights="pw", cluster=["dnum", "snum"]),
    }


def two_designs():
    two = _csv("twostage")
    return {
        "two": Design(two, weights="w", strata="stratum", cluster=["psu", "ssu"],
                      fpc=["fpc1", "fpc2"], nest=True),
        "two1": Design(two, weights="w", strata="stratum", cluster="psu", nest=True),
    }


API = api_designs()
TWO = two_designs()


def check(result, name, cols=("estimate", "se", "deff", "df"), order=None):
    fx = FX[name]
    if order is not None:
        result = result.iloc[order]
    for c in cols:
        if c not in fx:
            # R reports no deff for ratios and no df for svyby tables; the estimate and its SE
            # are always in the fixture, so a missing one is an error, not a silent pass
            assert c in ("deff", "df"), f"{name}: fixture has no {c!r}"
            continue
        exp = np.asarray(fx[c], dtype=float)
        got = result[c].to_numpy(dtype=float)
        if c == "deff":  # R's deff of a zero-variance estimate is 0/0 rounding noise
            keep = np.asarray(fx["se"], dtype=float) > 1e-12
            exp, got = exp[keep], got[keep]
        if len(exp) == 1 and len(got) > 1:
            exp = np.repeat(exp, len(got))
        # structural zeros (e.g. the SE of a stratum share) come out as ~1e-17
        atol = 1e-13 * np.nanmax(np.abs(np.append(exp, 1.0)))
        np.testing.assert_allclose(got, exp, rtol=RTOL, atol=atol, err_msg=f"{name}: {c}")


@pytest.mark.parametrize("nm", list(API))
def test_api_mean_total_ratio(nm):
    d = API[nm]
    assert d.df == FX[f"{nm}_info"]["df"][0]
    np.testing.assert_allclose(d.weights, FX[f"{nm}_info"]["weights"], rtol=RTOL)
    check(d.mean("api00"), f"{nm}_mean_api00")
    check(d.total("enroll", na_rm=True), f"{nm}_total_enroll")
    check(d.ratio("api00", "api99"), f"{nm}_ratio", ("estimate", "se"))


@pytest.mark.parametrize("nm", list(API))
def test_api_proportion_and_domains(nm):
    d = API[nm]
    check(d.proportion("stype"), f"{nm}_prop_stype")
    check(d.mean("api00", by="stype"), f"{nm}_by_stype_mean_api00")
    check(d.total("api00", by="stype"), f"{nm}_by_stype_total_api00")
    check(d.ratio("api00", "api99", by="stype"), f"{nm}_by_stype_ratio", ("estimate", "se"))
    yes = d.proportion("sch.wide", by="awards")
    check(yes[yes["category"] == "Yes"], f"{nm}_by_awards_prop_sch")


@pytest.mark.parametrize("nm", list(API))
def test_api_t_interval(nm):
    r = API[nm].mean("api00")
    np.testing.assert_allclose(r[["ci_low", "ci_high"]].to_numpy()[0],
                               FX[f"{nm}_confint_api00"]["ci"], rtol=RTOL)


def test_na_rm_as_r():
    check(API["clus2"].mean("enroll", na_rm=True), "clus2_mean_enroll_narm")
    check(API["clus1"].mean("avg.ed", na_rm=True), "clus1_mean_avged_narm")
    # R returns NA without na.rm
    assert FX["clus2_mean_enroll_na"]["estimate"] == [None]
    r = API["clus2"].mean("enroll")
    assert np.isnan(r["estimate"].iloc[0]) and np.isnan(r["se"].iloc[0])
    check(API["clus2"].mean("enroll", by="stype", na_rm=True), "clus2_by_stype_mean_enroll_narm")


@pytest.mark.parametrize("nm", ["two", "two1"])
def test_two_stage_nested(nm):
    d = TWO[nm]
    assert d.df == FX[f"{nm}_info"]["df"][0]
    check(d.mean("y", na_rm=True), f"{nm}_mean_y_narm")
    check(d.total("x"), f"{nm}_total_x")
    check(d.ratio("y", "x", na_rm=True), f"{nm}_ratio_y_x_narm", ("estimate", "se"))
    check(d.proportion("cat"), f"{nm}_prop_cat")
    check(d.mean("bin"), f"{nm}_mean_bin")
    # R's svyby keeps missing 'dom' as a group "NA", sorted first (C collation); ours is last
    na_first = [3, 0, 1, 2]
    check(d.mean("x", by="dom"), f"{nm}_by_dom_mean_x", order=na_first)
    check(d.mean("y", by="dom", na_rm=True), f"{nm}_by_dom_mean_y_narm", order=na_first)
    # svyby(~factor(cat), ~dom) fixture is category-major (a, b, c) over R's domain order
    order = [((dr - 1) % 4) * 3 + c for c in range(3) for dr in range(4)]
    check(d.proportion("cat", by="dom"), f"{nm}_by_dom_prop_cat", order=order)


def test_domain_covariance_from_vcov():
    """svyby(..., covmat=TRUE): covariance of domain means via zeroed influence values."""
    d = TWO["two"]
    w, x = d.weights, d.data["x"].to_numpy()
    z = []
    doms = d.domains("dom", include_missing=True)
    for _, m in doms[-1:] + doms[:-1]:  # R's order: NA first
        wd = (w * m).sum()
        z.append(np.where(m, x - (w * m * x).sum() / wd, 0) / wd)
    v = d.vcov(None, np.column_stack(z))
    np.testing.assert_allclose(v.ravel(order="F"), FX["two_by_dom_mean_x_vcov"]["vcov"],
                               rtol=RTOL)


def test_proportion_output_and_interval_method():
    r = TWO["two"].proportion("cat", method="mean")
    assert list(r["category"]) == ["a", "b", "c"]
    np.testing.assert_allclose(r["estimate"].sum(), 1.0)
    # Wald: p -+ t_df se (by hand from the row itself, scipy t quantile)
    from scipy import stats
    q = stats.t.ppf(0.975, r["df"])
    np.testing.assert_allclose(r["ci_low"], r["estimate"] - q * r["se"])
    np.testing.assert_allclose(r["n_eff"], r["n"] / r["deff"])
    with pytest.raises(ValueError, match="method"):
        TWO["two"].proportion("cat", method="exact")


def test_bad_inputs():
    d = TWO["two"]
    with pytest.raises(ValueError, match="'cat' holds text: 'c' at row 0 is not a number"):
        d.mean("cat")
    with pytest.raises(ValueError, match="'nope' is not in the data"):
        d.mean("nope")
    with pytest.raises(ValueError, match="'west' does not occur in column 'dom'"):
        d.domain_mask("dom", "west")
    with pytest.raises(ValueError, match="by"):
        d.mean("x", by="nope")


def test_multi_column_domains_equal_combined_column():
    d = TWO["two"]
    both = d.data.assign(key=d.data["dom"].fillna("zz") + "|" + d.data["cat"])
    d2 = Design(both, weights="w", strata="stratum", cluster=["psu", "ssu"],
                fpc=["fpc1", "fpc2"], nest=True)
    a = d.mean("x", by=["dom", "cat"])
    b = d2.mean("x", by="key")
    # same cells in the same (sorted) order; the NA group of the pair comes last in a
    a_known = a[a["group"] != "NA"]
    b_known = b[~b["group"].str.startswith("zz")]
    np.testing.assert_allclose(a_known["se"], b_known["se"], rtol=1e-12)
    assert list(a_known["group"])[:2] == ["dom=east, cat=a", "dom=east, cat=b"]
    assert list(a_known["dom"])[0] == "east" and list(a_known["cat"])[0] == "a"


def test_boolean_proportion_equals_mean_of_indicator():
    d = TWO["two"]
    dd = Design(d.data.assign(flag=d.data["bin"] == 1), weights="w", strata="stratum",
                cluster=["psu", "ssu"], fpc=["fpc1", "fpc2"], nest=True)
    p = dd.proportion("flag")
    assert list(p["category"]) == [False, True]
    check(p.iloc[[1]], "two_mean_bin")


@pytest.mark.parametrize("nm", ["strat", "clus1", "clus2"])
@pytest.mark.parametrize("method", ["logit", "beta", "mean", "asin", "xlogit"])
def test_proportion_intervals_match_svyciprop(nm, method):
    """Design.proportion passes the design (domain) df and n to the interval methods exactly as
    R's svyciprop does, overall and within svyby domains (subset designs)."""
    d = API[nm]
    yes = d.proportion("sch.wide", method=method)
    yes = yes[yes["category"] == "Yes"]
    np.testing.assert_allclose(yes[["ci_low", "ci_high"]].to_numpy()[0],
                               FX[f"{nm}_ciprop_{method}"]["ci"], rtol=RTOL)
    by = d.proportion("sch.wide", by="stype", method=method)
    by = by[by["category"] == "Yes"]
    fx = FX[f"{nm}_by_stype_ciprop_{method}"]
    # barotrend clips the Wald ("mean") interval of a share to [0, 1]; R does not
    low, high = (np.clip(fx[k], 0, 1) if method == "mean" else fx[k] for k in ("low", "high"))
    np.testing.assert_allclose(by["ci_low"], low, rtol=RTOL)
    np.testing.assert_allclose(by["ci_high"], high, rtol=RTOL)


MEMO_BYS = [None, "dom", "cat", "bin", ["dom", "cat"]]
MEMO_CALLS = [("mean", ("x",), {}), ("mean", ("y",), {}), ("mean", ("y",), {"na_rm": True}),
              ("total", ("y",), {"na_rm": True}), ("ratio", ("y", "x"), {"na_rm": True}),
              ("proportion", ("bin",), {})]


def _memo_run(design):
    return [getattr(design, f)(*args, by=by, **kw)
            for by in MEMO_BYS for f, args, kw in MEMO_CALLS]


def _memo_variants(base):
    """The base design, a post-stratified one (score adjusters: row-level path), one with zero
    weights on every 7th row (Taylor path, not every weight positive) and a JKn replicate."""
    w = base.weights.copy()
    w[::7] = 0.0
    return {"base": base,
            "post": base.poststratify("cat", {"a": 300.0, "b": 300.0, "c": 400.0}),
            "zero_w": base._replace(weights=w),
            "jkn": base.replicate("JKn")}


@pytest.mark.filterwarnings("ignore:.*replicates gave NaN results")
def test_memoised_domains_give_first_call_results():
    """Design._memo keeps the domain codes, row counts, (unit x domain) codes of each ``by``
    spec and the all-weights-positive flag. Warm calls (memo filled, also on designs derived
    from a base whose memo was already filled, so the derived designs start from a copy of it)
    must give exactly the first call on freshly built designs: by a string column with missing
    values (the "NA" domain), a second string column, an integer column (counting path), two
    columns, and with missing values in the variable (NaN estimate; na_rm)."""
    def build():
        return Design(_csv("twostage"), weights="w", strata="stratum", cluster=["psu", "ssu"],
                      fpc=["fpc1", "fpc2"], nest=True)

    fresh = {nm: _memo_run(d) for nm, d in _memo_variants(build()).items()}  # first calls
    base = build()
    _memo_run(base)  # fills the base's memo before the other designs are derived from it
    assert ("by", "dom") in base._memo_entries and ("by", ("dom", "cat")) in base._memo_entries
    for nm, d in _memo_variants(base).items():
        for _ in range(2):  # the first call may still fill entries; the second is all warm
            for got, exp in zip(_memo_run(d), fresh[nm], strict=True):
                pd.testing.assert_frame_equal(got, exp, check_exact=True)
    # a stale all-weights-positive flag would count the zero-weight rows: n counts the rows
    # with non-zero weight (R's nrow of the subset of w > 0)
    zero = _memo_variants(base)["zero_w"]
    n_nonzero = float((zero.weights != 0).sum())
    assert zero.mean("x")["n"].iloc[0] == n_nonzero < base.mean("x")["n"].iloc[0]
    assert zero.mean("x", by="bin")["n"].sum() == n_nonzero


@pytest.mark.parametrize("name", ["item", "group", "n", "method", "estimate", "se", "deff",
                                  "category", "note"])
def test_by_column_named_like_a_result_column_is_kept_apart(name):
    # issue 12 item 8: a by= column named like a result column was overwritten by (or
    # overwrote) the result's own column; it is now returned as by_<name>, with a warning
    df = pd.DataFrame({"y": [1.0, 2, 3, 5], name: ["a", "a", "b", "b"], "q": list("xyxx")})
    d = Design(df)
    with pytest.warns(UserWarning, match=f"column '{name}' is returned as 'by_{name}'"):
        r = d.mean("y", by=name)
    assert r["by_" + name].tolist() == ["a", "b"]
    assert r["group"].tolist() == ["a", "b"]
    assert r["item"].tolist() == ["y", "y"]
    assert r["estimate"].tolist() == [1.5, 4.0] and r["n"].tolist() == [2.0, 2.0]
    assert r["method"].tolist() == ["taylor", "taylor"]
    with pytest.warns(UserWarning, match=f"'by_{name}'"):
        p = d.proportion("q", by=name, method="mean")
    assert p["by_" + name].tolist() == ["a", "a", "b", "b"]
    assert p["category"].tolist() == ["x", "y", "x", "y"]
    assert p["estimate"].tolist() == [0.5, 0.5, 1.0, 0.0]


def test_by_column_wave_keeps_its_name():
    # 'wave' (and 'survey') mean the same thing in the schema: no rename, no warning
    import warnings

    df = pd.DataFrame({"y": [1.0, 2, 3, 5], "wave": ["W1", "W1", "W2", "W2"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = Design(df).mean("y", by="wave")
    assert r["wave"].tolist() == ["W1", "W2"]
