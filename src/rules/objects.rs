//! Rules on one rendered object at a time: labels, namespaces, ingress safety, selectors,
//! autoscaler bounds, and the per-container classics (resources, probes, read-only root).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec, Probe};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Findings;
use super::pod_security::containers;
use crate::check::{Object, Typed};

/// Labels that change from release to release and so must never be in a selector.
const UNSTABLE_LABELS: &[&str] = &["app.kubernetes.io/version", "pod-template-hash", "helm.sh/chart"];

pub fn check(object: &Object, findings: &mut Findings) {
    required_labels(object, findings);
    shared_namespace(object, findings);
    match &object.typed {
        Typed::Namespace(namespace) => namespace_pod_security(object, namespace.metadata.labels.as_ref(), findings),
        Typed::Ingress(ingress) => ingress_safety(object, ingress, findings),
        Typed::HttpRoute(route) => listener_pinned(object, route, findings),
        Typed::PodDisruptionBudget(pdb) => {
            let spec = pdb.spec.as_ref();
            unstable_selector(
                object,
                spec.and_then(|s| s.selector.as_ref()),
                "spec.selector",
                findings,
            );
            if spec.and_then(|s| s.unhealthy_pod_eviction_policy.as_deref()) != Some("AlwaysAllow") {
                findings.on_object(
                    "pdb-unhealthy-eviction",
                    object,
                    "spec.unhealthyPodEvictionPolicy",
                    "unhealthy pods are protected by the budget".into(),
                    "set unhealthyPodEvictionPolicy: AlwaysAllow",
                );
            }
        }
        Typed::HorizontalPodAutoscaler(hpa) => {
            if let Some(spec) = &hpa.spec {
                replica_range(
                    object,
                    (spec.min_replicas.unwrap_or(1), "spec.minReplicas"),
                    spec.max_replicas,
                    findings,
                );
            }
        }
        Typed::ScaledObject(scaled) => {
            // KEDA's defaults: minReplicaCount 0, maxReplicaCount 100.
            let spec = &scaled.spec;
            replica_range(
                object,
                (spec.min_replica_count.unwrap_or(0), "spec.minReplicaCount"),
                spec.max_replica_count.unwrap_or(100),
                findings,
            );
        }
        Typed::Deployment(deployment) => {
            let spec = deployment.spec.as_ref();
            let selector = spec.map(|s| &s.selector);
            unstable_selector(object, selector, "spec.selector", findings);
            let template_labels = spec
                .and_then(|s| s.template.metadata.as_ref())
                .and_then(|m| m.labels.as_ref());
            if let Some(selector) = selector
                && !selector_matches(selector, template_labels)
            {
                findings.on_object(
                    "selector-mismatch",
                    object,
                    "spec.selector",
                    "the selector does not match the pod template's labels".into(),
                    "select on labels the template carries (name and instance)",
                );
            }
        }
        Typed::Service(service) => {
            let selector = service.spec.as_ref().and_then(|s| s.selector.as_ref());
            for key in selector
                .into_iter()
                .flat_map(|s| s.keys())
                .filter(|k| UNSTABLE_LABELS.contains(&k.as_str()))
            {
                findings.on_object(
                    "unstable-selector-label",
                    object,
                    &format!("spec.selector.{key}"),
                    format!("the selector uses `{key}`"),
                    "select on app.kubernetes.io/name and instance only",
                );
            }
            load_balancer(object, service, findings);
        }
        Typed::NetworkPolicy(policy) => {
            let selector = policy.spec.as_ref().and_then(|s| s.pod_selector.as_ref());
            unstable_selector(object, selector, "spec.podSelector", findings);
        }
        Typed::Role(role) => super::rbac::role(object, role, findings),
        Typed::RoleBinding(binding) => super::rbac::binding(object, binding, findings),
        Typed::ConfigMap(config) => secrets_in_config(object, config, findings),
        Typed::ServiceMonitor(monitor) => {
            unstable_selector(object, Some(&monitor.spec.selector), "spec.selector", findings);
        }
        Typed::PodMonitor(monitor) => {
            unstable_selector(object, Some(&monitor.spec.selector), "spec.selector", findings);
        }
        Typed::ServiceAccount(_)
        | Typed::PrometheusRule(_)
        | Typed::ExternalSecret(_)
        | Typed::CronJob(_)
        | Typed::Job(_)
        | Typed::ResourceQuota(_)
        | Typed::LimitRange(_)
        | Typed::TriggerAuthentication(_)
        | Typed::VerticalPodAutoscaler(_) => {}
    }
}

