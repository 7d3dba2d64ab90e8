//! The workshop's wire messages (protocol version [`PROTOCOL_VERSION`]), kept apart
//! from the session's own types and converted explicitly, and the views the server
//! sends: the facilitator's, a team's, and the industry report every team sees. A
//! team's view holds its own company's figures and only public facts about the others
//! (prices, launches, units sold, shares, ranks) — never another company's BOM,
//! production, cash or decisions; its desk ([`TeamDesk`]) holds its own company's
//! state as the world holds it, and nothing of any other company's.
//! `docs/workshop-protocol.md` documents every message.

use super::brief::TeamGuide;
use super::market::Variant;
use super::session::{Phase, Standing, Workshop};
use crate::sim::decisions::{CompanyDecisions, FieldProblem};
use crate::sim::params::Event;
use crate::sim::world::{ActiveEvent, CompanyState};
use crate::sim::{CompanyReport, QuarterReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The first problem in a JSON body or file: where, which field, and a sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonProblem {
    pub line: usize,
    pub column: usize,
    /// The field path (`decisions.skus`), empty at the top level.
    pub field: String,
    pub message: String,
}

/// Parses JSON into `T`, naming the line, column and field of the first problem.
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonProblem> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        let field = e.path().to_string();
        // serde_json ends its message with the position, which is reported apart.
        let said = inner.to_string();
        JsonProblem {
            line: inner.line(),
            column: inner.column(),
            field: if field == "." || field == "?" {
                String::new()
            } else {
                field
            },
            message: said.split(" at line ").next().unwrap_or(&said).to_string(),
        }
    })
}

/// The protocol version this build speaks (in `/healthz` and every path: `/v1/…`).
pub const PROTOCOL_VERSION: u32 = 1;

/// `GET /healthz`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub server: String,
    pub protocol: u32,
}

/// `POST /v1/workshops` (admin token).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkshop {
    /// A scenario id in the server's scenario folder (`first-phone`).
    pub scenario: String,
    #[serde(default)]
    pub title: Option<String>,
    /// Team names, 2 to 60.
    pub teams: Vec<String>,
    /// Computer-run companies added to fill the market.
    #[serde(default)]
    pub computer_seats: u32,
    /// The market's seed (random when left out).
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub variant: Variant,
    #[serde(default)]
    pub practice_rounds: u32,
    /// Close rounds by themselves at their deadline (default true).
    #[serde(default = "yes")]
    pub auto_close: bool,
}

fn yes() -> bool {
    true
}

/// `GET /v1/library`: what the server can make workshops of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Library {
    pub scenarios: Vec<LibraryScenario>,
    pub constraints: Vec<LibraryConstraint>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LibraryScenario {
    pub id: String,
    pub title: String,
    pub quarters: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LibraryConstraint {
    pub name: String,
    pub title: String,
    pub description: String,
}

/// A team's join code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamCode {
    pub team: String,
    pub code: String,
}

/// The answer to a creation: keep the tokens; they are never shown again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub id: String,
    pub facilitator_token: String,
    pub teams: Vec<TeamCode>,
    /// The ed25519 key the results will be signed with (for `thin-margin verify --public-key`).
    pub public_key: String,
}

/// `POST /v1/workshops/{id}/rounds`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenRound {
    /// Seconds from now until the round closes.
    pub deadline_secs: u64,
}

/// `POST /v1/workshops/{id}/leaderboard`: show the leaderboard to teams, or hide it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShowLeaderboard {
    pub shown: bool,
}

/// `POST /v1/workshops/{id}/events`: a library constraint by name, or an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectEvent {
    #[serde(default)]
    pub constraint: Option<String>,
    #[serde(default)]
    pub event: Option<Event>,
}

/// `POST /v1/team/decisions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitDecisions {
    /// The round the decisions are for (a closed round is refused).
    pub round: u32,
    /// How many times the team has already submitted in this round (0 for the
    /// first): a replayed or stale request is refused.
    pub revision: u32,
    pub decisions: CompanyDecisions,
}

/// The answer to a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submitted {
    pub round: u32,
    pub revision: u32,
    pub received_at_ms: u64,
}

