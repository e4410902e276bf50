//! Each schema rule, made to fire by one small edit of a shipped profile, and shown quiet on the
//! shipped profiles as they are.
//!
//! A case is one `(from, to)` replacement in `profiles/<profile>.yaml`. The edited text goes
//! through the whole pipeline (load, resolve, render, rules, waivers), and the case's code must
//! be reported at the first line the edit changed. `tests/bad-profiles` proves the same codes end
//! to end through the CLI; these tests sit beside the checks, so a broken check fails here first,
//! named by its code.

use crate::diagnostics::Diagnostic;
use crate::locate::ProfileFile;
use crate::pipeline::{self, Failure};
use crate::render::Renderer;
use crate::rules::catalog::{self, RULES, RuleKind};

/// Schema codes no profile text can produce, the same that `tests/lint_corpus.rs` exempts. The
/// first four are about the file system or about gen itself (a missing or unreadable file, an
/// output directory gen may not overwrite, a template that renders an invalid object).
/// `invalid-profile` is the catch-all for serde messages gen does not classify more precisely;
/// no known profile reaches it (huge integers, null or list tiers and the like all come out as
/// `invalid-type` or `invalid-value`). `invalid-set` is about `--set` flags, not profile text:
/// `load::overrides` tests it.
const NOT_FROM_PROFILE_TEXT: [&str; 7] = [
    "invalid-set",
    "profile-not-found",
    "unreadable-profile",
    "output-directory",
    "template-defect",
    "invalid-profile",
    // Needs a --kube-version older than a field the profile renders; the cases here render
    // for the default. Tested in `kube_version::check` and `tests/kube_version.rs`.
    "not-in-kube-version",
];

struct Case {
    code: &'static str,
    /// The profile to edit: a shipped one (`dev`, `prod`, `quarantine`, or their `base`) or
    /// an example (`examples/chat4all/prod`).
    profile: &'static str,
    /// The edit: the first occurrence of `from` becomes `to`.
    from: &'static str,
    to: &'static str,
}

const fn case(code: &'static str, profile: &'static str, from: &'static str, to: &'static str) -> Case {
    Case {
        code,
        profile,
        from,
        to,
    }
}

/// The whole `services` section of `quarantine.yaml`, its only service included.
const QUARANTINE_SERVICES: &str = "services:
  v3-api:
    image: registry.coderev.example.com/coderev/v3-api:0.3.7@sha256:06c0823adf2a64c844f6d8e339cb381c9ac52e2bb9fe67bb14525bdd9b50859b
    replicas: 1
    resources:
      cpu: {request: 100m, limit: 500m}
      memory: {request: 256Mi, limit: 512Mi}
";

