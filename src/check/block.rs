//! A fast reader for the YAML the templates produce, which is a small corner of YAML: block
//! mappings and kubectl-style block sequences, keys and plain scalars made of letters, digits
//! and `-_./`, and JSON (what `{{ value }}` prints) for everything else.
//!
//! It reads a document into a [`Node`] tree that holds the same data serde_yaml would read
//! (its strings borrowed from the text wherever they need no unescaping), or gives up (`None`)
//! on anything outside that corner, and the caller then uses serde_yaml itself. It never has
//! to know YAML's dark corners because it never guesses: a construct it does not fully
//! understand (tabs, comments after a value, multi-line scalars, anchors, tags, quoting
//! other than JSON's, a duplicate key, a scalar that might not be a string...) is a refusal,
//! not a reading. The unit tests and a property test hold it to serde_yaml's reading.
//!
//! A [`Node`] is itself a serde `Deserializer`, so a Kubernetes type is decoded straight from
//! it: no `serde_json::Value` (one allocation per key and per string, and a hash per key) is
//! built between the text and the type.

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
#[cfg(test)]
use serde_json::Value;

use crate::yaml::{is_plain_byte, is_plain_word};

/// A document as the fast reader reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    /// A block mapping, in the document's order; keys are unique.
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
    /// A block sequence.
    Seq(Vec<Node<'a>>),
    /// A string: a plain scalar or a JSON string, borrowed unless it had escapes.
    Str(Cow<'a, str>),
    Bool(bool),
    /// A negative integer (serde_json's and serde_yaml's reading too).
    Int(i64),
    UInt(u64),
}

/// The document as serde_yaml reads it, or `None` if it is outside what this reader handles.
pub fn parse(text: &str) -> Option<Node<'_>> {
    if !printable(text) {
        return None;
    }
    let mut lines = Vec::with_capacity(128);
    // Split on the bytes, searched many at a time: finding the line breaks and indentation
    // char by char was a tenth of this reader's time.
    let mut start = 0;
    for end in crate::byte_search::positions(b'\n', text.as_bytes()).chain([text.len()]) {
        let line = &text[start..end];
        start = end + 1;
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        let content = &line[indent..];
        // Blank lines and whole-line comments carry nothing in block context.
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        lines.push(Line { indent, text: content });
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
    // Nearly every document is printable ASCII: one pass without an early exit, which the
    // compiler turns into wide compares.
    if text
        .bytes()
        .fold(true, |ok, b| ok & (b == b'\n' || (0x20..0x7f).contains(&b)))
    {
        return true;
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

impl<'a> Parser<'a> {
    /// The node whose first line is the current one, at `indent`.
    fn node(&mut self, indent: usize) -> Option<Node<'a>> {
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

    fn sequence(&mut self, indent: usize) -> Option<Node<'a>> {
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
        Some(Node::Seq(items))
    }

    fn mapping(&mut self, indent: usize) -> Option<Node<'a>> {
        let mut entries: Vec<(Cow<'a, str>, Node<'a>)> = Vec::new();
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
            // Template mappings are short: a scan is cheaper than hashing every key.
            if entries.iter().any(|(seen, _)| *seen == key) {
                return None;
            }
            entries.push((key, value));
        }
        Some(Node::Map(entries))
    }
}

/// `key: rest` or `key:` (rest empty), the key plain or a JSON string.
fn split_key(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let (key, after) = if text.starts_with('"') {
        let end = json_string_end(text)?;
        (json_string(&text[..end])?, &text[end..])
    } else {
        let end = text.bytes().position(|b| !is_plain_byte(b)).unwrap_or(text.len());
        let key = &text[..end];
        if !is_plain_word(key) {
            return None;
        }
        (Cow::Borrowed(key), &text[end..])
    };
    let rest = after.strip_prefix(':')?;
    if rest.is_empty() {
        return Some((key, rest));
    }
    let value = rest.strip_prefix(' ')?.trim_start_matches(' ');
    Some((key, value))
}

/// A whole JSON string, borrowed when it has no escapes. Surrogate escapes are left to
/// serde_yaml, which reads them differently from serde_json.
fn json_string(text: &str) -> Option<Cow<'_, str>> {
    // A string with an escape cannot be borrowed, and serde_json's error for it is costly to
    // build (it counts lines to say where): such strings go straight to the owned reading.
    if !text.contains('\\') {
        return serde_json::from_str::<&str>(text).ok().map(Cow::Borrowed);
    }
    if has_surrogate_escape(text) {
        return None;
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
}

/// Whether JSON text holds a `\u` escape of a UTF-16 surrogate, which serde_json and
/// serde_yaml read differently.
fn has_surrogate_escape(text: &str) -> bool {
    text.contains("\\ud") || text.contains("\\uD")
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

/// A value on a key's or an item's line.
fn scalar(text: &str) -> Option<Node<'_>> {
    match text.as_bytes()[0] {
        // Nearly every value the templates print is a JSON string, read as a key is.
        b'"' => json_string(text).map(Node::Str),
        b'{' | b'[' => json(text),
        _ => plain(text),
    }
}

