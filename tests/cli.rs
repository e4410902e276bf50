//! End-to-end tests: the real `gen` binary, its exit codes, what it prints and what it writes.

mod common;

use common::*;
use std::fs;

#[test]
fn render_by_name_prints_a_multi_document_stream() {
    let output = gen_cmd(&["render", "prod"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("---\napiVersion: v1\nkind: Namespace\n"),
        "Namespace comes first:\n{text}"
    );
    let kinds: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("kind: ")).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "Deployment").count(), 3);
    // Ingress is the last core kind; the Prometheus operator's objects follow it, as Helm's
    // install order puts kinds it does not know last.
    let ingress = kinds
        .iter()
        .position(|k| *k == "Ingress")
        .expect("prod renders an Ingress");
    assert_eq!(
        kinds[ingress + 1..],
        [
            "ServiceMonitor",
            "ServiceMonitor",
            "ServiceMonitor",
            "PrometheusRule",
            "PrometheusRule",
            "PrometheusRule"
        ],
        "Ingress is applied last of the core kinds"
    );
}

#[test]
fn render_by_path_equals_render_by_name() {
    let by_name = gen_cmd(&["render", "dev"]);
    let by_path = gen_cmd(&["render", "profiles/dev.yaml"]);
    let absolute = repo_root().join("profiles/dev.yaml");
    let by_absolute = gen_in(&std::env::temp_dir(), &["render", absolute.to_str().unwrap()]);
    assert!(by_name.status.success() && by_path.status.success() && by_absolute.status.success());
    assert_eq!(stdout(&by_name), stdout(&by_path));
    assert_eq!(stdout(&by_name), stdout(&by_absolute));
}

#[test]
fn render_to_a_directory_writes_files_and_a_kustomization() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("out/prod");
    let output = gen_cmd(&["render", "prod", "-o", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).is_empty(), "nothing on stdout when writing a directory");
    let files = files_below(&dir);
    assert!(files.contains(&"kustomization.yaml".to_owned()));
    assert!(files.contains(&"namespace.yaml".to_owned()));
    assert!(files.contains(&"services/auth-service/deployment.yaml".to_owned()));
    let kustomization = fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
    let index = fs::read_to_string(dir.join(".gen-index")).unwrap();
    let manifests: Vec<&String> = files
        .iter()
        .filter(|f| *f != "kustomization.yaml" && *f != ".gen-index")
        .collect();
    for file in &manifests {
        assert!(kustomization.contains(&format!("- {file}\n")), "{file} is listed");
        assert!(index.contains(&format!("  {file}\n")), "{file} is indexed");
    }
    assert!(index.contains("  kustomization.yaml\n"));
    // The directory holds exactly the objects of the stream.
    let stream = stdout(&gen_cmd(&["render", "prod"]));
    assert_eq!(manifests.len(), stream.matches("---\n").count());
}

