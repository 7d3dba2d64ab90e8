//! A company's decisions for one quarter, the carry-over rule of decision logs, and
//! the validation that rejects bad decisions before anything changes.
//!
//! A decision log lists, per quarter, only what changes: a field left out carries
//! over from the previous quarter ([`CompanyDecisions::with`]). `launch` and `retire`
//! are one-off actions and never carry over. A SKU that appears for the first time
//! without a price starts at its catalogue list price with zero production.
//!
//! Validation (MODEL.md "Decisions") checks: finite numbers; price > 0; BOM cut in
//! 0..=0.5; mitigation, budgets ≥ 0; production ≤ capacity this quarter (after supply
//! shocks) and 0 for SKUs still in development (a SKU is made from the quarter its
//! lead time ends; with lead time 0, in its launch quarter) or retired; no store
//! closures that would strand stock in stores; no SKU launched or retired twice; channel shares in 0..=1 summing
//! to 1 within 1e-9; own-retail supply only with at least one store; stores ≤ the
//! scenario's maximum; dealer margin within its cap; monetisation in 0..=1; launches
//! from the catalogue, not already owned; retirements of owned, active SKUs. Every
//! problem is reported, each naming its field (`flagship.price`, `channels`).

use super::channel_map::{Channel, ChannelMap};
use super::world::{CompanyState, SkuStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Decisions for one SKU.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuDecision {
    /// Retail price per unit.
    pub price: f64,
    /// Fraction of the baseline BOM removed (0..=0.5).
    #[serde(default)]
    pub bom_cut: f64,
    /// Engineering spend this quarter protecting quality under the cut.
    #[serde(default)]
    pub mitigation: f64,
    /// Units to make this quarter.
    pub production: u64,
}

/// Everything one company decides for one quarter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyDecisions {
    pub skus: BTreeMap<String, SkuDecision>,
    /// Catalogue SKUs to start developing (one-off).
    #[serde(default)]
    pub launch: Vec<String>,
    /// SKUs to stop making; their stock sells down, then is written off (one-off).
    #[serde(default)]
    pub retire: Vec<String>,
    /// Share of this quarter's production sent to each channel (sums to 1).
    pub channels: ChannelMap<f64>,
    /// Own stores to run this quarter (opening new ones costs a fit-out).
    pub stores: u32,
    /// Share of the retail price dealers keep.
    pub dealer_margin: f64,
    /// Community (word-of-mouth) budget this quarter.
    pub community: f64,
    /// Paid traffic budget this quarter.
    pub paid_traffic: f64,
    /// Services monetisation intensity (0..=1).
    pub monetisation: f64,
    /// R&D budget this quarter.
    pub rnd: f64,
}

/// One SKU's entry in a decision log: any field may be left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialSkuDecision {
    #[serde(default)]
    pub price: Option<f64>,
    #[serde(default)]
    pub bom_cut: Option<f64>,
    #[serde(default)]
    pub mitigation: Option<f64>,
    #[serde(default)]
    pub production: Option<u64>,
}

/// One quarter of a decision log: only what changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialDecisions {
    #[serde(default)]
    pub skus: BTreeMap<String, PartialSkuDecision>,
    #[serde(default)]
    pub launch: Vec<String>,
    #[serde(default)]
    pub retire: Vec<String>,
    #[serde(default)]
    pub channels: Option<ChannelMap<f64>>,
    #[serde(default)]
    pub stores: Option<u32>,
    #[serde(default)]
    pub dealer_margin: Option<f64>,
    #[serde(default)]
    pub community: Option<f64>,
    #[serde(default)]
    pub paid_traffic: Option<f64>,
    #[serde(default)]
    pub monetisation: Option<f64>,
    #[serde(default)]
    pub rnd: Option<f64>,
}

impl From<&CompanyDecisions> for PartialDecisions {
    /// A log entry that sets every decision (a played quarter written back as a plan).
    fn from(d: &CompanyDecisions) -> PartialDecisions {
        PartialDecisions {
            skus: d
                .skus
                .iter()
                .map(|(id, s)| {
                    let entry = PartialSkuDecision {
                        price: Some(s.price),
                        bom_cut: Some(s.bom_cut),
                        mitigation: Some(s.mitigation),
                        production: Some(s.production),
                    };
                    (id.clone(), entry)
                })
                .collect(),
            launch: d.launch.clone(),
            retire: d.retire.clone(),
            channels: Some(d.channels),
            stores: Some(d.stores),
            dealer_margin: Some(d.dealer_margin),
            community: Some(d.community),
            paid_traffic: Some(d.paid_traffic),
            monetisation: Some(d.monetisation),
            rnd: Some(d.rnd),
        }
    }
}

