//! Writing an output directory so that it is always either the complete old or the complete new
//! render, never a mix, and never at the expense of what a person put there.
//!
//! The new tree is built in a hidden sibling directory and swapped in with one atomic
//! `renameat2(RENAME_EXCHANGE)`; the old tree is then removed. Files whose bytes did not change
//! are hard-linked from the old tree, so they keep their inode and modification time.
//!
//! Which files are gen's is read from the indexes gen writes (see [`crate::index`]): a file is
//! gen's when an index lists it. Everything else — hand-written files, copies of generated
//! files, empty directories, links — is the user's, and a render refuses to touch it unless
//! forced.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::io;

use camino::{Utf8Path, Utf8PathBuf};

use crate::emit::File;
use crate::index;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("`{dir}` holds files that gen did not write: {}", some(.files))]
    ForeignFiles {
        dir: Utf8PathBuf,
        files: Vec<String>,
        /// Every one of them carries gen's marker line: most likely output of a gen from
        /// before `.gen-index`, or copies of generated files.
        marked: bool,
    },
    #[error("generated files in `{dir}` were changed since gen wrote them (by hand, or by a merge): {}", some(.files))]
    EditedFiles { dir: Utf8PathBuf, files: Vec<String> },
    #[error("`{dir}` holds the output of other renders, which this one would delete: {}", .dirs.join(", "))]
    OtherRenders { dir: Utf8PathBuf, dirs: Vec<String> },
    #[error("`{dir}` holds the render of profile `{old}`; this is profile `{new}`")]
    OtherProfile { dir: Utf8PathBuf, old: String, new: String },
    #[error("`{0}` exists and is not a directory")]
    NotADirectory(Utf8PathBuf),
    #[error("`{path}` is a symbolic link; gen replaces the directory itself, so name the real directory: `{target}`")]
    Symlink { path: Utf8PathBuf, target: String },
    #[error("refusing to write `{0}`: the path would leave the output directory")]
    UnsafePath(String),
    #[error("two files would be written at `{0}`")]
    DuplicatePath(String),
    #[error("refusing to replace `{dir}`: {why}")]
    Protected { dir: Utf8PathBuf, why: String },
    #[error(
        "refusing to replace `{dir}`: `{path}` is read-only and belongs to another user, so gen could not remove the old files after the swap"
    )]
    ReadOnlyOld { dir: Utf8PathBuf, path: Utf8PathBuf },
    #[error("cannot read `{path}`: {source}")]
    Read { path: Utf8PathBuf, source: io::Error },
    #[error("cannot write `{path}`: {source}")]
    Io { path: Utf8PathBuf, source: io::Error },
}

/// Up to ten paths, and how many more: enough to act on without flooding the terminal.
pub fn some(paths: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = paths.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(", and {} more", paths.len() - SHOWN));
    }
    text
}

fn write_error(path: &Utf8Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_owned(),
        source,
    }
}

fn read_error(path: &Utf8Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Read {
        path: path.to_owned(),
        source,
    }
}

/// What is in a directory now: every entry below it, relative and `/`-separated.
#[derive(Debug, Default)]
pub struct Tree {
    /// Regular files and their bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Everything else that is never gen's: symbolic links, sockets, entries whose names are
    /// not UTF-8 (shown lossily), and empty directories (shown with a trailing `/`).
    pub others: BTreeSet<String>,
    /// Every directory below it.
    pub dirs: BTreeSet<String>,
    /// Staging directories an interrupted render left behind: gen's debris.
    pub debris: BTreeSet<String>,
    /// Whether the directory exists at all.
    pub exists: bool,
}

impl Tree {
    /// Reads `dir`, following it if it is a symbolic link but no link below it; an absent
    /// `dir` is an empty tree.
    pub fn read(dir: &Utf8Path) -> Result<Tree, OutputError> {
        match fs::metadata(dir) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Tree::default()),
            Err(error) => return Err(read_error(dir)(error)),
            Ok(meta) if !meta.is_dir() => return Err(OutputError::NotADirectory(dir.to_owned())),
            Ok(_) => {}
        }
        let mut tree = Tree {
            exists: true,
            ..Tree::default()
        };
        let mut pending = vec![String::new()];
        while let Some(relative) = pending.pop() {
            let absolute = if relative.is_empty() {
                dir.to_owned()
            } else {
                dir.join(&relative)
            };
            let mut entries = 0;
            for entry in absolute.as_std_path().read_dir().map_err(read_error(&absolute))? {
                let entry = entry.map_err(read_error(&absolute))?;
                entries += 1;
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                    tree.others
                        .insert(join(&relative, &entry.file_name().to_string_lossy()));
                    continue;
                };
                let child = join(&relative, &name);
                let file_type = entry.file_type().map_err(read_error(&absolute))?;
                if file_type.is_dir() {
                    // gen stages beside the directory it writes, so debris of a render of
                    // `out/prod` sits directly in `out`; deeper down such a name is the user's.
                    if relative.is_empty() && is_staging_name(&name) {
                        tree.debris.insert(child.clone());
                    }
                    tree.dirs.insert(child.clone());
                    pending.push(child);
                } else if file_type.is_file() {
                    let path = dir.join(&child);
                    let bytes = fs::read(&path).map_err(read_error(&path))?;
                    tree.files.insert(child, bytes);
                } else {
                    tree.others.insert(child);
                }
            }
            if entries == 0 && !relative.is_empty() {
                tree.others.insert(format!("{relative}/"));
            }
        }
        Ok(tree)
    }

    /// Moves the part of the tree below `dir` (a top-level name) out into a tree of its own,
    /// relative to it; file contents are moved, not copied. What stays is everything else.
    pub fn take(&mut self, dir: &str) -> Tree {
        let exists = self.exists && self.dirs.remove(dir);
        let prefix = format!("{dir}/");
        Tree {
            files: take_below(&mut self.files, &prefix),
            others: take_below(&mut self.others, &prefix),
            dirs: take_below(&mut self.dirs, &prefix),
            debris: take_below(&mut self.debris, &prefix),
            exists,
        }
    }

    /// Whether `path` lies in a staging directory an interrupted render left.
    pub fn is_debris(&self, path: &str) -> bool {
        self.debris.iter().any(|d| is_below(path, d))
    }

    /// Which entries gen wrote, and which of those were edited since.
    pub fn ownership(&self) -> Ownership {
        self.ownership_beside(&HashMap::new())
    }

    /// [`Tree::ownership`], where a file whose bytes are those of `new` (by path) is not
    /// hashed to find whether it was edited: a render leaves it as it is either way, and
    /// hashing every unchanged file was the largest part of re-rendering an unchanged tree
    /// (50 MB at 5,000 services, after the render).
    fn ownership_beside(&self, new: &HashMap<&str, &[u8]>) -> Ownership {
        let mut ownership = Ownership::default();
        for (path, bytes) in &self.files {
            let Some(base) = index_base(path) else { continue };
            let index = index::parse(&String::from_utf8_lossy(bytes));
            // An index below the top is trusted only one level down, in the directory named
            // after its profile, where `gen render --all` put it: a copied or moved render
            // (out/prod-backup, out/old/prod) is the user's.
            let at_home = base.is_empty() || (!base.contains('/') && index.profile.as_deref() == Some(base));
            if !at_home || self.is_debris(path) {
                continue;
            }
            ownership.owned.insert(path.clone());
            if !base.is_empty() {
                ownership.renders.insert(base.to_owned());
            }
            for entry in index.entries {
                if check_relative(&entry.path).is_err() {
                    continue;
                }
                let full = join(base, &entry.path);
                if let Some(current) = self.files.get(&full) {
                    let as_new = new.get(full.as_str()) == Some(&current.as_slice());
                    if !as_new && index::digest(current) != entry.sha256 {
                        ownership.edited.insert(full.clone());
                    }
                    ownership.owned.insert(full);
                }
            }
        }
        for path in self.files.keys().filter(|p| self.is_debris(p)) {
            ownership.owned.insert(path.clone());
        }
        ownership.foreign = self
            .files
            .keys()
            .chain(&self.others)
            .filter(|p| !ownership.owned.contains(*p) && !self.is_debris(p))
            .cloned()
            .collect();
        ownership
    }
}

