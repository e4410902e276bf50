//! The reachability graph: every workload, every external peer the policies name (other
//! namespaces' pods, address blocks, "anywhere"), and the edges the policies allow between them.
//!
//! An external peer stands for the pods (or addresses) one policy peer names: its namespace
//! and pod labels are the selectors' typical values ([`selector::representative`]), and the
//! evaluator then decides, with the same rules as for workloads, what it may reach and be
//! reached by. Edges between two external peers are not drawn: gen does not know their policies.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hash, Hasher};

use foldhash::HashMap;

use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::{Value, json};

use super::evaluate::{Direction, allowed_between};
use super::index::{Nodes, Policies};
use super::ip::IpSet;
use super::{Cluster, Endpoint, NAME_LABEL, Policy, PortSet, selector};
use crate::model::Labels;

#[derive(Debug, Clone)]
pub struct Graph {
    /// The namespace most workloads live in: nodes there are labelled without it.
    pub home: Option<String>,
    pub nodes: Vec<Node>,
    /// Sorted by (from, to) node index.
    pub edges: Vec<Edge>,
}

#[derive(Debug, Clone)]
pub struct Node {
    /// Unique and stable: `namespace/name` for a workload, `namespace/pods` for pods the
    /// policies name (`*` for "any"; `[key=value]` for a namespace named by its labels), the
    /// CIDR for addresses, `anywhere` for every address.
    pub id: String,
    /// `id` without the home namespace.
    pub label: String,
    /// The workload's kind (`Deployment`, ...), or `Pods`, `Addresses`.
    pub kind: String,
    /// Whether gen renders it (a workload) or only a policy names it.
    pub workload: bool,
    pub namespace: Option<String>,
    pub endpoint: Endpoint,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub ports: PortSet,
}

/// One allowed (from, to, port) triple in words, for comparing graphs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EdgeKey {
    pub from: String,
    pub to: String,
    pub port: String,
}

/// The id of pods named by their labels: the value of the first of the usual name labels,
/// else `key=value,...`, or `*` for every pod.
pub fn pods_id(namespace: &str, labels: &Labels) -> String {
    let name = ["app.kubernetes.io/name", "k8s-app", "app", "name"]
        .iter()
        .find_map(|key| labels.get(*key).filter(|v| !v.is_empty()).cloned());
    let pods = match name {
        Some(name) => name,
        None if labels.is_empty() => "*".to_owned(),
        None => labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
    };
    format!("{namespace}/{pods}")
}

impl Graph {
    pub fn build(cluster: &Cluster) -> Graph {
        let home = home_namespace(cluster);
        let mut nodes: Vec<Node> = cluster
            .workloads
            .iter()
            .map(|w| Node {
                id: format!("{}/{}", w.namespace, w.name),
                label: String::new(),
                kind: w.kind.clone(),
                workload: true,
                namespace: Some(w.namespace.clone()),
                endpoint: cluster.workload_endpoint(w),
            })
            .collect();
        let mut externals: BTreeMap<String, Node> = BTreeMap::new();
        let mut seen = SeenPeers::default();
        for policy in &cluster.policies {
            let rules = policy
                .spec
                .ingress
                .iter()
                .flatten()
                .map(|r| r.from.as_deref())
                .chain(policy.spec.egress.iter().flatten().map(|r| r.to.as_deref()));
            for peers in rules {
                match peers {
                    None | Some([]) => {
                        let node = address_node("anywhere".to_owned(), IpSet::anywhere());
                        externals.entry(node.id.clone()).or_insert(node);
                    }
                    Some(peers) => {
                        for peer in peers {
                            // Thousands of policies name the same few peers: look at each once.
                            let scope = if peer.namespace_selector.is_none() {
                                policy.namespace.as_str()
                            } else {
                                ""
                            };
                            if !seen.first_time(scope, peer) {
                                continue;
                            }
                            if let Some(node) = external(cluster, policy, peer) {
                                externals.entry(node.id.clone()).or_insert(node);
                            }
                        }
                    }
                }
            }
        }
        let taken: BTreeSet<String> = nodes.iter().map(|n| n.id.clone()).collect();
        // Pods first, then address blocks, "anywhere" last.
        let mut externals: Vec<Node> = externals.into_values().collect();
        externals.sort_by_key(|n| (n.kind == "Addresses", n.id == "anywhere", n.id.clone()));
        for mut node in externals {
            if taken.contains(&node.id) {
                node.id.push_str(" (pods)");
            }
            nodes.push(node);
        }
        for node in &mut nodes {
            node.label = match (&home, &node.namespace) {
                (Some(home), Some(namespace)) if home == namespace => node.id[namespace.len() + 1..].to_owned(),
                _ => node.id.clone(),
            };
        }
        let edges = edges(cluster, &nodes);
        Graph { home, nodes, edges }
    }

