//! Scripted play: the real window, driven through the same [`UiAction`]s a player's
//! clicks send and the same draft a player edits, saving a PNG of each screen it
//! passes (title, briefing, decisions, events, report, debrief), then exiting.
//! `thin-margin play` uses it; CI runs it under Xvfb as a visual smoke test.

use super::actions::UiAction;
use super::screens::Screen;
use super::session::ActiveSession;
use crate::sim::decisions::CompanyDecisions;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use bevy::window::RequestRedraw;
use std::path::PathBuf;

/// What to play and where to put the pictures.
#[derive(Clone, Debug)]
pub struct ScriptOptions {
    pub scenario_id: String,
    pub seed: u64,
    /// The player's decisions per quarter (from a log or a strategy, played in the core first).
    pub decisions: Vec<CompanyDecisions>,
    pub screenshots: PathBuf,
}

/// Frames to wait on a screen before acting, so egui has laid it out.
const SETTLE_FRAMES: u32 = 6;
/// Give up (and fail) after this many frames.
const FRAME_LIMIT: u32 = 20_000;

#[derive(Resource)]
struct Script {
    options: ScriptOptions,
    frame: u32,
    on_screen: u32,
    screen: Option<Screen>,
    /// Screens already photographed, by file stem.
    taken: Vec<String>,
    waiting_for: Option<PathBuf>,
    /// The quarter whose draft has been filled in.
    drafted: Option<usize>,
    event_shot_taken: bool,
}

#[derive(Resource, Default)]
struct ShotDone(bool);

pub fn plugin(app: &mut App, options: ScriptOptions) {
    app.insert_resource(Script {
        options,
        frame: 0,
        on_screen: 0,
        screen: None,
        taken: Vec::new(),
        waiting_for: None,
        drafted: None,
        event_shot_taken: false,
    })
    .init_resource::<ShotDone>()
    .add_systems(Update, drive.before(super::actions::ApplyActions));
}

fn drive(
    mut commands: Commands,
    mut script: ResMut<Script>,
    mut done: ResMut<ShotDone>,
    state: Res<State<Screen>>,
    session: Option<ResMut<ActiveSession>>,
    mut actions: MessageWriter<UiAction>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut exit: MessageWriter<AppExit>,
) {
    // The game idles without input; keep frames coming while the script runs.
    redraw.write(RequestRedraw);
    script.frame += 1;
    if script.frame > FRAME_LIMIT {
        error!("scripted play stuck on {:?} after {} frames", state.get(), script.frame);
        exit.write(AppExit::error());
        return;
    }
    let screen = *state.get();
    if script.screen != Some(screen) {
        script.screen = Some(screen);
        script.on_screen = 0;
    }
    script.on_screen += 1;
    if let Some(path) = script.waiting_for.clone() {
        if done.0 && path.exists() {
            script.waiting_for = None;
            script.on_screen = 0;
        }
        return;
    }
    if script.on_screen < SETTLE_FRAMES {
        return;
    }
    let quarter = session.as_ref().map_or(0, |s| s.0.played.len());
    let n_quarters = session.as_ref().map_or(0, |s| s.0.scenario.n_quarters as usize);
    let last_quarter = n_quarters.saturating_sub(1);
    let quarter_name = session
        .as_ref()
        .map(|s| s.0.scenario.quarter_at(quarter as u32).to_string())
        .unwrap_or_default();
    let mut shoot = |script: &mut Script, stem: String, done: &mut ShotDone| -> bool {
        if script.taken.contains(&stem) {
            return false;
        }
        let path = script.options.screenshots.join(format!("{stem}.png"));
        let _ = std::fs::remove_file(&path);
        done.0 = false;
        commands
            .spawn(Screenshot::primary_window())
            .observe(save_to_disk(path.clone()))
            .observe(|_: On<ScreenshotCaptured>, mut done: ResMut<ShotDone>| done.0 = true);
        info!("screenshot {}", path.display());
        script.taken.push(stem);
        script.waiting_for = Some(path);
        true
    };
    match screen {
        Screen::Title => {
            if !shoot(&mut script, "01-title".into(), &mut done) {
                let (id, seed) = (script.options.scenario_id.clone(), script.options.seed);
                actions.write(UiAction::StartScenario { id, seed });
            }
        }
        Screen::Briefing => {
            if !shoot(&mut script, "02-briefing".into(), &mut done) {
                actions.write(UiAction::BeginPlay);
            }
        }
        Screen::Decisions => {
            let Some(mut session) = session else { return };
            if script.drafted != Some(quarter) {
                // Fill in the quarter's decisions the way a player's edits would.
                if let Some(d) = script.options.decisions.get(quarter) {
                    session.0.draft = d.clone();
                }
                script.drafted = Some(quarter);
                script.on_screen = 0;
                return;
            }
            let wanted = quarter == 0 || quarter == last_quarter;
            if !(wanted && shoot(&mut script, format!("03-decisions-{quarter_name}"), &mut done)) {
                actions.write(UiAction::EndQuarter);
            }
        }
        Screen::Resolution => {
            let played = quarter.saturating_sub(1);
            let name = session
                .as_ref()
                .map(|s| s.0.scenario.quarter_at(played as u32).to_string())
                .unwrap_or_default();
            let has_events = session
                .as_ref()
                .and_then(|s| s.0.last_report())
                .is_some_and(|r| !r.events.is_empty());
            let wanted = played == 0 || (has_events && !script.event_shot_taken);
            if wanted && shoot(&mut script, format!("04-events-{name}"), &mut done) {
                script.event_shot_taken |= has_events;
                return;
            }
            actions.write(UiAction::ShowReport);
        }
        Screen::Report => {
            let played = quarter.saturating_sub(1);
            let name = session
                .as_ref()
                .map(|s| s.0.scenario.quarter_at(played as u32).to_string())
                .unwrap_or_default();
            let wanted = played == 0 || played == last_quarter || played == 1;
            if !(wanted && shoot(&mut script, format!("05-report-{name}"), &mut done)) {
                actions.write(UiAction::NextQuarter);
            }
        }
        Screen::Debrief => {
            if !shoot(&mut script, "06-debrief".into(), &mut done) {
                info!("scripted play finished: {} screenshots", script.taken.len());
                exit.write(AppExit::Success);
            }
        }
        other => {
            error!("scripted play reached an unexpected screen: {other:?}");
            exit.write(AppExit::error());
        }
    }
}

/// Checks the screenshots of a scripted run: at least one of each screen, each
/// 1280×800, none a single colour. Returns a summary line per file.
pub fn check_screenshots(dir: &std::path::Path) -> Result<String, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    files.sort();
    let mut summary = String::new();
    for stem in [
        "01-title",
        "02-briefing",
        "03-decisions",
        "04-events",
        "05-report",
        "06-debrief",
    ] {
        if !files
            .iter()
            .any(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with(stem)))
        {
            return Err(format!("{}: no {stem} screenshot", dir.display()));
        }
    }
    for file in &files {
        let image = image::open(file)
            .map_err(|e| format!("{}: not a readable PNG: {e}", file.display()))?
            .to_rgb8();
        let (w, h) = image.dimensions();
        if (w, h) != (1280, 800) {
            return Err(format!("{}: {w}×{h}, expected the window's 1280×800", file.display()));
        }
        let first = image.get_pixel(0, 0);
        if image.pixels().all(|p| p == first) {
            return Err(format!("{}: a single colour: nothing was drawn", file.display()));
        }
        summary += &format!("{}: ok ({w}×{h})\n", file.display());
    }
    Ok(summary)
}
