//! Rules on the resolved profile: what the user wrote, before it becomes objects.

use super::Findings;
use crate::image;
use crate::model::{Model, Service};

pub fn check(model: &Model, findings: &mut Findings) {
    for service in &model.services {
        images(model, service, findings);
        secrets_in_env(service, findings);
        low_uid(service, findings);
        probes_written(service, findings);
    }
    shared_namespace(model, findings);
    if model.egress_open {
        // Without an explicit egressMode, the tier chose open egress.
        let path = if findings.has_path("network.egressMode") {
            "network.egressMode"
        } else {
            "tier"
        };
        findings.on_namespace(
            "egress-unrestricted",
            path,
            &model.namespace,
            format!("every pod in `{}` may connect anywhere", model.namespace),
            "set `network.egressMode: restricted` and list dependencies under `network.egress`".into(),
        );
    }
}

const SHARED_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

fn shared_namespace(model: &Model, findings: &mut Findings) {
    if SHARED_NAMESPACES.contains(&model.namespace.as_str()) {
        findings.on_namespace(
            "default-namespace",
            "namespace",
            &model.namespace,
            format!("namespace `{}` is shared with the cluster itself", model.namespace),
            "give the application a namespace of its own, e.g. `<app>-<tier>`".into(),
        );
    }
}

fn images(model: &Model, service: &Service, findings: &mut Findings) {
    let path = format!("services.{}.image", service.name);
    let at = Some(service.name.as_str());
    // resolve has already rejected malformed references.
    let Ok(reference) = image::parse(&service.image) else {
        return;
    };
    match (&reference.tag, &reference.digest) {
        (None, None) => findings.on_profile(
            "image-untagged",
            &path,
            at,
            format!(
                "image `{}` has neither a tag nor a digest, so it means `latest`",
                service.image
            ),
            "pin it: `repository:1.2.3@sha256:<digest>`".into(),
        ),
        (Some(tag), None) if tag == "latest" => findings.on_profile(
            "image-latest-tag",
            &path,
            at,
            format!("image `{}` uses the `latest` tag", service.image),
            "use a version tag, and pin the digest: `repository:1.2.3@sha256:<digest>`".into(),
        ),
        _ => {}
    }
    if reference.digest.is_none() {
        findings.on_profile(
            "image-digest-required",
            &path,
            at,
            format!("image `{}` is not pinned by digest", service.image),
            "append `@sha256:<digest>` (keep the tag for readability)".into(),
        );
    }
    let allowed = &model.allowed_registries;
    if !allowed.is_empty() && !allowed.iter().any(|prefix| service.image.starts_with(prefix.as_str())) {
        findings.on_profile(
            "image-registry-not-allowed",
            &path,
            at,
            format!("image `{}` is not from an allowed registry", service.image),
            format!("allowed: {}", allowed.join(", ")),
        );
    }
}

fn secrets_in_env(service: &Service, findings: &mut Findings) {
    for var in &service.env {
        if let Some(why) = looks_like_secret(&var.name, &var.value) {
            findings.on_profile(
                "secret-in-env",
                &format!("services.{}.env.{}", service.name, var.name),
                Some(&service.name),
                format!("`{}` looks like a plain-text secret ({why})", var.name),
                "keep it in a Secret mounted as a file, and point the app at the file (e.g. `DB_PASSWORD_FILE: /run/secrets/db`)".into(),
            );
        }
    }
}

const SECRET_NAME_PARTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
    "ACCESS_KEY",
];

const SECRET_VALUE_PREFIXES: &[(&str, &str)] = &[
    ("-----BEGIN", "a PEM key"),
    ("AKIA", "an AWS access key"),
    ("ghp_", "a GitHub token"),
    ("github_pat_", "a GitHub token"),
    ("xoxb-", "a Slack token"),
    ("xoxp-", "a Slack token"),
    ("sk_live_", "a Stripe key"),
    ("eyJ", "a JSON Web Token"),
];