/// `{{ value }}` output: JSON, which YAML reads as flow syntax. Only strings, integers, booleans
/// and collections of them are taken; floats and `\u` surrogate escapes are left to serde_yaml.
fn json(text: &str) -> Option<Node<'_>> {
    if has_surrogate_escape(text) {
        return None;
    }
    serde_json::from_str::<FromJson>(text).ok().map(|read| read.0)
}

/// A node read straight from JSON, its strings borrowed from the text where they have no
/// escapes: no `serde_json::Value` in between (an allocation per key and per string). A null,
/// a float or a key given twice anywhere in it fails the read, for serde_yaml to decide.
struct FromJson<'a>(Node<'a>);

impl<'de> de::Deserialize<'de> for FromJson<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(FromJson)
    }
}

struct JsonVisitor;

/// A key of a JSON object, borrowed where it has no escapes (serde's own `Cow` always copies).
struct JsonKey<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for JsonKey<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_str(JsonVisitor)? {
            Node::Str(key) => Ok(JsonKey(key)),
            _ => Err(de::Error::custom("a key that is not a string")),
        }
    }
}

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON without nulls or floats")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Node<'de>, E> {
        // serde_json gives only negative integers as i64; a non-negative one would be a UInt.
        Ok(u64::try_from(i).map_or(Node::Int(i), Node::UInt))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Node<'de>, E> {
        Ok(Node::UInt(u))
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Borrowed(text)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(text.to_owned())))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Node<'de>, E> {
        Ok(Node::Str(Cow::Owned(text)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(FromJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Node<'de>)> = Vec::new();
        while let Some(JsonKey(key)) = map.next_key()? {
            let FromJson(value) = map.next_value()?;
            entries.push((key, value));
        }
        // serde_yaml refuses a key given twice; so does this reader.
        if has_duplicate_key(&entries) {
            return Err(de::Error::custom("duplicate key"));
        }
        Ok(Node::Map(entries))
    }
}

/// Whether a key appears twice. Most maps are a few labels, where a scan beats anything else;
/// a map of user data (a ConfigMap's) may hold thousands of keys, so those are sorted.
fn has_duplicate_key(entries: &[(Cow<'_, str>, Node<'_>)]) -> bool {
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (key, _))| entries[..i].iter().any(|(seen, _)| seen == key));
    }
    let mut keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_ref()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|pair| pair[0] == pair[1])
}

/// A plain scalar: `true`, `false`, a canonical integer, or a string that cannot be read as
/// anything else (quantities such as `256Mi` included).
fn plain(text: &str) -> Option<Node<'_>> {
    match text {
        "true" => return Some(Node::Bool(true)),
        "false" => return Some(Node::Bool(false)),
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
            text.parse::<i64>().ok().map(Node::Int)
        } else {
            text.parse::<u64>().ok().map(Node::UInt)
        };
    }
    if is_plain_word(text) {
        return Some(Node::Str(Cow::Borrowed(text)));
    }
    // Digits then a unit (`256Mi`, `2Gi`, `500m`): neither an integer (no 0x/0o/0b prefix) nor
    // a float (no `.` and no exponent `e`), so a string.
    let unit = text.trim_start_matches(|c: char| c.is_ascii_digit());
    let unit_ok = unit.len() < text.len()
        && unit.starts_with(|c: char| {
            c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E' | 'x' | 'X' | 'o' | 'O' | 'b' | 'B')
        })
        && !text.contains('.');
    unit_ok.then_some(Node::Str(Cow::Borrowed(text)))
}

#[cfg(test)]
impl Node<'_> {
    /// The same data as a `serde_json::Value`, to compare with what serde_yaml reads.
    pub fn to_value(&self) -> Value {
        match self {
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| (key.clone().into_owned(), value.to_value()))
                    .collect(),
            ),
            Node::Seq(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Str(text) => Value::String(text.clone().into_owned()),
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::Number((*i).into()),
            Node::UInt(u) => Value::Number((*u).into()),
        }
    }
}

/// Decoding errors: any one sends the document to serde_yaml, which words the real error.
type Error = de::value::Error;

