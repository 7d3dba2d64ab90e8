//! The state of a market between two quarters: segments, companies, their SKUs, the
//! events in force and what the market showed publicly last quarter.
//!
//! A `World` is a value: [`super::step`] takes one and returns the next. It shares
//! the scenario through an `Arc`, so cloning it copies only the changing state.
//! A company's state and the events in force derive serde, field for field, so the
//! workshop can send a team its own company (`workshop::protocol::TeamDesk`).

use super::channel_map::ChannelMap;
use super::decisions::CompanyDecisions;
use super::params::{Event, RivalPolicy, Scenario, SkuSpec};
use super::rng::{SimRng, sim_rng};
use super::time::Quarter;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A market between two quarters.
#[derive(Clone, Debug)]
pub struct World {
    pub scenario: Arc<Scenario>,
    /// Quarters resolved so far; the next `step` resolves quarter `quarter_idx`.
    pub quarter_idx: u32,
    pub rng: SimRng,
    pub segments: Vec<SegmentState>,
    pub companies: Vec<CompanyState>,
    /// Events in force and when they end.
    pub active_events: Vec<ActiveEvent>,
    /// Events injected from outside the scenario (a facilitator), by quarter.
    pub injected: Vec<(u32, Event)>,
    /// Performance multiplier for SKUs launched from now on (better chipsets).
    pub chipset_perf: f64,
    /// What buyers and rivals saw last quarter.
    pub public: PublicMarket,
}

/// A segment's changing numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmentState {
    /// Bass market potential `M`.
    pub potential: f64,
    /// Cumulative adopters `N` (the installed base).
    pub adopters: f64,
    /// Reference performance buyers expect (rises with better chipsets).
    pub ref_perf: f64,
}

/// Where a SKU is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SkuStatus {
    /// Launched, being developed; produced from quarter `ready_idx` on.
    Development {
        ready_idx: u32,
    },
    Active,
    /// Retired in quarter `since_idx`; stock sells down, then is written off.
    Retired {
        since_idx: u32,
    },
}

/// One product of one company.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkuState {
    pub id: Arc<str>,
    pub name: Arc<str>,
    pub segment: usize,
    pub perf: f64,
    pub bom: f64,
    pub base_defect: f64,
    pub status: SkuStatus,
    pub launched_idx: u32,
    pub cum_units: u64,
    /// Units made before the scenario started (Wright's-law experience).
    pub start_units: u64,
    /// Units in stock, per channel.
    pub inventory: ChannelMap<u64>,
    /// Moving-average cost of a unit in stock.
    pub avg_cost: f64,
    /// Moving-average defect rate of the units in stock (each batch keeps the
    /// quality it was made with).
    pub avg_defect: f64,
    /// Last quarter's units sold and demand (sold + lost to stock-outs).
    pub last_sold: u64,
    pub last_demand: u64,
    /// The price it sold at last quarter.
    pub last_price: f64,
    /// What a unit made last quarter cost (0 before the first quarter).
    pub last_unit_cost: f64,
    /// The rival SKU this one copies, for copycats: (company index, SKU id).
    pub copy_of: Option<(usize, Arc<str>)>,
}

impl SkuState {
    pub fn from_spec(spec: &SkuSpec, status: SkuStatus, launched_idx: u32) -> Self {
        Self {
            id: spec.id.as_str().into(),
            name: spec.name.as_str().into(),
            segment: spec.segment,
            perf: spec.perf,
            bom: spec.bom,
            base_defect: spec.base_defect,
            status,
            launched_idx,
            cum_units: spec.cum_units,
            start_units: spec.cum_units,
            inventory: ChannelMap::default(),
            avg_cost: 0.0,
            avg_defect: spec.base_defect,
            last_sold: 0,
            last_demand: 0,
            last_price: spec.list_price,
            last_unit_cost: 0.0,
            copy_of: None,
        }
    }

    pub fn stock(&self) -> u64 {
        self.inventory.sum()
    }

    pub fn is_active(&self) -> bool {
        self.status == SkuStatus::Active
    }
}

/// A quarter's figures kept for trailing-four-quarter measures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuarterFlows {
    pub hw_revenue: f64,
    /// Hardware profit before any rebate.
    pub hw_profit: f64,
    pub rebate: f64,
    pub cogs: ChannelMap<f64>,
    /// Average inventory at cost over the quarter (with the display-stock floor).
    pub avg_inventory: ChannelMap<f64>,
}

/// The last four quarters' flows, oldest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    flows: [QuarterFlows; 4],
    len: usize,
}

impl History {
    pub fn push(&mut self, flows: QuarterFlows) {
        if self.len == 4 {
            self.flows.rotate_left(1);
            self.flows[3] = flows;
        } else {
            self.flows[self.len] = flows;
            self.len += 1;
        }
    }

