"""Building blocks of :class:`barotrend.Tracker`: wave ordering, comparability, per-wave
estimates from published figures, changes, trends and families of comparisons.

The user-facing object is :class:`barotrend.tracker.Tracker`; these modules hold its logic, one
concept per module.
"""

from barotrend.tracking.comparability import ComparabilityWarning, compare_records

__all__ = ["ComparabilityWarning", "compare_records"]
