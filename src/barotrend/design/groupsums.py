"""Weighted sums per (sampling unit x domain x level) cell, in one chunked pass over the rows.

Every Taylor-linearised estimate needs a few sums of products over the rows of each cell:
``sum w``, ``sum w a``, ``sum w a^2`` (the design effect), ``sum w b`` ... Computed an array at a
time (``w * a`` over all n rows, then ``np.bincount``), each product and each code array is a
new n-sized array, written to memory and read back. Here the rows are taken in chunks of
``CHUNK`` rows: a chunk's cell codes and products stay in the CPU cache and are binned at once,
so the n-sized inputs are read from memory once and no n-sized temporary is made. Each chunk is
added into the cells with ``np.add.at`` (numpy >= 1.25 runs it as a fast unbuffered loop),
row after row in order: the sums are bit for bit those of ``np.bincount`` over all rows (a
"domain total" without domains is summed chunk by chunk with numpy's pairwise sum, or as a dot
product of a prefix's product and its last factor, instead).

A factor may be a :class:`Centred` row array ``a - c b``: its values are made chunk by chunk
in the cache (one subtraction per row, no n-sized temporary), so that the sums of squares a
variance needs are taken about a centre near the estimate instead of about 0 (a one-pass
``sum w a^2 - theta sum w a`` loses every digit when the mean is large against the spread).
"""

from __future__ import annotations

import numpy as np

CHUNK = 1 << 14  # 16k rows: 128 kB per buffer, well within a core's L2 cache (fastest here)


class Centred:
    """Row values ``a - c b`` (``b`` None: ``a - c``) as a :func:`cell_sums` factor.

    ``centre`` is a number, or one number per domain code (``codes``, int (n,)) for a centre per
    domain. The values are computed per chunk, never as a whole array.

    Examples
    --------
    >>> c = Centred(np.array([10.0, 11, 12]), 11.0)
    >>> c.chunk(0, 3, np.empty(3)).tolist()
    [-1.0, 0.0, 1.0]
    >>> Centred(np.array([4.0, 6]), np.array([1.0, 2]), np.array([2.0, 1]),
    ...         codes=np.array([0, 1])).chunk(0, 2, np.empty(2)).tolist()
    [2.0, 4.0]
    """

    def __init__(self, a, centre, b=None, codes=None):
        self.a, self.b, self.codes = a, b, codes
        self.centre = centre if codes is not None else float(centre)

    def __len__(self):
        return len(self.a)

    def chunk(self, s, e, out):
        """Values of rows ``s:e`` written into ``out`` (length ``e - s``) and returned."""
        c = self.centre if self.codes is None else np.take(self.centre, self.codes[s:e])
        if self.b is None:
            return np.subtract(self.a[s:e], c, out=out)
        np.multiply(self.b[s:e], c, out=out)
        return np.subtract(self.a[s:e], out, out=out)


