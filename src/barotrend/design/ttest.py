"""Design-based t tests of a mean and of a difference between two groups (R's ``svyttest``).

One sample (``by=None``): ``t = ybar / se`` (or ``(ybar - mu) / se``) with ``ybar`` the weighted
mean and ``se`` its design-based standard error, on ``df - 1`` degrees of freedom.

Two groups (``by`` a column with exactly two values, ``g_1 < g_2`` in sorted order): the
difference ``d = ybar_2 - ybar_1`` of the domain means, ``se**2 = V_11 + V_22 - 2 V_12`` from
their design covariance (:func:`barotrend.design.contrasts.domain_means`; R fits
``svyglm(y ~ g)``, whose slope and sandwich variance are the same numbers), ``t = d / se`` on
``df - 1`` degrees of freedom.

``df`` is the design degrees of freedom (PSUs minus strata, or the rank of the replicate
weights minus one) of the rows with an answer: rows with a missing ``var`` (or ``by``) leave
the test, and a PSU all of whose rows are missing leaves the count, as in R (``svyglm`` drops
the rows and ``degf`` counts the PSUs left: ``enroll ~ comp.imp`` on R's ``apiclus2`` has 36
degrees of freedom, not the design's 39 - 1). Interval ``estimate -+ t_{df-1, 1-alpha/2} se``;
two-sided p value.

Difference from R: for one sample R's ``svyttest(y ~ 0, design, na.rm=TRUE)`` keeps
``degf(design) - 1`` of all rows; here the rows with an answer count, as in the two-group test
(R gives the same with ``svyttest(y ~ 0, subset(design, !is.na(y)))``).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, section 3.4; R package
``survey``, function ``svyttest``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from barotrend.design.columns import py_scalar
from barotrend.design.contrasts import domain_means, numeric_column
from barotrend.results import result_frame


def ttest(design, var: str, by: str | None = None, *, mu: float = 0.0,
          conf_level: float = 0.95) -> pd.DataFrame:
    """Design-based t test of the mean of ``var`` (against ``mu``) or of a two-group difference.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    var : str
        Numeric (or boolean) column.
    by : str, optional
        Column with exactly two distinct (non-missing) values: the test of ``mean(second) -
        mean(first)`` in sorted order (R's ``svyttest(var ~ by)`` with ``by`` coded 0/1).
    mu : float, default 0
        One sample only: the null value of the mean.
    conf_level : float, default 0.95
        Level of the interval for the mean or the difference.

    Returns
    -------
    pandas.DataFrame
        One row: ``item``, ``group`` (``"all"`` or ``"<second> - <first>"``), ``estimate`` (the
        mean or the difference), ``se``, ``ci_low``, ``ci_high``, ``df``, ``statistic`` (t),
        ``p_value``, ``n``; two groups add ``estimate_a``, ``estimate_b`` (the second and the
        first group's means) and ``difference``; ``method`` names the test.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1., 2, 3, 4, 5, 6, 7, 9], "g": [0, 0, 1, 1, 0, 1, 0, 1]}))
    >>> r = ttest(d, "y", by="g")
    >>> r[["estimate", "df"]].iloc[0].tolist()
    [1.75, 6.0]
    >>> round(float(ttest(d, "y", mu=4)["statistic"].iloc[0]), 6)  # 0.625 / sqrt(7.125 / 8)
    0.662266
    """
    if not (isinstance(conf_level, int | float) and 0 < conf_level < 1):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    if not (isinstance(mu, int | float) and np.isfinite(mu)):
        raise ValueError(f"mu: expected a finite number, got {mu!r}")
    y = numeric_column(design, var)
    ok = ~np.isnan(y)
    if by is None:
        if not ok.any():
            raise ValueError(f"var: column {var!r} has no non-missing value")
        means, v = domain_means(design, y, ok[:, None])
        est, se = float(means[0]), float(np.sqrt(v[0, 0]))
        group, extra, centre = "all", {}, est - mu
        method = "design-based one-sample t test"
    else:
        if mu != 0:
            raise ValueError(f"mu: only for a one-sample test (by=None), got {mu!r}")
        if not isinstance(by, str) or by not in design.data.columns:
            raise ValueError(f"by: column {by!r} not found in the design data")
        col = design.data[by]
        levels = sorted(col.dropna().unique().tolist())
        if len(levels) != 2:
            shown = ", ".join(repr(py_scalar(v)) for v in levels[:5])
            raise ValueError(f"by: column {by!r} must have exactly two values, got "
                             f"{len(levels)} ({shown}{', ...' if len(levels) > 5 else ''})")
        first = (col == levels[0]).to_numpy(dtype=bool, na_value=False) & ok
        second = (col == levels[1]).to_numpy(dtype=bool, na_value=False) & ok
        for lev, ind in ((levels[0], first), (levels[1], second)):
            if not ind.any():
                raise ValueError(f"by: group {py_scalar(lev)!r} has no non-missing {var!r}")
        ok = first | second
        means, v = domain_means(design, y, np.column_stack([second, first]))
        est = float(means[0] - means[1])
        se = float(np.sqrt(v[0, 0] + v[1, 1] - 2 * v[0, 1]))
        group = f"{py_scalar(levels[1])} - {py_scalar(levels[0])}"
        extra = {"estimate_a": float(means[0]), "estimate_b": float(means[1]), "difference": est}
        centre = est
        method = "design-based t test"
    df = float(design.domain_df(ok) - 1)
    if df > 0:
        q = stats.t.ppf(0.5 + conf_level / 2, df)
        t = centre / se if se > 0 else np.nan
        p = 2 * stats.t.sf(abs(t), df)
        note = "df: PSUs minus strata of the rows with an answer, minus 1 (R's svyttest)"
    else:
        q = t = p = np.nan
        note = f"no test: {df + 1:g} design degrees of freedom among the rows with an answer"
    row = {"item": var, "group": group, "estimate": est, **extra, "se": se,
           "ci_low": est - q * se, "ci_high": est + q * se, "df": df, "n": int(ok.sum()),
           "statistic": t, "p_value": p, "method": method, "note": note}
    return result_frame([row])
