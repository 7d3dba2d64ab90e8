//! The workshop session: one shared market, many teams, as a deterministic state
//! machine that does no I/O (quinn-proto's split). The server authenticates a
//! request, turns it into a [`Command`], asks [`Workshop::check`] whether it may be
//! applied, stores it in the journal with the time it was accepted, and only then
//! applies it and answers. Replaying the journal rebuilds the same state bit for bit,
//! so whatever was acknowledged survives a crash, and several server processes sharing
//! one database stay in step by applying the same entries in the same order.
//!
//! Rounds: the facilitator opens a round with a deadline; teams submit and may revise
//! until it closes; closing resolves every company in one `step` (MODEL.md "Shared
//! market": all decisions collected first, resolved in company order). A team that
//! did not submit repeats its last decisions. Decisions are checked with the core's
//! own validation when submitted; an event injected afterwards can make a submitted
//! plan impossible, and then the plan is cut to what the quarter allows
//! (`fit_to_constraints`), else the team's previous decisions are used, cut the same
//! way. The first `practice_rounds` rounds are played and then the market starts over.
//!
//! Each competition round appends a record to the hash chain (see [`super::chain`]).

use super::chain::{self, RoundRecord};
use super::market::{Variant, workshop_scenario};
use crate::analysis::challenge::fit_to_constraints;
use crate::sim::decisions::{CompanyDecisions, FieldProblem};
use crate::sim::params::Event;
use crate::sim::score::{Score, score};
use crate::sim::{CompanyReport, Decisions, QuarterReport, Scenario, World, step};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Everything fixed when a workshop is created (the journal's first entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub id: String,
    pub title: String,
    pub scenario_id: String,
    /// SHA-256 of the scenario file's text.
    pub scenario_hash: String,
    pub teams: Vec<String>,
    pub computer_seats: u32,
    pub seed: u64,
    pub variant: Variant,
    pub practice_rounds: u32,
    /// Close each round by itself at its deadline.
    pub auto_close: bool,
    /// The workshop's ed25519 public key (hex); results are signed with its secret.
    pub public_key: String,
    /// SHA-256 (hex) of the facilitator's token and of each team's join code.
    pub facilitator_token_hash: String,
    pub team_token_hashes: Vec<String>,
}

/// A change to the workshop, as journaled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Command {
    /// A team used its join code for the first time.
    Join {
        team: usize,
    },
    OpenRound {
        deadline_ms: u64,
    },
    /// A team's decisions for the open round (a later one revises it).
    Submit {
        team: usize,
        decisions: CompanyDecisions,
    },
    /// An event the facilitator adds; it arrives at the start of the next resolution.
    Inject {
        event: Event,
    },
    CloseRound,
    Pause,
    Resume,
    End,
    /// The facilitator shows the leaderboard to teams, or hides it (shown at first).
    ShowLeaderboard {
        shown: bool,
    },
}

/// A journal entry: its place in the journal, when it was accepted, and the command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub seq: u64,
    pub at_ms: u64,
    pub command: Command,
}

/// Where the workshop stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "phase")]
pub enum Phase {
    /// Created; no round open yet (or between rounds).
    Waiting,
    Open {
        deadline_ms: u64,
    },
    /// Paused; the clock stops: a round paused while open keeps the time it had left.
    Paused {
        remaining_ms: Option<u64>,
    },
    Ended,
}

/// Why a command was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum WorkshopError {
    #[error("{0}")]
    Conflict(String),
    #[error("the decisions were refused: {}", .0.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldProblem>),
    #[error("{0}")]
    BadRequest(String),
}

/// One team.
#[derive(Clone, Debug, PartialEq)]
pub struct Team {
    pub name: String,
    pub company_idx: usize,
    pub joined: bool,
    /// Decisions submitted for the open round.
    pub submitted: Option<CompanyDecisions>,
    /// Decisions played last (repeated when a round closes without a submission).
    pub last: CompanyDecisions,
    /// Submissions over the whole workshop.
    pub submissions: u32,
    /// Submissions in the open round (a client's next submission names this number).
    pub revisions: u32,
}

