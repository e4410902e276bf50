//! Who may talk to whom: dependencies outside the profile, namespaces allowed in, services
//! of the profile calling each other, and dependencies that share gen's namespace.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::Resolver;
use super::names::{DNS_LABEL_HINT, dns_label};
use super::suggestion;
use crate::model::{Dependency, IngressPeer, Labels, LocalDependency, Metrics, Port, Service, ServicePeer};
use crate::profile::{RawDependency, RawProfile, RawServiceSettings};

impl Resolver<'_> {
    pub(super) fn dependencies(&mut self, namespace: &str, raw: &[RawDependency]) -> Vec<Arc<Dependency>> {
        let mut seen = BTreeSet::new();
        raw.iter()
            .enumerate()
            .map(|(index, dependency)| {
                let path = format!("network.egress[{index}]");
                if let Err(problem) = dns_label(&dependency.name) {
                    self.error(
                        "invalid-name",
                        &format!("{path}.name"),
                        format!("dependency name `{}` {problem}", dependency.name),
                        DNS_LABEL_HINT,
                    );
                }
                if !seen.insert(dependency.name.as_str()) {
                    self.error(
                        "duplicate-name",
                        &format!("{path}.name"),
                        format!("dependency `{}` is declared twice", dependency.name),
                        "give each dependency a unique name",
                    );
                }
                if let Err(problem) = dns_label(&dependency.namespace) {
                    self.error(
                        "invalid-name",
                        &format!("{path}.namespace"),
                        format!("namespace `{}` {problem}", dependency.namespace),
                        DNS_LABEL_HINT,
                    );
                }
                self.port(&format!("{path}.port"), dependency.port);
                let pod_labels = dependency.pod_labels.clone().unwrap_or_else(|| {
                    BTreeMap::from([("app.kubernetes.io/name".to_owned(), dependency.name.clone())])
                });
                self.labels(&format!("{path}.podLabels"), &pod_labels);
                let from_namespaces = dependency.from_namespaces.clone().unwrap_or_default();
                if !from_namespaces.is_empty() && dependency.namespace != namespace {
                    self.error(
                        "invalid-dependency",
                        &format!("{path}.fromNamespaces"),
                        format!(
                            "`{}` runs in `{}`, whose network policies gen does not render",
                            dependency.name, dependency.namespace
                        ),
                        "`fromNamespaces` admits callers to a dependency of the profile's own namespace; let the dependency's own namespace admit them",
                    );
                }
                for (i, caller) in from_namespaces.iter().enumerate() {
                    if let Err(problem) = dns_label(caller) {
                        self.error(
                            "invalid-name",
                            &format!("{path}.fromNamespaces[{i}]"),
                            format!("namespace `{caller}` {problem}"),
                            DNS_LABEL_HINT,
                        );
                    }
                }
                Arc::new(Dependency {
                    name: dependency.name.clone(),
                    namespace: dependency.namespace.clone(),
                    port: dependency.port,
                    pod_labels,
                    from_namespaces,
                })
            })
            .collect()
    }

    pub(super) fn ingress_peers(&mut self, raw: &RawProfile) -> Vec<IngressPeer> {
        raw.network
            .ingress_from
            .iter()
            .enumerate()
            .map(|(index, peer)| {
                let path = format!("network.ingressFrom[{index}]");
                if let Err(problem) = dns_label(&peer.namespace) {
                    self.error(
                        "invalid-name",
                        &format!("{path}.namespace"),
                        format!("namespace `{}` {problem}", peer.namespace),
                        DNS_LABEL_HINT,
                    );
                }
                if peer.ports.is_empty() {
                    self.error(
                        "invalid-value",
                        &format!("{path}.ports"),
                        "a peer without ports can reach nothing",
                        "list the named ports it may call, e.g. `[http]`",
                    );
                }
                IngressPeer {
                    namespace: peer.namespace.clone(),
                    ports: peer.ports.clone(),
                }
            })
            .collect()
    }

    /// A peer allowed in on a named port that no service exposes is a mistake, not a no-op.
    pub(super) fn peer_ports_exposed(&mut self, raw: &RawProfile, services: &[Service]) {
        for (index, peer) in raw.network.ingress_from.iter().enumerate() {
            for (port_index, port) in peer.ports.iter().enumerate() {
                let exposed = services
                    .iter()
                    .any(|s| s.ports.iter().any(|p| &p.name == port) || (port == "metrics" && s.metrics.is_some()));
                if exposed || services.is_empty() {
                    continue;
                }
                let path = format!("network.ingressFrom[{index}].ports[{port_index}]");
                if port == "metrics" {
                    self.error(
                        "unknown-port",
                        &path,
                        "no service exposes a `metrics` port",
                        "set `ports.metrics` in `serviceDefaults` (or in the services that serve metrics), or remove the port here",
                    );
                } else {
                    let names: BTreeSet<&str> = services
                        .iter()
                        .flat_map(|s| s.ports.iter().map(|p| p.name.as_str()))
                        .collect();
                    self.error(
                        "unknown-port",
                        &path,
                        format!("no service has a port named `{port}`"),
                        suggestion(
                            port,
                            names.iter().copied(),
                            "use a port name the services declare, such as `http`",
                        ),
                    );
                }
            }
        }
    }

    pub(super) fn service_egress(
        &mut self,
        path: &str,
        settings: &RawServiceSettings,
        dependencies: &[Arc<Dependency>],
    ) -> Vec<Arc<Dependency>> {
        let Some(names) = &settings.depends_on else {
            return dependencies.to_vec();
        };
        names
            .iter()
            .enumerate()
            .filter_map(|(index, name)| {
                let found = dependencies.iter().find(|d| &d.name == name);
                if found.is_none() {
                    let hint = suggestion(
                        name,
                        dependencies.iter().map(|d| d.name.as_str()),
                        "declare it under `network.egress` first",
                    );
                    self.error(
                        "unknown-dependency",
                        &format!("{path}.dependsOn[{index}]"),
                        format!("`{name}` is not a declared dependency"),
                        hint,
                    );
                }
                found.cloned()
            })
            .collect()
    }

    /// `allowFrom` on a service opens its ports to the named callers, and the callers' egress
    /// to it: one declaration, both policies.
    pub(super) fn service_peers(&mut self, raw: &RawProfile, services: &mut [Service]) {
        let position: BTreeMap<&str, usize> = services.iter().enumerate().map(|(i, s)| (s.name.as_str(), i)).collect();
        let mut links = Vec::new();
        for (name, service) in &raw.services {
            let Some(&callee) = position.get(name.as_str()) else {
                continue;
            };
            for (index, peer) in service.allow_from.iter().flatten().enumerate() {
                let at = format!("services.{name}.allowFrom[{index}]");
                let Some(&caller) = position.get(peer.service.as_str()) else {
                    self.error(
                        "unknown-service",
                        &format!("{at}.service"),
                        format!("`{}` is not a service of this profile", peer.service),
                        suggestion(
                            &peer.service,
                            position.keys().copied(),
                            "name a service under `services`",
                        ),
                    );
                    continue;
                };
                let wanted = peer.ports.clone().unwrap_or_else(|| vec!["http".to_owned()]);
                if wanted.is_empty() {
                    self.error(
                        "invalid-value",
                        &format!("{at}.ports"),
                        "a caller without ports can reach nothing (and an empty list would open every port)",
                        "list the named ports it may call, e.g. `[http]`, or leave `ports` out for `[http]`",
                    );
                    continue;
                }
                let mut ports = Vec::new();
                for (port_index, port) in wanted.iter().enumerate() {
                    let target = &services[callee];
                    let name = translate_port(port, target.metrics.as_ref());
                    match target.ports.iter().find(|p| p.name == name) {
                        Some(found) if !ports.iter().any(|p: &Port| p.name == found.name) => ports.push(found.clone()),
                        Some(_) => {}
                        None => {
                            let names = target.ports.iter().map(|p| p.name.as_str());
                            self.error(
                                "unknown-port",
                                &format!("{at}.ports[{port_index}]"),
                                format!("`{}` has no port named `{port}`", target.name),
                                suggestion(port, names, "name one of the service's ports, such as `http`"),
                            );
                        }
                    }
                }
                links.push((caller, callee, ports));
            }
        }
        for (caller, callee, ports) in links {
            let caller_peer = ServicePeer {
                service: services[caller].name.clone(),
                selector: services[caller].selector.clone(),
                ports: ports.clone(),
            };
            let callee_peer = ServicePeer {
                service: services[callee].name.clone(),
                selector: services[callee].selector.clone(),
                ports,
            };
            services[callee].callers.push(caller_peer);
            services[caller].callees.push(callee_peer);
        }
    }
}

