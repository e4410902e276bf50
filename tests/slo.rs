//! The PrometheusRules gen renders from `slo:`, judged by Prometheus' own `promtool`:
//! `promtool check rules` on every rendered rule (shipped profiles and examples), and
//! `promtool test rules` on alert unit tests written here from the rendered rules, with
//! synthetic series: an error spike fires the fast-burn alert, a slow service fires the
//! latency alert, a healthy service fires nothing, and one service's errors never raise
//! another service's alert.
//!
//! `scripts/test` installs promtool (Debian's `prometheus` package, unpacked into
//! `.tools/prometheus`) and puts it on PATH. Without it these tests fail with instructions
//! instead of passing silently.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde::Deserialize;
use serde_json::{Value, json};

/// promtool from PATH, or where `scripts/install-oracles` unpacks it.
fn promtool() -> PathBuf {
    let installed = repo_root().join(".tools/prometheus/usr/bin/promtool");
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("promtool"))
        .find(|p| p.is_file());
    let found = on_path.or_else(|| installed.is_file().then_some(installed));
    found.unwrap_or_else(|| {
        panic!(
            "promtool is missing: run `scripts/test` (scripts/install-oracles unpacks Debian's prometheus package into .tools/prometheus), or put promtool on PATH"
        )
    })
}

/// Every PrometheusRule a profile renders, as (name, the whole object).
fn rendered_rules(profile: &str) -> Vec<(String, Value)> {
    let output = gen_cmd(&["render", profile]);
    assert!(output.status.success(), "gen render {profile}: {}", stderr(&output));
    let text = stdout(&output);
    serde_yaml::Deserializer::from_str(&text)
        .map(|document| Value::deserialize(document).unwrap())
        .filter(|object| object["kind"] == "PrometheusRule")
        .map(|object| (object["metadata"]["name"].as_str().unwrap().to_owned(), object))
        .collect()
}

/// A PrometheusRule's `spec` written as a Prometheus rules file (`groups:`).
fn write_rules_file(dir: &Path, name: &str, rule: &Value) -> PathBuf {
    let path = dir.join(format!("{name}.rules.yaml"));
    std::fs::write(&path, serde_yaml::to_string(&rule["spec"]).unwrap()).unwrap();
    path
}

/// The alerting rule named `alert` in a rendered PrometheusRule.
fn alert<'a>(rule: &'a Value, alert: &str) -> &'a Value {
    rule["spec"]["groups"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["alert"] == alert)
        .unwrap_or_else(|| panic!("no alert {alert} in {rule}"))
}

/// What promtool expects of one firing alert: the rule's own labels plus the series'
/// namespace and job, and its annotations as rendered.
fn expected(rule: &Value, name: &str, namespace: &str, job: &str) -> Value {
    let alert = alert(rule, name);
    let mut labels = alert["labels"].clone();
    labels["namespace"] = json!(namespace);
    labels["job"] = json!(job);
    json!({"exp_labels": labels, "exp_annotations": alert["annotations"]})
}

fn promtool_test(dir: &Path, rule_files: &[PathBuf], tests: Value) -> (bool, String) {
    let files: Vec<String> = rule_files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let unit = json!({"rule_files": files, "evaluation_interval": "1m", "tests": tests});
    let path = dir.join("test.yaml");
    std::fs::write(&path, serde_yaml::to_string(&unit).unwrap()).unwrap();
    run(Command::new(promtool())
        .args(["test", "rules"])
        .arg(&path)
        .current_dir(dir))
}

#[test]
fn promtool_accepts_every_rendered_prometheus_rule() {
    let temp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, profile) in all_profiles() {
        for (rule_name, rule) in rendered_rules(&profile) {
            let file = format!("{}-{rule_name}", name.replace('/', "-"));
            files.push(write_rules_file(temp.path(), &file, &rule));
        }
    }
    // prod's three services and the LLM cost service's prod tier.
    assert!(files.len() >= 4, "too few PrometheusRules rendered: {files:?}");
    let (ok, text) = run(Command::new(promtool()).args(["check", "rules"]).args(&files));
    assert!(ok, "promtool check rules:\n{text}");
    assert_eq!(text.matches("SUCCESS").count(), files.len(), "{text}");
}

