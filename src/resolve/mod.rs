//! Stage 2: turn a raw profile into the validated [`Model`], applying the tier's defaults.
//!
//! Nothing stops at the first problem: every check records a diagnostic pointing at the profile
//! line it is about, and the model is only returned when there are none. One file per concern:
//! [`service`] (a workload of any kind), [`probes`], [`scaling`], [`schedule`] (cronjobs and
//! jobs), [`config`] (ConfigMaps, Secrets, volumes), [`rbac`], [`network`], [`routes`] (the
//! `ingress` section), [`keda`] and [`vertical_scaling`] (autoscaling beyond the HPA), and
//! [`observability`] (monitors and objectives, whose PromQL [`promql`] builds).

mod config;
mod guardrails;
mod keda;
pub mod names;
mod network;
mod observability;
mod probes;
mod promql;
mod rbac;
mod routes;
mod scaling;
pub mod schedule;
mod service;
#[cfg(test)]
mod tests;
mod vertical_scaling;

use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::kube_version::KubeVersion;
use crate::model::{Labels, Model, Service};
use crate::profile::{EgressMode, RawProfile, RawService, Tier};
use crate::quantity;
use crate::source::SourceFile;

use names::{DNS_LABEL_HINT, LABEL_HINT, LABEL_KEY_HINT};
pub use names::{dns_label, dns_subdomain, dns1035_label, label_key, label_value};

/// The defaults resolve applies when a profile does not say, for the profile reference (`gen
/// schema`, the README) to print from the code that applies them.
pub(crate) mod defaults {
    pub(crate) use super::config::DEFAULT_REFRESH_INTERVAL;
    pub(crate) use super::probes::{DEFAULT_TIMEOUT, LIVENESS_TIMING, READINESS_TIMING, STARTUP_TIMING};
    pub(crate) use super::routes::{
        DEFAULT_CONTENT_SECURITY_POLICY, DEFAULT_HSTS_MAX_AGE, DEFAULT_INGRESS_CLASS, DEFAULT_REALM,
    };
    pub(crate) use super::scaling::{SCALE_DOWN_DEFAULTS, SCALE_UP_DEFAULTS};
    pub(crate) use super::schedule::{
        DEFAULT_BACKOFF_LIMIT, DEFAULT_CONCURRENCY_POLICY, DEFAULT_FAILED_HISTORY, DEFAULT_RESTART_POLICY,
        DEFAULT_SUCCESSFUL_HISTORY,
    };
    pub(crate) use super::service::{
        DEFAULT_GRACE_PERIOD, DEFAULT_HTTP_PORT, DEFAULT_METRICS_PATH, DEFAULT_PRE_STOP_SLEEP, DEFAULT_RUN_AS_USER,
    };
    pub use super::{TierDefaults, tier_defaults};
}

/// The Kubernetes version of the API types gen decodes every object into (the `k8s-openapi`
/// feature it is built with), and the version it targets by default (see [`KubeVersion`]).
pub const KUBERNETES_VERSION: &str = "1.33";

/// What a tier decides when the profile does not say. The profile reference (`gen schema`,
/// the README) prints this table, so it is the one place tier defaults are written.
pub struct TierDefaults {
    /// `services.<name>.replicas`.
    pub replicas: i64,
    /// `network.egressMode`.
    pub egress: EgressMode,
}

