//! Sweeps and goal seek: common random numbers, the same answers whatever the
//! number of threads, agreement with plain runs, goal seek that meets its target or
//! says it cannot, and bad input refused before any work starts.

mod common;

use std::sync::atomic::AtomicBool;
use thin_margin::analysis::address::{Address, with_share};
use thin_margin::analysis::sweep::{
    BasePlan, GoalSpec, MAX_RUNS, Measure, Range, SweepError, SweepSpec, Vary, goal_seek, sweep,
};
use thin_margin::sim::metric::MetricSpec;
use thin_margin::sim::run::run;
use thin_margin::sim::strategies::Strategy;
use thin_margin::sim::{Channel, ChannelMap};

fn price_sweep(values: Vec<f64>, runs: u32) -> SweepSpec {
    let s = common::scenario("first-phone");
    SweepSpec {
        plan: BasePlan::Log(s.reference.clone()),
        vary: vec![Vary {
            name: "q1.flagship.price".into(),
            address: Address::parse("q1.flagship.price", &s).expect("address"),
            values,
        }],
        metrics: vec![MetricSpec::parse("net_profit@sum").expect("metric").into()],
        runs,
        first_seed: 3,
        quarters: None,
    }
}

#[test]
fn a_sweep_point_at_the_plans_own_value_matches_plain_runs() {
    let s = common::scenario("first-phone");
    let never = AtomicBool::new(false);
    let result = sweep(&s, &price_sweep(vec![1999.0], 4), &|_, _| {}, &never).expect("sweep");
    let mean: f64 = (3..7)
        .map(|seed| {
            let mut p = vec![Strategy::Reference.policy(&s)];
            let out = run(s.clone(), seed, &mut p, None).expect("run");
            out.player_rows().iter().map(|r| r.net_profit).sum::<f64>()
        })
        .sum::<f64>()
        / 4.0;
    assert!((result.points[0].metrics[0].mean - mean).abs() <= 1e-6 * mean.abs());
}

/// A sweep can measure the score, and stop its runs after a number of quarters: on
/// one seed, the point at the plan's own value is that plain run, to the last bit.
#[test]
fn a_sweep_measures_the_score_of_runs_cut_to_a_number_of_quarters() {
    use thin_margin::analysis::sweep::Measure;
    use thin_margin::sim::score::score;
    let s = common::scenario("first-phone");
    let never = AtomicBool::new(false);
    let mut spec = price_sweep(vec![1999.0], 1);
    spec.metrics = vec![
        Measure::Score,
        MetricSpec::parse("units_sold@sum").expect("metric").into(),
    ];
    spec.quarters = Some(4);
    let result = sweep(&s, &spec, &|_, _| {}, &never).expect("sweep");
    assert_eq!(result.metrics, ["score", "units_sold@sum"]);
    let mut p = vec![Strategy::Reference.policy(&s)];
    let out = run(s.clone(), 3, &mut p, Some(4)).expect("run");
    let rows = out.player_rows();
    assert_eq!(rows.len(), 4);
    let units: f64 = rows.iter().map(|r| r.units_sold as f64).sum();
    assert_eq!(result.points[0].metrics[0].mean, score(&s, &rows).total);
    assert_eq!(result.points[0].metrics[1].mean, units);
}

#[test]
fn sweeps_are_the_same_on_one_thread_or_two_and_move_with_the_parameter() {
    let s = common::scenario("camera-bom");
    let spec = SweepSpec {
        plan: BasePlan::Log(s.reference.clone()),
        vary: vec![Vary {
            name: "all.camera.bom_cut".into(),
            address: Address::parse("all.camera.bom_cut", &s).expect("address"),
            values: Range::parse("0..0.2:0.05").expect("range").values(),
        }],
        metrics: vec![MetricSpec::parse("defect_rate@max").expect("metric").into()],
        runs: 6,
        first_seed: 0,
        quarters: None,
    };
    let never = AtomicBool::new(false);
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("pool");
    let a = one.install(|| sweep(&s, &spec, &|_, _| {}, &never)).expect("sweep");
    let b = two.install(|| sweep(&s, &spec, &|_, _| {}, &never)).expect("sweep");
    assert_eq!(a, b);
    assert_eq!(a.points.len(), 5);
    // Deeper cuts beyond the safe cut raise the defect rate.
    let defects: Vec<f64> = a.points.iter().map(|p| p.metrics[0].mean).collect();
    assert!(defects.windows(2).all(|w| w[1] >= w[0]), "{defects:?}");
    assert!(defects[4] > defects[0]);
}

