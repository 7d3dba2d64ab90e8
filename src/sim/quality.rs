//! Step 3: quality under BOM cuts, the quality veto and returns.
//!
//! `defect = base + k × max(0, cut − safe_cut(mitigation))²` with
//! `safe_cut(m) = safe_cut_base + safe_cut_gain × (1 − exp(−m / mitigation_scale))`:
//! engineering spend buys a deeper cut before quality suffers, with diminishing
//! returns. A SKU whose defect rate exceeds `veto_threshold` fails the quality
//! veto: its line stops, nothing is made and none of its stock ships this quarter.
//! Defective units sold cost `defect × units × repair_cost` in returns and repairs.

use super::params::QualityParams;

/// The BOM cut that costs no quality at this mitigation spend.
pub fn safe_cut(mitigation: f64, q: &QualityParams) -> f64 {
    let effect = if q.mitigation_scale > 0.0 {
        1.0 - libm::exp(-mitigation / q.mitigation_scale)
    } else {
        0.0
    };
    q.safe_cut_base + q.safe_cut_gain * effect
}

/// Defect rate of a SKU with this base rate, cut and mitigation.
pub fn defect_rate(base_defect: f64, cut: f64, mitigation: f64, q: &QualityParams) -> f64 {
    let excess = (cut - safe_cut(mitigation, q)).max(0.0);
    (base_defect + q.k * excess * excess).min(1.0)
}

/// Whether a SKU at this defect rate fails the quality veto.
pub fn is_vetoed(defect: f64, q: &QualityParams) -> bool {
    defect > q.veto_threshold
}

/// Returns and repairs for `units` sold at this defect rate.
pub fn repair_cost(defect: f64, units: u64, q: &QualityParams) -> f64 {
    defect * units as f64 * q.repair_cost
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: QualityParams = QualityParams {
        k: 2.0,
        safe_cut_base: 0.05,
        safe_cut_gain: 0.10,
        mitigation_scale: 1_000_000.0,
        veto_threshold: 0.04,
        repair_cost: 300.0,
    };

    #[test]
    fn veto_threshold_by_hand() {
        // No mitigation: safe cut 5%. A 15% cut leaves 10 points unprotected:
        // defect = 1% + 2 × 0.10² = 3%: under the 4% veto.
        let d = defect_rate(0.01, 0.15, 0.0, &Q);
        assert!((d - 0.03).abs() < 1e-12);
        assert!(!is_vetoed(d, &Q));
        // A 20% cut: 1% + 2 × 0.15² = 5.5%: vetoed.
        let d = defect_rate(0.01, 0.20, 0.0, &Q);
        assert!((d - 0.055).abs() < 1e-12);
        assert!(is_vetoed(d, &Q));
        // Mitigation of one scale (¥1M) protects 5% + 10% × (1 − 1/e) = 11.32%:
        // defect = 1% + 2 × (0.20 − 0.113212)² = 2.5064%: passes.
        let d = defect_rate(0.01, 0.20, 1_000_000.0, &Q);
        let expected = 0.01 + 2.0 * (0.20 - (0.05 + 0.10 * (1.0 - (-1.0f64).exp()))).powi(2);
        assert!((d - expected).abs() < 1e-12);
        assert!(!is_vetoed(d, &Q));
        // Within the safe cut the base rate is untouched.
        assert_eq!(defect_rate(0.01, 0.04, 0.0, &Q), 0.01);
        assert!((repair_cost(0.02, 1000, &Q) - 6000.0).abs() < 1e-9);
    }
}
