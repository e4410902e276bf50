//! The escape hatch: `patches:` change rendered objects in ways gen does not model, and
//! `resources:` add manifests the team owns. Both run after rendering and before the policy
//! rules, and every object they produce is checked again as its Kubernetes type: a patch can
//! never produce an invalid object, and one that weakens hardening fires the same rules a
//! profile setting would.

use camino::Utf8Path;
use serde_json::Value;

use crate::check::{self, Object};
use crate::diagnostics::Diagnostic;
use crate::profile::{RawJsonPatchOperation, RawPatch};
use crate::render::Rendered;
use crate::source::SourceFile;

/// Applies each patch to the one object it targets, in order.
pub fn apply(objects: &mut [Object], patches: &[RawPatch], source: &SourceFile) -> Result<(), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut budget = Budget::default();
    for (index, patch) in patches.iter().enumerate() {
        let at = format!("patches[{index}]");
        if let Err(problem) = apply_one(objects, patch, &at, source, &mut budget) {
            problems.push(problem);
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

fn apply_one(
    objects: &mut [Object],
    patch: &RawPatch,
    at: &str,
    source: &SourceFile,
    budget: &mut Budget,
) -> Result<(), Diagnostic> {
    let refuse = |path: &str, message: String, hint: &str| {
        Diagnostic::error("invalid-patch", message)
            .at(source, &format!("{at}{path}"))
            .with_hint(hint)
    };
    let Some((kind, name)) = patch.target.split_once('/') else {
        return Err(refuse(
            ".target",
            format!("the patch target `{}` is not `Kind/name`", patch.target),
            "name one rendered object, e.g. `Deployment/auth-service`",
        ));
    };
    let Some(object) = objects.iter_mut().find(|o| o.kind == kind && o.name == name) else {
        let known: Vec<String> = objects.iter().map(|o| format!("{}/{}", o.kind, o.name)).collect();
        let hint = match crate::diagnostics::did_you_mean(&patch.target, known.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "`gen render` lists the objects; a patch targets one of them as `Kind/name`".to_owned(),
        };
        return Err(refuse(
            ".target",
            format!("no rendered object is `{}`", patch.target),
            &hint,
        ));
    };
    let (json, merge) = (patch.json.as_deref(), patch.merge.as_ref());
    if json.is_some() == merge.is_some() {
        return Err(refuse(
            "",
            "a patch needs exactly one of `merge` and `json`".to_owned(),
            "use `merge:` for a JSON merge patch, or `json:` for a list of JSON Patch operations",
        ));
    }
    let before_fields = object.typed.to_json();
    let mut document = before_fields.clone();
    let before = identity(&document);
    if let Some(merge) = merge {
        json_patch::merge(&mut document, merge);
    }
    if let Some(operations) = json {
        for (index, operation) in operations.iter().enumerate() {
            budget.apply(&mut document, operation).map_err(|refused| {
                let at = format!(".json[{index}]");
                match refused {
                    Refused::Bound(problem, hint) => refuse(
                        &at,
                        format!("JSON Patch operation {index} on `{}` {problem}", patch.target),
                        hint,
                    ),
                    Refused::Failed(problem) => refuse(
                        &at,
                        format!("JSON Patch operation {index} on `{}` failed: {problem}", patch.target),
                        "check the path against `gen render` output: list items are addressed by index (`/spec/template/spec/containers/0`), and `-` appends",
                    ),
                }
            })?;
        }
    }
    if identity(&document) != before {
        return Err(refuse(
            "",
            format!(
                "the patch changes what `{}` is (its apiVersion, kind, name or namespace)",
                patch.target
            ),
            "patch the object's content only; rename it in the profile instead",
        ));
    }
    let mut text = String::new();
    crate::yaml::write_document(&document, &mut text);
    let rendered = Rendered {
        template: object.template,
        service: object.service.clone(),
        text,
    };
    let mut changed = Vec::new();
    changed_fields(&before_fields, &document, String::new(), &mut changed);
    let mut patched = std::mem::take(&mut object.patched);
    patched.push((at.to_owned(), changed));
    let checked = check::check(rendered).map_err(|defect| {
        // Point at the field in the merge patch when the problem names one the patch wrote.
        let field = defect.problem.split('`').nth(1).unwrap_or_default();
        let in_merge = format!(".merge.{field}");
        let place = if source.exact_position(&format!("{at}{in_merge}")).is_some() {
            in_merge.as_str()
        } else {
            ""
        };
        refuse(
            place,
            format!(
                "the patched `{}` is not a valid object: {}",
                patch.target, defect.problem
            ),
            "a patch may add only fields Kubernetes knows, with their types; see `kubectl explain`",
        )
    })?;
    *object = Object { patched, ..checked };
    Ok(())
}

/// The paths (`spec.template.spec.hostNetwork`, `...containers[0].env[1]`) where `after`
/// differs from `before`, at the deepest level where both are still containers.
fn changed_fields(before: &Value, after: &Value, path: String, out: &mut Vec<String>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(old) => changed_fields(old, value, join(key), out),
                    None => out.push(join(key)),
                }
            }
            out.extend(b.keys().filter(|k| !a.contains_key(*k)).map(|k| join(k)));
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (index, (old, new)) in b.iter().zip(a).enumerate() {
                changed_fields(old, new, format!("{path}[{index}]"), out);
            }
        }
        (b, a) if b != a => out.push(path),
        _ => {}
    }
}

