//! The profile as the user writes it: strict serde types, no defaults applied yet.
//!
//! Every struct rejects unknown keys, so a misspelt key is an error rather than a silently
//! ignored setting. Optional fields are filled in by `resolve` from the tier's defaults.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

mod observability;

pub use observability::{RawErrorSelector, RawLatencyObjective, RawMetrics, RawRequests, RawSlo};
mod routes;
pub use routes::*;

/// The environment's tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Experimentation: some rules only warn (`gen rules` lists each rule's severity per tier).
    Dev,
    /// Production: images must be pinned by digest (`image-digest-required`).
    Prod,
    /// Archive of failed experiments, kept isolated.
    Quarantine,
}

impl Tier {
    /// Every tier, in the order the documentation lists them.
    pub const ALL: [Tier; 3] = [Tier::Dev, Tier::Prod, Tier::Quarantine];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Dev => "dev",
            Tier::Prod => "prod",
            Tier::Quarantine => "quarantine",
        }
    }
}

/// A gen profile: one environment of an application. Any profile file may be a base that
/// others `extends`, or an overlay of one, so every key may be left to the other.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "Profile")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProfile {
    /// Another profile this one builds on, relative to this file (`base.yaml`). The base's
    /// settings apply first; this file's settings merge over them. A file that another profile
    /// extends is a base: rendering a directory skips it.
    #[schemars(example = &"base.yaml")]
    pub extends: Option<String>,
    /// The environment's tier: it picks some defaults and how strict some rules are.
    pub tier: Tier,
    /// The namespace everything renders into (a DNS label, not `default`).
    pub namespace: String,
    /// The application all services belong to (`app.kubernetes.io/part-of`).
    pub app: String,
    /// Service settings that apply to every service that does not set them itself.
    #[serde(default)]
    pub service_defaults: RawServiceSettings,
    /// The workloads, by name (a DNS label). Each renders its workload, ServiceAccount and
    /// NetworkPolicy, and by kind a Service, an autoscaler and a disruption budget.
    pub services: BTreeMap<String, RawService>,
    /// Named ConfigMaps of non-secret settings that services consume with `config:`.
    #[serde(default)]
    pub configs: BTreeMap<String, BTreeMap<String, String>>,
    /// Secrets pulled from an external store by the External Secrets Operator, by reference.
    #[serde(default)]
    pub external_secrets: BTreeMap<String, RawExternalSecret>,
    /// Credentials KEDA scalers read from Secrets, by name; `autoscaling.triggers[].authentication`
    /// names one.
    #[serde(default)]
    pub trigger_authentications: BTreeMap<String, RawTriggerAuthentication>,
    /// Who may call the services, and what they may call.
    #[serde(default)]
    pub network: RawNetwork,
    /// An Ingress that routes paths of one host to web services, with TLS from cert-manager.
    pub ingress: Option<RawIngress>,
    /// Organisation rules, such as the registries images may come from.
    #[serde(default)]
    pub policy: RawPolicy,
    /// The namespace's Pod Security level: `restricted` (default) or `baseline`, which is the
    /// `namespace-pod-security` finding until it is waived with a reason.
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
    #[schemars(example = ["extra/pod-monitor.yaml"])]
    pub resources: Vec<String>,
}

/// A change to one rendered object.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "Patch")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPatch {
    /// The object to change, as `Kind/name` (`Deployment/auth-service`).
    #[schemars(example = &"Deployment/auth-service")]
    pub target: String,
    /// A JSON merge patch (RFC 7396): mappings merge, `null` removes a field.
    #[schemars(example = serde_json::json!({"metadata": {"labels": {"team": "payments"}}}))]
    pub merge: Option<serde_json::Value>,
    /// A JSON Patch (RFC 6902): a list of operations, for surgery inside lists.
    pub json: Option<Vec<RawJsonPatchOperation>>,
}

