//! The facilitator's console: the round clock and controls (open, close, pause,
//! resume, end), who has joined and submitted (never what), the join codes and links,
//! event injection (from the library or custom, with its effect in words before it is
//! sent), the leaderboard with its components and charts (score, profit, share, trust
//! per team over the rounds), the round brief and discussion guide, exports, and
//! project mode: the leaderboard alone in large type for the classroom screen.

use super::{Screen, ScreenUi};
use crate::game::charts::{Series as Line, quarters_chart};
use crate::game::theme::{self, ACCENT, BETTER, MUTED, WORSE, team_color};
use crate::game::widgets::{card, cny, connection_banner, pct, root_ui};
use crate::game::workshop::WorkshopAction;
use crate::game::workshop::host::{CUSTOM_KINDS, Console};
use crate::game::workshop::link::Command;
use crate::game::workshop::team::{clock, remaining_ms};
use crate::workshop::protocol::FacilitatorView;
use crate::workshop::session::Phase;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        console_ui.in_set(ScreenUi).run_if(in_state(Screen::WorkshopConsole)),
    );
}

/// The four charts: title, y axis, and which series.
const CHARTS: [(&str, &str, &str); 4] = [
    ("Score", "Score after each round", "points of 100"),
    ("Profit", "Cumulative net profit", "¥ million"),
    ("Share", "Share of units sold", "% of units"),
    ("Trust", "Trust", "trust (0–1)"),
];

fn console_ui(
    mut contexts: EguiContexts,
    console: Option<ResMut<Console>>,
    mut actions: MessageWriter<WorkshopAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(mut console) = console else { return Ok(()) };
    ctx.request_repaint_after(std::time::Duration::from_millis(250));
    let mut root = root_ui(ctx);
    let Some(view) = console.view.clone() else {
        egui::CentralPanel::default().show(&mut root, |ui| {
            ui.label(RichText::new("Reading the workshop…").color(MUTED));
            if let Some(why) = &console.offline {
                ui.label(RichText::new(why).color(WORSE));
            }
        });
        return Ok(());
    };
    if console.project_mode {
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            console.project_mode = false;
        }
        project_ui(&mut root, &console, &view);
        return Ok(());
    }
    egui::Panel::top("console-top").show(&mut root, |ui| top_ui(ui, &mut console, &view, &mut actions));
    egui::Panel::bottom("console-bottom").show(&mut root, |ui| {
        ui.add_space(4.0);
        match &console.message {
            Some((text, problem)) => {
                ui.label(RichText::new(text).color(if *problem { WORSE } else { BETTER }));
            }
            None => {
                ui.label(RichText::new("Open a round when the teams have joined. Teams may revise until the clock runs out; a team that does not submit repeats its last decisions.").color(MUTED));
            }
        }
        ui.add_space(4.0);
    });
    egui::Panel::left("console-teams")
        .exact_size(330.0)
        .resizable(false)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| teams_ui(ui, &console, &view));
        });
    egui::Panel::right("console-side")
        .exact_size(340.0)
        .resizable(false)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                inject_ui(ui, &mut console, &view, &mut actions);
                ui.add_space(6.0);
                brief_ui(ui, &console);
            });
        });
    egui::CentralPanel::default().show(&mut root, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            leaderboard_ui(ui, &view, rounds_resolved(&console));
            ui.add_space(8.0);
            charts_ui(ui, &mut console);
        });
    });
    Ok(())
}

fn phase_text(view: &FacilitatorView, console: &Console) -> (String, egui::Color32) {
    let left = remaining_ms(view.status.phase.clone(), view.status.now_ms, console.received);
    match (&view.status.phase, left) {
        (Phase::Open { .. }, Some(ms)) => (
            format!("⏱ {} left", clock(ms)),
            if ms < 60_000 { WORSE } else { theme::TEXT },
        ),
        (Phase::Paused { .. }, Some(ms)) => (format!("Paused · {} left", clock(ms)), theme::REFERENCE),
        (Phase::Paused { .. }, None) => ("Paused".into(), theme::REFERENCE),
        (Phase::Ended, _) => ("Ended".into(), MUTED),
        _ => ("Between rounds".into(), MUTED),
    }
}