fn apply_operation(document: &mut Value, operation: &RawJsonPatchOperation) -> Result<(), String> {
    let mut raw = serde_json::json!({"op": operation.op, "path": operation.path});
    if let Some(value) = &operation.value {
        raw["value"] = value.clone();
    }
    if let Some(from) = &operation.from {
        raw["from"] = Value::String(from.clone());
    }
    let parsed: json_patch::Patch = serde_json::from_value(Value::Array(vec![raw])).map_err(|e| e.to_string())?;
    json_patch::patch(document, &parsed).map_err(|e| e.to_string())
}

/// What JSON Patch operations may build. Every other input is bounded by the profile's own
/// limits, but an operation can reuse what is already there: a `copy` of a pod template into
/// itself doubles the object (twenty such copies, 2 KB of profile, took 22 GB before these
/// bounds), and values added or moved inside one another nest without end, past what the
/// recursive encoders and checks can walk.
#[derive(Default)]
struct Budget {
    /// Nodes moved or copied so far, by all patches.
    moved_or_copied: usize,
}

/// Nodes all `move` and `copy` operations together may carry: as many as a whole profile may
/// hold ([`crate::load::limits::MAX_NODES`]).
const MAX_MOVED_OR_COPIED_NODES: usize = crate::load::limits::MAX_NODES;

/// How deep an operation may place a value in an object, in JSON Pointer segments from the
/// top (`/spec/replicas` is 2 deep). A Kubernetes object nests about a dozen
/// (`spec.template.spec.affinity...matchExpressions[0].values[0]`); a profile, 32.
const MAX_OBJECT_DEPTH: usize = 64;

/// Why an operation did not change the document.
enum Refused {
    /// It would pass a bound: what it would do, and how to avoid it.
    Bound(String, &'static str),
    /// json-patch refused it (a path that does not exist, a failed `test`...).
    Failed(String),
}

impl Budget {
    /// Applies `operation` to `document` if it stays within the bounds, and charges what it
    /// carried once it ran: an operation json-patch refuses carried nothing.
    fn apply(&mut self, document: &mut Value, operation: &RawJsonPatchOperation) -> Result<(), Refused> {
        let carried = self
            .admit(document, operation)
            .map_err(|(problem, hint)| Refused::Bound(problem, hint))?;
        apply_operation(document, operation).map_err(Refused::Failed)?;
        self.moved_or_copied += carried;
        Ok(())
    }

