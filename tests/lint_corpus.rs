//! The bad-profile corpus: `tests/bad-profiles/*.yaml`, each a realistic mistake.
//!
//! Every file starts with two header lines that this harness parses and enforces:
//!
//! ```yaml
//! # mistake: <one sentence a user would recognise>
//! # expect: exit <code>, first finding <code> at line <N>
//! ```
//!
//! For each case `gen lint` must exit as stated, and its first finding must carry that code and
//! point at that line (with the line quoted and a caret under the column). Its human report is
//! snapshotted (`snapshots/lint-<case>.snap`), `gen render` must refuse it without writing
//! anything (or, for a case with warnings only, render it), JSON and SARIF must agree with the
//! human report, and every SARIF document must validate against the official SARIF 2.1.0 schema.
//!
//! The schema comes from `scripts/install-oracles` (`.tools/sarif-2.1.0.json`) and is checked
//! with Python's `jsonschema` from the oracle venv; without them the SARIF test fails with
//! instructions instead of passing silently.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use gen_core::rules::catalog::{self, RULES, RuleKind};
use serde_json::Value;

const CORPUS: &str = "tests/bad-profiles";

/// Schema codes no profile text can produce: they are about the file system or about gen itself.
/// `invalid-profile` is the catch-all for serde messages gen does not classify more precisely;
/// no known profile reaches it (two YAML documents in one file, once its only way in, is now
/// reported as `invalid-yaml` at the second `---`). `invalid-set` is about `--set` flags.
const SCHEMA_CODES_NOT_FROM_A_PROFILE: [&str; 7] = [
    "invalid-set",
    "profile-not-found",
    "unreadable-profile",
    "output-directory",
    "template-defect",
    "invalid-profile",
    // Needs `--kube-version` older than a field the profile renders: tests/kube_version.rs.
    "not-in-kube-version",
];

/// Policy rules a profile can trigger. The others judge what the templates produce (Pod Security
/// fields, selectors, API versions, ...), which a profile cannot change.
const POLICY_RULES_FROM_A_PROFILE: [&str; 17] = [
    "autoscalers-conflict",
    "quota-below-need",
    "image-latest-tag",
    "image-untagged",
    "image-digest-required",
    "image-registry-not-allowed",
    "secret-in-env",
    "default-namespace",
    "egress-unrestricted",
    "single-replica",
    "hpa-min-below-two",
    "pdb-blocks-drain",
    "run-as-low-uid",
    "pss-run-as-root",
    "readiness-equals-liveness",
    "metrics-unreachable",
    "unused-waiver",
];

/// Cases whose JSON and SARIF output is snapshotted too: a schema error, several schema errors,
/// a policy error on a rendered object, and an invalid waiver next to a warning.
const FORMAT_SNAPSHOTS: [&str; 4] = [
    "unknown-field-replica-singular",
    "several-schema-errors",
    "pdb-blocks-drain-min-available",
    "invalid-waiver-rule-typo",
];

#[derive(Debug)]
struct Case {
    name: String,
    /// Relative to the repository root, as gen is run from there and prints it.
    path: String,
    mistake: String,
    exit: i32,
    code: String,
    line: usize,
    text: String,
}

fn cases() -> Vec<Case> {
    let dir = repo_root().join(CORPUS);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|file| {
            let path = format!("{CORPUS}/{file}");
            let text = fs::read_to_string(repo_root().join(&path)).unwrap();
            parse_header(file.trim_end_matches(".yaml"), &path, text)
        })
        .collect()
}

fn parse_header(name: &str, path: &str, text: String) -> Case {
    let mut lines = text.lines();
    let mistake = lines
        .next()
        .and_then(|l| l.strip_prefix("# mistake: "))
        .unwrap_or_else(|| panic!("{path}: line 1 must be `# mistake: <sentence>`"))
        .to_owned();
    let expect = lines
        .next()
        .and_then(|l| l.strip_prefix("# expect: exit "))
        .unwrap_or_else(|| panic!("{path}: line 2 must be `# expect: exit <code>, first finding <code> at line <N>`"));
    let parsed = expect.split_once(", first finding ").and_then(|(exit, rest)| {
        let (code, line) = rest.split_once(" at line ")?;
        Some((exit.parse().ok()?, code.to_owned(), line.parse().ok()?))
    });
    let Some((exit, code, line)) = parsed else {
        panic!("{path}: cannot parse `# expect: exit {expect}`");
    };
    Case {
        name: name.to_owned(),
        path: path.to_owned(),
        mistake,
        exit,
        code,
        line,
        text,
    }
}

