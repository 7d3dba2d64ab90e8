//! The three-slide debrief a candidate presents: **Problem → Decision → Measured
//! result**, one headline number and one chart each, all measured on the run's own
//! seed.
//!
//! - **Problem**: the KPI at risk is the objective that doing nothing (the opening
//!   plan held, `hold`, same seed) misses by the most, relative to its target; the
//!   slide shows where it goes against the target.
//! - **Decision**: the player's decision that moved the score most (each change
//!   reverted alone and replayed, see `key_decisions`), and the alternatives a sweep
//!   shows: the same field in the same quarter (`q6.flagship.price`, `q2.stores`; for
//!   a new channel mix, the channel whose share moved most, the others in
//!   proportion), held until the player next changed it as a decision log holds it,
//!   set to 11–21 values through both the value before the change and the player's
//!   and past them on either side, each played with everything else as played
//!   (`analysis::sweep` on the played decisions written as a log). The chart is the
//!   score at each value on the run's seed, the same values' mean over
//!   [`MEAN_SEEDS`] seeds as a second line, the player's and the earlier value marked
//!   (and the sweep's best when it scores more). The headline is the score the
//!   change made on the run's seed (the player's value against the earlier one,
//!   both points of the chart); the context says what was swept, what both values
//!   scored, the net profit the change made and the sweep's best value where it
//!   beats the player's. A launch or a retirement, which is no field to sweep, keeps
//!   the bars of each key decision's measured net profit.
//! - **Measured result**: the objective KPI that decision moved most (relative to its
//!   target), quarter by quarter, with the player's plan and with that one decision
//!   undone (the counterfactual on the same seed).
//!
//! Pure data; `crate::chart` draws it and the CLI writes the files.

use super::format::{metric_value, money, thousands_f64};
use super::key_decisions::{DecisionEffect, FieldChange, key_decisions};
use super::replay::{as_log, player_rows, world_before};
use crate::analysis::address::{Address, CompanyField, DecisionTarget, Quarters, SkuField};
use crate::analysis::sweep::{BasePlan, Measure, SweepSpec, Vary, sweep};
use crate::sim::decisions::CompanyDecisions;
use crate::sim::events::{upcoming_capacity, upcoming_modifiers};
use crate::sim::metric::{Aggregate, MetricSpec, field_value};
use crate::sim::params::{Comparison, Objective};
use crate::sim::run::run;
use crate::sim::strategies::Strategy;
use crate::sim::{Channel, CompanyReport, Scenario, World};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// One slide: a kicker ("Problem"), the headline with its number, a line of context
/// and one chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Slide {
    pub kicker: &'static str,
    pub headline: String,
    pub context: String,
    pub chart: SlideChart,
}

/// The one chart of a slide.
#[derive(Clone, Debug, PartialEq)]
pub enum SlideChart {
    /// A metric over the quarters: named series and an optional target line.
    Lines {
        title: String,
        metric: String,
        quarters: Vec<String>,
        series: Vec<(String, Vec<f64>)>,
        target: Option<f64>,
    },
    /// A decision swept on the run's seed: the metric at each value `xs` of the
    /// decision (`ys`, NaN where the model refused the value), an optional second
    /// series (the mean over a few seeds), and markers at the player's value
    /// (`chosen`) and the value before the change (`before`), both among `xs`.
    Sweep {
        title: String,
        /// The decision with its unit: `flagship price in 2012Q4 (¥)`.
        x_label: String,
        /// How the decision's values read: `¥1,799`, `24%`, `6,000`.
        x_unit: Unit,
        /// The measure on the y axis (`score`, or a metric such as `net_profit@sum`).
        metric: String,
        xs: Vec<f64>,
        /// The series the markers sit on, with its legend.
        ys: (String, Vec<f64>),
        /// A second series over the same `xs`, with its legend.
        mean: Option<(String, Vec<f64>)>,
        chosen: f64,
        before: f64,
    },
    /// One bar per labelled item, in a money metric.
    Bars {
        title: String,
        metric: String,
        labels: Vec<String>,
        values: Vec<f64>,
    },
}

