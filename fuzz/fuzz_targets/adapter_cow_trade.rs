#![no_main]
//! The `cow-trade` adapter over arbitrary bytes (as the file `cow_trade.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter("cow-trade", "cow_trade.csv", data));
