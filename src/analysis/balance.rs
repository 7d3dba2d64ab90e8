//! The balance report: is a scenario a real decision? It plays the scenario with a set
//! of contenders — the reference plan, the naive strategies (`hold`, `cost-plus`), the
//! trivial extremes (`max-price`, `zero-marketing`, `max-bom-cut`), the scenario's
//! named alternative plans and a crowd of random but plausible players — and
//! summarises each one's score (mean, P10, P50, P90), how often it meets every
//! objective, and its cumulative net profit.
//!
//! Every deterministic contender plays the same seeds (common random numbers), so
//! differences come from the plan, not from noise; random player `i` plays seed
//! `first_seed + i mod seeds`. A trivial extreme **dominates** when its mean score
//! reaches the reference's: the scenario would then reward pulling one lever, and
//! the report says so.

use super::percentile;
use crate::report::format::money;
use crate::sim::Scenario;
use crate::sim::decisions::{DecisionError, PartialDecisions};
use crate::sim::run::run;
use crate::sim::score::{ObjectiveStatus, objectives, score};
use crate::sim::strategies::{LogPolicy, Policy, Strategy};
use serde::Serialize;
use std::sync::Arc;

/// What a contender stands for in the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Reference,
    Naive,
    Trivial,
    Alternative,
    Random,
}

/// How a contender decides.
#[derive(Clone, Debug)]
pub enum Plan {
    Strategy(Strategy),
    Log(Vec<PartialDecisions>),
}

/// One strategy in the comparison.
#[derive(Clone, Debug)]
pub struct Contender {
    pub name: String,
    pub kind: Kind,
    pub plan: Plan,
}

impl Contender {
    fn policy(&self, scenario: &Scenario) -> Box<dyn Policy> {
        match &self.plan {
            Plan::Strategy(s) => s.policy(scenario),
            Plan::Log(log) => Box::new(LogPolicy::new(log.clone())),
        }
    }
}

/// How many runs to play.
#[derive(Clone, Copy, Debug)]
pub struct BalanceOptions {
    /// Seeds each deterministic contender plays.
    pub seeds: u32,
    pub first_seed: u64,
    /// Random players.
    pub random_players: u32,
}

impl Default for BalanceOptions {
    fn default() -> Self {
        Self {
            seeds: 20,
            first_seed: 0,
            random_players: 200,
        }
    }
}

/// Column widths of the terminal table.
const TABLE_WIDTHS: [usize; 11] = [24, 11, 5, 6, 6, 6, 6, 8, 8, 12, 8];

/// One contender's results over its runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContenderResult {
    pub name: String,
    pub kind: Kind,
    pub runs: usize,
    pub score_mean: f64,
    pub score_p10: f64,
    pub score_p50: f64,
    pub score_p90: f64,
    /// Share of runs that met every objective.
    pub all_objectives_met: f64,
    /// Mean share of objectives met.
    pub objectives_met: f64,
    pub net_profit_mean: f64,
    /// Share of runs that ended bankrupt.
    pub bankrupt: f64,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BalanceReport {
    pub scenario: String,
    pub title: String,
    pub currency: String,
    pub seeds: u32,
    pub first_seed: u64,
    pub runs: usize,
    /// Best mean score first.
    pub results: Vec<ContenderResult>,
    /// The random player with the best single run: (plan, seed, score).
    pub best_random: Option<(u64, u64, f64)>,
    /// Trivial extremes whose mean score reaches the reference's.
    pub dominating_trivial: Vec<String>,
}

/// The standard contenders of every scenario, before its own named alternatives.
pub fn standard_contenders() -> Vec<Contender> {
    let mut out = vec![
        Contender {
            name: "reference".into(),
            kind: Kind::Reference,
            plan: Plan::Strategy(Strategy::Reference),
        },
        Contender {
            name: "hold".into(),
            kind: Kind::Naive,
            plan: Plan::Strategy(Strategy::Hold),
        },
        Contender {
            name: "cost-plus".into(),
            kind: Kind::Naive,
            plan: Plan::Strategy(Strategy::CostPlus {
                markup: crate::sim::strategies::DEFAULT_MARKUP,
            }),
        },
    ];
    out.extend(Strategy::TRIVIAL.iter().map(|s| Contender {
        name: s.to_string(),
        kind: Kind::Trivial,
        plan: Plan::Strategy(*s),
    }));
    out
}