impl Resolver<'_> {
    /// A dependency in the profile's own namespace gets a policy selecting its pods by
    /// `podLabels`: labels that also select gen's own pods would open them to each other.
    pub(super) fn local_dependency_selectors(
        &mut self,
        namespace: &str,
        dependencies: &[Arc<Dependency>],
        services: &[Service],
    ) {
        for (index, dependency) in dependencies.iter().enumerate() {
            if dependency.namespace != namespace {
                continue;
            }
            let path = format!("network.egress[{index}].podLabels");
            let selected: Vec<&str> = services
                .iter()
                .filter(|s| dependency.pod_labels.iter().all(|(k, v)| s.labels.get(k) == Some(v)))
                .map(|s| s.name.as_str())
                .collect();
            if dependency.pod_labels.is_empty() || !selected.is_empty() {
                let whom = if dependency.pod_labels.is_empty() {
                    "every pod of the namespace".to_owned()
                } else {
                    format!("the pods of {}", selected.join(", "))
                };
                self.error(
                    "invalid-value",
                    &path,
                    format!("the pod labels of dependency `{}` select {whom}", dependency.name),
                    "give the labels that select only the dependency's own pods (e.g. `app.kubernetes.io/instance: <its release>`); a service of this profile is reached with `allowFrom`",
                );
            }
        }
    }
}

