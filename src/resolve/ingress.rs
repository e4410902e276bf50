//! The Ingress: host, TLS and routes to web services.

use std::collections::BTreeSet;

use super::Resolver;
use super::names::{DNS_LABEL_HINT, dns_subdomain};
use super::suggestion;
use crate::model::{Ingress, Route};
use crate::profile::{RawIngress, RawProfile, WorkloadKind};

pub(crate) const DEFAULT_INGRESS_CLASS: &str = "nginx";

impl Resolver<'_> {
    pub(super) fn ingress(&mut self, raw: &RawIngress, profile: &RawProfile) -> Ingress {
        let host_valid = dns_subdomain(raw.host.strip_prefix("*.").unwrap_or(&raw.host));
        if let Err(problem) = &host_valid {
            self.error(
                "invalid-host",
                "ingress.host",
                format!("host `{}` {problem}", raw.host),
                "use a lowercase DNS name such as `api.example.com`",
            );
        }
        let class_name = raw
            .class_name
            .clone()
            .unwrap_or_else(|| DEFAULT_INGRESS_CLASS.to_owned());
        if let Err(problem) = dns_subdomain(&class_name) {
            self.error(
                "invalid-name",
                "ingress.className",
                format!("class `{class_name}` {problem}"),
                DNS_LABEL_HINT,
            );
        }
        if let Err(problem) = dns_subdomain(&raw.tls.cluster_issuer) {
            self.error(
                "invalid-name",
                "ingress.tls.clusterIssuer",
                format!("issuer `{}` {problem}", raw.tls.cluster_issuer),
                DNS_LABEL_HINT,
            );
        }
        let tls_secret_name = raw
            .tls
            .secret_name
            .clone()
            .unwrap_or_else(|| format!("{}-tls", raw.host.replace("*.", "wildcard.").replace('.', "-")));
        // A secret name derived from an invalid host is that host's problem, reported above.
        let derived = raw.tls.secret_name.is_none();
        let secret_problem = dns_subdomain(&tls_secret_name)
            .err()
            .filter(|_| !(derived && host_valid.is_err()));
        if let Some(problem) = secret_problem {
            self.error(
                "invalid-name",
                "ingress.tls.secretName",
                format!("secret name `{tls_secret_name}` {problem}"),
                DNS_LABEL_HINT,
            );
        }
        if let Some(rps) = raw.rate_limit_rps
            && rps < 1
        {
            self.error(
                "invalid-rate-limit",
                "ingress.rateLimitRps",
                format!("a rate limit of {rps} requests per second blocks all traffic"),
                "use 1 or more, or remove the key for no limit",
            );
        }
        if raw.routes.is_empty() {
            self.error(
                "no-routes",
                "ingress.routes",
                "the ingress has no routes",
                "add `- {path: /, service: <name>}`",
            );
        }
        let mut paths = BTreeSet::new();
        let routes = raw
            .routes
            .iter()
            .enumerate()
            .map(|(index, route)| {
                let path = format!("ingress.routes[{index}]");
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
                if !paths.insert(route.path.as_str()) {
                    self.error(
                        "duplicate-route",
                        &format!("{path}.path"),
                        format!("the path `{}` is routed twice", route.path),
                        "keep one route per path",
                    );
                }
                if !profile.services.contains_key(&route.service) {
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
                if let Some(target) = profile.services.get(&route.service)
                    && target.kind != WorkloadKind::Web
                {
                    self.error(
                        "unknown-service",
                        &format!("{path}.service"),
                        format!(
                            "route `{}` points at `{}`, a {} without a Service to route to",
                            route.path,
                            route.service,
                            target.kind.as_str()
                        ),
                        "route to a web service (`kind: web`, the default)",
                    );
                }
                Route {
                    path: route.path.clone(),
                    service: route.service.clone(),
                    port_name: "http".into(),
                }
            })
            .collect();
        // The Ingress is named after the application: `app` must then be an object name too.
        if let Err(problem) = dns_subdomain(&profile.app) {
            self.error(
                "invalid-name",
                "app",
                format!("app `{}` names the Ingress, and an object name {problem}", profile.app),
                "use a lowercase DNS name such as `shop` for `app`",
            );
        }
        Ingress {
            name: profile.app.clone(),
            host: raw.host.clone(),
            class_name,
            cluster_issuer: raw.tls.cluster_issuer.clone(),
            tls_secret_name,
            rate_limit_rps: raw.rate_limit_rps.map(|rps| rps.to_string()),
            routes,
        }
    }
}