fn top_ui(
    ui: &mut egui::Ui,
    console: &mut Console,
    view: &FacilitatorView,
    actions: &mut MessageWriter<WorkshopAction>,
) {
    if let Some(why) = &console.offline {
        connection_banner(
            ui,
            &format!("Connection to the server lost — reconnecting every 2 seconds ({why})"),
        );
    }
    ui.add_space(4.0);
    let submitted = view.teams.iter().filter(|t| t.submitted).count();
    ui.horizontal(|ui| {
        ui.label(RichText::new(&view.status.title).size(theme::SIZE_HEADING).strong());
        ui.separator();
        let practice = if view.status.practice { " (practice)" } else { "" };
        let round = if view.status.phase == Phase::Ended {
            format!("{} rounds played", rounds_resolved(console))
        } else {
            format!("Round {} · {}{practice}", view.status.round, view.status.quarter)
        };
        ui.label(RichText::new(round).size(theme::SIZE_HEADING));
        ui.separator();
        if matches!(view.status.phase, Phase::Open { .. } | Phase::Paused { .. }) {
            ui.label(
                RichText::new(format!("{submitted} of {} teams submitted", view.teams.len()))
                    .size(theme::SIZE_HEADING)
                    .color(ACCENT),
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let (text, color) = phase_text(view, console);
            ui.label(RichText::new(text).size(theme::SIZE_TILE).strong().color(color));
        });
    });
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let phase = &view.status.phase;
        let ended = *phase == Phase::Ended;
        let waiting = *phase == Phase::Waiting;
        ui.add_enabled_ui(waiting, |ui| {
            ui.add(
                egui::DragValue::new(&mut console.round_minutes)
                    .range(1..=120)
                    .suffix(" min"),
            );
            if ui.button(RichText::new("Open round").strong()).clicked() {
                actions.write(WorkshopAction::Facilitate(Command::OpenRound {
                    deadline_secs: u64::from(console.round_minutes) * 60,
                }));
            }
        });
        let open = matches!(phase, Phase::Open { .. });
        if ui
            .add_enabled(open, egui::Button::new("Close round now"))
            .on_hover_text("Resolve the round now: teams that have not submitted repeat their last decisions")
            .clicked()
        {
            actions.write(WorkshopAction::Facilitate(Command::CloseRound));
        }
        match phase {
            Phase::Paused { .. } => {
                if ui.button("Resume").clicked() {
                    actions.write(WorkshopAction::Facilitate(Command::Resume));
                }
            }
            _ => {
                if ui
                    .add_enabled(!ended, egui::Button::new("Pause"))
                    .on_hover_text("Stop the clock (e.g. for a discussion)")
                    .clicked()
                {
                    actions.write(WorkshopAction::Facilitate(Command::Pause));
                }
            }
        }
        if ui
            .add_enabled(!ended && !open, egui::Button::new("End workshop"))
            .on_hover_text("Final results, the signed file and the discussion guide")
            .clicked()
        {
            actions.write(WorkshopAction::Facilitate(Command::End));
        }
        ui.separator();
        let (label, tip) = if view.leaderboard_shown {
            ("Hide leaderboard", "Teams stop seeing the leaderboard and ranks until you show them again (they see them once the workshop ends)")
        } else {
            ("Show leaderboard", "Teams see the leaderboard and every company's rank")
        };
        if ui.add_enabled(!ended, egui::Button::new(label)).on_hover_text(tip).clicked() {
            actions.write(WorkshopAction::Facilitate(Command::ShowLeaderboard(!view.leaderboard_shown)));
        }
        if ui
            .button("Project mode")
            .on_hover_text("The leaderboard alone, in large type, for the classroom screen (Esc leaves)")
            .clicked()
        {
            console.project_mode = true;
        }
        if ui
            .add_enabled(ended, egui::Button::new("Export results"))
            .on_disabled_hover_text("After the workshop ends")
            .on_hover_text(format!(
                "The signed results.json (check it with `thin-margin verify`), results.csv and audit.csv into {}",
                console.export_dir.display()
            ))
            .clicked()
        {
            actions.write(WorkshopAction::Facilitate(Command::Export(console.export_dir.clone())));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .button("Leave")
                .on_hover_text("Back to the title; the server and the workshop keep running")
                .clicked()
            {
                actions.write(WorkshopAction::Leave);
            }
        });
    });
    ui.add_space(4.0);
}

