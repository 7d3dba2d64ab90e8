//! Resolution: the quarter's events as cards (what happened, why, the effect), then
//! a one-line verdict before the report.

use super::{Screen, ScreenUi};
use crate::game::actions::UiAction;
use crate::game::session::ActiveSession;
use crate::game::theme::{self, MUTED};
use crate::game::widgets::{card, cny, pct, primary_button, root_ui, units};
use crate::sim::params::EventKind;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        resolution_ui.in_set(ScreenUi).run_if(in_state(Screen::Resolution)),
    );
}

/// What an event does, in numbers.
/// What an event does, in one sentence (the event screen and the facilitator's preview).
pub fn event_effect(kind: &EventKind) -> String {
    match kind {
        EventKind::SupplyShock {
            capacity_factor,
            cost_factor,
        } => format!(
            "Capacity × {capacity_factor:.2} ({:+.0}%), unit cost × {cost_factor:.2} ({:+.0}%).",
            (capacity_factor - 1.0) * 100.0,
            (cost_factor - 1.0) * 100.0
        ),
        EventKind::RivalPriceCut { company, pct: cut } => format!("{company} prices −{:.0}% from now on.", cut * 100.0),
        EventKind::TrafficCostSpike { factor } => format!("Online traffic costs × {factor:.2}."),
        EventKind::BetterChipset { perf_gain } => format!(
            "Buyers expect {:+.0}% performance; new products get it.",
            perf_gain * 100.0
        ),
        EventKind::DemandShock { segment, factor } => {
            format!(
                "Buyers in {} × {factor:.2}.",
                segment.as_deref().unwrap_or("every segment")
            )
        }
        EventKind::Regulation {
            commission_delta,
            dealer_margin_max,
        } => format!(
            "Platform commission {:+.1} pt{}.",
            commission_delta * 100.0,
            dealer_margin_max.map_or(String::new(), |m| format!("; dealer margins capped at {}", pct(m)))
        ),
    }
}

fn resolution_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    session: Option<Res<ActiveSession>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(session) = session else { return Ok(()) };
    let s = &session.0;
    let Some(report) = s.last_report() else { return Ok(()) };
    let mut root = root_ui(ctx);
    egui::Panel::bottom("resolution-actions").show(&mut root, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if primary_button(ui, "See the quarter report ▶").clicked()
                    || ui.input(|i| i.key_pressed(egui::Key::Enter))
                {
                    actions.write(UiAction::ShowReport);
                }
            });
        });
        ui.add_space(6.0);
    });
    egui::CentralPanel::default().show(&mut root, |ui| {
        ui.label(
            RichText::new(format!("{} resolved", report.quarter))
                .size(theme::SIZE_TITLE * 0.8)
                .strong(),
        );
        ui.add_space(10.0);
        let events: Vec<_> = s
            .scenario
            .events
            .iter()
            .filter(|e| s.scenario.quarter_at(e.quarter_idx) == report.quarter)
            .map(|e| &e.event)
            .collect();
        if events.is_empty() {
            card(ui, "A quiet quarter", |ui| {
                ui.label("No supply shock, price war or new regulation: the quarter turned on your own decisions.");
            });
        }
        for event in events {
            card(ui, &event.title, |ui| {
                ui.label(&event.description);
                ui.label(RichText::new(event_effect(&event.kind)).color(theme::ACCENT));
                if event.duration > 0 {
                    ui.label(
                        RichText::new(format!("Lasts {} quarter(s).", event.duration))
                            .size(theme::SIZE_CAPTION)
                            .color(MUTED),
                    );
                }
            });
            ui.add_space(8.0);
        }
        if let Some(row) = report.companies.iter().find(|r| r.is_player) {
            ui.add_space(8.0);
            card(ui, "In one line", |ui| {
                let lost = if row.stockouts > 0 {
                    format!(
                        " You ran out: {} units of demand went unserved.",
                        units(row.stockouts as f64)
                    )
                } else {
                    String::new()
                };
                ui.label(format!(
                    "You sold {} units for {} and made {} net; cash is now {}.{lost}",
                    units(row.units_sold as f64),
                    cny(row.revenue_hardware),
                    cny(row.net_profit),
                    cny(row.cash)
                ));
                if row.bankrupt {
                    ui.label(
                        RichText::new("Cash fell below the credit line: the company is bankrupt.")
                            .color(theme::WORSE)
                            .strong(),
                    );
                }
            });
        }
    });
    Ok(())
}
