//! The campaign file (`scenarios/campaign.ron`): the order in which a player meets
//! the scenarios. Each scenario unlocks when the one before it has been finished.

use super::FileErrors;
use super::load::{locate_problems, parse_ron, read_text};
use serde::Deserialize;
use std::path::Path;

/// The version of the campaign format this build reads.
pub const CAMPAIGN_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename = "Campaign", deny_unknown_fields)]
pub struct Campaign {
    pub version: u32,
    pub title: String,
    /// Scenario ids, in playing order; each is `scenarios/<id>.ron` beside this file.
    pub scenarios: Vec<String>,
}

/// Reads a campaign file and checks that every scenario it names exists beside it.
pub fn load_campaign(path: &Path) -> Result<Campaign, FileErrors> {
    let text = read_text(path)?;
    let campaign: Campaign = parse_ron(path, &text)?;
    let mut problems = Vec::new();
    if campaign.version != CAMPAIGN_VERSION {
        problems.push((
            "version".to_string(),
            format!(
                "this build reads campaign version {CAMPAIGN_VERSION}, found {}",
                campaign.version
            ),
        ));
    }
    if campaign.scenarios.is_empty() {
        problems.push(("scenarios".to_string(), "must list at least one scenario".to_string()));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    for (idx, id) in campaign.scenarios.iter().enumerate() {
        if !dir.join(format!("{id}.ron")).is_file() {
            problems.push((
                format!("scenarios[{idx}]"),
                format!("no scenario file {id}.ron beside the campaign"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(campaign)
    } else {
        Err(locate_problems(path, &text, problems))
    }
}
