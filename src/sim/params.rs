//! Scenario parameters as the core sees them: validated plain data.
//!
//! `scenario::validate` builds a [`Scenario`] from the RON file types; names in the
//! file (segments, companies, SKUs) are resolved to indices here. The purely numeric
//! blocks (`CostParams`, `QualityParams`, …) are read straight from the file, since
//! they carry no names to resolve; their ranges are checked by the validator.

use super::channel_map::ChannelMap;
use super::decisions::{CompanyDecisions, PartialDecisions};
use super::metric::MetricSpec;
use super::time::Quarter;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Everything a run needs besides the seed and the decisions.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub pitch: String,
    pub briefing: String,
    pub start: Quarter,
    pub n_quarters: u32,
    pub currency: String,
    pub market: Market,
    pub costs: CostParams,
    pub quality: QualityParams,
    pub channels: ChannelMap<ChannelParams>,
    pub services: ServiceParams,
    pub trust: TrustParams,
    pub finance: FinanceParams,
    pub cap: CapParams,
    pub catalogue: Vec<Arc<SkuSpec>>,
    pub companies: Vec<CompanySpec>,
    pub events: Vec<ScheduledEvent>,
    pub objectives: Vec<Objective>,
    /// The documents' figures the reference strategy reproduces.
    pub calibration: Vec<Calibration>,
    pub scorecard: Scorecard,
    /// The scenario's own decision log for its player company (the `reference` strategy).
    pub reference: Vec<PartialDecisions>,
}

impl Scenario {
    pub fn quarter_at(&self, idx: u32) -> Quarter {
        self.start.plus(idx)
    }

    pub fn segment_index(&self, name: &str) -> Option<usize> {
        self.market.segments.iter().position(|s| s.name == name)
    }

    pub fn catalogue_sku(&self, id: &str) -> Option<&Arc<SkuSpec>> {
        self.catalogue.iter().find(|s| s.id == id)
    }

    /// Index of the first player company, if any.
    pub fn first_player(&self) -> Option<usize> {
        self.companies.iter().position(|c| c.is_player)
    }
}

/// The market: segments and the choice model shared by all of them.
#[derive(Clone, Debug)]
pub struct Market {
    pub segments: Vec<Segment>,
    pub demand: DemandParams,
    pub awareness: AwarenessParams,
    pub traffic: TrafficParams,
}

/// A group of buyers with its own size, reference product and channel habits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub name: String,
    /// Bass market potential `M` at the start (people who will ever adopt).
    pub potential: f64,
    /// Adopters `N` at the start (the installed base).
    pub adopters: f64,
    /// Growth of the potential per quarter (0.02 = +2%).
    pub growth: f64,
    /// Category innovation coefficient `p` (per quarter).
    pub bass_p: f64,
    /// Category imitation coefficient `q` (per quarter).
    pub bass_q: f64,
    /// Quarters an owner keeps a device before replacing it.
    pub replacement_quarters: f64,
    /// The price buyers compare against.
    pub ref_price: f64,
    /// The performance buyers compare against.
    pub ref_perf: f64,
    /// `β_price`: weight of `ln(ref_price / price)` in utility.
    pub price_sensitivity: f64,
    /// `β_perf`: weight of `ln(perf / ref_perf)` in utility.
    pub perf_sensitivity: f64,
    /// Share of the segment's buyers who shop in each channel (sums to 1).
    pub reach: ChannelMap<f64>,
}

/// The choice model's common coefficients.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandParams {
    /// `β_trust`: weight of the company's trust (0..1) in utility.
    pub trust_weight: f64,
    /// `β_defect`: weight of the defect rate (fraction) in utility.
    pub defect_weight: f64,
    /// Nested-logit nest parameter `λ` (0 < λ ≤ 1); small λ = SKUs of one company are close substitutes.
    pub nest_lambda: f64,
    /// Utility of the outside option ("buy nothing, keep the old device").
    pub outside_utility: f64,
    /// σ of the multiplicative demand noise `exp(σ·z)`, per product per quarter.
    pub noise_sigma: f64,
}

/// How fast buyers learn of a company (per-company Bass diffusion of awareness).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwarenessParams {
    /// Base innovation rate `p` per quarter.
    pub p_base: f64,
    /// Extra `p` from paid traffic at saturation.
    pub p_paid: f64,
    /// Effective paid traffic (budget / traffic-cost index) giving half of `p_paid`.
    pub paid_half: f64,
    /// Extra `p` from full channel presence (reach-weighted).
    pub p_presence: f64,
    /// Base imitation (word-of-mouth) rate `q` per quarter, at trust 0.5 and focus 1.
    pub q_base: f64,
    /// Extra relative `q` from community spend at saturation (1.0 = doubles `q`).
    pub q_community: f64,
    /// Community budget per quarter giving half of `q_community`.
    pub community_half: f64,
}

