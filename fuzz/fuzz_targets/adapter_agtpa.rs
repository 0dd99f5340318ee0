#![no_main]
//! The `agtpa` adapter over arbitrary bytes (as the file `agtpa.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("agtpa", "agtpa.csv", data));
