//! Help (F1, or the ? button): every formula the model uses, in one window, over any
//! screen.

use super::screens::ScreenUi;
use super::theme::{self, MUTED};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

/// Whether the help window is open.
#[derive(Resource, Default)]
pub struct HelpOpen(pub bool);

/// The model's formulas, in the order a quarter resolves.
const FORMULAS: &[(&str, &str)] = &[
    (
        "Unit cost",
        "BOM × (1 − BOM cut) × learning × component drift × supply shock; learning = (max(cumulative units, reference) / reference)^log2(learning rate)",
    ),
    (
        "Defect rate",
        "base + k × max(0, cut − safe cut(mitigation))²; above the veto threshold the line stops and nothing ships",
    ),
    (
        "Buyers",
        "new adopters (p + q·N/M)(M − N) plus replacements N / replacement cycle",
    ),
    (
        "Choice",
        "nested logit, one nest per company: U = β_price·ln(p_ref/price) + β_perf·ln(perf/perf_ref) + β_trust·trust − β_defect·defect, plus ln(awareness); an outside option for buying nothing",
    ),
    ("Dealer revenue", "price × (1 − dealer margin)"),
    ("Gross margin", "(hardware revenue − COGS) / hardware revenue"),
    ("Expense ratio", "hardware expenses / hardware revenue"),
    (
        "Turnover",
        "annualised COGS / average inventory at cost (trailing four quarters)",
    ),
    ("Retail ROI", "(gross margin − expense ratio) × turnover"),
    (
        "Hardware net margin",
        "(hardware revenue − COGS − hardware expenses) / hardware revenue, trailing four quarters; above the cap the excess is rebated to users",
    ),
    (
        "Services",
        "active users × ARPU; users grow by units sold × attach rate and shrink by churn, which rises with monetisation",
    ),
    (
        "Trust",
        "moves with value for money against rivals, defects, stock-outs, monetisation, rebates, excess margin (cap off) and community spend; 0 to 1",
    ),
    (
        "Cash",
        "opening cash + inflows − outflows; below minus the credit line the company is bankrupt",
    ),
    (
        "Cash runway",
        "(cash + credit line) / cash committed this quarter before any sale",
    ),
];

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<HelpOpen>()
        .add_systems(EguiPrimaryContextPass, help_ui.after(ScreenUi));
}

fn help_ui(mut contexts: EguiContexts, mut open: ResMut<HelpOpen>) -> Result {
    let ctx = contexts.ctx_mut()?;
    if ctx.input(|i| i.key_pressed(egui::Key::F1)) {
        open.0 = !open.0;
    }
    let mut shown = open.0;
    egui::Window::new("Help: how the model works")
        .open(&mut shown)
        .default_width(640.0)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(
                RichText::new(
                    "Press F1 to close. Keys: Enter ends the quarter, Ctrl+Z undoes the last edit, Ctrl+S saves.",
                )
                .color(MUTED),
            );
            ui.add_space(6.0);
            egui::Grid::new("formulas")
                .num_columns(2)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for (name, formula) in FORMULAS {
                        ui.label(RichText::new(*name).strong().size(theme::SIZE_BODY));
                        ui.label(*formula);
                        ui.end_row();
                    }
                });
        });
    open.0 = shown;
    Ok(())
}
