//! No input makes `gen` panic: random YAML-ish text and mutations of the shipped profiles go
//! through every stage, and each must end in objects or in findings, never in a panic.

use std::panic::{AssertUnwindSafe, catch_unwind};

use camino::Utf8PathBuf;
use gen_core::locate::ProfileFile;
use gen_core::pipeline::{self, Failure};
use gen_core::render::Renderer;
use proptest::prelude::*;

fn shipped(name: &str) -> String {
    std::fs::read_to_string(format!("{}/profiles/{name}.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Runs the whole pipeline on `text` and fails the property on a panic.
fn survives(text: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = Utf8PathBuf::from_path_buf(dir.path().join("p.yaml")).unwrap();
    std::fs::write(&path, text).unwrap();
    let profile = ProfileFile {
        name: "p".into(),
        path,
        overrides: Vec::new(),
    };
    let renderer = Renderer::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| match pipeline::run(&profile, &renderer) {
        Ok(output) => {
            // A render that passes must also emit.
            gen_core::emit::write_stream(&output.documents, &mut std::io::sink()).unwrap();
            true
        }
        Err(Failure::Profile(report)) => !report.findings.is_empty(),
        // A template defect on user input would mean a profile value slipped past validation.
        Err(Failure::Template(defect)) => panic!("template defect on user input: {defect}"),
    }));
    match outcome {
        Ok(true) => Ok(()),
        Ok(false) => Err(TestCaseError::fail("an invalid profile produced no finding")),
        Err(_) => Err(TestCaseError::fail(format!("gen panicked on:\n{text}"))),
    }
}

/// Values that stress parsers and validators: YAML 1.1 specials, huge and negative numbers,
/// unicode, control characters, structure characters.
fn nasty_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("on".to_owned()),
        Just("~".to_owned()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("1e400".to_owned()),
        Just("\"\"".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("\"a\\u2028b\"".to_owned()),
        Just("\"../../etc/passwd\"".to_owned()),
        Just("\"x\\nkind: Secret\"".to_owned()),
        Just("&a x".to_owned()),
        Just("!!binary aGk=".to_owned()),
        "[ -~]{0,20}",
        "\\PC{0,12}",
    ]
}

/// A shipped profile with one line replaced, deleted, duplicated, or with its value swapped.
fn mutated_profile() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["dev", "prod", "quarantine"]),
        any::<prop::sample::Index>(),
        0..4u8,
        nasty_value(),
    )
        .prop_map(|(name, index, operation, value)| {
            let text = shipped(name);
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let i = index.index(lines.len());
            match operation {
                0 => {
                    lines.remove(i);
                }
                1 => {
                    let line = lines[i].clone();
                    lines.insert(i, line);
                }
                2 => {
                    if let Some((key, _)) = lines[i].split_once(": ") {
                        lines[i] = format!("{key}: {value}");
                    }
                }
                _ => lines[i] = format!("{}{value}", " ".repeat(i % 7)),
            }
            lines.join("\n")
        })
}

/// A shipped profile with one value replaced by deep nesting: block lists (`- - -`), block
/// mappings (one more space per level), flow lists, or a mix of them.
fn deeply_nested_profile() -> impl Strategy<Value = String> {
    (0..3usize, 1..30_000usize, prop::collection::vec(0..3u8, 1..8)).prop_map(|(shape, depth, mix)| {
        let mut nested = String::from("\n");
        match shape {
            0 => nested.push_str(&format!("        {}x", "- ".repeat(depth))),
            1 => {
                for level in 0..depth.min(1_500) {
                    nested.push_str(&format!("{}k{}:\n", " ".repeat(level + 8), mix[level % mix.len()]));
                }
                nested.push_str(&format!("{}x", " ".repeat(depth.min(1_500) + 8)));
            }
            _ => {
                let open: String = (0..depth)
                    .map(|i| if mix[i % mix.len()] == 0 { '{' } else { '[' })
                    .collect();
                let close: String = open
                    .chars()
                    .rev()
                    .map(|c| if c == '{' { "x: 1}" } else { "]" })
                    .collect();
                nested = format!(" {open}{close}");
            }
        }
        shipped("prod").replacen(
            "    replicas: 3\n",
            &format!("    replicas: 3\n    env:\n      DEEP:{nested}\n"),
            1,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_profiles_never_panic(text in mutated_profile()) {
        survives(&text)?;
    }

    #[test]
    fn random_text_never_panics(text in "(\\PC|\n|\t| |:|-|\\[|\\]|\\{|\\}){0,200}") {
        survives(&text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    // Depth is refused before any unbounded recursion: no stack overflow, whatever the shape
    // (a 25,000-deep `- - -` overflowed the stack before).
    #[test]
    fn deep_nesting_never_crashes(text in deeply_nested_profile()) {
        survives(&text)?;
    }
}
