//! Stage 2: turn a raw profile into the validated [`Model`], applying the tier's defaults.
//!
//! Nothing stops at the first problem: every check records a diagnostic pointing at the profile
//! line it is about, and the model is only returned when there are none.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::model::{
    Autoscaling, Dependency, DisruptionBudget, EnvVar, Ingress, IngressPeer, Labels, Model, Port, Probe, Probes,
    Resources, Route, ScalingRule, Service,
};
use crate::profile::{
    EgressMode, RawAutoscaling, RawDependency, RawIngress, RawProbe, RawProfile, RawRequestLimit, RawScalingRule,
    RawService, RawServiceSettings, Tier,
};
use crate::source::SourceFile;
use crate::{image, quantity};

/// The Kubernetes minor version `gen` targets (the `k8s-openapi` feature it is built with).
pub const KUBERNETES_VERSION: &str = "1.33";

/// What a tier decides when the profile does not say.
struct TierDefaults {
    replicas: i64,
    egress: EgressMode,
}

fn tier_defaults(tier: Tier) -> TierDefaults {
    match tier {
        Tier::Dev => TierDefaults {
            replicas: 1,
            egress: EgressMode::Open,
        },
        Tier::Prod => TierDefaults {
            replicas: 3,
            egress: EgressMode::Restricted,
        },
        Tier::Quarantine => TierDefaults {
            replicas: 1,
            egress: EgressMode::Restricted,
        },
    }
}

const DEFAULT_HTTP_PORT: i64 = 8080;
const DEFAULT_RUN_AS_USER: i64 = 10001;
const DEFAULT_PRE_STOP_SLEEP: i64 = 15;
const DEFAULT_GRACE_PERIOD: i64 = 30;
const DEFAULT_INGRESS_CLASS: &str = "nginx";

pub fn resolve(raw: &RawProfile, source: &SourceFile, profile_name: &str) -> Result<Model, Vec<Diagnostic>> {
    let mut resolver = Resolver {
        source,
        diagnostics: Vec::new(),
    };
    let model = resolver.profile(raw, profile_name);
    if resolver.diagnostics.is_empty() {
        Ok(model)
    } else {
        crate::diagnostics::dedup(&mut resolver.diagnostics);
        Err(resolver.diagnostics)
    }
}

