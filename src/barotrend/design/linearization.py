"""Taylor-linearisation variance of weighted totals, from per-unit sums (R's ``svyrecvar``).

The estimate vector ``theta`` is linearised as ``theta_hat - theta ~ sum_i w_i z_i``; its variance
is the design variance of the weighted totals of ``x_i = w_i z_i``. For stage ``s`` with strata
``g`` (at stage 1 the design strata, at later stages the units of the stage above), let
``T_j = sum_{i in unit j} x_i`` be the unit totals, ``n_g`` the number of sampled units in
stratum ``g`` and ``N_g`` its population size. Then (Lumley 2010, appendix C; R ``multistage``)

    V = sum_s sum_g  pi_{<s}(g) * f_g * n_g / (n_g - 1) * sum_{j in g} (T_j - Tbar_g)(T_j - Tbar_g)'

with ``f_g = (N_g - n_g) / N_g`` (1 without an fpc) and ``pi_{<s}(g)`` the product of the sampling
fractions ``n / N`` of the units above ``g`` (1 at stage 1). Stages after the first enter only when
an fpc is given for every stage, as in R. Strata with one sampled unit follow R's
``survey.lonely.psu`` options:

``fail``      error (raised when the design is built);
``remove``,   the stratum contributes zero;
``certainty``
``adjust``    the unit total is centred at zero instead of the stratum mean, scale ``f_g``;
``average``   the stratum contributes zero and the other strata of the same stage and parent unit
              are scaled up by ``strata / non-lonely strata``.

A stratum with ``f_g < 1e-7`` (census) contributes zero and is never lonely, as in R.

The only pass over the rows is one group-by to the finest stage; coarser stages aggregate those
sums. Everything after that is small dense algebra.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley. R package ``survey``,
functions ``svyrecvar``, ``multistage``, ``onestage``, ``onestrat``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LONELY_PSU = ("fail", "remove", "adjust", "average", "certainty")


@dataclass(frozen=True)
class Stage:
    """One sampling stage, precomputed once per design.

    Attributes
    ----------
    unit : ndarray of int, (n,)
        Code of the stage unit of each row, 0..n_units-1.
    parent : ndarray of int, (n_units,)
        Code of the stratum of each unit (for stage >= 2, the unit of the stage above).
    coef : ndarray of float, (n_strata,)
        Multiplier of the centred cross-product of each stratum, with fpc, ``n/(n-1)``, the
        ancestors' sampling fractions and the lonely-PSU policy folded in.
    center : ndarray of bool, (n_strata,)
        Whether unit totals are centred at the stratum mean (False for ``adjust`` lonely strata).
    n_units_in : ndarray of int, (n_strata,)
        Number of sampled units per stratum.
    """

    unit: np.ndarray
    parent: np.ndarray
    coef: np.ndarray
    center: np.ndarray
    n_units_in: np.ndarray


def rowsum(codes: np.ndarray, x: np.ndarray, m: int) -> np.ndarray:
    """Sum the rows of ``x`` (n, k) within integer ``codes`` (n,) into an (m, k) array.

    Examples
    --------
    >>> rowsum(np.array([0, 1, 0]), np.array([[1.0], [2.0], [3.0]]), 2)
    array([[4.],
           [2.]])
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 2 and x.shape[1] <= 4:  # a one-off call: a few bincounts beat building an
        out = np.empty((int(m), x.shape[1]))  # indicator matrix
        for j in range(x.shape[1]):
            out[:, j] = np.bincount(codes, weights=x[:, j], minlength=int(m))
        return out
    return GroupSum(codes, m)(x)


class GroupSum:
    """Row sums of ``x`` (n, k) within fixed integer ``codes`` into ``m`` groups, reusable.

    One column: ``np.bincount``. Several columns: an (m, n) indicator matrix with one entry in
    each of its columns, times ``x``; scipy walks the rows of ``x`` once, each a contiguous run
    (6x a loop of ``np.bincount`` over the columns at 1e6 rows x 10). The indicator is built on
    the first call and kept.

    Examples
    --------
    >>> GroupSum(np.array([0, 1, 0]), 2)(np.array([[1.0, 2], [2, 0], [3, 1]])).tolist()
    [[4.0, 3.0], [2.0, 0.0]]
    """

    def __init__(self, codes, m):
        self.codes = np.asarray(codes)
        self.m = int(m)
        self._ind = None

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        if x.shape[1] == 1 or x.shape[0] < 1000:
            out = np.empty((self.m, x.shape[1]))
            for j in range(x.shape[1]):
                out[:, j] = np.bincount(self.codes, weights=x[:, j], minlength=self.m)
            return out
        if self._ind is None:
            from scipy import sparse

            n = len(self.codes)
            self._ind = sparse.csc_array((np.ones(n), self.codes, np.arange(n + 1)),
                                         shape=(self.m, n))
        return np.asarray(self._ind @ np.ascontiguousarray(x))


