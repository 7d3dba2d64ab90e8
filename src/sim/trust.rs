//! Step 11: trust (0..1).
//!
//! `trust' = clamp(trust + Δ, 0, 1)` with
//!
//! ```text
//! Δ = value_gain·tanh(value surprise)
//!   − defect_loss·max(0, defect − defect_norm)
//!   − stockout_loss·(lost demand / demand)
//!   − monetisation_loss·max(0, intensity − monetisation_tolerance)
//!   − excess_margin_loss·max(0, margin before cap − pledge)   (cap off only)
//!   + community_gain·c/(c + community_half)
//!   − reversion·(trust − anchor)
//! ```
//!
//! The value surprise is the company's sales-weighted "value for money" (price and
//! performance utility, see `demand::value`) minus the sales-weighted value of the
//! other companies' products in the same segments (0 where there are none).
//!
//! A rebate under the margin cap returns money to the buyers, so it counts as the
//! price cut it is: with `r` = rebate / hardware revenue (at most 0.9), the company's
//! value rises by `rebate_gain·β_price·ln(1 / (1 − r))` (β_price weighted by its
//! sales per segment). Rebates earn trust only through better value for money,
//! bounded like every value surprise: pricing high and returning the excess is worth
//! no more trust than pricing fairly in the first place.

use super::params::TrustParams;

/// This quarter's drivers of one company's trust.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrustInputs {
    pub value_surprise: f64,
    pub defect_rate: f64,
    pub stockout_share: f64,
    pub monetisation: f64,
    /// Margin before the cap above the pledge, when the cap is off (else 0).
    pub excess_margin: f64,
    /// `c / (c + community_half)` of the community budget.
    pub community: f64,
}

pub fn next_trust(trust: f64, i: &TrustInputs, p: &TrustParams) -> f64 {
    let delta = p.value_gain * libm::tanh(i.value_surprise)
        - p.defect_loss * (i.defect_rate - p.defect_norm).max(0.0)
        - p.stockout_loss * i.stockout_share.clamp(0.0, 1.0)
        - p.monetisation_loss * (i.monetisation - p.monetisation_tolerance).max(0.0)
        - p.excess_margin_loss * i.excess_margin.max(0.0)
        + p.community_gain * i.community.clamp(0.0, 1.0)
        - p.reversion * (trust - p.anchor);
    (trust + delta).clamp(0.0, 1.0)
}

/// The value buyers gain from a rebate of `rebate_share` of the price, in utility
/// units: `rebate_gain·β_price·ln(1 / (1 − r))`, `r` at most 0.9.
pub fn rebate_value(rebate_share: f64, price_sensitivity: f64, p: &TrustParams) -> f64 {
    let r = rebate_share.clamp(0.0, 0.9);
    -p.rebate_gain * price_sensitivity * libm::log(1.0 - r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_moves_and_stays_bounded() {
        let p = TrustParams {
            value_gain: 0.05,
            defect_loss: 2.0,
            defect_norm: 0.01,
            stockout_loss: 0.02,
            monetisation_loss: 0.1,
            monetisation_tolerance: 0.3,
            rebate_gain: 1.0,
            excess_margin_loss: 0.5,
            community_gain: 0.02,
            reversion: 0.0,
            anchor: 0.5,
        };
        let calm = TrustInputs::default();
        assert_eq!(next_trust(0.5, &calm, &p), 0.5);
        let bad = TrustInputs {
            defect_rate: 0.05,
            ..calm
        };
        // 2 × (5% − 1%) = 8 points lost.
        assert!((next_trust(0.5, &bad, &p) - 0.42).abs() < 1e-12);
        let great = TrustInputs {
            value_surprise: 100.0,
            community: 1.0,
            ..calm
        };
        assert_eq!(next_trust(0.99, &great, &p), 1.0);
        // A 50% rebate is worth what halving the price is: β·ln 2.
        assert!((rebate_value(0.5, 2.0, &p) - 2.0 * std::f64::consts::LN_2).abs() < 1e-12);
        assert_eq!(rebate_value(0.0, 2.0, &p), 0.0);
        assert!(rebate_value(5.0, 2.0, &p).is_finite());
        let awful = TrustInputs {
            defect_rate: 1.0,
            ..calm
        };
        assert_eq!(next_trust(0.1, &awful, &p), 0.0);
    }
}
