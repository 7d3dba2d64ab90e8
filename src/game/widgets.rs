//! Small UI pieces shared by the screens: the root layout, KPI tiles, formatted
//! numbers, rich briefing text, notices.

use super::actions::Notice;
use super::theme::{self, BETTER, CARD, MUTED, WORSE};
use crate::report::format::money;
use bevy_egui::egui::{self, Color32, RichText};

/// A full-window root `Ui` to put panels in.
pub fn root_ui(ctx: &egui::Context) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        "root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.viewport_rect()),
    )
}

/// Money in the scenario currency (¥1,999; ¥12.4M).
pub fn cny(v: f64) -> String {
    money("CNY", v)
}

/// A ratio as a percentage with one decimal; "—" when not a number.
pub fn pct(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let shown = if (v * 1000.0).round() == 0.0 { 0.0 } else { v * 100.0 };
    format!("{shown:.1}%")
}

/// A multiple such as turnover: `17.0×`.
pub fn times(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}×")
    } else {
        "—".into()
    }
}

/// Units: `7.9M units`, `350,000 units`.
pub fn units(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else {
        crate::report::format::thousands(v.max(0.0).round() as u64)
    }
}

/// Which way is better for a KPI.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Up,
    Neither,
}

/// A KPI tile: caption, big number, change on last quarter, tooltip with the formula.
pub fn kpi_tile(ui: &mut egui::Ui, caption: &str, value: String, change: Option<(String, f64, Better)>, tooltip: &str) {
    egui::Frame::new()
        .fill(CARD)
        .corner_radius(6.0)
        .inner_margin(egui::Margin::symmetric(10, 8))
        .show(ui, |ui| {
            ui.set_min_width(104.0);
            ui.vertical(|ui| {
                ui.label(RichText::new(caption).size(theme::SIZE_CAPTION).color(MUTED));
                ui.label(RichText::new(value).size(theme::SIZE_TILE).strong());
                if let Some((text, delta, better)) = change {
                    let good = better == Better::Up && delta > 0.0;
                    let color = if delta == 0.0 || better == Better::Neither {
                        MUTED
                    } else if good {
                        BETTER
                    } else {
                        WORSE
                    };
                    ui.label(RichText::new(text).size(theme::SIZE_CAPTION).color(color));
                } else {
                    ui.label(RichText::new("first quarter").size(theme::SIZE_CAPTION).color(MUTED));
                }
            });
        })
        .response
        .on_hover_text(format!("{tooltip}\nThe small figure is the change on last quarter."));
}

/// Briefing text: paragraphs separated by blank lines, `**bold**` for the case's figures.
pub fn rich_text(ui: &mut egui::Ui, text: &str) {
    for paragraph in text.split("\n\n") {
        let mut job = egui::text::LayoutJob::default();
        for (idx, part) in paragraph.split("**").enumerate() {
            let format = egui::TextFormat {
                font_id: egui::FontId::proportional(theme::SIZE_BODY + 1.0),
                color: if idx % 2 == 1 { theme::ACCENT } else { theme::TEXT },
                ..Default::default()
            };
            job.append(part, 0.0, format);
        }
        job.wrap.max_width = ui.available_width();
        ui.label(job);
        ui.add_space(8.0);
    }
}

/// A card with a title, for events and panels.
pub fn card(ui: &mut egui::Ui, title: &str, add: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::new()
        .fill(CARD)
        .corner_radius(6.0)
        .inner_margin(egui::Margin::same(12))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(title).size(theme::SIZE_HEADING).strong());
            ui.add_space(4.0);
            add(ui);
        });
}

/// The notice banner, if any; dismissed with a button.
pub fn notice_banner(ui: &mut egui::Ui, notice: &mut Notice) {
    let Some(text) = notice.0.clone() else { return };
    egui::Frame::new()
        .fill(Color32::from_rgb(0x5a, 0x3a, 0x2a))
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(text).color(theme::TEXT));
                if ui.button("Dismiss").clicked() {
                    notice.0 = None;
                }
            });
        });
}

/// A full-width red banner for a lost connection to a workshop server.
pub fn connection_banner(ui: &mut egui::Ui, text: &str) {
    egui::Frame::new()
        .fill(Color32::from_rgb(0x7a, 0x2e, 0x2a))
        .inner_margin(egui::Margin::same(8))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(text).color(theme::TEXT).strong());
        });
}

/// A big primary button.
pub fn primary_button(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(
        egui::Button::new(RichText::new(text).size(theme::SIZE_HEADING).strong())
            .fill(theme::ACCENT.linear_multiply(0.45))
            .min_size(egui::vec2(220.0, 40.0)),
    )
}