/// The entries whose keys start with `prefix`, taken out of `map` with the prefix removed. They
/// are one contiguous range of keys: from `prefix` up to the same text ending in the next
/// character after `/`.
fn take_below<C>(map: &mut C, prefix: &str) -> C
where
    C: SplitByKey,
{
    let end = format!("{}0", &prefix[..prefix.len() - 1]); // '0' comes right after '/'
    let mut below = map.split_off_at(prefix);
    let mut after = below.split_off_at(&end);
    map.append_all(&mut after);
    below.strip_keys(prefix.len())
}

/// What [`take_below`] needs of a `BTreeMap<String, _>` or a `BTreeSet<String>`.
trait SplitByKey: Sized {
    fn split_off_at(&mut self, key: &str) -> Self;
    fn append_all(&mut self, other: &mut Self);
    /// The same entries with the first `len` bytes of each key cut (empty keys dropped).
    fn strip_keys(self, len: usize) -> Self;
}

impl<V> SplitByKey for BTreeMap<String, V> {
    fn split_off_at(&mut self, key: &str) -> Self {
        self.split_off(key)
    }
    fn append_all(&mut self, other: &mut Self) {
        self.append(other);
    }
    fn strip_keys(self, len: usize) -> Self {
        self.into_iter()
            .filter(|(k, _)| k.len() > len)
            .map(|(k, v)| (k[len..].to_owned(), v))
            .collect()
    }
}

impl SplitByKey for BTreeSet<String> {
    fn split_off_at(&mut self, key: &str) -> Self {
        self.split_off(key)
    }
    fn append_all(&mut self, other: &mut Self) {
        self.append(other);
    }
    fn strip_keys(self, len: usize) -> Self {
        self.into_iter()
            .filter(|k| k.len() > len)
            .map(|k| k[len..].to_owned())
            .collect()
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
    /// Files gen wrote (indexes and debris included).
    pub owned: BTreeSet<String>,
    /// Files gen wrote whose bytes no longer match the index (in a plan, only among those
    /// the new render changes: see [`Tree::ownership_beside`]).
    pub edited: BTreeSet<String>,
    /// Everything gen did not write.
    pub foreign: Vec<String>,
    /// Directories below the top holding a render of their own (`--all` output).
    pub renders: BTreeSet<String>,
}

/// What replacing a tree with a new set of files would do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// New files, and files whose bytes change.
    pub written: Vec<String>,
    pub unchanged: BTreeSet<String>,
    /// gen's files that the new set no longer has: pruned.
    pub removed: Vec<String>,
    /// What gen did not write: a render refuses to touch it.
    pub foreign: Vec<String>,
    /// gen's files edited by hand that the render would overwrite or remove.
    pub edits_lost: Vec<String>,
    /// Whole renders below the top (`out/<profile>`) that the new set would remove.
    pub renders_removed: Vec<String>,
    /// The profile whose render the directory holds, when the new set is another's.
    pub other_profile: Option<(String, String)>,
}

impl Plan {
    pub fn new(tree: &Tree, files: &[File]) -> Plan {
        let new: HashMap<&str, &[u8]> = files.iter().map(|f| (f.path.as_str(), f.contents.as_bytes())).collect();
        let ownership = tree.ownership_beside(&new);
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
        plan.renders_removed = ownership
            .renders
            .into_iter()
            // Kept only if the new set renders that profile there: a profile named `services`
            // is not kept by another profile's `services/<name>/` files.
            .filter(|base| {
                let index = join(base, index::FILE_NAME);
                !files.iter().any(|f| f.path == index)
            })
            .collect();
        let top_profile = |bytes: &[u8]| index::parse(&String::from_utf8_lossy(bytes)).profile;
        let old = tree.files.get(index::FILE_NAME).and_then(|b| top_profile(b));
        let new = files
            .iter()
            .find(|f| f.path == index::FILE_NAME)
            .and_then(|f| top_profile(f.contents.as_bytes()));
        if let (Some(old), Some(new)) = (old, new)
            && old != new
        {
            plan.other_profile = Some((old, new));
        }
        plan
    }
}

