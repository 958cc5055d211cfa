"""Confidence intervals for a design-based proportion, method by method as in R's ``svyciprop``.

Every method takes the design-based estimate ``p`` and its standard error ``se`` (from
linearisation or replicate weights) and the design degrees of freedom ``df``; ``q`` below is the
``t`` quantile ``t_{df, 1 - alpha/2}`` (the normal quantile when ``df`` is infinite).

Methods (named exactly as in R's ``survey::svyciprop``, plus ``"wilson"``):

``"logit"``
    ``expit(logit(p) -+ q * se_logit)``. R fits ``svyglm(y ~ 1, family=quasibinomial)``; its
    sandwich variance of the intercept is ``se**2 / (p (1 - p))**2`` for a linearised design, so
    the interval equals ``"xlogit"`` there. For a replicate design pass ``se_logit``, the replicate
    standard error of ``logit(p)`` (R refits the model on every replicate).
``"likelihood"``
    Design-effect-scaled binomial profile likelihood, computed as R's
    ``confint.svyglm(method="likelihood")`` does for ``svyglm(y ~ 1, family=quasibinomial)``:
    with ``b = logit(p)`` and ``lambda = se_logit**2 n p (1 - p)`` (design over model-based
    variance of ``b``), the signed root deviance ``z(b') = sign(b' - b) sqrt(2 n KL(p || expit(b'))
    / dispersion)`` (``KL`` the Bernoulli Kullback-Leibler divergence) is evaluated on R's grid
    ``b' = b -+ k (zmax / 5) se_logit``, ``k = 1..9`` while ``|z| < zmax``, with
    ``a = Phi(t_{df, alpha/2} sqrt(lambda)) / 2`` and ``zmax = sqrt(F_{1, n-1; 1-a}) =
    t_{n-1; 1-a/2}`` (the t form stays finite at high design effects, where ``a`` is ~1e-23); an
    interpolating cubic spline (Forsythe-Malcolm-Moler end conditions, R's ``spline``) through
    the grid, evaluated at ``3 x`` as many equally spaced points, is inverted by linear
    interpolation at ``z = -+ t_{df, 1-alpha/2} sqrt(lambda)``; the limits are ``expit`` of
    those. Needs ``n``; pass ``se_logit`` from :func:`logit_se` on replicate designs to
    reproduce R. A limit the grid does not reach, or one the spline puts on the wrong side of
    ``p`` (a grid too coarse, at very few degrees of freedom), is NaN. (The exact root of ``z(b') = -+ t sqrt(lambda)`` differs from R's
    interpolated one by up to about 1e-4 relative.)
``"beta"``
    Korn and Graubard (1998): Clopper-Pearson with the effective sample size
    ``n_eff = p (1 - p) / se**2`` rescaled by ``(t_{n-1, alpha/2} / t_{df, alpha/2})**2``;
    limits ``Beta(alpha/2; n* p, n* (1-p) + 1)`` and ``Beta(1-alpha/2; n* p + 1, n* (1-p))``.
``"xlogit"``
    Delta method on the logit scale: ``expit(logit(p) -+ q * se / (p (1 - p)))``.
``"mean"``
    Wald interval ``p -+ q * se``, clipped to [0, 1] (a share's interval never leaves it; R's
    ``svyciprop`` does not clip, so the two differ only where R's limit lies outside [0, 1]).
``"asin"``
    Arcsine square root: ``sin(asin(sqrt(p)) -+ q * se / (2 sqrt(p (1 - p))))**2``, the angle
    clipped to ``[0, pi/2]`` (R does not clip; the two differ only when the angle leaves it).
``"wilson"``
    Wilson score interval with the effective sample size ``n_eff`` in place of ``n`` and the
    ``t_{df}`` quantile in place of the normal one (Kish-style; not in R's ``svyciprop``):
    ``(p + q**2/(2 n_eff) -+ q sqrt(p (1-p)/n_eff + q**2/(4 n_eff**2))) / (1 + q**2/n_eff)``.

Missing values: :meth:`Design.proportion` with ``na_rm=True`` uses the degrees of freedom (and, for
``"beta"``, the ``n``) of the rows with an answer. R's ``svyciprop(~y, design, na.rm=TRUE)`` keeps
``df = degf(design)`` and ``nrow(design)`` of all rows; R gives ours with
``svyciprop(~y, subset(design, !is.na(y)))`` (pinned on R's ``yrbs``, design effect 23, in
tests/test_parity_r.py).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, section 2.3.1; R package
``survey``, function ``svyciprop``.
Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small expected
number of positive counts estimated from survey data. *Survey Methodology* 24, 193-201.
Forsythe, G. E., Malcolm, M. A. and Moler, C. B. (1977). *Computer Methods for Mathematical
Computations*, section 4.4 (the spline end conditions).
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22, 209-212.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

METHODS = ("logit", "likelihood", "beta", "xlogit", "mean", "asin", "wilson")


def _quantile(df, conf_level):
    return stats.t.ppf(0.5 + conf_level / 2.0, df)


def _kl_logit(p, b):
    """Bernoulli Kullback-Leibler divergence ``KL(p || expit(b))``, with ``log expit`` so that
    it stays finite (and symmetric under ``p, b -> 1 - p, -b``) where ``expit(b)`` rounds to 1."""
    return special.xlogy(p, p) + special.xlogy(1 - p, 1 - p) - p * special.log_expit(b) \
        - (1 - p) * special.log_expit(-b)


def _fmm_spline(x, y, xout):
    """Interpolating cubic spline with Forsythe-Malcolm-Moler end conditions (R's ``"fmm"``).

    Second derivatives ``M`` solve the usual continuity equations; at each end the third
    derivative equals that of the cubic through the four end points (``6 f[x0..x3]``), or zero
    with three points (Forsythe, Malcolm and Moler 1977, section 4.4).
    """
    n = len(x)
    h = np.diff(x)
    delta = np.diff(y) / h
    a = np.zeros((n, n))
    rhs = np.zeros(n)
    for i in range(1, n - 1):
        a[i, i - 1:i + 2] = h[i - 1], 2 * (h[i - 1] + h[i]), h[i]
        rhs[i] = 6 * (delta[i] - delta[i - 1])
    a[0, :2] = -1 / h[0], 1 / h[0]
    a[-1, -2:] = -1 / h[-1], 1 / h[-1]
    if n > 3:
        def third(xs, ys):
            d2 = np.diff(np.diff(ys) / np.diff(xs)) / (xs[2:] - xs[:-2])
            return 6 * (d2[1] - d2[0]) / (xs[3] - xs[0])
        rhs[0], rhs[-1] = third(x[:4], y[:4]), third(x[-4:], y[-4:])
    m = np.linalg.solve(a, rhs)
    i = np.clip(np.searchsorted(x, xout, side="right") - 1, 0, n - 2)
    t = xout - x[i]
    b = delta[i] - h[i] * (2 * m[i] + m[i + 1]) / 6
    return y[i] + t * (b + t * (m[i] / 2 + t * (m[i + 1] - m[i]) / (6 * h[i])))


def _likelihood_limits(p, se_logit, n, dispersion, df, conf_level):
    """R's profile-likelihood limits for an intercept-only quasi-binomial ``svyglm``."""
    if not (0.0 < p < 1.0 and se_logit > 0 and np.isfinite(se_logit)):
        return np.nan, np.nan
    b0 = special.logit(p)
    lam = se_logit**2 * n * p * (1.0 - p)
    cut = stats.t.ppf((1.0 - conf_level) / 2.0, df) * np.sqrt(lam)  # negative
    # sqrt of the F(1, n-1) upper quantile at a = Phi(cut) / 2, as the t(n-1) quantile at a / 2:
    # F.isf underflows to NaN once a is below about 1e-20 (design effects above ~15)
    zmax = stats.t.isf(stats.norm.cdf(cut) / 4.0, n - 1)
    step_size = zmax / 5.0 * se_logit
    bs, zs = [b0], [0.0]
    for sign in (-1.0, 1.0):
        step, z = 1, 0.0
        while step < 10 and abs(z) < zmax:
            bi = b0 + sign * step * step_size
            z = sign * np.sqrt(max(2.0 * n * _kl_logit(p, bi) / dispersion, 0.0))
            bs.append(bi)
            zs.append(z)
            step += 1
    order = np.argsort(zs, kind="stable")
    bx, zy = np.unique(np.asarray(bs)[order], return_index=True)
    zy = np.asarray(zs)[order][zy]
    grid = np.linspace(bx[0], bx[-1], 3 * len(bs))
    zgrid = _fmm_spline(bx, zy, grid)
    k = np.argsort(zgrid, kind="stable")
    zg, bg = zgrid[k], grid[k]
    out = []
    for c in (cut, -cut):
        out.append(special.expit(np.interp(c, zg, bg)) if zg[0] <= c <= zg[-1] else np.nan)
    # a grid too coarse for the spline (tiny df: huge steps) can put a limit on the wrong side
    # of p: no limit rather than a wrong one
    lo = out[0] if out[0] <= p else np.nan
    hi = out[1] if out[1] >= p else np.nan
    return lo, hi


def _check(name, value, low=None, high=None, allow_inf=False):
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr) if not allow_inf else np.isnan(arr)
    if low is not None:
        bad |= arr < low
    if high is not None:
        bad |= arr > high
    if bad.any():
        raise ValueError(f"{name}: invalid value {arr[bad].flat[0]!r}")
    return arr


