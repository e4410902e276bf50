//! gen's output judged by other people's tools: kubernetes-validate (strict schemas),
//! checkov (security policy), kubectl kustomize (consumability), yamllint (YAML 1.1 truthy),
//! and models generated from the upstream CRDs for custom resources. Every shipped profile
//! and every example system goes through all of them.
//!
//! `scripts/test` installs the tools and sets GEN_ORACLES_BIN. Without it these tests fail with
//! instructions instead of passing silently.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn manifest_files(dir: &Path) -> Vec<PathBuf> {
    files_below(dir)
        .into_iter()
        .filter(|f| f.ends_with(".yaml") && f != "kustomization.yaml" && !f.ends_with("/kustomization.yaml"))
        .map(|f| dir.join(f))
        .collect()
}

fn rendered() -> tempfile::TempDir {
    // Not the default `.tmp` prefix: checkov silently skips hidden directories.
    let temp = tempfile::Builder::new().prefix("gen-oracles-").tempdir().unwrap();
    render_everything_into(temp.path());
    temp
}

#[test]
fn kubernetes_validate_strict_accepts_every_object() {
    let temp = rendered();
    let files = manifest_files(temp.path());
    assert!(files.len() > 100, "every shipped and example profile rendered");
    // 1.33 is what gen targets by default; 1.37 is the newest schema the tool ships.
    for version in ["1.33", "1.37"] {
        let (ok, text) = run(Command::new(oracle("kubernetes-validate"))
            .args(["--strict", "--quiet", "-k", version])
            .args(&files));
        assert!(ok, "kubernetes-validate --strict -k {version} failed:\n{text}");
    }
}

