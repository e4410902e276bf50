//! Reachability in `gen diff`, `gen check` and `gen render --check`: after the object summary,
//! the connections a change opens (`+`) and closes (`-`).

mod common;

use common::*;

const OPA: &str = "    - {name: opa, namespace: platform-infrastructure, port: 8181}\n";
const SEARCH: &str = "    - {name: elasticsearch, namespace: platform-search, port: 9200}\n";

/// A workspace whose `out/` holds the current render, and whose prod profile then gained a
/// dependency every service uses.
fn with_new_dependency() -> tempfile::TempDir {
    let temp = workspace();
    let output = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    edit(&temp.path().join("profiles/prod.yaml"), OPA, &format!("{OPA}{SEARCH}"));
    temp
}

#[test]
fn diff_shows_the_edges_a_new_dependency_opens() {
    let temp = with_new_dependency();
    let output = gen_in(temp.path(), &["diff", "prod", "--summary"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => "gen diff prod --summary, after prod gained the dependency elasticsearch",
    }, {
        insta::assert_snapshot!("diff-prod-new-dependency", text);
    });
    for service in ["ai-orchestrator", "analysis-service", "auth-service"] {
        let line = format!("  + {service} -> platform-search/elasticsearch tcp/9200\n");
        assert!(text.contains(&line), "{text}");
    }
    assert!(!text.contains("  - "), "nothing closes: {text}");
}

#[test]
fn check_and_render_check_show_them_too_and_json_carries_them() {
    let temp = with_new_dependency();
    let line = "  + analysis-service -> platform-search/elasticsearch tcp/9200\n";
    let check = gen_in(temp.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(stdout(&check).contains(line), "{}", stdout(&check));
    let render_check = gen_in(temp.path(), &["render", "--all", "-o", "out", "--check"]);
    assert_eq!(render_check.status.code(), Some(1));
    assert!(stdout(&render_check).contains(line), "{}", stdout(&render_check));
    let json = gen_in(temp.path(), &["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let prod = value["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "prod")
        .unwrap();
    let added = prod["output"]["reachability"]["added"].as_array().unwrap();
    assert_eq!(added.len(), 3, "{added:?}");
    assert_eq!(
        added[1],
        serde_json::json!({"from": "analysis-service", "to": "platform-search/elasticsearch", "ports": ["tcp/9200"]})
    );
}

#[test]
fn narrowing_a_service_to_some_dependencies_closes_the_others() {
    let temp = workspace();
    assert_eq!(
        gen_in(temp.path(), &["render", "prod", "-o", "out/prod"]).status.code(),
        Some(0)
    );
    edit(
        &temp.path().join("profiles/prod.yaml"),
        "    disruptionBudget: {minAvailable: 2}\n\n  analysis-service:",
        "    disruptionBudget: {minAvailable: 2}\n    dependsOn: [postgresql, redis]\n\n  analysis-service:",
    );
    let output = gen_in(temp.path(), &["diff", "prod", "--summary"]);
    let text = stdout(&output);
    for closed in ["kafka tcp/9092", "minio tcp/9000", "neo4j tcp/7687", "opa tcp/8181"] {
        let line = format!("  - auth-service -> platform-infrastructure/{closed}\n");
        assert!(text.contains(&line), "{line}: {text}");
    }
    assert!(!text.contains("postgresql"), "{text}");
    assert!(!text.contains("  + "), "{text}");
}

#[test]
fn a_change_that_does_not_touch_the_policies_shows_no_edges() {
    let temp = workspace();
    assert_eq!(
        gen_in(temp.path(), &["render", "prod", "-o", "out/prod"]).status.code(),
        Some(0)
    );
    edit(
        &temp.path().join("profiles/prod.yaml"),
        "cpu: {request: 250m, limit: 1000m}",
        "cpu: {request: 300m, limit: 1000m}",
    );
    let text = stdout(&gen_in(temp.path(), &["diff", "prod", "--summary"]));
    assert!(
        text.contains("~ changed Deployment/platform-v2-stable/auth-service"),
        "{text}"
    );
    assert!(!text.contains("reachability"), "{text}");
}
