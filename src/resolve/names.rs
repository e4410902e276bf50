//! Kubernetes naming rules: DNS labels and subdomains, label keys and values.

pub const DNS_LABEL_HINT: &str =
    "use lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters";
pub const LABEL_KEY_HINT: &str = "label keys are an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, e.g. `workload-type` or `example.com/tier`";
pub const LABEL_HINT: &str = "label values are at most 63 characters of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit";

/// RFC 1123 label: what Kubernetes requires of namespace names and most object names.
pub fn dns_label(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".into());
    }
    if name.len() > 63 {
        return Err(format!("is {} characters long; the limit is 63", name.len()));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("may contain only lowercase letters, digits and `-`".into());
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// RFC 1035 label: what Kubernetes requires of Service names (must start with a letter).
pub fn dns1035_label(name: &str) -> Result<(), String> {
    dns_label(name)?;
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("must start with a letter".into());
    }
    Ok(())
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn dns_subdomain(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err(format!("is {} characters long; the limit is 253", name.len()));
    }
    name.split('.').try_for_each(dns_label)
}

pub fn label_value(value: &str) -> Result<(), String> {
    if value.len() > 63 {
        return Err(format!("it is {} characters long; the limit is 63", value.len()));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("it may contain only letters, digits, `-`, `_` and `.`".into());
    }
    let alphanumeric_ends =
        value.starts_with(|c: char| c.is_ascii_alphanumeric()) && value.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !value.is_empty() && !alphanumeric_ends {
        return Err("it must start and end with a letter or digit".into());
    }
    Ok(())
}

pub fn label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        dns_subdomain(prefix).map_err(|problem| format!("its prefix `{prefix}` {problem}"))?;
    }
    if name.is_empty() {
        return Err("its name part is empty".into());
    }
    label_value(name)
}

/// A portable environment variable name (a C identifier): what envFrom turns into variables
/// and what shells can read.
pub fn env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(dns_label("platform-v2-stable").is_ok());
        assert!(dns_label("Platform").is_err());
        assert!(dns_label("-x").is_err());
        assert!(dns_label(&"a".repeat(64)).is_err());
        assert!(dns1035_label("1api").is_err());
        assert!(dns_subdomain("api.coderev.example.com").is_ok());
        assert!(dns_subdomain("api..example.com").is_err());
    }

    #[test]
    fn labels() {
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("workload-type").is_ok());
        assert!(label_key("bad key").is_err());
        assert!(label_value("1.2.3").is_ok());
        assert!(label_value("1.2.3+build").is_err());
        assert!(label_value("").is_ok());
    }

    #[test]
    fn env_names() {
        assert!(env_name("LOG_LEVEL") && env_name("_x1"));
        assert!(!env_name("log-level") && !env_name("1X") && !env_name(""));
    }
}
