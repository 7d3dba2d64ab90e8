//! `scenario::adjust` and `thin-margin adjust`: every shipped scenario, adjusted with
//! its own values, plays bit for bit as the source; adjusted for a workshop it passes
//! `check` with the changes made; bad values name their field; the command never
//! overwrites a file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use thin_margin::cli::{check_file, json};
use thin_margin::scenario::adjust::{AdjustError, Adjustments, adjust};
use thin_margin::scenario::file::ScenarioFile;
use thin_margin::scenario::load::{parse_ron, read_text, ron_files, top_level_name};
use thin_margin::scenario::parse_scenario;
use thin_margin::sim::params::{EventKind, Scenario};
use thin_margin::sim::run::run;
use thin_margin::sim::score;
use thin_margin::sim::strategies::Strategy;

const BIN: &str = env!("CARGO_BIN_EXE_thin-margin");

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every shipped scenario file (top level `Scenario(…)`) with its text.
fn shipped() -> Vec<(PathBuf, String)> {
    let paths = ron_files(&crate_root().join("scenarios")).expect("scenarios/ readable");
    let found: Vec<(PathBuf, String)> = paths
        .into_iter()
        .map(|p| {
            let text = read_text(&p).unwrap_or_else(|e| panic!("{e}"));
            (p, text)
        })
        .filter(|(_, text)| top_level_name(text) == Some("Scenario"))
        .collect();
    assert!(
        found.len() >= 9,
        "expected the shipped scenarios, found {}",
        found.len()
    );
    found
}

fn file_of(path: &Path, text: &str) -> ScenarioFile {
    parse_ron(path, text).unwrap_or_else(|e| panic!("{e}"))
}