def proportion_interval(estimate, se, n_eff=None, df=np.inf, method="logit", conf_level=0.95,
                        *, n=None, se_logit=None, dispersion=None):
    """Confidence interval for a design-based proportion.

    Parameters
    ----------
    estimate : float or array_like
        Estimated proportion(s) ``p`` in [0, 1].
    se : float or array_like
        Design-based standard error(s) of ``p``.
    n_eff : float or array_like, optional
        Effective sample size; default ``p (1 - p) / se**2`` (R's definition). Used by
        ``"beta"`` and ``"wilson"``.
    df : float or array_like, default inf
        Design degrees of freedom (PSUs minus strata); ``inf`` uses normal quantiles.
    method : {"logit", "likelihood", "beta", "xlogit", "mean", "asin", "wilson"}
        Interval method; see the module docstring for each formula.
    conf_level : float, default 0.95
        Confidence level in (0, 1).
    n : int or array_like, optional
        Number of sampled rows; required by ``"beta"`` (Korn-Graubard degrees of freedom
        correction ``t_{n-1}/t_{df}``) and by ``"likelihood"`` (deviance scale and profile grid).
    se_logit : float or array_like, optional
        Standard error of ``logit(p)`` for ``"logit"`` and ``"likelihood"``; default the delta
        method ``se / (p (1 - p))``. Pass the replicate standard error of ``logit(p)`` to match R
        on replicate designs.
    dispersion : float or array_like, optional
        Quasi-binomial dispersion dividing the ``"likelihood"`` deviance; default
        ``n / (n - 1)``, which is what R's ``svyglm`` reports for a 0/1 variable when all ``n``
        rows have non-zero weight (see :func:`likelihood_dispersion` otherwise).

    Returns
    -------
    (low, high) : tuple of float or of ndarray
        Floats for scalar input, arrays otherwise. Limits are NaN where ``p`` is 0 or 1 or
        ``se`` is 0 for methods whose formula is undefined there (all but ``"mean"``).

    Examples
    --------
    >>> lo, hi = proportion_interval(0.3, 0.05, df=30, method="xlogit")
    >>> round(lo, 4), round(hi, 4)
    (0.2086, 0.4107)
    >>> lo, hi = proportion_interval(0.3, 0.05, df=30, method="mean")
    >>> round(lo, 4), round(hi, 4)
    (0.1979, 0.4021)
    """
    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    if not (isinstance(conf_level, int | float) and 0.0 < conf_level < 1.0):
        raise ValueError(f"conf_level: must lie strictly between 0 and 1, got {conf_level!r}")
    scalar = np.ndim(estimate) == 0 and np.ndim(se) == 0
    p = _check("estimate", estimate, 0.0, 1.0)
    s = _check("se", se, 0.0)
    d = _check("df", df, 0.0, allow_inf=True)
    if (d <= 0).any():
        raise ValueError(f"df: must be positive, got {d[d <= 0].flat[0]!r}")
    p, s, d = np.broadcast_arrays(p, s, d)
    q = _quantile(d, conf_level)
    pq = p * (1.0 - p)
    interior = (pq > 0) & (s > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if se_logit is None:
            sl = np.where(interior, s / pq, np.nan)
        else:
            sl = np.broadcast_to(_check("se_logit", se_logit, 0.0), p.shape)
        if n_eff is None:
            ne = np.where(interior, pq / s**2, np.nan)
        else:
            ne = np.broadcast_to(_check("n_eff", n_eff, 0.0, allow_inf=True), p.shape)

        if method == "mean":
            low, high = np.clip(p - q * s, 0.0, 1.0), np.clip(p + q * s, 0.0, 1.0)
        elif method in ("logit", "xlogit"):
            if method == "xlogit":
                sl = np.where(interior, s / pq, np.nan)
            lp = special.logit(np.where(interior, p, np.nan))
            low, high = special.expit(lp - q * sl), special.expit(lp + q * sl)
        elif method == "asin":
            a = np.arcsin(np.sqrt(p))
            sa = np.where(interior, s / (2.0 * np.sqrt(pq)), np.nan)
            low = np.sin(np.clip(a - q * sa, 0.0, np.pi / 2)) ** 2
            high = np.sin(np.clip(a + q * sa, 0.0, np.pi / 2)) ** 2
        elif method == "beta":
            if n is None:
                raise ValueError("n: the 'beta' method needs the number of sampled rows n")
            nn = np.broadcast_to(_check("n", n, 2.0), p.shape)
            alpha = 1.0 - conf_level
            ratio = stats.t.ppf(alpha / 2, nn - 1) / stats.t.ppf(alpha / 2, d)
            ns = ne * ratio**2
            low = stats.beta.ppf(alpha / 2, ns * p, ns * (1 - p) + 1)
            high = stats.beta.ppf(1 - alpha / 2, ns * p + 1, ns * (1 - p))
            low, high = np.where(interior, low, np.nan), np.where(interior, high, np.nan)
        elif method == "wilson":
            q2n = q**2 / ne
            centre = p + q2n / 2
            half = q * np.sqrt(pq / ne + q2n / (4 * ne))
            low, high = (centre - half) / (1 + q2n), (centre + half) / (1 + q2n)
            low, high = np.where(interior, low, np.nan), np.where(interior, high, np.nan)
        else:  # likelihood
            if n is None:
                raise ValueError("n: the 'likelihood' method needs the number of sampled rows n")
            nn = np.broadcast_to(_check("n", n, 2.0), p.shape)
            if dispersion is None:
                disp = nn / (nn - 1.0)
            else:
                disp = np.broadcast_to(_check("dispersion", dispersion, 0.0), p.shape)
            if (disp <= 0).any():
                raise ValueError(f"dispersion: must be positive, got {disp[disp <= 0].flat[0]!r}")
            lims = [_likelihood_limits(*args, conf_level) for args in zip(
                p.flat, sl.flat, nn.flat, disp.flat, d.flat, strict=True)]
            low = np.array([x[0] for x in lims]).reshape(p.shape)
            high = np.array([x[1] for x in lims]).reshape(p.shape)
    if scalar:
        return float(low), float(high)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def _indicator_rows(design, y, mask):
    """``y`` as floats and the rows to use: ``mask`` (default all rows) without NaN ``y``."""
    y = np.asarray(y, dtype=float)
    if y.shape != (design.n,):
        raise ValueError(f"y: expected {design.n} values, got shape {y.shape}")
    m = np.ones(design.n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if m.shape != (design.n,):
        raise ValueError(f"mask: expected {design.n} values, got shape {m.shape}")
    m = m & ~np.isnan(y)
    return y, m


def logit_se(design, y, mask=None) -> float:
    """Design-based standard error of ``logit(p)``, ``p`` the weighted mean of 0/1 ``y``.

    The ``se_logit`` that :func:`proportion_interval` needs to match R's ``"logit"`` and
    ``"likelihood"`` intervals on replicate designs. Linearised designs use the delta-method
    influence ``z_i = m_i (y_i - p) / (N p (1 - p))`` (``m`` the domain mask, ``N = sum w m``),
    which gives ``se / (p (1 - p))``; replicate designs recompute ``logit(p_r)`` with every set of
    replicate weights, which is what R's ``svyglm(y ~ 1, family=quasibinomial)`` refits give
    (an intercept-only logistic fit is the logit of the weighted mean).

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    y : array_like (n,)
        0/1 indicator (NaN rows are left out).
    mask : array_like of bool (n,), optional
        Domain rows; default all rows.

    Returns
    -------
    float
        NaN when ``p`` is 0 or 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1.0, 0, 1, 1]}))
    >>> round(logit_se(d, d.data["y"].to_numpy()), 6)  # se = 0.25, p (1 - p) = 0.1875
    1.333333
    """
    y, m = _indicator_rows(design, y, mask)
    y0 = np.where(m, y, 0.0)
    mf = m.astype(float)
    w = np.asarray(design.weights, dtype=float)
    total = w @ mf
    p = (w @ y0) / total if total > 0 else np.nan
    if not 0.0 < p < 1.0:
        return float("nan")
    scores = (mf * (y0 - p) / (total * p * (1.0 - p)))[:, None]

    def estimator(wr):
        wr = np.asarray(wr, dtype=float)
        return special.logit((wr.T @ y0) / (wr.T @ mf))[:, None]

    return float(np.sqrt(np.asarray(design.vcov(estimator, scores), dtype=float)[0, 0]))


def likelihood_dispersion(design, y, mask=None) -> float:
    """Dispersion R's ``svyciprop(method="likelihood")`` uses: ``svyvar`` of Pearson residuals.

    R's ``summary.svyglm`` estimates the dispersion of ``svyglm(y ~ 1, family=quasibinomial)``
    as the design-weighted variance (``svyvar``) of its Pearson residuals
    ``r_i = (y_i - p) / sqrt(p (1 - p))`` (``residuals.svyglm`` divides the sampling weights
    out): ``sum w_i (r_i - rbar)^2 / sum w_i * m / (m - 1)``, ``rbar = sum w_i r_i / sum w_i``,
    ``m`` the number of rows with non-zero weight. For a 0/1 ``y`` this is ``m / (m - 1)``.
    (For replicate designs R's ``summary.svrepglm`` reports another quantity and its
    ``"likelihood"`` interval fails; this function still returns the formula above.)

    Parameters
    ----------
    design : Design
        A linearised or replicate design.
    y : array_like (n,)
        0/1 indicator (NaN rows are left out).
    mask : array_like of bool (n,), optional
        Domain rows (R fits the domain as a subset design); default all rows.

    Returns
    -------
    float

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d = Design(pd.DataFrame({"y": [1.0, 0, 1, 1]}))
    >>> likelihood_dispersion(d, d.data["y"].to_numpy())  # m / (m - 1) = 4 / 3
    1.333333...
    """
    y, m = _indicator_rows(design, y, mask)
    w = np.asarray(design.weights, dtype=float)[m]
    yy = y[m]
    if w.sum() <= 0:
        return float("nan")
    p = (w @ yy) / w.sum()
    if not 0.0 < p < 1.0:
        return float("nan")
    r = (yy - p) / np.sqrt(p * (1.0 - p))
    rbar = (w @ r) / w.sum()
    k = int((w != 0).sum())
    return float((w @ (r - rbar) ** 2) / w.sum() * k / (k - 1))
