"""Memory of by-domain estimates (issue 14) and the lean codings behind it.

The target: one by-domain estimate with thousands of domains peaks at no more than 3x the
bytes of the input columns it reads. A ratio of traced bytes is deterministic (the same code
allocates the same arrays), unlike a wall-clock threshold, so it is asserted here, on 200,000
rows in 6,500 practices within 200 areas (benchmarks/bench_memory.py measures 1M rows).

With one row per unit the rows are the cells of the sparse path; its variances are pinned
here against the stratified with-replacement formula written out in numpy (a design whose PSU
ids are not in row order, which the cell path once mismatched), and the calibrated path's
chunked adjuster totals (RowTotals) against the design's own dense adjuster applied to the
dense (rows x domains) influence matrix, at 1e-12.
"""

import gc
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from scipy import special

from barotrend.design import Design, cells
from barotrend.design.sparse import factorize, factorize_pairs, unique_keys
from barotrend.weighting import rake

MAX_RATIO = 3.0
N, P, H = 200_000, 6_500, 200


def _data(n, seed=1):
    rng = np.random.default_rng(seed)
    practice = rng.integers(0, P, n)
    u = rng.normal(size=P)[practice]
    return pd.DataFrame({
        "area": practice % H, "practice": practice, "age": rng.integers(0, 6, n),
        "sex": rng.integers(0, 2, n), "w": rng.uniform(1, 3, n),
        "y": 5 + u + rng.normal(size=n),
        "q": rng.uniform(size=n) < special.expit(-0.8 + 0.5 * u),
    })


def _margins(df):
    return {"age": (df.groupby("age")["w"].sum() * 1.1).to_dict(),
            "sex": (df.groupby("sex")["w"].sum() * 1.1).to_dict()}


@pytest.fixture(scope="module")
def big():
    return _data(N)


DESIGNS = {
    "clustered": lambda df: Design(df, weights="w", strata="area", cluster="practice"),
    "row": lambda df: Design(df, weights="w", strata="area"),
    "raked": lambda df: rake(Design(df, weights="w", strata="area", cluster="practice"),
                             _margins(df)),
    "raked row": lambda df: rake(Design(df, weights="w", strata="area"), _margins(df)),
}
TASKS = [  # (design, call, input columns); the peaks were 3.1x to 8.6x before issue 14
    ("clustered", lambda d: d.proportion("q", by="practice"), ["w", "area", "practice", "q"]),
    ("row", lambda d: d.mean("y", by="practice"), ["w", "area", "practice", "y"]),
    ("row", lambda d: d.proportion("q", by="practice"), ["w", "area", "practice", "q"]),
    ("row", lambda d: d.proportion("q", by="area"), ["w", "area", "q"]),
    ("raked", lambda d: d.mean("y", by="area"), ["w", "area", "practice", "y", "age", "sex"]),
    ("raked row", lambda d: d.mean("y", by="practice"), ["w", "area", "practice", "y", "age",
                                                          "sex"]),
]


@pytest.mark.parametrize("kind, call, cols", TASKS,
                         ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(TASKS)])
def test_peak_within_three_times_the_input(big, kind, call, cols):
    call(DESIGNS[kind](big.head(3000)))  # imports and first-use caches, not measured
    d = DESIGNS[kind](big)  # the design's build is not counted
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        call(d)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    ratio = peak / big[cols].memory_usage(index=False).sum()
    assert ratio <= MAX_RATIO, f"peak {peak / 2**20:.1f} MB = {ratio:.2f} x the input columns"


# ------------------------------------------------------------------ one row per unit
def _strat_var(x, h):
    """Stratified with-replacement variance of the column totals of x (rows, D): per stratum
    n_h / (n_h - 1) sum_i (x_i - xbar_h)^2 (one PSU per row)."""
    v = np.zeros(x.shape[1])
    for s in np.unique(h):
        xs = x[h == s]
        v += len(xs) / (len(xs) - 1) * ((xs - xs.mean(0)) ** 2).sum(0)
    return v


def _one_row_data(n, seed, n_dom=150):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"h": rng.integers(0, 12, n), "id": rng.permutation(n) * 7 + 3,
                         "dom": rng.integers(0, n_dom, n), "w": rng.uniform(0.5, 3, n),
                         "y": 2 + rng.normal(size=n), "q": rng.choice(["a", "b", "c"], n),
                         "age": rng.integers(0, 4, n), "sex": rng.integers(0, 2, n)})