/// One RFC 6902 operation: `{op: add, path: /metadata/labels/team, value: payments}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "JsonPatchOperation")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawJsonPatchOperation {
    /// The operation: `add`, `remove`, `replace`, `move`, `copy` or `test`.
    #[schemars(example = &"add")]
    pub op: JsonPatchOp,
    /// A JSON Pointer into the object (`/spec/replicas`, `/metadata/labels/team`).
    #[schemars(example = &"/metadata/labels/team")]
    pub path: String,
    /// The value to add, replace or test against.
    #[schemars(example = &"payments")]
    pub value: Option<serde_json::Value>,
    /// The source of a `move` or `copy`.
    #[schemars(example = &"/metadata/labels/owner")]
    pub from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurityLevel {
    /// The hardened level every gen workload meets (the default).
    Restricted,
    /// Known privilege escalations blocked; for infrastructure that needs more.
    Baseline,
}

/// ResourceQuota hard limits. Quantities are Kubernetes quantities (`20`, `500m`, `64Gi`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Quota")]
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
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "CpuMemory")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawCpuMemory {
    /// CPU, in cores (`"20"`) or millicores (`500m`).
    #[schemars(example = &"500m")]
    pub cpu: Option<String>,
    /// Memory, in bytes with a suffix (`512Mi`, `64Gi`).
    #[schemars(example = &"512Mi")]
    pub memory: Option<String>,
}

