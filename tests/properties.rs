//! MODEL.md's identities as property tests over random valid decision logs, for every
//! shipped scenario, with the hardware-margin cap both off and on. 1,000 cases per
//! scenario by default; set THIN_MARGIN_PROPTEST_CASES for more.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeMap;
use std::sync::Arc;
use thin_margin::sim::decisions::{CompanyDecisions, SkuDecision};
use thin_margin::sim::events::upcoming_capacity;
use thin_margin::sim::run::run;
use thin_margin::sim::strategies::{Policy, spec_list_price};
use thin_margin::sim::world::SkuStatus;
use thin_margin::sim::{ChannelMap, Scenario, World};

/// Random draws a policy turns into valid decisions, whatever the world looks like.
#[derive(Clone, Debug)]
struct RandomPlay {
    /// One row of draws in 0..1 per quarter.
    draws: Vec<Vec<f64>>,
}

const DRAWS_PER_QUARTER: usize = 48;

struct RandomPolicy {
    play: RandomPlay,
}

impl Policy for RandomPolicy {
    fn decide(&mut self, world: &World, company_idx: usize) -> CompanyDecisions {
        let sc = &world.scenario;
        let row = &self.play.draws[world.quarter_idx as usize % self.play.draws.len()];
        let mut next = row.iter().copied().cycle();
        let mut u = || next.next().unwrap_or(0.5);
        let company = &world.companies[company_idx];
        let capacity = upcoming_capacity(world, company_idx);
        let mut skus = BTreeMap::new();
        let mut retire = Vec::new();
        for sku in &company.skus {
            // Around the SKU's list price (not last quarter's, which would compound
            // past the model's price limit over a long scenario).
            let list = spec_list_price(world, company_idx, &sku.id)
                .unwrap_or(sku.last_price)
                .max(1.0);
            let production = match sku.status {
                SkuStatus::Active => (u() * capacity as f64) as u64,
                _ => 0,
            };
            skus.insert(
                sku.id.to_string(),
                SkuDecision {
                    price: list * (0.3 + 2.7 * u()),
                    bom_cut: 0.5 * u(),
                    mitigation: 3.0 * sc.quality.mitigation_scale * u(),
                    production,
                },
            );
            if sku.is_active() && u() < 0.05 {
                retire.push(sku.id.to_string());
            }
        }
        let mut launch = Vec::new();
        for spec in &sc.catalogue {
            if !company.skus.iter().any(|s| *s.id == *spec.id) && u() < 0.2 {
                launch.push(spec.id.clone());
                skus.insert(
                    spec.id.clone(),
                    SkuDecision {
                        price: spec.list_price * (0.5 + u()),
                        bom_cut: 0.0,
                        mitigation: 0.0,
                        production: 0,
                    },
                );
            }
        }
        let raw = [u(), u(), u(), u()];
        let stores = if u() < 0.5 {
            0
        } else {
            1 + (u() * sc.finance.max_stores as f64 * 0.5) as u32
        };
        // Stores holding stock must stay open (at least one) until it sells.
        let store_stock: u64 = company.skus.iter().map(|s| s.inventory.own_retail).sum();
        let stores = if store_stock > 0 { stores.max(1) } else { stores };
        let mut weights = ChannelMap {
            online: raw[0],
            own_retail: if stores > 0 { raw[1] } else { 0.0 },
            platform: raw[2],
            dealer: raw[3],
        };
        if weights.sum() <= 0.0 {
            weights.online = 1.0;
        }
        let total = weights.sum();
        let channels = weights.map(|_, w| w / total);
        CompanyDecisions {
            skus,
            launch,
            retire,
            channels,
            stores,
            dealer_margin: sc.finance.max_dealer_margin * u(),
            community: 2e7 * u(),
            paid_traffic: 5e7 * u(),
            monetisation: u(),
            rnd: 5e7 * u(),
        }
    }
}

fn cases() -> u32 {
    std::env::var("THIN_MARGIN_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

fn play_strategy(n_quarters: usize) -> impl Strategy<Value = (RandomPlay, u64, bool)> {
    (
        prop::collection::vec(prop::collection::vec(0.0f64..1.0, DRAWS_PER_QUARTER), n_quarters),
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(|(draws, seed, cap_on)| (RandomPlay { draws }, seed, cap_on))
}

fn check_scenario(base: Arc<Scenario>) {
    let mut config = Config::with_cases(cases());
    config.failure_persistence = None;
    let mut runner = TestRunner::new(config);
    let capped = {
        let mut s = (*base).clone();
        s.cap.enabled = true;
        Arc::new(s)
    };
    runner
        .run(&play_strategy(base.n_quarters as usize), |(play, seed, cap_on)| {
            let scenario = if cap_on { capped.clone() } else { base.clone() };
            let mut policies: Vec<Box<dyn Policy>> = vec![Box::new(RandomPolicy { play })];
            let output = run(scenario, seed, &mut policies, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for row in output.rows() {
                common::check_identities(row).map_err(TestCaseError::fail)?;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{}: {e}", base.id));
}

#[test]
fn identities_hold_for_random_decisions_in_every_scenario() {
    let scenarios = common::shipped_scenarios();
    assert!(scenarios.len() >= 2, "expected the shipped scenarios");
    for (_, scenario) in scenarios {
        check_scenario(scenario);
    }
}
