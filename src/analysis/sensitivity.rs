//! Sensitivity (a tornado): every scenario parameter and every decision of the plan
//! moved down and up by the same relative spread (±10% by default), one at a time,
//! each variant played on the same seeds as the base plan; ranked by the larger of the
//! two changes in the metric's mean. Decisions are scaled in every quarter they are
//! set (`all.` addresses), so a plan that changes over time keeps its shape.
//! Parameters at 0 are skipped (a relative move does nothing to them), and so are
//! whole-number fields a fractional value cannot fill and variants the model refuses.

use super::address::{Address, all_addresses};
use crate::sim::Scenario;
use crate::sim::decisions::PartialDecisions;
use crate::sim::metric::MetricSpec;
use crate::sim::run::run;
use crate::sim::strategies::LogPolicy;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;

/// One bar of the tornado.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bar {
    pub param: String,
    pub base_value: f64,
    /// The metric's mean with the parameter moved down and up.
    pub low: f64,
    pub high: f64,
}

impl Bar {
    /// The larger of the two changes from the base, in the metric's unit.
    pub fn swing(&self, base: f64) -> f64 {
        (self.low - base).abs().max((self.high - base).abs())
    }
}

/// The whole tornado, biggest effect first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tornado {
    pub scenario: String,
    pub metric: String,
    pub spread: f64,
    pub runs: u32,
    pub base: f64,
    pub bars: Vec<Bar>,
}

fn mean_metric(
    scenario: &Arc<Scenario>,
    plan: &[PartialDecisions],
    metric: &MetricSpec,
    runs: u32,
    seed: u64,
) -> Option<f64> {
    let mut total = 0.0;
    for r in 0..u64::from(runs.max(1)) {
        let mut policies: Vec<Box<dyn crate::sim::strategies::Policy>> = vec![Box::new(LogPolicy::new(plan.to_vec()))];
        let out = run(scenario.clone(), seed + r, &mut policies, None).ok()?;
        total += metric.evaluate(&out.player_rows())?;
    }
    Some(total / f64::from(runs.max(1)))
}

/// The tornado of `metric` for `plan` (a decision log) in `scenario`.
pub fn tornado(
    scenario: &Scenario,
    plan: &[PartialDecisions],
    metric: &MetricSpec,
    spread: f64,
    runs: u32,
    first_seed: u64,
) -> Result<Tornado, String> {
    if !(spread > 0.0 && spread < 1.0) {
        return Err(format!(
            "the spread must be between 0% and 100%, found {}%",
            spread * 100.0
        ));
    }
    let base_scenario = Arc::new(scenario.clone());
    let base = mean_metric(&base_scenario, plan, metric, runs, first_seed)
        .ok_or_else(|| "the plan itself is refused by the model or the metric has no value".to_string())?;
    let names = all_addresses(scenario);
    let mut bars: Vec<Bar> = names
        .par_iter()
        .filter_map(|name| {
            let address = Address::parse(name, scenario).ok()?;
            let base_value = address.current(scenario, plan).ok()?;
            if base_value == 0.0 {
                return None;
            }
            let (s_low, p_low) = address.scaled(scenario, plan, 1.0 - spread).ok()?;
            let (s_high, p_high) = address.scaled(scenario, plan, 1.0 + spread).ok()?;
            let low = mean_metric(&Arc::new(s_low), &p_low, metric, runs, first_seed)?;
            let high = mean_metric(&Arc::new(s_high), &p_high, metric, runs, first_seed)?;
            Some(Bar {
                param: name.clone(),
                base_value,
                low,
                high,
            })
        })
        .collect();
    bars.sort_by(|a, b| b.swing(base).total_cmp(&a.swing(base)).then(a.param.cmp(&b.param)));
    Ok(Tornado {
        scenario: scenario.id.clone(),
        metric: metric.to_string(),
        spread,
        runs,
        base,
        bars,
    })
}
