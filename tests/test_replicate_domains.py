"""Replicate estimates by domain (issue 14): one pass, variances only, NaN replicates per domain.

Expected values: tests/reference/fixtures_replicate_domains.json, written by
tests/reference/make_fixtures_replicate_domains.R (R 4.1.1 survey): svyby means, totals, ratios
and factor shares on a JK1 design whose domain "solo" lies in one PSU (R drops the replicate
deleting that PSU for "solo" only, with a warning), with and without mse; the logit intervals
of the twostage JKn design's "NA" domain. The factor path (designs converted by
Design.replicate: replicate weights kept as PSU factors) is pinned at 1e-12 against the general
path over the same (rows x replicates) weights, and the small helpers against hand computations.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.design.replicate import ReplicateDesign, n_replicates, psu_structure
from barotrend.design.replicate_domains import replicate_totals, replicate_variances

REF = Path(__file__).parent / "reference"
FX = json.loads((REF / "fixtures_replicate_domains.json").read_text())
DATA = REF / "data"
RTOL = 1e-8


def _close(got, exp, what, rtol=RTOL, atol=0.0):
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(exp, float), rtol=rtol,
                               atol=atol, err_msg=what)


def _clus1_solo():
    df = pd.read_csv(DATA / "apiclus1.csv")
    df["dom"] = np.where(df["dnum"] == df["dnum"].iloc[0], "solo", df["stype"])
    return df


@pytest.mark.parametrize("key,mse", [("jk1_solo", False), ("jk1_solo_mse", True)])
def test_nan_replicates_are_dropped_per_domain_as_r(key, mse):
    """The JK1 replicate deleting the solo district has no weight in "solo": R drops it for
    that domain only; the other domains keep all 15 replicates."""
    fx = FX[key]
    assert fx["warnings"] and all("1 replicates gave NA" in w for w in fx["warnings"])
    d = Design(_clus1_solo(), weights="pw", cluster="dnum", fpc="fpc").replicate("JK1", mse=mse)
    with pytest.warns(UserWarning, match="1 replicates gave NaN results and were discarded"):
        m = d.mean("api00", by="dom")
    assert list(m["group"]) == fx["domain"]
    # R's "solo" SE is 0 (or, with mse, rounding noise of 4e-13 about its coef)
    atol = {"mean": 1e-9, "ratio": 1e-12}
    with pytest.warns(UserWarning, match="replicates gave NaN"):  # the ratio's, not the total's
        pairs = (("mean", m), ("total", d.total("api00", by="dom")),
                 ("ratio", d.ratio("api00", "api99", by="dom")))
    for name, res in pairs:
        _close(res["estimate"], fx[name]["estimate"], f"{key} {name}")
        _close(res["se"], fx[name]["se"], f"{key} {name} se", atol=atol.get(name, 0.0))
    with pytest.warns(UserWarning, match="replicates gave NaN"):
        sh = d.proportion("sch.wide", by="dom", method="beta")
    for col in ("estimate", "se"):  # domain-major: E No, E Yes, H No, ...
        _close(sh[col], fx["shares"][col], f"{key} shares {col}", atol=1e-15)
    yes = sh[sh["category"] == "Yes"]
    _close(yes["se"], fx["share_yes"]["se"], f"{key} share se", atol=1e-15)
    _close(m["df"], fx["df"], f"{key} domain df")


def test_the_old_rule_would_differ():
    """Dropping the NaN replicate for every domain (the rule before) changes the other domains'
    SEs: the fixture can tell the two rules apart."""
    df = _clus1_solo()
    d = Design(df, weights="pw", cluster="dnum", fpc="fpc").replicate("JK1")
    rw, y = d.replicate_weights, df["api00"].to_numpy()
    keep = np.ones(rw.shape[1], bool)
    solo = (df["dom"] == "solo").to_numpy()
    keep[rw[solo].sum(axis=0) == 0] = False
    assert (~keep).sum() == 1
    e = (df["dom"] == "E").to_numpy()
    reps = (rw[e] * y[e, None]).sum(0)[keep] / rw[e].sum(0)[keep]
    old = np.sqrt(d.scale * ((reps - reps.mean()) ** 2).sum())
    assert abs(old / FX["jk1_solo"]["mean"]["se"][0] - 1) > 100 * RTOL


def test_na_domain_logit_interval_matches_r():
    """The twostage JKn design's "NA" domain (rows without a dom): every replicate's shares are
    inside (0, 1), so R's svyciprop (logit) gives an interval; replicates with a share of 0 or
    1 in *other* domains no longer remove it (they are not this domain's replicates)."""
    fx = FX["jkn_two1_na"]
    two = Design(pd.read_csv(DATA / "twostage.csv"), weights="w", strata="stratum",
                 cluster="psu", nest=True).replicate("JKn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # domains absent from a replicate (dom x cat cells)
        r = two.proportion("cat", by=["dom", "cat"])
    na = r[r["group"] == "NA"]
    assert list(na["category"]) == fx["category"]
    _close(na["estimate"], fx["estimate"], "NA shares")
    _close(na["se"], fx["se"], "NA share se")
    # R refits logit(p) by IRLS per replicate (epsilon 1e-8): 1e-7 relative
    _close(na["ci_low"], fx["low"], "NA logit low", rtol=1e-7)
    _close(na["ci_high"], fx["high"], "NA logit high", rtol=1e-7)
    assert (na["df"] == fx["df"]).all()


def test_logit_note_when_a_replicate_share_of_the_domain_is_0():
    """A share strictly inside (0, 1) whose replicate share is exactly 0 (the level lies in one
    PSU, JK1 deletes it): logit(p_r) = -inf is not a missing value (R's na.omit keeps it), so
    no logit interval, and a note says why."""
    df = pd.DataFrame({"psu": np.repeat([1, 2, 3, 4], 3), "w": 1.0,
                       "q": ["x", "y", "y"] + ["y"] * 9})
    d = Design(df, weights="w", cluster="psu").replicate("JK1")
    r = d.proportion("q")
    assert r["ci_low"].isna().all() and r["note"].str.contains("logit undefined").all()
    assert np.isfinite(r["se"]).all()
    b = d.proportion("q", method="beta")
    assert b["ci_low"].notna().all()


# ---------------------------------------------------------------- factor path = general path
def _frame(n=240, seed=3):
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, 24, n)
    df = pd.DataFrame({"h": psu % 6, "psu": psu, "w": rng.uniform(0.5, 3, n),
                       "y": 1e6 + rng.normal(size=n), "x": rng.uniform(1, 2, n),
                       "q": rng.choice(["a", "b", "c"], n),
                       "g": rng.integers(0, 30, n)})
    df.loc[df["psu"] == 5, "g"] = 99  # a domain in one PSU: a NaN replicate for it (JK)
    df.loc[::17, "y"] = np.nan  # missing values leave the domain
    return df


def _kinds():
    df = _frame()
    strat = Design(df, weights="w", strata="h", cluster="psu")
    # two PSUs per stratum (psu // 6 is 0..3 within each h) for BRR
    halves = Design(df.assign(p2=df["psu"] // 6 % 2), weights="w", strata="h", cluster="p2",
                    nest=True)
    clus = Design(df, weights="w", cluster="psu")
    return df, [("JK1", clus.replicate("JK1")), ("JK1 mse", clus.replicate("JK1", mse=True)),
                ("JKn", strat.replicate("JKn")),
                ("BRR", halves.replicate("BRR")),
                ("Fay", halves.replicate("BRR", fay_rho=0.5)),
                ("bootstrap", strat.replicate("bootstrap", replicates=30, seed=1)),
                ("subbootstrap", strat.replicate("subbootstrap", replicates=20, seed=2)),
                ("mrbbootstrap", strat.replicate("mrbbootstrap", replicates=20, seed=3))]


def _verbs(d):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [d.mean("y", by="g", na_rm=True), d.total("y", by="g", na_rm=True),
                d.ratio("y", "x", by="g", na_rm=True), d.proportion("q", by="g"),
                d.proportion("q", by="g", method="logit"), d.mean("y", na_rm=True),
                d.mean("y", by=["g", "q"], na_rm=True)]


@pytest.mark.parametrize("name", [k for k, _ in _kinds()[1]])
def test_factor_path_equals_general_path(name):
    """Designs converted by Design.replicate keep PSU factors (no (rows x replicates) array);
    the same design with its replicate weights handed over as an array takes the general
    path. Every estimate, SE, df and interval agrees at 1e-12."""
    d = dict(_kinds()[1])[name]
    assert isinstance(d, ReplicateDesign) and psu_structure(d) is not None
    dense = d._replace(replicate_weights=d.replicate_weights)
    assert psu_structure(dense) is None
    fac, psu, w = psu_structure(d)
    np.testing.assert_array_equal(d.replicate_weights, np.asarray(fac)[psu] * w[:, None])
    for a, b in zip(_verbs(d), _verbs(dense), strict=True):
        assert list(a.columns) == list(b.columns)
        for c in ("estimate", "se", "df", "ci_low", "ci_high", "deff"):
            if c in a:
                np.testing.assert_allclose(a[c].to_numpy(float), b[c].to_numpy(float),
                                           rtol=1e-12, atol=1e-12 * np.nanmax(np.abs(
                                               b[c].to_numpy(float))), err_msg=f"{name} {c}")


def test_domain_path_forms_no_rows_by_replicates_array():
    df = _frame()
    d = Design(df, weights="w", cluster="psu").replicate("JK1")
    assert n_replicates(d) == 24
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d.mean("y", by="g", na_rm=True), d.total("y", by="g", na_rm=True)
        d.ratio("y", "x", by="g", na_rm=True), d.proportion("q", by="g")
    assert "24 replicates" in repr(d)
    assert "_rep_dense" not in d.__dict__  # the (n, R) weights were never formed
    assert d.replicate_weights.shape == (len(df), 24)  # formed on demand, then kept
    assert d.replicate_weights is d.replicate_weights


def test_many_domains_take_the_sparse_cells():
    """Domains x PSUs above the rows: the (PSU, domain) pairs are hash-coded (sparse factor
    product, sparse presence for the df); the same numbers as the general path."""
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame({"psu": rng.integers(0, 100, n), "w": rng.uniform(1, 2, n),
                       "y": rng.normal(size=n), "g": rng.integers(0, 1000, n)})
    d = Design(df, weights="w", cluster="psu").replicate("JK1")
    dense = d._replace(replicate_weights=d.replicate_weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = d.mean("y", by="g"), dense.mean("y", by="g")
    for c in ("estimate", "se", "df"):
        np.testing.assert_allclose(a[c], b[c], rtol=1e-12, atol=1e-15, err_msg=c)


# ---------------------------------------------------------------- helpers, by hand
def test_replicate_totals_by_hand():
    # JK1 over 3 PSUs: replicate r deletes PSU r, the others times 3/2
    df = pd.DataFrame({"psu": [1, 1, 2, 3], "g": [0, 1, 0, 1], "y": [1.0, 2, 3, 4]})
    d = Design(df, cluster="psu").replicate("JK1")
    exp = np.array([[4.5, 6.0], [1.5, 9.0], [6.0, 3.0]])
    rows = np.arange(4)
    spec = [(df["g"].to_numpy(), df["y"].to_numpy(), 2), (df["g"].to_numpy(), None, 2)]
    for design in (d, d._replace(replicate_weights=d.replicate_weights)):
        t, n = replicate_totals(design, rows, spec)
        np.testing.assert_allclose(t, exp, rtol=1e-15)
        np.testing.assert_allclose(n, [[1.5, 1.5], [1.5, 3.0], [3.0, 1.5]], rtol=1e-15)
    t, = replicate_totals(d, np.array([0, 3]), [(np.array([0, 1]), np.array([1.0, 4.0]), 2)])
    np.testing.assert_allclose(t, [[0, 6.0], [1.5, 6.0], [1.5, 0]], rtol=1e-15)


def test_replicate_variances_by_hand():
    from types import SimpleNamespace
    th = np.array([[1.0, 2.0, np.nan], [3.0, np.nan, np.nan], [5.0, 4.0, np.nan],
                   [7.0, 6.0, np.nan]])
    d = SimpleNamespace(rscales=np.array([1.0, 1.0, 0.5, 0.0]), scale=2.0, mse=False)
    with pytest.warns(UserWarning, match="1 replicates gave NaN results"):
        v = replicate_variances(d, th)
    # column 0: mean of replicates with rscales > 0: 3; 2 (4 + 0 + 0.5*4 + 0) = 12
    # column 1: kept 2, 4, 6, mean over rscales > 0 of (2, 4) = 3; 2 (1 + 0.5 * 1) = 3
    _close(v[:2], [12.0, 3.0], "variances", rtol=1e-15)
    assert np.isnan(v[2])  # no replicate left: NaN (R stops with "All replicates contained NAs")
    m = SimpleNamespace(rscales=np.ones(4), scale=1.0, mse=True)
    with pytest.warns(UserWarning):
        _close(replicate_variances(m, th[:, :2], np.array([4.0, 4.0])), [20.0, 8.0], "mse",
               rtol=1e-15)
    with warnings.catch_warnings():  # infinite is not missing: kept, as R's na.omit
        warnings.simplefilter("error")
        assert not np.isfinite(replicate_variances(m, np.array([[1.0], [np.inf], [2.0],
                                                                 [3.0]]), np.zeros(1)))[0]


def test_jk1_keeps_the_deleted_psu_order_not_a_matrix():
    """JK1 keeps which PSU each replicate deletes (DropOne), not a PSUs x PSUs matrix; its
    matrix is R's (replicate r deletes the r-th PSU in order of first appearance, the rest
    times n/(n-1)), df is PSUs - 1, and a domain's df the PSUs it holds - 1 (its rank, by
    hand in DropOne's docstring), as the general path's rank."""
    from barotrend.design.replicate import DropOne

    df = pd.DataFrame({"psu": [3, 3, 1, 2, 1, 4], "g": [0, 0, 0, 1, 1, 1],
                       "y": [1.0, 2, 3, 4, 5, 6]})
    d = Design(df, cluster="psu").replicate("JK1")
    fac = psu_structure(d)[0]
    assert isinstance(fac, DropOne) and d.df == 3
    psu = d.psu_ids
    first = [psu[0], psu[2], psu[3], psu[5]]  # PSUs 3, 1, 2, 4 in order of appearance
    want = np.full((4, 4), 4 / 3)
    want[first, np.arange(4)] = 0.0
    np.testing.assert_array_equal(np.asarray(fac), want)
    dense = d._replace(replicate_weights=d.replicate_weights)
    a, b = d.mean("y", by="g"), dense.mean("y", by="g")
    np.testing.assert_array_equal(a["df"], [1.0, 2.0])  # g=0 in PSUs 3, 1; g=1 in 2, 1, 4
    np.testing.assert_array_equal(a["df"], b["df"])
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-13)


def test_jkn_factors_by_hand_and_df_without_svd():
    """JKn: replicate j of stratum h deletes its j-th PSU, the rest of h times m_h/(m_h - 1),
    other strata 1 (R's jknweights). df = replicates - strata with replicates (the rank
    argument in make_replicate), equal to the rank of the factors minus one (SVD) on random
    designs with census strata and lonely PSUs."""
    from barotrend.design.replicate import _rank_df

    df = pd.DataFrame({"h": ["A", "A", "B", "B", "B", "A"], "psu": [1, 2, 3, 4, 5, 1],
                       "y": [1.0, 2, 3, 4, 5, 6]})
    d = Design(df, strata="h", cluster="psu").replicate("JKn")
    fac = np.asarray(psu_structure(d)[0])
    want = np.array([[0, 2, 1, 1, 1], [2, 0, 1, 1, 1], [1, 1, 0, 1.5, 1.5],
                     [1, 1, 1.5, 0, 1.5], [1, 1, 1.5, 1.5, 0]])
    np.testing.assert_array_equal(fac[d.psu_ids[[0, 1, 2, 3, 4]]], want)
    _close(d.rscales, [0.5, 0.5, 2 / 3, 2 / 3, 2 / 3], "rscales", rtol=1e-15)
    assert d.df == 3 == _rank_df(fac)
    rng = np.random.default_rng(11)
    for lonely in ("remove", "certainty", "average", "adjust"):
        for _ in range(5):
            sizes = rng.integers(1, 6, 7)
            h = np.repeat(np.arange(7), sizes * 3)
            psu = np.concatenate([np.repeat(np.arange(s), 3) for s in sizes]) + h * 10
            pop = np.where(h == 0, sizes[0], 50)  # stratum 0: a census
            frame = pd.DataFrame({"h": h, "psu": psu, "fpc": pop.astype(float),
                                  "y": rng.normal(size=len(h))})
            rep = Design(frame, strata="h", cluster="psu", fpc="fpc",
                         lonely_psu=lonely).replicate("JKn")
            assert rep.df == _rank_df(np.asarray(psu_structure(rep)[0])), (lonely, sizes)
