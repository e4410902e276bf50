//! Findings about a profile, and how they are shown to a person.
//!
//! Every stage reports problems as [`Diagnostic`]s instead of failing on the first one, so a
//! user sees everything that is wrong with a profile in one run.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A place in a profile file, 1-based like editors count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable kebab-case code, e.g. `unknown-field`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The profile file the finding is about.
    pub file: Option<String>,
    pub position: Option<Position>,
    /// Dotted YAML path inside the profile, e.g. `services.auth-service.replicas`.
    pub yaml_path: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
    /// For findings on rendered objects: `Kind/namespace/name`.
    pub object: Option<String>,
    /// For findings on rendered objects: the field path inside the object.
    pub field: Option<String>,
    /// The service the finding is about, if any: waivers target services by name.
    pub service: Option<String>,
    /// For a finding in a base file: the profile that extends it, where the value took effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_by: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        // Every code must be explainable by `gen explain`; tests run with debug assertions.
        debug_assert!(
            crate::rules::catalog::lookup(code).is_some(),
            "finding code `{code}` is not in the catalogue"
        );
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            file: None,
            position: None,
            yaml_path: None,
            hint: None,
            object: None,
            field: None,
            service: None,
            inherited_by: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Points at `yaml_path` in the profile, or at its nearest ancestor the file has (a
    /// setting that came from a default points at the service that inherited it).
    pub fn at(mut self, source: &SourceFile, yaml_path: &str) -> Self {
        let origin = source.origin_path(yaml_path);
        let located = source.exact_location(&origin);
        let file = located.map_or(0, |l| l.file);
        self.file = Some(source.file_name(file).to_owned());
        self.position = located.map(|l| l.position);
        self.inherited_by = source.is_base(file).then(|| source.display_path.clone());
        self.yaml_path = Some(origin).filter(|p| !p.is_empty());
        self
    }

    pub fn at_position(mut self, source: &SourceFile, position: Position) -> Self {
        self.file = Some(source.display_path.clone());
        self.position = Some(position);
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Renders the finding like a compiler does: headline, location, the offending line with a
    /// caret under the column, then the hint.
    pub fn render(&self, source: Option<&SourceFile>) -> String {
        let mut out = format!("{}[{}]: {}\n", self.severity, self.code, self.message);
        if let Some(file) = &self.file {
            let location = match self.position {
                Some(p) => format!("{file}:{}:{}", p.line, p.column),
                None => file.clone(),
            };
            let path = self
                .yaml_path
                .as_ref()
                .map(|p| format!(" (at `{p}`)"))
                .unwrap_or_default();
            let _ = writeln!(out, "  --> {location}{path}");
        }
        if let Some(object) = &self.object {
            let field = self.field.as_ref().map(|f| format!(" at `{f}`")).unwrap_or_default();
            let _ = writeln!(out, "  = object: {object}{field}");
        }
        if let (Some(source), Some(position), Some(file)) = (source, self.position, &self.file)
            && let Some(line) = source.line_in(file, position.line)
        {
            // A hostile line (25,000 `- `) is shown around the column, not whole.
            let (text, position) = excerpt(line, position);
            let text = text.as_str();
            let number = position.line.to_string();
            let gutter = " ".repeat(number.len());
            let caret_pad: String = text
                .chars()
                .take(position.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let underline = "^".repeat(token_width(text, position.column));
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{number} | {text}");
            let _ = writeln!(out, "{gutter} | {caret_pad}{underline}");
        }
        if let (Some(overlay), Some(file)) = (&self.inherited_by, &self.file) {
            let _ = writeln!(out, "  = note: set in {file}, which {overlay} extends");
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = help: {hint}");
        }
        out
    }
}

/// Lines longer than this many characters are quoted only around the column.
const QUOTED_MAX: usize = 240;

/// `line`, or for a very long one the part around `position` with `…` for what is cut, and the
/// column within that part.
fn excerpt(line: &str, position: Position) -> (String, Position) {
    let length = line.chars().count();
    if length <= QUOTED_MAX {
        return (line.to_owned(), position);
    }
    let column = position.column.max(1);
    let start = column
        .saturating_sub(QUOTED_MAX / 2)
        .min(length.saturating_sub(QUOTED_MAX));
    let mut text: String = line.chars().skip(start).take(QUOTED_MAX).collect();
    let mut column = column - start;
    if start > 0 {
        text.insert(0, '…');
        column += 1;
    }
    if start + QUOTED_MAX < length {
        text.push('…');
    }
    (
        text,
        Position {
            line: position.line,
            column,
        },
    )
}

/// How many characters to underline: the key or value that starts at `column`.
fn token_width(line: &str, column: usize) -> usize {
    let token = line
        .chars()
        .skip(column.saturating_sub(1))
        .take_while(|c| !c.is_whitespace() && !matches!(c, ':' | ',' | '}' | ']' | '#'))
        .count();
    token.max(1)
}

/// Sorts findings the way people read them: errors first, then by file and position.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.severity, &a.file, a.position, a.code, &a.message)
            .cmp(&(b.severity, &b.file, b.position, b.code, &b.message))
    });
}

