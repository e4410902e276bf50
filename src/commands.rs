//! What each subcommand does with the pipeline's result, and how it reports.

use std::io::{self, IsTerminal, Write};

use crate::cli::{GlobalArgs, LintArgs, RenderArgs};
use crate::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::locate::ProfileFile;
use crate::pipeline::{self, Failure, Report};
use crate::render::Renderer;
use crate::report::{self, Format};
use crate::rules::catalog;
use crate::{emit, exit, locate, output_dir};

pub fn render(global: &GlobalArgs, args: &RenderArgs) -> i32 {
    let names: Vec<String> = args.profile.iter().cloned().collect();
    let profiles = match selected_profiles(global, &names) {
        Ok(profiles) => profiles,
        Err(diagnostic) => return report_input_error(&diagnostic),
    };
    let renderer = Renderer::new();
    let mut outputs = Vec::with_capacity(profiles.len());
    for profile in &profiles {
        match pipeline::run(profile, &renderer) {
            Ok(output) => outputs.push(output),
            Err(failure) => return report_failure(failure),
        }
    }
    let reports: Vec<&Report> = outputs.iter().map(|o| &o.report).collect();
    let errors: usize = reports.iter().map(|r| r.count(Severity::Error)).sum();
    print_findings(&reports);
    if errors > 0 {
        eprintln!(
            "gen: {errors} policy error{}; nothing was written (fix them, or waive each with a reason: `gen explain CODE`)",
            plural(errors)
        );
        return exit::FINDINGS;
    }
    let Some(dir) = &args.output else {
        let stream: String = outputs.iter().map(|o| emit::stream(&o.objects)).collect();
        let code = write_stdout(&stream);
        // The process ends right after this; freeing tens of thousands of objects one by one
        // would take longer than rendering them did.
        std::mem::forget((outputs, stream));
        return code;
    };
    let files = if args.all {
        outputs
            .iter()
            .flat_map(|o| prefixed(&o.profile, emit::files(&o.profile, &o.objects)))
            .collect()
    } else {
        emit::files(&outputs[0].profile, &outputs[0].objects)
    };
    let written = output_dir::write(dir, &files, args.force);
    std::mem::forget(files);
    match written {
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
            report_input_error(&diagnostic)
        }
    }
}

pub fn lint(global: &GlobalArgs, args: &LintArgs) -> i32 {
    let profiles = match selected_profiles(global, &args.profiles) {
        Ok(profiles) => profiles,
        Err(diagnostic) => return report_input_error(&diagnostic),
    };
    let renderer = Renderer::new();
    let mut reports = Vec::with_capacity(profiles.len());
    for profile in &profiles {
        match pipeline::run(profile, &renderer) {
            Ok(output) => reports.push(output.report),
            Err(Failure::Profile(report)) => reports.push(report),
            Err(Failure::Template(defect)) => return report_failure(Failure::Template(defect)),
        }
    }
    let text = match args.format {
        Format::Human => report::human(&reports, report::use_colour(io::stdout().is_terminal())),
        Format::Json => pretty(&report::json(&reports)),
        Format::Sarif => pretty(&report::sarif(&reports)),
    };
    let printed = write_stdout(&text);
    if reports.iter().any(Report::has_schema_error) {
        return exit::ERROR;
    }
    let errors: usize = reports.iter().map(|r| r.count(Severity::Error)).sum();
    let warnings: usize = reports.iter().map(|r| r.count(Severity::Warning)).sum();
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        exit::FINDINGS
    } else {
        printed
    }
}

pub fn explain(code: &str) -> i32 {
    match report::explain(code) {
        Some(text) => write_stdout(&text),
        None => {
            let hint = match did_you_mean(code, catalog::RULES.iter().map(|r| r.code)) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "`gen rules` lists every code".to_owned(),
            };
            eprintln!("error: there is no rule `{code}`\n  = help: {hint}");
            exit::ERROR
        }
    }
}

pub fn rules() -> i32 {
    write_stdout(&report::rules_table())
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The profiles a command works on: those named, or every profile in the profiles directory.
fn selected_profiles(global: &GlobalArgs, names: &[String]) -> Result<Vec<ProfileFile>, Diagnostic> {
    if !names.is_empty() {
        return names
            .iter()
            .map(|name| locate::locate(name, &global.profiles_dir))
            .collect();
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

/// Warnings (and errors) of a render go to stderr, so stdout stays a clean YAML stream.
fn print_findings(reports: &[&Report]) {
    let colour = report::use_colour(io::stderr().is_terminal());
    let mut text = String::new();
    for report in reports {
        for finding in &report.findings {
            text.push_str(&report::human_finding(finding, Some(report), colour));
            text.push('\n');
        }
    }
    let _ = io::stderr().write_all(text.as_bytes());
}

fn report_failure(failure: Failure) -> i32 {
    match failure {
        Failure::Profile(report) => {
            let colour = report::use_colour(io::stderr().is_terminal());
            let mut text: String = report
                .findings
                .iter()
                .map(|d| report::human_finding(d, Some(&report), colour) + "\n")
                .collect();
            let errors = report.count(Severity::Error);
            text.push_str(&format!(
                "gen: {errors} error{} in {}; nothing was written\n",
                plural(errors),
                report.file
            ));
            let _ = io::stderr().write_all(text.as_bytes());
        }
        Failure::Template(defect) => {
            eprintln!(
                "error[{}]: {defect}\n  = note: this is a bug in gen's templates, not in your profile; please report it",
                defect.code
            );
        }
    }
    exit::ERROR
}

fn report_input_error(diagnostic: &Diagnostic) -> i32 {
    let colour = report::use_colour(io::stderr().is_terminal());
    eprint!(
        "{}\ngen: nothing was written\n",
        report::human_finding(diagnostic, None, colour)
    );
    exit::ERROR
}
