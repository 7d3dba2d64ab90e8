//! The three-slide debrief a candidate presents: **Problem → Decision → Measured
//! result**, one headline number and one chart each, all measured on the run's own
//! seed.
//!
//! - **Problem**: the KPI at risk is the objective that doing nothing (the opening
//!   plan held, `hold`, same seed) misses by the most, relative to its target; the
//!   slide shows where it goes against the target.
//! - **Decision**: the player's decision that moved the score most (each change
//!   reverted alone and replayed, see `key_decisions`), with the other decisions
//!   measured the same way as the alternatives it is weighed against.
//! - **Measured result**: the objective KPI that decision moved most (relative to its
//!   target), quarter by quarter, with the player's plan and with that one decision
//!   undone (the counterfactual on the same seed).
//!
//! Pure data; `crate::chart` draws it and the CLI writes the files.

use super::format::{metric_value, money};
use super::key_decisions::key_decisions;
use super::replay::player_rows;
use crate::sim::decisions::CompanyDecisions;
use crate::sim::metric::{Aggregate, MetricSpec, field_value};
use crate::sim::params::{Comparison, Objective};
use crate::sim::run::run;
use crate::sim::strategies::Strategy;
use crate::sim::{CompanyReport, Scenario};
use std::sync::Arc;

/// One slide: a kicker ("Problem"), the headline with its number, a line of context
/// and one chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Slide {
    pub kicker: &'static str,
    pub headline: String,
    pub context: String,
    pub chart: SlideChart,
}

/// The one chart of a slide.
#[derive(Clone, Debug, PartialEq)]
pub enum SlideChart {
    /// A metric over the quarters: named series and an optional target line.
    Lines {
        title: String,
        metric: String,
        quarters: Vec<String>,
        series: Vec<(String, Vec<f64>)>,
        target: Option<f64>,
    },
    /// One bar per labelled item, in a money metric.
    Bars {
        title: String,
        metric: String,
        labels: Vec<String>,
        values: Vec<f64>,
    },
}

/// The whole deck.
#[derive(Clone, Debug, PartialEq)]
pub struct Deck {
    pub scenario: String,
    pub title: String,
    pub slides: Vec<Slide>,
}

/// The KPI's value after each quarter: a running aggregate for `@sum/mean/min/max`,
/// the field itself quarter by quarter for `@last` and `@QUARTER`.
fn path(metric: &MetricSpec, rows: &[CompanyReport]) -> Vec<f64> {
    let refs: Vec<&CompanyReport> = rows.iter().collect();
    (0..refs.len())
        .map(|q| match metric.aggregate {
            Aggregate::Last | Aggregate::At(_) => field_value(refs[q], &metric.field).unwrap_or(f64::NAN),
            _ => metric.evaluate(&refs[..=q]).unwrap_or(f64::NAN),
        })
        .collect()
}

fn value(metric: &MetricSpec, rows: &[CompanyReport]) -> Option<f64> {
    let refs: Vec<&CompanyReport> = rows.iter().collect();
    metric.evaluate(&refs)
}

