"""One cell of a table as a spreadsheet or a CSV file writes it: whole numbers, numbers, true/false,
dates. Each converter returns the value or raises :class:`CellError` saying what is wrong (the
caller adds the file, row and column).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import numbers
import re

import numpy as np
import pandas as pd

_MAX_NUMBER_CHARS = 40


class CellError(Exception):
    """A cell that does not convert: the problem, without the place."""


_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
DATE_FORMATS = "YYYY, YYYY-MM, YYYY-Qn or a month name and year (2013, 2013-04, 2013-Q2, Oct 2012)"


def is_blank(v) -> bool:
    """True for None, NaN, NA and text that is empty or only spaces."""
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def text(v) -> str:
    """A cell as text, stripped."""
    return v.strip() if isinstance(v, str) else str(v)


def to_int(v) -> int:
    """A whole number: an integer, an integral float (``85.0``) or its text; at most 15 digits."""
    if isinstance(v, bool | np.bool_):
        raise CellError("expected a whole number")
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        if np.isfinite(v) and float(v).is_integer() and abs(v) < 1e15:
            return int(v)
        raise CellError("expected a whole number")
    s = text(v)
    m = re.fullmatch(r"([+-]?\d{1,15})(\.0*)?", s)
    if not m:
        raise CellError("expected a whole number" + (" of at most 15 digits"
                                                 if re.fullmatch(r"\d+", s) else ""))
    return int(m.group(1))


def to_float(v) -> float:
    """A finite number or its text (a point as decimal separator, no ``%``)."""
    if isinstance(v, bool | np.bool_):
        raise CellError("expected a number")
    if isinstance(v, numbers.Real):
        x = float(v)
    else:
        s = text(v)
        if len(s) > _MAX_NUMBER_CHARS:
            raise CellError(f"expected a number (a text of {len(s)} characters)")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", s):
            hint = ""
            if re.fullmatch(r"[+-]?\d+,\d+", s):
                hint = "; write the decimal separator as a point"
            elif s.endswith("%"):
                hint = "; write shares in percent without the % sign"
            raise CellError(f"expected a number{hint}")
        x = float(s)
    if not np.isfinite(x):
        raise CellError("expected a finite number")
    return x


def to_bool(v) -> bool:
    """True/False from a bool, 1/0, or TRUE/FALSE, yes/no, 1/0 in any case.

    Examples
    --------
    >>> [to_bool(x) for x in ("TRUE", "no", 1, "Yes")]
    [True, False, True, True]
    """
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, numbers.Real) and v in (0, 1):
        return bool(v)
    s = text(v).lower()
    if s in _TRUE or s in _FALSE:
        return s in _TRUE
    raise CellError("expected True or False (also TRUE/FALSE, yes/no, 1/0)")


def parse_date(v) -> tuple[str, str]:
    """A published date as ``(YYYY or YYYY-MM, precision it states)``.

    Accepted: ``YYYY`` (year), ``YYYY-MM`` (month), ``YYYY-Qn`` or ``Qn YYYY`` (quarter, stored
    as the quarter's first month), a month name and year (``Oct 2012``, ``October 2012``) and a
    full date ``YYYY-MM-DD`` or a spreadsheet date (its month).

    Examples
    --------
    >>> parse_date("2013-Q2"), parse_date("Oct 2012"), parse_date("2013")
    (('2013-04', 'quarter'), ('2012-10', 'month'), ('2013', 'year'))
    """
    if isinstance(v, _dt.date | pd.Timestamp):
        return f"{v.year:04d}-{v.month:02d}", "month"
    if isinstance(v, numbers.Integral) and not isinstance(v, bool) and 1000 <= v <= 9999:
        return str(int(v)), "year"
    s = text(v)
    if m := re.fullmatch(r"(\d{4})", s):
        return s, "year"
    m = (re.fullmatch(r"(\d{4})\s*-?\s*[Qq]([1-4])", s)
         or re.fullmatch(r"[Qq]([1-4])\s*-?\s*(\d{4})", s))
    if m:
        year, q = (m.group(1), m.group(2)) if len(m.group(1)) == 4 else (m.group(2), m.group(1))
        return f"{year}-{3 * int(q) - 2:02d}", "quarter"
    month = year = None
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
        year, month = m.group(1), int(m.group(2))
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", s):
        year, month = m.group(1), int(m.group(2))
        try:
            _dt.date(int(year), month, int(m.group(3)))
        except ValueError as err:
            raise CellError(f"not a calendar date ({err})") from None
    elif m := re.fullmatch(r"([A-Za-z]+)\.?,?\s+(\d{4})", s):
        if m.group(1).lower() not in _MONTHS:
            raise CellError(f"{m.group(1)!r} is not a month name; expected a date as {DATE_FORMATS}")
        year, month = m.group(2), _MONTHS[m.group(1).lower()]
    if year is None:
        raise CellError(f"expected a date as {DATE_FORMATS}")
    if not 1 <= month <= 12:
        raise CellError(f"month {month} does not exist (months are 01-12)")
    return f"{year}-{month:02d}", "month"
