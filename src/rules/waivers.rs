//! Waivers: the only way to accept a policy finding, one rule and one target at a time, with a
//! reason written in the profile (and so reviewed and kept in its history).

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::profile::RawWaiver;
use crate::rules::catalog::{self, RuleKind};
use crate::source::SourceFile;

/// A finding that a waiver accepted, shown apart from the live findings.
#[derive(Debug, Clone, Serialize)]
pub struct Waived {
    pub finding: Diagnostic,
    pub reason: String,
}

pub struct Applied {
    /// Findings no waiver covers, plus problems with the waivers themselves.
    pub findings: Vec<Diagnostic>,
    pub waived: Vec<Waived>,
}

/// Splits `findings` into live and waived ones. `services` are the profile's service names.
pub fn apply(findings: Vec<Diagnostic>, waivers: &[RawWaiver], services: &[&str], source: &SourceFile) -> Applied {
    let mut problems: Vec<Diagnostic> = waivers
        .iter()
        .enumerate()
        .filter_map(|(index, waiver)| {
            invalid(waiver, services).map(|(field, message, hint)| {
                Diagnostic::error("invalid-waiver", message)
                    .at(source, &format!("waivers[{index}].{field}"))
                    .with_hint(hint)
            })
        })
        .collect();
    let valid: Vec<(usize, &RawWaiver)> = waivers
        .iter()
        .enumerate()
        .filter(|(_, w)| invalid(w, services).is_none())
        .collect();
    let mut used = vec![false; waivers.len()];
    let mut live = Vec::new();
    let mut waived = Vec::new();
    for finding in findings {
        match valid.iter().find(|(_, w)| covers(w, &finding)) {
            Some((index, waiver)) => {
                used[*index] = true;
                waived.push(Waived {
                    finding,
                    reason: waiver.reason.trim().to_owned(),
                });
            }
            None => live.push(finding),
        }
    }
    for (index, waiver) in valid {
        if !used[index] {
            let mut unused = Diagnostic::error(
                "unused-waiver",
                format!(
                    "the waiver of `{}` for `{}` matches no finding",
                    waiver.rule, waiver.target
                ),
            )
            .at(source, &format!("waivers[{index}]"))
            .with_hint("remove it, so it cannot hide a future problem");
            unused.severity = Severity::Warning;
            live.push(unused);
        }
    }
    live.append(&mut problems);
    crate::diagnostics::dedup(&mut live);
    crate::diagnostics::merge_inherited(&mut live);
    Applied { findings: live, waived }
}

/// Whether `waiver` accepts `finding`: same rule, and the target is the finding's service, its
/// object as `Kind/name`, or its variable as `<service>/env/<NAME>` (`serviceDefaults/env/<NAME>`
/// for a variable every service inherits).
fn covers(waiver: &RawWaiver, finding: &Diagnostic) -> bool {
    if waiver.rule != finding.code {
        return false;
    }
    if let Some((owner, variable)) = env_target(&waiver.target) {
        let Some(path) = finding.yaml_path.as_deref() else {
            return false;
        };
        let inherited = path == format!("serviceDefaults.env.{variable}");
        return if owner == SERVICE_DEFAULTS {
            inherited
        } else {
            finding.service.as_deref() == Some(owner)
                && (inherited || path == format!("services.{owner}.env.{variable}"))
        };
    }
    if finding.service.as_deref() == Some(waiver.target.as_str()) {
        return true;
    }
    let Some(object) = &finding.object else { return false };
    let parts: Vec<&str> = object.split('/').collect();
    let kind_and_name = match parts.as_slice() {
        [kind, _, name] | [kind, name] => format!("{kind}/{name}"),
        _ => return false,
    };
    kind_and_name == waiver.target
}

const SERVICE_DEFAULTS: &str = "serviceDefaults";

/// `<service>/env/<NAME>` as `(service, NAME)`.
fn env_target(target: &str) -> Option<(&str, &str)> {
    let (owner, rest) = target.split_once('/')?;
    let variable = rest.strip_prefix("env/")?;
    (!owner.is_empty() && !variable.is_empty() && !variable.contains('/')).then_some((owner, variable))
}

