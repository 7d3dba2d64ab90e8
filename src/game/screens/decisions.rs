//! Decisions: the quarter's controls (left), the live preview the core computes
//! without randomness (centre), objectives, last quarter's events and rivals' public
//! moves (right), and End quarter (Enter).

use super::{Screen, ScreenUi};
use crate::game::actions::{Notice, UiAction};
use crate::game::charts::{Reference, Series, quarters_chart};
use crate::game::session::ActiveSession;
use crate::game::theme::{self, ACCENT, MUTED, WORSE, channel_color, channel_name};
use crate::game::widgets::{card, cny, notice_banner, pct, root_ui, units};
use crate::save::session::Session;
use crate::sim::Channel;
use crate::sim::decisions::{self, CompanyDecisions, FieldProblem, SkuDecision};
use crate::sim::events::{upcoming_capacity, upcoming_modifiers};
use crate::sim::preview::preview;
use crate::sim::score::ObjectiveStatus;
use crate::sim::world::SkuStatus;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<DecisionView>().add_systems(
        EguiPrimaryContextPass,
        decisions_ui.in_set(ScreenUi).run_if(in_state(Screen::Decisions)),
    );
}

/// What the decision screen remembers between frames (not part of the run).
#[derive(Resource, Default)]
pub(super) struct DecisionView {
    sku_tab: usize,
    confirm_zero_production: bool,
    /// Which quarter the undo history belongs to.
    quarter: usize,
    /// The draft as it stood after the last finished edit.
    settled: Option<CompanyDecisions>,
    /// Earlier drafts of this quarter, for Ctrl+Z.
    undo: Vec<CompanyDecisions>,
}

impl DecisionView {
    /// Records finished edits (the pointer is up) and applies Ctrl+Z.
    pub(super) fn track_edits(&mut self, ctx: &egui::Context, s: &mut Session) {
        if self.quarter != s.played.len() || self.settled.is_none() {
            self.quarter = s.played.len();
            self.undo.clear();
            self.settled = Some(s.draft.clone());
        }
        let undo = ctx.input(|i| i.modifiers.command && i.key_pressed(egui::Key::Z));
        if undo {
            if let Some(previous) = self.undo.pop() {
                s.draft = previous.clone();
                self.settled = Some(previous);
            }
            return;
        }
        if !ctx.input(|i| i.pointer.any_down())
            && self.settled.as_ref() != Some(&s.draft)
            && let Some(before) = self.settled.replace(s.draft.clone())
        {
            self.undo.push(before);
            if self.undo.len() > 200 {
                self.undo.remove(0);
            }
        }
    }
}

/// A control's label: marked in the accent colour when it differs from last quarter.
fn field_label(ui: &mut egui::Ui, text: &str, changed: bool, tip: &str) {
    let shown = if changed {
        RichText::new(format!("{text} •")).color(ACCENT)
    } else {
        RichText::new(text)
    };
    ui.label(shown).on_hover_text(if changed {
        format!("{tip}\nChanged since last quarter.")
    } else {
        tip.to_string()
    });
}

