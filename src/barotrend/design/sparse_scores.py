"""Design variance of sparse influence values: many estimates without a rows x estimates array.

The influence values ``z`` (n, k) of ``k`` estimates (domain means, joint means of several
variables by domain) are held as

    z = S + sum_b F_b Lam_b

with ``S`` sparse, triples ``(row, column, value)`` (a row may hold several columns), ``F_b``
(n, p_b) row features (dense or :class:`barotrend.design.sparse.Coded` blocks) and ``Lam_b``
(p_b, k) small coefficients. :meth:`Design.vcov <barotrend.design.Design.vcov>` is followed
step by step on this form, so the result is the same variance (to rounding):

1. each score adjuster ``z -> z - F_a M_a P_a' z`` (calibration, raking, post-strata,
   weighting classes; :class:`barotrend.weighting._calmath.LowRankAdjuster`) appends the block
   ``(F_a, -M_a P_a' z)``, with ``P_a' z = P_a' S + sum_b (P_a' F_b) Lam_b`` from the probes'
   sums by column, O(rows x probes);
2. a variance frame ``(frame, expand)`` maps ``w z`` to the frame's rows: ``expand`` is linear,
   so the sparse part goes through its ``sparse`` method (the image of ``w S``, itself sparse
   plus a low-rank block, e.g. the class means of a weighting-class adjustment) and each
   ``w F_b`` (a few columns) through ``expand`` itself; the frame's ``z`` is that over its
   weights, and the frame's design continues at step 1;
3. the stages: unit totals ``T`` of ``w S`` over the non-empty (unit, column) cells plus
   ``Phi Lam`` with ``Phi`` the units' totals of ``w F``. The variances are
   :func:`barotrend.design.sparse.cell_variance` (cells and one p x p matrix per stage); the
   full covariance is, per stage and stratum, ``sum_j c T_j T_j' - c S_g S_g' / n_g`` (sparse
   products, O(cells + k^2)) plus the cross terms with ``Phi`` centred within strata
   (``sum_j c T_j (Phi_j - Phibar)'``, exact without centring ``T``) and
   ``(Phi - Phibar)' c (Phi - Phibar)``.

No (rows x k) array is formed: time and memory O(rows x features + cells + k^2) for the
covariance, O(rows x features + cells) for the variances. A design whose variance has no such
form (PPS without replacement, an adjuster or frame map without low-rank parts) returns None
and the caller takes the dense path.

A linear contrast ``c' theta`` needs neither: its influence value is the per-row ``z c``, one
column (:func:`contrast_scores`).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, appendix C (the stratified
multistage variance, R's ``svyrecvar``); Sarndal, C.-E., Swensson, B. and Wretman, J. (1992),
*Model Assisted Survey Sampling*, 6.6 (calibration residuals) and 15.6 (response homogeneity
groups).
"""

from __future__ import annotations

import numpy as np

from barotrend.design.sparse import (
    Coded,
    _cross,
    _probe_sums,
    _unit_totals,
    cell_variance,
    factorize,
    scale_block,
)

#: Joint means and their relatives take the sparse form above this many (rows x estimates)
#: entries; below it the (rows x k) influence matrix is small and goes through
#: ``Design.vcov`` as it always did.
SPARSE_MIN = 1 << 23


def dense_block(block):
    """A feature block as a dense (n, p) array."""
    if isinstance(block, Coded):
        out = np.zeros((len(block.codes), block.m))
        out[np.arange(len(block.codes)), block.codes] = block.values
        return out
    return np.asarray(block, dtype=float)


def _probes(P, rows, cols, vals, k, blocks, lams):
    """``P' z`` (q, k) for ``z = S + sum_b F_b Lam_b``."""
    out = np.vstack([_probe_sums(pb, rows, cols, vals, k) for pb in P])
    for F, lam in zip(blocks, lams, strict=True):
        out = out + np.vstack([np.hstack([_cross(pb, fb) for fb in F]) for pb in P]) @ lam
    return out


