"""Joint means, contrasts and variance frames by many domains (issue 14): the sparse influence
values against the dense computation they replace, at 1e-12.

The dense reference is the (rows x estimates) influence matrix handed to ``Design.vcov`` --
the computation every R fixture of ``svycontrast``/``svyby(covmat=TRUE)`` pins
(tests/test_parity_r.py, tests/test_contrasts.py) -- built here in plain numpy:
``z_k(i) = I_k(i) (y_i - ybar_k) / N_k``. The sparse path never forms it: per-stage sparse
products of the non-empty (unit, domain) cells, the adjusters' and frame maps' low-rank parts
(:mod:`barotrend.design.sparse_scores`). A contrast's variance is one column ``z c``, whose
variance is ``c' V c`` (bilinearity), compared with ``c' V c`` from the dense ``V``.
"""

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design, sparse_scores
from barotrend.design.contrasts import domain_means
from barotrend.weighting import adjust_nonresponse, calibrate, carry_down, poststratify, rake

RTOL = 1e-12


def _data(seed, n_strata=6, n_dom=40, lonely=False, rows_per_psu=(2, 8)):
    rng = np.random.default_rng(seed)
    recs, psu = [], 0
    for h in range(n_strata):
        n_psu = 1 if (lonely and h < 2) else int(rng.integers(2, 6))
        for _ in range(n_psu):
            for k in range(int(rng.integers(*rows_per_psu))):
                recs.append((h, psu, k % 3))
            psu += 1
    h, p, s2 = np.array(recs).T
    n = len(h)
    return pd.DataFrame({
        "h": h, "psu": p, "ssu": s2, "w": rng.uniform(0.5, 4, n),
        "y": 3 + rng.normal(size=n) + 0.5 * (p % 4), "y2": rng.normal(size=n),
        "x": rng.uniform(1, 3, n), "dom": rng.integers(0, n_dom, n),
        "age": rng.integers(0, 3, n), "sex": rng.integers(0, 2, n),
        "resp": rng.uniform(size=n) < 0.75,
        "N1": np.array([9, 12, 15, 20, 30, 40, 50, 60])[h % 8], "N2": 6,
    })


SPECS = {
    "strata+cluster": dict(strata="h", cluster="psu"),
    "one row per PSU": dict(strata="h"),
    "two stages, fpc": dict(strata="h", cluster=["psu", "ssu"], fpc=["N1", "N2"]),
    "fpc, first stage": dict(strata="h", cluster="psu", fpc="N1"),
}


