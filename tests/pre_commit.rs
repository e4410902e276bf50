//! The shipped `.pre-commit-hooks.yaml`, used the way a team uses it: the real `pre-commit`
//! framework (installed by `scripts/test` from PyPI) in a fresh git repository that names this
//! repository in its `.pre-commit-config.yaml`. The framework builds gen itself (`language:
//! rust`), then the hooks pass on a clean tree and fail, showing the diff, on a stale one.
//!
//! This repository's working tree is copied into a temporary git repository first, so the test
//! judges the hooks and sources as they are now, committed or not. The release build the
//! framework runs is cached in `target/pre-commit-hook` between runs.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=gen tests", "-c", "user.email=tests@gen.invalid"])
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A git repository holding gen's sources as they are in the working tree; returns its commit.
fn hook_repository(dir: &Path) -> String {
    let root = repo_root();
    fs::create_dir_all(dir).unwrap();
    for file in ["Cargo.toml", "Cargo.lock", ".pre-commit-hooks.yaml", "README.md"] {
        fs::copy(root.join(file), dir.join(file)).unwrap();
    }
    for folder in [".cargo", "src", "templates", "benches", "tests/common"] {
        copy_tree(&root.join(folder), &dir.join(folder));
    }
    git(dir, &["init", "--quiet"]);
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "--message", "gen under test"]);
    git(dir, &["rev-parse", "HEAD"])
}

fn run_hooks(app: &Path, cache: &Path, hook: Option<&str>) -> Output {
    let mut command = Command::new(oracle("pre-commit"));
    command.arg("run");
    if let Some(hook) = hook {
        command.arg(hook);
    }
    command
        .args(["--all-files", "--show-diff-on-failure", "--color", "never"])
        .current_dir(app)
        .env("PRE_COMMIT_HOME", cache)
        .env("CARGO_TARGET_DIR", repo_root().join("target/pre-commit-hook"))
        .env("NO_COLOR", "1")
        .output()
        .expect("pre-commit runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_hooks_pass_on_a_clean_tree_and_fail_with_the_diff_on_a_stale_one() {
    let temp = tempfile::Builder::new().prefix("gen-pre-commit-").tempdir().unwrap();
    let rev = hook_repository(&temp.path().join("gen"));

    // A team's repository: profiles, their committed output, and the hooks configured.
    let app = temp.path().join("app");
    copy_tree(&repo_root().join("profiles"), &app.join("profiles"));
    let rendered = gen_in(&app, &["render", "--all", "-o", "out"]);
    assert!(rendered.status.success(), "{}", stderr(&rendered));
    fs::write(
        app.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: gen-check\n      - id: gen-render-check\n",
            temp.path().join("gen").display()
        ),
    )
    .unwrap();
    git(&app, &["init", "--quiet"]);
    git(&app, &["add", "--all"]);
    git(
        &app,
        &["commit", "--quiet", "--message", "profiles and rendered output"],
    );
    let cache = temp.path().join("pre-commit-cache");

    let clean = run_hooks(&app, &cache, None);
    let output = text(&clean);
    assert_eq!(clean.status.code(), Some(0), "clean tree:\n{output}");
    assert!(
        output.contains("gen check (profiles lint clean, out/ up to date)"),
        "{output}"
    );
    assert!(!output.contains("Failed"), "{output}");

    // A profile change without re-rendering: both hooks fail and show what is stale.
    let profile = app.join("profiles/prod.yaml");
    edit(
        &profile,
        "cpu: {request: 250m, limit: 1000m}",
        "cpu: {request: 300m, limit: 1000m}",
    );
    git(&app, &["add", "--all"]);
    let stale = run_hooks(&app, &cache, None);
    let output = text(&stale);
    assert_eq!(stale.status.code(), Some(1), "stale tree:\n{output}");
    assert_eq!(output.matches("Failed").count(), 2, "both hooks fail:\n{output}");
    assert!(
        output.contains(r#"spec.template.spec.containers[name=auth-service].resources.requests.cpu: "250m" -> "300m""#),
        "{output}"
    );
    assert!(
        output.contains("+            cpu: \"300m\""),
        "the diff is shown:\n{output}"
    );

    // The fixing hook re-renders: it fails because it changed files, and then all is clean.
    let config = app.join(".pre-commit-config.yaml");
    let with_fixer = fs::read_to_string(&config).unwrap() + "      - id: gen-render\n";
    fs::write(&config, with_fixer).unwrap();
    git(&app, &["add", "--all"]);
    let fixed = run_hooks(&app, &cache, Some("gen-render"));
    let output = text(&fixed);
    assert_eq!(fixed.status.code(), Some(1), "{output}");
    assert!(output.contains("files were modified by this hook"), "{output}");
    git(&app, &["add", "--all"]);
    let after = run_hooks(&app, &cache, None);
    assert_eq!(after.status.code(), Some(0), "after re-rendering:\n{}", text(&after));

    // A new profile: the fixer only adds files, which git diff does not see, so gen itself
    // must fail the hook (--exit-code) for the commit to stop.
    fs::copy(app.join("profiles/dev.yaml"), app.join("profiles/staging.yaml")).unwrap();
    git(&app, &["add", "--all"]);
    let added = run_hooks(&app, &cache, Some("gen-render"));
    let output = text(&added);
    assert_eq!(
        added.status.code(),
        Some(1),
        "a new profile's output stops the commit:\n{output}"
    );
    assert!(output.contains("review and stage them"), "{output}");
    assert!(app.join("out/staging/kustomization.yaml").is_file());
}
