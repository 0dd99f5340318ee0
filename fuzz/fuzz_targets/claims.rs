#![no_main]
//! pivot_fuzz::claims over arbitrary bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::claims(data));