/// `--kube-version 1.29`, the oldest target, judged by 1.29's schemas. Every profile renders
/// for it once its explicit pre-stop pause is dropped, as the `not-in-kube-version` hint says
/// (the sleep action is alpha in 1.29); the default, 1.33, is judged above.
#[test]
fn kubernetes_validate_strict_accepts_the_oldest_target() {
    let temp = tempfile::Builder::new().prefix("gen-oracles-").tempdir().unwrap();
    let mut files = Vec::new();
    for (name, profile) in all_profiles() {
        let path = if profile.contains('/') {
            repo_root().join(&profile)
        } else {
            repo_root().join(format!("profiles/{profile}.yaml"))
        };
        // The profile's directory is copied whole, so that a profile finds the base it extends.
        let sources = temp.path().join(format!("source-{}", name.replace('/', "-")));
        std::fs::create_dir_all(&sources).unwrap();
        for entry in std::fs::read_dir(path.parent().unwrap()).unwrap() {
            let file = entry.unwrap().path();
            if file.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text: String = std::fs::read_to_string(&file)
                .unwrap()
                .lines()
                .map(|line| match line.split_once("preStopSleepSeconds:") {
                    Some((indent, _)) => format!("{indent}preStopSleepSeconds: 0\n"),
                    None => format!("{line}\n"),
                })
                .collect();
            std::fs::write(sources.join(file.file_name().unwrap()), text).unwrap();
        }
        let copy = sources.join(path.file_name().unwrap());
        let dir = temp.path().join(name.replace('/', "-"));
        let output = gen_cmd(&[
            "render",
            copy.to_str().unwrap(),
            "--kube-version",
            "1.29",
            "-o",
            dir.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{name} for 1.29: {}", stderr(&output));
        let namespace = std::fs::read_to_string(dir.join("namespace.yaml")).unwrap();
        assert!(namespace.contains("enforce-version: v1.29"), "{name}:\n{namespace}");
        files.extend(manifest_files(&dir));
    }
    assert!(files.len() > 100, "every shipped and example profile rendered");
    let (ok, text) = run(Command::new(oracle("kubernetes-validate"))
        .args(["--strict", "--quiet", "-k", "1.29"])
        .args(&files));
    assert!(ok, "kubernetes-validate --strict -k 1.29 failed:\n{text}");
}

#[test]
fn kubernetes_validate_catches_an_unknown_field() {
    // Proves the oracle is armed: the same check must fail on a broken object.
    let temp = rendered();
    let file = temp.path().join("prod/services/auth-service/deployment.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "  revisionHistoryLimit: 5\n",
        "  revisionHistoryLimit: 5\n  replicaz: 3\n",
    );
    std::fs::write(&file, text).unwrap();
    let (ok, output) = run(Command::new(oracle("kubernetes-validate"))
        .args(["--strict", "--quiet", "-k", "1.33"])
        .arg(&file));
    assert!(!ok, "a stray field must fail validation:\n{output}");
}

#[test]
fn checkov_finds_no_failed_check() {
    let temp = rendered();
    for (profile, _) in all_profiles() {
        let dir = temp.path().join(&profile);
        let (ok, text) = run(Command::new(oracle("checkov"))
            .args([
                "--framework",
                "kubernetes",
                "--quiet",
                "--compact",
                "--skip-download",
                "-d",
            ])
            .arg(&dir)
            .env("BC_SKIP_MAPPING", "TRUE"));
        assert!(ok, "checkov failed for {profile}:\n{text}");
        assert!(text.contains("Failed checks: 0"), "checkov for {profile}:\n{text}");
        let passed: usize = text
            .split("Passed checks: ")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(passed >= 90, "checkov ran only {passed} checks for {profile}:\n{text}");
    }
}

#[test]
fn kubectl_kustomize_builds_the_same_objects() {
    let temp = rendered();
    for (profile, source) in all_profiles() {
        let dir = temp.path().join(&profile);
        let output = Command::new("kubectl")
            .arg("kustomize")
            .arg(&dir)
            .output()
            .expect("kubectl is on PATH (scripts/test provides it)");
        assert!(
            output.status.success(),
            "kubectl kustomize {profile}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut built = documents(&String::from_utf8(output.stdout).unwrap());
        let mut ours = documents(&stdout(&gen_cmd(&["render", &source])));
        built.sort_by_key(identity);
        ours.sort_by_key(identity);
        assert_eq!(built.len(), ours.len(), "{profile}: object count");
        for (a, b) in built.iter().zip(&ours) {
            assert_eq!(a, b, "{profile}: {} differs after kustomize", identity(a));
        }
    }
}

fn documents(stream: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(stream)
        .map(|doc| serde_json::Value::deserialize(doc).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

fn identity(v: &serde_json::Value) -> String {
    format!("{}/{}/{}", v["kind"], v["metadata"]["namespace"], v["metadata"]["name"])
}

#[test]
fn yamllint_finds_no_truthy_or_syntax_problem() {
    let temp = rendered();
    let config = "{extends: default, rules: {document-start: disable, line-length: disable, \
                  indentation: {indent-sequences: whatever}, truthy: {level: error, check-keys: true}}}";
    let (ok, text) = run(Command::new(oracle("yamllint"))
        .args(["--strict", "-d", config])
        .arg(temp.path()));
    assert!(ok, "yamllint:\n{text}");
    let stream = temp.path().join("prod-stream.yaml");
    std::fs::write(&stream, stdout(&gen_cmd(&["render", "prod"]))).unwrap();
    let (ok, text) = run(Command::new(oracle("yamllint"))
        .args(["--strict", "-d", config])
        .arg(&stream));
    assert!(ok, "yamllint on the stream:\n{text}");
}

/// The custom resources validator, installed by `scripts/install-oracles` (node and models
/// from npm).
fn crd_validator() -> Command {
    let script = repo_root().join(".tools/crd-validators/validate-crds.mjs");
    assert!(
        script.is_file(),
        "{} is missing: run `scripts/test` (it installs the validators)",
        script.display()
    );
    let mut command = Command::new("node");
    command.arg(script);
    command
}

#[test]
fn custom_resources_pass_a_validator_independent_of_gen() {
    let temp = rendered();
    let files = manifest_files(temp.path());
    let (ok, text) = run(crd_validator().args(&files));
    assert!(ok, "validate-crds:\n{text}");
    // Both llm-cost-ops profiles render an ExternalSecret; prod, analytics-hub and llm-cost-ops
    // render 8 monitors and 4 PrometheusRules.
    let valid: usize = text
        .split("validate-crds: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(valid >= 14, "too few custom objects validated:\n{text}");
}

#[test]
fn the_custom_resources_validator_catches_a_wrong_value() {
    let temp = rendered();
    let file = temp
        .path()
        .join("examples/llm-cost-ops-prod/externalsecret-llm-cost-ops-secrets.yaml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("kind: SecretStore", "kind: Vault");
    std::fs::write(&file, text).unwrap();
    let (ok, output) = run(crd_validator().arg(&file));
    assert!(!ok, "a store kind outside the CRD's enum must fail:\n{output}");
}

#[test]
fn the_custom_resources_validator_catches_a_wrong_monitor_and_rule() {
    let temp = rendered();
    let monitor = temp.path().join("prod/services/auth-service/servicemonitor.yaml");
    edit(&monitor, "port: metrics", "port: 9090");
    let (ok, output) = run(crd_validator().arg(&monitor));
    assert!(!ok, "a ServiceMonitor port that is a number must fail:\n{output}");
    let rule = temp.path().join("prod/services/auth-service/prometheusrule.yaml");
    edit(&rule, "  - name: auth-service-slo\n", "  - name: 7\n");
    let (ok, output) = run(crd_validator().arg(&rule));
    assert!(!ok, "a rule group named by a number must fail:\n{output}");
}
