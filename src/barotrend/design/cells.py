"""The numerics of the estimators: ratios of weighted domain totals, their variance and deff.

Every estimate of :mod:`barotrend.design.estimators` is a cell (domain x level) of

    theta = sum_i w_i I_d(i) a_i / sum_i w_i I_d(i) b_i

(a total: the numerator alone). This module computes the estimates, their covariance and the
sums of squares of the design effect in one pass over the rows where it can.

Centring (why the sums are taken about a centre). The variance needs the unit totals of
``w (a - theta b)`` and the design effect ``sum w (a - theta b)^2``. Expanded into one-pass sums,
``sum w a^2 - 2 theta sum w a b + theta^2 sum w b^2`` subtracts numbers of the size of
``theta^2 W`` to get one of the size of ``var W``: for ``y = 1e9 + 0..9`` that is every digit
(the design effect came out infinite). So every sum is taken about a centre ``c``: the rows
give ``a - c b`` chunk by chunk (:class:`barotrend.design.groupsums.Centred`), the estimate is
``c + delta`` with ``delta = sum w (a - c b) / sum w b``, and the sums of squares about ``c``
lose only the digits of ``kappa = (sum w (a - c b)^2 + delta^2 sum w b^2) / sum w (a - theta
b)^2``, the factor by which the terms exceed the result. The first pass centres at a pilot
(the median of a strided sample of the rows, or their ratio of sums for a ratio; 0, i.e. no
subtraction per row, when the sample shows the mean small against the spread); a domain
whose ``kappa`` exceeds :data:`KAPPA_MAX` (its estimate far from the pilot in units of its
spread) gets a second pass centred at its own estimate, which leaves ``kappa`` near 1. The
loss is then at most about ``KAPPA_MAX x n_unit x eps`` relative (``eps = 2.2e-16``); the
common case costs one subtraction per row. Totals keep the centre as an offset of the weight
totals (:func:`barotrend.design.linearization.taylor_vcov_totals`). Row-level paths (replicate
weights, calibration adjusters) centre each row at its domain's estimate (two passes, the
second removing the rounding of the first), and replicate estimators return ``theta_r -
theta`` (the variance is the same, the digits are kept).
"""

from __future__ import annotations

import numpy as np

from barotrend.design.groupsums import Centred, cell_sums
from barotrend.design.sparse import (
    CHUNK,
    adjusted_parts,
    bin_columns,
    cell_variance,
    factorize_pairs,
    presence_dfs,
)

#: Largest accepted ratio of the size of the centred sums' terms to their result before a
#: domain is summed again about its own estimate (10 bits of 52 at most).
KAPPA_MAX = 1e3
#: The first pass is centred only when a pilot sample's sum of squares about 0 exceeds this
#: many times its sum about the pilot centre (a few bits at stake at most otherwise).
PILOT_GAIN = 100.0


def gsum(codes, values, m):
    """Group sums of ``values`` (None = count) over integer ``codes`` into ``m`` bins."""
    if m == 1:
        return np.array([float(len(codes)) if values is None else float(values.sum())])
    return np.bincount(codes, values, minlength=m).astype(float)


