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
    let key = name.to_ascii_lowercase().replace('_', "-");
    let instead = if why.contains("URL") {
        format!(
            "keep the URL here without its password, and read the password from a Secret: list it under the service's `secrets:` (`- {{name: <secret>, keys: [{key}-password]}}`, a file under /run/secrets/<secret>/) and point the app at the file (`{name}_PASSWORD_FILE`)"
        )
    } else {
        format!(
            "put the value in a Secret (or `externalSecrets:`) and list it under the service's `secrets:` (`- {{name: <secret>, keys: [{key}]}}`, a file under /run/secrets/<secret>/); point the app at the file (`{name}_FILE`)"
        )
    };
    format!(
        "{instead}; if it is no secret, waive this variable alone: `{{rule: secret-in-env, target: {owner}/env/{name}, reason: ...}}`"
    )
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
