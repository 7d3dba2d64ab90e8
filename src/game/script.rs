//! Scripted play: the real window, driven through the same [`UiAction`]s a player's
//! clicks send and the same draft a player edits, saving a PNG of each screen it
//! passes (title, campaign, briefing, decisions, events, report, debrief, load,
//! settings), then exiting. It never saves and never touches the player's profile.
//! `thin-margin play` uses it; CI runs it under Xvfb as a visual smoke test.

use super::actions::UiAction;
use super::analysis::{AnalysisView, Request, Tool};
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
    pub extras: Extras,
}

/// What a scripted run does besides playing its decisions.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// Also measure frame times per screen (and an empty window) into this file.
    pub timings: Option<PathBuf>,
    /// Visit the Analysis screen in the first quarter: sweep, heatmap, goal seek, tornado.
    pub analysis: bool,
    /// Draw a panel challenge halfway through and play on under it.
    pub panel_challenge: bool,
}

/// Frames measured per screen when timing.
const TIMED_FRAMES: u32 = 60;

/// Frame-time measurements of a scripted run.
#[derive(Resource, Default)]
struct Timings {
    /// When the process started.
    started: Option<std::time::Instant>,
    first_title_frame: Option<f64>,
    /// Per screen: (name, frames, total frame seconds, total seconds in our UI systems).
    screens: Vec<(String, u32, f64, f64)>,
    current: Option<(String, u32, f64, f64)>,
    ui_started: Option<std::time::Instant>,
    ui_seconds: f64,
}

/// Frames to wait on a screen before acting, so egui has laid it out.
const SETTLE_FRAMES: u32 = 6;
/// Give up (and fail) after this many frames.
const FRAME_LIMIT: u32 = 20_000;
/// Fail when one screen has not moved on after this many frames (e.g. the game
/// refuses the scripted decisions), saying why, instead of spinning to the limit.
const STUCK_FRAMES: u32 = 900;

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
    /// The Analysis visit: the next step, and the request sent and awaited.
    analysis_step: usize,
    analysis_sent: Option<Request>,
}

/// The Analysis visit's steps, in order; with --timings a large sweep is timed first.
const ANALYSIS_STEPS: [&str; 5] = ["timed", "sweep", "heatmap", "goal-seek", "tornado"];

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
        analysis_step: 0,
        analysis_sent: None,
    })
    .init_resource::<ShotDone>()
    .insert_resource(Timings {
        started: Some(super::process_start()),
        ..default()
    })
    .add_systems(Update, drive.before(super::actions::ApplyActions))
    .add_systems(
        bevy_egui::EguiPrimaryContextPass,
        (
            (|mut t: ResMut<Timings>| t.ui_started = Some(std::time::Instant::now())).before(super::screens::ScreenUi),
            (|mut t: ResMut<Timings>| {
                if let Some(start) = t.ui_started.take() {
                    t.ui_seconds += start.elapsed().as_secs_f64();
                }
            })
            .after(super::screens::ScreenUi),
        ),
    );
}

