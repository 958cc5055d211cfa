"""DaskDesign (issue 14): every verb equals the pandas Design's numbers to 1e-10, on a local
cluster of two worker processes, including a Parquet data set larger than a worker's memory
limit; unsupported verbs and bad input give errors that say what to do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")  # the test extra installs barotrend[dask]
distributed = pytest.importorskip("dask.distributed")

from barotrend.design import Design  # noqa: E402
from barotrend.distributed import DaskDesign  # noqa: E402

WORKER_MEMORY = 400 * 2**20  # bytes per worker (an idle worker holds ~210 MiB of imports)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       memory_limit=WORKER_MEMORY, dashboard_address=":0")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def survey(n=3000, seed=7):
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 12, n)
    df = pd.DataFrame({
        "s": s, "psu": s * 100 + rng.integers(0, 6, n), "w": rng.uniform(0.5, 4, n),
        "y": rng.normal(50, 10, n), "x": rng.gamma(3, 2, n) + 0.5,
        "q": rng.choice(["no", "yes", "unsure"], n), "d": rng.integers(0, 25, n),
        "g": rng.choice(["gp", "other"], n), "age": rng.choice(["16-34", "35-64", "65+"], n),
        "sex": rng.choice(["f", "m"], n), "flag": rng.random(n) < 0.3,
    })
    df["N"] = 40.0 + 10 * df["s"]  # population PSUs per stratum
    df["f"] = 6 / df["N"]
    df["Nr"] = 2000.0 + 50 * df["s"]  # population rows per stratum
    return df


def close(got, want, cols=None):
    """Same rows, labels and numbers (relative 1e-10 of each column's scale)."""
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for c in got.columns if cols is None else cols:
        a, b = got[c], want[c]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            a, b = a.to_numpy(float), b.to_numpy(float)
            assert np.array_equal(np.isnan(a), np.isnan(b)), c
            ok = np.isfinite(b)
            assert np.array_equal(a[~ok & ~np.isnan(b)], b[~ok & ~np.isnan(b)]), c  # +-inf
            scale = np.maximum(np.abs(b[ok]), 1e-300)
            assert np.all(np.abs(a[ok] - b[ok]) <= 1e-10 * scale + 1e-14 * np.abs(b[ok]).max()
                          if ok.any() else True), (c, a, b)
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), c


DESIGNS = {
    "stratified clusters": dict(weights="w", strata="s", cluster="psu"),
    "clusters with fpc": dict(weights="w", strata="s", cluster="psu", fpc="N"),
    "clusters, fractions": dict(strata="s", cluster="psu", fpc="f"),
    "stratified rows": dict(weights="w", strata="s"),
    "rows with fpc": dict(weights="w", strata="s", fpc="Nr"),
    "unstratified clusters": dict(weights="w", cluster="psu"),
    "simple random sample": dict(),
}


@pytest.fixture(scope="module")
def data():
    return survey()


@pytest.fixture(scope="module")
def ddata(data, client):
    return dd.from_pandas(data, npartitions=5)


@pytest.mark.parametrize("name", list(DESIGNS))
def test_estimators_equal_pandas(client, data, ddata, name):
    p, q = Design(data, **DESIGNS[name]), DaskDesign(ddata, **DESIGNS[name])
    assert (q.n, q.df, q.n_psu, q.n_strata) == (p.n, p.df, p.n_psu, p.n_strata)
    for by in (None, "d", ["g", "d"]):
        close(q.mean("y", by=by), p.mean("y", by=by))
        close(q.total("y", by=by), p.total("y", by=by))
        close(q.ratio("y", "x", by=by), p.ratio("y", "x", by=by))
        close(q.proportion("q", by=by), p.proportion("q", by=by))


@pytest.mark.parametrize("policy", ["adjust", "average", "remove", "certainty"])
@pytest.mark.parametrize("cluster", [True, False])
def test_lonely_psu_policies(client, data, policy, cluster):
    df = data.copy()
    df.loc[df["s"] == 3, "psu"] = 300  # stratum 3 has one PSU
    if not cluster:
        df = pd.concat([df[df["s"] != 3], df[df["s"] == 3].head(1)])
    kw = dict(weights="w", strata="s", lonely_psu=policy, **({"cluster": "psu"} if cluster
                                                              else {}))
    p, q = Design(df, **kw), DaskDesign(dd.from_pandas(df, npartitions=4), **kw)
    close(q.mean("y", by="d"), p.mean("y", by="d"))
    close(q.total("x"), p.total("x"))


