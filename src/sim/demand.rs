//! Step 4: demand — how many buyers come to market, which companies they know, and
//! which product each one picks.
//!
//! **Buyers per segment.** Category Bass diffusion: new adopters
//! `(p + q·N/M)(M − N)`, plus replacement buyers `N / replacement_quarters` from the
//! installed base; the potential `M` grows by `growth` per quarter; demand shocks
//! multiply the total.
//!
//! **Awareness per company and segment** diffuses the same way,
//! `A' = A + (p_c + q_c·A)(1 − A)`, where
//!
//! ```text
//! p_c = p_base + p_paid·e/(e + paid_half) + p_presence·presence
//! q_c = q_base·(trust/0.5)·(1 + q_community·c/(c + community_half))·(0.5 + 0.5·focus)
//! ```
//!
//! with `e` = paid traffic ÷ traffic-cost index, `presence` = the reach-weighted
//! share of the segment's shoppers in channels where the company sells, `c` = the
//! community budget and `focus` = last quarter's Herfindahl index of the company's
//! unit sales across SKUs. One explosive product spreads by word of mouth better
//! than ten diluted ones.
//!
//! **Choice.** In each segment and channel, a nested logit with one nest per
//! company: `V_j = β_price·ln(p_ref/price) + β_perf·ln(perf/perf_ref) +
//! β_trust·trust − β_defect·defect`; the company's nest has value
//! `W_c = ln(A_c·coverage_c) + λ·ln Σ_j exp(V_j/λ)` and the outside option
//! `V_0`. `P(c) = exp(W_c) / (exp(V_0) + Σ exp(W))`, `P(j|c) = exp(V_j/λ) /
//! Σ_k exp(V_k/λ)`. With λ < 1 a company's extra SKUs add little to its total share
//! while they split its own volume: the GMV trap. `coverage` is 1 except in own
//! retail, where it is `min(1, stores / stores_full_coverage)`.
//!
//! **Noise.** Each product's demand is multiplied by `exp(σ·z)`, one standard
//! normal `z` per SKU per quarter, drawn for every company's every SKU in company
//! then portfolio order (SKUs not on sale draw too, so the stream does not depend
//! on sales). Demand becomes whole units by round-half-to-even per product per
//! channel, after noise.

use super::params::{AwarenessParams, DemandParams, Segment};
use super::world::SegmentState;

/// Category Bass adopters this quarter: `(p + q·N/M)(M − N)`, never negative.
pub fn bass_adopters(p: f64, q: f64, adopters: f64, potential: f64) -> f64 {
    if potential <= 0.0 {
        return 0.0;
    }
    ((p + q * adopters / potential) * (potential - adopters)).max(0.0)
}

/// Buyers this quarter and the segment's state after it.
pub fn segment_buyers(seg: &Segment, state: &SegmentState, demand_factor: f64) -> (f64, SegmentState) {
    let new_adopters = bass_adopters(seg.bass_p, seg.bass_q, state.adopters, state.potential)
        .min((state.potential - state.adopters).max(0.0));
    let replacement = if seg.replacement_quarters > 0.0 {
        state.adopters / seg.replacement_quarters
    } else {
        0.0
    };
    let buyers = (new_adopters + replacement) * demand_factor;
    let next = SegmentState {
        potential: state.potential * (1.0 + seg.growth),
        adopters: state.adopters + new_adopters,
        ref_perf: state.ref_perf,
    };
    (buyers, next)
}

/// What drives one company's awareness this quarter.
#[derive(Clone, Copy, Debug)]
pub struct AwarenessInputs {
    pub paid_traffic: f64,
    pub traffic_index: f64,
    pub presence: f64,
    pub trust: f64,
    pub community: f64,
    pub focus: f64,
}

/// The company's Bass coefficients `(p_c, q_c)`.
pub fn awareness_coefficients(inputs: &AwarenessInputs, a: &AwarenessParams) -> (f64, f64) {
    let effective = inputs.paid_traffic / inputs.traffic_index.max(1e-9);
    let paid = saturating(effective, a.paid_half);
    let p = a.p_base + a.p_paid * paid + a.p_presence * inputs.presence;
    let community = saturating(inputs.community, a.community_half);
    let q = a.q_base * (inputs.trust / 0.5) * (1.0 + a.q_community * community) * (0.5 + 0.5 * inputs.focus);
    (p, q)
}

/// Awareness after one quarter of diffusion, within 0..=1.
pub fn next_awareness(awareness: f64, p: f64, q: f64) -> f64 {
    let a = awareness.clamp(0.0, 1.0);
    (a + ((p + q * a) * (1.0 - a)).max(0.0)).min(1.0)
}

/// `x / (x + half)`: 0 at 0, ½ at `half`, toward 1 beyond.
pub fn saturating(x: f64, half: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if half <= 0.0 {
        1.0
    } else {
        x / (x + half)
    }
}

