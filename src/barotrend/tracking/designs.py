"""The Tracker over microdata: one survey design per wave, or all waves stacked in one design.

Two ways in, both through :meth:`barotrend.Tracker.from_designs`:

* ``{wave: Design, ...}`` -- separate samples. Wave estimates come from each design
  (``Design.mean``; a 0/1 item gives a proportion); a change between waves is
  :func:`barotrend.compare.compare_estimates` of the two wave estimates, **independent samples**
  unless a ``correlation`` is stated.
* one ``Design`` with ``wave="column"`` -- the waves stacked in one design whose clusters are the
  sampled units (respondents or organisations) across waves. A change is then a domain contrast
  (:func:`barotrend.design.contrasts.compare`) whose variance includes the covariance between
  waves that the same units answering twice creates -- the right analysis for panels and
  overlapping samples. A gap change is the wave x group interaction of a survey-weighted
  linear model (:func:`barotrend.design.glm.glm`, identity link) on the stacked data, with the
  design (unit-clustered) standard errors.

Waves are ordered by ``dates`` (``{wave: "YYYY-MM"}``) when given, else as listed (separate
designs) or sorted (stacked). Items are numeric columns; a boolean or 0/1 column is a share.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import pandas as pd

from barotrend.results import result_frame
from barotrend.tracking import trend as _trend
from barotrend.tracking.table import date_value

__all__ = ["DesignTracker"]


class DesignTracker:
    """Waves x items x groups of a barometer from survey designs (see module note).

    Parameters
    ----------
    designs : dict of wave -> Design, or one Design
        Separate per-wave designs, or one stacked design (then ``wave`` is required).
    items : str or sequence of str
        Item columns tracked.
    wave : str, optional
        Column of the stacked design holding the wave.
    group : str, optional
        Column holding the group (e.g. GP / non-GP) for ``group=``, ``compare_groups`` and
        ``gap_change``.
    dates : dict of wave -> date, optional
        Wave dates (for ordering and for the trend over dates), ``"YYYY-MM"``, ``"YYYY"``,
        ``"YYYY-Qn"``, ``"Oct 2012"`` as in waves.csv, each placed at the midpoint of its
        month, quarter or year; default: waves 1, 2, 3...
    conf_level : float, default 0.95
    survey : str, optional
        Name of the survey (e.g. ``"CCG leaders"``), for comparability records and
        :meth:`compare_surveys`.
    wordings, scales : dict, optional
        Question wording and response scale per item, ``{item: text}`` or, when they changed
        between waves, ``{item: {wave: text}}`` (see :meth:`comparability`).
    population : str or dict of wave -> str, optional
        Who was sampled / answered (e.g. ``"CCG clinical leaders, England"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from barotrend.design import Design
    >>> d1 = Design(pd.DataFrame({"y": [1.0, 0, 1, 1]}))
    >>> d2 = Design(pd.DataFrame({"y": [0.0, 0, 1, 0]}))
    >>> t = DesignTracker({"W1": d1, "W2": d2}, items="y")
    >>> t.change("y", "W1", "W2")[["wave", "difference"]]
           wave  difference
    0  W1->W2        -0.5
    """

    def __init__(self, designs, items, *, wave: str | None = None, group: str | None = None,
                 dates: Mapping | None = None, conf_level: float = 0.95,
                 survey: str | None = None, wordings: Mapping | None = None,
                 scales: Mapping | None = None, population=None) -> None:
        self.survey, self.wordings, self.scales = survey, wordings, scales
        self.population = population
        self.items_ = [items] if isinstance(items, str) else list(items)
        if not self.items_:
            raise ValueError(f"items must name at least one column, got {items!r}")
        self.group = group
        self.wave = wave
        self.conf_level = float(conf_level)
        from barotrend.design import Design

        if isinstance(designs, Mapping):
            if wave is not None:
                raise ValueError("wave= is for one stacked design; got a dict of designs")
            if not designs:
                raise ValueError("designs must hold at least one wave")
            for key, d in designs.items():
                if not isinstance(d, Design):
                    raise TypeError(f"designs[{key!r}] must be a barotrend Design, got a "
                                    f"{type(d).__name__} (wrap it: Design(data, weights=...))")
            self.designs = dict(designs)
            self.stacked = None
            waves = list(self.designs)
            datas = [d.data for d in self.designs.values()]
        else:
            if not isinstance(designs, Design):
                raise TypeError(f"designs must be a barotrend Design (stacked waves) or a dict "
                                f"{{wave: Design}}, got a {type(designs).__name__}")
            if wave is None:
                raise ValueError("one design needs wave= naming its wave column "
                                 "(or pass a dict {wave: Design})")
            self.stacked = designs
            self.designs = {}
            if wave not in designs.data:
                raise ValueError(f"wave={wave!r} is not a column of the design")
            waves = designs.data[wave].dropna().unique().tolist()
            if not waves:
                raise ValueError(f"wave={wave!r}: the column holds no wave (every value is "
                                 "missing)")
            try:
                waves = sorted(waves)
            except TypeError:  # mixed kinds (1 and "W2"): order by their text
                waves = sorted(waves, key=str)
            datas = [designs.data]
        for col in [*self.items_, *([group] if group else [])]:
            for data in datas:
                if col not in data.columns:
                    raise ValueError(f"column {col!r} (items/group) is not in every design")
        if dates is not None:
            missing = [w for w in waves if w not in dates]
            if missing:
                raise ValueError(f"dates has no date for wave(s) {missing!r}")
            self.date_values = {w: _date(w, dates[w]) for w in waves}
            waves = sorted(waves, key=self.date_values.get)
        else:
            self.date_values = {w: float(i + 1) for i, w in enumerate(waves)}
        self.waves = waves

    def __repr__(self) -> str:
        kind = "stacked design" if self.stacked is not None else "separate designs"
        return (f"DesignTracker ({kind}): waves {', '.join(map(str, self.waves))}; items "
                f"{', '.join(self.items_)}" + (f"; groups from {self.group!r}" if self.group
                                               else ""))

    # -- helpers --------------------------------------------------------------------------------
    def _check(self, item, group=None):
        if item not in self.items_:
            raise ValueError(f"item {item!r} is not tracked; items: {self.items_}")
        if group is not None and self.group is None:
            raise ValueError(f"group={group!r} needs group= (a column) when building the tracker")

    def _wave(self, w, name):
        if w not in self.waves:
            raise ValueError(f"{name}={w!r} is not a wave; waves: {self.waves}")
        return w

    def _estimate(self, item, w, group=None, stacked_means=None) -> dict:
        if self.stacked is not None:
            by = [self.wave] + ([self.group] if group is not None else [])
            r = self.stacked.mean(item, by=by) if stacked_means is None else stacked_means
            sel = r[self.wave] == w
        else:
            by = self.group if group is not None else None
            r = self.designs[w].mean(item, by=by)
            sel = pd.Series(True, index=r.index)
        if group is not None:
            sel &= r[self.group] == group
        lab = dict(wave=w, item=item, group=_label(group), date_value=self.date_values[w])
        if not sel.any() or not self._answered(item, w, group):
            return dict(lab, estimate=np.nan, n=0.0, method="design mean",
                        note=self._no_answer(item, w, group))
        row = {k: v for k, v in r[sel].iloc[0].to_dict().items()
               if k not in (self.wave, self.group)}
        row.update(lab)
        return row

    def _answered(self, item, w, group=None) -> bool:
        """Whether ``item`` has a non-missing answer in wave ``w`` (and group)."""
        if self.stacked is not None:
            data = self.stacked.data
            sel = data[self.wave] == w
        else:
            data = self.designs[w].data
            sel = pd.Series(True, index=data.index)
        if group is not None:
            sel &= data[self.group] == group
        return bool((sel & data[item].notna()).any())

    def _no_answer(self, item, w, group=None) -> str:
        return (f"no answer to {item!r} in wave {w!r}"
                + (f", group {group!r}" if group is not None else "")
                + " (not asked, or no respondent): nothing to estimate")

    def answered_waves(self, item, group=None) -> list:
        """The waves (in order) where ``item`` has answers (for ``group``)."""
        return [w for w in self.waves if self._answered(item, w, group)]

    def _missing(self, item, cells, labels) -> pd.DataFrame | None:
        """A NaN result row naming the (wave, group) cells without answers, or None."""
        empty = [self._no_answer(item, w, g) for w, g in cells
                 if not self._answered(item, w, g)]
        if not empty:
            return None
        nan = dict.fromkeys(("estimate", "difference", "se", "ci_low", "ci_high", "statistic",
                             "p_value"), np.nan)
        return result_frame([dict(labels, **nan, method="not estimable",
                                  note="; ".join(empty))])

    # -- questions ------------------------------------------------------------------------------
    def series(self, item: str, group=None) -> pd.DataFrame:
        """Design-based estimate and interval of ``item`` in each wave (``Design.mean``)."""
        self._check(item, group)
        means = None
        if self.stacked is not None:  # every wave's domain mean from one call
            by = [self.wave] + ([self.group] if group is not None else [])
            means = self.stacked.mean(item, by=by)
        rows = [self._estimate(item, w, group, means) for w in self.waves]
        return result_frame(rows)

    def change(self, item: str, from_wave, to_wave, group=None, *, correlation=None,
               adjust=None) -> pd.DataFrame:
        """Change ``to - from``: a domain contrast in the stacked design (covariance between
        waves estimated from units answering in both), else independent samples
        (``correlation`` stated to override).

        ``adjust=["role", "size"]`` (stacked design): the **adjusted change**, the coefficient
        of ``wave[to]`` in the survey-weighted linear model ``item ~ wave + covariates`` fitted
        in the domain of the two waves (and the group): the change once the covariates' shift
        between the waves is held fixed (for a linear model, the difference of the two waves'
        predictive margins), with unit-clustered design SEs and t on the domain df + 1 - p.
        """
        self._check(item, group)
        fw, tw = self._wave(from_wave, "from_wave"), self._wave(to_wave, "to_wave")
        labels = {"wave": f"{fw}->{tw}", "item": item, "group": _label(group)}
        if correlation is not None and self.stacked is not None:
            raise ValueError("correlation= is for separate designs; the stacked design "
                             "estimates the covariance between waves")
        missing = self._missing(item, [(fw, group), (tw, group)], labels)
        if missing is not None:
            return missing
        if adjust is not None:
            return self._adjusted(item, self.wave, fw, tw, adjust, labels, group=group)
        if self.stacked is not None:
            from barotrend.design.contrasts import compare

            if correlation is not None:
                raise ValueError("correlation= is for separate designs; the stacked design "
                                 "estimates the covariance between waves")
            if group is None:
                r = compare(self.stacked, item, self.wave, tw, fw, conf_level=self.conf_level)
            else:
                r = compare(self.stacked, item, [self.wave, self.group], (tw, group),
                            (fw, group), conf_level=self.conf_level)
            r = r.assign(**labels)
            r["method"] = "stacked-design domain contrast (t), units clustered across waves"
            return r
        from barotrend.compare import compare_estimates

        a, b = self._estimate(item, tw, group), self._estimate(item, fw, group)
        r = compare_estimates(a, b, correlation=0.0 if correlation is None else correlation,
                              conf_level=self.conf_level).assign(**labels)
        r["note"] = r["note"] + ("; separate samples assumed independent"
                                 if correlation is None else "")
        return r

    def compare_groups(self, item: str, a, b, wave, *, adjust=None) -> pd.DataFrame:
        """Difference of groups ``a - b`` within a wave: a domain contrast in that wave's design
        (same sample: the covariance of the two domain means is part of the variance).

        ``adjust=["role", ...]``: the **adjusted gap**, the coefficient of ``group[a]`` in the
        survey-weighted linear model ``item ~ group + covariates`` fitted in the domain of the
        wave and the two groups (the gap at equal covariates; for a linear model, the
        difference of the groups' predictive margins), design SEs, t on the domain df + 1 - p.
        """
        from barotrend.design.contrasts import compare

        self._check(item, a)
        w = self._wave(wave, "wave")
        labels = {"wave": w, "item": item, "group": f"{a} vs {b}"}
        missing = self._missing(item, [(w, a), (w, b)], labels)
        if missing is not None:
            return missing
        if adjust is not None:
            return self._adjusted(item, self.group, b, a, adjust, labels, wave=w)
        if self.stacked is not None:
            r = compare(self.stacked, item, [self.wave, self.group], (w, a), (w, b),
                        conf_level=self.conf_level)
        else:
            r = compare(self.designs[w], item, self.group, a, b, conf_level=self.conf_level)
        return r.assign(wave=w, item=item, group=f"{a} vs {b}")

    def gaps(self, item: str, a, b, *, adjust=None) -> pd.DataFrame:
        """The gap ``a - b`` (adjusted for ``adjust`` when given) in every wave, one row per
        wave with its ``date_value`` and ``estimate`` = ``difference``: :meth:`compare_groups`
        wave by wave (a wave without answers gives a NaN row saying so).

        Examples
        --------
        GPs sit 1.5 above non-GPs at equal ``x``, but the non-GPs here have larger ``x``: the
        raw gap is 0.5, the gap adjusted for ``x`` about 1.5.

        >>> import numpy as np, pandas as pd
        >>> from barotrend.design import Design
        >>> df = pd.DataFrame({"unit": list(range(8)) * 2, "wave": ["W1"] * 8 + ["W2"] * 8,
        ...                    "gp": [True, False] * 8, "x": [1.0, 2, 3, 4, 5, 6, 7, 8] * 2})
        >>> noise = np.tile([0.3, -0.2, -0.3, 0.2, 0.1, 0.0, -0.1, 0.0], 2)
        >>> df["y"] = 2 + 1.5 * df["gp"] + df["x"] + noise
        >>> t = DesignTracker(Design(df, cluster="unit"), items="y", wave="wave", group="gp")
        >>> t.gaps("y", True, False)["estimate"].round(3).tolist()
        [0.5, 0.5]
        >>> t.gaps("y", True, False, adjust="x")["estimate"].round(3).tolist()
        [1.49, 1.49]
        """
        rows = []
        for w in self.waves:
            r = self.compare_groups(item, a, b, w, adjust=adjust)
            rows.append(r.assign(date_value=self.date_values[w], estimate=r["difference"]))
        return result_frame(pd.concat(rows, ignore_index=True).to_dict("records"))

    def _adjusted(self, item, factor, ref, level, adjust, labels, *, wave=None, group=None):
        """The coefficient of ``factor[level]`` (reference ``ref``) in ``item ~ factor +
        adjust`` over the domain (the two levels of ``factor``; the wave or group fixed)."""
        from barotrend.design.glm import glm

        # the group column is a covariate like any other in a whole-sample change
        fixed = (item, factor, self.wave) + (
            (self.group,) if group is not None or factor == self.group else ())
        covs = _covariates(adjust, self._columns(), exclude=fixed)
        if wave is not None and self.stacked is None:
            design, data = self.designs[wave], self.designs[wave].data
            domain = data[factor].isin([ref, level])
        else:
            if self.stacked is None:
                raise ValueError("adjust= for a change between waves needs the stacked design "
                                 "(one Design with wave=): the adjusted change is a model over "
                                 "both waves' rows")
            design, data = self.stacked, self.stacked.data
            domain = data[factor].isin([ref, level])
            if wave is not None:
                domain &= data[self.wave] == wave
            if group is not None:
                domain &= data[self.group] == group
        model, term = _adjusted_model(item, factor, ref, level, covs)
        fit = glm(design, model, "gaussian", subset=domain.to_numpy(),
                  conf_level=self.conf_level)
        row = fit.table.set_index("item").loc[term].to_dict()
        row.update(labels, difference=row["estimate"],
                   method=f"survey-weighted linear model adjusted for {', '.join(covs)} (t)",
                   note=f"model {fit.formula} (reference {ref}); " + str(row.get("note", "")))
        return result_frame([row])

    def _columns(self):
        return (self.stacked.data if self.stacked is not None
                else next(iter(self.designs.values())).data).columns

    def gap_change(self, item: str, a, b, from_wave, to_wave, *, adjust=None) -> pd.DataFrame:
        """Change of the gap ``a - b`` from ``from_wave`` to ``to_wave``.

        Stacked design: the coefficient of ``wave[to] x group[a]`` in the survey-weighted linear
        model ``item ~ wave * group`` (treatment contrasts against ``from`` and ``b``; saturated
        in wave and group, so it equals the difference in differences of the weighted cell
        means), with unit-clustered design SEs. It is fitted in the domain of the two waves and
        two groups (R's ``svyglm`` on ``subset(design, ...)``: the full design's variance, the
        domain's df), so other waves and groups -- or an empty cell among them -- do not enter.
        The model is built from column lookups, not a formula string: column names and levels
        are never evaluated. Separate designs: the difference of the two within-wave contrasts,
        waves independent.

        ``adjust=["role", ...]`` adds covariates to the model (stacked: ``item ~ wave * group
        + covariates``, the **adjusted** gap change; separate designs: the difference of the
        two waves' adjusted gaps, :meth:`compare_groups` with ``adjust``).
        """
        self._check(item, a)
        fw, tw = self._wave(from_wave, "from_wave"), self._wave(to_wave, "to_wave")
        labels = {"wave": f"{fw}->{tw}", "item": item, "group": f"({a} - {b}) change"}
        missing = self._missing(item, [(fw, a), (fw, b), (tw, a), (tw, b)], labels)
        if missing is not None:
            return missing
        if self.stacked is None:
            from barotrend.compare import compare_estimates

            gt = self.compare_groups(item, a, b, tw, adjust=adjust).iloc[0].to_dict()
            gf = self.compare_groups(item, a, b, fw, adjust=adjust).iloc[0].to_dict()
            r = compare_estimates({"estimate": gt["difference"], "se": gt["se"]},
                                  {"estimate": gf["difference"], "se": gf["se"]},
                                  conf_level=self.conf_level).assign(**labels)
            r["method"] = "difference in differences of domain contrasts (waves independent)"
            return r
        from barotrend.design.glm import glm

        covs = [] if adjust is None else _covariates(
            adjust, self._columns(), exclude=(item, self.wave, self.group))
        model, term = _interaction_model(item, self.wave, fw, tw, self.group, b, a, covs)
        data = self.stacked.data
        domain = (data[self.wave].isin([fw, tw]) & data[self.group].isin([a, b])).to_numpy()
        fit = glm(self.stacked, model, "gaussian", subset=domain, conf_level=self.conf_level)
        tab = fit.table.set_index("item")
        if term not in tab.index:
            raise ValueError(f"no {tw} x {a} interaction in the model: check the wave and group "
                             "levels")
        row = tab.loc[term].to_dict()
        row.update(labels, difference=row["estimate"],
                   method="survey-weighted linear model, wave x group interaction (t), "
                          "unit-clustered design SEs"
                          + (f", adjusted for {', '.join(covs)}" if covs else ""),
                   note=f"model {fit.formula} (wave reference {fw}, group reference {b}); "
                        + str(row.get("note", "")))
        return result_frame([row])

    def trend(self, item: str, group=None) -> pd.DataFrame:
        """Linear trend over wave dates and a test that all waves are equal.

        Separate designs: WLS trend and Cochran's Q on the wave estimates (waves independent).
        Stacked design: the same units answer in several waves, so the wave means are
        correlated; their full design covariance (domain means of the one design, clustered by
        unit) gives a GLS trend and the generalised Q (:mod:`barotrend.tracking.trend`).
        """
        s = self.series(item, group)
        waves = self.answered_waves(item, group)
        skipped = [str(w) for w in self.waves if w not in waves]
        s = s[s["wave"].isin(waves)].reset_index(drop=True)
        if len(s) < 3:
            return result_frame([{"item": item, "method": "trend", "group": _label(group),
                                  "note": "a trend needs three or more waves with answers"
                                  + (f" (none in {', '.join(skipped)})" if skipped else "")}])
        x, y = s["date_value"].to_numpy(float), s["estimate"].to_numpy(float)
        lab = {"wave": "->".join(map(str, waves)), "item": item, "group": _label(group)}
        se = s["se"].to_numpy(float)
        flat = [str(w) for w, v in zip(s["wave"], se, strict=True) if not (np.isfinite(v)
                                                                          and v > 0)]
        if flat:  # weights 1/variance undefined: say so instead of failing the whole report
            note = (f"no sampling variance in wave(s) {', '.join(flat)} (every answer the "
                    "same, or a single PSU): the trend and the test of equal waves cannot be "
                    "computed with weights 1/variance")
            return result_frame([dict(lab, estimate=np.nan, method=m, note=note) for m in
                                 ("linear trend over wave dates", "heterogeneity test")])
        if self.stacked is None:
            var = s["se"].to_numpy(float) ** 2
            note = "waves treated as independent"
            return result_frame([dict(lab, **_trend.wls_trend(x, y, var), note=note),
                                 dict(lab, **_trend.heterogeneity(y, var), note=note)])
        means, cov = self._wave_means(item, waves, group)
        note = ("covariance between waves from the stacked design (units clustered across "
                "waves)")
        try:
            rows = [_trend.gls_trend(x, means, cov), _trend.gls_heterogeneity(means, cov)]
        except ValueError as err:  # a singular covariance: say so, keep the report going
            return result_frame([dict(lab, estimate=np.nan, method=m, note=(
                f"{note}; no GLS trend or test: the {err} (the wave estimates move together "
                "exactly)"))
                for m in ("GLS linear trend over wave dates", "generalised Q heterogeneity")])
        return result_frame([dict(lab, **r, note=note) for r in rows])

    def _wave_means(self, item, waves, group=None):
        """Means of ``item`` in ``waves`` (and ``group``) of the stacked design and their
        design covariance, from the rows' domain codes (one pass, no rows x waves array)."""
        from barotrend.design.contrasts import SparseMeans, domain_indicator, numeric_column

        d = self.stacked
        by = [self.wave] + ([self.group] if group is not None else [])
        values, code = d.domain_codes(by)
        pos = {v: i for i, v in enumerate(values)}
        where = np.full(len(values) + 1, -1)
        for k, w in enumerate(waves):
            key = (w, group) if group is not None else (w,)
            if key not in pos:  # the error that names the level
                domain_indicator(d, by, key if group is not None else w, "wave")
            where[pos[key]] = k
        y = numeric_column(d, item, "item")
        col = where[code]  # code -1 (no domain) reads the last entry, -1
        rows = np.flatnonzero((col >= 0) & ~np.isnan(y))
        m = SparseMeans(d, rows, col[rows], y[rows], len(waves))
        return m.means, m.vcov()

    def plot_series(self, item: str, ax=None, *, groups=None, alpha: float = 0.05, **kwargs):
        """Series of ``item`` with CI ribbons per group and stars at significant changes
        (see :func:`barotrend.plot.design_series`: ``ylim``, ``group_labels``, ``label``);
        returns the matplotlib Axes."""
        from barotrend.plot import design_series

        return design_series(self, item, ax=ax, groups=groups, alpha=alpha, **kwargs)

    def plot_comparisons(self, results: pd.DataFrame | None = None, ax=None, **kwargs):
        """Forest plot of comparisons (default: :meth:`changes`); see
        :func:`barotrend.plot.forest`."""
        from barotrend.plot import forest

        return forest(self.changes() if results is None else results, ax=ax, **kwargs)

    def changes(self, method: str = "holm") -> pd.DataFrame:
        """Every consecutive-wave change of every item (whole sample), p-values adjusted across
        the family with :func:`barotrend.compare.adjust_pvalues` (Holm by default); an empty
        frame when there is one wave. Consecutive among the waves where the item has answers:
        an item not asked in W2 gives W1->W3.

        Examples
        --------
        >>> import pandas as pd
        >>> from barotrend.design import Design
        >>> d = {w: Design(pd.DataFrame({"y": v})) for w, v in
        ...      [("W1", [1.0, 0, 1, 1]), ("W2", [0.0, 0, 1, 0]), ("W3", [1.0, 1, 1, 0])]}
        >>> DesignTracker(d, items="y").changes()["wave"].tolist()
        ['W1->W2', 'W2->W3']
        """
        from barotrend.compare import adjust_pvalues

        parts = [self.change(item, w0, w1).iloc[[0]] for item in self.items_
                 for w0, w1 in itertools.pairwise(self.answered_waves(item))]
        if not parts:  # one wave: no change to estimate
            return result_frame([])
        return adjust_pvalues(pd.concat(parts, ignore_index=True), method=method)

    # -- comparability and other surveys ---------------------------------------------------------
    def record(self, item: str, wave) -> dict:
        """Comparability record of ``item`` in ``wave``: survey, wave, question wording, scale,
        measure (``share`` for a 0/1 item, else ``mean``), population (as given when building
        the tracker), ``n`` (rows answering) and ``design`` (the design's kind and df)."""
        self._check(item)
        w = self._wave(wave, "wave")
        if self.stacked is not None:
            data = self.stacked.data.loc[self.stacked.data[self.wave] == w, item]
            design = self.stacked
        else:
            data, design = self.designs[w].data[item], self.designs[w]
        kind = repr(design).splitlines()[0].removeprefix("Design: ")
        return {"survey": self.survey, "wave": w, "item": item,
                "question": _lookup(self.wordings, item, w),
                "statistic": "share" if _is_share(data) else "mean",
                "scale": _lookup(self.scales, item, w),
                "population": (self.population.get(w) if isinstance(self.population, Mapping)
                               else self.population),
                "n": int(data.notna().sum()),
                "design": (f"stacked {kind}, df {design.df} (wave {w!r} a domain)"
                           if self.stacked is not None else f"{kind}, df {design.df}")}

    def comparability(self, item: str, *, warn: bool = True) -> pd.DataFrame:
        """Comparability record (:meth:`record`) of ``item`` in each wave with answers, and in
        ``differs`` what changed since the previous such wave (wording, scale, measure,
        population), named by :func:`~barotrend.tracking.comparability.compare_records` and
        warned as a :class:`~barotrend.tracking.comparability.ComparabilityWarning` unless
        ``warn=False``.

        Examples
        --------
        >>> import pandas as pd
        >>> from barotrend.design import Design
        >>> d = {w: Design(pd.DataFrame({"y": [1.0, 0, 1, 1]})) for w in ("W1", "W2")}
        >>> t = DesignTracker(d, items="y", wordings={"y": {"W1": "Confident?",
        ...                                                 "W2": "Very confident?"}})
        >>> c = t.comparability("y", warn=False)
        >>> c[["wave", "statistic", "n"]]
          wave statistic  n
        0   W1     share  4
        1   W2     share  4
        >>> c["differs"].tolist()
        ['', "wording differs: 'Confident?' vs 'Very confident?'"]
        """
        from barotrend.tracking.comparability import compare_records

        rows, prev = [], None
        for w in self.answered_waves(item):
            rec = self.record(item, w)
            diffs = [] if prev is None else compare_records(
                prev, rec, what=f"{item}: {prev['wave']} -> {w}", warn=warn)
            rows.append(dict(rec, differs="; ".join(diffs)))
            prev = rec
        return pd.DataFrame(rows)

    def compare_surveys(self, other: DesignTracker, item: str, wave_a, wave_b, *,
                        item_b: str | None = None, strict: bool = False) -> pd.DataFrame:
        r"""Difference ``a - b`` of ``item`` in this tracker's ``wave_a`` (``estimate_a``) and
        ``item_b`` (default ``item``) in ``other``'s ``wave_b`` (``estimate_b``): two surveys,
        e.g. CCG leaders against trust chief executives.

        The two samples are independent, so ``se = sqrt(se_a^2 + se_b^2)`` from each design's
        own ``Design.mean``; the reference is t on ``min(df_a, df_b)``, the smaller design df.
        That is the conservative choice: the Welch-Satterthwaite df
        ``(v_a + v_b)^2 / (v_a^2/df_a + v_b^2/df_b)`` is never below it, and with few PSUs it
        rests on variance estimates themselves too unstable to trust (Korn & Graubard 1999,
        *Analysis of Health Surveys*, on design degrees of freedom). A missing df gives z.
        The comparability records (:meth:`record`) of the two sides are checked with
        :func:`~barotrend.tracking.comparability.compare_records`: each difference in wording,
        scale, measure or population is named in ``note`` and warned (``strict=True``:
        raises ``ValueError`` instead).

        Examples
        --------
        >>> import pandas as pd
        >>> from barotrend.design import Design
        >>> a = DesignTracker({"W1": Design(pd.DataFrame({"y": [1.0, 0, 1, 1]}))}, "y",
        ...                   survey="CCG")
        >>> b = DesignTracker({"W1": Design(pd.DataFrame({"y": [0.0, 0, 1, 0, 0]}))}, "y",
        ...                   survey="Trusts")
        >>> r = a.compare_surveys(b, "y", "W1", "W1")
        >>> r[["survey", "estimate_a", "estimate_b", "difference", "df"]]
                 survey  estimate_a  estimate_b  difference   df
        0  CCG vs Trusts        0.75         0.2        0.55  3.0
        """
        from scipy import stats

        from barotrend.tracking.comparability import compare_records

        if not isinstance(other, DesignTracker):
            raise TypeError(f"other must be a DesignTracker (Tracker.from_designs), got a "
                            f"{type(other).__name__}")
        item_b = item if item_b is None else item_b
        self._check(item)
        if item_b not in other.items_:
            raise ValueError(f"item_b={item_b!r} is not tracked by the other tracker "
                             f"({other.survey or 'survey b'}); its items: {other.items_}")
        wa, wb = self._wave(wave_a, "wave_a"), other._wave(wave_b, "wave_b")
        name_a, name_b = self.survey or "survey a", other.survey or "survey b"
        labels = {"survey": f"{name_a} vs {name_b}", "wave": f"{wa} vs {wb}",
                  "item": item if item == item_b else f"{item} vs {item_b}", "group": "all"}
        ra, rb = self.record(item, wa), other.record(item_b, wb)
        diffs = compare_records(ra, rb, strict=strict, what=f"{labels['item']}: "
                                f"{labels['survey']}", stacklevel=3)
        notes = [*diffs, "two surveys: samples assumed independent"]
        empty = [t._no_answer(i, w) for t, i, w in ((self, item, wa), (other, item_b, wb))
                 if not t._answered(i, w)]
        if empty:
            return result_frame([dict(labels, estimate_a=np.nan, estimate_b=np.nan,
                                      difference=np.nan, se=np.nan, p_value=np.nan,
                                      method="not estimable", note="; ".join(empty + notes))])
        ea, eb = self._estimate(item, wa), other._estimate(item_b, wb)
        diff = float(ea["estimate"]) - float(eb["estimate"])
        se = float(np.hypot(float(ea["se"]), float(eb["se"])))
        df = min(float(ea.get("df", np.nan)), float(eb.get("df", np.nan)))
        dist = stats.t(df) if np.isfinite(df) else stats.norm()
        q = dist.ppf(0.5 + self.conf_level / 2)
        stat = diff / se if se > 0 else np.nan
        return result_frame([dict(
            labels, estimate_a=float(ea["estimate"]), estimate_b=float(eb["estimate"]),
            difference=diff, estimate=diff, se=se, ci_low=diff - q * se, ci_high=diff + q * se,
            df=df if np.isfinite(df) else np.nan, statistic=stat,
            p_value=float(2 * dist.sf(abs(stat))) if np.isfinite(stat) else np.nan,
            n_a=ra["n"], n_b=rb["n"],
            method=("independent samples, t on the smaller design df" if np.isfinite(df)
                    else "independent samples, z"),
            note="; ".join(notes))])


def _date(wave, value) -> float:
    """A wave's date (``YYYY``, ``YYYY-MM``, ``YYYY-Qn``, ``Oct 2012``...) as a decimal year."""
    from barotrend.cells import CellError, parse_date

    try:
        date, precision = parse_date(value)
    except CellError as err:
        raise ValueError(f"dates[{wave!r}] = {value!r}: {err}") from None
    return date_value(date, precision)


def _covariates(adjust, columns, exclude) -> list:
    """The covariate columns of ``adjust=`` (a name or a list of names), checked."""
    covs = [adjust] if isinstance(adjust, str) else list(adjust)
    if not covs or not all(isinstance(c, str) for c in covs):
        raise ValueError(f"adjust: expected a column name or a list of names, got {adjust!r}")
    for c in covs:
        if c not in columns:
            raise ValueError(f"adjust: {c!r} is not a column of the design")
        if c in exclude:
            raise ValueError(f"adjust: {c!r} is the item, the wave or the group column, not a "
                             "covariate")
    return covs


def _adjusted_model(item, factor, ref, level, covs):
    """``item ~ factor + covariates`` (treatment contrast against ``ref``) from column lookups,
    and the name of the ``factor[level]`` coefficient."""
    from patsy import INTERCEPT, LookupFactor, ModelDesc, Term, Treatment

    f = LookupFactor(factor, force_categorical=True, contrast=Treatment(reference=ref))
    model = ModelDesc([Term([LookupFactor(item)])],
                      [INTERCEPT, Term([f]), *[Term([LookupFactor(c)]) for c in covs]])
    return model, f"{factor}[T.{level}]"


def _interaction_model(item, wave, fw, tw, group, b, a, covs=()):
    """``item ~ wave * group`` (treatment contrasts, references ``fw`` and ``b``) as a patsy
    model of column lookups -- the column names and levels are data, never evaluated as a
    formula's Python (a name like ``__import__("os").system(...)`` or ``sch.wide`` is just a
    key) -- and the name of the ``tw x a`` interaction coefficient."""
    from patsy import INTERCEPT, LookupFactor, ModelDesc, Term, Treatment

    wf = LookupFactor(wave, force_categorical=True, contrast=Treatment(reference=fw))
    gf = LookupFactor(group, force_categorical=True, contrast=Treatment(reference=b))
    model = ModelDesc([Term([LookupFactor(item)])],
                      [INTERCEPT, Term([wf]), Term([gf]), Term([wf, gf]),
                       *[Term([LookupFactor(c)]) for c in covs]])
    return model, f"{wave}[T.{tw}]:{group}[T.{a}]"


def _label(group) -> str:
    """Group label of a result row: "all" for no group, else the level as text (False too)."""
    return "all" if group is None else str(group)


def _lookup(spec, item, wave):
    """``spec[item]``, or ``spec[item][wave]`` when the item's entry is per wave; None if absent."""
    if spec is None:
        return None
    v = spec.get(item)
    return v.get(wave) if isinstance(v, Mapping) else v


def _is_share(values: pd.Series) -> bool:
    """A boolean or 0/1 column (its mean is a proportion)."""
    v = values.dropna()
    return v.dtype == bool or bool(len(v)) and bool(v.isin([0, 1]).all())
