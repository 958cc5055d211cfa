"""Speed of the rounding-aware searches against a brute-force numpy scan, in one run.

``feasible_counts(percent, n)`` and ``proportion_ci(..., rounding="union")`` must be arithmetic
(cost independent of ``n`` apart from the feasible counts themselves). The reference scans every
count ``0..n`` with numpy and keeps those whose percentage rounds (half-up) to the published
figure. Reported: best-of-K seconds and the ratio reference / barotrend for n up to 1,000,000.

Usage: python benchmarks/bench_figures.py [--repeat K]
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_design import best  # the same best-of-K timer (scripts run from benchmarks/)

from barotrend.figures import feasible_counts, proportion_ci


def brute(percent, n, decimals):
    k = np.arange(n + 1)
    scaled = 100 * k / n * 10**decimals
    return k[np.floor(scaled + 0.5) == round(percent * 10**decimals)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    k = ap.parse_args().repeat
    print(f"{'n':>9} {'feasible_counts_s':>18} {'brute_numpy_s':>14} {'ratio':>7} "
          f"{'union_ci_s':>11} counts")
    for n in (1_000, 10_000, 100_000, 1_000_000):
        mine = feasible_counts(37.2, n, decimals=1)["count"].to_numpy()
        ref = brute(37.2, n, 1)
        assert np.array_equal(mine, ref), n
        t_mine = best(lambda n=n: feasible_counts(37.2, n, decimals=1), k)
        t_ref = best(lambda n=n: brute(37.2, n, 1), k)
        t_ci = best(lambda n=n: proportion_ci(n=n, percent=37.2, decimals=1, rounding="union"),
                    k)
        print(f"{n:>9} {t_mine:>18.5f} {t_ref:>14.5f} {t_ref / t_mine:>7.1f} {t_ci:>11.4f} "
              f"{len(mine)}")


if __name__ == "__main__":
    main()