    /// Whether `operation` stays within the bounds on `document`, and the nodes it would move
    /// or copy (to charge once it ran); if not, what it would do and how to avoid it. A `move`
    /// or `copy` from a path that does not exist is left to the operation to report.
    fn admit(&self, document: &Value, operation: &RawJsonPatchOperation) -> Result<usize, (String, &'static str)> {
        use crate::profile::JsonPatchOp;
        let levels = pointer_levels(&operation.path);
        let (placed, carried) = match operation.op {
            JsonPatchOp::Add | JsonPatchOp::Replace => match &operation.value {
                Some(value) => (value, false),
                None => return Ok(0),
            },
            JsonPatchOp::Move | JsonPatchOp::Copy => {
                match operation.from.as_deref().and_then(|from| document.pointer(from)) {
                    Some(value) => (value, true),
                    None => return Ok(0),
                }
            }
            JsonPatchOp::Remove | JsonPatchOp::Test => return Ok(0),
        };
        let max_nodes = if carried {
            MAX_MOVED_OR_COPIED_NODES - self.moved_or_copied
        } else {
            usize::MAX
        };
        // The placed value's top is `levels` deep, its children one more, and so on.
        let max_depth = (MAX_OBJECT_DEPTH + 1).saturating_sub(levels);
        match measure(placed, max_nodes, max_depth) {
            Measured::Within(nodes) => Ok(if carried { nodes } else { 0 }),
            Measured::TooMany => Err((
                format!(
                    "would make the patches move or copy more than {} nodes in all",
                    crate::load::limits::thousands(MAX_MOVED_OR_COPIED_NODES)
                ),
                "move or copy single fields: a copy of a part of an object into itself doubles it",
            )),
            Measured::TooDeep => Err((
                format!("would nest the object more than {MAX_OBJECT_DEPTH} levels deep"),
                "a Kubernetes object nests about a dozen levels: patch the field itself, not a copy of its parent inside it",
            )),
        }
    }
}

/// The levels a JSON Pointer descends (`/spec/replicas`: 2; the whole document: 0).
fn pointer_levels(pointer: &str) -> usize {
    pointer.matches('/').count()
}

enum Measured {
    /// The value's node count.
    Within(usize),
    TooMany,
    TooDeep,
}

/// Counts the nodes of `value` (every value, key-value pair's value, list item), up to
/// `max_nodes` and `max_depth` levels: without recursion, so a value too deep to walk
/// recursively is measured safely, and the walk stops once either bound is passed.
fn measure(value: &Value, max_nodes: usize, max_depth: usize) -> Measured {
    let mut stack = vec![(value, 1usize)];
    let mut nodes = 0usize;
    while let Some((value, depth)) = stack.pop() {
        nodes += 1;
        if nodes > max_nodes {
            return Measured::TooMany;
        }
        if depth > max_depth {
            return Measured::TooDeep;
        }
        match value {
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    Measured::Within(nodes)
}

fn identity(document: &Value) -> [Value; 4] {
    [
        document["apiVersion"].clone(),
        document["kind"].clone(),
        document["metadata"]["name"].clone(),
        document["metadata"]["namespace"].clone(),
    ]
}

/// Where extra resources go, and the labels gen gives every object it emits.
pub struct Home<'a> {
    pub namespace: &'a str,
    pub app: &'a str,
}

/// Reads the extra manifests `resources:` lists (relative to the profile's directory), each
/// document checked as its Kubernetes type, placed in the profile's namespace and labelled as
/// part of the application and managed by gen (kept if the file sets them).
pub fn resources(
    files: &[String],
    profile_dir: &Utf8Path,
    home: &Home,
    rendered: &[Object],
    source: &SourceFile,
) -> Result<Vec<Object>, Vec<Diagnostic>> {
    let mut objects: Vec<Object> = Vec::new();
    let mut problems = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let at = format!("resources[{index}]");
        let refuse = |message: String, hint: &str| {
            Diagnostic::error("invalid-resource", message)
                .at(source, &at)
                .with_hint(hint)
        };
        let path = profile_dir.join(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                problems.push(refuse(
                    format!("cannot read the resource file `{path}`: {e}"),
                    "the path is relative to the profile's directory",
                ));
                continue;
            }
        };
        for (number, document) in serde_yaml::Deserializer::from_str(&text).enumerate() {
            let what = format!("`{file}` document {}", number + 1);
            match resource(document, home) {
                Ok(Some(object)) => {
                    let clash = rendered
                        .iter()
                        .chain(&objects)
                        .any(|o| o.kind == object.kind && o.name == object.name);
                    if clash {
                        problems.push(refuse(
                            format!("{what} is {}/{}, which gen already renders", object.kind, object.name),
                            "change the rendered object with a `patches:` entry instead",
                        ));
                    } else {
                        objects.push(object);
                    }
                }
                Ok(None) => {}
                Err(problem) => problems.push(refuse(
                    format!("{what} is not a valid object: {problem}"),
                    "resources hold the kinds gen checks (see the README), in the profile's namespace",
                )),
            }
        }
    }
    if problems.is_empty() {
        Ok(objects)
    } else {
        Err(problems)
    }
}

