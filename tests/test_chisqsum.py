"""The exact tail of a positive combination of chi-squares (barotrend.design.chisqsum), R's
svychisq(statistic="lincom"). This machine's R lacks CompQuadForm (R falls back to a saddlepoint
there), so the series is pinned to closed forms: a scaled chi-square / F for equal weights, and
the hypoexponential law for weights in pairs (a chi2_2 is an exponential), with and without the
chi2_ddf denominator (its Laplace transform (1 + 2s)^(-ddf/2) averages the exponentials)."""

import numpy as np
import pytest
from scipy import stats

from barotrend.design.chisqsum import lincomb_tail


def _hypoexp_tail(x, lam, ddf=np.inf):
    # sum_j lam_j chi2_2 = sum_j Exp(rate r_j = 1/(2 lam_j)); P(S > x) = sum_j C_j e^{-r_j x},
    # C_j = prod_{i != j} r_i / (r_i - r_j); with x W/ddf: e^{-r_j x} -> (1 + 2 r_j x/ddf)^(-ddf/2)
    r = 1 / (2 * np.asarray(lam, float))
    out = 0.0
    for j in range(len(r)):
        cj = np.prod([r[i] / (r[i] - r[j]) for i in range(len(r)) if i != j])
        out += cj * (np.exp(-r[j] * x) if np.isinf(ddf) else (1 + 2 * r[j] * x / ddf) ** (-ddf / 2))
    return out


@pytest.mark.parametrize("x", [0.3, 2.0, 7.5, 25.0, 80.0])
@pytest.mark.parametrize("ddf", [np.inf, 3.0, 17.5, 200.0])
def test_equal_weights_are_a_scaled_chi_square_or_f(x, ddf):
    a = [1.7] * 4
    exp = stats.chi2.sf(x / 1.7, 4) if np.isinf(ddf) else stats.f.sf(x / 1.7 / 4, 4, ddf)
    assert lincomb_tail(x, a, ddf) == pytest.approx(exp, rel=1e-10, abs=1e-15)


@pytest.mark.parametrize("lam", [[1.0, 0.5], [3.0, 1.0, 0.2], [5.0, 0.9, 0.35, 0.05],
                                 [1.0, 0.5, 0.001]])  # the last: Imhof's integral with ddf
@pytest.mark.parametrize("x", [0.5, 4.0, 12.0, 40.0])
@pytest.mark.parametrize("ddf", [np.inf, 4.0, 30.0])
def test_pairs_of_weights_are_hypoexponential(lam, x, ddf):
    a = np.repeat(lam, 2)
    exp = _hypoexp_tail(x, lam, ddf)
    # Ruben's series: 1e-9 relative; Imhof's integral (weights 1000x apart): 1e-10 absolute
    # (R's Davies: 1e-7 absolute)
    atol = 1e-10 if min(lam) < 0.005 * max(lam) else 1e-13
    assert lincomb_tail(x, a, ddf) == pytest.approx(exp, rel=1e-9, abs=atol)


def test_zero_weights_drop_out_and_bad_input_is_named():
    assert lincomb_tail(5.0, [2.0, 0.0, 1e-20]) == pytest.approx(stats.chi2.sf(2.5, 1), rel=1e-12)
    assert lincomb_tail(0.0, [1.0, 2.0]) == 1.0
    with pytest.raises(ValueError, match="negative weight -0.5"):
        lincomb_tail(1.0, [1.0, -0.5])
    with pytest.raises(ValueError, match="ddf: expected a positive"):
        lincomb_tail(1.0, [1.0], ddf=0)
    with pytest.raises(ValueError, match="x: expected a finite value >= 0"):
        lincomb_tail(float("nan"), [1.0])


# ---------------------------------------------------------------- svychisq(statistic="lincom")
def _two_level_design(name):
    import pandas as pd
    from reference_designs import DATA, FIX, _read

    from barotrend.design import Design

    if name == "dstrat":
        data = _read("apistrat")
        data["two"] = np.where(data["stype"] == "E", "E", "MH")
        return Design(data, weights="pw", strata="stype", fpc="fpc")
    data = _read("apiclus1")
    data["two"] = np.where(data["stype"] == "E", "E", "MH")
    if name == "dclus1":
        return Design(data, weights="pw", cluster="dnum", fpc="fpc")
    rw = pd.read_csv(DATA / "apiclus1_jk1.csv")
    jk = FIX["jk1"]
    return Design.from_replicate_weights(pd.concat([data, rw], axis=1), list(rw.columns),
                                         weights="pw", type="JK1", scale=jk["scale"],
                                         rscales=jk["rscales"], mse=jk["mse"])


@pytest.mark.parametrize("name", ["dclus1", "dstrat", "jk1"])
def test_lincom_on_a_2x2_table_is_the_rao_scott_test(name):
    # one eigenvalue delta: P(delta chi2_1 > X2 W/ddf) = P(F(1, ddf) > X2/delta), the
    # second-order Rao-Scott F (d0 = 1, pinned to R's svychisq in test_chisq.py); replicate
    # designs: P(chi2_1 > X2/delta), the first-order "Chisq" p-value
    from barotrend.design.chisq import chisq

    d = _two_level_design(name)
    r_l = chisq(d, "sch_wide", "two", statistic="lincom").iloc[0]
    r_f = chisq(d, "sch_wide", "two", statistic="Chisq" if d.is_replicate else "F").iloc[0]
    assert r_l["p_value"] == pytest.approx(r_f["p_value"], rel=1e-10)
    assert r_l["statistic"] == pytest.approx(r_f["pearson"], rel=1e-12)
    assert r_l["method"] == "Pearson X2, exact tail (lincom)"


@pytest.mark.parametrize("name", ["dclus1", "dstrat", "jk1"])
def test_lincom_on_a_2x3_table_agrees_with_imhofs_integral(name, monkeypatch):
    # two eigenvalues: the series (weights within 200x) against Imhof's inversion integral
    # (an independent method) on the very weights and ddf the test uses. On dclus1 a Monte
    # Carlo of 4e6 draws gave 0.02211 +- 0.00007 (lincom 0.02200); R's saddlepoint there is
    # 0.02644: R repeats -x/ddf floor(ddf) times (20 for ddf 20.9), a 20% bias that
    # barotrend's "saddlepoint" reproduces as R's
    import barotrend.design.chisqsum as cs
    from barotrend.design.chisq import chisq

    seen = {}
    real = cs.lincomb_tail

    def spy(x, weights, ddf=np.inf, **kw):
        seen.update(x=x, w=np.asarray(weights), ddf=ddf)
        return real(x, weights, ddf, **kw)

    monkeypatch.setattr(cs, "lincomb_tail", spy)
    p = chisq(_two_level_design(name), "sch_wide", "stype", statistic="lincom")["p_value"]
    ref = cs._imhof(seen["x"], seen["w"], seen["ddf"])
    assert len(seen["w"]) == 2 and seen["w"].max() < 200 * seen["w"].min()
    assert p.iloc[0] == pytest.approx(ref, rel=1e-7)
