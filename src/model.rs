//! The resolved model: every default applied, every value validated. Templates read only this.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::profile::{
    AntiAffinity, ConcurrencyPolicy, EmptyDirMedium, RestartPolicy, SecretStoreKind, ServiceType, TaintEffect, Tier,
    TolerationOperator, TrafficPolicy, WorkloadKind,
};

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
    pub namespace_annotations: Labels,
    /// `restricted` or `baseline`: the namespace's enforced Pod Security level.
    pub pod_security_level: String,
    pub quota: Option<Quota>,
    pub limit_range: Option<LimitRange>,
    pub egress_open: bool,
    /// Not part of the templates' `profile`: each service's templates get that one service as
    /// `service`, built on the worker that renders it (see `render::Renderer::render_service`).
    /// A copy of every service in the shared context was a large render's biggest single
    /// allocation, built on one thread, and no template reads it.
    #[serde(skip)]
    pub services: Vec<Service>,
    /// ConfigMaps from `configs:`, sorted by name.
    pub config_maps: Vec<ConfigMap>,
    pub external_secrets: Vec<ExternalSecret>,
    /// KEDA TriggerAuthentications from `triggerAuthentications:`, sorted by name.
    pub trigger_authentications: Vec<TriggerAuthentication>,
    /// Service accounts named with `serviceAccount:` (possibly shared); the others belong to
    /// their service and are rendered with it.
    pub shared_service_accounts: Vec<String>,
    /// Dependencies in the profile's own namespace (installed by other charts): gen's
    /// namespace-wide default deny covers their pods too, so each gets an allow policy.
    pub local_dependencies: Vec<LocalDependency>,
    /// The `ingress` section's hosts, the primary one first: each an Ingress, or an HTTPRoute
    /// when the profile names a Gateway.
    pub route_groups: Vec<RouteGroup>,
    /// Image prefixes images must start with; empty allows any registry.
    pub allowed_registries: Vec<String>,
}

/// The namespace's ResourceQuota: each hard limit the profile sets.
#[derive(Debug, Clone, Serialize)]
pub struct Quota {
    pub requests_cpu: Option<String>,
    pub requests_memory: Option<String>,
    pub limits_cpu: Option<String>,
    pub limits_memory: Option<String>,
    pub pods: Option<i64>,
    pub services: Option<i64>,
    pub load_balancers: Option<i64>,
    pub persistent_volume_claims: Option<i64>,
    pub config_maps: Option<i64>,
    pub secrets: Option<i64>,
}

