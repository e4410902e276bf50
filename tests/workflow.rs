//! The CI and pre-commit workflows end to end: `gen check`, `gen diff`, `gen render --check`,
//! and what `-o` does to a directory that already holds files. Every test works in a scratch
//! copy of the shipped profiles and runs the real binary.

mod common;

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use common::*;

const CPU_BEFORE: &str = "cpu: {request: 250m, limit: 1000m}";
const CPU_AFTER: &str = "cpu: {request: 300m, limit: 1000m}";

/// A workspace whose `out/` holds the current render of every profile.
fn rendered_workspace() -> tempfile::TempDir {
    let temp = workspace();
    let output = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    temp
}

fn modified_times(dir: &Path) -> Vec<(String, SystemTime)> {
    files_below(dir)
        .into_iter()
        .map(|f| {
            let time = fs::metadata(dir.join(&f)).unwrap().modified().unwrap();
            (f, time)
        })
        .collect()
}

/// Removes the `ai-orchestrator` service and its route from the prod profile.
fn remove_orchestrator(root: &Path) {
    let path = root.join("profiles/prod.yaml");
    let text = fs::read_to_string(&path).unwrap();
    let start = text.find("  ai-orchestrator:\n").unwrap();
    let end = text.find("\nnetwork:\n").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..])
        .replace("    - {path: /api/orchestrate, service: ai-orchestrator}\n", "");
    fs::write(path, text).unwrap();
}

#[test]
fn check_passes_on_fresh_output() {
    let temp = rendered_workspace();
    let output = gen_in(temp.path(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    let text = stdout(&output);
    for profile in PROFILES {
        assert!(
            text.contains(&format!("out/{profile} is up to date with profiles/{profile}.yaml")),
            "{text}"
        );
    }
    assert!(
        text.ends_with("gen check: 3 profiles: 0 errors, 0 warnings, 1 waived; out up to date\n"),
        "{text}"
    );
}

#[test]
fn a_changed_field_is_named_by_object_and_path_in_check_diff_and_render_check() {
    let temp = rendered_workspace();
    let before = snapshot_tree(&temp.path().join("out"));
    edit(&temp.path().join("profiles/prod.yaml"), CPU_BEFORE, CPU_AFTER);
    let field = r#"spec.template.spec.containers[name=auth-service].resources.requests.cpu: "250m" -> "300m""#;

    let check = gen_in(temp.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let text = stdout(&check);
    assert!(
        text.contains("out/prod differs from what profiles/prod.yaml renders:"),
        "{text}"
    );
    assert!(
        text.contains("~ changed Deployment/platform-v2-stable/auth-service"),
        "{text}"
    );
    assert!(text.contains(field), "{text}");
    assert!(text.contains("out/dev is up to date"), "{text}");
    assert!(text.contains("out stale (run `gen render --all -o out`)"), "{text}");

    let diff = gen_in(temp.path(), &["diff", "prod"]);
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(&diff));
    let text = stdout(&diff);
    assert!(text.contains(field), "{text}");
    assert!(
        text.contains("--- a/out/prod/services/auth-service/deployment.yaml\n+++ b/out/prod/services/auth-service/deployment.yaml\n"),
        "{text}"
    );
    assert!(
        text.contains("\n-            cpu: \"250m\"\n+            cpu: \"300m\"\n"),
        "{text}"
    );

    let summary = gen_in(temp.path(), &["diff", "prod", "--summary"]);
    assert_eq!(summary.status.code(), Some(1));
    assert!(stdout(&summary).contains(field));
    assert!(!stdout(&summary).contains("+++"), "no file diff with --summary");

    let render_check = gen_in(temp.path(), &["render", "--all", "-o", "out", "--check"]);
    assert_eq!(render_check.status.code(), Some(1), "{}", stderr(&render_check));
    assert!(stdout(&render_check).contains(field));
    assert!(stdout(&render_check).contains("+            cpu: \"300m\"\n"));
    assert!(stderr(&render_check).contains("stale: out/prod; run `gen render --all -o out` to update"));

    assert_eq!(snapshot_tree(&temp.path().join("out")), before, "nothing was written");
}

#[test]
fn diff_output_is_stable() {
    let temp = rendered_workspace();
    edit(&temp.path().join("profiles/prod.yaml"), CPU_BEFORE, CPU_AFTER);
    remove_orchestrator(temp.path());
    let output = gen_in(temp.path(), &["diff", "prod"]);
    assert_eq!(output.status.code(), Some(1));
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => "gen diff prod, after a cpu request changed and ai-orchestrator was removed",
    }, {
        insta::assert_snapshot!("diff-prod-stale", stdout(&output));
    });
}