struct Resolver<'a> {
    source: &'a SourceFile,
    diagnostics: Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn error(&mut self, code: &'static str, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        let diagnostic = Diagnostic::error(code, message).at(self.source, path).with_hint(hint);
        self.diagnostics.push(diagnostic);
    }

    fn profile(&mut self, raw: &RawProfile, profile_name: &str) -> Model {
        let defaults = tier_defaults(raw.tier);
        self.namespace_name(&raw.namespace);
        self.label_value("app", &raw.app);
        if raw.services.is_empty() {
            self.error(
                "no-services",
                "services",
                "the profile declares no services",
                "add at least one entry under `services`",
            );
        }
        let dependencies = self.dependencies(&raw.network.egress);
        let peers = self.ingress_peers(raw);
        let egress_open = raw.network.egress_mode.unwrap_or(defaults.egress) == EgressMode::Open;
        let instance = format!("{}-{}", raw.app, raw.tier.as_str());
        self.label_value("app", &instance);
        let services: Vec<Service> = raw
            .services
            .iter()
            .map(|(name, service)| {
                let context = ServiceContext {
                    raw_profile: raw,
                    defaults: &defaults,
                    instance: &instance,
                    dependencies: &dependencies,
                    peers: &peers,
                };
                self.service(name, service, &context)
            })
            .collect();
        self.peer_ports_exposed(raw, &services);
        let ingress = raw.ingress.as_ref().map(|ingress| self.ingress(ingress, raw));
        let pod_security_version = format!("v{KUBERNETES_VERSION}");
        Model {
            profile: profile_name.to_owned(),
            tier: raw.tier,
            namespace: raw.namespace.clone(),
            app: raw.app.clone(),
            namespace_labels: namespace_labels(&raw.namespace, &raw.app, &pod_security_version),
            pod_security_version,
            egress_open,
            services,
            ingress,
            allowed_registries: raw.policy.allowed_registries.clone(),
        }
    }

    fn namespace_name(&mut self, namespace: &str) {
        if let Err(problem) = dns_label(namespace) {
            self.error(
                "invalid-name",
                "namespace",
                format!("namespace `{namespace}` {problem}"),
                DNS_LABEL_HINT,
            );
        }
    }

    fn label_value(&mut self, path: &str, value: &str) {
        if let Err(problem) = label_value(value) {
            self.error(
                "invalid-label-value",
                path,
                format!("`{value}` cannot be a label value: {problem}"),
                LABEL_HINT,
            );
        }
    }

    fn dependencies(&mut self, raw: &[RawDependency]) -> Vec<Dependency> {
        let mut seen = BTreeSet::new();
        raw.iter()
            .enumerate()
            .map(|(index, dependency)| {
                let path = format!("network.egress[{index}]");
                if let Err(problem) = dns_label(&dependency.name) {
                    self.error(
                        "invalid-name",
                        &format!("{path}.name"),
                        format!("dependency name `{}` {problem}", dependency.name),
                        DNS_LABEL_HINT,
                    );
                }
                if !seen.insert(dependency.name.as_str()) {
                    self.error(
                        "duplicate-name",
                        &format!("{path}.name"),
                        format!("dependency `{}` is declared twice", dependency.name),
                        "give each dependency a unique name",
                    );
                }
                if let Err(problem) = dns_label(&dependency.namespace) {
                    self.error(
                        "invalid-name",
                        &format!("{path}.namespace"),
                        format!("namespace `{}` {problem}", dependency.namespace),
                        DNS_LABEL_HINT,
                    );
                }
                self.port(&format!("{path}.port"), dependency.port);
                let pod_labels = dependency.pod_labels.clone().unwrap_or_else(|| {
                    BTreeMap::from([("app.kubernetes.io/name".to_owned(), dependency.name.clone())])
                });
                self.labels(&format!("{path}.podLabels"), &pod_labels);
                Dependency {
                    name: dependency.name.clone(),
                    namespace: dependency.namespace.clone(),
                    port: dependency.port,
                    pod_labels,
                }
            })
            .collect()
    }

    fn ingress_peers(&mut self, raw: &RawProfile) -> Vec<IngressPeer> {
        raw.network
            .ingress_from
            .iter()
            .enumerate()
            .map(|(index, peer)| {
                let path = format!("network.ingressFrom[{index}]");
                if let Err(problem) = dns_label(&peer.namespace) {
                    self.error(
                        "invalid-name",
                        &format!("{path}.namespace"),
                        format!("namespace `{}` {problem}", peer.namespace),
                        DNS_LABEL_HINT,
                    );
                }
                if peer.ports.is_empty() {
                    self.error(
                        "invalid-value",
                        &format!("{path}.ports"),
                        "a peer without ports can reach nothing",
                        "list the named ports it may call, e.g. `[http]`",
                    );
                }
                for (port_index, port) in peer.ports.iter().enumerate() {
                    if !matches!(port.as_str(), "http" | "metrics") {
                        let hint = match did_you_mean(port, ["http", "metrics"]) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => "use a named port: `http` or `metrics`".to_owned(),
                        };
                        self.error(
                            "unknown-port",
                            &format!("{path}.ports[{port_index}]"),
                            format!("there is no port named `{port}`"),
                            hint,
                        );
                    }
                }
                IngressPeer {
                    namespace: peer.namespace.clone(),
                    ports: peer.ports.clone(),
                }
            })
            .collect()
    }

    /// A peer allowed in on a named port that no service exposes is a mistake, not a no-op.
    fn peer_ports_exposed(&mut self, raw: &RawProfile, services: &[Service]) {
        for (index, peer) in raw.network.ingress_from.iter().enumerate() {
            for (port_index, port) in peer.ports.iter().enumerate() {
                let exposed = services.iter().any(|s| s.ports.iter().any(|p| &p.name == port));
                if port == "metrics" && !exposed && !services.is_empty() {
                    self.error(
                        "unknown-port",
                        &format!("network.ingressFrom[{index}].ports[{port_index}]"),
                        "no service exposes a `metrics` port",
                        "set `ports.metrics` in `serviceDefaults` (or in the services that serve metrics), or remove the port here",
                    );
                }
            }
        }
    }

    fn port(&mut self, path: &str, port: i64) {
        if !(1..=65535).contains(&port) {
            self.error(
                "invalid-port",
                path,
                format!("port {port} is outside 1..=65535"),
                "use a TCP port number between 1 and 65535",
            );
        }
    }

    fn labels(&mut self, path: &str, labels: &Labels) {
        for (key, value) in labels {
            if let Err(problem) = label_key(key) {
                self.error(
                    "invalid-label-key",
                    &format!("{path}.{key}"),
                    format!("`{key}` cannot be a label key: {problem}"),
                    LABEL_KEY_HINT,
                );
            }
            self.label_value(&format!("{path}.{key}"), value);
        }
    }

    fn service(&mut self, name: &str, raw: &RawService, context: &ServiceContext) -> Service {
        let path = format!("services.{name}");
        if let Err(problem) = dns1035_label(name) {
            self.error(
                "invalid-name",
                &path,
                format!("service name `{name}` {problem}"),
                "service names are lowercase letters, digits and `-`, start with a letter, at most 63 characters",
            );
        }
        let settings = merge(&context.raw_profile.service_defaults, raw);
        let version = self.version(&path, raw);
        let ports = self.ports(&path, &settings);
        let resources = self.resources(&path, &settings);
        let probes = self.probes(&path, &settings);
        let (pre_stop_sleep_seconds, termination_grace_period_seconds) = self.shutdown(&path, &settings);
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
        let env = self.env(&path, &settings);
        let replicas = raw.replicas.unwrap_or(context.defaults.replicas);
        if raw.replicas.is_some() && replicas < 1 {
            self.error(
                "invalid-replicas",
                &format!("{path}.replicas"),
                format!("replicas must be at least 1, not {replicas}"),
                "set replicas to 1 or more",
            );
        }
        let autoscaling = raw
            .autoscaling
            .as_ref()
            .map(|a| self.autoscaling(&format!("{path}.autoscaling"), a, raw.replicas, replicas));
        let floor = autoscaling.as_ref().map_or(replicas, |a| a.min_replicas);
        let disruption_budget = self.disruption_budget(&path, raw, floor);
        let egress = self.service_egress(&path, &settings, context.dependencies);
        let selector = Labels::from([
            ("app.kubernetes.io/name".to_owned(), name.to_owned()),
            ("app.kubernetes.io/instance".to_owned(), context.instance.to_owned()),
        ]);
        let mut labels = selector.clone();
        labels.insert("app.kubernetes.io/part-of".into(), context.raw_profile.app.clone());
        labels.insert("app.kubernetes.io/component".into(), "service".into());
        labels.insert("app.kubernetes.io/managed-by".into(), "gen".into());
        if let Some(version) = version {
            labels.insert("app.kubernetes.io/version".into(), version);
        }
        let ingress_peers = peers_for(context.peers, &ports);
        let service = Service {
            name: name.to_owned(),
            labels,
            selector,
            image: raw.image.clone(),
            replicas: if autoscaling.is_some() { None } else { Some(replicas) },
            ports,
            resources,
            probes,
            pre_stop_sleep_seconds,
            termination_grace_period_seconds,
            run_as_user,
            node_selector,
            env,
            autoscaling,
            disruption_budget,
            ingress_peers,
            egress,
        };
        self.fits_int32(&path, &int32_fields(&service, replicas));
        service
    }

    /// Kubernetes stores these numbers as int32; a larger one would be rejected by the API
    /// server, so say so here rather than fail later in a template.
    fn fits_int32(&mut self, path: &str, fields: &[(String, i64)]) {
        for (key, value) in fields {
            if *value > i64::from(i32::MAX) {
                let message = format!("{key} {value} is larger than Kubernetes accepts ({})", i32::MAX);
                self.error(
                    "invalid-value",
                    &format!("{path}.{key}"),
                    message,
                    "use a realistic number",
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
        if let Err(problem) = label_value(&version) {
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

    fn ports(&mut self, path: &str, settings: &RawServiceSettings) -> Vec<Port> {
        let raw = settings.ports.clone();
        let http = raw.as_ref().map_or(DEFAULT_HTTP_PORT, |p| p.http);
        self.port(&format!("{path}.ports.http"), http);
        let mut ports = vec![Port {
            name: "http".into(),
            port: http,
        }];
        if let Some(metrics) = raw.and_then(|p| p.metrics) {
            self.port(&format!("{path}.ports.metrics"), metrics);
            if metrics == http {
                self.error(
                    "duplicate-port",
                    &format!("{path}.ports.metrics"),
                    format!("metrics and http both use port {http}"),
                    "give metrics a port of its own, e.g. 9090",
                );
            }
            ports.push(Port {
                name: "metrics".into(),
                port: metrics,
            });
        }
        ports
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

    fn quantity(&mut self, path: &str, text: &str, example: &str) -> Option<f64> {
        match quantity::parse(text) {
            Some(value) if value > 0.0 => Some(value),
            Some(_) => {
                self.error(
                    "invalid-quantity",
                    path,
                    format!("`{text}` must be greater than zero"),
                    format!("use a positive quantity such as `{example}`"),
                );
                None
            }
            None => {
                self.error(
                    "invalid-quantity",
                    path,
                    format!("`{text}` is not a Kubernetes quantity"),
                    format!("use a number with an optional suffix (m, Ki, Mi, Gi, k, M, G), such as `{example}`"),
                );
                None
            }
        }
    }

    fn probes(&mut self, path: &str, settings: &RawServiceSettings) -> Probes {
        let raw = settings.probes.as_ref();
        let mut probe = |kind: &str, raw: Option<&RawProbe>, default_path: &str, period: i64, failures: i64| {
            self.probe(
                &format!("{path}.probes.{kind}"),
                raw,
                default_path,
                (period, 3, failures),
            )
        };
        let startup = probe("startup", raw.and_then(|p| p.startup.as_ref()), "/healthz", 5, 30);
        let liveness = probe("liveness", raw.and_then(|p| p.liveness.as_ref()), "/livez", 10, 3);
        let readiness = probe("readiness", raw.and_then(|p| p.readiness.as_ref()), "/readyz", 5, 3);
        Probes {
            startup,
            liveness,
            readiness,
        }
    }

    fn probe(&mut self, path: &str, raw: Option<&RawProbe>, default_path: &str, defaults: (i64, i64, i64)) -> Probe {
        let (period, timeout, failures) = defaults;
        let probe = Probe {
            path: raw.map_or(default_path, |p| p.path.as_str()).to_owned(),
            period_seconds: raw.and_then(|p| p.period_seconds).unwrap_or(period),
            timeout_seconds: raw.and_then(|p| p.timeout_seconds).unwrap_or(timeout),
            failure_threshold: raw.and_then(|p| p.failure_threshold).unwrap_or(failures),
            initial_delay_seconds: raw.and_then(|p| p.initial_delay_seconds).unwrap_or(0),
        };
        if !probe.path.starts_with('/') || probe.path.chars().any(char::is_whitespace) {
            self.error(
                "invalid-probe",
                &format!("{path}.path"),
                format!("probe path `{}` must start with `/` and contain no spaces", probe.path),
                "write an absolute HTTP path such as `/healthz`",
            );
        }
        for (key, value, minimum) in [
            ("periodSeconds", probe.period_seconds, 1),
            ("timeoutSeconds", probe.timeout_seconds, 1),
            ("failureThreshold", probe.failure_threshold, 1),
            ("initialDelaySeconds", probe.initial_delay_seconds, 0),
        ] {
            if value < minimum {
                self.error(
                    "invalid-probe",
                    &format!("{path}.{key}"),
                    format!("{key} must be at least {minimum}, not {value}"),
                    format!("set {key} to {minimum} or more"),
                );
            }
        }
        if probe.timeout_seconds > probe.period_seconds {
            self.error(
                "invalid-probe",
                &format!("{path}.timeoutSeconds"),
                format!(
                    "timeoutSeconds {} is longer than periodSeconds {}",
                    probe.timeout_seconds, probe.period_seconds
                ),
                "a probe must time out before the next one starts",
            );
        }
        probe
    }

    fn shutdown(&mut self, path: &str, settings: &RawServiceSettings) -> (i64, i64) {
        let raw = settings.shutdown.as_ref();
        let sleep = raw
            .and_then(|s| s.pre_stop_sleep_seconds)
            .unwrap_or(DEFAULT_PRE_STOP_SLEEP);
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
                let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    self.error(
                        "invalid-env-name",
                        &format!("{path}.env.{name}"),
                        format!("`{name}` is not a portable environment variable name"),
                        "use letters, digits and `_`, starting with a letter or `_`",
                    );
                }
                EnvVar { name, value }
            })
            .collect()
    }

    fn autoscaling(
        &mut self,
        path: &str,
        raw: &RawAutoscaling,
        explicit_replicas: Option<i64>,
        replicas: i64,
    ) -> Autoscaling {
        let min = raw.min_replicas.unwrap_or(replicas);
        let max = raw.max_replicas;
        if min < 1 {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.minReplicas"),
                format!("minReplicas must be at least 1, not {min}"),
                "set minReplicas to 1 or more",
            );
        }
        if min > max {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.maxReplicas"),
                format!("maxReplicas {max} is below minReplicas {min}"),
                "raise maxReplicas to at least minReplicas",
            );
        }
        if let Some(replicas) = explicit_replicas
            && min <= max
            && !(min..=max).contains(&replicas)
        {
            self.error("invalid-autoscaling", &format!("{path}.minReplicas"), format!("replicas {replicas} is outside the autoscaler's range {min}..{max}"), "the autoscaler owns the replica count: make `replicas` fall within minReplicas..maxReplicas, or drop it");
        }
        let mut target = |key: &str, value: Option<i64>| {
            if let Some(value) = value
                && !(1..=1000).contains(&value)
            {
                self.error(
                    "invalid-autoscaling",
                    &format!("{path}.{key}"),
                    format!("{key} {value}% is outside 1..=1000"),
                    "targets are percentages of the request, typically 60 to 80",
                );
            }
            value
        };
        let cpu = target("targetCpuUtilization", raw.target_cpu_utilization);
        let memory = target("targetMemoryUtilization", raw.target_memory_utilization);
        let cpu = if cpu.is_none() && memory.is_none() {
            Some(80)
        } else {
            cpu
        };
        Autoscaling {
            min_replicas: min,
            max_replicas: max,
            target_cpu_utilization: cpu,
            target_memory_utilization: memory,
            scale_up: self.scaling_rule(&format!("{path}.scaleUp"), raw.scale_up.as_ref(), (100, 15, 0)),
            scale_down: self.scaling_rule(&format!("{path}.scaleDown"), raw.scale_down.as_ref(), (50, 60, 300)),
        }
    }

    fn scaling_rule(&mut self, path: &str, raw: Option<&RawScalingRule>, defaults: (i64, i64, i64)) -> ScalingRule {
        let (percent, period, window) = defaults;
        let Some(raw) = raw else {
            return ScalingRule {
                percent: Some(percent),
                pods: None,
                period_seconds: period,
                stabilization_window_seconds: window,
            };
        };
        if raw.percent.is_none() && raw.pods.is_none() {
            self.error(
                "invalid-autoscaling",
                path,
                "a scaling rule needs `percent`, `pods` or both",
                "add e.g. `percent: 100`",
            );
        }
        for (key, value) in [("percent", raw.percent), ("pods", raw.pods)] {
            if let Some(value) = value
                && value < 1
            {
                self.error(
                    "invalid-autoscaling",
                    &format!("{path}.{key}"),
                    format!("{key} must be at least 1, not {value}"),
                    format!("set {key} to 1 or more"),
                );
            }
        }
        if !(1..=1800).contains(&raw.period_seconds) {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.periodSeconds"),
                format!("periodSeconds {} is outside 1..=1800", raw.period_seconds),
                "Kubernetes accepts policy periods of 1 to 1800 seconds",
            );
        }
        let window = raw.stabilization_window_seconds.unwrap_or(window);
        if !(0..=3600).contains(&window) {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.stabilizationWindowSeconds"),
                format!("stabilizationWindowSeconds {window} is outside 0..=3600"),
                "Kubernetes accepts windows of 0 to 3600 seconds",
            );
        }
        ScalingRule {
            percent: raw.percent,
            pods: raw.pods,
            period_seconds: raw.period_seconds,
            stabilization_window_seconds: window,
        }
    }

    /// A budget that never blocks a node drain: keep all but one of the guaranteed pods.
    fn disruption_budget(&mut self, path: &str, raw: &RawService, floor: i64) -> DisruptionBudget {
        let path = format!("{path}.disruptionBudget");
        let default = if floor >= 2 {
            DisruptionBudget {
                min_available: Some(floor - 1),
                max_unavailable: None,
            }
        } else {
            DisruptionBudget {
                min_available: None,
                max_unavailable: Some(1),
            }
        };
        let Some(budget) = &raw.disruption_budget else {
            return default;
        };
        match (budget.min_available, budget.max_unavailable) {
            (Some(_), Some(_)) | (None, None) => {
                self.error(
                    "invalid-disruption-budget",
                    &path,
                    "set exactly one of `minAvailable` and `maxUnavailable`",
                    "e.g. `minAvailable: 2` for a 3-replica service",
                );
                default
            }
            (Some(min), None) => {
                // A budget that blocks drains is valid Kubernetes; the `pdb-blocks-drain` policy
                // rule judges it on the rendered objects, where it can be waived.
                if min < 0 {
                    self.error(
                        "invalid-disruption-budget",
                        &format!("{path}.minAvailable"),
                        format!("minAvailable must not be negative, not {min}"),
                        "use 1 or more",
                    );
                }
                DisruptionBudget {
                    min_available: Some(min),
                    max_unavailable: None,
                }
            }
            (None, Some(max)) => {
                if max < 0 {
                    self.error(
                        "invalid-disruption-budget",
                        &format!("{path}.maxUnavailable"),
                        format!("maxUnavailable must not be negative, not {max}"),
                        "use 1 or more",
                    );
                }
                DisruptionBudget {
                    min_available: None,
                    max_unavailable: Some(max),
                }
            }
        }
    }

    fn service_egress(
        &mut self,
        path: &str,
        settings: &RawServiceSettings,
        dependencies: &[Dependency],
    ) -> Vec<Dependency> {
        let Some(names) = &settings.depends_on else {
            return dependencies.to_vec();
        };
        names
            .iter()
            .enumerate()
            .filter_map(|(index, name)| {
                let found = dependencies.iter().find(|d| &d.name == name);
                if found.is_none() {
                    let hint = match did_you_mean(name, dependencies.iter().map(|d| d.name.as_str())) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "declare it under `network.egress` first".to_owned(),
                    };
                    self.error(
                        "unknown-dependency",
                        &format!("{path}.dependsOn[{index}]"),
                        format!("`{name}` is not a declared dependency"),
                        hint,
                    );
                }
                found.cloned()
            })
            .collect()
    }

    fn ingress(&mut self, raw: &RawIngress, profile: &RawProfile) -> Ingress {
        let host_valid = dns_subdomain(raw.host.strip_prefix("*.").unwrap_or(&raw.host));
        if let Err(problem) = &host_valid {
            self.error(
                "invalid-host",
                "ingress.host",
                format!("host `{}` {problem}", raw.host),
                "use a lowercase DNS name such as `api.example.com`",
            );
        }
        let class_name = raw
            .class_name
            .clone()
            .unwrap_or_else(|| DEFAULT_INGRESS_CLASS.to_owned());
        if let Err(problem) = dns_subdomain(&class_name) {
            self.error(
                "invalid-name",
                "ingress.className",
                format!("class `{class_name}` {problem}"),
                DNS_LABEL_HINT,
            );
        }
        if let Err(problem) = dns_subdomain(&raw.tls.cluster_issuer) {
            self.error(
                "invalid-name",
                "ingress.tls.clusterIssuer",
                format!("issuer `{}` {problem}", raw.tls.cluster_issuer),
                DNS_LABEL_HINT,
            );
        }
        let tls_secret_name = raw
            .tls
            .secret_name
            .clone()
            .unwrap_or_else(|| format!("{}-tls", raw.host.replace("*.", "wildcard.").replace('.', "-")));
        // A secret name derived from an invalid host is that host's problem, reported above.
        let derived = raw.tls.secret_name.is_none();
        let secret_problem = dns_subdomain(&tls_secret_name)
            .err()
            .filter(|_| !(derived && host_valid.is_err()));
        if let Some(problem) = secret_problem {
            self.error(
                "invalid-name",
                "ingress.tls.secretName",
                format!("secret name `{tls_secret_name}` {problem}"),
                DNS_LABEL_HINT,
            );
        }
        if let Some(rps) = raw.rate_limit_rps
            && rps < 1
        {
            self.error(
                "invalid-rate-limit",
                "ingress.rateLimitRps",
                format!("a rate limit of {rps} requests per second blocks all traffic"),
                "use 1 or more, or remove the key for no limit",
            );
        }
        if raw.routes.is_empty() {
            self.error(
                "no-routes",
                "ingress.routes",
                "the ingress has no routes",
                "add `- {path: /, service: <name>}`",
            );
        }
        let mut paths = BTreeSet::new();
        let routes = raw
            .routes
            .iter()
            .enumerate()
            .map(|(index, route)| {
                let path = format!("ingress.routes[{index}]");
                let valid_path = route.path.starts_with('/')
                    && !route.path.contains(|c: char| {
                        c.is_whitespace() || c.is_control() || matches!(c, '{' | '}' | '$' | ';' | '\\' | '"' | '\'')
                    });
                if !valid_path {
                    self.error(
                        "invalid-path",
                        &format!("{path}.path"),
                        format!("route path `{}` is not a plain URL path", route.path),
                        "write an absolute path such as `/api/auth`, without spaces, quotes, `;`, `$` or braces",
                    );
                }
                if !paths.insert(route.path.as_str()) {
                    self.error(
                        "duplicate-route",
                        &format!("{path}.path"),
                        format!("the path `{}` is routed twice", route.path),
                        "keep one route per path",
                    );
                }
                if !profile.services.contains_key(&route.service) {
                    let hint = match did_you_mean(&route.service, profile.services.keys().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "route to one of: {}",
                            profile.services.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    self.error(
                        "unknown-service",
                        &format!("{path}.service"),
                        format!(
                            "route `{}` points at `{}`, which is not a service of this profile",
                            route.path, route.service
                        ),
                        hint,
                    );
                }
                Route {
                    path: route.path.clone(),
                    service: route.service.clone(),
                    port_name: "http".into(),
                }
            })
            .collect();
        Ingress {
            name: profile.app.clone(),
            host: raw.host.clone(),
            class_name,
            cluster_issuer: raw.tls.cluster_issuer.clone(),
            tls_secret_name,
            rate_limit_rps: raw.rate_limit_rps.map(|rps| rps.to_string()),
            routes,
        }
    }
}

