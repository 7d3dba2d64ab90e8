//! Results nobody can forge: the round hash chain, the signed results file, and its
//! verification by re-simulation.
//!
//! Each competition round appends a [`RoundRecord`]: the previous record's hash, every
//! team's decisions as resolved, the events injected, and the SHA-256 of the round's
//! report (serde JSON, which is deterministic for our types). The record's own hash is
//! `SHA-256(prev_hash ‖ SHA-256(JSON of its contents))`; the first record's `prev_hash`
//! is the SHA-256 of the empty string.
//!
//! The results file (JSON) holds the workshop's public setup, the scenario file's text,
//! every record and the leaderboard, and an ed25519 signature over the SHA-256 of the
//! same file with an empty `signature`. [`verify`] re-simulates the workshop from the
//! file alone (the scenario text, the seed, the decisions and events of each round),
//! checks every hash, the leaderboard and the signature, and finally that the file is
//! byte for byte its canonical form, so a change anywhere is found and named.

use super::market::{Variant, workshop_scenario};
use super::session::{Standing, leaderboard, resolve};
use crate::sim::decisions::CompanyDecisions;
use crate::sim::params::Event;
use crate::sim::{Quarter, QuarterReport, World};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The results file's format name and version.
pub const RESULTS_FORMAT: &str = "thin-margin workshop results";
pub const RESULTS_VERSION: u32 = 1;

/// SHA-256 as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The chain's starting hash (SHA-256 of nothing).
pub fn genesis() -> String {
    sha256_hex(b"")
}

/// One team's decisions in a round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamDecisions {
    pub team: String,
    pub decisions: CompanyDecisions,
}

/// One competition round in the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundRecord {
    /// 1-based, counting competition rounds only.
    pub round: u32,
    pub quarter: Quarter,
    pub prev_hash: String,
    pub decisions: Vec<TeamDecisions>,
    /// Events injected for this round (resolved names), in the order they arrived.
    pub events: Vec<Event>,
    /// SHA-256 of the round's report.
    pub reports_hash: String,
    pub hash: String,
}

/// The hashed part of a record (everything but its own hash).
#[derive(Serialize)]
struct Contents<'a> {
    round: u32,
    quarter: Quarter,
    decisions: &'a [TeamDecisions],
    events: &'a [Event],
    reports_hash: &'a str,
}

impl RoundRecord {
    pub fn new(
        round: u32,
        quarter: Quarter,
        prev_hash: String,
        teams: &[String],
        decisions: Vec<CompanyDecisions>,
        events: Vec<Event>,
        report: &QuarterReport,
    ) -> RoundRecord {
        let decisions: Vec<TeamDecisions> = teams
            .iter()
            .cloned()
            .zip(decisions)
            .map(|(team, decisions)| TeamDecisions { team, decisions })
            .collect();
        let mut r = RoundRecord {
            round,
            quarter,
            prev_hash,
            decisions,
            events,
            reports_hash: report_hash(report),
            hash: String::new(),
        };
        r.hash = r.computed_hash();
        r
    }

    /// The hash the record's contents give.
    pub fn computed_hash(&self) -> String {
        let contents = serde_json::to_vec(&Contents {
            round: self.round,
            quarter: self.quarter,
            decisions: &self.decisions,
            events: &self.events,
            reports_hash: &self.reports_hash,
        })
        .unwrap_or_default();
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(sha256_hex(&contents).as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// SHA-256 of a round's report.
pub fn report_hash(report: &QuarterReport) -> String {
    sha256_hex(&serde_json::to_vec(report).unwrap_or_default())
}

/// What the results file says about the workshop (nothing secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicSetup {
    pub id: String,
    pub title: String,
    pub scenario_id: String,
    pub scenario_hash: String,
    pub teams: Vec<String>,
    pub computer_seats: u32,
    pub seed: u64,
    pub variant: Variant,
    pub practice_rounds: u32,
}

/// The signed results of a workshop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    pub format: String,
    pub version: u32,
    pub workshop: PublicSetup,
    /// The scenario file's text, so the file verifies on its own.
    pub scenario_text: String,
    pub rounds: Vec<RoundRecord>,
    pub leaderboard: Vec<Standing>,
    /// ed25519 public key (hex).
    pub public_key: String,
    /// ed25519 signature (hex) of the SHA-256 of this file with `signature` empty.
    pub signature: String,
}

impl Results {
    /// The file's text: pretty JSON and a final newline (its canonical form).
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// What the signature covers.
    fn signed_digest(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        unsigned.signature.clear();
        Sha256::digest(unsigned.to_text().as_bytes()).to_vec()
    }

