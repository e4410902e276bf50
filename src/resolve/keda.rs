//! KEDA: the event sources a service scales on (`autoscaling.triggers`) and the credentials
//! its scalers read (`triggerAuthentications`). KEDA reads every scaler setting as a string, so
//! gen checks each one here, where it can point at the line, and renders only settings KEDA
//! will accept.

use std::collections::BTreeMap;

use super::schedule::check_schedule;
use super::{Resolver, suggestion};
use crate::model::{Labels, Trigger, TriggerAuthentication};
use crate::profile::{
    RawCronTrigger, RawKafkaTrigger, RawPrometheusTrigger, RawRedisTrigger, RawTrigger, RawTriggerAuthentication,
};

/// The cpu and memory targets as KEDA triggers: with event sources, KEDA runs the only HPA of
/// the workload, so the resource targets travel with them.
pub(super) fn resource_triggers(cpu: Option<i64>, memory: Option<i64>) -> impl Iterator<Item = Trigger> {
    [("cpu", cpu), ("memory", memory)]
        .into_iter()
        .filter_map(|(scaler, target)| {
            Some(Trigger {
                scaler,
                metric_type: Some("Utilization"),
                metadata: Labels::from([("value".to_owned(), target?.to_string())]),
                authentication: None,
            })
        })
}

