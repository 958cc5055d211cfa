# Reference values from R's survey package (4.1.1) for barotrend's term tests (regTermTest, Wald
# and working-likelihood-ratio), count models (svyglm poisson / quasipoisson), predictive
# margins (svypredmeans + svycontrast) and ordinal regression (svyolr, logit and probit).
#
# Run from the repository root:  Rscript tests/reference/make_fixtures_models2.R
# Data: R's own data sets, read from the CSV files already in tests/reference/data/ (api:
# apiclus1, apistrat, apiclus2 and the JK1 weights of make_fixtures_models.R; nhanes and yrbs:
# written by make_fixtures_parity.R; nhanes is exported again here if absent). Output:
# tests/reference/fixtures_models2.json (numbers with %.17g; NA -> null).
suppressMessages(library(survey))
suppressMessages(library(MASS))
datadir <- file.path("tests", "reference", "data")
f_nh <- file.path(datadir, "nhanes.csv")
if (!file.exists(f_nh)) {
  data(nhanes)
  nhanes$agecat <- as.character(nhanes$agecat)
  write.csv(nhanes, f_nh, row.names = FALSE)
}
rd <- function(nm) read.csv(file.path(datadir, paste0(nm, ".csv")), stringsAsFactors = TRUE)
apiclus1 <- rd("apiclus1"); apistrat <- rd("apistrat"); apiclus2 <- rd("apiclus2")
nhanes <- rd("nhanes")
nhanes$race <- factor(nhanes$race)
nhanes$female <- as.numeric(nhanes$RIAGENDR == 2)
nhanes$agecat <- factor(nhanes$agecat, levels = c("(0,19]", "(19,39]", "(39,59]", "(59,Inf]"))
# mealcat: the ordinal example of survey's svyolr help page (share on free meals, 4 classes)
mealcut <- function(d) { d$mealcat <- cut(d$meals, c(0, 25, 50, 75, 100)); d }
apiclus1 <- mealcut(apiclus1); apistrat <- mealcut(apistrat); apiclus2 <- mealcut(apiclus2)

dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
rw <- as.matrix(read.csv(file.path(datadir, "apiclus1_jk1.csv")))
jk0 <- as.svrepdesign(dclus1, type = "JK1")
jk1 <- svrepdesign(data = apiclus1, repweights = rw, weights = ~pw, type = "JK1",
                   combined.weights = TRUE, scale = jk0$scale, rscales = jk0$rscales)
dnh <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE,
                 data = nhanes)
# post-stratified to the population counts of sch.wide (as make_fixtures_models.R)
apipop <- local({ data(api, package = "survey", envir = environment()); apipop })
pop_sw <- data.frame(sch.wide = c("No", "Yes"),
                     Freq = as.vector(table(apipop$sch.wide)[c("No", "Yes")]))
dclus1_ps <- postStratify(dclus1, ~sch.wide, pop_sw)
api <- list(dclus1 = dclus1, dstrat = dstrat, dclus2 = dclus2, jk1 = jk1, dclus1_ps = dclus1_ps)
for (nm in names(api)) api[[nm]] <- update(api[[nm]], sch_wide_yes = as.numeric(sch.wide == "Yes"))

# ---- the JSON writer shared by the fixture scripts ----------------------------------------
source(file.path("tests", "reference", "json_writer.R"))
tab <- function(g) {
  s <- summary(g)$coefficients
  list(terms = arr(rownames(s)), estimate = arr(s[, 1]), se = arr(s[, 2]),
       statistic = arr(s[, 3]), p_value = arr(s[, 4]), df = g$df.residual,
       deviance = deviance(g))
}
wald <- function(r) list(statistic = r$Ftest[[1]], df = r$df, ddf = r$ddf, p_value = r$p[[1]])
lrt <- function(r) list(chisq = r$chisq[[1]], df = r$df, ddf = r$ddf, p_value = r$p[[1]],
                        lambda = arr(sort(Re(r$lambda), decreasing = TRUE)))
