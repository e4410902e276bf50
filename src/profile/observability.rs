//! The observability settings as the user writes them: how Prometheus scrapes a service, and the
//! service level objectives gen turns into recording rules and alerts.

use schemars::JsonSchema;
use serde::Deserialize;

/// How Prometheus scrapes the service's `metrics` port.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Metrics")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawMetrics {
    /// The HTTP path Prometheus scrapes.
    pub path: Option<String>,
    /// Render a Prometheus operator `ServiceMonitor` (web services) or `PodMonitor` (workers)
    /// that selects exactly this service's pods, instead of the `prometheus.io/*` pod
    /// annotations. Off by default: a cluster without the operator's CRDs refuses the objects.
    #[schemars(example = true)]
    pub monitor: Option<bool>,
    /// How often Prometheus scrapes, as a Prometheus duration (`30s`, `1m`); Prometheus' own
    /// default when unset (`monitor: true` only).
    #[schemars(example = &"30s")]
    pub interval: Option<String>,
    /// How long one scrape may take, at most `interval` (`monitor: true` only).
    #[schemars(example = &"10s")]
    pub scrape_timeout: Option<String>,
}

/// Service level objectives over a 30-day window. Alerts follow the SRE workbook's
/// multi-window, multi-burn-rate scheme.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Slo")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawSlo {
    /// The percentage of requests that must not fail over 30 days (`98` for an error rate under
    /// 2%); more than 0 and less than 100. Needs `requests`.
    #[schemars(example = 99.5)]
    pub availability: Option<f64>,
    /// The request counter errors are counted in.
    pub requests: Option<RawRequests>,
    /// A latency objective on a histogram's buckets.
    pub latency: Option<RawLatencyObjective>,
}

/// The request counter, and which of its series count as errors.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "Requests")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRequests {
    /// The counter's metric name, as the app exposes it.
    #[schemars(example = &"http_requests_total")]
    pub counter: String,
    /// Which requests failed (default: label `code` matching `5..`).
    pub errors: Option<RawErrorSelector>,
}

/// A label of the request counter and the values that mark a failed request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "ErrorSelector")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawErrorSelector {
    /// The label that holds the status (`code`, `status`).
    #[schemars(example = &"status")]
    pub label: String,
    /// A regular expression (RE2, anchored as PromQL anchors it) over the label's value.
    #[schemars(example = &"5..")]
    pub matches: String,
}

/// A percentile of a latency histogram that must stay under a threshold.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(rename = "LatencyObjective")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawLatencyObjective {
    /// The histogram's base name, in seconds, without `_bucket`: gen reads
    /// `rate(<name>_bucket[5m])` by `le` itself.
    #[schemars(example = &"http_request_duration_seconds")]
    pub histogram: String,
    /// The percentile that must stay under the threshold, from 1 to less than 100 (`95`, `99.9`;
    /// not the quantile `0.95`).
    #[schemars(example = 95)]
    pub percentile: f64,
    /// The latency it must stay under, as a duration (`3s`, `500ms`, `1m`).
    #[schemars(example = &"3s")]
    pub threshold: String,
}