fn decisions_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    session: Option<ResMut<ActiveSession>>,
    mut view: ResMut<DecisionView>,
    mut notice: ResMut<Notice>,
    popup: Res<crate::game::panel::ChallengePopup>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(mut session) = session else { return Ok(()) };
    let s = &mut session.0;
    view.track_edits(ctx, s);
    let mut root = root_ui(ctx);
    let problems = draft_problems(s);

    egui::Panel::top("decisions-top").show(&mut root, |ui| top_bar_ui(ui, s, &mut actions));
    egui::Panel::bottom("decisions-bottom").show(&mut root, |ui| {
        notice_banner(ui, &mut notice);
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            if problems.is_empty() {
                ui.label(RichText::new("All decisions valid.").color(MUTED));
            } else {
                let list: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect();
                ui.label(RichText::new(format!("Fix before ending the quarter: {}", list.join("; "))).color(WORSE));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let end = ui.add_enabled(
                    problems.is_empty(),
                    egui::Button::new(RichText::new("End quarter (Enter)").size(theme::SIZE_HEADING).strong())
                        .fill(ACCENT.linear_multiply(0.45))
                        .min_size(egui::vec2(200.0, 38.0)),
                );
                let tall = egui::vec2(0.0, 38.0);
                let challenge_tip = match &s.challenge {
                    Some(c) => format!(
                        "The panel already added \"{}\" in {}.",
                        c.event.title,
                        s.scenario.quarter_at(c.at as u32)
                    ),
                    None => "The panel adds a constraint from this quarter (a cost shock, a rival's undercut, a delay…); you re-plan, and the reports compare three plans.".to_string(),
                };
                if ui
                    .add_enabled(
                        s.challenge.is_none(),
                        egui::Button::new(RichText::new("Panel challenge…").size(theme::SIZE_HEADING)).min_size(tall),
                    )
                    .on_hover_text(challenge_tip.clone())
                    .on_disabled_hover_text(challenge_tip)
                    .clicked()
                {
                    actions.write(UiAction::DrawChallenge);
                }
                if ui
                    .add(egui::Button::new(RichText::new("Analysis…").size(theme::SIZE_HEADING)).min_size(tall))
                    .on_hover_text("Sweep, goal seek or tornado on your plan; apply what you find to this quarter.")
                    .clicked()
                {
                    actions.write(UiAction::OpenAnalysis);
                }
                let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
                if problems.is_empty() && (end.clicked() || enter) {
                    let making_nothing = s.draft.skus.values().all(|d| d.production == 0);
                    if making_nothing && !view.confirm_zero_production {
                        view.confirm_zero_production = true;
                    } else {
                        view.confirm_zero_production = false;
                        actions.write(UiAction::EndQuarter);
                    }
                }
            });
        });
        ui.add_space(4.0);
    });
    egui::Panel::left("decisions-controls")
        .default_size(390.0)
        .resizable(false)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| controls_ui(ui, s, &mut view, &problems));
        });
    egui::Panel::right("decisions-context")
        .default_size(320.0)
        .resizable(false)
        .show(&mut root, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| context_ui(ui, s));
        });
    egui::CentralPanel::default().show(&mut root, |ui| preview_ui(ui, s));

    if popup.0
        && let Some(c) = &s.challenge
    {
        egui::Window::new("The panel adds a constraint")
            .collapsible(false)
            .resizable(false)
            .default_width(520.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.label(RichText::new(&c.event.title).size(theme::SIZE_HEADING).strong());
                ui.label(&c.event.description);
                ui.add_space(6.0);
                ui.label(format!(
                    "It applies from this quarter, {}. Re-plan now: change this quarter's decisions (the preview already counts the constraint) and the quarters after. Each report, and the debrief, compares your plan as it stood, the same plan under the constraint, and your re-plan.",
                    s.scenario.quarter_at(c.at as u32)
                ));
                ui.add_space(6.0);
                if crate::game::widgets::primary_button(ui, "Re-plan").clicked() {
                    actions.write(UiAction::DismissChallenge);
                }
            });
    }
    if view.confirm_zero_production {
        egui::Window::new("Make nothing this quarter?")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.label("Production is 0 for every product: you will only sell what is in stock.");
                ui.horizontal(|ui| {
                    if ui.button("End quarter anyway").clicked() {
                        view.confirm_zero_production = false;
                        actions.write(UiAction::EndQuarter);
                    }
                    if ui.button("Back").clicked() {
                        view.confirm_zero_production = false;
                    }
                });
            });
    }
    Ok(())
}

/// The problems the core would refuse the draft for, each naming its field.
fn draft_problems(s: &Session) -> Vec<FieldProblem> {
    crate::sim::preview::problems(&s.world, s.player_idx, &s.draft)
}

