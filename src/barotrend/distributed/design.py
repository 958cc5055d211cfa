"""A survey design over a dask DataFrame (data larger than one machine's memory).

Built with one pass over the partitions (validation of the weights, strata, clusters and fpc,
and the count of units per stratum); every verb afterwards is a pass or two of sums
(:mod:`barotrend.distributed.reduce`) and small algebra on the caller's machine, the same
algebra as :class:`barotrend.design.Design` (Taylor linearisation, R's ``svyrecvar``): the
numbers equal the pandas path's to rounding.

Scope: one sampling stage (strata, clusters, an fpc, every lonely-PSU policy); weights from a
column, the fpc or 1; one weighting step (post-stratification, raking or linear calibration).
Replicate weights, several stages with their own fpc, models, quantiles and tables need the
rows in memory: those verbs raise an error that says so (``compute()`` a sample or a subset
into pandas and use :class:`~barotrend.design.Design`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barotrend.design.linearization import LONELY_PSU, Stage, stage_coefficients
from barotrend.distributed.parts import build_part
from barotrend.distributed.reduce import is_dask_frame, tree_reduce
from barotrend.distributed.rows import RowCoder

#: Verbs of :class:`~barotrend.design.Design` that need the rows in memory.
IN_MEMORY_ONLY = ("glm", "margins", "ordinal", "quantile", "var", "chisq", "ttest", "contrast",
                  "joint_means", "replicate", "trim", "adjust_nonresponse")


def _one_column(arg, value):
    if value is None:
        return None
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError(f"{arg}: a dask design has one sampling stage, so one column, got "
                             f"{value!r}; for several stages with their own fpc, compute() the "
                             "data into pandas and use barotrend.design.Design")
        value = value[0]
    if not isinstance(value, str):
        raise ValueError(f"{arg}: expected a column name, got {value!r}")
    return value


class DaskDesign:
    """A complex survey design over a dask DataFrame (R's ``svydesign`` on a database-backed
    design, in spirit).

    Parameters
    ----------
    data : dask.dataframe.DataFrame
        One row per sampled unit, e.g. ``dask.dataframe.read_parquet("survey/*.parquet")``.
        Never computed whole: every verb streams it partition by partition.
    weights, strata, cluster, fpc, lonely_psu, nest
        As :class:`barotrend.design.Design`, for one sampling stage.

    The verbs ``mean``, ``total``, ``ratio``, ``proportion`` (overall and ``by=`` domains),
    ``compare``, ``poststratify``, ``rake`` and ``calibrate`` run on the cluster (the active
    ``dask.distributed.Client``, e.g. ``Client("scheduler:8786")``, else dask's local
    scheduler) and return the same result frames as the pandas design.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> df = pd.DataFrame({"s": [1, 1, 2, 2], "psu": [1, 2, 3, 4], "w": [2.0, 2, 3, 3],
    ...                    "y": [1.0, 2, 3, 5]})
    >>> d = DaskDesign(dd.from_pandas(df, npartitions=2), weights="w", strata="s",
    ...                cluster="psu")
    >>> d.df
    2
    >>> round(float(d.mean("y")["se"].iloc[0]), 6)  # the pandas Design gives the same
    0.632456
    """

    is_replicate = False
    replicate_kind = None

    def __init__(self, data, weights=None, strata=None, cluster=None, fpc=None,
                 lonely_psu="fail", nest=False):
        if not is_dask_frame(data):
            raise ValueError(f"data: expected a dask DataFrame, got {type(data).__name__} "
                             "(for pandas use barotrend.design.Design)")
        if lonely_psu not in LONELY_PSU:
            raise ValueError(f"lonely_psu: expected one of {LONELY_PSU}, got {lonely_psu!r}")
        if not isinstance(nest, bool):
            raise ValueError(f"nest: expected True or False, got {nest!r}")
        weights = _one_column("weights", weights)
        strata = _one_column("strata", strata)
        cluster = _one_column("cluster", cluster)
        fpc = _one_column("fpc", fpc)
        if nest and not strata:
            raise ValueError("nest: nest=True only applies to a stratified design (no strata "
                             "given)")
        for arg, col in (("weights", weights), ("strata", strata), ("cluster", cluster),
                         ("fpc", fpc)):
            if col is not None and col not in data.columns:
                raise ValueError(f"{arg}: column {col!r} is not in the data")
        for arg, col in (("weights", weights), ("fpc", fpc)):
            dt = data.dtypes[col] if col else None
            if col and (not pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
                raise ValueError(f"{arg}: column {col!r} is not numeric (dtype {dt})")
        self.data = data
        self.weights_name, self.strata_name, self.cluster_name, self.fpc_name = \
            weights, strata, cluster, fpc
        self.lonely_psu, self.nest = lonely_psu, nest
        cols = [c for c in (weights, strata, cluster, fpc) if c]
        built = tree_reduce(data, cols, build_part, weights, strata, cluster, fpc)
        self.n = int(built["rows"][0])
        if self.n == 0:
            raise ValueError("data: the DataFrame has no rows")
        self._check_built(built)
        self._coder, self._stage = self._stages(built)
        self.score_adjuster = None  # the one weighting step's variance adjuster, if any

    # ------------------------------------------------------------------ build
    def _check_built(self, built):
        if "bad weight" in built and built["bad weight"].count:
            value, row = built["bad weight"].value
            raise ValueError(f"weights: column {self.weights_name!r} has a non-positive, "
                             f"missing or infinite weight {value!r} at row {row!r}")
        if built["missing"].count:
            col, row = built["missing"].value
            arg = "strata" if col == self.strata_name else "cluster"
            raise ValueError(f"{arg}: column {col!r} has a missing value at row {row!r}")
        if "bad fpc" in built and built["bad fpc"].count:
            value, row = built["bad fpc"].value
            raise ValueError(f"fpc: column {self.fpc_name!r} has an invalid value {value!r} at "
                             f"row {row!r} (must be positive and finite)")

    def _stages(self, built):
        units = built["units"].frame
        if self.cluster_name:
            pairs = units.index.to_frame(index=False)
            pairs = pairs.sort_values(list(pairs.columns), kind="stable")
            strata_index = pd.Index(pairs["k0"].drop_duplicates().sort_values())
            if not self.nest:
                many = pairs.groupby("k1")["k0"].nunique()
                if (many > 1).any() and self.strata_name:
                    bad = many.index[int(np.argmax(many.to_numpy() > 1))]
                    raise ValueError(f"cluster: id {bad!r} of column {self.cluster_name!r} "
                                     f"occurs in more than one stratum of {self.strata_name!r}; "
                                     "use nest=True if ids are only unique within strata")
                unit_index = pd.Index(pairs["k1"])
            else:
                unit_index = pd.MultiIndex.from_frame(pairs[["k0", "k1"]])
            unit_stratum = strata_index.get_indexer(pairs["k0"])
            n_in = np.bincount(unit_stratum, minlength=len(strata_index))
        else:
            counts = units["rows"].sort_index()
            strata_index = pd.Index(counts.index.get_level_values(0))
            unit_index, unit_stratum = None, None
            n_in = counts.to_numpy().astype(np.int64)
        if n_in.sum() == 1 and not self.nest:
            raise ValueError("cluster: the design has only one primary sampling unit")
        pop, fpc_weight = self._popsize(built, strata_index, n_in)
        label = self._stratum_label(strata_index)
        coef, center = stage_coefficients(n_in, pop, self.lonely_psu, np.ones(len(n_in)),
                                          np.zeros(len(n_in), dtype=np.int64), label)
        self.n_strata, self.n_psu = len(n_in), int(n_in.sum())
        self.df = self.n_psu - self.n_strata
        coder = RowCoder(self.strata_name, self.cluster_name, self.nest, strata_index,
                         unit_index, self.weights_name, fpc_weight)
        stage = Stage(None, unit_stratum, coef, center, n_in)
        return coder, stage

    def _stratum_label(self, strata_index):
        def label(g):
            if not self.strata_name:
                return "the design (one stratum)"
            return f"stratum {strata_index[g]!r} of {self.strata_name!r}"
        return label

    def _popsize(self, built, strata_index, n_in):
        if not self.fpc_name:
            return None, None
        f = built["fpc"].frame
        f.index = f.index.get_level_values(0)
        f = f.reindex(strata_index)
        varies = (f["lo"] != f["hi"]).to_numpy()
        if varies.any():
            g = int(np.argmax(varies))
            raise ValueError(f"fpc: column {self.fpc_name!r} varies within "
                             f"{self._stratum_label(strata_index)(g)}")
        v = f["lo"].to_numpy(dtype=float)
        is_pop = bool((v > 1).any())
        if is_pop and not (v >= 1).all():
            raise ValueError(f"fpc: column {self.fpc_name!r} mixes population sizes (> 1) and "
                             "sampling fractions (< 1)")
        pop = v if is_pop else n_in / v
        small = pop < n_in * (1 - 1e-12)
        if small.any():
            g = int(np.argmax(small))
            raise ValueError(f"fpc: column {self.fpc_name!r} gives population {float(pop[g])!r} "
                             f"smaller than the {n_in[g]} sampled units in "
                             f"{self._stratum_label(strata_index)(g)}")
        fpc_weight = None if self.weights_name else pop / n_in
        return pop, fpc_weight

    # ------------------------------------------------------------------ derived designs
    def _with_step(self, step, adjuster):
        """A new design with one more weighting step (its factor and variance adjuster)."""
        if self.score_adjuster is not None:
            raise ValueError("a dask design takes one weighting step (poststratify, rake or "
                             "calibrate); for a chain of steps, combine them into one (rake "
                             "with every margin) or compute() the data into pandas")
        new = object.__new__(DaskDesign)
        new.__dict__.update(self.__dict__)
        new._coder = RowCoder(**{**self._coder.__dict__, "factors": (*self._coder.factors, step)})
        new.score_adjuster = adjuster
        return new

    def __getattr__(self, name):
        if name in IN_MEMORY_ONLY:
            raise NotImplementedError(
                f"{name}: not available on a dask design, which runs only the verbs that are "
                "sums (mean, total, ratio, proportion, compare, poststratify, rake, "
                f"calibrate); for {name}, compute() the rows you need into pandas "
                "(e.g. a subset or a sample) and use barotrend.design.Design")
        raise AttributeError(name)

    def __repr__(self):
        kind = "stratified " if self.strata_name else ""
        kind += "cluster sample" if self.cluster_name else "sample"
        return (f"DaskDesign: {kind} (1 stage), "
                f"{'without' if self.fpc_name else 'with'} replacement, "
                f"{self.data.npartitions} partitions\n"
                f"  rows {self.n}, strata {self.n_strata}, PSUs {self.n_psu}, df {self.df}, "
                f"weights {self.weights_name!r}, lonely_psu {self.lonely_psu!r}")

    # ------------------------------------------------------------------ verbs
    def mean(self, var, by=None, na_rm=False):
        """Weighted mean by domain; see :func:`barotrend.design.estimators.mean`."""
        from barotrend.distributed.estimate import estimate
        return estimate(self, "mean", var, None, by, na_rm)

    def total(self, var, by=None, na_rm=False):
        """Weighted total by domain; see :func:`barotrend.design.estimators.total`."""
        from barotrend.distributed.estimate import estimate
        return estimate(self, "total", var, None, by, na_rm)

    def ratio(self, num, den, by=None, na_rm=False):
        """Ratio of weighted totals by domain; see :func:`barotrend.design.estimators.ratio`."""
        from barotrend.distributed.estimate import estimate
        return estimate(self, "ratio", num, den, by, na_rm)

    def proportion(self, var, by=None, method="logit", conf_level=0.95, na_rm=False):
        """Shares of each level by domain; see :func:`barotrend.design.estimators.proportion`."""
        from barotrend.distributed.estimate import estimate
        return estimate(self, "proportion", var, None, by, na_rm, method=method,
                        conf_level=conf_level)

    def compare(self, var, by, a, b, *, level=None, conf_level=0.95, df=None):
        """Difference of two domains' means (or shares of ``level``); see
        :func:`barotrend.design.contrasts.compare`."""
        from barotrend.distributed.estimate import compare
        return compare(self, var, by, a, b, level=level, conf_level=conf_level, df=df)

    def poststratify(self, strata, population):
        """Post-stratified design; see :func:`barotrend.weighting.poststratify`."""
        from barotrend.distributed.weighting import poststratify
        return poststratify(self, strata, population)

    def rake(self, margins, max_iter=1000, tol=1e-12):
        """Raked design; see :func:`barotrend.weighting.rake`."""
        from barotrend.distributed.weighting import rake
        return rake(self, margins, max_iter=max_iter, tol=tol)

    def calibrate(self, totals, calfun="linear", bounds=None, population_size=None,
                  max_iter=50, tol=1e-10):
        """Linearly calibrated design; see :func:`barotrend.weighting.calibrate`."""
        from barotrend.distributed.weighting import calibrate
        return calibrate(self, totals, calfun=calfun, bounds=bounds,
                         population_size=population_size, max_iter=max_iter, tol=tol)
