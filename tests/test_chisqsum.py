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