/// Every error: a code, a sentence, and the fields at fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl From<&FieldProblem> for Problem {
    fn from(p: &FieldProblem) -> Problem {
        Problem {
            field: p.field.clone(),
            message: p.message.clone(),
        }
    }
}

/// Where the workshop stands, for everyone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub id: String,
    pub title: String,
    pub scenario: String,
    #[serde(flatten)]
    pub phase: Phase,
    /// The round open or next to open (1-based, practice rounds included).
    pub round: u32,
    pub practice: bool,
    /// The quarter the round decides.
    pub quarter: String,
    pub now_ms: u64,
    /// Journal entries so far (grows with every change).
    pub seq: u64,
}

/// One team, as the facilitator sees it (who has submitted, never what).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamStatus {
    pub team: String,
    pub joined: bool,
    pub submitted: bool,
    pub revisions: u32,
    pub bankrupt: bool,
}

/// `GET /v1/workshops/{id}` (facilitator).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FacilitatorView {
    #[serde(flatten)]
    pub status: Status,
    pub variant: Variant,
    pub seed: u64,
    pub computer_seats: u32,
    pub practice_rounds: u32,
    pub auto_close: bool,
    pub public_key: String,
    pub teams: Vec<TeamStatus>,
    /// Titles of events injected for the next resolution.
    pub pending_events: Vec<String>,
    /// Every component of every team's score.
    pub leaderboard: Vec<Standing>,
    /// Whether teams see the leaderboard and ranks (`POST …/leaderboard`).
    #[serde(default = "yes")]
    pub leaderboard_shown: bool,
}

/// One product as the market sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicSku {
    pub id: String,
    pub segment: String,
    pub status: String,
    pub price: f64,
    pub units_sold: u64,
}

/// One company in the industry report: public facts only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicCompany {
    pub company: String,
    /// `team` or `computer`.
    pub kind: String,
    /// Rank on the leaderboard (teams only).
    pub rank: Option<u32>,
    pub share_by_segment: BTreeMap<Arc<str>, f64>,
    pub launches: Vec<String>,
    pub skus: Vec<PublicSku>,
}

/// The newspaper every team reads after a round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndustryReport {
    pub round: u32,
    pub quarter: String,
    pub events: Vec<String>,
    pub companies: Vec<PublicCompany>,
}

/// A team's place, as other teams see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicStanding {
    pub rank: u32,
    pub team: String,
    pub score: f64,
}

/// `GET /v1/team`: the team's own state and reports, and what is public.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    #[serde(flatten)]
    pub status: Status,
    pub team: String,
    pub cash: f64,
    pub trust: f64,
    pub bankrupt: bool,
    /// This team's own report rows, in quarter order.
    pub reports: Vec<CompanyReport>,
    /// The decisions submitted for the open round, if any, and how many times.
    pub submitted: Option<CompanyDecisions>,
    pub revision: u32,
    /// The decisions played last (repeated if the team does not submit).
    pub last: CompanyDecisions,
    pub industry: Vec<IndustryReport>,
    /// Empty, and no ranks in the industry report, while the facilitator keeps the
    /// leaderboard hidden (`leaderboard_shown: false`); always shown once it has ended.
    pub leaderboard: Vec<PublicStanding>,
    #[serde(default = "yes")]
    pub leaderboard_shown: bool,
}

/// The status line of a workshop.
pub fn status(w: &Workshop, now_ms: u64) -> Status {
    Status {
        id: w.setup.id.clone(),
        title: w.setup.title.clone(),
        scenario: w.setup.scenario_id.clone(),
        phase: w.phase.clone(),
        round: w.round(),
        practice: w.in_practice(),
        quarter: w.world.quarter().to_string(),
        now_ms,
        seq: w.next_seq - 1,
    }
}

