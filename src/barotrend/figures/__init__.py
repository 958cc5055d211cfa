"""Published figures: rounding intervals, feasible counts and bases, consistency checks."""

from barotrend.figures.bases import infer_base as infer_base
from barotrend.figures.bases import infer_group_sizes as infer_group_sizes
from barotrend.figures.bases import nearest_bases as nearest_bases
from barotrend.figures.bounds import manski_bounds as manski_bounds
from barotrend.figures.bounds import mean_share_bounds as mean_share_bounds
from barotrend.figures.bounds import poststratify_shares as poststratify_shares
from barotrend.figures.checks import check_figures as check_figures
from barotrend.figures.differences import compare_proportions as compare_proportions
from barotrend.figures.grim import grim as grim
from barotrend.figures.grim import grimmer as grimmer
from barotrend.figures.grim import sd_bounds as sd_bounds
from barotrend.figures.means import bhatia_davis_sd as bhatia_davis_sd
from barotrend.figures.means import compare_means as compare_means
from barotrend.figures.proportions import proportion_ci as proportion_ci
from barotrend.figures.rounding import feasible_count_range as feasible_count_range
from barotrend.figures.rounding import feasible_counts as feasible_counts
from barotrend.figures.rounding import rounding_bounds as rounding_bounds
from barotrend.figures.rounding import rounding_interval as rounding_interval
from barotrend.figures.same_sample import compare_categories as compare_categories
from barotrend.figures.same_sample import compare_items as compare_items
