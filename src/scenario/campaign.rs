//! The campaign file (`scenarios/campaign.ron`): the order in which a player meets
//! the scenarios and the rule that unlocks each one. An entry with no `after` list is
//! open from the start; otherwise it opens once every scenario it names has been
//! finished with a best score of at least `min_score` (0 = finishing is enough).

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
    /// The scenarios in playing order; each is `scenarios/<id>.ron` beside this file.
    pub scenarios: Vec<CampaignEntry>,
}

/// One scenario of the campaign and its unlock rule.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignEntry {
    pub id: String,
    /// Scenarios that must be finished first (earlier in the list).
    #[serde(default)]
    pub after: Vec<String>,
    /// The best score (0..100) each of them needs.
    #[serde(default)]
    pub min_score: f64,
}

impl CampaignEntry {
    /// Whether the entry is open given the best score per scenario.
    pub fn is_unlocked(&self, best_score: impl Fn(&str) -> Option<f64>) -> bool {
        self.after
            .iter()
            .all(|id| best_score(id).is_some_and(|s| s >= self.min_score))
    }
}

impl Campaign {
    /// The scenario ids in playing order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.scenarios.iter().map(|e| e.id.as_str())
    }
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
    for (idx, entry) in campaign.scenarios.iter().enumerate() {
        let id = &entry.id;
        if !dir.join(format!("{id}.ron")).is_file() {
            problems.push((
                format!("scenarios[{idx}].id"),
                format!("no scenario file {id}.ron beside the campaign"),
            ));
        }
        for (k, before) in entry.after.iter().enumerate() {
            if !campaign.scenarios[..idx].iter().any(|e| &e.id == before) {
                problems.push((
                    format!("scenarios[{idx}].after[{k}]"),
                    format!("\"{before}\" must be a scenario listed earlier in the campaign"),
                ));
            }
        }
        if !(0.0..=100.0).contains(&entry.min_score) {
            problems.push((
                format!("scenarios[{idx}].min_score"),
                format!("must be a score from 0 to 100, found {}", entry.min_score),
            ));
        }
    }
    if problems.is_empty() {
        Ok(campaign)
    } else {
        Err(locate_problems(path, &text, problems))
    }
}
