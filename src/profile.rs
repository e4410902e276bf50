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
    /// Another profile this one builds on, relative to this file (`base.yaml`). The base's
    /// settings apply first; this file's settings merge over them. A file that another profile
    /// extends is a base: rendering a directory skips it.
    pub extends: Option<String>,
    pub tier: Tier,
    pub namespace: String,
    /// The application all services belong to (`app.kubernetes.io/part-of`).
    pub app: String,
    #[serde(default)]
    pub service_defaults: RawServiceSettings,
    pub services: BTreeMap<String, RawService>,
    /// Named ConfigMaps of non-secret settings that services consume with `config:`.
    #[serde(default)]
    pub configs: BTreeMap<String, BTreeMap<String, String>>,
    /// Secrets pulled from an external store by the External Secrets Operator, by reference.
    #[serde(default)]
    pub external_secrets: BTreeMap<String, RawExternalSecret>,
    #[serde(default)]
    pub network: RawNetwork,
    pub ingress: Option<RawIngress>,
    #[serde(default)]
    pub policy: RawPolicy,
    /// The namespace's Pod Security level: `restricted` (default) or `baseline`, which is the
    /// `pss-baseline-namespace` finding until it is waived with a reason.
    pub pod_security: Option<PodSecurityLevel>,
    /// Extra labels on the Namespace (a service-mesh injection label, say). Pod Security and
    /// `app.kubernetes.io` labels are gen's and refused here.
    pub namespace_labels: Option<BTreeMap<String, String>>,
    /// Extra annotations on the Namespace.
    pub namespace_annotations: Option<BTreeMap<String, String>>,
    /// A ResourceQuota for the namespace; gen proves that every autoscaler can reach its maximum
    /// within it, during a rollout, with every cronjob and job running.
    pub quota: Option<RawQuota>,
    /// A LimitRange: container defaults and bounds for pods gen does not render.
    pub limit_range: Option<RawLimitRange>,
    /// Exceptions to policy rules, each for one rule and one target, with the reason.
    #[serde(default)]
    pub waivers: Vec<RawWaiver>,
    /// Changes to rendered objects for fields gen does not model. They apply after rendering and
    /// before the typed check and the policy rules.
    #[serde(default)]
    pub patches: Vec<RawPatch>,
    /// Extra manifest files the team owns, relative to this file. They are emitted with gen's
    /// output and go through the same typed check, policy rules and drift detection.
    #[serde(default)]
    pub resources: Vec<String>,
}

/// A change to one rendered object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPatch {
    /// The object to change, as `Kind/name` (`Deployment/auth-service`).
    pub target: String,
    /// A JSON merge patch (RFC 7396): mappings merge, `null` removes a field.
    pub merge: Option<serde_json::Value>,
    /// A JSON Patch (RFC 6902): a list of operations, for surgery inside lists.
    pub json: Option<Vec<RawJsonPatchOperation>>,
}

/// One RFC 6902 operation: `{op: add, path: /metadata/labels/team, value: payments}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawJsonPatchOperation {
    pub op: JsonPatchOp,
    /// A JSON Pointer into the object (`/spec/replicas`, `/metadata/labels/team`).
    pub path: String,
    /// The value to add, replace or test against.
    pub value: Option<serde_json::Value>,
    /// The source of a `move` or `copy`.
    pub from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonPatchOp {
    Add,
    Remove,
    Replace,
    Move,
    Copy,
    Test,
}

/// A Pod Security Standards level a namespace enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurityLevel {
    /// The hardened level every gen workload meets (the default).
    Restricted,
    /// Known privilege escalations blocked; for infrastructure that needs more.
    Baseline,
}

/// ResourceQuota hard limits. Quantities are Kubernetes quantities (`20`, `500m`, `64Gi`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawQuota {
    /// Total cpu and memory requests of the namespace's pods.
    pub requests: Option<RawCpuMemory>,
    /// Total cpu and memory limits of the namespace's pods.
    pub limits: Option<RawCpuMemory>,
    /// Pods that are not finished.
    pub pods: Option<i64>,
    /// Services of any type.
    pub services: Option<i64>,
    /// Services of type LoadBalancer.
    pub load_balancers: Option<i64>,
    /// PersistentVolumeClaims.
    pub persistent_volume_claims: Option<i64>,
    /// ConfigMaps (Kubernetes adds `kube-root-ca.crt` to every namespace).
    pub config_maps: Option<i64>,
    /// Secrets.
    pub secrets: Option<i64>,
}

