//! The one visual theme: palette, type scale, spacing, and the colour that always
//! means the same thing (one per company, the player's the accent; one per channel).

use crate::sim::Channel;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui::{Color32, FontId, TextStyle};

/// The UI scale (0.75 to 2.0) the theme applies.
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct UiScale(pub f32);

pub const ACCENT: Color32 = Color32::from_rgb(0x4f, 0xc3, 0xd1);
pub const BETTER: Color32 = Color32::from_rgb(0x6c, 0xc0, 0x6c);
pub const WORSE: Color32 = Color32::from_rgb(0xe8, 0x74, 0x6c);
pub const MUTED: Color32 = Color32::from_rgb(0xa8, 0xae, 0xb4);
pub const TEXT: Color32 = Color32::from_rgb(0xe6, 0xe8, 0xea);
pub const PANEL: Color32 = Color32::from_rgb(0x1c, 0x1f, 0x23);
pub const CARD: Color32 = Color32::from_rgb(0x26, 0x2a, 0x30);
pub const REFERENCE: Color32 = Color32::from_rgb(0xe0, 0xc0, 0x60);

/// Type scale: four sizes.
pub const SIZE_TITLE: f32 = 40.0;
pub const SIZE_TILE: f32 = 22.0;
pub const SIZE_HEADING: f32 = 19.0;
pub const SIZE_BODY: f32 = 15.0;
pub const SIZE_CAPTION: f32 = 13.0;

/// The colour of a channel, everywhere.
pub fn channel_color(channel: Channel) -> Color32 {
    match channel {
        Channel::Online => Color32::from_rgb(0x5b, 0x8d, 0xef),
        Channel::OwnRetail => Color32::from_rgb(0x3f, 0xb8, 0x8a),
        Channel::Platform => Color32::from_rgb(0xe8, 0xa3, 0x3d),
        Channel::Dealer => Color32::from_rgb(0xb0, 0x84, 0xdc),
    }
}

/// The colour of a company, everywhere: the player's is the accent.
pub fn company_color(company_idx: usize, is_player: bool) -> Color32 {
    const RIVALS: [Color32; 5] = [
        Color32::from_rgb(0xd9, 0x8c, 0x5f),
        Color32::from_rgb(0x9a, 0xb8, 0x6a),
        Color32::from_rgb(0xc0, 0x7c, 0xc6),
        Color32::from_rgb(0x9a, 0xa0, 0xa6),
        Color32::from_rgb(0xd6, 0xc1, 0x5a),
    ];
    if is_player {
        ACCENT
    } else {
        RIVALS[company_idx % RIVALS.len()]
    }
}

/// The colour of the `i`-th team on a workshop's charts (eight that stay apart).
pub fn team_color(i: usize) -> Color32 {
    const TEAMS: [Color32; 8] = [
        Color32::from_rgb(0x4f, 0xc3, 0xd1),
        Color32::from_rgb(0xe8, 0xa3, 0x3d),
        Color32::from_rgb(0x9a, 0xb8, 0x6a),
        Color32::from_rgb(0xc0, 0x7c, 0xc6),
        Color32::from_rgb(0xe8, 0x74, 0x6c),
        Color32::from_rgb(0x5b, 0x8d, 0xef),
        Color32::from_rgb(0xd6, 0xc1, 0x5a),
        Color32::from_rgb(0x9a, 0xa0, 0xa6),
    ];
    TEAMS[i % TEAMS.len()]
}

/// A channel's name for people.
pub fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Online => "Online",
        Channel::OwnRetail => "Own stores",
        Channel::Platform => "Platforms",
        Channel::Dealer => "Dealers",
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, apply_theme.before(super::screens::ScreenUi));
}

/// Applies the theme once, and again whenever the UI scale changes.
fn apply_theme(mut contexts: EguiContexts, scale: Res<UiScale>, mut applied: Local<Option<f32>>) -> Result {
    if *applied == Some(scale.0) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    ctx.set_theme(egui::Theme::Dark);
    ctx.style_mut_of(egui::Theme::Dark, |style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(SIZE_HEADING)),
            (TextStyle::Body, FontId::proportional(SIZE_BODY)),
            (TextStyle::Button, FontId::proportional(SIZE_BODY)),
            (TextStyle::Small, FontId::proportional(SIZE_CAPTION)),
            (TextStyle::Monospace, FontId::monospace(SIZE_BODY)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(10.0, 5.0);
        style.spacing.interact_size.y = 24.0;
        style.visuals.panel_fill = PANEL;
        style.visuals.override_text_color = Some(TEXT);
        style.visuals.selection.bg_fill = ACCENT.linear_multiply(0.6);
        style.visuals.hyperlink_color = ACCENT;
    });
    ctx.set_zoom_factor(scale.0);
    *applied = Some(scale.0);
    Ok(())
}
