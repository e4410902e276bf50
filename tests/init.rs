//! `gen init`: the scaffold it writes, that it never replaces a file without --force, and that
//! what it writes renders, lints clean and passes `gen check` at once.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn init(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["init", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    gen_in(dir.parent().unwrap(), &args)
}

fn project() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("gen-init-").tempdir().unwrap()
}

const WRITTEN: [&str; 6] = [
    ".gitignore",
    ".pre-commit-config.yaml",
    "profiles/base.yaml",
    "profiles/dev.yaml",
    "profiles/prod.yaml",
    "schema/profile.schema.json",
];

#[test]
fn init_writes_the_scaffold_into_a_new_directory() {
    let temp = project();
    let dir = temp.path().join("my-app");
    let output = init(&dir, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(files_below(&dir), WRITTEN);
    let schema = std::fs::read_to_string(dir.join("schema/profile.schema.json")).unwrap();
    assert_eq!(schema, stdout(&gen_cmd(&["schema"])));
    assert!(
        stderr(&output).contains("gen render --all -o out"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn init_refuses_to_replace_files_and_names_them() {
    let temp = project();
    let dir = temp.path().join("app");
    std::fs::create_dir_all(dir.join("profiles")).unwrap();
    std::fs::write(dir.join("profiles/prod.yaml"), "mine\n").unwrap();
    std::fs::write(dir.join(".pre-commit-config.yaml"), "mine too\n").unwrap();
    let output = init(&dir, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("profiles/prod.yaml") && text.contains(".pre-commit-config.yaml"),
        "{text}"
    );
    assert!(!text.contains("profiles/dev.yaml"), "{text}");
    assert!(
        text.contains("--force") && text.contains("nothing was written"),
        "{text}"
    );
    // Nothing was written, not even the files that did not exist.
    assert_eq!(files_below(&dir), [".pre-commit-config.yaml", "profiles/prod.yaml"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("profiles/prod.yaml")).unwrap(),
        "mine\n"
    );

    let output = init(&dir, &["--force"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(files_below(&dir), WRITTEN);
    assert!(
        std::fs::read_to_string(dir.join("profiles/prod.yaml"))
            .unwrap()
            .contains("extends: base.yaml")
    );
}

#[test]
fn init_appends_to_a_gitignore_and_never_clobbers_it() {
    let temp = project();
    let dir = temp.path().join("app");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".gitignore"), "/target\n").unwrap();
    assert_eq!(init(&dir, &[]).status.code(), Some(0));
    let first = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(first.starts_with("/target\n\n# "), "{first}");
    assert!(first.lines().any(|l| l == ".*.gen-staging-*"), "{first}");
    // Again with --force: the lines are there already, so nothing is added.
    assert_eq!(init(&dir, &["--force"]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(dir.join(".gitignore")).unwrap(), first);
}

#[test]
fn init_output_passes_its_schema_and_pre_commit_accepts_its_configuration() {
    let temp = project();
    let dir = temp.path().join("app");
    assert_eq!(init(&dir, &[]).status.code(), Some(0));
    let output = Command::new(oracle("check-jsonschema"))
        .arg("--schemafile")
        .arg(dir.join("schema/profile.schema.json"))
        .args(["base", "dev", "prod"].map(|p| dir.join(format!("profiles/{p}.yaml"))))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}{}", stdout(&output), stderr(&output));
    let output = Command::new(oracle("pre-commit"))
        .args(["validate-config", ".pre-commit-config.yaml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}{}", stdout(&output), stderr(&output));
    // The hook is the one this repository publishes, run from the gen on PATH.
    let config = std::fs::read_to_string(dir.join(".pre-commit-config.yaml")).unwrap();
    let hooks = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(config.contains("id: gen-check") && hooks.contains("- id: gen-check"));
    assert!(config.contains("entry: gen check"));
}

/// Renders, lints and checks a project the way the README tells a user to.
fn render_lint_check(dir: &Path) {
    let render = gen_in(dir, &["render", "--all", "-o", "out"]);
    assert_eq!(render.status.code(), Some(0), "render: {}", stderr(&render));
    let lint = gen_in(dir, &["lint", "--deny-warnings"]);
    assert_eq!(lint.status.code(), Some(0), "lint: {}{}", stdout(&lint), stderr(&lint));
    let check = gen_in(dir, &["check", "--deny-warnings"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "check: {}{}",
        stdout(&check),
        stderr(&check)
    );
    assert!(stdout(&check).contains("out up to date"), "{}", stdout(&check));
}

#[test]
fn init_output_renders_lints_clean_and_passes_check() {
    let temp = project();
    let dir = temp.path().join("app");
    assert_eq!(init(&dir, &[]).status.code(), Some(0));
    render_lint_check(&dir);
    // The base is not rendered on its own.
    let mut rendered: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    rendered.sort();
    assert_eq!(rendered, ["dev", "prod"]);
}
