//! Profile bytes through every stage `gen render` runs (`gen_core::fuzz::pipeline`).
#![no_main]

use std::sync::LazyLock;

use gen_core::fuzz::Renderers;

// Building the template environments once, as gen does per run, keeps the target fast; they are
// built before the first input, so that input's one-second timeout does not pay for them.
static RENDERERS: LazyLock<Renderers> = LazyLock::new(Renderers::new);

libfuzzer_sys::fuzz_target!(
    init: {
        LazyLock::force(&RENDERERS);
    },
    |data: &[u8]| {
        gen_core::fuzz::pipeline(data, &RENDERERS);
    }
);
