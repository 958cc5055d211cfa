"""Loaders for the embedded barometer figures in ``data/``.

The embedded data hold every survey figure published in the five seed articles (2012-13 NHS
leadership surveys): a *waves* table, a *figures* table (one row per published number) and a
*sources* table (one row per article). Every load validates the files and raises
:class:`DataValidationError` naming the file, line and column of the first problem found.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from barotrend.validation import (
    HEADLINES_SCHEMA,
    DataValidationError,
    validate_figures,
    validate_headlines,
    validate_sources,
    validate_waves,
)

__all__ = ["Dataset", "DataValidationError", "data_dir", "list_datasets", "empty_headlines", "load", "read_headlines",
           "read_tables"]

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


@dataclass(frozen=True)
class Dataset:
    """A validated set of published figures: ``waves``, ``figures``, ``sources`` and the
    ``headlines`` (claims the articles make from the figures, each with the test that checks it;
    empty when a folder has no ``headlines.csv``)."""

    name: str
    waves: pd.DataFrame
    figures: pd.DataFrame
    sources: pd.DataFrame
    headlines: pd.DataFrame

    def __repr__(self) -> str:
        per = self.figures.groupby(["survey", "wave"], sort=False).size()
        lines = [f"Dataset {self.name!r}: {len(self.figures)} figures, {len(self.waves)} waves"]
        lines += [f"  {s} / {w}: {k} figures" for (s, w), k in per.items()]
        return "\n".join(lines)


def data_dir() -> Path:
    """Directory of the embedded CSV files (inside an installed wheel, else the repo's ``data/``)."""
    packaged = resources.files("barotrend") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    repo = Path(__file__).resolve().parents[2] / "data"
    if repo.is_dir():
        return repo
    raise FileNotFoundError("barotrend's embedded data folder is missing from this installation")


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


def read_tables(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read and validate ``waves.csv``, ``figures.csv`` and ``sources.csv`` from ``folder``.

    A user's own figures in the documented format load the same way. Raises
    :class:`DataValidationError` naming file, line and column of the first problem.
    """
    folder = Path(folder)
    sources = validate_sources(_read(folder / "sources.csv"), folder / "sources.csv")
    waves = validate_waves(_read(folder / "waves.csv"), folder / "waves.csv")
    figures = validate_figures(_read(folder / "figures.csv"), folder / "figures.csv", waves, sources)
    return waves, figures, sources


def read_headlines(folder: str | Path, figures: pd.DataFrame,
                   sources: pd.DataFrame) -> pd.DataFrame:
    """Read and validate ``headlines.csv`` from ``folder``; an empty table when there is none."""
    path = Path(folder) / "headlines.csv"
    if not path.is_file():
        return empty_headlines()
    return validate_headlines(_read(path), path, figures, sources)


def empty_headlines() -> pd.DataFrame:
    """A headlines table with its columns and no rows (figures published without claims)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HEADLINES_SCHEMA})


def load(name: str = DEFAULT) -> Dataset:
    """Load an embedded data set by name (see :func:`list_datasets`).

    Examples
    --------
    >>> d = load("hsj_ccg_barometer")
    >>> d.waves[["wave", "wave_label", "respondents"]].to_string(index=False)
    'wave wave_label  respondents\\n  W1   Oct 2012         <NA>\\n  W2   Jan 2013           85\\n  W3    Q2 2013           94'
    >>> d.figures.set_index("figure_id").loc["ccg-w3-area-team-good", "value"]
    np.float64(68.0)
    """
    if name not in _DATASETS:
        raise ValueError(f"unknown data set {name!r}; available: {', '.join(_DATASETS)}")
    waves, figures, sources = read_tables(data_dir())
    headlines = read_headlines(data_dir(), figures, sources)
    keep = _DATASETS[name][1]
    if keep is not None:
        waves = waves[waves["survey"].isin(keep)].reset_index(drop=True)
        figures = figures[figures["survey"].isin(keep)].reset_index(drop=True)
        used = set(figures["source"])
        sources = sources[sources["source"].isin(used)].reset_index(drop=True)
        kept = set(figures["figure_id"])
        inside = headlines["figure_ids"].map(lambda ids: set(ids.split(";")) <= kept)
        headlines = headlines[inside.astype(bool)].reset_index(drop=True)
    return Dataset(name, waves, figures, sources, headlines)


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataValidationError(f"{path}: file not found")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
