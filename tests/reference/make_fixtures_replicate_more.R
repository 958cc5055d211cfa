# Reference values from R's survey package (4.1.1) for the replicate types JK2, ACS and
# successive-difference (issue 15). R 4.1.1 builds none of them from a design:
# as.svrepdesign(design, type=) accepts only auto, JK1, JKn, BRR, bootstrap, subbootstrap,
# mrbbootstrap and Fay (match.arg error otherwise); the three exist only in svrepdesign() for
# supplied weights, with their own constants (JK2: scale 1; ACS and successive-difference:
# scale 4/R; rscales 1). This script records the refusal and pins the three types from supplied
# weights: scale, rscales, SEs of a mean, a total and a domain mean.
# Run from the repository root:  Rscript tests/reference/make_fixtures_replicate_more.R
# Data: tests/reference/data/brr_repweights.csv (rw1..rw8 analysis weights) and apistrat.csv,
# apiclus1.csv. Output: tests/reference/fixtures_replicate_more.json (%.17g).
suppressMessages(library(survey))
datadir <- file.path("tests", "reference", "data")
num <- function(x) {
  x <- as.numeric(x)
  paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ", "), "]")
}
str <- function(x) paste0("[", paste0('"', gsub('"', "'", x), '"', collapse = ", "), "]")
out <- list()
put <- function(.name, ...) {
  fields <- list(...)
  body <- paste(sprintf('"%s": %s', names(fields),
                        sapply(fields, function(v) if (is.character(v)) str(v) else num(v))),
                collapse = ", ")
  out[[.name]] <<- sprintf("  \"%s\": {%s}", .name, body)
}
out[["version"]] <- sprintf('  "version": {"survey": "%s"}', as.character(packageVersion("survey")))

# ---- 1. as.svrepdesign refuses the three types from a design ------------------------------------
apistrat <- read.csv(file.path(datadir, "apistrat.csv"))
apiclus1 <- read.csv(file.path(datadir, "apiclus1.csv"))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1)
types <- c("JK2", "ACS", "successive-difference")
msg <- function(d, tp) tryCatch({ as.svrepdesign(d, type = tp); "built" },
                                error = function(e) conditionMessage(e))
put("refusal", type = types, stratified = sapply(types, function(tp) msg(dstrat, tp)),
    unstratified = sapply(types, function(tp) msg(dclus1, tp)),
    accepted = eval(formals(survey:::as.svrepdesign.default)$type),
    svrepdesign_types = eval(formals(survey:::svrepdesign.default)$type))

# ---- 2. the three types from supplied analysis weights ------------------------------------------
b <- read.csv(file.path(datadir, "brr_repweights.csv"))
for (tp in types) {
  g <- suppressWarnings(svrepdesign(data = b, repweights = "rw[0-9]+", weights = ~w, type = tp,
                                    combined.weights = TRUE))
  m <- svymean(~y, g)
  t <- svytotal(~y, g)
  dm <- svyby(~y, ~cat, g, svymean)
  mm <- svymean(~y, g, return.replicates = TRUE)
  put(gsub("-", "_", tp), scale = g$scale, rscales = g$rscales, df = degf(g),
      mean = coef(m), mean_se = SE(m), total = coef(t), total_se = SE(t),
      domain = as.character(dm$cat), domain_mean = coef(dm), domain_se = SE(dm),
      replicates = as.vector(mm$replicates))
  # the same with mse = TRUE
  gm <- suppressWarnings(svrepdesign(data = b, repweights = "rw[0-9]+", weights = ~w, type = tp,
                                     combined.weights = TRUE, mse = TRUE))
  put(paste0(gsub("-", "_", tp), "_mse"), mean_se = SE(svymean(~y, gm)),
      total_se = SE(svytotal(~y, gm)), domain_se = SE(svyby(~y, ~cat, gm, svymean)))
}
writeLines(c("{", paste(unlist(out), collapse = ",\n"), "}"),
           file.path("tests", "reference", "fixtures_replicate_more.json"))
