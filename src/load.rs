//! Stage 1: read a profile file into the strict raw types, remembering where every key is.

use camino::{Utf8Path, Utf8PathBuf};
use marked_yaml::{LoadError, LoaderOptions, Node};

use crate::diagnostics::{Diagnostic, Position, did_you_mean};
use crate::profile::RawProfile;
use crate::source::SourceFile;

mod compose;
mod in_parts;
pub mod limits;
pub mod merged_text;
pub mod overrides;
mod positions;
mod text;

pub use text::Failed;

pub struct Loaded {
    pub source: SourceFile,
    pub profile: RawProfile,
}

/// Reads and parses a profile. Structural problems (syntax, unknown keys, wrong types) stop
/// here: serde reports one per run, with its position and a hint. A profile that `extends:`
/// another is merged with its bases first (see [`compose`]).
pub fn load(path: &Utf8Path, display_path: &str) -> Result<Loaded, Failed> {
    load_with(path, display_path, &[])
}

/// [`load`], with `--set PATH=VALUE` overrides applied over the profile and its bases.
pub fn load_with(path: &Utf8Path, display_path: &str, overrides: &[String]) -> Result<Loaded, Failed> {
    parse(text::read(path, display_path)?, overrides)
}

/// Loads a profile whose bytes are already in memory, exactly as [`load`] loads a file (the
/// fuzz targets and anything that reads a profile from elsewhere). `path` is where the text
/// would live, for the paths a profile names relative to itself.
pub fn load_bytes(bytes: Vec<u8>, path: Utf8PathBuf, display_path: &str) -> Result<Loaded, Failed> {
    parse(text::decode(bytes, path, display_path)?, &[])
}

/// Profiles from this size (bytes) are parsed on two threads.
const PARSE_IN_PARALLEL_FROM: usize = 4 * 1024;

fn parse(source: SourceFile, overrides: &[String]) -> Result<Loaded, Failed> {
    // A profile whose text never says `extends` extends nothing. One that may hold more nodes
    // than the limit allows is scanned for the limits before anything else reads it.
    if overrides.is_empty() && !source.text.contains("extends") && limits::surely_within_node_limit(&source.text) {
        return parse_alone(source);
    }
    if let Some(refused) = refuse_text(&source) {
        return Err((Some(source), vec![refused]));
    }
    parse_checked(source, overrides, None)
}

/// A profile that extends nothing, with no overrides, within the node limit: most of them.
/// serde types it while the text is checked ([`refuse_text`]), and the same scan of the events
/// records every position, so no marked-yaml tree is built. serde may read a file that is then
/// refused (and its reading dropped): the node limit, the one that bounds its memory, cannot be
/// what refuses it, and serde bounds its own nesting and alias expansion. Whatever the scan
/// cannot record exactly (see [`positions::Recorder`]) goes the way every other profile goes,
/// through the tree.
fn parse_alone(mut source: SourceFile) -> Result<Loaded, Failed> {
    let scan = || refuse_text_recording(&source);
    let parse = || typed_in_parts_or_whole(&source.text);
    let large = source.text.len() >= PARSE_IN_PARALLEL_FROM;
    let ((refused, positions), parsed) = crate::parallel::join(large, scan, parse);
    if let Some(refused) = refused {
        return Err((Some(source), vec![refused]));
    }
    let Some(positions) = positions else {
        return parse_checked(source, &[], Some(parsed));
    };
    source.install(positions);
    let parsed = match parsed {
        Ok(profile) => Ok(profile),
        Err(error) => typed(&source, source.text.clone(), Some(Err(error))),
    };
    match parsed {
        Ok(profile) => Ok(Loaded { source, profile }),
        Err(found) => Err((Some(source), found)),
    }
}

/// serde's reading of a profile's text: a large one in parts on every core, when [`in_parts`]
/// can cut it, else whole.
fn typed_in_parts_or_whole(text: &str) -> Result<RawProfile, serde_yaml::Error> {
    let cores = crate::parallel::cores();
    if text.len() >= PARSE_IN_PARTS_FROM && cores >= 2 {
        // A few parts per core: one that is slow to read does not hold up the others.
        if let Some(profile) = in_parts::parse(text, cores * 4) {
            return Ok(profile);
        }
    }
    serde_yaml::from_str(text)
}

