//! The `ingress` section: its hosts (route groups), TLS, security headers and basic
//! authentication, and the routes to web services, whether they render as Ingresses or as
//! Gateway API HTTPRoutes.

use std::collections::{BTreeSet, HashMap};

use super::Resolver;
use super::names::{DNS_LABEL_HINT, dns_label, dns_subdomain};
use super::suggestion;
use crate::model::{BasicAuth, ConfigMap, Gateway, Header, Route, RouteGroup, Service, Tls};
use crate::profile::{FrameOptions, PathMatch, RawBasicAuth, RawIngress, RawProfile, RawRoute, RawTls};

pub(crate) const DEFAULT_INGRESS_CLASS: &str = "nginx";
pub(crate) const DEFAULT_REALM: &str = "Authentication required";
pub(crate) const DEFAULT_HSTS_MAX_AGE: i64 = 31_536_000;
pub(crate) const DEFAULT_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; frame-ancestors 'none'";
/// The longest request timeout gen renders: an hour.
const MAX_TIMEOUT_SECONDS: i64 = 3600;
/// Gateway API's limit on a header value (`HTTPHeader.value`).
const MAX_HEADER_VALUE: usize = 4096;

/// What every host of the section shares.
struct Shared {
    gateway: Option<Gateway>,
    class_name: String,
    timeout_seconds: Option<i64>,
    custom_headers: Option<String>,
    response_headers: Vec<Header>,
}

/// One host as the profile writes it, the primary one or one of `hosts`.
struct HostInput<'a> {
    name: String,
    yaml_path: String,
    host: &'a str,
    tls: Option<&'a RawTls>,
    /// Where `tls` is written when the host sets it itself; `None` when it inherits
    /// `ingress.tls` (then its issuer is checked there, and its secret is named after the host).
    tls_path: Option<String>,
    basic_auth: Option<&'a RawBasicAuth>,
    rate_limit_rps: Option<i64>,
    /// Where `rateLimitRps` is written, when the host sets it itself.
    rate_limit_path: Option<String>,
    routes: &'a [RawRoute],
}

