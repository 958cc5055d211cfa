"""Scale benchmark (issue 14): many domains, weighting and replicates on 1M rows, every tool on
the same data in one run, and each of the issue's targets checked (PASS / MISS).

Synthetic GP-patient-survey-shaped data (``make_data``): ``--rows`` respondents (1,000,000) in
6,500 practices within 200 commissioning areas (the strata), weights uniform on [1, 3], a
numeric ``y`` with a practice effect, a boolean ``q``, age (6 groups), sex and ``d10``, a
10-level cross-class. Designs:

* clustered: practices are the PSUs, areas the strata (``Design(df, weights="w",
  strata="area", cluster="practice")``);
* one row per PSU: the same rows, every respondent its own PSU, areas the strata;
* raked: the clustered design raked to age x sex margins (population = 1.1 x the sample's
  weighted margins);
* JK1: practices grouped into ``--jk-groups`` (50) clusters, unstratified, JK1 replicates (R's
  ``as.svrepdesign(type="JK1")``; a JK1 over 6,500 practices would hold 6.5e9 weights).

Tasks. Most time one call on a design built beforehand (build not timed; the builds have their
own ``build:`` rows); the three ``build + ...`` rows time the build and one estimate together,
against the bare numpy pass (the issue's target: at most 1.5x). Best of ``--repeat``; a fresh
design for every barotrend round (nothing remembered between rounds); the cheap
build-included rows interleave barotrend and numpy rounds (at least 7) so that a shared
machine's drift stays out of their ratio.

* mean and proportion (logit CI) by practice (6,500 domains), clustered and one row per PSU;
* mean by area (200 domains), one row per PSU;
* rake to age x sex; raked mean by area (R's raking variance adjuster); JK1 mean by area;
* build + mean by 10 domains (clustered), build + overall mean, build + overall proportion.

The bare numpy reference (``numpy_s``): nothing pre-coded; ``pd.factorize`` of the PSU
(x domain) keys, bincounts and the stratified variance algebra over the non-empty cells;
estimate and SE only (the proportion adds its logit CI). ``x_numpy`` = barotrend / numpy.

Peers, same data, same run, each task in its own child process: R ``survey`` via ``Rscript``
(the data written once as CSV and converted once to an uncompressed RDS file that each R
task reads), ``svy`` and ``samplics`` (``pip install svy samplics``; skipped with a
message when absent; not dependencies of barotrend) on the same rows regenerated from the
same seed. Each child prepares what barotrend gets untimed (reads the data, builds the design
or replicate weights, rakes before a raked mean), prints READY, then times the one call
itself (R: ``system.time``). A child is killed ``--peer-timeout`` seconds (60) after READY, or
when its process tree's resident memory passes ``--peer-mem-gb`` (6 GB); the time is then
shown as ``>60`` and its ratio as a lower bound (``>=``). ``<peer>/bt`` = peer seconds /
barotrend seconds.

Peak memory (``peak_MB``): ``tracemalloc`` peak of the barotrend call in a separate, untimed
run (Design built beforehand; for the ``build + ...`` rows the build is inside), against the
bytes of the input columns the task reads (``input_MB``); ``mem_x`` = peak / input.

Targets (issue 14, printed after the table with PASS / MISS / UNDECIDED):
6,500-domain estimates at most 1 s and 3x the input memory; raked mean by 200 domains at most
1 s; rake at most 0.5 s; at least 50x faster than svy and R wherever either takes over 10 s
(samplics reported too); the build-included rows at most 1.5x numpy. The Dask target is not
measured here.

Usage: python benchmarks/bench_scale.py [--rows N] [--repeat K] [--quick] [--no-peers]
[--no-r] [--no-svy] [--no-samplics] [--peer-timeout S] [--peer-mem-gb G] [--jk-groups G]
[--no-memory] [--csv PATH]

``--csv PATH``: also write the table (a ``<peer>_capped`` column marks a peer time that is
the cap, its ratio then a lower bound) and ``<PATH stem>_targets.csv`` (verdict, target).

``--quick``: 20,000 rows, one round, no peers (a smoke run of a few seconds).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from barotrend.design import Design
from barotrend.weighting import rake

H, P = 200, 6500
HERE = Path(__file__).resolve()


def make_data(n, seed=1, jk_groups=50):
    rng = np.random.default_rng(seed)
    practice = rng.integers(0, P, n)
    area = practice % H
    u = rng.normal(size=P)[practice]
    df = pd.DataFrame({
        "area": area, "practice": practice, "row": np.arange(n),
        "jk": practice * jk_groups // P, "age": rng.integers(0, 6, n), "sex": rng.integers(0, 2, n),
        "w": rng.uniform(1, 3, n), "y": 5 + u + rng.normal(size=n),
        "q": rng.uniform(size=n) < special.expit(-0.8 + 0.5 * u),
    })
    df["d10"] = rng.integers(0, 10, n)  # drawn last: the other columns as in earlier rounds
    return df


def margins(df):
    return {"age": (df.groupby("age")["w"].sum() * 1.1).to_dict(),
            "sex": (df.groupby("sex")["w"].sum() * 1.1).to_dict()}


# ---------------------------------------------------------------- bare numpy reference
def np_by(w, y, psu, stratum, dom=None):
    """Weighted mean of y (overall or by domain) with its stratified cluster SE: factorise
    the (PSU, domain) keys, bincount, one-pass per-(stratum, domain) sums of squares."""
    pc, pu = pd.factorize(psu)
    ps = np.zeros(len(pu), dtype=np.int64)
    ps[pc] = pd.factorize(stratum)[0]
    n_h = np.bincount(ps).astype(float)
    if dom is None:
        dc, D = np.zeros(len(w), dtype=np.int64), 1
    else:
        dc, du = pd.factorize(dom)
        D = len(du)
    cell, keys = pd.factorize(pc * D + dc)
    sw = np.bincount(cell, w)
    swy = np.bincount(cell, w * y)
    cd = keys % D
    W = np.bincount(cd, sw, minlength=D)
    m = np.bincount(cd, swy, minlength=D) / W
    t = (swy - m[cd] * sw) / W[cd]
    g, gk = pd.factorize(ps[keys // D] * D + cd)
    nh = n_h[gk // D]
    s1 = np.bincount(g, t)
    s2 = np.bincount(g, t * t)
    v = np.bincount(gk % D, nh / (nh - 1) * (s2 - s1 * s1 / nh), minlength=D)
    return m, np.sqrt(v)


def np_overall(w, y, psu, stratum):
    """Overall weighted mean with its stratified cluster SE: factorise the PSUs and strata,
    two bincounts over the PSUs, the stratified variance of the PSU totals."""
    pc, pu = pd.factorize(psu)
    sc, su = pd.factorize(stratum)
    ps = np.zeros(len(pu), dtype=np.int64)
    ps[pc] = sc
    sw = np.bincount(pc, w)
    swy = np.bincount(pc, w * y)
    W = sw.sum()
    m = swy.sum() / W
    t = (swy - m * sw) / W
    n_h = np.bincount(ps).astype(float)
    tbar = np.bincount(ps, t) / n_h
    d = t - tbar[ps]
    return m, np.sqrt((n_h / (n_h - 1))[ps] @ (d * d))


def _logit_ci(p, se):
    with np.errstate(divide="ignore", invalid="ignore"):
        half = 1.96 * se / (p * (1 - p))
        return special.expit(special.logit(p) - half), special.expit(special.logit(p) + half)


def np_prop(w, q, psu, stratum):
    """Share of True with SE and logit CI (the issue's single-pass reference)."""
    p, se = np_overall(w, q.astype(float), psu, stratum)
    return p, se, *_logit_ci(p, se)


def np_prop_by(w, q, psu, stratum, dom):
    """Share of True by domain with SE and logit CI."""
    p, se = np_by(w, q.astype(float), psu, stratum, dom)
    return p, se, *_logit_ci(p, se)


# ---------------------------------------------------------------- tasks
def designs(df):
    return {
        "clustered": lambda: Design(df, weights="w", strata="area", cluster="practice"),
        "one row per PSU": lambda: Design(df, weights="w", strata="area"),
        "raked": lambda: rake(Design(df, weights="w", strata="area", cluster="practice"),
                              margins(df)),
        "JK1": lambda: Design(df, weights="w", cluster="jk").replicate("JK1"),
    }


def clustered(df):
    return Design(df, weights="w", strata="area", cluster="practice")


def numpy_refs(df):
    """The bare numpy pass of each task that has one (nothing pre-coded)."""
    a = {c: df[c].to_numpy() for c in ("w", "y", "q", "practice", "area", "row", "d10")}
    w, y, q, pr, ar, row = (a[c] for c in ("w", "y", "q", "practice", "area", "row"))
    return {
        "mean by practice (6,500), clustered": lambda: np_by(w, y, pr, ar, pr),
        "proportion by practice, clustered": lambda: np_prop_by(w, q, pr, ar, pr),
        "mean by practice, one row per PSU": lambda: np_by(w, y, row, ar, pr),
        "proportion by practice, one row per PSU": lambda: np_prop_by(w, q, row, ar, pr),
        "mean by area (200), one row per PSU": lambda: np_by(w, y, row, ar, ar),
        "build + mean by 10 domains, clustered": lambda: np_by(w, y, pr, ar, a["d10"]),
        "build + overall mean, clustered": lambda: np_overall(w, y, pr, ar),
        "build + overall proportion, clustered": lambda: np_prop(w, q, pr, ar),
    }


def tasks(df):
    """(task, design key or None when the call builds its own, call, input columns read)."""
    mg = margins(df)
    return [
        ("mean by practice (6,500), clustered", "clustered", lambda d: d.mean("y", by="practice"),
         ["w", "area", "practice", "y"]),
        ("proportion by practice, clustered", "clustered",
         lambda d: d.proportion("q", by="practice"), ["w", "area", "practice", "q"]),
        ("mean by practice, one row per PSU", "one row per PSU",
         lambda d: d.mean("y", by="practice"), ["w", "area", "practice", "y"]),
        ("proportion by practice, one row per PSU", "one row per PSU",
         lambda d: d.proportion("q", by="practice"), ["w", "area", "practice", "q"]),
        ("mean by area (200), one row per PSU", "one row per PSU",
         lambda d: d.mean("y", by="area"), ["w", "area", "y"]),
        ("rake to age x sex", "clustered", lambda d: rake(d, mg), ["w", "age", "sex"]),
        ("raked mean by area (200)", "raked", lambda d: d.mean("y", by="area"),
         ["w", "area", "practice", "y", "age", "sex"]),
        ("JK1 mean by area (200)", "JK1", lambda d: d.mean("y", by="area"),
         ["w", "jk", "area", "y"]),
        ("build + mean by 10 domains, clustered", None,
         lambda _: clustered(df).mean("y", by="d10"), ["w", "area", "practice", "y", "d10"]),
        ("build + overall mean, clustered", None, lambda _: clustered(df).mean("y"),
         ["w", "area", "practice", "y"]),
        ("build + overall proportion, clustered", None, lambda _: clustered(df).proportion("q"),
         ["w", "area", "practice", "q"]),
    ]


SIX_K = ["mean by practice (6,500), clustered", "proportion by practice, clustered",
         "mean by practice, one row per PSU", "proportion by practice, one row per PSU"]
BUILD_ROWS = ["build + mean by 10 domains, clustered", "build + overall mean, clustered",
              "build + overall proportion, clustered"]


def best(fn, repeat):
    out, t = None, np.inf
    for _ in range(repeat):
        s = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - s)
    return out, t


