//! Rules that need several objects at once: does each selector find its pods, does each
//! reference find its target, can a disruption budget ever allow an eviction.
//!
//! Objects are indexed first (pods by label, workloads and Services by name, autoscalers by
//! target), so every rule costs a lookup per object: a profile with thousands of services
//! stays linear.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Findings;
use crate::check::{Object, Typed};

type Labels = BTreeMap<String, String>;

/// A workload's pods (Deployment, CronJob or Job), as the other objects see them.
struct Workload<'a> {
    object: &'a Object,
    labels: Option<&'a Labels>,
    /// `None` for jobs, which have no replica count.
    replicas: Option<i32>,
    is_deployment: bool,
}

/// Something that sets a workload's replica count: an HPA, or a KEDA ScaledObject (which runs
/// an HPA of its own).
struct Autoscaler<'a> {
    object: &'a Object,
    /// The replicas it never goes below.
    min: i32,
    /// The resources (`cpu`, `memory`) whose use it scales on.
    resources: Vec<&'a str>,
}

impl<'a> Autoscaler<'a> {
    fn of(object: &'a Object) -> Option<((&'a str, &'a str), Self)> {
        match &object.typed {
            Typed::HorizontalPodAutoscaler(hpa) => {
                let spec = hpa.spec.as_ref()?;
                let resources = spec
                    .metrics
                    .iter()
                    .flatten()
                    .filter_map(|m| m.resource.as_ref().map(|r| r.name.as_str()))
                    .collect();
                let target = &spec.scale_target_ref;
                Some((
                    (target.kind.as_str(), target.name.as_str()),
                    Autoscaler {
                        object,
                        min: spec.min_replicas.unwrap_or(1),
                        resources,
                    },
                ))
            }
            Typed::ScaledObject(scaled) => {
                let spec = &scaled.spec;
                let resources = spec
                    .triggers
                    .iter()
                    .map(|t| t.type_.as_str())
                    .filter(|t| matches!(*t, "cpu" | "memory"))
                    .collect();
                let target = &spec.scale_target_ref;
                Some((
                    (target.kind.as_deref().unwrap_or("Deployment"), target.name.as_str()),
                    Autoscaler {
                        object,
                        // KEDA's default floor is zero pods.
                        min: spec.min_replica_count.unwrap_or(0),
                        resources,
                    },
                ))
            }
            _ => None,
        }
    }
}

/// Lookups over all rendered objects, keyed by namespace.
struct Index<'a> {
    workloads: Vec<Workload<'a>>,
    workload_by_name: HashMap<(Option<&'a str>, &'a str), usize>,
    workloads_by_label: HashMap<(Option<&'a str>, &'a str, &'a str), Vec<usize>>,
    workloads_by_namespace: HashMap<Option<&'a str>, Vec<usize>>,
    /// Every autoscaler of a workload, by the target's namespace and name; more than one is
    /// the `autoscalers-conflict` finding.
    autoscalers_by_target: HashMap<(Option<&'a str>, &'a str), Vec<Autoscaler<'a>>>,
    service_by_name: HashMap<(Option<&'a str>, &'a str), &'a Service>,
    /// Service accounts a RoleBinding grants permissions to.
    bound_accounts: HashSet<(Option<&'a str>, &'a str)>,
}

impl<'a> Index<'a> {
    fn new(objects: &[&'a Object]) -> Self {
        let mut index = Index {
            workloads: Vec::new(),
            workload_by_name: HashMap::new(),
            workloads_by_label: HashMap::new(),
            workloads_by_namespace: HashMap::new(),
            autoscalers_by_target: HashMap::new(),
            service_by_name: HashMap::new(),
            bound_accounts: HashSet::new(),
        };
        for object in objects {
            let namespace = object.namespace.as_deref();
            match &object.typed {
                Typed::Deployment(_) | Typed::CronJob(_) | Typed::Job(_) => {
                    let Some(labels) = pod_labels(&object.typed) else {
                        continue;
                    };
                    let replicas = match &object.typed {
                        Typed::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas),
                        _ => None,
                    };
                    let position = index.workloads.len();
                    index
                        .workload_by_name
                        .insert((namespace, object.name.as_str()), position);
                    index
                        .workloads_by_namespace
                        .entry(namespace)
                        .or_default()
                        .push(position);
                    for (key, value) in labels.into_iter().flatten() {
                        index
                            .workloads_by_label
                            .entry((namespace, key, value))
                            .or_default()
                            .push(position);
                    }
                    index.workloads.push(Workload {
                        object,
                        labels,
                        replicas,
                        is_deployment: matches!(object.typed, Typed::Deployment(_)),
                    });
                }
                Typed::RoleBinding(binding) => {
                    for subject in binding.subjects.iter().flatten().filter(|s| s.kind == "ServiceAccount") {
                        let subject_namespace = subject.namespace.as_deref().or(namespace);
                        index.bound_accounts.insert((subject_namespace, subject.name.as_str()));
                    }
                }
                Typed::HorizontalPodAutoscaler(_) | Typed::ScaledObject(_) => {
                    if let Some(((_, name), autoscaler)) = Autoscaler::of(object) {
                        index
                            .autoscalers_by_target
                            .entry((namespace, name))
                            .or_default()
                            .push(autoscaler);
                    }
                }
                Typed::Service(service) => {
                    index.service_by_name.insert((namespace, object.name.as_str()), service);
                }
                _ => {}
            }
        }
        index
    }

