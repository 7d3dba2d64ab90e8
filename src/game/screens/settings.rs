//! Settings: UI scale and reduced motion, remembered between launches; where saves live.

use super::{Screen, ScreenUi};
use crate::game::PlayerProfile;
use crate::game::actions::UiAction;
use crate::game::theme::{self, MUTED};
use crate::game::widgets::{card, root_ui};
use crate::save::profile::Settings;
use crate::save::run_file::default_saves_dir;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        settings_ui.in_set(ScreenUi).run_if(in_state(Screen::Settings)),
    );
}

fn settings_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    mut profile: ResMut<PlayerProfile>,
    mut pending_scale: Local<Option<f32>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = root_ui(ctx);
    egui::CentralPanel::default().show(&mut root, |ui| {
        if ui.button("◀ Title").clicked() {
            actions.write(UiAction::BackToTitle);
        }
        ui.label(RichText::new("Settings").size(theme::SIZE_TITLE * 0.7).strong());
        ui.add_space(8.0);
        card(ui, "Display", |ui| {
            let scale = pending_scale.get_or_insert(profile.profile.settings.ui_scale);
            ui.horizontal(|ui| {
                ui.label("UI scale");
                ui.add(
                    egui::Slider::new(scale, Settings::MIN_SCALE..=Settings::MAX_SCALE)
                        .step_by(0.05)
                        .suffix("×"),
                );
                if ui.button("Apply").clicked() {
                    actions.write(UiAction::SetScale(*scale));
                }
            });
            let mut fullscreen = profile.profile.settings.fullscreen;
            if ui.checkbox(&mut fullscreen, "Full screen").changed() {
                actions.write(UiAction::SetFullscreen(fullscreen));
            }
            let mut reduced = profile.profile.settings.reduced_motion;
            if ui
                .checkbox(&mut reduced, "Reduced motion (no counting animations)")
                .changed()
            {
                profile.profile.settings.reduced_motion = reduced;
                profile.persist();
            }
        });
        ui.add_space(8.0);
        card(ui, "Where things are kept", |ui| {
            let saves =
                default_saves_dir().map_or("(this platform has no data folder)".into(), |d| d.display().to_string());
            ui.label(format!("Saves: {saves}"));
            let prof = profile
                .path
                .as_ref()
                .map_or("(not kept)".into(), |p| p.display().to_string());
            ui.label(RichText::new(format!("Settings and progress: {prof}")).color(MUTED));
        });
    });
    Ok(())
}
