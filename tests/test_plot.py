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
    # means without SD: no interval, so no ribbon; the plot says so
    assert "ci" not in plot.drawn(ax) and "no-interval" in plot.drawn(ax)
    assert any("No 95% CI" in t.get_text() for t in ax.texts)
    assert ax.lines[0].get_ydata().tolist() == [6.6, 6.5, 7.2]


def test_plot_series_groups(t):
    cat = "too much grip, not consistent with the CCG model"
    ax = t.plot_series("everyone_counts_grip", category=cat, groups=["GP", "non-GP"])
    # groups.csv labels, without their trailing parenthesis
    assert [h.get_text() for h in ax.get_legend().get_texts()] == [
        "GP respondents", "Respondents who are not GPs"]
    # article 002: 61% of GPs and 31% of non-GPs (W2 only)
    lines = {ln.get_label(): ln.get_ydata().tolist() for ln in ax.lines}
    assert lines["GP respondents"] == pytest.approx([0.61])
    assert lines["Respondents who are not GPs"] == pytest.approx([0.31])


def test_forest(t):
    r = pd.concat([t.change("area_team_relationship", "W2", "W3"),
                   t.change("area_team_relationship", "W2", "W3", correlation=0.5)])
    ax = plot.forest(r, label="correlation")
    assert [x.get_text() for x in ax.get_yticklabels()] == ["nan", "0.5"]
    rows = sorted(ax.get_yticks(), reverse=True)  # first row on top
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
    assert seg[:, 1].tolist() == [rows[0], rows[0]]
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


# -- issue 13: plots that do not mislead, in words -----------------------------------------------
def _texts(ax):
    """Every piece of text a reader sees on the axes."""
    out = [ax.get_title(), ax.get_title(loc="right"), ax.get_xlabel(), ax.get_ylabel()]
    out += [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts)]
    leg = ax.get_legend()
    if leg is not None:
        out += [t.get_text() for t in leg.get_texts()]
    return [t for t in out if t]


def test_series_share_on_0_100_percent_in_words(t):
    ax = t.plot_series("area_team_relationship")
    lo, hi = ax.get_ylim()
    assert lo <= 0 and hi >= 1  # the whole 0-100% range
    ax.figure.canvas.draw()
    ticks = [x.get_text() for x in ax.get_yticklabels()]
    assert "0%" in ticks and "100%" in ticks
    assert ax.get_ylabel() == "'good or very good' (%)"
    assert ax.get_title().startswith("Relationship with the area team (HSJ CCG")
    assert "axis-break" not in plot.drawn(ax)
    assert not [s for s in _texts(ax) if "_" in s]  # no internal id anywhere
    assert ax.figure.get_size_inches()[0] == plot.COLUMN_IN


def test_series_mean_on_its_scale_with_the_widest_interval_marked(t):
    from scipy import stats

    ax = t.plot_series("budget_confidence")
    lo, hi = ax.get_ylim()
    assert lo <= 1 and hi >= 10  # the 1-10 scale, not 6.5-7.2
    assert ax.get_ylabel() == "mean rating (1 to 10)"
    assert {"sd-range", "no-interval"} <= plot.drawn(ax) and "ci" not in plot.drawn(ax)
    # whiskers only where the base is known (W2: 85, W3: 94 respondents), at the largest SD
    # the scale allows: sqrt((10 - m)(m - 1) n / (n - 1)) (Bhatia-Davis), t on n - 1 df
    segs = [seg for c in ax.collections if c.get_gid() == "sd-range" for seg in c.get_segments()]
    half = sorted((seg[1, 1] - seg[0, 1]) / 2 for seg in segs)
    want = sorted(stats.t.ppf(0.975, n - 1) * np.sqrt((10 - m) * (m - 1) * n / (n - 1))
                  / np.sqrt(n) for m, n in ((6.5, 85), (7.2, 94)))
    assert half == pytest.approx(want, rel=1e-12)
    leg = [x.get_text() for x in ax.get_legend().get_texts()]
    assert any("not a CI" in x for x in leg)