/// An autoscaler's range: the floor below the ceiling, and in prod never a single pod.
fn replica_range(object: &Object, (min, min_field): (i32, &str), max: i32, findings: &mut Findings) {
    if min > max {
        findings.on_object(
            "hpa-min-above-max",
            object,
            min_field,
            // The profile's words: both kinds come from `autoscaling.minReplicas`/`maxReplicas`.
            format!("minReplicas {min} is above maxReplicas {max}"),
            "raise maxReplicas",
        );
    }
    if min < 2 {
        findings.on_object(
            "hpa-min-below-two",
            object,
            min_field,
            format!(
                "the autoscaler may scale down to {min} replica{}",
                if min == 1 { "" } else { "s" }
            ),
            "set minReplicas to 2 or more",
        );
    }
}

/// A LoadBalancer admits the whole internet unless its source ranges say otherwise.
fn load_balancer(object: &Object, service: &k8s_openapi::api::core::v1::Service, findings: &mut Findings) {
    let Some(spec) = &service.spec else { return };
    if spec.type_.as_deref() != Some("LoadBalancer") {
        return;
    }
    let ranges = spec.load_balancer_source_ranges.iter().flatten();
    let open = spec.load_balancer_source_ranges.as_ref().is_none_or(Vec::is_empty)
        || ranges.clone().any(|r| r.ends_with("/0"));
    if open {
        findings.on_object(
            "loadbalancer-open",
            object,
            "spec.loadBalancerSourceRanges",
            format!("LoadBalancer `{}` admits clients from anywhere", object.name),
            "list the client ranges in `expose.loadBalancerSourceRanges`, or waive the rule with the reason the service is public",
        );
    }
}

/// ConfigMaps are not secret: anyone who can read the namespace's config can read them.
fn secrets_in_config(object: &Object, config: &k8s_openapi::api::core::v1::ConfigMap, findings: &mut Findings) {
    for (key, value) in config.data.iter().flatten() {
        if let Some(why) = super::secrets::looks_like_secret(key, value) {
            findings.on_object(
                "secret-in-config",
                object,
                &format!("data.{key}"),
                format!("config key `{key}` looks like a plain-text secret ({why})"),
                "keep it in a Secret (or `externalSecrets:`) and list it under the service's `secrets:`",
            );
        }
    }
}

/// Secrets read into environment variables: readable by every process of the container, in
/// crash dumps and `kubectl describe`; files are safer (checkov CKV_K8S_35).
fn secret_env(object: &Object, container: &Container, path: &str, findings: &mut Findings) {
    for (index, var) in container.env.iter().flatten().enumerate() {
        let from_secret = var.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref());
        if let Some(reference) = from_secret {
            findings.on_object(
                "secret-env",
                object,
                &format!("{path}.env[{index}]"),
                format!(
                    "`{}` reads key `{}` of Secret `{}` into the environment",
                    var.name, reference.key, reference.name
                ),
                "mount the secret as files (drop `env:` from the service's `secrets:` entry) and point the app at the file",
            );
        }
    }
}

fn required_labels(object: &Object, findings: &mut Findings) {
    let labels = object.typed.metadata().labels.as_ref();
    let mut required = vec!["app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"];
    if object.service.is_some() {
        required.extend(["app.kubernetes.io/name", "app.kubernetes.io/instance"]);
    }
    let missing: Vec<&str> = required
        .into_iter()
        .filter(|key| !labels.is_some_and(|l| l.contains_key(*key)))
        .collect();
    if !missing.is_empty() {
        findings.on_object(
            "required-labels",
            object,
            "metadata.labels",
            format!("missing {}", missing.join(", ")),
            "add the app.kubernetes.io labels",
        );
    }
}

/// The profile's namespace is judged once, by the model rule; here only an object a template
/// left without a namespace (so it lands in `default`).
fn shared_namespace(object: &Object, findings: &mut Findings) {
    if object.kind != "Namespace" && object.namespace.is_none() {
        findings.on_object(
            "default-namespace",
            object,
            "metadata.namespace",
            "the object has no namespace, so it lands in `default`".into(),
            "set metadata.namespace",
        );
    }
}

fn namespace_pod_security(object: &Object, labels: Option<&BTreeMap<String, String>>, findings: &mut Findings) {
    for mode in ["enforce", "audit", "warn"] {
        let key = format!("pod-security.kubernetes.io/{mode}");
        if labels.and_then(|l| l.get(&key)).map(String::as_str) != Some("restricted") {
            findings.on_object(
                "namespace-pod-security",
                object,
                &format!("metadata.labels.{key}"),
                format!("`{key}` is not `restricted`"),
                "label the namespace with enforce, audit and warn = restricted",
            );
        }
    }
}

