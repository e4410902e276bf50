//! Comparing what a profile renders now with what a directory holds: first the objects (added,
//! removed, and for changed ones every field path with its old and new value), then the files
//! as a unified diff. `gen diff`, `gen check` and `gen render --check` all speak through this.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::emit::{self, File};
use crate::index;
use crate::output_dir::{Plan, Tree};

/// How a directory differs from a render. Empty when the directory is up to date.
#[derive(Debug, Default)]
pub struct Drift {
    pub objects: Vec<ObjectChange>,
    pub files: Vec<FileChange>,
    /// Files gen did not write: `gen render` refuses to run while they are there.
    pub foreign: Vec<String>,
    /// Changed or removed files that do not parse as YAML, so hold no objects to compare.
    pub unreadable: Vec<String>,
    /// The directory does not exist at all (everything is to be added).
    pub missing: bool,
    /// Staging directories an interrupted render left inside: the next render removes them.
    pub debris: Vec<String>,
    /// gen's files changed since it wrote them (by hand, or by a merge): a render refuses to
    /// overwrite them without `--force`.
    pub edited: Vec<String>,
    /// The connections the network policies allow that the change adds and removes.
    pub reach: crate::reach::changes::EdgeChanges,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectChange {
    /// `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects).
    pub object: String,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Rendered now, absent from the directory.
    Added,
    /// In the directory, no longer rendered.
    Removed,
    /// In both, with these fields different.
    Changed(Vec<FieldChange>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// e.g. `spec.template.spec.containers[name=api].image`.
    pub path: String,
    /// `None` where the field is absent on that side.
    pub old: Option<Value>,
    pub new: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    /// The directory's version; `None` for a file the render adds.
    pub old: Option<String>,
    /// The render's version; `None` for a file the render would prune.
    pub new: Option<String>,
}

/// Which side of a comparison a file is missing from.
#[derive(Clone, Copy)]
enum FileState {
    Added,
    Changed,
    Removed,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.files.is_empty() && self.foreign.is_empty() && self.debris.is_empty()
    }

    /// Whether `gen render` would refuse to update the directory without `--force`.
    pub fn needs_force(&self) -> bool {
        !self.foreign.is_empty() || !self.edited.is_empty()
    }

    fn paths(&self, state: FileState) -> Vec<&str> {
        self.files
            .iter()
            .filter(|f| match state {
                FileState::Added => f.old.is_none(),
                FileState::Changed => f.old.is_some() && f.new.is_some(),
                FileState::Removed => f.new.is_none(),
            })
            .map(|f| f.path.as_str())
            .collect()
    }
}

/// Compares `tree` (what a directory holds) with `files` (what `gen render -o` would write).
pub fn compare(tree: &Tree, files: &[File]) -> Drift {
    let plan = Plan::new(tree, files);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let rendered: BTreeMap<&str, &str> = files.iter().map(|f| (f.path.as_str(), f.contents.as_str())).collect();
    let mut changes: Vec<FileChange> = plan
        .written
        .iter()
        .map(|path| FileChange {
            path: path.clone(),
            old: tree.files.get(path).map(|b| text(b)),
            new: rendered.get(path.as_str()).map(|s| (*s).to_owned()),
        })
        .chain(
            plan.removed
                .iter()
                .filter(|p| !tree.is_debris(p))
                .map(|path| FileChange {
                    path: path.clone(),
                    old: tree.files.get(path).map(|b| text(b)),
                    new: None,
                }),
        )
        .collect();
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    let mut drift = Drift {
        foreign: plan.foreign,
        missing: !tree.exists && !files.is_empty(),
        debris: tree.debris.iter().cloned().collect(),
        edited: plan.edits_lost,
        ..Drift::default()
    };
    drift.objects = object_changes(&changes, &mut drift.unreadable);
    drift.files = changes;
    if tree.exists && !drift.objects.is_empty() {
        let old = tree
            .files
            .iter()
            .filter(|(path, _)| is_yaml(path))
            .filter_map(|(_, bytes)| std::str::from_utf8(bytes).ok());
        let new = files.iter().filter(|f| is_yaml(&f.path)).map(|f| f.contents.as_str());
        drift.reach = crate::reach::changes::EdgeChanges::of_yaml(old, new);
    }
    drift
}

/// The objects in the changed files, matched by identity across files, so an object that only
/// moved to another file is not reported.
fn object_changes(files: &[FileChange], unreadable: &mut Vec<String>) -> Vec<ObjectChange> {
    let mut old = BTreeMap::new();
    let mut new = BTreeMap::new();
    for file in files.iter().filter(|f| is_yaml(&f.path)) {
        for (side, text) in [(&mut old, &file.old), (&mut new, &file.new)] {
            let Some(text) = text else { continue };
            match objects_in(text) {
                Some(objects) => side.extend(objects),
                None => unreadable.push(file.path.clone()),
            }
        }
    }
    unreadable.sort();
    unreadable.dedup();
    let mut changes = Vec::new();
    for (id, value) in &new {
        match old.get(id) {
            None => changes.push((id, Change::Added)),
            Some(before) if before != value => {
                let mut fields = Vec::new();
                diff_values(&mut String::new(), before, value, &mut fields);
                changes.push((id, Change::Changed(fields)));
            }
            Some(_) => {}
        }
    }
    for id in old.keys().filter(|id| !new.contains_key(*id)) {
        changes.push((id, Change::Removed));
    }
    // Apply order, as the files themselves are listed.
    changes.sort_by(|a, b| (emit::kind_rank(&a.0.0), a.0).cmp(&(emit::kind_rank(&b.0.0), b.0)));
    changes
        .into_iter()
        .map(|(id, change)| ObjectChange {
            object: id.display(),
            change,
        })
        .collect()
}

fn is_yaml(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml")
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ObjectId(String, Option<String>, String);

impl ObjectId {
    fn display(&self) -> String {
        match &self.1 {
            Some(namespace) => format!("{}/{namespace}/{}", self.0, self.2),
            None => format!("{}/{}", self.0, self.2),
        }
    }
}

/// The Kubernetes objects in a YAML stream (documents without kind and name are not objects:
/// `kustomization.yaml` has no name). `None` if the text is not YAML.
fn objects_in(text: &str) -> Option<Vec<(ObjectId, Value)>> {
    let mut objects = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let value = Value::deserialize(document).ok()?;
        let kind = value["kind"].as_str();
        let name = value["metadata"]["name"].as_str();
        if let (Some(kind), Some(name)) = (kind, name) {
            let namespace = value["metadata"]["namespace"].as_str().map(str::to_owned);
            objects.push((ObjectId(kind.to_owned(), namespace, name.to_owned()), value));
        }
    }
    Some(objects)
}

/// Every leaf that differs between `old` and `new`, with its path. Lists of named items
/// (containers, ports, env) are matched by name, so inserting one reports one change.
fn diff_values(path: &mut String, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k)));
            for key in keys {
                let len = path.len();
                push_key(path, key);
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => diff_values(path, x, y, out),
                    (x, y) => out.push(field_change(path, x, y)),
                }
                path.truncate(len);
            }
        }
        (Value::Array(a), Value::Array(b)) => match item_keys(a, b) {
            Some((key, old_names, new_names)) => {
                let keys = new_names
                    .iter()
                    .chain(old_names.iter().filter(|n| !new_names.contains(n)));
                for name in keys {
                    let len = path.len();
                    let _ = write!(path, "[{key}={name}]");
                    let old_item = old_names.iter().position(|n| n == name).map(|i| &a[i]);
                    let new_item = new_names.iter().position(|n| n == name).map(|i| &b[i]);
                    match (old_item, new_item) {
                        (Some(x), Some(y)) => diff_values(path, x, y, out),
                        (x, y) => out.push(field_change(path, x, y)),
                    }
                    path.truncate(len);
                }
            }
            _ => {
                for i in 0..a.len().max(b.len()) {
                    let len = path.len();
                    let _ = write!(path, "[{i}]");
                    match (a.get(i), b.get(i)) {
                        (Some(x), Some(y)) => diff_values(path, x, y, out),
                        (x, y) => out.push(field_change(path, x, y)),
                    }
                    path.truncate(len);
                }
            }
        },
        (a, b) if a != b => out.push(field_change(path, Some(a), Some(b))),
        _ => {}
    }
}

