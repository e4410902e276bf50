//! Replicas, the autoscaler and the disruption budget of long-running services.

use super::Resolver;
use std::collections::BTreeMap;

use super::dns_subdomain;
use crate::model::{Autoscaling, DisruptionBudget, MetricTarget, ObjectReference, ScalingRule, Service};
use crate::profile::{
    RawAutoscaling, RawMetricTarget, RawObjectReference, RawScalingRule, RawService, RawTriggerAuthentication,
};

/// Prometheus' metric name grammar, which the metrics APIs serve names in.
pub(super) fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// What an autoscaler does without `scaleUp` / `scaleDown`: (percent, periodSeconds,
/// stabilizationWindowSeconds). Up: double every 15 s at once; down: halve every minute after
/// five calm minutes.
pub(crate) const SCALE_UP_DEFAULTS: (i64, i64, i64) = (100, 15, 0);
pub(crate) const SCALE_DOWN_DEFAULTS: (i64, i64, i64) = (50, 60, 300);

impl Resolver<'_> {
    pub(super) fn autoscaling(
        &mut self,
        path: &str,
        raw: &RawAutoscaling,
        explicit_replicas: Option<i64>,
        replicas: i64,
        authentications: &BTreeMap<String, RawTriggerAuthentication>,
    ) -> Autoscaling {
        let min = raw.min_replicas.unwrap_or(replicas);
        let Some(max) = raw.max_replicas else {
            // Without a ceiling there is no autoscaler to speak of; say so once, at the block.
            self.error(
                "missing-field",
                path,
                "the autoscaler has no `maxReplicas`",
                "add `maxReplicas:` to the service's `autoscaling` (or to `serviceDefaults.autoscaling`)",
            );
            return Autoscaling {
                min_replicas: min,
                max_replicas: min,
                target_cpu_utilization: Some(80),
                target_memory_utilization: None,
                scale_up: self.scaling_rule(&format!("{path}.scaleUp"), raw.scale_up.as_ref(), (100, 15, 0)),
                scale_down: self.scaling_rule(&format!("{path}.scaleDown"), raw.scale_down.as_ref(), (50, 60, 300)),
                metrics: Vec::new(),
                triggers: Vec::new(),
            };
        };
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
        let metrics = self.metric_targets(&format!("{path}.metrics"), raw.metrics.as_deref().unwrap_or_default());
        let events = self.triggers(
            &format!("{path}.triggers"),
            raw.triggers.as_deref().unwrap_or_default(),
            authentications,
        );
        // Judged on what was written: an invalid metric resolves to nothing but still conflicts.
        if raw.metrics.as_ref().is_some_and(|m| !m.is_empty()) && raw.triggers.as_ref().is_some_and(|t| !t.is_empty()) {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.triggers"),
                "custom `metrics` and KEDA `triggers` would be two autoscalers on one workload",
                "KEDA runs the HPA itself: express the metric as a `prometheus` trigger, or drop `triggers`",
            );
        }
        // CPU is the target when nothing else is.
        let cpu = if cpu.is_none() && memory.is_none() && metrics.is_empty() && events.is_empty() {
            Some(80)
        } else {
            cpu
        };
        let triggers = if events.is_empty() {
            Vec::new()
        } else {
            super::keda::resource_triggers(cpu, memory).chain(events).collect()
        };
        Autoscaling {
            min_replicas: min,
            max_replicas: max,
            target_cpu_utilization: cpu,
            target_memory_utilization: memory,
            scale_up: self.scaling_rule(&format!("{path}.scaleUp"), raw.scale_up.as_ref(), SCALE_UP_DEFAULTS),
            scale_down: self.scaling_rule(
                &format!("{path}.scaleDown"),
                raw.scale_down.as_ref(),
                SCALE_DOWN_DEFAULTS,
            ),
            metrics,
            triggers,
        }
    }

    /// The HPA's custom metrics: exactly one source each, a valid name and selector, and a
    /// positive quantity to aim for.
    fn metric_targets(&mut self, path: &str, raw: &[RawMetricTarget]) -> Vec<MetricTarget> {
        let mut targets = Vec::new();
        for (i, metric) in raw.iter().enumerate() {
            let path = format!("{path}[{i}]");
            let target = match (&metric.pods, &metric.object, &metric.external) {
                (Some(pods), None, None) => self.metric_target(
                    &format!("{path}.pods"),
                    "Pods",
                    &pods.name,
                    pods.selector.as_ref(),
                    (None, Some(&pods.average_value)),
                    None,
                ),
                (None, Some(object), None) => {
                    let reference =
                        self.described_object(&format!("{path}.object.describedObject"), &object.described_object);
                    self.metric_target(
                        &format!("{path}.object"),
                        "Object",
                        &object.name,
                        object.selector.as_ref(),
                        (object.value.as_ref(), object.average_value.as_ref()),
                        Some(reference),
                    )
                }
                (None, None, Some(external)) => self.metric_target(
                    &format!("{path}.external"),
                    "External",
                    &external.name,
                    external.selector.as_ref(),
                    (external.value.as_ref(), external.average_value.as_ref()),
                    None,
                ),
                _ => {
                    self.error(
                        "invalid-autoscaling",
                        &path,
                        "a metric needs exactly one of `pods`, `object` and `external`",
                        "e.g. `- pods: {name: http_requests_per_second, averageValue: \"100\"}`",
                    );
                    None
                }
            };
            targets.extend(target);
        }
        targets
    }

    fn metric_target(
        &mut self,
        path: &str,
        source: &'static str,
        name: &str,
        selector: Option<&BTreeMap<String, String>>,
        (value, average_value): (Option<&String>, Option<&String>),
        described_object: Option<ObjectReference>,
    ) -> Option<MetricTarget> {
        if !is_metric_name(name) {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.name"),
                format!("`{name}` is not a metric name"),
                "metric names are letters, digits, `_` and `:`, not starting with a digit",
            );
        }
        for (key, value) in selector.into_iter().flatten() {
            self.label_key(&format!("{path}.selector.{key}"), key);
            self.label_value(&format!("{path}.selector.{key}"), value);
        }
        let (target_type, target, key) = match (value, average_value) {
            (Some(value), None) => ("Value", value, "value"),
            (None, Some(average)) => ("AverageValue", average, "averageValue"),
            _ => {
                self.error(
                    "invalid-autoscaling",
                    path,
                    "set exactly one of `value` and `averageValue`",
                    "`averageValue` divides the metric by the pods; `value` takes it whole",
                );
                return None;
            }
        };
        self.quantity(&format!("{path}.{key}"), target, "100")?;
        Some(MetricTarget {
            source,
            name: name.to_owned(),
            selector: selector.cloned().unwrap_or_default(),
            target_type,
            target: target.clone(),
            described_object,
        })
    }

    fn described_object(&mut self, path: &str, raw: &RawObjectReference) -> ObjectReference {
        let valid_api_version = raw.api_version.split('/').count() <= 2
            && !raw.api_version.is_empty()
            && raw.api_version.split('/').all(|part| dns_subdomain(part).is_ok());
        if !valid_api_version {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.apiVersion"),
                format!("`{}` is not an apiVersion", raw.api_version),
                "write `group/version` (`networking.k8s.io/v1`) or `v1`",
            );
        }
        if !raw.kind.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            || !raw.kind.chars().all(|c| c.is_ascii_alphanumeric())
        {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.kind"),
                format!("`{}` is not a kind", raw.kind),
                "kinds are written in CamelCase, such as `Ingress`",
            );
        }
        if let Err(problem) = dns_subdomain(&raw.name) {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.name"),
                format!("`{}` {problem}", raw.name),
                "name an object of the profile's namespace",
            );
        }
        ObjectReference {
            api_version: raw.api_version.clone(),
            kind: raw.kind.clone(),
            name: raw.name.clone(),
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
        // A rule that sets only its stabilization window keeps gen's policy for the direction;
        // a policy period with no amount to apply per period is a mistake.
        let only_window = raw.percent.is_none() && raw.pods.is_none() && raw.period_seconds.is_none();
        if raw.percent.is_none() && raw.pods.is_none() && !only_window {
            self.error(
                "invalid-autoscaling",
                path,
                "a scaling rule needs `percent`, `pods` or both",
                "add e.g. `percent: 100`",
            );
        }
        let (percent, pods) = if only_window {
            (Some(percent), None)
        } else {
            (raw.percent, raw.pods)
        };
        let period_seconds = raw.period_seconds.unwrap_or(period);
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
        if !(1..=1800).contains(&period_seconds) {
            self.error(
                "invalid-autoscaling",
                &format!("{path}.periodSeconds"),
                format!("periodSeconds {period_seconds} is outside 1..=1800"),
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
            percent,
            pods,
            period_seconds,
            stabilization_window_seconds: window,
        }
    }

    /// A budget that never blocks a node drain: keep all but one of the guaranteed pods.
    pub(super) fn disruption_budget(&mut self, path: &str, raw: &RawService, floor: i64) -> DisruptionBudget {
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
}

/// Every integer of a service that ends up in an int32 field, with its profile key.
pub(super) fn int32_fields(service: &Service, replicas: i64) -> Vec<(String, i64)> {
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
    let written = [
        ("startup", &probes.startup),
        ("liveness", &probes.liveness),
        ("readiness", &probes.readiness),
    ];
    for (kind, probe) in written.into_iter().filter_map(|(kind, p)| Some((kind, p.as_ref()?))) {
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
    if let Some(budget) = &service.disruption_budget {
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
    }
    if let Some(job) = &service.job {
        fields.push(("backoffLimit".into(), job.backoff_limit));
        fields.extend(
            job.active_deadline_seconds
                .map(|v| ("activeDeadlineSeconds".to_owned(), v)),
        );
        fields.extend(
            job.ttl_seconds_after_finished
                .map(|v| ("ttlSecondsAfterFinished".to_owned(), v)),
        );
    }
    if let Some(cron) = &service.cron {
        fields.push(("successfulJobsHistoryLimit".into(), cron.successful_jobs_history_limit));
        fields.push(("failedJobsHistoryLimit".into(), cron.failed_jobs_history_limit));
    }
    fields
}