/// LimitRange settings for containers.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "LimitRange")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawLimitRange {
    /// Limits given to containers that set none.
    pub default: Option<RawCpuMemory>,
    /// Requests given to containers that set none.
    pub default_request: Option<RawCpuMemory>,
    /// The most one container may ask for.
    pub max: Option<RawCpuMemory>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[schemars(rename = "Policy")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPolicy {
    /// Image prefixes (`registry.example.com/team/`) images must start with; empty allows any.
    #[serde(default)]
    #[schemars(example = ["registry.example.com/shop/"])]
    pub allowed_registries: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "Waiver")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawWaiver {
    /// The policy rule code, as `gen rules` lists it.
    pub rule: String,
    /// A service name (all its objects) or `Kind/name` (one object).
    pub target: String,
    /// Why the exception is safe; shown in `gen lint` and kept in the profile's history.
    #[schemars(example = &"Experiments call external APIs; dev holds no production data.")]
    pub reason: String,
}

/// Settings that every service may set, and that `serviceDefaults` sets for all of them.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "ServiceSettings")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawServiceSettings {
    /// Container ports by name: `http`, `metrics` and `extra`.
    pub ports: Option<RawPorts>,
    /// Health checks: `startup`, `liveness` and `readiness` (only the probes written are rendered),
    /// or `none` with the reason. A service's probes merge probe by probe and field by field over
    /// `serviceDefaults`.
    pub probes: Option<RawProbes>,
    /// Graceful shutdown: a pre-stop pause inside the termination grace period.
    pub shutdown: Option<RawShutdown>,
    /// CPU and memory, each a request and a limit; every service must have them, from here or from
    /// `serviceDefaults`.
    pub resources: Option<RawResources>,
    /// The uid and gid the pods run as; never 0 (root).
    #[schemars(example = 10002)]
    pub run_as_user: Option<i64>,
    /// Node labels the pods must be scheduled on (`workload-type: compute`).
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Plain environment variables; values stay strings. Secrets belong in `secrets`, never here
    /// (`secret-in-env`).
    pub env: Option<BTreeMap<String, String>>,
    /// Names of `network.egress` dependencies this service may reach (default: all of them).
    pub depends_on: Option<Vec<String>>,
    /// Prometheus metrics: the pods are annotated for scraping (`prometheus.io/*`), or with
    /// `monitor: true` a ServiceMonitor (web) or PodMonitor (worker) selects them. Merges field
    /// by field over `serviceDefaults`.
    pub metrics: Option<RawMetrics>,
    /// Extra labels on every object of the service and on its pods; gen's `app.kubernetes.io/*`
    /// keys are refused.
    pub labels: Option<BTreeMap<String, String>>,
    /// Extra annotations on every object of the service.
    pub annotations: Option<BTreeMap<String, String>>,
    /// Extra annotations on the pods; `prometheus.io/*` and `checksum/config` are gen's.
    pub pod_annotations: Option<BTreeMap<String, String>>,
    /// Keep replicas on different nodes: `required` or `preferred` (default: spread only).
    pub anti_affinity: Option<AntiAffinity>,
    /// Node taints the pods tolerate.
    pub tolerations: Option<Vec<RawToleration>>,
    /// The PriorityClass of the pods.
    pub priority_class_name: Option<String>,
    /// Replaces the image's entrypoint.
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    pub args: Option<Vec<String>>,
    /// ConfigMaps from `configs:` this service reads, as environment or as files.
    pub config: Option<Vec<RawConfigUse>>,
    /// Existing Secrets (or `externalSecrets:`) this service reads, by reference only.
    pub secrets: Option<Vec<RawSecretUse>>,
    /// Volumes by name: an emptyDir with a size limit, or an existing PersistentVolumeClaim.
    pub volumes: Option<BTreeMap<String, RawVolume>>,
    // Settings only some kinds use: a service inherits each one only if its kind uses it.
    /// How the Service is exposed (web services only).
    pub expose: Option<RawExpose>,
    /// Service level objectives: a PrometheusRule with recording rules, multi-window
    /// multi-burn-rate alerts on the error budget and a latency alert (web services only, with
    /// `metrics.monitor: true`). A service's own `slo` replaces the one in `serviceDefaults`.
    pub slo: Option<RawSlo>,
    /// How many pods run (web and worker); the tier's default when unset. Left out of the
    /// Deployment when `autoscaling` owns the count.
    pub replicas: Option<i64>,
    /// A HorizontalPodAutoscaler (autoscaling/v2) between `minReplicas` and `maxReplicas` on CPU
    /// and memory use (web and worker).
    pub autoscaling: Option<RawAutoscaling>,
    /// A VerticalPodAutoscaler that recommends or sets the container's requests (web and
    /// worker).
    pub vertical_scaling: Option<RawVerticalScaling>,
    /// The PodDisruptionBudget: `minAvailable` or `maxUnavailable` pods; without it the budget
    /// keeps all but one pod (web and worker).
    pub disruption_budget: Option<RawDisruptionBudget>,
    /// IANA time zone of the schedule, e.g. `Europe/Berlin` (cronjob only; default UTC).
    pub time_zone: Option<String>,
    /// What a cronjob does when the previous run has not finished: `Allow`, `Forbid` or `Replace`
    /// (cronjob only).
    pub concurrency_policy: Option<ConcurrencyPolicy>,
    /// How late, in seconds, a missed run may still start (cronjob only).
    pub starting_deadline_seconds: Option<i64>,
    /// How many successful Jobs a cronjob keeps (cronjob only).
    pub successful_jobs_history_limit: Option<i64>,
    /// How many failed Jobs a cronjob keeps (cronjob only).
    pub failed_jobs_history_limit: Option<i64>,
    /// Retries before a Job counts as failed (cronjob and job).
    pub backoff_limit: Option<i64>,
    /// The longest a Job may run, in seconds, before it is stopped (cronjob and job).
    pub active_deadline_seconds: Option<i64>,
    /// Delete a finished Job after this many seconds (cronjob and job).
    pub ttl_seconds_after_finished: Option<i64>,
    /// A failed pod restarts in place (`OnFailure`) or a new pod starts (`Never`) (cronjob and
    /// job).
    pub restart_policy: Option<RestartPolicy>,
}

