//! A profile's text, and where each YAML path in it starts.
//!
//! serde reports only the first structural error, with a line. Later stages work on typed values
//! and have lost positions, so the loader records the start of every key and sequence item here
//! and every later finding can point back at the line the user wrote.
//!
//! A profile that `extends:` others is one source made of several files (layers): every
//! recorded position also says which file the value came from.

mod path_index;

use std::sync::OnceLock;

use camino::Utf8PathBuf;
use marked_yaml::{Node, Span};

use crate::diagnostics::Position;

pub use path_index::{Part, PathId};

/// Where each YAML path (`a.b[2].c`) starts.
pub type Positions = path_index::PathIndex;

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user should see it in messages.
    pub display_path: String,
    pub path: Utf8PathBuf,
    /// Never changed once the source is made: [`SourceFile::line`] finds lines through an
    /// index built from it.
    pub text: String,
    /// The files this profile extends, nearest first: layer `n` is file id `n + 1` (the
    /// profile itself is id 0). Empty for a profile that extends nothing.
    bases: Vec<Layer>,
    /// Boxed: the index is larger than the map it replaced, and a source travels inside every
    /// report, which travels inside the pipeline's results.
    positions: Box<Positions>,
    /// Where each line of `text` starts, once a line is quoted.
    line_starts: OnceLock<Vec<usize>>,
}

/// A base file of a composed profile.
#[derive(Debug, Clone)]
pub struct Layer {
    pub display_path: String,
    pub text: String,
    line_starts: OnceLock<Vec<usize>>,
}

/// A position in one of the files a profile is made of (0: the profile itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    pub file: usize,
    pub position: Position,
}

impl SourceFile {
    pub fn new(path: Utf8PathBuf, display_path: String, text: String) -> Self {
        SourceFile {
            display_path,
            path,
            text,
            bases: Vec::new(),
            positions: Box::default(),
            line_starts: OnceLock::new(),
        }
    }

    /// Adds a base file; its id (for parsing it, so that its markers say where they are) is
    /// returned.
    pub fn add_base(&mut self, display_path: String, text: String) -> usize {
        self.bases.push(Layer {
            display_path,
            text,
            line_starts: OnceLock::new(),
        });
        self.bases.len()
    }

    pub fn bases(&self) -> &[Layer] {
        &self.bases
    }

    /// Whether file `id` is a base of the profile (rather than the profile itself, or the
    /// command line's `--set` layer).
    pub fn is_base(&self, id: usize) -> bool {
        id != 0 && self.file_name(id) != crate::load::overrides::FILE_NAME
    }

    /// The display path of file `id`.
    pub fn file_name(&self, id: usize) -> &str {
        match id.checked_sub(1) {
            None => &self.display_path,
            Some(base) => self.bases.get(base).map_or(&self.display_path, |l| &l.display_path),
        }
    }

    /// The text of the file shown as `display_path`, and where its lines start.
    fn text_of(&self, display_path: &str) -> Option<(&str, &OnceLock<Vec<usize>>)> {
        if display_path == self.display_path {
            return Some((&self.text, &self.line_starts));
        }
        self.bases
            .iter()
            .find(|l| l.display_path == display_path)
            .map(|l| (l.text.as_str(), &l.line_starts))
    }

    /// Records the position of every key (`a.b.c`) and sequence item (`a.b[2]`) in the tree.
    pub fn index(&mut self, root: &Node) {
        // About one key or item per line: sized once, the map is not rehashed as it grows.
        let mut positions = Positions::with_capacity(self.line_count());
        record(root, None, &mut positions);
        self.install(positions);
    }

    /// The text's number of lines (a last line without a newline counts).
    pub fn line_count(&self) -> usize {
        self.text.bytes().filter(|b| *b == b'\n').count() + 1
    }

    /// Takes `positions`, recorded from the profile's own text, as the index (what [`index`]
    /// records, when they come from the event stream instead: see `load::positions`).
    ///
    /// [`index`]: SourceFile::index
    pub fn install(&mut self, mut positions: Positions) {
        let lines = self.line_count();
        // The parser puts an empty node at the very end of the text (`? ` with no key on the
        // last line) on the line after the last one, which a report could not quote.
        let end = Position {
            line: lines,
            column: self.text.rsplit('\n').next().unwrap_or("").chars().count() + 1,
        };
        positions.update(|located| {
            // Only the profile's own text is at hand here; a base's positions come from its
            // own parse and are left as they are.
            if located.file == 0 && located.position.line > lines {
                located.position = end;
            }
        });
        *self.positions = positions;
    }

