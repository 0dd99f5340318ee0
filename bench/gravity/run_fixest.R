# Fits one PPML model with fixest::fepois and prints coefficients and fit time
# (same output format as pivot-gravity-bench and run_pyfixest.py).
# Usage: Rscript bench/gravity/run_fixest.R FILE.csv "y ~ x | f1 + f2"   (FIXEST_THREADS, default 2)
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(fixest))
setFixest_nthreads(as.integer(Sys.getenv("FIXEST_THREADS", "2")))
t0 <- proc.time()[["elapsed"]]
df <- data.table::fread(args[1], data.table = FALSE)
t1 <- proc.time()[["elapsed"]]
fit <- fepois(as.formula(args[2]), data = df, vcov = "iid", notes = FALSE)
b <- coef(fit)
t2 <- proc.time()[["elapsed"]]
# A second, identical fit: R's first call pays one-off costs (lazy loading,
# byte compilation), so the fit time reported is that of the warm call;
# the cold one is printed too.
t3 <- proc.time()[["elapsed"]]
fit <- fepois(as.formula(args[2]), data = df, vcov = "iid", notes = FALSE)
b <- coef(fit)
t4 <- proc.time()[["elapsed"]]
for (n in names(b)) cat(sprintf("coef,%s,%.12e\n", n, b[[n]]))
cat(sprintf("nobs,%d\n", nobs(fit)))
cat(sprintf("iterations,%d\n", fit$iterations))
cat(sprintf("read_seconds,%.3f\n", t1 - t0))
cat(sprintf("fit_seconds,%.3f\n", t4 - t3))
cat(sprintf("cold_fit_seconds,%.3f\n", t2 - t1))
