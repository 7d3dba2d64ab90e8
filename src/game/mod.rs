//! The game window: Bevy plugins that show the core's world and reports and turn a
//! player's clicks into decisions. The game holds no model arithmetic: every number
//! comes from `sim` (reports, the preview) or `report` (the profit bridge, key
//! decisions).
//!
//! One state enum, [`screens::Screen`], drives which panel is drawn; buttons (and the
//! scripted player) send [`actions::UiAction`] messages that one system applies.

pub mod actions;
pub mod analysis;
mod charts;
mod help;
pub mod panel;
pub mod screens;
pub mod script;
pub mod session;
mod theme;
mod widgets;
pub mod workshop;

use crate::save::profile::{self, Profile};
use crate::scenario::campaign::{Campaign, load_campaign};
use bevy::prelude::*;
use bevy::winit::WinitSettings;
use bevy_egui::{EguiInput, EguiInputSet, EguiPlugin, EguiPreUpdateSet, egui};
use std::path::PathBuf;

/// How to start the game.
#[derive(Clone, Debug)]
pub struct GameOptions {
    /// The campaign file; its scenarios sit beside it.
    pub campaign_path: PathBuf,
    /// Play a scenario by script and save screenshots, then exit.
    pub script: Option<script::ScriptOptions>,
    /// Join or host a workshop straight away (`thin-margin join` / `host`).
    pub workshop: workshop::WorkshopStart,
}

impl GameOptions {
    /// Whether a script drives the window (no saves, no profile changes, fixed size).
    fn scripted(&self) -> bool {
        self.script.is_some() || self.workshop.script.is_some()
    }
}

/// The campaign and where its scenarios live.
#[derive(Resource, Clone, Debug)]
pub struct CampaignInfo {
    pub campaign: Campaign,
    pub dir: PathBuf,
}

/// The player's settings and progress, and where they are kept.
#[derive(Resource, Clone, Debug)]
pub struct PlayerProfile {
    pub profile: Profile,
    pub path: Option<PathBuf>,
    /// A problem to show once (an unreadable profile, a save that failed).
    pub notice: Option<String>,
    /// Where saves go (`None`: not kept, as in scripted runs).
    pub saves_dir: Option<PathBuf>,
}

impl PlayerProfile {
    /// Writes the profile; a failure becomes a notice, never a crash.
    pub fn persist(&mut self) {
        if let Some(path) = &self.path
            && let Err(e) = profile::save_profile(path, &self.profile)
        {
            self.notice = Some(format!("{}: could not save your settings: {e}", path.display()));
        }
    }
}

static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// When the game was started (for the launch-time measurement).
pub fn process_start() -> std::time::Instant {
    *PROCESS_START.get_or_init(std::time::Instant::now)
}

/// Runs the game until the window closes. Problems that stop it from starting (no
/// display, no GPU driver, a broken campaign file) come back as one sentence.
pub fn run(options: GameOptions) -> Result<(), String> {
    process_start();
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        return Err("no display found (DISPLAY is not set): the game needs an X11 desktop. \
                    On a headless machine use `thin-margin simulate`, or run the game under `xvfb-run`."
            .into());
    }
    let dir = options
        .campaign_path
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let campaign = match &options.script {
        // A scripted run shows the campaign beside its scenario when there is one,
        // and otherwise needs none: it plays its one scenario.
        Some(script) => load_campaign(&options.campaign_path).unwrap_or_else(|_| Campaign {
            version: crate::scenario::campaign::CAMPAIGN_VERSION,
            title: "Scripted play".into(),
            scenarios: vec![crate::scenario::campaign::CampaignEntry {
                id: script.scenario_id.clone(),
                after: Vec::new(),
                min_score: 0.0,
            }],
        }),
        None => load_campaign(&options.campaign_path).map_err(|e| e.to_string())?,
    };
    let profile_path = profile::default_profile_path();
    let (profile, notice) = match &profile_path {
        Some(path) => profile::load_profile(path),
        None => (Profile::default(), None),
    };
    let info = CampaignInfo { campaign, dir };
    let saves_dir = crate::save::run_file::default_saves_dir();
    let mut player = PlayerProfile {
        profile,
        path: profile_path,
        notice,
        saves_dir,
    };
    if options.scripted() {
        // Screenshots show final numbers, not a count in progress; a scripted run
        // neither saves nor changes the player's profile.
        player.profile.settings.reduced_motion = true;
        player.path = None;
        player.saves_dir = None;
    }

    // Known start-up failures arrive as panics inside Bevy's plugins: say them plainly.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |panic| {
        if friendly_panic(panic.payload()).is_none() {
            default_hook(panic);
        }
    }));
    let result = std::panic::catch_unwind(move || build_app(options, info, player).run());
    let _ = std::panic::take_hook();
    match result {
        Ok(exit) if exit.is_success() => Ok(()),
        Ok(_) => Err("the scripted run did not finish (see the log above)".into()),
        Err(payload) => Err(friendly_panic(&*payload)
            .unwrap_or("the game window crashed")
            .to_string()),
    }
}

fn friendly_panic(payload: &(dyn std::any::Any + Send)) -> Option<&'static str> {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())?;
    if text.contains("Unable to find a GPU") {
        Some(
            "no usable GPU or Vulkan driver was found: install your GPU's Vulkan driver (on Debian: mesa-vulkan-drivers), or use `thin-margin simulate`",
        )
    } else if text.contains("Failed to build event loop") || text.contains("XOpenDisplayFailed") {
        Some("cannot open the X display: is DISPLAY right and the X server running? (or use `thin-margin simulate`)")
    } else {
        None
    }
}

fn build_app(options: GameOptions, info: CampaignInfo, player: PlayerProfile) -> App {
    let mut app = App::new();
    let scale = player.profile.settings.ui_scale;
    // Scripted runs always use a 1280×800 window, whatever the player's setting.
    let fullscreen = player.profile.settings.fullscreen && !options.scripted();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: "Thin Margin".into(),
            resolution: (1280, 800).into(),
            mode: actions::window_mode(fullscreen),
            ..default()
        }),
        ..default()
    }))
    .add_plugins(EguiPlugin::default())
    // Idle without burning CPU: redraw only on input.
    .insert_resource(WinitSettings::desktop_app())
    .insert_resource(info)
    .insert_resource(player)
    .insert_resource(theme::UiScale(scale))
    .add_systems(Startup, |mut commands: Commands| {
        commands.spawn(Camera2d);
    })
    .add_systems(
        PreUpdate,
        drop_repeated_modifiers
            .after(EguiInputSet::WriteEguiEvents)
            .before(EguiPreUpdateSet::BeginPass),
    )
    .add_plugins((theme::plugin, actions::plugin, screens::plugin, help::plugin));
    if let Some(script) = options.workshop.script.clone() {
        workshop::script::plugin(&mut app, script);
    }
    workshop::plugin(&mut app, options.workshop);
    if let Some(script) = options.script {
        script::plugin(&mut app, script);
    }
    app
}

/// bevy_egui 0.42 sends egui a "modifiers changed" event every frame, which makes egui
/// repaint forever; drop it when nothing changed so the desktop-app mode can idle.
fn drop_repeated_modifiers(mut inputs: Query<&mut EguiInput>, mut last: Local<Option<egui::Modifiers>>) {
    for mut input in &mut inputs {
        input.events.retain(|e| match e {
            egui::Event::ModifiersChanged(m) => last.replace(*m) != Some(*m),
            _ => true,
        });
    }
}
