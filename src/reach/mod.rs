//! Who can talk to whom: the NetworkPolicies a render (or any directory of manifests) holds,
//! evaluated with Kubernetes semantics over the pods its workloads create.
//!
//! - [`input`]: typed objects (or YAML files) in, a [`Cluster`] out: namespaces with their
//!   labels, workloads (namespace, pod labels, named container ports) and policies.
//! - [`evaluate`]: the semantics: isolation per direction, peers, ports.
//! - [`graph`]: every workload plus the external peers the policies name, and the allowed
//!   edges between them with their ports; [`format`] draws it (matrix, mermaid, dot, svg, json).
//! - [`changes`]: the edges a change adds and removes, for `gen diff` and `gen check`.
//! - [`intent`]: the edges a profile asks for, to compare with what its policies allow.
//!
//! What gen cannot know is assumed plainly: namespaces it does not render carry only their
//! implicit `kubernetes.io/metadata.name` label, and pods there are not isolated unless a policy
//! it reads selects them; pod IPs are unknown, so an `ipBlock` names addresses outside the
//! cluster only.

pub mod changes;
pub mod evaluate;
pub mod format;
pub mod graph;
pub mod index;
pub mod input;
pub mod intent;
pub mod ip;
pub mod ports;
pub mod selector;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::NetworkPolicySpec;

use crate::model::Labels;
pub use graph::Graph;
pub use ports::{NamedPort, PortSet, Protocol};

/// The label every namespace carries with its own name (Kubernetes 1.21+).
pub const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Everything the evaluator reads. Policies are borrowed from the typed objects gen rendered
/// (a copy of every policy's spec was as large as the policies themselves) and owned when read
/// from YAML.
#[derive(Debug, Clone, Default)]
pub struct Cluster<'a> {
    /// Namespaces the input holds, with their labels (the implicit name label added).
    pub namespaces: BTreeMap<String, Labels>,
    pub workloads: Vec<Workload>,
    pub policies: Vec<Policy<'a>>,
}

/// What the evaluator needs of a Deployment, CronJob, Job, StatefulSet...: where its pods run,
/// their labels and the ports their containers name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub labels: Labels,
    pub ports: Vec<NamedPort>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy<'a> {
    pub namespace: String,
    pub name: String,
    pub spec: Cow<'a, NetworkPolicySpec>,
}

/// One end of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A pod. `ports` are its containers' ports; `None` for pods gen does not render, whose
    /// named ports cannot be resolved.
    Pod {
        namespace: String,
        namespace_labels: Labels,
        labels: Labels,
        ports: Option<Vec<NamedPort>>,
    },
    /// Addresses outside the cluster.
    Addresses(ip::IpSet),
}

impl Cluster<'_> {
    /// A namespace's labels: those of its Namespace object if the input has one, else only
    /// the implicit name label.
    pub fn namespace_labels(&self, namespace: &str) -> Labels {
        let mut labels = self.namespaces.get(namespace).cloned().unwrap_or_default();
        labels.insert(NAME_LABEL.to_owned(), namespace.to_owned());
        labels
    }

    /// A workload's pods as a connection end.
    pub fn workload_endpoint(&self, workload: &Workload) -> Endpoint {
        Endpoint::Pod {
            namespace: workload.namespace.clone(),
            namespace_labels: self.namespace_labels(&workload.namespace),
            labels: workload.labels.clone(),
            ports: Some(workload.ports.clone()),
        }
    }
}