def peak_mb(fn):
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 2**20


# ---------------------------------------------------------------- peers: R survey
R_HEAD = """suppressMessages(library(survey))
df <- readRDS("{rds}")
"""
R_CONVERT = 'saveRDS(read.csv("{csv}"), "{rds}", compress=FALSE)\n'  # once, untimed
R_CLU = "d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df)\n"
R_ONE = "d <- svydesign(ids=~1, strata=~area, weights=~w, data=df)\n"
R_RAKE = ("pa <- aggregate(w ~ age, df, sum); pa$Freq <- 1.1 * pa$w; pa$w <- NULL\n"
          "ps <- aggregate(w ~ sex, df, sum); ps$Freq <- 1.1 * ps$w; ps$w <- NULL\n")
R_TASKS = {  # task: (untimed preparation, timed expression)
    "mean by practice (6,500), clustered": (R_CLU, "r <- svyby(~y, ~practice, d, svymean)"),
    "proportion by practice, clustered":
        (R_CLU, "r <- svyby(~q, ~practice, d, svyciprop, vartype='ci')"),
    "mean by practice, one row per PSU": (R_ONE, "r <- svyby(~y, ~practice, d, svymean)"),
    "proportion by practice, one row per PSU":
        (R_ONE, "r <- svyby(~q, ~practice, d, svyciprop, vartype='ci')"),
    "mean by area (200), one row per PSU": (R_ONE, "r <- svyby(~y, ~area, d, svymean)"),
    "rake to age x sex": (R_CLU + R_RAKE, "rd <- rake(d, list(~age, ~sex), list(pa, ps))"),
    "raked mean by area (200)":
        (R_CLU + R_RAKE + "rd <- rake(d, list(~age, ~sex), list(pa, ps))\n",
         "r <- svyby(~y, ~area, rd, svymean)"),
    "JK1 mean by area (200)":
        ("d <- as.svrepdesign(svydesign(ids=~jk, weights=~w, data=df), type='JK1')\n",
         "r <- svyby(~y, ~area, d, svymean)"),
    "build + mean by 10 domains, clustered":
        ("", "{d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df);"
             " r <- svyby(~y, ~d10, d, svymean)}"),
    "build + overall mean, clustered":
        ("", "{d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df);"
             " r <- svymean(~y, d)}"),
    "build + overall proportion, clustered":
        ("", "{d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df);"
             " r <- svyciprop(~q, d)}"),
}


