//! `--kube-version`: every shipped and example profile renders for each Kubernetes version gen
//! targets (1.29 to 1.35) or fails naming the version its field needs; the Pod Security labels
//! follow the target; anything else is a usage error.

mod common;

use common::*;

const VERSIONS: [&str; 7] = ["1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35"];

#[test]
fn every_profile_renders_for_every_version_or_names_the_version_it_needs() {
    for (name, profile) in all_profiles() {
        for version in VERSIONS {
            let output = gen_cmd(&["render", &profile, "--kube-version", version]);
            let (out, err) = (stdout(&output), stderr(&output));
            if output.status.success() {
                for mode in ["enforce", "audit", "warn"] {
                    let label = format!("pod-security.kubernetes.io/{mode}-version: v{version}\n");
                    assert!(out.contains(&label), "{name} for {version}: no `{label}`");
                }
                continue;
            }
            // The one field of the shipped profiles some targets lack: the pre-stop sleep
            // action, which they set explicitly and 1.29 has only behind an alpha gate.
            assert_eq!(output.status.code(), Some(2), "{name} for {version}:\n{err}");
            assert_eq!(version, "1.29", "{name} fails for {version}:\n{err}");
            assert!(err.contains("error[not-in-kube-version]"), "{name}:\n{err}");
            assert!(err.contains("is not in Kubernetes 1.29"), "{name}:\n{err}");
            assert!(err.contains("on by default since 1.30"), "{name}:\n{err}");
            assert!(err.contains("raise --kube-version to 1.30 or later"), "{name}:\n{err}");
        }
    }
}

#[test]
fn a_field_newer_than_the_target_stops_the_render_and_writes_nothing() {
    let temp = workspace();
    let out = temp.path().join("out");
    let output = gen_in(temp.path(), &["render", "prod", "-o", "out", "--kube-version", "1.29"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("`spec.template.spec.containers[0].lifecycle.preStop.sleep` is not in Kubernetes 1.29"),
        "{err}"
    );
    // It points at the setting that renders it.
    assert!(err.contains("preStopSleepSeconds: 15"), "{err}");
    assert!(!out.exists(), "nothing is written");
    // Without the explicit pause, 1.29 gets no default one and renders.
    edit(
        &temp.path().join("profiles/base.yaml"),
        "    preStopSleepSeconds: 15\n",
        "",
    );
    let output = gen_in(temp.path(), &["render", "prod", "--kube-version", "1.29"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stdout(&output).contains("sleep:"), "no default pre-stop sleep on 1.29");
    let output = gen_in(temp.path(), &["render", "prod", "--kube-version", "1.30"]);
    assert!(stdout(&output).contains("sleep:"), "the default pause from 1.30 on");
}

#[test]
fn other_versions_are_usage_errors_that_name_the_range() {
    for bad in ["1.28", "1.36", "2.0", "latest", "1.33.x"] {
        let output = gen_cmd(&["lint", "--kube-version", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let err = stderr(&output);
        assert!(err.contains("1.29 to 1.35"), "{bad}:\n{err}");
    }
    let output = gen_cmd(&["lint", "prod", "--kube-version", "v1.31"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn the_help_documents_the_flag() {
    let help = stdout(&gen_cmd(&["render", "--help"]));
    assert!(help.contains("--kube-version <VERSION>"), "{help}");
    assert!(help.contains("1.29 to 1.35"), "{help}");
    assert!(help.contains("[default: 1.33]"), "{help}");
}
