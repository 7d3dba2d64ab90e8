//! Step 1 of the order of resolution: events due this quarter are applied.
//!
//! Due events are the scenario's schedule for this quarter plus any a facilitator
//! injected. One-shot kinds change the world for good: `RivalPriceCut` multiplies
//! the named company's price factor by `1 − pct`; `BetterChipset` raises the
//! segments' reference performance and the performance of SKUs launched from now
//! on by `1 + perf_gain`. Lasting kinds stay in force for `duration` quarters (0 =
//! for good) and fold into this quarter's [`Modifiers`]: capacity and unit cost
//! (`SupplyShock`), the traffic-cost index (`TrafficCostSpike`), buyers per
//! segment (`DemandShock`), platform commission and the dealer-margin ceiling
//! (`Regulation`). Several lasting events of one kind multiply (or add, for the
//! commission; the lowest ceiling wins for dealer margins).

use super::params::{Event, EventKind, Scenario};
use super::world::{ActiveEvent, World};

/// This quarter's combined effect of the lasting events in force.
#[derive(Clone, Debug, PartialEq)]
pub struct Modifiers {
    pub capacity_factor: f64,
    pub cost_factor: f64,
    pub traffic_factor: f64,
    /// Buyers multiplier per segment.
    pub demand_factor: Vec<f64>,
    pub commission_delta: f64,
    pub dealer_margin_max: f64,
}

/// Events that start this quarter: scheduled first, then injected, each in file order.
pub fn due(world: &World) -> Vec<Event> {
    let q = world.quarter_idx;
    world
        .scenario
        .events
        .iter()
        .filter(|e| e.quarter_idx == q)
        .map(|e| e.event.clone())
        .chain(
            world
                .injected
                .iter()
                .filter(|(idx, _)| *idx == q)
                .map(|(_, e)| e.clone()),
        )
        .collect()
}

/// Applies the one-shot effects of `due` to `world` and registers the lasting ones.
/// Returns the titles of the events applied, for the report.
pub fn apply(world: &mut World, due: &[Event]) -> Vec<String> {
    let q = world.quarter_idx;
    world.active_events.retain(|a| a.ends_idx > q);
    for event in due {
        match &event.kind {
            EventKind::RivalPriceCut { company, pct } => {
                if let Some(idx) = world.company_index(company) {
                    world.companies[idx].price_factor *= 1.0 - pct;
                }
            }
            EventKind::BetterChipset { perf_gain } => {
                world.chipset_perf *= 1.0 + perf_gain;
                for seg in &mut world.segments {
                    seg.ref_perf *= 1.0 + perf_gain;
                }
            }
            _ => world.active_events.extend(lasting(event.clone(), q)),
        }
    }
    due.iter().map(|e| e.title.clone()).collect()
}

/// The modifiers that will be in force when `world`'s next quarter resolves (events
/// still running plus those due), without changing anything: what a player or a
/// policy may plan against, such as this quarter's capacity.
pub fn upcoming_modifiers(world: &World) -> Modifiers {
    let q = world.quarter_idx;
    let mut active: Vec<ActiveEvent> = world.active_events.iter().filter(|a| a.ends_idx > q).cloned().collect();
    active.extend(due(world).into_iter().filter_map(|e| lasting(e, q)));
    modifiers(&active, &world.scenario)
}

/// A lasting event starting in quarter `q`, or `None` for one-shot kinds.
fn lasting(event: Event, q: u32) -> Option<ActiveEvent> {
    match event.kind {
        EventKind::RivalPriceCut { .. } | EventKind::BetterChipset { .. } => None,
        _ => Some(ActiveEvent {
            ends_idx: if event.duration == 0 {
                u32::MAX
            } else {
                q.saturating_add(event.duration)
            },
            event,
        }),
    }
}

/// Production capacity per SKU of company `company_idx` in `world`'s next quarter.
pub fn upcoming_capacity(world: &World, company_idx: usize) -> u64 {
    let factor = upcoming_modifiers(world).capacity_factor.max(0.0);
    world
        .companies
        .get(company_idx)
        .map_or(0, |c| (c.capacity as f64 * factor).floor() as u64)
}

/// The combined modifiers of the events in force.
pub fn modifiers(active: &[ActiveEvent], scenario: &Scenario) -> Modifiers {
    let mut m = Modifiers {
        capacity_factor: 1.0,
        cost_factor: 1.0,
        traffic_factor: 1.0,
        demand_factor: vec![1.0; scenario.market.segments.len()],
        commission_delta: 0.0,
        dealer_margin_max: scenario.finance.max_dealer_margin,
    };
    for active in active {
        match &active.event.kind {
            EventKind::SupplyShock {
                capacity_factor,
                cost_factor,
            } => {
                m.capacity_factor *= capacity_factor;
                m.cost_factor *= cost_factor;
            }
            EventKind::TrafficCostSpike { factor } => m.traffic_factor *= factor,
            EventKind::DemandShock { segment, factor } => {
                for (idx, seg) in scenario.market.segments.iter().enumerate() {
                    if segment.as_deref().is_none_or(|name| name == seg.name) {
                        m.demand_factor[idx] *= factor;
                    }
                }
            }
            EventKind::Regulation {
                commission_delta,
                dealer_margin_max,
            } => {
                m.commission_delta += commission_delta;
                if let Some(max) = dealer_margin_max {
                    m.dealer_margin_max = m.dealer_margin_max.min(*max);
                }
            }
            EventKind::RivalPriceCut { .. } | EventKind::BetterChipset { .. } => {}
        }
    }
    m
}
