//! Where each YAML path starts, stored as a tree of path parts and found by the whole path.
//!
//! A map from each whole path (`a.b[2].c`) to its position held a copy of every path, each in
//! an allocation of its own: 135,000 paths in 17 MiB for 5,000 services. A long key was copied
//! into every path below it: a profile of 4 MB, one 4 MB key above 3,000 short ones, took
//! 12.8 GB. Here each path is its parent and its own part (`.key`, `key` at the top, or `[n]`),
//! every part in one string, and a whole path's hash is carried on from its parent's: memory
//! grows with the text (about 10 MiB for those 5,000 services), not with its depth.
//!
//! Paths mean what they meant as map keys: a path is found by its text alone, and a key with a
//! dot in it (`a.b`) is the same path as `b` under `a`.

use hashbrown::HashTable;

use super::Located;

/// An entry of the index: the path recorded by [`PathIndex::insert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathId(usize);

/// A path's own part below its parent.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    Key(&'a str),
    Item(usize),
}

#[derive(Debug, Clone)]
pub struct PathIndex {
    entries: Vec<Entry>,
    /// Every entry's own part, end to end.
    parts: String,
    /// Entries, by the hash of their whole path.
    table: HashTable<usize>,
    hash: PathHash,
}

/// One path, in 40 bytes: the index holds one per key and list item of the profile. Within the
/// input limits ([`crate::load::limits`]: 16 MiB a file, 32 levels deep, at most 9 files
/// composed) offsets, lengths and positions stay far inside `u32`; past them, a value would
/// saturate.
#[derive(Debug, Clone)]
struct Entry {
    /// The parent's index in `entries`, or [`NONE`] at the top level.
    parent: u32,
    /// Where the entry's own part (with its `.` or brackets) lies in `parts`.
    part_start: u32,
    part_len: u32,
    /// The length of the whole path.
    path_len: u32,
    /// The whole path's [`PathHash::fold`], from which each child's is carried on.
    hash: u64,
    /// The file of the position, or [`NONE`] for a path only recorded as the parent of others
    /// (its key had no position).
    file: u32,
    line: u32,
    column: u32,
}

const NONE: u32 = u32::MAX;

