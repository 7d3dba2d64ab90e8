//! Named ways to play a company, shared by the CLI, tests, analysis tools and (as a
//! fallback) the workshop: `reference` replays the scenario's own decision log,
//! `hold` repeats the opening decisions, `cost-plus[:MARKUP]` prices each active SKU
//! at its unit cost plus a markup (default 30%) and makes what last quarter's demand
//! suggests, and any decision log can be replayed with [`LogPolicy`].
//!
//! Three **trivial strategies** push one lever to its extreme on top of the
//! reference plan, so the balance report can show that no single lever wins alone:
//! `max-price` doubles every list price, `zero-marketing` spends nothing on community
//! or paid traffic, `max-bom-cut` cuts every BOM by the most allowed (50%).
//! `random:N` is the N-th random but plausible player ([`RandomPlan`]): each quarter
//! it moves price, BOM cut, mitigation, production, channel mix, stores and budgets
//! at random around its last decisions, launches and retires now and then, and
//! always stays within what the model accepts.
//!
//! A policy sees the world before the quarter resolves, as a player would; it may
//! read its own company's costs and stock but other companies only through
//! `world.public`.

use super::decisions::{CompanyDecisions, PartialDecisions, SkuDecision};
use super::params::Scenario;
use super::rng::{SimRng, sim_rng, uniform_open};
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
    MaxPrice,
    ZeroMarketing,
    MaxBomCut,
    Random { plan: u64 },
}

/// The markup `cost-plus` uses when none is given.
pub const DEFAULT_MARKUP: f64 = 0.30;