/// A port name as one service sees it: `metrics` is the HTTP port where metrics share it.
fn translate_port<'p>(port: &'p str, metrics: Option<&'p Metrics>) -> &'p str {
    match metrics {
        Some(metrics) if port == "metrics" => metrics.port_name.as_str(),
        _ => port,
    }
}

/// The ingress peers as one service sees them: only the named ports it exposes. A worker has
/// no Service, so nothing routes to its `http` port (the kubelet's probes pass any policy):
/// peers reach it only on its other ports, such as metrics for scraping.
pub(super) fn peers_for(
    peers: &[IngressPeer],
    ports: &[Port],
    metrics: Option<&Metrics>,
    serves_http: bool,
) -> Vec<IngressPeer> {
    peers
        .iter()
        .map(|peer| {
            let mut names: Vec<String> = Vec::new();
            for port in peer.ports.iter().filter(|p| serves_http || p.as_str() != "http") {
                let name = translate_port(port, metrics);
                if ports.iter().any(|own| own.name == name) && !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            }
            IngressPeer {
                namespace: peer.namespace.clone(),
                ports: names,
            }
        })
        .filter(|peer| !peer.ports.is_empty())
        .collect()
}

/// Dependencies living in the profile's own namespace. gen's default deny selects every pod
/// there, theirs too, so each gets a policy that lets its callers in and its own pods talk
/// among themselves (replication, clustering) without opening anything else.
pub(super) fn local_dependencies(
    namespace: &str,
    dependencies: &[Arc<Dependency>],
    services: &[Service],
) -> Vec<LocalDependency> {
    dependencies
        .iter()
        .filter(|d| d.namespace == namespace)
        .map(|dependency| LocalDependency {
            name: dependency.name.clone(),
            pod_labels: dependency.pod_labels.clone(),
            port: dependency.port,
            callers: services
                .iter()
                .filter(|s| s.egress.iter().any(|e| e.name == dependency.name))
                .map(|s| s.selector.clone())
                .collect::<Vec<Labels>>(),
            caller_namespaces: dependency.from_namespaces.clone(),
        })
        .collect()
}
