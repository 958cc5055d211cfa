# Reference values from R's survey package (4.1.1) for barotrend's parity with R beyond the api
# data (issue 15): default BRR/Fay half-samples (R's hadamard()), BRR with small/large strata,
# svyciprop(method="likelihood") at a high design effect, svyttest, svrepdesign(type="Fay"),
# JK1 replicate order, svyquantile and svyvar.
# Run from the repository root:  Rscript tests/reference/make_fixtures_parity.R
#
# Data: R's own data sets (survey: scd, nhanes, yrbs), exported to tests/reference/data/ if
# absent, and the api samples already there. Output: tests/reference/fixtures_parity.json
# (numbers printed with %.17g; NA -> null).
suppressMessages(library(survey))
datadir <- file.path("tests", "reference", "data")
export <- function(nm, frame) {
  f <- file.path(datadir, paste0(nm, ".csv"))
  if (!file.exists(f)) write.csv(frame, f, row.names = FALSE)
  read.csv(f)
}
data(scd); data(nhanes); data(yrbs); data(api)
scd <- export("scd", scd)
nhanes$agecat <- as.character(nhanes$agecat)
nhanes <- export("nhanes", nhanes)
yrbs <- export("yrbs", yrbs)
apiclus1 <- read.csv(file.path(datadir, "apiclus1.csv"))
apiclus2 <- read.csv(file.path(datadir, "apiclus2.csv"))
apistrat <- read.csv(file.path(datadir, "apistrat.csv"))

num <- function(x) {
  x <- as.numeric(x)
  paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ", "), "]")
}
out <- list()
put <- function(.name, ...) {
  fields <- list(...)
  body <- paste(sprintf('"%s": %s', names(fields), sapply(fields, num)), collapse = ", ")
  out[[.name]] <<- sprintf("  \"%s\": {%s}", .name, body)
}

# ---- 1. R's hadamard(n): a fingerprint of the matrix for many n ---------------------------------
ns <- c(1:130, 150, 200, 255, 256, 300, 500, 1000)
fp <- sapply(ns, function(n) {
  H <- hadamard(n)
  c(nrow(H), ncol(H), sum(H), sum(H * outer(seq_len(nrow(H)), seq_len(ncol(H)),
                                            function(i, j) (i * 131 + j * 31) %% 1009)))
})
put("hadamard_fingerprint", n = ns, nrow = fp[1, ], ncol = fp[2, ], sum = fp[3, ],
    weighted = fp[4, ])

# ---- 1. default BRR and Fay replicates ------------------------------------------------------------
# replicate weights: column sums and sum_i i * w_ir (which PSU each half-sample keeps)
rwfp <- function(rdes) {
  rw <- as.matrix(weights(rdes, "analysis"))
  list(colsum = colSums(rw), rowpos = colSums(rw * seq_len(nrow(rw))))
}
brr_case <- function(name, rdes, y, by = NULL, ratio = NULL) {
  f <- rwfp(rdes)
  put(paste0(name, "_info"), nrep = ncol(weights(rdes, "analysis")), scale = rdes$scale,
      df = degf(rdes), colsum = f$colsum, rowpos = f$rowpos)
  m <- svymean(y, rdes, na.rm = TRUE)
  put(paste0(name, "_mean"), estimate = coef(m), se = SE(m))
  tt <- svytotal(y, rdes, na.rm = TRUE)
  put(paste0(name, "_total"), estimate = coef(tt), se = SE(tt))
  if (!is.null(ratio)) {
    r <- svyratio(ratio[[1]], ratio[[2]], rdes, na.rm = TRUE)
    put(paste0(name, "_ratio"), estimate = coef(r), se = SE(r))
  }
  if (!is.null(by)) {
    b <- svyby(y, by, rdes, svymean, na.rm = TRUE)
    put(paste0(name, "_by_mean"), estimate = coef(b), se = SE(b))
  }
}
# scd: 3 strata of 2 ambulances (R's ?brrweights example); hadamard(3) has order 4
scdnofpc <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE)
scd_brr <- as.svrepdesign(scdnofpc, type = "BRR")
brr_case("scd_brr", scd_brr, ~alive, ratio = list(~alive, ~arrests))
put("scd_brr_weights", w = as.vector(weights(scd_brr, "analysis")))
scd_fay <- as.svrepdesign(scdnofpc, type = "Fay", fay.rho = 0.3)
brr_case("scd_fay", scd_fay, ~alive, ratio = list(~alive, ~arrests))
put("scd_fay_weights", w = as.vector(weights(scd_fay, "analysis")))
# nhanes: the 14 strata of exactly two PSUs (hadamard(14): order 16); its first 10 strata
# (hadamard(10): Paley, order 12)
psus <- tapply(nhanes$SDMVPSU, nhanes$SDMVSTRA, function(x) length(unique(x)))
two <- as.numeric(names(psus)[psus == 2])
nh14 <- nhanes[nhanes$SDMVSTRA %in% two, ]
nh10 <- nhanes[nhanes$SDMVSTRA %in% sort(two)[1:10], ]
mk <- function(d) svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE,
                            data = d)