/// One realistic mistake per schema code, in catalogue order.
#[rustfmt::skip]
const CASES: &[Case] = &[
    // A KEDA trigger, a VPA's bounds and a dependency's callers (issue 10).
    case("invalid-trigger", "examples/analytics-hub/prod", "            topic: llm-events\n", "            topic: llm events\n"),
    case("invalid-vertical-scaling", "examples/analytics-hub/prod", "max: {cpu: 4000m, memory: 8Gi}", "max: {cpu: 4000m, memory: 128Mi}"),
    case("invalid-dependency", "examples/analytics-hub/prod", "- {name: kafka, namespace: llm-analytics-infra, port: 9092}", "- {name: kafka, namespace: llm-analytics-infra, port: 9092, fromNamespaces: [x]}"),
    // Shared settings through a YAML anchor instead of `serviceDefaults`.
    case("invalid-yaml", "prod", "disruptionBudget: {", "disruptionBudget: &budget {"),
    // Generated nesting far past anything a profile needs.
    case("input-limit", "prod", "    replicas: 3\n", "    replicas: 3\n    env: {X: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}\n"),
    case("duplicate-key", "prod", "    replicas: 3\n", "    replicas: 3\n    replicas: 4\n"),
    case("unknown-field", "prod", "    replicas: 3\n", "    replica: 3\n"),
    // TLS without the issuer that signs the certificate.
    case("invalid-extends", "prod", "extends: base.yaml", "extends: prod.yaml"),
    case("invalid-patch", "dev", "waivers:\n", "patches: [{target: Deployment/v1-apx, merge: {}}]\nwaivers:\n"),
    case("invalid-patch", "dev", "waivers:\n",
         "patches: [{target: Deployment/v1-api, merge: {spec: {paused: yes}}}]\nwaivers:\n"),
    case("invalid-resource", "dev", "waivers:\n", "resources: [missing.yaml]\nwaivers:\n"),
    case("invalid-extends", "dev", "extends: base.yaml", "extends: [base.yaml, other.yaml]"),
    case("missing-field", "base", "  tls:\n    clusterIssuer: letsencrypt-prod\n", "  tls: {}\n"),
    case("invalid-type", "prod", "replicas: 3", "replicas: \"3\""),
    case("invalid-value", "prod", "egressMode: restricted", "egressMode: strict"),
    case("invalid-name", "prod", "namespace: platform-v2-stable", "namespace: platform_v2_stable"),
    case("invalid-label-key", "prod", "workload-type: compute", "workload type: compute"),
    case("invalid-label-value", "prod", "workload-type: compute", "workload-type: gpu/compute"),
    case("no-services", "quarantine", QUARANTINE_SERVICES, "services: {}\n"),
    // The same dependency declared again for another port.
    case("duplicate-name", "prod", "port: 8181}\n",
         "port: 8181}\n    - {name: opa, namespace: platform-infrastructure, port: 9191}\n"),
    case("unknown-port", "prod", "ports: [metrics]", "ports: [prometheus]"),
    case("invalid-port", "prod", "port: 9000}", "port: 90000}"),
    case("duplicate-port", "base", "    metrics: 9090\n", "    metrics: 9090\n    extra: {grpc: 9090}\n"),
    case("invalid-replicas", "prod", "replicas: 3", "replicas: 0"),
    case("invalid-image", "prod", "coderev/auth-service:", "coderev/Auth-Service:"),
    // A new service that forgot its resources.
    case("missing-resources", "prod", "  analysis-service:\n", concat!(
         "  search-service:\n    image: registry.coderev.example.com/coderev/search-service:1.0.0\n\n",
         "  analysis-service:\n")),
    case("invalid-quantity", "prod", "request: 512Mi", "request: 512MB"),
    case("request-above-limit", "prod", "request: 250m", "request: 2500m"),
    case("invalid-probe", "base", "path: /api/v1/health/live", "path: api/v1/health/live"),
    case("invalid-shutdown", "base", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 10"),
    case("invalid-env-name", "prod", "    replicas: 3\n", "    replicas: 3\n    env: {LOG-LEVEL: info}\n"),
    case("invalid-autoscaling", "prod", "maxReplicas: 20", "maxReplicas: 2"),
    case("invalid-disruption-budget", "prod", "{minAvailable: 2}", "{minAvailable: 2, maxUnavailable: 1}"),
    // The dependency is declared as `postgresql`.
    case("unknown-dependency", "prod", "    replicas: 3\n", "    replicas: 3\n    dependsOn: [postgres]\n"),
    case("invalid-host", "prod", "host: api.", "host: https://api."),
    case("invalid-rate-limit", "prod", "rateLimitRps: 100", "rateLimitRps: 0"),
    // An IngressClass kept when the routes moved to a Gateway.
    case("gateway-unsupported", CHAT, "  tls:\n    clusterIssuer: letsencrypt-prod\n  routes:\n",
         "  className: nginx\n  gateway: {name: public, namespace: gateway-system, sectionName: https}\n  tls:\n    clusterIssuer: letsencrypt-prod\n  routes:\n"),
    case("no-routes", "quarantine", "  routes:\n    - {path: /, service: v3-api}\n", "  routes: []\n"),
    case("invalid-path", "prod", "{path: /api/auth,", "{path: api/auth,"),
    // A route pasted and its path left unchanged.
    case("duplicate-route", "prod", "{path: /health,", "{path: /api/auth,"),
    case("unknown-service", "prod", "service: ai-orchestrator}", "service: ai-orchestrater}"),
    case("invalid-waiver", "dev", "rule: egress-unrestricted", "rule: egress-unrestriced"),
    // The `_bucket` series where the histogram's base name goes.
    case("invalid-metric-name", "prod", "histogram: http_request_duration_seconds", "histogram: http_request_duration_seconds_bucket"),
    // Objectives whose series no monitor labels.
    case("slo-without-monitor", "prod", "    monitor: true\n", "    monitor: false\n"),
    case("kind-mismatch", "prod", "    replicas: 3\n", "    replicas: 3\n    schedule: \"@daily\"\n"),
    case("reserved-key", "prod", "    replicas: 3\n", "    replicas: 3\n    labels: {app.kubernetes.io/name: auth}\n"),
    case("invalid-schedule", CHAT, "schedule: \"0 2 * * *\"", "schedule: \"0 2 * *\""),
    case("invalid-time-zone", CHAT, "timeZone: Etc/UTC", "timeZone: Etc/UTX"),
    case("unknown-config", CHAT, "      - name: app-config\n", "      - name: app-conf\n"),
    case("unknown-secret-key", LLM_BASE, "      - name: llm-cost-ops-secrets\n",
         "      - name: llm-cost-ops-secrets\n        keys: [DATABASE_UR]\n"),
];

const CHAT: &str = "examples/chat4all/prod";
const LLM: &str = "examples/llm-cost-ops/prod";
/// What the LLM cost service's dev and prod share; edits of it are linted through prod.
const LLM_BASE: &str = "examples/llm-cost-ops/base";
const FASTAPI: &str = "examples/fastapi-example-service/prod";
const HUB: &str = "examples/analytics-hub/prod";
const HUB_INFRA: &str = "examples/analytics-hub/infra";
/// The routes through a Gateway (HTTPRoutes).
const GATEWAY: &str = "tests/fixtures/gateway-routes";

/// A bad value for every setting of the workload kinds, config, secrets, identity, exposure,
/// placement and volumes, each reported at its own line.
#[rustfmt::skip]
const FIELD_CASES: &[Case] = &[
    // Found by fuzzing: the Ingress is named after `app`, which must then be an object name.
    case("invalid-name", CHAT, "app: chat4all\n", "app: chat4allJ\n"),
    // Namespace guardrails (issue 10).
    case("invalid-quantity", HUB, "requests: {cpu: \"48\"", "requests: {cpu: \"forty\""),
    // Autoscaling beyond CPU (issue 10): custom metrics, KEDA, VPA.
    case("invalid-quantity", HUB, "averageValue: \"100\"", "averageValue: lots"),
    case("invalid-autoscaling", HUB, "name: http_requests_per_second", "name: http-requests-per-second"),
    case("invalid-trigger", HUB, "authentication: kafka-sasl", "authentication: kafka"),
    case("invalid-trigger", HUB, "consumerGroup: analytics-consumers", "consumerGroup: \"\""),
    case("invalid-name", HUB, "    secret: kafka-credentials", "    secret: Kafka_Credentials"),
    case("invalid-name", HUB, "{sasl: sasl-mechanism,", "{sasl: \"sasl mechanism\","),
    case("invalid-value", HUB, "mode: \"Off\"", "mode: Sometimes"),
    case("invalid-quantity", HUB, "min: {cpu: 100m, memory: 256Mi}", "min: {cpu: lots, memory: 256Mi}"),
    case("invalid-name", HUB_INFRA, "fromNamespaces: [llm-analytics]}", "fromNamespaces: [LLM]}"),
    case("invalid-value", HUB, "  pods: 140\n", "  pods: -1\n"),
    case("invalid-value", HUB, "quota:\n", "podSecurity: privileged\nquota:\n"),
    case("reserved-key", HUB, "limitRange:\n",
         "namespaceLabels: {pod-security.kubernetes.io/enforce: privileged}\nlimitRange:\n"),
    case("invalid-label-value", HUB, "limitRange:\n", "namespaceLabels: {team: \"a b\"}\nlimitRange:\n"),
    case("request-above-limit", HUB, "defaultRequest: {cpu: 100m", "defaultRequest: {cpu: 900m"),
    case("invalid-value", CHAT, "kind: worker", "kind: daemon"),
    case("invalid-type", CHAT, "command: [python, -m, app.jobs.upload_gc]", "command: {python: app}"),
    case("invalid-name", CHAT, "    metrics: 8000\n", "    metrics: 8000\n    extra: {Grpc_Port: 9000}\n"),
    case("invalid-port", CHAT, "    metrics: 8000\n", "    metrics: 8000\n    extra: {grpc: 0}\n"),
    case("invalid-value", CHAT, "type: LoadBalancer", "type: NodePort"),
    case("invalid-value", CHAT, "      externalTrafficPolicy: Local\n",
         "      externalTrafficPolicy: Local\n      loadBalancerSourceRanges: [10.0.0.0/33]\n"),
    case("invalid-value", CHAT, "externalTrafficPolicy: Local", "externalTrafficPolicy: Nearest"),
    case("invalid-path", CHAT, "path: /metrics", "path: metrics"),
    case("unknown-port", CHAT, "liveness: {path: /health}", "liveness: {tcp: grpc}"),
    case("invalid-probe", CHAT, "liveness: {path: /health}", "liveness: {exec: []}"),
    case("invalid-probe", CHAT, "readiness: {path: /ready}", "readiness: {path: /ready, tcp: http}"),
    case("kind-mismatch", CHAT, "    expose:\n", "    probes: {none: the API has no health endpoint}\n    expose:\n"),
    case("unknown-config", FASTAPI, "REDIS_URL: redis-url", "REDIS_URL: redis-uri"),
    case("invalid-env-name", FASTAPI, "REDIS_URL: redis-url", "REDIS-URL: redis-url"),
    case("invalid-name", CHAT, "      - name: chat4all-secrets\n", "      - name: Chat4All\n"),
    case("invalid-path", LLM_BASE, "      - name: llm-cost-ops-secrets\n", "      - name: llm-cost-ops-secrets\n        mountPath: secrets\n"),
    case("invalid-env-name", LLM_BASE, "      - name: llm-cost-ops-secrets\n",
         "      - name: llm-cost-ops-secrets\n        env: {DB-URL: DATABASE_URL}\n"),
    case("invalid-name", CHAT, "serviceAccount: chat4all-worker", "serviceAccount: Chat4All_Worker"),
    case("invalid-value", CHAT, "verbs: [create]", "verbs: [craete]"),
    case("invalid-value", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    volumes: {cache: {mountPath: /cache}}\n"),
    case("invalid-quantity", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    volumes: {cache: {mountPath: /cache, emptyDir: {sizeLimit: 1GB}}}\n"),
    case("invalid-path", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    volumes: {data: {mountPath: ../data, claim: uploads}}\n"),
    case("reserved-key", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    volumes: {tmp: {mountPath: /scratch, emptyDir: {sizeLimit: 1Gi}}}\n"),
    case("invalid-value", FASTAPI, "antiAffinity: required", "antiAffinity: always"),
    case("invalid-value", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    tolerations: [{key: dedicated, operator: Exists, value: api}]\n"),
    case("invalid-name", FASTAPI, "    antiAffinity: required\n", "    antiAffinity: required\n    priorityClassName: High_Priority\n"),
    case("invalid-label-value", FASTAPI, "    antiAffinity: required\n", "    antiAffinity: required\n    labels: {team: platform team}\n"),
    case("reserved-key", FASTAPI, "    antiAffinity: required\n", "    antiAffinity: required\n    podAnnotations: {checksum/config: x}\n"),
    case("unknown-service", HUB, "- service: frontend", "- service: frontnd"),
    case("unknown-port", HUB, "        ports: [http]\n    dependsOn", "        ports: [grpc]\n    dependsOn"),
    case("invalid-value", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    concurrencyPolicy: Sometimes\n"),
    case("invalid-value", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    startingDeadlineSeconds: 0\n"),
    case("invalid-value", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    backoffLimit: -1\n"),
    case("invalid-value", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    restartPolicy: Always\n"),
    case("invalid-value", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    activeDeadlineSeconds: 0\n"),
    case("invalid-value", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    ttlSecondsAfterFinished: -5\n"),
    case("kind-mismatch", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    replicas: 2\n"),
    // Observability: a monitor's scrape settings and a service's objectives.
    case("invalid-metric-name", "prod", "histogram: http_request_duration_seconds", "histogram: http_request_duration_ms"),
    case("invalid-metric-name", "prod", "counter: http_requests_total", "counter: http-requests-total"),
    case("invalid-metric-name", "prod", "counter: http_requests_total", "counter: http_request_duration_seconds_bucket"),
    case("invalid-metric-name", "prod", "errors: {label: status,", "errors: {label: __status,"),
    case("invalid-metric-name", "prod", "errors: {label: status,", "errors: {label: job,"),
    case("invalid-value", "prod", "availability: 98", "availability: 100"),
    // A 10% budget: the fast burn (14.4 times it) is more than every request failing.
    case("invalid-value", "prod", "availability: 98", "availability: 90"),
    case("invalid-value", "prod", "percentile: 95", "percentile: 0.95"),
    case("invalid-value", "prod", "threshold: 3s", "threshold: 3 seconds"),
    case("invalid-value", "prod", "threshold: 3s", "threshold: 1.5s"),
    case("invalid-value", "prod", "matches: \"5..\"", "matches: \"5..(\""),
    case("invalid-value", "prod", "    interval: 15s\n", "    interval: 15 s\n"),
    case("invalid-value", "prod", "    interval: 15s\n", "    interval: 15s\n    scrapeTimeout: 1m\n"),
    case("invalid-value", "prod", "  slo:\n    availability: 98\n    requests:\n", "  slo:\n    requests:\n"),
    case("invalid-value", CHAT, "    path: /metrics\n", "    path: /metrics\n    interval: 30s\n"),
    case("kind-mismatch", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    slo: {availability: 99}\n"),
    case("invalid-value", LLM_BASE, "refreshInterval: 1h", "refreshInterval: hourly"),
    case("invalid-value", LLM_BASE, "kind: SecretStore}", "kind: Vault}"),
    case("invalid-value", LLM_BASE, "DATABASE_URL: {key: llm-cost-ops/database-url}", "DATABASE_URL: {key: \"\"}"),
    case("invalid-name", FASTAPI, "log-level: \"INFO\"", "log level: \"INFO\""),
    case("invalid-type", CHAT, "command: [python, -m, app.jobs.upload_gc]",
         "command: [python, -m, app.jobs.upload_gc]\n    args: --batch"),
    case("invalid-path", FASTAPI, "      - name: example-service-config\n",
         "      - name: example-service-config\n        mountPath: etc/app\n"),
    case("invalid-value", CHAT, "resources: [events]", "resources: [Events]"),
    case("invalid-value", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    successfulJobsHistoryLimit: -1\n"),
    case("invalid-value", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    failedJobsHistoryLimit: -2\n"),
    case("invalid-label-key", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    annotations: {owner team: platform}\n"),
    case("invalid-value", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    tolerations: [{key: spot, effect: NoSchedule, tolerationSeconds: 60}]\n"),
    case("invalid-value", CHAT, "  worker:\n    kind: worker\n",
         "  worker:\n    kind: worker\n    probes: {none: none}\n"),
    case("invalid-name", LLM_BASE, "store: {name: aws-secrets-manager", "store: {name: AWS_Secrets"),
    // Traffic (issue 10): several hosts, security headers, basic auth, the Gateway.
    case("invalid-value", HUB, "    contentSecurityPolicy: \"default-src", "    frameOptions: ALLOW\n    contentSecurityPolicy: \"default-src"),
    case("invalid-value", HUB, "contentSecurityPolicy: \"default-src 'self';", "contentSecurityPolicy: \"default-src \\\"self\\\";"),
    case("invalid-value", HUB, "    contentSecurityPolicy: \"default-src", "    hstsMaxAgeSeconds: -1\n    contentSecurityPolicy: \"default-src"),
    case("invalid-type", HUB, "    contentSecurityPolicy: \"default-src", "    hstsPreload: sometimes\n    contentSecurityPolicy: \"default-src"),
    case("invalid-name", HUB, "secretName: llm-analytics-admin-basic-auth", "secretName: Admin_Basic_Auth"),
    case("invalid-value", HUB, "realm: LLM Analytics admin}", "realm: 'LLM \"Analytics\" admin'}"),
    case("invalid-rate-limit", HUB, "      rateLimitRps: 10\n", "      rateLimitRps: 0\n"),
    case("invalid-host", HUB, "host: admin.llm-analytics.io", "host: admin..llm-analytics.io"),
    case("duplicate-route", HUB, "host: admin.llm-analytics.io", "host: api.llm-analytics.io"),
    case("invalid-name", HUB, "    admin:\n      host:", "    Admin_UI:\n      host:"),
    case("unknown-port", HUB, "{path: /api/admin, service: api}", "{path: /api/admin, service: api, port: grpc}"),
    case("invalid-value", HUB, "{path: /admin, service: frontend}", "{path: /admin, match: regex, service: frontend}"),
    case("unknown-service", HUB, "{path: /admin, service: frontend}", "{path: /admin, service: frontent}"),
    case("invalid-value", GATEWAY, "timeoutSeconds: 30", "timeoutSeconds: 7200"),
    case("invalid-name", GATEWAY, "namespace: gateway-system, sectionName", "namespace: Gateway_System, sectionName"),
    case("invalid-name", GATEWAY, "sectionName: https}", "sectionName: HTTPS}"),
    case("gateway-unsupported", GATEWAY, "      host: admin.shop.example.com\n",
         "      host: admin.shop.example.com\n      basicAuth: {secretName: admin-basic-auth}\n"),
    case("gateway-unsupported", GATEWAY, "  timeoutSeconds: 30\n", "  timeoutSeconds: 30\n  rateLimitRps: 20\n"),
    case("unknown-port", GATEWAY, "service: api, port: admin}", "service: api, port: metrics}"),
    // Found by review: mistakes the API server or Pod Security would reject, or that open more
    // than they say.
    case("duplicate-name", CHAT, "      - name: chat4all-secrets\n", "      - name: chat4all-secrets\n      - name: chat4all.secrets\n"),
    case("invalid-value", HUB, "        ports: [http]\n    dependsOn", "        ports: []\n    dependsOn"),
    case("invalid-name", CHAT, "  upload-garbage-collector:\n", "  upload-garbage-collector-that-runs-every-night-at-two-am:\n"),
    case("kind-mismatch", CHAT, "    timeZone: Etc/UTC\n", "    timeZone: Etc/UTC\n    antiAffinity: required\n"),
    case("kind-mismatch", CHAT, "    timeZone: Etc/UTC\n",
         "    timeZone: Etc/UTC\n    shutdown: {preStopSleepSeconds: 5, terminationGracePeriodSeconds: 60}\n"),
    case("reserved-key", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    podAnnotations: {container.apparmor.security.beta.kubernetes.io/example-service: unconfined}\n"),
    case("reserved-key", FASTAPI, "    antiAffinity: required\n",
         "    antiAffinity: required\n    annotations: {checkov.io/skip1: CKV_K8S_20=mine}\n"),
    case("reserved-key", FASTAPI, "    antiAffinity: required\n", "    antiAffinity: required\n    labels: {node.kubernetes.io/role: api}\n"),
    case("invalid-value", LLM_BASE, "      - name: llm-cost-ops-secrets\n", "      - name: llm-cost-ops-secrets\n        keys: []\n"),
    case("duplicate-name", LLM_BASE, "      - name: llm-cost-ops-secrets\n",
         "      - name: llm-cost-ops-secrets\n        keys: [DATABASE_URL, DATABASE_URL]\n"),
    case("invalid-value", LLM_BASE, "      - name: llm-cost-ops-secrets\n",
         "      - name: llm-cost-ops-secrets\n        keys: [DATABASE_URL]\n        env: {DB_URL: DATABASE_URL}\n"),
    case("invalid-value", CHAT, "podLabels: {app.kubernetes.io/name: redis, app.kubernetes.io/instance: redis}",
         "podLabels: {app.kubernetes.io/name: api}"),
    case("invalid-value", CHAT, "resources: [events]", "resources: [deployments]"),
    case("duplicate-name", CHAT, "      externalTrafficPolicy: Local\n",
         "      externalTrafficPolicy: Local\n      loadBalancerSourceRanges: [10.0.0.0/8, 10.0.0.0/8]\n"),
];

/// Every finding `gen lint` reports for `text` saved as `<profile>.yaml`, beside copies of the
/// other profiles of its directory (its bases), as (code, line). An edit of a `base` is linted
/// through the `prod` beside it, which extends it; only findings in the edited file count.
fn findings(profile: &str, text: &str) -> Vec<(&'static str, Option<usize>)> {
    let dir = tempfile::tempdir().unwrap();
    let original = camino::Utf8PathBuf::from(source_path(profile));
    for entry in original.parent().unwrap().read_dir_utf8().unwrap() {
        let entry = entry.unwrap();
        if entry.path().extension() == Some("yaml") {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    let edited = original.file_name().unwrap().to_owned();
    std::fs::write(dir.path().join(&edited), text).unwrap();
    let run = match original.file_stem().unwrap() {
        "base" => "prod",
        own => own,
    };
    let path = camino::Utf8PathBuf::try_from(dir.path().join(format!("{run}.yaml"))).unwrap();
    let file = ProfileFile {
        name: run.to_owned(),
        path,
        overrides: Vec::new(),
    };
    let found: Vec<Diagnostic> = match pipeline::run(&file, &Renderer::new()) {
        Ok(output) => output.report.findings,
        Err(Failure::Profile(report)) => report.findings,
        Err(Failure::Template(defect)) => panic!("{profile}: template defect {defect:?}"),
    };
    found
        .iter()
        .filter(|d| d.file.as_deref().is_none_or(|f| f.ends_with(&edited)))
        .map(|d| (d.code, d.position.map(|p| p.line)))
        .collect()
}

fn source_path(profile: &str) -> String {
    if profile.contains('/') {
        format!("{}/{profile}.yaml", env!("CARGO_MANIFEST_DIR"))
    } else {
        format!("{}/profiles/{profile}.yaml", env!("CARGO_MANIFEST_DIR"))
    }
}

fn shipped(profile: &str) -> String {
    let path = source_path(profile);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn each_schema_rule_fires_at_the_line_its_edit_changed() {
    let failures = failing(CASES);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn each_new_setting_rejects_a_bad_value_at_its_line() {
    let failures = failing(FIELD_CASES);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_examples_have_no_schema_finding() {
    for profile in [CHAT, LLM, FASTAPI, HUB, HUB_INFRA, GATEWAY, "examples/llm-cost-ops/dev"] {
        let schema: Vec<_> = findings(profile, &shipped(profile))
            .into_iter()
            .filter(|(code, _)| catalog::lookup(code).is_none_or(|r| r.kind == RuleKind::Schema))
            .collect();
        assert!(schema.is_empty(), "{profile}: {schema:?}");
    }
}

/// The cases whose code is not reported at the first line their edit changed.
fn failing(cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let original = shipped(case.profile);
        assert!(
            original.contains(case.from),
            "{}: {:?} is not in {}.yaml",
            case.code,
            case.from,
            case.profile
        );
        let text = original.replacen(case.from, case.to, 1);
        let line = 1 + original.lines().zip(text.lines()).take_while(|(a, b)| a == b).count();
        let found = findings(case.profile, &text);
        if !found.contains(&(case.code, Some(line))) {
            failures.push(format!(
                "{} not at {}.yaml:{line}; got {found:?}",
                case.code, case.profile
            ));
        }
    }
    failures
}

#[test]
fn shipped_profiles_have_no_schema_finding() {
    for profile in ["dev", "prod", "quarantine"] {
        let schema: Vec<_> = findings(profile, &shipped(profile))
            .into_iter()
            .filter(|(code, _)| catalog::lookup(code).is_none_or(|r| r.kind == RuleKind::Schema))
            .collect();
        assert!(schema.is_empty(), "{profile}: {schema:?}");
    }
}

#[test]
fn every_schema_code_a_profile_can_cause_has_a_case() {
    for case in CASES {
        let rule = catalog::lookup(case.code).unwrap_or_else(|| panic!("{} is not in the catalogue", case.code));
        assert_eq!(rule.kind, RuleKind::Schema, "{} is not a schema rule", case.code);
        assert!(
            !NOT_FROM_PROFILE_TEXT.contains(&case.code),
            "{} has a case: drop its exemption",
            case.code
        );
    }
    for code in NOT_FROM_PROFILE_TEXT {
        assert!(catalog::lookup(code).is_some(), "{code} is no longer in the catalogue");
    }
    let missing: Vec<&str> = RULES
        .iter()
        .filter(|r| r.kind == RuleKind::Schema && !NOT_FROM_PROFILE_TEXT.contains(&r.code))
        .map(|r| r.code)
        .filter(|code| !CASES.iter().any(|c| c.code == *code))
        .collect();
    assert!(missing.is_empty(), "schema rules without a case in CASES: {missing:?}");
}
