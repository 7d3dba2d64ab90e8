//! The workshop without sockets: the state machine plays a shared market, refuses
//! what it must, replays from its journal, and its signed results verify — and fail
//! to verify, saying where, after any change.

mod common;

use std::path::Path;
use thin_margin::sim::params::{Event, EventKind};
use thin_margin::workshop::chain::{self, results, verify};
use thin_margin::workshop::market::Variant;
use thin_margin::workshop::session::{Command, Entry, Phase, Setup, Workshop, WorkshopError};

const SCENARIO: &str = "scenarios/first-phone.ron";

fn scenario_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO)).expect("scenario")
}

fn setup(teams: usize, practice_rounds: u32) -> Setup {
    Setup {
        id: "w1".into(),
        title: "Test workshop".into(),
        scenario_id: "first-phone".into(),
        scenario_hash: thin_margin::save::run_file::scenario_hash(&scenario_text()),
        teams: (1..=teams).map(|i| format!("Team {i}")).collect(),
        computer_seats: 2,
        seed: 11,
        variant: Variant::Growth,
        practice_rounds,
        auto_close: false,
        public_key: String::new(),
        facilitator_token_hash: "f".into(),
        team_token_hashes: (1..=teams).map(|i| format!("t{i}")).collect(),
    }
}

/// Applies commands in order, as the server would, with a clock that ticks 1 s each.
struct Driver {
    w: Workshop,
    journal: Vec<Entry>,
}

impl Driver {
    fn new(setup: Setup) -> Driver {
        let base = common::scenario("first-phone");
        Driver {
            w: Workshop::new(setup, &base).expect("workshop"),
            journal: Vec::new(),
        }
    }

    fn send(&mut self, command: Command) -> Result<(), WorkshopError> {
        let entry = Entry {
            seq: self.w.next_seq,
            at_ms: 1000 * self.w.next_seq,
            command,
        };
        self.w.check(&entry.command, entry.at_ms)?;
        self.w.apply(&entry)?;
        self.journal.push(entry);
        Ok(())
    }
}

fn supply_shock() -> Event {
    Event {
        title: "A memory shortage".into(),
        description: "Memory costs 20% more for two quarters.".into(),
        kind: EventKind::SupplyShock {
            capacity_factor: 0.5,
            cost_factor: 1.2,
        },
        duration: 2,
    }
}

/// Plays `rounds` rounds: every team but the last submits a price cut of its own.
fn play(d: &mut Driver, rounds: u32) {
    for r in 0..rounds {
        d.send(Command::OpenRound { deadline_ms: u64::MAX }).expect("open");
        for t in 0..d.w.teams.len() - 1 {
            let idx = d.w.teams[t].company_idx;
            let mut decisions = d.w.world.companies[idx].last_decisions.carried_over();
            for sku in decisions.skus.values_mut() {
                sku.price -= 10.0 * (t as f64 + 1.0);
            }
            let mut fitted = decisions.clone();
            thin_margin::analysis::challenge::fit_to_constraints(&d.w.world, idx, &mut fitted);
            d.send(Command::Submit {
                team: t,
                decisions: fitted,
            })
            .expect("valid submission");
        }
        if r == 1 {
            d.send(Command::Inject { event: supply_shock() }).expect("inject");
        }
        d.send(Command::CloseRound).expect("close");
    }
}

#[test]
fn a_shared_market_resolves_rounds_and_its_signed_results_verify() {
    let mut d = Driver::new(setup(5, 1));
    play(&mut d, 5);
    // One practice round, then four of the competition.
    assert_eq!(d.w.rounds_closed, 5);
    assert_eq!(d.w.chain.len(), 4);
    assert_eq!(d.w.reports.len(), 4);
    assert_eq!(
        d.w.reports[0].quarter.to_string(),
        "2011Q3",
        "the market started again after practice"
    );
    // Every team has a row each round; the team that never submitted repeated its plan.
    for t in 0..5 {
        assert_eq!(d.w.team_rows(t).len(), 4);
    }
    let board = d.w.leaderboard();
    assert_eq!(board.len(), 5);
    assert!(board.windows(2).all(|p| p[0].score >= p[1].score));
    // The journal replays to the same state.
    let mut again = Driver::new(setup(5, 1));
    for e in &d.journal {
        again.w.apply(e).expect("replays");
    }
    assert_eq!(again.w.chain, d.w.chain);
    assert_eq!(again.w.leaderboard(), board);
    // Signed results verify from the file alone.
    let key = chain::signing_key(&"07".repeat(32)).expect("key");
    let text = results(&d.w, &scenario_text(), &key).to_text();
    let ok = verify("results.json", &text, Some(&chain::public_hex(&key))).expect("verifies");
    assert_eq!((ok.rounds, ok.teams), (4, 5));
    // Another key is named.
    let other = chain::public_hex(&chain::signing_key(&"08".repeat(32)).expect("key"));
    assert!(
        verify("results.json", &text, Some(&other))
            .expect_err("wrong key")
            .contains("not the workshop's key")
    );
}

