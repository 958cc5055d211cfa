"""Design-based estimation from survey microdata (linearised and replicate designs)."""

from barotrend.design.design import Design
from barotrend.design.io import read_csv, read_sav

__all__ = ["Design", "read_csv", "read_sav"]
