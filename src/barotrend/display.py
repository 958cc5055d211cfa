"""One set of units and formats for every number a reader sees: notebooks, the HTML report, plots.

Result frames keep full precision (shares as proportions in [0, 1], dates as decimal years); this
module turns them into text, always the same way:

* shares and their intervals in percent (``73.0%``), differences of shares in percentage points
  (``-5.0 pp``), standard errors of shares in percentage points;
* counts as whole numbers (``85``), other numbers to 3 significant digits without exponents;
* dates as the period they state (``Jan 2013``, ``Q2 2013``, ``2013``);
* p-values as ``<0.001`` or to 2 significant digits, more only where 2 would put the value on the
  other side of 0.1, 0.05 or 0.01 (``0.0496``, not ``0.050``);
* missing values as an empty cell (the reason stays in the ``note``);
* methods in words (:data:`METHOD_WORDS`).

Pure functions: each returns a string, :func:`format_results` a new frame of strings (the input
is not modified).

Examples
--------
>>> fmt_percent(0.7304), fmt_points(-0.05), fmt_count(85.0), fmt_pvalue(2.63e-20)
('73.0%', '-5.0 pp', '85', '<0.001')
>>> fmt_date(2013.0417, "month"), fmt_date(2013.375, "quarter"), method_words("newcombe")
('Jan 2013', 'Q2 2013', 'Newcombe score interval')
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from barotrend.cells import CellError, parse_date

__all__ = [
    "METHOD_STATISTIC", "METHOD_WORDS", "fmt_count", "fmt_date", "fmt_interval", "fmt_number",
    "fmt_percent", "fmt_points", "fmt_pvalue", "format_results", "method_words", "row_statistics",
]

#: Method ids a result's ``method`` column (or an option such as a p-value adjustment) can carry
#: -> short words. Longer methods are already words; composite methods ("logit, taylor") are
#: translated part by part (:func:`method_words`).
METHOD_WORDS: dict[str, str] = {
    # intervals of one share (figures.proportions, design.intervals)
    "wilson": "Wilson score interval",
    "wilson_cc": "Wilson interval, continuity-corrected",
    "clopper_pearson": "Clopper-Pearson exact interval",
    "jeffreys": "Jeffreys interval",
    "agresti_coull": "Agresti-Coull interval",
    "wald": "Wald interval",
    "logit": "logit interval",
    "likelihood": "likelihood interval",
    "beta": "Korn-Graubard (beta) interval",
    "xlogit": "logit interval on the design effect-adjusted n",
    "mean": "Wald t interval",
    "asin": "arcsine interval",
    # differences of shares (figures.differences) and of estimates (compare)
    "newcombe": "Newcombe score interval",
    "newcombe_cc": "Newcombe interval, continuity-corrected",
    "agresti_caffo": "Agresti-Caffo interval",
    "t": "t test",
    "z": "z test",
    # means from summaries (figures.means)
    "welch": "Welch t test",
    "welch_assumed_sd": "Welch t test with an assumed SD",
    "bhatia_davis": "largest SD the scale allows (Bhatia-Davis)",
    "tipping_point": "tipping-point SD (no test)",
    # bounds and re-weighting (figures.bounds)
    "manski": "worst-case bounds (Manski)",
    "poststratified": "post-stratified estimate",
    "poststratified_range": "post-stratified range",
    "respondent_mix": "respondents' own mix (not re-weighted)",
    "mean_share_bounds": "bounds on a share from a mean",
    # weights, trends
    "kish": "Kish design effect",
    "trend": "linear trend",
    # p-value adjustments (compare.P_ADJUST_METHODS)
    "holm": "Holm-adjusted",
    "fdr_bh": "Benjamini-Hochberg-adjusted",
    "bonferroni": "Bonferroni-adjusted",
    # variance estimation of a design (design.estimators, design.replicate.TYPES)
    "taylor": "linearised variance",
    "replicate": "replicate-weight variance",
    "BRR": "BRR replicate variance",
    "Fay": "Fay's BRR replicate variance",
    "JK1": "jackknife (JK1) variance",
    "JKn": "stratified jackknife (JKn) variance",
    "JK2": "paired jackknife (JK2) variance",
    "bootstrap": "bootstrap variance",
    "subbootstrap": "subsample bootstrap variance",
    "mrbbootstrap": "multistage rescaled bootstrap variance (Preston)",
    "ACS": "ACS replicate variance",
    "successive-difference": "successive-difference variance",
    "other": "replicate variance",
    # quantile rules (design.quantiles.RULES)
    "math": "inverse-CDF quantile",
    "school": "mid-step quantile",
    "shahvaish": "Shah-Vaish quantile",
    **{f"hf{k}": f"Hyndman-Fan type {k} quantile" for k in range(1, 10)},
    # model functions named as R names them (design.glm, design.ordinal, design.termtest, ...)
    "svyglm": "survey-weighted GLM",
    "svyolr": "survey-weighted ordinal regression",
    "regTermTest": "design-based test of model terms",
    "svyvar": "population variance",
}

#: What a method implies about the estimate (``share``, ``mean`` or ``count``), for result
#: frames that do not say it themselves (no ``measure`` column, no ``attrs["shares"]``).
METHOD_STATISTIC: dict[str, str] = {
    **dict.fromkeys(["wilson", "wilson_cc", "clopper_pearson", "jeffreys", "agresti_coull",
                     "wald", "logit", "newcombe", "newcombe_cc", "agresti_caffo",
                     "poststratified", "poststratified_range", "respondent_mix",
                     "published share (no interval)",
                     "multinomial difference, z test (Scott & Seber 1983)",
                     "paired difference of two items, z test (Wild & Seber 1993)",
                     "paired difference of two items, Frechet-bounded covariance "
                     "(Wild & Seber 1993)",
                     "subgroup against the rest of its parent: pooled z test, Newcombe "
                     "interval scaled by 1 - m/M"], "share"),
    **dict.fromkeys(["welch", "welch_assumed_sd", "tipping_point", "bhatia_davis",
                     "published mean (no interval)", "trend of means",
                     "t interval with published SD", "t interval with stated SD"], "mean"),
    "published count": "count",
}
#: Interval methods of a design's share (``Design.proportion``): "<method>, <variance>".
_DESIGN_SHARE = ("logit", "likelihood", "beta", "xlogit", "mean", "asin", "wilson")

#: Columns holding a share (a level) when the row is a share and not a difference.
SHARE_LEVEL_COLUMNS = ("estimate", "estimate_a", "estimate_b", "ci_low", "ci_high")
#: Columns holding a difference of shares (percentage points, signed).
SHARE_DIFFERENCE_COLUMNS = ("difference", "difference_min", "difference_max")
#: Columns holding counts (shown as whole numbers).
COUNT_COLUMNS = ("n", "n_a", "n_b", "n_eff", "size_a", "size_b", "count", "count_min",
                 "count_max", "base", "respondents", "responding_units", "population_units",
                 "wave_order")
P_COLUMNS = ("p_value", "p_adjusted")
_THRESHOLDS = (0.1, 0.05, 0.01)
_SNAKE_ID = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # an id such as mean_share_bounds in prose
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(np.isnan(x))
    except (TypeError, ValueError):
        return False


def _real(x, what: str) -> float:
    if isinstance(x, bool | np.bool_) or not isinstance(x, int | float | np.integer | np.floating):
        raise ValueError(f"{what}: expected a number, got {x!r}")
    x = float(x)
    if math.isinf(x):
        raise ValueError(f"{what}: expected a finite number, got {x!r}")
    return x


def _fixed(x: float, digits: int) -> str:
    """``x`` to ``digits`` significant digits in fixed notation (no exponent)."""
    if x == 0:
        return "0"
    rounded = float(f"{x:.{digits - 1}e}")  # 0.0999999 -> 0.1, so it shows as 0.100
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    out = f"{x:.{decimals}f}"
    return "0" if float(out) == 0 and decimals == 0 else out


def fmt_number(x, digits: int = 3, *, sign: bool = False) -> str:
    """A number to ``digits`` significant digits, in fixed notation (means, SEs, statistics).

    Examples
    --------
    >>> fmt_number(6.5), fmt_number(175.2036), fmt_number(0.0482), fmt_number(0.7, sign=True)
    ('6.50', '175', '0.0482', '+0.700')
    >>> fmt_number(float("nan")), fmt_number(-1234567.8)
    ('', '-1234568')
    """
    if _missing(x):
        return ""
    x = _real(x, "fmt_number")
    out = _fixed(x, digits)
    return f"+{out}" if sign and x > 0 else out


def fmt_percent(share, decimals: int = 1) -> str:
    """A share (proportion, 0.73) in percent (``73.0%``).

    Examples
    --------
    >>> fmt_percent(0.73), fmt_percent(0.00049), fmt_percent(1.0, decimals=0), fmt_percent(None)
    ('73.0%', '0.0%', '100%', '')
    """
    if _missing(share):
        return ""
    return f"{100 * _real(share, 'fmt_percent'):.{decimals}f}%"


def fmt_points(difference, decimals: int = 1, *, sign: bool = True) -> str:
    """A difference of two shares (proportions) in percentage points, signed (``+5.0 pp``).

    Examples
    --------
    >>> fmt_points(0.05), fmt_points(-0.0512), fmt_points(0.0), fmt_points(0.048, sign=False)
    ('+5.0 pp', '-5.1 pp', '0.0 pp', '4.8 pp')
    """
    if _missing(difference):
        return ""
    v = 100 * _real(difference, "fmt_points")
    out = f"{v:.{decimals}f}"
    if float(out) == 0:
        out = out.lstrip("-")
    elif sign and v > 0:
        out = "+" + out
    return f"{out} pp"


def fmt_count(x) -> str:
    """A count as a whole number (``85``; an effective n of 84.6 shows as ``85``).

    Examples
    --------
    >>> fmt_count(85.0), fmt_count(84.6), fmt_count(np.int64(273)), fmt_count(float("nan"))
    ('85', '85', '273', '')
    """
    if _missing(x):
        return ""
    return f"{round(_real(x, 'fmt_count')):d}"


def fmt_pvalue(p) -> str:
    """A p-value: ``<0.001``, else 2 significant digits (more where 2 digits would cross 0.1,
    0.05 or 0.01, so that the shown value is on the same side of each as the exact one).

    Examples
    --------
    >>> [fmt_pvalue(p) for p in (2.63e-20, 3.6e-06, 0.4644109, 0.014144, 0.0496, 0.05, 1.0)]
    ['<0.001', '<0.001', '0.46', '0.014', '0.0496', '0.050', '1.0']
    >>> fmt_pvalue(float("nan")), fmt_pvalue(0.00999)
    ('', '0.00999')
    >>> fmt_pvalue(1.2)
    Traceback (most recent call last):
    ...
    ValueError: fmt_pvalue: a p-value lies in [0, 1], got 1.2
    """
    if _missing(p):
        return ""
    p = _real(p, "fmt_pvalue")
    if not 0 <= p <= 1:
        raise ValueError(f"fmt_pvalue: a p-value lies in [0, 1], got {p!r}")
    if p < 0.001:
        return "<0.001"
    for digits in range(2, 7):
        out = _fixed(p, digits)
        shown = float(out)
        if all((shown < t) == (p < t) for t in _THRESHOLDS):
            return out
    return out


def fmt_date(value, precision: str = "month") -> str:
    """A date stored as the decimal-year midpoint of its period (``tracking.table.date_value``)
    back to the period: ``month`` -> ``Jan 2013``, ``quarter`` -> ``Q2 2013``, ``year`` ->
    ``2013``.

    Examples
    --------
    >>> fmt_date(2013 + 0.5 / 12), fmt_date(2012 + 9.5 / 12), fmt_date(2013.375, "quarter")
    ('Jan 2013', 'Oct 2012', 'Q2 2013')
    >>> fmt_date(2013.5, "year"), fmt_date(None)
    ('2013', '')
    """
    if _missing(value):
        return ""
    v = _real(value, "fmt_date")
    precision = str(precision).strip().lower() or "month"
    year = math.floor(v + 1e-9)
    frac = min(max(v - year, 0.0), 1 - 1e-9)
    if precision == "year":
        return f"{year}"
    if precision == "quarter":
        return f"Q{math.floor(frac * 4 + 1e-9) + 1} {year}"
    if precision == "month":
        return f"{_MONTHS[math.floor(frac * 12 + 1e-9)]} {year}"
    raise ValueError(f"fmt_date: precision must be 'month', 'quarter' or 'year', got {precision!r}")


def fmt_interval(low, high, kind: str = "number") -> str:
    """An interval ``low to high`` in the unit of ``kind``: ``share`` (percent), ``points``
    (a difference of shares), ``count`` or ``number`` (3 significant digits); empty if either
    end is missing.

    Examples
    --------
    >>> fmt_interval(0.627, 0.813, "share"), fmt_interval(-0.18, 0.084, "points")
    ('62.7% to 81.3%', '-18.0 to +8.4 pp')
    >>> fmt_interval(6.12, 6.88), fmt_interval(0.1, None, "share")
    ('6.12 to 6.88', '')
    """
    if _missing(low) or _missing(high):
        return ""
    if kind == "share":
        return f"{fmt_percent(low)} to {fmt_percent(high)}"
    if kind == "points":
        return f"{fmt_points(low)[:-3]} to {fmt_points(high)}"
    if kind == "count":
        return f"{fmt_count(low)} to {fmt_count(high)}"
    if kind == "number":
        return f"{fmt_number(low)} to {fmt_number(high)}"
    raise ValueError(f"fmt_interval: kind must be 'share', 'points', 'count' or 'number', "
                     f"got {kind!r}")


def method_words(method) -> str:
    """A result's ``method`` in words: an id (``newcombe``) by :data:`METHOD_WORDS`, a composite
    (``logit, taylor``; ``svyglm binomial``) part by part; anything else (already words) as is.

    Examples
    --------
    >>> method_words("tipping_point"), method_words("logit, JKn")
    ('tipping-point SD (no test)', 'logit interval, stratified jackknife (JKn) variance')
    >>> method_words("svyglm binomial"), method_words("hf7, Woodruff (mean)")
    ('survey-weighted GLM (binomial)', 'Hyndman-Fan type 7 quantile, Woodruff (mean)')
    >>> method_words("Rao-Scott F (second order)"), method_words(None)
    ('Rao-Scott F (second order)', '')
    >>> method_words("bounds on the share (mean_share_bounds); no test")
    'bounds on the share (bounds on a share from a mean); no test'
    """
    if _missing(method):
        return ""
    text = str(method).strip()
    if text in METHOD_WORDS:
        return METHOD_WORDS[text]
    parts = text.split(", ")
    if len(parts) > 1 and any(p in METHOD_WORDS for p in parts):
        return ", ".join(method_words(p) for p in parts)
    first, _, rest = text.partition(" ")
    if first in METHOD_WORDS and rest and " " not in rest:
        return f"{METHOD_WORDS[first]} ({rest})"
    return _SNAKE_ID.sub(lambda m: METHOD_WORDS.get(m.group(0), m.group(0)), text)


def _method_statistic(method) -> str:
    if _missing(method):
        return ""
    text = str(method).strip()
    if text in METHOD_STATISTIC:
        return METHOD_STATISTIC[text]
    first, sep, _ = text.partition(", ")
    return "share" if sep and first in _DESIGN_SHARE else ""


def row_statistics(df: pd.DataFrame, shares: bool | None = None) -> list[str]:
    """What each row's estimate is: ``share``, ``mean``, ``count`` or ``""`` (not known: shown
    as a plain number, never as a percentage).

    In order: a ``measure`` column (``share``, ``mean``, ``count`` per row; the results' own
    ``statistic`` column is the test statistic, not this); ``shares`` (or ``df.attrs["shares"]``:
    True marks every row a share, False none); the row's ``method`` (:data:`METHOD_STATISTIC`);
    a ``scale`` (a mean's rating scale) marks a mean.

    Examples
    --------
    >>> df = pd.DataFrame({"method": ["wilson", "published mean (no interval)", "taylor"]})
    >>> row_statistics(df), row_statistics(df, shares=True)
    (['share', 'mean', ''], ['share', 'share', 'share'])
    """
    n = len(df)
    if "measure" in df.columns:
        vals = [str(v).strip().lower() if not _missing(v) else "" for v in df["measure"]]
        return [v if v in ("share", "mean", "count") else "" for v in vals]
    flag = shares if shares is not None else df.attrs.get("shares")
    if flag is not None:
        return ["share" if flag else ""] * n
    out = [_method_statistic(m) for m in df["method"]] if "method" in df.columns else [""] * n
    if "scale" in df.columns:
        out = [s or ("mean" if not _missing(sc) and str(sc).strip() else "")
               for s, sc in zip(out, df["scale"], strict=True)]
    return out


def _is_difference(row: Mapping) -> bool:
    return any(not _missing(row.get(c)) for c in ("estimate_a", "estimate_b", "difference"))


def _cell(col: str, value, stat: str, diff: bool) -> str:
    """One cell of :func:`format_results` (see there for the rules)."""
    if _missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if col == "method":
        return method_words(value)
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    if col in P_COLUMNS or col.startswith("p_"):
        return fmt_pvalue(value)
    if col in COUNT_COLUMNS:
        return fmt_count(value)
    if col == "df":
        return fmt_count(value) if float(value).is_integer() else f"{float(value):.1f}"
    share = stat == "share"
    if col in SHARE_DIFFERENCE_COLUMNS or (diff and col in ("estimate", "ci_low", "ci_high")):
        return fmt_points(value) if share else fmt_number(value, sign=True)
    if col in SHARE_LEVEL_COLUMNS:
        if share:
            return fmt_percent(value)
        return fmt_count(value) if stat == "count" else fmt_number(value)
    if col == "se" and share:
        return fmt_points(value, decimals=2, sign=False)
    return fmt_number(value)


def format_results(df: pd.DataFrame, *, shares: bool | None = None, merge_ci: bool = True,
                   date_precision: str | None = None) -> pd.DataFrame:
    """A copy of a result frame as text in the package's one set of units (module docstring).

    * rows that are shares (:func:`row_statistics`): estimates and intervals in percent; on
      comparison rows (``estimate_a``/``estimate_b``/``difference`` present) the estimate and
      interval are differences, in percentage points; SEs in percentage points;
    * other rows: 3 significant digits (differences signed); counts (``n``, ``n_eff``, ...)
      whole; ``df`` whole or to one decimal;
    * ``p_value``, ``p_adjusted`` and other ``p_*`` columns by :func:`fmt_pvalue`;
    * ``date_value`` becomes ``date`` (:func:`fmt_date`, at the row's ``date_precision`` column,
      else ``date_precision=``, else ``attrs["date_precision"]``, else year for a mid-year value
      and month otherwise);
    * ``ci_low``/``ci_high`` merge into one ``CI`` column (``merge_ci=False`` keeps both);
    * ``method`` in words, booleans as yes/no, missing values as empty cells.

    Examples
    --------
    >>> r = pd.DataFrame({"estimate": [0.73, -0.05], "estimate_a": [np.nan, 0.68],
    ...                   "estimate_b": [np.nan, 0.73], "ci_low": [0.627, -0.18],
    ...                   "ci_high": [0.813, 0.084], "n": [85.0, 94.0],
    ...                   "p_value": [np.nan, 0.4644109], "method": ["wilson", "newcombe"]})
    >>> format_results(r).to_dict("records")[1]
    {'estimate': '-5.0 pp', 'estimate_a': '68.0%', 'estimate_b': '73.0%', 'CI': '-18.0 to +8.4 pp', 'n': '94', 'p_value': '0.46', 'method': 'Newcombe score interval'}
    >>> format_results(r)["CI"][0], r["ci_low"][0]   # the input keeps full precision
    ('62.7% to 81.3%', np.float64(0.627))
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"format_results: expected a DataFrame, got {type(df).__name__}")
    if df.columns.has_duplicates:
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise ValueError(f"format_results: column names must be unique, got {dup} twice")
    stats = row_statistics(df, shares)
    records = df.to_dict("records")
    diffs = [_is_difference(r) for r in records]
    precisions = _date_precisions(df, date_precision)
    out: dict[str, list[str]] = {}
    cols = list(df.columns)
    merge = merge_ci and "ci_low" in cols and "ci_high" in cols
    for c in cols:
        if merge and c == "ci_high":
            continue
        if merge and c == "ci_low":
            out["CI"] = [fmt_interval(r["ci_low"], r["ci_high"], _interval_kind(s, d))
                         for r, s, d in zip(records, stats, diffs, strict=True)]
        elif c == "date_value":
            out["date"] = [fmt_date(r[c], p) for r, p in zip(records, precisions, strict=True)]
        else:
            out[str(c)] = [_cell(str(c), r[c], s, d)
                           for r, s, d in zip(records, stats, diffs, strict=True)]
    return pd.DataFrame(out, index=df.index, dtype=object)


