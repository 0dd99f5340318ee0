pivot_store <- function(store = NULL) {
  .native(.Call(wrap__pivot_native_store, .store(store)))
}

pivot_sql <- function(query, store = NULL) {
  .frame(.native(.Call(wrap__pivot_native_sql, .store(store), .string(query, "query"))))
}

pivot_country <- function(query) {
  .frame(.native(.Call(wrap__pivot_native_country, .string(query, "query"))))
}

pivot_datasets <- function(store = NULL) {
  .frame(.native(.Call(wrap__pivot_native_datasets, .store(store))))
}

pivot_cite <- function(datasets = NULL, bibtex = FALSE, store = NULL) {
  if (!is.null(datasets) && (!is.character(datasets) || anyNA(datasets))) {
    .input_error("`datasets` must be NULL or a character vector of dataset ids")
  }
  if (!isTRUE(bibtex) && !isFALSE(bibtex)) .input_error("`bibtex` must be TRUE or FALSE")
  c <- .native(.Call(wrap__pivot_native_citations, .store(store), datasets))
  out <- if (bibtex) trimws(c$bibtex[nzchar(trimws(c$bibtex))]) else paste0(c$id, ": ", c$text)
  names(out) <- if (bibtex) c$id[nzchar(trimws(c$bibtex))] else c$id
  structure(out, class = "pivot_citations", bibtex = bibtex)
}

print.pivot_citations <- function(x, ...) {
  cat(unclass(x), sep = if (isTRUE(attr(x, "bibtex"))) "\n\n" else "\n")
  cat("\n")
  invisible(x)
}

pivot_claims <- function(path = NULL, store = NULL) {
  path <- .string(path, "path", null_ok = TRUE)
  if (!is.null(path)) path <- path.expand(path)
  .frame(.native(.Call(wrap__pivot_native_claims, .store(store), path)))
}

pivot_report <- function(out, focal = NULL, partners = NULL, years = NULL, claims = NULL,
                         contrasts = NULL, store = NULL) {
  list_arg <- function(x, what) {
    if (is.null(x)) return(NULL)
    if (!is.character(x) || anyNA(x)) .input_error(sprintf("`%s` must be a character vector", what))
    trimws(unlist(strsplit(x, ",", fixed = TRUE)))
  }
  years <- if (is.numeric(years) && length(years) == 1L && !is.na(years)) as.character(years) else years
  files <- .native(.Call(
    wrap__pivot_native_report, .store(store), path.expand(.string(out, "out")),
    .string(focal, "focal", TRUE), list_arg(partners, "partners"),
    .string(years, "years", TRUE), .string(claims, "claims", TRUE),
    list_arg(contrasts, "contrasts")))
  invisible(files)
}

pivot_ingest <- function(source, path, store = NULL) {
  source <- .string(source, "source")
  if (!is.character(path) || length(path) == 0L || anyNA(path)) {
    .input_error("`path` must be the path of a file or folder (or several)")
  }
  .native(.Call(wrap__pivot_native_ingest, .store(store), source, path.expand(path)))
}

pivot_remove <- function(dataset, store = NULL) {
  .native(.Call(wrap__pivot_native_remove, .store(store), .string(dataset, "dataset")))
}

pivot_verify <- function(store = NULL) {
  .native(.Call(wrap__pivot_native_verify, .store(store)))
}