fn field_change(path: &str, old: Option<&Value>, new: Option<&Value>) -> FieldChange {
    FieldChange {
        path: path.to_owned(),
        old: old.cloned(),
        new: new.cloned(),
    }
}

/// The fields that identify an item of a Kubernetes list, in the order tried: `name`
/// (containers, ports, env, volumes), then `path` (Ingress paths).
const ITEM_KEYS: [&str; 2] = ["name", "path"];

/// The key that identifies the items of both lists, with each side's values for it: the first
/// of [`ITEM_KEYS`] that every item on both sides has, distinct within each side.
fn item_keys<'a>(old: &'a [Value], new: &'a [Value]) -> Option<(&'static str, Vec<&'a str>, Vec<&'a str>)> {
    ITEM_KEYS.into_iter().find_map(|key| {
        let values = |items: &'a [Value]| -> Option<Vec<&'a str>> {
            let values: Vec<&str> = items.iter().map(|v| v[key].as_str()).collect::<Option<_>>()?;
            let mut sorted = values.clone();
            sorted.sort_unstable();
            sorted.dedup();
            (sorted.len() == values.len()).then_some(values)
        };
        Some((key, values(old)?, values(new)?))
    })
}

/// `a.b`, or `a["app.kubernetes.io/name"]` for keys a dot would make ambiguous.
fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        let _ = write!(path, "[{}]", Value::from(key));
    }
}

