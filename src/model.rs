//! The resolved model: every default applied, every value validated. Templates read only this.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::profile::Tier;

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Serialize)]
pub struct Model {
    /// The profile's name (its file stem), e.g. `prod`.
    pub profile: String,
    pub tier: Tier,
    pub namespace: String,
    pub app: String,
    /// Pod Security Standards version the namespace pins, e.g. `v1.33`.
    pub pod_security_version: String,
    pub namespace_labels: Labels,
    pub egress_open: bool,
    pub services: Vec<Service>,
    pub ingress: Option<Ingress>,
    /// Image prefixes images must start with; empty allows any registry.
    pub allowed_registries: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Service {
    pub name: String,
    pub labels: Labels,
    /// The stable subset of `labels` (name and instance) used in selectors.
    pub selector: Labels,
    pub image: String,
    /// `None` when an autoscaler owns the replica count.
    pub replicas: Option<i64>,
    pub ports: Vec<Port>,
    pub resources: Resources,
    pub probes: Probes,
    pub pre_stop_sleep_seconds: i64,
    pub termination_grace_period_seconds: i64,
    pub run_as_user: i64,
    pub node_selector: Labels,
    pub env: Vec<EnvVar>,
    pub autoscaling: Option<Autoscaling>,
    pub disruption_budget: DisruptionBudget,
    pub ingress_peers: Vec<IngressPeer>,
    pub egress: Vec<Dependency>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Port {
    pub name: String,
    pub port: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resources {
    pub cpu_request: String,
    pub cpu_limit: String,
    pub memory_request: String,
    pub memory_limit: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Probes {
    pub startup: Probe,
    pub liveness: Probe,
    pub readiness: Probe,
}

#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub path: String,
    pub period_seconds: i64,
    pub timeout_seconds: i64,
    pub failure_threshold: i64,
    pub initial_delay_seconds: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct Autoscaling {
    pub min_replicas: i64,
    pub max_replicas: i64,
    pub target_cpu_utilization: Option<i64>,
    pub target_memory_utilization: Option<i64>,
    pub scale_up: ScalingRule,
    pub scale_down: ScalingRule,
}

#[derive(Debug, Serialize)]
pub struct ScalingRule {
    pub percent: Option<i64>,
    pub pods: Option<i64>,
    pub period_seconds: i64,
    pub stabilization_window_seconds: i64,
}

/// Exactly one of the two is set.
#[derive(Debug, Serialize)]
pub struct DisruptionBudget {
    pub min_available: Option<i64>,
    pub max_unavailable: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IngressPeer {
    pub namespace: String,
    pub ports: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dependency {
    pub name: String,
    pub namespace: String,
    pub port: i64,
    pub pod_labels: Labels,
}

#[derive(Debug, Serialize)]
pub struct Ingress {
    pub name: String,
    pub host: String,
    pub class_name: String,
    pub cluster_issuer: String,
    pub tls_secret_name: String,
    /// A string because annotation values are strings.
    pub rate_limit_rps: Option<String>,
    pub routes: Vec<Route>,
}

#[derive(Debug, Serialize)]
pub struct Route {
    pub path: String,
    pub service: String,
    pub port_name: String,
}
