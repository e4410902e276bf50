//! Resolved models of small profiles: the behaviour the README promises that no single
//! validation case shows.

use crate::model::{Model, Service};
use crate::profile::TrafficPolicy;

/// The profile's model, or every diagnostic resolve collected; the profile must load.
fn resolved(text: &str) -> Result<Model, Vec<crate::diagnostics::Diagnostic>> {
    let dir = tempfile::tempdir().unwrap();
    let path = camino::Utf8PathBuf::try_from(dir.path().join("p.yaml")).unwrap();
    std::fs::write(&path, text).unwrap();
    let Ok(loaded) = crate::load::load(&path, "p.yaml") else {
        panic!("the profile loads: {text}")
    };
    super::resolve(&loaded.profile, &loaded.source, "p")
}

fn resolve(text: &str) -> Model {
    resolved(text).unwrap_or_else(|diagnostics| panic!("the profile resolves: {diagnostics:?}"))
}

fn service<'m>(model: &'m Model, name: &str) -> &'m Service {
    model.services.iter().find(|s| s.name == name).unwrap()
}

const HEADER: &str = "tier: dev\nnamespace: shop\napp: shop\nserviceDefaults:\n  \
    resources: {cpu: {request: 100m, limit: 500m}, memory: {request: 128Mi, limit: 512Mi}}\n  \
    probes: {liveness: {path: /livez}, readiness: {path: /readyz}}\n";

#[test]
fn a_load_balancer_keeps_client_addresses_and_never_publishes_metrics() {
    let model = resolve(&format!(
        "{HEADER}services:\n  \
         api:\n    image: r.example.com/api:1.0.0\n    ports: {{http: 8080, metrics: 9090}}\n    \
         expose: {{type: LoadBalancer, loadBalancerSourceRanges: [203.0.113.0/24]}}\n  \
         open:\n    image: r.example.com/open:1.0.0\n    ports: {{http: 8080, metrics: 9090}}\n    \
         expose: {{type: LoadBalancer, loadBalancerSourceRanges: [203.0.113.0/24], externalTrafficPolicy: Cluster}}\n  \
         inside:\n    image: r.example.com/inside:1.0.0\n    ports: {{http: 8080, metrics: 9090}}\n"
    ));
    let api = service(&model, "api");
    let expose = api.expose.as_ref().unwrap();
    let ports: Vec<&str> = expose.ports.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(ports, ["http"], "metrics stay off the load balancer");
    assert_eq!(expose.external_traffic_policy, Some(TrafficPolicy::Local));
    assert_eq!(api.load_balancer_clients, ["203.0.113.0/24"]);
    // With Cluster, traffic arrives from node addresses: the policy cannot filter by range.
    assert_eq!(service(&model, "open").load_balancer_clients, ["0.0.0.0/0", "::/0"]);
    // A ClusterIP Service keeps its metrics port for scraping through the Service.
    let inside = service(&model, "inside").expose.as_ref().unwrap();
    assert_eq!(inside.ports.len(), 2);
    assert_eq!(inside.external_traffic_policy, None);
}

#[test]
fn workers_take_ingress_peers_only_on_ports_other_than_http() {
    let model = resolve(&format!(
        "{HEADER}services:\n  \
         api:\n    image: r.example.com/api:1.0.0\n    ports: {{http: 8080, metrics: 8080}}\n  \
         worker:\n    kind: worker\n    image: r.example.com/w:1.0.0\n    ports: {{http: 8080, metrics: 8080}}\n\
         network:\n  ingressFrom:\n    - {{namespace: ingress-nginx, ports: [http]}}\n    \
         - {{namespace: monitoring, ports: [metrics]}}\n"
    ));
    let peers = |name| {
        service(&model, name)
            .ingress_peers
            .iter()
            .map(|p| format!("{}:{}", p.namespace, p.ports.join(",")))
            .collect::<Vec<_>>()
    };
    assert_eq!(peers("api"), ["ingress-nginx:http", "monitoring:http"]);
    // Metrics on the worker's http port stay reachable for scraping; nothing else routes in.
    assert_eq!(peers("worker"), ["monitoring:http"]);
}

