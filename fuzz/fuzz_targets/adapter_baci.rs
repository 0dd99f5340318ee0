#![no_main]
//! The `baci` adapter over arbitrary bytes (as the file `BACI_HS17_Y2021_V202301.csv`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter(
    "baci",
    "BACI_HS17_Y2021_V202301.csv",
    data
));