#[test]
fn any_change_to_a_results_file_fails_verification_and_says_where() {
    let mut d = Driver::new(setup(3, 0));
    play(&mut d, 3);
    let key = chain::signing_key(&"07".repeat(32)).expect("key");
    let text = results(&d.w, &scenario_text(), &key).to_text();
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let price = v["rounds"][1]["decisions"][0]["decisions"]["skus"]["flagship"]["price"]
        .as_f64()
        .expect("price");
    let edits = [
        // A price in a round's decisions: the record's hash no longer matches.
        (
            format!("\"price\": {price:?}"),
            format!("\"price\": {:?}", price + 1.0),
            "hash does not match the record",
        ),
        // A score on the leaderboard.
        (
            "\"rank\": 1,".to_string(),
            "\"rank\": 2,".to_string(),
            "leaderboard[0].rank",
        ),
        // The seed: re-simulation differs from round 1 on.
        ("\"seed\": 11".to_string(), "\"seed\": 12".to_string(), "rounds[0]"),
        // The scenario text itself.
        (
            "Flagship".to_string(),
            "Flagshiq".to_string(),
            "scenario_text does not match",
        ),
        // Layout only.
        ("{\n".to_string(), "{ \n".to_string(), "differs from its signed form"),
    ];
    for (from, to, expected) in edits {
        assert!(text.contains(&from), "{from} not in the file");
        let tampered = text.replacen(&from, &to, 1);
        let err = verify("results.json", &tampered, None).expect_err("tampered");
        assert!(err.contains(expected), "{from} → {to}: {err}");
    }
    // Re-signing with another key after an edit is caught by the expected key.
    let mut forged = results(&d.w, &scenario_text(), &key);
    forged.leaderboard.reverse();
    let forger = chain::signing_key(&"09".repeat(32)).expect("key");
    forged.sign(&forger);
    let err = verify("results.json", &forged.to_text(), Some(&chain::public_hex(&key))).expect_err("forged");
    assert!(err.contains("leaderboard") || err.contains("key"), "{err}");
    // Not JSON at all: file, line and column.
    let err = verify("results.json", "{\"format\": 3", None).expect_err("garbage");
    assert!(err.starts_with("results.json:1:"), "{err}");
}

#[test]
fn the_session_refuses_what_it_must_and_changes_nothing() {
    let mut d = Driver::new(setup(2, 0));
    let before = d.w.next_seq;
    // No round open.
    let decisions = d.w.teams[0].last.clone();
    assert!(matches!(
        d.send(Command::Submit {
            team: 0,
            decisions: decisions.clone()
        }),
        Err(WorkshopError::Conflict(_))
    ));
    assert!(matches!(d.send(Command::CloseRound), Err(WorkshopError::Conflict(_))));
    d.send(Command::OpenRound { deadline_ms: 5_000 }).expect("open");
    assert!(matches!(
        d.send(Command::OpenRound { deadline_ms: 9_000 }),
        Err(WorkshopError::Conflict(_))
    ));
    // Out-of-range decisions: the core's own validation, naming the field.
    let mut bad = decisions.clone();
    bad.skus.get_mut("flagship").expect("sku").bom_cut = 0.9;
    match d.send(Command::Submit {
        team: 0,
        decisions: bad,
    }) {
        Err(WorkshopError::Invalid(p)) => assert!(p.iter().any(|p| p.field.contains("bom_cut")), "{p:?}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        d.send(Command::Submit { team: 7, decisions }),
        Err(WorkshopError::BadRequest(_))
    ));
    // An out-of-range event.
    let mut shock = supply_shock();
    shock.kind = EventKind::SupplyShock {
        capacity_factor: 99.0,
        cost_factor: 1.0,
    };
    assert!(matches!(
        d.send(Command::Inject { event: shock }),
        Err(WorkshopError::BadRequest(_))
    ));
    assert_eq!(d.w.next_seq, before + 1, "only the round opening was applied");
    assert!(d.w.is_due(5_000) && !d.w.is_due(4_999));
    // Pausing stops the clock (3 s were left at 2 s); resuming at 3 s gives them back.
    d.send(Command::Pause).expect("pause");
    assert_eq!(
        d.w.phase,
        Phase::Paused {
            remaining_ms: Some(3_000)
        }
    );
    d.send(Command::Resume).expect("resume");
    assert_eq!(d.w.phase, Phase::Open { deadline_ms: 6_000 });
    // After the deadline nothing is taken, closed or not (three joins take the clock
    // to 6 s; the submission arrives at 7 s).
    for t in 0..2 {
        d.send(Command::Join { team: t }).expect("join");
    }
    d.send(Command::Join { team: 0 }).expect("join again");
    let late = d.w.teams[1].last.clone();
    assert!(
        matches!(d.send(Command::Submit { team: 1, decisions: late }), Err(WorkshopError::Conflict(m)) if m.contains("deadline"))
    );
    // A price cut cannot be imposed on a team (only computer-run companies follow it).
    let cut = Event {
        title: "A price war".into(),
        description: "Team 1 cuts its prices.".into(),
        kind: EventKind::RivalPriceCut {
            company: "Team 1".into(),
            pct: 0.15,
        },
        duration: 1,
    };
    assert!(matches!(
        d.send(Command::Inject { event: cut }),
        Err(WorkshopError::BadRequest(_))
    ));
    d.send(Command::End).expect("end");
    assert!(d.send(Command::OpenRound { deadline_ms: 1 }).is_err());
}