# glm.fit's last QR uses the working weights of the iterate before the converged one; epsilon
# 1e-30 iterates until the deviance stops changing (see make_fixtures_models.R).
ctl <- glm.control(epsilon = 1e-30, maxit = 200)
out <- list()

# ---- 1. term tests: regTermTest(method = "Wald") and (method = "LRT", saddlepoint) ------------
tt <- list()
for (dn in names(api)) {
  d <- api[[dn]]
  g <- svyglm(api00 ~ ell + meals + mobility + stype, d, control = ctl)
  gb <- svyglm(sch_wide_yes ~ ell + meals + stype, d, family = quasibinomial(), control = ctl)
  gi <- svyglm(api00 ~ ell * meals, d, control = ctl)
  tt[[dn]] <- list(
    gaussian = tab(g),
    gaussian_stype = list(wald = wald(regTermTest(g, ~stype)),
                          lrt = lrt(regTermTest(g, ~stype, method = "LRT"))),
    gaussian_ell_meals = list(wald = wald(regTermTest(g, ~ell + meals)),
                              lrt = lrt(regTermTest(g, ~ell + meals, method = "LRT"))),
    binomial = tab(gb),
    binomial_stype = list(wald = wald(regTermTest(gb, ~stype)),
                          lrt = lrt(regTermTest(gb, ~stype, method = "LRT"))),
    interaction = list(wald = wald(regTermTest(gi, ~ell:meals)),
                       lrt = lrt(regTermTest(gi, ~ell:meals, method = "LRT"))))
}
# in a domain: svyglm on subset(design, sch.wide == "Yes")
for (dn in c("dclus1", "dstrat", "jk1")) {
  gd <- svyglm(api00 ~ ell + meals + stype, subset(api[[dn]], sch.wide == "Yes"), control = ctl)
  tt[[dn]]$domain <- list(gaussian = tab(gd),
                          wald = wald(regTermTest(gd, ~stype)),
                          lrt = lrt(regTermTest(gd, ~stype, method = "LRT")))
}
gn <- svyglm(HI_CHOL ~ race + agecat + female, dnh, family = quasibinomial(), control = ctl)
tt$nhanes <- list(binomial = tab(gn),
                  race = list(wald = wald(regTermTest(gn, ~race)),
                              lrt = lrt(regTermTest(gn, ~race, method = "LRT"))),
                  race_agecat = list(wald = wald(regTermTest(gn, ~race + agecat)),
                                     lrt = lrt(regTermTest(gn, ~race + agecat, method = "LRT"))))
# yrbs (a design effect ~23): the test of the intercept alone (regTermTest(g, ~1)); the LRT's
# null model has no coefficient at all (eta = 0, mu = 1/2)
yrbs <- read.csv(file.path(datadir, "yrbs.csv"))
yrbs$qn8yes <- 2 - yrbs$qn8
yd <- svydesign(id = ~psu, weights = ~weight, strata = ~stratum, data = yrbs)
gy <- svyglm(qn8yes ~ 1, yd, family = quasibinomial(), control = ctl)
tt$yrbs <- list(binomial = tab(gy), wald = wald(regTermTest(gy, ~1)),
                lrt = lrt(regTermTest(gy, ~1, method = "LRT")))
out$termtest <- tt

# ---- 2. counts: svyglm(family = poisson / quasipoisson) --------------------------------------
counts <- list()
for (dn in names(api)) {
  d <- api[[dn]]
  gp <- suppressWarnings(svyglm(enroll ~ stype + meals, d, family = poisson(), control = ctl))
  gq <- svyglm(enroll ~ stype + meals, d, family = quasipoisson(), control = ctl)
  counts[[dn]] <- list(poisson = tab(gp), quasipoisson = tab(gq),
                       stype = list(wald = wald(regTermTest(gq, ~stype)),
                                    lrt = lrt(regTermTest(gq, ~stype, method = "LRT"))))
}
out$counts <- counts

