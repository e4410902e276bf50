//! The graph drawn for people and tools: a terminal matrix, Mermaid (renders in GitHub and
//! GitLab Markdown), Graphviz dot, SVG (laid out by gen itself) and JSON.

mod svg;

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use svg::svg;

use super::graph::{Graph, Node};

/// Ports as short as a matrix cell can take them: TCP ports bare, others with their protocol.
fn compact(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| l.strip_prefix("tcp/").unwrap_or(l))
        .collect::<Vec<_>>()
        .join(",")
}

/// Sources down, destinations across, each cell the ports the row may open to the column.
/// Only nodes that send (rows) or receive (columns) something are shown, workloads always.
pub fn matrix(graph: &Graph, colour: bool) -> String {
    let (green, dim, bold, reset) = if colour {
        ("\x1b[32m", "\x1b[2m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let sends = |i: usize| graph.nodes[i].workload || graph.edges.iter().any(|e| e.from == i);
    let receives = |i: usize| graph.nodes[i].workload || graph.edges.iter().any(|e| e.to == i);
    let rows: Vec<usize> = (0..graph.nodes.len()).filter(|&i| sends(i)).collect();
    let columns: Vec<usize> = (0..graph.nodes.len()).filter(|&i| receives(i)).collect();
    let cells: BTreeMap<(usize, usize), String> = graph
        .edges
        .iter()
        .map(|e| ((e.from, e.to), compact(&e.ports.labels())))
        .collect();
    let number = |i: usize| columns.iter().position(|&c| c == i).map(|p| p + 1);
    let mut out = String::new();
    let scope = graph.home.as_deref().unwrap_or("the cluster");
    let _ = writeln!(
        out,
        "{bold}{scope}: who may open connections to whom{reset} (row -> column; TCP ports bare, `any` = every port)\n"
    );
    let label = |i: usize| {
        let node = &graph.nodes[i];
        let tag = if node.workload { "" } else { " (external)" };
        match number(i) {
            Some(n) => format!("{n:>2} {}{tag}", node.label),
            None => format!("   {}{tag}", node.label),
        }
    };
    let label_width = rows.iter().map(|&i| label(i).chars().count()).max().unwrap_or(0).max(4);
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let header = (k + 1).to_string().len();
            rows.iter()
                .filter_map(|&r| cells.get(&(r, c)).map(|s| s.chars().count()))
                .max()
                .unwrap_or(1)
                .max(header)
        })
        .collect();
    let _ = write!(out, "{:label_width$}", "");
    for (k, width) in widths.iter().enumerate() {
        let _ = write!(out, "  {bold}{:>width$}{reset}", k + 1);
    }
    out.push('\n');
    for &r in &rows {
        let _ = write!(out, "{:label_width$}", label(r));
        for (k, &c) in columns.iter().enumerate() {
            let width = widths[k];
            match cells.get(&(r, c)) {
                Some(cell) => {
                    let _ = write!(out, "  {green}{cell:>width$}{reset}");
                }
                None => {
                    let _ = write!(out, "  {dim}{:>width$}{reset}", "·");
                }
            }
        }
        out.push('\n');
    }
    let unlisted: Vec<usize> = columns.iter().copied().filter(|c| !rows.contains(c)).collect();
    if !unlisted.is_empty() {
        out.push('\n');
        for c in unlisted {
            let _ = writeln!(out, "{}", label(c));
        }
    }
    let hidden: Vec<&str> = (0..graph.nodes.len())
        .filter(|&i| !sends(i) && !receives(i))
        .map(|i| graph.nodes[i].label.as_str())
        .collect();
    if !hidden.is_empty() {
        let _ = writeln!(
            out,
            "\nnamed by a policy, but reachable by nothing: {}",
            hidden.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} edge{} between {} workload{} and {} external peer{}",
        graph.edges.len(),
        plural(graph.edges.len()),
        graph.nodes.iter().filter(|n| n.workload).count(),
        plural(graph.nodes.iter().filter(|n| n.workload).count()),
        graph.nodes.iter().filter(|n| !n.workload).count(),
        plural(graph.nodes.iter().filter(|n| !n.workload).count()),
    );
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Nodes grouped by namespace (`None` last: addresses), each group in node order.
fn by_namespace(graph: &Graph) -> Vec<(Option<&str>, Vec<usize>)> {
    let mut groups: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        let namespace = node.namespace.as_deref();
        match groups.iter_mut().find(|(n, _)| *n == namespace) {
            Some((_, members)) => members.push(i),
            None => groups.push((namespace, vec![i])),
        }
    }
    groups.sort_by_key(|(n, _)| (n.is_none(), graph.home.as_deref() != *n, *n));
    groups
}

/// A node's name inside its namespace's box; `all pods` for a whole namespace.
fn short(node: &Node) -> &str {
    let name = match &node.namespace {
        Some(namespace) => node
            .id
            .strip_prefix(namespace.as_str())
            .and_then(|s| s.strip_prefix('/'))
            .unwrap_or(&node.id),
        None => &node.id,
    };
    if name == "*" { "all pods" } else { name }
}

/// A Mermaid flowchart, one subgraph per namespace.
pub fn mermaid(graph: &Graph) -> String {
    let quote = |text: &str| text.replace('"', "#quot;");
    let mut out = String::from("flowchart LR\n");
    for (k, (namespace, members)) in by_namespace(graph).into_iter().enumerate() {
        let indent = if namespace.is_some() { "    " } else { "  " };
        if let Some(namespace) = namespace {
            let _ = writeln!(out, "  subgraph ns{k}[\"{}\"]", quote(namespace));
        }
        for i in members {
            let node = &graph.nodes[i];
            let text = quote(short(node));
            if node.workload {
                let _ = writeln!(out, "{indent}n{i}[\"{text}\"]");
            } else {
                let _ = writeln!(out, "{indent}n{i}([\"{text}\"])");
            }
        }
        if namespace.is_some() {
            out.push_str("  end\n");
        }
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  n{} -->|\"{}\"| n{}",
            edge.from,
            quote(&edge.ports.labels().join(" ")),
            edge.to
        );
    }
    out
}

/// Graphviz dot, one cluster per namespace.
pub fn dot(graph: &Graph) -> String {
    let quote = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from(
        "digraph reachability {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n  edge [fontname=\"sans-serif\", fontsize=10];\n",
    );
    for (k, (namespace, members)) in by_namespace(graph).into_iter().enumerate() {
        let indent = if namespace.is_some() { "    " } else { "  " };
        if let Some(namespace) = namespace {
            let _ = writeln!(
                out,
                "  subgraph cluster_{k} {{\n    label={};\n    style=dashed;",
                quote(namespace)
            );
        }
        for i in members {
            let node = &graph.nodes[i];
            let style = if node.workload { "" } else { ", style=rounded" };
            let _ = writeln!(out, "{indent}n{i} [label={}{style}];", quote(short(node)));
        }
        if namespace.is_some() {
            out.push_str("  }\n");
        }
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  n{} -> n{} [label={}];",
            edge.from,
            edge.to,
            quote(&edge.ports.labels().join(" "))
        );
    }
    out.push_str("}\n");
    out
}

/// The graph as pretty JSON.
pub fn json(graph: &Graph) -> String {
    let mut text = serde_json::to_string_pretty(&graph.json()).unwrap_or_default();
    text.push('\n');
    text
}
