//! Stage 4: prove every rendered document is a real Kubernetes object.
//!
//! Each document is decoded into its `k8s-openapi` type. Those types silently drop fields they do
//! not know, so the decode refuses any key the type would skip (`decode`): an unknown field or
//! a misplaced one is a defect, as is a value of the wrong type. What gen emits is the object
//! encoded from its type ([`crate::emit::encode`]), once the policy rules have read it.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, LimitRange, Namespace, PodSpec, PodTemplateSpec, ResourceQuota, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::render::Rendered;

mod block;
pub mod external_secret;
pub mod http_route;
pub mod keda;
pub mod monitoring;
pub mod vertical_pod_autoscaler;

pub use external_secret::ExternalSecret;
pub use http_route::HttpRoute;
pub use keda::{ScaledObject, TriggerAuthentication};
pub use monitoring::{PodMonitor, PrometheusRule, ServiceMonitor};
pub use vertical_pod_autoscaler::VerticalPodAutoscaler;

/// A checked object, ready for the policy rules and to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The same object as its Kubernetes type, for the rules to read without decoding again,
    /// and what gen emits ([`crate::emit::encode`]).
    pub typed: Typed,
    pub template: &'static str,
    /// The service the object belongs to; `None` for namespace-wide objects.
    pub service: Option<String>,
    /// The profile's `patches:` entries that changed the object (`patches[0]`), each with the
    /// fields it changed, so a finding on such a field points at the patch.
    pub patched: Vec<(String, Vec<String>)>,
}

/// Declares [`Typed`], every kind `gen` emits, and the methods that treat all kinds alike, from
/// one list: a new kind is its type and one entry here (plus, in [`Typed::pod_template`], whether
/// it runs pods). Core kinds take apiVersion and kind from k8s-openapi; custom kinds from
/// [`CustomResource`].
macro_rules! kinds {
    (core: [$($core:ident),* $(,)?], custom: [$($custom:ident),* $(,)?] $(,)?) => {
        /// Every kind `gen` emits, decoded.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Typed {
            $($core(Box<$core>),)*
            $($custom(Box<$custom>),)*
        }

        impl Typed {
            /// The object's metadata, whatever its kind.
            pub fn metadata(&self) -> &ObjectMeta {
                match self {
                    $(Typed::$core(o) => &o.metadata,)*
                    $(Typed::$custom(o) => &o.metadata,)*
                }
            }

            /// The same, to change in tests.
            #[cfg(test)]
            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self {
                    $(Typed::$core(o) => &mut o.metadata,)*
                    $(Typed::$custom(o) => &mut o.metadata,)*
                }
            }

            /// The object's `apiVersion`.
            pub fn api_version(&self) -> &str {
                match self {
                    $(Typed::$core(_) => <$core as k8s_openapi::Resource>::API_VERSION,)*
                    $(Typed::$custom(o) => &o.api_version,)*
                }
            }

            /// The object encoded as JSON, exactly as gen emits it.
            pub fn to_json(&self) -> Value {
                let encoded = match self {
                    $(Typed::$core(o) => serde_json::to_value(o),)*
                    $(Typed::$custom(o) => serde_json::to_value(o),)*
                };
                // A decoded Kubernetes type always encodes: its maps have string keys, and
                // serde_json writes a non-finite float as null.
                encoded.expect("a decoded object encodes as JSON")
            }

            /// The document gen emits for the object: as its Kubernetes type encodes it (field
            /// order is the type's, maps sorted), written without an intermediate
            /// `serde_json::Value`.
            fn write_yaml(&self, out: &mut String) -> Result<(), crate::yaml::Error> {
                use crate::yaml::write_serialized as write;
                match self {
                    $(Typed::$core(o) => write(o, out),)*
                    $(Typed::$custom(o) => write(o, out),)*
                }
            }
        }

        /// Decodes a document into the type its apiVersion and kind name.
        fn decode_by_kind(api_version: &str, kind: &str, text: &str) -> Result<Typed, String> {
            use k8s_openapi::Resource as _;
            $(if api_version == $core::API_VERSION && kind == $core::KIND {
                return decode(text, Typed::$core);
            })*
            $(if api_version == $custom::API_VERSION && kind == $custom::KIND {
                return decode(text, Typed::$custom);
            })*
            Err(format!(
                "`gen` has no Kubernetes type for apiVersion `{api_version}` kind `{kind}`"
            ))
        }
    };
}