def reduce(design, rows, cols, vals, k):
    """The influence values ``z`` (n, k) of ``design`` (``vals`` at ``(rows, cols)``) carried
    through its score adjusters and variance frames (module docstring, steps 1-2).

    Returns ``(final, rows, cols, vals, blocks, lams)``: the design whose stages give the
    variance, the sparse part and the low-rank blocks (lists of feature blocks over its rows,
    and (p, k) coefficients) of its ``z``; or None when a step has no sparse form.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    vals = np.asarray(vals, dtype=float)
    blocks, lams = [], []
    d = design
    while True:
        if d.is_replicate:
            return None
        for adjust in d.score_adjusters:
            if not hasattr(adjust, "lowrank"):
                return None
            F, P, M = adjust.lowrank()
            lams.append(-np.asarray(M, dtype=float) @ _probes(P, rows, cols, vals, k, blocks,
                                                               lams))
            blocks.append(list(F))
        if d.variance_frame is None:
            break
        frame, expand = d.variance_frame
        if not hasattr(expand, "sparse"):
            return None
        w, wf = np.asarray(d.weights, dtype=float), np.asarray(frame.weights, dtype=float)
        moved = [[np.asarray(expand(np.hstack([dense_block(b) for b in F]) * w[:, None]),
                             dtype=float) / wf[:, None]] for F in blocks]
        rows, cols, vals, extra, lam = expand.sparse(rows, cols, vals * w[rows], k)
        vals = vals / wf[rows]
        blocks = moved
        if extra:
            blocks.append([scale_block(b, 1.0 / wf) for b in extra])
            lams = [*lams, np.asarray(lam, dtype=float)]
        d = frame
    if d.pps is not None:  # PPS without replacement: its own (dense) formula
        return None
    return d, rows, cols, vals, blocks, lams


def _cells(d, rows, cols, vals, k):
    """Finest-unit cells ``(unit, col, total of w z)`` of the sparse part."""
    w = np.asarray(d.weights, dtype=float)
    unit = d._stages[-1].unit[rows]
    code, keys = factorize(unit * k + cols)
    t = np.bincount(code, w[rows] * vals, minlength=len(keys))
    return keys // k, keys % k, t


def _phi(d, blocks):
    """Finest units' totals (M, p) of ``w F`` for every block, side by side."""
    unit = d._stages[-1].unit
    M = len(d._stages[-1].parent)
    w = np.asarray(d.weights, dtype=float)
    return np.hstack([_unit_totals(b, unit, w, M) for F in blocks for b in F])


def sparse_variances(design, rows, cols, vals, k):
    """Variances (k,) of the totals of ``w z`` for sparse ``z`` (``vals`` at ``(rows, cols)``,
    repeats summed): ``diag(design.vcov(None, z))`` without forming ``z``; None when the
    design's variance has no sparse form (module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"h": [0, 0, 1, 1], "y": [1.0, 2, 3, 5]}), strata="h")
    >>> z = np.array([[1.0, 0], [2, 0], [0, 3], [0, 5]])
    >>> sparse_variances(d, np.arange(4), np.array([0, 0, 1, 1]), np.array([1.0, 2, 3, 5]),
    ...                  2).tolist() == np.diag(d.vcov(None, z)).tolist()
    True
    """
    red = reduce(design, rows, cols, vals, k)
    if red is None:
        return None
    d, rows, cols, vals, blocks, lams = red
    if not d._stages:
        return np.zeros(k)
    cu, cd, t = _cells(d, rows, cols, vals, k)
    lowrank = None
    if blocks:
        lam = np.vstack(lams)  # (p, k): the units' totals are T + Phi lam
        lowrank = (_phi(d, blocks), -lam.T[:, None, :])
    return cell_variance(cu, cd, t[:, None], d._stages, k, lowrank=lowrank)[:, 0]


def sparse_vcov(design, rows, cols, vals, k):
    """Covariance (k, k) of the totals of ``w z`` for sparse ``z``: ``design.vcov(None, z)``
    in O(rows x features + cells + k^2), or None (module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"c": [0, 0, 1, 1, 2], "y": [1.0, 2, 3, 5, 4]}), cluster="c")
    >>> z = np.array([[1.0, 0], [2, 1], [0, 3], [1, 5], [0, 2]])
    >>> r, c = np.nonzero(z)
    >>> bool(np.allclose(sparse_vcov(d, r, c, z[r, c], 2), d.vcov(None, z), rtol=1e-14))
    True
    """
    from scipy import sparse

    red = reduce(design, rows, cols, vals, k)
    if red is None:
        return None
    d, rows, cols, vals, blocks, lams = red
    stages = d._stages
    if not stages:
        return np.zeros((k, k))
    cu, cd, t = _cells(d, rows, cols, vals, k)
    T = sparse.csr_array((t, (cu, cd)), shape=(len(stages[-1].parent), k))
    Phi = _phi(d, blocks) if blocks else None
    lam = np.vstack(lams) if blocks else None
    p = 0 if Phi is None else Phi.shape[1]
    TP, PP = np.zeros((k, p)), np.zeros((p, p))
    V = sparse.csr_array((k, k))  # sparse while it is: domains within strata
    for s in range(len(stages) - 1, -1, -1):
        st = stages[s]
        if s < len(stages) - 1:  # this stage's units: the strata of the stage below
            up = _indicator(stages[s + 1].parent, len(st.parent))
            T = up @ T
            if Phi is not None:
                Phi = up @ Phi
        coef = np.where(st.coef != 0, st.coef, 0.0)
        cu_ = coef[st.parent]
        S = _indicator(st.parent, len(st.coef)) @ T
        cen = np.where(st.center, coef / np.maximum(st.n_units_in, 1), 0.0)
        V = V + T.T @ (sparse.diags_array(cu_) @ T) - S.T @ (sparse.diags_array(cen) @ S)
        if Phi is not None:
            n_in = np.maximum(st.n_units_in, 1).astype(float)
            bar = _indicator(st.parent, len(st.coef)) @ Phi / n_in[:, None]
            bar[~st.center] = 0.0
            dev = (Phi - bar[st.parent]) * cu_[:, None]
            TP += _dense(T.T @ dev)
            PP += (Phi - bar[st.parent]).T @ dev
    V = _dense((V + V.T) / 2)  # exactly symmetric
    if Phi is not None:
        cross = TP @ lam
        cross = cross + cross.T + lam.T @ PP @ lam
        V += (cross + cross.T) / 2
    return V


