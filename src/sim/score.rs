//! Objectives and the balanced scorecard of a run, from the player's report rows.
//!
//! An objective holds a metric over the quarters up to its deadline
//! (`units_sold@sum ≥ 7.9M by 2013Q2`). It is **met** or **missed** once its
//! deadline has been reported, **pending** before.
//!
//! The score (0..100) is `100 × Σ wᵢ·cᵢ / Σ wᵢ` over these components, each in 0..1:
//! profit = cumulative net profit / `profit_target`; trust = final trust; users =
//! final active users / `users_target`; ROI = mean ROI / `roi_target`; cap
//! compliance = share of quarters whose margin before the cap stayed at or below the
//! pledge (with the cap on, rebates keep the enforced margin there, but the
//! scorecard rewards not needing them); objectives = share of objectives met.
//! Cumulative profit and a whole-run mean, not the last quarter, so that selling off
//! everything in the final round does not pay.

use super::params::{Comparison, Objective, Scenario};
use super::report::CompanyReport;

/// Where an objective stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveStatus {
    Pending,
    Met,
    Missed,
}

/// An objective with its current value.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ObjectiveResult {
    pub id: String,
    pub text: String,
    pub metric: String,
    pub target: f64,
    pub value: Option<f64>,
    pub status: ObjectiveStatus,
}

/// The scorecard's components and total.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Score {
    pub profit: f64,
    pub trust: f64,
    pub users: f64,
    pub roi: f64,
    pub cap_compliance: f64,
    pub objectives: f64,
    pub total: f64,
}

/// Each objective's status given the player's rows so far (in quarter order).
pub fn objectives(scenario: &Scenario, rows: &[&CompanyReport]) -> Vec<ObjectiveResult> {
    scenario
        .objectives
        .iter()
        .map(|o| objective(scenario, o, rows))
        .collect()
}

fn objective(scenario: &Scenario, o: &Objective, rows: &[&CompanyReport]) -> ObjectiveResult {
    let deadline = scenario.quarter_at(o.deadline_idx);
    let counted: Vec<&CompanyReport> = rows.iter().copied().filter(|r| r.quarter <= deadline).collect();
    let value = o.metric.evaluate(&counted);
    let reached_deadline = rows.iter().any(|r| r.quarter >= deadline);
    let bankrupt = rows.iter().any(|r| r.bankrupt);
    let meets = value.is_some_and(|v| match o.comparison {
        Comparison::AtLeast => v >= o.target,
        Comparison::AtMost => v <= o.target,
    });
    let status = if reached_deadline || bankrupt {
        if meets && !bankrupt {
            ObjectiveStatus::Met
        } else {
            ObjectiveStatus::Missed
        }
    } else {
        ObjectiveStatus::Pending
    };
    ObjectiveResult {
        id: o.id.clone(),
        text: o.text.clone(),
        metric: o.metric.to_string(),
        target: o.target,
        value,
        status,
    }
}

/// The balanced scorecard over the player's rows.
pub fn score(scenario: &Scenario, rows: &[&CompanyReport]) -> Score {
    let card = &scenario.scorecard;
    let unit = |x: f64| if x.is_finite() { x.clamp(0.0, 1.0) } else { 0.0 };
    let n = rows.len().max(1) as f64;
    let profit = unit(rows.iter().map(|r| r.net_profit).sum::<f64>() / card.profit_target);
    let trust = unit(rows.last().map_or(0.0, |r| r.trust));
    let users = unit(rows.last().map_or(0.0, |r| r.active_users as f64) / card.users_target);
    let roi = unit(rows.iter().map(|r| r.roi).sum::<f64>() / n / card.roi_target);
    let pledge = scenario.cap.level;
    let cap_compliance = unit(rows.iter().filter(|r| r.hw_margin_before_cap <= pledge + 1e-9).count() as f64 / n);
    let results = objectives(scenario, rows);
    let objectives = if results.is_empty() {
        1.0
    } else {
        results.iter().filter(|r| r.status == ObjectiveStatus::Met).count() as f64 / results.len() as f64
    };
    let weights = [
        (card.profit_weight, profit),
        (card.trust_weight, trust),
        (card.users_weight, users),
        (card.roi_weight, roi),
        (card.cap_weight, cap_compliance),
        (card.objectives_weight, objectives),
    ];
    let total_weight: f64 = weights.iter().map(|(w, _)| w).sum();
    let total = if total_weight > 0.0 {
        100.0 * weights.iter().map(|(w, c)| w * c).sum::<f64>() / total_weight
    } else {
        0.0
    };
    Score {
        profit,
        trust,
        users,
        roi,
        cap_compliance,
        objectives,
        total,
    }
}
