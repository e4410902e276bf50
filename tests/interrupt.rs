//! `gen render --all -o out` killed mid-write, many times at random moments, on a large generated
//! profile: `out/` must always be either the complete old or the complete new output.
//!
//! Rendering takes most of a run and writing only its last tenth, so most kills wait until the
//! staging directory appears (writing has begun) and then strike at a random moment within the
//! measured length of a write; the rest strike at a random moment of the whole run. The seed is
//! printed; `GEN_KILL_SEED=<seed>` replays a run.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::generated::{prod_shaped_profile, splitmix64};
use common::*;

const SERVICES: usize = 500;
const KILLS_IN_WRITE: usize = 12;
const KILLS_ANYWHERE: usize = 4;

fn spawn_render(root: &Path, variant: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["--profiles-dir", variant, "render", "--all", "-o", "out"])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gen starts")
}

fn staging_exists(root: &Path) -> bool {
    std::fs::read_dir(root).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".out.gen-staging-")
    })
}

/// Runs a render to the end and returns how long it took and how long its write phase was.
fn timed_render(root: &Path, variant: &str) -> (Duration, Duration) {
    let start = Instant::now();
    let mut child = spawn_render(root, variant);
    let mut writing_since = None;
    loop {
        if writing_since.is_none() && staging_exists(root) {
            writing_since = Some(Instant::now());
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "an uninterrupted render succeeds");
            break;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let total = start.elapsed();
    (total, writing_since.map_or(total / 10, |t| t.elapsed()))
}

fn uniform(seed: &mut u64, max: Duration) -> Duration {
    let nanos = max.as_nanos().max(1) as u64;
    Duration::from_nanos(splitmix64(seed) % nanos)
}

#[test]
fn killing_render_mid_write_leaves_the_old_or_the_new_output_never_a_mix() {
    let temp = tempfile::Builder::new().prefix("gen-kill-").tempdir().unwrap();
    let root = temp.path();
    let prod = effective_prod();
    for (variant, number) in [("a", 1), ("b", 2)] {
        std::fs::create_dir_all(root.join(variant)).unwrap();
        std::fs::write(
            root.join(variant).join("big.yaml"),
            prod_shaped_profile(&prod, SERVICES, number),
        )
        .unwrap();
    }
    // The two complete outputs every state of out/ must equal.
    let mut expected = Vec::new();
    for variant in ["a", "b"] {
        timed_render(root, variant);
        let tree = snapshot_tree(&root.join("out"));
        std::fs::rename(root.join("out"), root.join(format!("expected-{variant}"))).unwrap();
        expected.push(tree);
    }
    assert_ne!(expected[0], expected[1]);
    assert!(expected[0].len() > 6 * SERVICES, "{} files", expected[0].len());

    // out/ starts as the complete render of a; the first write measures the phases.
    let (run_time, write_time) = timed_render(root, "a");
    let seed: u64 = std::env::var("GEN_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("kill test: seed {seed} (GEN_KILL_SEED={seed} replays it); run {run_time:?}, write {write_time:?}");
    let mut rng = seed;
    let mut state = 0; // index into `expected`
    let mut killed_while_writing = 0;
    for round in 0..KILLS_IN_WRITE + KILLS_ANYWHERE {
        let target = 1 - state;
        let mut child = spawn_render(root, ["a", "b"][target]);
        if round < KILLS_IN_WRITE {
            while !staging_exists(root) && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(uniform(&mut rng, write_time.mul_f64(1.2)));
        } else {
            std::thread::sleep(uniform(&mut rng, run_time.mul_f64(1.1)));
        }
        let was_running = child.try_wait().unwrap().is_none();
        let _ = child.kill(); // SIGKILL: no chance to clean up
        child.wait().unwrap();
        if was_running && staging_exists(root) {
            killed_while_writing += 1;
        }
        let now = snapshot_tree(&root.join("out"));
        state = expected.iter().position(|tree| *tree == now).unwrap_or_else(|| {
            panic!(
                "round {round} (seed {seed}): out/ is neither the complete old nor the complete new output ({} files)",
                now.len()
            )
        });
    }
    assert!(
        killed_while_writing >= KILLS_IN_WRITE / 2,
        "only {killed_while_writing} kills landed while writing (seed {seed}): the test did not exercise the window"
    );

    // The next uninterrupted render completes and clears what the killed ones left behind.
    timed_render(root, ["a", "b"][1 - state]);
    assert!(!staging_exists(root), "staging directories are cleaned up");
    assert_eq!(snapshot_tree(&root.join("out")), expected[1 - state]);
    eprintln!(
        "kill test: {killed_while_writing} of {} kills landed mid-write",
        KILLS_IN_WRITE + KILLS_ANYWHERE
    );
}
