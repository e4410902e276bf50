//! A merged profile tree written back as YAML text, with a map from each written line to the
//! file and position its key and value came from.
//!
//! The strict serde types read text, and their errors carry a line and column. Writing the
//! merged tree in plain block style, one key per line, lets the same reader (and the same
//! messages) work on a composed profile, and lets every error be moved back to the file the
//! user must edit.
//!
//! Scalars keep their type: a plain scalar is written as it was read (so `8080` stays a number
//! and `yes` whatever it was), a quoted or block scalar as a double-quoted string.

use std::fmt::Write as _;

use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode, MarkedSequenceNode};

use crate::diagnostics::Position;
use crate::source::Located;

pub struct MergedText {
    pub text: String,
    lines: Vec<LineOrigin>,
}

/// Where the parts of one written line came from.
#[derive(Clone, Copy, Default)]
struct LineOrigin {
    key: Option<Located>,
    /// The column the value starts at on the written line (1-based), 0 when it has none.
    value_column: usize,
    value: Option<Located>,
}

impl MergedText {
    /// The file and position a position in the written text came from: the value's when the
    /// column is at or after it, else the key's (or the nearest line above with an origin).
    pub fn origin(&self, position: Position) -> Option<Located> {
        let index = position.line.checked_sub(1)?;
        let line = self.lines.get(index.min(self.lines.len().checked_sub(1)?))?;
        let on_value = line.value_column > 0 && position.column >= line.value_column;
        let own = if on_value {
            line.value.or(line.key)
        } else {
            line.key.or(line.value)
        };
        own.or_else(|| {
            self.lines[..index.min(self.lines.len())]
                .iter()
                .rev()
                .find_map(|l| l.key.or(l.value))
        })
    }
}