def r_script(rds, task):
    prep, timed = R_TASKS[task]
    return (R_HEAD.format(rds=rds) + prep + "cat('READY\\n'); flush(stdout())\n"
            f"t <- system.time({timed})\ncat('TIME', t[['elapsed']], '\\n')\n")


def r_available():
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    if subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True).returncode:
        return "R package 'survey' not installed"
    return None


# ---------------------------------------------------------------- peers: svy and samplics
def svy_task(df, task):
    """(prepare, call) for svy on ``df``; the call is what is timed."""
    import polars as pl
    import svy

    data = pl.from_pandas(df)

    def sample(**kw):
        return svy.Sample(data, svy.Design(wgt="w", **kw))

    def clu():
        return sample(stratum="area", psu="practice")

    def one():
        return sample(stratum="area")

    mg = margins(df)
    table = {
        "mean by practice (6,500), clustered":
            (clu, lambda s: s.estimation.mean("y", by="practice")),
        "proportion by practice, clustered":
            (clu, lambda s: s.estimation.prop("q", by="practice", ci_method="logit")),
        "mean by practice, one row per PSU": (one, lambda s: s.estimation.mean("y", by="practice")),
        "proportion by practice, one row per PSU":
            (one, lambda s: s.estimation.prop("q", by="practice", ci_method="logit")),
        "mean by area (200), one row per PSU": (one, lambda s: s.estimation.mean("y", by="area")),
        "rake to age x sex": (clu, lambda s: s.weighting.rake(controls=mg)),
        "raked mean by area (200)": (lambda: clu().weighting.rake(controls=mg),
                                     lambda s: s.estimation.mean("y", by="area")),
        "JK1 mean by area (200)":
            (lambda: sample(psu="jk").weighting.create_jk_wgts(),
             lambda s: s.estimation.mean("y", by="area", method="replication")),
        "build + mean by 10 domains, clustered":
            (lambda: None, lambda _: clu().estimation.mean("y", by="d10")),
        "build + overall mean, clustered": (lambda: None, lambda _: clu().estimation.mean("y")),
        "build + overall proportion, clustered":
            (lambda: None, lambda _: clu().estimation.prop("q", ci_method="logit")),
    }
    prep, call = table[task]

    def timed(s):
        out = call(s)
        return out.to_polars() if hasattr(out, "to_polars") else out

    return prep, timed


