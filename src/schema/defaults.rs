//! The defaults the profile reference states, read from the code that applies them
//! ([`crate::resolve::defaults`]), never typed into doc comments.

use serde_json::{Map, Value, json};

use crate::profile::{Tier, WorkloadKind};
use crate::resolve::defaults::*;

/// What a key takes when the profile leaves it out.
pub enum KeyDefault {
    /// One value whatever the tier; also the JSON Schema's `default`.
    Value(Value),
    /// Depends on something other than the tier (the probe, the direction), in words.
    Text(String),
    /// Differs by tier: the value for each one.
    Tier(PickTier),
}

impl KeyDefault {
    /// The default as the README's reference table prints it.
    pub fn markdown(&self) -> String {
        match self {
            KeyDefault::Value(value) => format!("`{}`", super::reference::flow(value)),
            KeyDefault::Text(text) => text.clone(),
            KeyDefault::Tier(pick) => Tier::ALL
                .iter()
                .map(|&tier| {
                    format!(
                        "{} `{}`",
                        tier.as_str(),
                        super::reference::flow(&pick(&tier_defaults(tier)))
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Reads one setting's default out of a tier's defaults.
pub type PickTier = fn(&TierDefaults) -> Value;

/// The settings that differ by tier: (definition, key, where it is in a profile, its value).
pub const TIER_SETTINGS: [(&str, &str, &str, PickTier); 2] = [
    ("Service", "replicas", "services.<name>.replicas", |d| json!(d.replicas)),
    ("Network", "egressMode", "network.egressMode", |d| json!(d.egress)),
];

/// Every default, by definition (as `$defs` names it) and key.
pub fn table() -> Vec<(&'static str, &'static str, KeyDefault)> {
    let per_probe = |pick: fn((i64, i64)) -> i64| {
        KeyDefault::Text(format!(
            "`{}` (startup), `{}` (liveness), `{}` (readiness)",
            pick(STARTUP_TIMING),
            pick(LIVENESS_TIMING),
            pick(READINESS_TIMING)
        ))
    };
    let rule = |(percent, period, window): (i64, i64, i64)| {
        let mut text = format!("percent: {percent}, periodSeconds: {period}");
        if window > 0 {
            text.push_str(&format!(", stabilizationWindowSeconds: {window}"));
        }
        KeyDefault::Text(format!("`{{{text}}}`"))
    };
    let mut table = vec![
        ("Service", "kind", KeyDefault::Value(json!(WorkloadKind::default()))),
        (
            "Ports",
            "http",
            KeyDefault::Text(format!("`{DEFAULT_HTTP_PORT}` for web services")),
        ),
        (
            "Shutdown",
            "preStopSleepSeconds",
            KeyDefault::Value(json!(DEFAULT_PRE_STOP_SLEEP)),
        ),
        (
            "Shutdown",
            "terminationGracePeriodSeconds",
            KeyDefault::Value(json!(DEFAULT_GRACE_PERIOD)),
        ),
        ("Metrics", "path", KeyDefault::Value(json!(DEFAULT_METRICS_PATH))),
        ("Probe", "periodSeconds", per_probe(|(period, _)| period)),
        ("Probe", "timeoutSeconds", KeyDefault::Value(json!(DEFAULT_TIMEOUT))),
        ("Probe", "failureThreshold", per_probe(|(_, failures)| failures)),
        ("Autoscaling", "scaleUp", rule(SCALE_UP_DEFAULTS)),
        ("Autoscaling", "scaleDown", rule(SCALE_DOWN_DEFAULTS)),
        (
            "ScalingRule",
            "periodSeconds",
            KeyDefault::Text(format!(
                "`{}` (scaleUp), `{}` (scaleDown)",
                SCALE_UP_DEFAULTS.1, SCALE_DOWN_DEFAULTS.1
            )),
        ),
        (
            "ScalingRule",
            "stabilizationWindowSeconds",
            KeyDefault::Text(format!(
                "`{}` (scaleUp), `{}` (scaleDown)",
                SCALE_UP_DEFAULTS.2, SCALE_DOWN_DEFAULTS.2
            )),
        ),
        (
            "Service",
            "concurrencyPolicy",
            KeyDefault::Value(json!(DEFAULT_CONCURRENCY_POLICY)),
        ),
        (
            "Service",
            "successfulJobsHistoryLimit",
            KeyDefault::Value(json!(DEFAULT_SUCCESSFUL_HISTORY)),
        ),
        (
            "Service",
            "failedJobsHistoryLimit",
            KeyDefault::Value(json!(DEFAULT_FAILED_HISTORY)),
        ),
        (
            "Service",
            "backoffLimit",
            KeyDefault::Value(json!(DEFAULT_BACKOFF_LIMIT)),
        ),
        (
            "Service",
            "restartPolicy",
            KeyDefault::Value(json!(DEFAULT_RESTART_POLICY)),
        ),
        ("Ingress", "className", KeyDefault::Value(json!(DEFAULT_INGRESS_CLASS))),
        (
            "SecurityHeaders",
            "hstsMaxAgeSeconds",
            KeyDefault::Value(json!(DEFAULT_HSTS_MAX_AGE)),
        ),
        (
            "SecurityHeaders",
            "hstsIncludeSubdomains",
            KeyDefault::Value(json!(true)),
        ),
        ("SecurityHeaders", "hstsPreload", KeyDefault::Value(json!(false))),
        (
            "SecurityHeaders",
            "contentSecurityPolicy",
            KeyDefault::Value(json!(DEFAULT_CONTENT_SECURITY_POLICY)),
        ),
        ("SecurityHeaders", "frameOptions", KeyDefault::Value(json!("DENY"))),
        ("BasicAuth", "realm", KeyDefault::Value(json!(DEFAULT_REALM))),
        ("Route", "match", KeyDefault::Value(json!("prefix"))),
        ("Route", "port", KeyDefault::Value(json!("http"))),
        (
            "ExternalSecret",
            "refreshInterval",
            KeyDefault::Value(json!(DEFAULT_REFRESH_INTERVAL)),
        ),
    ];
    for (definition, key, _, pick) in TIER_SETTINGS {
        table.push((definition, key, KeyDefault::Tier(pick)));
    }
    table.push(("Service", "runAsUser", KeyDefault::Value(json!(DEFAULT_RUN_AS_USER))));
    table
}

/// The default of one key, if the table has one.
pub fn of(definition: &str, key: &str) -> Option<KeyDefault> {
    table()
        .into_iter()
        .find(|(d, k, _)| *d == definition && *k == key)
        .map(|(_, _, default)| default)
}

/// Writes the defaults into the schema: a JSON Schema `default` where there is one value,
/// a sentence in the description otherwise; and each tier's defaults on the tier itself.
pub fn annotate(schema: &mut Value) {
    let Some(definitions) = schema.get_mut("$defs").and_then(Value::as_object_mut) else {
        return;
    };
    for (definition, key, default) in table() {
        let annotate = |property: &mut Map<String, Value>| match &default {
            KeyDefault::Value(value) => {
                property.insert("default".into(), value.clone());
            }
            other => append(property, &format!("Default: {}.", other.markdown().replace('`', ""))),
        };
        let property = definitions
            .get_mut(definition)
            .and_then(|d| d.pointer_mut(&format!("/properties/{key}")))
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| {
                panic!("the defaults table names `{definition}.{key}`, which the profile does not have")
            });
        annotate(property);
        // `serviceDefaults` takes a service's keys, with their defaults.
        if definition == "Service"
            && let Some(property) = definitions
                .get_mut("ServiceSettings")
                .and_then(|d| d.pointer_mut(&format!("/properties/{key}")))
                .and_then(Value::as_object_mut)
        {
            annotate(property);
        }
    }
    if let Some(variants) = definitions
        .get_mut("Tier")
        .and_then(|t| t.get_mut("oneOf"))
        .and_then(Value::as_array_mut)
    {
        for variant in variants {
            let name = variant.get("const").and_then(Value::as_str).unwrap_or_default();
            let Some(&tier) = Tier::ALL.iter().find(|t| t.as_str() == name) else {
                continue;
            };
            let defaults = tier_defaults(tier);
            let sentence = TIER_SETTINGS
                .iter()
                .map(|(_, _, path, pick)| format!("{path} {}", super::reference::flow(&pick(&defaults))))
                .collect::<Vec<_>>()
                .join(", ");
            if let Some(variant) = variant.as_object_mut() {
                append(variant, &format!("Defaults: {sentence}."));
            }
        }
    }
}

fn append(node: &mut Map<String, Value>, sentence: &str) {
    let description = match node.get("description").and_then(Value::as_str) {
        Some(text) => format!("{text} {sentence}"),
        None => sentence.to_owned(),
    };
    node.insert("description".into(), Value::String(description));
}
