//! Replaying a player's decisions: the one loop the debrief's measurements share
//! (each decision reverted, the cap flipped), always with the run's own seed so a
//! difference comes from the change, not from noise. [`as_log`] writes the played
//! decisions back as a decision log, so the analysis tools (a sweep) can vary one of
//! them the way a log carries it over.

use crate::sim::decisions::{CompanyDecisions, PartialDecisions, PartialSkuDecision};
use crate::sim::{Channel, CompanyReport, Decisions, Scenario, World, step};
use std::sync::Arc;

/// The player's report rows when `decisions` are played in `scenario` with `seed`,
/// or `None` if the model refuses a quarter's decisions. Stops at bankruptcy.
pub fn player_rows(scenario: &Arc<Scenario>, seed: u64, decisions: &[CompanyDecisions]) -> Option<Vec<CompanyReport>> {
    let mut world = World::new(scenario.clone(), seed);
    let mut rows = Vec::new();
    for d in decisions {
        let (next, report) = step(&world, &Decisions::solo(d.clone())).ok()?;
        world = next;
        rows.extend(report.companies.into_iter().filter(|r| r.is_player));
        if world.companies.iter().any(|c| c.is_player && c.bankrupt) {
            break;
        }
    }
    Some(rows)
}

/// The world just before quarter `q` resolves, after the first `q` quarters of
/// `decisions` played with `seed` (what the player saw when deciding quarter `q`).
pub fn world_before(scenario: &Arc<Scenario>, seed: u64, decisions: &[CompanyDecisions], q: usize) -> Option<World> {
    let mut world = World::new(scenario.clone(), seed);
    for d in decisions.iter().take(q) {
        world = step(&world, &Decisions::solo(d.clone())).ok()?.0;
    }
    Some(world)
}

/// The player's decisions per quarter written as a decision log: each quarter lists
/// only what differs from the quarter before (the opening decisions for the first),
/// so a value carries over until the player next changed it, as in a log. A SKU
/// seen for the first time is written in full. `None` when the log could not say it
/// (a SKU dropped from the decisions); replayed from `opening` with the carry-over
/// rule, the log gives back `played` exactly.
pub fn as_log(opening: &CompanyDecisions, played: &[CompanyDecisions]) -> Option<Vec<PartialDecisions>> {
    let mut log = Vec::with_capacity(played.len());
    let mut previous = opening.clone();
    for d in played {
        if previous.skus.keys().any(|id| !d.skus.contains_key(id)) {
            return None;
        }
        let changed = |was: f64, now: f64| (was.to_bits() != now.to_bits()).then_some(now);
        let skus = d
            .skus
            .iter()
            .filter_map(|(id, now)| {
                let entry = match previous.skus.get(id) {
                    None => PartialSkuDecision {
                        price: Some(now.price),
                        bom_cut: Some(now.bom_cut),
                        mitigation: Some(now.mitigation),
                        production: Some(now.production),
                    },
                    Some(was) => PartialSkuDecision {
                        price: changed(was.price, now.price),
                        bom_cut: changed(was.bom_cut, now.bom_cut),
                        mitigation: changed(was.mitigation, now.mitigation),
                        production: (was.production != now.production).then_some(now.production),
                    },
                };
                (entry != PartialSkuDecision::default()).then(|| (id.clone(), entry))
            })
            .collect();
        let channels_changed = Channel::ALL
            .iter()
            .any(|c| previous.channels[*c].to_bits() != d.channels[*c].to_bits());
        log.push(PartialDecisions {
            skus,
            launch: d.launch.clone(),
            retire: d.retire.clone(),
            channels: channels_changed.then_some(d.channels),
            stores: (previous.stores != d.stores).then_some(d.stores),
            dealer_margin: changed(previous.dealer_margin, d.dealer_margin),
            community: changed(previous.community, d.community),
            paid_traffic: changed(previous.paid_traffic, d.paid_traffic),
            monetisation: changed(previous.monetisation, d.monetisation),
            rnd: changed(previous.rnd, d.rnd),
        });
        let replayed = previous.with(log.last()?, |_| None);
        if replayed != *d {
            return None;
        }
        previous = replayed;
    }
    Some(log)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{ChannelMap, SkuDecision};

    fn decisions(price: f64, stores: u32) -> CompanyDecisions {
        CompanyDecisions {
            skus: [(
                "phone".to_string(),
                SkuDecision {
                    price,
                    bom_cut: 0.0,
                    mitigation: 0.0,
                    production: 100,
                },
            )]
            .into(),
            launch: Vec::new(),
            retire: Vec::new(),
            channels: ChannelMap::from_fn(|c| if c == Channel::Online { 1.0 } else { 0.0 }),
            stores,
            dealer_margin: 0.0,
            community: 0.0,
            paid_traffic: 0.0,
            monetisation: 0.0,
            rnd: 0.0,
        }
    }

    #[test]
    fn a_log_lists_only_changes_and_replays_exactly() {
        let opening = decisions(1999.0, 0);
        let mut launched = decisions(1799.0, 0);
        launched.launch = vec!["pro".into()];
        launched.skus.insert(
            "pro".into(),
            SkuDecision {
                price: 2999.0,
                bom_cut: 0.1,
                mitigation: 5.0,
                production: 0,
            },
        );
        let mut held = launched.carried_over();
        held.stores = 3;
        let played = vec![opening.clone(), launched, held];
        let log = as_log(&opening, &played).expect("expressible");
        assert_eq!(log[0], PartialDecisions::default());
        assert_eq!(log[1].skus["phone"].price, Some(1799.0));
        assert_eq!(log[1].skus["phone"].production, None);
        assert_eq!(log[1].skus["pro"].bom_cut, Some(0.1), "a new SKU is written in full");
        assert_eq!(log[2].skus.len(), 0);
        assert_eq!((log[2].stores, log[2].launch.len()), (Some(3), 0));
        let mut d = opening.clone();
        for (entry, want) in log.iter().zip(&played) {
            d = d.with(entry, |_| None);
            assert_eq!(&d, want);
        }
        // A SKU dropped from the decisions cannot be said in a log.
        let mut dropped = played[2].clone();
        dropped.skus.remove("pro");
        assert_eq!(as_log(&opening, &[played[1].clone(), dropped]), None);
    }
}
