//! Hostile and careless input through the real binary: never a crash, bounded time and memory,
//! and every refusal located at the line (and byte) that caused it.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const HEAD: &str = "tier: prod\nnamespace: shop-prod\napp: shop\n";

/// `gen lint FILE` on `bytes` saved in a scratch directory: exit code, stdout, and the CPU time
/// it used.
fn lint_bytes(bytes: &[u8]) -> (Option<i32>, String, Duration) {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("profile.yaml");
    fs::write(&path, bytes).unwrap();
    lint_path(&path)
}

/// The cost of a refusal is the CPU time gen spends, user and system: unlike the wall clock, it
/// does not grow when other work shares the machine. Read from `/proc/<pid>/stat` once the
/// process has exited and before it is reaped (a zombie keeps its accounting); the wall clock
/// only guards against a hang.
fn lint_path(path: &Path) -> (Option<i32>, String, Duration) {
    // Files, not pipes: gen must be able to finish writing without the test reading.
    let out = tempfile::tempfile().unwrap();
    let err = tempfile::tempfile().unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["lint", path.to_str().unwrap()])
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(err.try_clone().unwrap()))
        .spawn()
        .expect("the gen binary runs");
    let stat = format!("/proc/{}/stat", child.id());
    let cpu = loop {
        let fields = fs::read_to_string(&stat).expect("the child's /proc entry stays until it is reaped");
        // After `pid (comm)`: state is the first field, utime and stime the 12th and 13th, in
        // USER_HZ ticks, which procfs fixes at 100 per second.
        let after_name = &fields[fields.rfind(')').unwrap() + 2..];
        let rest: Vec<&str> = after_name.split(' ').collect();
        if rest[0] == "Z" {
            let ticks: u64 = rest[11].parse::<u64>().unwrap() + rest[12].parse::<u64>().unwrap();
            break Duration::from_millis(ticks * 10);
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "gen hangs on {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let status = child.wait().unwrap();
    let text = [out, err]
        .into_iter()
        .map(|mut file| {
            use std::io::{Read, Seek};
            let mut text = String::new();
            file.rewind().unwrap();
            file.read_to_string(&mut text).unwrap();
            text
        })
        .collect::<String>();
    (status.code(), text, cpu)
}

/// The `file:line:col` of the first finding.
fn first_location(report: &str) -> &str {
    let line = report
        .lines()
        .find_map(|l| l.strip_prefix("  --> "))
        .unwrap_or_else(|| panic!("no location in:\n{report}"));
    let at = line.split(" (at `").next().unwrap();
    &at[at.rfind(".yaml:").map_or(0, |i| i + 6)..]
}

fn assert_refused(bytes: &[u8], code: &str, location: &str, words: &str) {
    let (exit, report, elapsed) = lint_bytes(bytes);
    assert_eq!(exit, Some(2), "{report}");
    assert!(
        report.starts_with(&format!("error[{code}]: ")),
        "first finding is {code}:\n{report}"
    );
    assert_eq!(first_location(&report), location, "{report}");
    assert!(report.contains(words), "says `{words}`:\n{report}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?} of CPU");
}

#[test]
fn a_25000_deep_block_sequence_is_refused_at_once() {
    let text = format!("{HEAD}x:\n{}1\n", "- ".repeat(25_000));
    // The top mapping is level 1 and the first dash level 2: the 32nd dash is level 33.
    assert_refused(text.as_bytes(), "input-limit", "5:63", "nest more than 32 levels");
    let (_, report, _) = lint_bytes(text.as_bytes());
    assert!(
        report.len() < 2_000,
        "the 50 KB line is quoted around the column, not whole:\n{report}"
    );
}

#[test]
fn a_5000_deep_block_mapping_is_refused_at_once() {
    // 12.5 MB: inside the size limit, so the depth limit must catch it.
    let mut text = String::from(HEAD);
    for level in 0..5_000 {
        text.push_str(&" ".repeat(level));
        text.push_str("k:\n");
    }
    assert_refused(text.as_bytes(), "input-limit", "36:33", "nest more than 32 levels");
}

#[test]
fn a_60_mb_profile_is_refused_before_it_is_read() {
    let mut text = format!("{HEAD}services:\n  api:\n    image: registry.example.com/api:1.0.0\n    env:\n");
    let mut i = 0;
    while text.len() < 60_000_000 {
        text.push_str(&format!("      VARIABLE_{i}: value\n"));
        i += 1;
    }
    let (exit, report, elapsed) = lint_bytes(text.as_bytes());
    assert_eq!(exit, Some(2), "{report}");
    assert!(report.starts_with("error[input-limit]: the profile is 6"), "{report}");
    assert!(report.contains("at most 16 MiB"), "{report}");
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?} of CPU");
}

/// YAML's `? ` form lets a key run to megabytes. Every path below such a key, and every finding
/// there, held it: a 4 MB key above 3,000 keys took a gigabyte and wrote 400 MB of findings.
#[test]
fn a_4_mb_key_is_refused_at_once_where_it_starts() {
    let inner: String = (0..3_000).map(|i| format!("    unknown{i}: 1\n")).collect();
    let text = format!("{HEAD}services:\n  ? {}\n  :\n{inner}", "k".repeat(4 << 20));
    assert_refused(
        text.as_bytes(),
        "input-limit",
        "5:5",
        "a key of 4,194,304 characters, more than the 1,024 a key may hold",
    );
    let (_, report, _) = lint_bytes(text.as_bytes());
    assert!(report.len() < 4_000, "{} bytes of findings", report.len());
}