/// Why a variable looks like a secret, judged by its name and by the shape of its value.
pub fn looks_like_secret(name: &str, value: &str) -> Option<&'static str> {
    if let Some((_, what)) = SECRET_VALUE_PREFIXES
        .iter()
        .find(|(prefix, _)| value.starts_with(prefix))
    {
        return Some(what);
    }
    let upper = name.to_ascii_uppercase();
    // `*_FILE` and `*_PATH` variables point at a mounted secret: the recommended pattern.
    let is_reference = upper.ends_with("_FILE") || upper.ends_with("_PATH") || value.starts_with('/');
    if !is_reference && !value.is_empty() && SECRET_NAME_PARTS.iter().any(|part| upper.contains(part)) {
        return Some("its name says so");
    }
    if value.len() >= 32 && !value.contains(char::is_whitespace) && shannon_entropy(value) > 4.0 {
        return Some("a long random-looking value");
    }
    None
}

fn shannon_entropy(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for byte in text.bytes() {
        counts[byte as usize] += 1;
    }
    let length = text.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64 / length)
        .map(|p| -p * p.log2())
        .sum()
}

/// gen renders only the probes a profile writes, so a long-running service without them is
/// reported here, where the profile can say `probes: {none: ...}` for a worker.
fn probes_written(service: &Service, findings: &mut Findings) {
    let probes = &service.probes;
    if !service.kind.is_long_running() || probes.none_reason.is_some() {
        return;
    }
    for (name, probe) in [("liveness", &probes.liveness), ("readiness", &probes.readiness)] {
        if probe.is_none() {
            findings.on_profile(
                "probe-missing",
                &format!("services.{}.probes", service.name),
                Some(&service.name),
                format!("`{}` has no {name} probe", service.name),
                format!(
                    "add `probes.{name}` (`path: /...`, `tcp: <port>`, `grpc: <port>` or `exec: [...]`){}",
                    if service.is_web() {
                        ""
                    } else {
                        ", or `probes: {none: <reason>}` for a worker that needs none"
                    }
                ),
            );
        }
    }
}

fn low_uid(service: &Service, findings: &mut Findings) {
    if (1..10000).contains(&service.run_as_user) {
        findings.on_profile(
            "run-as-low-uid",
            &format!("services.{}.runAsUser", service.name),
            Some(&service.name),
            format!("uid {} may collide with a user on the node", service.run_as_user),
            "use a uid of 10000 or more".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EnvVar;
    use crate::rule_tests;

    #[test]
    fn secret_detection_by_name_and_shape() {
        assert!(looks_like_secret("DB_PASSWORD", "hunter2").is_some());
        assert!(looks_like_secret("GITHUB", "ghp_abcdefghijklmnopqrstuvwxyz0123456789").is_some());
        assert!(looks_like_secret("SIGNING", "q8Z3v1Lx0Pm4Rt7Yw2Ks9Nd6Hf5Jb3Gc1Ae8").is_some());
        assert!(looks_like_secret("DB_PASSWORD_FILE", "/run/secrets/db").is_none());
        assert!(looks_like_secret("LOG_LEVEL", "debug").is_none());
        assert!(looks_like_secret("FEATURES", "search,reviews,analysis,orchestration").is_none());
    }

    rule_tests!(image_untagged, "image-untagged", f => {
        f.model.services[0].image = "registry.coderev.example.com/coderev/auth".into();
    });
    rule_tests!(image_latest_tag, "image-latest-tag", f => {
        f.model.services[0].image = "registry.coderev.example.com/coderev/auth:latest".into();
    });
    rule_tests!(image_digest_required, "image-digest-required", f => {
        f.model.services[0].image = "registry.coderev.example.com/coderev/auth:1.0.0".into();
    });
    rule_tests!(image_registry_not_allowed, "image-registry-not-allowed", f => {
        f.model.allowed_registries = vec!["registry.internal.example.com/".into()];
    });
    rule_tests!(secret_in_env, "secret-in-env", f => {
        f.model.services[0].env.push(EnvVar { name: "DB_PASSWORD".into(), value: "hunter2".into() });
    });
    rule_tests!(probe_missing, "probe-missing", f => {
        f.model.services[0].probes.readiness = None;
    });
    rule_tests!(run_as_low_uid, "run-as-low-uid", f => {
        f.model.services[0].run_as_user = 1000;
    });
    rule_tests!(default_namespace_in_profile, "default-namespace", f => {
        f.model.namespace = "default".into();
    });
    rule_tests!(egress_unrestricted, "egress-unrestricted", f => {
        f.model.egress_open = true;
    });
}
