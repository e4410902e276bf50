//! The evaluator on small hand-written policy sets, each with its expected matrix: every
//! pair of endpoints that may connect on one port, written `from->to`.

use k8s_openapi::api::networking::v1::IPBlock;

use super::ip::IpSet;
use super::*;

/// A Deployment whose pods carry `labels` and serve `ports` (`name:number/PROTOCOL`).
fn deployment(namespace: &str, name: &str, labels: &str, ports: &[&str]) -> String {
    let mut text = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  selector: {{}}\n  template:\n    metadata:\n      labels: {{{labels}}}\n    spec:\n      containers:\n      - name: main\n        image: x\n        ports:\n"
    );
    for port in ports {
        let (name, rest) = port.split_once(':').unwrap();
        let (number, protocol) = rest.split_once('/').unwrap_or((rest, "TCP"));
        text.push_str(&format!(
            "        - name: {name}\n          containerPort: {number}\n          protocol: {protocol}\n"
        ));
    }
    text
}

fn namespace(name: &str, labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {{{labels}}}\n")
}

/// A NetworkPolicy from its spec, written as YAML flow or block text indented by two.
fn policy(namespace: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n{spec}\n"
    )
}

fn cluster(documents: &[String]) -> Cluster<'static> {
    Cluster::from_yaml(documents.iter().map(String::as_str))
}

/// The default world: namespaces `app` (labelled team=a) and `other` (team=b), workloads
/// `web` (app=web, port http:8080) and `db` (app=db, port pg:5432) in `app`, `client` in
/// `other`, `monitor` (app=prometheus) in `other`.
fn world(policies: &[String]) -> Cluster<'static> {
    let mut documents = vec![
        namespace("app", "team: a"),
        namespace("other", "team: b"),
        deployment("app", "web", "app: web", &["http:8080"]),
        deployment("app", "db", "app: db", &["pg:5432"]),
        deployment("other", "client", "app: client", &["http:8080"]),
        deployment("other", "monitor", "app: prometheus", &["metrics:9090"]),
    ];
    documents.extend_from_slice(policies);
    cluster(&documents)
}

fn outside(cidr: &str) -> Endpoint {
    Endpoint::Addresses(
        IpSet::of_block(&IPBlock {
            cidr: cidr.into(),
            except: None,
        })
        .unwrap(),
    )
}

/// Every `from->to` pair of the workloads (and `extra` endpoints) that may connect on `port`.
fn matrix(cluster: &Cluster, extra: &[(&str, Endpoint)], protocol: Protocol, port: i32) -> Vec<String> {
    let mut endpoints: Vec<(String, Endpoint)> = cluster
        .workloads
        .iter()
        .map(|w| (w.name.clone(), cluster.workload_endpoint(w)))
        .collect();
    endpoints.extend(extra.iter().map(|(n, e)| ((*n).to_owned(), e.clone())));
    let mut out = Vec::new();
    for (a, from) in &endpoints {
        for (b, to) in &endpoints {
            if a != b && cluster.allowed(from, to).contains(protocol, port) {
                out.push(format!("{a}->{b}"));
            }
        }
    }
    out.sort();
    out
}

const TCP: Protocol = Protocol::Tcp;

