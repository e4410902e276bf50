//! End-to-end timing of `gen render`, the way a user runs it.
//!
//! For the example profiles and for generated prod-shaped profiles of 200, 1,000 and 5,000
//! services it measures:
//!
//! - the in-process pipeline (`pipeline::run` then `emit::write_stream`), median of several runs;
//! - the release binary, `gen render <file>`, stdout to /dev/null: median of up
//!   to five runs, with the peak RSS when `/usr/bin/time` is installed (Debian package `time`);
//! - for the generated profiles, each stage on its own, one after another, to show where the
//!   time goes. Render and check run on this thread; load, resolve and the rules use a second
//!   thread where the machine has one (as `gen` does). `taskset -c 0 cargo bench --bench render`
//!   puts every stage on one core.
//!
//! The comparison with `helm template` and `kubectl kustomize`, measured side by side on the
//! same machine, is `scripts/bench-compare`; this benchmark holds no figure from elsewhere.
//!
//! `cargo bench --bench render` (cargo builds the binary with the benchmark, in
//! `target/<host triple>/release/gen`: see `.cargo/config.toml`); `GEN_BENCH_QUICK=1` limits the run
//! to the example profiles and 200 services, 3 runs each, as a smoke test for CI. No harness
//! and no dependencies: `std::time::Instant` and medians. `GEN_BENCH_KEEP=1` keeps the
//! generated profiles (the path is printed), e.g. for `perf record target/<host triple>/release/gen render`.
//! `GEN_BENCH_SIZES=5000` measures only the generated profiles of those sizes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use camino::Utf8PathBuf;
use gen_core::locate::ProfileFile;
use gen_core::pipeline::{self, Failure};
use gen_core::render::Renderer;
use gen_core::{check, emit, load, resolve, rules};

/// The allocator the `gen` binary uses, so the in-process figures measure the same thing.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The generator the tests use too (`tests/common/generated.rs`), so both measure one shape.
#[path = "../tests/common/generated.rs"]
mod generated;

struct Case {
    name: String,
    /// Services in a generated profile (0 for the examples: counted after the run).
    services: usize,
    file: ProfileFile,
    runs: usize,
    generated: bool,
}

struct Row {
    name: String,
    services: usize,
    objects: usize,
    bytes: usize,
    in_process: Stats,
    subprocess: Subprocess,
}

struct Subprocess {
    wall: Duration,
    /// Peak resident set in KiB, when `/usr/bin/time` could measure it.
    peak_rss_kib: Option<u64>,
}

struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
}

