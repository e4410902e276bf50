//! When the kinds, API versions and fields gen renders arrived in Kubernetes, and when the
//! API versions it no longer renders left. One row per fact, each with the release that changed
//! it and where that is written down. "Available" means on by default: a field behind an alpha
//! feature gate is not available, since a cluster with default settings drops or refuses it.
//!
//! How these were checked: the field lists of the OpenAPI schemas kubernetes-validate ships for
//! 1.25 to 1.37 (`.venv-oracles`, one `_definitions.json` per version) were compared version by
//! version for every type gen renders; that shows when a field entered the API (an alpha field
//! enters it while still off). The stage it was on by default comes from the feature's KEP and
//! the Kubernetes feature-gate reference. API versions come from the Deprecated API Migration
//! Guide (kubernetes.io/docs/reference/using-api/deprecation-guide) and Pluto's `versions.yaml`.
//!
//! Fields of the types gen renders that arrived within 1.25 to 1.37 but that gen never writes
//! (Service `trafficDistribution` 1.30, pod `resources` 1.32, Job `successPolicy` and `managedBy`
//! 1.30, `podReplacementPolicy` and `backoffLimitPerIndex` 1.28, container `restartPolicy` on
//! init containers 1.28, HPA `tolerance` 1.33, `appArmorProfile` 1.30, ...) need no row: a row
//! is needed the day a template writes one of them, and the test below checks the templates.

/// A version `1.minor` that gen's targets are all newer than: the kind or field is older than
/// anything gen targets.
pub const ANCIENT: u8 = 0;

/// An API version of a kind: served from `added` (GA), no longer served from `removed`.
#[derive(Debug, Clone, Copy)]
pub struct ApiFact {
    pub api_version: &'static str,
    /// The kind; `*` for every kind of a removed API version.
    pub kind: &'static str,
    pub added: u8,
    pub removed: Option<u8>,
    /// What to use instead once it is removed.
    pub replacement: &'static str,
}

/// A field gen renders that not every target version has.
#[derive(Debug, Clone, Copy)]
pub struct FieldFact {
    /// The kind whose objects hold it; `Pod` for the pod template of every workload kind.
    pub kind: &'static str,
    /// The path from the object (or the pod spec), `[]` standing for every item of a list.
    pub path: &'static str,
    /// The first minor version where it is on by default.
    pub added: u8,
    /// Its history, for the message: what it was before `added`.
    pub history: &'static str,
    /// The profile setting that renders it, for the hint.
    pub setting: &'static str,
}

pub const API_VERSIONS: &[ApiFact] = &[
    // core/v1 is as old as Kubernetes 1.0.
    api("v1", "Namespace", ANCIENT),
    api("v1", "ServiceAccount", ANCIENT),
    api("v1", "ConfigMap", ANCIENT),
    api("v1", "Service", ANCIENT),
    // apps/v1 replaced apps/v1beta1, v1beta2 and extensions/v1beta1 in 1.9 (Pluto).
    api("apps/v1", "Deployment", 9),
    // batch/v1 Job is older than every schema kubernetes-validate ships (1.25); Jobs went GA in 1.2.
    api("batch/v1", "Job", ANCIENT),
    // batch/v1 CronJob: "available since v1.21" (migration guide, batch/v1beta1 removed in 1.25).
    api("batch/v1", "CronJob", 21),
    // autoscaling/v2: "available since v1.23" (migration guide, v2beta2 removed in 1.26).
    api("autoscaling/v2", "HorizontalPodAutoscaler", 23),
    // policy/v1 PodDisruptionBudget: "available since v1.21" (migration guide).
    api("policy/v1", "PodDisruptionBudget", 21),
    // networking.k8s.io/v1: NetworkPolicy since 1.8, Ingress since 1.19 (Pluto, migration guide).
    api("networking.k8s.io/v1", "NetworkPolicy", 8),
    api("networking.k8s.io/v1", "Ingress", 19),
    // rbac.authorization.k8s.io/v1 since 1.8 (Pluto).
    api("rbac.authorization.k8s.io/v1", "Role", 8),
    api("rbac.authorization.k8s.io/v1", "RoleBinding", 8),
    // Removed API versions (migration guide, "Removed APIs by release"); templates must not use
    // them, and `k8s-openapi` has no type to decode them into.
    removed("extensions/v1beta1", 16, "apps/v1 or networking.k8s.io/v1"),
    removed("apps/v1beta1", 16, "apps/v1"),
    removed("apps/v1beta2", 16, "apps/v1"),
    removed("networking.k8s.io/v1beta1", 22, "networking.k8s.io/v1"),
    removed("rbac.authorization.k8s.io/v1beta1", 22, "rbac.authorization.k8s.io/v1"),
    removed("policy/v1beta1", 25, "policy/v1"),
    removed("autoscaling/v2beta1", 25, "autoscaling/v2"),
    removed("batch/v1beta1", 25, "batch/v1"),
    removed("discovery.k8s.io/v1beta1", 25, "discovery.k8s.io/v1"),
    removed("autoscaling/v2beta2", 26, "autoscaling/v2"),
    removed("storage.k8s.io/v1beta1", 27, "storage.k8s.io/v1"),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta2",
        29,
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    removed(
        "flowcontrol.apiserver.k8s.io/v1beta3",
        32,
        "flowcontrol.apiserver.k8s.io/v1",
    ),
];