def test_series_given_range_draws_an_axis_break(t):
    ax = t.plot_series("budget_confidence", ylim=(6, 8))
    assert ax.get_ylim() == (6, 8) and "axis-break" in plot.drawn(ax)
    ax = t.plot_series("budget_confidence", ylim=(0, 11))
    assert "axis-break" not in plot.drawn(ax)
    with pytest.raises(ValueError, match="low < high"):
        t.plot_series("budget_confidence", ylim=(8, 6))


def test_legend_outside_the_bands(t):
    cat = "too much grip, not consistent with the CCG model"
    for ax in (t.plot_series("everyone_counts_grip", category=cat, groups=["GP", "non-GP"]),
               _toy().plot_series("q"), t.plot_series("budget_confidence")):
        fig = ax.figure
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        leg, box = ax.get_legend().get_window_extent(r), ax.get_window_extent(r)
        assert not leg.overlaps(box), "the legend covers the plotting area"


def test_star_explained_in_the_legend():
    ax = _toy().plot_series("q")
    leg = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "change from the previous wave, p < 0.05" in leg


def test_forest_marks_surveys_bounds_and_both_pvalues(t):
    allc = t.all_comparisons()
    rows = allc[allc["ci_low"].notna() & allc["ci_high"].notna()].reset_index(drop=True)
    ax = t.plot_comparisons(rows)
    labels = [x.get_text().replace("\n", " ") for x in ax.get_yticklabels()]
    assert len(labels) == len(rows)
    cross = rows["comparison"].eq("surveys").to_numpy()
    assert [("two surveys" in x) for x in labels] == cross.tolist()
    assert labels[0] == "Relationship with the area team: Jan 2013 to Q2 2013"
    assert not [x for x in labels if "_" in x or "->" in x]
    # the mean-against-share row is drawn as its bounds (0 to 0.55), not as an interval
    bounds = [p for p in ax.patches if p.get_gid() == "bounds"]
    mean_share = rows["difference"].isna()
    assert len(bounds) == mean_share.sum() == 1
    b = rows[mean_share].iloc[0]
    assert bounds[0].get_x() == pytest.approx(b["ci_low"])
    assert bounds[0].get_width() == pytest.approx(b["ci_high"] - b["ci_low"])
    assert "bounds, not a CI" in labels[int(np.flatnonzero(mean_share)[0])]
    # unadjusted and Holm-adjusted p beside each row, labelled: the intervals are unadjusted
    assert ax.get_title(loc="right") == "p  |  adj. p"
    first = rows.iloc[0]
    assert f"{first['p_value']:.2g}  |  {first['p_adjusted']:.2g}" in [a.get_text()
                                                                        for a in ax.texts]
    assert "unadjusted" in ax.get_xlabel()
    assert "cross-survey" in plot.drawn(ax)


def test_design_series_share_range_and_group_words():
    from barotrend import Design
    from barotrend.simulate import simulate_barometer

    resp = simulate_barometer(seed=2013).respondents
    t = Tracker.from_designs(Design(resp, cluster="unit"), items=["area_team_good"],
                             wave="wave", group="gp")
    ax = t.plot_series("area_team_good", groups=[True, False])
    lo, hi = ax.get_ylim()
    assert lo <= 0 and hi >= 1
    assert [x.get_text() for x in ax.get_legend().get_texts()][:2] == ["gp", "not gp"]
    ax = plot.design_series(t, "area_team_good", groups=[True, False],
                            group_labels={True: "GP", False: "non-GP"},
                            label="Good relationship with the area team")
    assert [x.get_text() for x in ax.get_legend().get_texts()][:2] == ["GP", "non-GP"]
    assert ax.get_ylabel() == "Good relationship with the area team (%)"
