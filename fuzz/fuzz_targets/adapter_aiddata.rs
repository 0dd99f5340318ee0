#![no_main]
//! The `aiddata` adapter over arbitrary bytes (as the file `aiddata.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("aiddata", "aiddata.csv", data));
