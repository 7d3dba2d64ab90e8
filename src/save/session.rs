//! A run in progress, as the game plays it: the scenario, the world, the reports so
//! far, the decisions played, and the draft of this quarter's decisions that the
//! player is editing. Ending a quarter steps the core with the draft; the run can be
//! saved (its decisions), loaded (replayed), and rewound to any earlier quarter,
//! exactly, because a run is its decision log.

use super::run_file::{self, PanelChallenge, Replay, SaveFile, inject_challenge};
use crate::analysis::challenge::{Challenge, challenge, resolve};
use crate::scenario::{FileErrors, load::read_text, parse_scenario};
use crate::sim::decisions::CompanyDecisions;
use crate::sim::decisions::PartialDecisions;
use crate::sim::params::Event;
use crate::sim::score::{self, ObjectiveResult, Score};
use crate::sim::{CompanyReport, DecisionError, Decisions, QuarterReport, Scenario, World, step};
use std::path::Path;
use std::sync::Arc;

/// A run being played by one player company.
#[derive(Clone, Debug)]
pub struct Session {
    pub scenario: Arc<Scenario>,
    /// SHA-256 of the scenario file's text (saves replay only on the same file).
    pub scenario_hash: String,
    pub seed: u64,
    pub world: World,
    pub reports: Vec<QuarterReport>,
    /// The player's decisions, one per quarter played.
    pub played: Vec<CompanyDecisions>,
    /// This quarter's decisions as the player is editing them.
    pub draft: CompanyDecisions,
    pub player_idx: usize,
    /// The panel constraint drawn in this run, if any.
    pub challenge: Option<PanelChallenge>,
}

impl Session {
    /// A new run of the scenario file at `path`.
    pub fn start(path: &Path, seed: u64) -> Result<Session, FileErrors> {
        let text = read_text(path)?;
        let scenario = Arc::new(parse_scenario(path, &text)?);
        Ok(Session::new(scenario, run_file::scenario_hash(&text), seed))
    }

    /// A new run of `scenario`.
    pub fn new(scenario: Arc<Scenario>, scenario_hash: String, seed: u64) -> Session {
        let world = World::new(scenario.clone(), seed);
        let player_idx = scenario.first_player().unwrap_or(0);
        let draft = world.companies[player_idx].last_decisions.carried_over();
        Session {
            scenario,
            scenario_hash,
            seed,
            world,
            reports: Vec::new(),
            played: Vec::new(),
            draft,
            player_idx,
            challenge: None,
        }
    }

    /// Resolves the quarter with the draft. On refusal nothing changes.
    pub fn end_quarter(&mut self) -> Result<(), DecisionError> {
        let (next, report) = step(&self.world, &Decisions::solo(self.draft.clone()))?;
        self.played.push(self.draft.clone());
        self.world = next;
        self.draft = self.world.companies[self.player_idx].last_decisions.carried_over();
        self.reports.push(report);
        Ok(())
    }

    /// The last quarter's report, if any quarter has been played.
    pub fn last_report(&self) -> Option<&QuarterReport> {
        self.reports.last()
    }

    /// Whether the run has ended: all quarters played, or the company bankrupt.
    pub fn is_over(&self) -> bool {
        self.world.is_finished() || self.world.companies[self.player_idx].bankrupt
    }

    /// The player's report rows, in quarter order.
    pub fn player_rows(&self) -> Vec<&CompanyReport> {
        let name = &self.world.companies[self.player_idx].name;
        self.reports
            .iter()
            .flat_map(|r| r.companies.iter())
            .filter(|r| &r.company == name)
            .collect()
    }

    pub fn objectives(&self) -> Vec<ObjectiveResult> {
        score::objectives(&self.scenario, &self.player_rows())
    }

    pub fn score(&self) -> Score {
        score::score(&self.scenario, &self.player_rows())
    }

