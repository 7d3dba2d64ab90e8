//! The "why" of a quarter: the change in net profit from one quarter to the next,
//! split into drivers that add up to it exactly.
//!
//! With `u` units sold, `p` the average net price per unit (hardware revenue / `u`)
//! and `c` the average cost of a unit sold (COGS / `u`), both 0 when nothing sold:
//!
//! ```text
//! price      = (p₁ − p₀) · u₁
//! volume     = (u₁ − u₀) · (p₀ − c₀)
//! unit cost  = −(c₁ − c₀) · u₁
//! channels   = −Δ channel expenses        (commission, fulfilment, traffic, stores)
//! other      = −Δ other hardware expenses (marketing, R&D, mitigation, repairs,
//!                                           launches, overhead, write-offs)
//! rebate     = −Δ rebate
//! services   = Δ services profit
//! ```
//!
//! The first three add up to the change in gross profit, so the seven add up to the
//! change in net profit.

use crate::sim::{Channel, CompanyReport};

/// One driver of the change in net profit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    Price,
    Volume,
    UnitCost,
    ChannelCosts,
    OtherCosts,
    Rebate,
    Services,
}

impl Driver {
    pub const ALL: [Driver; 7] = [
        Driver::Price,
        Driver::Volume,
        Driver::UnitCost,
        Driver::ChannelCosts,
        Driver::OtherCosts,
        Driver::Rebate,
        Driver::Services,
    ];

    /// A short label for a chart or a table.
    pub fn label(self) -> &'static str {
        match self {
            Driver::Price => "price",
            Driver::Volume => "volume",
            Driver::UnitCost => "unit cost",
            Driver::ChannelCosts => "channel costs",
            Driver::OtherCosts => "other costs",
            Driver::Rebate => "rebate",
            Driver::Services => "services",
        }
    }
}

/// The change in net profit from `before` to `after`, by driver (in `Driver::ALL` order).
pub fn profit_bridge(before: &CompanyReport, after: &CompanyReport) -> Vec<(Driver, f64)> {
    let per_unit = |r: &CompanyReport| {
        if r.units_sold > 0 {
            let u = r.units_sold as f64;
            (u, r.revenue_hardware / u, r.cogs / u)
        } else {
            (0.0, 0.0, 0.0)
        }
    };
    let (u0, p0, c0) = per_unit(before);
    let (u1, p1, c1) = per_unit(after);
    let channel_costs = |r: &CompanyReport| -> f64 {
        Channel::ALL
            .iter()
            .map(|&ch| r.expense_ratio_by_channel[ch] * r.revenue_by_channel[ch])
            .sum()
    };
    let (ch0, ch1) = (channel_costs(before), channel_costs(after));
    let other0 = before.hardware_opex - ch0;
    let other1 = after.hardware_opex - ch1;
    vec![
        (Driver::Price, (p1 - p0) * u1),
        (Driver::Volume, (u1 - u0) * (p0 - c0)),
        (Driver::UnitCost, -(c1 - c0) * u1),
        (Driver::ChannelCosts, -(ch1 - ch0)),
        (Driver::OtherCosts, -(other1 - other0)),
        (Driver::Rebate, -(after.rebate - before.rebate)),
        (Driver::Services, after.services_profit - before.services_profit),
    ]
}
