//! The NetworkPolicy semantics.
//!
//! - A pod is isolated for a direction only when some policy in its namespace selects it
//!   (`podSelector`, `{}` = every pod) and has that direction in its effective `policyTypes`:
//!   as written, or when absent `Ingress` always and `Egress` if the policy has egress rules.
//!   A pod not isolated for a direction allows everything in it.
//! - An isolated pod allows what the union of the rules of those policies allows.
//! - A connection flows only if the sender's egress allows it towards the receiver AND the
//!   receiver's ingress allows it from the sender, on the same port and protocol.
//! - A rule with no `from`/`to` (or an empty list) matches every peer; one with no `ports` (or
//!   an empty list) matches every port.
//! - A peer with `podSelector` only: pods in the policy's own namespace; `namespaceSelector`
//!   only: every pod in the namespaces it selects (`{}`: all namespaces); both in one peer:
//!   pods matching both (AND), while two peers are two alternatives (OR); `ipBlock`: addresses
//!   in the CIDR and not in an `except`.

use k8s_openapi::api::networking::v1::NetworkPolicyPeer;

use super::ports::{self, NamedPort, PortSet};
use super::{Cluster, Endpoint, Policy, selector};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn name(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
}

impl Policy<'_> {
    /// The directions the policy isolates, with Kubernetes' defaults for absent `policyTypes`.
    pub fn affects(&self, direction: Direction) -> bool {
        match self.spec.policy_types.as_deref() {
            Some(types) if !types.is_empty() => types.iter().any(|t| t == direction.name()),
            _ => match direction {
                Direction::Ingress => true,
                Direction::Egress => self.spec.egress.as_ref().is_some_and(|e| !e.is_empty()),
            },
        }
    }

    /// Whether the policy selects the pod (pods only; addresses are never selected).
    pub fn selects(&self, pod: &Endpoint) -> bool {
        match pod {
            Endpoint::Pod { namespace, labels, .. } => {
                *namespace == self.namespace
                    && self
                        .spec
                        .pod_selector
                        .as_ref()
                        .is_none_or(|s| selector::matches(s, labels))
            }
            Endpoint::Addresses(_) => false,
        }
    }
}

impl Cluster<'_> {
    /// The policies that isolate `pod` for `direction`; empty when it is not isolated.
    pub fn isolating<'a>(&'a self, pod: &'a Endpoint, direction: Direction) -> impl Iterator<Item = &'a Policy<'a>> {
        self.policies
            .iter()
            .filter(move |p| p.affects(direction) && p.selects(pod))
    }

    /// The ports on which `from` may open connections to `to`: what the sender's egress allows
    /// towards `to`, intersected with what the receiver's ingress allows from `from`.
    pub fn allowed(&self, from: &Endpoint, to: &Endpoint) -> PortSet {
        let egress: Vec<&Policy> = self.isolating(from, Direction::Egress).collect();
        let ingress: Vec<&Policy> = self.isolating(to, Direction::Ingress).collect();
        allowed_between(from, &egress, to, &ingress)
    }
}

/// [`Cluster::allowed`] with the policies isolating each end already found (the graph asks
/// about every pair, so it looks them up once per end).
pub fn allowed_between(from: &Endpoint, egress: &[&Policy], to: &Endpoint, ingress: &[&Policy]) -> PortSet {
    let allowed = side(egress, to, to, Direction::Egress);
    if allowed.is_empty() {
        return allowed;
    }
    allowed.intersect(&side(ingress, from, to, Direction::Ingress))
}

/// One side's verdict: the rules for `direction` of the policies isolating that end, about
/// `peer`; ports are resolved against the receiver. No isolating policy allows everything.
fn side(policies: &[&Policy], peer: &Endpoint, receiver: &Endpoint, direction: Direction) -> PortSet {
    if policies.is_empty() {
        return PortSet::all();
    }
    let known: Option<&[NamedPort]> = match receiver {
        Endpoint::Pod { ports, .. } => ports.as_deref(),
        Endpoint::Addresses(_) => None,
    };
    let mut allowed = PortSet::none();
    for policy in policies {
        let rules: Vec<(Option<&[NetworkPolicyPeer]>, Option<&[_]>)> = match direction {
            Direction::Ingress => policy
                .spec
                .ingress
                .iter()
                .flatten()
                .map(|r| (r.from.as_deref(), r.ports.as_deref()))
                .collect(),
            Direction::Egress => policy
                .spec
                .egress
                .iter()
                .flatten()
                .map(|r| (r.to.as_deref(), r.ports.as_deref()))
                .collect(),
        };
        for (peers, rule_ports) in rules {
            if peers_match(peers, &policy.namespace, peer) {
                allowed.union(&ports::of_rule(rule_ports, known));
            }
        }
    }
    allowed
}

/// A rule's peer list: absent or empty matches everything, else any one peer must.
pub fn peers_match(peers: Option<&[NetworkPolicyPeer]>, policy_namespace: &str, endpoint: &Endpoint) -> bool {
    match peers {
        None | Some([]) => true,
        Some(peers) => peers.iter().any(|p| peer_matches(p, policy_namespace, endpoint)),
    }
}

/// One peer: its selectors ANDed, or its `ipBlock`.
pub fn peer_matches(peer: &NetworkPolicyPeer, policy_namespace: &str, endpoint: &Endpoint) -> bool {
    match endpoint {
        Endpoint::Pod {
            namespace,
            namespace_labels,
            labels,
            ..
        } => {
            if peer.ip_block.is_some() {
                return false;
            }
            match (&peer.namespace_selector, &peer.pod_selector) {
                (None, None) => false,
                (None, Some(pods)) => namespace == policy_namespace && selector::matches(pods, labels),
                (Some(namespaces), pods) => {
                    selector::matches(namespaces, namespace_labels)
                        && pods.as_ref().is_none_or(|s| selector::matches(s, labels))
                }
            }
        }
        Endpoint::Addresses(addresses) => peer
            .ip_block
            .as_ref()
            .and_then(super::ip::IpSet::of_block)
            .is_some_and(|block| addresses.is_subset(&block)),
    }
}
