//! The panel challenge in the game: the panel draws a constraint from the library
//! (`scenarios/constraints/*.ron`, beside the campaign) in the middle of a run, it
//! arrives this quarter, the player re-plans, and the report and debrief show the
//! three plans side by side (the plan as it stood, the same plan under the
//! constraint, the re-plan), measured by `Session::challenge_comparison` on the run's
//! own seed. This module only picks the file, holds the pop-up's state and draws the
//! card.

use super::theme::{self, BETTER, MUTED, WORSE};
use super::widgets::card;
use crate::analysis::challenge::{Challenge, Outcome};
use crate::report::format::metric_value;
use crate::save::session::Session;
use crate::scenario::constraint::load_constraint;
use crate::sim::params::Event;
use bevy::prelude::*;
use bevy_egui::egui::{self, RichText};
use std::path::Path;

/// Whether the "the panel adds a constraint" pop-up is showing.
#[derive(Resource, Default, Debug)]
pub struct ChallengePopup(pub bool);

/// The constraint the panel draws for this run and quarter: one of the library's
/// files, picked by the seed and the quarter (the same run draws the same one).
pub fn draw_from_library(dir: &Path, seed: u64, quarter: usize) -> Result<(String, Event), String> {
    let files = crate::scenario::load::ron_files(dir)
        .map_err(|e| format!("{}: cannot read the constraint library: {e}", dir.display()))?;
    if files.is_empty() {
        return Err(format!("{}: the constraint library is empty", dir.display()));
    }
    let mix = (seed ^ (quarter as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let path = &files[((mix >> 32) % files.len() as u64) as usize];
    let event = load_constraint(path).map_err(|e| e.to_string())?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, event))
}

/// The three-way comparison as a card (nothing when no challenge was drawn).
pub fn comparison_card(ui: &mut egui::Ui, s: &Session, comparison: Option<&Result<Challenge, String>>) {
    let (Some(c), Some(result)) = (&s.challenge, comparison) else {
        return;
    };
    card(ui, "Panel challenge: three plans compared", |ui| {
        ui.label(
            RichText::new(format!(
                "From {}: {}. {}",
                s.scenario.quarter_at(c.at as u32),
                c.event.title,
                c.event.description
            ))
            .size(theme::SIZE_CAPTION),
        );
        let cmp = match result {
            Ok(cmp) => cmp,
            Err(why) => {
                ui.label(RichText::new(why).color(WORSE));
                return;
            }
        };
        let Some(replan) = &cmp.replanned else { return };
        let n_objectives = s.scenario.objectives.len().max(1) as f64;
        let rows: [(&str, fn(&Outcome) -> f64, &str); 6] = [
            ("Score (of 100)", |o| o.score, "score"),
            ("Net profit, run", |o| o.net_profit, "net_profit@sum"),
            ("Units sold, run", |o| o.units_sold, "units_sold@sum"),
            ("Lowest cash", |o| o.cash_min, "cash@min"),
            ("Trust at the end", |o| o.final_trust, "trust@last"),
            ("Objectives met", |o| o.objectives_met, "objectives"),
        ];
        egui::Grid::new(("challenge-grid", ui.id()))
            .num_columns(4)
            .spacing([10.0, 4.0])
            .striped(true)
            .show(ui, |ui| {
                ui.label("");
                for head in ["As planned", "Under it", "Re-plan"] {
                    ui.label(RichText::new(head).strong());
                }
                ui.end_row();
                for (name, get, metric) in rows {
                    ui.label(RichText::new(name).color(MUTED));
                    let values = [get(&cmp.original), get(&cmp.constrained), get(replan)];
                    for (i, v) in values.iter().enumerate() {
                        let text = match metric {
                            "score" => format!("{v:.1}"),
                            "objectives" => format!("{:.0} of {n_objectives:.0}", v * n_objectives),
                            m => metric_value(m, *v),
                        };
                        // The re-plan in green where it recovers ground, red where it loses more.
                        let colour = if i == 2 && v > &values[1] {
                            BETTER
                        } else if i == 2 && v < &values[1] {
                            WORSE
                        } else {
                            theme::TEXT
                        };
                        ui.label(RichText::new(text).color(colour));
                    }
                    ui.end_row();
                }
            });
        let recovered = replan.score - cmp.constrained.score;
        let lost = cmp.original.score - cmp.constrained.score;
        let verdict = if lost.abs() < 0.05 && recovered.abs() < 0.05 {
            "The constraint barely touched this plan (less than 0.1 points either way)".to_string()
        } else {
            format!(
                "The constraint cost the plan {lost:.1} points; your re-plan {} {:.1}",
                if recovered >= 0.0 { "won back" } else { "lost another" },
                recovered.abs()
            )
        };
        let held = if s.is_over() {
            ""
        } else {
            " The re-plan holds this quarter's decisions to the end."
        };
        ui.label(
            RichText::new(format!("{verdict}. Measured on this run's seed.{held}"))
                .size(theme::SIZE_CAPTION)
                .color(MUTED),
        );
    });
}
