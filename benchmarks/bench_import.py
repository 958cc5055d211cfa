"""Start-up cost: ``import barotrend``, ``barotrend --help`` and one-line errors, against
``python -c pass``, in one run.

Each command runs in a fresh interpreter K times; reported are the best-of-K wall seconds and the
ratio to ``python -c pass`` (the interpreter's own start-up), so the numbers compare across
machines. Then ``python -X importtime -c "import barotrend"`` lists the slowest imports (cumulative
microseconds), which is where to look when ``import barotrend`` grows. Issue 13 item 8 asks for
``import barotrend`` well under 1 s and ``--help`` and a one-line error under 1 s.

Usage: python benchmarks/bench_import.py [--repeat K] [--top N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable


def cli() -> list[str]:
    """The installed ``barotrend`` console script beside this interpreter, else its entry point."""
    script = Path(PY).with_name("barotrend")
    if script.exists():
        return [str(script)]
    found = shutil.which("barotrend")
    return [found] if found else [PY, "-c", "import sys; from barotrend.cli import main; "
                                  "sys.exit(main())"]


def wall(cmd: list[str], k: int) -> float:
    """Best-of-k wall seconds of a fresh process (output discarded; any exit status)."""
    best = float("inf")
    for _ in range(k):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - t)
    return best


def importtime(code: str, top: int) -> list[tuple[int, str]]:
    """The ``top`` largest cumulative import times (microseconds, module) of running code."""
    err = subprocess.run([PY, "-X", "importtime", "-c", code], capture_output=True, text=True,
                         check=True).stderr
    rows = []
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cum, name = line.split("|")
            if cum.strip().isdigit():
                rows.append((int(cum), name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--top", type=int, default=12)
    a = ap.parse_args()
    bt = cli()
    missing = os.path.join(os.sep, "no", "such", "folder")
    cases = [
        ("python -c pass", [PY, "-c", "pass"]),
        ("import barotrend", [PY, "-c", "import barotrend"]),
        ("barotrend --help", [*bt, "--help"]),
        ("barotrend report --help", [*bt, "report", "--help"]),
        ("error: bad option", [*bt, "report", "--nope"]),
        ("error: --microdata without --wave", [*bt, "report", "--microdata", "x.csv"]),
        ("error: no such folder (check)", [*bt, "check", missing]),
        ("import barotrend; bt.proportion_ci", [PY, "-c", "import barotrend as b; "
                                                "b.proportion_ci"]),
    ]
    base = wall(cases[0][1], a.repeat)
    print(f"best of {a.repeat} runs, wall seconds and ratio to `python -c pass`")
    print(f"{'command':<38} {'seconds':>8} {'ratio':>7}")
    for label, cmd in cases:
        t = base if label == "python -c pass" else wall(cmd, a.repeat)
        print(f"{label:<38} {t:8.3f} {t / base:7.1f}")
    print("\nslowest imports of `import barotrend` (python -X importtime, cumulative):")
    for cum, name in importtime("import barotrend", a.top):
        print(f"{cum / 1e6:8.3f} s  {name}")


if __name__ == "__main__":
    main()
