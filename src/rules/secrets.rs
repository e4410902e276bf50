//! Does an environment variable hold a credential? Judged by the shape of its value (known token
//! formats, a password inside a URL, a long random string) and by its name, so that
//! `DB_PASS: hunter2` and `postgres://user:pass@db/x` are caught while ordinary URLs, paths and
//! hostnames (`http://otel-collector.observability.svc:4317`) are not.

/// Why `value`, in a variable called `name`, looks like a credential; `None` if it does not.
pub fn looks_like_secret(name: &str, value: &str) -> Option<&'static str> {
    let value = value.trim();
    if let Some(what) = token_shape(value) {
        return Some(what);
    }
    if url_password(value) {
        return Some("a URL with a password in it");
    }
    if is_reference(value) {
        return None;
    }
    if secret_name(name) {
        return Some("its name says so");
    }
    if random_looking(value) {
        return Some("a long random-looking value");
    }
    None
}

/// Values that are not credentials whatever the name: a mounted file's path, a reference to
/// another variable (`$(DB_PASSWORD)`, which Kubernetes expands), a switch, or nothing.
fn is_reference(value: &str) -> bool {
    value.is_empty()
        || value.starts_with('/')
        || is_variable_reference(value)
        || [
            "true", "false", "yes", "no", "on", "off", "none", "null", "enabled", "disabled",
        ]
        .iter()
        .any(|word| value.eq_ignore_ascii_case(word))
        || (value.contains("://") && !url_password(value))
}

fn is_variable_reference(text: &str) -> bool {
    let inner = text
        .strip_prefix("$(")
        .and_then(|t| t.strip_suffix(')'))
        .or_else(|| text.strip_prefix("${").and_then(|t| t.strip_suffix('}')));
    inner.is_some_and(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Known credential formats, anywhere in the value (`Bearer eyJ...`, `token=ghp_...`).
fn token_shape(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    for word in value.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ',' | ';')) {
        let shape = if is_jwt(word) {
            "a JSON Web Token"
        } else if ["AKIA", "ASIA"].iter().any(|p| {
            word.strip_prefix(p)
                .is_some_and(|r| r.len() == 16 && r.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        }) {
            "an AWS access key"
        } else if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].iter().any(|p| {
            word.strip_prefix(p)
                .is_some_and(|r| r.len() >= 30 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
        }) || word.strip_prefix("github_pat_").is_some_and(|r| r.len() >= 20)
        {
            "a GitHub token"
        } else if ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-"]
            .iter()
            .any(|p| word.strip_prefix(p).is_some_and(|r| r.len() >= 10))
        {
            "a Slack token"
        } else if ["sk_live_", "rk_live_"]
            .iter()
            .any(|p| word.strip_prefix(p).is_some_and(|r| r.len() >= 10))
        {
            "a Stripe key"
        } else if word.strip_prefix("AIza").is_some_and(|r| r.len() == 35) {
            "a Google API key"
        } else {
            continue;
        };
        return Some(shape);
    }
    None
}

/// Three base64url segments, the first a JSON header (`eyJ` is `{"` encoded).
fn is_jwt(word: &str) -> bool {
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[0].len() >= 10
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// `scheme://user:password@host...`: a non-empty password that is not a `$(VAR)` reference.
fn url_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty() && !is_variable_reference(password))
}

/// Words that make a name secret wherever they stand in it, even run together (`DBPASSWORD`).
const SECRET_PARTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "APIKEY",
    "PRIVATEKEY",
];
/// Words that make a name secret only as a whole word: `PASS` but not `BYPASS`, `AUTH` but not `OAUTH`.
const SECRET_WORDS: &[&str] = &["PASS", "PWD", "AUTH", "CREDS", "DSN", "COOKIE", "SALT", "HMAC"];
/// `KEY` is secret after one of these: `API_KEY`, `STRIPE_SECRET_KEY`, but not `CACHE_KEY`.
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "ACCESS",
    "SECRET",
    "PRIVATE",
    "SIGNING",
    "ENCRYPTION",
    "ENCRYPT",
    "MASTER",
    "SESSION",
    "CLIENT",
    "APP",
    "LICENSE",
    "JWT",
    "SSH",
    "GPG",
    "PGP",
    "DEPLOY",
    "WEBHOOK",
    "CRYPTO",
    "CIPHER",
];
/// Words after a secret word that make the name describe the secret rather than hold it:
/// `TOKEN_URL`, `PASSWORD_FILE`, `SECRET_NAME`, `AUTH_ENABLED`, `ACCESS_KEY_ID`.
const ABOUT_THE_SECRET: &[&str] = &[
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "HOSTNAME",
    "PORT",
    "PATH",
    "FILE",
    "DIR",
    "NAME",
    "ID",
    "USER",
    "USERNAME",
    "ENABLED",
    "DISABLED",
    "ENABLE",
    "DISABLE",
    "REQUIRED",
    "TTL",
    "LENGTH",
    "LEN",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "LIFETIME",
    "TIMEOUT",
    "HEADER",
    "TYPE",
    "MODE",
    "KIND",
    "METHOD",
    "ISSUER",
    "AUDIENCE",
    "SCOPE",
    "SCOPES",
    "PROVIDER",
    "POLICY",
    "VERSION",
    "FORMAT",
    "ALGORITHM",
    "ALG",
    "REF",
    "MOUNT",
    "SERVICE",
    "SERVER",
    "REALM",
    "STRATEGY",
    "LOCATION",
    "ROLE",
    "COUNT",
    "LIMIT",
    "RETRIES",
    "PREFIX",
    "HASHER",
];