fn drive(
    mut commands: Commands,
    time: Res<Time>,
    mut timings: ResMut<Timings>,
    mut script: ResMut<Script>,
    mut done: ResMut<ShotDone>,
    state: Res<State<Screen>>,
    session: Option<ResMut<ActiveSession>>,
    mut actions: MessageWriter<UiAction>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut exit: MessageWriter<AppExit>,
    mut next_state: ResMut<NextState<Screen>>,
    analysis: Res<AnalysisView>,
    popup: Res<super::panel::ChallengePopup>,
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
    if script.on_screen > STUCK_FRAMES {
        let why = match (screen, session.as_ref()) {
            (Screen::Decisions, Some(s)) => {
                let mut trial = s.0.clone();
                match trial.end_quarter() {
                    Err(e) => format!(": the game refuses the scripted decisions: {e}"),
                    Ok(()) => String::new(),
                }
            }
            _ => String::new(),
        };
        error!("scripted play stuck on {screen:?} for {} frames{why}", script.on_screen);
        exit.write(AppExit::error());
        return;
    }
    if let Some(path) = script.waiting_for.clone() {
        if done.0 && path.exists() {
            script.waiting_for = None;
            script.on_screen = 0;
        }
        return;
    }
    if script.on_screen < SETTLE_FRAMES {
        timings.ui_seconds = 0.0;
        return;
    }
    if screen == Screen::Title && timings.first_title_frame.is_none() {
        timings.first_title_frame = timings.started.map(|s| s.elapsed().as_secs_f64());
    }
    // With --timings: measure an empty window, then the decision and report screens.
    if script.options.extras.timings.is_some() {
        let played = session.as_ref().map_or(0, |s| s.0.played.len());
        let measure = match screen {
            Screen::Title if !timings.screens.iter().any(|t| t.0 == "empty window") => {
                next_state.set(Screen::Blank);
                return;
            }
            Screen::Blank => Some("empty window"),
            Screen::Decisions if script.drafted == Some(played) => Some("decisions"),
            Screen::Report => Some("report"),
            Screen::Analysis if script.analysis_step == 0 && script.analysis_sent.is_none() => Some("analysis, idle"),
            _ => None,
        };
        if let Some(name) = measure
            && !timings.screens.iter().any(|t| t.0 == name)
        {
            let dt = time.delta_secs_f64();
            let ui = std::mem::take(&mut timings.ui_seconds);
            let entry = timings.current.get_or_insert((name.to_string(), 0, 0.0, 0.0));
            entry.1 += 1;
            entry.2 += dt;
            entry.3 += ui;
            if entry.1 >= TIMED_FRAMES {
                let finished = timings.current.take();
                timings.screens.extend(finished);
                if name == "empty window" {
                    next_state.set(Screen::Title);
                }
            }
            return;
        }
    }
    let quarter = session.as_ref().map_or(0, |s| s.0.played.len());
    let n_quarters = session.as_ref().map_or(0, |s| s.0.scenario.n_quarters as usize);
    let last_quarter = n_quarters.saturating_sub(1);
    let quarter_name = session
        .as_ref()
        .map(|s| s.0.scenario.quarter_at(quarter as u32).to_string())
        .unwrap_or_default();
    // On the events and report screens, the quarter just played.
    let played = quarter.saturating_sub(1);
    let played_name = session
        .as_ref()
        .map(|s| s.0.scenario.quarter_at(played as u32).to_string())
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
                actions.write(UiAction::OpenCampaign);
            }
        }
        Screen::Campaign => {
            if !shoot(&mut script, "01-campaign".into(), &mut done) {
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
            let challenge_here = script.options.extras.panel_challenge && quarter == n_quarters / 2;
            if script.drafted != Some(quarter) {
                // Fill in the quarter's decisions the way a player's edits would; under
                // a panel constraint, cut to what it allows, as a re-planning player must.
                if let Some(d) = script.options.decisions.get(quarter) {
                    let mut d = d.clone();
                    if session.0.challenge.is_some() {
                        let s = &session.0;
                        crate::analysis::challenge::fit_to_constraints(&s.world, s.player_idx, &mut d);
                    }
                    session.0.draft = d;
                }
                script.drafted = Some(quarter);
                script.on_screen = 0;
                return;
            }
            if challenge_here && session.0.challenge.is_none() {
                // The panel speaks once this quarter's plan is drafted; the pop-up
                // fades in before its picture is taken.
                actions.write(UiAction::DrawChallenge);
                script.on_screen = 0;
                return;
            }
            if challenge_here && popup.0 {
                let s = &mut session.0;
                crate::analysis::challenge::fit_to_constraints(&s.world, s.player_idx, &mut s.draft);
                if !shoot(&mut script, format!("03-challenge-{quarter_name}"), &mut done) {
                    actions.write(UiAction::DismissChallenge);
                }
                return;
            }
            let wanted = quarter == 0 || quarter == last_quarter;
            if wanted && shoot(&mut script, format!("03-decisions-{quarter_name}"), &mut done) {
                return;
            }
            if script.options.extras.analysis && quarter == 0 && script.analysis_step < ANALYSIS_STEPS.len() {
                actions.write(UiAction::OpenAnalysis);
                return;
            }
            actions.write(UiAction::EndQuarter);
        }
        Screen::Resolution => {
            let has_events = session
                .as_ref()
                .and_then(|s| s.0.last_report())
                .is_some_and(|r| !r.events.is_empty());
            let wanted = played == 0 || (has_events && !script.event_shot_taken);
            if wanted && shoot(&mut script, format!("04-events-{played_name}"), &mut done) {
                script.event_shot_taken |= has_events;
                return;
            }
            actions.write(UiAction::ShowReport);
        }
        Screen::Report => {
            let challenged = script.options.extras.panel_challenge && played == n_quarters / 2;
            let wanted = played == 0 || played == last_quarter || played == 1 || challenged;
            if !(wanted && shoot(&mut script, format!("05-report-{played_name}"), &mut done)) {
                actions.write(UiAction::NextQuarter);
            }
        }
        Screen::Debrief => {
            if !shoot(&mut script, "06-debrief".into(), &mut done) {
                actions.write(UiAction::OpenLoad);
            }
        }
        Screen::Load => {
            if !shoot(&mut script, "07-load".into(), &mut done) {
                actions.write(UiAction::OpenSettings);
            }
        }
        Screen::Settings => {
            if !shoot(&mut script, "08-settings".into(), &mut done) {
                info!("scripted play finished: {} screenshots", script.taken.len());
                if let Some(path) = &script.options.extras.timings {
                    let mut text = format!(
                        "launch to first title frame: {:.2} s\nscreen, frames, mean frame time (ms), mean time in our UI systems (ms)\n",
                        timings.first_title_frame.unwrap_or(f64::NAN)
                    );
                    for (name, frames, total, ui) in &timings.screens {
                        let n = f64::from((*frames).max(1));
                        text += &format!("{name}, {frames}, {:.2}, {:.3}\n", 1000.0 * total / n, 1000.0 * ui / n);
                    }
                    if let Err(e) = std::fs::write(path, text) {
                        error!("{}: cannot write the timings: {e}", path.display());
                    }
                }
                exit.write(AppExit::Success);
            }
        }
        Screen::Analysis => {
            if analysis.busy() {
                // With --timings: the frames while the large sweep runs.
                if script.options.extras.timings.is_some() && script.analysis_step == 0 {
                    let dt = time.delta_secs_f64();
                    let ui = std::mem::take(&mut timings.ui_seconds);
                    let entry = timings
                        .current
                        .get_or_insert(("analysis, sweep running".to_string(), 0, 0.0, 0.0));
                    entry.1 += 1;
                    entry.2 += dt;
                    entry.3 += ui;
                }
                return;
            }
            if let Some(sent) = script.analysis_sent.clone() {
                if let Some(why) = &analysis.refused {
                    error!("the Analysis screen refused the scripted {:?}: {why}", sent.tool);
                    exit.write(AppExit::error());
                    return;
                }
                if analysis.last.as_ref().is_none_or(|f| f.request != sent) {
                    return;
                }
                let step = ANALYSIS_STEPS[script.analysis_step];
                if step == "timed" {
                    let finished = timings.current.take();
                    timings.screens.extend(finished);
                } else if shoot(&mut script, format!("09-analysis-{step}"), &mut done) {
                    return;
                }
                script.analysis_sent = None;
                script.analysis_step += 1;
                return;
            }
            if script.analysis_step == 0 && script.options.extras.timings.is_none() {
                script.analysis_step = 1;
            }
            let Some(step) = ANALYSIS_STEPS.get(script.analysis_step) else {
                actions.write(UiAction::CloseAnalysis);
                return;
            };
            let Some(session) = session.as_ref() else { return };
            let request = scripted_request(step, &analysis.form, &session.0);
            script.analysis_sent = Some(request.clone());
            actions.write(UiAction::RunAnalysis(request));
        }
        Screen::Blank
        | Screen::WorkshopJoin
        | Screen::WorkshopTeam
        | Screen::WorkshopHost
        | Screen::WorkshopConsole => {}
    }
}

