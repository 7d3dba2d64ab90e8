//! The quarter report: one row per company per quarter, the numbers the game charts,
//! the CLI prints and tools read as JSON.
//!
//! Field names and meanings are stable (the JSON report contract): snake_case,
//! ratios as fractions (0.05 = 5%), money in the scenario's currency, units as
//! integers. Per-channel maps are keyed `online`, `own_retail`, `platform`,
//! `dealer`. A ratio with no denominator is 0. Every row satisfies MODEL.md's
//! identities: `cash = cash_opening + inflows − outflows`; `inventory_opening +
//! units_produced = units_sold + inventory_closing + written_off`; `roi =
//! (gross_margin − expense_ratio) × turnover` exactly, overall and per channel;
//! `hw_margin_after_cap ≤ cap` when the cap is on.

use super::channel_map::ChannelMap;
use super::time::Quarter;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything that happened in one quarter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuarterReport {
    pub quarter: Quarter,
    pub events: Vec<String>,
    pub companies: Vec<CompanyReport>,
}

/// One SKU's quarter, for the company's own screens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkuReport {
    pub id: Arc<str>,
    pub segment: Arc<str>,
    pub status: String,
    pub price: f64,
    pub unit_cost: f64,
    pub defect_rate: f64,
    pub bom_cut: f64,
    pub vetoed: bool,
    pub units_produced: u64,
    pub units_sold: u64,
    pub demand: u64,
    pub inventory_closing: u64,
}

/// One company's quarter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompanyReport {
    pub quarter: Quarter,
    pub company: Arc<str>,
    pub is_player: bool,
    pub units_sold: u64,
    pub units_produced: u64,
    pub demand: u64,
    pub inventory_opening: u64,
    pub inventory_closing: u64,
    pub written_off: u64,
    pub revenue_hardware: f64,
    pub revenue_services: f64,
    pub cogs: f64,
    pub gross_margin: f64,
    pub expense_ratio: f64,
    pub turnover: f64,
    pub roi: f64,
    pub units_by_channel: ChannelMap<u64>,
    pub revenue_by_channel: ChannelMap<f64>,
    pub gross_margin_by_channel: ChannelMap<f64>,
    pub expense_ratio_by_channel: ChannelMap<f64>,
    pub turnover_by_channel: ChannelMap<f64>,
    pub roi_by_channel: ChannelMap<f64>,
    /// All hardware expenses: channels, marketing, R&D, mitigation, repairs,
    /// launches, overhead and write-offs (not the rebate).
    pub hardware_opex: f64,
    pub write_off_cost: f64,
    pub hw_margin_before_cap: f64,
    pub hw_margin_after_cap: f64,
    pub cap: Option<f64>,
    pub rebate: f64,
    pub services_profit: f64,
    pub net_profit: f64,
    pub cash_opening: f64,
    pub inflows: f64,
    pub outflows: f64,
    pub cash: f64,
    pub bankrupt: bool,
    pub trust: f64,
    pub active_users: u64,
    pub sku_count: u32,
    pub focus_index: f64,
    pub defect_rate: f64,
    /// BOM cut of what was made this quarter (production-weighted), else of the designs on sale.
    pub bom_cut: f64,
    pub quality_vetoes: u32,
    pub stockouts: u64,
    pub traffic_cost_index: f64,
    pub stores: u32,
    pub share_by_segment: BTreeMap<Arc<str>, f64>,
    pub events: Vec<String>,
    pub skus: Vec<SkuReport>,
}

impl QuarterReport {
    /// The row of the company with this name.
    pub fn company(&self, name: &str) -> Option<&CompanyReport> {
        self.companies.iter().find(|c| &*c.company == name)
    }
}