    /// Every allowed (from, to, port), by node id.
    pub fn keys(&self) -> BTreeSet<EdgeKey> {
        self.edges
            .iter()
            .flat_map(|e| {
                e.ports.labels().into_iter().map(|port| EdgeKey {
                    from: self.nodes[e.from].id.clone(),
                    to: self.nodes[e.to].id.clone(),
                    port,
                })
            })
            .collect()
    }

    /// Nodes and edges as data, for `--format json`.
    pub fn json(&self) -> Value {
        let nodes: Vec<Value> = self
            .nodes
            .iter()
            .map(|n| {
                json!({
                    "id": n.id,
                    "label": n.label,
                    "kind": n.kind,
                    "rendered": n.workload,
                    "namespace": n.namespace,
                })
            })
            .collect();
        let edges: Vec<Value> = self
            .edges
            .iter()
            .map(|e| {
                json!({
                    "from": self.nodes[e.from].id,
                    "to": self.nodes[e.to].id,
                    "ports": e.ports.labels(),
                })
            })
            .collect();
        json!({"namespace": self.home, "nodes": nodes, "edges": edges})
    }
}

fn edges(cluster: &Cluster, nodes: &[Node]) -> Vec<Edge> {
    let policies = Policies::new(&cluster.policies);
    let index = Nodes::new(nodes);
    let isolating = |direction| -> Vec<Vec<&Policy>> {
        nodes
            .iter()
            .map(|n| policies.isolating(&n.endpoint, direction))
            .collect()
    };
    let egress = isolating(Direction::Egress);
    let ingress = isolating(Direction::Ingress);
    // Each sender's edges are independent of the others': senders are spread over the cores,
    // and the chunks come back in order, so the edges stay sorted by (from, to).
    let senders: Vec<usize> = (0..nodes.len()).collect();
    let chunks = crate::parallel::map_chunks(&senders, 64, |chunk| {
        let mut edges = Vec::new();
        let mut candidates = Vec::new();
        for &from in chunk {
            let a = &nodes[from];
            // Only what the sender's egress rules may name can be reached; a sender not
            // isolated for egress may reach everything.
            candidates.clear();
            if egress[from].is_empty() {
                candidates.extend(0..nodes.len());
            } else {
                for policy in &egress[from] {
                    for rule in policy.spec.egress.iter().flatten() {
                        index.candidates(rule.to.as_deref(), &policy.namespace, &mut candidates);
                    }
                }
                candidates.sort_unstable();
                candidates.dedup();
            }
            for &to in &candidates {
                let b = &nodes[to];
                if !a.workload && !b.workload {
                    continue;
                }
                let ports = allowed_between(&a.endpoint, &egress[from], &b.endpoint, &ingress[to]);
                if !ports.is_empty() {
                    edges.push(Edge { from, to, ports });
                }
            }
        }
        edges
    });
    // Moved, not cloned (`concat` would copy every edge's port set: 25 MB at 5,000 services).
    let mut edges = Vec::with_capacity(chunks.iter().map(Vec::len).sum());
    for chunk in chunks {
        edges.extend(chunk);
    }
    edges
}

/// The (scope, peer) pairs the graph has looked at: a peer without a namespace selector means
/// pods of its policy's namespace, so its scope is that namespace; else the scope is empty.
#[derive(Default)]
struct SeenPeers<'a> {
    by_hash: HashMap<u64, Vec<(&'a str, &'a NetworkPolicyPeer)>>,
}

impl<'a> SeenPeers<'a> {
    /// Whether this is the first time the pair is seen (it is remembered).
    fn first_time(&mut self, scope: &'a str, peer: &'a NetworkPolicyPeer) -> bool {
        // Any hash will do (equal pairs are compared below); foldhash's is several times
        // SipHash's speed on these short labels.
        let mut hasher = foldhash::fast::FixedState::default().build_hasher();
        scope.hash(&mut hasher);
        hash_peer(peer, &mut hasher);
        let same = self.by_hash.entry(hasher.finish()).or_default();
        if same.iter().any(|(s, p)| *s == scope && *p == peer) {
            return false;
        }
        same.push((scope, peer));
        true
    }
}

/// NetworkPolicyPeer has no `Hash`: every field that tells two peers apart, in order.
fn hash_peer(peer: &NetworkPolicyPeer, hasher: &mut impl Hasher) {
    fn hash_selector(selector: Option<&LabelSelector>, hasher: &mut impl Hasher) {
        let Some(selector) = selector else {
            hasher.write_u8(0);
            return;
        };
        hasher.write_u8(1);
        for (key, value) in selector.match_labels.iter().flatten() {
            hasher.write(key.as_bytes());
            hasher.write_u8(0xff);
            hasher.write(value.as_bytes());
            hasher.write_u8(0xff);
        }
        for requirement in selector.match_expressions.iter().flatten() {
            hasher.write(requirement.key.as_bytes());
            hasher.write_u8(0xfe);
            hasher.write(requirement.operator.as_bytes());
            for value in requirement.values.iter().flatten() {
                hasher.write_u8(0xfe);
                hasher.write(value.as_bytes());
            }
            hasher.write_u8(0xfd);
        }
    }
    hash_selector(peer.namespace_selector.as_ref(), hasher);
    hash_selector(peer.pod_selector.as_ref(), hasher);
    if let Some(block) = &peer.ip_block {
        hasher.write(block.cidr.as_bytes());
        for except in block.except.iter().flatten() {
            hasher.write_u8(0xff);
            hasher.write(except.as_bytes());
        }
    }
}

