//! Profiles that build on others: `extends:` chains, merged into one tree before typing.
//!
//! The merge works on the parsed YAML trees, whose every node keeps the file, line and column
//! it came from, so that later findings point at the file that set a value. The rules:
//! - mappings merge key by key (services are a mapping, so they merge by name);
//! - an explicit `null` (or an empty value) in an overlay removes the inherited key;
//! - lists replace the inherited list, except the lists of named items in [`NAMED_LISTS`],
//!   whose items merge by their key fields and whose new items are appended;
//! - anything else (a scalar, or a value of another shape) replaces what was inherited.

use camino::{Utf8Path, Utf8PathBuf};
use marked_yaml::Node;

use super::text;
use crate::diagnostics::{Diagnostic, Position};
use crate::source::SourceFile;

/// How deep a chain of `extends:` may go: deeper is a mistake, not a design.
pub const MAX_CHAIN: usize = 8;

/// Lists whose items are merged by key rather than replaced: YAML path (`*` for any one
/// key, such as a service name) and the item fields that identify an item.
pub const NAMED_LISTS: &[(&str, &[&str])] = &[
    ("network.egress", &["name"]),
    ("network.ingressFrom", &["namespace"]),
    ("services.*.config", &["name"]),
    ("services.*.secrets", &["name"]),
    ("services.*.allowFrom", &["service"]),
    ("serviceDefaults.config", &["name"]),
    ("serviceDefaults.secrets", &["name"]),
    ("serviceDefaults.allowFrom", &["service"]),
    ("ingress.routes", &["path"]),
    ("ingress.hosts.*.routes", &["path"]),
    ("waivers", &["rule", "target"]),
];

use super::Failed;

/// The value of a top-level `extends:` key, with its position, if the tree has one.
pub fn extends_of(tree: &Node) -> Option<(&marked_yaml::types::MarkedScalarNode, &Node)> {
    let mapping = tree.as_mapping()?;
    mapping.iter().find(|(key, _)| key.as_str() == "extends")
}

/// Loads every base `profile` extends, nearest first, adding each to `source`, and returns the
/// merged tree. `tree` is the profile's own parsed tree (file id 0).
pub fn compose(source: &mut SourceFile, tree: Node) -> Result<Node, Failed> {
    let mut layers = vec![tree];
    let mut seen = vec![canonical(&source.path)];
    let mut current_path = source.path.clone();
    let mut current_display = source.display_path.clone();
    loop {
        let top = layers.last().expect("the profile itself is a layer");
        let Some((key, value)) = extends_of(top) else {
            break;
        };
        let at = located(key.span().start());
        let file = source.file_name(layers.len() - 1).to_owned();
        let refuse = |message: String, hint: &str| {
            let mut diagnostic = Diagnostic::error("invalid-extends", message).in_file(&file);
            diagnostic.position = at;
            diagnostic.yaml_path = Some("extends".to_owned());
            diagnostic.with_hint(hint)
        };
        let Some(target) = value.as_scalar().map(|s| s.as_str().trim()).filter(|s| !s.is_empty()) else {
            let diagnostic = refuse(
                "`extends` must name one profile file".to_owned(),
                "write the base's path relative to this file, e.g. `extends: base.yaml`",
            );
            return Err(failed(source, diagnostic));
        };
        let base_path = sibling(&current_path, target);
        let base_display = sibling(Utf8Path::new(&current_display), target).into_string();
        if layers.len() > MAX_CHAIN {
            let diagnostic = refuse(
                format!("the chain of `extends` is deeper than {MAX_CHAIN} files"),
                "flatten the chain: a base and one overlay per environment is usually enough",
            );
            return Err(failed(source, diagnostic));
        }
        let identity = canonical(&base_path);
        if let Some(first) = seen.iter().position(|p| *p == identity) {
            let mut names: Vec<&str> = (first..layers.len()).map(|id| source.file_name(id)).collect();
            names.push(source.file_name(first));
            let diagnostic = refuse(
                format!("the profiles extend each other in a cycle: {}", names.join(" -> ")),
                "a base must not extend, directly or through others, a profile built on it",
            );
            return Err(failed(source, diagnostic));
        }
        let (base_source, base_tree) =
            read_base(&base_path, &base_display, layers.len()).map_err(|(base, mut diagnostics)| match base {
                Some(base) => {
                    for d in &mut diagnostics {
                        d.inherited_by = Some(source.display_path.clone());
                    }
                    (Some(base), diagnostics)
                }
                // The base could not be read at all: point at the `extends` that names it.
                None => {
                    for d in &mut diagnostics {
                        d.message = d.message.replace("the profile", &format!("the base `{base_display}`"));
                        d.file = Some(file.clone());
                        d.position = at;
                        d.yaml_path = Some("extends".to_owned());
                        d.hint = Some("check the path: it is relative to the file that says `extends`".to_owned());
                    }
                    (Some(source.clone()), diagnostics)
                }
            })?;
        let id = source.add_base(base_display.clone(), base_source.text);
        debug_assert_eq!(id, layers.len());
        seen.push(identity);
        layers.push(base_tree);
        current_path = base_path;
        current_display = base_display;
    }
    let mut layers = layers.into_iter().rev();
    let mut merged = layers.next().expect("at least one layer");
    remove_extends(&mut merged);
    for mut overlay in layers {
        remove_extends(&mut overlay);
        merge(&mut merged, overlay, "");
    }
    Ok(merged)
}

