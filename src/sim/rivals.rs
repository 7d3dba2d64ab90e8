//! Computer-run companies: their decisions come from a policy that reads only public
//! information — last quarter's prices, launches and unit sales — never hidden
//! decisions, costs or cash. They are then resolved by the same `step` as players.
//!
//! Every policy starts from the company's last decisions and sets, per active SKU:
//! - **price** — `PriceFollower { speed }`: moves `speed` of the way toward the
//!   unit-weighted median price of last quarter's offers in the SKU's segment (the
//!   price the typical buyer paid);
//!   `Undercutter { pct, target }`: `(1 − pct) ×` the first player's `target` SKU's
//!   price last quarter; `PremiumBrand`: keeps its price (stable pricing);
//!   `Copycat`: its clones sit at `price_factor ×` the original's price.
//!   The company's price factor (rival-price-cut events) multiplies the result.
//! - **production** — enough to cover last quarter's demand plus a 10% buffer,
//!   less the stock on hand, within capacity; in the first quarter, the opening plan;
//!   for a SKU never made (a fresh clone), a first batch of a quarter of capacity.
//!
//! A `Copycat` without a clone yet launches one (a [`CloneOrder`]) of the
//! best-selling other company's SKU that has been on sale for at least `lag`
//! quarters: performance × `perf_factor` and price × `price_factor` of the
//! original's public figures; its BOM is `bom_factor` × its own price and its defect
//! rate the market's accepted norm (a rival never sees another company's BOM).

use super::decisions::{CompanyDecisions, SkuDecision};
use super::events::Modifiers;
use super::params::RivalPolicy;
use super::world::{SkuState, SkuStatus, World};
use std::sync::Arc;

/// Safety stock rivals plan on top of last quarter's demand.
pub const PRODUCTION_BUFFER: f64 = 0.10;

/// A copycat's order to clone another company's SKU.
#[derive(Clone, Debug, PartialEq)]
pub struct CloneOrder {
    pub company_idx: usize,
    pub sku_id: Arc<str>,
    pub perf_factor: f64,
    pub bom_factor: f64,
    pub price: f64,
}

/// The decisions of computer-run company `idx` this quarter.
pub fn decide(world: &World, idx: usize, mods: &Modifiers) -> (CompanyDecisions, Option<CloneOrder>) {
    let company = &world.companies[idx];
    let mut d = company.last_decisions.carried_over();
    let capacity = (company.capacity as f64 * mods.capacity_factor.max(0.0)).floor() as u64;
    // Rivals obey the same rules as players: regulation caps their dealer margin too.
    d.dealer_margin = d.dealer_margin.min(mods.dealer_margin_max);
    let first_quarter = world.quarter_idx == 0;
    for sku in &company.skus {
        if !sku.is_active() {
            continue;
        }
        let base = d.skus.get(&*sku.id).copied().unwrap_or(SkuDecision {
            price: sku.last_price,
            bom_cut: 0.0,
            mitigation: 0.0,
            production: 0,
        });
        // A policy without a price rule keeps its list price: last quarter's price with
        // last quarter's cut factor taken out, so cuts apply once, never compounding.
        let list = policy_price(world, idx, sku).unwrap_or(base.price / company.last_price_factor);
        let price = list * company.price_factor;
        let production = if first_quarter {
            base.production
        } else if sku.cum_units == 0 && sku.last_demand == 0 {
            capacity / 4
        } else {
            let target = (sku.last_demand as f64 * (1.0 + PRODUCTION_BUFFER)).round_ties_even() as u64;
            target.saturating_sub(sku.stock())
        }
        .min(capacity);
        d.skus.insert(
            sku.id.to_string(),
            SkuDecision {
                price: price.max(1.0),
                production,
                ..base
            },
        );
    }
    let clone = match &company.policy {
        Some(RivalPolicy::Copycat {
            lag,
            perf_factor,
            price_factor,
            bom_factor,
        }) if !company.skus.iter().any(|s| s.copy_of.is_some()) => world
            .public
            .offers
            .iter()
            .filter(|o| {
                o.company_idx != idx && world.quarter_idx.saturating_sub(o.launched_idx) >= *lag && o.units_sold > 0
            })
            .max_by(|a, b| a.units_sold.cmp(&b.units_sold).then(b.company_idx.cmp(&a.company_idx)))
            .map(|o| CloneOrder {
                company_idx: o.company_idx,
                sku_id: o.sku_id.clone(),
                perf_factor: *perf_factor,
                bom_factor: *bom_factor,
                price: o.price * price_factor * company.price_factor,
            }),
        _ => None,
    };
    (d, clone)
}

