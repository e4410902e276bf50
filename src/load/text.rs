//! Reading a profile's bytes: bounded in size, UTF-8, and free of the characters YAML readers
//! disagree about. Every refusal points at the line and column of the offending byte.

use std::io::Read as _;

use camino::{Utf8Path, Utf8PathBuf};

use super::limits::MAX_BYTES;
use crate::diagnostics::{Diagnostic, Position};
use crate::source::SourceFile;

/// What went wrong, with the source when there is text to show.
pub type Failed = (Option<SourceFile>, Vec<Diagnostic>);

/// Reads at most [`MAX_BYTES`]: a larger file (or a device that never ends) is refused
/// before it is read, and a file that is not UTF-8 is refused at its first bad byte.
pub fn read(path: &Utf8Path, display_path: &str) -> Result<SourceFile, Failed> {
    let unreadable = |message: String| {
        let diagnostic = Diagnostic::error("unreadable-profile", message).in_file(display_path);
        (None, vec![diagnostic])
    };
    let mut file = std::fs::File::open(path).map_err(|e| unreadable(format!("cannot read the profile: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| unreadable(format!("cannot read the profile: {e}")))?;
    if meta.is_dir() {
        return Err(unreadable(format!(
            "`{display_path}` is a directory, not a profile file"
        )));
    }
    if meta.len() > MAX_BYTES {
        return Err(too_large(display_path, format!("{} bytes", meta.len())));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.by_ref()
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(format!("cannot read the profile: {e}")))?;
    decode(bytes, path.to_owned(), display_path)
}

/// A profile's bytes as text: refused past [`MAX_BYTES`], or at the first byte that is not
/// UTF-8. What [`read`] does after reading, for bytes already in memory.
pub fn decode(bytes: Vec<u8>, path: Utf8PathBuf, display_path: &str) -> Result<SourceFile, Failed> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large(display_path, format!("more than {MAX_BYTES} bytes")));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, display_path.to_owned(), text)),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bad = error.as_bytes()[offset];
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let source = SourceFile::new(path, display_path.to_owned(), text);
            let diagnostic = Diagnostic::error(
                "invalid-yaml",
                format!("the profile is not UTF-8: byte 0x{bad:02X} at byte offset {offset} starts no UTF-8 character"),
            )
            .at_position(&source, position_of(&source.text, offset))
            .with_hint("save the file as UTF-8 (the editor's encoding setting, or `iconv -f latin1 -t utf-8`)");
            Err((Some(source), vec![diagnostic]))
        }
    }
}

fn too_large(display_path: &str, size: String) -> Failed {
    let diagnostic = Diagnostic::error(
        "input-limit",
        format!(
            "the profile is {size}; gen reads profiles of at most {} MiB",
            MAX_BYTES >> 20
        ),
    )
    .in_file(display_path)
    .with_hint("a profile this large is not hand-written: split it, or check that this is the right file");
    (None, vec![diagnostic])
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub fn position_of(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: before.bytes().filter(|&b| b == b'\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// Refuses control characters (YAML allows none but tab and line breaks) and the Unicode line
/// separators NEL, LS and PS: YAML 1.1 readers break lines at them, so a raw U+0085 inside a
/// quoted value silently became a space, and YAML 1.2 readers do not.
pub fn check_characters(source: &SourceFile) -> Option<Diagnostic> {
    let text = &source.text;
    // Only these bytes can start a refused character: ASCII controls, and the lead bytes of
    // U+0080..U+009F (0xC2), U+2028/U+2029 (0xE2) and U+FFFE/U+FFFF (0xEF).
    let suspect = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n')) || matches!(b, 0x7F | 0xC2 | 0xE2 | 0xEF);
    let mut from = 0;
    while let Some(found) = text.as_bytes()[from..].iter().position(|&b| suspect(b)) {
        let offset = from + found;
        let c = text[offset..].chars().next()?;
        from = offset + c.len_utf8();
        let (message, hint) = match c {
            // CRLF ends a line everywhere; a CR alone ends one for YAML readers and for no
            // editor, so every line number after it would disagree with what the user sees.
            '\r' if text.as_bytes().get(offset + 1) == Some(&b'\n') => continue,
            '\r' => (
                "a carriage return with no line feed after it: YAML readers end the line there, most editors and tools do not".to_owned(),
                "end lines with LF or CRLF (a file with old Mac line endings converts with `tr '\\r' '\\n'`)".to_owned(),
            ),
            '\u{85}' | '\u{2028}' | '\u{2029}' => (
                format!(
                    "a raw {} line separator: YAML 1.1 readers end the line there (in a quoted value it becomes a space) and YAML 1.2 readers do not",
                    name(c)
                ),
                format!(
                    "remove it, or write it as the escape `\\u{:04x}` inside a double-quoted string",
                    c as u32
                ),
            ),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => (
                format!(
                    "a {} character: YAML allows no control characters but tab and line breaks",
                    name(c)
                ),
                "remove it; a file with NUL bytes is usually not text (or not UTF-8) at all".to_owned(),
            ),
            _ => continue,
        };
        let diagnostic = Diagnostic::error("invalid-yaml", message)
            .at_position(source, position_of(text, offset))
            .with_hint(hint);
        return Some(diagnostic);
    }
    None
}

fn name(c: char) -> String {
    let known = match c {
        '\0' => "NUL",
        '\u{85}' => "NEL",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{7F}' => "DEL",
        '\u{1B}' => "ESC",
        _ => "",
    };
    if known.is_empty() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} ({known})", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceFile {
        SourceFile::new("p.yaml".into(), "p.yaml".into(), text.into())
    }

    fn refused_at(text: &str) -> Option<(usize, usize, String)> {
        check_characters(&source(text)).map(|d| {
            let p = d.position.unwrap();
            (p.line, p.column, d.message)
        })
    }

    #[test]
    fn a_nul_byte_is_refused_at_its_line_and_column() {
        let (line, column, message) = refused_at("tier: prod\nnamespace: a\napp: x\nservices: {a\0: 1}\n").unwrap();
        assert_eq!((line, column), (4, 13));
        assert!(message.contains("U+0000 (NUL)"), "{message}");
    }

    #[test]
    fn raw_line_separators_are_refused_where_they_are() {
        let (line, column, message) = refused_at("tier: prod\napp: \"a\u{85}b\"\n").unwrap();
        assert_eq!((line, column), (2, 8));
        assert!(message.contains("NEL"), "{message}");
        let (line, column, _) = refused_at("a: 1\n\"ké\u{2028}y\": 1\n").unwrap();
        assert_eq!((line, column), (2, 4));
    }

    /// Found by the fuzz targets: YAML readers (and so their line numbers) break lines at a
    /// lone CR, gen's reports did not, so findings after one pointed at the wrong line.
    #[test]
    fn a_lone_carriage_return_is_refused_where_it_is() {
        let (line, column, message) = refused_at("tier: prod\r\napp: a\rnamespace: b\n").unwrap();
        assert_eq!((line, column), (2, 7));
        assert!(message.contains("carriage return"), "{message}");
        assert_eq!(refused_at("tier: prod\r\napp: a\r\n"), None);
    }

    #[test]
    fn ordinary_text_passes() {
        assert_eq!(refused_at("a: \"tab\there, é, ü, 日本, \u{a0}, crlf\"\r\n"), None);
    }

    #[test]
    fn positions_count_characters() {
        // `ç` is two bytes and one column.
        assert_eq!(position_of("ab\nçd", 5), Position { line: 2, column: 2 });
    }
}
