//! Profiles that compose, end to end through the `gen` binary: `extends` chains and cycles,
//! findings at the file that set the value, bases skipped when a directory is rendered,
//! `--set`, `gen resolve`, and the escape hatch (`patches:`, `resources:`).

mod common;

use std::fs;
use std::path::Path;

use common::*;

const BASE: &str = "\
app: shop
serviceDefaults:
  ports: {http: 8080}
  probes:
    liveness: {path: /live}
    readiness: {path: /ready}
  resources:
    cpu: {request: 100m, limit: 500m}
    memory: {request: 128Mi, limit: 256Mi}
network:
  ingressFrom:
    - {namespace: ingress-nginx, ports: [http]}
ingress:
  host: shop.example.com
  tls: {clusterIssuer: letsencrypt}
  routes:
    - {path: /, service: api}
";

const MIDDLE: &str = "\
extends: base.yaml
services:
  api:
    image: registry.example.com/shop/api:1.0.0
    replicas: 2
  old:
    image: registry.example.com/shop/old:1.0.0
";

const LEAF: &str = "\
# dev of the shop
extends: middle.yaml
tier: dev
namespace: shop-dev
services:
  api:
    replicas: 1
  old: null
ingress: null
";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    let profiles = temp.path().join("profiles");
    fs::create_dir_all(&profiles).unwrap();
    for (name, text) in files {
        fs::write(profiles.join(name), text).unwrap();
    }
    temp
}

fn shop() -> tempfile::TempDir {
    project(&[("base.yaml", BASE), ("middle.yaml", MIDDLE), ("dev.yaml", LEAF)])
}

/// Exit code, stdout, and everything the user sees (findings go to stdout for `lint` and
/// `check`, to stderr for `render`).
fn render(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = gen_in(dir, args);
    let seen = format!("{}{}", stdout(&output), stderr(&output));
    (output.status.code(), stdout(&output), seen)
}