/// Whether the variable's name says it holds a credential.
fn secret_name(name: &str) -> bool {
    let words = words(name);
    let mut secret_at = None;
    for (index, word) in words.iter().enumerate() {
        let secret = SECRET_PARTS.iter().any(|part| word.contains(part))
            || SECRET_WORDS.contains(&word.as_str())
            || (word == "KEY" && index > 0 && KEY_QUALIFIERS.contains(&words[index - 1].as_str()));
        if secret {
            secret_at = Some(index);
        }
    }
    secret_at.is_some_and(|at| !words[at + 1..].iter().any(|w| ABOUT_THE_SECRET.contains(&w.as_str())))
}

/// `DB_PASS`, `dbPass` and `db-pass` as `["DB", "PASS"]`.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// One long unbroken run of base64 or hex characters with letters, digits and high entropy: a
/// generated key. URLs, paths, hostnames, lists and sentences are none of that.
fn random_looking(value: &str) -> bool {
    value.len() >= 32
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'))
        && value.bytes().any(|b| b.is_ascii_digit())
        && value.bytes().any(|b| b.is_ascii_alphabetic())
        && !value.contains("//")
        && !readable(value)
        && shannon_entropy(value) > 4.0
}

/// Made of words a person wrote (`config/overrides/production`), not of generated characters.
fn readable(value: &str) -> bool {
    value
        .split(['/', '_', '-', '.'])
        .filter(|part| part.len() >= 3 && part.bytes().all(|b| b.is_ascii_lowercase()))
        .count()
        >= 2
}

fn shannon_entropy(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for byte in text.bytes() {
        counts[byte as usize] += 1;
    }
    let length = text.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64 / length)
        .map(|p| -p * p.log2())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_caught_by_value_and_by_name() {
        for (name, value, why) in [
            (
                "DATABASE_URL",
                "postgres://user:pass@db/x",
                "a URL with a password in it",
            ),
            (
                "REDIS_URL",
                "redis://:hunter2@redis:6379/0",
                "a URL with a password in it",
            ),
            (
                "AMQP",
                "amqps://app:s3cr%40t@rabbit.mq.svc:5671/vhost?heartbeat=30",
                "a URL with a password in it",
            ),
            ("DB_PASS", "hunter2", "its name says so"),
            ("POSTGRES_PWD", "hunter2", "its name says so"),
            ("SMTP_AUTH", "user:Sup3rS3cret!", "its name says so"),
            ("AWS_CREDENTIALS", "x", "its name says so"),
            ("SENTRY_DSN", "abc", "its name says so"),
            ("DB_PASSWORD", "hunter2", "its name says so"),
            ("dbPassword", "hunter2", "its name says so"),
            ("STRIPE_SECRET_KEY", "x", "its name says so"),
            ("API_KEY", "12345", "its name says so"),
            ("SECRET_KEY_BASE", "x", "its name says so"),
            ("GITHUB_TOKEN", "x", "its name says so"),
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "an AWS access key"),
            ("GITHUB", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "a GitHub token"),
            ("SLACK_HOOK", "xoxb-123456789012-abcdefghijkl", "a Slack token"),
            (
                "NOTIFY",
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
                "a JSON Web Token",
            ),
            (
                "TLS",
                "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
                "a private key",
            ),
            (
                "SIGNING",
                "q8Z3v1Lx0Pm4Rt7Yw2Ks9Nd6Hf5Jb3Gc1Ae8",
                "a long random-looking value",
            ),
        ] {
            assert_eq!(looks_like_secret(name, value), Some(why), "{name}: {value}");
        }
    }

    #[test]
    fn ordinary_urls_paths_hostnames_and_settings_pass() {
        for (name, value) in [
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://otel-collector.observability.svc:4317",
            ),
            (
                "UPSTREAM",
                "https://api.payments.example.com:8443/v2/charges?region=eu-west-1",
            ),
            (
                "DATABASE_URL",
                "postgres://app@db.platform-infrastructure.svc:5432/payments",
            ),
            ("DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db:5432/payments"),
            ("DATABASE_HOST", "postgresql.platform-infrastructure.svc.cluster.local"),
            ("DB_PASSWORD_FILE", "/run/secrets/db"),
            ("DB_PASSWORD", "/run/secrets/db/password"),
            ("DB_PASSWORD", "$(DB_PASSWORD_FROM_SECRET)"),
            ("TOKEN_URL", "https://auth.example.com/oauth/token"),
            ("OAUTH_ISSUER", "https://auth.example.com"),
            ("AUTH_ENABLED", "true"),
            ("SECRET_NAME", "payments-db"),
            ("PASSWORD_MIN_LENGTH", "12"),
            ("CACHE_KEY_PREFIX", "payments"),
            ("BYPASS_CACHE", "1"),
            ("LOG_LEVEL", "debug"),
            ("FEATURES", "search,reviews,analysis,orchestration"),
            ("CONFIG_DIR", "config/overrides/production/eu-west-1/payments"),
            (
                "IMAGE_DIGEST",
                "sha256:09aa20fa7818cc496abc452be50609393296a8165554d9d991d890098f7bcd88",
            ),
            ("REQUEST_ID_NAMESPACE", "123e4567-e89b-12d3-a456-426614174000"),
            (
                "JAVA_OPTS",
                "-XX:MaxRAMPercentage=75.0 -XX:+UseG1GC -Dfile.encoding=UTF-8",
            ),
            ("CERT", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
        ] {
            assert_eq!(looks_like_secret(name, value), None, "{name}: {value}");
        }
    }

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("dbPassword"), ["DB", "PASSWORD"]);
        assert_eq!(words("SMTP_AUTH"), ["SMTP", "AUTH"]);
        assert_eq!(words("_x2Key"), ["X2", "KEY"]);
    }
}
