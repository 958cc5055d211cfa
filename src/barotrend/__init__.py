"""barotrend: honest statistics for barometer surveys tracked wave after wave."""

from barotrend import datasets
from barotrend.results import result_frame

__version__ = "0.1.0"
__all__ = ["datasets", "result_frame"]
