"""Tests of barotrend.plot (Agg backend, no display)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

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


def test_forest(t):
    r = pd.concat([t.change("area_team_relationship", "W2", "W3"),
                   t.change("area_team_relationship", "W2", "W3", correlation=0.5)])
    ax = plot.forest(r, label="correlation")
    assert [x.get_text() for x in ax.get_yticklabels()] == ["nan", "0.5"]
    # the zero line is drawn for differences
    assert any(list(ln.get_xdata()) == [0, 0] for ln in ax.lines)


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