/// What writing changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// What a render may do beyond writing its own files.
#[derive(Debug, Default, Clone, Copy)]
pub struct WriteOptions<'a> {
    /// Replace what gen did not write, and generated files changed since (`--force`).
    pub force: bool,
    /// Whole renders below the directory may be pruned: `--all` output of profiles that no
    /// longer exist. A single render into `out` must not delete `out/<profile>`.
    pub prune_renders: bool,
    /// Paths that must not be inside the directory: the profiles being rendered and the
    /// profiles directory.
    pub keep: &'a [&'a Utf8Path],
    /// Flush every file and directory of the new tree to disk before the swap, and the swap
    /// after it (`--fsync`): once `write` returns, the new tree survives a power loss.
    pub fsync: bool,
}

/// Replaces the contents of `dir` with `files`, or changes nothing and says why not.
pub fn write(dir: &Utf8Path, files: &[File], options: WriteOptions) -> Result<Outcome, OutputError> {
    let mut paths = BTreeSet::new();
    for file in files {
        check_relative(&file.path)?;
        if !paths.insert(file.path.as_str()) {
            return Err(OutputError::DuplicatePath(file.path.clone()));
        }
    }
    refuse_precious(dir, options.keep)?;
    if let Ok(meta) = fs::symlink_metadata(dir)
        && meta.file_type().is_symlink()
    {
        let target = fs::read_link(dir).map_or_else(|_| "?".to_owned(), |t| t.display().to_string());
        return Err(OutputError::Symlink {
            path: dir.to_owned(),
            target,
        });
    }
    let parent = parent_of(dir);
    // Before creating `parent`: the nearest directory that already exists is where a writer
    // of `parent` itself (`--all -o out` against `-o out/prod`, out/ not there yet) waits too.
    let existing = nearest_existing(&parent);
    fs::create_dir_all(&parent).map_err(write_error(&parent))?;
    // Held until this function returns: one writer at a time for this directory and its
    // siblings, so no run clears another's staging directory or swaps in between.
    let _locks = lock::exclusive(&[existing.as_path(), parent.as_path(), dir])?;
    restore_set_aside(&parent, dir);
    let tree = Tree::read(dir)?;
    let plan = Plan::new(&tree, files);
    if !options.force {
        refuse_to_lose_work(dir, &tree, &plan, options)?;
    }
    let outcome = Outcome {
        written: plan.written.len(),
        unchanged: plan.unchanged.len(),
        // Forced over: what gen did not write and the new set does not replace is deleted.
        removed: plan.removed.len()
            + if options.force {
                plan.foreign.iter().filter(|p| !paths.contains(p.as_str())).count()
            } else {
                0
            },
    };
    if outcome.written == 0 && outcome.removed == 0 && tree.exists {
        return Ok(outcome);
    }
    refuse_unremovable(dir, &tree)?;

    let staging = staging_dir(&parent, dir)?;
    let build = || -> Result<(), OutputError> {
        // Each directory once (a mkdir per file was 30,000 calls for 5,000 directories), then
        // the files, spread over the cores.
        let mut created = HashSet::new();
        for file in files {
            if let Some((folder, _)) = file.path.rsplit_once('/')
                && created.insert(folder)
            {
                let folder = staging.join(folder);
                fs::create_dir_all(&folder).map_err(write_error(&folder))?;
            }
        }
        let written = crate::parallel::map_chunks(files, 512, |chunk| -> Result<(), OutputError> {
            for file in chunk {
                let target = staging.join(&file.path);
                if plan.unchanged.contains(&file.path) {
                    fs::hard_link(dir.join(&file.path), &target)
                        .or_else(|_| fs::write(&target, &file.contents))
                        .map_err(write_error(&target))?;
                } else {
                    fs::write(&target, &file.contents).map_err(write_error(&target))?;
                }
            }
            Ok(())
        });
        written.into_iter().collect::<Result<(), _>>()?;
        keep_permissions(&tree, dir, &staging);
        if options.fsync {
            flush_tree(&staging)?;
        }
        swap_into_place(&staging, dir, tree.exists)?;
        if options.fsync {
            // The swap is a change to the parent directory.
            sync_directory(&parent)?;
        }
        Ok(())
    };
    if let Err(error) = build() {
        let _ = remove_tree(&staging);
        return Err(error);
    }
    // `staging` now holds the previous tree (or nothing); losing it changes no output.
    let _ = remove_tree(&staging);
    Ok(outcome)
}

fn refuse_to_lose_work(dir: &Utf8Path, tree: &Tree, plan: &Plan, options: WriteOptions) -> Result<(), OutputError> {
    if !plan.foreign.is_empty() {
        return Err(OutputError::ForeignFiles {
            dir: dir.to_owned(),
            files: plan.foreign.clone(),
            marked: plan.foreign.iter().all(|p| {
                tree.files
                    .get(p)
                    .is_some_and(|bytes| bytes.starts_with(crate::emit::MARKER.as_bytes()))
            }),
        });
    }
    if let Some((old, new)) = &plan.other_profile {
        return Err(OutputError::OtherProfile {
            dir: dir.to_owned(),
            old: old.clone(),
            new: new.clone(),
        });
    }
    if !plan.edits_lost.is_empty() {
        return Err(OutputError::EditedFiles {
            dir: dir.to_owned(),
            files: plan.edits_lost.clone(),
        });
    }
    if !options.prune_renders && !plan.renders_removed.is_empty() {
        return Err(OutputError::OtherRenders {
            dir: dir.to_owned(),
            dirs: plan.renders_removed.clone(),
        });
    }
    Ok(())
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
/// beyond the render: the filesystem root, the home directory or one above it, the current
/// directory or one above it, a git checkout, or a directory holding the profiles. Checked before anything is read, so a mistyped
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
    if let Ok(real) = dir.canonicalize_utf8()
        && let Some(why) = why_precious(&real, keep)
    {
        return Err(refuse(why));
    }
    // `out/..` and `.` name no directory of their own to stage beside and swap.
    if dir.file_name().is_none() {
        return Err(refuse(
            "name the directory itself, without `.` or `..` at the end".into(),
        ));
    }
    Ok(())
}

