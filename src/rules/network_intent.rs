//! Cross-checks between what the profile asks for and what its rendered NetworkPolicies
//! allow, evaluated with Kubernetes semantics ([`crate::reach`]): a declared intent the
//! policies block, an edge they allow that nothing asked for, a route whose backend nothing
//! outside the namespace can reach.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt};

use super::Findings;
use crate::model::{Labels, Model, Service};
use crate::reach::graph::{EdgeKey, Node};
use crate::reach::intent::{Intent, intents};
use crate::reach::ports::Protocol;
use crate::reach::{Cluster, Endpoint, Graph};

/// The profile's intents against the cluster its objects describe ([`Cluster::from_split`]).
pub fn check(model: &Model, cluster: &Cluster, findings: &mut Findings) {
    let graph = Graph::build(cluster);
    // Below about a thousand edges (a couple of hundred services) a thread costs more than it
    // saves; the two joins below use the same measure.
    let large = graph.edges.len() >= 1024;
    // Independent, and each about a tenth of the rules' time on a large profile.
    let (allowed, intended) = crate::parallel::join(large, || per_port(graph.keys()), || intents(model, &graph));
    // Looked up once per finding and per route: a profile may have thousands of each.
    let mut nodes: HashMap<&str, &Node> = HashMap::new();
    for node in &graph.nodes {
        // The first node with an id, as a search from the front finds it.
        nodes.entry(node.id.as_str()).or_insert(node);
    }
    let services: HashMap<&str, &Service> = model.services.iter().map(|s| (s.name.as_str(), s)).collect();
    // The intents' findings and the reachability of routes and metrics read the same graph
    // and nothing of each other: on a large profile they are the serial tail of the rules,
    // so they run side by side, and their findings are kept in this order.
    let (mut intent_findings, mut reach_findings) = (findings.sibling(), findings.sibling());
    crate::parallel::join(
        large,
        || intent_mismatches(model, &intended, &allowed, &nodes, &services, &mut intent_findings),
        || {
            let from_outside = from_outside(&graph, &allowed);
            routes_reachable(model, cluster, &services, &nodes, &from_outside, &mut reach_findings);
            metrics_reachable(model, &from_outside, &mut reach_findings);
        },
    );
    findings.append(intent_findings);
    findings.append(reach_findings);
}

/// The intents the policies block, one finding per (service, peer, section) with its ports;
/// and the edges they allow that nothing asked for, one finding per (from, to).
fn intent_mismatches(
    model: &Model,
    intended: &[Intent],
    allowed: &BTreeSet<EdgeKey>,
    nodes: &HashMap<&str, &Node>,
    services: &HashMap<&str, &Service>,
    findings: &mut Findings,
) {
    let label = |id: &str| nodes.get(id).map_or_else(|| id.to_owned(), |n| n.label.clone());
    let (blocked_intents, unintended_edges) = unmatched(intended, allowed);

    let mut blocked: BTreeMap<(&str, &str, &str, &str), Vec<&str>> = BTreeMap::new();
    for intent in blocked_intents {
        blocked
            .entry((
                intent.service.as_str(),
                intent.yaml_path.as_str(),
                &intent.key.from,
                &intent.key.to,
            ))
            .or_default()
            .push(&intent.key.port);
    }
    for ((service, yaml_path, from, to), ports) in blocked {
        findings.on_profile(
            "network-intent-blocked",
            yaml_path,
            Some(service),
            format!(
                "the profile asks for `{} -> {} {}`, but the rendered network policies do not allow it",
                label(from),
                label(to),
                ports.join(" ")
            ),
            "a peer in the profile's own namespace is isolated by its default deny; otherwise this is a defect in gen's templates (`gen graph` shows what is allowed)".to_owned(),
        );
    }

    let mut unintended: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for key in unintended_edges {
        unintended.entry((&key.from, &key.to)).or_default().push(&key.port);
    }
    // A service's node id is `namespace/name`.
    let service_of = |id: &str| {
        id.strip_prefix(model.namespace.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|name| services.get(name))
            .map(|s| s.name.as_str())
    };
    for ((from, to), ports) in unintended {
        let message = format!(
            "the rendered network policies allow `{} -> {} {}`, which nothing in the profile asks for",
            label(from),
            label(to),
            ports.join(" ")
        );
        let hint = "declare the connection (`network.ingressFrom`, `network.egress`, `dependsOn`) or remove what allows it; `gen graph` shows every allowed edge".to_owned();
        match service_of(from).or_else(|| service_of(to)) {
            Some(service) => findings.on_profile(
                "network-unintended-edge",
                &format!("services.{service}"),
                Some(service),
                message,
                hint,
            ),
            None => findings.on_namespace("network-unintended-edge", "network", &model.namespace, message, hint),
        }
    }
}

