//! Campaign: the scenarios in order as cards — locked or open, best score, pitch.

use super::{Screen, ScreenUi};
use crate::game::actions::{Notice, UiAction};
use crate::game::theme::{self, MUTED};
use crate::game::widgets::{card, notice_banner, root_ui};
use crate::game::{CampaignInfo, PlayerProfile};
use crate::scenario::campaign::CampaignEntry;
use crate::scenario::load_scenario;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::RichText;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        campaign_ui.in_set(ScreenUi).run_if(in_state(Screen::Campaign)),
    );
}

/// A seed for a new run: varied between runs, recorded in every save.
pub fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

fn campaign_ui(
    mut contexts: EguiContexts,
    mut actions: MessageWriter<UiAction>,
    mut notice: ResMut<Notice>,
    profile: Res<PlayerProfile>,
    campaign: Res<CampaignInfo>,
    mut summaries: Local<Vec<(String, String, String, String)>>,
) -> Result {
    if summaries.is_empty() {
        for id in campaign.campaign.ids() {
            let id = id.to_string();
            match load_scenario(&campaign.dir.join(format!("{id}.ron"))) {
                Ok(s) => summaries.push((
                    id.clone(),
                    s.title.clone(),
                    s.pitch.clone(),
                    format!("{} · {} quarters", s.start, s.n_quarters),
                )),
                Err(e) => summaries.push((id.clone(), id.clone(), e.to_string(), String::new())),
            }
        }
    }
    let ctx = contexts.ctx_mut()?;
    let mut root = root_ui(ctx);
    egui::CentralPanel::default().show(&mut root, |ui| {
        notice_banner(ui, &mut notice);
        ui.horizontal(|ui| {
            if ui.button("◀ Title").clicked() {
                actions.write(UiAction::BackToTitle);
            }
            ui.label(
                RichText::new(&campaign.campaign.title)
                    .size(theme::SIZE_TITLE * 0.7)
                    .strong(),
            );
        });
        ui.add_space(12.0);
        // Three cards a row, so the whole campaign fits on one screen.
        let indexed: Vec<(usize, &(String, String, String, String))> = summaries.iter().enumerate().collect();
        egui::ScrollArea::vertical().show(ui, |ui| {
            for row in indexed.chunks(3) {
                ui.columns(3, |cols| {
                    for (col, (idx, (id, title, pitch, when))) in cols.iter_mut().zip(row) {
                        let Some(entry) = campaign.campaign.scenarios.get(*idx) else {
                            continue;
                        };
                        let open = profile.profile.is_unlocked(entry);
                        let best = profile.profile.best_scores.get(id);
                        // Left-aligned, not justified: columns justify their contents by default.
                        let layout = egui::Layout::top_down(egui::Align::Min);
                        col.with_layout(layout, |col| {
                            card(col, &format!("{}. {title}", idx + 1), |ui| {
                                ui.set_min_height(110.0);
                                ui.label(RichText::new(pitch).color(MUTED));
                                ui.label(
                                    RichText::new(format!(
                                        "{when} · {}",
                                        match best {
                                            Some(s) => format!("best score {s:.0}/100"),
                                            None => "not played yet".into(),
                                        }
                                    ))
                                    .size(theme::SIZE_CAPTION)
                                    .color(MUTED),
                                );
                                ui.add_enabled_ui(open, |ui| {
                                    let label = if open {
                                        "Play ▶".to_string()
                                    } else {
                                        lock_reason(entry, &summaries)
                                    };
                                    if ui.button(label).clicked() {
                                        actions.write(UiAction::StartScenario {
                                            id: id.clone(),
                                            seed: fresh_seed(),
                                        });
                                    }
                                });
                            })
                        });
                    }
                });
                ui.add_space(8.0);
            }
        });
    });
    Ok(())
}

/// What a locked entry needs, in the titles the player sees.
fn lock_reason(entry: &CampaignEntry, summaries: &[(String, String, String, String)]) -> String {
    let titles: Vec<&str> = entry
        .after
        .iter()
        .map(|id| {
            summaries
                .iter()
                .find(|s| &s.0 == id)
                .map_or(id.as_str(), |s| s.1.as_str())
        })
        .collect();
    let list = titles.join(" and ");
    if entry.min_score > 0.0 {
        format!("🔒 Score {:.0}+ in {list} to unlock", entry.min_score)
    } else {
        format!("🔒 Finish {list} to unlock")
    }
}
