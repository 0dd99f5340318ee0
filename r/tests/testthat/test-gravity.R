test_that("AGTPA's RTA effect from the bundled panel equals fixest's", {
  # The book authors' Stata estimate (AGTPA ch.2, RTAsEffects.log): 0.5571853; 84 observations
  # of pairs that never trade are dropped (fe separation); N = 28,482. The clustered SE is
  # capybara's 0.1022 (reference_estimates_ch1_r_capybara.csv, fit_endg_rta) times fixest's
  # small-sample factor sqrt((n-1)/(n-K)) with the pair FE nested in the clusters: 0.103753
  # (fixest::fepois(agtpa_rta, vcov = ~pair_id) on the same panel; python/tests asserts it too).
  fit <- pivot_gravity(agtpa_rta, "agtpa_gravity", vcov = ~pair_id, filter = agtpa_years)
  expect_s3_class(fit, "pivot_gravity")
  expect_near(coef(fit)[["rta"]], 0.557185, 5e-7)
  expect_near(sqrt(vcov(fit)["rta", "rta"]), 0.103753, 5e-7)
  expect_equal(nobs(fit), 28482L)
  expect_equal(dimnames(vcov(fit)), list("rta", "rta"))
  # Fitted means of the observations used, one each.
  expect_length(fitted(fit), 28482L)
  expect_true(all(fitted(fit) > 0))
  # 95 % interval: estimate -/+ qnorm(0.975) x SE (fixest's convention for Poisson models).
  ci <- confint(fit)
  expect_equal(colnames(ci), c("2.5 %", "97.5 %"))
  expect_near(ci["rta", 1], 0.557185 - 1.959964 * 0.103753, 1e-5)
  expect_near(ci["rta", 2], 0.557185 + 1.959964 * 0.103753, 1e-5)
  expect_equal(confint(fit, "rta", level = 0.9)[1, 1],
               coef(fit)[["rta"]] + qnorm(0.05) * sqrt(vcov(fit)[1, 1]))
  # The engine's fixest-like text, and the provenance.
  expect_output(print(fit), "Clustered \\(pair_id\\)")
  expect_output(print(fit), "0.557185")
  s <- summary(fit)
  expect_equal(colnames(s$coefficients), c("Estimate", "Std. Error", "z value", "Pr(>|z|)"))
  expect_output(print(s), "Method: gravity-ppml")
  p <- pivot_provenance(fit)
  expect_equal(p$method, "gravity-ppml")
  expect_equal(unname(p$parameters[c("vcov", "filter", "data")]),
               c("cluster(pair_id)", agtpa_years, "agtpa_gravity"))
  expect_equal(vapply(p$datasets, `[[`, "", "id"), "agtpa")
  # A formula may also be a string, the vcov the engine's word.
  again <- pivot_gravity("trade ~ rta | exporter^year + importer^year + pair_id",
                         "agtpa_gravity", vcov = "cluster(pair_id)", filter = agtpa_years)
  expect_identical(coef(again), coef(fit))
})

test_that("the same panel as an R data frame gives the same estimates", {
  d <- pivot_sql(paste("SELECT * FROM agtpa_gravity WHERE", agtpa_years))
  expect_equal(nrow(d), 28566L)
  expect_type(d$trade, "double")
  expect_type(d$exporter, "character")
  expect_type(d$year, "integer")
  fit <- pivot_gravity(agtpa_rta, d, vcov = ~pair_id)
  expect_near(coef(fit)[["rta"]], 0.557185, 5e-7)
  expect_near(sqrt(vcov(fit)[["rta", "rta"]]), 0.103753, 5e-7)
  expect_match(pivot_provenance(fit)$parameters[["data"]], "^in-memory R data frame \\(28566 rows")
  # Factors, doubles for integers, a plain data.frame: the same numbers.
  df <- as.data.frame(d)
  df$exporter <- factor(df$exporter)
  df$pair_id <- as.double(df$pair_id)
  # Stata's robust SE 0.055771 is HC0 x n/(n-1); fixest's hetero adds (n-1)/(n-K): 0.059235.
  het <- pivot_gravity(agtpa_rta, df, vcov = "hetero")
  expect_near(coef(het)[["rta"]], 0.557185, 5e-7)
  expect_near(sqrt(vcov(het)[1, 1]), 0.059235, 5e-7)
  # The filter applies to a data frame as to a store table.
  one <- pivot_gravity(trade ~ rta + ln_dist | exporter + importer, d, filter = "year = 1986")
  expect_lt(nobs(one), 28482L)
  expect_match(pivot_provenance(one)$parameters[["filter"]], "year = 1986")
})

