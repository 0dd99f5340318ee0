#![no_main]
//! The `comtrade` adapter over arbitrary bytes (as the file `comtrade_bulk_2021.txt`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter(
    "comtrade",
    "comtrade_bulk_2021.txt",
    data
));
