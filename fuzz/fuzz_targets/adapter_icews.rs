#![no_main]
//! The `icews` adapter over arbitrary bytes (as the file `icews_events_2014.tab`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter(
    "icews",
    "icews_events_2014.tab",
    data
));