/// Profiles from this size (bytes, about 100 services) are typed in parts.
const PARSE_IN_PARTS_FROM: usize = 64 * 1024;

/// Any profile, once its text passed [`refuse_text`]; `first_try` is serde's reading of its
/// own text, if already made.
fn parse_checked(
    mut source: SourceFile,
    overrides: &[String],
    first_try: Option<Result<RawProfile, serde_yaml::Error>>,
) -> Result<Loaded, Failed> {
    // The two parses (positions, and the strict types) are independent: for a large profile
    // they run side by side, and the positions are indexed while serde is still reading.
    // The syntax check still decides first, exactly as if they ran one after the other.
    let text = source.text.clone();
    let plain = overrides.is_empty();
    let large = text.len() >= PARSE_IN_PARALLEL_FROM;
    // `Ok(None)`: the positions are indexed and nothing needs composing; else the tree to compose.
    let positions = |source: &mut SourceFile| -> Result<Option<Node>, LoadError> {
        let tree = marked_yaml::parse_yaml_with_options(0, &source.text, loader_options())?;
        if plain && compose::extends_of(&tree).is_none() {
            source.index(&tree);
            if large {
                // Freeing a large profile's tree, node by node, would hold up everything that
                // follows (about 20 ms at 5,000 services); nothing waits for it.
                crate::parallel::free_in_background(tree);
            }
            return Ok(None);
        }
        Ok(Some(tree))
    };
    let (tree, first_try) = if let Some(first_try) = first_try {
        (positions(&mut source), Some(first_try))
    } else if !large {
        // A thread would cost more than it saves; and a profile that extends a base is typed
        // only once it is merged, so its own text is not parsed for nothing.
        let tree = positions(&mut source);
        let first_try = matches!(tree, Ok(None)).then(|| serde_yaml::from_str::<RawProfile>(&text));
        (tree, first_try)
    } else {
        std::thread::scope(|scope| {
            let typed = scope.spawn(|| serde_yaml::from_str::<RawProfile>(&text));
            let positions = positions(&mut source);
            (positions, Some(typed.join().expect("the profile parser panicked")))
        })
    };
    let tree = match tree {
        Ok(Some(tree)) => tree,
        Ok(None) => {
            return match typed(&source, text, first_try) {
                Ok(profile) => Ok(Loaded { source, profile }),
                Err(found) => Err((Some(source), found)),
            };
        }
        Err(error) => {
            let diagnostic = syntax_diagnostic(&source, &error);
            return Err((Some(source), vec![diagnostic]));
        }
    };
    let merged = layered(&mut source, tree, overrides)?;
    source.index(&merged);
    let written = merged_text::write(&merged);
    // serde reads the merged text; its findings are moved back to the file that set the value.
    // Only findings need the merged text's positions, so it is indexed only if there are some.
    let error = match serde_yaml::from_str::<RawProfile>(&written.text) {
        Ok(profile) => return Ok(Loaded { source, profile }),
        Err(error) => error,
    };
    let mut on_merged = SourceFile::new(source.path.clone(), source.display_path.clone(), written.text.clone());
    if let Ok(tree) = marked_yaml::parse_yaml_with_options(0, &written.text, loader_options()) {
        on_merged.index(&tree);
    }
    match typed(&on_merged, written.text.clone(), Some(Err(error))) {
        Ok(profile) => Ok(Loaded { source, profile }),
        Err(mut found) => {
            for diagnostic in &mut found {
                relocate(diagnostic, &written, &source);
            }
            Err((Some(source), found))
        }
    }
}

