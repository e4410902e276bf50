//! The namespace's guardrails: its Pod Security level, extra labels and annotations, the
//! ResourceQuota and the LimitRange.

use super::Resolver;
use crate::model::{Labels, LimitRange, Quota};
use crate::profile::{PodSecurityLevel, RawCpuMemory, RawLimitRange, RawProfile, RawQuota};
use crate::quantity;

/// Label prefixes gen owns on the Namespace: Pod Security is the profile's `podSecurity`.
const RESERVED_NAMESPACE_LABELS: &[&str] = &["pod-security.kubernetes.io/", "app.kubernetes.io/", "kubernetes.io/"];

impl Resolver<'_> {
    /// The Namespace's labels: gen's (Pod Security at `level`, pinned to `version`) and the
    /// profile's extra ones, which may not touch gen's.
    pub(super) fn namespace_labels(&mut self, raw: &RawProfile, version: &str) -> Labels {
        let level = raw.pod_security.unwrap_or(PodSecurityLevel::Restricted);
        let level = match level {
            PodSecurityLevel::Restricted => "restricted",
            PodSecurityLevel::Baseline => "baseline",
        };
        let mut labels = Labels::from([
            ("app.kubernetes.io/part-of".to_owned(), raw.app.clone()),
            ("app.kubernetes.io/managed-by".to_owned(), "gen".to_owned()),
            ("kubernetes.io/metadata.name".to_owned(), raw.namespace.clone()),
        ]);
        for mode in ["enforce", "audit", "warn"] {
            labels.insert(format!("pod-security.kubernetes.io/{mode}"), level.into());
            labels.insert(format!("pod-security.kubernetes.io/{mode}-version"), version.into());
        }
        for (key, value) in raw.namespace_labels.iter().flatten() {
            let path = format!("namespaceLabels.{key}");
            if RESERVED_NAMESPACE_LABELS.iter().any(|p| key.starts_with(p)) {
                self.error(
                    "reserved-key",
                    &path,
                    format!("`{key}` is set by gen on the Namespace"),
                    "set the Pod Security level with `podSecurity:`; gen writes the app.kubernetes.io and kubernetes.io labels itself",
                );
                continue;
            }
            self.label_key(&path, key);
            self.label_value(&path, value);
            labels.insert(key.clone(), value.clone());
        }
        labels
    }

    pub(super) fn namespace_annotations(&mut self, raw: &RawProfile) -> Labels {
        let annotations = raw.namespace_annotations.clone().unwrap_or_default();
        for key in annotations.keys() {
            self.label_key(&format!("namespaceAnnotations.{key}"), key);
        }
        annotations
    }

    pub(super) fn quota(&mut self, raw: Option<&RawQuota>) -> Option<Quota> {
        let raw = raw?;
        let requests = self.cpu_memory("quota.requests", raw.requests.as_ref());
        let limits = self.cpu_memory("quota.limits", raw.limits.as_ref());
        let mut count = |key: &str, value: Option<i64>| {
            if let Some(value) = value
                && value < 0
            {
                self.error(
                    "invalid-value",
                    &format!("quota.{key}"),
                    format!("{key} {value} is negative"),
                    "a quota counts objects: 0 or more",
                );
            }
            value
        };
        Some(Quota {
            requests_cpu: requests.0,
            requests_memory: requests.1,
            limits_cpu: limits.0,
            limits_memory: limits.1,
            pods: count("pods", raw.pods),
            services: count("services", raw.services),
            load_balancers: count("loadBalancers", raw.load_balancers),
            persistent_volume_claims: count("persistentVolumeClaims", raw.persistent_volume_claims),
            config_maps: count("configMaps", raw.config_maps),
            secrets: count("secrets", raw.secrets),
        })
    }

    pub(super) fn limit_range(&mut self, raw: Option<&RawLimitRange>) -> Option<LimitRange> {
        let raw = raw?;
        let default = self.cpu_memory("limitRange.default", raw.default.as_ref());
        let default_request = self.cpu_memory("limitRange.defaultRequest", raw.default_request.as_ref());
        let max = self.cpu_memory("limitRange.max", raw.max.as_ref());
        for (index, (request, limit)) in [(&default_request.0, &default.0), (&default_request.1, &default.1)]
            .into_iter()
            .enumerate()
        {
            let resource = ["cpu", "memory"][index];
            if let (Some(request), Some(limit)) = (request, limit)
                && quantity::parse(request) > quantity::parse(limit)
            {
                self.error(
                    "request-above-limit",
                    &format!("limitRange.defaultRequest.{resource}"),
                    format!("the default {resource} request {request} is above the default limit {limit}"),
                    "lower the default request or raise the default limit",
                );
            }
        }
        Some(LimitRange {
            default_cpu: default.0,
            default_memory: default.1,
            default_request_cpu: default_request.0,
            default_request_memory: default_request.1,
            max_cpu: max.0,
            max_memory: max.1,
        })
    }

    /// A validated (cpu, memory) pair, each optional.
    fn cpu_memory(&mut self, path: &str, raw: Option<&RawCpuMemory>) -> (Option<String>, Option<String>) {
        let Some(raw) = raw else {
            return (None, None);
        };
        let mut one = |key: &str, value: &Option<String>| {
            let value = value.as_ref()?;
            match quantity::parse(value) {
                Some(amount) if amount >= 0.0 => Some(value.clone()),
                _ => {
                    self.error(
                        "invalid-quantity",
                        &format!("{path}.{key}"),
                        format!("`{value}` is not a Kubernetes quantity"),
                        "write e.g. `20` or `500m` for cpu, `64Gi` for memory",
                    );
                    None
                }
            }
        };
        (one("cpu", &raw.cpu), one("memory", &raw.memory))
    }
}