impl Resolver<'_> {
    /// The profile's TriggerAuthentications, each reading scaler parameters from one Secret.
    pub(super) fn trigger_authentications(
        &mut self,
        raw: &BTreeMap<String, RawTriggerAuthentication>,
    ) -> Vec<TriggerAuthentication> {
        raw.iter()
            .map(|(name, auth)| {
                let path = format!("triggerAuthentications.{name}");
                self.object_name(&path, "the TriggerAuthentication name", name);
                self.object_name(&format!("{path}.secret"), "the Secret name", &auth.secret);
                if auth.parameters.is_empty() {
                    self.error(
                        "missing-field",
                        &format!("{path}.parameters"),
                        "the authentication passes no parameters",
                        "map each scaler parameter to its Secret key, e.g. `parameters: {username: user, password: pass}`",
                    );
                }
                for (parameter, key) in &auth.parameters {
                    let at = format!("{path}.parameters.{parameter}");
                    if !is_parameter(parameter) {
                        self.error(
                            "invalid-trigger",
                            &at,
                            format!("`{parameter}` is not a scaler parameter name"),
                            "scaler parameters are letters and digits, such as `sasl`, `username` or `password`",
                        );
                    }
                    self.data_key(&at, key);
                }
                TriggerAuthentication {
                    name: name.clone(),
                    secret: auth.secret.clone(),
                    parameters: auth.parameters.iter().map(|(p, k)| (p.clone(), k.clone())).collect(),
                }
            })
            .collect()
    }

    /// The service's KEDA triggers, in the order written.
    pub(super) fn triggers(
        &mut self,
        path: &str,
        raw: &[RawTrigger],
        authentications: &BTreeMap<String, RawTriggerAuthentication>,
    ) -> Vec<Trigger> {
        let mut triggers = Vec::new();
        for (i, trigger) in raw.iter().enumerate() {
            let path = format!("{path}[{i}]");
            let resolved = match (&trigger.kafka, &trigger.redis, &trigger.prometheus, &trigger.cron) {
                (Some(kafka), None, None, None) => self.kafka(&format!("{path}.kafka"), kafka),
                (None, Some(redis), None, None) => self.redis(&format!("{path}.redis"), redis),
                (None, None, Some(prometheus), None) => self.prometheus(&format!("{path}.prometheus"), prometheus),
                (None, None, None, Some(cron)) => self.cron_trigger(&format!("{path}.cron"), cron),
                _ => {
                    self.error(
                        "invalid-trigger",
                        &path,
                        "a trigger needs exactly one of `kafka`, `redis`, `prometheus` and `cron`",
                        "write one event source per list item",
                    );
                    continue;
                }
            };
            if let Some(name) = &trigger.authentication
                && !authentications.contains_key(name)
            {
                self.error(
                    "invalid-trigger",
                    &format!("{path}.authentication"),
                    format!("no `triggerAuthentications` entry is named `{name}`"),
                    suggestion(
                        name,
                        authentications.keys().map(String::as_str),
                        "declare it under `triggerAuthentications:` with the Secret it reads",
                    ),
                );
            }
            triggers.push(Trigger {
                authentication: trigger.authentication.clone(),
                ..resolved
            });
        }
        triggers
    }

    fn kafka(&mut self, path: &str, raw: &RawKafkaTrigger) -> Trigger {
        for server in raw.bootstrap_servers.split(',') {
            self.host_port(&format!("{path}.bootstrapServers"), server.trim());
        }
        self.token(&format!("{path}.consumerGroup"), &raw.consumer_group);
        self.token(&format!("{path}.topic"), &raw.topic);
        let mut metadata = Labels::from([
            ("bootstrapServers".to_owned(), raw.bootstrap_servers.clone()),
            ("consumerGroup".to_owned(), raw.consumer_group.clone()),
            ("topic".to_owned(), raw.topic.clone()),
        ]);
        if let Some(lag) = self.at_least(&format!("{path}.lagThreshold"), raw.lag_threshold, 1) {
            metadata.insert("lagThreshold".into(), lag.to_string());
        }
        event_trigger("kafka", metadata)
    }

    fn redis(&mut self, path: &str, raw: &RawRedisTrigger) -> Trigger {
        self.host_port(&format!("{path}.address"), &raw.address);
        self.token(&format!("{path}.listName"), &raw.list_name);
        let mut metadata = Labels::from([
            ("address".to_owned(), raw.address.clone()),
            ("listName".to_owned(), raw.list_name.clone()),
        ]);
        if let Some(length) = self.at_least(&format!("{path}.listLength"), raw.list_length, 1) {
            metadata.insert("listLength".into(), length.to_string());
        }
        event_trigger("redis", metadata)
    }

    fn prometheus(&mut self, path: &str, raw: &RawPrometheusTrigger) -> Trigger {
        let url_ok = ["http://", "https://"].iter().any(|scheme| {
            raw.server_address
                .strip_prefix(scheme)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
        });
        if !url_ok {
            self.error(
                "invalid-trigger",
                &format!("{path}.serverAddress"),
                format!("`{}` is not an http(s) URL", raw.server_address),
                "e.g. `http://prometheus-operated.monitoring.svc:9090`",
            );
        }
        if raw.query.trim().is_empty() {
            self.error(
                "invalid-trigger",
                &format!("{path}.query"),
                "the query is empty",
                "write a PromQL query that returns one value, e.g. `sum(rate(http_requests_total{service=\"api\"}[2m]))`",
            );
        }
        if !raw.threshold.parse::<f64>().is_ok_and(|t| t.is_finite() && t > 0.0) {
            self.error(
                "invalid-trigger",
                &format!("{path}.threshold"),
                format!("threshold `{}` is not a positive number", raw.threshold),
                "write the query's value per pod to aim for, such as `\"100\"`",
            );
        }
        event_trigger(
            "prometheus",
            Labels::from([
                ("serverAddress".to_owned(), raw.server_address.clone()),
                ("query".to_owned(), raw.query.trim().to_owned()),
                ("threshold".to_owned(), raw.threshold.clone()),
            ]),
        )
    }

    fn cron_trigger(&mut self, path: &str, raw: &RawCronTrigger) -> Trigger {
        self.time_zone(&format!("{path}.timezone"), &raw.timezone);
        for (key, schedule) in [("start", &raw.start), ("end", &raw.end)] {
            // KEDA takes five fields only, not the `@daily` macros a CronJob accepts.
            let problem = match check_schedule(schedule) {
                Err(problem) => Some(problem),
                Ok(()) if schedule.trim().starts_with('@') => Some("KEDA takes five fields, not a macro".into()),
                Ok(()) => None,
            };
            if let Some(problem) = problem {
                self.error(
                    "invalid-schedule",
                    &format!("{path}.{key}"),
                    format!("{key} `{schedule}` is not valid: {problem}"),
                    "write five fields, `minute hour day-of-month month day-of-week` (`0 8 * * 1-5` is 08:00 on weekdays)",
                );
            }
        }
        self.at_least(&format!("{path}.desiredReplicas"), Some(raw.desired_replicas), 1);
        event_trigger(
            "cron",
            Labels::from([
                ("timezone".to_owned(), raw.timezone.clone()),
                ("start".to_owned(), raw.start.trim().to_owned()),
                ("end".to_owned(), raw.end.trim().to_owned()),
                ("desiredReplicas".to_owned(), raw.desired_replicas.to_string()),
            ]),
        )
    }

    /// `host:port`, as brokers and Redis servers are addressed.
    fn host_port(&mut self, path: &str, address: &str) {
        let valid = address.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && !host.contains(char::is_whitespace) && port.parse::<u16>().is_ok_and(|p| p > 0)
        });
        if !valid {
            self.error(
                "invalid-trigger",
                path,
                format!("`{address}` is not `host:port`"),
                "e.g. `kafka.data.svc:9092`",
            );
        }
    }

    /// A name KEDA passes on as it is: a consumer group, a topic, a list.
    fn token(&mut self, path: &str, value: &str) {
        if value.is_empty() || value.contains(|c: char| c.is_whitespace() || c.is_control()) {
            self.error(
                "invalid-trigger",
                path,
                format!("`{value}` is empty or holds whitespace"),
                "write the name exactly as the event source knows it",
            );
        }
    }
}

fn event_trigger(scaler: &'static str, metadata: Labels) -> Trigger {
    Trigger {
        scaler,
        metric_type: None,
        metadata,
        authentication: None,
    }
}

/// KEDA's scaler parameter names (`sasl`, `username`, `tlsCertFile`...).
fn is_parameter(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_targets_become_utilization_triggers() {
        let triggers: Vec<Trigger> = resource_triggers(Some(70), None).collect();
        assert_eq!(triggers.len(), 1);
        assert_eq!(triggers[0].scaler, "cpu");
        assert_eq!(triggers[0].metric_type, Some("Utilization"));
        assert_eq!(triggers[0].metadata["value"], "70");
        assert_eq!(resource_triggers(None, None).count(), 0);
    }

    #[test]
    fn parameter_names() {
        assert!(is_parameter("sasl"));
        assert!(is_parameter("tlsCertFile"));
        assert!(!is_parameter("user name"));
        assert!(!is_parameter("1x"));
        assert!(!is_parameter(""));
    }
}