/// One accepted submission, for the audit trail.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at_ms: u64,
    pub round: u32,
    pub practice: bool,
    pub team: String,
    pub kind: &'static str,
    pub detail: String,
}

/// A team's place on the leaderboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub rank: u32,
    pub team: String,
    pub score: f64,
    pub profit: f64,
    pub trust: f64,
    pub users: f64,
    pub roi: f64,
    pub cap_compliance: f64,
    pub objectives: f64,
    pub net_profit: f64,
    pub bankrupt: bool,
}

/// The workshop.
#[derive(Clone, Debug)]
pub struct Workshop {
    pub setup: Setup,
    pub scenario: Arc<Scenario>,
    pub world: World,
    pub phase: Phase,
    pub teams: Vec<Team>,
    /// Rounds closed so far, practice included (1-based numbering for people).
    pub rounds_closed: u32,
    /// Reports so far: of the practice rounds while practising, then of the competition.
    pub reports: Vec<QuarterReport>,
    /// The practice rounds' reports, kept on show until the first competition round closes.
    pub practice_reports: Vec<QuarterReport>,
    /// Events injected since the last resolution.
    pub pending_events: Vec<Event>,
    pub chain: Vec<RoundRecord>,
    pub audit: Vec<AuditEntry>,
    /// Entries applied (the next entry's `seq`).
    pub next_seq: u64,
    /// Whether teams see the leaderboard and the ranks (always once the workshop ends).
    pub leaderboard_shown: bool,
}

impl Workshop {
    /// A new workshop from its setup and the scenario file it names.
    pub fn new(setup: Setup, base: &Scenario) -> Result<Workshop, WorkshopError> {
        if setup.team_token_hashes.len() != setup.teams.len() {
            return Err(WorkshopError::BadRequest("one join code per team".into()));
        }
        let scenario = Arc::new(
            workshop_scenario(base, &setup.teams, setup.computer_seats, setup.variant)
                .map_err(WorkshopError::BadRequest)?,
        );
        if setup.practice_rounds >= scenario.n_quarters {
            return Err(WorkshopError::BadRequest(format!(
                "{} practice rounds leave no quarter of this {}-quarter scenario unplayed before the market starts over: use fewer",
                setup.practice_rounds, scenario.n_quarters
            )));
        }
        let world = World::new(scenario.clone(), setup.seed);
        let teams = player_teams(&world);
        Ok(Workshop {
            setup,
            scenario,
            world,
            phase: Phase::Waiting,
            teams,
            rounds_closed: 0,
            reports: Vec::new(),
            practice_reports: Vec::new(),
            pending_events: Vec::new(),
            chain: Vec::new(),
            audit: Vec::new(),
            next_seq: 1,
            leaderboard_shown: true,
        })
    }

    /// Whether the round being played is a practice round.
    pub fn in_practice(&self) -> bool {
        self.rounds_closed < self.setup.practice_rounds
    }

    /// The round being played or next to open (1-based).
    pub fn round(&self) -> u32 {
        self.rounds_closed + 1
    }