    /// Every recorded position, to compare indexes in tests.
    #[cfg(test)]
    pub fn positions(&self) -> &Positions {
        &self.positions
    }

    /// The position of a YAML path, or of its nearest recorded ancestor.
    pub fn position_of(&self, yaml_path: &str) -> Option<Position> {
        self.positions.get(self.nearest_path(yaml_path)).map(|l| l.position)
    }

    /// Where the user wrote the setting at `yaml_path`. A service setting the service does not
    /// set itself came from `serviceDefaults`, so `services.api.resources.cpu` is found at
    /// `serviceDefaults.resources.cpu` when only the defaults hold it.
    pub fn origin_path(&self, yaml_path: &str) -> String {
        let own = self.nearest_path(yaml_path);
        let Some(rest) = yaml_path
            .strip_prefix("services.")
            .and_then(|p| p.split_once('.'))
            .map(|(_, rest)| rest)
        else {
            return own.to_owned();
        };
        let default_path = format!("serviceDefaults.{rest}");
        let inherited = self.nearest_path(&default_path);
        // Compare how much of the setting each side holds: segments below the service, and
        // below serviceDefaults.
        let depth = |p: &str| p.split(['.', '[']).count();
        let own_depth = depth(own).saturating_sub(2);
        let inherited_depth = if inherited.starts_with("serviceDefaults.") {
            depth(inherited) - 1
        } else {
            0
        };
        if inherited_depth > own_depth {
            inherited.to_owned()
        } else {
            own.to_owned()
        }
    }

    /// `yaml_path` itself if the file has it, else its nearest ancestor that it has ("" if none).
    pub fn nearest_path<'p>(&self, yaml_path: &'p str) -> &'p str {
        self.positions.nearest(yaml_path)
    }

    /// The position of exactly this YAML path, if the file has it.
    pub fn exact_position(&self, yaml_path: &str) -> Option<Position> {
        self.positions.get(yaml_path).map(|l| l.position)
    }

    /// The file and position of exactly this YAML path, if the profile has it.
    pub fn exact_location(&self, yaml_path: &str) -> Option<Located> {
        self.positions.get(yaml_path)
    }

    /// Line `number` (from 1) of the profile's text, as `str::lines` gives it.
    pub fn line(&self, number: usize) -> Option<&str> {
        nth_line(&self.text, &self.line_starts, number)
    }

    /// Line `number` of the profile's file shown as `display_path` (itself or a base).
    pub fn line_in(&self, display_path: &str, number: usize) -> Option<&str> {
        let (text, starts) = self.text_of(display_path)?;
        nth_line(text, starts, number)
    }
}

/// Line `number` (from 1) of `text`, as `text.lines().nth(number - 1)` gives it, found through
/// the index of where each line starts (built by the first call). Walking the lines from the
/// top for every finding made a report of many findings quadratic in the file's size: 80,000
/// findings in a 2 MB profile took 37.5 s.
fn nth_line<'t>(text: &'t str, starts: &OnceLock<Vec<usize>>, number: usize) -> Option<&'t str> {
    let starts = starts.get_or_init(|| {
        let breaks = crate::byte_search::positions(b'\n', text.as_bytes()).map(|at| at + 1);
        std::iter::once(0).chain(breaks).collect()
    });
    let start = *starts.get(number.checked_sub(1)?)?;
    // A text ending in a line break has no line after it.
    if start == text.len() {
        return None;
    }
    match starts.get(number) {
        // `lines` drops the `\r` of a `\r\n` ending, not a `\r` that ends the text.
        Some(&next) => {
            let line = &text[start..next - 1];
            Some(line.strip_suffix('\r').unwrap_or(line))
        }
        None => Some(&text[start..]),
    }
}

/// Where a mapping entry starts: at its key, unless a later layer (an overlay, `--set`)
/// replaced the value. The merge keeps the key of the file below, so the entry would point at
/// the setting that was replaced; the value is where the user made the setting that counts.
fn entry_start(key: &marked_yaml::types::MarkedScalarNode, value: &Node) -> Option<Located> {
    let key_start = start_of(key.span());
    match (key_start, start_of(value.span())) {
        (Some(key_start), Some(value_start)) if value_start.file != key_start.file => Some(value_start),
        _ => key_start,
    }
}