@pytest.mark.parametrize("n, n_dom", [(1500, 150), (40_000, 30)])  # one chunk, many chunks
def test_one_row_per_psu_ids_out_of_order(n, n_dom):
    df = _one_row_data(n, 3, n_dom)
    w, y, h = df["w"].to_numpy(), df["y"].to_numpy(), df["h"].to_numpy()
    g = df["dom"].to_numpy()
    D = g.max() + 1
    ind = np.zeros((n, D))
    ind[np.arange(n), g] = 1.0
    W = ind.T @ w
    theta = ind.T @ (w * y) / W
    x_mean = w[:, None] * ind * (y[:, None] - theta) / W
    x_total = w[:, None] * ind * y[:, None]
    for d in (Design(df, weights="w", strata="h", cluster="id"),  # ids not in row order
              Design(df, weights="w", strata="h")):
        got = d.mean("y", by="dom")
        np.testing.assert_allclose(got["estimate"], theta, rtol=1e-12)
        np.testing.assert_allclose(got["se"], np.sqrt(_strat_var(x_mean, h)), rtol=1e-12)
        got = d.total("y", by="dom")
        np.testing.assert_allclose(got["se"], np.sqrt(_strat_var(x_total, h)), rtol=1e-12)
        got = d.proportion("q", by="dom", method="mean")
        want = []
        for lv in "abc":
            a = (df["q"] == lv).to_numpy(float)
            p = ind.T @ (w * a) / W
            want.append(np.sqrt(_strat_var(w[:, None] * ind * (a[:, None] - p) / W, h)))
        np.testing.assert_allclose(got["se"], np.stack(want, axis=1).ravel(), rtol=1e-12)
        # domain df: PSUs (rows) holding the domain minus the strata holding it (R's degf)
        want_df = [((g == k).sum() - len(np.unique(h[g == k]))) for k in range(D)]
        np.testing.assert_array_equal(got["df"].to_numpy()[::3], want_df)


@pytest.mark.parametrize("n", [2000, 40_000])
def test_raked_one_row_per_psu_by_domain_equals_dense(n, monkeypatch):
    monkeypatch.setattr(cells, "SPARSE_ROWS_MIN", 0)  # the cell path at any size
    df = _one_row_data(n, 5, n_dom=40)
    w0 = df["w"].to_numpy()
    age, sex = df["age"].to_numpy(), df["sex"].to_numpy()
    pa = {a: float(w0[age == a].sum()) * 1.2 for a in range(4)}
    ps = {s: float(w0[sex == s].sum()) * 1.2 for s in range(2)}
    dr = rake(Design(df, weights="w", strata="h"), {"age": pa, "sex": ps})
    w1, h, y = dr.weights, df["h"].to_numpy(), df["y"].to_numpy()
    g = df["dom"].to_numpy()
    D = g.max() + 1
    ind = np.zeros((n, D))
    ind[np.arange(n), g] = 1.0
    W = ind.T @ w1
    theta = ind.T @ (w1 * y) / W
    z = ind * (y[:, None] - theta) / W
    for adjust in dr.score_adjusters:  # the design's own dense adjuster (R's sweeps)
        z = adjust(z)
    got = dr.mean("y", by="dom")
    np.testing.assert_allclose(got["estimate"], theta, rtol=1e-12)
    np.testing.assert_allclose(got["se"], np.sqrt(_strat_var(w1[:, None] * z, h)), rtol=1e-12)
    got = dr.proportion("q", by="dom", method="mean")
    want = []
    for lv in "abc":
        a = (df["q"] == lv).to_numpy(float)
        p = ind.T @ (w1 * a) / W
        zl = ind * (a[:, None] - p) / W
        for adjust in dr.score_adjusters:
            zl = adjust(zl)
        want.append(np.sqrt(_strat_var(w1[:, None] * zl, h)))
    np.testing.assert_allclose(got["se"], np.stack(want, axis=1).ravel(), rtol=1e-12)


# ------------------------------------------------------------------ chunked codings
@pytest.mark.parametrize("chunk", [1, 3, 64, 1 << 16])
def test_factorize_in_chunks_equals_pandas(chunk):
    rng = np.random.default_rng(2)
    keys = rng.integers(0, 50, 1000) * 1_000_003 + rng.integers(0, 3, 1000)
    codes, uniq = factorize(keys, chunk=chunk)
    want_codes, want_uniq = pd.factorize(keys, sort=False)
    np.testing.assert_array_equal(codes, want_codes)
    np.testing.assert_array_equal(uniq, want_uniq)
    np.testing.assert_array_equal(unique_keys(keys, chunk=chunk), pd.unique(keys))
    distinct = rng.permutation(5000)  # mostly distinct keys: taken at once, same codes
    c, u = factorize(distinct, chunk=64)
    np.testing.assert_array_equal(c, np.arange(5000))
    np.testing.assert_array_equal(u, distinct)


def test_factorize_pairs_codes_and_parts():
    rng = np.random.default_rng(4)
    a, b = rng.integers(0, 30, 100_000), rng.integers(0, 7, 100_000)
    amap = rng.integers(0, 5, 30)
    codes, ka, kb = factorize_pairs(a, b, 7, amap=amap)
    assert codes.dtype == np.int32
    want, uniq = pd.factorize(amap[a] * 7 + b, sort=False)
    np.testing.assert_array_equal(codes, want)
    np.testing.assert_array_equal(ka, uniq // 7)
    np.testing.assert_array_equal(kb, uniq % 7)
