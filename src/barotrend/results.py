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


def result_frame(rows: Iterable[Mapping], extra: Iterable[str] = ()) -> pd.DataFrame:
    """Build a result DataFrame in schema order from row dicts.

    Schema columns present in any row come first, in :data:`COLUMNS` order, then ``extra``
    columns and any other keys in first-seen order. Numeric schema columns are float64,
    text schema columns are object with ``""`` for missing.

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
    out = pd.DataFrame(rows, columns=order)
    for c in order:
        if c in TEXT_COLUMNS:
            out[c] = out[c].astype(object).where(out[c].notna(), "")
        elif c in COLUMNS:
            out[c] = pd.to_numeric(out[c], errors="raise").astype(np.float64)
    return out
