//! The hardening guarantees, held for every pod gen renders, whatever its kind: a profile with
//! every workload kind (`tests/fixtures/every-kind.yaml`) is rendered, and each pod template
//! is checked field by field, then by every policy rule.

use k8s_openapi::api::core::v1::PodSpec;

use crate::check::Object;
use crate::locate::ProfileFile;
use crate::pipeline;
use crate::profile::WorkloadKind;
use crate::render::Renderer;

fn fixture() -> ProfileFile {
    ProfileFile {
        name: "every-kind".into(),
        path: camino::Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/every-kind.yaml"),
        overrides: Vec::new(),
    }
}

fn every_kind() -> pipeline::Output {
    match pipeline::run(&fixture(), &Renderer::new()) {
        Ok(output) => output,
        Err(_) => panic!("the every-kind fixture renders"),
    }
}

/// The fixture's typed objects, before the rules.
fn every_kind_built() -> pipeline::Built {
    match pipeline::build(&fixture(), &Renderer::new()) {
        Ok(built) => built,
        Err(_) => panic!("the every-kind fixture builds"),
    }
}

fn assert_hardened(object: &Object, pod: &PodSpec) {
    let at = object.identity();
    let context = pod
        .security_context
        .as_ref()
        .unwrap_or_else(|| panic!("{at}: no pod securityContext"));
    assert_eq!(context.run_as_non_root, Some(true), "{at}");
    assert!(context.run_as_user.is_some_and(|u| u >= 10000), "{at}: uid");
    assert_eq!(
        context.seccomp_profile.as_ref().map(|s| s.type_.as_str()),
        Some("RuntimeDefault"),
        "{at}"
    );
    assert_ne!(pod.host_network, Some(true), "{at}");
    assert_ne!(pod.host_pid, Some(true), "{at}");
    assert_ne!(pod.host_ipc, Some(true), "{at}");
    let bound = object.service.as_deref() == Some("worker");
    assert_eq!(
        pod.automount_service_account_token,
        Some(bound),
        "{at}: token only with permissions"
    );
    for container in pod.containers.iter().chain(pod.init_containers.iter().flatten()) {
        let at = format!("{at} container {}", container.name);
        let security = container.security_context.as_ref().unwrap_or_else(|| panic!("{at}"));
        assert_eq!(security.allow_privilege_escalation, Some(false), "{at}");
        assert_eq!(security.privileged, Some(false), "{at}");
        assert_eq!(security.read_only_root_filesystem, Some(true), "{at}");
        assert_eq!(security.run_as_non_root, Some(true), "{at}");
        let drop = security
            .capabilities
            .as_ref()
            .and_then(|c| c.drop.clone())
            .unwrap_or_default();
        assert_eq!(drop, ["ALL"], "{at}");
        assert!(
            security.capabilities.as_ref().is_none_or(|c| c.add.is_none()),
            "{at}: no added capabilities"
        );
        let resources = container
            .resources
            .as_ref()
            .unwrap_or_else(|| panic!("{at}: resources"));
        for map in [&resources.requests, &resources.limits] {
            let map = map.as_ref().unwrap_or_else(|| panic!("{at}: requests and limits"));
            assert!(map.contains_key("cpu") && map.contains_key("memory"), "{at}");
        }
        assert!(
            container.image.as_deref().is_some_and(|i| i.contains("@sha256:")),
            "{at}: digest"
        );
        assert!(
            container
                .env
                .iter()
                .flatten()
                .all(|e| e.value_from.as_ref().is_none_or(|v| v.secret_key_ref.is_none())),
            "{at}: secrets are files, not environment"
        );
    }
}

#[test]
fn every_pod_of_every_kind_is_hardened() {
    let built = every_kind_built();
    let mut seen = Vec::new();
    for object in &built.objects {
        if let Some((pod, _)) = object.typed.pod_spec() {
            assert_hardened(object, pod);
            seen.push(object.kind.as_str());
        }
    }
    for kind in WorkloadKind::ALL {
        assert!(
            seen.contains(&kind.object_kind()),
            "the fixture renders no {} for kind {}",
            kind.object_kind(),
            kind.as_str()
        );
    }
    assert_eq!(seen.len(), 6, "web, three workers, a cronjob and a job: {seen:?}");
}

#[test]
fn every_kind_lints_clean_and_the_rules_reach_every_pod() {
    let output = every_kind();
    let findings: Vec<_> = output
        .report
        .findings
        .iter()
        .map(|d| (d.code, d.object.clone()))
        .collect();
    assert!(findings.is_empty(), "{findings:?}");
    // The same pods, each loosened once, must each make the pod rules fire.
    let built = every_kind_built();
    for object in built.objects.iter().filter(|o| o.typed.pod_spec().is_some()) {
        let mut loosened = object.clone();
        let pod = loosened
            .typed
            .pod_spec_mut()
            .unwrap_or_else(|| panic!("pod_spec_mut() misses {}", object.identity()));
        pod.host_network = Some(true);
        pod.containers[0].security_context.as_mut().unwrap().privileged = Some(true);
        let codes: Vec<_> = super::run(&built.model, std::slice::from_ref(&loosened), &built.source)
            .iter()
            .map(|d| d.code)
            .collect();
        for code in ["pss-host-namespaces", "pss-privileged"] {
            assert!(codes.contains(&code), "{code} missed {}: {codes:?}", object.identity());
        }
    }
}
