//! Lookups that keep the graph near linear in the number of workloads: which policies may
//! select a pod, and which nodes a peer may name. Both give candidates only; the evaluator
//! decides. A render of thousands of services runs the cross-checks on every render, so
//! asking about every pair of nodes is not an option.

use foldhash::{HashMap, HashMapExt};

use k8s_openapi::api::networking::v1::NetworkPolicyPeer;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::evaluate::Direction;
use super::graph::Node;
use super::{Endpoint, Policy, selector};

/// The `matchLabels` pairs of a selector: every object it selects carries each of them.
fn pairs(selector: Option<&LabelSelector>) -> impl Iterator<Item = (&str, &str)> {
    selector
        .and_then(|s| s.match_labels.as_ref())
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str()))
}

pub struct Policies<'a> {
    policies: &'a [Policy<'a>],
    /// Per namespace, the policies with no `matchLabels` in their pod selector.
    general: HashMap<&'a str, Vec<usize>>,
    /// Per (namespace, key, value), the policies whose pod selector requires that label.
    keyed: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
}

impl<'a> Policies<'a> {
    pub fn new(policies: &'a [Policy<'a>]) -> Self {
        let mut index = Policies {
            policies,
            general: HashMap::new(),
            keyed: HashMap::new(),
        };
        // Each policy is filed under its rarest label, so a label every policy requires (the
        // app's instance, say) does not make every policy a candidate for every pod.
        let mut counts: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for policy in policies {
            for (k, v) in pairs(policy.spec.pod_selector.as_ref()) {
                *counts.entry((&policy.namespace, k, v)).or_default() += 1;
            }
        }
        for (i, policy) in policies.iter().enumerate() {
            let rarest = pairs(policy.spec.pod_selector.as_ref())
                .map(|(k, v)| (policy.namespace.as_str(), k, v))
                .min_by_key(|key| counts[key]);
            match rarest {
                Some(key) => index.keyed.entry(key).or_default().push(i),
                None => index.general.entry(&policy.namespace).or_default().push(i),
            }
        }
        index
    }

    /// The policies isolating `pod` for `direction`, in the cluster's order.
    pub fn isolating(&self, pod: &Endpoint, direction: Direction) -> Vec<&'a Policy<'a>> {
        let Endpoint::Pod { namespace, labels, .. } = pod else {
            return Vec::new();
        };
        let mut found: Vec<usize> = self.general.get(namespace.as_str()).cloned().unwrap_or_default();
        for (k, v) in labels {
            if let Some(keyed) = self.keyed.get(&(namespace.as_str(), k.as_str(), v.as_str())) {
                found.extend(keyed);
            }
        }
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|i| &self.policies[i])
            .filter(|p| p.affects(direction) && p.selects(pod))
            .collect()
    }
}

pub struct Nodes<'a> {
    all: Vec<usize>,
    addresses: Vec<usize>,
    by_namespace: HashMap<&'a str, Vec<usize>>,
    by_label: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
}

impl<'a> Nodes<'a> {
    pub fn new(nodes: &'a [Node]) -> Self {
        let mut index = Nodes {
            all: (0..nodes.len()).collect(),
            addresses: Vec::new(),
            by_namespace: HashMap::new(),
            by_label: HashMap::new(),
        };
        for (i, node) in nodes.iter().enumerate() {
            match &node.endpoint {
                Endpoint::Addresses(_) => index.addresses.push(i),
                Endpoint::Pod { namespace, labels, .. } => {
                    index.by_namespace.entry(namespace).or_default().push(i);
                    for (k, v) in labels {
                        index.by_label.entry((namespace, k, v)).or_default().push(i);
                    }
                }
            }
        }
        index
    }

    /// Nodes a rule's peers may name (absent or empty: every node).
    pub fn candidates(&self, peers: Option<&[NetworkPolicyPeer]>, policy_namespace: &str, out: &mut Vec<usize>) {
        let peers = match peers {
            None | Some([]) => {
                out.extend(&self.all);
                return;
            }
            Some(peers) => peers,
        };
        for peer in peers {
            if peer.ip_block.is_some() {
                out.extend(&self.addresses);
                continue;
            }
            let namespace = match &peer.namespace_selector {
                None => Some(policy_namespace.to_owned()),
                Some(namespaces) => selector::named_namespace(namespaces),
            };
            let Some(namespace) = namespace else {
                out.extend(&self.all);
                continue;
            };
            // The smallest list any required label gives (a pod lacking one is not a match).
            let mut found = self.by_namespace.get(namespace.as_str());
            for (k, v) in pairs(peer.pod_selector.as_ref()) {
                let with = self.by_label.get(&(namespace.as_str(), k, v));
                if with.map_or(0, Vec::len) < found.map_or(0, Vec::len) {
                    found = with;
                }
            }
            out.extend(found.into_iter().flatten());
        }
    }
}
