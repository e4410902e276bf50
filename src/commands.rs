//! What each subcommand does with the pipeline's result, and how it reports.

use std::io::{self, IsTerminal, Write};

use camino::{Utf8Path, Utf8PathBuf};
use clap::CommandFactory;

use crate::cli::{CheckArgs, CheckFormat, DiffArgs, GlobalArgs, LintArgs, RenderArgs};
use crate::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::locate::ProfileFile;
use crate::pipeline::{self, Failure, Output, Report};
use crate::render::Renderer;
use crate::report::{self, Format};
use crate::rules::catalog;
use crate::{drift, emit, exit, locate, output_dir};

pub mod graph;
pub mod init;
pub mod resolve;

pub fn render(global: &GlobalArgs, args: &RenderArgs) -> i32 {
    let names: Vec<String> = args.profile.iter().cloned().collect();
    let profiles = match selected_profiles(global, &names) {
        Ok(profiles) => profiles,
        Err(diagnostic) => return report_input_error(&diagnostic),
    };
    // `-o DIR --check` compares with the tree, read while the profiles render.
    let (built, tree) = match (&args.output, args.check) {
        (Some(dir), true) => {
            let (built, tree) = render_while_reading(dir, || build_each(&profiles, global));
            (built, Some(tree))
        }
        _ => (build_each(&profiles, global), None),
    };
    let outputs = match built {
        Ok(outputs) => outputs,
        Err(code) => return code,
    };
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
        let mut stdout = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
        let written = outputs
            .iter()
            .try_for_each(|o| emit::write_stream(&o.documents, &mut stdout))
            .and_then(|()| stdout.flush());
        // The process ends right after this; freeing tens of thousands of objects one by one
        // would take longer than rendering them did.
        std::mem::forget(outputs);
        return stdout_result(written);
    };
    if let Some(tree) = tree {
        return check_render(tree, dir, &outputs, &profiles, args.all);
    }
    let files = match output_files(&outputs, args.all) {
        Ok(files) => files,
        Err(diagnostic) => return report_input_error(&diagnostic),
    };
    let mut keep: Vec<&Utf8Path> = profiles.iter().map(|p| p.path.as_path()).collect();
    keep.push(&global.profiles_dir);
    let options = output_dir::WriteOptions {
        force: args.force,
        prune_renders: args.all,
        keep: &keep,
        fsync: args.fsync,
    };
    let written = output_dir::write(dir, &files, options);
    std::mem::forget(files);
    match written {
        Ok(outcome) if args.exit_code && (outcome.written > 0 || outcome.removed > 0) => {
            eprintln!(
                "gen: updated {dir}: {} files written, {} removed; review and stage them",
                outcome.written, outcome.removed
            );
            exit::FINDINGS
        }
        Ok(outcome) => {
            let objects: usize = outputs.iter().map(|o| o.documents.len()).sum();
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
        Err(error) => report_input_error(&output_error(error)),
    }
}

/// `gen render -o DIR --check`: what writing would change, without writing.
fn check_render(
    tree: Result<output_dir::Tree, output_dir::OutputError>,
    dir: &Utf8Path,
    outputs: &[Output],
    profiles: &[ProfileFile],
    all: bool,
) -> i32 {
    let palette = drift::Palette::new(report::use_colour(io::stdout().is_terminal()));
    let drifts = match tree {
        Ok(tree) => directory_drifts(tree, dir, outputs, profiles, all),
        Err(error) => return report_input_error(&output_error(error)),
    };
    let printed = write_stdout(&describe_drifts(&drifts, dir, palette, Detail::Files));
    let stale: Vec<&str> = drifts
        .iter()
        .filter(|d| !d.drift.is_clean())
        .map(|d| d.dir.as_str())
        .collect();
    if stale.is_empty() {
        eprintln!("gen: {dir} is up to date");
        return printed;
    }
    let command = if all {
        format!("gen render --all -o {dir}")
    } else {
        format!("gen render {} -o {dir}", profiles[0].name)
    };
    if drifts.iter().any(|d| d.drift.needs_force()) {
        eprintln!(
            "gen: stale: {}; it holds files gen will not replace on its own (see above): review them, then run `{command} --force`",
            stale.join(", ")
        );
    } else {
        eprintln!("gen: stale: {}; run `{command}` to update", stale.join(", "));
    }
    exit::FINDINGS
}

