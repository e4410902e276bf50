//! Policy rules: what a valid profile must still satisfy before `gen` emits it.
//!
//! Rules run on the resolved model (what the user wrote) and on the typed rendered objects
//! (what the cluster will see), so a mistake in a template is caught as surely as one in a
//! profile. Every finding carries its code, a severity for the profile's tier, the profile line
//! it comes from and, for object findings, the object and field.

pub mod capacity;
pub mod catalog;
pub mod cross_object;
pub mod model;
pub mod network_intent;
pub mod objects;
pub mod pod_security;
pub mod rbac;
pub mod secrets;
pub mod waivers;

#[cfg(test)]
mod hardening_tests;
#[cfg(test)]
mod schema_tests;

use crate::check::Object;
use crate::diagnostics::Diagnostic;
use crate::model::Model;
use crate::profile::Tier;
use crate::source::SourceFile;

/// Collects findings, applying each rule's severity for the tier.
pub struct Findings<'a> {
    tier: Tier,
    source: &'a SourceFile,
    found: Vec<Diagnostic>,
}

impl<'a> Findings<'a> {
    pub fn new(tier: Tier, source: &'a SourceFile) -> Self {
        Findings {
            tier,
            source,
            found: Vec::new(),
        }
    }

    /// Whether the profile file holds `yaml_path` itself.
    pub fn has_path(&self, yaml_path: &str) -> bool {
        self.source.exact_position(yaml_path).is_some()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.found
    }

    /// An empty collection for the same profile, to fill on another thread.
    pub fn sibling(&self) -> Findings<'a> {
        Findings::new(self.tier, self.source)
    }

    /// Adds every finding of `other` after these.
    pub fn append(&mut self, other: Findings<'a>) {
        self.found.extend(other.found);
    }

    /// A finding about something the user wrote at `yaml_path`.
    pub fn on_profile(
        &mut self,
        code: &'static str,
        yaml_path: &str,
        service: Option<&str>,
        message: String,
        hint: String,
    ) {
        let Some(severity) = tier_severity(code, self.tier) else {
            return;
        };
        let mut diagnostic = Diagnostic::error(code, message)
            .at(self.source, yaml_path)
            .with_hint(hint);
        diagnostic.severity = severity;
        diagnostic.service = service.map(str::to_owned);
        self.found.push(diagnostic);
    }

    /// A finding about the profile as a whole; waivers target it as `Namespace/<name>`.
    pub fn on_namespace(
        &mut self,
        code: &'static str,
        yaml_path: &str,
        namespace: &str,
        message: String,
        hint: String,
    ) {
        self.on_profile(code, yaml_path, None, message, hint);
        if let Some(last) = self.found.last_mut().filter(|d| d.code == code) {
            last.object = Some(format!("Namespace/{namespace}"));
        }
    }

    /// A finding about a field of a rendered object; it points at the profile entry that
    /// produced the object.
    pub fn on_object(&mut self, code: &'static str, object: &Object, field: &str, message: String, hint: &str) {
        let Some(severity) = tier_severity(code, self.tier) else {
            return;
        };
        // A field a patch changed is the patch's doing; an object from `resources:` is the
        // team's own file.
        let by_patch = object
            .patched
            .iter()
            .rev()
            .find(|(_, fields)| fields.iter().any(|f| related(f, field)))
            .map(|(at, _)| at.clone());
        let yaml_path = match (&object.service, object.kind.as_str()) {
            _ if by_patch.is_some() => by_patch.unwrap_or_default(),
            _ if object.template == "resources" => "resources".to_owned(),
            (Some(service), kind) => match profile_key(kind, field) {
                Some(key) => format!("services.{service}.{key}"),
                None => format!("services.{service}"),
            },
            (None, "Ingress" | "HTTPRoute") => "ingress".to_owned(),
            (None, "TriggerAuthentication") => format!("triggerAuthentications.{}", object.name),
            (None, _) => "namespace".to_owned(),
        };
        let mut diagnostic = Diagnostic::error(code, message)
            .at(self.source, &yaml_path)
            .with_hint(hint);
        diagnostic.severity = severity;
        diagnostic.object = Some(object.identity());
        diagnostic.field = Some(field.to_owned()).filter(|f| !f.is_empty());
        diagnostic.service = object.service.clone();
        self.found.push(diagnostic);
    }
}

/// Whether one field path lies within the other (`a.b` and `a.b.c`, or `a.b[0]` and `a.b`).
fn related(changed: &str, finding: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner == outer
            || !outer.is_empty()
                && inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    within(changed, finding) || within(finding, changed)
}

