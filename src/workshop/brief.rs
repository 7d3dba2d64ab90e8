//! The round brief a facilitator reads out after a round: what happened in the market
//! (the quarter, the events that arrived, units sold and the average price against the
//! round before), who moved share and why (the biggest gain and the biggest loss of
//! share of units among the teams, each explained by the levers that round: its price
//! against the market's, its marketing budgets, whether it sold out, its trust), and one
//! question to put to the class, chosen from what happened. Built from the round's
//! reports (the facilitator's view; teams never see it).
//!
//! After the last round, the discussion guide: each team's three most consequential
//! decisions, measured the way the solo debrief measures them (`report::key_decisions`),
//! in the shared market replayed from the hash chain.

use super::session::Workshop;
use crate::report::format::money;
use crate::sim::{CompanyReport, QuarterReport};
use serde::{Deserialize, Serialize};

/// One team's move in a round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mover {
    pub team: String,
    /// Share of all units sold in the market, this round and the round before.
    pub share: f64,
    pub share_before: f64,
    /// Why, in a sentence built from the team's levers.
    pub why: String,
}

/// The brief of one round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundBrief {
    pub round: u32,
    pub quarter: String,
    pub what_happened: Vec<String>,
    pub gainer: Option<Mover>,
    pub loser: Option<Mover>,
    pub question: String,
}

fn units(r: &QuarterReport) -> u64 {
    r.companies.iter().map(|c| c.units_sold).sum()
}

/// Mean price of the units sold (revenue / units), 0 when nothing sold.
fn avg_price(rows: &[&CompanyReport]) -> f64 {
    let (revenue, sold): (f64, u64) = rows.iter().flat_map(|c| c.skus.iter()).fold((0.0, 0), |(r, u), s| {
        (r + s.price * s.units_sold as f64, u + s.units_sold)
    });
    if sold == 0 { 0.0 } else { revenue / sold as f64 }
}

fn share(r: &QuarterReport, name: &str) -> f64 {
    let total = units(r).max(1) as f64;
    r.company(name).map_or(0.0, |c| c.units_sold as f64 / total)
}

/// The brief of round `round` (1-based, of the reports on show), or `None` before it.
pub fn round_brief(w: &Workshop, round: usize) -> Option<RoundBrief> {
    let reports = w.shown_reports();
    let now = reports.get(round.checked_sub(1)?)?;
    let before = round.checked_sub(2).and_then(|i| reports.get(i));
    let all: Vec<&CompanyReport> = now.companies.iter().collect();
    let price_now = avg_price(&all);
    let mut what = vec![format!(
        "{}: the market sold {} units at an average of {}{}.",
        now.quarter,
        crate::report::format::thousands(units(now)),
        money("CNY", price_now),
        match before {
            Some(b) => {
                let (u0, p0) = (units(b) as f64, avg_price(&b.companies.iter().collect::<Vec<_>>()));
                format!(
                    " ({:+.0}% units, {:+.1}% price on {})",
                    100.0 * (units(now) as f64 / u0.max(1.0) - 1.0),
                    100.0 * (price_now / p0.max(1e-9) - 1.0),
                    b.quarter
                )
            }
            None => String::new(),
        }
    )];
    if now.events.is_empty() {
        what.push("No market event this round.".into());
    } else {
        what.push(format!("Events: {}.", now.events.join("; ")));
    }
    let movers: Vec<Mover> = w
        .teams
        .iter()
        .filter_map(|t| {
            let c = now.company(&t.name)?;
            let share_before = before.map_or(0.0, |b| share(b, &t.name));
            let team_price = avg_price(&[c]);
            let sold_out = c.units_sold > 0 && c.inventory_closing == 0 && c.demand > c.units_sold;
            let mut reasons = vec![format!(
                "priced at {} against the market's {}",
                money("CNY", team_price),
                money("CNY", price_now)
            )];
            reasons.push(format!(
                "spent {} on operations (marketing, R&D, stores, channels)",
                money("CNY", c.hardware_opex)
            ));
            if sold_out {
                reasons.push(format!(
                    "sold out (demand {} for {} sold)",
                    crate::report::format::thousands(c.demand),
                    crate::report::format::thousands(c.units_sold)
                ));
            }
            reasons.push(format!("trust {:.2}", c.trust));
            Some(Mover {
                team: t.name.clone(),
                share: share(now, &t.name),
                share_before,
                why: reasons.join(", "),
            })
        })
        .collect();
    let change = |m: &Mover| m.share - m.share_before;
    if before.is_none() {
        // The first round has nothing to move from: say where the teams stand.
        let mut standing = movers.clone();
        standing.sort_by(|a, b| b.share.total_cmp(&a.share).then_with(|| a.team.cmp(&b.team)));
        what.push(format!(
            "Teams' shares of units sold: {}.",
            standing
                .iter()
                .map(|m| format!("{} {:.1}%", m.team, 100.0 * m.share))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let question = if now.events.is_empty() {
            "Every team started from the same company: whose first move would you copy, and what would you change next round?".to_string()
        } else {
            format!(
                "The market met \"{}\" in the very first round: who planned for it, and how?",
                now.events[0]
            )
        };
        return Some(RoundBrief {
            round: round as u32,
            quarter: now.quarter.to_string(),
            what_happened: what,
            gainer: None,
            loser: None,
            question,
        });
    }
    let gainer = movers
        .iter()
        .max_by(|a, b| change(a).total_cmp(&change(b)).then_with(|| b.team.cmp(&a.team)))
        .cloned();
    let loser = movers
        .iter()
        .min_by(|a, b| change(a).total_cmp(&change(b)).then_with(|| a.team.cmp(&b.team)))
        .cloned()
        .filter(|l| {
            gainer
                .as_ref()
                .is_none_or(|g| g.team != l.team && change(g) > change(l))
        });
    let question = match (&gainer, &now.events.is_empty()) {
        (_, false) => format!(
            "The market met \"{}\" this round: who changed their plan because of it, and did it pay?",
            now.events[0]
        ),
        (Some(g), _) if change(g) > 0.005 => format!(
            "{} gained {:.1} points of share: comparing its gross margin and retail ROI with the others', was the margin it gave up (or the money it spent) worth it?",
            g.team,
            100.0 * change(g)
        ),
        _ => "Shares barely moved: what would it take to break away — price, channels, or product — and what would it cost?".into(),
    };
    Some(RoundBrief {
        round: round as u32,
        quarter: now.quarter.to_string(),
        what_happened: what,
        gainer,
        loser,
        question,
    })
}

/// One of a team's most consequential decisions, for the closing discussion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuideDecision {
    pub quarter: String,
    /// What changed: `camera price ¥199 → ¥189`.
    pub decision: String,
    /// The team's score with the decision minus without it (points of 100).
    pub score_effect: f64,
    /// Cumulative net profit with the decision minus without it.
    pub profit_effect: f64,
}

/// A team's page of the discussion guide.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamGuide {
    pub team: String,
    pub rank: u32,
    pub score: f64,
    pub decisions: Vec<GuideDecision>,
}

