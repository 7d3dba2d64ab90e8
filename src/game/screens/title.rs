//! Title: New campaign · Continue · Load · Join a workshop · Host a workshop · Settings · Quit.

use super::{Screen, ScreenUi};
use crate::game::actions::{Notice, UiAction};
use crate::game::theme::{self, ACCENT, MUTED};
use crate::game::widgets::{notice_banner, primary_button, root_ui};
use crate::game::workshop::WorkshopAction;
use crate::game::{CampaignInfo, PlayerProfile};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        title_ui.in_set(ScreenUi).run_if(in_state(Screen::Title)),
    );
}

fn title_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    mut workshop: MessageWriter<WorkshopAction>,
    mut notice: ResMut<Notice>,
    mut profile: ResMut<PlayerProfile>,
    campaign: Res<CampaignInfo>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = root_ui(ctx);
    if let Some(text) = profile.notice.take() {
        notice.0 = Some(text);
    }
    egui::CentralPanel::default().show(&mut root, |ui| {
        notice_banner(ui, &mut notice);
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.12);
            ui.label(
                RichText::new("Thin Margin")
                    .size(theme::SIZE_TITLE * 1.4)
                    .strong()
                    .color(ACCENT),
            );
            ui.label(
                RichText::new("Run a hardware product line where the margin is 5% and the return comes from turnover.")
                    .size(theme::SIZE_HEADING)
                    .color(MUTED),
            );
            ui.add_space(8.0);
            ui.label(
                RichText::new("ROI = (gross margin − expense ratio) × turnover")
                    .size(theme::SIZE_BODY)
                    .color(MUTED),
            );
            ui.add_space(36.0);
            if primary_button(ui, "New campaign").clicked() {
                actions.write(UiAction::OpenCampaign);
            }
            ui.add_space(6.0);
            if primary_button(ui, "Continue")
                .on_hover_text("Load your most recent save")
                .clicked()
            {
                actions.write(UiAction::Continue);
            }
            ui.add_space(6.0);
            if primary_button(ui, "Load").clicked() {
                actions.write(UiAction::OpenLoad);
            }
            ui.add_space(6.0);
            if primary_button(ui, "Join a workshop")
                .on_hover_text(
                    "Play as a team in a classroom workshop: the facilitator gives you an address and a code",
                )
                .clicked()
            {
                workshop.write(WorkshopAction::OpenJoin);
            }
            ui.add_space(6.0);
            if primary_button(ui, "Host a workshop")
                .on_hover_text("Run a classroom workshop: start a server here, give teams their codes, run the rounds")
                .clicked()
            {
                workshop.write(WorkshopAction::OpenHost);
            }
            ui.add_space(6.0);
            if primary_button(ui, "Settings").clicked() {
                actions.write(UiAction::OpenSettings);
            }
            ui.add_space(6.0);
            if primary_button(ui, "Quit").clicked() {
                actions.write(UiAction::Quit);
            }
            ui.add_space(24.0);
            ui.label(
                RichText::new(&campaign.campaign.title)
                    .size(theme::SIZE_CAPTION)
                    .color(MUTED),
            );
        });
    });
    Ok(())
}
