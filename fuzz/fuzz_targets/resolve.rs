//! Profile bytes -> load -> the validated model or findings (`gen_core::fuzz::resolve`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    gen_core::fuzz::resolve(data);
});
