//! Identity and permissions: which ServiceAccount a service runs as (its own, or one shared
//! with other services) and the namespaced Role its declared permissions become.

use std::collections::BTreeSet;

use super::Resolver;
use crate::model::Permission;
use crate::profile::{RawProfile, RawService};

const VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "escalate",
    "bind",
    "impersonate",
    "use",
    "approve",
    "sign",
    "*",
];

/// Resources of the core API group (`""`), which `apiGroups` defaults to. Any other resource
/// needs its group named, or the rule would grant nothing.
const CORE_RESOURCES: &[&str] = &[
    "bindings",
    "configmaps",
    "endpoints",
    "events",
    "limitranges",
    "namespaces",
    "nodes",
    "persistentvolumeclaims",
    "persistentvolumes",
    "pods",
    "podtemplates",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "serviceaccounts",
    "services",
];

impl Resolver<'_> {
    /// The service account's name, and whether it is the service's own.
    pub(super) fn service_account(&mut self, path: &str, name: &str, raw: &RawService) -> (String, bool) {
        match &raw.service_account {
            Some(account) if account != name => {
                self.object_name(&format!("{path}.serviceAccount"), "service account", account);
                (account.clone(), false)
            }
            _ => (name.to_owned(), true),
        }
    }

    /// Accounts named with `serviceAccount:` that no service owns: rendered once each.
    pub(super) fn shared_service_accounts(&mut self, raw: &RawProfile) -> Vec<String> {
        let owned: BTreeSet<&str> = raw
            .services
            .iter()
            .filter(|(name, s)| s.service_account.as_ref().is_none_or(|a| a == *name))
            .map(|(name, _)| name.as_str())
            .collect();
        let shared: BTreeSet<&str> = raw
            .services
            .iter()
            .filter_map(|(name, s)| s.service_account.as_deref().filter(|a| a != name))
            .filter(|account| !owned.contains(account))
            .collect();
        shared.into_iter().map(str::to_owned).collect()
    }

    pub(super) fn permissions(&mut self, path: &str, raw: &RawService) -> Vec<Permission> {
        raw.permissions
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, permission)| {
                let at = format!("{path}.permissions[{index}]");
                if permission.resources.is_empty() {
                    self.error(
                        "invalid-value",
                        &format!("{at}.resources"),
                        "the permission names no resources",
                        "list the resources, e.g. `[configmaps]`",
                    );
                }
                if permission.verbs.is_empty() {
                    self.error(
                        "invalid-value",
                        &format!("{at}.verbs"),
                        "the permission grants no verbs",
                        "list the verbs, e.g. `[get]`",
                    );
                }
                for (verb_index, verb) in permission.verbs.iter().enumerate() {
                    if !VERBS.contains(&verb.as_str()) {
                        self.error(
                            "invalid-value",
                            &format!("{at}.verbs[{verb_index}]"),
                            format!("`{verb}` is not a Kubernetes API verb"),
                            super::suggestion(verb, VERBS.iter().copied(), &format!("use one of: {}", VERBS.join(", "))),
                        );
                    }
                }
                for (resource_index, resource) in permission.resources.iter().enumerate() {
                    let valid = resource == "*"
                        || resource
                            .split('/')
                            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'));
                    if !valid {
                        self.error(
                            "invalid-value",
                            &format!("{at}.resources[{resource_index}]"),
                            format!("`{resource}` is not a resource name"),
                            "write resources in lowercase plural, as kubectl api-resources lists them: `configmaps`, `pods/log`",
                        );
                    }
                }
                if permission.api_groups.is_none() {
                    for (resource_index, resource) in permission.resources.iter().enumerate() {
                        let base = resource.split('/').next().unwrap_or(resource);
                        if resource != "*" && !CORE_RESOURCES.contains(&base) {
                            self.error(
                                "invalid-value",
                                &format!("{at}.resources[{resource_index}]"),
                                format!("`{resource}` is not in the core API group, which `apiGroups` defaults to"),
                                "name its group: `apiGroups: [apps]` for deployments, `[batch]` for jobs, `[networking.k8s.io]` for ingresses, ...",
                            );
                        }
                    }
                }
                Permission {
                    api_groups: permission.api_groups.clone().unwrap_or_else(|| vec![String::new()]),
                    resources: permission.resources.clone(),
                    verbs: permission.verbs.clone(),
                    resource_names: permission.resource_names.clone().unwrap_or_default(),
                }
            })
            .collect()
    }
}
