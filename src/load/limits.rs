//! Input limits, checked before any recursive walk of the profile: a hostile or broken file is
//! refused at once, in little time and memory, instead of exhausting the stack or the machine.
//!
//! The README documents these numbers (`tests` below keep it honest). They sit far above what
//! a real profile needs: the shipped ones nest 5 levels deep and a 10,000-service profile is
//! about 5 MB with some 480,000 nodes.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::{Diagnostic, Position};
use crate::source::SourceFile;

/// The largest profile file gen reads, in bytes.
pub const MAX_BYTES: u64 = 16 << 20;
/// How deep mappings and lists (block or flow) may nest, the top-level mapping being level 1.
pub const MAX_DEPTH: usize = 32;
/// Entries in `services`, and in any other one mapping or list (env variables, routes, ...).
pub const MAX_ENTRIES: usize = 10_000;
/// Nodes in the whole file: every key, value, mapping and list counts once.
pub const MAX_NODES: usize = 1_000_000;
/// The longest key, in characters: what YAML itself allows a key written the usual way (an
/// implicit key, `key: value`), so the limit only stops keys written in the explicit `? ` form.
/// The longest key Kubernetes accepts anywhere a profile can put one is a label or annotation
/// key, 317 characters. Every finding quotes its key's whole path, and each path below a key
/// holds it: before this limit, a 4 MB `? ` key cost a gigabyte of memory and 400 MB of messages.
pub const MAX_KEY_CHARS: usize = 1024;

/// An open mapping or list.
struct Open {
    mapping: bool,
    /// Keys of a mapping, items of a list.
    entries: usize,
    /// Nodes seen in a mapping: even ones are keys.
    nodes: usize,
    /// This is the top-level `services` mapping.
    services: bool,
}

/// The first limit `source` goes past, located where it does. Reads the YAML as a flat stream
/// of events (the parser keeps its own stack on the heap), so it cannot overflow anything; a
/// syntax error ends the scan quietly, for the loader to report.
pub fn check(source: &SourceFile) -> Option<Diagnostic> {
    scan(source, |_, _| {})
}

/// [`check`], showing each event to `observe` as it is read (up to a refusal or a syntax error).
pub fn scan(source: &SourceFile, mut observe: impl FnMut(&Event, &Marker)) -> Option<Diagnostic> {
    let mut parser = Parser::new_from_str(&source.text);
    let mut open: Vec<Open> = Vec::new();
    let mut nodes = 0usize;
    // The last key read at the top level, to recognise `services`.
    let mut top_key_is_services = false;
    loop {
        let (event, marker) = parser.next_token().ok()?;
        observe(&event, &marker);
        let at = Position {
            line: marker.line(),
            column: marker.col() + 1,
        };
        let starts = matches!(event, Event::MappingStart(..) | Event::SequenceStart(..));
        if starts || matches!(event, Event::Scalar(..) | Event::Alias(_)) {
            nodes += 1;
            if nodes > MAX_NODES {
                return Some(refuse(
                    source,
                    at,
                    format!(
                        "the profile holds more than {} keys, values, mappings and lists",
                        thousands(MAX_NODES)
                    ),
                ));
            }
            let depth = open.len();
            if let Some(parent) = open.last_mut() {
                let is_key = parent.mapping && parent.nodes % 2 == 0;
                parent.nodes += 1;
                if let (true, Event::Scalar(key, ..)) = (is_key, &event)
                    && key.len() > MAX_KEY_CHARS
                    && key.chars().count() > MAX_KEY_CHARS
                {
                    return Some(refuse(
                        source,
                        at,
                        format!(
                            "a key of {} characters, more than the {} a key may hold",
                            thousands(key.chars().count()),
                            thousands(MAX_KEY_CHARS)
                        ),
                    ));
                }
                if is_key || !parent.mapping {
                    parent.entries += 1;
                    if parent.entries > MAX_ENTRIES {
                        let what = if parent.services {
                            format!("more than {} services", thousands(MAX_ENTRIES))
                        } else {
                            format!("a mapping or list with more than {} entries", thousands(MAX_ENTRIES))
                        };
                        return Some(refuse(source, at, format!("the profile holds {what}")));
                    }
                }
                if depth == 1 && is_key {
                    top_key_is_services = matches!(&event, Event::Scalar(key, ..) if key == "services");
                }
            }
            if starts {
                if depth + 1 > MAX_DEPTH {
                    // A block mapping starts after its first key: point at the key.
                    let at = match parser.peek() {
                        Ok((Event::Scalar(..), key)) if matches!(event, Event::MappingStart(..)) => Position {
                            line: key.line(),
                            column: key.col() + 1,
                        },
                        _ => at,
                    };
                    return Some(refuse(
                        source,
                        at,
                        format!("mappings and lists nest more than {MAX_DEPTH} levels deep here"),
                    ));
                }
                open.push(Open {
                    mapping: matches!(event, Event::MappingStart(..)),
                    entries: 0,
                    nodes: 0,
                    services: depth == 1 && top_key_is_services,
                });
            }
        }
        match event {
            Event::MappingEnd | Event::SequenceEnd => {
                open.pop();
            }
            Event::StreamEnd => return None,
            _ => {}
        }
    }
}