#[test]
fn a_config_change_changes_the_pods_hash_and_only_readers_carry_it() {
    let profile = |level: &str| {
        format!(
            "{HEADER}configs:\n  settings: {{LOG_LEVEL: {level}}}\nservices:\n  \
             api:\n    image: r.example.com/api:1.0.0\n    config: [{{name: settings}}]\n  \
             other:\n    image: r.example.com/other:1.0.0\n"
        )
    };
    let info = resolve(&profile("info"));
    let debug = resolve(&profile("debug"));
    let hash = |model: &Model| service(model, "api").pod_annotations.get("checksum/config").cloned();
    assert!(hash(&info).is_some());
    assert_ne!(hash(&info), hash(&debug), "a changed value rolls the pods");
    assert_eq!(
        hash(&info),
        hash(&resolve(&profile("info"))),
        "the same config hashes the same"
    );
    assert!(!service(&info, "other").pod_annotations.contains_key("checksum/config"));
}

#[test]
fn service_defaults_carry_autoscaling_field_by_field_and_only_to_kinds_that_use_it() {
    let model = resolve(&format!(
        "{HEADER}  autoscaling:\n    maxReplicas: 6\n    scaleDown: {{percent: 20, periodSeconds: 120}}\n  \
         disruptionBudget: {{maxUnavailable: 1}}\n  backoffLimit: 2\n\
         services:\n  \
         api:\n    image: r.example.com/api:1.0.0\n    autoscaling:\n      minReplicas: 2\n      \
         scaleDown: {{stabilizationWindowSeconds: 600}}\n  \
         quiet:\n    image: r.example.com/q:1.0.0\n    autoscaling: {{minReplicas: 1, maxReplicas: 3}}\n  \
         report:\n    kind: cronjob\n    image: r.example.com/r:1.0.0\n    schedule: \"0 3 * * *\"\n"
    ));
    let api = service(&model, "api").autoscaling.as_ref().unwrap();
    assert_eq!(
        (api.min_replicas, api.max_replicas),
        (2, 6),
        "max from the defaults, min its own"
    );
    let down = &api.scale_down;
    assert_eq!(
        (down.percent, down.period_seconds, down.stabilization_window_seconds),
        (Some(20), 120, 600),
        "the scale-down rule merges field by field"
    );
    let quiet = service(&model, "quiet").autoscaling.as_ref().unwrap();
    assert_eq!(quiet.max_replicas, 3, "a service's own value wins");
    let report = service(&model, "report");
    assert!(
        report.autoscaling.is_none() && report.disruption_budget.is_none(),
        "a cronjob inherits neither"
    );
    assert_eq!(
        report.job.as_ref().unwrap().backoff_limit,
        2,
        "but it does inherit the job policy"
    );
}

#[test]
fn a_scaling_rule_may_set_only_its_window() {
    let model = resolve(&format!(
        "{HEADER}services:\n  api:\n    image: r.example.com/api:1.0.0\n    \
         autoscaling: {{maxReplicas: 4, scaleDown: {{stabilizationWindowSeconds: 300}}}}\n"
    ));
    let down = &service(&model, "api").autoscaling.as_ref().unwrap().scale_down;
    assert_eq!(
        (
            down.percent,
            down.pods,
            down.period_seconds,
            down.stabilization_window_seconds
        ),
        (Some(50), None, 60, 300),
        "gen's scale-down policy with the window the profile asks for"
    );
}

#[test]
fn service_defaults_carry_config_secrets_and_volumes() {
    let model = resolve(&format!(
        "{HEADER}  config: [{{name: shared}}]\n  volumes: {{cache: {{mountPath: /cache, emptyDir: {{sizeLimit: 64Mi}}}}}}\n\
         configs:\n  shared: {{MODE: fast}}\n  own: {{X: y}}\n\
         services:\n  \
         api:\n    image: r.example.com/api:1.0.0\n    \
         volumes: {{scratch: {{mountPath: /scratch, emptyDir: {{sizeLimit: 16Mi}}}}}}\n  \
         other:\n    image: r.example.com/o:1.0.0\n    config: [{{name: own}}]\n"
    ));
    let api = service(&model, "api");
    assert_eq!(api.env_from_config_maps, ["shared"], "inherited config");
    let mounts: Vec<&str> = api.volumes.iter().map(|v| v.mount_path.as_str()).collect();
    assert!(
        mounts.contains(&"/cache") && mounts.contains(&"/scratch"),
        "volumes merge by name: {mounts:?}"
    );
    assert_eq!(
        service(&model, "other").env_from_config_maps,
        ["own"],
        "a service's own list replaces"
    );
}

/// The diagnostics of a profile that does not resolve, as `code at path: message`.
fn errors(text: &str) -> Vec<String> {
    match resolved(text) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .iter()
            .map(|d| format!("{} at {}: {}", d.code, d.yaml_path.as_deref().unwrap_or(""), d.message))
            .collect(),
    }
}

