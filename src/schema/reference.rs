//! The profile reference in the README: every key of every mapping, its type, its default
//! (per tier where tiers differ), what it does and an example, generated from the same schema
//! `gen schema` prints and from the defaults resolve applies.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use serde_json::Value;

use super::defaults;
use crate::profile::Tier;
use crate::resolve::defaults::tier_defaults;

/// The first example of each key (`(definition, key)`) found in real profiles.
pub type Examples = BTreeMap<(String, String), String>;

/// Examples longer than this are left for a shorter one in another profile.
const EXAMPLE_WIDTH: usize = 72;

/// The marker lines the reference sits between in the README.
pub const BEGIN: &str =
    "<!-- BEGIN profile reference: generated, `GEN_UPDATE_README=1 cargo test --test schema` rewrites it -->";
pub const END: &str = "<!-- END profile reference -->";

/// Finds, for every key, the first value of it in `profiles` (parsed profile files, in the order
/// they should be preferred) that prints short enough to be an example.
pub fn collect_examples(profiles: &[Value]) -> Examples {
    let schema = super::derived();
    let mut examples = Examples::new();
    for profile in profiles {
        visit(profile, &root_ref(), &schema, &mut examples);
    }
    examples
}

fn root_ref() -> Value {
    serde_json::json!({"$ref": "#/$defs/Profile"})
}

fn visit(value: &Value, schema: &Value, root: &Value, examples: &mut Examples) {
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        for option in options {
            visit(value, option, root, examples);
        }
        return;
    }
    if let Some(name) = ref_name(schema) {
        let definition = definition(root, name);
        if let (Some(properties), Value::Object(map)) = (definition.get("properties"), value) {
            for (key, item) in map {
                let Some(property) = properties.get(key) else { continue };
                let text = flow(item);
                if text.len() <= EXAMPLE_WIDTH && !item.is_null() {
                    // A `serviceDefaults` value is an example of the service key it stands for.
                    for owner in [Some(name), superset(root, name)].into_iter().flatten() {
                        examples
                            .entry((owner.to_owned(), key.clone()))
                            .or_insert_with(|| text.clone());
                    }
                }
                visit(item, property, root, examples);
            }
        } else {
            visit(value, definition, root, examples);
        }
        return;
    }
    match value {
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                items.iter().for_each(|item| visit(item, item_schema, root, examples));
            }
        }
        Value::Object(map) => {
            if let Some(values @ Value::Object(_)) = schema.get("additionalProperties") {
                map.values().for_each(|item| visit(item, values, root, examples));
            }
        }
        _ => {}
    }
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/$defs/")
}

/// A definition by name; `Profile` is the root schema itself.
fn definition<'a>(root: &'a Value, name: &str) -> &'a Value {
    if name == "Profile" { root } else { &root["$defs"][name] }
}

/// A value as YAML flow syntax on one line: `{cpu: {request: 250m}}`, `[http, metrics]`.
pub fn flow(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./@:*".contains(c))
                && !s.starts_with(['@', '*', '-', ':'])
                && !s.contains(": ")
                && !s.ends_with(':')
                && serde_yaml::from_str::<Value>(s).ok() == Some(Value::String(s.clone()));
            if plain {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", flow(&Value::String(k.clone())), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Where each object definition appears, in the order a reader meets them (breadth first from
/// the top level): `services.<name>`, `services.<name>.probes`, ... A definition that only takes
/// keys of another (`serviceDefaults`) is listed, not walked: its keys are documented there.
fn places(root: &Value) -> Vec<(String, Vec<String>)> {
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut queue = VecDeque::from([("Profile".to_owned(), String::new())]);
    while let Some((name, path)) = queue.pop_front() {
        match found.iter_mut().find(|(n, _)| *n == name) {
            Some((_, paths)) => paths.push(path.clone()),
            None => found.push((name.clone(), vec![path.clone()])),
        }
        if superset(root, &name).is_some() {
            continue;
        }
        let Some(properties) = definition(root, &name).get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (key, property) in properties {
            let place = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            references(property, &place, &mut |name, place| {
                queue.push_back((name.to_owned(), place))
            });
        }
    }
    found.retain(|(name, _)| definition(root, name).get("properties").is_some());
    found
}

/// Every `$ref` inside one property's schema, with the path it stands at.
fn references(schema: &Value, place: &str, found: &mut dyn FnMut(&str, String)) {
    if let Some(name) = ref_name(schema) {
        found(name, place.to_owned());
    }
    for option in schema.get("anyOf").and_then(Value::as_array).into_iter().flatten() {
        references(option, place, found);
    }
    if let Some(items) = schema.get("items") {
        references(items, &format!("{place}[]"), found);
    }
    if let Some(values @ Value::Object(_)) = schema.get("additionalProperties") {
        references(values, &format!("{place}.<name>"), found);
    }
}

fn anchor(name: &str) -> String {
    format!("profile-{}", name.to_lowercase())
}

/// A schema's type in words: `integer`, `list of string`, `map of [Service](#profile-service)`,
/// `` `dev` \| `prod` ``.
fn type_name(schema: &Value, root: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        let target = definition(root, name);
        return if target.get("properties").is_some() {
            format!("[{name}](#{})", anchor(name))
        } else {
            type_name(target, root)
        };
    }
    if let Some(options) = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array)
    {
        let names: Vec<String> = options
            .iter()
            .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
            .map(|o| type_name(o, root))
            .collect();
        return names.join(" or ").replace(" or `", " \\| `");
    }
    if let Some(value) = schema.get("const") {
        return format!("`{}`", flow(value));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| format!("`{}`", flow(v)))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    let kinds: Vec<&str> = match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    match kinds.iter().find(|k| **k != "null") {
        Some(&"array") => format!("list of {}", type_name(&schema["items"], root)),
        Some(&"object") => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => format!("map of {}", type_name(values, root)),
            _ => "mapping".into(),
        },
        Some(kind) => (*kind).to_owned(),
        None => "any".into(),
    }
}

