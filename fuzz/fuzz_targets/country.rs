#![no_main]
//! pivot_fuzz::country over arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::country(data));