def pilot(a, b=None):
    """A first centre ``c`` for ``a - c b``, from a strided sample of at most ~256 rows: the
    median of ``a`` (``b`` None), else the ratio of sums ``sum a / sum b``; 0 when centring
    gains little there (the sample's terms at most :data:`PILOT_GAIN` times their residuals',
    i.e. ``kappa`` about 0 already small: then no subtraction per row) or when there is none.

    Examples
    --------
    >>> pilot(np.array([1e9, 1e9 + 1, np.nan, 1e9 + 5]))
    1000000001.0
    >>> pilot(np.array([2.0, 4.0, 3.0]))  # mean 3, spread 1: kappa about 0 is 10, kept
    0.0
    >>> pilot(np.array([1000.0, 2000.5]), np.array([1.0, 2.0]))  # a ratio near 1000
    1000.1666666666666
    """
    step = max(1, len(a) // 256)
    x = a[::step]
    if b is None:
        x = x[np.isfinite(x)]
        if not len(x):
            return 0.0
        c = float(np.median(x))
        r = x - c
    else:
        y = b[::step]
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        den = float(y.sum())
        c = float(x.sum()) / den if den != 0 else 0.0
        if not np.isfinite(c):
            return 0.0
        r = x - c * y
    if float(x @ x) <= PILOT_GAIN * float(r @ r):
        return 0.0
    return c


def _cell_coding(design, u, M, gk, n_dom, all_in):
    """The non-empty (finest unit, domain) cells: a cell code per row, the unit and domain of
    each cell. Hash passes over the rows in chunks (int32 codes); remembered while the units
    and codes are the same objects (rows all in). With one row per unit of a one-stage design
    the rows are the cells: cell ``i`` is row ``i``, of unit ``u[i]`` and domain ``gk[i]``
    (the code per row is None: nothing is made)."""
    def compute():
        if M == len(u) and len(design._stages) == 1:  # a row per unit: the rows are the cells
            return None, u, gk
        return factorize_pairs(u, gk, n_dom)

    if not all_in:
        return compute()
    return design._memo(("cells", id(gk)), (u, gk), compute)


def unit_cells(design, av, bv, wk, gk, n_dom, lev, n_lev, total, all_in, deferred):
    """Group-by path (Taylor designs without adjusters): one chunked pass to (finest unit x
    domain) cells, a second one only for domains whose centred sums lost digits (module
    docstring).

    When units x domains is larger than the rows, the cells are only the non-empty ones (a
    hash coding of the (unit, domain) pairs) and the variance is taken from them
    (:func:`barotrend.design.sparse.cell_variance`): time and memory O(rows + cells). With one
    row per unit the rows are the cells: no code is made, the weights are the cells' weight
    totals, the sums of squares go straight to the domains, and the residuals are formed in
    place of the cell totals (issue 14: peak memory within about the input columns').

    Returns ``(theta, var, ss, Wd, Wb, dfs)`` with ``var`` the variance of each cell's estimate
    and ``ss = sum w (a - theta b)^2`` per cell (a total: about the domain mean; None for
    levels), or None when ``a`` holds a NaN (then the caller checks it row by row: finite unit
    totals prove there is none, saving that pass).
    """
    stages = design._stages
    u = stages[-1].unit
    M = len(stages[-1].parent)
    sparse = n_dom > 1 and M * n_dom * n_lev > max(len(u), 1 << 16)
    rows_are_cells = False
    if sparse:
        inv, cu, cd = _cell_coding(design, u, M, gk, n_dom, all_in)
        rows_are_cells = inv is None
        units, n_units, dom, n_d = inv, len(cu), None, 1
        # one row per cell: the sums of squares go straight to the domains
        over_dom = "domain total" if rows_are_cells else "domain"
    else:
        units, n_units, dom, n_d, over_dom = u, M, (None if n_dom == 1 else gk), n_dom, \
            "domain total"
    # the weight totals per cell depend on the design and the domain codes only:
    # remembered while both are the same objects (rows all in, nothing masked)
    w_key = ("cell weights" if sparse else "unit x domain weights", id(gk))
    w_sources = (u, gk, design.weights)
    S_w = design._memo_peek(w_key, w_sources) if all_in else None
    if rows_are_cells:  # a cell's weight total is its row's weight: no sum, no copy
        S_w = wk[:, None]
    centred = av is not None and lev is None
    centre = pilot(av, bv) if centred else None
    ratio = bv is not None and not total

    def to_domains(x):  # a cell-level sum (sparse) summed to its domains
        return np.bincount(cd, x[:, 0], minlength=n_dom) if sparse and x.ndim == 2 else x

    for attempt in range(3):
        if not centred or (np.ndim(centre) == 0 and centre == 0.0):
            A = av  # no centre (levels), or none needed: the rows as they are
        elif np.ndim(centre) == 0:
            A = Centred(av, centre, None if total else bv)
        else:
            A = Centred(av, centre, None if total else bv, codes=gk)
        terms = {"a": ((wk,) if A is None else (wk, A), "cell")}
        if S_w is None:
            terms["w"] = ((wk,), "domain")
        if ratio:
            terms["b"] = ((wk, bv), "domain")
        if centred:  # sums of squares for the design effect (and the centring check)
            terms["aa"] = ((wk, A, A), over_dom)
            if ratio:
                terms["ab"] = ((wk, A, bv), over_dom)
                terms["bb"] = ((wk, bv, bv), over_dom)
        sums = dict(zip(terms, cell_sums(units, n_units, list(terms.values()), domain=dom,
                                         n_domain=n_d, level=lev, n_level=n_lev,
                                         groups=gk if rows_are_cells else None,
                                         n_groups=n_dom), strict=True))
        S_a = sums["a"]
        if deferred and attempt == 0 and not np.isfinite(S_a.sum()):
            return None
        if S_w is None:
            S_w = sums["w"]
            if all_in:
                S_w = design._memo(w_key, w_sources, lambda s=S_w: s)
        S_b = sums["b"] if ratio else S_w
        Wa = S_a.sum(0) if not sparse else bin_columns(cd, S_a, n_dom).ravel()
        Wd, Wb_dom = to_domains(S_w.sum(0) if not sparse else S_w), \
            to_domains(S_b.sum(0) if not sparse else S_b)
        if not centred:
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = Wa / (Wd if total else Wb_dom)  # estimate (domain mean) minus the centre
            saa = to_domains(sums["aa"])
            if ratio:
                sbb = to_domains(sums["bb"])
                ss = saa - 2 * delta * to_domains(sums["ab"]) + delta * delta * sbb
            else:
                sbb = Wd
                ss = saa - delta * Wa
            size = saa + delta * delta * sbb
            lost = (size > KAPPA_MAX * ss) & (size > 0) & np.isfinite(size)
        if attempt == 2 or not lost.any():
            break
        # again about each domain's own estimate (a domain without rows keeps its centre)
        old = np.broadcast_to(np.asarray(centre, dtype=float), (n_dom,))
        new = old + delta
        centre = np.where(np.isfinite(new), new, old)
        if n_dom == 1:
            centre = float(centre[0])
    # the cells: (unit, domain) pairs with their sums, (C, n_lev) and (C,)
    if sparse:
        Sa_c, Sw_c, Sb_c = S_a, S_w[:, 0], S_b[:, 0]
    elif (S_w != 0).all():  # every (unit, domain) cell holds weight: the sums as they are
        C = M * n_dom
        idx = np.int32 if C < 2**31 else np.int64
        cu = np.repeat(np.arange(M, dtype=idx), n_dom) if n_dom > 1 else np.arange(M, dtype=idx)
        cd = np.tile(np.arange(n_dom, dtype=idx), M) if n_dom > 1 else np.zeros(M, np.int8)
        Sa_c, Sw_c, Sb_c = S_a.reshape(C, n_lev), S_w.reshape(C), S_b.reshape(C)
    else:
        cu, cd = np.nonzero(S_w != 0)
        Sa_c = S_a.reshape(M, n_dom, n_lev)[cu, cd]
        Sw_c, Sb_c = S_w[cu, cd], S_b[cu, cd]
    Wb = np.repeat(Wb_dom, n_lev)
    # cells of a zero weight hold no PSU of the domain; with positive weights and every row
    # in, there is none (no mask)
    pos = None if all_in and design._weights_positive() else Sw_c > 0
    one = len(stages) == 1
    dfs = presence_dfs(design, cu, cd, n_dom, distinct=one, keep=pos,
                       psu_map=None if one else design._unit_psu)
    with np.errstate(divide="ignore", invalid="ignore"):
        if not centred:  # levels (indicators in [0, 1]) or a count: no centre needed
            theta = Wa if total else Wa / Wb
            if not total:  # the cell totals become the residuals (in place)
                _residual(Sa_c, Sb_c, theta.reshape(n_dom, n_lev), cd, Wb_dom)
            var = cell_variance(cu, cd, Sa_c, stages, n_dom)
            return theta, var.ravel(), None, Wd, Wb, dfs
        c = np.broadcast_to(np.asarray(centre, dtype=float), (n_dom,))
        if total:  # sum w a = sum w (a - c) + c sum w
            theta = Wa + c * Wd
            var = cell_variance(cu, cd, Sa_c, stages, n_dom, offset=(Sw_c, c))
        else:
            theta = c + delta
            _residual(Sa_c, Sb_c, delta[:, None], cd, Wb_dom)
            var = cell_variance(cu, cd, Sa_c, stages, n_dom)
    return theta, var.ravel(), ss, Wd, Wb, dfs


def _residual(s_a, s_b, coef, cd, wb):
    """The cell totals ``s_a`` (C, L), owned by the caller, replaced in place (chunk by chunk,
    no cell-sized temporary) by the influence totals ``(s_a - fitted) / wb[cd]`` with
    ``fitted = s_b coef[cd]`` (``coef`` (n_dom, L): the estimates, or the estimates minus the
    centre), the difference set to exactly 0 where it is within the rounding of its terms
    (``8 eps (|s_a| + |fitted|)``): a unit holding a whole domain then adds nothing, so an
    estimate whose variance is 0 gets 0, not a noise of 1e-33 (which made its design effect
    ~1e-31 and its n_eff ~1e32). The change is below the rounding error it removes."""
    tol = 8 * np.finfo(float).eps
    for s in range(0, len(s_a), CHUNK):
        e = min(len(s_a), s + CHUNK)
        dd = cd[s:e]
        fitted = s_b[s:e, None] * coef[dd]
        x = s_a[s:e]
        r = x - fitted
        r[np.abs(r) <= tol * (np.abs(x) + np.abs(fitted))] = 0.0
        r /= wb[dd][:, None]
        x[...] = r
    return s_a


def row_cells(design, av, bv, wk, gk, keep, n_dom, total, Wd):
    """Row-level path of a mean, ratio or total (replicates, adjusters, variance frames).

    Each row's residual ``r = a - theta_d b`` (a total: ``a`` minus its domain mean) is formed
    after the estimate, and a second pass removes the estimate's own rounding. Returns
    ``(theta, var, ss, Wb)`` (``var`` the variances).
    """
    rows = np.flatnonzero(keep)
    one = bv is None or total
    Wb = Wd if one else gsum(gk, wk * bv, n_dom)
    bb = 1.0 if one else bv
    den = Wd if one else Wb
    centre = np.zeros(n_dom)
    r = av
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(2):  # the centre, then the correction for its rounding
            step = gsum(gk, wk * r, n_dom) / den
            step = np.where(np.isfinite(step), step, 0.0)
            centre = centre + step
            r = r - step[gk] * bb
        ss = gsum(gk, wk * r * r, n_dom)
        theta = gsum(gk, wk * av, n_dom) if total else centre
    K = n_dom
    if not design.is_replicate and _sparse_rows(design, n_dom, 1):
        # many domains: the variance of the totals of w (r + centre) (a total) or w r / Wb
        # from the cells and the adjusters' low-rank parts, no (n x domains) matrix
        with np.errstate(divide="ignore", invalid="ignore"):
            if len(rows) == design.n:  # every row: r (made above) becomes v in place
                for s in range(0, len(r), CHUNK):
                    if total:
                        r[s:s + CHUNK] += centre[gk[s:s + CHUNK]]
                    else:
                        r[s:s + CHUNK] /= Wb[gk[s:s + CHUNK]]
                return theta, rows_variance(design, None, gk, r[:, None], n_dom), ss, Wb
            v = r[rows] + centre[gk[rows]] if total else r[rows] / Wb[gk[rows]]
        return theta, rows_variance(design, rows, gk[rows], v[:, None], n_dom), ss, Wb
    if design.is_replicate:  # one pass: O(rows x replicates), variances only (no K x K)
        from barotrend.design.replicate_domains import ratio_variances, total_variances
        if total:
            return theta, total_variances(design, rows, gk[rows], r[rows], centre, K), ss, Wb
        # theta_r - theta = sum w_r r / sum w_r b: the digits are kept
        return theta, ratio_variances(design, rows, gk[rows], r[rows],
                                      None if one else bv[rows], K), ss, Wb
    if total:  # the totals of w r and of w (the centre times them), combined after
        x = np.zeros((design.n, 2 * K))
        x[rows, gk[rows]] = r[rows]
        x[rows, K + gk[rows]] = 1.0

        v2 = design.vcov(None, x)
        L = np.hstack([np.eye(K), np.diag(centre)])
        return theta, np.diag(L @ v2 @ L.T), ss, Wb
    z = np.zeros((design.n, K))
    with np.errstate(divide="ignore", invalid="ignore"):
        z[rows, gk[rows]] = r[rows] / Wb[gk[rows]]
    return theta, np.diag(design.vcov(None, z)), ss, Wb


#: Row-level Taylor paths (calibrated designs) by domain switch from an (n x domains)
#: influence matrix to the cells and the adjusters' low-rank parts above this many entries.
SPARSE_ROWS_MIN = 1 << 23


def _sparse_rows(design, n_dom, n_lev):
    """Whether the row-level Taylor variance of ``n_dom`` domains takes the cell path: many
    domains, every adjuster with low-rank parts, and a variance frame (non-response, carried
    down) only when its maps have sparse forms
    (:func:`barotrend.design.sparse_scores.has_sparse_form`)."""
    if design.n * n_dom * n_lev <= SPARSE_ROWS_MIN:
        return False
    if design.variance_frame is not None:
        from barotrend.design.sparse_scores import has_sparse_form
        return has_sparse_form(design)
    return (design.pps is None  # PPS variance: its own formula (design.pps)
            and all(hasattr(a, "lowrank") for a in design.score_adjusters))


def rows_variance(design, rows, dom, vals, n_dom):
    """Variances (n_dom * L,) of the domain totals of ``w z``, ``z_i = vals[i]`` (L columns)
    in domain ``dom[i]`` for the rows ``rows`` (None: every row; 0 elsewhere), after the
    design's score adjusters: cell totals by a hash pass, the adjusters through their
    low-rank parts (:func:`barotrend.design.sparse.adjusted_parts`), O(rows + cells). With
    one row per unit (a one-stage design, every row) the rows are the cells: no coding, and
    the units' adjuster totals are made chunk by chunk where they are used. Designs with a
    variance frame go through the frame's sparse maps
    (:func:`barotrend.design.sparse_scores.rows_variances`)."""
    if design.variance_frame is not None:
        from barotrend.design.sparse_scores import rows_variances
        return rows_variances(design, rows, dom, vals, n_dom)
    st = design._stages[-1]
    w = design.weights
    L = vals.shape[1]
    row_units = rows is None and len(design._stages) == 1 and len(st.parent) == design.n
    lowrank = adjusted_parts(design, rows, dom, vals, n_dom, row_units=row_units) \
        if design.score_adjusters else None
    if row_units:  # cell i is row i, of unit st.unit[i]
        t = vals * w[:, None]
        return cell_variance(st.unit, dom, t, design._stages, n_dom, lowrank=lowrank).ravel()
    if rows is None:
        code, cu, cd = factorize_pairs(st.unit, dom, n_dom)
    else:
        code, cu, cd = factorize_pairs(rows, dom, n_dom, amap=st.unit)
    t = np.zeros((len(cu), L))
    for s in range(0, len(code), CHUNK):  # the cells' totals of w z (bincount's sums)
        c = code[s:s + CHUNK]
        ws = w[s:s + CHUNK] if rows is None else w[rows[s:s + CHUNK]]
        for j in range(L):
            np.add.at(t[:, j], c, ws * vals[s:s + CHUNK, j])
    return cell_variance(cu, cd, t, design._stages, n_dom, lowrank=lowrank).ravel()


def level_rows(design, keep, cell, g, K, n_lev, theta, Wb, logit=False):
    """Row-level path of the level shares (indicators, no centring needed).

    With ``logit`` (replicate designs) also return the replicate variances of ``logit(theta)``
    (R's ``svyciprop`` refits ``logit(p)`` on every replicate).
    """
    rows = np.flatnonzero(keep)
    if design.is_replicate:  # per-cell sums of each replicate's weights, one pass
        from barotrend.design.replicate_domains import share_variances
        return share_variances(design, rows, cell[rows], g[rows], K, n_lev, logit)
    if _sparse_rows(design, K // n_lev, n_lev):
        every = len(rows) == design.n
        gr = g if every else g[rows]
        v = np.empty((len(gr), n_lev))
        eye, th = np.eye(n_lev), theta.reshape(-1, n_lev)
        with np.errstate(divide="ignore", invalid="ignore"):
            for s in range(0, len(gr), CHUNK):  # (1[level] - theta) / Wb, chunk by chunk
                gs = gr[s:s + CHUNK]
                cs = cell[s:s + CHUNK] if every else cell[rows[s:s + CHUNK]]
                v[s:s + CHUNK] = (eye[cs - gs * n_lev] - th[gs]) / Wb[cs][:, None]
        return rows_variance(design, None if every else rows, gr, v, K // n_lev), None
    # influence values straight into their cells: (1[level] - theta) / Wb
    z = np.zeros((design.n, K))
    with np.errstate(divide="ignore", invalid="ignore"):
        for lv in range(n_lev):
            c = (g[rows] * n_lev + lv) if n_lev > 1 else cell[rows]
            z[rows, c] = -theta[c] / Wb[c]
        c = cell[rows]
        z[rows, c] += 1.0 / Wb[c]
    return np.diag(design.vcov(None, z)), None


def domain_dfs(design, g, n_dom):
    """PSUs minus strata among each domain's rows with non-zero weight (R's ``degf``)."""
    if design.is_replicate:
        if n_dom == 1 and bool((g >= 0).all()):
            return np.array([float(design.df)])
        return _replicate_dfs(design, g, n_dom)
    inset = (g >= 0) & (design.weights != 0)
    # a PSU per row: the (PSU, domain) pairs of the rows are distinct
    return presence_dfs(design, design.psu_ids, g, n_dom, distinct=design.n_psu == design.n,
                        keep=None if inset.all() else inset)


def _replicate_dfs(design, g, n_dom):
    """Each domain's rank of its replicate factors (replicate weights / weight) minus one
    (R's ``degf`` of the subset), as :meth:`Design.domain_df`, in one pass: the rows' factor
    patterns are coded once (two random projections of the factors, rounded to 1e-10
    relative, so that the rows of one PSU share a code), and each domain's rank is taken over
    one row per pattern it holds, not over all its rows. Rows that differ only by rounding
    (one pattern split in two) repeat a row, which leaves the rank as it is. Designs
    converted by ``Design.replicate`` take their PSU factors instead
    (:func:`barotrend.design.replicate_domains.replicate_domain_dfs`)."""
    from barotrend.design.replicate_domains import replicate_domain_dfs

    return replicate_domain_dfs(design, g, n_dom)