fn lint(case: &Case, extra: &[&str]) -> Output {
    let mut args = vec!["lint"];
    args.extend_from_slice(extra);
    args.push(&case.path);
    gen_cmd(&args)
}

/// Makes output independent of where the repository is checked out.
fn portable(text: &str) -> String {
    let root = repo_root();
    text.replace(root.to_str().unwrap(), "[repo]")
}

/// Runs `check` on every case, then fails once, naming every case that failed (each failure's
/// own message is printed as it happens), so one broken case does not hide the others.
fn for_each_case(cases: &[Case], check: impl Fn(&Case)) {
    let failed: Vec<&str> = cases
        .iter()
        .filter(|case| catch_unwind(AssertUnwindSafe(|| check(case))).is_err())
        .map(|case| case.name.as_str())
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} corpus cases failed (messages above): {failed:#?}",
        failed.len(),
        cases.len()
    );
}

/// The first finding of a human report: its code, `file:line:column`, the quoted line and caret.
struct FirstFinding {
    code: String,
    file: String,
    line: usize,
    column: usize,
    quoted: Option<String>,
    caret_column: Option<usize>,
}

fn first_finding(report: &str) -> Option<FirstFinding> {
    let mut lines = report.lines();
    let headline = lines.next()?;
    let code = headline.split_once('[')?.1.split_once(']')?.0.to_owned();
    let location = lines.next()?.strip_prefix("  --> ")?;
    let location = location.split(" (at `").next()?;
    let (rest, column) = location.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    let (line, column): (usize, usize) = (line.parse().ok()?, column.parse().ok()?);
    // The block ends at the blank line; the quote is `N | text`, the caret line follows it.
    let block: Vec<&str> = lines.take_while(|l| !l.is_empty()).collect();
    let number = format!("{line} | ");
    let quote_at = block.iter().position(|l| l.starts_with(&number));
    let quoted = quote_at.map(|i| block[i][number.len()..].to_owned());
    let caret_column = quote_at
        .and_then(|i| block.get(i + 1))
        .and_then(|l| l.split_once(" | "))
        .and_then(|(_, caret)| caret.chars().position(|c| c == '^'))
        .map(|index| index + 1);
    Some(FirstFinding {
        code,
        file: file.to_owned(),
        line,
        column,
        quoted,
        caret_column,
    })
}

#[test]
fn every_bad_profile_is_reported_as_its_header_says() {
    let cases = cases();
    for_each_case(&cases, |case| {
        let output = lint(case, &[]);
        let report = stdout(&output);
        let context = format!(
            "gen lint {}\n--- stdout\n{report}--- stderr\n{}",
            case.path,
            stderr(&output)
        );
        assert_eq!(output.status.code(), Some(case.exit), "exit code of {context}");
        let first = first_finding(&report)
            .unwrap_or_else(|| panic!("the first finding has no `  --> FILE:LINE:COL` line: {context}"));
        assert_eq!(first.code, case.code, "first finding's code: {context}");
        assert_eq!(first.file, case.path, "first finding's file: {context}");
        assert_eq!(first.line, case.line, "first finding's line: {context}");
        let source_line = case.text.lines().nth(case.line - 1).unwrap_or_default();
        assert_eq!(
            first.quoted.as_deref(),
            Some(source_line),
            "the offending line is quoted: {context}"
        );
        assert!(
            first.column >= 1 && first.column <= source_line.chars().count().max(1),
            "the column falls on the line: {context}"
        );
        assert_eq!(
            first.caret_column,
            Some(first.column),
            "the caret is under the column: {context}"
        );

        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => case.mistake.clone(),
        }, {
            insta::assert_snapshot!(format!("lint-{}", case.name), portable(&report));
        });

        if case.exit == 0 {
            // Warnings only: --deny-warnings turns them into a failure, and render goes ahead.
            let strict = lint(case, &["--deny-warnings"]);
            assert_eq!(strict.status.code(), Some(1), "--deny-warnings: {context}");
        }
        render_writes_nothing_or_everything(case);
    });
}

/// `gen render CASE -o <temp>/out` exits like lint (2 schema, 1 policy) and writes nothing, not
/// even a staging directory; a case with warnings only renders completely.
fn render_writes_nothing_or_everything(case: &Case) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let output = gen_cmd(&["render", &case.path, "-o", out.to_str().unwrap()]);
    let context = format!("gen render {} -o DIR\n--- stderr\n{}", case.path, stderr(&output));
    assert_eq!(output.status.code(), Some(case.exit), "exit code of {context}");
    assert!(stdout(&output).is_empty(), "nothing on stdout: {context}");
    let left: Vec<String> = fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    if case.exit == 0 {
        assert!(out.join("kustomization.yaml").is_file(), "rendered: {context}");
        assert_eq!(left, ["out"], "no staging directory left: {context}");
    } else {
        assert!(
            stderr(&output).contains("nothing was written"),
            "says nothing was written: {context}"
        );
        assert!(!out.exists(), "{} was not created: {context}", out.display());
        assert!(
            left.is_empty(),
            "nothing written next to it either, found {left:?}: {context}"
        );
    }
}