/// Every ordered pair of distinct workloads: what an unisolated world allows.
fn everyone() -> Vec<String> {
    let names = ["client", "db", "monitor", "web"];
    let mut out = Vec::new();
    for a in names {
        for b in names {
            if a != b {
                out.push(format!("{a}->{b}"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn without_policies_nothing_is_isolated() {
    assert_eq!(matrix(&world(&[]), &[], TCP, 1234), everyone());
}

#[test]
fn default_deny_ingress_isolates_only_ingress() {
    // No policyTypes and no egress section: Ingress only. Pods in `app` still call out.
    let cluster = world(&[policy("app", "deny", "  podSelector: {}")]);
    let expected: Vec<String> = everyone()
        .into_iter()
        .filter(|p| !p.ends_with("->web") && !p.ends_with("->db"))
        .collect();
    assert_eq!(matrix(&cluster, &[], TCP, 8080), expected);
    assert!(expected.contains(&"web->client".to_owned()));
}

#[test]
fn policy_types_default_to_egress_only_when_egress_rules_exist() {
    // An egress section with a rule, no policyTypes: both directions isolated.
    let both = world(&[policy(
        "app",
        "web",
        "  podSelector: {matchLabels: {app: web}}\n  egress:\n  - to:\n    - podSelector: {matchLabels: {app: db}}",
    )]);
    assert_eq!(
        matrix(&both, &[], TCP, 5432),
        [
            "client->db",
            "client->monitor",
            "db->client",
            "db->monitor",
            "monitor->client",
            "monitor->db",
            "web->db"
        ]
    );
    // `policyTypes: [Egress]` with no rules: no egress at all, ingress untouched.
    let silent = world(&[policy(
        "app",
        "web",
        "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]",
    )]);
    let expected: Vec<String> = everyone().into_iter().filter(|p| !p.starts_with("web->")).collect();
    assert_eq!(matrix(&silent, &[], TCP, 80), expected);
}

#[test]
fn egress_allowed_but_ingress_not_is_no_connection() {
    let cluster = world(&[
        // web may call db...
        policy(
            "app",
            "web-out",
            "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector: {matchLabels: {app: db}}",
        ),
        // ...but db takes calls only from `other`.
        policy(
            "app",
            "db-in",
            "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: b}}",
        ),
    ]);
    let pairs = matrix(&cluster, &[], TCP, 5432);
    assert!(!pairs.contains(&"web->db".to_owned()), "{pairs:?}");
    assert!(pairs.contains(&"client->db".to_owned()), "{pairs:?}");
    // And the reverse: ingress allows web, web's egress does not.
    let reverse = world(&[
        policy(
            "app",
            "web-out",
            "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress: []",
        ),
        policy(
            "app",
            "db-in",
            "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: web}}",
        ),
    ]);
    assert_eq!(
        matrix(&reverse, &[], TCP, 5432)
            .iter()
            .filter(|p| p.ends_with("->db"))
            .count(),
        0
    );
}

#[test]
fn an_empty_pod_selector_in_a_peer_means_this_namespace_only() {
    // The classic trap: `podSelector: {}` in a peer is every pod of the policy's namespace,
    // not every pod of the cluster.
    let cluster = world(&[policy(
        "app",
        "db",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - podSelector: {}",
    )]);
    let into_db: Vec<String> = matrix(&cluster, &[], TCP, 5432)
        .into_iter()
        .filter(|p| p.ends_with("->db"))
        .collect();
    assert_eq!(into_db, ["web->db"]);
    // An empty namespaceSelector is every namespace.
    let everywhere = world(&[policy(
        "app",
        "db",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {}",
    )]);
    let into_db: Vec<String> = matrix(&everywhere, &[], TCP, 5432)
        .into_iter()
        .filter(|p| p.ends_with("->db"))
        .collect();
    assert_eq!(into_db, ["client->db", "monitor->db", "web->db"]);
}

#[test]
fn namespace_and_pod_selector_in_one_peer_is_and_in_two_peers_is_or() {
    let one_peer = world(&[policy(
        "app",
        "db",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: b}}\n      podSelector: {matchLabels: {app: prometheus}}",
    )]);
    let two_peers = world(&[policy(
        "app",
        "db",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: b}}\n    - podSelector: {matchLabels: {app: prometheus}}",
    )]);
    let into_db = |cluster: &Cluster| -> Vec<String> {
        matrix(cluster, &[], TCP, 5432)
            .into_iter()
            .filter(|p| p.ends_with("->db"))
            .collect()
    };
    // AND: prometheus pods in team-b namespaces.
    assert_eq!(into_db(&one_peer), ["monitor->db"]);
    // OR: every pod in team-b namespaces, or prometheus pods in `app` (there are none).
    assert_eq!(into_db(&two_peers), ["client->db", "monitor->db"]);
}

#[test]
fn match_expressions_select_namespaces_and_pods() {
    let cluster = world(&[policy(
        "app",
        "db",
        "  podSelector: {matchExpressions: [{key: app, operator: In, values: [db, cache]}]}\n  ingress:\n  - from:\n    - namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [a]}]}\n      podSelector: {matchExpressions: [{key: app, operator: Exists}, {key: canary, operator: DoesNotExist}]}",
    )]);
    let into_db: Vec<String> = matrix(&cluster, &[], TCP, 5432)
        .into_iter()
        .filter(|p| p.ends_with("->db"))
        .collect();
    assert_eq!(into_db, ["client->db", "monitor->db"]);
    // A namespace gen does not render carries only its name label.
    let ghost = Endpoint::Pod {
        namespace: "ghost".into(),
        namespace_labels: cluster.namespace_labels("ghost"),
        labels: Labels::from([("app".into(), "x".into())]),
        ports: None,
    };
    let db = cluster.workload_endpoint(&cluster.workloads[0]);
    assert_eq!(cluster.workloads[0].name, "db");
    assert!(
        cluster.allowed(&ghost, &db).contains(TCP, 5432),
        "no team label: NotIn [a] holds"
    );
    let canary = Endpoint::Pod {
        namespace: "ghost".into(),
        namespace_labels: cluster.namespace_labels("ghost"),
        labels: Labels::from([("app".into(), "x".into()), ("canary".into(), "1".into())]),
        ports: None,
    };
    assert!(cluster.allowed(&canary, &db).is_empty());
}

#[test]
fn ip_blocks_with_except_name_addresses_not_pods() {
    let cluster = world(&[policy(
        "app",
        "web",
        "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}",
    )]);
    let extra = [("public", outside("8.8.8.8/32")), ("private", outside("10.1.2.3/32"))];
    let from_web: Vec<String> = matrix(&cluster, &extra, TCP, 443)
        .into_iter()
        .filter(|p| p.starts_with("web->"))
        .collect();
    // Pods are not addresses of the block (gen cannot know pod IPs), the hole is honoured.
    assert_eq!(from_web, ["web->public"]);
    // Ingress from a block: the public address may call in, the private one may not.
    let inbound = world(&[policy(
        "app",
        "web",
        "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}",
    )]);
    let into_web: Vec<String> = matrix(&inbound, &extra, TCP, 8080)
        .into_iter()
        .filter(|p| p.ends_with("->web"))
        .collect();
    assert_eq!(into_web, ["public->web"]);
}

#[test]
fn named_ports_resolve_against_the_receiving_pod() {
    let cluster = world(&[policy(
        "app",
        "all",
        "  podSelector: {}\n  ingress:\n  - ports:\n    - port: http",
    )]);
    // web names 8080 `http`; db has no `http` port, so nothing reaches db at all.
    assert_eq!(
        matrix(&cluster, &[], TCP, 8080)
            .into_iter()
            .filter(|p| p.ends_with("->web") || p.ends_with("->db"))
            .collect::<Vec<_>>(),
        ["client->web", "db->web", "monitor->web"]
    );
    assert!(matrix(&cluster, &[], TCP, 5432).iter().all(|p| !p.ends_with("->db")));
    // A named port of another protocol does not match.
    let udp = world(&[policy(
        "app",
        "all",
        "  podSelector: {}\n  ingress:\n  - ports:\n    - port: http\n      protocol: UDP",
    )]);
    assert!(matrix(&udp, &[], TCP, 8080).iter().all(|p| !p.ends_with("->web")));
    // Egress names resolve against the destination: `pg` is db's port 5432.
    let egress = world(&[policy(
        "app",
        "web",
        "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n  - ports:\n    - port: pg",
    )]);
    let web = egress.workload_endpoint(egress.workloads.iter().find(|w| w.name == "web").unwrap());
    let db = egress.workload_endpoint(egress.workloads.iter().find(|w| w.name == "db").unwrap());
    let client = egress.workload_endpoint(egress.workloads.iter().find(|w| w.name == "client").unwrap());
    assert_eq!(egress.allowed(&web, &db).labels(), ["tcp/5432"]);
    assert!(egress.allowed(&web, &client).is_empty());
}

#[test]
fn port_ranges_protocols_and_empty_lists() {
    let cluster = world(&[policy(
        "app",
        "db",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n    ports:\n    - {port: 5000, endPort: 5010}\n    - {port: 53, protocol: UDP}\n    - {protocol: SCTP}\n  - from: []\n    ports:\n    - port: 7000",
    )]);
    let web = cluster.workload_endpoint(cluster.workloads.iter().find(|w| w.name == "web").unwrap());
    let db = cluster.workload_endpoint(cluster.workloads.iter().find(|w| w.name == "db").unwrap());
    assert_eq!(
        cluster.allowed(&web, &db).labels(),
        ["tcp/5000-5010", "tcp/7000", "udp/53", "sctp/*"]
    );
    // `from: []` is everyone, addresses outside the cluster included, on its own ports only.
    let internet = outside("203.0.113.9/32");
    assert_eq!(cluster.allowed(&internet, &db).labels(), ["tcp/7000"]);
    // No `ports` is every port.
    let open = world(&[policy(
        "app",
        "db",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: web}}",
    )]);
    assert_eq!(open.allowed(&web, &db).labels(), ["any"]);
}

