//! Workshops in the game: hosting one (a server started here or reached over the
//! network, the facilitator's console) and joining one as a team (the solo decision
//! controls and reports, in workshop mode). The server runs the market; the game only
//! shows what it says and sends what the player decides.
//!
//! - [`link`]: the worker thread that talks to the server.
//! - [`team`]: a team's seat (the local preview of its own company, the draft, the clock).
//! - [`host`]: the host's setup form and the facilitator console's state.
//! - [`script`]: the scripted run that photographs the workshop screens.
//!
//! Screens send [`WorkshopAction`]s; [`apply_actions`] carries them out.

pub mod host;
pub mod link;
pub mod script;
pub mod team;

use super::actions::Notice;
use super::screens::Screen;
use super::{CampaignInfo, screens::campaign::fresh_seed};
use bevy::prelude::*;
use host::{Console, HostSetup, ServerChoice};
use link::Command;
use team::TeamSeat;

/// How the game was asked to start a workshop from the command line.
#[derive(Clone, Debug, Default)]
pub struct WorkshopStart {
    /// `thin-margin join URL CODE`: join straight away.
    pub join: Option<(String, String)>,
    /// `thin-margin host`: open the host screen.
    pub host: bool,
    /// A scripted run that photographs the workshop screens.
    pub script: Option<script::WorkshopScript>,
}

/// A request from a workshop screen.
#[derive(Message, Clone, Debug, PartialEq)]
pub enum WorkshopAction {
    OpenJoin,
    OpenHost,
    Join {
        url: String,
        code: String,
    },
    /// Start (or reach) the server chosen on the host screen and read its scenarios.
    Connect,
    /// Save the adjusted scenario as a new file the server offers.
    SaveAdjusted,
    /// Create the workshop and open the console.
    Create {
        seed: Option<u64>,
    },
    /// The team sends its draft for the open round.
    Submit,
    /// A facilitator's command.
    Facilitate(Command),
    /// Leave the workshop screens for the title (the local server keeps running).
    Leave,
}

/// The Join screen's fields (prefilled by `thin-margin join`), and the join under way.
#[derive(Resource, Default)]
pub struct JoinForm {
    pub url: String,
    pub code: String,
    pub error: Option<String>,
    /// Joining reaches the server off the window's thread (an unreachable address can
    /// take seconds to fail); the seat, or why not, arrives here.
    joining: Option<std::sync::Mutex<std::sync::mpsc::Receiver<Result<TeamSeat, String>>>>,
}

impl JoinForm {
    /// Whether a join is waiting for the server.
    pub fn joining(&self) -> bool {
        self.joining.is_some()
    }

    /// The finished join, if it has finished.
    fn finished(&mut self) -> Option<Result<TeamSeat, String>> {
        let done = self.joining.as_ref()?.lock().ok()?.try_recv();
        match done {
            Ok(result) => {
                self.joining = None;
                Some(result)
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.joining = None;
                Some(Err("joining stopped unexpectedly: try again".into()))
            }
        }
    }
}

pub(super) fn plugin(app: &mut App, start: WorkshopStart) {
    let mut form = JoinForm {
        url: format!("http://127.0.0.1:{}", host::DEFAULT_PORT),
        ..default()
    };
    if let Some((url, code)) = &start.join {
        form.url = url.clone();
        form.code = code.clone();
    }
    app.add_message::<WorkshopAction>()
        .insert_resource(form)
        .init_resource::<HostSetup>()
        .add_systems(
            Update,
            (receive, apply_actions).chain().after(super::actions::ApplyActions),
        );
    if let Some((url, code)) = start.join {
        app.add_systems(Startup, move |mut actions: MessageWriter<WorkshopAction>| {
            actions.write(WorkshopAction::Join {
                url: url.clone(),
                code: code.clone(),
            });
        });
    } else if start.host && start.script.is_none() {
        app.add_systems(Startup, |mut actions: MessageWriter<WorkshopAction>| {
            actions.write(WorkshopAction::OpenHost);
        });
    }
}

/// Takes in what the workers sent; a new round's results open the team's report.
fn receive(mut seat: Option<ResMut<TeamSeat>>, console: Option<ResMut<Console>>, mut view: ResMut<TeamTab>) {
    if let Some(seat) = seat.as_mut() {
        seat.keep_draft();
    }
    if let Some(mut seat) = seat
        && seat.receive()
    {
        view.0 = if seat
            .view
            .as_ref()
            .is_some_and(|v| v.status.phase == crate::workshop::session::Phase::Ended)
        {
            Tab::Debrief
        } else {
            Tab::Report
        };
    }
    if let Some(mut console) = console {
        console.receive();
    }
}

/// Which part of the team screen is showing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Preview,
    Report,
    Market,
    Leaderboard,
    Debrief,
}

/// The team screen's tab (a resource so the script and new results can switch it).
#[derive(Resource, Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TeamTab(pub Tab);

