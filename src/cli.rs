//! The command line, as clap sees it.

use camino::Utf8PathBuf;
use clap::{Args, Parser, Subcommand};

use crate::kube_version::KubeVersion;

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
    /// Override one setting of every profile this run reads, typed and checked like the file:
    /// `--set services.api.image=registry.example.com/api@sha256:...`. Repeatable; a later
    /// flag wins.
    #[arg(long = "set", global = true, value_name = "PATH=VALUE")]
    pub overrides: Vec<String>,
    /// The Kubernetes version to render for, 1.29 to 1.35: kinds, API versions and fields it
    /// lacks are errors, and the namespace's Pod Security labels pin it.
    #[arg(long, global = true, default_value = "1.33", value_name = "VERSION")]
    pub kube_version: KubeVersion,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a profile to stdout, or to a directory with -o.
    #[command(
        after_help = "Examples:\n  gen render prod                 print prod's manifests\n  \
        gen render prod -o out/prod     write one file per object and a kustomization.yaml\n  \
        gen render ./my-profile.yaml    render a profile file by path\n  \
        gen render --all -o out         every profile into out/<name>/\n  \
        gen render --all -o out --check exit 1 if out/ is stale (writes nothing)"
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
    /// Print the effective profile (bases, overlay and --set merged), with where each value was set.
    #[command(
        long_about = "Print the effective profile: its bases, the profile itself and any --set overrides \
            merged, as gen reads it, with each value's origin (`profiles/base.yaml:12`, `--set:1`, \
            `tier default`), like `git config --show-origin`. Nothing is rendered or checked beyond parsing.",
        after_help = "Examples:\n  gen resolve prod                the effective prod profile, with origins\n  \
            gen resolve prod --format json  one record per value: path, value, origin\n  \
            gen resolve prod --set services.api.replicas=5\n\n\
            Exit codes: 0 printed, 2 usage or input error."
    )]
    Resolve(ResolveArgs),
    /// Show how a rendered directory differs from what a profile renders now.
    #[command(
        long_about = "Show how a rendered directory differs from what a profile renders now.\n\n\
            First a summary object by object (added, removed, and for changed objects every field \
            path with its old and new value), then a unified diff of the files. Nothing is written.",
        after_help = "Examples:\n  gen diff prod                   compare with out/prod\n  \
            gen diff prod deploy/prod       compare with another directory\n  \
            gen diff prod --summary         objects and fields only, no file diff\n\n\
            Exit codes: 0 no differences, 1 differences, 2 error."
    )]
    Diff(DiffArgs),
    /// The CI step: lint every profile and verify every out/<profile> is up to date.
    #[command(
        long_about = "The CI step: lint every profile and verify that every out/<profile> holds exactly \
            what `gen render --all -o out` would write. Prints the findings, what is stale, and one \
            summary line. Nothing is written.",
        after_help = "Examples:\n  gen check                       profiles/ against out/\n  \
            gen check --out deploy          profiles/ against deploy/\n  \
            gen check --format json         for machines\n\n\
            Exit codes: 0 clean, 1 policy errors or stale output, 2 an invalid profile or another error."
    )]
    Check(CheckArgs),
    /// Show who can talk to whom: the connections the network policies allow, with ports.
    #[command(
        long_about = "Show who can talk to whom: every workload a profile renders (or a directory holds) \
            and every peer its NetworkPolicies name, with the connections the policies allow and their \
            ports, evaluated with Kubernetes semantics (a connection needs the sender's egress and the \
            receiver's ingress). A directory may hold policies and workloads gen did not write.",
        after_help = "Examples:\n  gen graph prod                  a matrix in the terminal\n  \
            gen graph out/prod              what a rendered directory allows\n  \
            gen render prod | gen graph -   what a stream of manifests allows\n  \
            gen graph prod --format mermaid for a pull request (GitHub and GitLab render it)\n  \
            gen graph prod --format svg > graph.svg\n\n\
            Exit codes: 0 drawn, 2 usage or input error."
    )]
    Graph(GraphArgs),
    /// Start a project: a base profile with dev and prod overlays, ready to render.
    #[command(
        long_about = "Start a project in DIR: profiles/base.yaml (what every environment shares), \
            profiles/dev.yaml and profiles/prod.yaml (overlays that extend it), the JSON Schema editors \
            check profiles with (schema/profile.schema.json), the .gitignore lines gen needs (appended) \
            and a .pre-commit-config.yaml that runs `gen check`. The result renders, lints clean and \
            passes `gen check` at once. Existing files are never replaced without --force.",
        after_help = "Examples:\n  gen init                        in the current directory\n  \
            gen init my-app && cd my-app && gen render --all -o out && gen check\n\n\
            Exit codes: 0 written, 2 a file exists (nothing is written) or cannot be written."
    )]
    Init {
        /// The project directory (created if missing).
        #[arg(default_value = ".", value_name = "DIR")]
        dir: Utf8PathBuf,
        /// Replace files that exist (the .gitignore is only ever appended to).
        #[arg(long)]
        force: bool,
    },
    /// Print the profile's JSON Schema (draft 2020-12), for editors and validators.
    #[command(
        long_about = "Print the profile's JSON Schema (draft 2020-12), derived from the types gen reads \
            profiles with. Any profile may be a base or an overlay, so no key is required and `null` \
            (which removes an inherited setting) is allowed everywhere; a misspelt key is refused. \
            Point editors at it with a first line `# yaml-language-server: $schema=<path>`.",
        after_help = "Examples:\n  gen schema > schema/profile.schema.json\n  \
            check-jsonschema --schemafile schema/profile.schema.json profiles/*.yaml"
    )]
    Schema,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Examples:\n  gen completions bash > ~/.local/share/bash-completion/completions/gen\n  \
        gen completions zsh > ~/.zfunc/_gen\n  \
        gen completions fish > ~/.config/fish/completions/gen.fish"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    #[command(after_help = "Examples:\n  gen man | man -l -\n  gen man -o /usr/local/share/man/man1")]
    Man {
        /// Write gen.1 and gen-<command>.1 into DIR instead of printing gen.1.
        #[arg(short, long, value_name = "DIR")]
        output: Option<Utf8PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// A profile name (`prod`) or path.
    pub profile: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: ResolveFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ResolveFormat {
    /// The profile as YAML, each line followed by `# origin`.
    Yaml,
    /// A JSON list of `{path, value, origin}`, one per value.
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// A profile name (looked up as <profiles-dir>/<name>.yaml) or a path to a profile file.
    pub profile: String,
    /// The directory to compare with [default: out/<profile>]
    pub dir: Option<Utf8PathBuf>,
    /// Print only the per-object summary, not the unified diff of the files.
    #[arg(long)]
    pub summary: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The directory that holds one rendered directory per profile.
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub out: Utf8PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Fail on lint warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
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
    /// Write nothing; show what would change and exit 1 if anything would (the pre-commit mode).
    #[arg(long, requires = "output", conflicts_with = "force")]
    pub check: bool,
    /// Exit 1 when the render changed files in DIR (for hooks that fix, then stop the commit).
    #[arg(long, requires = "output", conflicts_with = "check")]
    pub exit_code: bool,
    /// Flush the new files, their directories and the swap to disk before exiting, so a
    /// render that exited 0 survives a power loss (see the README's "Durability").
    #[arg(long, requires = "output", conflicts_with = "check")]
    pub fsync: bool,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// A profile name or path, a directory of manifests (such as `gen render -o` writes), a
    /// file of manifests, or `-` for a stream of them on stdin.
    pub target: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "matrix")]
    pub format: GraphFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Sources down, destinations across (colour on a terminal).
    Matrix,
    /// A Mermaid flowchart.
    Mermaid,
    /// Graphviz dot.
    Dot,
    /// An SVG picture, laid out by gen.
    Svg,
    /// Nodes and edges as JSON.
    Json,
}
