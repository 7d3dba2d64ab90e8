//! Load: the saves in the data folder, newest first; unreadable files are listed with
//! the reason and left untouched.

use super::{Screen, ScreenUi};
use crate::game::actions::{Notice, UiAction};
use crate::game::theme::{self, MUTED, WORSE};
use crate::game::widgets::{card, notice_banner, root_ui};
use crate::save::run_file::{default_saves_dir, list_saves};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        load_ui.in_set(ScreenUi).run_if(in_state(Screen::Load)),
    );
}

fn load_ui(mut contexts: EguiContexts, mut actions: MessageWriter<UiAction>, mut notice: ResMut<Notice>) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = root_ui(ctx);
    let dir = default_saves_dir();
    let (saves, failed) = dir.as_deref().map(list_saves).unwrap_or_default();
    egui::CentralPanel::default().show(&mut root, |ui| {
        notice_banner(ui, &mut notice);
        if ui.button("◀ Title").clicked() {
            actions.write(UiAction::BackToTitle);
        }
        ui.label(RichText::new("Load a saved run").size(theme::SIZE_TITLE * 0.7).strong());
        if let Some(dir) = &dir {
            ui.label(RichText::new(format!("From {}", dir.display())).color(MUTED));
        }
        ui.add_space(8.0);
        if saves.is_empty() {
            ui.label("No saves yet. Every quarter you play is saved automatically.");
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            for save in &saves {
                card(ui, &save.name, |ui| {
                    ui.label(
                        RichText::new(format!(
                            "{} · {} quarter(s) played",
                            save.scenario, save.quarters_played
                        ))
                        .color(MUTED),
                    );
                    if ui.button("Load").clicked() {
                        actions.write(UiAction::LoadSave(save.path.clone()));
                    }
                });
                ui.add_space(6.0);
            }
            for e in &failed {
                ui.label(RichText::new(e.to_string()).color(WORSE).size(theme::SIZE_CAPTION));
            }
        });
    });
    Ok(())
}
