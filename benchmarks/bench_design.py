"""Speed of barotrend.Design against a bare numpy reference, R ``survey`` and ``svy``.

Synthetic design: 1,000,000 rows, 50 strata, 2,000 PSUs (40 per stratum), 10 domains, a numeric
``y`` and a boolean ``q``. Timed (best of ``--repeat``):

* mean of ``y`` with SE, proportion of ``q`` with a logit CI, mean of ``y`` by domain;
* the same for a two-stage without-replacement design (20,000 second-stage units, 10 per PSU,
  fpc at both stages), mean by domain.

barotrend is timed on a built design (estimation) and with the design build included. The numpy
reference is a single pass of ``np.bincount`` over pre-coded PSU ids plus the stratified
variance algebra (estimate and SE only, no deff/df/n bookkeeping). R ``survey`` is timed inside
R (``system.time`` around ``svydesign`` + estimator, CSV reading excluded); ``svy`` when
importable. Peak memory: ``tracemalloc`` peak during build + estimates, against the bytes of the
input columns.

Usage: python benchmarks/bench_design.py [--rows N] [--repeat K] [--no-r] [--r-timeout S]
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
from scipy import special, stats

from barotrend.design import Design

H, P, D, SSU_PER_PSU = 50, 2000, 10, 10


def make_data(n, seed=1):
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, P, n)
    ssu = rng.integers(0, SSU_PER_PSU, n)
    stratum = psu % H
    u = rng.normal(size=P)[psu]
    return pd.DataFrame({
        "stratum": stratum, "psu": psu, "ssu": ssu,
        "w": rng.uniform(1, 3, n), "y": 5 + u + rng.normal(size=n),
        "q": rng.uniform(size=n) < special.expit(-0.8 + 0.5 * u),
        "dom": rng.integers(0, D, n),
        "fpc1": np.full(n, 4 * P // H), "fpc2": np.full(n, 50),
    })


# ---------------------------------------------------------------- bare numpy reference
def _strat_var(t, psu_stratum):
    nh = np.bincount(psu_stratum, minlength=H).astype(float)
    tbar = np.stack([np.bincount(psu_stratum, t[:, j], minlength=H) for j in range(t.shape[1])],
                    axis=1) / nh[:, None]
    d = t - tbar[psu_stratum]
    return ((nh / (nh - 1))[psu_stratum][:, None] * d * d).sum(0)


def ref_mean(w, y, psu, psu_stratum):
    wy = w * y
    sw = np.bincount(psu, w, minlength=P)
    swy = np.bincount(psu, wy, minlength=P)
    m = swy.sum() / sw.sum()
    t = ((swy - m * sw) / sw.sum())[:, None]
    return m, np.sqrt(_strat_var(t, psu_stratum))[0]


def ref_prop(w, q, psu, psu_stratum):
    p, se = ref_mean(w, q.astype(float), psu, psu_stratum)
    tq = stats.t.ppf(0.975, P - H)
    half = tq * se / (p * (1 - p))
    return p, se, special.expit(special.logit(p) - half), special.expit(special.logit(p) + half)


def ref_by(w, y, psu, dom, psu_stratum):
    code = psu * D + dom
    sw = np.bincount(code, w, minlength=P * D).reshape(P, D)
    swy = np.bincount(code, w * y, minlength=P * D).reshape(P, D)
    W = sw.sum(0)
    m = swy.sum(0) / W
    t = (swy - m * sw) / W
    return m, np.sqrt(_strat_var(t, psu_stratum))


def best(f, k):
    times = []
    for _ in range(k):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


R_SCRIPT = r"""
suppressMessages(library(survey))
d <- read.csv("{csv}")
d$q <- as.numeric(d$q == "True")
tm <- function(expr) unname(system.time(expr)["elapsed"])
t_mean <- tm({{des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
               svymean(~y, des)}})
t_prop <- tm({{des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
               svyciprop(~q, des, method = "logit")}})
t_by <- tm({{des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
             svyby(~y, ~dom, des, svymean)}})
cat(sprintf("%.4f %.4f %.4f\n", t_mean, t_prop, t_by))
d$ssu2 <- d$psu * 100 + d$ssu
t_two <- tm({{des2 <- svydesign(id = ~psu + ssu2, strata = ~stratum, fpc = ~fpc1 + fpc2,
                                weights = ~w, data = d)
              svyby(~y, ~dom, des2, svymean)}})
