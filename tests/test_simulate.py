"""The simulated barometer: reproducible, with a truth that is the population's own values."""

import pandas as pd
import pytest

from barotrend.simulate import WAVES, simulate_barometer


@pytest.fixture(scope="module")
def sim():
    return simulate_barometer(seed=7)


def test_seeded_and_reproducible(sim):
    again = simulate_barometer(seed=7)
    pd.testing.assert_frame_equal(sim.respondents, again.respondents)
    other = simulate_barometer(seed=8)
    assert not sim.respondents["budget_confidence"].equals(other.respondents["budget_confidence"])


def test_structure(sim):
    assert sim.frame["unit"].nunique() == 211 and len(sim.frame) == 211 * len(WAVES)
    assert len(sim.population) == 2 * 211 * len(WAVES)
    # every respondent's unit responded, and every responding unit has a respondent
    resp_units = set(zip(sim.respondents["wave"], sim.respondents["unit"], strict=True))
    flagged = set(zip(*sim.frame.loc[sim.frame["responded"], ["wave", "unit"]].T.values,
                      strict=True))
    assert resp_units == flagged
    assert sim.respondents["budget_confidence"].between(1, 10).all()


def test_truth_is_the_population_mean(sim):
    pop = sim.population
    for r in sim.truth.itertuples():
        part = pop[pop["wave"] == r.wave]
        if r.group != "all":
            part = part[part["gp"] == (r.group == "GP")]
        assert r.value == pytest.approx(part[r.item].astype(float).mean(), rel=1e-12)


def test_response_depends_on_region_and_waves_overlap(sim):
    rate = sim.frame.groupby("region")["responded"].mean()
    assert rate["London"] < rate["North"]  # built in: 0.25 vs 0.55 base propensity
    units = sim.respondents.groupby("wave")["unit"].agg(set)
    assert len(units["W1"] & units["W3"]) > 20


def test_bad_size():
    with pytest.raises(ValueError, match="n_units must be at least 10, got 3"):
        simulate_barometer(n_units=3)


def test_notebook_02_weighted_intervals_cover_the_truth():
    # notebook 02, section 3: seed 2013, wave 3, class weights on the frame carried down to the
    # leaders; each weighted 95% interval covers the population truth of this draw
    from barotrend.weighting import adjust_nonresponse, carry_down

    sim = simulate_barometer(seed=2013)
    frame = sim.frame[sim.frame["wave"] == "W3"].reset_index(drop=True)
    units = adjust_nonresponse(frame, "responded", by="region", method="class",
                               finite_population=True)
    leaders = sim.respondents[sim.respondents["wave"] == "W3"].reset_index(drop=True)
    design = carry_down(units, leaders, "unit")
    truth = sim.truth.query("wave == 'W3' and group == 'all'").set_index("item")["value"]
    for item in ["budget_confidence", "area_team_good"]:
        r = design.mean(item).iloc[0]
        assert r["ci_low"] <= truth[item] <= r["ci_high"], item
