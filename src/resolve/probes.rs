//! Startup, liveness and readiness probes: HTTP, TCP, gRPC or exec, merged field by field
//! from `serviceDefaults`. A probe the profile does not write is not rendered: gen never
//! probes a path the app may not serve.

use super::Resolver;
use crate::model::{Port, PortValue, Probe, ProbeCheck, Probes};
use crate::profile::{PortRef, RawProbe, RawServiceSettings, WorkloadKind};

/// Default timings per probe: (periodSeconds, failureThreshold). A startup probe allows a
/// slow start (30 x 5 s); liveness and readiness react within half a minute.
pub(crate) const STARTUP_TIMING: (i64, i64) = (5, 30);
pub(crate) const LIVENESS_TIMING: (i64, i64) = (10, 3);
pub(crate) const READINESS_TIMING: (i64, i64) = (5, 3);
pub(crate) const DEFAULT_TIMEOUT: i64 = 3;

/// One probe from the service over one from `serviceDefaults`: the check (what is probed)
/// comes whole from whichever side names one, timings field by field.
pub(super) fn merge_probe(defaults: Option<&RawProbe>, own: Option<&RawProbe>) -> Option<RawProbe> {
    let (defaults, own) = match (defaults, own) {
        (None, None) => return None,
        (Some(d), None) => return Some(d.clone()),
        (None, Some(o)) => return Some(o.clone()),
        (Some(d), Some(o)) => (d, o),
    };
    let check = if names_a_check(own) { own } else { defaults };
    // The HTTP port goes with the path: it merges like a timing while both sides are HTTP
    // probes (or the service names only a port), and comes with the check otherwise.
    let both_http = own.path.is_some() && defaults.path.is_some();
    let port = if !names_a_check(own) || both_http {
        own.port.clone().or_else(|| defaults.port.clone())
    } else {
        own.port.clone()
    };
    Some(RawProbe {
        path: check.path.clone(),
        port,
        tcp: check.tcp.clone(),
        grpc: check.grpc.clone(),
        exec: check.exec.clone(),
        period_seconds: own.period_seconds.or(defaults.period_seconds),
        timeout_seconds: own.timeout_seconds.or(defaults.timeout_seconds),
        failure_threshold: own.failure_threshold.or(defaults.failure_threshold),
        initial_delay_seconds: own.initial_delay_seconds.or(defaults.initial_delay_seconds),
    })
}

fn names_a_check(probe: &RawProbe) -> bool {
    probe.path.is_some() || probe.tcp.is_some() || probe.grpc.is_some() || probe.exec.is_some()
}