/// Why the existing directory `real` (canonical) must not be replaced, if it must not.
fn why_precious(real: &Utf8Path, keep: &[&Utf8Path]) -> Option<String> {
    if real.parent().is_none() {
        return Some("it is the filesystem root".into());
    }
    let holds = |path: std::path::PathBuf| path.canonicalize().is_ok_and(|p| p.starts_with(real));
    if std::env::current_dir().is_ok_and(holds) {
        return Some("it holds the current directory; name a directory inside it, such as `out`".into());
    }
    if std::env::var_os("HOME").is_some_and(|home| holds(home.into())) {
        return Some("it holds the home directory".into());
    }
    if real.join(".git").exists() {
        return Some("it holds a git repository (`.git`)".into());
    }
    keep.iter()
        .find(|file| holds(file.as_std_path().to_owned()))
        .map(|file| format!("it holds the profiles (`{file}`); render into a directory of its own"))
}

fn nearest_existing(dir: &Utf8Path) -> Utf8PathBuf {
    dir.ancestors()
        .find(|a| !a.as_str().is_empty() && a.is_dir())
        .map_or_else(|| Utf8PathBuf::from("."), Utf8Path::to_owned)
}

fn parent_of(dir: &Utf8Path) -> Utf8PathBuf {
    match dir.parent() {
        Some(p) if !p.as_str().is_empty() => p.to_owned(),
        _ => Utf8PathBuf::from("."),
    }
}

const STAGING_INFIX: &str = ".gen-staging-";

/// `.<name>.gen-staging-<pid>` (and `-old`, the fallback swap's), as [`staging_dir`] names them.
fn is_staging_name(name: &str) -> bool {
    let Some((head, tail)) = name.split_once(STAGING_INFIX) else {
        return false;
    };
    let pid = tail.strip_suffix("-old").unwrap_or(tail);
    head.len() > 1 && head.starts_with('.') && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
}

/// A swap by renames that died between its two renames left the old tree aside
/// (`.<name>.gen-staging-<pid>-old`) and no `dir`: put the old tree back before anything else,
/// rather than treat it as debris and delete it.
fn restore_set_aside(parent: &Utf8Path, dir: &Utf8Path) {
    let Some(name) = dir.file_name() else { return };
    if dir.exists() {
        return;
    }
    let prefix = format!(".{name}{STAGING_INFIX}");
    let Ok(entries) = parent.read_dir_utf8() else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        if file_name.starts_with(&prefix) && file_name.ends_with("-old") && is_staging_name(file_name) {
            let _ = fs::rename(entry.path(), dir);
            return;
        }
    }
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
            if !entry.file_name().starts_with(&prefix) || !is_staging_name(entry.file_name()) {
                continue;
            }
            let _ = remove_tree(entry.path());
        }
    }
    let staging = parent.join(format!("{prefix}{}", std::process::id()));
    fs::create_dir(&staging).map_err(write_error(&staging))?;
    Ok(staging)
}

/// Puts every file and directory below `root` on disk. On Linux one `syncfs` of its filesystem
/// does it: an `fsync` per file cost 25 times the render itself at 5,000 services (30,000 files).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn flush_tree(root: &Utf8Path) -> Result<(), OutputError> {
    fs::File::open(root)
        .and_then(|dir| rustix::fs::syncfs(&dir).map_err(io::Error::from))
        .map_err(write_error(root))
}

/// Puts every file and directory below `root` on disk: each file (a linked one may hold bytes an
/// earlier render never flushed), then each directory, deepest first.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn flush_tree(root: &Utf8Path) -> Result<(), OutputError> {
    let mut dirs = vec![root.to_owned()];
    let mut index = 0;
    while index < dirs.len() {
        let entries = dirs[index].read_dir_utf8().map_err(read_error(&dirs[index]))?;
        for entry in entries {
            let entry = entry.map_err(read_error(&dirs[index]))?;
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(entry.into_path());
            } else {
                let path = entry.path();
                fs::File::open(path)
                    .and_then(|f| f.sync_all())
                    .map_err(write_error(path))?;
            }
        }
        index += 1;
    }
    dirs.iter().rev().try_for_each(|dir| sync_directory(dir))
}

fn sync_directory(dir: &Utf8Path) -> Result<(), OutputError> {
    fs::File::open(dir).and_then(|f| f.sync_all()).map_err(write_error(dir))
}

/// Removes a tree gen made: a staging directory, or the old tree swapped out of place. The old
/// tree keeps the permissions the user gave the output directory, so a read-only one
/// (`chmod 555 out/prod`) would stop the removal and leave debris beside `out/prod` on every
/// render: gen made those directories, so it makes them writable again and retries.
fn remove_tree(path: &Utf8Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            make_directories_writable(path.as_std_path());
            fs::remove_dir_all(path)
        }
        _ => Ok(()),
    }
}

/// Adds the owner's write and search bits to `path` and every directory below it; links are
/// not followed. Best effort: what cannot be changed stays as it is.
fn make_directories_writable(path: &std::path::Path) {
    let Ok(meta) = fs::symlink_metadata(path) else { return };
    if !meta.is_dir() {
        return;
    }
    let mut permissions = meta.permissions();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        permissions.set_mode(permissions.mode() | 0o700);
    }
    #[cfg(not(unix))]
    permissions.set_readonly(false);
    let _ = fs::set_permissions(path, permissions);
    if let Ok(entries) = fs::read_dir(path) {
        for entry in entries.flatten() {
            make_directories_writable(&entry.path());
        }
    }
}