/// A custom resource kind: k8s-openapi's `Resource` says this for core kinds.
pub trait CustomResource {
    const API_VERSION: &'static str;
    const KIND: &'static str;
}

kinds! {
    core: [
        Namespace, ServiceAccount, ConfigMap, ResourceQuota, LimitRange, Role, RoleBinding, Service,
        Deployment, CronJob, Job, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy, Ingress,
    ],
    custom: [
        ExternalSecret, ScaledObject, TriggerAuthentication, VerticalPodAutoscaler, ServiceMonitor, PodMonitor,
        PrometheusRule, HttpRoute,
    ],
}

impl Typed {
    /// The pod template of a workload, with the field path of its pod spec; `None` for kinds
    /// without pods. The match lists every kind, so a new kind must say whether it runs pods,
    /// and the policy rules and the reachability graph then cover its pods without further
    /// registration.
    pub fn pod_template(&self) -> Option<(&PodTemplateSpec, &'static str)> {
        match self {
            Typed::Deployment(o) => Some((&o.spec.as_ref()?.template, "spec.template.spec")),
            Typed::Job(o) => Some((&o.spec.as_ref()?.template, "spec.template.spec")),
            Typed::CronJob(o) => Some((
                &o.spec.as_ref()?.job_template.spec.as_ref()?.template,
                "spec.jobTemplate.spec.template.spec",
            )),
            Typed::Namespace(_)
            | Typed::ServiceAccount(_)
            | Typed::ConfigMap(_)
            | Typed::ResourceQuota(_)
            | Typed::LimitRange(_)
            | Typed::ExternalSecret(_)
            | Typed::Role(_)
            | Typed::RoleBinding(_)
            | Typed::Service(_)
            | Typed::HorizontalPodAutoscaler(_)
            | Typed::PodDisruptionBudget(_)
            | Typed::NetworkPolicy(_)
            | Typed::Ingress(_)
            | Typed::ScaledObject(_)
            | Typed::TriggerAuthentication(_)
            | Typed::VerticalPodAutoscaler(_)
            | Typed::ServiceMonitor(_)
            | Typed::PodMonitor(_)
            | Typed::PrometheusRule(_)
            | Typed::HttpRoute(_) => None,
        }
    }

    /// The pod spec of a workload, with its field path.
    pub fn pod_spec(&self) -> Option<(&PodSpec, &'static str)> {
        let (template, path) = self.pod_template()?;
        Some((template.spec.as_ref()?, path))
    }

    /// The pod template, to change in tests.
    #[cfg(test)]
    pub fn pod_spec_mut(&mut self) -> Option<&mut PodSpec> {
        match self {
            Typed::Deployment(o) => o.spec.as_mut()?.template.spec.as_mut(),
            Typed::Job(o) => o.spec.as_mut()?.template.spec.as_mut(),
            Typed::CronJob(o) => o.spec.as_mut()?.job_template.spec.as_mut()?.template.spec.as_mut(),
            _ => None,
        }
    }
}

impl Object {
    /// [`Object::encode_into`] a string of its own, for tests.
    #[cfg(test)]
    pub fn encode(&self) -> Result<String, TemplateDefect> {
        let mut yaml = String::new();
        self.encode_into(&mut yaml)?;
        Ok(yaml)
    }

    /// The YAML document gen emits for the object, appended to `out`: as its Kubernetes type
    /// encodes it (field order is the type's, maps sorted).
    pub fn encode_into(&self, out: &mut String) -> Result<(), TemplateDefect> {
        self.typed.write_yaml(out).map_err(|e| TemplateDefect {
            code: "template-defect",
            template: self.template,
            what: format!("{}/{}", self.typed.api_version(), self.kind),
            problem: e.to_string(),
        })
    }

