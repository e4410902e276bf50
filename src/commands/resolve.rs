//! `gen resolve PROFILE`: the effective profile (bases, the profile, `--set`) with the origin
//! of every value, like `git config --show-origin`.

use marked_yaml::types::MarkedScalarNode;
use marked_yaml::{Marker, Node, Span};

use super::{report_input_error, write_stdout};
use crate::cli::{GlobalArgs, ResolveArgs, ResolveFormat};
use crate::load::{self, merged_text};
use crate::profile::Tier;
use crate::source::{Located, SourceFile};

/// The file id that marks a value the tier decided: no file holds it.
const TIER_DEFAULT: usize = usize::MAX;

pub fn resolve(global: &GlobalArgs, args: &ResolveArgs) -> i32 {
    let profile = match super::located(global, &args.profile) {
        Ok(profile) => profile,
        Err(diagnostic) => return report_input_error(&diagnostic),
    };
    let (source, mut tree) = match load::effective(&profile.path, profile.path.as_str(), &profile.overrides) {
        Ok(effective) => effective,
        Err((source, diagnostics)) => {
            for diagnostic in &diagnostics {
                eprint!("{}", diagnostic.render(source.as_ref()));
            }
            return crate::exit::ERROR;
        }
    };
    add_tier_defaults(&mut tree);
    let origin = |at: Located| origin_name(&source, at);
    let text = match args.format {
        ResolveFormat::Yaml => merged_text::annotated(&tree, &origin),
        ResolveFormat::Json => {
            let records: Vec<serde_json::Value> = merged_text::leaves(&tree)
                .into_iter()
                .map(|(path, value, at)| serde_json::json!({"path": path, "value": value, "origin": at.map(&origin)}))
                .collect();
            let mut text = serde_json::to_string_pretty(&records).expect("JSON values serialise");
            text.push('\n');
            text
        }
    };
    write_stdout(&text)
}

fn origin_name(source: &SourceFile, at: Located) -> String {
    if at.file == TIER_DEFAULT {
        return "tier default".to_owned();
    }
    format!("{}:{}", source.file_name(at.file), at.position.line)
}

/// Adds what the tier decides where the profile is silent: each long-running service's
/// replicas and the egress mode. Mirrors `resolve::tier_defaults`, which applies them.
fn add_tier_defaults(tree: &mut Node) {
    let Some(root) = tree.as_mapping_mut() else {
        return;
    };
    let tier = root
        .get_scalar("tier")
        .and_then(|t| serde_yaml::from_str::<Tier>(t.as_str()).ok());
    let Some(tier) = tier else {
        return;
    };
    let defaults = crate::resolve::tier_defaults(tier);
    if let Some(Node::Mapping(services)) = root.get_mut(&key("services")) {
        for (_, service) in services.iter_mut() {
            let Some(service) = service.as_mapping_mut() else {
                continue;
            };
            let kind = service.get_scalar("kind").map_or("web", |k| k.as_str());
            if matches!(kind, "web" | "worker") && service.get_node("replicas").is_none() {
                service.insert(key("replicas"), scalar(&defaults.replicas.to_string()));
            }
        }
    }
    let egress = serde_yaml::to_string(&defaults.egress).expect("an enum serialises");
    match root.get_mut(&key("network")) {
        Some(Node::Mapping(network)) => {
            if network.get_node("egressMode").is_none() {
                network.insert(key("egressMode"), scalar(egress.trim()));
            }
        }
        Some(_) => {}
        None => {
            let mut network = marked_yaml::types::MarkedMappingNode::new_empty(default_span());
            network.insert(key("egressMode"), scalar(egress.trim()));
            root.insert(key("network"), Node::Mapping(network));
        }
    }
}

fn default_span() -> Span {
    Span::new_start(Marker::new(TIER_DEFAULT, 0, 0, 0))
}

fn key(name: &str) -> MarkedScalarNode {
    MarkedScalarNode::new(default_span(), name)
}

fn scalar(value: &str) -> Node {
    Node::Scalar(MarkedScalarNode::new(default_span(), value))
}
