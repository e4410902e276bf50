//! What a service reads: ConfigMaps from `configs:` (as environment or files, hashed onto the
//! pod template so a change rolls the pods), Secrets by reference (files by default,
//! environment only when asked), ExternalSecrets, and its own volumes.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::Resolver;
use super::names::{DNS_LABEL_HINT, dns_label};
use super::suggestion;
use crate::model::{
    ConfigEnvVar, ConfigMap, EmptyDir, EnvVar, ExternalSecret, RemoteRef, SecretEnvVar, SecretVolume, Volume,
};
use crate::profile::{RawProfile, RawService, SecretStoreKind};

pub(crate) const DEFAULT_REFRESH_INTERVAL: &str = "1h";
/// The API server's limit on a ConfigMap's data (1 MiB).
const MAX_CONFIG_BYTES: usize = 1024 * 1024;
/// gen's own scratch volume (the root filesystem is read-only).
const TMP_VOLUME: &str = "tmp";

/// What a service reads from configs and secrets, ready for the pod template.
pub(super) struct Reads {
    pub volumes: Vec<Volume>,
    pub secret_env: Vec<SecretEnvVar>,
    pub config_env: Vec<ConfigEnvVar>,
    pub env_from_config_maps: Vec<String>,
    pub config_hash: Option<String>,
}

