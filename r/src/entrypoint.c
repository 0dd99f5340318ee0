/* The shared library's entry point R calls when the package loads: it forwards to the routine
 * registration of the Rust library (crates/pivot-r, extendr), which src/Makevars builds with
 * cargo and links as libpivot_r.a. Referencing the Rust symbol here is also what keeps the
 * linker from dropping the static library. */
void R_init_pivot_extendr(void *dll);

void R_init_pivot(void *dll) {
    R_init_pivot_extendr(dll);
}