#[test]
fn a_cancelled_sweep_stops_and_says_so() {
    let s = common::scenario("first-phone");
    let cancelled = AtomicBool::new(true);
    let err = sweep(&s, &price_sweep(vec![1799.0, 1999.0], 3), &|_, _| {}, &cancelled).expect_err("cancelled");
    assert!(matches!(err, SweepError::Cancelled { done: 0, total: 6 }), "{err:?}");
}

#[test]
fn goal_seek_meets_a_reachable_target_and_names_the_closest_value_otherwise() {
    let s = common::scenario("first-phone");
    let plan = BasePlan::Log(s.reference.clone());
    let address = Address::parse("q1.flagship.price", &s).expect("address");
    let metric = Measure::parse("net_profit@sum").expect("metric");
    let range = Range::parse("1600..2400").expect("range");
    let never = AtomicBool::new(false);
    let spec = |target: f64| GoalSpec {
        plan: plan.clone(),
        name: "q1.flagship.price".into(),
        address: address.clone(),
        range,
        metric: metric.clone(),
        target,
        runs: 5,
        first_seed: 0,
    };
    let g = goal_seek(&s, &spec(2.0e9), &|_, _| {}, &never).expect("seek");
    let x = g.found.expect("reachable");
    assert!((1600.0..=2400.0).contains(&x));
    assert!((g.metric_at_closest - 2.0e9).abs() <= 2.0e6, "{g:?}");
    let far = goal_seek(&s, &spec(9.0e9), &|_, _| {}, &never).expect("seek");
    assert_eq!(far.found, None);
    assert_eq!(far.closest, 2400.0);
    // Stopped before it starts: nothing is run.
    let stop = AtomicBool::new(true);
    let err = goal_seek(&s, &spec(2.0e9), &|_, _| {}, &stop).expect_err("cancelled");
    assert!(matches!(err, SweepError::Cancelled { done: 0, .. }), "{err:?}");
}

#[test]
fn bad_sweep_input_is_refused_with_the_closest_names() {
    let s = common::scenario("first-phone");
    assert!(Range::parse("2..1").expect_err("from > to").contains("above"));
    assert!(
        Range::parse("1..2:0")
            .expect_err("step 0")
            .contains("step must be above 0")
    );
    assert!(Range::parse("1..x").expect_err("not a number").contains("not a number"));
    let e = Address::parse("q1.flagship.prise", &s).expect_err("typo");
    assert!(e.contains("did you mean price"), "{e}");
    let e = Address::parse("market.smartphon.price_sensitivity", &s).expect_err("typo");
    assert!(e.contains("smartphone"), "{e}");
    let e = Address::parse("q99.flagship.price", &s).expect_err("quarter");
    assert!(e.contains("q1..q8"), "{e}");
    let spec = price_sweep(vec![1999.0; 1000], 20_000);
    assert!(spec.total_runs() > MAX_RUNS);
    let never = AtomicBool::new(false);
    let err = sweep(&s, &spec, &|_, _| {}, &never).expect_err("too many");
    assert!(err.to_string().contains("at most 10000000"), "{err}");
    // A reactive strategy cannot have its decisions varied.
    let mut spec = price_sweep(vec![1999.0], 1);
    spec.plan = BasePlan::Strategy(Strategy::CostPlus { markup: 0.3 });
    assert!(
        sweep(&s, &spec, &|_, _| {}, &never)
            .expect_err("strategy")
            .to_string()
            .contains("decision log")
    );
}