/// The facilitator's view.
pub fn facilitator_view(w: &Workshop, now_ms: u64) -> FacilitatorView {
    FacilitatorView {
        status: status(w, now_ms),
        variant: w.setup.variant,
        seed: w.setup.seed,
        computer_seats: w.setup.computer_seats,
        practice_rounds: w.setup.practice_rounds,
        auto_close: w.setup.auto_close,
        public_key: w.setup.public_key.clone(),
        teams: w
            .teams
            .iter()
            .map(|t| TeamStatus {
                team: t.name.clone(),
                joined: t.joined,
                submitted: t.submitted.is_some(),
                revisions: t.revisions,
                bankrupt: w.world.companies[t.company_idx].bankrupt,
            })
            .collect(),
        pending_events: w.pending_events.iter().map(|e| e.title.clone()).collect(),
        leaderboard: w.leaderboard(),
        leaderboard_shown: w.leaderboard_shown,
    }
}

/// The industry report of each round so far.
/// Each report carries the ranks as they stood after its round.
pub fn industry(w: &Workshop) -> Vec<IndustryReport> {
    let reports = w.shown_reports();
    reports
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let ranks: BTreeMap<String, u32> = w
                .leaderboard_after(i + 1)
                .into_iter()
                .map(|s| (s.team, s.rank))
                .collect();
            industry_report(i as u32 + 1, r, i.checked_sub(1).map(|p| &reports[p]), &ranks)
        })
        .collect()
}

/// Whether `company` had `sku` on sale in `report`.
fn was_on_sale(report: Option<&QuarterReport>, company: &str, sku: &str) -> bool {
    report
        .and_then(|r| r.company(company))
        .is_some_and(|c| c.skus.iter().any(|s| &*s.id == sku && s.status == "active"))
}

