"""Survey designs over dask DataFrames: data larger than one machine, sums on a cluster.

``DaskDesign`` takes a ``dask.dataframe`` (e.g. a partitioned Parquet data set) and runs the
verbs that are sums at heart -- mean, total, ratio and proportion by domain, compare,
poststratify, rake and linear calibrate -- as passes over the partitions on the cluster
(:mod:`barotrend.distributed.reduce`), with the small algebra on the caller's machine. The
results equal :class:`barotrend.design.Design`'s to rounding. Install with
``pip install "barotrend[dask]"``; point it at a cluster with
``dask.distributed.Client("scheduler:8786")`` before building the design.
"""

from __future__ import annotations

__all__ = ["DaskDesign"]


def __getattr__(name):
    if name == "DaskDesign":
        try:
            from barotrend.distributed.design import DaskDesign
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError("barotrend.distributed needs dask: pip install "
                              "'barotrend[dask]'") from err
        return DaskDesign
    raise AttributeError(name)