#[test]
fn render_all_writes_every_profile() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("out");
    let output = gen_cmd(&["render", "--all", "-o", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for profile in PROFILES {
        assert!(dir.join(profile).join("kustomization.yaml").is_file(), "{profile}");
    }
}

#[test]
fn unknown_profile_is_a_usage_error_with_a_suggestion() {
    let output = gen_cmd(&["render", "prdo"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    let err = stderr(&output);
    assert!(err.contains("no profile named `prdo`"), "{err}");
    assert!(err.contains("did you mean `prod`?"), "{err}");
}

#[test]
fn missing_profile_path_is_a_usage_error() {
    let output = gen_cmd(&["render", "profiles/nope.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no profile file at `profiles/nope.yaml`"));
}

#[test]
fn unknown_key_names_file_line_and_key_and_writes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let profile = temp.path().join("typo.yaml");
    copy_base(temp.path());
    let text = fs::read_to_string(repo_root().join("profiles/prod.yaml")).unwrap();
    let line = text.lines().position(|l| l == "    replicas: 3").unwrap() + 1;
    fs::write(&profile, text.replacen("    replicas: 3", "    replicsa: 3", 1)).unwrap();
    let out_dir = temp.path().join("out");
    let output = gen_in(temp.path(), &["render", "typo.yaml", "-o", out_dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("typo.yaml:{line}:5")),
        "file:line:column in {err}"
    );
    assert!(err.contains("unknown key `replicsa`"), "{err}");
    assert!(err.contains("did you mean `replicas`?"), "{err}");
    assert!(!out_dir.exists(), "nothing was written");
    assert_eq!(
        fs::read_dir(temp.path()).unwrap().count(),
        2,
        "no staging directory either: the profile and its base only"
    );
}

#[test]
fn every_resolve_error_is_reported_at_once() {
    let temp = tempfile::tempdir().unwrap();
    copy_base(temp.path());
    let text = fs::read_to_string(repo_root().join("profiles/prod.yaml"))
        .unwrap()
        .replace("namespace: platform-v2-stable", "namespace: Platform")
        .replace("{request: 250m, limit: 1000m}", "{request: 2500m, limit: 1000m}")
        .replace("service: ai-orchestrator}", "service: ai-orchestrater}");
    fs::write(temp.path().join("bad.yaml"), text).unwrap();
    let output = gen_in(temp.path(), &["render", "bad.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty(), "nothing on stdout");
    let err = stderr(&output);
    for code in ["invalid-name", "request-above-limit", "unknown-service"] {
        assert!(err.contains(&format!("error[{code}]")), "{code} in {err}");
    }
    assert!(err.contains("gen: 3 errors in bad.yaml; nothing was written"), "{err}");
}

#[test]
fn a_failed_render_leaves_the_previous_output_intact() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("out");
    assert!(
        gen_cmd(&["render", "dev", "-o", dir.to_str().unwrap()])
            .status
            .success()
    );
    let before: Vec<_> = files_below(&dir)
        .into_iter()
        .map(|f| (fs::read(dir.join(&f)).unwrap(), f))
        .collect();
    let bad = temp.path().join("dev.yaml");
    fs::write(&bad, "tier: dev\nnamespace: x\n").unwrap();
    let output = gen_cmd(&["render", bad.to_str().unwrap(), "-o", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let after: Vec<_> = files_below(&dir)
        .into_iter()
        .map(|f| (fs::read(dir.join(&f)).unwrap(), f))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn hand_written_files_are_never_overwritten() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("out");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("README.md"), "my notes").unwrap();
    let output = gen_cmd(&["render", "dev", "-o", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("README.md"), "{}", stderr(&output));
    assert_eq!(files_below(&dir), ["README.md"]);
    let forced = gen_cmd(&["render", "dev", "-o", dir.to_str().unwrap(), "--force"]);
    assert!(forced.status.success());
    assert!(!dir.join("README.md").exists());
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(gen_cmd(&["render"]).status.code(), Some(2));
    assert_eq!(gen_cmd(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(gen_cmd(&["render", "--all"]).status.code(), Some(2), "--all needs -o");
    let help = gen_cmd(&["render", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Examples:"));
}

#[test]
fn every_unknown_key_is_reported_in_one_run() {
    let temp = tempfile::tempdir().unwrap();
    copy_base(temp.path());
    let text = fs::read_to_string(repo_root().join("profiles/prod.yaml"))
        .unwrap()
        .replace("    replicas: 3", "    replicsa: 3")
        .replace("  egressMode: restricted", "  egresMode: restricted");
    fs::write(temp.path().join("typos.yaml"), text).unwrap();
    let output = gen_in(temp.path(), &["render", "typos.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(
        err.matches("error[unknown-field]").count(),
        3,
        "two replicas typos and one egressMode: {err}"
    );
    assert!(err.contains("did you mean `egressMode`?"), "{err}");
}
