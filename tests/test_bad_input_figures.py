"""Bad input to every public published-figures entry point (issue 12, "a bad-input table").

One parametrised test per entry point. Each case gives the call, the expected error class and
the words the message must contain: the argument (or column) and the offending value, so a
user can find what to fix. Sizes that grow without bound (a base of 1e9, a count of 1e12)
must refuse at once with the limit in the message, never hang or exhaust memory.
"""

import math

import pandas as pd
import pytest

import barotrend as bt
from barotrend.figures import feasible_count_range, grim, grimmer, nearest_bases, sd_bounds

NAN, INF = math.nan, math.inf


def _raises(fn, kwargs, error, words):
    with pytest.raises(error) as info:
        fn(**kwargs)
    msg = str(info.value)
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"


def _ids(cases):
    return [", ".join(f"{k}={v!r}" for k, v in c[0].items())[:60] for c in cases]


# ---------------------------------------------------------------- proportion_ci
PROPORTION_CI = [
    ({"count": 5, "n": 3}, ValueError, ["count", "5", "3"]),  # base smaller than the count
    ({"count": -1, "n": 3}, ValueError, ["count", "-1"]),
    ({"count": 1.5, "n": 3}, ValueError, ["count", "1.5"]),
    ({"count": NAN, "n": 3}, ValueError, ["count", "nan"]),
    ({"count": "3", "n": 10}, ValueError, ["count", "'3'"]),
    ({"n": 10, "percent": 120}, ValueError, ["percent", "0-100", "120"]),
    ({"n": 10, "percent": -1}, ValueError, ["percent", "0-100", "-1"]),
    ({"n": 10, "percent": NAN}, ValueError, ["percent", "nan"]),
    ({"n": 10, "percent": INF}, ValueError, ["percent", "inf"]),
    ({"n": 10, "percent": 50.5}, ValueError, ["percent", "50.5", "decimals=0"]),
    ({"n": 10.5, "count": 3}, ValueError, ["n", "whole", "10.5"]),
    ({"n": 0, "count": 0}, ValueError, ["n", "0"]),
    ({"n": NAN, "count": 3}, ValueError, ["n", "nan"]),
    ({"n": True, "count": 1}, ValueError, ["n", "True"]),
    ({"n": 10**400, "count": 1}, ValueError, ["n", "at most 1e+15", "1000000"]),
    ({"count": 3}, ValueError, ["n", "None"]),
    ({"n": 10}, ValueError, ["count", "percent", "neither"]),
    ({"n": 10, "count": 3, "percent": 30}, ValueError, ["count=3", "percent=30"]),
    ({"n": 10, "percent": 50, "decimals": -1}, ValueError, ["decimals", "-1"]),
    ({"n": 10, "percent": 50, "decimals": 1.5}, ValueError, ["decimals", "1.5"]),
    ({"n": 10, "count": 3, "conf_level": 1}, ValueError, ["conf_level", "1"]),
    ({"n": 10, "count": 3, "conf_level": NAN}, ValueError, ["conf_level", "nan"]),
    ({"n": 10, "count": 3, "deff": 0}, ValueError, ["deff", "0"]),
    ({"n": 10, "count": 3, "deff": INF}, ValueError, ["deff", "inf"]),
    ({"n": 10, "count": 3, "n_eff": -2}, ValueError, ["n_eff", "-2"]),
    ({"n": 10, "count": 3, "deff": 2, "n_eff": 5}, ValueError, ["deff=2", "n_eff=5"]),
    ({"n": 10, "count": 3, "population_size": 5}, ValueError, ["population_size", "n=10", "5"]),
    ({"n": 10, "count": 3, "population_size": 20.5}, ValueError, ["population_size", "20.5"]),
    ({"n": 10, "count": 3, "method": "exact"}, ValueError, ["method", "'exact'"]),
    ({"n": 10, "count": 3, "rounding": "union"}, ValueError, ["rounding='union'", "percent"]),
    ({"n": 10, "count": 3, "rounding": "both"}, ValueError, ["rounding", "'both'"]),
    ({"n": 85, "percent": 50, "rounding": "union"}, ValueError, ["percent=50", "n=85"]),
    ({"n": 10, "percent": 50, "convention": "up"}, ValueError, ["convention", "'up'"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), PROPORTION_CI, ids=_ids(PROPORTION_CI))
def test_proportion_ci_bad_input(kwargs, error, words):
    _raises(bt.proportion_ci, kwargs, error, words)


# ---------------------------------------------------------------- compare_proportions
_CP = {"count_a": 3, "n_a": 10, "count_b": 4, "n_b": 12}
COMPARE_PROPORTIONS = [
    ({**_CP, "count_a": 11}, ValueError, ["count_a", "11", "10"]),
    ({**_CP, "n_b": 0}, ValueError, ["n_b", "0"]),
    ({**_CP, "n_b": 12.5}, ValueError, ["n_b", "12.5"]),
    ({"n_a": 10, "n_b": 10, "percent_a": 101, "percent_b": 5}, ValueError, ["percent_a", "101"]),
    ({"n_a": 10, "n_b": 10, "percent_a": 50, "percent_b": NAN}, ValueError, ["percent_b", "nan"]),
    ({"n_a": 10, "n_b": 10, "percent_a": 50, "percent_b": 5, "decimals": -1}, ValueError,
     ["decimals", "-1"]),
    ({**_CP, "correlation": 2}, ValueError, ["correlation", "2"]),
    ({**_CP, "correlation": NAN}, ValueError, ["correlation", "nan"]),
    ({**_CP, "overlap": 2}, ValueError, ["overlap=2", "correlation"]),
    ({**_CP, "overlap": 11, "correlation": 0.5}, ValueError, ["overlap", "11"]),
    ({**_CP, "population_size_a": 9}, ValueError, ["population_size_a", "9"]),
    ({**_CP, "method": "exact"}, ValueError, ["method", "'exact'"]),
    ({**_CP, "test": "t"}, ValueError, ["test", "'t'"]),
    ({**_CP, "alternative": "up"}, ValueError, ["alternative", "'up'"]),
    ({**_CP, "test": "chisq", "alternative": "less"}, ValueError, ["chisq", "'less'"]),
    ({**_CP, "test": "fisher", "correlation": 0.3}, ValueError, ["fisher", "0.3"]),
    ({**_CP, "conf_level": 0}, ValueError, ["conf_level", "0"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), COMPARE_PROPORTIONS,
                         ids=_ids(COMPARE_PROPORTIONS))
def test_compare_proportions_bad_input(kwargs, error, words):
    _raises(bt.compare_proportions, kwargs, error, words)


# ---------------------------------------------------------------- compare_means
_CM = {"mean_a": 6.5, "n_a": 85, "mean_b": 7.2, "n_b": 94}
COMPARE_MEANS = [
    ({**_CM, "mean_b": 11, "scale": (1, 10)}, ValueError, ["mean_b=11", "1-10"]),
    ({**_CM, "mean_a": 0.5, "scale": (1, 10)}, ValueError, ["mean_a=0.5", "1-10"]),
    ({**_CM, "scale": (5, 5)}, ValueError, ["scale", "(5, 5)"]),
    ({**_CM, "scale": (10, 1)}, ValueError, ["scale", "(10, 1)"]),
    ({**_CM, "scale": (1, NAN)}, ValueError, ["scale", "nan"]),
    ({**_CM, "scale": 10}, ValueError, ["scale", "10"]),
    ({**_CM, "mean_a": NAN}, ValueError, ["mean_a", "nan"]),
    ({**_CM, "mean_b": INF}, ValueError, ["mean_b", "inf"]),
    ({**_CM, "n_a": 1}, ValueError, ["n_a", "1"]),
    ({**_CM, "n_b": 9.5}, ValueError, ["n_b", "9.5"]),
    ({**_CM, "sd_a": -1, "sd_b": 1}, ValueError, ["sd_a", "-1"]),
    ({**_CM, "sd_a": 1, "sd_b": NAN}, ValueError, ["sd_b", "nan"]),
    ({**_CM, "sd_a": 1}, ValueError, ["sd_a=1", "sd_b=None"]),
    ({**_CM, "sd_range": (2, 1)}, ValueError, ["sd_range", "(2, 1)"]),
    ({**_CM, "sd_range": (0, 1)}, ValueError, ["sd_range", "0"]),
    ({**_CM, "sd_range": "wide"}, ValueError, ["sd_range", "'wide'"]),
    ({**_CM, "decimals": -1}, ValueError, ["decimals", "-1"]),
    ({**_CM, "mean_a": 6.55, "decimals": 1}, ValueError, ["mean_a", "6.55", "decimals=1"]),
    ({**_CM, "correlation": -1.5}, ValueError, ["correlation", "-1.5"]),
    ({**_CM, "population_size_b": 50}, ValueError, ["population_size_b", "50"]),
    ({**_CM, "conf_level": 1.2}, ValueError, ["conf_level", "1.2"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), COMPARE_MEANS, ids=_ids(COMPARE_MEANS))
def test_compare_means_bad_input(kwargs, error, words):
    _raises(bt.compare_means, kwargs, error, words)


# ---------------------------------------------------------------- feasible_counts
FEASIBLE_COUNTS = [
    ({"percent": 120, "n": 10}, ValueError, ["percent", "120"]),
    ({"percent": -5, "n": 10}, ValueError, ["percent", "-5"]),
    ({"percent": NAN, "n": 10}, ValueError, ["percent", "nan"]),
    ({"percent": 50, "n": 0}, ValueError, ["n", "0"]),
    ({"percent": 50, "n": 10.5}, ValueError, ["n", "10.5"]),
    ({"percent": 50, "n": INF}, ValueError, ["n", "inf"]),
    ({"percent": 50, "n": 10, "decimals": -1}, ValueError, ["decimals", "-1"]),
    ({"percent": 50.5, "n": 10}, ValueError, ["percent", "50.5", "decimals=0"]),
    ({"percent": 50, "n": 10, "convention": "round"}, ValueError, ["convention", "'round'"]),
    ({"percent": 50, "n": 10, "max_rows": 0}, ValueError, ["max_rows", "0"]),
    # 10**decimals would grow without bound: refused with the limit
    ({"percent": 50, "n": 10, "decimals": 10**9}, ValueError, ["decimals", "20", "1000000000"]),
    # 1e10 counts: refused at once, with the size, the limit and the way out
    ({"percent": 50, "n": 10**12}, ValueError,
     ["10,000,000,000 counts", "max_rows=1,000,000", "feasible_count_range"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), FEASIBLE_COUNTS, ids=_ids(FEASIBLE_COUNTS))
def test_feasible_counts_bad_input(kwargs, error, words):
    _raises(bt.feasible_counts, kwargs, error, words)


COUNT_RANGE = [c for c in FEASIBLE_COUNTS if "max_rows" not in c[0] and c[0].get("n") != 10**12]


@pytest.mark.parametrize(("kwargs", "error", "words"), COUNT_RANGE, ids=_ids(COUNT_RANGE))
def test_feasible_count_range_bad_input(kwargs, error, words):
    _raises(feasible_count_range, kwargs, error, words)


# ---------------------------------------------------------------- infer_base
INFER_BASE = [
    ({"percents": []}, ValueError, ["percents", "[]"]),
    ({"percents": "50"}, ValueError, ["percents", "'50'"]),
    ({"percents": [50, 120]}, ValueError, ["percents[1]", "120"]),
    ({"percents": {"yes": -1}}, ValueError, ["percents[yes]", "-1"]),
    ({"percents": [50, NAN]}, ValueError, ["percents[1]", "nan"]),
    ({"percents": [50], "min_base": 0}, ValueError, ["min_base", "0"]),
    ({"percents": [50], "max_base": 20.5}, ValueError, ["max_base", "20.5"]),
    ({"percents": [50], "min_base": 10, "max_base": 5}, ValueError, ["max_base", "5"]),
    ({"percents": [50], "decimals": -2}, ValueError, ["decimals", "-2"]),
    ({"percents": [50], "convention": "up"}, ValueError, ["convention", "'up'"]),
    # issue 12 item 7: an exhaustive set summing to 120% said nothing
    ({"percents": [70, 50]}, ValueError, ["70% + 50%", "120%", "exhaustive=False"]),
    ({"percents": [30, 20], "decimals": 0}, ValueError, ["50%", "exhaustive=False"]),
    # a billion bases: refused at once, naming the limit and the range
    ({"percents": [50], "max_base": 10**9}, ValueError, ["1,000,000 bases", "1,000,000,000"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), INFER_BASE, ids=_ids(INFER_BASE))
def test_infer_base_bad_input(kwargs, error, words):
    _raises(bt.infer_base, kwargs, error, words)


NEAREST_BASES = [
    ({"percents": [50], "n": 0}, ValueError, ["n", "0"]),
    ({"percents": [150], "n": 10}, ValueError, ["percents", "150"]),
    ({"percents": [], "n": 10}, ValueError, ["percents", "[]"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), NEAREST_BASES, ids=_ids(NEAREST_BASES))
def test_nearest_bases_bad_input(kwargs, error, words):
    _raises(nearest_bases, kwargs, error, words)


# ---------------------------------------------------------------- infer_group_sizes
_GS = {"overall": 50, "groups": {"GP": 61, "non-GP": 31}}
INFER_GROUP_SIZES = [
    ({**_GS, "groups": {"GP": 120, "non-GP": 3}, "n": 10}, ValueError, ["groups[GP]", "120"]),
    ({**_GS, "groups": {"GP": 61}, "n": 10}, ValueError, ["partition=True", "GP"]),
    ({**_GS, "groups": {}, "n": 10}, ValueError, ["groups", "{}"]),
    ({**_GS, "groups": [61, 31], "n": 10}, ValueError, ["groups", "[61, 31]"]),
    ({**_GS, "n": 0}, ValueError, ["n", "0"]),
    ({**_GS, "n": [70, 7.5]}, ValueError, ["n", "7.5"]),
    ({**_GS, "n": "70"}, ValueError, ["n", "'70'"]),
    ({**_GS, "overall": NAN, "n": 10}, ValueError, ["overall", "nan"]),
    ({**_GS, "overall": 101, "n": 10}, ValueError, ["overall", "101"]),
    ({**_GS, "n": 70, "decimals": -1}, ValueError, ["decimals", "-1"]),
    ({**_GS, "n": 70, "max_rows": 0}, ValueError, ["max_rows", "0"]),
    # bases that grow without bound: refused at once with the limit
    ({**_GS, "n": 10**12}, ValueError, ["1,000,000", "n=1,000,000,000,000"]),
    ({**_GS, "max_base": 10**9}, ValueError, ["1,000,000", "max_base=1,000,000,000"]),
    ({"overall": 50, "groups": {"a": 61, "b": 31, "c": 40}}, ValueError,
     ["333,833,500", "3 groups", "50,000,000"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), INFER_GROUP_SIZES,
                         ids=_ids(INFER_GROUP_SIZES))
def test_infer_group_sizes_bad_input(kwargs, error, words):
    _raises(bt.infer_group_sizes, kwargs, error, words)


# ---------------------------------------------------------------- check_figures
def _figures(**cells):
    """One share figure f0 (68% on a stated base of 94), with ``cells`` overriding."""
    row = {"figure_id": "f0", "survey": "s", "wave": "w1", "item": "q", "category": "yes",
           "group": "all", "statistic": "share", "value": 68.0, "decimals": 0,
           "scale_min": None, "scale_max": None, "base": 94, "multi_response": False,
           "exhaustive": False, "reference_wave": "", "implied": False}
    row.update(cells)
    return pd.DataFrame([row], dtype=object)


_MEAN = {"statistic": "mean", "value": 7.2, "decimals": 1, "scale_min": 1, "scale_max": 10}
CHECK_FIGURES = [
    # issue 12 item 7: each was truncated, a ZeroDivisionError, a TypeError or named no figure
    ({"figures": _figures(base=10.5)}, ValueError, ["'f0'", "'base'", "10.5"]),
    ({"figures": _figures(base=0)}, ValueError, ["'f0'", "'base'", "0"]),
    ({"figures": _figures(base=-3)}, ValueError, ["'f0'", "'base'", "-3"]),
    ({"figures": _figures(decimals=pd.NA)}, ValueError, ["'f0'", "'decimals'", "<NA>"]),
    ({"figures": _figures(decimals=-1)}, ValueError, ["'f0'", "'decimals'", "-1"]),
    ({"figures": _figures(decimals=0.5)}, ValueError, ["'f0'", "'decimals'", "0.5"]),
    ({"figures": _figures(value=math.nan)}, ValueError, ["'f0'", "'value'", "nan"]),
    ({"figures": _figures(value=math.inf)}, ValueError, ["'f0'", "'value'", "inf"]),
    ({"figures": _figures(value="68%")}, ValueError, ["'f0'", "'value'", "'68%'"]),
    ({"figures": _figures(value=120.0)}, ValueError, ["'f0'", "'value'", "0-100", "120"]),
    ({"figures": _figures(value=-1.0)}, ValueError, ["'f0'", "'value'", "-1"]),
    ({"figures": _figures(value=68.5)}, ValueError, ["'f0'", "'value'", "68.5", "decimals=0"]),
    ({"figures": _figures(exhaustive="no")}, ValueError, ["'f0'", "'exhaustive'", "'no'"]),
    ({"figures": _figures(**{**_MEAN, "scale_min": 1.5})}, ValueError, ["'f0'", "'scale_min'", "1.5"]),
    ({"figures": _figures(**{**_MEAN, "scale_min": 10, "scale_max": 1})}, ValueError,
     ["'f0'", "'scale_max'", "1"]),
    ({"figures": _figures(**{**_MEAN, "value": 11.0})}, ValueError,
     ["'f0'", "'value'", "1-10", "11"]),
    ({"figures": _figures(**_MEAN, sd=-1.0)}, ValueError, ["'f0'", "'sd'", "-1"]),
    ({"figures": _figures().drop(columns="base")}, ValueError, ["missing", "base"]),
    ({"figures": [68]}, ValueError, ["DataFrame", "list"]),
    ({"figures": _figures(), "convention": "up"}, ValueError, ["convention", "'up'"]),
    ({"figures": _figures(base=None),
      "waves": pd.DataFrame({"survey": ["s"], "wave": ["w1"], "respondents": [10.5]})},
     ValueError, ["'w1'", "'respondents'", "10.5"]),
    ({"figures": _figures(base=None),
      "waves": pd.DataFrame({"survey": ["s"], "wave": ["w1"], "respondents": [0]})},
     ValueError, ["'w1'", "'respondents'", "0"]),
    ({"figures": _figures(), "waves": pd.DataFrame({"survey": ["s"], "wave": ["w1"]})},
     ValueError, ["waves", "'respondents'"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), CHECK_FIGURES, ids=_ids(CHECK_FIGURES))
def test_check_figures_bad_input(kwargs, error, words):
    before = kwargs["figures"].copy() if isinstance(kwargs["figures"], pd.DataFrame) else None
    _raises(bt.check_figures, kwargs, error, words)
    if before is not None:  # the caller's frame is never changed
        pd.testing.assert_frame_equal(kwargs["figures"], before)


# ---------------------------------------------------------------- the other entry points
MANSKI = [
    ({"percent_or_share": 120, "n_respondents": 10, "population_size": 20}, ValueError,
     ["percent_or_share", "120"]),
    ({"percent_or_share": NAN, "n_respondents": 10, "population_size": 20}, ValueError,
     ["percent_or_share", "nan"]),
    ({"percent_or_share": 1.5, "n_respondents": 10, "population_size": 20, "kind": "share"},
     ValueError, ["percent_or_share", "1.5"]),
    ({"percent_or_share": 50, "n_respondents": 30, "population_size": 20}, ValueError,
     ["population_size", "30", "20"]),
    ({"percent_or_share": 50, "n_respondents": 10.5, "population_size": 20}, ValueError,
     ["n_respondents", "10.5"]),
    ({"percent_or_share": 50, "n_respondents": 10, "population_size": 20, "kind": "mean"},
     ValueError, ["scale", "None"]),
    ({"percent_or_share": 50, "n_respondents": 10, "population_size": 20, "kind": "mean",
      "scale": (1, 10)}, ValueError, ["percent_or_share=50", "1-10"]),
    ({"percent_or_share": 50, "n_respondents": 10, "population_size": 20, "kind": "ratio"},
     ValueError, ["kind", "'ratio'"]),
    ({"percent_or_share": 50, "n_respondents": 10, "population_size": 20, "decimals": -1},
     ValueError, ["decimals", "-1"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), MANSKI, ids=_ids(MANSKI))
def test_manski_bounds_bad_input(kwargs, error, words):
    _raises(bt.manski_bounds, kwargs, error, words)


_MS = {"mean": 7.3, "scale": (1, 10), "threshold": 5}
MEAN_SHARE = [
    ({**_MS, "mean": 11}, ValueError, ["mean=11", "1-10"]),
    ({**_MS, "mean": NAN}, ValueError, ["mean", "nan"]),
    ({**_MS, "scale": (10, 1)}, ValueError, ["scale", "(10, 1)"]),
    ({**_MS, "scale": (3, 3)}, ValueError, ["scale", "(3, 3)"]),
    ({**_MS, "threshold": 11}, ValueError, ["threshold=11", "1-10"]),
    ({**_MS, "published_percent": 120}, ValueError, ["published_percent", "120"]),
    ({**_MS, "side": "x"}, ValueError, ["side", "'x'"]),
    ({**_MS, "scale": (0.5, 10)}, ValueError, ["integer=True", "(0.5, 10)"]),
    ({**_MS, "decimals": 1, "mean": 7.35}, ValueError, ["mean", "7.35", "decimals=1"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), MEAN_SHARE, ids=_ids(MEAN_SHARE))
def test_mean_share_bounds_bad_input(kwargs, error, words):
    _raises(bt.mean_share_bounds, kwargs, error, words)


_PS = {"shares": {"a": 50, "b": 20}, "sizes_or_bases": {"a": 10, "b": 5},
       "population": {"a": 0.5, "b": 0.5}}
POSTSTRATIFY = [
    ({**_PS, "shares": {"a": 120, "b": 20}}, ValueError, ["shares['a']", "120"]),
    ({**_PS, "shares": {"a": NAN, "b": 20}}, ValueError, ["shares['a']", "nan"]),
    ({**_PS, "shares": {}}, ValueError, ["shares", "{}"]),
    ({**_PS, "sizes_or_bases": {"a": 10, "b": 0}}, ValueError, ["sizes_or_bases['b']", "0"]),
    ({**_PS, "sizes_or_bases": {"a": 10}}, ValueError, ["sizes_or_bases", "['a']"]),
    ({**_PS, "population": {"a": 0.5, "b": 0.6}}, ValueError, ["population", "1.1"]),
    ({**_PS, "population": {"a": NAN, "b": 0.5}}, ValueError, ["population['a']", "nan"]),
    ({**_PS, "population": {"a": 0.5}}, ValueError, ["population", "'b'"]),
    ({**_PS, "population": {"a": (0.6, 0.4), "b": None}}, ValueError,
     ["population['a']", "(0.6, 0.4)"]),
    ({**_PS, "conf_level": 2}, ValueError, ["conf_level", "2"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), POSTSTRATIFY, ids=_ids(POSTSTRATIFY))
def test_poststratify_shares_bad_input(kwargs, error, words):
    _raises(bt.poststratify_shares, kwargs, error, words)


_CC = {"percent_a": 43, "percent_b": 31, "n": 273}
COMPARE_CATEGORIES = [
    ({**_CC, "percent_a": 120}, ValueError, ["percent_a", "120"]),
    ({**_CC, "percent_b": NAN}, ValueError, ["percent_b", "nan"]),
    ({**_CC, "percent_a": 70, "percent_b": 50}, ValueError, ["120", "100"]),
    ({**_CC, "n": 0}, ValueError, ["n", "0"]),
    ({**_CC, "n": 27.3}, ValueError, ["n", "27.3"]),
    ({**_CC, "decimals": -1}, ValueError, ["decimals", "-1"]),
    ({**_CC, "direction": "up"}, ValueError, ["direction", "'up'"]),
    ({**_CC, "rounding": "best"}, ValueError, ["rounding", "'best'"]),
    ({**_CC, "population_size": 100}, ValueError, ["population_size", "100"]),
    ({"percent_a": 50, "percent_b": 30, "n": 85}, ValueError, ["percent_a=50", "n=85"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), COMPARE_CATEGORIES,
                         ids=_ids(COMPARE_CATEGORIES))
def test_compare_categories_bad_input(kwargs, error, words):
    _raises(bt.compare_categories, kwargs, error, words)


_CI = {"percent_a": 64, "percent_b": 14, "n": 273}
COMPARE_ITEMS = [
    ({**_CI, "percent_a": 120}, ValueError, ["percent_a", "120"]),
    ({**_CI, "percent_b": -4}, ValueError, ["percent_b", "-4"]),
    ({**_CI, "percent_a": INF}, ValueError, ["percent_a", "inf"]),
    ({**_CI, "correlation": 2}, ValueError, ["correlation", "2"]),
    ({**_CI, "n": -1}, ValueError, ["n", "-1"]),
    ({**_CI, "direction": "both"}, ValueError, ["direction", "'both'"]),
    ({**_CI, "conf_level": -0.5}, ValueError, ["conf_level", "-0.5"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), COMPARE_ITEMS, ids=_ids(COMPARE_ITEMS))
def test_compare_items_bad_input(kwargs, error, words):
    _raises(bt.compare_items, kwargs, error, words)


ROUNDING_INTERVAL = [
    ({"value": NAN}, ValueError, ["value", "nan"]),
    ({"value": INF}, ValueError, ["value", "inf"]),
    ({"value": "68"}, ValueError, ["value", "'68'"]),
    ({"value": 68.5}, ValueError, ["value", "68.5", "decimals=0"]),
    ({"value": 68, "decimals": -1}, ValueError, ["decimals", "-1"]),
    ({"value": 68, "convention": "x"}, ValueError, ["convention", "'x'"]),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), ROUNDING_INTERVAL,
                         ids=_ids(ROUNDING_INTERVAL))
def test_rounding_interval_bad_input(kwargs, error, words):
    _raises(bt.rounding_interval, kwargs, error, words)


GRIM = [
    (grim, {"mean": 5.19, "n": 0}, ValueError, ["n", "0"]),
    (grim, {"mean": NAN, "n": 28}, ValueError, ["mean", "nan"]),
    (grim, {"mean": 5.195, "n": 28}, ValueError, ["mean", "5.195", "decimals=2"]),
    (grim, {"mean": 5.19, "n": 28, "scale": (7, 1)}, ValueError, ["scale", "(7, 1)"]),
    (grim, {"mean": 5.19, "n": 28, "items": 0}, ValueError, ["items", "0"]),
    (grimmer, {"mean": 3.5, "sd": -1.0, "n": 10}, ValueError, ["sd", "-1"]),
    (grimmer, {"mean": 3.5, "sd": 1.0, "n": 1}, ValueError, ["n", "1"]),
    (sd_bounds, {"mean": 11, "n": 10, "scale_min": 1, "scale_max": 10}, ValueError,
     ["mean", "11"]),
    (sd_bounds, {"mean": 5, "n": 10, "scale_min": 5, "scale_max": 5}, ValueError, ["(5, 5)"]),
]


@pytest.mark.parametrize(("fn", "kwargs", "error", "words"), GRIM,
                         ids=[f"{c[0].__name__}: {_ids([c[1:]])[0]}" for c in GRIM])
def test_grim_family_bad_input(fn, kwargs, error, words):
    _raises(fn, kwargs, error, words)


# ---------------------------------------------------------------- sizes without bound
# Each of these hung for minutes or raised MemoryError before issue 12 (one statsmodels call per
# feasible count; arrays of one entry per base or count). They must answer from the ends of the
# count run, or refuse, at once.

def test_union_interval_on_a_hundred_million():
    r = bt.proportion_ci(n=10**8, percent=50, rounding="union", method="clopper_pearson")
    # the run is 49,500,000-50,499,999; the union spans at least the two ends' estimates
    assert r["ci_low"].iloc[0] < 0.495 and r["ci_high"].iloc[0] > 0.504999
    assert "49500000-50499999 of 100000000" in r["note"].iloc[0]


def test_feasible_count_range_on_a_million_million():
    r = feasible_count_range(50, 10**12).iloc[0]
    # [49.5%, 50.5%) of 1e12: 495e9 up to 505e9 - 1
    assert (r["count_min"], r["count_max"], r["counts"]) == (495 * 10**9, 505 * 10**9 - 1,
                                                            10**10)


def test_grimmer_on_a_billion_answers():
    r = grimmer(3.5, 1.0, 10**9).iloc[0]
    assert r["grim"] and r["consistent"]