#[test]
fn setting_one_channel_share_keeps_the_sum_at_one() {
    let old = ChannelMap {
        online: 0.6,
        own_retail: 0.0,
        platform: 0.3,
        dealer: 0.1,
    };
    let new = with_share(&old, Channel::Platform, 0.5);
    assert_eq!(new.platform + new.online + new.own_retail + new.dealer, 1.0);
    assert_eq!(new.own_retail, 0.0);
    assert!((new.online / new.dealer - 6.0).abs() < 1e-9);
}

#[test]
fn the_tornado_ranks_parameters_by_their_effect_and_moves_both_ways() {
    use thin_margin::analysis::sensitivity::tornado;
    let s = common::scenario("camera-bom");
    let metric = Measure::parse("net_profit@sum").expect("metric");
    let never = AtomicBool::new(false);
    let counted = std::sync::Mutex::new((0, 0));
    let t = tornado(
        &s,
        &s.reference,
        &metric,
        0.1,
        3,
        0,
        &|done, total| {
            let mut c = counted.lock().expect("lock");
            *c = (c.0.max(done), total);
        },
        &never,
    )
    .expect("tornado");
    assert!(t.bars.len() > 20, "{} bars", t.bars.len());
    // Progress reaches the total: the base and two variants per bar, three seeds each.
    let (done, total) = *counted.lock().expect("lock");
    assert_eq!((done, total), (3 * (1 + 2 * t.bars.len()), 3 * (1 + 2 * t.bars.len())));
    let swings: Vec<f64> = t.bars.iter().map(|b| b.swing(t.base)).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "not sorted");
    // Price is a first-order lever of profit for a ¥199 camera.
    assert!(
        t.bars.iter().take(5).any(|b| b.param == "all.camera.price"),
        "{:?}",
        t.bars.iter().take(5).map(|b| &b.param).collect::<Vec<_>>()
    );
    assert!(tornado(&s, &s.reference, &metric, 0.0, 3, 0, &|_, _| {}, &never).is_err());
    let stop = AtomicBool::new(true);
    let err = tornado(&s, &s.reference, &metric, 0.1, 3, 0, &|_, _| {}, &stop).expect_err("cancelled");
    assert!(matches!(err, SweepError::Cancelled { done: 0, .. }), "{err:?}");
}

#[test]
fn every_library_constraint_loads_and_applies_in_every_scenario() {
    use thin_margin::analysis::challenge::challenge;
    use thin_margin::scenario::constraint::load_constraint;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/constraints");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/constraints")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "the six constraints the panel draws from");
    for path in names {
        let event = load_constraint(&path).unwrap_or_else(|e| panic!("{e}"));
        for (_, s) in common::shipped_scenarios() {
            let at = (s.n_quarters / 2) as usize;
            let c = challenge(&s, &s.reference, None, at, &event, 2, 0)
                .unwrap_or_else(|e| panic!("{} in {}: {e}", path.display(), s.id));
            assert_eq!(c.at, s.quarter_at(at as u32));
            assert!(c.replanned.is_none());
        }
    }
}

#[test]
fn a_replan_may_change_only_what_comes_after_the_constraint() {
    use thin_margin::analysis::challenge::challenge;
    use thin_margin::scenario::constraint::load_constraint;
    use thin_margin::sim::decisions::PartialSkuDecision;
    let s = common::scenario("first-phone");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/constraints/rival-undercut.ron");
    let event = load_constraint(&path).expect("constraint");
    // Answer the undercut from 2012Q3 (q5) with a lower price and more community spend.
    let mut replan = s.reference.clone();
    let was = replan[4].skus.get("flagship").copied().unwrap_or_default();
    replan[4].skus.insert(
        "flagship".into(),
        PartialSkuDecision {
            price: Some(1699.0),
            ..was
        },
    );
    replan[4].community = Some(20_000_000.0);
    let c = challenge(&s, &s.reference, Some(&replan), 4, &event, 3, 0).expect("challenge");
    let (orig, hit, re) = (&c.original, &c.constrained, c.replanned.as_ref().expect("re-plan"));
    assert!(
        hit.score < orig.score,
        "the undercut costs the plan: {} vs {}",
        hit.score,
        orig.score
    );
    assert_ne!(re, hit, "the re-plan plays differently under the constraint");
    // Changing 2012Q2 (q4) is rewriting the past.
    let mut cheat = replan.clone();
    cheat[3].community = Some(1.0);
    let err = challenge(&s, &s.reference, Some(&cheat), 4, &event, 3, 0).expect_err("refused");
    assert!(err.contains("2012Q2") && err.contains("before the constraint"), "{err}");
}

