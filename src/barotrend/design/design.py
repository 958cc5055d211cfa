"""The survey design: validation, strata, multistage clusters, fpc and the lonely-PSU policy.

A :class:`Design` is built once from a pandas DataFrame and never changes; weighting verbs and
replicate conversions return new designs that share the validated data. Domain estimates keep
the full design (rows outside the domain get zero influence), as R's ``survey`` does.

Internal protocol (used by the interval, comparison, GLM and weighting modules)
------------------------------------------------------------------------------
``design.data``
    The validated private copy of the input DataFrame (do not mutate).
``design.weights``
    Sampling (or calibrated) weights, float ndarray (n,).
``design.n``, ``design.df``
    Rows, and design degrees of freedom: PSUs minus strata among rows with non-zero weight
    (R's ``degf``); for replicate designs the rank of the replicate weights minus one.
``design.is_replicate``
    True for replicate-weight designs.
``design.vcov(estimator, scores)``
    Covariance (k, k) of an estimate vector. Taylor designs use ``scores`` (n, k), influence
    values ``z`` with ``theta_hat - theta ~ sum_i w_i z_i``: the variance of the weighted totals of
    ``z`` (R's ``svyrecvar``) after applying ``score_adjusters``. Replicate designs use only
    ``estimator``, a callable mapping a weights array (n, R) to estimates (R, k), and R's
    ``svrVar``.
``design._replace(**changes)``
    A new design sharing the validated data, with changed ``weights``, ``replicate_weights``
    and/or ``score_adjusters``.
``design.score_adjusters``
    Tuple of callables, scores (n, k) -> adjusted scores (n, k), applied in order by ``vcov`` for
    Taylor designs (calibration residuals). Default ``()``.
``design.replicate_weights``, ``design.scale``, ``design.rscales``, ``design.mse``,
``design.replicate_kind``
    For replicate designs: analysis weights of each replicate (n, R) and R's variance constants.
``design.psu_ids``, ``design.strata_ids``
    Integer codes (n,) of the first-stage units and strata (PSU codes unique across strata).
``design.domain_mask(by, level)``
    Boolean ndarray (n,) of the rows in one domain; ``by`` a column or list of columns,
    ``level`` a value or tuple of values; ValueError if the level does not occur.
``design.domains(by, include_missing=False)``
    List of ``(values_tuple, mask)`` for every observed level combination, in sorted order;
    rows with a missing ``by`` value belong to no domain (or to a last ``(None, ...)`` domain
    with ``include_missing=True``, as R's ``svyby``).
``design.domain_codes(by, include_missing=False)``
    The same as ``(values, code)`` with one int64 code per row (-1: no domain).
``design.domain_df(mask)``
    Degrees of freedom of a domain (R's ``degf`` of the subset design).
``design._memo(key, sources, compute)``
    ``compute()`` remembered on the design while it holds the same ``sources`` objects (the
    estimators keep each ``by`` spec's domain codes there); see the method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from barotrend.design import linearization as lin
from barotrend.design.linearization import LONELY_PSU, Stage


def _as_list(name, value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError(f"{name}: expected a column name or a list of column names, got {value!r}")


def _check_columns(data, name, cols):
    for c in cols:
        if c not in data.columns:
            raise ValueError(f"{name}: column {c!r} is not in the data")


def _no_missing(data, name, col):
    miss = data[col].isna().to_numpy()
    if miss.any():
        row = data.index[int(np.flatnonzero(miss)[0])]
        raise ValueError(f"{name}: column {col!r} has a missing id at row {row!r}")


def _py(v):
    """Plain Python scalar for messages (``1`` rather than ``np.int64(1)``)."""
    return v.item() if isinstance(v, np.generic) else v


def _factorize(col: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (int64, -1 for missing) and sorted distinct values of a column.

    Small non-negative integers are coded by counting (no sort); the rest by
    :func:`pandas.factorize`.
    """
    v = col.to_numpy()
    if v.dtype.kind in "iu" and len(v) and v.min() >= 0 and v.max() <= 4 * len(v):
        present = np.bincount(v) > 0
        if present.all():  # already dense codes 0..m-1
            return v.astype(np.int64), list(range(len(present)))
        lookup = np.cumsum(present) - 1
        return lookup[v], np.flatnonzero(present).tolist()
    codes, uniq = pd.factorize(col, sort=True)
    return codes.astype(np.int64), pd.Index(uniq).tolist()


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes (sorted order) and distinct values of ids without missing values."""
    v = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if v.dtype.kind in "iu" and len(v) and v.min() >= 0 and v.max() <= 4 * len(v):
        present = np.bincount(v) > 0
        if present.all():  # already dense codes 0..m-1
            return v.astype(np.int64), np.arange(len(present))
        lookup = np.cumsum(present) - 1
        return lookup[v], np.flatnonzero(present)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques)


def _combine(a, b):
    """Codes of the pairs (a, b), in sorted order."""
    return _codes(a * (int(b.max()) + 1) + b)[0]


class Design:
    """A complex survey design over a pandas DataFrame (R's ``svydesign``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled unit. Copied once; the caller's frame is never changed.
    weights : str, optional
        Column of sampling weights (positive, finite). Without it the weights are the inverse
        inclusion probabilities implied by ``fpc`` (product over stages of ``N/n``), or 1.
    strata : str, optional
        Column of first-stage strata.
    cluster : str or list of str, optional
        Column(s) of cluster ids, first stage first. Without it every row is its own PSU.
        Later-stage ids are taken within the unit of the stage above.
    fpc : str or list of str, optional
        One column per stage: population sizes (all values >= 1) or sampling fractions (all
        values <= 1), constant within each stratum of its stage. Later stages enter the variance
        only when every stage has an fpc (as in R).
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        Policy for a stratum with a single sampled PSU, as R's ``options(survey.lonely.psu)``.
    nest : bool
        True when cluster ids are only unique within strata.

    Notes
    -----
    Variance: the stratified multistage estimator of :mod:`barotrend.design.linearization`.
    Degrees of freedom: PSUs minus strata (R's ``degf``).

    Examples
    --------
    >>> df = pd.DataFrame({"s": [1, 1, 2, 2], "psu": [1, 2, 3, 4], "w": [2.0, 2, 3, 3],
    ...                    "y": [1.0, 2, 3, 5]})
    >>> d = Design(df, weights="w", strata="s", cluster="psu")
    >>> d.df
    2
    >>> d
    Design: stratified cluster sample (1 stage), with replacement
      rows 4, strata 2, PSUs 4, df 2, weights 'w', lonely_psu 'fail'
    """

    _frozen = False

    def __init__(self, data, weights=None, strata=None, cluster=None, fpc=None,
                 lonely_psu="fail", nest=False):
        if not isinstance(data, pd.DataFrame):
            raise ValueError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
        if len(data) == 0:
            raise ValueError("data: the DataFrame has no rows")
        if lonely_psu not in LONELY_PSU:
            raise ValueError(f"lonely_psu: expected one of {LONELY_PSU}, got {lonely_psu!r}")
        if not isinstance(nest, bool):
            raise ValueError(f"nest: expected True or False, got {nest!r}")
        if weights is not None and not isinstance(weights, str):
            raise ValueError(f"weights: expected a column name, got {weights!r}")
        strata_cols = _as_list("strata", strata)
        if len(strata_cols) > 1:
            raise ValueError(f"strata: one column of first-stage strata, got {strata!r}")
        if nest and not strata_cols:
            raise ValueError("nest: nest=True only applies to a stratified design (no strata "
                             "given)")
        cluster_cols = _as_list("cluster", cluster)
        fpc_cols = _as_list("fpc", fpc)
        for name, cols in (("weights", _as_list("weights", weights)), ("strata", strata_cols),
                           ("cluster", cluster_cols), ("fpc", fpc_cols)):
            _check_columns(data, name, cols)
        n_stages = max(1, len(cluster_cols))
        if fpc_cols and len(fpc_cols) != n_stages:
            raise ValueError(f"fpc: expected one column per stage ({n_stages}), got {fpc!r}")

        self.data = data.copy()
        self.n = len(data)
        self.strata_name = strata_cols[0] if strata_cols else None
        self.cluster_names = tuple(cluster_cols)
        self.fpc_names = tuple(fpc_cols)
        self.weights_name = weights
        self.lonely_psu = lonely_psu
        self.nest = nest

        # --- strata and units of each stage --------------------------------------------------
        if self.strata_name:
            _no_missing(self.data, "strata", self.strata_name)
            self.strata_ids, self._strata_values = _codes(self.data[self.strata_name])
        else:
            self.strata_ids = np.zeros(self.n, dtype=np.int64)
            self._strata_values = np.array([None])
        units = []  # codes of the units of each stage
        if cluster_cols:
            for k, col in enumerate(cluster_cols):
                _no_missing(self.data, "cluster", col)
                c = _codes(self.data[col])[0]
                if k == 0:
                    if nest and self.strata_name:
                        c = _combine(self.strata_ids, c)
                    elif self.strata_name:
                        self._check_nested(c, col)
                else:
                    c = _combine(units[-1], c)
                units.append(c)
        else:
            units.append(np.arange(self.n, dtype=np.int64))
        self.psu_ids = units[0]
        self._units = units
        if int(self.psu_ids.max()) == 0 and not (nest and self.strata_name):
            raise ValueError("cluster: the design has only one primary sampling unit")

        # strata of each stage: stage 1 the design strata, stage k the units of stage k-1
        stage_strata = [self.strata_ids, *units[:-1]]
        sampsize, unit_stratum = [], []
        for s in range(n_stages):
            m = int(units[s].max()) + 1
            us = np.zeros(m, dtype=np.int64)
            us[units[s]] = stage_strata[s]
            unit_stratum.append(us)
            ns = int(stage_strata[s].max()) + 1
            sampsize.append(np.bincount(us, minlength=ns))

        # --- fpc -----------------------------------------------------------------------------
        popsize = self._popsize(fpc_cols, stage_strata, sampsize) if fpc_cols else None
        self._popsize_by_stage = popsize

        # --- weights ----------------------------------------------------------------------------
        if weights is not None:
            self.weights = self._valid_weights(weights)
        elif popsize is not None:
            w = np.ones(self.n)
            for s in range(n_stages):
                w *= (popsize[s] / sampsize[s])[stage_strata[s]]
            self.weights = w
        else:
            self.weights = np.ones(self.n)

        # --- variance stages --------------------------------------------------------------------
        used = n_stages if popsize is not None else 1
        stages = []
        ancestor = np.ones(len(sampsize[0]))
        for s in range(used):
            ns = len(sampsize[s])
            group = np.zeros(ns, dtype=np.int64) if s == 0 else np.arange(ns)
            pop = None if popsize is None else popsize[s]
            coef, center = lin.stage_coefficients(sampsize[s], pop, lonely_psu, ancestor, group,
                                                  self._stratum_label(s, stage_strata))
            stages.append(Stage(units[s], unit_stratum[s], coef, center, sampsize[s]))
            if s + 1 < used:
                frac = sampsize[s] / pop
                ancestor = (ancestor * frac)[unit_stratum[s]]
        self._stages = stages
        self.n_strata = len(sampsize[0])
        self.n_psu = int(self.psu_ids.max()) + 1
        # maps used by the estimators: finest variance unit -> PSU, PSU -> stratum
        self._psu_stratum = unit_stratum[0]
        if len(stages) == 1:
            self._unit_psu = np.arange(self.n_psu)
        else:
            up = np.zeros(len(stages[-1].parent), dtype=np.int64)
            up[stages[-1].unit] = self.psu_ids
            self._unit_psu = up
        self.n_stages = n_stages
        self.score_adjusters = ()
        self.is_replicate = False
        self.replicate_weights = None
        self.scale = None
        self.rscales = None
        self.mse = None
        self.replicate_kind = None
        self.df = self.domain_df(None)
        # validated (or derived from fpc) weights are all positive: known without a pass
        self._memo("weights > 0", (self.weights,), lambda: self.n > 0)
        self._frozen = True

    # ------------------------------------------------------------------ validation helpers
    def _check_nested(self, c, col):
        m = int(c.max()) + 1
        first = np.empty(m, dtype=np.int64)
        first[c] = self.strata_ids  # one stratum per cluster, if nested
        bad = first[c] != self.strata_ids
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"cluster: id {_py(self.data[col].iloc[row])!r} of column {col!r} "
                             f"occurs in more than one stratum of {self.strata_name!r}; "
                             "use nest=True if ids are only unique within strata")

    def _positive_column(self, col, arg, problem):
        """Column ``col`` as floats, each positive and finite, else a ValueError naming the
        argument, the column, the first offending value and its row."""
        raw = self.data[col]
        if not pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
            raise ValueError(f"{arg}: column {col!r} is not numeric")
        v = raw.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v) | (v <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{arg}: column {col!r} " + problem.format(
                value=float(v[i]), row=self.data.index[i]))
        return v

    def _valid_weights(self, col):
        return self._positive_column(col, "weights", "has a non-positive, missing or infinite "
                                     "weight {value!r} at row {row!r}")

    def _popsize(self, fpc_cols, stage_strata, sampsize):
        vals = []
        for col in fpc_cols:
            vals.append(self._positive_column(col, "fpc", "has an invalid value {value!r} at row "
                                              "{row!r} (must be positive and finite)"))
        allv = np.concatenate(vals)
        is_pop = bool((allv > 1).any())
        if is_pop and not (allv >= 1).all():
            raise ValueError(f"fpc: columns {fpc_cols!r} mix population sizes (> 1) and "
                             "sampling fractions (< 1)")
        out = []
        for s, (col, v) in enumerate(zip(fpc_cols, vals, strict=True)):
            g = stage_strata[s]
            ns = len(sampsize[s])
            lo = np.empty(ns)
            lo[g] = v  # the value of each stratum, if constant within it
            varies = lo[g] != v
            if varies.any():
                j = int(g[np.flatnonzero(varies)[0]])
                raise ValueError(f"fpc: column {col!r} varies within "
                                 f"{self._stratum_label(s, stage_strata)(j)}")
            pop = lo if is_pop else sampsize[s] / lo
            small = pop < sampsize[s] * (1 - 1e-12)
            if small.any():
                j = int(np.flatnonzero(small)[0])
                raise ValueError(f"fpc: column {col!r} gives population {float(pop[j])!r} smaller than "
                                 f"the {sampsize[s][j]} sampled units in "
                                 f"{self._stratum_label(s, stage_strata)(j)}")
            out.append(pop)
        return out

    def _stratum_label(self, s, stage_strata) -> Callable[[int], str]:
        def label(g):
            if s == 0:
                if self.strata_name is None:
                    return "the design (unstratified)"
                return f"stratum {_py(self._strata_values[g])!r} of column {self.strata_name!r}"
            row = int(np.flatnonzero(stage_strata[s] == g)[0])
            col = self.cluster_names[s - 1]
            return f"unit {_py(self.data[col].iloc[row])!r} of column {col!r} (stage {s + 1})"
        return label

    # ------------------------------------------------------------------ immutability
    def __setattr__(self, name, value):
        if self._frozen:
            raise AttributeError("Design is immutable; weighting verbs return a new Design")
        object.__setattr__(self, name, value)

    def _replace(self, **changes) -> Design:
        """Return a new design sharing the validated data, with some attributes changed.

        Accepted keys: ``weights`` (ndarray (n,), non-negative), ``replicate_weights``
        (ndarray (n, R), replicate designs only), ``score_adjusters`` (tuple of callables).
        """
        allowed = {"weights", "replicate_weights", "score_adjusters"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"_replace: unknown attribute(s) {sorted(unknown)}")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        d = new.__dict__
        # its own memo, not a shared one; entries stay valid only for their sources (_memo)
        d["_memo_entries"] = dict(self.__dict__.get("_memo_entries") or {})
        if "weights" in changes:
            w = np.asarray(changes["weights"], dtype=float)
            if w.shape != (self.n,) or not np.isfinite(w).all() or (w < 0).any():
                raise ValueError("weights: expected n finite non-negative values")
            d["weights"] = w
        if "replicate_weights" in changes:
            if not self.is_replicate:
                raise ValueError("replicate_weights: not a replicate design")
            rw = np.asarray(changes["replicate_weights"], dtype=float)
            if rw.shape != self.replicate_weights.shape:
                raise ValueError(f"replicate_weights: expected shape "
                                 f"{self.replicate_weights.shape}, got {rw.shape}")
            d["replicate_weights"] = rw
        if "score_adjusters" in changes:
            adj = tuple(changes["score_adjusters"])
            if not all(callable(a) for a in adj):
                raise ValueError("score_adjusters: expected a tuple of callables")
            d["score_adjusters"] = adj
        if not self.is_replicate:
            d["df"] = new.domain_df(None)
        return new

    # ------------------------------------------------------------------ memo (estimator speed)
    # up to 4 ``by`` specifications (domain codes, unit x domain weight totals) + weights flag
    _MEMO_SIZE = 9

    def _memo(self, key, sources, compute):
        """``compute()``, remembered on this design under ``key`` (oldest entry evicted first).

        Why this is safe: an entry keeps the very objects it was computed from (``sources``,
        e.g. ``self.data``, a unit code array, ``self.weights``) and is reused only while this
        design still holds those same objects (``is``). A design never changes after it is
        built. The designs made by ``_replace`` start from a copy of the memo, and a replicate
        conversion (which copies the attributes) shares it: for them an entry whose sources
        they share (the data, the units) is still right, and one computed from weights they do
        not share is computed afresh. The entry keeps its sources alive, so their identities
        cannot pass to other objects. Only values that depend on nothing but their sources may
        be memoised (never the analysis variables).
        """
        memo = self.__dict__.get("_memo_entries")
        if memo is None:
            memo = self.__dict__["_memo_entries"] = {}
        hit = self._memo_peek(key, sources)
        if hit is not None:
            return hit
        value = compute()
        memo.pop(key, None)
        while len(memo) >= self._MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[key] = (tuple(sources), value)
        return value

    def _memo_peek(self, key, sources):
        """The value remembered under ``key`` for these very ``sources``, else None (nothing
        is computed; store it afterwards with :meth:`_memo`)."""
        hit = (self.__dict__.get("_memo_entries") or {}).get(key)
        if hit is not None and len(hit[0]) == len(sources) and all(
                a is b for a, b in zip(hit[0], sources, strict=True)):
            return hit[1]
        return None

    def _weights_positive(self) -> bool:
        """Whether every weight is > 0 (no zero weight), computed once per weights array."""
        w = self.weights
        return self._memo("weights > 0", (w,), lambda: bool(len(w) and w.min() > 0))

    # ------------------------------------------------------------------ variance
    def vcov(self, estimator, scores) -> np.ndarray:
        """Covariance matrix (k, k) of an estimate vector.

        Parameters
        ----------
        estimator : callable or None
            ``estimator(W)`` with ``W`` an (n, R) weights array returns the estimates (R, k).
            Used by replicate designs only: ``V = scale * sum_r rscales_r (theta_r - c)
            (theta_r - c)'`` with ``c`` the mean of the replicates, or the full-sample estimate
            ``estimator(weights[:, None])`` when ``mse`` is True (R's ``svrVar``).
        scores : ndarray (n, k) or None
            Influence values ``z`` with ``theta_hat - theta ~ sum_i w_i z_i``. Used by Taylor
            designs only: after the score adjusters, the stratified multistage variance of the
            totals of ``w_i z_i`` (R's ``svyrecvar``).

        Examples
        --------
        Mean of an SRS with replacement: ``z = (y - ybar) / n``, variance ``s^2 / n``.

        >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 4]}))
        >>> y = d.data["y"].to_numpy()
        >>> float(d.vcov(None, ((y - y.mean()) / 4)[:, None])[0, 0])
        0.4166666666666667
        """
        if self.is_replicate:
            from barotrend.design.replicate import replicate_vcov
            return replicate_vcov(self, estimator)
        z = np.asarray(scores, dtype=float)
        if z.ndim == 1:
            z = z[:, None]
        if z.shape[0] != self.n:
            raise ValueError(f"scores: expected {self.n} rows, got {z.shape[0]}")
        for adjust in self.score_adjusters:
            z = np.asarray(adjust(z), dtype=float)
        return lin.taylor_vcov(z * self.weights[:, None], self._stages)

    # ------------------------------------------------------------------ domains
    def _by_columns(self, by):
        cols = _as_list("by", by)
        if not cols:
            raise ValueError(f"by: expected a column name or list of column names, got {by!r}")
        _check_columns(self.data, "by", cols)
        return cols

    def domains(self, by, include_missing=False):
        """Observed domains of ``by``: list of ``(values_tuple, mask)``, sorted by value.

        Rows with a missing value in any ``by`` column belong to no domain, unless
        ``include_missing`` (then they form one last domain with values ``(None, ...)``, as the
        ``NA`` group of R's ``svyby``).

        Examples
        --------
        >>> d = Design(pd.DataFrame({"g": ["b", "a", "b", None]}))
        >>> [(v, m.tolist()) for v, m in d.domains("g")]
        [(('a',), [False, True, False, False]), (('b',), [True, False, True, False])]
        """
        values, code = self.domain_codes(by, include_missing)
        return [(v, code == d) for d, v in enumerate(values)]

    def domain_codes(self, by, include_missing=False):
        """Domains of ``by`` as ``(values, code)``: the list of value tuples (sorted; categorical
        columns in category order; unobserved combinations left out) and an int64 code (n,) per
        row, -1 for rows in no domain. ``include_missing`` as in :meth:`domains`.

        Examples
        --------
        >>> d = Design(pd.DataFrame({"g": ["b", "a", "b", None]}))
        >>> values, code = d.domain_codes("g")
        >>> values, code.tolist()
        ([('a',), ('b',)], [1, 0, 1, -1])
        """
        cols = self._by_columns(by)
        if len(cols) == 1 and not isinstance(self.data[cols[0]].dtype, pd.CategoricalDtype):
            # one plain column: its sorted distinct values are exactly the observed domains
            ci, cats = _factorize(self.data[cols[0]])
            values = [(v,) for v in cats]
            if include_missing and (ci < 0).any():
                values.append((None,))
                ci = np.where(ci < 0, len(values) - 1, ci)
            return values, ci
        ok = np.ones(self.n, dtype=bool)
        code = np.zeros(self.n, dtype=np.int64)
        levels = []
        for c in cols:
            col = self.data[c]
            if isinstance(col.dtype, pd.CategoricalDtype):
                ci = col.cat.codes.to_numpy().astype(np.int64)
                cats = list(col.cat.categories.tolist())
            else:
                ci, cats = _factorize(col)
            ok &= ci >= 0
            code = code * max(len(cats), 1) + np.maximum(ci, 0)
            levels.append(cats)
        sizes = [max(len(x), 1) for x in levels]
        total = int(np.prod(sizes, dtype=float)) if levels else 1
        if total <= max(self.n, 1) * 4:  # small key space: presence by counting
            present = np.bincount(code[ok], minlength=total) > 0
            keys = np.flatnonzero(present)
            lookup = np.cumsum(present) - 1
        else:
            keys = np.unique(code[ok])
            lookup = None
        values = []
        for key in keys.tolist():
            parts = []
            for lv, size in zip(reversed(levels), reversed(sizes), strict=True):
                key, j = divmod(key, size)
                parts.append(lv[j])
            values.append(tuple(reversed(parts)))
        if lookup is not None:
            out = np.where(ok, lookup[code], -1)
        else:
            out = np.full(self.n, -1, dtype=np.int64)
            out[ok] = np.searchsorted(keys, code[ok])
        if include_missing and not ok.all():
            values.append(tuple(None for _ in cols))
            out[~ok] = len(values) - 1
        return values, out

    def domain_mask(self, by, level) -> np.ndarray:
        """Boolean mask (n,) of the rows whose ``by`` value(s) equal ``level``.

        Examples
        --------
        >>> d = Design(pd.DataFrame({"g": ["a", "b", "a"]}))
        >>> d.domain_mask("g", "a").tolist()
        [True, False, True]
        """
        cols = self._by_columns(by)
        values = level if isinstance(level, tuple) else (level,)
        if len(values) != len(cols):
            raise ValueError(f"level: expected {len(cols)} value(s) for by={by!r}, got {level!r}")
        mask = np.ones(self.n, dtype=bool)
        for c, v in zip(cols, values, strict=True):
            m = (self.data[c] == v).to_numpy(dtype=bool, na_value=False)
            if not m.any():
                raise ValueError(f"level: {_py(v)!r} does not occur in column {c!r}")
            mask &= m
        if not mask.any():
            raise ValueError(f"level: the domain {level!r} of {by!r} has no rows")
        return mask

    def domain_df(self, mask) -> int:
        """Degrees of freedom of the rows in ``mask`` with non-zero weight (R's ``degf``).

        Taylor designs: PSUs minus strata among those rows. Replicate designs: the rank of their
        replicate weights minus one (R recomputes ``degf`` for a subset).
        """
        inset = self.weights != 0
        if mask is not None:
            inset = inset & mask
        if self.is_replicate:
            if mask is None:
                return self.df
            from barotrend.design.replicate import replicate_rank_df
            return replicate_rank_df(self.replicate_weights[inset], self.weights[inset])
        npsu = int((np.bincount(self.psu_ids[inset], minlength=self.n_psu) > 0).sum())
        nstr = int((np.bincount(self.strata_ids[inset], minlength=self.n_strata) > 0).sum())
        return npsu - nstr

    # ------------------------------------------------------------------ display
    def __repr__(self):
        if self.is_replicate:
            kind = f"replicate weights ({self.replicate_kind}), {self.replicate_weights.shape[1]}" \
                   " replicates"
            if self.mse:
                kind += ", mse"
            return f"Design: {kind}\n  rows {self.n}, df {self.df}, scale {self.scale:.6g}"
        parts = []
        if self.strata_name:
            parts.append("stratified")
        if self.cluster_names:
            parts.append(f"cluster sample ({self.n_stages} stage"
                         f"{'s' if self.n_stages > 1 else ''})")
        else:
            parts.append("independent sample")
        wr = "without replacement (fpc)" if self.fpc_names else "with replacement"
        w = repr(self.weights_name) if self.weights_name else "implied"
        return (f"Design: {' '.join(parts)}, {wr}\n  rows {self.n}, strata {self.n_strata}, "
                f"PSUs {self.n_psu}, df {self.df}, weights {w}, lonely_psu {self.lonely_psu!r}")

    # ------------------------------------------------------------------ estimators
    def mean(self, var, by=None, na_rm=False):
        """Weighted mean with design-based SE; see :func:`barotrend.design.estimators.mean`."""
        from barotrend.design import estimators
        return estimators.mean(self, var, by=by, na_rm=na_rm)

    def total(self, var, by=None, na_rm=False):
        """Weighted total with design-based SE; see :func:`barotrend.design.estimators.total`."""
        from barotrend.design import estimators
        return estimators.total(self, var, by=by, na_rm=na_rm)

    def ratio(self, num, den, by=None, na_rm=False):
        """Ratio of totals; see :func:`barotrend.design.estimators.ratio`."""
        from barotrend.design import estimators
        return estimators.ratio(self, num, den, by=by, na_rm=na_rm)

    def proportion(self, var, by=None, method="logit", conf_level=0.95, na_rm=False):
        """Share of each level; see :func:`barotrend.design.estimators.proportion`."""
        from barotrend.design import estimators
        return estimators.proportion(self, var, by=by, method=method, conf_level=conf_level,
                                     na_rm=na_rm)

    def replicate(self, kind, **options):
        """Replicate-weight version of this design; see
        :func:`barotrend.design.replicate.make_replicate`."""
        from barotrend.design.replicate import make_replicate
        return make_replicate(self, kind, **options)

    # --- verbs implemented in sibling modules (thin delegates; see each function) ----------
    def compare(self, var, by, a, b, *, level=None, conf_level=0.95, df=None):
        """Difference ``a - b`` between two domains of ``by`` with its covariance and a design
        t test; see :func:`barotrend.design.contrasts.compare`."""
        from barotrend.design.contrasts import compare
        return compare(self, var, by, a, b, level=level, conf_level=conf_level, df=df)

    def chisq(self, row, col, statistic="F"):
        """Rao-Scott (``"F"``, ``"Chisq"``) or Wald (``"Wald"``, ``"adjWald"``) test of
        association; see :func:`barotrend.design.chisq.chisq`."""
        from barotrend.design.chisq import chisq
        return chisq(self, row, col, statistic=statistic)

    def glm(self, formula, family="gaussian", *, subset=None, conf_level=0.95, tol=1e-12,
            maxiter=100):
        """Survey-weighted GLM (``"gaussian"`` or ``"binomial"``) with design-based SEs, in
        the whole population or a domain (``subset``); see :func:`barotrend.design.glm.glm`."""
        from barotrend.design.glm import glm
        return glm(self, formula, family=family, subset=subset, conf_level=conf_level, tol=tol,
                   maxiter=maxiter, eval_env=1)

    def poststratify(self, strata, population):
        """New design post-stratified to population counts; see
        :func:`barotrend.weighting.poststratify`."""
        from barotrend.weighting import poststratify
        return poststratify(self, strata, population)

    def rake(self, margins, max_iter=1000, tol=1e-12):
        """New design raked to several margins; see :func:`barotrend.weighting.rake`."""
        from barotrend.weighting import rake
        return rake(self, margins, max_iter=max_iter, tol=tol)

    def calibrate(self, totals, calfun="linear", bounds=None, population_size=None,
                  max_iter=50, tol=1e-10):
        """New design calibrated to population totals (linear, raking or logit); see
        :func:`barotrend.weighting.calibrate`."""
        from barotrend.weighting import calibrate
        return calibrate(self, totals, calfun=calfun, bounds=bounds,
                         population_size=population_size, max_iter=max_iter, tol=tol)

    def trim(self, lower=None, upper=None, relative_to=None, strict=False, max_iter=1000):
        """New design with trimmed weights, the excess redistributed; see
        :func:`barotrend.weighting.trim`."""
        from barotrend.weighting import trim
        return trim(self, lower=lower, upper=upper, relative_to=relative_to, strict=strict,
                    max_iter=max_iter)

    def adjust_nonresponse(self, responded, by=None, model=None, method="class", n_classes=5,
                           min_respondents=5, weight_name="nr_weight", max_iter=100):
        """Design of the respondents, weights adjusted for non-response; ``self`` is the design
        of all sampled units, respondents and non-respondents. See
        :func:`barotrend.weighting.adjust_nonresponse`."""
        from barotrend.weighting import adjust_nonresponse
        return adjust_nonresponse(self, responded, by=by, model=model, method=method,
                                  n_classes=n_classes, min_respondents=min_respondents,
                                  weight_name=weight_name, max_iter=max_iter)

    @classmethod
    def from_replicate_weights(cls, data, repweights, weights=None, type="other", scale=None,
                               rscales=None, mse=False, combined_weights=True):
        """Design from supplied replicate weights; see
        :func:`barotrend.design.replicate.from_replicate_weights`."""
        from barotrend.design.replicate import from_replicate_weights
        return from_replicate_weights(data, repweights, weights=weights, type=type, scale=scale,
                                      rscales=rscales, mse=mse,
                                      combined_weights=combined_weights)


