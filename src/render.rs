//! Stage 3: render the model through the minijinja templates embedded from `templates/`.
//!
//! Every `{{ value }}` is escaped as JSON (minijinja's `AutoEscape::Json`), and JSON is valid YAML
//! flow syntax: a string from the profile always arrives as one quoted scalar, so no profile value
//! can change the document's structure, whatever characters it contains.

use crate::kube_version::KubeVersion;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, ValueKind};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value, context};

use crate::model::{Model, MonitorKind, Service};
use crate::profile::WorkloadKind;

/// One rendered document and the template that produced it.
pub struct Rendered {
    pub template: &'static str,
    /// The service the document belongs to; `None` for namespace-wide objects.
    pub service: Option<String>,
    pub text: String,
}

/// Templates rendered once per profile (context: `profile`).
const NAMESPACE_TEMPLATES: &[(&str, &str)] = &[
    ("namespace.yaml", include_str!("../templates/namespace.yaml")),
    (
        "networkpolicy-default-deny.yaml",
        include_str!("../templates/networkpolicy-default-deny.yaml"),
    ),
    (
        "networkpolicy-allow-dns.yaml",
        include_str!("../templates/networkpolicy-allow-dns.yaml"),
    ),
    ("resourcequota.yaml", include_str!("../templates/resourcequota.yaml")),
    ("limitrange.yaml", include_str!("../templates/limitrange.yaml")),
];

/// Templates rendered once per item of a list in the model (context: `profile` and `item`).
const LIST_TEMPLATES: &[(&str, &str, &str)] = &[
    (
        "configmap.yaml",
        include_str!("../templates/configmap.yaml"),
        "config_maps",
    ),
    (
        "externalsecret.yaml",
        include_str!("../templates/externalsecret.yaml"),
        "external_secrets",
    ),
    (
        "triggerauthentication.yaml",
        include_str!("../templates/triggerauthentication.yaml"),
        "trigger_authentications",
    ),
    (
        "serviceaccount-shared.yaml",
        include_str!("../templates/serviceaccount-shared.yaml"),
        "shared_service_accounts",
    ),
    (
        "networkpolicy-dependency.yaml",
        include_str!("../templates/networkpolicy-dependency.yaml"),
        "local_dependencies",
    ),
    (
        "ingress.yaml",
        include_str!("../templates/ingress.yaml"),
        "route_groups",
    ),
    (
        "httproute.yaml",
        include_str!("../templates/httproute.yaml"),
        "route_groups",
    ),
];

/// Pieces the workload templates include: the pod template and a Job's spec.
const PARTIALS: &[(&str, &str)] = &[
    ("pod.yaml", include_str!("../templates/pod.yaml")),
    ("job-spec.yaml", include_str!("../templates/job-spec.yaml")),
    (
        "scaling-behavior.yaml",
        include_str!("../templates/scaling-behavior.yaml"),
    ),
];

