//! A 60-team workshop market resolving one quarter (`step` over every company at
//! once, MODEL.md "Shared market"): at the start, and four quarters in.
//! Figures in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::path::Path;
use std::sync::Arc;
use thin_margin::scenario::load_scenario;
use thin_margin::sim::World;
use thin_margin::sim::decisions::CompanyDecisions;
use thin_margin::workshop::market::{Variant, workshop_scenario};
use thin_margin::workshop::session::resolve;

fn bench_workshop(c: &mut Criterion) {
    let base = load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/first-phone.ron"))
        .unwrap_or_else(|e| panic!("{e}"));
    let teams: Vec<String> = (1..=60).map(|i| format!("Team {i}")).collect();
    let scenario = Arc::new(workshop_scenario(&base, &teams, 0, Variant::Standard).unwrap_or_else(|e| panic!("{e}")));
    let decisions_of = |w: &World| -> Vec<CompanyDecisions> {
        w.companies
            .iter()
            .filter(|c| c.is_player)
            .map(|c| c.last_decisions.carried_over())
            .collect()
    };
    let start = World::new(scenario.clone(), 1);
    let mut later = start.clone();
    for _ in 0..4 {
        later = resolve(&later, &[], &decisions_of(&later))
            .unwrap_or_else(|e| panic!("{e}"))
            .0;
    }
    let mut group = c.benchmark_group("workshop");
    for (name, world) in [("60-teams-first-quarter", &start), ("60-teams-fifth-quarter", &later)] {
        let decisions = decisions_of(world);
        group.bench_function(name, |b| {
            b.iter(|| resolve(world, &[], &decisions).unwrap_or_else(|e| panic!("{e}")))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench_workshop
}
criterion_main!(benches);
