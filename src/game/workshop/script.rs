//! Scripted workshop runs, through the real window and the same actions a player's
//! clicks send, saving a PNG of each workshop screen:
//!
//! - [`ScriptMode::Demo`] (`thin-margin host --screenshots DIR`): starts a server in
//!   the game on a free loopback port with its data in `DIR/workshop-data`, adjusts the
//!   scenario (market 1.5×) and saves it as a checked file, creates a six-team workshop
//!   on it, plays three rounds as the facilitator and as one team (five
//!   other teams submit over HTTP, as browsers would), injects a library event and a
//!   custom one, ends, exports and photographs the host form, the console, the join
//!   screen, the team's decision screen with its countdown and with a live event, the leaderboard and charts, project mode, the team's report,
//!   the market and the team's debrief; then it stops the server and photographs the
//!   team's lost-connection banner.
//! - [`ScriptMode::Autoplay`] (`thin-margin join URL CODE --autoplay --screenshots DIR`):
//!   a team's game client in a real workshop: whenever a round is open and nothing is
//!   submitted, it photographs the decision screen and submits; once the workshop
//!   ends it photographs the debrief and exits.

use super::host::{Console, HostSetup, ServerChoice};
use super::link::Command;
use super::team::{Submission, TeamSeat};
use super::{Tab, TeamTab, WorkshopAction};
use crate::game::screens::Screen;
use crate::sim::decisions::CompanyDecisions;
use crate::workshop::client::Client;
use crate::workshop::protocol::SubmitDecisions;
use crate::workshop::session::Phase;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use bevy::window::RequestRedraw;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Which scripted run.
#[derive(Clone, Debug, PartialEq)]
pub enum ScriptMode {
    Demo,
    Autoplay,
}

/// A scripted workshop run.
#[derive(Clone, Debug)]
pub struct WorkshopScript {
    pub mode: ScriptMode,
    pub screenshots: PathBuf,
}

/// The rounds the demo plays.
const DEMO_ROUNDS: u32 = 3;
/// Frames to let a screen settle before photographing it.
const SETTLE: u32 = 8;
/// The demo gives up after this long.
const DEMO_LIMIT: Duration = Duration::from_secs(300);
/// An autoplaying team gives up after this long (a whole classroom rehearsal).
const AUTOPLAY_LIMIT: Duration = Duration::from_secs(1800);
/// The constraint the demo injects.
const DEMO_EVENT: &str = "memory-price";

/// The screenshots the demo must leave.
pub const DEMO_SHOTS: [&str; 13] = [
    "20-host-setup",
    "21-console-round",
    "22-team-join",
    "23-team-decisions",
    "24-console-inject",
    "25-team-live-event",
    "26-console-leaderboard",
    "27-project-mode",
    "28-team-report",
    "29-team-market",
    "30-console-ended",
    "31-team-debrief",
    "32-team-offline",
];

#[derive(Resource)]
struct Run {
    script: WorkshopScript,
    step: usize,
    on_step: u32,
    started: Instant,
    waiting_for: Option<PathBuf>,
    /// The other teams of the demo, submitting over HTTP.
    bots: Option<Bots>,
    /// Rounds the demo has closed.
    closed: u32,
    /// Rounds the autoplaying team has photographed.
    shot_rounds: Vec<u32>,
}

#[derive(Resource, Default)]
struct ShotDone(bool);

pub fn plugin(app: &mut App, script: WorkshopScript) {
    app.insert_resource(Run {
        script,
        step: 0,
        on_step: 0,
        started: Instant::now(),
        waiting_for: None,
        bots: None,
        closed: 0,
        shot_rounds: Vec::new(),
    })
    .init_resource::<ShotDone>()
    .add_systems(Update, drive.before(super::apply_actions));
}

/// The demo's other teams: each repeats its last decisions with its own price.
struct Bots {
    client: Client,
    /// (team name, code), without the team the window plays.
    teams: Vec<(String, String)>,
}

