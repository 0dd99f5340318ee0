#![no_main]
//! The `atop` adapter over arbitrary bytes (as the file `atop.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("atop", "atop.csv", data));
