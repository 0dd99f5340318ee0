# The bridge to the engine (crates/pivot-r): every .Call goes through .native(), which turns a
# failure the engine reports into an R condition, and results into data frames.

# Condition classes, most specific first; every one is a `pivot_error`. Input errors (a bad
# argument, an unknown measure, data the store lacks) are `pivot_input_error`s.
.pivot_classes <- list(
  pivot_parameter_error = c("pivot_parameter_error", "pivot_input_error"),
  pivot_unknown_measure_error = c("pivot_unknown_measure_error", "pivot_input_error"),
  pivot_data_error = c("pivot_data_error", "pivot_input_error"),
  pivot_input_error = "pivot_input_error",
  pivot_store_error = "pivot_store_error",
  pivot_internal_error = "pivot_internal_error"
)

.pivot_condition <- function(class, message, fields = list(), call = NULL) {
  classes <- .pivot_classes[[class]]
  if (is.null(classes)) classes <- class
  structure(
    c(list(message = message, call = call), fields),
    class = c(classes, "pivot_error", "error", "condition")
  )
}

# The user's call a condition names: the outermost call of a pivot function or method, e.g.
# `pivot_measure("partner-share", focal = "RUS", bogus = 1)`, not the helper that found the
# problem.
.user_call <- function() {
  for (c in sys.calls()) {
    f <- c[[1L]]
    if (is.call(f) && identical(f[[1L]], as.name("::"))) f <- f[[3L]]
    if (is.name(f) && grepl("^pivot_|\\.pivot_(gravity|gravity_list|provenance|scenario)$",
                            as.character(f))) {
      return(c)
    }
  }
  NULL
}

# Signals a pivot_input_error from R-side argument checks (before anything is sent).
.input_error <- function(message, ...) {
  stop(.pivot_condition("pivot_input_error", message, list(...), .user_call()))
}

.native <- function(res) {
  if (inherits(res, "pivot_native_error")) {
    fields <- unclass(res)
    fields$class <- NULL
    fields$message <- NULL
    stop(.pivot_condition(res$class, res$message, fields, .user_call()))
  }
  res
}

# A result (list(columns, nrow, provenance)) as a data frame, a tibble when tibble is installed,
# with its provenance as the attribute "pivot_provenance".
.frame <- function(res) {
  cols <- res$columns
  df <- structure(cols, class = "data.frame", row.names = .set_row_names(as.integer(res$nrow)))
  if (requireNamespace("tibble", quietly = TRUE)) df <- tibble::as_tibble(df)
  attr(df, "pivot_provenance") <- res$provenance
  df
}

.store <- function(store) {
  if (is.null(store)) return(NULL)
  if (!is.character(store) || length(store) != 1L || is.na(store)) {
    .input_error("`store` must be NULL or the path of a store folder")
  }
  path.expand(store)
}

.string <- function(x, what, null_ok = FALSE) {
  if (is.null(x) && null_ok) return(NULL)
  if (is.factor(x)) x <- as.character(x)
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    .input_error(sprintf("`%s` must be a single string, not %s", what, .describe(x)))
  }
  x
}

.describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (length(x) == 1L && is.atomic(x) && is.na(x)) return("NA")
  sprintf("a %s of length %d", class(x)[1L], length(x))
}