impl Stats {
    fn of(mut samples: Vec<Duration>) -> Stats {
        samples.sort();
        let n = samples.len();
        let median = if n % 2 == 1 {
            samples[n / 2]
        } else {
            (samples[n / 2 - 1] + samples[n / 2]) / 2
        };
        Stats {
            median,
            min: samples[0],
            max: samples[n - 1],
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench` (and any filter); this binary takes none of them.
    let quick = std::env::var_os("GEN_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sizes: Vec<usize> = match std::env::var("GEN_BENCH_SIZES") {
        // GEN_BENCH_SIZES=5000 (comma-separated) measures only those generated profiles.
        Ok(list) if !list.is_empty() => list
            .split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("GEN_BENCH_SIZES is a comma-separated list of numbers")
            })
            .collect(),
        _ if quick => vec![200],
        _ => vec![200, 1_000, 5_000],
    };
    let only_generated = std::env::var_os("GEN_BENCH_SIZES").is_some_and(|v| !v.is_empty());

    let mut cases = Vec::new();
    for name in ["dev", "prod", "quarantine"].into_iter().filter(|_| !only_generated) {
        let path = root.join("profiles").join(format!("{name}.yaml"));
        cases.push(Case {
            name: name.to_owned(),
            services: 0,
            file: profile_file(name, path),
            runs: if quick { 3 } else { 10 },
            generated: false,
        });
    }
    let dir = std::env::temp_dir().join(format!("gen-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    // The shipped prod profile as gen reads it, its base merged in.
    let prod_path = Utf8PathBuf::from_path_buf(root.join("profiles/prod.yaml")).expect("a UTF-8 path");
    let prod = gen_core::load::effective_text(&prod_path, &[]).unwrap_or_else(|(_, d)| panic!("prod loads: {d:?}"));
    for &services in &sizes {
        let name = format!("generated-{services}");
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, generated::prod_shaped_profile(&prod, services, 0))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        cases.push(Case {
            name: name.clone(),
            services,
            file: profile_file(&name, path),
            runs: if quick {
                3
            } else if services >= 5_000 {
                5
            } else {
                10
            },
            generated: true,
        });
    }

    // Cargo builds the binary for a benchmark with the same profile, and says where it put it.
    let binary = Path::new(env!("CARGO_BIN_EXE_gen"));
    let time = Path::new("/usr/bin/time");
    let time = (time.is_file() && time_works(time)).then_some(time);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "gen render benchmark{} ({workers} cores; generated profiles in {})",
        if quick { ", quick mode" } else { "" },
        dir.display()
    );
    println!("binary: {}", binary.display());
    if time.is_none() {
        println!("peak memory: n/a (install `time`: apt-get install time)");
    }

    let renderer = Renderer::new();
    let mut rows = Vec::new();
    let mut failed = false;
    for case in &cases {
        eprintln!("-- {} ({} runs)", case.name, case.runs);
        let row = match measure(case, &renderer, binary, time) {
            Ok(row) => row,
            Err(message) => {
                failed = true;
                println!("{}: FAILED: {message}", case.name);
                continue;
            }
        };
        rows.push(row);
    }
    print!("\n{}", table(&rows));

    if !quick {
        println!(
            "\nStage breakdown, each stage on its own (median of 3; render and check on this thread, load, resolve, rules and emit (which encodes the documents) on as many as `gen` uses; the pipeline runs render+check on all cores):"
        );
        print!("{}", breakdown_table(&cases, &renderer));
    }

    // GEN_BENCH_KEEP=1 keeps the generated profiles, to profile `gen render` on them.
    if std::env::var_os("GEN_BENCH_KEEP").is_some_and(|v| !v.is_empty() && v != "0") {
        println!("\nkept the generated profiles in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if failed {
        std::process::exit(1);
    }
}

fn profile_file(name: &str, path: PathBuf) -> ProfileFile {
    ProfileFile {
        name: name.to_owned(),
        path: Utf8PathBuf::from_path_buf(path).expect("benchmark paths are UTF-8"),
        overrides: Vec::new(),
    }
}

/// Whether `/usr/bin/time` is GNU time (busybox and BSD time lack `-f`/`-o`).
fn time_works(time: &Path) -> bool {
    Command::new(time)
        .args(["-f", "%M", "-o", "/dev/null", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn measure(case: &Case, renderer: &Renderer, binary: &Path, time: Option<&Path>) -> Result<Row, String> {
    let mut samples = Vec::with_capacity(case.runs);
    let mut objects = 0;
    let mut services = case.services;
    let mut bytes = 0;
    // One untimed run first: page cache, allocator and lazily built tables warm up.
    for run in 0..=case.runs {
        let start = Instant::now();
        let output = match pipeline::run(&case.file, renderer) {
            Ok(output) => output,
            Err(Failure::Profile(report)) => {
                let first: Vec<String> = report.findings.iter().take(3).map(|d| format!("{d:?}")).collect();
                return Err(format!("the profile is invalid: {}", first.join("; ")));
            }
            Err(Failure::Template(defect)) => return Err(format!("template defect: {defect}")),
        };
        // What `gen render` does with the objects, into memory instead of stdout.
        let mut stream = Vec::with_capacity(bytes);
        emit::write_stream(&output.documents, &mut stream).expect("writing to memory cannot fail");
        let elapsed = start.elapsed();
        if run > 0 {
            samples.push(elapsed);
        }
        let errors = output.report.count(gen_core::diagnostics::Severity::Error);
        if errors > 0 {
            // `gen render` refuses to write anything then, so the subprocess would not be comparable.
            return Err(format!("{errors} policy errors; gen render would write nothing"));
        }
        objects = output.documents.len();
        services = output.documents.iter().filter(|o| o.kind == "Deployment").count();
        bytes = stream.len();
        std::hint::black_box(&stream);
    }
    // The binary as a user runs it: the median of a few runs (one run is at the mercy of
    // whatever else the machine does), and the largest peak RSS among them. One untimed run
    // first, as in-process: the binary and the profile into the page cache, the CPU out of its
    // idle state.
    run_binary(binary, None, &case.file)?;
    let mut runs = Vec::new();
    for _ in 0..case.runs.min(5) {
        runs.push(run_binary(binary, time, &case.file)?);
    }
    let peak_rss_kib = runs.iter().filter_map(|r| r.peak_rss_kib).max();
    let wall = Stats::of(runs.into_iter().map(|r| r.wall).collect()).median;
    let subprocess = Subprocess { wall, peak_rss_kib };
    Ok(Row {
        name: case.name.clone(),
        services,
        objects,
        bytes,
        in_process: Stats::of(samples),
        subprocess,
    })
}

/// One `gen render <file> > /dev/null`, under `/usr/bin/time -f %M` when available.
fn run_binary(binary: &Path, time: Option<&Path>, file: &ProfileFile) -> Result<Subprocess, String> {
    let rss_file = std::env::temp_dir().join(format!("gen-bench-rss-{}", std::process::id()));
    let mut command = match time {
        Some(time) => {
            let mut c = Command::new(time);
            c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(binary);
            c
        }
        None => Command::new(binary),
    };
    command.arg("render").arg(file.path.as_str());
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let output = child.wait_with_output().map_err(|e| format!("waiting for gen: {e}"))?;
    let wall = start.elapsed();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr
            .lines()
            .rev()
            .take(10)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(format!(
            "`gen render` exited with {}:\n{}",
            output.status,
            tail.join("\n")
        ));
    }
    let peak_rss_kib = time.and_then(|_| {
        let text = std::fs::read_to_string(&rss_file).ok()?;
        let _ = std::fs::remove_file(&rss_file);
        // GNU time prints "Command exited with non-zero status" first on failure; take the last line.
        text.lines().last()?.trim().parse().ok()
    });
    Ok(Subprocess { wall, peak_rss_kib })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn table(rows: &[Row]) -> String {
    let header = [
        "profile",
        "services",
        "objects",
        "YAML MB",
        "in-process ms (median)",
        "min-max ms",
        "subprocess ms (median)",
        "peak RSS MB",
    ];
    let mut lines: Vec<[String; 8]> = Vec::new();
    for row in rows {
        let wall = format!("{:.1}", ms(row.subprocess.wall));
        let rss = row
            .subprocess
            .peak_rss_kib
            .map_or("n/a".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0));
        lines.push([
            row.name.clone(),
            row.services.to_string(),
            row.objects.to_string(),
            format!("{:.2}", row.bytes as f64 / 1e6),
            format!("{:.1}", ms(row.in_process.median)),
            format!("{:.1}-{:.1}", ms(row.in_process.min), ms(row.in_process.max)),
            wall,
            rss,
        ]);
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let mut push = |cells: &[&str]| {
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let sep = if i == 0 { "" } else { "  " };
            // Names left-aligned, numbers right-aligned.
            if i == 0 {
                let _ = write!(out, "{sep}{cell:<w$}");
            } else {
                let _ = write!(out, "{sep}{cell:>w$}");
            }
        }
        out.push('\n');
    };
    push(&header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    push(&rule.iter().map(String::as_str).collect::<Vec<_>>());
    for line in &lines {
        push(&line.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out
}

/// Each stage on its own, for the generated profiles: where the time goes.
fn breakdown_table(cases: &[Case], renderer: &Renderer) -> String {
    const STAGES: [&str; 7] = ["load", "resolve", "render", "check", "sort", "rules", "emit"];
    let mut out = format!("{:<16}", "profile");
    for stage in STAGES {
        let _ = write!(out, "{stage:>10}");
    }
    let _ = writeln!(out, "{:>10}", "sum");
    for case in cases.iter().filter(|c| c.generated) {
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); STAGES.len()];
        for _ in 0..3 {
            for (slot, d) in samples.iter_mut().zip(stages(case, renderer)) {
                slot.push(d);
            }
        }
        let medians: Vec<Duration> = samples.into_iter().map(|s| Stats::of(s).median).collect();
        let _ = write!(out, "{:<16}", case.name);
        for d in &medians {
            let _ = write!(out, "{:>10.1}", ms(*d));
        }
        let _ = writeln!(out, "{:>10.1}", ms(medians.iter().sum()));
    }
    out.push_str("(milliseconds)\n");
    out
}

/// The stages of `pipeline::run` one after another, each timed.
fn stages(case: &Case, renderer: &Renderer) -> [Duration; 7] {
    let mut t = Instant::now();
    let mut lap = || {
        let d = t.elapsed();
        t = Instant::now();
        d
    };
    let loaded = load::load(&case.file.path, case.file.path.as_str()).unwrap_or_else(|_| panic!("{} loads", case.name));
    let load = lap();
    let model = resolve::resolve(&loaded.profile, &loaded.source, &case.file.name)
        .unwrap_or_else(|_| panic!("{} resolves", case.name));
    let resolve = lap();
    let rendered = renderer.render(&model).expect("renders");
    let render = lap();
    let mut objects: Vec<check::Object> = rendered
        .into_iter()
        .map(check::check)
        .collect::<Result<_, _>>()
        .expect("checks");
    let check = lap();
    emit::sort_for_apply(&mut objects);
    let sort = lap();
    let findings = rules::run(&model, &objects, &loaded.source);
    let rules = lap();
    let documents = emit::encode(objects).expect("checked objects encode");
    let mut stream = Vec::new();
    emit::write_stream(&documents, &mut stream).expect("writing to memory cannot fail");
    let emit = lap();
    std::hint::black_box((findings, stream));
    [load, resolve, render, check, sort, rules, emit]
}
