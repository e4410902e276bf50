//! Container image references: `[registry/]repository[:tag][@sha256:digest]`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

pub fn parse(reference: &str) -> Result<ImageRef, String> {
    if reference.is_empty() {
        return Err("the image is empty".into());
    }
    if let Some(c) = reference.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("the image contains the character {c:?}"));
    }
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (reference, None),
    };
    if let Some(digest) = digest {
        let hex = digest
            .strip_prefix("sha256:")
            .ok_or_else(|| format!("the digest `{digest}` must start with `sha256:`"))?;
        if hex.len() != 64 || !hex.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
            return Err(format!(
                "the digest `{digest}` must be `sha256:` and 64 lowercase hex digits"
            ));
        }
    }
    // A colon after the last slash separates the tag; one before it is a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    validate_repository(repository)?;
    if let Some(tag) = tag {
        validate_tag(tag)?;
    }
    Ok(ImageRef {
        repository: repository.to_owned(),
        tag: tag.map(str::to_owned),
        digest: digest.map(str::to_owned),
    })
}

fn validate_repository(repository: &str) -> Result<(), String> {
    let (registry, path) = match repository.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (Some(first), rest),
        _ => (None, repository),
    };
    if let Some(registry) = registry
        && !registry
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    {
        return Err(format!("the registry `{registry}` is not a valid host name"));
    }
    let component_ok = |c: &str| {
        !c.is_empty()
            && c.chars()
                .all(|ch| matches!(ch, 'a'..='z' | '0'..='9' | '.' | '_' | '-'))
            && c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
            && c.ends_with(|ch: char| ch.is_ascii_alphanumeric())
    };
    if path.split('/').all(component_ok) {
        Ok(())
    } else {
        Err(format!(
            "the repository `{repository}` is not valid: path parts are lowercase letters, digits and `._-`"
        ))
    }
}

fn validate_tag(tag: &str) -> Result<(), String> {
    let valid = (1..=128).contains(&tag.len())
        && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "the tag `{tag}` is not valid: use letters, digits and `_.-`, at most 128"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn splits_registry_port_tag_and_digest() {
        let image = parse(&format!("registry.example.com:5000/team/api:1.2.3@{DIGEST}")).unwrap();
        assert_eq!(image.repository, "registry.example.com:5000/team/api");
        assert_eq!(image.tag.as_deref(), Some("1.2.3"));
        assert_eq!(image.digest.as_deref(), Some(DIGEST));
        assert_eq!(parse("nginx").unwrap().tag, None);
    }

    #[test]
    fn rejects_malformed_references() {
        for bad in [
            "",
            "Nginx:1",
            "nginx:",
            "nginx@sha256:abc",
            "a b",
            "nginx:-x",
            "registry//x",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