    /// Checks `command`, arriving at `at_ms`, against the current state without
    /// changing anything.
    pub fn check(&self, command: &Command, at_ms: u64) -> Result<(), WorkshopError> {
        let conflict = |s: &str| Err(WorkshopError::Conflict(s.to_string()));
        let team = |t: usize| {
            self.teams
                .get(t)
                .ok_or_else(|| WorkshopError::BadRequest(format!("there is no team {t}")))
        };
        match command {
            _ if self.phase == Phase::Ended => conflict("the workshop has ended"),
            Command::Join { team: t } => team(*t).map(|_| ()),
            Command::OpenRound { .. } if self.world.is_finished() => {
                conflict("every quarter of the scenario has been played")
            }
            Command::OpenRound { .. } => match self.phase {
                Phase::Waiting => Ok(()),
                _ => conflict("a round is already open (or the workshop is paused)"),
            },
            Command::Submit { team: t, decisions } => {
                let team = team(*t)?;
                let Phase::Open { deadline_ms } = self.phase else {
                    return conflict("no round is open: decisions are taken only while a round is open");
                };
                if at_ms > deadline_ms {
                    return conflict("the round's deadline has passed: decisions are no longer taken");
                }
                if self.world.companies[team.company_idx].bankrupt {
                    return conflict("your company is bankrupt: it has no decisions left to make");
                }
                let problems = crate::sim::preview::problems(&self.world, team.company_idx, decisions);
                if problems.is_empty() {
                    Ok(())
                } else {
                    Err(WorkshopError::Invalid(problems))
                }
            }
            Command::Inject { event } => {
                let problems = crate::scenario::constraint::event_problems(event, "event");
                if let Some((field, message)) = problems.first() {
                    return Err(WorkshopError::BadRequest(format!("{field}: {message}")));
                }
                if let crate::sim::params::EventKind::RivalPriceCut { company, .. } = &event.kind
                    && self.teams.iter().any(|t| &t.name == company)
                {
                    return Err(WorkshopError::BadRequest(format!(
                        "\"{company}\" is a team: a price cut can be imposed only on a computer-run company (or largest-rival)"
                    )));
                }
                crate::analysis::challenge::resolve(event, &self.world)
                    .map(|_| ())
                    .map_err(WorkshopError::BadRequest)
            }
            Command::CloseRound => match self.phase {
                Phase::Open { .. } => Ok(()),
                _ => conflict("no round is open"),
            },
            Command::Pause => match self.phase {
                Phase::Open { .. } | Phase::Waiting => Ok(()),
                _ => conflict("the workshop is already paused"),
            },
            Command::Resume => match self.phase {
                Phase::Paused { .. } => Ok(()),
                _ => conflict("the workshop is not paused"),
            },
            Command::End => Ok(()),
            Command::ShowLeaderboard { shown } if *shown == self.leaderboard_shown => conflict(if *shown {
                "the leaderboard is already shown to teams"
            } else {
                "the leaderboard is already hidden from teams"
            }),
            Command::ShowLeaderboard { .. } => Ok(()),
        }
    }

    /// Applies a journal entry (checked first; a refused entry changes nothing).
    pub fn apply(&mut self, entry: &Entry) -> Result<(), WorkshopError> {
        if entry.seq != self.next_seq {
            return Err(WorkshopError::Conflict(format!(
                "journal entry {} arrived where {} was expected",
                entry.seq, self.next_seq
            )));
        }
        self.check(&entry.command, entry.at_ms)?;
        match &entry.command {
            Command::Join { team } => self.teams[*team].joined = true,
            Command::OpenRound { deadline_ms } => {
                self.phase = Phase::Open {
                    deadline_ms: *deadline_ms,
                }
            }
            Command::Submit { team, decisions } => {
                let t = &mut self.teams[*team];
                let kind = if t.submitted.is_some() {
                    "revision"
                } else {
                    "submission"
                };
                t.submitted = Some(decisions.clone());
                t.submissions += 1;
                t.revisions += 1;
                let name = t.name.clone();
                self.audit_entry(entry, name, kind, serde_json::to_string(decisions).unwrap_or_default());
            }
            Command::Inject { event } => {
                let resolved =
                    crate::analysis::challenge::resolve(event, &self.world).map_err(WorkshopError::BadRequest)?;
                self.audit_entry(entry, "facilitator".into(), "event", resolved.title.clone());
                self.pending_events.push(resolved);
            }
            Command::CloseRound => self.close_round(entry)?,
            Command::Pause => {
                let remaining_ms = match self.phase {
                    Phase::Open { deadline_ms } => Some(deadline_ms.saturating_sub(entry.at_ms)),
                    _ => None,
                };
                self.phase = Phase::Paused { remaining_ms };
            }
            Command::Resume => {
                self.phase = match self.phase {
                    Phase::Paused {
                        remaining_ms: Some(left),
                    } => Phase::Open {
                        deadline_ms: entry.at_ms.saturating_add(left),
                    },
                    _ => Phase::Waiting,
                }
            }
            Command::End => self.phase = Phase::Ended,
            Command::ShowLeaderboard { shown } => self.leaderboard_shown = *shown,
        }
        self.next_seq += 1;
        Ok(())
    }

