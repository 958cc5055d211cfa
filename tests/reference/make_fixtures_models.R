# Reference values from R's survey package for barotrend's proportion intervals, domain
# contrasts, Rao-Scott / Wald tests of association and survey-weighted GLMs.
#
# Run from the repository root:  Rscript tests/reference/make_fixtures_models.R
# Reads (and, when missing, first writes) the api data sets as CSV in tests/reference/data/,
# so that R and Python work from the same files; writes tests/reference/fixtures_models.json.
# JSON is written by hand (jsonlite may be absent) with 17 significant digits.

suppressMessages(library(survey))
data(api)
datadir <- file.path("tests", "reference", "data")
dir.create(datadir, showWarnings = FALSE, recursive = TRUE)
for (nm in c("apistrat", "apiclus1", "apiclus2")) {
  f <- file.path(datadir, paste0(nm, ".csv"))
  if (!file.exists(f)) write.csv(get(nm), f, row.names = FALSE)
}
rd <- function(nm) read.csv(file.path(datadir, paste0(nm, ".csv")), stringsAsFactors = TRUE)
apistrat <- rd("apistrat")
apiclus1 <- rd("apiclus1")
apiclus2 <- rd("apiclus2")

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
djk1 <- as.svrepdesign(dclus1, type = "JK1")

# The JK1 replicate weights (analysis weights, pw times the replicate factor) for Python.
rw <- weights(djk1, "analysis")
colnames(rw) <- paste0("rep", seq_len(ncol(rw)))
write.csv(data.frame(rw), file.path(datadir, "apiclus1_jk1.csv"), row.names = FALSE)

# Post-stratified to the population counts of sch.wide (calibration residuals enter the
# linearised variance).
pop_sw <- data.frame(sch.wide = c("No", "Yes"),
                     Freq = as.vector(table(apipop$sch.wide)[c("No", "Yes")]))
dps <- postStratify(dclus1, ~sch.wide, pop_sw)

designs <- list(dclus1 = dclus1, dstrat = dstrat, dclus2 = dclus2, jk1 = djk1, dclus1_ps = dps)

# ---- the JSON writer shared by the fixture scripts ----------------------------------------
source(file.path("tests", "reference", "json_writer.R"))

out <- list()
out$poststrata <- list(sch_wide = as.list(setNames(pop_sw$Freq, pop_sw$sch.wide)))
out$jk1 <- list(scale = djk1$scale, rscales = arr(djk1$rscales), mse = djk1$mse, df = degf(djk1))

# ---- proportion intervals (svyciprop) -----------------------------------------------------
methods <- c("logit", "likelihood", "asin", "beta", "mean", "xlogit")
ciprop <- list()
for (dn in c("dclus1", "dstrat", "dclus2", "jk1")) {
  d <- designs[[dn]]
  for (yv in c("sch_wide", "stype_H")) {
    d2 <- update(d, y = as.numeric(if (yv == "sch_wide") sch.wide == "Yes" else stype == "H"))
    m <- svymean(~y, d2)
    # Tight IRLS tolerance: the replicate refits of a JK1 design are then fully converged
    # (svyciprop itself fits with the default epsilon 1e-8).
    g <- svyglm(y ~ 1, d2, family = quasibinomial(),
                control = glm.control(epsilon = 1e-14, maxit = 100))
    for (lev in c(0.95, 0.9)) {
      rec <- list(design = dn, variable = yv, level = lev, estimate = coef(m)[[1]],
                  se = SE(m)[[1]], n = nrow(d2), df = degf(d2), se_logit = SE(g)[[1]],
                  dispersion = summary(g)$dispersion[[1]])
      # svyciprop's own svyglm stops at R's default IRLS tolerance, and confint.svyglm takes
      # the model-based variance from the penultimate IRLS iterate, so its "likelihood" limits
      # carry errors of ~1e-6. The same computation on a fit iterated to machine precision:
      gx <- suppressWarnings(svyglm(y ~ 1, d2, family = quasibinomial(),
                                    control = glm.control(epsilon = 1e-300, maxit = 60)))
      rec$likelihood_converged <- tryCatch(
        arr(as.numeric(plogis(confint(gx, 1, level = lev, method = "likelihood",
                                      ddf = degf(d2))))),
        error = function(e) arr(c(NA, NA)))
      for (meth in methods) {
        # R's profile-likelihood spline can fail on a coarse profile; record null then.
        ci <- tryCatch(attr(svyciprop(~y, d2, method = meth, level = lev), "ci"),
                       error = function(e) c(NA, NA))
        rec[[meth]] <- arr(as.numeric(ci))
      }
      ciprop[[length(ciprop) + 1]] <- rec
    }
  }
}
out$ciprop <- ciprop