/// One document of a resource file, checked; `None` for an empty document.
fn resource(document: serde_yaml::Deserializer, home: &Home) -> Result<Option<Object>, String> {
    let namespace = home.namespace;
    let value: Value = serde::Deserialize::deserialize(document).map_err(|e| e.to_string())?;
    let mut value = match value {
        Value::Null => return Ok(None),
        Value::Object(_) => value,
        _ => return Err("a manifest is a mapping with apiVersion, kind and metadata".to_owned()),
    };
    match value["metadata"]["namespace"].as_str() {
        None => value["metadata"]["namespace"] = Value::String(namespace.to_owned()),
        Some(own) if own == namespace => {}
        Some(other) => return Err(format!("it is in namespace `{other}`, not the profile's `{namespace}`")),
    }
    let labels = &mut value["metadata"]["labels"];
    for (key, own) in [
        ("app.kubernetes.io/part-of", home.app),
        ("app.kubernetes.io/managed-by", "gen"),
    ] {
        if labels.get(key).is_none() {
            labels[key] = Value::String(own.to_owned());
        }
    }
    let mut text = String::new();
    crate::yaml::write_document(&value, &mut text);
    let rendered = Rendered {
        template: "resources",
        service: None,
        text,
    };
    check::check(rendered).map(Some).map_err(|defect| defect.problem)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::profile::JsonPatchOp;

    fn operation(op: JsonPatchOp, path: &str, from: Option<&str>, value: Option<Value>) -> RawJsonPatchOperation {
        RawJsonPatchOperation {
            op,
            path: path.to_owned(),
            value,
            from: from.map(str::to_owned),
        }
    }

    /// Applies `operation` to `document` through the budget, as `apply_one` does; why it was
    /// bounded, if it was (an operation json-patch refuses fails the test).
    fn admit_and_apply(budget: &mut Budget, document: &mut Value, operation: &RawJsonPatchOperation) -> Option<String> {
        match budget.apply(document, operation) {
            Ok(()) => None,
            Err(Refused::Bound(problem, _)) => Some(problem),
            Err(Refused::Failed(problem)) => panic!("json-patch refused {}: {problem}", operation.path),
        }
    }

    #[test]
    fn a_copy_into_itself_stops_at_the_node_budget() {
        let mut document =
            json!({"spec": {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {"x": [1, 2, 3]}}}});
        let mut budget = Budget::default();
        let copy = |i: usize| {
            operation(
                JsonPatchOp::Copy,
                &format!("/spec/template/metadata/labels/a{i}"),
                Some("/spec/template"),
                None,
            )
        };
        let refused = (0..40).find_map(|i| admit_and_apply(&mut budget, &mut document, &copy(i)).map(|p| (i, p)));
        let (at, problem) = refused.expect("the doubling is refused");
        // The template holds 9 nodes and doubles with every copy: copies 0 to n carry
        // 9 * (2^(n+1) - 1) nodes in all, past a million at copy 16.
        assert_eq!(at, 16, "{problem}");
        assert!(problem.contains("more than 1,000,000 nodes in all"), "{problem}");
        assert_eq!(
            budget.moved_or_copied,
            9 * ((1 << 16) - 1),
            "copies 0 to 15 are charged"
        );
        // Copies of single fields, the usual kind, cost what they carry.
        let mut budget = Budget::default();
        let mut document = json!({"metadata": {"labels": {"app": "a"}}});
        let label = operation(
            JsonPatchOp::Copy,
            "/metadata/labels/name",
            Some("/metadata/labels/app"),
            None,
        );
        assert_eq!(admit_and_apply(&mut budget, &mut document, &label), None);
        assert_eq!(budget.moved_or_copied, 1);
    }

    #[test]
    fn values_added_inside_one_another_stop_at_the_depth_bound() {
        // Each add nests a 10-level value at the deepest point so far.
        let nested = |levels: usize| (0..levels).fold(json!("leaf"), |inner, _| json!({"a": inner}));
        let mut document = json!({"metadata": {"labels": {}}});
        let mut budget = Budget::default();
        let mut path = "/metadata/labels/x".to_owned();
        let mut refused = None;
        for round in 0..20 {
            let add = operation(JsonPatchOp::Add, &path, None, Some(nested(10)));
            if let Some(problem) = admit_and_apply(&mut budget, &mut document, &add) {
                refused = Some((round, problem));
                break;
            }
            path.push_str(&"/a".repeat(9));
            path.push_str("/x");
        }
        let (round, problem) = refused.expect("the nesting is refused");
        // Round n places an 11-level value 3 + 10n segments down, its leaf 13 + 10n deep:
        // 63 at round 5, 73 at round 6.
        assert_eq!(round, 6, "{problem}");
        // A scalar may sit exactly 64 segments down, not 65.
        let at = |segments: usize| operation(JsonPatchOp::Add, &"/a".repeat(segments), None, Some(json!(1)));
        assert!(Budget::default().admit(&json!({}), &at(64)).is_ok());
        assert!(Budget::default().admit(&json!({}), &at(65)).is_err());
        assert!(problem.contains("more than 64 levels deep"), "{problem}");
        // Moving a deep value deeper is measured as a copy would be.
        let mut document = json!({"a": nested(62), "b": {"c": {}}});
        let into = operation(JsonPatchOp::Move, "/b/c/d/e", Some("/a"), None);
        let problem = Budget::default().admit(&document, &into).unwrap_err().0;
        assert!(problem.contains("more than 64 levels deep"), "{problem}");
        let shallow = operation(
            JsonPatchOp::Move,
            "/b/c/d",
            Some("/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a"),
            None,
        );
        assert_eq!(admit_and_apply(&mut Budget::default(), &mut document, &shallow), None);
    }

    #[test]
    fn an_operation_json_patch_refuses_is_not_charged() {
        let mut document = json!({"a": {"b": 1, "c": 2}});
        let mut budget = Budget::default();
        // Within the bounds (three nodes), but json-patch refuses a move into the value's own child.
        let into_itself = operation(JsonPatchOp::Move, "/a/d", Some("/a"), None);
        assert_eq!(budget.admit(&document, &into_itself), Ok(3));
        assert!(matches!(
            budget.apply(&mut document, &into_itself),
            Err(Refused::Failed(_))
        ));
        assert_eq!(budget.moved_or_copied, 0);
        let copy = operation(JsonPatchOp::Copy, "/e", Some("/a/b"), None);
        assert_eq!(admit_and_apply(&mut budget, &mut document, &copy), None);
        assert_eq!(budget.moved_or_copied, 1);
    }

    #[test]
    fn operations_on_missing_paths_are_left_to_json_patch() {
        let document = json!({"a": 1});
        for op in [JsonPatchOp::Copy, JsonPatchOp::Move] {
            let missing = operation(op, "/b", Some("/nowhere"), None);
            assert_eq!(Budget::default().admit(&document, &missing), Ok(0));
        }
        let remove = operation(JsonPatchOp::Remove, "/a", None, None);
        assert_eq!(Budget::default().admit(&document, &remove), Ok(0));
    }
}
