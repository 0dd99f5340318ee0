#![no_main]
//! pivot_fuzz::scenario over arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::scenario(data));
