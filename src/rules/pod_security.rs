//! Pod Security Standards, `restricted` profile, rule by rule, on every pod template.
//! <https://kubernetes.io/docs/concepts/security/pod-security-standards/>

use k8s_openapi::api::core::v1::{Container, PodSpec, SecurityContext};

use super::Findings;
use crate::check::Object;

const ALLOWED_VOLUME_TYPES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// Every container of the pod (init, regular, ephemeral) with its field path.
pub fn containers<'p>(pod: &'p PodSpec, base: &str) -> Vec<(&'p Container, String)> {
    let init = pod
        .init_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| (c, format!("{base}.initContainers[{i}]")));
    let main = pod
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| (c, format!("{base}.containers[{i}]")));
    init.chain(main).collect()
}

pub fn check(object: &Object, pod: &PodSpec, base: &str, findings: &mut Findings) {
    host_namespaces(object, pod, base, findings);
    volumes(object, pod, base, findings);
    pod_context(object, pod, base, findings);
    for (container, path) in containers(pod, base) {
        let context = container.security_context.as_ref();
        container_context(object, pod, context, &path, findings);
        capabilities(object, context, &path, findings);
        host_ports(object, container, &path, findings);
    }
}

fn host_namespaces(object: &Object, pod: &PodSpec, base: &str, findings: &mut Findings) {
    for (field, value) in [
        ("hostNetwork", pod.host_network),
        ("hostPID", pod.host_pid),
        ("hostIPC", pod.host_ipc),
    ] {
        if value == Some(true) {
            findings.on_object(
                "pss-host-namespaces",
                object,
                &format!("{base}.{field}"),
                format!("the pod sets {field}: true"),
                "remove it",
            );
        }
    }
}

fn volumes(object: &Object, pod: &PodSpec, base: &str, findings: &mut Findings) {
    for (index, volume) in pod.volumes.iter().flatten().enumerate() {
        let encoded = serde_json::to_value(volume).unwrap_or_default();
        let kinds = encoded
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| *k != "name");
        for kind in kinds.filter(|k| !ALLOWED_VOLUME_TYPES.contains(&k.as_str())) {
            findings.on_object(
                "pss-volume-types",
                object,
                &format!("{base}.volumes[{index}].{kind}"),
                format!("volume `{}` is of type {kind}", volume.name),
                "use an emptyDir, configMap, secret, projected or persistentVolumeClaim volume",
            );
        }
    }
}

fn pod_context(object: &Object, pod: &PodSpec, base: &str, findings: &mut Findings) {
    let Some(context) = &pod.security_context else { return };
    let path = format!("{base}.securityContext");
    if context.run_as_user == Some(0) {
        findings.on_object(
            "pss-run-as-root",
            object,
            &format!("{path}.runAsUser"),
            "the pod runs as uid 0".into(),
            "use a uid of 10000 or more",
        );
    }
    for (index, sysctl) in context.sysctls.iter().flatten().enumerate() {
        if !SAFE_SYSCTLS.contains(&sysctl.name.as_str()) {
            findings.on_object(
                "pss-sysctls",
                object,
                &format!("{path}.sysctls[{index}]"),
                format!("sysctl `{}` is not a safe sysctl", sysctl.name),
                "remove it, or set it on the node",
            );
        }
    }
    if let Some(selinux) = &context.se_linux_options {
        selinux_options(object, selinux, &path, findings);
    }
}

fn selinux_options(
    object: &Object,
    options: &k8s_openapi::api::core::v1::SELinuxOptions,
    path: &str,
    findings: &mut Findings,
) {
    let custom_type = options.type_.as_deref().is_some_and(|t| !SELINUX_TYPES.contains(&t));
    if options.user.is_some() || options.role.is_some() || custom_type {
        findings.on_object(
            "pss-selinux",
            object,
            &format!("{path}.seLinuxOptions"),
            "custom SELinux options".into(),
            "remove seLinuxOptions, or use a container_* type only",
        );
    }
}

fn container_context(
    object: &Object,
    pod: &PodSpec,
    context: Option<&SecurityContext>,
    path: &str,
    findings: &mut Findings,
) {
    let pod_context = pod.security_context.as_ref();
    let sc = format!("{path}.securityContext");
    if context.and_then(|c| c.privileged) == Some(true) {
        findings.on_object(
            "pss-privileged",
            object,
            &format!("{sc}.privileged"),
            "the container runs privileged".into(),
            "remove `privileged: true`",
        );
    }
    if context.and_then(|c| c.allow_privilege_escalation) != Some(false) {
        findings.on_object(
            "pss-privilege-escalation",
            object,
            &format!("{sc}.allowPrivilegeEscalation"),
            "allowPrivilegeEscalation is not false".into(),
            "set allowPrivilegeEscalation: false",
        );
    }
    let non_root = context
        .and_then(|c| c.run_as_non_root)
        .or(pod_context.and_then(|p| p.run_as_non_root));
    if non_root != Some(true) {
        findings.on_object(
            "pss-run-as-non-root",
            object,
            &format!("{sc}.runAsNonRoot"),
            "runAsNonRoot is not true".into(),
            "set runAsNonRoot: true",
        );
    }
    if context.and_then(|c| c.run_as_user) == Some(0) {
        findings.on_object(
            "pss-run-as-root",
            object,
            &format!("{sc}.runAsUser"),
            "the container runs as uid 0".into(),
            "use a uid of 10000 or more",
        );
    }
    let seccomp = context
        .and_then(|c| c.seccomp_profile.as_ref())
        .or(pod_context.and_then(|p| p.seccomp_profile.as_ref()));
    if !seccomp.is_some_and(|s| matches!(s.type_.as_str(), "RuntimeDefault" | "Localhost")) {
        findings.on_object(
            "pss-seccomp",
            object,
            &format!("{sc}.seccompProfile"),
            "no RuntimeDefault or Localhost seccomp profile".into(),
            "set seccompProfile: {type: RuntimeDefault}",
        );
    }
    if context
        .and_then(|c| c.proc_mount.as_deref())
        .is_some_and(|m| m != "Default")
    {
        findings.on_object(
            "pss-proc-mount",
            object,
            &format!("{sc}.procMount"),
            "procMount is not Default".into(),
            "remove procMount",
        );
    }
    if let Some(selinux) = context.and_then(|c| c.se_linux_options.as_ref()) {
        selinux_options(object, selinux, &sc, findings);
    }
}