/// Shows, beside a control, the core's objections to the fields it sets (`field` or
/// any `field.…` / `field[…]`).
fn problem_note(ui: &mut egui::Ui, problems: &[FieldProblem], field: &str) {
    for p in problems {
        let matches = p.field == field
            || p.field
                .strip_prefix(field)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['));
        if matches {
            ui.label(RichText::new(&p.message).size(theme::SIZE_CAPTION).color(WORSE));
        }
    }
}

fn top_bar_ui(ui: &mut egui::Ui, s: &mut Session, actions: &mut MessageWriter<UiAction>) {
    let company = &s.world.companies[s.player_idx];
    let objectives = s.objectives();
    let met = objectives.iter().filter(|o| o.status == ObjectiveStatus::Met).count();
    let missed = objectives
        .iter()
        .filter(|o| o.status == ObjectiveStatus::Missed)
        .count();
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(&s.scenario.title).size(theme::SIZE_HEADING).strong());
        ui.separator();
        ui.label(RichText::new(format!("{} ({} of {})", s.world.quarter(), s.world.quarter_idx + 1, s.scenario.n_quarters)).size(theme::SIZE_HEADING));
        ui.separator();
        ui.label(format!("Cash {}", cny(company.cash))).on_hover_text("Cash at the start of this quarter. Below minus the credit line, the company is bankrupt.");
        ui.separator();
        ui.label(format!("Trust {:.2}", company.trust)).on_hover_text("Trust (0–1): moves with value for money against rivals, defects, stock-outs, monetisation, rebates and community spend.");
        ui.separator();
        ui.label(format!("Objectives: {met} met, {missed} missed, {} open", objectives.len() - met - missed));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Save").on_hover_text("Save this run in a new slot (Ctrl+S)").clicked() || ui.input(|i| i.modifiers.command && i.key_pressed(egui::Key::S)) {
                actions.write(UiAction::SaveSlot);
            }
            if !s.played.is_empty() {
                egui::ComboBox::from_id_salt("rewind").selected_text("Rewind to…").show_ui(ui, |ui| {
                    for q in 0..s.played.len() {
                        if ui.selectable_label(false, format!("start of {}", s.scenario.quarter_at(q as u32))).clicked() {
                            actions.write(UiAction::Rewind(q));
                        }
                    }
                });
            }
            if ui.button("Title").clicked() {
                actions.write(UiAction::BackToTitle);
            }
            ui.label(RichText::new("F1 help").color(MUTED)).on_hover_text("Every formula the model uses.");
        });
    });
    ui.add_space(4.0);
}

fn money_field(ui: &mut egui::Ui, label: &str, value: &mut f64, was: f64, max: f64, speed: f64, tip: &str) {
    ui.horizontal(|ui| {
        let range = format!(
            "{tip}\nValid range: ¥0 to {}.",
            crate::report::format::money("CNY", max)
        );
        field_label(ui, label, value.to_bits() != was.to_bits(), &range);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.add(
                egui::DragValue::new(value)
                    .range(0.0..=max)
                    .speed(speed)
                    .prefix("¥")
                    .custom_formatter(|v, _| crate::report::format::thousands(v.round().max(0.0) as u64))
                    .custom_parser(|t| t.replace([',', '¥', ' '], "").parse().ok()),
            );
        });
    });
}

