//! Writing an output directory so that it is always either the complete old or the complete new
//! render, never a mix, and never at the expense of files a person put there.
//!
//! The new tree is built in a hidden sibling directory and swapped in with one atomic
//! `renameat2(RENAME_EXCHANGE)`; the old tree is then removed. Files whose bytes did not change
//! are hard-linked from the old tree, so they keep their inode and modification time.
//!
//! Which files are gen's is read from the indexes gen writes (see [`crate::index`]): a file is
//! gen's when an index lists it. Only in a directory no index covers (written before indexes
//! existed) does the marker line decide.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};

use crate::emit::{File, MARKER};
use crate::index;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("`{dir}` holds files that gen did not write: {}", .files.join(", "))]
    ForeignFiles { dir: Utf8PathBuf, files: Vec<String> },
    #[error("`{0}` exists and is not a directory")]
    NotADirectory(Utf8PathBuf),
    #[error("`{path}` is a symbolic link; gen replaces the directory itself, so name the real directory: `{target}`")]
    Symlink { path: Utf8PathBuf, target: String },
    #[error("refusing to write `{0}`: the path would leave the output directory")]
    UnsafePath(String),
    #[error("refusing to replace `{dir}`: {why}")]
    Protected { dir: Utf8PathBuf, why: String },
    #[error("cannot write `{path}`: {source}")]
    Io { path: Utf8PathBuf, source: io::Error },
}

fn io_error(path: &Utf8Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What is in a directory now: every entry below it, relative and `/`-separated.
#[derive(Debug, Default)]
pub struct Tree {
    /// Regular files and their bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Anything else that is not a directory (symbolic links, sockets, ...): never gen's.
    pub others: BTreeSet<String>,
    /// Whether the directory exists at all.
    pub exists: bool,
    /// Every directory below it, empty ones included.
    pub dirs: BTreeSet<String>,
}

impl Tree {
    /// Reads `dir` without following symbolic links; an absent `dir` is an empty tree.
    /// Staging directories of an interrupted run inside it are gen's debris and skipped.
    pub fn read(dir: &Utf8Path) -> Result<Tree, OutputError> {
        match fs::symlink_metadata(dir) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Tree::default()),
            Err(error) => return Err(io_error(dir)(error)),
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(dir).map_or_else(|_| "?".to_owned(), |t| t.display().to_string());
                return Err(OutputError::Symlink {
                    path: dir.to_owned(),
                    target,
                });
            }
            Ok(meta) if !meta.is_dir() => return Err(OutputError::NotADirectory(dir.to_owned())),
            Ok(_) => {}
        }
        let mut tree = Tree {
            exists: true,
            ..Tree::default()
        };
        let mut pending = vec![Utf8PathBuf::new()];
        while let Some(relative) = pending.pop() {
            let absolute = dir.join(&relative);
            for entry in absolute.read_dir_utf8().map_err(io_error(&absolute))? {
                let entry = entry.map_err(io_error(&absolute))?;
                let child = relative.join(entry.file_name()).as_str().replace('\\', "/");
                let file_type = entry.file_type().map_err(io_error(entry.path()))?;
                if file_type.is_dir() {
                    if !is_staging_name(entry.file_name()) {
                        tree.dirs.insert(child.clone());
                        pending.push(child.into());
                    }
                } else if file_type.is_file() {
                    let bytes = fs::read(entry.path()).map_err(io_error(entry.path()))?;
                    tree.files.insert(child, bytes);
                } else {
                    tree.others.insert(child);
                }
            }
        }
        Ok(tree)
    }

    /// The part of the tree below `dir` (one relative path segment or more), relative to it.
    pub fn subtree(&self, dir: &str) -> Tree {
        let prefix = format!("{dir}/");
        let strip = |path: &String| path.strip_prefix(&prefix).map(str::to_owned);
        let files: BTreeMap<String, Vec<u8>> = self
            .files
            .iter()
            .filter_map(|(path, bytes)| Some((strip(path)?, bytes.clone())))
            .collect();
        let others: BTreeSet<String> = self.others.iter().filter_map(strip).collect();
        let dirs = self.dirs.iter().filter_map(strip).collect();
        Tree {
            exists: self.exists && self.has_dir(dir),
            files,
            others,
            dirs,
        }
    }

    /// The tree without the entries under any of `dirs` (top-level names).
    pub fn excluding(&self, dirs: &[&str]) -> Tree {
        let kept = |path: &str| !dirs.iter().any(|dir| path == *dir || is_below(path, dir));
        Tree {
            exists: self.exists,
            files: self
                .files
                .iter()
                .filter(|(p, _)| kept(p))
                .map(|(p, b)| (p.clone(), b.clone()))
                .collect(),
            others: self.others.iter().filter(|p| kept(p)).cloned().collect(),
            dirs: self.dirs.iter().filter(|p| kept(p)).cloned().collect(),
        }
    }

    fn has_dir(&self, dir: &str) -> bool {
        self.dirs.contains(dir)
    }

    /// Which entries gen wrote, and which of those were edited since.
    pub fn ownership(&self) -> Ownership {
        let mut owned = BTreeSet::new();
        let mut edited = BTreeSet::new();
        let mut indexed_dirs = Vec::new();
        for (path, bytes) in &self.files {
            let Some(base) = index_base(path) else { continue };
            owned.insert(path.clone());
            indexed_dirs.push(base.to_owned());
            let text = String::from_utf8_lossy(bytes);
            for entry in index::parse(&text) {
                if check_relative(&entry.path).is_err() {
                    continue;
                }
                let full = join(base, &entry.path);
                if let Some(current) = self.files.get(&full) {
                    if index::digest(current) != entry.sha256 {
                        edited.insert(full.clone());
                    }
                    owned.insert(full);
                }
            }
        }
        // A directory no index covers: the marker line is all there is to go by.
        for (path, bytes) in &self.files {
            let covered = indexed_dirs.iter().any(|base| is_below(path, base));
            if !covered && bytes.starts_with(MARKER.as_bytes()) {
                owned.insert(path.clone());
            }
        }
        let foreign = self
            .files
            .keys()
            .chain(&self.others)
            .filter(|p| !owned.contains(*p))
            .cloned()
            .collect();
        Ownership { owned, edited, foreign }
    }
}