/// Whether `text` certainly holds no more than [`MAX_NODES`] nodes, from its bytes alone (a few
/// milliseconds for megabytes, where [`check`] parses). Past the first document's root, a node
/// needs a character that introduces it: `:` or `?` a mapping entry (its key and value),
/// `,`, `{` or `[` an entry of a flow collection, `-` a list item, `-` or `.` another document
/// (`---`, `...`). Each counts as two nodes, the most it can introduce.
pub fn surely_within_node_limit(text: &str) -> bool {
    node_bound(text) <= MAX_NODES
}

/// The most nodes `text` can hold: see [`surely_within_node_limit`].
fn node_bound(text: &str) -> usize {
    let introducers = text
        .bytes()
        .filter(|b| matches!(b, b':' | b'?' | b',' | b'{' | b'[' | b'-' | b'.'))
        .count();
    2 * introducers + 1
}

fn refuse(source: &SourceFile, at: Position, message: String) -> Diagnostic {
    // The scanner may place the event after the last line of a file with no final newline
    // (found by fuzzing: `{{{...` on one line); show it at the end of the text instead.
    let lines = source.text.split('\n').count().max(1);
    let at = if at.line > lines {
        let last = source.text.rsplit('\n').next().unwrap_or("");
        Position {
            line: lines,
            column: last.chars().count() + 1,
        }
    } else {
        at
    };
    Diagnostic::error("input-limit", message)
        .at_position(source, at)
        .with_hint(format!(
            "gen's input limits: {} MiB, {MAX_DEPTH} levels of nesting, {} entries in a mapping or list, {} nodes, keys of {} characters (the README explains them); note that `- - -` nests one list per dash",
            MAX_BYTES >> 20,
            thousands(MAX_ENTRIES),
            thousands(MAX_NODES),
            thousands(MAX_KEY_CHARS)
        ))
}

