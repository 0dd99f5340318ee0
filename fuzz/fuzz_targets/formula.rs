#![no_main]
//! pivot_fuzz::formula over arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::formula(data));
