//! One service of any kind (web, worker, cronjob, job): its container, pod and metadata.
//! The settings each kind adds live beside this file: probes, scaling, schedule, config, rbac.

use std::collections::BTreeMap;

use super::names::dns1035_label;
use super::{Resolver, ServiceContext};
use crate::image;
use crate::model::{EnvVar, Expose, Labels, Metrics, Port, Resources, Service, Toleration};
use crate::profile::{
    RawAutoscaling, RawMetrics, RawProbes, RawProfile, RawRequestLimit, RawScalingRule, RawService, RawServiceSettings,
    ServiceType, TolerationOperator, TrafficPolicy, WorkloadKind,
};

pub(crate) const DEFAULT_HTTP_PORT: i64 = 8080;
pub(crate) const DEFAULT_RUN_AS_USER: i64 = 10001;
pub(crate) const DEFAULT_PRE_STOP_SLEEP: i64 = 15;
/// The field the pre-stop pause renders, as the version facts name it.
const PRE_STOP_SLEEP_FIELD: &str = "containers[].lifecycle.preStop.sleep";
pub(crate) const DEFAULT_GRACE_PERIOD: i64 = 30;
pub(crate) const DEFAULT_METRICS_PATH: &str = "/metrics";

/// Label keys gen sets itself; the profile's extra labels may not replace them.
const GEN_LABELS: &[&str] = &[
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/component",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/version",
];

/// Annotation prefixes and keys no profile may set: gen's own scanner skips (only a waiver
/// adds one), security profiles that would override gen's RuntimeDefault (Pod Security rejects
/// `unconfined`), and bookkeeping of kubectl and the Deployment controller.
const RESERVED_ANNOTATION_PREFIXES: &[&str] = &[
    "checkov.io/",
    "container.apparmor.security.beta.kubernetes.io/",
    "seccomp.security.alpha.kubernetes.io/",
    "container.seccomp.security.alpha.kubernetes.io/",
    "kubectl.kubernetes.io/",
    "deployment.kubernetes.io/",
];

/// Label prefixes Kubernetes reserves for its own components.
const RESERVED_LABEL_DOMAINS: &[&str] = &["kubernetes.io", "k8s.io"];

/// Annotation keys gen writes on pods.
const GEN_POD_ANNOTATIONS: &[&str] = &[
    "checksum/config",
    "prometheus.io/scrape",
    "prometheus.io/port",
    "prometheus.io/path",
];

/// Keys of a service that only some kinds take, with the kinds that take them.
const KIND_ONLY_KEYS: &[(&str, &[WorkloadKind])] = &[
    ("replicas", &[WorkloadKind::Web, WorkloadKind::Worker]),
    ("autoscaling", &[WorkloadKind::Web, WorkloadKind::Worker]),
    ("verticalScaling", &[WorkloadKind::Web, WorkloadKind::Worker]),
    ("disruptionBudget", &[WorkloadKind::Web, WorkloadKind::Worker]),
    ("allowFrom", &[WorkloadKind::Web, WorkloadKind::Worker]),
    ("ports", &[WorkloadKind::Web, WorkloadKind::Worker]),
    ("probes", &[WorkloadKind::Web, WorkloadKind::Worker]),
    ("expose", &[WorkloadKind::Web]),
    ("slo", &[WorkloadKind::Web]),
    ("antiAffinity", &[WorkloadKind::Web, WorkloadKind::Worker]),
    (
        "shutdown.preStopSleepSeconds",
        &[WorkloadKind::Web, WorkloadKind::Worker],
    ),
    ("schedule", &[WorkloadKind::Cronjob]),
    ("timeZone", &[WorkloadKind::Cronjob]),
    ("concurrencyPolicy", &[WorkloadKind::Cronjob]),
    ("startingDeadlineSeconds", &[WorkloadKind::Cronjob]),
    ("successfulJobsHistoryLimit", &[WorkloadKind::Cronjob]),
    ("failedJobsHistoryLimit", &[WorkloadKind::Cronjob]),
    ("backoffLimit", &[WorkloadKind::Cronjob, WorkloadKind::Job]),
    ("activeDeadlineSeconds", &[WorkloadKind::Cronjob, WorkloadKind::Job]),
    ("ttlSecondsAfterFinished", &[WorkloadKind::Cronjob, WorkloadKind::Job]),
    ("restartPolicy", &[WorkloadKind::Cronjob, WorkloadKind::Job]),
];