#[test]
fn policies_add_up_and_stay_in_their_namespace() {
    let cluster = world(&[
        policy("app", "deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]"),
        policy(
            "app",
            "web-from-other",
            "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: b}}\n    ports: [{port: 8080}]",
        ),
        policy(
            "app",
            "web-metrics",
            "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: b}}\n      podSelector: {matchLabels: {app: prometheus}}\n    ports: [{port: 9090}]",
        ),
        // A policy in `other` selecting `app: web` does not touch app/web.
        policy(
            "other",
            "deny-web",
            "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]",
        ),
    ]);
    let client = cluster.workload_endpoint(cluster.workloads.iter().find(|w| w.name == "client").unwrap());
    let monitor = cluster.workload_endpoint(cluster.workloads.iter().find(|w| w.name == "monitor").unwrap());
    let web = cluster.workload_endpoint(cluster.workloads.iter().find(|w| w.name == "web").unwrap());
    assert_eq!(cluster.allowed(&client, &web).labels(), ["tcp/8080"]);
    assert_eq!(cluster.allowed(&monitor, &web).labels(), ["tcp/8080", "tcp/9090"]);
    assert!(cluster.allowed(&web, &client).is_empty(), "app's egress is denied");
    assert_eq!(
        matrix(&cluster, &[], TCP, 8080),
        ["client->monitor", "client->web", "monitor->client", "monitor->web"]
    );
}

