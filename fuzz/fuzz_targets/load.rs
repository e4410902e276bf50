//! Profile bytes -> a raw profile or findings; the assertions live in `gen_core::fuzz::load`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    gen_core::fuzz::load(data);
});
