//! Writing an output directory so that it is always either the complete old or the complete new
//! render, never a mix, and never at the expense of files a person put there.
//!
//! The new tree is built in a hidden sibling directory and swapped in with one atomic
//! `renameat2(RENAME_EXCHANGE)`; the old tree is then removed. Files whose bytes did not change
//! are hard-linked from the old tree, so they keep their modification time.

use std::collections::BTreeSet;
use std::fs;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};

use crate::emit::{File, MARKER};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("`{dir}` holds files that gen did not write: {}", .files.join(", "))]
    ForeignFiles { dir: Utf8PathBuf, files: Vec<String> },
    #[error("`{0}` exists and is not a directory")]
    NotADirectory(Utf8PathBuf),
    #[error("refusing to write `{0}`: the path would leave the output directory")]
    UnsafePath(String),
    #[error("cannot write `{path}`: {source}")]
    Io { path: Utf8PathBuf, source: io::Error },
}

/// What writing changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

impl Outcome {
    pub fn changed(&self) -> bool {
        self.written > 0 || self.removed > 0
    }
}

fn io_error(path: &Utf8Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Replaces the contents of `dir` with `files`. With `replace_foreign`, files gen did not write
/// are replaced too; without it, their presence is an error and nothing is touched.
pub fn write(dir: &Utf8Path, files: &[File], replace_foreign: bool) -> Result<Outcome, OutputError> {
    for file in files {
        check_relative(&file.path)?;
    }
    let existing = existing_files(dir)?;
    let foreign: Vec<String> = existing
        .iter()
        .filter(|p| !written_by_gen(&dir.join(p)))
        .cloned()
        .collect();
    if !foreign.is_empty() && !replace_foreign {
        return Err(OutputError::ForeignFiles {
            dir: dir.to_owned(),
            files: foreign,
        });
    }
    let new_paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut outcome = Outcome {
        removed: existing.iter().filter(|p| !new_paths.contains(p.as_str())).count(),
        ..Outcome::default()
    };
    let unchanged: BTreeSet<&str> = files
        .iter()
        .filter(|f| {
            existing.contains(&f.path) && fs::read(dir.join(&f.path)).is_ok_and(|old| old == f.contents.as_bytes())
        })
        .map(|f| f.path.as_str())
        .collect();
    outcome.unchanged = unchanged.len();
    outcome.written = files.len() - unchanged.len();
    if !outcome.changed() && dir.is_dir() {
        return Ok(outcome);
    }

    let staging = staging_dir(dir)?;
    let build = || -> Result<(), OutputError> {
        for file in files {
            let target = staging.join(&file.path);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            if unchanged.contains(file.path.as_str()) {
                fs::hard_link(dir.join(&file.path), &target)
                    .or_else(|_| fs::write(&target, &file.contents))
                    .map_err(io_error(&target))?;
            } else {
                fs::write(&target, &file.contents).map_err(io_error(&target))?;
            }
        }
        swap_into_place(&staging, dir)
    };
    if let Err(error) = build() {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    // `staging` now holds the previous tree (or nothing); losing it changes no output.
    let _ = fs::remove_dir_all(&staging);
    Ok(outcome)
}

fn check_relative(path: &str) -> Result<(), OutputError> {
    let safe = !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if safe {
        Ok(())
    } else {
        Err(OutputError::UnsafePath(path.to_owned()))
    }
}

fn written_by_gen(path: &Utf8Path) -> bool {
    fs::read(path).is_ok_and(|bytes| bytes.starts_with(MARKER.as_bytes()))
}

/// Every file below `dir`, relative and `/`-separated; empty if `dir` does not exist.
fn existing_files(dir: &Utf8Path) -> Result<BTreeSet<String>, OutputError> {
    match fs::symlink_metadata(dir) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(error) => return Err(io_error(dir)(error)),
        Ok(meta) if !meta.is_dir() => return Err(OutputError::NotADirectory(dir.to_owned())),
        Ok(_) => {}
    }
    let mut found = BTreeSet::new();
    let mut pending = vec![Utf8PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let absolute = dir.join(&relative);
        for entry in absolute.read_dir_utf8().map_err(io_error(&absolute))? {
            let entry = entry.map_err(io_error(&absolute))?;
            let child = relative.join(entry.file_name());
            if entry.file_type().map_err(io_error(entry.path()))?.is_dir() {
                pending.push(child);
            } else {
                found.insert(child.as_str().replace('\\', "/"));
            }
        }
    }
    Ok(found)
}

/// A fresh hidden sibling of `dir`, on the same filesystem so the swap is a rename. Staging
/// directories left behind by an interrupted run are removed first.
fn staging_dir(dir: &Utf8Path) -> Result<Utf8PathBuf, OutputError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_str().is_empty() => p.to_owned(),
        _ => Utf8PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    let name = dir
        .file_name()
        .ok_or_else(|| OutputError::UnsafePath(dir.to_string()))?;
    let prefix = format!(".{name}.gen-staging-");
    if let Ok(entries) = parent.read_dir_utf8() {
        for entry in entries.flatten() {
            if entry.file_name().starts_with(&prefix) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let staging = parent.join(format!("{prefix}{}", std::process::id()));
    fs::create_dir(&staging).map_err(io_error(&staging))?;
    Ok(staging)
}

/// Puts `staging` at `dir` atomically; afterwards `staging` holds the old tree, if there was one.
fn swap_into_place(staging: &Utf8Path, dir: &Utf8Path) -> Result<(), OutputError> {
    if !dir.exists() {
        return fs::rename(staging, dir).map_err(io_error(dir));
    }
    exchange(staging, dir).map_err(io_error(dir))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Utf8Path, b: &Utf8Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a.as_std_path(), CWD, b.as_std_path(), RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Without an atomic exchange, move the old tree aside first: a crash between the two renames
/// leaves the old tree intact beside an absent `dir`, never a mix.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(a: &Utf8Path, b: &Utf8Path) -> io::Result<()> {
    let aside = Utf8PathBuf::from(format!("{a}.old"));
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, body: &str) -> File {
        File {
            path: path.into(),
            contents: format!("{MARKER}\n{body}"),
        }
    }

    fn temp() -> (tempfile::TempDir, Utf8PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let dir = Utf8PathBuf::from_path_buf(root.path().join("out")).unwrap();
        (root, dir)
    }

    #[test]
    fn writes_replaces_and_prunes() {
        let (_root, dir) = temp();
        let first = write(&dir, &[file("a.yaml", "1"), file("s/b.yaml", "2")], false).unwrap();
        assert_eq!(first.written, 2);
        let second = write(&dir, &[file("a.yaml", "1"), file("c.yaml", "3")], false).unwrap();
        assert_eq!(
            second,
            Outcome {
                written: 1,
                unchanged: 1,
                removed: 1
            }
        );
        assert!(!dir.join("s/b.yaml").exists());
        assert_eq!(fs::read_to_string(dir.join("c.yaml")).unwrap(), format!("{MARKER}\n3"));
        let parent = dir.parent().unwrap();
        assert_eq!(
            parent.read_dir_utf8().unwrap().count(),
            1,
            "no staging directory is left behind"
        );
    }

    #[test]
    fn unchanged_files_keep_their_modification_time() {
        let (_root, dir) = temp();
        write(&dir, &[file("a.yaml", "1"), file("b.yaml", "2")], false).unwrap();
        let before = fs::metadata(dir.join("a.yaml")).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(&dir, &[file("a.yaml", "1"), file("b.yaml", "changed")], false).unwrap();
        assert_eq!(fs::metadata(dir.join("a.yaml")).unwrap().modified().unwrap(), before);
    }

    #[test]
    fn refuses_to_touch_foreign_files() {
        let (_root, dir) = temp();
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        let error = write(&dir, &[file("a.yaml", "1")], false).unwrap_err();
        assert!(matches!(error, OutputError::ForeignFiles { ref files, .. } if files == &["notes.txt"]));
        assert!(!dir.join("a.yaml").exists());
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn rejects_paths_that_escape() {
        let (_root, dir) = temp();
        for bad in ["../x.yaml", "/etc/x", "a/../../x", "a//b", ""] {
            assert!(
                matches!(write(&dir, &[file(bad, "")], false), Err(OutputError::UnsafePath(_))),
                "{bad}"
            );
        }
        assert!(!dir.exists());
    }
}
