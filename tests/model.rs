//! Behaviour the model must show with numbers: the GMV trap, refused decisions, the
//! shipped scenarios' reference logs and a naive strategy against their objectives.

mod common;

use std::sync::Arc;
use thin_margin::sim::decisions::SkuDecision;
use thin_margin::sim::params::SkuSpec;
use thin_margin::sim::run::run;
use thin_margin::sim::score::{ObjectiveStatus, objectives};
use thin_margin::sim::strategies::Strategy;
use thin_margin::sim::{Decisions, Scenario, World, step};

/// First-phone without noise, the player's flagship split into `n` identical SKUs.
fn with_n_skus(n: usize) -> Arc<Scenario> {
    let mut s = (*common::scenario("first-phone")).clone();
    s.market.demand.noise_sigma = 0.0;
    let player = s.first_player().expect("player");
    let company = &mut s.companies[player];
    let base = company.skus[0].clone();
    let decision = company.opening.skus[&base.id];
    company.skus.clear();
    company.opening.skus.clear();
    for k in 0..n {
        let id = format!("phone-{k}");
        company.skus.push(Arc::new(SkuSpec {
            id: id.clone(),
            ..(*base).clone()
        }));
        // Ample stock everywhere so sales show demand, not supply.
        company.opening.skus.insert(
            id,
            SkuDecision {
                production: 1_200_000,
                ..decision
            },
        );
    }
    Arc::new(s)
}

fn first_quarter(s: Arc<Scenario>) -> thin_margin::sim::CompanyReport {
    let world = World::new(s, 1);
    let player = world.companies.iter().position(|c| c.is_player).expect("player");
    let d = world.companies[player].last_decisions.clone();
    let (_, report) = step(&world, &Decisions::solo(d)).expect("valid");
    report.companies.into_iter().find(|r| r.is_player).expect("player row")
}

#[test]
fn gmv_trap_more_skus_add_little_share_and_cut_focus() {
    let one = first_quarter(with_n_skus(1));
    let five = first_quarter(with_n_skus(5));
    // Demand (what buyers chose, before any stock-out) measures the company's pull.
    let (demand_one, demand_five) = (one.demand as f64, five.demand as f64);
    assert!(demand_one > 0.0);
    assert!(demand_five > demand_one, "more SKUs still add some demand");
    // Far less than 5×: the nest parameter λ = 0.6 caps the gain near 5^0.6 ≈ 2.6×.
    assert!(demand_five < 3.0 * demand_one, "demand {demand_one} → {demand_five}");
    assert!(five.share_by_segment["smartphone"] < 3.0 * one.share_by_segment["smartphone"]);
    assert!((one.focus_index - 1.0).abs() < 1e-12);
    assert!(five.focus_index < 0.25, "focus {}", five.focus_index);
    // Each SKU sells far less than the single one did.
    let per_sku = demand_five / 5.0;
    assert!(per_sku < 0.6 * demand_one);
}

#[test]
fn invalid_decisions_are_refused_naming_the_field() {
    let s = common::scenario("first-phone");
    let world = World::new(s, 0);
    let mut d = world.companies[0].last_decisions.clone();
    d.skus.get_mut("flagship").expect("flagship").price = -5.0;
    d.skus.get_mut("flagship").expect("flagship").bom_cut = 0.7;
    d.channels.online = 0.9;
    let err = step(&world, &Decisions::solo(d)).expect_err("refused");
    let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
    assert!(fields.contains(&"flagship.price"), "{err}");
    assert!(fields.contains(&"flagship.bom_cut"), "{err}");
    assert!(fields.contains(&"channels"), "{err}");
    let mut d = world.companies[0].last_decisions.clone();
    d.skus.get_mut("flagship").expect("flagship").production = 10_000_000;
    let err = step(&world, &Decisions::solo(d)).expect_err("over capacity");
    assert_eq!(err.problems[0].field, "flagship.production");
    let mut d = world.companies[0].last_decisions.clone();
    d.skus.get_mut("flagship").expect("flagship").price = f64::NAN;
    assert!(step(&world, &Decisions::solo(d)).is_err());
    // The world was only borrowed: the same valid step still gives the same result.
    let ok = world.companies[0].last_decisions.clone();
    let (a, ra) = step(&world, &Decisions::solo(ok.clone())).expect("valid");
    let (b, rb) = step(&world, &Decisions::solo(ok)).expect("valid");
    assert_eq!(ra, rb);
    assert_eq!(a.quarter_idx, b.quarter_idx);
}

