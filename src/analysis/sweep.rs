//! Sweeps and goal seek: the same plan played over a grid of one or two varied
//! parameters (see [`super::address`]), each grid point on the same seeds (common
//! random numbers), so differences between points come from the parameter, not
//! from noise. Each metric is summarised per point by its mean and P10/P50/P90 over
//! the seeds. Runs are spread over the machine's cores (rayon); a shared flag stops
//! the work cleanly, and a callback counts finished runs for a progress bar.
//!
//! A point can measure report metrics (`net_profit@sum`) and the scenario's score
//! (the balanced scorecard, 0–100, as the game and the debrief rank runs). A sweep
//! may stop every run after a number of quarters, to match a run that ended early.
//!
//! Goal seek looks for the value of one parameter at which a metric's expected value
//! (the mean over the seeds, or one run with the demand noise switched off) meets a
//! target: a scan of the range finds the first sign change, then bisection narrows
//! it. When the target is out of reach in the range, it says so and reports the
//! value that came closest.

use super::address::Address;
use super::percentile;
use crate::sim::Scenario;
use crate::sim::decisions::PartialDecisions;
use crate::sim::metric::MetricSpec;
use crate::sim::run::run;
use crate::sim::score::score;
use crate::sim::strategies::{LogPolicy, Policy, Strategy};
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Called with (runs finished so far, runs in all) as work completes, from any thread.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// The most runs one sweep may ask for.
pub const MAX_RUNS: u64 = 10_000_000;

/// How the player decides in every run.
#[derive(Clone, Debug)]
pub enum BasePlan {
    /// A decision log: decisions can be varied.
    Log(Vec<PartialDecisions>),
    /// A reactive strategy (e.g. cost-plus): only scenario parameters can be varied.
    Strategy(Strategy),
}

/// `FROM..TO[:STEP]` as grid values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub from: f64,
    pub to: f64,
    pub step: Option<f64>,
}

/// Points a range without a step is split into.
pub const DEFAULT_POINTS: usize = 11;

impl Range {
    /// Parses `FROM..TO` or `FROM..TO:STEP`, refusing FROM > TO and a step of 0 or less.
    pub fn parse(text: &str) -> Result<Range, String> {
        let (range, step) = match text.split_once(':') {
            Some((r, s)) => (r, Some(s)),
            None => (text, None),
        };
        let Some((from, to)) = range.split_once("..") else {
            return Err(format!(
                "\"{text}\": a range is FROM..TO or FROM..TO:STEP, e.g. 1499..2499:100"
            ));
        };
        let number = |s: &str| -> Result<f64, String> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("\"{s}\" in \"{text}\" is not a number"))
        };
        let (from, to) = (number(from)?, number(to)?);
        if from > to {
            return Err(format!("\"{text}\": FROM ({from}) is above TO ({to})"));
        }
        let step = step.map(number).transpose()?;
        if let Some(s) = step
            && s <= 0.0
        {
            return Err(format!("\"{text}\": the step must be above 0, found {s}"));
        }
        Ok(Range { from, to, step })
    }

    /// How many grid values the range gives (without building them).
    pub fn len(&self) -> u64 {
        match self.step {
            _ if self.from == self.to => 1,
            Some(step) => ((self.to - self.from) / step + 1e-9).floor() as u64 + 1,
            None => DEFAULT_POINTS as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The grid values, FROM first; TO is included when the step lands on it.
    pub fn values(&self) -> Vec<f64> {
        let n = self.len();
        match self.step {
            _ if n == 1 => vec![self.from],
            Some(step) => (0..n).map(|i| self.from + step * i as f64).collect(),
            None => (0..n)
                .map(|i| self.from + (self.to - self.from) * i as f64 / (n - 1) as f64)
                .collect(),
        }
    }
}

/// One varied parameter.
#[derive(Clone, Debug)]
pub struct Vary {
    pub name: String,
    pub address: Address,
    pub values: Vec<f64>,
}

/// What a sweep measures after each run.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// A report metric over the player's rows.
    Metric(MetricSpec),
    /// The scenario's score (0–100) over the player's rows.
    Score,
}

