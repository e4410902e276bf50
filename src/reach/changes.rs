//! The edges a change opens and closes: the graph of what a directory holds against the graph
//! of what a profile renders now, for `gen diff`, `gen check` and `gen render --check`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Cluster;
use super::graph::{EdgeKey, Graph};

/// Edges only one side allows, grouped by (from, to), in node labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EdgeChanges {
    pub added: Vec<EdgeLine>,
    pub removed: Vec<EdgeLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeLine {
    pub from: String,
    pub to: String,
    pub ports: Vec<String>,
}

impl EdgeChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    /// What one set of YAML files allows against what another allows.
    pub fn of_yaml<'a>(
        old_files: impl IntoIterator<Item = &'a str>,
        new_files: impl IntoIterator<Item = &'a str>,
    ) -> EdgeChanges {
        EdgeChanges::between(
            &Graph::build(&Cluster::from_yaml(old_files)),
            &Graph::build(&Cluster::from_yaml(new_files)),
        )
    }

    /// As data: `{"added": [{"from", "to", "ports"}], "removed": [...]}`.
    pub fn json(&self) -> serde_json::Value {
        let lines = |lines: &[EdgeLine]| -> Vec<serde_json::Value> {
            lines
                .iter()
                .map(|l| serde_json::json!({"from": l.from, "to": l.to, "ports": l.ports}))
                .collect()
        };
        serde_json::json!({"added": lines(&self.added), "removed": lines(&self.removed)})
    }

    pub fn between(old: &Graph, new: &Graph) -> EdgeChanges {
        let old_keys = old.keys();
        let new_keys = new.keys();
        let labels: BTreeMap<&str, &str> = old
            .nodes
            .iter()
            .chain(&new.nodes)
            .map(|n| (n.id.as_str(), n.label.as_str()))
            .collect();
        let group = |keys: Vec<&EdgeKey>| -> Vec<EdgeLine> {
            let mut lines: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
            for key in keys {
                lines
                    .entry((key.from.as_str(), key.to.as_str()))
                    .or_default()
                    .push(key.port.clone());
            }
            let mut lines: Vec<EdgeLine> = lines
                .into_iter()
                .map(|((from, to), ports)| EdgeLine {
                    from: labels.get(from).copied().unwrap_or(from).to_owned(),
                    to: labels.get(to).copied().unwrap_or(to).to_owned(),
                    ports,
                })
                .collect();
            // As the reader sees them: by the names printed.
            lines.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
            lines
        };
        EdgeChanges {
            added: group(new_keys.difference(&old_keys).collect()),
            removed: group(old_keys.difference(&new_keys).collect()),
        }
    }

    /// `  + a -> ns/b tcp/5432` lines under a heading, indented like the object summary;
    /// empty when no edge changed.
    pub fn describe(&self, added: &str, removed: &str, reset: &str) -> String {
        let mut out = String::new();
        if self.is_empty() {
            return out;
        }
        out.push_str("  reachability (what the network policies allow):\n");
        for (sign, colour, lines) in [("+", added, &self.added), ("-", removed, &self.removed)] {
            for line in lines {
                let _ = writeln!(
                    out,
                    "  {colour}{sign} {} -> {} {}{reset}",
                    line.from,
                    line.to,
                    line.ports.join(" ")
                );
            }
        }
        out
    }
}
