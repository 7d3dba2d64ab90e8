//! Step 8: the documents' retail ROI, per channel and for the company.
//!
//! `ROI = (gross margin − expense ratio) × turnover`, where gross margin and expense
//! ratio are the quarter's (revenue − COGS)/revenue and expenses/revenue, and
//! turnover is the trailing annualised figure of step 7, so ROI is an annual return
//! on inventory. A ratio with no revenue is 0, and so is its ROI. The documents
//! report 17× turnover and 30% ROI for the own-store network in 2021: 30% / 17 =
//! 1.76 points of margin over expenses.

/// `numerator / denominator`, or 0 when the denominator is 0.
pub fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator != 0.0 {
        numerator / denominator
    } else {
        0.0
    }
}

/// `(gross_margin − expense_ratio) × turnover`, computed exactly as reported.
pub fn retail_roi(gross_margin: f64, expense_ratio: f64, turnover: f64) -> f64 {
    (gross_margin - expense_ratio) * turnover
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_store_figures() {
        // 6.76% gross margin, 5% expenses, 17× turnover → 30% ROI.
        let roi = retail_roi(0.0676, 0.05, 17.0);
        assert!((roi - 0.2992).abs() < 1e-12);
        assert_eq!(ratio(1.0, 0.0), 0.0);
    }
}