struct ServiceContext<'a> {
    raw_profile: &'a RawProfile,
    defaults: &'a TierDefaults,
    instance: &'a str,
    dependencies: &'a [Dependency],
    peers: &'a [IngressPeer],
}

/// Every integer of a service that ends up in an int32 field, with its profile key.
fn int32_fields(service: &Service, replicas: i64) -> Vec<(String, i64)> {
    let mut fields = vec![
        ("replicas".to_owned(), replicas),
        ("runAsUser".to_owned(), service.run_as_user),
        (
            "shutdown.preStopSleepSeconds".to_owned(),
            service.pre_stop_sleep_seconds,
        ),
        (
            "shutdown.terminationGracePeriodSeconds".to_owned(),
            service.termination_grace_period_seconds,
        ),
    ];
    let probes = &service.probes;
    for (kind, probe) in [
        ("startup", &probes.startup),
        ("liveness", &probes.liveness),
        ("readiness", &probes.readiness),
    ] {
        for (key, value) in [
            ("periodSeconds", probe.period_seconds),
            ("timeoutSeconds", probe.timeout_seconds),
            ("failureThreshold", probe.failure_threshold),
            ("initialDelaySeconds", probe.initial_delay_seconds),
        ] {
            fields.push((format!("probes.{kind}.{key}"), value));
        }
    }
    if let Some(hpa) = &service.autoscaling {
        fields.push(("autoscaling.minReplicas".into(), hpa.min_replicas));
        fields.push(("autoscaling.maxReplicas".into(), hpa.max_replicas));
        for (direction, rule) in [("scaleUp", &hpa.scale_up), ("scaleDown", &hpa.scale_down)] {
            fields.extend(rule.percent.map(|v| (format!("autoscaling.{direction}.percent"), v)));
            fields.extend(rule.pods.map(|v| (format!("autoscaling.{direction}.pods"), v)));
        }
    }
    let budget = &service.disruption_budget;
    fields.extend(
        budget
            .min_available
            .map(|v| ("disruptionBudget.minAvailable".to_owned(), v)),
    );
    fields.extend(
        budget
            .max_unavailable
            .map(|v| ("disruptionBudget.maxUnavailable".to_owned(), v)),
    );
    fields
}

