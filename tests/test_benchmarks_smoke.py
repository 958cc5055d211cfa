"""The scale benchmarks still run (issue 14 item 6): ``--quick`` smoke runs of
benchmarks/bench_scale.py and benchmarks/bench_scaling.py in a subprocess, through the public
API only. They must exit 0 and print their tables; no timing is asserted (the figures live in
benchmarks/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script, *args, cwd):
    out = subprocess.run([sys.executable, str(BENCH / script), "--quick", *args],
                         capture_output=True, text=True, timeout=600, cwd=cwd)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_bench_scale_quick_prints_table_and_targets(tmp_path):
    text = run("bench_scale.py", cwd=tmp_path)
    header = next(line for line in text.splitlines() if line.strip().startswith("task"))
    for col in ("barotrend_s", "numpy_s", "x_numpy", "peak_MB", "input_MB", "mem_x"):
        assert col in header.split(), (col, header)
    assert "peers: skipped" in text
    targets = text.split("Targets (issue 14):")[1].splitlines()
    verdicts = [line.split()[0] for line in targets if line.strip()]
    # 4 tasks x (time, memory) + raked + rake + 3 build-included rows + the Dask line
    assert len(verdicts) == 14, targets
    assert set(verdicts) <= {"PASS", "MISS", "UNDECIDED", "n/a"}


def test_bench_scaling_quick_writes_csv_plot_and_slopes(tmp_path):
    text = run("bench_scaling.py", "--out", str(tmp_path), cwd=tmp_path)
    header = next(line for line in text.splitlines() if line.strip().startswith("sweep"))
    for col in ("rows", "domains", "cells", "barotrend_s", "numpy_s", "bt/numpy",
                "bt_ns_per_row_cell", "bt_mem_x"):
        assert col in header.split(), (col, header)
    assert "log-log slopes" in text
    long = pd.read_csv(tmp_path / "scaling_quick.csv")
    assert set(long["tool"]) == {"barotrend", "numpy"}
    assert sorted(long.loc[long["sweep"] == "rows", "rows"].unique()) == [10_000, 30_000]
    assert sorted(long.loc[long["sweep"] == "domains", "domains"].unique()) == [10, 100]
    assert (long["seconds"] > 0).all() and (long["mem_x"] > 0).all()
    assert (tmp_path / "scaling_quick.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