fn start_of(span: &Span) -> Option<Located> {
    span.start().map(|m| Located {
        file: m.source(),
        position: Position {
            line: m.line(),
            column: m.column(),
        },
    })
}

/// Records the positions under `node`, whose path is `path` (`None`: the top level). A path
/// recorded twice (a dotted key that reads as a nested one) is where it was recorded last.
fn record(node: &Node, path: Option<PathId>, positions: &mut Positions) {
    match node {
        Node::Mapping(mapping) => {
            for (key, value) in mapping.iter() {
                let (child, _) = positions.insert(path, Part::Key(key.as_str()), entry_start(key, value));
                record(value, Some(child), positions);
            }
        }
        Node::Sequence(sequence) => {
            for (index, item) in sequence.iter().enumerate() {
                // A mapping's own span starts after its first key; point at that key instead.
                let first_key = item.as_mapping().and_then(|m| m.keys().next()).map(|k| k.span());
                let start = start_of(first_key.unwrap_or(item.span()));
                let (child, _) = positions.insert(path, Part::Item(index), start);
                record(item, Some(child), positions);
            }
        }
        Node::Scalar(_) => {}
    }
}

pub fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(text: &str) -> SourceFile {
        let node = marked_yaml::parse_yaml(0, text).unwrap();
        let mut source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.into());
        source.index(&node);
        source
    }

    #[test]
    fn a_line_is_what_str_lines_gives() {
        let mut texts: Vec<String> = [
            "",
            "a",
            "a\n",
            "a\n\n",
            "\n",
            "a\r\nb\r\n",
            "a\rb\n",
            "a\r",
            "x\n\ny\nz",
        ]
        .map(str::to_owned)
        .to_vec();
        texts.extend(crate::load::repository_texts().into_iter().map(|(_, text)| text));
        for text in &texts {
            let mut source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.clone());
            // A base has an index of its own.
            let base = format!("# base\n{text}");
            source.add_base("base.yaml".into(), base.clone());
            let lines = text.lines().count();
            for number in 0..=lines + 2 {
                let expected = number.checked_sub(1).and_then(|n| text.lines().nth(n));
                assert_eq!(source.line(number), expected, "line {number} of {text:.60?}");
                let in_base = number.checked_sub(1).and_then(|n| base.lines().nth(n));
                assert_eq!(
                    source.line_in("base.yaml", number),
                    in_base,
                    "line {number} of the base"
                );
                assert_eq!(
                    source.line_in("p.yaml", number),
                    expected,
                    "line {number} of {text:.60?}"
                );
            }
        }
    }

    #[test]
    fn inherited_settings_point_at_service_defaults() {
        let source = indexed(
            "serviceDefaults:\n  env:\n    A: x\nservices:\n  api:\n    env:\n      B: y\n  web:\n    image: i\n",
        );
        assert_eq!(source.origin_path("services.api.env.A"), "serviceDefaults.env.A");
        assert_eq!(source.origin_path("services.api.env.B"), "services.api.env.B");
        assert_eq!(source.origin_path("services.web.resources.cpu"), "services.web");
        assert_eq!(source.origin_path("services.web.env.A"), "serviceDefaults.env.A");
    }

    /// Found by the `resolve` fuzz target: an empty explicit key (`? `) at the end of a file
    /// was recorded on the line after the last one.
    #[test]
    fn a_key_at_the_very_end_is_recorded_on_the_last_line() {
        let source = indexed("tier: prod\n? ");
        assert_eq!(source.exact_position(""), Some(Position { line: 2, column: 3 }));
    }

    #[test]
    fn finds_keys_items_and_falls_back_to_ancestors() {
        let source = indexed("a:\n  b: 1\n  list:\n    - x: 1\n    - y: 2\n");
        assert_eq!(source.position_of("a.b"), Some(Position { line: 2, column: 3 }));
        assert_eq!(source.position_of("a.list[1]"), Some(Position { line: 5, column: 7 }));
        assert_eq!(
            source.position_of("a.list[1].y.missing"),
            Some(Position { line: 5, column: 7 })
        );
        assert_eq!(source.position_of("nowhere"), None);
    }
}
