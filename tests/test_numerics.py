"""Numerical stability of the design estimators against an exact (rational) reference.

Issue 12, item 2: the design effect was formed from one-pass sums of squares
(``sum w a^2 - 2 theta sum w a + theta^2 sum w``), which lose every digit when the mean is large
against the spread: ``y = 1e9 + 0..9`` with weights 1, 2 gave ``deff = inf``, ``n_eff = 0``.

The reference evaluates the *same estimator formulas* (module docstrings of
``barotrend.design.estimators`` and ``barotrend.design.linearization``; R ``survey``'s
``svymean``/``svytotal``/``svyratio`` with ``deff="replace"``) in exact rational arithmetic
(:class:`fractions.Fraction`) on the very float inputs, so the only error left is the package's:

* Taylor variance ``V = sum_h (1 - f_h) n_h / (n_h - 1) sum_{j in h} (T_j - Tbar_h)^2`` of the PSU
  totals ``T_j`` of ``w_i z_i``, with ``z_i = I_d(i) (y_i - theta x_i) / sum_d w x`` (mean:
  ``x = 1``; ratio) or ``z_i = I_d(i) y_i`` (total), ``f_h = n_h / N_h`` (0 without fpc);
* ``deff = V / V_srs``, ``V_srs = W_d / (n_d - 1) sum_d w (y - theta x)^2 / (sum_d w x)^2`` (a total:
  ``W_d / (n_d - 1) sum_d w (y - ybar_d)^2``), R's with-replacement design effect;
* JK1: ``V = (n - 1) / n sum_r (theta_r - mean_r theta_r)^2`` over the replicate weights;
* post-stratification: ``z`` replaced by ``z - sum_h d z / sum_h d`` within post-strata (``d``
  the weights before), R's ``svyrecvar`` with ``postStrata``.

Outcome means sweep 1e0..1e12 (spread about 1) and weights span up to 1e-8..1e8; SE and deff
are pinned to 1e-9 relative.
"""

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design

RTOL = 1e-9


def _rel(got, want):
    return abs(got - want) / abs(want)


def _data(seed, mean, wspan, strata=3):
    """A stratified cluster sample: ``strata`` strata of 2-5 PSUs of 1-6 rows."""
    rng = np.random.default_rng(seed)
    rows = []
    psu = 0
    for h in range(strata):
        for _ in range(rng.integers(2, 6)):
            for _ in range(rng.integers(1, 7)):
                rows.append((h, psu))
            psu += 1
    n = len(rows)
    h, p = np.array(rows).T
    lo, hi = wspan
    return pd.DataFrame({
        "h": h, "psu": p,
        "y": mean + rng.normal(0, 1, n) + 0.3 * (p % 3),
        "x": rng.uniform(1, 3, n),
        "w": 10 ** rng.uniform(lo, hi, n) if hi > lo else np.ones(n),
        "g": rng.choice(["a", "b"], n),
        "N": np.array([40, 55, 70, 90])[h],
    })


def _reference(df, kind="mean", fpc=False, domain=None, z_adjust=None):
    """Exact SE and deff of a mean / ratio (y/x) / total of y, by the formulas above."""
    n = len(df)
    y, x, w = ([F(float(v)) for v in df[c]] for c in ("y", "x", "w"))
    if kind != "ratio":
        x = [F(1)] * n
    ind = [True] * n if domain is None else list(df["g"] == domain)
    W = sum(w[i] for i in range(n) if ind[i])
    Wx = sum(w[i] * x[i] for i in range(n) if ind[i])
    if kind == "total":
        theta = sum(w[i] * y[i] for i in range(n) if ind[i])
        centre = theta / W
        z = [y[i] if ind[i] else F(0) for i in range(n)]
        ss = sum(w[i] * (y[i] - centre) ** 2 for i in range(n) if ind[i])
    else:
        theta = sum(w[i] * y[i] for i in range(n) if ind[i]) / Wx
        z = [(y[i] - theta * x[i]) / Wx if ind[i] else F(0) for i in range(n)]
        ss = sum(w[i] * (y[i] - theta * x[i]) ** 2 for i in range(n) if ind[i]) / Wx ** 2
    if z_adjust is not None:
        z = z_adjust(z)
    nd = sum(1 for i in range(n) if ind[i] and w[i] != 0)
    v = _taylor(df, [w[i] * z[i] for i in range(n)], fpc)
    vsrs = W / (nd - 1) * ss
    return theta, v, v / vsrs


