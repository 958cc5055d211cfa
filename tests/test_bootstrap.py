"""Subbootstrap and mirror-match (mrb) bootstrap replicates (issue 15 item 2).

(a) The variance formula on R's own replicates: as.svrepdesign(type="subbootstrap" /
"mrbbootstrap") weights exported by tests/reference/make_fixtures_pps.R (R's RNG cannot be
reproduced), rebuilt with Design.from_replicate_weights, SEs at 1e-8.
(b) barotrend's own generators: the replicate variance of a total is unbiased for the linearised
variance (algebra in barotrend.design.bootstrap), checked with many replicates against a
Monte Carlo tolerance taken from the replicates themselves.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design

REF = Path(__file__).parent / "reference"
FX = json.loads((REF / "fixtures_pps.json").read_text())
DATA = REF / "data"
AST = pd.read_csv(DATA / "apistrat.csv")


def _with_replicates(kind):
    rw = pd.read_csv(DATA / f"apistrat_{kind}.csv")
    return pd.concat([AST, rw.add_prefix("rep_")], axis=1), "^rep_X"


def _close(res, fx, what):
    for col in ("estimate", "se"):
        np.testing.assert_allclose(res[col].to_numpy(float), np.asarray(fx[col], float),
                                   rtol=1e-8, err_msg=f"{what} {col}")


@pytest.mark.parametrize("kind", ["subbootstrap", "mrbbootstrap"])
@pytest.mark.parametrize("given", ["type", "bootstrap with R's constants"])
def test_r_replicates_give_r_standard_errors(kind, given):
    data, rw = _with_replicates(kind)
    info = FX[f"{kind}_info"]
    if given == "type":
        d = Design.from_replicate_weights(data, rw, weights="pw", type=kind)
    else:
        d = Design.from_replicate_weights(data, rw, weights="pw", type="bootstrap",
                                          scale=info["scale"][0], rscales=info["rscales"])
    for v in ("api00", "enroll"):
        _close(d.mean(v), FX[f"{kind}_mean_{v}"], f"{kind} mean {v}")
        _close(d.total(v), FX[f"{kind}_total_{v}"], f"{kind} total {v}")
    _close(d.mean("api00", by="stype"), FX[f"{kind}_bymean_api00"], f"{kind} by stype")


@pytest.mark.parametrize("kind,fpc", [("subbootstrap", None), ("mrbbootstrap", "half")])
def test_own_bootstrap_variance_converges_to_linearised(kind, fpc):
    # E[v_boot] = V_lin exactly for a total (module docstring of barotrend.design.bootstrap):
    # subbootstrap ignores the fpc (with-replacement V_lin), mrb uses it (here a sampling
    # fraction of 1/2 in every stratum, so a generator ignoring it would be 2x off).
    # v_boot = mean of the R = 2000 terms u_r = R * scale * rscale_r * (t_r - tbar)^2, so its
    # Monte Carlo SE is sd(u_r)/sqrt(R) (3-4% of V here); |v_boot - V_lin| < 4 MC SEs fails by
    # chance with probability ~6e-5 (fixed seed: deterministic).
    R = 2000
    data = AST.assign(half=0.5)
    lin = Design(data, strata="stype", fpc=fpc)
    boot = lin.replicate(kind, replicates=R, seed=20261129)
    v_lin = lin.total("enroll")["se"].iloc[0] ** 2
    v_boot = boot.total("enroll")["se"].iloc[0] ** 2
    y = AST["enroll"].to_numpy(float)
    t = (boot.replicate_weights * y[:, None]).sum(axis=0)
    u = R * boot.scale * boot.rscales * (t - t.mean()) ** 2  # v_boot = mean(u)
    mc_se = u.std(ddof=1) / np.sqrt(R)
    assert v_boot == pytest.approx(u.mean(), rel=1e-9)
    assert abs(v_boot - v_lin) < 4 * mc_se, (v_boot, v_lin, mc_se)
    assert mc_se < 0.05 * v_lin


def test_bootstrap_kinds_errors():
    d = Design(AST, strata="stype")
    with pytest.raises(ValueError, match="replicates: expected an integer >= 2"):
        d.replicate("subbootstrap", replicates=1)
    with pytest.raises(ValueError, match="takes only replicates="):
        d.replicate("mrbbootstrap", fay_rho=0.5)
    lonely = AST.assign(s=np.where(np.arange(len(AST)) == 0, "alone", AST["stype"]))
    with pytest.raises(ValueError, match="'alone' has only one PSU"):
        Design(lonely, strata="s", lonely_psu="remove").replicate("subbootstrap")
    data, rw = _with_replicates("mrbbootstrap")
    with pytest.raises(ValueError, match="rscales: expected 50 values"):
        Design.from_replicate_weights(data, rw, weights="pw", type="mrbbootstrap",
                                      rscales=np.ones(49))


def test_same_seed_same_replicates():
    d = Design(AST, strata="stype", fpc="fpc")
    a = d.replicate("mrbbootstrap", replicates=20, seed=3).replicate_weights
    b = d.replicate("mrbbootstrap", replicates=20, seed=3).replicate_weights
    assert np.array_equal(a, b)


@pytest.mark.parametrize("kind", ["subbootstrap", "mrbbootstrap"])
def test_own_factors_take_r_values(kind):
    # R's draws cannot be reproduced, but the values a factor can take can: in each stratum
    # mrb factors are 1 - lambda or 1 - lambda + lambda n/n* (n* of n PSUs get the second),
    # subbootstrap factors are multiples of n/(n-1) summing to n; R's exported factors and
    # ours take the same values (lambda, n* and n/(n-1) pinned to R)
    data, cols = _with_replicates(kind)
    r_fac = data.filter(regex=cols).to_numpy() / AST["pw"].to_numpy()[:, None]
    ours = Design(AST, strata="stype", fpc="fpc").replicate(kind, replicates=50, seed=5)
    o_fac = ours.replicate_weights / AST["pw"].to_numpy()[:, None]
    for s in AST["stype"].unique():
        rows = (AST["stype"] == s).to_numpy()
        n = int(rows.sum())
        for fac in (r_fac[rows], o_fac[rows]):
            if kind == "mrbbootstrap":
                lo, hi = o_fac[rows].min(), o_fac[rows].max()
                np.testing.assert_allclose([fac.min(), fac.max()], [lo, hi], rtol=1e-8)
                is_hi = np.abs(fac - hi) < 1e-9 * hi
                assert (is_hi | (np.abs(fac - lo) < 1e-9 * hi)).all()  # two values only
                assert (is_hi.sum(axis=0) == n // 2).all()
            else:
                k = fac / (n / (n - 1))
                np.testing.assert_allclose(k, np.round(k), atol=1e-6)
                np.testing.assert_allclose(fac.sum(axis=0), n, rtol=1e-6)
