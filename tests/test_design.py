"""Design construction: validation errors, lonely-PSU policies (against R), fpc forms,
immutability and the internal protocol.

R values: tests/reference/fixtures_design.json (make_fixtures_design.R, lonely.csv has a stratum
"s4" with one PSU; options(survey.lonely.psu=...) for each policy).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design, read_csv, read_sav

REF = Path(__file__).parent / "reference"
FX = json.loads((REF / "fixtures_design.json").read_text())
DATA = REF / "data"
LONELY = pd.read_csv(DATA / "lonely.csv")
TWO = pd.read_csv(DATA / "twostage.csv")
STRAT = pd.read_csv(DATA / "apistrat.csv")


@pytest.mark.parametrize("policy", ["remove", "adjust", "average", "certainty"])
def test_lonely_psu_policies_match_r(policy):
    d = Design(LONELY, weights="w", strata="stratum", cluster="psu", lonely_psu=policy)
    for stat, res in (("mean", d.mean("y")), ("total", d.total("y"))):
        fx = FX[f"lonely_{policy}_{stat}_y"]
        for c in ("estimate", "se", "deff", "df"):
            np.testing.assert_allclose(res[c].iloc[0], fx[c][0], rtol=1e-8, err_msg=c)


def test_lonely_psu_fail_names_the_stratum():
    with pytest.raises(ValueError, match="stratum 's4' of column 'stratum' has only one PSU"):
        Design(LONELY, weights="w", strata="stratum", cluster="psu")


def test_lonely_policy_must_be_known():
    with pytest.raises(ValueError, match="lonely_psu"):
        Design(LONELY, weights="w", strata="stratum", cluster="psu", lonely_psu="drop")


def test_bad_weights_are_named():
    for bad, shown in ((-1.0, "-1.0"), (0.0, "0.0"), (np.nan, "nan"), (np.inf, "inf")):
        df = LONELY.copy()
        df.loc[5, "w"] = bad
        with pytest.raises(ValueError, match=f"column 'w' has .* weight {shown} at row 5"):
            Design(df, weights="w")


def test_missing_ids_are_named():
    df = TWO.copy()
    df.loc[7, "psu"] = np.nan
    with pytest.raises(ValueError, match="cluster: column 'psu' has a missing id at row 7"):
        Design(df, weights="w", strata="stratum", cluster="psu", nest=True)
    df = TWO.copy()
    df.loc[2, "stratum"] = None
    with pytest.raises(ValueError, match="strata: column 'stratum' has a missing id at row 2"):
        Design(df, weights="w", strata="stratum", cluster="psu", nest=True)


def test_clusters_not_nested_need_nest():
    with pytest.raises(ValueError, match="id 1 of column 'psu' occurs in more than one stratum"):
        Design(TWO, weights="w", strata="stratum", cluster="psu")


def test_fpc_smaller_than_sample():
    df = STRAT.copy()
    df.loc[df["stype"] == "H", "fpc"] = 10  # 50 high schools sampled
    with pytest.raises(ValueError, match="population 10.0 smaller than the 50 sampled units in "
                                         "stratum 'H'"):
        Design(df, weights="pw", strata="stype", fpc="fpc")


def test_fpc_varies_within_stratum_and_mixed_forms():
    df = STRAT.copy()
    df.loc[0, "fpc"] = df.loc[0, "fpc"] + 1
    with pytest.raises(ValueError, match="fpc: column 'fpc' varies within stratum"):
        Design(df, weights="pw", strata="stype", fpc="fpc")
    df = TWO.copy()
    df["f2"] = 0.5
    with pytest.raises(ValueError, match="mix population sizes"):
        Design(df, strata="stratum", cluster=["psu", "ssu"], fpc=["fpc1", "f2"], nest=True)
    with pytest.raises(ValueError, match="one column per stage"):
        Design(df, strata="stratum", cluster=["psu", "ssu"], fpc="fpc1", nest=True)


def test_fpc_as_fraction_equals_population_size():
    """R's as.fpc: values <= 1 are sampling fractions n_h / N_h."""
    df = STRAT.copy()
    nh = df.groupby("stype")["stype"].transform("size")
    df["frac"] = nh / df["fpc"]
    a = Design(df, weights="pw", strata="stype", fpc="fpc").mean("api00")
    b = Design(df, weights="pw", strata="stype", fpc="frac").mean("api00")
    np.testing.assert_allclose(a["se"], b["se"], rtol=1e-12)
    np.testing.assert_allclose(a["se"], FX["strat_mean_api00"]["se"], rtol=1e-8)


