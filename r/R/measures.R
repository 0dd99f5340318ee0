pivot_measure <- function(name, ..., store = NULL) {
  name <- .string(name, "name")
  params <- list(...)
  if (length(params) && (is.null(names(params)) || any(names(params) == ""))) {
    .input_error(sprintf(
      "measure '%s': give parameters as name = value (pivot_measure_help(\"%s\") lists them)",
      name, name))
  }
  .frame(.native(.Call(wrap__pivot_native_measure, .store(store), name, params)))
}

pivot_measures <- function() {
  .frame(.native(.Call(wrap__pivot_native_measures)))
}

pivot_measure_help <- function(name) {
  text <- .native(.Call(wrap__pivot_native_measure_help, .string(name, "name")))
  structure(text, class = "pivot_help")
}

pivot_measure_info <- function(name = NULL) {
  cat <- .native(.Call(wrap__pivot_native_measure_catalog))
  if (is.null(name)) return(cat)
  name <- .string(name, "name")
  for (m in cat) if (identical(m$name, name)) return(m)
  # The engine's error: the closest name.
  .native(.Call(wrap__pivot_native_measure_help, name))
}

print.pivot_help <- function(x, ...) {
  cat(x, "\n", sep = "")
  invisible(x)
}