def _taylor(df, xw, fpc):
    totals = {}
    for i, (h, p) in enumerate(zip(df["h"], df["psu"], strict=True)):
        totals.setdefault(h, {}).setdefault(p, F(0))
        totals[h][p] += xw[i]
    v = F(0)
    for h, units in totals.items():
        nh = len(units)
        f = F(1)
        if fpc:
            f = 1 - F(nh) / F(int(df.loc[df["h"] == h, "N"].iloc[0]))
        tbar = sum(units.values()) / nh
        v += f * F(nh, nh - 1) * sum((t - tbar) ** 2 for t in units.values())
    return v


def _check(res, theta, v, deff, row=0):
    got = res.iloc[row]
    assert _rel(float(got["estimate"]), float(theta)) < 1e-12
    se = float(v) ** 0.5
    assert _rel(float(got["se"]), se) < RTOL, (float(got["se"]), se)
    assert _rel(float(got["deff"]), float(deff)) < RTOL, (float(got["deff"]), float(deff))
    assert _rel(float(got["n_eff"]), float(got["n"]) / float(deff)) < RTOL


MEANS = [1e0, 1e3, 1e6, 1e9, 1e12]
WSPANS = [(0, 0), (-1, 1), (-8, 8)]


@pytest.mark.parametrize("mean", MEANS)
@pytest.mark.parametrize("wspan", WSPANS)
@pytest.mark.parametrize("fpc", [False, True])
def test_mean_se_and_deff_exact(mean, wspan, fpc):
    df = _data(int(np.log10(mean)) + 7 * int(fpc), mean, wspan)
    d = Design(df, weights="w", strata="h", cluster="psu", fpc="N" if fpc else None)
    _check(d.mean("y"), *_reference(df, fpc=fpc))


@pytest.mark.parametrize("mean", MEANS)
@pytest.mark.parametrize("wspan", WSPANS)
def test_domain_mean_ratio_total_exact(mean, wspan):
    df = _data(3 + int(np.log10(mean)), mean, wspan)
    d = Design(df, weights="w", strata="h", cluster="psu", fpc="N")
    by = d.mean("y", by="g")
    for row, dom in enumerate(("a", "b")):
        _check(by, *_reference(df, fpc=True, domain=dom), row=row)
    _check(d.ratio("y", "x"), *_reference(df, kind="ratio", fpc=True))
    _check(d.ratio("y", "x", by="g"), *_reference(df, kind="ratio", fpc=True, domain="b"),
           row=1)
    _check(d.total("y"), *_reference(df, kind="total", fpc=True))
    _check(d.total("y", by="g"), *_reference(df, kind="total", fpc=True, domain="a"))


def test_domains_far_apart_get_their_own_centre():
    # one domain near 0, the other near 1e12: a single centre would lose every digit of one
    df = _data(11, 0.0, (-1, 1))
    df["y"] = np.where(df["g"] == "a", df["y"], df["y"] + 1e12)
    d = Design(df, weights="w", strata="h", cluster="psu")
    by = d.mean("y", by="g")
    for row, dom in enumerate(("a", "b")):
        _check(by, *_reference(df, domain=dom), row=row)
    _check(d.total("y", by="g"), *_reference(df, kind="total", domain="a"))
    _check(d.total("y", by="g"), *_reference(df, kind="total", domain="b"), row=1)


@pytest.mark.parametrize("mean", [1e0, 1e6, 1e12])
@pytest.mark.parametrize("wspan", [(0, 0), (-8, 8)])
def test_jk1_exact(mean, wspan):
    df = _data(5, mean, wspan, strata=1)
    r = Design(df, weights="w", cluster="psu").replicate("JK1")
    got = r.mean("y")
    y = [F(float(v)) for v in df["y"]]
    thetas = []
    for col in r.replicate_weights.T:
        wr = [F(float(v)) for v in col]
        thetas.append(sum(a * b for a, b in zip(wr, y, strict=True)) / sum(wr))
    R = len(thetas)
    tbar = sum(thetas) / R
    v = F(R - 1, R) * sum((t - tbar) ** 2 for t in thetas)
    assert _rel(float(got["se"].iloc[0]), float(v) ** 0.5) < RTOL
    # deff of a replicate design: the same V_srs
    _, _, deff_lin = _reference(df)
    vlin = _reference(df)[1]
    assert _rel(float(got["deff"].iloc[0]), float(deff_lin * v / vlin)) < RTOL
    tot = r.total("y")
    ttot = [sum(F(float(a)) * b for a, b in zip(col, y, strict=True))
            for col in r.replicate_weights.T]
    tbar = sum(ttot) / R
    vt = F(R - 1, R) * sum((t - tbar) ** 2 for t in ttot)
    assert _rel(float(tot["se"].iloc[0]), float(vt) ** 0.5) < RTOL