def samplics_task(df, task):
    """(prepare, call) for samplics on ``df``: no design object, each estimate takes the arrays."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived"
        from samplics import ReplicateEstimator, TaylorEstimator
        from samplics.utils import PopParam, RepMethod
        from samplics.weighting import ReplicateWeight, SampleWeight

    a = {c: df[c].to_numpy() for c in df}
    mg = margins(df)

    def taylor(param, y, psu, dom, w=None):
        e = TaylorEstimator(param)
        e.estimate(a[y], a["w"] if w is None else w, stratum=a["area"], psu=a[psu],
                   domain=None if dom is None else a[dom])
        return e

    def raked():
        return SampleWeight().rake(a["w"], {"age": a["age"], "sex": a["sex"]}, control=mg)

    def jk_weights():
        rw = ReplicateWeight(RepMethod.jackknife, strat=False).replicate(a["w"], a["jk"])
        return rw.iloc[:, 2:].to_numpy()

    def jk_mean(rw):
        e = ReplicateEstimator(RepMethod.jackknife, PopParam.mean)
        e.estimate(a["y"], a["w"], rw, domain=a["area"])
        return e

    def none():
        return None

    table = {
        "mean by practice (6,500), clustered":
            (none, lambda _: taylor(PopParam.mean, "y", "practice", "practice")),
        "proportion by practice, clustered":
            (none, lambda _: taylor(PopParam.prop, "q", "practice", "practice")),
        "mean by practice, one row per PSU":
            (none, lambda _: taylor(PopParam.mean, "y", "row", "practice")),
        "proportion by practice, one row per PSU":
            (none, lambda _: taylor(PopParam.prop, "q", "row", "practice")),
        "mean by area (200), one row per PSU":
            (none, lambda _: taylor(PopParam.mean, "y", "row", "area")),
        "rake to age x sex": (none, lambda _: raked()),
        "raked mean by area (200)":
            (raked, lambda rw: taylor(PopParam.mean, "y", "practice", "area", w=rw)),
        "JK1 mean by area (200)": (jk_weights, jk_mean),
        "build + mean by 10 domains, clustered":
            (none, lambda _: taylor(PopParam.mean, "y", "practice", "d10")),
        "build + overall mean, clustered":
            (none, lambda _: taylor(PopParam.mean, "y", "practice", None)),
        "build + overall proportion, clustered":
            (none, lambda _: taylor(PopParam.prop, "q", "practice", None)),
    }
    return table[task]


PY_PEERS = {"svy": svy_task, "samplics": samplics_task}


def child(peer, task, rows, jk_groups):
    """Child process of a Python peer: prepare untimed, print READY, time the call."""
    warnings.simplefilter("ignore")
    df = make_data(rows, jk_groups=jk_groups)
    prep, call = PY_PEERS[peer](df, task)
    obj = prep()
    print("READY", flush=True)
    s = time.perf_counter()
    call(obj)
    print("TIME", time.perf_counter() - s, flush=True)


def peer_version(peer):
    """Installed version of a Python peer, or None (checked in a child: no import here)."""
    code = (f"import warnings; warnings.simplefilter('ignore'); import {peer}; "
            f"print(getattr({peer}, '__version__', '?'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def _tree_rss_gb(pid):
    """Resident memory of a process and its descendants (Linux /proc), GB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total / 2**30


