//! The panel challenge: a plan meets a constraint the panel adds from a given
//! quarter (an event, injected like a facilitator's), and optionally a re-plan
//! answers it. Three runs compare side by side, each the mean over the same seeds:
//! the original plan, the original under the constraint, and the re-plan under the
//! constraint. A re-plan may change decisions only from the constraint's quarter on
//! (the past is the past); it is refused otherwise. Where a supply constraint makes
//! planned production impossible, every plan makes what the lines can (production is
//! cut to the quarter's capacity), and a dealer-margin ceiling cuts the planned
//! margin to it, as a real plan would have to.
//!
//! Two names in a constraint are resolved against the world when it arrives, from
//! public information: `largest-rival` (the computer-run company that sold the most
//! units the quarter before; the first rival before any sales) and
//! `largest-segment` (the segment with the most potential buyers).

use super::address::effective_decisions;
use crate::sim::decisions::{CompanyDecisions, PartialDecisions};
use crate::sim::events::{upcoming_capacity, upcoming_modifiers};
use crate::sim::params::{Event, EventKind};
use crate::sim::score::{ObjectiveStatus, objectives, score};
use crate::sim::strategies::{LogPolicy, Policy};
use crate::sim::{CompanyReport, Decisions, Quarter, Scenario, World, step};
use serde::Serialize;
use std::sync::Arc;

/// One plan's results, the mean over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub score: f64,
    pub net_profit: f64,
    pub units_sold: f64,
    pub cash_min: f64,
    pub final_trust: f64,
    /// Mean share of the scenario's objectives met.
    pub objectives_met: f64,
}

/// The three-way comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Challenge {
    pub scenario: String,
    pub constraint: String,
    pub description: String,
    pub at: Quarter,
    pub runs: u32,
    pub original: Outcome,
    pub constrained: Outcome,
    pub replanned: Option<Outcome>,
}

/// The constraint with `largest-rival` and `largest-segment` resolved in `world`.
pub fn resolve(event: &Event, world: &World) -> Result<Event, String> {
    let mut e = event.clone();
    match &mut e.kind {
        EventKind::RivalPriceCut { company, .. } if company == "largest-rival" => {
            let rival = world
                .companies
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.is_player && !c.bankrupt)
                .max_by_key(|(i, c)| (c.skus.iter().map(|s| s.last_sold).sum::<u64>(), std::cmp::Reverse(*i)))
                .map(|(_, c)| c.name.to_string())
                .ok_or("the scenario has no computer-run rival to cut prices")?;
            *company = rival;
        }
        EventKind::RivalPriceCut { company, .. } if world.company_index(company).is_none() => {
            return Err(format!(
                "the constraint names a company \"{company}\" the scenario does not have"
            ));
        }
        EventKind::DemandShock { segment, .. } => {
            if segment.as_deref() == Some("largest-segment") {
                *segment = world
                    .scenario
                    .market
                    .segments
                    .iter()
                    .max_by(|a, b| a.potential.total_cmp(&b.potential))
                    .map(|s| s.name.clone());
            } else if let Some(name) = segment.as_deref()
                && world.scenario.segment_index(name).is_none()
            {
                return Err(format!(
                    "the constraint names a segment \"{name}\" the scenario does not have"
                ));
            }
        }
        _ => {}
    }
    Ok(e)
}

/// A constraint can make a plan impossible: the lines make what they can (production
/// cut to this quarter's capacity), and dealers get no more than a new ceiling.
pub fn fit_to_constraints(world: &World, company: usize, d: &mut CompanyDecisions) {
    let capacity = upcoming_capacity(world, company);
    for sku in d.skus.values_mut() {
        sku.production = sku.production.min(capacity);
    }
    d.dealer_margin = d.dealer_margin.min(upcoming_modifiers(world).dealer_margin_max);
}