    /// `Kind/namespace/name`, how findings name a rendered object.
    pub fn identity(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{}/{namespace}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

/// A template produced something that is not a valid Kubernetes object. This is a defect in
/// `gen` (or in a template), never in the user's profile: profile values are validated earlier.
#[derive(Debug, thiserror::Error)]
#[error("template `{template}` rendered an invalid {what}: {problem}")]
pub struct TemplateDefect {
    /// `template-defect`, or `removed-api` for an API version the target Kubernetes lacks.
    pub code: &'static str,
    pub template: &'static str,
    pub what: String,
    pub problem: String,
}

impl TemplateDefect {
    /// A template that failed to render at all (minijinja names the template and line).
    pub fn from_render(error: &minijinja::Error) -> Self {
        TemplateDefect {
            code: "template-defect",
            template: "",
            what: "template".into(),
            problem: format!("{error:#}"),
        }
    }
}

pub fn check(rendered: Rendered) -> Result<Object, TemplateDefect> {
    let defect = |what: &str, problem: String| TemplateDefect {
        code: "template-defect",
        template: rendered.template,
        what: what.to_owned(),
        problem,
    };
    let TypeMeta { api_version, kind } = type_meta(&rendered.text).map_err(|e| defect("YAML document", e))?;
    let what = format!("{api_version}/{kind}");
    if let Some(problem) = crate::rules::objects::removed_api(&api_version, &kind) {
        return Err(TemplateDefect {
            code: "removed-api",
            ..defect(&what, problem)
        });
    }
    let typed = decode_by_kind(&api_version, &kind, &rendered.text).map_err(|problem| defect(&what, problem))?;
    let metadata = typed.metadata();
    let name = metadata
        .name
        .clone()
        .ok_or_else(|| defect(&what, "metadata.name is missing".into()))?;
    // The API server would refuse any other name; so does the output directory's layout.
    if let Err(problem) = crate::resolve::dns_subdomain(&name) {
        return Err(defect(&what, format!("metadata.name `{name}` {problem}")));
    }
    Ok(Object {
        kind,
        namespace: metadata.namespace.clone(),
        name,
        typed,
        template: rendered.template,
        service: rendered.service,
        patched: Vec::new(),
    })
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypeMeta {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
}

/// apiVersion and kind, which pick the type to decode into. Templates put them on the first
/// top-level lines; reading those avoids parsing the whole document twice.
fn type_meta(text: &str) -> Result<TypeMeta, String> {
    let top_level = |key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(key).and_then(|rest| rest.strip_prefix(": ")))
            .filter(|value| {
                value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-'))
            })
    };
    match (top_level("apiVersion"), top_level("kind")) {
        (Some(api_version), Some(kind)) => Ok(TypeMeta {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
        }),
        _ => serde_yaml::from_str(text).map_err(|e| e.to_string()),
    }
}

/// serde_ignored's path (`spec.?.ports.?.0.nodPort`) as Kubernetes users write it
/// (`spec.ports[0].nodPort`).
fn field_path(path: &serde_ignored::Path) -> String {
    let mut out = String::new();
    for segment in path.to_string().split('.').filter(|s| *s != "?") {
        if segment.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

/// Decodes the document into its Kubernetes type. k8s-openapi skips fields it does not know, so
/// serde_ignored reports every skipped key: any one of them is a template mistake. Wrong types
/// fail the decode itself.
///
/// Parsing YAML is most of the cost, so the document is first read by [`block::parse`], which
/// understands exactly the YAML the templates write and reads it as serde_yaml would, and the
/// type is decoded straight from that tree, which fails the decode where a type would skip a
/// key. Anything that does not
/// go through cleanly that way (a document the fast reader refuses, an unknown field, a wrong
/// type) is decoded again from the text by serde_yaml, which decides and words the error: the
/// fast path can only accept what serde_yaml accepts, never excuse anything.
fn decode<T: DeserializeOwned>(text: &str, wrap: fn(Box<T>) -> Typed) -> Result<Typed, String> {
    if let Some(typed) = block::parse(text).and_then(|node| decode_node::<T>(&node)) {
        return Ok(wrap(Box::new(typed)));
    }
    let mut unknown = Vec::new();
    let typed: T = serde_ignored::deserialize(serde_yaml::Deserializer::from_str(text), |path| {
        unknown.push(field_path(&path))
    })
    .map_err(|e| e.to_string())?;
    if let Some(path) = unknown.first() {
        return Err(format!(
            "field `{path}` is unknown to Kubernetes {}",
            crate::resolve::KUBERNETES_VERSION
        ));
    }
    Ok(wrap(Box::new(typed)))
}

/// The type decoded from a document the fast reader read, if it decodes with no key skipped
/// (the node refuses to be skipped, so no serde_ignored watch is needed on this path).
fn decode_node<T: DeserializeOwned>(node: &block::Node) -> Option<T> {
    T::deserialize(node).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str) -> Rendered {
        Rendered {
            template: "test.yaml",
            service: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn custom_resources_are_as_strict_as_core_kinds() {
        let valid = "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: s\n  namespace: n\nspec:\n  secretStoreRef:\n    name: store\n    kind: SecretStore\n  target:\n    name: s\n  data:\n  - secretKey: URL\n    remoteRef:\n      key: app/url\n";
        let object = check(rendered(valid)).unwrap();
        assert!(matches!(object.typed, Typed::ExternalSecret(_)));
        for (from, to, problem) in [
            ("  target:\n", "  refreshIntervall: 1h\n  target:\n", "refreshIntervall"),
            (
                "      key: app/url\n",
                "      key: app/url\n      propery: password\n",
                "propery",
            ),
            ("kind: SecretStore", "kind: Vault", "Vault"),
            ("  data:\n", "  dataFrom: []\n  data:\n", "dataFrom"),
        ] {
            let error = check(rendered(&valid.replace(from, to))).unwrap_err();
            assert!(error.problem.contains(problem), "{problem}: {}", error.problem);
        }
    }

    #[test]
    fn accepts_a_valid_object() {
        let object = check(rendered(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: b\n",
        ))
        .unwrap();
        assert_eq!((object.kind.as_str(), object.name.as_str()), ("ServiceAccount", "a"));
        assert_eq!(object.namespace.as_deref(), Some("b"));
    }

    #[test]
    fn prometheus_operator_kinds_are_as_strict_as_core_kinds() {
        let monitor = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: api\n  namespace: n\nspec:\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: api\n  endpoints:\n  - port: metrics\n    interval: 30s\n";
        assert!(matches!(
            check(rendered(monitor)).unwrap().typed,
            Typed::ServiceMonitor(_)
        ));
        let pods = monitor
            .replace("kind: ServiceMonitor", "kind: PodMonitor")
            .replace("  endpoints:\n", "  podMetricsEndpoints:\n");
        assert!(matches!(check(rendered(&pods)).unwrap().typed, Typed::PodMonitor(_)));
        let rule = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: api\n  namespace: n\nspec:\n  groups:\n  - name: api-slo\n    rules:\n    - alert: Down\n      expr: up == 0\n      for: 5m\n      labels:\n        severity: critical\n";
        assert!(matches!(check(rendered(rule)).unwrap().typed, Typed::PrometheusRule(_)));
        for (text, from, to, problem) in [
            (monitor, "    interval: 30s\n", "    intervall: 30s\n", "intervall"),
            (monitor, "    interval: 30s\n", "    scheme: HTTP\n", "HTTP"),
            (
                monitor,
                "  selector:\n",
                "  podMetricsEndpoints: []\n  selector:\n",
                "podMetricsEndpoints",
            ),
            (pods.as_str(), "  podMetricsEndpoints:\n", "  endpoints:\n", "endpoints"),
            (rule, "      for: 5m\n", "      forr: 5m\n", "forr"),
            (
                rule,
                "  - name: api-slo\n",
                "  - name: api-slo\n    partialResponse: warn\n",
                "partialResponse",
            ),
            (
                rule,
                "        severity: critical\n",
                "        severity: [critical]\n",
                "invalid type",
            ),
        ] {
            let error = check(rendered(&text.replace(from, to))).unwrap_err();
            assert!(error.problem.contains(problem), "{problem}: {}", error.problem);
        }
    }

    #[test]
    fn http_routes_are_as_strict_as_core_kinds() {
        let valid = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: n\nspec:\n  parentRefs:\n  - name: public\n    namespace: gateway-system\n    sectionName: https\n  hostnames:\n  - a.example.com\n  rules:\n  - matches:\n    - path:\n        type: PathPrefix\n        value: /\n    backendRefs:\n    - name: web\n      port: 8080\n    filters:\n    - type: ResponseHeaderModifier\n      responseHeaderModifier:\n        set:\n        - name: X-Frame-Options\n          value: DENY\n    timeouts:\n      request: 30s\n";
        let object = check(rendered(valid)).unwrap();
        assert!(matches!(object.typed, Typed::HttpRoute(_)));
        assert_eq!(object.typed.api_version(), "gateway.networking.k8s.io/v1");
        for (from, to, problem) in [
            ("    sectionName: https\n", "    sectionNam: https\n", "sectionNam"),
            ("type: PathPrefix", "type: Prefix", "Prefix"),
            ("type: ResponseHeaderModifier", "type: CORS", "CORS"),
            ("      request: 30s\n", "      request: 30s\n      idle: 5s\n", "idle"),
            // Experimental channel only: not in the standard CRD gen pins.
            (
                "    timeouts:\n",
                "    retry:\n      attempts: 2\n    timeouts:\n",
                "retry",
            ),
            (
                "  hostnames:\n",
                "  hostname: a.example.com\n  hostnames:\n",
                "hostname",
            ),
            ("      port: 8080\n", "      port: \"8080\"\n", "invalid type"),
        ] {
            let text = valid.replace(from, to);
            assert_ne!(text, valid, "{from:?} is not in the route");
            let error = check(rendered(&text)).unwrap_err();
            assert!(error.problem.contains(problem), "{problem}: {}", error.problem);
        }
    }

    /// Each autoscaling custom kind decodes into its own type and refuses what its CRD refuses:
    /// an unknown field, a value outside an enum.
    #[test]
    fn autoscaling_custom_resources_are_strict() {
        let meta = "metadata:\n  name: api\n  namespace: n\n";
        // (apiVersion and kind, a valid spec, edits that each break it with the word to expect).
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str, &'a str)]);
        let cases: [Case; 3] = [
            (
                "keda.sh/v1alpha1\nkind: ScaledObject",
                "spec:\n  scaleTargetRef:\n    name: api\n  minReplicaCount: 3\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: \"70\"\n",
                &[
                    ("  minReplicaCount: 3\n", "  minReplicas: 3\n", "minReplicas"),
                    ("metricType: Utilization", "metricType: Percent", "Percent"),
                    ("  triggers:\n", "  triggerz: []\n  triggers:\n", "triggerz"),
                ],
            ),
            (
                "keda.sh/v1alpha1\nkind: TriggerAuthentication",
                "spec:\n  secretTargetRef:\n  - parameter: password\n    name: kafka\n    key: password\n",
                &[
                    ("    key: password\n", "    value: hunter2\n", "value"),
                    ("  secretTargetRef:\n", "  env: []\n  secretTargetRef:\n", "env"),
                ],
            ),
            (
                "autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler",
                "spec:\n  targetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: api\n  updatePolicy:\n    updateMode: \"Off\"\n  resourcePolicy:\n    containerPolicies:\n    - containerName: api\n      controlledResources: [cpu]\n",
                &[
                    ("updateMode: \"Off\"", "updateMode: Sometimes", "Sometimes"),
                    ("controlledResources: [cpu]", "controlledResources: [gpu]", "gpu"),
                    (
                        "    - containerName: api\n",
                        "    - containerName: api\n      maxAlowed: {}\n",
                        "maxAlowed",
                    ),
                ],
            ),
        ];
        for (type_meta, spec, broken) in cases {
            let valid = format!("apiVersion: {type_meta}\n{meta}{spec}");
            let object = check(rendered(&valid)).unwrap_or_else(|e| panic!("{type_meta}: {}", e.problem));
            assert_eq!(object.typed.api_version(), type_meta.split('\n').next().unwrap());
            let yaml = object.encode().unwrap();
            assert!(yaml.contains("name: api"), "{yaml}");
            for (from, to, problem) in broken {
                assert!(valid.contains(from), "{type_meta}: the case must change something");
                let error = check(rendered(&valid.replace(from, to))).unwrap_err();
                assert!(
                    error.problem.contains(problem),
                    "{type_meta} {problem}: {}",
                    error.problem
                );
            }
        }
    }

    #[test]
    fn names_the_unknown_field_and_template() {
        let error = check(rendered(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  nmespace: b\n",
        ))
        .unwrap_err();
        assert_eq!(error.template, "test.yaml");
        assert!(error.problem.contains("metadata.nmespace"), "{}", error.problem);
    }

    #[test]
    fn rejects_wrong_types_and_unknown_kinds() {
        let error = check(rendered(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\nautomountServiceAccountToken: \"no\"\n",
        ))
        .unwrap_err();
        assert!(error.problem.contains("invalid type"), "{}", error.problem);
        let nested = check(rendered(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n    nodPort: 1\n",
        ))
        .unwrap_err();
        assert!(nested.problem.contains("`spec.ports[0].nodPort`"), "{}", nested.problem);
        assert!(check(rendered("apiVersion: v9\nkind: Widget\nmetadata:\n  name: a\n")).is_err());
    }

    #[test]
    fn the_fast_reader_accepts_these_mistakes_and_the_check_still_fails() {
        // Each document is plain template-shaped YAML, so the fast reader takes it; the typed
        // decode must still refuse it, with serde_yaml's wording.
        for (text, problem) in [
            (
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  nmespace: b\n",
                "metadata.nmespace",
            ),
            (
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\nautomountServiceAccountToken: \"no\"\n",
                "invalid type",
            ),
            (
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n    nodPort: 1\n",
                "`spec.ports[0].nodPort`",
            ),
            // Misplaced: a container field one level too high.
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector: {}\n  template:\n    spec:\n      containers:\n      - name: a\n      image: x\n",
                "spec.template.spec.image",
            ),
            (
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: \"80\"\n",
                "invalid type",
            ),
        ] {
            assert!(block::parse(text).is_some(), "the fast reader refused {text:?}");
            let error = check(rendered(text)).unwrap_err();
            assert_eq!(error.template, "test.yaml");
            assert!(error.problem.contains(problem), "{problem}: {}", error.problem);
        }
    }

    /// Whether the type decoded on the fast path equals the one serde_yaml decodes.
    fn same<T: DeserializeOwned + PartialEq>(fast: &block::Node, text: &str) -> bool {
        decode_node::<T>(fast).is_some_and(|typed| serde_yaml::from_str::<T>(text).is_ok_and(|slow| slow == typed))
    }

    #[test]
    fn every_shipped_document_takes_the_fast_path_and_reads_as_serde_yaml_reads_it() {
        let renderer = crate::render::Renderer::new();
        // The shipped profiles, and the gateway fixture for the HTTPRoute.
        for name in ["dev", "prod", "quarantine", "gateway-routes"] {
            let file = match name {
                "gateway-routes" => format!("tests/fixtures/{name}.yaml"),
                _ => format!("profiles/{name}.yaml"),
            };
            let path = camino::Utf8PathBuf::from(format!("{}/{file}", env!("CARGO_MANIFEST_DIR")));
            let loaded = crate::load::load(&path, path.as_str()).unwrap_or_else(|_| panic!("{name} loads"));
            let model = crate::resolve::resolve(&loaded.profile, &loaded.source, name)
                .unwrap_or_else(|_| panic!("{name} resolves"));
            for document in renderer.render(&model).unwrap() {
                let text = &document.text;
                let fast = block::parse(text).unwrap_or_else(|| panic!("the fast reader refused {text}"));
                let slow: Value = serde_yaml::from_str(text).unwrap();
                assert_eq!(fast.to_value(), slow, "{text}");
                let meta = type_meta(text).unwrap();
                let decoded = match (meta.api_version.as_str(), meta.kind.as_str()) {
                    ("v1", "Namespace") => same::<Namespace>(&fast, text),
                    ("v1", "ServiceAccount") => same::<ServiceAccount>(&fast, text),
                    ("v1", "Service") => same::<Service>(&fast, text),
                    ("apps/v1", "Deployment") => same::<Deployment>(&fast, text),
                    ("autoscaling/v2", "HorizontalPodAutoscaler") => same::<HorizontalPodAutoscaler>(&fast, text),
                    ("policy/v1", "PodDisruptionBudget") => same::<PodDisruptionBudget>(&fast, text),
                    ("networking.k8s.io/v1", "NetworkPolicy") => same::<NetworkPolicy>(&fast, text),
                    ("networking.k8s.io/v1", "Ingress") => same::<Ingress>(&fast, text),
                    ("gateway.networking.k8s.io/v1", "HTTPRoute") => same::<HttpRoute>(&fast, text),
                    ("monitoring.coreos.com/v1", "ServiceMonitor") => same::<ServiceMonitor>(&fast, text),
                    ("monitoring.coreos.com/v1", "PrometheusRule") => same::<PrometheusRule>(&fast, text),
                    other => panic!("unexpected kind {other:?}"),
                };
                assert!(
                    decoded,
                    "{name}: {} did not decode on the fast path as serde_yaml decodes it",
                    document.template
                );
            }
        }
    }
}
