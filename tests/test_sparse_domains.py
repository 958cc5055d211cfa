"""The sparse by-domain path (issue 14) against a dense reference written here.

The reference builds the (rows x domains) influence matrix ``x = w z`` in plain numpy and
evaluates the stratified multistage variance of its column totals straight from the formula
(Lumley 2010, appendix C; R's ``svyrecvar``):

    V = sum_s sum_g pi_{<s}(g) f_g n_g / (n_g - 1) sum_{j in g} (T_j - Tbar_g)^2

with R's lonely-PSU policies (``remove``/``certainty``: 0; ``adjust``: ``f_g T_j^2``;
``average``: 0, the other strata scaled by strata / non-lonely strata). Influence values:
``z = I_d (y - theta_d) / W_d`` (mean), ``I_d (y - R_d x) / X_d`` (ratio), ``I_d y`` (total),
``I_d (1[level] - p_dl) / W_d`` (shares). Calibrated designs: residuals from the weighted
regression on the auxiliaries (GREG, ``lstsq``), within-class centring (post-stratification),
both with the weights before calibration (Sarndal, Swensson and Wretman 1992, 6.6), and for
raking the design's own dense adjuster (R's sweeps) applied to the dense matrix.

The package takes the cell path whenever units x domains exceed the rows (and, for calibrated
designs, above ``cells.SPARSE_ROWS_MIN`` entries, set to 0 here): every design below has many
domains (most (PSU, domain) cells empty), so the sparse algebra is what is compared, at 1e-12.
"""

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design, cells
from barotrend.weighting import calibrate, poststratify, rake

RTOL = 1e-12


@pytest.fixture(autouse=True)
def _sparse_rows(monkeypatch):
    monkeypatch.setattr(cells, "SPARSE_ROWS_MIN", 0)


def _data(seed, n_strata=6, n_dom=40, lonely=False, rows_per_psu=(2, 8)):
    rng = np.random.default_rng(seed)
    recs = []
    psu = 0
    for h in range(n_strata):
        n_psu = 1 if (lonely and h < 2) else int(rng.integers(2, 6))
        for _ in range(n_psu):
            for k in range(int(rng.integers(*rows_per_psu))):
                recs.append((h, psu, k % 3))  # 2+ second-stage units per PSU
            psu += 1
    h, p, s2 = np.array(recs).T
    n = len(h)
    return pd.DataFrame({
        "h": h, "psu": p, "ssu": s2, "w": rng.uniform(0.5, 4, n),
        "y": 3 + rng.normal(size=n) + 0.5 * (p % 4), "x": rng.uniform(1, 3, n),
        "q": rng.choice(["a", "b", "c"], n), "dom": rng.integers(0, n_dom, n),
        "age": rng.integers(0, 3, n), "sex": rng.integers(0, 2, n),
        "N1": np.array([9, 12, 15, 20, 30, 40, 50, 60])[h % 8], "N2": 6,
    })


# ------------------------------------------------------------------ dense reference
def _stage_var(T, unit_stratum, pop, lonely_psu, ancestor):
    """One stage: T (units, D) totals, stratum of each unit, population per stratum (None:
    with replacement), ancestor fraction per stratum; the group of 'average' is the stage."""
    H = unit_stratum.max() + 1
    n_h = np.bincount(unit_stratum, minlength=H).astype(float)
    f = np.ones(H) if pop is None else (pop - n_h) / pop
    contrib = np.zeros((H, T.shape[1]))
    lonely = (n_h == 1) & (f >= 1e-7)
    for g in range(H):
        Tg = T[unit_stratum == g]
        if f[g] < 1e-7:
            continue
        if lonely[g]:
            if lonely_psu == "adjust":
                contrib[g] = f[g] * (Tg ** 2).sum(0)
            continue
        d = Tg - Tg.mean(0)
        contrib[g] = f[g] * n_h[g] / (n_h[g] - 1) * (d ** 2).sum(0)
    if lonely_psu == "average" and lonely.any():
        contrib *= H / (H - lonely.sum())
    return (contrib * ancestor[:, None]).sum(0)


