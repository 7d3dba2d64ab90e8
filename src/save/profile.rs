//! The player's profile: settings and campaign progress, remembered between launches
//! in the platform's config folder. Every field has a default, so an older or partly
//! broken file still loads what it can; a file that cannot be read at all is set
//! aside (never overwritten) and the defaults are used, with the reason reported.

use crate::scenario::campaign::CampaignEntry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Settings a player can change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// UI scale, 0.75 to 2.0.
    pub ui_scale: f32,
    /// No counting animations or transitions.
    pub reduced_motion: bool,
    pub fullscreen: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            ui_scale: 1.0,
            reduced_motion: false,
            fullscreen: false,
        }
    }
}

impl Settings {
    pub const MIN_SCALE: f32 = 0.75;
    pub const MAX_SCALE: f32 = 2.0;

    /// The settings with every value in its valid range.
    pub fn clamped(mut self) -> Self {
        self.ui_scale = if self.ui_scale.is_finite() {
            self.ui_scale.clamp(Self::MIN_SCALE, Self::MAX_SCALE)
        } else {
            1.0
        };
        self
    }
}

/// Settings plus campaign progress.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub settings: Settings,
    /// Best score (0..100) per scenario id.
    pub best_scores: BTreeMap<String, f64>,
}

impl Profile {
    /// Whether a campaign entry is open by its unlock rule, given this profile's best scores.
    pub fn is_unlocked(&self, entry: &CampaignEntry) -> bool {
        entry.is_unlocked(|id| self.best_scores.get(id).copied())
    }

    /// Records a finished run's score, keeping the best.
    pub fn record_score(&mut self, scenario: &str, score: f64) {
        let best = self.best_scores.entry(scenario.to_string()).or_insert(score);
        *best = best.max(score);
    }
}

/// Where the profile lives: `~/.config/thin-margin/profile.ron` on Linux.
pub fn default_profile_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "thin-margin").map(|d| d.config_dir().join("profile.ron"))
}

/// Loads the profile; a missing file gives the defaults, an unreadable one the
/// defaults plus a sentence saying why (the file is left as it is).
pub fn load_profile(path: &Path) -> (Profile, Option<String>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (Profile::default(), None);
    };
    match ron::from_str::<Profile>(&text) {
        Ok(p) => (
            Profile {
                settings: p.settings.clamped(),
                ..p
            },
            None,
        ),
        Err(e) => (
            Profile::default(),
            Some(format!(
                "{}:{}: could not read your profile ({}); using the defaults",
                path.display(),
                e.span.start,
                e.code
            )),
        ),
    }
}

/// Writes the profile atomically (temporary file, sync, rename).
pub fn save_profile(path: &Path, profile: &Profile) -> std::io::Result<()> {
    let text = ron::ser::to_string_pretty(profile, ron::ser::PrettyConfig::default()).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("ron.tmp");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