/// The effective profile: the merged tree of the profile, its bases and the overrides, before
/// typing, with the source that knows where each value came from.
pub fn effective(path: &Utf8Path, display_path: &str, overrides: &[String]) -> Result<(SourceFile, Node), Failed> {
    let mut source = read_checked(path, display_path)?;
    let tree = match marked_yaml::parse_yaml_with_options(0, &source.text, loader_options()) {
        Ok(tree) => tree,
        Err(error) => {
            let diagnostic = syntax_diagnostic(&source, &error);
            return Err((Some(source), vec![diagnostic]));
        }
    };
    let merged = layered(&mut source, tree, overrides)?;
    source.index(&merged);
    Ok((source, merged))
}

/// The merged text of a profile with its bases and overrides: what serde reads.
pub fn effective_text(path: &Utf8Path, overrides: &[String]) -> Result<String, Failed> {
    let (_, tree) = effective(path, path.as_str(), overrides)?;
    Ok(merged_text::write(&tree).text)
}

fn read_checked(path: &Utf8Path, display_path: &str) -> Result<SourceFile, Failed> {
    let source = text::read(path, display_path)?;
    match refuse_text(&source) {
        Some(refused) => Err((Some(source), vec![refused])),
        None => Ok(source),
    }
}

/// The profile's tree with its bases under it and the overrides over it.
fn layered(source: &mut SourceFile, tree: Node, overrides: &[String]) -> Result<Node, Failed> {
    let mut merged = compose::compose(source, tree)?;
    if !overrides.is_empty() {
        let id = source.add_base(overrides::FILE_NAME.to_owned(), overrides::text(overrides));
        let layer = overrides::tree(overrides, id).map_err(|found| (Some(source.clone()), found))?;
        compose::merge(&mut merged, layer, "");
    }
    Ok(merged)
}

/// Moves a finding about the merged text to the file and line that set the value.
fn relocate(diagnostic: &mut Diagnostic, written: &merged_text::MergedText, source: &SourceFile) {
    let origin = diagnostic.position.and_then(|p| written.origin(p));
    let file = origin.map_or(0, |o| o.file);
    diagnostic.file = Some(source.file_name(file).to_owned());
    diagnostic.position = origin.map(|o| o.position);
    diagnostic.inherited_by = source.is_base(file).then(|| source.display_path.clone());
}

pub(crate) fn loader_options() -> LoaderOptions {
    // Coercion off: a scalar remembers whether it was plain, which the merged text needs to
    // keep a quoted `"30"` a string.
    LoaderOptions::default()
        .error_on_duplicate_keys(true)
        .prevent_coercion(true)
        .toplevel_mapping()
}

/// Before any parser runs: refuse what YAML readers disagree on, and what is too large or too
/// deep to parse and walk safely (marked-yaml and the position index recurse without a bound).
/// Not in parallel with serde, which would hold a whole refused file in memory.
fn refuse_text(source: &SourceFile) -> Option<Diagnostic> {
    refuse_text_observing(source, |_, _| {})
}

/// [`refuse_text`], recording every position from the same scan: the positions come back if
/// the text was read to its end and [`positions::Recorder`] could take them all.
fn refuse_text_recording(source: &SourceFile) -> (Option<Diagnostic>, Option<crate::source::Positions>) {
    let mut recorder = positions::Recorder::new(source.line_count());
    let refused = refuse_text_observing(source, |event, marker| recorder.observe(event, marker));
    (refused, recorder.finish())
}

/// The one order of the text's refusals (characters, limits, emptiness), with every event of
/// the limits scan shown to `observe`.
fn refuse_text_observing(
    source: &SourceFile,
    observe: impl FnMut(&yaml_rust2::parser::Event, &yaml_rust2::scanner::Marker),
) -> Option<Diagnostic> {
    text::check_characters(source)
        .or_else(|| limits::scan(source, observe))
        .or_else(|| empty(source))
}