const WORKER: &str = "services:\n  w:\n    kind: worker\n    image: r.example.com/w:1.0.0\n    ports: {http: 8080}\n";

#[test]
fn keda_triggers_carry_the_resource_targets_and_their_settings_as_strings() {
    let model = resolve(&format!(
        "{HEADER}{WORKER}    autoscaling:\n      minReplicas: 2\n      maxReplicas: 12\n      \
         targetCpuUtilization: 75\n      triggers:\n        \
         - redis: {{address: 'redis.data.svc:6379', listName: jobs, listLength: 20}}\n        \
         - prometheus: {{serverAddress: 'http://prometheus.monitoring.svc:9090', query: ' sum(rate(x[2m])) ', threshold: '0.5'}}\n        \
         - cron: {{timezone: Europe/Berlin, start: '0 8 * * 1-5', end: '0 20 * * 1-5', desiredReplicas: 6}}\n"
    ));
    let autoscaling = service(&model, "w").autoscaling.as_ref().unwrap();
    assert!(!autoscaling.triggers.is_empty(), "KEDA runs it");
    let scalers: Vec<&str> = autoscaling.triggers.iter().map(|t| t.scaler).collect();
    assert_eq!(scalers, ["cpu", "redis", "prometheus", "cron"]);
    assert_eq!(autoscaling.triggers[0].metadata["value"], "75");
    assert_eq!(autoscaling.triggers[1].metadata["listLength"], "20");
    assert_eq!(autoscaling.triggers[2].metadata["query"], "sum(rate(x[2m]))");
    assert_eq!(autoscaling.triggers[3].metadata["desiredReplicas"], "6");
    // KEDA runs the HPA: no memory target was asked for, and no default CPU one is added.
    assert_eq!(autoscaling.target_memory_utilization, None);
}

#[test]
fn custom_metrics_replace_the_default_cpu_target() {
    let model = resolve(&format!(
        "{HEADER}{WORKER}    autoscaling:\n      maxReplicas: 12\n      metrics:\n        \
         - external: {{name: queue_messages_ready, selector: {{queue: jobs}}, averageValue: '30'}}\n"
    ));
    let autoscaling = service(&model, "w").autoscaling.as_ref().unwrap();
    assert_eq!(autoscaling.target_cpu_utilization, None);
    assert_eq!(autoscaling.metrics[0].source, "External");
    assert_eq!(autoscaling.metrics[0].target_type, "AverageValue");
    assert!(autoscaling.triggers.is_empty(), "a plain HPA");
}

