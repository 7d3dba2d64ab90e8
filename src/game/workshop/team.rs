//! A team's seat in a workshop, as the game holds it: the latest view the server sent,
//! the team's own company as a local [`Session`] (so the solo decision controls and
//! preview show it, with the core's own validation), the draft being edited, and the
//! countdown. The server resolves the rounds; nothing here simulates a quarter.
//!
//! The draft survives everything but a new round: a refreshed desk, a lost connection
//! and a reconnect keep what the player typed.

use super::link::{Command, Link, Reply, Role};
use crate::save::session::Session;
use crate::sim::CompanyReport;
use crate::sim::decisions::{CompanyDecisions, FieldProblem};
use crate::workshop::client::Client;
use crate::workshop::desk::team_world;
use crate::workshop::protocol::{SubmitDecisions, TeamDebrief, TeamView};
use crate::workshop::session::Phase;
use bevy::prelude::*;
use std::time::Instant;

/// Where a team's submission stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Submission {
    /// No round open.
    Closed,
    /// Open, nothing submitted yet: the last decisions would be repeated.
    NotYet,
    /// Submitted (`revisions` times), and the draft is what was submitted.
    Submitted { revisions: u32 },
    /// Submitted, then changed here since: the change is not sent yet.
    Changed { revisions: u32 },
}

/// The game's seat at a workshop.
#[derive(Resource)]
pub struct TeamSeat {
    pub link: Link,
    pub code: String,
    pub view: Option<TeamView>,
    /// When the view arrived (the countdown runs on from its `now_ms`).
    pub received: Instant,
    /// The team's company, previewed locally.
    pub session: Option<Session>,
    /// The round the draft belongs to.
    pub draft_round: Option<u32>,
    pub debrief: Option<TeamDebrief>,
    /// Why the server cannot be reached, while it cannot.
    pub offline: Option<String>,
    /// The last messages for the player (newest last).
    pub messages: Vec<(String, bool)>,
    /// A problem building the local preview from the server's desk.
    pub desk_problem: Option<String>,
    /// Rounds already shown to the player (a new one opens its report).
    pub rounds_seen: usize,
}

impl TeamSeat {
    /// Joins the workshop at `url` with a team's code (the server is asked straight away).
    pub fn join(url: &str, code: &str) -> Result<TeamSeat, String> {
        let code = code.trim().to_string();
        if code.is_empty() {
            return Err("Enter the join code your facilitator gave your team.".into());
        }
        let client = Client::new(url).map_err(|e| e.to_string())?;
        // One call now, so a wrong code or address is said on the join screen.
        let view = client.team_view(&code).map_err(|e| e.to_string())?;
        let link = Link::start(client, Role::Team { code: code.clone() });
        Ok(TeamSeat {
            link,
            code,
            rounds_seen: view.reports.len(),
            view: Some(view),
            received: Instant::now(),
            session: None,
            draft_round: None,
            debrief: None,
            offline: None,
            messages: Vec::new(),
            desk_problem: None,
        })
    }

    /// Takes in what the worker sent; true when a new round's results arrived.
    pub fn receive(&mut self) -> bool {
        let mut new_results = false;
        for reply in self.link.drain() {
            match reply {
                Reply::Team(news) => {
                    if let Some(desk) = &news.desk {
                        match team_world(desk) {
                            Ok(world) => self.take_world(world, &news.view),
                            Err(e) => self.desk_problem = Some(e),
                        }
                    }
                    if news.debrief.is_some() {
                        self.debrief = news.debrief;
                    }
                    if news.view.reports.len() > self.rounds_seen {
                        self.rounds_seen = news.view.reports.len();
                        new_results = true;
                    }
                    self.view = Some(news.view);
                    self.received = Instant::now();
                }
                Reply::Done(text) => self.say(text, false),
                Reply::Failed { what, error } => self.say(format!("{what}: {error}"), true),
                Reply::Connection(why) => self.offline = why,
                Reply::Facilitator(_) => {}
            }
        }
        new_results
    }

    fn say(&mut self, text: String, problem: bool) {
        self.messages.push((text, problem));
        if self.messages.len() > 5 {
            self.messages.remove(0);
        }
    }

    /// Puts the team's company in front of the player; the draft stays while the round does.
    fn take_world(&mut self, world: crate::sim::world::World, view: &TeamView) {
        self.desk_problem = None;
        let round = view.status.round;
        let keep = self.draft_round == Some(round) && self.session.is_some();
        let draft = match (&self.session, keep) {
            (Some(s), true) => s.draft.clone(),
            _ => view
                .submitted
                .clone()
                .unwrap_or_else(|| world.companies[0].last_decisions.carried_over()),
        };
        self.draft_round = Some(round);
        self.session = Some(Session {
            scenario: world.scenario.clone(),
            scenario_hash: String::new(),
            seed: 0,
            world,
            reports: Vec::new(),
            played: Vec::new(),
            draft,
            player_idx: 0,
            challenge: None,
        });
    }

    /// Milliseconds left in the open round (or frozen in a pause), if any.
    pub fn remaining_ms(&self) -> Option<u64> {
        remaining_ms(
            self.view.as_ref()?.status.phase.clone(),
            self.view.as_ref()?.status.now_ms,
            self.received,
        )
    }

    pub fn submission(&self) -> Submission {
        let Some(view) = &self.view else {
            return Submission::Closed;
        };
        if !matches!(
            view.status.phase,
            Phase::Open { .. } | Phase::Paused { remaining_ms: Some(_) }
        ) {
            return Submission::Closed;
        }
        match (&view.submitted, &self.session) {
            (None, _) => Submission::NotYet,
            (Some(sent), Some(s)) if *sent != s.draft => Submission::Changed {
                revisions: view.revision,
            },
            (Some(_), _) => Submission::Submitted {
                revisions: view.revision,
            },
        }
    }

    /// The core's objections to the draft (the same the server would make).
    pub fn problems(&self) -> Vec<FieldProblem> {
        match &self.session {
            Some(s) => crate::sim::preview::problems(&s.world, s.player_idx, &s.draft),
            None => Vec::new(),
        }
    }

    /// Sends the draft for the open round (a revision if already submitted).
    pub fn submit(&mut self) {
        let (Some(view), Some(s)) = (&self.view, &self.session) else {
            return;
        };
        let decisions: CompanyDecisions = s.draft.clone();
        self.link.send(Command::Submit(SubmitDecisions {
            round: view.status.round,
            revision: view.revision,
            decisions,
        }));
    }

    /// The team's own report rows, oldest first.
    pub fn rows(&self) -> Vec<&CompanyReport> {
        self.view.as_ref().map_or(Vec::new(), |v| v.reports.iter().collect())
    }
}

/// Milliseconds left on a round's clock: a running round counts down from the server's
/// time when the view was sent; a paused one keeps what it had.
pub fn remaining_ms(phase: Phase, server_now_ms: u64, received: Instant) -> Option<u64> {
    match phase {
        Phase::Open { deadline_ms } => {
            let now = server_now_ms + received.elapsed().as_millis() as u64;
            Some(deadline_ms.saturating_sub(now))
        }
        Phase::Paused { remaining_ms } => remaining_ms,
        _ => None,
    }
}

/// `4:05` for a clock.
pub fn clock(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    format!("{}:{:02}", s / 60, s % 60)
}
