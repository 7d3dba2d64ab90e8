//! A facilitator's adjustments to a scenario (market size, scheduled shocks, the
//! margin cap, how many computer-run rivals), written as a new scenario file.
//!
//! [`adjust`] owns the whole change from source text to new text: it parses and
//! validates the source, applies [`Adjustments`], writes RON with a comment header
//! listing each change, and checks the result with the same parse and validation as
//! `thin-margin check`, so it never returns a file `check` would refuse. It does no
//! I/O and reads no clock: the shell reads the source and writes the result.
//!
//! Choices made here:
//! - The market size multiplies every segment's `potential` and `adopters` (the
//!   installed base), so the share of buyers already served is unchanged.
//! - Fewer rivals keeps the first ones in the file and removes the last; every
//!   scheduled event naming a removed company goes with it. (Objectives, calibration
//!   and the scorecard measure the player company only and name no company.)
//! - Comments do not survive the rewrite, so the header says that every figure it
//!   does not list is as in the source file, which marks its sources; each listed
//!   change is marked `// assumed`.

use super::error::FileErrors;
use super::file::ScenarioFile;
use super::{load, validate};
use crate::sim::params::EventKind;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

/// The market-size multipliers accepted.
pub const MARKET_SIZE: RangeInclusive<f64> = 0.25..=4.0;

/// What a facilitator may change in a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Adjustments {
    /// The new scenario's id (and file stem): a-z, 0-9 and '-', unlike the source's.
    pub id: String,
    pub title: String,
    /// Multiplier on every segment's potential and adopters, within [`MARKET_SIZE`].
    pub market_size: f64,
    /// Keep the scenario's scheduled events (false: drop them all).
    pub shocks: bool,
    /// Whether the hardware margin cap is in force.
    pub cap_enabled: bool,
    /// Computer-run rival companies kept (the first ones), up to the scenario's count.
    pub rivals: usize,
}

impl Adjustments {
    /// The adjustments that leave the scenario file at `path` as it is.
    pub fn from_path(path: &Path) -> Result<Adjustments, AdjustError> {
        let text = load::read_text(path).map_err(AdjustError::Source)?;
        let file: ScenarioFile = load::parse_ron(path, &text).map_err(AdjustError::Source)?;
        Ok(Adjustments::from_scenario(&file))
    }

    /// The scenario as it is (give it a new `id` before calling [`adjust`]).
    pub fn from_scenario(file: &ScenarioFile) -> Adjustments {
        Adjustments {
            id: file.id.clone(),
            title: file.title.clone(),
            market_size: 1.0,
            shocks: true,
            cap_enabled: file.cap.enabled,
            rivals: rival_count(file),
        }
    }
}

/// Why a scenario could not be adjusted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AdjustError {
    /// The source is not a valid scenario.
    #[error("{0}")]
    Source(FileErrors),
    /// An adjustment out of range: the field (`id`, `title`, `market_size`, `rivals`)
    /// and a sentence.
    #[error("{field}: {message}")]
    Value { field: &'static str, message: String },
    /// The adjusted scenario fails `check` (a bug here, not the facilitator's doing).
    #[error("the adjusted scenario would not pass `check`:\n{0}")]
    Result(FileErrors),
    /// The scenario could not be written as RON.
    #[error("cannot write the scenario as RON: {0}")]
    Write(String),
}