def _indicator(codes, m):
    from scipy import sparse

    n = len(codes)
    return sparse.csr_array((np.ones(n), (codes, np.arange(n))), shape=(m, n))


def _dense(x):
    from scipy import sparse

    return x.toarray() if sparse.issparse(x) else np.asarray(x, dtype=float)


def contrast_scores(n, rows, cols, vals, c):
    """The per-row influence value (n, 1) of ``c' theta`` for influence values ``z`` (``vals``
    at ``(rows, cols)``): ``z c``, whose design variance is ``c' V c``."""
    u = np.bincount(rows, vals * np.asarray(c, dtype=float)[cols], minlength=n)
    return u[:, None]


def replicate_ratio_estimator(n, rows, cols, num, k, c=None):
    """Estimator for replicate designs of the ratios ``sum_W num / sum_W 1`` per column (e.g.
    domain means from their residuals ``num``: the replicate's departure from the estimate),
    by sparse (n, k) indicators times the replicate weights, O(rows x replicates); with ``c``
    the contrast ``c' theta_r`` only (R, 1)."""
    from scipy import sparse

    A = sparse.csr_array((np.asarray(num, dtype=float), (rows, cols)), shape=(n, k))
    B = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, k))

    def estimator(W):
        W = np.asarray(W, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = np.asarray(A.T @ W).T / np.asarray(B.T @ W).T
        return theta if c is None else theta @ np.asarray(c, dtype=float)[:, None]

    return estimator


def has_sparse_form(design):
    """Whether :func:`sparse_variances` and :func:`sparse_vcov` can follow ``design``'s
    variance: a linearised design (no PPS) whose adjusters all have low-rank parts and whose
    variance frames (and theirs) all have a ``sparse`` map."""
    d = design
    while True:
        if d.is_replicate or d.pps is not None or not all(
                hasattr(a, "lowrank") for a in d.score_adjusters):
            return False
        if d.variance_frame is None:
            return True
        if not hasattr(d.variance_frame[1], "sparse"):
            return False
        d = d.variance_frame[0]


def rows_variances(design, rows, dom, vals, n_dom):
    """Variances (n_dom * L,) of the domain totals of ``w z``, ``z_i = vals[i]`` (L columns,
    e.g. the levels of a proportion) in domain ``dom[i]`` for the rows ``rows`` (None: every
    row), 0 elsewhere: :func:`barotrend.design.cells.rows_variance` for designs with a
    variance frame (non-response adjusted on a sampled frame, carried down to respondents),
    O(rows + cells + frame rows x features). Entry ``d L + l`` is domain ``d``, column ``l``.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"h": [0, 0, 1, 1], "y": [1.0, 2, 3, 5]}), strata="h")
    >>> z = np.array([[1.0, 0], [2, 0], [0, 3], [0, 5]])
    >>> rows_variances(d, None, np.array([0, 0, 1, 1]), np.array([[1.0], [2], [3], [5]]),
    ...                2).tolist() == np.diag(d.vcov(None, z)).tolist()
    True
    """
    vals = np.asarray(vals, dtype=float)
    if vals.ndim == 1:
        vals = vals[:, None]
    L = vals.shape[1]
    rows = np.arange(design.n) if rows is None else np.asarray(rows, dtype=np.int64)
    cols = (np.asarray(dom, dtype=np.int64)[:, None] * L + np.arange(L)).ravel()
    return sparse_variances(design, np.repeat(rows, L), cols, vals.ravel(), n_dom * L)
