# Gravity models: the engine fits (crates/pivot-gravity, through pivot-engine); these functions
# only pass the request and present the engine's numbers the way fixest and broom users expect.

.formula_text <- function(f) {
  if (inherits(f, "formula")) return(paste(trimws(deparse(f, width.cutoff = 500L)), collapse = " "))
  if (is.character(f) && length(f) == 1L && !is.na(f)) return(f)
  .input_error(sprintf("`formula` must be a formula or a string, not %s", .describe(f)))
}

# fixest's `vcov = ~pair_id` (cluster by pair_id), `~a + b` (two-way), or the engine's words.
.vcov_text <- function(v) {
  if (inherits(v, "formula")) {
    if (length(v) != 2L) .input_error("`vcov` as a formula is one-sided: ~cluster or ~a + b")
    vars <- all.vars(v)
    if (length(vars) < 1L || length(vars) > 2L) {
      .input_error("`vcov = ~...` clusters by one or two variables")
    }
    return(sprintf("cluster(%s)", paste(vars, collapse = ", ")))
  }
  .string(v, "vcov")
}

pivot_gravity <- function(formula, data, vcov = "iid", filter = NULL,
                          estimator = c("ppml", "ols"), separation = "default",
                          keep_unconverged = FALSE, store = NULL) {
  formulas <- if (is.list(formula)) vapply(formula, .formula_text, "") else .formula_text(formula)
  estimator <- match.arg(estimator)
  if (missing(data)) .input_error("`data` must be given: a store table's name, a SELECT query, a CSV/Parquet path or a data frame")
  if (is.character(data)) {
    data <- .string(data, "data")
    if (file.exists(path.expand(data))) data <- path.expand(data)
  } else if (!is.data.frame(data)) {
    .input_error(sprintf("`data` must be a data frame, a store table's name, a SELECT query or a CSV/Parquet path, not %s", .describe(data)))
  } else {
    data <- as.list(data)
  }
  if (!isTRUE(keep_unconverged) && !isFALSE(keep_unconverged)) {
    .input_error("`keep_unconverged` must be TRUE or FALSE")
  }
  res <- .native(.Call(
    wrap__pivot_native_gravity, .store(store), data, formulas, .vcov_text(vcov),
    .string(filter, "filter", null_ok = TRUE), estimator, .string(separation, "separation"),
    keep_unconverged))
  table <- .frame(res$table)
  prov <- attr(table, "pivot_provenance")
  models <- lapply(seq_along(res$fits), function(k) {
    f <- res$fits[[k]]
    # The engine's tidy rows of this model (none when every regressor was collinear).
    rows <- data.frame(term = as.character(f$terms), estimate = as.numeric(f$coefficients),
                       std_error = as.numeric(f$std_error), z = as.numeric(f$z),
                       p = as.numeric(f$p), stringsAsFactors = FALSE)
    p <- length(f$terms)
    v <- matrix(f$vcov, p, p, byrow = TRUE, dimnames = list(f$terms, f$terms))
    structure(list(
      coefficients = stats::setNames(f$coefficients, f$terms),
      vcov = v,
      coeftable = rows,
      fitted = f$fitted,
      nobs = as.integer(f$nobs),
      n_original = as.integer(f$n_original),
      converged = f$converged,
      iterations = as.integer(f$iterations),
      deviance = f$deviance,
      null_deviance = f$null_deviance,
      pseudo_r2 = f$pseudo_r2,
      loglik = f$loglik,
      collinear = f$collinear,
      formula = f$formula,
      vcov_type = f$vcov_type,
      estimator = estimator,
      text = if (length(res$fits) == 1L) res$text else NULL,
      provenance = prov
    ), class = "pivot_gravity")
  })
  if (length(models) == 1L) return(models[[1L]])
  structure(models, class = "pivot_gravity_list", text = res$text, provenance = prov,
            table = table)
}

print.pivot_gravity <- function(x, ...) {
  if (!is.null(x$text)) cat(x$text) else {
    cat(sprintf("%s fit: %s (%d observations)\n", toupper(x$estimator), x$formula, x$nobs))
    print(stats::setNames(x$coefficients, names(x$coefficients)))
  }
  invisible(x)
}

summary.pivot_gravity <- function(object, ...) {
  ct <- cbind(
    Estimate = object$coeftable$estimate,
    `Std. Error` = object$coeftable$std_error,
    `z value` = object$coeftable$z,
    `Pr(>|z|)` = object$coeftable$p
  )
  rownames(ct) <- object$coeftable$term
  structure(list(coefficients = ct, fit = object), class = "summary.pivot_gravity")
}

