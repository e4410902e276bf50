//! The bodies of the fuzz targets in `fuzz/fuzz_targets/` (cargo-fuzz, nightly), as plain
//! library functions: `tests/fuzz_smoke.rs` runs the committed corpus through the very same
//! code on the stable toolchain.
//!
//! Each target takes arbitrary bytes as a profile file and asserts, beyond "no panic" (and the
//! fuzzer's `-timeout=1` for hangs), that:
//! - a refused profile says why: at least one finding, and every located finding points inside
//!   the text;
//! - an accepted profile is within every documented input limit ([`measure`] counts them again,
//!   on a separate parse, so a hole in [`crate::load::limits`] shows up);
//! - a profile that loads and resolves renders without a template defect (profile values are
//!   validated before they reach a template), and what renders can be emitted.

mod measure;

use camino::Utf8PathBuf;

use crate::diagnostics::Diagnostic;
use crate::kube_version::KubeVersion;
use crate::load::{self, Loaded, limits};
use crate::locate::ProfileFile;
use crate::pipeline::{self, Failure};
use crate::render::Renderer;
use crate::source::SourceFile;

pub use measure::{Measured, measure};

const FILE: &str = "fuzz.yaml";

/// Target `load`: bytes -> a raw profile, or findings.
pub fn load(data: &[u8]) -> Option<Loaded> {
    let loaded = load::load_bytes(data.to_vec(), Utf8PathBuf::from(FILE), FILE);
    match &loaded {
        Ok(loaded) => assert_within_limits(data, &loaded.source),
        Err((source, findings)) => assert_said_why(source.as_ref(), findings),
    }
    loaded.ok()
}

/// Target `resolve`: bytes that load -> the validated model, or findings.
pub fn resolve(data: &[u8]) {
    let Some(loaded) = load(data) else { return };
    if let Err(findings) = crate::resolve::resolve(&loaded.profile, &loaded.source, "fuzz") {
        assert_said_why(Some(&loaded.source), &findings);
    }
}

/// A renderer for every Kubernetes version gen targets, built once per fuzzing process.
pub struct Renderers(Vec<Renderer>);

impl Renderers {
    pub fn new() -> Self {
        Renderers(KubeVersion::all().map(Renderer::for_kube_version).collect())
    }

    /// The renderer for an input: its length picks the target version, so every version is
    /// fuzzed and an input always renders for the same one.
    fn for_input(&self, data: &[u8]) -> &Renderer {
        &self.0[data.len() % self.0.len()]
    }
}

impl Default for Renderers {
    fn default() -> Self {
        Self::new()
    }
}

/// Target `pipeline`: bytes -> load -> resolve -> render -> check -> rules and waivers -> emit,
/// the stages `gen render` runs, for one of the Kubernetes versions gen targets.
pub fn pipeline(data: &[u8], renderers: &Renderers) {
    let renderer = renderers.for_input(data);
    let profile = ProfileFile {
        name: "fuzz".into(),
        path: Utf8PathBuf::from(FILE),
        overrides: Vec::new(),
    };
    let loaded = load::load_bytes(data.to_vec(), profile.path.clone(), FILE);
    if let Ok(loaded) = &loaded {
        assert_within_limits(data, &loaded.source);
    }
    match pipeline::run_loaded(&profile, loaded, renderer) {
        Ok(output) => {
            crate::emit::write_stream(&output.documents, &mut std::io::sink()).expect("emitting to a sink");
            let files =
                crate::emit::with_index(&output.profile, crate::emit::files(&output.profile, &output.documents));
            assert!(!files.is_empty(), "a rendered profile wrote no files");
            assert_said_why_located(output.report.source.as_ref(), &output.report.findings);
        }
        Err(Failure::Profile(report)) => assert_said_why(report.source.as_ref(), &report.findings),
        Err(Failure::Template(defect)) => panic!("a template defect on user input: {defect}"),
    }
}

fn assert_within_limits(data: &[u8], source: &SourceFile) {
    assert!(
        data.len() as u64 <= limits::MAX_BYTES,
        "accepted a profile of {} bytes",
        data.len()
    );
    let found = measure(&source.text);
    assert!(
        found.within_limits(),
        "accepted a profile past the input limits: {found:?}"
    );
}

fn assert_said_why(source: Option<&SourceFile>, findings: &[Diagnostic]) {
    assert!(!findings.is_empty(), "a refused profile with no finding");
    assert_said_why_located(source, findings);
}

/// Every finding with a position points at a line of the text (or just past its last line,
/// where a missing key at the end of a file is reported) and a column within it.
fn assert_said_why_located(source: Option<&SourceFile>, findings: &[Diagnostic]) {
    let Some(source) = source else { return };
    let lines: Vec<&str> = source.text.split('\n').collect();
    for finding in findings {
        let Some(at) = finding.position else { continue };
        assert!(
            at.line >= 1 && at.line <= lines.len(),
            "[{}] {} is located at line {}, outside the {} lines",
            finding.code,
            finding.message,
            at.line,
            lines.len()
        );
        let width = lines[at.line - 1].chars().count();
        assert!(
            at.column >= 1 && at.column <= width + 1,
            "[{}] {} is located at {}:{}, past the line's {} characters",
            finding.code,
            finding.message,
            at.line,
            at.column,
            width
        );
    }
}
