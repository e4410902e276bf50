// Large renders allocate and free millions of small strings and maps on every core.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(gen_core::run(std::env::args_os()));
}
