//! The capacity proof: what the namespace needs when every autoscaler is at its maximum, every
//! Deployment is mid-rollout (its surge pods up) and every cronjob and job runs, against the
//! ResourceQuota. A quota that would stop a scale-out or a rollout is a finding with the numbers.

use super::Findings;
use crate::model::{Model, Quota, Service};
use crate::profile::{ServiceType, WorkloadKind};
use crate::quantity;

/// Deployments surge by 25% of their replicas, rounded up (templates/deployment.yaml).
const SURGE_PERCENT: i64 = 25;

/// One workload's share of the namespace at full scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub workload: String,
    /// Pods at full scale, surge included.
    pub pods: i64,
    pub surge: i64,
    pub requests_cpu: f64,
    pub requests_memory: f64,
    pub limits_cpu: f64,
    pub limits_memory: f64,
}

/// What every workload needs at full scale, in the model's order.
pub fn shares(model: &Model) -> Vec<Share> {
    model.services.iter().map(share).collect()
}

fn share(service: &Service) -> Share {
    let (replicas, surge) = match service.kind {
        WorkloadKind::Web | WorkloadKind::Worker => {
            let most = service
                .autoscaling
                .as_ref()
                .map_or(service.replicas.unwrap_or(1), |a| a.max_replicas);
            (most, (most * SURGE_PERCENT + 99) / 100)
        }
        // One pod per run: gen renders Jobs without parallelism, and a cronjob's Forbid (the
        // default) or Replace keeps one run at a time.
        WorkloadKind::Cronjob | WorkloadKind::Job => (1, 0),
    };
    let pods = replicas + surge;
    let per_pod = |text: &str| quantity::parse(text).unwrap_or(0.0);
    let resources = &service.resources;
    Share {
        workload: format!("{}/{}", service.kind.object_kind(), service.name),
        pods,
        surge,
        requests_cpu: pods as f64 * per_pod(&resources.cpu_request),
        requests_memory: pods as f64 * per_pod(&resources.memory_request),
        limits_cpu: pods as f64 * per_pod(&resources.cpu_limit),
        limits_memory: pods as f64 * per_pod(&resources.memory_limit),
    }
}

/// One line per quota the profile sets: the need at full scale against the quota.
pub fn summary(model: &Model) -> Vec<String> {
    let Some(quota) = &model.quota else {
        return Vec::new();
    };
    dimensions(model, quota)
        .into_iter()
        .map(|d| {
            let verdict = if d.need <= d.hard + f64::EPSILON * d.hard.abs() {
                "fits"
            } else {
                "SHORT"
            };
            format!(
                "{}: needs {} of {} at full scale ({verdict})",
                d.key,
                (d.show)(d.need),
                (d.show)(d.hard)
            )
        })
        .collect()
}

struct Dimension {
    key: &'static str,
    yaml_path: &'static str,
    need: f64,
    hard: f64,
    show: fn(f64) -> String,
    /// Each workload's part of the need, for the message.
    parts: Vec<(String, f64)>,
}

impl Dimension {
    /// Whether the need fits the hard limit. Quantities are decimals: allow for the rounding of
    /// sums of them. One predicate, so the summary and the finding never disagree.
    fn fits(&self) -> bool {
        self.need <= self.hard * (1.0 + 1e-9)
    }
}