# ---- 3. predictive margins: svypredmeans(adjustmodel, ~group) and their differences ----------
margins <- function(pm, ref) {
  lev <- names(coef(pm))
  V <- vcov(pm)
  others <- setdiff(lev, ref)
  diffs <- lapply(others, function(o) {
    k <- svycontrast(pm, setNames(c(1, -1), c(o, ref)))
    list(level = o, estimate = coef(k)[[1]], se = SE(k)[[1]])
  })
  list(levels = arr(lev), estimate = arr(coef(pm)), se = arr(SE(pm)), vcov = arr(as.vector(V)),
       reference = ref, differences = diffs)
}
pm <- list()
for (dn in names(api)) {
  d <- api[[dn]]
  # design = named: svypredmeans' update() of a replicate-design fit fails with a positional
  # design (survey 4.1.1: "invalid subscript type 'list'")
  a <- svyglm(api00 ~ ell + meals, design = d, control = ctl)
  b <- svyglm(sch_wide_yes ~ ell + meals, design = d, family = quasibinomial(), control = ctl)
  pm[[dn]] <- list(gaussian = margins(svypredmeans(a, ~stype), "E"),
                   binomial = margins(svypredmeans(b, ~stype), "E"))
}
nh_cc <- subset(dnh, !is.na(HI_CHOL))
a <- svyglm(HI_CHOL ~ agecat + female, design = nh_cc, family = quasibinomial(), control = ctl)
pm$nhanes <- list(binomial = margins(svypredmeans(a, ~race), "1"))
out$margins <- pm

# ---- 4. ordinal regression: svyolr (proportional odds; logit and probit) ---------------------
# svyolr maximises with optim(BFGS) and takes the Hessian by finite differences of the analytic
# gradient (step ndeps = 1e-3 by default): both are tightened here (reltol 1e-15, step 1e-5) so
# that R's numbers are the converged estimates and the exact sandwich to ~1e-8.
# svyolr's replicate method refits each replicate with MASS::polr at optim's default tolerance
# (1e-8 on the objective, so replicate estimates move by ~1e-5); the replicate variance below
# is the same computation (polr from the full estimate, svrVar) with the tight tolerance, and
# R's own svyolr result is kept as "default".
olrtab <- function(m) {
  v <- vcov(m)
  est <- c(m$coefficients, m$zeta)
  list(terms = arr(names(est)), estimate = arr(est), se = arr(sqrt(diag(v))),
       df = m$df.residual, deviance = m$deviance,
       convergence = if (is.null(m$convergence)) 0 else m$convergence)
}
ctl_o <- function(k) list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-5, k))
olr_rep <- function(formula, design, method) {
  environment(formula) <- environment()  # polr looks weights up where the formula lives
  df <- model.frame(design)
  pwt <- weights(design, "sampling")
  full <- polr(formula, data = df, Hess = TRUE, model = FALSE, weights = pwt, method = method,
               control = list(reltol = 1e-15, maxit = 10000))
  start <- c(full$coefficients, full$zeta)
  rwts <- weights(design, "analysis")
  betas <- apply(rwts, 2, function(w) {
    environment(formula) <- environment()
    m <- polr(formula, data = df, Hess = FALSE, start = start, model = FALSE, weights = w,
              method = method, control = list(reltol = 1e-15, maxit = 10000))
    c(m$coefficients, m$zeta)
  })
  v <- svrVar(t(betas), design$scale, design$rscales, mse = design$mse, coef = start)
  list(terms = arr(names(start)), estimate = arr(start), se = arr(sqrt(diag(v))),
       df = degf(design) - length(full$coefficients), deviance = full$deviance / mean(pwt),
       convergence = full$convergence)
}
olr <- list()
for (meth in c("logistic", "probit")) {
  res <- list()
  for (dn in c("dclus1", "dstrat", "dclus2", "dclus1_ps")) {
    d <- api[[dn]]
    # a calibrated design keeps the rows a missing value drops (prob = Inf), and svyolr's start
    # then fails on the NA of avg.ed ("missing value where TRUE/FALSE needed"): the
    # post-stratified design gets the model without avg.ed
    f <- if (dn == "dclus1_ps") mealcat ~ mobility + stype else mealcat ~ avg.ed + mobility + stype
    k <- if (dn == "dclus1_ps") 6 else 7
    # probit on dclus2: svyolr's own starting values (a glm.fit of 25 iterations) fail
    # ("attempt to find suitable starting values failed"); it is started there from the logistic
    # estimates / 1.7 (start = c(beta, zeta_1, log(diff(zeta))), svyolr's scale)
    res[[dn]] <- tryCatch(olrtab(svyolr(f, d, method = meth, control = ctl_o(k))),
                          error = function(e) {
                            lg <- svyolr(f, d, control = ctl_o(k))
                            b <- lg$coefficients / 1.7; z <- lg$zeta / 1.7
                            st <- c(b, z[1], log(diff(z)))
                            r <- olrtab(svyolr(f, d, method = meth, start = st,
                                               control = ctl_o(k)))
                            r$note <- paste("R's default start failed:", conditionMessage(e))
                            r
                          })
  }
  f <- mealcat ~ avg.ed + mobility + stype
  res$jk1 <- olr_rep(f, api$jk1, if (meth == "logistic") "logistic" else "probit")
  res$jk1_default <- olrtab(svyolr(f, api$jk1, method = meth))
  res$nhanes <- olrtab(svyolr(agecat ~ race + female, dnh, method = meth, control = ctl_o(7)))
  olr[[meth]] <- res
}
# in a domain: svyolr on subset(design, ...) (the full design's PSUs kept for the variance)
olr$domain <- list(
  dclus1 = olrtab(svyolr(mealcat ~ avg.ed + mobility, subset(api$dclus1, stype != "H"),
                         control = ctl_o(5))),
  dstrat = olrtab(svyolr(mealcat ~ avg.ed + mobility, subset(api$dstrat, stype != "H"),
                         control = ctl_o(5))))
