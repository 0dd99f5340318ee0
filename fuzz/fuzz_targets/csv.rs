#![no_main]
//! pivot_fuzz::csv over arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::csv(data));
