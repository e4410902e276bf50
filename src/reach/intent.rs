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
    /// The profile entry that asks for it: `network.ingressFrom`, `network.egress`,
    /// `network.egressMode`, or a service's `allowFrom` or `expose`.
    pub yaml_path: String,
    /// The service the intent is about.
    pub service: String,
}

/// Every edge the profile intends. With open egress, "everything outside the namespace" is
/// read from the graph's nodes: each external peer, on every port.
pub fn intents(model: &Model, graph: &Graph) -> Vec<Intent> {
    let mut out = BTreeSet::new();
    // Every node of each namespace, workloads included.
    let mut by_namespace: BTreeMap<&str, Vec<(&str, bool)>> = BTreeMap::new();
    for node in &graph.nodes {
        if let Some(namespace) = &node.namespace {
            by_namespace
                .entry(namespace)
                .or_default()
                .push((&node.id, node.workload));
        }
    }
    for service in &model.services {
        let id = format!("{}/{}", model.namespace, service.name);
        let mut add = |from: &str, to: &str, port: String, yaml_path: &str| {
            out.insert(Intent {
                key: EdgeKey {
                    from: from.to_owned(),
                    to: to.to_owned(),
                    port,
                },
                yaml_path: yaml_path.to_owned(),
                service: service.name.clone(),
            });
        };
        // Services of this profile it lets in (`allowFrom`): their egress and its ingress.
        let allow_from = format!("services.{}.allowFrom", service.name);
        for caller in &service.callers {
            let from = format!("{}/{}", model.namespace, caller.service);
            for port in &caller.ports {
                add(&from, &id, format!("tcp/{}", port.port), &allow_from);
            }
        }
        // Clients of its LoadBalancer, by address.
        let expose = format!("services.{}.expose", service.name);
        for cidr in &service.load_balancer_clients {
            for port in service.expose.iter().flat_map(|e| &e.ports) {
                add(cidr, &id, format!("tcp/{}", port.port), &expose);
            }
        }
        for peer in &service.ingress_peers {
            // The whole namespace may call in: every node of it the graph has (its pods as one
            // peer, a dependency that lives there, the profile's own workloads when the peer is
            // its own namespace), and its pods as one peer if the graph lacks them, so that a
            // policy that never names them shows as blocking the intent.
            let within = by_namespace
                .get(peer.namespace.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mut callers: BTreeSet<String> = within.iter().map(|(id, _)| (*id).to_owned()).collect();
            if !within.iter().any(|(_, workload)| *workload) {
                callers.insert(pods_id(&peer.namespace, &Labels::new()));
            }
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