impl Resolver<'_> {
    pub(super) fn service(&mut self, name: &str, raw: &RawService, context: &ServiceContext) -> Service {
        let path = format!("services.{name}");
        if let Err(problem) = dns1035_label(name) {
            self.error(
                "invalid-name",
                &path,
                format!("service name `{name}` {problem}"),
                "service names are lowercase letters, digits and `-`, start with a letter, at most 63 characters",
            );
        }
        let kind = raw.kind;
        // The CronJob controller appends an 11-character suffix to each Job it starts.
        if kind == WorkloadKind::Cronjob && name.len() > 52 {
            self.error(
                "invalid-name",
                &path,
                format!(
                    "cronjob name `{name}` is {} characters long; the limit is 52",
                    name.len()
                ),
                "Kubernetes appends a suffix to each Job a CronJob starts: use at most 52 characters",
            );
        }
        self.keys_for_kind(&path, name, kind);
        let raw = &with_inherited(&context.raw_profile.service_defaults, raw);
        let settings = merge(&context.raw_profile.service_defaults, raw);
        let version = self.version(&path, raw);
        let (ports, metrics) = self.ports(&path, kind, &settings);
        let resources = self.resources(&path, &settings);
        let probes = self.probes(&path, kind, &settings, &ports);
        let (pre_stop_sleep_seconds, termination_grace_period_seconds) = self.shutdown(&path, kind, &settings);
        let run_as_user = settings.run_as_user.unwrap_or(DEFAULT_RUN_AS_USER);
        if run_as_user < 0 {
            self.error(
                "invalid-value",
                &format!("{path}.runAsUser"),
                format!("runAsUser {run_as_user} is not a uid"),
                "use a non-root uid, 10000 or higher",
            );
        }
        let node_selector = settings.node_selector.clone().unwrap_or_default();
        self.labels(&format!("{path}.nodeSelector"), &node_selector);
        let tolerations = self.tolerations(&path, &settings);
        if let Some(class) = &settings.priority_class_name {
            self.object_name(&format!("{path}.priorityClassName"), "priority class", class);
        }
        let env = self.env(&path, &settings);
        let reads = self.service_reads(&path, raw, context.raw_profile, &env);
        let volumes = self.volumes(&path, raw, reads.volumes);
        let (service_account, owns_service_account) = self.service_account(&path, name, raw);
        let permissions = self.permissions(&path, raw);
        let automount_token = !permissions.is_empty();
        let long_running = kind.is_long_running();
        let replicas = raw.replicas.unwrap_or(context.defaults.replicas);
        if raw.replicas.is_some() && replicas < 1 {
            self.error(
                "invalid-replicas",
                &format!("{path}.replicas"),
                format!("replicas must be at least 1, not {replicas}"),
                "set replicas to 1 or more",
            );
        }
        let autoscaling = raw.autoscaling.as_ref().filter(|_| long_running).map(|a| {
            self.autoscaling(
                &format!("{path}.autoscaling"),
                a,
                raw.replicas,
                replicas,
                &context.raw_profile.trigger_authentications,
            )
        });
        let vertical_scaling = raw
            .vertical_scaling
            .as_ref()
            .filter(|_| long_running)
            .map(|v| self.vertical_scaling(&format!("{path}.verticalScaling"), v));
        let floor = autoscaling.as_ref().map_or(replicas, |a| a.min_replicas);
        let disruption_budget = long_running.then(|| self.disruption_budget(&path, raw, floor));
        let egress = self.service_egress(&path, &settings, context.dependencies);
        let selector = Labels::from([
            ("app.kubernetes.io/name".to_owned(), name.to_owned()),
            ("app.kubernetes.io/instance".to_owned(), context.instance.to_owned()),
        ]);
        let mut labels = selector.clone();
        labels.insert("app.kubernetes.io/part-of".into(), context.raw_profile.app.clone());
        labels.insert("app.kubernetes.io/component".into(), component(kind).into());
        labels.insert("app.kubernetes.io/managed-by".into(), "gen".into());
        if let Some(version) = version {
            labels.insert("app.kubernetes.io/version".into(), version);
        }
        labels.extend(self.extra_labels(&path, &settings));
        let annotations = self.annotations(&format!("{path}.annotations"), settings.annotations.as_ref(), &[]);
        let mut pod_annotations = self.annotations(
            &format!("{path}.podAnnotations"),
            settings.pod_annotations.as_ref(),
            GEN_POD_ANNOTATIONS,
        );
        if let Some(hash) = &reads.config_hash {
            pod_annotations.insert("checksum/config".into(), hash.clone());
        }
        let expose = self.expose(&path, kind, raw, &ports);
        let scope = super::observability::Scope {
            path: &path,
            name,
            namespace: &context.raw_profile.namespace,
        };
        let mut metrics = metrics;
        if let Some(metrics) = metrics.as_mut() {
            let published = expose
                .as_ref()
                .is_some_and(|e| e.ports.iter().any(|p| p.name == metrics.port_name));
            self.monitor(&scope, kind, settings.metrics.as_ref(), metrics, published);
        }
        let alert_rules = self.alert_rules(&scope, raw.slo.as_ref(), settings.metrics.as_ref(), metrics.as_ref());
        let load_balancer_clients = expose
            .as_ref()
            .filter(|e| e.service_type == ServiceType::LoadBalancer)
            .map(|e| {
                // With `Cluster`, traffic arrives from node addresses: only the load balancer's
                // own source ranges can filter it.
                let preserved = e.external_traffic_policy != Some(TrafficPolicy::Cluster);
                if e.load_balancer_source_ranges.is_empty() || !preserved {
                    vec!["0.0.0.0/0".to_owned(), "::/0".to_owned()]
                } else {
                    e.load_balancer_source_ranges.clone()
                }
            })
            .unwrap_or_default();
        if let Some(metrics) = metrics.as_ref().filter(|m| m.annotate) {
            pod_annotations.insert("prometheus.io/scrape".into(), "true".into());
            pod_annotations.insert("prometheus.io/port".into(), metrics.port.to_string());
            pod_annotations.insert("prometheus.io/path".into(), metrics.path.clone());
        }
        let serves_http = kind == WorkloadKind::Web;
        let ingress_peers = super::network::peers_for(context.peers, &ports, metrics.as_ref(), serves_http);
        let (cron, job) = self.run_to_completion(&path, kind, raw);
        let skips = scanner_skips(context.raw_profile, name, kind, automount_token, &probes.none_reason);
        let workload_annotations = with_scanner_skips(&annotations, &skips);
        let service = Service {
            name: name.to_owned(),
            kind,
            labels,
            selector,
            annotations,
            workload_annotations,
            pod_annotations,
            image: raw.image.clone(),
            command: raw.command.clone().unwrap_or_default(),
            args: raw.args.clone().unwrap_or_default(),
            replicas: if autoscaling.is_some() || !long_running {
                None
            } else {
                Some(replicas)
            },
            ports,
            expose,
            metrics,
            alert_rules,
            resources,
            probes,
            pre_stop_sleep_seconds,
            termination_grace_period_seconds,
            run_as_user,
            node_selector,
            tolerations,
            priority_class_name: settings.priority_class_name.clone(),
            anti_affinity: settings.anti_affinity.filter(|_| long_running),
            env,
            secret_env: reads.secret_env,
            config_env: reads.config_env,
            env_from_config_maps: reads.env_from_config_maps,
            volumes,
            config_hash: reads.config_hash,
            service_account,
            owns_service_account,
            permissions,
            automount_token,
            autoscaling,
            vertical_scaling,
            disruption_budget,
            ingress_peers,
            callers: Vec::new(),
            callees: Vec::new(),
            load_balancer_clients,
            egress,
            cron,
            job,
        };
        self.fits_int32(&path, &super::scaling::int32_fields(&service, replicas));
        service
    }

    /// Settings written for a kind that cannot use them are mistakes, not silent no-ops.
    fn keys_for_kind(&mut self, path: &str, name: &str, kind: WorkloadKind) {
        for (key, kinds) in KIND_ONLY_KEYS.iter().filter(|(_, kinds)| !kinds.contains(&kind)) {
            let key_path = format!("{path}.{key}");
            if self.source.exact_position(&key_path).is_some() {
                let takers: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                self.error(
                    "kind-mismatch",
                    &key_path,
                    format!("`{key}` does not apply to `{name}`, which is a {}", kind.as_str()),
                    format!(
                        "`{key}` is for services of kind {}; remove it, or set `kind:`",
                        takers.join(" or ")
                    ),
                );
            }
        }
    }

    /// Validates the image and returns the version label: explicit, else the image tag.
    fn version(&mut self, path: &str, raw: &RawService) -> Option<String> {
        let image = match image::parse(&raw.image) {
            Ok(image) => image,
            Err(problem) => {
                self.error(
                    "invalid-image",
                    &format!("{path}.image"),
                    problem,
                    "write the image as `registry/repository:tag` or `registry/repository@sha256:<digest>`",
                );
                return None;
            }
        };
        let version = raw.version.clone().or(image.tag)?;
        if let Err(problem) = super::label_value(&version) {
            let at = if raw.version.is_some() { "version" } else { "image" };
            self.error(
                "invalid-label-value",
                &format!("{path}.{at}"),
                format!("version `{version}` cannot be a label value: {problem}"),
                "set `version:` to a label-safe value such as `1.4.2`",
            );
        }
        Some(version)
    }

    /// The container ports (web services always serve `http`), and where metrics are served.
    fn ports(&mut self, path: &str, kind: WorkloadKind, settings: &RawServiceSettings) -> (Vec<Port>, Option<Metrics>) {
        if !kind.is_long_running() {
            if settings.metrics.is_some() {
                self.error(
                    "kind-mismatch",
                    &format!("{path}.metrics"),
                    format!("a {} serves no metrics port to scrape", kind.as_str()),
                    "remove `metrics`; push metrics from short-lived jobs to a Pushgateway instead",
                );
            }
            return (Vec::new(), None);
        }
        let raw = settings.ports.as_ref();
        let http = match (kind, raw.and_then(|p| p.http)) {
            (_, Some(port)) => Some(port),
            (WorkloadKind::Web, None) => Some(DEFAULT_HTTP_PORT),
            _ => None,
        };
        let mut ports = Vec::new();
        if let Some(http) = http {
            self.port(&format!("{path}.ports.http"), http);
            ports.push(Port {
                name: "http".into(),
                port: http,
            });
        }
        let metrics_port = raw.and_then(|p| p.metrics);
        let metrics_port_name = match metrics_port {
            Some(port) if Some(port) == http => Some("http"),
            Some(port) => {
                self.port(&format!("{path}.ports.metrics"), port);
                ports.push(Port {
                    name: "metrics".into(),
                    port,
                });
                Some("metrics")
            }
            None => None,
        };
        for (name, number) in raw.and_then(|p| p.extra.as_ref()).into_iter().flatten() {
            let key = format!("{path}.ports.extra.{name}");
            if let Err(problem) = port_name(name) {
                self.error(
                    "invalid-name",
                    &key,
                    format!("port name `{name}` {problem}"),
                    "port names are 1 to 15 lowercase letters, digits and `-`, with at least one letter",
                );
            }
            if matches!(name.as_str(), "http" | "metrics") {
                self.error(
                    "duplicate-port",
                    &key,
                    format!("`{name}` is already a port of its own"),
                    format!("set `ports.{name}` instead"),
                );
            }
            self.port(&key, *number);
            ports.push(Port {
                name: name.clone(),
                port: *number,
            });
        }
        for (index, port) in ports.iter().enumerate() {
            if let Some(first) = ports[..index].iter().find(|p| p.port == port.port) {
                let key = if port.name == "metrics" {
                    "ports.metrics".to_owned()
                } else {
                    format!("ports.extra.{}", port.name)
                };
                self.error(
                    "duplicate-port",
                    &format!("{path}.{key}"),
                    format!("`{}` and `{}` both use port {}", first.name, port.name, port.port),
                    "give each port a number of its own",
                );
            }
        }
        let metrics = match (metrics_port_name, &settings.metrics) {
            (Some(name), declared) => Some(Metrics {
                port_name: name.to_owned(),
                port: metrics_port.unwrap_or_default(),
                path: declared
                    .as_ref()
                    .and_then(|m| m.path.clone())
                    .unwrap_or_else(|| DEFAULT_METRICS_PATH.to_owned()),
                annotate: declared.is_some(),
                monitor: None,
            }),
            (None, Some(_)) => {
                self.error(
                    "unknown-port",
                    &format!("{path}.metrics"),
                    "metrics are declared but no port serves them",
                    "set `ports.metrics` (the HTTP port itself when the app serves `/metrics` there)",
                );
                None
            }
            (None, None) => None,
        };
        if let Some(metrics) = &metrics {
            self.http_path(&format!("{path}.metrics.path"), &metrics.path);
        }
        (ports, metrics)
    }

    pub(super) fn http_path(&mut self, path: &str, value: &str) {
        if !value.starts_with('/') || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.error(
                "invalid-path",
                path,
                format!("`{value}` must start with `/` and contain no spaces"),
                "write an absolute HTTP path such as `/metrics`",
            );
        }
    }

    fn expose(&mut self, path: &str, kind: WorkloadKind, raw: &RawService, ports: &[Port]) -> Option<Expose> {
        if kind != WorkloadKind::Web {
            return None;
        }
        let expose = raw.expose.as_ref();
        let service_type = expose.and_then(|e| e.service_type).unwrap_or(ServiceType::ClusterIP);
        let ranges = expose
            .and_then(|e| e.load_balancer_source_ranges.clone())
            .unwrap_or_default();
        // Local keeps the client's address, which the NetworkPolicy's ipBlocks need to admit
        // the source ranges; with Cluster, nodes re-address the traffic.
        let traffic_policy = expose
            .and_then(|e| e.external_traffic_policy)
            .or((service_type == ServiceType::LoadBalancer).then_some(TrafficPolicy::Local));
        let path = format!("{path}.expose");
        if service_type != ServiceType::LoadBalancer {
            for (key, set) in [
                ("loadBalancerSourceRanges", !ranges.is_empty()),
                (
                    "externalTrafficPolicy",
                    expose.and_then(|e| e.external_traffic_policy).is_some(),
                ),
            ] {
                if set {
                    self.error(
                        "invalid-value",
                        &format!("{path}.{key}"),
                        format!("`{key}` applies only to a LoadBalancer"),
                        "set `type: LoadBalancer`, or remove it",
                    );
                }
            }
        }
        for (index, range) in ranges.iter().enumerate() {
            if ranges[..index].contains(range) {
                self.error(
                    "duplicate-name",
                    &format!("{path}.loadBalancerSourceRanges[{index}]"),
                    format!("`{range}` is listed twice"),
                    "list each range once",
                );
            }
            if let Err(problem) = cidr(range) {
                self.error(
                    "invalid-value",
                    &format!("{path}.loadBalancerSourceRanges[{index}]"),
                    format!("`{range}` is not a CIDR range: {problem}"),
                    "write an address range such as `203.0.113.0/24` or `2001:db8::/32`",
                );
            }
        }
        Some(Expose {
            service_type,
            // Metrics are for the monitoring namespace, never for a load balancer's clients.
            ports: ports
                .iter()
                .filter(|p| service_type != ServiceType::LoadBalancer || p.name != "metrics")
                .cloned()
                .collect(),
            load_balancer_source_ranges: ranges,
            external_traffic_policy: traffic_policy,
        })
    }

    fn resources(&mut self, path: &str, settings: &RawServiceSettings) -> Resources {
        let Some(raw) = &settings.resources else {
            self.error("missing-resources", path, "the service sets no CPU and memory requests and limits", "add `resources: {cpu: {request: 250m, limit: 1000m}, memory: {request: 512Mi, limit: 1Gi}}` to the service or to `serviceDefaults`");
            return Resources {
                cpu_request: String::new(),
                cpu_limit: String::new(),
                memory_request: String::new(),
                memory_limit: String::new(),
            };
        };
        self.request_limit(&format!("{path}.resources.cpu"), &raw.cpu, "250m");
        self.request_limit(&format!("{path}.resources.memory"), &raw.memory, "512Mi");
        Resources {
            cpu_request: raw.cpu.request.clone(),
            cpu_limit: raw.cpu.limit.clone(),
            memory_request: raw.memory.request.clone(),
            memory_limit: raw.memory.limit.clone(),
        }
    }

    fn request_limit(&mut self, path: &str, raw: &RawRequestLimit, example: &str) {
        let request = self.quantity(&format!("{path}.request"), &raw.request, example);
        let limit = self.quantity(&format!("{path}.limit"), &raw.limit, example);
        if let (Some(request), Some(limit)) = (request, limit)
            && request > limit
        {
            self.error(
                "request-above-limit",
                &format!("{path}.request"),
                format!("the request {} is above the limit {}", raw.request, raw.limit),
                "raise the limit or lower the request: a pod may never use more than its limit",
            );
        }
    }

    /// Graceful shutdown. Jobs run to completion and are not behind a load balancer, so
    /// they get no pre-stop pause.
    fn shutdown(&mut self, path: &str, kind: WorkloadKind, settings: &RawServiceSettings) -> (i64, i64) {
        let raw = settings.shutdown.as_ref();
        // The sleep action is on by default from Kubernetes 1.30: on an older target, no
        // pause unless the profile asks for one (and the version check then says why not).
        let sleep_available =
            crate::kube_version::facts::field_available(PRE_STOP_SLEEP_FIELD, self.kube_version.minor());
        let default_sleep = if kind.is_long_running() && sleep_available {
            DEFAULT_PRE_STOP_SLEEP
        } else {
            0
        };
        let sleep = raw
            .and_then(|s| s.pre_stop_sleep_seconds)
            .filter(|_| kind.is_long_running())
            .unwrap_or(default_sleep);
        let grace = raw
            .and_then(|s| s.termination_grace_period_seconds)
            .unwrap_or(DEFAULT_GRACE_PERIOD);
        if sleep < 0 {
            self.error(
                "invalid-shutdown",
                &format!("{path}.shutdown.preStopSleepSeconds"),
                format!("preStopSleepSeconds must not be negative, not {sleep}"),
                "use 0 to skip the pause, or a few seconds to let load balancers drain",
            );
        }
        if grace <= sleep {
            self.error(
                "invalid-shutdown",
                &format!("{path}.shutdown.terminationGracePeriodSeconds"),
                format!("the grace period ({grace} s) does not outlast the pre-stop pause ({sleep} s)"),
                "the grace period must cover the pause plus the time the app needs to drain; make it longer",
            );
        }
        (sleep, grace)
    }

    fn env(&mut self, path: &str, settings: &RawServiceSettings) -> Vec<EnvVar> {
        let raw = settings.env.clone().unwrap_or_default();
        raw.into_iter()
            .map(|(name, value)| {
                self.env_name(&format!("{path}.env.{name}"), &name);
                EnvVar { name, value }
            })
            .collect()
    }

    pub(super) fn env_name(&mut self, path: &str, name: &str) {
        if !super::names::env_name(name) {
            self.error(
                "invalid-env-name",
                path,
                format!("`{name}` is not a portable environment variable name"),
                "use letters, digits and `_`, starting with a letter or `_`",
            );
        }
    }

    fn tolerations(&mut self, path: &str, settings: &RawServiceSettings) -> Vec<Toleration> {
        let raw = settings.tolerations.clone().unwrap_or_default();
        raw.into_iter()
            .enumerate()
            .map(|(index, raw)| {
                let at = format!("{path}.tolerations[{index}]");
                let operator = raw.operator.unwrap_or(TolerationOperator::Equal);
                if let Some(key) = &raw.key {
                    self.label_key(&format!("{at}.key"), key);
                }
                match (operator, &raw.key, &raw.value) {
                    (TolerationOperator::Exists, _, Some(_)) => self.error(
                        "invalid-value",
                        &format!("{at}.value"),
                        "a toleration with `operator: Exists` takes no value",
                        "remove `value`, or use `operator: Equal`",
                    ),
                    (TolerationOperator::Equal, None, _) => self.error(
                        "invalid-value",
                        &at,
                        "a toleration with `operator: Equal` needs a `key`",
                        "name the taint's key, or use `operator: Exists` to tolerate every taint",
                    ),
                    (_, _, Some(value)) => self.label_value(&format!("{at}.value"), value),
                    _ => {}
                }
                if raw.toleration_seconds.is_some() && raw.effect != Some(crate::profile::TaintEffect::NoExecute) {
                    self.error(
                        "invalid-value",
                        &format!("{at}.tolerationSeconds"),
                        "tolerationSeconds applies only to `effect: NoExecute`",
                        "set `effect: NoExecute`, or remove tolerationSeconds",
                    );
                }
                self.at_least(&format!("{at}.tolerationSeconds"), raw.toleration_seconds, 0);
                Toleration {
                    key: raw.key,
                    operator,
                    value: raw.value,
                    effect: raw.effect,
                    toleration_seconds: raw.toleration_seconds,
                }
            })
            .collect()
    }

    /// The profile's extra labels, validated; gen's own keys are refused because selectors and
    /// tools depend on them.
    fn extra_labels(&mut self, path: &str, settings: &RawServiceSettings) -> Labels {
        let labels = settings.labels.clone().unwrap_or_default();
        self.labels(&format!("{path}.labels"), &labels);
        for key in labels.keys().filter(|k| reserved_label_domain(k)) {
            self.error(
                "reserved-key",
                &format!("{path}.labels.{key}"),
                format!("`{key}` is in a domain Kubernetes reserves for its own components"),
                "use a key of your own, e.g. `team` or `example.com/owner`",
            );
        }
        for key in labels.keys().filter(|k| GEN_LABELS.contains(&k.as_str())) {
            self.error(
                "reserved-key",
                &format!("{path}.labels.{key}"),
                format!("`{key}` is set by gen; a profile cannot change it"),
                "use a label key of your own, e.g. `team` or `example.com/owner`",
            );
        }
        labels
    }

    fn annotations(&mut self, path: &str, raw: Option<&BTreeMap<String, String>>, reserved: &[&str]) -> Labels {
        let annotations = raw.cloned().unwrap_or_default();
        for key in annotations.keys() {
            self.label_key(&format!("{path}.{key}"), key);
            if let Some(prefix) = RESERVED_ANNOTATION_PREFIXES.iter().find(|p| key.starts_with(*p)) {
                let hint = if *prefix == "checkov.io/" {
                    "accept a finding with a waiver; gen writes the scanner's skip from it"
                } else if prefix.contains("apparmor") || prefix.contains("seccomp") {
                    "gen sets the RuntimeDefault seccomp profile on every pod; Pod Security forbids `unconfined`"
                } else {
                    "this annotation is written by kubectl or Kubernetes itself"
                };
                self.error(
                    "reserved-key",
                    &format!("{path}.{key}"),
                    format!("annotations under `{prefix}` are not the profile's to set"),
                    hint,
                );
            } else if reserved.contains(&key.as_str()) {
                self.error(
                    "reserved-key",
                    &format!("{path}.{key}"),
                    format!("`{key}` is written by gen"),
                    if key.starts_with("prometheus.io/") {
                        "declare `metrics:` (and `ports.metrics`) instead"
                    } else {
                        "remove it; gen computes it from the configs the service reads"
                    },
                );
            }
        }
        annotations
    }
}

