"""Comparability of two linked figures: wording, response category, measure, scale, population.

A change or comparison is only as good as the sameness of what is compared. Every figure the
Tracker holds carries a *comparability record* (survey, wave, question wording, response category,
statistic, scale, population). Before two figures are compared the records are checked; each
difference is named in the result's ``note`` and raised as a :class:`ComparabilityWarning`. With
``strict=True`` a difference raises ``ValueError`` instead, so the default never blocks a user
who knows what they compare.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping

#: Fields of a comparability record, with the label used in notes.
FIELDS = {
    "question": "wording",
    "category": "response category",
    "statistic": "measure",
    "scale": "scale",
    "population": "population",
}


class ComparabilityWarning(UserWarning):
    """Two compared figures differ in wording, category, measure, scale or population."""


def _norm(text) -> str:
    """Wording compared up to case, quote style and whitespace."""
    s = str(text if text is not None else "").lower()
    s = re.sub(r"[\u2018\u2019\u201c\u201d\"'`]", "", s)
    return re.sub(r"\s+", " ", s).strip()


def compare_records(a: Mapping, b: Mapping, *, strict: bool = False,
                    what: str = "comparison", warn: bool = True,
                    stacklevel: int = 3) -> list[str]:
    """Name the differences between two comparability records.

    Parameters
    ----------
    a, b : mapping
        Records with keys among ``question``, ``category``, ``statistic``, ``scale``,
        ``population`` (and ``survey``/``wave`` for the message).
    strict : bool, default False
        If True, a difference raises ``ValueError``; otherwise it is returned (and warned).
    what : str
        Name of the comparison, used in the message.
    warn : bool, default True
        Issue a :class:`ComparabilityWarning` when a difference is found.
    stacklevel : int, default 3
        Passed to :func:`warnings.warn` so the warning points at the user's call.

    Returns
    -------
    list of str
        One phrase per difference, e.g. ``"wording differs: 'x' (A) vs 'y' (B)"``; empty when
        the records agree.

    Examples
    --------
    >>> a = {"question": "Rate it", "scale": "1-10", "population": "CCG leaders"}
    >>> b = {"question": "Rate  it", "scale": "0-10", "population": "CCG leaders"}
    >>> compare_records(a, b, warn=False)
    ["scale differs: '1-10' vs '0-10'"]
    """
    diffs = []
    for key, label in FIELDS.items():
        va, vb = a.get(key), b.get(key)
        if va is None and vb is None:
            continue
        if _norm(va) != _norm(vb):
            diffs.append(f"{label} differs: {_clip(va)!r} vs {_clip(vb)!r}")
    if diffs:
        msg = f"{what}: " + "; ".join(diffs)
        if strict:
            raise ValueError(msg + " (pass strict=False to compare anyway, with this note)")
        if warn:
            warnings.warn(msg, ComparabilityWarning, stacklevel=stacklevel)
    return diffs


def _clip(text, width: int = 60) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= width else s[: width - 1] + "\u2026"
