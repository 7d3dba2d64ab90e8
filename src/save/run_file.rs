//! Saves: a run stored as its decisions, so it replays bit for bit, rewinds to any
//! quarter and branches (MODEL.md "Runs, saves and replay").
//!
//! A save (RON, `Save(version: 1, …)`) holds the scenario id and the SHA-256 of the
//! scenario file's text, the seed, and the player's full decisions for each quarter
//! played. Writes are atomic: the file is written beside its target under a temporary
//! name, flushed to disk, then renamed over it, so a crash leaves either the old save
//! or the new one, never half of one, and no other file is touched. A corrupt,
//! truncated or foreign file is reported with its path, line and field.

use crate::scenario::load::{locate_problems, parse_ron, read_text};
use crate::scenario::{FileError, FileErrors};
use crate::sim::decisions::CompanyDecisions;
use crate::sim::params::Event;
use crate::sim::{Decisions, QuarterReport, Scenario, World, step};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The version of the save format this build reads and writes.
pub const SAVE_VERSION: u32 = 1;

/// A saved run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Save", deny_unknown_fields)]
pub struct SaveFile {
    pub version: u32,
    /// A name for people: the slot's name, or "autosave".
    pub name: String,
    /// Id of the scenario played.
    pub scenario: String,
    /// SHA-256 (hex) of the scenario file's text when the run was played.
    pub scenario_hash: String,
    pub seed: u64,
    /// The player's decisions for each quarter played, in order.
    pub quarters: Vec<CompanyDecisions>,
    /// A panel challenge drawn during the run (absent in runs without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<PanelChallenge>,
}

/// A panel constraint drawn in the middle of a run (the game's "Panel challenge"):
/// what arrives and when, and the plan it interrupted, for the three-way comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelChallenge {
    /// The constraint's name in the library (`memory-price`).
    pub name: String,
    /// The quarter (0 = the first) at whose start it arrives.
    pub at: usize,
    /// The event, with `largest-rival` and `largest-segment` resolved.
    pub event: Event,
    /// The plan as it stood when the panel spoke: the quarters played and that
    /// quarter's draft (held after).
    pub original: Vec<CompanyDecisions>,
}

/// Why a save could not be written or replayed.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{path}: cannot write the save: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    File(#[from] FileErrors),
}

