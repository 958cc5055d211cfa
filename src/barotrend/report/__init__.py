"""Reports: headline verdicts on published figures, the HTML report of published figures, and
the report of a respondent file.

The public functions load on first use (see :mod:`barotrend._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from barotrend._lazy import attach

_LAZY = {
    "build_report": "barotrend.report.build",
    "build_microdata_report": "barotrend.report.microdata",
    "headline_verdicts": "barotrend.report.verdicts",
}
__all__ = ["build_microdata_report", "build_report", "headline_verdicts"]
__getattr__, __dir__ = attach(__name__, _LAZY, globals())

if TYPE_CHECKING:
    from barotrend.report.build import build_report
    from barotrend.report.microdata import build_microdata_report
    from barotrend.report.verdicts import headline_verdicts