/// Templates rendered once per service (context: `profile` and `service`), each with whether
/// the service has that object. The test is here, on the typed model, rather than an
/// `{% if %}` around the template: a template is rendered only for services that have its
/// object (rendering the others into nothing was about 3% of a large render).
const SERVICE_TEMPLATES: &[(&str, &str, HasObject)] = &[
    (
        "serviceaccount.yaml",
        include_str!("../templates/serviceaccount.yaml"),
        |s| s.owns_service_account,
    ),
    ("role.yaml", include_str!("../templates/role.yaml"), |s| {
        !s.permissions.is_empty()
    }),
    ("rolebinding.yaml", include_str!("../templates/rolebinding.yaml"), |s| {
        !s.permissions.is_empty()
    }),
    ("deployment.yaml", include_str!("../templates/deployment.yaml"), |s| {
        matches!(s.kind, WorkloadKind::Web | WorkloadKind::Worker)
    }),
    ("cronjob.yaml", include_str!("../templates/cronjob.yaml"), |s| {
        s.kind == WorkloadKind::Cronjob
    }),
    ("job.yaml", include_str!("../templates/job.yaml"), |s| {
        s.kind == WorkloadKind::Job
    }),
    ("service.yaml", include_str!("../templates/service.yaml"), |s| {
        s.expose.is_some()
    }),
    (
        "horizontalpodautoscaler.yaml",
        include_str!("../templates/horizontalpodautoscaler.yaml"),
        // With KEDA triggers, KEDA owns the HPA: the service gets a ScaledObject instead.
        |s| s.autoscaling.as_ref().is_some_and(|a| a.triggers.is_empty()),
    ),
    (
        "scaledobject.yaml",
        include_str!("../templates/scaledobject.yaml"),
        |s| s.autoscaling.as_ref().is_some_and(|a| !a.triggers.is_empty()),
    ),
    (
        "verticalpodautoscaler.yaml",
        include_str!("../templates/verticalpodautoscaler.yaml"),
        |s| s.vertical_scaling.is_some(),
    ),
    (
        "poddisruptionbudget.yaml",
        include_str!("../templates/poddisruptionbudget.yaml"),
        |s| s.disruption_budget.is_some(),
    ),
    (
        "networkpolicy-service.yaml",
        include_str!("../templates/networkpolicy-service.yaml"),
        |_| true,
    ),
    (
        "servicemonitor.yaml",
        include_str!("../templates/servicemonitor.yaml"),
        |s| monitor_kind(s) == Some(MonitorKind::ServiceMonitor),
    ),
    ("podmonitor.yaml", include_str!("../templates/podmonitor.yaml"), |s| {
        monitor_kind(s) == Some(MonitorKind::PodMonitor)
    }),
    (
        "prometheusrule.yaml",
        include_str!("../templates/prometheusrule.yaml"),
        |s| s.alert_rules.is_some(),
    ),
];

/// Whether a service has the object a template renders.
type HasObject = fn(&Service) -> bool;

fn monitor_kind(service: &Service) -> Option<MonitorKind> {
    service.metrics.as_ref()?.monitor.as_ref().map(|m| m.kind)
}

/// Every embedded template: its name and source.
fn all_embedded() -> impl Iterator<Item = (&'static str, &'static str)> {
    let lists = LIST_TEMPLATES.iter().map(|(name, source, _)| (*name, *source));
    let services = SERVICE_TEMPLATES.iter().map(|(name, source, _)| (*name, *source));
    let namespace = NAMESPACE_TEMPLATES.iter().chain(PARTIALS).copied();
    namespace.chain(services).chain(lists)
}

/// The source of the embedded template `name`, if there is one.
fn embedded(name: &str) -> Option<&'static str> {
    all_embedded()
        .find(|(candidate, _)| *candidate == name)
        .map(|(_, source)| source)
}

