"""The result schema every estimator and comparison returns.

Results are plain pandas DataFrames, one row per estimate or comparison, so they concatenate,
filter and plot. Shares are proportions in [0, 1]; the display (:mod:`barotrend.display`) shows
them in percent, the values underneath keep full precision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from barotrend.display import format_results

#: Text columns, in display order.
LABEL_COLUMNS = ["survey", "wave", "item", "group"]
#: Numeric columns of an estimate, in display order.
ESTIMATE_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "df", "n", "n_eff", "deff"]
#: Numeric columns a comparison adds.
COMPARISON_COLUMNS = ["estimate_a", "estimate_b", "difference", "statistic", "p_value", "p_adjusted"]
#: The full schema in display order; ``method`` and ``note`` close every row.
COLUMNS = LABEL_COLUMNS + ESTIMATE_COLUMNS[:1] + COMPARISON_COLUMNS[:3] + ESTIMATE_COLUMNS[1:] + \
    COMPARISON_COLUMNS[3:] + ["method", "note"]
TEXT_COLUMNS = set(LABEL_COLUMNS) | {"method", "note"}


class Results(pd.DataFrame):
    """A plain pandas DataFrame of results that displays in the package's units.

    Everything a DataFrame does works unchanged (it *is* one, at full precision); only the
    display differs (Jupyter's HTML and text, IPython, ``print``/``str``): shares and their
    intervals in percent, differences of shares in percentage points, counts whole, p-values as
    ``<0.001`` or 2 significant digits, dates as periods, methods in words, missing values and
    columns with no value at all left empty (see :mod:`barotrend.display`). Which rows are shares:
    a ``measure`` column (``share``/``mean``/``count`` per row), else ``attrs["shares"]``, else
    the row's method
    (:func:`barotrend.display.row_statistics`); a mean on a rating scale is never a percentage.

    :meth:`formatted` returns the text table; ``repr()`` (and so doctests and debuggers) shows
    the DataFrame's own view at full precision; ``pd.DataFrame(results)`` is a plain frame.

    Examples
    --------
    >>> r = result_frame([{"estimate": 0.7304, "ci_low": 0.627, "ci_high": 0.813, "n": 85,
    ...                    "p_value": 2.63e-20, "method": "wilson"}], shares=True)
    >>> print(r)
    estimate             CI  n p_value                method
       73.0% 62.7% to 81.3% 85  <0.001 Wilson score interval
    >>> float(r["estimate"].iloc[0]), float(r["p_value"].iloc[0])
    (0.7304, 2.63e-20)
    """

    _metadata: list[str] = []

    @property
    def _constructor(self):
        return Results

    def formatted(self, *, drop_empty: bool = False, **kwargs) -> pd.DataFrame:
        """The display as a DataFrame of text (:func:`barotrend.display.format_results`;
        ``drop_empty=True`` leaves out columns with no value in any row)."""
        out = format_results(self, **kwargs)
        if drop_empty:
            out = out.loc[:, [(out[c] != "").any() for c in out.columns]] if len(out) else out
        return out

    def _repr_html_(self) -> str:
        if self.columns.has_duplicates:
            return super()._repr_html_()
        return self.formatted(drop_empty=True).to_html(
            index=False, escape=True, na_rep="", max_rows=pd.get_option("display.max_rows"),
            max_cols=pd.get_option("display.max_columns"))

    def __str__(self) -> str:  # print(results); repr() stays the DataFrame's, at full precision
        if self.columns.has_duplicates:  # the display needs unique names: show the raw frame
            return super().__repr__()
        return self.formatted(drop_empty=True).to_string(
            index=False, max_rows=pd.get_option("display.max_rows"),
            max_cols=pd.get_option("display.max_columns"),
            max_colwidth=pd.get_option("display.max_colwidth"))

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's and Jupyter's text display
        p.text(str(self))


def result_frame(rows: Iterable[Mapping], extra: Iterable[str] = (),
                 shares: bool | None = None) -> pd.DataFrame:
    """Build a result DataFrame in schema order from row dicts.

    Schema columns present in any row come first, in :data:`COLUMNS` order, then ``extra``
    columns and any other keys in first-seen order. Numeric schema columns are float64,
    text schema columns are object with ``""`` for missing. The frame is a :class:`Results`
    (a DataFrame that displays cleanly in Jupyter); ``shares=True`` marks estimates as
    proportions so the display shows percentages.

    Examples
    --------
    >>> r = result_frame([{"estimate": 0.68, "method": "wilson", "n": 94, "ci_low": 0.58}])
    >>> list(r.columns)
    ['estimate', 'ci_low', 'n', 'method']
    >>> r["n"].dtype
    dtype('float64')
    """
    rows = [dict(r) for r in rows]
    seen: list[str] = []
    for r in rows:
        for k in r:
            if k not in seen:
                seen.append(k)
    extra = [c for c in extra if c not in COLUMNS]
    order = [c for c in COLUMNS if c in seen] + extra + [
        c for c in seen if c not in COLUMNS and c not in extra
    ]
    cols = {}
    for c in order:
        values = [r.get(c) for r in rows]
        if c in TEXT_COLUMNS:
            cols[c] = np.array(["" if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                                else v for v in values], dtype=object)
        elif c in COLUMNS:
            try:
                cols[c] = np.array([np.nan if v is None or v is pd.NA else v for v in values],
                                   dtype=np.float64)
            except (TypeError, ValueError) as err:
                raise ValueError(f"result column {c!r} must be numeric, got {values!r}") from err
        else:
            cols[c] = values
    out = Results(cols, columns=order)
    if shares is not None:
        out.attrs["shares"] = bool(shares)
    return out