/// A scanner check gen loosens on purpose, and why; rendered as a `checkov.io/skipN`
/// annotation on the workload so the scanner knows the exception is deliberate.
struct ScannerSkip {
    check: &'static str,
    reason: String,
}

/// Every check gen loosens for this service: the waivers aimed at it, a token mounted for
/// declared permissions, and a worker's `probes.none`.
fn scanner_skips(
    profile: &RawProfile,
    name: &str,
    kind: WorkloadKind,
    automount_token: bool,
    probes_none: &Option<String>,
) -> Vec<ScannerSkip> {
    let mut skips = waived_scanner_checks(profile, name, kind);
    if automount_token {
        skips.push(ScannerSkip {
            check: "CKV_K8S_38",
            reason: "gen: the service declares permissions, so it needs its API token".into(),
        });
    }
    if let Some(reason) = probes_none {
        for check in ["CKV_K8S_8", "CKV_K8S_9"] {
            skips.push(ScannerSkip {
                check,
                reason: format!("gen: probes.none: {reason}"),
            });
        }
    }
    skips
}

/// The service's annotations plus one `checkov.io/skipN` per skip, for the workload object.
fn with_scanner_skips(annotations: &Labels, skips: &[ScannerSkip]) -> Labels {
    let mut workload = annotations.clone();
    for (index, skip) in skips.iter().enumerate() {
        workload.insert(
            format!("checkov.io/skip{}", index + 1),
            format!("{}={}", skip.check, skip.reason),
        );
    }
    workload
}

