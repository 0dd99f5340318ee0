#![no_main]
//! The `baci-totals` adapter over arbitrary bytes (as the file `baci_dyad_totals.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter(
    "baci-totals",
    "baci_dyad_totals.csv",
    data
));