pub struct Renderer {
    env: Environment<'static>,
    /// The Kubernetes version the objects are rendered for.
    kube_version: KubeVersion,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Json);
        // A missing value must fail the render, not become a `null` that the typed decode
        // would silently drop.
        env.set_formatter(|out, state, value| {
            if value.is_none() {
                return Err(minijinja::Error::new(
                    ErrorKind::InvalidOperation,
                    "the template prints a none value",
                ));
            }
            // JSON leaves U+2028, U+2029 and U+0085 as they are, but YAML reads them as line
            // breaks and folds them inside quotes: escape them too, so every string arrives
            // as that same string.
            if *state.auto_escape() == AutoEscape::Json && !value.is_safe() {
                // Most printed values are strings: written straight into the output, not first
                // into a string of their own. Only strings: bytes that happen to be UTF-8 are a
                // `str` too, but print as a list.
                if let Some(text) = value.as_str().filter(|_| value.kind() == ValueKind::String) {
                    return write_json_string(out, text).map_err(minijinja::Error::from);
                }
                let json = serde_json::to_string(value).map_err(|e| {
                    minijinja::Error::new(ErrorKind::BadSerialization, "cannot print a value as JSON").with_source(e)
                })?;
                return write_escaping_yaml_breaks(out, &json).map_err(minijinja::Error::from);
            }
            minijinja::escape_formatter(out, state, value)
        });
        // Block tags on lines of their own leave no blank lines or stray indentation behind.
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid");
        env.set_syntax(syntax);
        env.add_filter("indent", indent);
        // Each template is compiled the first time it is rendered: a profile uses about half
        // of them, and compiling all thirty took about a tenth of a small profile's render.
        // A template that does not parse is a build defect, which `embedded_templates_parse`
        // below catches.
        env.set_loader(|name| Ok(embedded(name)));
        env.set_auto_reload(false);
        Renderer {
            env,
            kube_version: KubeVersion::DEFAULT,
        }
    }

    /// A renderer for another Kubernetes version than the default.
    pub fn for_kube_version(kube_version: KubeVersion) -> Self {
        Renderer {
            kube_version,
            ..Self::new()
        }
    }

    pub fn kube_version(&self) -> KubeVersion {
        self.kube_version
    }

    /// The templates' `profile`: the model without its services, built once and shared by
    /// every template.
    pub fn context(model: &Model) -> Value {
        Value::from(Serde(model))
    }

    /// Renders every template; documents that render empty (e.g. no quota) are dropped.
    pub fn render(&self, model: &Model) -> Result<Vec<Rendered>, minijinja::Error> {
        let profile = Self::context(model);
        let mut out = self.render_namespace(&profile)?;
        for service in &model.services {
            out.extend(self.render_service(&profile, service)?);
        }
        Ok(out)
    }

    /// The namespace-wide documents.
    pub fn render_namespace(&self, profile: &Value) -> Result<Vec<Rendered>, minijinja::Error> {
        let mut out = Vec::with_capacity(NAMESPACE_TEMPLATES.len());
        for (name, _) in NAMESPACE_TEMPLATES {
            self.render_one(name, None, context! { profile => profile.clone() }, &mut out)?;
        }
        for (name, _, list) in LIST_TEMPLATES {
            let items = profile.get_attr(list)?;
            for item in items.try_iter()? {
                self.render_one(name, None, context! { profile => profile.clone(), item }, &mut out)?;
            }
        }
        Ok(out)
    }

    /// The documents of one service of the model `profile` was built from. The service's
    /// template value is built here, so that workers rendering services side by side build
    /// theirs side by side, and each is dropped once its documents are rendered.
    pub fn render_service(&self, profile: &Value, service: &Service) -> Result<Vec<Rendered>, minijinja::Error> {
        let value = Value::from(Serde(service));
        let mut out = Vec::with_capacity(SERVICE_TEMPLATES.len());
        for (template, _, applies) in SERVICE_TEMPLATES {
            if !applies(service) {
                continue;
            }
            let ctx = context! { profile => profile.clone(), service => value.clone() };
            self.render_one(template, Some(&service.name), ctx, &mut out)?;
        }
        Ok(out)
    }

    fn render_one(
        &self,
        name: &'static str,
        service: Option<&str>,
        ctx: Value,
        out: &mut Vec<Rendered>,
    ) -> Result<(), minijinja::Error> {
        let text = self.env.get_template(name)?.render(ctx)?;
        if !text.trim().is_empty() {
            out.push(Rendered {
                template: name,
                service: service.map(str::to_owned),
                text,
            });
        }
        Ok(())
    }
}

