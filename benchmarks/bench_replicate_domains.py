"""Replicate designs by domain (issue 14): build and estimates by 200 domains on 1M rows.

Same data shape as ``bench_scale.py``: ``--rows`` respondents (1,000,000) in 6,500 practices
within 200 areas, weights uniform on [1, 3], a numeric ``y`` with a practice effect, a 0/1
``q``, and practices grouped into ``--jk-groups`` (50) clusters ``jk``. Designs:

* JK1: ``Design(df, weights="w", cluster="jk").replicate("JK1")`` (50 replicates; R's
  ``as.svrepdesign(svydesign(ids=~jk, weights=~w), type="JK1")``);
* bootstrap: practices as PSUs in the 200 areas, Rao-Wu, 50 replicates;
* BRR: two PSUs per area (``practice // 200 % 2`` nested in the areas), R's Hadamard
  matrix of order 208;
* JK1 on practices: the 6,500 practices as PSUs, 6,500 replicates (as (n, R) weights that would
  be 52 GB; barotrend keeps which PSU each replicate deletes);
* JKn on practices: the practices as PSUs within the 200 areas, 6,500 replicates (factors
  kept as a 6,500 x 6,500 matrix; its df by the rank argument, no SVD);
* JK1 given: the JK1 weights handed over as an (n, 50) array (``Design.from_replicate_weights``
  path: the general sparse-indicator product, one read of the weights).

Tasks, each by area (200 domains): mean, total, ratio (y / (1 + q)), proportion of q. The
build (``Design(...)`` + ``.replicate(...)``) is its own row. barotrend times are the best of
``--repeat`` calls. The bare numpy reference (JK1 mean by area): pd.factorize of the JK
groups and areas, bincounts of the (group, area) cells, each replicate's domain totals as the
total minus the deleted group's cell (x n/(n-1)), the JK1 variance; estimate and SE only.
R ``survey`` (when ``Rscript`` is installed, skip with ``--no-r``): the JK1 mean and total by
area with ``svyby``, timed inside R (CSV reading excluded). Peak memory: ``tracemalloc`` of
the JK1 mean by area against the bytes of the columns it reads.

Usage: python benchmarks/bench_replicate_domains.py [--rows N] [--repeat K] [--no-r]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import best  # noqa: E402  (best of n runs, as bench_scale times)

from barotrend.design import Design  # noqa: E402

H, P = 200, 6500


def make_data(n, seed=1, jk_groups=50):
    rng = np.random.default_rng(seed)
    practice = rng.integers(0, P, n)
    u = rng.normal(size=P)[practice]
    return pd.DataFrame({
        "area": practice % H, "practice": practice, "jk": practice * jk_groups // P,
        "half": practice // H % 2, "w": rng.uniform(1, 3, n), "y": 5 + u + rng.normal(size=n),
        "q": (rng.uniform(size=n) < 1 / (1 + np.exp(0.8 - 0.5 * u))).astype(float)})


def np_jk1_mean(w, y, psu, dom):
    """JK1 domain means and SEs from the (PSU, domain) cell totals: replicate r deletes PSU r
    and multiplies the rest by n/(n-1), so its domain totals are (T - C_r) n/(n-1)."""
    pc, pu = pd.factorize(psu)
    dc, du = pd.factorize(dom)
    n, D = len(pu), len(du)
    key = pc * D + dc
    cw = np.bincount(key, w, minlength=n * D).reshape(n, D)
    cy = np.bincount(key, w * y, minlength=n * D).reshape(n, D)
    tw, ty = cw.sum(0), cy.sum(0)
    m = ty / tw
    reps = (ty - cy) / (tw - cw)  # n/(n-1) cancels in a ratio
    c = reps.mean(0)
    return m, np.sqrt((n - 1) / n * ((reps - c) ** 2).sum(0))


R_HEAD = 'suppressMessages(library(survey))\ndf <- read.csv("{csv}")\n' \
         "d <- as.svrepdesign(svydesign(ids=~jk, weights=~w, data=df), type='JK1')\n"
R_TASKS = {"JK1 mean by area": "t <- system.time(r <- svyby(~y, ~area, d, svymean))",
           "JK1 total by area": "t <- system.time(r <- svyby(~y, ~area, d, svytotal))"}


def run_r(csv, task):
    script = Path(csv).with_suffix(".R")
    script.write_text(R_HEAD.format(csv=csv) + R_TASKS[task]
                      + "\ncat('TIME', t[['elapsed']], '\\n')\n"
                      + "cat('SE1', sprintf('%.17g', SE(r)[1]), '\\n')\n")
    out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True)
    got = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in ("TIME", "SE1"):
            got[parts[0]] = float(parts[1])
    if "TIME" not in got:
        print(f"R failed on {task!r}: {out.stderr[-300:]}")
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    df = make_data(args.rows)
    builds = {
        "JK1": lambda: Design(df, weights="w", cluster="jk").replicate("JK1"),
        "bootstrap": lambda: Design(df, weights="w", strata="area", cluster="practice")
        .replicate("bootstrap", replicates=50, seed=1),
        "BRR": lambda: Design(df, weights="w", strata="area", cluster="half", nest=True)
        .replicate("BRR"),
        "JK1 on practices": lambda: Design(df, weights="w", cluster="practice").replicate("JK1"),
        "JKn on practices": lambda: Design(df, weights="w", strata="area", cluster="practice")
        .replicate("JKn"),
    }
    tasks = {"mean": lambda d: d.mean("y", by="area"),
             "total": lambda d: d.total("y", by="area"),
             "ratio": lambda d: d.ratio("y", "q1", by="area"),
             "proportion": lambda d: d.proportion("q", by="area", method="beta")}
    df["q1"] = 1 + df["q"]
    rows = []
    designs = {}
    for name, build in builds.items():
        d, t = best(build, args.repeat)
        designs[name] = d
        rows.append((f"{name} build", t))
    jk = designs["JK1"]
    rw = jk.replicate_weights  # the JK1 weights as an (n, R) array: the general path
    given = jk._replace(replicate_weights=rw)
    designs["JK1 given (n x R)"] = given
    res = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, d in designs.items():
            for task, fn in tasks.items():
                res[(name, task)], t = best(lambda fn=fn, d=d: fn(d), args.repeat)
                rows.append((f"{name} {task} by area (200)", t))
    (m, se), t_np = best(lambda: np_jk1_mean(df["w"].to_numpy(), df["y"].to_numpy(),
                                             df["jk"].to_numpy(), df["area"].to_numpy()),
                         args.repeat)
    ours = res[("JK1", "mean")].set_index("group")
    order = [str(a) for a in pd.factorize(df["area"])[1]]
    np.testing.assert_allclose(ours.loc[order, "se"], se, rtol=1e-9)
    np.testing.assert_allclose(ours.loc[order, "estimate"], m, rtol=1e-12)
    t_jk = dict(rows)["JK1 mean by area (200)"]
    tracemalloc.start()
    jk.mean("y", by="area")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    cols = df[["w", "jk", "area", "y"]].memory_usage(index=False).sum() / 2**20

    print(f"rows {args.rows:,}, practices {P:,}, areas {H}, best of {args.repeat}\n")
    print(f"{'task':<44} {'barotrend':>10}")
    for task, t in rows:
        print(f"{task:<44} {t:>9.3f}s")
    print(f"\nnumpy reference JK1 mean by area: {t_np:.3f} s; barotrend / numpy "
          f"{t_jk / t_np:.1f}x (estimates and SEs equal, rtol 1e-9)")
    print(f"JK1 mean by area peak memory {peak:.0f} MiB ({peak / cols:.2f}x the {cols:.0f} MiB "
          "of the columns it reads)")
    if args.no_r or not shutil.which("Rscript"):
        print("R: skipped" + ("" if args.no_r else " (Rscript not found)"))
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv = str(Path(tmp) / "data.csv")
        df[["jk", "area", "w", "y"]].to_csv(csv, index=False)
        for task, key in (("JK1 mean by area", ("JK1", "mean")),
                          ("JK1 total by area", ("JK1", "total"))):
            got = run_r(csv, task)
            if "TIME" in got:
                ours_t = dict(rows)[f"{key[0]} {key[1]} by area (200)"]
                se0 = float(res[key].set_index("group").loc["0", "se"])
                print(f"R {task}: {got['TIME']:.2f} s; R / barotrend {got['TIME'] / ours_t:.0f}x"
                      f" (SE of area 0: R {got['SE1']:.12g}, barotrend {se0:.12g})")


if __name__ == "__main__":
    main()