#[test]
fn corpus_covers_every_schema_code_and_every_policy_rule_a_profile_can_break() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases in {CORPUS}", cases.len());
    for case in &cases {
        let rule = catalog::lookup(&case.code)
            .unwrap_or_else(|| panic!("{}: `{}` is not in the rule catalogue", case.path, case.code));
        let expected_kind = if case.exit == 2 {
            RuleKind::Schema
        } else {
            RuleKind::Policy
        };
        assert_eq!(
            rule.kind, expected_kind,
            "{}: exit {} goes with a {expected_kind:?} finding, not `{}`",
            case.path, case.exit, case.code
        );
        assert!(
            case.mistake.ends_with('.') && case.mistake.len() > 15,
            "{}: the mistake is one sentence",
            case.path
        );
    }
    let covered: BTreeSet<&str> = cases.iter().map(|c| c.code.as_str()).collect();
    let missing: Vec<&str> = RULES
        .iter()
        .filter(|r| r.kind == RuleKind::Schema && !SCHEMA_CODES_NOT_FROM_A_PROFILE.contains(&r.code))
        .map(|r| r.code)
        .chain(POLICY_RULES_FROM_A_PROFILE)
        .filter(|code| !covered.contains(code))
        .collect();
    assert!(
        missing.is_empty(),
        "no case in {CORPUS} has these as its first finding: {missing:?}"
    );
    for code in SCHEMA_CODES_NOT_FROM_A_PROFILE
        .iter()
        .chain(&POLICY_RULES_FROM_A_PROFILE)
    {
        assert!(
            catalog::lookup(code).is_some(),
            "`{code}` is no longer in the catalogue"
        );
    }
}

fn parse_json(output: &Output, what: &str) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{what} is not JSON ({e}):\n{}\n--- stderr\n{}",
            stdout(output),
            stderr(output)
        )
    })
}

/// The SARIF document with the parts that belong to the catalogue and the release, not to the
/// case, replaced: the rule list (whose ids are checked against the catalogue instead) and the
/// version.
fn sarif_for_snapshot(mut sarif: Value) -> Value {
    let driver = &mut sarif["runs"][0]["tool"]["driver"];
    driver["version"] = Value::from("[version]");
    driver["rules"] = Value::from(format!("[the {} rules of `gen rules`]", RULES.len()));
    sarif
}

