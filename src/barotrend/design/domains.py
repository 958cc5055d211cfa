"""Domains of a design: the rows of each level (combination) of one or more columns.

A mixin of :class:`barotrend.design.Design`: a domain keeps the full design (rows outside it
get zero influence), so these methods only code rows; ``domain_df`` gives R's ``degf`` of the
subset design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barotrend.design.columns import as_list, check_columns, factorize, py_scalar


class DomainsMixin:
    """Domain coding of a :class:`~barotrend.design.Design` (``self.data``, ``self.n``)."""

    def _by_columns(self, by):
        cols = as_list("by", by)
        if not cols:
            raise ValueError(f"by: expected a column name or list of column names, got {by!r}")
        check_columns(self.data, "by", cols)
        return cols

    def domains(self, by, include_missing=False):
        """Observed domains of ``by``: list of ``(values_tuple, mask)``, sorted by value.

        Rows with a missing value in any ``by`` column belong to no domain, unless
        ``include_missing`` (then they form one last domain with values ``(None, ...)``, as the
        ``NA`` group of R's ``svyby``).

        Examples
        --------
        >>> from barotrend.design import Design
        >>> d = Design(pd.DataFrame({"g": ["b", "a", "b", None]}))
        >>> [(v, m.tolist()) for v, m in d.domains("g")]
        [(('a',), [False, True, False, False]), (('b',), [True, False, True, False])]
        """
        values, code = self.domain_codes(by, include_missing)
        return [(v, code == d) for d, v in enumerate(values)]

    def domain_codes(self, by, include_missing=False):
        """Domains of ``by`` as ``(values, code)``: the list of value tuples (sorted; categorical
        columns in category order; unobserved combinations left out) and an int64 code (n,) per
        row, -1 for rows in no domain. ``include_missing`` as in :meth:`domains`.

        Examples
        --------
        >>> from barotrend.design import Design
        >>> d = Design(pd.DataFrame({"g": ["b", "a", "b", None]}))
        >>> values, code = d.domain_codes("g")
        >>> values, code.tolist()
        ([('a',), ('b',)], [1, 0, 1, -1])
        """
        cols = self._by_columns(by)
        if len(cols) == 1 and not isinstance(self.data[cols[0]].dtype, pd.CategoricalDtype):
            # one plain column: its sorted distinct values are exactly the observed domains
            ci, cats = factorize(self.data[cols[0]])
            values = [(v,) for v in cats]
            if include_missing and (ci < 0).any():
                values.append((None,))
                ci = np.where(ci < 0, len(values) - 1, ci)
            return values, ci
        ok = np.ones(self.n, dtype=bool)
        code = np.zeros(self.n, dtype=np.int64)
        levels = []
        for c in cols:
            col = self.data[c]
            if isinstance(col.dtype, pd.CategoricalDtype):
                ci = col.cat.codes.to_numpy().astype(np.int64)
                cats = list(col.cat.categories.tolist())
            else:
                ci, cats = factorize(col)
            ok &= ci >= 0
            code = code * max(len(cats), 1) + np.maximum(ci, 0)
            levels.append(cats)
        sizes = [max(len(x), 1) for x in levels]
        total = int(np.prod(sizes, dtype=float)) if levels else 1
        if total <= max(self.n, 1) * 4:  # small key space: presence by counting
            present = np.bincount(code[ok], minlength=total) > 0
            keys = np.flatnonzero(present)
            lookup = np.cumsum(present) - 1
        else:
            keys = np.unique(code[ok])
            lookup = None
        values = []
        for key in keys.tolist():
            parts = []
            for lv, size in zip(reversed(levels), reversed(sizes), strict=True):
                key, j = divmod(key, size)
                parts.append(lv[j])
            values.append(tuple(reversed(parts)))
        if lookup is not None:
            out = np.where(ok, lookup[code], -1)
        else:
            out = np.full(self.n, -1, dtype=np.int64)
            out[ok] = np.searchsorted(keys, code[ok])
        if include_missing and not ok.all():
            values.append(tuple(None for _ in cols))
            out[~ok] = len(values) - 1
        return values, out

    def domain_mask(self, by, level) -> np.ndarray:
        """Boolean mask (n,) of the rows whose ``by`` value(s) equal ``level``.

        Examples
        --------
        >>> from barotrend.design import Design
        >>> d = Design(pd.DataFrame({"g": ["a", "b", "a"]}))
        >>> d.domain_mask("g", "a").tolist()
        [True, False, True]
        """
        cols = self._by_columns(by)
        values = level if isinstance(level, tuple) else (level,)
        if len(values) != len(cols):
            raise ValueError(f"level: expected {len(cols)} value(s) for by={by!r}, got {level!r}")
        mask = np.ones(self.n, dtype=bool)
        for c, v in zip(cols, values, strict=True):
            m = (self.data[c] == v).to_numpy(dtype=bool, na_value=False)
            if not m.any():
                raise ValueError(f"level: {py_scalar(v)!r} does not occur in column {c!r}")
            mask &= m
        if not mask.any():
            raise ValueError(f"level: the domain {level!r} of {by!r} has no rows")
        return mask

    def domain_df(self, mask) -> int:
        """Degrees of freedom of the rows in ``mask`` with non-zero weight (R's ``degf``).

        Taylor designs: PSUs minus strata among those rows. Replicate designs: the rank of their
        replicate weights minus one (R recomputes ``degf`` for a subset).
        """
        if mask is None and not self.is_replicate and self._weights_positive():
            # every row counts: every PSU and stratum code (dense codes) is present
            return self.n_psu - self.n_strata
        inset = self.weights != 0
        if mask is not None:
            inset = inset & mask
        if self.is_replicate:
            if mask is None:
                return self.df
            from barotrend.design.replicate import replicate_rank_df
            return replicate_rank_df(self.replicate_weights[inset], self.weights[inset])
        npsu = int((np.bincount(self.psu_ids[inset], minlength=self.n_psu) > 0).sum())
        nstr = int((np.bincount(self.strata_ids[inset], minlength=self.n_strata) > 0).sum())
        return npsu - nstr
