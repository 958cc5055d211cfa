"""Design.var by domain (issue 14): every domain of a linearised design in one pass, equal to
the one-domain-at-a-time computation (popvariance._one, pinned to R's svyvar in
test_parity_r.py) at 1e-12, on designs with strata, clusters, fpc, lonely PSUs, calibration
and missing values, and by thousands of domains without a rows x domains cost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.design.popvariance import _one


def survey(n=1500, seed=3):
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 8, n)
    return pd.DataFrame({"s": s, "psu": s * 50 + rng.integers(0, 5, n),
                         "w": rng.uniform(1, 4, n), "y": rng.gamma(2, 3, n) + 1e6,
                         "d": rng.integers(0, 40, n), "g": rng.choice(["a", "b"], n),
                         "N": 30.0 + s})


def reference(design, var, by, na_rm):
    y = design.data[var].to_numpy(dtype=float)
    values, g = design.domain_codes(by)
    out = []
    for k in range(len(values)):
        use = (g == k) & ~np.isnan(y)
        n = int((use & (design.weights != 0)).sum())
        if (np.isnan(y[g == k]).any() and not na_rm) or n < 2:
            out.append((np.nan, np.nan, np.nan))
            continue
        est, se, _ = _one(design, y, use)
        out.append((est, se, float(design.domain_df(use))))
    return np.array(out)


DESIGNS = {
    "clusters": dict(weights="w", strata="s", cluster="psu"),
    "fpc": dict(weights="w", strata="s", cluster="psu", fpc="N"),
    "rows": dict(weights="w", strata="s"),
    "srs": dict(),
}


@pytest.mark.parametrize("name", list(DESIGNS))
@pytest.mark.parametrize("na_rm", [False, True])
def test_by_domain_equals_one_domain_at_a_time(name, na_rm):
    df = survey()
    df.loc[df.index[::97], "y"] = np.nan
    design = Design(df, **DESIGNS[name])
    for d in (design, design.rake({"g": {"a": 5000, "b": 4000}})):
        got = d.var("y", by="d", na_rm=na_rm)
        want = reference(d, "y", "d", na_rm)
        for j, col in enumerate(("estimate", "se", "df")):
            np.testing.assert_allclose(got[col].to_numpy(float), want[:, j], rtol=1e-12,
                                       equal_nan=True)


def test_lonely_psu_and_two_columns():
    df = survey()
    df.loc[df["s"] == 2, "psu"] = 100
    d = Design(df, weights="w", strata="s", cluster="psu", lonely_psu="adjust")
    got = d.var("y", by=["g", "d"])
    want = reference(d, "y", ["g", "d"], False)
    assert got["group"].iloc[0] == "a/0"
    np.testing.assert_allclose(got[["estimate", "se", "df"]].to_numpy(float), want,
                               rtol=1e-12, equal_nan=True)


def test_thousands_of_domains():
    # 6,500 domains on 20k rows took 138 s one domain at a time (a row mask per domain); the
    # by-domain pass takes them together. Spot checks against the one-domain computation.
    rng = np.random.default_rng(1)
    n = 20_000
    df = pd.DataFrame({"y": rng.normal(size=n), "d": rng.integers(0, 6500, n),
                       "psu": rng.integers(0, 2000, n), "w": rng.uniform(1, 2, n)})
    d = Design(df, weights="w", cluster="psu")
    out = d.var("y", by="d")
    assert len(out) == df["d"].nunique()
    y = df["y"].to_numpy()
    for k in rng.choice(len(out), 5, replace=False):
        use = (df["d"] == int(out["group"].iloc[k])).to_numpy()
        if use.sum() < 2:
            continue
        est, se, _ = _one(d, y, use)
        assert out["estimate"].iloc[k] == pytest.approx(est, rel=1e-12)
        assert out["se"].iloc[k] == pytest.approx(se, rel=1e-12)
