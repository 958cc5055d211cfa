# Reference values from R's survey package for barotrend.design (Design, estimators, replicate
# designs). Run from the repository root:  Rscript tests/reference/make_fixtures_design.R
#
# Data: the California API samples shipped with survey (data(api)), exported to CSV if absent,
# and the synthetic twostage/lonely/brr samples written by make_data_design.py.
# Output: tests/reference/fixtures_design.json (numbers printed with %.17g; NA -> null).
# Design effects are R's deff="replace" (against SRS with replacement).
suppressMessages(library(survey))
datadir <- file.path("tests", "reference", "data")
data(api)
for (nm in c("apisrs", "apistrat", "apiclus1", "apiclus2")) {
  f <- file.path(datadir, paste0(nm, ".csv"))
  if (!file.exists(f)) write.csv(get(nm), f, row.names = FALSE)
}
rd <- function(nm) read.csv(file.path(datadir, paste0(nm, ".csv")))
apisrs <- rd("apisrs"); apistrat <- rd("apistrat"); apiclus1 <- rd("apiclus1")
apiclus2 <- rd("apiclus2")
twostage <- rd("twostage"); lonely <- rd("lonely"); brr <- rd("brr")

num <- function(x) {
  x <- as.numeric(x)
  paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ", "), "]")
}
out <- list()
deffby <- function(b) as.matrix(as.data.frame(b)[, grep("^DEff", names(b)), drop = FALSE])
put <- function(name, ...) {
  fields <- list(...)
  body <- paste(sprintf('"%s": %s', names(fields), sapply(fields, num)), collapse = ", ")
  out[[name]] <<- sprintf('  "%s": {%s}', name, body)
}
stat <- function(name, s, df) {
  put(name, estimate = coef(s), se = SE(s), deff = if (is.null(attr(s, "deff"))) NA
      else diag(as.matrix(attr(s, "deff"))), df = df)
}
byfix <- function(name, b, des, byvar) {
  levs <- as.character(b[[byvar]])
  dfs <- sapply(levs, function(l) degf(subset(des, des$variables[[byvar]] == l)))
  put(name, estimate = coef(b), se = SE(b), deff = deffby(b), df = dfs)
}

designs <- list(
  srs = svydesign(id = ~1, fpc = ~fpc, data = apisrs),
  srs_wr = svydesign(id = ~1, weights = ~pw, data = apisrs),
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  clus1 = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
  clus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2),
  clus2_w = svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
)
for (nm in names(designs)) {
  des <- designs[[nm]]
  put(paste0(nm, "_info"), df = degf(des), weights = weights(des))
  stat(paste0(nm, "_mean_api00"), svymean(~api00, des, deff = "replace"), degf(des))
  stat(paste0(nm, "_total_enroll"), svytotal(~enroll, des, deff = "replace", na.rm = TRUE),
       degf(subset(des, !is.na(enroll))))
  r <- svyratio(~api00, ~api99, des)
  put(paste0(nm, "_ratio"), estimate = coef(r), se = SE(r), df = degf(des))
  stat(paste0(nm, "_prop_stype"), svymean(~stype, des, deff = "replace"), degf(des))
  byfix(paste0(nm, "_by_stype_mean_api00"),
        svyby(~api00, ~stype, des, svymean, deff = "replace"), des, "stype")
  byfix(paste0(nm, "_by_stype_total_api00"),
        svyby(~api00, ~stype, des, svytotal, deff = "replace"), des, "stype")
  b <- svyby(~api00, ~stype, des, svyratio, denominator = ~api99)
  put(paste0(nm, "_by_stype_ratio"), estimate = coef(b), se = SE(b))
  byfix(paste0(nm, "_by_awards_prop_sch"),
        svyby(~I(as.numeric(sch.wide == "Yes")), ~awards, des, svymean, deff = "replace"), des, "awards")
  m <- svymean(~api00, des)
  put(paste0(nm, "_confint_api00"), ci = confint(m, df = degf(des)))
}
# proportion intervals through Design.proportion: svyciprop overall and by domain
for (nm in c("strat", "clus1", "clus2")) {
  des <- designs[[nm]]
  for (m in c("logit", "beta", "mean", "asin", "xlogit")) {
    ci <- confint(svyciprop(~I(sch.wide == "Yes"), des, method = m))
    put(paste0(nm, "_ciprop_", m), ci = ci)
    b <- svyby(~I(sch.wide == "Yes"), ~stype, des, svyciprop, method = m, vartype = "ci")
    put(paste0(nm, "_by_stype_ciprop_", m), low = b$ci_l, high = b$ci_u)
  }
}
# na.rm: enroll missing in apiclus2, avg.ed in apiclus1
s <- svymean(~enroll, designs$clus2, na.rm = TRUE, deff = "replace")
stat("clus2_mean_enroll_narm", s, degf(subset(designs$clus2, !is.na(enroll))))
s <- svymean(~avg.ed, designs$clus1, na.rm = TRUE, deff = "replace")
stat("clus1_mean_avged_narm", s, degf(subset(designs$clus1, !is.na(avg.ed))))
put("clus2_mean_enroll_na", estimate = coef(svymean(~enroll, designs$clus2)))
b <- svyby(~enroll, ~stype, designs$clus2, svymean, na.rm = TRUE, deff = "replace")
put("clus2_by_stype_mean_enroll_narm", estimate = coef(b), se = SE(b), deff = deffby(b))

