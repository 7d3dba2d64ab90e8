//! Criterion benchmarks of the simulation core on the first-phone scenario.
//!
//! - `step/first-phone-q4`: one `step` of the whole market (all four companies, one
//!   quarter) from the world after four quarters of the reference strategy.
//! - `campaign/first-phone-reference`: a whole eight-quarter campaign with the
//!   reference strategy (`sim::run::run`), seed 7, policy built per iteration.
//!
//! Run with `cargo bench --bench step`. Figures and targets: BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::sync::{Arc, LazyLock};
use thin_margin::scenario::load_scenario;
use thin_margin::sim::strategies::{Policy, Strategy};
use thin_margin::sim::{Decisions, Scenario, World, run, step};

/// The scenario every benchmark plays.
const SCENARIO: &str = "scenarios/first-phone.ron";
/// Seed of the benchmarked runs.
const SEED: u64 = 7;
/// Quarters resolved before the single-step benchmark's quarter (mid-campaign).
const MID: u32 = 4;

/// The scenario, loaded once for every benchmark (never inside a timed closure).
static LOADED: LazyLock<Arc<Scenario>> = LazyLock::new(|| {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO);
    Arc::new(load_scenario(&path).unwrap_or_else(|e| panic!("cannot load {SCENARIO}: {e:?}")))
});

fn scenario() -> Arc<Scenario> {
    LOADED.clone()
}

/// The world after `quarters` quarters of the reference strategy, and the reference
/// player's decisions for the next quarter.
fn mid_campaign(scenario: &Arc<Scenario>, quarters: u32) -> (World, Decisions) {
    let mut policy = Strategy::Reference.policy(scenario);
    let player = |w: &World| w.companies.iter().position(|c| c.is_player).expect("a player company");
    let mut world = World::new(scenario.clone(), SEED);
    for _ in 0..quarters {
        let decisions = Decisions::solo(policy.decide(&world, player(&world)));
        world = step(&world, &decisions).expect("reference decisions are valid").0;
    }
    let decisions = Decisions::solo(policy.decide(&world, player(&world)));
    (world, decisions)
}

fn bench_step(c: &mut Criterion) {
    let scenario = scenario();
    let (world, decisions) = mid_campaign(&scenario, MID);
    assert!(!world.is_finished());
    c.bench_function("step/first-phone-q4", |b| {
        b.iter(|| step(black_box(&world), black_box(&decisions)).expect("valid step"))
    });
}

fn bench_campaign(c: &mut Criterion) {
    let scenario = scenario();
    assert_eq!(scenario.n_quarters, 8);
    c.bench_function("campaign/first-phone-reference", |b| {
        b.iter(|| {
            let mut policies: Vec<Box<dyn Policy>> = vec![Strategy::Reference.policy(&scenario)];
            let out = run::run(scenario.clone(), black_box(SEED), &mut policies, None).expect("valid run");
            debug_assert_eq!(out.reports.len(), 8);
            out
        })
    });
}

criterion_group! {
    name = benches;
    // No HTML plots: the figures go to BENCHMARKS.md, and criterion's plotters charts
    // find no font once plotters is built with our embedded-font feature set.
    config = Criterion::default().without_plots();
    targets = bench_step, bench_campaign
}
criterion_main!(benches);