# the Wald test of a term of an ordinal model (regTermTest on svyolr)
m1 <- svyolr(mealcat ~ avg.ed + mobility + stype, api$dclus1, control = ctl_o(7))
olr$termtest <- list(stype = wald(regTermTest(m1, ~stype)))
out$ordinal <- olr
# ---- 5. adjusted change / gap / gap change of the microdata Tracker (a stacked design) --------
# The api samples stand in for stacked waves: stype plays the wave (E -> M), sch.wide the group
# (Yes vs No), ell and meals the covariates; each is a survey-weighted linear model in a domain.
coef_row <- function(g, nm) {
  s <- summary(g)$coefficients
  list(term = nm, estimate = s[nm, 1], se = s[nm, 2], statistic = s[nm, 3], p_value = s[nm, 4],
       df = g$df.residual)
}
tracker <- list()
for (dn in c("dclus1", "dstrat", "jk1")) {
  d <- api[[dn]]
  tracker[[dn]] <- list(
    change = coef_row(svyglm(api00 ~ stype + ell + meals, subset(d, stype %in% c("E", "M")),
                             control = ctl), "stypeM"),
    gap = coef_row(svyglm(api00 ~ sch.wide + ell + meals, subset(d, stype == "E"),
                          control = ctl), "sch.wideYes"),
    gap_change = coef_row(svyglm(api00 ~ stype * sch.wide + ell + meals,
                                 subset(d, stype %in% c("E", "M")), control = ctl),
                          "stypeM:sch.wideYes"))
}
out$tracker <- tracker
out$mealcat_counts <- list(dclus1 = arr(as.vector(table(apiclus1$mealcat, useNA = "always"))),
                           dstrat = arr(as.vector(table(apistrat$mealcat, useNA = "always"))))
out$versions <- list(R = R.version.string, survey = as.character(packageVersion("survey")),
                     MASS = as.character(packageVersion("MASS")))

writeLines(to_json(out), file.path("tests", "reference", "fixtures_models2.json"))
cat("wrote tests/reference/fixtures_models2.json\n")
