//! Printing findings: for people (colour on a terminal, NO_COLOR honoured), as JSON, and as
//! SARIF 2.1.0 for code scanning.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::diagnostics::{Diagnostic, Severity};
use crate::pipeline::Report;
use crate::rules::catalog::{self, RULES};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

/// Whether to colour output for this stream: only on a terminal, never with NO_COLOR set.
pub fn use_colour(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn paint(text: &str, ansi: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[{ansi}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn headline_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
    }
}

/// One finding as a person reads it.
pub fn human_finding(diagnostic: &Diagnostic, report: Option<&Report>, colour: bool) -> String {
    let text = diagnostic.render(report.and_then(|r| r.source.as_ref()));
    let label = format!("{}[{}]", diagnostic.severity, diagnostic.code);
    text.replacen(&label, &paint(&label, headline_colour(diagnostic.severity), colour), 1)
}

/// Findings of several profiles, errors first within each, then the waived ones, then a summary.
pub fn human(reports: &[Report], colour: bool) -> String {
    let mut out = String::new();
    for report in reports {
        for finding in &report.findings {
            out.push_str(&human_finding(finding, Some(report), colour));
            out.push('\n');
        }
        if !report.waived.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                paint(
                    &format!("waived in {} ({}):", report.file, report.waived.len()),
                    "1",
                    colour
                )
            );
            for waived in &report.waived {
                let finding = &waived.finding;
                let subject = finding
                    .object
                    .as_deref()
                    .or(finding.service.as_deref())
                    .unwrap_or(&report.profile);
                let _ = writeln!(
                    out,
                    "  {} {subject}: {}\n    reason: {}",
                    finding.code, finding.message, waived.reason
                );
            }
            out.push('\n');
        }
        if !report.capacity.is_empty() {
            let _ = writeln!(
                out,
                "capacity at full scale in {} (every autoscaler at its maximum, rollouts surging, every cronjob and job running):",
                report.file
            );
            for line in &report.capacity {
                let _ = writeln!(out, "  {line}");
            }
            out.push('\n');
        }
    }
    for report in reports {
        let _ = writeln!(
            out,
            "{}: {}",
            report.profile,
            counts(
                report.count(Severity::Error),
                report.count(Severity::Warning),
                report.waived.len()
            )
        );
    }
    out
}

pub fn counts(errors: usize, warnings: usize, waived: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {waived} waived",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

pub fn json(reports: &[Report]) -> Value {
    let profiles: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "profile": r.profile,
                "file": r.file,
                "errors": r.count(Severity::Error),
                "warnings": r.count(Severity::Warning),
                "findings": r.findings,
                "waived": r.waived,
            })
        })
        .collect();
    let total = |f: &dyn Fn(&Report) -> usize| reports.iter().map(f).sum::<usize>();
    json!({
        "profiles": profiles,
        "summary": {
            "errors": total(&|r| r.count(Severity::Error)),
            "warnings": total(&|r| r.count(Severity::Warning)),
            "waived": total(&|r| r.waived.len()),
        },
    })
}

fn sarif_level(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Error) => "error",
        Some(Severity::Warning) => "warning",
        None => "none",
    }
}