#[test]
fn bad_keda_and_metric_settings_are_each_located() {
    let found = errors(&format!(
        "{HEADER}{WORKER}    autoscaling:\n      maxReplicas: 12\n      \
         metrics:\n        - pods: {{name: 1bad, averageValue: lots}}\n      triggers:\n        \
         - prometheus: {{serverAddress: prometheus:9090, query: ' ', threshold: '-1'}}\n        \
         - cron: {{timezone: Europe/Berln, start: '@daily', end: '0 20 * *', desiredReplicas: 0}}\n        \
         - kafka: {{bootstrapServers: 'a:9092,b', consumerGroup: 'my group', topic: t, lagThreshold: 0}}\n"
    ));
    let expected = [
        "invalid-autoscaling at services.w.autoscaling.metrics[0].pods.name",
        "invalid-quantity at services.w.autoscaling.metrics[0].pods.averageValue",
        "invalid-trigger at services.w.autoscaling.triggers[0].prometheus.serverAddress",
        "invalid-trigger at services.w.autoscaling.triggers[0].prometheus.query",
        "invalid-trigger at services.w.autoscaling.triggers[0].prometheus.threshold",
        "invalid-time-zone at services.w.autoscaling.triggers[1].cron.timezone",
        "invalid-schedule at services.w.autoscaling.triggers[1].cron.start",
        "invalid-schedule at services.w.autoscaling.triggers[1].cron.end",
        "invalid-value at services.w.autoscaling.triggers[1].cron.desiredReplicas",
        "invalid-trigger at services.w.autoscaling.triggers[2].kafka.bootstrapServers",
        "invalid-trigger at services.w.autoscaling.triggers[2].kafka.consumerGroup",
        "invalid-value at services.w.autoscaling.triggers[2].kafka.lagThreshold",
        "invalid-autoscaling at services.w.autoscaling.triggers",
    ];
    for want in expected {
        assert!(
            found.iter().any(|f| f.starts_with(want)),
            "missing `{want}` in {found:#?}"
        );
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
}

#[test]
fn a_monitor_replaces_the_scrape_annotations_and_fits_the_service() {
    use crate::model::MonitorKind;
    let model = resolve(&format!(
        "{HEADER}  ports: {{http: 8080, metrics: 9090}}\n  metrics: {{monitor: true, interval: 30s}}\n\
         services:\n  \
         api:\n    image: r.example.com/api:1.0.0\n    metrics: {{path: /internal/metrics, scrapeTimeout: 10s}}\n  \
         public:\n    image: r.example.com/p:1.0.0\n    expose: {{type: LoadBalancer}}\n  \
         worker:\n    kind: worker\n    image: r.example.com/w:1.0.0\n  \
         annotated:\n    image: r.example.com/a:1.0.0\n    metrics: {{monitor: false}}\n"
    ));
    // The service's own path and timeout merge over the defaults' monitor and interval.
    let api = service(&model, "api").metrics.as_ref().unwrap();
    let monitor = api.monitor.as_ref().unwrap();
    assert_eq!(api.path, "/internal/metrics");
    assert_eq!(monitor.kind, MonitorKind::ServiceMonitor);
    assert_eq!(monitor.interval.as_deref(), Some("30s"));
    assert_eq!(monitor.scrape_timeout.as_deref(), Some("10s"));
    assert_eq!(monitor.job, "api", "a ServiceMonitor's job is the Service's name");
    assert!(
        service(&model, "api")
            .pod_annotations
            .keys()
            .all(|k| !k.starts_with("prometheus.io/"))
    );
    // A LoadBalancer never publishes the metrics port, and a worker has no Service: pods are
    // scraped directly.
    for name in ["public", "worker"] {
        let monitor = service(&model, name)
            .metrics
            .as_ref()
            .unwrap()
            .monitor
            .as_ref()
            .unwrap();
        assert_eq!(monitor.kind, MonitorKind::PodMonitor, "{name}");
        assert_eq!(
            monitor.job,
            format!("shop/{name}"),
            "a PodMonitor's job is namespace/name"
        );
    }
    // Switched off: the annotations as before, and no monitor.
    let annotated = service(&model, "annotated");
    assert!(annotated.metrics.as_ref().unwrap().monitor.is_none());
    assert_eq!(annotated.pod_annotations["prometheus.io/scrape"], "true");
}

#[test]
fn without_a_monitor_the_output_stays_as_it_was() {
    let model = resolve(&format!(
        "{HEADER}services:\n  api:\n    image: r.example.com/api:1.0.0\n    \
         ports: {{http: 8080, metrics: 9090}}\n    metrics: {{path: /metrics}}\n"
    ));
    let api = service(&model, "api");
    assert!(api.metrics.as_ref().unwrap().monitor.is_none());
    assert!(api.alert_rules.is_none());
    assert_eq!(api.pod_annotations["prometheus.io/port"], "9090");
}

const ROUTED: &str = "services:\n  web:\n    image: r.example.com/web:1.0.0\n    ports: {http: 8080, extra: {admin: 9000}}\n\
    ingress:\n  host: shop.example.com\n  tls: {clusterIssuer: letsencrypt-prod, secretName: shop-tls}\n  \
    rateLimitRps: 20\n  timeoutSeconds: 30\n  securityHeaders: {frameOptions: SAMEORIGIN, hstsPreload: true}\n  \
    routes:\n    - {path: /, service: web}\n  \
    hosts:\n    admin:\n      host: admin.shop.example.com\n      basicAuth: {secretName: admin-auth}\n      \
    routes:\n        - {path: /, match: exact, service: web, port: admin}\n";

#[test]
fn a_host_group_inherits_the_issuer_and_limits_and_gets_a_certificate_of_its_own() {
    let model = resolve(&format!("{HEADER}{ROUTED}"));
    let names: Vec<&str> = model.route_groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["shop", "shop-admin"]);
    let (primary, admin) = (&model.route_groups[0], &model.route_groups[1]);
    assert_eq!(primary.tls.as_ref().unwrap().secret_name, "shop-tls");
    let tls = admin.tls.as_ref().unwrap();
    assert_eq!(tls.cluster_issuer, "letsencrypt-prod");
    // Not the primary host's secret: its certificate does not cover this host.
    assert_eq!(tls.secret_name, "admin-shop-example-com-tls");
    assert_eq!(admin.rate_limit_rps.as_deref(), Some("20"));
    assert_eq!(admin.timeout_seconds.as_deref(), Some("30"));
    assert_eq!(admin.yaml_path, "ingress.hosts.admin");
    let auth = admin.basic_auth.as_ref().unwrap();
    assert_eq!(
        (auth.secret_name.as_str(), auth.realm.as_str()),
        ("admin-auth", "Authentication required")
    );
    assert!(primary.basic_auth.is_none());
    let route = &admin.routes[0];
    assert_eq!((route.ingress_path_type, route.gateway_path_type), ("Exact", "Exact"));
    assert_eq!((route.port_name.as_str(), route.port), ("admin", 9000));
    // On an Ingress the headers come from a ConfigMap every host points ingress-nginx at.
    assert_eq!(admin.custom_headers.as_deref(), Some("shop/shop-security-headers"));
    let config = model
        .config_maps
        .iter()
        .find(|c| c.name == "shop-security-headers")
        .unwrap();
    assert_eq!(config.data["X-Frame-Options"], "SAMEORIGIN");
    assert_eq!(
        config.data["Strict-Transport-Security"],
        "max-age=31536000; includeSubDomains; preload"
    );
    assert_eq!(config.data["X-Content-Type-Options"], "nosniff");
    assert_eq!(
        config.data["Content-Security-Policy"],
        "default-src 'self'; frame-ancestors 'none'"
    );
}

