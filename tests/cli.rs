//! End-to-end tests of the `thin-margin` binary: `scenarios`, `simulate` in its three
//! formats, with a strategy or a decision log, `check`, usage errors and help.
//! Numbers are not pinned here (the model's tests do that); shapes, counts and the
//! contract between the formats are.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use thin_margin::scenario::load_scenario;
use thin_margin::sim::params::Scenario;

const BIN: &str = env!("CARGO_BIN_EXE_thin-margin");
const FIRST_PHONE: &str = "scenarios/first-phone.ron";
const CUT_PRICE: &str = "decisions/first-phone-cut-price.ron";
const CHANNELS: [&str; 4] = ["online", "own_retail", "platform", "dealer"];

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary from the crate root.
fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(crate_root())
        .output()
        .expect("run thin-margin")
}

/// Runs and expects success; returns stdout.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?} failed:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn first_phone() -> Scenario {
    load_scenario(&crate_root().join(FIRST_PHONE)).expect("first-phone loads")
}

fn quarters(s: &Scenario, n: u32) -> Vec<String> {
    (0..n).map(|i| s.start.plus(i).to_string()).collect()
}

fn json_rows(args: &[&str]) -> Vec<Value> {
    let text = ok(args);
    match serde_json::from_str::<Value>(&text).expect("simulate --format json parses") {
        Value::Array(rows) => rows,
        other => panic!("not an array: {other}"),
    }
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("thin-margin-cli-{tag}-{}", std::process::id()));
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
fn scenarios_lists_first_phone() {
    let s = first_phone();
    assert_eq!((s.start.to_string().as_str(), s.n_quarters), ("2011Q3", 8));
    let text = ok(&["scenarios"]);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    for column in ["ID", "START", "QUARTERS", "TITLE"] {
        assert!(header.contains(column), "{header}");
    }
    let row = lines
        .find(|l| l.split_whitespace().next() == Some("first-phone"))
        .unwrap_or_else(|| panic!("first-phone not listed:\n{text}"));
    let words: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(words[1], s.start.to_string(), "{row}");
    assert_eq!(words[2], s.n_quarters.to_string(), "{row}");
    assert!(row.contains(&s.title), "{row}");
}

#[test]
fn scenarios_in_an_empty_or_missing_folder() {
    let dir = TempDir::new("empty");
    let shown = dir.0.display().to_string();
    let text = ok(&["scenarios", "--dir", &shown]);
    assert!(text.contains("(no scenarios in"), "{text}");

    let missing = dir.0.join("nope").display().to_string();
    let out = run(&["scenarios", "--dir", &missing]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with(&format!("{missing}:1:1: ")), "{stderr}");
}

