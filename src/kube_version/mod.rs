//! The Kubernetes version a render targets (`--kube-version`, 1.29 to 1.35, default 1.33).
//!
//! gen decodes every object with the `k8s-openapi` types of one version
//! ([`crate::resolve::KUBERNETES_VERSION`]), which proves the shape of the objects. What else
//! depends on the target is here: [`facts`] lists when each kind, API version and field gen
//! renders arrived in (or left) Kubernetes, and [`check`] walks the rendered objects against
//! that list; the namespace's Pod Security labels pin the target too.

pub mod check;
pub mod facts;

use std::fmt;
use std::str::FromStr;

/// A Kubernetes 1.x minor version gen can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion(u8);

impl KubeVersion {
    /// The oldest version gen targets.
    pub const OLDEST: KubeVersion = KubeVersion(29);
    /// The newest version gen targets.
    pub const NEWEST: KubeVersion = KubeVersion(35);
    /// The version gen targets when none is given: the one its API types are built for.
    pub const DEFAULT: KubeVersion = KubeVersion(33);

    /// The minor version, e.g. `33` for 1.33.
    pub fn minor(self) -> u8 {
        self.0
    }

    /// Every version gen targets, oldest first.
    pub fn all() -> impl Iterator<Item = KubeVersion> {
        (Self::OLDEST.0..=Self::NEWEST.0).map(KubeVersion)
    }

    /// The value of the namespace's `pod-security.kubernetes.io/<mode>-version` labels, e.g.
    /// `v1.33`: Pod Security Admission checks pods against that version's standards.
    pub fn pod_security_label(self) -> String {
        format!("v{self}")
    }

    fn range() -> String {
        format!("{} to {}", Self::OLDEST, Self::NEWEST)
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.0)
    }
}

impl FromStr for KubeVersion {
    type Err = String;

    /// `1.30` or `v1.30` (a patch release, `1.30.2`, names the same API).
    fn from_str(text: &str) -> Result<Self, String> {
        let refuse = || {
            format!(
                "gen targets Kubernetes {} (default {}), not `{text}`: pass a minor version such as 1.30",
                Self::range(),
                Self::DEFAULT
            )
        };
        let digits = text.strip_prefix('v').unwrap_or(text);
        let mut parts = digits.split('.');
        let (Some("1"), Some(minor), patch, None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(refuse());
        };
        let numeric = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
        if !numeric(minor) || patch.is_some_and(|p| !numeric(p)) {
            return Err(refuse());
        }
        let minor: u8 = minor.parse().map_err(|_| refuse())?;
        let version = KubeVersion(minor);
        if version < Self::OLDEST || version > Self::NEWEST {
            return Err(refuse());
        }
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_1_29_to_1_35_and_nothing_else() {
        assert_eq!("1.29".parse(), Ok(KubeVersion(29)));
        assert_eq!("v1.35".parse(), Ok(KubeVersion(35)));
        assert_eq!("1.30.2".parse(), Ok(KubeVersion(30)));
        for bad in [
            "1.28", "1.36", "2.30", "1", "1.", "1.3x", "1.030x", "", "v", "1.30.", "1.30.1.1", "1.-1",
        ] {
            let error = bad.parse::<KubeVersion>().unwrap_err();
            assert!(error.contains("1.29 to 1.35"), "{bad}: {error}");
        }
    }

    #[test]
    fn default_is_what_the_api_types_are_built_for() {
        assert_eq!(KubeVersion::DEFAULT.to_string(), crate::resolve::KUBERNETES_VERSION);
        assert_eq!(KubeVersion::DEFAULT.pod_security_label(), "v1.33");
        assert_eq!(KubeVersion::all().count(), 7);
    }
}
