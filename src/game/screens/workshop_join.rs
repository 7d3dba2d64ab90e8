//! Join a workshop: the server's address and the team's code, as the facilitator gave
//! them (a pasted team link `http://…/?code=…` fills both).

use super::{Screen, ScreenUi};
use crate::game::theme::{self, ACCENT, MUTED, WORSE};
use crate::game::widgets::{primary_button, root_ui};
use crate::game::workshop::{JoinForm, WorkshopAction};
use crate::workshop::client::code_in_link;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        join_ui.in_set(ScreenUi).run_if(in_state(Screen::WorkshopJoin)),
    );
}

/// Splits a pasted team link into address and code.
fn split_link(url: &mut String, code: &mut String) {
    if let Some(in_link) = code_in_link(url) {
        if code.trim().is_empty() {
            *code = in_link;
        }
        if let Some((base, _)) = url.split_once('?') {
            *url = base.trim_end_matches('/').to_string();
        }
    }
}

fn join_ui(
    mut contexts: EguiContexts,
    mut form: ResMut<JoinForm>,
    mut actions: MessageWriter<WorkshopAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = root_ui(ctx);
    egui::CentralPanel::default().show(&mut root, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.15);
            ui.label(
                RichText::new("Join a workshop")
                    .size(theme::SIZE_TITLE)
                    .strong()
                    .color(ACCENT),
            );
            ui.label(
                RichText::new(
                    "Your facilitator gives your team a server address and a join code (or one link with both).",
                )
                .color(MUTED),
            );
            ui.add_space(24.0);
            egui::Grid::new("join-form")
                .num_columns(2)
                .spacing([12.0, 10.0])
                .show(ui, |ui| {
                    ui.label(RichText::new("Server address").size(theme::SIZE_HEADING));
                    ui.add(
                        egui::TextEdit::singleline(&mut form.url)
                            .desired_width(360.0)
                            .hint_text("http://192.168.1.20:7878"),
                    );
                    ui.end_row();
                    ui.label(RichText::new("Team code").size(theme::SIZE_HEADING));
                    let code = ui.add(
                        egui::TextEdit::singleline(&mut form.code)
                            .desired_width(360.0)
                            .hint_text("the code on your team's card"),
                    );
                    ui.end_row();
                    if code.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) && !form.joining() {
                        let (url, code) = (form.url.clone(), form.code.clone());
                        actions.write(WorkshopAction::Join { url, code });
                    }
                });
            let JoinForm { url, code, .. } = &mut *form;
            split_link(url, code);
            if let Some(e) = &form.error {
                ui.add_space(8.0);
                ui.label(RichText::new(e).color(WORSE));
            }
            ui.add_space(20.0);
            if form.joining() {
                ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                ui.horizontal(|ui| {
                    ui.add_space((ui.available_width() - 260.0).max(0.0) / 2.0);
                    ui.spinner();
                    ui.label(RichText::new(format!("Reaching {}…", form.url.trim())).color(MUTED));
                });
            } else if primary_button(ui, "Join").clicked() {
                let (url, code) = (form.url.clone(), form.code.clone());
                actions.write(WorkshopAction::Join { url, code });
            }
            ui.add_space(6.0);
            if ui.button("◀ Back").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                actions.write(WorkshopAction::Leave);
            }
            ui.add_space(20.0);
            ui.label(
                RichText::new(
                    "No game installed on a teammate's laptop? The same address opens the team page in a browser.",
                )
                .size(theme::SIZE_CAPTION)
                .color(MUTED),
            );
        });
    });
    Ok(())
}
