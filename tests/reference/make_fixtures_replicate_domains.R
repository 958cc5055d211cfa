# Reference values from R's survey package (4.1.1) for replicate estimates by domain (issue 14):
# R's svyby calls svrVar once per domain, whose na.action drops the replicates that gave NA for
# THAT domain only (warning "k replicates gave NA results and were discarded"); a replicate is
# NA for a domain when the domain has no weight in it (a JK1 replicate deleting the only PSU
# holding the domain). Pinned: svyby means, totals, ratios and factor shares by domain on a JK1
# design whose domain "solo" lies in one PSU, with and without mse, and the warnings R gave
# (svyciprop's logit refit stops there: glm.fit "NAs in V(mu)" on the all-zero replicate); and
# the logit intervals of the "NA" domain of the twostage JKn design.
# Run from the repository root:  Rscript tests/reference/make_fixtures_replicate_domains.R
# Data: tests/reference/data/apiclus1.csv, twostage.csv.
# Output: tests/reference/fixtures_replicate_domains.json (%.17g; NA -> null).
suppressMessages(library(survey))
source(file.path("tests", "reference", "json_writer.R"))
datadir <- file.path("tests", "reference", "data")
out <- list()
caught <- character(0)
keep <- function(expr) withCallingHandlers(expr, warning = function(w) {
  caught <<- c(caught, conditionMessage(w)); invokeRestart("muffleWarning")
})
rec <- function(b) list(estimate = arr(coef(b)), se = arr(SE(b)))

# ---- 1. JK1 on apiclus1, domain "solo" = the rows of the first district in data order -------
apiclus1 <- read.csv(file.path(datadir, "apiclus1.csv"))
apiclus1$sch.wide <- factor(apiclus1$sch.wide)
apiclus1$dom <- ifelse(apiclus1$dnum == apiclus1$dnum[1], "solo", apiclus1$stype)
for (mse in c(FALSE, TRUE)) {
  rep <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
                        type = "JK1", mse = mse)
  caught <- character(0)
  res <- list(
    domain = arr(sort(unique(apiclus1$dom))),
    mean = rec(keep(svyby(~api00, ~dom, rep, svymean))),
    total = rec(keep(svyby(~api00, ~dom, rep, svytotal))),
    ratio = rec(keep(svyby(~api00, ~dom, rep, svyratio, denominator = ~api99))),
    share_yes = rec(keep(svyby(~I(as.numeric(sch.wide == "Yes")), ~dom, rep, svymean))),
    shares = {
      b <- keep(svyby(~sch.wide, ~dom, rep, svymean))
      # domain-major (E No, E Yes, H No, ...): coef() is variable-major, SE() a matrix
      list(estimate = arr(as.vector(t(matrix(coef(b), nrow = nrow(b))))),
           se = arr(as.vector(t(SE(b)))))
    },
    df = arr(sapply(sort(unique(apiclus1$dom)),
                    function(l) degf(subset(rep, dom == l)))),
    warnings = arr(caught))
  out[[if (mse) "jk1_solo_mse" else "jk1_solo"]] <- res
}

# ---- 2. twostage JKn: the "NA" domain (rows with a missing dom) ----------------------------
twostage <- read.csv(file.path(datadir, "twostage.csv"))
twostage$domna <- ifelse(is.na(twostage$dom) | twostage$dom == "", "NA", twostage$dom)
rep2 <- as.svrepdesign(svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = twostage,
                                 nest = TRUE), type = "JKn")
na <- subset(rep2, domna == "NA")
lv <- c("a", "b", "c")
ci <- t(sapply(lv, function(l) confint(svyciprop(as.formula(sprintf("~I(cat == '%s')", l)), na,
                                                  method = "logit"))))
sh <- svymean(~cat, na)
out$jkn_two1_na <- list(category = arr(lv), estimate = arr(coef(sh)), se = arr(SE(sh)),
                        low = arr(ci[, 1]), high = arr(ci[, 2]), df = degf(na))
out$versions <- list(R = R.version.string, survey = as.character(packageVersion("survey")))
writeLines(to_json(out), file.path("tests", "reference", "fixtures_replicate_domains.json"))
cat("wrote tests/reference/fixtures_replicate_domains.json\n")
