//! Step 2: unit cost.
//!
//! `unit_cost = bom × (1 − cut) × learning × drift × shock`, where
//! `learning = (max(cum_units, ref_units) / ref_units)^log2(b)` is Wright's law with
//! learning rate `b` (0.90: each doubling of cumulative units makes a unit 10%
//! cheaper). The file's BOM is what a unit costs *today*: for a SKU that already
//! has experience when the scenario starts (`cum_units` in the file), `ref_units` is
//! raised to that experience, so learning continues from there instead of
//! discounting the BOM for volume made before the start; `drift = component_drift^t` with `t` the quarters since the scenario's
//! start (component prices fall with the calendar, whatever a SKU's age: a fixed
//! launch price becomes profitable over a long life), and `shock` the supply-shock
//! cost factor in force. Cumulative units count production, the volume that
//! teaches the line. Transcendentals go through `libm`.

use super::params::CostParams;
use super::world::SkuState;

/// Wright's-law learning factor for `cum_units` produced so far, learning from
/// `ref_units` (the scenario's, or a SKU's experience at the start if larger).
pub fn learning_factor(cum_units: u64, ref_units: f64, costs: &CostParams) -> f64 {
    let ratio = (cum_units as f64).max(ref_units) / ref_units;
    libm::pow(ratio, libm::log2(costs.learning_rate))
}

/// The volume a SKU's learning counts from: the scenario's `ref_units`, or the
/// units it had made before the start if more.
pub fn learning_ref(start_units: u64, costs: &CostParams) -> f64 {
    costs.ref_units.max(start_units as f64)
}

/// Component-price drift factor after `quarter_idx` quarters.
pub fn drift_factor(quarter_idx: u32, costs: &CostParams) -> f64 {
    libm::pow(costs.component_drift, quarter_idx as f64)
}

/// The cost of one unit made this quarter.
pub fn unit_cost(
    bom: f64,
    cut: f64,
    cum_units: u64,
    ref_units: f64,
    quarter_idx: u32,
    costs: &CostParams,
    shock: f64,
) -> f64 {
    bom * (1.0 - cut) * learning_factor(cum_units, ref_units, costs) * drift_factor(quarter_idx, costs) * shock
}

/// What one unit of `sku` made in quarter `quarter_idx` costs at this BOM cut, with
/// its own learning history and the supply-shock factor in force.
pub fn sku_unit_cost(sku: &SkuState, cut: f64, quarter_idx: u32, costs: &CostParams, shock: f64) -> f64 {
    unit_cost(
        sku.bom,
        cut,
        sku.cum_units,
        learning_ref(sku.start_units, costs),
        quarter_idx,
        costs,
        shock,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const COSTS: CostParams = CostParams {
        learning_rate: 0.9,
        ref_units: 100_000.0,
        component_drift: 0.97,
        writeoff_after: 2,
    };

    #[test]
    fn wrights_law_by_hand() {
        // Below the reference volume there is no learning yet.
        let r = learning_ref(0, &COSTS);
        assert_eq!(learning_factor(50_000, r, &COSTS), 1.0);
        // One doubling: × 0.90; two doublings: × 0.81.
        assert!((learning_factor(200_000, r, &COSTS) - 0.9).abs() < 1e-12);
        assert!((learning_factor(400_000, r, &COSTS) - 0.81).abs() < 1e-12);
        // A SKU with 10M units of experience learns from there: 20M units is one doubling.
        let experienced = learning_ref(10_000_000, &COSTS);
        assert!((learning_factor(20_000_000, experienced, &COSTS) - 0.9).abs() < 1e-12);
        // ¥2,000 BOM, 10% cut, one doubling, two quarters of 3% drift:
        // 2000 × 0.9 × 0.9 × 0.97² = 1524.258
        let cost = unit_cost(2000.0, 0.1, 200_000, r, 2, &COSTS, 1.0);
        assert!((cost - 1524.258).abs() < 1e-6, "{cost}");
        // A supply shock multiplies.
        let shocked = unit_cost(2000.0, 0.0, 0, r, 0, &COSTS, 1.2);
        assert!((shocked - 2400.0).abs() < 1e-9);
    }
}
