//! Saves: atomic writes, exact replay, rewind, and clear errors for bad files that
//! touch nothing else.

mod common;

use std::path::Path;
use thin_margin::save::run_file::{self, SaveFile, parse_save, read_save, replay, scenario_hash, write_save};
use thin_margin::sim::run::run;
use thin_margin::sim::strategies::Strategy;

fn first_phone_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/first-phone.ron")).expect("readable")
}

fn played_save(quarters: Option<u32>) -> (SaveFile, Vec<thin_margin::sim::QuarterReport>) {
    let scenario = common::scenario("first-phone");
    let mut policies = vec![Strategy::Reference.policy(&scenario)];
    let out = run(scenario, 42, &mut policies, quarters).expect("valid");
    let save = SaveFile {
        version: run_file::SAVE_VERSION,
        name: "autosave".into(),
        scenario: "first-phone".into(),
        scenario_hash: scenario_hash(&first_phone_text()),
        seed: 42,
        quarters: out.decisions.iter().map(|d| d[0].clone()).collect(),
        challenge: None,
    };
    (save, out.reports)
}

#[test]
fn a_save_replays_exactly_and_rewinds() {
    let dir = tempdir();
    let path = dir.join("slot-1.ron");
    let (save, reports) = played_save(None);
    write_save(&path, &save).expect("written");
    let (loaded, text) = read_save(&path).expect("readable");
    assert_eq!(loaded, save);
    let scenario = common::scenario("first-phone");
    let hash = scenario_hash(&first_phone_text());
    let full = replay(&path, &text, &loaded, &scenario, &hash, None).expect("replays");
    assert_eq!(full.reports, reports, "replay must be bit for bit");
    let rewound = replay(&path, &text, &loaded, &scenario, &hash, Some(3)).expect("rewinds");
    assert_eq!(rewound.reports[..], reports[..3]);
    assert_eq!(rewound.world.quarter_idx, 3);
    // `check` accepts the save too.
    assert_eq!(thin_margin::cli::check_file(&path).expect("valid save"), "save");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn writes_are_atomic_and_touch_no_other_file() {
    let dir = tempdir();
    let good = dir.join("good.ron");
    let (save, _) = played_save(Some(2));
    write_save(&good, &save).expect("written");
    let before = std::fs::read(&good).expect("readable");
    let other = dir.join("other.ron");
    let (longer, _) = played_save(Some(4));
    write_save(&other, &longer).expect("written");
    assert_eq!(std::fs::read(&good).expect("readable"), before);
    // Overwriting leaves a whole file and no temporary behind.
    write_save(&good, &longer).expect("overwritten");
    assert_eq!(read_save(&good).expect("whole").0.quarters.len(), 4);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn corrupt_truncated_and_foreign_saves_name_the_file_and_problem() {
    let dir = tempdir();
    let (save, _) = played_save(Some(2));
    let path = dir.join("ok.ron");
    write_save(&path, &save).expect("written");
    let text = std::fs::read_to_string(&path).expect("readable");

    let truncated = dir.join("truncated.ron");
    std::fs::write(&truncated, &text[..text.len() / 2]).expect("write");
    let e = read_save(&truncated).expect_err("truncated");
    assert!(e.to_string().starts_with(&format!("{}:", truncated.display())), "{e}");

    let foreign = dir.join("foreign.ron");
    std::fs::write(&foreign, "{\"hello\": 1}").expect("write");
    assert!(thin_margin::cli::check_file(&foreign).is_err());

    let wrong_version = text.replace("version: 1", "version: 9");
    let e = parse_save(&dir.join("v9.ron"), &wrong_version).expect_err("version");
    assert_eq!(e.0[0].field, "version");

    let bad_decision = text.replacen("price: 1999.0", "price: -1.0", 1);
    let bad = dir.join("bad-price.ron");
    std::fs::write(&bad, &bad_decision).expect("write");
    let e = thin_margin::cli::check_file(&bad).expect_err("refused");
    assert!(e.0[0].field.starts_with("quarters[0].skus.flagship.price"), "{e}");
    assert!(e.0[0].line > 1);

    let changed = run_file::replay(&path, &text, &save, &common::scenario("first-phone"), "0000", None)
        .expect_err("scenario changed");
    assert_eq!(changed.0[0].field, "scenario_hash");
    // The good save is untouched by all of this.
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), text);
    std::fs::remove_dir_all(&dir).ok();
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "thin-margin-saves-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn a_session_plays_saves_and_rewinds_exactly() {
    use thin_margin::save::session::Session;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/first-phone.ron");
    let mut session = Session::start(&path, 9).expect("loads");
    let mut policy = Strategy::Reference.policy(&session.scenario);
    while !session.is_over() {
        session.draft = policy.decide(&session.world, session.player_idx);
        session.end_quarter().expect("valid");
    }
    let full = session.reports.clone();
    // The same decisions through the core's own loop give the same reports.
    let scenario = common::scenario("first-phone");
    let mut policies = vec![Strategy::Reference.policy(&scenario)];
    assert_eq!(run(scenario, 9, &mut policies, None).expect("valid").reports, full);
    let mut rewound = session.clone();
    rewound.rewind(3);
    assert_eq!(rewound.reports[..], full[..3]);
    assert_eq!(rewound.draft, session.played[2].carried_over());
    // A refused draft changes nothing.
    let mut bad = rewound.clone();
    bad.draft.skus.get_mut("flagship").expect("flagship").price = -1.0;
    assert!(bad.end_quarter().is_err());
    assert_eq!(bad.reports.len(), 3);
    // Save and load through a file.
    let dir = tempdir();
    let save_path = dir.join("s.ron");
    write_save(&save_path, &session.to_save("slot")).expect("written");
    let (save, text) = read_save(&save_path).expect("readable");
    let loaded = Session::from_save(
        &save_path,
        &text,
        &save,
        session.scenario.clone(),
        &session.scenario_hash,
        None,
    )
    .expect("replays");
    assert_eq!(loaded.reports, full);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_profile_remembers_settings_and_unlocks() {
    use thin_margin::save::profile::{Profile, Settings, load_profile, save_profile};
    use thin_margin::scenario::campaign::CampaignEntry;
    let entry = |id: &str, after: &[&str], min_score: f64| CampaignEntry {
        id: id.into(),
        after: after.iter().map(|a| a.to_string()).collect(),
        min_score,
    };
    let (tutorial, phone, camera) = (
        entry("tutorial", &[], 0.0),
        entry("first-phone", &["tutorial"], 0.0),
        entry("camera-bom", &["first-phone"], 60.0),
    );
    let mut p = Profile::default();
    assert!(p.is_unlocked(&tutorial));
    assert!(!p.is_unlocked(&phone));
    p.record_score("tutorial", 60.0);
    p.record_score("tutorial", 40.0);
    assert_eq!(p.best_scores["tutorial"], 60.0);
    assert!(p.is_unlocked(&phone));
    p.record_score("first-phone", 59.0);
    assert!(
        !p.is_unlocked(&camera),
        "a score of 59 does not reach the 60 camera-bom needs"
    );
    p.record_score("first-phone", 61.0);
    assert!(p.is_unlocked(&camera));
    assert_eq!(
        Settings {
            ui_scale: 9.0,
            ..Settings::default()
        }
        .clamped()
        .ui_scale,
        2.0
    );
    let dir = tempdir();
    let path = dir.join("profile.ron");
    p.settings.ui_scale = 1.5;
    save_profile(&path, &p).expect("written");
    assert_eq!(load_profile(&path), (p.clone(), None));
    // Older files without newer fields still load; a broken one gives the defaults and a reason.
    std::fs::write(&path, "(settings: (ui_scale: 1.25))").expect("write");
    assert_eq!(load_profile(&path).0.settings.ui_scale, 1.25);
    std::fs::write(&path, "(settings: ").expect("write");
    let (fallback, why) = load_profile(&path);
    assert_eq!(fallback, Profile::default());
    assert!(why.expect("a reason").contains("profile.ron"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_panel_challenge_arrives_replays_from_a_save_and_compares_three_plans() {
    use thin_margin::analysis::challenge::fit_to_constraints;
    use thin_margin::save::session::Session;
    use thin_margin::scenario::constraint::load_constraint;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let event = load_constraint(&root.join("scenarios/constraints/chipset-delay.ron")).expect("constraint");
    let mut session = Session::start(&root.join("scenarios/first-phone.ron"), 9).expect("loads");
    let mut policy = Strategy::Reference.policy(&session.scenario);
    let mut plain = session.clone();
    while !session.is_over() {
        if session.played.len() == 2 {
            session.draft = policy.decide(&session.world, session.player_idx);
            session.draw_challenge("chipset-delay", &event).expect("drawn");
            assert!(session.draw_challenge("chipset-delay", &event).is_err(), "one per run");
        }
        let mut d = policy.decide(&session.world, session.player_idx);
        fit_to_constraints(&session.world, session.player_idx, &mut d);
        session.draft = d;
        session.end_quarter().expect("valid after fitting");
    }
    while !plain.is_over() {
        plain.draft = policy.decide(&plain.world, plain.player_idx);
        plain.end_quarter().expect("valid");
    }
    // The chipset delay cuts the third quarter's output.
    assert_eq!(session.reports[..2], plain.reports[..2]);
    let (with, without) = (session.player_rows(), plain.player_rows());
    assert!(with[2].units_produced < without[2].units_produced);
    // The comparison's re-plan is this very run; the original is the plan held.
    let c = session.challenge_comparison().expect("drawn").expect("compares");
    let replanned = c.replanned.clone().expect("re-plan");
    assert_eq!(replanned.score, session.score().total);
    let profit: f64 = with.iter().map(|r| r.net_profit).sum();
    assert_eq!(replanned.net_profit, profit);
    assert!(c.constrained.units_sold < c.original.units_sold, "{c:?}");
    // Saved and loaded, the run replays bit for bit, challenge and all.
    let dir = tempdir();
    let save_path = dir.join("c.ron");
    write_save(&save_path, &session.to_save("slot")).expect("written");
    let (save, text) = read_save(&save_path).expect("readable");
    let loaded = Session::from_save(
        &save_path,
        &text,
        &save,
        session.scenario.clone(),
        &session.scenario_hash,
        None,
    )
    .expect("replays");
    assert_eq!(loaded.reports, session.reports);
    assert_eq!(loaded.challenge, session.challenge);
    // Rewound to the challenge's quarter it arrives again; to before, it is gone.
    let mut at = session.clone();
    at.rewind(2);
    assert!(at.challenge.is_some());
    at.draft = session.played[2].clone();
    at.end_quarter().expect("same draft");
    assert_eq!(at.reports[2], session.reports[2]);
    let mut before = session.clone();
    before.rewind(1);
    assert!(before.challenge.is_none());
    // A save whose challenge is out of range names the field and line.
    let hostile = text.replace("capacity_factor: 0.3", "capacity_factor: 99.0");
    assert_ne!(hostile, text);
    let err = parse_save(&save_path, &hostile).expect_err("refused").to_string();
    assert!(err.contains("challenge.event.kind.capacity_factor"), "{err}");
    assert!(err.contains("c.ron:"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
