//! `gen lint`, `gen explain`, `gen rules`, and `gen render` refusing to emit policy errors.

mod common;

use common::*;
use std::fs;

fn profile_with(edit: impl Fn(String) -> String) -> (tempfile::TempDir, String) {
    let temp = tempfile::tempdir().unwrap();
    copy_base(temp.path());
    let text = edit(fs::read_to_string(repo_root().join("profiles/prod.yaml")).unwrap());
    let path = temp.path().join("prod.yaml");
    fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_owned();
    (temp, path)
}

#[test]
fn shipped_profiles_lint_clean() {
    let output = gen_cmd(&["lint", "--deny-warnings"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    for profile in PROFILES {
        assert!(text.contains(&format!("{profile}: 0 errors, 0 warnings")), "{text}");
    }
    assert!(
        text.contains("waived in profiles/dev.yaml (1):"),
        "dev's waiver is listed: {text}"
    );
}

#[test]
fn rule_catalogue_snapshot() {
    let output = gen_cmd(&["rules"]);
    assert_eq!(output.status.code(), Some(0));
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("rules", stdout(&output));
    });
}

#[test]
fn explain_teaches_and_suggests() {
    let output = gen_cmd(&["explain", "pdb-blocks-drain"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("pdb-blocks-drain: "), "{text}");
    assert!(
        text.contains("severity: dev error, prod error, quarantine error"),
        "{text}"
    );
    assert!(text.contains("waivable: yes"), "{text}");
    let unknown = gen_cmd(&["explain", "pdb-block-drain"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("did you mean `pdb-blocks-drain`?"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn policy_errors_exit_1_and_render_writes_nothing() {
    let (temp2, latest) = profile_with(|t| {
        let start = t.find("registry.coderev.example.com/coderev/auth-service").unwrap();
        let end = start + t[start..].find('\n').unwrap();
        format!(
            "{}registry.coderev.example.com/coderev/auth-service:latest{}",
            &t[..start],
            &t[end..]
        )
    });
    let lint = gen_cmd(&["lint", &latest]);
    assert_eq!(lint.status.code(), Some(1), "{}", stdout(&lint));
    let text = stdout(&lint);
    assert!(text.contains("error[image-latest-tag]"), "{text}");
    assert!(
        text.contains("error[image-digest-required]"),
        "prod requires digests: {text}"
    );
    let out = temp2.path().join("out");
    let render = gen_cmd(&["render", &latest, "-o", out.to_str().unwrap()]);
    assert_eq!(render.status.code(), Some(1));
    assert!(stderr(&render).contains("nothing was written"), "{}", stderr(&render));
    assert!(!out.exists());
    let to_stdout = gen_cmd(&["render", &latest]);
    assert_eq!(to_stdout.status.code(), Some(1));
    assert!(stdout(&to_stdout).is_empty(), "nothing on stdout either");
}

#[test]
fn a_waiver_accepts_exactly_its_finding() {
    let waiver = "\nwaivers:\n  - rule: image-digest-required\n    target: auth-service\n    reason: The vendor publishes this image by tag only; we mirror and scan it nightly.\n";
    let (_temp, path) = profile_with(|t| {
        let pinned = t
            .lines()
            .find(|l| l.contains("coderev/auth-service"))
            .unwrap()
            .to_owned();
        let tagged = pinned.split('@').next().unwrap().to_owned();
        t.replace(&pinned, &tagged) + waiver
    });
    let output = gen_cmd(&["lint", &path]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("0 errors, 0 warnings, 1 waived"), "{text}");
    assert!(text.contains("reason: The vendor publishes"), "{text}");
    // Render proceeds with the waived finding.
    assert_eq!(gen_cmd(&["render", &path]).status.code(), Some(0));
}

#[test]
fn warnings_pass_unless_denied() {
    let (_temp, path) = profile_with(|t| t.replacen("serviceDefaults:\n", "serviceDefaults:\n  runAsUser: 1000\n", 1));
    let output = gen_cmd(&["lint", &path]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("warning[run-as-low-uid]"));
    assert_eq!(gen_cmd(&["lint", "--deny-warnings", &path]).status.code(), Some(1));
}

#[test]
fn schema_errors_exit_2_from_lint() {
    let (_temp, path) = profile_with(|t| t.replacen("replicas: 3", "replicsa: 3", 1));
    let output = gen_cmd(&["lint", &path]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).contains("error[unknown-field]"));
}

#[test]
fn json_output_is_machine_readable() {
    let output = gen_cmd(&["lint", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["summary"]["errors"], 0);
    assert_eq!(value["summary"]["waived"], 1);
    assert_eq!(value["profiles"].as_array().unwrap().len(), 3);
}