def _designs():
    """Linearised designs of every kind the sparse path must follow."""
    out = {}
    for name, spec in SPECS.items():
        out[name] = Design(_data(1), weights="w", **spec)
    for policy in ("adjust", "average", "remove", "certainty"):
        out[f"lonely {policy}"] = Design(_data(2, lonely=True), weights="w", strata="h",
                                         cluster="psu", lonely_psu=policy)
    df = _data(3)
    d0 = Design(df, weights="w", strata="h", cluster="psu")
    pa = {a: 1.2 * float(df.loc[df.age == a, "w"].sum()) for a in range(3)}
    ps = {0: 0.55 * sum(pa.values()), 1: 0.45 * sum(pa.values())}
    out["post-stratified"] = poststratify(d0, "age", pa)
    out["raked"] = rake(d0, {"age": pa, "sex": ps})
    dfc = df.assign(age1=(df.age == 1).astype(float), age2=(df.age == 2).astype(float))
    dc0 = Design(dfc, weights="w", strata="h", cluster=["psu", "ssu"], fpc=["N1", "N2"])
    tot = {"age1": 1.1 * float((dfc.w * dfc.age1).sum()), "age2": 0.9 * float(
        (dfc.w * dfc.age2).sum()), "x": 1.05 * float((dfc.w * dfc.x).sum())}
    out["calibrated, two stages"] = calibrate(dc0, tot)
    out["raked after post-stratified"] = rake(out["post-stratified"], {"age": pa, "sex": ps})
    # non-response adjusted: frames
    fdf = _data(4)
    frame = Design(fdf, weights="w", strata="h", cluster="psu")
    out["non-response classes, Design frame"] = adjust_nonresponse(
        frame, "resp", by="age", min_respondents=1)
    out["non-response classes, weighted frame"] = adjust_nonresponse(
        fdf, "resp", by=["age", "sex"], weights="w", min_respondents=1)
    out["non-response propensity, Design frame"] = adjust_nonresponse(
        frame, "resp", model="~ x + C(sex)", method="propensity")
    out["non-response, then raked"] = rake(out["non-response classes, Design frame"],
                                           {"sex": {0: 300.0, 1: 280.0}})
    out["non-response census frame (post-strata)"] = adjust_nonresponse(
        fdf.drop(columns="w"), "resp", by="age", min_respondents=1)
    # two-stage reality: units adjusted on a sampled frame, respondents carried down
    units = pd.DataFrame({"org": np.arange(60), "cls": np.arange(60) % 3,
                          "st": np.arange(60) % 4, "w": np.linspace(1, 3, 60),
                          "resp": np.arange(60) % 5 != 0})
    ud = adjust_nonresponse(Design(units, weights="w", strata="st"), "resp", by="cls",
                            min_respondents=1)
    rng = np.random.default_rng(5)
    people = pd.DataFrame({"org": np.repeat(ud.data["org"].to_numpy(), 4)})
    m = len(people)
    people = people.assign(a=rng.uniform(0.5, 2, m), y=rng.normal(size=m) + people.org % 3,
                           y2=rng.normal(size=m), dom=rng.integers(0, 30, m))
    out["carried down, sampled frame"] = carry_down(ud, people, "org", within_weights="a")
    udc = adjust_nonresponse(units.drop(columns="w"), "resp", by="cls", min_respondents=1)
    out["carried down, class adjuster"] = carry_down(udc, people, "org", within_weights="a")
    return out


DESIGNS = _designs()


def _close(got, want, what):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = max(float(np.abs(want).max()), 1e-300)
    err = float(np.abs(got - want).max()) / scale
    assert err <= RTOL, f"{what}: relative error {err:.3g}"