/// The Gateway the platform runs next to the ingress controller, as a profile names it.
const GATEWAY_LINE: &str = "  gateway: {name: public, namespace: gateway-system, sectionName: https}\n";

#[test]
fn moving_the_routes_to_a_gateway_is_one_line_and_diff_shows_the_ingress_go_and_the_route_come() {
    let temp = workspace();
    let dev = temp.path().join("profiles/dev.yaml");
    // Before the move, the team lets the Gateway's namespace in beside the ingress controller's.
    edit(
        &dev,
        "network:\n",
        "network:\n  ingressFrom:\n    - {namespace: gateway-system, ports: [http]}\n",
    );
    let render = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(render.status.code(), Some(0), "{}", stderr(&render));
    let before = fs::read_to_string(&dev).unwrap();

    // The move: one line added to `ingress:`.
    edit(&dev, "ingress:\n", &format!("ingress:\n{GATEWAY_LINE}"));
    let after = fs::read_to_string(&dev).unwrap();
    let changed = similar::TextDiff::from_lines(&before, &after)
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count();
    assert_eq!(changed, 1, "the move is one line");
    let lint = gen_in(temp.path(), &["lint", "dev"]);
    assert_eq!(lint.status.code(), Some(0), "{}{}", stdout(&lint), stderr(&lint));

    let diff = gen_in(temp.path(), &["diff", "dev"]);
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(&diff));
    let text = stdout(&diff);
    for expected in [
        "- removed Ingress/platform-v1-exp/coderev",
        "+ added   HTTPRoute/platform-v1-exp/coderev",
        "--- a/out/dev/ingress-coderev.yaml\n+++ /dev/null\n",
        "--- /dev/null\n+++ b/out/dev/httproute-coderev.yaml\n",
        "-- ingress-coderev.yaml\n+- httproute-coderev.yaml\n",
        "+  parentRefs:\n+  - group: gateway.networking.k8s.io\n+    kind: Gateway\n+    name: public\n+    namespace: gateway-system\n+    sectionName: https\n",
        "-    nginx.ingress.kubernetes.io/ssl-redirect: \"true\"\n",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // Only the route changed: the other profiles and dev's other objects are as they were.
    assert!(!text.contains("~ changed"), "{text}");

    // And back: removing the line renders exactly what is in out/ again.
    fs::write(&dev, &before).unwrap();
    let back = gen_in(temp.path(), &["diff", "dev"]);
    assert_eq!(back.status.code(), Some(0), "{}{}", stdout(&back), stderr(&back));
}

#[test]
fn a_removed_service_is_reported_removed_and_pruned_by_render() {
    let temp = rendered_workspace();
    remove_orchestrator(temp.path());
    let check = gen_in(temp.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1));
    let text = stdout(&check);
    for kind in [
        "Deployment",
        "Service",
        "ServiceAccount",
        "HorizontalPodAutoscaler",
        "NetworkPolicy",
        "ServiceMonitor",
        "PrometheusRule",
    ] {
        assert!(
            text.contains(&format!("- removed {kind}/platform-v2-stable/ai-orchestrator\n")),
            "{kind} in {text}"
        );
    }
    assert!(text.contains("files: 3 changed, 0 added, 8 removed"), "{text}");

    let render = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(render.status.code(), Some(0), "{}", stderr(&render));
    assert!(stderr(&render).contains("8 removed"), "{}", stderr(&render));
    assert!(!temp.path().join("out/prod/services/ai-orchestrator").exists());
    assert_eq!(gen_in(temp.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn check_on_a_repository_without_output_says_what_to_run() {
    let temp = workspace();
    let check = gen_in(temp.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1));
    let text = stdout(&check);
    assert!(
        text.contains("out/prod does not exist; profiles/prod.yaml renders 28 objects into it"),
        "{text}"
    );
    assert!(text.contains("out stale (run `gen render --all -o out`)"), "{text}");
}

#[test]
fn check_reports_output_no_profile_renders_any_more() {
    let temp = rendered_workspace();
    fs::remove_file(temp.path().join("profiles/quarantine.yaml")).unwrap();
    let check = gen_in(temp.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1));
    let text = stdout(&check);
    assert!(text.contains("out holds what no profile renders"), "{text}");
    assert!(
        text.contains("- removed Deployment/platform-v3-quarantine/v3-api"),
        "{text}"
    );
    let render = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(render.status.code(), Some(0), "{}", stderr(&render));
    assert!(
        !temp.path().join("out/quarantine").exists(),
        "gen's own stale output is pruned"
    );
}

