"""DaskDesign on a Parquet data set bigger than a worker's memory (issue 14, item 5).

Writes a barometer-shaped data set partition by partition (default 20M rows: 6,500 practices
in 200 areas, age x sex, a weight, a 1-5 answer and a yes/no answer), starts a LocalCluster
of 2 worker processes whose memory limit is below the data set's size, and times on it:
building the design (clustered by practice, stratified by area), the mean and the share by
200 areas, raking to age x sex margins and the raked mean by 200 areas. The same tasks run on
the pandas Design over the first 1M rows in the same script (rows per second compared), and
on that 1M-row sample the two paths' numbers are checked equal to 1e-10.

    python benchmarks/bench_dask.py                 # 20M rows, 512 MiB per worker
    python benchmarks/bench_dask.py --rows 2e6      # a quick run
    python benchmarks/bench_dask.py --scheduler tcp://host:8786   # an existing cluster
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PART_ROWS = 500_000
AGE = {0: 0.3, 1: 0.45, 2: 0.25}
SEX = {0: 0.52, 1: 0.48}


def write(folder: Path, rows: int, seed: int = 14) -> int:
    """The data set, ``PART_ROWS`` rows per Parquet file; returns its in-memory bytes."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(0, 0.4, 6500)
    nbytes, k, left = 0, 0, rows
    while left > 0:
        m = min(PART_ROWS, left)
        practice = rng.integers(0, 6500, m)
        age = rng.choice(3, m, p=[0.2, 0.45, 0.35]).astype(np.int8)
        part = pd.DataFrame({
            "practice": practice, "area": practice % 200, "age": age,
            "sex": (rng.random(m) < 0.55).astype(np.int8),
            "w": rng.uniform(0.5, 3, m),
            "y": np.clip(np.round(3 + effect[practice] + 0.3 * age + rng.normal(0, 1, m)), 1, 5),
            "ok": (rng.random(m) < 0.6 + 0.05 * age).astype(np.float64)})
        part.to_parquet(folder / f"part-{k:04d}.parquet", index=False)
        nbytes += int(part.memory_usage(index=False).sum())
        k, left = k + 1, left - m
    return nbytes


def tasks(design, population):
    """The timed tasks on either kind of design; each returns its result frame."""
    margins = {"age": {a: population * p for a, p in AGE.items()},
               "sex": {s: population * p for s, p in SEX.items()}}
    out = {}

    def timed(name, fn):
        t = time.perf_counter()
        res = fn()
        out[name] = (time.perf_counter() - t, res)
        return res

    timed("mean by 200 areas", lambda: design.mean("y", by="area"))
    timed("share by 200 areas", lambda: design.mean("ok", by="area"))
    raked = timed("rake to age x sex", lambda: design.rake(margins))
    timed("raked mean by 200 areas", lambda: raked.mean("y", by="area"))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=float, default=20e6)
    ap.add_argument("--worker-memory", default="512MiB")
    ap.add_argument("--scheduler", default=None, help="address of an existing dask scheduler")
    ap.add_argument("--path", default=None, help="folder for the Parquet files (default: a "
                    "temporary folder, removed at the end)")
    args = ap.parse_args(argv)

    import dask.dataframe as dd
    from dask import distributed
    from dask.utils import parse_bytes

    from barotrend.design import Design
    from barotrend.distributed import DaskDesign

    rows = int(args.rows)
    folder = Path(args.path) if args.path else Path(tempfile.mkdtemp(prefix="barotrend-dask-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        nbytes = write(folder, rows)
        print(f"wrote {rows:,} rows ({nbytes / 2**20:,.0f} MiB in memory) in "
              f"{time.perf_counter() - t:.1f} s to {folder}")
        if args.scheduler:
            client = distributed.Client(args.scheduler)
            limit = None
        else:
            limit = parse_bytes(args.worker_memory)
            cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                               processes=True, memory_limit=limit,
                                               dashboard_address=":0")
            client = distributed.Client(cluster)
            print(f"LocalCluster: 2 worker processes, {limit / 2**20:,.0f} MiB each "
                  f"(data set {nbytes / limit:.1f}x one worker's limit)")
        ddf = dd.read_parquet(str(folder))
        t = time.perf_counter()
        design = DaskDesign(ddf, weights="w", strata="area", cluster="practice")
        build = time.perf_counter() - t
        dask_out = tasks(design, 5e7)
        files = sorted(folder.glob("*.parquet"))[:2]
        sample = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        sample = sample.head(1_000_000)
        t = time.perf_counter()
        pandas_design = Design(sample, weights="w", strata="area", cluster="practice")
        pbuild = time.perf_counter() - t
        pandas_out = tasks(pandas_design, 5e7)
        # the same numbers on the same rows (a 1M-row dask frame of the sample)
        check = tasks(DaskDesign(dd.from_pandas(sample, npartitions=4), weights="w",
                                 strata="area", cluster="practice"), 5e7)
        worst = 0.0
        for name, (_, want) in pandas_out.items():
            if isinstance(want, pd.DataFrame):
                got = check[name][1]
                for c in ("estimate", "se"):
                    a, b = got[c].to_numpy(float), want[c].to_numpy(float)
                    worst = max(worst, float(np.max(np.abs(a - b) / np.abs(b))))
        print(f"\n{'task':<26}{'dask, ' + f'{rows / 1e6:g}M rows':>18}{'pandas, 1M rows':>18}"
              f"{'rows/s ratio':>16}")
        print(f"{'build the design':<26}{build:>17.2f}s{pbuild:>17.3f}s"
              f"{(rows / build) / (1e6 / pbuild):>16.2f}")
        for name, (sec, _) in dask_out.items():
            psec = pandas_out[name][0]
            print(f"{name:<26}{sec:>17.2f}s{psec:>17.3f}s{(rows / sec) / (1e6 / psec):>16.2f}")
        print(f"\ndask vs pandas on the same 1M rows: largest relative difference of estimate "
              f"and se {worst:.1e} ({'PASS' if worst < 1e-10 else 'MISS'} 1e-10)")
        client.close()
    finally:
        if not args.path:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
