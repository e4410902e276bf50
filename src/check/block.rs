//! A fast reader for the YAML the templates produce, which is a small corner of YAML: block
//! mappings and kubectl-style block sequences, keys and plain scalars made of letters, digits
//! and `-_./`, and JSON (what `{{ value }}` prints) for everything else.
//!
//! It reads a document into the [`Value`] serde_yaml would read, or gives up (`None`) on
//! anything outside that corner, and the caller then uses serde_yaml itself. It never has to
//! know YAML's dark corners because it never guesses: a construct it does not fully
//! understand (tabs, comments after a value, multi-line scalars, anchors, tags, quoting
//! other than JSON's, a duplicate key, a scalar that might not be a string...) is a refusal,
//! not a reading. The unit tests and a property test hold it to serde_yaml's reading.

use serde_json::{Map, Number, Value};

/// The document as serde_yaml reads it, or `None` if it is outside what this reader handles.
pub fn parse(text: &str) -> Option<Value> {
    if !printable(text) {
        return None;
    }
    let mut lines = Vec::with_capacity(128);
    for line in text.split('\n') {
        let content = line.trim_start_matches(' ');
        // Blank lines and whole-line comments carry nothing in block context.
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        lines.push(Line {
            indent: line.len() - content.len(),
            text: content,
        });
    }
    let first = lines.first()?;
    if first.indent != 0 {
        return None;
    }
    let mut parser = Parser { lines, at: 0 };
    let value = parser.node(0)?;
    (parser.at == parser.lines.len()).then_some(value)
}

/// No tabs, carriage returns or other characters libyaml rejects or treats specially.
fn printable(text: &str) -> bool {
    if text.is_ascii() {
        return text.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b));
    }
    // U+2028 and U+2029 are line breaks to YAML (libyaml folds them inside quotes); NEL is
    // outside the ranges already.
    text.chars().all(|c| {
        matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
            && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
    })
}

#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    /// The line without its indentation; never empty.
    text: &'a str,
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    at: usize,
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

impl Parser<'_> {
    /// The node whose first line is the current one, at `indent`.
    fn node(&mut self, indent: usize) -> Option<Value> {
        let line = *self.lines.get(self.at)?;
        debug_assert_eq!(line.indent, indent);
        if is_item(line.text) {
            return self.sequence(indent);
        }
        if split_key(line.text).is_some() {
            return self.mapping(indent);
        }
        // A lone scalar: the next line must not continue it.
        self.at += 1;
        if self.lines.get(self.at).is_some_and(|next| next.indent > indent) {
            return None;
        }
        scalar(line.text)
    }

    fn sequence(&mut self, indent: usize) -> Option<Value> {
        let mut items = Vec::new();
        while let Some(&line) = self.lines.get(self.at) {
            if line.indent < indent || (line.indent == indent && !is_item(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let rest = line.text[1..].trim_start_matches(' ');
            if rest.is_empty() {
                // `-` alone: an item on the following lines, or null. Rare; leave it to serde_yaml.
                return None;
            }
            // The item's content starts after `- `: read it as if it were indented that far.
            let item_indent = indent + (line.text.len() - rest.len());
            self.lines[self.at] = Line {
                indent: item_indent,
                text: rest,
            };
            items.push(self.node(item_indent)?);
        }
        Some(Value::Array(items))
    }

    fn mapping(&mut self, indent: usize) -> Option<Value> {
        let mut map = Map::new();
        while let Some(&line) = self.lines.get(self.at) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(line.text) {
                return None;
            }
            let (key, rest) = split_key(line.text)?;
            self.at += 1;
            let value = if rest.is_empty() {
                match self.lines.get(self.at) {
                    Some(next) if next.indent > indent => self.node(next.indent)?,
                    // kubectl style: a list at its parent key's indentation.
                    Some(next) if next.indent == indent && is_item(next.text) => self.sequence(indent)?,
                    // `key:` with nothing is null; serde_yaml can say so.
                    _ => return None,
                }
            } else {
                let value = scalar(rest)?;
                if self.lines.get(self.at).is_some_and(|next| next.indent > indent) {
                    return None;
                }
                value
            };
            if map.insert(key, value).is_some() {
                return None;
            }
        }
        Some(Value::Object(map))
    }
}