def dense_variance(df, x, strata, clusters, fpc, lonely_psu):
    """Variances of the column totals of ``x`` (rows, D) under the design, from scratch."""
    n = len(df)
    h = df[strata].to_numpy() if strata else np.zeros(n, int)
    psu = df[clusters[0]].to_numpy() if clusters else np.arange(n)
    psu_codes, psu_ids = np.unique(psu, return_inverse=True)
    P = len(psu_codes)
    T1 = np.zeros((P, x.shape[1]))
    np.add.at(T1, psu_ids, x)
    psu_h = np.zeros(P, int)
    psu_h[psu_ids] = h
    H = psu_h.max() + 1
    pop1 = None
    if fpc:
        pop1 = np.zeros(H)
        pop1[h] = df[fpc[0]].to_numpy()
    v = _stage_var(T1, psu_h, pop1, lonely_psu, np.ones(H))
    if fpc and len(clusters) == 2:  # second stage: SSUs within PSUs, PSU fraction above
        key = psu_ids * 1000 + df[clusters[1]].to_numpy()
        _, ssu_ids = np.unique(key, return_inverse=True)
        T2 = np.zeros((ssu_ids.max() + 1, x.shape[1]))
        np.add.at(T2, ssu_ids, x)
        ssu_psu = np.zeros(len(T2), int)
        ssu_psu[ssu_ids] = psu_ids
        pop2 = np.zeros(P)
        pop2[psu_ids] = df[fpc[1]].to_numpy()
        frac = np.bincount(psu_h, minlength=H) / pop1
        v = v + _stage_var(T2, ssu_psu, pop2, lonely_psu, frac[psu_h])
    return v


def influence(df, kind, dom_codes, D, w):
    """Dense (rows, D) ``z`` and the estimates of a mean / ratio / total by domain."""
    y, xv = df["y"].to_numpy(), df["x"].to_numpy()
    ind = np.zeros((len(df), D))
    ind[np.arange(len(df)), dom_codes] = 1.0
    if kind == "total":
        return ind * y[:, None], ind.T @ (w * y)
    b = xv if kind == "ratio" else np.ones(len(df))
    B = ind.T @ (w * b)
    theta = (ind.T @ (w * y)) / B
    return ind * (y[:, None] - theta[None, :] * b[:, None]) / B[None, :], theta


def _doms(df):
    vals, g = np.unique(df["dom"].to_numpy(), return_inverse=True)
    return g, len(vals)


DESIGNS = [
    dict(strata="h", cluster="psu"),
    dict(strata="h", cluster="psu", fpc="N1"),
    dict(strata="h", cluster=["psu", "ssu"], fpc=["N1", "N2"]),
    dict(strata="h", cluster=["psu", "ssu"]),
    dict(strata="h"),
    dict(cluster="psu"),
]


def _kw(spec):
    clusters = spec.get("cluster")
    clusters = [clusters] if isinstance(clusters, str) else (clusters or [])
    fpc = spec.get("fpc")
    fpc = [fpc] if isinstance(fpc, str) else (fpc or [])
    return spec.get("strata"), clusters, fpc


def _close(got, want, what):
    """Equal to ``RTOL``; an SE the theory makes 0 (a domain inside one PSU) is 0 in the
    package and a rounding residue (~1e-16 of the others) in the dense reference."""
    want = np.asarray(want, dtype=float)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-14 * np.nanmax(np.abs(want)),
                               err_msg=what)


@pytest.mark.parametrize("spec", DESIGNS)
@pytest.mark.parametrize("kind", ["mean", "ratio", "total"])
def test_linearised_by_many_domains(spec, kind):
    df = _data(1)
    d = Design(df, weights="w", **spec)
    got = getattr(d, kind)("y", "x", by="dom") if kind == "ratio" else \
        getattr(d, kind)("y", by="dom")
    g, D = _doms(df)
    w = df["w"].to_numpy()
    z, theta = influence(df, kind, g, D, w)
    strata, clusters, fpc = _kw(spec)
    v = dense_variance(df, w[:, None] * z, strata, clusters, fpc, "fail")
    _close(got["estimate"].to_numpy(), theta, "estimate")
    _close(got["se"].to_numpy(), np.sqrt(v), f"{kind} se")


@pytest.mark.parametrize("policy", ["remove", "adjust", "average", "certainty"])
@pytest.mark.parametrize("fpc", [None, "N1"])
def test_lonely_psu_policies(policy, fpc):
    df = _data(2, lonely=True)
    d = Design(df, weights="w", strata="h", cluster="psu", fpc=fpc, lonely_psu=policy)
    got = d.mean("y", by="dom")
    g, D = _doms(df)
    w = df["w"].to_numpy()
    z, _ = influence(df, "mean", g, D, w)
    v = dense_variance(df, w[:, None] * z, "h", ["psu"], [fpc] if fpc else [], policy)
    _close(got["se"].to_numpy(), np.sqrt(v), f"{policy} se")


