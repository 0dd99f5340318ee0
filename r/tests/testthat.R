# R CMD check's entry; .ci/run calls testthat::test_dir() on the installed package directly.
library(testthat)
library(pivot)
test_check("pivot")
