//! `verticalScaling`: a VerticalPodAutoscaler for the service's container, with bounds the
//! recommender stays within.

use super::Resolver;
use crate::model::{Labels, VerticalScaling};
use crate::profile::{RawCpuMemory, RawVerticalScaling, ScaledResource};

impl Resolver<'_> {
    pub(super) fn vertical_scaling(&mut self, path: &str, raw: &RawVerticalScaling) -> VerticalScaling {
        let min = self.bounds(&format!("{path}.min"), raw.min.as_ref());
        let max = self.bounds(&format!("{path}.max"), raw.max.as_ref());
        for (resource, (low, high)) in [("cpu", (min.0, max.0)), ("memory", (min.1, max.1))] {
            if let (Some(low), Some(high)) = (low, high)
                && low > high
            {
                self.error(
                    "invalid-vertical-scaling",
                    &format!("{path}.max.{resource}"),
                    format!("the most {resource} is below the least"),
                    format!("raise `max.{resource}` to at least `min.{resource}`"),
                );
            }
        }
        let mut resources = raw
            .resources
            .clone()
            .unwrap_or_else(|| vec![ScaledResource::Cpu, ScaledResource::Memory]);
        resources.sort();
        resources.dedup();
        if resources.is_empty() {
            self.error(
                "invalid-vertical-scaling",
                &format!("{path}.resources"),
                "the VPA controls no resource",
                "list `cpu`, `memory` or both, or leave `resources` out for both",
            );
        }
        VerticalScaling {
            mode: raw.mode,
            resources,
            min_allowed: allowed(raw.min.as_ref()),
            max_allowed: allowed(raw.max.as_ref()),
        }
    }

    /// The cpu and memory of a bound, each in base units when it is a valid quantity.
    fn bounds(&mut self, path: &str, raw: Option<&RawCpuMemory>) -> (Option<f64>, Option<f64>) {
        let Some(raw) = raw else { return (None, None) };
        if raw.cpu.is_none() && raw.memory.is_none() {
            self.error(
                "invalid-vertical-scaling",
                path,
                "the bound sets neither `cpu` nor `memory`",
                "e.g. `{cpu: 100m, memory: 256Mi}`",
            );
        }
        let cpu = raw
            .cpu
            .as_ref()
            .and_then(|cpu| self.quantity(&format!("{path}.cpu"), cpu, "500m"));
        let memory = raw
            .memory
            .as_ref()
            .and_then(|memory| self.quantity(&format!("{path}.memory"), memory, "512Mi"));
        (cpu, memory)
    }
}

fn allowed(raw: Option<&RawCpuMemory>) -> Labels {
    let Some(raw) = raw else { return Labels::new() };
    [("cpu", &raw.cpu), ("memory", &raw.memory)]
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_owned(), value.clone()?)))
        .collect()
}
