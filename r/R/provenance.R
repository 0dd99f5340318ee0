pivot_provenance <- function(x) {
  p <- attr(x, "pivot_provenance", exact = TRUE)
  if (is.null(p) && is.list(x) && inherits(x$provenance, "pivot_provenance")) p <- x$provenance
  if (is.null(p)) {
    .input_error("no pivot provenance here: pivot_provenance() takes a result of a pivot function")
  }
  p
}

print.pivot_provenance <- function(x, ...) {
  cat(x$text, "\n", sep = "")
  invisible(x)
}