/// One run's outcome for the summary.
struct Outcome {
    score: f64,
    all_met: bool,
    met_share: f64,
    net_profit: f64,
    bankrupt: bool,
}

fn play(scenario: &Arc<Scenario>, policy: Box<dyn Policy>, seed: u64) -> Result<Outcome, DecisionError> {
    let mut policies = vec![policy];
    let out = run(scenario.clone(), seed, &mut policies, None)?;
    let rows = out.player_rows();
    let objs = objectives(scenario, &rows);
    let met = objs.iter().filter(|o| o.status == ObjectiveStatus::Met).count();
    Ok(Outcome {
        score: score(scenario, &rows).total,
        all_met: met == objs.len(),
        met_share: if objs.is_empty() {
            1.0
        } else {
            met as f64 / objs.len() as f64
        },
        net_profit: rows.iter().map(|r| r.net_profit).sum(),
        bankrupt: rows.last().is_some_and(|r| r.bankrupt),
    })
}

fn summarise(name: &str, kind: Kind, outcomes: &[Outcome]) -> ContenderResult {
    let n = outcomes.len().max(1) as f64;
    let mut scores: Vec<f64> = outcomes.iter().map(|o| o.score).collect();
    scores.sort_by(f64::total_cmp);
    ContenderResult {
        name: name.to_string(),
        kind,
        runs: outcomes.len(),
        score_mean: scores.iter().sum::<f64>() / n,
        score_p10: percentile(&scores, 0.10).unwrap_or(0.0),
        score_p50: percentile(&scores, 0.50).unwrap_or(0.0),
        score_p90: percentile(&scores, 0.90).unwrap_or(0.0),
        all_objectives_met: outcomes.iter().filter(|o| o.all_met).count() as f64 / n,
        objectives_met: outcomes.iter().map(|o| o.met_share).sum::<f64>() / n,
        net_profit_mean: outcomes.iter().map(|o| o.net_profit).sum::<f64>() / n,
        bankrupt: outcomes.iter().filter(|o| o.bankrupt).count() as f64 / n,
    }
}

/// Plays every contender on the same seeds, plus the random players, and ranks them.
/// A contender whose decisions the model refuses is an error naming it.
pub fn balance(
    scenario: &Arc<Scenario>,
    contenders: &[Contender],
    options: BalanceOptions,
) -> Result<BalanceReport, (String, DecisionError)> {
    let seeds: Vec<u64> = (0..u64::from(options.seeds.max(1)))
        .map(|i| options.first_seed + i)
        .collect();
    let mut results = Vec::new();
    let mut runs = 0;
    for c in contenders {
        let outcomes = seeds
            .iter()
            .map(|&seed| play(scenario, c.policy(scenario), seed))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| (c.name.clone(), e))?;
        runs += outcomes.len();
        results.push(summarise(&c.name, c.kind, &outcomes));
    }
    let mut best_random: Option<(u64, u64, f64)> = None;
    if options.random_players > 0 {
        let mut outcomes = Vec::new();
        for plan in 0..u64::from(options.random_players) {
            let seed = seeds[(plan % seeds.len() as u64) as usize];
            let strategy = Strategy::Random { plan };
            let o = play(scenario, strategy.policy(scenario), seed).map_err(|e| (strategy.to_string(), e))?;
            if best_random.is_none_or(|(_, _, best)| o.score > best) {
                best_random = Some((plan, seed, o.score));
            }
            outcomes.push(o);
        }
        runs += outcomes.len();
        let name = format!("random players ({})", options.random_players);
        results.push(summarise(&name, Kind::Random, &outcomes));
    }
    let reference_mean = results
        .iter()
        .find(|r| r.kind == Kind::Reference)
        .map_or(f64::INFINITY, |r| r.score_mean);
    let dominating_trivial = results
        .iter()
        .filter(|r| r.kind == Kind::Trivial && r.score_mean >= reference_mean)
        .map(|r| r.name.clone())
        .collect();
    results.sort_by(|a, b| b.score_mean.total_cmp(&a.score_mean));
    Ok(BalanceReport {
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        currency: scenario.currency.clone(),
        seeds: options.seeds.max(1),
        first_seed: options.first_seed,
        runs,
        results,
        best_random,
        dominating_trivial,
    })
}