    /// Workloads of `namespace` whose pod labels include all of `selector`; every workload of
    /// the namespace for an empty selector.
    fn selected(&self, namespace: Option<&str>, selector: &Labels) -> Vec<&Workload<'a>> {
        let candidates = selector
            .iter()
            .map(|(k, v)| {
                self.workloads_by_label
                    .get(&(namespace, k.as_str(), v.as_str()))
                    .map_or(&[][..], Vec::as_slice)
            })
            .min_by_key(|c| c.len());
        let candidates = match candidates {
            Some(c) => c,
            None => self
                .workloads_by_namespace
                .get(&namespace)
                .map_or(&[][..], Vec::as_slice),
        };
        candidates
            .iter()
            .map(|&i| &self.workloads[i])
            .filter(|w| selector.iter().all(|(k, v)| w.labels.and_then(|l| l.get(k)) == Some(v)))
            .collect()
    }

    /// The replicas Kubernetes guarantees a workload: its autoscaler's floor, else spec.replicas.
    fn floor(&self, workload: &Workload) -> i32 {
        let key = (workload.object.namespace.as_deref(), workload.object.name.as_str());
        let autoscaler_min = self
            .autoscalers_by_target
            .get(&key)
            .and_then(|all| all.iter().map(|a| a.min).max());
        autoscaler_min.or(workload.replicas).unwrap_or(1)
    }
}

/// The labels of a workload's pod template; `Some(None)` for a template without labels.
fn pod_labels(typed: &Typed) -> Option<Option<&Labels>> {
    let (template, _) = typed.pod_template()?;
    Some(template.metadata.as_ref().and_then(|m| m.labels.as_ref()))
}

fn match_labels(selector: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>) -> Labels {
    selector.and_then(|s| s.match_labels.clone()).unwrap_or_default()
}

pub fn check(objects: &[&Object], findings: &mut Findings) {
    let index = Index::new(objects);
    for workload in &index.workloads {
        if workload.is_deployment {
            replica_count(&index, workload, findings);
        }
        token_needed(&index, workload, findings);
    }
    for object in objects {
        let namespace = object.namespace.as_deref();
        match &object.typed {
            Typed::HorizontalPodAutoscaler(_) | Typed::ScaledObject(_) => {
                let target = Autoscaler::of(object).map(|(target, _)| target);
                autoscaler_target(object, target, "spec.scaleTargetRef", &index, findings);
            }
            Typed::VerticalPodAutoscaler(vpa) => {
                let target = &vpa.spec.target_ref;
                autoscaler_target(
                    object,
                    Some((target.kind.as_str(), target.name.as_str())),
                    "spec.targetRef",
                    &index,
                    findings,
                );
                vertical_conflict(object, vpa, &index, findings);
            }
            Typed::PodDisruptionBudget(pdb) => disruption_budget(object, pdb, &index, findings),
            Typed::Service(service) => {
                let selector = service.spec.as_ref().and_then(|s| s.selector.clone());
                if selector
                    .as_ref()
                    .is_none_or(|s| s.is_empty() || index.selected(namespace, s).is_empty())
                {
                    findings.on_object(
                        "service-selects-nothing",
                        object,
                        "spec.selector",
                        "the selector matches no pod template".into(),
                        "match the Deployment's pod labels",
                    );
                }
            }
            Typed::Ingress(ingress) => ingress_backends(object, ingress, &index, findings),
            Typed::HttpRoute(route) => route_backends(object, route, &index, findings),
            Typed::NetworkPolicy(policy) => {
                // An empty selector selects every pod of the namespace, present or future.
                let selector = match_labels(policy.spec.as_ref().and_then(|s| s.pod_selector.as_ref()));
                // A dependency's policy selects pods another chart installs.
                let foreign = object.template == "networkpolicy-dependency.yaml";
                if !foreign && !selector.is_empty() && index.selected(namespace, &selector).is_empty() {
                    findings.on_object(
                        "network-policy-selects-nothing",
                        object,
                        "spec.podSelector",
                        "the policy selects no pods".into(),
                        "match the pod labels of a Deployment",
                    );
                }
            }
            _ => {}
        }
    }
    network_policy_coverage(objects, &index, findings);
    autoscalers_conflict(&index, findings);
}