def _sparse_z(d, seed, k=25, per_row=2):
    """Random sparse influence values: ``per_row`` columns per row, many empty cells."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(d.n), per_row)
    cols = rng.integers(0, k, len(rows))
    vals = rng.normal(size=len(rows)) + 0.3
    z = np.zeros((d.n, k))
    np.add.at(z, (rows, cols), vals)
    return rows, cols, vals, z, k


@pytest.mark.parametrize("name", list(DESIGNS))
def test_sparse_covariance_and_variances_equal_dense(name):
    d = DESIGNS[name]
    rows, cols, vals, z, k = _sparse_z(d, 7)
    dense = d.vcov(None, z)
    v = sparse_scores.sparse_vcov(d, rows, cols, vals, k)
    assert v is not None, "a sparse form exists for every design here"
    _close(v, dense, f"{name}: covariance")
    _close(sparse_scores.sparse_variances(d, rows, cols, vals, k), np.diag(dense),
           f"{name}: variances")
    c = np.random.default_rng(8).normal(size=k)
    u = sparse_scores.contrast_scores(d.n, rows, cols, vals, c)
    _close(d.vcov(None, u)[0, 0], c @ dense @ c, f"{name}: contrast")


def _dense_joint(d, cols, by):
    """Joint means and covariance by the dense (rows x estimates) indicators (the old path)."""
    Y = np.column_stack([d.data[c].to_numpy(float) for c in cols])
    values, code = d.domain_codes(by)
    ind = np.column_stack([code == g for g in range(len(values))])
    ys = np.column_stack([Y[:, [j] * len(values)] for j in range(len(cols))]) \
        if len(cols) > 1 else Y[:, [0] * len(values)]
    return domain_means(d, ys, np.tile(ind, (1, len(cols))))


@pytest.mark.parametrize("name", list(DESIGNS))
def test_joint_means_and_contrast_by_many_domains(name, monkeypatch):
    monkeypatch.setattr(sparse_scores, "SPARSE_MIN", 0)
    d = DESIGNS[name]
    means, dense = _dense_joint(d, ["y", "y2"], "dom")
    est, v = d.joint_means(["y", "y2"], by="dom")
    _close(est["estimate"], means, f"{name}: means")
    _close(v.to_numpy(), dense, f"{name}: covariance")
    _close(est["se"] ** 2, np.diag(dense), f"{name}: variances")
    c = np.random.default_rng(9).normal(size=len(means))
    r = d.contrast(["y", "y2"], c, by="dom").iloc[0]
    _close(r["estimate"], c @ means, f"{name}: contrast estimate")
    _close(r["se"] ** 2, c @ dense @ c, f"{name}: contrast variance")


def test_replicate_joint_means_and_contrast_equal_dense():
    df = _data(6, n_dom=5)
    for d in (Design(df, weights="w", strata="h", cluster="psu").replicate("JKn"),
              Design(df, weights="w", cluster="psu").replicate("bootstrap", replicates=30,
                                                               seed=2)):
        means, dense = _dense_joint(d, ["y", "y2"], "dom")
        est, v = d.joint_means(["y", "y2"], by="dom")
        _close(est["estimate"], means, "replicate means")
        _close(v.to_numpy(), dense, "replicate covariance")
        c = np.random.default_rng(10).normal(size=len(means))
        _close(d.contrast(["y", "y2"], c, by="dom")["se"].iloc[0] ** 2, c @ dense @ c,
               "replicate contrast")


def test_joint_means_domains_with_missing_values_and_empty_by():
    df = _data(7, n_dom=15)
    df.loc[::7, "y2"] = np.nan
    df["g"] = df["dom"].astype(float)
    df.loc[::11, "g"] = np.nan  # rows in no domain
    d = Design(df, weights="w", strata="h", cluster="psu")
    est, v = d.joint_means(["y", "y2"], by="g", na_rm=True)
    ok = df["y2"].notna().to_numpy()
    Y = np.where(ok[:, None], df[["y", "y2"]].to_numpy(), np.nan)
    values, code = d.domain_codes("g")
    ind = np.column_stack([(code == g) & ok for g in range(len(values))])
    means, dense = domain_means(d, np.repeat(Y, len(values), axis=1), np.tile(ind, (1, 2)))
    _close(est["estimate"], means, "means")
    _close(v.to_numpy(), dense, "covariance")
    assert est["n"].tolist() == np.tile(ind.sum(0), 2).tolist()


FRAMES = [n for n in DESIGNS if "non-response" in n or "carried" in n]


@pytest.mark.parametrize("name", FRAMES)
def test_by_domain_variances_on_frames_equal_dense(name):
    """The by-domain variances of a non-response (or carried-down) design from the frame
    maps' sparse forms (``rows_variances``) against ``Design.vcov`` of the dense (rows x
    domains) matrix, and the domain means' SEs of ``Design.mean`` from it."""
    d = DESIGNS[name]
    assert sparse_scores.has_sparse_form(d)
    rng = np.random.default_rng(11)
    dom = d.data["dom"].to_numpy() % 12
    rows = np.flatnonzero(rng.uniform(size=d.n) < 0.9)
    vals = rng.normal(size=(len(rows), 3))
    z = np.zeros((d.n, 36))
    for j in range(3):
        z[rows, dom[rows] * 3 + j] = vals[:, j]
    _close(sparse_scores.rows_variances(d, rows, dom[rows], vals, 12),
           np.diag(d.vcov(None, z)), f"{name}: levels")
    # the domain means of y, z = I_d (y - ybar_d) / W_d: the SEs of Design.mean by domain
    values, code = d.domain_codes("dom")
    D = len(values)
    y, w = d.data["y"].to_numpy(float), d.weights
    W = np.bincount(code, w, minlength=D)
    ybar = np.bincount(code, w * y, minlength=D) / W
    v = sparse_scores.rows_variances(d, None, code, ((y - ybar[code]) / W[code])[:, None], D)
    _close(np.sqrt(v), d.mean("y", by="dom")["se"], f"{name}: means")