/// A cpu and a memory quantity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawCpuMemory {
    pub cpu: Option<String>,
    pub memory: Option<String>,
}

/// LimitRange settings for containers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawLimitRange {
    /// Limits given to containers that set none.
    pub default: Option<RawCpuMemory>,
    /// Requests given to containers that set none.
    pub default_request: Option<RawCpuMemory>,
    /// The most one container may ask for.
    pub max: Option<RawCpuMemory>,
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
    /// Prometheus metrics: the pod is annotated for scraping (`prometheus.io/*`).
    pub metrics: Option<RawMetrics>,
    /// Extra labels on every object of the service and on its pods.
    pub labels: Option<BTreeMap<String, String>>,
    /// Extra annotations on every object of the service.
    pub annotations: Option<BTreeMap<String, String>>,
    /// Extra annotations on the pods.
    pub pod_annotations: Option<BTreeMap<String, String>>,
    /// Keep replicas on different nodes: `required` or `preferred`.
    pub anti_affinity: Option<AntiAffinity>,
    pub tolerations: Option<Vec<RawToleration>>,
    pub priority_class_name: Option<String>,
    /// Replace the image's entrypoint.
    pub command: Option<Vec<String>>,
    /// Replace the image's arguments.
    pub args: Option<Vec<String>>,
    /// ConfigMaps from `configs:` the service reads.
    pub config: Option<Vec<RawConfigUse>>,
    /// Secrets the service reads, as files (default) or environment variables.
    pub secrets: Option<Vec<RawSecretUse>>,
    /// Writable or persistent volumes, by name; merged name by name with the service's.
    pub volumes: Option<BTreeMap<String, RawVolume>>,
    // Settings only some kinds use: a service inherits each one only if its kind uses it.
    /// How a web service's Service is exposed: `ClusterIP` (default) or `LoadBalancer`.
    pub expose: Option<RawExpose>,
    /// Replicas of a web service or worker without an autoscaler (default: the tier's).
    pub replicas: Option<i64>,
    /// A HorizontalPodAutoscaler for web services and workers; merged field by field.
    pub autoscaling: Option<RawAutoscaling>,
    /// The PodDisruptionBudget of web services and workers.
    pub disruption_budget: Option<RawDisruptionBudget>,
    /// Cronjobs: the IANA time zone schedules are read in.
    pub time_zone: Option<String>,
    /// Cronjobs: what to do when a run is due while the last one still runs (default Forbid).
    pub concurrency_policy: Option<ConcurrencyPolicy>,
    /// Cronjobs: how late a missed run may still start.
    pub starting_deadline_seconds: Option<i64>,
    /// Cronjobs: finished Jobs kept for inspection.
    pub successful_jobs_history_limit: Option<i64>,
    /// Cronjobs: failed Jobs kept for inspection.
    pub failed_jobs_history_limit: Option<i64>,
    /// Cronjobs and jobs: retries before a Job is marked failed.
    pub backoff_limit: Option<i64>,
    /// Cronjobs and jobs: the longest a Job may run.
    pub active_deadline_seconds: Option<i64>,
    /// Cronjobs and jobs: how long a finished Job is kept.
    pub ttl_seconds_after_finished: Option<i64>,
    /// Cronjobs and jobs: `OnFailure` (default) or `Never`.
    pub restart_policy: Option<RestartPolicy>,
}

/// What a service runs as.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadKind {
    /// A Deployment behind a Service (the default).
    #[default]
    Web,
    /// A Deployment without a Service: queue consumers and other background work.
    Worker,
    /// A CronJob: work on a schedule.
    Cronjob,
    /// A Job: one run to completion, such as a database migration.
    Job,
}

