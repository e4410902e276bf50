//! The graph as an SVG picture, laid out by gen (no Graphviz): three columns, the external
//! peers that call in on the left, the workloads in the middle, the peers they call on the
//! right; each column grouped by namespace in dashed boxes; edges as curves with their ports.

use std::fmt::Write as _;

use super::{Graph, short};

const FONT: f64 = 12.0;
/// A generous average glyph width for 12 px sans-serif, so labels fit their boxes.
const CHAR: f64 = 7.4;
const BOX_HEIGHT: f64 = 28.0;
const ROW_GAP: f64 = 12.0;
const GROUP_HEADER: f64 = 22.0;
const GROUP_PAD: f64 = 10.0;
const GROUP_GAP: f64 = 18.0;
const COLUMN_GAP: f64 = 240.0;
const MARGIN: f64 = 20.0;
const TITLE: f64 = 40.0;

#[derive(Clone, Copy)]
struct Place {
    column: usize,
    x: f64,
    y: f64,
    width: f64,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR
}

pub fn svg(graph: &Graph) -> String {
    let sends = |i: usize| graph.edges.iter().any(|e| e.from == i && graph.nodes[e.to].workload);
    let column_of = |i: usize| match (graph.nodes[i].workload, sends(i)) {
        (true, _) => 1,
        (false, true) => 0,
        (false, false) => 2,
    };
    let groups = super::by_namespace(graph);
    // Each column: its namespace groups, in the graph's namespace order.
    let mut columns: [Vec<(Option<&str>, Vec<usize>)>; 3] = Default::default();
    for (namespace, members) in &groups {
        for (c, column) in columns.iter_mut().enumerate() {
            let here: Vec<usize> = members.iter().copied().filter(|&i| column_of(i) == c).collect();
            if !here.is_empty() {
                column.push((*namespace, here));
            }
        }
    }
    let widths: Vec<f64> = columns
        .iter()
        .map(|column| {
            column
                .iter()
                .flat_map(|(namespace, members)| {
                    let header = namespace.map_or(0.0, |n| text_width(n) + 2.0 * GROUP_PAD);
                    members
                        .iter()
                        .map(move |&i| text_width(short(&graph.nodes[i])) + 24.0 + 2.0 * GROUP_PAD)
                        .chain(std::iter::once(header))
                })
                .fold(0.0, f64::max)
        })
        .collect();
    let mut x = MARGIN;
    let mut lefts = [0.0; 3];
    for c in 0..3 {
        lefts[c] = x;
        if widths[c] > 0.0 {
            x += widths[c] + COLUMN_GAP;
        }
    }
    let width = (x - COLUMN_GAP + MARGIN).max(400.0);
    let mut places: Vec<Option<Place>> = vec![None; graph.nodes.len()];
    let mut body = String::new();
    let mut bottom: f64 = TITLE;
    for (c, column) in columns.iter().enumerate() {
        let mut y = TITLE + MARGIN;
        for (namespace, members) in column {
            let inner = widths[c] - 2.0 * GROUP_PAD;
            let top = y;
            if namespace.is_some() {
                y += GROUP_HEADER;
            }
            for &i in members {
                places[i] = Some(Place {
                    column: c,
                    x: lefts[c] + GROUP_PAD,
                    y: y + GROUP_PAD,
                    width: inner,
                });
                y += BOX_HEIGHT + ROW_GAP;
            }
            y += 2.0 * GROUP_PAD - ROW_GAP;
            if let Some(namespace) = namespace {
                let _ = writeln!(
                    body,
                    r##"  <rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" rx="8" fill="none" stroke="#9ca3af" stroke-dasharray="5 4"/>"##,
                    lefts[c],
                    widths[c],
                    y - top
                );
                let _ = writeln!(
                    body,
                    r##"  <text x="{:.1}" y="{:.1}" class="ns">{}</text>"##,
                    lefts[c] + GROUP_PAD,
                    top + 16.0,
                    escape(namespace)
                );
            }
            y += GROUP_GAP;
        }
        bottom = bottom.max(y);
    }
    // A port label is drawn once where edges share it: beside the sender when all its edges
    // carry the same ports, else beside the receiver, one line per distinct set of ports
    // arriving there; edges within a column are labelled on the curve.
    let text_of = |e: &super::super::graph::Edge| e.ports.labels().join(" ");
    let uniform = |pick: &dyn Fn(&super::super::graph::Edge) -> usize, node: usize, text: &str| {
        graph
            .edges
            .iter()
            .filter(|e| pick(e) == node)
            .all(|e| text_of(e) == text)
    };
    let column = |i: usize| places[i].map(|p| p.column);
    let at_source =
        |e: &super::super::graph::Edge| column(e.from) != column(e.to) && uniform(&|x| x.from, e.from, &text_of(e));
    let mut arriving: Vec<Vec<String>> = vec![Vec::new(); graph.nodes.len()];
    for edge in graph
        .edges
        .iter()
        .filter(|e| column(e.from) != column(e.to) && !at_source(e))
    {
        let text = text_of(edge);
        if !arriving[edge.to].contains(&text) {
            arriving[edge.to].push(text);
        }
    }
    let mut edges = String::new();
    let mut labels: Vec<(i64, i64, &'static str, String)> = Vec::new();
    for edge in &graph.edges {
        let (Some(a), Some(b)) = (places[edge.from], places[edge.to]) else {
            continue;
        };
        let forward = a.column < b.column;
        // Two edges between the same nodes, one each way, run side by side.
        let both_ways = edge.from != edge.to && graph.edges.iter().any(|e| e.from == edge.to && e.to == edge.from);
        let shift = match (both_ways, forward) {
            (false, _) => 0.0,
            (true, true) => -4.0,
            (true, false) => 4.0,
        };
        let (ay, by) = (a.y + BOX_HEIGHT / 2.0 + shift, b.y + BOX_HEIGHT / 2.0 + shift);
        let (start, c1, c2, end) = if edge.from == edge.to {
            let x0 = a.x + a.width;
            (
                (x0, ay - 6.0),
                (x0 + 40.0, ay - 30.0),
                (x0 + 40.0, ay + 30.0),
                (x0 + 2.0, ay + 6.0),
            )
        } else if a.column == b.column {
            let x0 = a.x + a.width;
            let bulge = 40.0 + (ay - by).abs() * 0.25;
            ((x0, ay), (x0 + bulge, ay), (x0 + bulge, by), (x0 + 2.0, by))
        } else if forward {
            let (x0, x1) = (a.x + a.width, b.x);
            let mid = (x1 - x0) / 2.0;
            ((x0, ay), (x0 + mid, ay), (x1 - mid, by), (x1 - 2.0, by))
        } else {
            let (x0, x1) = (a.x, b.x + b.width);
            let mid = (x0 - x1) / 2.0;
            ((x0, ay), (x0 - mid, ay), (x1 + mid, by), (x1 + 2.0, by))
        };
        let _ = writeln!(
            edges,
            r#"  <path d="M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" class="edge" marker-end="url(#arrow)"/>"#,
            start.0, start.1, c1.0, c1.1, c2.0, c2.1, end.0, end.1
        );
        let text = text_of(edge);
        let (x, y, anchor) = if a.column == b.column {
            let t = 0.5;
            let u = 1.0 - t;
            let point = |p0: f64, p1: f64, p2: f64, p3: f64| {
                u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3
            };
            (
                point(start.0, c1.0, c2.0, end.0),
                point(start.1, c1.1, c2.1, end.1) - 3.0,
                "middle",
            )
        } else if uniform(&|e| e.from, edge.from, &text) {
            // Edges running back (right to left) are labelled below the line.
            let (dx, dy, anchor) = if forward {
                (8.0, -5.0, "start")
            } else {
                (-8.0, 13.0, "end")
            };
            (start.0 + dx, a.y + BOX_HEIGHT / 2.0 + dy, anchor)
        } else {
            // Stacked beside the receiver, one line per distinct set of ports arriving there.
            let texts = &arriving[edge.to];
            let k = texts.iter().position(|t| *t == text).unwrap_or_default() as f64;
            let (dx, dy, anchor) = if forward {
                (-12.0, -5.0 - 12.0 * k, "end")
            } else {
                (12.0, 13.0 + 12.0 * k, "start")
            };
            (end.0 + dx, b.y + BOX_HEIGHT / 2.0 + dy, anchor)
        };
        // Positions in tenths of a pixel, so equal labels at one place are drawn once.
        let key = ((x * 10.0).round() as i64, (y * 10.0).round() as i64, anchor, text);
        if !labels.contains(&key) {
            labels.push(key);
        }
    }
    let labels: String = labels
        .into_iter()
        .map(|(x, y, anchor, text)| {
            format!(
                "  <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" class=\"port\">{}</text>\n",
                x as f64 / 10.0,
                y as f64 / 10.0,
                escape(&text)
            )
        })
        .collect();
    let mut nodes = String::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        let Some(p) = places[i] else { continue };
        let (class, rx) = if node.workload {
            ("workload", 4)
        } else {
            ("external", 14)
        };
        let _ = writeln!(
            nodes,
            r#"  <rect x="{:.1}" y="{:.1}" width="{:.1}" height="{BOX_HEIGHT}" rx="{rx}" class="{class}"/>"#,
            p.x, p.y, p.width
        );
        let _ = writeln!(
            nodes,
            r#"  <text x="{:.1}" y="{:.1}" class="name">{}</text>"#,
            p.x + 12.0,
            p.y + BOX_HEIGHT / 2.0 + FONT / 2.0 - 2.0,
            escape(short(node))
        );
    }
    let height = bottom + MARGIN;
    let title = format!(
        "{}: who may open connections to whom",
        graph.home.as_deref().unwrap_or("the cluster")
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="{FONT}">"#
    );
    out.push_str(
        r##"  <defs>
    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
      <path d="M0,0 L10,5 L0,10 z" fill="#4b5563"/>
    </marker>
    <style>
      .workload { fill: #dbeafe; stroke: #1d4ed8; }
      .external { fill: #f3f4f6; stroke: #6b7280; }
      .edge { fill: none; stroke: #4b5563; stroke-width: 1.2; }
      .name { fill: #111827; }
      .ns { fill: #4b5563; font-size: 11px; font-style: italic; }
      .port { fill: #065f46; font-size: 10px; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
      .title { font-size: 14px; font-weight: bold; fill: #111827; }
    </style>
  </defs>
  <rect width="100%" height="100%" fill="#ffffff"/>
"##,
    );
    let _ = writeln!(
        out,
        r#"  <text x="{MARGIN}" y="26" class="title">{}</text>"#,
        escape(&title)
    );
    out.push_str(&body);
    out.push_str(&edges);
    out.push_str(&nodes);
    out.push_str(&labels);
    out.push_str("</svg>\n");
    out
}
