//! The workshop server end to end, over HTTP on 127.0.0.1: a facilitator and 30
//! scripted teams play four quarters with a live event; the leaderboard and the
//! signed results check out; no team ever sees another's private figures; hostile
//! requests are refused and change nothing; and a `kill -9` mid-round loses nothing
//! that was acknowledged.
#![cfg(feature = "server")]

mod common;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_thin-margin");

/// A server process on a free loopback port.
struct Server {
    child: Child,
    url: String,
    admin: String,
}

impl Server {
    /// A server on a SQLite file in `dir`.
    fn start(dir: &Path) -> Server {
        Server::start_on(&dir.join("w.sqlite").display().to_string(), dir)
    }

    /// A server on the database `db` (a SQLite path or a postgres:// URL); its admin
    /// token file is in `dir` (shared by every server started on that folder).
    fn start_on(db: &str, dir: &Path) -> Server {
        let (child, url, admin) = common::start_workshop_server(db, &dir.join("admin-token"));
        Server { child, url, admin }
    }

    fn kill(&mut self) {
        // SIGKILL: no chance to flush or close anything.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A GET answered with the body exactly as sent (for files such as the results).
fn get_raw(url: &str, token: &str) -> String {
    let mut resp = agent()
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .expect("the server answers");
    assert_eq!(resp.status().as_u16(), 200);
    resp.body_mut().read_to_string().expect("body")
}

/// One request; answers (status, JSON or text as a JSON string). Waits out a 429.
fn call(method: &str, url: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
    for _ in 0..50 {
        let a = agent();
        let auth = token.map(|t| format!("Bearer {t}"));
        let result = match (method, body) {
            ("GET", _) => {
                let mut r = a.get(url);
                if let Some(h) = &auth {
                    r = r.header("Authorization", h);
                }
                r.call()
            }
            (_, b) => {
                let mut r = a.post(url).header("Content-Type", "application/json");
                if let Some(h) = &auth {
                    r = r.header("Authorization", h);
                }
                r.send(b.unwrap_or("").as_bytes())
            }
        };
        let mut resp = result.expect("the server answers");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().expect("body");
        if status == 429 {
            std::thread::sleep(Duration::from_millis(150));
            continue;
        }
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        return (status, value);
    }
    panic!("rate-limited for too long: {url}");
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thin-margin-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

struct Workshop {
    url: String,
    id: String,
    fac: String,
    codes: Vec<String>,
    public_key: String,
}

impl Workshop {
    /// The same workshop's tokens, for another client.
    fn clone_tokens(&self) -> Workshop {
        Workshop {
            url: self.url.clone(),
            id: self.id.clone(),
            fac: self.fac.clone(),
            codes: self.codes.clone(),
            public_key: self.public_key.clone(),
        }
    }

    fn create(s: &Server, teams: usize, extra: Value) -> Workshop {
        let mut body = json!({
            "scenario": "first-phone",
            "teams": (1..=teams).map(|i| format!("Team {i:02}")).collect::<Vec<_>>(),
            "computer_seats": 2,
            "seed": 21,
            "auto_close": false,
        });
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (status, c) = call(
            "POST",
            &format!("{}/v1/workshops", s.url),
            Some(&s.admin),
            Some(&body.to_string()),
        );
        assert_eq!(status, 201, "{c}");
        Workshop {
            url: s.url.clone(),
            id: c["id"].as_str().expect("id").into(),
            fac: c["facilitator_token"].as_str().expect("token").into(),
            codes: c["teams"]
                .as_array()
                .expect("teams")
                .iter()
                .map(|t| t["code"].as_str().expect("code").to_string())
                .collect(),
            public_key: c["public_key"].as_str().expect("key").into(),
        }
    }

    fn fac(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        call(
            method,
            &format!("{}/v1/workshops/{}{path}", self.url, self.id),
            Some(&self.fac),
            body,
        )
    }

    fn view(&self) -> Value {
        let (status, v) = self.fac("GET", "", None);
        assert_eq!(status, 200, "{v}");
        v
    }

    fn team(&self, t: usize) -> Value {
        let (status, v) = call("GET", &format!("{}/v1/team", self.url), Some(&self.codes[t]), None);
        assert_eq!(status, 200, "{v}");
        v
    }

    fn submit(&self, t: usize, round: u64, revision: u64, decisions: &Value) -> (u16, Value) {
        let body = json!({"round": round, "revision": revision, "decisions": decisions}).to_string();
        call(
            "POST",
            &format!("{}/v1/team/decisions", self.url),
            Some(&self.codes[t]),
            Some(&body),
        )
    }
}

/// A team's decisions: its last ones with its own price, cut to this quarter's capacity.
fn decisions_for(view: &Value, t: usize) -> Value {
    let mut d = view["last"].clone();
    d["launch"] = json!([]);
    d["retire"] = json!([]);
    if let Some(skus) = d["skus"].as_object_mut() {
        for sku in skus.values_mut() {
            let price = sku["price"].as_f64().expect("price");
            sku["price"] = json!(price - 5.0 * (t % 7) as f64);
        }
    }
    d
}

/// Keys a company may show in the industry report.
const PUBLIC_COMPANY_KEYS: [&str; 6] = ["company", "kind", "rank", "share_by_segment", "launches", "skus"];
const PUBLIC_SKU_KEYS: [&str; 5] = ["id", "segment", "status", "price", "units_sold"];

fn assert_only_public(view: &Value, me: &str) {
    for r in view["reports"].as_array().expect("reports") {
        assert_eq!(r["company"], me, "a report row of another company");
    }
    for report in view["industry"].as_array().expect("industry") {
        for c in report["companies"].as_array().expect("companies") {
            for key in c.as_object().expect("company").keys() {
                assert!(
                    PUBLIC_COMPANY_KEYS.contains(&key.as_str()),
                    "private key {key} in the industry report"
                );
            }
            for sku in c["skus"].as_array().expect("skus") {
                for key in sku.as_object().expect("sku").keys() {
                    assert!(PUBLIC_SKU_KEYS.contains(&key.as_str()), "private SKU key {key}");
                }
            }
        }
    }
    for s in view["leaderboard"].as_array().expect("leaderboard") {
        let keys: Vec<&String> = s.as_object().expect("standing").keys().collect();
        assert_eq!(keys.len(), 3, "teams see rank, team and score only: {keys:?}");
    }
}

#[test]
fn thirty_teams_play_four_quarters_with_a_live_event_and_the_results_verify() {
    let dir = tempdir("thirty");
    let server = Server::start(&dir);
    let (status, health) = call("GET", &format!("{}/healthz", server.url), None, None);
    assert_eq!((status, health["protocol"].as_u64()), (200, Some(1)));
    let w = Workshop::create(&server, 30, json!({}));
    for round in 1..=4u64 {
        let (status, v) = w.fac("POST", "/rounds", Some(r#"{"deadline_secs": 600}"#));
        assert_eq!(status, 200, "{v}");
        // 30 team clients at once; teams 29 and 30 miss every deadline.
        std::thread::scope(|scope| {
            for t in 0..28 {
                let w = &w;
                scope.spawn(move || {
                    let view = w.team(t);
                    assert_eq!(view["round"].as_u64(), Some(round));
                    assert_only_public(&view, &format!("Team {:02}", t + 1));
                    let (status, ack) = w.submit(t, round, 0, &decisions_for(&view, t));
                    assert_eq!(status, 200, "team {t}: {ack}");
                });
            }
        });
        let v = w.view();
        let submitted = v["teams"]
            .as_array()
            .expect("teams")
            .iter()
            .filter(|t| t["submitted"] == true)
            .count();
        assert_eq!(submitted, 28, "the facilitator sees who has submitted");
        assert!(!v.to_string().contains("\"decisions\""), "but never what");
        if round == 2 {
            let (status, v) = w.fac("POST", "/events", Some(r#"{"constraint": "memory-price"}"#));
            assert_eq!(status, 200, "{v}");
            assert_eq!(v["pending_events"].as_array().map(Vec::len), Some(1));
        }
        let (status, v) = w.fac("POST", "/close", None);
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["round"].as_u64(), Some(round + 1));
    }
    let v = w.view();
    let board = v["leaderboard"].as_array().expect("leaderboard");
    assert_eq!(board.len(), 30);
    let scores: Vec<f64> = board.iter().map(|s| s["score"].as_f64().expect("score")).collect();
    assert!(scores.windows(2).all(|p| p[0] >= p[1]), "sorted by score");
    assert!(
        board[0].get("profit").is_some() && board[0].get("trust").is_some(),
        "the facilitator sees each component"
    );
    // The industry report names the event and only public facts.
    let view = w.team(0);
    assert_eq!(view["industry"].as_array().map(Vec::len), Some(4));
    assert!(
        view["industry"][1]["events"].to_string().contains("emory"),
        "{}",
        view["industry"]
    );
    // Signed results verify with the workshop's public key.
    let results = get_raw(&format!("{}/v1/workshops/{}/results", w.url, w.id), &w.fac);
    let path = dir.join("results.json");
    std::fs::write(&path, results).expect("write");
    let out = Command::new(BIN)
        .args(["verify", "--public-key", &w.public_key])
        .arg(&path)
        .output()
        .expect("verify runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 rounds re-simulated, 30 teams"));
    // One number changed: verify fails and says where.
    let tampered = std::fs::read_to_string(&path)
        .expect("read")
        .replacen("\"rank\": 1,", "\"rank\": 3,", 1);
    std::fs::write(&path, tampered).expect("write");
    let out = Command::new(BIN)
        .arg("verify")
        .arg(&path)
        .output()
        .expect("verify runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("leaderboard[0].rank"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // CSV exports.
    let (status, csv) = w.fac("GET", "/results.csv", None);
    assert_eq!(status, 200);
    assert_eq!(csv.as_str().expect("csv").lines().count(), 31);
    let (_, audit) = w.fac("GET", "/audit.csv", None);
    assert!(
        audit.as_str().expect("csv").lines().count() > 4 * 28,
        "every submission is in the audit trail"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn hostile_requests_get_the_right_status_and_change_nothing() {
    let dir = tempdir("hostile");
    let server = Server::start(&dir);
    let w = Workshop::create(&server, 3, json!({}));
    let other = Workshop::create(&server, 2, json!({}));
    w.fac("POST", "/rounds", Some(r#"{"deadline_secs": 600}"#));
    let view = w.team(0);
    let good = decisions_for(&view, 0);
    let seq = || w.view()["seq"].as_u64().expect("seq");
    let before = seq();
    let team_url = format!("{}/v1/team/decisions", w.url);
    let mut bad_value = good.clone();
    bad_value["skus"]["flagship"]["bom_cut"] = json!(0.9);
    let huge = format!(
        "{{\"round\": 1, \"revision\": 0, \"decisions\": {{}}, \"pad\": \"{}\"}}",
        "x".repeat(100_000)
    );
    let cases: Vec<(&str, u16, &str, (u16, Value))> = vec![
        (
            "malformed JSON",
            400,
            "bad_json",
            call("POST", &team_url, Some(&w.codes[0]), Some("{\"round\": 1,")),
        ),
        (
            "no token",
            401,
            "unauthorized",
            call("POST", &team_url, None, Some("{}")),
        ),
        (
            "a wrong token",
            401,
            "unauthorized",
            call("POST", &team_url, Some("0123456789abcdef0123456789abcdef"), Some("{}")),
        ),
        (
            "a team on a facilitator route",
            403,
            "forbidden",
            call(
                "POST",
                &format!("{}/v1/workshops/{}/close", w.url, w.id),
                Some(&w.codes[0]),
                None,
            ),
        ),
        (
            "another workshop's facilitator",
            403,
            "forbidden",
            call(
                "POST",
                &format!("{}/v1/workshops/{}/close", w.url, w.id),
                Some(&other.fac),
                None,
            ),
        ),
        (
            "another team's field",
            400,
            "bad_json",
            call(
                "POST",
                &team_url,
                Some(&w.codes[0]),
                Some(&json!({"round": 1, "revision": 0, "team": 2, "decisions": good}).to_string()),
            ),
        ),
        ("a closed round", 409, "round_closed", w.submit(0, 7, 0, &good)),
        (
            "an oversized body",
            413,
            "too_large",
            call("POST", &team_url, Some(&w.codes[0]), Some(&huge)),
        ),
        (
            "an out-of-range value",
            422,
            "invalid_decisions",
            w.submit(0, 1, 0, &bad_value),
        ),
        (
            "an unknown endpoint",
            404,
            "not_found",
            call("GET", &format!("{}/v1/nothing", w.url), Some(&w.fac), None),
        ),
    ];
    for (what, status, code, (got, body)) in cases {
        assert_eq!((got, body["error"].as_str()), (status, Some(code)), "{what}: {body}");
        assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{what}: a sentence");
    }
    let (_, invalid) = w.submit(0, 1, 0, &bad_value);
    assert!(invalid["problems"].to_string().contains("bom_cut"), "{invalid}");
    assert_eq!(seq(), before, "nothing was stored");
    // A submission, then the same request replayed.
    assert_eq!(w.submit(0, 1, 0, &good).0, 200);
    let (status, body) = w.submit(0, 1, 0, &good);
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("stale_revision")),
        "{body}"
    );
    assert_eq!(w.submit(0, 1, 1, &good).0, 200, "a revision names the count it saw");
    // A burst beyond the allowance is refused with 429 (not retried here).
    let a = agent();
    let statuses: Vec<u16> = (0..40)
        .map(|_| {
            a.get(format!("{}/v1/team", w.url))
                .header("Authorization", format!("Bearer {}", w.codes[2]))
                .call()
                .expect("answer")
                .status()
                .as_u16()
        })
        .collect();
    assert!(statuses.contains(&429), "{statuses:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_killed_server_restarts_on_its_database_and_loses_nothing_acknowledged() {
    let dir = tempdir("crash");
    let mut server = Server::start(&dir);
    let mut w = Workshop::create(&server, 6, json!({"practice_rounds": 1}));
    let key = w.public_key.clone();
    // Practice round, then round 2 (the first of the competition) half submitted.
    w.fac("POST", "/rounds", Some(r#"{"deadline_secs": 600}"#));
    w.fac("POST", "/close", None);
    w.fac("POST", "/rounds", Some(r#"{"deadline_secs": 600}"#));
    let mut acknowledged = Vec::new();
    for t in 0..4 {
        let view = w.team(t);
        let (status, _) = w.submit(t, 2, 0, &decisions_for(&view, t));
        assert_eq!(status, 200);
        acknowledged.push(t);
    }
    let seq_before = w.view()["seq"].as_u64();
    server.kill();
    let server = Server::start(&dir);
    w.url = server.url.clone();
    let v = w.view();
    assert_eq!(v["seq"].as_u64(), seq_before, "every acknowledged entry is back");
    for t in acknowledged {
        assert_eq!(v["teams"][t]["submitted"], true, "team {t}'s submission survived");
    }
    assert_eq!(v["phase"], "open");
    // The workshop goes on: the remaining teams submit, and two more rounds.
    for t in 4..6 {
        let view = w.team(t);
        assert_eq!(w.submit(t, 2, 0, &decisions_for(&view, t)).0, 200);
    }
    w.fac("POST", "/close", None);
    for round in 3..=4 {
        w.fac("POST", "/rounds", Some(r#"{"deadline_secs": 600}"#));
        let view = w.team(0);
        assert_eq!(w.submit(0, round, 0, &decisions_for(&view, 0)).0, 200);
        w.fac("POST", "/close", None);
    }
    let results = get_raw(&format!("{}/v1/workshops/{}/results", w.url, w.id), &w.fac);
    let path = dir.join("results.json");
    std::fs::write(&path, results).expect("write");
    let out = Command::new(BIN)
        .args(["verify", "--public-key", &key])
        .arg(&path)
        .output()
        .expect("verify");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 rounds re-simulated"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_round_closes_by_itself_at_its_deadline_with_every_team_offline() {
    let dir = tempdir("deadline");
    let server = Server::start(&dir);
    let w = Workshop::create(&server, 2, json!({"auto_close": true}));
    let (status, _) = w.fac("POST", "/rounds", Some(r#"{"deadline_secs": 1}"#));
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(1800));
    let v = w.view();
    assert_eq!(
        (v["phase"].as_str(), v["round"].as_u64()),
        (Some("waiting"), Some(2)),
        "{v}"
    );
    // Nobody submitted: both repeated their opening plan.
    let view = w.team(1);
    assert_eq!(view["reports"].as_array().map(Vec::len), Some(1));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn live_updates_arrive_on_the_event_stream() {
    let dir = tempdir("stream");
    let server = Server::start(&dir);
    let w = Workshop::create(&server, 2, json!({}));
    let mut resp = agent()
        .get(format!("{}/v1/stream", w.url))
        .header("Authorization", format!("Bearer {}", w.codes[0]))
        .call()
        .expect("stream");
    assert_eq!(resp.status().as_u16(), 200);
    let mut lines = BufReader::new(resp.body_mut().as_reader());
    let mut next_update = || -> u64 {
        let mut line = String::new();
        loop {
            line.clear();
            lines.read_line(&mut line).expect("a line");
            if let Some(data) = line.trim().strip_prefix("data:") {
                let v: Value = serde_json::from_str(data.trim()).expect("json");
                return v["seq"].as_u64().expect("seq");
            }
        }
    };
    let first = next_update();
    // The facilitator opens a round: the team hears of it at once.
    w.fac("POST", "/rounds", Some(r#"{"deadline_secs": 600}"#));
    assert!(next_update() > first);
    // A stream without a valid token is refused.
    let (status, body) = call("GET", &format!("{}/v1/stream", w.url), Some("nope"), None);
    assert_eq!((status, body["error"].as_str()), (401, Some("unauthorized")));
    std::fs::remove_dir_all(&dir).ok();
}

/// Two server processes share one database: a workshop created on one is served by
/// the other, and when both close the same round at the same moment it resolves once.
pub fn two_servers_resolve_each_round_exactly_once(db: &str, dir: &Path) {
    let a = Server::start_on(db, dir);
    let b = Server::start_on(db, dir);
    let mut w = Workshop::create(&a, 3, json!({}));
    let via = |w: &mut Workshop, s: &Server| w.url = s.url.clone();
    for round in 1..=3u64 {
        via(&mut w, &a);
        assert_eq!(w.fac("POST", "/rounds", Some(r#"{"deadline_secs": 600}"#)).0, 200);
        // The teams reach the other process.
        via(&mut w, &b);
        for t in 0..3 {
            let view = w.team(t);
            assert_eq!(view["round"].as_u64(), Some(round), "server b sees server a's round");
            assert_eq!(w.submit(t, round, 0, &decisions_for(&view, t)).0, 200);
        }
        // Both processes are asked to close at once, several times each.
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = [&a, &b, &a, &b]
                .into_iter()
                .map(|s| {
                    let mut w = w.clone_tokens();
                    scope.spawn(move || {
                        w.url = s.url.clone();
                        w.fac("POST", "/close", None).0
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "one close succeeds: {statuses:?}"
        );
        assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    }
    via(&mut w, &b);
    let results = get_raw(&format!("{}/v1/workshops/{}/results", w.url, w.id), &w.fac);
    let path = dir.join("results.json");
    std::fs::write(&path, results).expect("write");
    let out = Command::new(BIN)
        .args(["verify", "--public-key", &w.public_key])
        .arg(&path)
        .output()
        .expect("verify");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 rounds re-simulated"));
}

#[test]
fn two_servers_on_one_sqlite_file_resolve_each_round_exactly_once() {
    let dir = tempdir("two-sqlite");
    two_servers_resolve_each_round_exactly_once(&dir.join("w.sqlite").display().to_string(), &dir);
    std::fs::remove_dir_all(&dir).ok();
}

/// The same on PostgreSQL (`THIN_MARGIN_TEST_PG`; skipped without it unless
/// `THIN_MARGIN_REQUIRE_PG=1`, as `.ci/run` sets), in a schema of its own.
#[cfg(feature = "postgres")]
#[test]
fn two_servers_on_one_postgresql_database_resolve_each_round_exactly_once() {
    let base = match std::env::var("THIN_MARGIN_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => url,
        _ if std::env::var("THIN_MARGIN_REQUIRE_PG").as_deref() == Ok("1") => {
            panic!("THIN_MARGIN_REQUIRE_PG=1 but THIN_MARGIN_TEST_PG is not set")
        }
        _ => {
            eprintln!("THIN_MARGIN_TEST_PG is not set: skipping the two-server PostgreSQL test");
            return;
        }
    };
    let schema = format!("tm_servers_{}", std::process::id());
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).expect("connect to THIN_MARGIN_TEST_PG");
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .expect("a test schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    let dir = tempdir("two-pg");
    two_servers_resolve_each_round_exactly_once(&url, &dir);
    admin
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .expect("drop the schema");
    std::fs::remove_dir_all(&dir).ok();
}