/// The discussion guide after the competition: for each team, its three most
/// consequential decisions — each change it made undone on its own and the whole
/// market replayed from the chain with every other company playing as it did (same
/// seed, same events), the difference in the team's score being the decision's weight.
pub fn discussion_guide(w: &Workshop) -> Vec<TeamGuide> {
    let board = w.leaderboard();
    let mut guide: Vec<TeamGuide> = (0..w.teams.len()).filter_map(|i| guide_of(w, i, &board)).collect();
    guide.sort_by_key(|g| g.rank);
    guide
}

/// One team's page of the discussion guide (the same as its page in
/// [`discussion_guide`]), computed for that team alone; `None` for no such team.
pub fn team_guide(w: &Workshop, team: usize) -> Option<TeamGuide> {
    guide_of(w, team, &w.leaderboard())
}

fn guide_of(w: &Workshop, team: usize, board: &[super::session::Standing]) -> Option<TeamGuide> {
    use crate::report::key_decisions::key_decisions_with;
    use crate::sim::decisions::CompanyDecisions;
    let player = w.scenario.first_player()?;
    let t = w.teams.get(team)?;
    let opening = w.scenario.companies[player].opening.clone();
    let names: Vec<String> = w.teams.iter().map(|t| t.name.clone()).collect();
    let replay = |mine: &[CompanyDecisions]| -> Option<(f64, f64)> {
        let mut world = crate::sim::World::new(w.scenario.clone(), w.setup.seed);
        let mut reports = Vec::with_capacity(w.chain.len());
        for (r, record) in w.chain.iter().enumerate() {
            let mut decisions: Vec<CompanyDecisions> = record.decisions.iter().map(|d| d.decisions.clone()).collect();
            *decisions.get_mut(team)? = mine.get(r)?.clone();
            let (next, report) = super::session::resolve(&world, &record.events, &decisions).ok()?;
            reports.push(report);
            world = next;
        }
        let standing = super::session::leaderboard(&w.scenario, &names, &reports)
            .into_iter()
            .find(|s| s.team == names[team])?;
        Some((standing.score, standing.net_profit))
    };
    let played: Vec<CompanyDecisions> = w.chain.iter().map(|r| r.decisions[team].decisions.clone()).collect();
    let effects = key_decisions_with(&w.scenario, &opening, &played, 3, replay);
    let standing = board.iter().find(|s| s.team == t.name);
    Some(TeamGuide {
        team: t.name.clone(),
        rank: standing.map_or(0, |s| s.rank),
        score: standing.map_or(0.0, |s| s.score),
        decisions: effects
            .into_iter()
            .map(|e| GuideDecision {
                quarter: e.quarter.to_string(),
                decision: e.description,
                score_effect: e.score_effect,
                profit_effect: e.profit_effect,
            })
            .collect(),
    })
}