fn invalid(waiver: &RawWaiver, services: &[&str]) -> Option<(&'static str, String, String)> {
    match catalog::lookup(&waiver.rule) {
        None => {
            let codes = catalog::RULES
                .iter()
                .filter(|r| r.kind == RuleKind::Policy)
                .map(|r| r.code);
            let hint = match did_you_mean(&waiver.rule, codes) {
                Some(code) => format!("did you mean `{code}`?"),
                None => "`gen rules` lists the codes".to_owned(),
            };
            return Some(("rule", format!("there is no rule `{}`", waiver.rule), hint));
        }
        Some(rule) if rule.kind == RuleKind::Schema => {
            return Some((
                "rule",
                format!("`{}` is a schema error and cannot be waived", waiver.rule),
                "fix the profile instead".into(),
            ));
        }
        Some(_) => {}
    }
    if let Some((owner, _)) = env_target(&waiver.target) {
        if waiver.rule != "secret-in-env" {
            return Some((
                "target",
                format!(
                    "`{}` names one environment variable, which only `secret-in-env` judges",
                    waiver.target
                ),
                "target the service, or the object as `Kind/name`".into(),
            ));
        }
        if owner != SERVICE_DEFAULTS && !services.contains(&owner) {
            let hint = match did_you_mean(owner, services.iter().copied().chain([SERVICE_DEFAULTS])) {
                Some(service) => format!("did you mean `{service}`?"),
                None => {
                    "write `<service>/env/<NAME>`, or `serviceDefaults/env/<NAME>` for an inherited variable".into()
                }
            };
            return Some((
                "target",
                format!("`{owner}` in `{}` is not a service", waiver.target),
                hint,
            ));
        }
    }
    let is_object = waiver
        .target
        .split_once('/')
        .is_some_and(|(kind, name)| kind.starts_with(|c: char| c.is_ascii_uppercase()) && !name.is_empty());
    let is_variable = env_target(&waiver.target).is_some();
    if !is_object && !is_variable && !services.contains(&waiver.target.as_str()) {
        let hint = match did_you_mean(&waiver.target, services.iter().copied()) {
            Some(service) => format!("did you mean `{service}`?"),
            None => "name a service of this profile, an object as `Kind/name` (e.g. `Namespace/platform-v1-exp`), or a variable as `<service>/env/<NAME>`"
                .to_owned(),
        };
        return Some((
            "target",
            format!("`{}` is neither a service nor an object (`Kind/name`)", waiver.target),
            hint,
        ));
    }
    if waiver.reason.trim().len() < 10 {
        return Some(("reason", "a waiver needs a reason that explains why the exception is safe".into(), "write a sentence a reviewer can judge, e.g. \"dev experiments call external APIs; no production data here\"".into()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> SourceFile {
        let text = "waivers:\n  - rule: x\n";
        let mut source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.into());
        source.index(&marked_yaml::parse_yaml(0, text).unwrap());
        source
    }

    fn finding(code: &'static str, service: Option<&str>, object: Option<&str>) -> Diagnostic {
        let mut d = Diagnostic::error(code, "m");
        d.service = service.map(Into::into);
        d.object = object.map(Into::into);
        d
    }

    fn waiver(rule: &str, target: &str) -> RawWaiver {
        RawWaiver {
            rule: rule.into(),
            target: target.into(),
            reason: "accepted for a good reason".into(),
        }
    }

    #[test]
    fn waives_by_service_and_by_object() {
        let findings = vec![
            finding("image-digest-required", Some("api"), None),
            finding("egress-unrestricted", None, Some("Namespace/exp")),
            finding("pss-privileged", Some("worker"), Some("Deployment/ns/worker")),
        ];
        let waivers = [
            waiver("image-digest-required", "api"),
            waiver("egress-unrestricted", "Namespace/exp"),
        ];
        let applied = apply(findings, &waivers, &["api", "worker"], &source());
        assert_eq!(applied.waived.len(), 2);
        assert_eq!(
            applied.findings.iter().map(|d| d.code).collect::<Vec<_>>(),
            ["pss-privileged"]
        );
    }

    #[test]
    fn a_finding_inherited_from_service_defaults_is_one_finding_and_waivable_per_service() {
        let inherited = |service: &str| {
            let mut d = finding(
                "readiness-equals-liveness",
                Some(service),
                Some(&format!("Deployment/ns/{service}")),
            );
            d.yaml_path = Some("serviceDefaults.probes.readiness".into());
            d
        };
        let findings = || vec![inherited("api"), inherited("web"), inherited("worker")];
        let applied = apply(findings(), &[], &["api", "web", "worker"], &source());
        assert_eq!(applied.findings.len(), 1, "{:?}", applied.findings);
        assert!(
            applied.findings[0]
                .message
                .ends_with("inherited by 3 services: api, web, worker)"),
            "{}",
            applied.findings[0].message
        );
        let waiver = waiver("readiness-equals-liveness", "api");
        let applied = apply(findings(), &[waiver], &["api", "web", "worker"], &source());
        assert_eq!(applied.waived.len(), 1);
        assert_eq!(applied.findings.len(), 1);
        assert!(
            applied.findings[0]
                .message
                .ends_with("inherited by 2 services: web, worker)")
        );
    }

    #[test]
    fn a_waiver_can_target_one_environment_variable() {
        let variable = |service: &str, path: &str| {
            let mut d = finding("secret-in-env", Some(service), None);
            d.yaml_path = Some(path.into());
            d
        };
        let findings = || {
            vec![
                variable("api", "services.api.env.DB_HOST"),
                variable("api", "services.api.env.DB_PASS"),
                variable("api", "serviceDefaults.env.SHARED"),
                variable("web", "serviceDefaults.env.SHARED"),
            ]
        };
        let services = ["api", "web"];
        let live = |waivers: &[RawWaiver]| -> Vec<String> {
            let applied = apply(findings(), waivers, &services, &source());
            applied
                .findings
                .iter()
                .map(|d| format!("{} {}", d.code, d.yaml_path.clone().unwrap_or_default()))
                .collect()
        };
        assert_eq!(
            live(&[waiver("secret-in-env", "api/env/DB_HOST")]),
            [
                "secret-in-env services.api.env.DB_PASS",
                "secret-in-env serviceDefaults.env.SHARED"
            ]
        );
        // One service's copy of an inherited variable, or every service's at once.
        assert_eq!(
            live(&[waiver("secret-in-env", "web/env/SHARED")]),
            [
                "secret-in-env services.api.env.DB_HOST",
                "secret-in-env services.api.env.DB_PASS",
                "secret-in-env serviceDefaults.env.SHARED"
            ]
        );
        assert_eq!(
            live(&[waiver("secret-in-env", "serviceDefaults/env/SHARED")]),
            [
                "secret-in-env services.api.env.DB_HOST",
                "secret-in-env services.api.env.DB_PASS"
            ]
        );
        for bad in [
            waiver("secret-in-env", "apx/env/DB_HOST"),
            waiver("image-latest-tag", "api/env/DB_HOST"),
        ] {
            assert!(live(&[bad]).iter().any(|f| f.starts_with("invalid-waiver")));
        }
    }

    #[test]
    fn unused_waivers_are_warnings() {
        let applied = apply(vec![], &[waiver("pss-privileged", "api")], &["api"], &source());
        assert_eq!(applied.findings[0].code, "unused-waiver");
        assert_eq!(applied.findings[0].severity, Severity::Warning);
    }

    #[test]
    fn rejects_unknown_rules_schema_rules_unknown_targets_and_empty_reasons() {
        let mut no_reason = waiver("pss-privileged", "api");
        no_reason.reason = "  ".into();
        for bad in [
            waiver("pss-privilegd", "api"),
            waiver("unknown-field", "api"),
            waiver("pss-privileged", "apx"),
            no_reason,
        ] {
            let applied = apply(
                vec![finding("pss-privileged", Some("api"), None)],
                &[bad],
                &["api"],
                &source(),
            );
            assert!(
                applied.findings.iter().any(|d| d.code == "invalid-waiver"),
                "{:?}",
                applied.findings
            );
            assert!(applied.waived.is_empty());
        }
    }
}