for (nm in c("nh14", "nh10")) {
  des <- mk(get(nm))
  brr_case(paste0(nm, "_brr"), as.svrepdesign(des, type = "BRR"), ~HI_CHOL, by = ~agecat,
           ratio = list(~HI_CHOL, ~race))
  brr_case(paste0(nm, "_fay"), as.svrepdesign(des, type = "Fay", fay.rho = 0.5), ~HI_CHOL,
           by = ~agecat, ratio = list(~HI_CHOL, ~race))
}
# BRR with a stratum of 3 PSUs (the full nhanes): large = "merge"
dnh <- mk(nhanes)
brr_case("nh_merge", as.svrepdesign(dnh, type = "BRR", large = "merge"), ~HI_CHOL)
# a stratum of 4 PSUs (strata 83 and 84 pooled, PSUs renumbered): large = "split" and "merge"
nh4 <- nh14
nh4$psu4 <- nh4$SDMVSTRA * 10 + nh4$SDMVPSU
nh4$str4 <- ifelse(nh4$SDMVSTRA == 84, 83, nh4$SDMVSTRA)
d4 <- svydesign(id = ~psu4, strata = ~str4, weights = ~WTMEC2YR, data = nh4)
brr_case("nh4_split", as.svrepdesign(d4, type = "BRR", large = "split"), ~HI_CHOL)
brr_case("nh4_merge", as.svrepdesign(d4, type = "Fay", fay.rho = 0.3, large = "merge"), ~HI_CHOL)
# one-PSU strata (PSU 2 of strata 76, 77, 78 dropped): small = "split" and "merge"
nh1 <- nh14[!(nh14$SDMVSTRA %in% c(76, 77, 78) & nh14$SDMVPSU == 2), ]
d1 <- mk(nh1)
brr_case("nh1_split", as.svrepdesign(d1, type = "BRR", small = "split"), ~HI_CHOL)
brr_case("nh1_merge", as.svrepdesign(d1, type = "BRR", small = "merge"), ~HI_CHOL)

# ---- 2. likelihood interval at a high design effect: yrbs (deff ~ 23) -----------------------------
yd <- svydesign(id = ~psu, weights = ~weight, strata = ~stratum, data = yrbs)
yd <- update(yd, qn8yes = 2 - qn8)
m <- svymean(~qn8yes, yd, na.rm = TRUE, deff = "replace")
put("yrbs_qn8yes_mean", estimate = coef(m), se = SE(m), deff = attr(m, "deff"),
    df = degf(subset(yd, !is.na(qn8yes))), n = sum(!is.na(yrbs$qn8)))