/// The ingress peers as one service sees them: only the named ports it exposes.
fn peers_for(peers: &[IngressPeer], ports: &[Port]) -> Vec<IngressPeer> {
    peers
        .iter()
        .map(|peer| IngressPeer {
            namespace: peer.namespace.clone(),
            ports: peer
                .ports
                .iter()
                .filter(|p| ports.iter().any(|own| &own.name == *p))
                .cloned()
                .collect(),
        })
        .filter(|peer| !peer.ports.is_empty())
        .collect()
}

/// A service's own settings win over `serviceDefaults`, key by key.
fn merge(defaults: &RawServiceSettings, service: &RawService) -> RawServiceSettings {
    RawServiceSettings {
        ports: service.ports.clone().or_else(|| defaults.ports.clone()),
        probes: service.probes.clone().or_else(|| defaults.probes.clone()),
        shutdown: service.shutdown.clone().or_else(|| defaults.shutdown.clone()),
        resources: service.resources.clone().or_else(|| defaults.resources.clone()),
        run_as_user: service.run_as_user.or(defaults.run_as_user),
        node_selector: service.node_selector.clone().or_else(|| defaults.node_selector.clone()),
        env: merged_env(defaults.env.as_ref(), service.env.as_ref()),
        depends_on: service.depends_on.clone().or_else(|| defaults.depends_on.clone()),
    }
}

