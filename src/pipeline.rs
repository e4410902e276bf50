//! The stages in order: load -> resolve -> render -> check -> policy rules and waivers.

use std::thread;

use crate::check::{self, Object, TemplateDefect};
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::load;
use crate::locate::ProfileFile;
use crate::model::Model;
use crate::profile::RawWaiver;
use crate::render::{Rendered, Renderer};
use crate::resolve;
use crate::rules::{self, catalog, waivers};
use crate::source::SourceFile;

/// Why a profile produced no objects at all.
pub enum Failure {
    /// The profile is not a valid profile (schema findings): nothing can be rendered.
    Profile(Report),
    /// A template produced something invalid: a defect in gen, named by template.
    Template(TemplateDefect),
}

/// All findings about one profile.
pub struct Report {
    pub profile: String,
    /// The profile's path as the user should see it.
    pub file: String,
    /// Live findings, sorted: errors first, then by position.
    pub findings: Vec<Diagnostic>,
    pub waived: Vec<waivers::Waived>,
    /// The profile text, to quote lines from (absent if it could not be read).
    pub source: Option<SourceFile>,
}

impl Report {
    fn new(
        profile: &ProfileFile,
        mut findings: Vec<Diagnostic>,
        waived: Vec<waivers::Waived>,
        source: Option<SourceFile>,
    ) -> Self {
        diagnostics::sort(&mut findings);
        Report {
            profile: profile.name.clone(),
            file: profile.path.to_string(),
            findings,
            waived,
            source,
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|d| d.severity == severity).count()
    }

    /// Whether a finding makes the profile invalid (exit 2) rather than non-compliant (exit 1).
    pub fn has_schema_error(&self) -> bool {
        self.findings.iter().any(|d| {
            d.severity == Severity::Error && catalog::lookup(d.code).is_none_or(|r| r.kind == catalog::RuleKind::Schema)
        })
    }
}

/// A valid profile, rendered and checked, before the policy rules.
pub struct Built {
    pub source: SourceFile,
    pub model: Model,
    pub objects: Vec<Object>,
    pub waivers: Vec<RawWaiver>,
}

pub struct Output {
    pub profile: String,
    pub objects: Vec<Object>,
    pub report: Report,
}

/// Every stage including the policy rules: objects plus every finding about them.
pub fn run(profile: &ProfileFile, renderer: &Renderer) -> Result<Output, Failure> {
    let built = build(profile, renderer)?;
    let services: Vec<&str> = built.model.services.iter().map(|s| s.name.as_str()).collect();
    let findings = rules::run(&built.model, &built.objects, &built.source);
    let applied = waivers::apply(findings, &built.waivers, &services, &built.source);
    let report = Report::new(profile, applied.findings, applied.waived, Some(built.source));
    if report.has_schema_error() {
        return Err(Failure::Profile(report));
    }
    Ok(Output {
        profile: profile.name.clone(),
        objects: built.objects,
        report,
    })
}

/// Load, resolve, render and check: everything but the policy rules.
pub fn build(profile: &ProfileFile, renderer: &Renderer) -> Result<Built, Failure> {
    let loaded = load::load(&profile.path, profile.path.as_str())
        .map_err(|(source, diagnostics)| Failure::Profile(Report::new(profile, diagnostics, vec![], source)))?;
    let waivers = loaded
        .profile
        .waivers
        .iter()
        .map(|w| RawWaiver {
            rule: w.rule.clone(),
            target: w.target.clone(),
            reason: w.reason.clone(),
        })
        .collect();
    let model = match resolve::resolve(&loaded.profile, &loaded.source, &profile.name) {
        Ok(model) => model,
        Err(diagnostics) => {
            return Err(Failure::Profile(Report::new(
                profile,
                diagnostics,
                vec![],
                Some(loaded.source),
            )));
        }
    };
    let rendered = renderer
        .render(&model)
        .map_err(|e| Failure::Template(TemplateDefect::from_render(&e)))?;
    let mut objects = check_all(rendered).map_err(Failure::Template)?;
    crate::emit::sort_for_apply(&mut objects);
    Ok(Built {
        source: loaded.source,
        model,
        objects,
        waivers,
    })
}

/// Checks documents on every core: decoding dominates the time of a large render.
fn check_all(rendered: Vec<Rendered>) -> Result<Vec<Object>, TemplateDefect> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get());
    if workers == 1 || rendered.len() < 64 {
        return rendered.into_iter().map(check::check).collect();
    }
    let chunk_size = rendered.len().div_ceil(workers);
    let mut chunks: Vec<Vec<Rendered>> = Vec::with_capacity(workers);
    let mut rest = rendered.into_iter();
    loop {
        let chunk: Vec<Rendered> = rest.by_ref().take(chunk_size).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(check::check).collect::<Result<Vec<_>, _>>()))
            .collect();
        let mut objects = Vec::new();
        for handle in handles {
            objects.extend(handle.join().expect("a check worker panicked")?);
        }
        Ok(objects)
    })
}