# svyciprop(na.rm = TRUE) takes df = degf() and (beta) nrow() of the design with the missing rows;
# barotrend uses the rows with an answer, which is R's call on the subset design (ysub)
ysub <- subset(yd, !is.na(qn8yes))
for (meth in c("likelihood", "logit", "beta", "xlogit", "mean", "asin")) {
  ci <- svyciprop(~qn8yes, yd, na.rm = TRUE, method = meth)
  put(paste0("yrbs_ciprop_", meth), estimate = as.vector(ci), ci = confint(ci))
  ci <- svyciprop(~qn8yes, ysub, method = meth)
  put(paste0("yrbs_sub_ciprop_", meth), estimate = as.vector(ci), ci = confint(ci))
}
# the quantile the likelihood interval needs, where stats.f.isf underflowed
dfy <- degf(yd); ny <- sum(!is.na(yrbs$qn8)); lam <- attr(m, "deff")
a <- pnorm(qt(0.025, dfy) * sqrt(lam)) / 2
put("yrbs_likelihood_zmax2", a = a, q = qf(a, 1, ny - 1, lower.tail = FALSE))

# ---- 3. svyttest --------------------------------------------------------------------------------
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
ttcase <- function(name, tt) {
  put(name, statistic = tt$statistic, df = tt$parameter, estimate = tt$estimate,
      p = tt$p.value, ci = tt$conf.int)
}
ttcase("tt_clus2_enroll_compimp", svyttest(enroll ~ comp.imp, dclus2))
ttcase("tt_clus2_api00_compimp", svyttest(api00 ~ comp.imp, dclus2))
ttcase("tt_clus2_enroll_one", svyttest(enroll ~ 0, dclus2, na.rm = TRUE))
# barotrend's one-sample df counts the rows with an answer, as R on the subset design
ttcase("tt_clus2_enroll_one_sub", svyttest(enroll ~ 0, subset(dclus2, !is.na(enroll))))
ttcase("tt_clus2_api00_one", svyttest(api00 ~ 0, dclus2))
rclus2 <- as.svrepdesign(dclus2, type = "JK1")
ttcase("tt_rclus2_api00_compimp", svyttest(api00 ~ comp.imp, rclus2))
dnh14 <- mk(nh14)
ttcase("tt_nh14_chol_gender", svyttest(HI_CHOL ~ RIAGENDR, dnh14))
ttcase("tt_nh14_chol_one", svyttest(HI_CHOL ~ 1, dnh14, na.rm = TRUE))
put("tt_info", clus2_df = degf(dclus2), nh14_df = degf(dnh14))

# ---- 4. svrepdesign(type = "Fay"), JK1 replicates in data order -----------------------------------
rwf <- weights(scd_fay, "analysis")
colnames(rwf) <- paste0("fay", seq_len(ncol(rwf)))
scdw <- cbind(scd, rwf, w = 1)
gf <- svrepdesign(data = scdw, repweights = "fay[0-9]+", weights = ~w, type = "Fay", rho = 0.3,
                  combined.weights = TRUE)
m <- svymean(~alive, gf)
r <- svyratio(~alive, ~arrests, gf)
put("given_fay", scale = gf$scale, df = degf(gf), estimate = coef(m), se = SE(m),
    ratio = coef(r), ratio_se = SE(r))
# successive-difference and JK2 take their own constants; the scd Fay weights serve as input
for (tp in c("successive-difference", "JK2")) {
  g <- suppressWarnings(svrepdesign(data = scdw, repweights = "fay[0-9]+", weights = ~w,
                                    type = tp, combined.weights = TRUE))
  m <- svymean(~alive, g)
  put(paste0("given_", gsub("-", "_", tp)), scale = g$scale, estimate = coef(m), se = SE(m))
}
# JKn and JK1 factors (combined.weights = FALSE) without rscales/scale: R's guesses
scdjkn <- as.svrepdesign(scdnofpc, type = "JKn")
fjkn <- as.matrix(weights(scdjkn, "analysis"))
put("scd_jkn_factors", f = as.vector(fjkn), rscales = scdjkn$rscales)
gj <- suppressWarnings(svrepdesign(data = scd, repweights = fjkn, weights = rep(1, 6),
                                   type = "JKn", combined.weights = FALSE))
m <- svymean(~alive, gj)
put("given_jkn_factors", rscales = gj$rscales, estimate = coef(m), se = SE(m))
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
jkw <- read.csv(file.path(datadir, "apiclus1_jk1.csv"))
gj1 <- suppressWarnings(svrepdesign(data = apiclus1, repweights = as.matrix(jkw) / apiclus1$pw,
                                    weights = ~pw, type = "JK1", combined.weights = FALSE))
