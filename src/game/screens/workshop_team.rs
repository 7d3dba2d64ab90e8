//! A team's workshop screen: the solo decision controls and preview on the team's own
//! company (left and centre), the round's clock and whether the decisions are in (top),
//! this round's events and the leaderboard (right), and tabs for the team's report, the
//! public market and, once the workshop ends, the team's debrief.

use super::decisions::{DecisionView, controls_ui, preview_ui};
use super::report::{charts_ui, tiles_ui};
use super::{Screen, ScreenUi};
use crate::game::actions::Notice;
use crate::game::theme::{self, ACCENT, BETTER, MUTED, WORSE};
use crate::game::widgets::{card, cny, connection_banner, notice_banner, pct, root_ui, units};
use crate::game::workshop::team::{Submission, TeamSeat, clock};
use crate::game::workshop::{Tab, TeamTab, WorkshopAction};
use crate::workshop::protocol::{IndustryReport, TeamView};
use crate::workshop::session::Phase;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<TeamTab>().add_systems(
        EguiPrimaryContextPass,
        team_ui.in_set(ScreenUi).run_if(in_state(Screen::WorkshopTeam)),
    );
}

/// The team screen's own decision-view state (undo, product tab), reset each round.
#[derive(Default)]
struct TeamDecisionView {
    round: Option<u32>,
    view: DecisionView,
}

fn team_ui(
    mut contexts: EguiContexts,
    seat: Option<ResMut<TeamSeat>>,
    mut tab: ResMut<TeamTab>,
    mut notice: ResMut<Notice>,
    mut actions: MessageWriter<WorkshopAction>,
    mut local: Local<TeamDecisionView>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(mut seat) = seat else { return Ok(()) };
    // The clock ticks and news arrives without input.
    ctx.request_repaint_after(std::time::Duration::from_millis(250));
    let Some(view) = seat.view.clone() else { return Ok(()) };
    if local.round != Some(view.status.round) {
        *local = TeamDecisionView {
            round: Some(view.status.round),
            ..default()
        };
    }
    if let Some(session) = seat.session.as_mut() {
        local.view.track_edits(ctx, session);
    }
    let problems = seat.problems();
    let ended = view.status.phase == Phase::Ended;
    let mut root = root_ui(ctx);

    egui::Panel::top("team-top").show(&mut root, |ui| top_ui(ui, &seat, &view, &mut actions));
    egui::Panel::bottom("team-bottom").show(&mut root, |ui| {
        notice_banner(ui, &mut notice);
        if let Some((text, problem)) = &seat.message {
            ui.label(RichText::new(text).color(if *problem { WORSE } else { BETTER }));
        }
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let open = matches!(view.status.phase, Phase::Open { .. });
            if ended || view.bankrupt {
                ui.label(RichText::new("No more decisions: see the debrief.").color(MUTED));
            } else if !problems.is_empty() {
                let list: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect();
                ui.label(RichText::new(format!("Fix before submitting: {}", list.join("; "))).color(WORSE));
            } else if open {
                ui.label(RichText::new("All decisions valid. You may revise until the clock runs out.").color(MUTED));
            } else {
                ui.label(
                    RichText::new(
                        "Waiting for the facilitator to open the next round; you can prepare your decisions.",
                    )
                    .color(MUTED),
                );
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let label = match seat.submission() {
                    Submission::Submitted { .. } => "Submitted ✔",
                    Submission::Changed { .. } => "Submit revision (Enter)",
                    _ => "Submit decisions (Enter)",
                };
                let can = open
                    && problems.is_empty()
                    && !view.bankrupt
                    && !matches!(seat.submission(), Submission::Submitted { .. });
                let button = ui.add_enabled(
                    can,
                    egui::Button::new(RichText::new(label).size(theme::SIZE_HEADING).strong())
                        .fill(ACCENT.linear_multiply(0.45))
                        .min_size(egui::vec2(240.0, 38.0)),
                );
                if button.clicked() || (can && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
                    actions.write(WorkshopAction::Submit);
                }
            });
        });
        ui.add_space(4.0);
    });
    // This round's events and the leaderboard, except where the charts need the width.
    if !matches!(tab.0, Tab::Report | Tab::Debrief) {
        egui::Panel::right("team-right")
            .exact_size(300.0)
            .resizable(false)
            .show(&mut root, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| right_ui(ui, &seat, &view));
            });
    }
    // The decision controls sit beside the preview; the other tabs get the whole width.
    if !ended && !view.bankrupt && tab.0 == Tab::Preview {
        egui::Panel::left("team-left")
            .exact_size(360.0)
            .resizable(false)
            .show(&mut root, |ui| {
                ui.add_space(4.0);
                egui::ScrollArea::vertical().show(ui, |ui| {
                    ui.label(RichText::new("Your decisions").size(theme::SIZE_HEADING).strong());
                    let TeamSeat {
                        session, desk_problem, ..
                    } = &mut *seat;
                    match (session.as_mut(), &*desk_problem) {
                        (_, Some(problem)) => {
                            ui.label(RichText::new(problem).color(WORSE));
                        }
                        (Some(session), None) => controls_ui(ui, session, &mut local.view, &problems),
                        (None, None) => {
                            ui.label(RichText::new("Reading your company…").color(MUTED));
                        }
                    }
                });
            });
    }
    egui::CentralPanel::default().show(&mut root, |ui| {
        ui.horizontal(|ui| {
            let mut tabs = vec![
                (Tab::Preview, "Decide"),
                (Tab::Report, "Your reports"),
                (Tab::Market, "Market"),
                (Tab::Leaderboard, "Leaderboard"),
            ];
            if ended {
                tabs.retain(|t| t.0 != Tab::Preview);
                tabs.insert(0, (Tab::Debrief, "Debrief"));
            }
            for (t, name) in tabs {
                ui.selectable_value(&mut tab.0, t, RichText::new(name).size(theme::SIZE_HEADING));
            }
        });
        if ended && tab.0 == Tab::Preview {
            tab.0 = Tab::Debrief;
        }
        ui.separator();
        egui::ScrollArea::vertical().show(ui, |ui| match tab.0 {
            Tab::Preview => match &seat.session {
                Some(s) => preview_ui(ui, s),
                None => {
                    ui.label(RichText::new("Reading your company…").color(MUTED));
                }
            },
            Tab::Report => report_tab(ui, &seat),
            Tab::Market => market_tab(ui, &view),
            Tab::Leaderboard => leaderboard_tab(ui, &view),
            Tab::Debrief => debrief_tab(ui, &seat, &view),
        });
    });
    Ok(())
}