/// Every file under the repository's YAML-holding directories (profiles, examples, tests, the
/// fuzz corpora) that reads as text, for tests that hold a property over all of them.
#[cfg(test)]
pub(crate) fn repository_texts() -> Vec<(Utf8PathBuf, String)> {
    let root = Utf8Path::new(env!("CARGO_MANIFEST_DIR"));
    // The fuzz corpora in the repository, not a local run's (`fuzz/corpus-run`, ignored by git).
    let mut dirs: Vec<Utf8PathBuf> = ["profiles", "examples", "tests", "fuzz/corpus", "fuzz/regressions"]
        .map(|d| root.join(d))
        .to_vec();
    let mut texts = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in dir.read_dir_utf8().into_iter().flatten().flatten() {
            let path = entry.path().to_owned();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                texts.push((path, text));
            }
        }
    }
    assert!(texts.len() > 500, "only {} files read", texts.len());
    texts
}

/// The strict types from `text`, or every unknown key (up to [`readings_for`]) and the first
/// other error.
fn typed(
    source: &SourceFile,
    mut text: String,
    first_try: Option<Result<RawProfile, serde_yaml::Error>>,
) -> Result<RawProfile, Vec<Diagnostic>> {
    // serde stops at the first error. An unknown key is the commonest one and harmless to
    // skip, so blank it out (keeping line numbers) and go on, to report every unknown key at once.
    let readings = readings_for(text.len());
    let mut found = Vec::new();
    let mut first_try = first_try;
    let mut more_may_follow = true;
    for _ in 0..readings {
        let parsed = match first_try.take() {
            Some(parsed) => parsed,
            None => serde_yaml::from_str::<RawProfile>(&text),
        };
        match parsed {
            Ok(profile) if found.is_empty() => return Ok(profile),
            Ok(_) => {
                more_may_follow = false;
                break;
            }
            Err(error) => {
                let diagnostic = serde_diagnostic(source, &error);
                let skipped = diagnostic.code == "unknown-field"
                    && diagnostic.position.is_some_and(|p| blank_block_key(&mut text, p));
                found.push(diagnostic);
                if !skipped {
                    more_may_follow = false;
                    break;
                }
            }
        }
    }
    drop_missing_keys_that_are_misspelt(&mut found);
    if more_may_follow && let Some(last) = found.last_mut() {
        let keys = if readings == 1 { "key" } else { "keys" };
        let stop = format!("gen stops after {readings} unknown {keys} in a file this size: fix these and run it again");
        last.hint = Some(match last.hint.take() {
            Some(hint) => format!("{hint}; {stop}"),
            None => stop,
        });
    }
    Err(found)
}

/// How many times [`typed`] may read a text of `bytes` bytes, so: how many unknown keys it
/// reports at most. Each unknown key costs one more reading of the whole text; a bound on the
/// bytes read keeps a large file with many unknown keys to about half a second, where 50
/// readings of a 10 MB file took five.
fn readings_for(bytes: usize) -> usize {
    (MAX_READ_BYTES / bytes.max(1)).clamp(1, MAX_UNKNOWN_KEYS)
}

const MAX_UNKNOWN_KEYS: usize = 50;
/// About half a second of serde's reading: 50 readings up to 1.3 MB, 4 of a 16 MiB file.
const MAX_READ_BYTES: usize = 64 << 20;

/// serde reports a misspelt required key twice: as an unknown key, then (once that is blanked)
/// as a missing one, at the start of the mapping. The misspelling, at its own line with the
/// did-you-mean, is the one finding.
fn drop_missing_keys_that_are_misspelt(found: &mut Vec<Diagnostic>) {
    let misspelt: Vec<(String, String)> = found
        .iter()
        .filter(|d| d.code == "unknown-field")
        .filter_map(|d| {
            let suggestion = d.hint.as_deref()?.strip_prefix("did you mean `")?.strip_suffix("`?")?;
            let key_path = d.yaml_path.as_deref()?;
            let mapping = key_path.rsplit_once('.').map_or("", |(parent, _)| parent);
            Some((mapping.to_owned(), format!("missing field `{suggestion}`")))
        })
        .collect();
    found.retain(|d| {
        let mapping = d.yaml_path.as_deref().unwrap_or("");
        !(d.code == "missing-field"
            && misspelt
                .iter()
                .any(|(m, message)| m == mapping && *message == d.message))
    });
}