/// What a service runs as.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AntiAffinity {
    /// Never two replicas on one node (pods stay pending when nodes run out).
    Required,
    /// Spread across nodes when the scheduler can.
    Preferred,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Service")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawService {
    /// What the service runs as: `web`, `worker`, `cronjob` or `job` (see the README's
    /// workload kinds).
    #[serde(default)]
    pub kind: WorkloadKind,
    /// The container image: `registry/repository:tag`, `@sha256:<digest>` or both. Prod requires a
    /// digest (`image-digest-required`).
    #[schemars(example = &"registry.example.com/shop/api:1.4.2")]
    pub image: String,
    /// The application version (`app.kubernetes.io/version`); taken from the image tag when unset.
    #[schemars(example = &"1.4.2")]
    pub version: Option<String>,
    /// Replaces the image's entrypoint.
    pub command: Option<Vec<String>>,
    /// Arguments to the entrypoint.
    pub args: Option<Vec<String>>,
    /// How many pods run (web and worker); the tier's default when unset. Left out of the
    /// Deployment when `autoscaling` owns the count.
    pub replicas: Option<i64>,
    /// A HorizontalPodAutoscaler (autoscaling/v2) between `minReplicas` and `maxReplicas` on CPU
    /// and memory use (web and worker).
    pub autoscaling: Option<RawAutoscaling>,
    /// A VerticalPodAutoscaler that recommends or sets the container's requests (web and
    /// worker).
    pub vertical_scaling: Option<RawVerticalScaling>,
    /// The PodDisruptionBudget: `minAvailable` or `maxUnavailable` pods; without it the budget
    /// keeps all but one pod (web and worker).
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
    /// Other services of this profile that may call this one, and on which named ports; renders
    /// both this service's ingress and the caller's egress.
    pub allow_from: Option<Vec<RawServicePeer>>,
    // CronJob and Job settings.
    /// Five cron fields or a macro such as `@daily` (cronjob only).
    pub schedule: Option<String>,
    /// IANA time zone of the schedule, e.g. `Europe/Berlin` (cronjob only; default UTC).
    pub time_zone: Option<String>,
    /// What a cronjob does when the previous run has not finished: `Allow`, `Forbid` or `Replace`
    /// (cronjob only).
    pub concurrency_policy: Option<ConcurrencyPolicy>,
    /// How late, in seconds, a missed run may still start (cronjob only).
    pub starting_deadline_seconds: Option<i64>,
    /// How many successful Jobs a cronjob keeps (cronjob only).
    pub successful_jobs_history_limit: Option<i64>,
    /// How many failed Jobs a cronjob keeps (cronjob only).
    pub failed_jobs_history_limit: Option<i64>,
    /// Retries before a Job counts as failed (cronjob and job).
    pub backoff_limit: Option<i64>,
    /// The longest a Job may run, in seconds, before it is stopped (cronjob and job).
    pub active_deadline_seconds: Option<i64>,
    /// Delete a finished Job after this many seconds (cronjob and job).
    pub ttl_seconds_after_finished: Option<i64>,
    /// A failed pod restarts in place (`OnFailure`) or a new pod starts (`Never`) (cronjob and
    /// job).
    pub restart_policy: Option<RestartPolicy>,
    // The settings below mirror `RawServiceSettings`. serde cannot combine `flatten` with
    // `deny_unknown_fields`, and strictness matters more here than a few repeated lines.
    /// Container ports by name: `http`, `metrics` and `extra`.
    pub ports: Option<RawPorts>,
    /// Health checks: `startup`, `liveness` and `readiness` (only the probes written are rendered),
    /// or `none` with the reason. A service's probes merge probe by probe and field by field over
    /// `serviceDefaults`.
    pub probes: Option<RawProbes>,
    /// Graceful shutdown: a pre-stop pause inside the termination grace period.
    pub shutdown: Option<RawShutdown>,
    /// CPU and memory, each a request and a limit; every service must have them, from here or from
    /// `serviceDefaults`.
    pub resources: Option<RawResources>,
    /// The uid and gid the pods run as; never 0 (root).
    #[schemars(example = 10002)]
    pub run_as_user: Option<i64>,
    /// Node labels the pods must be scheduled on (`workload-type: compute`).
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Plain environment variables; values stay strings. Secrets belong in `secrets`, never here
    /// (`secret-in-env`).
    pub env: Option<BTreeMap<String, String>>,
    /// Names of `network.egress` dependencies this service may reach (default: all of them).
    pub depends_on: Option<Vec<String>>,
    /// Prometheus metrics: the pods are annotated for scraping (`prometheus.io/*`), or with
    /// `monitor: true` a ServiceMonitor (web) or PodMonitor (worker) selects them. Merges field
    /// by field over `serviceDefaults`.
    pub metrics: Option<RawMetrics>,
    /// Extra labels on every object of the service and on its pods; gen's `app.kubernetes.io/*`
    /// keys are refused.
    pub labels: Option<BTreeMap<String, String>>,
    /// Extra annotations on every object of the service.
    pub annotations: Option<BTreeMap<String, String>>,
    /// Extra annotations on the pods; `prometheus.io/*` and `checksum/config` are gen's.
    pub pod_annotations: Option<BTreeMap<String, String>>,
    /// Keep replicas on different nodes: `required` or `preferred` (default: spread only).
    pub anti_affinity: Option<AntiAffinity>,
    /// Node taints the pods tolerate.
    pub tolerations: Option<Vec<RawToleration>>,
    /// The PriorityClass of the pods.
    pub priority_class_name: Option<String>,
    /// Service level objectives: a PrometheusRule with recording rules, multi-window
    /// multi-burn-rate alerts on the error budget and a latency alert (web services only, with
    /// `metrics.monitor: true`). A service's own `slo` replaces the one in `serviceDefaults`.
    pub slo: Option<RawSlo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum ConcurrencyPolicy {
    Allow,
    Forbid,
    Replace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum RestartPolicy {
    OnFailure,
    Never,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Toleration")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawToleration {
    /// The taint key tolerated; with `operator: Exists` and no key, every taint.
    pub key: Option<String>,
    /// `Equal` (default) or `Exists`.
    pub operator: Option<TolerationOperator>,
    /// The taint value, with `operator: Equal`.
    pub value: Option<String>,
    /// The taint effect tolerated; every effect when unset.
    pub effect: Option<TaintEffect>,
    /// How long the pods stay on a node tainted `NoExecute` before they are evicted.
    #[schemars(example = 300)]
    pub toleration_seconds: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum TolerationOperator {
    Equal,
    Exists,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Expose")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawExpose {
    /// `ClusterIP` (default) or `LoadBalancer`. A LoadBalancer never publishes the metrics port.
    #[serde(rename = "type")]
    pub service_type: Option<ServiceType>,
    /// Client CIDRs a LoadBalancer admits, and its NetworkPolicy lets in (anywhere without them).
    pub load_balancer_source_ranges: Option<Vec<String>>,
    /// `Cluster` or `Local` (LoadBalancer only; `Local`, the default there, keeps the client
    /// address the NetworkPolicy filters on; with `Cluster` only the load balancer's ranges
    /// filter).
    pub external_traffic_policy: Option<TrafficPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum ServiceType {
    ClusterIP,
    LoadBalancer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum TrafficPolicy {
    Cluster,
    Local,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "ConfigUse")]
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

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "SecretUse")]
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
    #[schemars(example = serde_json::json!({"DATABASE_URL": "database-url"}))]
    pub env: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Permission")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPermission {
    /// API groups; defaults to the core group `""`.
    #[schemars(example = ["apps"])]
    pub api_groups: Option<Vec<String>>,
    /// Resources, by plural name (`configmaps`, `deployments`, `pods/log`).
    pub resources: Vec<String>,
    /// Verbs allowed on them (`get`, `list`, `watch`, ...).
    pub verbs: Vec<String>,
    /// Only these objects.
    pub resource_names: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Volume")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawVolume {
    /// Where the volume is mounted in the container.
    pub mount_path: String,
    /// A scratch directory, at most `sizeLimit` large.
    pub empty_dir: Option<RawEmptyDir>,
    /// An existing PersistentVolumeClaim, by name.
    pub claim: Option<String>,
    /// Mount the volume read-only.
    #[serde(default)]
    #[schemars(example = true)]
    pub read_only: bool,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "EmptyDir")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawEmptyDir {
    /// The most it may hold, as a quantity (`1Gi`).
    pub size_limit: String,
    /// `Memory` keeps it in RAM (counted against the memory limit).
    pub medium: Option<EmptyDirMedium>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum EmptyDirMedium {
    Memory,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "ServicePeer")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawServicePeer {
    /// A service of this profile that may call this one.
    pub service: String,
    /// Named ports of this service the caller may reach; defaults to `[http]`.
    pub ports: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "ExternalSecret")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawExternalSecret {
    /// The SecretStore or ClusterSecretStore the values come from.
    pub store: RawSecretStoreRef,
    /// How often the operator syncs, as a duration (`1h`, `15m`).
    pub refresh_interval: Option<String>,
    /// Secret keys and where each comes from in the store.
    pub data: BTreeMap<String, RawRemoteRef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "SecretStoreRef")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawSecretStoreRef {
    /// The store's name.
    pub name: String,
    /// `SecretStore` (default, in the namespace) or `ClusterSecretStore`.
    pub kind: Option<SecretStoreKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum SecretStoreKind {
    SecretStore,
    ClusterSecretStore,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "RemoteRef")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRemoteRef {
    /// The key in the external store, e.g. `llm-cost-ops/database-url`.
    pub key: String,
    /// One property of a JSON value stored under the key.
    pub property: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Ports")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPorts {
    /// The port the app serves HTTP on; workers have none unless they set it.
    pub http: Option<i64>,
    /// The metrics port; may be the HTTP port when the app serves `/metrics` there.
    pub metrics: Option<i64>,
    /// More named container ports (and Service ports, for web services): `{grpc: 9000}`, with
    /// IANA port names of at most 15 characters.
    pub extra: Option<BTreeMap<String, i64>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Probes")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProbes {
    /// Holds the other probes back until the app has started.
    pub startup: Option<RawProbe>,
    /// Restarts the container when it fails.
    pub liveness: Option<RawProbe>,
    /// Takes the pod out of its Service while it fails.
    pub readiness: Option<RawProbe>,
    /// No probes at all, with the reason (workers only): the process itself is the check.
    pub none: Option<String>,
}

/// One probe: exactly one of `path` (HTTP GET), `tcp`, `grpc` or `exec`, and its timings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[schemars(rename = "Probe")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawProbe {
    /// HTTP GET this path, on `port` (default: the `http` port).
    pub path: Option<String>,
    /// The port of a `path` check, by name or number (default: `http`).
    #[schemars(example = &"http")]
    pub port: Option<PortRef>,
    /// Open a TCP connection to this port.
    pub tcp: Option<PortRef>,
    /// gRPC health check on this port.
    pub grpc: Option<PortRef>,
    /// Run this command in the container; exit 0 is healthy.
    pub exec: Option<Vec<String>>,
    /// Seconds between two checks.
    pub period_seconds: Option<i64>,
    /// Seconds one check may take.
    pub timeout_seconds: Option<i64>,
    /// Failures in a row before the probe counts as failed.
    pub failure_threshold: Option<i64>,
    /// Seconds after the container starts before the first check.
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

/// `PortRef` reads a string or an integer (see its `Deserialize`), and says so to editors.
impl JsonSchema for PortRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PortRef".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A container port by name (`http`) or number (`8000`).",
            "anyOf": [
                {"type": "string", "examples": ["http"]},
                {"type": "integer", "minimum": 1, "maximum": 65535}
            ]
        })
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Shutdown")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawShutdown {
    /// Seconds the container keeps serving after it is told to stop, while it is taken out of the
    /// load balancers (a `sleep` action: no shell needed; web and worker only).
    pub pre_stop_sleep_seconds: Option<i64>,
    /// Seconds Kubernetes waits for the pod to exit before it kills it; longer than the pre-stop
    /// pause.
    pub termination_grace_period_seconds: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Resources")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawResources {
    /// CPU, in cores (`250m`, `1`).
    pub cpu: RawRequestLimit,
    /// Memory, in bytes (`512Mi`, `2Gi`).
    pub memory: RawRequestLimit,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "RequestLimit")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRequestLimit {
    /// What the scheduler reserves for the container; at most the limit.
    pub request: String,
    /// The most the container may use.
    pub limit: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Autoscaling")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawAutoscaling {
    /// The fewest pods (at least 2 in prod, `hpa-min-below-two`); defaults to `replicas`.
    pub min_replicas: Option<i64>,
    /// The most pods; every autoscaler needs it, written here or inherited from `serviceDefaults`.
    pub max_replicas: Option<i64>,
    /// The average CPU use the autoscaler aims for, in percent of the request.
    pub target_cpu_utilization: Option<i64>,
    /// The average memory use the autoscaler aims for, in percent of the request.
    pub target_memory_utilization: Option<i64>,
    /// How fast pods may be added.
    pub scale_up: Option<RawScalingRule>,
    /// How fast pods may be removed.
    pub scale_down: Option<RawScalingRule>,
    /// Custom metrics the autoscaler also scales on, each one of `pods`, `object` or `external`,
    /// served by a metrics adapter (prometheus-adapter, KEDA's metrics server, a cloud's).
    pub metrics: Option<Vec<RawMetricTarget>>,
    /// Event sources KEDA scales on (`kafka` consumer lag, `redis` list length, a `prometheus`
    /// query, a `cron` window). With triggers the service gets a KEDA ScaledObject instead of an
    /// HPA: the same replica range, CPU and memory targets and scaling rules, and KEDA runs the
    /// HPA. Cannot be combined with `metrics`.
    pub triggers: Option<Vec<RawTrigger>>,
}

