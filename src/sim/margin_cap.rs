//! Step 9: the hardware net-margin cap.
//!
//! Hardware net margin = (hardware revenue − COGS − hardware opex) / hardware
//! revenue over the trailing four quarters (this one and up to three before).
//! With the cap on, any profit above `cap × revenue` in that window that earlier
//! rebates have not already returned is returned to users now as a rebate (a cost
//! that buyers count as a price cut, step 11): `rebate = max(0, Σprofit − cap·Σrevenue − Σearlier rebates)`.
//! Margin before the cap is `Σprofit / Σrevenue`; after it,
//! `(Σprofit − Σrebates) / Σrevenue ≤ cap`. With the cap off nothing is returned,
//! and trust erodes in proportion to the margin above the pledge (step 11). No
//! revenue in the window gives margins of 0 and no rebate. The pledge binds the
//! player companies only: computer-run rivals never made it.

use super::world::QuarterFlows;

/// The cap's verdict for this quarter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CapOutcome {
    pub margin_before: f64,
    pub margin_after: f64,
    pub rebate: f64,
}

/// Applies the cap (if any) given up to three earlier quarters and this one's revenue and profit.
pub fn apply_cap(earlier: &[QuarterFlows], hw_revenue: f64, hw_profit: f64, cap: Option<f64>) -> CapOutcome {
    let window = &earlier[earlier.len().saturating_sub(3)..];
    let revenue: f64 = window.iter().map(|f| f.hw_revenue).sum::<f64>() + hw_revenue;
    let profit: f64 = window.iter().map(|f| f.hw_profit).sum::<f64>() + hw_profit;
    let earlier_rebates: f64 = window.iter().map(|f| f.rebate).sum();
    if revenue <= 0.0 {
        return CapOutcome {
            margin_before: 0.0,
            margin_after: 0.0,
            rebate: 0.0,
        };
    }
    let rebate = match cap {
        Some(cap) => (profit - cap * revenue - earlier_rebates).max(0.0),
        None => 0.0,
    };
    let mut margin_after = (profit - earlier_rebates - rebate) / revenue;
    if let Some(cap) = cap {
        // Guard the last bit of floating-point rounding: the cap is a hard promise.
        margin_after = margin_after.min(cap);
    }
    CapOutcome {
        margin_before: profit / revenue,
        margin_after,
        rebate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebate_by_hand() {
        // First quarter: revenue 100, profit 8, cap 5% → rebate 3, margin 8% → 5%.
        let out = apply_cap(&[], 100.0, 8.0, Some(0.05));
        assert!((out.rebate - 3.0).abs() < 1e-12);
        assert!((out.margin_before - 0.08).abs() < 1e-12);
        assert!(out.margin_after <= 0.05 + 1e-12);
        // Second quarter: 100 revenue, 2 profit; the window has 200 revenue and 10
        // profit, 3 already returned: 10 − 10 − 3 < 0 → no rebate, margin (10 − 3)/200.
        let q1 = QuarterFlows {
            hw_revenue: 100.0,
            hw_profit: 8.0,
            rebate: 3.0,
            ..QuarterFlows::default()
        };
        let out = apply_cap(&[q1], 100.0, 2.0, Some(0.05));
        assert_eq!(out.rebate, 0.0);
        assert!((out.margin_after - 0.035).abs() < 1e-12);
        // Cap off: kept.
        let out = apply_cap(&[], 100.0, 8.0, None);
        assert_eq!(out.rebate, 0.0);
        assert!((out.margin_after - 0.08).abs() < 1e-12);
    }
}
