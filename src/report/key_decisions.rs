//! The debrief's "decisions that moved the result": each change the player made is
//! reverted on its own and the run replayed with the same seed; the difference in
//! score and in cumulative net profit is that decision's measured effect.
//!
//! A change is one field that differs from the quarter before (the opening
//! decisions for the first quarter): a SKU's price, BOM cut, mitigation or
//! production; the channel mix; stores; dealer margin; community, paid-traffic,
//! monetisation or R&D budgets; a launch or a retirement. Reverting it restores the
//! old value from that quarter until the player next changed the same field (a
//! launch or retirement is simply dropped). Variants the model refuses (e.g. a
//! reverted production over a later quarter's capacity) are skipped. Effects are
//! ranked by the absolute change in score, then in profit.
//!
//! Each change also names the sweep address it corresponds to (`q6.flagship.price`,
//! `q3.stores`; for a new channel mix, the channel whose share moved most,
//! `q2.channels.own_retail`) with its value before and after, so the debrief can
//! sweep that decision; launches and retirements have none.

use super::format::thousands_f64 as thousands;
use super::replay::player_rows;
use crate::sim::Channel;
use crate::sim::decisions::CompanyDecisions;
use crate::sim::score::score;
use crate::sim::{Quarter, Scenario};
use std::sync::Arc;

/// One decision and what it did to the result.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionEffect {
    pub quarter: Quarter,
    /// What changed, for people: `flagship price ¥1,999 → ¥1,799`.
    pub description: String,
    /// Score with the decision minus score without it (points out of 100).
    pub score_effect: f64,
    /// Cumulative net profit with the decision minus without it.
    pub profit_effect: f64,
    /// The player's decisions per quarter with this one change reverted (the
    /// counterfactual, replayable with the same seed).
    pub without: Vec<CompanyDecisions>,
    /// The decision as a sweep address with its values, when it has one (not for a
    /// launch or a retirement).
    pub field: Option<FieldChange>,
}

/// A change as one field of the plan: the sweep address (see
/// [`crate::analysis::address`]) and its value before and after the change.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    /// `q6.flagship.price`, `q3.stores`, `q2.channels.own_retail`.
    pub address: String,
    pub before: f64,
    pub after: f64,
}

/// Undoes one change in a quarter's decisions, given the decisions before it.
type Revert = Box<dyn Fn(&mut CompanyDecisions, &CompanyDecisions)>;
/// A number formatter for descriptions.
type Show = fn(f64) -> String;
/// Reads and restores one company-wide decision.
type Get = fn(&CompanyDecisions) -> f64;
type Set = fn(&mut CompanyDecisions, &CompanyDecisions);

/// One revertible change: where, what, and how to undo it in a decision set.
struct Change {
    quarter_idx: usize,
    description: String,
    key: String,
    revert: Revert,
    field: Option<FieldChange>,
}

/// The `n` decisions of `played` (the player's decisions per quarter) that moved the
/// result most, measured by replay with the same `seed`.
pub fn key_decisions(
    scenario: &Arc<Scenario>,
    seed: u64,
    played: &[CompanyDecisions],
    n: usize,
) -> Vec<DecisionEffect> {
    let Some(player) = scenario.first_player() else {
        return Vec::new();
    };
    let opening = &scenario.companies[player].opening;
    key_decisions_with(scenario, opening, played, n, |d| evaluate(scenario, seed, d))
}

/// The same, for a company that started from `opening`, with `evaluate` giving the
/// score and cumulative net profit of a run with the company's decisions per quarter
/// (`None` if refused): the workshop measures a team's decisions in the shared market,
/// every other company playing as it did.
pub fn key_decisions_with(
    scenario: &Scenario,
    opening: &CompanyDecisions,
    played: &[CompanyDecisions],
    n: usize,
    evaluate: impl Fn(&[CompanyDecisions]) -> Option<(f64, f64)>,
) -> Vec<DecisionEffect> {
    let Some(base) = evaluate(played) else {
        return Vec::new();
    };
    let changes = changes(opening, played);
    let mut effects = Vec::new();
    for change in &changes {
        let mut variant = played.to_vec();
        // Restore the old value from this quarter until the same field changes again.
        let next_change = changes
            .iter()
            .filter(|c| c.key == change.key && c.quarter_idx > change.quarter_idx)
            .map(|c| c.quarter_idx)
            .min();
        let end = next_change.unwrap_or(variant.len());
        let before = if change.quarter_idx == 0 {
            opening.clone()
        } else {
            played[change.quarter_idx - 1].clone()
        };
        for d in &mut variant[change.quarter_idx..end] {
            (change.revert)(d, &before);
        }
        let Some(without) = evaluate(&variant) else {
            continue;
        };
        effects.push(DecisionEffect {
            quarter: scenario.quarter_at(change.quarter_idx as u32),
            description: change.description.clone(),
            score_effect: base.0 - without.0,
            profit_effect: base.1 - without.1,
            without: variant,
            field: change.field.clone(),
        });
    }
    effects.sort_by(|a, b| {
        b.score_effect
            .abs()
            .total_cmp(&a.score_effect.abs())
            .then(b.profit_effect.abs().total_cmp(&a.profit_effect.abs()))
    });
    effects.truncate(n);
    effects
}

/// Score and cumulative net profit of a run with these decisions, or `None` if refused.
fn evaluate(scenario: &Arc<Scenario>, seed: u64, decisions: &[CompanyDecisions]) -> Option<(f64, f64)> {
    let rows = player_rows(scenario, seed, decisions)?;
    let refs: Vec<_> = rows.iter().collect();
    Some((score(scenario, &refs).total, rows.iter().map(|r| r.net_profit).sum()))
}