def test_nested_ids(client, data):
    df = data.assign(psu=data["psu"] % 100)  # ids repeat across strata
    kw = dict(weights="w", strata="s", cluster="psu", nest=True)
    p, q = Design(df, **kw), DaskDesign(dd.from_pandas(df, npartitions=3), **kw)
    close(q.mean("y", by="g"), p.mean("y", by="g"))
    with pytest.raises(ValueError, match="occurs in more than one stratum"):
        DaskDesign(dd.from_pandas(df, npartitions=3), weights="w", strata="s", cluster="psu")


def test_missing_values_and_domains(client, data):
    df = data.copy()
    df.loc[df.index[::37], "y"] = np.nan
    df.loc[df.index[5::41], "q"] = None
    df["area"] = df["g"].where(df.index % 53 != 0)  # some rows in no area: the "NA" domain
    kw = DESIGNS["stratified clusters"]
    p, q = Design(df, **kw), DaskDesign(dd.from_pandas(df, npartitions=4), **kw)
    for na_rm in (False, True):
        close(q.mean("y", by="area", na_rm=na_rm), p.mean("y", by="area", na_rm=na_rm))
        close(q.proportion("q", by="area", na_rm=na_rm),
              p.proportion("q", by="area", na_rm=na_rm))
    assert q.mean("y", by="area")["group"].tolist() == ["gp", "other", "NA"]


def test_boolean_and_categorical_columns(client, data):
    df = data.assign(q=pd.Categorical(data["q"], categories=["yes", "unsure", "no", "never"]))
    kw = DESIGNS["stratified clusters"]
    p, q = Design(df, **kw), DaskDesign(dd.from_pandas(df, npartitions=4), **kw)
    close(q.proportion("q", by="g"), p.proportion("q", by="g"))  # category order, "never" 0
    close(q.mean("flag", by="g"), p.mean("flag", by="g"))
    close(q.proportion("flag"), p.proportion("flag"))


@pytest.mark.parametrize("name", ["stratified clusters", "stratified rows"])
def test_compare_equals_pandas(client, data, ddata, name):
    p, q = Design(data, **DESIGNS[name]), DaskDesign(ddata, **DESIGNS[name])
    cols = ["estimate_a", "estimate_b", "difference", "se", "ci_low", "ci_high", "df",
            "statistic", "p_value", "n", "se_a", "se_b", "item", "group", "method"]
    close(q.compare("y", "g", "gp", "other"), p.compare("y", "g", "gp", "other"), cols)
    close(q.compare("q", "g", "other", "gp", level="yes"),
          p.compare("q", "g", "other", "gp", level="yes"), cols)
    got, want = q.compare("y", "g", "gp", "other"), p.compare("y", "g", "gp", "other")
    scale = float(want["se_a"].iloc[0] * want["se_b"].iloc[0])
    assert abs(float(got["cov_ab"].iloc[0] - want["cov_ab"].iloc[0])) <= 1e-10 * scale


MARGINS = {"age": {"16-34": 900, "35-64": 1500, "65+": 600},
           "sex": {"f": 1560, "m": 1440}}


@pytest.mark.parametrize("name", ["stratified clusters", "stratified rows", "clusters with fpc"])
@pytest.mark.parametrize("step", ["poststratify", "poststratify joint", "rake", "rake joint",
                                  "calibrate"])