def cell_sums(unit, n_units, terms, domain=None, n_domain=1, level=None, n_level=1,
              groups=None, n_groups=None, chunk=CHUNK):
    """Sums of row products per (unit x domain) or (unit x domain x level) cell.

    Parameters
    ----------
    unit : ndarray of int (n,) or None
        Sampling-unit code of each row, 0..n_units-1; None: every row is its own unit (row
        ``i`` has code ``i``, ``n_units`` the rows), with no code array made.
    n_units : int
    terms : sequence of (factors, over)
        ``factors`` is a tuple of float arrays (n,) or :class:`Centred` values, multiplied row
        by row (``()`` counts the rows); ``over`` is ``"domain"`` (cells unit x domain), ``"cell"`` (unit x domain x
        level) or ``"domain total"`` (domains only, summed over the units). A term whose
        factors extend an earlier term's (the same arrays, ``is``) reuses that product:
        ``(w, a)`` then ``(w, a, a)`` costs one multiplication more.
    domain : ndarray of int (n,), optional
        Domain code 0..n_domain-1 of each row (None: one domain).
    level : ndarray of int (n,), optional
        Level code 0..n_level-1 of each row (None: one level).
    groups : ndarray of int (n,), optional
        Codes 0..n_groups-1 of the ``"domain total"`` terms (default: ``domain`` and
        ``n_domain``), e.g. the domains when the cells are (unit, domain) pairs coded in
        ``unit``.

    Returns
    -------
    list of ndarray
        Per term, the sums shaped ``(n_units, n_domain)`` (``"domain"``), ``(n_units,
        n_domain * n_level)`` (``"cell"``, domain-major within a unit) or ``(n_groups,)``
        (``"domain total"``).

    Examples
    --------
    >>> import numpy as np
    >>> unit = np.array([0, 0, 1, 1, 1])
    >>> dom = np.array([0, 1, 0, 1, 1])
    >>> w = np.array([1.0, 2.0, 1.0, 1.0, 2.0])
    >>> a = np.array([3.0, 1.0, 2.0, 4.0, 5.0])
    >>> sw, swa, swaa = cell_sums(unit, 2, [((w,), "domain"), ((w, a), "domain"),
    ...                                     ((w, a, a), "domain")], domain=dom, n_domain=2,
    ...                           chunk=2)
    >>> sw.tolist(), swa.tolist(), swaa.tolist()
    ([[1.0, 2.0], [1.0, 3.0]], [[3.0, 2.0], [2.0, 14.0]], [[9.0, 2.0], [4.0, 66.0]])
    """
    if groups is None:
        groups, n_groups = domain, n_domain
    n = n_units if unit is None else len(unit)
    m_dom = n_units * n_domain
    m_cell = m_dom * n_level
    plan = _plan(terms)
    size_of = {"cell": m_cell, "domain": m_dom, "domain total": n_groups}
    out = [np.zeros(size_of[over]) for _, over in terms]
    size = min(chunk, max(n, 1))
    ud_buf = np.empty(size, dtype=np.int64)
    row_codes = np.arange(size, dtype=np.int64) if unit is None else None
    uc_buf = np.empty(size, dtype=np.int64) if level is not None else None
    bufs = [np.empty(size) if len(rest) + (prev is not None) > 1 else None
            for prev, rest in plan]
    need_cell = any(over == "cell" for _, over in terms)
    # the distinct factors, each sliced (or, centred, made) once per chunk
    factors, index = [], {}
    for fs, _ in terms:
        for f in fs:
            if id(f) not in index:
                index[id(f)] = len(factors)
                factors.append(f)
    fbufs = [np.empty(size) if isinstance(f, Centred) else None for f in factors]
    # a one-domain total of a prefix's product times one more factor, extended by no later
    # term: a dot product, the product never written out (sum w a^2 from w a and a)
    extended = {prev for prev, _ in plan}
    steps = []
    for j, ((prev, rest), (_, over)) in enumerate(zip(plan, terms, strict=True)):
        if over == "domain total" and groups is None:
            dot = prev is not None and len(rest) == 1 and j not in extended
            mode = "dot" if dot else "sum"
        else:
            mode = {"cell": "cell", "domain": "unit x domain"}.get(over, "domain")
        steps.append((mode, prev, tuple(index[id(f)] for f in rest), bufs[j], out[j]))
    products = [None] * len(steps)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        k = e - s
        cols = [f[s:e] if b is None else f.chunk(s, e, b[:k])
                for f, b in zip(factors, fbufs, strict=True)]
        if unit is None:  # every row its own unit: codes s..e-1
            uk = np.add(row_codes[:k], s, out=ud_buf[:k])
        else:
            uk = unit[s:e]
        if domain is None:
            ud = uk
        else:
            ud = np.multiply(uk, n_domain, out=ud_buf[:k], dtype=np.int64)
            ud += domain[s:e]
        uc = ud
        if level is not None and need_cell:
            uc = np.multiply(ud, n_level, out=uc_buf[:k], dtype=np.int64)
            uc += level[s:e]
        for j, (mode, prev, rest, buf, o) in enumerate(steps):
            p = None if prev is None else products[prev]
            if mode == "dot":  # one domain: sum of (prefix product) x (last factor)
                o[0] += np.einsum("i,i->", p, cols[rest[0]])
                continue
            if rest:
                if p is None and len(rest) == 1:
                    p = cols[rest[0]]
                else:
                    q = buf[:k]
                    if p is None:
                        np.multiply(cols[rest[0]], cols[rest[1]], out=q)
                        more = rest[2:]
                    else:
                        np.multiply(p, cols[rest[0]], out=q)
                        more = rest[1:]
                    for i in more:
                        q *= cols[i]
                    p = q
            products[j] = p
            if mode == "sum":  # one domain: its total (pairwise sum)
                o[0] += k if p is None else p.sum()
                continue
            # unbuffered scatter-add, row by row in order: the very sums of np.bincount
            codes = uc if mode == "cell" else ud if mode == "unit x domain" else groups[s:e]
            np.add.at(o, codes, 1.0 if p is None else p)
    return [o if over == "domain total" else o.reshape(n_units, -1)
            for o, (_, over) in zip(out, terms, strict=True)]


def _plan(terms):
    """For each term: the earlier term whose factors are the longest prefix of its own (or
    None) and the factors left to multiply."""
    plan = []
    for j, (factors, over) in enumerate(terms):
        if over not in ("domain", "cell", "domain total"):
            raise ValueError(f"cell_sums: term {j} has over={over!r}; expected 'domain', "
                             "'cell' or 'domain total'")
        best, best_len = None, 0
        for i in range(j):
            f = terms[i][0]
            if best_len < len(f) <= len(factors) and all(
                    x is y for x, y in zip(f, factors, strict=False)):
                best, best_len = i, len(f)
        plan.append((best, tuple(factors[best_len:])))
    return plan


def small_int_counts(values, limit, chunk=CHUNK):
    """Rows per value of an integer array, ``counts[v]``; None when a value is negative or
    above ``limit`` (then it is no small code).

    One chunked pass: each chunk is checked and counted while it is in the cache (the array
    is neither copied nor converted whole).

    Examples
    --------
    >>> small_int_counts(np.array([2, 0, 2, 5]), limit=10, chunk=3).tolist()
    [1, 0, 2, 0, 0, 1]
    >>> small_int_counts(np.array([2, -1]), limit=10) is None
    True
    """
    counts = np.zeros(0, dtype=np.int64)
    for s in range(0, len(values), chunk):
        c = values[s:s + chunk]
        lo, hi = int(c.min()), int(c.max())
        if lo < 0 or hi > limit:
            return None
        if hi >= len(counts):
            counts = np.concatenate([counts, np.zeros(hi + 1 - len(counts), dtype=np.int64)])
        np.add.at(counts, c, 1)
    return counts
