//! Finding a profile from what the user typed: a name under the profiles directory, or a path.

use camino::{Utf8Path, Utf8PathBuf};

use crate::diagnostics::{Diagnostic, did_you_mean};

#[derive(Debug, Clone)]
pub struct ProfileFile {
    /// The file stem, e.g. `prod`; it names the profile in output headers.
    pub name: String,
    pub path: Utf8PathBuf,
    /// `--set PATH=VALUE` overrides, applied over the profile (and its bases) in order.
    pub overrides: Vec<String>,
}

fn looks_like_path(argument: &str) -> bool {
    argument.contains(['/', '\\']) || argument.ends_with(".yaml") || argument.ends_with(".yml")
}

pub fn locate(argument: &str, profiles_dir: &Utf8Path) -> Result<ProfileFile, Diagnostic> {
    if looks_like_path(argument) {
        let path = Utf8PathBuf::from(argument);
        if path.is_dir() {
            return Err(Diagnostic::error(
                "profile-not-found",
                format!("`{argument}` is a directory, not a profile file"),
            )
            .with_hint(
                "name a profile file inside it (`gen lint` with no argument checks every profile in `profiles/`)",
            ));
        }
        if !path.is_file() {
            return Err(
                Diagnostic::error("profile-not-found", format!("no profile file at `{argument}`"))
                    .with_hint("check the path, or pass a profile name such as `prod` to use `profiles/prod.yaml`"),
            );
        }
        let name = path.file_stem().unwrap_or(argument).to_owned();
        return Ok(ProfileFile {
            name,
            path,
            overrides: Vec::new(),
        });
    }
    for extension in ["yaml", "yml"] {
        let path = profiles_dir.join(format!("{argument}.{extension}"));
        if path.is_file() {
            return Ok(ProfileFile {
                name: argument.to_owned(),
                path,
                overrides: Vec::new(),
            });
        }
    }
    let available = list(profiles_dir).unwrap_or_default();
    let names: Vec<&str> = available.iter().map(|p| p.name.as_str()).collect();
    let hint = match did_you_mean(argument, names.iter().copied()) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None if names.is_empty() => {
            format!("`{profiles_dir}` has no profiles; pass a path to a profile file instead")
        }
        None => format!("available profiles: {}", names.join(", ")),
    };
    Err(Diagnostic::error(
        "profile-not-found",
        format!("no profile named `{argument}` in `{profiles_dir}`"),
    )
    .with_hint(hint))
}

/// Every `*.yaml`/`*.yml` profile in the directory, sorted by name.
pub fn list(profiles_dir: &Utf8Path) -> std::io::Result<Vec<ProfileFile>> {
    let mut profiles = Vec::new();
    for entry in profiles_dir.read_dir_utf8()? {
        let entry = entry?;
        let path = entry.path();
        if path.is_file() && matches!(path.extension(), Some("yaml" | "yml")) {
            let name = path.file_stem().unwrap_or_default().to_owned();
            profiles.push(ProfileFile {
                name,
                path: path.to_owned(),
                overrides: Vec::new(),
            });
        }
    }
    profiles.sort_by(|a, b| (&a.name, &a.path).cmp(&(&b.name, &b.path)));
    let bases = extended(&profiles);
    profiles.retain(|p| !bases.contains(&identity(&p.path)));
    Ok(profiles)
}

/// The files that some profile in the list `extends:`: they are bases, rendered only as part
/// of the profiles built on them.
fn extended(profiles: &[ProfileFile]) -> Vec<std::path::PathBuf> {
    profiles
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p.path).ok()?;
            let target = extends_line(&text)?;
            Some(identity(&p.path.parent().unwrap_or(Utf8Path::new("")).join(target)))
        })
        .collect()
}

fn identity(path: &Utf8Path) -> std::path::PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.as_std_path().to_owned())
}

/// The value of a top-level `extends: file` line. A scan rather than a parse: listing a
/// directory must stay cheap, and the full load reports anything malformed.
fn extends_line(text: &str) -> Option<&str> {
    let line = text.lines().find_map(|l| l.strip_prefix("extends:"))?;
    let value = line.split(" #").next().unwrap_or(line).trim();
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_extends_line() {
        assert_eq!(extends_line("# c\nextends: base.yaml\ntier: dev\n"), Some("base.yaml"));
        assert_eq!(extends_line("extends: \"b.yaml\"  # shared\n"), Some("b.yaml"));
        assert_eq!(extends_line("tier: dev\nservices:\n  extends: x\n"), None);
    }
}
