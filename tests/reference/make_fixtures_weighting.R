# Fixtures for barotrend.weighting, generated with R's survey package.
#
# Run from the repository root:  Rscript tests/reference/make_fixtures_weighting.R
# Writes tests/reference/fixtures_weighting.json (JSON written by hand with
# sprintf("%.17g") so that no JSON package is needed).
#
# Data: the California API samples shipped with survey (data(api)): apistrat (stratified by
# school type, fpc) and apiclus1 (one-stage cluster sample of districts, fpc), read from the
# CSV files in tests/reference/data/ shared with the design fixtures (written from data(api)
# when missing), so that R and Python use the same numbers. The JK1 replicate weights of
# apiclus1 are those of tests/reference/data/apiclus1_jk1.csv (as.svrepdesign(dclus1, "JK1")).
# Population targets come from apipop. Every case records the adjusted weights and
# svymean(~api00) and svytotal(~enroll) with their standard errors.
suppressPackageStartupMessages(library(survey))
data(api)
datadir <- file.path("tests", "reference", "data")
dir.create(datadir, showWarnings = FALSE, recursive = TRUE)
for (nm in c("apistrat", "apiclus1")) {
  f <- file.path(datadir, paste0(nm, ".csv"))
  if (!file.exists(f)) write.csv(get(nm), f, row.names = FALSE)
}
rd <- function(nm) read.csv(file.path(datadir, paste0(nm, ".csv")), stringsAsFactors = TRUE)
apistrat <- rd("apistrat")
apiclus1 <- rd("apiclus1")

num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
str_ <- function(x) paste0('"', x, '"')
named <- function(x) paste0("{", paste(str_(names(x)), num(x), sep = ": ", collapse = ", "), "}")

pop_stype <- table(apipop$stype)
pop_schwide <- table(apipop$sch.wide)
pop_both <- table(apipop$stype, apipop$sch.wide)
N <- nrow(apipop)
T_api99 <- sum(apipop$api99)

ps_stype <- data.frame(stype = names(pop_stype), Freq = as.vector(pop_stype))
ps_schwide <- data.frame(sch.wide = names(pop_schwide), Freq = as.vector(pop_schwide))
ps_both <- as.data.frame(pop_both)
names(ps_both) <- c("stype", "sch.wide", "Freq")
cal_pop <- c(`(Intercept)` = N, stypeH = pop_stype[["H"]], stypeM = pop_stype[["M"]],
             api99 = T_api99)

designs <- list(
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  clus1 = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
)
tight <- list(maxit = 200, epsilon = 1e-14)

adjust <- list(
  poststratify_stype = function(d) postStratify(d, ~stype, ps_stype),
  poststratify_stype_schwide = function(d) postStratify(d, ~stype + sch.wide, ps_both),
  rake_stype_schwide = function(d) rake(d, list(~stype, ~sch.wide), list(ps_stype, ps_schwide),
                                        control = tight),
  calibrate_linear = function(d) calibrate(d, ~stype + api99, cal_pop, epsilon = 1e-13),
  calibrate_raking = function(d) calibrate(d, ~stype + api99, cal_pop, calfun = "raking",
                                           epsilon = 1e-13),
  calibrate_logit = function(d) calibrate(d, ~stype + api99, cal_pop, calfun = "logit",
                                          bounds = c(0.5, 1.6), epsilon = 1e-13),
  calibrate_linear_bounded = function(d) calibrate(d, ~stype + api99, cal_pop,
                                                   bounds = c(0.8, 1.2), epsilon = 1e-13),
  trim_upper40 = function(d) trimWeights(d, upper = 40),
  trim_lower18_upper35 = function(d) trimWeights(d, lower = 18, upper = 35),
  trim_lower18_upper35_strict = function(d) trimWeights(d, lower = 18, upper = 35, strict = TRUE),
  calibrate_linear_then_trim36 = function(d) trimWeights(calibrate(d, ~stype + api99, cal_pop),
                                                         upper = 36, strict = TRUE),
  poststratify_stype_then_calibrate_linear = function(d)
    calibrate(postStratify(d, ~stype, ps_stype), ~stype + api99, cal_pop),
  rake_then_poststratify_schwide = function(d)
    postStratify(rake(d, list(~stype, ~sch.wide), list(ps_stype, ps_schwide), control = tight),
                 ~sch.wide, ps_schwide)
)

