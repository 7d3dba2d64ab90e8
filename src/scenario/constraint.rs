//! Panel constraints (`scenarios/constraints/*.ron`): an event the panel adds in the
//! middle of a plan (`thin-margin challenge`). The file holds one [`Event`]; two names
//! are resolved when it is applied, so one file fits every scenario: the company
//! `largest-rival` and the segment `largest-segment` (see `analysis::challenge`).

use super::FileErrors;
use super::load::{locate_problems, parse_ron, read_text};
use crate::sim::params::{Event, EventKind};
use serde::Deserialize;
use std::path::Path;

/// The version of the constraint format this build reads.
pub const CONSTRAINT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename = "Constraint", deny_unknown_fields)]
pub struct ConstraintFile {
    pub version: u32,
    pub event: Event,
}

/// Reads a constraint file and checks its numbers.
pub fn load_constraint(path: &Path) -> Result<Event, FileErrors> {
    let text = read_text(path)?;
    let file: ConstraintFile = parse_ron(path, &text)?;
    let mut problems = Vec::new();
    if file.version != CONSTRAINT_VERSION {
        problems.push((
            "version".to_string(),
            format!(
                "this build reads constraint version {CONSTRAINT_VERSION}, found {}",
                file.version
            ),
        ));
    }
    problems.extend(event_problems(&file.event, "event"));
    if problems.is_empty() {
        Ok(file.event)
    } else {
        Err(locate_problems(path, &text, problems))
    }
}

/// What is out of range in a constraint's event (`prefix` names where it sits, e.g.
/// `event` in a constraint file, `challenge.event` in a save).
pub fn event_problems(event: &Event, prefix: &str) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let mut check = |field: &str, v: f64, lo: f64, hi: f64| {
        if !(v.is_finite() && (lo..=hi).contains(&v)) {
            problems.push((
                format!("{prefix}.kind.{field}"),
                format!("must be from {lo} to {hi}, found {v}"),
            ));
        }
    };
    match &event.kind {
        EventKind::SupplyShock {
            capacity_factor,
            cost_factor,
        } => {
            check("capacity_factor", *capacity_factor, 0.0, 10.0);
            check("cost_factor", *cost_factor, 0.01, 10.0);
        }
        EventKind::RivalPriceCut { pct, .. } => check("pct", *pct, 0.0, 0.95),
        EventKind::TrafficCostSpike { factor } => check("factor", *factor, 0.01, 100.0),
        EventKind::BetterChipset { perf_gain } => check("perf_gain", *perf_gain, -0.9, 10.0),
        EventKind::DemandShock { factor, .. } => check("factor", *factor, 0.0, 10.0),
        EventKind::Regulation {
            commission_delta,
            dealer_margin_max,
        } => {
            check("commission_delta", *commission_delta, -1.0, 1.0);
            if let Some(m) = dealer_margin_max {
                check("dealer_margin_max", *m, 0.0, 1.0);
            }
        }
    }
    problems
}
