#![no_main]
//! The `bsv-ideal-points` adapter over arbitrary bytes (as the file `bsv_idealpoints.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter(
    "bsv-ideal-points",
    "bsv_idealpoints.csv",
    data
));