def test_proportions_by_many_domains_and_domain_df():
    df = _data(3, n_dom=60)
    d = Design(df, weights="w", strata="h", cluster="psu")
    got = d.proportion("q", by="dom", method="mean")
    g, D = _doms(df)
    w = df["w"].to_numpy()
    levels = ["a", "b", "c"]
    ind = np.zeros((len(df), D))
    ind[np.arange(len(df)), g] = 1.0
    W = ind.T @ w
    se, est = [], []
    for lv in levels:
        a = (df["q"] == lv).to_numpy(float)
        p = ind.T @ (w * a) / W
        z = ind * (a[:, None] - p[None, :]) / W[None, :]
        est.append(p)
        se.append(np.sqrt(dense_variance(df, w[:, None] * z, "h", ["psu"], [], "fail")))
    est = np.stack(est, axis=1).ravel()
    se = np.stack(se, axis=1).ravel()
    _close(got["estimate"].to_numpy(), est, "share")
    _close(got["se"].to_numpy(), se, "share se")
    # df: PSUs minus strata holding each domain
    for k in range(D):
        rows = df[g == k]
        want = rows["psu"].nunique() - rows["h"].nunique()
        assert got["df"].to_numpy()[k * 3] == want


def test_one_row_per_psu_many_empty_cells():
    rng = np.random.default_rng(4)
    n = 600
    df = pd.DataFrame({"h": rng.integers(0, 30, n), "w": rng.uniform(1, 2, n),
                       "y": rng.normal(size=n), "x": rng.uniform(1, 2, n),
                       "dom": rng.integers(0, 200, n)})
    df = df[df.groupby("h")["h"].transform("size") > 1].reset_index(drop=True)
    d = Design(df, weights="w", strata="h")
    got = d.mean("y", by="dom")
    g, D = _doms(df)
    w = df["w"].to_numpy()
    z, theta = influence(df, "mean", g, D, w)
    v = dense_variance(df, w[:, None] * z, "h", [], [], "fail")
    _close(got["se"].to_numpy(), np.sqrt(v), "se")


# ------------------------------------------------------------------ calibrated designs
def _greg_residual(z, X, d):
    """Residuals of the d-weighted least squares of each column of z on X."""
    sd = np.sqrt(d)
    beta, *_ = np.linalg.lstsq(X * sd[:, None], z * sd[:, None], rcond=None)
    return z - X @ beta


def _class_residual(z, codes, d):
    out = z.copy()
    for c in np.unique(codes):
        m = codes == c
        out[m] -= (d[m, None] * z[m]).sum(0) / d[m].sum()
    return out


@pytest.mark.parametrize("kind", ["mean", "total", "ratio"])
@pytest.mark.parametrize("spec", DESIGNS[:3])
def test_poststratified_and_calibrated_by_domain(kind, spec):
    df = _data(5)
    d0 = Design(df, weights="w", **spec)
    w0 = df["w"].to_numpy()
    age = df["age"].to_numpy()
    pop = {a: float(w0[age == a].sum()) * 1.3 for a in range(3)}
    strata, clusters, fpc = _kw(spec)
    g, D = _doms(df)
    # post-stratified
    dp = poststratify(d0, "age", pop)
    w1 = dp.weights
    z, theta = influence(df, kind, g, D, w1)
    v = dense_variance(df, w1[:, None] * _class_residual(z, age, w0), strata, clusters, fpc,
                       "fail")
    got = getattr(dp, kind)("y", "x", by="dom") if kind == "ratio" else \
        getattr(dp, kind)("y", by="dom")
    _close(got["estimate"].to_numpy(), theta, "post-stratified estimate")
    _close(got["se"].to_numpy(), np.sqrt(v), f"post-stratified {kind} se")
    # linear calibration on an intercept, age dummies and x (GREG)
    X = np.column_stack([np.ones(len(df)), age == 1, age == 2, df["x"]]).astype(float)
    totals = {"(Intercept)": 1.2 * w0.sum(), "age1": 1.1 * (w0 * X[:, 1]).sum(),
              "age2": 1.25 * (w0 * X[:, 2]).sum(), "x": 1.2 * (w0 * X[:, 3]).sum()}
    dfc = df.assign(age1=X[:, 1], age2=X[:, 2])
    dc0 = Design(dfc, weights="w", **spec)
    dc = calibrate(dc0, {"age1": totals["age1"], "age2": totals["age2"], "x": totals["x"]},
                   population_size=totals["(Intercept)"])
    w1 = dc.weights
    z, theta = influence(df, kind, g, D, w1)
    v = dense_variance(df, w1[:, None] * _greg_residual(z, X, w0), strata, clusters, fpc,
                       "fail")
    got = getattr(dc, kind)("y", "x", by="dom") if kind == "ratio" else \
        getattr(dc, kind)("y", by="dom")
    _close(got["se"].to_numpy(), np.sqrt(v), f"calibrated {kind} se")