/// gen rules that a scanner checks too: when the profile waives one for a service, the
/// scanner is told the same, with the same reason, so CI does not fail on a reasoned exception.
/// The third field says whether gen finds it on the rendered object (so a waiver may target the
/// object, `Deployment/<name>`) or on the profile (so only the service name waives it).
const SCANNER_CHECKS: &[(&str, &str, bool)] = &[
    ("secret-env", "CKV_K8S_35", true),
    ("run-as-low-uid", "CKV_K8S_40", false),
    ("image-digest-required", "CKV_K8S_43", false),
];

/// Scanner skips for the waivers aimed at this service (by name, or at its workload object).
fn waived_scanner_checks(profile: &RawProfile, name: &str, kind: WorkloadKind) -> Vec<ScannerSkip> {
    let object = format!("{}/{name}", kind.object_kind());
    profile
        .waivers
        .iter()
        .filter_map(|w| {
            let (_, check, on_object) = SCANNER_CHECKS.iter().find(|(rule, _, _)| *rule == w.rule)?;
            let aimed = w.target == name || (*on_object && w.target == object);
            aimed.then_some(ScannerSkip {
                check,
                reason: format!("gen waiver {}: {}", w.rule, w.reason),
            })
        })
        .collect()
}

/// Whether a label key's prefix is `kubernetes.io`, `k8s.io` or one of their subdomains, other
/// than `app.kubernetes.io`, which is meant for applications' recommended labels.
fn reserved_label_domain(key: &str) -> bool {
    let Some((prefix, _)) = key.rsplit_once('/') else {
        return false;
    };
    if prefix == "app.kubernetes.io" {
        return false;
    }
    RESERVED_LABEL_DOMAINS
        .iter()
        .any(|domain| prefix == *domain || prefix.ends_with(&format!(".{domain}")))
}