/// `text` as a JSON string literal, byte for byte as `serde_json` writes it, except that U+2028,
/// U+2029 and U+0085 are escaped too: YAML reads them as line breaks.
fn write_json_string(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.write_char('"')?;
    let (mut start, mut at) = (0, 0);
    while at < bytes.len() {
        let control_escape;
        let (escape, length): (&str, usize) = match bytes[at] {
            b'"' => ("\\\"", 1),
            b'\\' => ("\\\\", 1),
            b'\n' => ("\\n", 1),
            b'\r' => ("\\r", 1),
            b'\t' => ("\\t", 1),
            0x08 => ("\\b", 1),
            0x0c => ("\\f", 1),
            control @ 0x00..=0x1f => {
                let hex = |nibble: u8| char::from(HEX[usize::from(nibble)]);
                control_escape = format!("\\u00{}{}", hex(control >> 4), hex(control & 0xf));
                (control_escape.as_str(), 1)
            }
            0xe2 | 0xc2 => match yaml_line_break(&bytes[at..]) {
                Some(escape) => escape,
                None => {
                    at += 1;
                    continue;
                }
            },
            _ => {
                at += 1;
                continue;
            }
        };
        // Every escape starts at an ASCII byte or at the first byte of a character.
        out.write_str(&text[start..at])?;
        out.write_str(escape)?;
        at += length;
        start = at;
    }
    out.write_str(&text[start..])?;
    out.write_char('"')
}

/// JSON text (a map or a list serde_json wrote) with U+2028, U+2029 and U+0085 escaped, which
/// serde_json leaves as they are inside its strings.
fn write_escaping_yaml_breaks(out: &mut impl std::fmt::Write, json: &str) -> std::fmt::Result {
    let bytes = json.as_bytes();
    let mut start = 0;
    // Each of them starts with byte E2 or C2, found many bytes at a time: nearly every value
    // has neither and is written whole.
    for at in crate::byte_search::positions_of_either(0xe2, 0xc2, bytes) {
        if let Some((escape, length)) = yaml_line_break(&bytes[at..]) {
            // `at` starts a character, so both slices end on character boundaries.
            out.write_str(&json[start..at])?;
            out.write_str(escape)?;
            start = at + length;
        }
    }
    out.write_str(&json[start..])
}

/// The JSON escape of the line break YAML knows and JSON does not that `bytes` start with, if
/// any, and its length in UTF-8: U+2028 (E2 80 A8), U+2029 (E2 80 A9) or U+0085 (C2 85).
fn yaml_line_break(bytes: &[u8]) -> Option<(&'static str, usize)> {
    match bytes {
        [0xe2, 0x80, 0xa8, ..] => Some(("\\u2028", 3)),
        [0xe2, 0x80, 0xa9, ..] => Some(("\\u2029", 3)),
        [0xc2, 0x85, ..] => Some(("\\u0085", 2)),
        _ => None,
    }
}