def run_capped(cmd, timeout, mem_gb, setup_timeout=900):
    """Run a peer child; returns (seconds or None, status, peak RSS GB). The child prints READY
    when its untimed preparation is done and ``TIME <s>`` after the timed call; it is killed
    (its whole process group) ``timeout`` s after READY or when its tree passes ``mem_gb``."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    out, err, ready = [], [], threading.Event()

    def read_out():
        for line in p.stdout:
            out.append(line)
            if line.startswith("READY"):
                ready.set()

    def read_err():
        for line in p.stderr:
            err.append(line)

    threads = [threading.Thread(target=f, daemon=True) for f in (read_out, read_err)]
    for th in threads:
        th.start()
    start, t_ready, peak, status = time.perf_counter(), None, 0.0, None
    while p.poll() is None:
        time.sleep(0.05)
        now = time.perf_counter()
        peak = max(peak, _tree_rss_gb(p.pid))
        if t_ready is None and ready.is_set():
            t_ready = now
        if peak > mem_gb:
            status = f"killed at {peak:.1f} GB"
        elif t_ready is not None and now - t_ready > timeout:
            status = "timeout"
        elif t_ready is None and now - start > setup_timeout:
            status = "setup timeout"
        if status:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            break
    for th in threads:
        th.join(timeout=5)
    for line in out:
        if line.startswith("TIME"):
            return float(line.split()[1]), "ok", peak
    if status is None:
        status = "failed: " + "".join(err)[-300:].strip().replace("\n", " | ")
    return None, status, peak


# ---------------------------------------------------------------- targets
def _fmt_s(v, capped):
    return f">{v:.0f}" if capped else f"{v:.3g}"


def targets(out, peers, cap):
    """The issue's targets as (verdict, text) lines."""
    lines = []
    by = out.set_index("task")

    def verdict(ok):
        return "PASS" if ok else "MISS"

    for task in SIX_K:
        r = by.loc[task]
        lines.append((verdict(r["barotrend_s"] <= 1.0),
                      f"{task}: {r['barotrend_s']:.3g} s (target <= 1 s)"))
        if "mem_x" in by and np.isfinite(r["mem_x"]):
            lines.append((verdict(r["mem_x"] <= 3.0),
                          f"{task}: peak {r['mem_x']:.2f}x the input columns (target <= 3x)"))
    t = by.loc["raked mean by area (200)", "barotrend_s"]
    lines.append((verdict(t <= 1.0), f"raked mean by area (200): {t:.3g} s (target <= 1 s)"))
    t = by.loc["rake to age x sex", "barotrend_s"]
    lines.append((verdict(t <= 0.5), f"rake to age x sex: {t:.3g} s (target <= 0.5 s)"))
    for task in BUILD_ROWS:
        x = by.loc[task, "x_numpy"]
        lines.append((verdict(x <= 1.5), f"{task}: {x:.2f}x the numpy pass (target <= 1.5x)"))
    for peer in peers:
        if f"{peer}_s" not in by:
            continue
        for task, r in by.iterrows():
            s, capped = r.get(f"{peer}_s"), bool(r.get(f"{peer}_capped", False))
            if s is None or not np.isfinite(s) or s <= 10:
                continue
            ratio = s / r["barotrend_s"]
            text = (f"{task}: {peer} {_fmt_s(s, capped)} s, barotrend {r['barotrend_s']:.3g} s, "
                    f"{'>=' if capped else ''}{ratio:.0f}x (target >= 50x when a peer "
                    "takes > 10 s)")
            if ratio >= 50:
                lines.append(("PASS", text))
            elif capped:
                lines.append(("UNDECIDED", text + f"; raise --peer-timeout above {cap:.0f} s"))
            else:
                lines.append(("MISS", text))
    lines.append(("n/a", "Dask 20M-row Parquet by 200 domains: not measured by this script"))
    return lines