# synthetic stratified two-stage design, psu ids repeated across strata, fpc at both stages
two <- svydesign(id = ~psu + ssu, strata = ~stratum, fpc = ~fpc1 + fpc2, weights = ~w,
                 nest = TRUE, data = twostage)
two1 <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = twostage)
for (nm in c("two", "two1")) {
  des <- get(nm)
  put(paste0(nm, "_info"), df = degf(des))
  stat(paste0(nm, "_mean_y_narm"), svymean(~y, des, na.rm = TRUE, deff = "replace"),
       degf(subset(des, !is.na(y))))
  stat(paste0(nm, "_total_x"), svytotal(~x, des, deff = "replace"), degf(des))
  r <- svyratio(~y, ~x, des, na.rm = TRUE)
  put(paste0(nm, "_ratio_y_x_narm"), estimate = coef(r), se = SE(r))
  stat(paste0(nm, "_prop_cat"), svymean(~factor(cat), des, deff = "replace"), degf(des))
  stat(paste0(nm, "_mean_bin"), svymean(~bin, des, deff = "replace"), degf(des))
  b <- svyby(~x, ~dom, des, svymean, deff = "replace")
  byfix(paste0(nm, "_by_dom_mean_x"), b, des, "dom")
  b <- svyby(~y, ~dom, des, svymean, na.rm = TRUE, deff = "replace")
  put(paste0(nm, "_by_dom_mean_y_narm"), estimate = coef(b), se = SE(b), deff = deffby(b))
  b <- svyby(~factor(cat), ~dom, des, svymean, deff = "replace")
  put(paste0(nm, "_by_dom_prop_cat"), estimate = as.vector(coef(b)),
      se = as.vector(as.matrix(SE(b))), deff = as.vector(deffby(b)))
}
# vcov of two domain means (for covariance through zeroed influence)
b <- svyby(~x, ~dom, two, svymean, covmat = TRUE)
put("two_by_dom_mean_x_vcov", vcov = as.vector(vcov(b)))

# lonely PSU policies (stratum s4 has one PSU)
for (opt in c("remove", "adjust", "average", "certainty")) {
  options(survey.lonely.psu = opt)
  des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = lonely)
  stat(paste0("lonely_", opt, "_mean_y"), svymean(~y, des, deff = "replace"), degf(des))
  stat(paste0("lonely_", opt, "_total_y"), svytotal(~y, des, deff = "replace"), degf(des))
}
options(survey.lonely.psu = "fail")