fn top_ui(ui: &mut egui::Ui, seat: &TeamSeat, view: &TeamView, actions: &mut MessageWriter<WorkshopAction>) {
    if let Some(why) = &seat.offline {
        connection_banner(
            ui,
            &format!(
                "Connection lost — reconnecting every 2 seconds. Your decisions are kept here and nothing is lost. ({why})"
            ),
        );
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&view.status.title).size(theme::SIZE_HEADING).strong());
        ui.separator();
        ui.label(
            RichText::new(&view.team)
                .size(theme::SIZE_HEADING)
                .color(ACCENT)
                .strong(),
        );
        ui.separator();
        let practice = if view.status.practice {
            " (practice: does not count)"
        } else {
            ""
        };
        let round = if view.status.phase == Phase::Ended {
            format!("{} rounds played", view.reports.len())
        } else {
            format!("Round {} · {}{practice}", view.status.round, view.status.quarter)
        };
        ui.label(RichText::new(round).size(theme::SIZE_HEADING));
        ui.separator();
        ui.label(format!("Cash {}", cny(view.cash)));
        ui.label(format!("Trust {:.2}", view.trust));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .button("Leave")
                .on_hover_text("Back to the title; your decisions on the server stay")
                .clicked()
            {
                actions.write(WorkshopAction::Leave);
            }
            let (text, color) = match (&view.status.phase, seat.remaining_ms()) {
                (Phase::Open { .. }, Some(ms)) => (
                    format!("⏱ {} left", clock(ms)),
                    if ms < 60_000 { WORSE } else { theme::TEXT },
                ),
                (Phase::Paused { .. }, Some(ms)) => (format!("Paused · {} left", clock(ms)), MUTED),
                (Phase::Paused { .. }, None) => ("Paused".into(), MUTED),
                (Phase::Ended, _) => ("Workshop ended".into(), MUTED),
                _ => ("Waiting for the round to open".into(), MUTED),
            };
            ui.label(RichText::new(text).size(theme::SIZE_TILE).strong().color(color));
            ui.separator();
            let (state, color) = match seat.submission() {
                Submission::Closed => (String::new(), MUTED),
                Submission::NotYet => ("Not submitted: last round's decisions would be repeated".into(), WORSE),
                Submission::Submitted { revisions: 1 } => ("Submitted".into(), BETTER),
                Submission::Submitted { revisions } => (format!("Submitted · revised {} times", revisions - 1), BETTER),
                Submission::Changed { .. } => ("Changed since you submitted: not sent yet".into(), theme::REFERENCE),
            };
            if !state.is_empty() {
                ui.label(RichText::new(state).color(color).strong());
            }
        });
    });
    // Events the facilitator injected for this round, whichever tab is open.
    if let Some(s) = &seat.session {
        for (_, e) in s.world.injected.iter().filter(|(at, _)| *at == s.world.quarter_idx) {
            ui.label(
                RichText::new(format!("Event this round: {} — {}", e.title, e.description))
                    .color(theme::REFERENCE)
                    .strong(),
            );
        }
    }
    ui.add_space(4.0);
}

