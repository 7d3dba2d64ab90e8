//! Scenario files: the RON format ([`file`]), reading with located errors
//! ([`load`], [`locate`], [`error`]) and validation into the core's parameters
//! ([`validate`]), and a facilitator's adjustments written as a new file
//! ([`adjust`]). Nothing here is needed to *run* the model; everything here is
//! needed to trust what it is given.

pub mod adjust;
pub mod campaign;
pub mod constraint;
pub mod error;
pub mod file;
pub mod load;
pub mod locate;
pub mod validate;

pub use error::{FileError, FileErrors};

use crate::sim::params::Scenario;
use std::path::{Path, PathBuf};

/// Reads and validates a scenario file.
pub fn load_scenario(path: &Path) -> Result<Scenario, FileErrors> {
    let text = load::read_text(path)?;
    parse_scenario(path, &text)
}

/// Parses and validates scenario text; `path` labels the errors.
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, FileErrors> {
    let file: file::ScenarioFile = load::parse_ron(path, text)?;
    validate::validate(&file).map_err(|problems| load::locate_problems(path, text, problems))
}

/// One line per scenario in a folder: what `thin-margin scenarios` lists.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioSummary {
    pub path: PathBuf,
    pub id: String,
    pub title: String,
    pub start: String,
    pub quarters: u32,
    pub pitch: String,
}

/// Every scenario file (`*.ron` whose top level is `Scenario(…)`) in `dir`, sorted
/// by id, with the files that failed to load.
pub fn list_scenarios(dir: &Path) -> Result<(Vec<ScenarioSummary>, Vec<FileErrors>), FileErrors> {
    let paths = load::ron_files(dir)
        .map_err(|e| FileErrors::whole_file(dir, format!("cannot read the scenario folder: {e}")))?;
    let mut found = Vec::new();
    let mut failed = Vec::new();
    for path in paths {
        let text = match load::read_text(&path) {
            Ok(t) => t,
            Err(e) => {
                failed.push(e);
                continue;
            }
        };
        if load::top_level_name(&text) != Some("Scenario") {
            continue;
        }
        match parse_scenario(&path, &text) {
            Ok(s) => found.push(ScenarioSummary {
                path,
                id: s.id.clone(),
                title: s.title.clone(),
                start: s.start.to_string(),
                quarters: s.n_quarters,
                pitch: s.pitch.clone(),
            }),
            Err(e) => failed.push(e),
        }
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((found, failed))
}
