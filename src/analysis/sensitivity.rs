//! Sensitivity (a tornado): every scenario parameter and every decision of the plan
//! moved down and up by the same relative spread (±10% by default), one at a time,
//! each variant played on the same seeds as the base plan; ranked by the larger of the
//! two changes in the metric's mean. Decisions are scaled in every quarter they are
//! set (`all.` addresses), so a plan that changes over time keeps its shape.
//! Parameters at 0 are skipped (a relative move does nothing to them), and so are
//! whole-number fields a fractional value cannot fill and variants the model refuses.

use super::address::{Address, all_addresses};
use super::sweep::{Measure, Progress, SweepError};
use crate::sim::Scenario;
use crate::sim::decisions::PartialDecisions;
use crate::sim::run::run;
use crate::sim::strategies::LogPolicy;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
    metric: &Measure,
    runs: u32,
    seed: u64,
) -> Option<f64> {
    let mut total = 0.0;
    for r in 0..u64::from(runs.max(1)) {
        let mut policies: Vec<Box<dyn crate::sim::strategies::Policy>> = vec![Box::new(LogPolicy::new(plan.to_vec()))];
        let out = run(scenario.clone(), seed + r, &mut policies, None).ok()?;
        total += metric.evaluate(scenario, &out.player_rows())?;
    }
    Some(total / f64::from(runs.max(1)))
}

/// The tornado of `metric` for `plan` (a decision log) in `scenario`. `progress`
/// counts runs (the base and two variants per parameter, `runs` seeds each); setting
/// `cancel` stops it with [`SweepError::Cancelled`].
pub fn tornado(
    scenario: &Scenario,
    plan: &[PartialDecisions],
    metric: &Measure,
    spread: f64,
    runs: u32,
    first_seed: u64,
    progress: Progress,
    cancel: &AtomicBool,
) -> Result<Tornado, SweepError> {
    if !(spread > 0.0 && spread < 1.0) {
        return Err(SweepError::Invalid(format!(
            "the spread must be between 0% and 100%, found {}%",
            spread * 100.0
        )));
    }
    // Every parameter with a value to move, and its two variants.
    let variants: Vec<(
        String,
        f64,
        Arc<Scenario>,
        Vec<PartialDecisions>,
        Arc<Scenario>,
        Vec<PartialDecisions>,
    )> = all_addresses(scenario)
        .into_iter()
        .filter_map(|name| {
            let address = Address::parse(&name, scenario).ok()?;
            let base_value = address.current(scenario, plan).ok()?;
            if base_value == 0.0 {
                return None;
            }
            let (s_low, p_low) = address.scaled(scenario, plan, 1.0 - spread).ok()?;
            let (s_high, p_high) = address.scaled(scenario, plan, 1.0 + spread).ok()?;
            Some((name, base_value, Arc::new(s_low), p_low, Arc::new(s_high), p_high))
        })
        .collect();
    let runs = runs.max(1);
    let total = (1 + 2 * variants.len()) * runs as usize;
    let done = AtomicUsize::new(0);
    let measure = |s: &Arc<Scenario>, p: &[PartialDecisions]| -> Option<f64> {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let m = mean_metric(s, p, metric, runs, first_seed);
        progress(done.fetch_add(runs as usize, Ordering::Relaxed) + runs as usize, total);
        m
    };
    let cancelled = || SweepError::Cancelled {
        done: done.load(Ordering::Relaxed),
        total,
    };
    let base = measure(&Arc::new(scenario.clone()), plan);
    if cancel.load(Ordering::Relaxed) {
        return Err(cancelled());
    }
    let base = base.ok_or_else(|| {
        SweepError::Invalid("the plan itself is refused by the model or the metric has no value".into())
    })?;
    let mut bars: Vec<Bar> = variants
        .par_iter()
        .filter_map(|(name, base_value, s_low, p_low, s_high, p_high)| {
            let low = measure(s_low, p_low)?;
            let high = measure(s_high, p_high)?;
            Some(Bar {
                param: name.clone(),
                base_value: *base_value,
                low,
                high,
            })
        })
        .collect();
    if cancel.load(Ordering::Relaxed) {
        return Err(cancelled());
    }
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
