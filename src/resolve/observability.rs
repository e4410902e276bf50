//! Observability: the Prometheus operator object that scrapes a service (`metrics.monitor`),
//! and the recording rules and alerts gen builds from its objectives (`slo:`).
//!
//! Every PromQL expression is built here from validated names, never written by the user: a
//! histogram is always read as `rate(<name>_bucket[5m])` summed `by (le)`, and every selector
//! names the service's own `namespace` and `job`, so two services' objectives never mix.

use super::Resolver;
use crate::model::{AlertRule, AlertRules, Labels, Metrics, Monitor, MonitorKind, RuleGroup};
use crate::profile::{RawMetrics, RawSlo, WorkloadKind};

/// The error budget's window: the workbook's burn rates are computed for 30 days.
const SLO_PERIOD: &str = "30d";

/// The SRE workbook's multi-window, multi-burn-rate alerts (chapter 5, "Alerting on SLOs",
/// recommended parameters): the alert name, the burn rate, the long and the short window, and
/// the severity.
const BURN_ALERTS: [(&str, Decimal, &str, &str, &str); 3] = [
    // 2% of a 30-day budget in 1 h.
    (
        "ErrorBudgetFastBurn",
        Decimal { units: 144, scale: 1 },
        "1h",
        "5m",
        "critical",
    ),
    // 5% of the budget in 6 h.
    (
        "ErrorBudgetSlowBurn",
        Decimal { units: 6, scale: 0 },
        "6h",
        "30m",
        "critical",
    ),
    // 10% of the budget in 3 days: a ticket, not a page.
    (
        "ErrorBudgetLongBurn",
        Decimal { units: 1, scale: 0 },
        "3d",
        "6h",
        "warning",
    ),
];

/// Every window an error ratio is recorded for, shortest first.
const RATIO_WINDOWS: [&str; 5] = ["5m", "30m", "1h", "6h", "3d"];

/// How long the latency percentile must stay above its threshold before the alert fires.
const LATENCY_FOR: &str = "5m";

