//! Large profiles for tests and the benchmark: `services` prod services shaped like
//! `profiles/prod.yaml` (its `serviceDefaults` and `network` sections verbatim), each pinned by
//! digest, with resources, autoscaling, a disruption budget and an ingress route.
//!
//! Shared by `tests/` (as `common::generated`) and `benches/render.rs` (by `#[path]`).

use std::fmt::Write as _;

/// The profile text. `variant` changes every image digest and the autoscalers' maxima, so two
/// variants of one size differ in every Deployment and HorizontalPodAutoscaler.
pub fn prod_shaped_profile(prod: &str, services: usize, variant: u64) -> String {
    let mut out = format!(
        "# Generated: {services} services shaped like profiles/prod.yaml (variant {variant}).\n\
         tier: prod\nnamespace: platform-bench\napp: coderev\n\n"
    );
    out.push_str(&top_level_section(prod, "serviceDefaults"));
    out.push_str("\nservices:\n");
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ services as u64 ^ variant.rotate_left(32);
    for i in 1..=services {
        let name = format!("svc-{i:04}");
        let mut digest = String::with_capacity(64);
        for _ in 0..4 {
            let _ = write!(digest, "{:016x}", splitmix64(&mut seed));
        }
        // Vary sizes a little, as real services do.
        let (cpu_request, cpu_limit, mem_request, mem_limit) = match i % 3 {
            0 => ("250m", "1000m", "512Mi", "2Gi"),
            1 => ("500m", "2000m", "1Gi", "4Gi"),
            _ => ("1000m", "4000m", "2Gi", "8Gi"),
        };
        let _ = write!(
            out,
            "  {name}:\n\
             \x20   image: registry.example.com/team/{name}:1.0.{patch}@sha256:{digest}\n\
             \x20   replicas: 3\n\
             \x20   resources:\n\
             \x20     cpu: {{request: {cpu_request}, limit: {cpu_limit}}}\n\
             \x20     memory: {{request: {mem_request}, limit: {mem_limit}}}\n\
             \x20   autoscaling:\n\
             \x20     minReplicas: 3\n\
             \x20     maxReplicas: {max}\n\
             \x20     targetCpuUtilization: 70\n\
             \x20     targetMemoryUtilization: 80\n\
             \x20     scaleUp: {{percent: 100, pods: 4, periodSeconds: 15}}\n\
             \x20     scaleDown: {{percent: 50, periodSeconds: 60}}\n\
             \x20   disruptionBudget: {{minAvailable: 2}}\n\n",
            patch = i % 10,
            max = 10 + (i as u64 + variant) % 40,
        );
    }
    out.push_str(&top_level_section(prod, "network"));
    out.push_str(
        "\ningress:\n  host: api.bench.example.com\n  tls:\n    clusterIssuer: letsencrypt-prod\n  rateLimitRps: 100\n  routes:\n",
    );
    for i in 1..=services {
        let _ = writeln!(out, "    - {{path: /api/svc-{i:04}, service: svc-{i:04}}}");
    }
    out
}

/// The text of a top-level block `key:` and its indented lines, comments included.
fn top_level_section(text: &str, key: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(&format!("{key}:")));
    let mut out = format!("{}\n", lines.next().unwrap_or_else(|| panic!("prod.yaml has `{key}:`")));
    for line in lines {
        if !line.is_empty() && !line.starts_with([' ', '#']) {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_owned() + "\n"
}

/// A small, fixed pseudo-random sequence: the same profile on every machine.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