/// Cost of buying traffic online, which rises over the years.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficParams {
    /// Traffic-cost index at the scenario's start (2010 = 1.0).
    pub index_start: f64,
    /// Growth of the index per quarter (0.05 = +5%).
    pub index_growth: f64,
}

/// Unit-cost drivers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostParams {
    /// Wright's-law learning rate `b`: unit cost × b at each doubling of cumulative units.
    pub learning_rate: f64,
    /// Cumulative units at which learning starts.
    pub ref_units: f64,
    /// Component price drift per quarter since the start (0.97 = −3% a quarter).
    pub component_drift: f64,
    /// Quarters a retired SKU's stock is sold down before it is written off.
    pub writeoff_after: u32,
}

/// Quality under BOM cuts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityParams {
    /// `k` in `defect = base + k·max(0, cut − safe_cut)²`.
    pub k: f64,
    /// BOM cut that costs no quality without mitigation.
    pub safe_cut_base: f64,
    /// Extra safe cut that unlimited mitigation buys.
    pub safe_cut_gain: f64,
    /// Mitigation spend per quarter that buys 63% of `safe_cut_gain` (1 − 1/e).
    pub mitigation_scale: f64,
    /// A SKU whose defect rate exceeds this fails the quality veto and ships nothing.
    pub veto_threshold: f64,
    /// Cost of repairing or replacing one defective unit sold.
    pub repair_cost: f64,
}

/// Costs and limits of one channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChannelParams {
    /// Pick, pack and delivery per unit sold.
    pub fulfilment_per_unit: f64,
    /// Commission as a fraction of revenue (platforms).
    pub commission: f64,
    /// Traffic (acquisition) cost per order at traffic-cost index 1.0.
    pub traffic_per_order: f64,
    /// Rent and staff per store per quarter (own retail).
    pub store_cost: f64,
    /// One-off fit-out cost of opening a store.
    pub store_opening_cost: f64,
    /// Stores at which own-retail coverage of the segment's store shoppers reaches 100%.
    pub stores_full_coverage: f64,
    /// Weeks of sales a channel holds as display and transit stock at the least.
    pub min_stock_weeks: f64,
    /// Dealer margin at which every dealer carries the brand (0 = coverage is full anyway).
    pub full_coverage_margin: f64,
}

/// Internet services on the installed base.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceParams {
    /// Active users gained per unit sold.
    pub attach_rate: f64,
    /// Share of users lost per quarter at zero monetisation.
    pub churn_base: f64,
    /// Extra churn per quarter at full monetisation (scaled by intensity²).
    pub churn_monetisation: f64,
    /// Revenue per active user per quarter at zero monetisation.
    pub arpu_base: f64,
    /// Extra revenue per user per quarter at full monetisation.
    pub arpu_monetisation: f64,
    /// Services gross margin (the documents: 30%+).
    pub gross_margin: f64,
}

/// What moves trust, each per quarter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustParams {
    /// Gain per unit of `tanh(value surprise)`.
    pub value_gain: f64,
    /// Loss per point of defect rate above `defect_norm` (fraction per fraction).
    pub defect_loss: f64,
    /// Defect rate buyers accept without complaint.
    pub defect_norm: f64,
    /// Loss per share of demand left unserved.
    pub stockout_loss: f64,
    /// Loss per unit of monetisation above `monetisation_tolerance`.
    pub monetisation_loss: f64,
    /// Monetisation intensity users accept.
    pub monetisation_tolerance: f64,
    /// How much of a rebate's value buyers credit in the value surprise (1.0 = a
    /// rebate counts as the price cut it is; see `trust`).
    pub rebate_gain: f64,
    /// Loss per unit of hardware margin above the pledge when the cap is off.
    pub excess_margin_loss: f64,
    /// Gain from community spend at saturation.
    pub community_gain: f64,
    /// Pull toward `anchor` per quarter (0.05 = 5% of the gap closes).
    pub reversion: f64,
    /// The level trust drifts back to when nothing happens.
    pub anchor: f64,
}

/// Money matters besides the channels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinanceParams {
    /// How far cash may fall below zero before the company is bankrupt.
    pub credit_line: f64,
    /// Fixed overhead per company per quarter (hardware opex).
    pub overhead: f64,
    /// Share of the R&D stock that goes stale each quarter.
    pub rnd_decay: f64,
    /// Relative performance gain at a saturated R&D stock (0.2 = +20%).
    pub rnd_perf_gain: f64,
    /// R&D stock giving half of `rnd_perf_gain`.
    pub rnd_half: f64,
    /// Most own stores a company may run.
    pub max_stores: u32,
    /// Highest dealer margin a company may offer.
    pub max_dealer_margin: f64,
}

/// The hardware net-margin cap.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapParams {
    /// Whether the pledge is in force.
    pub enabled: bool,
    /// The pledged cap on trailing-four-quarter hardware net margin (the documents: 5%).
    pub level: f64,
    /// Whether the debrief and `simulate` compare the player's decisions with the cap
    /// flipped (same seed), so the player can weigh the pledge.
    #[serde(default)]
    pub compare: bool,
}

