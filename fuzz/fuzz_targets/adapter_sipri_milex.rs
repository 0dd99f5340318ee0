#![no_main]
//! The `sipri-milex` adapter over arbitrary bytes (as the file `milex.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("sipri-milex", "milex.csv", data));