/// The LLM cost service: 5xx under 5% of requests, p95 under 1 s (its guide's two alerts).
#[test]
fn an_error_spike_fires_the_fast_burn_alert_and_a_healthy_series_fires_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let rules = rendered_rules("examples/llm-cost-ops/prod.yaml");
    let (name, rule) = &rules[0];
    let file = write_rules_file(temp.path(), name, rule);
    let (namespace, job) = ("llm-cost-ops-prod", "llm-cost-ops");
    let requests = |status: &str| {
        format!("llm_cost_ops_http_requests_total{{namespace=\"{namespace}\",job=\"{job}\",status=\"{status}\"}}")
    };
    let bucket = |le: &str| {
        format!(
            "llm_cost_ops_http_request_duration_seconds_bucket{{namespace=\"{namespace}\",job=\"{job}\",le=\"{le}\"}}"
        )
    };
    let alerts = [
        "ErrorBudgetFastBurn",
        "ErrorBudgetSlowBurn",
        "ErrorBudgetLongBurn",
        "LatencyObjectiveMissed",
    ];
    let quiet = |at: &str| -> Vec<Value> {
        alerts
            .iter()
            .map(|a| json!({"eval_time": at, "alertname": a, "exp_alerts": []}))
            .collect()
    };
    let healthy = [quiet("60m"), quiet("180m")].concat();
    let tests = json!([
        {
            // Healthy for three hours: 1% of 10 requests a second fail (the budget is 5%),
            // and every request is answered within 0.5 s.
            "interval": "1m",
            "input_series": [
                {"series": requests("200"), "values": "0+594x180"},
                {"series": requests("503"), "values": "0+6x180"},
                {"series": bucket("0.5"), "values": "0+600x180"},
                {"series": bucket("1"), "values": "0+600x180"},
                {"series": bucket("+Inf"), "values": "0+600x180"},
            ],
            "alert_rule_test": healthy,
        },
        {
            // An hour of healthy traffic, then 5 of every 6 requests fail: past 72% (14.4
            // times the 5% budget) over the last hour and the last 5 minutes.
            "interval": "1m",
            "input_series": [
                {"series": requests("200"), "values": "0+60x180"},
                {"series": requests("500"), "values": "0+0x60 0+300x120"},
            ],
            "alert_rule_test": [
                // Ten minutes into the spike the hour's ratio is still below 72%.
                {"eval_time": "70m", "alertname": "ErrorBudgetFastBurn", "exp_alerts": []},
                {"eval_time": "180m", "alertname": "ErrorBudgetFastBurn",
                 "exp_alerts": [expected(rule, "ErrorBudgetFastBurn", namespace, job)]},
            ],
        },
        {
            // Latency: from the hour on, 80% of requests take between 1 s and 5 s.
            "interval": "1m",
            "input_series": [
                {"series": requests("200"), "values": "0+600x120"},
                {"series": bucket("0.5"), "values": "0+600x60 36000+120x60"},
                {"series": bucket("1"), "values": "0+600x60 36000+120x60"},
                {"series": bucket("5"), "values": "0+600x120"},
                {"series": bucket("+Inf"), "values": "0+600x120"},
            ],
            "alert_rule_test": [
                {"eval_time": "60m", "alertname": "LatencyObjectiveMissed", "exp_alerts": []},
                // The percentile is over 1 s from about 62 minutes on, and the alert waits 5.
                {"eval_time": "65m", "alertname": "LatencyObjectiveMissed", "exp_alerts": []},
                {"eval_time": "90m", "alertname": "LatencyObjectiveMissed",
                 "exp_alerts": [expected(rule, "LatencyObjectiveMissed", namespace, job)]},
                {"eval_time": "90m", "alertname": "ErrorBudgetFastBurn", "exp_alerts": []},
            ],
        },
    ]);
    let (ok, text) = promtool_test(temp.path(), &[file], tests);
    assert!(ok, "promtool test rules:\n{text}");
    assert!(text.contains("SUCCESS"), "{text}");
}

/// The shipped prod profile: three services share `http_requests_total`; a spike in one of them
/// pages for that one only.
#[test]
fn one_services_errors_never_raise_another_services_alert() {
    let temp = tempfile::tempdir().unwrap();
    let rules = rendered_rules("prod");
    assert_eq!(rules.len(), 3, "one PrometheusRule per prod service");
    let files: Vec<PathBuf> = rules
        .iter()
        .map(|(name, rule)| write_rules_file(temp.path(), name, rule))
        .collect();
    let auth = &rules.iter().find(|(name, _)| name == "auth-service").unwrap().1;
    let namespace = "platform-v2-stable";
    let requests = |job: &str, status: &str| {
        format!("http_requests_total{{namespace=\"{namespace}\",job=\"{job}\",status=\"{status}\"}}")
    };
    let tests = json!([{
        "interval": "1m",
        "input_series": [
            {"series": requests("auth-service", "200"), "values": "0+60x120"},
            {"series": requests("auth-service", "500"), "values": "0+0x30 0+60x90"},
            {"series": requests("analysis-service", "200"), "values": "0+600x120"},
            {"series": requests("analysis-service", "500"), "values": "0+1x120"},
            {"series": requests("ai-orchestrator", "200"), "values": "0+60x120"},
        ],
        "alert_rule_test": [
            {"eval_time": "120m", "alertname": "ErrorBudgetFastBurn",
             "exp_alerts": [expected(auth, "ErrorBudgetFastBurn", namespace, "auth-service")]},
        ],
    }]);
    let (ok, text) = promtool_test(temp.path(), &files, tests);
    assert!(ok, "promtool test rules:\n{text}");
}

/// The hand-written rule the LLM cost service's guide ships cannot be expressed: a histogram is
/// named by its base name, and `_bucket` itself is refused.
#[test]
fn a_histogram_is_read_only_through_its_buckets() {
    let rules = rendered_rules("examples/llm-cost-ops/prod.yaml");
    let text = serde_json::to_string(&rules[0].1).unwrap();
    assert!(
        text.contains("histogram_quantile(0.95, sum by (namespace, job, le) (rate(llm_cost_ops_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    for base in ["base.yaml", "prod.yaml"] {
        std::fs::copy(
            repo_root().join("examples/llm-cost-ops").join(base),
            dir.path().join(base),
        )
        .unwrap();
    }
    let prod = dir.path().join("prod.yaml");
    edit(
        &prod,
        "histogram: llm_cost_ops_http_request_duration_seconds",
        "histogram: llm_cost_ops_http_request_duration_seconds_bucket",
    );
    let output = gen_cmd(&["lint", prod.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = format!("{}{}", stdout(&output), stderr(&output));
    assert!(report.contains("invalid-metric-name"), "{report}");
    assert!(
        report.contains("rate(llm_cost_ops_http_request_duration_seconds_bucket[5m])"),
        "{report}"
    );
}
