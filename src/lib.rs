//! `gen`: typed environment profiles in, hardened and validated Kubernetes manifests out.
//!
//! The pipeline, one module per stage: [`load`] -> [`resolve`] -> [`render`] -> [`check`] ->
//! [`emit`] (and [`output_dir`] for writing a directory).

pub mod byte_search;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod drift;
pub mod emit;
#[doc(hidden)]
pub mod fuzz;
pub mod image;
pub mod index;
pub mod kube_version;
pub mod load;
pub mod locate;
pub mod model;
pub mod output_dir;
pub mod parallel;
pub mod patch;
pub mod pipeline;
pub mod profile;
pub mod quantity;
pub mod reach;
pub mod render;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod source;
pub mod yaml;

mod commands;

use std::ffi::OsString;

use clap::Parser;

/// Exit codes, diff(1)-style as `kubectl diff` uses them.
pub mod exit {
    pub const OK: i32 = 0;
    /// Findings at error level, or differences.
    pub const FINDINGS: i32 = 1;
    /// Usage or input error, or an internal defect.
    pub const ERROR: i32 = 2;
}

/// Runs the command line and returns the process exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { exit::ERROR } else { exit::OK };
        }
    };
    match cli.command {
        cli::Command::Render(args) => commands::render(&cli.global, &args),
        cli::Command::Lint(args) => commands::lint(&cli.global, &args),
        cli::Command::Explain { code } => commands::explain(&code),
        cli::Command::Rules => commands::rules(),
        cli::Command::Resolve(args) => commands::resolve::resolve(&cli.global, &args),
        cli::Command::Diff(args) => commands::diff(&cli.global, &args),
        cli::Command::Check(args) => commands::check(&cli.global, &args),
        cli::Command::Graph(args) => commands::graph::graph(&cli.global, &args),
        cli::Command::Init { dir, force } => commands::init::init(&dir, force),
        cli::Command::Schema => commands::schema(),
        cli::Command::Completions { shell } => commands::completions(shell),
        cli::Command::Man { output } => commands::man(output.as_deref()),
    }
}
