//! What a player (or the scripted player) asks the game to do, and the one system
//! that does it: start a scenario, end a quarter, move between screens, save, load,
//! rewind. Screens only send [`UiAction`]s; they never change the run themselves.

use super::analysis::{AnalysisView, plan_of};
use super::panel::{ChallengePopup, draw_from_library};
use super::screens::Screen;
use super::session::ActiveSession;
use super::theme::UiScale;
use super::{CampaignInfo, PlayerProfile};
use crate::save::run_file::{self, list_saves, read_save, write_save};
use crate::save::session::Session;
use crate::scenario::{load::read_text, parse_scenario};
use bevy::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// A request from the UI.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum UiAction {
    OpenCampaign,
    OpenSettings,
    OpenLoad,
    BackToTitle,
    /// Load the newest save.
    Continue,
    StartScenario {
        id: String,
        seed: u64,
    },
    BeginPlay,
    EndQuarter,
    ShowReport,
    NextQuarter,
    SaveSlot,
    /// Write the three-slide debrief of the finished run.
    ExportDebrief,
    /// Open the Analysis screen (it returns to the screen it was opened from).
    OpenAnalysis,
    CloseAnalysis,
    /// Start a sweep, goal seek or tornado on the run's plan (off the UI thread).
    RunAnalysis(super::analysis::Request),
    CancelAnalysis,
    /// The panel adds a constraint from the library this quarter.
    DrawChallenge,
    /// Close the pop-up that announces it.
    DismissChallenge,
    /// Write a value found by analysis into this quarter's draft (a decision address
    /// such as `q3.flagship.price`), then show the decisions.
    ApplyDecision {
        param: String,
        value: f64,
    },
    LoadSave(PathBuf),
    Rewind(usize),
    SetScale(f32),
    SetFullscreen(bool),
    Quit,
}

/// A message for the player, shown as a banner until dismissed.
#[derive(Resource, Default, Debug)]
pub struct Notice(pub Option<String>);

/// The system set that applies actions (scripts send theirs before it).
#[derive(SystemSet, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApplyActions;

pub(super) fn plugin(app: &mut App) {
    app.add_message::<UiAction>()
        .init_resource::<Notice>()
        .init_resource::<AnalysisView>()
        .init_resource::<ChallengePopup>()
        .add_systems(Update, apply_actions.in_set(ApplyActions));
}