# ---------------------------------------------------------------- main
def run_peers(df, rows_out, args, quick):
    """Time every task on every available peer; adds <peer>_s / <peer>_capped to the rows."""
    peers = []
    if quick or args.no_peers:
        print("peers: skipped (--quick / --no-peers)")
        return peers
    names = [t for t, *_ in tasks(df)]
    wanted = [p for p in ("R", "svy", "samplics") if not getattr(args, f"no_{p.lower()}")]
    for p in ("R", "svy", "samplics"):
        if p not in wanted:
            print(f"{p}: skipped (--no-{p.lower()})")
    with tempfile.TemporaryDirectory() as tmp:
        for peer in wanted:
            if peer == "R":
                why = r_available()
                if why:
                    print(f"R: {why}, skipped")
                    continue
                csv, rds = Path(tmp) / "scale.csv", Path(tmp) / "scale.rds"
                df.assign(q=df["q"].astype(int)).to_csv(csv, index=False)
                conv = Path(tmp) / "convert.R"
                conv.write_text(R_CONVERT.format(csv=csv, rds=rds))
                subprocess.run(["Rscript", str(conv)], check=True, capture_output=True)
                label = "R"
            else:
                version = peer_version(peer)
                if version is None:
                    print(f"{peer}: not installed (pip install {peer}), skipped")
                    continue
                label = peer
                print(f"{peer} {version}")
            peers.append(label)
            for task, row in zip(names, rows_out, strict=True):
                if peer == "R":
                    script = Path(tmp) / "task.R"
                    script.write_text(r_script(rds, task))
                    cmd = ["Rscript", str(script)]
                else:
                    cmd = [sys.executable, str(HERE), "--child", peer, "--child-task", task,
                           "--rows", str(args.rows), "--jk-groups", str(args.jk_groups)]
                s, status, rss = run_capped(cmd, args.peer_timeout, args.peer_mem_gb)
                capped = s is None and (status == "timeout" or status.startswith("killed"))
                row[f"{label}_s"] = s if s is not None else (
                    args.peer_timeout if capped else np.nan)
                row[f"{label}_capped"] = capped
                shown = f"{s:.3g} s" if s is not None else status
                print(f"  {label:8s} {task}: {shown} (peak RSS {rss:.1f} GB)", flush=True)
    return peers


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="20,000 rows, one round, no peers")
    ap.add_argument("--no-peers", action="store_true", help="skip R, svy and samplics")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-svy", action="store_true")
    ap.add_argument("--no-samplics", action="store_true")
    ap.add_argument("--peer-timeout", "--r-timeout", type=float, default=60.0,
                    help="seconds a peer's timed call may run (default 60)")
    ap.add_argument("--peer-mem-gb", type=float, default=6.0,
                    help="resident memory at which a peer is killed (default 6 GB)")
    ap.add_argument("--jk-groups", type=int, default=50)
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--csv", type=Path, help="also write the table (seconds, ratios) here")
    ap.add_argument("--child", choices=sorted(PY_PEERS), help=argparse.SUPPRESS)
    ap.add_argument("--child-task", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child, args.child_task, args.rows, args.jk_groups)
    if args.quick:
        args.rows, args.repeat = 20_000, 1
    df = make_data(args.rows, jk_groups=args.jk_groups)
    print(f"{len(df):,} rows, {P:,} practices in {H} areas; input columns "
          f"{df.memory_usage(index=False).sum() / 2**20:.0f} MB; {os.cpu_count()} CPUs; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    Design(df.head(5000), weights="w", strata="area").proportion("q")  # imports, warm-up
    build = designs(df)
    refs = numpy_refs(df)
    rows = []
    for name in ("clustered", "one row per PSU", "JK1"):
        _, t = best(build[name], 1)
        rows.append({"task": f"build: {name}", "barotrend_s": t})
    timed = []
    for task, dname, fn, cols in tasks(df):
        row = {"task": task}
        if dname is None:  # build included: interleave with the numpy pass
            k = max(args.repeat, 7) if not args.quick else 1
            tb, tn = [], []
            for _ in range(k):
                tb.append(best(lambda fn=fn: fn(None), 1)[1])
                tn.append(best(refs[task], 1)[1])
            row["barotrend_s"], row["numpy_s"] = min(tb), min(tn)
        else:
            t = np.inf
            for _ in range(args.repeat):
                d = build[dname]()
                s = time.perf_counter()
                fn(d)
                t = min(t, time.perf_counter() - s)
            row["barotrend_s"] = t
            if task in refs:
                row["numpy_s"] = best(refs[task], args.repeat)[1]
        if not args.no_memory:
            d = None if dname is None else build[dname]()
            row["peak_MB"] = peak_mb(lambda d=d, fn=fn: fn(d))
            row["input_MB"] = df[cols].memory_usage(index=False).sum() / 2**20
            row["mem_x"] = row["peak_MB"] / row["input_MB"]
        print(f"  barotrend {task}: {row['barotrend_s']:.3g} s", flush=True)
        timed.append(row)
    peers = run_peers(df, timed, args, args.quick)
    out = pd.DataFrame(rows + timed)
    if "numpy_s" in out:
        out["x_numpy"] = out["barotrend_s"] / out["numpy_s"]
    table = out.drop(columns=[c for c in out if c.endswith("_capped")])
    for peer in peers:
        cap = out[f"{peer}_capped"].eq(True)
        ratio = out[f"{peer}_s"] / out["barotrend_s"]
        table[f"{peer}_s"] = [_fmt_s(v, c) if np.isfinite(v) else "-"
                              for v, c in zip(out[f"{peer}_s"], cap, strict=True)]
        table[f"{peer}/bt"] = [("-" if not np.isfinite(r) else f">={r:.0f}" if c else f"{r:.3g}")
                               for r, c in zip(ratio, cap, strict=True)]
    print()
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False, na_rep="-", float_format=lambda x: f"{x:.3g}"))
    print("\nTargets (issue 14):")
    verdicts = targets(out, peers, args.peer_timeout)
    for verdict, text in verdicts:
        print(f"  {verdict:9s} {text}")
    if args.csv:
        for peer in peers:
            out[f"{peer}_over_barotrend"] = out[f"{peer}_s"] / out["barotrend_s"]
        out.to_csv(args.csv, index=False, float_format="%.6g")
        pd.DataFrame(verdicts, columns=["verdict", "target"]).to_csv(
            args.csv.with_name(args.csv.stem + "_targets.csv"), index=False)
        print(f"wrote {args.csv}")
    return out


if __name__ == "__main__":
    main()