pub(super) fn controls_ui(ui: &mut egui::Ui, s: &mut Session, view: &mut DecisionView, problems: &[FieldProblem]) {
    let sc = s.scenario.clone();
    let capacity = upcoming_capacity(&s.world, s.player_idx);
    let company = s.world.companies[s.player_idx].clone();
    let base = company.last_decisions.clone();
    let skus: Vec<_> = company
        .skus
        .iter()
        .filter(|k| !(matches!(k.status, SkuStatus::Retired { .. }) && k.stock() == 0))
        .collect();
    ui.label(RichText::new("Products").size(theme::SIZE_HEADING).strong());
    ui.horizontal_wrapped(|ui| {
        for (idx, sku) in skus.iter().enumerate() {
            let status = match sku.status {
                SkuStatus::Active => "",
                SkuStatus::Development { .. } => " (in development)",
                SkuStatus::Retired { .. } => " (retired)",
            };
            ui.selectable_value(&mut view.sku_tab, idx, format!("{}{status}", sku.name));
        }
    });
    if let Some(sku) = skus.get(view.sku_tab.min(skus.len().saturating_sub(1))) {
        let fresh = SkuDecision {
            price: sku.last_price,
            bom_cut: 0.0,
            mitigation: 0.0,
            production: 0,
        };
        let was = base.skus.get(&*sku.id).copied().unwrap_or(fresh);
        let entry = s.draft.skus.entry(sku.id.to_string()).or_insert(fresh);
        card(ui, &sku.name, |ui| {
            ui.horizontal(|ui| {
                field_label(
                    ui,
                    "Price",
                    entry.price != was.price,
                    "Retail price per unit (¥1 to ¥10,000,000). Dealers keep their margin of it.",
                );
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.add(
                        egui::DragValue::new(&mut entry.price)
                            .range(1.0..=decisions::MAX_PRICE)
                            .speed(10.0)
                            .prefix("¥")
                            .custom_formatter(|v, _| crate::report::format::thousands(v.round().max(0.0) as u64))
                            .custom_parser(|t| t.replace([',', '¥', ' '], "").parse().ok()),
                    );
                });
            });
            let mut cut_pct = entry.bom_cut * 100.0;
            // Written back only when the player moves it, so a planned 16.25% keeps its
            // bits (the slider shows one decimal but does not round).
            let moved = ui
                .horizontal(|ui| {
                    field_label(ui, "BOM cut", entry.bom_cut != was.bom_cut, "Share of the baseline bill of materials removed (0–50%). Beyond the safe cut, defects rise with the square of the excess.");
                    ui.add(egui::Slider::new(&mut cut_pct, 0.0..=50.0).suffix("%").custom_formatter(|v, _| format!("{v:.1}"))).changed()
                })
                .inner;
            if moved {
                entry.bom_cut = (cut_pct / 100.0).clamp(0.0, 0.5);
            }
            money_field(
                ui,
                "Mitigation",
                &mut entry.mitigation,
                was.mitigation,
                decisions::MAX_MONEY,
                100_000.0,
                "Engineering spend this quarter that protects quality under a BOM cut (raises the safe cut).",
            );
            let producible = matches!(sku.status, SkuStatus::Active)
                || matches!(sku.status, SkuStatus::Development { ready_idx } if ready_idx <= s.world.quarter_idx);
            ui.horizontal(|ui| {
                field_label(
                    ui,
                    "Production",
                    entry.production != was.production,
                    &format!(
                        "Units to make this quarter: 0 to the capacity of {} units.",
                        crate::report::format::thousands(capacity)
                    ),
                );
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.add_enabled(producible, egui::Button::new("max")).clicked() {
                        entry.production = capacity;
                    }
                    ui.add_enabled(
                        producible,
                        egui::DragValue::new(&mut entry.production)
                            .range(0..=capacity)
                            .speed(1000.0)
                            .suffix(" units")
                            .custom_formatter(|v, _| crate::report::format::thousands(v.round().max(0.0) as u64))
                            .custom_parser(|t| t.replace([',', ' '], "").trim_end_matches("units").trim().parse().ok()),
                    );
                });
            });
            if !producible {
                entry.production = 0;
                ui.label(
                    RichText::new("In development: it can be made once its lead time ends.")
                        .size(theme::SIZE_CAPTION)
                        .color(MUTED),
                );
            }
            if matches!(sku.status, SkuStatus::Active) {
                let mut retire = s.draft.retire.iter().any(|r| *r == *sku.id);
                if ui
                    .checkbox(
                        &mut retire,
                        "Retire this product (stock sells down, then is written off)",
                    )
                    .changed()
                {
                    s.draft.retire.retain(|r| *r != *sku.id);
                    if retire {
                        s.draft.retire.push(sku.id.to_string());
                    }
                }
            }
            problem_note(ui, problems, &sku.id);
            problem_note(ui, problems, "retire");
        });
    }
    let launchable: Vec<_> = sc
        .catalogue
        .iter()
        .filter(|k| !company.skus.iter().any(|o| *o.id == *k.id))
        .collect();
    if !launchable.is_empty() {
        ui.add_space(6.0);
        card(ui, "Launch from the catalogue", |ui| {
            for spec in launchable {
                let mut on = s.draft.launch.contains(&spec.id);
                let text = format!(
                    "{} — {} quarter(s) to develop, {} up front",
                    spec.name,
                    spec.lead_time,
                    cny(spec.launch_cost)
                );
                if ui.checkbox(&mut on, text).changed() {
                    s.draft.launch.retain(|l| *l != spec.id);
                    if on {
                        s.draft.launch.push(spec.id.clone());
                        s.draft.skus.entry(spec.id.clone()).or_insert(SkuDecision {
                            price: spec.list_price,
                            bom_cut: 0.0,
                            mitigation: 0.0,
                            production: 0,
                        });
                    } else {
                        s.draft.skus.remove(&spec.id);
                    }
                }
            }
            problem_note(ui, problems, "launch");
        });
    }
    ui.add_space(6.0);
    card(ui, "Channels", |ui| {
        for ch in Channel::ALL {
            let mut share = s.draft.channels[ch] * 100.0;
            let moved = ui.horizontal(|ui| {
                ui.label(RichText::new("■").color(channel_color(ch)));
                field_label(
                    ui,
                    channel_name(ch),
                    s.draft.channels[ch] != base.channels[ch],
                    "Share of this quarter's production sent to this channel (0–100%; all four sum to 100%).",
                );
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.add(
                        egui::Slider::new(&mut share, 0.0..=100.0)
                            .suffix("%")
                            .custom_formatter(|v, _| format!("{v:.1}")),
                    )
                    .changed()
                })
                .inner
            });
            // Only a moved slider writes back, and it shows one decimal without rounding
            // (egui's max_decimals rounds the value every frame): a planned 15.45% stays
            // 15.45%, so the shares still sum to 100%.
            if moved.inner {
                s.draft.channels[ch] = (share / 100.0).clamp(0.0, 1.0);
            }
        }
        let total = s.draft.channels.sum();
        ui.horizontal(|ui| {
            let ok = (total - 1.0).abs() <= 1e-9;
            ui.label(
                RichText::new(format!("Share of supply: {:.1}% of 100%", total * 100.0)).color(if ok {
                    MUTED
                } else {
                    WORSE
                }),
            );
            if !ok && total > 0.0 && ui.button("Scale to 100%").clicked() {
                let scaled = s.draft.channels.map(|_, v| v / total);
                let rest = 1.0 - (scaled.online + scaled.own_retail + scaled.platform);
                s.draft.channels = crate::sim::ChannelMap {
                    dealer: rest.max(0.0),
                    ..scaled
                };
            }
        });
        ui.horizontal(|ui| {
            field_label(
                ui,
                "Stores open",
                s.draft.stores != base.stores,
                &format!(
                    "Stores to run this quarter (rent and staff {} each per quarter; fit-out {} per new store).",
                    cny(sc.channels.own_retail.store_cost),
                    cny(sc.channels.own_retail.store_opening_cost)
                ),
            );
            ui.add(egui::DragValue::new(&mut s.draft.stores).range(0..=sc.finance.max_stores));
        });
        let mut margin = s.draft.dealer_margin * 100.0;
        let max_margin = upcoming_modifiers(&s.world).dealer_margin_max * 100.0;
        let moved = ui.horizontal(|ui| {
            field_label(ui, "Dealer margin", s.draft.dealer_margin != base.dealer_margin, "Share of the retail price dealers keep (0% to the cap shown); dealers carry your products in proportion to it.");
            ui.add(
                egui::Slider::new(&mut margin, 0.0..=max_margin)
                    .suffix("%")
                    .custom_formatter(|v, _| format!("{v:.1}")),
            )
            .changed()
        });
        if moved.inner {
            s.draft.dealer_margin = (margin / 100.0).clamp(0.0, 0.5);
        }
        for field in ["channels", "stores", "dealer_margin"] {
            problem_note(ui, problems, field);
        }
    });
    ui.add_space(6.0);
    card(ui, "Marketing, services, R&D", |ui| {
        money_field(
            ui,
            "Community",
            &mut s.draft.community,
            base.community,
            decisions::MAX_MONEY,
            100_000.0,
            "Fan community budget per quarter: strengthens word of mouth and trust.",
        );
        money_field(
            ui,
            "Paid traffic",
            &mut s.draft.paid_traffic,
            base.paid_traffic,
            decisions::MAX_MONEY,
            100_000.0,
            "Advertising per quarter: more buyers hear of you, at a traffic cost that rises every year.",
        );
        let mut m = s.draft.monetisation * 100.0;
        let moved = ui.horizontal(|ui| {
            field_label(ui, "Monetisation", s.draft.monetisation != base.monetisation, "Services monetisation intensity (0–100%: ads, paid services): more revenue per user, more churn, less trust past the tolerance.");
            ui.add(egui::Slider::new(&mut m, 0.0..=100.0).suffix("%").custom_formatter(|v, _| format!("{v:.0}"))).changed()
        });
        if moved.inner {
            s.draft.monetisation = (m / 100.0).clamp(0.0, 1.0);
        }
        money_field(
            ui,
            "R&D",
            &mut s.draft.rnd,
            base.rnd,
            decisions::MAX_MONEY,
            100_000.0,
            "R&D per quarter: builds a stock of know-how that raises your products' performance.",
        );
        for field in ["community", "paid_traffic", "monetisation", "rnd"] {
            problem_note(ui, problems, field);
        }
    });
}