/// An autoscaler must target a Deployment gen renders in its namespace.
fn autoscaler_target(
    object: &Object,
    target: Option<(&str, &str)>,
    field: &str,
    index: &Index,
    findings: &mut Findings,
) {
    let namespace = object.namespace.as_deref();
    let found = target.is_some_and(|(kind, name)| {
        kind == "Deployment"
            && index
                .workload_by_name
                .get(&(namespace, name))
                .is_some_and(|&i| index.workloads[i].is_deployment)
    });
    if !found {
        let name = target.map_or("", |(_, name)| name);
        findings.on_object(
            "hpa-target-missing",
            object,
            field,
            format!("no Deployment `{name}` is rendered"),
            "target a Deployment of the same namespace",
        );
    }
}

/// Two autoscalers on one workload each set its replica count to what they compute, over and
/// over: the count flaps between their answers.
fn autoscalers_conflict(index: &Index, findings: &mut Findings) {
    let mut targets: Vec<_> = index
        .autoscalers_by_target
        .iter()
        .filter(|(_, all)| all.len() > 1)
        .collect();
    targets.sort_by_key(|((namespace, name), _)| (*namespace, *name));
    for ((_, name), autoscalers) in targets {
        let names: Vec<String> = autoscalers
            .iter()
            .map(|a| format!("{}/{}", a.object.kind, a.object.name))
            .collect();
        for autoscaler in autoscalers {
            findings.on_object(
                "autoscalers-conflict",
                autoscaler.object,
                "spec",
                format!("{} all set the replica count of `{name}`", names.join(" and ")),
                "keep one autoscaler per workload: with KEDA triggers gen renders no HPA; remove the other from `resources:` or `patches:`",
            );
        }
    }
}

/// A VPA that changes running pods' requests for a resource an autoscaler scales on moves the
/// very utilisation the autoscaler measures: each undoes the other.
fn vertical_conflict(
    object: &Object,
    vpa: &crate::check::VerticalPodAutoscaler,
    index: &Index,
    findings: &mut Findings,
) {
    let changes = vpa
        .spec
        .update_policy
        .as_ref()
        .and_then(|p| p.update_mode)
        // The VPA's default mode is Auto.
        .is_none_or(|mode| mode.changes_running_pods());
    if !changes {
        return;
    }
    let target = (object.namespace.as_deref(), vpa.spec.target_ref.name.as_str());
    let Some(autoscalers) = index.autoscalers_by_target.get(&target) else {
        return;
    };
    let every = || vec!["cpu", "memory"];
    // A VPA without container policies controls every container's cpu and memory; a policy
    // without `controlledResources` controls both; a policy in mode Off controls nothing.
    let controlled: Vec<&str> = match &vpa.spec.resource_policy {
        None => every(),
        Some(policy) => policy
            .container_policies
            .iter()
            .filter(|p| p.mode != Some(crate::check::vertical_pod_autoscaler::ContainerScalingMode::Off))
            .flat_map(|p| match &p.controlled_resources {
                Some(resources) => resources.iter().map(|r| r.name()).collect(),
                None => every(),
            })
            .collect(),
    };
    for autoscaler in autoscalers {
        let shared: Vec<&str> = autoscaler
            .resources
            .iter()
            .copied()
            .filter(|r| controlled.contains(r))
            .collect();
        if let Some(resource) = shared.first() {
            findings.on_object(
                "autoscalers-conflict",
                object,
                "spec.updatePolicy.updateMode",
                format!(
                    "the VPA changes running pods' {resource} requests while {}/{} scales on {resource} use",
                    autoscaler.object.kind, autoscaler.object.name
                ),
                "use `mode: Off` or `Initial` (recommendations, or requests set at pod start), or let the VPA control only the resources the autoscaler does not scale on",
            );
        }
    }
}

