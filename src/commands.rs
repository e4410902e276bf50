//! What each subcommand does with the pipeline's result, and how it reports.

use std::io::{self, Write};

use crate::cli::{GlobalArgs, RenderArgs};
use crate::diagnostics::Diagnostic;
use crate::pipeline::{self, Failure};
use crate::render::Renderer;
use crate::{emit, exit, locate, output_dir};

pub fn render(global: &GlobalArgs, args: &RenderArgs) -> i32 {
    let profile = match locate::locate(&args.profile, &global.profiles_dir) {
        Ok(profile) => profile,
        Err(diagnostic) => return report(&[diagnostic], None),
    };
    let output = match pipeline::run(&profile, &Renderer::new()) {
        Ok(output) => output,
        Err(failure) => return report_failure(failure),
    };
    match &args.output {
        None => write_stdout(&emit::stream(&output.objects)),
        Some(dir) => {
            let files = emit::files(&output.profile, &output.objects);
            match output_dir::write(dir, &files, args.force) {
                Ok(outcome) => {
                    eprintln!(
                        "gen: rendered `{}` into {dir}: {} objects, {} files written, {} unchanged, {} removed",
                        output.profile,
                        output.objects.len(),
                        outcome.written,
                        outcome.unchanged,
                        outcome.removed
                    );
                    exit::OK
                }
                Err(error) => {
                    let mut diagnostic = Diagnostic::error("output-directory", error.to_string());
                    if matches!(error, output_dir::OutputError::ForeignFiles { .. }) {
                        diagnostic = diagnostic.with_hint("move those files elsewhere, pick another directory, or pass --force to delete them");
                    }
                    report(&[diagnostic], None)
                }
            }
        }
    }
}

fn write_stdout(text: &str) -> i32 {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => exit::OK,
        // A reader that stops early (`gen render prod | head`) is not an error.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => exit::OK,
        Err(error) => {
            eprintln!("gen: cannot write to stdout: {error}");
            exit::ERROR
        }
    }
}

fn report_failure(failure: Failure) -> i32 {
    match failure {
        Failure::Profile {
            diagnostics,
            source,
        } => report(&diagnostics, source.as_ref()),
        Failure::Template(message) => {
            eprintln!(
                "error[template-defect]: {message}\n  = note: this is a bug in gen's templates, not in your profile; please report it"
            );
            exit::ERROR
        }
    }
}

/// Prints findings to stderr with a summary; input problems exit with 2.
fn report(diagnostics: &[Diagnostic], source: Option<&crate::source::SourceFile>) -> i32 {
    let mut text = String::new();
    for diagnostic in diagnostics {
        text.push_str(&diagnostic.render(source));
        text.push('\n');
    }
    let count = diagnostics.len();
    text.push_str(&format!(
        "gen: {count} error{}; nothing was written\n",
        if count == 1 { "" } else { "s" }
    ));
    let _ = io::stderr().write_all(text.as_bytes());
    exit::ERROR
}