impl Resolver<'_> {
    pub(super) fn probes(
        &mut self,
        path: &str,
        kind: WorkloadKind,
        settings: &RawServiceSettings,
        ports: &[Port],
    ) -> Probes {
        let raw = settings.probes.as_ref().filter(|_| kind.is_long_running());
        let path = format!("{path}.probes");
        let none_reason = raw.and_then(|p| p.none.clone());
        if let Some(reason) = &none_reason {
            let written = raw.is_some_and(|p| p.startup.is_some() || p.liveness.is_some() || p.readiness.is_some());
            if written {
                self.error(
                    "invalid-probe",
                    &format!("{path}.none"),
                    "`none` says the workload has no probes, but probes are set too",
                    "keep either `none` or the probes",
                );
            }
            if kind != WorkloadKind::Worker {
                self.error(
                    "kind-mismatch",
                    &format!("{path}.none"),
                    format!("a {} must be probed: traffic goes only to ready pods", kind.as_str()),
                    "give it a readiness and a liveness probe; only workers may go without",
                );
            }
            if reason.trim().len() < 10 {
                self.error(
                    "invalid-value",
                    &format!("{path}.none"),
                    "say why the worker needs no probes",
                    "e.g. `none: the consumer exits on any error and Kubernetes restarts it`",
                );
            }
            return Probes {
                startup: None,
                liveness: None,
                readiness: None,
                none_reason,
            };
        }
        let mut probe = |name: &str, raw: Option<&RawProbe>, timing: (i64, i64)| {
            raw.map(|raw| self.probe(&format!("{path}.{name}"), raw, timing, ports))
        };
        let startup = probe("startup", raw.and_then(|p| p.startup.as_ref()), STARTUP_TIMING);
        let liveness = probe("liveness", raw.and_then(|p| p.liveness.as_ref()), LIVENESS_TIMING);
        let readiness = probe("readiness", raw.and_then(|p| p.readiness.as_ref()), READINESS_TIMING);
        Probes {
            startup,
            liveness,
            readiness,
            none_reason: None,
        }
    }

    fn probe(&mut self, path: &str, raw: &RawProbe, timing: (i64, i64), ports: &[Port]) -> Probe {
        let (period, failures) = timing;
        let check = self.probe_check(path, raw, ports);
        let probe = Probe {
            check,
            period_seconds: raw.period_seconds.unwrap_or(period),
            timeout_seconds: raw.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT),
            failure_threshold: raw.failure_threshold.unwrap_or(failures),
            initial_delay_seconds: raw.initial_delay_seconds.unwrap_or(0),
        };
        for (key, value, minimum) in [
            ("periodSeconds", probe.period_seconds, 1),
            ("timeoutSeconds", probe.timeout_seconds, 1),
            ("failureThreshold", probe.failure_threshold, 1),
            ("initialDelaySeconds", probe.initial_delay_seconds, 0),
        ] {
            if value < minimum {
                self.error(
                    "invalid-probe",
                    &format!("{path}.{key}"),
                    format!("{key} must be at least {minimum}, not {value}"),
                    format!("set {key} to {minimum} or more"),
                );
            }
        }
        if probe.timeout_seconds > probe.period_seconds {
            self.error(
                "invalid-probe",
                &format!("{path}.timeoutSeconds"),
                format!(
                    "timeoutSeconds {} is longer than periodSeconds {}",
                    probe.timeout_seconds, probe.period_seconds
                ),
                "a probe must time out before the next one starts",
            );
        }
        probe
    }

    fn probe_check(&mut self, path: &str, raw: &RawProbe, ports: &[Port]) -> ProbeCheck {
        let named: Vec<&str> = [
            ("path", raw.path.is_some()),
            ("tcp", raw.tcp.is_some()),
            ("grpc", raw.grpc.is_some()),
            ("exec", raw.exec.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect();
        if named.len() != 1 {
            let message = if named.is_empty() {
                "the probe does not say what to check".to_owned()
            } else {
                format!("the probe names {} checks: {}", named.len(), named.join(", "))
            };
            self.error(
                "invalid-probe",
                path,
                message,
                "give exactly one of `path: /healthz` (HTTP GET), `tcp: <port>`, `grpc: <port>` or `exec: [command, ...]`",
            );
        }
        if raw.port.is_some() && raw.path.is_none() {
            self.error(
                "invalid-probe",
                &format!("{path}.port"),
                "`port` goes with an HTTP `path`",
                "for TCP and gRPC probes, give the port as the value: `tcp: http`",
            );
        }
        if let Some(probe_path) = &raw.path {
            if !probe_path.starts_with('/') || probe_path.chars().any(char::is_whitespace) {
                self.error(
                    "invalid-probe",
                    &format!("{path}.path"),
                    format!("probe path `{probe_path}` must start with `/` and contain no spaces"),
                    "write an absolute HTTP path such as `/healthz`",
                );
            }
            let port = raw.port.clone().unwrap_or(PortRef::Name("http".into()));
            let at = if raw.port.is_some() {
                format!("{path}.port")
            } else {
                format!("{path}.path")
            };
            let port = self.probe_port(&at, &port, ports);
            return ProbeCheck::Http {
                path: probe_path.clone(),
                port: port.map_or(PortValue::Name("http".into()), |p| PortValue::Name(p.name.clone())),
            };
        }
        if let Some(port) = &raw.tcp {
            let found = self.probe_port(&format!("{path}.tcp"), port, ports);
            return ProbeCheck::Tcp {
                port: found.map_or(PortValue::Number(0), |p| PortValue::Name(p.name.clone())),
            };
        }
        if let Some(port) = &raw.grpc {
            // Kubernetes takes only a number for gRPC probes.
            let found = self.probe_port(&format!("{path}.grpc"), port, ports);
            return ProbeCheck::Grpc {
                port: found.map_or(0, |p| p.port),
            };
        }
        let command = raw.exec.clone().unwrap_or_default();
        if raw.exec.is_some() && command.first().is_none_or(|c| c.trim().is_empty()) {
            self.error(
                "invalid-probe",
                &format!("{path}.exec"),
                "the exec probe has no command",
                "give the command and its arguments, e.g. `exec: [/app/healthcheck, --quick]`",
            );
        }
        ProbeCheck::Exec { command }
    }

    /// The container port a probe names, by name or number.
    fn probe_port<'p>(&mut self, path: &str, port: &PortRef, ports: &'p [Port]) -> Option<&'p Port> {
        let found = match port {
            PortRef::Name(name) => ports.iter().find(|p| &p.name == name),
            PortRef::Number(number) => ports.iter().find(|p| p.port == *number),
        };
        if found.is_none() {
            let shown = match port {
                PortRef::Name(name) => format!("`{name}`"),
                PortRef::Number(number) => number.to_string(),
            };
            let declared: Vec<String> = ports.iter().map(|p| format!("{} ({})", p.name, p.port)).collect();
            let hint = if declared.is_empty() {
                "the service declares no ports: set `ports.http` (or `ports.extra`), or probe with `exec`".to_owned()
            } else {
                format!("probe one of the service's ports: {}", declared.join(", "))
            };
            self.error(
                "unknown-port",
                path,
                format!("the probe checks port {shown}, which the service does not declare"),
                hint,
            );
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(path: Option<&str>, period: Option<i64>) -> RawProbe {
        RawProbe {
            path: path.map(str::to_owned),
            period_seconds: period,
            ..RawProbe::default()
        }
    }

    #[test]
    fn timings_merge_field_by_field_and_the_check_comes_whole() {
        let defaults = probe(Some("/ready"), Some(5));
        let mut own = probe(None, Some(10));
        own.failure_threshold = Some(6);
        let merged = merge_probe(Some(&defaults), Some(&own)).unwrap();
        assert_eq!(merged.path.as_deref(), Some("/ready"));
        assert_eq!((merged.period_seconds, merged.failure_threshold), (Some(10), Some(6)));
        let tcp = RawProbe {
            tcp: Some(PortRef::Name("http".into())),
            ..RawProbe::default()
        };
        let merged = merge_probe(Some(&defaults), Some(&tcp)).unwrap();
        assert_eq!((merged.path, merged.tcp), (None, Some(PortRef::Name("http".into()))));
        assert_eq!(merged.period_seconds, Some(5), "the default timing stays");
        // A port alone re-aims the inherited HTTP check; a new path keeps the inherited port.
        let on_metrics = RawProbe {
            port: Some(PortRef::Name("metrics".into())),
            ..RawProbe::default()
        };
        let merged = merge_probe(Some(&defaults), Some(&on_metrics)).unwrap();
        assert_eq!(merged.path.as_deref(), Some("/ready"));
        assert_eq!(merged.port, Some(PortRef::Name("metrics".into())));
        let merged = merge_probe(Some(&merged), Some(&probe(Some("/other"), None))).unwrap();
        assert_eq!(
            (merged.path.as_deref(), merged.port),
            (Some("/other"), Some(PortRef::Name("metrics".into())))
        );
    }
}
