//! The screens, one file each, and the state that says which one is showing.
//! Title → Campaign → Briefing → [Decisions → Resolution → Report]* → Debrief;
//! Analysis opens from the decisions and the debrief and goes back where it came from.
//! Workshops: Title → Join → Team, and Title → Host → Console.

mod analysis;
mod briefing;
pub mod campaign;
mod debrief;
mod decisions;
mod load;
mod report;
mod resolution;
mod settings;
mod title;
mod workshop_console;
mod workshop_host;
mod workshop_join;
mod workshop_team;

pub use resolution::event_effect;

use bevy::prelude::*;
use bevy_egui::EguiPrimaryContextPass;

/// Which screen is showing. New screens must be added here and in [`plugin`].
#[derive(States, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Screen {
    #[default]
    Title,
    Campaign,
    Briefing,
    Decisions,
    Resolution,
    Report,
    Debrief,
    Settings,
    Load,
    /// Sweeps, goal seek and the tornado on the run's plan.
    Analysis,
    /// Workshops: join as a team, a team's seat, host (setup), the facilitator's console.
    WorkshopJoin,
    WorkshopTeam,
    WorkshopHost,
    WorkshopConsole,
    /// An empty window: the frame-time baseline for `play --timings`.
    Blank,
}

/// The set every screen's UI system runs in (after the theme is applied).
#[derive(SystemSet, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScreenUi;

pub(super) fn plugin(app: &mut App) {
    app.init_state::<Screen>()
        .configure_sets(EguiPrimaryContextPass, ScreenUi)
        .add_plugins((
            title::plugin,
            campaign::plugin,
            briefing::plugin,
            decisions::plugin,
            resolution::plugin,
            report::plugin,
            debrief::plugin,
            settings::plugin,
            load::plugin,
            analysis::plugin,
            workshop_join::plugin,
            workshop_team::plugin,
            workshop_host::plugin,
            workshop_console::plugin,
        ))
        .add_systems(
            EguiPrimaryContextPass,
            blank_ui.in_set(ScreenUi).run_if(in_state(Screen::Blank)),
        );
}

/// Draws nothing but an empty panel.
fn blank_ui(mut contexts: bevy_egui::EguiContexts) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut root = crate::game::widgets::root_ui(ctx);
    bevy_egui::egui::CentralPanel::default().show(&mut root, |_| {});
    Ok(())
}
