"""Self-contained HTML for the report: formatted tables and figures embedded as base64 PNG."""

from __future__ import annotations

import base64
import html

import numpy as np
import pandas as pd

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1180px;margin:2em auto;
color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.86em;margin:.6em 0 1.2em;display:block;overflow-x:auto}
th,td{border:1px solid #ddd;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.v-supported{background:#e3f4e1}.v-within{background:#fdf3d7}.v-notcomparable{background:#ececec}
.v-untestable{background:#fbe3e1}.v-fail{background:#fbe3e1}.v-pass{background:#e3f4e1}
figure{margin:1em 0}figcaption{font-size:.9em;color:#444;max-width:60em}
.note{font-size:.9em;color:#444}
"""

_VERDICT_CLASS = {"supported": "v-supported", "within sampling error": "v-within",
                  "not comparable": "v-notcomparable",
                  "cannot be tested from what was published": "v-untestable",
                  "pass": "v-pass", "fail": "v-fail"}
SHARE_COLUMNS = ("estimate", "estimate_a", "estimate_b", "difference", "ci_low", "ci_high", "se")


def fmt_number(x, digits: int = 3) -> str:
    """Format a number for a table cell: blank for missing, p-values with 3 significant digits."""
    if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA:
        return ""
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return f"{x:d}"
    if isinstance(x, (float, np.floating)):
        if float(x).is_integer() and abs(x) < 1e6:
            return f"{int(x):d}"
        return f"{x:.{digits}g}" if abs(x) < 1e-3 else f"{x:.{digits}f}"
    return str(x)


def table(df: pd.DataFrame, *, verdict_column: str | None = None, percent: tuple = (),
          max_rows: int | None = None) -> str:
    """An HTML table; ``percent`` columns (shares 0-1) are shown as percentages."""
    shown = df if max_rows is None else df.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = []
    for _, r in shown.iterrows():
        cls = _VERDICT_CLASS.get(str(r[verdict_column]), "") if verdict_column else ""
        cells = []
        for c in shown.columns:
            v = r[c]
            if c in percent and isinstance(v, (float, np.floating)) and not np.isnan(v):
                text, num = f"{100 * v:.1f}%", True
            else:
                text = fmt_number(v)
                num = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
                    v, (bool, np.bool_))
            cells.append(f'<td class="num">{html.escape(text)}</td>' if num
                         else f"<td>{html.escape(text)}</td>")
        body.append(f'<tr class="{cls}">' + "".join(cells) + "</tr>")
    more = "" if max_rows is None or len(df) <= max_rows else (
        f'<p class="note">First {max_rows} of {len(df)} rows; all rows are in the CSV file.</p>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def figure(png: bytes, caption: str, alt: str) -> str:
    """An embedded PNG figure with a caption a reader who skipped the text can follow."""
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
            f'style="max-width:100%"><figcaption>{html.escape(caption)}</figcaption></figure>')


def page(title: str, sections: list[tuple[str, str]]) -> str:
    """The whole document: a title, a contents list and the sections (heading, HTML body)."""
    toc = "".join(f'<li><a href="#s{i}">{html.escape(h)}</a></li>'
                  for i, (h, _) in enumerate(sections))
    body = "".join(f'<h2 id="s{i}">{html.escape(h)}</h2>{b}' for i, (h, b) in enumerate(sections))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f"{html.escape(title)}</title><style>{STYLE}</style></head><body><h1>"
            f"{html.escape(title)}</h1><ol>{toc}</ol>{body}</body></html>")