impl Measure {
    /// `score` (the scenario's score, 0–100) or a report metric such as `net_profit@sum`.
    pub fn parse(text: &str) -> Result<Measure, String> {
        if text.trim() == "score" {
            Ok(Measure::Score)
        } else {
            MetricSpec::parse(text).map(Measure::Metric)
        }
    }

    /// The measure after a run of `scenario` whose player rows are `rows`.
    pub fn evaluate(&self, scenario: &Scenario, rows: &[&crate::sim::CompanyReport]) -> Option<f64> {
        match self {
            Measure::Metric(m) => m.evaluate(rows),
            Measure::Score => Some(score(scenario, rows).total),
        }
    }
}

impl From<MetricSpec> for Measure {
    fn from(m: MetricSpec) -> Self {
        Measure::Metric(m)
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Measure::Metric(m) => m.fmt(f),
            Measure::Score => f.write_str("score"),
        }
    }
}

/// A metric's spread over the seeds at one grid point.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub mean: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// One grid point: the varied values and each metric's summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    pub values: Vec<f64>,
    pub metrics: Vec<Summary>,
    /// Runs the model refused (a varied decision out of range), with the first reason.
    pub refused: usize,
    pub refusal: Option<String>,
}

/// A finished sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepResult {
    pub scenario: String,
    pub params: Vec<String>,
    pub metrics: Vec<String>,
    pub runs_per_point: u32,
    pub first_seed: u64,
    pub points: Vec<Point>,
}

/// Why a sweep, goal seek or tornado stopped.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Invalid(String),
    #[error("stopped before the end ({done} of {total} runs done)")]
    Cancelled { done: usize, total: usize },
}

/// What to sweep.
#[derive(Clone, Debug)]
pub struct SweepSpec {
    pub plan: BasePlan,
    pub vary: Vec<Vary>,
    pub metrics: Vec<Measure>,
    pub runs: u32,
    pub first_seed: u64,
    /// Quarters each run plays (`None`: the whole scenario).
    pub quarters: Option<u32>,
}

impl SweepSpec {
    /// Total runs: grid points × seeds.
    pub fn total_runs(&self) -> u64 {
        self.vary
            .iter()
            .fold(1u64, |n, v| n.saturating_mul(v.values.len() as u64))
            .saturating_mul(u64::from(self.runs))
    }
}

/// The scenario and plan at one grid point.
fn variant(
    scenario: &Scenario,
    plan: &BasePlan,
    vary: &[Vary],
    values: &[f64],
) -> Result<(Arc<Scenario>, BasePlan), String> {
    let mut s = scenario.clone();
    let mut plan = plan.clone();
    for (v, &x) in vary.iter().zip(values) {
        s = v.address.apply_scenario(&s, x)?;
        if matches!(v.address, Address::Decision { .. }) {
            plan = match plan {
                BasePlan::Log(log) => BasePlan::Log(v.address.apply_plan(&s, &log, x)),
                BasePlan::Strategy(st) => {
                    return Err(format!(
                        "{} is a decision, and strategy {st} decides for itself: vary decisions of a decision log (--decisions FILE, or --strategy reference or hold)",
                        v.name
                    ));
                }
            };
        }
    }
    Ok((Arc::new(s), plan))
}

fn policy(plan: &BasePlan, scenario: &Scenario) -> Box<dyn Policy> {
    match plan {
        BasePlan::Log(log) => Box::new(LogPolicy::new(log.clone())),
        BasePlan::Strategy(s) => s.policy(scenario),
    }
}

/// Each measure after one run of at most `quarters` quarters, or the model's refusal.
fn one_run(
    scenario: &Arc<Scenario>,
    plan: &BasePlan,
    metrics: &[Measure],
    seed: u64,
    quarters: Option<u32>,
) -> Result<Vec<f64>, String> {
    let mut policies = vec![policy(plan, scenario)];
    let out = run(scenario.clone(), seed, &mut policies, quarters).map_err(|e| e.to_string())?;
    let rows = out.player_rows();
    Ok(metrics
        .iter()
        .map(|m| m.evaluate(scenario, &rows).unwrap_or(f64::NAN))
        .collect())
}