/// A value as one short line: JSON, cut at 80 characters.
fn show(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return "(absent)".to_owned();
    };
    let text = value.to_string();
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// How many field changes to list per object before summarising the rest.
const FIELDS_SHOWN: usize = 20;

/// Colours for terminal output; all empty when colour is off.
#[derive(Clone, Copy)]
pub struct Palette {
    pub added: &'static str,
    pub removed: &'static str,
    pub changed: &'static str,
    pub heading: &'static str,
    pub hunk: &'static str,
    pub reset: &'static str,
}

impl Palette {
    pub fn new(colour: bool) -> Palette {
        if colour {
            Palette {
                added: "\x1b[32m",
                removed: "\x1b[31m",
                changed: "\x1b[33m",
                heading: "\x1b[1m",
                hunk: "\x1b[36m",
                reset: "\x1b[0m",
            }
        } else {
            Palette {
                added: "",
                removed: "",
                changed: "",
                heading: "",
                hunk: "",
                reset: "",
            }
        }
    }
}

/// The per-object summary under a headline: what changed, object by object, with field paths.
pub fn summary(drift: &Drift, dir: &str, source: &str, p: Palette) -> String {
    if drift.is_clean() {
        return format!("{dir} is up to date with {source}\n");
    }
    if drift.missing {
        let objects = drift.objects.len();
        return format!(
            "{}{dir} does not exist; {source} renders {objects} object{} into it{}\n",
            p.heading,
            if objects == 1 { "" } else { "s" },
            p.reset
        );
    }
    format!(
        "{}{dir} differs from what {source} renders:{}\n{}",
        p.heading,
        p.reset,
        changes(drift, p)
    )
}