/// `key: rest` or `key:` (rest empty), the key plain or a JSON string.
fn split_key(text: &str) -> Option<(String, &str)> {
    let (key, after) = if text.starts_with('"') {
        let end = json_string_end(text)?;
        let key: String = serde_json::from_str(&text[..end]).ok()?;
        (key, &text[end..])
    } else {
        let end = text.bytes().position(|b| !is_plain_byte(b)).unwrap_or(text.len());
        let key = &text[..end];
        if !is_plain_string(key) {
            return None;
        }
        (key.to_owned(), &text[end..])
    };
    let rest = after.strip_prefix(':')?;
    if rest.is_empty() {
        return Some((key, rest));
    }
    let value = rest.strip_prefix(' ')?.trim_start_matches(' ');
    Some((key, value))
}

/// The length of the JSON string that starts `text`, closing quote included.
fn json_string_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn is_plain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/')
}

/// Words YAML 1.1 or 1.2 readers take for something other than a string, in any case.
const RESERVED_WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];

/// A plain scalar that every YAML reader takes for exactly this string: it starts with a
/// letter or `/`, holds only letters, digits and `-_./`, and is no reserved word.
fn is_plain_string(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        && s.bytes().all(is_plain_byte)
        && !RESERVED_WORDS.iter().any(|word| s.eq_ignore_ascii_case(word))
}

/// A value on a key's or an item's line.
fn scalar(text: &str) -> Option<Value> {
    match text.as_bytes()[0] {
        b'"' | b'{' | b'[' => json(text),
        _ => plain(text),
    }
}

/// `{{ value }}` output: JSON, which YAML reads as flow syntax. Only strings, integers, booleans
/// and collections of them are taken; floats and `\u` surrogate escapes are left to serde_yaml.
fn json(text: &str) -> Option<Value> {
    if text.contains("\\ud") || text.contains("\\uD") {
        return None;
    }
    let value: Value = serde_json::from_str(text).ok()?;
    plain_json(&value).then_some(value)
}

fn plain_json(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Number(n) => !n.is_f64(),
        Value::Bool(_) | Value::String(_) => true,
        Value::Array(items) => items.iter().all(plain_json),
        Value::Object(map) => map.values().all(plain_json),
    }
}