/// The templates' `indent(width, first, blank)`: minijinja's own filter, the same text out,
/// written straight into a string of the final size. It re-indents every workload's pod template,
/// and the builtin formats each line through `write!` into a string that grows as it goes
/// (about 3% of a large render).
fn indent(value: &Value, width: usize, first: Option<bool>, blank: Option<bool>) -> Value {
    fn strip_trailing_newline(text: &str) -> &str {
        let text = text.strip_suffix('\n').unwrap_or(text);
        text.strip_suffix('\r').unwrap_or(text)
    }
    let owned;
    let text = match value.as_str() {
        Some(text) => text,
        None => {
            owned = value.to_string();
            &owned
        }
    };
    let input = strip_trailing_newline(text);
    let mut out = String::with_capacity(input.len() + width * (input.matches('\n').count() + 1) + 1);
    let mut lines = input.split('\n');
    if !first.unwrap_or(false) {
        out.push_str(lines.next().unwrap_or_default());
        out.push('\n');
    }
    for line in lines {
        // A blank line in CRLF text is a lone "\r" after splitting on '\n'.
        let is_blank = line.is_empty() || line == "\r";
        if !is_blank || blank.unwrap_or(false) {
            out.extend(std::iter::repeat_n(' ', width));
        }
        out.push_str(line);
        out.push('\n');
    }
    out.truncate(strip_trailing_newline(&out).len());
    if value.is_safe() {
        Value::from_safe_string(out)
    } else {
        Value::from(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// serde_json's string literal, with the three YAML line breaks escaped as well.
    fn expected_json(value: impl serde::Serialize) -> String {
        serde_json::to_string(&value)
            .unwrap()
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
            .replace('\u{85}', "\\u0085")
    }

    fn json_string(text: &str) -> String {
        let mut out = String::new();
        write_json_string(&mut out, text).unwrap();
        out
    }

    #[test]
    fn json_strings_escape_what_serde_json_escapes_and_the_yaml_line_breaks() {
        for text in [
            "",
            "plain",
            "a\"b\\c",
            "\u{0}\u{1f}\u{7f}\u{8}\u{c}\n\r\t",
            "x\u{2028}y\u{2029}z\u{85}",
            "é€😀",
            // Near misses: other characters whose first byte is E2 or C2.
            "\u{2027}\u{202a}\u{2000}\u{84}\u{86}\u{a0}©",
        ] {
            assert_eq!(json_string(text), expected_json(text), "{text:?}");
            // The same characters in a map and a list, written by serde_json.
            let value = serde_json::json!({ text: [text, 1] });
            let mut out = String::new();
            write_escaping_yaml_breaks(&mut out, &serde_json::to_string(&value).unwrap()).unwrap();
            assert_eq!(out, expected_json(&value), "{text:?} in a map");
        }
    }

    proptest! {
        #[test]
        fn json_strings_match_serde_json(text in "(\\PC|[\\x00-\\x1f\"\\\\\u{80}-\u{bf}\u{2000}-\u{203f}])*") {
            prop_assert_eq!(json_string(&text), expected_json(&text));
        }

        /// Maps and lists, as serde_json writes them, with the same three breaks escaped.
        #[test]
        fn json_collections_escape_the_yaml_line_breaks(text in "(\\PC|[\u{80}-\u{bf}\u{2000}-\u{203f}])*") {
            let value = serde_json::json!({ text.clone(): [text.clone(), 1] });
            let mut out = String::new();
            write_escaping_yaml_breaks(&mut out, &serde_json::to_string(&value).unwrap()).unwrap();
            prop_assert_eq!(out, expected_json(&value));
        }
    }

    /// The profiles whose whole output `tests/profiles.rs` snapshots (`PROFILES` and `EXAMPLES`
    /// of `tests/common/mod.rs`).
    const SNAPSHOTTED: &[&str] = &[
        "profiles/dev.yaml",
        "profiles/prod.yaml",
        "profiles/quarantine.yaml",
        "examples/analytics-hub/prod.yaml",
        "examples/analytics-hub/infra.yaml",
        "examples/chat4all/prod.yaml",
        "examples/fastapi-example-service/prod.yaml",
        "examples/llm-cost-ops/dev.yaml",
        "examples/llm-cost-ops/prod.yaml",
        "tests/fixtures/every-kind.yaml",
        "tests/fixtures/gateway-routes.yaml",
    ];

    /// Each template's test in `SERVICE_TEMPLATES` holds for some service of the snapshotted
    /// profiles and fails for another, so their snapshots pin every test both ways: a test that
    /// goes wrong adds or drops an object in a snapshot.
    #[test]
    fn every_service_template_is_both_rendered_and_skipped_in_the_snapshots() {
        let mut services = Vec::new();
        for path in SNAPSHOTTED {
            let profile = crate::locate::ProfileFile {
                name: (*path).to_owned(),
                path: camino::Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path),
                overrides: Vec::new(),
            };
            let Ok(built) = crate::pipeline::build(&profile, &Renderer::new()) else {
                panic!("{path} builds")
            };
            services.extend(built.model.services);
        }
        for (template, _, has_object) in SERVICE_TEMPLATES {
            let with = services.iter().filter(|s| has_object(s)).count();
            assert!(with > 0, "no snapshotted service has {template}");
            if *template != "networkpolicy-service.yaml" {
                assert!(with < services.len(), "every snapshotted service has {template}");
            }
        }
    }

    #[test]
    fn indent_writes_what_minijinjas_own_indent_writes() {
        // Escaping as the renderer does: a safe (captured) text must stay safe, else it is quoted.
        let env = || {
            let mut env = Environment::new();
            env.set_auto_escape_callback(|_| AutoEscape::Json);
            env
        };
        let mut ours = env();
        ours.add_filter("indent", indent);
        let builtin = env();
        let texts = [
            "",
            "\n",
            "\r\n",
            "a",
            "a\n",
            "a\nb",
            "a\n\nb\n",
            "a\r\n\r\nb\r\n",
            "\n\na\n\n",
            "  x:\n    - y\n",
        ];
        let calls = [
            "indent(4, true)",
            "indent(2)",
            "indent(0, true)",
            "indent(3, false, true)",
            "indent(6, true, true)",
        ];
        for text in texts {
            for call in calls {
                for safe in [false, true] {
                    let value = if safe {
                        Value::from_safe_string(text.to_owned())
                    } else {
                        Value::from(text)
                    };
                    let template = format!("[{{{{ v|{call} }}}}]");
                    let render =
                        |env: &Environment| env.render_str(&template, context! { v => value.clone() }).unwrap();
                    assert_eq!(render(&ours), render(&builtin), "{text:?} | {call}, safe: {safe}");
                }
            }
        }
    }

    #[test]
    fn embedded_templates_parse() {
        let renderer = Renderer::new();
        let names: std::collections::BTreeSet<&str> = all_embedded().map(|(name, _)| name).collect();
        assert_eq!(
            names.len(),
            all_embedded().count(),
            "each template name is embedded once"
        );
        for name in &names {
            if let Err(error) = renderer.env.get_template(name) {
                panic!("embedded template {name} is invalid: {error:#}");
            }
        }
        let templates_dir = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")).unwrap();
        assert_eq!(
            names.len(),
            templates_dir.count(),
            "every file in templates/ is embedded"
        );
        assert!(renderer.env.get_template("no-such.yaml").is_err());
    }

    #[test]
    fn printing_a_missing_value_fails_the_render() {
        let mut renderer = Renderer::new();
        renderer.env.add_template("t", "image: {{ service.image }}\n").unwrap();
        let error = renderer
            .env
            .get_template("t")
            .unwrap()
            .render(context! { service => context! { image => () } })
            .unwrap_err();
        assert!(error.to_string().contains("none value"), "{error}");
    }

    #[test]
    fn interpolated_strings_cannot_break_structure() {
        // The renderer's own environment: its escaping is what keeps documents intact.
        let mut env = Renderer::new().env;
        env.add_template("t", "key: {{ v }}\n").unwrap();
        for hostile in [
            "x\nkind: Secret\n---\nevil: [1, 2]",
            // Line breaks YAML knows and JSON does not: folded if left unescaped.
            "a \u{2028} b \u{2029} c \u{85} d",
            "'quoted' \"double\" \\ back # not a comment: {flow}",
        ] {
            let text = env
                .get_template("t")
                .unwrap()
                .render(context! { v => hostile })
                .unwrap();
            let parsed: serde_json::Value = serde_yaml::from_str(&text).unwrap();
            assert_eq!(parsed, serde_json::json!({ "key": hostile }), "{text}");
            // Inside a map or a list, which print through serde_json, the same.
            let nested = serde_json::json!({ "labels": { "k": hostile }, "items": [hostile, 1] });
            let text = env
                .get_template("t")
                .unwrap()
                .render(context! { v => Value::from(Serde(&nested)) })
                .unwrap();
            let parsed: serde_json::Value = serde_yaml::from_str(&text).unwrap();
            assert_eq!(parsed, serde_json::json!({ "key": nested }), "{text}");
        }
    }
}
