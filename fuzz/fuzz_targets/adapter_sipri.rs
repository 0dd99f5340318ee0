#![no_main]
//! The `sipri` adapter over arbitrary bytes (as the file `sipri.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("sipri", "sipri.csv", data));