/// The service setting that produced a field of a rendered object, so a finding points at the
/// line the user wrote (or, when the setting came from a default, at the service).
fn profile_key(kind: &str, field: &str) -> Option<&'static str> {
    let last = field.rsplit('.').next().unwrap_or(field);
    let workload = matches!(kind, "Deployment" | "CronJob" | "Job");
    match kind {
        "PodDisruptionBudget" => Some("disruptionBudget"),
        "HorizontalPodAutoscaler" if last == "minReplicas" => Some("autoscaling.minReplicas"),
        "HorizontalPodAutoscaler" if last == "maxReplicas" => Some("autoscaling.maxReplicas"),
        "HorizontalPodAutoscaler" => Some("autoscaling"),
        "ScaledObject" if last == "minReplicaCount" => Some("autoscaling.minReplicas"),
        "ScaledObject" if last == "maxReplicaCount" => Some("autoscaling.maxReplicas"),
        "ScaledObject" => Some("autoscaling.triggers"),
        "VerticalPodAutoscaler" if last == "updateMode" => Some("verticalScaling.mode"),
        "VerticalPodAutoscaler" => Some("verticalScaling"),
        "Role" | "RoleBinding" => Some("permissions"),
        "Service" if field.contains("loadBalancer") => Some("expose"),
        _ if workload && field.contains("readinessProbe") => Some("probes.readiness"),
        _ if workload && field.contains("livenessProbe") => Some("probes.liveness"),
        _ if workload && field.contains("startupProbe") => Some("probes.startup"),
        _ if workload && (field.ends_with("Probe") || field.contains("Probe.")) => Some("probes"),
        _ if workload && field.contains(".resources") => Some("resources"),
        _ if workload && field.contains(".preStop") => Some("shutdown.preStopSleepSeconds"),
        _ if workload && field.contains(".env[") => Some("secrets"),
        _ if workload && last == "runAsUser" => Some("runAsUser"),
        _ if workload && last == "image" => Some("image"),
        _ if workload && last == "replicas" => Some("replicas"),
        _ => None,
    }
}

fn tier_severity(code: &str, tier: Tier) -> Option<crate::diagnostics::Severity> {
    catalog::lookup(code).and_then(|rule| rule.severity.for_tier(tier))
}

/// From this many objects the reachability check runs on a thread of its own: a smaller
/// profile is done before a second thread would be scheduled.
pub const PARALLEL_FROM: usize = 256;

/// Runs every policy rule over the model and the rendered objects. The pipeline runs the same
/// two parts, [`other_rules`] and [`reachability`], itself (`pipeline::rules_and_documents`), to
/// encode objects beside them: a new group of rules goes into one of the two.
pub fn run(model: &Model, objects: &[Object], source: &SourceFile) -> Vec<Diagnostic> {
    let cluster = crate::reach::Cluster::from_objects(objects);
    let all: Vec<&Object> = objects.iter().collect();
    let (mut found, reach) = crate::parallel::join(
        objects.len() >= PARALLEL_FROM,
        || other_rules(model, &all, source),
        || reachability(model, &cluster, source),
    );
    found.extend(reach);
    // Duplicates (a mistake in `serviceDefaults` is found once per service) are dropped after
    // the waivers, which may accept it for one service and not another: see `waivers::apply`.
    found
}

/// The reachability cross-check: the profile's intents against a graph of every workload and
/// policy of `cluster`. The longest single rule, so it runs on a thread of its own while the
/// other rules share the rest.
pub fn reachability(model: &Model, cluster: &crate::reach::Cluster, source: &SourceFile) -> Vec<Diagnostic> {
    let mut findings = Findings::new(model.tier, source);
    network_intent::check(model, cluster, &mut findings);
    findings.into_vec()
}

/// Every rule but the reachability cross-check.
pub fn other_rules(model: &Model, objects: &[&Object], source: &SourceFile) -> Vec<Diagnostic> {
    let mut findings = Findings::new(model.tier, source);
    model::check(model, &mut findings);
    capacity::check(model, &mut findings);
    let mut found = findings.into_vec();
    // Rules on one object at a time are independent: spread them over the cores.
    for chunk in crate::parallel::map_chunks(objects, 256, |chunk| {
        let mut findings = Findings::new(model.tier, source);
        for object in chunk {
            objects::check(object, &mut findings);
            if let Some((pod, path)) = object.typed.pod_spec() {
                pod_security::check(object, pod, path, &mut findings);
                objects::check_pod(object, pod, path, &mut findings);
            }
        }
        findings.into_vec()
    }) {
        found.extend(chunk);
    }
    let mut findings = Findings::new(model.tier, source);
    cross_object::check(objects, &mut findings);
    found.extend(findings.into_vec());
    found
}

#[cfg(test)]
pub mod testing {
    //! Rendered objects of the shipped prod profile, to mutate in rule tests.

