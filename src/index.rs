//! The index `gen` writes into every output directory: each generated file with its SHA-256.
//!
//! It is how `gen` knows, later, which files in a directory are its own. The marker line alone
//! cannot tell a generated file from a person's copy of one (which keeps the marker), and
//! cannot tell that a generated file was edited by hand. The format is `sha256sum`'s (which
//! skips the `#` header line naming the profile), so `cd out/prod && sha256sum -c .gen-index`
//! verifies a directory without `gen`.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// The index's file name, in the directory it describes.
pub const FILE_NAME: &str = ".gen-index";

/// One line of an index: a file, relative to the index's directory, and its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in hash {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// A parsed index: the profile it was rendered from, and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// `None` if the header line is missing or damaged.
    pub profile: Option<String>,
    pub entries: Vec<Entry>,
}

const HEADER_PREFIX: &str = "# gen index of profile ";

/// The index text for these files (`path`, `contents`) of `profile`, sorted by path.
pub fn render<'a>(profile: &str, files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let files: Vec<(&str, &[u8])> = files.into_iter().collect();
    // Hashing is nearly all of an index's cost (50 MB of files at 5,000 services): on every core.
    let digested = crate::parallel::map_chunks(&files, 512, |chunk| {
        chunk
            .iter()
            .map(|&(path, contents)| (path, digest(contents)))
            .collect::<Vec<_>>()
    });
    let mut entries: Vec<(&str, String)> = digested.into_iter().flatten().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = String::with_capacity(entries.len() * 100 + 120);
    let _ = writeln!(
        out,
        "{HEADER_PREFIX}{profile}: the files gen wrote here; `sha256sum -c {FILE_NAME}` verifies them"
    );
    for (path, sha256) in entries {
        // Two spaces: sha256sum's text mode, which `sha256sum -c` expects.
        let _ = writeln!(out, "{sha256}  {path}");
    }
    out
}

/// Reads an index. Lines that are not `<64 hex digits>  <path>` are skipped: a damaged index
/// then claims fewer files, so gen treats more of them as not its own and refuses to delete
/// them, which errs on the safe side.
pub fn parse(text: &str) -> Index {
    let profile = text
        .lines()
        .next()
        .and_then(|line| line.strip_prefix(HEADER_PREFIX))
        .and_then(|rest| rest.split_once(':'))
        .map(|(profile, _)| profile.to_owned());
    let entries = text
        .lines()
        .filter_map(|line| {
            let (sha256, path) = line.split_once("  ")?;
            let valid = sha256.len() == 64 && sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            (valid && !path.is_empty()).then(|| Entry {
                path: path.to_owned(),
                sha256: sha256.to_owned(),
            })
        })
        .collect();
    Index { profile, entries }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_sha256() {
        // `printf abc | sha256sum`
        assert_eq!(
            digest(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn renders_sorted_sha256sum_lines_and_parses_them_back() {
        let text = render("prod", [("b.yaml", b"2".as_slice()), ("a/c.yaml", b"1".as_slice())]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("# gen index of profile prod:"), "{text}");
        assert!(
            lines[1].ends_with("  a/c.yaml") && lines[2].ends_with("  b.yaml"),
            "{text}"
        );
        let index = parse(&text);
        assert_eq!(index.profile.as_deref(), Some("prod"));
        assert_eq!(index.entries[0].path, "a/c.yaml");
        assert_eq!(index.entries[0].sha256, digest(b"1"));
    }

    #[test]
    fn skips_damaged_lines() {
        let good = format!("{}  a.yaml", digest(b"a"));
        let text = format!("garbage\n{good}\nabc  b.yaml\n{}  \n", digest(b"c"));
        let index = parse(&text);
        assert_eq!(index.entries.len(), 1);
        assert_eq!(index.profile, None);
    }
}