impl Resolver<'_> {
    /// The ServiceMonitor or PodMonitor a service asks for with `metrics.monitor: true`, and
    /// whether its pods keep the `prometheus.io/*` annotations (not when a monitor scrapes them:
    /// Prometheus would scrape each target twice).
    pub(super) fn monitor(
        &mut self,
        path: &str,
        name: &str,
        namespace: &str,
        kind: WorkloadKind,
        declared: Option<&RawMetrics>,
        metrics: &mut Metrics,
        service_publishes_metrics: bool,
    ) {
        let Some(declared) = declared else { return };
        let path = format!("{path}.metrics");
        let wanted = declared.monitor == Some(true);
        let interval = self.scrape_duration(&format!("{path}.interval"), declared.interval.as_deref(), wanted);
        let timeout = self.scrape_duration(
            &format!("{path}.scrapeTimeout"),
            declared.scrape_timeout.as_deref(),
            wanted,
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
    fn scrape_duration(&mut self, path: &str, value: Option<&str>, monitored: bool) -> Option<(String, u64)> {
        let value = value?;
        if !monitored {
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
        path: &str,
        name: &str,
        namespace: &str,
        slo: Option<&RawSlo>,
        declared: Option<&RawMetrics>,
        metrics: Option<&Metrics>,
    ) -> Option<AlertRules> {
        let slo = slo?;
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
                &path,
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

/// The labels every expression of one service selects on.
struct Selector {
    namespace: String,
    job: String,
}

impl Selector {
    /// `{namespace="...",job="..."}` plus extra matchers, each value a PromQL string.
    fn matchers(&self, extra: &[(&str, &str, &str)]) -> String {
        let mut out = format!(
            "namespace={},job={}",
            promql_string(&self.namespace),
            promql_string(&self.job)
        );
        for (label, op, value) in extra {
            out.push_str(&format!(",{label}{op}{}", promql_string(value)));
        }
        format!("{{{out}}}")
    }
}

/// The error ratio recorded per window, and the three burn-rate alerts over them.
fn availability_rules(
    name: &str,
    selector: &Selector,
    counter: &str,
    label: &str,
    matches: &str,
    availability: f64,
    budget: Decimal,
) -> (Vec<AlertRule>, Vec<AlertRule>) {
    let all = selector.matchers(&[]);
    let failed = selector.matchers(&[(label, "=~", matches)]);
    let recorded = |window: &str| format!("namespace_job:slo_errors_per_request:ratio_rate{window}");
    let rules = RATIO_WINDOWS
        .iter()
        .map(|window| AlertRule {
            record: Some(recorded(window)),
            alert: None,
            // With no failed request at all the error series is absent: `or` makes the ratio 0
            // instead of no data, so dashboards and tests see a healthy service as healthy.
            expr: format!(
                "(sum by (namespace, job) (rate({counter}{failed}[{window}])) or 0 * sum by (namespace, job) (rate({counter}{all}[{window}]))) / sum by (namespace, job) (rate({counter}{all}[{window}]))"
            ),
            for_duration: None,
            labels: Labels::new(),
            annotations: Labels::new(),
        })
        .collect();
    let budget_percent = budget.as_percent();
    let alerts = BURN_ALERTS
        .iter()
        .map(|(alert, burn, long, short, severity)| {
            let threshold = burn.times(budget);
            AlertRule {
                record: None,
                alert: Some((*alert).to_owned()),
                expr: format!(
                    "{long_ratio}{all} > {threshold} and {short_ratio}{all} > {threshold}",
                    long_ratio = recorded(long),
                    short_ratio = recorded(short),
                ),
                for_duration: None,
                labels: Labels::from([
                    ("severity".to_owned(), (*severity).to_owned()),
                    ("slo".to_owned(), "availability".to_owned()),
                ]),
                annotations: Labels::from([
                    (
                        "summary".to_owned(),
                        format!("{name} burns its error budget at {burn}x the rate that lasts {SLO_PERIOD}"),
                    ),
                    (
                        "description".to_owned(),
                        format!(
                            "More than {}% of the requests to {name} failed over the last {long} and the last {short}; the objective is {availability}% over {SLO_PERIOD} (an error budget of {budget_percent}%).",
                            threshold.as_percent()
                        ),
                    ),
                ]),
            }
        })
        .collect();
    (rules, alerts)
}

/// The percentile recorded from the histogram's buckets, and the alert on it.
fn latency_rules(
    name: &str,
    selector: &Selector,
    histogram: &str,
    percentile: f64,
    quantile: &str,
    threshold_seconds: &str,
    threshold: &str,
) -> (AlertRule, AlertRule) {
    let all = selector.matchers(&[]);
    let percentile_name = percentile.to_string().replace('.', "_");
    let recorded = format!("namespace_job:{histogram}:p{percentile_name}_rate5m");
    let rule = AlertRule {
        record: Some(recorded.clone()),
        alert: None,
        expr: format!(
            "histogram_quantile({quantile}, sum by (namespace, job, le) (rate({histogram}_bucket{all}[5m])))"
        ),
        for_duration: None,
        labels: Labels::new(),
        annotations: Labels::new(),
    };
    let alert = AlertRule {
        record: None,
        alert: Some("LatencyObjectiveMissed".to_owned()),
        expr: format!("{recorded}{all} > {threshold_seconds}"),
        for_duration: Some(LATENCY_FOR.to_owned()),
        labels: Labels::from([
            ("severity".to_owned(), "critical".to_owned()),
            ("slo".to_owned(), "latency".to_owned()),
        ]),
        annotations: Labels::from([
            (
                "summary".to_owned(),
                format!("{name}'s p{percentile} latency is above {threshold}"),
            ),
            (
                "description".to_owned(),
                format!(
                    "The {percentile}th percentile of {histogram} for {name} has been above {threshold} for {LATENCY_FOR}."
                ),
            ),
        ]),
    };
    (rule, alert)
}

/// A non-negative decimal number held exactly: `units` / 10^`scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    units: u64,
    scale: u32,
}

impl Decimal {
    /// A percentage above 0 and below 100 with at most 6 decimals, read from its shortest
    /// decimal form (`99.9` is 999 tenths, not the nearest binary fraction).
    fn percent(value: f64) -> Option<Decimal> {
        if !value.is_finite() || value <= 0.0 || value >= 100.0 {
            return None;
        }
        let text = value.to_string();
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        if fraction.len() > 6 {
            return None;
        }
        let units = format!("{whole}{fraction}").parse().ok()?;
        Some(Decimal {
            units,
            scale: u32::try_from(fraction.len()).ok()?,
        })
    }

    /// `100 - self`, for a value below 100.
    fn complement_of_hundred(self) -> Decimal {
        Decimal {
            units: 100 * 10u64.pow(self.scale) - self.units,
            scale: self.scale,
        }
    }

    /// A percentage as a fraction of one.
    fn fraction_of_percent(self) -> Decimal {
        Decimal {
            units: self.units,
            scale: self.scale + 2,
        }
    }

    fn times(self, other: Decimal) -> Decimal {
        Decimal {
            units: self.units * other.units,
            scale: self.scale + other.scale,
        }
    }

    /// A fraction of one as a percentage.
    fn as_percent(self) -> Decimal {
        match self.scale.checked_sub(2) {
            Some(scale) => Decimal {
                units: self.units,
                scale,
            },
            None => Decimal {
                units: self.units * 10u64.pow(2 - self.scale),
                scale: 0,
            },
        }
    }

    fn below_one(self) -> bool {
        self.units < 10u64.pow(self.scale)
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let scale = self.scale as usize;
        let digits = format!("{:0>width$}", self.units, width = scale + 1);
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            f.write_str(whole)
        } else {
            write!(f, "{whole}.{fraction}")
        }
    }
}

/// A Prometheus duration (`1h30m`, `500ms`, `3d`) in milliseconds: units largest first, each at
/// most once, integers only, as the operator's CRDs and Prometheus accept them.
fn prometheus_duration(text: &str) -> Option<u64> {
    const UNITS: [(&str, u64); 8] = [
        ("y", 365 * 24 * 3_600_000),
        ("w", 7 * 24 * 3_600_000),
        ("d", 24 * 3_600_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
        ("", 0),
    ];
    if text == "0" {
        return Some(0);
    }
    let mut rest = text;
    let mut next_unit = 0;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        // `ms` before `m`: the longest unit that matches.
        let unit = UNITS[next_unit..7]
            .iter()
            .enumerate()
            .filter(|(_, (unit, _))| rest.starts_with(unit))
            .max_by_key(|(_, (unit, _))| unit.len())?;
        let (position, (unit, millis)) = unit;
        next_unit += position + 1;
        rest = &rest[unit.len()..];
        total = total.checked_add(number.checked_mul(*millis)?)?;
    }
    (!text.is_empty()).then_some(total)
}

/// A metric name the app exposes: `[a-zA-Z_][a-zA-Z0-9_]*` (Prometheus' grammar without the
/// colons it keeps for recording rules).
fn check_metric_name(name: &str) -> Result<(), &'static str> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Err("is empty"),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            return Err("must start with a letter or `_`");
        }
        _ => {}
    }
    if name.contains(':') {
        return Err("contains `:`, which Prometheus keeps for recording rules");
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("may hold only letters, digits and `_`");
    }
    Ok(())
}

