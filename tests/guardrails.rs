//! Namespace guardrails end to end: the Pod Security level, extra namespace labels, and the
//! quota's capacity proof as `gen lint` prints it.

mod common;

use common::*;

const HUB: &str = "examples/analytics-hub/prod.yaml";

#[test]
fn baseline_pod_security_is_a_finding_until_waived_with_a_reason() {
    let output = gen_cmd(&["lint", HUB, "--set", "podSecurity=baseline"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("error[namespace-pod-security]"),
        "{}",
        stdout(&output)
    );

    let waiver = "waivers=[{rule: namespace-pod-security, target: Namespace/llm-analytics, reason: the infrastructure operators need baseline}]";
    let output = gen_cmd(&["render", HUB, "--set", "podSecurity=baseline", "--set", waiver]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    for mode in ["enforce", "audit", "warn"] {
        assert!(
            text.contains(&format!("pod-security.kubernetes.io/{mode}: baseline")),
            "{mode}: {text}"
        );
    }
}

#[test]
fn extra_namespace_labels_join_gens_and_never_replace_them() {
    let output = gen_cmd(&["render", HUB, "--set", "namespaceLabels.istio-injection=enabled"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("istio-injection: enabled"), "{text}");
    assert!(
        text.contains("pod-security.kubernetes.io/enforce: restricted"),
        "{text}"
    );
    let output = gen_cmd(&[
        "lint",
        HUB,
        "--set",
        "namespaceLabels.pod-security.kubernetes.io/enforce=privileged",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn lint_prints_the_need_at_full_scale_against_the_quota() {
    let output = gen_cmd(&["lint", HUB]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    // api 50 + 13 surge, frontend 20 + 5, kafka-consumer 30 + 8: the KEDA ScaledObject's
    // maximum counts as an HPA's does.
    assert!(text.contains("pods: needs 126 of 140 at full scale (fits)"), "{text}");
    let output = gen_cmd(&["lint", HUB, "--set", "quota.pods=125"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("error[quota-below-need]: the quota's pods 125 is 1 short of the 126"),
        "{text}"
    );
    assert!(text.contains("Deployment/api 63"), "{text}");
    assert!(text.contains("Deployment/kafka-consumer 38"), "{text}");
}