/// One custom metric of an autoscaler: exactly one of `pods`, `object` and `external`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "MetricTarget")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawMetricTarget {
    /// A metric every pod reports (requests per second per pod); the autoscaler aims for
    /// `averageValue` per pod.
    pub pods: Option<RawPodsMetric>,
    /// A metric of another object in the namespace (the requests an Ingress counts).
    pub object: Option<RawObjectMetric>,
    /// A metric from outside the cluster (a queue's length at a cloud provider).
    pub external: Option<RawExternalMetric>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "PodsMetric")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPodsMetric {
    /// The metric's name as the metrics API serves it.
    #[schemars(example = &"http_requests_per_second")]
    pub name: String,
    /// Labels that narrow the metric's series.
    pub selector: Option<BTreeMap<String, String>>,
    /// The value per pod the autoscaler aims for, a quantity (`100`, `500m`).
    #[schemars(example = &"100")]
    pub average_value: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "ObjectMetric")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawObjectMetric {
    /// The metric's name as the metrics API serves it.
    #[schemars(example = &"requests_per_second")]
    pub name: String,
    /// Labels that narrow the metric's series.
    pub selector: Option<BTreeMap<String, String>>,
    /// The object the metric describes, in the profile's namespace.
    pub described_object: RawObjectReference,
    /// The metric's value the autoscaler aims for (exactly one of `value` and `averageValue`).
    pub value: Option<String>,
    /// The metric's value divided by the pods, to aim for.
    pub average_value: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "ExternalMetric")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawExternalMetric {
    /// The metric's name as the external metrics API serves it.
    #[schemars(example = &"queue_messages_ready")]
    pub name: String,
    /// Labels that narrow the metric's series.
    pub selector: Option<BTreeMap<String, String>>,
    /// The metric's value the autoscaler aims for (exactly one of `value` and `averageValue`).
    pub value: Option<String>,
    /// The metric's value divided by the pods, to aim for.
    pub average_value: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "ObjectReference")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawObjectReference {
    /// The object's API group and version.
    #[schemars(example = &"networking.k8s.io/v1")]
    pub api_version: String,
    /// The object's kind.
    #[schemars(example = &"Ingress")]
    pub kind: String,
    /// The object's name.
    pub name: String,
}