def test_weighting_equals_pandas(client, data, ddata, name, step):
    p, q = Design(data, **DESIGNS[name]), DaskDesign(ddata, **DESIGNS[name])
    if step == "poststratify":
        args = ("age", MARGINS["age"])
    elif step == "poststratify joint":
        pop = {(a, s): 500.0 + 10 * i for i, (a, s) in
               enumerate((a, s) for a in MARGINS["age"] for s in MARGINS["sex"])}
        step, args = "poststratify", (["age", "sex"], pop)
    elif step == "rake":
        args = (MARGINS,)
    elif step == "rake joint":
        joint = {(a, g): 250.0 + 50 * i for i, (a, g) in
                 enumerate((a, g) for a in MARGINS["age"] for g in ("gp", "other"))}
        step, args = "rake", ({("age", "g"): joint,
                               "sex": {"f": 1600.0, "m": sum(joint.values()) - 1600.0}},)
    else:
        args = ({"x": 20000.0}, )
    kwargs = {"population_size": 3000} if step == "calibrate" else {}
    p, q = getattr(p, step)(*args, **kwargs), getattr(q, step)(*args, **kwargs)
    for by in (None, "d"):
        close(q.mean("y", by=by), p.mean("y", by=by))
        close(q.total("y", by=by), p.total("y", by=by))
        close(q.proportion("q", by=by), p.proportion("q", by=by))
    close(q.compare("y", "g", "gp", "other"), p.compare("y", "g", "gp", "other"),
          ["estimate_a", "estimate_b", "difference", "se", "p_value"])


def test_caller_frames_unchanged(client, data):
    before = data.copy()
    ddf = dd.from_pandas(data, npartitions=3)
    q = DaskDesign(ddf, **DESIGNS["stratified clusters"]).rake(MARGINS)
    q.mean("y", by="d")
    pd.testing.assert_frame_equal(data, before)
    pd.testing.assert_frame_equal(ddf.compute(), before, check_dtype=False)


def test_bad_input_names_the_value(client, data):
    bad = data.copy()
    bad.loc[bad.index[17], "w"] = -2.0
    with pytest.raises(ValueError, match=r"non-positive.*-2\.0 at row 17"):
        DaskDesign(dd.from_pandas(bad, npartitions=3), weights="w")
    bad = data.assign(s=data["s"].astype(float))
    bad.loc[bad.index[4], "s"] = np.nan
    with pytest.raises(ValueError, match="strata: column 's' has a missing value at row 4"):
        DaskDesign(dd.from_pandas(bad, npartitions=3), strata="s")
    bad = data.copy()
    bad.loc[bad.index[0], "N"] = 1000.0
    with pytest.raises(ValueError, match="fpc: column 'N' varies within stratum"):
        DaskDesign(dd.from_pandas(bad, npartitions=3), strata="s", cluster="psu", fpc="N")
    one = data[data["s"] == 0].assign(psu=1)
    with pytest.raises(ValueError, match="only one primary sampling unit"):
        DaskDesign(dd.from_pandas(one, npartitions=2), cluster="psu")
    q = DaskDesign(dd.from_pandas(data, npartitions=3), weights="w")
    with pytest.raises(ValueError, match="var: column 'q' is not numeric"):
        q.mean("q")
    with pytest.raises(ValueError, match="by: column 'nope' is not in the data"):
        q.mean("y", by="nope")
    inf = data.assign(y=data["y"].where(data.index != 9, np.inf))
    with pytest.raises(ValueError, match="infinite value inf at row 9"):
        DaskDesign(dd.from_pandas(inf, npartitions=3)).mean("y")
    with pytest.raises(ValueError, match="do not cover sample categor"):
        q.poststratify("age", {"16-34": 10, "35-64": 20})
    with pytest.raises(ValueError, match="a: domain 'nobody' does not occur"):
        q.compare("y", "g", "nobody", "gp")


def test_what_cannot_run_on_a_cluster_says_so(client, data):
    ddf = dd.from_pandas(data, npartitions=3)
    with pytest.raises(ValueError, match="use barotrend.distributed.DaskDesign"):
        Design(ddf)
    q = DaskDesign(ddf, weights="w", strata="s", cluster="psu")
    for verb in ("glm", "quantile", "chisq", "replicate", "contrast"):
        with pytest.raises(NotImplementedError, match=f"{verb}: not available on a dask "
                                                      "design.*compute"):
            getattr(q, verb)
    with pytest.raises(NotImplementedError, match="calfun='linear'"):
        q.calibrate({"x": 1.0}, calfun="raking")
    with pytest.raises(ValueError, match="one weighting step"):
        q.rake(MARGINS).poststratify("age", MARGINS["age"])
    with pytest.raises(ValueError, match="one sampling stage"):
        DaskDesign(ddf, cluster=["psu", "d"], fpc=["N", "N"])