#[test]
fn json_and_sarif_agree_with_the_human_report() {
    let cases = cases();
    let catalogue: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    for_each_case(&cases, |case| {
        let output = lint(case, &["--format", "json"]);
        assert_eq!(
            output.status.code(),
            Some(case.exit),
            "gen lint --format json {}",
            case.path
        );
        let json = parse_json(&output, &format!("gen lint --format json {}", case.path));
        let first = &json["profiles"][0]["findings"][0];
        assert_eq!(first["code"], case.code.as_str(), "{}: {json:#}", case.path);
        assert_eq!(first["file"], case.path.as_str(), "{}: {json:#}", case.path);
        assert_eq!(first["position"]["line"], case.line, "{}: {json:#}", case.path);

        let output = lint(case, &["--format", "sarif"]);
        assert_eq!(
            output.status.code(),
            Some(case.exit),
            "gen lint --format sarif {}",
            case.path
        );
        let sarif = parse_json(&output, &format!("gen lint --format sarif {}", case.path));
        let run = &sarif["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(rules, catalogue, "SARIF rules are the catalogue, in order");
        let results = run["results"].as_array().unwrap();
        for result in results {
            let index = result["ruleIndex"].as_u64().expect("every result has a ruleIndex") as usize;
            assert_eq!(rules[index], result["ruleId"], "{}: ruleIndex of {result:#}", case.path);
        }
        let first = &results[0];
        let location = &first["locations"][0]["physicalLocation"];
        assert_eq!(first["ruleId"], case.code.as_str(), "{}: {first:#}", case.path);
        assert_eq!(
            location["artifactLocation"]["uri"],
            case.path.as_str(),
            "{}: {first:#}",
            case.path
        );
        assert_eq!(location["region"]["startLine"], case.line, "{}: {first:#}", case.path);

        if FORMAT_SNAPSHOTS.contains(&case.name.as_str()) {
            insta::with_settings!({
                snapshot_path => "../snapshots",
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => case.mistake.clone(),
            }, {
                insta::assert_snapshot!(format!("lint-json-{}", case.name), portable(&format!("{json:#}")));
                insta::assert_snapshot!(
                    format!("lint-sarif-{}", case.name),
                    portable(&format!("{:#}", sarif_for_snapshot(sarif.clone())))
                );
            });
        }
    });
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for name in FORMAT_SNAPSHOTS {
        assert!(names.contains(&name), "{name} is not in the corpus");
    }
}

// --- SARIF 2.1.0 schema validation ---------------------------------------------------------

/// Validates JSON documents against a JSON schema with the validator for the draft the schema
/// declares in `$schema`; prints every error with its path and exits 1 if there is any.
const VALIDATE_PY: &str = r#"
import json, sys
from jsonschema import validators

schema_path, *documents = sys.argv[1:]
with open(schema_path) as f:
    schema = json.load(f)
Validator = validators.validator_for(schema, default=None)
if Validator is None:
    sys.exit(f"{schema_path}: jsonschema has no validator for $schema {schema.get('$schema')!r}")
Validator.check_schema(schema)
validator = Validator(schema, format_checker=Validator.FORMAT_CHECKER)
errors = 0
for path in documents:
    with open(path) as f:
        document = json.load(f)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        errors += 1
        where = "/".join(map(str, error.absolute_path)) or "(root)"
        print(f"{path}: at {where}: {error.message}")
print(f"{Validator.__name__}: {len(documents)} documents, {errors} errors")
sys.exit(1 if errors else 0)
"#;

fn sarif_schema() -> PathBuf {
    let path = repo_root().join(".tools/sarif-2.1.0.json");
    assert!(
        path.is_file(),
        "{} is missing: run `scripts/install-oracles` (or `scripts/test`), which fetches the SARIF 2.1.0 schema",
        path.display()
    );
    path
}

/// Runs the validator over `documents`; returns whether all are valid, and what it printed.
fn validate_sarif(documents: &[PathBuf]) -> (bool, String) {
    let output = Command::new(oracle("python"))
        .arg("-c")
        .arg(VALIDATE_PY)
        .arg(sarif_schema())
        .args(documents)
        .output()
        .expect("the oracle venv's python runs");
    let text = format!("{}{}", stdout(&output), stderr(&output));
    (output.status.success(), text)
}

fn write_sarif(dir: &Path, name: &str, output: &Output) -> PathBuf {
    let path = dir.join(format!("{name}.sarif"));
    parse_json(output, &format!("SARIF for {name}"));
    fs::write(&path, &output.stdout).unwrap();
    path
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let temp = tempfile::tempdir().unwrap();
    let mut documents = Vec::new();
    for case in cases() {
        let output = lint(&case, &["--format", "sarif"]);
        documents.push(write_sarif(temp.path(), &case.name, &output));
    }
    // The shipped profiles, as CI would upload them: `gen lint --format sarif` from the root.
    let shipped = gen_cmd(&["lint", "--format", "sarif"]);
    assert_eq!(shipped.status.code(), Some(0), "{}", stderr(&shipped));
    documents.push(write_sarif(temp.path(), "shipped-profiles", &shipped));

    let (ok, text) = validate_sarif(&documents);
    assert!(
        ok,
        "SARIF output does not validate against the SARIF 2.1.0 schema:\n{text}"
    );
    let summary = format!("Draft4Validator: {} documents, 0 errors", documents.len());
    assert!(text.contains(&summary), "the validator checked every document:\n{text}");
}

#[test]
fn sarif_validator_rejects_a_broken_document() {
    // Proves the oracle is armed: a level SARIF does not define must fail validation.
    let output = gen_cmd(&["lint", "--format", "sarif", &format!("{CORPUS}/image-latest-tag.yaml")]);
    let mut sarif = parse_json(&output, "SARIF for image-latest-tag");
    sarif["runs"][0]["results"][0]["level"] = Value::from("fatal");
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("broken.sarif");
    fs::write(&path, sarif.to_string()).unwrap();
    let (ok, text) = validate_sarif(&[path]);
    assert!(!ok, "a result with level `fatal` must fail validation:\n{text}");
    assert!(
        text.contains("at runs/0/results/0/level: 'fatal' is not one of"),
        "the validator names the broken field:\n{text}"
    );
}