/// The summary's lines without the headline, each indented by two spaces.
pub fn changes(drift: &Drift, p: Palette) -> String {
    let mut out = String::new();
    for object in &drift.objects {
        match &object.change {
            Change::Added => {
                let _ = writeln!(out, "  {}+ added   {}{}", p.added, object.object, p.reset);
            }
            Change::Removed => {
                let _ = writeln!(out, "  {}- removed {}{}", p.removed, object.object, p.reset);
            }
            Change::Changed(fields) => {
                let _ = writeln!(out, "  {}~ changed {}{}", p.changed, object.object, p.reset);
                for field in fields.iter().take(FIELDS_SHOWN) {
                    let _ = writeln!(
                        out,
                        "      {}: {} -> {}",
                        field.path,
                        show(field.old.as_ref()),
                        show(field.new.as_ref())
                    );
                }
                if fields.len() > FIELDS_SHOWN {
                    let _ = writeln!(out, "      ... and {} more fields", fields.len() - FIELDS_SHOWN);
                }
            }
        }
    }
    out.push_str(&drift.reach.describe(p.added, p.removed, p.reset));
    let mut warn = |paths: &[String], what: &str, consequence: &str| {
        if !paths.is_empty() {
            let paths = crate::output_dir::some(paths);
            let _ = writeln!(out, "  {}! {what}: {paths}{} ({consequence})", p.removed, p.reset);
        }
    };
    warn(
        &drift.foreign,
        "not written by gen",
        "gen render refuses to run until they are moved; --force deletes them",
    );
    warn(
        &drift.edited,
        "changed since gen wrote them (by hand, or by a merge)",
        "gen render keeps them until --force",
    );
    for path in &drift.unreadable {
        let _ = writeln!(out, "  ! {path} is not valid YAML (see the file diff)");
    }
    for path in &drift.debris {
        let _ = writeln!(
            out,
            "  ! {path} was left by an interrupted render (the next render removes it; do not commit it)"
        );
    }
    let changed = drift.paths(FileState::Changed).len();
    let added = drift.paths(FileState::Added).len();
    let removed = drift.paths(FileState::Removed).len();
    if changed + added + removed > 0 {
        let _ = writeln!(out, "  files: {changed} changed, {added} added, {removed} removed");
    }
    out
}

/// Every changed file as a unified diff, `a/` the directory and `b/` the render, as git shows it.
/// The index is left out when other files changed: its lines only repeat their digests.
pub fn unified(drift: &Drift, dir: &str, p: Palette) -> String {
    let mut out = String::new();
    if drift.missing {
        // Every file would be added whole: the summary line says all there is to say.
        return out;
    }
    let only_index = drift.files.iter().all(|f| f.path == index::FILE_NAME);
    for file in drift.files.iter().filter(|f| only_index || f.path != index::FILE_NAME) {
        let old = file.old.as_deref().unwrap_or("");
        let new = file.new.as_deref().unwrap_or("");
        let a = match file.old {
            Some(_) => format!("a/{dir}/{}", file.path),
            None => "/dev/null".to_owned(),
        };
        let b = match file.new {
            Some(_) => format!("b/{dir}/{}", file.path),
            None => "/dev/null".to_owned(),
        };
        let diff = similar::TextDiff::from_lines(old, new);
        let text = diff.unified_diff().context_radius(3).header(&a, &b).to_string();
        for line in text.lines() {
            let colour = if line.starts_with("---") || line.starts_with("+++") {
                p.heading
            } else if line.starts_with("@@") {
                p.hunk
            } else if line.starts_with('+') {
                p.added
            } else if line.starts_with('-') {
                p.removed
            } else {
                ""
            };
            if colour.is_empty() {
                let _ = writeln!(out, "{line}");
            } else {
                let _ = writeln!(out, "{colour}{line}{}", p.reset);
            }
        }
    }
    out
}

