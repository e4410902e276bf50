//! Every finding code `gen` can report, with its severity per tier and the explanation
//! `gen explain CODE` prints. Codes are stable: tools and waivers refer to them.

use crate::diagnostics::Severity;
use crate::profile::Tier;

/// Whether a finding makes the profile unusable (schema) or breaks a policy that a waiver may
/// lift, with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// The profile cannot be read or is not a valid profile: fix it, it cannot be waived.
    Schema,
    /// The profile is valid but what it renders breaks a policy: fix it or waive it with a reason.
    Policy,
}

/// Severity in dev, prod and quarantine; `None` means the rule is off in that tier.
#[derive(Debug, Clone, Copy)]
pub struct TierSeverity {
    pub dev: Option<Severity>,
    pub prod: Option<Severity>,
    pub quarantine: Option<Severity>,
}

impl TierSeverity {
    pub fn for_tier(&self, tier: Tier) -> Option<Severity> {
        match tier {
            Tier::Dev => self.dev,
            Tier::Prod => self.prod,
            Tier::Quarantine => self.quarantine,
        }
    }
}

const E: Option<Severity> = Some(Severity::Error);
const W: Option<Severity> = Some(Severity::Warning);
const OFF: Option<Severity> = None;
const ERROR: TierSeverity = TierSeverity {
    dev: E,
    prod: E,
    quarantine: E,
};
const WARNING: TierSeverity = TierSeverity {
    dev: W,
    prod: W,
    quarantine: W,
};
/// An error in production, a warning elsewhere.
const ERROR_IN_PROD: TierSeverity = TierSeverity {
    dev: W,
    prod: E,
    quarantine: W,
};
/// A warning while experimenting, an error where it matters.
const STRICT_OUTSIDE_DEV: TierSeverity = TierSeverity {
    dev: W,
    prod: E,
    quarantine: E,
};
const PROD_ONLY: TierSeverity = TierSeverity {
    dev: OFF,
    prod: E,
    quarantine: OFF,
};

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub kind: RuleKind,
    pub severity: TierSeverity,
    /// One line: what is wrong.
    pub summary: &'static str,
    /// Why it matters and how to fix it.
    pub explanation: &'static str,
}

const fn schema(code: &'static str, summary: &'static str, explanation: &'static str) -> Rule {
    Rule {
        code,
        kind: RuleKind::Schema,
        severity: ERROR,
        summary,
        explanation,
    }
}

const fn policy(code: &'static str, severity: TierSeverity, summary: &'static str, explanation: &'static str) -> Rule {
    Rule {
        code,
        kind: RuleKind::Policy,
        severity,
        summary,
        explanation,
    }
}

pub fn lookup(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.code == code)
}