fn failed(source: &SourceFile, diagnostic: Diagnostic) -> Failed {
    (Some(source.clone()), vec![diagnostic])
}

/// Reads and parses a base with the same checks as any profile; its markers carry file `id`.
fn read_base(path: &Utf8Path, display_path: &str, id: usize) -> Result<(SourceFile, Node), Failed> {
    let source = text::read(path, display_path)?;
    if let Some(refused) = super::refuse_text(&source) {
        return Err((Some(source), vec![refused]));
    }
    match marked_yaml::parse_yaml_with_options(id, &source.text, super::loader_options()) {
        Ok(tree) => Ok((source, tree)),
        Err(error) => {
            let diagnostic = super::syntax_diagnostic(&source, &error);
            Err((Some(source), vec![diagnostic]))
        }
    }
}

fn located(marker: Option<&marked_yaml::Marker>) -> Option<Position> {
    marker.map(|m| Position {
        line: m.line(),
        column: m.column(),
    })
}

/// `target` relative to the directory of `file`.
fn sibling(file: &Utf8Path, target: &str) -> Utf8PathBuf {
    match file.parent() {
        Some(dir) if !dir.as_str().is_empty() => dir.join(target),
        _ => Utf8PathBuf::from(target),
    }
}

/// The same file reached by two spellings is one file; a file that cannot be resolved (it
/// does not exist) is compared by its spelling, and reading it reports the problem.
fn canonical(path: &Utf8Path) -> std::path::PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.as_std_path().to_owned())
}

fn remove_extends(tree: &mut Node) {
    if let Some(mapping) = tree.as_mapping_mut() {
        mapping.retain(|key, _| key.as_str() != "extends");
    }
}

/// An explicit null: `key: null`, `key: ~` or `key:` with nothing after it.
pub fn is_null(node: &Node) -> bool {
    node.as_scalar()
        .is_some_and(|s| s.may_coerce() && matches!(s.as_str(), "" | "~" | "null" | "Null" | "NULL"))
}