/// `value` as a `u32`; a value past it (which the input limits rule out) saturates.
fn narrow(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl Entry {
    fn parent(&self) -> Option<usize> {
        (self.parent != NONE).then_some(self.parent as usize)
    }

    fn path_len(&self) -> usize {
        self.path_len as usize
    }

    fn located(&self) -> Option<Located> {
        (self.file != NONE).then_some(Located {
            file: self.file as usize,
            position: crate::diagnostics::Position {
                line: self.line as usize,
                column: self.column as usize,
            },
        })
    }

    fn place(&mut self, located: Located) {
        self.file = narrow(located.file);
        self.line = narrow(located.position.line);
        self.column = narrow(located.position.column);
    }
}

impl Default for PathIndex {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl PathIndex {
    pub fn with_capacity(paths: usize) -> Self {
        PathIndex {
            entries: Vec::with_capacity(paths),
            // A key with its dot, or an item number: about 8 bytes in a profile.
            parts: String::with_capacity(paths * 8),
            table: HashTable::with_capacity(paths),
            hash: PathHash::new(),
        }
    }

    /// Records `part` under `parent` (`None`: the top level) at `located` (`None`: only as the
    /// parent of others), and returns its id and whether the whole path had a position already
    /// (that entry then holds `located`, if given).
    pub fn insert(&mut self, parent: Option<PathId>, part: Part, located: Option<Located>) -> (PathId, bool) {
        let part_start = self.parts.len();
        let (parent_len, parent_hash) = match parent {
            Some(PathId(p)) => (self.entries[p].path_len(), self.entries[p].hash),
            None => (0, PathHash::EMPTY),
        };
        match part {
            // As a path was written: a key follows its parent after a dot unless the parent's
            // path is empty (the top level, or a key that is itself empty).
            Part::Key(key) => {
                if parent_len > 0 {
                    self.parts.push('.');
                }
                self.parts.push_str(key);
            }
            Part::Item(index) => {
                use std::fmt::Write as _;
                let _ = write!(self.parts, "[{index}]");
            }
        }
        let own = &self.parts[part_start..];
        let hash = self.hash.fold(parent_hash, own.as_bytes());
        let path_len = parent_len + own.len();
        let found = self.find(hash, |entry| {
            entry.hash == hash && entry.path_len() == path_len && self.same_path(entry, parent, own)
        });
        if let Some(id) = found {
            self.parts.truncate(part_start);
            let entry = &mut self.entries[id];
            let placed = entry.file != NONE;
            if let Some(located) = located {
                entry.place(located);
            }
            return (PathId(id), placed);
        }
        let id = self.entries.len();
        let mut entry = Entry {
            parent: parent.map_or(NONE, |p| narrow(p.0)),
            part_start: narrow(part_start),
            part_len: narrow(path_len - parent_len),
            path_len: narrow(path_len),
            hash,
            file: NONE,
            line: 0,
            column: 0,
        };
        if let Some(located) = located {
            entry.place(located);
        }
        self.entries.push(entry);
        let entries = &self.entries;
        self.table
            .insert_unique(PathHash::mix(hash), id, |&e| PathHash::mix(entries[e].hash));
        (PathId(id), false)
    }

    /// Moves the recorded path `id` to `located`.
    pub fn relocate(&mut self, id: PathId, located: Located) {
        self.entries[id.0].place(located);
    }

    /// Where the path `path` starts, if it was recorded.
    pub fn get(&self, path: &str) -> Option<Located> {
        self.placed(path, self.hash.fold(PathHash::EMPTY, path.as_bytes()))
    }

    /// The longest of `path` and its ancestors (each cut before a `.` or a `[`) that has a
    /// position, or `""`. One pass over `path` hashes every ancestor on the way.
    pub fn nearest<'p>(&self, path: &'p str) -> &'p str {
        // Each ancestor's length and hash, shortest first; then `path` itself.
        let mut ancestors = Vec::new();
        let mut hash = PathHash::EMPTY;
        for (at, &byte) in path.as_bytes().iter().enumerate() {
            if matches!(byte, b'.' | b'[') {
                ancestors.push((at, hash));
            }
            hash = self.hash.fold(hash, &[byte]);
        }
        ancestors.push((path.len(), hash));
        ancestors
            .iter()
            .rev()
            .map(|&(len, hash)| (&path[..len], hash))
            .find(|&(ancestor, hash)| self.placed(ancestor, hash).is_some())
            .map_or("", |(ancestor, _)| ancestor)
    }

    fn placed(&self, path: &str, hash: u64) -> Option<Located> {
        self.find(hash, |entry| {
            entry.hash == hash && entry.path_len() == path.len() && self.spells(entry, path)
        })
        .and_then(|id| self.entries[id].located())
    }

    /// Applies `change` to every recorded position.
    pub fn update(&mut self, mut change: impl FnMut(&mut Located)) {
        for entry in &mut self.entries {
            if let Some(mut located) = entry.located() {
                change(&mut located);
                entry.place(located);
            }
        }
    }

    /// Every recorded path with its position, in no particular order (for tests that compare
    /// two indexes).
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (String, Located)> + '_ {
        self.entries
            .iter()
            .filter_map(|e| Some((self.path_of(e), e.located()?)))
    }

    /// How many bytes the paths' own parts take, all together.
    #[cfg(test)]
    pub fn part_bytes(&self) -> usize {
        self.parts.len()
    }

    fn find(&self, hash: u64, matches: impl Fn(&Entry) -> bool) -> Option<usize> {
        self.table
            .find(PathHash::mix(hash), |&id| matches(&self.entries[id]))
            .copied()
    }

    fn part(&self, entry: &Entry) -> &str {
        let start = entry.part_start as usize;
        self.parts
            .get(start..start + entry.part_len as usize)
            .unwrap_or_default()
    }

    /// Whether `entry`'s whole path is `path` (whose length is the entry's).
    fn spells(&self, entry: &Entry, path: &str) -> bool {
        let mut end = path.len();
        let mut at = Some(entry);
        while let Some(entry) = at {
            let part = self.part(entry);
            let Some(rest) = end.checked_sub(part.len()) else {
                return false;
            };
            if path.as_bytes()[rest..end] != *part.as_bytes() {
                return false;
            }
            end = rest;
            at = entry.parent().map(|p| &self.entries[p]);
        }
        end == 0
    }

    /// Whether `entry`'s whole path is `parent`'s followed by `own`.
    fn same_path(&self, entry: &Entry, parent: Option<PathId>, own: &str) -> bool {
        let parent_path = parent.map_or_else(String::new, |p| self.path_of(&self.entries[p.0]));
        let mut path = parent_path;
        path.push_str(own);
        self.spells(entry, &path)
    }

    fn path_of(&self, entry: &Entry) -> String {
        let mut parts = Vec::new();
        let mut at = Some(entry);
        while let Some(entry) = at {
            parts.push(self.part(entry));
            at = entry.parent().map(|p| &self.entries[p]);
        }
        parts.iter().rev().copied().collect()
    }
}

