//! Named ways to play a company, shared by the CLI, tests, analysis tools and (as a
//! fallback) the workshop: `reference` replays the scenario's own decision log,
//! `hold` repeats the opening decisions, `cost-plus[:MARKUP]` prices each active SKU
//! at its unit cost plus a markup (default 30%) and makes what last quarter's demand
//! suggests, and any decision log can be replayed with [`LogPolicy`].
//!
//! A policy sees the world before the quarter resolves, as a player would; it may
//! read its own company's costs and stock but other companies only through
//! `world.public`.

use super::decisions::{CompanyDecisions, PartialDecisions};
use super::params::Scenario;
use super::world::World;
use super::{cost, events};
use std::fmt;

/// Something that decides for one company, quarter after quarter.
pub trait Policy {
    fn decide(&mut self, world: &World, company_idx: usize) -> CompanyDecisions;
}

/// A strategy named on the command line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Strategy {
    Reference,
    Hold,
    CostPlus { markup: f64 },
}

/// The markup `cost-plus` uses when none is given.
pub const DEFAULT_MARKUP: f64 = 0.30;

impl Strategy {
    pub const NAMES: &'static [&'static str] = &["reference", "hold", "cost-plus[:MARKUP]"];

    /// Parses `reference`, `hold`, `cost-plus` or `cost-plus:0.2`.
    pub fn parse(text: &str) -> Result<Strategy, String> {
        match text.split_once(':') {
            None if text == "reference" => Ok(Strategy::Reference),
            None if text == "hold" => Ok(Strategy::Hold),
            None if text == "cost-plus" => Ok(Strategy::CostPlus { markup: DEFAULT_MARKUP }),
            Some(("cost-plus", markup)) => match markup.parse::<f64>() {
                Ok(m) if m.is_finite() && m > -1.0 && m <= 10.0 => Ok(Strategy::CostPlus { markup: m }),
                _ => Err(format!(
                    "cost-plus markup must be a number above -1 and at most 10, found \"{markup}\""
                )),
            },
            _ => Err(format!(
                "unknown strategy \"{text}\": use one of {}",
                Strategy::NAMES.join(", ")
            )),
        }
    }

    /// A fresh policy playing this strategy in `scenario`.
    pub fn policy(&self, scenario: &Scenario) -> Box<dyn Policy> {
        match *self {
            Strategy::Reference => Box::new(LogPolicy::new(scenario.reference.clone())),
            Strategy::Hold => Box::new(Hold),
            Strategy::CostPlus { markup } => Box::new(CostPlus { markup }),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Reference => f.write_str("reference"),
            Strategy::Hold => f.write_str("hold"),
            Strategy::CostPlus { markup } => write!(f, "cost-plus:{markup}"),
        }
    }
}

/// Replays a decision log: quarter `i` applies entry `i` on top of the last decisions
/// (fields left out carry over); past the log's end, decisions are held.
#[derive(Clone, Debug)]
pub struct LogPolicy {
    log: Vec<PartialDecisions>,
}

impl LogPolicy {
    pub fn new(log: Vec<PartialDecisions>) -> Self {
        Self { log }
    }
}

impl Policy for LogPolicy {
    fn decide(&mut self, world: &World, company_idx: usize) -> CompanyDecisions {
        let company = &world.companies[company_idx];
        let last = &company.last_decisions;
        match self.log.get(world.quarter_idx as usize) {
            Some(change) => last.with(change, |id| list_price(world, company_idx, id)),
            None => last.carried_over(),
        }
    }
}

/// The price a SKU starts at: its last price, or its catalogue list price.
pub fn list_price(world: &World, company_idx: usize, id: &str) -> Option<f64> {
    world.companies[company_idx]
        .skus
        .iter()
        .find(|s| &*s.id == id)
        .map(|s| s.last_price)
        .or_else(|| world.scenario.catalogue_sku(id).map(|s| s.list_price))
}

/// Repeats the opening decisions every quarter.
#[derive(Clone, Copy, Debug)]
pub struct Hold;

impl Policy for Hold {
    fn decide(&mut self, world: &World, company_idx: usize) -> CompanyDecisions {
        world.companies[company_idx].last_decisions.carried_over()
    }
}

/// Unit cost plus a fixed markup; production follows last quarter's demand.
#[derive(Clone, Copy, Debug)]
pub struct CostPlus {
    pub markup: f64,
}

impl Policy for CostPlus {
    fn decide(&mut self, world: &World, company_idx: usize) -> CompanyDecisions {
        let company = &world.companies[company_idx];
        let sc = &world.scenario;
        let mut d = company.last_decisions.carried_over();
        let capacity = events::upcoming_capacity(world, company_idx);
        let cost_factor = events::upcoming_modifiers(world).cost_factor;
        for sku in company.skus.iter().filter(|s| s.is_active()) {
            let Some(decision) = d.skus.get_mut(&*sku.id) else {
                continue;
            };
            let unit_cost = cost::sku_unit_cost(sku, decision.bom_cut, world.quarter_idx, &sc.costs, cost_factor);
            decision.price = (unit_cost * (1.0 + self.markup)).max(1.0);
            if world.quarter_idx > 0 {
                let target = (sku.last_demand as f64 * 1.1).round_ties_even() as u64;
                decision.production = target.saturating_sub(sku.stock());
            }
            decision.production = decision.production.min(capacity);
        }
        d
    }
}