/// A file with nothing but blank lines and comments: say so at its first line, rather than
/// report a missing `tier` somewhere past its end.
fn empty(source: &SourceFile) -> Option<Diagnostic> {
    let blank = source.text.lines().all(|line| {
        let line = line.trim_start_matches([' ', '\t', '\r', '\u{feff}']);
        line.is_empty() || line.starts_with('#')
    });
    blank.then(|| {
        Diagnostic::error("missing-field", "the profile is empty")
            .at_position(source, Position { line: 1, column: 1 })
            .with_hint("a profile needs at least `tier`, `namespace`, `app` and `services`: see the README's profile reference")
    })
}

/// Blanks the block-style `key:` at `position` and every line of its value, keeping the line
/// count. Returns false (and changes nothing) for keys it cannot cut out cleanly, such as keys
/// inside flow mappings or on a list item's `- ` line.
fn blank_block_key(text: &mut String, position: Position) -> bool {
    let mut lines: Vec<&str> = text.split('\n').collect();
    let Some(index) = position.line.checked_sub(1).filter(|&i| i < lines.len()) else {
        return false;
    };
    let indent = position.column.saturating_sub(1);
    let key_line = lines[index];
    let starts_block_key = key_line.len() > indent
        && key_line.is_char_boundary(indent)
        && key_line[..indent].chars().all(|c| c == ' ')
        && !key_line[indent..].starts_with(['{', '[', '-']);
    if !starts_block_key {
        return false;
    }
    let mut end = index + 1;
    while end < lines.len() {
        let line = lines[end];
        let trimmed = line.trim_start();
        let line_indent = line.len() - trimmed.len();
        let continues = trimmed.is_empty()
            || trimmed.starts_with('#')
            || line_indent > indent
            || (line_indent == indent && trimmed.starts_with("- "));
        if !continues {
            break;
        }
        end += 1;
    }
    for line in &mut lines[index..end] {
        *line = "";
    }
    *text = lines.join("\n");
    true
}

fn position(marker: &marked_yaml::Marker) -> Position {
    Position {
        line: marker.line(),
        column: marker.column(),
    }
}

