//! Load on the workshop server: 200 team clients on loopback (4 workshops × 50
//! teams, one thread and connection each) submit their decisions at the same moment,
//! round after round, against a release `thin-margin serve` on a fresh SQLite file.
//! Prints the submit latency percentiles (request sent → acknowledgement read) and
//! the round-closing time. The load tool is this program (`cargo bench --bench
//! workshop_load`); figures in BENCHMARKS.md.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_thin-margin");
const WORKSHOPS: usize = 4;
const TEAMS: usize = 50;
const ROUNDS: u64 = 5;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn post(a: &ureq::Agent, url: &str, token: &str, body: &str) -> (u16, Value) {
    let mut r = a
        .post(url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(body.as_bytes())
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn get(a: &ureq::Agent, url: &str, token: &str) -> Value {
    let mut r = a
        .get(url)
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    serde_json::from_str(&r.body_mut().read_to_string().unwrap_or_default()).unwrap_or(Value::Null)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let dir = std::env::temp_dir().join(format!("thin-margin-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut server = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.join("w.sqlite"))
        .arg("--scenarios")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap_or_else(|| panic!("stdout")))
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("{e}"));
    let url = line.trim().to_string();
    let admin = std::fs::read_to_string(dir.join("w.sqlite.admin-token")).unwrap_or_else(|e| panic!("{e}"));
    let a = agent();
    let mut workshops = Vec::new();
    for k in 0..WORKSHOPS {
        let body = json!({
            "scenario": "first-phone",
            "teams": (1..=TEAMS).map(|i| format!("W{k} team {i}")).collect::<Vec<_>>(),
            "seed": k,
            "auto_close": false,
        });
        let (status, c) = post(&a, &format!("{url}/v1/workshops"), admin.trim(), &body.to_string());
        assert_eq!(status, 201, "{c}");
        workshops.push(c);
    }
    let mut latencies: Vec<f64> = Vec::new();
    let mut closing: Vec<f64> = Vec::new();
    for round in 1..=ROUNDS {
        for w in &workshops {
            let id = w["id"].as_str().unwrap_or_default();
            let fac = w["facilitator_token"].as_str().unwrap_or_default();
            let (status, v) = post(
                &a,
                &format!("{url}/v1/workshops/{id}/rounds"),
                fac,
                r#"{"deadline_secs": 600}"#,
            );
            assert_eq!(status, 200, "{v}");
        }
        // Every client reads its view first, then all submit at once.
        let barrier = Arc::new(Barrier::new(WORKSHOPS * TEAMS));
        let handles: Vec<_> = workshops
            .iter()
            .flat_map(|w| w["teams"].as_array().cloned().unwrap_or_default())
            .map(|team| {
                let (url, barrier) = (url.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let code = team["code"].as_str().unwrap_or_default().to_string();
                    let a = agent();
                    let view = get(&a, &format!("{url}/v1/team"), &code);
                    let body = json!({"round": round, "revision": 0, "decisions": view["last"]}).to_string();
                    barrier.wait();
                    let sent = Instant::now();
                    let (status, ack) = post(&a, &format!("{url}/v1/team/decisions"), &code, &body);
                    let ms = sent.elapsed().as_secs_f64() * 1000.0;
                    assert_eq!(status, 200, "{ack}");
                    ms
                })
            })
            .collect();
        for h in handles {
            latencies.push(h.join().unwrap_or_else(|_| panic!("a client failed")));
        }
        for w in &workshops {
            let id = w["id"].as_str().unwrap_or_default();
            let fac = w["facilitator_token"].as_str().unwrap_or_default();
            let t = Instant::now();
            let (status, v) = post(&a, &format!("{url}/v1/workshops/{id}/close"), fac, "");
            assert_eq!(status, 200, "{v}");
            closing.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    latencies.sort_by(f64::total_cmp);
    closing.sort_by(f64::total_cmp);
    println!(
        "workshop_load: {} submits ({} clients at once × {ROUNDS} rounds) — latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        WORKSHOPS * TEAMS,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
    println!(
        "workshop_load: closing a 50-team round (resolve + store + answer) p50 {:.1} ms, max {:.1} ms",
        percentile(&closing, 0.50),
        closing.last().copied().unwrap_or(0.0)
    );
}