fn summarise(mut values: Vec<f64>) -> Summary {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    let mean = if values.is_empty() {
        f64::NAN
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    };
    Summary {
        mean,
        p10: percentile(&values, 0.10).unwrap_or(f64::NAN),
        p50: percentile(&values, 0.50).unwrap_or(f64::NAN),
        p90: percentile(&values, 0.90).unwrap_or(f64::NAN),
    }
}

/// All grid points of one or two varied parameters, row-major.
fn grid(vary: &[Vary]) -> Vec<Vec<f64>> {
    vary.iter().fold(vec![Vec::new()], |acc, v| {
        acc.iter()
            .flat_map(|prefix| {
                v.values.iter().map(move |x| {
                    let mut p = prefix.clone();
                    p.push(*x);
                    p
                })
            })
            .collect()
    })
}

/// Runs the sweep. `progress` is called with the runs finished so far and the total;
/// setting `cancel` stops it with [`SweepError::Cancelled`].
pub fn sweep(
    scenario: &Scenario,
    spec: &SweepSpec,
    progress: Progress,
    cancel: &AtomicBool,
) -> Result<SweepResult, SweepError> {
    if spec.vary.is_empty() || spec.vary.len() > 2 {
        return Err(SweepError::Invalid("vary one or two parameters".into()));
    }
    if spec.metrics.is_empty() {
        return Err(SweepError::Invalid("name at least one metric".into()));
    }
    let total = spec.total_runs();
    if total > MAX_RUNS {
        return Err(SweepError::Invalid(format!(
            "{total} runs asked for; a sweep may run at most {MAX_RUNS} (fewer grid points or --runs)"
        )));
    }
    let points = grid(&spec.vary);
    let variants = points
        .iter()
        .map(|values| variant(scenario, &spec.plan, &spec.vary, values))
        .collect::<Result<Vec<_>, _>>()
        .map_err(SweepError::Invalid)?;
    let runs = spec.runs.max(1) as usize;
    let done = AtomicUsize::new(0);
    let jobs: Vec<(usize, u64)> = (0..points.len())
        .flat_map(|p| (0..runs).map(move |r| (p, r as u64)))
        .collect();
    let outcomes: Vec<Option<Result<Vec<f64>, String>>> = jobs
        .par_iter()
        .map(|&(p, r)| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let (s, plan) = &variants[p];
            let out = one_run(s, plan, &spec.metrics, spec.first_seed + r, spec.quarters);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, jobs.len());
            Some(out)
        })
        .collect();
    if cancel.load(Ordering::Relaxed) {
        return Err(SweepError::Cancelled {
            done: done.load(Ordering::Relaxed),
            total: jobs.len(),
        });
    }
    let mut result_points = Vec::with_capacity(points.len());
    for (p, values) in points.into_iter().enumerate() {
        let mut per_metric: Vec<Vec<f64>> = vec![Vec::with_capacity(runs); spec.metrics.len()];
        let mut refused = 0;
        let mut refusal = None;
        for outcome in outcomes[p * runs..(p + 1) * runs].iter().flatten() {
            match outcome {
                Ok(ms) => {
                    for (k, v) in ms.iter().enumerate() {
                        per_metric[k].push(*v);
                    }
                }
                Err(e) => {
                    refused += 1;
                    refusal.get_or_insert_with(|| e.clone());
                }
            }
        }
        result_points.push(Point {
            values,
            metrics: per_metric.into_iter().map(summarise).collect(),
            refused,
            refusal,
        });
    }
    Ok(SweepResult {
        scenario: scenario.id.clone(),
        params: spec.vary.iter().map(|v| v.name.clone()).collect(),
        metrics: spec.metrics.iter().map(|m| m.to_string()).collect(),
        runs_per_point: runs as u32,
        first_seed: spec.first_seed,
        points: result_points,
    })
}

/// What goal seek found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoalSeek {
    pub param: String,
    pub metric: String,
    pub target: f64,
    /// The value meeting the target, if the range holds one.
    pub found: Option<f64>,
    /// The value that came closest and the metric there (the found value when found).
    pub closest: f64,
    pub metric_at_closest: f64,
    pub evaluations: usize,
    /// Every value tried and the metric there, in order of value (the scan and the
    /// bisection), for a chart.
    pub samples: Vec<(f64, f64)>,
}

/// Most bisection steps after the scan.
const BISECTION_STEPS: usize = 40;

