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
/// Every YAML reader takes such a plain scalar for exactly this string, which is also what the
/// check's fast reader relies on.
pub(crate) fn is_plain_safe(s: &str) -> bool {
    s.bytes().all(is_plain_byte) && is_plain_word(s)
}

/// [`is_plain_safe`] for text already known to hold only plain bytes ([`is_plain_byte`]).
pub(crate) fn is_plain_word(s: &str) -> bool {
    debug_assert!(s.bytes().all(is_plain_byte));
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        // The longest reserved word has five letters.
        && (s.len() > 5 || !RESERVED_WORDS.iter().any(|word| s.eq_ignore_ascii_case(word)))
}

/// A letter, digit or one of `-_./`: looked up rather than tested range by range, since every
/// byte of every key and plain value written or read goes through here.
pub(crate) fn is_plain_byte(b: u8) -> bool {
    PLAIN_BYTES[usize::from(b)]
}

const PLAIN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'/');
        b += 1;
    }
    table
};

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

/// The document `write_document(&serde_json::to_value(value)?)` writes, byte for byte, written
/// straight from `value`'s `Serialize` without building the `Value` tree in between (for large
/// renders that tree was most of the check stage's time and allocations).
pub fn write_serialized<T: serde::Serialize + ?Sized>(value: &T, out: &mut String) -> Result<(), Error> {
    value.serialize(Node {
        out,
        indent: 0,
        at: At::Top,
    })
}

/// What [`write_serialized`] cannot write: what `serde_json::to_value` refuses too.
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl serde::ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Where a node goes, as `write_document`, `write_nested` and `write_seq` place values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// The document itself.
    Top,
    /// After `key:` on a line indented `indent`.
    Key,
    /// After `- ` of a list item indented `indent`.
    Item,
}

struct Node<'a> {
    out: &'a mut String,
    indent: usize,
    at: At,
}

impl<'a> Node<'a> {
    fn scalar(self, write: impl FnOnce(&mut String)) -> Result<(), Error> {
        if self.at == At::Key {
            self.out.push(' ');
        }
        write(self.out);
        self.out.push('\n');
        Ok(())
    }

    fn number(self, n: impl Into<serde_json::Number>) -> Result<(), Error> {
        let n = n.into();
        self.scalar(|out| {
            use std::fmt::Write as _;
            let _ = write!(out, "{n}");
        })
    }

    fn map(self) -> Map<'a> {
        // Entries of a map after a key are indented one step; a list item's share the dash's line.
        let indent = match self.at {
            At::Top => 0,
            At::Key | At::Item => self.indent + 2,
        };
        Map {
            out: self.out,
            indent,
            at: self.at,
            entries: 0,
        }
    }

    fn seq(self) -> Seq<'a> {
        // Lists after a key stay at the key's indent (as kubectl writes them).
        let indent = match self.at {
            At::Top => 0,
            At::Key => self.indent,
            At::Item => self.indent + 2,
        };
        Seq {
            out: self.out,
            indent,
            at: self.at,
            items: 0,
        }
    }
}

pub struct Map<'a> {
    out: &'a mut String,
    indent: usize,
    at: At,
    entries: usize,
}

impl Map<'_> {
    fn key(&mut self, key: &str) {
        if self.entries == 0 && self.at == At::Key {
            self.out.push('\n');
        }
        if self.entries > 0 || self.at != At::Item {
            push_indent(self.indent, self.out);
        }
        self.entries += 1;
        write_string(key, self.out);
        self.out.push(':');
    }

    fn value<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Node {
            out: self.out,
            indent: self.indent,
            at: At::Key,
        })
    }

    fn finish(self) -> Result<(), Error> {
        if self.entries == 0 {
            empty(self.out, self.at, "{}");
        }
        Ok(())
    }
}

fn empty(out: &mut String, at: At, text: &str) {
    if at == At::Key {
        out.push(' ');
    }
    out.push_str(text);
    out.push('\n');
}

pub struct Seq<'a> {
    out: &'a mut String,
    indent: usize,
    at: At,
    items: usize,
}

impl Seq<'_> {
    fn item<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if self.items == 0 && self.at != At::Top {
            self.out.push('\n');
        }
        self.items += 1;
        push_indent(self.indent, self.out);
        self.out.push_str("- ");
        value.serialize(Node {
            out: self.out,
            indent: self.indent,
            at: At::Item,
        })
    }

    fn finish(self) -> Result<(), Error> {
        if self.items == 0 {
            empty(self.out, self.at, "[]");
        }
        Ok(())
    }
}

/// A map key as `serde_json::to_value` accepts one: strings, and numbers, booleans and chars
/// written as strings.
struct Key;

macro_rules! key_display {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<String, Error> {
            Ok(v.to_string())
        })*
    };
}

macro_rules! key_refused {
    ($($method:ident$(: $ty:ty)?),*) => {
        $(fn $method(self $(, _: $ty)?) -> Result<String, Error> {
            Err(Error("key must be a string".into()))
        })*
    };
}

