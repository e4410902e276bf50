//! A large profile typed in parts on every core: serde reads one YAML stream on one thread, and
//! for a profile of a few hundred services that thread was the longest part of the load (it
//! ran beside the limits scan, which took about three quarters of its time).
//!
//! The `services:` block is cut between entries, each part is typed as a mapping of services
//! of its own, and the rest of the file with an empty `services: {}`. This reads the same
//! values as one read of the whole text only for plain block YAML, so anything else is left
//! to that one read: a text with anchors, aliases, tags or directives (which may refer across
//! the cuts), several documents, or carriage returns; a `services:` line that a quoted string
//! or a flow collection opened before it runs through; a `services:` block that is not a block
//! mapping of plain keys; and any part that does not type, or names a service another part
//! names. The caller then types the whole text, so its errors are serde's own.

use std::collections::BTreeMap;

use crate::profile::{RawProfile, RawService};

/// The profile `text` holds, typed in parts, or `None` for the caller to type it whole.
pub(super) fn parse(text: &str, parts: usize) -> Option<RawProfile> {
    let block = services_block(text)?;
    let cuts = cut(&text[block.clone()], parts)?;
    let before = &text[..block.start - LINE.len()];
    // The line is the top-level key only if the text before it is complete: a quoted string or
    // a flow collection left open there goes on through it, at any column.
    serde_yaml::from_str::<serde::de::IgnoredAny>(&format!("{before}{EMPTY}")).ok()?;
    // Before the parts: a profile with a mistake outside its services is typed once, whole.
    let mut profile: RawProfile = serde_yaml::from_str(&format!("{before}{EMPTY}{}", &text[block.end..])).ok()?;
    let mut parsed = crate::parallel::map_chunks(&cuts, 1, |cuts| {
        cuts.iter()
            .map(|range| serde_yaml::from_str::<BTreeMap<String, RawService>>(&text[block.start..][range.clone()]).ok())
            .collect::<Vec<_>>()
    });
    for services in parsed.iter_mut().flatten() {
        for (name, service) in services.take()? {
            // Within a part serde decides what a repeated key means; across parts, it does.
            if profile.services.insert(name, service).is_some() {
                return None;
            }
        }
    }
    Some(profile)
}

/// The line that opens the block: the top-level key alone on its line.
const LINE: &str = "services:\n";
/// What stands for the block in the rest of the text.
const EMPTY: &str = "services: {}\n";

/// The bytes of the `services:` block's entries, or `None` if the text is not plain block YAML
/// with exactly one such block.
fn services_block(text: &str) -> Option<std::ops::Range<usize>> {
    if text.bytes().any(|b| matches!(b, b'&' | b'*' | b'!' | b'%' | b'\r')) {
        return None;
    }
    let mut start = None;
    let mut end = text.len();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        if line.starts_with("---") || line.starts_with("...") {
            return None;
        }
        if line == LINE {
            if start.is_some() {
                return None;
            }
            start = Some(offset);
        } else if start.is_some() && end == text.len() && opens_top_level_key(line) {
            end = at;
        }
    }
    let start = start?;
    (start < end).then_some(start..end)
}

/// A line at column 0 that is neither blank nor a comment: the next top-level key.
fn opens_top_level_key(line: &str) -> bool {
    line.bytes().next().is_some_and(|b| !matches!(b, b' ' | b'\n' | b'#'))
}

/// The block cut into about `parts` ranges of whole entries, each starting at an entry's key;
/// `None` if the entries are not plain keys at one indentation, or there is only one.
fn cut(block: &str, parts: usize) -> Option<Vec<std::ops::Range<usize>>> {
    let mut entries = Vec::new();
    let mut indent = None;
    let mut offset = 0;
    for line in block.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let content = line.trim_start_matches(' ');
        if content.trim().is_empty() || content.starts_with('#') {
            continue;
        }
        let depth = line.len() - content.len();
        let indent = *indent.get_or_insert(depth);
        if depth == indent {
            if !is_plain_key(content) {
                return None;
            }
            entries.push(at);
        } else if depth < indent {
            return None;
        }
    }
    // The block's first line with content set the indentation, so it is the first entry.
    if entries.len() < 2 {
        return None;
    }
    let target = block.len().div_ceil(parts.max(1));
    let mut cuts = Vec::new();
    let mut from = 0;
    for &at in &entries[1..] {
        if at - from >= target {
            cuts.push(from..at);
            from = at;
        }
    }
    cuts.push(from..block.len());
    (cuts.len() > 1).then_some(cuts)
}