fn capabilities(object: &Object, context: Option<&SecurityContext>, path: &str, findings: &mut Findings) {
    let caps = context.and_then(|c| c.capabilities.as_ref());
    let field = format!("{path}.securityContext.capabilities");
    if !caps
        .and_then(|c| c.drop.as_ref())
        .is_some_and(|d| d.iter().any(|cap| cap == "ALL"))
    {
        findings.on_object(
            "pss-capabilities",
            object,
            &format!("{field}.drop"),
            "capabilities are not dropped: drop does not include ALL".into(),
            "set capabilities.drop: [ALL]",
        );
    }
    for added in caps
        .and_then(|c| c.add.as_ref())
        .into_iter()
        .flatten()
        .filter(|cap| *cap != "NET_BIND_SERVICE")
    {
        findings.on_object(
            "pss-capabilities",
            object,
            &format!("{field}.add"),
            format!("the container adds capability {added}"),
            "add nothing but NET_BIND_SERVICE",
        );
    }
}

fn host_ports(object: &Object, container: &Container, path: &str, findings: &mut Findings) {
    for (index, port) in container.ports.iter().flatten().enumerate() {
        if port.host_port.is_some_and(|p| p != 0) {
            findings.on_object(
                "pss-host-ports",
                object,
                &format!("{path}.ports[{index}].hostPort"),
                format!("the container binds host port {}", port.host_port.unwrap_or_default()),
                "remove hostPort and expose the port through a Service",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{Capabilities, HostPathVolumeSource, SELinuxOptions, Sysctl, Volume};

    use crate::rule_tests;

    fn sc(f: &mut crate::rules::testing::Fixture) -> &mut k8s_openapi::api::core::v1::SecurityContext {
        f.container("auth-service").security_context.as_mut().unwrap()
    }

    rule_tests!(host_namespaces, "pss-host-namespaces", f => { f.pod("auth-service").host_network = Some(true); });
    rule_tests!(privileged, "pss-privileged", f => { sc(&mut f).privileged = Some(true); });
    rule_tests!(capabilities_not_dropped, "pss-capabilities", f => { sc(&mut f).capabilities = None; });
    rule_tests!(capabilities_added, "pss-capabilities", f => {
        sc(&mut f).capabilities = Some(Capabilities { add: Some(vec!["SYS_ADMIN".into()]), drop: Some(vec!["ALL".into()]) });
    });
    rule_tests!(volume_types, "pss-volume-types", f => {
        f.pod("auth-service").volumes.get_or_insert_with(Vec::new).push(Volume {
            name: "host".into(),
            host_path: Some(HostPathVolumeSource { path: "/var/run".into(), ..Default::default() }),
            ..Default::default()
        });
    });
    rule_tests!(host_ports, "pss-host-ports", f => {
        f.container("auth-service").ports.as_mut().unwrap()[0].host_port = Some(8000);
    });
    rule_tests!(privilege_escalation, "pss-privilege-escalation", f => { sc(&mut f).allow_privilege_escalation = None; });
    rule_tests!(run_as_non_root, "pss-run-as-non-root", f => {
        sc(&mut f).run_as_non_root = Some(false);
    });
    rule_tests!(run_as_root, "pss-run-as-root", f => { sc(&mut f).run_as_user = Some(0); });
    rule_tests!(seccomp, "pss-seccomp", f => {
        sc(&mut f).seccomp_profile.as_mut().unwrap().type_ = "Unconfined".into();
    });
    rule_tests!(proc_mount, "pss-proc-mount", f => { sc(&mut f).proc_mount = Some("Unmasked".into()); });
    rule_tests!(sysctls, "pss-sysctls", f => {
        f.pod("auth-service").security_context.as_mut().unwrap().sysctls =
            Some(vec![Sysctl { name: "kernel.msgmax".into(), value: "65536".into() }]);
    });
    rule_tests!(selinux, "pss-selinux", f => {
        sc(&mut f).se_linux_options = Some(SELinuxOptions { type_: Some("spc_t".into()), ..Default::default() });
    });

    #[test]
    fn pod_level_settings_count_for_every_container() {
        let mut f = crate::rules::testing::prod();
        // The pod sets runAsNonRoot and seccomp; a container that leaves them unset is fine.
        let context = sc(&mut f);
        context.run_as_non_root = None;
        context.seccomp_profile = None;
        let codes = f.codes();
        assert!(
            !codes.contains(&"pss-run-as-non-root") && !codes.contains(&"pss-seccomp"),
            "{codes:?}"
        );
    }
}
