//! `gen graph PROFILE|DIR`: the reachability graph of a render, or of a directory of manifests.

use std::io::{self, IsTerminal, Read};

use camino::Utf8Path;
use serde::Deserialize;

use super::{report_failure, write_stdout};
use crate::cli::{GlobalArgs, GraphArgs, GraphFormat};
use crate::diagnostics::Diagnostic;
use crate::reach::{Cluster, Graph, format};
use crate::render::Renderer;
use crate::{output_dir, pipeline, report};

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

/// What `target` describes: a stream of manifests (`-` for stdin, or a file of them), a
/// directory's YAML files, or what a profile renders (its policy findings do not matter here:
/// the graph shows what the objects would allow).
fn cluster(global: &GlobalArgs, target: &str) -> Result<Cluster<'static>, i32> {
    let path = Utf8Path::new(target);
    if target == "-" {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text).map_err(|e| {
            report_input_error(&Diagnostic::error(
                "unreadable-profile",
                format!("cannot read stdin: {e}"),
            ))
        })?;
        return with_workloads(Cluster::from_yaml([text.as_str()]), "the stream on stdin");
    }
    if path.is_file()
        && let Ok(text) = std::fs::read_to_string(path)
        && is_manifests(&text)
    {
        return with_workloads(Cluster::from_yaml([text.as_str()]), &format!("`{target}`"));
    }
    if path.is_dir() {
        let tree = output_dir::Tree::read(path)
            .map_err(|e| report_input_error(&Diagnostic::error("output-directory", e.to_string())))?;
        let texts = tree
            .files
            .iter()
            .filter(|(name, _)| name.ends_with(".yaml") || name.ends_with(".yml"))
            .filter_map(|(_, bytes)| std::str::from_utf8(bytes).ok());
        return with_workloads(Cluster::from_yaml(texts), &format!("`{target}`"));
    }
    let profile = super::located(global, target).map_err(|d| report_input_error(&d))?;
    let built = pipeline::build(&profile, &Renderer::for_kube_version(global.kube_version)).map_err(report_failure)?;
    Ok(Cluster::from_objects(&built.objects).into_owned())
}

/// Whether a file holds Kubernetes objects rather than a profile: its first document has
/// `apiVersion` and `kind`.
fn is_manifests(text: &str) -> bool {
    let Some(Ok(first)) = serde_yaml::Deserializer::from_str(text)
        .next()
        .map(serde_json::Value::deserialize)
    else {
        return false;
    };
    first.get("apiVersion").is_some() && first.get("kind").is_some()
}

fn with_workloads<'a>(cluster: Cluster<'a>, what: &str) -> Result<Cluster<'a>, i32> {
    if cluster.workloads.is_empty() {
        return Err(report_input_error(
            &Diagnostic::error("unreadable-profile", format!("{what} holds no workloads to draw"))
                .with_hint("render some first: `gen render PROFILE -o DIR`, or `gen render PROFILE | gen graph -`"),
        ));
    }
    Ok(cluster)
}

/// An input error; unlike the writing commands', nothing to say about what was written.
fn report_input_error(diagnostic: &Diagnostic) -> i32 {
    let colour = report::use_colour(io::stderr().is_terminal());
    eprintln!("{}", report::human_finding(diagnostic, None, colour));
    crate::exit::ERROR
}