/// One walk over the intents and the allowed edges, both sorted by key: the intents whose key
/// no edge has (blocked) and the edges no intent names (unintended), each in its order. A
/// merge, not a lookup per item: at 5,000 services each side holds tens of thousands of keys
/// whose ids share long prefixes.
fn unmatched<'a>(intended: &'a [Intent], allowed: &'a BTreeSet<EdgeKey>) -> (Vec<&'a Intent>, Vec<&'a EdgeKey>) {
    debug_assert!(intended.is_sorted(), "intents come sorted by key");
    let mut blocked = Vec::new();
    let mut unintended = Vec::new();
    let mut edges = allowed.iter().peekable();
    for same_key in intended.chunk_by(|a, b| a.key == b.key) {
        let key = &same_key[0].key;
        while let Some(edge) = edges.next_if(|edge| *edge < key) {
            unintended.push(edge);
        }
        if edges.next_if(|edge| *edge == key).is_none() {
            blocked.extend(same_key);
        }
    }
    unintended.extend(edges);
    (blocked, unintended)
}

/// (node, port) pairs some peer outside the namespace may reach: the ingress controller and
/// Prometheus run out there, in namespaces gen does not know.
fn from_outside<'a>(graph: &'a Graph, allowed: &'a BTreeSet<EdgeKey>) -> BTreeSet<(&'a str, &'a str)> {
    let externals: BTreeSet<&str> = graph
        .nodes
        .iter()
        .filter(|n| !n.workload)
        .map(|n| n.id.as_str())
        .collect();
    allowed
        .iter()
        .filter(|k| externals.contains(k.from.as_str()))
        .map(|k| (k.to.as_str(), k.port.as_str()))
        .collect()
}

/// Whether some peer outside the namespace may reach `id` on TCP `port`.
fn reachable_from_outside(from_outside: &BTreeSet<(&str, &str)>, id: &str, port: i64) -> bool {
    let wanted = format!("tcp/{port}");
    [wanted.as_str(), "any", "tcp/*"]
        .iter()
        .any(|port| from_outside.contains(&(id, *port)))
}

/// Each monitored metrics port must be reachable from outside the namespace, where Prometheus
/// runs.
fn metrics_reachable(model: &Model, from_outside: &BTreeSet<(&str, &str)>, findings: &mut Findings) {
    for service in &model.services {
        let Some(metrics) = service.metrics.as_ref().filter(|m| m.monitor.is_some()) else {
            continue;
        };
        let id = format!("{}/{}", model.namespace, service.name);
        if !reachable_from_outside(from_outside, &id, metrics.port) {
            findings.on_profile(
                "metrics-unreachable",
                &format!("services.{}.metrics", service.name),
                Some(&service.name),
                format!(
                    "a monitor scrapes `{}` on port {} ({}), but no peer outside the namespace may connect to it there, so neither can Prometheus",
                    service.name, metrics.port_name, metrics.port
                ),
                "let Prometheus' namespace in: `network.ingressFrom: [{namespace: monitoring, ports: [metrics]}]`".to_owned(),
            );
        }
    }
}

/// The widest port range split into single ports: the graph labels adjacent ports as one range
/// (`tcp/8080-8081`), while each intent names one port.
const SPLIT_RANGES_UP_TO: i32 = 256;

/// The edges with each short port range split into its ports, to compare with the intents.
fn per_port(keys: BTreeSet<EdgeKey>) -> BTreeSet<EdgeKey> {
    let mut out = BTreeSet::new();
    for key in keys {
        let range = key.port.split_once('/').and_then(|(protocol, ports)| {
            let (low, high) = ports.split_once('-')?;
            let (low, high): (i32, i32) = (low.parse().ok()?, high.parse().ok()?);
            (high - low < SPLIT_RANGES_UP_TO).then_some((protocol.to_owned(), low, high))
        });
        match range {
            Some((protocol, low, high)) => out.extend((low..=high).map(|port| EdgeKey {
                port: format!("{protocol}/{port}"),
                ..key.clone()
            })),
            None => {
                out.insert(key);
            }
        }
    }
    out
}

