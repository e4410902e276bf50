//! Helpers shared by the integration tests: run the real `gen` binary and look at its output.
#![allow(dead_code)] // each test binary uses a different subset

pub mod generated;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PROFILES: [&str; 3] = ["dev", "prod", "quarantine"];

/// The example systems of `examples/`, the every-kind fixture and the gateway fixture: (a name for their output,
/// the profile's path).
pub const EXAMPLES: [(&str, &str); 8] = [
    ("analytics-hub", "examples/analytics-hub/prod.yaml"),
    ("analytics-hub-infra", "examples/analytics-hub/infra.yaml"),
    ("chat4all", "examples/chat4all/prod.yaml"),
    ("fastapi-example-service", "examples/fastapi-example-service/prod.yaml"),
    ("llm-cost-ops-dev", "examples/llm-cost-ops/dev.yaml"),
    ("llm-cost-ops-prod", "examples/llm-cost-ops/prod.yaml"),
    // Not a system: every workload kind and setting, held to the same checks.
    ("every-kind", "tests/fixtures/every-kind.yaml"),
    // Not a system: the routes through a Gateway, as HTTPRoutes.
    ("gateway-routes", "tests/fixtures/gateway-routes.yaml"),
];

/// Every profile the repository ships, shipped and example alike: (name, what `gen render`
/// takes for it).
pub fn all_profiles() -> Vec<(String, String)> {
    let shipped = PROFILES.iter().map(|p| (p.to_string(), p.to_string()));
    let examples = EXAMPLES
        .iter()
        .map(|(name, path)| (format!("examples/{name}"), path.to_string()));
    shipped.chain(examples).collect()
}

/// Runs an outside tool: whether it succeeded, and its stdout and stderr together.
pub fn run(command: &mut Command) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A validator installed by `scripts/test` (into `.venv-oracles/bin`, or GEN_ORACLES_BIN).
/// Missing, the test fails with instructions instead of passing silently.
pub fn oracle(tool: &str) -> PathBuf {
    let bin = std::env::var_os("GEN_ORACLES_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv-oracles/bin"));
    let path = bin.join(tool);
    assert!(
        path.is_file(),
        "{} is missing: run `scripts/test` (it installs the validators)",
        path.display()
    );
    path
}

/// Runs `gen` with `args` in the repository root (where `profiles/` is).
pub fn gen_cmd(args: &[&str]) -> Output {
    gen_in(&repo_root(), args)
}

pub fn gen_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the gen binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Every file below `dir`, relative, sorted.
pub fn files_below(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}

/// Renders every shipped profile into `<root>/<profile>/` with `gen render NAME -o DIR`.
pub fn render_all_into(root: &Path) {
    for profile in PROFILES {
        let dir = root.join(profile);
        let output = gen_cmd(&["render", profile, "-o", dir.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "gen render {profile} failed: {}",
            stderr(&output)
        );
    }
}

/// Renders every shipped and example profile into `<root>/<name>/` (see [`all_profiles`]).
pub fn render_everything_into(root: &Path) {
    for (name, profile) in all_profiles() {
        let dir = root.join(&name);
        let output = gen_cmd(&["render", &profile, "-o", dir.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "gen render {profile} failed: {}",
            stderr(&output)
        );
    }
}

/// A scratch project: a copy of the shipped `profiles/` in a temporary directory, where a test
/// can render, edit profiles and run `gen` as a user would.
pub fn workspace() -> tempfile::TempDir {
    let temp = tempfile::Builder::new().prefix("gen-workspace-").tempdir().unwrap();
    let profiles = temp.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    for profile in PROFILES.iter().chain(&["base"]) {
        let name = format!("{profile}.yaml");
        std::fs::copy(repo_root().join("profiles").join(&name), profiles.join(&name)).unwrap();
    }
    temp
}

/// Copies the shipped profiles' base into `dir`, so that a copy of a shipped profile written
/// there finds what it `extends`.
pub fn copy_base(dir: &Path) {
    std::fs::copy(repo_root().join("profiles/base.yaml"), dir.join("base.yaml")).unwrap();
}

/// The shipped prod profile as one file: its base merged in, as `gen` reads it.
pub fn effective_prod() -> String {
    let path = camino::Utf8PathBuf::try_from(repo_root().join("profiles/prod.yaml")).unwrap();
    gen_core::load::effective_text(&path, &[]).unwrap_or_else(|(_, d)| panic!("prod loads: {d:?}"))
}

/// Replaces `from` by `to` in a file, which must contain it.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Every file below `dir` with its bytes, to compare whole trees.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_below(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}