/// A product's deterministic utility, without the trust and defect terms:
/// `β_price·ln(p_ref/price) + β_perf·ln(perf/perf_ref)` (its "value for money").
pub fn value(seg: &Segment, ref_perf: f64, price: f64, perf: f64) -> f64 {
    seg.price_sensitivity * libm::log(seg.ref_price / price) + seg.perf_sensitivity * libm::log(perf / ref_perf)
}

/// A product's full utility `V_j`.
pub fn utility(value: f64, trust: f64, defect: f64, d: &DemandParams) -> f64 {
    value + d.trust_weight * trust - d.defect_weight * defect
}

/// One product on offer in one segment and channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Offer {
    /// Which nest (company) it belongs to; offers of one nest must be adjacent.
    pub nest: usize,
    pub utility: f64,
    /// `ln(awareness × coverage)` of its company.
    pub ln_weight: f64,
}

/// Reusable buffers for [`nested_logit`].
#[derive(Clone, Debug, Default)]
pub struct LogitScratch {
    /// Choice probability of each offer, in the offers' order.
    pub shares: Vec<f64>,
    nests: Vec<(usize, usize, f64)>,
}

/// Nested-logit choice probabilities of each offer (in `scratch.shares`, same order)
/// and of the outside option (returned). Offers of one nest must be adjacent.
pub fn nested_logit(offers: &[Offer], outside_utility: f64, lambda: f64, scratch: &mut LogitScratch) -> f64 {
    let LogitScratch { shares, nests } = scratch;
    shares.clear();
    shares.resize(offers.len(), 0.0);
    nests.clear();
    // Pass 1: each nest's log-sum, its value W_c, and the within-nest probabilities.
    let mut start = 0;
    let mut max_w = outside_utility;
    while start < offers.len() {
        let nest = offers[start].nest;
        let mut end = start;
        while end < offers.len() && offers[end].nest == nest {
            end += 1;
        }
        let max_v = offers[start..end]
            .iter()
            .map(|o| o.utility / lambda)
            .fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = offers[start..end]
            .iter()
            .map(|o| libm::exp(o.utility / lambda - max_v))
            .sum();
        let log_sum = max_v + libm::log(sum);
        let w = offers[start].ln_weight + lambda * log_sum;
        max_w = max_w.max(w);
        nests.push((start, end, w));
        for (k, o) in offers[start..end].iter().enumerate() {
            shares[start + k] = libm::exp(o.utility / lambda - log_sum);
        }
        start = end;
    }
    // Pass 2: nest probabilities, stable against overflow by subtracting the largest value.
    let outside = libm::exp(outside_utility - max_w);
    let denom = outside + nests.iter().map(|&(_, _, w)| libm::exp(w - max_w)).sum::<f64>();
    for &(start, end, w) in nests.iter() {
        let p_nest = libm::exp(w - max_w) / denom;
        for share in &mut shares[start..end] {
            *share *= p_nest;
        }
    }
    outside / denom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bass_adopters_by_hand() {
        // p = 0.01, q = 0.4, N = 100, M = 1000: (0.01 + 0.4 × 0.1) × 900 = 45.
        assert!((bass_adopters(0.01, 0.4, 100.0, 1000.0) - 45.0).abs() < 1e-12);
        assert_eq!(bass_adopters(0.01, 0.4, 1000.0, 1000.0), 0.0);
        assert!((next_awareness(0.1, 0.01, 0.4) - (0.1 + 0.05 * 0.9)).abs() < 1e-12);
    }

    #[test]
    fn nested_logit_sums_to_one_with_outside_option() {
        let offers = [
            Offer {
                nest: 0,
                utility: 0.3,
                ln_weight: 0.0,
            },
            Offer {
                nest: 0,
                utility: -0.2,
                ln_weight: 0.0,
            },
            Offer {
                nest: 1,
                utility: 0.1,
                ln_weight: libm::log(0.5),
            },
        ];
        let mut scratch = LogitScratch::default();
        let outside = nested_logit(&offers, 0.0, 0.6, &mut scratch);
        let shares = &scratch.shares;
        let total: f64 = shares.iter().sum::<f64>() + outside;
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        // By hand for nest 1 alone: W = ln 0.5 + 0.1, so its share is 0.5·e^0.1 over the denominator.
        let iv0 = 0.6 * ((0.3f64 / 0.6).exp() + (-0.2f64 / 0.6).exp()).ln();
        let denom = 1.0 + iv0.exp() + 0.5 * 0.1f64.exp();
        assert!((shares[2] - 0.5 * 0.1f64.exp() / denom).abs() < 1e-12);
        assert!((outside - 1.0 / denom).abs() < 1e-12);
    }
}