fn ingress_safety(object: &Object, ingress: &k8s_openapi::api::networking::v1::Ingress, findings: &mut Findings) {
    for key in ingress.metadata.annotations.iter().flat_map(|a| a.keys()) {
        if key.starts_with("nginx.ingress.kubernetes.io/") && key.ends_with("-snippet") {
            findings.on_object(
                "nginx-snippet-annotation",
                object,
                &format!("metadata.annotations.{key}"),
                format!("annotation `{key}` injects raw nginx configuration"),
                "remove it; use first-class annotations",
            );
        }
    }
    let spec = ingress.spec.as_ref();
    let tls_hosts: Vec<&String> = spec
        .into_iter()
        .flat_map(|s| s.tls.iter().flatten())
        .flat_map(|t| t.hosts.iter().flatten())
        .collect();
    for (index, rule) in spec.into_iter().flat_map(|s| s.rules.iter().flatten()).enumerate() {
        match &rule.host {
            Some(host) if tls_hosts.contains(&host) => {}
            Some(host) => findings.on_object(
                "ingress-tls-missing",
                object,
                &format!("spec.rules[{index}].host"),
                format!("host `{host}` has no TLS entry"),
                "add the host to spec.tls",
            ),
            None => findings.on_object(
                "ingress-tls-missing",
                object,
                &format!("spec.rules[{index}]"),
                "a rule without a host is served without TLS".into(),
                "give every rule a host with a TLS entry",
            ),
        }
    }
}

/// An HTTPRoute attached to a whole Gateway is served on every listener, the plain HTTP one
/// too: each parent must name its (HTTPS) listener.
fn listener_pinned(object: &Object, route: &crate::check::HttpRoute, findings: &mut Findings) {
    for (index, parent) in route.spec.parent_refs.iter().enumerate() {
        if parent.section_name.as_deref().is_none_or(str::is_empty) {
            findings.on_object(
                "httproute-listener-unpinned",
                object,
                &format!("spec.parentRefs[{index}].sectionName"),
                format!(
                    "the route attaches to every listener of Gateway `{}`, plain HTTP ones included",
                    parent.name
                ),
                "name the Gateway's HTTPS listener in sectionName (`ingress.gateway.sectionName`)",
            );
        }
    }
}

fn unstable_selector(object: &Object, selector: Option<&LabelSelector>, path: &str, findings: &mut Findings) {
    let keys = selector
        .into_iter()
        .flat_map(|s| s.match_labels.iter().flatten())
        .map(|(k, _)| k);
    for key in keys.filter(|k| UNSTABLE_LABELS.contains(&k.as_str())) {
        findings.on_object(
            "unstable-selector-label",
            object,
            &format!("{path}.matchLabels.{key}"),
            format!("the selector uses `{key}`"),
            "select on app.kubernetes.io/name and instance only",
        );
    }
}

