//! The hardware margin cap, on and off, for the same decisions: the player's run
//! replayed with the scenario's cap flipped and the same seed. It answers "what did
//! the 5% pledge cost or earn me?": profit handed back as rebates against the trust
//! (and so the demand) that fair prices keep. Scenarios opt in with `cap.compare`.

use super::replay::player_rows;
use crate::sim::decisions::CompanyDecisions;
use crate::sim::score::{ObjectiveStatus, objectives, score};
use crate::sim::{CompanyReport, Scenario};
use std::sync::Arc;

/// One side of the comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct CapRun {
    pub cap_on: bool,
    pub score: f64,
    pub net_profit: f64,
    pub rebates: f64,
    pub final_trust: f64,
    pub units_sold: u64,
    /// Hardware net margin before the cap in the last quarter (trailing four quarters).
    pub margin_before_cap: f64,
    pub objectives_met: usize,
    pub objectives: usize,
}

/// The run as played, and the same decisions with the cap flipped.
#[derive(Clone, Debug, PartialEq)]
pub struct CapComparison {
    pub played: CapRun,
    pub flipped: CapRun,
}

impl CapComparison {
    /// (cap on, cap off), whichever was played.
    pub fn on_off(&self) -> (&CapRun, &CapRun) {
        if self.played.cap_on {
            (&self.played, &self.flipped)
        } else {
            (&self.flipped, &self.played)
        }
    }
}

fn summarise(scenario: &Scenario, rows: &[CompanyReport]) -> CapRun {
    let refs: Vec<&CompanyReport> = rows.iter().collect();
    let objs = objectives(scenario, &refs);
    CapRun {
        cap_on: scenario.cap.enabled,
        score: score(scenario, &refs).total,
        net_profit: rows.iter().map(|r| r.net_profit).sum(),
        rebates: rows.iter().map(|r| r.rebate).sum(),
        final_trust: rows.last().map_or(0.0, |r| r.trust),
        units_sold: rows.iter().map(|r| r.units_sold).sum(),
        margin_before_cap: rows.last().map_or(0.0, |r| r.hw_margin_before_cap),
        objectives_met: objs.iter().filter(|o| o.status == ObjectiveStatus::Met).count(),
        objectives: objs.len(),
    }
}

/// `scenario` with its cap switched on or off.
pub fn with_cap(scenario: &Scenario, on: bool) -> Scenario {
    let mut s = scenario.clone();
    s.cap.enabled = on;
    s
}

/// Compares the played decisions with the cap as the scenario has it and flipped.
/// `None` when the scenario does not offer the comparison or nothing was played.
pub fn compare_cap(scenario: &Arc<Scenario>, seed: u64, played: &[CompanyDecisions]) -> Option<CapComparison> {
    if !scenario.cap.compare || played.is_empty() {
        return None;
    }
    let flipped_scenario = Arc::new(with_cap(scenario, !scenario.cap.enabled));
    let as_played = player_rows(scenario, seed, played)?;
    let flipped = player_rows(&flipped_scenario, seed, played)?;
    Some(CapComparison {
        played: summarise(scenario, &as_played),
        flipped: summarise(&flipped_scenario, &flipped),
    })
}
