//! `gen init [DIR]`: a starting point that renders, lints clean and passes `gen check` at once:
//! a base profile with dev and prod overlays, the JSON Schema editors check them with, the
//! `.gitignore` lines gen needs and a pre-commit configuration that runs `gen check`.

use camino::{Utf8Path, Utf8PathBuf};

use crate::exit;

/// The files `gen init` writes whole: (path below DIR, contents). The profiles name the schema
/// on their first line, relative to `profiles/`.
fn files() -> Vec<(&'static str, String)> {
    vec![
        ("profiles/base.yaml", include_str!("init/base.yaml").to_owned()),
        ("profiles/dev.yaml", include_str!("init/dev.yaml").to_owned()),
        ("profiles/prod.yaml", include_str!("init/prod.yaml").to_owned()),
        (crate::schema::SCHEMA_PATH, crate::schema::profile_schema_text()),
        (
            ".pre-commit-config.yaml",
            include_str!("init/pre-commit-config.yaml").to_owned(),
        ),
    ]
}

/// What `.gitignore` needs: a killed render can leave a staging directory beside `out/`.
const GITIGNORE: &[&str] = &[
    "# Left beside an output directory by a render that was killed; the next render removes it.",
    ".*.gen-staging-*",
];

pub fn init(dir: &Utf8Path, force: bool) -> i32 {
    let files = files();
    let existing: Vec<Utf8PathBuf> = files
        .iter()
        .map(|(path, _)| dir.join(path))
        .filter(|path| path.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() && !force {
        let names: Vec<String> = existing.iter().map(|p| format!("`{p}`")).collect();
        eprintln!(
            "gen: {} already exist{}: {}\n  = help: move them away, or pass --force to replace them\ngen: nothing was written",
            if existing.len() == 1 { "a file" } else { "files" },
            if existing.len() == 1 { "s" } else { "" },
            names.join(", ")
        );
        return exit::ERROR;
    }
    let written = files
        .iter()
        .try_for_each(|(path, contents)| write(&dir.join(path), contents))
        .and_then(|()| append_gitignore(&dir.join(".gitignore")));
    match written {
        Ok(gitignore) => {
            for (path, _) in &files {
                eprintln!("gen: wrote {}", dir.join(path));
            }
            if let Some(change) = gitignore {
                eprintln!("gen: {change} {}", dir.join(".gitignore"));
            }
            let cd = if dir == "." {
                String::new()
            } else {
                format!("cd {dir} && ")
            };
            eprintln!(
                "gen: next: {cd}gen render --all -o out && gen check   (then edit profiles/, render again, commit both)"
            );
            exit::OK
        }
        Err(error) => {
            eprintln!("gen: {error}");
            exit::ERROR
        }
    }
}

fn write(path: &Utf8Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create `{parent}`: {e}"))?;
    }
    // A symbolic link is replaced, never written through.
    if path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
        std::fs::remove_file(path).map_err(|e| format!("cannot replace `{path}`: {e}"))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write `{path}`: {e}"))
}

/// Adds the lines `.gitignore` lacks, after what it holds; says what it did, if anything.
fn append_gitignore(path: &Utf8Path) -> Result<Option<&'static str>, String> {
    let current = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(format!("cannot read `{path}`: {error}")),
    };
    let text = current.as_deref().unwrap_or_default();
    let present = |line: &str| text.lines().any(|l| l.trim() == line);
    let missing: Vec<&str> = GITIGNORE
        .iter()
        .copied()
        .filter(|line| !line.starts_with('#') && !present(line))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let mut addition = String::new();
    if !text.is_empty() {
        if !text.ends_with('\n') {
            addition.push('\n');
        }
        addition.push('\n');
    }
    for line in GITIGNORE {
        if line.starts_with('#') || missing.contains(line) {
            addition.push_str(line);
            addition.push('\n');
        }
    }
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("cannot open `{path}`: {e}"))?;
    file.write_all(addition.as_bytes())
        .map_err(|e| format!("cannot append to `{path}`: {e}"))?;
    Ok(Some(if current.is_some() { "added lines to" } else { "wrote" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> (tempfile::TempDir, Utf8PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        (dir, path)
    }

    #[test]
    fn gitignore_lines_are_appended_once_and_nothing_is_lost() {
        let (_keep, dir) = temp();
        let path = dir.join(".gitignore");
        std::fs::write(&path, "/target\nnode_modules").unwrap();
        assert_eq!(append_gitignore(&path).unwrap(), Some("added lines to"));
        assert_eq!(append_gitignore(&path).unwrap(), None);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("/target\nnode_modules\n\n# Left beside"), "{text}");
        assert_eq!(text.matches(".*.gen-staging-*").count(), 1, "{text}");
    }

    #[test]
    fn a_gitignore_that_has_the_lines_is_left_alone() {
        let (_keep, dir) = temp();
        let path = dir.join(".gitignore");
        std::fs::write(&path, "  .*.gen-staging-*  \n").unwrap();
        assert_eq!(append_gitignore(&path).unwrap(), None);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "  .*.gen-staging-*  \n");
    }

    #[test]
    fn the_profiles_point_at_the_schema_it_writes() {
        for (path, contents) in files() {
            if let Some(name) = path.strip_prefix("profiles/") {
                let first = contents.lines().next().unwrap();
                assert_eq!(
                    first,
                    format!("# yaml-language-server: $schema=../{}", crate::schema::SCHEMA_PATH),
                    "{name}"
                );
            }
        }
    }
}