m <- svymean(~api00, gj1)
put("given_jk1_factors", scale = gj1$scale, estimate = coef(m), se = SE(m))
jk <- as.svrepdesign(dclus1, type = "JK1")
put("jk1_clus1_rowpos", rowpos = rwfp(jk)$rowpos, colsum = rwfp(jk)$colsum)
jkn <- as.svrepdesign(mk(nh14), type = "JKn")  # strata and PSUs in data order
put("jkn_nh14_rowpos", rowpos = rwfp(jkn)$rowpos, colsum = rwfp(jkn)$colsum,
    rscales = jkn$rscales)
sd2 <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
put("jk1_stratified_refused", refused = inherits(try(as.svrepdesign(sd2, type = "JK1"),
                                                     silent = TRUE), "try-error"))

# ---- 5. svyquantile (survey 4.x: qrule = "math", interval.type = "mean", Woodruff) and svyvar ---
data(hospital); data(mu284); data(election)
hospital <- export("hospital", hospital)
mu284 <- export("mu284", mu284)
election_pps$wt <- 1 / election_pps$p
elpps <- export("election_pps", election_pps[, c("County", "Bush", "Kerry", "votes", "p", "wt")])
qdes <- list(
  hosp = svydesign(ids = ~hospno, strata = ~oblevel, weights = ~weighta, fpc = ~tothosp,
                   data = hospital),
  mu = svydesign(ids = ~id1 + id2, fpc = ~n1 + n2, data = mu284),
  elec = svydesign(ids = ~1, weights = ~wt, data = elpps),
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat),
  clus2 = dclus2)
qvar <- c(hosp = "births", mu = "y1", elec = "Bush", strat = "api00", clus2 = "enroll")
probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
rules <- c("math", "school", "shahvaish", paste0("hf", 1:9))
qput <- function(name, q) {
  q <- q[[1]]
  put(name, quantile = q[, 1], ci_l = q[, 2], ci_u = q[, 3], se = q[, 4])
}
for (nm in names(qdes)) {
  des <- qdes[[nm]]
  f <- as.formula(paste0("~", qvar[[nm]]))
  for (rule in rules)
    qput(paste0("q_", nm, "_", rule), svyquantile(f, des, probs, qrule = rule, na.rm = TRUE))
  for (it in c("beta", "xlogit", "asin"))
    qput(paste0("q_", nm, "_int_", it),
         svyquantile(f, des, probs, interval.type = it, na.rm = TRUE))
  v <- svyvar(f, des, na.rm = TRUE)
  put(paste0("var_", nm), estimate = coef(v), se = SE(v))
}
# replicate quantiles on a BRR design (nhanes strata of two PSUs): interval.type = "quantile"
qput("qrep_nh14_brr_repq", svyquantile(~WTMEC2YR, as.svrepdesign(mk(nh14), type = "BRR"), probs,
                                       interval.type = "quantile", qrule = "hf7"))
# by domain (svyby on subset designs): quantiles with their SEs, svyvar
b <- svyby(~api00, ~stype, qdes$strat, svyquantile, quantiles = c(0.25, 0.5), ci = TRUE)
put("qby_strat", estimate = as.vector(t(as.matrix(b[, 2:3]))),
    se = as.vector(t(as.matrix(b[, 4:5]))))
b <- svyby(~enroll, ~stype, dclus2, svyquantile, quantiles = c(0.25, 0.5), ci = TRUE,
           na.rm = TRUE)
put("qby_clus2", estimate = as.vector(t(as.matrix(b[, 2:3]))),
    se = as.vector(t(as.matrix(b[, 4:5]))))
b <- svyby(~api00, ~stype, dclus2, svyvar)
put("varby_clus2", estimate = coef(b), se = SE(b))
# svyvar(na.rm = TRUE) on a linearised design takes n = rows with non-zero weight including the
# missing ones; barotrend counts the rows with an answer, as R on the subset design
v <- svyvar(~enroll, subset(dclus2, !is.na(enroll)))
put("var_clus2_sub", estimate = coef(v), se = SE(v))
# replicate designs: Woodruff intervals and svyvar with replicate weights
rdes <- list(hosp = as.svrepdesign(qdes$hosp, type = "JKn"),
             mu = suppressWarnings(as.svrepdesign(qdes$mu, type = "JK1")),
             strat = as.svrepdesign(qdes$strat, type = "JKn"))