impl serde::Serializer for Key {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = serde::ser::Impossible<String, Error>;
    type SerializeTuple = serde::ser::Impossible<String, Error>;
    type SerializeTupleStruct = serde::ser::Impossible<String, Error>;
    type SerializeTupleVariant = serde::ser::Impossible<String, Error>;
    type SerializeMap = serde::ser::Impossible<String, Error>;
    type SerializeStruct = serde::ser::Impossible<String, Error>;
    type SerializeStructVariant = serde::ser::Impossible<String, Error>;

    key_display!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_u128: u128, serialize_char: char, serialize_str: &str);
    key_refused!(serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8], serialize_none, serialize_unit);

    fn serialize_some<T: serde::Serialize + ?Sized>(self, _: &T) -> Result<String, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<String, Error> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<String, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(Error("key must be a string".into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error("key must be a string".into()))
    }
}

macro_rules! number {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<(), Error> {
            self.number(v)
        })*
    };
}

impl<'a> serde::Serializer for Node<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Map<'a>;
    type SerializeStructVariant = Map<'a>;

    number!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.scalar(|out| out.push_str(if v { "true" } else { "false" }))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        match i64::try_from(v) {
            Ok(v) => self.number(v),
            Err(_) => self.serialize_u128(u128::try_from(v).map_err(|_| Error("number out of range".into()))?),
        }
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.number(u64::try_from(v).map_err(|_| Error("number out of range".into()))?)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        match serde_json::Number::from_f64(v) {
            Some(n) => self.number(n),
            None => self.serialize_unit(),
        }
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.scalar(|out| write_string(v, out))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for byte in v {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: serde::Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.scalar(|out| out.push_str("null"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        let mut map = self.map();
        map.key(variant);
        map.value(v)?;
        map.finish()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a>, Error> {
        Ok(self.seq())
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Seq<'a>, Error> {
        // `{variant: [...]}`: the wrapper map's one key (so it is never empty), then the list.
        let mut map = self.map();
        map.key(variant);
        Ok(Seq {
            out: map.out,
            indent: map.indent,
            at: At::Key,
            items: 0,
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a>, Error> {
        Ok(self.map())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Map<'a>, Error> {
        Ok(self.map())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Map<'a>, Error> {
        let mut map = self.map();
        map.key(variant);
        Ok(Map {
            out: map.out,
            indent: map.indent + 2,
            at: At::Key,
            entries: 0,
        })
    }
}

impl serde::ser::SerializeSeq for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.item(v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl serde::ser::SerializeTuple for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.item(v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl serde::ser::SerializeTupleStruct for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.item(v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl serde::ser::SerializeTupleVariant for Seq<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.item(v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl serde::ser::SerializeMap for Map<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: serde::Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let key = key.serialize(Key)?;
        self.key(&key);
        Ok(())
    }
    fn serialize_value<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.value(v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl serde::ser::SerializeStruct for Map<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
        self.key(key);
        self.value(v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl serde::ser::SerializeStructVariant for Map<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
        self.key(key);
        self.value(v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
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

    /// The streaming writer and the `Value` writer agree on every shape: nesting, empty maps and
    /// lists at each position, numbers, nulls, quoting, enum variants.
    #[test]
    fn serializing_directly_writes_what_the_value_writer_writes() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, String),
            Struct {
                a: Vec<u8>,
                b: std::collections::BTreeMap<String, ()>,
            },
        }
        #[derive(serde::Serialize)]
        struct S {
            e: Vec<E>,
            f: f64,
            g: Option<i64>,
            nested: Vec<Vec<Vec<serde_json::Value>>>,
        }
        let s = S {
            e: vec![
                E::Unit,
                E::New(1),
                E::Tuple(2, "on".into()),
                E::Struct {
                    a: vec![],
                    b: Default::default(),
                },
                E::Struct {
                    a: vec![3],
                    b: [("k".to_owned(), ())].into(),
                },
            ],
            f: 0.5,
            g: None,
            nested: vec![
                vec![],
                vec![vec![]],
                vec![vec![json!({}), json!([]), json!({"x": [1, {"y": null}]})]],
            ],
        };
        let values = [
            json!({"a": {"b": [{"c": 1, "d": [true]}, "x"], "e": {}, "f": []}}),
            json!({"k": "a: b", "l": [[1, [2, {}]], [], {}, {"m": -1.25e300, "n": u64::MAX}], "o": {"p": {"q": []}}}),
            json!([{"a": 1}, [], "x"]),
            json!({}),
            json!([]),
            json!("2024-01-01"),
            serde_json::to_value(&s).unwrap(),
        ];
        for value in values.iter() {
            let mut direct = String::new();
            write_serialized(value, &mut direct).unwrap();
            assert_eq!(direct, emit(value), "{value}");
        }
        let mut direct = String::new();
        write_serialized(&s, &mut direct).unwrap();
        assert_eq!(direct, emit(&serde_json::to_value(&s).unwrap()));
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
