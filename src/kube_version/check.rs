//! Walks the rendered objects against [`super::facts`]: a kind, API version or field the target
//! Kubernetes version does not have (or has only behind an alpha feature gate) is a finding that
//! says which version added or removed it and how to get past it.

use serde_json::Value;

use super::KubeVersion;
use super::facts::{self, ApiFact, FieldFact};
use crate::check::Object;
use crate::rules::Findings;

pub const CODE: &str = "not-in-kube-version";

/// Checks every object against the facts for `version`.
pub fn check(objects: &[&Object], version: KubeVersion, findings: &mut Findings) {
    check_against(facts::API_VERSIONS, facts::FIELDS, objects, version, findings);
}

fn check_against(
    apis: &[ApiFact],
    fields: &[FieldFact],
    objects: &[&Object],
    version: KubeVersion,
    findings: &mut Findings,
) {
    let minor = version.minor();
    // Only the facts this version lacks can fire; with none (the usual case), no object is
    // encoded as JSON.
    let missing: Vec<&FieldFact> = fields.iter().filter(|f| minor < f.added).collect();
    for object in objects {
        let api_version = object.typed.api_version();
        let served = apis
            .iter()
            .filter(|f| f.api_version == api_version && (f.kind == object.kind || f.kind == "*"));
        for fact in served {
            if minor < fact.added {
                findings.on_object(
                    CODE,
                    object,
                    "",
                    format!(
                        "{} {api_version} is served from Kubernetes 1.{}, not by the target {version}",
                        object.kind, fact.added
                    ),
                    &format!("raise --kube-version to 1.{} or later", fact.added),
                );
            }
            if let Some(removed) = fact.removed.filter(|&removed| minor >= removed) {
                findings.on_object(
                    CODE,
                    object,
                    "",
                    format!(
                        "{} {api_version} is no longer served since Kubernetes 1.{removed} (the target is {version})",
                        object.kind
                    ),
                    &format!("use {}", fact.replacement),
                );
            }
        }
        let pod = object.typed.pod_spec();
        let applies = |f: &&&FieldFact| f.kind == object.kind || (f.kind == "Pod" && pod.is_some());
        if !missing.iter().any(|f| applies(&f)) {
            continue;
        }
        let whole = object.typed.to_json();
        let pod_json = pod.map(|(spec, path)| (serde_json::to_value(spec).expect("a pod spec encodes"), path));
        for fact in missing.iter().filter(applies) {
            let (root, prefix) = match (&pod_json, fact.kind) {
                (Some((spec, path)), "Pod") => (spec, *path),
                _ => (&whole, ""),
            };
            for field in find(root, fact.path) {
                let field = if prefix.is_empty() {
                    field
                } else {
                    format!("{prefix}.{field}")
                };
                findings.on_object(
                    CODE,
                    object,
                    &field,
                    format!(
                        "`{field}` is not in Kubernetes {version}, the target: it is {}",
                        fact.history
                    ),
                    &format!(
                        "raise --kube-version to 1.{} or later, or drop `{}` from the profile",
                        fact.added, fact.setting
                    ),
                );
            }
        }
    }
}

/// Where `path` (dotted keys, `[]` for every item of a list) is present in `root`, with list
/// indexes filled in: `containers[].lifecycle` -> `containers[0].lifecycle`, ...
fn find(root: &Value, path: &str) -> Vec<String> {
    let mut found = vec![(root, String::new())];
    for segment in path.split('.') {
        let (key, every_item) = match segment.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (segment, false),
        };
        let mut next = Vec::new();
        for (value, at) in found {
            let Some(child) = value.get(key).filter(|v| !v.is_null()) else {
                continue;
            };
            let at = if at.is_empty() {
                key.to_owned()
            } else {
                format!("{at}.{key}")
            };
            match (every_item, child) {
                (true, Value::Array(items)) => {
                    next.extend(items.iter().enumerate().map(|(i, item)| (item, format!("{at}[{i}]"))));
                }
                (true, _) => {}
                (false, child) => next.push((child, at)),
            }
        }
        found = next;
    }
    found.into_iter().map(|(_, at)| at).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing;

    #[test]
    fn finds_fields_in_every_list_item() {
        let pod = serde_json::json!({
            "containers": [
                {"name": "a", "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}},
                {"name": "b"},
                {"name": "c", "lifecycle": {"preStop": {"sleep": {"seconds": 1}}}},
            ]
        });
        assert_eq!(
            find(&pod, "containers[].lifecycle.preStop.sleep"),
            [
                "containers[0].lifecycle.preStop.sleep",
                "containers[2].lifecycle.preStop.sleep"
            ]
        );
        assert!(find(&pod, "containers[].lifecycle.postStart").is_empty());
        assert!(find(&pod, "spec.containers[]").is_empty());
    }

    fn findings_for(version: &str, apis: &[ApiFact], fields: &[FieldFact]) -> Vec<crate::diagnostics::Diagnostic> {
        let fixture = testing::prod();
        let mut findings = Findings::new(fixture.model.tier, &fixture.source);
        let objects: Vec<&Object> = fixture.objects.iter().collect();
        check_against(apis, fields, &objects, version.parse().unwrap(), &mut findings);
        findings.into_vec()
    }

    #[test]
    fn the_sleep_action_fires_on_1_29_only() {
        let found = findings_for("1.29", facts::API_VERSIONS, facts::FIELDS);
        assert!(!found.is_empty());
        for finding in &found {
            assert_eq!(finding.code, CODE);
            assert!(finding.message.contains("1.30 (beta)"), "{}", finding.message);
            assert!(
                finding
                    .hint
                    .as_deref()
                    .unwrap()
                    .contains("raise --kube-version to 1.30"),
                "{finding:?}"
            );
            assert!(finding.field.as_deref().unwrap().ends_with("lifecycle.preStop.sleep"));
        }
        for version in ["1.30", "1.33", "1.35"] {
            assert!(
                findings_for(version, facts::API_VERSIONS, facts::FIELDS).is_empty(),
                "{version}"
            );
        }
    }

    #[test]
    fn kinds_not_yet_served_and_removed_fire() {
        let newer = [ApiFact {
            api_version: "policy/v1",
            kind: "PodDisruptionBudget",
            added: 34,
            removed: None,
            replacement: "",
        }];
        let found = findings_for("1.33", &newer, &[]);
        assert!(!found.is_empty());
        assert!(
            found[0].message.contains("served from Kubernetes 1.34"),
            "{}",
            found[0].message
        );
        let gone = [ApiFact {
            api_version: "apps/v1",
            kind: "*",
            added: 0,
            removed: Some(31),
            replacement: "apps/v2",
        }];
        let found = findings_for("1.31", &gone, &[]);
        assert!(
            found[0].message.contains("no longer served since Kubernetes 1.31"),
            "{}",
            found[0].message
        );
        assert!(findings_for("1.30", &gone, &[]).is_empty());
    }

    #[test]
    fn object_fields_are_found_outside_pods_too() {
        let newer = [FieldFact {
            kind: "PodDisruptionBudget",
            path: "spec.unhealthyPodEvictionPolicy",
            added: 35,
            history: "new",
            setting: "disruptionBudget",
        }];
        let found = findings_for("1.34", &[], &newer);
        assert!(!found.is_empty());
        assert_eq!(found[0].field.as_deref(), Some("spec.unhealthyPodEvictionPolicy"));
        assert!(
            found[0].message.contains("not in Kubernetes 1.34"),
            "{}",
            found[0].message
        );
    }
}
