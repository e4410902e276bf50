//! The profile's JSON Schema (`gen schema`) and the README's profile reference, both derived
//! from the raw types of [`crate::profile`] (their doc comments are the descriptions) and from
//! the defaults `resolve` applies ([`defaults`]).
//!
//! Any profile file may be a base or an overlay, so the published schema requires no key and
//! accepts `null` (which removes an inherited setting) for every key of every mapping; it still
//! refuses a key it does not know and a value of the wrong type.

mod defaults;
mod reference;

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::profile::RawProfile;

pub use reference::{BEGIN as REFERENCE_BEGIN, END as REFERENCE_END, collect_examples, markdown as reference_markdown};

/// Where the schema is committed in this repository, and what the shipped profiles point at.
pub const SCHEMA_PATH: &str = "schema/profile.schema.json";

/// The schema as schemars derives it from the types (required keys and all), with descriptions
/// on one line each and without schemars' own `default`s (the serialized `Default` of a field,
/// not what resolve applies).
pub(crate) fn derived() -> Value {
    let generator = SchemaSettings::draft2020_12().for_deserialize().into_generator();
    let mut schema = generator.into_root_schema_for::<RawProfile>().to_value();
    walk(&mut schema, &mut |node| {
        node.remove("default");
        if let Some(Value::String(text)) = node.get_mut("description") {
            *text = one_line(text);
        }
    });
    schema
}

/// The profile's JSON Schema as `gen schema` prints it.
pub fn profile_schema() -> Value {
    let mut schema = derived();
    defaults::annotate(&mut schema);
    let mut referenced = std::collections::BTreeSet::new();
    walk(&mut schema, &mut |node| partial(node, &mut referenced));
    // A definition a key refers to accepts `null` itself, so a validator reports a misspelt key
    // inside it plainly rather than as "matches neither the mapping nor null".
    for name in referenced {
        if let Some(definition) = schema.pointer_mut(&format!("/$defs/{name}")) {
            nullable(definition);
        }
    }
    order_root(schema)
}

/// [`profile_schema`] as text: pretty JSON and a final newline.
pub fn profile_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&profile_schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// Doc comments wrap at 100 columns; a description is one paragraph per blank line.
fn one_line(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Calls `visit` on every schema object below and including `value`, parents first. The maps
/// of `properties` and `$defs` are not schemas themselves (a key may be called `default`), only
/// their values are.
fn walk(value: &mut Value, visit: &mut dyn FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(node) => {
            visit(node);
            for (key, child) in node.iter_mut() {
                match (key.as_str(), child) {
                    ("properties" | "$defs", Value::Object(named)) => {
                        named.values_mut().for_each(|schema| walk(schema, visit));
                    }
                    (_, child) => walk(child, visit),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| walk(item, visit)),
        _ => {}
    }
}

/// Makes one schema object fit a partial profile: nothing required, `null` allowed for every
/// key of a mapping (its properties, and the values of a map such as `services` or `env`). A
/// key whose schema is a reference is left as it is and the definition it names is collected,
/// to accept `null` itself.
fn partial(node: &mut Map<String, Value>, referenced: &mut std::collections::BTreeSet<String>) {
    node.remove("required");
    let mut allow_null = |schema: &mut Value| match reference(unwrap_optional(schema)) {
        Some(name) => {
            referenced.insert(name);
        }
        None => nullable(schema),
    };
    if let Some(Value::Object(properties)) = node.get_mut("properties") {
        properties.values_mut().for_each(&mut allow_null);
    }
    if let Some(values @ Value::Object(_)) = node.get_mut("additionalProperties") {
        allow_null(values);
    }
}

/// `anyOf: [{$ref: X}, {type: null}]` (an `Option` of a definition) as `$ref: X`, with its
/// annotations: the definition accepts `null` itself once it is collected.
fn unwrap_optional(schema: &mut Value) -> &mut Value {
    let Some(node) = schema.as_object_mut() else {
        return schema;
    };
    let referred = match node.get("anyOf").and_then(Value::as_array).map(Vec::as_slice) {
        Some([only, null]) if null == &serde_json::json!({"type": "null"}) && reference(only).is_some() => only.clone(),
        _ => return schema,
    };
    node.remove("anyOf");
    if let Value::Object(referred) = referred {
        node.extend(referred);
    }
    schema
}

/// The definition a schema only refers to (besides annotations such as its description).
fn reference(schema: &Value) -> Option<String> {
    let node = schema.as_object()?;
    let target = node.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
    let annotations_only = node
        .keys()
        .all(|k| ["$ref", "description", "default", "examples", "title"].contains(&k.as_str()));
    annotations_only.then(|| target.to_owned())
}

/// Lets a schema accept `null` as well, keeping its description on the outside.
fn nullable(schema: &mut Value) {
    let Value::Object(node) = schema else { return };
    if accepts_null(node) {
        return;
    }
    let plain_type = node.get("type").and_then(Value::as_str).map(str::to_owned);
    let constrained = ["const", "oneOf", "anyOf", "allOf", "$ref"]
        .iter()
        .any(|k| node.contains_key(*k));
    if let (Some(kind), false) = (plain_type, constrained) {
        node.insert("type".into(), Value::from(vec![kind, "null".to_owned()]));
        if let Some(Value::Array(values)) = node.get_mut("enum") {
            values.push(Value::Null);
        }
        return;
    }
    for options in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = node.get_mut(options) {
            options.push(serde_json::json!({"type": "null"}));
            return;
        }
    }
    // Annotations stay on the outside, where editors look for them.
    let mut outside = Map::new();
    for key in ["description", "default", "examples", "title"] {
        if let Some(value) = node.remove(key) {
            outside.insert(key.to_owned(), value);
        }
    }
    let inside = std::mem::take(node);
    outside.insert(
        "anyOf".into(),
        Value::Array(vec![Value::Object(inside), serde_json::json!({"type": "null"})]),
    );
    *node = outside;
}

fn accepts_null(node: &Map<String, Value>) -> bool {
    let null_type = |schema: &Value| match schema.get("type") {
        Some(Value::String(kind)) => kind == "null",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "null"),
        _ => false,
    };
    null_type(&Value::Object(node.clone()))
        || ["anyOf", "oneOf"].iter().any(|k| {
            node.get(*k)
                .and_then(Value::as_array)
                .is_some_and(|options| options.iter().any(null_type))
        })
}

/// `$schema`, `$id`-like keys and the title first, definitions last, as people read a schema.
fn order_root(schema: Value) -> Value {
    let Value::Object(mut root) = schema else {
        return schema;
    };
    let mut ordered = Map::new();
    for key in ["$schema", "title", "description"] {
        if let Some(value) = root.remove(key) {
            ordered.insert(key.to_owned(), value);
        }
    }
    let definitions = root.remove("$defs");
    ordered.extend(root);
    if let Some(definitions) = definitions {
        ordered.insert("$defs".into(), definitions);
    }
    Value::Object(ordered)
}

#[cfg(test)]
mod tests;