pub fn tier_defaults(tier: Tier) -> TierDefaults {
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

pub fn resolve(raw: &RawProfile, source: &SourceFile, profile_name: &str) -> Result<Model, Vec<Diagnostic>> {
    resolve_for(raw, source, profile_name, KubeVersion::DEFAULT)
}

/// [`resolve`] for a target Kubernetes version: it decides the Pod Security version labels and
/// the defaults that need an API the version may lack.
pub fn resolve_for(
    raw: &RawProfile,
    source: &SourceFile,
    profile_name: &str,
    kube_version: KubeVersion,
) -> Result<Model, Vec<Diagnostic>> {
    let mut resolver = Resolver {
        source,
        kube_version,
        diagnostics: Vec::new(),
        config_hashes: Default::default(),
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
    kube_version: KubeVersion,
    diagnostics: Vec<Diagnostic>,
    /// The `checksum/config` of each list of configs a service reads, by their names in order:
    /// services share their reads (through `serviceDefaults`), and hashing a large config
    /// again for each of thousands of services took a minute.
    config_hashes: std::collections::HashMap<Vec<String>, String>,
}

/// What every service resolves against: the profile around it.
struct ServiceContext<'a> {
    raw_profile: &'a RawProfile,
    defaults: &'a TierDefaults,
    instance: &'a str,
    dependencies: &'a [std::sync::Arc<crate::model::Dependency>],
    peers: &'a [crate::model::IngressPeer],
}

impl Resolver<'_> {
    fn error(&mut self, code: &'static str, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        let diagnostic = Diagnostic::error(code, message).at(self.source, path).with_hint(hint);
        self.diagnostics.push(diagnostic);
    }

    /// Every service, in the profile's order. Each resolves against the profile around it and
    /// nothing else, so a large profile's services are spread over the cores; their findings
    /// come back in the same order as on one thread.
    fn services(&mut self, raw: &RawProfile, context: &ServiceContext) -> Vec<Service> {
        let entries: Vec<(&String, &RawService)> = raw.services.iter().collect();
        let chunks = crate::parallel::map_chunks(&entries, 64, |chunk| {
            let mut resolver = Resolver {
                source: self.source,
                kube_version: self.kube_version,
                diagnostics: Vec::new(),
                config_hashes: Default::default(),
            };
            let services: Vec<Service> = chunk
                .iter()
                .map(|(name, service)| resolver.service(name, service, context))
                .collect();
            (services, resolver.diagnostics)
        });
        let mut services = Vec::with_capacity(entries.len());
        for (resolved, diagnostics) in chunks {
            services.extend(resolved);
            self.diagnostics.extend(diagnostics);
        }
        services
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
        let dependencies = self.dependencies(&raw.namespace, &raw.network.egress);
        let peers = self.ingress_peers(raw);
        let egress_open = raw.network.egress_mode.unwrap_or(defaults.egress) == EgressMode::Open;
        let instance = format!("{}-{}", raw.app, raw.tier.as_str());
        self.label_value("app", &instance);
        let config_maps = self.config_maps(raw);
        let external_secrets = self.external_secrets(raw);
        let trigger_authentications = self.trigger_authentications(&raw.trigger_authentications);
        let context = ServiceContext {
            raw_profile: raw,
            defaults: &defaults,
            instance: &instance,
            dependencies: &dependencies,
            peers: &peers,
        };
        let mut services = self.services(raw, &context);
        self.service_peers(raw, &mut services);
        self.peer_ports_exposed(raw, &services);
        let shared_service_accounts = self.shared_service_accounts(raw);
        self.local_dependency_selectors(&raw.namespace, &dependencies, &services);
        let local_dependencies = network::local_dependencies(&raw.namespace, &dependencies, &services);
        let mut config_maps = config_maps;
        let route_groups = match &raw.ingress {
            Some(ingress) => {
                let (groups, headers) = self.route_groups(ingress, raw, &services);
                config_maps.extend(headers);
                groups
            }
            None => Vec::new(),
        };
        let pod_security_version = self.kube_version.pod_security_label();
        Model {
            profile: profile_name.to_owned(),
            tier: raw.tier,
            namespace: raw.namespace.clone(),
            app: raw.app.clone(),
            namespace_labels: self.namespace_labels(raw, &pod_security_version),
            namespace_annotations: self.namespace_annotations(raw),
            pod_security_level: match raw.pod_security {
                Some(crate::profile::PodSecurityLevel::Baseline) => "baseline".into(),
                _ => "restricted".into(),
            },
            quota: self.quota(raw.quota.as_ref()),
            limit_range: self.limit_range(raw.limit_range.as_ref()),
            pod_security_version,
            egress_open,
            services,
            config_maps,
            external_secrets,
            trigger_authentications,
            shared_service_accounts,
            local_dependencies,
            route_groups,
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

    /// A name Kubernetes stores as an object name (RFC 1123 subdomain).
    fn object_name(&mut self, path: &str, what: &str, name: &str) {
        if let Err(problem) = dns_subdomain(name) {
            self.error(
                "invalid-name",
                path,
                format!("{what} `{name}` {problem}"),
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
            self.label_key(&format!("{path}.{key}"), key);
            self.label_value(&format!("{path}.{key}"), value);
        }
    }

    fn label_key(&mut self, path: &str, key: &str) {
        if let Err(problem) = label_key(key) {
            self.error(
                "invalid-label-key",
                path,
                format!("`{key}` cannot be a label key: {problem}"),
                LABEL_KEY_HINT,
            );
        }
    }

    /// A quantity that must be positive; its value in base units when it is.
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

    /// An optional count of seconds or retries that must be at least `minimum`.
    fn at_least(&mut self, path: &str, value: Option<i64>, minimum: i64) -> Option<i64> {
        let value = value?;
        if value < minimum {
            let key = path.rsplit('.').next().unwrap_or(path);
            self.error(
                "invalid-value",
                path,
                format!("{key} must be at least {minimum}, not {value}"),
                format!("set {key} to {minimum} or more"),
            );
        }
        Some(value)
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
}

/// Suggests the closest of `candidates` for an unknown name.
fn suggestion<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>, otherwise: &str) -> String {
    match did_you_mean(name, candidates) {
        Some(s) => format!("did you mean `{s}`?"),
        None => otherwise.to_owned(),
    }
}