/// The scripted player's request for one step of the Analysis visit, starting from
/// the screen's own defaults (this quarter's price of the first product, ±25%,
/// against the first objective's metric and target).
fn scripted_request(step: &str, form: &Request, session: &crate::save::session::Session) -> Request {
    let sku = session.draft.skus.keys().next().cloned().unwrap_or_default();
    let mut r = form.clone();
    match step {
        "timed" => {
            r.points = 21;
            r.runs = 4000;
        }
        "sweep" => r.runs = 100,
        "heatmap" => {
            r.points = 9;
            r.runs = 10;
            r.param2 = Some((format!("q1.{sku}.bom_cut"), 0.0, 0.3));
        }
        "goal-seek" => {
            r.tool = Tool::GoalSeek;
            r.runs = 20;
        }
        _ => {
            r.tool = Tool::Tornado;
            r.metric = "net_profit@sum".into();
            r.runs = 4;
        }
    }
    r
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
        "01-campaign",
        "02-briefing",
        "03-decisions",
        "04-events",
        "05-report",
        "06-debrief",
        "07-load",
        "08-settings",
    ] {
        if !files
            .iter()
            .any(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with(stem)))
        {
            return Err(format!("{}: no {stem} screenshot", dir.display()));
        }
    }
    for file in &files {
        check_screenshot(file)?;
        summary += &format!("{}: ok (1280×800)\n", file.display());
    }
    Ok(summary)
}

/// Checks one screenshot: a readable PNG of the 1280×800 window, not a single colour.
pub fn check_screenshot(file: &std::path::Path) -> Result<(), String> {
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
    Ok(())
}