@pytest.mark.parametrize("spec", DESIGNS[:3])
def test_raked_and_chained_by_domain(spec):
    df = _data(6)
    d0 = Design(df, weights="w", **spec)
    w0 = df["w"].to_numpy()
    age, sex = df["age"].to_numpy(), df["sex"].to_numpy()
    pa = {a: float(w0[age == a].sum()) * 1.2 for a in range(3)}
    ps = {s: float(w0[sex == s].sum()) * 1.2 for s in range(2)}
    strata, clusters, fpc = _kw(spec)
    g, D = _doms(df)
    dp = poststratify(d0, "age", pa)
    dr = rake(dp, {"age": pa, "sex": ps})
    w1 = dr.weights
    z, theta = influence(df, "mean", g, D, w1)
    # the chain as R applies it: each step's adjuster on the weighted influence values
    # divided by that step's weights (Rescaled), here written out with the steps' weights
    zz = z.copy()
    for adjust in dr.score_adjusters:
        zz = adjust(zz)
    v = dense_variance(df, w1[:, None] * zz, strata, clusters, fpc, "fail")
    got = dr.mean("y", by="dom")
    _close(got["estimate"].to_numpy(), theta, "raked estimate")
    _close(got["se"].to_numpy(), np.sqrt(v), "raked se")
    # and the shares
    got = dr.proportion("q", by="dom", method="mean")
    W = np.bincount(g, w1, minlength=D)
    want = []
    for lv in ["a", "b", "c"]:
        a = (df["q"] == lv).to_numpy(float)
        p = np.bincount(g, w1 * a, minlength=D) / W
        zl = np.zeros((len(df), D))
        zl[np.arange(len(df)), g] = (a - p[g]) / W[g]
        for adjust in dr.score_adjusters:
            zl = adjust(zl)
        want.append(np.sqrt(dense_variance(df, w1[:, None] * zl, strata, clusters, fpc,
                                           "fail")))
    _close(got["se"].to_numpy(), np.stack(want, axis=1).ravel(), "raked share se")


def test_replicate_by_domain_equals_dense():
    """JK1 by domain (sparse indicators) against the replicate formula on a dense matrix
    (domains that span several PSUs: no replicate loses a domain)."""
    df = _data(7, n_dom=4, rows_per_psu=(6, 12))
    d = Design(df, weights="w", cluster="psu").replicate("JK1")
    got = d.mean("y", by="dom")
    g, D = _doms(df)
    ind = np.zeros((len(df), D))
    ind[np.arange(len(df)), g] = 1.0
    y = df["y"].to_numpy()
    W = d.replicate_weights
    th = (W.T @ (ind * y[:, None])) / (W.T @ ind)
    R = W.shape[1]
    v = (R - 1) / R * ((th - th.mean(0)) ** 2).sum(0)
    np.testing.assert_allclose(got["se"].to_numpy(), np.sqrt(v), rtol=1e-10)


@pytest.mark.parametrize("spec", DESIGNS)
@pytest.mark.parametrize("statistic", ["F", "Chisq", "saddlepoint"])
def test_rao_scott_from_cells_equals_dense(spec, statistic, monkeypatch):
    """The Rao-Scott tests of a large table (cell covariance from the sparse unit totals)
    equal those from the dense (rows x cells) influence matrix."""
    from barotrend.design import chisq as chisq_module

    df = _data(8, n_dom=12)
    d = Design(df, weights="w", **spec)
    dense = d.chisq("dom", "q", statistic=statistic)
    monkeypatch.setattr(chisq_module, "SPARSE_MIN", 0)
    sparse = d.chisq("dom", "q", statistic=statistic)
    for col in ("statistic", "df", "df_num", "p_value", "delta_mean"):
        np.testing.assert_allclose(sparse[col].to_numpy(float), dense[col].to_numpy(float),
                                   rtol=1e-10, err_msg=col)


@pytest.mark.parametrize("kind", ["JK1", "bootstrap"])
def test_replicate_domain_df_equals_the_subset_rank(kind):
    """Domain df of a replicate design (coded once by factor pattern) equals R's degf of each
    subset, the rank of its replicate factors minus one (Design.domain_df)."""
    df = _data(9, n_dom=7, rows_per_psu=(3, 9))
    base = Design(df, weights="w", cluster="psu")
    d = base.replicate(kind, replicates=30, seed=1) if kind == "bootstrap" else \
        base.replicate(kind)
    got = d.mean("y", by="dom")["df"].to_numpy()
    g = df["dom"].to_numpy()
    want = [d.domain_df(g == k) for k in sorted(set(g))]
    np.testing.assert_array_equal(got, want)