/// A hash of a whole path that a child carries on from its parent's: the bytes as a polynomial
/// modulo the prime 2^61 - 1, at a point chosen at random for each index, so that paths a profile
/// is written to make collide cannot be found in advance. Two different paths of `n` bytes
/// share a hash with a chance of at most `n` in 2^61.
#[derive(Debug, Clone)]
struct PathHash {
    point: u64,
}

impl PathHash {
    const PRIME: u64 = (1 << 61) - 1;
    const EMPTY: u64 = 0;

    fn new() -> Self {
        use std::hash::BuildHasher as _;
        let random = std::collections::hash_map::RandomState::new().hash_one(0u64);
        // Any point but 0 and 1 (which would ignore the bytes or their order).
        PathHash {
            point: 2 + random % (Self::PRIME - 3),
        }
    }

    /// The hash of the path whose hash is `hash`, followed by `bytes`.
    fn fold(&self, hash: u64, bytes: &[u8]) -> u64 {
        bytes.iter().fold(hash, |hash, &byte| {
            // Each byte counts as 1 to 256, so that a zero byte still lengthens the path.
            let product = u128::from(hash) * u128::from(self.point) + u128::from(byte) + 1;
            Self::reduce(product)
        })
    }

    fn reduce(value: u128) -> u64 {
        let prime = u128::from(Self::PRIME);
        let folded = (value & prime) + (value >> 61);
        let folded = (folded & prime) + (folded >> 61);
        let folded = folded as u64;
        if folded >= Self::PRIME {
            folded - Self::PRIME
        } else {
            folded
        }
    }

