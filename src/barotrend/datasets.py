"""Data sets of published figures: the embedded ones, a user's folder or workbook, and combinations.

A data set is five tables (documented column by column in ``docs/FORMAT.md``): *waves*, *figures*
(one row per published number), *sources* (one row per article), and optionally *headlines*
(claims the articles make, each with its test) and *groups* (how the groups of a survey relate).
:func:`load` takes an embedded name (:func:`list_datasets`), a folder of CSV files or an Excel
workbook with one sheet per table; :meth:`Dataset.combine` merges data sets. Every load validates
the tables and raises :class:`DataValidationError` naming the file, line and column of the first
problem; problems that do not make a table wrong are kept in :attr:`Dataset.notes`.

The embedded data hold every survey figure published in the five seed articles (2012-13 NHS
leadership surveys).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from barotrend.validation import (
    HEADLINES_SCHEMA,
    REQUIRED_TABLES,
    SCHEMAS,
    DataValidationError,
    Where,
    empty_table,
    is_blank,
    validate_tables,
)

__all__ = ["Dataset", "DataValidationError", "TABLES", "combine", "data_dir", "empty_headlines",
           "list_datasets", "list_names", "load", "read_csv_table", "read_headlines",
           "read_tables"]

#: The tables of a data set, in the order they are validated and written.
TABLES = ("sources", "waves", "figures", "headlines", "groups")

#: Registered data sets: name -> (description, surveys kept or None for all).
_DATASETS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "nhs_leadership_2012_13": (
        "All figures of the five seed articles: HSJ CCG barometer (3 waves), HSJ trust chief "
        "executive barometer (1 figure), NHS Clinical Commissioners / Ipsos MORI CCG leads survey.",
        None,
    ),
    "hsj_ccg_barometer": (
        "The HSJ CCG barometer only (October 2012, January 2013, Q2 2013).",
        ("hsj_ccg_barometer",),
    ),
}
DEFAULT = "nhs_leadership_2012_13"


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated set of published figures.

    Attributes: ``waves``, ``figures``, ``sources``; ``headlines`` (claims the articles make from
    the figures, each with the test that checks it) and ``groups`` (how the groups of a survey
    relate: partition, disjoint, nested), each empty with its columns when absent; ``notes``
    (what validation noticed without refusing: extra columns kept, shares that look like
    proportions); ``origins`` (per table, where each row comes from, for messages).
    """

    name: str
    waves: pd.DataFrame
    figures: pd.DataFrame
    sources: pd.DataFrame
    headlines: pd.DataFrame = field(default_factory=lambda: empty_table("headlines"))
    groups: pd.DataFrame = field(default_factory=lambda: empty_table("groups"))
    notes: tuple[str, ...] = field(default=(), repr=False)
    origins: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        per = self.figures.groupby(["survey", "wave"], sort=False).size()
        lines = [f"Dataset {self.name!r}: {len(self.figures)} figures, {len(self.waves)} waves"]
        lines += [f"  {s} / {w}: {k} figures" for (s, w), k in per.items()]
        return "\n".join(lines)

    def combine(self, *others: Dataset, name: str | None = None) -> Dataset:
        """This data set merged with ``others`` (see :func:`combine`).

        Examples
        --------
        >>> ccg = load("hsj_ccg_barometer")
        >>> both = ccg.combine(load())
        >>> len(both.figures) == len(load().figures), both.name
        (True, 'hsj_ccg_barometer + nhs_leadership_2012_13')
        """
        return combine(self, *others, name=name)

    def where(self, table: str) -> Where:
        """Where each row of ``table`` comes from (file and line, or data set and row)."""
        rows = self.origins.get(table)
        df = getattr(self, table)
        if rows is None or len(rows) != len(df):
            rows = tuple(f"{self.name} {table}, row {i}" for i in range(len(df)))
        return Where(f"{self.name} {table}", tuple(rows))


