//! What the documentation tells people to use must work: the GitHub Actions example is a valid
//! workflow whose gen commands succeed on this repository, and the pre-commit manifest is one
//! the framework accepts.

mod common;

use std::process::Command;

use common::*;

fn validate_workflow(path: &std::path::Path) -> (bool, String) {
    run(Command::new(oracle("check-jsonschema"))
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(path))
}

#[test]
fn the_github_actions_example_is_a_valid_workflow() {
    let workflow = repo_root().join("docs/github-actions.yml");
    let (ok, text) = validate_workflow(&workflow);
    assert!(ok, "{text}");
    // The validator is armed: a misspelt key fails it.
    let temp = tempfile::tempdir().unwrap();
    let broken = temp.path().join("broken.yml");
    let text = std::fs::read_to_string(&workflow)
        .unwrap()
        .replace("runs-on:", "run-on:");
    std::fs::write(&broken, text).unwrap();
    assert!(!validate_workflow(&broken).0, "a workflow without runs-on must fail");
}

#[test]
fn the_workflows_gen_commands_succeed_on_this_repository() {
    let workflow = std::fs::read_to_string(repo_root().join("docs/github-actions.yml")).unwrap();
    let commands: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: gen "))
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    for command in commands {
        let args: Vec<&str> = command.split(" >").next().unwrap().split_whitespace().collect();
        let output = gen_cmd(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "gen {command}:\n{}{}",
            stdout(&output),
            stderr(&output)
        );
    }
}

#[test]
fn pre_commit_accepts_the_hook_manifest() {
    let output = Command::new(oracle("pre-commit"))
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(repo_root())
        .output()
        .expect("pre-commit runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}