fn changes(opening: &CompanyDecisions, played: &[CompanyDecisions]) -> Vec<Change> {
    let mut out = Vec::new();
    let mut previous = opening;
    for (q, d) in played.iter().enumerate() {
        for (id, sku) in &d.skus {
            let Some(old) = previous.skus.get(id) else { continue };
            let fields: [(&str, &str, f64, f64, Show); 4] = [
                ("price", "price", old.price, sku.price, |v| format!("¥{}", thousands(v))),
                ("BOM cut", "bom_cut", old.bom_cut, sku.bom_cut, |v| {
                    format!("{:.1}%", v * 100.0)
                }),
                ("mitigation", "mitigation", old.mitigation, sku.mitigation, |v| {
                    format!("¥{}", thousands(v))
                }),
                (
                    "production",
                    "production",
                    old.production as f64,
                    sku.production as f64,
                    |v| format!("{} units", thousands(v)),
                ),
            ];
            for (k, (name, field, was, now, show)) in fields.into_iter().enumerate() {
                if was.to_bits() == now.to_bits() {
                    continue;
                }
                let id2 = id.clone();
                out.push(Change {
                    quarter_idx: q,
                    description: format!("{id} {name} {} to {}", show(was), show(now)),
                    key: format!("sku:{id}:{k}"),
                    revert: Box::new(move |d, before| {
                        let (Some(cur), Some(old)) = (d.skus.get(&id2).copied(), before.skus.get(&id2)) else {
                            return;
                        };
                        let mut new = cur;
                        match k {
                            0 => new.price = old.price,
                            1 => new.bom_cut = old.bom_cut,
                            2 => new.mitigation = old.mitigation,
                            _ => new.production = old.production,
                        }
                        d.skus.insert(id2.clone(), new);
                    }),
                    field: Some(FieldChange {
                        address: format!("q{}.{id}.{field}", q + 1),
                        before: was,
                        after: now,
                    }),
                });
            }
        }
        let money: Show = |v| format!("¥{}", thousands(v));
        let pct: Show = |v| format!("{:.0}%", v * 100.0);
        let count: Show = thousands;
        let scalars: [(&str, &str, Get, Set, Show); 6] = [
            (
                "stores",
                "stores",
                |d| d.stores as f64,
                |d, b| d.stores = b.stores,
                count,
            ),
            (
                "dealer margin",
                "dealer_margin",
                |d| d.dealer_margin,
                |d, b| d.dealer_margin = b.dealer_margin,
                pct,
            ),
            (
                "community budget",
                "community",
                |d| d.community,
                |d, b| d.community = b.community,
                money,
            ),
            (
                "paid traffic",
                "paid_traffic",
                |d| d.paid_traffic,
                |d, b| d.paid_traffic = b.paid_traffic,
                money,
            ),
            (
                "monetisation",
                "monetisation",
                |d| d.monetisation,
                |d, b| d.monetisation = b.monetisation,
                pct,
            ),
            ("R&D", "rnd", |d| d.rnd, |d, b| d.rnd = b.rnd, money),
        ];
        for (name, field, get, set, show) in scalars {
            let (was, now) = (get(previous), get(d));
            if was.to_bits() != now.to_bits() {
                out.push(Change {
                    quarter_idx: q,
                    description: format!("{name} {} to {}", show(was), show(now)),
                    key: format!("company:{name}"),
                    revert: Box::new(set),
                    field: Some(FieldChange {
                        address: format!("q{}.{field}", q + 1),
                        before: was,
                        after: now,
                    }),
                });
            }
        }
        if d.channels != previous.channels {
            let mix = |c: &crate::sim::ChannelMap<f64>| {
                c.iter()
                    .filter(|(_, v)| *v > 0.0)
                    .map(|(ch, v)| format!("{} {:.0}%", ch.label(), v * 100.0))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            // The channel whose share moved most stands for the mix in a sweep.
            let moved = Channel::ALL
                .into_iter()
                .max_by(|a, b| {
                    let delta = |c: Channel| (d.channels[c] - previous.channels[c]).abs();
                    delta(*a).total_cmp(&delta(*b)).then(b.cmp(a))
                })
                .unwrap_or(Channel::Online);
            out.push(Change {
                quarter_idx: q,
                description: format!("channel mix {} to {}", mix(&previous.channels), mix(&d.channels)),
                key: "company:channels".into(),
                revert: Box::new(|d, b| d.channels = b.channels),
                field: Some(FieldChange {
                    address: format!("q{}.channels.{}", q + 1, moved.key()),
                    before: previous.channels[moved],
                    after: d.channels[moved],
                }),
            });
        }
        for id in &d.launch {
            let id2 = id.clone();
            out.push(Change {
                quarter_idx: q,
                description: format!("launch {id}"),
                key: format!("launch:{id}"),
                revert: Box::new(move |d, _| {
                    d.launch.retain(|l| *l != id2);
                    d.skus.remove(&id2);
                }),
                field: None,
            });
        }
        for id in &d.retire {
            let id2 = id.clone();
            out.push(Change {
                quarter_idx: q,
                description: format!("retire {id}"),
                key: format!("retire:{id}"),
                revert: Box::new(move |d, _| d.retire.retain(|r| *r != id2)),
                field: None,
            });
        }
        previous = d;
    }
    out
}
