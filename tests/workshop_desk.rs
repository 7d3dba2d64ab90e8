//! A team's desk without sockets: the one-company world `desk::team_world` builds from
//! it previews and validates decisions exactly as the shared market will resolve them
//! (bit for bit), round after round, through a practice round, a restart of the
//! market and injected library constraints — and the desk holds no other company.

mod common;

use std::path::Path;
use thin_margin::scenario::constraint::load_constraint;
use thin_margin::sim::World;
use thin_margin::sim::decisions::CompanyDecisions;
use thin_margin::sim::events::upcoming_capacity;
use thin_margin::sim::preview::{preview, problems};
use thin_margin::workshop::desk::team_world;
use thin_margin::workshop::market::Variant;
use thin_margin::workshop::protocol::{TeamDesk, team_desk};
use thin_margin::workshop::session::{Command, Entry, Setup, Workshop};

const TEAMS: [&str; 3] = ["Team Alpha", "Team Bravo", "Team Charlie"];

fn scenario_text(id: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{id}.ron")))
        .expect("scenario")
}

fn workshop(id: &str) -> Workshop {
    let setup = Setup {
        id: "w1".into(),
        title: "Desk".into(),
        scenario_id: id.into(),
        scenario_hash: thin_margin::save::run_file::scenario_hash(&scenario_text(id)),
        teams: TEAMS.iter().map(|t| t.to_string()).collect(),
        computer_seats: 2,
        seed: 5,
        variant: Variant::Recession,
        practice_rounds: 1,
        auto_close: false,
        public_key: String::new(),
        facilitator_token_hash: "f".into(),
        team_token_hashes: vec!["a".into(), "b".into(), "c".into()],
    };
    Workshop::new(setup, &common::scenario(id)).expect("workshop")
}

fn send(w: &mut Workshop, command: Command) {
    let entry = Entry {
        seq: w.next_seq,
        at_ms: 1000 * w.next_seq,
        command,
    };
    w.apply(&entry).unwrap_or_else(|e| panic!("{entry:?}: {e}"));
}