impl Resolver<'_> {
    pub(super) fn config_maps(&mut self, raw: &RawProfile) -> Vec<ConfigMap> {
        raw.configs
            .iter()
            .map(|(name, data)| {
                let path = format!("configs.{name}");
                self.object_name(&path, "config", name);
                for key in data.keys() {
                    self.data_key(&format!("{path}.{key}"), key);
                }
                let size: usize = data.iter().map(|(k, v)| k.len() + v.len()).sum();
                if size > MAX_CONFIG_BYTES {
                    self.error(
                        "invalid-value",
                        &path,
                        format!("config `{name}` holds {size} bytes; Kubernetes stores at most {MAX_CONFIG_BYTES} in a ConfigMap"),
                        "split it into several configs, or ship large files in the image or a volume",
                    );
                }
                ConfigMap {
                    name: name.clone(),
                    data: data.clone(),
                }
            })
            .collect()
    }

    pub(super) fn external_secrets(&mut self, raw: &RawProfile) -> Vec<ExternalSecret> {
        raw.external_secrets
            .iter()
            .map(|(name, secret)| {
                let path = format!("externalSecrets.{name}");
                self.object_name(&path, "secret", name);
                self.object_name(&format!("{path}.store.name"), "secret store", &secret.store.name);
                let refresh_interval = secret
                    .refresh_interval
                    .clone()
                    .unwrap_or_else(|| DEFAULT_REFRESH_INTERVAL.to_owned());
                if !is_duration(&refresh_interval) {
                    self.error(
                        "invalid-value",
                        &format!("{path}.refreshInterval"),
                        format!("`{refresh_interval}` is not a duration"),
                        "write a duration such as `1h`, `15m` or `1h30m`",
                    );
                }
                if secret.data.is_empty() {
                    self.error(
                        "invalid-value",
                        &format!("{path}.data"),
                        "the external secret fetches no keys",
                        "map each Secret key to its key in the store: `DATABASE_URL: {key: app/database-url}`",
                    );
                }
                let data = secret
                    .data
                    .iter()
                    .map(|(secret_key, remote)| {
                        let at = format!("{path}.data.{secret_key}");
                        self.data_key(&at, secret_key);
                        if remote.key.trim().is_empty() {
                            self.error(
                                "invalid-value",
                                &format!("{at}.key"),
                                "the remote key is empty",
                                "name the key in the external store, e.g. `app/database-url`",
                            );
                        }
                        RemoteRef {
                            secret_key: secret_key.clone(),
                            key: remote.key.clone(),
                            property: remote.property.clone(),
                        }
                    })
                    .collect();
                ExternalSecret {
                    name: name.clone(),
                    store_name: secret.store.name.clone(),
                    store_kind: secret.store.kind.unwrap_or(SecretStoreKind::SecretStore),
                    refresh_interval,
                    data,
                }
            })
            .collect()
    }

    /// A key of a ConfigMap or Secret: what Kubernetes allows as a file name in the volume.
    pub(super) fn data_key(&mut self, path: &str, key: &str) {
        let valid = !key.is_empty()
            && key.len() <= 253
            && key != "."
            && key != ".."
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            self.error(
                "invalid-name",
                path,
                format!("`{key}` cannot be a ConfigMap or Secret key"),
                "keys are letters, digits, `-`, `_` and `.`, at most 253 characters",
            );
        }
    }

    pub(super) fn service_reads(
        &mut self,
        path: &str,
        raw: &RawService,
        profile: &RawProfile,
        env: &[EnvVar],
    ) -> Reads {
        let mut reads = Reads {
            volumes: Vec::new(),
            secret_env: Vec::new(),
            config_env: Vec::new(),
            env_from_config_maps: Vec::new(),
            config_hash: None,
        };
        let mut hashed: Vec<String> = Vec::new();
        let mut seen = BTreeSet::new();
        for (index, used) in raw.config.iter().flatten().enumerate() {
            let at = format!("{path}.config[{index}]");
            let Some(data) = profile.configs.get(&used.name) else {
                self.error(
                    "unknown-config",
                    &format!("{at}.name"),
                    format!("`{}` is not declared under `configs`", used.name),
                    suggestion(
                        &used.name,
                        profile.configs.keys().map(String::as_str),
                        "declare it under `configs:` first",
                    ),
                );
                continue;
            };
            if !seen.insert(used.name.as_str()) {
                self.error(
                    "duplicate-name",
                    &format!("{at}.name"),
                    format!("config `{}` is read twice", used.name),
                    "read each config once",
                );
            }
            hashed.push(used.name.clone());
            for (variable, key) in used.env.iter().flatten() {
                let var_path = format!("{at}.env.{variable}");
                self.env_name(&var_path, variable);
                if !data.contains_key(key) {
                    self.error(
                        "unknown-config",
                        &var_path,
                        format!("config `{}` has no key `{key}`", used.name),
                        suggestion(key, data.keys().map(String::as_str), "name one of the config's keys"),
                    );
                }
                if env.iter().any(|e| &e.name == variable) || reads.config_env.iter().any(|e| &e.name == variable) {
                    self.error(
                        "duplicate-name",
                        &var_path,
                        format!("`{variable}` is set twice"),
                        "give each environment variable one source",
                    );
                }
                reads.config_env.push(ConfigEnvVar {
                    name: variable.clone(),
                    config_map: used.name.clone(),
                    key: key.clone(),
                });
            }
            match &used.mount_path {
                Some(mount_path) => reads.volumes.push(Volume {
                    name: volume_name("config", &used.name),
                    mount_path: mount_path.clone(),
                    read_only: true,
                    empty_dir: None,
                    claim: None,
                    config_map: Some(used.name.clone()),
                    secret: None,
                }),
                None if used.env.is_some() => {}
                None => {
                    for key in data.keys().filter(|k| !super::names::env_name(k)) {
                        self.error(
                            "invalid-env-name",
                            &format!("{at}.name"),
                            format!(
                                "config `{}` has the key `{key}`, which cannot become an environment variable",
                                used.name
                            ),
                            "map single keys to variables (`env: {LOG_LEVEL: log-level}`), mount the config as files with `mountPath:`, or rename the key (e.g. `LOG_LEVEL`)",
                        );
                    }
                    reads.env_from_config_maps.push(used.name.clone());
                }
            }
        }
        if !seen.is_empty() {
            let hash = self.config_hashes.entry(hashed).or_insert_with_key(|names| {
                let mut hasher = Sha256::new();
                for (name, data) in names.iter().filter_map(|n| Some((n, profile.configs.get(n)?))) {
                    hash_config(&mut hasher, name, data);
                }
                format!("{:x}", hasher.finalize())
            });
            reads.config_hash = Some(hash.clone());
        }
        self.secret_reads(path, raw, profile, env, &mut reads);
        self.env_from_clashes(path, raw, profile, env, &reads);
        reads
    }

    /// A config read whole into the environment turns each key into a variable: one that
    /// another source also sets would silently win or lose, so it is a mistake.
    fn env_from_clashes(&mut self, path: &str, raw: &RawService, profile: &RawProfile, env: &[EnvVar], reads: &Reads) {
        let mut sources: BTreeMap<&str, String> = BTreeMap::new();
        for var in env {
            sources.insert(&var.name, "`env`".to_owned());
        }
        for var in &reads.config_env {
            sources.insert(&var.name, format!("config `{}`", var.config_map));
        }
        for var in &reads.secret_env {
            sources.insert(&var.name, format!("secret `{}`", var.secret));
        }
        for (index, used) in raw.config.iter().flatten().enumerate() {
            if !reads.env_from_config_maps.contains(&used.name) {
                continue;
            }
            for key in profile.configs.get(&used.name).into_iter().flat_map(|d| d.keys()) {
                let this = format!("config `{}`", used.name);
                if let Some(other) = sources.insert(key, this.clone()) {
                    self.error(
                        "duplicate-name",
                        &format!("{path}.config[{index}].name"),
                        format!("`{key}` comes from {other} and from {this}"),
                        "give each environment variable one source: rename the key, or read single keys with `env:`",
                    );
                }
            }
        }
    }

    fn secret_reads(&mut self, path: &str, raw: &RawService, profile: &RawProfile, env: &[EnvVar], reads: &mut Reads) {
        let mut names = BTreeSet::new();
        for (index, used) in raw.secrets.iter().flatten().enumerate() {
            let at = format!("{path}.secrets[{index}]");
            self.object_name(&format!("{at}.name"), "secret", &used.name);
            if !names.insert(used.name.as_str()) {
                self.error(
                    "duplicate-name",
                    &format!("{at}.name"),
                    format!("secret `{}` is listed twice", used.name),
                    "list each secret once, with all its keys",
                );
            }
            let external = profile.external_secrets.get(&used.name);
            let known_keys = |key: &str| external.is_none_or(|e| e.data.contains_key(key));
            match &used.keys {
                Some(keys) if keys.is_empty() => self.error(
                    "invalid-value",
                    &format!("{at}.keys"),
                    "an empty key list mounts nothing",
                    "list the keys to mount, or leave `keys` out to mount every key",
                ),
                Some(_) if used.env.is_some() && used.mount_path.is_none() => self.error(
                    "invalid-value",
                    &format!("{at}.keys"),
                    "`keys` chooses the files to mount, but with `env` and no `mountPath` nothing is mounted",
                    "name the keys in `env`, or add `mountPath` to mount these keys as files too",
                ),
                Some(keys) => {
                    let mut seen = BTreeSet::new();
                    for (key_index, key) in keys.iter().enumerate() {
                        if !seen.insert(key.as_str()) {
                            self.error(
                                "duplicate-name",
                                &format!("{at}.keys[{key_index}]"),
                                format!("key `{key}` is listed twice"),
                                "list each key once",
                            );
                        }
                    }
                }
                None => {}
            }
            for (key_index, key) in used.keys.iter().flatten().enumerate() {
                self.data_key(&format!("{at}.keys[{key_index}]"), key);
                if !known_keys(key) {
                    self.unknown_secret_key(&format!("{at}.keys[{key_index}]"), &used.name, key, external);
                }
            }
            for (variable, key) in used.env.iter().flatten() {
                let var_path = format!("{at}.env.{variable}");
                self.env_name(&var_path, variable);
                self.data_key(&var_path, key);
                if !known_keys(key) {
                    self.unknown_secret_key(&var_path, &used.name, key, external);
                }
                let clash =
                    env.iter().any(|e| &e.name == variable) || reads.secret_env.iter().any(|e| &e.name == variable);
                if clash {
                    self.error(
                        "duplicate-name",
                        &var_path,
                        format!("`{variable}` is set twice"),
                        "give each environment variable one source",
                    );
                }
                reads.secret_env.push(SecretEnvVar {
                    name: variable.clone(),
                    secret: used.name.clone(),
                    key: key.clone(),
                });
            }
            if used.env.is_none() || used.mount_path.is_some() {
                let mount_path = used
                    .mount_path
                    .clone()
                    .unwrap_or_else(|| format!("/run/secrets/{}", used.name));
                reads.volumes.push(Volume {
                    name: volume_name("secret", &used.name),
                    mount_path,
                    read_only: true,
                    empty_dir: None,
                    claim: None,
                    config_map: None,
                    secret: Some(SecretVolume {
                        name: used.name.clone(),
                        keys: used.keys.clone().unwrap_or_default(),
                    }),
                });
            }
        }
    }

    fn unknown_secret_key(
        &mut self,
        path: &str,
        secret: &str,
        key: &str,
        external: Option<&crate::profile::RawExternalSecret>,
    ) {
        let keys = external.into_iter().flat_map(|e| e.data.keys().map(String::as_str));
        self.error(
            "unknown-secret-key",
            path,
            format!("external secret `{secret}` fetches no key `{key}`"),
            suggestion(key, keys, &format!("add `{key}` under `externalSecrets.{secret}.data`")),
        );
    }

    /// The service's own volumes, then those of its configs and secrets.
    pub(super) fn volumes(&mut self, path: &str, raw: &RawService, read: Vec<Volume>) -> Vec<Volume> {
        let mut volumes = Vec::new();
        for (name, volume) in raw.volumes.iter().flatten() {
            let at = format!("{path}.volumes.{name}");
            if let Err(problem) = dns_label(name) {
                self.error(
                    "invalid-name",
                    &at,
                    format!("volume name `{name}` {problem}"),
                    DNS_LABEL_HINT,
                );
            }
            if name == TMP_VOLUME || name.starts_with("config-") || name.starts_with("secret-") {
                self.error(
                    "reserved-key",
                    &at,
                    format!("the volume name `{name}` is gen's"),
                    "gen names `tmp` (for /tmp) and the `config-*` and `secret-*` volumes; choose another name",
                );
            }
            let empty_dir = volume.empty_dir.as_ref().map(|dir| {
                self.quantity(&format!("{at}.emptyDir.sizeLimit"), &dir.size_limit, "1Gi");
                EmptyDir {
                    size_limit: dir.size_limit.clone(),
                    medium: dir.medium,
                }
            });
            if let Some(claim) = &volume.claim {
                self.object_name(&format!("{at}.claim"), "claim", claim);
            }
            if empty_dir.is_some() == volume.claim.is_some() {
                self.error(
                    "invalid-value",
                    &at,
                    "a volume needs exactly one source: `emptyDir` or `claim`",
                    "e.g. `emptyDir: {sizeLimit: 1Gi}` for scratch space, or `claim: <pvc-name>` for an existing PersistentVolumeClaim",
                );
            }
            volumes.push(Volume {
                name: name.clone(),
                mount_path: volume.mount_path.clone(),
                read_only: volume.read_only,
                empty_dir,
                claim: volume.claim.clone(),
                config_map: None,
                secret: None,
            });
        }
        volumes.extend(read);
        self.mount_paths(path, raw, &volumes);
        let mut names = BTreeSet::new();
        for volume in &volumes {
            if !names.insert(volume.name.as_str()) {
                self.error(
                    "duplicate-name",
                    &mount_path_key(path, raw, volume),
                    format!("two volumes would be named `{}`", volume.name),
                    "configs and secrets whose names differ only by `.` and `-` cannot be mounted together; rename one",
                );
            }
        }
        volumes
    }

    /// Mount paths must be absolute and distinct, and never hide gen's `/tmp`.
    fn mount_paths(&mut self, path: &str, raw: &RawService, volumes: &[Volume]) {
        let mut seen = BTreeMap::new();
        seen.insert("/tmp".to_owned(), "gen's /tmp".to_owned());
        for volume in volumes {
            let at = mount_path_key(path, raw, volume);
            let mount = volume.mount_path.trim_end_matches('/');
            let absolute = volume.mount_path.starts_with('/')
                && !volume.mount_path.contains(':')
                && !volume.mount_path.split('/').any(|part| part == "..");
            if !absolute || mount.is_empty() {
                self.error(
                    "invalid-path",
                    &at,
                    format!("mount path `{}` is not an absolute path", volume.mount_path),
                    "write an absolute path without `..` or `:`, such as `/var/cache/app`",
                );
                continue;
            }
            if let Some(other) = seen.insert(mount.to_owned(), volume.name.clone()) {
                self.error(
                    "duplicate-name",
                    &at,
                    format!("`{}` is already the mount path of {other}", volume.mount_path),
                    "give each volume its own mount path",
                );
            }
        }
    }
}

