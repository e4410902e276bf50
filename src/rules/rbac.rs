//! Rules on the permissions a profile grants: Roles without wildcards, no listing of Secrets,
//! nothing cluster-wide.

use k8s_openapi::api::rbac::v1::{Role, RoleBinding};

/// Resources that exist only cluster-wide: a namespaced Role that names them grants nothing
/// and shows someone expected cluster scope.
const CLUSTER_RESOURCES: &[&str] = &[
    "nodes",
    "namespaces",
    "persistentvolumes",
    "clusterroles",
    "clusterrolebindings",
    "customresourcedefinitions",
    "storageclasses",
    "priorityclasses",
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "certificatesigningrequests",
];

/// Verbs that hand out more than the role itself holds.
const ESCALATING_VERBS: &[&str] = &["escalate", "bind", "impersonate"];

/// Subresources whose `create` runs commands in pods or mints tokens of other accounts.
const ESCALATING_SUBRESOURCES: &[&str] = &["pods/exec", "pods/attach", "serviceaccounts/token"];

use super::Findings;
use crate::check::Object;

pub fn role(object: &Object, role: &Role, findings: &mut Findings) {
    for (index, rule) in role.rules.iter().flatten().enumerate() {
        let path = format!("rules[{index}]");
        let groups = rule.api_groups.iter().flatten();
        let resources: Vec<&String> = rule.resources.iter().flatten().collect();
        for (field, values) in [
            ("verbs", rule.verbs.iter().collect::<Vec<_>>()),
            ("resources", resources.clone()),
            ("apiGroups", groups.collect()),
        ] {
            if values.iter().any(|v| v.as_str() == "*") {
                findings.on_object(
                    "rbac-wildcard",
                    object,
                    &format!("{path}.{field}"),
                    format!("the role grants every one of its {field} (`*`)"),
                    "name the verbs and resources the service uses",
                );
            }
        }
        for resource in resources
            .iter()
            .filter(|r| CLUSTER_RESOURCES.contains(&r.split('/').next().unwrap_or(r)))
        {
            findings.on_object(
                "rbac-cluster-scope",
                object,
                &format!("{path}.resources"),
                format!("`{resource}` exists only cluster-wide; a namespaced Role cannot grant it"),
                "cluster-wide permissions belong to the platform team; remove it",
            );
        }
        let escalating_verb = rule.verbs.iter().find(|v| ESCALATING_VERBS.contains(&v.as_str()));
        let creates = rule.verbs.iter().any(|v| matches!(v.as_str(), "create" | "*"));
        let escalating_resource = resources
            .iter()
            .find(|r| creates && ESCALATING_SUBRESOURCES.contains(&r.as_str()));
        if let Some(what) = escalating_verb.or(escalating_resource.copied()) {
            findings.on_object(
                "rbac-escalation",
                object,
                &format!("{path}.verbs"),
                format!("the role grants `{what}`, which gives away more than the role holds"),
                "remove it: a service that runs commands in pods, mints tokens or grants roles can become anyone in the namespace",
            );
        }
        let on_secrets = resources.iter().any(|r| matches!(r.as_str(), "secrets" | "*"));
        let lists = rule.verbs.iter().any(|v| matches!(v.as_str(), "list" | "watch" | "*"));
        if on_secrets && lists {
            findings.on_object(
                "rbac-secrets-list",
                object,
                &format!("{path}.verbs"),
                "the role may list or watch every Secret of the namespace".into(),
                "grant `get` on the Secrets the service needs, named under `resourceNames`",
            );
        }
    }
}

pub fn binding(object: &Object, binding: &RoleBinding, findings: &mut Findings) {
    if binding.role_ref.kind != "Role" {
        findings.on_object(
            "rbac-cluster-scope",
            object,
            "roleRef.kind",
            format!(
                "the binding grants {} `{}`",
                binding.role_ref.kind, binding.role_ref.name
            ),
            "bind a namespaced Role with the permissions the service needs",
        );
    }
}
