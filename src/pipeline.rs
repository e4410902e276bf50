//! The stages in order: load -> resolve -> render -> check -> policy rules and waivers -> the
//! documents to emit.

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
    /// With a `quota:`, the namespace's need at full scale against each hard limit.
    pub capacity: Vec<String>,
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
            capacity: Vec::new(),
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
    /// The objects as gen writes them, in apply order.
    pub documents: Vec<crate::emit::Document>,
    pub report: Report,
}

/// Every stage including the policy rules: objects plus every finding about them.
pub fn run(profile: &ProfileFile, renderer: &Renderer) -> Result<Output, Failure> {
    run_loaded(profile, load(profile), renderer)
}

fn load(profile: &ProfileFile) -> Result<load::Loaded, load::Failed> {
    load::load_with(&profile.path, profile.path.as_str(), &profile.overrides)
}

/// [`run`] on a profile already loaded (or refused) by [`load::load_bytes`].
pub fn run_loaded(
    profile: &ProfileFile,
    loaded: Result<load::Loaded, load::Failed>,
    renderer: &Renderer,
) -> Result<Output, Failure> {
    let built = build_loaded(profile, loaded, renderer)?;
    let services: Vec<&str> = built.model.services.iter().map(|s| s.name.as_str()).collect();
    let (findings, documents) =
        rules_and_documents(&built.model, built.objects, &built.source, renderer.kube_version());
    let applied = waivers::apply(findings, &built.waivers, &services, &built.source);
    let mut report = Report::new(profile, applied.findings, applied.waived, Some(built.source));
    report.capacity = rules::capacity::summary(&built.model);
    // Nothing reads the model past this point; a large one is freed while the output is written.
    let count = built.model.services.len();
    release(built.model, count);
    if report.has_schema_error() {
        return Err(Failure::Profile(report));
    }
    let documents = documents.map_err(Failure::Template)?;
    Ok(Output {
        profile: profile.name.clone(),
        documents,
        report,
    })
}

/// Every finding of the policy rules and the Kubernetes version check, in that order, and each
/// object's document, in apply order.
///
/// The reachability cross-check is the longest rule, and once its cluster is built it reads only
/// the NetworkPolicies (borrowed; the rest it copied). So beside it, the other rules and the
/// version check run; then every object after the policies in apply order is encoded and freed,
/// and the namespaces and policies are encoded in place (both sides only read them). The
/// policies are freed once both sides are done.
fn rules_and_documents(
    model: &Model,
    mut objects: Vec<Object>,
    source: &SourceFile,
    kube_version: crate::kube_version::KubeVersion,
) -> (Vec<Diagnostic>, Result<Vec<crate::emit::Document>, TemplateDefect>) {
    let large = objects.len() >= rules::PARALLEL_FROM;
    let last_rank = crate::emit::kind_rank("NetworkPolicy");
    let rest = objects.split_off(objects.partition_point(|o| crate::emit::kind_rank(&o.kind) <= last_rank));
    let namespaces_and_policies = objects;
    debug_assert!(
        rest.iter().all(|o| o.kind != "NetworkPolicy"),
        "a policy would be copied"
    );
    let cluster = crate::reach::Cluster::from_split(&namespaces_and_policies, &rest);
    let (reach, (mut findings, version_findings, documents)) = crate::parallel::join(
        large,
        || rules::reachability(model, &cluster, source),
        || {
            let all: Vec<&Object> = namespaces_and_policies.iter().chain(&rest).collect();
            let findings = rules::other_rules(model, &all, source);
            let mut version_findings = rules::Findings::new(model.tier, source);
            crate::kube_version::check::check(&all, kube_version, &mut version_findings);
            drop(all);
            let rest_documents = crate::emit::encode(rest);
            let documents = crate::emit::encode_borrowed(&namespaces_and_policies).and_then(|mut documents| {
                documents.extend(rest_documents?);
                Ok(documents)
            });
            (findings, version_findings.into_vec(), documents)
        },
    );
    // The cluster borrows the policies, which are freed next.
    drop(cluster);
    release(namespaces_and_policies, model.services.len());
    findings.extend(reach);
    findings.extend(version_findings);
    (findings, documents)
}

/// Load, resolve, render and check: everything but the policy rules.
pub fn build(profile: &ProfileFile, renderer: &Renderer) -> Result<Built, Failure> {
    build_loaded(profile, load(profile), renderer)
}