#[test]
fn the_graph_names_external_peers_and_their_ports() {
    let cluster = world(&[
        policy("app", "deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]"),
        policy(
            "app",
            "db-out",
            "  podSelector: {matchLabels: {app: web}}\n  egress:\n  - to:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: infra}}\n      podSelector: {matchLabels: {app.kubernetes.io/name: redis}}\n    ports: [{port: 6379}]\n  - to:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}\n    ports: [{port: 443}]\n  - to:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n    ports: [{port: 53, protocol: UDP}]",
        ),
        policy(
            "app",
            "web-in",
            "  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}\n    ports: [{port: http}]",
        ),
    ]);
    let graph = Graph::build(&cluster);
    let ids: Vec<&str> = graph.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "app/db",
            "app/web",
            "other/client",
            "other/monitor",
            "infra/redis",
            "ingress-nginx/*",
            "kube-system/kube-dns",
            "0.0.0.0/0 except 10.0.0.0/8"
        ]
    );
    let edges: Vec<String> = graph
        .keys()
        .into_iter()
        .filter(|k| !k.from.starts_with("other/") && !k.to.starts_with("other/"))
        .map(|k| format!("{} -> {} {}", k.from, k.to, k.port))
        .collect();
    assert_eq!(
        edges,
        [
            "app/web -> 0.0.0.0/0 except 10.0.0.0/8 tcp/443",
            "app/web -> infra/redis tcp/6379",
            "app/web -> kube-system/kube-dns udp/53",
            "ingress-nginx/* -> app/web tcp/8080",
        ]
    );
    assert_eq!(graph.home.as_deref(), Some("app"), "ties go to the first namespace");
}