# R cannot meet linear bounds 0.8-1.2 on apiclus1: record its error
infeasible <- tryCatch({
  suppressWarnings(calibrate(designs$clus1, ~stype + api99, cal_pop, bounds = c(0.8, 1.2)))
  "none"
}, error = function(e) conditionMessage(e))

cases <- character(0)
for (dn in names(designs)) {
  for (an in names(adjust)) {
    if (dn == "clus1" && grepl("^trim", an)) next  # apiclus1 weights are all equal
    d <- tryCatch(adjust[[an]](designs[[dn]]), error = function(e) NULL, warning = function(w) NULL)
    if (is.null(d)) { message("skipped ", dn, " ", an); next }
    m <- svymean(~api00, d); t <- svytotal(~enroll, d)
    cases <- c(cases, paste0(
      "{", str_("design"), ": ", str_(dn), ", ", str_("adjustment"), ": ", str_(an), ", ",
      str_("weights"), ": ", arr(weights(d)), ", ",
      str_("mean_api00"), ": ", arr(c(coef(m), SE(m))), ", ",
      str_("total_enroll"), ": ", arr(c(coef(t), SE(t))), "}"))
  }
}

# Replicate designs: jackknife (JK1) of apiclus1 with the replicate weights written out, then
# each adjustment redone on every replicate (survey's svyrep methods).
rep1 <- as.svrepdesign(designs$clus1, type = "JK1")
rep_adjust <- adjust[c("poststratify_stype", "rake_stype_schwide", "calibrate_linear",
                       "calibrate_raking")]
# the replicates of apiclus1 cannot meet the logit bounds 0.5-1.6, so wider bounds here
rep_adjust$calibrate_logit_wide <- function(d)
  calibrate(d, ~stype + api99, cal_pop, calfun = "logit", bounds = c(0.2, 3), epsilon = 1e-13)
rep_cases <- character(0)
for (an in c("none", names(rep_adjust))) {
  d <- if (an == "none") rep1 else rep_adjust[[an]](rep1)
  m <- svymean(~api00, d); t <- svytotal(~enroll, d)
  rep_cases <- c(rep_cases, paste0(
    "{", str_("adjustment"), ": ", str_(an), ", ",
    str_("weights"), ": ", arr(weights(d, "sampling")), ", ",
    str_("mean_api00"), ": ", arr(c(coef(m), SE(m))), ", ",
    str_("total_enroll"), ": ", arr(c(coef(t), SE(t))), "}"))
}

out <- paste0(
  "{\n", str_("generated_by"), ": ", str_(paste("R", getRversion(), "survey",
                                                 packageVersion("survey"))), ",\n",
  str_("population"), ": {", str_("N"), ": ", num(N), ", ", str_("api99"), ": ", num(T_api99),
  ", ", str_("stype"), ": ", named(c(pop_stype)), ", ", str_("sch.wide"), ": ",
  named(c(pop_schwide)), ", ", str_("stype_schwide"), ": [",
  paste0("[", str_(ps_both$stype), ", ", str_(ps_both$sch.wide), ", ", num(ps_both$Freq), "]",
         collapse = ", "), "]},\n",
  str_("bounds"), ": {", str_("calibrate_logit"), ": [0.5, 1.6], ",
  str_("calibrate_linear_bounded"), ": [0.8, 1.2], ", str_("calibrate_logit_wide"),
  ": [0.2, 3]},\n",
  str_("infeasible"), ": {", str_("design"), ": ", str_("clus1"), ", ", str_("bounds"),
  ": [0.8, 1.2], ", str_("calfun"), ": ", str_("linear"), ", ", str_("r_error"), ": ",
  str_(infeasible), "},\n",
  str_("cases"), ": [\n", paste(cases, collapse = ",\n"), "\n],\n",
  str_("jk1_clus1"), ": {", str_("scale"), ": ", num(rep1$scale), ", ",
  str_("rscales"), ": ", arr(rep1$rscales), ", ", str_("mse"), ": ",
  ifelse(isTRUE(rep1$mse), "true", "false"), ",\n",
  str_("cases"), ": [\n", paste(rep_cases, collapse = ",\n"), "\n]}\n}\n")
writeLines(out, "tests/reference/fixtures_weighting.json")
