//! The decision preview: what the core can tell a player about this quarter's
//! decisions *before* the quarter resolves, without any randomness.
//!
//! Per SKU: this quarter's unit cost (`cost::unit_cost` with the events due: learning,
//! drift, supply shocks) and its change on last quarter; the defect rate of the
//! design (`quality::defect_rate`), the veto threshold and whether it would be
//! vetoed; the gross margin per unit at this price in each channel (dealers keep
//! their margin); the capacity this quarter. For the company: the hardware-margin
//! cap and the headroom left under it on last quarter's trailing margin; the cash
//! committed this quarter before any sale (production at this unit cost, budgets,
//! mitigation, launches, store rent and fit-out, overhead) and the **runway**: how
//! many quarters like this one cash plus the credit line would pay for with no sales
//! at all, `(cash + credit_line) / committed`.

use super::channel_map::{Channel, ChannelMap};
use super::decisions::{self, CompanyDecisions, FieldProblem, ValidationContext};
use super::world::{SkuStatus, World};
use super::{cost, events, quality};

/// One SKU's preview.
#[derive(Clone, Debug, PartialEq)]
pub struct SkuPreview {
    pub id: String,
    pub unit_cost: f64,
    /// Relative change on last quarter's unit cost (`None` before the first quarter).
    pub unit_cost_change: Option<f64>,
    pub defect_rate: f64,
    pub veto_threshold: f64,
    pub vetoed: bool,
    /// Gross margin per unit at this price, per channel: `(net price − unit cost) / net price`.
    pub gross_margin: ChannelMap<f64>,
    pub capacity: u64,
}

/// The company's preview.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    pub skus: Vec<SkuPreview>,
    pub cap: Option<f64>,
    /// Last reported trailing hardware net margin (after any rebate).
    pub last_margin: Option<f64>,
    /// `cap − last_margin`, in fractions (0.016 = 1.6 points).
    pub cap_headroom: Option<f64>,
    pub cash: f64,
    /// Cash this quarter's decisions commit before any sale.
    pub committed: f64,
    /// Quarters like this one that cash plus credit would pay for with no sales.
    pub runway_quarters: f64,
}

/// Previews `decisions` for company `company_idx` in `world`'s next quarter.
pub fn preview(world: &World, company_idx: usize, decisions: &CompanyDecisions) -> Preview {
    let sc = &world.scenario;
    let company = &world.companies[company_idx];
    let mods = events::upcoming_modifiers(world);
    let capacity = events::upcoming_capacity(world, company_idx);
    let q = world.quarter_idx;
    let mut committed = sc.finance.overhead + decisions.community + decisions.paid_traffic + decisions.rnd;
    let mut skus = Vec::new();
    for sku in &company.skus {
        let Some(d) = decisions.skus.get(&*sku.id) else {
            continue;
        };
        let unit_cost = cost::sku_unit_cost(sku, d.bom_cut, q, &sc.costs, mods.cost_factor);
        let defect_rate = quality::defect_rate(sku.base_defect, d.bom_cut, d.mitigation, &sc.quality);
        let producing = matches!(sku.status, SkuStatus::Active);
        if !matches!(sku.status, SkuStatus::Retired { .. }) {
            committed += d.mitigation;
        }
        if producing {
            committed += d.production.min(capacity) as f64 * unit_cost;
        }
        let gross_margin = ChannelMap::from_fn(|ch| {
            let net = match ch {
                Channel::Dealer => d.price * (1.0 - decisions.dealer_margin),
                _ => d.price,
            };
            if net > 0.0 { (net - unit_cost) / net } else { 0.0 }
        });
        skus.push(SkuPreview {
            id: sku.id.to_string(),
            unit_cost,
            unit_cost_change: (sku.last_unit_cost > 0.0).then(|| unit_cost / sku.last_unit_cost - 1.0),
            defect_rate,
            veto_threshold: sc.quality.veto_threshold,
            vetoed: producing && quality::is_vetoed(defect_rate, &sc.quality),
            gross_margin,
            capacity,
        });
    }
    for id in &decisions.launch {
        if let Some(spec) = sc.catalogue_sku(id) {
            committed += spec.launch_cost;
        }
    }
    let own = &sc.channels[Channel::OwnRetail];
    committed += decisions.stores as f64 * own.store_cost
        + decisions.stores.saturating_sub(company.stores) as f64 * own.store_opening_cost;
    let last_margin = trailing_margin_after_cap(world, company_idx);
    let cap = sc.cap.cap();
    let runway_quarters = if committed > 0.0 {
        ((company.cash + sc.finance.credit_line) / committed).max(0.0)
    } else {
        f64::MAX
    };
    Preview {
        skus,
        cap,
        last_margin,
        cap_headroom: cap.zip(last_margin).map(|(c, m)| c - m),
        cash: company.cash,
        committed,
        runway_quarters: runway_quarters.min(99.0),
    }
}

/// The trailing-four-quarter hardware net margin after rebates, as last reported.
fn trailing_margin_after_cap(world: &World, company_idx: usize) -> Option<f64> {
    let flows = world.companies[company_idx].history.quarters();
    let revenue: f64 = flows.iter().map(|f| f.hw_revenue).sum();
    if flows.is_empty() || revenue <= 0.0 {
        return None;
    }
    let profit: f64 = flows.iter().map(|f| f.hw_profit - f.rebate).sum();
    Some(profit / revenue)
}

/// Every problem `step` would refuse `decisions` for, checked against the quarter
/// about to resolve (its capacity and dealer-margin ceiling after the events due).
pub fn problems(world: &World, company_idx: usize, decisions: &CompanyDecisions) -> Vec<FieldProblem> {
    let sc = &world.scenario;
    let ctx = ValidationContext {
        capacity: events::upcoming_capacity(world, company_idx),
        max_stores: sc.finance.max_stores,
        max_dealer_margin: events::upcoming_modifiers(world).dealer_margin_max,
        catalogue_lead_time: &|id| sc.catalogue_sku(id).map(|k| k.lead_time),
        quarter_idx: world.quarter_idx,
    };
    decisions::problems(&world.companies[company_idx], decisions, &ctx)
}
