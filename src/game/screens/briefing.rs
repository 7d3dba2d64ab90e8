//! Briefing: the case in our own words, the objectives with deadlines, the scorecard
//! weights and what the player controls.

use super::{Screen, ScreenUi};
use crate::game::actions::UiAction;
use crate::game::session::ActiveSession;
use crate::game::theme::{self, MUTED};
use crate::game::widgets::{card, primary_button, rich_text, root_ui};
use crate::report::format::metric_value;
use crate::sim::params::Comparison;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        briefing_ui.in_set(ScreenUi).run_if(in_state(Screen::Briefing)),
    );
}

fn briefing_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    session: Option<Res<ActiveSession>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(session) = session else { return Ok(()) };
    let sc = &session.scenario;
    let mut root = root_ui(ctx);
    egui::Panel::bottom("briefing-actions").show(&mut root, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("◀ Campaign").clicked() {
                actions.write(UiAction::OpenCampaign);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if primary_button(ui, "Start ▶").clicked() {
                    actions.write(UiAction::BeginPlay);
                }
            });
        });
        ui.add_space(6.0);
    });
    egui::Panel::right("briefing-goals").default_size(430.0).show(&mut root, |ui| {
        ui.add_space(8.0);
        card(ui, "Objectives", |ui| {
            for o in &sc.objectives {
                let cmp = match o.comparison {
                    Comparison::AtLeast => "at least",
                    Comparison::AtMost => "at most",
                };
                let deadline = sc.quarter_at(o.deadline_idx).to_string();
                if o.text.contains(&deadline) {
                    ui.label(format!("☐ {}", o.text));
                } else {
                    ui.label(format!("☐ {} — by {deadline}", o.text));
                }
                let target = metric_value(&o.metric.to_string(), o.target);
                ui.label(RichText::new(format!("    target: {cmp} {target}")).size(theme::SIZE_CAPTION).color(MUTED))
                    .on_hover_text(format!("Measured as {} (see the report's fields).", o.metric));
            }
        });
        ui.add_space(8.0);
        card(ui, "Scorecard weights", |ui| {
            let c = &sc.scorecard;
            let total = c.profit_weight + c.trust_weight + c.users_weight + c.roi_weight + c.cap_weight + c.objectives_weight;
            for (name, w) in [
                ("Profit", c.profit_weight),
                ("Trust", c.trust_weight),
                ("Users", c.users_weight),
                ("Retail ROI", c.roi_weight),
                ("Margin-cap compliance", c.cap_weight),
                ("Objectives met", c.objectives_weight),
            ] {
                if w > 0.0 {
                    ui.label(format!("{name}: {:.0}%", 100.0 * w / total));
                }
            }
        });
        ui.add_space(8.0);
        card(ui, "You control", |ui| {
            ui.label("Per product: price, BOM cut, engineering mitigation, production.");
            ui.label("Portfolio: launch from the catalogue or retire a product.");
            ui.label("Channels: the share of supply sent online, to your stores, to platforms and to dealers; stores; dealer margin.");
            ui.label("Community and paid-traffic budgets, services monetisation, R&D.");
        });
    });
    egui::CentralPanel::default().show(&mut root, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.label(RichText::new(&sc.title).size(theme::SIZE_TITLE * 0.8).strong());
            ui.label(
                RichText::new(format!("{} · {} quarters from {}", sc.pitch, sc.n_quarters, sc.start)).color(MUTED),
            );
            ui.add_space(12.0);
            rich_text(ui, &sc.briefing);
        });
    });
    Ok(())
}
