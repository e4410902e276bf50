//! Where each key and list item starts, recorded from the flat event stream that the input
//! limits are checked on, so that a plain profile needs no marked-yaml tree at all.
//!
//! The positions must be exactly those [`SourceFile::index`] records from marked-yaml's tree.
//! Where the two could differ, or where marked-yaml refuses the file (a tag, an anchor, a key
//! that is not a scalar, a duplicate key, a top level that is not a mapping), the recorder
//! gives up and the loader builds the tree as before, which decides and words any error.
//!
//! [`SourceFile::index`]: crate::source::SourceFile::index

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::Marker;

use crate::diagnostics::Position;
use crate::source::{Located, Part, PathId, Positions};

/// An open mapping or list, and the entry of its own path (`None` for the top level).
struct Open {
    path: Option<PathId>,
    kind: OpenKind,
}

enum OpenKind {
    Mapping {
        /// The next node is a key (else the value of the key just read).
        expecting_key: bool,
        /// The key just read, whose path its value's children go under.
        key: Option<PathId>,
        /// A list item whose first key is still to come: marked-yaml places a non-empty item
        /// at its first key, an empty one where it starts.
        item_at_first_key: bool,
    },
    List {
        next_index: usize,
    },
}

/// Reads events in order ([`Recorder::observe`]) and hands back every position, or `None`
/// when the profile must go through marked-yaml.
pub struct Recorder {
    open: Vec<Open>,
    positions: Positions,
    documents: usize,
    /// The stream was read to its end without anything the recorder does not reproduce.
    finished: bool,
    gave_up: bool,
}

impl Recorder {
    /// `lines`: the text's line count, to size the index once (about one key or item per line).
    pub fn new(lines: usize) -> Self {
        Recorder {
            open: Vec::new(),
            positions: Positions::with_capacity(lines),
            documents: 0,
            finished: false,
            gave_up: false,
        }
    }

    /// The positions, if the whole stream was read and recorded exactly.
    pub fn finish(self) -> Option<Positions> {
        (self.finished && !self.gave_up).then_some(self.positions)
    }

    pub fn observe(&mut self, event: &Event, marker: &Marker) {
        if self.gave_up {
            return;
        }
        let at = Position {
            line: marker.line(),
            column: marker.col() + 1,
        };
        match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => self.finished = self.open.is_empty(),
            Event::DocumentStart => {
                self.documents += 1;
                self.gave_up |= self.documents > 1;
            }
            Event::Alias(_) => self.gave_up = true,
            Event::Scalar(value, _, anchor, tag) => {
                if *anchor != 0 || tag.is_some() || self.open.is_empty() {
                    // A scalar at the top level: marked-yaml wants a mapping there.
                    self.gave_up = true;
                } else if self.key_expected() {
                    self.key(value, at);
                } else {
                    self.value_path(at);
                    self.value_done();
                }
            }
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) => {
                let mapping = matches!(event, Event::MappingStart(..));
                if *anchor != 0 || tag.is_some() || self.key_expected() || (self.open.is_empty() && !mapping) {
                    self.gave_up = true;
                    return;
                }
                let in_list = matches!(
                    self.open.last(),
                    Some(Open {
                        kind: OpenKind::List { .. },
                        ..
                    })
                );
                let path = self.value_path(at);
                let kind = if mapping {
                    OpenKind::Mapping {
                        expecting_key: true,
                        key: None,
                        item_at_first_key: in_list,
                    }
                } else {
                    OpenKind::List { next_index: 0 }
                };
                self.open.push(Open { path, kind });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.open.pop();
                self.value_done();
            }
        }
    }

    fn key_expected(&self) -> bool {
        matches!(
            self.open.last(),
            Some(Open {
                kind: OpenKind::Mapping {
                    expecting_key: true,
                    ..
                },
                ..
            })
        )
    }

    /// A mapping key: its path is recorded at the key (and a list item's, at its first key).
    fn key(&mut self, key: &str, at: Position) {
        let Some(Open {
            path: parent,
            kind:
                OpenKind::Mapping {
                    expecting_key,
                    item_at_first_key,
                    ..
                },
        }) = self.open.last_mut()
        else {
            return;
        };
        *expecting_key = false;
        let parent = *parent;
        if std::mem::take(item_at_first_key)
            && let Some(item) = parent
        {
            self.positions.relocate(item, located(at));
        }
        let (recorded, again) = self.positions.insert(parent, Part::Key(key), Some(located(at)));
        // The same path twice is a duplicate key (or a dotted key that reads as a nested one):
        // marked-yaml decides what that is.
        self.gave_up |= again;
        if let Some(Open {
            kind: OpenKind::Mapping { key: last_key, .. },
            ..
        }) = self.open.last_mut()
        {
            *last_key = Some(recorded);
        }
    }

    /// The path of a node that is a value (not a key): a list's next item, recorded here where
    /// it starts (a mapping item is moved to its first key later), or the key just read.
    fn value_path(&mut self, at: Position) -> Option<PathId> {
        let Open { path, kind } = self.open.last_mut()?;
        match kind {
            OpenKind::Mapping { key, .. } => *key,
            OpenKind::List { next_index } => {
                let index = *next_index;
                *next_index += 1;
                let parent = *path;
                let (recorded, again) = self.positions.insert(parent, Part::Item(index), Some(located(at)));
                self.gave_up |= again;
                Some(recorded)
            }
        }
    }

    /// After a whole value: its parent mapping now expects a key.
    fn value_done(&mut self) {
        if let Some(Open {
            kind: OpenKind::Mapping { expecting_key, .. },
            ..
        }) = self.open.last_mut()
        {
            *expecting_key = true;
        }
    }
}

