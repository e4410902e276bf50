//! The command line, as clap sees it.

use camino::Utf8PathBuf;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "gen",
    version,
    about = "Render typed environment profiles into hardened, validated Kubernetes manifests",
    long_about = "Render typed environment profiles into hardened, validated Kubernetes manifests.\n\n\
        A profile (profiles/<name>.yaml) describes one environment of an application: its tier, \
        namespace, services, network intent and ingress. gen resolves it with the tier's defaults, \
        renders it through the embedded templates, decodes every object into its Kubernetes type, \
        and prints deterministic YAML.",
    after_help = "Exit codes: 0 success, 1 findings or differences, 2 usage or input error.",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Directory that holds the named profiles.
    #[arg(long, global = true, default_value = "profiles", value_name = "DIR")]
    pub profiles_dir: Utf8PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a profile to stdout, or to a directory with -o.
    #[command(
        after_help = "Examples:\n  gen render prod                 print prod's manifests\n  \
        gen render prod -o out/prod     write one file per object and a kustomization.yaml\n  \
        gen render ./my-profile.yaml    render a profile file by path"
    )]
    Render(RenderArgs),
    /// Check profiles against the schema and the policy rules, without rendering anything.
    #[command(
        after_help = "Examples:\n  gen lint                        every profile in profiles/\n  \
        gen lint prod dev               two profiles\n  \
        gen lint --format sarif > gen.sarif   for GitHub code scanning\n\n\
        Exit codes: 0 no errors (warnings allowed unless --deny-warnings), 1 policy errors,\n\
        2 usage error or an invalid profile."
    )]
    Lint(LintArgs),
    /// Explain a finding code: why it matters and how to fix it.
    Explain {
        /// A code as printed in brackets, e.g. `pss-privileged`.
        code: String,
    },
    /// List every rule: code, kind, severity per tier, summary.
    Rules,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Profile names or paths; all profiles in the profiles directory when none is given.
    pub profiles: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::report::Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// A profile name (looked up as <profiles-dir>/<name>.yaml) or a path to a profile file.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub profile: Option<String>,
    /// Render every profile in the profiles directory, each into DIR/<name>/ (needs -o).
    #[arg(long, requires = "output")]
    pub all: bool,
    /// Write one file per object into DIR (replaced atomically) instead of printing a stream.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<Utf8PathBuf>,
    /// Replace DIR even if it holds files gen did not write (they are deleted).
    #[arg(long, requires = "output")]
    pub force: bool,
}
