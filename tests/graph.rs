//! `gen graph`: the reachability of every shipped profile, in each format, from the profile and
//! from its rendered directory.

mod common;

use common::*;

fn graph(args: &[&str]) -> String {
    let output = gen_cmd(args);
    assert_eq!(output.status.code(), Some(0), "gen {args:?}: {}", stderr(&output));
    stdout(&output)
}

#[test]
fn matrix_mermaid_and_json_of_every_shipped_profile() {
    for profile in PROFILES {
        for format in ["matrix", "mermaid", "json"] {
            let text = graph(&["graph", profile, "--format", format]);
            insta::with_settings!({
                snapshot_path => "../snapshots",
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("gen graph {profile} --format {format}"),
            }, {
                insta::assert_snapshot!(format!("graph-{profile}-{format}"), text);
            });
        }
        assert_eq!(
            graph(&["graph", profile]),
            graph(&["graph", profile, "--format", "matrix"]),
            "the matrix is the default"
        );
    }
}

#[test]
fn the_svg_is_well_formed_and_names_every_workload() {
    for profile in PROFILES {
        let svg = graph(&["graph", profile, "--format", "svg"]);
        let document = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{profile}: {e}\n{svg}"));
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
        let texts: Vec<&str> = document
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        let json: serde_json::Value = serde_json::from_str(&graph(&["graph", profile, "--format", "json"])).unwrap();
        let workloads: Vec<&str> = json["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["rendered"] == true)
            .map(|n| n["label"].as_str().unwrap())
            .collect();
        assert!(!workloads.is_empty(), "{profile}");
        for workload in workloads {
            assert!(
                texts.contains(&workload),
                "{profile}: no label `{workload}` in {texts:?}"
            );
        }
        // Every edge's ports are written somewhere.
        for edge in json["edges"].as_array().unwrap() {
            let ports: Vec<&str> = edge["ports"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            let ports = ports.join(" ");
            assert!(texts.contains(&ports.as_str()), "{profile}: no label `{ports}`");
        }
    }
}

#[test]
fn the_picture_in_docs_is_what_gen_draws_now() {
    let drawn = graph(&["graph", "prod", "--format", "svg"]);
    let committed = std::fs::read_to_string(repo_root().join("docs/graph-prod.svg")).unwrap();
    assert!(
        drawn == committed,
        "docs/graph-prod.svg is stale: run `cargo run -- graph prod --format svg > docs/graph-prod.svg`"
    );
}

#[test]
fn a_rendered_directory_gives_the_same_graph_as_its_profile() {
    let temp = tempfile::tempdir().unwrap();
    render_all_into(temp.path());
    for profile in PROFILES {
        let dir = temp.path().join(profile);
        for format in ["json", "dot", "svg"] {
            assert_eq!(
                graph(&["graph", dir.to_str().unwrap(), "--format", format]),
                graph(&["graph", profile, "--format", format]),
                "{profile} {format}"
            );
        }
    }
}

#[test]
fn policies_gen_did_not_write_are_read_from_a_directory() {
    let temp = tempfile::tempdir().unwrap();
    render_all_into(temp.path());
    let dir = temp.path().join("prod");
    // A hand-written policy that lets analysis-service call auth-service on http.
    std::fs::write(
        dir.join("extra-policy.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: analysis-to-auth\n  namespace: platform-v2-stable\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: auth-service\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app.kubernetes.io/name: analysis-service\n    ports:\n    - port: http\n",
    )
    .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&graph(&["graph", dir.to_str().unwrap(), "--format", "json"])).unwrap();
    let edges: Vec<String> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to"] == "platform-v2-stable/auth-service")
        .map(|e| format!("{} {}", e["from"].as_str().unwrap(), e["ports"]))
        .collect();
    // Ingress now allows it, but analysis-service's egress still does not: no edge.
    assert!(
        !edges
            .iter()
            .any(|e| e.starts_with("platform-v2-stable/analysis-service")),
        "{edges:?}"
    );
    // Its egress opened too: now the edge is there, on auth-service's http port.
    std::fs::write(
        dir.join("extra-egress.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: analysis-out\n  namespace: platform-v2-stable\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: analysis-service\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector:\n        matchLabels:\n          app.kubernetes.io/name: auth-service\n",
    )
    .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&graph(&["graph", dir.to_str().unwrap(), "--format", "json"])).unwrap();
    let opened = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "platform-v2-stable/analysis-service" && e["to"] == "platform-v2-stable/auth-service")
        .expect("the hand-written policies open analysis-service -> auth-service");
    assert_eq!(opened["ports"], serde_json::json!(["tcp/8000"]));
}

#[test]
fn a_directory_without_workloads_or_an_unknown_profile_is_an_input_error() {
    let temp = tempfile::tempdir().unwrap();
    let output = gen_cmd(&["graph", temp.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("holds no workloads"), "{}", stderr(&output));
    let output = gen_cmd(&["graph", "nope"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_stream_of_manifests_on_stdin_or_in_a_file_gives_the_same_graph() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};

    let stream = graph(&["render", "prod"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["graph", "-", "--format", "json"])
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let from_profile = graph(&["graph", "prod", "--format", "json"]);
    assert_eq!(stdout(&output), from_profile);
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("prod-manifests.yaml");
    std::fs::write(&file, &stream).unwrap();
    assert_eq!(
        graph(&["graph", file.to_str().unwrap(), "--format", "json"]),
        from_profile
    );
}
