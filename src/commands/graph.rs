//! `gen graph PROFILE|DIR`: the reachability graph of a render, or of a directory of manifests.

use std::io::{self, IsTerminal};

use camino::Utf8Path;

use super::{report_failure, report_input_error, write_stdout};
use crate::cli::{GlobalArgs, GraphArgs, GraphFormat};
use crate::diagnostics::Diagnostic;
use crate::reach::{Cluster, Graph, format};
use crate::render::Renderer;
use crate::{locate, output_dir, pipeline, report};

pub fn graph(global: &GlobalArgs, args: &GraphArgs) -> i32 {
    let cluster = match cluster(global, &args.target) {
        Ok(cluster) => cluster,
        Err(code) => return code,
    };
    let graph = Graph::build(&cluster);
    let text = match args.format {
        GraphFormat::Matrix => format::matrix(&graph, report::use_colour(io::stdout().is_terminal())),
        GraphFormat::Mermaid => format::mermaid(&graph),
        GraphFormat::Dot => format::dot(&graph),
        GraphFormat::Svg => format::svg(&graph),
        GraphFormat::Json => format::json(&graph),
    };
    write_stdout(&text)
}

/// What `target` describes: a directory's YAML files, or what a profile renders (its policy
/// findings do not matter here: the graph shows what the objects would allow).
fn cluster(global: &GlobalArgs, target: &str) -> Result<Cluster, i32> {
    let path = Utf8Path::new(target);
    if path.is_dir() {
        let tree = output_dir::Tree::read(path)
            .map_err(|e| report_input_error(&Diagnostic::error("output-directory", e.to_string())))?;
        let texts = tree
            .files
            .iter()
            .filter(|(name, _)| name.ends_with(".yaml") || name.ends_with(".yml"))
            .filter_map(|(_, bytes)| std::str::from_utf8(bytes).ok());
        let cluster = Cluster::from_yaml(texts);
        if cluster.workloads.is_empty() {
            return Err(report_input_error(
                &Diagnostic::error("output-directory", format!("`{target}` holds no workloads to draw"))
                    .with_hint(format!("render one first: gen render PROFILE -o {target}")),
            ));
        }
        return Ok(cluster);
    }
    let profile = locate::locate(target, &global.profiles_dir).map_err(|d| report_input_error(&d))?;
    let built = pipeline::build(&profile, &Renderer::new()).map_err(report_failure)?;
    Ok(Cluster::from_objects(&built.objects))
}