pub(super) fn preview_ui(ui: &mut egui::Ui, s: &Session) {
    let p = preview(&s.world, s.player_idx, &s.draft);
    ui.label(RichText::new("Preview").size(theme::SIZE_HEADING).strong()).on_hover_text("What the model can tell before the quarter resolves, with no randomness: demand is not known until buyers choose.");
    for sku in &p.skus {
        let name = s.world.companies[s.player_idx]
            .skus
            .iter()
            .find(|k| *k.id == *sku.id)
            .map_or(sku.id.clone(), |k| k.name.to_string());
        card(ui, &name, |ui| {
            egui::Grid::new(format!("preview-{}", sku.id)).num_columns(2).spacing([24.0, 4.0]).show(ui, |ui| {
                ui.label("Unit cost").on_hover_text("BOM × (1 − cut) × learning × component drift × supply shock.");
                let change = sku.unit_cost_change.map_or(String::new(), |c| format!(" ({}{:.1}% q/q)", if c >= 0.0 { "+" } else { "−" }, c.abs() * 100.0));
                ui.label(RichText::new(format!("{}{change}", cny(sku.unit_cost))).strong());
                ui.end_row();
                ui.label("Defect rate").on_hover_text("base + k × max(0, cut − safe cut(mitigation))². Above the veto threshold the line stops and nothing ships.");
                let color = if sku.vetoed { WORSE } else { theme::TEXT };
                ui.label(RichText::new(format!("{} (veto above {})", pct(sku.defect_rate), pct(sku.veto_threshold))).color(color).strong());
                ui.end_row();
                for ch in Channel::ALL {
                    if s.draft.channels[ch] > 0.0 {
                        ui.label(format!("Gross margin, {}", channel_name(ch))).on_hover_text("(net price − unit cost) / net price; dealers pay price × (1 − dealer margin).");
                        ui.label(RichText::new(pct(sku.gross_margin[ch])).strong());
                        ui.end_row();
                    }
                }
                ui.label("Capacity");
                ui.label(format!("{} units", units(sku.capacity as f64)));
                ui.end_row();
            });
            if sku.vetoed {
                ui.label(RichText::new("Quality veto: at this cut and mitigation the line would stop.").color(WORSE));
            }
        });
        ui.add_space(6.0);
    }
    card(ui, "Company", |ui| {
        egui::Grid::new("preview-company").num_columns(2).spacing([24.0, 4.0]).show(ui, |ui| {
            ui.label("Cash committed this quarter").on_hover_text("Production at this unit cost, budgets, mitigation, launches, stores and overhead, before any sale.");
            ui.label(RichText::new(cny(p.committed)).strong());
            ui.end_row();
            ui.label("Cash runway").on_hover_text("(cash + credit line) / cash committed this quarter: quarters like this one you could pay for with no sales.");
            ui.label(RichText::new(if p.runway_quarters >= 99.0 { "99+ quarters".into() } else { format!("{:.1} quarters", p.runway_quarters) }).strong());
            ui.end_row();
            ui.label("Hardware margin cap").on_hover_text("Trailing-four-quarter hardware net margin above the cap is returned to users as a rebate.");
            match (p.cap, p.last_margin) {
                (Some(cap), Some(m)) => ui.label(RichText::new(format!("{} now, cap {} — headroom {:.1} pt", pct(m), pct(cap), (cap - m) * 100.0)).strong()),
                (Some(cap), None) => ui.label(RichText::new(format!("cap {}", pct(cap))).strong()),
                (None, Some(m)) => ui.label(RichText::new(format!("{} now; no cap pledged", pct(m))).strong()),
                (None, None) => ui.label("no cap pledged"),
            };
            ui.end_row();
        });
    });
    let rows = s.player_rows();
    if !rows.is_empty() {
        ui.add_space(6.0);
        let quarters: Vec<String> = rows.iter().map(|r| r.quarter.to_string()).collect();
        let mut refs = Vec::new();
        if let Some(cap) = s.scenario.cap.cap() {
            refs.push(Reference {
                name: format!("cap {}", pct(cap)),
                value: cap * 100.0,
            });
        }
        quarters_chart(
            ui,
            "preview-margin",
            "Hardware net margin, trailing four quarters",
            "margin (%)",
            &quarters,
            vec![
                Series {
                    name: "before cap".into(),
                    color: MUTED,
                    values: rows.iter().map(|r| r.hw_margin_before_cap * 100.0).collect(),
                },
                Series {
                    name: "after cap".into(),
                    color: ACCENT,
                    values: rows.iter().map(|r| r.hw_margin_after_cap * 100.0).collect(),
                },
            ],
            refs,
            150.0,
        );
    }
}