/// Whether `labels` satisfy the selector's matchLabels (gen never emits matchExpressions).
pub fn selector_matches(selector: &LabelSelector, labels: Option<&BTreeMap<String, String>>) -> bool {
    selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// Per-pod classics, for each container: its root filesystem, resources, probes and secrets
/// in the environment. (Whether the pod may mount its token depends on RoleBindings: see
/// `cross_object`.)
pub fn check_pod(object: &Object, pod: &PodSpec, base: &str, findings: &mut Findings) {
    for (container, path) in containers(pod, base) {
        let context = container.security_context.as_ref();
        if context.and_then(|c| c.read_only_root_filesystem) != Some(true) {
            findings.on_object(
                "read-only-root-fs",
                object,
                &format!("{path}.securityContext.readOnlyRootFilesystem"),
                format!("container `{}` can write to its root filesystem", container.name),
                "set readOnlyRootFilesystem: true and mount an emptyDir where the app writes",
            );
        }
        resources(object, container, &path, findings);
        probes(object, container, &path, findings);
        secret_env(object, container, &path, findings);
    }
}

fn resources(object: &Object, container: &Container, path: &str, findings: &mut Findings) {
    let resources = container.resources.as_ref();
    for (section, map) in [
        ("requests", resources.and_then(|r| r.requests.as_ref())),
        ("limits", resources.and_then(|r| r.limits.as_ref())),
    ] {
        for resource in ["cpu", "memory"]
            .into_iter()
            .filter(|r| !map.is_some_and(|m| m.contains_key(*r)))
        {
            findings.on_object(
                "resources-required",
                object,
                &format!("{path}.resources.{section}.{resource}"),
                format!("container `{}` has no {resource} {section}", container.name),
                "set requests and limits for cpu and memory",
            );
        }
    }
}

fn probes(object: &Object, container: &Container, path: &str, findings: &mut Findings) {
    let named = [
        ("startupProbe", &container.startup_probe),
        ("livenessProbe", &container.liveness_probe),
        ("readinessProbe", &container.readiness_probe),
    ];
    for (field, probe) in named {
        if let Some(port) = probe.as_ref().and_then(probe_port)
            && !exposes(container, port)
        {
            let shown = match port {
                IntOrString::Int(n) => n.to_string(),
                IntOrString::String(s) => s.clone(),
            };
            findings.on_object(
                "probe-port-not-exposed",
                object,
                &format!("{path}.{field}"),
                format!(
                    "the {field} checks port `{shown}`, which container `{}` does not expose",
                    container.name
                ),
                "probe one of the container's ports",
            );
        }
    }
    if let (Some(liveness), Some(readiness)) = (&container.liveness_probe, &container.readiness_probe)
        && same_check(liveness, readiness)
    {
        findings.on_object(
            "readiness-equals-liveness",
            object,
            &format!("{path}.readinessProbe"),
            "readiness and liveness probe the same endpoint".into(),
            "give readiness and liveness separate endpoints",
        );
    }
    if container.liveness_probe.is_some() && container.startup_probe.is_none() {
        findings.on_object(
            "liveness-without-startup",
            object,
            &format!("{path}.startupProbe"),
            format!(
                "container `{}` has a liveness probe but no startup probe",
                container.name
            ),
            "add a startup probe",
        );
    }
}

fn probe_port(probe: &Probe) -> Option<&IntOrString> {
    probe
        .http_get
        .as_ref()
        .map(|h| &h.port)
        .or(probe.tcp_socket.as_ref().map(|t| &t.port))
}

fn exposes(container: &Container, port: &IntOrString) -> bool {
    container.ports.iter().flatten().any(|p| match port {
        IntOrString::Int(n) => p.container_port == *n,
        IntOrString::String(name) => p.name.as_deref() == Some(name.as_str()),
    })
}

fn same_check(a: &Probe, b: &Probe) -> bool {
    a.http_get == b.http_get && a.tcp_socket == b.tcp_socket && a.grpc == b.grpc && a.exec == b.exec
}

/// The `removed-api` rule: runs before decoding, since removed versions have no Rust type.
/// The versions and their replacements are among the Kubernetes version facts.
pub fn removed_api(api_version: &str, kind: &str) -> Option<String> {
    let fact = crate::kube_version::facts::removed_api(api_version)?;
    Some(format!(
        "{kind} {api_version} was removed in Kubernetes 1.{}; use {}",
        fact.removed?, fact.replacement
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule_tests;

    #[test]
    fn removed_api_fires_on_removed_versions_only() {
        assert!(
            removed_api("policy/v1beta1", "PodDisruptionBudget")
                .unwrap()
                .contains("policy/v1")
        );
        assert!(removed_api("autoscaling/v2beta2", "HorizontalPodAutoscaler").is_some());
        assert_eq!(removed_api("policy/v1", "PodDisruptionBudget"), None);
        assert_eq!(removed_api("apps/v1", "Deployment"), None);
    }

    fn labels<'f>(
        f: &'f mut crate::rules::testing::Fixture,
        kind: &str,
    ) -> &'f mut std::collections::BTreeMap<String, String> {
        f.object(kind, None).typed.metadata_mut().labels.as_mut().unwrap()
    }

    rule_tests!(required_labels, "required-labels", f => { labels(&mut f, "Service").remove("app.kubernetes.io/name"); });
    rule_tests!(default_namespace, "default-namespace", f => { f.object("Service", None).namespace = None; });
    rule_tests!(namespace_pod_security, "namespace-pod-security", f => {
        if let Typed::Namespace(ns) = &mut f.object("Namespace", None).typed {
            ns.metadata.labels.as_mut().unwrap().insert("pod-security.kubernetes.io/enforce".into(), "baseline".into());
        }
    });
    rule_tests!(nginx_snippet, "nginx-snippet-annotation", f => {
        if let Typed::Ingress(ingress) = &mut f.object("Ingress", None).typed {
            ingress.metadata.annotations.as_mut().unwrap().insert("nginx.ingress.kubernetes.io/server-snippet".into(), "return 200;".into());
        }
    });
    // A route someone attached to the whole Gateway, through `resources:` or a patch.
    rule_tests!(httproute_listener_unpinned, "httproute-listener-unpinned", f => {
        f.add(crate::rules::testing::http_route("storefront-gateway", None, "auth-service", 8000));
    });

    rule_tests!(ingress_tls_missing, "ingress-tls-missing", f => {
        if let Typed::Ingress(ingress) = &mut f.object("Ingress", None).typed {
            ingress.spec.as_mut().unwrap().tls = None;
        }
    });
    rule_tests!(pdb_unhealthy_eviction, "pdb-unhealthy-eviction", f => {
        if let Typed::PodDisruptionBudget(pdb) = &mut f.object("PodDisruptionBudget", None).typed {
            pdb.spec.as_mut().unwrap().unhealthy_pod_eviction_policy = None;
        }
    });
    rule_tests!(hpa_min_above_max, "hpa-min-above-max", f => {
        if let Typed::HorizontalPodAutoscaler(hpa) = &mut f.object("HorizontalPodAutoscaler", None).typed {
            hpa.spec.as_mut().unwrap().min_replicas = Some(99);
        }
    });
    rule_tests!(hpa_min_below_two, "hpa-min-below-two", f => {
        if let Typed::HorizontalPodAutoscaler(hpa) = &mut f.object("HorizontalPodAutoscaler", None).typed {
            hpa.spec.as_mut().unwrap().min_replicas = Some(1);
        }
    });
    rule_tests!(unstable_selector_label, "unstable-selector-label", f => {
        let selector = &mut f.deployment("auth-service").spec.as_mut().unwrap().selector;
        selector.match_labels.as_mut().unwrap().insert("app.kubernetes.io/version".into(), "2.4.1".into());
    });
    rule_tests!(selector_mismatch, "selector-mismatch", f => {
        let selector = &mut f.deployment("auth-service").spec.as_mut().unwrap().selector;
        selector.match_labels.as_mut().unwrap().insert("tier".into(), "web".into());
    });
    rule_tests!(automount_token, "automount-token", f => { f.pod("auth-service").automount_service_account_token = None; });
    rule_tests!(read_only_root_fs, "read-only-root-fs", f => {
        f.container("auth-service").security_context.as_mut().unwrap().read_only_root_filesystem = Some(false);
    });
    rule_tests!(resources_required, "resources-required", f => {
        f.container("auth-service").resources.as_mut().unwrap().limits = None;
    });
    rule_tests!(probe_port_not_exposed, "probe-port-not-exposed", f => {
        f.container("auth-service").readiness_probe.as_mut().unwrap().http_get.as_mut().unwrap().port = IntOrString::Int(9999);
    });
    rule_tests!(readiness_equals_liveness, "readiness-equals-liveness", f => {
        let container = f.container("auth-service");
        container.readiness_probe = container.liveness_probe.clone();
    });
    rule_tests!(secret_env, "secret-env", f => {
        let var = serde_json::from_value(serde_json::json!({
            "name": "DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}},
        })).unwrap();
        f.container("auth-service").env = Some(vec![var]);
    });
    rule_tests!(loadbalancer_open, "loadbalancer-open", f => {
        if let Typed::Service(service) = &mut f.object("Service", None).typed {
            service.spec.as_mut().unwrap().type_ = Some("LoadBalancer".into());
        }
    });
    rule_tests!(secret_in_config, "secret-in-config", f => {
        f.add(serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "platform-v2-stable"},
            "data": {"DB_PASSWORD": "hunter2", "LOG_LEVEL": "info"},
        }));
    });
    rule_tests!(rbac_wildcard, "rbac-wildcard", f => {
        f.add(serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "reader", "namespace": "platform-v2-stable"},
            "rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}],
        }));
    });
    rule_tests!(rbac_secrets_list, "rbac-secrets-list", f => {
        f.add(serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "reader", "namespace": "platform-v2-stable"},
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}],
        }));
    });
    rule_tests!(rbac_escalation, "rbac-escalation", f => {
        f.add(serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "debugger", "namespace": "platform-v2-stable"},
            "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}],
        }));
    });
    rule_tests!(rbac_cluster_scope, "rbac-cluster-scope", f => {
        f.add(serde_json::json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "admin", "namespace": "platform-v2-stable"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
            "subjects": [{"kind": "ServiceAccount", "name": "auth-service", "namespace": "platform-v2-stable"}],
        }));
    });
    rule_tests!(liveness_without_startup, "liveness-without-startup", f => { f.container("auth-service").startup_probe = None; });
}