#[test]
fn scenarios_reports_broken_files_in_the_folder() {
    // tests/bad holds only broken scenarios: the list is empty, each error located.
    let out = run(&["scenarios", "--dir", "tests/bad"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("tests/bad/scenario-nan.ron:21:25: market.segments[0].bass_q: "),
        "{stderr}"
    );
    for line in stderr.lines() {
        assert!(line.starts_with("tests/bad/"), "{line}");
    }
}

#[test]
fn simulate_prints_a_table_of_every_quarter_and_company() {
    let s = first_phone();
    let text = ok(&["simulate", FIRST_PHONE, "--seed", "7", "--strategy", "reference"]);
    assert!(text.contains(&s.title) && text.contains("(seed 7)"), "{text}");
    let qs = quarters(&s, s.n_quarters);
    assert_eq!(qs.first().map(String::as_str), Some("2011Q3"));
    assert_eq!(qs.last().map(String::as_str), Some("2013Q2"));
    for q in &qs {
        for c in &s.companies {
            let name: String = c.name.chars().take(17).collect();
            assert!(
                text.lines().any(|l| l.starts_with(q.as_str()) && l.contains(&name)),
                "no row for {name} in {q}:\n{text}"
            );
        }
    }
    // The player is marked, the table explains its columns and ends with the score.
    assert!(text.contains(" *"), "{text}");
    assert!(text.contains("ROI = (GM − EXP) × TURN"), "{text}");
    assert!(text.contains("Score "), "{text}");
    // The scenario's id works as well as its path, and the run is deterministic.
    assert_eq!(
        text,
        ok(&["simulate", "first-phone", "--seed", "7", "--strategy", "reference"])
    );
}

#[test]
fn simulate_json_has_one_object_per_company_per_quarter() {
    let s = first_phone();
    let rows = json_rows(&[
        "simulate",
        FIRST_PHONE,
        "--seed",
        "7",
        "--strategy",
        "reference",
        "--format",
        "json",
    ]);
    assert_eq!(rows.len(), s.companies.len() * s.n_quarters as usize);
    let qs = quarters(&s, s.n_quarters);
    for (i, row) in rows.iter().enumerate() {
        let obj = row.as_object().unwrap_or_else(|| panic!("row {i} is not an object"));
        let q = &qs[i / s.companies.len()];
        let c = &s.companies[i % s.companies.len()];
        assert_eq!(obj["quarter"], Value::from(q.as_str()), "row {i}");
        assert_eq!(obj["company"], Value::from(c.name.as_str()), "row {i}");
        assert_eq!(obj["is_player"], Value::from(c.is_player), "row {i}");
        for field in [
            "units_sold",
            "units_produced",
            "revenue_hardware",
            "revenue_services",
            "cogs",
            "gross_margin",
            "expense_ratio",
            "turnover",
            "roi",
            "hw_margin_before_cap",
            "hw_margin_after_cap",
            "rebate",
            "net_profit",
            "cash",
            "trust",
            "active_users",
        ] {
            let v = obj.get(field).unwrap_or_else(|| panic!("row {i}: no {field}"));
            assert!(v.as_f64().is_some_and(f64::is_finite), "row {i}: {field} = {v}");
        }
        assert!(obj["units_sold"].is_u64(), "row {i}: units are whole");
        for map in ["roi_by_channel", "units_by_channel", "revenue_by_channel"] {
            let m = obj[map].as_object().unwrap_or_else(|| panic!("row {i}: {map}"));
            let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
            keys.sort();
            let mut want = CHANNELS.to_vec();
            want.sort();
            assert_eq!(keys, want, "row {i}: {map}");
        }
        // first-phone has the margin cap off.
        assert!(obj.contains_key("cap") && obj["cap"].is_null(), "row {i}: cap");
        assert!(obj["events"].is_array(), "row {i}: events");
    }
    // The supply shock of 2011Q4 is reported in that quarter.
    let q4 = rows
        .iter()
        .find(|r| r["quarter"] == "2011Q4" && r["is_player"] == true)
        .unwrap();
    assert!(!q4["events"].as_array().unwrap().is_empty(), "{q4}");
    // Another seed gives another run (the scenario has demand noise).
    let other = json_rows(&["simulate", FIRST_PHONE, "--seed", "8", "--format", "json"]);
    assert_eq!(other.len(), rows.len());
    assert_ne!(other, rows);
}

#[test]
fn simulate_csv_has_a_header_and_a_row_per_company_per_quarter() {
    let s = first_phone();
    let text = ok(&["simulate", FIRST_PHONE, "--seed", "7", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..3], ["quarter", "company", "is_player"]);
    for column in [
        "units_sold",
        "roi",
        "cap",
        "roi_by_channel.online",
        "roi_by_channel.dealer",
        "events",
    ] {
        assert!(header.iter().any(|h| h == column), "no {column} in {header:?}");
    }
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), s.companies.len() * s.n_quarters as usize);
    // The CSV agrees with the JSON of the same run.
    let rows = json_rows(&["simulate", FIRST_PHONE, "--seed", "7", "--format", "json"]);
    let units = header.iter().position(|h| h == "units_sold").unwrap();
    for (rec, row) in records.iter().zip(&rows) {
        assert_eq!(rec.len(), header.len());
        assert_eq!(&rec[0], row["quarter"].as_str().unwrap());
        assert_eq!(&rec[1], row["company"].as_str().unwrap());
        assert_eq!(rec[units].parse::<u64>().unwrap(), row["units_sold"].as_u64().unwrap());
    }
}

