"""Self-contained HTML for the reports: tables a reader can scan, badges, embedded SVG figures.

Every piece of user text (labels, quotes, notes, column names) is HTML-escaped here; callers
pass plain text, or :class:`Raw` for markup they built from escaped parts.
"""

from __future__ import annotations

import base64
import html

import numpy as np
import pandas as pd

from barotrend.display import (
    fmt_count,
    fmt_interval,
    fmt_percent,
    fmt_points,
    fmt_pvalue,
    method_words,
)
from barotrend.display import fmt_number as _sig

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1180px;
margin:1.5em auto;color:#222;line-height:1.45;padding:0 1em;overflow-wrap:break-word}
h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.scroll{overflow-x:auto;max-width:100%;margin:.6em 0 1.2em}
table{border-collapse:collapse;font-size:.86em}
th,td{border:1px solid #ddd;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums;
white-space:nowrap}td.text{min-width:12em;max-width:32em}
tr.more td{background:#fafafa;border-top:none;font-size:.95em;color:#444}
details summary{cursor:pointer;color:#245}
.badge{display:inline-block;padding:.05em .45em;border-radius:.8em;white-space:nowrap;
font-weight:600;border:1px solid}
.b-supported{background:#e6f1fa;color:#0b4f8a;border-color:#0b4f8a}
.b-within{background:#fff4d6;color:#7a4b00;border-color:#b07100}
.b-untestable{background:#efe9f7;color:#4b2a7a;border-color:#6b4a9a}
.b-notcomparable{background:#eeeeee;color:#333;border-color:#777}
.b-fail{background:#fde4de;color:#9c1c00;border-color:#c0392b}
.b-pass{background:#e9f5ea;color:#1f5f2a;border-color:#3c8d4a}
.warn{color:#9c1c00;font-weight:600}
figure{margin:1em 0}figure img{max-width:100%;height:auto}
figcaption{font-size:.9em;color:#444;max-width:60em}
.note{font-size:.9em;color:#444}ul.counts{list-style:none;padding:0}
ul.counts li{display:inline-block;margin:0 .8em .3em 0}
@media (max-width:600px){body{padding:0 .5em}td.text{min-width:9em}table{font-size:.8em}}
"""

#: verdict or check result -> (css class, icon, words): distinct colours and a distinct icon,
#: so that no verdict depends on colour alone; "cannot be tested" is not a failed check's red.
BADGES = {
    "supported": ("b-supported", "\u2714", "supported"),
    "within sampling error": ("b-within", "\u2248", "within sampling error"),
    "cannot be tested from what was published": ("b-untestable", "?", "cannot be tested"),
    "not comparable": ("b-notcomparable", "\u2260", "not comparable"),
    "fail": ("b-fail", "\u2716", "fail"),
    "pass": ("b-pass", "\u2714", "pass"),
    "not testable": ("b-untestable", "?", "not testable"),
}


class Raw(str):
    """Markup built by the caller from escaped parts: put in a cell as it is.

    A DataFrame column of them must have ``dtype=object``: pandas' string dtype (pyarrow-backed
    when pyarrow is installed) stores plain strings, and the markup would then be escaped
    (:func:`table` reads the cells column by column for the same reason)."""


def badge(verdict) -> Raw:
    """A verdict as a badge: colour, icon and words (the full verdict in the title)."""
    cls, icon, words = BADGES.get(str(verdict), ("b-notcomparable", "\u2022", str(verdict)))
    return Raw(f'<span class="badge {cls}" title="{html.escape(str(verdict))}">'
               f'<span aria-hidden="true">{icon}</span> {html.escape(words)}</span>')


def fmt_number(x, digits: int = 3) -> str:
    """A number for a table cell: blank for missing, whole numbers as integers, others to
    ``digits`` significant digits without an exponent (:func:`barotrend.display.fmt_number`)."""
    if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
        return ""
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return f"{x:d}"
    if isinstance(x, (float, np.floating)):
        if float(x).is_integer() and abs(x) < 1e15:
            return f"{int(x):d}"
        return _sig(float(x), digits) if np.isfinite(x) else str(x)
    return str(x)


def _is_num(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_))


def table(df: pd.DataFrame, *, verdict_column: str | None = None, percent: tuple = (),
          formats: dict | None = None, more: tuple = (), more_label: str = "Details",
          row_ids=None, max_rows: int | None = None) -> str:
    """An HTML table in a horizontally scrolling box.

    ``formats`` maps a column to a function of its value giving text (or :class:`Raw`);
    ``percent`` columns (shares 0-1) are shown as percentages; ``verdict_column`` cells become
    badges. ``more`` columns are not shown as columns: each row's non-empty ones go to a
    folded row below it (``<details>``), so long notes do not squeeze the table. ``row_ids``
    gives each row an ``id`` (an anchor).
    """
    formats = dict(formats or {})
    for c in percent:
        formats.setdefault(c, lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
    shown = df if max_rows is None else df.head(max_rows)
    cols = [c for c in shown.columns if c not in more]
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in cols)
    body = []
    ids = list(row_ids) if row_ids is not None else [None] * len(shown)
    # cells read column by column: iterrows() makes each row a Series, and a row of strings
    # becomes a string Series, which turns Raw markup into plain text
    columns = {c: shown[c].tolist() for c in shown.columns}
    for k, rid in enumerate(ids):
        r = {c: columns[c][k] for c in shown.columns}
        cells = []
        for c in cols:
            v = r[c]
            if isinstance(v, Raw):
                text, kind = v, "text"
            elif c == verdict_column and pd.notna(v):
                text, kind = badge(v), "badge"
            elif c in formats:
                text, kind = formats[c](v), "num" if _is_num(v) else "text"
            else:
                text, kind = fmt_number(v), "num" if _is_num(v) else "text"
            text = text if isinstance(text, Raw) else html.escape(str(text))
            cls = "num" if kind == "num" else ("text" if len(str(v)) > 40 else "")
            cells.append(f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>")
        attr = f' id="{html.escape(str(rid))}"' if rid else ""
        body.append(f"<tr{attr}>" + "".join(cells) + "</tr>")
        extra = [(c, r[c]) for c in more if c in r and pd.notna(r[c]) and str(r[c]).strip()]
        if extra:
            inner = "".join(
                f"<p><b>{html.escape(str(c))}:</b> "
                f"{v if isinstance(v, Raw) else html.escape(str(v))}</p>" for c, v in extra)
            body.append(f'<tr class="more"><td colspan="{len(cols)}"><details><summary>'
                        f"{html.escape(more_label)}</summary>{inner}</details></td></tr>")
    note = "" if max_rows is None or len(df) <= max_rows else (
        f'<p class="note">First {max_rows} of {len(df)} rows; all rows are in the CSV file.</p>')
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>'
            f"{''.join(body)}</tbody></table></div>{note}")


def figure(svg: bytes, caption: str, alt: str, max_px: int = 560) -> str:
    """An embedded SVG figure (a data URI: scales without blur, prints sharp), at most
    ``max_px`` CSS pixels wide and never wider than the page, with alt text in words and a
    caption a reader who skipped the text can follow."""
    data = base64.b64encode(svg).decode("ascii")
    return (f'<figure style="max-width:{int(max_px)}px"><img src="data:image/svg+xml;base64,'
            f'{data}" alt="{html.escape(alt)}" style="width:100%">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def page(title: str, sections: list[tuple[str, str]], intro: str = "") -> str:
    """The whole document: a title, an intro (HTML), a contents list and the sections
    (heading, HTML body)."""
    toc = "".join(f'<li><a href="#s{i}">{html.escape(h)}</a></li>'
                  for i, (h, _) in enumerate(sections))
    body = "".join(f'<section><h2 id="s{i}">{html.escape(h)}</h2>{b}</section>'
                   for i, (h, b) in enumerate(sections))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body><h1>"
            f"{html.escape(title)}</h1>{intro}<nav><ol>{toc}</ol></nav>{body}</body></html>")


# -- formats: barotrend.display's, under the report's short names --------------------------------
pct, pp, pval, count, method = fmt_percent, fmt_points, fmt_pvalue, fmt_count, method_words
interval = fmt_interval