/// A plain scalar: `true`, `false`, a canonical integer, or a string that cannot be read as
/// anything else (quantities such as `256Mi` included).
fn plain(text: &str) -> Option<Value> {
    match text {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if !text.bytes().all(is_plain_byte) {
        return None;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() > 1 && digits.starts_with('0') {
            return None;
        }
        return if text.starts_with('-') {
            text.parse::<i64>().ok().map(Number::from).map(Value::Number)
        } else {
            text.parse::<u64>().ok().map(Number::from).map(Value::Number)
        };
    }
    if is_plain_string(text) {
        return Some(Value::String(text.to_owned()));
    }
    // Digits then a unit (`256Mi`, `2Gi`, `500m`): neither an integer (no 0x/0o/0b prefix) nor
    // a float (no `.` and no exponent `e`), so a string.
    let unit = text.trim_start_matches(|c: char| c.is_ascii_digit());
    let unit_ok = unit.len() < text.len()
        && unit.starts_with(|c: char| {
            c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E' | 'x' | 'X' | 'o' | 'O' | 'b' | 'B')
        })
        && !text.contains('.');
    unit_ok.then(|| Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What serde_yaml reads, for comparison.
    fn yaml(text: &str) -> Option<Value> {
        serde_yaml::from_str(text).ok()
    }

    fn agrees(text: &str) {
        let fast = parse(text);
        assert!(fast.is_some(), "refused {text:?}");
        assert_eq!(fast, yaml(text), "{text:?}");
    }

    #[test]
    fn reads_what_the_templates_write() {
        agrees("a: 1\nb:\n  c: x\n  d: \"y z\"\n");
        agrees("spec:\n  ports:\n  - name: http\n    port: 80\n  - name: m\n    port: 9090\n");
        agrees("l:\n  - a\n  - -3\n  - \"b\"\n  - {\"k\":\"v\",\"n\":1}\n  - []\n  - {}\n");
        agrees("m:\n  labels: {\"app.kubernetes.io/name\":\"x\"}\n  \"startupProbe\":\n    path: /h\n");
        agrees("nested:\n- - a\n  - b\n- c\n");
        agrees("q: 256Mi\nc: 500m\nb: true\nf: false\np: /tmp\nk: kubernetes.io/hostname\n");
        agrees("# comment\na:\n\n  # another\n  b: 1\n");
    }

    #[test]
    fn refuses_what_it_does_not_fully_understand() {
        for text in [
            "a: 1 # trailing comment\n",
            "a: 'single'\n",
            "a: null\n",
            "a:\n",
            "a: ~\n",
            "a: yes\n",
            "a: 1.5\n",
            "a: 1e3\n",
            "a: 0x1f\n",
            "a: 012\n",
            "a: .inf\n",
            "a: 25%\n",
            "a: x y\n",
            "a: b\n  c\n",
            "a: 1\na: 2\n",
            "a:\tb\n",
            "a: &x 1\n",
            "a: !t 1\n",
            "a: |\n  x\n",
            "---\na: 1\n",
            "a: {\"x\": 1.5}\n",
            "a: \"\\ud83d\\ude00\"\n",
            "a:\n- 1\n  b: 2\n",
            "  a: 1\n",
            "a: \"x\" \"y\"\n",
            "a: 99999999999999999999999\n",
            "True: 1\n",
            "a: b\r\n",
            "a: \u{7f}\n",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever it accepts, serde_yaml reads the same way: mangled template output included.
        #[test]
        fn never_disagrees_with_serde_yaml(
            text in proptest::string::string_regex(
                "([ ]{0,5}(- )?([a-z\"#]{1,3}|\\{|\\}|\\[|\\]|1|0|-|:|,| |true|null|\"\\\\ud800\"|256Mi|1e3|\u{2028}|\u{2029}|\u{85}|\u{e9})*\n?){0,8}"
            ).unwrap()
        ) {
            if let Some(fast) = parse(&text) {
                prop_assert_eq!(Some(fast), yaml(&text), "{:?}", text);
            }
        }

        /// The same, for template output with a few characters inserted or removed.
        #[test]
        fn never_disagrees_on_mangled_documents(
            edits in proptest::collection::vec((0usize..400, 0usize..12, any::<bool>()), 1..4)
        ) {
            let mut text = SAMPLE.to_owned();
            for (at, what, insert) in edits {
                // Byte positions, moved back to a character boundary (the pieces include
                // multi-byte line breaks).
                let mut at = at % text.len();
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if insert {
                    let piece = [" ", "  ", "- ", ":", "\n", "\"", "#", "{", "\u{2028}", "0", "a", "'"][what];
                    text.insert_str(at, piece);
                } else {
                    text.remove(at);
                }
            }
            if let Some(fast) = parse(&text) {
                prop_assert_eq!(Some(fast), yaml(&text), "{:?}", text);
            }
        }
    }

    const SAMPLE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"api\"\n  labels: {\"app\":\"api\",\"tier\":\"web\"}\nspec:\n  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: \"25%\"\n      maxUnavailable: 0\n  template:\n    spec:\n      containers:\n      - name: \"api\"\n        ports:\n        - name: \"http\"\n          containerPort: 8000\n        \"startupProbe\":\n          httpGet:\n            path: \"/health\"\n            port: http\n        resources:\n          limits:\n            memory: \"2Gi\"\n      volumes:\n      - name: tmp\n        emptyDir:\n          sizeLimit: 256Mi\n      ingress: []\n      egress:\n      - {}\n";
}