for (nm in names(rdes)) {
  des <- rdes[[nm]]
  f <- as.formula(paste0("~", qvar[[nm]]))
  for (rule in c("math", "hf7"))
    qput(paste0("qrep_", nm, "_", rule), svyquantile(f, des, probs, qrule = rule))
  qput(paste0("qrep_", nm, "_repq"),
       suppressWarnings(svyquantile(f, des, probs, interval.type = "quantile")))
  v <- svyvar(f, des)
  put(paste0("varrep_", nm), estimate = coef(v), se = SE(v))
}

# ---- 7. contrasts over several domains with svyby(covmat = TRUE); joint means ---------------------
b <- svyby(~api00, ~stype, dclus2, svymean, covmat = TRUE)
k <- svycontrast(b, c(E = 1, H = -0.5, M = -0.5))
put("con_clus2_stype", estimate = coef(b), vcov = as.vector(vcov(b)), c = coef(k), se = SE(k),
    df = degf(dclus2))
# (svyby(na.rm = TRUE, covmat = TRUE) fails in R 4.1.1: the rows with an answer instead; no PSU
# loses all its rows, so the design is the same)
nh14c <- nh14[!is.na(nh14$HI_CHOL), ]
b <- svyby(~HI_CHOL, ~agecat, mk(nh14c), svymean, covmat = TRUE)
k <- svycontrast(b, c(1, -0.5, -0.5, 0))
put("con_nh14_agecat", estimate = coef(b), vcov = as.vector(vcov(b)), c = coef(k), se = SE(k))
rnh14 <- as.svrepdesign(mk(nh14c), type = "BRR")
b <- svyby(~HI_CHOL, ~agecat, rnh14, svymean, covmat = TRUE)
k <- svycontrast(b, c(1, -0.5, -0.5, 0))
put("con_rnh14_agecat", estimate = coef(b), vcov = as.vector(vcov(b)), c = coef(k), se = SE(k))
m <- svymean(~api00 + api99, dclus2)
k <- svycontrast(m, c(api00 = 1, api99 = -1))
put("joint_clus2_api", estimate = coef(m), vcov = as.vector(vcov(m)), c = coef(k), se = SE(k))
m <- svymean(~api00 + enroll, dclus2, na.rm = TRUE)
cat("nh14 PSUs with an answer:", nrow(unique(nh14c[, c("SDMVSTRA", "SDMVPSU")])), "\n")
put("joint_clus2_narm", estimate = coef(m), vcov = as.vector(vcov(m)))
b <- svyby(~api00 + api99, ~stype, dclus2, svymean, covmat = TRUE)
k <- svycontrast(b, c("E:api00" = 1, "E:api99" = -1, "H:api00" = -1, "H:api99" = 1))
put("joint_clus2_by", estimate = coef(b), vcov = as.vector(vcov(b)), names_order = NA,
    c = coef(k), se = SE(k))
# nonlinear contrasts by the delta method (svycontrast of an expression)
m <- svymean(~api00 + api99, dclus2)
k <- svycontrast(m, quote(api00 / api99))
put("nl_clus2_ratio", c = coef(k), se = SE(k))
b <- svyby(~api00, ~stype, dclus2, svymean, covmat = TRUE)
k <- svycontrast(b, quote(log(E / H) - (M - H)^2 / 1000))
put("nl_clus2_stype", c = coef(k), se = SE(k))
b <- svyby(~HI_CHOL, ~agecat, rnh14, svymean, covmat = TRUE)
k <- svycontrast(b, quote(`(39,59]` / `(19,39]`))
put("nl_rnh14_agecat", c = coef(k), se = SE(k))

writeLines(c("{", paste(unlist(out), collapse = ",\n"), "}"),
           file.path("tests", "reference", "fixtures_parity.json"))
cat("wrote", length(out), "fixtures\n")