def _write_parquet(folder, n_parts, rows, seed=11):
    """A barometer-shaped data set written partition by partition: 6,500 practices in 200
    areas (strata), a weight and an answer."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(0, 0.5, 6500)
    for k in range(n_parts):
        practice = rng.integers(0, 6500, rows)
        part = pd.DataFrame({"practice": practice, "area": practice % 200,
                             "w": rng.uniform(0.5, 3, rows),
                             "y": 3 + effect[practice] + rng.normal(0, 1, rows),
                             "ok": (rng.random(rows) < 0.7).astype(np.float64)})
        part.to_parquet(folder / f"part-{k:03d}.parquet", index=False)


def test_larger_than_a_worker(client, tmp_path):
    n_parts, rows = 48, 250_000  # 12M rows x 5 columns of 8 bytes: 480 MB
    _write_parquet(tmp_path, n_parts, rows)
    ddf = dd.read_parquet(str(tmp_path))
    nbytes = n_parts * rows * 5 * 8
    limits = client.run(lambda dask_worker: dask_worker.memory_manager.memory_limit)
    assert all(limit < nbytes for limit in limits.values())
    kw = dict(weights="w", strata="area", cluster="practice")
    q = DaskDesign(ddf, **kw)
    got_mean, got_share = q.mean("y", by="area"), q.mean("ok")
    whole = pd.read_parquet(tmp_path)
    p = Design(whole, **kw)
    assert q.n == len(whole) == n_parts * rows
    close(got_mean, p.mean("y", by="area"))
    close(got_share, p.mean("ok"))


def test_categories_unknown_to_dask_are_the_observed_levels(client, data, tmp_path):
    df = data.assign(q=pd.Categorical(data["q"]))
    df.to_parquet(tmp_path / "q.parquet", index=False)
    ddf = dd.read_parquet(str(tmp_path / "q.parquet"))
    kw = DESIGNS["stratified clusters"]
    close(DaskDesign(ddf, **kw).proportion("q", by="g"),
          Design(df, **kw).proportion("q", by="g"))


def test_empty_partitions_and_a_zero_denominator(client, data):
    df = data.sort_values("s").reset_index(drop=True)
    ddf = dd.from_pandas(df, npartitions=6)
    sub, pdf = ddf[ddf["s"] < 4], df[df["s"] < 4]  # the later partitions hold no row
    assert 0 in [len(p) for p in sub.partitions]
    for kw in (DESIGNS["stratified clusters"], DESIGNS["stratified rows"]):
        q, p = DaskDesign(sub, **kw), Design(pdf, **kw)
        close(q.mean("y", by="d"), p.mean("y", by="d"))
        close(q.proportion("q", by="g"), p.proportion("q", by="g"))
        margins = {"sex": {"f": 500, "m": 500}}
        close(q.rake(margins).mean("y", by="g"), p.rake(margins).mean("y", by="g"))
    zero = data.assign(x=np.where(data["g"] == "gp", 0.0, data["x"]))  # a ratio of x/0
    kw = DESIGNS["stratified rows"]
    close(DaskDesign(dd.from_pandas(zero, npartitions=3), **kw).ratio("y", "x", by="g"),
          Design(zero, **kw).ratio("y", "x", by="g"))


def test_string_columns_from_parquet_with_missing_values(client, data, tmp_path):
    # Parquet gives pandas' nullable string columns; a missing region is the "NA" domain
    df = data.assign(region=np.where(data.index % 7 == 0, None,
                                     np.where(data.index % 3 == 0, "North", "South")),
                     q=data["q"].where(data.index % 11 != 0))
    df.to_parquet(tmp_path / "s.parquet", index=False)
    ddf, back = dd.read_parquet(str(tmp_path / "s.parquet")), pd.read_parquet(tmp_path)
    kw = DESIGNS["stratified clusters"]
    q, p = DaskDesign(ddf, **kw), Design(back, **kw)
    got = q.mean("y", by="region")
    close(got, p.mean("y", by="region"))
    assert got["group"].tolist() == ["North", "South", "NA"]
    close(q.proportion("q", by=["region", "g"], na_rm=True),
          p.proportion("q", by=["region", "g"], na_rm=True))