    /// Records an entry of the open round in the audit trail.
    fn audit_entry(&mut self, entry: &Entry, team: String, kind: &'static str, detail: String) {
        let (round, practice) = (self.round(), self.in_practice());
        self.audit_round(entry, round, practice, team, kind, detail);
    }

    fn audit_round(
        &mut self,
        entry: &Entry,
        round: u32,
        practice: bool,
        team: String,
        kind: &'static str,
        detail: String,
    ) {
        self.audit.push(AuditEntry {
            seq: entry.seq,
            at_ms: entry.at_ms,
            round,
            practice,
            team,
            kind,
            detail,
        });
    }

    /// Resolves the open round: every company in one `step`.
    fn close_round(&mut self, entry: &Entry) -> Result<(), WorkshopError> {
        let events = std::mem::take(&mut self.pending_events);
        let decisions = round_decisions(&self.world, &self.teams, &events);
        let (next, report) = resolve(&self.world, &events, &decisions)
            .map_err(|e| WorkshopError::Conflict(format!("the round could not be resolved: {e}")))?;
        let practice = self.in_practice();
        let round = self.round();
        for (t, d) in self.teams.iter_mut().zip(&decisions) {
            t.last = d.clone();
            t.submitted = None;
            t.revisions = 0;
        }
        self.rounds_closed += 1;
        if practice {
            self.audit_round(
                entry,
                round,
                true,
                "facilitator".into(),
                "practice round closed",
                report.quarter.to_string(),
            );
            // Teams see the practice reports until the competition's first round closes.
            self.reports.push(report);
            if !self.in_practice() {
                // The practice is over: the market starts again from its first quarter.
                self.world = World::new(self.scenario.clone(), self.setup.seed);
                let joined: Vec<bool> = self.teams.iter().map(|t| t.joined).collect();
                self.teams = player_teams(&self.world);
                for (t, j) in self.teams.iter_mut().zip(joined) {
                    t.joined = j;
                }
                self.practice_reports = std::mem::take(&mut self.reports);
            } else {
                self.world = next;
            }
        } else {
            let prev = self.chain.last().map_or_else(chain::genesis, |r| r.hash.clone());
            let record = RoundRecord::new(
                self.chain.len() as u32 + 1,
                report.quarter,
                prev,
                &self.teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
                decisions,
                events,
                &report,
            );
            self.audit_round(
                entry,
                round,
                false,
                "facilitator".into(),
                "round closed",
                record.hash.clone(),
            );
            self.chain.push(record);
            self.reports.push(report);
            self.world = next;
        }
        self.phase =
            if self.world.is_finished() || self.teams.iter().all(|t| self.world.companies[t.company_idx].bankrupt) {
                Phase::Ended
            } else {
                Phase::Waiting
            };
        Ok(())
    }

    /// Whether the open round's deadline has passed (the server then closes it).
    pub fn is_due(&self, now_ms: u64) -> bool {
        matches!(self.phase, Phase::Open { deadline_ms } if now_ms >= deadline_ms)
    }

    /// The reports on show: the competition's, or the practice's until the first
    /// competition round closes.
    pub fn shown_reports(&self) -> &[QuarterReport] {
        if self.reports.is_empty() {
            &self.practice_reports
        } else {
            &self.reports
        }
    }

    /// A team's report rows on show (see [`Workshop::shown_reports`]).
    pub fn team_rows(&self, team: usize) -> Vec<&CompanyReport> {
        let name = &self.teams[team].name;
        self.shown_reports()
            .iter()
            .flat_map(|r| r.companies.iter())
            .filter(|r| &*r.company == name)
            .collect()
    }