impl Bots {
    /// Submits for bot `i` in the open round; false if it could not.
    fn submit(&self, i: usize) -> Result<(), String> {
        let (_, code) = &self.teams[i];
        let view = self.client.team_view(code).map_err(|e| e.to_string())?;
        let desk = self.client.desk(code).map_err(|e| e.to_string())?;
        let world = crate::workshop::desk::team_world(&desk)?;
        let mut d: CompanyDecisions = world.companies[0].last_decisions.carried_over();
        // Teams differ: some undercut, some hold, some charge more.
        let factor = [0.94, 1.0, 1.06, 0.97, 1.03][i % 5];
        for sku in d.skus.values_mut() {
            sku.price = (sku.price * factor).round().max(1.0);
        }
        self.client
            .submit(
                code,
                &SubmitDecisions {
                    round: view.status.round,
                    revision: view.revision,
                    decisions: d,
                },
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[allow(clippy::too_many_arguments)]
fn drive(
    mut commands: Commands,
    mut run: ResMut<Run>,
    mut done: ResMut<ShotDone>,
    state: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
    mut setup: ResMut<HostSetup>,
    mut form: ResMut<super::JoinForm>,
    campaign: Res<crate::game::CampaignInfo>,
    console: Option<ResMut<Console>>,
    seat: Option<ResMut<TeamSeat>>,
    mut tab: ResMut<TeamTab>,
    mut actions: MessageWriter<WorkshopAction>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut exit: MessageWriter<AppExit>,
) {
    redraw.write(RequestRedraw);
    let limit = match run.script.mode {
        ScriptMode::Demo => DEMO_LIMIT,
        ScriptMode::Autoplay => AUTOPLAY_LIMIT,
    };
    if run.started.elapsed() > limit {
        error!("scripted workshop stuck at step {} on {:?}", run.step, state.get());
        exit.write(AppExit::error());
        return;
    }
    if let Some(path) = run.waiting_for.clone() {
        if done.0 && path.exists() {
            run.waiting_for = None;
            run.on_step = 0;
        }
        return;
    }
    run.on_step += 1;
    if run.on_step < SETTLE {
        return;
    }
    let mut shoot = |run: &mut Run, stem: &str| {
        let path = run.script.screenshots.join(format!("{stem}.png"));
        let _ = std::fs::remove_file(&path);
        done.0 = false;
        commands
            .spawn(Screenshot::primary_window())
            .observe(save_to_disk(path.clone()))
            .observe(|_: On<ScreenshotCaptured>, mut done: ResMut<ShotDone>| done.0 = true);
        info!("screenshot {}", path.display());
        run.waiting_for = Some(path);
    };
    let screen = *state.get();
    let outcome = match run.script.mode {
        ScriptMode::Demo => demo_step(
            &mut run,
            screen,
            &mut next,
            &mut setup,
            &mut form,
            &campaign.dir,
            console,
            seat,
            &mut tab,
            &mut actions,
            &mut shoot,
        ),
        ScriptMode::Autoplay => match &form.error {
            Some(e) => Err(format!("could not join the workshop: {e}")),
            None => autoplay_step(&mut run, screen, seat, &mut tab, &mut actions, &mut shoot),
        },
    };
    match outcome {
        Ok(true) => {
            exit.write(AppExit::Success);
        }
        Ok(false) => {}
        Err(e) => {
            error!("scripted workshop: {e}");
            exit.write(AppExit::error());
        }
    }
}

/// Moves to the next step.
fn advance(run: &mut Run) {
    run.step += 1;
    run.on_step = 0;
}

/// One step of the demo; `Ok(true)` when it is over.
#[allow(clippy::too_many_arguments)]
fn demo_step(
    run: &mut Run,
    screen: Screen,
    next: &mut NextState<Screen>,
    setup: &mut HostSetup,
    form: &mut super::JoinForm,
    campaign_dir: &Path,
    console: Option<ResMut<Console>>,
    seat: Option<ResMut<TeamSeat>>,
    tab: &mut TeamTab,
    actions: &mut MessageWriter<WorkshopAction>,
    shoot: &mut impl FnMut(&mut Run, &str),
) -> Result<bool, String> {
    let mut console = console;
    let mut seat = seat;
    let phase = console
        .as_ref()
        .and_then(|c| c.view.as_ref())
        .map(|v| v.status.phase.clone());
    let round = console
        .as_ref()
        .and_then(|c| c.view.as_ref())
        .map_or(0, |v| v.status.round);
    match run.step {
        0 if screen == Screen::Title => {
            actions.write(WorkshopAction::OpenHost);
            advance(run);
        }
        1 if screen == Screen::WorkshopHost => {
            let data = run.script.screenshots.join("workshop-data");
            let _ = std::fs::remove_dir_all(&data);
            setup.data = data;
            setup.server = ServerChoice::Local { port: 0, open: false };
            setup.scenario = "camera-bom".into();
            setup.title = "Strategy 101 · group B".into();
            setup.teams = 6;
            setup.team_names = "Falcons, Owls, Pandas, Tigers, Wolves, Yaks".into();
            setup.computer_seats = 1;
            actions.write(WorkshopAction::Connect);
            advance(run);
        }
        2 if setup.connected.is_some() => {
            // Show the adjustment form filled in, as a facilitator would.
            let path = super::host::scenario_file(&setup.scenario, campaign_dir, &setup.data);
            let mut a = crate::scenario::adjust::Adjustments::from_path(&path).map_err(|e| e.to_string())?;
            setup.rivals_max = a.rivals;
            a.id = "camera-bom-workshop".into();
            a.title = format!("{} (workshop)", a.title);
            a.market_size = 1.5;
            setup.adjust = Some(a);
            advance(run);
        }
        3 => {
            shoot(run, "20-host-setup");
            advance(run);
        }
        4 => {
            // Save the adjusted scenario (checked, then picked) and create the workshop on it.
            actions.write(WorkshopAction::SaveAdjusted);
            actions.write(WorkshopAction::Create { seed: Some(7) });
            advance(run);
        }
        5 if screen == Screen::WorkshopHost && setup.message.as_ref().is_some_and(|m| m.1) => {
            return Err(format!(
                "the host screen says: {}",
                setup.message.as_ref().map_or("", |m| m.0.as_str())
            ));
        }
        5 if screen == Screen::WorkshopConsole && phase == Some(Phase::Waiting) => {
            let scenario = console
                .as_ref()
                .and_then(|c| c.view.as_ref())
                .map(|v| v.status.scenario.clone());
            if scenario.as_deref() != Some("camera-bom-workshop") {
                return Err(format!("the workshop runs {scenario:?}, not the adjusted scenario"));
            }
            // The leaderboard stays hidden from teams in round 1, shown from round 2.
            actions.write(WorkshopAction::Facilitate(Command::ShowLeaderboard(false)));
            actions.write(WorkshopAction::Facilitate(Command::OpenRound { deadline_secs: 600 }));
            advance(run);
        }
        6 if matches!(phase, Some(Phase::Open { .. })) => {
            let Some(c) = &console else { return Ok(false) };
            let client = Client::new(c.link.base_url.as_str()).map_err(|e| e.to_string())?;
            let teams = c
                .created
                .teams
                .iter()
                .skip(1)
                .map(|t| (t.team.clone(), t.code.clone()))
                .collect();
            let bots = Bots { client, teams };
            for i in 0..3 {
                bots.submit(i)?;
            }
            run.bots = Some(bots);
            advance(run);
        }
        7 if submitted(&console) >= 3 => {
            shoot(run, "21-console-round");
            advance(run);
        }
        // The team's laptop: the join screen, filled in as the facilitator said.
        8 => {
            let Some(c) = &console else { return Ok(false) };
            form.url = c.link.base_url.clone();
            form.code = c.created.teams[0].code.clone();
            next.set(Screen::WorkshopJoin);
            run.step = 50;
            run.on_step = 0;
        }
        50 if screen == Screen::WorkshopJoin => {
            shoot(run, "22-team-join");
            run.step = 51;
        }
        51 => {
            actions.write(WorkshopAction::Join {
                url: form.url.clone(),
                code: form.code.clone(),
            });
            run.step = 9;
            run.on_step = 0;
        }
        9 if screen == Screen::WorkshopTeam && seat.as_ref().is_some_and(|s| s.session.is_some()) => {
            tab.0 = Tab::Preview;
            advance(run);
        }
        10 => {
            shoot(run, "23-team-decisions");
            run.step = 52;
        }
        52 => {
            actions.write(WorkshopAction::Submit);
            run.step = 11;
            run.on_step = 0;
        }
        11 if seat
            .as_ref()
            .is_some_and(|s| matches!(s.submission(), Submission::Submitted { .. })) =>
        {
            if let Some(c) = console.as_mut() {
                c.inject_pick = Some(DEMO_EVENT.into());
            }
            next.set(Screen::WorkshopConsole);
            advance(run);
        }
        12 if screen == Screen::WorkshopConsole => {
            shoot(run, "24-console-inject");
            advance(run);
        }
        13 => {
            let Some(c) = console.as_mut() else { return Ok(false) };
            let (req, _, _) = c.injection().ok_or("no event to inject")?;
            c.send(Command::Inject(req));
            let bots = run.bots.as_ref().ok_or("no bots")?;
            for i in 3..bots.teams.len() {
                bots.submit(i)?;
            }
            advance(run);
        }
        14 if submitted(&console) == 6 => {
            actions.write(WorkshopAction::Facilitate(Command::CloseRound));
            advance(run);
        }
        // Rounds 2 and 3: open, everyone submits, close.
        15 if phase == Some(Phase::Waiting) && round == run.closed + 2 => {
            run.closed += 1;
            if run.closed == DEMO_ROUNDS {
                run.step = 19;
            } else {
                if run.closed == 1 {
                    actions.write(WorkshopAction::Facilitate(Command::ShowLeaderboard(true)));
                }
                actions.write(WorkshopAction::Facilitate(Command::OpenRound { deadline_secs: 600 }));
                advance(run);
            }
        }
        16 if matches!(phase, Some(Phase::Open { .. }))
            && seat
                .as_ref()
                .and_then(|s| s.view.as_ref())
                .is_some_and(|v| v.status.round == round && matches!(v.status.phase, Phase::Open { .. })) =>
        {
            let bots = run.bots.as_ref().ok_or("no bots")?;
            for i in 0..bots.teams.len() {
                bots.submit(i)?;
            }
            if let Some(s) = seat.as_mut()
                && s.session.as_ref().is_some_and(|_| s.draft_round == Some(round))
            {
                s.submit();
                if run.closed == 1 {
                    // Round 2: a custom event, which the team sees arrive.
                    let Some(c) = console.as_mut() else { return Ok(false) };
                    c.use_custom = true;
                    c.custom = super::host::CustomEvent::default();
                    let (req, _, _) = c.injection().ok_or("no custom event")?;
                    c.send(Command::Inject(req));
                    next.set(Screen::WorkshopTeam);
                    run.step = 60;
                    run.on_step = 0;
                } else {
                    advance(run);
                }
            }
        }
        // Once the event is on screen, let its new glyphs reach the font atlas first.
        60 if screen == Screen::WorkshopTeam && seat.as_ref().is_some_and(announces_custom_event) => {
            tab.0 = Tab::Preview;
            run.step = 62;
            run.on_step = 0;
        }
        62 => {
            shoot(run, "25-team-live-event");
            run.step = 61;
        }
        61 => {
            next.set(Screen::WorkshopConsole);
            run.step = 17;
            run.on_step = 0;
        }
        17 if submitted(&console) == 6 => {
            actions.write(WorkshopAction::Facilitate(Command::CloseRound));
            run.step = 15;
            run.on_step = 0;
        }
        19 if console
            .as_ref()
            .and_then(|c| c.series.as_ref())
            .is_some_and(|s| s.quarters.len() == DEMO_ROUNDS as usize) =>
        {
            if let Some(c) = console.as_mut() {
                c.chart = 0;
            }
            run.step = 63;
            run.on_step = 0;
        }
        63 => {
            shoot(run, "26-console-leaderboard");
            run.step = 20;
        }
        20 => {
            if let Some(c) = console.as_mut() {
                c.project_mode = true;
            }
            advance(run);
        }
        21 => {
            shoot(run, "27-project-mode");
            advance(run);
        }
        22 => {
            if let Some(c) = console.as_mut() {
                c.project_mode = false;
            }
            tab.0 = Tab::Report;
            next.set(Screen::WorkshopTeam);
            advance(run);
        }
        23 if screen == Screen::WorkshopTeam
            && seat.as_ref().is_some_and(|s| s.rows().len() == DEMO_ROUNDS as usize) =>
        {
            tab.0 = Tab::Report;
            run.step = 64;
            run.on_step = 0;
        }
        64 => {
            shoot(run, "28-team-report");
            run.step = 24;
        }
        24 => {
            tab.0 = Tab::Market;
            advance(run);
        }
        25 => {
            shoot(run, "29-team-market");
            advance(run);
        }
        26 => {
            next.set(Screen::WorkshopConsole);
            actions.write(WorkshopAction::Facilitate(Command::End));
            advance(run);
        }
        27 if console.as_ref().is_some_and(|c| c.guide.is_some()) => {
            let Some(c) = console.as_mut() else { return Ok(false) };
            let dir = c.export_dir.clone();
            c.send(Command::Export(dir));
            advance(run);
        }
        28 if console
            .as_ref()
            .is_some_and(|c| c.export_dir.join("results.json").exists())
            && screen == Screen::WorkshopConsole =>
        {
            shoot(run, "30-console-ended");
            advance(run);
        }
        29 => {
            next.set(Screen::WorkshopTeam);
            advance(run);
        }
        30 if screen == Screen::WorkshopTeam && seat.as_ref().is_some_and(|s| s.debrief.is_some()) => {
            tab.0 = Tab::Debrief;
            advance(run);
        }
        31 => {
            shoot(run, "31-team-debrief");
            advance(run);
        }
        // The server goes away: the team screen says so and keeps trying.
        32 => {
            if let Some(local) = setup.local.take() {
                local.stop()?;
            }
            advance(run);
        }
        33 if seat.as_ref().is_some_and(|s| s.offline.is_some()) => {
            shoot(run, "32-team-offline");
            advance(run);
        }
        34 => return Ok(true),
        _ => {}
    }
    if let Some(c) = &console
        && let Some((text, true)) = c.message.as_ref()
    {
        return Err(format!("the console says: {text}"));
    }
    Ok(false)
}

/// Whether the team's screen shows the demo's custom event for this round.
fn announces_custom_event(seat: &ResMut<TeamSeat>) -> bool {
    let title = super::host::CustomEvent::default().title;
    seat.session.as_ref().is_some_and(|s| {
        s.world
            .injected
            .iter()
            .any(|(at, e)| *at == s.world.quarter_idx && e.title == title)
    })
}

fn submitted(console: &Option<ResMut<Console>>) -> usize {
    console
        .as_ref()
        .and_then(|c| c.view.as_ref())
        .map_or(0, |v| v.teams.iter().filter(|t| t.submitted).count())
}

/// One step of a team's autoplay; `Ok(true)` when the workshop is over and photographed.
fn autoplay_step(
    run: &mut Run,
    screen: Screen,
    seat: Option<ResMut<TeamSeat>>,
    tab: &mut TeamTab,
    actions: &mut MessageWriter<WorkshopAction>,
    shoot: &mut impl FnMut(&mut Run, &str),
) -> Result<bool, String> {
    let Some(mut seat) = seat else { return Ok(false) };
    let Some(view) = seat.view.clone() else {
        return Ok(false);
    };
    if screen != Screen::WorkshopTeam {
        return Ok(false);
    }
    match run.step {
        // Waiting for a round, or for the workshop's end.
        0 => {
            if view.status.phase == Phase::Ended {
                if seat.debrief.is_some() {
                    tab.0 = Tab::Debrief;
                    run.step = 2;
                }
                return Ok(false);
            }
            let round = view.status.round;
            let ready = matches!(view.status.phase, Phase::Open { .. })
                && seat.submission() == Submission::NotYet
                && seat.draft_round == Some(round)
                && seat.session.is_some();
            if ready && !run.shot_rounds.contains(&round) {
                // A real team changes something: 2% off every price.
                if let Some(s) = seat.session.as_mut() {
                    for sku in s.draft.skus.values_mut() {
                        sku.price = (sku.price * 0.98).round().max(1.0);
                    }
                }
                tab.0 = Tab::Preview;
                run.shot_rounds.push(round);
                run.step = 1;
                shoot(run, &format!("40-team-round-{round}"));
            }
        }
        1 => {
            actions.write(WorkshopAction::Submit);
            run.step = 0;
        }
        2 => {
            shoot(run, "41-team-debrief");
            run.step = 3;
        }
        _ => return Ok(true),
    }
    if let Some((text, true)) = seat.message.as_ref() {
        return Err(format!("the team screen says: {text}"));
    }
    Ok(false)
}

/// Checks a demo's pictures and its exported results: every screen photographed at
/// 1280×800 and not blank, and the signed results verify. Returns a summary.
pub fn check_demo(dir: &Path) -> Result<String, String> {
    let mut summary = String::new();
    for stem in DEMO_SHOTS {
        let path = dir.join(format!("{stem}.png"));
        crate::game::script::check_screenshot(&path)?;
        summary += &format!("{}: ok\n", path.display());
    }
    let exports = dir.join("workshop-data").join("exports");
    let results = std::fs::read_dir(&exports)
        .map_err(|e| format!("{}: {e}", exports.display()))?
        .filter_map(|e| e.ok().map(|e| e.path().join("results.json")))
        .find(|p| p.exists())
        .ok_or_else(|| format!("{}: no exported results.json", exports.display()))?;
    let text = std::fs::read_to_string(&results).map_err(|e| format!("{}: {e}", results.display()))?;
    let shown = results.display().to_string();
    crate::workshop::chain::verify(&shown, &text, None)?;
    summary += &format!("{shown}: verifies (chain, report hashes, leaderboard, signature)\n");
    Ok(summary)
}
