//! The profile's JSON Schema and the README's profile reference: both generated from the
//! profile types, both committed, both failing here when stale; and the schema judged by
//! `check-jsonschema` (from the oracles venv) on every shipped and example profile.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Every profile the repository ships or keeps as an example, in the order the reference
/// prefers their values as examples: shipped profiles, example systems, fixtures.
fn profile_files() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["profiles", "examples", "tests/fixtures"] {
        let mut found: Vec<PathBuf> = files_below(&root.join(dir))
            .into_iter()
            .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
            .map(|f| root.join(dir).join(f))
            .filter(|f| !is_manifest(f))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// A Kubernetes manifest a profile lists under `resources:`, not a profile.
fn is_manifest(file: &Path) -> bool {
    let text = std::fs::read_to_string(file).unwrap();
    serde_yaml::from_str::<serde_yaml::Value>(&text)
        .is_ok_and(|doc| doc.get("apiVersion").is_some() && doc.get("kind").is_some())
}

fn check_jsonschema(files: &[PathBuf]) -> (bool, String) {
    run(Command::new(oracle("check-jsonschema"))
        .arg("--schemafile")
        .arg(repo_root().join(gen_core::schema::SCHEMA_PATH))
        .args(files))
}

#[test]
fn the_committed_schema_is_what_gen_schema_prints() {
    let output = gen_cmd(&["schema"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), gen_core::schema::profile_schema_text());
    let committed = std::fs::read_to_string(repo_root().join(gen_core::schema::SCHEMA_PATH)).unwrap_or_default();
    assert!(
        committed == stdout(&output),
        "{} is stale: regenerate it with `cargo run -- schema > {}`",
        gen_core::schema::SCHEMA_PATH,
        gen_core::schema::SCHEMA_PATH
    );
}

#[test]
fn every_shipped_and_example_profile_names_the_schema_on_its_first_line() {
    let root = repo_root();
    for file in profile_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let relative = relative_path(file.parent().unwrap(), &root.join(gen_core::schema::SCHEMA_PATH));
        let expected = format!("# yaml-language-server: $schema={relative}");
        assert_eq!(
            text.lines().next(),
            Some(expected.as_str()),
            "{} should start with `{expected}`",
            file.display()
        );
    }
}

/// `to` relative to the directory `from`, both below the repository root.
fn relative_path(from: &Path, to: &Path) -> String {
    let root = repo_root();
    let depth = from.strip_prefix(&root).unwrap().components().count();
    let up = "../".repeat(depth);
    format!("{up}{}", to.strip_prefix(&root).unwrap().display())
}

#[test]
fn check_jsonschema_accepts_every_shipped_and_example_profile() {
    let files = profile_files();
    assert!(files.len() >= 9, "{files:?}");
    let (ok, text) = check_jsonschema(&files);
    assert!(ok, "{text}");
}

#[test]
fn check_jsonschema_rejects_a_misspelt_key() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("prod.yaml");
    let text = std::fs::read_to_string(repo_root().join("profiles/prod.yaml")).unwrap();
    let text = text.replacen("    replicas:", "    replicsa:", 1);
    assert!(text.contains("replicsa:"));
    std::fs::write(&file, text).unwrap();
    let (ok, output) = check_jsonschema(&[file]);
    assert!(!ok, "a misspelt key must fail:\n{output}");
    assert!(output.contains("'replicsa' was unexpected"), "{output}");
}

#[test]
fn check_jsonschema_accepts_a_partial_overlay_with_nulls() {
    // An overlay sets a few keys, and `null` removes what the base set.
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("overlay.yaml");
    std::fs::write(
        &file,
        "extends: base.yaml\ntier: prod\nserviceDefaults:\n  probes:\n    startup: null\n  env: {DEBUG: null}\n\
         services:\n  auth-service:\n    replicas: 5\n    resources: {cpu: {limit: 2000m}}\n  old-service: null\n\
         ingress: null\n",
    )
    .unwrap();
    let (ok, output) = check_jsonschema(&[file]);
    assert!(ok, "{output}");
}

#[test]
fn check_jsonschema_rejects_a_wrong_type() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("overlay.yaml");
    std::fs::write(&file, "tier: staging\nservices:\n  api:\n    replicas: three\n").unwrap();
    let (ok, output) = check_jsonschema(&[file]);
    assert!(!ok, "{output}");
}

/// The README's profile reference is generated; `GEN_UPDATE_README=1` rewrites it in place.
#[test]
fn the_readme_profile_reference_is_current() {
    let profiles: Vec<serde_json::Value> = profile_files()
        .iter()
        .map(|f| {
            let yaml: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            serde_json::to_value(yaml).unwrap()
        })
        .collect();
    let reference = gen_core::schema::reference_markdown(&gen_core::schema::collect_examples(&profiles));
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = (gen_core::schema::REFERENCE_BEGIN, gen_core::schema::REFERENCE_END);
    let start = readme.find(begin).expect("the README has the reference's begin marker") + begin.len();
    let stop = readme.find(end).expect("the README has the reference's end marker");
    let current = &readme[start..stop];
    let wanted = format!("\n{reference}");
    if current == wanted {
        return;
    }
    if std::env::var_os("GEN_UPDATE_README").is_some() {
        std::fs::write(&path, format!("{}{wanted}{}", &readme[..start], &readme[stop..])).unwrap();
        return;
    }
    panic!(
        "the README's profile reference is stale: run `GEN_UPDATE_README=1 cargo test --test schema` \
         and review the change"
    );
}
