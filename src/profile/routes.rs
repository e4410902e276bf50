//! The `ingress` section as the user writes it: hosts, TLS, the Gateway the routes may go
//! through, security headers, basic authentication and the routes themselves.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "Ingress")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawIngress {
    /// The host routed (a DNS name, or `*.example.com`).
    pub host: String,
    /// The IngressClass that serves the Ingress (not with `gateway`).
    #[schemars(example = &"nginx-internal")]
    pub class_name: Option<String>,
    /// Route through this platform-owned Gateway: an HTTPRoute (`gateway.networking.k8s.io/v1`)
    /// instead of an Ingress. Adding or removing this one key moves every route group between
    /// the two; the Gateway's listener terminates TLS.
    #[schemars(example = serde_json::json!({"name": "public", "namespace": "gateway-system", "sectionName": "https"}))]
    pub gateway: Option<RawGateway>,
    /// The certificate for the host: TLS is always on. With `gateway`, the listener's certificate
    /// serves instead and this is kept for the Ingress form.
    pub tls: Option<RawTls>,
    /// Requests per second one client may make (ingress-nginx `limit-rps`; not with `gateway`).
    pub rate_limit_rps: Option<i64>,
    /// Seconds a request may take before the proxy gives up (ingress-nginx `proxy-read-timeout`
    /// and `proxy-send-timeout`; HTTPRoute `timeouts.request`), 1 to 3600.
    #[schemars(example = &60)]
    pub timeout_seconds: Option<i64>,
    /// Security response headers on every route of every host: HSTS, Content-Security-Policy,
    /// X-Frame-Options and X-Content-Type-Options, each with a hardened default.
    #[schemars(example = serde_json::json!({"frameOptions": "DENY"}))]
    pub security_headers: Option<RawSecurityHeaders>,
    /// Basic authentication by reference to a Secret (ingress-nginx `auth-type: basic`; not with
    /// `gateway`, which has no standard basic authentication).
    pub basic_auth: Option<RawBasicAuth>,
    /// Paths of the host and the web service each goes to.
    pub routes: Vec<RawRoute>,
    /// More hosts by name, each its own Ingress or HTTPRoute (`<app>-<name>`) with its own TLS,
    /// routes and basic authentication; the class, gateway, timeout and security headers are
    /// the ones above.
    #[serde(default)]
    #[schemars(example = serde_json::json!({"admin": {"host": "admin.example.com", "basicAuth": {"secretName": "admin-basic-auth"}, "routes": [{"path": "/", "service": "admin"}]}}))]
    pub hosts: BTreeMap<String, RawHostGroup>,
}

/// A platform-owned Gateway the routes attach to (`parentRefs`).
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "Gateway")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawGateway {
    /// The Gateway's name.
    #[schemars(example = &"public")]
    pub name: String,
    /// The Gateway's namespace; its pods are let in by `network.ingressFrom`.
    #[schemars(example = &"gateway-system")]
    pub namespace: String,
    /// The listener the routes attach to: the HTTPS one, so TLS stays on.
    #[schemars(example = &"https")]
    pub section_name: String,
}

/// Security response headers; every one is sent, each value has a hardened default.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "SecurityHeaders")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawSecurityHeaders {
    /// `Strict-Transport-Security` max-age in seconds (a year by default); 0 tells browsers to
    /// forget the host's HSTS.
    #[schemars(example = &31536000)]
    pub hsts_max_age_seconds: Option<i64>,
    /// HSTS covers the host's subdomains too.
    pub hsts_include_subdomains: Option<bool>,
    /// Ask browsers to preload HSTS for the domain (hard to undo: off by default).
    pub hsts_preload: Option<bool>,
    /// The `Content-Security-Policy`, on one line.
    #[schemars(example = &"default-src 'self'; img-src 'self' data:")]
    pub content_security_policy: Option<String>,
    /// `X-Frame-Options`: `DENY` or `SAMEORIGIN`.
    pub frame_options: Option<FrameOptions>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
pub enum FrameOptions {
    #[serde(rename = "DENY")]
    Deny,
    #[serde(rename = "SAMEORIGIN")]
    SameOrigin,
}

impl FrameOptions {
    pub fn as_str(self) -> &'static str {
        match self {
            FrameOptions::Deny => "DENY",
            FrameOptions::SameOrigin => "SAMEORIGIN",
        }
    }
}

/// Basic authentication against a Secret the platform or team creates (`auth` key, htpasswd format).
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "BasicAuth")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawBasicAuth {
    /// The Secret in the profile's namespace that holds the htpasswd file under the key `auth`.
    #[schemars(example = &"admin-basic-auth")]
    pub secret_name: String,
    /// The realm the browser shows.
    #[schemars(example = &"Analytics admin")]
    pub realm: Option<String>,
}

/// One more host and its routes.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "HostGroup")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawHostGroup {
    /// The host routed (a DNS name, or `*.example.com`).
    #[schemars(example = &"admin.example.com")]
    pub host: String,
    /// The host's certificate; defaults to the issuer of `ingress.tls` and a secret named after
    /// the host.
    pub tls: Option<RawTls>,
    /// Basic authentication for every route of this host.
    pub basic_auth: Option<RawBasicAuth>,
    /// Requests per second one client may make; defaults to `ingress.rateLimitRps`.
    pub rate_limit_rps: Option<i64>,
    /// Paths of the host and the web service each goes to.
    pub routes: Vec<RawRoute>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "Tls")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawTls {
    /// cert-manager ClusterIssuer that issues the certificate.
    pub cluster_issuer: String,
    /// Secret that holds the certificate; defaults to `<host with dots as dashes>-tls`.
    pub secret_name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "Route")]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRoute {
    /// The path (`/api/auth`).
    pub path: String,
    /// `prefix` (the path and everything below it) or `exact` (only the path).
    #[serde(rename = "match")]
    pub path_match: Option<PathMatch>,
    /// The web service it goes to.
    pub service: String,
    /// The service's named port it goes to (`http`, `metrics` or one of `ports.extra`); its
    /// Service must expose it.
    #[schemars(example = &"grpc")]
    pub port: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PathMatch {
    Prefix,
    Exact,
}