/// The adjusted text, parsed and validated as `check` does.
fn load_adjusted(a: &Adjustments, text: &str) -> Scenario {
    parse_scenario(&PathBuf::from(format!("{}.ron", a.id)), text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The reference run's rows as JSON (float round-trip: equal text is equal bits) and its score.
fn reference_run(s: &Arc<Scenario>, seed: u64) -> (String, String) {
    let mut policies = vec![Strategy::Reference.policy(s)];
    let out = run(s.clone(), seed, &mut policies, None).expect("the reference log is valid");
    let rows = out.player_rows();
    let score = format!("{:?} {:?}", score::objectives(s, &rows), score::score(s, &rows));
    (json(&out).expect("serializable"), score)
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("thin-margin-adjust-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn unchanged_adjustments_play_bit_for_bit_as_the_source() {
    for (path, text) in shipped() {
        let file = file_of(&path, &text);
        let mut a = Adjustments::from_scenario(&file);
        a.id = format!("{}-copy", file.id);
        let adjusted = adjust(&path, &text, &a).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(adjusted.starts_with("// "), "{adjusted}");
        assert!(
            adjusted.contains(&format!("Adjusted from \"{}\"", file.id)),
            "{adjusted}"
        );

        let source = Arc::new(parse_scenario(&path, &text).unwrap_or_else(|e| panic!("{e}")));
        let mut copy = load_adjusted(&a, &adjusted);
        assert_eq!(copy.id, a.id);
        // Nothing but the id differs: no sentence is added to the briefing when no figure changed.
        assert_eq!(copy.briefing, source.briefing, "{}", file.id);
        copy.id = source.id.clone();
        assert_eq!(format!("{copy:?}"), format!("{source:?}"), "{}", file.id);

        let copy = Arc::new(copy);
        for seed in [0, 7] {
            let (want_rows, want_score) = reference_run(&source, seed);
            let (rows, score) = reference_run(&copy, seed);
            assert!(rows == want_rows, "{} seed {seed}: the copy's reports differ", file.id);
            assert_eq!(score, want_score, "{} seed {seed}", file.id);
        }
    }
}

#[test]
fn workshop_adjustments_pass_check_with_every_change_made() {
    let dir = TempDir::new("workshop");
    for (path, text) in shipped() {
        let file = file_of(&path, &text);
        let source = parse_scenario(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        let a = Adjustments {
            id: format!("{}-workshop", file.id),
            title: format!("{} (workshop)", file.title),
            market_size: 2.0,
            shocks: false,
            cap_enabled: true,
            rivals: 0,
        };
        let adjusted = adjust(&path, &text, &a).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let written = dir.0.join(format!("{}.ron", a.id));
        std::fs::write(&written, &adjusted).unwrap();
        assert_eq!(check_file(&written), Ok("scenario"), "{}", file.id);

        let s = load_adjusted(&a, &adjusted);
        assert_eq!((s.id.as_str(), s.title.as_str()), (a.id.as_str(), a.title.as_str()));
        assert_eq!(s.market.segments.len(), source.market.segments.len());
        for (new, old) in s.market.segments.iter().zip(&source.market.segments) {
            assert_eq!(new.potential, 2.0 * old.potential, "{} {}", file.id, old.name);
            assert_eq!(new.adopters, 2.0 * old.adopters, "{} {}", file.id, old.name);
            assert_eq!(new.growth, old.growth, "{} {}", file.id, old.name);
        }
        assert!(s.events.is_empty(), "{}", file.id);
        assert!(s.cap.enabled, "{}", file.id);
        assert_eq!(s.cap.level, source.cap.level, "{}", file.id);
        assert_eq!(s.companies.len(), 1, "{}", file.id);
        assert!(s.companies[0].is_player, "{}", file.id);
        let mut said = vec!["market 2× larger"];
        if !file.events.is_empty() {
            said.push("no scheduled shocks");
        }
        if !file.cap.enabled {
            said.push("the 5% hardware margin cap is on");
        }
        if file.companies.len() > 1 {
            said.push("no computer-run rivals");
        }
        let sentence = format!("\n\nAdjusted for a workshop: {}.", said.join("; "));
        assert!(s.briefing.ends_with(&sentence), "{}: {}", file.id, s.briefing);
        for line in ["market 2× larger", "no computer-run rivals (was"] {
            let listed = adjusted
                .lines()
                .take_while(|l| l.starts_with("//"))
                .find(|l| l.contains(line));
            assert!(
                listed.is_some_and(|l| l.ends_with("// assumed")),
                "{}: {line}\n{adjusted}",
                file.id
            );
        }
        assert!(adjusted.contains("Every figure not listed above is as in the source file"));
        // It plays.
        let s = Arc::new(s);
        let mut policies = vec![Strategy::Reference.policy(&s)];
        run(s.clone(), 3, &mut policies, None).unwrap_or_else(|e| panic!("{}: {e}", file.id));
    }
}

#[test]
fn removing_rivals_removes_the_events_that_name_them() {
    let path = crate_root().join("scenarios/first-phone.ron");
    let text = read_text(&path).unwrap();
    let file = file_of(&path, &text);
    let mut a = Adjustments::from_scenario(&file);
    a.id = "first-phone-duopoly".into();
    let named = |s: &Scenario| {
        s.events
            .iter()
            .filter_map(|e| match &e.event.kind {
                EventKind::RivalPriceCut { company, .. } => Some(company.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };

    // The first rival (who cuts prices in 2012Q4) stays: so does its event.
    a.rivals = 1;
    let s = load_adjusted(&a, &adjust(&path, &text, &a).unwrap());
    let names: Vec<&str> = s.companies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Your company", "Domestic brands"]);
    assert_eq!(s.events.len(), file.events.len());
    assert_eq!(named(&s), ["Domestic brands"]);

    // No rivals: the price cut goes, the other shocks stay.
    a.rivals = 0;
    let adjusted = adjust(&path, &text, &a).unwrap();
    let s = load_adjusted(&a, &adjusted);
    assert_eq!(s.companies.len(), 1);
    assert_eq!(s.events.len(), file.events.len() - 1);
    assert!(named(&s).is_empty());
    assert!(adjusted.contains("removed the events naming a removed rival: \"Domestic brands cut prices\""));
    assert!(
        s.briefing
            .ends_with("\n\nAdjusted for a workshop: no computer-run rivals."),
        "{}",
        s.briefing
    );
}

#[test]
fn bad_values_name_their_field() {
    let path = crate_root().join("scenarios/first-phone.ron");
    let text = read_text(&path).unwrap();
    let file = file_of(&path, &text);
    let good = || {
        let mut a = Adjustments::from_scenario(&file);
        a.id = "first-phone-b".into();
        a
    };
    assert!(adjust(&path, &text, &good()).is_ok());
    let cases: Vec<(&str, Adjustments)> = vec![
        (
            "id",
            Adjustments {
                id: "first-phone".into(),
                ..good()
            },
        ),
        (
            "id",
            Adjustments {
                id: "First_Phone".into(),
                ..good()
            },
        ),
        (
            "id",
            Adjustments {
                id: "with space".into(),
                ..good()
            },
        ),
        (
            "id",
            Adjustments {
                id: String::new(),
                ..good()
            },
        ),
        (
            "id",
            Adjustments {
                id: "a".repeat(65),
                ..good()
            },
        ),
        (
            "title",
            Adjustments {
                title: "  ".into(),
                ..good()
            },
        ),
        (
            "market_size",
            Adjustments {
                market_size: 0.2,
                ..good()
            },
        ),
        (
            "market_size",
            Adjustments {
                market_size: 4.5,
                ..good()
            },
        ),
        (
            "market_size",
            Adjustments {
                market_size: f64::NAN,
                ..good()
            },
        ),
        (
            "market_size",
            Adjustments {
                market_size: f64::INFINITY,
                ..good()
            },
        ),
        ("rivals", Adjustments { rivals: 4, ..good() }),
    ];
    for (field, a) in cases {
        let e = adjust(&path, &text, &a).expect_err(field);
        assert_eq!(e.field(), Some(field), "{e}");
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("{field}: ")) && shown.len() > field.len() + 12,
            "{shown}"
        );
    }
    // The edges of the range are accepted.
    for size in [0.25, 4.0] {
        let a = Adjustments {
            market_size: size,
            ..good()
        };
        let s = load_adjusted(&a, &adjust(&path, &text, &a).unwrap());
        assert_eq!(s.market.segments[0].potential, size * file.market.segments[0].potential);
    }
}

#[test]
fn an_invalid_source_is_refused_with_its_location() {
    let path = crate_root().join("tests/bad/scenario-nan.ron");
    let text = read_text(&path).unwrap();
    let a = Adjustments {
        id: "fixed".into(),
        title: "Fixed".into(),
        market_size: 1.0,
        shocks: true,
        cap_enabled: false,
        rivals: 0,
    };
    match adjust(&path, &text, &a) {
        Err(AdjustError::Source(e)) => {
            assert!(
                e.to_string()
                    .contains("scenario-nan.ron:21:25: market.segments[0].bass_q"),
                "{e}"
            )
        }
        other => panic!("expected the source's errors, got {other:?}"),
    }
}

#[test]
fn the_command_writes_a_checked_file_and_never_overwrites() {
    let dir = TempDir::new("cli");
    let out_dir = dir.0.display().to_string();
    let args = [
        "adjust",
        "scenarios/first-phone.ron",
        "--id",
        "first-phone-class",
        "--market-size",
        "1.5",
        "--no-shocks",
        "--cap",
        "on",
        "--rivals",
        "1",
        "--out",
        &out_dir,
    ];
    let adjust_cmd = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(crate_root())
            .output()
            .expect("run thin-margin")
    };
    let out = adjust_cmd(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let written = dir.0.join("first-phone-class.ron");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        written.display().to_string()
    );
    assert_eq!(check_file(&written), Ok("scenario"));
    let first = std::fs::read_to_string(&written).unwrap();
    assert!(first.contains(
        "Adjusted for a workshop: market 1.5× larger; no scheduled shocks; the 5% hardware margin cap is on; 1 computer-run rival."
    ));

    // Again, with other values: refused, naming the file; the first file is untouched.
    let mut again = args.to_vec();
    again[5] = "3";
    let out = adjust_cmd(&again);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&written.display().to_string()) && stderr.contains("never overwrites"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&written).unwrap(), first);

    // A bad value is a usage error naming its flag and field; nothing is written.
    let out = adjust_cmd(&[
        "adjust",
        "first-phone",
        "--id",
        "other",
        "--rivals",
        "7",
        "--out",
        &out_dir,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("--rivals: rivals must be at most 3"), "{stderr}");
    assert!(!dir.0.join("other.ron").exists());
}
