#![no_main]
//! The `unvotes` adapter over arbitrary bytes (as the file `unvotes.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("unvotes", "unvotes.csv", data));
