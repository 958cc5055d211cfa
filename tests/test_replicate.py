"""Replicate designs against R's survey (as.svrepdesign, svrepdesign), and bootstrap properties.

Expected values: tests/reference/fixtures_design.json (make_fixtures_design.R). BRR/Fay pass the
Sylvester Hadamard matrix of order 8 as +1/-1 in both R (hadamard.matrix=) and barotrend
(hadamard=), recoded the same way; R's default matrix is pinned in tests/test_parity_r.py.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.design.replicate import sylvester

REF = Path(__file__).parent / "reference"
FX = json.loads((REF / "fixtures_design.json").read_text())
DATA = REF / "data"
RTOL = 1e-8


def _csv(name):
    return pd.read_csv(DATA / f"{name}.csv")


CLUS1 = Design(_csv("apiclus1"), weights="pw", cluster="dnum", fpc="fpc")
STRAT = Design(_csv("apistrat"), weights="pw", strata="stype", fpc="fpc")
TWO1 = Design(_csv("twostage"), weights="w", strata="stratum", cluster="psu", nest=True)
BRR = Design(_csv("brr"), weights="w", strata="stratum", cluster="psu")
BRRW = _csv("brr_repweights")
RW = [f"rw{i}" for i in range(1, 9)]
SYLV8 = sylvester(8)  # R: hadamard.matrix = sylv(8)


def _close(got, exp, what):
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(exp, float), rtol=RTOL,
                               atol=1e-13 * np.nanmax(np.abs(np.append(exp, 1.0))),
                               err_msg=what)


def check_case(name, d, y, by, num, den, nrep=True, by_order=None):
    info = FX[f"{name}_info"]
    assert d.df == info["df"][0], name
    _close(d.scale, info["scale"], name + " scale")
    if nrep:
        assert d.replicate_weights.shape[1] == info["nrep"][0]
        _close(np.sort(d.rscales), np.sort(info["rscales"]), name + " rscales")
    for res, key, cols in ((d.mean(y), "mean", ("estimate", "se", "deff")),
                           (d.total(y), "total", ("estimate", "se")),
                           (d.ratio(num, den), "ratio", ("estimate", "se")),
                           (d.mean(y, by=by).iloc[by_order or slice(None)], "by_mean",
                            ("estimate", "se", "deff"))):
        fx = FX[f"{name}_{key}"]
        for c in cols:
            _close(res[c], fx[c], f"{name}_{key} {c}")


def test_jk1_with_fpc():
    check_case("jk1_clus1", CLUS1.replicate("JK1"), "api00", "stype", "api00", "api99")


def test_jk1_mse():
    check_case("jk1_clus1_mse", CLUS1.replicate("JK1", mse=True), "api00", "stype", "api00",
               "api99")


def test_jkn_with_fpc():
    check_case("jkn_strat", STRAT.replicate("JKn"), "api00", "stype", "api00", "api99")


def test_jkn_nested_clusters():
    # R's svyby puts the missing-'dom' group "NA" first; barotrend lists it last
    check_case("jkn_two1", TWO1.replicate("JKn"), "x", "dom", "x", "bin", by_order=[3, 0, 1, 2])


def test_brr_sylvester():
    check_case("brr", BRR.replicate("BRR", hadamard=SYLV8), "y", "cat", "y", "x")


def test_fay():
    d = BRR.replicate("BRR", fay_rho=0.3, hadamard=SYLV8)
    assert d.replicate_kind == "Fay"
    check_case("fay", d, "y", "cat", "y", "x")


def test_brr_weights_equal_r():
    d = BRR.replicate("BRR", hadamard=SYLV8)
    _close(d.replicate_weights, BRRW[RW].to_numpy(), "BRR analysis weights")


def test_supplied_brr_weights():
    d = Design.from_replicate_weights(BRRW, "rw[0-9]+", weights="w", type="BRR")
    check_case("given_brr", d, "y", "cat", "y", "x")
    d2 = Design.from_replicate_weights(BRRW, RW, weights="w", type="BRR")
    _close(d2.mean("y")["se"], FX["given_brr_mean"]["se"], "column list")


def test_supplied_other_with_rscales_and_mse():
    d = Design.from_replicate_weights(BRRW, RW, weights="w", type="other", scale=0.3,
                                      rscales=np.linspace(0.5, 1.2, 8), mse=True)
    check_case("given_jk1_mse", d, "y", "cat", "y", "x")


def test_supplied_factor_weights_equal_combined():
    f = BRRW[RW].to_numpy() / BRRW["w"].to_numpy()[:, None]
    df = BRRW.drop(columns=RW).assign(**{c: f[:, i] for i, c in enumerate(RW)})
    d = Design.from_replicate_weights(df, RW, weights="w", type="BRR", combined_weights=False)
    _close(d.mean("y")["se"], FX["given_brr_mean"]["se"], "factor weights")


def test_mismatched_replicate_weights():
    bad = BRRW.copy()
    bad.loc[3, "rw2"] = np.nan
    with pytest.raises(ValueError, match="'rw2' has an invalid value nan"):
        Design.from_replicate_weights(bad, RW, weights="w", type="BRR")
    with pytest.raises(ValueError, match="rscales: expected 8 values"):
        Design.from_replicate_weights(BRRW, RW, weights="w", type="other", rscales=[1, 2])
    with pytest.raises(ValueError, match="'rw99' is not in the data"):
        Design.from_replicate_weights(BRRW, ["rw1", "rw99"], weights="w")
    with pytest.raises(ValueError, match="scale"):
        Design.from_replicate_weights(BRRW, RW, weights="w", type="BRR", scale=0.5)
    with pytest.raises(ValueError, match="rscales: type='JKn'"):
        Design.from_replicate_weights(BRRW, RW, weights="w", type="JKn")


def test_replicate_options_are_checked():
    with pytest.raises(ValueError, match="fay_rho: not used by kind='JKn'"):
        STRAT.replicate("JKn", fay_rho=0.5)
    with pytest.raises(ValueError, match="JK1"):
        STRAT.replicate("JK1")
    with pytest.raises(ValueError, match="exactly 2 PSUs"):
        TWO1.replicate("BRR")
    with pytest.raises(ValueError, match="kind"):
        STRAT.replicate("jackknife")


def test_bootstrap_seeded_and_close_to_taylor():
    a = TWO1.replicate("bootstrap", replicates=400, seed=7)
    b = TWO1.replicate("bootstrap", replicates=400, seed=7)
    np.testing.assert_array_equal(a.replicate_weights, b.replicate_weights)
    c = TWO1.replicate("bootstrap", replicates=400, seed=8)
    assert not np.array_equal(a.replicate_weights, c.replicate_weights)
    # Rao-Wu with m = n-1 is unbiased for the with-replacement variance of a linear statistic:
    # the mean replicate factor per PSU is 1, and the SE of a total agrees with Taylor within
    # Monte-Carlo error (400 replicates: relative SE of an SE ~ 1/sqrt(2*400) = 3.5%).
    taylor = TWO1.total("x")["se"].iloc[0]
    boot = a.total("x")["se"].iloc[0]
    assert abs(boot / taylor - 1) < 0.15
    fac = a.replicate_weights / a.weights[:, None]
    assert abs(fac.mean() - 1) < 0.02


def test_replicate_design_is_immutable_and_replace():
    d = BRR.replicate("BRR", hadamard=SYLV8)
    with pytest.raises(AttributeError):
        d.scale = 2
    d2 = d._replace(replicate_weights=d.replicate_weights * 2, weights=d.weights * 2)
    _close(d2.mean("y")["se"], FX["brr_mean"]["se"], "scaled weights keep the mean's SE")
    assert d.replicate_weights is not d2.replicate_weights


def test_all_nan_replicates_warn():
    d = BRR.replicate("BRR")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d.mean("y")  # no warning in the ordinary case


@pytest.mark.parametrize("name,design,kind", [("jk1_clus1", CLUS1, "JK1"),
                                              ("jkn_strat", STRAT, "JKn")])
@pytest.mark.parametrize("method", ["logit", "xlogit", "beta", "mean"])
def test_replicate_proportion_intervals_match_svyciprop(name, design, kind, method):
    """svyciprop on replicate designs: logit uses the replicate SE of logit(p); domains use
    degf of the subset design (rank of its replicate weights minus one)."""
    d = design.replicate(kind)
    yes = d.proportion("sch.wide", method=method)
    yes = yes[yes["category"] == "Yes"]
    _close(yes[["ci_low", "ci_high"]].to_numpy()[0], FX[f"{name}_ciprop_{method}"]["ci"],
           f"{name} {method}")
    by = d.proportion("sch.wide", by="stype", method=method)
    by = by[by["category"] == "Yes"]
    _close(by["df"], FX[f"{name}_by_stype_degf"]["df"], "domain df")
    fx = FX[f"{name}_by_stype_ciprop_{method}"]
    # R's logit refits svyglm by IRLS on each replicate (convergence epsilon 1e-8), so its
    # replicate logits carry ~1e-9 error: 1e-7 relative there, 1e-8 elsewhere
    rtol = 1e-7 if method == "logit" else RTOL
    # barotrend clips the Wald ("mean") interval of a share to [0, 1]; R does not
    low, high = (np.clip(fx[k], 0, 1) if method == "mean" else fx[k] for k in ("low", "high"))
    np.testing.assert_allclose(by["ci_low"], low, rtol=rtol)
    np.testing.assert_allclose(by["ci_high"], high, rtol=rtol)


def test_calibrated_design_is_not_silently_converted():
    cal = STRAT._replace(score_adjusters=(lambda s: s,))
    with pytest.raises(ValueError, match="cannot be converted"):
        cal.replicate("JKn")


def test_logit_interval_when_a_replicate_share_hits_0_or_1():
    # regression: this raised "se_logit: invalid value nan". Rows with a missing dom form the
    # "NA" domain. Other (dom, cat) domains hold one category only (shares exactly 0 or 1, so
    # some replicate logits are infinite there, and some replicates have no row of them): those
    # replicates are theirs, not the NA domain's, whose replicate shares are all inside (0, 1).
    # R's svyby drops NA replicates per domain, so the NA domain keeps R's logit interval
    # (pinned in tests/test_replicate_domains.py); the shares of exactly 0 or 1 get none.
    rep = TWO1.replicate("JKn")
    with pytest.warns(UserWarning, match="replicates gave NaN results"):
        r = rep.proportion("cat", by=["dom", "cat"])
    na = r[r["group"] == "NA"]
    assert len(na) == 3 and na["estimate"].between(0, 1).all()
    assert na["ci_low"].notna().all() and na["ci_high"].notna().all()
    pure = r[r["group"] != "NA"]
    assert ((pure["estimate"] == 0) | (pure["estimate"] > 1 - 1e-12)).all()
    assert pure["ci_low"].isna().all()
    with pytest.warns(UserWarning, match="replicates gave NaN results"):
        beta = rep.proportion("cat", by=["dom", "cat"], method="beta")
    assert beta.loc[beta["group"] == "NA", "ci_low"].notna().all()