#[test]
fn a_hand_written_file_is_never_deleted_and_every_command_names_it() {
    let temp = rendered_workspace();
    let notes = temp.path().join("out/prod/NOTES.md");
    fs::write(&notes, "on-call notes").unwrap();
    edit(&temp.path().join("profiles/prod.yaml"), CPU_BEFORE, CPU_AFTER);

    let render = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(render.status.code(), Some(2));
    let err = stderr(&render);
    assert!(
        err.contains("error[output-directory]: `out` holds files that gen did not write: prod/NOTES.md"),
        "{err}"
    );
    assert!(err.contains("pass --force to delete them"), "{err}");
    assert_eq!(fs::read_to_string(&notes).unwrap(), "on-call notes");
    assert!(
        fs::read_to_string(temp.path().join("out/prod/services/auth-service/deployment.yaml"))
            .unwrap()
            .contains("cpu: \"250m\""),
        "nothing was rewritten either"
    );

    for args in [
        &["check"][..],
        &["diff", "prod"],
        &["render", "--all", "-o", "out", "--check"],
    ] {
        let output = gen_in(temp.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            stdout(&output).contains("! not written by gen: NOTES.md"),
            "{args:?}: {}",
            stdout(&output)
        );
    }
    assert!(notes.exists());
}

#[test]
fn a_copy_of_a_generated_file_counts_as_hand_written() {
    let temp = rendered_workspace();
    let services = temp.path().join("out/prod/services/auth-service");
    fs::copy(
        services.join("deployment.yaml"),
        services.join("deployment-canary.yaml"),
    )
    .unwrap();
    let render = gen_in(temp.path(), &["render", "prod", "-o", "out/prod"]);
    assert_eq!(render.status.code(), Some(2));
    assert!(
        stderr(&render).contains("services/auth-service/deployment-canary.yaml"),
        "{}",
        stderr(&render)
    );
    assert!(services.join("deployment-canary.yaml").exists());
}

