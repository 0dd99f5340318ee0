#![no_main]
//! pivot_fuzz::sql over arbitrary bytes: SQL text through the server's read-only path.
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::sql(data));