#[test]
fn explicit_policy_types_override_the_rules_present() {
    // `policyTypes: [Ingress]` with an egress section: egress is NOT isolated, the egress
    // rules are ignored.
    let cluster = world(&[policy(
        "app",
        "web",
        "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Ingress]\n  ingress:\n  - {}\n  egress:\n  - to:\n    - podSelector: {matchLabels: {app: db}}",
    )]);
    let from_web: Vec<String> = matrix(&cluster, &[("internet", outside("8.8.8.8/32"))], TCP, 443)
        .into_iter()
        .filter(|p| p.starts_with("web->"))
        .collect();
    assert_eq!(from_web, ["web->client", "web->db", "web->internet", "web->monitor"]);
    // `ingress: [{}]`, one rule with no from and no ports: everyone on every port.
    let into_web: Vec<String> = matrix(&cluster, &[("internet", outside("8.8.8.8/32"))], TCP, 1)
        .into_iter()
        .filter(|p| p.ends_with("->web"))
        .collect();
    assert_eq!(into_web, ["client->web", "db->web", "internet->web", "monitor->web"]);
}

#[test]
fn an_egress_rule_without_to_reaches_every_destination_on_its_ports() {
    let cluster = world(&[policy(
        "app",
        "web",
        "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 443}]",
    )]);
    let extra = [("internet", outside("2001:db8::1/128"))];
    let from_web = |port| -> Vec<String> {
        matrix(&cluster, &extra, TCP, port)
            .into_iter()
            .filter(|p| p.starts_with("web->"))
            .collect()
    };
    assert_eq!(
        from_web(443),
        ["web->client", "web->db", "web->internet", "web->monitor"]
    );
    assert!(from_web(80).is_empty());
}

#[test]
fn edge_changes_name_what_opens_and_closes() {
    let base = [
        policy("app", "deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]"),
        policy(
            "app",
            "web",
            "  podSelector: {matchLabels: {app: web}}\n  egress:\n  - to:\n    - podSelector: {matchLabels: {app: db}}\n    ports: [{port: pg}]",
        ),
    ];
    let opened = policy(
        "app",
        "db",
        "  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: web}}",
    );
    let before = Graph::build(&world(&base));
    let mut with_db = base.to_vec();
    with_db.push(opened);
    let after = Graph::build(&world(&with_db));
    let changes = changes::EdgeChanges::between(&before, &after);
    assert_eq!(
        changes.describe("", "", ""),
        "  reachability (what the network policies allow):\n  + web -> db tcp/5432\n"
    );
    let back = changes::EdgeChanges::between(&after, &before);
    assert_eq!(back.removed.len(), 1);
    assert!(back.added.is_empty());
    assert_eq!(changes::EdgeChanges::between(&after, &after).describe("", "", ""), "");
}

#[test]
fn the_matrix_is_coloured_only_when_asked() {
    let graph = Graph::build(&world(&[]));
    assert!(!format::matrix(&graph, false).contains('\x1b'));
    assert!(format::matrix(&graph, true).contains("\x1b[32m"));
}

#[test]
fn a_cluster_from_objects_held_apart_is_the_same_cluster() {
    let objects = crate::rules::testing::prod().objects;
    let policies = objects.iter().filter(|o| o.kind == "NetworkPolicy").count();
    assert!(policies > 0, "the fixture has policies");
    let whole = format!("{:?}", Cluster::from_objects(&objects));
    // Every policy copied, none borrowed; and split in the middle, each part its own way.
    assert_eq!(format!("{:?}", Cluster::from_split(&[], &objects)), whole);
    let (first, second) = objects.split_at(objects.len() / 2);
    assert_eq!(format!("{:?}", Cluster::from_split(first, second)), whole);
}