/// SHA-256 (hex) of a scenario file's text: which exact scenario a run was played on.
pub fn scenario_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `save` to `path` atomically (temporary file, flush, rename).
pub fn write_save(path: &Path, save: &SaveFile) -> Result<(), SaveError> {
    let err = |source: std::io::Error| SaveError::Write {
        path: path.to_path_buf(),
        source,
    };
    let text = ron::ser::to_string_pretty(save, ron::ser::PrettyConfig::default().struct_names(true))
        .map_err(|e| err(std::io::Error::other(e.to_string())))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "save".into());
    let tmp = path.with_file_name(format!(".{file_name}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

/// Reads a save and checks its format (not yet its fit to a scenario).
pub fn read_save(path: &Path) -> Result<(SaveFile, String), FileErrors> {
    let text = read_text(path)?;
    let save = parse_save(path, &text)?;
    Ok((save, text))
}

/// Parses save text and checks its version; `path` labels the errors.
pub fn parse_save(path: &Path, text: &str) -> Result<SaveFile, FileErrors> {
    let save: SaveFile = parse_ron(path, text)?;
    if save.version != SAVE_VERSION {
        return Err(locate_problems(
            path,
            text,
            vec![(
                "version".into(),
                format!("this build reads save version {SAVE_VERSION}, found {}", save.version),
            )],
        ));
    }
    if let Some(c) = &save.challenge {
        let mut problems = crate::scenario::constraint::event_problems(&c.event, "challenge.event");
        if c.at > save.quarters.len() {
            problems.push((
                "challenge.at".into(),
                format!(
                    "the challenge arrives in quarter {} but only {} quarters were played",
                    c.at + 1,
                    save.quarters.len()
                ),
            ));
        }
        if c.original.len() != c.at + 1 {
            problems.push((
                "challenge.original".into(),
                format!(
                    "the plan the panel interrupted must hold {} quarters (those played and the draft), found {}",
                    c.at + 1,
                    c.original.len()
                ),
            ));
        }
        if !problems.is_empty() {
            return Err(locate_problems(path, text, problems));
        }
    }
    Ok(save)
}

/// A replayed run: the world after the last quarter replayed and every report.
#[derive(Clone, Debug)]
pub struct Replay {
    pub world: World,
    pub reports: Vec<QuarterReport>,
}

/// Replays the first `upto` quarters of `save` (all of them when `None`) on `scenario`,
/// whose file text hashes to `scenario_hash`. A save for another scenario, another
/// version of it, or with decisions the model refuses is an error naming the field.
pub fn replay(
    path: &Path,
    text: &str,
    save: &SaveFile,
    scenario: &Arc<Scenario>,
    scenario_hash: &str,
    upto: Option<usize>,
) -> Result<Replay, FileErrors> {
    let problem = |field: String, message: String| locate_problems(path, text, vec![(field, message)]);
    if save.scenario != scenario.id {
        return Err(problem(
            "scenario".into(),
            format!(
                "this save is for scenario \"{}\", not \"{}\"",
                save.scenario, scenario.id
            ),
        ));
    }
    if save.scenario_hash != scenario_hash {
        return Err(problem(
            "scenario_hash".into(),
            format!(
                "the scenario file \"{}\" has changed since this run was played, so it would not replay exactly",
                scenario.id
            ),
        ));
    }
    if save.quarters.len() > scenario.n_quarters as usize {
        return Err(problem(
            format!("quarters[{}]", scenario.n_quarters),
            format!(
                "the scenario has {} quarters, the save {}",
                scenario.n_quarters,
                save.quarters.len()
            ),
        ));
    }
    let n = upto.unwrap_or(save.quarters.len()).min(save.quarters.len());
    let mut world = World::new(scenario.clone(), save.seed);
    let mut reports = Vec::with_capacity(n);
    for (idx, decisions) in save.quarters.iter().take(n).enumerate() {
        inject_challenge(&mut world, save.challenge.as_ref());
        match step(&world, &Decisions::solo(decisions.clone())) {
            Ok((next, report)) => {
                world = next;
                reports.push(report);
            }
            Err(e) => {
                let mut errors: Vec<FileError> = Vec::new();
                for p in &e.problems {
                    errors.extend(problem(format!("quarters[{idx}].{}", p.entry_path()), p.message.clone()).0);
                }
                return Err(FileErrors(errors));
            }
        }
    }
    inject_challenge(&mut world, save.challenge.as_ref());
    Ok(Replay { world, reports })
}

/// Injects the challenge's event when `world` stands at the start of its quarter.
pub fn inject_challenge(world: &mut World, challenge: Option<&PanelChallenge>) {
    if let Some(c) = challenge
        && world.quarter_idx as usize == c.at
        && !world.injected.iter().any(|(q, e)| *q as usize == c.at && *e == c.event)
    {
        world.inject(c.event.clone());
    }
}

/// The folder where the game keeps saves: the platform's data folder (e.g.
/// `~/.local/share/thin-margin/saves` on Linux), or `None` if the platform has none.
pub fn default_saves_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "thin-margin").map(|d| d.data_dir().join("saves"))
}

/// A save found in a folder, for a Load screen.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveSummary {
    pub path: PathBuf,
    pub name: String,
    pub scenario: String,
    pub quarters_played: usize,
    pub modified: Option<std::time::SystemTime>,
}

/// Every readable save in `dir`, newest first, and the files that failed to read.
pub fn list_saves(dir: &Path) -> (Vec<SaveSummary>, Vec<FileErrors>) {
    let mut found = Vec::new();
    let mut failed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (found, failed);
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_none_or(|x| x != "ron")
            || path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        match read_save(&path) {
            Ok((save, _)) => found.push(SaveSummary {
                modified: std::fs::metadata(&path).and_then(|m| m.modified()).ok(),
                path,
                name: save.name,
                scenario: save.scenario,
                quarters_played: save.quarters.len(),
            }),
            Err(e) => failed.push(e),
        }
    }
    found.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.path.cmp(&b.path)));
    (found, failed)
}
