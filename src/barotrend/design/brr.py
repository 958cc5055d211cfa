"""Balanced repeated replication (BRR) and Fay half-sample factors, as R's ``brrweights``.

PSUs are listed in order of first appearance in the data and sorted by stratum label (as text)
and then that order. Each stratum contributes half-sample "pairs" (index ``k = 1..K``) whose
members carry a 0/1 pattern ``(a_j, 1 - a_j)``:

- a stratum of 2 PSUs is one pair, its first PSU ``a = 0``, its second ``a = 1``;
- ``large="split"``: a stratum of ``2m`` PSUs is cut into ``m`` consecutive pairs;
  ``large="merge"``: a stratum of ``m`` PSUs is one pair, its first ``m // 2`` PSUs ``a = 0``,
  the rest ``a = 1``;
- ``small="split"``: a one-PSU stratum is its own pair with both entries 1/2 (factor 1 in every
  replicate); ``small="merge"``: the one-PSU strata are paired as R pairs them (``a`` alternating
  0, 1, ... in stratum order, pair labels ``1..k/2`` repeated twice, an odd count starting with
  an extra 1).

Pairs are numbered one-PSU strata first, then large strata, then strata of two PSUs, each group
in stratum order. With a 0/1 Hadamard matrix ``H`` of at least ``K + 1`` rows, replicate ``r``
(a column of ``H``) takes ``c = H[k, r]`` (row ``k``, 0-based, so the first row is skipped) and
gives a PSU of pair ``k`` the factor

    (2 - rho) * [a, 1 - a][c] + rho * [a, 1 - a][1 - c]

(for two-PSU strata: the first PSU is kept, factor ``2 - rho``, where ``H[k, r] = 1``).
The default ``H`` is R's ``hadamard(K)`` (:mod:`barotrend.design.hadamard`), used as it is; a
supplied matrix is recoded to 0/1 with 0 for the value of its first entry (as R recodes
``hadamard.matrix``). ``scale = 1 / (R (1 - rho)^2)``, ``R`` the number of columns of ``H``.

References
----------
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., chapter 3. Springer.
Judkins, D. R. (1990). Fay's method for variance estimation. *J. Official Statistics* 6,
223-239. R package ``survey`` 4.1.1: ``brrweights``, ``hadamard``.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from barotrend.design.columns import py_scalar
from barotrend.design.hadamard import hadamard as r_hadamard

SMALL = ("fail", "split", "merge")
LARGE = ("fail", "split", "merge")


def _pairs(stratum_of_psu, labels, small, large):
    """Per PSU (in the order given): the two-column 0/1 pattern and the pair index 1..K."""
    P = len(stratum_of_psu)
    text = [str(labels[s]) for s in stratum_of_psu]
    oo = sorted(range(P), key=lambda j: (text[j], j))
    size = Counter(text)
    names = sorted(size)
    pat = np.full(P, np.nan)  # first column of R's `weights`; the second is 1 - pat
    pair = np.zeros(P, dtype=np.int64)
    upto = 0
    smalls = {nm for nm in names if size[nm] == 1}
    if smalls:
        if small == "split":
            members = [j for j in range(P) if text[j] in smalls]  # data order, as R
            pat[members] = 0.5
            pair[members] = np.arange(1, len(members) + 1)
            upto = len(smalls)
        else:
            k = len(smalls)
            members = [j for j in oo if text[j] in smalls]
            pat[members] = np.resize([0.0, 1.0], k)
            half = list(range(1, k // 2 + 1))
            pair[members] = half * 2 if k % 2 == 0 else [1] + half * 2
            upto = k // 2
    larges = [nm for nm in names if size[nm] > 2]
    by_name = {}
    for j in oo:
        by_name.setdefault(text[j], []).append(j)
    if larges:
        if large == "split":
            for nm in larges:
                members = by_name[nm]
                pat[members] = np.resize([0.0, 1.0], size[nm])
                pair[members] = upto + np.repeat(np.arange(1, size[nm] // 2 + 1), 2)
                upto += size[nm] // 2
        else:
            for i, nm in enumerate(larges, start=1):
                members = by_name[nm]
                h = size[nm] // 2
                pat[members] = [0.0] * h + [1.0] * (size[nm] - h)
                pair[members] = upto + i
            upto += len(larges)
    goods = {nm for nm in names if size[nm] == 2}
    if goods:
        members = [j for j in oo if text[j] in goods]
        pat[members] = np.resize([0.0, 1.0], len(members))
        pair[members] = upto + np.repeat(np.arange(1, len(goods) + 1), 2)
        upto += len(goods)
    return np.column_stack([pat, 1.0 - pat]), pair, upto


def _check_sizes(stratum_of_psu, labels, strata_name, small, large):
    if small not in SMALL:
        raise ValueError(f"small: expected one of {SMALL}, got {small!r}")
    if large not in LARGE:
        raise ValueError(f"large: expected one of {LARGE}, got {large!r}")
    counts = np.bincount(stratum_of_psu, minlength=len(labels))
    where = f" of column {strata_name!r}" if strata_name else ""
    for h in np.flatnonzero(counts != 2):
        lab, n = py_scalar(labels[h]), int(counts[h])
        if n == 1 and small == "fail":
            raise ValueError(f"kind: BRR needs exactly 2 PSUs per stratum; stratum {lab!r}"
                             f"{where} has 1 (small='split' or 'merge' as R's brrweights)")
        if n > 2 and large == "fail":
            raise ValueError(f"kind: BRR needs exactly 2 PSUs per stratum; stratum {lab!r}"
                             f"{where} has {n} (large='split' or 'merge' as R's brrweights)")
        if n > 2 and large == "split" and n % 2:
            raise ValueError(f"large: 'split' needs an even number of PSUs; stratum {lab!r}"
                             f"{where} has {n} (use large='merge')")
    if small == "merge" and (counts == 1).sum() == 1:
        raise ValueError("small: 'merge' needs at least two one-PSU strata; there is one "
                         "(use small='split')")


def recode_hadamard(matrix, pairs):
    """A supplied Hadamard matrix as R's 0/1 recoding (0 for the value of its first entry),
    checked: two values, at least ``pairs + 1`` rows, orthogonal columns."""
    H = np.asarray(matrix)
    if H.ndim != 2 or H.shape[0] < pairs + 1:
        raise ValueError(f"hadamard: expected a matrix with at least {pairs + 1} rows (half-sample "
                         f"pairs + 1), got shape {H.shape}")
    if len(np.unique(H)) != 2:
        raise ValueError(f"hadamard: expected two distinct values, got {len(np.unique(H))}")
    H01 = (H != H.flat[0]).astype(np.int8)
    pm = 2.0 * H01 - 1
    if H.shape[0] != H.shape[1] or not np.allclose(pm.T @ pm, H.shape[0] * np.eye(H.shape[1])):
        raise ValueError("hadamard: the matrix is not a Hadamard matrix")
    return H01


def brr_factors(stratum_of_psu, labels, rho=0.0, hadamard=None, small="fail", large="fail",
                strata_name=None):
    """Replicate factors (P, R) of BRR / Fay half-samples for PSUs ``0..P-1``.

    Parameters
    ----------
    stratum_of_psu : ndarray of int (P,)
        Stratum code of each PSU; PSUs listed in order of first appearance in the data.
    labels : sequence
        Stratum label of each code (sorted as text to order the pairs, as R).
    rho : float
        Fay's coefficient in [0, 1).
    hadamard : array_like, optional
        Two-valued Hadamard matrix (R's ``hadamard.matrix``); default R's ``hadamard(K)``.
    small, large : {"fail", "split", "merge"}
        Handling of one-PSU strata and of strata with more than two PSUs (module docstring).
        R's defaults are ``small="fail"``, ``large="split"``; here both default to "fail".

    Returns
    -------
    factors : ndarray (P, R)

    Examples
    --------
    Two strata of two PSUs: R's ``hadamard(2)`` is the Sylvester matrix of order 4.

    >>> brr_factors(np.array([0, 0, 1, 1]), ["a", "b"]).astype(int)
    array([[2, 0, 2, 0],
           [0, 2, 0, 2],
           [2, 2, 0, 0],
           [0, 0, 2, 2]])
    """
    codes = np.asarray(stratum_of_psu, dtype=np.int64)
    _check_sizes(codes, labels, strata_name, small, large)
    pattern, pair, upto = _pairs(codes, labels, small, large)
    H = r_hadamard(upto) if hadamard is None else recode_hadamard(hadamard, upto)
    c = H[pair, :]  # (P, R): the column of `pattern` each PSU takes in each replicate
    keep = np.where(c == 1, pattern[:, [1]], pattern[:, [0]])
    other = np.where(c == 1, pattern[:, [0]], pattern[:, [1]])
    return keep * (2.0 - rho) + other * rho