/// One event source KEDA scales on: exactly one of `kafka`, `redis`, `prometheus` and `cron`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Trigger")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawTrigger {
    /// Scale on a Kafka consumer group's lag.
    pub kafka: Option<RawKafkaTrigger>,
    /// Scale on the length of a Redis list.
    pub redis: Option<RawRedisTrigger>,
    /// Scale on the value of a Prometheus query.
    pub prometheus: Option<RawPrometheusTrigger>,
    /// Keep `desiredReplicas` pods between `start` and `end`.
    pub cron: Option<RawCronTrigger>,
    /// The `triggerAuthentications` entry the scaler reads its credentials from.
    pub authentication: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "KafkaTrigger")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawKafkaTrigger {
    /// Brokers, comma-separated `host:port`.
    #[schemars(example = &"kafka.data.svc:9092")]
    pub bootstrap_servers: String,
    /// The consumer group whose lag counts.
    pub consumer_group: String,
    /// The topic the group consumes.
    pub topic: String,
    /// The lag per pod KEDA aims for (KEDA's default: 10).
    pub lag_threshold: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "RedisTrigger")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRedisTrigger {
    /// The Redis server, `host:port`.
    #[schemars(example = &"redis.data.svc:6379")]
    pub address: String,
    /// The list whose length counts.
    pub list_name: String,
    /// The list length per pod KEDA aims for (KEDA's default: 5).
    pub list_length: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "PrometheusTrigger")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPrometheusTrigger {
    /// The Prometheus server's URL.
    #[schemars(example = &"http://prometheus.monitoring.svc:9090")]
    pub server_address: String,
    /// A PromQL query that returns one value.
    pub query: String,
    /// The query's value per pod KEDA aims for, a number.
    #[schemars(example = &"100")]
    pub threshold: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "CronTrigger")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawCronTrigger {
    /// IANA time zone of `start` and `end`.
    #[schemars(example = &"Europe/Berlin")]
    pub timezone: String,
    /// Five cron fields: when the window opens.
    #[schemars(example = &"0 8 * * 1-5")]
    pub start: String,
    /// Five cron fields: when the window closes.
    #[schemars(example = &"0 20 * * 1-5")]
    pub end: String,
    /// Pods to keep within the window.
    pub desired_replicas: i64,
}