/// A pod may mount its API token only when a RoleBinding gives its account permissions:
/// otherwise the token is only a credential to steal.
fn token_needed(index: &Index, workload: &Workload, findings: &mut Findings) {
    let Some((pod, base)) = workload.object.typed.pod_spec() else {
        return;
    };
    if pod.automount_service_account_token == Some(false) {
        return;
    }
    let account = pod.service_account_name.as_deref().unwrap_or("default");
    let namespace = workload.object.namespace.as_deref();
    if !index.bound_accounts.contains(&(namespace, account)) {
        findings.on_object(
            "automount-token",
            workload.object,
            &format!("{base}.automountServiceAccountToken"),
            format!("the pod mounts a token for `{account}`, which has no permissions"),
            "set automountServiceAccountToken: false, or declare `permissions` for the service",
        );
    }
}

fn replica_count(index: &Index, workload: &Workload, findings: &mut Findings) {
    let object = workload.object;
    let hpa = index
        .autoscalers_by_target
        .get(&(object.namespace.as_deref(), object.name.as_str()));
    match (hpa, workload.replicas) {
        (Some(_), Some(_)) => findings.on_object(
            "replicas-pinned-with-hpa",
            object,
            "spec.replicas",
            "spec.replicas fights the autoscaler".into(),
            "leave spec.replicas out",
        ),
        (None, replicas) if replicas.unwrap_or(1) < 2 => findings.on_object(
            "single-replica",
            object,
            "spec.replicas",
            format!("`{}` runs a single replica", object.name),
            "run at least 2 replicas in production",
        ),
        _ => {}
    }
}

fn disruption_budget(
    object: &Object,
    pdb: &k8s_openapi::api::policy::v1::PodDisruptionBudget,
    index: &Index,
    findings: &mut Findings,
) {
    let Some(spec) = &pdb.spec else { return };
    let selector = match_labels(spec.selector.as_ref());
    let floor: i32 = index
        .selected(object.namespace.as_deref(), &selector)
        .iter()
        .map(|w| index.floor(w))
        .sum();
    let blocks = match (&spec.min_available, &spec.max_unavailable) {
        (Some(IntOrString::Int(min)), _) => *min >= floor,
        (Some(IntOrString::String(percent)), _) => percent == "100%",
        (_, Some(IntOrString::Int(0))) => true,
        (_, Some(IntOrString::String(percent))) => percent == "0%",
        _ => false,
    };
    if blocks {
        let field = if spec.min_available.is_some() {
            "spec.minAvailable"
        } else {
            "spec.maxUnavailable"
        };
        findings.on_object(
            "pdb-blocks-drain",
            object,
            field,
            format!(
                "the budget never allows an eviction: its pods are guaranteed only {floor} {}",
                if floor == 1 { "replica" } else { "replicas" }
            ),
            &drain_hint(floor),
        );
    }
}

/// How to let a drain through: a lower minAvailable while two or more pods are guaranteed;
/// with one (or none), no minAvailable helps, only more replicas.
fn drain_hint(floor: i32) -> String {
    if floor >= 2 {
        format!("use minAvailable {} or less (or maxUnavailable 1)", floor - 1)
    } else {
        "with a single guaranteed replica every minAvailable blocks drains: run 2 or more replicas \
         (`replicas`, and `autoscaling.minReplicas` if set), or use maxUnavailable 1 and accept the downtime"
            .to_owned()
    }
}

