//! PromQL for a service's objectives, built from validated names only: the recording rules and
//! the SRE workbook's burn-rate alerts, exact decimals for their thresholds, Prometheus
//! durations, the metric and label name grammar, and string literals no value can escape.

use crate::model::{AlertRule, Labels};

/// The error budget's window: the workbook's burn rates are computed for 30 days.
pub(super) const SLO_PERIOD: &str = "30d";

/// The SRE workbook's multi-window, multi-burn-rate alerts (chapter 5, "Alerting on SLOs",
/// recommended parameters): the alert name, the burn rate, the long and the short window, and
/// the severity.
pub(super) const BURN_ALERTS: [(&str, Decimal, &str, &str, &str); 3] = [
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
pub(super) const RATIO_WINDOWS: [&str; 5] = ["5m", "30m", "1h", "6h", "3d"];

/// How long the latency percentile must stay above its threshold before the alert fires.
pub(super) const LATENCY_FOR: &str = "5m";

/// The labels every expression of one service selects on.
pub(super) struct Selector {
    pub namespace: String,
    pub job: String,
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
pub(super) fn availability_rules(
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
pub(super) fn latency_rules(
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
pub(super) struct Decimal {
    pub units: u64,
    pub scale: u32,
}

impl Decimal {
    /// A percentage above 0 and below 100 with at most 6 decimals, read from its shortest
    /// decimal form (`99.9` is 999 tenths, not the nearest binary fraction).
    pub(super) fn percent(value: f64) -> Option<Decimal> {
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
    pub(super) fn complement_of_hundred(self) -> Decimal {
        Decimal {
            units: 100 * 10u64.pow(self.scale) - self.units,
            scale: self.scale,
        }
    }

    /// A percentage as a fraction of one.
    pub(super) fn fraction_of_percent(self) -> Decimal {
        Decimal {
            units: self.units,
            scale: self.scale + 2,
        }
    }

    pub(super) fn times(self, other: Decimal) -> Decimal {
        Decimal {
            units: self.units * other.units,
            scale: self.scale + other.scale,
        }
    }

    /// A fraction of one as a percentage.
    pub(super) fn as_percent(self) -> Decimal {
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

    pub(super) fn below_one(self) -> bool {
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
pub(super) fn prometheus_duration(text: &str) -> Option<u64> {
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
pub(super) fn check_metric_name(name: &str) -> Result<(), &'static str> {
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
pub(super) fn check_label_name(name: &str) -> Result<(), &'static str> {
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
pub(super) fn promql_string(value: &str) -> String {
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
