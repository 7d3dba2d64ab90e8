//! The sweep target: a 10,000-run Monte Carlo sweep of the first-phone
//! campaign (the reference plan, `q1.flagship.price` over 10 values × 1,000 seeds,
//! metric `net_profit@sum`), on a rayon pool of 1 and of 2 threads, and a goal seek
//! of the launch price for ¥2.0B of cumulative profit over 20 seeds.
//!
//! Run with `cargo bench --no-default-features --bench sweep`. Figures: BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use thin_margin::analysis::address::Address;
use thin_margin::analysis::sweep::{BasePlan, GoalSpec, Measure, Range, SweepSpec, Vary, goal_seek, sweep};
use thin_margin::scenario::load_scenario;

fn bench_sweeps(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/first-phone.ron");
    let s = load_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
    let address = Address::parse("q1.flagship.price", &s).unwrap_or_else(|e| panic!("{e}"));
    let metric = Measure::parse("net_profit@sum").unwrap_or_else(|e| panic!("{e}"));
    let spec = SweepSpec {
        plan: BasePlan::Log(s.reference.clone()),
        vary: vec![Vary {
            name: "q1.flagship.price".into(),
            address: address.clone(),
            values: Range::parse("1599..2499:100")
                .unwrap_or_else(|e| panic!("{e}"))
                .values(),
        }],
        metrics: vec![metric.clone()],
        runs: 1000,
        first_seed: 0,
        quarters: None,
    };
    assert_eq!(spec.total_runs(), 10_000);
    let never = AtomicBool::new(false);
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        group.bench_function(format!("first-phone-10k-runs/{threads}-thread"), |b| {
            b.iter(|| pool.install(|| sweep(&s, &spec, &|_, _| {}, &never).unwrap_or_else(|e| panic!("{e}"))))
        });
    }
    let seek = GoalSpec {
        plan: BasePlan::Log(s.reference.clone()),
        name: "q1.flagship.price".into(),
        address,
        range: Range::parse("1600..2400").unwrap_or_else(|e| panic!("{e}")),
        metric,
        target: 2.0e9,
        runs: 20,
        first_seed: 0,
    };
    group.bench_function("goal-seek-launch-price-20-seeds", |b| {
        b.iter(|| goal_seek(&s, &seek, &|_, _| {}, &never).unwrap_or_else(|e| panic!("{e}")))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: the figures go to BENCHMARKS.md, and criterion's plotters charts
    // find no font once plotters is built with our embedded-font feature set.
    config = Criterion::default().without_plots();
    targets = bench_sweeps
}
criterion_main!(benches);