fn ingress_backends(
    object: &Object,
    ingress: &k8s_openapi::api::networking::v1::Ingress,
    index: &Index,
    findings: &mut Findings,
) {
    let paths = ingress
        .spec
        .iter()
        .flat_map(|s| s.rules.iter().flatten())
        .flat_map(|r| r.http.iter())
        .flat_map(|h| &h.paths);
    for (position, path) in paths.enumerate() {
        let Some(backend) = &path.backend.service else { continue };
        let field = format!("spec.rules.http.paths[{position}].backend.service");
        let Some(service) = index
            .service_by_name
            .get(&(object.namespace.as_deref(), backend.name.as_str()))
        else {
            findings.on_object(
                "ingress-backend-missing",
                object,
                &field,
                format!(
                    "route `{}` goes to Service `{}`, which is not rendered",
                    path.path.as_deref().unwrap_or("/"),
                    backend.name
                ),
                "route to a rendered Service",
            );
            continue;
        };
        let ports: Vec<_> = service.spec.iter().flat_map(|s| s.ports.iter().flatten()).collect();
        let port_found = backend.port.as_ref().is_none_or(|p| {
            ports
                .iter()
                .any(|sp| p.name.as_deref().is_some_and(|n| sp.name.as_deref() == Some(n)) || p.number == Some(sp.port))
        });
        if !port_found {
            findings.on_object(
                "ingress-backend-missing",
                object,
                &format!("{field}.port"),
                format!("Service `{}` has no such port", backend.name),
                "route to one of the Service's ports",
            );
        }
    }
}

/// Every backend of an HTTPRoute must be a rendered Service of the route's namespace with the
/// port the route names (an HTTPRoute names the Service port by number).
fn route_backends(object: &Object, route: &crate::check::HttpRoute, index: &Index, findings: &mut Findings) {
    for (rule_index, rule) in route.spec.rules.iter().enumerate() {
        let path = rule
            .matches
            .iter()
            .find_map(|m| m.path.as_ref()?.value.as_deref())
            .unwrap_or("/");
        for (backend_index, backend) in rule.backend_refs.iter().enumerate() {
            let field = format!("spec.rules[{rule_index}].backendRefs[{backend_index}]");
            let core_service = backend.group.as_deref().is_none_or(str::is_empty)
                && backend.kind.as_deref().is_none_or(|k| k == "Service");
            let namespace = backend.namespace.as_deref().or(object.namespace.as_deref());
            let service = index.service_by_name.get(&(namespace, backend.name.as_str()));
            let Some(service) = service.filter(|_| core_service) else {
                findings.on_object(
                    "httproute-backend-missing",
                    object,
                    &field,
                    format!(
                        "route `{path}` goes to Service `{}`, which is not rendered",
                        backend.name
                    ),
                    "route to a rendered Service of the route's namespace",
                );
                continue;
            };
            let exposed = service
                .spec
                .iter()
                .flat_map(|s| s.ports.iter().flatten())
                .any(|p| Some(p.port) == backend.port);
            if !exposed {
                findings.on_object(
                    "httproute-backend-missing",
                    object,
                    &format!("{field}.port"),
                    match backend.port {
                        Some(port) => format!("Service `{}` has no port {port}", backend.name),
                        None => format!("the backend `{}` names no port", backend.name),
                    },
                    "route to one of the Service's port numbers",
                );
            }
        }
    }
}