/// What a swept decision's values are, for axis ticks and sentences.
#[derive(Clone, Debug, PartialEq)]
pub enum Unit {
    /// Money in this currency: `¥1,799`, `¥2.9M`.
    Money(String),
    /// A share (0..1) shown as a percentage: `24%`, `12.5%`.
    Share,
    /// A whole number of things, named for the axis (`units`, `stores`): `6,000`.
    Count(&'static str),
}

impl Unit {
    /// `v` for people in this unit.
    pub fn format(&self, v: f64) -> String {
        match self {
            Unit::Money(currency) => money(currency, v),
            Unit::Share => {
                let pct = v * 100.0;
                if (pct - pct.round()).abs() < 1e-6 {
                    format!("{pct:.0}%")
                } else {
                    format!("{pct:.1}%")
                }
            }
            Unit::Count(_) => thousands_f64(v),
        }
    }

    /// The unit's symbol for an axis title.
    pub fn symbol(&self) -> &str {
        match self {
            Unit::Money(currency) if currency == "CNY" => "¥",
            Unit::Money(currency) => currency,
            Unit::Share => "%",
            Unit::Count(things) => things,
        }
    }
}

/// The whole deck.
#[derive(Clone, Debug, PartialEq)]
pub struct Deck {
    pub scenario: String,
    pub title: String,
    pub slides: Vec<Slide>,
}

/// The KPI's value after each quarter: a running aggregate for `@sum/mean/min/max`,
/// the field itself quarter by quarter for `@last` and `@QUARTER`.
fn path(metric: &MetricSpec, rows: &[CompanyReport]) -> Vec<f64> {
    let refs: Vec<&CompanyReport> = rows.iter().collect();
    (0..refs.len())
        .map(|q| match metric.aggregate {
            Aggregate::Last | Aggregate::At(_) => field_value(refs[q], &metric.field).unwrap_or(f64::NAN),
            _ => metric.evaluate(&refs[..=q]).unwrap_or(f64::NAN),
        })
        .collect()
}

fn value(metric: &MetricSpec, rows: &[CompanyReport]) -> Option<f64> {
    let refs: Vec<&CompanyReport> = rows.iter().collect();
    metric.evaluate(&refs)
}

/// Builds the deck for `played` (the player's decisions per quarter) with `seed`.
/// `None` when the scenario has no objective or nothing was played.
pub fn deck(scenario: &Arc<Scenario>, seed: u64, played: &[CompanyDecisions]) -> Option<Deck> {
    if scenario.objectives.is_empty() || played.is_empty() {
        return None;
    }
    let rows = player_rows(scenario, seed, played)?;
    let quarters: Vec<String> = rows.iter().map(|r| r.quarter.to_string()).collect();
    let at_deadline = |o: &Objective, rows: &[CompanyReport]| -> f64 {
        let deadline = scenario.quarter_at(o.deadline_idx);
        let upto: Vec<CompanyReport> = rows.iter().filter(|r| r.quarter <= deadline).cloned().collect();
        value(&o.metric, &upto).unwrap_or(f64::NAN)
    };
    // Gaps and moves are compared relative to the larger of the target and the values
    // (a target of ¥0, as in "never let cash fall below zero", must not dominate).
    let scale = |o: &Objective, a: f64, b: f64| {
        o.target
            .abs()
            .max(if a.is_finite() { a.abs() } else { 0.0 })
            .max(if b.is_finite() { b.abs() } else { 0.0 })
            .max(1e-9)
    };
    // 1. Problem: the KPI doing nothing misses by the most.
    let mut hold = vec![Strategy::Hold.policy(scenario)];
    let held = run(scenario.clone(), seed, &mut hold, None).ok()?;
    let held_rows: Vec<CompanyReport> = held.player_rows().into_iter().cloned().collect();
    let shortfall = |o: &Objective| -> f64 {
        let v = at_deadline(o, &held_rows);
        let gap = match o.comparison {
            Comparison::AtLeast => o.target - v,
            Comparison::AtMost => v - o.target,
        };
        if gap.is_finite() {
            gap / scale(o, v, v)
        } else {
            f64::NEG_INFINITY
        }
    };
    let objective = scenario
        .objectives
        .iter()
        .max_by(|a, b| shortfall(a).total_cmp(&shortfall(b)))?;
    let metric = objective.metric.clone();
    let m = metric.to_string();
    let deadline = scenario.quarter_at(objective.deadline_idx);
    let held_value = at_deadline(objective, &held_rows);
    let problem = Slide {
        kicker: "Problem",
        headline: format!(
            "{} if nothing changes, against a target of {} by {deadline}",
            metric_value(&m, held_value),
            metric_value(&m, objective.target)
        ),
        context: format!("{} — {}", objective.text, scenario.pitch),
        chart: SlideChart::Lines {
            title: format!("{m}: the opening plan held, quarter by quarter"),
            metric: m.clone(),
            quarters: held_rows.iter().map(|r| r.quarter.to_string()).collect(),
            series: vec![("opening plan held".into(), path(&metric, &held_rows))],
            target: Some(objective.target),
        },
    };

    // 2. Decision: the change that moved the score most, and its sweep.
    let effects = key_decisions(scenario, seed, played, 4);
    let decision = decision_slide(scenario, seed, played, &effects);

    // 3. Measured result: the objective KPI the decision moved most.
    let (without_rows, without_name) = match effects.first() {
        Some(top) => (player_rows(scenario, seed, &top.without)?, "without that decision"),
        None => (held_rows.clone(), "opening plan held"),
    };
    let moved = |o: &Objective| -> f64 {
        let (a, b) = (at_deadline(o, &rows), at_deadline(o, &without_rows));
        let d = (a - b).abs() / scale(o, a, b);
        if d.is_finite() { d } else { 0.0 }
    };
    let kpi = scenario
        .objectives
        .iter()
        .max_by(|a, b| moved(a).total_cmp(&moved(b)))
        .unwrap_or(objective);
    let kpi_metric = kpi.metric.clone();
    let km = kpi_metric.to_string();
    let kpi_deadline = scenario.quarter_at(kpi.deadline_idx);
    let played_value = at_deadline(kpi, &rows);
    let without_value = at_deadline(kpi, &without_rows);
    let result = Slide {
        kicker: "Measured result",
        headline: format!(
            "{} by {kpi_deadline}, against {} {without_name}",
            metric_value(&km, played_value),
            metric_value(&km, without_value)
        ),
        context: format!(
            "{} — {km} on the same seed ({seed}); the target was {}.",
            kpi.text,
            metric_value(&km, kpi.target)
        ),
        chart: SlideChart::Lines {
            title: format!("{km}: your plan against the counterfactual"),
            metric: km.clone(),
            quarters,
            series: vec![
                ("your plan".into(), path(&kpi_metric, &rows)),
                (without_name.into(), path(&kpi_metric, &without_rows)),
            ],
            target: Some(kpi.target),
        },
    };
    Some(Deck {
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        slides: vec![problem, decision, result],
    })
}

/// Seeds the sweep's second series is averaged over (the run's seed and the next ones).
pub const MEAN_SEEDS: u32 = 8;

/// The Decision slide: the key decision swept on the run's seed when it is one field
/// of the plan, else (a launch, a retirement) each key decision's measured effect.
fn decision_slide(
    scenario: &Arc<Scenario>,
    seed: u64,
    played: &[CompanyDecisions],
    effects: &[DecisionEffect],
) -> Slide {
    let cur = &scenario.currency;
    let Some(top) = effects.first() else {
        return Slide {
            kicker: "Decision",
            headline: "The opening plan, held every quarter".into(),
            context: "No decision changed the opening plan, so none can be measured on its own.".into(),
            chart: SlideChart::Bars {
                title: "Net profit each decision added".into(),
                metric: "net_profit@sum".into(),
                labels: Vec::new(),
                values: Vec::new(),
            },
        };
    };
    if let Some(slide) = top
        .field
        .as_ref()
        .and_then(|field| swept_decision(scenario, seed, played, top, field))
    {
        return slide;
    }
    Slide {
        kicker: "Decision",
        headline: format!(
            "{} · {}: {} points of score, {} net profit",
            top.quarter,
            top.description,
            points(top.score_effect),
            signed(cur, top.profit_effect)
        ),
        context: "Each decision undone on its own and the run replayed on the same seed: what each was worth.".into(),
        chart: SlideChart::Bars {
            title: "Net profit each decision added (undone alone, same seed)".into(),
            metric: "net_profit@sum".into(),
            labels: effects
                .iter()
                .map(|e| format!("{} {}", e.quarter, e.description))
                .collect(),
            values: effects.iter().map(|e| e.profit_effect).collect(),
        },
    }
}

/// What a decision field is called, the unit of its values and the values the model
/// accepts in the quarter of `world` (low, high, whole numbers only): production up
/// to that quarter's capacity, dealer margins up to that quarter's cap.
fn field_terms(world: &World, player: usize, target: &DecisionTarget) -> (String, Unit, f64, f64, bool) {
    let scenario = &world.scenario;
    let cur = || Unit::Money(scenario.currency.clone());
    let capacity = upcoming_capacity(world, player) as f64;
    let max_dealer_margin = upcoming_modifiers(world).dealer_margin_max;
    let finance = &scenario.finance;
    match target {
        DecisionTarget::Sku { sku, field } => match field {
            SkuField::Price => (format!("{sku} price"), cur(), 1.0, f64::INFINITY, false),
            SkuField::BomCut => (format!("{sku} BOM cut"), Unit::Share, 0.0, 0.5, false),
            SkuField::Mitigation => (format!("{sku} mitigation"), cur(), 0.0, f64::INFINITY, false),
            SkuField::Production => (format!("{sku} production"), Unit::Count("units"), 0.0, capacity, true),
        },
        DecisionTarget::Channel(ch) => {
            let name = match ch {
                Channel::Online => "online share of supply",
                Channel::OwnRetail => "own-store share of supply",
                Channel::Platform => "platform share of supply",
                Channel::Dealer => "dealer share of supply",
            };
            (name.into(), Unit::Share, 0.0, 1.0, false)
        }
        DecisionTarget::Company(field) => match field {
            CompanyField::Stores => (
                "stores".into(),
                Unit::Count("stores"),
                0.0,
                f64::from(finance.max_stores),
                true,
            ),
            CompanyField::DealerMargin => ("dealer margin".into(), Unit::Share, 0.0, max_dealer_margin, false),
            CompanyField::Community => ("community budget".into(), cur(), 0.0, f64::INFINITY, false),
            CompanyField::PaidTraffic => ("paid traffic".into(), cur(), 0.0, f64::INFINITY, false),
            CompanyField::Monetisation => ("monetisation".into(), Unit::Share, 0.0, 1.0, false),
            CompanyField::Rnd => ("R&D budget".into(), cur(), 0.0, f64::INFINITY, false),
        },
    }
}

/// The values a decision is swept over: evenly spaced through both the value before
/// the change and the player's (both exactly on the grid), reaching past them on
/// either side by the size of the change or a quarter of the value, whichever is
/// more (for a share, high ≤ 1, at least 5 points), within `low..=high`; 11–21
/// values, the roundest step that gives that many (whole steps for `whole`). When no
/// round step does (a change of ¥2.9M, or one too small for such a grid), a round
/// grid over the range with both values added.
pub fn sweep_values(before: f64, after: f64, low: f64, high: f64, whole: bool) -> Vec<f64> {
    let span = (after - before).abs();
    let reach = span
        .max(0.25 * before.abs().max(after.abs()))
        .max(if high <= 1.0 { 0.05 } else { 0.0 });
    let lo = (before.min(after) - reach).max(low);
    let hi = (before.max(after) + reach).min(high);
    // How round a step is: 1, 2, 5 (×10ⁿ) best, then 2.5, then whole mantissas.
    let roundness = |step: f64| -> u32 {
        let mantissa = step / 10f64.powf(step.log10().floor());
        let near = |m: f64| (mantissa - m).abs() < 1e-9 * m.max(1.0);
        if [1.0, 2.0, 5.0, 10.0].into_iter().any(near) {
            0
        } else if near(2.5) {
            1
        } else if near(mantissa.round()) {
            2
        } else {
            3
        }
    };
    let steps_between = |step: f64| -> (i64, i64) {
        (
            ((lo - after) / step - 1e-9).ceil() as i64,
            ((hi - after) / step + 1e-9).floor() as i64,
        )
    };
    let best = (1..=40)
        .map(|m| span / m as f64)
        .filter(|step| *step > 0.0 && (!whole || (step - step.round()).abs() < 1e-9))
        .filter_map(|step| {
            let (k0, k1) = steps_between(step);
            let n = k1 - k0 + 1;
            (roundness(step) <= 2 && (11..=21).contains(&n)).then_some((roundness(step), (n - 16).abs(), step))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut xs: Vec<f64> = match best {
        Some((_, _, step)) => {
            let (k0, k1) = steps_between(step);
            let k_before = ((before - after) / step).round() as i64;
            (k0..=k1)
                .map(|k| match k {
                    0 => after,
                    k if k == k_before => before,
                    k => after + step * k as f64,
                })
                .collect()
        }
        None => {
            // The round step (1, 2, 2.5, 5 × 10ⁿ; whole for `whole`) whose multiples in
            // the range number closest to 16.
            let magnitude = 10f64.powf(((hi - lo) / 16.0).log10().floor());
            let multiples = |step: f64| ((hi / step).floor() - (lo / step).ceil()) as i64 + 1;
            let step = [0.1, 1.0, 10.0]
                .into_iter()
                .flat_map(|scale| [1.0, 2.0, 2.5, 5.0].map(|m| m * scale * magnitude))
                .filter(|step| !whole || (*step >= 1.0 && step.fract() == 0.0))
                .min_by_key(|step| (multiples(*step) - 16).abs())
                .unwrap_or(1.0);
            let first = (lo / step).ceil() as i64;
            let last = (hi / step).floor() as i64;
            (first..=last)
                .map(|k| step * k as f64)
                .filter(|x| (x - before).abs() > 0.3 * step && (x - after).abs() > 0.3 * step)
                .chain([before, after])
                .collect()
        }
    };
    if whole {
        for x in &mut xs {
            *x = x.round();
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs
}

/// The Decision slide as a sweep of the key decision's field on the run's seed, or
/// `None` when it cannot be swept (the played decisions cannot be written as a log,
/// the model refuses the player's or the earlier value).
fn swept_decision(
    scenario: &Arc<Scenario>,
    seed: u64,
    played: &[CompanyDecisions],
    top: &DecisionEffect,
    field: &FieldChange,
) -> Option<Slide> {
    let player = scenario.first_player()?;
    let log = as_log(&scenario.companies[player].opening, played)?;
    let address = Address::parse(&field.address, scenario).ok()?;
    let Address::Decision {
        target,
        quarters: Quarters::One(q),
    } = &address
    else {
        return None;
    };
    let world = world_before(scenario, seed, played, *q)?;
    let (name, unit, low, high, whole) = field_terms(&world, player, target);
    let xs = sweep_values(field.before, field.after, low, high, whole);
    let profit = MetricSpec::parse("net_profit@sum").ok()?;
    let spec = |runs: u32, metrics: Vec<Measure>| SweepSpec {
        plan: BasePlan::Log(log.clone()),
        vary: vec![Vary {
            name: field.address.clone(),
            address: address.clone(),
            values: xs.clone(),
        }],
        metrics,
        runs,
        first_seed: seed,
        quarters: Some(played.len() as u32),
    };
    let never = AtomicBool::new(false);
    let on_seed = sweep(
        scenario,
        &spec(1, vec![Measure::Score, profit.into()]),
        &|_, _| {},
        &never,
    )
    .ok()?;
    let ys: Vec<f64> = on_seed.points.iter().map(|p| p.metrics[0].mean).collect();
    let profits: Vec<f64> = on_seed.points.iter().map(|p| p.metrics[1].mean).collect();
    let at = |x: f64| xs.iter().position(|v| v.to_bits() == x.to_bits());
    let (i_after, i_before) = (at(field.after)?, at(field.before)?);
    if !ys[i_after].is_finite() || !ys[i_before].is_finite() {
        return None;
    }
    let averaged = sweep(scenario, &spec(MEAN_SEEDS, vec![Measure::Score]), &|_, _| {}, &never).ok();
    let mean = averaged.map(|r| {
        (
            format!(
                "mean of {MEAN_SEEDS} seeds ({}–{})",
                seed,
                seed + u64::from(MEAN_SEEDS) - 1
            ),
            r.points.iter().map(|p| p.metrics[0].mean).collect::<Vec<f64>>(),
        )
    });

    let quarter = top.quarter;
    let first = scenario.quarter_at(0);
    let last = scenario.quarter_at(played.len().saturating_sub(1) as u32);
    let effect = ys[i_after] - ys[i_before];
    let profit_effect = profits[i_after] - profits[i_before];
    let (was, now) = (unit.format(field.before), unit.format(field.after));
    let headline = format!(
        "{quarter} · {name} {was} to {now}: {} points of score over {first}–{last}",
        points(effect)
    );
    let finite: Vec<usize> = (0..xs.len()).filter(|i| ys[*i].is_finite()).collect();
    let best = finite
        .iter()
        .copied()
        .max_by(|a, b| ys[*a].total_cmp(&ys[*b]).then(b.cmp(a)))?;
    let range = format!(
        "{}–{}",
        unit.format(finite.first().map_or(xs[0], |i| xs[*i])),
        unit.format(finite.last().map_or(xs[xs.len() - 1], |i| xs[*i]))
    );
    let mut name_cap = name.clone();
    if let Some(c) = name_cap.get(..1) {
        name_cap = c.to_uppercase() + &name_cap[1..];
    }
    let others = if matches!(target, DecisionTarget::Channel(_)) {
        " (the other channels in proportion)"
    } else {
        ""
    };
    let verdict = if ys[best] > ys[i_after] + 0.05 {
        format!(
            "The sweep's best: {}, {} points.",
            unit.format(xs[best]),
            points(ys[best] - ys[i_after])
        )
    } else {
        format!("Nothing in the sweep beats your {now}.")
    };
    let context = format!(
        "{name_cap} in {quarter} swept {range}{others} on this run's seed ({seed}), held until your next change: \
         your {now} scores {:.1} against {:.1} at the earlier {was} ({} net profit). {verdict}",
        ys[i_after],
        ys[i_before],
        signed(&scenario.currency, profit_effect)
    );
    let refused = xs.len() - finite.len();
    let context = if refused > 0 {
        format!("{context} The model refuses {refused} of the values tried.")
    } else {
        context
    };
    Some(Slide {
        kicker: "Decision",
        headline,
        context,
        chart: SlideChart::Sweep {
            title: format!("Score as {name} in {quarter} varies, everything else as you played it"),
            x_label: format!("{name} in {quarter} ({})", unit.symbol()),
            x_unit: unit,
            metric: "score".into(),
            xs,
            ys: (format!("this run (seed {seed})"), ys),
            mean,
            chosen: field.after,
            before: field.before,
        },
    })
}

/// Points of score with their sign: `+9.2`, `−11.3`.
fn points(v: f64) -> String {
    let text = format!("{:.1}", v.abs());
    if text.chars().all(|c| c == '0' || c == '.') {
        text
    } else if v < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

fn signed(currency: &str, v: f64) -> String {
    if v > 0.0 {
        format!("+{}", money(currency, v))
    } else {
        money(currency, v)
    }
}

impl Deck {
    /// The deck as Markdown, each slide's headline and context (with the chart files).
    pub fn to_markdown(&self) -> String {
        let mut t = format!("# {} — debrief\n\n", self.title);
        for (i, s) in self.slides.iter().enumerate() {
            t += &format!(
                "## {}. {}\n\n**{}**\n\n{}\n\n![{}](slide-{}.png)\n\n",
                i + 1,
                s.kicker,
                s.headline,
                s.context,
                s.kicker,
                i + 1
            );
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_runs_through_both_values_within_what_the_model_accepts() {
        let cases = [
            (1999.0, 1799.0, 1.0, f64::INFINITY, false),
            (0.0, 2_900_000.0, 0.0, f64::INFINITY, false),
            (0.0, 0.2, 0.0, 0.5, false),
            (0.284, 0.45, 0.0, 1.0, false),
            (350_000.0, 800_000.0, 0.0, 840_000.0, true),
            (6000.0, 7000.0, 0.0, 8000.0, true),
            (6000.0, 6003.0, 0.0, 8000.0, true),
            (1999.0, 1998.0, 1.0, f64::INFINITY, false),
        ];
        for (before, after, low, high, whole) in cases {
            let xs = sweep_values(before, after, low, high, whole);
            let case = format!("{before} to {after}: {xs:?}");
            assert!(xs.contains(&before) && xs.contains(&after), "{case}");
            assert!((11..=23).contains(&xs.len()), "{case}");
            assert!(xs.windows(2).all(|w| w[0] < w[1]), "{case}");
            assert!(xs.iter().all(|x| (low..=high).contains(x)), "{case}");
            assert!(!whole || xs.iter().all(|x| x.fract() == 0.0), "{case}");
            // Past both values, or as far as the model accepts (within a step).
            let step = xs[1] - xs[0];
            assert!(
                xs[0] < before.min(after) || xs[0] - low < step,
                "reaches below both values: {case}"
            );
            assert!(
                xs[xs.len() - 1] > before.max(after) || high - xs[xs.len() - 1] < step,
                "reaches above both values: {case}"
            );
        }
        // A price change of ¥200 is swept in round ¥100 steps from the player's price.
        assert_eq!(
            sweep_values(1999.0, 1799.0, 1.0, f64::INFINITY, false),
            (0..11).map(|k| 1399.0 + 100.0 * f64::from(k)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn units_read_as_people_write_them() {
        assert_eq!(Unit::Money("CNY".into()).format(1799.0), "¥1,799");
        assert_eq!(Unit::Share.format(0.45), "45%");
        assert_eq!(Unit::Share.format(0.284), "28.4%");
        assert_eq!(Unit::Count("units").format(800_000.0), "800,000");
        assert_eq!(
            (points(9.24), points(-11.26), points(-0.01)),
            ("+9.2".into(), "−11.3".into(), "0.0".into())
        );
    }
}
