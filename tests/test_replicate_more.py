"""Replicate types JK2, ACS and successive-difference (issue 15), against R's survey 4.1.1.

Expected values: tests/reference/fixtures_replicate_more.json, written by
tests/reference/make_fixtures_replicate_more.R. R 4.1.1's as.svrepdesign builds none of the
three from a design (the fixture records its match.arg refusal and its accepted types), so
barotrend refuses them in Design.replicate too; from supplied weights (svrepdesign) every value
R computes in closed form is compared at 1e-8 relative: constants, replicate estimates, the SEs of
a mean, a total and a domain mean, with and without mse.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.design.replicate_more import WEIGHTS_ONLY, refuse_weights_only

REF = Path(__file__).parent / "reference"
FX = json.loads((REF / "fixtures_replicate_more.json").read_text())
DATA = REF / "data"
RTOL = 1e-8
BRRW = pd.read_csv(DATA / "brr_repweights.csv")
RW = [f"rw{r}" for r in range(1, 9)]


def _close(got, exp, what):
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(exp, float), rtol=RTOL,
                               atol=0, err_msg=what)


def test_fixture_records_r_refusing_the_three_types_from_a_design():
    fx = FX["refusal"]
    assert FX["version"]["survey"] == "4.1.1"
    assert fx["type"] == list(WEIGHTS_ONLY)
    for m in fx["stratified"] + fx["unstratified"]:
        assert m.startswith("'arg' should be one of")
    assert not set(WEIGHTS_ONLY) & set(fx["accepted"])
    assert set(WEIGHTS_ONLY) <= set(fx["svrepdesign_types"])


@pytest.mark.parametrize("kind", WEIGHTS_ONLY)
@pytest.mark.parametrize("design", ["stratified", "clustered"])
def test_replicate_refuses_as_r(kind, design):
    if design == "stratified":
        d = Design(pd.read_csv(DATA / "apistrat.csv"), strata="stype", weights="pw")
    else:
        d = Design(pd.read_csv(DATA / "apiclus1.csv"), cluster="dnum", weights="pw")
    msg = (f"kind: '{kind}' replicates are not built from a design .*as.svrepdesign refuses "
           f".*type='{kind}'")
    with pytest.raises(ValueError, match=msg):
        d.replicate(kind)


def test_refuse_helper_rejects_other_kinds():
    with pytest.raises(ValueError, match="kind: 'JKn' is not one of"):
        refuse_weights_only("JKn")


@pytest.mark.parametrize("kind", WEIGHTS_ONLY)
def test_supplied_weights_match_r(kind):
    fx = FX[kind.replace("-", "_")]
    frame = BRRW.copy()
    d = Design.from_replicate_weights(frame, "rw[0-9]+", weights="w", type=kind)
    pd.testing.assert_frame_equal(frame, BRRW)  # the user's frame is not mutated
    _close(d.scale, fx["scale"], f"{kind} scale")
    _close(d.rscales, fx["rscales"], f"{kind} rscales")
    assert d.df == fx["df"][0]
    # replicate weights are the supplied columns; replicate means as R's return.replicates
    _close(d.replicate_weights, BRRW[RW].to_numpy(), f"{kind} weights")
    rep = d.replicate_weights.T @ BRRW["y"].to_numpy() / d.replicate_weights.sum(axis=0)
    _close(rep, fx["replicates"], f"{kind} replicate means")
    m = d.mean("y")
    _close(m[["estimate", "se"]].to_numpy()[0], [fx["mean"][0], fx["mean_se"][0]], f"{kind} mean")
    t = d.total("y")
    _close(t[["estimate", "se"]].to_numpy()[0], [fx["total"][0], fx["total_se"][0]],
           f"{kind} total")
    dm = d.mean("y", by="cat").set_index("group").loc[fx["domain"]]
    _close(dm["estimate"], fx["domain_mean"], f"{kind} domain mean")
    _close(dm["se"], fx["domain_se"], f"{kind} domain se")


@pytest.mark.parametrize("kind", WEIGHTS_ONLY)
def test_supplied_weights_mse_match_r(kind):
    fx = FX[kind.replace("-", "_") + "_mse"]
    d = Design.from_replicate_weights(BRRW, "rw[0-9]+", weights="w", type=kind, mse=True)
    _close(d.mean("y")["se"], fx["mean_se"], f"{kind} mse mean")
    _close(d.total("y")["se"], fx["total_se"], f"{kind} mse total")
    dm = d.mean("y", by="cat").set_index("group").loc[FX[kind.replace("-", "_")]["domain"]]
    _close(dm["se"], fx["domain_se"], f"{kind} mse domain se")


def test_scale_is_r_constant_for_fixed_types():
    # hand computation: R = 8 replicates -> JK2 scale 1, ACS and successive-difference 4/8
    for kind, scale in {"JK2": 1.0, "ACS": 0.5, "successive-difference": 0.5}.items():
        assert Design.from_replicate_weights(BRRW, RW, weights="w", type=kind).scale == scale