impl AdjustError {
    /// The adjustment at fault, for [`AdjustError::Value`].
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AdjustError::Value { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Applies `a` to the scenario in `source_text` (read from `source_path`, which only
/// labels errors and the header) and returns the new scenario file's text.
pub fn adjust(source_path: &Path, source_text: &str, a: &Adjustments) -> Result<String, AdjustError> {
    let mut file: ScenarioFile = load::parse_ron(source_path, source_text).map_err(AdjustError::Source)?;
    validate::validate(&file)
        .map_err(|problems| AdjustError::Source(load::locate_problems(source_path, source_text, problems)))?;
    check_values(&file, a)?;

    let source_id = file.id.clone();
    let mut changes = Vec::new();
    let mut briefing = Vec::new();

    file.id = a.id.clone();
    changes.push(format!("id \"{}\" (was \"{source_id}\")", a.id));
    if a.title != file.title {
        changes.push(format!("title \"{}\" (was \"{}\")", a.title, file.title));
        file.title = a.title.clone();
    }

    if a.market_size != 1.0 {
        for s in &mut file.market.segments {
            s.potential *= a.market_size;
            s.adopters *= a.market_size;
        }
        changes.push(format!(
            "market {}: every segment's potential and adopters × {} // assumed",
            size_words(a.market_size),
            a.market_size
        ));
        briefing.push(format!("market {}", size_words(a.market_size)));
    }

    if !a.shocks && !file.events.is_empty() {
        let titles: Vec<String> = file.events.iter().map(|e| format!("\"{}\"", e.event.title)).collect();
        changes.push(format!("no scheduled shocks: removed {} // assumed", titles.join(", ")));
        briefing.push("no scheduled shocks".into());
        file.events.clear();
    }

    if a.cap_enabled != file.cap.enabled {
        let state = if a.cap_enabled { "on" } else { "off" };
        let was = if file.cap.enabled { "on" } else { "off" };
        let level = percent(file.cap.level);
        changes.push(format!(
            "the {level} hardware margin cap {state} (was {was}) // assumed"
        ));
        briefing.push(format!("the {level} hardware margin cap is {state}"));
        file.cap.enabled = a.cap_enabled;
    }

    let n_rivals = rival_count(&file);
    if a.rivals < n_rivals {
        let mut kept = 0;
        let mut removed = Vec::new();
        file.companies.retain(|co| {
            if co.player || kept < a.rivals {
                kept += usize::from(!co.player);
                true
            } else {
                removed.push(co.name.clone());
                false
            }
        });
        let quoted: Vec<String> = removed.iter().map(|n| format!("\"{n}\"")).collect();
        changes.push(format!(
            "{} (was {n_rivals}): removed {} // assumed",
            rivals_words(a.rivals),
            quoted.join(", ")
        ));
        let mut dropped = Vec::new();
        file.events.retain(|e| match &e.event.kind {
            EventKind::RivalPriceCut { company, .. } if removed.contains(company) => {
                dropped.push(format!("\"{}\"", e.event.title));
                false
            }
            _ => true,
        });
        if !dropped.is_empty() {
            changes.push(format!(
                "removed the events naming a removed rival: {} // assumed",
                dropped.join(", ")
            ));
        }
        briefing.push(rivals_words(a.rivals));
    }

    if !briefing.is_empty() {
        file.briefing = format!(
            "{}\n\nAdjusted for a workshop: {}.",
            file.briefing.trim_end(),
            briefing.join("; ")
        );
        changes.push("the briefing's last sentence states these changes".into());
    }

    let text = header(source_path, &source_id, &file, &changes) + &to_ron(&file)?;
    let result_path = PathBuf::from(format!("{}.ron", a.id));
    super::parse_scenario(&result_path, &text).map_err(AdjustError::Result)?;
    Ok(text)
}

fn rival_count(file: &ScenarioFile) -> usize {
    file.companies.iter().filter(|co| !co.player).count()
}

fn check_values(file: &ScenarioFile, a: &Adjustments) -> Result<(), AdjustError> {
    let fail = |field, message: String| Err(AdjustError::Value { field, message });
    let id_ok = !a.id.is_empty()
        && a.id.len() <= 64
        && a.id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return fail(
            "id",
            format!(
                "must be 1–64 characters of a-z, 0-9 or '-' (it names the file), found \"{}\"",
                a.id
            ),
        );
    }
    if a.id == file.id {
        return fail(
            "id",
            format!("must differ from the source scenario's id \"{}\"", file.id),
        );
    }
    if a.title.trim().is_empty() {
        return fail("title", "must not be empty".into());
    }
    if !MARKET_SIZE.contains(&a.market_size) {
        return fail(
            "market_size",
            format!(
                "must be between {} and {} (a multiplier on the market), found {}",
                MARKET_SIZE.start(),
                MARKET_SIZE.end(),
                a.market_size
            ),
        );
    }
    let n_rivals = rival_count(file);
    if a.rivals > n_rivals {
        return fail(
            "rivals",
            format!(
                "must be at most {n_rivals}, the computer-run rivals in \"{}\", found {}",
                file.id, a.rivals
            ),
        );
    }
    Ok(())
}

/// The comment block that opens the written file. Names and titles are put on one
/// line, so nothing from the source or the facilitator can end a comment early.
fn header(source_path: &Path, source_id: &str, file: &ScenarioFile, changes: &[String]) -> String {
    let mut lines = vec![
        format!(
            "Thin Margin scenario: {} ({}, {} quarters).",
            file.title, file.start, file.quarters
        ),
        format!(
            "Adjusted from \"{source_id}\" ({}) by Thin Margin on the facilitator's request.",
            source_path.display()
        ),
        "The changes (each changed figure is `// assumed`):".into(),
    ];
    lines.extend(changes.iter().map(|c| format!("- {c}")));
    lines.push("Every figure not listed above is as in the source file, which marks each one".into());
    lines.push("`// source: seed` or `// assumed` (comments do not survive the rewrite).".into());
    lines
        .iter()
        .map(|line| {
            let line: String = line.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            format!("// {line}\n")
        })
        .collect()
}

fn to_ron(file: &ScenarioFile) -> Result<String, AdjustError> {
    let config = ron::ser::PrettyConfig::new().struct_names(false);
    let body = ron::ser::to_string_pretty(file, config).map_err(|e| AdjustError::Write(e.to_string()))?;
    // Inner structs are unnamed, as in the shipped files; the top level is `Scenario(…)`.
    Ok(format!("Scenario{body}\n"))
}

/// "2× larger", "0.5× the size".
fn size_words(factor: f64) -> String {
    if factor > 1.0 {
        format!("{factor}× larger")
    } else {
        format!("{factor}× the size")
    }
}

fn rivals_words(n: usize) -> String {
    match n {
        0 => "no computer-run rivals".into(),
        1 => "1 computer-run rival".into(),
        n => format!("{n} computer-run rivals"),
    }
}

/// 0.05 → "5%".
fn percent(level: f64) -> String {
    format!("{}%", (level * 1000.0).round() / 10.0)
}