/// The directory an index file describes (`""` for the top), if `path` is an index.
fn index_base(path: &str) -> Option<&str> {
    match path.rsplit_once('/') {
        Some((base, name)) => (name == index::FILE_NAME).then_some(base),
        None => (path == index::FILE_NAME).then_some(""),
    }
}

fn join(base: &str, path: &str) -> String {
    if base.is_empty() {
        path.to_owned()
    } else {
        format!("{base}/{path}")
    }
}

fn is_below(path: &str, base: &str) -> bool {
    base.is_empty() || path.strip_prefix(base).is_some_and(|rest| rest.starts_with('/'))
}

#[derive(Debug, Default)]
pub struct Ownership {
    /// Files gen wrote (indexes included).
    pub owned: BTreeSet<String>,
    /// Files gen wrote whose bytes no longer match the index: edited by hand.
    pub edited: BTreeSet<String>,
    /// Everything gen did not write.
    pub foreign: Vec<String>,
}

/// What replacing a tree with a new set of files would do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// New files, and files whose bytes change.
    pub written: Vec<String>,
    pub unchanged: BTreeSet<String>,
    /// gen's files that the new set no longer has: pruned.
    pub removed: Vec<String>,
    /// Files gen did not write: a render refuses to touch them.
    pub foreign: Vec<String>,
    /// gen's files edited by hand that the render would overwrite or remove.
    pub edits_lost: Vec<String>,
}

impl Plan {
    pub fn new(tree: &Tree, files: &[File]) -> Plan {
        let ownership = tree.ownership();
        let new_paths: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let mut plan = Plan {
            foreign: ownership.foreign,
            ..Plan::default()
        };
        for file in files {
            match tree.files.get(&file.path) {
                Some(old) if old.as_slice() == file.contents.as_bytes() => {
                    plan.unchanged.insert(file.path.clone());
                }
                _ => plan.written.push(file.path.clone()),
            }
        }
        plan.removed = ownership
            .owned
            .iter()
            .filter(|p| !new_paths.contains(p.as_str()))
            .cloned()
            .collect();
        plan.edits_lost = ownership
            .edited
            .into_iter()
            .filter(|p| !plan.unchanged.contains(p))
            .collect();
        plan
    }

    /// Whether writing would change anything in the directory.
    pub fn changes(&self) -> bool {
        !self.written.is_empty() || !self.removed.is_empty()
    }
}

/// What writing changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// gen's files that had been edited by hand and were overwritten or removed.
    pub edits_lost: Vec<String>,
}