def test_tracker_wave_means_equal_dense_domain_means():
    """The stacked tracker's wave means and covariance (GLS trend) from the rows' domain
    codes equal the dense (rows x waves) indicators' computation, with a group, missing
    answers and rows in no group."""
    from barotrend import Tracker

    rng = np.random.default_rng(12)
    n = 600
    df = pd.DataFrame({"unit": rng.integers(0, 80, n), "wave": rng.integers(0, 5, n),
                       "g": rng.choice(["a", "b", None], n), "y": rng.normal(size=n),
                       "w": rng.uniform(1, 2, n)})
    df.loc[::13, "y"] = np.nan
    d = Design(df, weights="w", cluster="unit")
    t = Tracker.from_designs(d, items="y", wave="wave", group="g")
    waves = [0, 2, 3, 4]
    y = df["y"].to_numpy(float)
    for group in (None, "b"):
        means, cov = t._wave_means("y", waves, group)
        ind = np.column_stack([(df["wave"] == w).to_numpy() & (
            True if group is None else (df["g"] == group).to_numpy()) for w in waves])
        m0, v0 = domain_means(d, y, ind)
        _close(means, m0, "wave means")
        _close(cov, v0, "wave covariance")


def test_carried_down_adjusters_take_the_cell_path_with_dense_numbers(monkeypatch):
    """carry_down keeps a unit adjuster's low-rank parts, so the by-domain estimators take
    the cell path (cells.rows_variance) on a carried-down class-adjusted design: its SEs equal
    the dense (rows x domains) path's."""
    from barotrend.design import cells

    d = DESIGNS["carried down, class adjuster"]
    assert all(hasattr(a, "lowrank") for a in d.score_adjusters)
    monkeypatch.setattr(cells, "SPARSE_ROWS_MIN", 1 << 62)
    dense = d.mean("y", by="dom")["se"].to_numpy(), d.total("y2", by="dom")["se"].to_numpy()
    monkeypatch.setattr(cells, "SPARSE_ROWS_MIN", 0)
    _close(d.mean("y", by="dom")["se"], dense[0], "mean")
    _close(d.total("y2", by="dom")["se"], dense[1], "total")


@pytest.mark.parametrize("name", FRAMES)
def test_estimators_on_frames_take_the_sparse_path_with_dense_numbers(name, monkeypatch):
    """Design.mean/total/proportion by domain on a non-response (or carried-down) design: the
    cell path through the frame's sparse maps (cells.rows_variance -> rows_variances) gives
    the dense (rows x domains) path's SEs."""
    from barotrend.design import cells

    d = DESIGNS[name]
    calls = []
    monkeypatch.setattr(sparse_scores, "rows_variances",
                        lambda *a, f=sparse_scores.rows_variances: calls.append(1) or f(*a))
    monkeypatch.setattr(cells, "SPARSE_ROWS_MIN", 1 << 62)
    dense = [d.mean("y", by="dom")["se"], d.total("y2", by="dom")["se"],
             d.proportion("dom", by="st")["se"] if "st" in d.data else None]
    assert not calls
    monkeypatch.setattr(cells, "SPARSE_ROWS_MIN", 0)
    _close(d.mean("y", by="dom")["se"], dense[0], f"{name}: mean")
    _close(d.total("y2", by="dom")["se"], dense[1], f"{name}: total")
    if dense[2] is not None:
        _close(d.proportion("dom", by="st")["se"], dense[2], f"{name}: shares")
    assert bool(calls) == (d.variance_frame is not None)  # the others: adjusters' parts
