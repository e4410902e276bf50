//! Rules on the permissions a profile grants: Roles without wildcards, no listing of Secrets,
//! nothing cluster-wide.

use k8s_openapi::api::rbac::v1::{Role, RoleBinding};

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
