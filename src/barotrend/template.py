"""``barotrend template FOLDER``: the tables of the format with one worked example row each.

The example is a made-up residents' panel of a town council (not an NHS survey): one wave, one
published share of a subgroup (tenants) with its stated base, the article's claim about it, and
the group's relation to all respondents. The folder passes ``barotrend check`` and gives a
``barotrend report``; replace the rows with your own figures (``docs/FORMAT.md`` explains every
column).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from barotrend.validation import SCHEMAS

__all__ = ["EXAMPLE", "template_tables", "write_template"]

_SOURCE = "riverside_panel_spring_2024.pdf"
#: One worked example row per table (columns left out are blank).
EXAMPLE: dict[str, dict[str, object]] = {
    "sources": {"source": _SOURCE, "title": "Riverside residents' panel: spring 2024 results",
                "surveys": "riverside_panel", "note": "Council press release, 12 May 2024."},
    "waves": {"survey": "riverside_panel", "survey_label": "Riverside residents' panel",
              "wave": "2024-Q2", "wave_label": "Spring 2024", "wave_order": 1,
              "date": "2024-Q2", "date_precision": "quarter", "date_inferred": "FALSE",
              "date_note": "Fieldwork April to June 2024 (page 1).",
              "population": "Adult residents of Riverside", "respondents": 812,
              "source": _SOURCE},
    "figures": {"figure_id": "rp-2024q2-parks-satisfied-tenants", "survey": "riverside_panel",
                "wave": "2024-Q2", "item": "parks_satisfaction", "concept": "parks_satisfaction",
                "question": "How satisfied or dissatisfied are you with the parks near your home?",
                "category": "very or fairly satisfied", "group": "tenants",
                "statistic": "share", "value": 64, "decimals": 0, "base": 250,
                "multi_response": "FALSE", "exhaustive": "FALSE", "implied": "FALSE",
                "source": _SOURCE,
                "quote": "Among the 250 tenants who answered, 64 per cent were satisfied with "
                         "their local parks."},
    "headlines": {"headline_id": "h-tenants-parks", "source": _SOURCE,
                  "claim": "Most tenants are satisfied with their local parks.",
                  "test": "share_vs_threshold",
                  "figure_ids": "rp-2024q2-parks-satisfied-tenants", "direction": "greater",
                  "threshold": 50, "note": "'Most' read as more than half."},
    "groups": {"survey": "riverside_panel", "wave": "", "group": "tenants", "parent": "all",
               "relation": "nested", "label": "Residents who rent their home"},
}


def template_tables() -> dict[str, pd.DataFrame]:
    """Each table of the format with every column and the one example row.

    Examples
    --------
    >>> t = template_tables()
    >>> list(t), t["groups"][["group", "parent", "relation"]].values.tolist()
    (['sources', 'waves', 'figures', 'headlines', 'groups'], [['tenants', 'all', 'nested']])
    """
    return {t: pd.DataFrame([{c: EXAMPLE[t].get(c, "") for c in SCHEMAS[t]}], dtype=object)
            for t in ("sources", "waves", "figures", "headlines", "groups")}


def write_template(folder, *, xlsx: bool = False, overwrite: bool = False) -> list[Path]:
    """Write the template tables into ``folder`` (created) as CSV files, UTF-8 (and, with
    ``xlsx=True``, the same tables as sheets of ``folder/barotrend_template.xlsx``).

    An existing table is not overwritten unless ``overwrite=True``. Returns the files written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} exists and is not a folder")
    tables = template_tables()
    paths = [folder / f"{t}.csv" for t in tables]
    if xlsx:
        paths.append(folder / "barotrend_template.xlsx")
    if not overwrite:
        there = [p for p in paths if p.exists()]
        if there:
            raise FileExistsError(f"{there[0]} already exists; not overwritten (choose an "
                                  "empty folder, or --force)")
    folder.mkdir(parents=True, exist_ok=True)
    for t, df in tables.items():
        df.to_csv(folder / f"{t}.csv", index=False, encoding="utf-8")
    if xlsx:
        with pd.ExcelWriter(folder / "barotrend_template.xlsx", engine="openpyxl") as book:
            for t, df in tables.items():
                df.to_excel(book, sheet_name=t, index=False)
    return paths
