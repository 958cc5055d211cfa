"""Published figures: rounding intervals, feasible counts and bases, consistency checks.

The public functions load on first use (see :mod:`barotrend._lazy`), so that a module needing
one helper (e.g. ``figures.exact``) does not import scipy.stats through this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from barotrend._lazy import attach

_LAZY = {
    "infer_base": "barotrend.figures.bases",
    "infer_group_sizes": "barotrend.figures.bases",
    "nearest_bases": "barotrend.figures.bases",
    "manski_bounds": "barotrend.figures.bounds",
    "mean_share_bounds": "barotrend.figures.bounds",
    "poststratify_shares": "barotrend.figures.bounds",
    "check_figures": "barotrend.figures.checks",
    "compare_proportions": "barotrend.figures.differences",
    "grim": "barotrend.figures.grim",
    "grimmer": "barotrend.figures.grim",
    "sd_bounds": "barotrend.figures.grim",
    "bhatia_davis_sd": "barotrend.figures.means",
    "compare_means": "barotrend.figures.means",
    "proportion_ci": "barotrend.figures.proportions",
    "feasible_count_range": "barotrend.figures.rounding",
    "feasible_counts": "barotrend.figures.rounding",
    "rounding_bounds": "barotrend.figures.rounding",
    "rounding_interval": "barotrend.figures.rounding",
    "compare_categories": "barotrend.figures.same_sample",
    "compare_items": "barotrend.figures.same_sample",
}
__all__ = [
    "bhatia_davis_sd", "check_figures", "compare_categories", "compare_items", "compare_means",
    "compare_proportions", "feasible_count_range", "feasible_counts", "grim", "grimmer",
    "infer_base", "infer_group_sizes", "manski_bounds", "mean_share_bounds", "nearest_bases",
    "poststratify_shares", "proportion_ci", "rounding_bounds", "rounding_interval", "sd_bounds",
]
__getattr__, __dir__ = attach(__name__, _LAZY, globals())

# ``grim`` names a submodule and its function: importing the submodule later (as checks does)
# would rebind the package attribute to the module, so the function is bound now (light: no
# scipy), and the submodule is then already loaded and never rebinds it.
from barotrend.figures.grim import grim  # noqa: E402

if TYPE_CHECKING:
    from barotrend.figures.bases import infer_base, infer_group_sizes, nearest_bases
    from barotrend.figures.bounds import manski_bounds, mean_share_bounds, poststratify_shares
    from barotrend.figures.checks import check_figures
    from barotrend.figures.differences import compare_proportions
    from barotrend.figures.grim import grimmer, sd_bounds
    from barotrend.figures.means import bhatia_davis_sd, compare_means
    from barotrend.figures.proportions import proportion_ci
    from barotrend.figures.rounding import (
        feasible_count_range,
        feasible_counts,
        rounding_bounds,
        rounding_interval,
    )
    from barotrend.figures.same_sample import compare_categories, compare_items