    /// The leaderboard by the scenario's scorecard over the reports on show, best
    /// first (ties by name).
    pub fn leaderboard(&self) -> Vec<Standing> {
        self.leaderboard_after(self.shown_reports().len())
    }

    /// The leaderboard after the first `rounds` reports on show.
    pub fn leaderboard_after(&self, rounds: usize) -> Vec<Standing> {
        let reports = self.shown_reports();
        leaderboard(
            &self.scenario,
            &self.teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
            &reports[..rounds.min(reports.len())],
        )
    }

    /// The market the next round will resolve: the world with the events injected
    /// since the last resolution added (what closing the round steps; submissions are checked
    /// against [`Workshop::world`] alone).
    pub fn resolution_world(&self) -> World {
        with_events(&self.world, &self.pending_events)
    }

    /// The team whose join code hashes to `hash`.
    pub fn team_by_token_hash(&self, hash: &str) -> Option<usize> {
        self.setup.team_token_hashes.iter().position(|h| h == hash)
    }
}

/// The teams of a fresh world: one per player company, in company order.
fn player_teams(world: &World) -> Vec<Team> {
    world
        .companies
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_player)
        .map(|(i, c)| Team {
            name: c.name.to_string(),
            company_idx: i,
            joined: false,
            submitted: None,
            last: c.last_decisions.clone(),
            submissions: 0,
            revisions: 0,
        })
        .collect()
}

/// The world with this round's injected events in force.
fn with_events(world: &World, events: &[Event]) -> World {
    let mut w = world.clone();
    for e in events {
        w.inject(e.clone());
    }
    w
}

/// Each team's decisions for the round: its submission, else its last decisions
/// repeated; cut to what the quarter allows when an injected event made them
/// impossible, else the repeated decisions cut the same way.
fn round_decisions(world: &World, teams: &[Team], events: &[Event]) -> Vec<CompanyDecisions> {
    let w = with_events(world, events);
    teams
        .iter()
        .map(|t| {
            let mut chosen = t.submitted.clone().unwrap_or_else(|| t.last.carried_over());
            fit_to_constraints(&w, t.company_idx, &mut chosen);
            if crate::sim::preview::problems(&w, t.company_idx, &chosen).is_empty() {
                chosen
            } else {
                let mut held = t.last.carried_over();
                fit_to_constraints(&w, t.company_idx, &mut held);
                held
            }
        })
        .collect()
}

/// One round of the shared market: the injected events arrive, then one `step`.
pub fn resolve(
    world: &World,
    events: &[Event],
    decisions: &[CompanyDecisions],
) -> Result<(World, QuarterReport), crate::sim::DecisionError> {
    step(
        &with_events(world, events),
        &Decisions {
            players: decisions.to_vec(),
        },
    )
}

/// The leaderboard of `teams` from the competition's reports.
pub fn leaderboard(scenario: &Scenario, teams: &[String], reports: &[QuarterReport]) -> Vec<Standing> {
    let mut out: Vec<Standing> = teams
        .iter()
        .map(|name| {
            let rows: Vec<&CompanyReport> = reports
                .iter()
                .flat_map(|r| r.companies.iter())
                .filter(|r| &*r.company == name)
                .collect();
            let Score {
                profit,
                trust,
                users,
                roi,
                cap_compliance,
                objectives,
                total,
            } = score(scenario, &rows);
            Standing {
                rank: 0,
                team: name.clone(),
                // + 0.0 turns a −0 into 0 (no one should read "−0.0" before a round).
                score: total + 0.0,
                profit: profit + 0.0,
                trust: trust + 0.0,
                users: users + 0.0,
                roi: roi + 0.0,
                cap_compliance: cap_compliance + 0.0,
                objectives: objectives + 0.0,
                net_profit: rows.iter().map(|r| r.net_profit).sum(),
                bankrupt: rows.last().is_some_and(|r| r.bankrupt),
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.team.cmp(&b.team)));
    for (i, s) in out.iter_mut().enumerate() {
        s.rank = i as u32 + 1;
    }
    out
}