/// What goal seek looks for: `metric`'s expected value over `runs` seeds from
/// `first_seed` meeting `target` as `address` (named `name`) moves within `range`.
#[derive(Clone, Debug)]
pub struct GoalSpec {
    pub plan: BasePlan,
    pub name: String,
    pub address: Address,
    pub range: Range,
    pub metric: Measure,
    pub target: f64,
    pub runs: u32,
    pub first_seed: u64,
}

/// Finds the value of the parameter (within the range) at which the metric's expected
/// value meets the target (within a thousandth of the range or of the target).
/// `progress` counts runs against the most goal seek can need (it usually stops sooner).
pub fn goal_seek(
    scenario: &Scenario,
    spec: &GoalSpec,
    progress: Progress,
    cancel: &AtomicBool,
) -> Result<GoalSeek, SweepError> {
    let GoalSpec {
        plan,
        name,
        address,
        range,
        metric,
        target,
        runs,
        first_seed,
    } = spec;
    let (range, target, first_seed) = (*range, *target, *first_seed);
    let runs = (*runs).max(1);
    let most = (DEFAULT_POINTS + BISECTION_STEPS) * runs as usize;
    let done = AtomicUsize::new(0);
    let mut evaluations = 0;
    let mut f = |x: f64| -> Result<f64, SweepError> {
        if cancel.load(Ordering::Relaxed) {
            return Err(SweepError::Cancelled {
                done: done.load(Ordering::Relaxed),
                total: most,
            });
        }
        evaluations += 1;
        let vary = [Vary {
            name: name.to_string(),
            address: address.clone(),
            values: vec![x],
        }];
        let (s, p) = variant(scenario, plan, &vary, &[x]).map_err(SweepError::Invalid)?;
        let measure = [metric.clone()];
        let values: Vec<f64> = (0..u64::from(runs))
            .into_par_iter()
            .map(|r| {
                let v = one_run(&s, &p, &measure, first_seed + r, None).map(|v| v[0]);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, most);
                v
            })
            .collect::<Result<_, _>>()
            .map_err(SweepError::Invalid)?;
        Ok(summarise(values).mean)
    };
    let scan = Range {
        from: range.from,
        to: range.to,
        step: None,
    }
    .values();
    let mut samples = Vec::with_capacity(scan.len());
    for x in scan {
        samples.push((x, f(x)?));
    }
    let gap = |y: f64| (y - target).abs();
    let tolerance = 1e-3 * target.abs().max(1e-9);
    let mut best = samples
        .iter()
        .copied()
        .filter(|(_, y)| y.is_finite())
        .min_by(|a, b| gap(a.1).total_cmp(&gap(b.1)))
        .unwrap_or((range.from, f64::NAN));
    let bracket = samples.windows(2).find(|w| {
        let (a, b) = (w[0].1 - target, w[1].1 - target);
        a.is_finite() && b.is_finite() && (a == 0.0 || a.signum() != b.signum())
    });
    let mut found = None;
    let mut tried = Vec::new();
    if gap(best.1) <= tolerance {
        found = Some(best.0);
    } else if let Some(w) = bracket {
        let (mut lo, mut hi) = (w[0], w[1]);
        for _ in 0..BISECTION_STEPS {
            let mid = 0.5 * (lo.0 + hi.0);
            let y = f(mid)?;
            tried.push((mid, y));
            if gap(y) < gap(best.1) {
                best = (mid, y);
            }
            if gap(y) <= tolerance || (hi.0 - lo.0).abs() <= 1e-6 * (range.to - range.from).abs().max(1e-12) {
                break;
            }
            if (y - target).signum() == (lo.1 - target).signum() {
                lo = (mid, y);
            } else {
                hi = (mid, y);
            }
        }
        found = Some(best.0);
    }
    progress(most, most);
    samples.extend(tried);
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(GoalSeek {
        param: name.to_string(),
        metric: metric.to_string(),
        target,
        found,
        closest: best.0,
        metric_at_closest: best.1,
        evaluations,
        samples,
    })
}

/// `scenario` with the demand noise switched off (for `--no-noise`).
pub fn without_noise(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    s.market.demand.noise_sigma = 0.0;
    s
}