#[test]
fn a_chain_merges_base_first_and_null_removes_what_it_inherits() {
    let temp = shop();
    let (code, out, err) = render(temp.path(), &["render", "dev"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("containerPort: 8080"), "the base's ports reach the leaf");
    assert!(
        out.contains("replicas: 1"),
        "the leaf's replicas win over the middle's 2"
    );
    assert!(!out.contains("name: old"), "`old: null` removed the inherited service");
    assert!(
        !out.contains("kind: Ingress"),
        "`ingress: null` removed the inherited ingress"
    );
}

#[test]
fn rendering_a_directory_skips_the_files_others_extend() {
    let temp = shop();
    let (code, out, err) = render(temp.path(), &["lint"]);
    assert_eq!(code, Some(0), "{err}{out}");
    assert!(out.contains("dev: 0 errors"), "{out}");
    assert!(
        !out.contains("base:") && !out.contains("middle:"),
        "bases are not linted alone: {out}"
    );
    let (code, _, err) = render(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(code, Some(0), "{err}");
    let rendered: Vec<_> = fs::read_dir(temp.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| !name.starts_with('.'))
        .collect();
    assert_eq!(rendered, ["dev"], "only the leaf renders");
}

#[test]
fn a_cycle_is_an_error_naming_the_files() {
    let temp = project(&[
        ("a.yaml", "extends: b.yaml\ntier: dev\n"),
        ("b.yaml", "# b\nextends: a.yaml\n"),
    ]);
    let (code, _, err) = render(temp.path(), &["lint", "profiles/a.yaml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("error[invalid-extends]"), "{err}");
    assert!(
        err.contains("cycle: profiles/a.yaml -> profiles/b.yaml -> profiles/a.yaml"),
        "{err}"
    );
    assert!(
        err.contains("profiles/b.yaml:2:1"),
        "at the `extends` that closes it: {err}"
    );
}

#[test]
fn a_finding_in_a_base_points_at_the_base_and_names_the_overlay() {
    let temp = project(&[
        ("base.yaml", &BASE.replace("limit: 500m", "limit: 50m")),
        ("middle.yaml", MIDDLE),
        ("dev.yaml", LEAF),
    ]);
    let (code, _, err) = render(temp.path(), &["render", "dev"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("error[request-above-limit]"), "{err}");
    assert!(err.contains("--> profiles/base.yaml:8:"), "the base's line: {err}");
    assert!(
        err.contains("= note: set in profiles/base.yaml, which profiles/dev.yaml extends"),
        "{err}"
    );
    // A type error found by the strict types is moved back to the base, too.
    let temp = project(&[
        ("base.yaml", &BASE.replace("http: 8080", "http: \"8080\"")),
        ("middle.yaml", MIDDLE),
        ("dev.yaml", LEAF),
    ]);
    let (code, _, err) = render(temp.path(), &["render", "dev"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("profiles/base.yaml:3:17"), "{err}");
    assert!(err.contains("write the number without quotes"), "{err}");
}

/// The first finding with `code` in a report, up to the blank line after it.
fn finding<'r>(report: &'r str, code: &str) -> &'r str {
    let headline = format!("[{code}]: ");
    let start = report
        .find(&headline)
        .unwrap_or_else(|| panic!("no {code} in:\n{report}"));
    let block = &report[start..];
    &block[..block.find("\n\n").unwrap_or(block.len())]
}

/// The `file:line:column` of the first finding with `code` in a report.
fn location_of<'r>(report: &'r str, code: &str) -> &'r str {
    let arrow = finding(report, code)
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
        .unwrap();
    arrow.split(" (at ").next().unwrap()
}

/// The merge keeps the key of the file below, so a finding on a replaced value pointed at the
/// value it replaced ("set in base.yaml") while the overlay or the flag had set it.
#[test]
fn a_finding_on_a_value_an_overlay_or_set_replaced_points_where_it_was_set() {
    let prod = "extends: middle.yaml\ntier: prod\nnamespace: shop-prod\nservices:\n  api:\n    replicas: 1\n";
    let temp = project(&[("base.yaml", BASE), ("middle.yaml", MIDDLE), ("prod.yaml", prod)]);
    let (_, _, seen) = render(temp.path(), &["render", "prod"]);
    assert_eq!(
        location_of(&seen, "single-replica"),
        "profiles/prod.yaml:6:15",
        "{seen}"
    );
    assert!(!finding(&seen, "single-replica").contains("= note: set in"), "{seen}");

    let prod = "extends: middle.yaml\ntier: prod\nnamespace: shop-prod\n";
    let temp = project(&[("base.yaml", BASE), ("middle.yaml", MIDDLE), ("prod.yaml", prod)]);
    let (_, _, seen) = render(temp.path(), &["render", "prod", "--set", "services.api.replicas=1"]);
    assert_eq!(location_of(&seen, "single-replica"), "--set:1:23", "{seen}");
    // A value nobody replaced is still found at its key, in the file that set it.
    let (_, _, seen) = render(temp.path(), &["render", "prod"]);
    assert!(!seen.contains("`api` runs a single replica"), "{seen}");
    assert!(
        location_of(&seen, "image-digest-required").starts_with("profiles/middle.yaml:4:"),
        "{seen}"
    );
}

#[test]
fn every_unknown_key_in_a_chain_is_reported_at_the_file_that_has_it() {
    // serde reads the merged text; the first finding and the ones after it (each found once
    // the key before is blanked) must all point into the file that holds the key, at the key.
    let temp = project(&[
        (
            "base.yaml",
            &BASE
                .replace("app: shop", "app: shop\nnamspace: x")
                .replace("{path: /live}", "{path: /live, perod: 3}"),
        ),
        ("middle.yaml", MIDDLE),
        (
            "dev.yaml",
            &LEAF.replace("    replicas: 1", "    replicas: 1\n    imagee: y"),
        ),
    ]);
    let (code, _, err) = render(temp.path(), &["render", "dev"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.matches("error[unknown-field]").count(), 3, "{err}");
    assert!(err.contains("unknown key `namspace`"), "{err}");
    assert!(err.contains("--> profiles/base.yaml:2:1"), "the base's line: {err}");
    // A key inside a flow mapping, at its own column.
    assert!(err.contains("unknown key `perod`"), "{err}");
    assert!(err.contains("--> profiles/base.yaml:6:29"), "the key's column: {err}");
    assert!(err.contains("unknown key `imagee`"), "{err}");
    assert!(err.contains("--> profiles/dev.yaml:8:5"), "the overlay's line: {err}");
}

#[test]
fn an_unreadable_base_is_reported_at_the_extends_line() {
    let temp = project(&[("dev.yaml", &LEAF.replace("middle.yaml", "midle.yaml"))]);
    let (code, _, err) = render(temp.path(), &["lint", "dev"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("the base `profiles/midle.yaml`"), "{err}");
    assert!(err.contains("--> profiles/dev.yaml:2:1 (at `extends`)"), "{err}");
}

#[test]
fn set_overrides_a_value_typed_like_the_file() {
    let temp = shop();
    let (code, out, err) = render(temp.path(), &["render", "dev", "--set", "services.api.replicas=3"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("replicas: 3"), "{out}");
    let image = "registry.example.com/shop/api@sha256:".to_owned() + &"ab".repeat(32);
    let (code, out, _) = render(
        temp.path(),
        &["render", "dev", "--set", &format!("services.api.image={image}")],
    );
    assert_eq!(code, Some(0));
    assert!(out.contains(&image), "{out}");

    let (code, _, err) = render(temp.path(), &["render", "dev", "--set", "services.api.replicas=three"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("error[invalid-type]"), "{err}");
    assert!(
        err.contains("--> --set:1:23"),
        "names the flag and the value's column: {err}"
    );
    assert!(err.contains("services.api.replicas=three"), "quotes the flag: {err}");

    let (code, _, err) = render(temp.path(), &["render", "dev", "--set", "services.api.replicsa=3"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("did you mean `replicas`?"), "{err}");

    let (code, _, err) = render(temp.path(), &["render", "dev", "--set", "services.api.replicas"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("error[invalid-set]"), "{err}");
}

#[test]
fn check_and_diff_take_set_too() {
    let temp = shop();
    assert_eq!(render(temp.path(), &["render", "--all", "-o", "out"]).0, Some(0));
    let (code, out, err) = render(temp.path(), &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, err) = render(temp.path(), &["check", "--set", "services.api.replicas=2"]);
    assert_eq!(code, Some(1), "the override makes out/ stale: {out}{err}");
    assert!(out.contains("out/dev differs"), "{out}");
    let (code, out, _) = render(
        temp.path(),
        &["diff", "dev", "--summary", "--set", "services.api.replicas=2"],
    );
    assert_eq!(code, Some(1));
    assert!(out.contains("spec.replicas: 1 -> 2"), "{out}");
}

#[test]
fn resolve_prints_each_value_with_its_origin() {
    let temp = shop();
    let (code, out, err) = render(temp.path(), &["resolve", "dev", "--set", "services.api.replicas=4"]);
    assert_eq!(code, Some(0), "{err}");
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("resolve-chain", out);
    });
    let (code, out, _) = render(temp.path(), &["resolve", "dev", "--format", "json"]);
    assert_eq!(code, Some(0));
    let records: serde_json::Value = serde_json::from_str(&out).unwrap();
    let find = |path: &str| {
        records
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["path"] == path)
            .unwrap_or_else(|| panic!("{path} in {out}"))
            .clone()
    };
    assert_eq!(find("services.api.replicas")["value"], 1);
    assert_eq!(find("services.api.replicas")["origin"], "profiles/dev.yaml:7");
    assert_eq!(find("services.api.image")["origin"], "profiles/middle.yaml:4");
    assert_eq!(find("serviceDefaults.ports.http")["value"], 8080);
    assert_eq!(find("serviceDefaults.ports.http")["origin"], "profiles/base.yaml:3");
    assert_eq!(find("network.egressMode")["origin"], "tier default");
}

#[test]
fn a_patch_that_weakens_hardening_fires_the_rule_and_takes_a_waiver() {
    let patch = "patches:\n  - target: Deployment/api\n    merge:\n      spec:\n        template:\n          spec:\n            hostNetwork: true\n";
    let temp = project(&[
        ("base.yaml", BASE),
        ("middle.yaml", MIDDLE),
        ("dev.yaml", &format!("{LEAF}{patch}")),
    ]);
    let (code, out, err) = render(temp.path(), &["lint", "dev"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("error[pss-host-namespaces]"), "{out}");
    assert!(
        out.contains("--> profiles/dev.yaml:11:5 (at `patches[0]`)"),
        "the finding points at the patch that made it: {out}"
    );
    let waiver = "waivers:\n  - {rule: pss-host-namespaces, target: Deployment/api, reason: the CNI health probe needs the node network}\n";
    fs::write(temp.path().join("profiles/dev.yaml"), format!("{LEAF}{patch}{waiver}")).unwrap();
    let (code, out, err) = render(temp.path(), &["lint", "dev"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("1 waived"), "{out}");
}

#[test]
fn a_resource_goes_through_the_typed_check_and_the_policy() {
    let with = |resource: &str| {
        let temp = project(&[
            ("base.yaml", BASE),
            ("middle.yaml", MIDDLE),
            ("dev.yaml", &format!("{LEAF}resources: [extra.yaml]\n")),
            ("extra.yaml", resource),
        ]);
        let (code, out, err) = render(temp.path(), &["render", "dev"]);
        (code, out, err)
    };
    let (code, out, err) = with("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags}\ndata: {ON: \"yes\"}\n");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("namespace: shop-dev"), "placed in the profile's namespace");
    assert!(
        out.contains("\"ON\": \"yes\""),
        "YAML 1.1 boolean words stay strings: {out}"
    );

    let (code, _, err) = with("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags}\ndatta: {}\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("error[invalid-resource]"), "{err}");
    assert!(err.contains("datta"), "names the unknown field: {err}");

    let pod = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: sidecar}\nspec:\n  selector: {matchLabels: {app: s}}\n  template:\n    metadata: {labels: {app: s}}\n    spec:\n      containers:\n        - {name: s, image: registry.example.com/s:1.0.0}\n";
    let (code, _, err) = with(pod);
    assert_eq!(code, Some(1), "the policy rules judge it like a rendered one: {err}");
    assert!(err.contains("Deployment/shop-dev/sidecar"), "{err}");
}