impl CompanyDecisions {
    /// These decisions with `change` applied: the carry-over rule of decision logs.
    /// `list_price` gives the starting price of a SKU seen for the first time.
    pub fn with(&self, change: &PartialDecisions, list_price: impl Fn(&str) -> Option<f64>) -> CompanyDecisions {
        let mut next = self.carried_over();
        for (id, sku) in &change.skus {
            let base = next.skus.get(id).copied().unwrap_or(SkuDecision {
                price: list_price(id).unwrap_or(0.0),
                bom_cut: 0.0,
                mitigation: 0.0,
                production: 0,
            });
            next.skus.insert(
                id.clone(),
                SkuDecision {
                    price: sku.price.unwrap_or(base.price),
                    bom_cut: sku.bom_cut.unwrap_or(base.bom_cut),
                    mitigation: sku.mitigation.unwrap_or(base.mitigation),
                    production: sku.production.unwrap_or(base.production),
                },
            );
        }
        next.launch = change.launch.clone();
        next.retire = change.retire.clone();
        if let Some(channels) = change.channels {
            next.channels = channels;
        }
        next.stores = change.stores.unwrap_or(next.stores);
        next.dealer_margin = change.dealer_margin.unwrap_or(next.dealer_margin);
        next.community = change.community.unwrap_or(next.community);
        next.paid_traffic = change.paid_traffic.unwrap_or(next.paid_traffic);
        next.monetisation = change.monetisation.unwrap_or(next.monetisation);
        next.rnd = change.rnd.unwrap_or(next.rnd);
        next
    }

    /// The same decisions for the next quarter: one-off actions dropped.
    pub fn carried_over(&self) -> CompanyDecisions {
        CompanyDecisions {
            launch: Vec::new(),
            retire: Vec::new(),
            ..self.clone()
        }
    }
}

/// One problem with one decision field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldProblem {
    /// Dotted path such as `flagship.price` or `channels`.
    pub field: String,
    /// A sentence: what is wrong and what was found.
    pub message: String,
}

/// Company-wide decision names, which SKU ids may not take.
pub const RESERVED_NAMES: &[&str] = &[
    "skus",
    "channels",
    "stores",
    "dealer_margin",
    "community",
    "paid_traffic",
    "monetisation",
    "rnd",
    "launch",
    "retire",
];

impl FieldProblem {
    /// The problem's field as a path inside a decision entry of a file:
    /// SKU fields gain their `skus.` prefix (`flagship.price` → `skus.flagship.price`).
    pub fn entry_path(&self) -> String {
        let head = self.field.split(['.', '[']).next().unwrap_or("");
        if RESERVED_NAMES.contains(&head) {
            self.field.clone()
        } else {
            format!("skus.{}", self.field)
        }
    }
}

/// Decisions the model refuses. The world is left unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct DecisionError {
    pub company: String,
    pub problems: Vec<FieldProblem>,
}

impl fmt::Display for DecisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid decisions for {}: ", self.company)?;
        for (idx, p) in self.problems.iter().enumerate() {
            if idx > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", p.field, p.message)?;
        }
        Ok(())
    }
}

/// What validation needs to know beyond the company itself.
pub struct ValidationContext<'a> {
    /// Production capacity per SKU this quarter, after supply shocks.
    pub capacity: u64,
    pub max_stores: u32,
    /// Highest dealer margin allowed this quarter (scenario or regulation).
    pub max_dealer_margin: f64,
    /// Lead time of a catalogue SKU, `None` if the catalogue has no such SKU.
    pub catalogue_lead_time: &'a dyn Fn(&str) -> Option<u32>,
    /// The quarter being decided (index from the scenario's start).
    pub quarter_idx: u32,
}

