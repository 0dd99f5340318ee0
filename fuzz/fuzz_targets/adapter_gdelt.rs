#![no_main]
//! The `gdelt` adapter over arbitrary bytes (as the file `20220224053000.export.CSV`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter(
    "gdelt",
    "20220224053000.export.CSV",
    data
));