/// `name:` followed by the end of the line or a space: a plain key with nothing YAML reads
/// specially in it.
fn is_plain_key(content: &str) -> bool {
    let Some(colon) = content.find(':') else {
        return false;
    };
    let (key, after) = content.split_at(colon);
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && matches!(after.as_bytes().get(1), None | Some(b' ' | b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str) -> String {
        format!("{:?}", serde_yaml::from_str::<RawProfile>(text))
    }

    fn in_parts(text: &str, parts: usize) -> Option<String> {
        parse(text, parts).map(|profile| format!("{:?}", Ok::<_, serde_yaml::Error>(profile)))
    }

    const HEAD: &str = "tier: prod\nnamespace: shop-prod\napp: shop\n";

    fn service(name: &str) -> String {
        format!("  {name}:\n    image: registry.example.com/shop/{name}:1.0.0\n    replicas: 2\n")
    }

    fn services(count: usize) -> String {
        (0..count).map(|i| service(&format!("svc-{i:02}"))).collect()
    }

    /// Every profile in the repository that can be cut reads the same in parts as whole, in 2,
    /// 3 and 8 parts; and enough of them can be cut for this to mean something.
    #[test]
    fn every_repository_profile_reads_the_same_in_parts() {
        let mut cut = 0;
        for (path, text) in crate::load::repository_texts() {
            for parts in [2, 3, 8] {
                if let Some(found) = in_parts(&text, parts) {
                    assert_eq!(found, whole(&text), "{path} in {parts} parts");
                    cut += 1;
                }
            }
        }
        assert!(cut >= 60, "only {cut} cuts of repository profiles");
    }

    #[test]
    fn a_generated_profile_reads_the_same_in_any_number_of_parts() {
        let text = format!("{HEAD}services:\n{}network:\n  egressMode: open\n", services(40));
        for parts in [2, 3, 4, 7, 40, 100] {
            assert_eq!(in_parts(&text, parts), Some(whole(&text)), "{parts} parts");
        }
        let at_end = format!(
            "{HEAD}services:\n\n# the services\n{}",
            services(5).replace("  svc-03", "# moved\n  svc-03")
        );
        assert_eq!(in_parts(&at_end, 2), Some(whole(&at_end)));
        let deeper = format!(
            "{HEAD}services:\n{}",
            services(4)
                .replace("\n  ", "\n      ")
                .replacen("  svc", "      svc", 1)
        );
        assert_eq!(in_parts(&deeper, 2), Some(whole(&deeper)));
    }

    /// What may mean something else once cut, or is an error, is left to the whole read.
    #[test]
    fn what_a_part_cannot_read_alone_is_left_whole() {
        let plain = format!("{HEAD}services:\n{}", services(4));
        assert!(in_parts(&plain, 2).is_some());
        let anchored = plain
            .replace("replicas: 2\n  svc-02", "replicas: &two 2\n  svc-02")
            .replacen(
                "svc-03:\n    image: registry.example.com/shop/svc-03:1.0.0\n    replicas: 2",
                "svc-03:\n    image: registry.example.com/shop/svc-03:1.0.0\n    replicas: *two",
                1,
            );
        assert_ne!(anchored, plain);
        // The whole read: `app` is the whole block as one string, and there are no services.
        let quoted = format!(
            "tier: prod\nnamespace: shop-prod\napp: \"shop\nservices:\n{}\"\nservices: {{}}\n",
            services(4)
        );
        assert!(whole(&quoted).starts_with("Ok("), "{}", whole(&quoted));
        for (what, text) in [
            ("an anchor and its alias", anchored),
            ("a quoted string open before the block", quoted.clone()),
            (
                "a flow mapping open before the block",
                format!(
                    "{{tier: prod, namespace: shop-prod, app: shop,\nservices:\n{}}}\n",
                    services(4)
                ),
            ),
            ("a tag", plain.replace("replicas: 2", "replicas: !!int 2")),
            ("a directive", format!("%YAML 1.2\n---\n{plain}")),
            ("a second document", format!("{plain}---\n{plain}")),
            ("carriage returns", plain.replace('\n', "\r\n")),
            ("a duplicate service", format!("{plain}{}", service("svc-00"))),
            (
                "an unknown key",
                plain.replace("replicas: 2\n  svc-03", "replica: 2\n  svc-03"),
            ),
            (
                "a second services block",
                format!("{plain}services:\n{}", service("svc-09")),
            ),
            (
                "a flow mapping",
                format!("{HEAD}services: {{a: {{image: x}}, b: {{image: y}}}}\n"),
            ),
            ("one service", format!("{HEAD}services:\n{}", service("svc-00"))),
            ("a quoted key", plain.replace("  svc-02:", "  \"svc-02\":")),
            ("a key with a tab", plain.replace("  svc-02:", "  svc-02:\t")),
            (
                "an outdented line",
                plain.replace("    replicas: 2\n  svc-03", " replicas: 2\n  svc-03"),
            ),
        ] {
            assert_eq!(in_parts(&text, 2), None, "{what}");
        }
    }

    #[test]
    fn a_cut_starts_at_a_key_and_covers_the_block() {
        let block = services(10);
        let cuts = cut(&block, 3).unwrap();
        assert_eq!(cuts.len(), 3);
        assert_eq!(cuts.first().unwrap().start, 0);
        assert_eq!(cuts.last().unwrap().end, block.len());
        for pair in cuts.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!(block[pair[1].clone()].starts_with("  svc-"));
        }
    }
}