/// A JSON Patch `copy` of a pod template into its own labels doubles the Deployment: twenty
/// such operations, 2 KB of profile, took 22 GB before patches had a budget.
#[test]
fn patches_that_copy_an_object_into_itself_are_refused_before_it_grows() {
    let copies: String = (0..25)
        .map(|i| format!("      - {{op: copy, from: /spec/template, path: /spec/template/metadata/labels/a{i}}}\n"))
        .collect();
    let service = "services:
  api:
    image: registry.example.com/api:1.0.0@sha256:0000000000000000000000000000000000000000000000000000000000000000
    replicas: 3
    ports: {http: 8000}
    resources: {cpu: {request: 100m, limit: 500m}, memory: {request: 128Mi, limit: 512Mi}}
    probes: {startup: {path: /healthz}, liveness: {path: /livez}, readiness: {path: /readyz}}
";
    let text = format!("{HEAD}{service}patches:\n  - target: Deployment/api\n    json:\n{copies}");
    let (exit, report, elapsed) = lint_bytes(text.as_bytes());
    assert_eq!(exit, Some(2), "{report}");
    // The pod template (dozens of nodes) doubles with each copy: a million after 13 to 18.
    let refused: usize = report
        .strip_prefix("error[invalid-patch]: JSON Patch operation ")
        .and_then(|rest| rest.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("{report}"));
    assert!((10..20).contains(&refused), "operation {refused}:\n{report}");
    assert!(
        report.contains("would make the patches move or copy more than 1,000,000 nodes in all"),
        "{report}"
    );
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?} of CPU");
}

#[test]
fn more_than_10000_services_or_entries_are_refused_where_the_limit_is_passed() {
    let services: String = (0..=10_000).map(|i| format!("  s{i}: {{}}\n")).collect();
    let text = format!("{HEAD}services:\n{services}");
    assert_refused(text.as_bytes(), "input-limit", "10005:3", "more than 10,000 services");
    let env: String = (0..=10_000).map(|i| format!("      V{i}: x\n")).collect();
    let text = format!("{HEAD}services:\n  api:\n    env:\n{env}");
    assert_refused(text.as_bytes(), "input-limit", "10007:7", "more than 10,000 entries");
}

#[test]
fn more_than_a_million_nodes_are_refused_without_parsing_the_rest() {
    // 200 lists of 9,000 items each: every list is within its limit, the whole is not.
    let lists: String = (0..200)
        .map(|i| format!("k{i}: [{}]\n", vec!["a"; 9_000].join(", ")))
        .collect();
    let text = format!("tier: prod\n{lists}");
    let (_, report, _) = lint_bytes(text.as_bytes());
    let column = first_location(&report).split(':').nth(1).unwrap().to_owned();
    assert_refused(
        text.as_bytes(),
        "input-limit",
        &format!("113:{column}"),
        "more than 1,000,000 keys, values, mappings and lists",
    );
}

#[test]
fn a_directory_is_not_a_missing_file() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("prod.yaml");
    fs::create_dir(&dir).unwrap();
    let (exit, report, _) = lint_path(&dir);
    assert_eq!(exit, Some(2), "{report}");
    assert!(report.contains("is a directory, not a profile file"), "{report}");
    assert!(!report.contains("no profile file"), "{report}");
}

#[test]
fn a_nul_byte_is_refused_at_its_line() {
    let text = format!("{HEAD}services:\n  api:\n    image: regis\0try.example.com/api:1.0.0\n");
    assert_refused(text.as_bytes(), "invalid-yaml", "6:17", "U+0000 (NUL)");
}

#[test]
fn non_utf8_is_refused_at_its_line_and_byte() {
    let mut bytes = format!("{HEAD}services:\n  api:\n    image: caf").into_bytes();
    bytes.extend_from_slice(b"\xe9:1.0\n");
    assert_refused(&bytes, "invalid-yaml", "6:15", "byte 0xE9 at byte offset 73");
}

#[test]
fn raw_line_separators_are_refused_at_their_line() {
    let text = format!(
        "{HEAD}services:\n  api:\n    image: registry.example.com/api:1.0.0\n    env: {{NOTE: \"a\u{85}b\"}}\n"
    );
    assert_refused(text.as_bytes(), "invalid-yaml", "7:19", "U+0085 (NEL) line separator");
    let text = format!(
        "{HEAD}services:\n  api:\n    image: registry.example.com/api:1.0.0\n    env: {{\"NO\u{2028}TE\": b}}\n"
    );
    assert_refused(text.as_bytes(), "invalid-yaml", "7:14", "U+2028 (LINE SEPARATOR)");
}

#[test]
fn a_whitespace_only_file_is_empty_at_line_one() {
    assert_refused(b"   \n  \n\n", "missing-field", "1:1", "the profile is empty");
    assert_refused(b"# just a comment\n\n", "missing-field", "1:1", "the profile is empty");
}

#[test]
fn a_tab_indenting_a_key_is_reported_at_the_tab_with_a_hint() {
    let text = format!("{HEAD}services:\n  api:\n    image: registry.example.com/api:1.0.0\n\treplicas: 3\n");
    assert_refused(text.as_bytes(), "invalid-yaml", "7:1", "replace the tab with spaces");
}
