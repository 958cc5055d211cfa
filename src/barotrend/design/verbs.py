"""The analysis verbs of a design: thin delegates to the modules that implement them.

A mixin of :class:`barotrend.design.Design`, so that ``design.mean(...)``,
``design.compare(...)``, ``design.rake(...)`` ... read as in R's ``survey`` while each method
lives in its own module (imported on first use: the weighting package imports the design).
"""

from __future__ import annotations


class VerbsMixin:
    """Estimators, comparisons, models and weighting adjustments of a design."""

    def mean(self, var, by=None, na_rm=False):
        """Weighted mean with design-based SE; see :func:`barotrend.design.estimators.mean`."""
        from barotrend.design import estimators
        return estimators.mean(self, var, by=by, na_rm=na_rm)

    def total(self, var, by=None, na_rm=False):
        """Weighted total with design-based SE; see :func:`barotrend.design.estimators.total`."""
        from barotrend.design import estimators
        return estimators.total(self, var, by=by, na_rm=na_rm)

    def ratio(self, num, den, by=None, na_rm=False):
        """Ratio of totals; see :func:`barotrend.design.estimators.ratio`."""
        from barotrend.design import estimators
        return estimators.ratio(self, num, den, by=by, na_rm=na_rm)

    def proportion(self, var, by=None, method="logit", conf_level=0.95, na_rm=False):
        """Share of each level; see :func:`barotrend.design.estimators.proportion`."""
        from barotrend.design import estimators
        return estimators.proportion(self, var, by=by, method=method, conf_level=conf_level,
                                     na_rm=na_rm)

    def quantile(self, var, probs=0.5, by=None, *, qrule="math", interval="mean",
                 conf_level=0.95, na_rm=False):
        """Quantiles with Woodruff intervals (R's ``svyquantile``); see
        :func:`barotrend.design.quantiles.quantile`."""
        from barotrend.design.quantiles import quantile
        return quantile(self, var, probs, by, qrule=qrule, interval=interval,
                        conf_level=conf_level, na_rm=na_rm)

    def var(self, var, by=None, na_rm=False):
        """Population variance of a column with its SE (R's ``svyvar``); see
        :func:`barotrend.design.popvariance.variance`."""
        from barotrend.design.popvariance import variance
        return variance(self, var, by=by, na_rm=na_rm)

    def replicate(self, kind, **options):
        """Replicate-weight version of this design; see
        :func:`barotrend.design.replicate.make_replicate`."""
        from barotrend.design.replicate import make_replicate
        if self.pps is not None:
            raise ValueError(f"replicate: {self.pps.describe()} designs have no replicate "
                             "conversion here (their variance is the PPS formula)")
        return make_replicate(self, kind, **options)

    def ttest(self, var, by=None, *, mu=0.0, conf_level=0.95):
        """Design-based t test of a mean or of a two-group difference (R's ``svyttest``); see
        :func:`barotrend.design.ttest.ttest`."""
        from barotrend.design.ttest import ttest
        return ttest(self, var, by=by, mu=mu, conf_level=conf_level)

    def joint_means(self, vars, by=None, na_rm=False):
        """Means of several variables and/or domains with their full covariance (R's
        ``svymean(~a + b)``, ``svyby(covmat=TRUE)``); see
        :func:`barotrend.design.lincontrast.joint_means`."""
        from barotrend.design.lincontrast import joint_means
        return joint_means(self, vars, by=by, na_rm=na_rm)

    def contrast(self, vars, coefficients, by=None, *, conf_level=0.95, df=None, na_rm=False):
        """Linear contrast of means over any number of domains and variables with a design t
        test (R's ``svycontrast``); see :func:`barotrend.design.lincontrast.contrast`."""
        from barotrend.design.lincontrast import contrast
        return contrast(self, vars, coefficients, by=by, conf_level=conf_level, df=df,
                        na_rm=na_rm)

    def compare(self, var, by, a, b, *, level=None, conf_level=0.95, df=None):
        """Difference ``a - b`` between two domains of ``by`` with its covariance and a design
        t test; see :func:`barotrend.design.contrasts.compare`."""
        from barotrend.design.contrasts import compare
        return compare(self, var, by, a, b, level=level, conf_level=conf_level, df=df)

    def chisq(self, row, col, statistic="F"):
        """Rao-Scott (``"F"``, ``"Chisq"``) or Wald (``"Wald"``, ``"adjWald"``) test of
        association; see :func:`barotrend.design.chisq.chisq`."""
        from barotrend.design.chisq import chisq
        return chisq(self, row, col, statistic=statistic)

    def glm(self, formula, family="gaussian", *, subset=None, conf_level=0.95, tol=1e-12,
            maxiter=100):
        """Survey-weighted GLM (``"gaussian"``, ``"binomial"``, ``"poisson"``,
        ``"quasipoisson"``) with design-based SEs, in the whole population or a domain
        (``subset``); its ``.term_test(...)`` tests terms. See :func:`barotrend.design.glm.glm`."""
        from barotrend.design.glm import glm
        return glm(self, formula, family=family, subset=subset, conf_level=conf_level, tol=tol,
                   maxiter=maxiter, eval_env=1)

    def margins(self, formula, by, family="gaussian", *, subset=None, reference=None,
                conf_level=0.95):
        """Predictive margins (adjusted means or shares) of the groups of ``by`` and their
        differences (R's ``svypredmeans``); see :func:`barotrend.design.margins.margins`."""
        from barotrend.design.margins import margins
        return margins(self, formula, by, family=family, subset=subset, reference=reference,
                       conf_level=conf_level, eval_env=1)

    def ordinal(self, formula, link="logit", *, levels=None, subset=None, conf_level=0.95,
                tol=1e-10, maxiter=100):
        """Survey-weighted proportional-odds (``"logit"``) or ordinal probit regression (R's
        ``svyolr``); see :func:`barotrend.design.ordinal.ordinal`."""
        from barotrend.design.ordinal import ordinal
        return ordinal(self, formula, link=link, levels=levels, subset=subset,
                       conf_level=conf_level, tol=tol, maxiter=maxiter, eval_env=1)

    def poststratify(self, strata, population):
        """New design post-stratified to population counts; see
        :func:`barotrend.weighting.poststratify`."""
        from barotrend.weighting import poststratify
        return poststratify(self, strata, population)

    def rake(self, margins, max_iter=1000, tol=1e-12):
        """New design raked to several margins; see :func:`barotrend.weighting.rake`."""
        from barotrend.weighting import rake
        return rake(self, margins, max_iter=max_iter, tol=tol)

    def calibrate(self, totals, calfun="linear", bounds=None, population_size=None,
                  max_iter=50, tol=1e-10):
        """New design calibrated to population totals (linear, raking or logit); see
        :func:`barotrend.weighting.calibrate`."""
        from barotrend.weighting import calibrate
        return calibrate(self, totals, calfun=calfun, bounds=bounds,
                         population_size=population_size, max_iter=max_iter, tol=tol)

    def trim(self, lower=None, upper=None, relative_to=None, strict=False, max_iter=1000):
        """New design with trimmed weights, the excess redistributed; see
        :func:`barotrend.weighting.trim`."""
        from barotrend.weighting import trim
        return trim(self, lower=lower, upper=upper, relative_to=relative_to, strict=strict,
                    max_iter=max_iter)

    def adjust_nonresponse(self, responded, by=None, model=None, method="class", n_classes=5,
                           min_respondents=5, weight_name="nr_weight", max_iter=100):
        """Design of the respondents, weights adjusted for non-response; ``self`` is the design
        of all sampled units, respondents and non-respondents. See
        :func:`barotrend.weighting.adjust_nonresponse`."""
        from barotrend.weighting import adjust_nonresponse
        return adjust_nonresponse(self, responded, by=by, model=model, method=method,
                                  n_classes=n_classes, min_respondents=min_respondents,
                                  weight_name=weight_name, max_iter=max_iter)