/// The policy's price for one SKU, if the policy sets one.
fn policy_price(world: &World, idx: usize, sku: &SkuState) -> Option<f64> {
    let company = &world.companies[idx];
    match company.policy.as_ref()? {
        RivalPolicy::PriceFollower { speed } => {
            // Work on list prices before the company's price-cut factor, so a cut
            // lowers prices once and for all instead of feeding on itself. Last
            // quarter's prices were set under last quarter's factor: a cut that
            // arrives this quarter must not be divided out of them (it would be
            // undone the quarter it happens).
            let median = weighted_median_price(world, sku.segment, idx, company.last_price_factor)?;
            let own = sku.last_price / company.last_price_factor;
            Some(own + speed * (median - own))
        }
        RivalPolicy::Undercutter { pct, target } => {
            let player = world.companies.iter().position(|c| c.is_player)?;
            let offer = world
                .public
                .offers
                .iter()
                .find(|o| o.company_idx == player && &*o.sku_id == target.as_str())?;
            Some(offer.price * (1.0 - pct))
        }
        RivalPolicy::PremiumBrand => None,
        RivalPolicy::Copycat { price_factor, .. } => {
            let (orig_company, orig_id) = sku.copy_of.as_ref()?;
            let offer = world
                .public
                .offers
                .iter()
                .find(|o| o.company_idx == *orig_company && o.sku_id == *orig_id)?;
            Some(offer.price * price_factor)
        }
    }
}

/// The unit-weighted median price of last quarter's offers in a segment: the price
/// the typical buyer paid (every company's offers, the follower's own included).
/// Falls back to the plain median when nothing sold.
/// The follower's own prices count before its price-cut factor (`own_factor`).
pub fn weighted_median_price(world: &World, segment: usize, own_idx: usize, own_factor: f64) -> Option<f64> {
    let mut offers: Vec<(f64, u64)> = world
        .public
        .offers
        .iter()
        .filter(|o| o.segment == segment)
        .map(|o| {
            let price = if o.company_idx == own_idx {
                o.price / own_factor
            } else {
                o.price
            };
            (price, o.units_sold)
        })
        .collect();
    if offers.is_empty() {
        return None;
    }
    offers.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: u64 = offers.iter().map(|o| o.1).sum();
    if total == 0 {
        return Some(offers[offers.len() / 2].0);
    }
    let mut seen = 0u64;
    for (price, units) in &offers {
        seen += units;
        if seen * 2 >= total {
            return Some(*price);
        }
    }
    offers.last().map(|o| o.0)
}

/// The SKU a clone order creates, on sale from this quarter.
pub fn clone_sku(world: &World, order: &CloneOrder, quarter_idx: u32) -> Option<SkuState> {
    let original = world
        .companies
        .get(order.company_idx)?
        .skus
        .iter()
        .find(|s| s.id == order.sku_id)?;
    let mut sku = original.clone();
    sku.id = format!("{}-clone", original.id).into();
    sku.name = format!("{} clone", original.name).into();
    // Only public facts: the original's performance and price. The clone's BOM is
    // `bom_factor` of its own price, its defect rate the market's accepted norm.
    sku.perf = original.perf * order.perf_factor;
    sku.bom = order.price * order.bom_factor;
    sku.base_defect = world.scenario.trust.defect_norm;
    sku.avg_defect = sku.base_defect;
    sku.status = SkuStatus::Active;
    sku.launched_idx = quarter_idx;
    sku.cum_units = 0;
    sku.start_units = 0;
    sku.inventory = Default::default();
    sku.avg_cost = 0.0;
    sku.last_sold = 0;
    sku.last_demand = 0;
    sku.last_price = order.price;
    sku.copy_of = Some((order.company_idx, original.id.clone()));
    Some(sku)
}