/// Markdown table cells hold one line without bare pipes.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|").replace("\\\\|", "\\|")
}

/// The reference, between (not including) the README's marker lines.
pub fn markdown(examples: &Examples) -> String {
    let root = super::derived();
    let mut out = String::new();
    out.push_str(
        "Generated from the types gen reads profiles with (`src/profile.rs`), the defaults it applies \
         (`src/resolve/`) and examples from the shipped and example profiles; `gen schema` prints the \
         same as a JSON Schema. A default that differs by tier names each tier; **required** keys must \
         be set once the profile and the bases it `extends` are merged. \
         `GEN_UPDATE_README=1 cargo test --test schema` regenerates this section.\n\n",
    );
    tier_table(&mut out);
    let places = places(&root);
    for (name, paths) in &places {
        let schema = definition(&root, name);
        let properties = schema["properties"].as_object().expect("places() keeps objects");
        let title = if name == "Profile" {
            "Top level".to_owned()
        } else {
            format!("`{}`", paths[0])
        };
        let _ = write!(out, "<a id=\"{}\"></a>\n\n#### {title}\n\n", anchor(name));
        if let Some(description) = schema.get("description").and_then(Value::as_str) {
            let _ = write!(out, "{description}");
            out.push_str(if paths.len() > 1 { " " } else { "\n\n" });
        }
        if paths.len() > 1 {
            let others: Vec<String> = paths[1..].iter().map(|p| format!("`{p}`")).collect();
            let _ = write!(out, "Also at {}.\n\n", others.join(", "));
        }
        if let Some(wider) = superset(&root, name) {
            let keys: Vec<String> = properties.keys().map(|k| format!("`{k}`")).collect();
            let wider_paths = &places.iter().find(|(n, _)| *n == wider).expect("a place").1;
            let _ = write!(
                out,
                "Takes these keys of [`{}`](#{}), with the same meaning: {}.\n\n",
                wider_paths[0],
                anchor(wider),
                keys.join(", ")
            );
            continue;
        }
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push_str("| key | type | default | what it does | example |\n|---|---|---|---|---|\n");
        for (key, property) in properties {
            let default = match defaults::of(name, key) {
                Some(default) => default.markdown(),
                None if required.contains(&key.as_str()) => "**required**".into(),
                None => String::new(),
            };
            let description = property.get("description").and_then(Value::as_str).unwrap_or_default();
            // A value from a real profile first; the type's own example where none sets the key.
            let example = examples
                .get(&(name.clone(), key.clone()))
                .cloned()
                .or_else(|| property.pointer("/examples/0").map(flow))
                .map(|e| format!("`{}`", e.replace('`', "'")))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| `{key}` | {} | {} | {} | {} |",
                cell(&type_name(property, &root)),
                cell(&default),
                cell(description),
                cell(&example)
            );
        }
        out.push('\n');
    }
    out
}

/// The settings whose default depends on the tier, one column per tier.
fn tier_table(out: &mut String) {
    out.push_str("#### Tier defaults\n\n| setting |");
    for tier in Tier::ALL {
        let _ = write!(out, " {} |", tier.as_str());
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Tier::ALL.len()));
    out.push('\n');
    for (_, _, path, pick) in defaults::TIER_SETTINGS {
        let _ = write!(out, "| `{path}` |");
        for tier in Tier::ALL {
            let _ = write!(out, " `{}` |", flow(&pick(&tier_defaults(tier))));
        }
        out.push('\n');
    }
    out.push('\n');
}

/// Another definition that has every key of `name` with the same schema (`serviceDefaults`
/// takes a subset of a service's keys): `name` is then listed, not repeated.
pub(super) fn superset<'a>(root: &'a Value, name: &str) -> Option<&'a str> {
    let own = definition(root, name)["properties"].as_object()?;
    root["$defs"].as_object()?.iter().find_map(|(other, schema)| {
        let wider = schema["properties"].as_object()?;
        (other != name && wider.len() > own.len() && own.iter().all(|(k, v)| wider.get(k) == Some(v)))
            .then_some(other.as_str())
    })
}