test_that("a model whose every regressor is collinear has no coefficients, and says so", {
  # rta is constant within pairs over 1986 alone: the pair fixed effect absorbs it.
  fit <- pivot_gravity(trade ~ rta | pair_id, "agtpa_gravity", filter = "year = 1986")
  expect_length(coef(fit), 0L)
  expect_equal(dim(vcov(fit)), c(0L, 0L))
  expect_equal(fit$collinear, "rta")
  expect_output(print(fit), "Collinear")
})

test_that("tidy() and glance() have broom's columns", {
  fit <- pivot_gravity(agtpa_rta, "agtpa_gravity", vcov = ~pair_id, filter = agtpa_years)
  t <- broom::tidy(fit)
  expect_equal(names(t), c("term", "estimate", "std.error", "statistic", "p.value"))
  expect_equal(t$term, "rta")
  expect_near(t$estimate, 0.557185, 5e-7)
  expect_near(t$std.error, 0.103753, 5e-7)
  expect_near(t$statistic, 0.557185 / 0.103753, 1e-4)
  ti <- broom::tidy(fit, conf.int = TRUE)
  expect_equal(names(ti), c("term", "estimate", "std.error", "statistic", "p.value",
                            "conf.low", "conf.high"))
  expect_equal(unname(c(ti$conf.low, ti$conf.high)), unname(confint(fit)[1, ]))
  g <- broom::glance(fit)
  expect_equal(nrow(g), 1L)
  expect_equal(g$nobs, 28482L)
  expect_true(g$converged)
})

test_that("several models (csw) come back as a list with the engine's table", {
  fits <- pivot_gravity(trade ~ csw(rta, ln_dist) | exporter^year + importer^year,
                        "agtpa_gravity", filter = "year IN (1986, 1990) AND exporter <> importer")
  expect_s3_class(fits, "pivot_gravity_list")
  expect_length(fits, 2L)
  expect_equal(names(coef(fits[[2]])), c("rta", "ln_dist"))
  expect_output(print(fits), "rta")
  expect_equal(unique(broom::tidy(fits)$model), 1:2)
})

test_that("bad gravity input is a pivot_input_error with a clear message", {
  expect_error(pivot_gravity(agtpa_rta, "agtpa_gravity", filter = "1 = 0"), "no rows",
               class = "pivot_input_error")
  expect_error(pivot_gravity(trade ~ nope | exporter, "agtpa_gravity", filter = "year = 1986"),
               "column 'nope' not found", class = "pivot_input_error")
  expect_error(pivot_gravity(agtpa_rta, "agtpa_gravity", vcov = "sandwich"), "vcov 'sandwich'",
               class = "pivot_input_error")
  expect_error(pivot_gravity(trade ~ rta, "agtpa_gravity", vcov = ~a + b + c),
               "one or two", class = "pivot_input_error")
  expect_error(pivot_gravity("trade ~ rta |", "agtpa_gravity"), "cannot parse formula",
               class = "pivot_input_error")
  expect_error(pivot_gravity(trade ~ rta, "no_such_table"), "neither a store table",
               class = "pivot_input_error")
  expect_error(pivot_gravity(trade ~ rta, 42), "must be a data frame",
               class = "pivot_input_error")
  expect_error(pivot_gravity(trade ~ rta, data.frame()), "no named columns",
               class = "pivot_input_error")
  expect_error(pivot_gravity(trade ~ rta, data.frame(trade = 1:3, rta = I(list(1, 2, 3)))),
               "column 'rta' is a list", class = "pivot_input_error")
  expect_error(pivot_gravity(trade ~ rta, "agtpa_gravity", filter = "year = 1986; DROP TABLE x"),
               "single SQL statement", class = "pivot_input_error")
  fit <- pivot_gravity(agtpa_rta, "agtpa_gravity", filter = "year IN (1986, 1990)")
  expect_error(confint(fit, level = 2), "level", class = "pivot_input_error")
  expect_error(confint(fit, "nope"), "no coefficient named nope", class = "pivot_input_error")
})

test_that("a large data frame goes through (300,000 rows, two fixed effects)", {
  # Parameter recovery on synthetic data: y ~ Poisson(exp(0.5 x + a_g + b_f)).
  set.seed(32)
  n <- 3e5
  g <- sample(1:50, n, TRUE)
  f <- sample(letters, n, TRUE)
  x <- rnorm(n)
  y <- rpois(n, exp(0.5 * x + g / 50 + match(f, letters) / 26))
  fit <- pivot_gravity(y ~ x | g + f, data.frame(y = y, x = x, g = g, f = factor(f)))
  expect_equal(nobs(fit), 300000L)
  expect_near(coef(fit)[["x"]], 0.5, 0.01)
})
