"""Published figures: rounding intervals, feasible counts and bases, consistency checks."""

from barotrend.figures.rounding import feasible_counts as feasible_counts
from barotrend.figures.rounding import rounding_bounds as rounding_bounds
from barotrend.figures.rounding import rounding_interval as rounding_interval
