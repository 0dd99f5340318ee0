test_that("SQL answers data frames typed from Arrow, with the provenance", {
  x <- pivot_sql("SELECT CAST(1 AS BIGINT) AS i, 2.5 AS d, 'a' AS s, TRUE AS b, CAST(NULL AS INT) AS n,
                  CAST(5000000000 AS BIGINT) AS big, DATE '2014-03-18' AS day")
  expect_identical(x$i, 1L)
  expect_identical(x$d, 2.5)
  expect_identical(x$s, "a")
  expect_identical(x$b, TRUE)
  expect_identical(x$n, NA_integer_)
  expect_identical(x$big, 5e9)
  expect_identical(x$day, as.Date("2014-03-18"))
  expect_equal(pivot_provenance(x)$method, "sql")
  empty <- pivot_sql("SELECT * FROM agtpa_gravity WHERE 1 = 0")
  expect_equal(dim(empty), c(0L, 17L))
  expect_error(pivot_sql("SELECT nope FROM nothing"), "not found", class = "pivot_input_error")
  expect_error(pivot_sql(42), "single string", class = "pivot_input_error")
})

test_that("countries resolve in any scheme", {
  v <- pivot_country("Viet Nam")
  expect_equal(c(v$iso3, v$iso2, v$cow), c("VNM", "VN", "816"))
  expect_error(pivot_country("Atlantis"), "did you mean", class = "pivot_input_error")
})

test_that("datasets and citations, plain and BibTeX", {
  d <- pivot_datasets()
  expect_true(all(c("cow_trade", "agtpa", "baci_totals") %in% d$id))
  cites <- pivot_cite()
  expect_s3_class(cites, "pivot_citations")
  expect_match(cites[["cow_trade"]], "^cow_trade: ")
  bib <- pivot_cite("agtpa", bibtex = TRUE)
  expect_match(bib[["agtpa"]], "^@book\\{yotov2016")
  expect_output(print(bib), "@book\\{yotov2016")
  expect_error(pivot_cite("nope"), "not in the store", class = "pivot_input_error")
  expect_error(pivot_cite(bibtex = NA), "bibtex", class = "pivot_input_error")
})

test_that("the bundled claims of Mankoff (2015) are checked", {
  cl <- pivot_claims()
  expect_equal(nrow(cl), 8L)
  expect_true(all(cl$verdict %in% c("supported", "not supported", "mixed", "not testable")))
  expect_equal(pivot_provenance(cl)$method, "claims-check")
  expect_error(pivot_claims("/nonexistent.toml"), "cannot read claims file",
               class = "pivot_input_error")
})

test_that("the AGTPA NAFTA scenario", {
  # AGTPA ch.2: removing NAFTA, USA-CAN trade falls by 37.9 % in full endowment GE
  # (crates/pivot-gravity/tests/expected/agtpa-nafta.pairs.csv).
  s <- pivot_scenario(test_path("..", "..", "..", "scenarios", "agtpa-nafta.toml"))
  expect_s3_class(s, "pivot_scenario")
  usa_can <- s$pairs[s$pairs$exporter == "USA" & s$pairs$importer == "CAN", ]
  expect_near(usa_can$trade_full_pct, -37.948675, 1e-4)
  expect_output(print(s), "69 countries")
  expect_error(pivot_scenario("/nonexistent.toml"), "cannot read scenario file",
               class = "pivot_input_error")
})

test_that("the report is written where asked", {
  out <- file.path(tempdir(), "pivot-report")
  files <- pivot_report(out)
  expect_true(file.exists(file.path(out, "report.html")))
  expect_true(all(file.exists(files)))
  expect_error(pivot_report(out, focal = "Atlantis"), "Atlantis", class = "pivot_input_error")
})

test_that("ingest, remove and verify: the store's commands", {
  expect_gt(pivot_verify(), 10)
  expect_error(pivot_remove("nope"), "no dataset 'nope'", class = "pivot_input_error")
  expect_error(pivot_ingest("nosuchsource", tempdir()), "unknown source",
               class = "pivot_input_error")
  expect_error(pivot_ingest("baci", "/nonexistent"), "no such file",
               class = "pivot_input_error")
  # A bundled dataset removed is loaded again from pivot's own copy.
  r <- pivot_remove("agtpa")
  expect_equal(r$dataset, "agtpa")
  expect_true(r$reloaded)
  expect_gt(r$rows, 0)
  expect_equal(nrow(pivot_sql("SELECT * FROM agtpa_gravity WHERE year = 1986")) > 0, TRUE)
  expect_equal(normalizePath(pivot_store()), normalizePath(Sys.getenv("PIVOT_STORE")))
})
