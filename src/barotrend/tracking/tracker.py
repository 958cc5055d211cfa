"""The Tracker's logic: a barometer's waves and items linked, with series, changes, trends and gaps.

:class:`TrackerBase` is everything :class:`barotrend.Tracker` does but write the report (the
report is built from a tracker, a floor above: :mod:`barotrend.tracker` adds ``report``). A
Tracker holds published figures (or, see :meth:`Tracker.from_designs`, survey
designs) for the waves of one or more surveys, ordered by date. Items are linked across waves by
their ``item`` key and across surveys by their ``concept`` key. Every question it answers returns
a result frame in the package schema (:func:`barotrend.results.result_frame`), with every
assumption -- an assumed base, an implied figure, a stated SD or correlation, a difference in
wording -- written in ``note``.

Bases. A published share is used on the base the article states; failing that on the wave's
number of respondents (an assumption the note states: item non-response is ignored); failing
that the base is unknown, and the result gives the estimate only, with NaN interval and p-value
and a note -- unless the user states a base with ``assumed_bases={wave: n}``. A subgroup figure
never borrows the wave's base: :meth:`Tracker.compare_groups` compares groups as their stated
relations allow (``groups=``, the ``groups.csv`` table; see :mod:`barotrend.tracking.groups`).

No finite-population correction is applied: the barometers count their population in
organisations (211 CCGs) but their respondents are people (94 leaders from 86 CCGs), so the
sampling fraction of a figure is not known; the intervals are the conservative with-replacement
ones.

Microdata: :meth:`Tracker.from_designs` returns a
:class:`~barotrend.tracking.designs.DesignTracker` with the same questions over survey designs.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from barotrend.figures.relations import GroupRelations
from barotrend.results import result_frame
from barotrend.tracking import groups as _groups
from barotrend.tracking import surveys as _surveys
from barotrend.tracking import table as _table
from barotrend.tracking import trend as _trend
from barotrend.tracking.change import compare_figures, published_change
from barotrend.tracking.comparability import compare_records
from barotrend.tracking.series import figure_estimate

__all__ = ["TrackerBase"]

ESTIMABLE = ("share", "mean")


class TrackerBase:
    """Waves x items x groups of a barometer, from published figures.

    Parameters
    ----------
    figures : pandas.DataFrame
        Figures in the format of ``data/figures.csv`` (at least ``survey``, ``wave``, ``item``,
        ``statistic``, ``value``; shares in percent as published).
    waves : pandas.DataFrame
        Waves in the format of ``data/waves.csv`` (at least ``survey``, ``wave``,
        ``wave_order``, ``date``).
    assumed_bases : mapping, optional
        Bases the user states for waves (``{"W1": 80}`` or ``{("survey", "W1"): 80}``); used
        where the article gives none, and named in every note.
    conf_level : float, default 0.95
        Confidence level of every interval.
    strict : bool, default False
        If True, comparing figures whose wording, category, measure, scale or population differ
        raises ``ValueError``; by default it warns (:class:`ComparabilityWarning`) and notes it.
    groups : pandas.DataFrame, optional
        How groups relate (format of ``groups.csv``: ``survey``, ``wave``, ``group``,
        ``parent``, ``relation`` partition/disjoint/nested); see
        :mod:`barotrend.tracking.groups`. Without it no two groups are known to be disjoint.

    Examples
    --------
    >>> from barotrend import datasets
    >>> from barotrend import Tracker
    >>> t = Tracker.from_dataset(datasets.load("hsj_ccg_barometer"))
    >>> t.series("budget_confidence")[["wave", "estimate", "n"]]
      wave  estimate     n
    0   W1       6.6   NaN
    1   W2       6.5  85.0
    2   W3       7.2  94.0
    """

    def __init__(self, figures: pd.DataFrame, waves: pd.DataFrame, *,
                 assumed_bases: Mapping | None = None, conf_level: float = 0.95,
                 strict: bool = False, name: str = "",
                 groups: pd.DataFrame | None = None) -> None:
        if not isinstance(figures, pd.DataFrame):
            raise ValueError(f"figures must be a pandas DataFrame, got {type(figures).__name__}")
        if not isinstance(waves, pd.DataFrame):
            raise ValueError(f"waves must be a pandas DataFrame, got {type(waves).__name__}")
        if not 0 < conf_level < 1:
            raise ValueError(f"conf_level must lie strictly between 0 and 1, got {conf_level!r}")
        from barotrend.validation import validate_tracker_tables  # as read_tables validates

        figures, waves, assumed_bases, groups = validate_tracker_tables(
            figures, waves, assumed_bases, groups)
        self._waves = _table.wave_table(waves)
        self._figures = _table.figure_table(figures, self._waves)
        self.assumed_bases = dict(assumed_bases or {})
        self.conf_level = float(conf_level)
        self.strict = bool(strict)
        self.name = name
        self._relations = GroupRelations(groups)
        self._groups = None if groups is None else groups.copy()
        self._source = (figures.copy(), waves.copy())
        self._dataset = None

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_figures(cls, figures: pd.DataFrame, waves: pd.DataFrame, **kwargs) -> TrackerBase:
        """A Tracker over published figures (``figures.csv``/``waves.csv`` format)."""
        return cls(figures, waves, **kwargs)

    @classmethod
    def from_dataset(cls, dataset, **kwargs) -> TrackerBase:
        """A Tracker over a :class:`barotrend.datasets.Dataset` (e.g. ``datasets.load()``)."""
        for attr in ("figures", "waves"):
            if not hasattr(dataset, attr):
                raise ValueError(f"dataset must be a barotrend Dataset, got {type(dataset).__name__}")
        kwargs.setdefault("name", getattr(dataset, "name", ""))
        kwargs.setdefault("groups", getattr(dataset, "groups", None))
        tracker = cls(dataset.figures, dataset.waves, **kwargs)
        tracker._dataset = dataset
        return tracker

    @classmethod
    def from_designs(cls, designs, items, *, wave: str | None = None, group: str | None = None,
                     dates: Mapping | None = None, conf_level: float = 0.95, **describe):
        """A tracker over survey microdata: :class:`~barotrend.tracking.designs.DesignTracker`.

        ``designs`` is ``{wave: Design}`` (separate samples: changes assume independence unless
        a ``correlation`` is stated) or one stacked ``Design`` clustered by unit with its wave
        column named by ``wave=`` (overlapping samples: the covariance between waves is
        estimated). It offers ``series``, ``change``, ``trend``, ``compare_groups`` and
        ``gap_change`` (survey-weighted linear model with a wave x group interaction on a
        stacked design), ``comparability`` and ``compare_surveys`` (``describe``: ``survey=``,
        ``wordings=``, ``scales=``, ``population=`` for the comparability records); not the
        published-figure families.

        Examples
        --------
        >>> import pandas as pd
        >>> from barotrend.design import Design
        >>> d = pd.DataFrame({"unit": [1, 2, 3, 4] * 2, "wave": ["W1"] * 4 + ["W2"] * 4,
        ...                   "y": [1.0, 2, 3, 4, 2, 2, 5, 5]})
        >>> from barotrend import Tracker
    >>> t = Tracker.from_designs(Design(d, cluster="unit"), items="y", wave="wave")
        >>> t.change("y", "W1", "W2")[["difference", "se"]].round(4)
           difference      se
        0         1.0  0.4082
        """
        from barotrend.tracking.designs import DesignTracker

        return DesignTracker(designs, items, wave=wave, group=group, dates=dates,
                             conf_level=conf_level, **describe)

    # -- description ----------------------------------------------------------------------------
    @property
    def waves(self) -> pd.DataFrame:
        """The waves, ordered by date (a copy), with ``date_value`` in decimal years."""
        return self._waves.copy()

    @property
    def figures(self) -> pd.DataFrame:
        """The figures joined to their waves, ordered by date (a copy)."""
        return self._figures.copy()

    def items(self) -> pd.DataFrame:
        """One row per item: survey, concept, statistic, waves, categories and groups."""
        f = self._figures[self._figures["statistic"].isin((*ESTIMABLE, "count"))]
        rows = []
        for (survey, item), g in f.groupby(["survey", "item"], sort=False):
            rows.append({
                "item": item, "survey": survey, "concept": g["concept"].iloc[0],
                "statistic": "/".join(dict.fromkeys(g["statistic"])),
                "waves": ", ".join(dict.fromkeys(g["wave"])),
                "n_waves": g["wave"].nunique(),
                "categories": g["category"].nunique(),
                "groups": ", ".join(dict.fromkeys(g["group"])),
                "question": g["question"].iloc[-1],
            })
        return pd.DataFrame(rows)

    def comparability(self, item: str, *, survey: str | None = None) -> pd.DataFrame:
        """Comparability record per wave (and category/group) of an item, with the differences
        from the item's first wave named in ``differs``."""
        rows = self._item(item, survey)
        recs = []
        first = {}
        for _, r in rows.iterrows():
            rec = _table.record(r)
            key = (r["category"], r["group"])
            first.setdefault(key, rec)
            diffs = compare_records(first[key], rec, warn=False)
            recs.append(dict(rec, item=item, group=r["group"], base=r["base"],
                             respondents=r["respondents"], implied=r["implied"],
                             differs="; ".join(diffs)))
        cols = ["survey", "wave", "item", "group", "category", "question", "statistic", "scale",
                "population", "base", "respondents", "implied", "differs"]
        return pd.DataFrame(recs)[cols]

    def __repr__(self) -> str:
        w = self._waves
        lines = [f"Tracker{' ' + repr(self.name) if self.name else ''}: "
                 f"{w['survey'].nunique()} survey(s), {len(w)} waves, "
                 f"{self._figures['item'].nunique()} items, {len(self._figures)} figures"]
        for s, g in w.groupby("survey", sort=False):
            waves = ", ".join(f"{a} ({b})" for a, b in zip(g["wave"], g["wave_label"],
                                                           strict=True))
            lines.append(f"  {s}: {waves}")
        linked = self.items().query("n_waves >= 2")
        if len(linked):
            lines.append("  items in 2+ waves: " + ", ".join(linked["item"]))
        if self.assumed_bases:
            lines.append(f"  assumed bases: {self.assumed_bases}")
        return "\n".join(lines)

    # -- selection helpers ----------------------------------------------------------------------
    def _item(self, item: str, survey: str | None = None) -> pd.DataFrame:
        f = self._figures
        rows = f[(f["item"] == item) & f["statistic"].isin((*ESTIMABLE, "count"))]
        if rows.empty:
            known = sorted(f.loc[f["statistic"].isin(ESTIMABLE), "item"].unique())
            raise ValueError(f"item {item!r} not found; known items: {', '.join(known)}")
        if survey is not None:
            rows = rows[rows["survey"] == survey]
            if rows.empty:
                raise ValueError(f"survey {survey!r} has no item {item!r}")
        elif rows["survey"].nunique() > 1:
            raise ValueError(f"item {item!r} is in several surveys "
                             f"{sorted(rows['survey'].unique())}; pass survey=")
        return rows

    def _wave(self, rows: pd.DataFrame, wave, name: str) -> str:
        survey = rows["survey"].iloc[0]
        w = self._waves[self._waves["survey"] == survey]
        for col in ("wave", "wave_label"):
            hit = w[w[col].astype(str) == str(wave)]
            if len(hit):
                return hit["wave"].iloc[0]
        raise ValueError(f"{name}={wave!r} is not a wave of {survey}; waves: "
                         f"{', '.join(w['wave'])}")

    def _category(self, rows: pd.DataFrame, category) -> str:
        cats = list(dict.fromkeys(rows["category"]))
        if category is None:
            if len(cats) == 1:
                return cats[0]
            raise ValueError(f"category must be given for item {rows['item'].iloc[0]!r}; "
                             f"one of {cats!r}")
        if category not in cats:
            raise ValueError(f"category={category!r} not found; one of {cats!r}")
        return category

    def _figure(self, rows, wave, group, category, name="wave") -> dict:
        hit = rows[(rows["wave"] == wave) & (rows["group"] == group)
                   & (rows["category"] == category) & rows["statistic"].isin(ESTIMABLE)]
        if hit.empty:
            raise ValueError(f"{name}={wave!r}: no figure for item {rows['item'].iloc[0]!r}, "
                             f"group {group!r}, category {category!r}")
        return hit.iloc[0].to_dict()

    def _base(self, fig, item_bases: bool = True) -> tuple[float, str]:
        """Base of a figure (``resolve_base``, with the figure table: the item-base policy of
        the report's verdicts). ``item_bases=False`` gives the wave's respondents themselves
        (group-size reconstruction scans the candidate bases itself)."""
        return _table.resolve_base(fig, self.assumed_bases,
                                   self._figures if item_bases else None)

    # -- series and change ----------------------------------------------------------------------
    def series(self, item: str, group: str | None = None, category: str | None = None, *,
               survey: str | None = None, sd: float | None = None,
               method: str = "wilson") -> pd.DataFrame:
        """Estimate and confidence interval of an item in each wave, ordered by date.

        Shares use ``proportion_ci`` (Wilson by default) on the resolved base (see the module
        note); a mean has an interval only with a stated ``sd`` (t interval
        ``mean +- t(n-1) sd / sqrt(n)``). With several categories and ``category=None`` every
        category is returned (column ``category``).

        Examples
        --------
        >>> from barotrend import datasets
        >>> from barotrend import Tracker
    >>> t = Tracker.from_dataset(datasets.load())
        >>> t.series("area_team_relationship")[["wave", "estimate", "n"]]
          wave  estimate     n
        0   W2      0.73  85.0
        1   W3      0.68  94.0
        """
        rows = self._item(item, survey)
        rows = rows[rows["group"] == (group or "all")]
        if rows.empty:
            raise ValueError(f"group={group!r} has no figures for item {item!r}")
        if category is not None:
            rows = rows[rows["category"] == self._category(rows, category)]
        out = []
        for _, fig in rows.iterrows():
            n, note = self._base(fig)
            out.append(figure_estimate(fig, n, note, sd=sd, conf_level=self.conf_level,
                                       method=method))
            out[-1].update(wave_label=fig["wave_label"], date_value=fig["date_value"])
        return result_frame(out)

    def change(self, item: str, from_wave, to_wave, group: str | None = None,
               category: str | None = None, *, survey: str | None = None,
               correlation=None, overlap=None, sd=None, sd_range=None,
               strict: bool | None = None) -> pd.DataFrame:
        """Change of an item from one wave to another: difference ``to - from``, CI and p.

        Shares: :func:`~barotrend.figures.differences.compare_proportions` (Newcombe interval,
        pooled z test); means: :func:`~barotrend.figures.means.compare_means` (with a stated
        ``sd``, or over ``sd_range`` with the tipping-point SD when it is unknown). Samples are
        independent unless ``correlation`` (a number, or a sequence for a sensitivity analysis:
        one row per value) and optionally ``overlap`` (units in both waves) are stated.

        Examples
        --------
        >>> from barotrend import datasets
        >>> from barotrend import Tracker
    >>> t = Tracker.from_dataset(datasets.load())
        >>> r = t.change("area_team_relationship", "Jan 2013", "Q2 2013")
        >>> r[["wave", "difference", "p_value"]].round(3)
               wave  difference  p_value
        0  W2->W3       -0.05    0.464
        """
        rows = self._item(item, survey)
        fw, tw = self._wave(rows, from_wave, "from_wave"), self._wave(rows, to_wave, "to_wave")
        g = group or "all"
        cat = self._category(rows[rows["group"] == g], category)
        fa = self._figure(rows, tw, g, cat, "to_wave")
        fb = self._figure(rows, fw, g, cat, "from_wave")
        diffs = compare_records(_table.record(fb), _table.record(fa), what=f"{item} {fw}->{tw}",
                                strict=self.strict if strict is None else strict)
        na, note_a = self._base(fa)
        nb, note_b = self._base(fb)
        labels = {"survey": fa["survey"], "wave": f"{fw}->{tw}", "item": item, "group": g,
                  "category": cat, "from_wave": fw, "to_wave": tw}
        out = compare_figures(fa, fb, na, nb, labels=labels,
                              notes=[note_b, note_a, *published_change(self._figures, fa, fw), *diffs],
                              correlation=correlation, overlap=overlap, sd=sd,
                              sd_range=sd_range, conf_level=self.conf_level)
        return result_frame(out)

    # -- trend -----------------------------------------------------------------------------------
    def trend(self, item: str, group: str | None = None, category: str | None = None, *,
              survey: str | None = None, sd=None, sd_range=None) -> pd.DataFrame:
        """Tests over three or more waves: linear trend over wave dates and any difference.

        Rows: ``WLS linear trend`` (slope per year, weights 1/variance), ``Cochran Q``
        heterogeneity (chi-square, k-1 df) and, for shares where every wave has a base,
        ``Cochran-Armitage`` on counts reconstructed as ``round(p n)`` (approximate: the
        percentages are rounded). For means without a published SD there is no variance: the
        rows say the trend cannot be tested without an SD assumption and, with ``sd`` or
        ``sd_range=(lo, hi)``, give the tests at each stated SD (lo, midpoint, hi). See
        :mod:`barotrend.tracking.trend` for formulas and references.

        Examples
        --------
        >>> from barotrend import datasets
        >>> from barotrend import Tracker
    >>> t = Tracker.from_dataset(datasets.load(), assumed_bases={"W1": 85})
        >>> r = t.trend("budget_confidence", sd=2.0)
        >>> r["method"].str[:5].tolist()
        ['WLS l', 'Cochr']
        """
        s = self.series(item, group, category, survey=survey)
        if s["category"].nunique() > 1:
            raise ValueError(f"category must be given for item {item!r}; one of "
                             f"{list(dict.fromkeys(s['category']))!r}")
        return result_frame(_trend.trend_rows(s, item, group or "all", sd, sd_range))

    # -- groups and surveys ---------------------------------------------------------------------
    def compare_groups(self, item: str, a: str, b: str, wave=None,
                       category: str | None = None, *, survey: str | None = None
                       ) -> pd.DataFrame:
        """Difference between groups ``a`` and ``b`` (``a - b``) within a wave (each wave
        holding both when ``wave=None``). How they are compared follows their stated relation
        (``groups=``): independent samples only when known disjoint, a subgroup against the
        rest of its ancestor, unpublished bases reconstructed only for a partition; see
        :mod:`barotrend.tracking.groups` (one row per scenario, the least favourable first)."""
        return result_frame(_groups.compare_groups(self, item, a, b, wave, category, survey))

    def gap_change(self, item: str, a: str, b: str, from_wave, to_wave,
                   category: str | None = None, *, survey: str | None = None) -> pd.DataFrame:
        """Change of the gap ``a - b`` between two waves (difference in differences)."""
        return result_frame(_groups.gap_change(self, item, a, b, from_wave, to_wave, category,
                                               survey))

    def compare_surveys(self, concept: str, survey_a: str, survey_b: str, *, wave_a=None,
                        wave_b=None, category_a=None, category_b=None, group_a=None,
                        group_b=None, threshold=None, side: str = "below",
                        strict: bool | None = None) -> pd.DataFrame:
        """Compare a concept between two surveys (``a - b``; ``estimate_a`` is survey_a's
        figure); ``group_a``/``group_b`` name a group on each side (default ``"all"``). See
        :func:`barotrend.tracking.surveys.compare_surveys`."""
        return result_frame(_surveys.compare_surveys(
            self, concept, survey_a, survey_b, wave_a=wave_a, wave_b=wave_b,
            category_a=category_a, category_b=category_b, group_a=group_a, group_b=group_b,
            threshold=threshold, side=side, strict=self.strict if strict is None else strict))

    # -- families --------------------------------------------------------------------------------
    def changes(self, method: str = "holm", pairs: str = "consecutive") -> pd.DataFrame:
        """Every change the figures allow, one row each, p-values adjusted across the family.

        ``method``: ``"holm"`` (default), ``"fdr_bh"`` (Benjamini-Hochberg) or
        ``"bonferroni"`` (:func:`barotrend.compare.adjust_pvalues`). ``pairs``:
        ``"consecutive"`` waves (default) or ``"all"`` pairs of waves. A change that cannot be
        tested (unknown base, mean without SD) keeps a NaN p-value, outside the family.

        Examples
        --------
        >>> from barotrend import datasets
        >>> from barotrend import Tracker
    >>> t = Tracker.from_dataset(datasets.load())
        >>> t.changes()[["item", "wave", "p_value", "p_adjusted"]].round(3)
                             item    wave  p_value  p_adjusted
        0       budget_confidence  W1->W2      NaN         NaN
        1       budget_confidence  W2->W3      NaN         NaN
        2  area_team_relationship  W2->W3    0.464       0.464
        """
        from barotrend.tracking.family import changes

        return changes(self, method, pairs)

    def all_comparisons(self, method: str = "holm", pairs: str = "consecutive"
                        ) -> pd.DataFrame:
        """Changes, group comparisons, gap changes and survey comparisons in one table, with
        p-values adjusted across it (see :meth:`changes`); column ``comparison`` names the kind.
        Cross-survey comparisons are made for concepts with one category in each survey."""
        from barotrend.tracking.family import all_comparisons

        return all_comparisons(self, method, pairs)

    # -- report ----------------------------------------------------------------------------------
    # -- plots -----------------------------------------------------------------------------------
    def plot_comparisons(self, results: pd.DataFrame | None = None, ax=None, **kwargs):
        """Forest plot of a table of comparisons (default: :meth:`all_comparisons`, rows with
        an interval); see :func:`barotrend.plot.forest`. Returns the matplotlib Axes."""
        from barotrend.plot import forest

        if results is None:
            results = self.all_comparisons()
            results = results[results["ci_low"].notna() & results["ci_high"].notna()]
        kwargs.setdefault("tracker", self)  # row labels in words
        return forest(results, ax=ax, **kwargs)

    def plot_series(self, item: str, ax=None, *, groups=None, category=None, **kwargs):
        """Series of an item with CI ribbons per group and markers at significant changes
        (see :func:`barotrend.plot.series`); returns the matplotlib Axes."""
        from barotrend.plot import series as _plot

        return _plot(self, item, ax=ax, groups=groups, category=category, **kwargs)
