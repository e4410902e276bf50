//! Rules on the resolved profile: what the user wrote, before it becomes objects.

use super::Findings;
use crate::image;
use crate::model::{Model, Service};

pub fn check(model: &Model, findings: &mut Findings) {
    for service in &model.services {
        images(model, service, findings);
        secrets_in_env(service, findings);
        low_uid(service, findings);
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
        if let Some(why) = super::secrets::looks_like_secret(&var.name, &var.value) {
            let path = format!("services.{}.env.{}", service.name, var.name);
            // A variable the service inherits is waived, and fixed, where it is set.
            let owner = if !findings.has_path(&path) && findings.has_path(&format!("serviceDefaults.env.{}", var.name))
            {
                "serviceDefaults"
            } else {
                &service.name
            };
            findings.on_profile(
                "secret-in-env",
                &path,
                Some(&service.name),
                format!("`{}` looks like a plain-text secret ({why})", var.name),
                secret_hint(owner, &var.name, why),
            );
        }
    }
}

/// What to do instead: values in a profile end up in Git and in the Deployment. `owner` is the
/// service, or `serviceDefaults`, that sets the variable.
fn secret_hint(owner: &str, name: &str, why: &str) -> String {
    let in_url = why.contains("URL");
    let stem = name.to_ascii_lowercase() + if in_url { "_password" } else { "" };
    let file = if owner == "serviceDefaults" {
        format!("/run/secrets/{stem}")
    } else {
        format!("/run/secrets/{owner}/{stem}")
    };
    let instead = if in_url {
        format!(
            "keep the URL here without its password, and give the app the password in a Secret mounted as a file (`{name}_PASSWORD_FILE: {file}`)"
        )
    } else {
        format!("put the value in a Secret mounted as a file and point the app at it (`{name}_FILE: {file}`)")
    };
    format!(
        "{instead}; if it is no secret, waive this variable alone: `{{rule: secret-in-env, target: {owner}/env/{name}, reason: ...}}`"
    )
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
    use crate::model::EnvVar;
    use crate::rule_tests;

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
