"""Tests of barotrend.plot (Agg backend, no display)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from statsmodels.stats.proportion import proportion_confint  # noqa: E402

from barotrend import datasets, plot  # noqa: E402
from barotrend.tracker import Tracker  # noqa: E402


@pytest.fixture(scope="module")
def t():
    return Tracker.from_dataset(datasets.load())


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _toy():
    # 30% -> 60% of 100: z = 0.3 / sqrt(.45 * .55 * 2 / 100) = 4.26, p < 0.001: a marker at B;
    # 60% -> 62%: z = 0.02 / sqrt(.61 * .39 * .02) = 0.29, no marker at C.
    waves = pd.DataFrame({"survey": "toy", "wave": ["A", "B", "C"], "wave_order": [1, 2, 3],
                          "date": ["2020-01", "2020-07", "2021-01"], "respondents": 100})
    figures = pd.DataFrame({"survey": "toy", "wave": ["A", "B", "C"], "item": "q",
                            "statistic": "share", "value": [30.0, 60.0, 62.0], "base": 100})
    return Tracker.from_figures(figures, waves)


def test_plot_series_ribbon_and_markers():
    ax = _toy().plot_series("q")
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.collections) == 1  # one CI ribbon (one group)
    # the ribbon spans the Wilson intervals of 30, 60 and 62 of 100 (statsmodels, independent)
    ribbon = ax.collections[0].get_paths()[0].vertices[:, 1]
    for k in (30, 60, 62):
        lo, hi = proportion_confint(k, 100, alpha=0.05, method="wilson")
        assert np.isclose(ribbon, lo, rtol=0, atol=1e-12).any()
        assert np.isclose(ribbon, hi, rtol=0, atol=1e-12).any()
    assert np.allclose(ax.lines[0].get_ydata(), [0.30, 0.60, 0.62])  # the published shares
    stars = [ln for ln in ax.lines if ln.get_marker() == "*"]
    assert len(stars) == 1 and np.allclose(stars[0].get_ydata(), [0.60])
    assert [x.get_text() for x in ax.get_xticklabels()] == ["A", "B", "C"]


def test_plot_series_uses_given_axes_and_no_ribbon_without_ci(t):
    fig, ax = plt.subplots()
    out = t.plot_series("budget_confidence", ax=ax)
    assert out is ax
    assert len(ax.collections) == 0  # means without SD: no interval, no ribbon
    assert ax.lines[0].get_ydata().tolist() == [6.6, 6.5, 7.2]


def test_plot_series_groups(t):
    cat = "too much grip, not consistent with the CCG model"
    ax = t.plot_series("everyone_counts_grip", category=cat, groups=["GP", "non-GP"])
    assert [h.get_text() for h in ax.get_legend().get_texts()] == ["GP", "non-GP"]
    # article 002: 61% of GPs and 31% of non-GPs (W2 only)
    lines = {ln.get_label(): ln.get_ydata().tolist() for ln in ax.lines}
    assert lines["GP"] == pytest.approx([0.61]) and lines["non-GP"] == pytest.approx([0.31])


def test_forest(t):
    r = pd.concat([t.change("area_team_relationship", "W2", "W3"),
                   t.change("area_team_relationship", "W2", "W3", correlation=0.5)])
    ax = plot.forest(r, label="correlation")
    assert [x.get_text() for x in ax.get_yticklabels()] == ["nan", "0.5"]
    # the zero line is drawn for differences
    assert any(list(ln.get_xdata()) == [0, 0] for ln in ax.lines)
    # both rows at the difference 68% - 73% = -0.05
    assert np.allclose(ax.lines[0].get_xdata().astype(float), [-0.05, -0.05])
    # first row (top, y = 1): Newcombe's hybrid score interval (1998, method 10) from the
    # Wilson limits of 0.68 * 94 and 0.73 * 85 (statsmodels): d - sqrt((p1 - l1)^2 + (u2 - p2)^2),
    # d + sqrt((u1 - p1)^2 + (p2 - l2)^2) = (-0.17972, 0.08379)
    l1, u1 = proportion_confint(0.68 * 94, 94, method="wilson")
    l2, u2 = proportion_confint(0.73 * 85, 85, method="wilson")
    want = (-0.05 - np.hypot(0.68 - l1, u2 - 0.73), -0.05 + np.hypot(u1 - 0.68, 0.73 - l2))
    seg = ax.collections[0].get_segments()[0]
    assert seg[:, 1].tolist() == [1.0, 1.0]
    assert tuple(seg[:, 0]) == pytest.approx(want, abs=1e-12)


def test_forest_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        plot.forest(pd.DataFrame())
    with pytest.raises(ValueError, match="ci_low"):
        plot.forest(pd.DataFrame({"estimate": [1.0]}))


def test_tracker_plot_comparisons_draws_rows_with_intervals():
    import matplotlib

    matplotlib.use("Agg")
    from barotrend import Tracker, datasets

    t = Tracker.from_dataset(datasets.load())
    allc = t.all_comparisons()
    with_ci = allc[allc["ci_low"].notna() & allc["ci_high"].notna()]
    ax = t.plot_comparisons()
    assert len(ax.get_yticklabels()) == len(with_ci) > 0


def test_design_tracker_plot_series_ribbons_and_stars():
    from barotrend import Design
    from barotrend.simulate import simulate_barometer

    resp = simulate_barometer(seed=2013).respondents
    t = Tracker.from_designs(Design(resp, cluster="unit"), items="budget_confidence",
                             wave="wave", group="gp")
    ax = t.plot_series("budget_confidence", groups=[True, False])
    s = t.series("budget_confidence", group=True)
    line = ax.lines[0]
    assert line.get_ydata().tolist() == s["estimate"].tolist()
    # the ribbon spans the series' own interval at each wave
    ribbon = ax.collections[0].get_paths()[0].vertices
    assert ribbon[:, 1].min() == pytest.approx(s["ci_low"].min())
    assert ribbon[:, 1].max() == pytest.approx(s["ci_high"].max())
    # stars exactly where the consecutive change has p < 0.05
    p = [t.change("budget_confidence", a, b, group=True)["p_value"].iloc[0]
         for a, b in [("W1", "W2"), ("W2", "W3")]]
    stars = [ln for ln in ax.lines if ln.get_marker() == "*" and ln.get_color() == line.get_color()]
    starred = stars[0].get_xdata().tolist() if stars else []
    assert starred == [i + 1.0 for i, pv in enumerate(p) if pv < 0.05]
    assert [x.get_text() for x in ax.get_xticklabels()] == ["W1", "W2", "W3"]
    assert len(t.plot_comparisons().get_yticklabels()) == len(t.changes())
