"""The survey design: validation, strata, multistage clusters, fpc and the lonely-PSU policy.

A :class:`Design` is built once from a pandas DataFrame and never changes; weighting verbs and
replicate conversions return new designs that share the validated data. Domain estimates keep
the full design (rows outside the domain get zero influence), as R's ``survey`` does.

This module builds and validates the design and holds its variance protocol; the domain
coding (:mod:`barotrend.design.domains`) and the analysis verbs (:mod:`barotrend.design.verbs`)
are mixed in from their own modules.

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
``design.variance_frame``
    None, or ``(frame, expand)`` for rows drawn from a larger sample (the respondents of a
    non-response adjusted frame): after the score adjusters, ``expand`` maps the weighted
    influence values ``w_i z_i`` (n, k) to the frame's (n_frame, k) and ``frame.vcov`` gives
    the variance.
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

from collections.abc import Callable

import numpy as np
import pandas as pd

from barotrend.design import linearization as lin
from barotrend.design.columns import (
    as_list,
    check_columns,
    codes,
    combine,
    no_missing,
    not_numeric,
    py_scalar,
)
from barotrend.design.domains import DomainsMixin
from barotrend.design.linearization import LONELY_PSU, Stage
from barotrend.design.verbs import VerbsMixin


class Design(DomainsMixin, VerbsMixin):
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
    probs : str or list of str, optional
        Instead of ``weights``: column(s) of selection probabilities in (0, 1], one per stage,
        multiplied; weights ``1 / prod(probs)`` (R's ``probs=``).
    pps : str, 2-D array or :class:`barotrend.design.pps.PPS`, optional
        One-stage PPS sampling without replacement (R's ``svydesign(pps=)``): "brewer" (``fpc``
        gives each PSU's inclusion probability), "overton", "hartley-rao", or a matrix of joint
        inclusion probabilities (R's ``ppsmat``); ``fpc`` then holds probabilities and, without
        ``weights``/``probs``, gives the weights ``1 / fpc``. Variance formulas in
        :mod:`barotrend.design.pps`.

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
    >>> pps = pd.DataFrame({"p": [0.2, 0.5, 0.8, 0.5], "y": [1.0, 2, 3, 5]})
    >>> round(float(Design(pps, fpc="p", pps="brewer").total("y")["se"].iloc[0]), 6)  # R: 3.975183
    3.975183
    """

    _frozen = False
    pps = None  # PPS-without-replacement variance (barotrend.design.pps.PPSVariance), or None

    def __init__(self, data, weights=None, strata=None, cluster=None, fpc=None,
                 lonely_psu="fail", nest=False, probs=None, pps=None):
        if not isinstance(data, pd.DataFrame):
            if type(data).__module__.split(".")[0] == "dask":
                raise ValueError("data: a dask DataFrame; use barotrend.distributed.DaskDesign "
                                 "(same arguments), which runs the verbs that are sums on "
                                 "the cluster")
            raise ValueError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
        if len(data) == 0:
            raise ValueError("data: the DataFrame has no rows")
        if lonely_psu not in LONELY_PSU:
            raise ValueError(f"lonely_psu: expected one of {LONELY_PSU}, got {lonely_psu!r}")
        if not isinstance(nest, bool):
            raise ValueError(f"nest: expected True or False, got {nest!r}")
        if weights is not None and not isinstance(weights, str):
            raise ValueError(f"weights: expected a column name, got {weights!r}")
        strata_cols = as_list("strata", strata)
        if len(strata_cols) > 1:
            raise ValueError(f"strata: one column of first-stage strata, got {strata!r}")
        if nest and not strata_cols:
            raise ValueError("nest: nest=True only applies to a stratified design (no strata "
                             "given)")
        cluster_cols = as_list("cluster", cluster)
        fpc_cols = as_list("fpc", fpc)
        for name, cols in (("weights", as_list("weights", weights)), ("strata", strata_cols),
                           ("cluster", cluster_cols), ("fpc", fpc_cols)):
            check_columns(data, name, cols)
        n_stages = max(1, len(cluster_cols))
        if fpc_cols and len(fpc_cols) != n_stages:
            raise ValueError(f"fpc: expected one column per stage ({n_stages}), got {fpc!r}")

        # a new frame sharing the columns: with pandas >= 3 every frame is copy-on-write, so a
        # later change to the caller's frame copies there and never reaches this one (and a
        # deep copy of every column cost a third of the build)
        self.data = data.copy(deep=False)
        self.n = len(data)
        self.strata_name = strata_cols[0] if strata_cols else None
        self.cluster_names = tuple(cluster_cols)
        self.fpc_names = tuple(fpc_cols)
        self.weights_name = weights
        self.lonely_psu = lonely_psu
        self.nest = nest

        # --- strata and units of each stage --------------------------------------------------
        if self.strata_name:
            no_missing(self.data, "strata", self.strata_name)
            self.strata_ids, self._strata_values = codes(self.data[self.strata_name])
        else:
            self.strata_ids = np.zeros(self.n, dtype=np.int64)
            self._strata_values = np.array([None])
        units = []  # codes of the units of each stage
        if cluster_cols:
            for k, col in enumerate(cluster_cols):
                no_missing(self.data, "cluster", col)
                c = codes(self.data[col])[0]
                if k == 0:
                    if nest and self.strata_name:
                        c = combine(self.strata_ids, c)
                    elif self.strata_name:
                        self._check_nested(c, col)
                else:
                    c = combine(units[-1], c)
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
        pps_fpc = None
        if pps is not None:  # PPS without replacement: fpc holds each PSU's probability
            pps_fpc, fpc_cols = (fpc_cols[0] if fpc_cols else None), []
            self.fpc_names = ()
        popsize = self._popsize(fpc_cols, stage_strata, sampsize) if fpc_cols else None
        self._popsize_by_stage = popsize

        # --- weights ----------------------------------------------------------------------------
        if probs is not None or pps_fpc is not None and weights is None:
            from barotrend.design.pps import weights_from_probs
            self.weights = weights_from_probs(self, weights, probs, pps_fpc)
        elif weights is not None:
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
        self.variance_frame = None
        self.is_replicate = False
        self.replicate_weights = None
        self.scale = None
        self.rscales = None
        self.mse = None
        self.replicate_kind = None
        if pps is not None:
            from barotrend.design.pps import build
            self.pps = build(pps, self, pps_fpc)
        # validated (or derived from fpc) weights are all positive: known without a pass
        self._memo("weights > 0", (self.weights,), lambda: self.n > 0)
        self.df = self.domain_df(None)
        self._frozen = True

    # ------------------------------------------------------------------ validation helpers
    def _check_nested(self, c, col):
        m = int(c.max()) + 1
        first = np.empty(m, dtype=np.int64)
        first[c] = self.strata_ids  # one stratum per cluster, if nested
        bad = first[c] != self.strata_ids
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"cluster: id {py_scalar(self.data[col].iloc[row])!r} of column {col!r} "
                             f"occurs in more than one stratum of {self.strata_name!r}; "
                             "use nest=True if ids are only unique within strata")

    def _positive_column(self, col, arg, problem):
        """Column ``col`` as floats, each positive and finite, else a ValueError naming the
        argument, the column, the first offending value and its row."""
        raw = self.data[col]
        if not pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
            raise ValueError(f"{arg}: column {col!r} {not_numeric(raw)}")
        v = raw.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(v) | (v <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{arg}: column {col!r} " + problem.format(
                value=float(v[i]), row=py_scalar(self.data.index[i])))
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
                return f"stratum {py_scalar(self._strata_values[g])!r} of column {self.strata_name!r}"
            row = int(np.flatnonzero(stage_strata[s] == g)[0])
            col = self.cluster_names[s - 1]
            return f"unit {py_scalar(self.data[col].iloc[row])!r} of column {col!r} (stage {s + 1})"
        return label

    # ------------------------------------------------------------------ immutability
    def __setattr__(self, name, value):
        if self._frozen:
            raise AttributeError("Design is immutable; weighting verbs return a new Design")
        object.__setattr__(self, name, value)

    def _replace(self, **changes) -> Design:
        """Return a new design sharing the validated data, with some attributes changed.

        Accepted keys: ``weights`` (ndarray (n,), non-negative), ``replicate_weights``
        (ndarray (n, R), replicate designs only), ``score_adjusters`` (tuple of callables),
        ``variance_frame`` (``(design, expand)`` or None; Taylor designs only).
        """
        allowed = {"weights", "replicate_weights", "score_adjusters", "variance_frame"}
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
        if "variance_frame" in changes:
            vf = changes["variance_frame"]
            if vf is not None and (self.is_replicate or len(vf) != 2 or not callable(vf[1])
                                   or not hasattr(vf[0], "vcov")):
                raise ValueError("variance_frame: expected (Design, expand callable) on a "
                                 "linearised design")
            d["variance_frame"] = vf
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
        if self.variance_frame is not None:
            # the rows are drawn from a larger sample (e.g. the respondents of a frame): the
            # weighted influence values become the frame's, and the frame gives the variance
            frame, expand = self.variance_frame
            x = np.asarray(expand(z * self.weights[:, None]), dtype=float)
            return frame.vcov(None, x / frame.weights[:, None])
        if self.pps is not None:  # PPS without replacement (barotrend.design.pps)
            return self.pps.vcov(z * self.weights[:, None])
        return lin.taylor_vcov(z * self.weights[:, None], self._stages)

    def _row_scores(self) -> bool:
        """Whether variances need row-level influence values (replicates, adjusters, a
        variance frame) rather than the estimators' unit-level sums."""
        return bool(self.is_replicate or self.score_adjusters or self.variance_frame is not None
                    or self.pps is not None)

    # ------------------------------------------------------------------ display
    def __repr__(self):
        if self.is_replicate:
            kind = f"replicate weights ({self.replicate_kind}), {len(self.rscales)}" \
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
        if self.pps is not None:
            wr = self.pps.describe()
        w = repr(self.weights_name) if self.weights_name else "implied"
        text = (f"Design: {' '.join(parts)}, {wr}\n  rows {self.n}, strata {self.n_strata}, "
                f"PSUs {self.n_psu}, df {self.df}, weights {w}, lonely_psu {self.lonely_psu!r}")
        if self.score_adjusters:
            text += f"\n  variance adjusted for {len(self.score_adjusters)} weighting step(s)"
        if self.variance_frame is not None:
            text += (f"\n  variance over the sampled frame it was drawn from "
                     f"({self.variance_frame[0].n} rows)")
        return text

    @classmethod
    def from_replicate_weights(cls, data, repweights, weights=None, type="other", scale=None,
                               rscales=None, mse=False, combined_weights=True, rho=None):
        """Design from supplied replicate weights (``rho`` for type "Fay"); see
        :func:`barotrend.design.replicate.from_replicate_weights`."""
        from barotrend.design.replicate import from_replicate_weights
        return from_replicate_weights(data, repweights, weights=weights, type=type, scale=scale,
                                      rscales=rscales, mse=mse,
                                      combined_weights=combined_weights, rho=rho)