#[test]
fn an_edited_generated_file_is_drift_and_stops_the_render_unless_forced() {
    let temp = rendered_workspace();
    let file = temp.path().join("out/dev/services/v1-api/deployment.yaml");
    edit(&file, "revisionHistoryLimit: 5", "revisionHistoryLimit: 7");
    let diff = gen_in(temp.path(), &["diff", "dev"]);
    assert_eq!(diff.status.code(), Some(1));
    assert!(
        stdout(&diff).contains("spec.revisionHistoryLimit: 7 -> 5"),
        "{}",
        stdout(&diff)
    );
    let check = gen_in(temp.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout(&check)
            .contains("! changed since gen wrote them (by hand, or by a merge): services/v1-api/deployment.yaml"),
        "{}",
        stdout(&check)
    );
    assert!(stdout(&check).contains("run `gen render --all -o out --force` once you have reviewed"));
    let render = gen_in(temp.path(), &["render", "dev", "-o", "out/dev"]);
    assert_eq!(render.status.code(), Some(2));
    let err = stderr(&render);
    assert!(
        err.contains("generated files in `out/dev` were changed since gen wrote them (by hand, or by a merge): services/v1-api/deployment.yaml"),
        "{err}"
    );
    assert!(err.contains("put the change in the profile"), "{err}");
    assert!(
        fs::read_to_string(&file).unwrap().contains("revisionHistoryLimit: 7"),
        "the edit is kept"
    );
    let forced = gen_in(temp.path(), &["render", "dev", "-o", "out/dev", "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(gen_in(temp.path(), &["diff", "dev"]).status.code(), Some(0));
}

#[test]
fn a_single_render_into_the_all_directory_does_not_delete_the_other_profiles() {
    let temp = rendered_workspace();
    let render = gen_in(temp.path(), &["render", "dev", "-o", "out"]);
    assert_eq!(render.status.code(), Some(2));
    let err = stderr(&render);
    assert!(
        err.contains("`out` holds the output of other renders, which this one would delete: dev, prod, quarantine"),
        "{err}"
    );
    assert!(err.contains("-o out/<profile>"), "{err}");
    assert!(temp.path().join("out/prod/kustomization.yaml").is_file());
}

#[test]
fn two_profiles_with_one_name_are_refused() {
    let temp = workspace();
    fs::copy(
        temp.path().join("profiles/dev.yaml"),
        temp.path().join("profiles/prod.yml"),
    )
    .unwrap();
    for args in [&["render", "--all", "-o", "out"][..], &["check"], &["lint"]] {
        let output = gen_in(temp.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("two profiles are named `prod`: `profiles/prod.yaml` and `profiles/prod.yml`"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert!(!temp.path().join("out").exists());
}

#[test]
fn exit_code_makes_a_render_that_changed_files_fail_for_fixing_hooks() {
    let temp = rendered_workspace();
    let same = gen_in(temp.path(), &["render", "--all", "-o", "out", "--exit-code"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    fs::copy(
        temp.path().join("profiles/dev.yaml"),
        temp.path().join("profiles/staging.yaml"),
    )
    .unwrap();
    let added = gen_in(temp.path(), &["render", "--all", "-o", "out", "--exit-code"]);
    assert_eq!(
        added.status.code(),
        Some(1),
        "only new files were written, and that is a change"
    );
    assert!(stderr(&added).contains("review and stage them"), "{}", stderr(&added));
    assert!(temp.path().join("out/staging/kustomization.yaml").is_file());
}

#[test]
fn leftovers_of_an_interrupted_render_inside_out_are_reported_and_pruned() {
    let temp = rendered_workspace();
    let debris = temp.path().join("out/.prod.gen-staging-99999");
    fs::create_dir_all(debris.join("services")).unwrap();
    fs::write(debris.join("services/partial.yaml"), "kind: Deployment\n").unwrap();
    let check = gen_in(temp.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        stdout(&check).contains("! .prod.gen-staging-99999 was left by an interrupted render"),
        "{}",
        stdout(&check)
    );
    let render = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(render.status.code(), Some(0), "{}", stderr(&render));
    assert!(!debris.exists());
    assert_eq!(gen_in(temp.path(), &["check"]).status.code(), Some(0));
}

#[test]
fn unchanged_files_keep_their_bytes_and_modification_times() {
    let temp = rendered_workspace();
    let dev = temp.path().join("out/dev");
    let before = modified_times(&dev);
    std::thread::sleep(std::time::Duration::from_millis(50));
    edit(&temp.path().join("profiles/prod.yaml"), CPU_BEFORE, CPU_AFTER);
    let render = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(render.status.code(), Some(0));
    assert_eq!(
        modified_times(&dev),
        before,
        "dev did not change, so none of its files were touched"
    );
    let again = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert!(stderr(&again).contains("0 files written"), "{}", stderr(&again));
}

#[test]
fn diff_is_clean_right_after_render_and_needs_a_directory() {
    let temp = rendered_workspace();
    let clean = gen_in(temp.path(), &["diff", "prod"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert_eq!(stdout(&clean), "out/prod is up to date with profiles/prod.yaml\n");
    let elsewhere = gen_in(temp.path(), &["diff", "prod", "out/dev"]);
    assert_eq!(elsewhere.status.code(), Some(1), "prod's render is not dev's directory");
    let missing = gen_in(temp.path(), &["diff", "prod", "nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("there is no directory `nowhere` to compare with"));
    assert!(stderr(&missing).contains("gen render prod -o nowhere"));
}

#[test]
fn check_json_is_machine_readable() {
    let temp = rendered_workspace();
    edit(&temp.path().join("profiles/prod.yaml"), CPU_BEFORE, CPU_AFTER);
    let output = gen_in(temp.path(), &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(json["summary"]["upToDate"], false);
    assert_eq!(json["summary"]["errors"], 0);
    let prod = json["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "prod")
        .unwrap();
    assert_eq!(prod["output"]["upToDate"], false);
    let changed = &prod["output"]["objects"][0];
    assert_eq!(changed["object"], "Deployment/platform-v2-stable/auth-service");
    assert_eq!(changed["change"], "changed");
    assert_eq!(changed["fields"][0]["old"], "250m");
    assert_eq!(changed["fields"][0]["new"], "300m");
    assert_eq!(
        prod["output"]["files"]["changed"],
        serde_json::json!([".gen-index", "services/auth-service/deployment.yaml"])
    );
}

#[test]
fn check_exits_2_on_an_invalid_profile_and_1_on_policy_errors() {
    let temp = rendered_workspace();
    edit(
        &temp.path().join("profiles/dev.yaml"),
        "    replicas: 1",
        "    replicsa: 1",
    );
    let invalid = gen_in(temp.path(), &["check"]);
    assert_eq!(invalid.status.code(), Some(2));
    let text = stdout(&invalid);
    assert!(text.contains("error[unknown-field]"), "{text}");
    assert!(
        text.contains("out/dev was not compared: the profile is invalid"),
        "{text}"
    );
    assert!(text.contains("out/prod is up to date"), "{text}");

    let temp = rendered_workspace();
    edit(
        &temp.path().join("profiles/prod.yaml"),
        "    disruptionBudget: {minAvailable: 2}",
        "    disruptionBudget: {minAvailable: 3}",
    );
    let policy = gen_in(temp.path(), &["check"]);
    assert_eq!(policy.status.code(), Some(1));
    assert!(
        stdout(&policy).contains("error[pdb-blocks-drain]"),
        "{}",
        stdout(&policy)
    );
}

#[test]
fn a_name_cannot_make_gen_write_outside_the_output_directory() {
    // Names are validated where the profile is read (this test), and every output path is
    // checked again before writing (output_dir's unit tests feed it `../` paths directly).
    let temp = workspace();
    // A service name that tries to climb out of out/<profile>/services/.
    let profile = temp.path().join("profiles/dev.yaml");
    edit(&profile, "  v1-api:\n", "  ../../../escape:\n");
    edit(&profile, "service: v1-api}", "service: ../../../escape}");
    let output = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("error[invalid-name]"), "{}", stderr(&output));
    assert!(!temp.path().join("out").exists());
    assert!(!temp.path().join("escape").exists());

    // A profile file whose name is not a plain directory name.
    let temp = workspace();
    fs::copy(
        temp.path().join("profiles/dev.yaml"),
        temp.path().join("profiles/..yaml"),
    )
    .unwrap();
    let output = gen_in(temp.path(), &["render", "--all", "-o", "out"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the profile name `.` cannot name a directory"),
        "{}",
        stderr(&output)
    );
    assert!(!temp.path().join("out").exists());

    // A symbolic link inside the output directory is replaced, never written through.
    #[cfg(unix)]
    {
        let temp = rendered_workspace();
        let outside = temp.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        let services = temp.path().join("out/dev/services");
        fs::remove_dir_all(&services).unwrap();
        std::os::unix::fs::symlink(&outside, &services).unwrap();
        let refused = gen_in(temp.path(), &["render", "dev", "-o", "out/dev"]);
        assert_eq!(refused.status.code(), Some(2), "a link gen did not make is not gen's");
        assert!(stderr(&refused).contains("services"), "{}", stderr(&refused));
        let forced = gen_in(temp.path(), &["render", "dev", "-o", "out/dev", "--force"]);
        assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
        assert_eq!(
            fs::read_dir(&outside).unwrap().count(),
            0,
            "nothing was written through the link"
        );
        assert!(services.is_dir() && !services.is_symlink());
    }
}

#[test]
fn render_check_on_a_fresh_directory_is_clean_and_on_a_missing_one_is_stale() {
    let temp = rendered_workspace();
    let clean = gen_in(temp.path(), &["render", "prod", "-o", "out/prod", "--check"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    assert!(stdout(&clean).is_empty());
    assert!(stderr(&clean).contains("out/prod is up to date"));
    let missing = gen_in(temp.path(), &["render", "prod", "-o", "elsewhere", "--check"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stdout(&missing),
        "elsewhere does not exist; profiles/prod.yaml renders 28 objects into it\n"
    );
    assert!(!temp.path().join("elsewhere").exists(), "--check writes nothing");
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let bash = gen_cmd(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0));
    let script = stdout(&bash);
    for word in ["render", "lint", "diff", "check", "completions", "--profiles-dir"] {
        assert!(script.contains(word), "{word} in the bash completions");
    }
    // The script loads in a real bash and registers a completion for `gen`.
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("gen.bash");
    fs::write(&file, &script).unwrap();
    let loaded = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p gen", file.display()))
        .output()
        .expect("bash runs");
    assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("gen"));
    assert!(stdout(&gen_cmd(&["completions", "zsh"])).starts_with("#compdef gen"));
    assert!(stdout(&gen_cmd(&["completions", "fish"])).contains("complete -c gen"));
    assert_eq!(gen_cmd(&["completions", "tcsh"]).status.code(), Some(2));

    let man = gen_cmd(&["man"]);
    assert_eq!(man.status.code(), Some(0));
    let page = stdout(&man);
    assert!(page.contains(".TH gen 1"), "{page}");
    assert!(page.contains("Exit codes: 0 success, 1 findings or differences, 2 usage or input error."));
    let pages = temp.path().join("man1");
    let written = gen_cmd(&["man", "-o", pages.to_str().unwrap()]);
    assert_eq!(written.status.code(), Some(0));
    for page in ["gen.1", "gen-render.1", "gen-check.1", "gen-diff.1"] {
        assert!(pages.join(page).is_file(), "{page}");
    }
}

#[test]
fn directories_whose_loss_would_hurt_are_never_replaced_even_with_force() {
    // Everything here lives in a scratch directory, so even a broken guard could only destroy
    // scratch files: gen runs in <temp>/work, and HOME points at <temp>/homes/alice.
    let temp = workspace();
    let work = temp.path().join("work");
    fs::create_dir_all(work.join("repo/.git")).unwrap();
    fs::rename(temp.path().join("profiles"), work.join("profiles")).unwrap();
    fs::create_dir_all(temp.path().join("homes/alice")).unwrap();
    let before = snapshot_tree(temp.path());
    for (dir, why) in [
        (".", "it holds the current directory"),
        ("..", "it holds the current directory"),
        ("profiles", "it holds the profiles"),
        ("repo", "it holds a git repository"),
        ("../homes", "it holds the home directory"),
        ("out/..", "name the directory itself, without `.` or `..` at the end"),
        ("", "the output directory must be named"),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(["render", "dev", "-o", dir, "--force"])
            .current_dir(&work)
            .env("HOME", temp.path().join("homes/alice"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "-o {dir:?}");
        assert!(
            stderr(&output).contains(&format!("refusing to replace `{dir}`: {why}")),
            "-o {dir:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(snapshot_tree(temp.path()), before, "nothing was touched");
}

#[test]
fn rendering_one_profile_over_anothers_directory_is_refused() {
    let temp = rendered_workspace();
    let output = gen_in(temp.path(), &["render", "dev", "-o", "out/prod"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`out/prod` holds the render of profile `prod`; this is profile `dev`"),
        "{}",
        stderr(&output)
    );
    assert!(
        temp.path()
            .join("out/prod/services/auth-service/deployment.yaml")
            .is_file()
    );
}

/// Runs `gen` in `dir` as a user that file permissions apply to: the current user, or, when
/// the tests run as root (whom `chmod` does not stop), `nobody` (uid 65534), after giving it
/// the workspace on the first call. Returns `None` (and says why) where root cannot switch users.
#[cfg(unix)]
fn gen_as_unprivileged(dir: &Path, args: &[&str]) -> Option<std::process::Output> {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gen"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    // `/proc/self` belongs to the user this test runs as.
    if fs::metadata("/proc/self").unwrap().uid() == 0 {
        const NOBODY: u32 = 65534;
        // The first call gives the workspace away; later ones leave ownership as the test set it.
        let mut pending = vec![dir.to_path_buf()];
        if fs::metadata(dir).unwrap().uid() == NOBODY {
            pending.clear();
        }
        while let Some(path) = pending.pop() {
            std::os::unix::fs::lchown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
            if path.is_dir() && !path.is_symlink() {
                pending.extend(fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            }
        }
        command.uid(NOBODY).gid(NOBODY);
    }
    match command.output() {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!("SKIPPED: running as root without the right to switch to uid 65534: {error}");
            None
        }
        Err(error) => panic!("the gen binary runs: {error}"),
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_output_directory_leaves_no_staging_debris() {
    use std::os::unix::fs::PermissionsExt;
    let temp = workspace();
    let Some(first) = gen_as_unprivileged(temp.path(), &["render", "prod", "-o", "out/prod"]) else {
        return;
    };
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let prod = temp.path().join("out/prod");
    for dir in [prod.join("services"), prod.clone()] {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).unwrap();
    }
    remove_orchestrator(temp.path());
    for round in 1..=2 {
        let render = gen_as_unprivileged(temp.path(), &["render", "prod", "-o", "out/prod"]).unwrap();
        let debris: Vec<String> = fs::read_dir(temp.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains(".gen-staging-"))
            .collect();
        assert!(
            debris.is_empty(),
            "render {round} left {debris:?} beside out/prod (exit {:?}):\n{}",
            render.status.code(),
            stderr(&render)
        );
        assert_eq!(render.status.code(), Some(0), "render {round}: {}", stderr(&render));
        assert!(
            !prod.join("services/ai-orchestrator").exists(),
            "the removed service is pruned"
        );
    }
}

#[cfg(unix)]
#[test]
fn an_old_tree_gen_could_not_remove_is_refused_before_anything_is_written() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let temp = workspace();
    let Some(first) = gen_as_unprivileged(temp.path(), &["render", "prod", "-o", "out/prod"]) else {
        return;
    };
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    if fs::metadata("/proc/self").unwrap().uid() != 0 {
        eprintln!("SKIPPED: only root can give a directory in out/prod to another user");
        return;
    }
    // Another user's read-only directory: gen could swap it out, but never delete it.
    let services = temp.path().join("out/prod/services");
    std::os::unix::fs::chown(&services, Some(0), Some(0)).unwrap();
    fs::set_permissions(&services, fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot_tree(&temp.path().join("out"));
    remove_orchestrator(temp.path());
    let render = gen_as_unprivileged(temp.path(), &["render", "prod", "-o", "out/prod"]).unwrap();
    assert_eq!(render.status.code(), Some(2), "{}", stderr(&render));
    assert!(
        stderr(&render).contains("is read-only and belongs to another user"),
        "{}",
        stderr(&render)
    );
    assert_eq!(
        snapshot_tree(&temp.path().join("out")),
        before,
        "nothing changed, nothing left beside it"
    );
}

#[test]
fn fsync_writes_the_same_tree_and_flushes_every_file_and_directory() {
    let temp = workspace();
    let plain = gen_in(temp.path(), &["render", "--all", "-o", "plain"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let synced = gen_in(temp.path(), &["render", "--all", "-o", "synced", "--fsync"]);
    assert_eq!(synced.status.code(), Some(0), "{}", stderr(&synced));
    assert_eq!(
        snapshot_tree(&temp.path().join("synced")),
        snapshot_tree(&temp.path().join("plain"))
    );
    let refused = gen_in(temp.path(), &["render", "prod", "--fsync"]);
    assert_eq!(refused.status.code(), Some(2), "--fsync needs -o: {}", stderr(&refused));
    // Where strace exists, see the flushes: the tree's filesystem once, then the swap.
    let Ok(traced) = std::process::Command::new("strace")
        .args([
            "-f",
            "-e",
            "trace=fsync,syncfs",
            "-o",
            "flushes.txt",
            env!("CARGO_BIN_EXE_gen"),
        ])
        .args(["render", "prod", "-o", "traced", "--fsync"])
        .current_dir(temp.path())
        .output()
    else {
        eprintln!("SKIPPED the flush count: no strace");
        return;
    };
    if !traced.status.success() {
        eprintln!("SKIPPED the flush count: strace cannot trace here: {}", stderr(&traced));
        return;
    }
    let trace = fs::read_to_string(temp.path().join("flushes.txt")).unwrap();
    let calls: Vec<&str> = trace
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter_map(|call| call.split('(').next())
        .filter(|call| matches!(*call, "fsync" | "syncfs"))
        .collect();
    assert_eq!(calls, ["syncfs", "fsync"], "{trace}");
}
