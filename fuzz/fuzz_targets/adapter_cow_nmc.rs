#![no_main]
//! The `cow-nmc` adapter over arbitrary bytes (as the file `nmc.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("cow-nmc", "nmc.csv", data));
