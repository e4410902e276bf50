//! Stage 4: prove every rendered document is a real Kubernetes object.
//!
//! Each document is decoded into its `k8s-openapi` type. Those types silently drop fields they do
//! not know, so the decoded object is encoded again and must equal what the template produced:
//! any difference is an unknown field, a misplaced one or a value of the wrong type.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Namespace, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::render::Rendered;

/// A checked object, ready for the policy rules and to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The object as its Kubernetes type encodes it (field order is the type's, maps sorted).
    pub value: Value,
    /// The same object as its Kubernetes type, for the rules to read without decoding again.
    pub typed: Typed,
    pub template: &'static str,
    /// The service the object belongs to; `None` for namespace-wide objects.
    pub service: Option<String>,
}

/// Every kind `gen` emits, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Namespace(Box<Namespace>),
    ServiceAccount(Box<ServiceAccount>),
    Service(Box<Service>),
    Deployment(Box<Deployment>),
    HorizontalPodAutoscaler(Box<HorizontalPodAutoscaler>),
    PodDisruptionBudget(Box<PodDisruptionBudget>),
    NetworkPolicy(Box<NetworkPolicy>),
    Ingress(Box<Ingress>),
}

impl Object {
    /// `Kind/namespace/name`, how findings name a rendered object.
    pub fn identity(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{}/{namespace}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

/// A template produced something that is not a valid Kubernetes object. This is a defect in
/// `gen` (or in a template), never in the user's profile: profile values are validated earlier.
#[derive(Debug, thiserror::Error)]
#[error("template `{template}` rendered an invalid {what}: {problem}")]
pub struct TemplateDefect {
    /// `template-defect`, or `removed-api` for an API version the target Kubernetes lacks.
    pub code: &'static str,
    pub template: &'static str,
    pub what: String,
    pub problem: String,
}

impl TemplateDefect {
    /// A template that failed to render at all (minijinja names the template and line).
    pub fn from_render(error: &minijinja::Error) -> Self {
        TemplateDefect {
            code: "template-defect",
            template: "",
            what: "template".into(),
            problem: format!("{error:#}"),
        }
    }
}

pub fn check(rendered: Rendered) -> Result<Object, TemplateDefect> {
    let defect = |what: &str, problem: String| TemplateDefect {
        code: "template-defect",
        template: rendered.template,
        what: what.to_owned(),
        problem,
    };
    let value: Value = serde_yaml::from_str(&rendered.text).map_err(|e| defect("YAML document", e.to_string()))?;
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    let what = format!("{api_version}/{kind}");
    if let Some(problem) = crate::rules::objects::removed_api(&api_version, &kind) {
        return Err(TemplateDefect {
            code: "removed-api",
            ..defect(&what, problem)
        });
    }
    let (typed, encoded) = decode_by_kind(&api_version, &kind, &value).map_err(|problem| defect(&what, problem))?;
    if let Some(path) = first_difference(&value, &encoded, String::new()) {
        return Err(defect(
            &what,
            format!(
                "field `{path}` is unknown to Kubernetes {} or has the wrong type",
                crate::resolve::KUBERNETES_VERSION
            ),
        ));
    }
    let metadata = &encoded["metadata"];
    let name = metadata["name"]
        .as_str()
        .ok_or_else(|| defect(&what, "metadata.name is missing".into()))?
        .to_owned();
    Ok(Object {
        kind,
        namespace: metadata["namespace"].as_str().map(str::to_owned),
        name,
        value: encoded,
        typed,
        template: rendered.template,
        service: rendered.service,
    })
}

fn decode_by_kind(api_version: &str, kind: &str, value: &Value) -> Result<(Typed, Value), String> {
    match (api_version, kind) {
        ("v1", "Namespace") => round_trip(value, Typed::Namespace),
        ("v1", "ServiceAccount") => round_trip(value, Typed::ServiceAccount),
        ("v1", "Service") => round_trip(value, Typed::Service),
        ("apps/v1", "Deployment") => round_trip(value, Typed::Deployment),
        ("autoscaling/v2", "HorizontalPodAutoscaler") => round_trip(value, Typed::HorizontalPodAutoscaler),
        ("policy/v1", "PodDisruptionBudget") => round_trip(value, Typed::PodDisruptionBudget),
        ("networking.k8s.io/v1", "NetworkPolicy") => round_trip(value, Typed::NetworkPolicy),
        ("networking.k8s.io/v1", "Ingress") => round_trip(value, Typed::Ingress),
        _ => Err(format!(
            "`gen` has no Kubernetes type for apiVersion `{api_version}` kind `{kind}`"
        )),
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(
    value: &Value,
    wrap: fn(Box<T>) -> Typed,
) -> Result<(Typed, Value), String> {
    let typed = T::deserialize(value).map_err(|e| e.to_string())?;
    let encoded = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    Ok((wrap(Box::new(typed)), encoded))
}

/// The path of the first place where `rendered` and `encoded` disagree.
fn first_difference(rendered: &Value, encoded: &Value, path: String) -> Option<String> {
    match (rendered, encoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match b.get(key) {
                    Some(other) => {
                        if let Some(found) = first_difference(value, other, child) {
                            return Some(found);
                        }
                    }
                    None => return Some(child),
                }
            }
            b.keys()
                .find(|key| !a.contains_key(*key))
                .map(|key| format!("{path}.{key}"))
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(path);
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| first_difference(x, y, format!("{path}[{i}]")))
        }
        (a, b) if a == b => None,
        _ => Some(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(text: &str) -> Rendered {
        Rendered {
            template: "test.yaml",
            service: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn accepts_a_valid_object() {
        let object = check(rendered(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: b\n",
        ))
        .unwrap();
        assert_eq!((object.kind.as_str(), object.name.as_str()), ("ServiceAccount", "a"));
        assert_eq!(object.namespace.as_deref(), Some("b"));
    }

    #[test]
    fn names_the_unknown_field_and_template() {
        let error = check(rendered(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  nmespace: b\n",
        ))
        .unwrap_err();
        assert_eq!(error.template, "test.yaml");
        assert!(error.problem.contains("metadata.nmespace"), "{}", error.problem);
    }

    #[test]
    fn rejects_wrong_types_and_unknown_kinds() {
        let error = check(rendered(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\nautomountServiceAccountToken: \"no\"\n",
        ))
        .unwrap_err();
        assert!(error.problem.contains("invalid type"), "{}", error.problem);
        assert!(check(rendered("apiVersion: v9\nkind: Widget\nmetadata:\n  name: a\n")).is_err());
    }
}
