//! The profile as the user writes it: strict serde types, no defaults applied yet.
//!
//! Every struct rejects unknown keys, so a misspelt key is an error rather than a silently
//! ignored setting. Optional fields are filled in by `resolve` from the tier's defaults.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Experimentation: one replica, open egress, tags allowed.
    Dev,
    /// Production: three replicas, strict isolation, digests required.
    Prod,
    /// Archive of failed experiments: one replica, strict isolation.
    Quarantine,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Dev => "dev",
            Tier::Prod => "prod",
            Tier::Quarantine => "quarantine",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProfile {
    pub tier: Tier,
    pub namespace: String,
    /// The application all services belong to (`app.kubernetes.io/part-of`).
    pub app: String,
    #[serde(default)]
    pub service_defaults: RawServiceSettings,
    pub services: BTreeMap<String, RawService>,
    #[serde(default)]
    pub network: RawNetwork,
    pub ingress: Option<RawIngress>,
    #[serde(default)]
    pub policy: RawPolicy,
    /// Exceptions to policy rules, each for one rule and one target, with the reason.
    #[serde(default)]
    pub waivers: Vec<RawWaiver>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPolicy {
    /// Image prefixes (`registry.example.com/team/`) images must start with; empty allows any.
    #[serde(default)]
    pub allowed_registries: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawWaiver {
    /// The policy rule code, as `gen rules` lists it.
    pub rule: String,
    /// A service name (all its objects) or `Kind/name` (one object).
    pub target: String,
    /// Why the exception is safe; shown in `gen lint` and kept in the profile's history.
    pub reason: String,
}

/// Settings that every service may set, and that `serviceDefaults` sets for all of them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawServiceSettings {
    pub ports: Option<RawPorts>,
    pub probes: Option<RawProbes>,
    pub shutdown: Option<RawShutdown>,
    pub resources: Option<RawResources>,
    pub run_as_user: Option<i64>,
    pub node_selector: Option<BTreeMap<String, String>>,
    pub env: Option<BTreeMap<String, String>>,
    /// Names of `network.egress` dependencies this service may reach (default: all of them).
    pub depends_on: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawService {
    pub image: String,
    /// The application version (`app.kubernetes.io/version`); taken from the image tag when unset.
    pub version: Option<String>,
    pub replicas: Option<i64>,
    pub autoscaling: Option<RawAutoscaling>,
    pub disruption_budget: Option<RawDisruptionBudget>,
    // The settings below mirror `RawServiceSettings`. serde cannot combine `flatten` with
    // `deny_unknown_fields`, and strictness matters more here than a few repeated lines.
    pub ports: Option<RawPorts>,
    pub probes: Option<RawProbes>,
    pub shutdown: Option<RawShutdown>,
    pub resources: Option<RawResources>,
    pub run_as_user: Option<i64>,
    pub node_selector: Option<BTreeMap<String, String>>,
    pub env: Option<BTreeMap<String, String>>,
    pub depends_on: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPorts {
    pub http: i64,
    pub metrics: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProbes {
    pub startup: Option<RawProbe>,
    pub liveness: Option<RawProbe>,
    pub readiness: Option<RawProbe>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProbe {
    pub path: String,
    pub period_seconds: Option<i64>,
    pub timeout_seconds: Option<i64>,
    pub failure_threshold: Option<i64>,
    pub initial_delay_seconds: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawShutdown {
    pub pre_stop_sleep_seconds: Option<i64>,
    pub termination_grace_period_seconds: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawResources {
    pub cpu: RawRequestLimit,
    pub memory: RawRequestLimit,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRequestLimit {
    pub request: String,
    pub limit: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawAutoscaling {
    pub min_replicas: Option<i64>,
    pub max_replicas: i64,
    pub target_cpu_utilization: Option<i64>,
    pub target_memory_utilization: Option<i64>,
    pub scale_up: Option<RawScalingRule>,
    pub scale_down: Option<RawScalingRule>,
}

/// How fast the autoscaler may move: by `percent` and/or by `pods` per `periodSeconds`; when both
/// are given the larger change wins.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawScalingRule {
    pub percent: Option<i64>,
    pub pods: Option<i64>,
    pub period_seconds: i64,
    pub stabilization_window_seconds: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawDisruptionBudget {
    pub min_available: Option<i64>,
    pub max_unavailable: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawNetwork {
    /// Namespaces whose pods may call in, and on which named ports.
    #[serde(default)]
    pub ingress_from: Vec<RawIngressPeer>,
    /// `restricted` (only DNS and `egress` dependencies) or `open`; the tier picks when unset.
    pub egress_mode: Option<EgressMode>,
    /// Dependencies outside the namespace that services may reach.
    #[serde(default)]
    pub egress: Vec<RawDependency>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EgressMode {
    Restricted,
    Open,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawIngressPeer {
    pub namespace: String,
    /// Named ports (`http`, `metrics`) the peer may reach.
    pub ports: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawDependency {
    pub name: String,
    pub namespace: String,
    pub port: i64,
    /// Pod labels of the dependency; defaults to `app.kubernetes.io/name: <name>`.
    pub pod_labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawIngress {
    pub host: String,
    /// The IngressClass; defaults to `nginx`.
    pub class_name: Option<String>,
    pub tls: RawTls,
    pub rate_limit_rps: Option<i64>,
    pub routes: Vec<RawRoute>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawTls {
    /// cert-manager ClusterIssuer that issues the certificate.
    pub cluster_issuer: String,
    /// Secret that holds the certificate; defaults to `<host with dots as dashes>-tls`.
    pub secret_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRoute {
    pub path: String,
    pub service: String,
}