/// How much `describe_drifts` says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Every directory, clean ones included, with objects and fields (`gen check`).
    Summary,
    /// Only what differs, with the unified diff of the files (`render --check`).
    Files,
}

/// The drift of every directory in words: per profile, then what no profile renders.
fn describe_drifts(drifts: &[DirectoryDrift], root: &Utf8Path, palette: drift::Palette, detail: Detail) -> String {
    let mut text = String::new();
    for d in drifts {
        if d.drift.is_clean() && (detail == Detail::Files || d.profile.is_none()) {
            continue;
        }
        match &d.profile {
            Some(_) => text.push_str(&drift::summary(&d.drift, d.dir.as_str(), &d.source, palette)),
            None => {
                text.push_str(&format!(
                    "{root} holds what no profile renders (`gen render --all -o {root}` prunes gen's own files):\n"
                ));
                text.push_str(&drift::changes(&d.drift, palette));
            }
        }
        match (detail, &d.profile) {
            (Detail::Files, _) => text.push_str(&drift::unified(&d.drift, d.dir.as_str(), palette)),
            (Detail::Summary, Some(profile)) if !d.drift.is_clean() && !d.drift.missing => {
                text.push_str(&format!("  (`gen diff {profile} {}` shows the file diff)\n", d.dir));
            }
            _ => {}
        }
    }
    text
}

/// One directory compared with one render (or, under `--all`, what no profile renders).
struct DirectoryDrift {
    dir: Utf8PathBuf,
    /// What the directory should hold, in words: `profiles/prod.yaml`.
    source: String,
    profile: Option<String>,
    drift: drift::Drift,
}

/// The drift of `dir` against the outputs: one directory, or under `--all` one per profile plus
/// whatever `dir` holds that no profile renders (profiles that failed to build are left out of
/// both, so their directories are neither compared nor called stale).
/// Runs `render` while the output tree at `dir` is read on another thread: reading thousands
/// of files is mostly waiting on the file system, which the render's single-threaded stages
/// leave room for. Only for comparing: writing reads the tree again under its lock.
fn render_while_reading<T>(
    dir: &Utf8Path,
    render: impl FnOnce() -> T,
) -> (T, Result<output_dir::Tree, output_dir::OutputError>) {
    std::thread::scope(|scope| {
        let tree = scope.spawn(|| output_dir::Tree::read(dir));
        let rendered = render();
        let tree = tree.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rendered, tree)
    })
}

fn directory_drifts(
    mut tree: output_dir::Tree,
    dir: &Utf8Path,
    outputs: &[Output],
    profiles: &[ProfileFile],
    all: bool,
) -> Vec<DirectoryDrift> {
    if !all {
        let output = &outputs[0];
        return vec![DirectoryDrift {
            dir: dir.to_owned(),
            source: profiles[0].path.to_string(),
            profile: Some(output.profile.clone()),
            drift: drift::compare(&tree, &emit::files(&output.profile, &output.documents)),
        }];
    }
    let mut drifts = Vec::with_capacity(outputs.len() + 1);
    // Every profile's directory is taken out of the tree, so what remains is what no profile
    // renders; profiles that failed to build are taken out too, neither compared nor stale.
    for profile in profiles {
        let subtree = tree.take(&profile.name);
        let Some(output) = outputs.iter().find(|o| o.profile == profile.name) else {
            continue;
        };
        drifts.push(DirectoryDrift {
            dir: dir.join(&output.profile),
            source: profile.path.to_string(),
            profile: Some(output.profile.clone()),
            drift: drift::compare(&subtree, &emit::files(&output.profile, &output.documents)),
        });
    }
    drifts.push(DirectoryDrift {
        dir: dir.to_owned(),
        source: "no profile".to_owned(),
        profile: None,
        drift: drift::compare(&tree, &[]),
    });
    drifts
}