def combine(*parts: Dataset, name: str | None = None) -> Dataset:
    """Several data sets as one: their waves, figures, sources, headlines and groups merged.

    Rows repeated identically (e.g. the same source in two folders) are kept once. A conflict
    is a :class:`DataValidationError` naming both rows: the same source, survey/wave, figure_id,
    headline_id or group stated twice with different content, two waves of one survey with the
    same ``wave_order``, the same figure (survey, wave, item, category, group, statistic) twice
    under two ids. The merged tables are validated against each other as one folder is.
    """
    if not parts:
        raise ValueError("combine needs at least one Dataset")
    for d in parts:
        if not isinstance(d, Dataset):
            raise ValueError(f"combine takes Dataset objects, got {type(d).__name__}")
    if len(parts) == 1 and name is None:
        return parts[0]
    raw, where = {}, {}
    for t in TABLES:
        frames = [getattr(d, t) for d in parts]
        rows = [r for d in parts for r in d.where(t).rows]
        merged = pd.concat([f.astype(object) for f in frames], ignore_index=True, sort=False)
        merged = merged.astype(object).where(merged.notna(), None)
        keep = _first_of_identical(merged)
        raw[t] = merged.iloc[keep].reset_index(drop=True)
        where[t] = Where(f"{t} (combined)", tuple(rows[i] for i in keep))
        _conflicts(raw[t], where[t], t)
    tables, notes = validate_tables(raw, where)
    kept = [n for n in notes if "not part of the format" not in n]
    name = name or " + ".join(d.name for d in parts)
    return Dataset(name, tables["waves"], tables["figures"], tables["sources"],
                   tables["headlines"], tables["groups"],
                   tuple(dict.fromkeys([n for d in parts for n in d.notes] + kept)),
                   {t: where[t].rows for t in TABLES})


_KEYS = {"sources": ["source"], "waves": ["survey", "wave"], "figures": ["figure_id"],
         "headlines": ["headline_id"], "groups": ["survey", "wave", "group"]}


def _cell_text(v) -> str:
    return "" if is_blank(v) else str(v)


def _first_of_identical(df: pd.DataFrame) -> list[int]:
    seen, keep = set(), []
    for i, row in enumerate(df.itertuples(index=False)):
        k = tuple(_cell_text(v) for v in row)
        if k not in seen:
            seen.add(k)
            keep.append(i)
    return keep


def _conflicts(df: pd.DataFrame, where: Where, table: str) -> None:
    key = _KEYS[table]
    first: dict[tuple, int] = {}
    for i in range(len(df)):
        k = tuple(_cell_text(df.iloc[i][c]) for c in key)
        if k not in first:
            first[k] = i
            continue
        j = first[k]
        differ = [c for c in df.columns if _cell_text(df.iloc[i][c]) != _cell_text(df.iloc[j][c])]
        shown = "; ".join(f"{c} {_cell_text(df.iloc[j][c])!r} vs {_cell_text(df.iloc[i][c])!r}"
                          for c in differ[:3])
        raise DataValidationError(
            f"conflict: {'/'.join(key)} {'/'.join(k)!r} is at {where.at(j)} and at "
            f"{where.at(i)} with different {', '.join(differ)} ({shown})")


def data_dir() -> Path:
    """Directory of the embedded CSV files (inside an installed wheel, else the repo's ``data/``)."""
    packaged = resources.files("barotrend") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    repo = Path(__file__).resolve().parents[2] / "data"
    if repo.is_dir():
        return repo
    raise FileNotFoundError("barotrend's embedded data folder is missing from this installation")


def list_names() -> list[str]:
    """The names of the embedded data sets (no loading)."""
    return list(_DATASETS)


def list_datasets() -> pd.DataFrame:
    """The embedded data sets with a description and their figure counts.

    Examples
    --------
    >>> list_datasets()["name"].tolist()
    ['nhs_leadership_2012_13', 'hsj_ccg_barometer']
    """
    rows = []
    for name, (desc, _) in _DATASETS.items():
        d = load(name)
        rows.append({"name": name, "description": desc, "surveys": d.waves["survey"].nunique(),
                     "waves": len(d.waves), "figures": len(d.figures)})
    return pd.DataFrame(rows)


