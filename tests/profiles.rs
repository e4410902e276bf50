//! Snapshots of every shipped profile's full output, and proof that rendering is deterministic.

mod common;

use common::*;

fn render(profile: &str) -> String {
    let output = gen_cmd(&["render", profile]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "gen render {profile}: {}",
        stderr(&output)
    );
    stdout(&output)
}

#[test]
fn shipped_profiles_match_their_snapshots() {
    for profile in PROFILES {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("gen render {profile}"),
        }, {
            insta::assert_snapshot!(format!("render-{profile}"), render(profile));
        });
    }
}

#[test]
fn example_systems_match_their_snapshots() {
    for (name, path) in EXAMPLES {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("gen render {path}"),
        }, {
            insta::assert_snapshot!(format!("example-{name}"), render(path));
        });
    }
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    for profile in PROFILES {
        assert_eq!(render(profile), render(profile), "{profile} stream");
    }
    let temp = tempfile::tempdir().unwrap();
    render_all_into(&temp.path().join("a"));
    render_all_into(&temp.path().join("b"));
    for profile in PROFILES {
        let a = temp.path().join("a").join(profile);
        let b = temp.path().join("b").join(profile);
        let files = files_below(&a);
        assert_eq!(files, files_below(&b));
        for file in files {
            assert_eq!(
                std::fs::read(a.join(&file)).unwrap(),
                std::fs::read(b.join(&file)).unwrap(),
                "{profile}/{file}"
            );
        }
    }
}
