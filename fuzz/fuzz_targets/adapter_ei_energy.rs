#![no_main]
//! The `ei-energy` adapter over arbitrary bytes (as the file `energy.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("ei-energy", "energy.csv", data));
