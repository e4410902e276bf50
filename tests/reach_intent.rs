//! The policies gen renders allow exactly what the profile asks for: for generated profiles,
//! every edge the evaluator allows corresponds to an intent in the profile (an ingress peer on
//! a named port, a dependency, DNS, or open egress), and every intent is allowed.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use camino::Utf8PathBuf;
use gen_core::locate::ProfileFile;
use gen_core::pipeline;
use gen_core::reach::graph::EdgeKey;
use gen_core::reach::intent::intents;
use gen_core::reach::{Cluster, Graph};
use gen_core::render::Renderer;
use proptest::prelude::*;

use common::generated::prod_shaped_profile;

/// The generated profiles' namespace.
const OWN: &str = "platform-bench";

/// Namespaces a generated profile may name besides its own.
const NAMESPACES: [&str; 4] = [
    "ingress-nginx",
    "platform-monitoring",
    "platform-infrastructure",
    "data",
];

#[derive(Debug, Clone)]
struct Dependency {
    name: String,
    namespace: &'static str,
    port: u16,
    pod_labels: Option<(String, String)>,
}

#[derive(Debug, Clone)]
struct Network {
    /// (namespace, ports) per ingress peer.
    ingress_from: Vec<(&'static str, Vec<&'static str>)>,
    open: bool,
    dependencies: Vec<Dependency>,
    /// Per service (by index), the dependencies it names, or `None` for all of them.
    depends_on: Vec<Option<Vec<usize>>>,
}

fn network(services: usize) -> impl Strategy<Value = Network> {
    // The profile's own namespace as an ingress peer too: with open egress its services may
    // call each other; with restricted egress its default deny blocks that (a finding, not a
    // property of the render), so it is left out there.
    let mut peers = NAMESPACES.to_vec();
    peers.push(OWN);
    let peer = (
        prop::sample::select(peers),
        prop::sample::subsequence(vec!["http", "metrics"], 1..=2),
    );
    let dependency = (
        prop::sample::select(NAMESPACES.to_vec()),
        1u16..=65535,
        prop::option::of(("[a-z]{1,8}", "[a-z0-9]{1,8}")),
    );
    (
        prop::collection::vec(peer, 0..3),
        any::<bool>(),
        prop::collection::vec(dependency, 0..5),
        prop::collection::vec(prop::option::of(prop::collection::vec(0usize..5, 0..4)), services),
    )
        .prop_map(|(ingress_from, open, dependencies, depends_on)| {
            // One peer per namespace: two entries for one namespace are still one peer.
            let mut seen = BTreeSet::new();
            let ingress_from = ingress_from
                .into_iter()
                .filter(|(n, _)| seen.insert(*n) && (open || *n != OWN))
                .collect();
            let dependencies: Vec<Dependency> = dependencies
                .into_iter()
                .enumerate()
                .map(|(i, (namespace, port, pod_labels))| Dependency {
                    name: format!("dep-{i}"),
                    namespace,
                    port,
                    pod_labels,
                })
                .collect();
            let count = dependencies.len();
            let depends_on = depends_on
                .into_iter()
                .map(|names| {
                    names.map(|mut names| {
                        names.retain(|&n| n < count);
                        names.sort_unstable();
                        names.dedup();
                        names
                    })
                })
                .collect();
            Network {
                ingress_from,
                open,
                dependencies,
                depends_on,
            }
        })
}

/// The generated prod-shaped profile with its `network:` section and `dependsOn` replaced.
fn profile(services: usize, variant: u64, network: &Network) -> String {
    let prod = common::effective_prod();
    let mut text = prod_shaped_profile(&prod, services, variant);
    let start = text.find("\nnetwork:\n").unwrap() + 1;
    let end = text.find("\ningress:\n").unwrap() + 1;
    let mut section = String::from("network:\n  ingressFrom:\n");
    if network.ingress_from.is_empty() {
        section = String::from("network:\n  ingressFrom: []\n");
    }
    for (namespace, ports) in &network.ingress_from {
        let _ = writeln!(
            section,
            "    - {{namespace: {namespace}, ports: [{}]}}",
            ports.join(", ")
        );
    }
    let mode = if network.open { "open" } else { "restricted" };
    let _ = writeln!(section, "  egressMode: {mode}\n  egress:");
    if network.dependencies.is_empty() {
        section = section.replace("  egress:\n", "  egress: []\n");
    }
    for d in &network.dependencies {
        let labels = match &d.pod_labels {
            Some((k, v)) => format!(", podLabels: {{{k}: {v}}}"),
            None => String::new(),
        };
        let _ = writeln!(
            section,
            "    - {{name: {}, namespace: {}, port: {}{labels}}}",
            d.name, d.namespace, d.port
        );
    }
    text.replace_range(start..end, &section);
    for (i, names) in network.depends_on.iter().enumerate() {
        let Some(names) = names else { continue };
        let list: Vec<String> = names.iter().map(|n| format!("dep-{n}")).collect();
        let header = format!("  svc-{:04}:\n", i + 1);
        text = text.replacen(&header, &format!("{header}    dependsOn: [{}]\n", list.join(", ")), 1);
    }
    text
}

fn allowed_and_intended(text: &str) -> (BTreeSet<EdgeKey>, BTreeSet<EdgeKey>) {
    let dir = tempfile::tempdir().unwrap();
    let path = Utf8PathBuf::from_path_buf(dir.path().join("generated.yaml")).unwrap();
    std::fs::write(&path, text).unwrap();
    let profile = ProfileFile {
        name: "generated".into(),
        path,
        overrides: Vec::new(),
    };
    let built = match pipeline::build(&profile, &Renderer::new()) {
        Ok(built) => built,
        Err(pipeline::Failure::Profile(report)) => panic!("{:?}\n{text}", report.findings),
        Err(pipeline::Failure::Template(defect)) => panic!("{defect}"),
    };
    let graph = Graph::build(&Cluster::from_objects(&built.objects));
    let intended = intents(&built.model, &graph).into_iter().map(|i| i.key).collect();
    (graph.keys(), intended)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_allowed_edge_is_intended_and_every_intent_allowed(
        (services, network) in (1usize..6).prop_flat_map(|n| (Just(n), network(n))),
        variant in 0u64..4,
    ) {
        let text = profile(services, variant, &network);
        let (allowed, intended) = allowed_and_intended(&text);
        let unintended: Vec<&EdgeKey> = allowed.difference(&intended).collect();
        let blocked: Vec<&EdgeKey> = intended.difference(&allowed).collect();
        prop_assert!(unintended.is_empty(), "allowed without intent: {unintended:#?}\n{text}");
        prop_assert!(blocked.is_empty(), "intended, not allowed: {blocked:#?}\n{text}");
    }
}

#[test]
fn the_shipped_shape_at_size_forty() {
    let prod = common::effective_prod();
    let (allowed, intended) = allowed_and_intended(&prod_shaped_profile(&prod, 40, 0));
    assert_eq!(allowed, intended);
    // 40 services: 2 ingress peers each, 6 dependencies + DNS on two protocols each.
    assert_eq!(allowed.len(), 40 * (2 + 6 + 2));
}