    /// The run as a save.
    pub fn to_save(&self, name: &str) -> SaveFile {
        SaveFile {
            version: run_file::SAVE_VERSION,
            name: name.to_string(),
            scenario: self.scenario.id.clone(),
            scenario_hash: self.scenario_hash.clone(),
            seed: self.seed,
            quarters: self.played.clone(),
            challenge: self.challenge.clone(),
        }
    }

    /// Rebuilds a run from a save, replaying its first `upto` quarters (all if `None`).
    pub fn from_save(
        save_path: &Path,
        save_text: &str,
        save: &SaveFile,
        scenario: Arc<Scenario>,
        scenario_hash: &str,
        upto: Option<usize>,
    ) -> Result<Session, FileErrors> {
        let Replay { world, reports } = run_file::replay(save_path, save_text, save, &scenario, scenario_hash, upto)?;
        let player_idx = scenario.first_player().unwrap_or(0);
        let played: Vec<_> = save.quarters.iter().take(reports.len()).cloned().collect();
        let draft = world.companies[player_idx].last_decisions.carried_over();
        Ok(Session {
            scenario,
            scenario_hash: scenario_hash.to_string(),
            seed: save.seed,
            world,
            challenge: save.challenge.clone().filter(|c| c.at <= reports.len()),
            reports,
            played,
            draft,
            player_idx,
        })
    }

    /// Goes back to the start of quarter `quarter_idx` (0 = the first), keeping the
    /// decisions before it; the quarters after are forgotten.
    /// A panel challenge drawn before that quarter is kept (and arrives again); one
    /// drawn later is forgotten with the quarters after.
    pub fn rewind(&mut self, quarter_idx: usize) {
        let keep = quarter_idx.min(self.played.len());
        let played: Vec<_> = self.played[..keep].to_vec();
        let mut fresh = Session::new(self.scenario.clone(), self.scenario_hash.clone(), self.seed);
        fresh.challenge = self.challenge.clone().filter(|c| c.at <= keep);
        for d in played {
            inject_challenge(&mut fresh.world, fresh.challenge.as_ref());
            fresh.draft = d;
            if fresh.end_quarter().is_err() {
                break;
            }
        }
        inject_challenge(&mut fresh.world, fresh.challenge.as_ref());
        *self = fresh;
    }

    /// The panel adds a constraint (named `name` in the library) from this quarter
    /// on: it arrives now, before this quarter's decisions resolve, and the plan as it
    /// stands is kept for the comparison. One challenge per run.
    pub fn draw_challenge(&mut self, name: &str, event: &Event) -> Result<(), String> {
        if self.is_over() {
            return Err("the run is over: the panel has nothing left to challenge".into());
        }
        if let Some(c) = &self.challenge {
            return Err(format!(
                "the panel already added \"{}\" in {}",
                c.event.title,
                self.scenario.quarter_at(c.at as u32)
            ));
        }
        let event = resolve(event, &self.world)?;
        let mut original = self.played.clone();
        original.push(self.draft.clone());
        let c = PanelChallenge {
            name: name.to_string(),
            at: self.played.len(),
            event,
            original,
        };
        inject_challenge(&mut self.world, Some(&c));
        self.challenge = Some(c);
        Ok(())
    }

    /// The three plans side by side on this run's seed: the plan as it stood when the
    /// panel spoke, the same plan under the constraint, and the player's re-plan (the
    /// quarters played, then this quarter's draft, held to the end).
    pub fn challenge_comparison(&self) -> Option<Result<Challenge, String>> {
        let c = self.challenge.as_ref()?;
        let original: Vec<PartialDecisions> = c.original.iter().map(PartialDecisions::from).collect();
        let mut replan: Vec<PartialDecisions> = self.played.iter().map(PartialDecisions::from).collect();
        if !self.is_over() {
            replan.push(PartialDecisions::from(&self.draft));
        }
        Some(challenge(
            &self.scenario,
            &original,
            Some(&replan),
            c.at,
            &c.event,
            1,
            self.seed,
        ))
    }
}
