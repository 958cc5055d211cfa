"""Replicate types R builds only from supplied weights: JK2, ACS, successive-difference.

R's ``survey`` 4.1.1 knows these three types in ``svrepdesign()`` (weights supplied by the data
producer) and sets their variance constants there; ``as.svrepdesign(design, type=)`` does not
build them from a design (its types are auto, JK1, JKn, BRR, Fay, bootstrap, subbootstrap and
mrbbootstrap; any other stops with a ``match.arg`` error, stratified or not). Their construction
needs information a design does not carry (the pairing of PSUs into variance strata, the sort
order of a systematic sample), so barotrend follows R: ``Design.replicate(kind)`` refuses them
and :meth:`Design.from_replicate_weights` takes them with R's constants (variance
``V = scale * sum_r rscales_r (theta_r - c)^2``):

``JK2`` (paired jackknife, Wolter 2007, sec. 4.5): one replicate per variance stratum of two
    PSUs, one PSU dropped and the other doubled; ``scale = 1``, ``rscales = 1``.
``successive-difference`` (Fay & Train 1995; Wolter 2007, sec. 8.6): replicate factors from
    rows of a Hadamard matrix over successive pairs of a systematic sample;
    ``scale = 4/R``, ``rscales = 1``.
``ACS`` (the American Community Survey's successive-difference replicates, U.S. Census Bureau
    2014, ch. 12): ``scale = 4/R``, ``rscales = 1``.

References
----------
Fay, R. E. and Train, G. F. (1995). Aspects of survey and model-based postcensal estimation of
income and poverty characteristics for states and counties. *Proceedings of the Section on
Government Statistics, ASA*, 154-159. Wolter, K. M. (2007). *Introduction to Variance
Estimation*, 2nd ed. Springer. U.S. Census Bureau (2014). *American Community Survey Design and
Methodology*, ch. 12. R package ``survey`` 4.1.1: ``as.svrepdesign``, ``svrepdesign``.
"""

from __future__ import annotations

WEIGHTS_ONLY = ("JK2", "ACS", "successive-difference")


def refuse_weights_only(kind):
    """Raise the error for a replicate type that R builds only from supplied weights.

    Examples
    --------
    >>> refuse_weights_only("JK2")
    Traceback (most recent call last):
    ...
    ValueError: kind: 'JK2' replicates are not built from a design (R's survey 4.1.1 as.svrepdesign refuses them too: its types are JK1, JKn, BRR, Fay, bootstrap, subbootstrap, mrbbootstrap); supply the producer's weights with Design.from_replicate_weights(data, repweights, weights=..., type='JK2')
    """
    if kind not in WEIGHTS_ONLY:
        raise ValueError(f"kind: {kind!r} is not one of {WEIGHTS_ONLY}")
    raise ValueError(
        f"kind: {kind!r} replicates are not built from a design (R's survey 4.1.1 "
        "as.svrepdesign refuses them too: its types are JK1, JKn, BRR, Fay, bootstrap, "
        "subbootstrap, mrbbootstrap); supply the producer's weights with "
        f"Design.from_replicate_weights(data, repweights, weights=..., type={kind!r})")
