test_that("China's share of Russia's 2014 trade: BACI totals by default, COW on request", {
  # Since issue 29 the spliced series takes 2012-2023 from BACI totals (CEPII BACI V202501 summed
  # over products): China 91,473.8 million USD of Russia's reported total, 11.6548 %, first of
  # 217 partners (the CLI's snapshot cli__measure_json_snapshot: 0.11654813864412944).
  x <- pivot_measure("partner-share", focal = "RUS", years = 2014)
  expect_s3_class(x, "data.frame")
  expect_s3_class(x, "tbl_df")
  expect_equal(x$partner[1], "CHN")
  expect_equal(x$rank[1], 1L)
  expect_near(x$share[1], 0.116548, 5e-7)
  expect_equal(x$n_partners[1], 217L)
  p <- pivot_provenance(x)
  expect_s3_class(p, "pivot_provenance")
  expect_equal(p$method, "partner-share")
  expect_equal(unname(p$parameters["source"]), "spliced")
  expect_true("baci_totals" %in% vapply(p$datasets, `[[`, "", "id"))
  # COW Dyadic Trade v4.0: Russia-China trade in 2014 (both directions) is 93,942 million USD
  # of Russia's 768,339 million total with all partners: 12.2267 %, first of 183 partners
  # (python/tests/test_pivot.py asserts the same).
  cow <- pivot_measure("partner-share", focal = "RUS", years = 2014, source = "cow_trade")
  expect_equal(cow$partner[1], "CHN")
  expect_near(cow$share[1], 0.122267, 5e-7)
  expect_equal(cow$value[1], 93942e6)
  expect_equal(cow$n_partners[1], 183L)
  expect_equal(vapply(pivot_provenance(cow)$datasets, `[[`, "", "id"), "cow_trade")
})

test_that("the provenance rides as an attribute: parameters as applied, datasets, notes", {
  x <- pivot_measure("partner-share", focal = "Russia", years = "2014", top = 3,
                     source = "cow_trade")
  expect_equal(nrow(x), 3L)
  expect_true("pivot_provenance" %in% names(attributes(x)))
  p <- attr(x, "pivot_provenance")
  # The country resolved once; defaults filled in.
  expect_equal(unname(p$parameters[c("focal", "top", "direction")]), c("RUS", "3", "total"))
  expect_equal(p$datasets[[1]]$version, "v4.0")
  expect_match(p$text, "^Method: partner-share")
  expect_output(print(p), "Source: cow_trade v4.0")
  # Several values as a vector.
  two <- pivot_measure("partner-share", focal = "RUS", years = 2014, source = "cow_trade",
                       partners = c("CHN", "IND"))
  expect_setequal(two$partner, c("CHN", "IND"))
})

test_that("a bad argument is a pivot_input_error naming it", {
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", bogus = 1),
                    class = "pivot_input_error")
  expect_s3_class(e, "pivot_parameter_error")
  expect_match(conditionMessage(e), "bogus")
  expect_equal(e$param, "bogus")
  expect_match(e$accepted, "focal")
  # The condition names the user's call, not a helper.
  expect_equal(conditionCall(e)[[1]], as.name("pivot_measure"))
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", years = "abc"),
                    class = "pivot_input_error")
  expect_match(conditionMessage(e), "`years` = 'abc'")
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", years = 2014, top = -1),
                    class = "pivot_input_error")
  expect_equal(e$param, "top")
  expect_match(conditionMessage(e), "out of range")
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", years = 2014, top = "abc"),
                    class = "pivot_input_error")
  expect_match(conditionMessage(e), "not an integer")
  # Wrong R types (issue 32: these reached serde without the parameter's name).
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", years = 2014, top = TRUE),
                    class = "pivot_input_error")
  expect_equal(e$param, "top")
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", years = 2010:2014),
                    class = "pivot_input_error")
  expect_equal(e$param, "years")
  expect_match(conditionMessage(e), "one range")
  e <- expect_error(pivot_measure("partner-share", focal = NA, years = 2014),
                    class = "pivot_input_error")
  expect_equal(e$param, "focal")
  expect_match(conditionMessage(e), "NA")
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", years = list(2014)),
                    class = "pivot_input_error")
  expect_equal(e$param, "years")
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", years = character()),
                    class = "pivot_input_error")
  expect_equal(e$param, "years")
  e <- expect_error(pivot_measure("partner-share", focal = "RUS", years = Inf),
                    class = "pivot_input_error")
  expect_equal(e$param, "years")
  # NULL is "not given": focal is required.
  e <- expect_error(pivot_measure("partner-share", focal = NULL, years = 2014),
                    class = "pivot_input_error")
  expect_match(conditionMessage(e), "`focal`: required but not given")
  e <- expect_error(pivot_measure("partner-share", focal = "Atlantis", years = 2014),
                    class = "pivot_input_error")
  expect_match(conditionMessage(e), "unknown country 'Atlantis'")
  expect_error(pivot_measure("partner-share", "RUS"), "name = value", class = "pivot_input_error")
  expect_error(pivot_measure(NA), "single string", class = "pivot_input_error")
  expect_error(pivot_measure(c("a", "b")), "single string", class = "pivot_input_error")
  expect_error(pivot_measure("partner-share", focal = "RUS", store = 3), "store",
               class = "pivot_input_error")
})

test_that("an unknown measure is refused with the closest name", {
  e <- expect_error(pivot_measure("partner-shar", focal = "RUS"), class = "pivot_input_error")
  expect_s3_class(e, "pivot_unknown_measure_error")
  expect_equal(e$suggestion, "partner-share")
  expect_match(conditionMessage(e), "unknown measure 'partner-shar'")
  expect_error(pivot_measure_help("nope"), class = "pivot_unknown_measure_error")
})

test_that("years with no data give an empty answer that says why", {
  x <- pivot_measure("partner-share", focal = "RUS", years = 1800)
  expect_equal(nrow(x), 0L)
  expect_equal(names(x)[1:3], c("year", "focal", "partner"))
  expect_match(paste(pivot_provenance(x)$notes, collapse = " "), "No trade rows of RUS")
})

test_that("the measure list and documentation come from the engine's registry", {
  m <- pivot_measures()
  expect_true("partner-share" %in% m$name)
  expect_equal(names(m)[1:3], c("name", "dimension", "summary"))
  expect_match(pivot_measure_help("partner-share"), "partner-share")
  info <- pivot_measure_info("partner-share")
  expect_true("top" %in% vapply(info$parameters, `[[`, "", "name"))
})
