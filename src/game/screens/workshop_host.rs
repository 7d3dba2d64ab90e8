//! Host a workshop: start a server on this computer (or reach one already running),
//! pick the scenario and the teams, optionally adjust the scenario's main parameters
//! and save them as a new scenario file, then create the workshop and open the console.

use super::{Screen, ScreenUi};
use crate::game::CampaignInfo;
use crate::game::theme::{self, ACCENT, BETTER, MUTED, WORSE};
use crate::game::widgets::{card, primary_button, root_ui};
use crate::game::workshop::WorkshopAction;
use crate::game::workshop::host::{HostSetup, ServerChoice};
use crate::scenario::adjust::Adjustments;
use crate::workshop::market::Variant;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        host_ui.in_set(ScreenUi).run_if(in_state(Screen::WorkshopHost)),
    );
}

fn host_ui(
    mut contexts: EguiContexts,
    mut setup: ResMut<HostSetup>,
    campaign: Res<CampaignInfo>,
    mut actions: MessageWriter<WorkshopAction>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = root_ui(ctx);
    egui::Panel::top("host-top").show(&mut root, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new("Host a workshop").size(theme::SIZE_TITLE * 0.7).strong().color(ACCENT));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("◀ Title").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    actions.write(WorkshopAction::Leave);
                }
            });
        });
        ui.label(
            RichText::new("1 · Start a server   2 · Choose the scenario and teams   3 · Create: the console shows each team's code and link")
                .color(MUTED),
        );
        ui.add_space(6.0);
    });
    egui::Panel::bottom("host-bottom").show(&mut root, |ui| {
        ui.add_space(6.0);
        if let Some((text, problem)) = &setup.message {
            ui.label(RichText::new(text).color(if *problem { WORSE } else { BETTER }));
        }
        ui.horizontal(|ui| {
            ui.label(
                RichText::new("Teams join from the game (Join a workshop) or any browser at the server's address.")
                    .color(MUTED),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let ready = setup.connected.is_some();
                if ui
                    .add_enabled(
                        ready,
                        egui::Button::new(RichText::new("Create workshop ▶").size(theme::SIZE_HEADING).strong())
                            .fill(ACCENT.linear_multiply(0.45))
                            .min_size(egui::vec2(220.0, 38.0)),
                    )
                    .clicked()
                {
                    actions.write(WorkshopAction::Create { seed: None });
                }
            });
        });
        ui.add_space(6.0);
    });
    egui::Panel::left("host-server")
        .exact_size(420.0)
        .resizable(false)
        .show(&mut root, |ui| {
            ui.add_space(6.0);
            server_ui(ui, &mut setup, &mut actions);
        });
    egui::CentralPanel::default().show(&mut root, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.add_enabled_ui(setup.connected.is_some(), |ui| {
                workshop_ui(ui, &mut setup);
                ui.add_space(8.0);
                adjust_ui(ui, &mut setup, &campaign, &mut actions);
            });
        });
    });
    Ok(())
}

fn server_ui(ui: &mut egui::Ui, setup: &mut HostSetup, actions: &mut MessageWriter<WorkshopAction>) {
    card(ui, "1 · Server", |ui| {
        let connected = setup.connected.is_some();
        ui.add_enabled_ui(!connected, |ui| {
            let local = matches!(setup.server, ServerChoice::Local { .. });
            if ui.radio(local, "Start a server on this computer").clicked() && !local {
                setup.server = ServerChoice::Local {
                    port: crate::game::workshop::host::DEFAULT_PORT,
                    open: true,
                };
            }
            if let ServerChoice::Local { port, open } = &mut setup.server {
                ui.indent("local", |ui| {
                    ui.horizontal(|ui| {
                        ui.label("Port");
                        ui.add(egui::DragValue::new(port).range(0..=65535))
                            .on_hover_text("7878 unless it is taken; 0 picks any free port");
                    });
                    ui.checkbox(open, "Let laptops on this network join")
                        .on_hover_text("Listens on every network interface (plain HTTP): use it on a classroom network, not the open internet. Unticked, only this computer can join.");
                });
            }
            if ui.radio(!local, "Use a server already running (thin-margin serve)").clicked() && local {
                setup.server = ServerChoice::Remote {
                    url: "http://127.0.0.1:7878".into(),
                    admin_token: String::new(),
                };
            }
            if let ServerChoice::Remote { url, admin_token } = &mut setup.server {
                ui.indent("remote", |ui| {
                    ui.label("Address");
                    ui.add(egui::TextEdit::singleline(url).desired_width(320.0));
                    ui.label("Admin token (the server printed where it keeps it)");
                    ui.add(egui::TextEdit::singleline(admin_token).password(true).desired_width(320.0));
                });
            }
        });
        ui.add_space(6.0);
        match &setup.connected {
            Some((client, _, library)) => {
                ui.label(
                    RichText::new(format!(
                        "✔ {} · {} scenarios",
                        client.base_url(),
                        library.scenarios.len()
                    ))
                    .color(BETTER),
                );
            }
            None => {
                let label = if matches!(setup.server, ServerChoice::Local { .. }) {
                    "Start server"
                } else {
                    "Connect"
                };
                if primary_button(ui, label).clicked() {
                    actions.write(WorkshopAction::Connect);
                }
            }
        }
    });
}

