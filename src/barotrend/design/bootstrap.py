"""Bootstrap replicate factors of R's ``as.svrepdesign(type="subbootstrap" / "mrbbootstrap")``.

For the PSUs ``i`` of stratum ``h`` (``n_h`` sampled, first-stage sampling fraction ``f_h``), each
replicate multiplies the weights of PSU ``i`` by a factor ``a_i``:

``subbootstrap`` (Rao and Wu 1988 with ``m_h = n_h - 1``, R's ``subbootweights``): draw
    ``n_h - 1`` PSUs with replacement, ``a_i = n_h / (n_h - 1) * count_i``; the fpc is ignored
    (as R); ``scale = 1/(R-1)``, ``rscales = 1``.
``mrbbootstrap`` (Preston 2009, first stage; R's ``mrbweights``): draw ``n*_h = floor(n_h / 2)``
    PSUs without replacement, ``a_i = 1 - lambda_h + lambda_h (n_h / n*_h) keep_i`` with
    ``lambda_h = sqrt(n*_h (1 - f_h) / (n_h - n*_h))``; R's constants ``scale = 1``,
    ``rscales = 1/(R-1)``.

Why the replicate variance estimates the linearised one: a total's replicate deviation is
``sum_i (a_i - 1) T_i`` (``T_i`` the PSU totals). Subbootstrap: ``count`` is multinomial
``(n-1, 1/n)``, so ``Var = n^2/(n-1)^2 (n-1) [mean(T^2) - Tbar^2] = n/(n-1) sum (T_i - Tbar)^2``,
the with-replacement linearised variance. Mirror-match: ``keep`` is a simple random sample of
``n*`` of ``n``, so ``Var = lambda^2 (n/n*)^2 n*^2 (1 - n*/n) S^2 / n* = (1-f) n S^2``, the
linearised variance with fpc (``S^2`` the PSU totals' variance). The replicates' sample variance
(``1/(R-1)`` about their mean) is unbiased for both.

References
----------
Rao, J. N. K. and Wu, C. F. J. (1988). JASA 83, 231-241. Rao, J. N. K., Wu, C. F. J. and Yue, K.
(1992). Survey Methodology 18, 209-217. Preston, J. (2009). Rescaled bootstrap for stratified
multistage sampling. Survey Methodology 35, 227-234. R package ``survey``: ``as.svrepdesign``,
``subbootweights``, ``mrbweights``.
"""

from __future__ import annotations

import numpy as np

from barotrend.design.columns import py_scalar


def make_bootstrap(design, kind, psu_stratum, f, replicates=None, seed=None):
    """Factors (PSUs, R) and R's ``(scale, rscales)`` of ``kind`` for a linearised design.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1.0, 2, 4, 8]}))
    >>> fac, scale, rscales = make_bootstrap(d, "subbootstrap", np.zeros(4, int), [0.0], 3, 1)
    >>> fac.sum(axis=0).tolist(), round(scale, 3)
    ([4.0, 4.0, 4.0], 0.5)
    """
    R = 50 if replicates is None else replicates
    if not isinstance(R, int | np.integer) or isinstance(R, bool) or R < 2:
        raise ValueError(f"replicates: expected an integer >= 2, got {replicates!r}")
    if kind == "mrbbootstrap" and design.n_stages > 1 and design.fpc_names:
        raise ValueError("kind: 'mrbbootstrap' here uses the first stage only; R's "
                         "mrbweights also resamples later stages of a design with an fpc at "
                         "every stage (give the first-stage cluster only)")
    rng = np.random.default_rng(seed)
    fac = np.ones((len(psu_stratum), R))
    for h in range(int(psu_stratum.max()) + 1):
        psus = np.flatnonzero(psu_stratum == h)
        n = len(psus)
        if n < 2:
            label = py_scalar(design._strata_values[h])
            raise ValueError(f"stratum {label!r} has only one PSU: no {kind} replicates")
        if kind == "subbootstrap":  # n - 1 draws with replacement in each replicate
            draws = rng.integers(0, n, (R, n - 1)) + n * np.arange(R)[:, None]
            counts = np.bincount(draws.ravel(), minlength=n * R).reshape(R, n).T
            fac[psus] = counts * (n / (n - 1))
        else:  # a simple random sample of n* of n: the n* smallest of n uniforms
            nstar = n // 2
            lam = np.sqrt(nstar * (1 - f[h]) / (n - nstar))
            ranks = np.argsort(np.argsort(rng.random((n, R)), axis=0), axis=0)
            keep = (ranks < nstar).astype(float)
            fac[psus] = 1 - lam + lam * (n / nstar) * keep
    if kind == "subbootstrap":
        return fac, 1 / (R - 1), np.ones(R)
    return fac, 1.0, np.full(R, 1 / (R - 1))