/// Reads a node as serde_json reads the equal `Value`: maps and sequences as such, strings,
/// integers and booleans as themselves, and never a null (the reader refuses them), so an
/// `Option` is always `Some`. It is deliberately one small deserializer, with no detour
/// through serde_json's: each Kubernetes type's decoder is compiled once per deserializer,
/// and a second copy of all of them would make the binary, and its start, heavier.
impl<'de> de::Deserializer<'de> for &'de Node<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
            Node::Seq(items) => visitor.visit_seq(Items { items: items.iter() }),
            Node::Str(text) => visitor.visit_borrowed_str(text),
            Node::Bool(b) => visitor.visit_bool(*b),
            Node::Int(i) => visitor.visit_i64(*i),
            Node::UInt(u) => visitor.visit_u64(*u),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Node::Str(text) => visitor.visit_enum(text.as_ref().into_deserializer()),
            // A variant with data (`{Variant: ...}`) is not something the templates write.
            _ => Err(de::Error::custom("unsupported enum representation")),
        }
    }

    /// A type skips a value only for a key it does not know: a template mistake, which
    /// serde_yaml's decode (watched by serde_ignored) then names with its path.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(de::Error::custom("a field the type does not know"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct Entries<'de> {
    entries: std::slice::Iter<'de, (Cow<'de, str>, Node<'de>)>,
    value: Option<&'de Node<'de>>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(de::value::BorrowedStrDeserializer::new(key.as_ref()))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value without its key"))?;
        seed.deserialize(value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Items<'de> {
    items: std::slice::Iter<'de, Node<'de>>,
}

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.items.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    /// What serde_yaml reads, for comparison.
    fn yaml(text: &str) -> Option<Value> {
        serde_yaml::from_str(text).ok()
    }

    fn agrees(text: &str) {
        let fast = parse(text).map(|node| node.to_value());
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
        agrees("j: {\"a\\\"b\": [\"\\n\", -1, 0, 18446744073709551615, {\"z\": true}], \"y\": {}}\n");
    }

    #[test]
    fn refuses_a_json_key_given_twice_in_a_map_of_any_size() {
        for size in [2, 16, 17, 2000] {
            let keys: Vec<String> = (0..size).map(|i| format!("\"k{i}\": {i}")).collect();
            let unique = format!("data: {{{}}}\n", keys.join(", "));
            agrees(&unique);
            let twice = format!("data: {{{}, \"k{}\": 0}}\n", keys.join(", "), size / 2);
            assert_eq!(parse(&twice), None, "{size} keys");
        }
    }

    #[test]
    fn borrows_json_strings_without_escapes() {
        let node = parse("a: {\"k\": \"plain\", \"e\\\"\": \"x\\ty\"}\n").unwrap();
        let Node::Map(top) = node else { panic!("a map") };
        let Node::Map(inner) = &top[0].1 else { panic!("a map") };
        assert!(matches!(
            &inner[0],
            (Cow::Borrowed("k"), Node::Str(Cow::Borrowed("plain")))
        ));
        assert!(matches!(&inner[1], (Cow::Owned(k), Node::Str(Cow::Owned(v))) if k == "e\"" && v == "x\ty"));
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
            "a: {\"k\": 1, \"k\": 2}\n",
            "a: [{\"x\": null}]\n",
            "a: {\"x\": [1, 2.0]}\n",
            "a: {1: 2}\n",
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
                prop_assert_eq!(Some(fast.to_value()), yaml(&text), "{:?}", text);
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
                prop_assert_eq!(Some(fast.to_value()), yaml(&text), "{:?}", text);
            }
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        path: String,
        port: Option<i32>,
        offset: i64,
        enabled: bool,
        scheme: Scheme,
        labels: std::collections::BTreeMap<String, String>,
        ports: Vec<u16>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Scheme {
        #[serde(rename = "HTTP")]
        Http,
    }

    #[test]
    fn decodes_a_type_as_serde_yaml_does_and_refuses_to_skip_a_key() {
        let text = "path: \"/h\\u00e9\"\nport: 8080\noffset: -5\nenabled: true\nscheme: HTTP\nlabels: {\"a\":\"b\"}\nports:\n- 80\n- 443\n";
        let node = parse(text).unwrap();
        let fast = Probe::deserialize(&node).unwrap();
        assert_eq!(fast, serde_yaml::from_str::<Probe>(text).unwrap());
        assert_eq!(fast.path, "/h\u{e9}");
        // A key the type does not know fails the fast decode, for serde_yaml to name.
        let unknown = format!("{text}extra: 1\n");
        assert!(Probe::deserialize(&parse(&unknown).unwrap()).is_err());
        // So does a wrong type, and a variant the enum lacks.
        for (from, to) in [("port: 8080", "port: \"8080\""), ("scheme: HTTP", "scheme: HTTPS")] {
            assert!(
                Probe::deserialize(&parse(&text.replace(from, to)).unwrap()).is_err(),
                "{to}"
            );
        }
    }

    const SAMPLE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"api\"\n  labels: {\"app\":\"api\",\"tier\":\"web\"}\nspec:\n  replicas: 3\n  strategy:\n    rollingUpdate:\n      maxSurge: \"25%\"\n      maxUnavailable: 0\n  template:\n    spec:\n      containers:\n      - name: \"api\"\n        ports:\n        - name: \"http\"\n          containerPort: 8000\n        \"startupProbe\":\n          httpGet:\n            path: \"/health\"\n            port: http\n        resources:\n          limits:\n            memory: \"2Gi\"\n      volumes:\n      - name: tmp\n        emptyDir:\n          sizeLimit: 256Mi\n      ingress: []\n      egress:\n      - {}\n";
}
