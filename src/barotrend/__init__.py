"""barotrend: honest statistics for barometer surveys tracked wave after wave.

Published figures (``figures``): rounding, bases, consistency checks and inference from toplines.
Microdata (``design``, ``weighting``): design-based estimation, non-response and calibration.
Both give the same tidy results, linked across waves by the :class:`Tracker`.

The public names load on first use (PEP 562), so ``import barotrend`` and the command line start
fast; ``barotrend.Design``, ``from barotrend import proportion_ci`` and ``dir(barotrend)`` work as
with eager imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from barotrend._lazy import attach

__version__ = "0.1.0"

#: Public name -> module that defines it (None: the submodule of that name).
_LAZY = {
    "Design": "barotrend.design.design",
    "Results": "barotrend.results",
    "Tracker": "barotrend.tracker",
    "adjust_pvalues": "barotrend.compare",
    "check_figures": "barotrend.figures.checks",
    "compare_categories": "barotrend.figures.same_sample",
    "compare_estimates": "barotrend.compare",
    "compare_items": "barotrend.figures.same_sample",
    "compare_means": "barotrend.figures.means",
    "compare_proportions": "barotrend.figures.differences",
    "datasets": None,
    "feasible_counts": "barotrend.figures.rounding",
    "infer_base": "barotrend.figures.bases",
    "infer_group_sizes": "barotrend.figures.bases",
    "manski_bounds": "barotrend.figures.bounds",
    "mean_share_bounds": "barotrend.figures.bounds",
    "poststratify_shares": "barotrend.figures.bounds",
    "proportion_ci": "barotrend.figures.proportions",
    "read_csv": "barotrend.design.io",
    "read_sav": "barotrend.design.io",
    "result_frame": "barotrend.results",
    "rounding_interval": "barotrend.figures.rounding",
}

__all__ = [
    "Design", "Results", "Tracker", "adjust_pvalues", "check_figures", "compare_categories",
    "compare_estimates", "compare_items", "compare_means", "compare_proportions", "datasets",
    "feasible_counts", "infer_base", "infer_group_sizes", "manski_bounds", "mean_share_bounds",
    "poststratify_shares", "proportion_ci", "read_csv", "read_sav", "result_frame",
    "rounding_interval",
]


__getattr__, __dir__ = attach(__name__, _LAZY, globals())

if TYPE_CHECKING:  # eager imports for type checkers and IDEs only
    from barotrend import datasets
    from barotrend.compare import adjust_pvalues, compare_estimates
    from barotrend.design.design import Design
    from barotrend.design.io import read_csv, read_sav
    from barotrend.figures.bases import infer_base, infer_group_sizes
    from barotrend.figures.bounds import manski_bounds, mean_share_bounds, poststratify_shares
    from barotrend.figures.checks import check_figures
    from barotrend.figures.differences import compare_proportions
    from barotrend.figures.means import compare_means
    from barotrend.figures.proportions import proportion_ci
    from barotrend.figures.rounding import feasible_counts, rounding_interval
    from barotrend.figures.same_sample import compare_categories, compare_items
    from barotrend.results import Results, result_frame
    from barotrend.tracker import Tracker