fn merged_env(
    defaults: Option<&BTreeMap<String, String>>,
    own: Option<&BTreeMap<String, String>>,
) -> Option<BTreeMap<String, String>> {
    match (defaults, own) {
        (None, None) => None,
        _ => {
            let mut env = defaults.cloned().unwrap_or_default();
            env.extend(own.cloned().unwrap_or_default());
            Some(env)
        }
    }
}

fn namespace_labels(namespace: &str, app: &str, version: &str) -> Labels {
    let mut labels = Labels::from([
        ("app.kubernetes.io/part-of".to_owned(), app.to_owned()),
        ("app.kubernetes.io/managed-by".to_owned(), "gen".to_owned()),
        ("kubernetes.io/metadata.name".to_owned(), namespace.to_owned()),
    ]);
    for mode in ["enforce", "audit", "warn"] {
        labels.insert(format!("pod-security.kubernetes.io/{mode}"), "restricted".into());
        labels.insert(format!("pod-security.kubernetes.io/{mode}-version"), version.into());
    }
    labels
}

const DNS_LABEL_HINT: &str =
    "use lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters";
const LABEL_KEY_HINT: &str = "label keys are an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, e.g. `workload-type` or `example.com/tier`";
const LABEL_HINT: &str = "label values are at most 63 characters of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit";