#[test]
fn simulate_stops_after_quarters() {
    let s = first_phone();
    let rows = json_rows(&["simulate", FIRST_PHONE, "--format", "json", "--quarters", "3"]);
    assert_eq!(rows.len(), 3 * s.companies.len());
    assert_eq!(rows.last().unwrap()["quarter"], "2012Q1");
    let table = ok(&["simulate", FIRST_PHONE, "--quarters", "3"]);
    assert!(table.lines().any(|l| l.starts_with("2012Q1")), "{table}");
    assert!(!table.lines().any(|l| l.starts_with("2012Q2")), "{table}");
    // More quarters than the scenario has: the whole scenario, no more.
    let rows = json_rows(&["simulate", FIRST_PHONE, "--format", "json", "--quarters", "99"]);
    assert_eq!(rows.len(), s.n_quarters as usize * s.companies.len());
}

fn player_price(row: &Value) -> f64 {
    row["skus"]
        .as_array()
        .and_then(|skus| skus.iter().find(|k| k["id"] == "flagship"))
        .and_then(|k| k["price"].as_f64())
        .unwrap_or_else(|| panic!("no flagship price in {row}"))
}

#[test]
fn simulate_plays_a_decision_log() {
    let s = first_phone();
    assert_eq!(ok(&["check", CUT_PRICE]), format!("{CUT_PRICE}: ok (decision log)\n"));
    let rows = json_rows(&["simulate", FIRST_PHONE, "--decisions", CUT_PRICE, "--format", "json"]);
    assert_eq!(rows.len(), s.companies.len() * s.n_quarters as usize);
    let player: Vec<&Value> = rows.iter().filter(|r| r["is_player"] == true).collect();
    assert_eq!(player.len(), s.n_quarters as usize);
    // ¥1,999 until the cut in 2012Q3 (the fifth quarter), then ¥1,499 carried over.
    for (i, row) in player.iter().enumerate() {
        let want = if i < 4 { 1999.0 } else { 1499.0 };
        assert_eq!(player_price(row), want, "quarter {i}");
    }
    assert_eq!(player[0]["units_produced"], 350_000);
    // The log's seed (7) is used when none is given; --seed overrides it.
    let table = ok(&["simulate", FIRST_PHONE, "--decisions", CUT_PRICE]);
    assert!(table.contains("(seed 7)"), "{table}");
    let table = ok(&["simulate", FIRST_PHONE, "--decisions", CUT_PRICE, "--seed", "3"]);
    assert!(table.contains("(seed 3)"), "{table}");
    // The log differs from the reference strategy.
    let reference = json_rows(&["simulate", FIRST_PHONE, "--seed", "7", "--format", "json"]);
    assert_ne!(reference, rows);
}

#[test]
fn simulate_plays_a_short_log_written_to_a_temp_folder() {
    let s = first_phone();
    let dir = TempDir::new("log");
    let log = dir.0.join("two-quarters.ron");
    std::fs::write(
        &log,
        "DecisionLog(version: 1, scenario: \"first-phone\", seed: 7, quarters: [\n\
         (skus: {\"flagship\": (price: 1899.0, production: 300000)}),\n\
         (skus: {\"flagship\": (production: 500000)}, paid_traffic: 1000000.0),\n\
         ])\n",
    )
    .unwrap();
    let shown = log.display().to_string();
    // `check` finds the scenario through ./scenarios even though the log is elsewhere.
    assert!(ok(&["check", &shown]).contains("ok (decision log)"));
    let rows = json_rows(&["simulate", FIRST_PHONE, "--decisions", &shown, "--format", "json"]);
    // A log shorter than the scenario: its last decisions carry over to the end.
    assert_eq!(rows.len(), s.companies.len() * s.n_quarters as usize);
    let player: Vec<&Value> = rows.iter().filter(|r| r["is_player"] == true).collect();
    assert_eq!(player[0]["units_produced"], 300_000);
    assert!(player.iter().all(|r| player_price(r) == 1899.0));
    assert!(player[1..].iter().all(|r| r["units_produced"] == 500_000));
}

