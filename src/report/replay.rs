//! Replaying a player's decisions: the one loop the debrief's measurements share
//! (each decision reverted, the cap flipped), always with the run's own seed so a
//! difference comes from the change, not from noise.

use crate::sim::decisions::CompanyDecisions;
use crate::sim::{CompanyReport, Decisions, Scenario, World, step};
use std::sync::Arc;

/// The player's report rows when `decisions` are played in `scenario` with `seed`,
/// or `None` if the model refuses a quarter's decisions. Stops at bankruptcy.
pub fn player_rows(scenario: &Arc<Scenario>, seed: u64, decisions: &[CompanyDecisions]) -> Option<Vec<CompanyReport>> {
    let mut world = World::new(scenario.clone(), seed);
    let mut rows = Vec::new();
    for d in decisions {
        let (next, report) = step(&world, &Decisions::solo(d.clone())).ok()?;
        world = next;
        rows.extend(report.companies.into_iter().filter(|r| r.is_player));
        if world.companies.iter().any(|c| c.is_player && c.bankrupt) {
            break;
        }
    }
    Some(rows)
}