/// Credentials a KEDA scaler reads from one existing Secret: a TriggerAuthentication.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "TriggerAuthentication")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawTriggerAuthentication {
    /// The Secret, in the profile's namespace, by reference only.
    pub secret: String,
    /// Scaler parameters (`sasl`, `username`, `password`, `tls`, ...) and the Secret key each
    /// is read from.
    pub parameters: BTreeMap<String, String>,
}

/// A VerticalPodAutoscaler (`autoscaling.k8s.io/v1`) for the service's container.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "VerticalScaling")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawVerticalScaling {
    /// `Off` only recommends, `Initial` sets requests when pods start, `Recreate` and `Auto`
    /// evict pods to change them, `InPlaceOrRecreate` resizes running pods where it can. A
    /// mode that changes running pods fights an autoscaler on the same resource
    /// (`autoscalers-conflict`).
    pub mode: VerticalScalingMode,
    /// The least the VPA may set.
    pub min: Option<RawCpuMemory>,
    /// The most the VPA may set.
    pub max: Option<RawCpuMemory>,
    /// The resources the VPA controls (default both).
    pub resources: Option<Vec<ScaledResource>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum VerticalScalingMode {
    Off,
    Initial,
    Recreate,
    InPlaceOrRecreate,
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScaledResource {
    Cpu,
    Memory,
}

/// How fast the autoscaler may move: by `percent` and/or by `pods` per `periodSeconds`; when both
/// are given the larger change wins.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "ScalingRule")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawScalingRule {
    /// Change by up to this percentage of the current pods per period.
    pub percent: Option<i64>,
    /// Change by up to this many pods per period.
    pub pods: Option<i64>,
    /// The period a change is counted over, 1 to 1800 seconds.
    pub period_seconds: Option<i64>,
    /// How far back, in seconds, the autoscaler looks before it changes the count, so a short spike
    /// does not flap (0 to 3600).
    pub stabilization_window_seconds: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "DisruptionBudget")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawDisruptionBudget {
    /// Pods that stay up during voluntary disruptions such as node drains; below the replica count,
    /// or no drain could proceed.
    pub min_available: Option<i64>,
    /// Pods that may be down at once during voluntary disruptions; at least 1.
    pub max_unavailable: Option<i64>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[schemars(rename = "Network")]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EgressMode {
    Restricted,
    Open,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "IngressPeer")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawIngressPeer {
    /// A namespace whose pods may call in (`ingress-nginx`, `platform-monitoring`).
    pub namespace: String,
    /// Named ports (`http`, `metrics`) the peer may reach.
    pub ports: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "Dependency")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawDependency {
    /// The dependency's name, as `dependsOn` names it.
    pub name: String,
    /// The namespace it runs in; it may be the profile's own.
    pub namespace: String,
    /// The TCP port the services reach it on.
    pub port: i64,
    /// Pod labels of the dependency; defaults to `app.kubernetes.io/name: <name>`.
    pub pod_labels: Option<BTreeMap<String, String>>,
    /// Other namespaces whose pods may call the dependency on its port, for a dependency in the
    /// profile's own namespace: the application namespaces an infrastructure namespace serves.
    /// gen's default deny would shut them out otherwise.
    pub from_namespaces: Option<Vec<String>>,
}