/// The namespace's LimitRange for containers.
#[derive(Debug, Clone, Serialize)]
pub struct LimitRange {
    pub default_cpu: Option<String>,
    pub default_memory: Option<String>,
    pub default_request_cpu: Option<String>,
    pub default_request_memory: Option<String>,
    pub max_cpu: Option<String>,
    pub max_memory: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Service {
    pub name: String,
    pub kind: WorkloadKind,
    /// Labels of every object of the service and of its pods: gen's own plus the profile's.
    pub labels: Labels,
    /// The stable subset of `labels` (name and instance) used in selectors.
    pub selector: Labels,
    pub annotations: Labels,
    /// `annotations` plus `checkov.io/skipN` for every scanner check gen loosened on purpose
    /// (a token for declared permissions, `probes.none`, a waiver), for the workload object.
    pub workload_annotations: Labels,
    pub pod_annotations: Labels,
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    /// `None` when an autoscaler owns the replica count, and for jobs.
    pub replicas: Option<i64>,
    /// Container ports, each named.
    pub ports: Vec<Port>,
    /// The Service in front of a web service; `None` for other kinds.
    pub expose: Option<Expose>,
    pub metrics: Option<Metrics>,
    /// Recording rules and alerts from the service's objectives (`slo:`).
    pub alert_rules: Option<AlertRules>,
    pub resources: Resources,
    pub probes: Probes,
    pub pre_stop_sleep_seconds: i64,
    pub termination_grace_period_seconds: i64,
    pub run_as_user: i64,
    pub node_selector: Labels,
    pub tolerations: Vec<Toleration>,
    pub priority_class_name: Option<String>,
    pub anti_affinity: Option<AntiAffinity>,
    pub env: Vec<EnvVar>,
    pub secret_env: Vec<SecretEnvVar>,
    /// Environment variables from single ConfigMap keys.
    pub config_env: Vec<ConfigEnvVar>,
    /// ConfigMaps read whole as environment variables.
    pub env_from_config_maps: Vec<String>,
    /// Volumes besides gen's own `/tmp`.
    pub volumes: Vec<Volume>,
    /// SHA-256 of every ConfigMap the pods read, so a config change rolls them.
    pub config_hash: Option<String>,
    pub service_account: String,
    /// Whether the service account is the service's own (rendered with it).
    pub owns_service_account: bool,
    pub permissions: Vec<Permission>,
    /// Only a service with permissions gets its API token mounted.
    pub automount_token: bool,
    pub autoscaling: Option<Autoscaling>,
    pub vertical_scaling: Option<VerticalScaling>,
    /// `None` for cronjobs and jobs.
    pub disruption_budget: Option<DisruptionBudget>,
    pub ingress_peers: Vec<IngressPeer>,
    /// Services of this profile that may call this one.
    pub callers: Vec<ServicePeer>,
    /// Services of this profile this one may call.
    pub callees: Vec<ServicePeer>,
    /// Client ranges a LoadBalancer admits, as NetworkPolicy ipBlocks.
    pub load_balancer_clients: Vec<String>,
    /// Shared with every service that names the dependency: one copy per profile, not per
    /// service (18 MB of clones at 5,000 services).
    pub egress: Vec<std::sync::Arc<Dependency>>,
    pub cron: Option<Cron>,
    /// Settings of the Job (or of each Job a CronJob starts).
    pub job: Option<JobSettings>,
}

impl Service {
    pub fn is_web(&self) -> bool {
        self.kind == WorkloadKind::Web
    }
}

#[derive(Debug, Serialize)]
pub struct Expose {
    pub service_type: ServiceType,
    pub ports: Vec<Port>,
    pub load_balancer_source_ranges: Vec<String>,
    pub external_traffic_policy: Option<TrafficPolicy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    /// The named container port metrics are served on (`metrics`, or `http` when shared).
    pub port_name: String,
    pub port: i64,
    pub path: String,
    /// Whether to annotate the pods for annotation-based Prometheus scraping.
    pub annotate: bool,
    /// The Prometheus operator object that scrapes the pods, when the profile asks for one.
    pub monitor: Option<Monitor>,
}

/// A `ServiceMonitor` or `PodMonitor` for one service.
#[derive(Debug, Clone, Serialize)]
pub struct Monitor {
    /// `ServiceMonitor` when the Service publishes the metrics port, else `PodMonitor`.
    pub kind: MonitorKind,
    pub interval: Option<String>,
    pub scrape_timeout: Option<String>,
    /// The `job` label Prometheus gives the scraped series: the Service's name for a
    /// ServiceMonitor, `<namespace>/<name>` for a PodMonitor.
    pub job: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MonitorKind {
    ServiceMonitor,
    PodMonitor,
}

/// The PrometheusRule of a service's objectives: groups of recording and alerting rules, each
/// expression built by gen.
#[derive(Debug, Clone, Serialize)]
pub struct AlertRules {
    pub groups: Vec<RuleGroup>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleGroup {
    pub name: String,
    pub rules: Vec<AlertRule>,
}

/// A recording rule (`record` set) or an alerting rule (`alert` set).
#[derive(Debug, Clone, Serialize)]
pub struct AlertRule {
    pub record: Option<String>,
    pub alert: Option<String>,
    pub expr: String,
    /// The alert's `for:` duration.
    pub for_duration: Option<String>,
    pub labels: Labels,
    pub annotations: Labels,
}

#[derive(Debug, Clone, Serialize)]
pub struct Toleration {
    pub key: Option<String>,
    pub operator: TolerationOperator,
    pub value: Option<String>,
    pub effect: Option<TaintEffect>,
    pub toleration_seconds: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigEnvVar {
    pub name: String,
    pub config_map: String,
    pub key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecretEnvVar {
    pub name: String,
    pub secret: String,
    pub key: String,
}

/// A pod volume and where the container mounts it; exactly one source is set.
#[derive(Debug, Clone, Serialize)]
pub struct Volume {
    pub name: String,
    pub mount_path: String,
    pub read_only: bool,
    pub empty_dir: Option<EmptyDir>,
    pub claim: Option<String>,
    pub config_map: Option<String>,
    pub secret: Option<SecretVolume>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmptyDir {
    pub size_limit: String,
    pub medium: Option<EmptyDirMedium>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecretVolume {
    pub name: String,
    /// Only these keys; empty means every key.
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    pub resource_names: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServicePeer {
    pub service: String,
    pub selector: Labels,
    /// Port names and numbers on the receiving service.
    pub ports: Vec<Port>,
}

#[derive(Debug, Serialize)]
pub struct Cron {
    pub schedule: String,
    pub time_zone: Option<String>,
    pub concurrency_policy: ConcurrencyPolicy,
    pub starting_deadline_seconds: Option<i64>,
    pub successful_jobs_history_limit: i64,
    pub failed_jobs_history_limit: i64,
}

#[derive(Debug, Serialize)]
pub struct JobSettings {
    pub backoff_limit: i64,
    pub active_deadline_seconds: Option<i64>,
    pub ttl_seconds_after_finished: Option<i64>,
    pub restart_policy: RestartPolicy,
}

#[derive(Debug, Serialize)]
pub struct ConfigMap {
    pub name: String,
    pub data: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct ExternalSecret {
    pub name: String,
    pub store_name: String,
    pub store_kind: SecretStoreKind,
    pub refresh_interval: String,
    pub data: Vec<RemoteRef>,
}

#[derive(Debug, Serialize)]
pub struct RemoteRef {
    pub secret_key: String,
    pub key: String,
    pub property: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LocalDependency {
    pub name: String,
    pub pod_labels: Labels,
    pub port: i64,
    /// Selectors of gen's services that call it.
    pub callers: Vec<Labels>,
    /// Namespaces whose pods may call it too.
    pub caller_namespaces: Vec<String>,
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
    pub startup: Option<Probe>,
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
    /// Set when the profile says the workload has no probes on purpose, with the reason.
    pub none_reason: Option<String>,
}

/// What a probe checks; templates render the one that is set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ProbeCheck {
    Http { path: String, port: PortValue },
    Tcp { port: PortValue },
    Grpc { port: i64 },
    Exec { command: Vec<String> },
}

/// A port as Kubernetes takes it: a name or a number.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PortValue {
    Name(String),
    Number(i64),
}

#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub check: ProbeCheck,
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
    /// Custom metrics of the HPA (Pods, Object, External).
    pub metrics: Vec<MetricTarget>,
    /// KEDA triggers, CPU and memory targets included: when there are event sources, the
    /// service gets a ScaledObject with these instead of an HPA.
    pub triggers: Vec<Trigger>,
}

/// One custom metric of an HPA, as `autoscaling/v2` writes it.
#[derive(Debug, Clone, Serialize)]
pub struct MetricTarget {
    /// `Pods`, `Object` or `External`.
    pub source: &'static str,
    pub name: String,
    pub selector: Labels,
    /// `AverageValue` or `Value`.
    pub target_type: &'static str,
    /// A quantity, as the profile wrote it.
    pub target: String,
    pub described_object: Option<ObjectReference>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectReference {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

/// One KEDA trigger: its scaler type and the settings KEDA reads as strings.
#[derive(Debug, Clone, Serialize)]
pub struct Trigger {
    /// `kafka`, `redis`, `prometheus`, `cron`, `cpu` or `memory`.
    pub scaler: &'static str,
    /// `Utilization` for the cpu and memory scalers, none for the others.
    pub metric_type: Option<&'static str>,
    pub metadata: Labels,
    /// The TriggerAuthentication the scaler reads credentials from.
    pub authentication: Option<String>,
}

/// A KEDA TriggerAuthentication: scaler parameters read from keys of one Secret.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerAuthentication {
    pub name: String,
    pub secret: String,
    /// (parameter, key), sorted by parameter.
    pub parameters: Vec<(String, String)>,
}

/// A VerticalPodAutoscaler for the service's container.
#[derive(Debug, Clone, Serialize)]
pub struct VerticalScaling {
    /// The VPA's update mode; it serializes as the API spells it.
    pub mode: crate::profile::VerticalScalingMode,
    /// `cpu` and/or `memory`, sorted.
    pub resources: Vec<crate::profile::ScaledResource>,
    pub min_allowed: Labels,
    pub max_allowed: Labels,
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
    /// Other namespaces that may call a dependency of the profile's own namespace.
    pub from_namespaces: Vec<String>,
}

/// One host and its routes: rendered as an Ingress, or as an HTTPRoute attached to `gateway`.
#[derive(Debug, Serialize)]
pub struct RouteGroup {
    /// The object's name: the app for the primary host, `<app>-<key>` for `ingress.hosts.<key>`.
    pub name: String,
    /// Where the group is written in the profile (`ingress`, `ingress.hosts.admin`).
    pub yaml_path: String,
    pub host: String,
    pub gateway: Option<Gateway>,
    pub class_name: String,
    /// cert-manager's issuer and the certificate's Secret; always set for an Ingress.
    pub tls: Option<Tls>,
    /// A string because annotation values are strings.
    pub rate_limit_rps: Option<String>,
    /// The request timeout in seconds, as the ingress-nginx annotations take it (`"60"`).
    pub timeout_seconds: Option<String>,
    /// The same as a Gateway API duration (`"60s"`).
    pub timeout: Option<String>,
    pub basic_auth: Option<BasicAuth>,
    /// `<namespace>/<ConfigMap>` of the security headers, for ingress-nginx `custom-headers`.
    pub custom_headers: Option<String>,
    /// The security response headers, sorted by name.
    pub response_headers: Vec<Header>,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gateway {
    pub name: String,
    pub namespace: String,
    pub section_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tls {
    pub cluster_issuer: String,
    pub secret_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BasicAuth {
    pub secret_name: String,
    pub realm: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct Route {
    pub path: String,
    /// `Prefix` or `Exact`, as an Ingress writes it.
    pub ingress_path_type: &'static str,
    /// `PathPrefix` or `Exact`, as an HTTPRoute writes it.
    pub gateway_path_type: &'static str,
    pub service: String,
    pub port_name: String,
    /// The Service port's number, which an HTTPRoute's backend names.
    pub port: i64,
}
