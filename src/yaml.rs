//! A small YAML writer for Kubernetes objects that every YAML 1.1 and 1.2 reader reads back
//! with the same types.
//!
//! serde_yaml leaves strings such as `on`, `no`, `1_000` or `2024-01-01` unquoted, and kubectl and
//! PyYAML (YAML 1.1) then read them as booleans, numbers or dates. Here a string is written plain
//! only when it cannot be anything but a string in either version; everything else is
//! double-quoted. Output is block style, two-space indent, lists at their parent's indent (as
//! kubectl prints them), keys in the order the value holds them.

use serde_json::Value;

pub fn write_document(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => write_map(map, 0, false, out),
        Value::Array(items) if !items.is_empty() => write_seq(items, 0, out),
        scalar => {
            write_scalar(scalar, out);
            out.push('\n');
        }
    }
}

/// `after_dash`: the map is a list item, so its first key shares the line with the `- `.
fn write_map(map: &serde_json::Map<String, Value>, indent: usize, after_dash: bool, out: &mut String) {
    for (index, (key, value)) in map.iter().enumerate() {
        if index > 0 || !after_dash {
            push_indent(indent, out);
        }
        write_string(key, out);
        out.push(':');
        write_nested(value, indent, out);
    }
}

fn write_seq(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        push_indent(indent, out);
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(map, indent + 2, true, out),
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(inner, indent + 2, out);
            }
            scalar => {
                write_scalar(scalar, out);
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:`: a scalar on the same line, or a block on the next lines.
fn write_nested(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(map, indent + 2, false, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(items, indent, out);
        }
        scalar => {
            out.push(' ');
            write_scalar(scalar, out);
            out.push('\n');
        }
    }
}

fn push_indent(indent: usize, out: &mut String) {
    const SPACES: &str = "                                                                ";
    let mut left = indent;
    while left > 0 {
        let n = left.min(SPACES.len());
        out.push_str(&SPACES[..n]);
        left -= n;
    }
}

fn write_scalar(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(s, out),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn write_string(s: &str, out: &mut String) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else {
        write_quoted(s, out);
    }
}

/// Words that YAML 1.1 or 1.2 readers turn into booleans or null, in any case.
const RESERVED_WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];

/// A string may be written plain only if it starts with a letter or `/`, holds nothing but letters,
/// digits and `-_./`, and is not a reserved word. Anything starting with a digit, sign or dot
/// (numbers, dates, times, `.inf`) or holding `:`, `#`, spaces or flow characters is quoted.
fn is_plain_safe(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        // The longest reserved word has five letters.
        && (s.len() > 5 || !RESERVED_WORDS.iter().any(|word| s.eq_ignore_ascii_case(word)))
}

fn write_quoted(s: &str, out: &mut String) {
    out.push('"');
    // Most quoted strings (quantities, paths, ports) need no escape at all.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Control characters, and the line breaks YAML 1.1 folds inside quotes (NEL, LS,
            // PS) or strips (BOM), are escaped so they survive every reader.
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let code = c as u32;
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.push_str(&format!("\\u{code:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn emit(value: &Value) -> String {
        let mut out = String::new();
        write_document(value, &mut out);
        out
    }

    #[test]
    fn writes_block_style_with_kubectl_list_indent() {
        let value = json!({"a": {"b": [{"c": 1, "d": [true]}, "x"], "e": {}, "f": []}});
        assert_eq!(
            emit(&value),
            "a:\n  b:\n  - c: 1\n    d:\n    - true\n  - x\n  e: {}\n  f: []\n"
        );
    }

    #[test]
    fn quotes_every_string_a_yaml_1_1_reader_would_retype() {
        for s in [
            "on",
            "No",
            "YES",
            "y",
            "~",
            "null",
            "1_000",
            "0o17",
            "012",
            "2024-01-01",
            "1:20",
            "1e3",
            ".inf",
            "-",
            "",
            " x",
            "a: b",
            "#c",
            "250m",
            "@x",
            "*a",
            "!t",
        ] {
            let text = emit(&json!({ "k": s }));
            assert!(text.starts_with("k: \""), "{s:?} was written {text:?}");
            let back: serde_json::Value = serde_yaml::from_str(&text).unwrap();
            assert_eq!(back["k"], json!(s), "{s:?}");
        }
    }

    #[test]
    fn leaves_ordinary_words_plain() {
        assert_eq!(
            emit(&json!({"app.kubernetes.io/name": "auth-service"})),
            "app.kubernetes.io/name: auth-service\n"
        );
    }

    #[test]
    fn escapes_line_breaks_that_yaml_1_1_would_fold() {
        let s = "a\u{2028}b\u{85}c\n\u{1}";
        let text = emit(&json!({ "k": s }));
        assert_eq!(text, "k: \"a\\u2028b\\x85c\\n\\x01\"\n");
        let back: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(back["k"], json!(s));
    }
}