/// The service's metrics settings over `serviceDefaults`', field by field.
fn merge_metrics(defaults: Option<&RawMetrics>, service: Option<&RawMetrics>) -> Option<RawMetrics> {
    match (defaults, service) {
        (Some(defaults), Some(service)) => Some(RawMetrics {
            path: service.path.clone().or_else(|| defaults.path.clone()),
            monitor: service.monitor.or(defaults.monitor),
            interval: service.interval.clone().or_else(|| defaults.interval.clone()),
            scrape_timeout: service
                .scrape_timeout
                .clone()
                .or_else(|| defaults.scrape_timeout.clone()),
        }),
        (defaults, service) => service.or(defaults).cloned(),
    }
}

fn component(kind: WorkloadKind) -> &'static str {
    match kind {
        // Web services were gen's only kind; their label stays what it was.
        WorkloadKind::Web => "service",
        other => other.as_str(),
    }
}

/// A service's own settings win over `serviceDefaults`: key by key, and probe by probe, field
/// by field, so a service that sets only a readiness period keeps everything else inherited.
fn merge(defaults: &RawServiceSettings, service: &RawService) -> RawServiceSettings {
    let long_running = service.kind.is_long_running();
    // Ports, probes and the pre-stop pause describe long-running servers: jobs do not inherit them.
    let inherited = long_running.then_some(defaults);
    RawServiceSettings {
        ports: service
            .ports
            .clone()
            .or_else(|| inherited.and_then(|d| d.ports.clone())),
        probes: merge_probes(inherited.and_then(|d| d.probes.as_ref()), service.probes.as_ref()),
        shutdown: service.shutdown.clone().or_else(|| defaults.shutdown.clone()),
        resources: service.resources.clone().or_else(|| defaults.resources.clone()),
        run_as_user: service.run_as_user.or(defaults.run_as_user),
        node_selector: service.node_selector.clone().or_else(|| defaults.node_selector.clone()),
        env: merged_map(defaults.env.as_ref(), service.env.as_ref()),
        depends_on: service.depends_on.clone().or_else(|| defaults.depends_on.clone()),
        metrics: merge_metrics(inherited.and_then(|d| d.metrics.as_ref()), service.metrics.as_ref()),
        labels: merged_map(defaults.labels.as_ref(), service.labels.as_ref()),
        annotations: merged_map(defaults.annotations.as_ref(), service.annotations.as_ref()),
        pod_annotations: merged_map(defaults.pod_annotations.as_ref(), service.pod_annotations.as_ref()),
        anti_affinity: service.anti_affinity.or(defaults.anti_affinity),
        tolerations: service.tolerations.clone().or_else(|| defaults.tolerations.clone()),
        priority_class_name: service
            .priority_class_name
            .clone()
            .or_else(|| defaults.priority_class_name.clone()),
        // The kind-specific settings reach the service through `with_inherited`.
        ..RawServiceSettings::default()
    }
}