fn teams_ui(ui: &mut egui::Ui, console: &Console, view: &FacilitatorView) {
    card(ui, "Join", |ui| {
        ui.label("Teams open this address in a browser, or use Join a workshop in the game:");
        ui.add(
            egui::Label::new(
                RichText::new(&console.class_url)
                    .size(theme::SIZE_HEADING)
                    .strong()
                    .color(ACCENT),
            )
            .selectable(true),
        );
        ui.label(
            RichText::new(format!(
                "Workshop {} · results key {}…",
                console.created.id,
                &console.created.public_key[..16.min(console.created.public_key.len())]
            ))
            .size(theme::SIZE_CAPTION)
            .color(MUTED),
        );
    });
    ui.add_space(6.0);
    card(ui, "Teams", |ui| {
        ui.label(
            RichText::new("Hand each team its code (or its link: hover the name).")
                .size(theme::SIZE_CAPTION)
                .color(MUTED),
        );
        for t in &view.teams {
            let code = console
                .created
                .teams
                .iter()
                .find(|c| c.team == t.team)
                .map_or("", |c| c.code.as_str());
            let (mark, color) = if t.bankrupt {
                ("bankrupt".to_string(), WORSE)
            } else if t.submitted && t.revisions > 1 {
                (format!("✔ submitted, revised {}×", t.revisions - 1), BETTER)
            } else if t.submitted {
                ("✔ submitted".to_string(), BETTER)
            } else if t.joined {
                ("joined".to_string(), MUTED)
            } else {
                ("not joined yet".to_string(), MUTED)
            };
            ui.horizontal(|ui| {
                ui.label(RichText::new(&t.team).strong())
                    .on_hover_text(console.team_link(code));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(RichText::new(mark).color(color));
                });
            });
            ui.add(
                egui::Label::new(RichText::new(code).monospace().size(theme::SIZE_CAPTION).color(MUTED))
                    .selectable(true),
            )
            .on_hover_text(format!("Link: {}", console.team_link(code)));
            ui.add_space(2.0);
        }
    });
}

fn inject_ui(
    ui: &mut egui::Ui,
    console: &mut Console,
    view: &FacilitatorView,
    actions: &mut MessageWriter<WorkshopAction>,
) {
    card(ui, "Inject an event", |ui| {
        ui.horizontal(|ui| {
            ui.radio_value(&mut console.use_custom, false, "From the library");
            ui.radio_value(&mut console.use_custom, true, "Custom");
        });
        if console.use_custom {
            let c = &mut console.custom;
            ui.add(
                egui::TextEdit::singleline(&mut c.title)
                    .hint_text("Title teams will read")
                    .desired_width(300.0),
            );
            egui::ComboBox::from_id_salt("custom-kind")
                .selected_text(CUSTOM_KINDS[c.kind])
                .show_ui(ui, |ui| {
                    for (i, k) in CUSTOM_KINDS.iter().enumerate() {
                        ui.selectable_value(&mut c.kind, i, *k);
                    }
                });
            match c.kind {
                0 => {
                    ui.add(egui::Slider::new(&mut c.factor, 0.3..=1.5).text("buyers ×"));
                }
                1 => {
                    ui.add(egui::Slider::new(&mut c.factor, 0.3..=1.0).text("capacity ×"));
                    ui.add(egui::Slider::new(&mut c.cost_factor, 1.0..=1.5).text("unit cost ×"));
                }
                2 => {
                    ui.add(egui::Slider::new(&mut c.factor, 1.0..=3.0).text("traffic cost ×"));
                }
                _ => {
                    ui.add(egui::Slider::new(&mut c.commission_delta, -0.05..=0.10).text("commission change"));
                }
            }
            ui.add(egui::Slider::new(&mut c.duration, 0..=4).text("quarters (0: for good)"));
        } else {
            let shown = console
                .inject_pick
                .as_ref()
                .and_then(|n| console.library.iter().find(|c| &c.name == n))
                .map_or("Pick a constraint…".to_string(), |c| c.title.clone());
            let library = console.library.clone();
            egui::ComboBox::from_id_salt("inject-pick")
                .width(300.0)
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for c in library {
                        ui.selectable_value(&mut console.inject_pick, Some(c.name.clone()), c.title);
                    }
                });
        }
        let injection = console.injection();
        if let Some((_, title, effect)) = &injection {
            ui.label(RichText::new(title).strong().color(theme::REFERENCE));
            if !effect.is_empty() {
                ui.label(RichText::new(format!("Effect: {effect}")).size(theme::SIZE_CAPTION));
            }
            ui.label(
                RichText::new("It arrives with the results of the round that closes next; teams see it at once.")
                    .size(theme::SIZE_CAPTION)
                    .color(MUTED),
            );
        }
        if !view.pending_events.is_empty() {
            ui.label(
                RichText::new(format!(
                    "Waiting for the next results: {}",
                    view.pending_events.join(", ")
                ))
                .color(ACCENT),
            );
        }
        let can = injection.is_some() && view.status.phase != Phase::Ended;
        if ui
            .add_enabled(can, egui::Button::new(RichText::new("Inject").strong()))
            .clicked()
            && let Some((req, _, _)) = injection
        {
            actions.write(WorkshopAction::Facilitate(Command::Inject(req)));
        }
    });
}

