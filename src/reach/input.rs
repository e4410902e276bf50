//! A [`Cluster`] from what gen rendered (typed objects) or from the YAML files of a directory,
//! which may hold objects gen did not write.
//!
//! A workload is anything with a pod template: for gen's own objects that is what
//! [`Typed::pod_template`] says; in YAML files every kind with a pod template is found by its shape
//! (`spec.template`, or a CronJob's `spec.jobTemplate.spec.template`).

use std::borrow::Cow;

use k8s_openapi::api::core::v1::{Namespace, PodTemplateSpec};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicySpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde_json::Value;

use super::ports::{NamedPort, Protocol};
use super::{Cluster, NAME_LABEL, Policy, Workload};
use crate::check::{Object, Typed};

impl<'a> Cluster<'a> {
    /// The cluster gen's own objects describe.
    pub fn from_objects(objects: &'a [Object]) -> Cluster<'a> {
        Cluster::from_split(objects, &[])
    }

    /// The same for objects held in two parts: the policies of `borrowed` are borrowed, those
    /// of `copied` (none, in apply order, where every NetworkPolicy comes before the other
    /// kinds) are copied, so that `copied` can be freed while the cluster is still read.
    pub fn from_split(borrowed: &'a [Object], copied: &[Object]) -> Cluster<'a> {
        let mut cluster = Cluster::default();
        for object in borrowed {
            if let Some((metadata, spec)) = cluster.add_unless_policy(object) {
                cluster.add_policy(metadata, Cow::Borrowed(spec));
            }
        }
        for object in copied {
            if let Some((metadata, spec)) = cluster.add_unless_policy(object) {
                cluster.add_policy(metadata, Cow::Owned(spec.clone()));
            }
        }
        cluster.sort();
        cluster
    }

    /// Adds a namespace or a workload; a policy is returned, for the caller to borrow or copy.
    fn add_unless_policy<'o>(&mut self, object: &'o Object) -> Option<(&'o ObjectMeta, &'o NetworkPolicySpec)> {
        match &object.typed {
            Typed::Namespace(namespace) => self.add_namespace(namespace),
            Typed::NetworkPolicy(policy) => return policy.spec.as_ref().map(|spec| (&policy.metadata, spec)),
            typed => {
                if let Some((template, _)) = typed.pod_template() {
                    self.add_workload(&object.kind, typed.metadata(), template);
                }
            }
        }
        None
    }

    /// The cluster a set of YAML texts describe (multi-document streams allowed). Documents
    /// that are not YAML, not objects, or not of a kind the evaluator reads are skipped.
    pub fn from_yaml<'t>(texts: impl IntoIterator<Item = &'t str>) -> Cluster<'a> {
        let mut cluster = Cluster::default();
        for text in texts {
            for document in serde_yaml::Deserializer::from_str(text) {
                let Ok(value) = Value::deserialize(document) else { break };
                cluster.add_value(&value);
            }
        }
        cluster.sort();
        cluster
    }

    fn add_value(&mut self, value: &Value) {
        let kind = value["kind"].as_str().unwrap_or_default();
        let api_version = value["apiVersion"].as_str().unwrap_or_default();
        match (api_version, kind) {
            ("v1", "Namespace") => {
                if let Ok(namespace) = Namespace::deserialize(value) {
                    self.add_namespace(&namespace);
                }
            }
            ("networking.k8s.io/v1", "NetworkPolicy") => {
                if let Ok(NetworkPolicy {
                    metadata,
                    spec: Some(spec),
                }) = NetworkPolicy::deserialize(value)
                {
                    self.add_policy(&metadata, Cow::Owned(spec));
                }
            }
            ("v1", "List") => {
                for item in value["items"].as_array().into_iter().flatten() {
                    self.add_value(item);
                }
            }
            _ => {
                let spec = &value["spec"];
                let template = if spec["jobTemplate"].is_object() {
                    &spec["jobTemplate"]["spec"]["template"]
                } else {
                    &spec["template"]
                };
                // A Pod itself is a workload of one pod.
                let template = if kind == "Pod" && api_version == "v1" {
                    &serde_json::json!({"metadata": value["metadata"], "spec": value["spec"]})
                } else {
                    template
                };
                if !template["spec"]["containers"].is_array() {
                    return;
                }
                let (Ok(metadata), Ok(template)) = (
                    ObjectMeta::deserialize(&value["metadata"]),
                    PodTemplateSpec::deserialize(template),
                ) else {
                    return;
                };
                self.add_workload(kind, &metadata, &template);
            }
        }
    }

    fn add_namespace(&mut self, namespace: &Namespace) {
        let Some(name) = &namespace.metadata.name else { return };
        let mut labels = namespace.metadata.labels.clone().unwrap_or_default();
        labels.insert(NAME_LABEL.to_owned(), name.clone());
        self.namespaces.insert(name.clone(), labels);
    }

    fn add_policy(&mut self, metadata: &ObjectMeta, spec: Cow<'a, NetworkPolicySpec>) {
        let Some(name) = &metadata.name else { return };
        self.policies.push(Policy {
            namespace: namespace_of(metadata),
            name: name.clone(),
            spec,
        });
    }

    fn add_workload(&mut self, kind: &str, metadata: &ObjectMeta, template: &PodTemplateSpec) {
        let Some(name) = &metadata.name else { return };
        let labels = template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        let mut ports = Vec::new();
        if let Some(spec) = &template.spec {
            // Sidecars (init containers that keep running) serve ports too.
            let containers = spec.containers.iter().chain(spec.init_containers.iter().flatten());
            for port in containers.flat_map(|c| c.ports.iter().flatten()) {
                if let Some(protocol) = Protocol::parse(port.protocol.as_deref()) {
                    ports.push(NamedPort {
                        name: port.name.clone(),
                        number: port.container_port,
                        protocol,
                    });
                }
            }
        }
        self.workloads.push(Workload {
            kind: kind.to_owned(),
            namespace: namespace_of(metadata),
            name: name.clone(),
            labels,
            ports,
        });
    }

    /// The same cluster, holding its own copy of every policy (to outlive the objects).
    pub fn into_owned(self) -> Cluster<'static> {
        Cluster {
            namespaces: self.namespaces,
            workloads: self.workloads,
            policies: self
                .policies
                .into_iter()
                .map(|p| Policy {
                    namespace: p.namespace,
                    name: p.name,
                    spec: Cow::Owned(p.spec.into_owned()),
                })
                .collect(),
        }
    }

    /// Deterministic order whatever the input order: namespace, then name.
    fn sort(&mut self) {
        self.workloads
            .sort_by(|a, b| (&a.namespace, &a.name, &a.kind).cmp(&(&b.namespace, &b.name, &b.kind)));
        self.workloads
            .dedup_by(|a, b| (&a.namespace, &a.name, &a.kind) == (&b.namespace, &b.name, &b.kind));
        self.policies
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    }
}

/// An object without a namespace lands in `default`, as `kubectl apply` would put it.
fn namespace_of(metadata: &ObjectMeta) -> String {
    metadata.namespace.clone().unwrap_or_else(|| "default".to_owned())
}