/// Two teams play a scenario's reference plan; the second games the last round
/// (`starve`: no R&D, community, paid traffic or mitigation; `sell_off`: also makes
/// nothing and sells its stock). Returns (steady score, gamer score).
fn end_game(id: &str, sell_off: bool) -> (f64, f64) {
    let base = common::scenario(id);
    let mut s = setup(2, 0);
    s.scenario_id = id.into();
    s.variant = Variant::Standard;
    let mut d = Driver {
        w: Workshop::new(s, &base).expect("workshop"),
        journal: Vec::new(),
    };
    let n = base.n_quarters as usize;
    for q in 0..n {
        d.send(Command::OpenRound { deadline_ms: u64::MAX }).expect("open");
        let plan = thin_margin::analysis::address::effective_decisions(&base, &base.reference, q);
        for t in 0..2 {
            let mut decisions = plan.clone();
            if t == 1 && q == n - 1 {
                decisions.rnd = 0.0;
                decisions.community = 0.0;
                decisions.paid_traffic = 0.0;
                for sku in decisions.skus.values_mut() {
                    sku.mitigation = 0.0;
                    if sell_off {
                        sku.production = 0;
                    }
                }
            }
            let idx = d.w.teams[t].company_idx;
            thin_margin::analysis::challenge::fit_to_constraints(&d.w.world, idx, &mut decisions);
            d.send(Command::Submit { team: t, decisions }).expect("valid");
        }
        d.send(Command::CloseRound).expect("close");
    }
    let board = d.w.leaderboard();
    let score = |team: &str| board.iter().find(|s| s.team == team).map(|s| s.score).expect("team");
    (score("Team 1"), score("Team 2"))
}

#[test]
fn end_game_gaming_does_not_pay_on_the_scorecard() {
    for id in ["first-phone", "camera-bom", "new-retail", "gmv-trap", "premium-push"] {
        for sell_off in [false, true] {
            let (steady, gamer) = end_game(id, sell_off);
            assert!(
                gamer < steady,
                "{id}: starving budgets{} in the last round scores {gamer:.2}, playing on {steady:.2}",
                if sell_off { " and selling off stock" } else { "" }
            );
        }
    }
}

#[test]
fn the_round_brief_names_who_moved_share_and_asks_one_question() {
    use thin_margin::workshop::brief::round_brief;
    let mut d = Driver::new(setup(4, 0));
    play(&mut d, 3);
    assert!(round_brief(&d.w, 0).is_none() && round_brief(&d.w, 4).is_none());
    // The first round has nothing to move from: it says where the teams stand.
    let first = round_brief(&d.w, 1).expect("brief");
    assert!(first.gainer.is_none() && first.loser.is_none());
    assert!(
        first.what_happened.iter().any(|t| t.starts_with("Teams' shares")),
        "{:?}",
        first.what_happened
    );
    for round in 1..=3 {
        let b = round_brief(&d.w, round).expect("brief");
        if round > 1 {
            let gainer = b.gainer.as_ref().expect("a gainer");
            assert!(gainer.why.contains("priced at"), "{}", gainer.why);
            if let Some(loser) = &b.loser {
                assert!(gainer.share - gainer.share_before > loser.share - loser.share_before);
                assert_ne!(gainer.team, loser.team);
            }
        }
        assert!(b.what_happened[0].starts_with(&b.quarter), "{:?}", b.what_happened);
        assert!(b.question.ends_with('?'), "{}", b.question);
    }
    // Round 2 is the one with the injected memory shortage: it is reported, and the
    // question is about the round's events.
    let b = round_brief(&d.w, 2).expect("brief");
    assert!(b.what_happened[1].contains("memory shortage"), "{:?}", b.what_happened);
    assert!(b.question.starts_with("The market met"), "{}", b.question);
}

#[test]
fn the_discussion_guide_weighs_each_teams_decisions_in_the_shared_market() {
    use thin_margin::workshop::brief::discussion_guide;
    let mut d = Driver::new(setup(3, 0));
    play(&mut d, 3);
    let mut guide = discussion_guide(&d.w);
    assert_eq!(guide.len(), 3);
    assert!(guide.windows(2).all(|p| p[0].rank < p[1].rank), "best first");
    guide.sort_by(|a, b| a.team.cmp(&b.team));
    for team in &guide[..2] {
        // Teams 1 and 2 cut their price every round: those are their decisions.
        assert!(!team.decisions.is_empty() && team.decisions.len() <= 3, "{team:?}");
        assert!(team.decisions.iter().any(|g| g.decision.contains("price")), "{team:?}");
        let weights: Vec<f64> = team.decisions.iter().map(|g| g.score_effect.abs()).collect();
        assert!(weights.windows(2).all(|p| p[0] >= p[1]), "most consequential first");
    }
    // Team 3 never submitted: it made no decision to weigh.
    assert!(guide[2].decisions.is_empty(), "{:?}", guide[2]);
}