#[test]
fn charts_are_written_as_png_or_svg_with_their_titles() {
    use thin_margin::analysis::sensitivity::tornado;
    use thin_margin::chart::{Chart, SIZE};
    let s = common::scenario("first-phone");
    let never = AtomicBool::new(false);
    let result = sweep(&s, &price_sweep(vec![1799.0, 1999.0, 2199.0], 2), &|_, _| {}, &never).expect("sweep");
    let dir = std::env::temp_dir().join(format!("thin-margin-charts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let png = dir.join("sweep.png");
    Chart::Sweep(&result).save(&png).expect("png");
    let bytes = std::fs::read(&png).expect("read");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // Width and height from the IHDR chunk.
    let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    assert_eq!((width, height), SIZE);
    let metric = Measure::parse("net_profit@sum").expect("metric");
    let t = tornado(
        &s,
        &s.reference,
        &metric,
        0.1,
        2,
        0,
        &|_, _| {},
        &AtomicBool::new(false),
    )
    .expect("tornado");
    let svg = dir.join("tornado.svg");
    Chart::Tornado(&t, 10).save(&svg).expect("svg");
    let text = std::fs::read_to_string(&svg).expect("svg text");
    assert!(
        text.contains("What moves net_profit@sum most"),
        "the title is in the SVG"
    );
    assert!(Chart::Tornado(&t, 10).save(&dir.join("tornado.jpg")).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn played_decisions_written_back_as_a_plan_replay_the_same_run() {
    use thin_margin::sim::decisions::PartialDecisions;
    use thin_margin::sim::strategies::{LogPolicy, Policy};
    for (_, s) in common::shipped_scenarios() {
        let mut p = vec![Strategy::Reference.policy(&s)];
        let played = run(s.clone(), 5, &mut p, None).expect("run");
        let plan: Vec<PartialDecisions> = played
            .decisions
            .iter()
            .filter_map(|d| d.first())
            .map(PartialDecisions::from)
            .collect();
        let mut again: Vec<Box<dyn Policy>> = vec![Box::new(LogPolicy::new(plan))];
        let replayed = run(s.clone(), 5, &mut again, None).expect("replay");
        assert_eq!(played.player_rows(), replayed.player_rows(), "{}", s.id);
    }
}

#[test]
fn applying_a_found_value_changes_only_that_decision_of_the_quarter_being_decided() {
    use thin_margin::analysis::address::effective_decisions;
    let s = common::scenario("first-phone");
    let plan = s.reference[..2].to_vec();
    let before = effective_decisions(&s, &plan, 1);
    let after = Address::parse("q2.flagship.price", &s)
        .expect("address")
        .applied(&s, &plan, 1, 1849.0)
        .expect("applied");
    assert_eq!(after.skus["flagship"].price, 1849.0);
    let mut expected = before.clone();
    expected.skus.get_mut("flagship").expect("sku").price = 1849.0;
    assert_eq!(after, expected);
    // Every-quarter addresses apply to the quarter being decided too.
    let all = Address::parse("all.channels.online", &s).expect("address");
    let shares = all.applied(&s, &plan, 1, 0.5).expect("applied").channels;
    assert!((shares[Channel::Online] - 0.5).abs() < 1e-12);
    // Another quarter's decision, or a market parameter, cannot be applied.
    let q1 = Address::parse("q1.flagship.price", &s).expect("address");
    assert!(q1.applied(&s, &plan, 1, 1849.0).expect_err("q1").contains("2011Q"));
    let market = Address::parse("market.smartphone.price_sensitivity", &s).expect("address");
    assert!(
        market
            .applied(&s, &plan, 1, 1.0)
            .expect_err("market")
            .contains("market parameter")
    );
}
