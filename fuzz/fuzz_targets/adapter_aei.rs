#![no_main]
//! The `aei` adapter over arbitrary bytes (as the file `aei_tracker.xlsx`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("aei", "aei_tracker.xlsx", data));