def test_weights_implied_by_fpc_match_r():
    df = pd.read_csv(DATA / "apiclus2.csv")
    d = Design(df, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    np.testing.assert_allclose(d.weights, FX["clus2_info"]["weights"], rtol=1e-12)


def test_caller_frame_untouched_and_design_immutable():
    df = TWO.copy()
    before = df.copy()
    d = Design(df, weights="w", strata="stratum", cluster=["psu", "ssu"],
               fpc=["fpc1", "fpc2"], nest=True)
    d.mean("x", by="dom")
    d.proportion("cat")
    pd.testing.assert_frame_equal(df, before)
    df.loc[0, "x"] = 1e6  # later changes to the caller's frame do not leak in
    assert d.data.loc[0, "x"] == before.loc[0, "x"]
    with pytest.raises(AttributeError, match="immutable"):
        d.weights = np.ones(d.n)


def test_replace_and_score_adjusters():
    d = Design(TWO, weights="w", strata="stratum", cluster="psu", nest=True)
    x = d.data["x"].to_numpy()
    z = (x - np.average(x, weights=d.weights)) / d.weights.sum()
    v = d.vcov(None, z[:, None])
    # an adjuster that doubles the scores quadruples the variance
    d2 = d._replace(score_adjusters=(lambda s: 2 * s,))
    np.testing.assert_allclose(d2.vcov(None, z[:, None]), 4 * v)
    assert d.score_adjusters == ()
    # new weights: same variance algebra, by hand for an unstratified SRS below
    d3 = d._replace(weights=d.weights * 3)
    np.testing.assert_allclose(d3.vcov(None, z[:, None]), 9 * v)
    with pytest.raises(ValueError, match="unknown attribute"):
        d._replace(strata="x")


def test_srs_variance_by_hand():
    """Unstratified, no clusters, no fpc: V(mean) = n/(n-1) sum (w_i (y_i - ybar)/W)^2."""
    df = pd.DataFrame({"y": [3.0, 1.0, 4.0, 1.0, 5.0], "w": [1.0, 2.0, 1.0, 3.0, 1.0]})
    r = Design(df, weights="w").mean("y")
    w, y = df["w"].to_numpy(), df["y"].to_numpy()
    ybar = (w * y).sum() / w.sum()
    u = w * (y - ybar) / w.sum()
    v = 5 / 4 * ((u - u.mean()) ** 2).sum()
    np.testing.assert_allclose(r["se"].iloc[0] ** 2, v)
    assert r["df"].iloc[0] == 4


def test_domain_protocol():
    d = Design(TWO, weights="w", strata="stratum", cluster="psu", nest=True)
    doms = d.domains("dom")
    assert [v for v, _ in doms] == [("east",), ("north",), ("south",)]
    assert sum(m.sum() for _, m in doms) == TWO["dom"].notna().sum()
    m = d.domain_mask(["dom", "cat"], ("east", "a"))
    assert m.sum() == ((TWO["dom"] == "east") & (TWO["cat"] == "a")).sum()
    with pytest.raises(ValueError, match="expected 2 value"):
        d.domain_mask(["dom", "cat"], "east")
    assert d.domain_df(m) <= d.df
    assert d.psu_ids.max() + 1 == d.n_psu == 20 and d.strata_ids.max() == 4


def test_repr_describes_design():
    d = Design(TWO, weights="w", strata="stratum", cluster=["psu", "ssu"],
               fpc=["fpc1", "fpc2"], nest=True)
    text = repr(d)
    assert "stratified cluster sample (2 stages), without replacement (fpc)" in text
    assert "strata 5, PSUs 20, df 15" in text


def test_argument_errors():
    with pytest.raises(ValueError, match="data: expected a pandas DataFrame"):
        Design([1, 2, 3])
    with pytest.raises(ValueError, match="strata: column 'zz' is not in the data"):
        Design(TWO, strata="zz")
    with pytest.raises(ValueError, match="nest"):
        Design(TWO, nest="yes")
    with pytest.raises(ValueError, match="only one primary sampling unit"):
        Design(TWO.assign(one=1), cluster="one")


def test_io_roundtrip(tmp_path):
    import pyreadstat
    df = pd.DataFrame({"q": [1.0, 2.0, 2.0, 3.0], "w": [1.0, 2.0, 1.0, 1.0]})
    p = tmp_path / "x.sav"
    pyreadstat.write_sav(df, str(p), variable_value_labels={"q": {1.0: "agree", 2.0: "neutral",
                                                                  3.0: "disagree"}})
    got = read_sav(p)
    assert list(got["q"].cat.categories) == ["agree", "neutral", "disagree"]
    r = Design(got, weights="w").proportion("q")
    assert list(r["category"]) == ["agree", "neutral", "disagree"]
    np.testing.assert_allclose(r["estimate"], [0.2, 0.6, 0.2])
    assert read_sav(p, labels=False)["q"].tolist() == [1.0, 2.0, 2.0, 3.0]
    csv = tmp_path / "x.csv"
    df.to_csv(csv, index=False)
    pd.testing.assert_frame_equal(read_csv(csv), df)
    with pytest.raises(ValueError, match="no such file"):
        read_sav(tmp_path / "missing.sav")


def test_row_level_path_equals_unit_sum_path():
    """An identity score adjuster forces the dense influence-matrix path; results must agree
    with the per-(unit, domain) bincount path (both are R's svyrecvar)."""
    d = Design(TWO, weights="w", strata="stratum", cluster=["psu", "ssu"],
               fpc=["fpc1", "fpc2"], nest=True)
    dr = d._replace(score_adjusters=(lambda s: s,))
    for f in (lambda x: x.mean("y", by="dom", na_rm=True), lambda x: x.total("x", by="cat"),
              lambda x: x.ratio("y", "x", by="dom", na_rm=True),
              lambda x: x.proportion("cat", by="dom")):
        a, b = f(d), f(dr)
        for c in ("estimate", "se", "deff", "df", "n"):
            np.testing.assert_allclose(a[c], b[c], rtol=1e-10, err_msg=c)


def test_sibling_verbs_are_wired():
    """Design methods delegate to the contrast/GLM/weighting modules with the same result."""
    from barotrend.design.glm import glm
    from barotrend.weighting import poststratify
    d = Design(STRAT, weights="pw", strata="stype", fpc="fpc")
    a = d.glm("api00 ~ ell", family="gaussian")
    b = glm(d, "api00 ~ ell", family="gaussian")
    np.testing.assert_allclose(a.table["estimate"], b.table["estimate"])
    pop = {"E": 4421, "H": 755, "M": 1018}
    dp = d.poststratify("stype", pop)
    np.testing.assert_allclose(dp.weights, poststratify(d, "stype", pop).weights)