/// Builds the deck for `played` (the player's decisions per quarter) with `seed`.
/// `None` when the scenario has no objective or nothing was played.
pub fn deck(scenario: &Arc<Scenario>, seed: u64, played: &[CompanyDecisions]) -> Option<Deck> {
    if scenario.objectives.is_empty() || played.is_empty() {
        return None;
    }
    let rows = player_rows(scenario, seed, played)?;
    let quarters: Vec<String> = rows.iter().map(|r| r.quarter.to_string()).collect();
    let at_deadline = |o: &Objective, rows: &[CompanyReport]| -> f64 {
        let deadline = scenario.quarter_at(o.deadline_idx);
        let upto: Vec<CompanyReport> = rows.iter().filter(|r| r.quarter <= deadline).cloned().collect();
        value(&o.metric, &upto).unwrap_or(f64::NAN)
    };
    // Gaps and moves are compared relative to the larger of the target and the values
    // (a target of ¥0, as in "never let cash fall below zero", must not dominate).
    let scale = |o: &Objective, a: f64, b: f64| {
        o.target
            .abs()
            .max(if a.is_finite() { a.abs() } else { 0.0 })
            .max(if b.is_finite() { b.abs() } else { 0.0 })
            .max(1e-9)
    };
    // 1. Problem: the KPI doing nothing misses by the most.
    let mut hold = vec![Strategy::Hold.policy(scenario)];
    let held = run(scenario.clone(), seed, &mut hold, None).ok()?;
    let held_rows: Vec<CompanyReport> = held.player_rows().into_iter().cloned().collect();
    let shortfall = |o: &Objective| -> f64 {
        let v = at_deadline(o, &held_rows);
        let gap = match o.comparison {
            Comparison::AtLeast => o.target - v,
            Comparison::AtMost => v - o.target,
        };
        if gap.is_finite() {
            gap / scale(o, v, v)
        } else {
            f64::NEG_INFINITY
        }
    };
    let objective = scenario
        .objectives
        .iter()
        .max_by(|a, b| shortfall(a).total_cmp(&shortfall(b)))?;
    let metric = objective.metric.clone();
    let m = metric.to_string();
    let deadline = scenario.quarter_at(objective.deadline_idx);
    let held_value = at_deadline(objective, &held_rows);
    let problem = Slide {
        kicker: "Problem",
        headline: format!(
            "{} if nothing changes, against a target of {} by {deadline}",
            metric_value(&m, held_value),
            metric_value(&m, objective.target)
        ),
        context: format!("{} — {}", objective.text, scenario.pitch),
        chart: SlideChart::Lines {
            title: format!("{m}: the opening plan held, quarter by quarter"),
            metric: m.clone(),
            quarters: held_rows.iter().map(|r| r.quarter.to_string()).collect(),
            series: vec![("opening plan held".into(), path(&metric, &held_rows))],
            target: Some(objective.target),
        },
    };

    // 2. Decision: the change that moved the score most, and the alternatives.
    let effects = key_decisions(scenario, seed, played, 4);
    let cur = &scenario.currency;
    let decision = match effects.first() {
        Some(top) => Slide {
            kicker: "Decision",
            headline: format!(
                "{} · {}: {:+.1} points of score, {} net profit",
                top.quarter,
                top.description,
                top.score_effect,
                signed(cur, top.profit_effect)
            ),
            context: "Each decision undone on its own and the run replayed on the same seed: what each was worth."
                .into(),
            chart: SlideChart::Bars {
                title: "Net profit each decision added (undone alone, same seed)".into(),
                metric: "net_profit@sum".into(),
                labels: effects
                    .iter()
                    .map(|e| format!("{} {}", e.quarter, e.description))
                    .collect(),
                values: effects.iter().map(|e| e.profit_effect).collect(),
            },
        },
        None => Slide {
            kicker: "Decision",
            headline: "The opening plan, held every quarter".into(),
            context: "No decision changed the opening plan, so none can be measured on its own.".into(),
            chart: SlideChart::Bars {
                title: "Net profit each decision added".into(),
                metric: "net_profit@sum".into(),
                labels: Vec::new(),
                values: Vec::new(),
            },
        },
    };

    // 3. Measured result: the objective KPI the decision moved most.
    let (without_rows, without_name) = match effects.first() {
        Some(top) => (player_rows(scenario, seed, &top.without)?, "without that decision"),
        None => (held_rows.clone(), "opening plan held"),
    };
    let moved = |o: &Objective| -> f64 {
        let (a, b) = (at_deadline(o, &rows), at_deadline(o, &without_rows));
        let d = (a - b).abs() / scale(o, a, b);
        if d.is_finite() { d } else { 0.0 }
    };
    let kpi = scenario
        .objectives
        .iter()
        .max_by(|a, b| moved(a).total_cmp(&moved(b)))
        .unwrap_or(objective);
    let kpi_metric = kpi.metric.clone();
    let km = kpi_metric.to_string();
    let kpi_deadline = scenario.quarter_at(kpi.deadline_idx);
    let played_value = at_deadline(kpi, &rows);
    let without_value = at_deadline(kpi, &without_rows);
    let result = Slide {
        kicker: "Measured result",
        headline: format!(
            "{} by {kpi_deadline}, against {} {without_name}",
            metric_value(&km, played_value),
            metric_value(&km, without_value)
        ),
        context: format!(
            "{} — {km} on the same seed ({seed}); the target was {}.",
            kpi.text,
            metric_value(&km, kpi.target)
        ),
        chart: SlideChart::Lines {
            title: format!("{km}: your plan against the counterfactual"),
            metric: km.clone(),
            quarters,
            series: vec![
                ("your plan".into(), path(&kpi_metric, &rows)),
                (without_name.into(), path(&kpi_metric, &without_rows)),
            ],
            target: Some(kpi.target),
        },
    };
    Some(Deck {
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        slides: vec![problem, decision, result],
    })
}

fn signed(currency: &str, v: f64) -> String {
    if v > 0.0 {
        format!("+{}", money(currency, v))
    } else {
        money(currency, v)
    }
}

impl Deck {
    /// The deck as Markdown, each slide's headline and context (with the chart files).
    pub fn to_markdown(&self) -> String {
        let mut t = format!("# {} — debrief\n\n", self.title);
        for (i, s) in self.slides.iter().enumerate() {
            t += &format!(
                "## {}. {}\n\n**{}**\n\n{}\n\n![{}](slide-{}.png)\n\n",
                i + 1,
                s.kicker,
                s.headline,
                s.context,
                s.kicker,
                i + 1
            );
        }
        t
    }
}