/// The files `-o` writes: one profile's, or under `--all` each profile's in `<profile>/`.
fn output_files(outputs: &[Output], all: bool) -> Result<Vec<emit::File>, Diagnostic> {
    if !all {
        return Ok(emit::files(&outputs[0].profile, &outputs[0].documents));
    }
    let mut files = Vec::new();
    for output in outputs {
        let profile = &output.profile;
        if profile.contains('/') || output_dir::check_relative(profile).is_err() {
            return Err(Diagnostic::error(
                "output-directory",
                format!("the profile name `{profile}` cannot name a directory under the output directory"),
            )
            .with_hint("rename the profile file to letters, digits, `-`, `_` and `.`"));
        }
        files.extend(prefixed(profile, emit::files(profile, &output.documents)));
    }
    Ok(files)
}

fn output_error(error: output_dir::OutputError) -> Diagnostic {
    use output_dir::OutputError as E;
    let hint = match &error {
        E::ForeignFiles { marked: true, .. } => Some(
            "they carry gen's marker line but no .gen-index lists them: output of an older gen \
             (run once with --force if the directory holds nothing else), or copies of generated files",
        ),
        E::ForeignFiles { .. } => {
            Some("move those files elsewhere, pick another directory, or pass --force to delete them")
        }
        E::OtherProfile { .. } => {
            Some("render each profile into its own directory, or pass --force to replace the other render")
        }
        E::EditedFiles { .. } => Some(
            "generated files are rewritten by every render: put the change in the profile, \
             then pass --force to replace the edited files (`gen diff` shows the edits)",
        ),
        E::OtherRenders { .. } => {
            Some("render each profile into its own directory (`-o out/<profile>`), or all of them with --all")
        }
        E::UnsafePath(_) | E::DuplicatePath(_) => Some("this is a bug in gen; please report it"),
        E::ReadOnlyOld { .. } => Some("ask its owner to make it writable or to remove it, or render elsewhere"),
        _ => None,
    };
    let diagnostic = Diagnostic::error("output-directory", error.to_string());
    match hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// Every profile through the pipeline, for commands that report on all of them: a profile that
/// is not valid gives its report instead of output; a template defect ends the command.
fn run_each(profiles: &[ProfileFile], global: &GlobalArgs) -> Result<Vec<Result<Output, Report>>, i32> {
    let renderer = Renderer::for_kube_version(global.kube_version);
    let mut results = Vec::with_capacity(profiles.len());
    for profile in profiles {
        match pipeline::run(profile, &renderer) {
            Ok(output) => results.push(Ok(output)),
            Err(Failure::Profile(report)) => results.push(Err(report)),
            Err(Failure::Template(defect)) => return Err(report_failure(Failure::Template(defect))),
        }
    }
    Ok(results)
}

/// Every profile through the pipeline. The first profile that cannot be rendered is reported
/// and its exit code returned.
fn build_each(profiles: &[ProfileFile], global: &GlobalArgs) -> Result<Vec<Output>, i32> {
    let renderer = Renderer::for_kube_version(global.kube_version);
    profiles
        .iter()
        .map(|profile| pipeline::run(profile, &renderer).map_err(report_failure))
        .collect()
}

pub fn diff(global: &GlobalArgs, args: &DiffArgs) -> i32 {
    let profile = match located(global, &args.profile) {
        Ok(profile) => profile,
        Err(diagnostic) => return report_input_error(&diagnostic),
    };
    let profiles = [profile];
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| Utf8PathBuf::from("out").join(&profiles[0].name));
    let (built, tree) = render_while_reading(&dir, || build_each(&profiles, global));
    let outputs = match built {
        Ok(outputs) => outputs,
        Err(code) => return code,
    };
    let tree = match tree {
        Ok(tree) if !tree.exists => {
            return report_input_error(
                &Diagnostic::error(
                    "output-directory",
                    format!("there is no directory `{dir}` to compare with"),
                )
                .with_hint(format!("render it first: gen render {} -o {dir}", args.profile)),
            );
        }
        Err(error) => return report_input_error(&output_error(error)),
        Ok(tree) => tree,
    };
    let drifts = directory_drifts(tree, &dir, &outputs, &profiles, false);
    let found = &drifts[0];
    let palette = drift::Palette::new(report::use_colour(io::stdout().is_terminal()));
    let mut text = drift::summary(&found.drift, dir.as_str(), &found.source, palette);
    if !args.summary && !found.drift.is_clean() {
        text.push('\n');
        text.push_str(&drift::unified(&found.drift, dir.as_str(), palette));
    }
    let printed = write_stdout(&text);
    if found.drift.is_clean() {
        printed
    } else {
        exit::FINDINGS
    }
}