/// Refuses, before anything is written, an old tree that gen could swap out but not remove
/// afterwards: a directory in it that is read-only and not the user's own (gen can make its
/// own directories writable again, see [`remove_tree`]).
#[cfg(unix)]
fn refuse_unremovable(dir: &Utf8Path, tree: &Tree) -> Result<(), OutputError> {
    use std::os::unix::fs::MetadataExt;
    if !tree.exists {
        return Ok(());
    }
    let me = rustix::process::geteuid().as_raw();
    let dirs = std::iter::once(dir.to_owned()).chain(tree.dirs.iter().map(|d| dir.join(d)));
    for path in dirs {
        let writable = rustix::fs::access(
            path.as_std_path(),
            rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
        )
        .is_ok();
        let mine = fs::symlink_metadata(&path).is_ok_and(|m| m.uid() == me);
        if !writable && !mine {
            return Err(OutputError::ReadOnlyOld {
                dir: dir.to_owned(),
                path,
            });
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_unremovable(_: &Utf8Path, _: &Tree) -> Result<(), OutputError> {
    Ok(())
}

/// The new tree's directories get the old ones' permissions (a group-writable or setgid output
/// directory stays so); best effort, as a plain `cp` would.
fn keep_permissions(tree: &Tree, dir: &Utf8Path, staging: &Utf8Path) {
    if !tree.exists {
        return;
    }
    for relative in tree.dirs.iter().map(String::as_str).chain([""]) {
        let (old, new) = if relative.is_empty() {
            (dir.to_owned(), staging.to_owned())
        } else {
            (dir.join(relative), staging.join(relative))
        };
        if let (Ok(meta), true) = (fs::metadata(&old), new.is_dir()) {
            let _ = fs::set_permissions(&new, meta.permissions());
        }
    }
}

/// Puts `staging` at `dir` atomically; afterwards `staging` holds the old tree, if there was one.
fn swap_into_place(staging: &Utf8Path, dir: &Utf8Path, dir_exists: bool) -> Result<(), OutputError> {
    if !dir_exists {
        return fs::rename(staging, dir).map_err(write_error(dir));
    }
    match exchange(staging, dir) {
        Ok(()) => Ok(()),
        Err(Exchange::Unsupported) => swap_by_renames(staging, dir).map_err(write_error(dir)),
        Err(Exchange::Failed(error)) => Err(write_error(dir)(error)),
    }
}

enum Exchange {
    /// The filesystem (NFS, some FUSE and network mounts) or the OS has no atomic exchange.
    Unsupported,
    Failed(io::Error),
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Utf8Path, b: &Utf8Path) -> Result<(), Exchange> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a.as_std_path(), CWD, b.as_std_path(), RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Err(Exchange::Unsupported),
        Err(errno) => Err(Exchange::Failed(errno.into())),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Utf8Path, _: &Utf8Path) -> Result<(), Exchange> {
    Err(Exchange::Unsupported)
}

/// Without an atomic exchange, move the old tree aside first: a crash between the renames
/// leaves the old tree complete beside an absent `dir`, never a mix.
fn swap_by_renames(staging: &Utf8Path, dir: &Utf8Path) -> io::Result<()> {
    let aside = Utf8PathBuf::from(format!("{staging}-old"));
    fs::rename(dir, &aside)?;
    if let Err(error) = fs::rename(staging, dir) {
        let _ = fs::rename(&aside, dir);
        return Err(error);
    }
    fs::rename(&aside, staging)
}

mod lock {
    use super::{OutputError, Utf8Path, write_error};

    /// Advisory `flock`s on each existing directory of `dirs`, taken in order and released
    /// when dropped. If another `gen` holds one, say so and wait: its run takes a moment, and
    /// two writers must not mix.
    #[cfg(unix)]
    pub fn exclusive(dirs: &[&Utf8Path]) -> Result<Vec<std::fs::File>, OutputError> {
        use std::os::unix::fs::MetadataExt;
        let mut held: Vec<std::fs::File> = Vec::with_capacity(dirs.len());
        for dir in dirs {
            // flock is per open file: locking one directory twice (`.` and `out/..`) through
            // two handles would wait on itself.
            let same = |handle: &std::fs::File| {
                let (Ok(a), Ok(b)) = (handle.metadata(), std::fs::metadata(dir)) else {
                    return false;
                };
                a.dev() == b.dev() && a.ino() == b.ino()
            };
            if held.iter().any(same) {
                continue;
            }
            if let Some(handle) = lock_dir(dir)? {
                held.push(handle);
            }
        }
        Ok(held)
    }

    /// Locks `dir` if it exists. A directory that another writer swapped away while this one
    /// waited is not the one at `dir` any more: lock the new one instead.
    #[cfg(unix)]
    fn lock_dir(dir: &Utf8Path) -> Result<Option<std::fs::File>, OutputError> {
        use std::os::unix::fs::MetadataExt;

        use rustix::fs::{FlockOperation, flock};
        let mut waited = false;
        loop {
            let handle = match std::fs::File::open(dir) {
                Ok(handle) => handle,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(error) => return Err(write_error(dir)(error)),
            };
            if flock(&handle, FlockOperation::NonBlockingLockExclusive).is_err() {
                if !waited {
                    eprintln!("gen: waiting for another gen that is writing into `{dir}`");
                    waited = true;
                }
                flock(&handle, FlockOperation::LockExclusive).map_err(|e| write_error(dir)(e.into()))?;
            }
            let locked = handle.metadata().map_err(write_error(dir))?;
            match std::fs::metadata(dir) {
                Ok(now) if now.dev() == locked.dev() && now.ino() == locked.ino() => return Ok(Some(handle)),
                Ok(_) => continue,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(error) => return Err(write_error(dir)(error)),
            }
        }
    }

    #[cfg(not(unix))]
    pub fn exclusive(dirs: &[&Utf8Path]) -> Result<Vec<()>, OutputError> {
        let _ = dirs;
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{MARKER, with_index};

    fn file(path: &str, body: &str) -> File {
        File {
            path: path.into(),
            contents: format!("{MARKER}\n{body}"),
        }
    }

    /// A file set as `emit::files` makes it: the files plus their index.
    fn set(files: &[File]) -> Vec<File> {
        with_index("p", files.to_vec())
    }

    /// A profile's render under `<profile>/`, as `gen render --all` writes it.
    fn nested(profile: &str, files: &[File]) -> Vec<File> {
        with_index(profile, files.to_vec())
            .into_iter()
            .map(|f| File {
                path: format!("{profile}/{}", f.path),
                ..f
            })
            .collect()
    }

    fn temp() -> (tempfile::TempDir, Utf8PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let dir = Utf8PathBuf::from_path_buf(root.path().join("out")).unwrap();
        (root, dir)
    }

    const PLAIN: WriteOptions = WriteOptions {
        force: false,
        prune_renders: false,
        keep: &[],
        fsync: false,
    };
    const FORCE: WriteOptions = WriteOptions {
        force: true,
        prune_renders: false,
        keep: &[],
        fsync: false,
    };

    #[test]
    fn with_fsync_the_same_tree_is_written() {
        let (_root, dir) = temp();
        let synced = WriteOptions { fsync: true, ..PLAIN };
        let files = set(&[file("a.yaml", "1"), file("s/t/b.yaml", "2")]);
        write(&dir, &files, synced).unwrap();
        let outcome = write(&dir, &set(&[file("a.yaml", "1"), file("s/t/b.yaml", "3")]), synced).unwrap();
        // b.yaml and the index changed; a.yaml is linked from the old tree.
        assert_eq!((outcome.written, outcome.unchanged), (2, 1));
        assert_eq!(
            fs::read_to_string(dir.join("s/t/b.yaml")).unwrap(),
            format!("{MARKER}\n3")
        );
    }

    #[test]
    fn writes_replaces_and_prunes() {
        let (_root, dir) = temp();
        let first = write(&dir, &set(&[file("a.yaml", "1"), file("s/b.yaml", "2")]), PLAIN).unwrap();
        assert_eq!(first.written, 3);
        let second = write(&dir, &set(&[file("a.yaml", "1"), file("c.yaml", "3")]), PLAIN).unwrap();
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
    fn unchanged_files_keep_their_inode_and_modification_time() {
        use std::os::unix::fs::MetadataExt;
        let (_root, dir) = temp();
        write(&dir, &set(&[file("a.yaml", "1"), file("b.yaml", "2")]), PLAIN).unwrap();
        let before = fs::metadata(dir.join("a.yaml")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write(&dir, &set(&[file("a.yaml", "1"), file("b.yaml", "changed")]), PLAIN).unwrap();
        let after = fs::metadata(dir.join("a.yaml")).unwrap();
        assert_eq!(after.modified().unwrap(), before.modified().unwrap());
        assert_eq!(after.ino(), before.ino());
    }

    #[test]
    fn refuses_to_touch_foreign_files_and_empty_directories() {
        let (_root, dir) = temp();
        fs::create_dir_all(dir.join("empty")).unwrap();
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        let error = write(&dir, &set(&[file("a.yaml", "1")]), PLAIN).unwrap_err();
        assert!(
            matches!(error, OutputError::ForeignFiles { ref files, .. } if files == &["notes.txt", "empty/"]),
            "{error}"
        );
        assert!(!dir.join("a.yaml").exists());
        assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
        write(&dir, &set(&[file("a.yaml", "1")]), FORCE).unwrap();
        assert!(!dir.join("notes.txt").exists() && !dir.join("empty").exists());
    }

    #[test]
    fn copies_of_generated_files_and_renders_are_not_gens() {
        // A copied file keeps the marker line, and a copied render keeps its index; only where
        // an index sits (and which profile it names) tells them apart.
        let (_root, dir) = temp();
        let render = nested("prod", &[file("a.yaml", "1")]);
        write(&dir, &render, PLAIN).unwrap();
        fs::copy(dir.join("prod/a.yaml"), dir.join("copy.yaml")).unwrap();
        for copy in ["prod-backup", "old/prod"] {
            fs::create_dir_all(dir.join(copy)).unwrap();
            for name in ["a.yaml", ".gen-index"] {
                fs::copy(dir.join("prod").join(name), dir.join(copy).join(name)).unwrap();
            }
        }
        let error = write(&dir, &render, PLAIN).unwrap_err();
        assert!(
            matches!(error, OutputError::ForeignFiles { ref files, .. }
                if files == &["copy.yaml", "old/prod/.gen-index", "old/prod/a.yaml", "prod-backup/.gen-index", "prod-backup/a.yaml"]),
            "{error}"
        );
    }

    #[test]
    fn hand_edits_to_generated_files_stop_the_render_unless_forced() {
        let (_root, dir) = temp();
        let files = set(&[file("a.yaml", "1"), file("b.yaml", "2")]);
        write(&dir, &files, PLAIN).unwrap();
        fs::write(dir.join("a.yaml"), format!("{MARKER}\nedited")).unwrap();
        let tree = Tree::read(&dir).unwrap();
        assert_eq!(tree.ownership().edited, BTreeSet::from(["a.yaml".to_owned()]));
        let error = write(&dir, &files, PLAIN).unwrap_err();
        assert!(matches!(error, OutputError::EditedFiles { ref files, .. } if files == &["a.yaml"]));
        assert_eq!(
            fs::read_to_string(dir.join("a.yaml")).unwrap(),
            format!("{MARKER}\nedited")
        );
        write(&dir, &files, FORCE).unwrap();
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), format!("{MARKER}\n1"));
    }

    #[test]
    fn a_hand_edit_the_new_render_writes_anyway_is_no_lost_work() {
        let (_root, dir) = temp();
        write(&dir, &set(&[file("a.yaml", "1"), file("b.yaml", "2")]), PLAIN).unwrap();
        // Edited by hand to exactly what the next render writes: nothing of it would be lost.
        fs::write(dir.join("a.yaml"), format!("{MARKER}\nnew")).unwrap();
        let next = set(&[file("a.yaml", "new"), file("b.yaml", "2")]);
        let tree = Tree::read(&dir).unwrap();
        assert_eq!(tree.ownership().edited, BTreeSet::from(["a.yaml".to_owned()]));
        let plan = Plan::new(&tree, &next);
        assert!(plan.edits_lost.is_empty(), "{plan:?}");
        assert!(plan.unchanged.contains("a.yaml") && plan.unchanged.contains("b.yaml"));
        assert_eq!(write(&dir, &next, PLAIN).unwrap().written, 1, "only the index changes");
    }

    #[test]
    fn a_single_render_does_not_delete_other_renders_below_it() {
        let (_root, dir) = temp();
        // A profile named `services` must not be taken for another render's services/ folder.
        let mut all = nested("dev", &[file("a.yaml", "1")]);
        all.extend(nested("services", &[file("a.yaml", "1")]));
        write(&dir, &all, PLAIN).unwrap();
        let lookalike = set(&[file("services/api/a.yaml", "2")]);
        let error = write(&dir, &lookalike, PLAIN).unwrap_err();
        assert!(matches!(error, OutputError::OtherRenders { ref dirs, .. } if dirs == &["dev", "services"]));
        let pruning = WriteOptions {
            prune_renders: true,
            ..PLAIN
        };
        assert_eq!(write(&dir, &lookalike, pruning).unwrap().removed, 4);
    }

    #[test]
    fn staging_debris_is_gens_and_pruned() {
        let (_root, dir) = temp();
        let files = set(&[file("a.yaml", "1")]);
        write(&dir, &files, PLAIN).unwrap();
        fs::create_dir_all(dir.join(".prod.gen-staging-4242/services")).unwrap();
        fs::write(dir.join(".prod.gen-staging-4242/services/x.yaml"), "partial").unwrap();
        fs::create_dir_all(dir.join(".mine.gen-staging-keep")).unwrap();
        fs::write(dir.join(".mine.gen-staging-keep/f"), "precious").unwrap();
        fs::create_dir_all(dir.join("deeper/.notes.gen-staging-2024")).unwrap();
        fs::write(dir.join("deeper/.notes.gen-staging-2024/todo"), "mine").unwrap();
        let tree = Tree::read(&dir).unwrap();
        assert_eq!(tree.debris, BTreeSet::from([".prod.gen-staging-4242".to_owned()]));
        assert_eq!(
            tree.ownership().foreign,
            [".mine.gen-staging-keep/f", "deeper/.notes.gen-staging-2024/todo"]
        );
        fs::remove_dir_all(dir.join(".mine.gen-staging-keep")).unwrap();
        fs::remove_dir_all(dir.join("deeper")).unwrap();
        let outcome = write(&dir, &files, PLAIN).unwrap();
        assert_eq!(outcome.removed, 1);
        assert!(!dir.join(".prod.gen-staging-4242").exists());
    }

    /// The guard alone: a test that called `write(…, force)` on these paths would destroy them
    /// if the guard ever broke.
    #[test]
    fn precious_directories_are_refused() {
        let (_root, dir) = temp();
        let profile = dir.join("profiles/prod.yaml");
        fs::create_dir_all(profile.parent().unwrap()).unwrap();
        fs::write(&profile, "tier: prod").unwrap();
        let keep = [profile.as_path()];
        let why = |target: &Utf8Path| match refuse_precious(target, &keep) {
            Err(OutputError::Protected { why, .. }) => why,
            other => panic!("{target}: {other:?}"),
        };
        assert!(why(&dir).contains("holds the profiles"));
        assert!(why(Utf8Path::new("/")).contains("root"));
        assert!(why(Utf8Path::new("")).contains("must be named"));
        assert!(why(Utf8Path::new("no-such-dir/..")).contains("without `.` or `..`"));
        let cwd = Utf8PathBuf::from_path_buf(std::env::current_dir().unwrap()).unwrap();
        why(&cwd); // refused: as the current directory, or first as a git checkout
        assert!(why(cwd.parent().unwrap()).contains("current directory"));
        let repo = dir.parent().unwrap().join("repo");
        fs::create_dir_all(repo.join(".git")).unwrap();
        assert!(why(&repo).contains("git repository"));
        assert!(
            refuse_precious(&dir.join("new"), &keep).is_ok(),
            "a new directory holds nothing to lose"
        );
    }

    #[test]
    fn a_render_of_one_profile_does_not_replace_anothers() {
        let (_root, dir) = temp();
        write(&dir, &with_index("prod", vec![file("a.yaml", "1")]), PLAIN).unwrap();
        let error = write(&dir, &with_index("dev", vec![file("a.yaml", "2")]), PLAIN).unwrap_err();
        assert!(matches!(error, OutputError::OtherProfile { ref old, ref new, .. } if old == "prod" && new == "dev"));
        write(&dir, &with_index("dev", vec![file("a.yaml", "2")]), FORCE).unwrap();
    }

    #[test]
    fn an_old_tree_set_aside_by_an_interrupted_fallback_swap_is_put_back() {
        let (_root, dir) = temp();
        let aside = dir.parent().unwrap().join(".out.gen-staging-12-old");
        fs::create_dir_all(&aside).unwrap();
        fs::write(aside.join("a.yaml"), "old").unwrap();
        let files = set(&[file("b.yaml", "new")]);
        // The old tree is back in place first, so it is judged as any tree is: it is not gen's.
        let error = write(&dir, &files, PLAIN).unwrap_err();
        assert!(matches!(error, OutputError::ForeignFiles { .. }), "{error}");
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), "old");
        assert!(!aside.exists());
    }

    #[test]
    fn keeps_directory_permissions_across_the_swap() {
        use std::os::unix::fs::PermissionsExt;
        let (_root, dir) = temp();
        write(&dir, &set(&[file("s/a.yaml", "1")]), PLAIN).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o2750)).unwrap();
        fs::set_permissions(dir.join("s"), fs::Permissions::from_mode(0o770)).unwrap();
        write(&dir, &set(&[file("s/a.yaml", "2")]), PLAIN).unwrap();
        assert_eq!(fs::metadata(&dir).unwrap().permissions().mode() & 0o7777, 0o2750);
        assert_eq!(
            fs::metadata(dir.join("s")).unwrap().permissions().mode() & 0o7777,
            0o770
        );
    }

    #[test]
    fn the_swap_without_atomic_exchange_leaves_the_new_tree_and_the_old_aside() {
        let (_root, dir) = temp();
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("old"), "old").unwrap();
        let staging = dir.parent().unwrap().join(".out.gen-staging-1");
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join("new"), "new").unwrap();
        swap_by_renames(&staging, &dir).unwrap();
        assert!(dir.join("new").is_file() && staging.join("old").is_file());
    }

    #[test]
    fn rejects_paths_that_escape_and_duplicates() {
        let (_root, dir) = temp();
        for bad in ["../x.yaml", "/etc/x", "a/../../x", "a//b", ""] {
            assert!(
                matches!(write(&dir, &[file(bad, "")], PLAIN), Err(OutputError::UnsafePath(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            write(&dir, &[file("a.yaml", "1"), file("a.yaml", "2")], PLAIN),
            Err(OutputError::DuplicatePath(_))
        ));
        assert!(!dir.exists());
    }

    #[test]
    fn a_second_writer_waits_until_the_first_is_done() {
        let (_root, dir) = temp();
        write(&dir, &set(&[file("a.yaml", "1")]), PLAIN).unwrap();
        // Another writer holds the directory (flocks conflict across handles, even in one
        // process): this write must not touch it until that lock is gone.
        let held = lock::exclusive(&[dir.as_path()]).unwrap();
        let writer = {
            let dir = dir.clone();
            std::thread::spawn(move || {
                write(&dir, &set(&[file("a.yaml", "2")]), PLAIN).unwrap();
                std::time::Instant::now()
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(
            fs::read_to_string(dir.join("a.yaml")).unwrap(),
            format!("{MARKER}\n1"),
            "nothing written while the lock is held"
        );
        // The writer must finish after the lock is released, not merely some time after it
        // started (timing its start inside the thread made the test flaky by microseconds).
        let released = std::time::Instant::now();
        drop(held);
        let finished = writer.join().unwrap();
        assert!(finished >= released, "the writer finished before the lock was released");
        assert_eq!(fs::read_to_string(dir.join("a.yaml")).unwrap(), format!("{MARKER}\n2"));
    }

    #[test]
    fn take_moves_one_top_level_directory_out_and_leaves_the_rest() {
        let mut tree = Tree {
            exists: true,
            ..Tree::default()
        };
        for path in [
            "prod/a.yaml",
            "prod/s/b.yaml",
            "prod-backup/a.yaml",
            "prod.yaml",
            "produce/x",
            "dev/a.yaml",
        ] {
            tree.files.insert(path.into(), path.as_bytes().to_vec());
        }
        tree.dirs
            .extend(["prod", "prod/s", "prod-backup", "dev", "produce"].map(String::from));
        tree.others.insert("prod/link".into());
        let prod = tree.take("prod");
        assert!(prod.exists);
        assert_eq!(prod.files.keys().collect::<Vec<_>>(), ["a.yaml", "s/b.yaml"]);
        assert_eq!(prod.files["s/b.yaml"], b"prod/s/b.yaml");
        assert_eq!(prod.dirs.iter().collect::<Vec<_>>(), ["s"]);
        assert_eq!(prod.others.iter().collect::<Vec<_>>(), ["link"]);
        assert_eq!(
            tree.files.keys().collect::<Vec<_>>(),
            ["dev/a.yaml", "prod-backup/a.yaml", "prod.yaml", "produce/x"]
        );
        assert!(tree.others.is_empty() && !tree.dirs.contains("prod"));
        assert!(!tree.take("missing").exists);
    }

    #[test]
    fn an_index_entry_cannot_claim_a_file_outside_its_directory() {
        let mut tree = Tree {
            exists: true,
            ..Tree::default()
        };
        tree.files.insert("mine.txt".into(), b"mine".to_vec());
        tree.dirs.insert("prod".into());
        tree.files.insert(
            "prod/.gen-index".into(),
            index::render("prod", [("../mine.txt", b"mine".as_slice())]).into_bytes(),
        );
        assert_eq!(tree.ownership().foreign, ["mine.txt"]);
    }

    #[test]
    fn names_that_are_not_utf8_are_foreign() {
        use std::os::unix::ffi::OsStrExt;
        let (_root, dir) = temp();
        write(&dir, &set(&[file("a.yaml", "1")]), PLAIN).unwrap();
        let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        fs::write(dir.as_std_path().join(odd), "x").unwrap();
        let tree = Tree::read(&dir).unwrap();
        assert_eq!(tree.ownership().foreign, ["caf\u{fffd}.txt"]);
        write(&dir, &set(&[file("a.yaml", "2")]), FORCE).unwrap();
        assert_eq!(Tree::read(&dir).unwrap().others.len(), 0);
    }

    #[test]
    fn a_symlinked_output_directory_is_refused_and_links_inside_are_not_followed() {
        let (root, dir) = temp();
        let real = root.path().join("real");
        fs::create_dir_all(&real).unwrap();
        std::os::unix::fs::symlink(&real, &dir).unwrap();
        assert!(matches!(
            write(&dir, &set(&[file("a.yaml", "1")]), PLAIN),
            Err(OutputError::Symlink { .. })
        ));
        assert!(Tree::read(&dir).unwrap().exists, "reading follows the link");
        let outside = root.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("keep.txt"), "keep").unwrap();
        let dir2 = Utf8PathBuf::from_path_buf(root.path().join("out2")).unwrap();
        fs::create_dir_all(&dir2).unwrap();
        std::os::unix::fs::symlink(&outside, dir2.join("services")).unwrap();
        write(&dir2, &set(&[file("services/a.yaml", "1")]), FORCE).unwrap();
        assert_eq!(fs::read_to_string(outside.join("keep.txt")).unwrap(), "keep");
        assert!(!outside.join("a.yaml").exists(), "nothing written through the link");
        assert!(dir2.join("services").is_dir() && !dir2.join("services").is_symlink());
    }
}