/// Where the profile set a volume's mount path.
fn mount_path_key(path: &str, raw: &RawService, volume: &Volume) -> String {
    let index_of = |name: &str, list: Option<Vec<&str>>| list.and_then(|l| l.iter().position(|n| *n == name));
    if let Some(config) = &volume.config_map
        && let Some(index) = index_of(
            config,
            raw.config.as_ref().map(|c| c.iter().map(|u| u.name.as_str()).collect()),
        )
    {
        return format!("{path}.config[{index}].mountPath");
    }
    if let Some(secret) = &volume.secret
        && let Some(index) = index_of(
            &secret.name,
            raw.secrets
                .as_ref()
                .map(|s| s.iter().map(|u| u.name.as_str()).collect()),
        )
    {
        return format!("{path}.secrets[{index}].mountPath");
    }
    format!("{path}.volumes.{}.mountPath", volume.name)
}

/// A volume name for a config or secret: `config-<name>`, a DNS label even when the object's
/// name has dots or is long.
fn volume_name(prefix: &str, name: &str) -> String {
    let mut volume = format!("{prefix}-{}", name.replace('.', "-"));
    if volume.len() > 63 {
        let digest = Sha256::digest(name.as_bytes());
        volume.truncate(54);
        volume = format!("{}-{:x}", volume.trim_end_matches('-'), digest)[..63].to_owned();
    }
    volume
}