/// A label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved for Prometheus).
fn check_label_name(name: &str) -> Result<(), &'static str> {
    if name.starts_with("__") {
        return Err("starts with `__`, which Prometheus keeps for itself");
    }
    check_metric_name(name).map_err(|problem| {
        if problem.contains(':') {
            "contains `:`, which label names may not"
        } else {
            problem
        }
    })
}

/// A PromQL string literal: double-quoted, with `\` and `"` escaped (Go's escapes, which PromQL
/// uses), so no value can end the string early.
fn promql_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_the_crd_pattern() {
        for (text, millis) in [
            ("30s", 30_000),
            ("1m30s", 90_000),
            ("500ms", 500),
            ("1m", 60_000),
            ("3d", 259_200_000),
            ("1h5m", 3_900_000),
            ("0", 0),
        ] {
            assert_eq!(prometheus_duration(text), Some(millis), "{text}");
        }
        for bad in [
            "",
            "1",
            "s",
            "1.5s",
            "30s1m",
            "1m1m",
            "-1s",
            "1 s",
            "1sec",
            "99999999999999999999y",
        ] {
            assert_eq!(prometheus_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn decimals_are_exact() {
        let budget = |a: f64| {
            Decimal::percent(a)
                .unwrap()
                .complement_of_hundred()
                .fraction_of_percent()
        };
        assert_eq!(budget(98.0).to_string(), "0.02");
        assert_eq!(budget(99.9).to_string(), "0.001");
        assert_eq!(BURN_ALERTS[0].1.times(budget(99.9)).to_string(), "0.0144");
        assert_eq!(BURN_ALERTS[0].1.times(budget(98.0)).to_string(), "0.288");
        assert!(!BURN_ALERTS[0].1.times(budget(93.0)).below_one());
        assert!(BURN_ALERTS[0].1.times(budget(93.1)).below_one());
        assert_eq!(
            Decimal::percent(95.0).unwrap().fraction_of_percent().to_string(),
            "0.95"
        );
        assert_eq!(
            Decimal::percent(0.5).unwrap().fraction_of_percent().to_string(),
            "0.005"
        );
        assert_eq!(Decimal { units: 500, scale: 3 }.to_string(), "0.5");
        assert_eq!(Decimal { units: 3000, scale: 3 }.to_string(), "3");
        for bad in [0.0, 100.0, -1.0, f64::NAN, 99.1234567] {
            assert!(Decimal::percent(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn names_follow_prometheus_grammar() {
        for good in ["http_requests_total", "_x", "a1"] {
            assert!(check_metric_name(good).is_ok(), "{good}");
        }
        for bad in ["", "1a", "a-b", "a:b", "a b", "é"] {
            assert!(check_metric_name(bad).is_err(), "{bad}");
        }
        assert!(check_label_name("__name__").is_err());
        assert!(check_label_name("code").is_ok());
    }

    #[test]
    fn label_values_cannot_end_the_string() {
        assert_eq!(promql_string(r#"5.."}or{x="#), r#""5..\"}or{x=""#);
        assert_eq!(promql_string("a\\b\n"), r#""a\\b\n""#);
    }
}
