"""Frame-based non-response adjustment: weighting classes and response propensities.

From a frame of units (every sampled unit, or a whole population such as all 211 CCGs) with
frame variables and a response indicator, the respondents' weights are inflated to stand for
the non-respondents of their kind:

* ``method="class"``: weighting classes ``c`` (Kalton & Flores-Cervantes 2003):
  ``w_i = d_i * sum_{c} d / sum_{c, responded} d``.
* ``method="propensity"``: a logistic response model ``logit p = x'beta`` (statsmodels
  ``Logit``) and ``w_i = d_i / p_hat_i`` (inverse propensity weighting).
* ``method="propensity_classes"``: units grouped into ``n_classes`` classes by quantiles of
  ``p_hat`` and adjusted within them as weighting classes (Little 1986), which is less
  sensitive to a misspecified model and to tiny propensities.

Assumption: response is independent of the outcomes given the classes or the model covariates
(missing at random). The result is a Design of the respondents. Its linearised variance:

* a population frame (a DataFrame without base weights): weighting classes act as
  post-strata with the frame counts (influence values centred within classes, as R's
  ``postStratify``);
* a sampled frame (a Design, or a DataFrame with base weights, taken as independent units):
  the class totals are themselves estimates, so the influence
  values run over every sampled unit (:class:`FrameExpansion`) and the frame's design gives
  the variance. Treating the classes as post-strata instead leaves out the variation of the
  class totals: in a simulation of 80 of 400 clusters with region classes it understated the
  SE by a quarter;
* a replicate frame: every replicate is adjusted in the same way (class factors recomputed,
  the propensity model refitted), so the replicates carry the adjustment;
* inverse propensity weights on a sampled frame: the estimation of the response model is
  linearised too (:mod:`barotrend.weighting.propensity`, Kim & Kim 2007); on a census frame
  (a DataFrame without weights) they are treated as fixed, which usually overstates the
  variance a little.

References
----------
Kalton, G. and Flores-Cervantes, I. (2003). Weighting methods. J. Official Statistics 19,
81-97.
Little, R. J. A. (1986). Survey nonresponse adjustments for estimates of means. Int.
Statistical Review 54, 139-157.
Oh, H. L. and Scheuren, F. J. (1983). Weighting adjustment for unit nonresponse. In
Incomplete Data in Sample Surveys, vol. 2, 143-184. Academic Press.
Kim, J. K. and Kim, J. J. (2007). Nonresponse weighting adjustment using estimated response
probability. Canadian J. Statistics 35, 501-514.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from barotrend.design.linearization import GroupSum
from barotrend.design.sparse import Coded
from barotrend.results import result_frame
from barotrend.weighting import _calmath as cm
from barotrend.weighting._columns import weight_column
from barotrend.weighting.propensity import PropensityExpansion, fit_propensity

METHODS = ("class", "propensity", "propensity_classes")


def _frame_parts(frame, responded, weights):
    """(data, base weights, responded bool array, design or None)."""
    design = None
    if hasattr(frame, "vcov") and hasattr(frame, "weights"):
        design = frame
        data, d = design.data, np.asarray(design.weights, dtype=float)
        if weights is not None:
            raise ValueError("weights: a Design frame carries its own weights")
    elif isinstance(frame, pd.DataFrame):
        data = frame
        if len(data) == 0:
            raise ValueError("frame: the frame has no rows")
        d = weight_column(data, weights, "weights", "the frame")
    else:
        raise ValueError(f"frame: expected a DataFrame or a Design, got {type(frame).__name__}")
    if isinstance(responded, str):
        if responded not in data.columns:
            raise ValueError(f"responded: column {responded!r} is not in the frame")
        r = data[responded]
    else:
        r = pd.Series(np.asarray(responded), index=data.index)
        if len(r) != len(data):
            raise ValueError(f"responded: expected {len(data)} values, got {len(r)}")
    if r.isna().any():
        raise ValueError(f"responded: {int(r.isna().sum())} missing value(s); every frame unit "
                         "must be marked as responding or not")
    values = set(pd.unique(r).tolist())
    if not values <= {0, 1}:
        bad = sorted(map(repr, values - {0, 1}))[:3]
        raise ValueError(f"responded: expected True/False or 1/0, got {', '.join(bad)}")
    r = r.to_numpy().astype(bool)
    if not r.any():
        raise ValueError("responded: no unit responded")
    return data, d, r, design


def _class_codes(data, by):
    cols = [by] if isinstance(by, str) else list(by)
    for c in cols:
        if c not in data.columns:
            raise ValueError(f"by: column {c!r} is not in the frame")
        if data[c].isna().any():
            raise ValueError(f"by: column {c!r} has {int(data[c].isna().sum())} missing "
                             "value(s); give them a class of their own")
    if len(cols) == 1:
        codes, uniques = pd.factorize(data[cols[0]].astype(str), sort=True)
        return codes.astype(np.intp), [str(u) for u in uniques]
    codes, uniques = pd.factorize(pd.MultiIndex.from_frame(data[cols].astype(str)), sort=True)
    return codes.astype(np.intp), ["/".join(u) for u in uniques]


def _propensity_classes(p, n_classes):
    if not (isinstance(n_classes, int) and n_classes >= 1):
        raise ValueError(f"n_classes: expected a positive integer, got {n_classes!r}")
    edges = np.quantile(p, np.linspace(0, 1, n_classes + 1))
    codes = np.clip(np.searchsorted(edges[1:-1], p, side="right"), 0, n_classes - 1)
    used, codes = np.unique(codes, return_inverse=True)
    labels = [f"p in [{edges[k]:.3g}, {edges[k + 1]:.3g}]" for k in used]
    return codes.astype(np.intp), labels


def _class_table(codes, labels, d, r, min_respondents, p=None):
    m = len(labels)
    units = np.bincount(codes, minlength=m)
    resp = np.bincount(codes, weights=r.astype(float), minlength=m)
    dsum = np.bincount(codes, weights=d, minlength=m)
    drsum = np.bincount(codes, weights=d * r, minlength=m)
    rows = []
    for k, lab in enumerate(labels):
        row = {"group": lab, "n": units[k], "respondents": int(resp[k]),
               "response_rate": resp[k] / units[k],
               "weighted_response_rate": drsum[k] / dsum[k],
               "adjustment": dsum[k] / drsum[k] if drsum[k] > 0 else np.nan,
               "small": bool(resp[k] < min_respondents)}
        if p is not None:
            pk = p[codes == k]
            row.update(propensity_min=pk.min(), propensity_mean=pk.mean(),
                       propensity_max=pk.max())
        rows.append(row)
    return result_frame(rows)


def nonresponse_diagnostics(frame, responded, by=None, model=None, n_classes=5, weights=None,
                            min_respondents=5, max_iter=100):
    """Response rates and adjustment factors by weighting class or propensity class.

    Parameters are those of :func:`adjust_nonresponse`. With ``by`` the classes are its
    levels; with ``model`` they are ``n_classes`` quantile classes of the fitted propensity
    (and the propensity range of each class is shown).

    Returns
    -------
    DataFrame
        One row per class: ``group``, ``n`` (frame units), ``respondents``,
        ``response_rate``, ``weighted_response_rate``, ``adjustment`` (the weighting-class
        factor ``sum d / sum_resp d``), ``small`` (fewer than ``min_respondents``
        respondents) and, for propensity classes, ``propensity_min/mean/max``.

    Examples
    --------
    >>> f = pd.DataFrame({"region": list("NNNNSSSS"), "resp": [1, 1, 1, 0, 1, 0, 0, 0]})
    >>> t = nonresponse_diagnostics(f, "resp", by="region", min_respondents=2)
    >>> t[["group", "respondents", "response_rate", "adjustment", "small"]]
      group  respondents  response_rate  adjustment  small
    0     N            3           0.75    1.333333  False
    1     S            1           0.25    4.000000   True
    """
    data, d, r, _ = _frame_parts(frame, responded, weights)
    if (by is None) == (model is None):
        raise ValueError("by/model: give exactly one of by= (weighting classes) or model= "
                         "(response propensity formula)")
    if by is not None:
        codes, labels = _class_codes(data, by)
        return _class_table(codes, labels, d, r, min_respondents)
    p = fit_propensity(data, r, model, max_iter).p
    codes, labels = _propensity_classes(p, n_classes)
    return _class_table(codes, labels, d, r, min_respondents, p=p)


def _respondent_design(data, r, w, design, weight_name, rep_w=None):
    from barotrend.design import Design

    resp = data.loc[r].copy()
    if weight_name in resp.columns:
        raise ValueError(f"weight_name: column {weight_name!r} already exists in the frame")
    resp[weight_name] = w[r]
    if rep_w is not None:  # a replicate frame: the respondents' adjusted replicate weights
        from barotrend.design.replicate import replicate_rows
        return replicate_rows(design, resp, w[r], rep_w[r])
    if design is None:
        return Design(resp, weights=weight_name)
    return Design(resp, weights=weight_name, strata=design.strata_name,
                  cluster=list(design.cluster_names) or None,
                  fpc=list(design.fpc_names) or None, lonely_psu=design.lonely_psu,
                  nest=design.nest)


def _finite_population_design(data, r, w, codes, labels, weight_name):
    from barotrend.design import Design

    resp = data.loc[r].copy()
    cls, big_n = f"{weight_name}_class", f"{weight_name}_N"
    for c in (weight_name, cls, big_n):
        if c in resp.columns:
            raise ValueError(f"weight_name: column {c!r} already exists in the frame")
    counts = np.bincount(codes, minlength=len(labels)).astype(float)
    resp[weight_name] = w[r]
    resp[cls] = np.asarray(labels, dtype=object)[codes[r]]
    resp[big_n] = counts[codes[r]]
    return Design(resp, weights=weight_name, strata=cls, fpc=big_n, lonely_psu="certainty")


class FrameExpansion:
    """Influence values of a weighting-class adjusted total over the whole sampled frame.

    With base weights ``d`` over the frame, classes ``c`` and adjusted respondent weights
    ``w_i = d_i N_c / N_rc`` (``N_c`` the class's sum of ``d``, ``N_rc`` its respondents'), a
    total ``t = sum_resp w z = sum_c N_c zbar_c`` depends on every frame unit through ``N_c``.
    Its linearisation in the base weights gives, for frame unit ``i`` of class ``c``,

        x_i = d_i zbar_c + r_i w_i (z_i - zbar_c),   zbar_c = sum_{resp c} w z / sum_{resp c} w

    (the second term is the usual post-stratification residual, the first the sampling
    variation of the class totals, which treating the classes as post-strata leaves out).
    Called with the respondents' weighted influence values ``t_i = w_i z_i`` (after any later
    reweighting, whose factors they already carry), it returns ``x`` over the frame rows.

    References: Sarndal, Swensson and Wretman (1992), *Model Assisted Survey Sampling*,
    section 15.6 (response homogeneity groups); Kalton and Flores-Cervantes (2003).
    """

    def __init__(self, codes, responded, d, w_resp):
        self.codes = np.asarray(codes)
        self.rows = np.flatnonzero(responded)
        self.d = np.asarray(d, dtype=float)
        self.w = np.asarray(w_resp, dtype=float)
        m = int(self.codes.max()) + 1
        self.resp_codes = self.codes[self.rows]
        self.class_sum = GroupSum(self.resp_codes, m)
        self.wsum = np.bincount(self.resp_codes, weights=self.w, minlength=m)

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        zbar = self.class_sum(t) / self.wsum[:, None]
        x = self.d[:, None] * zbar[self.codes]
        x[self.rows] += t - self.w[:, None] * zbar[self.resp_codes]
        return x

    def sparse(self, rows, cols, vals, k):
        """The same map for ``t`` (respondents, k) holding ``vals`` at ``(rows, cols)``,
        without forming it (:mod:`barotrend.design.sparse_scores`): ``x = t + (d - r w)
        zbar_c``, the respondents' values at their frame rows plus one indicator block of the
        classes (values ``d_i - r_i w_i``) times ``zbar`` (classes, k), O(rows + classes x k).
        Returns ``(frame rows, cols, vals, [block], zbar)``."""
        m = len(self.wsum)
        zbar = np.bincount(self.resp_codes[rows] * k + cols, vals,
                           minlength=m * k).reshape(m, k) / self.wsum[:, None]
        rw = np.zeros(len(self.d))
        rw[self.rows] = self.w
        return self.rows[rows], cols, vals, [Coded(self.codes, self.d - rw, m)], zbar


class _PropensityExpansion(PropensityExpansion):
    """:class:`~barotrend.weighting.propensity.PropensityExpansion` with its sparse form."""

    def sparse(self, rows, cols, vals, k):
        """``e = t - (r - p) x gamma`` for sparse ``t`` (``vals`` at ``(rows, cols)`` of the
        respondents): the respondents' values at their frame rows plus the block ``-(r - p)
        x`` (frame, q) times ``gamma = H^-1 sum_resp x (1 - p) t`` (q, k), O(rows x q).
        Returns ``(frame rows, cols, vals, [block], gamma)``."""
        fr = self.rows[rows]
        s = vals * (1 - self.p[fr])
        q = self.x.shape[1]
        xs = np.stack([np.bincount(cols, self.x[fr, j] * s, minlength=k) for j in range(q)])
        gamma = self.h_inv @ xs
        return fr, cols, vals, [-(self.r - self.p)[:, None] * self.x], gamma


def _replicate_class_weights(rep, codes, labels, r):
    """Replicate weights (n, R) adjusted within weighting classes replicate by replicate:
    ``rw_ij * sum_c rw_j / sum_{c, resp} rw_j``."""
    class_sum = GroupSum(codes, len(labels))
    tot = class_sum(rep)  # (classes, R)
    got = class_sum(rep * r[:, None])
    lost = np.argwhere((got == 0) & (tot > 0))
    if lost.size:
        k, j = lost[np.argmin(lost[:, 1])]  # the first replicate that loses a class
        raise ValueError(f"by: replicate {j + 1} keeps units of class {labels[k]!r} "
                         "but none of its respondents, so it cannot be adjusted; collapse "
                         "the class with a similar one")
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(got > 0, tot / got, 1.0)
    return rep * factor[codes]


def adjust_nonresponse(frame, responded, by=None, model=None, method="class", n_classes=5,
                       weights=None, min_respondents=5, weight_name="nr_weight", max_iter=100,
                       finite_population=False):
    """Non-response adjusted Design of the respondents, from a frame of all units.

    Parameters
    ----------
    frame : DataFrame or Design
        Every unit of the frame (or sample), respondents and non-respondents, with the frame
        variables. A DataFrame is a population frame (base weights 1), or with ``weights`` a
        sample of independent units; a linearised Design keeps its strata, clusters and fpc
        for the respondents, and with a class method the variance runs over the whole sampled
        frame (module docstring); a replicate
        Design gives a replicate design of the respondents whose every set of replicate
        weights is adjusted in the same way (the class factors recomputed and the propensity
        model refitted per replicate), so the variance reflects the adjustment.
    responded : str or array_like of bool
        Response indicator (column name, or values aligned with the frame).
    by : str or list of str
        Weighting-class column(s), for ``method="class"``.
    model : str
        Response model formula ``"~ x1 + x2"`` (patsy syntax, ``C(x)`` for categories), for
        the propensity methods; fitted unweighted by maximum likelihood (statsmodels
        ``Logit``), as is usual when response depends on the frame variables only.
    method : {"class", "propensity", "propensity_classes"}
    n_classes : int
        Quantile classes of the propensity for ``"propensity_classes"``.
    weights : str, optional
        Base-weight column of a DataFrame frame.
    min_respondents : int
        Classes with fewer respondents raise a warning naming them.
    weight_name : str
        Name of the adjusted weight column added to the respondents' data.
    max_iter : int
        Newton iterations for the response model; not converging is an error.
    finite_population : bool
        For a DataFrame frame that is the whole population (no ``weights``) and a class
        method: treat the respondents of each class as a simple random sample without
        replacement of its ``N_c`` frame units (the quasi-randomisation view of response,
        Oh & Scheuren 1983). The design is then stratified by class with fpc ``N_c`` (columns
        ``<weight_name>_class`` and ``<weight_name>_N`` are added), so the variance shrinks
        by ``1 - r_c / N_c`` -- large when most of a small population responded. Otherwise
        the classes act as post-strata of a with-replacement design.

    Returns
    -------
    Design
        Respondents only, weights ``d_i * sum_c d / sum_{c, resp} d`` (classes) or
        ``d_i / p_hat_i`` (propensity). Classes enter the linearised variance as post-strata;
        a replicate frame gives replicate weights adjusted replicate by replicate.

    Raises
    ------
    ValueError
        A class without respondents (named; collapse it), a response model that does not
        converge or separates respondents perfectly, missing or non-binary ``responded``.

    Warns
    -----
    UserWarning
        Classes with fewer than ``min_respondents`` respondents (named), or inverse
        propensity weights more than 10 times the base weight.

    Examples
    --------
    A census frame of 8 units, 3 of 4 responding in N and 1 of 4 in S:

    >>> f = pd.DataFrame({"region": list("NNNNSSSS"), "resp": [1, 1, 1, 0, 1, 0, 0, 0]})
    >>> d = adjust_nonresponse(f, "resp", by="region", min_respondents=1)
    >>> d.weights.round(4).tolist()
    [1.3333, 1.3333, 1.3333, 4.0]
    """
    if method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    data, d, r, design = _frame_parts(frame, responded, weights)
    if method == "class":
        if by is None or model is not None:
            raise ValueError("by: method='class' needs by= (and no model=)")
        codes, labels = _class_codes(data, by)
        p = None
    else:
        if model is None or by is not None:
            raise ValueError(f"model: method={method!r} needs model= (and no by=)")
        model_fit = fit_propensity(data, r, model, max_iter)
        p = model_fit.p
    rep = design.replicate_weights if design is not None and design.is_replicate else None
    if method == "propensity":
        w = d / p
        big = (w[r] / d[r]) > 10
        if big.any():
            warnings.warn(f"adjust_nonresponse: {int(big.sum())} respondent(s) have inverse "
                          f"propensity factors above 10 (smallest propensity {p[r].min():.3g}); "
                          "consider method='propensity_classes' or trim()", UserWarning,
                          stacklevel=2)
        if rep is not None:  # every replicate refits the response model
            return _respondent_design(data, r, w, design, weight_name,
                                      rep / model_fit.replicate_propensities(rep, d))
        out = _respondent_design(data, r, w, design, weight_name)
        if design is not None or weights is not None:  # a sampled frame: p is estimated
            if design is None:
                from barotrend.design import Design
                design = Design(data, weights=weights)
            return out._replace(variance_frame=(design, _PropensityExpansion(model_fit, r)))
        return out
    if method == "propensity_classes":
        codes, labels = _propensity_classes(p, n_classes)
    m = len(labels)
    resp = np.bincount(codes, weights=r.astype(float), minlength=m)
    empty = [labels[k] for k in range(m) if resp[k] == 0]
    if empty:
        raise ValueError(f"by: class(es) {', '.join(map(repr, empty))} have no respondents; "
                         "collapse them with a similar class")
    small = [f"{labels[k]!r} ({int(resp[k])})" for k in range(m) if resp[k] < min_respondents]
    if small:
        warnings.warn(f"adjust_nonresponse: class(es) with fewer than {min_respondents} "
                      f"respondents: {', '.join(small)}; their factors are unstable, consider "
                      "collapsing them", UserWarning, stacklevel=2)
    factor = np.bincount(codes, weights=d, minlength=m) / \
        np.bincount(codes, weights=d * r, minlength=m)
    w = d * factor[codes]
    if finite_population:
        if design is not None or weights is not None:
            raise ValueError("finite_population: needs a DataFrame frame of the whole "
                             "population without base weights")
        return _finite_population_design(data, r, w, codes, labels, weight_name)
    if rep is not None:
        return _respondent_design(data, r, w, design, weight_name,
                                  _replicate_class_weights(rep, codes, labels, r))
    out = _respondent_design(data, r, w, design, weight_name)
    rc = codes[r]
    if design is not None or weights is not None:
        # the frame is itself a sample: its class totals are estimates, and the variance is
        # taken over the frame's design (every sampled unit, respondent or not); a DataFrame
        # with base weights is a sample of independent units
        if design is None:
            from barotrend.design import Design
            design = Design(data, weights=weights)
        return out._replace(variance_frame=(design, FrameExpansion(codes, r, d, w[r])))
    return out._replace(score_adjusters=(*out.score_adjusters,
                                         cm.class_mean_residual(rc, d[r])))