impl CapParams {
    pub fn cap(&self) -> Option<f64> {
        self.enabled.then_some(self.level)
    }

    /// The cap that binds one company: the pledge is the player companies' own;
    /// computer-run rivals never made it, so it never binds them (nor does the trust
    /// cost of breaking it).
    pub fn binding(&self, is_player: bool) -> Option<f64> {
        if is_player { self.cap() } else { None }
    }
}

/// A product design a company can build.
#[derive(Clone, Debug, PartialEq)]
pub struct SkuSpec {
    pub id: String,
    pub name: String,
    pub segment: usize,
    pub perf: f64,
    pub bom: f64,
    pub base_defect: f64,
    /// Quarters from launch decision to first production (0 = this quarter).
    pub lead_time: u32,
    /// One-off development and tooling cost, paid at the launch decision.
    pub launch_cost: f64,
    /// The price a new SKU starts at when the decision log names none.
    pub list_price: f64,
    /// Units made before the scenario starts (Wright's-law experience).
    pub cum_units: u64,
}

/// A company at the start of the scenario.
#[derive(Clone, Debug)]
pub struct CompanySpec {
    pub name: String,
    pub is_player: bool,
    pub policy: Option<RivalPolicy>,
    pub cash: f64,
    pub trust: f64,
    /// Most units of one SKU the company can make per quarter.
    pub capacity: u64,
    /// Awareness per segment (0..1).
    pub awareness: Vec<f64>,
    pub active_users: f64,
    pub stores: u32,
    pub skus: Vec<Arc<SkuSpec>>,
    pub opening: CompanyDecisions,
}

/// How a computer-run company decides. Policies read only public information.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RivalPolicy {
    /// Moves each price toward the segment's median rival price of last quarter.
    PriceFollower { speed: f64 },
    /// Prices `pct` below the player's SKU `target` as it was priced last quarter.
    Undercutter { pct: f64, target: String },
    /// Keeps its premium price stable and sells on performance and trust.
    PremiumBrand,
    /// Clones the best-selling rival SKU `lag` quarters after it appears.
    Copycat {
        lag: u32,
        perf_factor: f64,
        price_factor: f64,
        bom_factor: f64,
    },
}

/// What an event does while it is in force.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum EventKind {
    /// Capacity × `capacity_factor`, unit cost × `cost_factor`.
    SupplyShock { capacity_factor: f64, cost_factor: f64 },
    /// The named company cuts all its prices by `pct` from now on.
    RivalPriceCut { company: String, pct: f64 },
    /// The traffic-cost index × `factor`.
    TrafficCostSpike { factor: f64 },
    /// Buyers expect `perf_gain` more performance; SKUs launched from now on have it.
    BetterChipset { perf_gain: f64 },
    /// Buyers in the segment (all when `None`) × `factor`.
    DemandShock { segment: Option<String>, factor: f64 },
    /// Platform commission + `commission_delta`; dealer margins capped at `dealer_margin_max`.
    Regulation {
        commission_delta: f64,
        dealer_margin_max: Option<f64>,
    },
}

/// An event with its words and how long it lasts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub title: String,
    pub description: String,
    pub kind: EventKind,
    /// Quarters in force (0 = permanent; one-shot kinds ignore it).
    #[serde(default)]
    pub duration: u32,
}

/// An event the scenario schedules for a quarter.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledEvent {
    pub quarter_idx: u32,
    pub event: Event,
}

/// Which way an objective's target points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    AtLeast,
    AtMost,
}

/// A KPI target with a deadline, for the player company.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    pub id: String,
    pub text: String,
    pub metric: MetricSpec,
    pub comparison: Comparison,
    pub target: f64,
    /// Index of the last quarter that counts.
    pub deadline_idx: u32,
}

/// A documented figure and the report metric that must reproduce it under the
/// reference strategy: `|value − target| ≤ tolerance × |target|`.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    pub figure: String,
    pub metric: MetricSpec,
    pub target: f64,
    pub tolerance: f64,
}

impl Calibration {
    /// Whether `value` lands within the tolerance of the documents' figure.
    pub fn holds(&self, value: f64) -> bool {
        (value - self.target).abs() <= self.tolerance * self.target.abs()
    }
}

/// Weights and yardsticks of the balanced scorecard (score 0..100).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    pub profit_weight: f64,
    pub trust_weight: f64,
    pub users_weight: f64,
    pub roi_weight: f64,
    pub cap_weight: f64,
    pub objectives_weight: f64,
    /// Cumulative net profit that earns the full profit component.
    pub profit_target: f64,
    /// Active users at the end that earn the full users component.
    pub users_target: f64,
    /// Mean ROI that earns the full ROI component.
    pub roi_target: f64,
}