fn apply_actions(
    mut commands: Commands,
    mut actions: MessageReader<UiAction>,
    mut next: ResMut<NextState<Screen>>,
    mut session: Option<ResMut<ActiveSession>>,
    mut notice: ResMut<Notice>,
    mut profile: ResMut<PlayerProfile>,
    mut scale: ResMut<UiScale>,
    campaign: Res<CampaignInfo>,
    mut exit: MessageWriter<AppExit>,
    mut windows: Query<&mut Window>,
    state: Res<State<Screen>>,
    mut analysis: ResMut<AnalysisView>,
    mut popup: ResMut<ChallengePopup>,
) {
    for action in actions.read() {
        match action {
            UiAction::OpenCampaign => next.set(Screen::Campaign),
            UiAction::OpenSettings => next.set(Screen::Settings),
            UiAction::OpenLoad => next.set(Screen::Load),
            UiAction::BackToTitle => next.set(Screen::Title),
            UiAction::Quit => {
                exit.write(AppExit::Success);
            }
            UiAction::StartScenario { id, seed } => {
                let path = campaign.dir.join(format!("{id}.ron"));
                match Session::start(&path, *seed) {
                    Ok(s) => {
                        commands.insert_resource(ActiveSession(s));
                        next.set(Screen::Briefing);
                    }
                    Err(e) => notice.0 = Some(e.to_string()),
                }
            }
            UiAction::BeginPlay => next.set(Screen::Decisions),
            UiAction::EndQuarter => {
                let Some(s) = session.as_deref_mut() else { continue };
                match s.0.end_quarter() {
                    Ok(()) => {
                        autosave(&s.0, profile.saves_dir.as_deref(), &mut notice);
                        next.set(Screen::Resolution);
                    }
                    Err(e) => notice.0 = Some(e.to_string()),
                }
            }
            UiAction::ShowReport => next.set(Screen::Report),
            UiAction::NextQuarter => {
                let Some(s) = session.as_deref() else { continue };
                if s.0.is_over() {
                    let score = s.0.score().total;
                    profile.profile.record_score(&s.0.scenario.id, score);
                    profile.persist();
                    next.set(Screen::Debrief);
                } else {
                    next.set(Screen::Decisions);
                }
            }
            UiAction::SaveSlot => {
                let Some(s) = session.as_deref() else { continue };
                let name = format!("{} {}", s.0.scenario.title, s.0.world.quarter());
                match profile.saves_dir.clone() {
                    Some(dir) => {
                        let file = format!("{}-{}.ron", s.0.scenario.id, s.0.world.quarter());
                        notice.0 = Some(match write_save(&dir.join(&file), &s.0.to_save(&name)) {
                            Ok(()) => format!("Saved as {}", dir.join(file).display()),
                            Err(e) => e.to_string(),
                        });
                    }
                    None => notice.0 = Some("this platform has no data folder to save into".into()),
                }
            }
            UiAction::ExportDebrief => {
                let Some(s) = session.as_deref() else { continue };
                let s = &s.0;
                let dir = profile
                    .saves_dir
                    .as_deref()
                    .and_then(std::path::Path::parent)
                    .map(|d| d.join("debriefs").join(format!("{}-seed{}", s.scenario.id, s.seed)));
                notice.0 = Some(
                    match (dir, crate::report::slides::deck(&s.scenario, s.seed, &s.played)) {
                        (Some(dir), Some(deck)) => match crate::chart::write_debrief(&deck, &dir) {
                            Ok(_) => format!(
                                "The 3-slide debrief is in {} (debrief.pdf, slide-1…3.png, debrief.md)",
                                dir.display()
                            ),
                            Err(e) => e.to_string(),
                        },
                        (None, _) => "this platform has no data folder to write the debrief into".into(),
                        (_, None) => "this scenario has no objective to present".into(),
                    },
                );
            }
            UiAction::OpenAnalysis => {
                analysis.return_to = Some(*state.get());
                next.set(Screen::Analysis);
            }
            UiAction::CloseAnalysis => {
                // Leaving stops work the player can no longer see.
                analysis.job = None;
                next.set(analysis.return_to.take().unwrap_or(Screen::Decisions));
            }
            UiAction::RunAnalysis(request) => {
                let Some(s) = session.as_deref() else { continue };
                analysis.run(&s.0, request.clone());
            }
            UiAction::CancelAnalysis => {
                if let Some(job) = &analysis.job {
                    job.cancel();
                }
            }
            UiAction::DrawChallenge => {
                let Some(s) = session.as_deref_mut() else { continue };
                let s = &mut s.0;
                let drawn = draw_from_library(&campaign.dir.join("constraints"), s.seed, s.played.len())
                    .and_then(|(name, event)| s.draw_challenge(&name, &event));
                match drawn {
                    Ok(()) => popup.0 = true,
                    Err(why) => notice.0 = Some(why),
                }
            }
            UiAction::DismissChallenge => popup.0 = false,
            UiAction::ApplyDecision { param, value } => {
                let Some(s) = session.as_deref_mut() else { continue };
                let s = &mut s.0;
                let q = s.played.len();
                let applied = crate::analysis::address::Address::parse(param, &s.scenario)
                    .and_then(|a| a.applied(&s.scenario, &plan_of(s), q, *value));
                match applied {
                    Ok(draft) if !s.is_over() => {
                        s.draft = draft;
                        notice.0 = Some(format!(
                            "Applied from Analysis: {} = {}. The preview shows what it changes.",
                            super::analysis::param_label(s, param),
                            super::analysis::param_value(param, *value)
                        ));
                        analysis.job = None;
                        analysis.return_to = None;
                        next.set(Screen::Decisions);
                    }
                    Ok(_) => notice.0 = Some("the run is over: there is no quarter to apply a value to".into()),
                    Err(why) => notice.0 = Some(format!("cannot apply {param}: {why}")),
                }
            }
            UiAction::Continue => match profile.saves_dir.as_deref().map(|d| list_saves(d).0) {
                Some(saves) if !saves.is_empty() => {
                    load(&mut commands, &campaign, &saves[0].path, &mut next, &mut notice)
                }
                _ => notice.0 = Some("no saved game yet: start a new campaign".into()),
            },
            UiAction::LoadSave(path) => load(&mut commands, &campaign, path, &mut next, &mut notice),
            UiAction::Rewind(quarter_idx) => {
                let Some(s) = session.as_deref_mut() else { continue };
                s.0.rewind(*quarter_idx);
                next.set(Screen::Decisions);
            }
            UiAction::SetFullscreen(on) => {
                for mut window in &mut windows {
                    window.mode = window_mode(*on);
                }
                profile.profile.settings.fullscreen = *on;
                profile.persist();
            }
            UiAction::SetScale(value) => {
                scale.0 = *value;
                profile.profile.settings.ui_scale = *value;
                profile.persist();
            }
        }
    }
}

/// Writes the autosave for the run; a failure is reported, never fatal.
fn autosave(session: &Session, dir: Option<&std::path::Path>, notice: &mut Notice) {
    let Some(dir) = dir else { return };
    let path = dir.join(format!("autosave-{}.ron", session.scenario.id));
    let name = format!(
        "Autosave: {}, after {}",
        session.scenario.title,
        session
            .scenario
            .quarter_at(session.played.len().saturating_sub(1) as u32)
    );
    if let Err(e) = write_save(&path, &session.to_save(&name)) {
        notice.0 = Some(e.to_string());
    }
}

/// Loads a save: finds its scenario beside the campaign, replays it, opens the decisions.
fn load(
    commands: &mut Commands,
    campaign: &CampaignInfo,
    path: &std::path::Path,
    next: &mut NextState<Screen>,
    notice: &mut Notice,
) {
    let result = (|| {
        let (save, text) = read_save(path)?;
        let scenario_path = campaign.dir.join(format!("{}.ron", save.scenario));
        let scenario_text = read_text(&scenario_path)?;
        let scenario = Arc::new(parse_scenario(&scenario_path, &scenario_text)?);
        let hash = run_file::scenario_hash(&scenario_text);
        Session::from_save(path, &text, &save, scenario, &hash, None)
    })();
    match result {
        Ok(s) => {
            let over = s.is_over();
            commands.insert_resource(ActiveSession(s));
            next.set(if over { Screen::Debrief } else { Screen::Decisions });
        }
        Err(e) => notice.0 = Some(e.to_string()),
    }
}

/// The window mode for the fullscreen setting.
pub fn window_mode(fullscreen: bool) -> bevy::window::WindowMode {
    if fullscreen {
        bevy::window::WindowMode::BorderlessFullscreen(bevy::window::MonitorSelection::Current)
    } else {
        bevy::window::WindowMode::Windowed
    }
}
