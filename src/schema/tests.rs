use serde_json::Value;

use super::*;

#[test]
fn every_key_has_a_description() {
    let schema = profile_schema();
    let mut missing = Vec::new();
    let definitions = schema["$defs"].as_object().unwrap();
    let top = "Profile".to_owned();
    let objects = definitions.iter().chain([(&top, &schema)]);
    for (name, definition) in objects {
        for (key, property) in definition["properties"].as_object().into_iter().flatten() {
            if property
                .get("description")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                missing.push(format!("{name}.{key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys without a doc comment in src/profile.rs: {missing:?}"
    );
}

#[test]
fn service_defaults_keys_mean_what_the_service_keys_mean() {
    // The README lists `serviceDefaults` as a subset of a service's keys, which holds only while
    // each shared key has the same type and the same doc comment in both structs.
    let schema = derived();
    assert_eq!(reference::superset(&schema, "ServiceSettings"), Some("Service"));
}

#[test]
fn the_published_schema_requires_nothing_and_accepts_null_for_every_key() {
    let mut schema = profile_schema();
    let definitions = schema["$defs"].clone();
    let accepts = |property: &Value| {
        let target = reference(property).map_or(property, |name| &definitions[name.as_str()]);
        accepts_null(target.as_object().unwrap())
    };
    let mut problems = Vec::new();
    walk(&mut schema, &mut |node| {
        if node.contains_key("required") {
            problems.push(format!("required in {node:?}"));
        }
        for (key, property) in node.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if !accepts(property) {
                problems.push(format!("`{key}` refuses null"));
            }
        }
        if let Some(values @ Value::Object(_)) = node.get("additionalProperties")
            && !accepts(values)
        {
            problems.push(format!("the values of {node:?} refuse null"));
        }
    });
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(schema["additionalProperties"], Value::Bool(false));
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn tier_defaults_are_stated_from_the_table_resolve_uses() {
    let schema = profile_schema();
    let tiers = schema["$defs"]["Tier"]["oneOf"].as_array().unwrap();
    for tier in crate::profile::Tier::ALL {
        let replicas = crate::resolve::defaults::tier_defaults(tier).replicas;
        let variant = tiers.iter().find(|v| v["const"] == tier.as_str()).unwrap();
        let text = variant["description"].as_str().unwrap();
        assert!(text.contains(&format!("services.<name>.replicas {replicas}")), "{text}");
    }
}

#[test]
fn every_tier_default_is_in_the_reference() {
    // A new field in `TierDefaults` stops this from compiling: add it to `TIER_SETTINGS` too,
    // so the schema and the README state it.
    let crate::resolve::defaults::TierDefaults { replicas: _, egress: _ } =
        crate::resolve::defaults::tier_defaults(crate::profile::Tier::Dev);
    assert_eq!(defaults::TIER_SETTINGS.len(), 2);
}
