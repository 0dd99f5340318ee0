# One store for the whole suite: PIVOT_TEST_STORE when set (reuse a loaded one), else a new
# folder under the session's temporary directory, loaded from the bundled data on first use
# (no network). The functions' default store (`store = NULL`) reads PIVOT_STORE, as the CLI's.
store <- Sys.getenv("PIVOT_TEST_STORE")
if (!nzchar(store)) store <- file.path(tempdir(), "pivot-store")
Sys.setenv(PIVOT_STORE = store)

# |actual - expected| < tol: an absolute tolerance, stated at each use.
expect_near <- function(actual, expected, tol) {
  expect_true(is.numeric(actual) && length(actual) == 1L, info = "a single number")
  expect_lt(abs(actual - expected), tol)
}

# AGTPA ch.1 Table 3 col. 4 / ch.2 application 2: PPML of trade on RTA with exporter-year,
# importer-year and pair fixed effects, 1986-2006 every four years, domestic flows included.
agtpa_rta <- trade ~ rta | exporter^year + importer^year + pair_id
agtpa_years <- "year IN (1986, 1990, 1994, 1998, 2002, 2006)"