def load(source: str | Path = DEFAULT, *, partial: bool = False) -> Dataset:
    """A data set: an embedded name (see :func:`list_datasets`), a folder of CSV files
    (``waves.csv``, ``figures.csv``, ``sources.csv``, optionally ``headlines.csv`` and
    ``groups.csv``; a path to one of them stands for its folder) or an Excel workbook (.xlsx)
    with one sheet per table, named as the tables.

    ``partial=True`` loads a part of a data set to be combined with others (:func:`combine`):
    its rows may refer to waves, sources, figures and groups held by the other parts (e.g. new
    figures for an embedded wave, a headline comparing your figure with an embedded one); the
    combined tables are validated in full.

    Examples
    --------
    >>> d = load("hsj_ccg_barometer")
    >>> d.waves[["wave", "wave_label", "respondents"]].to_string(index=False)
    'wave wave_label  respondents\\n  W1   Oct 2012         <NA>\\n  W2   Jan 2013           85\\n  W3    Q2 2013           94'
    >>> d.figures.set_index("figure_id").loc["ccg-w3-area-team-good", "value"]
    np.float64(68.0)
    >>> d.groups[["wave", "group", "parent", "relation"]].to_string(index=False)
    'wave  group parent  relation\\n  W2     GP    all partition\\n  W2 non-GP    all partition'
    """
    if isinstance(source, Dataset):
        return source
    text = str(source)
    if text in _DATASETS:
        return _embedded(text)
    path = Path(text)
    if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        return _from_tables(*_read_workbook(path), name=path.stem, partial=partial)
    if path.is_file() and path.suffix.lower() == ".csv":
        path = path.parent
    if path.is_dir():
        return _from_tables(*_read_folder(path), name=path.resolve().name, partial=partial)
    if path.exists():
        raise DataValidationError(f"{text}: expected a folder of CSV files, a .xlsx workbook or "
                                  f"an embedded data set ({', '.join(_DATASETS)})")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".csv"):
        raise FileNotFoundError(f"no such file: {text}")
    if "/" in text or "\\" in text:
        raise FileNotFoundError(f"no such data folder: {text}")
    raise ValueError(f"unknown data set {text!r}; available: {', '.join(_DATASETS)} (or give "
                     "a folder of CSV files or an .xlsx workbook)")


def _embedded(name: str) -> Dataset:
    d = _from_tables(*_read_folder(data_dir(), display="embedded data"), name=name)
    keep = _DATASETS[name][1]
    if keep is None:
        return d
    t = {n: getattr(d, n) for n in TABLES}
    rows = {n: d.where(n).rows for n in TABLES}
    sel = {"waves": t["waves"]["survey"].isin(keep), "figures": t["figures"]["survey"].isin(keep),
           "groups": t["groups"]["survey"].isin(keep)}
    used = set(t["figures"].loc[sel["figures"], "source"])
    sel["sources"] = t["sources"]["source"].isin(used)
    kept = set(t["figures"].loc[sel["figures"], "figure_id"])
    sel["headlines"] = t["headlines"]["figure_ids"].map(
        lambda ids: set(ids.split(";")) <= kept).astype(bool)
    out = {n: t[n][sel[n]].reset_index(drop=True) for n in TABLES}
    origins = {n: tuple(r for r, s in zip(rows[n], sel[n], strict=True) if s) for n in TABLES}
    return Dataset(name, out["waves"], out["figures"], out["sources"], out["headlines"],
                   out["groups"], d.notes, origins)


def _from_tables(raw: dict, where: dict, notes: list[str], name: str,
                 partial: bool = False) -> Dataset:
    tables, more = validate_tables(raw, where, partial=partial)
    return Dataset(name, tables["waves"], tables["figures"], tables["sources"],
                   tables["headlines"], tables["groups"], tuple(notes + more),
                   {t: where[t].rows for t in raw})


def read_tables(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read and validate ``waves.csv``, ``figures.csv`` and ``sources.csv`` from ``folder``
    (all five tables: :func:`load`).

    A user's own figures in the documented format load the same way. Raises
    :class:`DataValidationError` naming file, line and column of the first problem.
    """
    d = load(Path(folder)) if Path(folder).is_dir() else _missing_folder(folder)
    return d.waves, d.figures, d.sources


def _missing_folder(folder):
    raise DataValidationError(f"{folder}: no such folder")


def read_headlines(folder: str | Path, figures: pd.DataFrame,
                   sources: pd.DataFrame) -> pd.DataFrame:
    """The validated ``headlines.csv`` of ``folder``; an empty table when there is none."""
    return load(Path(folder)).headlines


def empty_headlines() -> pd.DataFrame:
    """A headlines table with its columns and no rows (figures published without claims)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HEADLINES_SCHEMA})


# -- reading files ------------------------------------------------------------------------------
def _read_folder(folder: Path, display: str | None = None):
    """The tables of a folder as text frames with their line numbers."""
    prefix = str(folder) if display is None else display
    raw, where = {}, {}
    for t in TABLES:
        path = folder / f"{t}.csv"
        shown = str(Path(prefix) / path.name) if prefix else path.name
        if not path.is_file():
            if t in REQUIRED_TABLES:
                raise DataValidationError(f"{shown}: file not found")
            continue
        raw[t], where[t] = read_csv_table(path, shown)
    return raw, where, []