fn brief_ui(ui: &mut egui::Ui, console: &Console) {
    if let Some(guide) = &console.guide {
        card(ui, "Discussion guide", |ui| {
            ui.label(RichText::new("Each team's three most consequential decisions (score with the decision minus without it, the market replayed).").size(theme::SIZE_CAPTION).color(MUTED));
            for t in guide {
                ui.label(RichText::new(format!("{}. {} · {:.1} points", t.rank, t.team, t.score)).strong());
                for d in &t.decisions {
                    ui.label(
                        RichText::new(format!("{}: {} ({:+.1} pts)", d.quarter, d.decision, d.score_effect))
                            .size(theme::SIZE_CAPTION),
                    );
                }
            }
        });
        ui.add_space(6.0);
    }
    let Some(brief) = console.briefs.last() else {
        card(ui, "Round brief", |ui| {
            ui.label(
                RichText::new(
                    "After the first round: what happened, who moved share and why, and a question for the class.",
                )
                .color(MUTED),
            );
        });
        return;
    };
    card(
        ui,
        &format!("Round brief · round {} ({})", brief.round, brief.quarter),
        |ui| {
            for line in &brief.what_happened {
                ui.label(format!("• {line}"));
            }
            for (label, mover) in [("Gained most", &brief.gainer), ("Lost most", &brief.loser)] {
                if let Some(m) = mover {
                    // When every team lost share (to the computer-run companies), say so.
                    let label = if label == "Gained most" && m.share < m.share_before {
                        "Held up best (every team lost share)"
                    } else {
                        label
                    };
                    ui.label(
                        RichText::new(format!(
                            "{label}: {}, {:.1}% to {:.1}% of units",
                            m.team,
                            m.share_before * 100.0,
                            m.share * 100.0
                        ))
                        .strong(),
                    );
                    ui.label(RichText::new(&m.why).size(theme::SIZE_CAPTION));
                }
            }
            ui.add_space(4.0);
            ui.label(RichText::new(format!("Ask the class: {}", brief.question)).color(ACCENT));
        },
    );
}

fn leaderboard_ui(ui: &mut egui::Ui, view: &FacilitatorView, rounds: usize) {
    ui.label(RichText::new("Leaderboard").size(theme::SIZE_HEADING).strong());
    if view.leaderboard.is_empty() || rounds == 0 {
        ui.label(RichText::new("After the first round.").color(MUTED));
        return;
    }
    egui::Grid::new("console-board")
        .num_columns(9)
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            for h in [
                "#",
                "Team",
                "Score",
                "Profit",
                "Trust",
                "Users",
                "ROI",
                "Cap",
                "Objectives",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for s in &view.leaderboard {
                ui.label(s.rank.to_string());
                ui.label(RichText::new(&s.team).strong());
                ui.label(RichText::new(format!("{:.1}", s.score)).strong().color(ACCENT));
                for v in [s.profit, s.trust, s.users, s.roi, s.cap_compliance, s.objectives] {
                    ui.label(pct(v));
                }
                ui.end_row();
            }
        });
    ui.label(
        RichText::new(format!(
            "Score in points of 100; each component is the share of its full marks the scorecard weighs in. Net profit of the leader {}.",
            cny(view.leaderboard[0].net_profit)
        ))
        .size(theme::SIZE_CAPTION)
        .color(MUTED),
    );
}

