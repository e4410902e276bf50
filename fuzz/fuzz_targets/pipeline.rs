//! Profile bytes through every stage `gen render` runs (`gen_core::fuzz::pipeline`).
#![no_main]

use std::sync::LazyLock;

use gen_core::render::Renderer;

// Building the template environment once, as gen does per run, keeps the target fast.
static RENDERER: LazyLock<Renderer> = LazyLock::new(Renderer::new);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    gen_core::fuzz::pipeline(data, &RENDERER);
});
