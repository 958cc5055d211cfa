"""barotrend: honest statistics for barometer surveys tracked wave after wave.

Published figures (``figures``): rounding, bases, consistency checks and inference from toplines.
Microdata (``design``, ``weighting``): design-based estimation, non-response and calibration.
Both give the same tidy results, linked across waves by the :class:`Tracker`.
"""

from barotrend import datasets
from barotrend.compare import adjust_pvalues, compare_estimates
from barotrend.design import Design, read_csv, read_sav
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

__version__ = "0.1.0"
__all__ = [
    "Design", "Results", "Tracker", "adjust_pvalues", "check_figures", "compare_categories",
    "compare_estimates", "compare_items", "compare_means", "compare_proportions", "datasets",
    "feasible_counts", "infer_base", "infer_group_sizes", "manski_bounds", "mean_share_bounds",
    "poststratify_shares", "proportion_ci", "read_csv", "read_sav", "result_frame",
    "rounding_interval",
]
