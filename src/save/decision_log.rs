//! The decision-log format (RON, `version: 1`): a scenario id, an optional seed, and
//! per quarter only the decisions that change (the rest carries over; see
//! `sim::decisions`). Used by `simulate --decisions`, `check`, and later by saves
//! and sweeps. SKUs are addressed by id, so a decision reads `quarters[0].skus.flagship.price`.

use crate::scenario::FileErrors;
use crate::scenario::load::{locate_problems, parse_ron, read_text};
use crate::sim::decisions::PartialDecisions;
use crate::sim::params::Scenario;
use crate::sim::strategies::{LogPolicy, Policy};
use crate::sim::{Decisions, World, step};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// The version of the decision-log format this build reads and writes.
pub const DECISION_LOG_VERSION: u32 = 1;

/// A decision log as written in a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "DecisionLog", deny_unknown_fields)]
pub struct DecisionLog {
    pub version: u32,
    /// Id of the scenario the log plays.
    pub scenario: String,
    /// Seed to play with when the command line names none.
    #[serde(default)]
    pub seed: Option<u64>,
    /// One entry per quarter, from the scenario's first.
    pub quarters: Vec<PartialDecisions>,
}

impl DecisionLog {
    /// A policy replaying this log.
    pub fn policy(&self) -> LogPolicy {
        LogPolicy::new(self.quarters.clone())
    }
}

/// Reads a decision log and checks its format (not yet its fit to a scenario).
pub fn load_decision_log(path: &Path) -> Result<(DecisionLog, String), FileErrors> {
    let text = read_text(path)?;
    let log = parse_decision_log(path, &text)?;
    Ok((log, text))
}

/// Parses decision-log text and checks its version; `path` labels the errors.
pub fn parse_decision_log(path: &Path, text: &str) -> Result<DecisionLog, FileErrors> {
    let log: DecisionLog = parse_ron(path, text)?;
    if log.version != DECISION_LOG_VERSION {
        return Err(locate_problems(
            path,
            text,
            vec![(
                "version".into(),
                format!(
                    "this build reads decision-log version {DECISION_LOG_VERSION}, found {}",
                    log.version
                ),
            )],
        ));
    }
    Ok(log)
}

/// Checks that `log` fits `scenario`: same id, no more quarters than the scenario,
/// and every quarter's decisions accepted by the model (played with the log's seed,
/// or 0). Problems point at the quarter and field in the file.
pub fn check_against(path: &Path, text: &str, log: &DecisionLog, scenario: &Arc<Scenario>) -> Result<(), FileErrors> {
    let mut problems = Vec::new();
    if log.scenario != scenario.id {
        problems.push((
            "scenario".to_string(),
            format!("this log is for scenario \"{}\", not \"{}\"", log.scenario, scenario.id),
        ));
    }
    if log.quarters.len() > scenario.n_quarters as usize {
        problems.push((
            format!("quarters[{}]", scenario.n_quarters),
            format!(
                "scenario \"{}\" has {} quarters, the log has {}",
                scenario.id,
                scenario.n_quarters,
                log.quarters.len()
            ),
        ));
    }
    if problems.is_empty() {
        let mut policy = log.policy();
        let mut world = World::new(scenario.clone(), log.seed.unwrap_or(0));
        let Some(player) = scenario.first_player() else {
            return Err(FileErrors::whole_file(path, "the scenario has no player company"));
        };
        while (world.quarter_idx as usize) < log.quarters.len() {
            if world.companies[player].bankrupt {
                break;
            }
            let d = policy.decide(&world, player);
            match step(&world, &Decisions::solo(d)) {
                Ok((next, _)) => world = next,
                Err(e) => {
                    for p in &e.problems {
                        problems.push((
                            format!("quarters[{}].{}", world.quarter_idx, p.entry_path()),
                            p.message.clone(),
                        ));
                    }
                    break;
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(locate_problems(path, text, problems))
    }
}

/// A located error for a log whose scenario cannot be found.
pub fn missing_scenario(path: &Path, text: &str, id: &str, looked_in: &str) -> FileErrors {
    locate_problems(
        path,
        text,
        vec![(
            "scenario".into(),
            format!("no scenario with id \"{id}\" found (looked in {looked_in})"),
        )],
    )
}