/// Drops findings that say the same thing about the same place: a mistake in
/// `serviceDefaults` is found once per service that inherits it, but is one mistake.
pub fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|d| seen.insert((d.code, d.yaml_path.clone(), d.object.clone(), d.message.clone())));
}

/// Merges the findings that several services inherit from one `serviceDefaults` setting into
/// one, at that setting, naming the services: one mistake, reported once where it was made.
pub fn merge_inherited(diagnostics: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<(&'static str, Severity, String, String), usize> =
        std::collections::HashMap::new();
    let mut services: Vec<Vec<String>> = vec![Vec::new(); diagnostics.len()];
    let mut keep = vec![true; diagnostics.len()];
    for (index, d) in diagnostics.iter().enumerate() {
        let (Some(path), Some(service)) = (&d.yaml_path, &d.service) else {
            continue;
        };
        if !path.starts_with("serviceDefaults.") {
            continue;
        }
        let key = (d.code, d.severity, path.clone(), d.message.clone());
        let at = *first.entry(key).or_insert(index);
        services[at].push(service.clone());
        keep[index] = at == index;
    }
    for (index, d) in diagnostics.iter_mut().enumerate() {
        if keep[index] && services[index].len() > 1 {
            d.message = format!(
                "{} (set in `serviceDefaults`, inherited by {} services: {})",
                d.message,
                services[index].len(),
                services[index].join(", ")
            );
            // The finding is about the setting, not about one service's object.
            d.object = None;
            d.field = None;
        }
    }
    let mut index = 0;
    diagnostics.retain(|_| {
        index += 1;
        keep[index - 1]
    });
}

/// Returns the candidate closest to `word`, if it is close enough to be a likely typo: similar
/// by Jaro-Winkler, or one edit away (a letter wrong, missing, extra, or two swapped, which
/// Jaro-Winkler misses in short words such as `tsl` for `tls`).
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, candidate)| {
            *score > 0.8 || (word.chars().count() >= 3 && strsim::osa_distance(word, candidate) <= 1)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = ["replicas", "resources", "image"];
        assert_eq!(did_you_mean("replicsa", keys), Some("replicas"));
        assert_eq!(did_you_mean("imgae", keys), Some("image"));
        assert_eq!(did_you_mean("tolerations", keys), None);
        assert_eq!(did_you_mean("tsl", ["host", "className", "tls", "routes"]), Some("tls"));
        assert_eq!(
            did_you_mean("tcp", ["tls", "host"]),
            None,
            "two edits from `tls` is no slip"
        );
    }

    #[test]
    fn quotes_a_very_long_line_around_the_column() {
        let line = "- ".repeat(25_000);
        let (text, at) = excerpt(&line, Position { line: 3, column: 2001 });
        assert_eq!(text.chars().count(), QUOTED_MAX + 2);
        assert!(text.starts_with('…') && text.ends_with('…'));
        assert_eq!(text.chars().nth(at.column - 1), Some('-'));
        assert_eq!(at.column, QUOTED_MAX / 2 + 1);
        let (short, at) = excerpt("a: b", Position { line: 1, column: 4 });
        assert_eq!((short.as_str(), at.column), ("a: b", 4));
        let (start, at) = excerpt(&line, Position { line: 3, column: 63 });
        assert!(!start.starts_with('…') && start.ends_with('…'));
        assert_eq!(at.column, 63);
    }

    #[test]
    fn underlines_the_token_at_the_column() {
        assert_eq!(token_width("    replicsa: 3", 5), 8);
        assert_eq!(token_width("  - {path: /x, service: ai}", 25), 2);
        assert_eq!(token_width("", 1), 1);
    }

    #[test]
    fn errors_sort_before_warnings() {
        let mut list = vec![
            Diagnostic {
                severity: Severity::Warning,
                ..Diagnostic::error("liveness-without-startup", "w")
            },
            Diagnostic::error("unknown-field", "e"),
        ];
        sort(&mut list);
        assert_eq!(list[0].severity, Severity::Error);
    }
}