pub const RULES: &[Rule] = &[
    // --- Input and schema: the profile must be a valid profile. ---
    schema(
        "profile-not-found",
        "The named profile or path does not exist.",
        "`gen` looks a name up as `<profiles-dir>/<name>.yaml`; anything with a `/` or a `.yaml` ending is a path. Check the spelling, or pass --profiles-dir.",
    ),
    schema(
        "unreadable-profile",
        "The profile file cannot be read.",
        "Check the file's permissions and that it is UTF-8 text.",
    ),
    schema(
        "invalid-extends",
        "`extends:` does not name a usable base: it is not a file name, the chain is too deep, or the profiles extend each other in a cycle.",
        "Write the base's path relative to the profile (`extends: base.yaml`). A base may extend another base, up to 8 files deep, but never a profile built on it. The README's \"Base and overlays\" section gives the merge rules.",
    ),
    schema(
        "invalid-patch",
        "A `patches:` entry cannot be applied: its target is not a rendered object, a JSON Patch path does not exist, or the patched object is not valid Kubernetes.",
        "Aim each patch at one object gen renders, as `Kind/name` (`gen render` shows them). `merge:` is a JSON merge patch (mappings merge, null removes); `json:` is a list of JSON Patch operations with paths such as `/spec/template/spec/containers/0/env/-`. The patched object is checked as its Kubernetes type, so a field Kubernetes does not know, or of the wrong type, is refused here; a patch that weakens hardening fires the same policy rule a profile setting would.",
    ),
    schema(
        "invalid-resource",
        "A file listed under `resources:` cannot be read, or holds a document that is not a valid object of a kind gen checks, in another namespace, or one gen already renders.",
        "List manifest files relative to the profile that lists them. Each document is checked as its Kubernetes type (unknown fields are refused) and placed in the profile's namespace; to change an object gen renders, use `patches:` instead.",
    ),
    schema(
        "invalid-set",
        "A `--set PATH=VALUE` override is malformed: no `=`, an empty path segment, or a value that is not YAML.",
        "Name the setting by its path from the top of the profile, with dots: `--set services.auth-service.image=registry.example.com/x@sha256:...`. The value is read as YAML, typed and checked exactly like the file: quote it (for the shell, and with YAML quotes inside) to make `1.10` a string.",
    ),
    schema(
        "invalid-yaml",
        "The profile is not valid YAML, or uses YAML features profiles do not allow.",
        "Fix the syntax at the position shown. Anchors, aliases and tags are not supported: put shared settings under `serviceDefaults`.",
    ),
    schema(
        "input-limit",
        "The profile goes past one of gen's input limits: its size, nesting depth, number of entries, or a key's length.",
        "gen refuses, before parsing, profiles larger than 16 MiB, nesting mappings and lists more than 32 levels deep, holding more than 10,000 services (or entries in any one mapping or list), more than 1,000,000 nodes in all, or a key longer than 1,024 characters (YAML's own limit for a `key: value` key; only the explicit `? key` form can pass it). Real profiles stay far below; past these limits a file is broken or hostile, and parsing it could exhaust memory or the stack. The README lists the limits.",
    ),
    schema(
        "not-in-kube-version",
        "A rendered kind, API version or field does not exist, or is off by default, in the target Kubernetes version.",
        "gen renders for one Kubernetes version (`--kube-version`, 1.29 to 1.35, default 1.33) and knows when each kind, API version and field it writes arrived or left; a field that is only alpha (behind a feature gate that is off by default) counts as missing, since a cluster with default settings drops or refuses it. The finding names the version that added or removed it. Raise --kube-version to a version that has it (the cluster must run that version or newer), or drop the profile setting that renders it; for example the pre-stop pause (`shutdown.preStopSleepSeconds`) renders the sleep action, which is on by default from 1.30 (`preStopSleepSeconds: 0` renders none). `gen rules` lists the codes; the README lists the version facts.",
    ),
    schema(
        "duplicate-key",
        "A key appears twice in the same mapping.",
        "YAML parsers silently keep one of the two values, so a duplicate usually hides a mistake (two `env` entries with the same name, say). Keep one.",
    ),
    schema(
        "unknown-field",
        "A key the profile schema does not know.",
        "Profiles are strict: a misspelt key would otherwise be ignored silently. The hint names the closest valid key; the README lists the schema.",
    ),
    schema(
        "missing-field",
        "A required key is missing.",
        "Add the key named in the message at the place shown.",
    ),
    schema(
        "invalid-type",
        "A value has the wrong type.",
        "Numbers, strings, lists and mappings are not interchangeable. Quote values that must be strings (`\"1.10\"`), and write counts as plain integers.",
    ),
    schema(
        "invalid-value",
        "A value is not one of those allowed here.",
        "The hint lists the allowed values.",
    ),
    schema(
        "invalid-profile",
        "The profile does not match the schema.",
        "Read the message for the exact problem; the README documents the schema.",
    ),
    schema(
        "invalid-name",
        "A name is not a valid Kubernetes name.",
        "Kubernetes names are RFC 1123 labels: lowercase letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters. Service names must also start with a letter (RFC 1035).",
    ),
    schema(
        "invalid-label-key",
        "A label key is not valid.",
        "Label keys are an optional DNS-subdomain prefix and `/`, then a name of at most 63 letters, digits, `-`, `_` and `.`.",
    ),
    schema(
        "invalid-label-value",
        "A value that becomes a label is not valid.",
        "Label values are at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit. Image tags such as `1.2+build` need an explicit `version:`.",
    ),
    schema(
        "no-services",
        "The profile declares no services.",
        "Add at least one service under `services`.",
    ),
    schema(
        "duplicate-name",
        "Two entries share a name that must be unique.",
        "Kubernetes identifies objects by name, so two entries with one name would overwrite each other. Rename one of them.",
    ),
    schema(
        "unknown-port",
        "A named port that no service exposes.",
        "Services expose `http` and, when `ports.metrics` is set, `metrics`.",
    ),
    schema(
        "invalid-port",
        "A port number outside 1..=65535.",
        "Use a valid TCP port.",
    ),
    schema(
        "duplicate-port",
        "Two ports of a service share a number.",
        "Give each named port its own number.",
    ),
    schema(
        "invalid-replicas",
        "A replica count below 1.",
        "Set `replicas` to 1 or more; to stop a service, remove it from the profile.",
    ),
    schema(
        "invalid-image",
        "The image reference is malformed.",
        "Write `registry/repository:tag`, `registry/repository@sha256:<64 hex>` or both; repositories are lowercase.",
    ),
    schema(
        "missing-resources",
        "A service sets no CPU and memory requests and limits.",
        "Without requests the scheduler cannot place pods sensibly and the autoscaler cannot compute utilisation; without limits one pod can starve its node. Set `resources` on the service or in `serviceDefaults`.",
    ),
    schema(
        "invalid-quantity",
        "A resource quantity Kubernetes would reject.",
        "Quantities are a positive number with an optional suffix: `250m`, `1.5`, `512Mi`, `2Gi`.",
    ),
    schema(
        "request-above-limit",
        "A resource request above its limit.",
        "Kubernetes rejects a pod whose request exceeds its limit. Raise the limit or lower the request.",
    ),
    schema(
        "invalid-probe",
        "A probe setting Kubernetes would reject or that cannot work.",
        "Probe paths are absolute HTTP paths; periods, timeouts and thresholds are at least 1; a probe must time out before the next one starts.",
    ),
    schema(
        "invalid-shutdown",
        "The grace period does not outlast the pre-stop pause.",
        "Kubernetes kills the container when the grace period ends, even during the pause. Make `terminationGracePeriodSeconds` longer than `preStopSleepSeconds` plus the app's drain time.",
    ),
    schema(
        "invalid-env-name",
        "An environment variable name that is not portable.",
        "Use letters, digits and `_`, starting with a letter or `_`.",
    ),
    schema(
        "invalid-autoscaling",
        "Autoscaling settings Kubernetes would reject or that contradict each other.",
        "minReplicas must be at least 1 and at most maxReplicas; `replicas`, when set, must fall in that range; scaling rules need `percent` or `pods`. Each custom metric names one source (`pods`, `object` or `external`), a Prometheus-style metric name and exactly one of `value` and `averageValue`, a positive quantity; custom metrics and KEDA `triggers` cannot drive one workload together.",
    ),
    schema(
        "invalid-trigger",
        "A KEDA trigger or trigger authentication KEDA would reject.",
        "Each trigger names exactly one event source (`kafka`, `redis`, `prometheus` or `cron`) with the settings that scaler needs: brokers and Redis servers as `host:port`, a Prometheus server as an http(s) URL with a query and a positive threshold, lag and list thresholds of at least 1. `authentication` names a `triggerAuthentications` entry, which maps scaler parameters to keys of one existing Secret.",
    ),
    schema(
        "invalid-vertical-scaling",
        "VerticalPodAutoscaler bounds that contradict each other.",
        "`min` and `max` are cpu and memory quantities with min at most max, and the VPA must control at least one resource.",
    ),
    schema(
        "invalid-disruption-budget",
        "A disruption budget that sets both or neither of its limits.",
        "Set exactly one of `minAvailable` and `maxUnavailable`.",
    ),
    schema(
        "invalid-dependency",
        "`fromNamespaces` on a dependency outside the profile's namespace.",
        "gen renders network policies only in the profile's namespace. `fromNamespaces` admits other namespaces to a dependency that runs there (the databases of an infrastructure namespace, say); a dependency elsewhere is admitted by its own namespace's policies.",
    ),
    schema(
        "unknown-dependency",
        "`dependsOn` names a dependency that `network.egress` does not declare.",
        "Declare the dependency under `network.egress` (name, namespace, port), or fix the name.",
    ),
    schema(
        "invalid-host",
        "The ingress host is not a DNS name.",
        "Use a lowercase DNS name such as `api.example.com` (a leading `*.` is allowed).",
    ),
    schema(
        "invalid-rate-limit",
        "A rate limit below 1 request per second.",
        "Use 1 or more, or remove `rateLimitRps` for no limit.",
    ),
    schema(
        "gateway-unsupported",
        "A setting the standard HTTPRoute cannot express, on routes that go through a Gateway.",
        "With `ingress.gateway` the routes render as a Gateway API HTTPRoute, whose standard channel has no IngressClass, rate limit or basic authentication. gen refuses the setting rather than drop it silently: remove it (rate limits and authentication then belong to the Gateway implementation's own policies, which the platform team owns), or remove `gateway` to keep the routes on an Ingress.",
    ),
    schema(
        "no-routes",
        "The ingress has no routes.",
        "Add routes, or remove the `ingress` section.",
    ),
    schema(
        "invalid-path",
        "A route, probe, metrics or mount path that is not a plain absolute path.",
        "Paths start with `/` and contain no spaces, quotes, `;`, `$` or braces (which ingress controllers would interpret); mount paths have no `..` or `:`.",
    ),
    schema(
        "invalid-metric-name",
        "A metric or label name in `slo:` that Prometheus would not read as meant.",
        "Metric names are letters, digits and `_`, not starting with a digit; colons are for recording rules, so an app's own metric has none. A latency histogram is given by its base name in seconds (`http_request_duration_seconds`): gen reads `rate(<name>_bucket[5m])` summed `by (le)` itself, which is the only way `histogram_quantile` gives a meaningful answer. The error label is the counter's status label (`code`, `status`), never `namespace`, `job` or `le`, which gen selects on.",
    ),
    schema(
        "slo-without-monitor",
        "A service declares objectives, but no ServiceMonitor or PodMonitor scrapes its metrics.",
        "gen's recording rules select the service's series by the `namespace` and `job` labels its monitor gives them; with annotation-based scraping those labels depend on the cluster's scrape configuration, and the alerts could silently never match. Set `metrics: {monitor: true}` with a `ports.metrics`.",
    ),
    schema(
        "kind-mismatch",
        "A setting that the service's kind cannot use.",
        "Each kind takes its own settings: `schedule` and the history limits are for cronjobs, `backoffLimit` and `restartPolicy` for cronjobs and jobs, `replicas`, `autoscaling`, `disruptionBudget`, `ports` and `probes` for web services and workers, `expose` and `slo` for web services. A setting the kind ignores would be silently lost, so it is an error: remove it or change `kind:`.",
    ),
    schema(
        "reserved-key",
        "A label, annotation or volume name that gen sets itself.",
        "gen owns the app.kubernetes.io labels (selectors depend on them), the prometheus.io and checksum/config pod annotations (declare `metrics:` or `configs:` instead), and the `tmp`, `config-*` and `secret-*` volume names. Use keys and names of your own.",
    ),
    schema(
        "invalid-schedule",
        "A CronJob schedule Kubernetes would reject.",
        "A schedule has five fields, `minute hour day-of-month month day-of-week` (`0 2 * * *` runs at 02:00 every day), with `*`, lists `1,15`, ranges `1-5` and steps `*/15`, or is one of the macros @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly. The time zone goes in `timeZone`, never in the schedule.",
    ),
    schema(
        "invalid-time-zone",
        "A time zone that is not in the IANA database.",
        "CronJobs take IANA names such as `Etc/UTC` or `Europe/Berlin`, spelt exactly; gen checks them against the database it embeds, so the answer is the same on every machine.",
    ),
    schema(
        "unknown-config",
        "A service reads a config that `configs:` does not declare.",
        "Declare the ConfigMap's keys under `configs.<name>`, then list `- name: <name>` under the service's `config:`.",
    ),
    schema(
        "unknown-secret-key",
        "A service reads a key that its external secret does not fetch.",
        "The Secret an ExternalSecret creates holds exactly the keys under its `data:`; add the key there, or read one of those.",
    ),
    schema(
        "duplicate-route",
        "The same path is routed twice.",
        "Keep one route per path.",
    ),
    schema(
        "unknown-service",
        "A route points at a service the profile does not declare.",
        "Fix the name (the hint suggests the closest one) or add the service.",
    ),
    schema(
        "invalid-waiver",
        "A waiver that is incomplete or names an unknown rule or target.",
        "A waiver needs `rule` (a policy rule code: see `gen rules`), `target` (a service name or `Kind/name`) and a `reason` that says why the exception is safe.",
    ),
    schema(
        "output-directory",
        "The output directory cannot be written safely.",
        "`gen` refuses to delete files it did not write. Move them, choose another directory, or pass --force.",
    ),
    schema(
        "template-defect",
        "A template rendered an invalid object.",
        "This is a bug in gen, not in your profile: the message names the template and the field. Please report it.",
    ),
    // --- Images ---
    policy(
        "image-latest-tag",
        ERROR,
        "An image uses the `latest` tag.",
        "`latest` changes under your feet: two nodes can run different code and a rollback restores nothing. Pin a version tag, or better a digest.",
    ),
    policy(
        "image-untagged",
        ERROR,
        "An image has neither a tag nor a digest, so it means `latest`.",
        "Pin the image with `@sha256:<digest>` (prod requires it) or at least a version tag.",
    ),
    policy(
        "image-digest-required",
        TierSeverity {
            dev: OFF,
            prod: E,
            quarantine: W,
        },
        "An image is not pinned by digest.",
        "A tag can be moved to different content; a digest cannot. Production images must be pinned: `repository:1.2.3@sha256:<digest>` keeps the readable tag and pins the content.",
    ),
    policy(
        "image-registry-not-allowed",
        ERROR,
        "An image comes from a registry outside `policy.allowedRegistries`.",
        "Pull only from registries your organisation controls and scans. Mirror the image, or extend `policy.allowedRegistries` if the registry is trusted.",
    ),
    // --- Secrets and configuration ---
    policy(
        "secret-in-env",
        ERROR,
        "An environment variable looks like a plain-text secret.",
        "Values in a profile end up in Git and in the Deployment object, readable by anyone who can read either. Keep secrets in a Secret (or an external secret store) and mount it as a file; never inline them. gen judges the value (a password inside a URL, AWS, GitHub, Slack, Stripe and Google keys, JSON Web Tokens, private key blocks, long random strings) and the name (PASSWORD, PASS, PWD, SECRET, TOKEN, AUTH, CREDENTIALS, DSN, API_KEY, ...; not TOKEN_URL or PASSWORD_FILE). A value that is no secret can be waived for that variable alone, with the target `<service>/env/<NAME>` (or `serviceDefaults/env/<NAME>`).",
    ),
    // --- Pod Security Standards (restricted), on every pod template ---
    policy(
        "pss-host-namespaces",
        ERROR,
        "A pod shares the host's network, PID or IPC namespace.",
        "Pod Security restricted forbids hostNetwork, hostPID and hostIPC: they expose the node to the pod.",
    ),
    policy(
        "pss-privileged",
        ERROR,
        "A container runs privileged.",
        "A privileged container is root on the node. Pod Security restricted forbids it.",
    ),
    policy(
        "pss-capabilities",
        ERROR,
        "A container does not drop ALL capabilities, or adds one other than NET_BIND_SERVICE.",
        "Pod Security restricted requires `capabilities.drop: [ALL]` and allows adding only NET_BIND_SERVICE.",
    ),
    policy(
        "pss-volume-types",
        ERROR,
        "A pod uses a volume type Pod Security restricted forbids (hostPath, for example).",
        "Allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.",
    ),
    policy(
        "pss-host-ports",
        ERROR,
        "A container binds a host port.",
        "Host ports tie pods to nodes and bypass NetworkPolicies. Expose the port through a Service.",
    ),
    policy(
        "pss-privilege-escalation",
        ERROR,
        "A container does not set allowPrivilegeEscalation: false.",
        "Without it a process can gain more privileges than its parent (setuid binaries). Pod Security restricted requires false.",
    ),
    policy(
        "pss-run-as-non-root",
        ERROR,
        "A container may run as root: runAsNonRoot is not true.",
        "Pod Security restricted requires runAsNonRoot: true on the pod or on every container.",
    ),
    policy(
        "pss-run-as-root",
        ERROR,
        "A pod or container sets runAsUser: 0.",
        "uid 0 is root. Use a uid of 10000 or more.",
    ),
    policy(
        "pss-seccomp",
        ERROR,
        "A container has no RuntimeDefault or Localhost seccomp profile.",
        "Pod Security restricted requires a seccomp profile; unset counts as a violation.",
    ),
    policy(
        "pss-proc-mount",
        ERROR,
        "A container unmasks /proc.",
        "procMount must be Default.",
    ),
    policy(
        "pss-sysctls",
        ERROR,
        "A pod sets an unsafe sysctl.",
        "Only the namespaced, safe sysctls are allowed under Pod Security.",
    ),
    policy(
        "pss-selinux",
        ERROR,
        "A pod sets a custom SELinux user, role or type.",
        "Pod Security forbids custom SELinux users and roles, and types other than the container_* ones.",
    ),
    policy(
        "run-as-low-uid",
        WARNING,
        "A container runs with a uid below 10000.",
        "Low uids can collide with users on the node, which matters if a container ever escapes. Use 10000 or more (checkov CKV_K8S_40).",
    ),
    // --- Policy-engine classics ---
    policy(
        "read-only-root-fs",
        ERROR,
        "A container's root filesystem is writable.",
        "A read-only root filesystem stops an intruder from changing the app's binaries. gen mounts a writable emptyDir at /tmp; mount more emptyDirs where the app must write.",
    ),
    policy(
        "resources-required",
        ERROR,
        "A container lacks a CPU or memory request or limit.",
        "Requests let the scheduler place pods; limits keep one pod from starving its node.",
    ),
    policy(
        "automount-token",
        ERROR,
        "A pod mounts a service-account token it does not need.",
        "The token lets anyone in the pod call the Kubernetes API as the service account. Set automountServiceAccountToken: false unless the app talks to the API.",
    ),
    policy(
        "required-labels",
        ERROR,
        "An object lacks the recommended app.kubernetes.io labels.",
        "Every object carries part-of and managed-by; workload objects also name and instance, so tools can group and select them.",
    ),
    policy(
        "default-namespace",
        ERROR,
        "Objects go to a namespace shared with the cluster (`default`, `kube-system`, ...).",
        "Shared namespaces mix unrelated workloads and their permissions. Give the application a namespace of its own.",
    ),
    policy(
        "namespace-pod-security",
        ERROR,
        "The namespace does not enforce Pod Security restricted.",
        "Label the namespace pod-security.kubernetes.io/enforce, audit and warn = restricted, so the API server rejects pods that slip past review.",
    ),
    policy(
        "nginx-snippet-annotation",
        ERROR,
        "An Ingress uses an nginx `*-snippet` annotation.",
        "Snippet annotations inject raw nginx configuration and allowed reading the controller's secrets (CVE-2021-25742). Use first-class annotations instead.",
    ),
    policy(
        "ingress-tls-missing",
        ERROR,
        "An Ingress host is served without TLS.",
        "Every host needs a TLS entry so traffic and credentials are encrypted.",
    ),
    policy(
        "egress-unrestricted",
        STRICT_OUTSIDE_DEV,
        "Pods may open connections to anywhere.",
        "Open egress lets a compromised pod reach every database and the internet. Set `network.egressMode: restricted` and declare each dependency under `network.egress`.",
    ),
    // --- Availability and cross-object consistency ---
    policy(
        "quota-below-need",
        ERROR_IN_PROD,
        "The namespace's ResourceQuota is smaller than what its workloads need at full scale.",
        "gen adds up every workload at full scale: each autoscaler at maxReplicas (or the fixed replica count), plus the 25% surge pods a rolling update starts, plus one pod for each cronjob and job, times each pod's requests and limits; and the Services, LoadBalancers and ConfigMaps it renders (Kubernetes adds one ConfigMap, `kube-root-ca.crt`). A quota below that stops a scale-out or a rollout exactly when it is needed. Raise the quota, or lower maxReplicas. `gen lint` prints the need against every hard limit.",
    ),
    policy(
        "single-replica",
        PROD_ONLY,
        "A production service runs a single replica.",
        "One replica means downtime on every rollout and node drain. Run at least 2.",
    ),
    policy(
        "hpa-min-below-two",
        PROD_ONLY,
        "A production autoscaler may scale down to one replica.",
        "minReplicas 1 brings back a single point of failure at quiet times. Use at least 2.",
    ),
    policy(
        "hpa-min-above-max",
        ERROR,
        "An autoscaler's minReplicas exceeds maxReplicas.",
        "The API server rejects it. Raise maxReplicas.",
    ),
    policy(
        "hpa-target-missing",
        ERROR,
        "An autoscaler targets a workload that is not rendered.",
        "scaleTargetRef must name a Deployment of the same namespace.",
    ),
    policy(
        "autoscalers-conflict",
        ERROR,
        "Two autoscalers fight over one workload.",
        "Two HPAs, or an HPA and a KEDA ScaledObject (which runs an HPA of its own), on the same Deployment each set the replica count to their own answer, so it flaps. A VerticalPodAutoscaler that changes running pods (`Auto`, `Recreate`, `InPlaceOrRecreate`) on a resource an autoscaler scales on moves the very utilisation the autoscaler measures: the VPA raises requests, utilisation drops, the HPA removes pods, utilisation rises. Keep one horizontal autoscaler per workload, and run the VPA in `Off` or `Initial` mode, or on the other resource.",
    ),
    policy(
        "replicas-pinned-with-hpa",
        WARNING,
        "A Deployment sets spec.replicas although an autoscaler owns the count.",
        "Every apply resets the replica count the autoscaler chose. Leave spec.replicas out.",
    ),
    policy(
        "pdb-blocks-drain",
        ERROR,
        "A disruption budget that can never allow an eviction.",
        "minAvailable at or above the guaranteed replica count (or maxUnavailable 0) blocks node drains and cluster upgrades forever. Keep minAvailable below the replica floor (the HPA's minReplicas).",
    ),
    policy(
        "pdb-unhealthy-eviction",
        WARNING,
        "A disruption budget protects crash-looping pods.",
        "Without unhealthyPodEvictionPolicy: AlwaysAllow, pods that never became ready still block drains.",
    ),
    policy(
        "service-selects-nothing",
        ERROR,
        "A Service's selector matches no pod template.",
        "The Service will have no endpoints. Make its selector match the Deployment's pod labels.",
    ),
    policy(
        "ingress-backend-missing",
        ERROR,
        "An Ingress routes to a Service or port that does not exist.",
        "Requests to that path would fail with 503. Route to a rendered Service and one of its ports.",
    ),
    policy(
        "httproute-backend-missing",
        ERROR,
        "An HTTPRoute routes to a Service or port that does not exist.",
        "The Gateway answers such a route with 500 and reports the backend as unresolved. An HTTPRoute names the Service port by number: route to a rendered Service of the route's namespace and one of its port numbers.",
    ),
    policy(
        "httproute-listener-unpinned",
        ERROR,
        "An HTTPRoute attaches to a whole Gateway instead of one listener.",
        "Without `sectionName` a route attaches to every listener of the Gateway that admits it, the plain HTTP one included, so the application is served without TLS. Name the HTTPS listener (`ingress.gateway.sectionName`).",
    ),
    policy(
        "probe-port-not-exposed",
        ERROR,
        "A probe checks a port the container does not expose.",
        "The probe always fails and the pod never becomes ready. Probe a declared container port.",
    ),
    policy(
        "readiness-equals-liveness",
        STRICT_OUTSIDE_DEV,
        "The readiness probe is identical to the liveness probe.",
        "When a dependency is down, readiness should take the pod out of rotation, while liveness should not restart it: identical probes restart healthy pods in a cascade. Give them separate endpoints.",
    ),
    policy(
        "liveness-without-startup",
        WARNING,
        "A container has a liveness probe but no startup probe.",
        "A slow start gets the container killed before it is up. A startup probe holds liveness off until the app has started.",
    ),
    policy(
        "pod-without-network-policy",
        ERROR,
        "Pods not covered by a NetworkPolicy for ingress or egress.",
        "Without a policy selecting them, pods accept and open any connection. gen renders a default deny; a template that bypasses it would leave pods open.",
    ),
    policy(
        "network-intent-blocked",
        STRICT_OUTSIDE_DEV,
        "The profile declares a connection the rendered network policies do not allow.",
        "gen evaluates the rendered NetworkPolicies with Kubernetes semantics (the sender's egress and the receiver's ingress must both allow a connection). A dependency or ingress peer the policies block fails at run time, not at deploy time. A peer in the profile's own namespace is isolated by its default deny; move it, or give it a policy of its own. `gen graph` shows what is allowed.",
    ),
    policy(
        "network-unintended-edge",
        STRICT_OUTSIDE_DEV,
        "The rendered network policies allow a connection nothing in the profile asks for.",
        "Every allowed connection should be one the profile declares (`network.ingressFrom`, `network.egress`, `dependsOn`, DNS, or open egress), so the profile stays the one place to review who talks to whom. An edge beyond that widens what a compromised pod can reach. `gen graph` shows every allowed edge.",
    ),
    policy(
        "route-backend-unreachable",
        STRICT_OUTSIDE_DEV,
        "A route's backend cannot be reached from the ingress controller or the Gateway on the routed port.",
        "The ingress controller and the Gateway run in namespaces of their own. For an Ingress, gen does not know the controller's namespace, so the backend's port must be open to some peer outside the profile's namespace; for an HTTPRoute, the Gateway's namespace (`ingress.gateway.namespace`) itself must be let in. Otherwise every request on the route fails. Add the namespace to `network.ingressFrom` with the port.",
    ),
    policy(
        "metrics-unreachable",
        STRICT_OUTSIDE_DEV,
        "A service's monitor scrapes a metrics port that no peer outside the namespace may reach.",
        "Prometheus runs in a namespace of its own; if the rendered NetworkPolicies admit nobody from outside the profile's namespace on the metrics port, every scrape times out, the target is down, and alerts built on its series never fire. Add the monitoring namespace to `network.ingressFrom` with the port: `{namespace: monitoring, ports: [metrics]}`.",
    ),
    policy(
        "network-policy-selects-nothing",
        WARNING,
        "A NetworkPolicy selects no pods.",
        "It has no effect; its selector probably does not match the pod labels.",
    ),
    policy(
        "unstable-selector-label",
        ERROR,
        "A selector uses a label that changes between releases.",
        "Selectors are immutable on Deployments and must not include app.kubernetes.io/version (or pod-template-hash): select on name and instance only.",
    ),
    policy(
        "selector-mismatch",
        ERROR,
        "A Deployment's selector does not match its pod template labels.",
        "The API server rejects it. Select on labels the template carries.",
    ),
    policy(
        "removed-api",
        ERROR,
        "An object uses an API version that is deprecated or removed in the target Kubernetes version.",
        "Use the stable API version (e.g. policy/v1 for PodDisruptionBudget, autoscaling/v2 for HorizontalPodAutoscaler, networking.k8s.io/v1 for Ingress).",
    ),
    policy(
        "probe-missing",
        STRICT_OUTSIDE_DEV,
        "A web service or worker has no liveness or no readiness probe.",
        "Without readiness, traffic and rollouts treat a pod as ready the moment it starts; without liveness, a hung process is never restarted. gen renders only the probes a profile writes, so write them (`path`, `tcp`, `grpc` or `exec`). A worker that truly needs none says `probes: {none: <reason>}`.",
    ),
    policy(
        "secret-env",
        STRICT_OUTSIDE_DEV,
        "A Secret's key is read into an environment variable.",
        "Environment variables are visible to every process in the container, end up in crash dumps and debug output, and cannot be rotated without a restart. Mount the secret as files (the default for `secrets:`) and point the app at the file (checkov CKV_K8S_35). Waive it with a reason when the app can only read the environment.",
    ),
    policy(
        "secret-in-config",
        ERROR,
        "A ConfigMap value looks like a plain-text secret.",
        "ConfigMaps are readable by anyone who can read the namespace's configuration, and `configs:` lives in Git. Keep credentials in a Secret or `externalSecrets:` and list it under the service's `secrets:`.",
    ),
    policy(
        "loadbalancer-open",
        STRICT_OUTSIDE_DEV,
        "A LoadBalancer Service admits clients from anywhere.",
        "A LoadBalancer without `loadBalancerSourceRanges` (or with a /0 range) puts the service on the internet. List the client ranges under `expose.loadBalancerSourceRanges`; if the service is meant to be public, waive the rule with that reason.",
    ),
    policy(
        "rbac-wildcard",
        ERROR,
        "A Role grants `*` verbs, resources or API groups.",
        "Wildcards grant everything the API has now and everything it will have later, including secrets. Name the verbs and resources the service uses.",
    ),
    policy(
        "rbac-secrets-list",
        ERROR,
        "A Role lets the service list or watch Secrets.",
        "list and watch return every Secret of the namespace with its values. Grant `get` on the named Secrets the service needs (`resourceNames`), or mount them with `secrets:`.",
    ),
    policy(
        "rbac-escalation",
        ERROR,
        "A Role grants escalate, bind or impersonate, or creates pods/exec, pods/attach or service account tokens.",
        "These let the service act beyond its own permissions: run commands in other pods, mint tokens of other accounts, grant or impersonate roles. An application never needs them; remove them.",
    ),
    policy(
        "rbac-cluster-scope",
        ERROR,
        "A binding grants a ClusterRole, or a Role names cluster-wide resources.",
        "Permissions of an application stay in its namespace: bind a namespaced Role with the verbs it needs. Cluster-wide roles belong to the platform team.",
    ),
    // --- Waivers ---
    policy(
        "unused-waiver",
        WARNING,
        "A waiver matches no finding.",
        "The problem it excused is gone, or the waiver names the wrong rule or target. Remove it, so it cannot hide a future problem.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_explained() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.code), "duplicate code {}", rule.code);
            assert!(
                rule.code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.code
            );
            assert!(
                rule.summary.ends_with('.') && rule.explanation.len() > 20,
                "{}",
                rule.code
            );
        }
    }

    /// Every policy rule has a `rule_tests!` pair (fires / quiet on the shipped profiles), or a
    /// dedicated test named here.
    #[test]
    fn every_policy_rule_has_a_firing_test() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let sources: String = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        let tested_elsewhere = ["removed-api", "unused-waiver"];
        let untested: Vec<&str> = RULES
            .iter()
            .filter(|r| r.kind == RuleKind::Policy && !tested_elsewhere.contains(&r.code))
            .map(|r| r.code)
            .filter(|code| {
                !sources.split("rule_tests!(").skip(1).any(|call| {
                    call.split_once(',')
                        .is_some_and(|(_, rest)| rest.trim_start().starts_with(&format!("\"{code}\"")))
                })
            })
            .collect();
        assert!(
            untested.is_empty(),
            "policy rules without a rule_tests! pair: {untested:?}"
        );
    }
}