fn located(position: Position) -> Located {
    Located { file: 0, position }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// Every path with its position, to compare two indexes.
    type Recorded = std::collections::BTreeMap<String, Located>;

    /// Every path of `positions`, each one once.
    fn every_path(positions: &Positions) -> Recorded {
        let recorded: Recorded = positions.iter().collect();
        assert_eq!(recorded.len(), positions.iter().count(), "a path recorded twice");
        recorded
    }

    /// The positions the recorder takes from the event stream, or `None` if it gives up.
    fn recorded(text: &str) -> Option<Recorded> {
        let mut source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.to_owned());
        let (None, Some(positions)) = super::super::refuse_text_recording(&source) else {
            return None;
        };
        source.install(positions);
        Some(every_path(source.positions()))
    }

    /// What the loader records from marked-yaml's tree, or `None` if marked-yaml refuses.
    fn from_tree(text: &str) -> Option<Recorded> {
        let tree = marked_yaml::parse_yaml_with_options(0, text, crate::load::loader_options()).ok()?;
        let mut source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.to_owned());
        source.index(&tree);
        Some(every_path(source.positions()))
    }

    /// Whether the recorder took `text` (and, if so, recorded exactly what the tree records).
    fn agrees(text: &str) -> bool {
        let Some(recorded) = recorded(text) else {
            return false;
        };
        let tree = from_tree(text).unwrap_or_else(|| panic!("marked-yaml refuses what the recorder took: {text:?}"));
        assert_eq!(recorded, tree, "positions differ for {text:?}");
        true
    }

    /// A long key is stored once, not once in every path below it (which took 12.8 GB for a
    /// 4 MB profile, before keys had a limit): by the recorder and by the tree walk alike, the
    /// paths' parts stay about the size of the text.
    #[test]
    fn a_long_key_is_stored_once_by_both_builders() {
        let key = "k".repeat(crate::load::limits::MAX_KEY_CHARS);
        let mut text = format!("services:\n  ? {key}\n  :\n");
        for i in 0..5_000 {
            text.push_str(&format!("    c{i}: 1\n"));
        }
        let source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.clone());
        let (None, Some(positions)) = super::super::refuse_text_recording(&source) else {
            panic!("the recorder gave up on a long key");
        };
        assert!(
            positions.part_bytes() < 2 * text.len(),
            "{} bytes",
            positions.part_bytes()
        );
        let tree = marked_yaml::parse_yaml_with_options(0, &text, crate::load::loader_options()).unwrap();
        let mut source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.clone());
        source.index(&tree);
        let parts = source.positions().part_bytes();
        assert!(parts < 2 * text.len(), "{parts} bytes");
        assert!(agrees(&text));
    }

    #[test]
    fn records_what_the_tree_records_in_every_shape() {
        for text in [
            "tier: prod\nservices:\n  api:\n    ports: {http: 8080}\n",
            "a:\n  list:\n    - x: 1\n      y: 2\n    - z\n    - {}\n    - []\n    - - nested\n      - more\n    - {p: 1, q: [1, 2]}\n",
            "a: [ {b: 1}, {}, [c, {d: 2}] ]\n",
            "\"quoted key\": 1\n'single': {inner: x}\nplain: |\n  block\n  text\nnext: >\n  folded\n",
            "a:\nb: ~\nc: ''\nd:\n  - \n  - x\n",
            "? explicit\n: value\n? complex key spanning\n: other\n",
            "tier: prod\n? ",
            "# only a comment first\n\n---\ntier: prod\n...\n",
            "{flow: top, level: [1, 2]}\n",
            "list:\n- a: 1\n  b:\n  - c: 2\n- d\n",
            "ünïcode: wert\nkey: \"ü\"\n",
        ] {
            assert!(agrees(text), "the recorder gave up on {text:?}");
        }
    }

    #[test]
    fn gives_up_where_marked_yaml_decides() {
        for text in [
            // Refused by marked-yaml: duplicates, anchors, tags, keys that are not scalars,
            // a top level that is not a mapping.
            "a: 1\na: 2\n",
            "a:\n  b: 1\n  b: {}\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "? [a, b]\n: 1\n",
            "- a\n- b\n",
            "just a scalar\n",
            // Read differently by marked-yaml and the path index: left to the tree.
            "a.b: 1\na:\n  b: 2\n",
            // More than one document, a syntax error.
            "a: 1\n---\nb: 2\n",
            "a: [1, 2\n",
        ] {
            assert!(recorded(text).is_none(), "the recorder took {text:?}");
        }
    }

    /// Every YAML file in the repository (profiles, examples, fixtures, bad profiles, the fuzz
    /// corpora): where the recorder takes one, its positions are the tree's; and it takes every
    /// shipped profile that extends nothing, so those build no tree.
    #[test]
    fn records_what_the_tree_records_for_every_file_in_the_repository() {
        let texts = crate::load::repository_texts();
        let mut taken = 0;
        for (path, text) in &texts {
            let agreed = agrees(text);
            taken += usize::from(agreed);
            let shipped = path.parent().is_some_and(|dir| dir.ends_with("profiles"));
            if shipped && !text.contains("extends") {
                assert!(agreed, "the recorder gave up on {path}");
            }
        }
        assert!(
            taken > texts.len() / 4,
            "the recorder took only {taken} of {} files",
            texts.len()
        );
    }
}