/// The namespace of the one Namespace object, else the one most workloads live in.
fn home_namespace(cluster: &Cluster) -> Option<String> {
    if cluster.namespaces.len() == 1 {
        return cluster.namespaces.keys().next().cloned();
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for workload in &cluster.workloads {
        *counts.entry(&workload.namespace).or_default() += 1;
    }
    let most = counts.values().max()?;
    counts.iter().find(|(_, n)| *n == most).map(|(ns, _)| (*ns).to_owned())
}

fn address_node(id: String, addresses: IpSet) -> Node {
    Node {
        label: id.clone(),
        id,
        kind: "Addresses".to_owned(),
        workload: false,
        namespace: None,
        endpoint: Endpoint::Addresses(addresses),
    }
}

/// The node standing for what one peer names, unless the workloads already stand for it (a
/// pod selector in one namespace that selects a workload there).
fn external(cluster: &Cluster, policy: &Policy, peer: &NetworkPolicyPeer) -> Option<Node> {
    if let Some(block) = &peer.ip_block {
        let mut id = block.cidr.clone();
        let except = block.except.as_deref().unwrap_or_default();
        if !except.is_empty() {
            id = format!("{id} except {}", except.join(","));
        }
        return Some(address_node(id, IpSet::of_block(block)?));
    }
    let (namespace, namespace_labels) = match &peer.namespace_selector {
        None => (policy.namespace.clone(), cluster.namespace_labels(&policy.namespace)),
        Some(selector) => match selector::named_namespace(selector) {
            Some(name) => {
                let mut labels = cluster.namespace_labels(&name);
                labels.extend(selector::representative(selector));
                (name, labels)
            }
            None if selector::is_empty(selector) => ("*".to_owned(), Labels::new()),
            None => {
                let labels = selector::representative(selector);
                let words: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                (format!("[{}]", words.join(",")), labels)
            }
        },
    };
    let pod_selector = peer.pod_selector.as_ref().filter(|s| !selector::is_empty(s));
    if peer.namespace_selector.is_none() && peer.pod_selector.is_none() {
        return None;
    }
    if let Some(pods) = pod_selector {
        let covered = cluster
            .workloads
            .iter()
            .any(|w| w.namespace == namespace && selector::matches(pods, &w.labels));
        if covered {
            return None;
        }
    }
    let labels = pod_selector.map(selector::representative).unwrap_or_default();
    // Every pod of a namespace that holds workloads is covered by them as far as the graph
    // is concerned, unless the peer names other pods.
    if pod_selector.is_none() && cluster.workloads.iter().any(|w| w.namespace == namespace) {
        return None;
    }
    let mut namespace_labels = namespace_labels;
    if namespace != "*" && !namespace.starts_with('[') {
        namespace_labels.insert(NAME_LABEL.to_owned(), namespace.clone());
    }
    Some(Node {
        id: pods_id(&namespace, &labels),
        label: String::new(),
        kind: "Pods".to_owned(),
        workload: false,
        namespace: Some(namespace.clone()),
        endpoint: Endpoint::Pod {
            namespace,
            namespace_labels,
            labels,
            ports: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(yaml: &str) -> NetworkPolicyPeer {
        serde_yaml::from_str(yaml).expect("a peer")
    }

    #[test]
    fn a_peer_is_looked_at_once_per_scope_and_every_field_tells_peers_apart() {
        let same = [
            peer("podSelector: {matchLabels: {app: db}}"),
            peer("podSelector: {matchLabels: {app: db}}"),
        ];
        let distinct = [
            peer("podSelector: {matchLabels: {app: web}}"),
            peer("podSelector: {}"),
            peer("namespaceSelector: {matchLabels: {app: db}}"),
            peer("podSelector: {matchExpressions: [{key: app, operator: In, values: [db]}]}"),
            peer("podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [db]}]}"),
            peer("podSelector: {matchExpressions: [{key: app, operator: In, values: [db, web]}]}"),
            peer("ipBlock: {cidr: 10.0.0.0/8}"),
            peer("ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}"),
        ];
        let mut seen = SeenPeers::default();
        assert!(seen.first_time("app", &same[0]));
        assert!(!seen.first_time("app", &same[1]), "an equal peer from another policy");
        assert!(
            seen.first_time("other", &same[1]),
            "the same selector in another namespace"
        );
        for (index, peer) in distinct.iter().enumerate() {
            assert!(
                seen.first_time("app", peer),
                "peer {index} differs from every earlier one"
            );
        }
        for peer in &distinct {
            assert!(!seen.first_time("app", peer));
        }
    }
}