pub fn check(global: &GlobalArgs, args: &CheckArgs) -> i32 {
    let profiles = match selected_profiles(global, &[]) {
        Ok(profiles) => profiles,
        Err(diagnostic) => return report_input_error(&diagnostic),
    };
    let (results, tree) = render_while_reading(&args.out, || run_each(&profiles, global));
    let (outputs, mut reports): (Vec<Output>, Vec<Report>) = match results {
        Ok(results) => {
            let (ok, invalid): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
            (
                ok.into_iter().filter_map(Result::ok).collect(),
                invalid.into_iter().filter_map(Result::err).collect(),
            )
        }
        Err(code) => return code,
    };
    let drifts = match tree {
        Ok(tree) => directory_drifts(tree, &args.out, &outputs, &profiles, true),
        Err(error) => return report_input_error(&output_error(error)),
    };
    reports.extend(outputs.into_iter().map(|o| o.report));
    reports.sort_by(|a, b| a.profile.cmp(&b.profile));

    let invalid = reports.iter().any(Report::has_schema_error);
    let errors: usize = reports.iter().map(|r| r.count(Severity::Error)).sum();
    let warnings: usize = reports.iter().map(|r| r.count(Severity::Warning)).sum();
    let stale: Vec<&DirectoryDrift> = drifts.iter().filter(|d| !d.drift.is_clean()).collect();
    let text = match args.format {
        CheckFormat::Human => check_human(&reports, &drifts, &args.out),
        CheckFormat::Json => pretty(&check_json(&reports, &drifts, &args.out)),
    };
    let printed = write_stdout(&text);
    if invalid {
        exit::ERROR
    } else if errors > 0 || (args.deny_warnings && warnings > 0) || !stale.is_empty() {
        exit::FINDINGS
    } else {
        printed
    }
}

fn check_human(reports: &[Report], drifts: &[DirectoryDrift], out: &Utf8Path) -> String {
    let colour = report::use_colour(io::stdout().is_terminal());
    let mut text = report::human(reports, colour);
    text.push('\n');
    text.push_str(&describe_drifts(
        drifts,
        out,
        drift::Palette::new(colour),
        Detail::Summary,
    ));
    let invalid: Vec<&str> = reports
        .iter()
        .filter(|r| r.has_schema_error())
        .map(|r| r.profile.as_str())
        .collect();
    for profile in &invalid {
        text.push_str(&format!("{out}/{profile} was not compared: the profile is invalid\n"));
    }
    let errors: usize = reports.iter().map(|r| r.count(Severity::Error)).sum();
    let warnings: usize = reports.iter().map(|r| r.count(Severity::Warning)).sum();
    let waived: usize = reports.iter().map(|r| r.waived.len()).sum();
    let stale = drifts.iter().filter(|d| !d.drift.is_clean()).count();
    let force = if drifts.iter().any(|d| d.drift.needs_force()) {
        " --force` once you have reviewed the files it would replace"
    } else {
        "`"
    };
    let outputs = if stale == 0 {
        format!("{out} up to date")
    } else {
        format!("{out} stale (run `gen render --all -o {out}{force})")
    };
    text.push_str(&format!(
        "\ngen check: {} profile{}: {}; {outputs}\n",
        reports.len(),
        plural(reports.len()),
        report::counts(errors, warnings, waived)
    ));
    text
}

