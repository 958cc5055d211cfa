"""Scaling of a clustered mean by domain (issue 14): time and peak memory over rows and domains,
a table, log-log slopes, a CSV and a plot.

Data as ``bench_scale.py``: ``rows`` respondents in 6,500 practices (the PSUs) within 200 areas
(the strata), weights uniform on [1, 3], a numeric ``y`` with a practice effect; the domain is
an independent cross-class ``dom`` with ``domains`` levels (uniform), so each domain spreads over
all PSUs and the non-empty (PSU, domain) cells number up to min(rows, 6,500 x domains): the
case a dense PSU-by-domain array would make cost grow as PSUs x domains.

Two sweeps:

* rows 1e5, 3e5, 1e6, 3e6, 1e7 at 6,500 domains (capped at rows / 10);
* domains 10, 100, 1,000, 10,000 at 1e6 rows.

Timed, each point (best of ``--repeat``; one round at 1e7 rows): barotrend
``Design(df, weights="w", strata="area", cluster="practice").mean("y", by="dom")`` on a design
built beforehand (a fresh design every round, the build not timed), and the bare numpy pass of
``bench_scale.np_by`` (nothing pre-coded: factorise the (PSU, domain) keys, bincounts, the
stratified variance over the non-empty cells; estimate and SE only). Peak memory: the
``tracemalloc`` peak of each call in a separate untimed run, divided by the bytes of the input
columns it reads (w, y, area, practice, dom). R ``survey`` (``svyby(~y, ~dom, d, svymean)`` on
``svydesign(ids=~practice, strata=~area, weights=~w)``; the CSV reading and svydesign not
timed), where installed, each point capped at ``--r-cap`` seconds (60) and 6 GB; once a point
passes the cap, the larger points of that sweep are not run (shown as skipped).

``cells`` counts the non-empty (PSU, domain) cells and ``bt_ns_per_row_cell`` is barotrend's
time per (row + cell) in nanoseconds: constant when the cost is O(rows + cells).

Slopes: least squares of log10(seconds) on log10(rows) or log10(domains) per tool (R: its
uncapped points only, when there are two or more). Linear in rows means slope ~1. Over
domains at fixed rows the cells grow too (10 domains: 65,000 cells; 10,000 domains: nearly one
cell per row), so an O(rows + cells) cost has a small positive slope there, bounded by the
cells' growth; a cost of PSUs x domains would have slope 1.

Writes ``<out>/scaling.csv`` (one row per sweep, point and tool) and ``<out>/scaling.png``
(log-log time and log-x memory ratio panels) and prints the table. The full run takes
about 5-10 minutes on a 2-core machine; ``--quick`` (rows 1e4 and 3e4, domains 10 and 100 at
3e4 rows, no R, files named scaling_quick.*) takes a few seconds.

Usage: python benchmarks/bench_scaling.py [--quick] [--repeat K] [--no-r] [--r-cap S]
[--out DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scale import np_by, peak_mb, r_available, run_capped  # noqa: E402

from barotrend.design import Design  # noqa: E402

H, P = 200, 6500
COLS = ["w", "y", "area", "practice", "dom"]
ROWS = [100_000, 300_000, 1_000_000, 3_000_000, 10_000_000]
DOMAINS = [10, 100, 1_000, 10_000]
R_SCRIPT = """suppressMessages(library(survey))
df <- read.csv("{csv}")
d <- svydesign(ids=~practice, strata=~area, weights=~w, data=df)
cat('READY\\n'); flush(stdout())
t <- system.time(r <- svyby(~y, ~dom, d, svymean))
cat('TIME', t[['elapsed']], '\\n')
"""


def make_data(n, domains, seed=1):
    rng = np.random.default_rng(seed)
    practice = rng.integers(0, P, n)
    u = rng.normal(size=P)[practice]
    return pd.DataFrame({"area": practice % H, "practice": practice,
                         "w": rng.uniform(1, 3, n), "y": 5 + u + rng.normal(size=n),
                         "dom": rng.integers(0, domains, n)})


def barotrend_call(df):
    d = Design(df, weights="w", strata="area", cluster="practice")
    return d, lambda: d.mean("y", by="dom")


def time_point(df, repeat):
    """Best-of-``repeat`` seconds and peak memory (MB) of barotrend and of the numpy pass."""
    a = {c: df[c].to_numpy() for c in COLS}

    def ref():
        return np_by(a["w"], a["y"], a["practice"], a["area"], a["dom"])

    t_bt = t_np = np.inf
    for _ in range(repeat):  # interleaved: drift on a shared machine stays out of the ratio
        _, call = barotrend_call(df)
        s = time.perf_counter()
        res = call()
        t_bt = min(t_bt, time.perf_counter() - s)
        s = time.perf_counter()
        m, se = ref()
        t_np = min(t_np, time.perf_counter() - s)
    # the two computations agree (same data, same estimator)
    assert np.allclose(res["estimate"].to_numpy(), m[np.argsort(pd.unique(a["dom"]))]), "estimate"
    _, call = barotrend_call(df)
    mem_bt = peak_mb(call)
    mem_np = peak_mb(ref)
    return t_bt, mem_bt, t_np, mem_np


def time_r(df, tmp, cap, mem_gb):
    csv = Path(tmp) / "scaling.csv"
    df.to_csv(csv, index=False)
    script = Path(tmp) / "scaling.R"
    script.write_text(R_SCRIPT.format(csv=csv))
    s, status, _ = run_capped(["Rscript", str(script)], cap, mem_gb)
    csv.unlink()
    return s, status


def sweep(name, points, args, r_ok, tmp):
    """Rows of the long table for one sweep over ``points`` = [(rows, domains), ...]."""
    out, r_over = [], False
    for n, D in points:
        df = make_data(n, D)
        inp = df[COLS].memory_usage(index=False).sum() / 2**20
        k = 1 if n >= 5_000_000 else args.repeat
        t_bt, mem_bt, t_np, mem_np = time_point(df, k)
        cells = len(pd.unique(df["practice"].to_numpy() * D + df["dom"].to_numpy()))
        base = {"sweep": name, "rows": n, "domains": D, "psus": P, "cells": cells,
                "input_MB": inp}
        out.append({**base, "tool": "barotrend", "seconds": t_bt, "capped": False,
                    "peak_MB": mem_bt, "mem_x": mem_bt / inp, "status": "ok"})
        out.append({**base, "tool": "numpy", "seconds": t_np, "capped": False,
                    "peak_MB": mem_np, "mem_x": mem_np / inp, "status": "ok"})
        line = (f"  {name}: rows {n:>10,} domains {D:>6,}: barotrend {t_bt:.3g} s "
                f"({mem_bt / inp:.2f}x input), numpy {t_np:.3g} s ({mem_np / inp:.2f}x)")
        if r_ok:
            if r_over:
                s, status = None, "skipped: a smaller point passed the cap"
            else:
                s, status = time_r(df, tmp, args.r_cap, args.r_mem_gb)
            capped = status == "timeout" or status.startswith("killed")
            r_over = r_over or capped or s is None
            out.append({**base, "tool": "R survey",
                        "seconds": s if s is not None else (args.r_cap if capped else np.nan),
                        "capped": capped, "peak_MB": np.nan, "mem_x": np.nan, "status": status})
            line += f", R {f'{s:.3g} s' if s is not None else status}"
        print(line, flush=True)
        del df
    return out


def slopes(long):
    """Least-squares slope of log10(seconds) on log10(x) per sweep and tool (uncapped points)."""
    res = {}
    for (sw, tool), g in long.groupby(["sweep", "tool"], sort=False):
        g = g[~g["capped"] & g["seconds"].notna()]
        x = g["rows" if sw == "rows" else "domains"].to_numpy(dtype=float)
        if len(g) >= 2 and len(np.unique(x)) >= 2:
            res[(sw, tool)] = np.polyfit(np.log10(x), np.log10(g["seconds"]), 1)[0]
    return res


def plot(long, sl, path, note):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    style = {"barotrend": ("C0", "o"), "numpy": ("C2", "s"), "R survey": ("C3", "^")}
    for col, (sw, xcol, xlabel) in enumerate(
            [("rows", "rows", "rows (log scale)"),
             ("domains", "domains", "domains (log scale)")]):
        g = long[long["sweep"] == sw]
        ax, axm = axes[0, col], axes[1, col]
        for tool, gt in g.groupby("tool", sort=False):
            c, mk = style.get(tool, ("k", "x"))
            ok = gt[~gt["capped"] & gt["seconds"].notna()]
            cap = gt[gt["capped"]]
            s = sl.get((sw, tool))
            label = tool + (f" (slope {s:.2f})" if s is not None else "")
            ax.plot(ok[xcol], ok["seconds"], marker=mk, color=c, label=label)
            if len(cap):
                ax.plot(cap[xcol], cap["seconds"], marker=mk, color=c, linestyle="none",
                        markerfacecolor="none", markersize=10,
                        label=f"{tool}: over the cap (> {cap['seconds'].iloc[0]:.0f} s)")
            if gt["mem_x"].notna().any():
                axm.plot(gt[xcol], gt["mem_x"], marker=mk, color=c, label=tool)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("seconds per call (log scale)")
        fixed = ("6,500 domains (at most rows / 10)" if sw == "rows" else
                 f"{int(g['rows'].iloc[0]):,} rows")
        ax.set_title(f"Mean by domain, clustered: time vs {sw}\n({fixed}, 6,500 PSUs, 200 strata)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        axm.set_xscale("log")
        axm.set_ylim(bottom=0)
        axm.set_xlabel(xlabel)
        axm.set_ylabel("peak traced memory / input columns' bytes")
        axm.axhline(3, color="grey", linestyle="--", linewidth=1, label="issue 14 target (3x)")
        axm.set_title(f"Peak memory vs {sw} (x: log scale, y: linear)")
        axm.grid(True, which="both", alpha=0.3)
        axm.legend(fontsize=8)
    fig.suptitle(note, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="rows 1e4, 3e4; domains 10, 100 at 3e4 rows; no R; scaling_quick.*")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--r-cap", type=float, default=60.0, help="seconds per R point (default 60)")
    ap.add_argument("--r-mem-gb", type=float, default=6.0)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    if args.quick:
        rows, domains, fixed_rows, args.repeat, args.no_r = [10_000, 30_000], [10, 100], 30_000, 1, True
        stem = "scaling_quick"
    else:
        rows, domains, fixed_rows, stem = ROWS, DOMAINS, 1_000_000, "scaling"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"scaling of a clustered mean by domain: {P:,} PSUs in {H} strata; "
          f"{os.cpu_count()} CPUs; {stamp}", flush=True)
    r_ok = False
    if args.no_r:
        print("R: skipped (--no-r / --quick)")
    else:
        why = r_available()
        r_ok = why is None
        if why:
            print(f"R: {why}, skipped")
    Design(make_data(5000, 10), weights="w", strata="area", cluster="practice").mean(
        "y", by="dom")  # imports, warm-up
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        long = sweep("rows", [(n, min(P, n // 10)) for n in rows], args, r_ok, tmp)
        long += sweep("domains", [(fixed_rows, D) for D in domains], args, r_ok, tmp)
    long = pd.DataFrame(long)
    sl = slopes(long)
    args.out.mkdir(parents=True, exist_ok=True)
    csv, png = args.out / f"{stem}.csv", args.out / f"{stem}.png"
    long.to_csv(csv, index=False, float_format="%.6g")
    plot(long, sl, png, f"barotrend vs bare numpy vs R survey; {os.cpu_count()} CPUs; {stamp}")

    wide = long.pivot_table(index=["sweep", "rows", "domains", "cells"], columns="tool",
                            values=["seconds", "mem_x"], sort=False)
    table = pd.DataFrame({
        "barotrend_s": wide[("seconds", "barotrend")],
        "numpy_s": wide[("seconds", "numpy")],
        "bt/numpy": wide[("seconds", "barotrend")] / wide[("seconds", "numpy")],
        "bt_ns_per_row_cell": wide[("seconds", "barotrend")] * 1e9 / (
            wide.index.get_level_values("rows") + wide.index.get_level_values("cells")),
        "bt_mem_x": wide[("mem_x", "barotrend")],
        "numpy_mem_x": wide[("mem_x", "numpy")],
    }).reset_index()
    if r_ok:
        r = long[long["tool"] == "R survey"].reset_index(drop=True)
        table["R_s"] = [f">{s:.0f}" if c else ("skipped" if np.isnan(s) else f"{s:.3g}")
                        for s, c in zip(r["seconds"], r["capped"], strict=True)]
    print()
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    print("\nlog-log slopes (seconds against rows or domains; O(rows + cells) means ~1 in rows "
          "and, in domains, at most the slope of rows + cells; PSUs x domains would mean 1):")
    for sw, g in long[long["tool"] == "barotrend"].groupby("sweep", sort=False):
        x = g["rows" if sw == "rows" else "domains"].to_numpy(dtype=float)
        if len(np.unique(x)) >= 2:
            s = np.polyfit(np.log10(x), np.log10(g["rows"] + g["cells"]), 1)[0]
            print(f"  {sw:8s} {'rows+cells':10s} {s:.2f}")
    for (sw, tool), s in sl.items():
        print(f"  {sw:8s} {tool:10s} {s:.2f}")
    print(f"\nwrote {csv} and {png} ({time.perf_counter() - t0:.0f} s)")
    return long


if __name__ == "__main__":
    main()