#[allow(clippy::too_many_arguments)]
fn apply_actions(
    mut commands: Commands,
    mut actions: MessageReader<WorkshopAction>,
    mut next: ResMut<NextState<Screen>>,
    mut form: ResMut<JoinForm>,
    mut setup: ResMut<HostSetup>,
    seat: Option<ResMut<TeamSeat>>,
    console: Option<ResMut<Console>>,
    campaign: Res<CampaignInfo>,
    profile: Res<super::PlayerProfile>,
    mut notice: ResMut<Notice>,
    mut tab: ResMut<TeamTab>,
) {
    let mut seat = seat;
    let mut console = console;
    match form.finished() {
        Some(Ok(joined)) => {
            commands.insert_resource(joined);
            tab.0 = Tab::Preview;
            next.set(Screen::WorkshopTeam);
        }
        Some(Err(e)) => form.error = Some(e),
        None => {}
    }
    for action in actions.read() {
        match action {
            WorkshopAction::OpenJoin => next.set(Screen::WorkshopJoin),
            WorkshopAction::OpenHost => {
                setup.message = None;
                next.set(Screen::WorkshopHost);
            }
            // One join at a time.
            WorkshopAction::Join { .. } if form.joining() => {}
            WorkshopAction::Join { url, code } => {
                form.url = url.clone();
                form.code = code.clone();
                // Drafts are kept beside the saves (not in scripted runs, which keep nothing).
                let drafts = profile.saves_dir.as_ref().map(|d| d.with_file_name("workshop-drafts"));
                let (send, receive) = std::sync::mpsc::channel();
                let (url, code) = (url.clone(), code.clone());
                std::thread::spawn(move || {
                    let _ = send.send(TeamSeat::join(&url, &code, drafts.as_deref()));
                });
                form.error = None;
                form.joining = Some(std::sync::Mutex::new(receive));
                next.set(Screen::WorkshopJoin);
            }
            WorkshopAction::Connect => {
                setup.message = Some(match setup.connect(&campaign.dir) {
                    Ok(()) => (connected_sentence(&setup), false),
                    Err(e) => (e, true),
                });
            }
            WorkshopAction::SaveAdjusted => {
                setup.message = Some(match save_adjusted(&mut setup, &campaign.dir) {
                    Ok(text) => (text, false),
                    Err(e) => (e, true),
                });
            }
            WorkshopAction::Create { seed } => match setup.create(seed.unwrap_or_else(fresh_seed)) {
                Ok((client, created, library)) => {
                    let open = matches!(setup.server, ServerChoice::Local { open: true, .. });
                    let class_url = host::class_url(client.base_url(), open);
                    commands.insert_resource(Console::new(
                        client,
                        created,
                        library,
                        class_url,
                        &campaign.dir,
                        &setup.data,
                    ));
                    next.set(Screen::WorkshopConsole);
                }
                Err(e) => setup.message = Some((e, true)),
            },
            WorkshopAction::Submit => {
                if let Some(seat) = seat.as_mut() {
                    let problems = seat.problems();
                    if problems.is_empty() {
                        seat.submit();
                    } else {
                        notice.0 = Some(format!(
                            "Not sent: {}",
                            problems
                                .iter()
                                .map(|p| format!("{}: {}", p.field, p.message))
                                .collect::<Vec<_>>()
                                .join("; ")
                        ));
                    }
                }
            }
            WorkshopAction::Facilitate(command) => {
                if let Some(console) = console.as_mut() {
                    console.send(command.clone());
                }
            }
            WorkshopAction::Leave => {
                commands.remove_resource::<TeamSeat>();
                commands.remove_resource::<Console>();
                next.set(Screen::Title);
            }
        }
    }
}

fn connected_sentence(setup: &HostSetup) -> String {
    match &setup.connected {
        Some((client, _, library)) => format!(
            "Server ready at {} with {} scenarios.",
            client.base_url(),
            library.scenarios.len()
        ),
        None => String::new(),
    }
}

/// Writes the adjusted scenario where the local server reads scenarios, and reads the
/// library again so it can be picked.
fn save_adjusted(setup: &mut HostSetup, campaign_dir: &std::path::Path) -> Result<String, String> {
    let Some(adjust) = setup.adjust.clone() else {
        return Err("Open \"Adjust this scenario\" first.".into());
    };
    let source = host::scenario_file(&setup.scenario, campaign_dir, &setup.data);
    let text = crate::scenario::load::read_text(&source).map_err(|e| e.to_string())?;
    let written = crate::scenario::adjust::adjust(&source, &text, &adjust).map_err(|e| e.to_string())?;
    let dir = host::adjusted_scenarios_dir(&setup.data);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.ron", adjust.id));
    if path.exists() {
        return Err(format!("{} already exists: pick another id", path.display()));
    }
    std::fs::write(&path, written).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::cli::check_file(&path).map_err(|e| e.to_string())?;
    setup.scenario = adjust.id.clone();
    setup.adjust = None;
    setup.refresh_library()?;
    let local = matches!(setup.server, ServerChoice::Local { .. });
    Ok(if local {
        format!("Saved {} (checked); it is now picked.", path.display())
    } else {
        format!(
            "Saved {} (checked). The remote server only offers it once the file is in its --scenarios folder.",
            path.display()
        )
    })
}