fn dimensions(model: &Model, quota: &Quota) -> Vec<Dimension> {
    let shares = shares(model);
    let mut out = Vec::new();
    let mut add = |key, yaml_path, hard: Option<f64>, show: fn(f64) -> String, part: fn(&Share) -> f64| {
        if let Some(hard) = hard {
            let parts: Vec<(String, f64)> = shares.iter().map(|s| (s.workload.clone(), part(s))).collect();
            let need = parts.iter().map(|(_, n)| n).sum();
            out.push(Dimension {
                key,
                yaml_path,
                need,
                hard,
                show,
                parts,
            });
        }
    };
    let parse = |q: &Option<String>| q.as_deref().and_then(quantity::parse);
    add("pods", "quota.pods", quota.pods.map(|p| p as f64), count, |s| {
        s.pods as f64
    });
    add(
        "requests.cpu",
        "quota.requests.cpu",
        parse(&quota.requests_cpu),
        cores,
        |s| s.requests_cpu,
    );
    add(
        "requests.memory",
        "quota.requests.memory",
        parse(&quota.requests_memory),
        bytes,
        |s| s.requests_memory,
    );
    add("limits.cpu", "quota.limits.cpu", parse(&quota.limits_cpu), cores, |s| {
        s.limits_cpu
    });
    add(
        "limits.memory",
        "quota.limits.memory",
        parse(&quota.limits_memory),
        bytes,
        |s| s.limits_memory,
    );
    let services = model.services.iter().filter(|s| s.expose.is_some()).count() as f64;
    let balancers = model
        .services
        .iter()
        .filter(|s| {
            s.expose
                .as_ref()
                .is_some_and(|e| e.service_type == ServiceType::LoadBalancer)
        })
        .count() as f64;
    // Kubernetes puts `kube-root-ca.crt` in every namespace.
    let config_maps = model.config_maps.len() as f64 + 1.0;
    for (key, yaml_path, hard, need) in [
        ("services", "quota.services", quota.services, services),
        (
            "services.loadbalancers",
            "quota.loadBalancers",
            quota.load_balancers,
            balancers,
        ),
        ("configmaps", "quota.configMaps", quota.config_maps, config_maps),
    ] {
        if let Some(hard) = hard {
            out.push(Dimension {
                key,
                yaml_path,
                need,
                hard: hard as f64,
                show: count,
                parts: Vec::new(),
            });
        }
    }
    out
}

fn count(n: f64) -> String {
    format!("{}", n.round() as i64)
}

fn cores(n: f64) -> String {
    let milli = (n * 1000.0).round() as i64;
    if milli % 1000 == 0 {
        format!("{}", milli / 1000)
    } else {
        format!("{milli}m")
    }
}

fn bytes(n: f64) -> String {
    let mib = n / (1024.0 * 1024.0);
    if mib >= 1024.0 && (mib / 1024.0).fract() == 0.0 {
        format!("{}Gi", mib / 1024.0)
    } else {
        format!("{}Mi", mib.round() as i64)
    }
}