def _interval_kind(stat: str, diff: bool) -> str:
    if stat == "share":
        return "points" if diff else "share"
    return "count" if stat == "count" and not diff else "number"


def _date_precisions(df: pd.DataFrame, default: str | None) -> list[str]:
    if "date_value" not in df.columns:
        return []
    given = default or df.attrs.get("date_precision")
    n = len(df)
    col = df["date_precision"] if "date_precision" in df.columns else [None] * n
    labels = df["wave_label"] if "wave_label" in df.columns else [None] * n
    out = []
    for v, p, label in zip(df["date_value"], col, labels, strict=True):
        if not _missing(p) and str(p).strip():
            out.append(str(p))
        elif given:
            out.append(given)
        elif (q := _label_precision(label, v)) is not None:
            out.append(q)
        elif not _missing(v) and re.fullmatch(r"\d+\.5", f"{float(v):.6f}".rstrip("0")):
            out.append("year")
        else:
            out.append("month")
    return out


def _label_precision(label, value) -> str | None:
    """The precision a wave label states ('Q2 2013', 'Jan 2013', '2013') if its period's
    midpoint is the row's date (so a quarter is not shown as its middle month)."""
    if _missing(label) or _missing(value):
        return None
    try:
        date, precision = parse_date(str(label))
    except (CellError, ValueError, TypeError):
        return None
    year, _, month = date.partition("-")
    if precision == "year" or not month:
        mid = int(year) + 0.5
    elif precision == "quarter":
        mid = int(year) + (int(month) + 0.5) / 12
    else:
        mid = int(year) + (int(month) - 0.5) / 12
    return precision if abs(mid - float(value)) < 1e-6 else None