#[test]
fn usage_errors_exit_with_code_2() {
    let out = run(&["simulate", FIRST_PHONE, "--strategy", "yolo"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown strategy \"yolo\""), "{stderr}");
    assert!(stderr.contains("reference"), "lists the strategies: {stderr}");
    assert!(out.stdout.is_empty());

    let out = run(&["simulate", FIRST_PHONE, "--strategy", "cost-plus:lots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("markup"));

    let out = run(&["simulate", "no-such-scenario"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no scenario file or id \"no-such-scenario\""));

    // Clap's own errors: a strategy and a log at once, a bad format, no file to check.
    for args in [
        &["simulate", FIRST_PHONE, "--strategy", "hold", "--decisions", CUT_PRICE][..],
        &["simulate", FIRST_PHONE, "--format", "xml"][..],
        &["check"][..],
        &["frobnicate"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn help_lists_every_subcommand() {
    let text = ok(&["--help"]);
    assert!(text.contains("Usage"), "{text}");
    for command in ["scenarios", "simulate", "check"] {
        assert!(text.contains(command), "{text}");
    }
}

/// With the game built in, no subcommand starts the game; without a display it says
/// so in one sentence, naming the headless alternative, and never panics.
#[cfg(feature = "gui")]
#[test]
fn no_subcommand_without_a_display_explains_itself() {
    let out = Command::new(BIN)
        .current_dir(crate_root())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no display found") && stderr.contains("thin-margin simulate"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// Without the game, no subcommand prints the help.
#[cfg(not(feature = "gui"))]
#[test]
fn no_subcommand_prints_help_and_exits_0() {
    let text = ok(&[]);
    assert!(text.contains("Usage"), "{text}");
}

#[test]
fn sweep_and_goal_seek_answer_and_refuse_bad_input_with_code_2() {
    let json = ok(&[
        "sweep",
        "first-phone",
        "--vary",
        "q1.flagship.price=1799..1999:100",
        "--metric",
        "net_profit@sum,units_sold@sum",
        "--runs",
        "3",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["points"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["metrics"][1], "units_sold@sum");
    let text = ok(&[
        "goal-seek",
        "first-phone",
        "--vary",
        "q1.flagship.price=1600..2400",
        "--target",
        "net_profit@sum=2e9",
        "--runs",
        "3",
    ]);
    assert!(text.starts_with("q1.flagship.price = "), "{text}");
    // The score is a metric too (points of 100).
    let json = ok(&[
        "sweep",
        "first-phone",
        "--vary",
        "q1.flagship.price=1799..1999:100",
        "--metric",
        "score",
        "--runs",
        "2",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["metrics"][0], "score");
    for p in v["points"].as_array().expect("points") {
        let mean = p["metrics"][0]["mean"].as_f64().expect("mean");
        assert!((0.0..=100.0).contains(&mean), "{mean}");
    }
    for (vary, metric, message) in [
        ("q1.flagship.price=2..1", "cash", "above TO"),
        ("q1.flagship.prise=1..2", "cash", "did you mean price"),
        ("q1.flagship.price=1..2", "csh@min", "did you mean cash"),
        ("q1.flagship.price=1..9:0.0000001", "cash", "at most 10000000"),
    ] {
        let args = ["sweep", "first-phone", "--vary", vary, "--metric", metric];
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn debrief_writes_three_slides_a_three_page_pdf_and_markdown() {
    let dir = std::env::temp_dir().join(format!("thin-margin-debrief-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_text = dir.to_string_lossy().to_string();
    let text = ok(&[
        "debrief",
        "camera-bom",
        "--strategy",
        "reference",
        "--seed",
        "7",
        "--out",
        &dir_text,
    ]);
    assert!(
        text.contains("1. Problem:") && text.contains("3. Measured result:"),
        "{text}"
    );
    for n in 1..=3 {
        let png = std::fs::read(dir.join(format!("slide-{n}.png"))).expect("slide PNG");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!(w * 9, h * 16, "slide {n} is 16:9");
    }
    let pdf = std::fs::read(dir.join("debrief.pdf")).expect("PDF");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert_eq!(pages, 3, "three pages");
    let md = std::fs::read_to_string(dir.join("debrief.md")).expect("markdown");
    assert_eq!(md.matches("\n## ").count(), 3, "{md}");
    // The Decision slide sweeps the key decision (camera mitigation) on the run's seed.
    let decision = md.split("## 2. Decision").nth(1).expect("a Decision slide");
    assert!(
        decision.contains("points of score")
            && decision.contains("swept")
            && decision.contains("on this run's seed (7)"),
        "{decision}"
    );
    std::fs::remove_dir_all(&dir).ok();
    let out = run(&["debrief", "--out", &dir_text]);
    assert_eq!(out.status.code(), Some(2));
}