/// A SARIF artifact URI for a path: relative paths stay relative, absolute ones become `file://`.
fn artifact_uri(path: &str) -> String {
    let encoded: String = path
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_owned(),
            '%' => "%25".to_owned(),
            '#' => "%23".to_owned(),
            '?' => "%3F".to_owned(),
            '\\' => "/".to_owned(),
            c => c.to_string(),
        })
        .collect();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn sarif_result(diagnostic: &Diagnostic, report: &Report, suppression: Option<&str>) -> Value {
    let rule_index = RULES.iter().position(|r| r.code == diagnostic.code);
    let mut message = diagnostic.message.clone();
    if let Some(hint) = &diagnostic.hint {
        message.push_str(&format!(" (help: {hint})"));
    }
    let mut physical =
        json!({ "artifactLocation": { "uri": artifact_uri(diagnostic.file.as_deref().unwrap_or(&report.file)) } });
    if let Some(position) = diagnostic.position {
        physical["region"] = json!({ "startLine": position.line, "startColumn": position.column });
    }
    let mut location = json!({ "physicalLocation": physical });
    if let Some(object) = &diagnostic.object {
        let name = match &diagnostic.field {
            Some(field) => format!("{object}:{field}"),
            None => object.clone(),
        };
        location["logicalLocations"] = json!([{ "fullyQualifiedName": name, "kind": "object" }]);
    }
    let mut result = json!({
        "ruleId": diagnostic.code,
        "level": sarif_level(Some(diagnostic.severity)),
        "message": { "text": message },
        "locations": [location],
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(reason) = suppression {
        result["suppressions"] = json!([{ "kind": "inSource", "justification": reason }]);
    }
    result
}

/// One SARIF run for all profiles; waived findings are results with an in-source suppression.
pub fn sarif(reports: &[Report]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.explanation },
                "help": { "text": format!("{} Run `gen explain {}` for more.", rule.explanation, rule.code) },
                "defaultConfiguration": { "level": sarif_level(rule.severity.prod.or(rule.severity.quarantine).or(rule.severity.dev)) },
                "properties": { "kind": rule.kind },
            })
        })
        .collect();
    let mut results = Vec::new();
    for report in reports {
        results.extend(report.findings.iter().map(|d| sarif_result(d, report, None)));
        results.extend(
            report
                .waived
                .iter()
                .map(|w| sarif_result(&w.finding, report, Some(&w.reason))),
        );
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "gen", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    })
}

/// `gen explain CODE`.
pub fn explain(code: &str) -> Option<String> {
    let rule = catalog::lookup(code)?;
    let tier = |s: Option<Severity>| s.map_or("off".to_owned(), |s| s.to_string());
    let severity = &rule.severity;
    let waivable = match rule.kind {
        catalog::RuleKind::Policy => "yes, per target in the profile's `waivers`, with a reason",
        catalog::RuleKind::Schema => "no: the profile must be fixed",
    };
    Some(format!(
        "{code}: {}\n\n{}\n\nseverity: dev {}, prod {}, quarantine {}\nwaivable: {waivable}\n",
        rule.summary,
        textwrap(rule.explanation, 88),
        tier(severity.dev),
        tier(severity.prod),
        tier(severity.quarantine),
    ))
}

/// `gen rules`: the catalogue, one line per rule.
pub fn rules_table() -> String {
    let width = RULES.iter().map(|r| r.code.len()).max().unwrap_or(0);
    let mut out = String::new();
    let tier = |s: Option<Severity>| match s {
        Some(Severity::Error) => "E",
        Some(Severity::Warning) => "W",
        None => "-",
    };
    let _ = writeln!(out, "{:width$}  kind    dev prod quar  summary", "code");
    for rule in RULES {
        let kind = match rule.kind {
            catalog::RuleKind::Schema => "schema",
            catalog::RuleKind::Policy => "policy",
        };
        let s = &rule.severity;
        let _ = writeln!(
            out,
            "{:width$}  {kind}  {:>3} {:>4} {:>4}  {}",
            rule.code,
            tier(s.dev),
            tier(s.prod),
            tier(s.quarantine),
            rule.summary
        );
    }
    let _ = writeln!(
        out,
        "\nE error, W warning, - off. `gen explain CODE` tells why a rule matters and how to fix it."
    );
    out
}

fn textwrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_or_file_urls() {
        assert_eq!(artifact_uri("profiles/prod.yaml"), "profiles/prod.yaml");
        assert_eq!(artifact_uri("/tmp/my profile.yaml"), "file:///tmp/my%20profile.yaml");
    }

    #[test]
    fn explains_every_rule_and_nothing_else() {
        for rule in RULES {
            assert!(explain(rule.code).unwrap().starts_with(rule.code));
        }
        assert_eq!(explain("no-such-rule"), None);
    }

    #[test]
    fn colour_only_on_terminals() {
        assert!(!use_colour(false));
        assert_eq!(paint("x", "1", false), "x");
        assert_eq!(paint("x", "1", true), "\x1b[1mx\x1b[0m");
    }
}
