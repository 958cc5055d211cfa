"""Design-based estimation from survey microdata (linearised and replicate designs).

``Design``, ``read_csv`` and ``read_sav`` load on first use (see :mod:`barotrend._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from barotrend._lazy import attach

_LAZY = {"Design": "barotrend.design.design", "read_csv": "barotrend.design.io",
         "read_sav": "barotrend.design.io"}
__all__ = ["Design", "read_csv", "read_sav"]
__getattr__, __dir__ = attach(__name__, _LAZY, globals())

if TYPE_CHECKING:
    from barotrend.design.design import Design
    from barotrend.design.io import read_csv, read_sav
