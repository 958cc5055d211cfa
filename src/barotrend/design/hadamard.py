"""Hadamard matrices as R's ``survey::hadamard`` builds them (the default BRR half-samples).

``hadamard(n)`` returns a 0/1 matrix (1 standing for +1) with more than ``n`` rows, the one R's
``brrweights`` uses when no matrix is given, so that default BRR and Fay replicates are R's:

- ``m = n - n mod 4``; if one of the stored orders 4, 16, 28, 36 lies in ``(m, m + 4]``, the
  smallest such stored matrix (4 and 16: Sylvester; 28 and 36: the matrices shipped with R's
  ``survey``, copied below);
- otherwise each stored order ``s`` is doubled to ``s 2^max(0, ceil(log2((n + 1) / s)))`` and
  the smallest result ``S`` (first on ties) chosen; if ``S - n > 4`` a Paley construction of
  order at most ``S`` is tried first (:func:`paley`), else (or when Paley fails) the stored
  matrix is doubled, ``H -> [[H, H], [H, 1 - H]]``.

So the order is not always a power of two: 10 strata give a Paley matrix of order 12.

References
----------
Paley, R. E. A. C. (1933). On orthogonal matrices. *J. Math. Phys.* 12, 311-320.
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., section 3.2. Springer.
R package ``survey`` 4.1.1: ``hadamard``, ``paley`` and the stored ``hadamard.list``.
"""

from __future__ import annotations

import math

import numpy as np

# R's survey:::hadamard.list[[3]] and [[4]] (orders 28 and 36), rows as 0/1 text
_STORED_TEXT = (
(
    "1111111111111111111111111111",
    "1001110001110001110001111000",
    "1000001111001101001101111000",
    "1000001110110010111001100110",
    "1001101000001111100011010110",
    "1001010100101100010110101110",
    "1000110011010010001110011110",
    "0101100010101010011111110000",
    "0100010110110101100111010100",
    "0100011011001011110010101100",
    "0101011000010111011101001010",
    "0100101101100100111010011010",
    "0101100101011001101100100110",
    "0010110100011110101011101000",
    "0011011001100110101100110100",
    "0010101100111011010100011100",
    "0011000111010111010010110010",
    "0011001011111000100111001010",
    "0010110011101101011001000110",
    "1110101001010100010111100100",
    "1111000101100011001011001100",
    "1111000010011100111000011100",
    "1110010101001010110101010010",
    "1110011000111001001010110010",
    "1110100010100111100100101010",
    "1101111111111110000000000000",
    "1011111110000001111110000000",
    "0111111110000000000001111110",
),
(
    "111111111111111111111111111111111111",
    "010111000111110111001000010101100100",
    "101110001111101110010000101011001000",
    "011100011111011100100001010110010010",
    "111000111110111001000010101100100100",
    "110001111101110010000101011001001010",
    "100011111011100100001010110010010110",
    "000111110111001000010101100100101110",
    "001111101110010000101011001001011100",
    "011111011100100001010110010010111000",
    "111110111001000010101100100101110000",
    "111101110010000101011001001011100010",
    "111011100100001010110010010111000110",
    "110111001000010101100100101110001110",
    "101110010000101011001001011100011110",
    "011100100001010110010010111000111110",
    "111001000010101100100101110001111100",
    "110010000101011001001011100011111010",
    "100100001010110010010111000111110110",
    "001000010101100100101110001111101110",
    "010000101011001001011100011111011100",
    "100001010110010010111000111110111000",
    "000010101100100101110001111101110010",
    "000101011001001011100011111011100100",
    "001010110010010111000111110111001000",
    "010101100100101110001111101110010000",
    "101011001001011100011111011100100000",
    "010110010010111000111110111001000010",
    "101100100101110001111101110010000100",
    "011001001011100011111011100100001010",
    "110010010111000111110111001000010100",
    "100100101110001111101110010000101010",
    "001001011100011111011100100001010110",
    "010010111000111110111001000010101100",
    "100101110001111101110010000101011000",
    "001011100011111011100100001010110010",
),
)

# primes p = 3 (mod 4) up to 7919 that R's paley() accepts (survey 4.1.1, small.primes)
_PRIMES = tuple(p for p in range(3, 7920, 4) if all(p % d for d in range(3, int(p ** 0.5) + 1, 2)))

SIZES = (4, 16, 28, 36)


def _double(h):
    return np.block([[h, h], [h, 1 - h]])


def _sylvester01(order):
    h = np.ones((1, 1), dtype=np.int8)
    while h.shape[0] < order:
        h = _double(h)
    return h


def _stored(i):
    if SIZES[i] in (4, 16):
        return _sylvester01(SIZES[i])
    rows = _STORED_TEXT[i - 2]
    return np.array([[int(c) for c in r] for r in rows], dtype=np.int8)


def _paley_prime(p):
    """Paley matrix of order ``p + 1`` for a prime ``p = 3 (mod 4)``: bordered by ones, entry
    ``(i, j)`` 0 when ``(i + j) mod p`` is 0 or a quadratic residue, else 1."""
    residues = {0} | {(i * i) % p for i in range(1, (p - 1) // 2 + 1)}
    m = (np.add.outer(np.arange(p), np.arange(p)) % p)
    core = np.where(np.isin(m, list(residues)), 0, 1).astype(np.int8)
    out = np.ones((p + 1, p + 1), dtype=np.int8)
    out[1:, 1:] = core
    return out


def paley(n, nmax=None):
    """R's ``survey:::paley(n, nmax)``: a Paley-type 0/1 Hadamard matrix with more than ``n``
    rows and order at most ``nmax`` (default ``2 n``), or None when R's finds none.

    Examples
    --------
    >>> paley(10).shape
    (12, 12)
    """
    nmax = 2 * n if nmax is None else nmax
    nceil = nn = n + 4 - n % 4
    if n % 4 + 4 == n % 8:
        while nn % 8 == 0:
            nn //= 2
        if nn - 1 in _PRIMES:
            m = _paley_prime(nn - 1)
            while nn < nceil:
                m = _double(m)
                nn *= 2
            return m
    if n > _PRIMES[-1]:
        return None
    p = min(q for q in _PRIMES if q >= n)
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return paley(nceil + 3)
    if p > nmax:
        return None
    return _paley_prime(p)


def hadamard(n):
    """R's ``survey::hadamard(n)``: a 0/1 Hadamard matrix with at least ``n + 1`` rows.

    Parameters
    ----------
    n : int
        Number of strata (half-sample pairs), >= 1.

    Returns
    -------
    ndarray of int8, square, first row all ones (1 stands for +1).

    Examples
    --------
    >>> [hadamard(k).shape[0] for k in (1, 3, 4, 7, 10, 14, 20, 40)]
    [4, 4, 8, 8, 12, 16, 24, 44]
    """
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    n = int(n)
    m = n - n % 4
    pre = [i for i, s in enumerate(SIZES) if m < s <= m + 4]
    if pre:
        return _stored(min(pre))
    sizes = [s * 2 ** max(0, math.ceil(math.log2((n + 1) / s))) for s in SIZES]
    best = min(range(len(sizes)), key=lambda i: sizes[i] - n)
    h = None
    if sizes[best] - n > 4:
        h = paley(n, sizes[best])
    if h is None:
        h = _stored(best)
        for _ in range(round(math.log2(sizes[best] / SIZES[best]))):
            h = _double(h)
    return h