print.summary.pivot_gravity <- function(x, ...) {
  print(x$fit)
  cat("\n")
  print(x$fit$provenance)
  invisible(x)
}

coef.pivot_gravity <- function(object, ...) object$coefficients

vcov.pivot_gravity <- function(object, ...) object$vcov

nobs.pivot_gravity <- function(object, ...) object$nobs

# The fitted means (PPML: mu; OLS: y-hat) of the observations used, as fixest's fitted().
fitted.pivot_gravity <- function(object, ...) object$fitted

# Intervals from the engine's estimates and standard errors with the normal quantile: fixest's
# convention for Poisson models, and the distribution of the engine's p-values for both
# estimators (fixest's OLS intervals use Student's t instead).
confint.pivot_gravity <- function(object, parm, level = 0.95, ...) {
  if (!is.numeric(level) || length(level) != 1L || is.na(level) || level <= 0 || level >= 1) {
    .input_error("`level` must be a number between 0 and 1")
  }
  b <- object$coefficients
  se <- sqrt(diag(object$vcov))
  if (!missing(parm)) {
    if (is.numeric(parm)) parm <- names(b)[parm]
    bad <- setdiff(parm, names(b))
    if (length(bad)) .input_error(sprintf("`parm`: no coefficient named %s", paste(bad, collapse = ", ")))
    b <- b[parm]
    se <- se[parm]
  }
  a <- (1 - level) / 2
  q <- stats::qnorm(c(a, 1 - a))
  ci <- cbind(b + q[1L] * se, b + q[2L] * se)
  dimnames(ci) <- list(names(b), paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%"))
  ci
}

.tidy_frame <- function(df) {
  if (requireNamespace("tibble", quietly = TRUE)) tibble::as_tibble(df) else df
}

# broom's tidy(): term, estimate, std.error, statistic (z), p.value [, conf.low, conf.high].
tidy.pivot_gravity <- function(x, conf.int = FALSE, conf.level = 0.95, ...) {
  ct <- x$coeftable
  out <- data.frame(term = ct$term, estimate = ct$estimate, std.error = ct$std_error,
                    statistic = ct$z, p.value = ct$p, stringsAsFactors = FALSE)
  if (isTRUE(conf.int)) {
    ci <- confint.pivot_gravity(x, level = conf.level)
    out$conf.low <- unname(ci[ct$term, 1L])
    out$conf.high <- unname(ci[ct$term, 2L])
  }
  .tidy_frame(out)
}

# broom's glance(): one row per model.
glance.pivot_gravity <- function(x, ...) {
  .tidy_frame(data.frame(
    estimator = x$estimator, nobs = x$nobs, n_dropped = x$n_original - x$nobs,
    deviance = x$deviance, null.deviance = x$null_deviance, pseudo.r.squared = x$pseudo_r2,
    logLik = x$loglik, iterations = x$iterations, converged = x$converged,
    vcov = x$vcov_type, stringsAsFactors = FALSE))
}

print.pivot_gravity_list <- function(x, ...) {
  cat(attr(x, "text"))
  invisible(x)
}

coef.pivot_gravity_list <- function(object, ...) lapply(unclass(object), coef.pivot_gravity)

tidy.pivot_gravity_list <- function(x, conf.int = FALSE, conf.level = 0.95, ...) {
  parts <- lapply(seq_along(x), function(k) {
    t <- as.data.frame(tidy.pivot_gravity(x[[k]], conf.int = conf.int, conf.level = conf.level))
    cbind(model = k, t)
  })
  .tidy_frame(do.call(rbind, parts))
}

pivot_scenario <- function(path, all_pairs = FALSE, store = NULL) {
  path <- path.expand(.string(path, "path"))
  if (!isTRUE(all_pairs) && !isFALSE(all_pairs)) .input_error("`all_pairs` must be TRUE or FALSE")
  res <- .native(.Call(wrap__pivot_native_scenario, .store(store), path, all_pairs))
  countries <- .frame(res$countries)
  structure(list(countries = countries, pairs = .frame(res$pairs), notes = res$notes,
                 provenance = attr(countries, "pivot_provenance")),
            class = "pivot_scenario")
}

print.pivot_scenario <- function(x, ...) {
  cat(sprintf("pivot scenario (%s): %d countries, %d pairs\n", x$provenance$method,
              nrow(x$countries), nrow(x$pairs)))
  for (n in x$notes) cat("Note: ", n, "\n", sep = "")
  invisible(x)
}