def stage_coefficients(n_in, popsize, lonely_psu, ancestor_fraction, call_group, label):
    """Per-stratum coefficients of one stage (see :class:`Stage`).

    Parameters
    ----------
    n_in : ndarray of int
        Sampled units per stratum.
    popsize : ndarray of float or None
        Population units per stratum (``inf`` or None: with replacement).
    lonely_psu : str
        Lonely-PSU policy.
    ancestor_fraction : ndarray of float
        Product of the sampling fractions of the stages above, per stratum.
    call_group : ndarray of int
        Parent unit of each stratum (all zero at stage 1), the scope of ``average``.
    label : callable
        ``label(g)`` describes stratum ``g`` for the lonely-PSU error message.

    Returns
    -------
    coef, center : ndarray
    """
    n_in = np.asarray(n_in, dtype=float)
    if popsize is None:
        f = np.ones_like(n_in)
    else:
        pop = np.asarray(popsize, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(np.isinf(pop), 1.0, (pop - n_in) / pop)
    census = f < 1e-7
    lonely = (n_in == 1) & ~census
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_in > 1, f * n_in / (n_in - 1), f)
    coef = np.where(census, 0.0, scale)
    center = np.ones(len(n_in), dtype=bool)
    if lonely.any():
        g = int(np.flatnonzero(lonely)[0])
        if lonely_psu == "fail":
            raise ValueError(label(g) + " has only one PSU; choose lonely_psu='remove', "
                             "'adjust', 'average' or 'certainty'")
        if lonely_psu in ("remove", "certainty"):
            coef = np.where(lonely, 0.0, coef)
        elif lonely_psu == "adjust":
            center = ~lonely
        elif lonely_psu == "average":
            ngroups = int(call_group.max()) + 1 if len(call_group) else 0
            nstrat = np.bincount(call_group, minlength=ngroups).astype(float)
            nok = np.bincount(call_group, weights=(~lonely).astype(float), minlength=ngroups)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = nstrat / nok
            coef = np.where(lonely, 0.0, coef) * factor[call_group]
    return coef * ancestor_fraction, center


def taylor_vcov(x: np.ndarray, stages: list[Stage]) -> np.ndarray:
    """Covariance matrix of the column totals of ``x`` (n, k) under the staged design.

    ``x`` holds weighted influence values ``w_i z_i``. One group-by to the finest stage, then
    per-stage centred cross-products of unit totals (see the module docstring for the formula).

    Examples
    --------
    Simple random sample with replacement of 4 units: ``n/(n-1) sum (x - xbar)^2``.

    >>> st = Stage(np.arange(4), np.zeros(4, int), np.array([4 / 3]), np.array([True]),
    ...            np.array([4]))
    >>> taylor_vcov(np.array([[1.0], [2.0], [3.0], [4.0]]), [st])
    array([[6.66666667]])
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if not stages:
        return np.zeros((x.shape[1], x.shape[1]))
    # One pass over the rows at the finest stage, then small algebra on unit totals.
    finest = stages[-1]
    return taylor_vcov_totals(rowsum(finest.unit, x, len(finest.parent)), stages)


def taylor_vcov_totals(t_finest: np.ndarray, stages: list[Stage], offset=None) -> np.ndarray:
    """As :func:`taylor_vcov`, from the totals (M, k) of ``x`` over the finest-stage units.

    ``offset=(s, c)``, ``s`` (M, k) and ``c`` (k,), stands for the totals ``t + s c`` (column by
    column) without forming them: ``t`` and ``s`` are centred within strata separately and
    combined after, ``d = (t - tbar) + c (s - sbar)``. A total of ``y = c + (y - c)`` with a
    large ``c`` keeps its digits this way (``s`` the weight totals, ``t`` those of ``w (y - c)``);
    ``t + s c`` would round every unit total to the size of ``c`` before the centring.

    Examples
    --------
    >>> st = Stage(np.arange(4), np.zeros(4, int), np.array([4 / 3]), np.array([True]),
    ...            np.array([4]))
    >>> taylor_vcov_totals(np.array([[1.0], [2.0], [3.0], [4.0]]), [st])
    array([[6.66666667]])
    >>> float(taylor_vcov_totals(np.array([[1.0], [2.0], [3.0], [4.0]]) - 1e12, [st],
    ...                          offset=(np.ones((4, 1)), np.array([1e12])))[0, 0])
    6.666666666666666
    """
    t_finest = np.asarray(t_finest, dtype=float)
    k = t_finest.shape[1]
    v = np.zeros((k, k))
    if not stages:
        return v
    if offset is not None:
        s_finest, c = np.asarray(offset[0], dtype=float), np.asarray(offset[1], dtype=float)
        t_finest = np.hstack([t_finest, s_finest])
    totals = [None] * len(stages)
    totals[-1] = t_finest
    for s in range(len(stages) - 2, -1, -1):
        # units of stage s+1 map to strata of stage s+1 == units of stage s
        totals[s] = rowsum(stages[s + 1].parent, totals[s + 1], len(stages[s].parent))
    for st, t in zip(stages, totals, strict=True):
        ns = len(st.coef)
        sums = rowsum(st.parent, t, ns)
        means = sums / np.maximum(st.n_units_in, 1)[:, None]
        means[~st.center] = 0.0
        d = t - means[st.parent]
        if offset is not None:  # (t - tbar) + c (s - sbar), each centred on its own
            d = d[:, :k] + d[:, k:] * c
        c_st = st.coef[st.parent]
        keep = c_st != 0
        if not keep.all():
            d, c_st = d[keep], c_st[keep]
        v += (d * c_st[:, None]).T @ d
    return (v + v.T) / 2  # exactly symmetric: (d c)' d rounds (i, j) and (j, i) differently