    /// The table's hash: the fold's value, its bits spread over all 64 (the table reads the
    /// top ones, which the fold leaves zero).
    fn mix(hash: u64) -> u64 {
        let mut x = hash;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Position;

    fn at(line: usize) -> Located {
        Located {
            file: 0,
            position: Position { line, column: 1 },
        }
    }

    /// Records `part` under `parent`, which must be new.
    fn add(index: &mut PathIndex, parent: Option<PathId>, part: Part, line: usize) -> PathId {
        let (id, again) = index.insert(parent, part, Some(at(line)));
        assert!(!again, "{part:?} was recorded before");
        id
    }

    fn paths(index: &PathIndex) -> Vec<String> {
        let mut paths: Vec<String> = index.iter().map(|(path, _)| path).collect();
        paths.sort();
        paths
    }

    #[test]
    fn finds_each_path_by_its_text() {
        let mut index = PathIndex::default();
        let a = add(&mut index, None, Part::Key("a"), 1);
        let list = add(&mut index, Some(a), Part::Key("list"), 2);
        let item = add(&mut index, Some(list), Part::Item(1), 3);
        add(&mut index, Some(item), Part::Key("x"), 4);
        assert_eq!(index.get("a"), Some(at(1)));
        assert_eq!(index.get("a.list"), Some(at(2)));
        assert_eq!(index.get("a.list[1]"), Some(at(3)));
        assert_eq!(index.get("a.list[1].x"), Some(at(4)));
        for missing in [
            "",
            "a.",
            "list",
            "a.list[0]",
            "a.list[1].x.y",
            "a.list[1]x",
            "b.list[1].x",
        ] {
            assert_eq!(index.get(missing), None, "{missing:?}");
        }
        assert_eq!(paths(&index), ["a", "a.list", "a.list[1]", "a.list[1].x"]);
    }

    #[test]
    fn a_key_that_spells_a_nested_path_is_that_path() {
        let mut index = PathIndex::default();
        let a = add(&mut index, None, Part::Key("a"), 1);
        let b = add(&mut index, Some(a), Part::Key("b"), 2);
        assert_eq!(index.insert(None, Part::Key("a.b"), Some(at(3))), (b, true));
        assert_eq!(index.get("a.b"), Some(at(3)));
        let list = add(&mut index, None, Part::Key("x"), 4);
        let item = add(&mut index, Some(list), Part::Item(0), 5);
        assert_eq!(index.insert(None, Part::Key("x[0]"), Some(at(6))), (item, true));
        assert_eq!(paths(&index), ["a", "a.b", "x", "x[0]"]);
    }

    #[test]
    fn under_an_empty_key_a_key_has_no_dot_and_an_item_its_brackets() {
        let mut index = PathIndex::default();
        let empty = add(&mut index, None, Part::Key(""), 1);
        add(&mut index, Some(empty), Part::Key("b"), 2);
        add(&mut index, Some(empty), Part::Item(0), 3);
        assert_eq!(index.get(""), Some(at(1)));
        assert_eq!(index.get("b"), Some(at(2)));
        assert_eq!(index.get("[0]"), Some(at(3)));
        assert!(index.insert(None, Part::Key("b"), Some(at(4))).1);
    }

    /// A key without a position (the tree walk) is recorded only as the parent of others,
    /// and takes the first position given to its path.
    #[test]
    fn a_path_without_a_position_is_found_once_placed() {
        let mut index = PathIndex::default();
        let (a, again) = index.insert(None, Part::Key("a"), None);
        assert!(!again);
        add(&mut index, Some(a), Part::Key("b"), 2);
        assert_eq!(index.get("a"), None);
        assert_eq!(index.nearest("a.c"), "");
        assert_eq!(paths(&index), ["a.b"]);
        assert_eq!(index.insert(None, Part::Key("a"), None), (a, false));
        assert_eq!(index.insert(None, Part::Key("a"), Some(at(3))), (a, false));
        assert_eq!(index.get("a"), Some(at(3)));
        assert_eq!(index.insert(None, Part::Key("a"), None), (a, true));
        assert_eq!(index.get("a"), Some(at(3)));
        index.relocate(a, at(7));
        assert_eq!(index.get("a"), Some(at(7)));
    }

    #[test]
    fn a_long_key_is_stored_once() {
        let long = "k".repeat(100_000);
        let mut index = PathIndex::default();
        let parent = add(&mut index, None, Part::Key(&long), 1);
        for i in 0..1_000 {
            add(&mut index, Some(parent), Part::Key(&format!("c{i}")), 2 + i);
        }
        assert!(
            index.parts.len() < long.len() + 10_000,
            "{} bytes of parts",
            index.parts.len()
        );
        assert_eq!(index.get(&format!("{long}.c999")), Some(at(1_001)));
    }

    /// What `nearest` answers, the way it was answered before: the path, then each ancestor
    /// cut at its last `.` or `[`, down to `""`.
    fn nearest_one_at_a_time<'p>(index: &PathIndex, path: &'p str) -> &'p str {
        let mut path = path;
        while index.get(path).is_none() {
            if path.is_empty() {
                return "";
            }
            path = &path[..path.rfind(['.', '[']).unwrap_or(0)];
        }
        path
    }

    #[test]
    fn the_nearest_recorded_ancestor_is_the_longest() {
        let mut index = PathIndex::default();
        let services = add(&mut index, None, Part::Key("services"), 1);
        let api = add(&mut index, Some(services), Part::Key("api"), 2);
        let env = add(&mut index, Some(api), Part::Key("env"), 3);
        add(&mut index, Some(env), Part::Item(2), 4);
        add(&mut index, Some(api), Part::Key("a.b"), 5);
        add(&mut index, None, Part::Key(""), 6);
        for path in [
            "services.api.env[2].name",
            "services.api.env[3]",
            "services.api.a.b.c",
            "services.api.a",
            "services.web.image",
            "services",
            "elsewhere.x",
            "",
            ".",
            "[0]",
            "a..b[",
            "services.api.env[2]",
        ] {
            assert_eq!(index.nearest(path), nearest_one_at_a_time(&index, path), "{path:?}");
        }
        assert_eq!(index.nearest("services.api.env[2].name"), "services.api.env[2]");
    }

    #[test]
    fn hashes_carry_on_from_the_parent_at_every_split() {
        let hash = PathHash::new();
        let path = "services.api.env[0].välue";
        let whole = hash.fold(PathHash::EMPTY, path.as_bytes());
        for split in 0..=path.len() {
            let (parent, own) = path.as_bytes().split_at(split);
            assert_eq!(hash.fold(hash.fold(PathHash::EMPTY, parent), own), whole, "at {split}");
        }
        assert_ne!(hash.fold(PathHash::EMPTY, b"a\0"), hash.fold(PathHash::EMPTY, b"a"));
        assert_eq!(PathHash::reduce(u128::from(PathHash::PRIME)), 0);
        assert_eq!(PathHash::reduce(u128::from(PathHash::PRIME) * 3 + 5), 5);
        assert_eq!(
            PathHash::reduce(u128::MAX),
            (u128::MAX % u128::from(PathHash::PRIME)) as u64
        );
    }
}