/// Each route's backend must be reachable on its port: from the Gateway's namespace when the
/// routes go through one, else from some peer outside the namespace, where the ingress
/// controller runs (gen does not know which namespace that is).
fn routes_reachable(
    model: &Model,
    cluster: &Cluster,
    services: &HashMap<&str, &Service>,
    nodes: &HashMap<&str, &Node>,
    from_outside: &BTreeSet<(&str, &str)>,
    findings: &mut Findings,
) {
    for group in &model.route_groups {
        // The Gateway's pods, whatever their labels: what a policy must let in.
        let gateway_pods = group.gateway.as_ref().map(|gateway| Endpoint::Pod {
            namespace: gateway.namespace.clone(),
            namespace_labels: cluster.namespace_labels(&gateway.namespace),
            labels: Labels::new(),
            ports: None,
        });
        for (index, route) in group.routes.iter().enumerate() {
            let Some(service) = services.get(route.service.as_str()) else {
                continue;
            };
            let Some(port) = service.ports.iter().find(|p| p.name == route.port_name) else {
                continue;
            };
            let id = format!("{}/{}", model.namespace, service.name);
            let reachable = match (&gateway_pods, nodes.get(id.as_str())) {
                (Some(from), Some(backend)) => {
                    let Ok(number) = i32::try_from(port.port) else { continue };
                    cluster.allowed(from, &backend.endpoint).contains(Protocol::Tcp, number)
                }
                (Some(_), None) => false,
                (None, _) => reachable_from_outside(from_outside, &id, port.port),
            };
            if reachable {
                continue;
            }
            let (message, whose, namespace) = match &group.gateway {
                Some(gateway) => (
                    format!(
                        "the route `{}` sends traffic to `{}` on port {} ({}), but the network policies do not let the Gateway's namespace `{}` connect to it there",
                        route.path, service.name, route.port_name, port.port, gateway.namespace
                    ),
                    "Gateway's",
                    gateway.namespace.as_str(),
                ),
                None => (
                    format!(
                        "the route `{}` sends traffic to `{}` on port {} ({}), but no peer outside the namespace may connect to it there, so neither can the ingress controller",
                        route.path, service.name, route.port_name, port.port
                    ),
                    "ingress controller's",
                    "ingress-nginx",
                ),
            };
            findings.on_profile(
                "route-backend-unreachable",
                &format!("{}.routes[{index}]", group.yaml_path),
                Some(&service.name),
                message,
                format!(
                    "let the {whose} namespace in: `network.ingressFrom: [{{namespace: {namespace}, ports: [{}]}}]`",
                    route.port_name
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::networking::v1::{NetworkPolicyEgressRule, NetworkPolicyIngressRule};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    use crate::check::Typed;
    use crate::rule_tests;
    use crate::rules::testing::Fixture;

    #[test]
    fn unmatched_splits_blocked_intents_from_unintended_edges_in_order() {
        use super::{EdgeKey, Intent, unmatched};
        use std::collections::BTreeSet;
        let key = |to: &str| EdgeKey {
            from: "ns/a".to_owned(),
            to: to.to_owned(),
            port: "tcp/80".to_owned(),
        };
        let intent = |to: &str, service: &str| Intent {
            key: key(to),
            yaml_path: "network.egress".to_owned(),
            service: service.to_owned(),
        };
        // Two intents share `ns/c`, which nothing allows; `ns/b` is both intended and allowed.
        let intended = [
            intent("ns/b", "x"),
            intent("ns/c", "x"),
            intent("ns/c", "y"),
            intent("ns/e", "x"),
        ];
        let allowed: BTreeSet<EdgeKey> = ["ns/0", "ns/b", "ns/d", "ns/e", "ns/f"].map(key).into();
        let (blocked, unintended) = unmatched(&intended, &allowed);
        assert_eq!(blocked, [&intended[1], &intended[2]]);
        let unintended: Vec<&str> = unintended.iter().map(|k| k.to.as_str()).collect();
        assert_eq!(unintended, ["ns/0", "ns/d", "ns/f"]);
        let (blocked, unintended) = unmatched(&[], &allowed);
        assert!(blocked.is_empty() && unintended.len() == allowed.len());
        let nothing = BTreeSet::new();
        let (blocked, unintended) = unmatched(&intended, &nothing);
        assert!(blocked.len() == intended.len() && unintended.is_empty());
    }

    fn policy<'a>(fixture: &'a mut Fixture, name: &str) -> &'a mut k8s_openapi::api::networking::v1::NetworkPolicySpec {
        match &mut fixture.object("NetworkPolicy", Some(name)).typed {
            Typed::NetworkPolicy(p) => p.spec.as_mut().unwrap(),
            _ => unreachable!(),
        }
    }

    // auth-service's policy loses its egress rules: its dependencies are blocked.
    rule_tests!(intent_blocked, "network-intent-blocked", fixture => {
        policy(&mut fixture, "auth-service").egress = Some(vec![]);
    });

    // An egress rule to everything: edges nobody asked for.
    rule_tests!(unintended_edge, "network-unintended-edge", fixture => {
        policy(&mut fixture, "analysis-service")
            .egress
            .get_or_insert_with(Vec::new)
            .push(NetworkPolicyEgressRule::default());
    });

    // auth-service takes no ingress at all: its routes are dead.
    rule_tests!(route_backend_unreachable, "route-backend-unreachable", fixture => {
        policy(&mut fixture, "auth-service").ingress = Some(Vec::<NetworkPolicyIngressRule>::new());
    });

    // auth-service's policy keeps only its first ingress rule (the ingress controller's http):
    // Prometheus can no longer scrape it.
    rule_tests!(metrics_unreachable, "metrics-unreachable", fixture => {
        policy(&mut fixture, "auth-service").ingress.as_mut().unwrap().retain(|rule| {
            rule.ports.iter().flatten().all(|p| p.port != Some(IntOrString::String("metrics".into())))
        });
    });

    const MONITORED: &str = "tier: prod\nnamespace: team-a\napp: demo\nserviceDefaults:\n  probes:\n    liveness: {path: /livez}\n    readiness: {path: /readyz}\n    startup: {path: /livez}\nservices:\n  api:\n    image: r.example.com/a/api@sha256:1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d\n    resources: {cpu: {request: 100m, limit: 200m}, memory: {request: 64Mi, limit: 128Mi}}\n    ports: {http: 8080, metrics: 9090}\n    metrics: {monitor: true}\nnetwork:\n  ingressFrom:\n    - {namespace: monitoring, ports: [metrics]}\n";

    #[test]
    fn a_monitor_needs_a_peer_that_may_reach_the_metrics_port() {
        assert!(!codes_for(MONITORED).contains(&"metrics-unreachable"));
        // The monitoring namespace may reach only http: the scrape is blocked.
        let blocked = codes_for(&MONITORED.replace("ports: [metrics]", "ports: [http]"));
        assert!(blocked.contains(&"metrics-unreachable"), "{blocked:?}");
        // Metrics served on the http port itself, which the peer reaches.
        let shared = codes_for(
            &MONITORED
                .replace("metrics: 9090", "metrics: 8080")
                .replace("ports: [metrics]", "ports: [http]"),
        );
        assert!(!shared.contains(&"metrics-unreachable"), "{shared:?}");
        // Annotation-based scraping has no monitor to check.
        let annotated = codes_for(
            &MONITORED
                .replace("metrics: {monitor: true}", "metrics: {path: /metrics}")
                .replace("ports: [metrics]", "ports: [http]"),
        );
        assert!(!annotated.contains(&"metrics-unreachable"), "{annotated:?}");
    }

    #[test]
    fn a_dependency_in_the_profiles_own_namespace_is_blocked_by_its_default_deny() {
        let mut fixture = crate::rules::testing::prod();
        let namespace = fixture.model.namespace.clone();
        for service in &mut fixture.model.services {
            for dependency in &mut service.egress {
                if dependency.name == "redis" {
                    std::sync::Arc::make_mut(dependency).namespace = namespace.clone();
                }
            }
        }
        for object in fixture.objects.iter_mut().filter(|o| o.kind == "NetworkPolicy") {
            let Typed::NetworkPolicy(policy) = &mut object.typed else {
                continue;
            };
            for rule in policy.spec.as_mut().unwrap().egress.iter_mut().flatten() {
                for peer in rule.to.iter_mut().flatten() {
                    let Some(selector) = &mut peer.namespace_selector else {
                        continue;
                    };
                    let is_redis = peer
                        .pod_selector
                        .as_ref()
                        .and_then(|s| s.match_labels.as_ref())
                        .is_some_and(|m| m.values().any(|v| v == "redis"));
                    if is_redis {
                        selector
                            .match_labels
                            .as_mut()
                            .unwrap()
                            .insert("kubernetes.io/metadata.name".into(), namespace.clone());
                    }
                }
            }
        }
        let found: Vec<String> = crate::rules::run(&fixture.model, &fixture.objects, &fixture.source)
            .into_iter()
            .filter(|d| d.code == "network-intent-blocked")
            .map(|d| d.message)
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("-> redis tcp/6379"), "{found:?}");
    }

    /// Codes of every finding for a profile written out here.
    fn codes_for(text: &str) -> Vec<&'static str> {
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("t.yaml")).unwrap();
        std::fs::write(&path, text).unwrap();
        let profile = crate::locate::ProfileFile {
            name: "t".into(),
            path,
            overrides: Vec::new(),
        };
        let Ok(built) = crate::pipeline::build(&profile, &crate::render::Renderer::new()) else {
            panic!("the profile builds")
        };
        crate::rules::run(&built.model, &built.objects, &built.source)
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn routes_through_a_gateway_need_the_gateways_namespace_let_in() {
        // prod lets ingress-nginx in, not the Gateway's namespace.
        let mut fixture = crate::rules::testing::prod();
        fixture.model.route_groups[0].gateway = Some(crate::model::Gateway {
            name: "public".into(),
            namespace: "gateway-system".into(),
            section_name: "https".into(),
        });
        let found = crate::rules::run(&fixture.model, &fixture.objects, &fixture.source);
        let unreachable: Vec<_> = found.iter().filter(|d| d.code == "route-backend-unreachable").collect();
        assert!(!unreachable.is_empty(), "{found:?}");
        assert!(
            unreachable[0].message.contains("`gateway-system`"),
            "{}",
            unreachable[0].message
        );
        assert!(
            unreachable[0]
                .hint
                .as_deref()
                .unwrap_or_default()
                .contains("namespace: gateway-system"),
            "{:?}",
            unreachable[0].hint
        );

        // The gateway fixture lets its Gateway in; another namespace in its place does not do.
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/gateway-routes.yaml"
        ))
        .unwrap();
        assert!(!codes_for(&text).contains(&"route-backend-unreachable"));
        let other = text.replace("- namespace: gateway-system", "- namespace: ingress-nginx");
        assert_ne!(other, text);
        assert!(codes_for(&other).contains(&"route-backend-unreachable"));
    }

    #[test]
    fn adjacent_ports_let_in_by_one_peer_are_the_intents_they_were() {
        // http 8080 and admin 8081 render as one range, `tcp/8080-8081`.
        let text = OWN_NAMESPACE_PEER
            .replace(
                "  web:\n    image: r.example.com/a/web:1.0.0\n",
                "  web:\n    image: r.example.com/a/web:1.0.0\n    ports: {http: 8080, extra: {admin: 8081}}\n",
            )
            .replace(
                "{namespace: ingress-nginx, ports: [http]}",
                "{namespace: ingress-nginx, ports: [http, admin]}",
            );
        assert!(text.contains("admin: 8081"), "{text}");
        let codes = codes_for(&text);
        for code in ["network-intent-blocked", "network-unintended-edge"] {
            assert!(!codes.contains(&code), "{code} fired: {codes:?}");
        }
    }

    const OWN_NAMESPACE_PEER: &str = "tier: dev\nnamespace: team-a\napp: demo\nservices:\n  api:\n    image: r.example.com/a/api:1.0.0\n    resources: {cpu: {request: 100m, limit: 200m}, memory: {request: 64Mi, limit: 128Mi}}\n  web:\n    image: r.example.com/a/web:1.0.0\n    resources: {cpu: {request: 100m, limit: 200m}, memory: {request: 64Mi, limit: 128Mi}}\nnetwork:\n  ingressFrom:\n    - {namespace: team-a, ports: [http]}\n    - {namespace: ingress-nginx, ports: [http]}\n  egressMode: open\ningress:\n  host: a.example.com\n  tls: {clusterIssuer: x}\n  routes:\n    - {path: /, service: web}\n";

    #[test]
    fn its_own_namespace_as_an_ingress_peer_is_intended_with_open_egress_and_blocked_without() {
        let open = codes_for(OWN_NAMESPACE_PEER);
        for code in [
            "network-intent-blocked",
            "network-unintended-edge",
            "route-backend-unreachable",
        ] {
            assert!(!open.contains(&code), "{code} fired: {open:?}");
        }
        // Restricted egress: the namespace's own pods may not call out, so the peer is blocked.
        let restricted = codes_for(&OWN_NAMESPACE_PEER.replace("egressMode: open", "egressMode: restricted"));
        assert!(restricted.contains(&"network-intent-blocked"), "{restricted:?}");
        assert!(!restricted.contains(&"network-unintended-edge"), "{restricted:?}");
    }
}