fn hash_config(hasher: &mut Sha256, name: &str, data: &BTreeMap<String, String>) {
    // Lengths before every string, so no two different configs hash alike.
    for text in std::iter::once(name).chain(data.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()])) {
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
}

/// A Go duration as the External Secrets Operator parses `refreshInterval`: `1h`, `15m`, `1h30m`.
fn is_duration(text: &str) -> bool {
    if text == "0" {
        return true;
    }
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 || rest[..digits].parse::<f64>().is_err() {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .into_iter()
            .filter(|u| rest.starts_with(u))
            .max_by_key(|u| u.len())
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for good in ["1h", "15m", "1h30m", "90s", "0", "1.5h", "500ms"] {
            assert!(is_duration(good), "{good}");
        }
        for bad in ["", "1", "h", "1d", "1 h", "-1h"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn volume_names_are_dns_labels() {
        assert_eq!(volume_name("config", "app.settings"), "config-app-settings");
        let long = volume_name("secret", &"a".repeat(200));
        assert_eq!(long.len(), 63);
        assert!(dns_label(&long).is_ok(), "{long}");
        assert_ne!(long, volume_name("secret", &"a".repeat(201)));
    }

    #[test]
    fn config_hashes_differ_when_content_moves_between_keys() {
        let hash = |data: &[(&str, &str)]| {
            let mut hasher = Sha256::new();
            let map = data.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            hash_config(&mut hasher, "c", &map);
            format!("{:x}", hasher.finalize())
        };
        assert_ne!(hash(&[("ab", "c")]), hash(&[("a", "bc")]));
        assert_eq!(hash(&[("a", "b")]), hash(&[("a", "b")]));
    }
}
