"""Scale benchmark (issue 14): many domains, weighting and replicates on 1M rows, all tools on
the same data in one run.

Synthetic GP-patient-survey-shaped data (``make_data``): ``--rows`` respondents (1,000,000) in
6,500 practices within 200 commissioning areas (the strata), weights uniform on [1, 3], a
numeric ``y`` with a practice effect, a boolean ``q``, age (6 groups) and sex. Designs:

* clustered: practices are the PSUs, areas the strata (``Design(df, weights="w",
  strata="area", cluster="practice")``);
* one row per PSU: the same rows, every respondent its own PSU, areas the strata;
* JK1: practices grouped into ``--jk-groups`` (50) clusters, unstratified, JK1 replicates (R's
  ``as.svrepdesign(type="JK1")``; a JK1 over 6,500 practices would hold 6.5e9 weights).

Tasks (barotrend times each call on a freshly built design, build not included; the build is
its own row; best of ``--repeat``):

* mean and proportion (logit CI) by practice (6,500 domains), clustered and one row per PSU;
* mean and proportion by area (200 domains), one row per PSU;
* rake to age x sex margins (population = 1.1 x the sample's weighted margins);
* raked mean by area (the raked design's variance: R's raking adjuster);
* JK1 mean by area;
* build + overall proportion, against the bare numpy pass that factorises the PSUs itself.

Peers, same data, same run: R ``survey`` via ``Rscript`` on a temporary CSV (timed inside R
with ``system.time``, CSV reading excluded; each task is a separate R process capped at
``--r-timeout`` seconds, reported as ``> N s`` when it does not finish); ``svy`` and
``samplics`` when installed (skipped with a message otherwise; not dependencies). The bare
numpy reference (``np_*``): pre-factorised nothing, pd.factorize of the PSU (x domain) keys,
bincounts and the stratified variance algebra over the non-empty cells; estimate and SE only.

Peak memory: ``tracemalloc`` peak of each barotrend task (a separate, untimed run), against the
bytes of the input columns the task reads.

Usage: python benchmarks/bench_scale.py [--rows N] [--repeat K] [--no-r] [--r-timeout S]
[--jk-groups G]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from barotrend.design import Design
from barotrend.weighting import rake

H, P = 200, 6500


def make_data(n, seed=1, jk_groups=50):
    rng = np.random.default_rng(seed)
    practice = rng.integers(0, P, n)
    area = practice % H
    u = rng.normal(size=P)[practice]
    return pd.DataFrame({
        "area": area, "practice": practice, "row": np.arange(n),
        "jk": practice * jk_groups // P, "age": rng.integers(0, 6, n), "sex": rng.integers(0, 2, n),
        "w": rng.uniform(1, 3, n), "y": 5 + u + rng.normal(size=n),
        "q": rng.uniform(size=n) < special.expit(-0.8 + 0.5 * u),
    })


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


def np_prop(w, q, psu, stratum):
    """Share of True with SE and logit CI (the issue's single-pass reference)."""
    p, se = np_overall(w, q.astype(float), psu, stratum)
    half = 1.96 * se / (p * (1 - p))
    return p, se, special.expit(special.logit(p) - half), special.expit(special.logit(p) + half)


# ---------------------------------------------------------------- barotrend tasks
def designs(df):
    return {
        "clustered": lambda: Design(df, weights="w", strata="area", cluster="practice"),
        "one row per PSU": lambda: Design(df, weights="w", strata="area"),
        "JK1": lambda: Design(df, weights="w", cluster="jk").replicate("JK1"),
    }


def tasks(df):
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
    ]


def best(fn, repeat):
    out, t = None, np.inf
    for _ in range(repeat):
        s = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - s)
    return out, t