/// Every workload must be selected by a policy of each direction.
fn network_policy_coverage(objects: &[&Object], index: &Index, findings: &mut Findings) {
    let mut covered = vec![[false; 2]; index.workloads.len()];
    for object in objects {
        let Typed::NetworkPolicy(policy) = &object.typed else {
            continue;
        };
        let Some(spec) = &policy.spec else { continue };
        let types = spec.policy_types.iter().flatten();
        let directions: Vec<usize> = types
            .filter_map(|t| match t.as_str() {
                "Ingress" => Some(0),
                "Egress" => Some(1),
                _ => None,
            })
            .collect();
        let selector = match_labels(spec.pod_selector.as_ref());
        for workload in index.selected(object.namespace.as_deref(), &selector) {
            let position =
                index.workload_by_name[&(workload.object.namespace.as_deref(), workload.object.name.as_str())];
            for &direction in &directions {
                covered[position][direction] = true;
            }
        }
    }
    for (workload, covered) in index.workloads.iter().zip(covered) {
        for (direction, name) in ["ingress", "egress"].iter().enumerate() {
            if !covered[direction] {
                findings.on_object(
                    "pod-without-network-policy",
                    workload.object,
                    "spec.template.metadata.labels",
                    format!("no NetworkPolicy covers {name} of `{}`'s pods", workload.object.name),
                    "render a default-deny policy for the namespace",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule_tests;

    rule_tests!(hpa_target_missing, "hpa-target-missing", f => {
        if let Typed::HorizontalPodAutoscaler(hpa) = &mut f.object("HorizontalPodAutoscaler", None).typed {
            hpa.spec.as_mut().unwrap().scale_target_ref.name = "gone".into();
        }
    });
    rule_tests!(replicas_pinned_with_hpa, "replicas-pinned-with-hpa", f => {
        f.deployment("auth-service").spec.as_mut().unwrap().replicas = Some(3);
    });
    rule_tests!(single_replica, "single-replica", f => {
        f.objects.retain(|o| !(o.kind == "HorizontalPodAutoscaler" && o.name == "auth-service"));
        f.deployment("auth-service").spec.as_mut().unwrap().replicas = Some(1);
    });
    rule_tests!(pdb_blocks_drain, "pdb-blocks-drain", f => {
        if let Typed::PodDisruptionBudget(pdb) = &mut f.object("PodDisruptionBudget", Some("auth-service")).typed {
            pdb.spec.as_mut().unwrap().min_available = Some(IntOrString::Int(3));
        }
    });
    rule_tests!(pdb_max_unavailable_zero, "pdb-blocks-drain", f => {
        if let Typed::PodDisruptionBudget(pdb) = &mut f.object("PodDisruptionBudget", Some("auth-service")).typed {
            let spec = pdb.spec.as_mut().unwrap();
            spec.min_available = None;
            spec.max_unavailable = Some(IntOrString::Int(0));
        }
    });
    rule_tests!(service_selects_nothing, "service-selects-nothing", f => {
        if let Typed::Service(service) = &mut f.object("Service", None).typed {
            service.spec.as_mut().unwrap().selector.as_mut().unwrap().insert("app.kubernetes.io/name".into(), "nobody".into());
        }
    });
    // A route to a port the Service does not have (it serves 8000), and one to no Service.
    rule_tests!(httproute_backend_missing_port, "httproute-backend-missing", f => {
        f.add(crate::rules::testing::http_route("api", Some("https"), "auth-service", 8080));
    });
    rule_tests!(httproute_backend_missing_service, "httproute-backend-missing", f => {
        f.add(crate::rules::testing::http_route("api", Some("https"), "auth-servic", 8000));
    });

    #[test]
    fn a_route_to_a_rendered_service_and_port_is_quiet() {
        let mut f = crate::rules::testing::prod();
        f.add(crate::rules::testing::http_route(
            "api",
            Some("https"),
            "auth-service",
            8000,
        ));
        let codes = f.codes();
        for code in ["httproute-backend-missing", "httproute-listener-unpinned"] {
            assert!(!codes.contains(&code), "{code} fired: {codes:?}");
        }
    }

    rule_tests!(ingress_backend_missing, "ingress-backend-missing", f => {
        f.objects.retain(|o| !(o.kind == "Service" && o.name == "auth-service"));
    });
    rule_tests!(pod_without_network_policy, "pod-without-network-policy", f => {
        f.objects.retain(|o| o.kind != "NetworkPolicy");
    });
    rule_tests!(network_policy_selects_nothing, "network-policy-selects-nothing", f => {
        f.objects.retain(|o| !(o.kind == "Deployment" && o.name == "auth-service"));
    });

    #[test]
    fn the_drain_hint_never_suggests_a_budget_of_zero() {
        let mut f = crate::rules::testing::prod();
        if let Typed::HorizontalPodAutoscaler(hpa) =
            &mut f.object("HorizontalPodAutoscaler", Some("auth-service")).typed
        {
            hpa.spec.as_mut().unwrap().min_replicas = Some(1);
        }
        if let Typed::PodDisruptionBudget(pdb) = &mut f.object("PodDisruptionBudget", Some("auth-service")).typed {
            pdb.spec.as_mut().unwrap().min_available = Some(IntOrString::Int(1));
        }
        let findings = crate::rules::run(&f.model, &f.objects, &f.source);
        let pdb = findings
            .iter()
            .find(|d| d.code == "pdb-blocks-drain")
            .expect("a budget of 1 over 1 replica blocks drains");
        let hint = pdb.hint.as_deref().unwrap();
        assert!(!hint.contains("minAvailable 0"), "{hint}");
        assert!(hint.contains("run 2 or more replicas"), "{hint}");
        assert_eq!(drain_hint(3), "use minAvailable 2 or less (or maxUnavailable 1)");
    }

    #[test]
    fn pdb_floor_is_the_autoscaler_minimum() {
        // prod's ai-orchestrator: HPA minimum 2, minAvailable 1: drains can proceed.
        let mut f = crate::rules::testing::prod();
        assert!(!f.codes().contains(&"pdb-blocks-drain"));
        if let Typed::PodDisruptionBudget(pdb) = &mut f.object("PodDisruptionBudget", Some("ai-orchestrator")).typed {
            pdb.spec.as_mut().unwrap().min_available = Some(IntOrString::Int(2));
        }
        assert!(f.codes().contains(&"pdb-blocks-drain"));
    }

    fn scaled_object(target: &str, min: i32) -> serde_json::Value {
        serde_json::json!({
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ScaledObject",
            "metadata": {"name": format!("{target}-lag"), "namespace": "platform-v2-stable",
                "labels": {"app.kubernetes.io/name": target, "app.kubernetes.io/part-of": "coderev"}},
            "spec": {
                "scaleTargetRef": {"name": target},
                "minReplicaCount": min,
                "maxReplicaCount": 30,
                "triggers": [{"type": "kafka", "metadata": {"topic": "reviews", "consumerGroup": "g", "bootstrapServers": "k:9092"}}],
            },
        })
    }

    fn vertical_autoscaler(target: &str, mode: &str, resources: &[&str]) -> serde_json::Value {
        serde_json::json!({
            "apiVersion": "autoscaling.k8s.io/v1",
            "kind": "VerticalPodAutoscaler",
            "metadata": {"name": target, "namespace": "platform-v2-stable",
                "labels": {"app.kubernetes.io/name": target, "app.kubernetes.io/part-of": "coderev"}},
            "spec": {
                "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                "updatePolicy": {"updateMode": mode},
                "resourcePolicy": {"containerPolicies": [{"containerName": target, "controlledResources": resources}]},
            },
        })
    }

    rule_tests!(autoscalers_conflict, "autoscalers-conflict", f => {
        // auth-service already has gen's HPA; a ScaledObject from `resources:` joins it.
        f.add(scaled_object("auth-service", 3));
    });

    #[test]
    fn every_autoscaler_of_a_contested_workload_is_named() {
        let mut f = crate::rules::testing::prod();
        f.add(scaled_object("auth-service", 3));
        let findings = crate::rules::run(&f.model, &f.objects, &f.source);
        let conflicts: Vec<_> = findings.iter().filter(|d| d.code == "autoscalers-conflict").collect();
        assert_eq!(conflicts.len(), 2, "{conflicts:?}");
        for finding in conflicts {
            assert!(
                finding
                    .message
                    .contains("HorizontalPodAutoscaler/auth-service and ScaledObject/auth-service-lag"),
                "{}",
                finding.message
            );
        }
    }

    #[test]
    fn a_vpa_fights_only_when_it_changes_running_pods_on_a_scaled_resource() {
        let conflict = |mode: &str, resources: &[&str]| {
            let mut f = crate::rules::testing::prod();
            // auth-service's HPA scales on cpu and memory.
            f.add(vertical_autoscaler("auth-service", mode, resources));
            f.codes().contains(&"autoscalers-conflict")
        };
        assert!(conflict("Auto", &["cpu"]));
        assert!(conflict("Recreate", &["memory"]));
        assert!(conflict("InPlaceOrRecreate", &["cpu", "memory"]));
        assert!(!conflict("Off", &["cpu", "memory"]), "recommendations only");
        assert!(
            !conflict("Initial", &["cpu", "memory"]),
            "requests set at pod start only"
        );
    }

    #[test]
    fn a_scaled_object_counts_as_the_workloads_autoscaler() {
        let mut f = crate::rules::testing::prod();
        f.objects
            .retain(|o| !(o.kind == "HorizontalPodAutoscaler" && o.name == "auth-service"));
        f.add(scaled_object("auth-service", 3));
        let codes = f.codes();
        assert!(!codes.contains(&"autoscalers-conflict"), "{codes:?}");
        assert!(!codes.contains(&"single-replica"), "{codes:?}");
        // The budget's floor is the ScaledObject's minimum: minAvailable 2 of 3 still drains.
        assert!(!codes.contains(&"pdb-blocks-drain"), "{codes:?}");
        f.objects.retain(|o| o.kind != "ScaledObject");
        f.add(scaled_object("auth-service", 2));
        assert!(f.codes().contains(&"pdb-blocks-drain"));
        f.add(scaled_object("gone", 3));
        assert!(f.codes().contains(&"hpa-target-missing"));
    }
}
