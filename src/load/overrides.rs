//! `--set PATH=VALUE` from the command line: one more layer over the profile and its bases,
//! typed and checked exactly like the file, so a bad value is a finding that names the flag.
//!
//! The layer's text is the flags, one per line, and its file name is `--set`: a finding
//! about an override shows `--set:2:22` and quotes the second flag.

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::{Marker, Node, Span};

use crate::diagnostics::{Diagnostic, Position};

/// The file name findings about overrides carry.
pub const FILE_NAME: &str = "--set";

/// The text of the layer: each override on its own line, as typed.
pub fn text(overrides: &[String]) -> String {
    overrides.join("\n")
}

/// The overrides as one tree of nested mappings whose markers carry file `id`, line `n` for
/// the `n`th flag and the column of each part of it.
pub fn tree(overrides: &[String], id: usize) -> Result<Node, Vec<Diagnostic>> {
    let mut root = Node::Mapping(MarkedMappingNode::new_empty(Span::new_blank()));
    let mut problems = Vec::new();
    for (index, flag) in overrides.iter().enumerate() {
        match one(flag, id, index + 1) {
            Ok(node) => super::compose::merge(&mut root, node, ""),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() { Ok(root) } else { Err(problems) }
}

fn one(flag: &str, id: usize, line: usize) -> Result<Node, Diagnostic> {
    let refuse = |column: usize, message: String, hint: &str| {
        let mut diagnostic = Diagnostic::error("invalid-set", message).in_file(FILE_NAME);
        diagnostic.position = Some(Position { line, column });
        diagnostic.with_hint(hint)
    };
    let Some((path, value)) = flag.split_once('=') else {
        return Err(refuse(
            1,
            format!("`--set {flag}` has no `=`"),
            "write --set PATH=VALUE, e.g. --set services.api.replicas=5",
        ));
    };
    if value.contains(['\n', '\r']) {
        return Err(refuse(
            path.len() + 2,
            "a `--set` value must be one line".to_owned(),
            "set a multi-line value in the profile instead",
        ));
    }
    let mut segments = Vec::new();
    let mut column = 1;
    for segment in path.split('.') {
        if segment.is_empty() || segment.trim() != segment {
            return Err(refuse(
                column,
                format!("`{path}` is not a profile path"),
                "name keys from the top with dots and no spaces, e.g. services.auth-service.image",
            ));
        }
        segments.push((segment, column));
        column += segment.chars().count() + 1;
    }
    let value_column = path.chars().count() + 2;
    let mut node = value_node(value, id, line, value_column).map_err(|message| {
        refuse(
            value_column,
            format!("the value of `--set {path}` is not valid YAML: {message}"),
            "quote the value for the shell and for YAML, e.g. --set 'services.api.env.GREETING=\"a: b\"'",
        )
    })?;
    for (segment, column) in segments.into_iter().rev() {
        let mut key = MarkedScalarNode::new(Span::new_start(Marker::new(id, 0, line, column)), segment);
        key.set_coerce(reads_as_plain_key(segment));
        let mut mapping = MarkedMappingNode::new_empty(Span::new_start(Marker::new(id, 0, line, column)));
        mapping.insert(key, node);
        node = Node::Mapping(mapping);
    }
    Ok(node)
}

/// Whether `segment`, written as a plain key in a file, is read back as that very key: then
/// it is one, and is typed as a file's key would be (`8080` a number). Anything YAML would
/// read otherwise (`&a` an anchor, `{a` a flow mapping, `|` a block scalar, `a: b`, `#x`) is
/// the literal key it spells, which the profile's checks then judge like any other name.
fn reads_as_plain_key(segment: &str) -> bool {
    let options = marked_yaml::LoaderOptions::default().prevent_coercion(true);
    let Ok(parsed) = marked_yaml::parse_yaml_with_options(0, format!("{segment}: v\n"), options) else {
        return false;
    };
    parsed.as_mapping().is_some_and(|mapping| {
        mapping.len() == 1 && mapping.keys().all(|key| key.as_str() == segment && key.may_coerce())
    })
}

/// The value parsed as YAML (a plain `5` is a number, `"5"` a string, `[a, b]` a list), its
/// markers moved to where it sits on the flag's line.
fn value_node(value: &str, id: usize, line: usize, column: usize) -> Result<Node, String> {
    const LEAD: &str = "v: ";
    let options = marked_yaml::LoaderOptions::default().prevent_coercion(true);
    let parsed =
        marked_yaml::parse_yaml_with_options(id, format!("{LEAD}{value}"), options).map_err(|e| e.to_string())?;
    let mut node = parsed
        .as_mapping()
        .and_then(|m| m.get_node("v"))
        .cloned()
        .ok_or_else(|| "it is not one value".to_owned())?;
    let shift = column as isize - (LEAD.len() as isize + 1);
    relocate(&mut node, line, shift);
    Ok(node)
}

fn relocate(node: &mut Node, line: usize, shift: isize) {
    let move_marker = |span: &mut Span| {
        if let Some(marker) = span.start_mut() {
            marker.set_line(line);
            marker.set_column(marker.column().saturating_add_signed(shift).max(1));
        }
        span.set_end(None);
    };
    match node {
        Node::Scalar(s) => move_marker(s.span_mut()),
        Node::Sequence(s) => {
            move_marker(s.span_mut());
            for item in s.iter_mut() {
                relocate(item, line, shift);
            }
        }
        Node::Mapping(m) => {
            move_marker(m.span_mut());
            let entries: Vec<_> = std::mem::take(&mut **m).into_iter().collect();
            for (mut key, mut value) in entries {
                move_marker(key.span_mut());
                relocate(&mut value, line, shift);
                m.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(flags: &[&str]) -> String {
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        super::super::merged_text::write(&tree(&flags, 2).unwrap()).text
    }

    #[test]
    fn paths_nest_and_values_keep_their_type() {
        assert_eq!(
            written(&["services.api.replicas=5", "services.api.image=\"r/x:1\"", "tier=prod"]),
            "services:\n  api:\n    replicas: 5\n    image: \"r/x:1\"\ntier: prod\n"
        );
        assert_eq!(
            written(&["services.api.command=[a, b]"]),
            "services:\n  api:\n    command:\n      - a\n      - b\n"
        );
    }

    #[test]
    fn a_path_segment_yaml_would_read_otherwise_is_the_literal_key() {
        // Written plain, these were an anchor, a tag, a flow mapping, a block scalar, an
        // alias, a comment and a second key: the merged text did not parse, or meant another key.
        for segment in [
            "&a", "!t", "{a", "[a", "|", ">", "*a", "#x", "a: b", "a #b", "'a", "\"a", "%a", "@a", "`a", "- a", "? a",
        ] {
            assert!(!reads_as_plain_key(segment), "{segment}");
            let text = written(&[&format!("services.{segment}.replicas=2")]);
            let quoted = serde_json::to_string(segment).unwrap();
            assert_eq!(text, format!("services:\n  {quoted}:\n    replicas: 2\n"), "{segment}");
            let read: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
            assert_eq!(read["services"][segment]["replicas"], 2, "{segment}");
        }
        // Written plain, as before, so YAML types them as a file's keys: `8080` a number,
        // `true` a boolean, `~` null.
        for segment in [
            "api",
            "auth-service",
            "8080",
            "DB_PASSWORD",
            "a/b",
            "-",
            "a&b",
            "a#b",
            "true",
            "null",
            "~",
            "yes",
        ] {
            assert!(reads_as_plain_key(segment), "{segment}");
            let text = written(&[&format!("services.{segment}.replicas=2")]);
            assert_eq!(text, format!("services:\n  {segment}:\n    replicas: 2\n"), "{segment}");
        }
        let read: serde_yaml::Value = serde_yaml::from_str(&written(&["env.8080=x", "env.true=y"])).unwrap();
        let env = read["env"].as_mapping().unwrap();
        let keys: Vec<&serde_yaml::Value> = env.keys().collect();
        assert_eq!(keys, [&serde_yaml::Value::from(8080), &serde_yaml::Value::Bool(true)]);
    }

    #[test]
    fn a_later_flag_wins() {
        assert_eq!(written(&["a.b=1", "a.b=2"]), "a:\n  b: 2\n");
    }

    #[test]
    fn values_point_at_their_flag_and_column() {
        let flags = vec!["x=1".to_owned(), "services.api.replicas=five".to_owned()];
        let node = tree(&flags, 4).unwrap();
        let value = node
            .as_mapping()
            .unwrap()
            .get_mapping("services")
            .unwrap()
            .get_mapping("api")
            .unwrap()
            .get_node("replicas")
            .unwrap();
        let marker = value.span().start().unwrap();
        assert_eq!((marker.source(), marker.line(), marker.column()), (4, 2, 23));
    }

    #[test]
    fn malformed_flags_are_findings() {
        for bad in ["services.api.replicas", "services..x=1", ".a=1", "a=[unclosed"] {
            let problems = tree(&[bad.to_owned()], 1).unwrap_err();
            assert_eq!(problems[0].code, "invalid-set", "{bad}");
            assert_eq!(problems[0].file.as_deref(), Some(FILE_NAME));
        }
    }
}