fn right_ui(ui: &mut egui::Ui, seat: &TeamSeat, view: &TeamView) {
    // Events that arrive with this round's results: the scenario's and the facilitator's.
    if let Some(s) = &seat.session {
        let q = s.world.quarter_idx;
        let mut events: Vec<(String, String)> = s
            .scenario
            .events
            .iter()
            .filter(|e| e.quarter_idx == q)
            .map(|e| (e.event.title.clone(), e.event.description.clone()))
            .collect();
        events.extend(
            s.world
                .injected
                .iter()
                .filter(|(at, _)| *at == q)
                .map(|(_, e)| (e.title.clone(), e.description.clone())),
        );
        card(ui, &format!("This round ({})", s.world.quarter()), |ui| {
            if events.is_empty() {
                ui.label(RichText::new("No announced events.").color(MUTED));
            }
            for (title, description) in events {
                ui.label(RichText::new(title).strong().color(theme::REFERENCE));
                ui.label(RichText::new(description).size(theme::SIZE_CAPTION));
            }
        });
        ui.add_space(6.0);
    }
    if let Some(last) = view.industry.last() {
        card(ui, &format!("Last round ({})", last.quarter), |ui| {
            if last.events.is_empty() {
                ui.label(RichText::new("No market events.").color(MUTED));
            }
            for e in &last.events {
                ui.label(format!("• {e}"));
            }
        });
        ui.add_space(6.0);
    }
    card(ui, "Leaderboard", |ui| {
        if !view.leaderboard_shown {
            ui.label(RichText::new("Hidden for now: the facilitator will show it.").color(MUTED));
        } else if view.leaderboard.is_empty() {
            ui.label(RichText::new("After the first round.").color(MUTED));
        }
        egui::Grid::new("team-board")
            .num_columns(3)
            .spacing([10.0, 2.0])
            .show(ui, |ui| {
                for s in view.leaderboard.iter().take(10) {
                    let color = if s.team == view.team { ACCENT } else { theme::TEXT };
                    ui.label(RichText::new(format!("{}.", s.rank)).color(color));
                    ui.label(RichText::new(&s.team).color(color));
                    ui.label(RichText::new(format!("{:.1}", s.score)).color(color));
                    ui.end_row();
                }
            });
    });
}

fn report_tab(ui: &mut egui::Ui, seat: &TeamSeat) {
    let rows = seat.rows();
    let (Some(now), Some(s)) = (rows.last().copied(), &seat.session) else {
        ui.label(
            RichText::new(
                "No round has resolved yet: your report appears here when the facilitator closes the first round.",
            )
            .color(MUTED),
        );
        return;
    };
    let before = rows.len().checked_sub(2).map(|i| rows[i]);
    ui.label(
        RichText::new(format!("Your report · {}", now.quarter))
            .size(theme::SIZE_HEADING)
            .strong(),
    );
    tiles_ui(ui, now, before, 1.0);
    ui.add_space(8.0);
    ui.set_min_height(560.0);
    charts_ui(ui, s, &rows);
}

fn market_tab(ui: &mut egui::Ui, view: &TeamView) {
    let Some(report) = view.industry.last() else {
        ui.label(RichText::new("The industry report appears after the first round.").color(MUTED));
        return;
    };
    industry_ui(ui, report, &view.team);
}

