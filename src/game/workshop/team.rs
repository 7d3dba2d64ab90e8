//! A team's seat in a workshop, as the game holds it: the latest view the server sent,
//! the team's own company as a local [`Session`] (so the solo decision controls and
//! preview show it, with the core's own validation), the draft being edited, and the
//! countdown. The server resolves the rounds; nothing here simulates a quarter.
//!
//! The draft survives everything but a new round: a refreshed desk, a lost connection
//! and a reconnect keep what the player typed, and it is also kept on disk (at most once
//! a second) so a game closed mid-round finds it again when the team rejoins.

use super::link::{Command, Link, Reply, Role};
use crate::save::session::Session;
use crate::sim::CompanyReport;
use crate::sim::decisions::{CompanyDecisions, FieldProblem};
use crate::workshop::client::Client;
use crate::workshop::desk::team_world;
use crate::workshop::protocol::{SubmitDecisions, TeamDebrief, TeamView};
use crate::workshop::session::Phase;
use bevy::prelude::*;
use std::path::{Path, PathBuf};
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
    /// The last thing the server said about a command (`true`: a problem).
    pub message: Option<(String, bool)>,
    /// A problem building the local preview from the server's desk.
    pub desk_problem: Option<String>,
    /// Rounds already shown to the player (a new one opens its report).
    pub rounds_seen: usize,
    /// Where the draft is kept between runs of the game (`None`: not kept, as in scripted runs).
    draft_file: Option<PathBuf>,
    /// What was last written there, and when.
    draft_saved: Option<(u32, CompanyDecisions, Instant)>,
}

/// A draft on disk: the round it is for and the decisions.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedDraft {
    round: u32,
    decisions: CompanyDecisions,
}

impl TeamSeat {
    /// Joins the workshop at `url` with a team's code (the server is asked straight away).
    pub fn join(url: &str, code: &str, drafts: Option<&Path>) -> Result<TeamSeat, String> {
        let code = code.trim().to_string();
        if code.is_empty() {
            return Err("Enter the join code your facilitator gave your team.".into());
        }
        let client = Client::new(url).map_err(|e| e.to_string())?;
        // One call now, so a wrong code or address is said on the join screen.
        let view = client.team_view(&code).map_err(|e| e.to_string())?;
        let link = Link::start(client, Role::Team { code: code.clone() });
        // One file per workshop and team, named without the code itself.
        let draft_file = drafts.map(|dir| {
            use sha2::Digest;
            let key = sha2::Sha256::digest(code.as_bytes());
            let key: String = key.iter().take(8).map(|b| format!("{b:02x}")).collect();
            dir.join(format!("{}-{key}.json", view.status.id))
        });
        Ok(TeamSeat {
            draft_file,
            draft_saved: None,
            link,
            code,
            rounds_seen: view.reports.len(),
            view: Some(view),
            received: Instant::now(),
            session: None,
            draft_round: None,
            debrief: None,
            offline: None,
            message: None,
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
                Reply::Done(text) => self.message = Some((text, false)),
                Reply::Failed { what, error } => self.message = Some((format!("{what}: {error}"), true)),
                Reply::Connection(why) => self.offline = why,
                Reply::Facilitator(_) => {}
            }
        }
        new_results
    }

    /// Puts the team's company in front of the player; the draft stays while the round does.
    fn take_world(&mut self, world: crate::sim::world::World, view: &TeamView) {
        self.desk_problem = None;
        let round = view.status.round;
        let keep = self.draft_round == Some(round) && self.session.is_some();
        // Just joined: a draft kept on disk for this round comes back.
        let kept = if self.session.is_none() {
            self.kept_draft(round)
        } else {
            None
        };
        let draft = match (&self.session, keep, kept) {
            (Some(s), true, _) => s.draft.clone(),
            (_, _, Some(kept)) => kept,
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

    /// The draft kept on disk for `round`, if any.
    fn kept_draft(&self, round: u32) -> Option<CompanyDecisions> {
        let text = std::fs::read_to_string(self.draft_file.as_ref()?).ok()?;
        let saved: SavedDraft = serde_json::from_str(&text).ok()?;
        (saved.round == round).then_some(saved.decisions)
    }

    /// Writes the draft to disk when it changed (at most once a second); a failure only
    /// means the draft is not kept across a restart.
    pub fn keep_draft(&mut self) {
        let (Some(path), Some(s), Some(round)) = (&self.draft_file, &self.session, self.draft_round) else {
            return;
        };
        let unchanged = self
            .draft_saved
            .as_ref()
            .is_some_and(|(r, d, at)| (*r == round && *d == s.draft) || at.elapsed().as_secs_f64() < 1.0);
        if unchanged {
            return;
        }
        let saved = SavedDraft {
            round,
            decisions: s.draft.clone(),
        };
        if let Ok(text) = serde_json::to_string(&saved) {
            let _ = path.parent().map(std::fs::create_dir_all);
            let _ = std::fs::write(path, text);
        }
        self.draft_saved = Some((round, s.draft.clone(), Instant::now()));
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