/// Every problem with `decisions` for `company`; empty when they are valid.
pub fn problems(
    company: &CompanyState,
    decisions: &CompanyDecisions,
    ctx: &ValidationContext<'_>,
) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    let mut push = |field: String, message: String| out.push(FieldProblem { field, message });

    for (id, sku) in &decisions.skus {
        let state = company.skus.iter().find(|s| &*s.id == id.as_str());
        let launching = decisions.launch.iter().any(|l| l == id);
        let Some(state) = state else {
            if !launching {
                push(
                    id.clone(),
                    format!("no SKU named \"{id}\" in this company's portfolio; launch it from the catalogue first"),
                );
            } else if sku.production > 0 && (ctx.catalogue_lead_time)(id).is_some_and(|lead| lead > 0) {
                push(
                    format!("{id}.production"),
                    format!(
                        "\"{id}\" is only being launched this quarter and needs {} quarter(s) of development; production must be 0, found {}",
                        (ctx.catalogue_lead_time)(id).unwrap_or(0),
                        sku.production
                    ),
                );
            } else if sku.production > ctx.capacity {
                push(
                    format!("{id}.production"),
                    format!(
                        "must be at most the capacity of {} units this quarter, found {}",
                        ctx.capacity, sku.production
                    ),
                );
            }
            check_sku_numbers(id, sku, &mut push);
            continue;
        };
        check_sku_numbers(id, sku, &mut push);
        match state.status {
            SkuStatus::Development { ready_idx } if ready_idx > ctx.quarter_idx && sku.production > 0 => push(
                format!("{id}.production"),
                format!(
                    "\"{id}\" is still in development for {} more quarter(s); production must be 0, found {}",
                    ready_idx - ctx.quarter_idx,
                    sku.production
                ),
            ),
            SkuStatus::Retired { .. } if sku.production > 0 => push(
                format!("{id}.production"),
                format!("\"{id}\" is retired; production must be 0, found {}", sku.production),
            ),
            _ => {}
        }
        if sku.production > ctx.capacity {
            push(
                format!("{id}.production"),
                format!(
                    "must be at most the capacity of {} units this quarter, found {}",
                    ctx.capacity, sku.production
                ),
            );
        }
    }

    let mut sum = 0.0;
    for (channel, share) in decisions.channels.iter() {
        if !share.is_finite() || !(0.0..=1.0).contains(&share) {
            push(
                format!("channels.{channel}"),
                format!("must be a share between 0 and 1, found {share}"),
            );
        }
        sum += share;
    }
    if sum.is_finite() && (sum - 1.0).abs() > 1e-9 {
        push(
            "channels".into(),
            format!("shares must sum to 1, found {}", (sum * 1e9).round() / 1e9),
        );
    }
    if decisions.channels[Channel::OwnRetail] > 0.0 && decisions.stores == 0 {
        push(
            "channels.own_retail".into(),
            "supply sent to own stores needs at least one store (set stores)".into(),
        );
    }
    let store_stock: u64 = company.skus.iter().map(|s| s.inventory[Channel::OwnRetail]).sum();
    if decisions.stores == 0 && store_stock > 0 {
        push(
            "stores".into(),
            format!("your stores still hold {store_stock} units; keep at least one store open until they are sold"),
        );
    }
    if decisions.stores > ctx.max_stores {
        push(
            "stores".into(),
            format!("must be at most {}, found {}", ctx.max_stores, decisions.stores),
        );
    }
    check_range(
        "dealer_margin",
        decisions.dealer_margin,
        0.0,
        ctx.max_dealer_margin,
        &mut push,
    );
    check_range("monetisation", decisions.monetisation, 0.0, 1.0, &mut push);
    for (field, value) in [
        ("community", decisions.community),
        ("paid_traffic", decisions.paid_traffic),
        ("rnd", decisions.rnd),
    ] {
        check_range(field, value, 0.0, MAX_MONEY, &mut push);
    }
    for (idx, id) in decisions.launch.iter().enumerate() {
        if decisions.launch[..idx].contains(id) {
            push(format!("launch[{idx}]"), format!("\"{id}\" is listed twice"));
        } else if (ctx.catalogue_lead_time)(id).is_none() {
            push(
                format!("launch[{idx}]"),
                format!("no SKU named \"{id}\" in the scenario's catalogue"),
            );
        } else if company.skus.iter().any(|s| &*s.id == id.as_str()) {
            push(
                format!("launch[{idx}]"),
                format!("\"{id}\" is already in this company's portfolio"),
            );
        }
    }
    for (idx, id) in decisions.retire.iter().enumerate() {
        if decisions.retire[..idx].contains(id) {
            push(format!("retire[{idx}]"), format!("\"{id}\" is listed twice"));
            continue;
        }
        match company.skus.iter().find(|s| &*s.id == id.as_str()) {
            None => push(
                format!("retire[{idx}]"),
                format!("no SKU named \"{id}\" in this company's portfolio"),
            ),
            Some(s) if matches!(s.status, SkuStatus::Retired { .. }) => {
                push(format!("retire[{idx}]"), format!("\"{id}\" is already retired"))
            }
            Some(_) => {}
        }
    }
    out
}

/// Largest money amount a budget or mitigation may take (¥1 trillion a quarter).
pub const MAX_MONEY: f64 = 1e12;
/// Largest price a SKU may take.
pub const MAX_PRICE: f64 = 1e7;

fn check_sku_numbers(id: &str, sku: &SkuDecision, push: &mut impl FnMut(String, String)) {
    if !sku.price.is_finite() || sku.price <= 0.0 || sku.price > MAX_PRICE {
        push(
            format!("{id}.price"),
            format!("must be > 0 and at most {MAX_PRICE}, found {}", sku.price),
        );
    }
    check_range(&format!("{id}.bom_cut"), sku.bom_cut, 0.0, 0.5, push);
    check_range(&format!("{id}.mitigation"), sku.mitigation, 0.0, MAX_MONEY, push);
}

fn check_range(field: &str, value: f64, lo: f64, hi: f64, push: &mut impl FnMut(String, String)) {
    if !value.is_finite() || value < lo || value > hi {
        push(
            field.to_string(),
            format!("must be between {lo} and {hi}, found {value}"),
        );
    }
}