fn constraint(name: &str) -> thin_margin::sim::params::Event {
    load_constraint(&Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/constraints/{name}.ron")))
        .expect("constraint")
}

/// The decisions a team's screen might preview: its last ones, a price change, a
/// launch, and invalid ones (a BOM cut of 0.9, a negative price, production far
/// beyond capacity, a dealer margin of 0.9).
fn candidates(w: &Workshop, team: usize) -> Vec<CompanyDecisions> {
    let last = w.teams[team].last.carried_over();
    let mut out = vec![w.teams[team].last.clone(), last.clone()];
    let mut cheaper = last.clone();
    for sku in cheaper.skus.values_mut() {
        sku.price *= 0.93;
    }
    out.push(cheaper);
    if let Some(spec) = w.scenario.catalogue.first() {
        let mut launch = last.clone();
        launch.launch.push(spec.id.clone());
        out.push(launch);
    }
    let mut cut = last.clone();
    for sku in cut.skus.values_mut() {
        sku.bom_cut = 0.9;
    }
    out.push(cut);
    let mut negative = last.clone();
    for sku in negative.skus.values_mut() {
        sku.price = -1.0;
        sku.production = 10_000_000;
    }
    out.push(negative);
    let mut dealers = last;
    dealers.dealer_margin = 0.9;
    out.push(dealers);
    out
}

/// Every team's desk, through JSON as the server sends it, previews like the market
/// the round will resolve in.
fn check_desks(w: &Workshop, moment: &str) -> usize {
    let market = w.resolution_world();
    let mut compared = 0;
    for (team, t) in w.teams.iter().enumerate() {
        let desk = team_desk(w, &scenario_text(&w.setup.scenario_id), team);
        let json = serde_json::to_string(&desk).expect("desk to JSON");
        for (other, name) in TEAMS.iter().enumerate() {
            if other != team {
                assert!(!json.contains(name), "{moment}: {}'s desk mentions {name}", t.name);
            }
        }
        assert!(
            !json.contains("Computer 1"),
            "{moment}: a desk mentions a computer seat"
        );
        let desk: TeamDesk = serde_json::from_str(&json).expect("desk from JSON");
        assert_eq!(
            desk.company, market.companies[t.company_idx],
            "{moment}: the company survives JSON"
        );
        let mine: World = team_world(&desk).expect("team world");
        assert_eq!(mine.companies.len(), 1);
        assert_eq!(&*mine.companies[0].name, t.name);
        assert_eq!(
            upcoming_capacity(&mine, 0),
            upcoming_capacity(&market, t.company_idx),
            "{moment}: {} capacity",
            t.name
        );
        for (k, d) in candidates(w, team).iter().enumerate() {
            assert_eq!(
                preview(&mine, 0, d),
                preview(&market, t.company_idx, d),
                "{moment}: {} preview of candidate {k}",
                t.name
            );
            assert_eq!(
                problems(&mine, 0, d),
                problems(&market, t.company_idx, d),
                "{moment}: {} problems of candidate {k}",
                t.name
            );
            compared += 1;
        }
        // Before anything is injected the market to resolve is the world itself.
        if w.pending_events.is_empty() {
            let d = &candidates(w, team)[1];
            assert_eq!(preview(&mine, 0, d), preview(&w.world, t.company_idx, d));
            assert_eq!(problems(&mine, 0, d), problems(&w.world, t.company_idx, d));
        }
    }
    compared
}

fn play(id: &str) {
    let mut w = workshop(id);
    let mut compared = 0;
    let mut saw_invalid = false;
    // One practice round, then three of the competition.
    for round in 1..=4 {
        send(&mut w, Command::OpenRound { deadline_ms: u64::MAX });
        compared += check_desks(&w, &format!("{id} round {round} open"));
        // Two teams submit their own plans; the third repeats its last.
        for team in 0..2 {
            let mut d = w.teams[team].last.carried_over();
            for sku in d.skus.values_mut() {
                sku.price *= 1.0 - 0.04 * (team as f64 + 1.0);
                sku.production = sku.production * (10 + team as u64) / 10;
            }
            thin_margin::analysis::challenge::fit_to_constraints(&w.world, w.teams[team].company_idx, &mut d);
            send(&mut w, Command::Submit { team, decisions: d });
        }
        if round == 2 {
            send(
                &mut w,
                Command::Inject {
                    event: constraint("memory-price"),
                },
            );
            send(
                &mut w,
                Command::Inject {
                    event: constraint("dealer-margin-cap"),
                },
            );
            compared += check_desks(&w, &format!("{id} round {round} after injecting"));
            let d = candidates(&w, 0).pop().expect("the dealer-margin candidate");
            saw_invalid |= !problems(&w.resolution_world(), w.teams[0].company_idx, &d).is_empty();
        }
        if round == 3 {
            // A capacity shock makes a plan the server accepted impossible: the desk says so.
            let mut shock = constraint("memory-price");
            shock.kind = thin_margin::sim::params::EventKind::SupplyShock {
                capacity_factor: 0.5,
                cost_factor: 1.1,
            };
            send(&mut w, Command::Inject { event: shock });
            compared += check_desks(&w, &format!("{id} round {round} after a capacity shock"));
        }
        send(&mut w, Command::CloseRound);
    }
    compared += check_desks(&w, &format!("{id} after the last close"));
    assert_eq!(w.chain.len(), 3, "{id}: three competition rounds");
    assert!(w.world.injected.len() >= 3, "{id}: the injections stay in the world");
    assert!(saw_invalid, "{id}: the dealer-margin ceiling refuses a 0.9 margin");
    assert!(compared > 100, "{id}: {compared} previews compared");
}

#[test]
fn a_desk_previews_like_the_shared_market_on_first_phone() {
    play("first-phone");
}

#[test]
fn a_desk_previews_like_the_shared_market_on_camera_bom() {
    play("camera-bom");
}