cat(sprintf("%.4f\n", t_two))
"""


def run_r(df, timeout):
    if shutil.which("Rscript") is None:
        print("R: Rscript not found, skipped")
        return None
    ok = subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True)
    if ok.returncode != 0:
        print("R: package 'survey' not installed, skipped")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "bench.csv"
        df.to_csv(csv, index=False)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.format(csv=csv))
        try:
            out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired as e:
            lines = (e.stdout or b"").decode().split() if isinstance(e.stdout, bytes) else \
                (e.stdout or "").split()
            vals = [float(x) for x in lines]
            print(f"R: timed out after {timeout} s (two-stage svyby > {timeout} s)")
            return vals + [float("inf")] * (4 - len(vals))
    if out.returncode != 0:
        print("R failed:", out.stderr[-500:])
        return None
    return [float(x) for x in out.stdout.split()]


def run_svy(df):
    try:
        import svy  # noqa: F401
    except ImportError:
        print("svy: package not installed, skipped")
        return None
    print("svy: installed, but no timing adapter written for its API; skipped")
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--r-timeout", type=float, default=900)
    args = ap.parse_args()
    df = make_data(args.rows)
    k = args.repeat
    w, y, q = (df[c].to_numpy() for c in ("w", "y", "q"))
    psu, dom = df["psu"].to_numpy(), df["dom"].to_numpy()
    psu_stratum = np.arange(P) % H

    # correctness check of the reference against barotrend
    d = Design(df, weights="w", strata="stratum", cluster="psu")
    m, se = ref_mean(w, y, psu, psu_stratum)
    r = d.mean("y")
    assert np.isclose(r["estimate"][0], m) and np.isclose(r["se"][0], se)
    mb, seb = ref_by(w, y, psu, dom, psu_stratum)
    rb = d.mean("y", by="dom")
    assert np.allclose(rb["estimate"], mb) and np.allclose(rb["se"], seb)

    def build():
        return Design(df, weights="w", strata="stratum", cluster="psu")

    def build2():
        return Design(df, weights="w", strata="stratum", cluster=["psu", "ssu"],
                      fpc=["fpc1", "fpc2"])

    d2 = build2()
    rows = []
    t_build = best(build, k)
    t_build2 = best(build2, k)
    for name, f_bt, f_ref, tb in (
            ("mean + SE", lambda: d.mean("y"), lambda: ref_mean(w, y, psu, psu_stratum),
             t_build),
            ("proportion + logit CI", lambda: d.proportion("q"),
             lambda: ref_prop(w, q, psu, psu_stratum), t_build),
            ("mean by 10 domains", lambda: d.mean("y", by="dom"),
             lambda: ref_by(w, y, psu, dom, psu_stratum), t_build),
            ("two-stage fpc, mean by domain", lambda: d2.mean("y", by="dom"), None, t_build2)):
        t_bt = best(f_bt, k)
        t_ref = best(f_ref, k) if f_ref else float("nan")
        rows.append({"task": name, "barotrend_s": t_bt, "with_build_s": t_bt + tb,
                     "numpy_ref_s": t_ref, "ratio_vs_numpy": t_bt / t_ref,
                     "ratio_with_build": (t_bt + tb) / t_ref})

    # peak memory
    cols = ["stratum", "psu", "ssu", "w", "y", "q", "dom", "fpc1", "fpc2"]
    input_bytes = int(df[cols].memory_usage(index=False, deep=True).sum())
    tracemalloc.start()
    dd = build2()
    dd.mean("y", by="dom")
    dd.proportion("q")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    res = pd.DataFrame(rows)
    rt = None if args.no_r else run_r(df, args.r_timeout)
    if rt:
        res["R_survey_s"] = rt[:4]
        res["R_over_barotrend_build"] = res["R_survey_s"] / res["with_build_s"]
    elif args.no_r:
        print("R: skipped (--no-r)")
    run_svy(df)
    pd.set_option("display.width", 160)
    print(f"rows {args.rows:,}, strata {H}, PSUs {P}, SSUs {P * SSU_PER_PSU:,}, domains {D}; "
          f"build {t_build:.3f} s (two-stage {t_build2:.3f} s)")
    print(res.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    print(f"peak traced memory {peak / 2**20:.1f} MiB = {peak / input_bytes:.2f} x the input "
          f"columns ({input_bytes / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
