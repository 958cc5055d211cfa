"""Read survey microdata: CSV, and SPSS ``.sav`` keeping value and variable labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_csv(path, **kwargs) -> pd.DataFrame:
    """Read a CSV file of microdata with :func:`pandas.read_csv`.

    pandas' reading errors come back as one ``ValueError`` naming the file: the byte that is
    not in the encoding and its position (pass ``encoding=`` for a Latin-1 file), an empty
    file, a row with more fields than the header (with its line).

    Parameters
    ----------
    path : str or path-like
        The file.
    **kwargs
        Passed to :func:`pandas.read_csv` unchanged.

    Examples
    --------
    >>> import io
    >>> float(read_csv(io.StringIO("id,w\\n1,2.5\\n2,1.5"))["w"].sum())
    4.0
    >>> read_csv(io.StringIO(""))
    Traceback (most recent call last):
    ...
    ValueError: <text>: the file is empty (no header line)
    """
    name = Path(path).name if isinstance(path, str | Path) else getattr(path, "name", "<text>")
    try:
        return pd.read_csv(path, **kwargs)
    except UnicodeDecodeError as err:
        where = f"byte 0x{err.object[err.start]:02x}"
        if isinstance(path, str | Path):  # pandas decodes in chunks: find the file position
            data = Path(path).read_bytes()
            try:
                data.decode(err.encoding)
            except UnicodeDecodeError as full:
                line = data[:full.start].count(b"\n") + 1
                where = (f"line {line}: byte 0x{data[full.start]:02x} at byte position "
                         f"{full.start}")
        raise ValueError(f"{name}, {where} is not {err.encoding} text (a Latin-1 or "
                         "Windows-1252 file? pass encoding=, or save it as UTF-8)") from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"{name}: the file is empty (no header line)") from None
    except pd.errors.ParserError as err:
        raise ValueError(f"{name}: not readable as CSV ({' '.join(str(err).split())})") from None


def read_sav(path, labels: bool = True) -> pd.DataFrame:
    """Read an SPSS ``.sav`` file with pyreadstat, keeping its labels.

    With ``labels=True`` every variable that has SPSS value labels becomes a pandas
    ``Categorical`` whose categories are the labels in the order of their codes (values without
    a label keep their code as category). Variable labels go to
    ``df.attrs["column_labels"]`` (dict column -> label) and the raw value labels to
    ``df.attrs["value_labels"]`` (dict column -> {code: label}) in both modes.

    Parameters
    ----------
    path : str or path-like
        The ``.sav`` (or ``.zsav``) file.
    labels : bool, default True
        Apply value labels as categories; False keeps the numeric codes.

    Examples
    --------
    >>> import tempfile, os, pyreadstat
    >>> df = pd.DataFrame({"q1": [1.0, 2.0, 1.0], "w": [1.0, 2.0, 1.5]})
    >>> p = os.path.join(tempfile.mkdtemp(), "t.sav")
    >>> pyreadstat.write_sav(df, p, variable_value_labels={"q1": {1.0: "yes", 2.0: "no"}},
    ...                      column_labels=["Question 1", "Weight"])
    >>> out = read_sav(p)
    >>> list(out["q1"].cat.categories), out.attrs["column_labels"]["q1"]
    (['yes', 'no'], 'Question 1')
    """
    import pyreadstat

    path = Path(path)
    if not path.exists():
        raise ValueError(f"path: no such file {str(path)!r}")
    df, meta = pyreadstat.read_sav(str(path))
    value_labels = {c: dict(meta.variable_value_labels[c]) for c in meta.variable_value_labels}
    if labels:
        for col, mapping in value_labels.items():
            codes = sorted(set(mapping) | set(df[col].dropna().unique()))
            names = [mapping.get(c, c) for c in codes]
            if len(set(names)) != len(names):  # duplicate labels: keep codes
                continue
            lookup = dict(zip(codes, names, strict=True))
            df[col] = pd.Categorical(df[col].map(lookup), categories=names)
    df.attrs["column_labels"] = dict(zip(meta.column_names, meta.column_labels, strict=True))
    df.attrs["value_labels"] = value_labels
    return df