/// The text with each line's origin as a trailing comment, as `origin_name` spells it.
pub fn annotated(root: &Node, origin_name: &dyn Fn(Located) -> String) -> String {
    let merged = write(root);
    let mut out = String::with_capacity(merged.text.len() * 2);
    for (line, origin) in merged.text.lines().zip(&merged.lines) {
        match origin.value.or(origin.key) {
            Some(at) => {
                let _ = writeln!(out, "{line}  # {}", origin_name(at));
            }
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

/// The leaves of the tree (scalars, and empty mappings and lists), each with its YAML path,
/// its value as JSON and its origin.
pub fn leaves(root: &Node) -> Vec<(String, serde_json::Value, Option<Located>)> {
    let mut out = Vec::new();
    collect_leaves(root, String::new(), &mut out);
    out
}

fn collect_leaves(node: &Node, path: String, out: &mut Vec<(String, serde_json::Value, Option<Located>)>) {
    match node {
        Node::Mapping(m) if !m.is_empty() => {
            for (key, value) in m.iter() {
                collect_leaves(value, crate::source::join_key(&path, key.as_str()), out);
            }
        }
        Node::Sequence(s) if !s.is_empty() => {
            for (index, item) in s.iter().enumerate() {
                collect_leaves(item, format!("{path}[{index}]"), out);
            }
        }
        Node::Mapping(_) => out.push((path, serde_json::json!({}), start(node.span()))),
        Node::Sequence(_) => out.push((path, serde_json::json!([]), start(node.span()))),
        Node::Scalar(s) => {
            // A plain scalar has the type YAML gives it (`8080` a number); anything else is a string.
            let value = if s.may_coerce() {
                serde_yaml::from_str::<serde_json::Value>(s.as_str())
                    .ok()
                    .filter(|v| !v.is_object() && !v.is_array())
                    .unwrap_or_else(|| serde_json::Value::String(s.as_str().to_owned()))
            } else {
                serde_json::Value::String(s.as_str().to_owned())
            };
            let value = if s.may_coerce() && s.as_str().is_empty() {
                serde_json::Value::Null
            } else {
                value
            };
            out.push((path, value, start(s.span())));
        }
    }
}

pub fn write(root: &Node) -> MergedText {
    let mut writer = Writer {
        text: String::new(),
        lines: Vec::new(),
    };
    match root {
        Node::Mapping(mapping) => writer.mapping(mapping, 0),
        other => writer.line(0, "", None, other),
    }
    MergedText {
        text: writer.text,
        lines: writer.lines,
    }
}

struct Writer {
    text: String,
    lines: Vec<LineOrigin>,
}

impl Writer {
    fn mapping(&mut self, mapping: &MarkedMappingNode, indent: usize) {
        for (key, value) in mapping.iter() {
            let key_text = format!("{}:", scalar_text(key));
            self.line(indent, &key_text, start(key.span()), value);
        }
    }

    fn sequence(&mut self, sequence: &MarkedSequenceNode, indent: usize) {
        for item in sequence.iter() {
            let own = match item {
                Node::Mapping(m) => m.keys().next().and_then(|k| start(k.span())),
                other => start(other.span()),
            };
            self.line(indent, "-", own, item);
        }
    }

    /// Writes `lead` (a `key:` or `-`) and `value`: inline when it is a scalar or empty, else
    /// on the lines below, two spaces deeper.
    fn line(&mut self, indent: usize, lead: &str, lead_origin: Option<Located>, value: &Node) {
        let pad = " ".repeat(indent);
        let mut origin = LineOrigin {
            key: lead_origin,
            ..LineOrigin::default()
        };
        let inline = match value {
            Node::Scalar(s) if s.may_coerce() && s.as_str().is_empty() => None,
            Node::Scalar(s) => Some(scalar_text(s)),
            Node::Mapping(m) if m.is_empty() => Some("{}".to_owned()),
            Node::Sequence(s) if s.is_empty() => Some("[]".to_owned()),
            _ => None,
        };
        match inline {
            Some(text) => {
                let separator = if lead.is_empty() { "" } else { " " };
                origin.value_column = indent + lead.chars().count() + separator.len() + 1;
                origin.value = start(value.span());
                let _ = writeln!(self.text, "{pad}{lead}{separator}{text}");
            }
            None => {
                let _ = writeln!(self.text, "{pad}{lead}");
            }
        }
        self.lines.push(origin);
        match value {
            Node::Mapping(m) if !m.is_empty() => self.mapping(m, indent + 2),
            Node::Sequence(s) if !s.is_empty() => self.sequence(s, indent + 2),
            _ => {}
        }
    }
}

/// A scalar as YAML text of the same type: plain as read, anything else double-quoted.
fn scalar_text(scalar: &MarkedScalarNode) -> String {
    let text = scalar.as_str();
    let plain_is_safe = !text.contains(['\n', '\r']) && text.trim() == text;
    if scalar.may_coerce() && plain_is_safe {
        text.to_owned()
    } else {
        serde_json::to_string(text).expect("a string always serialises")
    }
}

fn start(span: &marked_yaml::Span) -> Option<Located> {
    span.start().map(|m| Located {
        file: m.source(),
        position: Position {
            line: m.line(),
            column: m.column(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_types_and_maps_lines_back() {
        let options = marked_yaml::LoaderOptions::default().prevent_coercion(true);
        let node = marked_yaml::parse_yaml_with_options(
            3,
            "a: 8080\nb: \"8080\"\nc: |\n  two\n  lines\nd:\n  - x\n  - {k: v}\ne: {}\nf:\n",
            options,
        )
        .unwrap();
        let merged = write(&node);
        assert_eq!(
            merged.text,
            "a: 8080\nb: \"8080\"\nc: \"two\\nlines\\n\"\nd:\n  - x\n  -\n    k: v\ne: {}\nf:\n"
        );
        let at = |line, column| merged.origin(Position { line, column }).unwrap();
        assert_eq!(at(2, 4).position, Position { line: 2, column: 4 });
        assert_eq!(at(2, 1).position, Position { line: 2, column: 1 });
        assert_eq!(at(7, 5).position, Position { line: 8, column: 6 });
        assert_eq!(at(7, 5).file, 3);
    }
}