    /// The kept quarters, oldest first (at most four).
    pub fn quarters(&self) -> &[QuarterFlows] {
        &self.flows[..self.len]
    }
}

/// One company: a player's or a computer-run rival's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompanyState {
    pub name: Arc<str>,
    pub is_player: bool,
    pub policy: Option<RivalPolicy>,
    pub cash: f64,
    pub trust: f64,
    pub capacity: u64,
    /// Share of each segment's buyers who know the company (0..1).
    pub awareness: Vec<f64>,
    pub active_users: f64,
    pub stores: u32,
    pub rnd_stock: f64,
    pub skus: Vec<SkuState>,
    /// The decisions of the last quarter resolved (the opening decisions before).
    pub last_decisions: CompanyDecisions,
    /// Herfindahl index of last quarter's unit sales across SKUs.
    pub focus: f64,
    /// Multiplier on the company's prices from rival price-cut events.
    pub price_factor: f64,
    /// The multiplier that was in force when last quarter's prices were set, so a
    /// policy can recover its list prices after a new cut (`last_price / this`).
    pub last_price_factor: f64,
    pub history: History,
    /// Bankrupt companies leave the market for good.
    pub bankrupt: bool,
}

/// A SKU as the market sees it: no costs, no stock, no plans.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicOffer {
    pub company_idx: usize,
    pub sku_id: Arc<str>,
    pub segment: usize,
    pub price: f64,
    pub perf: f64,
    pub units_sold: u64,
    pub launched_idx: u32,
}

/// What anyone could read about the market after a quarter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PublicMarket {
    pub offers: Vec<PublicOffer>,
}

/// An event in force.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActiveEvent {
    pub event: Event,
    /// First quarter index in which it no longer applies (`u32::MAX`: never ends).
    pub ends_idx: u32,
}

impl World {
    /// The market at the start of `scenario`, with the run's seed.
    pub fn new(scenario: Arc<Scenario>, seed: u64) -> Self {
        let segments = scenario
            .market
            .segments
            .iter()
            .map(|s| SegmentState {
                potential: s.potential,
                adopters: s.adopters,
                ref_perf: s.ref_perf,
            })
            .collect();
        let companies: Vec<CompanyState> = scenario
            .companies
            .iter()
            .map(|spec| CompanyState {
                name: spec.name.as_str().into(),
                is_player: spec.is_player,
                policy: spec.policy.clone(),
                cash: spec.cash,
                trust: spec.trust,
                capacity: spec.capacity,
                awareness: spec.awareness.clone(),
                active_users: spec.active_users,
                stores: spec.stores,
                rnd_stock: 0.0,
                skus: spec
                    .skus
                    .iter()
                    .map(|sku| {
                        let mut state = SkuState::from_spec(sku, SkuStatus::Active, 0);
                        // Before the first quarter, the opening plan stands in for last
                        // quarter's price and volume in the public market.
                        if let Some(d) = spec.opening.skus.get(&sku.id) {
                            state.last_price = d.price;
                            state.last_sold = d.production;
                        }
                        state
                    })
                    .collect(),
                last_decisions: spec.opening.clone(),
                focus: 1.0,
                price_factor: 1.0,
                last_price_factor: 1.0,
                history: History::default(),
                bankrupt: false,
            })
            .collect();
        let public = public_market_of(&companies);
        World {
            scenario,
            quarter_idx: 0,
            rng: sim_rng(seed),
            segments,
            companies,
            active_events: Vec::new(),
            injected: Vec::new(),
            chipset_perf: 1.0,
            public,
        }
    }

    /// The quarter the next `step` resolves.
    pub fn quarter(&self) -> Quarter {
        self.scenario.quarter_at(self.quarter_idx)
    }

    /// Whether every quarter of the scenario has been resolved.
    pub fn is_finished(&self) -> bool {
        self.quarter_idx >= self.scenario.n_quarters
    }

    /// Adds an event to resolve at the start of the next quarter (a facilitator's injection).
    pub fn inject(&mut self, event: Event) {
        self.injected.push((self.quarter_idx, event));
    }

    /// Index of the company with this name.
    pub fn company_index(&self, name: &str) -> Option<usize> {
        self.companies.iter().position(|c| &*c.name == name)
    }
}

/// The public view of every company's current offers.
pub fn public_market_of(companies: &[CompanyState]) -> PublicMarket {
    let mut offers = Vec::new();
    for (company_idx, company) in companies.iter().enumerate() {
        if company.bankrupt {
            continue;
        }
        for sku in &company.skus {
            if matches!(sku.status, SkuStatus::Development { .. }) {
                continue;
            }
            offers.push(PublicOffer {
                company_idx,
                sku_id: sku.id.clone(),
                segment: sku.segment,
                price: sku.last_price,
                perf: sku.perf,
                units_sold: sku.last_sold,
                launched_idx: sku.launched_idx,
            });
        }
    }
    PublicMarket { offers }
}
