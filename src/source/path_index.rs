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
/// input limits ([`crate::load::limits`]: 16 MiB a file, 32 levels deep) offsets, lengths and
/// positions stay far inside `u32`; past it they saturate, and the path is not found.
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

    /// Records `part` under `parent` (`None`: the top level) at `located`, and returns its id.
    /// If the whole path was recorded before, that entry now holds `located` (if given) and
    /// `Err` returns its id when it had a position already.
    pub fn insert(&mut self, parent: Option<PathId>, part: Part, located: Option<Located>) -> Result<PathId, PathId> {
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
            entry.path_len() == path_len && self.same_path(entry, parent, own)
        });
        if let Some(id) = found {
            self.parts.truncate(part_start);
            let entry = &mut self.entries[id];
            let placed = entry.file != NONE;
            if let Some(located) = located {
                entry.place(located);
            }
            return if placed { Err(PathId(id)) } else { Ok(PathId(id)) };
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
        let hash_of = &self.hash;
        self.table
            .insert_unique(hash_of.mix(hash), id, |&e| hash_of.mix(entries[e].hash));
        Ok(PathId(id))
    }

    /// Moves the recorded path `id` to `located`.
    pub fn relocate(&mut self, id: PathId, located: Located) {
        self.entries[id.0].place(located);
    }

    /// Where the path `path` starts, if it was recorded.
    pub fn get(&self, path: &str) -> Option<Located> {
        let hash = self.hash.fold(PathHash::EMPTY, path.as_bytes());
        self.find(hash, |entry| entry.path_len() == path.len() && self.spells(entry, path))
            .and_then(|id| self.entries[id].located())
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
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

    /// Every recorded path with its position, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (String, Located)> + '_ {
        self.entries
            .iter()
            .filter_map(|e| Some((self.path_of(e), e.located()?)))
    }

    fn find(&self, hash: u64, matches: impl Fn(&Entry) -> bool) -> Option<usize> {
        self.table
            .find(self.hash.mix(hash), |&id| matches(&self.entries[id]))
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
/// modulo the prime 2^61 - 1, at a point chosen at random for each run, so that paths a profile
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
    fn mix(&self, hash: u64) -> u64 {
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

    #[test]
    fn finds_each_path_by_its_text() {
        let mut index = PathIndex::default();
        let a = index.insert(None, Part::Key("a"), Some(at(1))).unwrap();
        let list = index.insert(Some(a), Part::Key("list"), Some(at(2))).unwrap();
        let item = index.insert(Some(list), Part::Item(1), Some(at(3))).unwrap();
        index.insert(Some(item), Part::Key("x"), Some(at(4))).unwrap();
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
        let mut paths: Vec<String> = index.iter().map(|(path, _)| path).collect();
        paths.sort();
        assert_eq!(paths, ["a", "a.list", "a.list[1]", "a.list[1].x"]);
    }

    #[test]
    fn a_dotted_key_is_the_path_it_spells() {
        let mut index = PathIndex::default();
        let a = index.insert(None, Part::Key("a"), Some(at(1))).unwrap();
        let b = index.insert(Some(a), Part::Key("b"), Some(at(2))).unwrap();
        assert_eq!(index.insert(None, Part::Key("a.b"), Some(at(3))), Err(b));
        assert_eq!(index.get("a.b"), Some(at(3)));
        assert_eq!(index.iter().count(), 2);
    }

    #[test]
    fn a_key_under_an_empty_key_follows_it_without_a_dot() {
        let mut index = PathIndex::default();
        let empty = index.insert(None, Part::Key(""), Some(at(1))).unwrap();
        index.insert(Some(empty), Part::Key("b"), Some(at(2))).unwrap();
        assert_eq!(index.get(""), Some(at(1)));
        assert_eq!(index.get("b"), Some(at(2)));
        assert_eq!(index.insert(None, Part::Key("b"), Some(at(3))).map_err(|_| ()), Err(()));
    }

    #[test]
    fn a_long_key_is_stored_once() {
        let long = "k".repeat(100_000);
        let mut index = PathIndex::default();
        let parent = index.insert(None, Part::Key(&long), Some(at(1))).unwrap();
        for i in 0..1_000 {
            index
                .insert(Some(parent), Part::Key(&format!("c{i}")), Some(at(2 + i)))
                .unwrap();
        }
        assert!(
            index.parts.len() < long.len() + 10_000,
            "{} bytes of parts",
            index.parts.len()
        );
        assert_eq!(index.get(&format!("{long}.c999")), Some(at(1_001)));
    }

    #[test]
    fn hashes_carry_on_from_the_parent() {
        let hash = PathHash::new();
        let whole = hash.fold(PathHash::EMPTY, b"services.api[0]");
        let carried = hash.fold(hash.fold(PathHash::EMPTY, b"services"), b".api[0]");
        assert_eq!(whole, carried);
        assert_ne!(hash.fold(PathHash::EMPTY, b"a\0"), hash.fold(PathHash::EMPTY, b"a"));
        assert_eq!(PathHash::reduce(u128::from(PathHash::PRIME)), 0);
        assert_eq!(PathHash::reduce(u128::from(PathHash::PRIME) * 3 + 5), 5);
    }
}
