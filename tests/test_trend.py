"""Trend tests over wave estimates: WLS (independent waves) and GLS (correlated waves)."""

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from barotrend.tracking.trend import gls_heterogeneity, gls_trend, heterogeneity, wls_trend

X = np.array([2012.8, 2013.05, 2013.4])
Y = np.array([6.5, 7.2, 7.0])
COV = np.array([[0.04, 0.012, 0.008], [0.012, 0.05, 0.015], [0.008, 0.015, 0.045]])


def test_gls_with_diagonal_covariance_is_wls():
    var = np.diag(COV)
    a, b = gls_trend(X, Y, np.diag(var)), wls_trend(X, Y, var)
    for k in ("estimate", "se", "ci_low", "ci_high", "statistic", "p_value"):
        assert a[k] == pytest.approx(b[k], rel=1e-12)
    qa, qb = gls_heterogeneity(Y, np.diag(var)), heterogeneity(Y, var)
    assert qa["statistic"] == pytest.approx(qb["statistic"], rel=1e-12)
    assert qa["estimate"] == pytest.approx(qb["estimate"], rel=1e-12)


def test_gls_by_hand():
    # beta = (X' V^-1 X)^-1 X' V^-1 y, Cov = (X' V^-1 X)^-1; Q around the GLS mean, 2 df.
    # Dates centred for a well-conditioned hand computation (the slope does not change).
    xm = np.column_stack([np.ones(3), X - X.mean()])
    vi = np.linalg.inv(COV)
    cov_b = np.linalg.inv(xm.T @ vi @ xm)
    beta = cov_b @ xm.T @ vi @ Y
    r = gls_trend(X, Y, COV)
    assert r["estimate"] == pytest.approx(beta[1], rel=1e-10)
    assert r["se"] == pytest.approx(np.sqrt(cov_b[1, 1]), rel=1e-10)
    z = beta[1] / np.sqrt(cov_b[1, 1])
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-10)
    assert r["ci_low"] == pytest.approx(beta[1] - stats.norm.ppf(0.975) * np.sqrt(cov_b[1, 1]),
                                        rel=1e-10)
    one = np.ones(3)
    yg = one @ vi @ Y / (one @ vi @ one)
    q = gls_heterogeneity(Y, COV)
    assert q["estimate"] == pytest.approx(yg, rel=1e-12)
    assert q["statistic"] == pytest.approx((Y - yg) @ vi @ (Y - yg), rel=1e-10)
    assert q["p_value"] == pytest.approx(stats.chi2.sf(q["statistic"], 2), rel=1e-12)
    # statsmodels' GLS normalised covariance is the same (X' V^-1 X)^-1
    ref = sm.GLS(Y, xm, sigma=COV).fit()
    assert r["se"] == pytest.approx(np.sqrt(ref.normalized_cov_params[1, 1]), rel=1e-10)


@pytest.mark.parametrize("cov, msg", [
    (np.eye(2), r"cov must be a finite 3 x 3 matrix, got shape \(2, 2\)"),
    (np.array([[1, 0.5, 0], [0, 1, 0], [0, 0, 1.0]]), "cov must be symmetric"),
    (np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1.0]]), "cov must be positive definite"),
    (np.diag([1, np.nan, 1]), "cov must be a finite 3 x 3 matrix"),
])
def test_gls_bad_covariance(cov, msg):
    with pytest.raises(ValueError, match=msg):
        gls_trend(X, Y, cov)
    with pytest.raises(ValueError, match=msg):
        gls_heterogeneity(Y, cov)


def test_needs_three_waves():
    with pytest.raises(ValueError, match=r"x needs three or more waves, got \[0.0, 1.0\]"):
        gls_trend([0, 1], [1.0, 2.0], np.eye(2))
    with pytest.raises(ValueError, match=r"y needs three or more waves, got \[1.0, 2.0\]"):
        gls_heterogeneity([1.0, 2.0], np.eye(2))


def test_cov_round_off_asymmetry_is_accepted_and_real_asymmetry_rejected():
    # issue 12 item 1: a covariance formed as (d c)' d has exact zeros between disjoint waves
    # that come out as +-1e-35, not exactly symmetric. Round-off relative to the variances is
    # accepted (and the matrix symmetrised); an asymmetry of 1e-6 of the variance is not.
    cov = np.diag([0.01, 0.02, 0.015])
    noisy = cov.copy()
    noisy[0, 1], noisy[1, 0] = 3e-35, -2e-35
    assert gls_trend(X, Y, noisy)["se"] == pytest.approx(gls_trend(X, Y, cov)["se"], rel=1e-14)
    assert gls_heterogeneity(Y, noisy)["statistic"] == pytest.approx(
        gls_heterogeneity(Y, cov)["statistic"], rel=1e-14)
    bad = cov.copy()
    bad[2, 0] = 1e-8  # 1e-6 of the largest variance, cov[0, 2] = 0
    with pytest.raises(ValueError, match=r"cov must be symmetric: cov\[0, 2\] = 0 but "
                                         r"cov\[2, 0\] = 1e-08"):
        gls_trend(X, Y, bad)
