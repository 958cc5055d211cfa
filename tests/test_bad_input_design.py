"""Bad input to Design, its estimators and the weighting verbs: a clear, specific error.

One table: each case gives the call, the expected error class and the words the message must
contain (the argument, the column, the offending value, the row or category), so that an error
that names nothing, or the wrong thing, fails. Every call also checks that the caller's
DataFrame is left exactly as it was (values, dtypes, index), error or not.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from barotrend.design import Design
from barotrend.weighting import adjust_nonresponse, calibrate, poststratify, rake, trim


def base():
    return pd.DataFrame({
        "y": [1.0, 2, 3, 4, 5, 6, 7, 8],
        "w": [1.0, 2, 1, 2, 1, 2, 1, 2],
        "s": [1, 1, 1, 1, 2, 2, 2, 2],
        "p": [1, 1, 2, 2, 3, 3, 4, 4],
        "g": list("abababab"),
        "x": [1.0, 2, 3, 1, 2, 3, 1, 2],
        "t": list("uvuvuvuv"),
        "N": [10, 10, 10, 10, 20, 20, 20, 20],
        "r": [1, 1, 0, 1, 1, 0, 1, 1],
    }, index=[f"r{i}" for i in range(8)])


def with_(**cols):
    return lambda df: df.assign(**cols)


def design(**kw):
    return lambda df: Design(df, **({"weights": "w"} | kw))


def at(frame_edit, make):
    """A call on an edited copy (the edit itself is the caller's, made before the call)."""
    def call(df):
        return make(frame_edit(df))
    return call


CASES = [
    # --- Design: the data and its columns ------------------------------------------------
    ("not a frame", lambda df: Design(df.to_dict()), ValueError,
     ["data", "DataFrame", "dict"]),
    ("no rows", lambda df: Design(df.iloc[:0]), ValueError, ["data", "no rows"]),
    ("negative weight", at(with_(w=[1, -2.0, 1, 2, 1, 2, 1, 2]), design()), ValueError,
     ["weights", "'w'", "-2.0", "'r1'"]),
    ("NaN weight", at(with_(w=[1, 2.0, np.nan, 2, 1, 2, 1, 2]), design()), ValueError,
     ["weights", "'w'", "nan", "'r2'"]),
    ("infinite weight", at(with_(w=[1, 2.0, 1, 2, 1, np.inf, 1, 2]), design()), ValueError,
     ["weights", "'w'", "inf", "'r5'"]),
    ("zero weight", at(with_(w=[1, 2.0, 1, 0, 1, 2, 1, 2]), design()), ValueError,
     ["weights", "'w'", "0.0", "'r3'"]),
    ("text in the weights", at(with_(w=["1", "2", "1", "2", "1", "two", "1", "2"]), design()),
     ValueError, ["weights", "'w'", "'two'", "'r5'", "not a number"]),
    ("numbers as text in the weights", at(with_(w=[str(v) for v in [1, 2] * 4]), design()),
     ValueError, ["weights", "'w'", "'1'", "'r0'", "to_numeric"]),
    ("boolean weights", at(with_(w=[True] * 8), design()), ValueError,
     ["weights", "'w'", "boolean"]),
    ("weights column missing", lambda df: Design(df, weights="wt"), ValueError,
     ["weights", "'wt'", "not in the data"]),
    ("weights not a name", lambda df: Design(df, weights=3), ValueError, ["weights", "3"]),
    ("strata column missing", lambda df: Design(df, strata="st"), ValueError,
     ["strata", "'st'", "not in the data"]),
    ("cluster column missing", lambda df: Design(df, cluster=["p", "q"]), ValueError,
     ["cluster", "'q'", "not in the data"]),
    ("fpc column missing", lambda df: Design(df, fpc="NN"), ValueError,
     ["fpc", "'NN'", "not in the data"]),
    ("missing cluster id", at(with_(p=[1, 1, 2, None, 3, 3, 4, 4]), design(cluster="p")),
     ValueError, ["cluster", "'p'", "missing id", "'r3'"]),
    ("missing stratum", at(with_(s=[1, 1, 1, 1, 2, None, 2, 2]), design(strata="s")),
     ValueError, ["strata", "'s'", "missing id", "'r5'"]),
    ("lonely PSU under fail", at(with_(s=[1, 1, 1, 1, 2, 2, 3, 3]),
                                  design(strata="s", cluster="p")),
     ValueError, ["stratum 2", "'s'", "only one PSU", "lonely_psu"]),
    ("bad lonely_psu", lambda df: Design(df, lonely_psu="drop"), ValueError,
     ["lonely_psu", "'drop'"]),
    ("cluster in two strata", at(with_(p=[1, 1, 2, 2, 2, 3, 4, 4]),
                                  design(strata="s", cluster="p")),
     ValueError, ["cluster", "id 2", "'p'", "more than one stratum", "nest=True"]),
    ("only one PSU", at(with_(p=[1] * 8), design(cluster="p")), ValueError,
     ["cluster", "only one primary sampling unit"]),
    ("fpc below the PSUs", at(with_(N=[1, 1, 1, 1, 20, 20, 20, 20]),
                               design(strata="s", cluster="p", fpc="N")),
     ValueError, ["fpc", "'N'", "population 1.0", "2 sampled units", "stratum 1", "'s'"]),
    ("fpc varying in a stratum", at(with_(N=[10, 10, 12, 10, 20, 20, 20, 20]),
                                     design(strata="s", cluster="p", fpc="N")),
     ValueError, ["fpc", "'N'", "varies within", "stratum 1"]),
    ("fpc NaN", at(with_(N=[10, 10, 10, 10, 20, np.nan, 20, 20]),
                   design(strata="s", cluster="p", fpc="N")),
     ValueError, ["fpc", "'N'", "nan", "'r5'"]),
    ("fpc as text", at(with_(N=["10"] * 8), design(fpc="N")), ValueError,
     ["fpc", "'N'", "'10'", "to_numeric"]),
    ("fpc mixes sizes and fractions", at(with_(N=[10, 10, 10, 10, .5, .5, .5, .5]),
                                          design(strata="s", fpc="N")),
     ValueError, ["fpc", "mix", "population sizes", "sampling fractions"]),
    ("fpc one column for two stages", lambda df: Design(df, cluster=["s", "p"], fpc="N"),
     ValueError, ["fpc", "one column per stage", "2"]),
    # --- estimators --------------------------------------------------------------------
    ("mean of text", lambda df: Design(df).mean("t"), ValueError,
     ["var", "'t'", "'u'", "'r0'", ".proportion"]),
    ("mean of a missing column", lambda df: Design(df).mean("z"), ValueError,
     ["var", "'z'", "not in the data"]),
    ("infinite value", at(with_(y=[1, 2, 3, np.inf, 5, 6, 7, 8.0]), lambda d: Design(d).mean("y")),
     ValueError, ["var", "'y'", "infinite", "inf", "'r3'"]),
    ("infinite value by domain, replicate",
     at(with_(y=[1, 2, 3, 4, -np.inf, 6, 7, 8.0]),
        lambda d: Design(d, cluster="p").replicate("JK1").total("y", by="g")),
     ValueError, ["var", "'y'", "infinite", "-inf", "'r4'"]),
    ("infinite denominator", at(with_(x=[1, 2, 3, 4, 5, 6, 7, np.inf]),
                                lambda d: Design(d).ratio("y", "x")),
     ValueError, ["den", "'x'", "infinite", "'r7'"]),
    ("by column missing", lambda df: Design(df).mean("y", by="region"), ValueError,
     ["by", "'region'", "not in the data"]),
    ("proportion method", lambda df: Design(df).proportion("g", method="exact"), ValueError,
     ["method", "'exact'", "logit"]),
    ("proportion conf_level", lambda df: Design(df).proportion("g", conf_level=95), ValueError,
     ["conf_level", "95"]),
    ("compare one domain with itself", lambda df: Design(df).compare("y", "g", "a", "a"),
     ValueError, ["b", "'a'", "same as domain a"]),
    ("compare an absent domain", lambda df: Design(df).compare("y", "g", "a", "c"),
     ValueError, ["b", "'c'", "does not occur", "'g'"]),
    ("compare a text column", lambda df: Design(df).compare("t", "g", "a", "b"), ValueError,
     ["var", "'t'", "'u'", "not a number"]),
    ("replicate kind", lambda df: Design(df).replicate("jackknife"), ValueError,
     ["kind", "'jackknife'", "JK1"]),
    ("JK1 on strata", lambda df: Design(df, strata="s", cluster="p").replicate("JK1"),
     ValueError, ["JK1", "unstratified", "JKn"]),
    ("BRR without pairs", at(with_(p=[1, 2, 3, 3, 4, 4, 5, 5]),
                             lambda d: Design(d, strata="s", cluster="p").replicate("BRR")),
     ValueError, ["BRR", "exactly 2 PSUs", "stratum 1", "3"]),
    ("replicate weights negative",
     lambda df: Design.from_replicate_weights(df.assign(r1=-1.0, r2=1.0), ["r1", "r2"]),
     ValueError, ["repweights", "'r1'", "-1.0", "'r0'"]),
    # --- weighting verbs ---------------------------------------------------------------
    ("sample category missing from the population",
     lambda df: poststratify(Design(df), "g", {"a": 10}), ValueError,
     ["population", "'g'", "do not cover", "'b'", "4 unit(s)"]),
    ("population category missing from the sample",
     lambda df: poststratify(Design(df), "g", {"a": 10, "b": 10, "c": 5}), ValueError,
     ["population", "'g'", "'c'", "total 5", "no sample units"]),
    ("population 0 for a sampled category",
     lambda df: poststratify(Design(df), "g", {"a": 0, "b": 10}), ValueError,
     ["population", "'a'", "'g'", "population total of 0"]),
    ("negative population", lambda df: poststratify(Design(df), "g", {"a": -5, "b": 10}),
     ValueError, ["population", "'g'='a'", "-5"]),
    ("NaN population", lambda df: poststratify(Design(df), "g", {"a": np.nan, "b": 10}),
     ValueError, ["population", "'g'='a'", "nan"]),
    ("text population", lambda df: poststratify(Design(df), "g", {"a": "ten", "b": 10}),
     ValueError, ["population", "'g'='a'", "'ten'"]),
    ("poststratify missing column", lambda df: poststratify(Design(df), "sex", {"f": 1}),
     ValueError, ["population", "'sex'", "not in the design's data"]),
    ("poststratify missing value", at(with_(g=[*"abab", None, *"bab"]),
                                      lambda d: poststratify(Design(d), "g", {"a": 1, "b": 1})),
     ValueError, ["population", "'g'", "1 missing value", "'r4'"]),
    ("rake margin missing a category",
     lambda df: rake(Design(df), {"g": {"a": 10}, "t": {"u": 5, "v": 5}}), ValueError,
     ["margins", "'g'", "do not cover", "'b'"]),
    ("rake margins disagree",
     lambda df: rake(Design(df), {"g": {"a": 10, "b": 10}, "t": {"u": 5, "v": 5}}),
     ValueError, ["margins", "disagree", "'g': 20", "'t': 10"]),
    ("rake category 0", lambda df: rake(Design(df), {"g": {"a": 0, "b": 10}}), ValueError,
     ["margins", "'a'", "population total of 0"]),
    ("calibrate population_size 0",
     lambda df: calibrate(Design(df), {"x": 10}, population_size=0), ValueError,
     ["population_size", "positive", "got 0"]),
    ("calibrate population_size negative",
     lambda df: calibrate(Design(df), {"x": 10}, population_size=-5), ValueError,
     ["population_size", "positive", "-5"]),
    ("calibrate population_size NaN",
     lambda df: calibrate(Design(df), {"x": 10}, population_size=float("nan")), ValueError,
     ["population_size", "nan"]),
    ("calibrate population_size text",
     lambda df: calibrate(Design(df), {"x": 10}, population_size="ten"), ValueError,
     ["population_size", "'ten'"]),
    ("calibrate total NaN",
     lambda df: calibrate(Design(df), {"x": float("nan")}, population_size=10), ValueError,
     ["totals", "'x'", "nan"]),
    ("calibrate total text", lambda df: calibrate(Design(df), {"x": "a"}, population_size=10),
     ValueError, ["totals", "'x'", "'a'"]),
    ("calibrate missing column",
     lambda df: calibrate(Design(df), {"age": 5}, population_size=10), ValueError,
     ["totals", "'age'", "not in the design's data"]),
    ("calibrate text auxiliary", lambda df: calibrate(Design(df), {"t": 5}, population_size=10),
     ValueError, ["totals", "'t'", "'u'", "'r0'"]),
    ("calibrate missing auxiliary", at(with_(x=[1, 2, None, 1, 2, 3, 1, 2]),
                                       lambda d: calibrate(Design(d), {"x": 5},
                                                           population_size=10)),
     ValueError, ["totals", "'x'", "missing value", "'r2'"]),
    ("calibrate category missing", lambda df: calibrate(Design(df), {"g": {"a": 10}}),
     ValueError, ["totals", "'g'", "do not cover", "'b'"]),
    ("calibrate population_size against a margin",
     lambda df: calibrate(Design(df), {"g": {"a": 5, "b": 5}}, population_size=20), ValueError,
     ["totals", "disagree", "'g': 10", "20"]),
    ("calibrate calfun", lambda df: calibrate(Design(df), {"x": 10}, calfun="ridge",
                                              population_size=10),
     ValueError, ["calfun", "'ridge'"]),
    ("calibrate bounds", lambda df: calibrate(Design(df), {"x": 10}, bounds=(2, 3),
                                              population_size=10),
     ValueError, ["bounds", "lower < 1 < upper", "(2, 3)"]),
    ("calibrate infeasible", lambda df: calibrate(Design(df), {"x": 1000}, population_size=10,
                                                  calfun="raking", bounds=(0.5, 2)),
     ValueError, ["raking", "cannot meet the totals", "(0.5, 2)"]),
    ("trim cap below the mean", lambda df: trim(Design(df, weights="w"), upper=1.2),
     ValueError, ["upper", "1.2", "below the mean weight 1.5"]),
    ("trim negative cap", lambda df: trim(Design(df), upper=-1), ValueError, ["upper", "-1"]),
    ("trim text cap", lambda df: trim(Design(df), upper="a"), ValueError, ["upper", "'a'"]),
    ("nonresponse column missing", lambda df: adjust_nonresponse(Design(df), "resp", by="g"),
     ValueError, ["responded", "'resp'", "not in the frame"]),
    ("nonresponse values", at(with_(r=[1, 2, 0, 1, 1, 0, 1, 1]),
                              lambda d: adjust_nonresponse(Design(d), "r", by="g")),
     ValueError, ["responded", "True/False", "2"]),
    ("nonresponse class without respondents",
     at(with_(r=[0, 1, 0, 1, 0, 1, 0, 1]), lambda d: adjust_nonresponse(Design(d), "r", by="g")),
     ValueError, ["by", "'a'", "no respondents"]),
]


@pytest.mark.parametrize(("call", "error", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_gives_a_clear_error(call, error, words):
    df = base()
    before = df.copy(deep=True)
    with pytest.raises(error) as info:
        call(df)
    msg = str(info.value)
    missing = [w for w in words if w not in msg]
    assert not missing, f"message {msg!r} lacks {missing}"
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is never changed


def test_valid_calls_leave_the_frame_unchanged():
    # the same frame through every verb that succeeds
    df = base()
    before = df.copy(deep=True)
    d = Design(df, weights="w", strata="s", cluster="p", fpc="N")
    d.mean("y", by="g"), d.total("y"), d.ratio("y", "x"), d.proportion("t", by="g")
    d.compare("y", "g", "a", "b"), d.replicate("JKn").mean("y")
    poststratify(d, "g", {"a": 20, "b": 40}).mean("y")
    rake(d, {"g": {"a": 20, "b": 40}, "t": {"u": 20, "v": 40}}).mean("y")
    calibrate(d, {"x": 110}, population_size=60).mean("y")
    with warnings.catch_warnings():  # small classes, a weight above the cap: warnings
        warnings.simplefilter("ignore")
        trim(d, upper=1.8).mean("y")
        adjust_nonresponse(d, "r", by="g").mean("y")
    pd.testing.assert_frame_equal(df, before)
