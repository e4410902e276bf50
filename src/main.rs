fn main() {
    std::process::exit(gen_core::run(std::env::args_os()));
}