/// [`build`] on a profile already loaded (or refused).
pub fn build_loaded(
    profile: &ProfileFile,
    loaded: Result<load::Loaded, load::Failed>,
    renderer: &Renderer,
) -> Result<Built, Failure> {
    let loaded =
        loaded.map_err(|(source, diagnostics)| Failure::Profile(Report::new(profile, diagnostics, vec![], source)))?;
    let load::Loaded {
        source,
        profile: mut raw,
    } = loaded;
    let model = match resolve::resolve_for(&raw, &source, &profile.name, renderer.kube_version()) {
        Ok(model) => model,
        Err(diagnostics) => {
            return Err(Failure::Profile(Report::new(
                profile,
                diagnostics,
                vec![],
                Some(source),
            )));
        }
    };
    // Past this point only the waivers, patches and resources of the raw profile are read.
    let waivers = std::mem::take(&mut raw.waivers);
    let customization = Customization {
        patches: std::mem::take(&mut raw.patches),
        resources: std::mem::take(&mut raw.resources),
    };
    let count = raw.services.len();
    release(raw, count);
    let mut objects = render_and_check(&model, renderer)?;
    let home = crate::patch::Home {
        namespace: &model.namespace,
        app: &model.app,
    };
    if let Err(diagnostics) = customization.apply(&mut objects, &home, &source) {
        return Err(Failure::Profile(Report::new(
            profile,
            diagnostics,
            vec![],
            Some(source),
        )));
    }
    crate::emit::sort_for_apply(&mut objects);
    Ok(Built {
        source,
        model,
        objects,
        waivers,
    })
}

/// The raw profile once resolved, or the model and the policies once the rules ran: a large one
/// is freed on a thread of its own. Freeing the raw profile node by node would hold up the
/// render (about 20 ms at 5,000 services), and its memory returns to the allocator while the
/// first objects are rendered; the model's (about 5 ms) would hold up the output.
fn release<T: Send + 'static>(value: T, services: usize) {
    if services >= RELEASE_IN_BACKGROUND_FROM {
        crate::parallel::free_in_background(value);
    }
}

/// At 200 services, freeing the policies and the model before the output is written was about
/// 2% of the render (and the raw profile holds up the render in the same way); a thread costs
/// less than that from a few dozen services up.
const RELEASE_IN_BACKGROUND_FROM: usize = 64;

/// The profile's escape hatch: its `patches:` and `resources:`.
struct Customization {
    patches: Vec<crate::profile::RawPatch>,
    resources: Vec<String>,
}

impl Customization {
    /// The patches applied to the rendered objects, then the resources added, every result
    /// checked again as its Kubernetes type.
    fn apply(
        &self,
        objects: &mut Vec<Object>,
        home: &crate::patch::Home,
        source: &SourceFile,
    ) -> Result<(), Vec<Diagnostic>> {
        crate::patch::apply(objects, &self.patches, source)?;
        if self.resources.is_empty() {
            return Ok(());
        }
        // A resource path is relative to the file that lists it (a base, or the profile).
        let dir = source
            .exact_location("resources")
            .map(|at| camino::Utf8Path::new(source.file_name(at.file)))
            .and_then(|file| file.parent())
            .unwrap_or(camino::Utf8Path::new(""))
            .to_owned();
        let extra = crate::patch::resources(&self.resources, &dir, home, objects, source)?;
        objects.extend(extra);
        Ok(())
    }
}