def read_csv_table(path: Path, shown: str | None = None) -> tuple[pd.DataFrame, Where]:
    """One CSV file as text cells and the line number of each row (UTF-8, with or without BOM;
    comma-separated; blank lines and rows skipped). Errors name the file and line."""
    shown = shown or str(path)
    data = Path(path).read_bytes()
    if data[:4] == b"PK\x03\x04":
        raise DataValidationError(f"{shown}: this is a zip file (an Excel workbook?), not CSV "
                                  "text; give the .xlsx workbook itself or save as CSV UTF-8")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DataValidationError(f"{shown}: the file is UTF-16 encoded; save it as CSV UTF-8")
    if b"\x00" in data:
        pos = data.index(b"\x00")
        line = data[:pos].count(b"\n") + 1
        raise DataValidationError(f"{shown}, line {line}: a NUL byte at "
                                  f"byte position {pos}: a binary file, not CSV text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise DataValidationError(
            f"{shown}, line {line}: not UTF-8 text: byte 0x{data[err.start]:02x} at byte "
            f"position {err.start} (Latin-1 or Windows-1252?); save the file as CSV UTF-8"
        ) from None
    if not text.strip():
        raise DataValidationError(f"{shown}: the file is empty (expected a header line and rows)")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, lines, end = [], [], 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if any(c.strip() for c in row):
                rows.append(row)
                lines.append(start)
    except csv.Error as err:
        why = (f"a cell is longer than {csv.field_size_limit()} characters"
               if "field limit" in str(err) else f"not readable as CSV ({err})")
        raise DataValidationError(f"{shown}, line {end + 1}: {why}") from None
    return _frame(rows, lines, shown, "line")


def _frame(rows: list[list], numbers_: list[int], shown: str, unit: str):
    """Header and rows to a frame of cells; ragged rows and unnamed columns refused."""
    header, body, nums = [_cell_text(h).strip() for h in rows[0]], rows[1:], numbers_[1:]
    if len(header) == 1 and any(s in header[0] for s in (";", "\t")):
        sep = "';'" if ";" in header[0] else "tabs"
        raise DataValidationError(f"{shown}, {unit} {numbers_[0]}: the columns are separated by "
                                  f"{sep}, not commas; save the file as CSV (comma-separated)")
    while header and header[-1] == "" and all(
            len(r) < len(header) or is_blank(r[len(header) - 1]) for r in body):
        header.pop()
    width = len(header)
    for r, n in zip(body, nums, strict=True):
        if len(r) > width and any(not is_blank(c) for c in r[width:]):
            raise DataValidationError(f"{shown}, {unit} {n}: {len(r)} values but the header has "
                                      f"{width} columns (a stray comma, or a text with a comma "
                                      "not in quotes?)")
        if len(r) < width and unit == "line":
            raise DataValidationError(f"{shown}, {unit} {n}: {len(r)} values but the header has "
                                      f"{width} columns (a missing comma or an unclosed quote?)")
    for k, h in enumerate(header):
        if h == "":
            raise DataValidationError(f"{shown}, {unit} {numbers_[0]}: column {k + 1} has no "
                                      "name in the header")
    cells = [(list(r) + [None] * width)[:width] for r in body]
    frame = pd.DataFrame(cells, columns=header, dtype=object) if cells else pd.DataFrame(
        columns=header, dtype=object)
    return frame, Where.numbered(shown, nums, unit)


def _read_workbook(path: Path):
    """The sheets of a workbook named as the tables, as typed cells with their row numbers."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency
        raise DataValidationError(f"{path}: reading .xlsx needs openpyxl (pip install "
                                  "openpyxl)") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - any failure of a corrupt file is the file's
        raise DataValidationError(f"{path}: not a readable .xlsx workbook ({type(err).__name__}:"
                                  f" {err})") from None
    raw, where, notes = {}, {}, []
    try:
        sheets = {s.strip().lower().removesuffix(".csv"): s for s in book.sheetnames}
        for t in TABLES:
            if t not in sheets:
                if t in REQUIRED_TABLES:
                    raise DataValidationError(f"{path}: no sheet {t!r} (sheets: "
                                              f"{', '.join(book.sheetnames)})")
                continue
            shown = f"{path}, sheet {sheets[t]!r}"
            rows, nums = [], []
            for n, row in enumerate(book[sheets[t]].iter_rows(values_only=True), start=1):
                if any(not is_blank(c) for c in row):
                    rows.append(list(row))
                    nums.append(n)
            if not rows:
                raise DataValidationError(f"{shown}: the sheet is empty (expected a header row)")
            raw[t], where[t] = _frame(rows, nums, shown, "row")
        other = [s for k, s in sheets.items() if k not in TABLES]
        if other:
            notes.append(f"{path}: sheet(s) {', '.join(other)} are not tables of the format; "
                         "not read")
    finally:
        book.close()
    return raw, where, notes


def table_columns(table: str) -> list[str]:
    """The columns of a table of the format, in order."""
    return list(SCHEMAS[table])
