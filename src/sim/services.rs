//! Step 10: internet services on the installed base.
//!
//! Active users: `U' = U × (1 − churn) + attach_rate × units_sold`, with
//! `churn = churn_base + churn_monetisation × intensity²` (heavy monetisation — ads
//! in the OS — drives users away, increasingly). ARPU per quarter is
//! `arpu_base + arpu_monetisation × intensity`. Services revenue is the average of
//! opening and closing users × ARPU; services profit is revenue × the services gross
//! margin (the documents: 30%+, against ≤ 5% on hardware).

use super::params::ServiceParams;

/// Services this quarter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServicesOutcome {
    pub users_after: f64,
    pub revenue: f64,
    pub cost: f64,
    pub profit: f64,
}

pub fn services(users: f64, units_sold: u64, intensity: f64, p: &ServiceParams) -> ServicesOutcome {
    let churn = (p.churn_base + p.churn_monetisation * intensity * intensity).clamp(0.0, 1.0);
    let users_after = users * (1.0 - churn) + p.attach_rate * units_sold as f64;
    let arpu = p.arpu_base + p.arpu_monetisation * intensity;
    let revenue = 0.5 * (users + users_after) * arpu;
    let profit = revenue * p.gross_margin;
    ServicesOutcome {
        users_after,
        revenue,
        cost: revenue - profit,
        profit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_by_hand() {
        let p = ServiceParams {
            attach_rate: 1.0,
            churn_base: 0.05,
            churn_monetisation: 0.2,
            arpu_base: 2.0,
            arpu_monetisation: 8.0,
            gross_margin: 0.6,
        };
        // 1M users, 100k sold, intensity 0.5: churn 5% + 20% × 0.25 = 10% →
        // 900k + 100k = 1M users; ARPU 2 + 4 = ¥6; revenue ¥6M, profit ¥3.6M.
        let out = services(1_000_000.0, 100_000, 0.5, &p);
        assert!((out.users_after - 1_000_000.0).abs() < 1e-6);
        assert!((out.revenue - 6_000_000.0).abs() < 1e-6);
        assert!((out.profit - 3_600_000.0).abs() < 1e-6);
    }
}