impl BalanceReport {
    /// A Markdown section: a table of every contender and a verdict.
    pub fn to_markdown(&self) -> String {
        let mut t = format!("## {} — {}\n\n", self.scenario, self.title);
        t += &format!(
            "{} runs: each strategy on seeds {}–{}, random players on the same seeds in turn.\n\n",
            self.runs,
            self.first_seed,
            self.first_seed + u64::from(self.seeds) - 1
        );
        t += "| strategy | kind | runs | score mean | P10 | P50 | P90 | all objectives met | objectives met | net profit (mean) | bankrupt |\n";
        t += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
        for r in &self.results {
            t += &format!("| {} |\n", self.cells(r).join(" | "));
        }
        t += "\n";
        t += &self.verdict();
        t += "\n";
        t
    }

    /// A plain-text table for the terminal.
    pub fn to_table(&self) -> String {
        let mut t = format!(
            "Balance of {} — {} ({} runs, seeds {}–{})\n",
            self.scenario,
            self.title,
            self.runs,
            self.first_seed,
            self.first_seed + u64::from(self.seeds) - 1
        );
        t += &format!(
            "{:<24} {:<11} {:>5} {:>6} {:>6} {:>6} {:>6} {:>8} {:>8} {:>12} {:>8}\n",
            "STRATEGY", "KIND", "RUNS", "MEAN", "P10", "P50", "P90", "ALL MET", "MET", "PROFIT", "BANKRUPT"
        );
        for r in &self.results {
            let row: Vec<String> = self
                .cells(r)
                .iter()
                .zip(TABLE_WIDTHS)
                .enumerate()
                .map(|(i, (cell, w))| {
                    if i < 2 {
                        format!("{cell:<w$}")
                    } else {
                        format!("{cell:>w$}")
                    }
                })
                .collect();
            t += &row.join(" ");
            t += "\n";
        }
        t += "Score out of 100 (the scenario's scorecard); ALL MET = runs meeting every objective; MET = objectives met.\n\n";
        t += &self.verdict();
        t
    }

    /// One contender's figures as text, in the tables' column order.
    fn cells(&self, r: &ContenderResult) -> [String; 11] {
        [
            r.name.clone(),
            kind_name(r.kind).to_string(),
            r.runs.to_string(),
            format!("{:.1}", r.score_mean),
            format!("{:.1}", r.score_p10),
            format!("{:.1}", r.score_p50),
            format!("{:.1}", r.score_p90),
            format!("{:.0}%", r.all_objectives_met * 100.0),
            format!("{:.0}%", r.objectives_met * 100.0),
            money(&self.currency, r.net_profit_mean),
            format!("{:.0}%", r.bankrupt * 100.0),
        ]
    }

    /// Who wins, and whether any trivial extreme dominates.
    pub fn verdict(&self) -> String {
        let mut t = String::new();
        if let Some(best) = self.results.first() {
            t += &format!("Best mean score: {} ({:.1}).", best.name, best.score_mean);
        }
        if let Some(reference) = self.results.iter().find(|r| r.kind == Kind::Reference) {
            let rank = self.results.iter().position(|r| r.name == reference.name).unwrap_or(0) + 1;
            t += &format!(
                " The reference plan ranks {rank} of {} with {:.1}.",
                self.results.len(),
                reference.score_mean
            );
        }
        if let Some((plan, seed, score)) = self.best_random {
            t += &format!(" The best random player (random:{plan}, seed {seed}) scored {score:.1}.");
        }
        if self.dominating_trivial.is_empty() {
            t += " No trivial extreme (max price, zero marketing, max BOM cut) reaches the reference's mean.\n";
        } else {
            t += &format!(
                " WARNING: trivial extremes reach the reference's mean: {}.\n",
                self.dominating_trivial.join(", ")
            );
        }
        t
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Reference => "reference",
        Kind::Naive => "naive",
        Kind::Trivial => "trivial",
        Kind::Alternative => "alternative",
        Kind::Random => "random",
    }
}
