//! Step 5: channels — supply split across channels, demand routed to them, sales.
//!
//! A company's production is split across channels by its shares with the
//! largest-remainder method, so Σ channel units = production exactly (ties go to
//! the earlier channel in `Channel::ALL`). Buyers reach channels by their segment's
//! reach vector; a company sells in a channel only if present there: it sends
//! supply there or still holds stock there (own retail also needs a store).
//! Own stores cover `stores / stores_full_coverage` of store shoppers; dealers carry
//! the brand in proportion to the margin offered (`dealer_margin /
//! full_coverage_margin`, when the scenario sets it).
//! Sales = min(demand routed, stock in the channel); unmet demand is lost and
//! counted as stock-outs, which cost a little trust.

use super::channel_map::{Channel, ChannelMap};
use super::params::ChannelParams;

/// Splits `total` units by `shares` (summing to 1) with the largest-remainder method.
pub fn split_largest_remainder(total: u64, shares: &ChannelMap<f64>) -> ChannelMap<u64> {
    let mut out = ChannelMap::<u64>::default();
    let mut remainders = [(0.0f64, 0usize); 4];
    let mut assigned = 0u64;
    for (k, channel) in Channel::ALL.into_iter().enumerate() {
        let exact = total as f64 * shares[channel].max(0.0);
        let floor = exact.floor();
        out[channel] = floor as u64;
        assigned += floor as u64;
        remainders[k] = (exact - floor, k);
    }
    // Stable sort: equal remainders keep channel order.
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut left = total.saturating_sub(assigned);
    let mut k = 0;
    while left > 0 {
        let (_, idx) = remainders[k % 4];
        if shares[Channel::ALL[idx]] > 0.0 || shares.sum() <= 0.0 {
            out[Channel::ALL[idx]] += 1;
            left -= 1;
        }
        k += 1;
    }
    // Rounding down can only under-assign, but guard the other way too.
    let mut over = out.sum().saturating_sub(total);
    for channel in Channel::ALL.into_iter().rev() {
        let take = over.min(out[channel]);
        out[channel] -= take;
        over -= take;
    }
    out
}

/// Continuous demand as whole units: round half to even, never negative.
pub fn whole_units(demand: f64) -> u64 {
    if demand.is_finite() && demand > 0.0 {
        demand.round_ties_even() as u64
    } else {
        0
    }
}

/// Share of a channel's shoppers a company can serve there: own stores cover
/// `stores / stores_full_coverage`; dealers stock the brand in proportion to the
/// margin they are offered, `dealer_margin / full_coverage_margin` (when set).
pub fn coverage(channel: Channel, stores: u32, dealer_margin: f64, params: &ChannelParams) -> f64 {
    match channel {
        Channel::Dealer if params.full_coverage_margin > 0.0 => {
            (dealer_margin / params.full_coverage_margin).clamp(0.0, 1.0)
        }
        Channel::OwnRetail => {
            if params.stores_full_coverage > 0.0 {
                (stores as f64 / params.stores_full_coverage).min(1.0)
            } else if stores > 0 {
                1.0
            } else {
                0.0
            }
        }
        _ => 1.0,
    }
}

/// Whether a company sells in `channel`: it sends supply there or holds stock there,
/// and for own retail it runs at least one store.
pub fn is_present(channel: Channel, share: f64, stock: u64, stores: u32) -> bool {
    let supplied = share > 0.0 || stock > 0;
    match channel {
        Channel::OwnRetail => supplied && stores > 0,
        _ => supplied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_conserves_units() {
        let shares = ChannelMap {
            online: 1.0 / 3.0,
            own_retail: 1.0 / 3.0,
            platform: 1.0 / 3.0,
            dealer: 0.0,
        };
        let split = split_largest_remainder(100, &shares);
        assert_eq!(split.sum(), 100);
        assert_eq!(
            split,
            ChannelMap {
                online: 34,
                own_retail: 33,
                platform: 33,
                dealer: 0
            }
        );
        let split = split_largest_remainder(
            7,
            &ChannelMap {
                online: 0.7,
                own_retail: 0.0,
                platform: 0.2,
                dealer: 0.1,
            },
        );
        assert_eq!(split.sum(), 7);
        assert_eq!(whole_units(2.5), 2);
        assert_eq!(whole_units(3.5), 4);
        assert_eq!(whole_units(f64::NAN), 0);
    }
}