/// Products in development are not public until they reach the shelves; a launch is
/// a product on sale this round that was not the round before.
fn industry_report(
    round: u32,
    r: &QuarterReport,
    before: Option<&QuarterReport>,
    ranks: &BTreeMap<String, u32>,
) -> IndustryReport {
    IndustryReport {
        round,
        quarter: r.quarter.to_string(),
        events: r.events.clone(),
        companies: r
            .companies
            .iter()
            .map(|c| PublicCompany {
                company: c.company.to_string(),
                kind: if c.is_player { "team" } else { "computer" }.into(),
                rank: ranks.get(&*c.company).copied(),
                share_by_segment: c.share_by_segment.clone(),
                launches: c
                    .skus
                    .iter()
                    .filter(|s| s.status == "active" && before.is_some() && !was_on_sale(before, &c.company, &s.id))
                    .map(|s| s.id.to_string())
                    .collect(),
                skus: c
                    .skus
                    .iter()
                    .filter(|s| s.status != "development")
                    .map(|s| PublicSku {
                        id: s.id.to_string(),
                        segment: s.segment.to_string(),
                        status: s.status.clone(),
                        price: s.price,
                        units_sold: s.units_sold,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A team's view.
pub fn team_view(w: &Workshop, team: usize, now_ms: u64) -> TeamView {
    let t = &w.teams[team];
    let company = &w.world.companies[t.company_idx];
    let shown = w.leaderboard_shown || w.phase == Phase::Ended;
    let mut industry = industry(w);
    if !shown {
        for c in industry.iter_mut().flat_map(|r| r.companies.iter_mut()) {
            c.rank = None;
        }
    }
    TeamView {
        status: status(w, now_ms),
        team: t.name.clone(),
        cash: company.cash,
        trust: company.trust,
        bankrupt: company.bankrupt,
        reports: w.team_rows(team).into_iter().cloned().collect(),
        submitted: t.submitted.clone(),
        revision: t.revisions,
        last: t.last.clone(),
        industry,
        leaderboard: if shown {
            w.leaderboard()
                .into_iter()
                .map(|s| PublicStanding {
                    rank: s.rank,
                    team: s.team,
                    score: s.score,
                })
                .collect()
        } else {
            Vec::new()
        },
        leaderboard_shown: shown,
    }
}

/// `GET /v1/team/desk`: the team's own company as the world holds it, and what the
/// game needs to preview decisions exactly as the server will resolve them
/// (`workshop::desk::team_world` builds a one-company world from it). It never holds
/// another company's state, nor the market's size (which would give the unannounced
/// macro variant away).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamDesk {
    /// The base scenario file's text, as stored with the workshop.
    pub scenario_text: String,
    /// This team's company only.
    pub company: CompanyState,
    /// Quarters resolved so far in the market (the next round resolves this one).
    pub quarter_idx: u32,
    /// The lasting events in force.
    pub active_events: Vec<ActiveEvent>,
    /// Events injected so far, by the quarter they arrive in, including those pending
    /// for the next resolution (at `quarter_idx`). The server checks a submission
    /// against the market without the pending ones and fits plans to them when the
    /// round closes, so a preview with them shows what will actually be played.
    pub injected: Vec<(u32, Event)>,
    /// Performance multiplier for products launched from now on.
    pub chipset_perf: f64,
}

/// A team's desk: its own company, the events in force and injected (pending ones
/// included), and the scenario text the workshop was created from.
pub fn team_desk(w: &Workshop, scenario_text: &str, team: usize) -> TeamDesk {
    let world = w.resolution_world();
    TeamDesk {
        scenario_text: scenario_text.to_string(),
        company: world.companies[w.teams[team].company_idx].clone(),
        quarter_idx: world.quarter_idx,
        active_events: world.active_events.clone(),
        injected: world.injected.clone(),
        chipset_perf: world.chipset_perf,
    }
}

/// `GET /v1/workshops/{id}/series`: the numbers behind the facilitator's charts, per
/// team over the rounds on show (every team; the SVG charts draw the eight with the
/// highest last value). Every vector has one value per quarter. A value a report does
/// not have (a team missing from a round's report, which `step` never does) is 0,
/// never NaN, so the JSON always parses; cumulative profit then carries on unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The quarters of the rounds on show (`2011Q3`).
    pub quarters: Vec<String>,
    /// In the teams' own order.
    pub teams: Vec<TeamSeries>,
}

/// One team's lines in [`Series`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamSeries {
    pub team: String,
    /// The score (0..100) on the leaderboard after each round.
    pub score: Vec<f64>,
    /// Cumulative net profit, in the scenario's currency (¥).
    pub profit: Vec<f64>,
    /// Share of all units sold in the market, 0..1.
    pub share: Vec<f64>,
    pub trust: Vec<f64>,
}

/// The series behind the facilitator's charts (see [`Series`]).
pub fn series(w: &Workshop) -> Series {
    let reports = w.shown_reports();
    let boards: Vec<Vec<Standing>> = (1..=reports.len()).map(|n| w.leaderboard_after(n)).collect();
    let teams = w
        .teams
        .iter()
        .map(|t| {
            let rows: Vec<Option<&CompanyReport>> = reports.iter().map(|r| r.company(&t.name)).collect();
            TeamSeries {
                team: t.name.clone(),
                score: boards
                    .iter()
                    .map(|b| b.iter().find(|s| s.team == t.name).map_or(0.0, |s| s.score))
                    .collect(),
                profit: rows
                    .iter()
                    .scan(0.0, |sum, r| {
                        *sum += r.map_or(0.0, |r| r.net_profit);
                        Some(*sum)
                    })
                    .collect(),
                share: reports
                    .iter()
                    .zip(&rows)
                    .map(|(r, row)| {
                        let total: u64 = r.companies.iter().map(|c| c.units_sold).sum();
                        row.map_or(0.0, |c| c.units_sold as f64 / total.max(1) as f64)
                    })
                    .collect(),
                trust: rows.iter().map(|r| r.map_or(0.0, |r| r.trust)).collect(),
            }
        })
        .collect();
    Series {
        quarters: reports.iter().map(|r| r.quarter.to_string()).collect(),
        teams,
    }
}

/// `GET /v1/team/debrief`, once the workshop has ended: the team's own standing with
/// every component of its score, how many teams played, and its page of the
/// discussion guide (its three most consequential decisions, or fewer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamDebrief {
    /// The team's own row of the leaderboard.
    pub standing: Standing,
    pub teams: u32,
    pub guide: TeamGuide,
}

/// A team's debrief, or `None` before the workshop has ended.
pub fn team_debrief(w: &Workshop, team: usize) -> Option<TeamDebrief> {
    if w.phase != Phase::Ended {
        return None;
    }
    let name = &w.teams.get(team)?.name;
    let standing = w.leaderboard().into_iter().find(|s| &s.team == name)?;
    Some(TeamDebrief {
        standing,
        teams: w.teams.len() as u32,
        guide: super::brief::team_guide(w, team)?,
    })
}