fn workshop_ui(ui: &mut egui::Ui, setup: &mut HostSetup) {
    card(ui, "2 · Scenario and teams", |ui| {
        let scenarios = setup
            .connected
            .as_ref()
            .map(|c| c.2.scenarios.clone())
            .unwrap_or_default();
        egui::Grid::new("host-form")
            .num_columns(2)
            .spacing([14.0, 8.0])
            .show(ui, |ui| {
                ui.label("Scenario");
                let shown = scenarios
                    .iter()
                    .find(|s| s.id == setup.scenario)
                    .map_or(setup.scenario.clone(), |s| {
                        format!("{} ({} quarters)", s.title, s.quarters)
                    });
                egui::ComboBox::from_id_salt("host-scenario")
                    .width(380.0)
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        for s in &scenarios {
                            if ui
                                .selectable_label(
                                    setup.scenario == s.id,
                                    format!("{} ({} quarters)", s.title, s.quarters),
                                )
                                .clicked()
                            {
                                setup.scenario = s.id.clone();
                                setup.adjust = None;
                            }
                        }
                    });
                ui.end_row();
                ui.label("Workshop title");
                ui.add(
                    egui::TextEdit::singleline(&mut setup.title)
                        .hint_text("e.g. Strategy 101, group B")
                        .desired_width(380.0),
                );
                ui.end_row();
                ui.label("Teams");
                ui.add(egui::DragValue::new(&mut setup.teams).range(2..=60));
                ui.end_row();
                ui.label("Team names")
                    .on_hover_text("One per line or separated by commas; the rest are Team 1, Team 2, …");
                ui.add(
                    egui::TextEdit::multiline(&mut setup.team_names)
                        .desired_rows(2)
                        .hint_text("optional: Falcons, Owls, …")
                        .desired_width(380.0),
                );
                ui.end_row();
                ui.label("Computer-run companies")
                    .on_hover_text("Added to the market; they follow prices the way MODEL.md's rivals do.");
                ui.add(egui::DragValue::new(&mut setup.computer_seats).range(0..=20));
                ui.end_row();
                ui.label("Practice rounds")
                    .on_hover_text("Played first, then the market restarts; they do not count.");
                ui.add(egui::DragValue::new(&mut setup.practice_rounds).range(0..=3));
                ui.end_row();
                ui.label("Market conditions").on_hover_text("Not told to teams.");
                egui::ComboBox::from_id_salt("host-variant")
                    .selected_text(variant_name(setup.variant))
                    .show_ui(ui, |ui| {
                        for v in [Variant::Standard, Variant::Growth, Variant::Recession] {
                            ui.selectable_value(&mut setup.variant, v, variant_name(v));
                        }
                    });
                ui.end_row();
                ui.label("Close rounds at the deadline");
                ui.checkbox(&mut setup.auto_close, "");
                ui.end_row();
            });
    });
}

fn variant_name(v: Variant) -> &'static str {
    match v {
        Variant::Standard => "As in the scenario",
        Variant::Growth => "Growth (+15% buyers, unannounced)",
        Variant::Recession => "Recession (−15% buyers, unannounced)",
    }
}

fn adjust_ui(
    ui: &mut egui::Ui,
    setup: &mut HostSetup,
    campaign: &CampaignInfo,
    actions: &mut MessageWriter<WorkshopAction>,
) {
    card(ui, "Adjust this scenario (optional)", |ui| {
        let max_rivals = setup.rivals_max;
        let Some(adjust) = setup.adjust.as_mut() else {
            ui.label(RichText::new("Change the market size, the shocks, the margin cap or the number of computer-run rivals, and save it as a new scenario: no RON editing.").color(MUTED));
            if ui.button("Adjust…").clicked() {
                match starting_adjustments(&setup.scenario, campaign, &setup.data) {
                    Ok(a) => {
                        setup.rivals_max = a.rivals;
                        setup.adjust = Some(a);
                    }
                    Err(e) => setup.message = Some((e, true)),
                }
            }
            return;
        };
        egui::Grid::new("adjust-form")
            .num_columns(2)
            .spacing([14.0, 8.0])
            .show(ui, |ui| {
                ui.label("New scenario id");
                ui.add(egui::TextEdit::singleline(&mut adjust.id).desired_width(260.0))
                    .on_hover_text("Lowercase letters, digits and dashes; the file is <id>.ron");
                ui.end_row();
                ui.label("Title");
                ui.add(egui::TextEdit::singleline(&mut adjust.title).desired_width(380.0));
                ui.end_row();
                ui.label("Market size");
                ui.add(
                    egui::Slider::new(&mut adjust.market_size, 0.25..=4.0)
                        .suffix("×")
                        .custom_formatter(|v, _| format!("{v:.2}")),
                )
                .on_hover_text("Multiplies every segment's potential buyers and current owners.");
                ui.end_row();
                ui.label("Scheduled shocks");
                ui.checkbox(
                    &mut adjust.shocks,
                    "keep the scenario's events (shortages, price wars, …)",
                );
                ui.end_row();
                ui.label("Margin cap");
                ui.checkbox(&mut adjust.cap_enabled, "the 5% cap on hardware net margin is in force");
                ui.end_row();
                ui.label("Computer-run rivals");
                ui.add(egui::DragValue::new(&mut adjust.rivals).range(0..=max_rivals));
                ui.end_row();
            });
        ui.horizontal(|ui| {
            if ui.button(RichText::new("Save as new scenario").strong()).clicked() {
                actions.write(WorkshopAction::SaveAdjusted);
            }
            if ui.button("Cancel").clicked() {
                setup.adjust = None;
            }
        });
    });
}

fn starting_adjustments(id: &str, campaign: &CampaignInfo, data: &std::path::Path) -> Result<Adjustments, String> {
    let path = crate::game::workshop::host::scenario_file(id, &campaign.dir, data);
    let mut a = Adjustments::from_path(&path).map_err(|e| e.to_string())?;
    a.id = format!("{id}-workshop");
    a.title = format!("{} (workshop)", a.title);
    Ok(a)
}
