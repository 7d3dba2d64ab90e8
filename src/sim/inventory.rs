//! Step 7: inventory and turnover.
//!
//! Stock is kept per SKU per channel in whole units and valued at a moving-average
//! unit cost. A retired SKU's stock sells down and is written off once it has been
//! retired for `writeoff_after` quarters; the write-off is a reported cost.
//!
//! `turnover = annualised COGS / average inventory at cost`. A quarter's average
//! inventory is the mean of opening and closing stock at cost, but never less than
//! the display and transit stock a channel must hold, `COGS × min_stock_weeks / 13`
//! (a channel that sells out within the quarter still held goods on the way).
//! Annualised over the trailing four quarters: `4 × Σ COGS / Σ average inventory`
//! over the quarters kept (×4 of the mean in the first year). No stock and no sales
//! give 0.

/// Whether a SKU retired in `since_idx` is written off at the end of `quarter_idx`.
pub fn writeoff_due(since_idx: u32, quarter_idx: u32, writeoff_after: u32) -> bool {
    quarter_idx.saturating_sub(since_idx) >= writeoff_after
}

/// A quarter's average inventory at cost, with the display-stock floor.
pub fn average_inventory(opening_value: f64, closing_value: f64, cogs: f64, min_stock_weeks: f64) -> f64 {
    (0.5 * (opening_value + closing_value)).max(cogs * min_stock_weeks / 13.0)
}

/// Annualised turnover from `(cogs, average inventory)` of up to four quarters.
pub fn annualised_turnover(quarters: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (cogs, inventory) = quarters.fold((0.0, 0.0), |(c, i), (qc, qi)| (c + qc, i + qi));
    if inventory > 0.0 { 4.0 * cogs / inventory } else { 0.0 }
}

/// New moving-average unit cost after adding `added` units at `unit_cost`.
pub fn moving_average_cost(stock: u64, avg_cost: f64, added: u64, unit_cost: f64) -> f64 {
    let total = stock + added;
    if total == 0 {
        return avg_cost;
    }
    (stock as f64 * avg_cost + added as f64 * unit_cost) / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turnover_annualisation_by_hand() {
        // One quarter: COGS ¥17M, average stock ¥4M → 4 × 17 / 4 = 17×.
        assert!((annualised_turnover([(17.0, 4.0)].into_iter()) - 17.0).abs() < 1e-12);
        // Four quarters: Σ COGS 60, Σ average inventory 20 → 4 × 60 / 20 = 12×.
        let q = [(10.0, 5.0), (20.0, 5.0), (15.0, 5.0), (15.0, 5.0)];
        assert!((annualised_turnover(q.into_iter()) - 12.0).abs() < 1e-12);
        assert_eq!(annualised_turnover([(0.0, 0.0)].into_iter()), 0.0);
        // Sold out within the quarter: the floor of 3 weeks of COGS holds.
        assert!((average_inventory(0.0, 0.0, 13.0, 3.0) - 3.0).abs() < 1e-12);
        assert!((average_inventory(4.0, 6.0, 13.0, 3.0) - 5.0).abs() < 1e-12);
        assert!(writeoff_due(2, 4, 2));
        assert!(!writeoff_due(2, 3, 2));
        assert!((moving_average_cost(100, 10.0, 100, 20.0) - 15.0).abs() < 1e-12);
    }
}