/// The service with the settings it inherits from `serviceDefaults` that the typed merge below
/// does not cover (command, args, config and secret reads, volumes, and the kind-specific
/// ones: expose, replicas, autoscaling, disruption budget, cronjob and job policies) filled in
/// where it is silent and its kind uses them, so the rest of resolve reads the service alone. The autoscaler merges
/// field by field, and so does each scaling rule.
fn with_inherited(defaults: &RawServiceSettings, service: &RawService) -> RawService {
    let uses = |key: &str| {
        KIND_ONLY_KEYS
            .iter()
            .find(|(k, _)| *k == key)
            .is_none_or(|(_, kinds)| kinds.contains(&service.kind))
    };
    fn or<T: Clone>(own: &Option<T>, inherited: &Option<T>, allowed: bool) -> Option<T> {
        own.clone().or_else(|| inherited.clone().filter(|_| allowed))
    }
    let mut out = service.clone();
    out.command = or(&service.command, &defaults.command, true);
    out.args = or(&service.args, &defaults.args, true);
    out.config = or(&service.config, &defaults.config, true);
    out.secrets = or(&service.secrets, &defaults.secrets, true);
    out.slo = or(&service.slo, &defaults.slo, uses("slo"));
    out.volumes = match (&defaults.volumes, &service.volumes) {
        (Some(inherited), own) => {
            let mut volumes = inherited.clone();
            volumes.extend(own.clone().unwrap_or_default());
            Some(volumes)
        }
        (None, own) => own.clone(),
    };
    out.expose = or(&service.expose, &defaults.expose, uses("expose"));
    out.replicas = or(&service.replicas, &defaults.replicas, uses("replicas"));
    out.autoscaling = match (&service.autoscaling, &defaults.autoscaling) {
        (Some(own), Some(inherited)) => Some(merge_autoscaling(inherited, own)),
        (own, inherited) => or(own, inherited, uses("autoscaling")),
    };
    out.vertical_scaling = or(
        &service.vertical_scaling,
        &defaults.vertical_scaling,
        uses("verticalScaling"),
    );
    out.disruption_budget = or(
        &service.disruption_budget,
        &defaults.disruption_budget,
        uses("disruptionBudget"),
    );
    out.time_zone = or(&service.time_zone, &defaults.time_zone, uses("timeZone"));
    out.concurrency_policy = or(
        &service.concurrency_policy,
        &defaults.concurrency_policy,
        uses("concurrencyPolicy"),
    );
    out.starting_deadline_seconds = or(
        &service.starting_deadline_seconds,
        &defaults.starting_deadline_seconds,
        uses("startingDeadlineSeconds"),
    );
    out.successful_jobs_history_limit = or(
        &service.successful_jobs_history_limit,
        &defaults.successful_jobs_history_limit,
        uses("successfulJobsHistoryLimit"),
    );
    out.failed_jobs_history_limit = or(
        &service.failed_jobs_history_limit,
        &defaults.failed_jobs_history_limit,
        uses("failedJobsHistoryLimit"),
    );
    out.backoff_limit = or(&service.backoff_limit, &defaults.backoff_limit, uses("backoffLimit"));
    out.active_deadline_seconds = or(
        &service.active_deadline_seconds,
        &defaults.active_deadline_seconds,
        uses("activeDeadlineSeconds"),
    );
    out.ttl_seconds_after_finished = or(
        &service.ttl_seconds_after_finished,
        &defaults.ttl_seconds_after_finished,
        uses("ttlSecondsAfterFinished"),
    );
    out.restart_policy = or(&service.restart_policy, &defaults.restart_policy, uses("restartPolicy"));
    out
}