fn statuses(id: &str, strategy: Strategy, seed: u64) -> Vec<(String, ObjectiveStatus)> {
    let s = common::scenario(id);
    let mut policies = vec![strategy.policy(&s)];
    let out = run(s.clone(), seed, &mut policies, None).expect("valid decisions");
    objectives(&s, &out.player_rows())
        .into_iter()
        .map(|o| (o.id, o.status))
        .collect()
}

#[test]
fn reference_logs_meet_every_objective() {
    for (_, s) in common::shipped_scenarios() {
        for seed in 0..10 {
            for (id, status) in statuses(&s.id, Strategy::Reference, seed) {
                assert_eq!(status, ObjectiveStatus::Met, "{} seed {seed}: objective {id}", s.id);
            }
        }
    }
}

/// Each figure the documents report, reproduced by the reference strategy within its
/// tolerance (±10% unless the file says otherwise) for seeds 0–9.
#[test]
fn reference_logs_reproduce_the_documents_figures() {
    let mut failures = Vec::new();
    for (_, s) in common::shipped_scenarios() {
        for seed in 0..10 {
            let mut policies = vec![Strategy::Reference.policy(&s)];
            let out = run(s.clone(), seed, &mut policies, None).expect("valid decisions");
            let rows = out.player_rows();
            for k in &s.calibration {
                let value = k.metric.evaluate(&rows).unwrap_or(f64::NAN);
                if !k.holds(value) {
                    failures.push(format!(
                        "{} seed {seed}: {} ({}) = {value}, documents {} ±{}%",
                        s.id,
                        k.figure,
                        k.metric,
                        k.target,
                        k.tolerance * 100.0
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn holding_the_opening_plan_misses_an_objective() {
    for (_, s) in common::shipped_scenarios() {
        let missed = statuses(&s.id, Strategy::Hold, 7)
            .into_iter()
            .filter(|(_, st)| *st == ObjectiveStatus::Missed);
        assert!(missed.count() >= 1, "{}: hold met every objective", s.id);
    }
}

/// First-phone's opening world and the player's opening decisions.
fn opening() -> (World, thin_margin::sim::CompanyDecisions) {
    let world = World::new(common::scenario("first-phone"), 3);
    let d = world.companies[0].last_decisions.clone();
    (world, d)
}

#[test]
fn a_launched_sku_is_made_from_the_quarter_its_lead_time_ends() {
    let (world, mut d) = opening();
    d.launch = vec!["flagship-s".into(), "flagship-s".into()];
    let err = step(&world, &Decisions::solo(d.clone())).expect_err("launched twice");
    assert_eq!(err.problems[0].field, "launch[1]", "{err}");
    d.launch.truncate(1);
    let (mut world, _) = step(&world, &Decisions::solo(d.clone())).expect("launch accepted");
    // Lead time 2: still in development next quarter…
    let mut next = world.companies[0].last_decisions.clone();
    next.skus.insert(
        "flagship-s".into(),
        SkuDecision {
            price: 1999.0,
            bom_cut: 0.0,
            mitigation: 0.0,
            production: 1000,
        },
    );
    let err = step(&world, &Decisions::solo(next.clone())).expect_err("not ready");
    assert_eq!(err.problems[0].field, "flagship-s.production", "{err}");
    next.skus.get_mut("flagship-s").expect("entry").production = 0;
    world = step(&world, &Decisions::solo(next.clone())).expect("valid").0;
    // …and made in the quarter its lead time ends.
    next.skus.get_mut("flagship-s").expect("entry").production = 100_000;
    let (_, report) = step(&world, &Decisions::solo(next)).expect("ready now");
    let sku = report.companies[0]
        .skus
        .iter()
        .find(|s| &*s.id == "flagship-s")
        .expect("on sale");
    assert_eq!(sku.units_produced, 100_000);
}

#[test]
fn stock_keeps_the_quality_it_was_made_with() {
    let (world, mut d) = opening();
    // A deep cut protected by mitigation passes the veto…
    let f = d.skus.get_mut("flagship").expect("flagship");
    f.bom_cut = 0.2;
    f.mitigation = 20_000_000.0;
    f.production = 1_200_000;
    let (world, report) = step(&world, &Decisions::solo(d)).expect("valid");
    assert_eq!(report.companies[0].quality_vetoes, 0);
    let left = report.companies[0].inventory_closing;
    assert!(left > 0, "some stock left to sell down");
    // …and retiring it (mitigation ends, the cut carries over) still sells that stock.
    let mut d = world.companies[0].last_decisions.clone();
    d.retire = vec!["flagship".into()];
    d.skus.get_mut("flagship").expect("flagship").production = 0;
    let (_, report) = step(&world, &Decisions::solo(d)).expect("valid");
    let row = &report.companies[0];
    assert_eq!(row.quality_vetoes, 0);
    assert!(row.units_sold > 0);
    assert!(
        row.defect_rate < 0.04,
        "stock keeps its defect rate, found {}",
        row.defect_rate
    );
}

#[test]
fn stores_holding_stock_cannot_all_close() {
    let (world, mut d) = opening();
    d.stores = 10;
    d.channels = thin_margin::sim::ChannelMap {
        online: 0.5,
        own_retail: 0.5,
        platform: 0.0,
        dealer: 0.0,
    };
    d.skus.get_mut("flagship").expect("flagship").production = 300_000;
    let (world, _) = step(&world, &Decisions::solo(d)).expect("valid");
    assert!(!world.companies[0].bankrupt);
    // First-phone's buyers do not shop in own stores yet, so the stores' stock is unsold.
    assert!(world.companies[0].skus[0].inventory.own_retail > 0);
    let mut d = world.companies[0].last_decisions.clone();
    d.stores = 0;
    d.channels = thin_margin::sim::ChannelMap {
        online: 1.0,
        own_retail: 0.0,
        platform: 0.0,
        dealer: 0.0,
    };
    match step(&world, &Decisions::solo(d)) {
        Err(err) => assert_eq!(err.problems[0].field, "stores", "{err}"),
        Ok(_) => panic!("closing every store with stock in them was accepted"),
    }
}

#[test]
fn the_preview_matches_what_the_quarter_then_reports() {
    let s = common::scenario("first-phone");
    let mut world = World::new(s.clone(), 5);
    let mut policy = Strategy::Reference.policy(&s);
    for _ in 0..s.n_quarters {
        let d = policy.decide(&world, 0);
        let p = thin_margin::sim::preview::preview(&world, 0, &d);
        let (next, report) = step(&world, &Decisions::solo(d)).expect("valid");
        let row = &report.companies[0];
        for sku in &p.skus {
            let reported = row.skus.iter().find(|r| *r.id == *sku.id).expect("reported");
            assert_eq!(
                sku.unit_cost.to_bits(),
                reported.unit_cost.to_bits(),
                "{} unit cost",
                row.quarter
            );
            assert_eq!(sku.vetoed, reported.vetoed);
        }
        assert!(p.runway_quarters > 0.0 && p.runway_quarters.is_finite());
        world = next;
    }
}

#[test]
fn the_profit_bridge_adds_up_to_the_change_in_net_profit() {
    use thin_margin::report::profit_bridge::profit_bridge;
    for strategy in [Strategy::Reference, Strategy::CostPlus { markup: 0.2 }] {
        let s = common::scenario("first-phone");
        let mut policies = vec![strategy.policy(&s)];
        let out = run(s, 11, &mut policies, None).expect("valid");
        let names: Vec<_> = out.reports[0].companies.iter().map(|c| c.company.clone()).collect();
        let mut checked = 0;
        for name in names {
            let rows: Vec<_> = out.rows().filter(|r| r.company == name).collect();
            for pair in rows.windows(2) {
                checked += 1;
                let total: f64 = profit_bridge(pair[0], pair[1]).iter().map(|(_, v)| v).sum();
                let change = pair[1].net_profit - pair[0].net_profit;
                let scale = pair[0]
                    .net_profit
                    .abs()
                    .max(pair[1].net_profit.abs())
                    .max(pair[1].revenue_hardware)
                    .max(1.0);
                assert!(
                    (total - change).abs() <= 1e-9 * scale,
                    "{} {}: {total} vs {change}",
                    pair[1].quarter,
                    pair[1].company
                );
            }
        }
        assert!(checked >= 7 * 4, "checked {checked} quarter pairs");
    }
}

#[test]
fn key_decisions_are_measured_by_replay_and_ranked() {
    use thin_margin::report::key_decisions::key_decisions;
    let s = common::scenario("first-phone");
    let mut policies = vec![Strategy::Reference.policy(&s)];
    let out = run(s.clone(), 7, &mut policies, None).expect("valid");
    let played: Vec<_> = out.decisions.iter().map(|d| d[0].clone()).collect();
    let effects = key_decisions(&s, 7, &played, 3);
    assert_eq!(effects.len(), 3, "{effects:?}");
    for pair in effects.windows(2) {
        assert!(pair[0].score_effect.abs() >= pair[1].score_effect.abs());
    }
    // Ramping production up is what sells 7.9M phones: it must rank, and help.
    let ramp = effects
        .iter()
        .find(|e| e.description.starts_with("flagship production"))
        .expect("a production ramp ranks");
    assert!(ramp.score_effect > 0.0, "{effects:?}");
}

/// The debrief's Decision slide is a real sweep of the key decision: every point is
/// the player's run with that one field set to the point's value in that quarter
/// (held until the player next changed it), on the run's own seed, so the point at
/// the player's value is the player's own run and the point at the earlier value is
/// the run with the decision undone, to the last bit.
#[test]
fn the_decision_slide_sweeps_the_key_decision_on_the_runs_own_seed() {
    use thin_margin::report::key_decisions::key_decisions;
    use thin_margin::report::replay::player_rows;
    use thin_margin::report::slides::{SlideChart, deck};
    use thin_margin::sim::CompanyDecisions;
    use thin_margin::sim::score::score;
    let s = common::scenario("first-phone");
    let seed = 7;
    let mut policies = vec![Strategy::Reference.policy(&s)];
    let out = run(s.clone(), seed, &mut policies, None).expect("valid");
    let played: Vec<CompanyDecisions> = out.decisions.iter().map(|d| d[0].clone()).collect();
    let top = key_decisions(&s, seed, &played, 1).remove(0);
    let field = top.field.clone().expect("a SKU's decision has a sweep address");
    // Seed 7's key decision is the production ramp (`q2.flagship.production`).
    let parts: Vec<&str> = field.address.split('.').collect();
    let [_, sku, name] = parts[..] else {
        panic!("a SKU decision: {field:?}");
    };
    let value = |d: &CompanyDecisions| {
        let k = &d.skus[sku];
        match name {
            "price" => k.price,
            "production" => k.production as f64,
            "bom_cut" => k.bom_cut,
            _ => k.mitigation,
        }
    };
    let deck = deck(&s, seed, &played).expect("a deck");
    let SlideChart::Sweep {
        metric,
        xs,
        ys: (_, ys),
        chosen,
        before,
        ..
    } = &deck.slides[1].chart
    else {
        panic!("the Decision slide charts a sweep: {:?}", deck.slides[1].chart);
    };
    assert_eq!(metric, "score");
    assert_eq!((*chosen, *before), (field.after, field.before));
    assert!((11..=21).contains(&xs.len()), "{xs:?}");
    let score_of = |decisions: &[CompanyDecisions]| {
        let rows = player_rows(&s, seed, decisions).expect("valid decisions");
        score(&s, &rows.iter().collect::<Vec<_>>()).total
    };
    let at = |x: f64| xs.iter().position(|v| *v == x).expect("the value is on the grid");
    assert_eq!(ys[at(field.after)], score_of(&played), "the player's own run");
    assert_eq!(ys[at(field.before)], score_of(&top.without), "the decision undone");
    // Every point: the quarters the decision held, with the field at that value.
    for (x, y) in xs.iter().zip(ys) {
        let mut variant = played.clone();
        for (d, undone) in variant.iter_mut().zip(&top.without) {
            if value(d) != value(undone) {
                let k = d.skus.get_mut(sku).expect("the SKU");
                match name {
                    "price" => k.price = *x,
                    "production" => k.production = *x as u64,
                    "bom_cut" => k.bom_cut = *x,
                    _ => k.mitigation = *x,
                }
            }
        }
        assert_eq!(*y, score_of(&variant), "{} at {x}", field.address);
    }
    assert!(ys.iter().any(|y| *y != ys[0]), "the decision moves the score: {ys:?}");
    let headline = &deck.slides[1].headline;
    let effect = format!("{:.1}", (ys[at(field.after)] - ys[at(field.before)]).abs());
    assert!(
        headline.contains(&effect) && headline.contains("points of score"),
        "{headline}"
    );
}

/// A rival price cut lowers a price follower's prices in the quarter it happens and
/// stays (first-phone: the domestic brands cut 10% in 2012Q4), rather than being
/// divided back out of last quarter's prices.
#[test]
fn a_rival_price_cut_sticks_for_a_price_follower() {
    let s = common::scenario("first-phone");
    let mut policies = vec![Strategy::Reference.policy(&s)];
    let out = run(s.clone(), 7, &mut policies, None).expect("valid decisions");
    let price = |quarter: &str| -> f64 {
        out.rows()
            .find(|r| &*r.company == "Domestic brands" && r.quarter.to_string() == quarter)
            .and_then(|r| r.skus.first())
            .map(|k| k.price)
            .expect("a domestic-brands row")
    };
    let (before, cut, after) = (price("2012Q3"), price("2012Q4"), price("2013Q1"));
    assert!(
        cut <= before * 0.93,
        "2012Q3 ¥{before:.0} → 2012Q4 ¥{cut:.0}: the 10% cut did not land"
    );
    assert!(after <= before * 0.95, "2013Q1 ¥{after:.0}: the cut was undone");
}