/// The industry report: public facts only (prices, launches, units, shares, ranks).
fn industry_ui(ui: &mut egui::Ui, report: &IndustryReport, own: &str) {
    ui.label(
        RichText::new(format!("Industry report · round {} · {}", report.round, report.quarter))
            .size(theme::SIZE_HEADING)
            .strong(),
    );
    ui.label(RichText::new("What every company can see: prices, launches, units sold, shares and ranks. Costs, cash and plans stay private.").color(MUTED));
    ui.add_space(6.0);
    egui::Grid::new("industry")
        .num_columns(5)
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "Rank",
                "Company",
                "Share of segment",
                "Products (price · units sold)",
                "Launched",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            // Teams by rank, then the computer-run companies.
            let mut companies: Vec<_> = report.companies.iter().collect();
            companies.sort_by_key(|c| c.rank.unwrap_or(u32::MAX));
            for c in companies {
                let color = if c.company == own { ACCENT } else { theme::TEXT };
                ui.label(RichText::new(c.rank.map_or("—".into(), |r| r.to_string())).color(color));
                ui.label(
                    RichText::new(format!(
                        "{}{}",
                        c.company,
                        if c.kind == "computer" { " (computer)" } else { "" }
                    ))
                    .color(color),
                );
                ui.label(
                    c.share_by_segment
                        .iter()
                        .map(|(seg, s)| format!("{seg} {}", pct(*s)))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
                ui.label(
                    c.skus
                        .iter()
                        .filter(|s| s.status == "active")
                        .map(|s| format!("{} {} · {}", s.id, cny(s.price), units(s.units_sold as f64)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
                ui.label(if c.launches.is_empty() {
                    "—".to_string()
                } else {
                    c.launches.join(", ")
                });
                ui.end_row();
            }
        });
}

fn leaderboard_tab(ui: &mut egui::Ui, view: &TeamView) {
    ui.label(RichText::new("Leaderboard").size(theme::SIZE_HEADING).strong());
    if !view.leaderboard_shown {
        ui.label(RichText::new("The facilitator is keeping the leaderboard hidden for now; it appears here when they show it, and at the end.").color(MUTED));
        return;
    }
    ui.label(RichText::new("Score (points of 100) from the scenario's scorecard: profit, trust, users, return, the margin cap and objectives.").color(MUTED));
    ui.add_space(6.0);
    egui::Grid::new("leaderboard")
        .num_columns(3)
        .striped(true)
        .spacing([24.0, 4.0])
        .show(ui, |ui| {
            for h in ["Rank", "Team", "Score"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for s in &view.leaderboard {
                let color = if s.team == view.team { ACCENT } else { theme::TEXT };
                ui.label(RichText::new(s.rank.to_string()).color(color).size(theme::SIZE_HEADING));
                ui.label(RichText::new(&s.team).color(color).size(theme::SIZE_HEADING));
                ui.label(
                    RichText::new(format!("{:.1}", s.score))
                        .color(color)
                        .size(theme::SIZE_HEADING),
                );
                ui.end_row();
            }
        });
}

fn debrief_tab(ui: &mut egui::Ui, seat: &TeamSeat, view: &TeamView) {
    let Some(d) = &seat.debrief else {
        ui.label(RichText::new("The debrief appears when the facilitator ends the workshop.").color(MUTED));
        return;
    };
    let s = &d.standing;
    ui.label(
        RichText::new(format!(
            "{} finished {} of {} with {:.1} points",
            view.team, s.rank, d.teams, s.score
        ))
        .size(theme::SIZE_TILE)
        .strong()
        .color(ACCENT),
    );
    ui.label(format!(
        "Cumulative net profit {}{}",
        cny(s.net_profit),
        if s.bankrupt { " · went bankrupt" } else { "" }
    ));
    ui.add_space(8.0);
    ui.columns(2, |cols| {
        card(
            &mut cols[0],
            "Where the points came from (share of each component's full marks)",
            |ui| {
                egui::Grid::new("components")
                    .num_columns(2)
                    .spacing([24.0, 4.0])
                    .show(ui, |ui| {
                        for (name, v) in [
                            ("Profit", s.profit),
                            ("Trust", s.trust),
                            ("Users", s.users),
                            ("Return (ROI)", s.roi),
                            ("Margin cap kept", s.cap_compliance),
                            ("Objectives", s.objectives),
                        ] {
                            ui.label(name);
                            ui.label(RichText::new(pct(v)).strong());
                            ui.end_row();
                        }
                    });
            },
        );
        card(&mut cols[1], "Your three most consequential decisions", |ui| {
            if d.guide.decisions.is_empty() {
                ui.label(RichText::new("You kept your opening decisions all the way.").color(MUTED));
            }
            for g in &d.guide.decisions {
                ui.label(RichText::new(format!("{}: {}", g.quarter, g.decision)).strong());
                ui.label(
                    RichText::new(format!(
                        "{:+.1} points, {} net profit, against the market replayed without it",
                        g.score_effect,
                        cny(g.profit_effect)
                    ))
                    .size(theme::SIZE_CAPTION)
                    .color(effect_color(g.score_effect, g.profit_effect)),
                );
            }
        });
    });
    ui.add_space(8.0);
    let rows = seat.rows();
    if let Some(session) = &seat.session
        && !rows.is_empty()
    {
        ui.set_min_height(520.0);
        charts_ui(ui, session, &rows);
    }
}

/// Green for a decision that helped, red for one that hurt (by score, else by profit).
fn effect_color(score: f64, profit: f64) -> egui::Color32 {
    let sign = if score.abs() >= 0.05 { score } else { profit };
    if sign >= 0.0 { BETTER } else { WORSE }
}