@pytest.mark.parametrize("mean", [1e0, 1e6, 1e12])
def test_poststratified_mean_exact(mean):
    df = _data(9, mean, (-1, 1))
    d0 = Design(df, weights="w", strata="h", cluster="psu")
    d = d0.poststratify("g", {"a": 300, "b": 500})
    dw = [F(float(v)) for v in df["w"]]
    cls = list(df["g"])

    def adjust(z):
        out = list(z)
        for c in ("a", "b"):
            idx = [i for i in range(len(z)) if cls[i] == c]
            m = sum(dw[i] * z[i] for i in idx) / sum(dw[i] for i in idx)
            for i in idx:
                out[i] = z[i] - m
        return out

    ps = df.assign(w=d.weights)
    _check(d.mean("y"), *_reference(ps, z_adjust=adjust))


def test_issue_case_large_mean_matches_r_and_shifted_data():
    # issue 12: y = 1e9 + 0..9, weights 1, 2: R's svymean(deff="replace") gives 1.1051
    y = np.arange(10.0)
    w = np.tile([1.0, 2.0], 5)
    big = Design(pd.DataFrame({"y": 1e9 + y, "w": w}), weights="w").mean("y")
    small = Design(pd.DataFrame({"y": y, "w": w}), weights="w").mean("y")
    assert abs(float(big["deff"].iloc[0]) - 1.1051) < 5e-5
    for c in ("se", "deff", "n_eff"):
        assert _rel(float(big[c].iloc[0]), float(small[c].iloc[0])) < RTOL
    assert np.isfinite(big["n_eff"].iloc[0]) and big["n_eff"].iloc[0] > 9


@pytest.mark.parametrize("shift", [1e6, 1e9, 1e12])
def test_shift_invariance_of_se_and_deff(shift):
    # every path: Taylor, domains, JK1, calibrated (adjusters), ratio
    df = _data(4, 0.0, (-2, 2))
    df["y"] = np.round(df["y"] * 16) / 16  # so that y + shift is exact: the same data shifted
    designs = {
        "taylor": lambda d: Design(d, weights="w", strata="h", cluster="psu", fpc="N"),
        "jk": lambda d: Design(d, weights="w", cluster="psu").replicate("JK1"),
        "raked": lambda d: Design(d, weights="w", strata="h", cluster="psu").rake(
            {"g": {"a": 40, "b": 60}}),
        "calibrated": lambda d: Design(d, weights="w", strata="h", cluster="psu").calibrate(
            {"x": 200}, population_size=100),
        "jk calibrated": lambda d: Design(d, weights="w", cluster="psu").replicate(
            "JK1").calibrate({"x": 200}, population_size=100),
        "nonresponse": lambda d: Design(d, weights="w", strata="h", cluster="psu")
        .adjust_nonresponse("resp", by="g"),
    }
    df["resp"] = np.arange(len(df)) % 4 != 0
    for name, make in designs.items():
        a = make(df)
        b = make(df.assign(y=df["y"] + shift))
        pairs = [(a.mean("y", by="g"), b.mean("y", by="g")), (a.mean("y"), b.mean("y")),
                 (a.compare("y", "g", "a", "b"), b.compare("y", "g", "a", "b"))]
        for ra, rb in pairs:
            for col in ("se", "deff"):
                if col in ra:
                    np.testing.assert_allclose(rb[col], ra[col], rtol=1e-8, err_msg=name)


def test_zero_variance_is_zero_not_noise():
    # a domain inside one PSU: its mean and shares have variance 0 exactly (the exact
    # reference says so); rounding used to leave ~1e-33, a deff of ~1e-31 and an n_eff of ~1e32
    df = pd.DataFrame({"h": [0, 0, 0, 0, 1, 1, 1, 1, 1], "psu": [0, 0, 1, 1, 2, 2, 3, 4, 4],
                       "w": [1.7, 1.5, 1, 1, 1, 1, 1, 1, 1.0], "g": list("aabbbbbbb"),
                       "y": [1e6 + 0.1, 1e6 + 0.7, 3, 4, 5, 6, 7, 8, 9], "x": 1.0,
                       "q": ["no", "yes"] + ["no"] * 7, "N": 50})
    d = Design(df, weights="w", strata="h", cluster="psu")
    _, v, _ = _reference(df, domain="a")
    assert v == 0
    r = d.mean("y", by="g")
    assert r["se"].iloc[0] == 0 and r["deff"].iloc[0] == 0 and np.isnan(r["n_eff"].iloc[0])
    _check(r, *_reference(df, domain="b"), row=1)
    p = d.proportion("q", by="g")  # a share within the one PSU: variance 0 as well
    assert (p["se"].iloc[:2] == 0).all() and (p["deff"].iloc[:2] == 0).all()