fn check_json(reports: &[Report], drifts: &[DirectoryDrift], out: &Utf8Path) -> serde_json::Value {
    let mut value = report::json(reports);
    if let Some(profiles) = value["profiles"].as_array_mut() {
        for entry in profiles {
            let name = entry["profile"].as_str().unwrap_or_default().to_owned();
            entry["output"] = drifts
                .iter()
                .find(|d| d.profile.as_deref() == Some(name.as_str()))
                .map_or(serde_json::Value::Null, |d| drift::json(&d.drift, d.dir.as_str()));
        }
    }
    let leftovers = drifts.iter().find(|d| d.profile.is_none());
    value["unrendered"] = leftovers.map_or(serde_json::Value::Null, |d| drift::json(&d.drift, d.dir.as_str()));
    let up_to_date = drifts.iter().all(|d| d.drift.is_clean()) && !reports.iter().any(Report::has_schema_error);
    value["summary"]["outputDir"] = serde_json::json!(out.as_str());
    value["summary"]["upToDate"] = serde_json::json!(up_to_date);
    value
}

/// `gen schema`: the profile's JSON Schema.
pub fn schema() -> i32 {
    write_stdout(&crate::schema::profile_schema_text())
}

pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut command = crate::cli::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "gen", &mut script);
    write_stdout(&String::from_utf8_lossy(&script))
}

pub fn man(output: Option<&Utf8Path>) -> i32 {
    let command = crate::cli::Cli::command();
    let Some(dir) = output else {
        let mut page = Vec::new();
        return match clap_mangen::Man::new(command).render(&mut page) {
            Ok(()) => write_stdout(&String::from_utf8_lossy(&page)),
            Err(error) => {
                eprintln!("gen: cannot render the man page: {error}");
                exit::ERROR
            }
        };
    };
    let written = std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir));
    match written {
        Ok(()) => {
            eprintln!("gen: wrote the man pages into {dir}");
            exit::OK
        }
        Err(error) => report_input_error(&Diagnostic::error(
            "output-directory",
            format!("cannot write the man pages into `{dir}`: {error}"),
        )),
    }
}

pub fn lint(global: &GlobalArgs, args: &LintArgs) -> i32 {
    let profiles = match selected_profiles(global, &args.profiles) {
        Ok(profiles) => profiles,
        Err(diagnostic) => return report_input_error(&diagnostic),
    };
    let reports: Vec<Report> = match run_each(&profiles, global) {
        Ok(results) => results
            .into_iter()
            .map(|r| r.map_or_else(|report| report, |output| output.report))
            .collect(),
        Err(code) => return code,
    };
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
        return names.iter().map(|name| located(global, name)).collect();
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
    // prod.yaml and prod.yml would both render into out/prod and name themselves `prod`.
    if let Some(pair) = profiles.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(Diagnostic::error(
            "profile-not-found",
            format!(
                "two profiles are named `{}`: `{}` and `{}`",
                pair[0].name, pair[0].path, pair[1].path
            ),
        )
        .with_hint("rename or remove one of them: a profile's name is its file name without the extension"));
    }
    Ok(profiles
        .into_iter()
        .map(|profile| ProfileFile {
            overrides: global.overrides.clone(),
            ..profile
        })
        .collect())
}

/// The profile a name or path stands for, with the run's `--set` overrides.
pub(crate) fn located(global: &GlobalArgs, name: &str) -> Result<ProfileFile, Diagnostic> {
    let profile = locate::locate(name, &global.profiles_dir)?;
    Ok(ProfileFile {
        overrides: global.overrides.clone(),
        ..profile
    })
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
    stdout_result(stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()))
}

fn stdout_result(written: io::Result<()>) -> i32 {
    match written {
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
