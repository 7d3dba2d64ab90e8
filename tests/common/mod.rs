//! Helpers shared by the integration tests: loading the shipped scenarios and
//! checking MODEL.md's identities on report rows.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use thin_margin::scenario::{load::read_text, load::top_level_name, load_scenario};
use thin_margin::sim::{Channel, CompanyReport, Scenario};

/// Every scenario file in `scenarios/`, loaded.
pub fn shipped_scenarios() -> Vec<(PathBuf, Arc<Scenario>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .filter(|p| read_text(p).is_ok_and(|t| top_level_name(&t) == Some("Scenario")))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let s = load_scenario(&p).unwrap_or_else(|e| panic!("{e}"));
            (p, Arc::new(s))
        })
        .collect()
}

/// One shipped scenario by id.
pub fn scenario(id: &str) -> Arc<Scenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{id}.ron"));
    Arc::new(load_scenario(&path).unwrap_or_else(|e| panic!("{e}")))
}

/// Checks every identity MODEL.md promises for one report row; returns the first broken one.
pub fn check_identities(r: &CompanyReport) -> Result<(), String> {
    let who = format!("{} {}", r.quarter, r.company);
    let expected_cash = r.cash_opening + r.inflows - r.outflows;
    let scale = 1.0f64
        .max(r.cash.abs())
        .max(r.inflows.abs())
        .max(r.outflows.abs())
        .max(r.cash_opening.abs());
    if (r.cash - expected_cash).abs() > 1e-6 * scale {
        return Err(format!(
            "{who}: cash {} != opening + inflows − outflows = {expected_cash}",
            r.cash
        ));
    }
    if r.inventory_opening + r.units_produced != r.units_sold + r.inventory_closing + r.written_off {
        return Err(format!(
            "{who}: inventory {} + produced {} != sold {} + closing {} + written off {}",
            r.inventory_opening, r.units_produced, r.units_sold, r.inventory_closing, r.written_off
        ));
    }
    if r.roi.to_bits() != ((r.gross_margin - r.expense_ratio) * r.turnover).to_bits() {
        return Err(format!("{who}: roi {} != (gm − er) × turnover", r.roi));
    }
    for ch in Channel::ALL {
        let roi = (r.gross_margin_by_channel[ch] - r.expense_ratio_by_channel[ch]) * r.turnover_by_channel[ch];
        if r.roi_by_channel[ch].to_bits() != roi.to_bits() {
            return Err(format!("{who}: roi_by_channel.{ch} {} != {roi}", r.roi_by_channel[ch]));
        }
    }
    if let Some(cap) = r.cap
        && r.hw_margin_after_cap > cap + 1e-9
    {
        return Err(format!(
            "{who}: hw_margin_after_cap {} above the cap {cap}",
            r.hw_margin_after_cap
        ));
    }
    if r.units_by_channel.sum() != r.units_sold {
        return Err(format!("{who}: channel units do not add up to units sold"));
    }
    let value = serde_json::to_value(r).map_err(|e| e.to_string())?;
    check_finite(&value, &who, "")
}

/// serde_json writes NaN and infinity as `null`: the only null allowed is `cap`.
fn check_finite(v: &serde_json::Value, who: &str, path: &str) -> Result<(), String> {
    match v {
        serde_json::Value::Null if path != ".cap" => Err(format!("{who}: {path} is NaN, infinite or missing")),
        serde_json::Value::Object(map) => map
            .iter()
            .try_for_each(|(k, v)| check_finite(v, who, &format!("{path}.{k}"))),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| check_finite(v, who, &format!("{path}[{i}]"))),
        _ => Ok(()),
    }
}

/// Starts `thin-margin serve` on a free loopback port with the database `db` and the
/// admin token file `token_file`: the process, its URL and the admin token.
pub fn start_workshop_server(db: &str, token_file: &Path) -> (std::process::Child, String, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_thin-margin"))
        .args(["serve", "--addr", "127.0.0.1:0", "--db", db, "--admin-token-file"])
        .arg(token_file)
        .arg("--scenarios")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        BufReader::new(out)
            .read_line(&mut line)
            .expect("the server prints its address");
    }
    assert!(line.starts_with("http://"), "the server did not start: {line:?}");
    let admin = std::fs::read_to_string(token_file).expect("the admin token");
    (child, line.trim().to_string(), admin.trim().to_string())
}
