"""Read survey microdata: CSV, and SPSS ``.sav`` keeping value and variable labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_csv(path, **kwargs) -> pd.DataFrame:
    """Read a CSV file of microdata with :func:`pandas.read_csv`.

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
    """
    return pd.read_csv(path, **kwargs)


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
