"""Published figures: rounding intervals, feasible counts and bases, consistency checks."""

from barotrend.figures.bases import infer_base as infer_base
from barotrend.figures.bases import infer_group_sizes as infer_group_sizes
from barotrend.figures.checks import check_figures as check_figures
from barotrend.figures.grim import grim as grim
from barotrend.figures.grim import grimmer as grimmer
from barotrend.figures.grim import sd_bounds as sd_bounds
from barotrend.figures.rounding import feasible_counts as feasible_counts
from barotrend.figures.rounding import rounding_bounds as rounding_bounds
from barotrend.figures.rounding import rounding_interval as rounding_interval