/// The player's rows for `log`, with `constraint` arriving at quarter index `at`.
fn play(
    scenario: &Arc<Scenario>,
    log: &[PartialDecisions],
    seed: u64,
    constraint: Option<(usize, &Event)>,
) -> Result<Vec<CompanyReport>, String> {
    let mut world = World::new(scenario.clone(), seed);
    let mut policy = LogPolicy::new(log.to_vec());
    let player = scenario.first_player().ok_or("the scenario has no player company")?;
    let mut rows = Vec::new();
    while !world.is_finished() {
        if let Some((at, event)) = constraint
            && world.quarter_idx as usize == at
        {
            let e = resolve(event, &world)?;
            world.inject(e);
        }
        let mut d = policy.decide(&world, player);
        fit_to_constraints(&world, player, &mut d);
        let (next, report) = step(&world, &Decisions::solo(d)).map_err(|e| e.to_string())?;
        world = next;
        rows.extend(report.companies.into_iter().filter(|r| r.is_player));
        if world.companies[player].bankrupt {
            break;
        }
    }
    Ok(rows)
}

fn outcome(
    scenario: &Arc<Scenario>,
    log: &[PartialDecisions],
    constraint: Option<(usize, &Event)>,
    runs: u32,
    first_seed: u64,
) -> Result<Outcome, String> {
    let n = f64::from(runs.max(1));
    let mut sum = Outcome {
        score: 0.0,
        net_profit: 0.0,
        units_sold: 0.0,
        cash_min: 0.0,
        final_trust: 0.0,
        objectives_met: 0.0,
    };
    for r in 0..u64::from(runs.max(1)) {
        let rows = play(scenario, log, first_seed + r, constraint)?;
        let refs: Vec<&CompanyReport> = rows.iter().collect();
        let objs = objectives(scenario, &refs);
        let met = objs.iter().filter(|o| o.status == ObjectiveStatus::Met).count();
        sum.score += score(scenario, &refs).total / n;
        sum.net_profit += rows.iter().map(|r| r.net_profit).sum::<f64>() / n;
        sum.units_sold += rows.iter().map(|r| r.units_sold as f64).sum::<f64>() / n;
        sum.cash_min += rows.iter().map(|r| r.cash).fold(f64::INFINITY, f64::min) / n;
        sum.final_trust += rows.last().map_or(0.0, |r| r.trust) / n;
        sum.objectives_met += if objs.is_empty() {
            1.0
        } else {
            met as f64 / objs.len() as f64
        } / n;
    }
    Ok(sum)
}

/// Plays the comparison. `at` is the quarter index (0-based) the constraint arrives.
pub fn challenge(
    scenario: &Arc<Scenario>,
    original: &[PartialDecisions],
    replan: Option<&[PartialDecisions]>,
    at: usize,
    constraint: &Event,
    runs: u32,
    first_seed: u64,
) -> Result<Challenge, String> {
    if at >= scenario.n_quarters as usize {
        return Err(format!(
            "the constraint must arrive within the scenario's {} quarters",
            scenario.n_quarters
        ));
    }
    if let Some(re) = replan {
        for q in 0..at {
            if effective_decisions(scenario, original, q) != effective_decisions(scenario, re, q) {
                return Err(format!(
                    "the re-plan changes decisions in {}, before the constraint arrives in {}: a re-plan may change only what comes after",
                    scenario.quarter_at(q as u32),
                    scenario.quarter_at(at as u32)
                ));
            }
        }
    }
    Ok(Challenge {
        scenario: scenario.id.clone(),
        constraint: constraint.title.clone(),
        description: constraint.description.clone(),
        at: scenario.quarter_at(at as u32),
        runs: runs.max(1),
        original: outcome(scenario, original, None, runs, first_seed)?,
        constrained: outcome(scenario, original, Some((at, constraint)), runs, first_seed)?,
        replanned: replan
            .map(|re| outcome(scenario, re, Some((at, constraint)), runs, first_seed))
            .transpose()?,
    })
}