fn context_ui(ui: &mut egui::Ui, s: &Session) {
    if let Some(c) = &s.challenge {
        card(ui, "Panel constraint", |ui| {
            ui.label(
                RichText::new(format!(
                    "Since {}: {}",
                    s.scenario.quarter_at(c.at as u32),
                    c.event.title
                ))
                .color(WORSE),
            );
            ui.label(RichText::new(&c.event.description).size(theme::SIZE_CAPTION));
        });
        ui.add_space(6.0);
    }
    card(ui, "Objectives", |ui| {
        for o in s.objectives() {
            let (mark, color) = match o.status {
                ObjectiveStatus::Met => ("✔", theme::BETTER),
                ObjectiveStatus::Missed => ("✘", WORSE),
                ObjectiveStatus::Pending => ("○", MUTED),
            };
            ui.label(RichText::new(format!("{mark} {}", o.text)).color(color));
        }
    });
    ui.add_space(6.0);
    if let Some(last) = s.last_report() {
        card(ui, &format!("Last quarter ({})", last.quarter), |ui| {
            if last.events.is_empty() {
                ui.label(RichText::new("No market events.").color(MUTED));
            }
            for e in &last.events {
                ui.label(format!("• {e}"));
            }
        });
        ui.add_space(6.0);
    }
    let upcoming: Vec<_> = s
        .scenario
        .events
        .iter()
        .filter(|e| e.quarter_idx == s.world.quarter_idx)
        .collect();
    if !upcoming.is_empty() {
        card(ui, &format!("This quarter ({})", s.world.quarter()), |ui| {
            for e in upcoming {
                ui.label(RichText::new(&e.event.title).strong());
                ui.label(RichText::new(&e.event.description).size(theme::SIZE_CAPTION));
            }
        });
        ui.add_space(6.0);
    }
    card(ui, "Rivals (public prices and sales)", |ui| {
        for offer in &s.world.public.offers {
            let Some(company) = s.world.companies.get(offer.company_idx) else {
                continue;
            };
            if company.is_player {
                continue;
            }
            ui.label(RichText::new(format!("{} · {}", company.name, offer.sku_id)).strong());
            ui.label(
                RichText::new(format!(
                    "{} · sold {} last quarter",
                    cny(offer.price),
                    units(offer.units_sold as f64)
                ))
                .size(theme::SIZE_CAPTION)
                .color(MUTED),
            );
        }
    });
}
