#![no_main]
//! The `voeten-raw` adapter over arbitrary bytes (as the file `RawVotingdata.tab`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| pivot_fuzz::adapter(
    "voeten-raw",
    "RawVotingdata.tab",
    data
));