/// The drift as data, for `--format json`.
pub fn json(drift: &Drift, dir: &str) -> Value {
    let objects: Vec<Value> = drift
        .objects
        .iter()
        .map(|o| match &o.change {
            Change::Added => json!({"object": o.object, "change": "added"}),
            Change::Removed => json!({"object": o.object, "change": "removed"}),
            Change::Changed(fields) => {
                let fields: Vec<Value> = fields
                    .iter()
                    .map(|f| json!({"path": f.path, "old": f.old, "new": f.new}))
                    .collect();
                json!({"object": o.object, "change": "changed", "fields": fields})
            }
        })
        .collect();
    json!({
        "dir": dir,
        "exists": !drift.missing,
        "upToDate": drift.is_clean(),
        "objects": objects,
        "files": {
            "added": drift.paths(FileState::Added),
            "changed": drift.paths(FileState::Changed),
            "removed": drift.paths(FileState::Removed),
        },
        "notWrittenByGen": drift.foreign,
        "editedSinceWritten": drift.edited,
        "unreadable": drift.unreadable,
        "leftByInterruptedRenders": drift.debris,
        "reachability": drift.reach.json(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::MARKER;

    fn set(files: &[(&str, &str)]) -> Vec<File> {
        let files = files
            .iter()
            .map(|(path, body)| File {
                path: (*path).into(),
                contents: format!("{MARKER}\n{body}"),
            })
            .collect();
        emit::with_index("p", files)
    }

    fn tree_of(files: &[File]) -> Tree {
        let mut tree = Tree {
            exists: true,
            ..Tree::default()
        };
        for file in files {
            tree.files.insert(file.path.clone(), file.contents.clone().into_bytes());
        }
        tree
    }

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: ns\n  labels:\n    app.kubernetes.io/version: \"1\"\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: api\n        image: a:1\n      - name: sidecar\n        image: s:1\n";

    #[test]
    fn an_identical_directory_is_clean() {
        let files = set(&[("d.yaml", DEPLOYMENT)]);
        let drift = compare(&tree_of(&files), &files);
        assert!(drift.is_clean(), "{drift:?}");
        assert!(summary(&drift, "out", "p.yaml", Palette::new(false)).contains("out is up to date"));
    }

    #[test]
    fn changed_fields_are_named_by_path_with_old_and_new_values() {
        let old = set(&[("d.yaml", DEPLOYMENT)]);
        let changed = DEPLOYMENT
            .replace("replicas: 2", "replicas: 3")
            .replace("image: a:1", "image: a:2")
            .replace("version: \"1\"", "version: \"2\"");
        let new = set(&[("d.yaml", &changed)]);
        let drift = compare(&tree_of(&old), &new);
        assert_eq!(drift.objects.len(), 1);
        let Change::Changed(fields) = &drift.objects[0].change else {
            panic!("{drift:?}")
        };
        let shown: Vec<String> = fields
            .iter()
            .map(|f| format!("{}: {} -> {}", f.path, show(f.old.as_ref()), show(f.new.as_ref())))
            .collect();
        assert_eq!(
            shown,
            [
                r#"metadata.labels["app.kubernetes.io/version"]: "1" -> "2""#,
                "spec.replicas: 2 -> 3",
                r#"spec.template.spec.containers[name=api].image: "a:1" -> "a:2""#,
            ]
        );
        assert_eq!(drift.objects[0].object, "Deployment/ns/api");
        let files: Vec<&str> = drift.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(files, [".gen-index", "d.yaml"]);
        let text = unified(&drift, "out", Palette::new(false));
        assert!(text.contains("--- a/out/d.yaml\n+++ b/out/d.yaml\n"), "{text}");
        assert!(text.contains("-  replicas: 2\n+  replicas: 3\n"), "{text}");
    }

    #[test]
    fn named_list_items_are_matched_by_name_not_position() {
        let inserted = DEPLOYMENT.replace(
            "      - name: sidecar",
            "      - name: init\n        image: i:1\n      - name: sidecar",
        );
        let drift = compare(
            &tree_of(&set(&[("d.yaml", DEPLOYMENT)])),
            &set(&[("d.yaml", &inserted)]),
        );
        let Change::Changed(fields) = &drift.objects[0].change else {
            panic!("{drift:?}")
        };
        assert_eq!(fields.len(), 1, "{fields:?}");
        assert_eq!(fields[0].path, "spec.template.spec.containers[name=init]");
        assert_eq!(fields[0].old, None);
    }

    #[test]
    fn added_and_removed_objects_and_files() {
        let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: ns\n";
        let old = set(&[("d.yaml", DEPLOYMENT), ("s.yaml", service)]);
        let new = set(&[
            ("d.yaml", DEPLOYMENT),
            ("s2.yaml", &service.replace("name: api", "name: web")),
        ]);
        let drift = compare(&tree_of(&old), &new);
        let objects: Vec<(&str, &Change)> = drift.objects.iter().map(|o| (o.object.as_str(), &o.change)).collect();
        assert_eq!(
            objects,
            [("Service/ns/api", &Change::Removed), ("Service/ns/web", &Change::Added)]
        );
        let text = summary(&drift, "out", "p.yaml", Palette::new(false));
        assert!(text.contains("- removed Service/ns/api"), "{text}");
        assert!(text.contains("+ added   Service/ns/web"), "{text}");
        assert!(text.contains("files: 1 changed, 1 added, 1 removed"), "{text}");
        let diff = unified(&drift, "out", Palette::new(false));
        assert!(diff.contains("--- /dev/null\n+++ b/out/s2.yaml"), "{diff}");
        assert!(diff.contains("--- a/out/s.yaml\n+++ /dev/null"), "{diff}");
    }

    #[test]
    fn an_object_that_only_moved_between_files_is_not_a_change() {
        let old = set(&[("a.yaml", DEPLOYMENT)]);
        let new = set(&[("b.yaml", DEPLOYMENT)]);
        let drift = compare(&tree_of(&old), &new);
        assert!(drift.objects.is_empty(), "{:?}", drift.objects);
        assert!(!drift.is_clean(), "the files still differ");
    }

    #[test]
    fn foreign_and_unreadable_files_are_reported() {
        let files = set(&[("d.yaml", DEPLOYMENT)]);
        let mut tree = tree_of(&files);
        tree.files.insert("notes.txt".into(), b"mine".to_vec());
        tree.files
            .insert("d.yaml".into(), format!("{MARKER}\n<<<<<<< HEAD\n: [").into_bytes());
        let drift = compare(&tree, &files);
        assert_eq!(drift.foreign, ["notes.txt"]);
        assert_eq!(drift.unreadable, ["d.yaml"]);
        let json = json(&drift, "out");
        assert_eq!(json["upToDate"], false);
        assert_eq!(json["notWrittenByGen"][0], "notes.txt");
    }

    #[test]
    fn ingress_paths_are_matched_by_path() {
        let ingress = |paths: &[&str]| {
            let mut text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app\nspec:\n  rules:\n  - http:\n      paths:\n".to_owned();
            for path in paths {
                text.push_str(&format!("      - path: {path}\n        pathType: Prefix\n"));
            }
            text
        };
        let drift = compare(
            &tree_of(&set(&[("i.yaml", &ingress(&["/a", "/b", "/c"]))])),
            &set(&[("i.yaml", &ingress(&["/a", "/c"]))]),
        );
        let Change::Changed(fields) = &drift.objects[0].change else {
            panic!("{drift:?}")
        };
        let paths: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["spec.rules[0].http.paths[path=/b]"]);
    }

    #[test]
    fn the_index_is_diffed_only_when_nothing_else_differs() {
        let files = set(&[("d.yaml", DEPLOYMENT)]);
        let changed = set(&[("d.yaml", &DEPLOYMENT.replace("replicas: 2", "replicas: 3"))]);
        let both = unified(&compare(&tree_of(&files), &changed), "out", Palette::new(false));
        assert!(!both.contains(".gen-index"), "{both}");
        let mut tampered = tree_of(&files);
        tampered.files.insert(index::FILE_NAME.into(), b"".to_vec());
        let alone = unified(&compare(&tampered, &files), "out", Palette::new(false));
        assert!(alone.contains("+++ b/out/.gen-index"), "{alone}");
    }

    #[test]
    fn staging_debris_is_reported_on_its_own() {
        let files = set(&[("d.yaml", DEPLOYMENT)]);
        let mut tree = tree_of(&files);
        let debris = ".out.gen-staging-7";
        tree.dirs.insert(debris.into());
        tree.debris.insert(debris.into());
        tree.files.insert(
            format!("{debris}/d.yaml"),
            DEPLOYMENT.replace("replicas: 2", "replicas: 9").into_bytes(),
        );
        let drift = compare(&tree, &files);
        assert!(drift.objects.is_empty() && drift.files.is_empty(), "{drift:?}");
        assert_eq!(drift.debris, [debris]);
        assert!(summary(&drift, "out", "p.yaml", Palette::new(false)).contains("left by an interrupted render"));
    }

    #[test]
    fn a_missing_directory_is_one_line() {
        let files = set(&[("d.yaml", DEPLOYMENT)]);
        let drift = compare(&Tree::default(), &files);
        assert!(drift.missing && !drift.is_clean());
        assert_eq!(
            summary(&drift, "out/x", "x.yaml", Palette::new(false)),
            "out/x does not exist; x.yaml renders 1 object into it\n"
        );
        assert_eq!(unified(&drift, "out/x", Palette::new(false)), "");
    }

    #[test]
    fn long_values_are_cut() {
        let long = Value::from("x".repeat(200));
        assert_eq!(show(Some(&long)).chars().count(), 80);
        assert_eq!(show(None), "(absent)");
    }
}