pub fn check(model: &Model, findings: &mut Findings) {
    let Some(quota) = &model.quota else {
        return;
    };
    for dimension in dimensions(model, quota) {
        if dimension.fits() {
            continue;
        }
        let mut parts: Vec<&(String, f64)> = dimension.parts.iter().filter(|(_, n)| *n > 0.0).collect();
        parts.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let listed: Vec<String> = parts
            .iter()
            .take(5)
            .map(|(workload, need)| format!("{workload} {}", (dimension.show)(*need)))
            .collect();
        let who = if listed.is_empty() {
            String::new()
        } else {
            format!(" ({}{})", listed.join(", "), if parts.len() > 5 { ", ..." } else { "" })
        };
        let short = (dimension.show)(dimension.need - dimension.hard);
        findings.on_namespace(
            "quota-below-need",
            dimension.yaml_path,
            &model.namespace,
            format!(
                "the quota's {} {} is {short} short of the {} the workloads need at full scale{who}: the scale-out or rollout that asks last stops there",
                dimension.key,
                (dimension.show)(dimension.hard),
                (dimension.show)(dimension.need),
            ),
            format!(
                "raise `{}` to at least {}, or lower the autoscalers' maxReplicas; full scale counts every autoscaler at its maximum, {SURGE_PERCENT}% surge pods during a rollout, and one pod per cronjob and job",
                dimension.yaml_path,
                (dimension.show)(dimension.need)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locate::ProfileFile;
    use crate::rule_tests;

    rule_tests!(quota_below_need, "quota-below-need", f => {
        f.model.quota = Some(Quota {
            requests_cpu: None,
            requests_memory: None,
            limits_cpu: None,
            limits_memory: None,
            pods: Some(1),
            services: None,
            load_balancers: None,
            persistent_volume_claims: None,
            config_maps: None,
            secrets: None,
        });
    });
    use crate::pipeline;
    use crate::render::Renderer;

    /// The findings and the capacity summary of a shipped profile with `--set` overrides.
    fn lint(profile: &str, overrides: &[&str]) -> (Vec<crate::diagnostics::Diagnostic>, Vec<String>) {
        let root = camino::Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let file = ProfileFile {
            name: "p".into(),
            path: root.join(profile),
            overrides: overrides.iter().map(|o| o.to_string()).collect(),
        };
        match pipeline::run(&file, &Renderer::new()) {
            Ok(output) => (output.report.findings, output.report.capacity),
            Err(_) => panic!("{profile} with {overrides:?} renders"),
        }
    }

    // prod: auth-service up to 20 (+5 surge), analysis-service 50 (+13), ai-orchestrator 30 (+8).
    const PROD_PODS_AT_FULL_SCALE: i64 = 25 + 63 + 38;

    #[test]
    fn a_quota_that_admits_full_scale_passes_and_one_pod_less_fails_with_the_numbers() {
        let exact = format!("quota.pods={PROD_PODS_AT_FULL_SCALE}");
        let (findings, summary) = lint("profiles/prod.yaml", &[&exact]);
        assert!(findings.iter().all(|f| f.code != "quota-below-need"), "{findings:?}");
        assert_eq!(summary, ["pods: needs 126 of 126 at full scale (fits)"]);

        let short = format!("quota.pods={}", PROD_PODS_AT_FULL_SCALE - 1);
        let (findings, _) = lint("profiles/prod.yaml", &[&short]);
        let finding = findings
            .iter()
            .find(|f| f.code == "quota-below-need")
            .expect("the quota is one pod short");
        assert_eq!(
            finding.severity,
            crate::diagnostics::Severity::Error,
            "an error in prod"
        );
        assert_eq!(
            finding.message,
            "the quota's pods 125 is 1 short of the 126 the workloads need at full scale \
             (Deployment/analysis-service 63, Deployment/ai-orchestrator 38, Deployment/auth-service 25): \
             the scale-out or rollout that asks last stops there"
        );
        assert_eq!(finding.yaml_path.as_deref(), Some("quota.pods"));
    }

    #[test]
    fn requests_and_limits_are_pods_times_each_pod() {
        // auth 25 x 250m + analysis 63 x 500m + ai 38 x 1000m = 6.25 + 31.5 + 38 = 75.75 cores.
        let (findings, summary) = lint(
            "profiles/prod.yaml",
            &["quota.requests.cpu=75750m", "quota.limits.memory=100Gi"],
        );
        assert!(
            summary.contains(&"requests.cpu: needs 75750m of 75750m at full scale (fits)".to_owned()),
            "{summary:?}"
        );
        // limits: auth 25 x 2Gi + analysis 63 x 4Gi + ai 38 x 8Gi = 50 + 252 + 304 = 606Gi.
        let memory = findings.iter().find(|f| f.code == "quota-below-need").unwrap();
        assert!(
            memory
                .message
                .starts_with("the quota's limits.memory 100Gi is 506Gi short of the 606Gi"),
            "{}",
            memory.message
        );
    }

    #[test]
    fn cronjobs_and_jobs_count_one_pod_each_and_surge_rounds_up() {
        let (_, summary) = lint("tests/fixtures/every-kind.yaml", &["quota.pods=1000"]);
        let root = camino::Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let file = ProfileFile {
            name: "every-kind".into(),
            path: root.join("tests/fixtures/every-kind.yaml"),
            overrides: Vec::new(),
        };
        let built = pipeline::build(&file, &Renderer::new()).unwrap_or_else(|_| panic!("every-kind builds"));
        let shares = shares(&built.model);
        let pods = |workload: &str| {
            shares
                .iter()
                .find(|s| s.workload == workload)
                .map(|s| (s.pods, s.surge))
        };
        assert_eq!(pods("CronJob/nightly-report"), Some((1, 0)));
        assert_eq!(pods("Job/migrate"), Some((1, 0)));
        let web = pods("Deployment/web").unwrap();
        assert!(web.1 >= 1, "a Deployment surges by at least one pod: {web:?}");
        let total: i64 = shares.iter().map(|s| s.pods).sum();
        assert_eq!(summary, [format!("pods: needs {total} of 1000 at full scale (fits)")]);
    }
}