    /// Signs the results with the workshop's secret key.
    pub fn sign(&mut self, key: &SigningKey) {
        self.public_key = hex(key.verifying_key().as_bytes());
        self.signature = hex(&key.sign(&self.signed_digest()).to_bytes());
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A signing key from 32 secret bytes (hex), as the server stores it.
pub fn signing_key(secret_hex: &str) -> Option<SigningKey> {
    unhex::<32>(secret_hex).map(|b| SigningKey::from_bytes(&b))
}

/// The hex of a signing key's secret bytes.
pub fn secret_hex(key: &SigningKey) -> String {
    hex(&key.to_bytes())
}

/// The public key (hex) of a signing key.
pub fn public_hex(key: &SigningKey) -> String {
    hex(key.verifying_key().as_bytes())
}

/// The signed results of `workshop` (played on the scenario file `scenario_text`).
pub fn results(workshop: &super::session::Workshop, scenario_text: &str, key: &SigningKey) -> Results {
    let s = &workshop.setup;
    let mut r = Results {
        format: RESULTS_FORMAT.into(),
        version: RESULTS_VERSION,
        workshop: PublicSetup {
            id: s.id.clone(),
            title: s.title.clone(),
            scenario_id: s.scenario_id.clone(),
            scenario_hash: s.scenario_hash.clone(),
            teams: s.teams.clone(),
            computer_seats: s.computer_seats,
            seed: s.seed,
            variant: s.variant,
            practice_rounds: s.practice_rounds,
        },
        scenario_text: scenario_text.to_string(),
        rounds: workshop.chain.clone(),
        leaderboard: workshop.leaderboard(),
        public_key: String::new(),
        signature: String::new(),
    };
    r.sign(key);
    r
}

/// What `verify` found.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    pub rounds: usize,
    pub teams: usize,
    pub public_key: String,
    pub winner: Option<String>,
}

/// Checks a results file end to end: the scenario text against its hash, each
/// round's chain link and hash, each round re-simulated against its report hash, the
/// leaderboard, the signature (and the expected public key, when given), and the
/// canonical form. The first thing that does not match comes back as a sentence.
pub fn verify(path: &str, text: &str, expected_key: Option<&str>) -> Result<Verified, String> {
    let results: Results = super::protocol::parse_json(text.as_bytes()).map_err(|p| {
        let field = if p.field.is_empty() {
            String::new()
        } else {
            format!("{}: ", p.field)
        };
        format!("{path}:{}:{}: {field}{}", p.line, p.column, p.message)
    })?;
    if results.format != RESULTS_FORMAT || results.version != RESULTS_VERSION {
        return Err(format!(
            "{path}: not a results file this build reads (format \"{}\" version {}; expected \"{RESULTS_FORMAT}\" version {RESULTS_VERSION})",
            results.format, results.version
        ));
    }
    let w = &results.workshop;
    let text_hash = crate::save::run_file::scenario_hash(&results.scenario_text);
    if text_hash != w.scenario_hash {
        return Err(format!(
            "{path}: scenario_text does not match workshop.scenario_hash (the scenario was changed): recorded {}, the text gives {text_hash}",
            w.scenario_hash
        ));
    }
    let label = std::path::PathBuf::from(format!("{path} (scenario_text)"));
    let base = crate::scenario::parse_scenario(&label, &results.scenario_text).map_err(|e| e.to_string())?;
    let scenario = Arc::new(
        workshop_scenario(&base, &w.teams, w.computer_seats, w.variant)
            .map_err(|e| format!("{path}: workshop: {e}"))?,
    );
    let mut world = World::new(scenario.clone(), w.seed);
    let mut prev = genesis();
    let mut reports = Vec::new();
    for (i, r) in results.rounds.iter().enumerate() {
        let at = format!("{path}: rounds[{i}] (round {}, {})", r.round, r.quarter);
        if r.round != i as u32 + 1 {
            return Err(format!("{at}: round number {} where {} was expected", r.round, i + 1));
        }
        if r.prev_hash != prev {
            return Err(format!(
                "{at}: prev_hash does not link to the round before: recorded {}, expected {prev}",
                r.prev_hash
            ));
        }
        let computed = r.computed_hash();
        if r.hash != computed {
            return Err(format!(
                "{at}: hash does not match the record's contents (decisions, events or reports_hash were changed): recorded {}, computed {computed}",
                r.hash
            ));
        }
        let names: Vec<&str> = r.decisions.iter().map(|d| d.team.as_str()).collect();
        if names != w.teams.iter().map(String::as_str).collect::<Vec<_>>() {
            return Err(format!("{at}: decisions are not one per team in the workshop's order"));
        }
        if world.quarter() != r.quarter {
            return Err(format!(
                "{at}: quarter {} where the market is at {}",
                r.quarter,
                world.quarter()
            ));
        }
        let decisions: Vec<CompanyDecisions> = r.decisions.iter().map(|d| d.decisions.clone()).collect();
        let (next, report) = resolve(&world, &r.events, &decisions)
            .map_err(|e| format!("{at}: the model refuses the recorded decisions: {e}"))?;
        let replayed = report_hash(&report);
        if replayed != r.reports_hash {
            return Err(format!(
                "{at}: re-simulating the round gives reports hash {replayed}, the file records {}",
                r.reports_hash
            ));
        }
        prev = r.hash.clone();
        reports.push(report);
        world = next;
    }
    let board = leaderboard(&scenario, &w.teams, &reports);
    if board.len() != results.leaderboard.len() {
        return Err(format!(
            "{path}: leaderboard has {} teams, re-simulation {}",
            results.leaderboard.len(),
            board.len()
        ));
    }
    for (i, (a, b)) in results.leaderboard.iter().zip(&board).enumerate() {
        if a != b {
            let (ra, rb) = (
                serde_json::to_value(a).unwrap_or_default(),
                serde_json::to_value(b).unwrap_or_default(),
            );
            let field = ra
                .as_object()
                .and_then(|o| {
                    o.iter()
                        .find(|(k, v)| rb.get(k.as_str()) != Some(v))
                        .map(|(k, _)| k.clone())
                })
                .unwrap_or_default();
            return Err(format!(
                "{path}: leaderboard[{i}].{field}: recorded {}, re-simulation gives {}",
                ra.get(&field).cloned().unwrap_or_default(),
                rb.get(&field).cloned().unwrap_or_default()
            ));
        }
    }
    let key_bytes =
        unhex::<32>(&results.public_key).ok_or_else(|| format!("{path}: public_key is not 32 bytes of hex"))?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|e| format!("{path}: public_key: {e}"))?;
    if let Some(expected) = expected_key
        && !expected.trim().eq_ignore_ascii_case(&results.public_key)
    {
        return Err(format!(
            "{path}: signed with key {}, not the workshop's key {expected}",
            results.public_key
        ));
    }
    let sig = unhex::<64>(&results.signature).ok_or_else(|| format!("{path}: signature is not 64 bytes of hex"))?;
    key.verify(&results.signed_digest(), &Signature::from_bytes(&sig))
        .map_err(|_| format!("{path}: the signature does not match the file: something was changed after signing"))?;
    let canonical = results.to_text();
    if canonical != text {
        let at = canonical
            .bytes()
            .zip(text.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(canonical.len().min(text.len()));
        let line = text.as_bytes()[..at.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return Err(format!(
            "{path}:{line}: the file differs from its signed form at byte {at} (a change in spacing or layout)"
        ));
    }
    Ok(Verified {
        rounds: results.rounds.len(),
        teams: w.teams.len(),
        public_key: results.public_key.clone(),
        winner: results.leaderboard.first().map(|s| s.team.clone()),
    })
}
