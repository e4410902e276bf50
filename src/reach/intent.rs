//! The edges a profile asks for: each `network.ingressFrom` peer to each service on its named
//! ports, each service to each dependency it uses (and to cluster DNS), or, with open egress,
//! each service to everything outside its namespace. Compared with what the rendered policies
//! allow, they show a policy that blocks an intent, or one that allows what nobody asked for.

use std::collections::{BTreeMap, BTreeSet};

use super::graph::{EdgeKey, Graph, pods_id};
use crate::model::{Labels, Model};

/// The pods cluster DNS runs as, which every service may reach on port 53.
pub const DNS_NAMESPACE: &str = "kube-system";
pub const DNS_LABELS: [(&str, &str); 1] = [("k8s-app", "kube-dns")];

/// One intended edge and the profile entry that asks for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Intent {
    pub key: EdgeKey,
    /// The profile section that asks for it: `network.ingressFrom`, `network.egress` or
    /// `network.egressMode`.
    pub yaml_path: &'static str,
    /// The service the intent is about.
    pub service: String,
}

/// Every edge the profile intends. With open egress, "everything outside the namespace" is
/// read from the graph's nodes: each external peer, on every port.
pub fn intents(model: &Model, graph: &Graph) -> Vec<Intent> {
    let mut out = BTreeSet::new();
    let mut externals: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in graph.nodes.iter().filter(|n| !n.workload) {
        if let Some(namespace) = &node.namespace {
            externals.entry(namespace).or_default().push(&node.id);
        }
    }
    for service in &model.services {
        let id = format!("{}/{}", model.namespace, service.name);
        let mut add = |from: &str, to: &str, port: String, yaml_path: &'static str| {
            out.insert(Intent {
                key: EdgeKey {
                    from: from.to_owned(),
                    to: to.to_owned(),
                    port,
                },
                yaml_path,
                service: service.name.clone(),
            });
        };
        for peer in &service.ingress_peers {
            // The whole namespace may call in: its pods as one peer, and any other pods of it
            // the graph names (a dependency that lives there, say).
            let whole = pods_id(&peer.namespace, &Labels::new());
            let within = externals
                .get(peer.namespace.as_str())
                .into_iter()
                .flatten()
                .map(|id| (*id).to_owned());
            let callers: BTreeSet<String> = std::iter::once(whole).chain(within).collect();
            for name in &peer.ports {
                for port in service.ports.iter().filter(|p| &p.name == name) {
                    for from in &callers {
                        add(from, &id, format!("tcp/{}", port.port), "network.ingressFrom");
                    }
                }
            }
        }
        if model.egress_open {
            for node in graph.nodes.iter().filter(|n| !n.workload) {
                if node.namespace.as_deref() != Some(model.namespace.as_str()) {
                    add(&id, &node.id, "any".to_owned(), "network.egressMode");
                }
            }
            continue;
        }
        let dns = pods_id(
            DNS_NAMESPACE,
            &DNS_LABELS
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        for protocol in ["tcp", "udp"] {
            add(&id, &dns, format!("{protocol}/53"), "network.egressMode");
        }
        for dependency in &service.egress {
            add(
                &id,
                &pods_id(&dependency.namespace, &dependency.pod_labels),
                format!("tcp/{}", dependency.port),
                "network.egress",
            );
        }
    }
    out.into_iter().collect()
}
