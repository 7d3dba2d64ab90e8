//! Step 6: finance per channel — revenue and the channel's own expenses.
//!
//! Revenue is `price × units`, except that dealers pay `price × (1 − dealer_margin)`.
//! A channel's expenses: platform commission (`commission + commission_delta` of
//! revenue), fulfilment per unit, traffic cost per order
//! (`traffic_per_order × traffic-cost index`), and in own retail the stores' rent
//! and staff (`store_cost` per store per quarter) plus the fit-out of new stores.
//! The traffic-cost index is `index_start × (1 + index_growth)^t × spikes`: the
//! documents report a 10–20× rise from 2010 to 2021.

use super::channel_map::Channel;
use super::params::{ChannelParams, TrafficParams};

/// Revenue the company books for `units` sold at `price` in `channel`.
pub fn channel_revenue(channel: Channel, price: f64, units: u64, dealer_margin: f64) -> f64 {
    let per_unit = match channel {
        Channel::Dealer => price * (1.0 - dealer_margin),
        _ => price,
    };
    per_unit * units as f64
}

/// What a channel's expenses depend on this quarter.
#[derive(Clone, Copy, Debug)]
pub struct ChannelActivity {
    pub units: u64,
    pub revenue: f64,
    pub stores: u32,
    pub new_stores: u32,
    pub traffic_index: f64,
    pub commission_delta: f64,
}

/// The channel's own expenses this quarter.
pub fn channel_opex(channel: Channel, a: &ChannelActivity, p: &ChannelParams) -> f64 {
    let commission_rate = match channel {
        Channel::Platform => (p.commission + a.commission_delta).clamp(0.0, 1.0),
        _ => p.commission,
    };
    let commission = commission_rate * a.revenue;
    let units = a.units as f64;
    let stores = match channel {
        Channel::OwnRetail => a.stores as f64 * p.store_cost + a.new_stores as f64 * p.store_opening_cost,
        _ => 0.0,
    };
    commission + units * p.fulfilment_per_unit + units * p.traffic_per_order * a.traffic_index + stores
}

/// The traffic-cost index in quarter `quarter_idx`, with spikes in force.
pub fn traffic_cost_index(t: &TrafficParams, quarter_idx: u32, spike: f64) -> f64 {
    t.index_start * libm::pow(1.0 + t.index_growth, quarter_idx as f64) * spike
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dealer_revenue_by_hand() {
        // 1,000 units at ¥1,999 through dealers keeping 12%: 1999 × 0.88 × 1000.
        let r = channel_revenue(Channel::Dealer, 1999.0, 1000, 0.12);
        assert!((r - 1_759_120.0).abs() < 1e-6);
        assert_eq!(channel_revenue(Channel::Online, 1999.0, 1000, 0.12), 1_999_000.0);
    }

    #[test]
    fn traffic_cost_index_by_hand() {
        // From 1.0 in 2010Q1 growing 7% a quarter: after 44 quarters (2021Q1), 1.07^44 ≈ 19.6×.
        let t = TrafficParams {
            index_start: 1.0,
            index_growth: 0.07,
        };
        let idx = traffic_cost_index(&t, 44, 1.0);
        assert!((idx - 1.07f64.powi(44)).abs() < 1e-9);
        assert!((10.0..=20.0).contains(&idx));
        assert!((traffic_cost_index(&t, 0, 2.0) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn channel_opex_by_hand() {
        let p = ChannelParams {
            commission: 0.05,
            fulfilment_per_unit: 10.0,
            traffic_per_order: 4.0,
            ..ChannelParams::default()
        };
        let a = ChannelActivity {
            units: 100,
            revenue: 100_000.0,
            stores: 0,
            new_stores: 0,
            traffic_index: 2.0,
            commission_delta: 0.05,
        };
        // 10% of 100,000 + 100 × 10 + 100 × 4 × 2 = 10,000 + 1,000 + 800.
        assert!((channel_opex(Channel::Platform, &a, &p) - 11_800.0).abs() < 1e-9);
        let stores = ChannelParams {
            store_cost: 50_000.0,
            store_opening_cost: 200_000.0,
            ..ChannelParams::default()
        };
        let a = ChannelActivity {
            units: 0,
            revenue: 0.0,
            stores: 10,
            new_stores: 2,
            traffic_index: 1.0,
            commission_delta: 0.0,
        };
        assert!((channel_opex(Channel::OwnRetail, &a, &stores) - 900_000.0).abs() < 1e-9);
    }
}
