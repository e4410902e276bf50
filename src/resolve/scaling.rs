//! Replicas, the autoscaler and the disruption budget of long-running services.

use super::Resolver;
use crate::model::{Autoscaling, DisruptionBudget, ScalingRule, Service};
use crate::profile::{RawAutoscaling, RawScalingRule, RawService};

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
            scale_up: self.scaling_rule(&format!("{path}.scaleUp"), raw.scale_up.as_ref(), SCALE_UP_DEFAULTS),
            scale_down: self.scaling_rule(
                &format!("{path}.scaleDown"),
                raw.scale_down.as_ref(),
                SCALE_DOWN_DEFAULTS,
            ),
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
