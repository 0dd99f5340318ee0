#![no_main]
//! The `worldbank` adapter over arbitrary bytes (as the file `wb.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("worldbank", "wb.csv", data));
