//! Debrief: the scorecard by component, objectives met or missed, the decisions that
//! moved the result most (each reverted and replayed with the same seed), the
//! documents' figures against this run, the cap on and off (where the scenario offers
//! the comparison), and charts.

use super::{Screen, ScreenUi};
use crate::game::actions::{Notice, UiAction};
use crate::game::charts::{Series, quarters_chart};
use crate::game::session::ActiveSession;
use crate::game::theme::{self, ACCENT, MUTED};
use crate::game::widgets::{card, cny, notice_banner, primary_button, root_ui};
use crate::report::cap_comparison::{CapComparison, compare_cap};
use crate::report::format::metric_value;
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
    mut notice: ResMut<Notice>,
    session: Option<Res<ActiveSession>>,
    mut effects: Local<Option<(usize, Vec<DecisionEffect>)>>,
    mut cap: Local<Option<(usize, Option<CapComparison>)>>,
    mut challenge: Local<Option<(usize, Option<Result<crate::analysis::challenge::Challenge, String>>)>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(session) = session else { return Ok(()) };
    let s = &session.0;
    // Measuring each decision replays the run a few dozen times: do it once per run.
    if effects.as_ref().is_none_or(|(n, _)| *n != s.played.len()) {
        *effects = Some((s.played.len(), key_decisions(&s.scenario, s.seed, &s.played, 3)));
    }
    if cap.as_ref().is_none_or(|(n, _)| *n != s.played.len()) {
        *cap = Some((s.played.len(), compare_cap(&s.scenario, s.seed, &s.played)));
    }
    if challenge.as_ref().is_none_or(|(n, _)| *n != s.played.len()) {
        *challenge = Some((s.played.len(), s.challenge_comparison()));
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
            if ui
                .button("Export 3-slide debrief")
                .on_hover_text(
                    "Problem → Decision → Measured result: a PDF, three PNGs and Markdown, for a presentation round.",
                )
                .clicked()
            {
                actions.write(UiAction::ExportDebrief);
            }
            if ui
                .button("Analysis…")
                .on_hover_text("Sweep, goal seek or tornado on the plan you played: what else would have worked?")
                .clicked()
            {
                actions.write(UiAction::OpenAnalysis);
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
            egui::ScrollArea::vertical().show(ui, |ui| {
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
                if let Some(c) = cap.as_ref().and_then(|(_, c)| c.as_ref()) {
                    ui.add_space(6.0);
                    cap_card(ui, c, s.scenario.cap.level);
                }
            });
        });
    egui::CentralPanel::default().show(&mut root, |ui| {
        notice_banner(ui, &mut notice);
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
        if !s.scenario.calibration.is_empty() {
            ui.add_space(8.0);
            documents_card(ui, s, &rows);
        }
        ui.add_space(8.0);
        let quarters: Vec<String> = rows.iter().map(|r| r.quarter.to_string()).collect();
        let mut cumulative = 0.0;
        let profit_yuan: Vec<f64> = rows
            .iter()
            .map(|r| {
                cumulative += r.net_profit;
                cumulative
            })
            .collect();
        let biggest = profit_yuan.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let (divisor, profit_unit) = if biggest >= 1e10 {
            (1e9, "¥ billion")
        } else {
            (1e6, "¥ million")
        };
        let profit: Vec<f64> = profit_yuan.iter().map(|v| v / divisor).collect();
        let mut units = 0.0;
        let sold: Vec<f64> = rows
            .iter()
            .map(|r| {
                units += r.units_sold as f64;
                units / 1e6
            })
            .collect();
        // A challenged run shows the three plans in place of the units chart.
        let challenged = challenge.as_ref().and_then(|(_, c)| c.as_ref());
        if let Some(c) = challenged {
            crate::game::panel::comparison_card(ui, s, Some(c));
            ui.add_space(8.0);
        }
        // Each chart adds its title and axis labels (about 55 points) to its height.
        let charts = if challenged.is_some() { 1.0 } else { 2.0 };
        if ui.available_height() < 150.0 {
            return;
        }
        let height = ((ui.available_height() - 57.5 * charts) / charts).clamp(90.0, 260.0);
        quarters_chart(
            ui,
            "debrief-profit",
            "Cumulative net profit",
            profit_unit,
            &quarters,
            vec![Series {
                name: "net profit".into(),
                color: ACCENT,
                values: profit,
            }],
            vec![],
            height,
        );
        if challenged.is_some() {
            return;
        }
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

/// The same decisions with the hardware margin cap on and off, side by side.
fn cap_card(ui: &mut egui::Ui, c: &CapComparison, level: f64) {
    let (on, off) = c.on_off();
    card(ui, &format!("The {:.0}% margin cap, on and off", level * 100.0), |ui| {
        ui.label(
            RichText::new(format!(
                "Your decisions replayed with the cap {} (same seed).",
                if c.played.cap_on { "off" } else { "on" }
            ))
            .size(theme::SIZE_CAPTION)
            .color(MUTED),
        );
        ui.spacing_mut().interact_size.y = 16.0;
        egui::Grid::new("cap-compare")
            .num_columns(3)
            .striped(true)
            .spacing([16.0, 3.0])
            .show(ui, |ui| {
                ui.label("");
                ui.label(RichText::new("cap on").strong());
                ui.label(RichText::new("cap off").strong());
                ui.end_row();
                for (name, a, b) in [
                    ("Score", format!("{:.0}", on.score), format!("{:.0}", off.score)),
                    ("Net profit", cny(on.net_profit), cny(off.net_profit)),
                    ("Rebates to buyers", cny(on.rebates), cny(off.rebates)),
                    (
                        "Trust at the end",
                        format!("{:.2}", on.final_trust),
                        format!("{:.2}", off.final_trust),
                    ),
                    (
                        "Objectives met",
                        format!("{}/{}", on.objectives_met, on.objectives),
                        format!("{}/{}", off.objectives_met, off.objectives),
                    ),
                ] {
                    ui.label(name);
                    ui.label(a);
                    ui.label(b);
                    ui.end_row();
                }
            });
    });
}

/// The documents' figures the scenario cites, against this run.
fn documents_card(ui: &mut egui::Ui, s: &crate::save::session::Session, rows: &[&crate::sim::CompanyReport]) {
    card(ui, "Your run against the documents' figures", |ui| {
        for k in &s.scenario.calibration {
            let metric = k.metric.to_string();
            let (text, color) = match k.metric.evaluate(rows) {
                Some(v) if k.holds(v) => (format!("✔ {}", metric_value(&metric, v)), theme::BETTER),
                Some(v) => (format!("✘ {}", metric_value(&metric, v)), theme::WORSE),
                None => ("—".to_string(), MUTED),
            };
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(text).strong().color(color));
                ui.label(
                    RichText::new(format!("{} (documents: {})", k.figure, metric_value(&metric, k.target)))
                        .color(MUTED),
                );
            });
        }
    });
}
