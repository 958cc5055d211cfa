"""Report output shared by the figures report and the microdata report: progress lines and
each figure as an SVG (the page embeds it) and a 300-dpi PNG (for print)."""

from __future__ import annotations

import io
import sys
import time


def progress(quiet: bool):
    """A ``step(message)`` that prints the time since the start to stderr, unless ``quiet``."""
    start = time.perf_counter()

    def step(msg: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - start:5.1f}s] {msg}", file=sys.stderr, flush=True)
    return step


def figure_files(ax) -> tuple[bytes, bytes]:
    """The figure of ``ax`` as SVG (text kept as text) and as a 300-dpi PNG, in the report's
    theme; closes the figure."""
    import matplotlib.pyplot as plt

    from barotrend.plot import theme

    fig = ax.figure
    # a figure laid out by barotrend.plot (constrained) keeps its journal-column size
    tight = None if fig.get_layout_engine() is not None else "tight"
    out = []
    with theme():
        for fmt in ("svg", "png"):
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=300, bbox_inches=tight,
                        metadata={"Date": None} if fmt == "svg" else None)
            out.append(buf.getvalue())
    plt.close(fig)
    return out[0], out[1]
