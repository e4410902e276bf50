//! A short smoke of every fuzz target on the stable toolchain, without cargo-fuzz: the target
//! bodies are plain library functions (`gen_core::fuzz`), and this feeds them the committed,
//! minimised corpus (`fuzz/corpus/<target>/`), the inputs that once crashed them
//! (`fuzz/regressions/`) and the seeds the corpus grew from (the shipped, example and bad
//! profiles). Any panic, a refusal without a finding, a finding located outside the text or an
//! accepted input past the input limits fails the test. The README's "Fuzzing" section runs the real thing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gen_core::fuzz;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// The committed corpus of a target, the regressions, and the seeds.
fn inputs(target: &str) -> Vec<PathBuf> {
    let corpus = files_in(&root().join("fuzz/corpus").join(target));
    assert!(
        corpus.len() >= 20,
        "fuzz/corpus/{target} holds {} files: the minimised corpus is committed",
        corpus.len()
    );
    let mut all = corpus;
    all.extend(files_in(&root().join("fuzz/regressions")));
    for seeds in ["profiles", "tests/bad-profiles", "tests/fixtures"] {
        all.extend(files_in(&root().join(seeds)));
    }
    for example in files_in(&root().join("examples")).into_iter().chain(
        std::fs::read_dir(root().join("examples"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .flat_map(|dir| files_in(&dir)),
    ) {
        if example.extension().is_some_and(|e| e == "yaml") {
            all.push(example);
        }
    }
    all
}

/// Runs `body` on every input; each must finish well inside the fuzzers' one-second timeout
/// (a debug build is slower than the fuzzers' optimised one, hence the margin).
fn smoke(target: &str, body: impl Fn(&[u8])) {
    for path in inputs(target) {
        let data = std::fs::read(&path).unwrap();
        let started = Instant::now();
        body(&data);
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(5),
            "{target} took {took:?} on {}",
            path.display()
        );
    }
}

#[test]
fn load_target() {
    smoke("load", |data| {
        fuzz::load(data);
    });
}

#[test]
fn resolve_target() {
    smoke("resolve", fuzz::resolve);
}

#[test]
fn pipeline_target() {
    let renderers = fuzz::Renderers::new();
    smoke("pipeline", |data| fuzz::pipeline(data, &renderers));
}

/// The assertions are armed: an input past the limits that the loader accepted would fail.
#[test]
fn the_limit_oracle_sees_what_the_limits_refuse() {
    let deep = format!("tier: prod\nx: {}{}\n", "[".repeat(40), "]".repeat(40));
    assert!(!fuzz::measure(&deep).within_limits());
    assert!(fuzz::load(deep.as_bytes()).is_none(), "the loader refuses it");
    // A profile complete in one file (the shipped ones extend a base the fuzz input cannot see).
    let shipped = std::fs::read_to_string(root().join("examples/chat4all/prod.yaml")).unwrap();
    assert!(fuzz::measure(&shipped).within_limits());
    assert!(fuzz::load(shipped.as_bytes()).is_some());
}