# replicate designs
rep_case <- function(name, rdes, y = ~api00, by = ~stype, ratio = c("api00", "api99")) {
  put(paste0(name, "_info"), df = degf(rdes), scale = rdes$scale, rscales = rdes$rscales,
      nrep = ncol(rdes$repweights$weights %||% rdes$repweights))
  stat(paste0(name, "_mean"), svymean(y, rdes, deff = "replace"), degf(rdes))
  stat(paste0(name, "_total"), svytotal(y, rdes), degf(rdes))
  r <- svyratio(as.formula(paste0("~", ratio[1])), as.formula(paste0("~", ratio[2])), rdes)
  put(paste0(name, "_ratio"), estimate = coef(r), se = SE(r))
  b <- svyby(y, by, rdes, svymean, deff = "replace")
  put(paste0(name, "_by_mean"), estimate = coef(b), se = SE(b), deff = deffby(b))
}
`%||%` <- function(a, b) if (is.null(a)) b else a
rep_case("jk1_clus1", as.svrepdesign(designs$clus1, type = "JK1"))
rep_case("jk1_clus1_mse", as.svrepdesign(designs$clus1, type = "JK1", mse = TRUE))
rep_case("jkn_strat", as.svrepdesign(designs$strat, type = "JKn"))
rep_case("jkn_two1", as.svrepdesign(two1, type = "JKn"), y = ~x, by = ~dom,
         ratio = c("x", "bin"))
sylv <- function(k) { h <- matrix(1); while (nrow(h) < k) h <- rbind(cbind(h, h), cbind(h, -h)); h }
dbrr <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = brr)
rep_case("brr", as.svrepdesign(dbrr, type = "BRR", hadamard.matrix = sylv(8)), y = ~y,
         by = ~cat, ratio = c("y", "x"))
rep_case("fay", as.svrepdesign(dbrr, type = "Fay", fay.rho = 0.3, hadamard.matrix = sylv(8)),
         y = ~y, by = ~cat, ratio = c("y", "x"))
# supplied replicate weights: export BRR analysis weights, read back with svrepdesign
rb <- as.svrepdesign(dbrr, type = "BRR", hadamard.matrix = sylv(8))
rw <- weights(rb, "analysis")
colnames(rw) <- paste0("rw", seq_len(ncol(rw)))
f <- file.path(datadir, "brr_repweights.csv")
if (!file.exists(f)) write.csv(cbind(brr, rw), f, row.names = FALSE)
brrw <- read.csv(f)
rep_case("given_brr", svrepdesign(data = brrw, repweights = "rw[0-9]+", weights = ~w,
                                  type = "BRR", combined.weights = TRUE), y = ~y, by = ~cat,
         ratio = c("y", "x"))
rep_case("given_jk1_mse", svrepdesign(data = brrw, repweights = "rw[0-9]+", weights = ~w,
                                      type = "other", scale = 0.3, rscales = seq(0.5, 1.2, length.out = 8),
                                      combined.weights = TRUE, mse = TRUE),
         y = ~y, by = ~cat, ratio = c("y", "x"))

# svyciprop on replicate designs (logit refits logit(p) per replicate)
reps <- list(jk1_clus1 = as.svrepdesign(designs$clus1, type = "JK1"),
             jkn_strat = as.svrepdesign(designs$strat, type = "JKn"))
for (nm in names(reps)) {
  rdes <- reps[[nm]]
  for (m in c("logit", "xlogit", "beta", "mean")) {
    put(paste0(nm, "_ciprop_", m),
        ci = confint(svyciprop(~I(sch.wide == "Yes"), rdes, method = m)))
    b <- svyby(~I(sch.wide == "Yes"), ~stype, rdes, svyciprop, method = m, vartype = "ci")
    put(paste0(nm, "_by_stype_ciprop_", m), low = b$ci_l, high = b$ci_u)
  }
  put(paste0(nm, "_by_stype_degf"),
      df = sapply(c("E", "H", "M"), function(l) degf(subset(rdes, stype == l))))
}

writeLines(c("{", paste(unlist(out), collapse = ",\n"), "}"),
           file.path("tests", "reference", "fixtures_design.json"))
cat("wrote", length(out), "fixtures\n")
