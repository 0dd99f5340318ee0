#![no_main]
//! The `imf-dots` adapter over arbitrary bytes (as the file `imf_dots.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("imf-dots", "imf_dots.csv", data));
