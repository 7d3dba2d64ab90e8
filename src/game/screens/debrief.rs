//! Debrief: the scorecard by component, objectives met or missed, the decisions that
//! moved the result most (each reverted and replayed with the same seed), and charts.

use super::{Screen, ScreenUi};
use crate::game::actions::UiAction;
use crate::game::charts::{Series, quarters_chart};
use crate::game::session::ActiveSession;
use crate::game::theme::{self, ACCENT, MUTED};
use crate::game::widgets::{card, cny, primary_button, root_ui};
use crate::report::key_decisions::{DecisionEffect, key_decisions};
use crate::sim::score::ObjectiveStatus;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        debrief_ui.in_set(ScreenUi).run_if(in_state(Screen::Debrief)),
    );
}

fn debrief_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    session: Option<Res<ActiveSession>>,
    mut effects: Local<Option<(usize, Vec<DecisionEffect>)>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(session) = session else { return Ok(()) };
    let s = &session.0;
    // Measuring each decision replays the run a few dozen times: do it once per run.
    if effects.as_ref().is_none_or(|(n, _)| *n != s.played.len()) {
        *effects = Some((s.played.len(), key_decisions(&s.scenario, s.seed, &s.played, 3)));
    }
    let score = s.score();
    let rows = s.player_rows();
    let mut root = root_ui(ctx);
    egui::Panel::bottom("debrief-actions").show(&mut root, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Title").clicked() {
                actions.write(UiAction::BackToTitle);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if primary_button(ui, "Campaign ▶").clicked() {
                    actions.write(UiAction::OpenCampaign);
                }
            });
        });
        ui.add_space(6.0);
    });
    egui::Panel::left("debrief-score")
        .default_size(420.0)
        .resizable(false)
        .show(&mut root, |ui| {
            ui.add_space(8.0);
            ui.label(
                RichText::new(format!("{} — debrief", s.scenario.title))
                    .size(theme::SIZE_HEADING)
                    .strong(),
            );
            ui.label(
                RichText::new(format!("{:.0}/100", score.total))
                    .size(theme::SIZE_TITLE * 1.3)
                    .strong()
                    .color(ACCENT),
            );
            ui.add_space(6.0);
            card(ui, "Scorecard", |ui| {
                for (name, value) in [
                    ("Profit", score.profit),
                    ("Trust", score.trust),
                    ("Users", score.users),
                    ("Retail ROI", score.roi),
                    ("Cap compliance", score.cap_compliance),
                    ("Objectives", score.objectives),
                ] {
                    ui.horizontal(|ui| {
                        ui.label(name);
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            ui.label(format!("{:.0}%", value * 100.0));
                            ui.add(
                                egui::ProgressBar::new(value as f32)
                                    .desired_width(180.0)
                                    .fill(ACCENT.linear_multiply(0.7)),
                            );
                        });
                    });
                }
            });
            ui.add_space(6.0);
            card(ui, "Objectives", |ui| {
                for o in s.objectives() {
                    let (mark, color) = match o.status {
                        ObjectiveStatus::Met => ("✔ met", theme::BETTER),
                        ObjectiveStatus::Missed => ("✘ missed", theme::WORSE),
                        ObjectiveStatus::Pending => ("○ open", MUTED),
                    };
                    ui.label(RichText::new(format!("{mark} · {}", o.text)).color(color));
                }
            });
        });
    egui::CentralPanel::default().show(&mut root, |ui| {
        card(ui, "The decisions that moved your result most", |ui| {
            ui.label(
                RichText::new("Each was undone on its own and the run replayed with the same seed.")
                    .size(theme::SIZE_CAPTION)
                    .color(MUTED),
            );
            match effects.as_ref().map(|(_, e)| e) {
                Some(list) if !list.is_empty() => {
                    for e in list {
                        ui.label(RichText::new(format!("{} · {}", e.quarter, e.description)).strong());
                        ui.label(format!(
                            "    score {:+.1} points, net profit {}{}",
                            e.score_effect,
                            if e.profit_effect >= 0.0 { "+" } else { "" },
                            cny(e.profit_effect)
                        ));
                    }
                }
                _ => {
                    ui.label("You held your opening plan: no single change to measure.");
                }
            }
        });
        ui.add_space(8.0);
        let quarters: Vec<String> = rows.iter().map(|r| r.quarter.to_string()).collect();
        let mut cumulative = 0.0;
        let profit: Vec<f64> = rows
            .iter()
            .map(|r| {
                cumulative += r.net_profit;
                cumulative / 1e6
            })
            .collect();
        let mut units = 0.0;
        let sold: Vec<f64> = rows
            .iter()
            .map(|r| {
                units += r.units_sold as f64;
                units / 1e6
            })
            .collect();
        let height = ((ui.available_height() - 60.0) / 2.0).clamp(120.0, 260.0);
        quarters_chart(
            ui,
            "debrief-profit",
            "Cumulative net profit",
            "¥ million",
            &quarters,
            vec![Series {
                name: "net profit".into(),
                color: ACCENT,
                values: profit,
            }],
            vec![],
            height,
        );
        quarters_chart(
            ui,
            "debrief-units",
            "Cumulative units sold",
            "million units",
            &quarters,
            vec![Series {
                name: "units".into(),
                color: ACCENT,
                values: sold,
            }],
            vec![],
            height,
        );
    });
    Ok(())
}