/// RFC 1123 label: what Kubernetes requires of namespace names and most object names.
pub fn dns_label(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.len() > 63 {
        return Err(format!("is {} characters long; the limit is 63", name.len()));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("may contain only lowercase letters, digits and `-`".into());
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// RFC 1035 label: what Kubernetes requires of Service names (must start with a letter).
pub fn dns1035_label(name: &str) -> Result<(), String> {
    dns_label(name)?;
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("must start with a letter".into());
    }
    Ok(())
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn dns_subdomain(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err(format!("is {} characters long; the limit is 253", name.len()));
    }
    name.split('.').try_for_each(dns_label)
}

pub fn label_value(value: &str) -> Result<(), String> {
    if value.len() > 63 {
        return Err(format!("it is {} characters long; the limit is 63", value.len()));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("it may contain only letters, digits, `-`, `_` and `.`".into());
    }
    let alphanumeric_ends =
        value.starts_with(|c: char| c.is_ascii_alphanumeric()) && value.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !value.is_empty() && !alphanumeric_ends {
        return Err("it must start and end with a letter or digit".into());
    }
    Ok(())
}

pub fn label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        dns_subdomain(prefix).map_err(|problem| format!("its prefix `{prefix}` {problem}"))?;
    }
    if name.is_empty() {
        return Err("its name part is empty".into());
    }
    label_value(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(dns_label("platform-v2-stable").is_ok());
        assert!(dns_label("Platform").is_err());
        assert!(dns_label("-x").is_err());
        assert!(dns_label(&"a".repeat(64)).is_err());
        assert!(dns1035_label("1api").is_err());
        assert!(dns_subdomain("api.coderev.example.com").is_ok());
        assert!(dns_subdomain("api..example.com").is_err());
    }

    #[test]
    fn labels() {
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("workload-type").is_ok());
        assert!(label_key("bad key").is_err());
        assert!(label_value("1.2.3").is_ok());
        assert!(label_value("1.2.3+build").is_err());
        assert!(label_value("").is_ok());
    }
}