/// Renders and checks the documents, services spread over every core: for large profiles
/// these two stages are nearly all of gen's time.
fn render_and_check(model: &Model, renderer: &Renderer) -> Result<Vec<Object>, Failure> {
    let profile = Renderer::context(model);
    let render_error = |e: minijinja::Error| Failure::Template(TemplateDefect::from_render(&e));
    let check = |documents: Vec<Rendered>| {
        documents
            .into_iter()
            .map(check::check)
            .collect::<Result<Vec<_>, _>>()
            .map_err(Failure::Template)
    };
    let mut objects = check(renderer.render_namespace(&profile).map_err(render_error)?)?;
    let results = crate::parallel::map_chunks(&model.services, 16, |chunk| -> Result<Vec<Object>, Failure> {
        let mut out = Vec::with_capacity(chunk.len() * 6);
        for service in chunk {
            out.extend(check(
                renderer.render_service(&profile, service).map_err(render_error)?,
            )?);
        }
        Ok(out)
    });
    let chunks = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    // Sized once: grown chunk by chunk, the list (4.5 MB at 5,000 services) was copied into a
    // fresh buffer at every doubling, on this thread alone.
    objects.reserve_exact(chunks.iter().map(Vec::len).sum());
    for chunk in chunks {
        objects.extend(chunk);
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube_version::KubeVersion;

    /// Findings and documents as the rules and the encoder give them one after the other, every
    /// object held until the last rule ran; and how many findings the version check made.
    fn one_after_the_other(built: &Built, renderer: &Renderer) -> (String, usize) {
        let mut findings = rules::run(&built.model, &built.objects, &built.source);
        let objects: Vec<&Object> = built.objects.iter().collect();
        let mut version = rules::Findings::new(built.model.tier, &built.source);
        crate::kube_version::check::check(&objects, renderer.kube_version(), &mut version);
        let version = version.into_vec();
        let version_count = version.len();
        findings.extend(version);
        let documents: Vec<String> = built.objects.iter().map(|o| o.encode().unwrap()).collect();
        (format!("{findings:#?}\n{}", documents.concat()), version_count)
    }

    /// The same, the way the pipeline gives them.
    fn side_by_side(built: Built, renderer: &Renderer) -> String {
        let (findings, documents) =
            rules_and_documents(&built.model, built.objects, &built.source, renderer.kube_version());
        let documents: Vec<String> = documents.unwrap().into_iter().map(|d| d.yaml).collect();
        format!("{findings:#?}\n{}", documents.concat())
    }

    fn profile_at(path: camino::Utf8PathBuf) -> ProfileFile {
        ProfileFile {
            name: path.file_stem().unwrap_or_default().to_owned(),
            path,
            overrides: Vec::new(),
        }
    }

    fn yaml_files(dir: &camino::Utf8Path) -> Vec<camino::Utf8PathBuf> {
        let mut paths: Vec<_> = dir
            .read_dir_utf8()
            .unwrap()
            .map(|entry| entry.unwrap().into_path())
            .filter(|path| path.extension() == Some("yaml"))
            .collect();
        paths.sort();
        paths
    }

    /// Every shipped, fixture and bad profile that builds gives the same findings, in the same
    /// order, and the same documents when its objects are encoded beside the reachability check.
    #[test]
    fn encoding_beside_the_reachability_check_changes_nothing() {
        let root = camino::Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let (mut compared, mut version_findings) = (0, 0);
        // At the oldest version the templates use fields it lacks: findings of the version
        // check, which come after the rules', are compared too.
        for version in [KubeVersion::DEFAULT, KubeVersion::OLDEST] {
            let renderer = Renderer::for_kube_version(version);
            for path in ["profiles", "tests/fixtures", "tests/bad-profiles"]
                .iter()
                .flat_map(|dir| yaml_files(&root.join(dir)))
            {
                let Ok(built) = build(&profile_at(path.clone()), &renderer) else {
                    continue;
                };
                let (expected, version_count) = one_after_the_other(&built, &renderer);
                assert_eq!(side_by_side(built, &renderer), expected, "{path} at {version}");
                compared += 1;
                version_findings += version_count;
            }
        }
        assert!(compared >= 60, "only {compared} profiles built");
        assert!(version_findings > 0, "no profile had a finding of the version check");
    }

    /// The same for a profile large enough that the rules and the encoding run on threads of
    /// their own, with findings on every service.
    #[test]
    fn a_large_profile_is_encoded_beside_the_reachability_check_unchanged() {
        let mut text = String::from("tier: prod\nnamespace: payments-prod\napp: payments\nservices:\n");
        for i in 0..60 {
            text.push_str(&format!(
                "  svc-{i:02}:\n    image: registry.example.com/payments/svc-{i:02}:1.4.2@sha256:{}\n    \
                 resources: {{cpu: {{request: 250m, limit: 1000m}}, memory: {{request: 512Mi, limit: 1Gi}}}}\n    \
                 autoscaling: {{minReplicas: 1, maxReplicas: 10}}\n",
                "24d3c16a2e1572f3566ded562cc065eb8f59be0a83f801bb10c2c1d9f2204174"
            ));
        }
        text.push_str(
            "network:\n  ingressFrom: [{namespace: ingress-nginx, ports: [http]}]\n  \
             egress: [{name: postgresql, namespace: platform-infrastructure, port: 5432}]\n\
             serviceDefaults:\n  probes: {startup: {path: /healthz, failureThreshold: 30}, \
             liveness: {path: /livez}, readiness: {path: /readyz}}\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("large.yaml")).unwrap();
        std::fs::write(&path, text).unwrap();
        let renderer = Renderer::new();
        let built = build(&profile_at(path), &renderer).unwrap_or_else(|_| panic!("the generated profile builds"));
        assert!(
            built.objects.len() >= rules::PARALLEL_FROM,
            "{} objects run on one thread",
            built.objects.len()
        );
        let (expected, _) = one_after_the_other(&built, &renderer);
        assert!(expected.contains("hpa-min-below-two"), "the profile has findings");
        assert_eq!(side_by_side(built, &renderer), expected);
    }
}
