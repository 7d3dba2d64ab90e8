//! Playing a scenario from start to finish (or for N quarters) with one policy per
//! player company: the loop every shell (CLI, tests, analysis, game) would write.

use super::decisions::{CompanyDecisions, DecisionError};
use super::params::Scenario;
use super::report::{CompanyReport, QuarterReport};
use super::step::{Decisions, step};
use super::strategies::Policy;
use super::world::World;
use std::sync::Arc;

/// A finished (or stopped) run.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub world: World,
    pub reports: Vec<QuarterReport>,
    /// Each quarter's decisions of each player company.
    pub decisions: Vec<Vec<CompanyDecisions>>,
}

impl RunOutput {
    /// Every company's rows, quarter by quarter.
    pub fn rows(&self) -> impl Iterator<Item = &CompanyReport> {
        self.reports.iter().flat_map(|r| r.companies.iter())
    }

    /// The first player company's rows, in quarter order.
    pub fn player_rows(&self) -> Vec<&CompanyReport> {
        let Some(name) = self
            .world
            .companies
            .iter()
            .find(|c| c.is_player)
            .map(|c| c.name.clone())
        else {
            return Vec::new();
        };
        self.rows().filter(|r| r.company == name).collect()
    }
}

/// Plays `scenario` with `seed`, one policy per player company (in company order),
/// for at most `max_quarters` quarters. Stops early when every player is bankrupt.
pub fn run(
    scenario: Arc<Scenario>,
    seed: u64,
    policies: &mut [Box<dyn Policy>],
    max_quarters: Option<u32>,
) -> Result<RunOutput, DecisionError> {
    let mut world = World::new(scenario, seed);
    let limit = max_quarters.unwrap_or(u32::MAX).min(world.scenario.n_quarters);
    let mut reports = Vec::with_capacity(limit as usize);
    let mut decisions = Vec::with_capacity(limit as usize);
    let player_idx: Vec<usize> = world
        .companies
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_player)
        .map(|(i, _)| i)
        .collect();
    while world.quarter_idx < limit {
        if !player_idx.is_empty() && player_idx.iter().all(|&i| world.companies[i].bankrupt) {
            break;
        }
        let players: Vec<CompanyDecisions> = player_idx
            .iter()
            .zip(policies.iter_mut())
            .map(|(&idx, policy)| policy.decide(&world, idx))
            .collect();
        let (next, report) = step(
            &world,
            &Decisions {
                players: players.clone(),
            },
        )?;
        world = next;
        reports.push(report);
        decisions.push(players);
    }
    Ok(RunOutput {
        world,
        reports,
        decisions,
    })
}