# ---- domain contrasts (svyby covmat + svycontrast) and svyttest ----------------------------
compare <- list()
for (dn in names(designs)) {
  d <- designs[[dn]]
  if (is.null(d$postStrata)) {
    b <- svyby(~api00, ~stype, d, svymean, covmat = TRUE)
    k <- svycontrast(b, c(E = 1, H = -1))
    est <- coef(k)[[1]]
    se <- SE(k)[[1]]
    covab <- vcov(b)["E", "H"]
  } else {
    # svyby(covmat=TRUE) fails on post-stratified designs (survey 4.1.1); the same contrast is
    # the coefficient of the E indicator in a regression on the E and H rows (a domain of the
    # full design: subset() of a calibrated design keeps every row).
    b <- svyby(~api00, ~stype, d, svymean)
    g <- svyglm(api00 ~ I(stype == "E"), subset(d, stype %in% c("E", "H")))
    est <- coef(g)[[2]]
    se <- SE(g)[[2]]
    covab <- (SE(b)[[1]]^2 + SE(b)[[2]]^2 - se^2) / 2
  }
  tt <- svyttest(api00 ~ sch.wide, d)
  seb <- setNames(as.numeric(SE(b)), names(coef(b)))
  share <- NULL
  if (is.null(d$postStrata)) {
    bs <- svyby(~yes, ~stype, update(d, yes = as.numeric(sch.wide == "Yes")), svymean,
                covmat = TRUE)
    ks <- svycontrast(bs, c(E = 1, H = -1))
    share <- list(difference = coef(ks)[[1]], se = SE(ks)[[1]])
  }
  compare[[dn]] <- list(
    a = "E", b = "H", estimate_a = coef(b)[["E"]], estimate_b = coef(b)[["H"]],
    se_a = seb[["E"]], se_b = seb[["H"]], difference = est, se = se,
    cov_ab = covab, df = degf(d), statistic = est / se,
    p_value = 2 * pt(-abs(est / se), degf(d)),
    ttest = list(difference = tt$estimate[[1]], statistic = tt$statistic[[1]],
                 df = tt$parameter[[1]], p_value = tt$p.value[[1]],
                 ci = arr(as.numeric(tt$conf.int))))
  compare[[dn]]$share <- share
}
out$compare <- compare

# ---- tests of association (svychisq) ------------------------------------------------------
chisq <- list()
for (dn in names(designs)) {
  d <- designs[[dn]]
  res <- list()
  for (st in c("F", "Chisq", "Wald", "adjWald", "saddlepoint")) {
    r <- svychisq(~sch.wide + stype, d, statistic = st)
    res[[st]] <- list(statistic = r$statistic[[1]], parameter = arr(as.numeric(r$parameter)),
                      p_value = r$p.value[[1]])
  }
  chisq[[dn]] <- res
}
out$chisq <- chisq

# ---- svychisq with missing values: sch.wide NA in rows 5, 41, 100 and stype NA in 3, 10, 40 --
a_na <- apiclus1
a_na$stype[c(3, 10, 40)] <- NA
a_na$sch.wide[c(5, 41, 100)] <- NA
d_na <- svydesign(id = ~dnum, weights = ~pw, data = a_na, fpc = ~fpc)
d_cc <- subset(d_na, !is.na(stype) & !is.na(sch.wide))
chisq_na <- list()
for (st in c("F", "Chisq", "Wald", "adjWald", "saddlepoint")) {
  r <- svychisq(~sch.wide + stype, d_na, statistic = st)
  rc <- svychisq(~sch.wide + stype, d_cc, statistic = st)
  chisq_na[[st]] <- list(statistic = r$statistic[[1]], parameter = arr(as.numeric(r$parameter)),
                         p_value = r$p.value[[1]], statistic_subset = rc$statistic[[1]])
}
out$chisq_na <- chisq_na

# ---- survey-weighted GLMs (svyglm) ---------------------------------------------------------
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
tab <- function(g) {
  s <- summary(g)$coefficients
  list(terms = arr(rownames(s)), estimate = arr(s[, 1]), se = arr(s[, 2]),
       statistic = arr(s[, 3]), p_value = arr(s[, 4]), df = g$df.residual)
}
glms <- list()
for (dn in names(designs)) {
  d <- update(designs[[dn]], sch_wide_yes = as.numeric(sch.wide == "Yes"))
  glms[[dn]] <- list(
    gaussian = tab(svyglm(api00 ~ ell + meals + mobility, d, control = ctl)),
    binomial = tab(svyglm(sch_wide_yes ~ ell + meals, d, family = quasibinomial(),
                          control = ctl)))
}
out$glm <- glms

# ---- GLMs in a domain: svyglm on subset(design, ...), the full design kept for the variance --
# glm.fit's last QR (the A^-1 of the sandwich) uses the working weights of the iterate before
# the converged one; at epsilon 1e-14 that moves the SEs by up to ~1e-8 relative (svyglm ignores
# start=). epsilon 1e-30 runs IRLS until the deviance stops changing, so those weights are the
# converged ones (the estimates are the same to 1e-15).
ctl_exact <- glm.control(epsilon = 1e-30, maxit = 100)
glm_domains <- list()
for (dn in names(designs)) {
  d <- update(designs[[dn]], sch_wide_yes = as.numeric(sch.wide == "Yes"))
  glm_domains[[dn]] <- list(
    gaussian = tab(svyglm(api00 ~ ell + meals, subset(d, stype == "E"), control = ctl_exact)),
    binomial = tab(svyglm(sch_wide_yes ~ ell, subset(d, stype != "H"),
                          family = quasibinomial(), control = ctl_exact)))
}
out$glm_domain <- glm_domains
out$versions <- list(R = R.version.string, survey = as.character(packageVersion("survey")))

writeLines(to_json(out), file.path("tests", "reference", "fixtures_models.json"))
cat("wrote tests/reference/fixtures_models.json\n")