fn charts_ui(ui: &mut egui::Ui, console: &mut Console) {
    let Some(series) = console.series.clone() else { return };
    if series.quarters.is_empty() {
        return;
    }
    ui.horizontal(|ui| {
        for (i, (name, _, _)) in CHARTS.iter().enumerate() {
            ui.selectable_value(&mut console.chart, i, RichText::new(*name).size(theme::SIZE_HEADING));
        }
        ui.label(RichText::new("top 8 teams by score").color(MUTED));
    });
    let (_, title, y_label) = CHARTS[console.chart.min(CHARTS.len() - 1)];
    // Colours follow the team's place in the workshop's list, so they stay put.
    let mut teams: Vec<(usize, &crate::workshop::protocol::TeamSeries)> = series.teams.iter().enumerate().collect();
    teams.sort_by(|a, b| {
        let last = |t: &crate::workshop::protocol::TeamSeries| t.score.last().copied().unwrap_or(0.0);
        last(b.1).total_cmp(&last(a.1))
    });
    let lines: Vec<Line> = teams
        .iter()
        .take(8)
        .map(|(i, t)| Line {
            name: t.team.clone(),
            color: team_color(*i),
            values: match console.chart {
                0 => t.score.clone(),
                1 => t.profit.iter().map(|v| v / 1e6).collect(),
                2 => t.share.iter().map(|v| v * 100.0).collect(),
                _ => t.trust.clone(),
            },
        })
        .collect();
    let height = (ui.available_height() - 40.0).clamp(220.0, 360.0);
    quarters_chart(
        ui,
        "console-chart",
        title,
        y_label,
        &series.quarters,
        lines,
        vec![],
        height,
    );
}

/// Rounds whose results are out (practice rounds included while they are on show).
fn rounds_resolved(console: &Console) -> usize {
    console.series.as_ref().map_or(0, |s| s.quarters.len())
}

/// Project mode: the leaderboard alone, large, with the clock.
fn project_ui(root: &mut egui::Ui, console: &Console, view: &FacilitatorView) {
    egui::CentralPanel::default().show(root, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(20.0);
            ui.label(
                RichText::new(&view.status.title)
                    .size(theme::SIZE_TITLE)
                    .strong()
                    .color(ACCENT),
            );
            let (clock_text, color) = phase_text(view, console);
            let after = rounds_resolved(console);
            ui.label(
                RichText::new(format!("After round {after} · {clock_text}"))
                    .size(theme::SIZE_TILE * 1.3)
                    .color(color),
            );
            ui.add_space(24.0);
            if view.leaderboard.is_empty() || after == 0 {
                ui.label(
                    RichText::new("The leaderboard appears after the first round.")
                        .size(theme::SIZE_TILE * 1.3)
                        .color(MUTED),
                );
            }
            // The board in the middle of the screen.
            ui.horizontal(|ui| {
                ui.add_space(((ui.available_width() - 560.0) / 2.0).max(0.0));
                egui::Grid::new("project-board")
                    .num_columns(3)
                    .spacing([60.0, 10.0])
                    .show(ui, |ui| {
                        for s in view.leaderboard.iter().take(if after == 0 { 0 } else { 12 }) {
                            let size = if s.rank <= 3 {
                                theme::SIZE_TITLE
                            } else {
                                theme::SIZE_TILE * 1.3
                            };
                            let color = if s.rank == 1 { ACCENT } else { theme::TEXT };
                            ui.label(RichText::new(format!("{}.", s.rank)).size(size).color(color));
                            ui.label(RichText::new(&s.team).size(size).strong().color(color));
                            ui.label(RichText::new(format!("{:.1}", s.score)).size(size).color(color));
                            ui.end_row();
                        }
                    });
            });
            ui.add_space(20.0);
            ui.label(
                RichText::new(format!("Join: {}", console.class_url))
                    .size(theme::SIZE_HEADING)
                    .color(MUTED),
            );
            ui.label(
                RichText::new("Esc: back to the console")
                    .size(theme::SIZE_CAPTION)
                    .color(MUTED),
            );
        });
    });
}
