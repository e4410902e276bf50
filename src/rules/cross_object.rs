//! Rules that need several objects at once: does each selector find its pods, does each
//! reference find its target, can a disruption budget ever allow an eviction.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Findings;
use super::objects::selector_matches;
use crate::check::{Object, Typed};

/// A Deployment's pods, as the other objects see them.
struct Workload<'a> {
    name: &'a str,
    namespace: Option<&'a str>,
    labels: Option<&'a BTreeMap<String, String>>,
    replicas: Option<i32>,
}

pub fn check(objects: &[Object], findings: &mut Findings) {
    let workloads: Vec<Workload> = objects.iter().filter_map(workload).collect();
    let autoscalers: Vec<(&Object, &HorizontalPodAutoscaler)> = objects
        .iter()
        .filter_map(|o| match &o.typed {
            Typed::HorizontalPodAutoscaler(h) => Some((o, h.as_ref())),
            _ => None,
        })
        .collect();
    for (object, hpa) in &autoscalers {
        let target = hpa.spec.as_ref().map(|s| &s.scale_target_ref);
        let found = target.is_some_and(|t| {
            t.kind == "Deployment"
                && workloads
                    .iter()
                    .any(|w| w.name == t.name && w.namespace == object.namespace.as_deref())
        });
        if !found {
            let name = target.map_or("", |t| t.name.as_str());
            findings.on_object(
                "hpa-target-missing",
                object,
                "spec.scaleTargetRef",
                format!("no Deployment `{name}` is rendered"),
                "target a Deployment of the same namespace",
            );
        }
    }
    for (object, workload) in objects.iter().filter_map(|o| workload(o).map(|w| (o, w))) {
        let hpa = autoscalers.iter().find(|(a, h)| {
            a.namespace == object.namespace
                && h.spec
                    .as_ref()
                    .is_some_and(|s| s.scale_target_ref.name == workload.name)
        });
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
                format!("`{}` runs a single replica", workload.name),
                "run at least 2 replicas in production",
            ),
            _ => {}
        }
    }
    for object in objects {
        match &object.typed {
            Typed::PodDisruptionBudget(pdb) => disruption_budget(object, pdb, &workloads, &autoscalers, findings),
            Typed::Service(service) => {
                let selector = service.spec.as_ref().and_then(|s| s.selector.as_ref());
                let selects = selector.is_some_and(|sel| {
                    workloads.iter().any(|w| {
                        w.namespace == object.namespace.as_deref()
                            && sel.iter().all(|(k, v)| w.labels.and_then(|l| l.get(k)) == Some(v))
                    })
                });
                if !selects {
                    findings.on_object(
                        "service-selects-nothing",
                        object,
                        "spec.selector",
                        "the selector matches no pod template".into(),
                        "match the Deployment's pod labels",
                    );
                }
            }
            Typed::Ingress(ingress) => ingress_backends(object, ingress, objects, findings),
            Typed::NetworkPolicy(policy) => {
                let Some(spec) = &policy.spec else { continue };
                // An empty selector selects every pod of the namespace, present or future.
                let Some(selector) = spec.pod_selector.as_ref().filter(|s| {
                    s.match_labels.as_ref().is_some_and(|l| !l.is_empty()) || s.match_expressions.is_some()
                }) else {
                    continue;
                };
                if !workloads
                    .iter()
                    .any(|w| w.namespace == object.namespace.as_deref() && selector_matches(selector, w.labels))
                {
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
    network_policy_coverage(objects, findings);
}

fn workload(object: &Object) -> Option<Workload<'_>> {
    let Typed::Deployment(deployment) = &object.typed else {
        return None;
    };
    let Deployment { spec, .. } = deployment.as_ref();
    let spec = spec.as_ref()?;
    Some(Workload {
        name: &object.name,
        namespace: object.namespace.as_deref(),
        labels: spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref()),
        replicas: spec.replicas,
    })
}

fn disruption_budget(
    object: &Object,
    pdb: &k8s_openapi::api::policy::v1::PodDisruptionBudget,
    workloads: &[Workload],
    autoscalers: &[(&Object, &HorizontalPodAutoscaler)],
    findings: &mut Findings,
) {
    let Some(spec) = &pdb.spec else { return };
    let covered: Vec<&Workload> = workloads
        .iter()
        .filter(|w| {
            w.namespace == object.namespace.as_deref()
                && spec.selector.as_ref().is_some_and(|s| selector_matches(s, w.labels))
        })
        .collect();
    // The replicas Kubernetes guarantees: the autoscaler's floor if one owns the count.
    let floor: i32 = covered
        .iter()
        .map(|w| {
            let hpa_min = autoscalers
                .iter()
                .find(|(_, h)| h.spec.as_ref().is_some_and(|s| s.scale_target_ref.name == w.name))
                .and_then(|(_, h)| h.spec.as_ref())
                .map(|s| s.min_replicas.unwrap_or(1));
            hpa_min.or(w.replicas).unwrap_or(1)
        })
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
            &format!("use minAvailable {} or less (or maxUnavailable 1)", (floor - 1).max(0)),
        );
    }
}

fn ingress_backends(
    object: &Object,
    ingress: &k8s_openapi::api::networking::v1::Ingress,
    objects: &[Object],
    findings: &mut Findings,
) {
    let paths = ingress
        .spec
        .iter()
        .flat_map(|s| s.rules.iter().flatten())
        .flat_map(|r| r.http.iter())
        .flat_map(|h| &h.paths);
    for (index, path) in paths.enumerate() {
        let Some(backend) = &path.backend.service else { continue };
        let service = objects.iter().find_map(|o| match &o.typed {
            Typed::Service(s) if o.name == backend.name && o.namespace == object.namespace => Some(s),
            _ => None,
        });
        let field = format!("spec.rules.http.paths[{index}].backend.service");
        let Some(service) = service else {
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

fn network_policy_coverage(objects: &[Object], findings: &mut Findings) {
    let policies: Vec<_> = objects
        .iter()
        .filter_map(|o| match &o.typed {
            Typed::NetworkPolicy(p) => Some((o.namespace.as_deref(), p.spec.as_ref()?)),
            _ => None,
        })
        .collect();
    for (object, workload) in objects.iter().filter_map(|o| workload(o).map(|w| (o, w))) {
        for direction in ["Ingress", "Egress"] {
            let covered = policies.iter().any(|(namespace, spec)| {
                *namespace == workload.namespace
                    && spec
                        .policy_types
                        .as_ref()
                        .is_some_and(|t| t.iter().any(|d| d == direction))
                    && spec
                        .pod_selector
                        .as_ref()
                        .is_none_or(|s| selector_matches(s, workload.labels))
            });
            if !covered {
                findings.on_object(
                    "pod-without-network-policy",
                    object,
                    "spec.template.metadata.labels",
                    format!(
                        "no NetworkPolicy covers {} of `{}`'s pods",
                        direction.to_lowercase(),
                        workload.name
                    ),
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
    fn pdb_floor_is_the_autoscaler_minimum() {
        // prod's ai-orchestrator: HPA minimum 2, minAvailable 1: drains can proceed.
        let mut f = crate::rules::testing::prod();
        assert!(!f.codes().contains(&"pdb-blocks-drain"));
        if let Typed::PodDisruptionBudget(pdb) = &mut f.object("PodDisruptionBudget", Some("ai-orchestrator")).typed {
            pdb.spec.as_mut().unwrap().min_available = Some(IntOrString::Int(2));
        }
        assert!(f.codes().contains(&"pdb-blocks-drain"));
    }
}