/// Merges `overlay` over `base` at YAML path `path`.
pub fn merge(base: &mut Node, overlay: Node, path: &str) {
    match (base, overlay) {
        (Node::Mapping(base), Node::Mapping(mut overlay)) => {
            for (key, value) in std::mem::take(&mut *overlay) {
                if is_null(&value) {
                    base.remove(&key);
                    continue;
                }
                let child = crate::source::join_key(path, key.as_str());
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value, &child),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (Node::Sequence(base), Node::Sequence(mut overlay)) if named_list_keys(path).is_some() => {
            let keys = named_list_keys(path).expect("checked above");
            let items = std::mem::take(&mut *overlay);
            let all_named = base
                .iter()
                .chain(items.iter())
                .all(|item| identity(item, keys).is_some());
            if !all_named {
                **base = items;
                return;
            }
            for (index, item) in items.into_iter().enumerate() {
                let id = identity(&item, keys);
                match base.iter_mut().find(|existing| identity(existing, keys) == id) {
                    Some(existing) => merge(existing, item, &format!("{path}[{index}]")),
                    None => base.push(item),
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// The key fields of a named-list item (`name: redis`), if it has all of them.
fn identity(item: &Node, keys: &[&str]) -> Option<Vec<String>> {
    let mapping = item.as_mapping()?;
    keys.iter()
        .map(|key| mapping.get_scalar(key).map(|s| s.as_str().to_owned()))
        .collect()
}

fn named_list_keys(path: &str) -> Option<&'static [&'static str]> {
    NAMED_LISTS
        .iter()
        .find(|(pattern, _)| matches_pattern(pattern, path))
        .map(|(_, keys)| *keys)
}

fn matches_pattern(pattern: &str, path: &str) -> bool {
    let mut pattern = pattern.split('.');
    let mut path = path.split('.');
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(id: usize, text: &str) -> Node {
        marked_yaml::parse_yaml_with_options(id, text, super::super::loader_options()).unwrap()
    }

    fn merged(base: &str, overlay: &str) -> String {
        let mut base = tree(1, base);
        merge(&mut base, tree(0, overlay), "");
        super::super::merged_text::write(&base).text
    }

    #[test]
    fn mappings_merge_key_by_key_and_services_by_name() {
        let out = merged(
            "a: 1\nservices:\n  api:\n    image: x\n    replicas: 2\n  web:\n    image: w\n",
            "services:\n  api:\n    replicas: 5\n  new:\n    image: n\nb: 2\n",
        );
        assert_eq!(
            out,
            "a: 1\nservices:\n  api:\n    image: x\n    replicas: 5\n  web:\n    image: w\n  new:\n    image: n\nb: 2\n"
        );
    }

    #[test]
    fn null_removes_an_inherited_key_or_service() {
        let out = merged(
            "ingress:\n  host: h\nservices:\n  api: {image: x}\n  old: {image: y}\n",
            "ingress: null\nservices:\n  old: ~\n",
        );
        assert_eq!(out, "services:\n  api:\n    image: x\n");
    }

    #[test]
    fn lists_replace_but_named_lists_merge_by_key() {
        let out = merged(
            "services:\n  api:\n    command: [a, b]\nnetwork:\n  egress:\n    - {name: db, port: 5432}\n    - {name: redis, port: 6379}\n",
            "services:\n  api:\n    command: [c]\nnetwork:\n  egress:\n    - {name: redis, port: 6380}\n    - {name: kafka, port: 9092}\n",
        );
        assert_eq!(
            out,
            "services:\n  api:\n    command:\n      - c\nnetwork:\n  egress:\n    -\n      name: db\n      port: 5432\n    -\n      name: redis\n      port: 6380\n    -\n      name: kafka\n      port: 9092\n"
        );
    }

    #[test]
    fn a_host_groups_routes_merge_by_path() {
        let out = merged(
            "ingress:\n  hosts:\n    admin:\n      host: a\n      routes:\n        - {path: /, service: web}\n        - {path: /x, service: web}\n",
            "ingress:\n  hosts:\n    admin:\n      routes:\n        - {path: /x, service: api}\n        - {path: /y, service: api}\n",
        );
        assert_eq!(
            out,
            "ingress:\n  hosts:\n    admin:\n      host: a\n      routes:\n        -\n          path: /\n          service: web\n        -\n          path: /x\n          service: api\n        -\n          path: /y\n          service: api\n"
        );
    }

    #[test]
    fn merged_values_remember_their_file() {
        let mut base = tree(1, "a: 1\nb: 2\n");
        merge(&mut base, tree(0, "b: 3\n"), "");
        let mapping = base.as_mapping().unwrap();
        let file = |key: &str| mapping.get_node(key).unwrap().span().start().unwrap().source();
        assert_eq!((file("a"), file("b")), (1, 0));
    }

    #[test]
    fn patterns_match_one_segment_per_star() {
        assert!(matches_pattern("services.*.config", "services.api.config"));
        assert!(!matches_pattern("services.*.config", "services.config"));
        assert!(!matches_pattern("network.egress", "network.egress.x"));
    }
}
