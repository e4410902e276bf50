//! An independent count of what the input limits bound, for the fuzz targets to check an
//! accepted profile against: a separate parse (marked-yaml's tree, not the limit check's event
//! stream) walked without recursion.

use marked_yaml::Node;

use crate::load::limits::{MAX_DEPTH, MAX_ENTRIES, MAX_NODES};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Measured {
    /// The deepest mapping or list, the top-level mapping being level 1.
    pub depth: usize,
    /// The most entries of one mapping (keys) or list (items).
    pub entries: usize,
    /// Keys, values, mappings and lists in the whole file.
    pub nodes: usize,
}

impl Measured {
    pub fn within_limits(&self) -> bool {
        self.depth <= MAX_DEPTH && self.entries <= MAX_ENTRIES && self.nodes <= MAX_NODES
    }
}

/// Measures `text` as a profile's YAML; text that does not parse as one measures zero.
pub fn measure(text: &str) -> Measured {
    let options = marked_yaml::LoaderOptions::default().toplevel_mapping();
    let Ok(root) = marked_yaml::parse_yaml_with_options(0, text, options) else {
        return Measured::default();
    };
    let mut found = Measured::default();
    let mut stack: Vec<(&Node, usize)> = vec![(&root, 1)];
    while let Some((node, level)) = stack.pop() {
        found.nodes += 1;
        match node {
            Node::Mapping(mapping) => {
                found.depth = found.depth.max(level);
                found.entries = found.entries.max(mapping.len());
                // Keys are scalars: one node each.
                found.nodes += mapping.len();
                stack.extend(mapping.values().map(|value| (value, level + 1)));
            }
            Node::Sequence(sequence) => {
                found.depth = found.depth.max(level);
                found.entries = found.entries.max(sequence.len());
                stack.extend(sequence.iter().map(|item| (item, level + 1)));
            }
            Node::Scalar(_) => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_depth_entries_and_nodes() {
        let found = measure("a: 1\nb: [x, {c: d}]\n");
        // Mapping, keys a and b, 1, the list, x, the inner mapping, c, d.
        assert_eq!(
            found,
            Measured {
                depth: 3,
                entries: 2,
                nodes: 9
            }
        );
        assert!(found.within_limits());
    }

    #[test]
    fn sees_what_the_limits_refuse() {
        let deep = format!("a: {}{}\n", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(measure(&deep).depth, MAX_DEPTH + 1);
        assert!(!measure(&deep).within_limits());
        let wide = format!("a: [{}]\n", vec!["1"; MAX_ENTRIES + 1].join(", "));
        assert!(!measure(&wide).within_limits());
        assert_eq!(measure("- not a mapping\n"), Measured::default());
    }
}
