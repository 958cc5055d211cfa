"""The Tracker: a barometer's waves and items linked, with series, changes, trends and gaps.

:class:`Tracker` is :class:`barotrend.tracking.tracker.TrackerBase` (the waves, items and every
question it answers: series, change, trend, group and survey comparisons, plots) plus
:meth:`Tracker.report`. The report is built from a tracker, so it sits a floor above the
tracking logic and below this class: :mod:`barotrend.report` imports ``TrackerBase``, this
module imports the report.
"""

from __future__ import annotations

import pandas as pd

from barotrend.tracking.tracker import TrackerBase

__all__ = ["Tracker"]


class Tracker(TrackerBase):
    __doc__ = TrackerBase.__doc__

    def report(self, out="report", *, quiet: bool = True) -> dict:
        """Write the HTML report (verdicts when the data set has headlines, checks, series,
        comparisons under this tracker's assumptions) into ``out``; see
        :func:`barotrend.report.build.build_report`. Returns the files written."""
        from barotrend import datasets
        from barotrend.report.build import build_report

        data = self._dataset
        if data is None:
            figures, waves = self._source
            sources = pd.DataFrame({"source": sorted(figures["source"].unique()), "title": "",
                                    "surveys": "", "note": ""})
            data = datasets.Dataset(self.name or "figures", waves, figures, sources,
                                    datasets.empty_headlines())
        return build_report(data, out, quiet=quiet, tracker=self)