fn merge_autoscaling(inherited: &RawAutoscaling, own: &RawAutoscaling) -> RawAutoscaling {
    RawAutoscaling {
        min_replicas: own.min_replicas.or(inherited.min_replicas),
        max_replicas: own.max_replicas.or(inherited.max_replicas),
        target_cpu_utilization: own.target_cpu_utilization.or(inherited.target_cpu_utilization),
        target_memory_utilization: own.target_memory_utilization.or(inherited.target_memory_utilization),
        scale_up: merge_rule(inherited.scale_up.as_ref(), own.scale_up.as_ref()),
        scale_down: merge_rule(inherited.scale_down.as_ref(), own.scale_down.as_ref()),
        // Lists replace, as they do between a base and an overlay.
        metrics: own.metrics.clone().or_else(|| inherited.metrics.clone()),
        triggers: own.triggers.clone().or_else(|| inherited.triggers.clone()),
    }
}

fn merge_rule(inherited: Option<&RawScalingRule>, own: Option<&RawScalingRule>) -> Option<RawScalingRule> {
    match (inherited, own) {
        (Some(inherited), Some(own)) => Some(RawScalingRule {
            percent: own.percent.or(inherited.percent),
            pods: own.pods.or(inherited.pods),
            period_seconds: own.period_seconds.or(inherited.period_seconds),
            stabilization_window_seconds: own
                .stabilization_window_seconds
                .or(inherited.stabilization_window_seconds),
        }),
        (inherited, own) => own.or(inherited).cloned(),
    }
}

