//! Observability: the Prometheus operator object that scrapes a service (`metrics.monitor`),
//! and the recording rules and alerts gen builds from its objectives (`slo:`).
//!
//! Every PromQL expression is built here from validated names, never written by the user: a
//! histogram is always read as `rate(<name>_bucket[5m])` summed `by (le)`, and every selector
//! names the service's own `namespace` and `job`, so two services' objectives never mix.

use super::Resolver;
use super::promql::{
    BURN_ALERTS, Decimal, Selector, availability_rules, check_label_name, check_metric_name, latency_rules,
    prometheus_duration,
};
use crate::model::{AlertRules, Metrics, Monitor, MonitorKind, RuleGroup};
use crate::profile::{RawMetrics, RawSlo, WorkloadKind};

/// The service a monitor or a rule belongs to: where the profile declares it, its name and its
/// namespace.
#[derive(Clone, Copy)]
pub(super) struct Scope<'a> {
    pub path: &'a str,
    pub name: &'a str,
    pub namespace: &'a str,
}

impl Resolver<'_> {
    /// The ServiceMonitor or PodMonitor a service asks for with `metrics.monitor: true`, and
    /// whether its pods keep the `prometheus.io/*` annotations (not when a monitor scrapes them:
    /// Prometheus would scrape each target twice).
    pub(super) fn monitor(
        &mut self,
        scope: &Scope,
        kind: WorkloadKind,
        declared: Option<&RawMetrics>,
        metrics: &mut Metrics,
        service_publishes_metrics: bool,
    ) {
        let Some(declared) = declared else { return };
        let Scope { path, name, namespace } = *scope;
        let path = format!("{path}.metrics");
        let wanted = declared.monitor == Some(true);
        let interval = self.scrape_duration(
            &format!("{path}.interval"),
            declared.interval.as_deref(),
            declared.monitor,
        );
        let timeout = self.scrape_duration(
            &format!("{path}.scrapeTimeout"),
            declared.scrape_timeout.as_deref(),
            declared.monitor,
        );
        let too_long = match (&interval, &timeout) {
            (Some((_, interval)), Some((text, timeout))) => (timeout > interval).then_some(text.clone()),
            _ => None,
        };
        if let Some(timeout_text) = too_long {
            self.error(
                "invalid-value",
                &format!("{path}.scrapeTimeout"),
                format!("the scrape timeout `{timeout_text}` is longer than the interval"),
                "Prometheus refuses a scrape timeout longer than the scrape interval: shorten it",
            );
        }
        if !wanted {
            return;
        }
        metrics.annotate = false;
        let kind = match kind {
            WorkloadKind::Web if service_publishes_metrics => MonitorKind::ServiceMonitor,
            _ => MonitorKind::PodMonitor,
        };
        let job = match kind {
            MonitorKind::ServiceMonitor => name.to_owned(),
            MonitorKind::PodMonitor => format!("{namespace}/{name}"),
        };
        metrics.monitor = Some(Monitor {
            kind,
            interval: interval.map(|(text, _)| text),
            scrape_timeout: timeout.map(|(text, _)| text),
            job,
        });
    }

    /// A scrape setting: a Prometheus duration above zero, and only beside `monitor: true`.
    /// A service that switches off the monitor `serviceDefaults` turns on ignores the scrape
    /// settings it inherits; written without any monitor, they are a mistake.
    fn scrape_duration(&mut self, path: &str, value: Option<&str>, monitor: Option<bool>) -> Option<(String, u64)> {
        let value = value?;
        if monitor != Some(true) {
            let written_here = self.source.exact_position(path).is_some();
            if monitor == Some(false) && !written_here {
                return None;
            }
            self.error(
                "invalid-value",
                path,
                "scrape settings apply only to a monitor",
                "set `metrics.monitor: true`, or remove it (annotation-based scraping has no per-target interval)",
            );
            return None;
        }
        match prometheus_duration(value) {
            Some(millis) if millis > 0 => Some((value.to_owned(), millis)),
            _ => {
                self.error(
                    "invalid-value",
                    path,
                    format!("`{value}` is not a Prometheus duration above zero"),
                    "write a duration such as `30s`, `1m` or `1m30s` (units y, w, d, h, m, s, ms, largest first)",
                );
                None
            }
        }
    }

    /// The recording rules and alerts of a service's objectives.
    pub(super) fn alert_rules(
        &mut self,
        scope: &Scope,
        slo: Option<&RawSlo>,
        declared: Option<&RawMetrics>,
        metrics: Option<&Metrics>,
    ) -> Option<AlertRules> {
        let slo = slo?;
        let Scope { path, name, namespace } = *scope;
        let monitor = metrics.and_then(|m| m.monitor.as_ref());
        if monitor.is_none() {
            // A monitor switched off is the mistake to point at; otherwise the objectives.
            let at = if declared.and_then(|m| m.monitor) == Some(false) {
                format!("{path}.metrics.monitor")
            } else {
                format!("{path}.slo")
            };
            self.error(
                "slo-without-monitor",
                &at,
                format!("`{name}` declares objectives, but no monitor scrapes its metrics"),
                "set `metrics: {monitor: true}` (and `ports.metrics`): gen's rules select the series its ServiceMonitor labels with the service's namespace and job",
            );
        }
        if slo.availability.is_none() && slo.latency.is_none() {
            self.error(
                "invalid-value",
                path,
                "an objective needs `availability` or `latency`",
                "declare `availability` (with `requests`), `latency`, or both",
            );
        }
        let path = format!("{path}.slo");
        let selector = Selector {
            namespace: namespace.to_owned(),
            job: monitor.map(|m| m.job.clone()).unwrap_or_default(),
        };
        let mut rules = Vec::new();
        let mut alerts = Vec::new();
        if let Some(availability) = slo.availability {
            let budget = self.error_budget(&format!("{path}.availability"), availability);
            match &slo.requests {
                None => self.error(
                    "invalid-value",
                    &format!("{path}.availability"),
                    "an availability objective needs the request counter",
                    "add `requests: {counter: http_requests_total}` (errors default to label `code` matching `5..`)",
                ),
                Some(requests) => {
                    let counter_path = format!("{path}.requests.counter");
                    let counter_ok = self.metric_name(&counter_path, &requests.counter, &["_bucket", "_sum"]);
                    let (label, matches) = match &requests.errors {
                        Some(errors) => (errors.label.as_str(), errors.matches.as_str()),
                        None => ("code", "5.."),
                    };
                    let errors_ok = self.error_selector(&format!("{path}.requests.errors"), label, matches);
                    if let (Some(budget), true, true) = (budget, counter_ok, errors_ok) {
                        let (recorded, burns) = availability_rules(
                            name,
                            &selector,
                            &requests.counter,
                            label,
                            matches,
                            availability,
                            budget,
                        );
                        rules.extend(recorded);
                        alerts.extend(burns);
                    }
                }
            }
        } else if slo.requests.is_some() {
            self.error(
                "invalid-value",
                &format!("{path}.requests"),
                "the request counter is only read for an availability objective",
                "add `availability` (the percentage of requests that must succeed), or remove `requests`",
            );
        }
        if let Some(latency) = &slo.latency {
            let latency_path = format!("{path}.latency");
            let histogram_ok = self.histogram_name(&format!("{latency_path}.histogram"), &latency.histogram);
            let quantile = self.percentile(&format!("{latency_path}.percentile"), latency.percentile);
            let threshold = self.latency_threshold(&format!("{latency_path}.threshold"), &latency.threshold);
            if let (true, Some(quantile), Some(threshold)) = (histogram_ok, quantile, threshold) {
                let (recorded, alert) = latency_rules(
                    name,
                    &selector,
                    &latency.histogram,
                    latency.percentile,
                    &quantile,
                    &threshold,
                    &latency.threshold,
                );
                rules.push(recorded);
                alerts.push(alert);
            }
        }
        rules.extend(alerts);
        (!rules.is_empty()).then(|| AlertRules {
            groups: vec![RuleGroup {
                name: format!("{name}-slo"),
                rules,
            }],
        })
    }

    /// The error budget (`100 - availability`) as a fraction of requests; `None` after an error.
    fn error_budget(&mut self, path: &str, availability: f64) -> Option<Decimal> {
        let hint = "write the percentage of requests that must succeed, such as `99.5` (an error budget of 0.5%)";
        let Some(objective) = Decimal::percent(availability) else {
            self.error(
                "invalid-value",
                path,
                format!(
                    "availability {availability} is not a percentage above 0 and below 100 with at most 6 decimals"
                ),
                hint,
            );
            return None;
        };
        let budget = objective.complement_of_hundred().fraction_of_percent();
        // The error ratio never exceeds 1: a budget the fast burn rate cannot exceed would
        // leave the paging alert silent whatever happens.
        let fastest = BURN_ALERTS[0].1.times(budget);
        if !fastest.below_one() {
            self.error(
                "invalid-value",
                path,
                format!(
                    "an availability of {availability}% leaves an error budget so large that the fast-burn alert (14.4 times the budget) could never fire"
                ),
                "use an availability above 93.06%, or alert on the error rate another way",
            );
            return None;
        }
        Some(budget)
    }

    /// A Prometheus metric name of the app's own (no colons: those are for recording rules),
    /// without one of the suffixes given.
    fn metric_name(&mut self, path: &str, name: &str, refused_suffixes: &[&str]) -> bool {
        if let Err(problem) = check_metric_name(name) {
            self.error(
                "invalid-metric-name",
                path,
                format!("`{name}` {problem}"),
                "write the metric's name as the app exposes it: letters, digits and `_`, not starting with a digit",
            );
            return false;
        }
        if let Some(suffix) = refused_suffixes.iter().find(|s| name.ends_with(*s)) {
            self.error(
                "invalid-metric-name",
                path,
                format!("`{name}` is a histogram's `{suffix}` series, not a request counter"),
                "name the counter of requests (`http_requests_total`, or a histogram's `_count`)",
            );
            return false;
        }
        true
    }

    /// A latency histogram's base name in seconds; gen adds `_bucket` itself.
    fn histogram_name(&mut self, path: &str, name: &str) -> bool {
        if !self.metric_name(path, name, &[]) {
            return false;
        }
        if let Some(suffix) = ["_bucket", "_sum", "_count"].iter().find(|s| name.ends_with(*s)) {
            let base = &name[..name.len() - suffix.len()];
            self.error(
                "invalid-metric-name",
                path,
                format!("`{name}` is one series of a histogram; give the histogram's base name"),
                format!("write `{base}`: gen reads `rate({base}_bucket[5m])` by `le` itself"),
            );
            return false;
        }
        if !name.ends_with("_seconds") {
            self.error(
                "invalid-metric-name",
                path,
                format!("`{name}` does not end in `_seconds`, so its unit is not the one the threshold is in"),
                "name a latency histogram in seconds, Prometheus' base unit (`http_request_duration_seconds`)",
            );
            return false;
        }
        true
    }

    /// The label that marks failed requests and its regular expression.
    fn error_selector(&mut self, path: &str, label: &str, matches: &str) -> bool {
        let mut ok = true;
        if let Err(problem) = check_label_name(label) {
            self.error(
                "invalid-metric-name",
                &format!("{path}.label"),
                format!("`{label}` {problem}"),
                "name the counter's status label, such as `code` or `status`",
            );
            ok = false;
        } else if matches!(label, "namespace" | "job" | "le") {
            self.error(
                "invalid-metric-name",
                &format!("{path}.label"),
                format!("`{label}` is a label gen selects on itself"),
                "name the counter's status label, such as `code` or `status`",
            );
            ok = false;
        }
        let problem = if matches.is_empty() {
            Some("is empty".to_owned())
        } else if matches.chars().any(char::is_control) {
            Some("contains a control character".to_owned())
        } else {
            regex_syntax::Parser::new().parse(matches).err().map(|e| {
                format!(
                    "is not a regular expression: {}",
                    e.to_string().lines().last().unwrap_or("")
                )
            })
        };
        if let Some(problem) = problem {
            self.error(
                "invalid-value",
                &format!("{path}.matches"),
                format!("`{matches}` {problem}"),
                "write an RE2 regular expression over the label's value, such as `5..`",
            );
            ok = false;
        }
        ok
    }

    /// A percentile as the quantile `histogram_quantile` takes (`95` -> `0.95`).
    fn percentile(&mut self, path: &str, percentile: f64) -> Option<String> {
        // Below 1 is a quantile written where the percentile goes (`0.95` for `95`).
        let quantile = Decimal::percent(percentile)
            .filter(|_| percentile >= 1.0)
            .map(Decimal::fraction_of_percent);
        if quantile.is_none() {
            self.error(
                "invalid-value",
                path,
                format!("percentile {percentile} is not from 1 to below 100 with at most 6 decimals"),
                "write the percentile as a percentage such as `95` or `99.9` (not the quantile `0.95`)",
            );
        }
        quantile.map(|q| q.to_string())
    }

    /// The latency threshold in seconds, as PromQL compares it.
    fn latency_threshold(&mut self, path: &str, threshold: &str) -> Option<String> {
        match prometheus_duration(threshold) {
            Some(millis) if millis > 0 => Some(
                Decimal {
                    units: millis,
                    scale: 3,
                }
                .to_string(),
            ),
            _ => {
                self.error(
                    "invalid-value",
                    path,
                    format!("`{threshold}` is not a duration above zero"),
                    "write the latency as a duration such as `3s`, `500ms` or `1m`",
                );
                None
            }
        }
    }
}