    use super::*;
    use k8s_openapi::api::core::v1::PodSpec;

    use crate::check::Typed;
    use crate::locate::ProfileFile;
    use crate::pipeline;
    use crate::render::Renderer;

    pub struct Fixture {
        pub model: Model,
        pub objects: Vec<Object>,
        pub source: SourceFile,
        pub waivers: Vec<crate::profile::RawWaiver>,
    }

    pub fn prod() -> Fixture {
        fixture("prod")
    }

    pub fn fixture(name: &str) -> Fixture {
        let path = camino::Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("profiles/{name}.yaml"));
        let profile = ProfileFile {
            name: name.to_owned(),
            path,
            overrides: Vec::new(),
        };
        let Ok(built) = pipeline::build(&profile, &Renderer::new()) else {
            panic!("the {name} profile builds")
        };
        Fixture {
            model: built.model,
            objects: built.objects,
            source: built.source,
            waivers: built.waivers,
        }
    }

    impl Fixture {
        /// Codes of every finding, before waivers.
        pub fn codes(&self) -> Vec<&'static str> {
            run(&self.model, &self.objects, &self.source)
                .iter()
                .map(|d| d.code)
                .collect()
        }

        /// Codes of the findings the profile's waivers leave standing.
        pub fn unwaived_codes(&self) -> Vec<&'static str> {
            let services: Vec<&str> = self.model.services.iter().map(|s| s.name.as_str()).collect();
            let findings = run(&self.model, &self.objects, &self.source);
            waivers::apply(findings, &self.waivers, &services, &self.source)
                .findings
                .iter()
                .map(|d| d.code)
                .collect()
        }

        /// Adds an object, checked as a template's output would be.
        pub fn add(&mut self, object: serde_json::Value) {
            let text = serde_yaml::to_string(&object).unwrap();
            let rendered = crate::render::Rendered {
                template: "test.yaml",
                service: None,
                text,
            };
            self.objects.push(crate::check::check(rendered).unwrap());
        }

        /// The first object of `kind` (and `name`, if given).
        pub fn object(&mut self, kind: &str, name: Option<&str>) -> &mut Object {
            self.objects
                .iter_mut()
                .find(|o| o.kind == kind && name.is_none_or(|n| o.name == n))
                .unwrap_or_else(|| panic!("no {kind} {name:?} in the fixture"))
        }

        pub fn deployment(&mut self, name: &str) -> &mut k8s_openapi::api::apps::v1::Deployment {
            match &mut self.object("Deployment", Some(name)).typed {
                Typed::Deployment(d) => d,
                _ => unreachable!(),
            }
        }

        pub fn pod(&mut self, name: &str) -> &mut PodSpec {
            let deployment = self.object("Deployment", Some(name));
            deployment.typed.pod_spec_mut().unwrap()
        }

        pub fn container(&mut self, name: &str) -> &mut k8s_openapi::api::core::v1::Container {
            &mut self.pod(name).containers[0]
        }
    }

    /// An HTTPRoute in the prod fixture's namespace to `service` on `port`, attached to the
    /// `public` Gateway's listener `section` (or to the whole Gateway).
    pub fn http_route(name: &str, section: Option<&str>, service: &str, port: i32) -> serde_json::Value {
        let mut parent = serde_json::json!({"name": "public", "namespace": "gateway-system"});
        if let Some(section) = section {
            parent["sectionName"] = section.into();
        }
        serde_json::json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {
                "name": name,
                "namespace": "platform-v2-stable",
                "labels": {"app.kubernetes.io/part-of": "coderev", "app.kubernetes.io/managed-by": "gen"},
            },
            "spec": {
                "parentRefs": [parent],
                "hostnames": ["api.coderev.example.com"],
                "rules": [{
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [{"name": service, "port": port}],
                }],
            },
        })
    }

    /// Declares, for one rule, a test that a mutation makes it fire and a test that the
    /// shipped profiles keep it quiet.
    #[macro_export]
    macro_rules! rule_tests {
        ($name:ident, $code:literal, $fixture:ident => $mutate:block) => {
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[test]
                fn fires() {
                    #[allow(unused_mut)]
                    let mut $fixture = $crate::rules::testing::prod();
                    $mutate
                    let codes = $fixture.codes();
                    assert!(codes.contains(&$code), "{} did not fire; got {codes:?}", $code);
                }

                #[test]
                fn quiet_on_the_shipped_profiles() {
                    for profile in ["dev", "prod", "quarantine"] {
                        let codes = $crate::rules::testing::fixture(profile).unwaived_codes();
                        assert!(!codes.contains(&$code), "{} fired on {profile}", $code);
                    }
                }
            }
        };
    }
}
