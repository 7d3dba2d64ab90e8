//! Step 12: cash.
//!
//! `cash' = cash + inflows − outflows`. Inflows: hardware revenue (after dealer
//! margins) and services revenue. Outflows: production paid when made (units ×
//! unit cost), channel expenses, marketing, R&D, mitigation, repairs, launch costs,
//! overhead, rebates and services costs. Write-offs are not cash: the goods were
//! paid for when made. Below the scenario's credit line (`cash < −credit_line`) the
//! company is bankrupt and the campaign ends for it.

/// Closing cash and whether the company is now bankrupt.
pub fn close(cash_opening: f64, inflows: f64, outflows: f64, credit_line: f64) -> (f64, bool) {
    let cash = cash_opening + inflows - outflows;
    (cash, cash < -credit_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cash_and_credit_line() {
        assert_eq!(close(100.0, 50.0, 30.0, 0.0), (120.0, false));
        assert_eq!(close(100.0, 0.0, 150.0, 100.0), (-50.0, false));
        assert_eq!(close(100.0, 0.0, 250.0, 100.0), (-150.0, true));
    }
}
