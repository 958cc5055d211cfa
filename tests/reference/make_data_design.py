"""Generate the synthetic microdata used by the design fixtures (run once; output committed).

twostage.csv  stratified two-stage sample: 5 strata, 2-6 PSUs per stratum out of N_h, 3-9 units
              per PSU out of M_j; psu ids repeat across strata (needs nest=True); weights with
              mild non-response noise; fpc1/fpc2 population sizes; y numeric with 4 NAs, x > 0,
              cat in a/b/c, bin 0/1, dom in north/south/east with 10 NAs.
lonely.csv    stratified one-stage cluster sample whose stratum "s4" has a single PSU.
brr.csv       7 strata with exactly two PSUs each (for BRR / Fay).

Usage: python tests/reference/make_data_design.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "data"


def twostage(rng):
    rows = []
    for h, (npsu, big_n) in enumerate([(2, 8), (3, 12), (4, 30), (5, 18), (6, 40)], start=1):
        for j in range(1, npsu + 1):
            m = int(rng.integers(3, 10))
            big_m = m + int(rng.integers(0, 25))
            for i in range(1, m + 1):
                rows.append({"stratum": f"h{h}", "psu": j, "ssu": i, "fpc1": big_n,
                             "fpc2": big_m,
                             "w": big_n / npsu * big_m / m * float(rng.uniform(0.9, 1.1))})
    df = pd.DataFrame(rows)
    n = len(df)
    u = rng.normal(size=df["stratum"].nunique() * 10)[df["psu"].to_numpy() % 10]
    df["x"] = np.round(rng.gamma(4.0, 2.0, n) + 1, 3)
    df["y"] = np.round(10 + 2 * u + 0.8 * df["x"] + rng.normal(0, 2, n), 3)
    df["cat"] = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    df["bin"] = (rng.uniform(size=n) < 0.35).astype(int)
    df["dom"] = rng.choice(["north", "south", "east"], n)
    df.loc[rng.choice(n, 4, replace=False), "y"] = np.nan
    df.loc[rng.choice(n, 10, replace=False), "dom"] = np.nan
    return df


def lonely(rng):
    rows = []
    for h, npsu in enumerate([3, 2, 4, 1, 3], start=1):
        for j in range(npsu):
            for _ in range(int(rng.integers(2, 6))):
                rows.append({"stratum": f"s{h}", "psu": f"p{h}{j}",
                             "w": float(rng.uniform(5, 15)),
                             "y": float(np.round(rng.normal(50 + 3 * h + 2 * j, 5), 3))})
    return pd.DataFrame(rows)


def brr(rng):
    rows = []
    for h in range(1, 8):
        for j in (1, 2):
            for _ in range(int(rng.integers(3, 6))):
                x = float(np.round(rng.uniform(1, 5), 3))
                rows.append({"stratum": h, "psu": 10 * h + j, "w": float(rng.uniform(10, 30)),
                             "x": x, "y": float(np.round(2 * x + rng.normal(h / 3, 1), 3)),
                             "cat": str(rng.choice(["yes", "no"]))})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    rng = np.random.default_rng(20261123)
    OUT.mkdir(exist_ok=True)
    twostage(rng).to_csv(OUT / "twostage.csv", index=False, float_format="%.17g")
    lonely(rng).to_csv(OUT / "lonely.csv", index=False, float_format="%.17g")
    brr(rng).to_csv(OUT / "brr.csv", index=False, float_format="%.17g")
