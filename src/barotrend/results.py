"""The result schema every estimator and comparison returns.

Results are plain pandas DataFrames, one row per estimate or comparison, so they concatenate,
filter and plot. Shares are proportions in [0, 1]; displays may show percentages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

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
    """A plain pandas DataFrame of results that renders as a clean table in Jupyter.

    Everything a DataFrame does works unchanged (it *is* one); only the notebook display
    differs: numbers rounded, the interval shown as one ``95% CI`` column, p-values as
    ``<0.001`` below that, and shares as percentages when ``attrs["shares"]`` is True.
    """

    _metadata: list[str] = []

    @property
    def _constructor(self):
        return Results

    def _repr_html_(self) -> str:
        return display_table(self).to_html(index=False, escape=True, na_rep="")


def _fmt(x, pct: bool, digits: int = 3) -> str:
    if x is None or pd.isna(x):
        return ""
    return f"{100 * x:.1f}%" if pct else f"{x:.{digits}f}"


def _fmt_p(p) -> str:
    if p is None or pd.isna(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def display_table(df: pd.DataFrame) -> pd.DataFrame:
    """The text table a notebook shows for a result frame (see :class:`Results`).

    Examples
    --------
    >>> r = result_frame([{"estimate": 0.68, "ci_low": 0.58, "ci_high": 0.77, "p_value": 2e-5,
    ...                    "method": "wilson"}], shares=True)
    >>> display_table(r).to_dict("records")
    [{'estimate': '68.0%', '95% CI': '58.0% to 77.0%', 'p_value': '<0.001', 'method': 'wilson'}]
    """
    pct = bool(df.attrs.get("shares", False))
    out = pd.DataFrame(index=range(len(df)))
    share_cols = {"estimate", "estimate_a", "estimate_b", "difference", "ci_low", "ci_high", "se"}
    for c in df.columns:
        v = df[c].reset_index(drop=True)
        if c == "ci_high" and "ci_low" in df.columns:
            continue
        if c == "ci_low" and "ci_high" in df.columns:
            lo = df["ci_low"].reset_index(drop=True)
            hi = df["ci_high"].reset_index(drop=True)
            out["95% CI"] = [f"{_fmt(a, pct)} to {_fmt(b, pct)}" if pd.notna(a) else ""
                             for a, b in zip(lo, hi, strict=True)]
        elif c in ("p_value", "p_adjusted"):
            out[c] = v.map(_fmt_p)
        elif c in ("n", "df", "n_a", "n_b") and pd.api.types.is_numeric_dtype(v):
            out[c] = v.map(lambda x: "" if pd.isna(x) else f"{x:.0f}" if float(x).is_integer()
                           else f"{x:.1f}")
        elif pd.api.types.is_float_dtype(v):
            out[c] = v.map(lambda x, c=c: _fmt(x, pct and c in share_cols))
        else:
            out[c] = v
    return out


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