def peak_mb(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


# ---------------------------------------------------------------- R survey
R_HEAD = """suppressMessages(library(survey))
df <- read.csv("{csv}")
"""
R_TASKS = {
    "mean by practice (6,500), clustered":
        "d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df)\n"
        "t <- system.time(r <- svyby(~y, ~practice, d, svymean))",
    "proportion by practice, clustered":
        "d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df)\n"
        "t <- system.time(r <- svyby(~q, ~practice, d, svyciprop, vartype='ci'))",
    "mean by practice, one row per PSU":
        "d <- svydesign(ids=~1, strata=~area, weights=~w, data=df)\n"
        "t <- system.time(r <- svyby(~y, ~practice, d, svymean))",
    "proportion by practice, one row per PSU":
        "d <- svydesign(ids=~1, strata=~area, weights=~w, data=df)\n"
        "t <- system.time(r <- svyby(~q, ~practice, d, svyciprop, vartype='ci'))",
    "mean by area (200), one row per PSU":
        "d <- svydesign(ids=~1, strata=~area, weights=~w, data=df)\n"
        "t <- system.time(r <- svyby(~y, ~area, d, svymean))",
    "rake to age x sex":
        "d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df)\n"
        "pa <- aggregate(w ~ age, df, sum); pa$Freq <- 1.1 * pa$w; pa$w <- NULL\n"
        "ps <- aggregate(w ~ sex, df, sum); ps$Freq <- 1.1 * ps$w; ps$w <- NULL\n"
        "t <- system.time(rd <- rake(d, list(~age, ~sex), list(pa, ps)))",
    "raked mean by area (200)":
        "d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df)\n"
        "pa <- aggregate(w ~ age, df, sum); pa$Freq <- 1.1 * pa$w; pa$w <- NULL\n"
        "ps <- aggregate(w ~ sex, df, sum); ps$Freq <- 1.1 * ps$w; ps$w <- NULL\n"
        "rd <- rake(d, list(~age, ~sex), list(pa, ps))\n"
        "t <- system.time(r <- svyby(~y, ~area, rd, svymean))",
    "JK1 mean by area (200)":
        "d <- as.svrepdesign(svydesign(ids=~jk, weights=~w, data=df), type='JK1')\n"
        "t <- system.time(r <- svyby(~y, ~area, d, svymean))",
    "build + overall proportion":
        "t <- system.time({d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df);"
        " r <- svyciprop(~q, d)})",
}


def r_read_seconds(csv):
    """Wall seconds of an R process that only loads survey and reads the CSV."""
    script = Path(csv).with_suffix(".read.R")
    script.write_text(R_HEAD.format(csv=csv))
    s = time.perf_counter()
    subprocess.run(["Rscript", str(script)], capture_output=True, text=True)
    return time.perf_counter() - s


def run_r(csv, task, timeout, read_s):
    """Seconds R takes (inside R), '> N s' when the task has not finished ``timeout``
    seconds after R has read the data (the process gets ``1.5 read_s + timeout``), or None
    when R cannot run it."""
    script = Path(csv).with_suffix(".R")
    script.write_text(R_HEAD.format(csv=csv) + R_TASKS[task] + "\ncat('TIME', t[['elapsed']], '\\n')\n")
    s = time.perf_counter()
    try:
        out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True,
                             timeout=1.5 * read_s + timeout)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s"
    for line in out.stdout.splitlines():
        if line.startswith("TIME"):
            return float(line.split()[1])
    print(f"R failed on {task!r} after {time.perf_counter() - s:.0f} s: {out.stderr[-300:]}")
    return None


def r_available():
    if shutil.which("Rscript") is None:
        print("R: Rscript not found, skipped")
        return False
    if subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True).returncode:
        print("R: package 'survey' not installed, skipped")
        return False
    return True


def other_peers():
    for name in ("svy", "samplics"):
        try:
            __import__(name)
            print(f"{name}: installed but not wired into this benchmark yet (see bench_design.py)")
        except ImportError:
            print(f"{name}: not installed, skipped")


# ---------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--r-timeout", type=float, default=300.0)
    ap.add_argument("--jk-groups", type=int, default=50)
    ap.add_argument("--no-memory", action="store_true")
    args = ap.parse_args(argv)
    df = make_data(args.rows, jk_groups=args.jk_groups)
    print(f"{len(df):,} rows, {P:,} practices in {H} areas; "
          f"input columns {df.memory_usage(index=False).sum() / 2**20:.0f} MB")
    Design(df.head(5000), weights="w", strata="area").proportion("q")  # imports, warm-up
    build = designs(df)
    made = {}
    rows = []
    # build + overall proportion against the bare numpy pass (factorising the PSUs itself)
    w, q = df["w"].to_numpy(), df["q"].to_numpy()
    psu, area = df["practice"].to_numpy(), df["area"].to_numpy()
    _, t_np = best(lambda: np_prop(w, q, psu, area), args.repeat)
    _, t_bt = best(lambda: build["clustered"]().proportion("q"), args.repeat)
    rows.append({"task": "build + overall proportion", "barotrend_s": t_bt, "numpy_s": t_np})
    for name, fn in build.items():
        made[name], t = best(fn, 1)
        rows.append({"task": f"build: {name}", "barotrend_s": t})
    for task, dname, fn, cols in tasks(df):
        if dname == "raked":
            def fresh():
                return rake(build["clustered"](), margins(df))
        else:
            fresh = build[dname]
        t = np.inf
        for _ in range(args.repeat):
            d = fresh()
            s = time.perf_counter()
            fn(d)
            t = min(t, time.perf_counter() - s)
        row = {"task": task, "barotrend_s": t}
        if not args.no_memory:
            d = fresh()
            row["peak_MB"] = peak_mb(lambda d=d, fn=fn: fn(d))
            row["input_MB"] = df[cols].memory_usage(index=False).sum() / 2**20
        if task.startswith("mean by practice") or task.startswith("mean by area"):
            dom = df["area" if "area" in task else "practice"].to_numpy()
            psu_t = psu if "clustered" in task else df["row"].to_numpy()
            y = df["y"].to_numpy()
            _, row["numpy_s"] = best(lambda dom=dom, psu_t=psu_t, y=y:
                                     np_by(w, y, psu_t, area, dom), args.repeat)
        rows.append(row)
    other_peers()
    if not args.no_r and r_available():
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "scale.csv"
            df.assign(q=df["q"].astype(int)).to_csv(csv, index=False)
            read_s = r_read_seconds(csv)
            print(f"R: loading survey and reading the CSV takes {read_s:.1f} s (not timed)")
            for row in rows:
                if row["task"] in R_TASKS:
                    row["R_s"] = run_r(csv, row["task"], args.r_timeout, read_s)
                    print(f"R {row['task']}: {row['R_s']}")
    out = pd.DataFrame(rows)
    if "numpy_s" in out:
        out["x_numpy"] = out["barotrend_s"] / out["numpy_s"]
    if "R_s" in out:
        out["R_over_barotrend"] = [r / b if isinstance(r, float) else np.nan
                                   for r, b in zip(out["R_s"], out["barotrend_s"], strict=True)]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(out.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    return out


if __name__ == "__main__":
    main()
