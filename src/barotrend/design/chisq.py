"""Design-based tests of association in a two-way table (R's ``svychisq``).

Let ``p`` be the estimated cell proportions of the ``r x c`` table (rows vary fastest),
``V`` their design covariance, ``N`` the number of sampled rows with both variables present, and
``X2`` Pearson's statistic computed on the weighted table rescaled to total ``N``.

Rao-Scott (``"F"`` and ``"Chisq"``)
    With ``C`` the ``rc x (r-1)(c-1)`` interaction contrasts (the interaction columns of the
    saturated model made orthogonal to the main effects) and ``D = diag(p)``,
    ``Delta = (C' D^{-1} C / N)^{-1} (C' D^{-1} V D^{-1} C)``, the generalised design effects.
    First order, ``"Chisq"``: ``X2 / mean(eig Delta)`` referred to chi-square on
    ``(r-1)(c-1)`` df (the reported ``statistic`` is ``X2``, as in R). Second order, ``"F"``:
    ``F = X2 / tr(Delta)`` on ``d0 = tr(Delta)^2 / tr(Delta^2)`` and ``d0 * nu`` degrees of freedom,
    ``nu`` the design df (PSUs minus strata). ``"saddlepoint"``: the tail of ``X2`` under
    ``sum eig(Delta)_k chi2_1`` with ``d0 * nu`` denominator df, by R's saddlepoint
    approximation (:mod:`barotrend.design.saddlepoint`). ``"lincom"``: the same tail computed
    exactly (R's Davies/Farebrother integration through CompQuadForm; here Ruben's series or
    Imhof's integral, :mod:`barotrend.design.chisqsum`; eigenvalues below 0 by rounding count
    as 0).
Wald (``"Wald"``, ``"adjWald"``)
    From the estimated totals ``N_ij``, margins ``N_i.``, ``N_.j`` and ``N_..``, the
    interaction residuals ``Y_ij = N_ij - N_i. N_.j / N_..`` for ``i, j >= 2``, with covariance
    ``J Sigma J'`` (``J`` the Jacobian, ``Sigma`` the design covariance of the totals) give
    ``W = Y' (J Sigma J')^{-1} Y``. ``"Wald"``: ``F = W / k`` on ``k = (r-1)(c-1)`` and ``nu`` df;
    ``"adjWald"``: ``F = W (nu - k + 1) / (k nu)`` on ``k`` and ``nu - k + 1`` df.

Rows with a missing row or column value are left out of the table (domain estimation on the
full design). The F statistics, df and every p-value then agree with R's ``svychisq``; for
``"Chisq"`` and ``"saddlepoint"`` R reports the Pearson X^2 of the table scaled to all rows,
the missing ones included, where barotrend scales it to the rows in the table (R's value on
the subset design; the p-values are the same).

References
----------
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency tables
with cell proportions estimated from survey data. *Annals of Statistics* 12, 46-60.
Koch, G. G., Freeman, D. H. and Freeman, J. L. (1975). Strategies in the multivariate analysis
of data from complex surveys. *International Statistical Review* 43, 59-78.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, section 6.1; R package
``survey``, function ``svychisq``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse, stats

from barotrend.design.saddlepoint import pearson_tail
from barotrend.design.sparse import cell_covariance
from barotrend.results import result_frame

STATISTICS = ("F", "Chisq", "Wald", "adjWald", "saddlepoint")  # the ones pinned to R here
#: also accepted: "lincom" (R's needs CompQuadForm; pinned to closed forms, tests/test_chisqsum.py)
ALL_STATISTICS = (*STATISTICS, "lincom")
#: Rao-Scott on a linearised design without adjusters: above this many (rows x table cells)
#: entries the cell covariance comes from the sparse (unit, cell) totals
#: (:func:`barotrend.design.sparse.cell_covariance`), not an (n x cells) influence matrix.
SPARSE_MIN = 1 << 23


def _levels(col: pd.Series, name: str, argname: str) -> list:
    if isinstance(col.dtype, pd.CategoricalDtype):
        levels = [x for x in col.cat.categories if (col == x).any()]
    else:
        levels = pd.unique(col.dropna()).tolist()
        try:
            levels = sorted(levels)
        except TypeError:  # mixed types: keep the order of first appearance
            pass
    if len(levels) < 2:
        raise ValueError(f"{argname}: column {name!r} has fewer than two observed levels "
                         f"({levels!r})")
    return levels


def _codes(col: pd.Series, levels: list) -> np.ndarray:
    """Level code of each row (0..len(levels)-1), -1 where missing."""
    code = np.full(len(col), -1, dtype=np.int64)
    for k, v in enumerate(levels):
        code[(col == v).to_numpy(dtype=bool, na_value=False)] = k
    return code


def _one_hot(code: np.ndarray, m: int) -> sparse.csr_array:
    """Sparse (n, m) indicator matrix of ``code`` (rows with code -1 are empty)."""
    rows = np.flatnonzero(code >= 0)
    return sparse.csr_array((np.ones(len(rows)), (rows, code[rows])), shape=(len(code), m))


def chisq(design, row: str, col: str, statistic: str = "F") -> pd.DataFrame:
    """Test of association between two categorical columns under the design.

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    row, col : str
        The two categorical columns (each with at least two observed levels).
    statistic : {"F", "Chisq", "Wald", "adjWald", "saddlepoint", "lincom"}
        Rao-Scott second order (F form), Rao-Scott first order (chi-square), Wald, adjusted
        Wald, or the Pearson X2 against its design-based null by a saddlepoint approximation
        (:mod:`barotrend.design.saddlepoint`) or exactly ("lincom",
        :mod:`barotrend.design.chisqsum`); see the module docstring for the formulas.

    Returns
    -------
    pandas.DataFrame
        One row: ``item`` (``"row x col"``), ``statistic``, ``df`` (denominator df; NaN for
        ``"Chisq"``), ``p_value``, ``n`` and extra ``df_num`` (numerator df), ``pearson``
        (``X2``) and ``delta_mean`` (mean generalised design effect, Rao-Scott only);
        ``method`` names the test.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> df = pd.DataFrame({"a": list("xxxxyyyyxy"), "b": list("uuuvvvvuuv")})
    >>> r = chisq(Design(df), "a", "b", statistic="F")
    >>> round(float(r["pearson"].iloc[0]), 4)
    3.6
    """
    if statistic not in ALL_STATISTICS:
        raise ValueError(f"statistic: expected one of {ALL_STATISTICS}, got {statistic!r}")
    data = design.data
    for arg, name in (("row", row), ("col", col)):
        if not isinstance(name, str) or name not in data.columns:
            raise ValueError(f"{arg}: column {name!r} not found in the design data")
    if row == col:
        raise ValueError(f"col: must differ from row ({row!r})")
    rlev = _levels(data[row], row, "row")
    clev = _levels(data[col], col, "col")
    nr, nc = len(rlev), len(clev)
    rc = _codes(data[row], rlev)
    cc = _codes(data[col], clev)
    ok = (rc >= 0) & (cc >= 0)
    rc[~ok] = -1
    cc[~ok] = -1
    # cells, rows fastest: k = i + nr * j
    cell = np.where(ok, rc + nr * cc, -1)
    mm = _one_hot(cell, nr * nc)
    one = ok.astype(float)
    rows = np.flatnonzero(ok)
    n_obs = len(rows)
    w = np.asarray(design.weights, dtype=float)
    nu = float(design.df)

    tot = np.bincount(cell[rows], weights=w[rows], minlength=nr * nc)
    p = tot / tot.sum()
    table = (n_obs * p).reshape(nc, nr).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n_obs
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((table - expected) ** 2 / expected))
    k = (nr - 1) * (nc - 1)

    if statistic in ("F", "Chisq", "saddlepoint", "lincom"):
        # influence of the cell proportions: (1[cell] - p) / Nhat on rows in the table
        nhat = tot.sum()
        scores = None
        if design._row_scores() or design.n * nr * nc <= SPARSE_MIN:
            scores = np.zeros((len(cell), nr * nc))
            scores[rows] = -p / nhat
            scores[rows, cell[rows]] += 1.0 / nhat

        def estimator(wr):
            wr = np.asarray(wr, dtype=float)
            return (mm.T @ wr).T / (one @ wr)[:, None]

        if design._row_scores() or design.n * nr * nc <= SPARSE_MIN:
            v = np.asarray(design.vcov(estimator, scores), dtype=float)
        else:  # a large table: the cells' weighted counts and the weight total, then p
            unit = design._stages[-1].unit[rows]
            aug = cell_covariance(np.concatenate([unit, unit]),
                                  np.concatenate([cell[rows], np.full(n_obs, nr * nc)]),
                                  np.concatenate([w[rows], w[rows]]), design._stages,
                                  nr * nc + 1)
            lin_map = np.hstack([np.eye(nr * nc), -p[:, None]]) / nhat
            v = lin_map @ aug @ lin_map.T
        rd = (np.tile(np.arange(nr), nc)[:, None] == np.arange(1, nr)).astype(float)
        cd = (np.repeat(np.arange(nc), nr)[:, None] == np.arange(1, nc)).astype(float)
        x1 = np.column_stack([np.ones(nr * nc), rd, cd])
        x12 = np.column_stack([rd[:, i] * cd[:, j] for j in range(nc - 1)
                               for i in range(nr - 1)])
        cmat = x12 - x1 @ np.linalg.lstsq(x1, x12, rcond=None)[0]
        with np.errstate(divide="ignore"):
            idiag = np.where(p == 0, 0.0, 1.0 / p)
        denom = cmat.T @ (cmat * (idiag / n_obs)[:, None])
        ci = cmat * idiag[:, None]
        delta = np.linalg.solve(denom, ci.T @ v @ ci)
        tr = float(np.trace(delta))
        d0 = tr**2 / float(np.trace(delta @ delta))
        if statistic == "F":
            stat = pearson / tr
            out = {"statistic": stat, "df": d0 * nu, "df_num": d0,
                   "p_value": stats.f.sf(stat, d0, d0 * nu),
                   "method": "Rao-Scott F (second order)"}
        elif statistic in ("saddlepoint", "lincom"):
            eig = np.linalg.eigvals(delta).real
            ddf = np.inf if design.is_replicate else d0 * nu
            if statistic == "lincom":  # exact tail (barotrend.design.chisqsum)
                from barotrend.design.chisqsum import lincomb_tail
                pv = lincomb_tail(pearson, np.clip(eig, 0.0, None), ddf)
            else:
                pv = pearson_tail(pearson, eig, ddf)
            out = {"statistic": pearson, "df": np.nan if design.is_replicate else d0 * nu,
                   "df_num": float(delta.shape[0]), "p_value": pv,
                   "method": "Pearson X2, " + ("exact tail (lincom)" if statistic == "lincom"
                                               else "saddlepoint approximation")}
        else:
            dm = tr / delta.shape[0]
            out = {"statistic": pearson, "df": np.nan, "df_num": float(delta.shape[0]),
                   "p_value": stats.chi2.sf(pearson / dm, delta.shape[0]),
                   "method": "Rao-Scott chi-square (first order)"}
        out["delta_mean"] = tr / delta.shape[0]
    else:
        z = sparse.hstack([mm, _one_hot(rc, nr), _one_hot(cc, nc),
                           sparse.csr_array(one[:, None])], format="csr")

        def estimator(wr):
            return (z.T @ np.asarray(wr, dtype=float)).T

        t = z.T @ w
        z = z.toarray()

        sigma = np.asarray(design.vcov(estimator, z), dtype=float)
        tr_, tc_, tt = t[nr * nc:nr * nc + nr], t[nr * nc + nr:nr * nc + nr + nc], t[-1]
        ri = np.tile(np.arange(nr), nc)
        cj = np.repeat(np.arange(nc), nr)
        jac = np.zeros((nr * nc, z.shape[1]))
        jac[:, :nr * nc] = np.eye(nr * nc)
        jac[np.arange(nr * nc), nr * nc + ri] = -tc_[cj] / tt
        jac[np.arange(nr * nc), nr * nc + nr + cj] = -tr_[ri] / tt
        jac[:, -1] = tr_[ri] * tc_[cj] / tt**2
        y = t[:nr * nc] - tr_[ri] * tc_[cj] / tt
        vy = jac @ sigma @ jac.T
        use = (ri > 0) & (cj > 0)
        wald = float(y[use] @ np.linalg.solve(vy[np.ix_(use, use)], y[use]))
        if statistic == "Wald":
            stat, ddf = wald / k, nu
            method = "Wald F"
        else:
            ddf = nu - k + 1
            stat = wald * ddf / (k * nu)
            method = "adjusted Wald F"
        out = {"statistic": stat, "df": ddf, "df_num": float(k),
               "p_value": stats.f.sf(stat, k, ddf) if ddf > 0 else np.nan, "method": method}
    res = {"item": f"{row} x {col}", "n": n_obs, "note": f"{nr} x {nc} table; design "
           f"df {nu:g}", "pearson": pearson} | out
    return result_frame([res])