/// `10000` as `10,000`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nodes [`check`] counts in `text`.
    fn nodes(text: &str) -> usize {
        let source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.to_owned());
        let mut nodes = 0;
        scan(&source, |event, _| {
            nodes += usize::from(matches!(
                event,
                Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..) | Event::Alias(_)
            ))
        });
        nodes
    }

    /// The bound behind [`surely_within_node_limit`], on the shapes that pack nodes tightest
    /// and on every YAML file of the repository (the fuzz corpora among them).
    #[test]
    fn the_byte_count_bounds_the_nodes() {
        let mut texts: Vec<String> = [
            "a",
            "{a,b,c}",
            "{?,?,?}",
            "{:,:,:}",
            "[a,b,c]",
            "[[[[]]]]",
            "[a: b, c: d]",
            "- - - - x",
            "-\n-\n-\n",
            "a:\nb:\nc:\n",
            "? a\n? b\n",
            "a\n...\nb\n...\nc\n",
            "--- a\n--- b\n--- c\n",
            "a: &x [1]\nb: *x\nc: *x\n",
            "[*a, *a]",
        ]
        .map(str::to_owned)
        .to_vec();
        texts.extend(crate::load::repository_texts().into_iter().map(|(_, text)| text));
        for text in &texts {
            assert!(nodes(text) <= node_bound(text), "{} nodes in {text:?}", nodes(text));
        }
        assert!(surely_within_node_limit(&"a: [b, c]\n".repeat(1000)));
        assert!(!surely_within_node_limit(&"[a, b]\n".repeat(MAX_NODES / 4)));
    }

    fn limit(text: &str) -> Option<(usize, usize, String)> {
        let source = SourceFile::new("p.yaml".into(), "p.yaml".into(), text.to_owned());
        check(&source).map(|d| {
            let p = d.position.unwrap();
            (p.line, p.column, d.message)
        })
    }

    #[test]
    fn deep_block_sequences_are_refused_quickly_at_the_level_too_deep() {
        let text = format!("tier: prod\nx:\n{}1\n", "- ".repeat(25_000));
        let started = std::time::Instant::now();
        let (line, column, message) = limit(&text).unwrap();
        assert!(started.elapsed().as_millis() < 500, "took {:?}", started.elapsed());
        // Level 1 is the top mapping, level 2 the first `- ` at column 1: the 32nd dash goes past.
        assert_eq!((line, column), (3, 2 * MAX_DEPTH - 1));
        assert!(message.contains("32 levels"), "{message}");
    }

    #[test]
    fn deep_block_mappings_and_flow_are_refused() {
        let mut text = String::from("tier: prod\n");
        for level in 0..40 {
            text.push_str(&format!("{}k:\n", " ".repeat(level)));
        }
        // Line 2 is a key of the top mapping; the mapping at level n starts on line n + 1.
        assert_eq!(limit(&text).map(|(line, ..)| line), Some(MAX_DEPTH + 2));
        assert!(limit(&format!("a: {}{}\n", "[".repeat(40), "]".repeat(40))).is_some());
        assert_eq!(limit(&format!("a: {}{}\n", "[".repeat(30), "]".repeat(30))), None);
    }

    #[test]
    fn a_key_longer_than_the_limit_is_refused_where_it_starts_in_the_explicit_form() {
        let longest = "é".repeat(MAX_KEY_CHARS);
        let over = "k".repeat(MAX_KEY_CHARS + 1);
        // A value may be as long as the file allows; a key's limit is in characters, not bytes.
        let parses = |text: &str| yaml_rust2::YamlLoader::load_from_str(text).is_ok() && limit(text).is_none();
        assert!(parses(&format!("tier: prod\nk: {}\n", "v".repeat(100_000))));
        for text in [
            format!("a: {{{longest}: v}}\n"),
            format!("{longest}: v\n"),
            format!("? {longest}\n: v\n"),
        ] {
            assert!(parses(&text), "refused: {text:.40}");
        }
        for (text, at) in [
            (format!("tier: prod\nservices:\n  ? {over}\n  :\n    port: 1\n"), (3, 5)),
            (format!("tier: prod\n? {over}\n:\n  a: 1\n"), (2, 3)),
            (format!("tier: prod\na: {{b: 1, ? \"{over}\" : 2}}\n"), (2, 13)),
        ] {
            let refused = limit(&text).unwrap_or_else(|| panic!("not refused: {text:.40}"));
            let (line, column, message) = refused;
            assert_eq!((line, column), at, "{message}");
            assert!(message.contains("a key of 1,025 characters"), "{message}");
            assert!(message.contains("more than the 1,024"), "{message}");
        }
        // Written the usual way, YAML itself refuses such a key: the loader reports a syntax error.
        let implicit = format!("tier: prod\n{over}: 1\n");
        assert!(yaml_rust2::YamlLoader::load_from_str(&implicit).is_err());
        assert_eq!(limit(&implicit), None);
    }

    #[test]
    fn counts_services_entries_and_nodes() {
        let services: String = (0..=MAX_ENTRIES).map(|i| format!("  s{i}: {{}}\n")).collect();
        let (line, _, message) = limit(&format!("tier: prod\nservices:\n{services}")).unwrap();
        assert_eq!(line, MAX_ENTRIES + 3);
        assert!(message.contains("more than 10,000 services"), "{message}");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        let env: String = (0..=MAX_ENTRIES).map(|i| format!("  V{i}: x\n")).collect();
        let (_, _, message) = limit(&format!("env:\n{env}")).unwrap();
        assert!(message.contains("a mapping or list with more than"), "{message}");
        assert_eq!(limit("a: [1, 2]\nb: {c: d}\n"), None);
    }

    #[test]
    fn the_shipped_profiles_are_far_inside_the_limits() {
        for name in ["dev", "prod", "quarantine"] {
            let path = format!("{}/profiles/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
            assert_eq!(limit(&std::fs::read_to_string(path).unwrap()), None, "{name}");
        }
    }

    #[test]
    fn the_readme_states_the_limits() {
        let readme = include_str!("../../README.md");
        for number in ["16 MiB", "32 levels", "10,000", "1,000,000", "1,024 characters"] {
            assert!(readme.contains(number), "the README does not state `{number}`");
        }
    }
}