fn merge_probes(defaults: Option<&RawProbes>, own: Option<&RawProbes>) -> Option<RawProbes> {
    let (defaults, own) = match (defaults, own) {
        (None, None) => return None,
        (Some(d), None) => return Some(d.clone()),
        (None, Some(o)) => return Some(o.clone()),
        (Some(d), Some(o)) => (d, o),
    };
    // `none` on the service says it has no probes at all: nothing is inherited.
    if own.none.is_some() {
        return Some(own.clone());
    }
    Some(RawProbes {
        startup: super::probes::merge_probe(defaults.startup.as_ref(), own.startup.as_ref()),
        liveness: super::probes::merge_probe(defaults.liveness.as_ref(), own.liveness.as_ref()),
        readiness: super::probes::merge_probe(defaults.readiness.as_ref(), own.readiness.as_ref()),
        none: None,
    })
}

fn merged_map(
    defaults: Option<&BTreeMap<String, String>>,
    own: Option<&BTreeMap<String, String>>,
) -> Option<BTreeMap<String, String>> {
    match (defaults, own) {
        (None, None) => None,
        _ => {
            let mut map = defaults.cloned().unwrap_or_default();
            map.extend(own.cloned().unwrap_or_default());
            Some(map)
        }
    }
}

/// An IANA service name, what Kubernetes requires of container port names.
fn port_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 15 {
        return Err("must be 1 to 15 characters long");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("may contain only lowercase letters, digits and `-`");
    }
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        return Err("must contain a letter");
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err("must not start or end with `-` or contain `--`");
    }
    Ok(())
}

/// An IPv4 or IPv6 CIDR range, as `loadBalancerSourceRanges` and ipBlocks take it.
pub fn cidr(text: &str) -> Result<(), String> {
    let (address, bits) = text.split_once('/').ok_or("it has no `/prefix`")?;
    let bits: u8 = bits.parse().map_err(|_| "the prefix length is not a number")?;
    let max = match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => 32,
        Ok(std::net::IpAddr::V6(_)) => 128,
        Err(_) => return Err(format!("`{address}` is not an IP address")),
    };
    if bits > max {
        return Err(format!("the prefix length {bits} is longer than {max}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_names_follow_iana() {
        assert!(port_name("grpc").is_ok());
        assert!(port_name("h2c-9").is_ok());
        assert!(port_name("9000").is_err());
        assert!(port_name("a-very-long-port-name").is_err());
        assert!(port_name("a--b").is_err());
    }

    #[test]
    fn waivers_of_scanned_rules_become_scanner_skips_with_their_reason() {
        let profile: RawProfile = serde_yaml::from_str(
            "tier: prod\nnamespace: n\napp: a\nservices: {}\nwaivers:\n\
             - {rule: secret-env, target: Deployment/api, reason: the SDK reads only the environment}\n\
             - {rule: run-as-low-uid, target: Deployment/api, reason: found on the profile and not by object}\n\
             - {rule: image-digest-required, target: api, reason: built in this pipeline}\n\
             - {rule: secret-env, target: other, reason: another service}\n",
        )
        .unwrap();
        let skips = waived_scanner_checks(&profile, "api", WorkloadKind::Web);
        let checks: Vec<_> = skips.iter().map(|s| s.check).collect();
        assert_eq!(checks, ["CKV_K8S_35", "CKV_K8S_43"]);
        assert!(skips[0].reason.contains("the SDK reads only the environment"));
        assert!(waived_scanner_checks(&profile, "api", WorkloadKind::Cronjob).len() == 1);
    }

    #[test]
    fn cidr_ranges() {
        assert!(cidr("10.0.0.0/8").is_ok());
        assert!(cidr("2001:db8::/32").is_ok());
        assert!(cidr("10.0.0.0").is_err());
        assert!(cidr("10.0.0.0/33").is_err());
        assert!(cidr("ten/8").is_err());
    }
}