fn syntax_diagnostic(source: &SourceFile, error: &LoadError) -> Diagnostic {
    let (message, marker, hint) = match error {
        LoadError::TopLevelMustBeMapping(m) => (
            "the profile must be a YAML mapping of keys such as `tier`, `namespace` and `services`".to_owned(),
            Some(*m),
            None,
        ),
        LoadError::DuplicateKey(inner) => (
            format!("the key `{}` appears twice in the same mapping", inner.key.as_str()),
            inner.key.span().start().copied(),
            inner.prev_key.span().start().map(|m| {
                format!(
                    "the first `{}` is on line {}; keep one of them",
                    inner.key.as_str(),
                    m.line()
                )
            }),
        ),
        LoadError::UnexpectedAnchor(m) => (
            "YAML anchors and aliases are not supported in profiles".to_owned(),
            Some(anchor_marker(&source.text, m)),
            Some("put shared service settings under `serviceDefaults` instead".to_owned()),
        ),
        LoadError::UnexpectedTag(m) => (
            "YAML tags (`!tag`) are not supported in profiles".to_owned(),
            Some(*m),
            None,
        ),
        LoadError::MappingKeyMustBeScalar(m) => ("mapping keys must be plain strings".to_owned(), Some(*m), None),
        LoadError::ScanError(m, scan) if scan.info().contains("tab") => match indenting_tab(&source.text, m.line()) {
            Some(tab) => (
                "a tab indents this line: YAML indentation must be spaces".to_owned(),
                Some(tab),
                Some("replace the tab with spaces, as deep as the lines it belongs with".to_owned()),
            ),
            None => (
                format!("invalid YAML: {scan}"),
                Some(*m),
                Some("YAML does not allow tabs here; use spaces".to_owned()),
            ),
        },
        LoadError::ScanError(m, scan) => (format!("invalid YAML: {scan}"), Some(*m), None),
        other => (format!("invalid YAML: {other}"), None, None),
    };
    let code = if matches!(error, LoadError::DuplicateKey(_)) {
        "duplicate-key"
    } else {
        "invalid-yaml"
    };
    let mut diagnostic = Diagnostic::error(code, message).in_file(&source.display_path);
    if let Some(marker) = marker {
        // The scanner reports what it finds at the end of the input (a key it still expects)
        // on the line after the last one, which the report could not quote.
        diagnostic = diagnostic.at_position(source, within_line(source, clamp_to_text(source, position(&marker))));
    }
    match hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// The scanner counts a line's columns in bytes in some errors (found by fuzzing: a line with a
/// three-byte character, reported three columns past its end): a column past the end of its
/// line is shown just after the line's last character.
fn within_line(source: &SourceFile, at: Position) -> Position {
    match source.line(at.line) {
        Some(line) => Position {
            line: at.line,
            column: at.column.min(line.chars().count() + 1),
        },
        None => at,
    }
}

/// The tab that indents line `reported`, or the next line with content after it: a tab before
/// `replicas` under `image: x` is reported inside the plain scalar `x` on the line above.
fn indenting_tab(text: &str, reported: usize) -> Option<marked_yaml::Marker> {
    let mut lines = text.lines().enumerate().skip(reported.checked_sub(1)?);
    let (index, line) = lines.next()?;
    let candidates = std::iter::once((index, line)).chain(lines.find(|(_, l)| !l.trim().is_empty()));
    for (index, line) in candidates {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if let Some(column) = indent.find('\t') {
            let offset: usize = text.lines().take(index).map(|l| l.chars().count() + 1).sum::<usize>() + column;
            return Some(marked_yaml::Marker::new(0, offset, index + 1, column + 1));
        }
    }
    None
}

/// The parser reports an anchor where the next token starts; the `&` itself is the better
/// place to point at.
fn anchor_marker(text: &str, reported: &marked_yaml::Marker) -> marked_yaml::Marker {
    let before: String = text.chars().take(reported.character()).collect();
    let Some(offset) = before.rfind('&') else {
        return *reported;
    };
    let line_start = before[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = before[..offset].matches('\n').count() + 1;
    let column = before[line_start..offset].chars().count() + 1;
    marked_yaml::Marker::new(reported.source(), before[..offset].chars().count(), line, column)
}

/// Turns serde's message (`path: unknown field `x`, expected one of ... at line L column C`)
/// into a diagnostic with a code, the YAML path and a hint.
fn serde_diagnostic(source: &SourceFile, error: &serde_yaml::Error) -> Diagnostic {
    let full = error.to_string();
    if full.contains("more than one document") {
        return second_document(source);
    }
    let without_location = match full.rfind(" at line ") {
        Some(cut) => &full[..cut],
        None => &full,
    };
    let (yaml_path, message) = split_path(without_location);
    let (code, hint) = classify(message, yaml_path);
    let headline = match unknown_field_name(message) {
        Some(field) if yaml_path.is_empty() || yaml_path == "." => {
            format!("unknown key `{field}` at the top level")
        }
        Some(field) => format!("unknown key `{field}` in `{yaml_path}`"),
        None => message.to_owned(),
    };
    let mut diagnostic = Diagnostic::error(code, headline).in_file(&source.display_path);
    diagnostic.yaml_path = Some(yaml_path.to_owned()).filter(|p| !p.is_empty() && *p != ".");
    diagnostic.position = error
        .location()
        .map(|l| Position {
            line: l.line(),
            column: l.column(),
        })
        .or_else(|| source.position_of(yaml_path))
        .map(|p| clamp_to_text(source, p));
    if let Some(field) = unknown_field_name(message) {
        // serde points at the mapping; the key itself is a better place to point.
        let key_path = crate::source::join_key(if yaml_path == "." { "" } else { yaml_path }, field);
        if let Some(position) = source.exact_position(&key_path) {
            diagnostic.position = Some(position);
        }
        diagnostic.yaml_path = Some(key_path);
    }
    match hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// serde reports errors found at the end of the input (a missing key) after the last line; the
/// last line with content is the place to show.
fn clamp_to_text(source: &SourceFile, position: Position) -> Position {
    if source.line(position.line).is_some_and(|l| !l.trim().is_empty()) {
        return position;
    }
    let last = source
        .text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .last();
    match last.map(|(index, _)| index) {
        Some(index) if index + 1 < position.line => Position {
            line: index + 1,
            column: 1,
        },
        _ => position,
    }
}

/// A file with several YAML documents: point at the separator that starts the second one.
fn second_document(source: &SourceFile) -> Diagnostic {
    let mut seen_content = false;
    let line = source.text.lines().position(|line| {
        let separator = line == "---" || line.starts_with("--- ");
        let found = separator && seen_content;
        seen_content |= !separator && !line.trim().is_empty() && !line.trim_start().starts_with('#');
        found
    });
    let diagnostic = Diagnostic::error("invalid-yaml", "the file holds more than one YAML document")
        .in_file(&source.display_path)
        .with_hint("keep one profile per file: each environment is its own profiles/<name>.yaml");
    match line {
        Some(index) => diagnostic.at_position(
            source,
            Position {
                line: index + 1,
                column: 1,
            },
        ),
        None => diagnostic,
    }
}

fn split_path(message: &str) -> (&str, &str) {
    match message.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (path, rest),
        _ => ("", message),
    }
}

fn unknown_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(&rest[..rest.find('`')?])
}

fn backticked(list: &str) -> Vec<&str> {
    list.split('`').skip(1).step_by(2).collect()
}

fn classify(message: &str, yaml_path: &str) -> (&'static str, Option<String>) {
    if let Some(field) = unknown_field_name(message) {
        let expected = message
            .split_once("expected ")
            .map(|(_, list)| backticked(list))
            .unwrap_or_default();
        let hint = match did_you_mean(field, expected.iter().copied()) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None if expected.is_empty() => "remove this key".to_owned(),
            None => format!("valid keys here are: {}", expected.join(", ")),
        };
        return ("unknown-field", Some(hint));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = &rest[..rest.find('`').unwrap_or(rest.len())];
        let place = if yaml_path.is_empty() || yaml_path == "." {
            "the top level".to_owned()
        } else {
            format!("`{yaml_path}`")
        };
        return ("missing-field", Some(format!("add `{field}:` to {place}")));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let expected = rest
            .split_once("expected ")
            .map(|(_, list)| backticked(list))
            .unwrap_or_default();
        return ("invalid-value", Some(format!("use one of: {}", expected.join(", "))));
    }
    if let Some(found) = message.strip_prefix("invalid type: ") {
        let hint = if found.starts_with("map") {
            "this key takes a single value, not a mapping: see the README's profile reference"
        } else if found.starts_with("sequence") {
            "this key takes a single value, not a list"
        } else if message.contains("expected a string") {
            "quote the value to make it a string, e.g. \"1.10\""
        } else if found.starts_with("string") && found.contains('%') && message.contains("expected i64") {
            "percentages are not supported here: write a whole number of pods"
        } else if found.starts_with("string") && message.contains("expected i64") {
            "write the number without quotes"
        } else {
            "check the type of this value against the README's profile reference"
        };
        return ("invalid-type", Some(hint.to_owned()));
    }
    ("invalid-profile", None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `load` fuzz target: the scanner reported a key it still expected at the
    /// end of a file with no final newline on the line after the last one.
    #[test]
    fn a_syntax_error_at_the_end_of_the_text_is_located_on_its_last_line() {
        let text = "externalSecrets:\n  costs:\n    data:\n    Th";
        let Err((_, found)) = load_bytes(text.into(), "p.yaml".into(), "p.yaml") else {
            panic!("loaded");
        };
        assert_eq!(found[0].code, "invalid-yaml");
        assert_eq!(found[0].position, Some(Position { line: 4, column: 1 }), "{found:?}");
    }

    /// The unknown keys `load_bytes` reports in `text`, and the last one's hint.
    fn unknown_keys(text: &str) -> (usize, Option<String>) {
        let Err((_, found)) = load_bytes(text.into(), "p.yaml".into(), "p.yaml") else {
            panic!("loaded");
        };
        assert!(found.iter().all(|d| d.code == "unknown-field"), "{found:?}");
        (found.len(), found.last().and_then(|d| d.hint.clone()))
    }

    #[test]
    fn every_unknown_key_is_reported_up_to_a_bound_that_shrinks_with_the_file() {
        let head = "tier: prod\nnamespace: n\napp: a\nservices: {}\n";
        let keys = |n: usize| -> String { (0..n).map(|i| format!("bogus{i}: 1\n")).collect() };
        // The last reading that finds an unknown key cannot tell whether more follow.
        let (reported, hint) = unknown_keys(&format!("{head}{}", keys(MAX_UNKNOWN_KEYS - 1)));
        assert_eq!(reported, MAX_UNKNOWN_KEYS - 1);
        assert!(!hint.unwrap_or_default().contains("gen stops"));
        let (reported, hint) = unknown_keys(&format!("{head}{}", keys(MAX_UNKNOWN_KEYS + 1)));
        assert_eq!(reported, MAX_UNKNOWN_KEYS);
        let hint = hint.unwrap_or_default();
        assert!(
            hint.contains("gen stops after 50 unknown keys in a file this size"),
            "{hint}"
        );
        // A misspelling keeps its suggestion ahead of the note.
        assert!(
            hint.starts_with("valid keys here are") || hint.starts_with("did you mean"),
            "{hint}"
        );

        assert_eq!(readings_for(10_000), MAX_UNKNOWN_KEYS);
        assert_eq!(readings_for(10_000_000), 6);
        assert_eq!(readings_for(crate::load::limits::MAX_BYTES as usize), 4);
        assert_eq!(readings_for(usize::MAX), 1);
        assert_eq!(readings_for(0), MAX_UNKNOWN_KEYS);
    }

    #[test]
    fn blanks_a_block_key_with_its_value_and_keeps_line_numbers() {
        let mut text = "a:\n  bad:\n    x: 1\n  list:\n  - 1\n  good: 2\n".to_owned();
        assert!(blank_block_key(&mut text, Position { line: 2, column: 3 }));
        assert_eq!(text, "a:\n\n\n  list:\n  - 1\n  good: 2\n");
        assert!(blank_block_key(&mut text, Position { line: 4, column: 3 }));
        assert_eq!(text, "a:\n\n\n\n\n  good: 2\n");
        let mut flow = "a: {bad: 1}\n".to_owned();
        assert!(!blank_block_key(&mut flow, Position { line: 1, column: 5 }));
    }

    #[test]
    fn a_syntax_error_past_the_end_of_its_line_is_shown_at_its_end() {
        // The scanner counted the three bytes of `짐` as three columns (found by fuzzing).
        let source = SourceFile::new("p.yaml".into(), "p.yaml".into(), "a: 1\nb: 짐c\n".into());
        let at = within_line(&source, Position { line: 2, column: 8 });
        assert_eq!(at, Position { line: 2, column: 6 });
        let inside = Position { line: 2, column: 4 };
        assert_eq!(within_line(&source, inside), inside);
    }

    #[test]
    fn splits_serde_paths_from_messages() {
        assert_eq!(
            split_path("services.a: unknown field `x`"),
            ("services.a", "unknown field `x`")
        );
        assert_eq!(split_path("missing field `tier`"), ("", "missing field `tier`"));
    }

    #[test]
    fn suggests_a_key_for_unknown_fields() {
        let (code, hint) = classify(
            "unknown field `replicsa`, expected one of `image`, `replicas`",
            "services.a",
        );
        assert_eq!(code, "unknown-field");
        assert_eq!(hint.as_deref(), Some("did you mean `replicas`?"));
    }

    #[test]
    fn lists_keys_when_nothing_is_close() {
        let (_, hint) = classify("unknown field `zzz`, expected `path` or `service`", "ingress.routes[0]");
        assert_eq!(hint.as_deref(), Some("valid keys here are: path, service"));
    }
}
