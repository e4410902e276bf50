//! What each subcommand does with the pipeline's result, and how it reports.

use std::io::{self, Write};

use crate::cli::{GlobalArgs, RenderArgs};
use crate::diagnostics::Diagnostic;
use crate::pipeline::{self, Failure};
use crate::render::Renderer;
use crate::{emit, exit, locate, output_dir};

pub fn render(global: &GlobalArgs, args: &RenderArgs) -> i32 {
    let profiles = match selected_profiles(global, args) {
        Ok(profiles) => profiles,
        Err(diagnostic) => return report(&[diagnostic], None),
    };
    let renderer = Renderer::new();
    let mut outputs = Vec::with_capacity(profiles.len());
    for profile in &profiles {
        match pipeline::run(profile, &renderer) {
            Ok(output) => outputs.push(output),
            Err(failure) => return report_failure(failure),
        }
    }
    let Some(dir) = &args.output else {
        let stream: String = outputs.iter().map(|o| emit::stream(&o.objects)).collect();
        return write_stdout(&stream);
    };
    let files = if args.all {
        outputs
            .iter()
            .flat_map(|o| prefixed(&o.profile, emit::files(&o.profile, &o.objects)))
            .collect()
    } else {
        emit::files(&outputs[0].profile, &outputs[0].objects)
    };
    match output_dir::write(dir, &files, args.force) {
        Ok(outcome) => {
            let objects: usize = outputs.iter().map(|o| o.objects.len()).sum();
            let names: Vec<&str> = outputs.iter().map(|o| o.profile.as_str()).collect();
            eprintln!(
                "gen: rendered {} into {dir}: {objects} objects; {} files written, {} unchanged, {} removed",
                names.join(", "),
                outcome.written,
                outcome.unchanged,
                outcome.removed
            );
            exit::OK
        }
        Err(error) => {
            let mut diagnostic = Diagnostic::error("output-directory", error.to_string());
            if matches!(error, output_dir::OutputError::ForeignFiles { .. }) {
                diagnostic = diagnostic
                    .with_hint("move those files elsewhere, pick another directory, or pass --force to delete them");
            }
            report(&[diagnostic], None)
        }
    }
}

fn selected_profiles(global: &GlobalArgs, args: &RenderArgs) -> Result<Vec<locate::ProfileFile>, Diagnostic> {
    if let Some(name) = &args.profile {
        return locate::locate(name, &global.profiles_dir).map(|profile| vec![profile]);
    }
    let dir = &global.profiles_dir;
    let profiles = locate::list(dir).map_err(|e| {
        Diagnostic::error(
            "profile-not-found",
            format!("cannot read the profiles directory `{dir}`: {e}"),
        )
    })?;
    if profiles.is_empty() {
        return Err(
            Diagnostic::error("profile-not-found", format!("`{dir}` holds no *.yaml profiles"))
                .with_hint("create profiles/<name>.yaml, or point --profiles-dir at your profiles"),
        );
    }
    Ok(profiles)
}

/// Places a profile's files under `<profile>/` for `--all`.
fn prefixed(profile: &str, files: Vec<emit::File>) -> impl Iterator<Item = emit::File> + '_ {
    files.into_iter().map(move |file| emit::File {
        path: format!("{profile}/{}", file.path),
        contents: file.contents,
    })
}

fn write_stdout(text: &str) -> i32 {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
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
        Failure::Profile { diagnostics, source } => report(&diagnostics, source.as_ref()),
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
