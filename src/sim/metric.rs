//! Metrics: a report field, optionally aggregated over quarters — `units_sold@sum`,
//! `cash@min`, `turnover_by_channel.own_retail@last`, `units_sold@2012Q2`.
//!
//! Objectives, and later sweeps and goal seek, name what they measure this way.
//! Aggregations: `sum`, `mean`, `min`, `max`, `last` (the default), or a quarter.

use super::channel_map::Channel;
use super::report::CompanyReport;
use super::time::Quarter;
use std::fmt;

/// How a metric folds several quarters into one number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Sum,
    Mean,
    Min,
    Max,
    Last,
    At(Quarter),
}

/// A parsed metric: field (with `.channel` or `.segment` for maps) and aggregation.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSpec {
    pub field: String,
    pub aggregate: Aggregate,
}

/// Names of the scalar report fields a metric may use.
pub const SCALAR_FIELDS: &[&str] = &[
    "units_sold",
    "units_produced",
    "demand",
    "inventory_opening",
    "inventory_closing",
    "written_off",
    "revenue_hardware",
    "revenue_services",
    "cogs",
    "gross_margin",
    "expense_ratio",
    "turnover",
    "roi",
    "hardware_opex",
    "write_off_cost",
    "hw_margin_before_cap",
    "hw_margin_after_cap",
    "rebate",
    "services_profit",
    "net_profit",
    "cash_opening",
    "inflows",
    "outflows",
    "cash",
    "trust",
    "active_users",
    "sku_count",
    "focus_index",
    "defect_rate",
    "bom_cut",
    "quality_vetoes",
    "stockouts",
    "traffic_cost_index",
    "stores",
];

/// Names of the per-channel report fields (used as `field.channel`).
pub const CHANNEL_FIELDS: &[&str] = &[
    "units_by_channel",
    "revenue_by_channel",
    "gross_margin_by_channel",
    "expense_ratio_by_channel",
    "turnover_by_channel",
    "roi_by_channel",
];

impl MetricSpec {
    /// Parses `field[.key][@aggregate]`, checking the field exists.
    pub fn parse(text: &str) -> Result<MetricSpec, String> {
        let (field, aggregate) = match text.split_once('@') {
            Some((f, a)) => (f, Some(a)),
            None => (text, None),
        };
        let aggregate = match aggregate {
            None | Some("last") => Aggregate::Last,
            Some("sum") => Aggregate::Sum,
            Some("mean") => Aggregate::Mean,
            Some("min") => Aggregate::Min,
            Some("max") => Aggregate::Max,
            Some(other) => Aggregate::At(Quarter::parse(other).ok_or_else(|| {
                format!("unknown aggregation \"{other}\": use sum, mean, min, max, last or a quarter like 2012Q2")
            })?),
        };
        let valid = match field.split_once('.') {
            None => SCALAR_FIELDS.contains(&field),
            Some((map, key)) => {
                (CHANNEL_FIELDS.contains(&map) && Channel::from_key(key).is_some())
                    || (map == "share_by_segment" && !key.is_empty())
            }
        };
        if !valid {
            return Err(format!(
                "unknown report field \"{field}\": use one of {}, or {}.<channel>, or share_by_segment.<segment>",
                SCALAR_FIELDS.join(", "),
                CHANNEL_FIELDS.join(", ")
            ));
        }
        Ok(MetricSpec {
            field: field.to_string(),
            aggregate,
        })
    }

    /// The metric over `rows` (one company's, in quarter order); `None` if no row counts.
    pub fn evaluate(&self, rows: &[&CompanyReport]) -> Option<f64> {
        let values = rows.iter().filter_map(|r| match self.aggregate {
            Aggregate::At(q) if r.quarter != q => None,
            _ => field_value(r, &self.field),
        });
        match self.aggregate {
            Aggregate::Sum => Some(values.sum()),
            Aggregate::Mean => {
                let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
                (n > 0).then(|| sum / n as f64)
            }
            Aggregate::Min => values.reduce(f64::min),
            Aggregate::Max => values.reduce(f64::max),
            Aggregate::Last | Aggregate::At(_) => values.fold(None, |_, v| Some(v)),
        }
    }
}

impl fmt::Display for MetricSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.aggregate {
            Aggregate::Sum => write!(f, "{}@sum", self.field),
            Aggregate::Mean => write!(f, "{}@mean", self.field),
            Aggregate::Min => write!(f, "{}@min", self.field),
            Aggregate::Max => write!(f, "{}@max", self.field),
            Aggregate::Last => write!(f, "{}", self.field),
            Aggregate::At(q) => write!(f, "{}@{q}", self.field),
        }
    }
}

/// One report field as a number.
pub fn field_value(r: &CompanyReport, field: &str) -> Option<f64> {
    if let Some((map, key)) = field.split_once('.') {
        if map == "share_by_segment" {
            return r.share_by_segment.get(key).copied();
        }
        let ch = Channel::from_key(key)?;
        return Some(match map {
            "units_by_channel" => r.units_by_channel[ch] as f64,
            "revenue_by_channel" => r.revenue_by_channel[ch],
            "gross_margin_by_channel" => r.gross_margin_by_channel[ch],
            "expense_ratio_by_channel" => r.expense_ratio_by_channel[ch],
            "turnover_by_channel" => r.turnover_by_channel[ch],
            "roi_by_channel" => r.roi_by_channel[ch],
            _ => return None,
        });
    }
    Some(match field {
        "units_sold" => r.units_sold as f64,
        "units_produced" => r.units_produced as f64,
        "demand" => r.demand as f64,
        "inventory_opening" => r.inventory_opening as f64,
        "inventory_closing" => r.inventory_closing as f64,
        "written_off" => r.written_off as f64,
        "revenue_hardware" => r.revenue_hardware,
        "revenue_services" => r.revenue_services,
        "cogs" => r.cogs,
        "gross_margin" => r.gross_margin,
        "expense_ratio" => r.expense_ratio,
        "turnover" => r.turnover,
        "roi" => r.roi,
        "hardware_opex" => r.hardware_opex,
        "write_off_cost" => r.write_off_cost,
        "hw_margin_before_cap" => r.hw_margin_before_cap,
        "hw_margin_after_cap" => r.hw_margin_after_cap,
        "rebate" => r.rebate,
        "services_profit" => r.services_profit,
        "net_profit" => r.net_profit,
        "cash_opening" => r.cash_opening,
        "inflows" => r.inflows,
        "outflows" => r.outflows,
        "cash" => r.cash,
        "trust" => r.trust,
        "active_users" => r.active_users as f64,
        "sku_count" => r.sku_count as f64,
        "focus_index" => r.focus_index,
        "defect_rate" => r.defect_rate,
        "bom_cut" => r.bom_cut,
        "quality_vetoes" => r.quality_vetoes as f64,
        "stockouts" => r.stockouts as f64,
        "traffic_cost_index" => r.traffic_cost_index,
        "stores" => r.stores as f64,
        _ => return None,
    })
}