impl Resolver<'_> {
    /// The route groups of the `ingress` section, and the ConfigMap of security headers an
    /// Ingress points ingress-nginx at.
    pub(super) fn route_groups(
        &mut self,
        raw: &RawIngress,
        profile: &RawProfile,
        services: &[Service],
    ) -> (Vec<RouteGroup>, Option<ConfigMap>) {
        let gateway = raw.gateway.as_ref().map(|g| {
            self.object_name("ingress.gateway.name", "gateway", &g.name);
            if let Err(problem) = dns_label(&g.namespace) {
                self.error(
                    "invalid-name",
                    "ingress.gateway.namespace",
                    format!("namespace `{}` {problem}", g.namespace),
                    DNS_LABEL_HINT,
                );
            }
            self.object_name("ingress.gateway.sectionName", "listener", &g.section_name);
            Gateway {
                name: g.name.clone(),
                namespace: g.namespace.clone(),
                section_name: g.section_name.clone(),
            }
        });
        if gateway.is_some() && raw.class_name.is_some() {
            self.unsupported_on_gateway(
                "ingress.className",
                "an IngressClass",
                "the Gateway picks its controller: remove `className`",
            );
        }
        let class_name = raw
            .class_name
            .clone()
            .unwrap_or_else(|| DEFAULT_INGRESS_CLASS.to_owned());
        self.object_name("ingress.className", "class", &class_name);
        if let Some(seconds) = raw.timeout_seconds
            && !(1..=MAX_TIMEOUT_SECONDS).contains(&seconds)
        {
            self.error(
                "invalid-value",
                "ingress.timeoutSeconds",
                format!("a request timeout of {seconds} seconds is outside 1..={MAX_TIMEOUT_SECONDS}"),
                "use a number of seconds between 1 and 3600, or remove the key for the proxy's default",
            );
        }
        let response_headers = raw
            .security_headers
            .as_ref()
            .map(|headers| self.security_headers(headers))
            .unwrap_or_default();
        // ingress-nginx reads the headers from a ConfigMap the Ingress names; an HTTPRoute
        // carries them itself.
        let headers_config_map = (gateway.is_none() && raw.security_headers.is_some()).then(|| ConfigMap {
            name: format!("{}-security-headers", profile.app),
            data: response_headers
                .iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect(),
        });
        // The ConfigMap's name is also its `app.kubernetes.io/name` label: at most 63 characters.
        if let Some(config) = &headers_config_map
            && dns_subdomain(&profile.app).is_ok()
            && let Err(problem) = crate::resolve::label_value(&config.name)
        {
            self.error(
                "invalid-name",
                "ingress.securityHeaders",
                format!(
                    "the security headers' ConfigMap would be named `{}`, and its name label: {problem}",
                    config.name
                ),
                "use a shorter `app`: the ConfigMap is named `<app>-security-headers`",
            );
        }
        if let Some(config) = &headers_config_map
            && profile.configs.contains_key(&config.name)
        {
            self.error(
                "duplicate-name",
                "ingress.securityHeaders",
                format!(
                    "the security headers' ConfigMap `{}` is also a config of `configs:`",
                    config.name
                ),
                "rename the config: gen names the headers' ConfigMap `<app>-security-headers`",
            );
        }
        let shared = Shared {
            custom_headers: headers_config_map
                .as_ref()
                .map(|c| format!("{}/{}", profile.namespace, c.name)),
            gateway,
            class_name,
            timeout_seconds: raw.timeout_seconds,
            response_headers,
        };
        // The primary host's objects are named after the application: `app` must then be an
        // object name too.
        if let Err(problem) = dns_subdomain(&profile.app) {
            self.error(
                "invalid-name",
                "app",
                format!("app `{}` names the Ingress, and an object name {problem}", profile.app),
                "use a lowercase DNS name such as `shop` for `app`",
            );
        }
        let mut inputs = vec![HostInput {
            name: profile.app.clone(),
            yaml_path: "ingress".to_owned(),
            host: &raw.host,
            tls: raw.tls.as_ref(),
            tls_path: Some("ingress.tls".to_owned()),
            basic_auth: raw.basic_auth.as_ref(),
            rate_limit_rps: raw.rate_limit_rps,
            rate_limit_path: raw.rate_limit_rps.map(|_| "ingress.rateLimitRps".to_owned()),
            routes: &raw.routes,
        }];
        for (key, group) in &raw.hosts {
            let yaml_path = format!("ingress.hosts.{key}");
            let name = format!("{}-{key}", profile.app);
            if let Err(problem) = dns_label(key) {
                self.error(
                    "invalid-name",
                    &yaml_path,
                    format!("host group `{key}` {problem}"),
                    DNS_LABEL_HINT,
                );
            } else if dns_subdomain(&profile.app).is_ok()
                && let Err(problem) = dns_subdomain(&name)
            {
                self.error(
                    "invalid-name",
                    &yaml_path,
                    format!("the group's objects would be named `{name}`, and an object name {problem}"),
                    "use a shorter group name",
                );
            }
            inputs.push(HostInput {
                name,
                host: &group.host,
                tls: group.tls.as_ref().or(raw.tls.as_ref()),
                tls_path: group.tls.as_ref().map(|_| format!("{yaml_path}.tls")),
                basic_auth: group.basic_auth.as_ref(),
                rate_limit_rps: group.rate_limit_rps.or(raw.rate_limit_rps),
                rate_limit_path: group.rate_limit_rps.map(|_| format!("{yaml_path}.rateLimitRps")),
                routes: &group.routes,
                yaml_path,
            });
        }
        let mut hosts = BTreeSet::new();
        let groups = inputs
            .into_iter()
            .map(|input| {
                if !hosts.insert(input.host) {
                    self.error(
                        "duplicate-route",
                        &format!("{}.host", input.yaml_path),
                        format!("the host `{}` is routed by two groups", input.host),
                        "put every route of a host in one group",
                    );
                }
                self.route_group(input, &shared, profile, services)
            })
            .collect();
        (groups, headers_config_map)
    }

    fn route_group(
        &mut self,
        input: HostInput<'_>,
        shared: &Shared,
        profile: &RawProfile,
        services: &[Service],
    ) -> RouteGroup {
        let at = |key: &str| format!("{}.{key}", input.yaml_path);
        let host_valid = dns_subdomain(input.host.strip_prefix("*.").unwrap_or(input.host));
        if let Err(problem) = &host_valid {
            self.error(
                "invalid-host",
                &at("host"),
                format!("host `{}` {problem}", input.host),
                "use a lowercase DNS name such as `api.example.com`",
            );
        }
        let on_gateway = shared.gateway.is_some();
        let tls = match input.tls {
            Some(tls) => Some(self.tls(&input, tls, host_valid.is_ok())),
            None if on_gateway => None,
            None => {
                self.error(
                    "missing-field",
                    &input.yaml_path,
                    format!("the host `{}` has no `tls`: an Ingress always serves TLS", input.host),
                    "add `tls: {clusterIssuer: letsencrypt-prod}` (or route through a `gateway`, whose listener terminates TLS)",
                );
                None
            }
        };
        if let (Some(rps), Some(rate_path)) = (input.rate_limit_rps, &input.rate_limit_path) {
            if rps < 1 {
                self.error(
                    "invalid-rate-limit",
                    rate_path,
                    format!("a rate limit of {rps} requests per second blocks all traffic"),
                    "use 1 or more, or remove the key for no limit",
                );
            } else if on_gateway {
                self.unsupported_on_gateway(
                    rate_path,
                    "a rate limit",
                    "rate limits are the Gateway implementation's policy, not the standard HTTPRoute's: remove `rateLimitRps` and ask the platform team",
                );
            }
        }
        let basic_auth = input.basic_auth.map(|auth| {
            if on_gateway {
                self.unsupported_on_gateway(
                    &at("basicAuth"),
                    "basic authentication",
                    "the standard HTTPRoute has no basic authentication: remove `gateway` to keep this host on an Ingress, or authenticate in the application or with the Gateway implementation's own policy",
                );
            }
            self.object_name(&at("basicAuth.secretName"), "secret", &auth.secret_name);
            let realm = auth.realm.clone().unwrap_or_else(|| DEFAULT_REALM.to_owned());
            if realm.is_empty() || realm.len() > 128 || realm.contains(|c: char| c.is_control() || matches!(c, '"' | '\\' | '$')) {
                self.error(
                    "invalid-value",
                    &at("basicAuth.realm"),
                    format!("the realm `{realm}` is not a plain line of text"),
                    "use up to 128 characters without quotes, backslashes, `$` or control characters",
                );
            }
            BasicAuth {
                secret_name: auth.secret_name.clone(),
                realm,
            }
        });
        if input.routes.is_empty() {
            self.error(
                "no-routes",
                &at("routes"),
                format!("the host `{}` has no routes", input.host),
                "add `- {path: /, service: <name>}`",
            );
        }
        let mut paths = BTreeSet::new();
        // One lookup per route: a host may route to thousands of services.
        let by_name: HashMap<&str, &Service> = services.iter().map(|s| (s.name.as_str(), s)).collect();
        let routes = input
            .routes
            .iter()
            .enumerate()
            .map(|(index, route)| {
                let path = at(&format!("routes[{index}]"));
                if !paths.insert(route.path.as_str()) {
                    self.error(
                        "duplicate-route",
                        &format!("{path}.path"),
                        format!("the path `{}` is routed twice", route.path),
                        "keep one route per path",
                    );
                }
                self.route(&path, route, profile, &by_name)
            })
            .collect();
        RouteGroup {
            name: input.name,
            yaml_path: input.yaml_path,
            host: input.host.to_owned(),
            gateway: shared.gateway.clone(),
            class_name: shared.class_name.clone(),
            tls,
            rate_limit_rps: input.rate_limit_rps.map(|rps| rps.to_string()),
            timeout_seconds: shared.timeout_seconds.map(|s| s.to_string()),
            timeout: shared.timeout_seconds.map(|s| format!("{s}s")),
            basic_auth,
            custom_headers: shared.custom_headers.clone(),
            response_headers: shared.response_headers.clone(),
            routes,
        }
    }

    fn tls(&mut self, input: &HostInput<'_>, tls: &RawTls, host_valid: bool) -> Tls {
        if let Some(tls_path) = &input.tls_path
            && let Err(problem) = dns_subdomain(&tls.cluster_issuer)
        {
            self.error(
                "invalid-name",
                &format!("{tls_path}.clusterIssuer"),
                format!("issuer `{}` {problem}", tls.cluster_issuer),
                DNS_LABEL_HINT,
            );
        }
        // A host that inherits `tls` gets a certificate of its own, named after it.
        let written = tls.secret_name.as_ref().filter(|_| input.tls_path.is_some());
        let secret_name = written
            .cloned()
            .unwrap_or_else(|| format!("{}-tls", input.host.replace("*.", "wildcard.").replace('.', "-")));
        if let Err(problem) = dns_subdomain(&secret_name) {
            match (written, &input.tls_path) {
                (Some(_), Some(tls_path)) => self.error(
                    "invalid-name",
                    &format!("{tls_path}.secretName"),
                    format!("secret name `{secret_name}` {problem}"),
                    DNS_LABEL_HINT,
                ),
                // A secret name derived from an invalid host is that host's problem, reported
                // there.
                _ if !host_valid => {}
                _ => self.error(
                    "invalid-name",
                    &match &input.tls_path {
                        Some(tls_path) => format!("{tls_path}.secretName"),
                        None => format!("{}.host", input.yaml_path),
                    },
                    format!("secret name `{secret_name}` {problem}"),
                    DNS_LABEL_HINT,
                ),
            }
        }
        Tls {
            cluster_issuer: tls.cluster_issuer.clone(),
            secret_name,
        }
    }

    fn route(
        &mut self,
        path: &str,
        route: &RawRoute,
        profile: &RawProfile,
        services: &HashMap<&str, &Service>,
    ) -> Route {
        let valid_path = route.path.starts_with('/')
            && !route.path.contains(|c: char| {
                c.is_whitespace() || c.is_control() || matches!(c, '{' | '}' | '$' | ';' | '\\' | '"' | '\'')
            });
        if !valid_path {
            self.error(
                "invalid-path",
                &format!("{path}.path"),
                format!("route path `{}` is not a plain URL path", route.path),
                "write an absolute path such as `/api/auth`, without spaces, quotes, `;`, `$` or braces",
            );
        }
        let port_name = route.port.clone().unwrap_or_else(|| "http".to_owned());
        let mut port = 0;
        match profile.services.get(&route.service) {
            None => {
                let hint = suggestion(
                    &route.service,
                    profile.services.keys().map(String::as_str),
                    &format!(
                        "route to one of: {}",
                        profile.services.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
                self.error(
                    "unknown-service",
                    &format!("{path}.service"),
                    format!(
                        "route `{}` points at `{}`, which is not a service of this profile",
                        route.path, route.service
                    ),
                    hint,
                );
            }
            Some(target) if target.kind != crate::profile::WorkloadKind::Web => self.error(
                "unknown-service",
                &format!("{path}.service"),
                format!(
                    "route `{}` points at `{}`, a {} without a Service to route to",
                    route.path,
                    route.service,
                    target.kind.as_str()
                ),
                "route to a web service (`kind: web`, the default)",
            ),
            Some(_) => {
                let exposed = services
                    .get(route.service.as_str())
                    .and_then(|s| s.expose.as_ref())
                    .map(|e| e.ports.as_slice())
                    .unwrap_or_default();
                match exposed.iter().find(|p| p.name == port_name) {
                    Some(found) => port = found.port,
                    // A service whose own ports are invalid is reported there.
                    None if exposed.is_empty() => {}
                    None => {
                        let names: Vec<&str> = exposed.iter().map(|p| p.name.as_str()).collect();
                        let hint = suggestion(
                            &port_name,
                            names.iter().copied(),
                            &format!("route to one of the Service's ports: {}", names.join(", ")),
                        );
                        let at = if route.port.is_some() {
                            format!("{path}.port")
                        } else {
                            format!("{path}.service")
                        };
                        self.error(
                            "unknown-port",
                            &at,
                            format!(
                                "route `{}` goes to port `{port_name}` of `{}`, which its Service does not expose",
                                route.path, route.service
                            ),
                            hint,
                        );
                    }
                }
            }
        }
        let exact = route.path_match == Some(PathMatch::Exact);
        Route {
            path: route.path.clone(),
            ingress_path_type: if exact { "Exact" } else { "Prefix" },
            gateway_path_type: if exact { "Exact" } else { "PathPrefix" },
            service: route.service.clone(),
            port_name,
            port,
        }
    }

    fn security_headers(&mut self, raw: &crate::profile::RawSecurityHeaders) -> Vec<Header> {
        let max_age = raw.hsts_max_age_seconds.unwrap_or(DEFAULT_HSTS_MAX_AGE);
        if !(0..=i64::from(i32::MAX)).contains(&max_age) {
            self.error(
                "invalid-value",
                "ingress.securityHeaders.hstsMaxAgeSeconds",
                format!("an HSTS max-age of {max_age} seconds is outside 0..={}", i32::MAX),
                "use 31536000 (a year), or 0 to make browsers forget the host's HSTS",
            );
        }
        let mut hsts = format!("max-age={max_age}");
        if raw.hsts_include_subdomains.unwrap_or(true) {
            hsts.push_str("; includeSubDomains");
        }
        if raw.hsts_preload.unwrap_or(false) {
            hsts.push_str("; preload");
        }
        let policy = raw
            .content_security_policy
            .clone()
            .unwrap_or_else(|| DEFAULT_CONTENT_SECURITY_POLICY.to_owned());
        let plain = !policy.trim().is_empty()
            && policy.len() <= MAX_HEADER_VALUE
            && !policy.contains(|c: char| c.is_control() || matches!(c, '"' | '\\' | '$'));
        if !plain {
            self.error(
                "invalid-value",
                "ingress.securityHeaders.contentSecurityPolicy",
                "the Content-Security-Policy is not one plain line of at most 4096 characters",
                "write the directives on one line, without double quotes, backslashes, `$` or control characters, e.g. `default-src 'self'`",
            );
        }
        let frame_options = raw.frame_options.unwrap_or(FrameOptions::Deny);
        [
            ("Content-Security-Policy", policy),
            ("Strict-Transport-Security", hsts),
            ("X-Content-Type-Options", "nosniff".to_owned()),
            ("X-Frame-Options", frame_options.as_str().to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| Header {
            name: name.to_owned(),
            value,
        })
        .collect()
    }

    fn unsupported_on_gateway(&mut self, path: &str, what: &str, hint: &str) {
        self.error(
            "gateway-unsupported",
            path,
            format!("{what} cannot be routed through a Gateway: the standard HTTPRoute has no such setting"),
            hint,
        );
    }
}