pub const FIELDS: &[FieldFact] = &[
    // KEP-3960 (PodLifecycleSleepAction): alpha and off in 1.29, beta and on by default in 1.30,
    // GA in 1.34. The schemas have `sleep` from 1.29 (the alpha field).
    FieldFact {
        kind: "Pod",
        path: "containers[].lifecycle.preStop.sleep",
        added: 30,
        history: "alpha, off by default, in 1.29; on by default since 1.30 (beta), GA in 1.34",
        setting: "shutdown.preStopSleepSeconds",
    },
    // KEP-3017 (PDBUnhealthyPodEvictionPolicy): alpha 1.26, beta and on by default 1.27, GA
    // 1.31. In the schemas from 1.26.
    FieldFact {
        kind: "PodDisruptionBudget",
        path: "spec.unhealthyPodEvictionPolicy",
        added: 27,
        history: "alpha in 1.26; on by default since 1.27 (beta), GA in 1.31",
        setting: "disruptionBudget",
    },
    // KEP-3140 (CronJobTimeZone): alpha 1.24, beta and on by default 1.25, GA 1.27.
    FieldFact {
        kind: "CronJob",
        path: "spec.timeZone",
        added: 25,
        history: "alpha in 1.24; on by default since 1.25 (beta), GA in 1.27",
        setting: "schedule.timeZone",
    },
    // KEP-2727 (GRPCContainerProbe): alpha 1.23, beta and on by default 1.24, GA 1.27.
    FieldFact {
        kind: "Pod",
        path: "containers[].livenessProbe.grpc",
        added: 24,
        history: "alpha in 1.23; on by default since 1.24 (beta), GA in 1.27",
        setting: "probes.liveness.grpc",
    },
    FieldFact {
        kind: "Pod",
        path: "containers[].readinessProbe.grpc",
        added: 24,
        history: "alpha in 1.23; on by default since 1.24 (beta), GA in 1.27",
        setting: "probes.readiness.grpc",
    },
    FieldFact {
        kind: "Pod",
        path: "containers[].startupProbe.grpc",
        added: 24,
        history: "alpha in 1.23; on by default since 1.24 (beta), GA in 1.27",
        setting: "probes.startup.grpc",
    },
];

const fn api(api_version: &'static str, kind: &'static str, added: u8) -> ApiFact {
    ApiFact {
        api_version,
        kind,
        added,
        removed: None,
        replacement: "",
    }
}

const fn removed(api_version: &'static str, removed: u8, replacement: &'static str) -> ApiFact {
    ApiFact {
        api_version,
        kind: "*",
        added: ANCIENT,
        removed: Some(removed),
        replacement,
    }
}

/// Whether a field is on by default in `1.minor`.
pub fn field_available(path: &str, minor: u8) -> bool {
    FIELDS.iter().filter(|f| f.path == path).all(|f| minor >= f.added)
}

/// The removed API version fact for `api_version`, if it is one.
pub fn removed_api(api_version: &str) -> Option<&'static ApiFact> {
    API_VERSIONS
        .iter()
        .find(|f| f.api_version == api_version && f.removed.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field a template writes that appeared in the schemas from 1.25 on has a row here:
    /// a template that starts writing one of them must say which versions have it.
    #[test]
    fn every_recent_field_the_templates_write_has_a_row() {
        // Fields added to the types gen renders between 1.25 and 1.37 (kubernetes-validate's
        // schemas, compared version by version), by the key a template writes.
        let recent = [
            ("unhealthyPodEvictionPolicy", 26),
            ("schedulingGates", 26),
            ("resourceClaims", 26),
            ("resizePolicy", 27),
            ("backoffLimitPerIndex", 28),
            ("maxFailedIndexes", 28),
            ("podReplacementPolicy", 28),
            ("sleep", 29),
            ("managedBy", 30),
            ("successPolicy", 30),
            ("trafficDistribution", 30),
            ("appArmorProfile", 30),
            ("recursiveReadOnly", 30),
            ("supplementalGroupsPolicy", 31),
            ("seLinuxChangePolicy", 32),
            ("tolerance", 33),
            ("hostnameOverride", 34),
            ("restartPolicyRules", 34),
            ("workloadRef", 35),
        ];
        let templates: String = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))
            .unwrap()
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect();
        for (key, _) in recent {
            let written = templates.lines().any(|line| {
                let line = line.trim_start().trim_start_matches("- ");
                line.starts_with(&format!("{key}:"))
            });
            let covered = FIELDS.iter().any(|f| f.path.ends_with(key));
            assert!(
                !written || covered,
                "a template writes `{key}`, which not every Kubernetes version has: add it to FIELDS"
            );
        }
    }

    #[test]
    fn the_sleep_action_is_on_by_default_from_1_30() {
        assert!(!field_available("containers[].lifecycle.preStop.sleep", 29));
        assert!(field_available("containers[].lifecycle.preStop.sleep", 30));
        assert!(field_available("spec.unknown", 29));
        assert_eq!(removed_api("policy/v1beta1").unwrap().removed, Some(25));
        assert!(removed_api("policy/v1").is_none());
    }
}
