"""Peak memory of by-domain estimates (issue 14): at most 3x the input columns' bytes.

Same data as :mod:`bench_scale` (its ``make_data``: ``--rows`` respondents, 6,500 practices in
200 areas, weights on [1, 3], a numeric ``y``, a boolean ``q``, age and sex). Designs: clustered
(practices the PSUs, areas the strata), one row per PSU (areas the strata), and the clustered
design raked to age x sex margins (``bench_scale.margins``).

What is measured, per task: the design is built first (its build memory is not counted), then
``tracemalloc`` is started and the peak of the traced memory during **one call** (the first on
that design, so the domain codes and cell codings it memoises are counted) is taken above the
traced memory just before it. That peak is reported in MB and as a ratio of the bytes of the
input columns the task reads (``DataFrame.memory_usage`` of the weight, the stratum, the PSU and
domain columns and the analysed variable; for the raked design also age and sex; ``q`` is a
boolean, one byte a row). ``kept`` is what the call leaves allocated (the design's memo). The
time is the best of ``--repeat`` first calls, each on a freshly built design, without
tracemalloc (which slows Python allocations). Target: ratio <= 3 and time <= 1 s.

Usage: python benchmarks/bench_memory.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import H, P, make_data, margins  # noqa: E402  (the same data generator)

from barotrend.design import Design  # noqa: E402
from barotrend.weighting import rake  # noqa: E402

MAX_RATIO = 3.0
MAX_SECONDS = 1.0


def designs(df):
    mg = margins(df)
    return {
        "clustered": lambda: Design(df, weights="w", strata="area", cluster="practice"),
        "one row per PSU": lambda: Design(df, weights="w", strata="area"),
        "raked (clustered)": lambda: rake(Design(df, weights="w", strata="area",
                                                 cluster="practice"), mg),
        "raked (one row per PSU)": lambda: rake(Design(df, weights="w", strata="area"), mg),
    }


def tasks():
    """(label, design, call, input columns)."""
    out = []
    for dname, psu in (("clustered", ["practice"]), ("one row per PSU", [])):
        out += [
            (f"mean by practice ({P:,}), {dname}", dname,
             lambda d: d.mean("y", by="practice"), ["w", "area", "practice", "y"]),
            (f"proportion by practice ({P:,}), {dname}", dname,
             lambda d: d.proportion("q", by="practice"), ["w", "area", "practice", "q"]),
            (f"mean by area ({H}), {dname}", dname,
             lambda d: d.mean("y", by="area"), ["w", "area", *psu, "y"]),
            (f"proportion by area ({H}), {dname}", dname,
             lambda d: d.proportion("q", by="area"), ["w", "area", *psu, "q"]),
        ]
    out += [
        (f"raked mean by area ({H}), clustered", "raked (clustered)",
         lambda d: d.mean("y", by="area"), ["w", "area", "practice", "y", "age", "sex"]),
        (f"raked mean by practice ({P:,}), clustered", "raked (clustered)",
         lambda d: d.mean("y", by="practice"), ["w", "area", "practice", "y", "age", "sex"]),
        (f"raked mean by area ({H}), one row per PSU", "raked (one row per PSU)",
         lambda d: d.mean("y", by="area"), ["w", "area", "y", "age", "sex"]),
    ]
    return out


def peak_of(fn):
    """(peak, kept) bytes traced during ``fn()`` above the traced memory before it."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = fn()
        current, peak = tracemalloc.get_traced_memory()
        del out
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return peak - base, kept, current - base


def measure(df, repeat=3, select=None):
    """One row per task: peak MB, ratio to the input columns, kept MB, seconds."""
    build = designs(df)
    small = make_data(20_000)
    warm = designs(small)
    rows = []
    for label, dname, fn, cols in tasks():
        if select and select not in label:
            continue
        fn(warm[dname]())  # imports and first-use caches outside the measurement
        in_bytes = int(df[cols].memory_usage(index=False).sum())
        d = build[dname]()
        peak, kept, _ = peak_of(lambda d=d, fn=fn: fn(d))
        del d
        t = np.inf
        for _ in range(repeat):
            d = build[dname]()
            gc.collect()
            s = time.perf_counter()
            fn(d)
            t = min(t, time.perf_counter() - s)
            del d
        rows.append({"task": label, "input_MB": in_bytes / 2**20, "peak_MB": peak / 2**20,
                     "ratio": peak / in_bytes, "kept_MB": kept / 2**20, "seconds": t,
                     "ok": peak / in_bytes <= MAX_RATIO and t <= MAX_SECONDS})
    return pd.DataFrame(rows)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--task", default=None, help="only the tasks whose label holds this text")
    args = ap.parse_args(argv)
    df = make_data(args.rows)
    print(f"{len(df):,} rows, {P:,} practices in {H} areas; peak traced memory of one call "
          f"(design built before) / bytes of the input columns it reads; target ratio <= "
          f"{MAX_RATIO:g}, time <= {MAX_SECONDS:g} s")
    out = measure(df, args.repeat, args.task)
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.max_colwidth", 60):
        print(out.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    return out


if __name__ == "__main__":
    main()