impl WorkloadKind {
    /// Every kind, for tests that must cover each one.
    pub const ALL: [WorkloadKind; 4] = [
        WorkloadKind::Web,
        WorkloadKind::Worker,
        WorkloadKind::Cronjob,
        WorkloadKind::Job,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Web => "web",
            WorkloadKind::Worker => "worker",
            WorkloadKind::Cronjob => "cronjob",
            WorkloadKind::Job => "job",
        }
    }

    /// The kind of object its pods run in.
    pub fn object_kind(self) -> &'static str {
        match self {
            WorkloadKind::Web | WorkloadKind::Worker => "Deployment",
            WorkloadKind::Cronjob => "CronJob",
            WorkloadKind::Job => "Job",
        }
    }

    /// Whether the workload is long-running (a Deployment) rather than run to completion.
    pub fn is_long_running(self) -> bool {
        matches!(self, WorkloadKind::Web | WorkloadKind::Worker)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AntiAffinity {
    /// Never two replicas on one node (pods stay pending when nodes run out).
    Required,
    /// Spread across nodes when the scheduler can.
    Preferred,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawService {
    /// `web` (default), `worker`, `cronjob` or `job`.
    #[serde(default)]
    pub kind: WorkloadKind,
    pub image: String,
    /// The application version (`app.kubernetes.io/version`); taken from the image tag when unset.
    pub version: Option<String>,
    /// Replaces the image's entrypoint.
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    pub args: Option<Vec<String>>,
    pub replicas: Option<i64>,
    pub autoscaling: Option<RawAutoscaling>,
    pub disruption_budget: Option<RawDisruptionBudget>,
    /// How the Service is exposed (web services only).
    pub expose: Option<RawExpose>,
    /// ConfigMaps from `configs:` this service reads, as environment or as files.
    pub config: Option<Vec<RawConfigUse>>,
    /// Existing Secrets (or `externalSecrets:`) this service reads, by reference only.
    pub secrets: Option<Vec<RawSecretUse>>,
    /// The ServiceAccount the pods run as; services may share one. Defaults to the service name.
    pub service_account: Option<String>,
    /// Kubernetes API access: a namespaced Role bound to the service account.
    pub permissions: Option<Vec<RawPermission>>,
    /// Volumes by name: an emptyDir with a size limit, or an existing PersistentVolumeClaim.
    pub volumes: Option<BTreeMap<String, RawVolume>>,
    /// Other services of this profile that may call this one, and on which named ports.
    pub allow_from: Option<Vec<RawServicePeer>>,
    // CronJob and Job settings.
    /// Five cron fields or a macro such as `@daily` (cronjob only).
    pub schedule: Option<String>,
    /// IANA time zone of the schedule, e.g. `Europe/Berlin` (cronjob only; default UTC).
    pub time_zone: Option<String>,
    pub concurrency_policy: Option<ConcurrencyPolicy>,
    pub starting_deadline_seconds: Option<i64>,
    pub successful_jobs_history_limit: Option<i64>,
    pub failed_jobs_history_limit: Option<i64>,
    pub backoff_limit: Option<i64>,
    pub active_deadline_seconds: Option<i64>,
    pub ttl_seconds_after_finished: Option<i64>,
    pub restart_policy: Option<RestartPolicy>,
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
    pub metrics: Option<RawMetrics>,
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
    pub pod_annotations: Option<BTreeMap<String, String>>,
    pub anti_affinity: Option<AntiAffinity>,
    pub tolerations: Option<Vec<RawToleration>>,
    pub priority_class_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum ConcurrencyPolicy {
    Allow,
    Forbid,
    Replace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum RestartPolicy {
    OnFailure,
    Never,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawMetrics {
    /// The HTTP path Prometheus scrapes; defaults to `/metrics`.
    pub path: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawToleration {
    pub key: Option<String>,
    /// `Equal` (default) or `Exists`.
    pub operator: Option<TolerationOperator>,
    pub value: Option<String>,
    pub effect: Option<TaintEffect>,
    pub toleration_seconds: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum TolerationOperator {
    Equal,
    Exists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawExpose {
    /// `ClusterIP` (default) or `LoadBalancer`.
    #[serde(rename = "type")]
    pub service_type: Option<ServiceType>,
    /// Client CIDRs a LoadBalancer admits (and the NetworkPolicy lets in).
    pub load_balancer_source_ranges: Option<Vec<String>>,
    /// `Cluster` or `Local` (keeps the client address; LoadBalancer only).
    pub external_traffic_policy: Option<TrafficPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum ServiceType {
    ClusterIP,
    LoadBalancer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum TrafficPolicy {
    Cluster,
    Local,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawConfigUse {
    /// A name under `configs:`.
    pub name: String,
    /// Mount the keys as files here.
    pub mount_path: Option<String>,
    /// Environment variables from single keys (`REDIS_URL: redis-url`). With neither this nor
    /// `mountPath`, every key becomes an environment variable of its own name.
    pub env: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawSecretUse {
    /// The Secret's name: an existing Secret, or one under `externalSecrets:`.
    pub name: String,
    /// Only these keys (default: every key of the Secret).
    pub keys: Option<Vec<String>>,
    /// Where the keys are mounted read-only as files; defaults to `/run/secrets/<name>`.
    pub mount_path: Option<String>,
    /// Environment variables from keys (`VAR: key`). Visible to every process and in crash
    /// dumps: the `secret-env` rule flags it (an error in prod unless waived).
    pub env: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPermission {
    /// API groups; defaults to the core group `""`.
    pub api_groups: Option<Vec<String>>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    /// Only these objects.
    pub resource_names: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawVolume {
    pub mount_path: String,
    /// A scratch directory, at most `sizeLimit` large.
    pub empty_dir: Option<RawEmptyDir>,
    /// An existing PersistentVolumeClaim, by name.
    pub claim: Option<String>,
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawEmptyDir {
    pub size_limit: String,
    /// `Memory` keeps it in RAM (counted against the memory limit).
    pub medium: Option<EmptyDirMedium>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum EmptyDirMedium {
    Memory,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawServicePeer {
    pub service: String,
    /// Named ports of this service the caller may reach; defaults to `[http]`.
    pub ports: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawExternalSecret {
    pub store: RawSecretStoreRef,
    /// How often the operator syncs, e.g. `1h`; defaults to `1h`.
    pub refresh_interval: Option<String>,
    /// Secret keys and where each comes from in the store.
    pub data: BTreeMap<String, RawRemoteRef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawSecretStoreRef {
    pub name: String,
    /// `SecretStore` (default, in the namespace) or `ClusterSecretStore`.
    pub kind: Option<SecretStoreKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum SecretStoreKind {
    SecretStore,
    ClusterSecretStore,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRemoteRef {
    /// The key in the external store, e.g. `llm-cost-ops/database-url`.
    pub key: String,
    /// One property of a JSON value stored under the key.
    pub property: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPorts {
    /// The port the app serves HTTP on (web services default to 8080).
    pub http: Option<i64>,
    /// The metrics port; may be the HTTP port when the app serves `/metrics` there.
    pub metrics: Option<i64>,
    /// More named container ports (and Service ports, for web services).
    pub extra: Option<BTreeMap<String, i64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProbes {
    pub startup: Option<RawProbe>,
    pub liveness: Option<RawProbe>,
    pub readiness: Option<RawProbe>,
    /// No probes at all, with the reason (workers only): the process itself is the check.
    pub none: Option<String>,
}

/// One probe: exactly one of `path` (HTTP GET), `tcp`, `grpc` or `exec`, and its timings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProbe {
    /// HTTP GET this path, on `port` (default: the `http` port).
    pub path: Option<String>,
    pub port: Option<PortRef>,
    /// Open a TCP connection to this port.
    pub tcp: Option<PortRef>,
    /// gRPC health check on this port.
    pub grpc: Option<PortRef>,
    /// Run this command in the container; exit 0 is healthy.
    pub exec: Option<Vec<String>>,
    pub period_seconds: Option<i64>,
    pub timeout_seconds: Option<i64>,
    pub failure_threshold: Option<i64>,
    pub initial_delay_seconds: Option<i64>,
}

/// A container port by name (`http`) or number (`8000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Name(String),
    Number(i64),
}

impl<'de> Deserialize<'de> for PortRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = PortRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a port name such as `http` or a port number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PortRef, E> {
                Ok(PortRef::Number(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PortRef, E> {
                i64::try_from(v)
                    .map(PortRef::Number)
                    .map_err(|_| E::custom("the port number is too large"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PortRef, E> {
                Ok(PortRef::Name(v.to_owned()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawAutoscaling {
    pub min_replicas: Option<i64>,
    pub max_replicas: Option<i64>,
    pub target_cpu_utilization: Option<i64>,
    pub target_memory_utilization: Option<i64>,
    pub scale_up: Option<RawScalingRule>,
    pub scale_down: Option<RawScalingRule>,
}

/// How fast the autoscaler may move: by `percent` and/or by `pods` per `periodSeconds`; when both
/// are given the larger change wins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawScalingRule {
    pub percent: Option<i64>,
    pub pods: Option<i64>,
    pub period_seconds: Option<i64>,
    pub stabilization_window_seconds: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
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