/// Replaces the contents of `dir` with `files`. With `replace_foreign`, files gen did not write
/// are replaced too; without it, their presence is an error and nothing is touched. `keep`
/// names files (the profiles being rendered) that must not be inside `dir`.
pub fn write(
    dir: &Utf8Path,
    files: &[File],
    replace_foreign: bool,
    keep: &[&Utf8Path],
) -> Result<Outcome, OutputError> {
    for file in files {
        check_relative(&file.path)?;
    }
    refuse_precious(dir, keep)?;
    let parent = parent_of(dir);
    fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    // Held until this function returns: one writer per parent directory at a time, so a
    // second run cannot clear the first one's staging directory or swap in between.
    let _lock = lock::exclusive(&parent)?;
    let tree = Tree::read(dir)?;
    let plan = Plan::new(&tree, files);
    if !plan.foreign.is_empty() && !replace_foreign {
        return Err(OutputError::ForeignFiles {
            dir: dir.to_owned(),
            files: plan.foreign,
        });
    }
    let outcome = Outcome {
        written: plan.written.len(),
        unchanged: plan.unchanged.len(),
        removed: plan.removed.len() + if replace_foreign { plan.foreign.len() } else { 0 },
        edits_lost: plan.edits_lost.clone(),
    };
    if outcome.written == 0 && outcome.removed == 0 && tree.exists {
        return Ok(outcome);
    }

    let staging = staging_dir(&parent, dir)?;
    let build = || -> Result<(), OutputError> {
        for file in files {
            let target = staging.join(&file.path);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            if plan.unchanged.contains(&file.path) {
                fs::hard_link(dir.join(&file.path), &target)
                    .or_else(|_| fs::write(&target, &file.contents))
                    .map_err(io_error(&target))?;
            } else {
                fs::write(&target, &file.contents).map_err(io_error(&target))?;
            }
        }
        swap_into_place(&staging, dir, tree.exists)
    };
    if let Err(error) = build() {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    // `staging` now holds the previous tree (or nothing); losing it changes no output.
    let _ = fs::remove_dir_all(&staging);
    Ok(outcome)
}

/// Output paths are relative, `/`-separated, and made of plain names: no `..`, no absolute
/// paths, nothing a shell or a filesystem would read specially.
pub fn check_relative(path: &str) -> Result<(), OutputError> {
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

/// gen replaces the output directory as a whole, so it must not be one whose loss would hurt
/// beyond the render: the filesystem root, the home directory, the current directory or one
/// above it, or a directory holding a profile. Checked before anything is read, so a mistyped
/// `-o ..` fails at once instead of reading a whole tree.
fn refuse_precious(dir: &Utf8Path, keep: &[&Utf8Path]) -> Result<(), OutputError> {
    let refuse = |why: String| OutputError::Protected {
        dir: dir.to_owned(),
        why,
    };
    if dir.as_str().is_empty() {
        return Err(refuse("the output directory must be named".into()));
    }
    // A directory that does not exist yet holds nothing to lose.
    let Ok(real) = dir.canonicalize_utf8() else {
        return Ok(());
    };
    if real.parent().is_none() {
        return Err(refuse("it is the filesystem root".into()));
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    if home
        .and_then(|h| h.canonicalize().ok())
        .is_some_and(|h| h == real.as_std_path())
    {
        return Err(refuse("it is the home directory".into()));
    }
    if std::env::current_dir()
        .and_then(|cwd| cwd.canonicalize())
        .is_ok_and(|cwd| cwd.starts_with(&real))
    {
        return Err(refuse(
            "it holds the current directory; name a directory inside it, such as `out`".into(),
        ));
    }
    for file in keep {
        if file.canonicalize_utf8().is_ok_and(|f| f.starts_with(&real)) {
            return Err(refuse(format!(
                "it holds the profile `{file}`; render into a directory of its own"
            )));
        }
    }
    Ok(())
}

fn parent_of(dir: &Utf8Path) -> Utf8PathBuf {
    match dir.parent() {
        Some(p) if !p.as_str().is_empty() => p.to_owned(),
        _ => Utf8PathBuf::from("."),
    }
}

const STAGING_INFIX: &str = ".gen-staging-";

fn is_staging_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(STAGING_INFIX)
}

/// A fresh hidden sibling of `dir`, on the same filesystem so the swap is a rename. Staging
/// directories left behind by an interrupted run are removed first (the lock makes sure no
/// other run is using them).
fn staging_dir(parent: &Utf8Path, dir: &Utf8Path) -> Result<Utf8PathBuf, OutputError> {
    let name = dir
        .file_name()
        .ok_or_else(|| OutputError::UnsafePath(dir.to_string()))?;
    let prefix = format!(".{name}{STAGING_INFIX}");
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
fn swap_into_place(staging: &Utf8Path, dir: &Utf8Path, dir_exists: bool) -> Result<(), OutputError> {
    if !dir_exists {
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

mod lock {
    use super::{OutputError, Utf8Path, io_error};

    /// An advisory `flock` on the directory itself, released when the handle drops. If another
    /// `gen` holds it, say so and wait: its run takes a moment, and two writers must not mix.
    #[cfg(unix)]
    pub fn exclusive(dir: &Utf8Path) -> Result<std::fs::File, OutputError> {
        use rustix::fs::{FlockOperation, flock};
        let handle = std::fs::File::open(dir).map_err(io_error(dir))?;
        if flock(&handle, FlockOperation::NonBlockingLockExclusive).is_err() {
            eprintln!("gen: waiting for another gen that is writing into `{dir}`");
            flock(&handle, FlockOperation::LockExclusive).map_err(|e| io_error(dir)(std::io::Error::from(e)))?;
        }
        Ok(handle)
    }

    #[cfg(not(unix))]
    pub fn exclusive(dir: &Utf8Path) -> Result<(), OutputError> {
        let _ = dir;
        Ok(())
    }
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

    /// A file set as `emit::files` makes it: the files plus their index.
    fn set(files: &[File]) -> Vec<File> {
        let mut all = files.to_vec();
        all.push(File {
            path: index::FILE_NAME.into(),
            contents: index::render(files.iter().map(|f| (f.path.as_str(), f.contents.as_bytes()))),
        });
        all
    }

    fn temp() -> (tempfile::TempDir, Utf8PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let dir = Utf8PathBuf::from_path_buf(root.path().join("out")).unwrap();
        (root, dir)
    }

    #[test]
    fn writes_replaces_and_prunes() {
        let (_root, dir) = temp();
        let first = write(&dir, &set(&[file("a.yaml", "1"), file("s/b.yaml", "2")]), false, &[]).unwrap();
        assert_eq!(first.written, 3);
        let second = write(&dir, &set(&[file("a.yaml", "1"), file("c.yaml", "3")]), false, &[]).unwrap();
        assert_eq!(
            (second.written, second.unchanged, second.removed),
            (2, 1, 1),
            "c.yaml and the index written, a.yaml kept, s/b.yaml pruned"
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
        write(&dir, &set(&[file("a.yaml", "1"), file("b.yaml", "2")]), false, &[]).unwrap();
        let before = fs::metadata(dir.join("a.yaml")).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(
            &dir,
            &set(&[file("a.yaml", "1"), file("b.yaml", "changed")]),
            false,
            &[],
        )
        .unwrap();
        assert_eq!(fs::metadata(dir.join("a.yaml")).unwrap().modified().unwrap(), before);
    }

    #[test]
    fn refuses_to_touch_foreign_files() {
        let (_root, dir) = temp();
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        let error = write(&dir, &set(&[file("a.yaml", "1")]), false, &[]).unwrap_err();
        assert!(matches!(error, OutputError::ForeignFiles { ref files, .. } if files == &["notes.txt"]));
        assert!(!dir.join("a.yaml").exists());
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn a_copy_of_a_generated_file_is_not_gens() {
        // The copy keeps the marker line; only the index knows it is not gen's.
        let (_root, dir) = temp();
        write(&dir, &set(&[file("a.yaml", "1")]), false, &[]).unwrap();
        fs::copy(dir.join("a.yaml"), dir.join("a-custom.yaml")).unwrap();
        let error = write(&dir, &set(&[file("a.yaml", "2")]), false, &[]).unwrap_err();
        assert!(matches!(error, OutputError::ForeignFiles { ref files, .. } if files == &["a-custom.yaml"]));
    }

    #[test]
    fn hand_edits_to_generated_files_are_reported_when_overwritten() {
        let (_root, dir) = temp();
        write(&dir, &set(&[file("a.yaml", "1"), file("b.yaml", "2")]), false, &[]).unwrap();
        fs::write(dir.join("a.yaml"), format!("{MARKER}\nedited")).unwrap();
        let tree = Tree::read(&dir).unwrap();
        assert_eq!(tree.ownership().edited, BTreeSet::from(["a.yaml".to_owned()]));
        let outcome = write(&dir, &set(&[file("a.yaml", "1"), file("b.yaml", "2")]), false, &[]).unwrap();
        assert_eq!(outcome.edits_lost, ["a.yaml"]);
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), format!("{MARKER}\n1"));
    }

    #[test]
    fn nested_indexes_own_their_subtrees_and_unindexed_trees_fall_back_to_the_marker() {
        let mut tree = Tree {
            exists: true,
            ..Tree::default()
        };
        let a = format!("{MARKER}\na");
        tree.files.insert("prod/a.yaml".into(), a.clone().into_bytes());
        tree.files.insert(
            "prod/.gen-index".into(),
            index::render([("a.yaml", a.as_bytes())]).into_bytes(),
        );
        tree.files.insert("prod/copy.yaml".into(), a.clone().into_bytes());
        tree.files.insert("old/a.yaml".into(), a.into_bytes());
        tree.files.insert("README.md".into(), b"mine".to_vec());
        tree.others.insert("link".into());
        let ownership = tree.ownership();
        assert_eq!(
            ownership.owned.iter().collect::<Vec<_>>(),
            ["old/a.yaml", "prod/.gen-index", "prod/a.yaml"]
        );
        assert_eq!(ownership.foreign, ["README.md", "prod/copy.yaml", "link"]);
    }

    #[test]
    fn refuses_precious_directories_even_with_force() {
        let (root, dir) = temp();
        let profile = dir.join("profiles/prod.yaml");
        fs::create_dir_all(profile.parent().unwrap()).unwrap();
        fs::write(&profile, "tier: prod").unwrap();
        let files = set(&[file("a.yaml", "1")]);
        let refused = |target: &Utf8Path| write(target, &files, true, &[&profile]);
        assert!(
            matches!(refused(&dir), Err(OutputError::Protected { ref why, .. }) if why.contains("holds the profile"))
        );
        assert!(
            matches!(refused(Utf8Path::new("/")), Err(OutputError::Protected { ref why, .. }) if why.contains("root"))
        );
        assert!(matches!(refused(Utf8Path::new("")), Err(OutputError::Protected { .. })));
        let cwd = Utf8PathBuf::from_path_buf(std::env::current_dir().unwrap()).unwrap();
        assert!(
            matches!(refused(&cwd), Err(OutputError::Protected { ref why, .. }) if why.contains("current directory"))
        );
        assert!(profile.is_file(), "nothing was touched");
        drop(root);
    }

    #[test]
    fn rejects_paths_that_escape() {
        let (_root, dir) = temp();
        for bad in ["../x.yaml", "/etc/x", "a/../../x", "a//b", ""] {
            assert!(
                matches!(
                    write(&dir, &[file(bad, "")], false, &[]),
                    Err(OutputError::UnsafePath(_))
                ),
                "{bad}"
            );
        }
        assert!(!dir.exists());
    }

    #[test]
    fn an_index_entry_cannot_claim_a_file_outside_its_directory() {
        let mut tree = Tree {
            exists: true,
            ..Tree::default()
        };
        tree.files.insert("mine.txt".into(), b"mine".to_vec());
        tree.files.insert(
            "prod/.gen-index".into(),
            index::render([("../mine.txt", b"mine".as_slice())]).into_bytes(),
        );
        assert_eq!(tree.ownership().foreign, ["mine.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_directory_is_refused_and_links_inside_are_not_followed() {
        let (root, dir) = temp();
        let real = root.path().join("real");
        fs::create_dir_all(&real).unwrap();
        std::os::unix::fs::symlink(&real, &dir).unwrap();
        assert!(matches!(
            write(&dir, &set(&[file("a.yaml", "1")]), false, &[]),
            Err(OutputError::Symlink { .. })
        ));
        let outside = root.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("keep.txt"), "keep").unwrap();
        let dir2 = Utf8PathBuf::from_path_buf(root.path().join("out2")).unwrap();
        fs::create_dir_all(&dir2).unwrap();
        std::os::unix::fs::symlink(&outside, dir2.join("services")).unwrap();
        write(&dir2, &set(&[file("services/a.yaml", "1")]), true, &[]).unwrap();
        assert_eq!(fs::read_to_string(outside.join("keep.txt")).unwrap(), "keep");
        assert!(!outside.join("a.yaml").exists(), "nothing written through the link");
        assert!(dir2.join("services").is_dir() && !dir2.join("services").is_symlink());
    }
}