#[test]
fn through_a_gateway_the_headers_and_timeout_go_on_the_route_itself() {
    let text = format!("{HEADER}{ROUTED}")
        .replace(
            "  rateLimitRps: 20\n",
            "  gateway: {name: public, namespace: gateway-system, sectionName: https}\n",
        )
        .replace("      basicAuth: {secretName: admin-auth}\n", "");
    let model = resolve(&text);
    assert!(model.config_maps.is_empty(), "no ConfigMap for ingress-nginx");
    for group in &model.route_groups {
        let gateway = group.gateway.as_ref().unwrap();
        assert_eq!(
            (
                gateway.name.as_str(),
                gateway.namespace.as_str(),
                gateway.section_name.as_str()
            ),
            ("public", "gateway-system", "https")
        );
        assert_eq!(group.timeout.as_deref(), Some("30s"));
        assert!(group.custom_headers.is_none());
        let names: Vec<&str> = group.response_headers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Content-Security-Policy",
                "Strict-Transport-Security",
                "X-Content-Type-Options",
                "X-Frame-Options"
            ]
        );
    }
    assert_eq!(model.route_groups[0].routes[0].gateway_path_type, "PathPrefix");
}

#[test]
fn the_headers_config_map_may_not_take_a_configs_name_or_a_name_too_long_for_its_label() {
    for (text, code) in [
        (
            format!("{HEADER}{ROUTED}configs:\n  shop-security-headers: {{A: b}}\n"),
            "duplicate-name",
        ),
        // 50 characters: a valid app, but `<app>-security-headers` is 67.
        (
            format!("{HEADER}{ROUTED}").replace("app: shop\n", &format!("app: {}\n", "s".repeat(50))),
            "invalid-name",
        ),
    ] {
        rejected(&text, code);
    }
}

fn rejected(text: &str, code: &str) {
    let Err(diagnostics) = resolved(text) else {
        panic!("{code}: the profile resolves")
    };
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == code && d.yaml_path.as_deref() == Some("ingress.securityHeaders")),
        "{diagnostics:?}"
    );
}

#[test]
fn a_large_profiles_findings_come_in_the_profiles_order_whatever_the_cores() {
    // Enough services to be resolved in several chunks on several cores; each name starts
    // with a digit, so each service has one finding of its own.
    let names: Vec<String> = (0..300).map(|i| format!("{i}svc{i:03}")).collect();
    let services: String = names
        .iter()
        .map(|name| format!("  {name}:\n    image: r.example.com/{name}:1.0.0\n    ports: {{http: 8080}}\n"))
        .collect();
    let found: Vec<String> = errors(&format!("{HEADER}services:\n{services}"))
        .into_iter()
        .filter(|e| e.starts_with("invalid-name"))
        .collect();
    let mut expected: Vec<&String> = names.iter().collect();
    // The profile's services are read into a sorted map.
    expected.sort();
    let expected: Vec<String> = expected
        .iter()
        .map(|name| format!("invalid-name at services.{name}: service name `{name}` must start with a letter"))
        .collect();
    assert_eq!(found, expected);
}