impl Strategy {
    pub const NAMES: &'static [&'static str] = &[
        "reference",
        "hold",
        "cost-plus[:MARKUP]",
        "max-price",
        "zero-marketing",
        "max-bom-cut",
        "random:N",
    ];

    /// The strategies that push one lever to its extreme (see the module doc).
    pub const TRIVIAL: [Strategy; 3] = [Strategy::MaxPrice, Strategy::ZeroMarketing, Strategy::MaxBomCut];

    /// Parses a name of [`Strategy::NAMES`], e.g. `cost-plus:0.2` or `random:12`.
    pub fn parse(text: &str) -> Result<Strategy, String> {
        match text.split_once(':') {
            None if text == "reference" => Ok(Strategy::Reference),
            None if text == "hold" => Ok(Strategy::Hold),
            None if text == "cost-plus" => Ok(Strategy::CostPlus { markup: DEFAULT_MARKUP }),
            None if text == "max-price" => Ok(Strategy::MaxPrice),
            None if text == "zero-marketing" => Ok(Strategy::ZeroMarketing),
            None if text == "max-bom-cut" => Ok(Strategy::MaxBomCut),
            Some(("random", plan)) => plan
                .parse::<u64>()
                .map(|plan| Strategy::Random { plan })
                .map_err(|_| format!("random needs a plan number, e.g. random:3, found \"{plan}\"")),
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
            Strategy::MaxPrice | Strategy::ZeroMarketing | Strategy::MaxBomCut => Box::new(Extreme {
                base: LogPolicy::new(scenario.reference.clone()),
                lever: *self,
            }),
            Strategy::Random { plan } => Box::new(RandomPlan::new(plan)),
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Reference => f.write_str("reference"),
            Strategy::Hold => f.write_str("hold"),
            Strategy::CostPlus { markup } => write!(f, "cost-plus:{markup}"),
            Strategy::MaxPrice => f.write_str("max-price"),
            Strategy::ZeroMarketing => f.write_str("zero-marketing"),
            Strategy::MaxBomCut => f.write_str("max-bom-cut"),
            Strategy::Random { plan } => write!(f, "random:{plan}"),
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

/// A SKU's list price as the scenario defines it (the company's own SKUs, then the
/// catalogue).
pub fn spec_list_price(world: &World, company_idx: usize, id: &str) -> Option<f64> {
    let sc = &world.scenario;
    sc.companies
        .get(company_idx)
        .and_then(|c| c.skus.iter().find(|s| s.id == id))
        .or_else(|| sc.catalogue_sku(id))
        .map(|s| s.list_price)
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

/// The reference plan with one lever pushed to its extreme.
struct Extreme {
    base: LogPolicy,
    lever: Strategy,
}

/// The largest BOM cut the model accepts.
const MAX_BOM_CUT: f64 = 0.5;

impl Policy for Extreme {
    fn decide(&mut self, world: &World, company_idx: usize) -> CompanyDecisions {
        let mut d = self.base.decide(world, company_idx);
        match self.lever {
            Strategy::MaxPrice => {
                for (id, sku) in d.skus.iter_mut() {
                    sku.price = 2.0 * spec_list_price(world, company_idx, id).unwrap_or(sku.price);
                }
            }
            Strategy::ZeroMarketing => {
                d.community = 0.0;
                d.paid_traffic = 0.0;
            }
            Strategy::MaxBomCut => {
                for sku in d.skus.values_mut() {
                    sku.bom_cut = MAX_BOM_CUT;
                }
            }
            _ => {}
        }
        d
    }
}

/// A random but plausible player: see the module doc. Plan `n` always makes the same
/// moves in the same world, so a balance report is reproducible.
pub struct RandomPlan {
    rng: SimRng,
}

impl RandomPlan {
    pub fn new(plan: u64) -> Self {
        Self {
            // Offset so plan n does not share its stream with the run of seed n.
            rng: sim_rng(plan ^ 0x5eed_ba1a_11ce_0000),
        }
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * uniform_open(&mut self.rng)
    }
}

impl Policy for RandomPlan {
    fn decide(&mut self, world: &World, company_idx: usize) -> CompanyDecisions {
        let sc = &world.scenario;
        let company = &world.companies[company_idx];
        let mut d = company.last_decisions.carried_over();
        let capacity = events::upcoming_capacity(world, company_idx);
        for sku in &company.skus {
            let Some(decision) = d.skus.get_mut(&*sku.id) else {
                continue;
            };
            let list = spec_list_price(world, company_idx, &sku.id).unwrap_or(decision.price);
            decision.price = (decision.price * self.uniform(0.85, 1.15)).clamp(0.6 * list, 1.6 * list);
            decision.bom_cut = self.uniform(0.0, 0.2);
            decision.mitigation = self.uniform(0.0, 2.0 * sc.quality.mitigation_scale);
            decision.production = if sku.is_active() {
                let basis = if world.quarter_idx == 0 {
                    decision.production
                } else {
                    sku.last_demand
                };
                ((basis as f64 * self.uniform(0.6, 1.4)) as u64).min(capacity)
            } else {
                0
            };
        }
        let active = company.skus.iter().filter(|s| s.is_active()).count();
        if active > 1
            && self.uniform(0.0, 1.0) < 0.05
            && let Some(sku) = company.skus.iter().rev().find(|s| s.is_active())
        {
            d.retire.push(sku.id.to_string());
            if let Some(decision) = d.skus.get_mut(&*sku.id) {
                decision.production = 0;
            }
        }
        for spec in &sc.catalogue {
            let known = company.skus.iter().any(|s| *s.id == *spec.id);
            if !known && self.uniform(0.0, 1.0) < 0.15 {
                d.launch.push(spec.id.clone());
                d.skus.insert(
                    spec.id.clone(),
                    SkuDecision {
                        price: spec.list_price * self.uniform(0.8, 1.2),
                        bom_cut: 0.0,
                        mitigation: 0.0,
                        production: 0,
                    },
                );
            }
        }
        let store_stock: u64 = company.skus.iter().map(|s| s.inventory.own_retail).sum();
        let stores = (f64::from(d.stores) * self.uniform(0.7, 1.5) + self.uniform(0.0, 3.0)).round() as u32;
        d.stores = stores.min(sc.finance.max_stores);
        if store_stock > 0 {
            d.stores = d.stores.max(1);
        }
        let mut weights = d.channels.map(|_, w| (w + 0.05) * self.uniform(0.5, 1.5));
        if d.stores == 0 {
            weights.own_retail = 0.0;
        }
        let total = weights.sum();
        d.channels = weights.map(|_, w| w / total);
        d.dealer_margin = (d.dealer_margin * self.uniform(0.7, 1.3)).min(sc.finance.max_dealer_margin);
        d.community *= self.uniform(0.5, 1.6);
        d.paid_traffic *= self.uniform(0.5, 1.6);
        d.monetisation = (d.monetisation + self.uniform(-0.1, 0.1)).clamp(0.0, 1.0);
        d.rnd *= self.uniform(0.5, 1.6);
        d
    }
}
