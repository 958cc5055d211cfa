"""A simulated barometer with a known truth, for notebooks, tests and teaching.

A population of 211 organisations (regions, sizes), each with two leaders (a chair, usually a
GP, and an accountable officer, rarely one), answers three waves. Organisations respond with a
probability that depends on region and size and persists across waves (so waves overlap, as a
panel); within a responding organisation each leader answers with probability 0.7. Outcomes
depend on region, GP status, a persistent organisation effect and the wave, so that:

* unweighted respondent means are biased (response and outcomes both depend on region);
* the same organisations answer several waves (correlated estimates of change);
* the true population values per wave are known exactly (``truth``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REGIONS = ("North", "Midlands", "London", "South")
WAVES = ("W1", "W2", "W3")
_REGION_P = (0.30, 0.28, 0.14, 0.28)
_RESPONSE = {"North": 0.55, "Midlands": 0.45, "London": 0.25, "South": 0.40}
_CONF_REGION = {"North": 0.4, "Midlands": 0.0, "London": -0.8, "South": 0.2}
_WAVE_CONF = (0.0, -0.1, 0.6)
_WAVE_GOOD = (0.0, 0.15, -0.15)


@dataclass(frozen=True)
class SimulatedBarometer:
    """``frame`` (one row per organisation and wave, with ``responded``), ``respondents``
    (one row per answering leader and wave), ``population`` (every leader and wave) and
    ``truth`` (population values per wave, item and group)."""

    frame: pd.DataFrame
    respondents: pd.DataFrame
    population: pd.DataFrame
    truth: pd.DataFrame

    def __repr__(self) -> str:
        per = self.respondents.groupby("wave").agg(leaders=("leader", "size"),
                                                   units=("unit", "nunique"))
        rows = ", ".join(f"{w}: {r.leaders} leaders from {r.units} units"
                         for w, r in per.iterrows())
        return (f"SimulatedBarometer: {self.frame['unit'].nunique()} units, "
                f"{len(self.population) // len(WAVES)} leaders; {rows}")


def simulate_barometer(seed: int = 2013, n_units: int = 211) -> SimulatedBarometer:
    """Simulate three waves of a barometer of ``n_units`` organisations (see module docstring).

    Examples
    --------
    >>> sim = simulate_barometer(seed=1)
    >>> sorted(sim.truth["item"].unique())
    ['area_team_good', 'budget_confidence', 'grip_too_much']
    >>> sim.frame.groupby("wave")["responded"].sum().between(60, 110).all()
    np.True_
    """
    if int(n_units) < 10:
        raise ValueError(f"n_units must be at least 10, got {n_units!r}")
    rng = np.random.default_rng(seed)
    n = int(n_units)
    units = pd.DataFrame({
        "unit": [f"U{i:03d}" for i in range(n)],
        "region": rng.choice(REGIONS, size=n, p=_REGION_P),
        "size": np.round(np.exp(rng.normal(5.4, 0.45, n))).astype(int),  # thousands served
    })
    units["size_band"] = pd.cut(units["size"], [0, 150, 300, np.inf],
                                labels=["small", "medium", "large"]).astype(str)
    unit_effect = rng.normal(0, 0.8, n)
    keen = rng.normal(0, 0.8, n)  # persistent willingness to respond: panel overlap
    leaders = pd.DataFrame({
        "unit": np.repeat(units["unit"].to_numpy(), 2),
        "role": np.tile(["chair", "accountable officer"], n),
    })
    leaders["leader"] = leaders["unit"] + "-" + np.where(leaders["role"] == "chair", "C", "A")
    leaders["gp"] = np.where(leaders["role"] == "chair", rng.random(2 * n) < 0.85,
                             rng.random(2 * n) < 0.10)
    leaders = leaders.merge(units[["unit", "region", "size_band"]], on="unit")
    ue = np.repeat(unit_effect, 2)
    gp = leaders["gp"].to_numpy(dtype=float)
    large = (units["size_band"] == "large").to_numpy(dtype=float)
    frames, pops = [], []
    for k, wave in enumerate(WAVES):
        base = np.array([_RESPONSE[r] for r in units["region"]])
        logit = np.log(base / (1 - base)) + 0.3 * large + keen
        responded = rng.random(n) < 1 / (1 + np.exp(-logit))
        frames.append(units.assign(wave=wave, responded=responded))
        reg = np.array([_CONF_REGION[r] for r in leaders["region"]])
        latent = 6.4 + reg + 0.3 * gp + ue + _WAVE_CONF[k] + rng.normal(0, 1.3, 2 * n)
        good = rng.random(2 * n) < 1 / (1 + np.exp(-(0.9 + 0.6 * reg + 0.5 * ue + _WAVE_GOOD[k])))
        grip = rng.random(2 * n) < 1 / (1 + np.exp(-(-0.9 + 1.5 * gp)))
        answered = np.repeat(responded, 2) & (rng.random(2 * n) < 0.7)
        pops.append(leaders.assign(
            wave=wave, budget_confidence=np.clip(np.round(latent), 1, 10).astype(int),
            area_team_good=good, grip_too_much=grip, answered=answered))
    frame = pd.concat(frames, ignore_index=True)
    population = pd.concat(pops, ignore_index=True)
    respondents = population[population["answered"]].drop(columns="answered")
    # a responding unit has at least one answering leader: drop units whose leaders all skipped
    has = respondents.groupby(["wave", "unit"]).size().rename("k").reset_index()
    frame = frame.merge(has, on=["wave", "unit"], how="left")
    frame["responded"] = frame["k"].notna()
    frame = frame.drop(columns="k")
    return SimulatedBarometer(frame, respondents.reset_index(drop=True),
                              population.drop(columns="answered"), _truth(population))


def _truth(population: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for item in ("budget_confidence", "area_team_good", "grip_too_much"):
        for wave, part in population.groupby("wave"):
            y = part[item].astype(float)
            rows.append({"wave": wave, "item": item, "group": "all", "value": y.mean()})
            for gp, sub in part.groupby("gp"):
                rows.append({"wave": wave, "item": item, "group": "GP" if gp else "non-GP",
                             "value": sub[item].astype(float).mean()})
    return pd.DataFrame(rows)
